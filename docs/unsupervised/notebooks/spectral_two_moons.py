# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: unsupervised/spectral-clustering.md}
# ---

# %% [markdown]
# # Spectral clustering on two moons and two circles
# We cluster two data sets whose groups are not convex blobs, two interleaved half-moons and two concentric rings,
# with k-means and with spectral clustering built from a Gaussian similarity graph. Then we read the Laplacian's
# eigenvalues (the eigengap), and sweep the graph's width to see where spectral clustering works and where it breaks.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.metrics import adjusted_rand_score

from mlguide.unsupervised.spectral import (
    graph_laplacian,
    knn_affinity,
    rbf_affinity,
    spectral_clustering,
    spectral_embedding,
)

START = time.perf_counter()

# %% [markdown]
# ## The worked example of the page
# Four nodes: 1 and 2 joined with weight 2, 3 and 4 with weight 1, no edge between the pairs. The Laplacian
# $L = D - W$ has one zero eigenvalue per connected component; the symmetric normalized one,
# $L_{\mathrm{sym}} = I - D^{-1/2} W D^{-1/2}$, forgets the weights' scale. Then a bridge of weight 0.1 joins nodes
# 2 and 3: the graph is connected, a single eigenvalue stays at 0, and the second one becomes small, below the value
# of the cut it approximates. The two-way RatioCut vector $f$, $+1$ on $\{1, 2\}$ and $-1$ on $\{3, 4\}$ (here
# $|A| = |\bar A|$), has $f^\top L f = n \cdot \mathrm{RatioCut}$, is orthogonal to $\mathbf 1$ and has
# $\lVert f\rVert^2 = n$, so its Rayleigh quotient, the RatioCut itself, is at least $\lambda_2$.

# %%
W4 = np.array([[0, 2, 0, 0], [2, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float)
L4 = graph_laplacian(W4, "unnormalized")
print(L4)
print("eigenvalues of L:    ", np.round(np.linalg.eigvalsh(L4), 6))
print("eigenvalues of L_sym:", np.round(np.linalg.eigvalsh(graph_laplacian(W4, "symmetric")), 6))

bridged = W4.copy()
bridged[1, 2] = bridged[2, 1] = 0.1
lam2 = np.linalg.eigvalsh(graph_laplacian(bridged, "unnormalized"))[1]
lam2_sym = np.linalg.eigvalsh(graph_laplacian(bridged, "symmetric"))[1]
ratio_cut = 0.1 * (1 / 2 + 1 / 2)        # cut / |A| + cut / |B|
ncut = 0.1 / 4.1 + 0.1 / 2.1             # cut / vol(A) + cut / vol(B); vol counts the bridge too
print(f"with the bridge: lambda_2(L) = {lam2:.4f} <= RatioCut = {ratio_cut:.3f}; "
      f"lambda_2(L_sym) = {lam2_sym:.4f} <= Ncut = {ncut:.4f}")

# %%
assert np.array_equal(L4, [[2, -2, 0, 0], [-2, 2, 0, 0], [0, 0, 1, -1], [0, 0, -1, 1]])
assert np.allclose(np.linalg.eigvalsh(L4), [0, 0, 2, 4])
assert np.allclose(np.linalg.eigvalsh(graph_laplacian(W4, "symmetric")), [0, 0, 2, 2])
assert round(lam2, 3) == 0.096 and lam2 <= ratio_cut
assert round(lam2_sym, 3) == 0.070 and lam2_sym <= ncut and round(ncut, 3) == 0.072
_, Y4 = spectral_embedding(W4, 2)
assert np.allclose(np.abs(Y4 @ Y4.T), [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]), "two unit points, 90° apart"
f = np.array([1.0, 1.0, -1.0, -1.0])
fLf = f @ graph_laplacian(bridged, "unnormalized") @ f
assert np.isclose(fLf, 0.4) and np.isclose(fLf, 4 * ratio_cut) and f.sum() == 0 and f @ f == 4
assert lam2 <= fLf / (f @ f)
fiedler = np.linalg.eigh(graph_laplacian(bridged, "unnormalized"))[1][:, 1]
assert np.sign(fiedler[0]) == np.sign(fiedler[1]) != np.sign(fiedler[2]) == np.sign(fiedler[3]), "signs split the pairs"

# %% [markdown]
# ## Two moons and two circles: k-means against spectral clustering
# 300 points per data set, fixed seeds. The similarity graph is fully connected with Gaussian weights
# $W_{ij} = \exp(-\lVert x_i - x_j\rVert^2 / 2\sigma^2)$ and width $\sigma = 0.1$. That is close to a rule of thumb
# from von Luxburg's tutorial: the mean distance from a point to its $m$-th nearest neighbour, with
# $m \approx \log n + 1$ (7 for 300 points), which the next cell computes. k-means compares points with two centres,
# so it can only draw a straight boundary between them; the adjusted Rand index (ARI) scores each partition against
# the true groups (1 = identical up to relabelling, about 0 = chance).

# %%
SIGMA = 0.1
X_moons, y_moons = make_moons(300, noise=0.06, random_state=0)
X_circles, y_circles = make_circles(300, noise=0.05, factor=0.4, random_state=0)


def mean_distance_to_neighbour(X, m):
    # Mean over the points of the distance to their m-th nearest other point.
    dist = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    return float(np.sort(dist, axis=1)[:, m].mean())   # column 0 is the point itself


m_rule = int(round(np.log(len(X_moons)) + 1))
sigma_rule = {name: mean_distance_to_neighbour(X, m_rule) for name, X in [("moons", X_moons), ("circles", X_circles)]}
print(f"rule of thumb (m = {m_rule}):", {name: round(v, 3) for name, v in sigma_rule.items()})

results = {}
for name, X, y in [("moons", X_moons, y_moons), ("circles", X_circles, y_circles)]:
    W = rbf_affinity(X, SIGMA)
    km = KMeans(2, n_init=10, random_state=0).fit_predict(X)
    sc = spectral_clustering(W, 2, seed=0)
    sk = SpectralClustering(2, affinity="precomputed", random_state=0).fit_predict(W)
    _, Y = spectral_embedding(W, 2)
    results[name] = dict(X=X, y=y, km=km, sc=sc, Y=Y, W=W,
                         ari_km=adjusted_rand_score(y, km), ari_sc=adjusted_rand_score(y, sc),
                         ari_vs_sklearn=adjusted_rand_score(sc, sk))
    print(f"{name:8s} ARI k-means {results[name]['ari_km']:.3f}, spectral {results[name]['ari_sc']:.3f}, "
          f"spectral vs scikit-learn's SpectralClustering {results[name]['ari_vs_sklearn']:.3f}")

# %% [markdown]
# The embedding: each point's row of the matrix $Y$ (the two eigenvectors of $L_{\mathrm{sym}}$ with the smallest
# eigenvalues, each row scaled to length 1) lies on the unit circle. Points of one moon crowd around one direction,
# and the two directions are nearly perpendicular: the ideal case, two separate components, would put them exactly
# at right angles. Here k-means has an easy job.

# %%
for name, r in results.items():
    Y, sc = r["Y"], r["sc"]
    centres = np.array([Y[sc == c].mean(axis=0) for c in range(2)])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    r["min_cos"] = min(float((Y[sc == c] @ centres[c]).min()) for c in range(2))
    r["angle"] = float(np.degrees(np.arccos(abs(centres[0] @ centres[1]))))
    print(f"{name:8s} every point within cos {r['min_cos']:.3f} of its cluster's direction; "
          f"the two directions {r['angle']:.1f} degrees apart")

# %% tags=["figure:spectral-clustering-moons-circles"]
fig, axes = plt.subplots(2, 3, figsize=(9, 6))
for row, (name, r) in enumerate(results.items()):
    X = r["X"]
    axes[row, 0].scatter(X[:, 0], X[:, 1], c=r["km"], cmap="coolwarm", s=8)
    ari_km = 0.0 if abs(r["ari_km"]) < 0.005 else r["ari_km"]   # no "-0.00" in a title
    axes[row, 0].set_title(f"k-means on {name}: ARI {ari_km:.2f}")
    axes[row, 1].scatter(X[:, 0], X[:, 1], c=r["sc"], cmap="coolwarm", s=8)
    axes[row, 1].set_title(f"spectral ($\\sigma$ = {SIGMA}): ARI {r['ari_sc']:.2f}")
    axes[row, 2].scatter(r["Y"][:, 0], r["Y"][:, 1], c=r["sc"], cmap="coolwarm", s=8)
    t = np.linspace(0, 2 * np.pi, 200)
    axes[row, 2].plot(np.cos(t), np.sin(t), color="grey", linewidth=0.6)
    axes[row, 2].set_title("embedding: rows of Y")
    axes[row, 2].set_xlim(-1.2, 1.2)
    axes[row, 2].set_ylim(-1.2, 1.2)
    for ax in axes[row]:
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
fig.tight_layout()

# %%
assert m_rule == 7 and round(sigma_rule["moons"], 2) == 0.11 and round(sigma_rule["circles"], 2) == 0.13
for name, r in results.items():
    assert r["ari_sc"] == 1.0, f"spectral clustering recovers the {name} exactly"
    assert r["ari_vs_sklearn"] == 1.0, "scikit-learn's SpectralClustering gives the same partition"
    assert r["min_cos"] > 0.97 and abs(r["angle"] - 90) < 2, "the embedding puts each group around one direction"
assert round(results["moons"]["ari_km"], 2) == 0.23 and abs(results["circles"]["ari_km"]) < 0.005, "k-means fails"

# %% [markdown]
# ## The eigenvalues and the eigengap
# The eigengap heuristic picks the number of clusters $k$ so that $\lambda_1, \dots, \lambda_k$ are small and
# $\lambda_{k+1}$ is much larger. On three Gaussian blobs it works as advertised: the largest step among the first
# ten eigenvalues comes right after the third. On the moons, the first two eigenvalues are tiny and the third is
# 33 times the second, a clear jump on a log axis. But the eigenvalues of a long, thin cluster keep growing
# roughly like those of a path (quadratically in their index), so the largest *absolute* step among the first ten
# comes later, and a heuristic that looks only at differences would not pick 2.

# %%
ev_moons = spectral_embedding(results["moons"]["W"], 2)[0]
X_blobs, y_blobs = make_blobs(300, centers=3, cluster_std=0.6, random_state=0)
ev_blobs = spectral_embedding(rbf_affinity(X_blobs, 0.5), 3)[0]
print("moons, first ten eigenvalues:", np.round(ev_moons[:10], 5))
print("blobs, first ten eigenvalues:", np.round(ev_blobs[:10], 4))
gap_k_moons = int(np.argmax(np.diff(ev_moons[:10]))) + 1
gap_k_blobs = int(np.argmax(np.diff(ev_blobs[:10]))) + 1
print(f"largest absolute gap among the first ten: after k = {gap_k_blobs} (blobs), after k = {gap_k_moons} (moons)")
print(f"moons: lambda_3 / lambda_2 = {ev_moons[2] / ev_moons[1]:.0f}")

# %%
assert gap_k_blobs == 3 and ev_blobs[2] < 0.02 and ev_blobs[3] > 0.3
assert ev_moons[1] < 2e-4 and round(ev_moons[2] / ev_moons[1]) == 33
assert gap_k_moons != 2, "on elongated clusters the largest absolute gap is not at the true k"
# The eigenvalues come in near-equal pairs (the two moons have nearly the same shape, so each mode appears twice),
# and the pairs grow like 1, 4, 9: the j^2 of a path.
pairs = ev_moons[2:8].reshape(3, 2).mean(axis=1)
print("pair means relative to the first pair:", np.round(pairs / pairs[0], 2))
assert 3.2 < pairs[1] / pairs[0] < 4.8 and 7 < pairs[2] / pairs[0] < 11

# %% [markdown]
# ## The width of the graph
# The same moons, clustered with $\sigma$ from 0.005 to 2. Too small, and most points have no neighbour with a weight
# distinguishable from zero: the graph falls into fragments joined only by minute weights. At $\sigma = 0.01$ it is
# still connected (every point reachable through nonzero weights), so exactly one eigenvalue is zero, but many are
# *numerically* zero: we count the eigenvalues of $L_{\mathrm{sym}}$ below $10^{-10}$. At $\sigma = 0.015$ there are
# already 7 such fragments, yet two eigenvectors still recover the moons; at 0.01 they cannot. Too large, and every point is strongly linked to
# every other: the share of the total edge weight that runs *between* the moons grows, and the cheapest cut slices
# across both moons, as k-means does. In between there is a wide window where the partition is exact.
# A k-nearest-neighbour graph adapts to the local density, but its one parameter matters too.

# %%
sigmas = np.array([0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0])
sweep_ari, sweep_zero, sweep_cross = [], [], []
for s in sigmas:
    W = rbf_affinity(X_moons, float(s))
    ev, _ = spectral_embedding(W, 2)
    sweep_ari.append(adjusted_rand_score(y_moons, spectral_clustering(W, 2, seed=0)))
    sweep_zero.append(int(np.sum(ev < 1e-10)))
    sweep_cross.append(float(W[y_moons[:, None] != y_moons[None, :]].sum() / W.sum()))
sweep_ari = np.array(sweep_ari)
for s, a, z, c in zip(sigmas, sweep_ari, sweep_zero, sweep_cross):
    print(f"sigma {s:6.3f}: ARI {a:6.3f}, eigenvalues < 1e-10: {z:3d}, weight between moons {c:.4f}")



def n_components_nonzero(W):
    # Connected components of the graph whose edges are the nonzero weights (breadth-first search).
    seen, count = np.zeros(len(W), bool), 0
    for start in range(len(W)):
        if not seen[start]:
            count += 1
            frontier = np.zeros(len(W), bool)
            frontier[start] = True
            while frontier.any():
                seen |= frontier
                frontier = (W[frontier] > 0).any(axis=0) & ~seen
    return count


components_001 = n_components_nonzero(rbf_affinity(X_moons, 0.01))
print("sigma 0.01: connected components through nonzero weights:", components_001)

# The k-NN graph here is unweighted, with an edge when either point is among the other's k nearest. scikit-learn's
# affinity="nearest_neighbors" counts each point as one of its own n_neighbors (include_self=True, so 5 means 4
# others) and averages, 0.5 (A + A^T), so one-sided edges weigh 1/2. With 5 its graph falls into two pieces.
knn_ari = {k: adjusted_rand_score(y_moons, spectral_clustering(knn_affinity(X_moons, k), 2)) for k in (5, 10, 15)}
print("k-nearest-neighbour graph, ARI by number of neighbours:", {k: round(v, 3) for k, v in knn_ari.items()})
sk_knn = SpectralClustering(2, affinity="nearest_neighbors", n_neighbors=5, random_state=0).fit(X_moons)
sk_knn5 = adjusted_rand_score(y_moons, sk_knn.labels_)
sk_knn5_pieces = n_components_nonzero(sk_knn.affinity_matrix_.toarray())
sk_default = adjusted_rand_score(y_moons, SpectralClustering(2, random_state=0).fit_predict(X_moons))
print(f"scikit-learn, nearest_neighbors with 5: {sk_knn5_pieces} pieces, ARI {sk_knn5:.3f}; default RBF gamma = 1 (sigma = {np.sqrt(0.5):.2f}): "
      f"ARI {sk_default:.3f}")

# %% tags=["figure:spectral-clustering-eigengap-width"]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
idx = np.arange(1, 11)
axes[0].semilogy(idx[1:], ev_moons[1:10], "o-")
axes[0].set_title("moons: $\\lambda_2 \\ldots \\lambda_{10}$ ($\\lambda_1 = 0$)")
axes[0].set_xlabel("index")
axes[0].set_ylabel("eigenvalue of $L_{sym}$ (log)")
axes[1].plot(idx, ev_blobs[:10], "o-", color="C1")
axes[1].set_title("three blobs: gap after $\\lambda_3$")
axes[1].set_xlabel("index")
axes[2].semilogx(sigmas, sweep_ari, "o-", color="C2", label="spectral")
axes[2].axhline(results["moons"]["ari_km"], color="grey", linestyle="--", label="k-means")
axes[2].set_xlabel("RBF width $\\sigma$ (log)")
axes[2].set_ylabel("ARI on the moons")
axes[2].set_title("the graph's width decides")
axes[2].legend(loc="upper right", fontsize=8)
fig.tight_layout()

# %%
by_sigma = dict(zip(sigmas.tolist(), sweep_ari.tolist()))
zeros = dict(zip(sigmas.tolist(), sweep_zero))
assert all(by_sigma[s] == 1.0 for s in (0.015, 0.02, 0.03, 0.05, 0.07, 0.1)), "a wide window of exact recovery"
assert by_sigma[0.005] < 0.25 and by_sigma[0.01] < 0.25 and zeros[0.005] > 50 and zeros[0.01] == 29, "shattered"
assert all(by_sigma[s] < 0.5 for s in (0.3, 0.5, 1.0, 2.0)), "too wide: the cut crosses the moons"
assert sweep_cross[sigmas.tolist().index(0.1)] < 1e-3 < 0.05 < sweep_cross[sigmas.tolist().index(0.5)]
assert round(knn_ari[15], 2) == 0.99 and round(knn_ari[5], 2) == 0.65, "the k-NN graph's parameter matters as well"
assert components_001 == 1 and zeros[0.015] == 7, "connected, yet numerically fragmented"
assert n_components_nonzero(knn_affinity(X_moons, 5)) == 1 and sk_knn5_pieces == 2
assert abs(sk_knn5 - 0.12) < 0.01, "scikit-learn's k-NN graph is a different graph and scores differently"
assert abs(sk_default - 0.29) < 0.01 and sk_default < 0.5, "scikit-learn's default width cuts across the moons"

# %%
elapsed = time.perf_counter() - START
print(f"run time {elapsed:.1f} s")
