"""Tests for src/mlguide/vision/capsules.py: the page's worked examples, squash, prediction vectors, dynamic routing and
the margin loss against a PyTorch implementation written here (same inputs, same outputs, double precision), their
properties (lengths below 1, couplings summing to 1 over the parents) and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.vision.capsules import dynamic_routing, margin_loss, prediction_vectors, squash


# ---------------------------------------------------------------- a PyTorch reference, in the usual form

def torch_squash(s, dim=-1, eps=1e-12):
    n2 = (s**2).sum(dim=dim, keepdim=True)
    return n2 / (1 + n2) * s / torch.sqrt(n2 + eps)


def torch_routing(u_hat, iterations):
    """u_hat: (batch, n_in, n_out, d). Sabour et al., Procedure 1."""
    b = torch.zeros(u_hat.shape[:-1], dtype=u_hat.dtype)
    for r in range(iterations):
        c = torch.softmax(b, dim=-1)                          # over the parents
        s = (c.unsqueeze(-1) * u_hat).sum(dim=-3)             # over the children
        v = torch_squash(s)
        if r < iterations - 1:
            b = b + (u_hat * v.unsqueeze(-3)).sum(dim=-1)
    return v, c


def torch_margin_loss(lengths, labels, m_plus=0.9, m_minus=0.1, lam=0.5):
    T = torch.nn.functional.one_hot(labels, lengths.shape[1]).to(lengths.dtype)
    loss = T * torch.relu(m_plus - lengths) ** 2 + lam * (1 - T) * torch.relu(lengths - m_minus) ** 2
    return loss.sum(dim=1).mean()


# ---------------------------------------------------------------- the page's worked examples

def test_worked_example_squash():
    np.testing.assert_allclose(squash([3.0, 4.0]), np.array([3.0, 4.0]) * 5 / 26)       # length 25/26
    np.testing.assert_allclose(np.linalg.norm(squash([3.0, 4.0])), 25 / 26)
    np.testing.assert_allclose(squash([0.3, 0.4]), [0.12, 0.16])                          # length 0.25/1.25 = 0.2
    np.testing.assert_array_equal(squash([0.0, 0.0]), [0.0, 0.0])


def test_worked_example_routing_two_children_two_parents():
    # child 1 predicts (1, 0) for parent 1 and (0, 1) for parent 2; child 2 predicts (1, 0) and (0, -1)
    u_hat = np.array([[[1.0, 0.0], [0.0, 1.0]],
                      [[1.0, 0.0], [0.0, -1.0]]])
    v1, c1 = dynamic_routing(u_hat, iterations=1)
    np.testing.assert_allclose(c1, 0.5)
    np.testing.assert_allclose(v1, [[0.5, 0.0], [0.0, 0.0]])                   # |s_1| = 1 -> length 1/2
    v2, c2 = dynamic_routing(u_hat, iterations=2)
    e = np.exp(0.5)
    np.testing.assert_allclose(c2[:, 0], e / (e + 1))                            # 0.6225
    s = 2 * e / (e + 1)                                                            # 1.245
    np.testing.assert_allclose(v2[0], [s**2 / (1 + s**2), 0.0])                  # length 0.608
    np.testing.assert_allclose(v2[1], 0.0)
    assert abs(c2[0, 0] - 0.6225) < 5e-5 and abs(v2[0, 0] - 0.608) < 5e-4


# ---------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 6, 8), (2, 3, 4, 16)])
def test_squash_matches_torch(shape):
    s = np.random.default_rng(0).normal(scale=2.0, size=shape)
    np.testing.assert_allclose(squash(s), torch_squash(torch.from_numpy(s)).numpy(), rtol=1e-10, atol=1e-13)


def test_squash_along_another_axis():
    s = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_allclose(squash(s, axis=0), torch_squash(torch.from_numpy(s), dim=0).numpy(), rtol=1e-10)


def test_prediction_vectors_match_torch():
    rng = np.random.default_rng(2)
    u, W = rng.normal(size=(3, 6, 4)), rng.normal(size=(6, 5, 8, 4))
    expected = torch.einsum("ijdk,bik->bijd", torch.from_numpy(W), torch.from_numpy(u)).numpy()
    np.testing.assert_allclose(prediction_vectors(u, W), expected, rtol=1e-12)
    np.testing.assert_allclose(prediction_vectors(u[0], W)[2, 3], W[2, 3] @ u[0, 2])


@pytest.mark.parametrize("iterations", [1, 2, 3, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_routing_matches_torch(iterations, seed):
    u_hat = np.random.default_rng(seed).normal(size=(4, 10, 6, 8))
    v, c = dynamic_routing(u_hat, iterations)
    v_t, c_t = torch_routing(torch.from_numpy(u_hat), iterations)
    np.testing.assert_allclose(v, v_t.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c, c_t.numpy(), rtol=1e-9, atol=1e-12)


def test_routing_without_batch_axis_equals_one_example():
    u_hat = np.random.default_rng(3).normal(size=(2, 7, 3, 4))
    v, c = dynamic_routing(u_hat, 3)
    v0, c0 = dynamic_routing(u_hat[1], 3)
    np.testing.assert_allclose(v[1], v0)
    np.testing.assert_allclose(c[1], c0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_margin_loss_matches_torch(seed):
    rng = np.random.default_rng(seed)
    lengths, labels = rng.uniform(0, 1, size=(16, 10)), rng.integers(0, 10, size=16)
    expected = torch_margin_loss(torch.from_numpy(lengths), torch.from_numpy(labels)).item()
    assert margin_loss(lengths, labels) == pytest.approx(expected, rel=1e-12)
    expected = torch_margin_loss(torch.from_numpy(lengths), torch.from_numpy(labels), 0.8, 0.2, 1.0).item()
    assert margin_loss(lengths, labels, 0.8, 0.2, 1.0) == pytest.approx(expected, rel=1e-12)


def test_margin_loss_by_hand():
    # true class length 0.7 (short of 0.9 by 0.2), one wrong class at 0.3 (over 0.1 by 0.2), one at 0.05
    assert margin_loss([[0.7, 0.3, 0.05]], [0]) == pytest.approx(0.2**2 + 0.5 * 0.2**2)
    assert margin_loss([[0.95, 0.05]], [0]) == 0.0


# ---------------------------------------------------------------- properties

def test_squash_length_below_one_and_monotone():
    norms = np.array([0.0, 1e-3, 0.5, 1.0, 2.0, 10.0, 1e3])
    lengths = np.linalg.norm(squash(norms[:, None] * np.array([[0.6, 0.8]])), axis=1)
    assert np.all(lengths < 1) and np.all(np.diff(lengths) > 0)
    np.testing.assert_allclose(lengths, norms**2 / (1 + norms**2))
    s = np.random.default_rng(4).normal(size=(50, 8))
    v = squash(s)
    cos = (v * s).sum(1) / (np.linalg.norm(v, axis=1) * np.linalg.norm(s, axis=1))
    np.testing.assert_allclose(cos, 1.0)                                          # direction kept


def test_couplings_sum_to_one_over_parents():
    u_hat = np.random.default_rng(5).normal(scale=3.0, size=(3, 12, 4, 6))
    for iterations in (1, 3, 8):
        v, c = dynamic_routing(u_hat, iterations)
        np.testing.assert_allclose(c.sum(axis=-1), 1.0)
        assert np.all(c > 0) and np.all(np.linalg.norm(v, axis=-1) < 1)


def test_agreeing_children_win_the_coupling():
    rng = np.random.default_rng(6)
    pose = rng.normal(size=8)
    u_hat = rng.normal(size=(10, 3, 8))          # random predictions for every parent
    u_hat[:, 0] = pose + 0.05 * rng.normal(size=(10, 8))   # all children agree on parent 0
    previous = 1 / 3
    for iterations in (2, 3, 4):
        v, c = dynamic_routing(u_hat, iterations)
        assert c[:, 0].mean() > previous
        previous = c[:, 0].mean()
    lengths = np.linalg.norm(v, axis=-1)
    assert lengths[0] > lengths[1:].max()


# ---------------------------------------------------------------- bad input

def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN"):
        squash([np.nan, 1.0])
    with pytest.raises(ValueError, match="at least 3 axes"):
        dynamic_routing(np.zeros((4, 3)), 3)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="iterations"):
            dynamic_routing(np.zeros((4, 3, 2)), bad)
    with pytest.raises(ValueError, match="W must have shape"):
        prediction_vectors(np.zeros((6, 4)), np.zeros((5, 2, 8, 4)))
    with pytest.raises(ValueError, match="labels"):
        margin_loss(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="labels"):
        margin_loss(np.zeros((2, 3)), [0.0, 1.0])
    with pytest.raises(ValueError, match="empty"):
        squash(np.zeros((0, 3)))
