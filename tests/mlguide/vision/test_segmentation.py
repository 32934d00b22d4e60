"""Tests for src/mlguide/vision/segmentation.py: transposed-convolution output sizes against torch.nn.ConvTranspose2d
(and the convolution that undoes them), the NumPy transposed convolution against torch.nn.functional.conv_transpose2d,
IoU, Dice and pixel accuracy against scikit-learn on flattened masks, and clear errors on bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score, jaccard_score

from mlguide.vision.segmentation import conv_transpose2d, conv_transpose_output_size, segmentation_scores

# ---------------------------------------------------------------- output sizes

def test_output_size_matches_torch():
    """Every combination on a grid, against the shape torch.nn.functional.conv_transpose2d produces."""
    checked = refused = 0
    for n, k, s, p, d in itertools.product([1, 5], [1, 2, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2]):
        for op in range(max(s, d)):
            try:
                out = torch.nn.functional.conv_transpose2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s,
                                                           padding=p, output_padding=op, dilation=d)
                expected = out.shape[-1]
            except RuntimeError:             # torch refuses a negative output size
                expected = 0
            if expected < 1:
                with pytest.raises(ValueError, match="leaves no output"):
                    conv_transpose_output_size(n, k, s, p, op, d)
                refused += 1
            else:
                assert conv_transpose_output_size(n, k, s, p, op, d) == expected, (n, k, s, p, op, d)
                checked += 1
    assert checked > 250 and refused > 0


@pytest.mark.parametrize("n, k, s, p", [(8, 2, 2, 0), (8, 4, 2, 1), (5, 3, 2, 1), (16, 3, 1, 1), (7, 5, 3, 2)])
def test_convolution_undoes_the_size(n, k, s, p):
    for op in range(s):
        n_out = conv_transpose_output_size(n, k, s, p, op)
        back = torch.nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n_out, n_out)).shape[-1]
        assert back == n


def test_common_upsampling_layers_double_the_size():
    assert conv_transpose_output_size(16, 2, stride=2) == 32
    assert conv_transpose_output_size(16, 4, stride=2, padding=1) == 32
    assert conv_transpose_output_size(16, 3, stride=2, padding=1) == 31
    assert conv_transpose_output_size(16, 3, stride=2, padding=1, output_padding=1) == 32


# ---------------------------------------------------------------- the transposed convolution

@pytest.mark.parametrize("k, s, p, op", [(2, 2, 0, 0), (3, 2, 1, 1), (3, 2, 0, 0), (4, 2, 1, 0), (3, 1, 1, 0),
                                         (5, 3, 2, 2)])
def test_conv_transpose2d_matches_torch(k, s, p, op):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.normal(size=(3, 5, 4))
    w = rng.normal(size=(3, 2, k, k))
    ours = conv_transpose2d(x, w, stride=s, padding=p, output_padding=op)
    theirs = torch.nn.functional.conv_transpose2d(torch.from_numpy(x)[None], torch.from_numpy(w), stride=s,
                                                  padding=p, output_padding=op)[0].numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_transposed_convolution_is_the_adjoint_of_convolution():
    """<conv(a), b> = <a, conv_transpose(b)>: the transposed convolution is the convolution's transpose."""
    rng = np.random.default_rng(1)
    a, w = rng.normal(size=(1, 2, 9, 9)), rng.normal(size=(3, 2, 3, 3))
    conv = torch.nn.functional.conv2d(torch.from_numpy(a), torch.from_numpy(w), stride=2, padding=1)[0].numpy()
    b = rng.normal(size=conv.shape)
    lhs = float((conv * b).sum())
    rhs = float((a[0] * conv_transpose2d(b, w, stride=2, padding=1)).sum())
    assert abs(lhs - rhs) < 1e-10


def test_uneven_overlap_when_the_stride_does_not_divide_the_kernel():
    ones = np.ones((1, 4, 4))
    k3 = conv_transpose2d(ones, np.ones((1, 1, 3, 3)), stride=2)[0]
    np.testing.assert_array_equal(k3[2, :5], [2, 2, 4, 2, 4])    # rows and columns alternate 1, 2, 1, 2 ...
    np.testing.assert_array_equal(k3[1, 1:6], [1, 2, 1, 2, 1])
    k4 = conv_transpose2d(ones, np.ones((1, 1, 4, 4)), stride=2, padding=1)[0]
    np.testing.assert_array_equal(k4[1:-1, 1:-1], 4 * np.ones((6, 6)))   # even away from the border
    k2 = conv_transpose2d(ones, np.ones((1, 1, 2, 2)), stride=2)[0]
    np.testing.assert_array_equal(k2, np.ones((8, 8)))


# ---------------------------------------------------------------- scores

def test_worked_example_by_hand():
    y_true = np.array([[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
    y_pred = np.array([[0, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    s = segmentation_scores(y_true, y_pred, 2)
    # class 1: TP 2, FP 1, FN 2 -> IoU 2/5, Dice 4/7; class 0: TP 11, FP 2, FN 1 -> IoU 11/14
    np.testing.assert_allclose(s["iou"], [11 / 14, 2 / 5])
    np.testing.assert_allclose(s["dice"], [22 / 25, 4 / 7])
    assert s["pixel_accuracy"] == 13 / 16
    np.testing.assert_array_equal(s["confusion"], [[11, 1], [2, 2]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_match_sklearn_on_flattened_masks(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.choice(4, size=(3, 16, 16), p=[0.7, 0.2, 0.08, 0.02])
    y_pred = np.where(rng.random(y_true.shape) < 0.7, y_true, rng.integers(0, 4, y_true.shape))
    s = segmentation_scores(y_true, y_pred, 4)
    labels = np.arange(4)
    np.testing.assert_allclose(s["iou"], jaccard_score(y_true.ravel(), y_pred.ravel(), labels=labels, average=None))
    np.testing.assert_allclose(s["dice"], f1_score(y_true.ravel(), y_pred.ravel(), labels=labels, average=None))
    assert np.isclose(s["miou"], jaccard_score(y_true.ravel(), y_pred.ravel(), average="macro"))
    assert np.isclose(s["pixel_accuracy"], accuracy_score(y_true.ravel(), y_pred.ravel()))
    # Dice and IoU are monotone transforms of each other: D = 2J / (1 + J)
    np.testing.assert_allclose(s["dice"], 2 * s["iou"] / (1 + s["iou"]))


def test_absent_class_is_nan_and_left_out_of_the_mean():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 1, 1, 1])
    s = segmentation_scores(y_true, y_pred, 3)
    assert np.isnan(s["iou"][2]) and np.isnan(s["dice"][2])
    assert np.isclose(s["miou"], (1 / 2 + 2 / 3) / 2)
    # a class predicted but absent from the truth has IoU 0, not NaN
    s2 = segmentation_scores(np.array([0, 0, 0]), np.array([0, 2, 0]), 3)
    assert s2["iou"][2] == 0 and np.isnan(s2["iou"][1])


def test_ignore_index_drops_pixels():
    y_true = np.array([0, 1, 255, 255])
    y_pred = np.array([0, 1, 0, 1])
    s = segmentation_scores(y_true, y_pred, 2, ignore_index=255)
    np.testing.assert_array_equal(s["iou"], [1.0, 1.0])
    assert s["pixel_accuracy"] == 1.0


def test_pixel_accuracy_rewards_predicting_background():
    y_true = np.zeros((32, 32), int)
    y_true[10:14, 10:14] = 1                       # 16 of 1,024 pixels
    s = segmentation_scores(y_true, np.zeros_like(y_true), 2)
    assert s["pixel_accuracy"] > 0.98 and s["iou"][1] == 0 and s["miou"] < 0.5


def test_bad_input_raises():
    a = np.zeros((4, 4), int)
    with pytest.raises(ValueError, match="same shape"):
        segmentation_scores(a, a[:2], 2)
    with pytest.raises(ValueError, match="non-empty"):
        segmentation_scores(np.zeros(0, int), np.zeros(0, int), 2)
    with pytest.raises(ValueError, match="integer class labels"):
        segmentation_scores(a.astype(float), a, 2)
    with pytest.raises(ValueError, match="outside"):
        segmentation_scores(a + 2, a, 2)
    with pytest.raises(ValueError, match="outside"):
        segmentation_scores(a, a - 1, 2)
    with pytest.raises(ValueError, match="n_classes"):
        segmentation_scores(a, a, 0)
    with pytest.raises(ValueError, match="every pixel is ignored"):
        segmentation_scores(a, a, 2, ignore_index=0)
    for kwargs, match in (({"n": 0, "kernel": 3}, "n must"), ({"n": 4, "kernel": 0}, "kernel"),
                          ({"n": 4, "kernel": 3, "stride": 0}, "stride"), ({"n": 4, "kernel": 3, "padding": -1},
                                                                          "padding"),
                          ({"n": 4, "kernel": 3, "stride": 2, "output_padding": 2}, "output_padding"),
                          ({"n": 4.0, "kernel": 3}, "n must"), ({"n": True, "kernel": 3}, "n must"),
                          ({"n": 1, "kernel": 1, "padding": 1}, "leaves no output")):
        with pytest.raises(ValueError, match=match):
            conv_transpose_output_size(**kwargs)
    with pytest.raises(ValueError, match="same C_in"):
        conv_transpose2d(np.ones((2, 3, 3)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="square"):
        conv_transpose2d(np.ones((1, 3, 3)), np.ones((1, 1, 3, 2)))
