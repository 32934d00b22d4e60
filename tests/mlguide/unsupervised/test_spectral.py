"""Tests for src/mlguide/unsupervised/spectral.py: against SciPy's Laplacian, scikit-learn's SpectralClustering and
KMeans, the page's worked example, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components
from scipy.sparse.csgraph import laplacian as scipy_laplacian
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import make_blobs, make_moons
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import rbf_kernel

from mlguide.unsupervised.spectral import (
    _kmeans,
    _lloyd,
    graph_laplacian,
    knn_affinity,
    rbf_affinity,
    spectral_clustering,
    spectral_embedding,
)

KINDS = ["unnormalized", "symmetric", "random_walk"]


def random_graph(sizes, seed, p_edge=0.6):
    """Random weighted graph made of len(sizes) connected blocks with no edges between them, rows shuffled."""
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    W = np.zeros((n, n))
    start = 0
    for size in sizes:
        block = rng.uniform(0.2, 1.0, (size, size)) * (rng.random((size, size)) < p_edge)
        idx = np.arange(start, start + size)
        block[idx[:-1] - start, idx[1:] - start] = rng.uniform(0.2, 1.0, size - 1)  # a path keeps the block connected
        W[start:start + size, start:start + size] = np.triu(block, 1)
        start += size
    W = W + W.T
    truth = np.repeat(np.arange(len(sizes)), sizes)
    perm = rng.permutation(n)
    return W[np.ix_(perm, perm)], truth[perm]


# ---- the worked example on the page ----

def test_page_worked_example():
    # Nodes 1-2 joined with weight 2, nodes 3-4 with weight 1, nothing in between: two components.
    W = np.array([[0, 2, 0, 0], [2, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float)
    L = graph_laplacian(W, "unnormalized")
    assert np.array_equal(L, [[2, -2, 0, 0], [-2, 2, 0, 0], [0, 0, 1, -1], [0, 0, -1, 1]])
    assert np.allclose(L @ [1, 1, 0, 0], 0) and np.allclose(L @ [0, 0, 1, 1], 0)
    assert np.allclose(np.linalg.eigvalsh(L), [0, 0, 2, 4])
    L_sym = graph_laplacian(W, "symmetric")
    assert np.allclose(L_sym, [[1, -1, 0, 0], [-1, 1, 0, 0], [0, 0, 1, -1], [0, 0, -1, 1]])
    assert np.allclose(np.linalg.eigvalsh(L_sym), [0, 0, 2, 2])
    eigenvalues, Y = spectral_embedding(W, 2)
    assert np.allclose(np.abs(Y @ Y.T), [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    labels = spectral_clustering(W, 2)
    assert labels[0] == labels[1] != labels[2] == labels[3]

    # A bridge of weight 0.1 between nodes 2 and 3: one component, a small second eigenvalue below the cut values.
    W[1, 2] = W[2, 1] = 0.1
    lam2 = np.linalg.eigvalsh(graph_laplacian(W, "unnormalized"))[1]
    assert 0.096 < lam2 < 0.1                                   # <= RatioCut({1,2},{3,4}) = 0.1 (1/2 + 1/2)
    lam2_sym = np.linalg.eigvalsh(graph_laplacian(W, "symmetric"))[1]
    assert 0.069 < lam2_sym < 0.1 / 4.1 + 0.1 / 2.1            # <= Ncut = 0.1/vol(A) + 0.1/vol(B) = 0.072
    fiedler = np.linalg.eigh(graph_laplacian(W, "unnormalized"))[1][:, 1]
    assert np.sign(fiedler[0]) == np.sign(fiedler[1]) != np.sign(fiedler[2]) == np.sign(fiedler[3])


# ---- Laplacians ----

@pytest.mark.parametrize("seed", range(4))
def test_laplacians_match_scipy_and_each_other(seed):
    W, _ = random_graph([6, 9], seed)
    assert np.allclose(graph_laplacian(W, "unnormalized"), scipy_laplacian(W))
    assert np.allclose(graph_laplacian(W, "symmetric"), scipy_laplacian(W, normed=True))
    d = W.sum(axis=1)
    # L_rw = D^{-1} L, and L_rw u = lambda u  <=>  L_sym (D^{1/2} u) = lambda (D^{1/2} u): the same spectrum
    assert np.allclose(graph_laplacian(W, "random_walk"), graph_laplacian(W, "unnormalized") / d[:, None])
    ev_rw = np.sort(np.linalg.eigvals(graph_laplacian(W, "random_walk")).real)
    ev_sym = np.linalg.eigvalsh(graph_laplacian(W, "symmetric"))
    assert np.allclose(ev_rw, ev_sym, atol=1e-10)
    assert ev_sym.min() > -1e-10 and ev_sym.max() < 2 + 1e-10


def test_quadratic_form_of_the_unnormalized_laplacian():
    W, _ = random_graph([12], 7)
    f = np.random.default_rng(0).normal(size=12)
    pairwise = 0.5 * np.sum(W * (f[:, None] - f[None, :]) ** 2)
    assert f @ graph_laplacian(W, "unnormalized") @ f == pytest.approx(pairwise)


@pytest.mark.parametrize("sizes", [[5], [3, 4], [2, 6, 5], [4, 4, 4, 3], [2, 2, 2, 2, 2]])
@pytest.mark.parametrize("kind", KINDS)
def test_multiplicity_of_eigenvalue_zero_is_the_number_of_components(sizes, kind):
    W, _ = random_graph(sizes, seed=len(sizes))
    n_components, _ = connected_components(W, directed=False)
    assert n_components == len(sizes)
    eigenvalues = np.sort(np.linalg.eigvals(graph_laplacian(W, kind)).real)
    assert np.sum(np.abs(eigenvalues) < 1e-9) == n_components
    if n_components < len(eigenvalues):
        assert eigenvalues[n_components] > 1e-3   # the next one is clearly positive


def test_diagonal_of_the_affinity_is_ignored():
    W, _ = random_graph([4, 5], 3)
    with_loops = W + np.diag(np.arange(1.0, 10.0))
    for kind in KINDS:
        assert np.allclose(graph_laplacian(with_loops, kind), graph_laplacian(W, kind))


# ---- clustering ----

@pytest.mark.parametrize("seed", range(5))
def test_exact_recovery_on_a_block_diagonal_affinity(seed):
    sizes = [[5, 7, 4], [10, 3], [6, 6, 6, 6], [2, 9, 4, 3, 8], [1 + seed, 30]][seed]
    W, truth = random_graph(sizes, seed)
    k = len(sizes)
    labels = spectral_clustering(W, k, seed=seed)
    assert adjusted_rand_score(truth, labels) == 1.0
    eigenvalues, Y = spectral_embedding(W, k)
    assert np.all(eigenvalues[:k] < 1e-9) and (k == len(truth) or eigenvalues[k] > 1e-3)
    # NJW's ideal case: each component maps to one point on the unit sphere, the k points mutually orthogonal
    gram = Y @ Y.T
    same = truth[:, None] == truth[None, :]
    assert np.allclose(gram[same], 1.0, atol=1e-8) and np.allclose(gram[~same], 0.0, atol=1e-8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_scikit_learn_on_two_moons(seed):
    X, y = make_moons(200, noise=0.06, random_state=seed)
    W = rbf_affinity(X, sigma=0.1)
    ours = spectral_clustering(W, 2, seed=seed)
    theirs = SpectralClustering(2, affinity="precomputed", random_state=seed).fit_predict(W)
    assert adjusted_rand_score(ours, theirs) > 0.99
    assert adjusted_rand_score(y, ours) > 0.99
    # scikit-learn building its own RBF graph (gamma = 1 / (2 sigma^2), with self-loops W_ii = 1)
    builtin = SpectralClustering(2, affinity="rbf", gamma=1 / (2 * 0.1**2), random_state=seed).fit_predict(X)
    assert adjusted_rand_score(ours, builtin) > 0.99
    kmeans = KMeans(2, n_init=10, random_state=seed).fit_predict(X)
    assert adjusted_rand_score(y, kmeans) < 0.5   # what spectral clustering is for


def test_rbf_affinity_matches_scikit_learn():
    X, _ = make_blobs(30, random_state=0)
    expected = rbf_kernel(X, gamma=1 / (2 * 0.7**2))
    np.fill_diagonal(expected, 0.0)
    assert np.allclose(rbf_affinity(X, 0.7), expected)


def test_knn_affinity():
    X = np.array([[0.0], [1.0], [2.5], [10.0]])
    either = knn_affinity(X, 1)
    assert np.array_equal(either, [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    both = knn_affinity(X, 1, mutual=True)
    assert np.array_equal(both, [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert np.array_equal(knn_affinity(X, 3), 1 - np.eye(4))


def test_kmeans_helper_matches_scikit_learn_inertia():
    X, _ = make_blobs(150, centers=4, cluster_std=1.0, random_state=1)
    _, ours = _kmeans(X, 4, n_init=10, seed=0)
    theirs = KMeans(4, n_init=10, random_state=0).fit(X).inertia_
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_empty_clusters_restart_at_distinct_points():
    # Three identical starting centers: every point joins cluster 0, clusters 1 and 2 empty in the same iteration.
    # Each must restart at its own far point (not both at the same one), and the three pairs are then recovered.
    Y = np.array([[0, 0], [0, 0.1], [5, 0], [5, 0.1], [0, 5], [0.1, 5]], dtype=float)
    start = np.repeat(Y[:1], 3, axis=0)
    assert len(np.unique(_lloyd(Y, start, max_iter=1))) == 3     # distinct restarts within the first iteration
    labels = _lloyd(Y, start)
    assert adjusted_rand_score([0, 0, 1, 1, 2, 2], labels) == 1.0


def test_is_deterministic_and_permutation_equivariant():
    W, truth = random_graph([8, 8, 8], 11, p_edge=0.9)
    W = W + 0.01 * (1 - np.eye(24))   # weak edges everywhere: connected, the blocks still stand out
    labels = spectral_clustering(W, 3, seed=4)
    assert np.array_equal(labels, spectral_clustering(W, 3, seed=4))
    perm = np.random.default_rng(0).permutation(24)
    permuted = spectral_clustering(W[np.ix_(perm, perm)], 3, seed=4)
    assert adjusted_rand_score(labels[perm], permuted) == 1.0
    assert adjusted_rand_score(truth, labels) == 1.0


def test_single_cluster():
    W, _ = random_graph([6], 0)
    assert np.array_equal(spectral_clustering(W, 1), np.zeros(6, dtype=int))


# ---- bad input ----

@pytest.mark.parametrize("W, message", [
    (np.ones((3, 4)), "square"),
    (np.ones(3), "square"),
    (np.ones((1, 1)), "square"),
    (np.array([[0, 1], [2, 0]]), "symmetric"),
    (np.array([[0, -1], [-1, 0]]), "non-negative"),
    (np.array([[0, np.nan], [np.nan, 0]]), "finite"),
    (np.array([[0, np.inf], [np.inf, 0]]), "finite"),
    ([["a", "b"], ["c", "d"]], "numeric"),
    (np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]), "no edges"),
])
def test_bad_affinity(W, message):
    with pytest.raises(ValueError, match=message):
        spectral_clustering(W, 2)


@pytest.mark.parametrize("k", [0, 5, 2.0, True, "2", None])
def test_bad_k(k):
    W, _ = random_graph([2, 2], 0)
    with pytest.raises(ValueError, match="k must be an integer"):
        spectral_clustering(W, k)


def test_other_bad_arguments():
    W, _ = random_graph([3, 3], 0)
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="n_init"):
        spectral_clustering(W, 2, n_init=0)
    with pytest.raises(ValueError, match="kind"):
        graph_laplacian(W, "normalized")
    with pytest.raises(ValueError, match="sigma"):
        rbf_affinity(X, 0.0)
    with pytest.raises(ValueError, match="sigma"):
        rbf_affinity(X, float("nan"))
    with pytest.raises(ValueError, match="n_neighbors"):
        knn_affinity(X, 5)
    with pytest.raises(ValueError, match="finite"):
        rbf_affinity([[0.0, 1.0], [np.nan, 0.0]], 1.0)
    with pytest.raises(ValueError, match="2-D"):
        rbf_affinity([1.0, 2.0], 1.0)
    # an isolated point is fine for the unnormalized Laplacian (its row is zero), not for the normalized ones
    isolated = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    assert np.array_equal(graph_laplacian(isolated, "unnormalized")[2], [0, 0, 0])
    with pytest.raises(ValueError, match="no edges"):
        graph_laplacian(isolated, "random_walk")
