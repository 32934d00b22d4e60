"""Tests for src/mlguide/models/linear_models.py: against scikit-learn, SciPy's linregress, closed forms written with an
explicit inverse (no statsmodels), the page's worked example, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression

from mlguide.models.linear_models import OLSFit, ols, vif


def with_ones(X):
    return np.column_stack([np.ones(len(X)), X])


def data(seed=0, n=80, p=3, hetero=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 0.5 * rng.normal(size=(n, 1))
    noise = rng.normal(size=n) * (1 + 2 * np.abs(X[:, 0]) if hetero else 1.0)
    return X, 1.0 + X @ np.arange(1.0, p + 1) + noise


# ---- ols: coefficients ----

def test_page_worked_example():
    # docs/models/linear-regression.md: x = 1..4, y = 2, 3, 5, 6.
    fit = ols([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 5.0, 6.0])
    assert isinstance(fit, OLSFit)
    assert np.allclose(fit.coef, [0.5, 1.4])
    assert np.allclose(fit.residuals, [0.1, -0.3, 0.3, -0.1])
    assert fit.sigma2 == pytest.approx(0.1) and fit.df_resid == 2
    assert np.allclose(fit.se, [np.sqrt(0.15), np.sqrt(0.02)])
    assert fit.coef[1] / fit.se[1] == pytest.approx(9.899, abs=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_coefficients_match_scikit_learn(seed):
    X, y = data(seed)
    fit = ols(X, y)
    sk = LinearRegression().fit(X, y)
    assert fit.coef[0] == pytest.approx(sk.intercept_, abs=1e-10)
    assert np.allclose(fit.coef[1:], sk.coef_, atol=1e-10)
    sk0 = LinearRegression(fit_intercept=False).fit(X, y)
    assert np.allclose(ols(X, y, fit_intercept=False).coef, sk0.coef_, atol=1e-10)


def test_diabetes_matches_scikit_learn():
    X, y = load_diabetes(return_X_y=True)
    fit = ols(X, y)
    sk = LinearRegression().fit(X, y)
    assert np.allclose(fit.coef, np.r_[sk.intercept_, sk.coef_], rtol=1e-9, atol=1e-6)


# ---- ols: standard errors and residuals ----

@pytest.mark.parametrize("seed", range(5))
def test_classical_se_matches_the_closed_form(seed):
    X, y = data(seed)
    A = with_ones(X)
    inv = np.linalg.inv(A.T @ A)
    beta = inv @ A.T @ y
    e = y - A @ beta
    s2 = e @ e / (len(y) - A.shape[1])
    fit = ols(X, y)
    assert np.allclose(fit.coef, beta, atol=1e-10)
    assert fit.sigma2 == pytest.approx(s2)
    assert np.allclose(fit.se, np.sqrt(s2 * np.diag(inv)), rtol=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_simple_regression_matches_scipy_linregress(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, size=30)
    y = 2 - 0.7 * x + rng.normal(size=30)
    fit, ref = ols(x, y), stats.linregress(x, y)
    assert np.allclose(fit.coef, [ref.intercept, ref.slope])
    assert np.allclose(fit.se, [ref.intercept_stderr, ref.stderr])


@pytest.mark.parametrize("seed", range(3))
def test_robust_se_match_the_sandwich(seed):
    X, y = data(seed, hetero=True)
    A = with_ones(X)
    inv = np.linalg.inv(A.T @ A)
    e = y - A @ (inv @ A.T @ y)
    h = np.einsum("ij,jk,ik->i", A, inv, A)
    for cov, w in (("HC0", e**2), ("HC3", e**2 / (1 - h) ** 2)):
        V = inv @ (A.T * w) @ A @ inv
        assert np.allclose(ols(X, y, cov=cov).se, np.sqrt(np.diag(V)), rtol=1e-10), cov


def test_hc0_equals_classical_times_correction_when_residuals_are_equal():
    # with |e_i| constant and balanced design the sandwich reduces to sum(e^2)/n * (A^T A)^{-1}
    A = np.array([[1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    y = np.array([0.0, 2.0, 2.0, 0.0])           # fitted 1 everywhere, residuals -1, 1, 1, -1
    classical = ols(A[:, 1:], y).se
    hc0 = ols(A[:, 1:], y, cov="HC0").se
    assert np.allclose(hc0, classical * np.sqrt((4 - 2) / 4))


def test_residuals_are_orthogonal_and_leverage_is_the_hat_diagonal():
    X, y = data(7)
    fit = ols(X, y)
    A = with_ones(X)
    assert np.allclose(A.T @ fit.residuals, 0, atol=1e-9)
    assert fit.residuals.sum() == pytest.approx(0, abs=1e-9)
    H = A @ np.linalg.inv(A.T @ A) @ A.T
    assert np.allclose(fit.leverage, np.diag(H))
    assert fit.leverage.sum() == pytest.approx(A.shape[1])


def test_qr_beats_the_normal_equations_on_an_ill_conditioned_design():
    x = np.linspace(0, 1, 60)
    A = np.vander(x, 10, increasing=True)
    beta = np.ones(10)
    y = A @ beta
    qr_err = np.abs(ols(A, y, fit_intercept=False).coef - beta).max()
    ne_err = np.abs(np.linalg.solve(A.T @ A, A.T @ y) - beta).max()
    assert qr_err < 1e-4 and ne_err > 100 * qr_err


# ---- vif ----

@pytest.mark.parametrize("seed", range(5))
def test_vif_is_the_diagonal_of_the_inverse_correlation_matrix(seed):
    X, _ = data(seed, p=4)
    assert np.allclose(vif(X), np.diag(np.linalg.inv(np.corrcoef(X.T))))


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.99])
def test_vif_of_two_features_is_one_over_one_minus_rho_squared(rho):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(200, 2))
    Z -= Z.mean(axis=0)
    Z = np.linalg.qr(Z)[0]                                  # exactly uncorrelated, unit length
    X = Z @ np.linalg.cholesky([[1.0, rho], [rho, 1.0]]).T  # sample correlation exactly rho
    assert np.allclose(vif(X), 1 / (1 - rho**2))


def test_vif_under_exact_collinearity_is_infinite_and_ols_refuses():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 2))
    X = np.column_stack([X, X[:, 0] - 2 * X[:, 1]])
    assert np.all(np.isinf(vif(X)))
    with pytest.raises(ValueError, match="collinear"):
        ols(X, rng.normal(size=50))
    with pytest.raises(ValueError, match="collinear"):             # dummy trap: all dummies plus an intercept
        groups = np.eye(3)[rng.integers(0, 3, size=50)]
        ols(groups, rng.normal(size=50))


def test_vif_single_column_is_one():
    assert vif(np.arange(10.0)[:, None]) == pytest.approx([1.0])


# ---- bad input ----

@pytest.mark.parametrize(("X", "y"), [
    (np.ones((5, 2)), np.ones(4)),                    # length mismatch
    (np.ones((5, 2, 1)), np.ones(5)),                 # 3-D
    (np.array([[1.0, np.nan]] * 5), np.ones(5)),      # NaN feature
    (np.arange(5.0)[:, None], [1, 2, np.inf, 4, 5]),  # infinite target
    (np.arange(3.0)[:, None] ** [1, 2], np.ones(3)),  # n = k: no residual degrees of freedom
])
def test_ols_bad_input(X, y):
    with pytest.raises(ValueError):
        ols(X, y)


def test_ols_unknown_cov_and_hc3_at_leverage_one():
    X, y = data(3)
    with pytest.raises(ValueError, match="cov"):
        ols(X, y, cov="HC9")
    x, y = np.array([0.0, 0.0, 0.0, 10.0]), np.array([1.0, 2.0, 1.5, 7.0])
    fit = ols(x, y, cov="HC0")                          # h = 1/4 + 7.5^2 / 75 = 1 for the last point
    assert fit.leverage[-1] == pytest.approx(1.0) and fit.residuals[-1] == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match="leverage"):
        ols(x, y, cov="HC3")


@pytest.mark.parametrize("X", [np.ones((10, 2)), np.ones((3, 2))])
def test_vif_bad_input(X):
    with pytest.raises(ValueError):
        vif(X)
