# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/overfitting-underfitting.md}
# ---

# %% [markdown]
# # Learning and validation curves for decision trees
# We diagnose underfitting and overfitting on one synthetic classification problem by plotting training and
# cross-validated accuracy, first against tree depth (a validation curve) and then against training-set size for a
# too-simple and a too-flexible tree (learning curves).

# %% [markdown]
# ## The data and the folds
# A synthetic binary problem with 3,000 points and 8 features, 5 of them informative. `flip_y=0.05` relabels a random
# 5% of the points, so no model can be perfect on new data: that label noise is exactly what an overfit tree memorises.
# Every curve below uses the same five shuffled folds, built with `k_fold_indices` from the guide's `mlguide.splits`
# module and passed to scikit-learn as an explicit list of (train, test) index pairs.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import learning_curve, validation_curve
from sklearn.tree import DecisionTreeClassifier

from mlguide.splits import k_fold_indices

X, y = make_classification(
    n_samples=3000, n_features=8, n_informative=5, n_redundant=1, n_clusters_per_class=3,
    flip_y=0.05, class_sep=1.0, random_state=1,
)
folds = list(k_fold_indices(len(y), 5, shuffle=True, seed=0))
print(X.shape, "class balance:", np.bincount(y), "fold sizes:", [len(test) for _, test in folds])

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
val_std = val_scores.std(axis=1)
best = int(np.argmax(val_mean))
best_depth = int(depths[best])
print("train accuracy by depth:     ", np.round(train_mean, 3))
print("validation accuracy by depth:", np.round(val_mean, 3))
print(f"best depth {best_depth}: validation {val_mean[best]:.3f}; deepest tree (depth {depths[-1]}): {val_mean[-1]:.3f}")

# %% [markdown]
# The training curve climbs towards 1 as the tree deepens, while the validation curve rises, peaks, then sags: to the
# left of the peak the tree underfits (both scores low and close), to the right it overfits (the gap widens while
# validation accuracy falls).

# %% tags=["figure:overfitting-validation-curve"]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(depths, train_mean, "o-", label="training folds")
ax.plot(depths, val_mean, "s-", label="held-out fold (5-fold CV)")
ax.fill_between(depths, val_mean - val_std, val_mean + val_std, alpha=0.2, color="C1", label="CV mean ± 1 sd over folds")
ax.axvline(best_depth, color="grey", linestyle="--", linewidth=1)
ax.text(best_depth + 0.3, 0.72, f"best depth = {best_depth}", color="grey")
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
fig.suptitle("Learning curves: more data narrows the overfit tree's gap, not the stump's ceiling")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks
# The claims the guide's page makes about these curves.

# %%
# 1. Training accuracy never decreases as the depth limit grows.
assert np.all(np.diff(train_mean) >= -1e-9), "training score should increase with complexity"
assert train_mean[-1] > 0.99, "the deepest tree nearly memorises its training folds"
# 2. Validation accuracy peaks at an intermediate depth, clearly above both ends.
assert 1 < best_depth < depths[-1], "the best depth is neither the simplest nor the most complex"
assert val_mean[best] - val_mean[0] > 0.05 and val_mean[best] - val_mean[-1] > 0.01
# 3. The overfit tree: perfect on its training data at every size, and its gap shrinks as data grows.
sizes, tr_full, va_full = curves["fully grown tree (overfit)"]
gap_full = tr_full - va_full
assert np.all(tr_full > 0.999)
assert gap_full[-1] < gap_full[0], "the overfit model's gap shrinks as the training set grows"
assert gap_full[-1] > 0.1, "but it does not close: the pure leaves memorise the label noise"
assert va_full[-1] > va_full[0]
# 4. The underfit stump: small gap, a low plateau, and more data barely moves it.
_, tr_stump, va_stump = curves["depth-1 stump (underfit)"]
assert tr_stump[-1] - va_stump[-1] < 0.03, "the underfit model's curves nearly meet"
assert abs(va_stump[-1] - va_stump[0]) < 0.03, "more data does not lift the underfit model"
assert val_mean[best] - va_stump[-1] > 0.1, "the stump's plateau is far below the best tree"
print("all checks passed:", f"best depth {best_depth}, overfit gap {gap_full[0]:.3f} -> {gap_full[-1]:.3f},",
      f"stump gap at full size {tr_stump[-1] - va_stump[-1]:.3f}")
