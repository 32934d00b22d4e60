"""Tests for src/mlguide/neural_networks/transfer.py: the page's worked example, PyTorch on the same weights (parameter
counts, LoRA outputs and gradients, per-layer learning rates in an optimizer), and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.neural_networks.transfer import (
    layerwise_learning_rates,
    lora_forward_backward,
    lora_merge,
    lora_parameter_count,
)


class TorchLoRA(torch.nn.Module):
    """A frozen nn.Linear plus a trainable rank-r update, as in Hu et al. (2021): B starts at zero."""

    def __init__(self, d, k, r, alpha):
        super().__init__()
        self.base = torch.nn.Linear(k, d, bias=False, dtype=torch.float64)
        self.base.weight.requires_grad_(False)
        self.A = torch.nn.Parameter(torch.randn(r, k, dtype=torch.float64) / np.sqrt(k))
        self.B = torch.nn.Parameter(torch.zeros(d, r, dtype=torch.float64))
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T


def test_worked_example_counts():
    counts = lora_parameter_count(768, 768, 8)
    assert counts["full"] == 589_824 and counts["lora"] == 12_288
    assert counts["fraction"] == pytest.approx(1 / 48)
    assert lora_parameter_count(768, 768, 1)["lora"] == 1_536
    assert lora_parameter_count(3, 5, 3) == {"full": 15, "lora": 24, "fraction": 1.6}  # a large r can cost more


@pytest.mark.parametrize("d, k, r", [(768, 768, 8), (64, 32, 4), (10, 300, 10), (1, 1, 1)])
def test_counts_match_torch(d, k, r):
    layer = TorchLoRA(d, k, r, alpha=16)
    trainable = sum(p.numel() for p in layer.parameters() if p.requires_grad)
    counts = lora_parameter_count(d, k, r)
    assert counts["lora"] == trainable
    assert counts["full"] == layer.base.weight.numel()


@pytest.mark.parametrize("seed", range(4))
def test_forward_and_gradients_match_torch(seed):
    rng = np.random.default_rng(seed)
    n, d, k, r, alpha = 7, 6, 5, 2, 4.0
    X, W0 = rng.normal(size=(n, k)), rng.normal(size=(d, k))
    A, B, G = rng.normal(size=(r, k)), rng.normal(size=(d, r)), rng.normal(size=(n, d))
    H, grad_A, grad_B = lora_forward_backward(X, W0, A, B, alpha, G)

    layer = TorchLoRA(d, k, r, alpha)
    with torch.no_grad():
        layer.base.weight.copy_(torch.tensor(W0))
        layer.A.copy_(torch.tensor(A))
        layer.B.copy_(torch.tensor(B))
    out = layer(torch.tensor(X))
    (out * torch.tensor(G)).sum().backward()          # makes dL/dH equal to G
    np.testing.assert_allclose(H, out.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_A, layer.A.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_B, layer.B.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert layer.base.weight.grad is None
    assert np.array_equal(lora_forward_backward(X, W0, A, B, alpha), H)


def test_zero_B_starts_at_the_pretrained_layer_and_only_B_moves_first():
    rng = np.random.default_rng(0)
    X, W0, A, G = rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=(2, 5)), rng.normal(size=(4, 3))
    H, grad_A, grad_B = lora_forward_backward(X, W0, A, np.zeros((3, 2)), 2.0, G)
    np.testing.assert_array_equal(H, X @ W0.T)
    assert np.all(grad_A == 0) and np.abs(grad_B).max() > 0


def test_merged_weight_gives_the_same_outputs():
    rng = np.random.default_rng(1)
    X, W0, A, B = rng.normal(size=(8, 5)), rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=(4, 3))
    merged = lora_merge(W0, A, B, alpha=6.0)
    np.testing.assert_allclose(X @ merged.T, lora_forward_backward(X, W0, A, B, 6.0), rtol=1e-12, atol=1e-12)
    assert np.linalg.matrix_rank(merged - W0) <= 3
    layer = torch.nn.Linear(5, 4, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(merged))
    np.testing.assert_allclose(layer(torch.tensor(X)).detach().numpy(), X @ merged.T, rtol=1e-12, atol=1e-12)


def test_layerwise_rates_ulmfit_values():
    rates = layerwise_learning_rates(1e-2, 3)
    assert rates == pytest.approx([1e-2 / 2.6**2, 1e-2 / 2.6, 1e-2])
    assert layerwise_learning_rates(0.1, 4, decay=1.0) == [0.1] * 4
    assert layerwise_learning_rates(0.5, 1) == [0.5]


def test_layerwise_rates_in_a_torch_optimizer():
    """One SGD step with one parameter group per layer moves each layer by its own rate times its gradient."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 5), torch.nn.ReLU(),
                              torch.nn.Linear(5, 3)).double()
    layers = [net[0], net[2], net[4]]
    rates = layerwise_learning_rates(0.1, len(layers), decay=2.6)
    opt = torch.optim.SGD([{"params": m.parameters(), "lr": lr} for m, lr in zip(layers, rates)])
    before = [m.weight.detach().clone() for m in layers]
    x, y = torch.randn(10, 4, dtype=torch.float64), torch.randint(0, 3, (10,))
    torch.nn.functional.cross_entropy(net(x), y).backward()
    grads = [m.weight.grad.clone() for m in layers]
    opt.step()
    for m, w0, g, lr in zip(layers, before, grads, rates):
        torch.testing.assert_close(m.weight.detach(), w0 - lr * g, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("args", [(0, 5, 1), (5, 5, 0), (5, 5, 6), (4, 9, 5), (5.0, 5, 1), (True, 5, 1), (5, -1, 1),
                                  ("5", 5, 1)])
def test_parameter_count_bad_input(args):
    with pytest.raises(ValueError):
        lora_parameter_count(*args)


def test_lora_bad_input():
    X, W0, A, B = np.ones((2, 5)), np.ones((3, 5)), np.ones((2, 5)), np.ones((3, 2))
    with pytest.raises(ValueError, match="A must be"):
        lora_forward_backward(X, W0, np.ones((2, 4)), B, 1.0)
    with pytest.raises(ValueError, match="A must be"):
        lora_forward_backward(X, W0, A, np.ones((3, 3)), 1.0)
    with pytest.raises(ValueError, match="X must have shape"):
        lora_forward_backward(np.ones((2, 4)), W0, A, B, 1.0)
    with pytest.raises(ValueError, match="matrices"):
        lora_forward_backward(X, np.ones(5), A, B, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        lora_forward_backward(np.full((2, 5), np.nan), W0, A, B, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        lora_forward_backward(X, W0, A, B, 0.0)
    with pytest.raises(ValueError, match="G must have"):
        lora_forward_backward(X, W0, A, B, 1.0, G=np.ones((2, 2)))
    with pytest.raises(ValueError, match="alpha"):
        lora_merge(W0, A, B, -1.0)
    with pytest.raises(ValueError, match="matrices"):
        lora_merge(np.ones(3), A, B, 1.0)


@pytest.mark.parametrize("args", [(0.0, 3), (-1e-3, 3), (np.nan, 3), (1e-2, 0), (1e-2, 2.0), (1e-2, 3, 0.5),
                                  (1e-2, 3, np.inf)])
def test_layerwise_rates_bad_input(args):
    with pytest.raises(ValueError):
        layerwise_learning_rates(*args)
