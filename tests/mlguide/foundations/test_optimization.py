"""Tests for src/mlguide/foundations/optimization.py: against the closed-form least-squares solution, the exact quadratic theory
(rates, the 2/L limit, Polyak's tuning), and the page's worked example."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.foundations.optimization import curvature, heavy_ball_tuning, least_squares_loss, least_squares_sgd


def problem(seed=0, n=200, p=3, noise=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * np.linspace(0.5, 2.0, p) + 0.3 * rng.normal(size=(n, 1))  # kappa around 20
    y = X @ rng.normal(size=p) + noise * rng.normal(size=n)
    return X, y, np.linalg.lstsq(X, y, rcond=None)[0]


# ---- curvature ----

@pytest.mark.parametrize("seed", range(5))
def test_curvature_matches_singular_values(seed):
    X, _, _ = problem(seed)
    s = np.linalg.svd(X, compute_uv=False)
    L, mu = curvature(X)
    assert L == pytest.approx(s[0] ** 2 / len(X))
    assert mu == pytest.approx(s[-1] ** 2 / len(X))


def test_curvature_of_collinear_columns_is_zero():
    x = np.arange(10.0)
    L, mu = curvature(np.column_stack([x, 2 * x]))
    assert L == pytest.approx(5 * np.mean(x**2)) and mu == pytest.approx(0, abs=1e-10)


@pytest.mark.parametrize("X", [np.ones(3), np.empty((0, 2)), [[1.0, np.nan]]])
def test_curvature_bad_input(X):
    with pytest.raises(ValueError):
        curvature(X)


# ---- least_squares_sgd: batch ----

@pytest.mark.parametrize("seed", range(5))
def test_batch_gd_reaches_the_closed_form(seed):
    X, y, w_ols = problem(seed)
    L, mu = curvature(X)
    steps = int(np.ceil(np.log(1e-13) / np.log(1 - mu / L)))
    path = least_squares_sgd(X, y, lr=1 / L, epochs=steps)
    assert np.allclose(path[-1], w_ols, rtol=1e-9, atol=1e-9)
    assert np.allclose(path[-1], np.linalg.solve(X.T @ X, X.T @ y), rtol=1e-8, atol=1e-8)


def test_batch_gd_is_one_step_per_epoch_and_ignores_the_seed():
    X, y, _ = problem(1)
    a = least_squares_sgd(X, y, lr=0.1, epochs=7, seed=0)
    b = least_squares_sgd(X, y, lr=0.1, batch_size=len(X), epochs=7, seed=99)
    assert a.shape == (8, 3) and np.array_equal(a, b)
    assert np.array_equal(a[0], np.zeros(3))


def test_one_step_matches_the_gradient_formula():
    X, y, _ = problem(2)
    w0 = np.array([0.3, -1.0, 2.0])
    path = least_squares_sgd(X, y, lr=0.05, epochs=1, w0=w0)
    assert np.allclose(path[1], w0 - 0.05 * X.T @ (X @ w0 - y) / len(y))


def test_page_worked_example():
    # docs/foundations/gradient-descent.md: F(w) = (w1^2 + 10 w2^2) / 2, from (1, 1).
    X = np.sqrt(2) * np.array([[1.0, 0.0], [0.0, np.sqrt(10)]])   # X^T X / n = diag(1, 10) with n = 2
    y = np.zeros(2)
    assert curvature(X) == pytest.approx((10.0, 1.0))
    assert least_squares_loss(X, y, [1.0, 1.0]) == pytest.approx(5.5)
    p1 = least_squares_sgd(X, y, lr=0.1, epochs=44, w0=[1.0, 1.0])
    assert np.allclose(p1[1], [0.9, 0.0])                           # the steep coordinate is solved in one step
    assert abs(p1[43, 0]) > 0.01 > abs(p1[44, 0])                   # 0.9^44 < 0.01 < 0.9^43
    p2 = least_squares_sgd(X, y, lr=2 / 11, epochs=3, w0=[1.0, 1.0])
    assert np.allclose(p2[1], [9 / 11, -9 / 11])
    p3 = least_squares_sgd(X, y, lr=0.21, epochs=3, w0=[1.0, 1.0])
    assert np.allclose(p3[1:, 1], [-1.1, 1.21, -1.331])


@pytest.mark.parametrize("factor", [0.5, 1.0, 1.5, 1.9])
def test_step_below_two_over_L_converges(factor):
    X, y, w_ols = problem(3)
    L, _ = curvature(X)
    path = least_squares_sgd(X, y, lr=factor / L, epochs=20_000)
    assert np.allclose(path[-1], w_ols, atol=1e-6)


def test_step_above_two_over_L_diverges_at_the_predicted_rate():
    X, y, w_ols = problem(3)
    H = X.T @ X / len(X)
    evals, evecs = np.linalg.eigh(H)
    L, top = evals[-1], evecs[:, -1]
    path = least_squares_sgd(X, y, lr=2.2 / L, epochs=50)
    along = (path - w_ols) @ top
    assert np.allclose(along[1:] / along[:-1], 1 - 2.2)
    with pytest.raises(FloatingPointError, match="diverged"):
        least_squares_sgd(X, y, lr=2.2 / L, epochs=100_000)


# ---- momentum ----

def test_heavy_ball_tuning_gives_the_optimal_rate():
    L, mu = 4.0, 0.25
    lr, beta = heavy_ball_tuning(L, mu)
    assert lr == pytest.approx(4 / (2 + 0.5) ** 2) and beta == pytest.approx(((4 - 1) / (4 + 1)) ** 2)
    for lam in (mu, 1.0, L):   # spectral radius of the two-step iteration matrix on each eigenvalue
        T = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
        assert np.max(np.abs(np.linalg.eigvals(T))) == pytest.approx(np.sqrt(beta), rel=1e-6)


@pytest.mark.parametrize(("L", "mu"), [(1.0, 0.0), (1.0, 2.0), (np.inf, 1.0), (-1.0, -2.0)])
def test_heavy_ball_tuning_bad_input(L, mu):
    with pytest.raises(ValueError):
        heavy_ball_tuning(L, mu)


def test_heavy_ball_beats_plain_gd_and_reaches_the_closed_form():
    X, y, w_ols = problem(4)
    L, mu = curvature(X)
    lr, beta = heavy_ball_tuning(L, mu)
    steps = 100
    hb = least_squares_sgd(X, y, lr=lr, momentum=beta, epochs=steps)
    gd = least_squares_sgd(X, y, lr=2 / (L + mu), epochs=steps)
    err = lambda path: np.linalg.norm(path[-1] - w_ols)  # noqa: E731
    assert err(hb) < 1e-12 and err(hb) < err(gd) / 1e6


def test_momentum_moves_the_stability_limit_to_2_1_plus_beta_over_L():
    X, y, w_ols = problem(5)
    L, _ = curvature(X)
    beta = 0.5
    ok = least_squares_sgd(X, y, lr=2.9 / L, momentum=beta, epochs=5000)       # below 2(1 + 0.5) / L = 3 / L
    assert np.allclose(ok[-1], w_ols, atol=1e-6)
    with pytest.raises(FloatingPointError):
        least_squares_sgd(X, y, lr=3.1 / L, momentum=beta, epochs=100_000)


# ---- stochastic and mini-batch ----

def test_epoch_length_and_shuffling():
    X, y, _ = problem(6, n=103)
    assert least_squares_sgd(X, y, lr=0.01, batch_size=10, epochs=3).shape == (3 * 11 + 1, 3)
    assert least_squares_sgd(X, y, lr=0.01, batch_size=1, epochs=2).shape == (2 * 103 + 1, 3)
    a = least_squares_sgd(X, y, lr=0.01, batch_size=10, epochs=2, seed=1)
    b = least_squares_sgd(X, y, lr=0.01, batch_size=10, epochs=2, seed=1)
    c = least_squares_sgd(X, y, lr=0.01, batch_size=10, epochs=2, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_sgd_with_a_decaying_step_approaches_the_closed_form():
    X, y, w_ols = problem(7, n=300, noise=1.0)
    L, mu = curvature(X)
    path = least_squares_sgd(X, y, lr=lambda t: 2 / (mu * (t + 2 * L / mu)), batch_size=1, epochs=200, seed=3)
    constant = least_squares_sgd(X, y, lr=1 / (2 * L), batch_size=1, epochs=200, seed=3)
    gap = lambda w: least_squares_loss(X, y, w) - least_squares_loss(X, y, w_ols)  # noqa: E731
    assert gap(path[-1]) < 1e-3 * least_squares_loss(X, y, w_ols)
    assert gap(path[-1]) < gap(constant[-len(X):]).mean() / 10


def test_constant_step_sgd_converges_under_interpolation():
    X, y, _ = problem(8, noise=0.0)
    w_true = np.linalg.lstsq(X, y, rcond=None)[0]
    L, _ = curvature(X)
    path = least_squares_sgd(X, y, lr=0.2 / L, batch_size=1, epochs=300, seed=0)
    assert np.allclose(path[-1], w_true, atol=1e-8)


def test_least_squares_loss_on_a_path():
    X, y, w_ols = problem(9)
    path = np.vstack([np.zeros(3), w_ols])
    losses = least_squares_loss(X, y, path)
    assert losses.shape == (2,)
    assert losses[0] == pytest.approx(np.mean(y**2) / 2)
    assert losses[1] == pytest.approx(least_squares_loss(X, y, w_ols))
    with pytest.raises(ValueError):
        least_squares_loss(X, y, np.zeros(2))


# ---- bad input ----

@pytest.mark.parametrize("kwargs", [
    dict(batch_size=0), dict(batch_size=201), dict(epochs=0), dict(momentum=1.0), dict(momentum=-0.1),
])
def test_bad_settings_raise(kwargs):
    X, y, _ = problem(10)
    with pytest.raises(ValueError):
        least_squares_sgd(X, y, lr=0.01, **kwargs)


@pytest.mark.parametrize("lr", [0.0, -0.1, np.nan, lambda t: 0.1 if t < 3 else 0.0])
def test_bad_step_sizes_raise(lr):
    X, y, _ = problem(11)
    with pytest.raises(ValueError, match="step size"):
        least_squares_sgd(X, y, lr=lr, epochs=5)


@pytest.mark.parametrize(("X", "y"), [
    (np.ones((5, 2)), np.ones(4)), (np.ones(5), np.ones(5)), (np.ones((5, 2)), np.ones((5, 1))),
    (np.full((3, 2), np.inf), np.ones(3)), (np.ones((3, 2)), [1.0, np.nan, 0.0]),
])
def test_bad_data_raise(X, y):
    with pytest.raises(ValueError):
        least_squares_sgd(X, y, lr=0.01)


def test_wrong_start_shape_raises():
    X, y, _ = problem(12)
    with pytest.raises(ValueError):
        least_squares_sgd(X, y, lr=0.01, w0=[0.0, 0.0])
