# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/data-quality.md}
# ---

# %% [markdown]
# # Data-quality traps: duplicates across the split, label noise, drift checks
# Three problems that make offline numbers mislead, on generated data where the truth is known: near-duplicate rows
# on both sides of a random split, labels flipped at random, and a feature whose distribution moves. For each we
# measure the damage against a ground truth that a real project never has, and check the page's formulas.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import ks_2samp
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit, cross_val_predict, train_test_split
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.tree import DecisionTreeClassifier

from mlguide.data.quality import clean_accuracy, find_label_issues, noisy_accuracy, psi

START, START_CPU = time.perf_counter(), time.process_time()

# %% [markdown]
# ## Part 1: near-duplicates on both sides of a random split
# `make_classification` draws 4,000 rows with 10 features, 10% of them with a random class (`flip_y`), so no model
# can be perfect. The first 2,000 rows are the data set we "collected"; the other 2,000 are fresh rows from the same
# population that we keep aside to learn each model's true accuracy. Into the collected set we copy 600 rows with a
# tiny jitter (standard deviation 0.01 per feature, against features of spread about 1): the kind of near-duplicate a
# resubmitted form, a re-encoded image or a second visit leaves behind. Every row remembers the original it came from,
# its *group*.
#
# We then estimate three models' accuracy two ways: a random 75/25 split of the 2,600 rows, and a split by group
# (`GroupShuffleSplit`), which keeps an original and its copy on the same side. Each estimate is compared with the same
# fitted model's accuracy on the fresh rows.

# %%
X_all, y_all = make_classification(n_samples=4000, n_features=10, n_informative=5, n_redundant=0, flip_y=0.1,
                                   class_sep=1.0, random_state=0)
X_pool, y_pool, X_fresh, y_fresh = X_all[:2000], y_all[:2000], X_all[2000:], y_all[2000:]
rng = np.random.default_rng(0)
copied = rng.choice(2000, size=600, replace=False)
X = np.vstack([X_pool, X_pool[copied] + rng.normal(scale=0.01, size=(600, 10))])
y = np.concatenate([y_pool, y_pool[copied]])
group = np.concatenate([np.arange(2000), copied])

models = {
    "1-NN": lambda: KNeighborsClassifier(n_neighbors=1),
    "full-depth tree": lambda: DecisionTreeClassifier(random_state=0),
    "logistic regression": lambda: LogisticRegression(),
}
splits = {
    "random split": train_test_split(np.arange(y.size), test_size=0.25, random_state=0),
    "group split": next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0).split(X, y, group)),
}
scores = {}  # (model, split) -> (test-set accuracy, accuracy on fresh rows, test-set size)
for split_name, (tr, te) in splits.items():
    for name, make in models.items():
        fitted = make().fit(X[tr], y[tr])
        scores[name, split_name] = (fitted.score(X[te], y[te]), fitted.score(X_fresh, y_fresh), te.size)
        test_acc, fresh_acc, _ = scores[name, split_name]
        print(f"{split_name:12s} {name:20s} test {test_acc:.3f}   fresh rows {fresh_acc:.3f}   "
              f"gap {test_acc - fresh_acc:+.3f}")

# %% [markdown]
# Under the random split, a test row whose twin landed in training is answered by memory: the 1-NN's nearest
# neighbour is the twin, the tree almost always drops it into the twin's leaf, and both return the twin's label, which
# is its own label, noise included. Let $d$ be the share of test rows with a twin in training and $a$ the accuracy on the other
# rows; then the 1-NN's test accuracy is exactly $d + (1-d)\,a$. The logistic regression fits ten weights and an
# intercept and cannot memorise, so its estimate barely moves.

# %%
tr, te = splits["random split"]
copies_per_group = np.bincount(group, minlength=2000)
twin_in_train = (copies_per_group[group[te]] > 1) & np.isin(group[te], group[tr])
d = twin_in_train.mean()
knn = KNeighborsClassifier(n_neighbors=1).fit(X[tr], y[tr])
correct = knn.predict(X[te]) == y[te]
a = correct[~twin_in_train].mean()
print(f"test rows with a twin in training: {twin_in_train.sum()} of {te.size} (d = {d:.3f})")
print(f"1-NN: accuracy on rows with a twin {correct[twin_in_train].mean():.3f}, on the others {a:.3f}; "
      f"d + (1 - d) a = {d + (1 - d) * a:.3f}")

# Detection: exact matching finds nothing (the copies are jittered), nearest-neighbour distance finds every twin.
nn_dist = NearestNeighbors(n_neighbors=1).fit(X[tr]).kneighbors(X[te])[0][:, 0]
exact = (X[te][:, None, :] == X[tr][None, :, :]).all(axis=2).any(axis=1)
flagged = nn_dist < 0.1
print(f"exact duplicates across the split: {exact.sum()}; rows within distance 0.1 of a training row: "
      f"{flagged.sum()}; largest twin distance {nn_dist[twin_in_train].max():.3f}, "
      f"smallest other distance {nn_dist[~twin_in_train].min():.3f}")

# %%
gap = {key: test - fresh for key, (test, fresh, _) in scores.items()}
# The two memorising models' random-split scores overstate their accuracy on fresh rows by 6 to 8 points ...
assert 0.06 < gap["1-NN", "random split"] < 0.08 and 0.06 < gap["full-depth tree", "random split"] < 0.08
# ... the logistic regression's by under 2 points.
assert abs(gap["logistic regression", "random split"]) < 0.02
# Splitting by group removes the inflation: each gap is within 2 standard errors of the test-set accuracy.
for name in models:
    test_acc, fresh_acc, m = scores[name, "group split"]
    assert abs(test_acc - fresh_acc) < 2 * np.sqrt(fresh_acc * (1 - fresh_acc) / m), name
# About 37% of the random test set has a twin in training; the 1-NN gets every one of them right, so its test
# accuracy is exactly d + (1 - d) a.
assert 0.35 < d < 0.40 and correct[twin_in_train].all()
assert np.isclose(correct.mean(), d + (1 - d) * a)
# The duplicates also pick the wrong model: the random split ranks the 1-NN first, fresh rows and the group split
# rank the logistic regression first.
def best(split, which):
    return max(models, key=lambda name: scores[name, split][which])


assert best("random split", 0) == "1-NN"
assert best("random split", 1) == best("group split", 0) == best("group split", 1) == "logistic regression"
# The numbers the page quotes.
assert twin_in_train.sum() == 244 and te.size == 650
assert round(scores["1-NN", "random split"][0], 3) == 0.886 and round(scores["1-NN", "random split"][1], 3) == 0.819
# Exact matching misses every copy; a distance threshold of 0.1 separates twins from the rest perfectly.
assert exact.sum() == 0 and np.array_equal(flagged, twin_in_train)
print("part 1 checks passed")

# %% tags=["figure:data-quality-duplicates"]
fig, ax = plt.subplots(figsize=(7, 3.6))
width = 0.27
for i, name in enumerate(models):
    bars = [scores[name, "random split"][0], scores[name, "group split"][0], scores[name, "random split"][1]]
    for j, (value, label, colour) in enumerate(zip(
            bars, ["random split: test score", "group split: test score", "true accuracy (fresh rows)"],
            ["tab:red", "tab:blue", "0.45"])):
        ax.bar(i + (j - 1) * width, value, width, color=colour, label=label if i == 0 else None)
        ax.text(i + (j - 1) * width, value + 0.005, f"{value:.2f}", ha="center", fontsize=8)
ax.set_xticks(range(len(models)), list(models))
ax.set_ylim(0.6, 0.97)
ax.set_ylabel("accuracy")
ax.set_title("2,000 rows plus 600 jittered copies: who gains from a random split")
ax.legend(loc="upper center", ncol=3, fontsize=7.5)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Part 2: symmetric label noise
# Two Gaussian classes in five dimensions share a covariance, so the Bayes-optimal rule is linear and its accuracy
# is $\Phi(1.28) \approx 0.90$. We flip each training label with probability $\rho$, train a logistic regression and a
# 1-NN, and score them twice on 4,000 test rows: against the clean labels, which a real project never has, and against
# test labels flipped at the same rate, which is what it measures. For binary labels the page predicts
# $\text{measured} = \rho + (1 - 2\rho)\,\text{acc}$ with acc the accuracy against clean labels.

# %%
def two_gaussians(n, seed, dim=5, separation=1.28):
    gen = np.random.default_rng(seed)
    labels = gen.integers(0, 2, size=n)
    centre = np.zeros(dim)
    centre[0] = separation
    return gen.normal(size=(n, dim)) + np.where(labels[:, None] == 1, centre, -centre), labels


X_tr, y_tr = two_gaussians(2000, seed=1)
X_te, y_te = two_gaussians(4000, seed=2)
flip_rng = np.random.default_rng(3)
u_tr, u_te = flip_rng.random(y_tr.size), flip_rng.random(y_te.size)   # row i is flipped when u_i < rho
rhos = [0.0, 0.1, 0.2, 0.3, 0.4]
noise_models = {"logistic regression": LogisticRegression, "1-NN": lambda: KNeighborsClassifier(n_neighbors=1)}
acc_clean = {name: [] for name in noise_models}
acc_noisy = {name: [] for name in noise_models}
mean_confidence, prob_range, share_outside = [], [], []   # logistic regression's test probabilities, per rho
for rho in rhos:
    y_tr_noisy = np.where(u_tr < rho, 1 - y_tr, y_tr)
    y_te_noisy = np.where(u_te < rho, 1 - y_te, y_te)
    for name, make in noise_models.items():
        fitted = make().fit(X_tr, y_tr_noisy)
        pred = fitted.predict(X_te)
        acc_clean[name].append(np.mean(pred == y_te))
        acc_noisy[name].append(np.mean(pred == y_te_noisy))
        if name == "logistic regression":
            p_test = fitted.predict_proba(X_te)[:, 1]
            mean_confidence.append(np.abs(p_test - 0.5).mean())
            prob_range.append((p_test.min(), p_test.max()))
            share_outside.append(np.mean((p_test < rho) | (p_test > 1 - rho)))
for name in noise_models:
    for rho, ac, an in zip(rhos, acc_clean[name], acc_noisy[name]):
        print(f"{name:20s} rho {rho:.1f}: clean labels {ac:.3f}, noisy labels {an:.3f}, "
              f"predicted {noisy_accuracy(ac, rho):.3f}")
print("logistic regression, mean |p - 0.5| on test rows:", np.round(mean_confidence, 3))
for rho, (lo, hi), out in zip(rhos, prob_range, share_outside):
    print(f"logistic regression rho {rho:.1f}: test probabilities from {lo:.3f} to {hi:.3f}, "
          f"share outside [rho, 1 - rho] {out:.2f}")

# %%
m_test = y_te.size
for name in noise_models:
    for rho, ac, an in zip(rhos, acc_clean[name], acc_noisy[name]):
        # Given the predictions, each test row's match flips with probability rho: SD sqrt(rho (1 - rho) / m).
        assert abs(an - noisy_accuracy(ac, rho)) <= 4 * np.sqrt(rho * (1 - rho) / m_test) + 1e-12, (name, rho)
lr_clean, lr_noisy = np.array(acc_clean["logistic regression"]), np.array(acc_noisy["logistic regression"])
# The linear model trained on 30%-flipped labels loses under 2 points against clean labels, while the measured
# accuracy falls by over 20 points: most of the measured drop is the test labels, not the model.
assert lr_clean[0] - lr_clean[3] < 0.02 and lr_noisy[0] - lr_noisy[3] > 0.20
assert np.all(lr_clean[0] - lr_clean[1:] < lr_noisy[0] - lr_noisy[1:])
# Inverting the relation recovers the clean accuracy from the measured one, up to sampling noise.
assert abs(clean_accuracy(lr_noisy[2], 0.2) - lr_clean[2]) < 0.02
# The 1-NN copies its neighbour's label, flipped or not, so its clean accuracy follows rho + (1 - 2 rho) acc_0 ...
knn_clean = np.array(acc_clean["1-NN"])
for rho, ac in zip(rhos, knn_clean):
    assert abs(ac - noisy_accuracy(knn_clean[0], rho)) < 0.02, rho
# ... and it loses far more than the logistic regression: 15 points or more at rho = 0.3.
assert knn_clean[0] - knn_clean[3] > 0.15
# Probabilities are pulled toward 0.5. The noisy posterior rho + (1 - 2 rho) P(y = 1 | x) is squeezed by exactly
# 1 - 2 rho; the logistic fit, which cannot bend to the floor rho and ceiling 1 - rho, squeezes a little more.
for i, rho in enumerate(rhos):
    assert mean_confidence[i] <= (1 - 2 * rho) * mean_confidence[0] + 1e-12, rho
# Squeezed on average, yet not into [rho, 1 - rho]: the sigmoid still reaches 0 and 1 in the tails. At rho = 0.1 the
# fitted probabilities span 0.007 to 0.993 and 22% of test rows fall outside [0.1, 0.9] (the page's number).
assert prob_range[1][0] < 0.01 and prob_range[1][1] > 0.99 and round(share_outside[1], 2) == 0.22
assert all(share_outside[i] > 0.1 for i in range(1, len(rhos)))
print("part 2 checks passed")

# %% [markdown]
# ## Confident learning on the 20%-noise training set
# Out-of-fold probabilities from a 5-fold logistic regression go into `find_label_issues`, which flags the rows whose
# confident class (above that class's mean self-confidence) differs from their label. We compare the flags with the
# flips we made, then retrain the 1-NN without the flagged rows.

# %%
rho = 0.2
flipped = u_tr < rho
y_tr_noisy = np.where(flipped, 1 - y_tr, y_tr)
oof = cross_val_predict(LogisticRegression(), X_tr, y_tr_noisy, cv=5, method="predict_proba")
issues, joint = find_label_issues(y_tr_noisy, oof)
precision, recall = flipped[issues].mean(), issues[flipped].mean()
print(f"flipped {flipped.sum()} labels; flagged {issues.sum()}: precision {precision:.2f}, recall {recall:.2f}")
print("confident joint (rows: given label, columns: confident class):\n", joint)
keep = ~issues
knn_noisy = KNeighborsClassifier(n_neighbors=1).fit(X_tr, y_tr_noisy).score(X_te, y_te)
knn_pruned = KNeighborsClassifier(n_neighbors=1).fit(X_tr[keep], y_tr_noisy[keep]).score(X_te, y_te)
lr_noisy_fit = LogisticRegression().fit(X_tr, y_tr_noisy).score(X_te, y_te)
lr_pruned = LogisticRegression().fit(X_tr[keep], y_tr_noisy[keep]).score(X_te, y_te)
print(f"1-NN clean-label accuracy: noisy training set {knn_noisy:.3f}, flagged rows removed {knn_pruned:.3f}, "
      f"clean training set {knn_clean[0]:.3f}")
print(f"logistic regression: noisy {lr_noisy_fit:.3f}, flagged rows removed {lr_pruned:.3f}")

# %%
# Most flags are real flips and most flips are flagged; the rest are rows in the overlap of the classes.
assert precision > 0.6 and recall > 0.6
assert issues.sum() == 362 and round(precision, 2) == 0.88 and round(recall, 2) == 0.74
assert round(knn_noisy, 3) == 0.685 and round(knn_pruned, 3) == 0.840
# Removing them recovers most of what the noise cost the 1-NN, and leaves the logistic regression where it was.
assert knn_pruned - knn_noisy > 0.08 and abs(lr_pruned - lr_noisy_fit) < 0.01
print("confident-learning checks passed")

# %% tags=["figure:data-quality-label-noise"]
fig, (ax_lr, ax_nn) = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True)
grid = np.linspace(0, 0.45, 50)
for ax, name in ((ax_lr, "logistic regression"), (ax_nn, "1-NN")):
    ax.plot(rhos, acc_clean[name], "o-", label="against clean test labels")
    ax.plot(rhos, acc_noisy[name], "s-", label="against noisy test labels")
    ax.plot(grid, [noisy_accuracy(np.interp(r, rhos, acc_clean[name]), r) for r in grid], "k--", lw=0.8,
            label=r"$\rho + (1-2\rho)\,$acc")
    ax.plot(grid, 1 - grid, color="0.6", lw=0.8, ls=":", label=r"ceiling $1-\rho$")
    ax.set(title=f"{name} trained on noisy labels", xlabel=r"share of labels flipped, $\rho$", ylim=(0.45, 1.0))
ax_lr.set_ylabel("test accuracy")
ax_lr.legend(fontsize=7, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Part 3: detecting a shifted feature
# A reference sample of 5,000 values from $N(0, 1)$ and a "production" sample of 5,000 from $N(0.1, 1)$: a shift of a
# tenth of a standard deviation. The Kolmogorov-Smirnov two-sample test and the population stability index (PSI,
# deciles of the reference) see it very differently. Then we run both on samples with no shift at all, many times,
# at two sample sizes.

# %%
drift_rng = np.random.default_rng(4)
reference, production = drift_rng.normal(size=5000), drift_rng.normal(loc=0.1, size=5000)
ks = ks_2samp(reference, production)
print(f"shift of 0.1 SD, n = m = 5000: KS statistic {ks.statistic:.3f}, p-value {ks.pvalue:.1e}, "
      f"PSI {psi(reference, production):.4f}")

null_psi, null_p = {}, {}
for n in (200, 5000):
    pairs = [(drift_rng.normal(size=n), drift_rng.normal(size=n)) for _ in range(300)]
    null_psi[n] = np.array([psi(r, c) for r, c in pairs])
    null_p[n] = np.array([ks_2samp(r, c).pvalue for r, c in pairs])
    print(f"no shift, n = m = {n}: mean PSI {null_psi[n].mean():.4f} (approximation {9 * 2 / n:.4f}), "
          f"share with PSI > 0.1 {np.mean(null_psi[n] > 0.1):.2f}, share with KS p < 0.05 {np.mean(null_p[n] < 0.05):.2f}")

# %%
# A tenth of an SD is "significant" for KS at n = 5000, yet far below the PSI rule of thumb of 0.1 for a shift.
assert ks.pvalue < 1e-3 and psi(reference, production) < 0.02
assert 4e-5 < ks.pvalue < 6e-5 and round(psi(reference, production), 3) == 0.012
# With no shift, mean PSI is about (B - 1)(1/n + 1/m) = 18 / n ...
for n in null_psi:
    assert abs(null_psi[n].mean() / (18 / n) - 1) < 0.15, n
# ... so at n = 200 a fixed 0.1 threshold raises false alarms on about a third of stable samples, at 5000 never;
# KS keeps its 5% false-alarm rate at both sizes.
assert 0.25 < np.mean(null_psi[200] > 0.1) < 0.45 and np.mean(null_psi[5000] > 0.1) == 0
assert all(0.02 < np.mean(null_p[n] < 0.05) < 0.09 for n in null_p)
print("part 3 checks passed")

# %%
elapsed, cpu = time.perf_counter() - START, time.process_time() - START_CPU
print(f"all checks passed in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
