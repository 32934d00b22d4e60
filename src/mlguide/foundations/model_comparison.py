"""Comparing two models on the same resampled splits: the Nadeau-Bengio corrected resampled t-test.

Backs the page `docs/foundations/choosing-a-model.md` and its notebook. NumPy and SciPy only, so a downloaded
notebook can inline this file.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


# --8<-- [start:corrected_resampled_ttest]
def corrected_resampled_ttest(scores_a, scores_b, n_train: int, n_test: int) -> tuple[float, float]:
    """Paired t-test for two models scored on the same J train/test splits,
    with Nadeau and Bengio's correction for overlapping training sets.

    scores_a, scores_b: (J,) scores of the two models, split by split.
    n_train, n_test: rows in each training and test part
    (repeated k-fold: n_test / n_train = 1 / (k - 1)).
    With d = a - b, its mean dbar and sample variance s^2 (ddof=1):
        t = dbar / sqrt((1/J + n_test/n_train) * s^2),  J - 1 df.
    The plain paired t-test uses 1/J alone and is overconfident.
    Returns (t, two-sided p-value).
    """
    a = np.asarray(scores_a, dtype=float)
    b = np.asarray(scores_b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size < 2:
        raise ValueError(f"need two 1-D arrays of equal length >= 2, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("scores must be finite")
    if not (n_train >= 1 and n_test >= 1):
        raise ValueError(f"n_train and n_test must be positive, got {n_train!r} and {n_test!r}")
    d = a - b
    j = d.size
    if np.ptp(d) <= 1e-12 * max(1.0, np.abs(d).max()):
        raise ValueError("the differences are constant: the test is undefined")
    var = d.var(ddof=1)
    t = d.mean() / np.sqrt((1 / j + n_test / n_train) * var)
    return float(t), float(2 * stats.t.sf(abs(t), df=j - 1))
# --8<-- [end:corrected_resampled_ttest]
