"""Index generators for resampling: k-fold cross-validation and forward-chaining splits for time series.

Both functions return iterators of ``(train_idx, test_idx)`` pairs of integer arrays, the same contract as
scikit-learn's splitters, so their output can be passed as ``cv=`` to ``cross_val_score`` and friends.
Used by the cross-validation page and the notebooks in ``docs/generalization/notebooks/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["k_fold_indices", "forward_chaining_splits"]


def _check_int(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer not below ``minimum``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


# --8<-- [start:k_fold_indices]
def k_fold_indices(
    n: int, k: int, shuffle: bool = False, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Split the indices 0..n-1 into k folds; yield (train_idx, test_idx) once per fold.

    Every index lands in exactly one test fold. Fold sizes differ by at most one: the
    first n % k folds get one extra index (as in scikit-learn's KFold). Without shuffling
    the folds are contiguous blocks; with shuffle=True the indices are first permuted
    by a NumPy generator seeded with `seed`.
    """
    n = _check_int(n, "n", 2)
    k = _check_int(k, "k", 2)
    if k > n:
        raise ValueError(f"cannot make k={k} folds from n={n} samples")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1                       # spread the remainder over the first folds
    stops = np.cumsum(sizes)
    starts = stops - sizes

    def pairs() -> Iterator[tuple[np.ndarray, np.ndarray]]:   # lazy; bad input already raised
        for start, stop in zip(starts, stops):
            test = np.sort(order[start:stop])
            in_test = np.zeros(n, dtype=bool)
            in_test[test] = True
            yield np.flatnonzero(~in_test), test

    return pairs()
# --8<-- [end:k_fold_indices]


# --8<-- [start:forward_chaining_splits]
def forward_chaining_splits(
    n: int, n_splits: int, gap: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield expanding-window (train_idx, test_idx) pairs for n time-ordered samples.

    The last n_splits blocks of n // (n_splits + 1) samples are the test blocks; the
    samples before the first block only ever train. Split i trains on everything
    before test block i except the last `gap` samples, so every test index is later
    than every training index. Matches scikit-learn's TimeSeriesSplit(n_splits, gap=gap),
    including its requirement that n_splits be at least 2.
    """
    n = _check_int(n, "n", 2)
    n_splits = _check_int(n_splits, "n_splits", 2)        # as in TimeSeriesSplit
    gap = _check_int(gap, "gap", 0)
    test_size = n // (n_splits + 1)
    first_test = n - n_splits * test_size
    if test_size == 0 or first_test - gap <= 0:
        raise ValueError(f"n={n} is too small for {n_splits} splits with gap={gap}")

    def pairs() -> Iterator[tuple[np.ndarray, np.ndarray]]:   # lazy; bad input already raised
        for start in range(first_test, n, test_size):
            yield np.arange(start - gap), np.arange(start, start + test_size)

    return pairs()
# --8<-- [end:forward_chaining_splits]
