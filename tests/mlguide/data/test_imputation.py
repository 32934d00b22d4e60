"""Tests for src/mlguide/data/imputation.py: the page's worked example, agreement with scikit-learn's
SimpleImputer(add_indicator=True) fitted on training rows and applied to new rows, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.impute import MissingIndicator, SimpleImputer

from mlguide.data.imputation import fit_mean_imputer, mean_impute_with_indicator


def test_page_worked_example():
    # docs/data/missing-data.md: x = (2, 4, 6, 8, ?, ?), n = 6, n_obs = 4
    X = np.array([[2.0], [4.0], [6.0], [8.0], [np.nan], [np.nan]])
    means, flagged = fit_mean_imputer(X)
    assert means.tolist() == [5.0] and flagged.tolist() == [True]
    out = mean_impute_with_indicator(X, means, flagged)
    assert out[:, 0].tolist() == [2.0, 4.0, 6.0, 8.0, 5.0, 5.0]
    assert out[:, 1].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    s2_obs = np.var(X[:4, 0], ddof=1)
    s2_imputed = np.var(out[:, 0], ddof=1)
    assert s2_obs == pytest.approx(20 / 3) and s2_imputed == pytest.approx(4.0)
    assert s2_imputed / s2_obs == pytest.approx((4 - 1) / (6 - 1))  # (n_obs - 1) / (n - 1) = 0.6


@pytest.mark.parametrize("seed", range(8))
def test_matches_sklearn_simple_imputer_on_train_and_new_rows(seed):
    rng = np.random.default_rng(seed)
    p = int(rng.integers(1, 7))
    X_train = rng.normal(loc=rng.normal(scale=20, size=p), scale=10.0 ** rng.uniform(-2, 3, size=p), size=(50, p))
    X_new = rng.normal(size=(30, p)) * 5
    rates = rng.choice([0.0, 0.1, 0.5], size=p)            # some columns never missing in training
    X_train[rng.random(X_train.shape) < rates] = np.nan
    X_train[0, rates > 0] = np.nan                          # every column with a rate > 0 really has a NaN
    X_new[rng.random(X_new.shape) < 0.3] = np.nan           # new rows may miss any column, flagged or not
    means, flagged = fit_mean_imputer(X_train)
    sk = SimpleImputer(strategy="mean", add_indicator=True).fit(X_train)
    assert np.allclose(means, sk.statistics_, rtol=1e-15, atol=0)
    assert np.flatnonzero(flagged).tolist() == sk.indicator_.features_.tolist()
    for X in (X_train, X_new):
        ours = mean_impute_with_indicator(X, means, flagged)
        assert ours.shape == (X.shape[0], p + int(flagged.sum()))
        assert np.allclose(ours, sk.transform(X), rtol=1e-15, atol=0)


def test_indicator_columns_match_missing_indicator():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 5))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 2] = rng.normal(size=40)                           # a complete column: no indicator
    means, flagged = fit_mean_imputer(X)
    out = mean_impute_with_indicator(X, means, flagged)
    assert np.array_equal(out[:, 5:], MissingIndicator().fit_transform(X).astype(float))
    assert not np.isnan(out).any()


def test_uses_training_means_not_the_new_rows():
    X_train = np.array([[1.0, 10.0], [3.0, np.nan], [np.nan, 30.0]])
    means, flagged = fit_mean_imputer(X_train)
    assert means.tolist() == [2.0, 20.0] and flagged.tolist() == [True, True]
    X_new = np.array([[np.nan, np.nan], [100.0, 200.0]])
    out = mean_impute_with_indicator(X_new, means, flagged)
    assert out.tolist() == [[2.0, 20.0, 1.0, 1.0], [100.0, 200.0, 0.0, 0.0]]


def test_complete_training_data_gives_no_indicators_and_leaves_values_alone():
    X = np.arange(12, dtype=float).reshape(4, 3)
    means, flagged = fit_mean_imputer(X)
    assert not flagged.any()
    assert np.array_equal(mean_impute_with_indicator(X, means, flagged), X)
    # a NaN that first appears in new rows is filled, but no indicator column appears (as in scikit-learn)
    out = mean_impute_with_indicator([[np.nan, 1.0, 2.0]], means, flagged)
    assert out.tolist() == [[4.5, 1.0, 2.0]]
    assert np.allclose(out, SimpleImputer(add_indicator=True).fit(X).transform([[np.nan, 1.0, 2.0]]))


def test_input_is_not_modified_and_integers_work():
    X = np.array([[1.0, np.nan], [3.0, 4.0]])
    copy = X.copy()
    means, flagged = fit_mean_imputer(X)
    mean_impute_with_indicator(X, means, flagged)
    assert np.array_equal(X, copy, equal_nan=True)
    means, flagged = fit_mean_imputer([[1, 2], [3, 4]])
    assert mean_impute_with_indicator([[5, 6]], means, flagged).tolist() == [[5.0, 6.0]]


@pytest.mark.parametrize("bad", [
    np.array([1.0, np.nan, 3.0]),                # 1-D
    np.empty((0, 2)),                            # no rows
    np.empty((3, 0)),                            # no columns
    np.array([[1.0, np.inf], [2.0, 3.0]]),       # infinity is not a missing value
    np.array([[1.0, np.nan], [2.0, np.nan]]),    # a column with nothing to average
])
def test_fit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        fit_mean_imputer(bad)


def test_all_nan_training_column_raises_where_sklearn_drops_it():
    # the one documented difference from SimpleImputer: it skips the empty column (with a warning), we refuse
    X = np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]])
    with pytest.warns(UserWarning, match="without any observed values"):
        out = SimpleImputer(add_indicator=True).fit_transform(X)
    assert out.shape == (3, 3)                              # column 1 dropped; both indicators kept
    with pytest.raises(ValueError, match=r"columns \[1\]"):
        fit_mean_imputer(X)


def test_apply_rejects_bad_input():
    means, flagged = fit_mean_imputer([[1.0, np.nan], [3.0, 4.0]])
    with pytest.raises(ValueError):
        mean_impute_with_indicator([[1.0, 2.0, 3.0]], means, flagged)          # wrong number of columns
    with pytest.raises(ValueError):
        mean_impute_with_indicator([[1.0, -np.inf]], means, flagged)           # infinity
    with pytest.raises(ValueError):
        mean_impute_with_indicator([[1.0, 2.0]], [np.nan, 4.0], flagged)       # means not from a fit
    with pytest.raises(ValueError):
        mean_impute_with_indicator([[1.0, 2.0]], means, [0, 1])                # flagged not boolean
    with pytest.raises(ValueError):
        mean_impute_with_indicator([1.0, 2.0], means, flagged)                 # 1-D
