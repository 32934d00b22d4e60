"""Tests for src/mlguide/models/boosting.py: the page's hand-worked rounds, and agreement with scikit-learn's
GradientBoostingRegressor, AdaBoostClassifier and histogram gradient boosting on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import (
    AdaBoostClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlguide.models.boosting import adaboost_round, adaboost_stumps, gradient_boost_squared, second_order_split

# The page's worked examples
X_GB, Y_GB = np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([1.0, 2.0, 6.0, 7.0])
X_ADA = np.arange(1, 11, dtype=float)[:, None]
Y_ADA = np.array([-1, -1, 1, 1, 1, -1, -1, 1, 1, -1])


# ---------------------------------------------------------------- gradient_boost_squared

def test_gradient_boosting_worked_example():
    model = gradient_boost_squared(X_GB, Y_GB, n_trees=2, learning_rate=0.5, max_depth=1)
    assert model.init == 4.0
    assert np.allclose(model.predict(X_GB, n_trees=1), [2.75, 2.75, 5.25, 5.25])
    assert np.sum((Y_GB - model.predict(X_GB, n_trees=1)) ** 2) == pytest.approx(7.25)
    assert np.allclose(model.predict(X_GB), [2.125, 2.125, 5.875, 5.875])
    assert np.sum((Y_GB - model.predict(X_GB)) ** 2) == pytest.approx(2.5625)
    full_step = gradient_boost_squared(X_GB, Y_GB, n_trees=1, learning_rate=1.0, max_depth=1)
    assert np.allclose(full_step.predict(X_GB), [1.5, 1.5, 6.5, 6.5])


@pytest.mark.parametrize(("n_trees", "learning_rate", "max_depth"), [(50, 1.0, 1), (200, 0.1, 3), (80, 0.3, 5)])
def test_gradient_boosting_matches_sklearn(n_trees, learning_rate, max_depth):
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    X_new, _ = make_friedman1(n_samples=200, random_state=1)
    ours = gradient_boost_squared(X, y, n_trees=n_trees, learning_rate=learning_rate, max_depth=max_depth,
                                  random_state=0)
    sk = GradientBoostingRegressor(n_estimators=n_trees, learning_rate=learning_rate, max_depth=max_depth,
                                   random_state=0).fit(X, y)
    assert ours.init == pytest.approx(sk.init_.constant_.item())
    assert np.allclose(ours.predict(X_new), sk.predict(X_new), atol=1e-9)
    for m, staged in enumerate(sk.staged_predict(X_new), start=1):
        if m in (1, n_trees // 2, n_trees):
            assert np.allclose(ours.predict(X_new, n_trees=m), staged, atol=1e-9)


def test_each_tree_fits_the_current_residuals():
    X, y = make_friedman1(n_samples=200, noise=0.5, random_state=3)
    nu = 0.3
    model = gradient_boost_squared(X, y, n_trees=20, learning_rate=nu, max_depth=2)
    for m, tree in enumerate(model.trees):
        residuals = y - model.predict(X, n_trees=m)
        refit = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, residuals)
        h = tree.predict(X)
        assert np.allclose(h, refit.predict(X))
        # leaf means make sum(r * h) = sum(h^2), so the squared error falls by nu (2 - nu) sum(h^2)
        assert np.sum(residuals * h) == pytest.approx(np.sum(h * h))
        after = np.sum((residuals - nu * h) ** 2)
        assert after == pytest.approx(np.sum(residuals ** 2) - nu * (2 - nu) * np.sum(h * h))


def test_stochastic_gradient_boosting_subsamples_rows():
    X, y = make_friedman1(n_samples=201, noise=1.0, random_state=0)
    a = gradient_boost_squared(X, y, n_trees=10, subsample=0.5, random_state=7)
    b = gradient_boost_squared(X, y, n_trees=10, subsample=0.5, random_state=7)
    c = gradient_boost_squared(X, y, n_trees=10, subsample=0.5, random_state=8)
    assert np.array_equal(a.predict(X), b.predict(X)), "a seed makes it reproducible"
    assert not np.allclose(a.predict(X), c.predict(X))
    assert all(tree.tree_.n_node_samples[0] == 100 for tree in a.trees), "int(0.5 * 201) rows per tree"
    full = gradient_boost_squared(X, y, n_trees=10, subsample=1.0, random_state=7)
    assert all(tree.tree_.n_node_samples[0] == 201 for tree in full.trees)


@pytest.mark.parametrize("kwargs", [
    {"n_trees": 0}, {"n_trees": 2.5}, {"learning_rate": 0.0}, {"learning_rate": 1.5},
    {"subsample": 0.0}, {"subsample": 1.2},
])
def test_gradient_boosting_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        gradient_boost_squared(X_GB, Y_GB, **kwargs)


@pytest.mark.parametrize(("X", "y"), [
    (np.ones(4), np.ones(4)), (np.ones((4, 1)), np.ones(3)), (np.ones((1, 1)), np.ones(1)),
    (np.array([[1.0], [np.nan]]), np.ones(2)),
])
def test_gradient_boosting_rejects_bad_data(X, y):
    with pytest.raises(ValueError):
        gradient_boost_squared(X, y)


# ---------------------------------------------------------------- adaboost_round

def test_adaboost_worked_round():
    w = np.full(10, 0.1)
    h = np.where(X_ADA[:, 0] > 2.5, 1, -1)          # the first stump
    assert list(np.flatnonzero(h != Y_ADA) + 1) == [6, 7, 10]
    err, alpha, w_new = adaboost_round(Y_ADA, h, w)
    assert err == pytest.approx(0.3)
    assert alpha == pytest.approx(0.5 * np.log(7 / 3)) and alpha == pytest.approx(0.4236, abs=1e-4)
    assert np.allclose(w_new[h != Y_ADA], 1 / 6) and np.allclose(w_new[h == Y_ADA], 1 / 14)
    assert w_new[h != Y_ADA].sum() == pytest.approx(0.5), "the last learner is now a coin flip"
    # the normaliser is 2 sqrt(err (1 - err)), the factor in the training-error bound
    assert np.sum(w * np.exp(-alpha * Y_ADA * h)) == pytest.approx(2 * np.sqrt(0.21))
    # round two: the stump "+1 when x < 5.5" misses 1, 2, 8 and 9, weighted error 4/14
    h2 = np.where(X_ADA[:, 0] < 5.5, 1, -1)
    err2, alpha2, _ = adaboost_round(Y_ADA, h2, w_new)
    assert err2 == pytest.approx(2 / 7) and alpha2 == pytest.approx(0.5 * np.log(2.5))


def test_adaboost_stumps_pick_the_page_stumps_and_match_sklearn():
    stumps, alphas, errors = adaboost_stumps(X_ADA, Y_ADA, n_rounds=2)
    assert np.array_equal(stumps[0].predict(X_ADA), np.where(X_ADA[:, 0] > 2.5, 1, -1))
    assert np.array_equal(stumps[1].predict(X_ADA), np.where(X_ADA[:, 0] < 5.5, 1, -1))
    assert np.allclose(errors, [0.3, 2 / 7])
    sk = AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1), n_estimators=2, random_state=0)
    sk.fit(X_ADA, Y_ADA)
    assert np.allclose(sk.estimator_errors_, errors)
    assert np.allclose(sk.estimator_weights_, 2 * alphas), "scikit-learn's vote log((1-err)/err) is 2 alpha"


@pytest.mark.parametrize("seed", range(3))
def test_adaboost_matches_sklearn_over_many_rounds(seed):
    X, y01 = make_classification(n_samples=300, n_features=5, flip_y=0.05, random_state=seed)
    y = 2 * y01 - 1
    stumps, alphas, errors = adaboost_stumps(X, y, n_rounds=15)
    sk = AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1), n_estimators=15, random_state=0)
    sk.fit(X, y01)
    assert len(stumps) == len(sk.estimators_) == 15
    assert np.allclose(errors, sk.estimator_errors_)
    assert np.allclose(2 * alphas, sk.estimator_weights_)
    score = sum(a * s.predict(X) for a, s in zip(alphas, stumps))
    # scikit-learn reports 2 * sum(alpha h) / sum(alpha) for two classes
    assert np.allclose(sk.decision_function(X), 2 * score / alphas.sum())
    assert np.array_equal(np.where(score > 0, 1, 0), sk.predict(X))


def test_adaboost_weights_are_exponential_loss_gradients():
    rng = np.random.default_rng(0)
    y = rng.choice([-1, 1], size=50)
    F = rng.normal(size=50)                         # some current ensemble score
    w = np.exp(-y * F)                              # AdaBoost's weights for that score
    grad = -y * np.exp(-y * F)                      # d/dF of exp(-y F)
    assert np.allclose(np.abs(grad), w)
    h = np.where(rng.uniform(size=50) < 0.7, y, -y)
    err, alpha, w_new = adaboost_round(y, h, w)
    assert np.allclose(w_new, np.exp(-y * (F + alpha * h)) / np.exp(-y * (F + alpha * h)).sum())
    # alpha minimises the exponential loss along h
    grid = np.linspace(alpha - 0.5, alpha + 0.5, 100_001)
    losses = np.exp(-np.outer(grid, y * h)) @ w
    assert grid[np.argmin(losses)] == pytest.approx(alpha, abs=1e-4)


@pytest.mark.parametrize(("y", "h", "w", "match"), [
    ([1, -1], [1, -1], [0.5, 0.5], "perfect"),
    ([1, -1], [-1, 1], [0.5, 0.5], "chance"),
    ([1, -1, 1, -1], [1, 1, -1, -1], [0.25] * 4, "chance"),     # err exactly 1/2
    ([1, 0], [1, 1], [0.5, 0.5], "-1 or"),
    ([1, -1], [1, 1], [0.5, -0.5], "weights"),
    ([1, -1], [1, 1], [0.0, 0.0], "weights"),
    ([1, -1], [1, 1, 1], [0.5, 0.5], "length"),
])
def test_adaboost_round_rejects_bad_input(y, h, w, match):
    with pytest.raises(ValueError, match=match):
        adaboost_round(y, h, w)


# ---------------------------------------------------------------- second_order_split

def test_second_order_worked_example():
    residuals = np.array([-3.0, -2.0, 2.0, 3.0])   # the gradient-boosting example at F_0 = 4
    g, h, left = -residuals, np.ones(4), np.array([True, True, False, False])
    wl, wr, gain = second_order_split(g, h, left, lam=0.0)
    assert (wl, wr, gain) == pytest.approx((-2.5, 2.5, 12.5))
    wl, wr, gain = second_order_split(g, h, left, lam=1.0)
    assert (wl, wr, gain) == pytest.approx((-5 / 3, 5 / 3, 25 / 3))
    assert second_order_split(g, h, left, lam=1.0, gamma=10.0)[2] == pytest.approx(25 / 3 - 10), "negative: prune"


@pytest.mark.parametrize("seed", range(3))
def test_squared_loss_gain_is_half_the_drop_in_squared_error(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    r = X[:, 0] + rng.normal(size=60)
    tree = DecisionTreeRegressor(max_depth=1).fit(X, r).tree_
    left = X[:, tree.feature[0]] <= tree.threshold[0]
    wl, wr, gain = second_order_split(-r, np.ones(60), left, lam=0.0)
    sse = tree.impurity * tree.n_node_samples                 # scikit-learn's squared error per node
    assert gain == pytest.approx(0.5 * (sse[0] - sse[1] - sse[2]))
    assert (wl, wr) == pytest.approx((tree.value[1, 0, 0], tree.value[2, 0, 0]))


@pytest.mark.parametrize("lam", [0.0, 1.0, 5.0])
def test_leaf_weights_match_sklearn_histogram_boosting(lam):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=80).astype(float)[:, None]       # two values, so the binning is exact
    left = x[:, 0] == 0
    y = rng.normal(size=80) + 2 * x[:, 0]
    reg = HistGradientBoostingRegressor(max_iter=1, max_leaf_nodes=2, learning_rate=1.0, l2_regularization=lam,
                                        min_samples_leaf=1, early_stopping=False).fit(x, y)
    F0 = y.mean()
    wl, wr, _ = second_order_split(F0 - y, np.ones(80), left, lam=lam)
    assert np.allclose(reg.predict([[0.0], [1.0]]) - F0, [wl, wr], atol=1e-6)
    # log loss: g = p - y, h = p (1 - p) at the starting log-odds
    yb = (rng.uniform(size=80) < 0.3 + 0.4 * x[:, 0]).astype(float)
    clf = HistGradientBoostingClassifier(max_iter=1, max_leaf_nodes=2, learning_rate=1.0, l2_regularization=lam,
                                         min_samples_leaf=1, early_stopping=False).fit(x, yb)
    p0 = yb.mean()
    wl, wr, _ = second_order_split(p0 - yb, np.full(80, p0 * (1 - p0)), left, lam=lam)
    assert np.allclose(clf.decision_function([[0.0], [1.0]]) - np.log(p0 / (1 - p0)), [wl, wr], atol=1e-6)


@pytest.mark.parametrize(("g", "h", "left", "kwargs"), [
    ([1.0, 2.0], [1.0, 1.0], [True, True], {}),                 # nothing goes right
    ([1.0, 2.0], [1.0, 1.0], [False, False], {}),
    ([1.0, 2.0], [1.0, -1.0], [True, False], {}),               # negative hessian
    ([1.0, 2.0], [1.0, 1.0], [True, False], {"lam": -1.0}),
    ([1.0, 2.0], [1.0, 1.0], [True, False], {"gamma": -1.0}),
    ([1.0, 2.0], [0.0, 0.0], [True, False], {"lam": 0.0}),      # empty curvature, no penalty
    ([1.0, 2.0, 3.0], [1.0, 1.0], [True, False], {}),
])
def test_second_order_split_rejects_bad_input(g, h, left, kwargs):
    with pytest.raises(ValueError):
        second_order_split(g, h, left, **kwargs)
