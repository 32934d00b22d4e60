# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/feature-selection.md}
# ---

# %% [markdown]
# # Feature importance: impurity versus permutation, correlated copies, and unstable selections
# A random forest's built-in impurity importance ranks two pure-noise features above a genuinely useful binary one,
# while permutation importance on held-out rows puts them at zero. Then a near-copy of the strongest feature shares its
# importance under both measures, and bootstrap resamples show how unstable a lasso's chosen set is.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from mlguide.data.selection import mutual_information, permutation_importance

START = time.perf_counter()

# %% [markdown]
# ## The data
# 1,000 rows, a binary label and six features. Three carry signal through a logistic model,
# $\mathrm{logit}\,P(y=1) = 2a + b + 2(c - \tfrac12)$: two standard-normal features $a$ and $b$ and a fair coin $c$
# (`signal_bin`). Three are pure noise, independent of everything: a standard normal (`noise_cont`), an ID-like code
# drawn uniformly from 500 integers (`noise_id`, 318 distinct values among the training rows), and a fair coin
# (`noise_bin`). The three noise features differ only in how many distinct values they take. The first 500 rows
# train the model, the last 500 are held out.

# %%
rng = np.random.default_rng(0)
n = 1000
signal_a, signal_b = rng.normal(size=n), rng.normal(size=n)
signal_bin = rng.integers(0, 2, size=n)
noise_cont, noise_id, noise_bin = rng.normal(size=n), rng.integers(0, n // 2, size=n), rng.integers(0, 2, size=n)
copy_a = signal_a + 0.1 * rng.normal(size=n)          # used in the second part
logit = 2.0 * signal_a + 1.0 * signal_b + 2.0 * (signal_bin - 0.5)
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)

names = ["signal_a", "signal_b", "signal_bin", "noise_cont", "noise_id", "noise_bin"]
idx = {name: j for j, name in enumerate(names)}
X = np.column_stack([signal_a, signal_b, signal_bin, noise_cont, noise_id, noise_bin]).astype(float)
train, test = np.arange(n) < n // 2, np.arange(n) >= n // 2
print("distinct values per feature:", dict(zip(names, [len(np.unique(col)) for col in X[train].T])))

# %% [markdown]
# ## Impurity importance (MDI) against permutation importance
# A forest of 50 fully grown trees (scikit-learn's defaults otherwise). `feature_importances_` is the mean decrease in
# Gini impurity, each split weighted by the share of the tree's (bootstrap) training rows that reach it.
# `permutation_importance`, from this guide's code and giving the same numbers as scikit-learn's, shuffles one column
# at a time, five times, and records the drop in accuracy; we run it on the held-out rows and, for contrast, on the
# training rows.

# %%
forest = RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1).fit(X[train], y[train])
mdi = forest.feature_importances_
perm_test = permutation_importance(forest.score, X[test], y[test], n_repeats=5, random_state=0)
perm_train = permutation_importance(forest.score, X[train], y[train], n_repeats=5, random_state=0)
train_acc, test_acc = forest.score(X[train], y[train]), forest.score(X[test], y[test])
print(f"accuracy: training {train_acc:.3f}, held out {test_acc:.3f}")
print(f"{'feature':11s} {'MDI':>6s} {'perm. held out':>17s} {'perm. training':>15s}")
for name, m, pt_, ps_, pr_ in zip(names, mdi, perm_test.mean(1), perm_test.std(1), perm_train.mean(1)):
    print(f"{name:11s} {m:6.3f} {pt_:+9.4f} ± {ps_:.4f} {pr_:+15.4f}")

# %% tags=["figure:feature-selection-mdi-vs-permutation"]
order = np.argsort(mdi)
colors = ["C0" if name.startswith("signal") else "0.6" for name in names]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
left.barh(np.arange(6), mdi[order], color=[colors[i] for i in order])
left.set_yticks(np.arange(6), [names[i] for i in order])
left.set_xlabel("mean decrease in impurity (sums to 1)")
left.set_title("Impurity importance, training rows")
right.barh(np.arange(6), perm_test.mean(1)[order], xerr=perm_test.std(1)[order],
           color=[colors[i] for i in order], label="held-out rows (sd over 5 shuffles)")
right.scatter(perm_train.mean(1)[order], np.arange(6), marker="D", color="black", zorder=3,
              label="training rows")
right.axvline(0, color="black", linewidth=0.8)
right.set_xlabel("drop in accuracy when shuffled")
right.set_title("Permutation importance")
right.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The forest memorises its training rows (training accuracy 0.998), and a fully grown tree can always find *some* cut
# on a feature with hundreds of distinct values that purifies a small node. Those cuts are credited to `noise_cont`
# and `noise_id`, so MDI ranks both above `signal_bin`, the fair coin that shifts the log-odds by 2. The noise coin,
# with a single possible cut, gets almost nothing. Shuffling on held-out rows asks the honest question, "does the
# model need this column to predict new rows?", and all three noise features score about zero, while `signal_bin`
# comes second. Permutation importance on the *training* rows inherits the memorisation: every noise feature gets a
# clearly positive score there.
#
# `signal_b` and `signal_bin` add the same variance to the log-odds ($\mathrm{Var}(b) = 1$ and
# $\mathrm{Var}(2(c - \tfrac12)) = 1$), yet MDI ranks `signal_b` about three times above the coin while held-out
# permutation importance ranks the coin above `signal_b`. Neither is "the true importance": each describes how this
# forest uses its features, measured in a different way.
#
# The plug-in mutual information of the raw columns with the label, a filter score, shows the same cardinality bias:
# the 318-level noise code looks far more informative than the noise coin, and about 14 times more than the useful
# coin.

# %%
mi = {name: mutual_information(X[train, j], y[train]) for j, name in enumerate(names)}
print({name: round(value, 4) for name, value in mi.items()})

# %% [markdown]
# (`signal_a`, `signal_b` and `noise_cont` are continuous, so every training row has its own value and their plug-in
# score is the label entropy, about $\log 2 \approx 0.69$ nats, for all three; continuous features need binning or a
# nearest-neighbour estimator such as scikit-learn's `mutual_info_classif`.)
#
# ## A correlated copy shares the importance
# Add `copy_a` $= a + 0.1\,\varepsilon$ (correlation 0.995 with $a$) and refit the same forest. Each tree can now split
# on either copy, and whichever column is shuffled, the model still reads the other one.

# %%
X2 = np.column_stack([X, copy_a])
forest2 = RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1).fit(X2[train], y[train])
mdi2 = forest2.feature_importances_
perm2 = permutation_importance(forest2.score, X2[test], y[test], n_repeats=5, random_state=0,
                               groups=[[0], [6], [0, 6]]).mean(1)
copy_corr = np.corrcoef(signal_a, copy_a)[0, 1]
print(f"correlation of copy with signal_a: {copy_corr:.3f}")
print(f"held-out accuracy: without copy {test_acc:.3f}, with {forest2.score(X2[test], y[test]):.3f}")
print(f"MDI   signal_a alone {mdi[0]:.3f} | with copy: signal_a {mdi2[0]:.3f}, copy_a {mdi2[6]:.3f}, "
      f"sum {mdi2[0] + mdi2[6]:.3f}")
print(f"perm. signal_a alone {perm_test.mean(1)[0]:.3f} | with copy: signal_a {perm2[0]:.3f}, "
      f"copy_a {perm2[1]:.3f}, both shuffled together {perm2[2]:.3f}")

# %% tags=["figure:feature-selection-correlated-copy"]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
labels = ["signal_a,\nno copy", "signal_a,\nwith copy", "copy_a", "pair\ntogether"]
left.bar(labels, [mdi[0], mdi2[0], mdi2[6], mdi2[0] + mdi2[6]], color=["C0", "C1", "C1", "C2"])
left.set_ylabel("mean decrease in impurity")
left.set_title("Impurity importance (pair: the sum)")
right.bar(labels, [perm_test.mean(1)[0], perm2[0], perm2[1], perm2[2]], color=["C0", "C1", "C1", "C2"])
right.set_ylabel("drop in held-out accuracy")
right.set_title("Permutation importance (pair: shuffled jointly)")
for ax in (left, right):
    ax.tick_params(axis="x", labelsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Neither measure is wrong here; they answer different questions. MDI shares the credit between the copies (and,
# because the pair wins more of the random feature draws at each split, their sum exceeds the original's score).
# Permutation importance of either copy alone drops to about half, because the model can fall back on the other.
# Shuffling the pair together, one permutation applied to both columns, restores the group's full importance.
#
# ## How stable is a selected set?
# An L1-penalised logistic regression on the 30 standardised breast-cancer features (many of them strongly
# correlated: radius, perimeter and area measure nearly the same thing), refitted on 50 bootstrap resamples. A
# feature's selection frequency is the share of resamples in which its coefficient is non-zero. (We standardise once
# on all rows for brevity: this step uses no labels, and only the selection pattern is studied here.)

# %%
X_bc, y_bc = load_breast_cancer(return_X_y=True)
bc_names = list(load_breast_cancer().feature_names)
X_bc = StandardScaler().fit_transform(X_bc)
boot = np.random.default_rng(1)
selected = []
for _ in range(50):
    rows = boot.integers(0, len(y_bc), size=len(y_bc))
    lasso_logit = LogisticRegression(l1_ratio=1.0, C=0.2, solver="liblinear", random_state=0)
    selected.append(lasso_logit.fit(X_bc[rows], y_bc[rows]).coef_.ravel() != 0)
selected = np.array(selected)
frequency = selected.mean(axis=0)
sizes = selected.sum(axis=1)
pairs = [(i, j) for i in range(len(selected)) for j in range(i)]
jaccard = np.mean([(selected[i] & selected[j]).sum() / (selected[i] | selected[j]).sum() for i, j in pairs])
always, sometimes = (frequency >= 0.95).sum(), ((frequency > 0.1) & (frequency < 0.9)).sum()
print(f"features kept per resample: {sizes.min()} to {sizes.max()}, mean {sizes.mean():.1f}")
print(f"kept in at least 95% of resamples: {always}; in between 10% and 90%: {sometimes};",
      f"never: {(frequency == 0).sum()}")
print(f"mean Jaccard similarity of two resamples' selected sets: {jaccard:.2f}")
size_trio = [bc_names.index(f"worst {m}") for m in ("radius", "perimeter", "area")]
trio_corr = np.corrcoef(X_bc[:, size_trio].T)[np.triu_indices(3, 1)]
print("correlations of worst radius, perimeter, area:", np.round(trio_corr, 3))
print("their selection frequencies:", frequency[size_trio], "; share of resamples keeping at least one:",
      selected[:, size_trio].any(axis=1).mean())

# %%
shown = np.argsort(frequency)[::-1][:16]
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.bar(np.arange(len(shown)), frequency[shown], color=["C0" if frequency[i] >= 0.95 else "C1" for i in shown],
       hatch=["//" if i in size_trio else "" for i in shown])
ax.set_xticks(np.arange(len(shown)), [bc_names[i] for i in shown], rotation=60, ha="right", fontsize=7)
ax.axhline(0.95, color="black", linestyle="--", linewidth=0.8)
ax.set_ylabel("share of 50 bootstrap fits")
ax.set_title("How often an L1 logistic regression keeps each feature (hatched: the three size measures)",
             fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# Three features survive nearly every resample; most of the others come and go, and among the three near-identical
# size measures the lasso picks whichever the resample happens to favour, never dropping all three.
#
# ## Checks
# Every number and claim the guide's page makes about this notebook.

# %%
pt, pr = perm_test.mean(1), perm_train.mean(1)
noise = [idx["noise_cont"], idx["noise_id"], idx["noise_bin"]]
# the data: the ID-like code has 318 distinct values among the 500 training rows
assert len(np.unique(X[train, idx["noise_id"]])) == 318
# the forest memorises the training rows: training accuracy 0.998, held out 0.764
assert round(train_acc, 3) == 0.998 and round(test_acc, 3) == 0.764
# MDI ranks both many-valued noise features (0.14 each) above the useful coin (0.063); the noise coin gets 0.016,
# so cardinality, not usefulness, separates the noise features
assert mdi[idx["noise_cont"]] > mdi[idx["signal_bin"]] and mdi[idx["noise_id"]] > mdi[idx["signal_bin"]]
assert round(mdi[idx["noise_cont"]], 2) == 0.14 and round(mdi[idx["noise_id"]], 2) == 0.14
assert round(mdi[idx["signal_bin"]], 3) == 0.063 and round(mdi[idx["noise_bin"]], 3) == 0.016
assert mdi[idx["noise_cont"]] > 5 * mdi[idx["noise_bin"]]
# held-out permutation importance: every noise feature within 0.005 of zero, the useful coin second (0.058)
assert all(abs(pt[j]) < 0.005 for j in noise)
assert min(pt[:3]) > max(pt[noise]) + 0.01, "every signal feature beats every noise feature"
assert np.argsort(-pt)[1] == idx["signal_bin"] and round(pt[idx["signal_bin"]], 3) == 0.058
# permutation on the training rows credits the noise: 0.02 to 0.07
assert all(0.02 <= pr[j] < 0.075 for j in noise)
# plug-in mutual information: the noise code 0.40 nats, 14 times the useful coin's 0.029; the noise coin under 0.001
assert round(mi["noise_id"], 2) == 0.40 and mi["noise_bin"] < 0.001 < mi["signal_bin"] < mi["noise_id"]
assert round(mi["signal_bin"], 3) == 0.029 and round(mi["noise_id"] / mi["signal_bin"]) == 14
assert all(abs(mi[k] - np.log(2)) < 0.01 for k in ("signal_a", "signal_b", "noise_cont")), "distinct values: H(Y)"
# signal_b and the useful coin add equal log-odds variance (1 each, by construction; near 1 in the sample), yet MDI
# ranks signal_b three times higher and held-out permutation importance ranks the coin higher (0.058 against 0.022)
assert abs(np.var(signal_b) - 1) < 0.1 and abs(np.var(2 * (signal_bin - 0.5)) - 1) < 0.1
assert round(mdi[idx["signal_b"]] / mdi[idx["signal_bin"]]) == 3
assert pt[idx["signal_bin"]] > pt[idx["signal_b"]] and round(pt[idx["signal_b"]], 3) == 0.022
# the correlated copy (correlation 0.995)
assert round(copy_corr, 3) == 0.995
# MDI: 0.45 alone, 0.28 and 0.29 with the copy; the pair's sum, 0.57, exceeds the original
assert round(mdi[0], 2) == 0.45 and round(mdi2[0], 2) == 0.28 and round(mdi2[6], 2) == 0.29
assert mdi2[0] + mdi2[6] > mdi[0] and round(mdi2[0] + mdi2[6], 2) == 0.57
# permutation: 0.186 alone, 0.083 and 0.097 (each about half) with the copy, 0.222 shuffled together
assert round(pt[0], 3) == 0.186 and round(perm2[0], 3) == 0.083 and round(perm2[1], 3) == 0.097
assert all(0.4 < v / pt[0] < 0.6 for v in perm2[:2]), "each copy alone keeps about half"
assert round(perm2[2], 3) == 0.222 and perm2[2] > pt[0], "shuffled together, the pair recovers it"
# stability of the lasso's selection over 50 bootstraps
assert len(selected) == 50 and sizes.min() == 7 and sizes.max() == 13
assert always == 3 and sometimes == 8, "3 features kept in at least 95% of resamples, 8 in 10% to 90%"
assert round(jaccard, 2) == 0.66, "mean Jaccard overlap 0.66"
assert 0.975 < trio_corr.min() and trio_corr.max() < 0.995, "worst radius, perimeter, area: correlations 0.98-0.99"
assert np.allclose(frequency[size_trio], [0.92, 0.32, 0.62]) and selected[:, size_trio].any(axis=1).all()
print(f"all checks passed in {time.perf_counter() - START:.1f} s")
