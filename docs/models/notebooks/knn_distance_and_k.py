# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/k-nearest-neighbors.md}
# ---

# %% [markdown]
# # k-nearest neighbours: distances in high dimension, and choosing k
# We watch pairwise distances concentrate as the dimension of uniformly scattered points grows, and check the rate
# against a formula, then choose $k$ for a k-NN classifier by cross-validation and look at training, validation and
# test error. Along the way we check the guide's distance and k-NN code against SciPy and scikit-learn, and show what
# feature scaling, irrelevant features and the expanded distance formula do.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.spatial.distance import cdist
from sklearn.datasets import load_wine, make_moons
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlguide.models.distance import euclidean_distance, expanded_squared_distances, knn_predict, pairwise_euclidean

# %% [markdown]
# ## The code agrees with the libraries
# `euclidean_distance` works from the coordinate differences; `pairwise_euclidean` computes all pairs at once from
# $\lVert x\rVert^2 - 2x\cdot y + \lVert y\rVert^2$, one matrix product, and clips at zero before the square root.

# %%
rng = np.random.default_rng(0)
A, B = rng.normal(size=(40, 6)), rng.normal(size=(30, 6))
print("worked example, (1, 2, 3) to (4, 6, 3):", euclidean_distance([1, 2, 3], [4, 6, 3]))
print("largest gap to SciPy's cdist:", np.abs(pairwise_euclidean(A, B) - cdist(A, B)).max())
assert euclidean_distance([1, 2, 3], [4, 6, 3]) == 5.0
assert np.allclose(pairwise_euclidean(A, B), cdist(A, B), atol=1e-12)
assert np.allclose(pairwise_euclidean(A, B), euclidean_distances(A, B), atol=1e-12)
assert np.isclose(pairwise_euclidean(A, B)[3, 7], euclidean_distance(A[3], B[7]))

# %% [markdown]
# ## The expanded form cancels
# Far from the origin the three terms of the expansion are huge and nearly cancel, so rounding error swamps the
# answer. Two points on a line, $10^8 + 1$ and $10^8$, are 1 apart; doubles near $10^{16}$ are spaced 2 apart, so
# $(10^8+1)^2 = 10^{16} + 2\cdot10^8 + 1$ loses its final 1, and the expansion returns 0. For five points within
# $10^{-3}$ of $(10^4, 10^4, 10^4)$ a point's squared distance to itself comes out negative, about $-1.2\cdot10^{-7}$,
# whose square root would be NaN, and the distances between distinct points, though positive, are over 10% off.
# Subtracting the mean first (distances do not change under translation) makes the expansion accurate again.

# %%
a, b = np.array([[1e8 + 1.0]]), np.array([[1e8]])
expanded_1d = expanded_squared_distances(a, b)[0, 0]
C = 1e4 + np.random.default_rng(0).normal(scale=1e-3, size=(5, 3))
raw = expanded_squared_distances(C, C)
exact = cdist(C, C)
off = ~np.eye(5, dtype=bool)
rel_err = np.abs(pairwise_euclidean(C, C) - exact)[off] / exact[off]
rel_err_centred = np.abs(pairwise_euclidean(C - C.mean(0), C - C.mean(0)) - exact)[off] / exact[off]
print(f"1-D: expansion {expanded_1d}, cdist {cdist(a, b)[0, 0]}, scikit-learn {euclidean_distances(a, b)[0, 0]}")
print(f"5 close points: smallest raw squared distance {raw.min():.2e}; "
      f"worst relative error {rel_err.max():.0%} clipped, {rel_err_centred.max():.0e} after centring")

# %%
assert expanded_1d == 0.0 and cdist(a, b)[0, 0] == 1.0, "the expansion loses a distance of 1 at 1e8"
assert euclidean_distances(a, b)[0, 0] == 0.0, "scikit-learn's euclidean_distances uses the same expansion"
assert raw.min() < 0, "squared distances come out negative ..."
assert np.diag(raw).min() < 0 and raw[off].min() > 0, "... here on the diagonal (a point against itself) ..."
assert round(raw.min(), 8) == -1.2e-7, "... at -1.2e-7"
assert np.all(pairwise_euclidean(C, C) >= 0), "... and the clip keeps the square roots real"
assert rel_err.max() > 0.1, "the clipped distances are still off by more than 10%"
assert rel_err_centred.max() < 1e-6, "centring first fixes them"

# %% [markdown]
# ## Distances concentrate as the dimension grows
# For each dimension $d$ we scatter 1,000 points uniformly in the unit cube $[0, 1]^d$ and measure their distances
# from 100 more uniform query points. Two summaries: the ratio of the nearest to the farthest distance, per query
# and averaged over the queries, and the relative spread (standard deviation over mean) of all 100,000 distances.
#
# The rate has a formula. For independent uniform coordinates the difference $x_j - y_j$ has a triangular density,
# with $\mathbb E[(x_j - y_j)^2] = 1/6$ and $\mathbb E[(x_j - y_j)^4] = 1/15$, so the squared distance has mean $d/6$
# and variance $d(1/15 - 1/36) = 7d/180$. Its relative spread is $\sqrt{7d/180}/(d/6) = \sqrt{1.4/d}$, and the
# distance itself, its square root, has about half that: $\approx 0.59/\sqrt d$.

# %%
dims = np.array([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
ratio, spread, mean_over_sqrt = [], [], []
for d in dims:
    points, queries = rng.random((1000, d)), rng.random((100, d))
    D = pairwise_euclidean(queries, points)
    ratio.append(np.mean(D.min(axis=1) / D.max(axis=1)))
    spread.append(D.std() / D.mean())
    mean_over_sqrt.append(D.mean() / np.sqrt(d / 6))
ratio, spread, mean_over_sqrt = map(np.array, (ratio, spread, mean_over_sqrt))
for d, r, s in zip(dims, ratio, spread):
    print(f"d = {d:4d}: nearest/farthest {r:.3f}, sd/mean {s:.3f}, sd/mean x sqrt(d) {s * np.sqrt(d):.2f}")

# %%
assert np.all(np.diff(ratio) > 0), "the nearest/farthest ratio rises with every step in dimension"
assert np.all(np.diff(spread) < 0), "the relative spread of distances falls with every step"
assert ratio[dims == 2][0] < 0.02 and round(ratio[dims == 1000][0], 2) == 0.89, "from under 0.02 at d = 2 to 0.89 at 1000"
assert np.allclose(spread[dims >= 50] * np.sqrt(dims[dims >= 50]), 0.59, rtol=0.03), "spread ~ 0.59 / sqrt(d)"
assert np.all(spread[dims < 50] * np.sqrt(dims[dims < 50]) > 0.6), "... from d = 50; below, the spread is larger"
assert np.allclose(mean_over_sqrt[dims >= 50], 1, atol=0.01), "typical distance ~ sqrt(d / 6)"

# %% [markdown]
# ## Choosing k by cross-validation
# Two interleaved half-moons with noise, 500 points: 350 to choose and fit the model, 150 held back as a test set.
# On the 350 we run 5-fold cross-validation for every odd $k$ from 1 to 201. One sort per fold serves every $k$:
# order each validation point's training neighbours by distance once, and the votes of the first $k$ are a running
# sum over that order. The vote is binary, so an odd $k$ cannot tie; a tie would go to the smaller label, as in
# `knn_predict` and scikit-learn, and we check both on a few $k$.

# %%
X, y = make_moons(n_samples=500, noise=0.35, random_state=0)
train_idx, test_idx = train_test_split(np.arange(len(y)), test_size=150, random_state=0, stratify=y)
X_train, y_train, X_test, y_test = X[train_idx], y[train_idx], X[test_idx], y[test_idx]
ks = np.arange(1, 202, 2)


def errors_for_every_k(X_fit, y_fit, X_eval, y_eval, ks):
    """Error rate of the k-NN majority vote on (X_eval, y_eval) for every k in ks, from one sort."""
    order = np.argsort(pairwise_euclidean(X_eval, X_fit), axis=1, kind="stable")
    ones = np.cumsum(y_fit[order] == 1, axis=1)           # label-1 votes among the first k neighbours
    votes_1 = ones[:, ks - 1]
    predicted = (votes_1 > ks - votes_1).astype(int)      # a tie would go to label 0, the smaller one
    return (predicted != y_eval[:, None]).mean(axis=0)


folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X_train, y_train))
val_err = np.array([errors_for_every_k(X_train[tr], y_train[tr], X_train[va], y_train[va], ks) for tr, va in folds])
train_err = errors_for_every_k(X_train, y_train, X_train, y_train, ks)
cv_mean = val_err.mean(axis=0)
cv_se = val_err.std(axis=0, ddof=1) / np.sqrt(len(folds))
best = int(np.argmin(cv_mean))
k_best = int(ks[best])
k_1se = int(ks[cv_mean <= cv_mean[best] + cv_se[best]].max())   # largest k within one SE: the smoothest
test_err = {k: float(np.mean(knn_predict(X_train, y_train, X_test, k=k) != y_test)) for k in (1, k_best, k_1se, 201)}
print(f"training error at k = 1: {train_err[0]:.3f}; CV error at k = 1: {cv_mean[0]:.3f}")
print(f"CV minimum at k = {k_best} ({cv_mean[best]:.3f} +/- {cv_se[best]:.3f}); one-SE rule: k = {k_1se}")
print(f"CV error at k = 201: {cv_mean[-1]:.3f}")
print("test error:", {k: round(e, 3) for k, e in test_err.items()})

# %%
for k in (1, 7, k_best, 201):                   # the running-sum shortcut is the ordinary k-NN vote
    tr, va = folds[0]
    ours = knn_predict(X_train[tr], y_train[tr], X_train[va], k=k)
    ref = KNeighborsClassifier(n_neighbors=k).fit(X_train[tr], y_train[tr]).predict(X_train[va])
    assert np.array_equal(ours, ref), f"knn_predict matches scikit-learn at k = {k}"
    assert np.isclose(np.mean(ours != y_train[va]), val_err[0, ks == k][0]), "and the shortcut"
assert train_err[0] == 0.0, "1-NN has zero training error: each point is its own nearest neighbour"
assert 0.045 < cv_mean[0] - cv_mean[best] < 0.055, "k = 1 overfits: its CV error is about 5 points above the minimum"
assert cv_mean[-1] > cv_mean[best] + 0.08, "k = 201 underfits: over 8 points above the minimum"
assert k_best == 53 and k_1se == 87, "CV picks k = 53; the one-SE rule k = 87"
assert test_err[1] > test_err[k_best] and test_err[201] > test_err[k_best], "on the test set too, both extremes lose"
assert np.allclose([test_err[k] for k in (1, k_best, k_1se, 201)], [28 / 150, 21 / 150, 20 / 150, 33 / 150]), \
    "test errors 0.187, 0.140, 0.133 and 0.220"

# %% tags=["figure:knn-concentration-and-k"]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
ax = axes[0]
ax.plot(dims, ratio, "o-", label="nearest / farthest distance")
ax.plot(dims, spread, "s-", label="sd / mean of distances")
ax.plot(dims, 0.59 / np.sqrt(dims), "k:", label=r"$0.59/\sqrt{d}$")
ax.set_xscale("log")
ax.set_ylim(0, 1)
ax.set_xlabel("dimension d (uniform points in the unit cube)")
ax.set_title("Distances concentrate")
ax.legend(fontsize=8, loc="center right")
ax = axes[1]
ax.plot(ks, train_err, label="training error")
ax.plot(ks, cv_mean, label="5-fold CV error")
ax.fill_between(ks, cv_mean - cv_se, cv_mean + cv_se, color="C1", alpha=0.2, linewidth=0)
ax.axvline(k_best, color="grey", linestyle="--", linewidth=1)
ax.axvline(k_1se, color="grey", linestyle=":", linewidth=1)
ax.text(k_best, 0.01, f" min k={k_best}", fontsize=8)
ax.text(k_1se, 0.05, f" 1-SE k={k_1se}", fontsize=8)
ax.set_xlabel("k (number of neighbours)")
ax.set_ylabel("error rate")
ax.set_title("Choosing k on two moons")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# On the left the nearest and farthest of 1,000 random points end up nearly the same distance away; on the right,
# small $k$ fits the training set perfectly and validates worst of all except for very large $k$, where the vote
# averages across the two moons. The curve is flat near its minimum, which is why the one-standard-error rule can
# take a much larger, smoother $k$ at no measurable cost.

# %% [markdown]
# ## Scaling decides which feature counts
# The wine data have 13 measurements on very different scales: proline (an amino acid) has a standard deviation of
# about 314, magnesium 14, nonflavanoid phenols 0.12. Unscaled, the Euclidean distance is essentially the proline
# difference. The scaler goes
# inside the pipeline, so each cross-validation fold is standardized with its own training part.

# %%
X_wine, y_wine = load_wine(return_X_y=True)
wine_folds = StratifiedKFold(5, shuffle=True, random_state=0)
raw_acc = cross_val_score(KNeighborsClassifier(5), X_wine, y_wine, cv=wine_folds).mean()
scaled_acc = cross_val_score(make_pipeline(StandardScaler(), KNeighborsClassifier(5)), X_wine, y_wine,
                             cv=wine_folds).mean()
sd = X_wine.std(axis=0)
print(f"largest feature sd {sd.max():.0f}, smallest {sd.min():.2f}")
assert round(sd.max()) == 314 and round(sd.min(), 2) == 0.12, "proline's sd is about 2,500 times the smallest"
print(f"5-NN accuracy: raw features {raw_acc:.3f}, standardized {scaled_acc:.3f}")
assert raw_acc < 0.70 and scaled_acc > 0.95, "standardizing lifts 5-NN from under 70% to over 95%"
assert (round(raw_acc, 2), round(scaled_acc, 2)) == (0.66, 0.96), "66% and 96%"

# %% [markdown]
# ## Ambient dimension is not the problem; irrelevant dimensions are
# Embed the two-moons data in 100 dimensions with a random rotation: the points still lie on a 2-D plane, every
# distance is unchanged, and so is every prediction. Add independent noise features instead and accuracy falls,
# because each one adds variance to every distance while carrying no signal.

# %%
Q, _ = np.linalg.qr(rng.normal(size=(100, 100)))


def embed(M):
    """Pad to 100 coordinates with zeros and rotate: a 2-D plane inside a 100-D space."""
    return np.hstack([M, np.zeros((len(M), 98))]) @ Q.T


k = 15
pred_2d = knn_predict(X_train, y_train, X_test, k=k)
pred_rotated = knn_predict(embed(X_train), y_train, embed(X_test), k=k)
acc_2d, acc_rotated = np.mean(pred_2d == y_test), np.mean(pred_rotated == y_test)
acc_noise = {}
for m in (2, 8, 20, 100):
    noisy_train = np.hstack([X_train, rng.normal(size=(len(X_train), m))])
    noisy_test = np.hstack([X_test, rng.normal(size=(len(X_test), m))])
    acc_noise[m] = float(np.mean(knn_predict(noisy_train, y_train, noisy_test, k=k) == y_test))
print(f"15-NN test accuracy: 2-D {acc_2d:.3f}, rotated into 100-D {acc_rotated:.3f}")
print("with m irrelevant noise features:", {m: round(a, 3) for m, a in acc_noise.items()})
assert np.array_equal(pred_rotated, pred_2d), "a rotation into 100 dimensions changes no prediction"
assert acc_noise[100] < acc_2d - 0.25, "100 noise features cost over 25 points of accuracy"
assert all(acc_noise[m] < acc_2d for m in acc_noise), "every amount of noise hurts"
