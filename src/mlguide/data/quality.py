"""Data-quality diagnostics: accuracy under label noise, confident-learning label checks, population stability index.

Backs the page `docs/data/data-quality.md` and its notebook `docs/data/notebooks/data_quality_traps.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _rate(value, name: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


# --8<-- [start:noisy_accuracy]
def noisy_accuracy(accuracy, noise_rate, n_classes: int = 2) -> float:
    """Expected accuracy measured against labels corrupted by symmetric (uniform) label noise.

    Each test label is replaced, with probability `noise_rate` and independently of the input and
    of the model, by one of the other n_classes - 1 classes chosen uniformly. A correct prediction
    still matches with probability 1 - noise_rate; a wrong one matches only if the label was moved
    onto it, with probability noise_rate / (n_classes - 1). So, with a = accuracy and r = noise_rate,

        measured = (1 - r) a + r (1 - a) / (K - 1),   for binary  r + (1 - 2 r) a.

    A perfect model therefore measures 1 - r.
    """
    a = _rate(accuracy, "accuracy")
    r = _rate(noise_rate, "noise_rate")
    if int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes}")
    return (1.0 - r) * a + r * (1.0 - a) / (n_classes - 1)


def clean_accuracy(measured, noise_rate, n_classes: int = 2) -> float:
    """Invert noisy_accuracy: the accuracy against true labels implied by a measured accuracy.

    Solves measured = (1 - r) a + r (1 - a) / (K - 1) for a. Undefined when r = (K - 1) / K, where
    the labels carry no information (measured accuracy is 1 / K whatever the model does). The result
    is not clipped: a value outside [0, 1] says the noise rate or the uniform-noise model is wrong.
    """
    m = _rate(measured, "measured")
    r = _rate(noise_rate, "noise_rate")
    if int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes}")
    k = n_classes
    slope = 1.0 - r - r / (k - 1)
    if abs(slope) < 1e-12:
        raise ValueError("at noise_rate = (K-1)/K the labels are pure noise; accuracy cannot be recovered")
    return (m - r / (k - 1)) / slope
# --8<-- [end:noisy_accuracy]


# --8<-- [start:find_label_issues]
def find_label_issues(labels, pred_probs):
    """Flag likely label errors with confident learning's confident joint (Northcutt et al., 2021).

    labels:     given (possibly wrong) labels, integers 0..K-1, shape (n,).
    pred_probs: out-of-sample predicted probabilities, shape (n, K), each row summing to 1
                (from cross-validation: a model must not score rows it was trained on).

    Class j's threshold t_j is the mean predicted probability of j over the rows labelled j.
    A row "confidently belongs" to class j if its probability of j is at least t_j; when several
    classes pass, the one with the highest probability wins, and a row passing none is not counted.
    The confident joint C[i, j] counts rows labelled i that confidently belong to j; its off-diagonal
    entries count the suspected errors. Flagging every row counted off the diagonal is the paper's
    simplest pruning rule; cleanlab's default instead calibrates C into an estimate of the joint of
    given and true labels and prunes that many rows per off-diagonal cell, ranked by margin.
    Returns (issues, C): a boolean mask of the rows counted off the diagonal, and C as an integer
    K x K array.
    """
    y = np.asarray(labels)
    p = np.asarray(pred_probs, dtype=float)
    if p.ndim != 2 or y.ndim != 1 or p.shape[0] != y.shape[0]:
        raise ValueError(f"need labels of shape (n,) and pred_probs of shape (n, K); got {y.shape} and {p.shape}")
    n, k = p.shape
    if k < 2 or n == 0:
        raise ValueError("need at least one row and two classes")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= k:
        raise ValueError(f"labels must be integers in 0..{k - 1}")
    if not np.all(np.isfinite(p)) or p.min() < 0 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("each row of pred_probs must be a probability vector (non-negative, summing to 1)")
    counts = np.bincount(y, minlength=k)
    if np.any(counts == 0):
        raise ValueError("every class needs at least one labelled row to set its threshold")

    thresholds = np.array([p[y == j, j].mean() for j in range(k)])
    above = p >= thresholds                      # (n, K): which classes each row confidently belongs to
    masked = np.where(above, p, -np.inf)
    confident = masked.argmax(axis=1)            # the most probable class among those above threshold
    counted = above.any(axis=1)

    joint = np.zeros((k, k), dtype=int)
    np.add.at(joint, (y[counted], confident[counted]), 1)
    issues = counted & (confident != y)
    return issues, joint
# --8<-- [end:find_label_issues]


# --8<-- [start:psi]
def psi(reference, current, n_bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index of a numeric feature: how far `current` has moved from `reference`.

    The bins are reference quantiles (deciles by default), the outer two open-ended, so each holds
    about 1 / n_bins of the reference; repeated quantiles (ties) merge bins. With e_b and c_b the
    shares of the reference and current samples in bin b, floored at `floor` so that an empty bin
    does not give log(0),

        PSI = sum_b (c_b - e_b) ln(c_b / e_b),

    the symmetrised Kullback-Leibler divergence KL(c || e) + KL(e || c) of the binned shares.
    Common rules of thumb: below 0.1 stable, 0.1 to 0.25 moderate shift, above 0.25 large shift.
    """
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()
    if ref.size == 0 or cur.size == 0:
        raise ValueError("both samples must be non-empty")
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(cur))):
        raise ValueError("samples must be finite; treat missing values as their own category first")
    if int(n_bins) != n_bins or n_bins < 2:
        raise ValueError(f"n_bins must be an integer >= 2, got {n_bins}")
    if not 0.0 < floor < 1.0 / n_bins:
        raise ValueError("floor must be positive and well below 1 / n_bins")

    inner_edges = np.unique(np.quantile(ref, np.linspace(0, 1, n_bins + 1)[1:-1]))
    # Bin b holds values in [edge_{b-1}, edge_b); the first and last bins are open-ended.
    e = np.bincount(np.searchsorted(inner_edges, ref, side="right"), minlength=inner_edges.size + 1) / ref.size
    c = np.bincount(np.searchsorted(inner_edges, cur, side="right"), minlength=inner_edges.size + 1) / cur.size
    e, c = np.maximum(e, floor), np.maximum(c, floor)
    return float(np.sum((c - e) * np.log(c / e)))
# --8<-- [end:psi]
