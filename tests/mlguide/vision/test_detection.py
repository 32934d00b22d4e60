"""Tests for src/mlguide/vision/detection.py: IoU against hand cases and a pixel-counting version, NMS against a
brute-force reference and its edge cases, and the focal loss and its gradient against PyTorch (cross-entropy with
logits at gamma = 0, autograd on the same logits) and the formula; clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.vision.detection import box_iou, nms, sigmoid_focal_loss, sigmoid_focal_loss_grad


# ---------------------------------------------------------------- IoU

@pytest.mark.parametrize("a, b, iou", [
    ([0, 0, 4, 4], [2, 2, 6, 6], 4 / 28),       # the page's example: 2 x 2 overlap of two 4 x 4 boxes
    ([0, 0, 4, 4], [1, 0, 5, 4], 12 / 20),      # shifted by a quarter of the width
    ([0, 0, 3, 3], [1, 0, 4, 3], 6 / 12),       # 3 x 3 box shifted by one pixel
    ([0, 0, 3, 3], [1, 1, 4, 4], 4 / 14),       # ... and diagonally
    ([0, 0, 2, 2], [0, 0, 2, 2], 1.0),          # identical
    ([0, 0, 2, 2], [2, 0, 4, 2], 0.0),          # touching edges: no overlap
    ([0, 0, 2, 2], [5, 5, 7, 7], 0.0),          # apart
    ([0, 0, 4, 4], [1, 1, 3, 3], 4 / 16),       # nested
    ([0.5, 0.5, 1.5, 2.5], [1.0, 0.0, 3.0, 1.0], 0.25 / 3.75),   # fractional coordinates
])
def test_iou_hand_cases(a, b, iou):
    assert box_iou([a], [b])[0, 0] == pytest.approx(iou, abs=1e-15)
    assert box_iou([b], [a])[0, 0] == pytest.approx(iou, abs=1e-15)


def _pixel_iou(a, b, size=24):
    """IoU by counting the pixels of two integer boxes drawn on a grid."""
    masks = []
    for x1, y1, x2, y2 in (a, b):
        mask = np.zeros((size, size), bool)
        mask[int(y1):int(y2), int(x1):int(x2)] = True
        masks.append(mask)
    union = (masks[0] | masks[1]).sum()
    return (masks[0] & masks[1]).sum() / union if union else 0.0


def _random_boxes(rng, n, size=24):
    corners = rng.integers(0, size, size=(n, 2, 2))
    low, high = corners.min(axis=1), corners.max(axis=1)
    return np.column_stack([low[:, 0], low[:, 1], high[:, 0], high[:, 1]]).astype(float)


@pytest.mark.parametrize("seed", range(3))
def test_iou_matrix_matches_pixel_counts(seed):
    rng = np.random.default_rng(seed)
    a, b = _random_boxes(rng, 15), _random_boxes(rng, 11)
    matrix = box_iou(a, b)
    assert matrix.shape == (15, 11)
    brute = np.array([[_pixel_iou(u, v) for v in b] for u in a])
    np.testing.assert_allclose(matrix, brute, rtol=0, atol=1e-12)
    assert np.all((matrix >= 0) & (matrix <= 1))
    np.testing.assert_allclose(box_iou(b, a), matrix.T, rtol=0, atol=0)


def test_iou_invariant_to_translation_and_scale():
    rng = np.random.default_rng(5)
    a, b = _random_boxes(rng, 6) + [0, 0, 1, 1], _random_boxes(rng, 7) + [0, 0, 1, 1]
    moved = np.array([3.5, -2.0, 3.5, -2.0])
    np.testing.assert_allclose(box_iou(a + moved, b + moved), box_iou(a, b), atol=1e-12)
    np.testing.assert_allclose(box_iou(2.5 * a, 2.5 * b), box_iou(a, b), atol=1e-12)


def test_iou_degenerate_and_empty():
    line, point = [0, 0, 0, 5], [1, 1, 1, 1]
    assert box_iou([line], [line])[0, 0] == 0.0          # zero union: defined as 0, no division warning
    assert box_iou([point], [[0, 0, 2, 2]])[0, 0] == 0.0
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_iou([], [[0, 0, 1, 1], [0, 0, 2, 2]]).shape == (0, 2)


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3)), "shape"), ([[0, 0, 1, np.nan]], "NaN"), ([[2, 0, 1, 1]], "x2 < x1"),
    ([[0, 3, 1, 1]], "y2 < y1"), (np.ones(4), "shape"),
])
def test_iou_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        box_iou(bad, [[0, 0, 1, 1]])


# ---------------------------------------------------------------- NMS

def _iou_scalar(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _nms_reference(boxes, scores, threshold):
    """The definition, box by box: visit boxes best first (equal scores by index); keep a box when no box kept so
    far overlaps it by more than the threshold."""
    keep = []
    for i in sorted(range(len(boxes)), key=lambda i: (-scores[i], i)):
        if all(_iou_scalar(boxes[i], boxes[j]) <= threshold for j in keep):
            keep.append(i)
    return keep


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_nms_matches_the_reference(seed, threshold):
    rng = np.random.default_rng(seed)
    boxes = _random_boxes(rng, 40, size=16) + [0, 0, 1, 1]          # clustered, so boxes overlap a lot
    scores = np.round(rng.random(40), 1) if seed % 2 else rng.random(40)   # odd seeds: many tied scores
    kept = nms(boxes, scores, threshold)
    assert kept.tolist() == _nms_reference(boxes, scores, threshold)
    assert kept.dtype == np.intp
    iou = box_iou(boxes[kept], boxes[kept])
    assert np.all(iou[~np.eye(len(kept), dtype=bool)] <= threshold)   # no two kept boxes overlap too much
    dropped = np.setdiff1d(np.arange(40), kept)
    for i in dropped:                                                   # each dropped box is covered by a better one
        better = [j for j in kept if (scores[j], -j) > (scores[i], -i)]
        assert max(_iou_scalar(boxes[i], boxes[j]) for j in better) > threshold


def test_nms_hand_case_and_crowd():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    # box 3 (0.95) removes box 0 (IoU 90/100) and box 1 (IoU 72/118 = 0.61); box 2 is far away
    assert nms(boxes, scores, 0.5).tolist() == [3, 2]
    assert nms(boxes, scores, 0.95).tolist() == [3, 0, 1, 2]
    # two people side by side overlapping with IoU 0.6: one of them is lost at the usual threshold
    crowd = np.array([[0, 0, 4, 10], [1, 0, 5, 10]], float)
    assert box_iou(crowd[:1], crowd[1:])[0, 0] == pytest.approx(0.6)
    assert nms(crowd, [0.9, 0.85], 0.5).tolist() == [0]
    assert nms(crowd, [0.9, 0.85], 0.7).tolist() == [0, 1]


def test_nms_ties_and_edge_cases():
    same = np.array([[0, 0, 2, 2]] * 3, float)
    assert nms(same, [0.5, 0.5, 0.5], 0.5).tolist() == [0]          # equal scores: the lowest index wins
    assert nms(same, [0.4, 0.5, 0.5], 0.5).tolist() == [1]
    assert nms(same, [0.5] * 3, 1.0).tolist() == [0, 1, 2]          # IoU 1 is not above 1: nothing removed
    empty = nms(np.zeros((0, 4)), np.zeros(0), 0.5)
    assert empty.shape == (0,) and empty.dtype == np.intp
    assert nms([[0, 0, 1, 1]], [0.3]).tolist() == [0]
    apart = np.array([[0, 0, 1, 1], [2, 2, 3, 3]], float)
    assert nms(apart, [0.1, 0.2], 0.0).tolist() == [1, 0]           # threshold 0 still keeps disjoint boxes


def test_nms_bad_input():
    boxes = np.array([[0, 0, 1, 1], [0, 0, 2, 2]], float)
    with pytest.raises(ValueError, match="scores"):
        nms(boxes, [0.5])
    with pytest.raises(ValueError, match="scores"):
        nms(boxes, [0.5, np.nan])
    with pytest.raises(ValueError, match="iou_threshold"):
        nms(boxes, [0.5, 0.4], 1.5)
    with pytest.raises(ValueError, match="x2 < x1"):
        nms([[1, 0, 0, 1]], [0.5])


# ---------------------------------------------------------------- focal loss

def _torch_focal(z, y, gamma, alpha):
    """The focal loss as torchvision.ops.sigmoid_focal_loss writes it, in float64 with autograd."""
    p = torch.sigmoid(z)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss


def _data(seed, n=200):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 4, n), (rng.random(n) < 0.3).astype(float)


@pytest.mark.parametrize("seed", range(3))
def test_gamma_zero_is_cross_entropy(seed):
    z, y = _data(seed)
    torch_ce = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y), reduction="none").numpy()
    np.testing.assert_allclose(sigmoid_focal_loss(z, y, gamma=0.0, alpha=None), torch_ce, rtol=1e-12, atol=1e-14)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(sigmoid_focal_loss_grad(z, y, gamma=0.0, alpha=None), p - y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("gamma, alpha", [(2.0, 0.25), (2.0, None), (0.5, 0.75), (5.0, 0.1), (1.0, 0.5), (0.0, 0.25)])
def test_focal_loss_and_gradient_match_torch(gamma, alpha):
    z, y = _data(7)
    zt = torch.tensor(z, requires_grad=True)
    loss = _torch_focal(zt, torch.tensor(y), gamma, alpha)
    loss.sum().backward()
    np.testing.assert_allclose(sigmoid_focal_loss(z, y, gamma, alpha), loss.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(sigmoid_focal_loss_grad(z, y, gamma, alpha), zt.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_focal_loss_formula_and_page_numbers():
    # p_t = 0.9: cross-entropy 0.105, the focal factor (0.1)^2 = 0.01 makes it 100 times smaller
    z = np.log(0.9 / 0.1)
    ce = sigmoid_focal_loss([z], [1], gamma=0, alpha=None)[0]
    fl = sigmoid_focal_loss([z], [1], gamma=2, alpha=None)[0]
    assert ce == pytest.approx(-np.log(0.9)) and fl == pytest.approx(0.01 * ce)
    assert sigmoid_focal_loss([-z], [0], gamma=2, alpha=None)[0] == pytest.approx(fl)   # symmetric for a negative
    assert sigmoid_focal_loss([z], [1], gamma=2, alpha=0.25)[0] == pytest.approx(0.25 * fl)
    assert sigmoid_focal_loss([-z], [0], gamma=2, alpha=0.25)[0] == pytest.approx(0.75 * fl)
    # p_t = 0.968: about 1000 times smaller
    z = np.log(0.968 / 0.032)
    ratio = sigmoid_focal_loss([z], [1], 2, None)[0] / sigmoid_focal_loss([z], [1], 0, None)[0]
    assert 1 / ratio == pytest.approx(1 / 0.032**2) and 950 < 1 / ratio < 1000


def test_gradient_matches_finite_differences():
    z, y = _data(11, n=50)
    h = 1e-6
    numeric = (sigmoid_focal_loss(z + h, y, 2.0, 0.25) - sigmoid_focal_loss(z - h, y, 2.0, 0.25)) / (2 * h)
    np.testing.assert_allclose(sigmoid_focal_loss_grad(z, y, 2.0, 0.25), numeric, rtol=1e-5, atol=1e-9)


def test_focal_loss_is_stable_for_large_logits():
    z = np.array([-800.0, -40.0, 40.0, 800.0])
    for y in (np.zeros(4), np.ones(4)):
        loss, grad = sigmoid_focal_loss(z, y), sigmoid_focal_loss_grad(z, y)
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))
    assert sigmoid_focal_loss([800.0], [0], gamma=2, alpha=None)[0] == pytest.approx(800.0)   # confident and wrong
    assert sigmoid_focal_loss([800.0], [1], gamma=2, alpha=None)[0] == 0.0
    assert sigmoid_focal_loss_grad([800.0], [0], gamma=2, alpha=None)[0] == pytest.approx(1.0)


def test_focal_loss_shapes():
    z, y = np.zeros((2, 3, 4)), np.ones((2, 3, 4))
    assert sigmoid_focal_loss(z, y).shape == (2, 3, 4) and sigmoid_focal_loss_grad(z, y).shape == (2, 3, 4)
    # at p = 1/2 and gamma = 2: 0.25 * (1/2)^2 * log 2 for a positive
    assert sigmoid_focal_loss(z, y)[0, 0, 0] == pytest.approx(0.25 * 0.25 * np.log(2))


@pytest.mark.parametrize("kwargs, match", [
    ({"targets": [0.5, 1.0]}, "0 or 1"), ({"targets": [1.0]}, "same shape"), ({"gamma": -1.0}, "gamma"),
    ({"gamma": np.nan}, "gamma"), ({"alpha": 1.5}, "alpha"), ({"alpha": -0.1}, "alpha"),
    ({"logits": [np.inf, 0.0]}, "NaN or infinite"),
])
def test_focal_loss_bad_input(kwargs, match):
    args = {"logits": [0.0, 1.0], "targets": [0.0, 1.0], **kwargs}
    for function in (sigmoid_focal_loss, sigmoid_focal_loss_grad):
        with pytest.raises(ValueError, match=match):
            function(**args)
