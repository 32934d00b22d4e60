"""Short checks for exploratory data analysis: exact duplicate rows, robust z-scores, single-feature leak scores.

Backs the page `docs/data/exploratory-data-analysis.md` and its notebook `docs/data/notebooks/eda_planted_problems.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _columns(table) -> list[np.ndarray]:
    """A 2-D array (rows x columns), a 1-D array (one column) or a sequence of equal-length 1-D columns."""
    if isinstance(table, np.ndarray):
        if table.ndim == 1:
            table = table[:, None]
        if table.ndim != 2:
            raise ValueError(f"expected a 1-D or 2-D array, got shape {table.shape}")
        columns = [table[:, j] for j in range(table.shape[1])]
    else:
        columns = [np.asarray(c) for c in table]
    if not columns:
        raise ValueError("the table has no columns")
    if any(c.ndim != 1 for c in columns):
        raise ValueError("every column must be 1-D")
    if len({c.size for c in columns}) != 1:
        raise ValueError(f"columns differ in length: {sorted({c.size for c in columns})}")
    return columns


# --8<-- [start:duplicate_rows]
def duplicate_rows(table) -> np.ndarray:
    """Boolean mask of the rows that repeat an earlier row exactly (pandas' `DataFrame.duplicated()`).

    `table` is a 2-D array (rows x columns) or a sequence of equal-length 1-D columns of any sortable
    dtype (numbers, strings). Two rows are duplicates when every column is equal; missing values (NaN)
    count as equal to each other, as in pandas. The first occurrence is kept (False), every later copy
    is flagged (True), so `table[~mask]` is the de-duplicated table.
    """
    columns = _columns(table)
    n = columns[0].size
    if n == 0:
        return np.zeros(0, dtype=bool)
    codes = np.empty((n, len(columns)), dtype=np.intp)
    for j, column in enumerate(columns):
        # Replace each value by the index of its distinct value (NaNs share one code): rows become
        # integer tuples that compare exactly, whatever the column types were.
        _, codes[:, j] = np.unique(column, return_inverse=True)
    # return_index gives each distinct row's first position (np.unique sorts stably when asked for it).
    _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)] != np.arange(n)
# --8<-- [end:duplicate_rows]


# --8<-- [start:robust_z]
def robust_z(x) -> np.ndarray:
    """Robust z-scores (x - median) / (1.4826 * MAD), NaN where x is NaN.

    MAD is the median absolute deviation from the median; the factor 1.4826 = 1 / Phi^{-1}(0.75) makes
    1.4826 * MAD estimate the standard deviation of normal data. Unlike the mean and standard deviation,
    the median and MAD barely move when a few values are wild, so a gross outlier cannot hide itself by
    inflating the scale. Raises ValueError if no value is finite or the MAD is zero (over half the
    values equal the median).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"expected a 1-D array, got shape {x.shape}")
    if np.isinf(x).any():
        raise ValueError("values must be finite or NaN")
    observed = x[~np.isnan(x)]
    if observed.size == 0:
        raise ValueError("no observed values")
    median = np.median(observed)
    mad = np.median(np.abs(observed - median))
    if mad == 0:
        raise ValueError("MAD is zero: over half the values equal the median, so robust z is undefined")
    return (x - median) / (1.482602218505602 * mad)
# --8<-- [end:robust_z]


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC AUC of scores s for boolean labels y, ties counting 1/2 (Mann-Whitney U with midranks)."""
    _, group, count = np.unique(s, return_inverse=True, return_counts=True)
    midrank = np.cumsum(count) - (count - 1) / 2.0
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    u = midrank[group][y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def _bin_codes(x: np.ndarray, n_bins: int) -> np.ndarray:
    """Integer bin of each value: distinct values if there are at most n_bins, else quantile bins; NaN last."""
    missing = np.isnan(x)
    codes = np.empty(x.size, dtype=np.intp)
    observed = x[~missing]
    if observed.size:
        values = np.unique(observed)
        if values.size <= n_bins:
            codes[~missing] = np.searchsorted(values, observed)
        else:
            # Right-closed quantile bins (a, b], the lowest one closed on both sides, as pandas.qcut.
            edges = np.unique(np.quantile(observed, np.linspace(0, 1, n_bins + 1)))
            codes[~missing] = np.searchsorted(edges[1:-1], observed, side="left")
    codes[missing] = codes[~missing].max() + 1 if observed.size else 0
    return codes


# --8<-- [start:leak_score]
def leak_score(X, y, n_bins: int = 10) -> np.ndarray:
    """For each column of X, how well that column alone separates a binary target: an AUC in [0.5, 1].

    X holds numeric columns (a 2-D array or a sequence of 1-D columns; encode categories as numbers
    first). The column is cut into bins (its distinct values if it has at most `n_bins`, else `n_bins` quantile
    bins), missing values (NaN) get a bin of their own, and every row is scored by its bin's share of
    positives. On these rows, the AUC of that score is the largest AUC any score that is constant within
    the bins can reach, so it catches non-monotone relationships and informative missingness that a
    correlation misses. It is measured on the rows it was fitted to: an irrelevant column scores a little
    above 0.5, more so with many bins and few rows, so compare each column with its own scores on
    shuffled labels. A column scoring far above every other one is a leak suspect.
    """
    columns = _columns(X)
    y = np.asarray(y)
    if y.ndim != 1 or y.size != columns[0].size:
        raise ValueError(f"y must be 1-D with one label per row ({columns[0].size}), got shape {y.shape}")
    if y.dtype != bool and not (np.issubdtype(y.dtype, np.number) and np.all((y == 0) | (y == 1))):
        raise ValueError("y must be 0/1 or boolean")
    y = y.astype(bool)
    if y.all() or not y.any():
        raise ValueError("y needs at least one positive and one negative")
    if int(n_bins) != n_bins or n_bins < 2:
        raise ValueError("n_bins must be an integer of at least 2")

    scores = np.empty(len(columns))
    for j, column in enumerate(columns):
        codes = _bin_codes(np.asarray(column, dtype=float), int(n_bins))
        positives = np.bincount(codes, weights=y)
        rows = np.bincount(codes)
        rate = positives / np.maximum(rows, 1)       # share of positives in each bin
        scores[j] = _auc(y, rate[codes])
    return scores
# --8<-- [end:leak_score]
