"""Tests for src/mlguide/unsupervised/projections.py: against scikit-learn and SciPy, and the page's worked example."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.spatial.distance import pdist
from sklearn.datasets import load_iris, load_wine
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.random_projection import GaussianRandomProjection, johnson_lindenstrauss_min_dim

from mlguide.unsupervised.projections import fisher_lda, jl_min_dim, random_projection


def scatter_matrices(X, y):
    m = X.mean(axis=0)
    S_W = sum((X[y == c] - X[y == c].mean(0)).T @ (X[y == c] - X[y == c].mean(0)) for c in np.unique(y))
    S_B = sum((y == c).sum() * np.outer(X[y == c].mean(0) - m, X[y == c].mean(0) - m) for c in np.unique(y))
    return S_W, S_B


def unit(W):
    return W / np.linalg.norm(W, axis=0)


# ---- fisher_lda ----

def test_page_worked_example():
    # docs/unsupervised/dimensionality-reduction.md: class 1 = (0,0), (4,0), (2,1), (2,-1); class 2 = class 1 + (2, 2).
    X1 = np.array([[0, 0], [4, 0], [2, 1], [2, -1]], dtype=float)
    X = np.vstack([X1, X1 + 2])
    y = np.repeat([0, 1], 4)
    S_W, S_B = scatter_matrices(X, y)
    assert np.allclose(S_W, np.diag([16, 4])) and np.allclose(S_B, 2 * np.outer([2, 2], [2, 2]))
    W, J = fisher_lda(X, y)
    w = W[:, 0]
    assert abs(w @ np.array([1, 4]) / np.linalg.norm(w) / np.sqrt(17)) == pytest.approx(1)   # direction (1, 4)
    assert J[0] == pytest.approx(2.5)

    def crit(v):
        v = np.asarray(v, dtype=float)
        return v @ S_B @ v / (v @ S_W @ v)

    assert crit([1, 4]) == pytest.approx(2.5)
    assert crit([1, 1]) == pytest.approx(1.6)          # the mean-difference direction
    assert crit([2, 1]) == pytest.approx(72 / 68)      # PCA's first direction
    S_T = np.cov(X.T, bias=True) * len(X)
    assert np.allclose(S_T, [[24, 8], [8, 12]]) and np.allclose(S_T, S_W + S_B)
    vals, vecs = np.linalg.eigh(S_T)
    assert np.allclose(vals, [8, 28])
    assert abs(vecs[:, 1] @ np.array([2, 1]) / np.sqrt(5)) == pytest.approx(1)
    # 1-D projections: along (2, 1) the classes overlap, along (1, 4) they separate.
    p1, p2 = X1 @ [2, 1], (X1 + 2) @ [2, 1]
    assert sorted(p1) == [0, 3, 5, 8] and sorted(p2) == [6, 9, 11, 14]
    f1, f2 = X1 @ [1, 4], (X1 + 2) @ [1, 4]
    assert sorted(f1) == [-2, 0, 4, 6] and sorted(f2) == [8, 10, 14, 16]


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_agrees_with_scikit_learn_and_scipy(loader):
    X, y = loader(return_X_y=True)
    W, J = fisher_lda(X, y)
    assert W.shape == (X.shape[1], 2)                   # three classes: at most C - 1 = 2 directions
    lda = LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
    cos = np.abs(np.sum(unit(W) * unit(lda.scalings_[:, :2]), axis=0))
    assert np.allclose(cos, 1, atol=1e-8)
    assert np.allclose(J / J.sum(), lda.explained_variance_ratio_, atol=1e-8)
    S_W, S_B = scatter_matrices(X, y)
    assert np.allclose(J, eigh(S_B, S_W, eigvals_only=True)[::-1][:2], rtol=1e-8)
    assert np.allclose(W.T @ S_W @ W, np.eye(2), atol=1e-8)
    assert np.allclose(np.diag(W.T @ S_B @ W), J, rtol=1e-8)
    # Projections agree with scikit-learn's (svd solver) up to sign and scale, column by column.
    Z = X @ W
    Z_sk = LinearDiscriminantAnalysis(n_components=2).fit_transform(X, y)
    for j in range(2):
        assert abs(np.corrcoef(Z[:, j], Z_sk[:, j])[0, 1]) == pytest.approx(1, abs=1e-8)


def test_two_classes_give_the_direction_sw_inverse_times_mean_difference():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4)) @ rng.normal(size=(4, 4))
    y = np.repeat([0, 1], 40)
    X[y == 1] += [1.0, -0.5, 0.3, 2.0]
    W, J = fisher_lda(X, y)
    S_W, _ = scatter_matrices(X, y)
    ref = np.linalg.solve(S_W, X[y == 1].mean(0) - X[y == 0].mean(0))
    assert W.shape == (4, 1) and J.shape == (1,)
    assert abs(unit(W)[:, 0] @ (ref / np.linalg.norm(ref))) == pytest.approx(1)


def test_projections_unchanged_by_an_invertible_linear_map_of_the_features():
    # The page: unshrunk LDA needs no feature scaling; any invertible A leaves the projected data unchanged.
    X, y = load_wine(return_X_y=True)
    A = np.random.default_rng(2).normal(size=(13, 13)) + 5 * np.eye(13)
    Z, Z_mapped = X @ fisher_lda(X, y)[0], (X @ A.T) @ fisher_lda(X @ A.T, y)[0]
    for j in range(2):
        assert abs(np.corrcoef(Z[:, j], Z_mapped[:, j])[0, 1]) == pytest.approx(1, abs=1e-8)
    assert np.allclose(fisher_lda(X, y)[1], fisher_lda(X @ A.T, y)[1], rtol=1e-6)


def test_c_minus_1_directions_keep_every_distance_between_class_means_in_the_sw_metric():
    X, y = load_wine(return_X_y=True)
    W, _ = fisher_lda(X, y)
    S_W, _ = scatter_matrices(X, y)
    means = [X[y == c].mean(0) for c in np.unique(y)]
    for a in range(3):
        for b in range(a + 1, 3):
            diff = means[a] - means[b]
            assert np.sum((W.T @ diff) ** 2) == pytest.approx(diff @ np.linalg.solve(S_W, diff), rel=1e-8)


def test_labels_may_be_strings_and_fewer_components():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    W, J = fisher_lda(X, names, n_components=1)
    W2, J2 = fisher_lda(X, y)
    assert np.allclose(W[:, 0], W2[:, 0]) and J[0] == pytest.approx(J2[0]) and J2[0] > J2[1]


def test_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="n_components"):
        fisher_lda(X, y, n_components=3)                # more than C - 1
    with pytest.raises(ValueError, match="n_components"):
        fisher_lda(X, y, n_components=0)
    with pytest.raises(ValueError, match="two classes"):
        fisher_lda(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="shape"):
        fisher_lda(X, y[:-1])
    with pytest.raises(ValueError, match="singular"):
        fisher_lda(np.hstack([X, X[:, :1]]), y)         # a duplicated column
    with pytest.raises(ValueError, match="singular"):
        rng = np.random.default_rng(1)
        fisher_lda(rng.normal(size=(10, 20)), np.repeat([0, 1], 5))   # d >= n - C
    with pytest.raises(ValueError, match="NaN"):
        fisher_lda(np.where(X > 7, np.nan, X), y)
    with pytest.raises(ValueError, match="2-D"):
        fisher_lda(X[:, 0], y)


# ---- jl_min_dim and random_projection ----

@pytest.mark.parametrize("n, eps", [(1000, 0.1), (1000, 0.5), (300, 0.5), (10**6, 0.2), (2, 0.9)])
def test_jl_bound_matches_scikit_learn_rounded_up(n, eps):
    assert jl_min_dim(n, eps) - johnson_lindenstrauss_min_dim(n, eps=eps) in (0, 1)
    assert jl_min_dim(n, eps) >= 4 * np.log(n) / (eps**2 / 2 - eps**3 / 3)


def test_page_numbers():
    assert jl_min_dim(1000, 0.1) == 5921
    assert jl_min_dim(1000, 0.5) == 332


def test_distances_kept_within_eps_like_scikit_learn():
    rng = np.random.default_rng(0)
    n, d, eps = 200, 3000, 0.5
    X = rng.normal(size=(n, d))
    k = jl_min_dim(n, eps)
    ratio = pdist(random_projection(X, k, seed=1), "sqeuclidean") / pdist(X, "sqeuclidean")
    assert np.all(np.abs(ratio - 1) < eps)
    sk = GaussianRandomProjection(n_components=k, random_state=1).fit_transform(X)
    ratio_sk = pdist(sk, "sqeuclidean") / pdist(X, "sqeuclidean")
    # Both are N(0, 1/k) matrices: the squared-distance ratio has mean 1 and standard deviation sqrt(2 / k).
    for r in (ratio, ratio_sk):
        assert abs(r.mean() - 1) < 0.01
        assert r.std() == pytest.approx(np.sqrt(2 / k), rel=0.1)


def test_norms_preserved_on_average_and_seeded():
    X = np.eye(50)
    Z = np.vstack([random_projection(X, 20, seed=s) for s in range(40)])
    assert np.mean(np.sum(Z**2, axis=1)) == pytest.approx(1, abs=0.05)
    assert np.array_equal(random_projection(X, 20, seed=3), random_projection(X, 20, seed=3))
    assert random_projection(X, 7).shape == (50, 7)


def test_bad_projection_input():
    with pytest.raises(ValueError, match="k must"):
        random_projection(np.ones((3, 4)), 0)
    with pytest.raises(ValueError, match="k must"):
        random_projection(np.ones((3, 4)), 2.5)
    with pytest.raises(ValueError, match="2-D"):
        random_projection(np.ones(4), 2)
    with pytest.raises(ValueError, match="eps"):
        jl_min_dim(100, 1.0)
    with pytest.raises(ValueError, match="n_samples"):
        jl_min_dim(1, 0.5)
