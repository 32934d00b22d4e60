"""Tests for src/mlguide/vision/pooling.py: the page's worked example, max- and average-pooling against
torch.nn.functional.max_pool2d / avg_pool2d in double precision, the shift helper and shift consistency, and clear
errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlguide.vision.pooling import avg_pool2d, max_pool2d, shift_consistency, shift_images


# ---------------------------------------------------------------- the page's worked example

def test_worked_example_aliasing_of_stride_two_max_pooling():
    x = np.array([[0.0, 0, 1, 1, 0, 0, 1, 1]])        # one row, period 4
    x1 = np.roll(x, 1, axis=-1)                         # shifted right by one pixel (circularly)
    pooled, pooled1 = max_pool2d(x, (1, 2)), max_pool2d(x1, (1, 2))
    np.testing.assert_array_equal(pooled, [[0, 1, 0, 1]])
    np.testing.assert_array_equal(pooled1, [[1, 1, 1, 1]])
    assert pooled.mean() == 0.5 and pooled1.mean() == 1.0          # a global average would see 0.5 vs 1
    np.testing.assert_array_equal(max_pool2d(np.roll(x, 2, axis=-1), (1, 2)), np.roll(pooled, 1, axis=-1))
    avg, avg1 = avg_pool2d(x, (1, 2)), avg_pool2d(x1, (1, 2))
    np.testing.assert_array_equal(avg, [[0, 1, 0, 1]])
    np.testing.assert_array_equal(avg1, [[0.5, 0.5, 0.5, 0.5]])   # averaging keeps the mean at 0.5


def test_worked_example_blur_pool_keeps_the_global_average():
    x = np.array([0.0, 0, 1, 1, 0, 0, 1, 1])
    for shift, expected in [(0, [0.5, 1.0, 0.5, 1.0]), (1, [0.75, 0.75, 0.75, 0.75])]:
        xs = np.roll(x, shift)
        m = np.maximum(xs, np.roll(xs, -1))                          # max over pairs, stride 1 (circular)
        b = (np.roll(m, 1) + 2 * m + np.roll(m, -1)) / 4             # blur with [1, 2, 1] / 4
        np.testing.assert_allclose(b[::2], expected)                  # then keep every second sample
        assert b[::2].mean() == 0.75


def test_output_size_formula():
    x = np.zeros((2, 3, 13, 10))
    assert max_pool2d(x, 3, 2, 1).shape == (2, 3, (13 + 2 - 3) // 2 + 1, (10 + 2 - 3) // 2 + 1) == (2, 3, 7, 5)
    assert avg_pool2d(x, 2).shape == (2, 3, 6, 5)
    assert max_pool2d(np.zeros((5, 5)), 5).shape == (1, 1)


# ---------------------------------------------------------------- against PyTorch

CASES = [
    ((2, 3, 8, 8), 2, None, 0),
    ((1, 2, 9, 7), 3, 2, 1),
    ((3, 1, 10, 11), 3, 1, 1),
    ((2, 2, 12, 12), (2, 3), (2, 1), (1, 0)),
    ((1, 4, 7, 9), 4, 3, 2),
    ((2, 1, 6, 6), 1, 2, 0),
]


@pytest.mark.parametrize("shape, kernel, stride, padding", CASES)
def test_max_pool_matches_torch(shape, kernel, stride, padding):
    x = np.random.default_rng(0).normal(size=shape)
    expected = F.max_pool2d(torch.from_numpy(x), kernel, stride, padding).numpy()
    np.testing.assert_array_equal(max_pool2d(x, kernel, stride, padding), expected)


@pytest.mark.parametrize("shape, kernel, stride, padding", CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_matches_torch(shape, kernel, stride, padding, count_include_pad):
    x = np.random.default_rng(1).normal(size=shape)
    expected = F.avg_pool2d(torch.from_numpy(x), kernel, stride, padding, count_include_pad=count_include_pad).numpy()
    np.testing.assert_allclose(avg_pool2d(x, kernel, stride, padding, count_include_pad), expected,
                               rtol=1e-12, atol=1e-14)


def test_padding_never_wins_the_max():
    x = -np.ones((1, 1, 4, 4)) * np.arange(1, 17).reshape(4, 4)     # every value negative
    out = max_pool2d(x, 3, 1, 1)
    assert np.all(out < 0)
    np.testing.assert_array_equal(out, F.max_pool2d(torch.from_numpy(x), 3, 1, 1).numpy())


def test_leading_axes_are_kept_and_2d_input_works():
    x = np.random.default_rng(2).normal(size=(6, 6))
    np.testing.assert_array_equal(max_pool2d(x, 2), F.max_pool2d(torch.from_numpy(x)[None], 2).numpy()[0])
    y = np.random.default_rng(3).normal(size=(2, 3, 4, 6, 6))
    np.testing.assert_allclose(avg_pool2d(y, 2)[1, 2, 3], avg_pool2d(y[1, 2, 3], 2))


# ---------------------------------------------------------------- shifts and consistency

def test_shift_images_moves_content_and_fills_zeros():
    img = np.arange(1, 10, dtype=float).reshape(3, 3)
    np.testing.assert_array_equal(shift_images(img, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(shift_images(img, 0, -1), [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
    np.testing.assert_array_equal(shift_images(img, -2, 2), [[0, 0, 7], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(shift_images(img, 0, 0), img)
    batch = np.random.default_rng(4).normal(size=(2, 1, 5, 5))
    batch[..., -1, :] = batch[..., :, -1] = 0                          # nothing is lost shifting down-right by 1
    np.testing.assert_array_equal(shift_images(shift_images(batch, 1, 1), -1, -1), batch)
    assert shift_images(batch.astype(np.float32), 1, 0).dtype == np.float32
    assert shift_images(np.ones((2, 2), dtype=int), 1, 0).dtype == float


def test_shift_consistency():
    images = np.zeros((4, 6, 6))
    images[[0, 1], 1, 1] = 1.0            # images 0 and 1: a dot near the top-left corner
    images[[2, 3], 4, 4] = 1.0            # images 2 and 3: a dot near the bottom-right

    def top_half(batch):                  # class 1 when any ink is in the top half
        return (batch[:, :3].sum(axis=(1, 2)) > 0).astype(int)

    assert shift_consistency(top_half, images, 0, 3) == 1.0       # horizontal shifts never change the class
    assert shift_consistency(top_half, images, 2, 0) == 0.5       # the top dots move to the bottom half
    assert shift_consistency(lambda b: np.zeros(len(b)), images, -3, 2) == 1.0


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, message", [
    (dict(kernel=0), "kernel"),
    (dict(kernel=2, stride=0), "stride"),
    (dict(kernel=2, padding=-1), "padding"),
    (dict(kernel=2, padding=2), "at most half"),
    (dict(kernel=9), "larger than the padded input"),
    (dict(kernel=2.5), "kernel"),
    (dict(kernel=(2, 2, 2)), "pair"),
    (dict(kernel=True), "kernel"),
])
def test_bad_pooling_arguments(kwargs, message):
    for pool in (max_pool2d, avg_pool2d):
        with pytest.raises(ValueError, match=message):
            pool(np.zeros((1, 1, 4, 4)), **kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="two"):
        max_pool2d(np.zeros(5), 2)
    with pytest.raises(ValueError, match="NaN"):
        avg_pool2d(np.array([[np.nan, 0], [0, 0]]), 2)
    with pytest.raises(ValueError, match="smaller than the image size"):
        shift_images(np.zeros((3, 3)), 3, 0)
    with pytest.raises(ValueError, match="integer"):
        shift_images(np.zeros((3, 3)), 0.5, 0)
    with pytest.raises(ValueError, match="one label per image"):
        shift_consistency(lambda b: np.zeros((len(b), 2)), np.zeros((2, 3, 3)), 1, 0)
