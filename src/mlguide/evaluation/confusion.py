"""Confusion matrices, the rates derived from them, and decision thresholds chosen by the cost of errors.

Backs the pages `docs/evaluation/confusion-matrix.md` and `docs/evaluation/evaluating-a-model.md` and the notebook
`docs/evaluation/notebooks/thresholds_and_costs.py`. NumPy only, so a downloaded notebook can inline this file.

Conventions: label 1 (or True) is the positive class; a score or probability `s` is flagged positive when
`s >= threshold`.
"""

from __future__ import annotations

import numpy as np


def _as_binary(values, name: str) -> np.ndarray:
    """Return `values` as a 1-D boolean array, or raise ValueError if it is not a non-empty 0/1 or boolean vector."""
    v = np.asarray(values)
    if v.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {v.shape}")
    if v.size == 0:
        raise ValueError(f"{name} is empty")
    if v.dtype != bool:
        if not np.issubdtype(v.dtype, np.number) or not np.all((v == 0) | (v == 1)):
            raise ValueError(f"{name} must hold only 0/1 or booleans (1 or True marks the positive class)")
    return v.astype(bool)


# --8<-- [start:confusion_counts]
def confusion_counts(y_true, y_pred) -> tuple[int, int, int, int]:
    """Counts (tn, fp, fn, tp) of a binary decision, in scikit-learn's `confusion_matrix(...).ravel()` order.

    tp: positives flagged positive         fn: positives missed (Type II errors)
    fp: negatives flagged positive (Type I errors)   tn: negatives left alone
    """
    y = _as_binary(y_true, "y_true")
    p = _as_binary(y_pred, "y_pred")
    if p.shape != y.shape:
        raise ValueError(f"{y.size} labels but {p.size} predictions")
    tp = int(np.sum(y & p))
    fp = int(np.sum(~y & p))
    fn = int(np.sum(y & ~p))
    tn = int(np.sum(~y & ~p))
    return tn, fp, fn, tp
# --8<-- [end:confusion_counts]


# --8<-- [start:rates_from_counts]
def rates_from_counts(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """The rates and summaries of a 2x2 confusion matrix (truth in rows, predictions in columns).

    A value whose denominator is zero is NaN, not a silent 0.
    Row rates (divide by a true class, so they do not depend on prevalence):
        TPR = tp / (tp + fn)  recall, sensitivity      FNR = fn / (tp + fn) = 1 - TPR, miss rate
        TNR = tn / (tn + fp)  specificity              FPR = fp / (tn + fp) = 1 - TNR, fall-out
    Column rates (divide by a prediction, so they move with prevalence):
        precision = tp / (tp + fp)  PPV                NPV = tn / (tn + fn)
    Whole-table numbers:
        prevalence = (tp + fn) / n, the share of actual positives
        accuracy = (tp + tn) / n = prevalence * TPR + (1 - prevalence) * TNR
        balanced_accuracy = (TPR + TNR) / 2
        MCC = (tp * tn - fp * fn) / sqrt((tp + fn)(tn + fp)(tp + fp)(tn + fn)), from -1 to 1
    """
    counts = np.array([tn, fp, fn, tp])
    if np.any(counts < 0) or not np.all(counts == np.floor(counts)):
        raise ValueError(f"counts must be non-negative integers, got {counts.tolist()}")
    if counts.sum() == 0:
        raise ValueError("all four counts are zero")

    def ratio(num: float, den: float) -> float:
        return float(num / den) if den > 0 else float("nan")

    n = tn + fp + fn + tp
    tpr, tnr = ratio(tp, tp + fn), ratio(tn, tn + fp)
    mcc_den = float(tp + fn) * float(tn + fp) * float(tp + fp) * float(tn + fn)   # floats: no integer overflow
    return {
        "TPR": tpr,
        "FNR": ratio(fn, tp + fn),
        "TNR": tnr,
        "FPR": ratio(fp, tn + fp),
        "precision": ratio(tp, tp + fp),
        "NPV": ratio(tn, tn + fn),
        "prevalence": ratio(tp + fn, n),
        "accuracy": ratio(tp + tn, n),
        "balanced_accuracy": (tpr + tnr) / 2,
        "MCC": ratio(float(tp) * tn - float(fp) * fn, np.sqrt(mcc_den)),
    }
# --8<-- [end:rates_from_counts]


# --8<-- [start:predictive_values]
def predictive_values(sensitivity: float, specificity: float, prevalence: float) -> tuple[float, float]:
    """(PPV, NPV) of a test with the given sensitivity and specificity, applied where `prevalence` is the base rate.

    Bayes' rule: PPV = se * pi / (se * pi + (1 - sp) * (1 - pi)),  NPV = sp * (1 - pi) / (sp * (1 - pi) + (1 - se) * pi).
    """
    for name, value in (("sensitivity", sensitivity), ("specificity", specificity), ("prevalence", prevalence)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    flagged_sick = sensitivity * prevalence
    flagged_healthy = (1 - specificity) * (1 - prevalence)
    cleared_healthy = specificity * (1 - prevalence)
    cleared_sick = (1 - sensitivity) * prevalence
    ppv = flagged_sick / (flagged_sick + flagged_healthy) if flagged_sick + flagged_healthy > 0 else float("nan")
    npv = cleared_healthy / (cleared_healthy + cleared_sick) if cleared_healthy + cleared_sick > 0 else float("nan")
    return float(ppv), float(npv)
# --8<-- [end:predictive_values]


# --8<-- [start:bayes_threshold]
def bayes_threshold(c_fp: float, c_fn: float, c_tp: float = 0.0, c_tn: float = 0.0) -> float:
    """Probability threshold that minimises expected cost, for *calibrated* probabilities p = P(y = 1 | x).

    Flagging costs p * c_tp + (1 - p) * c_fp; not flagging costs p * c_fn + (1 - p) * c_tn.
    Flagging is cheaper exactly when p > (c_fp - c_tn) / ((c_fp - c_tn) + (c_fn - c_tp)),
    which is c_fp / (c_fp + c_fn) when correct decisions cost nothing.
    """
    extra_fp = c_fp - c_tn     # extra cost of a false alarm over a correct rejection
    extra_fn = c_fn - c_tp     # extra cost of a miss over a hit
    if extra_fp <= 0 or extra_fn <= 0:
        raise ValueError("each error must cost more than the correct decision it replaces")
    return extra_fp / (extra_fp + extra_fn)
# --8<-- [end:bayes_threshold]


# --8<-- [start:cost_curve]
def cost_curve(y_true, scores, thresholds, c_fp: float, c_fn: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False positives, false negatives and total cost c_fp * FP + c_fn * FN at each threshold (flag if score >= t).

    Sorting the scores of each class once makes every threshold a binary search: O((n + k) log n) for k thresholds.
    """
    y = _as_binary(y_true, "y_true")
    s = np.asarray(scores, dtype=float)
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if s.shape != y.shape:
        raise ValueError(f"{y.size} labels but scores of shape {s.shape}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(t))):
        raise ValueError("scores and thresholds must be finite")
    if c_fp < 0 or c_fn < 0:
        raise ValueError("costs must be non-negative")
    neg = np.sort(s[~y])
    pos = np.sort(s[y])
    fp = neg.size - np.searchsorted(neg, t, side="left")   # negatives scored >= t
    fn = np.searchsorted(pos, t, side="left")              # positives scored < t
    return fp, fn, c_fp * fp + c_fn * fn
# --8<-- [end:cost_curve]


def expected_cost(y_true, y_pred, c_fp: float, c_fn: float) -> float:
    """Average cost per example of hard predictions: (c_fp * FP + c_fn * FN) / n."""
    if c_fp < 0 or c_fn < 0:
        raise ValueError("costs must be non-negative")
    tn, fp, fn, tp = confusion_counts(y_true, y_pred)
    return (c_fp * fp + c_fn * fn) / (tn + fp + fn + tp)


# --8<-- [start:multiclass_confusion]
def multiclass_confusion(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """K x K matrix whose entry [i, j] counts examples of true class i predicted as class j (labels 0..K-1).

    The diagonal holds the correct predictions; row i sums to the size of class i, column j to how often j was
    predicted. Class k's one-vs-rest counts are tp = M[k, k], fn = row k minus tp, fp = column k minus tp.
    """
    y = np.asarray(y_true)
    p = np.asarray(y_pred)
    if y.ndim != 1 or y.shape != p.shape or y.size == 0:
        raise ValueError("y_true and y_pred must be non-empty 1-D arrays of the same length")
    for name, v in (("y_true", y), ("y_pred", p)):
        if not np.issubdtype(v.dtype, np.integer) or v.min() < 0:
            raise ValueError(f"{name} must hold class indices 0, 1, ..., K-1")
    k = int(max(y.max(), p.max())) + 1 if n_classes is None else int(n_classes)
    if max(y.max(), p.max()) >= k:
        raise ValueError(f"a label is >= n_classes = {k}")
    return np.bincount(y * k + p, minlength=k * k).reshape(k, k)
# --8<-- [end:multiclass_confusion]
