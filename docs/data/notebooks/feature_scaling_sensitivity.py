# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/feature-scaling.md}
# ---

# %% [markdown]
# # Feature scaling: which models care, and why
# We check the guide's min-max code against scikit-learn's `MinMaxScaler`, work the page's small examples, and stretch
# one feature of the wine data to see k-NN and an RBF SVM change their answers while a decision tree's predictions
# stay identical, except in units so small or so shifted that scikit-learn's float32 storage merges values. Then we
# measure how the units of the inputs slow gradient descent on least squares, and show that unpenalized least squares
# ignores units while ridge and PCA do not.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MinMaxScaler, Normalizer, RobustScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from mlguide.data.scaling import minmax_fit, minmax_transform

# %% [markdown]
# ## The min-max code agrees with scikit-learn
# Fit on a training split of the wine data (13 chemical measurements of 178 wines from three cultivars), apply to
# the test split. Training values land in $[0, 1]$ by construction; test values need not, because the test rows were
# not used to find the minimum and maximum.

# %%
wine = load_wine()
X, y = wine.data, wine.target
names = list(wine.feature_names)
X_fit, X_new, y_fit, y_new = train_test_split(X, y, stratify=y, random_state=0, test_size=0.3)
data_min, data_range = minmax_fit(X_fit)
sk = MinMaxScaler().fit(X_fit)
train_s, test_s = minmax_transform(X_fit, data_min, data_range), minmax_transform(X_new, data_min, data_range)
outside = (test_s < 0) | (test_s > 1)
print(f"largest gap to MinMaxScaler: train {np.abs(train_s - sk.transform(X_fit)).max():.1e}, "
      f"test {np.abs(test_s - sk.transform(X_new)).max():.1e}")
print(f"test rows with a value outside [0, 1]: {outside.any(axis=1).sum()} of {len(X_new)}; "
      f"range of scaled test values {test_s.min():.3f} to {test_s.max():.3f}")

# %%
assert np.allclose(train_s, sk.transform(X_fit), atol=1e-12) and np.allclose(test_s, sk.transform(X_new), atol=1e-12)
assert train_s.min() == 0 and np.isclose(train_s.max(), 1), "training values fill [0, 1] exactly"
assert outside.any(axis=1).sum() == 8, "8 of 54 test rows have a value outside [0, 1]: new data are not clipped"
assert round(test_s.min(), 3) == -0.222 and round(test_s.max(), 3) == 1.309

# %% [markdown]
# A constant column and missing values, next to scikit-learn. The constant column has range 0, so it is divided by 1
# instead: its training value maps to 0 and a new value is only shifted. NaNs are skipped when fitting and stay NaN.

# %%
A_train = np.array([[3.0, 1.0], [3.0, np.nan], [3.0, 5.0]])
A_new = np.array([[3.0, 3.0], [4.5, np.nan]])
stats = minmax_fit(A_train)
ours = minmax_transform(A_new, *stats)
theirs = MinMaxScaler().fit(A_train).transform(A_new)
print("fitted min and range:", stats[0], stats[1])
print("ours:\n", ours, "\nscikit-learn:\n", theirs)

# %%
assert stats[0].tolist() == [3.0, 1.0] and stats[1].tolist() == [0.0, 4.0]
assert np.allclose(ours, theirs, equal_nan=True) and ours.tolist()[0] == [0.0, 0.5] and ours[1, 0] == 1.5
assert np.isnan(ours[1, 1]), "NaN in, NaN out"

# %% [markdown]
# ## The page's worked example
# One feature, five training values $(2, 4, 5, 6, 8)$: mean 5, standard deviation 2 (dividing by $n$, as
# `StandardScaler` does), median 5, quartiles 4 and 6. Then the 8 is replaced by an outlier, 98.

# %%
x = np.array([[2.0], [4.0], [5.0], [6.0], [8.0]])
x_out = np.array([[2.0], [4.0], [5.0], [6.0], [98.0]])
scalers = {"min-max": MinMaxScaler(), "standardize": StandardScaler(), "robust": RobustScaler()}
for label, data in (("clean", x), ("with outlier", x_out)):
    for name, scaler in scalers.items():
        print(f"{label:>12} {name:>11}: {np.round(scaler.fit_transform(data).ravel(), 3)}")

# %%
assert np.allclose(MinMaxScaler().fit_transform(x).ravel(), [0, 1 / 3, 1 / 2, 2 / 3, 1])
x_stats = minmax_fit(x)
assert x_stats[0].tolist() == [2.0] and x_stats[1].tolist() == [6.0], "min 2, range 6"
assert np.allclose(minmax_transform(x, *x_stats).ravel(), [0, 1 / 3, 1 / 2, 2 / 3, 1])
assert minmax_transform([[11.0]], *x_stats)[0, 0] == 1.5, "a new value 11 maps to (11 - 2) / 6 = 1.5, not clipped"
assert np.allclose(StandardScaler().fit_transform(x).ravel(), [-1.5, -0.5, 0, 0.5, 1.5])
assert np.allclose(RobustScaler().fit_transform(x).ravel(), [-1.5, -0.5, 0, 0.5, 1.5])
mm_out = MinMaxScaler().fit_transform(x_out).ravel()
z_out = StandardScaler().fit_transform(x_out).ravel()
rb_out = RobustScaler().fit_transform(x_out).ravel()
assert np.allclose(mm_out, [0, 2 / 96, 3 / 96, 4 / 96, 1]), "the outlier squeezes the other four into [0, 0.042]"
assert x_out.mean() == 23 and np.isclose(x_out.std(), np.sqrt(1408)), "mean 23, sd 37.52"
assert np.allclose(z_out[:4], [-0.560, -0.506, -0.480, -0.453], atol=5e-4)
assert round(z_out[4], 3) == 1.999 and z_out[4] < np.sqrt(len(x_out) - 1), "the outlier's z-score stays below sqrt(n-1) = 2"
assert np.allclose(rb_out, [-1.5, -0.5, 0, 0.5, 46.5]), "median and IQR ignore the outlier; it stays far out"

# %% [markdown]
# Per-sample normalization is a different operation: it rescales each *row* to unit length, so the row $(3, 4)$
# becomes $(0.6, 0.8)$ under the L2 norm and $(3/7, 4/7)$ under L1, whatever the other rows are.

# %%
assert np.allclose(Normalizer().fit_transform([[3.0, 4.0]]), [[0.6, 0.8]])
assert np.allclose(Normalizer(norm="l1").fit_transform([[3.0, 4.0]]), [[3 / 7, 4 / 7]])
assert np.allclose(Normalizer().fit_transform([[30.0, 40.0], [3.0, 4.0]]), [[0.6, 0.8]] * 2), "magnitude is gone"

# %% [markdown]
# ## Four scalers side by side
# 200 points with two independent features in different units (means 5 and 100, standard deviations 1 and 20), plus
# one point whose feature 2 is 30 standard deviations out. Each panel plots the 200 ordinary points with equal units
# on both axes, which is how a Euclidean distance sees them; the outlier is off the panels except in the last. A
# column scaler is an increasing affine map per feature, so it cannot change the cloud's shape within a feature, only
# how much each feature counts against the other: the ratio of their interquartile ranges, 1 for a round cloud.

# %%
rng = np.random.default_rng(0)
P = np.column_stack([rng.normal(5.0, 1.0, size=200), rng.normal(100.0, 20.0, size=200)])
P = np.vstack([P, [[5.0, 700.0]]])
transforms = {
    "min-max": MinMaxScaler().fit_transform(P),
    "standardize": StandardScaler().fit_transform(P),
    "robust (median, IQR)": RobustScaler().fit_transform(P),
    "unit L2 norm per row": Normalizer().fit_transform(P),
}


def iqr(v):
    q1, q3 = np.percentile(v, [25, 75])
    return q3 - q1


weight_ratio = {k: iqr(T[:-1, 1]) / iqr(T[:-1, 0]) for k, T in transforms.items()}
print("IQR of feature 2 over IQR of feature 1, ordinary points:", {k: round(v, 2) for k, v in weight_ratio.items()})
print("outlier after robust scaling:", np.round(transforms["robust (median, IQR)"][-1], 1))

# %% tags=["figure:feature-scaling-four-scalers"]
fig, axes = plt.subplots(1, 4, figsize=(10, 2.9))
for ax, (title, T) in zip(axes, transforms.items()):
    bulk = T[:-1]
    if title.startswith("unit"):
        t = np.linspace(0, np.pi / 2, 100)
        ax.plot(np.cos(t), np.sin(t), color="grey", linewidth=0.8)
        ax.scatter(T[:, 0], T[:, 1], s=6, alpha=0.6)
        ax.scatter(T[-1, 0], T[-1, 1], s=40, marker="x", color="C3", label="outlier")
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=7, loc="lower left")
    else:
        ax.scatter(bulk[:, 0], bulk[:, 1], s=6, alpha=0.6)
        centre, half = (bulk.max(axis=0) + bulk.min(axis=0)) / 2, 0.55 * np.ptp(bulk, axis=0).max()
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
    ax.set_aspect("equal")
    subtitle = "every row on the unit circle" if title.startswith("unit") else f"IQR ratio {weight_ratio[title]:.2f}"
    ax.set_title(f"{title}\n{subtitle}", fontsize=9)
    ax.set_xlabel("feature 1", fontsize=8)
    ax.tick_params(labelsize=7)
axes[0].set_ylabel("feature 2", fontsize=8)
fig.tight_layout()

# %%
assert [round(weight_ratio[k], 2) for k in ("min-max", "standardize", "robust (median, IQR)")] == [0.14, 0.44, 0.99]
assert 0.9 < weight_ratio["robust (median, IQR)"] < 1.1, "robust: both features count about equally"
assert weight_ratio["min-max"] < 0.25, "min-max: the outlier shrinks feature 2 to under a quarter of feature 1"
assert weight_ratio["min-max"] < weight_ratio["standardize"] < 0.6, "standardizing: the outlier inflates the sd"
assert transforms["robust (median, IQR)"][-1, 1] > 20, "robust scaling does not pull the outlier in"
assert np.allclose(np.linalg.norm(transforms["unit L2 norm per row"], axis=1), 1), "every row has length 1"
assert transforms["unit L2 norm per row"][:, 1].min() > 0.98, "on raw rows the direction is set by feature 2's units"

# %% [markdown]
# ## The range grows with the sample
# Min-max scaling divides by the sample range, an extreme-value statistic. For normal data its expected value is
# 5.02 standard deviations at $n = 100$ and 7.70 at $n = 10{,}000$ (integrating $1 - \Phi(x)^n - (1 - \Phi(x))^n$
# over $x$), so the same value lands at a different place in $[0, 1]$ depending on how much data the scaler saw. The
# standard deviation does not drift with $n$.

# %%
rng = np.random.default_rng(1)
mean_range = {n: np.mean([np.ptp(rng.standard_normal(n)) for _ in range(reps)])
              for n, reps in ((100, 2000), (10_000, 200))}
print({n: round(r, 2) for n, r in mean_range.items()})

# %%
assert abs(mean_range[100] - 5.015) < 0.05 and abs(mean_range[10_000] - 7.703) < 0.08

# %% [markdown]
# ## Stretch one feature: k-NN and an RBF SVM change, a tree does not
# Five-fold cross-validation on the wine data. In each fold we standardize with the training part's statistics, then
# multiply one feature, proline, by a factor $c$ from $10^{-2}$ to $10^{3}$. That is exactly a change of the
# feature's units. The SVM is scikit-learn's default `SVC()`, whose kernel parameter (an inverse squared width)
# $\gamma = 1/(p\,\mathrm{Var}(X))$ ($p = 13$ features, the variance taken over all entries of the training matrix) is
# recomputed on the stretched data, as anyone running it would get. The tree is fitted with a fixed `random_state`.
#
# In raw units proline's standard deviation is 314, while the other twelve range from 0.12 to 14, so the raw data
# resemble the right end of the sweep.

# %%
j = names.index("proline")
factors = 10.0 ** np.arange(-2, 3.01, 0.5)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
folds = list(cv.split(X, y))
models = {
    "5-NN": lambda: KNeighborsClassifier(n_neighbors=5),
    "RBF SVM": lambda: SVC(),  # gamma="scale"
    "decision tree": lambda: DecisionTreeClassifier(random_state=0),
}


def cv_predictions(make_model, transform):
    """Out-of-fold predictions, each fold scaled with its own training part, then passed through `transform`."""
    pred = np.empty_like(y)
    for tr, te in folds:
        scaler = StandardScaler().fit(X[tr])
        model = make_model().fit(transform(scaler.transform(X[tr])), y[tr])
        pred[te] = model.predict(transform(scaler.transform(X[te])))
    return pred


def stretch(c):
    w = np.ones(X.shape[1])
    w[j] = c
    return lambda Z: Z * w


preds = {name: [cv_predictions(make, stretch(c)) for c in factors] for name, make in models.items()}
acc = {name: np.array([np.mean(p == y) for p in ps]) for name, ps in preds.items()}
i1 = int(np.flatnonzero(factors == 1)[0])
for name, a in acc.items():
    print(f"{name:>13}: " + " ".join(f"{v:.3f}" for v in a))

# raw, unscaled features for comparison
raw_acc = {}
for name, make in models.items():
    pred = np.empty_like(y)
    for tr, te in folds:
        pred[te] = make().fit(X[tr], y[tr]).predict(X[te])
    raw_acc[name] = np.mean(pred == y)
print("raw units:", {k: round(v, 3) for k, v in raw_acc.items()})
print(f"sd of proline {X[:, j].std():.0f}; other sds {np.delete(X.std(axis=0), j).min():.2f} to "
      f"{np.delete(X.std(axis=0), j).max():.1f}")

# what proline alone achieves (standardized), and the SVM with gamma held at 1/13, its value on standardized data
proline_only = {name: np.mean(cv_predictions(models[name], lambda Z: Z[:, [j]]) == y) for name in ("5-NN", "RBF SVM")}
fixed_svm = lambda: SVC(gamma=1 / 13)
fixed_pred = np.empty_like(y)
for tr, te in folds:
    fixed_pred[te] = fixed_svm().fit(X[tr], y[tr]).predict(X[te])
fixed_acc = {"raw units": np.mean(fixed_pred == y), "x1000": np.mean(cv_predictions(fixed_svm, stretch(1000)) == y)}
Z1000 = stretch(1000)(StandardScaler().fit_transform(X))
off_diag = ~np.eye(len(X), dtype=bool)
sq = ((Z1000[:, None, :] - Z1000[None, :, :]) ** 2).sum(-1)[off_diag]
sq_raw = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)[off_diag]
small = {"raw units": np.mean(np.exp(-sq_raw / 13) < 1e-3), "x1000": np.mean(np.exp(-sq / 13) < 1e-3)}
print("proline alone:", {k: round(v, 3) for k, v in proline_only.items()},
      "| SVM with gamma = 1/13:", {k: round(v, 3) for k, v in fixed_acc.items()},
      f"| x1000: median squared distance {np.median(sq):.1e}, "
      f"kernel value exp(-d2/13) = {np.exp(-np.median(sq) / 13):.0f}",
      "| share of kernel values below 1e-3:", {k: round(v, 4) for k, v in small.items()})

# %%
assert all(np.array_equal(p, preds["decision tree"][0]) for p in preds["decision tree"]), \
    "the tree's out-of-fold predictions are identical at every factor"
assert round(acc["5-NN"][i1], 3) == 0.961 and round(acc["5-NN"][-1], 3) == 0.669
assert round(acc["RBF SVM"][i1], 3) == 0.983 and round(acc["RBF SVM"][-1], 3) == 0.730
assert round(proline_only["5-NN"], 3) == 0.646 and round(proline_only["RBF SVM"], 3) == 0.730
assert acc["RBF SVM"][-1] == proline_only["RBF SVM"] and acc["5-NN"][-1] < 0.7, \
    "stretched 1000-fold, proline swamps the distances: the SVM does exactly as well as on proline alone"
assert round(acc["decision tree"][0], 3) == 0.927 and raw_acc["decision tree"] == acc["decision tree"][0]
assert round(raw_acc["5-NN"], 3) == 0.663 and round(raw_acc["RBF SVM"], 3) == 0.657
# gamma held at 1/13: nearly every kernel value between distinct points is about 0, so the SVM collapses below
# proline alone
assert round(fixed_acc["raw units"], 3) == 0.438 and round(fixed_acc["x1000"], 3) == 0.562
assert all(v > 0.99 for v in small.values()), "over 99% of kernel values are below 1e-3, raw and at x1000"
assert np.median(np.exp(-sq / 13)) < 1e-100
assert round(X[:, j].std()) == 314
other_sd = np.delete(X.std(axis=0), j)
assert round(other_sd.min(), 2) == 0.12 and round(other_sd.max()) == 14

# %% [markdown]
# ## Gradient descent on least squares, in three sets of units
# The diabetes data (442 patients, ten features in their original units, such as age in years and blood pressure in
# mm Hg, and six blood serum measurements s1 to s6) with an intercept column. Gradient descent on half the mean
# squared error, $\frac{1}{2n}\lVert y - Aw\rVert^2$, step $1/L$ with $L$ the largest eigenvalue of the Hessian
# $A^\top A/n$, from $w = 0$. The worst direction's parameter error shrinks by a factor $1 - 1/\kappa$ per step, with
# $\kappa$ the Hessian's condition number, so a factor $\varepsilon$ takes at most about $\kappa\ln(1/\varepsilon)$
# steps. The loss gap is quadratic in the error and shrinks by $(1 - 1/\kappa)^2$ along that direction, and how long
# it takes depends on how much of the starting gap lies there.

# %%
Xd, yd = load_diabetes(return_X_y=True, scaled=False)
designs = {
    "raw units": Xd,
    "min-max": MinMaxScaler().fit_transform(Xd),
    "standardized": StandardScaler().fit_transform(Xd),
}
steps = 2000
gaps, kappas = {}, {}
for name, Z in designs.items():
    A = np.column_stack([np.ones(len(Z)), Z])
    H = A.T @ A / len(A)
    eig = np.linalg.eigvalsh(H)
    L, kappas[name] = eig[-1], eig[-1] / eig[0]
    w_star = np.linalg.lstsq(A, yd, rcond=None)[0]
    f_star = 0.5 * np.mean((yd - A @ w_star) ** 2)
    w, gap = np.zeros(A.shape[1]), []
    for _ in range(steps + 1):
        r = A @ w - yd
        gap.append(0.5 * np.mean(r**2) - f_star)
        w -= (A.T @ r / len(A)) / L
    gaps[name] = np.array(gap) / gap[0]
    if name == "standardized":  # share of the starting gap along the slowest eigenvector of H
        lam, V = np.linalg.eigh(H)
        parts = lam * (V.T @ w_star) ** 2
        slow_share = parts[0] / parts.sum()
    print(f"{name:>12}: kappa = {kappas[name]:.3g}, loss gap after {steps} steps = {gaps[name][-1]:.1e} of the start")
hit = int(np.argmax(gaps["standardized"] < 1e-6))
print("standardized reaches 1e-6 of the starting gap at step", hit)
predicted = kappas["standardized"] / 2 * np.log(slow_share / 1e-6)
print(f"slowest direction carries {slow_share:.1e} of the starting gap; (kappa/2) ln(share/1e-6) = {predicted:.0f} "
      f"steps; worst cases: kappa ln(1e6) = {kappas['standardized'] * np.log(1e6):.0f} for the parameter error, "
      f"half that for the loss gap")
scaled_uncentred = np.column_stack([np.ones(len(Xd)), Xd / Xd.std(axis=0)])
kappa_uncentred = np.linalg.cond(scaled_uncentred.T @ scaled_uncentred)
corr_eig = np.linalg.eigvalsh(np.corrcoef(Xd.T))
print(f"divided by the sd but not centred: kappa = {kappa_uncentred:.3g}; "
      f"correlation matrix eigenvalues {corr_eig.min():.4f} to {corr_eig.max():.2f}")

# %%
assert f"{kappas['raw units']:.2g}" == "5.2e+07" and f"{kappas['min-max']:.2g}" == "1.3e+04"
assert round(kappas["standardized"]) == 470
assert np.isclose(kappas["standardized"], corr_eig.max() / corr_eig.min()), \
    "standardized: kappa is the correlation matrix's, since the intercept's eigenvalue 1 lies between its extremes"
assert round(np.corrcoef(Xd[:, 4], Xd[:, 5])[0, 1], 2) == 0.90, "s1 and s2 correlate 0.90: scaling cannot remove that"
assert f"{kappa_uncentred:.2g}" == "2.5e+05", "scaling without centring leaves the intercept badly conditioned"
assert f"{gaps['raw units'][-1]:.1e}" == "2.0e-02" and f"{gaps['min-max'][-1]:.1e}" == "5.6e-04", "still far off"
assert hit == 1585 and gaps["standardized"][-1] < 2e-7
assert f"{slow_share:.1e}" == "8.5e-04" and abs(predicted - hit) < 3, "little of the gap starts in the slow direction"
assert hit < kappas["standardized"] / 2 * np.log(1e6) < kappas["standardized"] * np.log(1e6)

# %% [markdown]
# ## The key figure

# %% tags=["figure:feature-scaling-sensitivity"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
for (name, a), marker in zip(acc.items(), "os^"):
    ax1.plot(factors, a, marker=marker, label=name)
ax1.axvline(1, color="grey", linestyle=":", linewidth=1)
ax1.text(1.15, 0.5, "c = 1: standardized", fontsize=8, color="grey", transform=ax1.get_xaxis_transform())
ax1.set_xscale("log")
ax1.set_xlabel("factor c on proline (after standardizing)")
ax1.set_ylabel("5-fold CV accuracy")
ax1.set_title("Wine: stretching one feature", fontsize=10)
ax1.legend(fontsize=8, loc="lower left")
for name in designs:
    ax2.plot(np.arange(steps + 1), gaps[name], label=f"{name} (κ = {kappas[name]:.2g})")
ax2.set_yscale("log")
ax2.set_xlabel("gradient-descent step (step size 1/L)")
ax2.set_ylabel("loss gap / starting gap")
ax2.set_title("Diabetes least squares: units slow descent", fontsize=10)
ax2.legend(fontsize=8, loc="lower left")
fig.tight_layout()

# %% [markdown]
# ## Why the tree is unchanged, and where its invariance stops
# A split asks "is $x_j \le t$?". An increasing map $g$ of a feature keeps the order of its values, so the same
# partitions of the training rows are on offer, with the same impurities: the tree's structure is the same. The
# threshold, though, is placed at the midpoint between two neighbouring training values $a < b$ *in the units the tree
# sees*. An affine map sends midpoints to midpoints, so in exact arithmetic predictions on new data are identical too.
# The logarithm does not: its threshold $(\log a + \log b)/2$ is $\log\sqrt{ab}$, so a test value between the
# geometric mean $\sqrt{ab}$ and the arithmetic mean $(a + b)/2$ takes the other branch.
#
# scikit-learn does not compute exactly. It stores features as float32 (about 7 significant digits), and its splitter
# treats two values within `FEATURE_THRESHOLD` $= 10^{-7}$ (absolute) of each other as tied, offering no split
# between them. A map that shrinks the gaps between values below $10^{-7}$, or a shift that pushes them below the
# float32 spacing (0.0625 near $10^6$; most wine values are recorded to 0.01), merges values and removes splits.
#
# Over 20 random train/test splits we compare a tree on raw features with trees on transforms of every feature: a
# power-of-two scale (exact in floating point), a general affine map (random scales from $10^{-3}$ to $10^{3}$ and
# shifts), the logarithm, and two ordinary changes of units that go wrong: $\times 10^{-6}$ (milligrams to
# kilograms) and $+10^{6}$.

# %%
changed = {"power of two": [], "general affine": [], "log": [], "x 1e-6": [], "+ 1e6": []}
trees_changed = {"x 1e-6": 0, "+ 1e6": 0}
n_test = ties = merged_cols = 0  # merged_cols: affine-mapped training columns with fewer distinct float32 values
rng = np.random.default_rng(2)


def on_threshold(tree, x):
    """True if x lies on one of its path's thresholds, up to float32 rounding (scikit-learn stores X as float32)."""
    path = tree.decision_path(x[None, :]).indices
    feats, thr = tree.tree_.feature[path], tree.tree_.threshold[path]
    inner = feats >= 0
    return bool(np.any(np.abs(x[feats[inner]] - thr[inner]) <= 1e-6 * np.maximum(1, np.abs(thr[inner]))))


def between_means(base, log_tree, x):
    """True if, at a node on x's raw path, x lies between sqrt(ab) and (a + b) / 2."""
    path = base.decision_path(x[None, :]).indices
    inner = base.tree_.feature[path] >= 0
    nodes = path[inner]
    xv = x.astype(np.float32)[base.tree_.feature[nodes]]  # compared as scikit-learn does, in float32
    return bool(np.any((np.exp(log_tree.tree_.threshold[nodes]) < xv) & (xv <= base.tree_.threshold[nodes])))


for seed in range(20):
    Xtr, Xte, ytr, _ = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    pow2 = 2.0 ** rng.integers(-10, 11, size=X.shape[1])
    scale, shift = 10.0 ** rng.uniform(-3, 3, size=X.shape[1]), rng.normal(scale=100, size=X.shape[1])
    base = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr)
    maps = {"power of two": lambda Z: Z * pow2, "general affine": lambda Z: Z * scale + shift, "log": np.log,
            "x 1e-6": lambda Z: Z * 1e-6, "+ 1e6": lambda Z: Z + 1e6}
    for name, g in maps.items():
        tree = DecisionTreeClassifier(random_state=0).fit(g(Xtr), ytr)
        if name in trees_changed:  # not invariant in float32: count what changes
            same = (tree.tree_.node_count == base.tree_.node_count
                    and np.array_equal(tree.apply(g(Xtr)), base.apply(Xtr)))
            trees_changed[name] += not same
            changed[name] += [(seed, int(i)) for i in np.flatnonzero(tree.predict(g(Xte)) != base.predict(Xte))]
            continue
        assert np.array_equal(tree.tree_.feature, base.tree_.feature), "same features at the same nodes"
        assert np.array_equal(tree.apply(g(Xtr)), base.apply(Xtr)), "same partition of the training rows"
        flipped = np.flatnonzero(tree.predict(g(Xte)) != base.predict(Xte))
        if name == "general affine":
            assert all(on_threshold(base, Xte[i]) for i in flipped), "affine flips are rounding at a tie"
            n_distinct = lambda Z: [len(np.unique(c)) for c in Z.astype(np.float32).T]
            merged_cols += sum(a > b for a, b in zip(n_distinct(Xtr), n_distinct(g(Xtr))))
        if name == "log":
            assert all(between_means(base, tree, Xte[i]) for i in flipped), "log flips sit between the two means"
        changed[name] += [(seed, int(i)) for i in flipped]
    ties += sum(on_threshold(base, x_) for x_ in Xte)
    n_test += len(Xte)
print({k: len(v) for k, v in changed.items()}, "test predictions changed, of", n_test)
print("test points lying exactly on a threshold of their path:", ties)
print("splits (of 20) where the tree itself changed:", trees_changed)
print("affine-mapped training columns (of 260) that lost distinct float32 values:", merged_cols)
hue = names.index("hue")  # recorded to 0.001-0.01, so x 1e-6 puts most gaps below 1e-7
hue_leaves = [DecisionTreeClassifier(random_state=0).fit(X[:, [hue]] * c, y).get_n_leaves() for c in (1, 1e-6)]
print(f"a tree on hue alone: {hue_leaves[0]} leaves, {hue_leaves[1]} after x 1e-6; float32 spacing near 1e6 "
      f"{np.spacing(np.float32(1e6))}, near 1.7e9 (a Unix time in seconds) {np.spacing(np.float32(1.7e9))}")

# %%
assert len(changed["power of two"]) == 0, "an exact rescaling changes no prediction"
assert len(changed["general affine"]) == 0 and merged_cols == 2, \
    "nor did these random affine maps, although in 2 of 260 columns the shift merged float32 values"
assert ties == 3, "3 test values sit exactly on a threshold (midway between two training values); none flipped here"
assert len(changed["log"]) == 4, "a log transform keeps the training partition but moves 4 of 1,080 predictions"
assert (len(changed["x 1e-6"]), len(changed["+ 1e6"])) == (67, 49), "tiny or shifted units merge values in float32"
assert trees_changed == {"x 1e-6": 19, "+ 1e6": 13}, "and change the tree in most splits"
assert hue_leaves == [52, 2], "hue x 1e-6: almost every gap is below FEATURE_THRESHOLD"
assert np.spacing(np.float32(1e6)) == 0.0625 and np.spacing(np.float32(1.7e9)) == 128

# %% [markdown]
# Those ties can flip. Two training values, 1.27 (class 0) and 1.29 (class 1), give the threshold 1.28, and a test
# value of exactly 1.28 goes left. Multiply everything by 10 and, after scikit-learn's float32 rounding, the test
# value 12.8 lands just above the threshold and goes right.

# %%
tie_train, tie_labels, tie_test = np.array([[1.27], [1.29]]), np.array([0, 1]), np.array([[1.28]])
tie_raw = DecisionTreeClassifier().fit(tie_train, tie_labels).predict(tie_test)[0]
tie_x10 = DecisionTreeClassifier().fit(10 * tie_train, tie_labels).predict(10 * tie_test)[0]
print(f"class of the tied test value: raw units {tie_raw}, times 10 {tie_x10}")

# %%
assert (tie_raw, tie_x10) == (0, 1), "a test value exactly on a threshold can switch branch through rounding"

# %% [markdown]
# ## Least squares ignores units; ridge and PCA do not
# Rescale body-mass index (standardized) by 0.01, as if it were recorded in other units. Ordinary least squares
# divides its coefficient by 0.01 and returns the same fitted values. Ridge penalizes the new, 100 times larger
# coefficient 10,000 times more in the old units, and shrinks it almost to nothing.

# %%
Zd = StandardScaler().fit_transform(Xd)
Zd_units = Zd.copy()
k = 2  # body-mass index
Zd_units[:, k] *= 0.01
ols_a, ols_b = LinearRegression().fit(Zd, yd), LinearRegression().fit(Zd_units, yd)
ridge_a, ridge_b = Ridge(alpha=20).fit(Zd, yd), Ridge(alpha=20).fit(Zd_units, yd)
ols_gap = np.abs(ols_a.predict(Zd) - ols_b.predict(Zd_units)).max()
ridge_gap = np.abs(ridge_a.predict(Zd) - ridge_b.predict(Zd_units)).max()
bmi_effect = {"OLS": (ols_a.coef_[k], ols_b.coef_[k] * 0.01), "ridge": (ridge_a.coef_[k], ridge_b.coef_[k] * 0.01)}
print(f"largest change in fitted values: OLS {ols_gap:.1e}, ridge {ridge_gap:.1f}")
print("effect of one sd of BMI, before and after the change of units:",
      {k_: tuple(round(v, 2) for v in t) for k_, t in bmi_effect.items()})

pca_raw = PCA().fit(X)
pca_std = PCA().fit(StandardScaler().fit_transform(X))
print(f"PCA on raw wine: PC1 explains {pca_raw.explained_variance_ratio_[0]:.4f} of the variance, "
      f"proline's loading {abs(pca_raw.components_[0, j]):.4f}; standardized: {pca_std.explained_variance_ratio_[0]:.3f}")

# %%
assert ols_gap < 1e-8, "OLS: identical fitted values"
assert np.isclose(*bmi_effect["OLS"]), "OLS: the same effect per sd of BMI"
assert ridge_gap > 50, "ridge: the fitted values move by over 50 progression points"
assert round(bmi_effect["ridge"][0], 1) == 24.2 and round(bmi_effect["ridge"][1], 2) == 0.04, "ridge: BMI's effect nearly vanishes"
assert round(pca_raw.explained_variance_ratio_[0], 3) == 0.998 and round(abs(pca_raw.components_[0, j]), 4) == 0.9998, \
    "raw PCA finds proline"
assert round(pca_std.explained_variance_ratio_[0], 3) == 0.362
