"""Tests for src/mlguide/data/eda.py: against pandas, SciPy and scikit-learn, the page's worked examples, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlguide.data.eda import duplicate_rows, leak_score, robust_z


# ---- duplicate_rows ----

@pytest.mark.parametrize("seed", range(8))
def test_duplicate_rows_matches_pandas_on_numeric_tables(seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(200, 3)).astype(float)   # 27 possible rows: many repeats
    X[rng.random(X.shape) < 0.1] = np.nan                 # NaN equals NaN, as in pandas
    expected = pd.DataFrame(X).duplicated().to_numpy()
    assert expected.any()
    np.testing.assert_array_equal(duplicate_rows(X), expected)


def test_duplicate_rows_matches_pandas_on_mixed_columns():
    rng = np.random.default_rng(1)
    n = 300
    columns = [
        rng.choice(np.array(["a", "b", "c"]), size=n),
        rng.integers(0, 2, size=n),
        np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 2, size=n).astype(float)),
        rng.random(n) < 0.5,
    ]
    frame = pd.DataFrame({f"c{j}": c for j, c in enumerate(columns)})
    np.testing.assert_array_equal(duplicate_rows(columns), frame.duplicated().to_numpy())


def test_planted_copies_of_continuous_rows_are_found_exactly():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 4))
    copies = rng.choice(500, size=25, replace=False)
    table = np.vstack([X, X[copies]])
    order = rng.permutation(table.shape[0])
    mask = duplicate_rows(table[order])
    assert mask.sum() == 25
    # Every flagged row equals some earlier row, and removing them leaves 500 distinct rows.
    assert np.unique(table[order][~mask], axis=0).shape[0] == 500
    np.testing.assert_array_equal(mask, pd.DataFrame(table[order]).duplicated().to_numpy())


def test_duplicate_rows_keeps_the_first_occurrence_and_treats_signed_zeros_as_equal():
    X = np.array([[1.0, 2.0], [0.0, np.nan], [1.0, 2.0], [-0.0, np.nan], [1.0, 2.0]])
    np.testing.assert_array_equal(duplicate_rows(X), [False, False, True, True, True])
    np.testing.assert_array_equal(duplicate_rows(X), pd.DataFrame(X).duplicated().to_numpy())


def test_duplicate_rows_accepts_one_column_and_empty_tables():
    np.testing.assert_array_equal(duplicate_rows(np.array([3, 1, 3, 3])), [False, False, True, True])
    assert duplicate_rows(np.zeros((0, 3))).shape == (0,)


@pytest.mark.parametrize("bad", [
    [],                                   # no columns
    [np.arange(3), np.arange(4)],         # unequal lengths
    [np.zeros((2, 2))],                   # a column that is not 1-D
    np.zeros((2, 2, 2)),                  # a 3-D array
])
def test_duplicate_rows_rejects_malformed_tables(bad):
    with pytest.raises(ValueError):
        duplicate_rows(bad)


# ---- robust_z ----

@pytest.mark.parametrize("seed", range(5))
def test_robust_z_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_t(3, size=301) * 4 + 10
    mad_sd = stats.median_abs_deviation(x, scale="normal")
    np.testing.assert_allclose(robust_z(x), (x - np.median(x)) / mad_sd, rtol=1e-12)


def test_robust_z_ignores_nan_and_is_not_masked_by_the_outlier():
    x = np.array([40.0, 42, 38, 41, 39, np.nan, 420])
    z = robust_z(x)
    assert np.isnan(z[5])
    observed = x[~np.isnan(x)]
    np.testing.assert_allclose(z[~np.isnan(x)], robust_z(observed))
    # Median 40.5, MAD 1.5: the outlier sits about 170 robust SDs out, while the ordinary z-score (sample SD)
    # of any value among n can never exceed (n - 1) / sqrt(n) (Shiffler, 1988): here 5 / sqrt(6) = 2.04.
    assert z[6] == pytest.approx((420 - 40.5) / (1.4826 * 1.5), rel=1e-4)
    ordinary = (observed - observed.mean()) / observed.std(ddof=1)
    assert ordinary.max() <= (observed.size - 1) / np.sqrt(observed.size) + 1e-12


def test_robust_z_normal_scale_estimates_the_standard_deviation():
    x = np.random.default_rng(0).normal(scale=3.0, size=200_000)
    # (x - median) / z has the spread of a unit normal: recover sigma = 3 from it.
    z = robust_z(x)
    assert np.std(z) * 3.0 == pytest.approx(3.0, rel=0.01)
    assert 1.482602218505602 == pytest.approx(1 / stats.norm.ppf(0.75), rel=1e-12)


@pytest.mark.parametrize("bad", [[1.0, 1.0, 1.0, 2.0], [np.nan, np.nan], [1.0, np.inf, 2.0], [[1.0, 2.0]]])
def test_robust_z_rejects_degenerate_input(bad):
    with pytest.raises(ValueError):
        robust_z(bad)


# ---- leak_score ----

def reference_leak_score(x, y, n_bins=10):
    """The same score with pandas: bins from qcut (or the distinct values), NaN as its own group, scikit-learn's AUC."""
    s = pd.Series(x)
    if s.nunique() <= n_bins:
        bins = s
    else:
        bins = pd.qcut(s, n_bins, labels=False, duplicates="drop")
    bins = bins.astype("float").fillna(-1.0)             # missing values form their own group
    rate = pd.Series(y, dtype=float).groupby(bins).transform("mean")
    return roc_auc_score(y, rate)


@pytest.mark.parametrize("seed", range(8))
def test_leak_score_matches_pandas_and_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 600))
    y = rng.random(n) < 0.3
    y[:2] = [True, False]
    columns = [
        rng.normal(size=n) + 0.7 * y,                                    # continuous, monotone signal
        np.where(rng.random(n) < 0.25 + 0.4 * y, np.nan, rng.normal(size=n)),  # informative missingness
        rng.integers(0, 4, size=n).astype(float),                        # four distinct values
        (rng.normal(size=n) + 1.5 * y) ** 2,                             # skewed, ties impossible
        np.round(rng.normal(size=n), 1),                                 # many ties
    ]
    got = leak_score(columns, y)
    expected = [reference_leak_score(c, y) for c in columns]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_allclose(leak_score(np.column_stack(columns), y.astype(int), n_bins=10), got)


def test_leak_score_worked_example_from_the_page():
    # Bins low / high / missing hold 4, 4 and 2 rows with 1, 1 and 2 positives. The two missing positives beat
    # all six negatives (12 wins); the other two tie with all six (12 ties): AUC = (12 + 6) / 24 = 0.75.
    x = np.array([1, 1, 1, 1, 2, 2, 2, 2, np.nan, np.nan])
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1])
    assert leak_score([x], y)[0] == pytest.approx(0.75)
    assert roc_auc_score(y[:8], x[:8]) == 0.5           # the observed values alone carry nothing


def test_leak_score_sees_a_u_shape_that_correlation_misses():
    x = np.tile(np.arange(-2.0, 3.0), 40)                # -2, -1, 0, 1, 2 repeated
    y = np.abs(x) == 2
    assert np.corrcoef(x, y)[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert roc_auc_score(y, x) == pytest.approx(0.5)
    assert leak_score([x], y)[0] == 1.0


def test_leak_score_bounds_and_invariances():
    rng = np.random.default_rng(3)
    n = 400
    y = rng.random(n) < 0.4
    y[:2] = [True, False]
    x = rng.normal(size=n) + y
    base = leak_score([x], y)[0]
    assert 0.5 <= base <= 1.0
    assert leak_score([np.exp(x)], y)[0] == pytest.approx(base, abs=1e-15)   # strictly increasing transform
    assert leak_score([np.full(n, 7.0)], y)[0] == 0.5                        # one bin: every row tied
    assert leak_score([y.astype(float)], y)[0] == 1.0                        # the label itself
    d = rng.integers(0, 5, size=n).astype(float)                             # distinct values are the bins
    assert leak_score([d], y)[0] >= max(roc_auc_score(y, d), roc_auc_score(y, -d)) - 1e-12


def test_leak_score_noise_floor_shrinks_with_rows():
    rng = np.random.default_rng(4)
    floors = []
    for n in (200, 20_000):
        y = rng.random(n) < 0.5
        floors.append(np.mean(leak_score([rng.normal(size=n) for _ in range(20)], y)))
    assert floors[0] > floors[1] > 0.5
    assert floors[1] < 0.52


def test_leak_score_noise_floor_grows_with_bins():
    # In-sample optimism: the same useless columns score higher when cut into more bins, which is why each column
    # is compared with its own shuffled-label scores rather than with one floor for all.
    rng = np.random.default_rng(5)
    n = 2000
    y = rng.random(n) < 0.25
    columns = [rng.normal(size=n) for _ in range(30)]
    means = [np.mean(leak_score(columns, y, n_bins=b)) for b in (2, 10, 40)]
    assert 0.5 < means[0] < means[1] < means[2]


@pytest.mark.parametrize("y, n_bins", [
    ([0, 0, 0, 0], 10),          # one class only
    ([0, 1, 2, 1], 10),          # not binary
    ([0, 1, 1], 10),             # wrong length
    ([0, 1, 0, 1], 1),           # too few bins
    ([0, 1, 0, 1], 2.5),         # not an integer
])
def test_leak_score_rejects_bad_input(y, n_bins):
    with pytest.raises(ValueError):
        leak_score([np.arange(4.0)], y, n_bins=n_bins)
