"""Encodings of features: smoothed target (mean) encoding, in-sample and out-of-fold, and cyclical encoding.

Backs the page `docs/data/feature-engineering.md` and its notebook `docs/data/notebooks/target_encoding_leak.py`.
NumPy only, so a downloaded notebook can inline this file.

The smoothed target encoding of a category c, estimated from a set of training rows, is

    encoding(c) = (S_c + m * prior) / (n_c + m),

where n_c is the number of those rows in category c, S_c the sum of their targets, prior the mean target of all
those rows and m >= 0 the smoothing strength (the prior counts as m extra rows). A category absent from the rows is
encoded as prior.

Fitted on all rows, this equals scikit-learn's `TargetEncoder(smooth=m, target_type="binary" or "continuous")
.fit(X, y).encodings_` and its `transform`, not its `fit_transform`, which cross-fits (that is
`target_encode_out_of_fold` given the same folds). Other differences: scikit-learn's default is `smooth="auto"`, a
strength per category, not a fixed m; its integer `cv` draws shuffled (stratified, for a binary target) folds, ours
are plain random folds; and it encodes missing values (NaN, None) as a category of their own, where this module
raises ValueError.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = ["fit_target_encoding", "apply_target_encoding", "target_encode_out_of_fold", "cyclical_encode"]


def _check_categories(categories) -> np.ndarray:
    """Return categories as a 1-D array that np.unique can sort; raise ValueError for missing or mixed values."""
    cats = np.asarray(categories)
    if cats.ndim != 1:
        raise ValueError(f"expected a 1-D array of categories, got shape {cats.shape}")
    if cats.dtype.kind == "f" and np.isnan(cats).any():
        raise ValueError("categories contain NaN: map missing values to an explicit level first")
    if cats.dtype.kind == "O":
        for value in cats:
            if value is None or (isinstance(value, float) and np.isnan(value)):
                raise ValueError("categories contain None or NaN: map missing values to an explicit level first")
        try:
            np.unique(cats)
        except TypeError as err:
            raise ValueError(f"categories must be mutually comparable (all strings or all numbers): {err}") from None
    elif cats.dtype.kind not in "biufUS":
        raise ValueError(f"categories of dtype {cats.dtype} are not supported")
    return cats


def _check_target(y, n: int) -> np.ndarray:
    target = np.asarray(y)
    if target.dtype == bool:
        target = target.astype(float)
    if target.ndim != 1 or target.size != n:
        raise ValueError(f"{n} categories but a target of shape {target.shape}")
    if not np.issubdtype(target.dtype, np.number):
        raise ValueError("the target must be numeric (0/1 for a binary target)")
    target = target.astype(float)
    if not np.all(np.isfinite(target)):
        raise ValueError("the target must be finite")
    return target


def _check_smoothing(smoothing) -> float:
    if isinstance(smoothing, bool) or not isinstance(smoothing, Real):
        raise TypeError(f"smoothing must be a real number, got {type(smoothing).__name__}")
    if not np.isfinite(smoothing) or smoothing < 0:
        raise ValueError(f"smoothing must be finite and non-negative, got {smoothing}")
    return float(smoothing)


# --8<-- [start:fit_target_encoding]
def fit_target_encoding(categories, y, smoothing=10.0):
    """Smoothed mean target per category: returns (levels, encodings, prior).

    encodings[j] = (S_j + m * prior) / (n_j + m) for levels[j], with n_j its number of rows, S_j the sum of
    their targets, prior = mean(y) and m = smoothing >= 0. Missing values (None, NaN) raise ValueError.
    """
    cats = _check_categories(categories)
    target = _check_target(y, cats.size)
    m = _check_smoothing(smoothing)
    if cats.size == 0:
        raise ValueError("cannot fit an encoding on zero rows")
    prior = float(target.mean())
    levels, row_level = np.unique(cats, return_inverse=True)
    counts = np.bincount(row_level, minlength=levels.size)              # n_j
    sums = np.bincount(row_level, weights=target, minlength=levels.size)  # S_j
    encodings = (sums + m * prior) / (counts + m)
    return levels, encodings, prior


def apply_target_encoding(levels, encodings, prior, categories):
    """Look up each category's encoding; a category not among `levels` (sorted, as returned) gets `prior`."""
    cats = _check_categories(categories)
    levels = np.asarray(levels)
    encodings = np.asarray(encodings, dtype=float)
    if levels.ndim != 1 or levels.size == 0 or encodings.shape != levels.shape:
        raise ValueError("levels and encodings must be 1-D, non-empty and of equal length")
    try:
        where = np.clip(np.searchsorted(levels, cats), 0, levels.size - 1)
        known = levels[where] == cats
    except TypeError as err:
        raise ValueError(f"categories cannot be compared with the fitted levels: {err}") from None
    return np.where(known, encodings[where], float(prior))
# --8<-- [end:fit_target_encoding]


def _fold_labels(folds, n: int, seed) -> np.ndarray:
    """One fold label per row: random, near-equal folds for an integer, or the labels given."""
    if isinstance(folds, (int, np.integer)) and not isinstance(folds, bool):
        if not 2 <= folds <= n:
            raise ValueError(f"need 2 <= folds <= number of rows ({n}), got {folds}")
        return np.random.default_rng(seed).permutation(n) % int(folds)
    labels = np.asarray(folds)
    if labels.ndim != 1 or labels.size != n:
        raise ValueError(f"fold labels must be 1-D with one label per row ({n}), got shape {labels.shape}")
    if np.unique(labels).size < 2:
        raise ValueError("out-of-fold encoding needs at least two folds")
    return labels


# --8<-- [start:target_encode_out_of_fold]
def target_encode_out_of_fold(categories, y, folds=5, smoothing=10.0, seed=0):
    """Encode each row with the smoothed category means of the *other* folds, never its own target.

    folds: the number of random, near-equal folds (drawn with `seed`), or one fold label per row. Within each
    fold the prior is the mean target of the other folds, and a category absent from them gets that prior.
    Equals scikit-learn's TargetEncoder(smooth=smoothing, cv=<the same folds>).fit_transform for a 0/1 or
    continuous target (smooth a number, not the default "auto"; missing values raise here, but are a category
    there). Encode test rows with fit_target_encoding on all training rows.
    """
    cats = _check_categories(categories)
    target = _check_target(y, cats.size)
    fold = _fold_labels(folds, cats.size, seed)
    encoded = np.empty(cats.size)
    for k in np.unique(fold):
        held_out = fold == k
        levels, encodings, prior = fit_target_encoding(cats[~held_out], target[~held_out], smoothing)
        encoded[held_out] = apply_target_encoding(levels, encodings, prior, cats[held_out])
    return encoded
# --8<-- [end:target_encode_out_of_fold]


# --8<-- [start:cyclical_encode]
def cyclical_encode(values, period):
    """Map a periodic feature (hour of day, day of week, month) to the unit circle: columns sin and cos.

    Column 0 is sin(2 pi v / period), column 1 cos(2 pi v / period), so v and v + period coincide and the
    straight-line distance between two values depends only on their gap around the cycle.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"expected a 1-D array of values, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite")
    if isinstance(period, bool) or not isinstance(period, Real) or not np.isfinite(period) or period <= 0:
        raise ValueError(f"period must be a positive finite number, got {period!r}")
    angle = 2 * np.pi * v / period
    return np.column_stack([np.sin(angle), np.cos(angle)])
# --8<-- [end:cyclical_encode]
