"""Tests for src/mlguide/vision/residual.py: outputs, gradients and Jacobians of fully connected residual blocks
against the same block built from torch.nn.Linear in double precision, the zero-initialized block as the identity,
and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.vision.residual import residual_block_backward, residual_block_forward, residual_block_jacobian


class TorchBlock(torch.nn.Module):
    """The same block from nn.Linear layers, so PyTorch's own layers and autograd are the reference."""

    def __init__(self, d_in, d_hidden, d_out, projection, preactivation):
        super().__init__()
        self.fc1 = torch.nn.Linear(d_in, d_hidden, dtype=torch.float64)
        self.fc2 = torch.nn.Linear(d_hidden, d_out, dtype=torch.float64)
        self.proj = torch.nn.Linear(d_in, d_out, bias=False, dtype=torch.float64) if projection else None
        self.preactivation = preactivation

    def forward(self, x):
        u = torch.relu(x) if self.preactivation else x
        f = self.fc2(torch.relu(self.fc1(u)))
        s = x if self.proj is None else self.proj(u)      # a projection takes the pre-activated input
        return s + f if self.preactivation else torch.relu(s + f)

    def numpy_params(self):
        p = [t.detach().numpy().copy() for t in (self.fc1.weight, self.fc1.bias, self.fc2.weight, self.fc2.bias)]
        return p + [None if self.proj is None else self.proj.weight.detach().numpy().copy()]


CASES = [(6, 6, False), (6, 4, True), (3, 5, True)]      # (d_in, d_out, projection)


@pytest.mark.parametrize("preactivation", [False, True])
@pytest.mark.parametrize("d_in, d_out, projection", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_and_backward_match_torch(preactivation, d_in, d_out, projection, seed):
    torch.manual_seed(seed)
    block = TorchBlock(d_in, 7, d_out, projection, preactivation)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(9, d_in))
    dy = rng.normal(size=(9, d_out))
    xt = torch.from_numpy(x).requires_grad_(True)
    yt = block(xt)
    yt.backward(torch.from_numpy(dy))
    W1, b1, W2, b2, Ws = block.numpy_params()
    y, cache = residual_block_forward(x, W1, b1, W2, b2, Ws, preactivation=preactivation)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = residual_block_backward(dy, cache)
    np.testing.assert_allclose(g["dx"], xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, param in (("dW1", block.fc1.weight), ("db1", block.fc1.bias),
                        ("dW2", block.fc2.weight), ("db2", block.fc2.bias)):
        np.testing.assert_allclose(g[name], param.grad.numpy(), rtol=1e-10, atol=1e-12)
    if projection:
        np.testing.assert_allclose(g["dWs"], block.proj.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert g["dWs"] is None


@pytest.mark.parametrize("preactivation", [False, True])
@pytest.mark.parametrize("d_in, d_out, projection", CASES)
def test_jacobian_matches_torch_autograd(preactivation, d_in, d_out, projection):
    torch.manual_seed(3)
    block = TorchBlock(d_in, 5, d_out, projection, preactivation)
    x = np.random.default_rng(3).normal(size=d_in)
    J_torch = torch.autograd.functional.jacobian(block, torch.from_numpy(x)).numpy()
    J = residual_block_jacobian(x, *block.numpy_params(), preactivation=preactivation)
    assert J.shape == (d_out, d_in)
    np.testing.assert_allclose(J, J_torch, rtol=1e-12, atol=1e-12)


def test_backward_is_the_vector_jacobian_product_row_by_row():
    rng = np.random.default_rng(5)
    W1, b1, W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=4), rng.normal(size=(6, 4)), rng.normal(size=6)
    x, dy = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    _, cache = residual_block_forward(x, W1, b1, W2, b2, preactivation=True)
    dx = residual_block_backward(dy, cache)["dx"]
    for i in range(3):
        J = residual_block_jacobian(x[i], W1, b1, W2, b2, preactivation=True)
        np.testing.assert_allclose(dx[i], dy[i] @ J, rtol=1e-12, atol=1e-12)


def test_zero_last_layer_makes_the_block_the_identity():
    """With W2 = 0 and b2 = 0 the pre-activation block is exactly the identity (the zero-init trick), and the
    original block is relu(x); the gradient to x passes unchanged and W2 still gets a gradient."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    W1, b1 = rng.normal(size=(8, 4)), rng.normal(size=8)
    W2, b2 = np.zeros((4, 8)), np.zeros(4)
    y, cache = residual_block_forward(x, W1, b1, W2, b2, preactivation=True)
    np.testing.assert_array_equal(y, x)
    dy = rng.normal(size=(5, 4))
    g = residual_block_backward(dy, cache)
    np.testing.assert_array_equal(g["dx"], dy)
    assert np.abs(g["dW2"]).sum() > 0 and np.abs(g["dW1"]).sum() == 0
    np.testing.assert_array_equal(residual_block_jacobian(x[0], W1, b1, W2, b2, preactivation=True), np.eye(4))
    y0, _ = residual_block_forward(x, W1, b1, W2, b2)
    np.testing.assert_array_equal(y0, np.maximum(x, 0))


def test_jacobian_matches_central_differences():
    rng = np.random.default_rng(7)
    W1, b1, W2, b2 = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(2, 5)), rng.normal(size=2)
    Ws = rng.normal(size=(2, 3))
    x = rng.normal(size=3)
    J = residual_block_jacobian(x, W1, b1, W2, b2, Ws)
    h = 1e-6
    num = np.column_stack([
        (residual_block_forward((x + h * e)[None], W1, b1, W2, b2, Ws)[0][0]
         - residual_block_forward((x - h * e)[None], W1, b1, W2, b2, Ws)[0][0]) / (2 * h)
        for e in np.eye(3)])
    np.testing.assert_allclose(J, num, rtol=1e-6, atol=1e-8)


def test_bad_input_raises():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    W1, b1, W2, b2 = rng.normal(size=(5, 3)), np.zeros(5), rng.normal(size=(3, 5)), np.zeros(3)
    with pytest.raises(ValueError, match="identity shortcut needs"):
        residual_block_forward(x, W1, b1, W2[:2], b2[:2])
    with pytest.raises(ValueError, match="Ws must have shape"):
        residual_block_forward(x, W1, b1, W2, b2, Ws=np.ones((3, 4)))
    with pytest.raises(ValueError, match="W1 must have shape"):
        residual_block_forward(x, W1[:, :2], b1, W2, b2)
    with pytest.raises(ValueError, match="b1 must have shape"):
        residual_block_forward(x, W1, b1[:4], W2, b2)
    with pytest.raises(ValueError, match="x must be 2-D"):
        residual_block_forward(x[0], W1, b1, W2, b2)
    with pytest.raises(ValueError, match="at least one example"):
        residual_block_forward(np.zeros((0, 3)), W1, b1, W2, b2)
    with pytest.raises(ValueError, match="NaN"):
        residual_block_forward(np.where(x > 0, np.nan, x), W1, b1, W2, b2)
    with pytest.raises(ValueError, match="NaN"):
        residual_block_forward(x, W1, b1, W2 * np.inf, b2)
    _, cache = residual_block_forward(x, W1, b1, W2, b2)
    with pytest.raises(ValueError, match="dy must have shape"):
        residual_block_backward(np.ones((4, 2)), cache)
    with pytest.raises(ValueError, match="x must be 1-D"):
        residual_block_jacobian(x, W1, b1, W2, b2)


def test_preactivation_projection_takes_the_preactivated_input():
    """In the pre-activation form a projection shortcut, like the branch, sees relu(x): a negative input feature
    moves neither y nor its gradient; an identity shortcut still passes it."""
    rng = np.random.default_rng(2)
    W1, b1, W2, b2 = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(4, 5)), rng.normal(size=4)
    Ws = rng.normal(size=(4, 3))
    x = np.array([[1.0, -2.0, 0.5]])
    y, _ = residual_block_forward(x, W1, b1, W2, b2, Ws, preactivation=True)
    y_moved, _ = residual_block_forward(x + [[0.0, -3.0, 0.0]], W1, b1, W2, b2, Ws, preactivation=True)
    np.testing.assert_array_equal(y, y_moved)
    J = residual_block_jacobian(x[0], W1, b1, W2, b2, Ws, preactivation=True)
    np.testing.assert_array_equal(J[:, 1], np.zeros(4))
    W2_sq = rng.normal(size=(3, 5))
    J_identity = residual_block_jacobian(x[0], W1, b1, W2_sq, b2[:3], preactivation=True)
    assert J_identity[1, 1] == 1.0
