"""Tests for src/mlguide/generalization/regularization.py: hand-worked values from the page, and agreement with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from mlguide.generalization.regularization import ridge_closed_form, soft_threshold


def orthonormal_design(n: int, p: int, seed: int) -> np.ndarray:
    """An n x p matrix whose columns are orthonormal (X^T X = I) and sum to zero."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, p))
    A -= A.mean(axis=0)
    Q, _ = np.linalg.qr(A)
    return Q


# ---------------------------------------------------------------- soft_threshold

def test_worked_example_on_the_page():
    # least-squares coefficients (3, 1, -0.5) of an orthonormal design, lambda = 1
    b = np.array([3.0, 1.0, -0.5])
    assert np.array_equal(soft_threshold(b, 1.0), [2.0, 0.0, 0.0])
    # ridge on the same design divides by 1 + lambda instead
    X = orthonormal_design(20, 3, seed=0)
    y = X @ b  # then X^T y = b exactly, and y has mean 0
    beta, b0 = ridge_closed_form(X, y, 1.0)
    assert np.allclose(beta, [1.5, 0.5, -0.25])
    assert b0 == pytest.approx(0.0, abs=1e-12)


def test_soft_threshold_basic_properties():
    b = np.linspace(-3, 3, 61)
    assert np.array_equal(soft_threshold(b, 0.0), b), "lam = 0 leaves b unchanged"
    out = soft_threshold(b, 1.2)
    assert np.all(out[np.abs(b) <= 1.2] == 0.0), "everything inside [-lam, lam] is exactly zero"
    assert np.allclose(np.abs(out[np.abs(b) > 1.2]), np.abs(b[np.abs(b) > 1.2]) - 1.2)
    assert np.all(np.sign(out) * np.sign(b) >= 0), "never flips a sign"
    assert soft_threshold(-2.5, 1.0) == pytest.approx(-1.5)
    assert soft_threshold(2.5, 1.0).shape == ()


def test_soft_threshold_solves_the_one_dimensional_problem():
    grid = np.linspace(-5, 5, 200_001)
    for b in (-2.7, -0.4, 0.0, 0.9, 3.3):
        for lam in (0.0, 0.5, 1.0, 2.0):
            objective = 0.5 * (grid - b) ** 2 + lam * np.abs(grid)
            assert soft_threshold(b, lam) == pytest.approx(grid[np.argmin(objective)], abs=1e-4)


@pytest.mark.parametrize("lam", [-0.1, np.nan, np.inf])
def test_soft_threshold_rejects_bad_thresholds(lam):
    with pytest.raises(ValueError):
        soft_threshold([1.0, 2.0], lam)


@pytest.mark.parametrize("seed", range(3))
def test_soft_threshold_matches_sklearn_lasso_on_orthonormal_design(seed):
    n, p = 60, 8
    X = orthonormal_design(n, p, seed)
    rng = np.random.default_rng(100 + seed)
    y = X @ rng.normal(scale=2.0, size=p) + rng.normal(scale=0.3, size=n)
    for lam in (0.1, 0.5, 1.5):
        # sklearn's Lasso minimises (1 / (2n)) ||y - X w||^2 + alpha ||w||_1, so alpha = lam / n
        fit = Lasso(alpha=lam / n, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
        assert np.allclose(fit.coef_, soft_threshold(X.T @ y, lam), atol=1e-8)


# ---------------------------------------------------------------- ridge_closed_form

def test_ridge_hand_example():
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([-2.0, 0.0, 2.0])
    beta, b0 = ridge_closed_form(X, y, 0.0)
    assert beta == pytest.approx([2.0]) and b0 == pytest.approx(0.0)
    beta, b0 = ridge_closed_form(X, y, 2.0)          # 4 / (2 + 2)
    assert beta == pytest.approx([1.0]) and b0 == pytest.approx(0.0)
    beta, b0 = ridge_closed_form(X, y + 5.0, 2.0)    # shifting y moves only the unpenalised intercept
    assert beta == pytest.approx([1.0]) and b0 == pytest.approx(5.0)


@pytest.mark.parametrize(("seed", "n", "p"), [(0, 50, 5), (1, 30, 12), (2, 10, 40)])
@pytest.mark.parametrize("lam", [1e-3, 0.7, 25.0])
def test_ridge_matches_sklearn(seed, n, p, lam):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=3.0, scale=2.0, size=(n, p))
    y = X @ rng.normal(size=p) + 4.0 + rng.normal(size=n)
    beta, b0 = ridge_closed_form(X, y, lam)
    fit = Ridge(alpha=lam, fit_intercept=True, solver="cholesky").fit(X, y)
    assert np.allclose(beta, fit.coef_, rtol=1e-7, atol=1e-9)
    assert b0 == pytest.approx(fit.intercept_, rel=1e-7, abs=1e-9)


def test_ridge_with_zero_penalty_is_ols_and_shrinks_as_lam_grows():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + rng.normal(size=80)
    ols = LinearRegression().fit(X, y)
    beta, b0 = ridge_closed_form(X, y, 0.0)
    assert np.allclose(beta, ols.coef_) and b0 == pytest.approx(ols.intercept_)
    norms = [np.linalg.norm(ridge_closed_form(X, y, lam)[0]) for lam in (0.0, 1.0, 10.0, 100.0, 1e4)]
    assert all(a > b for a, b in zip(norms, norms[1:])), "the coefficient norm falls as lam grows"
    assert np.all(ridge_closed_form(X, y, 1e4)[0] != 0.0), "ridge shrinks but does not zero"


def test_ridge_handles_collinear_features_only_with_a_penalty():
    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    X = np.column_stack([x, x])                       # two identical columns
    y = 2.0 * x + rng.normal(scale=0.1, size=30)
    with pytest.raises(ValueError, match="singular"):
        ridge_closed_form(X, y, 0.0)
    beta, _ = ridge_closed_form(X, y, 1.0)
    assert beta[0] == pytest.approx(beta[1]), "identical columns share the weight equally"


@pytest.mark.parametrize(("X", "y", "lam"), [
    (np.ones((5, 2)), np.ones(4), 1.0),               # row count mismatch
    (np.ones(5), np.ones(5), 1.0),                    # X not 2-D
    (np.ones((5, 2)), np.ones((5, 1)), 1.0),          # y not 1-D
    (np.ones((5, 2)), np.ones(5), -1.0),              # negative penalty
    (np.ones((5, 2)), np.ones(5), np.nan),
])
def test_ridge_rejects_bad_input(X, y, lam):
    with pytest.raises(ValueError):
        ridge_closed_form(X, y, lam)
