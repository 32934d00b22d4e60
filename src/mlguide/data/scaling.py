"""Min-max scaling, fitted on training data and applied to new data, column by column.

Backs the page `docs/data/feature-scaling.md` and its notebook. NumPy only, so a downloaded notebook can inline this
file. For float64 input the behaviour matches scikit-learn's `MinMaxScaler`: NaNs are ignored when fitting and kept as
NaN, and a constant column is shifted to the low end of the target range instead of being divided by zero. Two
differences: a training column with no observed value raises a ValueError here, where scikit-learn warns and returns
NaN; and the zero-range threshold is always float64's, where scikit-learn uses the input dtype's (for float32, a range
below 1.2e-6 counts as constant there but not here).
"""

from __future__ import annotations

import numpy as np

# A range below this counts as zero (a constant column), as in scikit-learn's MinMaxScaler for float64 input.
TINY_RANGE = 10 * np.finfo(np.float64).eps


def _as_finite_2d(X, name: str) -> np.ndarray:
    """X as a float (n, p) array with n, p >= 1 and no infinities (NaNs allowed)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features) with n, p >= 1, got shape {X.shape}; "
                         "reshape a single feature with x.reshape(-1, 1)")
    if np.isinf(X).any():
        raise ValueError(f"{name} contains infinite values")
    return X


# --8<-- [start:minmax_fit]
def minmax_fit(X_train) -> tuple[np.ndarray, np.ndarray]:
    """Learn min-max scaling from training data, one column at a time.

    X_train: (n, p) array, one row per sample; NaNs are ignored.
    Returns (data_min, data_range), each of shape (p,): the column
    minimum and max - min. Fit on the training rows only, then pass
    these to minmax_transform for training, validation and test rows.
    Raises ValueError for a column that is entirely NaN.
    """
    X = _as_finite_2d(X_train, "X_train")
    observed = ~np.isnan(X)
    if not observed.any(axis=0).all():
        empty = np.flatnonzero(~observed.any(axis=0)).tolist()
        raise ValueError(f"columns {empty} have no non-NaN values to fit")
    data_min = np.nanmin(X, axis=0)
    data_range = np.nanmax(X, axis=0) - data_min
    return data_min, data_range
# --8<-- [end:minmax_fit]


# --8<-- [start:minmax_transform]
def minmax_transform(X, data_min, data_range,
                     feature_range=(0.0, 1.0)) -> np.ndarray:
    """Map each column to feature_range = (lo, hi) with the fitted stats:

        lo + (x - data_min) / data_range * (hi - lo).

    Training rows land in [lo, hi]; new rows can fall outside it
    (no clipping). NaNs stay NaN. A constant column (range below
    10 * machine epsilon) is divided by 1 instead of 0, as in
    scikit-learn's MinMaxScaler: its training value maps to lo and a
    new value x to lo + (x - data_min) * (hi - lo).
    """
    X = _as_finite_2d(X, "X")
    data_min = np.asarray(data_min, dtype=float)
    data_range = np.asarray(data_range, dtype=float)
    if data_min.shape != (X.shape[1],) or data_range.shape != data_min.shape:
        raise ValueError(f"X has {X.shape[1]} columns but data_min, data_range "
                         f"have shapes {data_min.shape}, {data_range.shape}")
    if not (np.isfinite(data_min).all() and np.isfinite(data_range).all()) or (data_range < 0).any():
        raise ValueError("data_min must be finite and data_range finite and >= 0: use minmax_fit")
    lo, hi = (float(v) for v in feature_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"feature_range must be finite (lo, hi) with lo < hi, got {feature_range!r}")
    divisor = np.where(data_range < TINY_RANGE, 1.0, data_range)
    return lo + (X - data_min) / divisor * (hi - lo)
# --8<-- [end:minmax_transform]
