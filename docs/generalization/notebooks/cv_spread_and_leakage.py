# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/cross-validation.md}
# ---

# %% [markdown]
# # Cross-validation: how much the estimate wobbles, and how leakage fools it
# First we measure how much a single train/test split's accuracy depends on which rows land in the test set, and how
# much less a 5-fold cross-validation average does. Then we rerun a classic trap from *The Elements of Statistical
# Learning*: selecting features on the full dataset before cross-validating makes pure noise look predictable, while
# a step that never looks at the labels, scaling, does no such harm. Last, forward-chaining splits for time series and
# a case where leave-one-out fails completely.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.dummy import DummyClassifier
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlguide.generalization.splits import forward_chaining_splits, k_fold_indices

# %% [markdown]
# ## Part 1: one hold-out split versus 5-fold CV
# The data are scikit-learn's bundled breast-cancer set (569 tumours, 30 features); the model is a standardised
# logistic regression. We repeat two procedures 100 times with different random seeds:
#
# * **hold-out**: a random 80/20 split, fit on the 80%, score on the 20%;
# * **5-fold CV**: shuffle, cut into 5 folds with `k_fold_indices`, average the 5 held-out accuracies.
#
# Each CV fit also trains on 80% of the rows, so the two procedures estimate the same quantity; only the spread differs.
# The scaler lives inside the pipeline, so it is refitted on each training part.

# %%
X, y = load_breast_cancer(return_X_y=True)
# The default penalised logistic regression, fitted with a faster solver than the default one.
model = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))
repeats = 100

holdout = np.array([
    model.fit(X_tr, y_tr).score(X_te, y_te)
    for X_tr, X_te, y_tr, y_te in (train_test_split(X, y, test_size=0.2, random_state=r) for r in range(repeats))
])
kfold = np.array([
    cross_val_score(model, X, y, cv=list(k_fold_indices(len(y), 5, shuffle=True, seed=r)), n_jobs=1).mean()
    for r in range(repeats)
])
print(f"hold-out:  mean {holdout.mean():.4f}, sd {holdout.std(ddof=1):.4f}, range {holdout.min():.3f}-{holdout.max():.3f}")
print(f"5-fold CV: mean {kfold.mean():.4f}, sd {kfold.std(ddof=1):.4f}, range {kfold.min():.3f}-{kfold.max():.3f}")
print(f"ratio of standard deviations: {holdout.std(ddof=1) / kfold.std(ddof=1):.1f}")

# %% tags=["figure:cv-holdout-vs-kfold-spread"]
fig, ax = plt.subplots(figsize=(8, 3.8))
jitter = np.random.default_rng(1).uniform(-0.15, 0.15, size=repeats)
for row, (name, values) in enumerate([("single 80/20 split", holdout), ("5-fold CV average", kfold)]):
    ax.scatter(values, row + jitter, s=14, alpha=0.5, color=f"C{row}",
               label=f"{name}: sd {values.std(ddof=1):.3f}")
    ax.plot([values.mean()] * 2, [row - 0.3, row + 0.3], color="black", linewidth=2)
ax.set_yticks([0, 1], ["single 80/20\nsplit", "5-fold CV\naverage"])
ax.set_ylim(-0.6, 1.9)
ax.set_title("100 accuracy estimates for one model on one dataset (black bar: mean)")
ax.set_xlabel("estimated accuracy (fraction correct)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Both procedures are centred in the same place, but the single split can report a noticeably better or worse model
# depending on the seed. Note what this spread is and is not: it is the randomness of the *partition* of one fixed
# dataset. It says nothing about how the estimate would vary if we drew a new dataset of 569 tumours, which is a
# larger source of uncertainty that no resampling of one dataset can fully reveal.

# %% [markdown]
# ## Part 2: preprocessing outside versus inside the folds
# Fifty samples, two balanced classes, 5,000 features of standard-normal noise. The labels are a random permutation,
# so nothing can predict them: any honest estimate should hover around 50% accuracy.
#
# * **Right**: put the selection step (the 100 features most associated with the labels by an F-test) and a
#   1-nearest-neighbour classifier in one `Pipeline`, so each fold selects features from its own training rows only.
# * **Label-using step outside**: select the 100 features using *all* 50 rows, then cross-validate the classifier on
#   those 100 columns.
# * **Label-free step outside**: standardise every column using all 50 rows, then cross-validate the right pipeline.
#   The scaler sees the held-out rows' features but never a label.
#
# Each is averaged over 10 reshufflings of the folds to smooth the small-sample noise.

# %%
rng = np.random.default_rng(0)
n, p, k = 50, 5000, 100
X_noise = rng.normal(size=(n, p))
y_noise = rng.permutation(np.repeat([0, 1], n // 2))


def cv_accuracy(estimator, features, labels, reshuffles=10):
    """Mean 5-fold CV accuracy over several shuffles of the folds."""
    return np.mean([
        cross_val_score(estimator, features, labels, cv=list(k_fold_indices(len(labels), 5, shuffle=True, seed=s)),
                        n_jobs=1).mean()
        for s in range(reshuffles)
    ])


select_then_classify = make_pipeline(SelectKBest(f_classif, k=k), KNeighborsClassifier(n_neighbors=1))
honest = cv_accuracy(select_then_classify, X_noise, y_noise)
X_selected = SelectKBest(f_classif, k=k).fit_transform(X_noise, y_noise)    # sees every label: the leak
leaky = cv_accuracy(KNeighborsClassifier(n_neighbors=1), X_selected, y_noise)
X_scaled = StandardScaler().fit_transform(X_noise)                          # sees every row, no label
scaled_outside = cv_accuracy(select_then_classify, X_scaled, y_noise)
print(f"everything inside CV (honest):         {honest:.3f}")
print(f"selection before CV (label-using):     {leaky:.3f}")
print(f"scaling before CV (label-free):        {scaled_outside:.3f}")

# %% tags=["figure:cv-leakage-feature-selection"]
fig, ax = plt.subplots(figsize=(8, 4))
bars = ax.barh(["everything inside each fold\n(Pipeline)", "scaling on all rows\n(label-free), then CV",
                "selection on all rows\n(label-using), then CV"], [honest, scaled_outside, leaky],
               color=["C0", "C1", "C3"])
ax.axvline(0.5, color="black", linestyle="--", linewidth=1, label="chance (random labels)")
ax.bar_label(bars, fmt="%.2f", padding=4)
ax.set_xlim(0, 1.1)
ax.set_title("CV accuracy on random labels (50 rows, 5,000 noise features, 100 kept)")
ax.set_xlabel("cross-validated accuracy (fraction correct)")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# The label-using leak is not a fluke of one split: the held-out rows' labels helped choose the features, so
# "held-out" is a fiction. Scaling on all rows leaves the estimate at chance, because no label information can pass
# through it. That does not make label-free steps harmless in general: scaling, imputation or PCA fitted on all rows
# still tell the model something about the held-out rows' features, which matters when the folds differ (drift,
# groups). They are simply much less dangerous than steps that look at labels, such as feature selection, target
# encoding or oversampling before the split. All of them belong inside the pipeline.

# %% [markdown]
# ## Part 3: forward-chaining splits for time-ordered data
# For a time series, shuffled folds would let the model train on the future. `forward_chaining_splits` always tests
# on a block that comes after everything it trained on.

# %%
for train, test in forward_chaining_splits(12, 3):
    print("train", train.tolist(), " test", test.tolist())

# %% [markdown]
# ## Part 4: where leave-one-out fails
# A classifier that always predicts the training set's majority class, on the 50 balanced random labels from Part 2.
# Its true accuracy is 50%. Leaving out one row of class 1 leaves class 0 in the majority, so the model predicts 0
# and is wrong, and the same happens for every row: leave-one-out reports 0%. Kohavi (1995) gives the three-class
# version on the iris data, where the expected 33% becomes 0%. Unstratified 5-fold CV suffers a milder form of the
# same tilt: a fold that happens to hold more of one class leaves the other class in the training majority. Stratified
# folds keep the training classes tied, so the predictor falls back on one class and scores exactly 50%.

# %%
majority = DummyClassifier(strategy="most_frequent")
loo = cross_val_score(majority, X_noise[:, :1], y_noise, cv=list(k_fold_indices(n, n)), n_jobs=1).mean()
five_fold = cv_accuracy(majority, X_noise[:, :1], y_noise)
stratified = np.mean([
    cross_val_score(majority, X_noise[:, :1], y_noise, cv=StratifiedKFold(5, shuffle=True, random_state=s),
                    n_jobs=1).mean()
    for s in range(10)
])
print(f"majority-class predictor: leave-one-out {loo:.2f}, 5-fold (10 shuffles) {five_fold:.3f},",
      f"stratified 5-fold (10 shuffles) {stratified:.3f}")

# %% [markdown]
# ## Checks
# The claims the guide's page makes about these results.

# %%
# Part 1: averaging over 5 folds gives a visibly tighter estimate than one split, centred in the same place.
assert kfold.std(ddof=1) < holdout.std(ddof=1) / 2, "5-fold CV should spread much less than single hold-out splits"
assert abs(kfold.mean() - holdout.mean()) < 0.005
sd_ratio = holdout.std(ddof=1) / kfold.std(ddof=1)
assert abs(holdout.std(ddof=1) - 0.014) < 0.0005, "the page: single splits have sd 0.014"
assert abs(kfold.std(ddof=1) - 0.0033) < 0.00005, "the page: 5-fold CV averages have sd 0.0033"
assert 3.5 < sd_ratio < 4.5, "the page: single splits spread about four times as widely"
# Part 2: the label-using leak makes noise look far better than chance; the pipeline stays near chance, and so does
# the label-free leak.
assert leaky == 1.0, "the page: feature selection before CV gives perfect accuracy (1.00) on random labels"
assert abs(honest - 0.57) < 0.005, "the page: selection inside the folds gives 0.57, close to chance"
assert abs(scaled_outside - 0.54) < 0.005, "the page: scaling on all rows gives 0.54"
assert abs(scaled_outside - honest) < 0.05, "scaling on all rows leaks no labels"
# Part 3: forward chaining never trains on the future.
assert all(train.max() < test.min() for train, test in forward_chaining_splits(12, 3))
# Part 4: leave-one-out scores the majority-class predictor at 0% on balanced labels.
assert loo == 0.0, "every held-out row is in the minority of its training set"
assert abs(five_fold - 0.40) < 0.005, "the page: unstratified 5-fold gives 0.40, a milder form of the same bias"
assert stratified == 0.5, "the page: stratified folds remove the bias (0.50)"
print(f"all checks passed: sd {holdout.std(ddof=1):.4f} vs {kfold.std(ddof=1):.4f}; leaky {leaky:.2f},",
      f"scaled outside {scaled_outside:.2f}, honest {honest:.2f}; majority predictor: LOOCV {loo:.2f},",
      f"5-fold {five_fold:.2f}, stratified {stratified:.2f}")
