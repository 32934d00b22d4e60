"""Tests for src/mlguide/data/scaling.py: the page's worked example, agreement with scikit-learn's MinMaxScaler (fitted
on training rows, applied to new rows, constant columns, NaNs, other target ranges), and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import MinMaxScaler, minmax_scale

from mlguide.data.scaling import minmax_fit, minmax_transform


def test_page_worked_example():
    # docs/data/feature-scaling.md, "Worked example": training values (2, 4, 5, 6, 8), min 2 and range 6
    X_train = np.array([[2.0], [4.0], [5.0], [6.0], [8.0]])
    data_min, data_range = minmax_fit(X_train)
    assert data_min.tolist() == [2.0] and data_range.tolist() == [6.0]
    assert np.allclose(minmax_transform(X_train, data_min, data_range).ravel(), [0, 1 / 3, 1 / 2, 2 / 3, 1],
                       rtol=0, atol=1e-15)
    # a new value 11 maps to (11 - 2) / 6 = 1.5: mapped with the training statistics, not clipped
    assert minmax_transform([[11.0], [2.0], [0.5]], data_min, data_range).ravel().tolist() == [1.5, 0.0, -0.25]
    # the same column to (-1, 1)
    assert np.allclose(minmax_transform(X_train, data_min, data_range, (-1, 1)).ravel(), [-1, -1 / 3, 0, 1 / 3, 1])
    # with the outlier 98 in place of 8: range 96, the other four squeezed into [0, 4/96] = [0, 0.042]
    X_out = np.array([[2.0], [4.0], [5.0], [6.0], [98.0]])
    out = minmax_transform(X_out, *minmax_fit(X_out)).ravel()
    assert np.allclose(out, [0, 2 / 96, 3 / 96, 4 / 96, 1]) and round(out[3], 3) == 0.042
    assert np.allclose(out, MinMaxScaler().fit_transform(X_out).ravel())


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1), (2.5, 7.0)])
def test_matches_sklearn_minmaxscaler_on_train_and_new_data(seed, feature_range):
    rng = np.random.default_rng(seed)
    p = int(rng.integers(1, 8))
    scales = 10.0 ** rng.uniform(-3, 4, size=p)
    X_train = rng.normal(loc=rng.normal(scale=50, size=p), scale=scales, size=(40, p))
    X_new = rng.normal(loc=X_train.mean(axis=0), scale=2 * scales, size=(25, p))  # partly outside the training range
    data_min, data_range = minmax_fit(X_train)
    sk = MinMaxScaler(feature_range=feature_range).fit(X_train)
    assert np.allclose(data_min, sk.data_min_, rtol=0, atol=0)
    assert np.allclose(data_range, sk.data_range_, rtol=1e-15, atol=0)
    # scikit-learn computes x * scale_ + min_, whose two terms cancel when |min / range| is large, so it is
    # accurate to about eps * |min / range| (1.6e-12 for seed 0); (x - min) / range is accurate to a few eps
    lo, hi = feature_range
    tol = 8 * np.finfo(float).eps * (1 + np.max(np.abs(data_min / data_range))) * (hi - lo + abs(lo))
    for X in (X_train, X_new):
        assert np.allclose(minmax_transform(X, data_min, data_range, feature_range), sk.transform(X),
                           rtol=0, atol=tol)
    assert np.allclose(minmax_transform(X_train, data_min, data_range, feature_range),
                       minmax_scale(X_train, feature_range=feature_range), atol=1e-12)


def test_agrees_with_exact_rational_arithmetic():
    from fractions import Fraction

    rng = np.random.default_rng(0)
    X = rng.normal(loc=[47.3, -5e3, 0.0], scale=[0.007, 3e3, 1.0], size=(30, 3))  # offsets that make x * s + m cancel
    data_min, data_range = minmax_fit(X)
    out = minmax_transform(X, data_min, data_range)
    exact = np.array([[float((Fraction(x) - Fraction(m)) / Fraction(r)) for x, m, r in zip(row, data_min, data_range)]
                      for row in X])
    assert np.abs(out - exact).max() <= 2 * np.finfo(float).eps
    # scikit-learn's x * scale_ + min_ loses digits to cancellation here (|min / range| is about 1,600 in column 0):
    # its error is over 100 eps, while still within the tolerance used against it above
    sk_err = np.abs(MinMaxScaler().fit(X).transform(X) - exact).max()
    assert np.max(np.abs(data_min / data_range)) > 1000
    assert 100 * np.finfo(float).eps < sk_err < 8 * np.finfo(float).eps * (1 + np.max(np.abs(data_min / data_range)))


def test_training_rows_span_the_target_range_exactly():
    rng = np.random.default_rng(11)
    X = rng.exponential(scale=[1.0, 100.0, 1e-4], size=(200, 3))
    out = minmax_transform(X, *minmax_fit(X))
    assert np.array_equal(out.min(axis=0), [0.0, 0.0, 0.0])
    assert np.allclose(out.max(axis=0), 1.0, atol=1e-15)
    # order within each column is preserved (a strictly increasing map)
    assert all(np.array_equal(np.argsort(X[:, j]), np.argsort(out[:, j])) for j in range(3))


def test_new_data_outside_the_training_range_is_not_clipped():
    data_min, data_range = minmax_fit([[0.0], [10.0]])
    out = minmax_transform([[-5.0], [25.0]], data_min, data_range)
    assert out.ravel().tolist() == [-0.5, 2.5]
    sk = MinMaxScaler().fit([[0.0], [10.0]])
    assert np.allclose(out, sk.transform([[-5.0], [25.0]]))


@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1), (3, 5)])
def test_constant_column_matches_sklearn(feature_range):
    X_train = np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 5.0]])
    X_new = np.array([[3.0, 0.0], [4.5, 9.0], [1.0, 2.0]])
    data_min, data_range = minmax_fit(X_train)
    assert data_range[0] == 0.0
    sk = MinMaxScaler(feature_range=feature_range).fit(X_train)
    with np.errstate(all="raise"):  # no division by zero, no invalid value
        train_out = minmax_transform(X_train, data_min, data_range, feature_range)
        new_out = minmax_transform(X_new, data_min, data_range, feature_range)
    lo, hi = feature_range
    assert np.all(train_out[:, 0] == lo), "the constant training value maps to the low end"
    assert np.allclose(new_out[:, 0], lo + (X_new[:, 0] - 3.0) * (hi - lo)), "a new value is only shifted"
    assert np.allclose(train_out, sk.transform(X_train)) and np.allclose(new_out, sk.transform(X_new))


def test_nearly_constant_column_uses_the_same_threshold_as_sklearn():
    # ranges of 1e-16 (below 10 * eps, treated as constant) and 1e-14 (above it, scaled normally)
    X_train = np.array([[0.0, 0.0], [1e-16, 1e-14]])
    data_min, data_range = minmax_fit(X_train)
    sk = MinMaxScaler().fit(X_train)
    out = minmax_transform(X_train, data_min, data_range)
    assert np.allclose(out, sk.transform(X_train), atol=1e-15)
    assert out[1, 0] == pytest.approx(1e-16) and out[1, 1] == pytest.approx(1.0)


def test_nans_are_ignored_when_fitting_and_kept_when_transforming():
    X_train = np.array([[1.0, np.nan], [np.nan, 4.0], [3.0, 8.0], [5.0, np.nan]])
    data_min, data_range = minmax_fit(X_train)
    assert data_min.tolist() == [1.0, 4.0] and data_range.tolist() == [4.0, 4.0]
    out = minmax_transform(X_train, data_min, data_range)
    assert np.array_equal(np.isnan(out), np.isnan(X_train)), "NaN exactly where the input had NaN"
    sk = MinMaxScaler().fit(X_train)
    assert np.allclose(out, sk.transform(X_train), equal_nan=True)
    X_new = np.array([[np.nan, 6.0], [2.0, np.nan]])
    assert np.allclose(minmax_transform(X_new, data_min, data_range), sk.transform(X_new), equal_nan=True)
    # fitting with a NaN gives the same statistics as fitting on the observed values only
    dm, dr = minmax_fit(X_train[~np.isnan(X_train[:, 0])][:, [0]])
    assert dm[0] == data_min[0] and dr[0] == data_range[0]


def test_divergences_from_sklearn_are_the_documented_ones():
    # float32 input: scikit-learn's zero-range threshold is 10 * eps of the input dtype (1.2e-6 for float32), ours is
    # always float64's, so a float32 range of 1e-6 is constant to scikit-learn and scaled to [0, 1] here
    x32 = np.array([[0.0], [1e-6]], dtype=np.float32)
    assert np.allclose(MinMaxScaler().fit_transform(x32).ravel(), [0.0, 1e-6])
    assert np.allclose(minmax_transform(x32, *minmax_fit(x32)).ravel(), [0.0, 1.0])
    # an all-NaN training column: scikit-learn warns and returns NaN for it, ours raises
    X = np.array([[np.nan, 1.0], [np.nan, 2.0]])
    with pytest.warns(RuntimeWarning):
        assert np.isnan(MinMaxScaler().fit_transform(X)[:, 0]).all()
    with pytest.raises(ValueError, match="no non-NaN"):
        minmax_fit(X)


def test_inputs_are_not_modified_and_lists_are_accepted():
    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    before = X.copy()
    data_min, data_range = minmax_fit(X)
    minmax_transform(X, data_min, data_range)
    assert np.array_equal(X, before)
    assert minmax_transform([[2, 4]], *minmax_fit([[1, 2], [3, 6]])).tolist() == [[0.5, 0.5]]


def test_a_single_training_row_makes_every_column_constant():
    data_min, data_range = minmax_fit([[1.0, -2.0, 7.0]])
    assert data_range.tolist() == [0.0, 0.0, 0.0]
    assert minmax_transform([[1.0, -2.0, 7.0]], data_min, data_range).tolist() == [[0.0, 0.0, 0.0]]


@pytest.mark.parametrize("X", [
    np.array([1.0, 2.0, 3.0]),              # 1-D: ambiguous, one feature or one sample
    np.ones((2, 3, 4)),                      # 3-D
    np.empty((0, 3)),                        # no rows
    np.empty((3, 0)),                        # no columns
    np.array([[1.0, np.inf], [2.0, 3.0]]),  # infinite value
    np.array([[1.0, np.nan], [2.0, np.nan]]),  # an all-NaN column cannot be fitted
    np.array([["a", "b"], ["c", "d"]]),     # not numbers
])
def test_fit_rejects_bad_input(X):
    with pytest.raises(ValueError):
        minmax_fit(X)


@pytest.mark.parametrize(("X", "data_min", "data_range", "feature_range"), [
    (np.ones((2, 3)), np.zeros(2), np.ones(2), (0, 1)),                 # column count mismatch
    (np.ones((2, 2)), np.zeros(2), np.ones(3), (0, 1)),                 # stats of different lengths
    (np.ones(2), np.zeros(2), np.ones(2), (0, 1)),                      # X not 2-D
    (np.array([[1.0, -np.inf]]), np.zeros(2), np.ones(2), (0, 1)),      # infinite value
    (np.ones((2, 2)), np.zeros(2), np.array([1.0, -1.0]), (0, 1)),      # negative range
    (np.ones((2, 2)), np.array([0.0, np.nan]), np.ones(2), (0, 1)),     # NaN statistic
    (np.ones((2, 2)), np.zeros(2), np.ones(2), (1, 1)),                 # empty target range
    (np.ones((2, 2)), np.zeros(2), np.ones(2), (1, 0)),                 # reversed target range
    (np.ones((2, 2)), np.zeros(2), np.ones(2), (0, np.inf)),            # infinite target range
])
def test_transform_rejects_bad_input(X, data_min, data_range, feature_range):
    with pytest.raises(ValueError):
        minmax_transform(X, data_min, data_range, feature_range)


def test_sklearn_agrees_on_what_is_bad_input():
    with pytest.raises(ValueError):
        MinMaxScaler(feature_range=(1, 0)).fit([[0.0], [1.0]])
    with pytest.raises(ValueError):
        MinMaxScaler().fit([[0.0], [np.inf]])
    with pytest.raises(ValueError):
        MinMaxScaler().fit([0.0, 1.0])  # 1-D input
