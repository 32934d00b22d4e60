"""Tests for src/mlguide/data/selection.py: the page's hand-worked values, and agreement with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import chi2 as sk_chi2
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mutual_info_score

from mlguide.data.selection import mutual_information, permutation_importance


# ---------------------------------------------------------------- mutual_information

def test_worked_example_on_the_page():
    # 8 rows: x = 0 has y = (0, 0, 0, 1), x = 1 has y = (0, 1, 1, 1)
    x = [0, 0, 0, 0, 1, 1, 1, 1]
    y = [0, 0, 0, 1, 0, 1, 1, 1]
    expected = 0.75 * np.log(1.5) + 0.25 * np.log(0.5)
    assert mutual_information(x, y) == pytest.approx(expected, abs=1e-12)
    assert mutual_information(x, y) == pytest.approx(0.1308, abs=5e-5)
    # an identifier, one distinct value per row, scores H(Y) = log 2, the maximum
    assert mutual_information(np.arange(8), y) == pytest.approx(np.log(2), abs=1e-12)


def test_worked_example_tests_g_chi2_and_permutation():
    # G = 2 n I-hat is the likelihood-ratio statistic; the page's p-values, and why the identifier still wins on G
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    ident = np.arange(8)
    table = lambda a: np.array([[np.sum((a == v) & (y == c)) for c in (0, 1)] for v in np.unique(a)])  # noqa: E731
    for a, g_expected, p_g in [(x, 2.09, 0.15), (ident, 11.09, 0.13)]:
        g, p, dof, _ = chi2_contingency(table(a), correction=False, lambda_="log-likelihood")
        assert g == pytest.approx(2 * 8 * mutual_information(a, y), abs=1e-10)
        assert round(g, 2) == g_expected and round(p, 2) == p_g
    chi2_x, p_x, _, _ = chi2_contingency(table(x), correction=False)
    chi2_id, p_id, dof_id, _ = chi2_contingency(table(ident), correction=False)
    assert (chi2_x, round(p_x, 2)) == (pytest.approx(2.0), 0.16)
    assert (chi2_id, dof_id, round(p_id, 2)) == (pytest.approx(8.0), 7, 0.33)
    # a permutation test gives the identifier p = 1: every relabelling scores log 2 again
    rng = np.random.default_rng(0)
    assert all(mutual_information(ident, rng.permutation(y)) == pytest.approx(np.log(2)) for _ in range(20))
    # scikit-learn's chi2 scores each one-hot column from its per-class sums: 1.0 each, adding up to the table's 2
    one_hot = np.column_stack([x == 0, x == 1]).astype(float)
    assert sk_chi2(one_hot, y)[0] == pytest.approx([1.0, 1.0])
    assert sk_chi2(x[:, None], y)[0] == pytest.approx([1.0])


def test_xor_features_score_zero_alone_and_log2_together():
    x1 = np.array([0, 0, 1, 1] * 5)
    x2 = np.array([0, 1, 0, 1] * 5)
    y = x1 ^ x2
    assert mutual_information(x1, y) == pytest.approx(0.0, abs=1e-15)
    assert mutual_information(x2, y) == pytest.approx(0.0, abs=1e-15)
    pair = [f"{a}{b}" for a, b in zip(x1, x2)]      # the pair as one 4-level variable
    assert mutual_information(pair, y) == pytest.approx(np.log(2), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_matches_sklearn_mutual_info_score(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    x = rng.integers(0, int(rng.integers(1, 12)), size=n)
    y = (x % 3 + rng.integers(0, 3, size=n)) % 4
    assert mutual_information(x, y) == pytest.approx(mutual_info_score(y, x), abs=1e-12)
    assert mutual_information(x, y) == pytest.approx(mutual_information(y, x), abs=1e-12), "symmetric"


def test_labels_of_any_type_and_bounds():
    x = np.array(["a", "b", "a", "c", "c", "b"])
    y = np.array([1.5, -2.0, 1.5, 7.0, 7.0, -2.0])    # a function of x
    h_y = -3 * (1 / 3) * np.log(1 / 3)
    assert mutual_information(x, y) == pytest.approx(h_y), "if y is a function of x, I = H(Y)"
    assert mutual_information(np.zeros(6), y) == 0.0, "a constant carries no information"
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 5, 300), rng.integers(0, 3, 300)
    h = lambda v: -np.sum((c := np.unique(v, return_counts=True)[1] / len(v)) * np.log(c))  # noqa: E731
    assert 0.0 <= mutual_information(a, b) <= min(h(a), h(b)) + 1e-12


def test_plug_in_bias_grows_with_the_number_of_levels():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=1000)
    few = np.mean([mutual_information(rng.integers(0, 2, 1000), y) for _ in range(50)])
    many = np.mean([mutual_information(rng.integers(0, 200, 1000), y) for _ in range(50)])
    # independent of y, so the true value is 0; the bias is about (a - 1)(b - 1) / (2n) nats
    assert few == pytest.approx(1 / 2000, rel=0.5)
    assert many == pytest.approx(199 / 2000, rel=0.25)


@pytest.mark.parametrize("x, y", [([0, 1], [0]), ([], []), (np.zeros((2, 2)), np.zeros((2, 2)))])
def test_mutual_information_rejects_bad_input(x, y):
    with pytest.raises(ValueError):
        mutual_information(x, y)


# ---------------------------------------------------------------- permutation_importance

@pytest.fixture(scope="module")
def forest_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=300) > 0).astype(int)
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(X[:200], y[:200])
    return model, X[200:], y[200:]


@pytest.mark.parametrize("random_state, n_repeats", [(0, 1), (0, 5), (42, 7)])
def test_matches_sklearn_exactly_for_the_same_random_state(forest_problem, random_state, n_repeats):
    model, X_test, y_test = forest_problem
    ours = permutation_importance(model.score, X_test, y_test, n_repeats=n_repeats, random_state=random_state)
    theirs = sk_permutation_importance(model, X_test, y_test, n_repeats=n_repeats, random_state=random_state)
    assert ours.shape == (4, n_repeats)
    assert np.allclose(ours, theirs.importances, atol=1e-12)
    assert np.allclose(ours.mean(axis=1), theirs.importances_mean, atol=1e-12)


def test_matches_sklearn_for_a_regression_scorer():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 5))
    y = X @ np.array([3.0, -1.0, 0.0, 0.5, 0.0]) + rng.normal(size=150)
    model = Ridge(alpha=1.0).fit(X[:100], y[:100])
    neg_mse = lambda A, b: -np.mean((b - model.predict(A)) ** 2)  # noqa: E731
    ours = permutation_importance(neg_mse, X[100:], y[100:], n_repeats=4, random_state=7)
    theirs = sk_permutation_importance(model, X[100:], y[100:], scoring="neg_mean_squared_error",
                                       n_repeats=4, random_state=7)
    assert np.allclose(ours, theirs.importances, atol=1e-10)


def test_linear_model_importance_is_about_two_beta_squared_var():
    # For least squares, shuffling x_j raises the MSE by about 2 beta_j^2 Var(x_j): the page's worked example.
    rng = np.random.default_rng(5)
    n = 20_000
    X = rng.normal(size=(n, 2))
    y = 2.0 * X[:, 0] + rng.normal(size=n)
    model = LinearRegression().fit(X, y)
    neg_mse = lambda A, b: -np.mean((b - model.predict(A)) ** 2)  # noqa: E731
    alone = permutation_importance(neg_mse, X, y, n_repeats=3, random_state=0).mean(axis=1)
    assert alone[0] == pytest.approx(8.0, rel=0.03) and abs(alone[1]) < 0.01
    # an exact duplicate with the weight split 1 + 1: each copy drops to a quarter, the pair stays at 8
    X2 = np.column_stack([X[:, 0], X[:, 0]])
    split = lambda A, b: -np.mean((b - A @ np.array([1.0, 1.0])) ** 2)  # noqa: E731
    each = permutation_importance(split, X2, y, n_repeats=3, random_state=0).mean(axis=1)
    both = permutation_importance(split, X2, y, n_repeats=3, random_state=0, groups=[[0, 1]]).mean()
    assert each == pytest.approx([2.0, 2.0], rel=0.03)
    assert both == pytest.approx(8.0, rel=0.03)


def test_groups(forest_problem):
    model, X_test, y_test = forest_problem
    single = permutation_importance(model.score, X_test, y_test, n_repeats=3, random_state=1)
    as_groups = permutation_importance(model.score, X_test, y_test, n_repeats=3, random_state=1,
                                       groups=[[j] for j in range(4)])
    assert np.array_equal(single, as_groups)
    # adding a column the model never reads to a group changes nothing
    widened = np.column_stack([X_test, X_test[:, 0]])
    score5 = lambda A, b: model.score(A[:, :4], b)  # noqa: E731
    with_unused = permutation_importance(score5, widened, y_test, n_repeats=3, random_state=1, groups=[[0, 4]])
    assert np.array_equal(with_unused[0], single[0])


def test_unused_column_scores_exactly_zero_and_input_is_untouched(forest_problem):
    model, X_test, y_test = forest_problem
    widened = np.column_stack([X_test, np.arange(len(X_test))])
    before = widened.copy()
    score5 = lambda A, b: model.score(A[:, :4], b)  # noqa: E731
    drops = permutation_importance(score5, widened, y_test, n_repeats=4, random_state=0)
    assert np.all(drops[4] == 0.0)
    assert np.array_equal(widened, before), "X is not modified in place"


def test_reproducible_and_seed_dependent(forest_problem):
    model, X_test, y_test = forest_problem
    a = permutation_importance(model.score, X_test, y_test, n_repeats=5, random_state=3)
    b = permutation_importance(model.score, X_test, y_test, n_repeats=5, random_state=3)
    c = permutation_importance(model.score, X_test, y_test, n_repeats=5, random_state=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("kwargs", [{"n_repeats": 0}, {"n_repeats": 2.5}, {"groups": [[]]}, {"groups": [[0, 9]]},
                                    {"groups": [[-1]]}])
def test_permutation_importance_rejects_bad_arguments(forest_problem, kwargs):
    model, X_test, y_test = forest_problem
    with pytest.raises(ValueError):
        permutation_importance(model.score, X_test, y_test, **kwargs)


def test_permutation_importance_rejects_bad_shapes(forest_problem):
    model, X_test, y_test = forest_problem
    with pytest.raises(ValueError):
        permutation_importance(model.score, X_test[:, 0], y_test)
    with pytest.raises(ValueError):
        permutation_importance(model.score, X_test, y_test[:-1])
