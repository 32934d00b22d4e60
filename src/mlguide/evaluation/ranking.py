"""Classification metrics built from ranks and counts: ROC AUC, precision, recall, F1 and F-beta.

Backs the pages `docs/evaluation/roc-auc.md` and `docs/evaluation/precision-recall-f1.md` and the notebook
`docs/evaluation/notebooks/roc_pr_imbalanced.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def binary_labels(y_true) -> np.ndarray:
    """Return y_true as a 1-D boolean array (True = positive class).

    Accepts booleans or the numbers 0 and 1. Raises ValueError for anything else, an empty input,
    or an input that is not 1-D.
    """
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"expected a 1-D array of labels, got shape {y.shape}")
    if y.size == 0:
        raise ValueError("cannot score an empty set of labels")
    if y.dtype != bool:
        if not np.issubdtype(y.dtype, np.number) or not np.all((y == 0) | (y == 1)):
            raise ValueError("labels must be 0/1 or boolean (1 or True marks the positive class)")
    return y.astype(bool)


# --8<-- [start:auc_by_ranking]
def auc_by_ranking(y_true, scores) -> float:
    """Area under the ROC curve, computed as the share of (positive, negative) pairs ranked correctly.

    AUC = P(score of a random positive > score of a random negative), a tie counting 1/2.
    Via the Mann-Whitney U statistic: rank all scores together (1 = lowest, tied scores get
    the average of the ranks they span), add up the positives' ranks, subtract the smallest
    possible sum n_pos (n_pos + 1) / 2, and divide by the number of pairs n_pos * n_neg.
    Sorting dominates, so this is O(n log n) rather than O(n_pos * n_neg).
    Raises ValueError if both classes are not present or a score is NaN or infinite.
    """
    y = binary_labels(y_true)
    s = np.asarray(scores, dtype=float)
    if s.shape != y.shape:
        raise ValueError(f"{y.size} labels but scores of shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs at least one positive and one negative example")

    # Midranks: a block of tied scores occupying ranks a..b gets (a + b) / 2 each.
    _, group, count = np.unique(s, return_inverse=True, return_counts=True)
    last_rank = np.cumsum(count)                 # rank of the last member of each tie block
    midrank = last_rank - (count - 1) / 2.0
    ranks = midrank[group]

    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0   # pairs where the positive wins, ties as 1/2
    return float(u / (n_pos * n_neg))
# --8<-- [end:auc_by_ranking]


# --8<-- [start:precision_recall_f1]
def precision_recall_f1(y_true, y_pred, zero_division: float = 0.0) -> tuple[float, float, float]:
    """Precision, recall and F1 of hard 0/1 predictions for the positive class.

    precision = TP / (TP + FP): of the items flagged positive, the share that are positive.
    recall    = TP / (TP + FN): of the items that are positive, the share that were flagged.
    F1        = 2 TP / (2 TP + FP + FN), the harmonic mean of the two.
    A ratio whose denominator is zero (nothing flagged, or no positives at all) is returned as
    `zero_division`, as scikit-learn does. TN appears nowhere: none of the three rewards
    correctly ignoring negatives.
    """
    y = binary_labels(y_true)
    p = binary_labels(y_pred)
    if p.shape != y.shape:
        raise ValueError(f"{y.size} labels but {p.size} predictions")
    tp = int(np.sum(y & p))
    fp = int(np.sum(~y & p))
    fn = int(np.sum(y & ~p))

    def ratio(num: int, den: int) -> float:
        return num / den if den > 0 else float(zero_division)

    return ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)
# --8<-- [end:precision_recall_f1]


# --8<-- [start:f_beta]
def f_beta(precision: float, recall: float, beta: float = 1.0) -> float:
    """Weighted harmonic mean of precision and recall, recall weighted beta times as much.

    F_beta = (1 + beta^2) P R / (beta^2 P + R). beta = 1 gives F1; beta = 2 favours recall,
    beta = 0.5 favours precision. Returns 0 when precision and recall are both 0.
    """
    if not beta > 0 or not np.isfinite(beta):
        raise ValueError(f"beta must be a positive finite number, got {beta!r}")
    for name, value in (("precision", precision), ("recall", recall)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    b2 = beta * beta
    denominator = b2 * precision + recall
    if denominator == 0:
        return 0.0
    return float((1 + b2) * precision * recall / denominator)
# --8<-- [end:f_beta]
