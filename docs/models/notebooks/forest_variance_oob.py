# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/ensembles.md}
# ---

# %% [markdown]
# # Why a random forest's variance stops falling, and what its out-of-bag error is worth
# We train many random forests on independent training sets, measure how much single trees and whole forests vary,
# and check the variance of an average of $B$ correlated trees, $\rho\sigma^2 + (1-\rho)\sigma^2/B$, against it. Then we
# compare a forest's out-of-bag error with the error on a held-out set and on a large fresh sample.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import RandomForestRegressor

from mlguide.models.ensembles import variance_components

START = time.perf_counter()

# %% [markdown]
# ## The set-up
# Friedman's first benchmark: ten uniform features on $[0, 1]$, of which only five matter,
# $f(x) = 10\sin(\pi x_1 x_2) + 20(x_3 - 0.5)^2 + 10x_4 + 5x_5$, and $y = f(x) + \varepsilon$ with
# $\varepsilon \sim N(0, 1)$. Each training set has 150 rows. We draw 12 training sets, grow a forest of 40 fully
# grown trees on each, and record every tree's prediction at 60 fixed test inputs. `max_features` is the fraction of
# the ten features a split may choose from: 1.0 is plain bagging, 0.3 is three features (the $p/3$ rule for
# regression), 0.1 a single random feature per split.

# %%
N_TRAIN, N_SETS, N_TREES = 150, 12, 40
SETTINGS = {"1.0 (bagging)": 1.0, "0.3": 0.3, "0.1": 0.1}
X_test, f_test = make_friedman1(n_samples=60, noise=0.0, random_state=1000)   # noise 0: y is f(x)

tree_preds, noise_splits = {}, {}
for name, max_features in SETTINGS.items():
    T = np.empty((N_SETS, N_TREES, len(X_test)))
    share, weighted, root = [], [], []     # splits on the noise features x6..x10 (indices 5..9)
    for r in range(N_SETS):
        X, y = make_friedman1(n_samples=N_TRAIN, noise=1.0, random_state=r)
        forest = RandomForestRegressor(n_estimators=N_TREES, max_features=max_features, random_state=r).fit(X, y)
        T[r] = [tree.predict(X_test) for tree in forest.estimators_]
        for tree in forest.estimators_:
            inner = tree.tree_.feature >= 0
            feat, size = tree.tree_.feature[inner], tree.tree_.weighted_n_node_samples[inner]
            share.append(np.mean(feat >= 5))
            weighted.append(size[feat >= 5].sum() / size.sum())
            root.append(tree.tree_.feature[0] >= 5)
    tree_preds[name] = T
    noise_splits[name] = dict(all=np.mean(share), weighted=np.mean(weighted), root=np.mean(root))
    print(f"max_features {name:14s} splits on noise: {noise_splits[name]['all']:.1%} of all, "
          f"{noise_splits[name]['weighted']:.1%} weighted by node size, {noise_splits[name]['root']:.0%} of roots")

# %% [markdown]
# ## Estimate $\sigma^2$ and $\rho$ from half the trees, test the formula on the other half
# `variance_components` splits the spread of single-tree predictions into the part shared by the trees of one forest
# (it comes from the training set, $\rho\sigma^2$) and the part each tree adds by its own bootstrap sample and feature
# draws, $(1-\rho)\sigma^2$. We estimate both from the first 20 trees of every forest; the formula then predicts the
# variance, across training sets, of a forest made of $B$ of the *other* 20 trees, which we measure directly (for
# $B = 5$, say, the 20 trees make four 5-tree forests per training set, and we average their four variances).

# %%
SIZES = np.array([1, 2, 4, 5, 10, 20])
table = {}
for name, T in tree_preds.items():
    sigma2, rho = variance_components(T[:, :20])
    held = T[:, 20:]
    measured = np.array([held.reshape(N_SETS, 20 // b, b, -1).mean(axis=2).var(axis=0, ddof=1).mean()
                         for b in SIZES])
    predicted = rho * sigma2 + (1 - rho) * sigma2 / SIZES
    forest_full = T.mean(axis=1)                                # the full 40-tree forests
    var_full = forest_full.var(axis=0, ddof=1).mean()
    # the mean of 12 forests still varies by var_full / 12; subtract it so bias2 estimates the squared bias
    bias2 = np.mean((forest_full.mean(axis=0) - f_test) ** 2) - var_full / N_SETS
    table[name] = dict(sigma2=sigma2, rho=rho, floor=rho * sigma2, measured=measured, predicted=predicted,
                       bias2=bias2, var_full=var_full)
    print(f"max_features {name:14s} sigma^2 = {sigma2:5.2f}  rho = {rho:.3f}  floor rho*sigma^2 = {rho * sigma2:.2f}  "
          f"bias^2 = {bias2:.2f}  variance of 40-tree forest = {table[name]['var_full']:.2f}")
    print("   B:", SIZES, "\n   measured: ", measured.round(2), "\n   predicted:", predicted.round(2))

# %% tags=["figure:ensembles-forest-variance"]
fig, ax = plt.subplots(figsize=(7, 4))
for (name, row), colour in zip(table.items(), ["C0", "C1", "C2"]):
    b = np.linspace(1, 20, 200)
    ax.plot(b, row["rho"] * row["sigma2"] + (1 - row["rho"]) * row["sigma2"] / b, color=colour,
            label=f"max_features {name}: $\\rho$ = {row['rho']:.2f}")
    ax.plot(SIZES, row["measured"], "o", color=colour)
    ax.axhline(row["floor"], color=colour, linestyle=":", linewidth=1)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(SIZES, [str(s) for s in SIZES])
ax.set_xlabel("trees in the forest, B")
ax.set_ylabel("variance of the forest's prediction")
ax.set_title("Lines: $\\rho\\sigma^2 + (1-\\rho)\\sigma^2/B$; dots: measured; dotted: the floor $\\rho\\sigma^2$")
ax.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# The formula tracks the measured variance to within 9% at every size. Fewer candidate features make the trees less
# correlated but individually noisier: $\rho$ falls and $\sigma^2$ rises. By 20 trees over 90% of the reducible part
# $(1-\rho)\sigma^2$ is gone, and what remains is close to the floor $\rho\sigma^2$ that no number of trees removes.
# Squared bias rises as the candidate features shrink, because the large, early splits land on useless features.
# The raw share of splits on noise says little: fully grown trees on 150 rows spend their small, deep nodes fitting
# noise whatever `max_features` is, so even bagging makes about 45% of its splits on a noise feature. What changes is
# where: with one candidate, half the root splits and half the splitting weighted by node size use a noise feature,
# while bagging never splits its root on one (the regime of ESL §15.3.4). Here that bias outweighs the variance saved, and
# plain bagging has the lowest squared bias plus variance; on other data the balance tips the other way, which is
# why `max_features` is tuned.

# %%
worst = 0.0
for name, row in table.items():
    rel = np.abs(row["measured"] / row["predicted"] - 1)
    worst = max(worst, rel.max())
    assert rel.max() < 0.12, f"{name}: formula off by {rel.max():.1%}"
print(f"largest gap between formula and measurement: {worst:.1%}")
rhos = [row["rho"] for row in table.values()]
sigmas = [row["sigma2"] for row in table.values()]
floors = [row["floor"] for row in table.values()]
assert rhos[0] > rhos[1] > rhos[2], "fewer candidate features, less correlated trees"
assert sigmas[0] < sigmas[1] < sigmas[2], "...but each tree varies more"
assert floors[0] > 1.5 * floors[1], "the floor rho*sigma^2 of bagging is well above that of max_features 0.3"
bias = [row["bias2"] for row in table.values()]
assert bias[0] < bias[1] < bias[2], "squared bias grows as max_features shrinks"
total = {name: row["bias2"] + row["var_full"] for name, row in table.items()}
print("bias^2 + variance of 40-tree forests:", {k: round(v, 2) for k, v in total.items()})
assert min(total, key=total.get) == "1.0 (bagging)", "on these data the decorrelation does not pay for its bias"
ns_bag, ns_one = noise_splits["1.0 (bagging)"], noise_splits["0.1"]
assert 0.40 < ns_bag["all"] < 0.50 and ns_one["all"] < ns_bag["all"] + 0.08, "raw shares barely differ"
assert ns_bag["root"] == 0 and 0.40 < ns_one["root"] < 0.60, "bagging never splits its root on noise; m = 1 about half"
assert 0.40 < ns_one["weighted"] < 0.60 and ns_one["weighted"] > 1.5 * ns_bag["weighted"], "by node size, about half"
for row in table.values():
    reducible = (1 - row["rho"]) * row["sigma2"]
    assert row["measured"][-1] - row["floor"] < 0.1 * reducible, "20 trees remove over 90% of the reducible part"

# %% [markdown]
# ## Bootstrap samples hold about 63% of the rows
# A bootstrap sample draws $n$ rows with replacement, so a given row is missed with probability
# $(1 - 1/n)^n \approx e^{-1} \approx 0.368$. The rows a tree never saw are its out-of-bag rows; row $i$'s
# out-of-bag prediction averages only the trees that did not see it, about 37% of them.
#
# On 10 independent data sets of 500 rows we train a 100-tree forest (`max_features=0.3`) on the first 400 rows and
# estimate its error twice: by its OOB error, computed from those 400 training rows, and on the 100 held-out rows.
# Both are scored against the error of the same forest on 4,000 fresh rows, which stands in for its true error. From
# the in-bag masks we also compute the OOB error of every smaller forest made of the first trees, and average these
# curves over the data sets.

# %%
N_DATA, N_FOREST = 10, 100
sizes = np.arange(1, N_FOREST + 1)
rows, oob_curves, true_curves, unique_share, first_covered = [], [], [], [], []
for s in range(N_DATA):
    X, y = make_friedman1(n_samples=500, noise=1.0, random_state=200 + s)
    X_fit, y_fit, X_hold, y_hold = X[:400], y[:400], X[400:], y[400:]
    X_fresh, y_fresh = make_friedman1(n_samples=4_000, noise=1.0, random_state=500 + s)
    forest = RandomForestRegressor(n_estimators=N_FOREST, max_features=0.3, oob_score=(s == 0), random_state=s)
    forest.fit(X_fit, y_fit)
    in_bag = np.zeros((N_FOREST, len(y_fit)), dtype=bool)
    for t, drawn in enumerate(forest.estimators_samples_):
        in_bag[t, drawn] = True
    unique_share.append(in_bag.mean(axis=1))
    oob = ~in_bag
    cum_pred = np.cumsum(np.where(oob, [tree.predict(X_fit) for tree in forest.estimators_], 0.0), axis=0)
    cum_count = np.cumsum(oob, axis=0)
    if s == 0:
        assert np.allclose(forest.oob_prediction_, cum_pred[-1] / cum_count[-1]), "same as scikit-learn's OOB"
    covered = cum_count.min(axis=1) > 0                # every row has at least one out-of-bag tree
    first_covered.append(sizes[covered][0])
    oob_curves.append(np.where(covered, np.mean((y_fit - cum_pred / np.maximum(cum_count, 1)) ** 2, axis=1), np.nan))
    fresh_mean = np.cumsum([tree.predict(X_fresh) for tree in forest.estimators_], axis=0) / sizes[:, None]
    true_curves.append(np.mean((y_fresh - fresh_mean) ** 2, axis=1))
    rows.append([oob_curves[-1][-1], np.mean((y_hold - forest.predict(X_hold)) ** 2), true_curves[-1][-1]])
oob_est, hold_est, truth = np.array(rows).T
oob_gap, hold_gap = oob_est - truth, hold_est - truth
oob_mse, true_mse = np.mean(oob_curves, axis=0), np.mean(true_curves, axis=0)    # NaN until all are covered
unique_share = np.concatenate(unique_share)

print(f"unique rows per bootstrap sample: mean {unique_share.mean():.4f}, "
      f"theory 1 - (1 - 1/400)^400 = {1 - (1 - 1 / 400) ** 400:.4f}")
print(f"first forest size at which every row has an OOB prediction: {min(first_covered)} to {max(first_covered)}")
for b in (20, 50, 100):
    print(f"{b:3d} trees: OOB MSE {oob_mse[b - 1]:.2f}, fresh-data MSE {true_mse[b - 1]:.2f} (mean of {N_DATA})")
print(f"OOB:      mean error of the estimate {oob_gap.mean():+.3f}, mean |error| {np.abs(oob_gap).mean():.3f}")
print(f"held-out: mean error of the estimate {hold_gap.mean():+.3f} (standard error "
      f"{hold_gap.std(ddof=1) / np.sqrt(N_DATA):.3f}), mean |error| {np.abs(hold_gap).mean():.3f}")
print(f"true MSE, mean over data sets: {truth.mean():.3f}")

# %% tags=["figure:ensembles-oob-vs-holdout"]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
left.plot(sizes, oob_mse, label="out-of-bag MSE")
left.plot(sizes, true_mse, label="MSE on 4,000 fresh rows")
left.set_xscale("log")
left.set_xlabel("trees in the forest")
left.set_ylabel("mean squared error")
left.set_title(f"Forests grown tree by tree (mean of {N_DATA})")
left.legend(frameon=False)
values = np.concatenate([oob_est, hold_est, truth])
lim = [values.min() * 0.9, values.max() * 1.05]
right.plot(lim, lim, color="grey", linewidth=1)
right.plot(truth, oob_est, "o", label="out-of-bag (400 training rows)")
right.plot(truth, hold_est, "s", label="100 held-out rows")
right.set_xlabel("true MSE of that forest")
right.set_ylabel("estimated MSE")
right.set_title(f"{N_DATA} data sets")
right.legend(frameon=False, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# With few trees a row's OOB prediction averages only a handful of trees, so the OOB error overstates the error of
# the whole forest; by 100 trees the gap is small. The held-out estimate is unbiased by construction, but 100 rows
# make it noisy: its mean miss over 10 data sets, -0.34 with a standard error of 0.27, is no sign of bias. The OOB
# estimate averages over 400 rows, misses by less than half as much, and needs no rows set aside.

# %%
assert abs(unique_share.mean() - (1 - (1 - 1 / 400) ** 400)) < 0.002, "about 63.2% unique rows"
assert min(first_covered) > 5, "with very few trees some rows have no out-of-bag prediction at all"
assert oob_mse[19] - true_mse[19] > 3 * (oob_mse[-1] - true_mse[-1]) > 0, "OOB is pessimistic, less so as trees grow"
assert abs(oob_gap.mean()) < 0.05 * truth.mean(), "at 100 trees OOB is within 5% of the true error on average"
assert abs(hold_gap.mean()) < 2 * hold_gap.std(ddof=1) / np.sqrt(N_DATA), "held-out: no significant bias, just noise"
assert np.abs(oob_gap).mean() < 0.5 * np.abs(hold_gap).mean(), "OOB misses by under half as much as held-out"

# %%
ELAPSED = time.perf_counter() - START
print(f"ran in {ELAPSED:.1f} s")
