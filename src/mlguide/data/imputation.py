"""Mean imputation with missing-value indicators, fitted on training data and applied to new data.

Backs the page `docs/data/missing-data.md` and its notebook. NumPy only, so a downloaded notebook can inline this
file. The output matches scikit-learn's `SimpleImputer(strategy="mean", add_indicator=True)`: the imputed columns
first, then one 0/1 column for each feature that had a NaN in the training rows, in column order. The one difference:
a training column with no observed value raises a ValueError here, where `SimpleImputer` drops it with a warning.
"""

from __future__ import annotations

import numpy as np


def _as_2d(X, name: str) -> np.ndarray:
    """X as a float (n, p) array with n, p >= 1 and no infinities (NaN marks a missing value)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features) with n, p >= 1, got shape {X.shape}; "
                         "reshape a single feature with x.reshape(-1, 1)")
    if np.isinf(X).any():
        raise ValueError(f"{name} contains infinite values; only NaN marks a missing value")
    return X


# --8<-- [start:fit_mean_imputer]
def fit_mean_imputer(X_train) -> tuple[np.ndarray, np.ndarray]:
    """Learn what mean imputation needs, from the training rows only.

    X_train: (n, p) array, NaN where a value is missing.
    Returns (means, flagged), each of shape (p,): the mean of each
    column's observed values, and True for the columns that have
    at least one NaN in X_train (those get an indicator column).
    Raises ValueError for a column with no observed value.
    """
    X = _as_2d(X_train, "X_train")
    missing = np.isnan(X)
    if missing.all(axis=0).any():
        empty = np.flatnonzero(missing.all(axis=0)).tolist()
        raise ValueError(f"columns {empty} have no observed value to average")
    return np.nanmean(X, axis=0), missing.any(axis=0)
# --8<-- [end:fit_mean_imputer]


# --8<-- [start:mean_impute_with_indicator]
def mean_impute_with_indicator(X, means, flagged) -> np.ndarray:
    """Fill NaNs with the training means and append indicator columns.

    X: (m, p) array (training, validation or new rows).
    means, flagged: the output of fit_mean_imputer on training rows.
    Returns an (m, p + k) array, k = flagged.sum(): the p columns
    with each NaN replaced by its column's training mean, then one
    column per flagged feature, 1.0 where X was NaN and 0.0 elsewhere.
    A NaN in an unflagged column is filled but gets no indicator, as
    in SimpleImputer(add_indicator=True).
    """
    X = _as_2d(X, "X")
    means = np.asarray(means, dtype=float)
    flagged = np.asarray(flagged)
    if means.shape != (X.shape[1],) or flagged.shape != means.shape:
        raise ValueError(f"X has {X.shape[1]} columns but means, flagged "
                         f"have shapes {means.shape}, {flagged.shape}")
    if not np.isfinite(means).all() or flagged.dtype != bool:
        raise ValueError("means must be finite and flagged boolean: use fit_mean_imputer")
    missing = np.isnan(X)
    filled = np.where(missing, means, X)
    indicators = missing[:, flagged].astype(float)
    return np.hstack([filled, indicators])
# --8<-- [end:mean_impute_with_indicator]
