"""Tests for src/mlguide/unsupervised/pca.py: the page's worked example, agreement with scikit-learn's PCA up to the
sign of each component, exact reconstruction, whitening, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA

from mlguide.unsupervised.pca import pca_fit, pca_inverse_transform, pca_transform


def align_signs(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Flip each row of `ours` to the sign of the matching row of `theirs` (a component is defined up to sign)."""
    signs = np.sign(np.sum(ours * theirs, axis=1))
    assert np.all(signs != 0)
    return ours * signs[:, None]


def random_data(seed: int, n: int, p: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = rng.uniform(0.2, 5.0, size=p)              # distinct variances, so the components are well separated
    mixing = np.linalg.qr(rng.normal(size=(p, p)))[0]
    return rng.normal(size=(n, p)) * scales @ mixing + rng.normal(size=p) * 10


def test_worked_example_on_the_page():
    # docs/unsupervised/principal-component-analysis.md: five points with mean (3, 4)
    X = np.array([[5, 6], [1, 2], [4, 3], [2, 5], [3, 4]], dtype=float)
    fit = pca_fit(X)
    assert np.allclose(fit.mean, [3, 4])
    assert np.allclose(np.cov(X, rowvar=False), [[2.5, 1.5], [1.5, 2.5]])
    assert np.allclose(fit.explained_variance, [4.0, 1.0])
    assert np.allclose(fit.explained_variance_ratio, [0.8, 0.2])
    r = 1 / np.sqrt(2)
    assert np.allclose(np.abs(fit.components), [[r, r], [r, r]])
    assert np.allclose(fit.components[0], [r, r])       # largest entry positive: both are, so (1, 1)/sqrt(2)
    assert np.allclose(np.linalg.svd(X - fit.mean, compute_uv=False), [4.0, 2.0])
    z1 = pca_transform(X, fit.mean, fit.components[:1])[:, 0]
    assert np.allclose(z1, [2 * np.sqrt(2), -2 * np.sqrt(2), 0, 0, 0], atol=1e-12)
    X1 = pca_inverse_transform(z1[:, None], fit.mean, fit.components[:1])
    assert np.allclose(X1, [[5, 6], [1, 2], [3, 4], [3, 4], [3, 4]])
    assert np.sum((X - X1) ** 2) == pytest.approx(4.0)      # (n - 1) * lambda_2 = 4 * 1
    # the correlation matrix has off-diagonal 0.6 and eigenvalues 1.6 and 0.4
    assert np.allclose(np.linalg.eigvalsh(np.corrcoef(X, rowvar=False)), [0.4, 1.6])


@pytest.mark.parametrize("seed, n, p, k", [(0, 200, 6, 6), (1, 150, 10, 3), (2, 40, 8, 1), (3, 7, 12, 5)])
def test_agrees_with_scikit_learn_up_to_sign(seed, n, p, k):
    X = random_data(seed, n, p)
    fit = pca_fit(X, k)
    sk = PCA(n_components=k, svd_solver="full").fit(X)
    assert fit.components.shape == (k, p)
    assert np.allclose(fit.mean, sk.mean_)
    assert np.allclose(fit.explained_variance, sk.explained_variance_, rtol=1e-10)
    assert np.allclose(fit.explained_variance_ratio, sk.explained_variance_ratio_, rtol=1e-10)
    comps = align_signs(fit.components, sk.components_)
    assert np.allclose(comps, sk.components_, atol=1e-8)
    Z = pca_transform(X, fit.mean, comps)
    assert np.allclose(Z, sk.transform(X), atol=1e-8)
    assert np.allclose(pca_inverse_transform(Z, fit.mean, comps), sk.inverse_transform(sk.transform(X)), atol=1e-8)


def test_wine_matches_scikit_learn_and_its_sign_convention():
    X = load_wine().data
    fit = pca_fit(X)
    sk = PCA().fit(X)                                   # default solver: may take the covariance route
    assert np.allclose(fit.explained_variance, sk.explained_variance_, rtol=1e-6)
    assert np.allclose(align_signs(fit.components, sk.components_), sk.components_, atol=1e-6)
    biggest = fit.components[np.arange(len(fit.components)), np.argmax(np.abs(fit.components), axis=1)]
    assert np.all(biggest > 0)


def test_scores_are_uncorrelated_with_the_eigenvalues_as_variances():
    X = random_data(4, 300, 5)
    fit = pca_fit(X)
    Z = pca_transform(X, fit.mean, fit.components)
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-10)
    assert np.allclose(np.cov(Z, rowvar=False), np.diag(fit.explained_variance), atol=1e-9)
    assert np.allclose(fit.components @ fit.components.T, np.eye(5), atol=1e-12)
    assert fit.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert np.all(np.diff(fit.explained_variance) <= 0)


def test_reconstruction_with_all_components_is_exact():
    X = random_data(5, 50, 7)
    fit = pca_fit(X)
    assert np.allclose(pca_inverse_transform(pca_transform(X, fit.mean, fit.components), fit.mean, fit.components), X)
    new = random_data(6, 10, 7)                          # k = p spans the whole space: new rows too
    assert np.allclose(pca_inverse_transform(pca_transform(new, fit.mean, fit.components), fit.mean, fit.components), new)


def test_wide_data_reconstructs_training_rows_but_not_new_ones():
    X, new = random_data(7, 6, 10), random_data(8, 3, 10)
    fit = pca_fit(X)                                     # centring leaves min(n - 1, p) = 5 components
    assert fit.components.shape == (5, 10)
    assert np.all(fit.explained_variance > 1e-6)
    with pytest.raises(ValueError, match="integer in 1..5"):
        pca_fit(X, 6)                                    # a 6th would have variance 0 and an arbitrary direction
    back = pca_inverse_transform(pca_transform(X, fit.mean, fit.components), fit.mean, fit.components)
    assert np.allclose(back, X)
    back_new = pca_inverse_transform(pca_transform(new, fit.mean, fit.components), fit.mean, fit.components)
    assert not np.allclose(back_new, new)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_reconstruction_error_is_the_sum_of_discarded_eigenvalues(k):
    X = random_data(9, 120, 6)
    full = pca_fit(X)
    fit = pca_fit(X, k)
    back = pca_inverse_transform(pca_transform(X, fit.mean, fit.components), fit.mean, fit.components)
    error = np.sum((X - back) ** 2)
    assert error == pytest.approx((len(X) - 1) * full.explained_variance[k:].sum(), rel=1e-10)


def test_whitening_matches_scikit_learn():
    X = random_data(10, 100, 4)
    fit = pca_fit(X, 3)
    Zw = pca_transform(X, fit.mean, fit.components, fit.explained_variance)
    assert np.allclose(np.cov(Zw, rowvar=False), np.eye(3), atol=1e-10)
    sk = PCA(n_components=3, whiten=True, svd_solver="full").fit(X)
    signs = np.sign(np.sum(fit.components * sk.components_, axis=1))
    assert np.allclose(Zw * signs, sk.transform(X), atol=1e-8)


def test_centring_matters():
    # a shifted copy of the data has the same components; the uncentred SVD's first direction points at the mean
    X = random_data(11, 80, 3)
    a, b = pca_fit(X), pca_fit(X + 1000.0)
    assert np.allclose(a.components, b.components, atol=1e-6)
    assert np.allclose(a.explained_variance, b.explained_variance, rtol=1e-8)
    first_uncentred = np.linalg.svd(X + 1000.0, full_matrices=False)[2][0]
    mean_direction = (X + 1000.0).mean(axis=0) / np.linalg.norm((X + 1000.0).mean(axis=0))
    assert abs(first_uncentred @ mean_direction) > 0.999


@pytest.mark.parametrize("X, k, match", [
    (np.arange(5.0), None, "2-D"),
    (np.ones((1, 3)), None, "at least 2 rows"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), None, "NaN or infinite"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), None, "NaN or infinite"),
    (np.ones((4, 3)), None, "no variance"),
    (np.eye(4), 0, "integer in 1..3"),
    (np.eye(4), 4, "integer in 1..3"),
    (np.eye(4), 5, "integer in 1..3"),
    (np.eye(4), 2.0, "integer in 1..3"),
    (np.eye(4), True, "integer in 1..3"),
    (np.eye(4), "mle", "integer in 1..3"),
])
def test_fit_rejects_bad_input(X, k, match):
    with pytest.raises(ValueError, match=match):
        pca_fit(X, k)


def test_transform_and_inverse_reject_mismatched_shapes():
    fit = pca_fit(random_data(12, 30, 4), 2)
    with pytest.raises(ValueError, match="3 features, the fit had 4"):
        pca_transform(np.ones((5, 3)), fit.mean, fit.components)
    with pytest.raises(ValueError, match="does not match"):
        pca_transform(np.ones((5, 4)), fit.mean[:3], fit.components)
    with pytest.raises(ValueError, match="one positive value per component"):
        pca_transform(np.ones((5, 4)), fit.mean, fit.components, [1.0])
    with pytest.raises(ValueError, match="one positive value per component"):
        pca_transform(np.ones((5, 4)), fit.mean, fit.components, [1.0, 0.0])
    with pytest.raises(ValueError, match="3 columns, there are 2 components"):
        pca_inverse_transform(np.ones((5, 3)), fit.mean, fit.components)
    with pytest.raises(ValueError, match="NaN"):
        pca_transform(np.full((2, 4), np.nan), fit.mean, fit.components)
