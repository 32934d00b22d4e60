"""Tests for src/mlguide/evaluation/regression.py: against scikit-learn and against the page's hand-worked example."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics
from sklearn.linear_model import LinearRegression

from mlguide.evaluation.regression import adjusted_r2, huber_loss, mae, mse, paired, pinball_loss, r2_score, rmse

# The worked example on docs/evaluation/regression-metrics.md: OLS line through five points.
X_EX = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
Y_EX = np.array([2.0, 4.0, 5.0, 4.0, 5.0])
YHAT_EX = 2.2 + 0.6 * X_EX


def test_worked_example_matches_the_page():
    assert np.allclose(np.polyfit(X_EX, Y_EX, 1), [0.6, 2.2])
    assert mae(Y_EX, YHAT_EX) == pytest.approx(0.64)
    assert mse(Y_EX, YHAT_EX) == pytest.approx(0.48)
    assert rmse(Y_EX, YHAT_EX) == pytest.approx(math.sqrt(0.48))
    assert r2_score(Y_EX, YHAT_EX) == pytest.approx(0.6)
    assert adjusted_r2(0.6, n=5, p=1) == pytest.approx(1 - 0.4 * 4 / 3)
    # predicting a constant 5 is worse than predicting the mean 4: R^2 = 1 - 11/6
    assert r2_score(Y_EX, np.full(5, 5.0)) == pytest.approx(-5 / 6)
    # one target miscoded by +10: MAE x4, RMSE x6.4
    y_bad = Y_EX.copy()
    y_bad[-1] += 10
    assert mae(y_bad, YHAT_EX) == pytest.approx(2.56)
    assert mse(y_bad, YHAT_EX) == pytest.approx(19.68)


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=50) * 3 + 1
    yhat = y + rng.standard_t(df=3, size=50)
    assert mae(y, yhat) == pytest.approx(metrics.mean_absolute_error(y, yhat))
    assert mse(y, yhat) == pytest.approx(metrics.mean_squared_error(y, yhat))
    assert rmse(y, yhat) == pytest.approx(math.sqrt(metrics.mean_squared_error(y, yhat)))
    assert r2_score(y, yhat) == pytest.approx(metrics.r2_score(y, yhat))
    assert r2_score(y, -yhat) == pytest.approx(metrics.r2_score(y, -yhat))  # a bad model: negative R^2


def test_r2_of_ols_with_intercept_equals_squared_correlation_in_sample():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=40)
    fit = LinearRegression().fit(X, y)
    yhat = fit.predict(X)
    assert r2_score(y, yhat) == pytest.approx(fit.score(X, y))
    assert r2_score(y, yhat) == pytest.approx(np.corrcoef(y, yhat)[0, 1] ** 2)


def test_adjusted_r2_is_one_minus_ratio_of_variance_estimates():
    rng = np.random.default_rng(1)
    n, p = 30, 4
    X = rng.normal(size=(n, p))
    y = X[:, 0] + rng.normal(size=n)
    yhat = LinearRegression().fit(X, y).predict(X)
    s2_res = np.sum((y - yhat) ** 2) / (n - p - 1)
    s2_tot = np.var(y, ddof=1)
    assert adjusted_r2(r2_score(y, yhat), n, p) == pytest.approx(1 - s2_res / s2_tot)


def test_adjusted_r2_runs_slightly_below_the_population_r2():
    # y = x1 + noise with Var(x1) = Var(noise) = 1: population R^2 = 0.5. With n = 20 and the true model fitted,
    # the mean adjusted R^2 over many training sets is close to 0.5 but below it.
    rng = np.random.default_rng(6)
    n, reps = 20, 4000
    x = rng.normal(size=(reps, n))
    y = x + rng.normal(size=(reps, n))
    xc, yc = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    r2 = (xc * yc).sum(axis=1) ** 2 / ((xc**2).sum(axis=1) * (yc**2).sum(axis=1))   # simple regression: R^2 = r^2
    adj = np.array([adjusted_r2(v, n, 1) for v in r2])
    se = adj.std(ddof=1) / np.sqrt(reps)
    assert -0.05 < adj.mean() - 0.5 < -3 * se


def test_adjusted_r2_edge_cases():
    assert adjusted_r2(1.0, 10, 3) == 1.0              # a perfect fit stays perfect
    assert adjusted_r2(0.3, 10, 0) == pytest.approx(0.3)  # no predictors: no penalty
    assert adjusted_r2(0.1, 10, 5) < 0                # a weak fit with many predictors goes negative
    assert adjusted_r2(0.5, 1000, 3) < 0.5


@pytest.mark.parametrize(("n", "p"), [(5, 4), (5, 5), (2, 1), (10, -1), (10.5, 2)])
def test_adjusted_r2_rejects_bad_sizes(n, p):
    with pytest.raises(ValueError):
        adjusted_r2(0.5, n, p)


@pytest.mark.parametrize("r2", [1.5, float("nan"), float("inf")])
def test_adjusted_r2_rejects_impossible_r2(r2):
    with pytest.raises(ValueError):
        adjusted_r2(r2, 20, 2)


def test_r2_undefined_for_constant_targets():
    with pytest.raises(ValueError, match="undefined"):
        r2_score([3.0, 3.0, 3.0], [3.0, 3.0, 2.0])


def test_perfect_and_mean_predictions():
    y = np.array([1.0, 2.0, 4.0])
    assert r2_score(y, y) == 1.0
    assert r2_score(y, np.full(3, y.mean())) == pytest.approx(0.0)
    assert mae(y, y) == mse(y, y) == rmse(y, y) == 0.0


def test_rmse_between_mae_and_sqrt_n_mae():
    rng = np.random.default_rng(2)
    for _ in range(20):
        y, yhat = rng.normal(size=(2, 7))
        assert mae(y, yhat) <= rmse(y, yhat) + 1e-12 <= math.sqrt(7) * mae(y, yhat) + 1e-9


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [([1.0, 2.0], [1.0]), ([], []), ([[1.0, 2.0]], [[1.0, 2.0]]), ([1.0, np.nan], [1.0, 2.0]), ([1.0, 2.0], [np.inf, 0.0])],
)
def test_bad_inputs_raise(y_true, y_pred):
    with pytest.raises(ValueError):
        paired(y_true, y_pred)
    with pytest.raises(ValueError):
        mae(y_true, y_pred)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_pinball_agrees_with_scikit_learn(tau):
    rng = np.random.default_rng(3)
    y, yhat = rng.normal(size=(2, 40))
    assert pinball_loss(y, yhat, tau) == pytest.approx(metrics.mean_pinball_loss(y, yhat, alpha=tau))


def test_pinball_by_hand_and_its_minimiser_is_the_quantile():
    # under-forecast by 2 at tau = 0.9 costs 1.8; over-forecast by 2 costs 0.2: nine times less
    assert pinball_loss([3.0], [1.0], 0.9) == pytest.approx(1.8)
    assert pinball_loss([1.0], [3.0], 0.9) == pytest.approx(0.2)
    assert pinball_loss(Y_EX, YHAT_EX, 0.5) == pytest.approx(mae(Y_EX, YHAT_EX) / 2)
    y = np.random.default_rng(4).exponential(size=1001)
    grid = np.linspace(0, 4, 4001)
    best = grid[np.argmin([pinball_loss(y, np.full_like(y, c), 0.9) for c in grid])]
    assert best == pytest.approx(np.quantile(y, 0.9), abs=2e-3)


def test_huber_by_hand_and_its_limits():
    # residuals 0.5 (quadratic zone) and 3 (linear zone) with delta = 1: 0.125 and 2.5
    assert huber_loss([0.5, 3.0], [0.0, 0.0], 1.0) == pytest.approx((0.125 + 2.5) / 2)
    rng = np.random.default_rng(5)
    y, yhat = rng.normal(size=(2, 30))
    assert huber_loss(y, yhat, 1e6) == pytest.approx(mse(y, yhat) / 2)           # large delta: half the MSE
    assert huber_loss(y, yhat, 1e-6) / 1e-6 == pytest.approx(mae(y, yhat), rel=1e-5)  # small delta: delta * MAE


@pytest.mark.parametrize(("fn", "arg"), [(pinball_loss, 0.0), (pinball_loss, 1.0), (huber_loss, 0.0),
                                          (huber_loss, -1.0), (huber_loss, float("nan"))])
def test_robust_losses_reject_bad_parameters(fn, arg):
    with pytest.raises(ValueError):
        fn([1.0, 2.0], [1.0, 2.0], arg)
