"""Tests for src/mlguide/vision/convolution.py: conv2d against torch.nn.functional.conv2d on random tensors (batch,
channels, stride, padding, dilation, rectangular kernels), the cross-correlation convention against SciPy, the output
size against PyTorch's shapes, parameter counts against nn.Conv2d and nn.Linear, MACs counted by PyTorch itself, the
page's worked examples, the page's recipe for the input gradient against autograd, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import convolve2d, correlate2d
from torch import nn

from mlguide.vision.convolution import conv2d, conv2d_counts, conv_output_size, linear_counts


def torch_conv(x, w, b, **kw):
    bt = None if b is None else torch.from_numpy(b)
    return nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), bt, **kw).numpy()


# ---------------------------------------------------------------- conv2d against PyTorch

CASES = [
    # (N, C_in, H, W), (C_out, k_h, k_w), stride, padding, dilation
    ((1, 1, 5, 5), (1, 3, 3), 1, 0, 1),
    ((2, 3, 8, 7), (4, 3, 3), 1, 1, 1),
    ((3, 2, 9, 9), (5, 3, 3), 2, 1, 1),
    ((2, 4, 11, 10), (3, 3, 3), 1, 2, 2),
    ((2, 3, 12, 9), (2, 5, 3), (2, 1), (2, 0), (1, 2)),
    ((1, 2, 7, 7), (6, 1, 1), 1, 0, 1),
    ((4, 1, 6, 6), (2, 6, 6), 1, 0, 1),          # kernel as large as the image: one output position
    ((2, 3, 10, 10), (4, 4, 4), 3, 1, 1),        # stride that does not divide evenly: floor
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch_conv2d(xs, ws, stride, padding, dilation, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=xs)
    w = rng.normal(size=(ws[0], xs[1], ws[1], ws[2]))
    b = rng.normal(size=ws[0])
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    expected = torch_conv(x, w, b, **kw)
    got = conv2d(x, w, b, **kw)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv2d(x, w, None, **kw), torch_conv(x, w, None, **kw), rtol=1e-10, atol=1e-10)


def test_each_output_channel_sums_over_all_input_channels():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(1, 3, 6, 6)), rng.normal(size=(2, 3, 3, 3))
    per_channel = sum(conv2d(x[:, [c]], w[:, [c]]) for c in range(3))
    np.testing.assert_allclose(conv2d(x, w), per_channel, atol=1e-12)


def test_is_cross_correlation_not_convolution():
    rng = np.random.default_rng(3)
    img, ker = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    ours = conv2d(img[None, None], ker[None, None])[0, 0]
    np.testing.assert_allclose(ours, correlate2d(img, ker, mode="valid"), atol=1e-12)
    assert not np.allclose(ours, convolve2d(img, ker, mode="valid"))
    # true convolution = cross-correlation with the kernel flipped in both axes
    np.testing.assert_allclose(conv2d(img[None, None], ker[::-1, ::-1][None, None])[0, 0],
                               convolve2d(img, ker, mode="valid"), atol=1e-12)


def test_translation_equivariance_away_from_the_border():
    rng = np.random.default_rng(4)
    x = np.zeros((1, 1, 12, 12))
    x[0, 0, 3:7, 2:6] = rng.normal(size=(4, 4))
    w = rng.normal(size=(2, 1, 3, 3))
    shifted = np.roll(x, (2, 3), axis=(2, 3))
    np.testing.assert_allclose(conv2d(shifted, w, padding=1), np.roll(conv2d(x, w, padding=1), (2, 3), axis=(2, 3)),
                               atol=1e-12)


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", [c for c in CASES if isinstance(c[2], int)])
def test_input_gradient_is_the_pages_transposed_convolution(xs, ws, stride, padding, dilation):
    """The page's recipe: g with s - 1 zeros between entries, fully convolved (padded by d(k - 1)) with the dilated
    kernel and summed over output channels, cropped by p; rows the forward floor skipped get zero gradient."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=xs)
    w = rng.normal(size=(ws[0], xs[1], ws[1], ws[2]))
    y = conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    g = rng.normal(size=y.shape)
    xt = torch.from_numpy(x).requires_grad_()
    nn.functional.conv2d(xt, torch.from_numpy(w), stride=stride, padding=padding, dilation=dilation).backward(
        torch.from_numpy(g))
    s, p, d, (kh, kw) = stride, padding, dilation, ws[1:]
    up = np.zeros(g.shape[:2] + ((g.shape[2] - 1) * s + 1, (g.shape[3] - 1) * s + 1))
    up[:, :, ::s, ::s] = g                                            # s - 1 zeros between entries
    full = np.pad(up, ((0, 0), (0, 0), (d * (kh - 1),) * 2, (d * (kw - 1),) * 2))
    flipped = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]               # a true convolution: the kernel flipped
    grad_padded = conv2d(full, np.ascontiguousarray(flipped), dilation=d)
    skipped = (xs[2] + 2 * p - grad_padded.shape[2], xs[3] + 2 * p - grad_padded.shape[3])
    grad_padded = np.pad(grad_padded, ((0, 0), (0, 0), (0, skipped[0]), (0, skipped[1])))   # rows never read
    grad = grad_padded[:, :, p:p + xs[2], p:p + xs[3]]                # crop the padding
    assert np.allclose(grad, xt.grad.numpy(), atol=1e-10)


def test_hand_example():
    x = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])      # x[i, j] - x[i+1, j+1] = -5 everywhere
    np.testing.assert_allclose(conv2d(x, w), np.full((1, 1, 3, 3), -5.0))
    np.testing.assert_allclose(conv2d(x, w, stride=2), np.full((1, 1, 2, 2), -5.0))
    # zero padding: the top-left output sees only x[0, 0] = 1, under the -1 tap
    padded = conv2d(x, w, padding=1)
    assert padded.shape == (1, 1, 5, 5) and padded[0, 0, 0, 0] == -1.0 and padded[0, 0, 4, 4] == 16.0


# ---------------------------------------------------------------- output size

@pytest.mark.parametrize("n, k, s, p, d, expected", [
    (32, 3, 1, 1, 1, 32), (32, 3, 2, 1, 1, 16), (32, 3, 1, 0, 2, 28), (224, 7, 2, 3, 1, 112),
    (8, 3, 1, 0, 1, 6), (5, 5, 1, 0, 1, 1), (10, 3, 3, 0, 1, 3), (7, 1, 2, 0, 1, 4),
])
def test_output_size_worked_examples(n, k, s, p, d, expected):
    assert conv_output_size(n, k, s, p, d) == expected


@pytest.mark.parametrize("n", [5, 9, 16, 17])
@pytest.mark.parametrize("k, s, p, d", [(3, 1, 1, 1), (3, 2, 0, 1), (5, 2, 2, 1), (3, 1, 2, 2), (2, 3, 1, 3)])
def test_output_size_matches_torch_shapes(n, k, s, p, d):
    if n + 2 * p < d * (k - 1) + 1:
        pytest.skip("kernel longer than the padded input")
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    pool = nn.MaxPool2d(k, stride=s, padding=min(p, k // 2), dilation=d)
    x = torch.zeros(1, 1, n, n)
    assert conv(x).shape[-1] == conv_output_size(n, k, s, p, d)
    assert pool(x).shape[-1] == conv_output_size(n, k, s, min(p, k // 2), d)


# ---------------------------------------------------------------- parameter and MAC counts

@pytest.mark.parametrize("c_in, c_out, k, groups, bias", [
    (1, 16, 3, 1, True), (3, 64, 3, 1, True), (64, 128, 3, 1, False), (16, 32, (1, 5), 1, True),
    (32, 32, 3, 32, True), (32, 64, 1, 1, True), (8, 16, 3, 4, False), (3, 96, 11, 1, True),
])
def test_conv_counts_match_torch(c_in, c_out, k, groups, bias):
    layer = nn.Conv2d(c_in, c_out, k, padding=1, groups=groups, bias=bias, dtype=torch.float64)
    y = layer(torch.zeros(1, c_in, 13, 12, dtype=torch.float64))
    counts = conv2d_counts(c_in, c_out, k, y.shape[2], y.shape[3], groups=groups, bias=bias)
    assert counts["parameters"] == sum(p.numel() for p in layer.parameters())
    # Count the MACs with PyTorch: all-ones weights on an all-ones input (padding made of ones too, since a dense
    # convolution multiplies the padded zeros as well) make every multiply-accumulate add exactly 1.
    ones = torch.ones(1, c_in, 13 + 2, 12 + 2, dtype=torch.float64)
    macs = nn.functional.conv2d(ones, torch.ones_like(layer.weight), groups=groups).sum().item()
    assert counts["macs"] == macs


@pytest.mark.parametrize("n_in, n_out, bias", [(64, 10, True), (3072, 16384, True), (25088, 4096, False)])
def test_linear_counts_match_torch(n_in, n_out, bias):
    layer = nn.Linear(n_in, n_out, bias=bias, device="meta")      # meta: shapes only, no memory
    assert linear_counts(n_in, n_out, bias)["parameters"] == sum(p.numel() for p in layer.parameters())
    assert linear_counts(n_in, n_out, bias)["macs"] == n_in * n_out


def test_page_worked_example_conv_against_fully_connected():
    conv = conv2d_counts(3, 16, 3, 32, 32)
    fc = linear_counts(32 * 32 * 3, 32 * 32 * 16)
    assert conv == {"parameters": 448, "macs": 442_368}
    assert fc == {"parameters": 50_348_032, "macs": 50_331_648}
    assert fc["macs"] / conv["macs"] == pytest.approx(1024 / 9)          # locality: H W / k^2
    locally_connected = 32 * 32 * 16 * 27                                # no sharing: one weight per MAC
    assert locally_connected == conv["macs"] and fc["macs"] / locally_connected == pytest.approx(1024 / 9)
    assert conv2d_counts(64, 128, 3, 56, 56) == {"parameters": 73_856, "macs": 231_211_008}
    # VGG-16's three fully connected layers
    vgg_fc = sum(linear_counts(a, b)["parameters"] for a, b in [(25088, 4096), (4096, 4096), (4096, 1000)])
    assert vgg_fc == 123_642_856


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, match", [
    ((5, 7), "kernel spans 7"), ((5, 3, 1, 0, 3), "kernel spans 7"), ((0, 3), "n must"), ((5, 3, 0), "stride"),
    ((5, 3, 1, -1), "padding"), ((5, 3, 1, 0, 0), "dilation"), ((5.0, 3), "n must"), ((True, 3), "n must"),
])
def test_output_size_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        conv_output_size(*args)


def test_conv2d_rejects_bad_input():
    x, w = np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 3, 3))
    with pytest.raises(ValueError, match="must be \\(N, C_in, H, W\\)"):
        conv2d(x[0], w)
    with pytest.raises(ValueError, match="2 channels, the weight expects 4"):
        conv2d(x, np.zeros((3, 4, 3, 3)))
    with pytest.raises(ValueError, match="bias must have shape"):
        conv2d(x, w, bias=np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        conv2d(np.full((1, 2, 5, 5), np.nan), w)
    with pytest.raises(ValueError, match="kernel spans"):
        conv2d(x, np.zeros((3, 2, 7, 7)))
    with pytest.raises(ValueError, match="stride"):
        conv2d(x, w, stride=(1, 2, 3))
    with pytest.raises(ValueError, match="empty"):
        conv2d(np.zeros((0, 2, 5, 5)), w)


def test_counts_reject_bad_input():
    with pytest.raises(ValueError, match="groups=3 must divide"):
        conv2d_counts(8, 16, 3, 4, 4, groups=3)
    with pytest.raises(ValueError, match="c_in"):
        conv2d_counts(0, 16, 3, 4, 4)
    with pytest.raises(ValueError, match="n_out"):
        linear_counts(4, 2.5)
