"""Tests for src/mlguide/neural_networks/dropout.py: eval mode is the identity, the expectation is kept, the backward
pass reuses the forward mask, agreement with torch.nn.functional.dropout in distribution and with autograd given the
same mask, the p = 0 and p = 1 edge cases, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlguide.neural_networks.dropout import dropout_backward, dropout_forward

# ---------------------------------------------------------------- eval mode and the expectation


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_eval_mode_is_the_identity(p):
    x = np.random.default_rng(0).normal(size=(5, 7))
    out, mask = dropout_forward(x, p, training=False, rng=1)
    assert np.array_equal(out, x) and np.array_equal(mask, np.ones_like(x))
    assert np.array_equal(dropout_backward(np.full_like(x, 2.0), mask), np.full_like(x, 2.0))


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_expectation_is_preserved(p):
    h = np.array([2.0, -1.0, 0.5, 3.0])
    n = 50_000
    out, _ = dropout_forward(np.tile(h, (n, 1)), p, rng=42)
    se = np.abs(h) * np.sqrt(p / (1 - p)) / np.sqrt(n)    # sd of h m / (1-p) is |h| sqrt(p / (1-p))
    assert np.all(np.abs(out.mean(axis=0) - h) <= 4.5 * se)
    assert np.allclose(out.var(axis=0), h**2 * p / (1 - p), rtol=0.05)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_mask_values_and_fraction_dropped(p):
    x = np.random.default_rng(3).uniform(0.5, 2.0, size=100_000)
    out, mask = dropout_forward(x, p, rng=7)
    assert set(np.unique(mask)) == {0.0, 1.0 / (1.0 - p)}
    assert abs((mask == 0).mean() - p) < 4 * np.sqrt(p * (1 - p) / x.size)
    kept = mask > 0
    assert np.array_equal(out[~kept], np.zeros((~kept).sum()))
    assert np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-15, atol=0)


def test_seeding_is_reproducible_and_a_generator_is_accepted():
    x = np.ones((20, 30))
    _, a = dropout_forward(x, 0.4, rng=5)
    _, b = dropout_forward(x, 0.4, rng=5)
    _, c = dropout_forward(x, 0.4, rng=np.random.default_rng(5))
    assert np.array_equal(a, b) and np.array_equal(a, c)
    gen = np.random.default_rng(5)
    _, d1 = dropout_forward(x, 0.4, rng=gen)
    _, d2 = dropout_forward(x, 0.4, rng=gen)               # a shared generator gives a fresh mask each call
    assert not np.array_equal(d1, d2)


def test_entries_are_dropped_independently():
    _, mask = dropout_forward(np.ones((40_000, 2)), 0.5, rng=11)
    keep = mask > 0
    both = (keep[:, 0] & keep[:, 1]).mean()
    assert abs(both - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 40_000)


# ---------------------------------------------------------------- the backward pass


def test_backward_uses_the_forward_mask():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 10))
    out, mask = dropout_forward(x, 0.4, rng=3)
    dout = rng.normal(size=x.shape)
    dx = dropout_backward(dout, mask)
    assert np.array_equal(dx, dout * mask)
    assert np.all(dx[out == 0] == 0)                         # a dropped unit passes no gradient
    assert np.allclose(dx[mask > 0], dout[mask > 0] / 0.6)   # a kept unit passes it scaled by 1 / (1 - p)
    _, other = dropout_forward(x, 0.4, rng=4)
    assert not np.array_equal(dropout_backward(dout, other), dx)


def test_backward_matches_autograd_through_a_small_network():
    """h = relu(X W1), d = dropout(h) with our mask, loss = sum((d W2 - Y)^2) / 2: dL/dh from autograd equals
    dropout_backward(dL/dd, mask)."""
    rng = np.random.default_rng(1)
    X, W1, W2, Y = rng.normal(size=(8, 5)), rng.normal(size=(5, 12)), rng.normal(size=(12, 3)), rng.normal(size=(8, 3))
    h = np.maximum(X @ W1, 0)
    d, mask = dropout_forward(h, 0.3, rng=9)
    dd = (d @ W2 - Y) @ W2.T                                   # dL/dd by hand
    dh = dropout_backward(dd, mask)

    h_t = torch.tensor(h, requires_grad=True)
    d_t = h_t * torch.from_numpy(mask)
    loss = 0.5 * ((d_t @ torch.from_numpy(W2) - torch.from_numpy(Y)) ** 2).sum()
    loss.backward()
    assert np.allclose(d_t.detach().numpy(), d, rtol=0, atol=1e-14)
    assert np.allclose(h_t.grad.numpy(), dh, rtol=1e-12, atol=1e-12)


def test_backward_matches_torch_dropout_given_its_own_mask():
    """Read the mask off torch's F.dropout output, then our backward must equal torch's autograd gradient."""
    torch.manual_seed(0)
    x = torch.rand(50, 40, dtype=torch.float64) + 0.5          # nonzero, so the mask is out / x
    x.requires_grad_(True)
    out = F.dropout(x, p=0.35, training=True)
    g = torch.randn(50, 40, dtype=torch.float64)
    (out * g).sum().backward()
    mask = (out / x).detach().numpy()
    assert np.allclose(np.unique(mask.round(12)), [0.0, round(1 / 0.65, 12)])
    ours = dropout_backward(g.numpy(), mask)
    assert np.allclose(ours, x.grad.numpy(), rtol=1e-12, atol=0)
    ours_out = x.detach().numpy() * mask
    assert np.allclose(ours_out, out.detach().numpy(), rtol=1e-12, atol=0)


# ---------------------------------------------------------------- agreement with PyTorch in distribution


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_same_distribution_as_torch_dropout(p):
    n = 200_000
    torch.manual_seed(123)
    theirs = F.dropout(torch.full((n,), 2.0, dtype=torch.float64), p=p, training=True).numpy()
    ours, _ = dropout_forward(np.full(n, 2.0), p, rng=123)
    se = np.sqrt(p * (1 - p) / n)
    frac_theirs, frac_ours = (theirs == 0).mean(), (ours == 0).mean()
    assert abs(frac_theirs - p) < 4.5 * se and abs(frac_ours - p) < 4.5 * se
    assert abs(frac_theirs - frac_ours) < 4.5 * np.sqrt(2) * se
    assert np.allclose(np.unique(theirs[theirs > 0]), [2.0 / (1 - p)], rtol=1e-15)
    assert np.allclose(np.unique(ours[ours > 0]), [2.0 / (1 - p)], rtol=1e-15)
    assert abs(theirs.mean() - ours.mean()) < 4.5 * np.sqrt(2) * 2.0 * np.sqrt(p / (1 - p) / n)


def test_torch_eval_mode_is_the_identity_too():
    x = torch.randn(30, dtype=torch.float64)
    assert torch.equal(F.dropout(x, p=0.5, training=False), x)
    layer = torch.nn.Dropout(0.5).eval()
    assert torch.equal(layer(x), x)
    ours, _ = dropout_forward(x.numpy(), 0.5, training=False)
    assert np.array_equal(ours, x.numpy())


# ---------------------------------------------------------------- edge cases


def test_p_zero_keeps_everything():
    x = np.random.default_rng(2).normal(size=(4, 4))
    out, mask = dropout_forward(x, 0.0, rng=0)
    assert np.array_equal(out, x) and np.all(mask == 1.0)
    assert torch.equal(F.dropout(torch.from_numpy(x), p=0.0, training=True), torch.from_numpy(x))


def test_p_one_drops_everything_without_nans():
    x = np.random.default_rng(2).normal(size=(4, 4))
    out, mask = dropout_forward(x, 1.0, rng=0)
    assert np.all(out == 0) and np.all(mask == 0) and not np.isnan(out).any()
    assert np.all(dropout_backward(np.ones_like(x), mask) == 0)
    theirs = F.dropout(torch.from_numpy(x), p=1.0, training=True)
    assert torch.equal(theirs, torch.zeros_like(theirs))


def test_shapes_scalars_and_integer_input():
    out, mask = dropout_forward(3, 0.5, rng=0)
    assert out.shape == () and mask.shape == () and float(out) in (0.0, 6.0)
    out, mask = dropout_forward(np.arange(24).reshape(2, 3, 4), 0.25, rng=1)
    assert out.shape == mask.shape == (2, 3, 4) and out.dtype == float


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.5", None, True, [0.5]])
def test_bad_p(p):
    with pytest.raises(ValueError, match="p"):
        dropout_forward(np.ones(3), p)


@pytest.mark.parametrize("x", [[1.0, float("nan")], [float("inf")], ["a", "b"], [[1, 2], [3]]])
def test_bad_x(x):
    with pytest.raises(ValueError, match="x"):
        dropout_forward(x, 0.5, rng=0)


@pytest.mark.parametrize("training", [1, "yes", None])
def test_bad_training_flag(training):
    with pytest.raises(ValueError, match="training"):
        dropout_forward(np.ones(3), 0.5, training=training, rng=0)


@pytest.mark.parametrize("rng", [-1, 1.5, "seed", True])
def test_bad_rng(rng):
    with pytest.raises(ValueError, match="rng"):
        dropout_forward(np.ones(3), 0.5, rng=rng)


def test_bad_backward_input():
    _, mask = dropout_forward(np.ones((2, 3)), 0.5, rng=0)
    with pytest.raises(ValueError, match="shape"):
        dropout_backward(np.ones((3, 2)), mask)
    with pytest.raises(ValueError, match="dout"):
        dropout_backward(np.array([[np.nan, 1, 1], [1, 1, 1]]), mask)
    with pytest.raises(ValueError, match="mask"):
        dropout_backward(np.ones((2, 3)), -mask - 1)
