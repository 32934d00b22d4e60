"""Sampling from a stream whose length is not known in advance: reservoir sampling (Algorithm R).

Backs the page `docs/data/large-datasets.md` and its notebook `docs/data/notebooks/out_of_core_learning.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numbers

import numpy as np


# --8<-- [start:reservoir_sample]
def reservoir_sample(stream, k: int, rng=None) -> list:
    """A uniform random sample of k items from an iterable, in one pass (Algorithm R).

    stream: any iterable, read once; its length n need not be known.
    k: the sample size, an integer >= 0.
    rng: a numpy Generator or a seed (None: fresh entropy).

    The first k items fill the reservoir. Item number t (counting
    from 1), for t > k, draws j uniformly from {1, ..., t} and
    replaces slot j if j <= k, else is dropped. After n items every
    item is in the sample with probability k / n, and every subset
    of size k is equally likely. Memory O(k), time O(n). If n < k,
    all n items are returned. The order of the returned list is not
    random (early items sit in early slots): shuffle it if order
    matters.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be an integer, got {k!r}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    items = iter(stream)                      # TypeError if not iterable
    if k == 0:
        return []
    rng = np.random.default_rng(rng)
    reservoir = []
    for t, item in enumerate(items, start=1):
        if t <= k:
            reservoir.append(item)
        else:
            j = int(rng.integers(0, t))       # uniform on 0, ..., t - 1
            if j < k:                         # probability k / t
                reservoir[j] = item
    return reservoir
# --8<-- [end:reservoir_sample]
