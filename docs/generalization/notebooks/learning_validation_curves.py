# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/overfitting-underfitting.md}
# ---

# %% [markdown]
# # Learning and validation curves for decision trees
# We diagnose underfitting and overfitting on one synthetic classification problem by plotting training and
# cross-validated accuracy, first against tree depth (a validation curve) and then against training-set size for a
# too-simple and a too-flexible tree (learning curves). Finally we split the overfit tree's gap into the part that is
# noise, which no model could predict, and the part that is the tree's own fault.

# %% [markdown]
# ## The data and the folds
# A synthetic binary problem with 3,000 points and 8 features, 5 of them informative. Each class is a mixture of
# three Gaussian clusters. `flip_y=0.05` gives about 5% of the points a class drawn at random; about half of those
# draws land on the class the point already had, so fewer than 5% of labels actually change. We generate the data
# twice with the same seed, with and without that relabelling, so we can count the changed labels exactly; the
# points are generated cluster by cluster, so we then shuffle the rows ourselves.
#
# Every curve below uses the same five shuffled folds, built with `k_fold_indices` from the guide's `mlguide.generalization.splits`
# module and passed to scikit-learn as an explicit list of (train, test) index pairs.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import multivariate_normal
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score, learning_curve, validation_curve
from sklearn.tree import DecisionTreeClassifier

from mlguide.generalization.splits import k_fold_indices

settings = dict(n_samples=3000, n_features=8, n_informative=5, n_redundant=1, n_clusters_per_class=3,
                class_sep=1.0, shuffle=False, random_state=1)
X, y = make_classification(flip_y=0.05, **settings)
X_same, y_original = make_classification(flip_y=0.0, **settings)
assert np.array_equal(X, X_same), "the relabelling step is the only difference between the two draws"
cluster = np.repeat(np.arange(6), 500)            # unshuffled rows come cluster by cluster, 500 per cluster
assert np.array_equal(y_original, cluster % 2), "clusters 0, 2, 4 are class 0; clusters 1, 3, 5 are class 1"

order = np.random.default_rng(0).permutation(len(y))
X, y, y_original, cluster = X[order], y[order], y_original[order], cluster[order]
changed = float(np.mean(y != y_original))
folds = list(k_fold_indices(len(y), 5, shuffle=True, seed=0))
print(X.shape, "class balance:", np.bincount(y), "fold sizes:", [len(test) for _, test in folds])
print(f"labels actually changed by flip_y=0.05: {np.sum(y != y_original)} of {len(y)} ({changed:.1%})")

# %% [markdown]
# ## Validation curve: accuracy against tree depth
# `max_depth` is the complexity knob. For each depth we fit five trees (one per fold) and record the accuracy on the
# four training folds and on the held-out fold.

# %%
depths = np.arange(1, 21)
train_scores, val_scores = validation_curve(
    DecisionTreeClassifier(random_state=0), X, y,
    param_name="max_depth", param_range=depths, cv=folds, n_jobs=1,
)
train_mean, val_mean = train_scores.mean(axis=1), val_scores.mean(axis=1)
val_se = val_scores.std(axis=1, ddof=1) / np.sqrt(len(folds))   # standard error of the 5-fold mean
best = int(np.argmax(val_mean))
best_depth = int(depths[best])
# One-standard-error rule: the shallowest depth whose mean is within one SE of the best mean.
threshold = val_mean[best] - val_se[best]
one_se_depth = int(depths[np.argmax(val_mean >= threshold)])
print("train accuracy by depth:     ", np.round(train_mean, 3))
print("validation accuracy by depth:", np.round(val_mean, 3))
print(f"best depth {best_depth}: validation {val_mean[best]:.3f} (SE {val_se[best]:.4f});",
      f"deepest tree (depth {depths[-1]}): {val_mean[-1]:.3f}")
print(f"one-SE rule: threshold {threshold:.4f}, picks depth {one_se_depth} ({val_mean[one_se_depth - 1]:.3f});",
      "depths within one SE:", depths[val_mean >= threshold].tolist())

# %% [markdown]
# The training curve climbs towards 1 as the tree deepens, while the validation curve rises, peaks, then sags: to the
# left of the peak the tree underfits (both scores low and close), to the right it overfits (the gap widens while
# validation accuracy falls). The peak itself is not sharp: depth 5 is within one standard error of depth 6, so the
# one-standard-error rule, which prefers the simplest setting that the noise cannot tell from the best, picks depth 5.

# %% tags=["figure:overfitting-validation-curve"]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(depths, train_mean, "o-", label="training folds")
ax.plot(depths, val_mean, "s-", label="held-out fold (5-fold CV)")
ax.fill_between(depths, val_mean - val_se, val_mean + val_se, alpha=0.25, color="C1",
                label="CV mean ± 1 standard error")
ax.axhline(threshold, color="C1", linestyle=":", linewidth=1, label="best mean − 1 SE")
ax.plot(best_depth, val_mean[best], "*", color="black", markersize=10, label=f"best mean (depth {best_depth})")
ax.axvline(one_se_depth, color="grey", linestyle="--", linewidth=1)
ax.text(one_se_depth + 0.3, 0.77, f"one-SE rule:\ndepth {one_se_depth}", color="grey")
ax.text(2.2, 0.71, "underfitting:\nboth low, small gap", fontsize=9)
ax.text(14, 0.91, "overfitting:\ngap widens", fontsize=9)
ax.set_title("Validation curve: decision tree on 3,000 noisy points")
ax.set_xlabel("max_depth (tree depth limit)")
ax.set_ylabel("accuracy (fraction correct)")
ax.set_xticks(depths[::2])
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Learning curves: a stump and a fully grown tree
# Now we fix the model and vary how much data it learns from: 10% to 100% of each training split (240 to 2,400
# points). A depth-1 stump is the underfit model; a tree grown until its leaves are pure is the overfit one.

# %%
fractions = np.linspace(0.1, 1.0, 8)
curves = {}
for name, depth in [("depth-1 stump (underfit)", 1), ("fully grown tree (overfit)", None)]:
    sizes, tr, va = learning_curve(
        DecisionTreeClassifier(max_depth=depth, random_state=0), X, y,
        train_sizes=fractions, cv=folds, n_jobs=1,
    )
    curves[name] = (sizes, tr.mean(axis=1), va.mean(axis=1))
    gap = tr.mean(axis=1) - va.mean(axis=1)
    print(f"{name}: sizes {sizes.tolist()}")
    print("   train", np.round(tr.mean(axis=1), 3), "\n   valid", np.round(va.mean(axis=1), 3), "\n   gap  ", np.round(gap, 3))

# %% tags=["figure:overfitting-learning-curves"]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), sharey=True)
for ax, (name, (sizes, tr, va)) in zip(axes, curves.items()):
    ax.plot(sizes, tr, "o-", label="training")
    ax.plot(sizes, va, "s-", label="validation (CV)")
    ax.fill_between(sizes, va, tr, alpha=0.15, color="grey", label="gap")
    ax.set_title(name)
    ax.set_xlabel("training-set size (samples)")
    ax.set_ylim(0.6, 1.02)
axes[0].set_ylabel("accuracy (fraction correct)")
axes[0].legend(loc="upper right")
fig.suptitle("Learning curves: more data narrows the overfit tree's gap slowly; the stump stays low")
fig.tight_layout()
plt.show()

# %% [markdown]
# Along one curve the last doubling, from 1,165 to 2,400 examples, can look flat, but one split of the data into
# folds is a noisy witness. Averaged over several fold splits, the full tree still gains about a point from that
# doubling: more rows keep helping, slowly. The next section shows that averaging trees helps far more.

# %%
sizes_full, tr_full, va_full = curves["fully grown tree (overfit)"]
half = int(np.flatnonzero(sizes_full == 1165)[0])
doubling_gains = []
for seed in range(1, 6):
    other_folds = list(k_fold_indices(len(y), 5, shuffle=True, seed=seed))
    _, _, va_seed = learning_curve(DecisionTreeClassifier(random_state=0), X, y, train_sizes=fractions[[3, 7]],
                                   cv=other_folds, n_jobs=1)
    doubling_gains.append(va_seed.mean(axis=1)[1] - va_seed.mean(axis=1)[0])
doubling_gain = float(np.mean(doubling_gains))
print(f"full tree: validation {va_full[0]:.3f} at 240, {va_full[half]:.3f} at 1,165, {va_full[-1]:.3f} at 2,400;",
      f"gap {tr_full[half] - va_full[half]:.3f} -> {tr_full[-1] - va_full[-1]:.3f}")
print("gain from 1,165 to 2,400 over five other fold splits:", np.round(doubling_gains, 3), f"mean {doubling_gain:.3f}")

# %% [markdown]
# ## What the overfit tree's gap is made of
# The full tree is right on every training point, so its gap is simply its validation error. Part of that error is
# noise: labels that no function of the features could predict, either because the point was relabelled or because
# it lies where the other class's clusters are denser. To measure that part we build the best classifier we can for
# this distribution: an oracle that knows which cluster generated each training point, fits one Gaussian per cluster
# on the 5 informative features, and predicts the class whose clusters give the new point the higher density. Its
# error estimates the lowest error any model could reach (the Bayes error). Whatever the tree loses beyond that is the
# tree's own fault; a random forest, which averages 100 trees grown on bootstrap samples, shows how much of it is
# variance.

# %%
def cluster_oracle(train, test):
    """Predict test rows' classes from Gaussians fitted per cluster on the training rows (cluster ids known)."""
    Z = X[:, :5]                                  # unshuffled columns: the 5 informative features come first
    density = np.column_stack([
        multivariate_normal(Z[train][cluster[train] == c].mean(axis=0),
                            np.cov(Z[train][cluster[train] == c].T)).pdf(Z[test])
        for c in range(6)
    ])
    return (density[:, 1::2].sum(axis=1) > density[:, 0::2].sum(axis=1)).astype(int)


oracle = np.mean([np.mean(cluster_oracle(train, test) == y[test]) for train, test in folds])
oracle_original = np.mean([np.mean(cluster_oracle(train, test) == y_original[test]) for train, test in folds])
forest = cross_val_score(RandomForestClassifier(n_estimators=100, random_state=0), X, y, cv=folds, n_jobs=1).mean()
_, tr_full, va_full = curves["fully grown tree (overfit)"]
noise_part = 1 - oracle
full_gap = tr_full[-1] - va_full[-1]
print(f"full tree at 2,400 points: training {tr_full[-1]:.3f}, validation {va_full[-1]:.3f}, gap {full_gap:.3f}")
print(f"oracle validation accuracy: {oracle:.3f} on the labels used ({oracle_original:.3f} on the original labels)")
print(f"  noise the tree memorised (Bayes error): {noise_part:.3f} = {noise_part / full_gap:.0%} of the gap")
print(f"  the tree's own excess error:             {oracle - va_full[-1]:.3f}")
print(f"random forest validation accuracy: {forest:.3f}")

# %% [markdown]
# About a third of the gap is noise the tree memorised, in roughly equal parts the relabelled points and points
# where the two classes' clusters overlap (the oracle misses a few per cent even of the original labels). The other
# two thirds is excess error of the single tree: its pure leaves hold one or a few points each, so each prediction
# rests on very little data and would change with the sample. The forest recovers most of that by averaging, which
# is what reducing variance means.

# %% [markdown]
# ## Checks
# The claims the guide's page makes about these curves.

# %%
# 0. flip_y=0.05 changes far fewer than 5% of the labels.
assert 0.02 < changed < 0.035, "about half of the 5% randomised labels keep their class"
assert np.sum(y != y_original) == 89, "the page quotes 89 changed labels (3.0%)"
# 1. Training accuracy never decreases as the depth limit grows.
assert np.all(np.diff(train_mean) >= -1e-9), "training score should increase with complexity"
assert train_mean[-1] > 0.99, "the deepest tree nearly memorises its training folds"
# 2. Validation accuracy peaks at an intermediate depth, clearly above both ends.
assert 1 < best_depth < depths[-1], "the best depth is neither the simplest nor the most complex"
assert val_mean[best] - val_mean[0] > 0.05 and val_mean[best] - val_mean[-1] > 0.01
# 2b. The peak is at depth 6, but depth 5 is within one standard error of it, so the one-SE rule picks depth 5.
assert best_depth == 6 and one_se_depth == 5, "the page: peak at 6, one-SE rule picks 5"
assert val_mean[4] < val_mean[best] and val_mean[3] < threshold, "depth 5 is below the peak, depth 4 outside one SE"
# 2c. Past depth 9 validation accuracy drifts down while the gap widens.
assert val_mean[-1] < val_mean[8] - 0.02, "validation at depth 20 is well below depth 9"
assert (train_mean - val_mean)[-1] > (train_mean - val_mean)[8] + 0.05, "the gap keeps widening past depth 9"
# 3. The overfit tree: perfect on its training data at every size; its gap shrinks overall as data grows but stays wide.
sizes, tr_full, va_full = curves["fully grown tree (overfit)"]
gap_full = tr_full - va_full
assert np.all(tr_full > 0.999)
assert gap_full[-1] < gap_full[0] - 0.03, "the overfit model's gap shrinks as the training set grows"
assert gap_full[-1] > 0.1, "but it does not close"
assert 0.035 < va_full[-1] - va_full[0] < 0.045, "validation accuracy rises by about 4 points from 240 to 2,400 points"
assert sizes[half] == 1165 and 0.007 < doubling_gain < 0.02, "the last doubling still helps, by about a point on average"
assert abs(gap_full[0] - 0.21) < 0.005 and abs(gap_full[-1] - 0.17) < 0.005, "the gap narrows from 0.21 to 0.17"
# 4. The underfit stump: small gap, a low plateau, and more data barely moves it.
_, tr_stump, va_stump = curves["depth-1 stump (underfit)"]
assert tr_stump[-1] - va_stump[-1] < 0.03, "the underfit model's curves nearly meet"
assert abs(va_stump[-1] - va_stump[0]) < 0.03, "more data does not lift the underfit model"
assert val_mean[best] - va_stump[-1] > 0.1, "the stump's plateau is far below the best tree"
assert abs(va_stump[-1] - 0.70) < 0.005 and abs(oracle - 0.95) < 0.005, "the page: stump at 0.70, oracle at 0.95"
# 5. The full tree's gap at 2,400 points is mostly the tree's own excess error, not noise.
assert abs(noise_part - 0.054) < 0.0005, "even the cluster oracle misses 5.4% of the labels used"
assert 0.01 < 1 - oracle_original < 0.04, "without the relabelling the classes still overlap a little"
assert 0.29 < noise_part / gap_full[-1] < 0.37, "noise is about a third of the full tree's gap"
relabel_part, overlap_part = oracle_original - oracle, 1 - oracle_original
assert abs(relabel_part - overlap_part) < 0.01, "relabelling and class overlap contribute about equally"
assert abs(gap_full[0] - 0.21) < 0.005 and abs(gap_full[-1] - 0.17) < 0.005, "the page quotes 0.21 -> 0.17"
assert abs(va_full[-1] - 0.83) < 0.005 and abs(forest - 0.90) < 0.005, "the page quotes 0.83 and 0.90"
assert forest - va_full[-1] > 0.5 * (oracle - va_full[-1]), "averaging trees recovers most of the excess error"
assert forest - va_full[-1] > 3 * doubling_gain, "averaging 100 trees helps far more than doubling the data"
assert forest < oracle, "the forest still does not reach the oracle"
print("all checks passed:", f"best depth {best_depth}, overfit gap {gap_full[0]:.3f} -> {gap_full[-1]:.3f},",
      f"stump gap at full size {tr_stump[-1] - va_stump[-1]:.3f}, noise {noise_part:.3f}, forest {forest:.3f}")
