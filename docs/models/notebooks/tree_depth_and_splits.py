# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/decision-trees.md}
# ---

# %% [markdown]
# # Decision trees: splits by hand, depth and pruning
# We compute a split's Gini and entropy decrease by hand and check that scikit-learn picks the same threshold, then
# grow trees of increasing depth to watch validation error fall and rise again, and prune one back by cost-complexity.
# Along the way: why misclassification error is a poor splitting criterion, which outliers a tree ignores and which it
# does not, how much trees change between bootstrap samples, and what an axis-aligned boundary costs.

# %%
import itertools
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlguide.models.trees import best_split, entropy, gini, misclassification

START = time.perf_counter()

# %% [markdown]
# ## The worked example: one feature, ten examples
# The feature takes the values 1 to 10; the labels are 0, 0, 0, 1, 0, 1, 1, 1, 1, 1 (six positives). The page works
# out two candidate thresholds by hand: 3.5, which isolates the first three negatives, and 5.5, which leaves a pure
# right child of five positives. `best_split` scans every midpoint; scikit-learn's depth-1 tree must agree.

# %%
x = np.arange(1.0, 11.0)
labels = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 1])


def decrease(f, parent, left, right):
    n_l, n_r = sum(left), sum(right)
    return f(parent) - (n_l * f(left) + n_r * f(right)) / (n_l + n_r)


by_hand = {}
for name, f in (("gini", gini), ("entropy", entropy), ("misclassification", misclassification)):
    by_hand[name, 3.5] = decrease(f, [4, 6], [3, 0], [1, 6])   # counts as [negatives, positives]
    by_hand[name, 5.5] = decrease(f, [4, 6], [4, 1], [0, 5])
    print(f"{name:18s} parent {f([4, 6]):.4f} | decrease at 3.5: {by_hand[name, 3.5]:.4f}, "
          f"at 5.5: {by_hand[name, 5.5]:.4f} | best_split: {best_split(x, labels, name)}")

stumps = {c: DecisionTreeClassifier(max_depth=1, criterion=c).fit(x[:, None], labels).tree_
          for c in ("gini", "entropy")}
for c, t in stumps.items():
    print(f"scikit-learn {c:8s}: threshold {t.threshold[0]}, node impurities {np.round(t.impurity, 4)}")

# %% [markdown]
# ## Misclassification error can see no gain where there is one
# A node with 70 positives and 30 negatives splits into (40, 10) and (30, 20). Both children still predict
# "positive", so 30 of 100 examples are misclassified before and after: zero decrease. Gini and entropy, which are
# strictly concave in the class proportions, register the improvement.

# %%
parent, left, right = [30, 70], [10, 40], [20, 30]
zero_case = {name: decrease(f, parent, left, right)
             for name, f in (("gini", gini), ("entropy", entropy), ("misclassification", misclassification))}
print({k: round(v, 4) for k, v in zero_case.items()})

# %% [markdown]
# ## A categorical feature: sorting levels by their positive rate is enough
# With two classes, the best split of a categorical feature with $q$ levels into two groups is one of the $q-1$ cuts
# of the levels sorted by their share of positives (Breiman et al., 1984), not a search over all $2^{q-1}-1$
# partitions. We check it by brute force on a feature with six levels.

# %%
cat_rng = np.random.default_rng(2)
pos_counts = cat_rng.integers(2, 40, size=6)
neg_counts = cat_rng.integers(2, 40, size=6)
totals = np.c_[neg_counts, pos_counts]


def partition_gain(group):
    inside = np.isin(np.arange(6), group)
    return decrease(gini, totals.sum(0), totals[inside].sum(0), totals[~inside].sum(0))


all_partitions = [g for k in range(1, 6) for g in itertools.combinations(range(6), k) if 0 in g]
brute = max(partition_gain(g) for g in all_partitions)
order = np.argsort(pos_counts / (pos_counts + neg_counts))
ordered = max(partition_gain(order[:k]) for k in range(1, 6))
print(f"{len(all_partitions)} partitions searched: best Gini decrease {brute:.5f}; 5 ordered cuts: {ordered:.5f}")

# %% [markdown]
# ## Depth against validation error
# 3,000 examples from `make_classification` (10 features, 5 informative, `flip_y=0.1`) are split into 1,000 for
# training, 1,000 for validation and 1,000 for a final test. `flip_y=0.1` redraws each label with probability 0.1 as a
# random class, so about half of those keep their class: generating the same data unshuffled with and without it
# shows how many labels actually change. A tree of each maximum depth is grown on the training set. Training error
# falls to zero; validation error falls, then rises as the tree starts fitting the changed labels.

# %%
X, y = make_classification(n_samples=3_000, n_features=10, n_informative=5, n_redundant=2, flip_y=0.1,
                           class_sep=1.0, random_state=0)
X_train, X_rest, y_train, y_rest = train_test_split(X, y, train_size=1_000, random_state=0)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, train_size=1_000, random_state=0)
unshuffled = {f: make_classification(n_samples=3_000, n_features=10, n_informative=5, n_redundant=2, flip_y=f,
                                     class_sep=1.0, shuffle=False, random_state=0) for f in (0.0, 0.1)}
share_flipped = np.mean(unshuffled[0.0][1] != unshuffled[0.1][1])
print(f"labels actually changed by flip_y=0.1: {share_flipped:.1%}")

depths = np.arange(1, 17)
train_err, val_err, leaves = [], [], []
for d in depths:
    tree = DecisionTreeClassifier(max_depth=int(d), random_state=0).fit(X_train, y_train)
    train_err.append(1 - tree.score(X_train, y_train))
    val_err.append(1 - tree.score(X_val, y_val))
    leaves.append(tree.get_n_leaves())
train_err, val_err = np.array(train_err), np.array(val_err)
best_depth = int(depths[np.argmin(val_err)])
full = DecisionTreeClassifier(random_state=0).fit(X_train, y_train)
print(f"best depth on validation: {best_depth} ({leaves[best_depth - 1]} leaves), error {val_err.min():.3f}")
print(f"fully grown: depth {full.get_depth()}, {full.get_n_leaves()} leaves, validation error "
      f"{1 - full.score(X_val, y_val):.3f}")

# %% [markdown]
# ## Gini against entropy
# First on 1,000 random noisy nodes of 50 examples and one feature (49 candidate thresholds each). Two different
# questions: for a pair of candidate thresholds, how often do the criteria disagree on which is better? And how often
# do they choose different *best* thresholds, and how good is each one's choice by the other's measure? Then the same
# depth-4 tree grown with each criterion.

# %%
node_rng = np.random.default_rng(0)
gini_of_entropy_choice, entropy_of_gini_choice, pair_agreement = [], [], []
pair_i, pair_j = np.triu_indices(49, 1)                # every pair of the 49 candidate thresholds
for _ in range(1_000):
    xn = node_rng.normal(size=50)
    yn = (xn + node_rng.normal(scale=node_rng.uniform(0.5, 3), size=50) > node_rng.normal(scale=0.5)).astype(int)
    order = np.argsort(xn)
    cuts = xn[order][:-1] / 2 + xn[order][1:] / 2
    onehot = np.eye(2)[yn[order]]
    left_counts = np.cumsum(onehot, axis=0)[:-1]       # class counts left of each cut, one row per cut
    right_counts = onehot.sum(0) - left_counts
    n_left = np.arange(1, 50)
    gains = {c: f(onehot.sum(0)) - (n_left * f(left_counts) + (50 - n_left) * f(right_counts)) / 50
             for c, f in (("gini", gini), ("entropy", entropy))}
    pair_agreement.append(np.mean(np.sign(gains["gini"][pair_i] - gains["gini"][pair_j])
                                  == np.sign(gains["entropy"][pair_i] - gains["entropy"][pair_j])))
    (s_g, gain_g), (s_e, gain_e) = best_split(xn, yn, "gini"), best_split(xn, yn, "entropy")
    if s_g != s_e:
        gini_of_entropy_choice.append(gains["gini"][cuts == s_e][0] / gain_g)
        entropy_of_gini_choice.append(gains["entropy"][cuts == s_g][0] / gain_e)
share_differ = len(gini_of_entropy_choice) / 1_000
pair_agreement = float(np.mean(pair_agreement))
print(f"pairs of candidate thresholds ranked the same way by both: {pair_agreement:.1%}")
print(f"different best thresholds in {share_differ:.1%} of nodes; there, entropy's choice achieves a median "
      f"{np.median(gini_of_entropy_choice):.0%} of the best Gini decrease (10th percentile "
      f"{np.percentile(gini_of_entropy_choice, 10):.0%}), Gini's a median {np.median(entropy_of_gini_choice):.0%} "
      f"of the best entropy decrease (10th percentile {np.percentile(entropy_of_gini_choice, 10):.0%})")

by_criterion = {c: DecisionTreeClassifier(max_depth=4, criterion=c, random_state=0).fit(X_train, y_train)
                for c in ("gini", "entropy")}
crit_err = {c: 1 - t.score(X_val, y_val) for c, t in by_criterion.items()}
crit_disagree = np.mean(by_criterion["gini"].predict(X_val) != by_criterion["entropy"].predict(X_val))
print(f"validation error: Gini {crit_err['gini']:.3f}, entropy {crit_err['entropy']:.3f}; "
      f"they disagree on {crit_disagree:.1%} of validation examples")

# %% [markdown]
# ## Cost-complexity pruning
# Grow the full tree, then compute its weakest-link pruning sequence: `cost_complexity_pruning_path` returns the
# values of $\alpha$ at which the next subtree drops out. Refitting with each `ccp_alpha` gives the nested subtrees;
# we choose $\alpha$ by validation error (the largest $\alpha$ among ties, so the smallest tree) and report test error
# for the full, the depth-limited and the pruned tree.

# %%
path = full.cost_complexity_pruning_path(X_train, y_train)
alphas = path.ccp_alphas[:-1]                        # the last alpha prunes down to the root
pruned_train, pruned_val, pruned_leaves = [], [], []
for a in alphas:
    tree = DecisionTreeClassifier(ccp_alpha=a, random_state=0).fit(X_train, y_train)
    pruned_train.append(1 - tree.score(X_train, y_train))
    pruned_val.append(1 - tree.score(X_val, y_val))
    pruned_leaves.append(tree.get_n_leaves())
pruned_val = np.array(pruned_val)
# Several subtrees tie for the lowest validation error (the minimum is flat): take the largest alpha among them,
# the smallest of the tied trees.
val_errors = np.round(pruned_val * len(y_val)).astype(int)
tied = np.flatnonzero(val_errors == val_errors.min())
best_i = tied[-1]
best_alpha = alphas[best_i]
print(f"lowest validation error {pruned_val[best_i]:.3f}, shared by subtrees of "
      f"{sorted(int(pruned_leaves[i]) for i in tied)} leaves")
pruned = DecisionTreeClassifier(ccp_alpha=best_alpha, random_state=0).fit(X_train, y_train)
shallow = DecisionTreeClassifier(max_depth=best_depth, random_state=0).fit(X_train, y_train)
test_err = {name: 1 - m.score(X_test, y_test) for name, m in
            (("full", full), ("best depth", shallow), ("pruned", pruned),
             ("logistic regression", LogisticRegression(solver="newton-cholesky").fit(X_train, y_train)))}
print(f"{len(alphas)} subtrees; chosen alpha {best_alpha:.4f}: {pruned.get_n_leaves()} leaves, "
      f"depth {pruned.get_depth()}")
print("test error:", {k: round(v, 3) for k, v in test_err.items()})
# The leaves' total impurity (weighted by their share of examples) rises as alpha grows: the pruning path.
print(f"total leaf impurity: full tree {path.impurities[0]:.3f}, chosen subtree "
      f"{path.impurities[best_i]:.3f}, root alone {path.impurities[-1]:.3f}")

# %% tags=["figure:decision-trees-depth-and-pruning"]
fig, (ax_d, ax_p) = plt.subplots(1, 2, figsize=(8.5, 3.8))
ax_d.plot(depths, train_err, "o-", ms=3, label="training")
ax_d.plot(depths, val_err, "s-", ms=3, label="validation")
ax_d.axvline(best_depth, color="grey", ls="--", lw=0.8)
ax_d.set_xticks(depths[::3])
ax_d.set(title="Error against maximum depth", xlabel="max_depth", ylabel="misclassification rate", ylim=(0, 0.3))
ax_d.legend(fontsize=8)
ax_p.plot(pruned_leaves, pruned_train, "o-", ms=3, color="C0", label="training")
ax_p.plot(pruned_leaves, pruned_val, "s-", ms=3, color="C1", label="validation")
ax_p.axvline(pruned.get_n_leaves(), color="grey", ls="--", lw=0.8)
ax_p.set_xscale("log")
ax_p.set(title="Cost-complexity pruning path", xlabel="leaves in the pruned subtree (log scale)",
         ylabel="misclassification rate", ylim=(0, 0.3))
ax_p.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Outliers: in the inputs, harmless; in the target, not
# A regression tree of depth 2 is fitted to 40 points on a smooth curve. Moving the largest input to $10^6$ leaves
# every training prediction unchanged, because splits depend only on the order of the inputs. Changing one *target*
# to 100 changes the squared-error splits and the leaf means, and with them many predictions; leaves that predict
# the median (`criterion="absolute_error"`) are far less affected.

# %%
reg_rng = np.random.default_rng(5)
x_reg = np.sort(reg_rng.uniform(0, 10, size=40))
y_reg = np.sin(x_reg) + reg_rng.normal(scale=0.2, size=40)


def fit_predict(xs, ys, criterion="squared_error"):
    return DecisionTreeRegressor(max_depth=2, criterion=criterion).fit(xs[:, None], ys).predict(xs[:, None])


base = fit_predict(x_reg, y_reg)
x_out = x_reg.copy()
x_out[-1] = 1e6
y_out = y_reg.copy()
y_out[20] = 100.0
same_with_x_outlier = np.array_equal(fit_predict(x_out, y_reg), base)
moved_sq = np.sum(~np.isclose(np.delete(fit_predict(x_reg, y_out), 20), np.delete(base, 20)))
base_abs = fit_predict(x_reg, y_reg, "absolute_error")
moved_abs = np.sum(~np.isclose(np.delete(fit_predict(x_reg, y_out, "absolute_error"), 20), np.delete(base_abs, 20)))
print(f"input outlier: predictions identical = {same_with_x_outlier}")
print(f"target outlier: {moved_sq} of the other 39 predictions change with squared error, {moved_abs} with "
      f"absolute error")

# %% [markdown]
# ## Instability: trees on bootstrap samples disagree
# Fit pairs of trees on two bootstrap resamples of the training set and count the validation examples on which they
# disagree; do the same for logistic regression.

# %%
boot_rng = np.random.default_rng(0)
disagree = {"full tree": [], "pruned tree": [], "logistic regression": []}
for _ in range(10):
    preds = {k: [] for k in disagree}
    for _ in range(2):
        i = boot_rng.integers(0, len(y_train), size=len(y_train))
        preds["full tree"].append(DecisionTreeClassifier(random_state=0).fit(X_train[i], y_train[i]).predict(X_val))
        preds["pruned tree"].append(
            DecisionTreeClassifier(ccp_alpha=best_alpha, random_state=0).fit(X_train[i], y_train[i]).predict(X_val))
        logit = LogisticRegression(solver="newton-cholesky").fit(X_train[i], y_train[i])
        preds["logistic regression"].append(logit.predict(X_val))
    for k, (a, b) in preds.items():
        disagree[k].append(np.mean(a != b))
disagree = {k: float(np.mean(v)) for k, v in disagree.items()}
print("share of validation examples on which two bootstrap fits disagree:",
      {k: round(v, 3) for k, v in disagree.items()})

# %% [markdown]
# ## Axis-aligned boundaries
# When the classes are separated by the diagonal $x_1 > x_2$, a tree needs a staircase of many splits to
# approximate it. Give it the single feature $x_1 - x_2$ and one split suffices.

# %%
diag_rng = np.random.default_rng(1)
U = diag_rng.uniform(size=(4_000, 2))
label_diag = (U[:, 0] > U[:, 1]).astype(int)
U_train, U_test, d_train, d_test = U[:2_000], U[2_000:], label_diag[:2_000], label_diag[2_000:]
diag_err = {}
for depth in (2, 4, 6, 8):
    t = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(U_train, d_train)
    diag_err[depth] = (1 - t.score(U_test, d_test), t.get_n_leaves())
rotated = DecisionTreeClassifier(max_depth=1).fit((U_train[:, 0] - U_train[:, 1])[:, None], d_train)
rotated_err = 1 - rotated.score((U_test[:, 0] - U_test[:, 1])[:, None], d_test)
print("raw features, error (leaves) by depth:", {d: (round(e, 3), n) for d, (e, n) in diag_err.items()})
print(f"one split on x1 - x2: error {rotated_err:.4f}")

# %% [markdown]
# ## Missing values in scikit-learn
# Since version 1.3 scikit-learn's trees accept NaN: at each split they try sending the examples with a missing
# value to the left and to the right child and keep the better. Here the feature is missing far more often for
# positives, so missingness itself is informative, and the tree uses it.

# %%
miss_rng = np.random.default_rng(4)
n_miss = 2_000
y_miss = miss_rng.integers(0, 2, size=n_miss)
f_miss = y_miss + miss_rng.normal(scale=1.5, size=n_miss)
f_miss[miss_rng.random(n_miss) < np.where(y_miss == 1, 0.4, 0.05)] = np.nan
tree_nan = DecisionTreeClassifier(max_depth=3, random_state=0).fit(f_miss[:1000, None], y_miss[:1000])
acc_nan = tree_nan.score(f_miss[1000:, None], y_miss[1000:])
f_imputed = np.where(np.isnan(f_miss), np.nanmean(f_miss[:1000]), f_miss)
tree_imp = DecisionTreeClassifier(max_depth=3, random_state=0).fit(f_imputed[:1000, None], y_miss[:1000])
acc_imp = tree_imp.score(f_imputed[1000:, None], y_miss[1000:])
p_nan = tree_nan.predict_proba(np.array([[np.nan]]))[0, 1]
print(f"accuracy with NaN handled by the tree {acc_nan:.3f}, after mean imputation {acc_imp:.3f}; "
      f"P(positive | missing) = {p_nan:.2f}")

# %% [markdown]
# ## Checks
# Every number the page quotes from this notebook.

# %%
# The worked example: parent Gini 0.48; decrease 0.3086 at 3.5 and 0.32 at 5.5; entropy 0.971 bits, gains 0.557 and
# 0.610; misclassification ties at 0.30. best_split and scikit-learn both choose 5.5, with the same impurities.
assert abs(gini([4, 6]) - 0.48) < 1e-12
assert round(by_hand["gini", 3.5], 4) == 0.3086 and abs(by_hand["gini", 5.5] - 0.32) < 1e-12
assert round(entropy([4, 6]), 3) == 0.971
assert round(by_hand["entropy", 3.5], 3) == 0.557 and round(by_hand["entropy", 5.5], 3) == 0.610
assert abs(by_hand["misclassification", 3.5] - 0.3) < 1e-12 and abs(by_hand["misclassification", 5.5] - 0.3) < 1e-12
for c, t in stumps.items():
    threshold, gain = best_split(x, labels, c)
    assert threshold == t.threshold[0] == 5.5
    assert abs(gain - (t.impurity[0] - (5 * t.impurity[1] + 5 * t.impurity[2]) / 10)) < 1e-12
assert np.allclose(stumps["gini"].impurity, [0.48, 0.32, 0.0])
# Misclassification sees zero gain in the 70/30 example; Gini sees 0.02.
assert abs(zero_case["misclassification"]) < 1e-12 and abs(zero_case["gini"] - 0.02) < 1e-12
assert zero_case["entropy"] > 0
# Categorical: the best of the 5 ordered cuts equals the best of all 31 partitions.
assert len(all_partitions) == 31 and abs(brute - ordered) < 1e-12
# Depth: training error reaches 0; validation error is lowest at a middle depth (3 to 6) and the full tree's is at
# least 0.04 higher; the full tree has over 100 leaves.
assert train_err[-1] == 0 and full.get_n_leaves() > 100
assert 3 <= best_depth <= 6
assert (1 - full.score(X_val, y_val)) - val_err.min() >= 0.04
# Pruning: the lowest validation error (0.151) is shared by subtrees of 11 to 16 leaves; the largest alpha among them
# gives 11. The chosen subtree has at most 20 leaves, and both it and the best-depth tree beat the full tree on the
# untouched test set by at least 0.03. Logistic regression does about as well as the pruned tree here.
assert pruned.get_n_leaves() <= 20
assert round(pruned_val[best_i], 3) == 0.151 and sorted(int(pruned_leaves[i]) for i in tied) == [11, 12, 13, 15, 16]
assert test_err["full"] - max(test_err["pruned"], test_err["best depth"]) >= 0.03
assert abs(test_err["logistic regression"] - test_err["pruned"]) < 0.03
assert np.all(np.diff(path.impurities) >= -1e-12)
# Outliers: an input outlier changes no prediction; a target outlier changes at least 10 of the other 39 with squared
# error, and fewer with absolute error.
assert same_with_x_outlier and moved_sq >= 10 and moved_abs < moved_sq
# Instability: two bootstrap full trees disagree on over 15% of validation examples, logistic regressions on under 5%.
assert disagree["full tree"] > 0.15 and disagree["logistic regression"] < 0.05
assert disagree["full tree"] > disagree["pruned tree"] > disagree["logistic regression"]
# Axis-aligned: depth 4 still errs on over 3% of the diagonal problem; one split on x1 - x2 on under 1%.
assert diag_err[4][0] > 0.03 and rotated_err < 0.01
# Missing values: the tree uses missingness (P(positive | missing) > 0.7) and beats mean imputation.
assert p_nan > 0.7 and acc_nan > acc_imp
# Gini and entropy: in the random nodes they order 96% of pairs of candidate thresholds alike, yet choose different
# best thresholds in 22% of nodes; there each one's choice achieves a median 92% of the other's best decrease.
# Depth-4 trees are within 0.005 in validation error, disagreeing on 2.3% of examples.
assert round(pair_agreement, 2) == 0.96
assert round(share_differ, 2) == 0.22 and round(np.median(gini_of_entropy_choice), 2) == 0.92
assert round(np.median(entropy_of_gini_choice), 2) == 0.92
assert abs(crit_err["gini"] - crit_err["entropy"]) < 0.005 and round(crit_disagree, 3) == 0.023
assert (round(crit_err["gini"], 3), round(crit_err["entropy"], 3)) == (0.155, 0.158)
# The numbers the page quotes, as rounded there.
assert full.get_n_leaves() == 125 and round(1 - full.score(X_val, y_val), 2) == 0.21
assert best_depth == 4 and round(val_err.min(), 3) == 0.155
assert pruned.get_n_leaves() == 11 and round(test_err["pruned"], 3) == 0.161
assert round(test_err["full"] - test_err["pruned"], 3) == 0.060
# flip_y=0.1 changes only about half of the labels it redraws (about 10%): 4.6% here. The unshuffled draw holds the
# notebook's examples, labels included, with rows and columns in another order.
assert np.array_equal(unshuffled[0.0][0], unshuffled[0.1][0]) and round(share_flipped, 3) == 0.046


def as_rows(features, target):
    rows = np.c_[np.sort(features, axis=1), target]
    return rows[np.lexsort(rows.T[::-1])]


assert np.allclose(as_rows(*unshuffled[0.1]), as_rows(X, y))
assert (moved_sq, moved_abs) == (26, 10)
assert round(disagree["full tree"], 2) == 0.22 and round(disagree["logistic regression"], 2) == 0.03
assert round(diag_err[4][0], 2) == 0.05 and rotated_err == 0
elapsed = time.perf_counter() - START
assert elapsed < 90, f"took {elapsed:.1f} s (a guard against runaway growth, not a benchmark)"
print(f"all checks passed in {elapsed:.1f} s")
