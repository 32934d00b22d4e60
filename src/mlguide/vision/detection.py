"""Object detection helpers: the intersection over union of boxes, greedy non-maximum suppression, and the binary
focal loss with its gradient.

Backs the page `docs/vision/object-detection-and-focal-loss.md` and its notebook. NumPy only, so a downloaded notebook
can inline this file.

Boxes are rows (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2, in continuous coordinates: a box's area is
(x2 - x1) * (y2 - y1), so the pixels c <= x < c + w of an image form the box (c, ., c + w, .). Logits are the
scores z of a sigmoid classifier, p = 1 / (1 + exp(-z)); targets are 0 or 1.
"""

from __future__ import annotations

import numpy as np


def _check_boxes(boxes, name: str) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=float)
    if boxes.ndim == 1 and boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (n, 4), rows (x1, y1, x2, y2); got {boxes.shape}")
    if not np.all(np.isfinite(boxes)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    if np.any(boxes[:, 2] < boxes[:, 0]) or np.any(boxes[:, 3] < boxes[:, 1]):
        raise ValueError(f"{name} has a box with x2 < x1 or y2 < y1")
    return boxes


# --8<-- [start:box_iou]
def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Intersection over union of every pair of boxes.

    boxes_a (n, 4) and boxes_b (m, 4): rows (x1, y1, x2, y2).
    Returns the (n, m) matrix |A and B| / |A or B|; a pair whose
    union has zero area (two degenerate boxes) gets 0.
    """
    a, b = _check_boxes(boxes_a, "boxes_a"), _check_boxes(boxes_b, "boxes_b")
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])       # (n, m, 2)
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    width_height = np.clip(bottom_right - top_left, 0.0, None)  # 0 if apart
    inter = width_height[..., 0] * width_height[..., 1]
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
# --8<-- [end:box_iou]


# --8<-- [start:nms]
def nms(boxes, scores, iou_threshold: float = 0.5) -> np.ndarray:
    """Greedy non-maximum suppression; returns the indices kept.

    Repeatedly keeps the highest-scoring box left and removes every
    remaining box whose IoU with it exceeds iou_threshold. Equal
    scores go in index order. Indices come out by decreasing score.
    Run it per class: boxes of different classes never suppress.
    """
    boxes = _check_boxes(boxes, "boxes")
    scores = np.asarray(scores, dtype=float)
    if scores.shape != (len(boxes),) or not np.all(np.isfinite(scores)):
        raise ValueError(f"scores must be {len(boxes)} finite numbers, "
                         f"one per box; got shape {scores.shape}")
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold!r}")
    order = np.argsort(-scores, kind="stable")   # best first, ties by index
    keep = []
    while order.size > 0:
        best, rest = order[0], order[1:]
        keep.append(best)
        overlap = box_iou(boxes[best:best + 1], boxes[rest])[0]
        order = rest[overlap <= iou_threshold]
    return np.array(keep, dtype=np.intp)
# --8<-- [end:nms]


def _check_logits(logits, targets, gamma, alpha) -> tuple[np.ndarray, np.ndarray]:
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    if z.shape != y.shape:
        raise ValueError(f"logits and targets must have the same shape, got {z.shape} and {y.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits contain NaN or infinite values")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("targets must be 0 or 1")
    if isinstance(gamma, bool) or not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be a number >= 0, got {gamma!r}")
    if alpha is not None and (isinstance(alpha, bool) or not 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha must be None or in [0, 1], got {alpha!r}")
    return z, y


# --8<-- [start:sigmoid_focal_loss]
def sigmoid_focal_loss(logits, targets, gamma: float = 2.0,
                       alpha: float | None = 0.25) -> np.ndarray:
    """Binary focal loss of each element, from logits (Lin et al., 2017).

    FL = -alpha_t (1 - p_t)^gamma log p_t, with p = sigmoid(z),
    p_t = p where the target is 1 and 1 - p where it is 0, and
    alpha_t = alpha for targets 1, 1 - alpha for targets 0
    (alpha=None: no weight). gamma = 0, alpha = None is
    binary cross-entropy.
    """
    z, y = _check_logits(logits, targets, gamma, alpha)
    z_t = np.where(y == 1, z, -z)          # logit of the true class
    log_p_t = -np.logaddexp(0.0, -z_t)     # log sigmoid(z_t), stable
    one_minus_p_t = np.exp(-np.logaddexp(0.0, z_t))   # sigmoid(-z_t)
    loss = -one_minus_p_t ** gamma * log_p_t
    if alpha is not None:
        loss = np.where(y == 1, alpha, 1.0 - alpha) * loss
    return loss
# --8<-- [end:sigmoid_focal_loss]


# --8<-- [start:sigmoid_focal_loss_grad]
def sigmoid_focal_loss_grad(logits, targets, gamma: float = 2.0,
                            alpha: float | None = 0.25) -> np.ndarray:
    """Derivative of sigmoid_focal_loss with respect to each logit z.

    s alpha_t (1 - p_t)^gamma (gamma p_t log p_t + p_t - 1), with
    s = +1 for targets 1 and -1 for targets 0; at gamma = 0,
    alpha = None it is p - y, cross-entropy's gradient.
    """
    z, y = _check_logits(logits, targets, gamma, alpha)
    sign = np.where(y == 1, 1.0, -1.0)
    z_t = sign * z
    log_p_t = -np.logaddexp(0.0, -z_t)
    p_t = np.exp(log_p_t)
    one_minus_p_t = np.exp(-np.logaddexp(0.0, z_t))
    grad = sign * one_minus_p_t ** gamma * (gamma * p_t * log_p_t
                                            - one_minus_p_t)
    if alpha is not None:
        grad = np.where(y == 1, alpha, 1.0 - alpha) * grad
    return grad
# --8<-- [end:sigmoid_focal_loss_grad]
