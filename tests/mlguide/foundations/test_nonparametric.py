"""Tests for src/mlguide/foundations/nonparametric.py: scikit-learn's leave-one-out k-NN, the smoother shortcut, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import LeaveOneOut, cross_val_predict
from sklearn.neighbors import KNeighborsRegressor

from mlguide.foundations.nonparametric import knn_loo_mse


def data(n: int, d: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, d))
    y = np.sin(3 * X[:, 0]) + rng.normal(scale=0.3, size=n)
    return X, y


@pytest.mark.parametrize("seed, d", [(0, 1), (1, 2), (2, 5)])
def test_agrees_with_scikit_learn_leave_one_out(seed, d):
    X, y = data(30, d, seed)
    errors = knn_loo_mse(X, y, k_max=6)
    assert errors.shape == (6,)
    for k in range(1, 7):
        pred = cross_val_predict(KNeighborsRegressor(n_neighbors=k, algorithm="brute"), X, y, cv=LeaveOneOut())
        assert errors[k - 1] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-12)


def test_a_subset_of_rows_averages_only_their_errors():
    X, y = data(60, 2, 3)
    rows = np.array([0, 5, 17, 59])
    per_row = np.stack([knn_loo_mse(X, y, 6, rows=[i]) for i in rows])
    assert np.allclose(knn_loo_mse(X, y, 6, rows=rows), per_row.mean(axis=0))
    assert np.allclose(np.mean([knn_loo_mse(X, y, 6, rows=[i]) for i in range(60)], axis=0), knn_loo_mse(X, y, 6))


def test_hand_example():
    # x = 0, 1, 3, 6, y = 0, 2, 4, 8; k = 1: the nearest other x is 1, 0, 1, 3, so the predictions are 2, 0, 2, 4
    X = np.array([[0.0], [1.0], [3.0], [6.0]])
    y = np.array([0.0, 2.0, 4.0, 8.0])
    assert knn_loo_mse(X, y, 1)[0] == pytest.approx((4 + 4 + 4 + 16) / 4)


def test_linear_smoother_shortcut_gives_k_minus_one_neighbours():
    # The shortcut (y_i - yhat_i) / (1 - S_ii), S_ii = 1/k, from a k-NN fit that includes each point itself,
    # averages the k - 1 other neighbours: it is the leave-one-out error of (k-1)-NN, not of k-NN.
    X, y = data(50, 2, 4)
    loo = knn_loo_mse(X, y, 7)
    for k in range(2, 8):
        fitted = KNeighborsRegressor(n_neighbors=k, algorithm="brute").fit(X, y).predict(X)
        shortcut = np.mean(((y - fitted) / (1 - 1 / k)) ** 2)
        assert shortcut == pytest.approx(loo[k - 2], rel=1e-10)
        assert shortcut != pytest.approx(loo[k - 1], rel=1e-3)


def test_k_max_of_n_minus_one_and_row_order_ties():
    X, y = data(12, 2, 5)
    errors = knn_loo_mse(X, y, 11)
    # with every other point as a neighbour, the prediction for i is the mean of the other 11 targets
    others_mean = (y.sum() - y) / 11
    assert errors[-1] == pytest.approx(np.mean((others_mean - y) ** 2))
    # points 1 and 2 are equally far from point 0: the lower row index comes first
    X = np.array([[0.0], [-1.0], [1.0], [4.0]])
    y = np.array([0.0, 10.0, 20.0, 0.0])
    assert knn_loo_mse(X, y, 3, rows=[0])[0] == pytest.approx(100.0)


def test_duplicate_points_are_still_neighbours():
    X = np.array([[0.0], [0.0], [5.0]])
    y = np.array([1.0, 3.0, 10.0])
    # leaving out row 0, its nearest remaining point is its duplicate, row 1
    assert knn_loo_mse(X, y, 1, rows=[0])[0] == pytest.approx(4.0)


@pytest.mark.parametrize("k_max", [0, 4, 2.0, True])
def test_bad_k(k_max):
    X, y = data(4, 1, 0)
    with pytest.raises(ValueError, match="k_max"):
        knn_loo_mse(X, y, k_max)


def test_bad_input():
    X, y = data(10, 2, 0)
    with pytest.raises(ValueError, match="shape"):
        knn_loo_mse(X[:, 0], y, 2)
    with pytest.raises(ValueError, match="shape"):
        knn_loo_mse(X, y[:-1], 2)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        knn_loo_mse(bad, y, 2)
    for rows in ([], [10], [-1], [0.5]):
        with pytest.raises(ValueError, match="rows"):
            knn_loo_mse(X, y, 2, rows=rows)


def test_parametric_page_worked_example():
    # docs/foundations/parametric-vs-nonparametric.md: x = 0..3, y = 1, 3, 2, 4; line 1.3 + 0.8 x against 2-NN.
    from sklearn.linear_model import LinearRegression

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([1.0, 3.0, 2.0, 4.0])
    line = LinearRegression().fit(X, y)
    assert line.coef_[0] == pytest.approx(0.8) and line.intercept_ == pytest.approx(1.3)
    assert line.predict([[1.4], [5.0]]) == pytest.approx([2.42, 5.3])
    knn = KNeighborsRegressor(n_neighbors=2).fit(X, y)
    assert knn.predict([[1.4], [5.0]]) == pytest.approx([2.5, 3.0])
    # the curved target's best straight line: E[sin^2 3x] - Cov(x, sin 3x)^2 / Var(x) for x ~ U[-1, 1]
    x = np.linspace(-1, 1, 200_001)
    best = np.mean(np.sin(3 * x) ** 2) - np.mean(x * np.sin(3 * x)) ** 2 / np.mean(x**2)
    assert best == pytest.approx(0.5233 - 3 * 0.3457**2, abs=1e-3) and round(best, 3) == 0.165
