"""Tests for src/mlguide/neural_networks/batchnorm.py: the page's worked example, outputs, gradients and running
statistics against torch.nn.BatchNorm1d / BatchNorm2d and torch.nn.LayerNorm in double precision, central
differences, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.neural_networks.batchnorm import batchnorm_backward, batchnorm_forward, layernorm_forward


def torch_bn(C: int, ndim: int, gamma, beta, momentum=0.1, eps=1e-5):
    cls = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[ndim]
    bn = cls(C, momentum=momentum, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
    return bn


def random_case(seed: int, shape):
    rng = np.random.default_rng(seed)
    C = shape[1]
    x = rng.normal(2.0, 3.0, size=shape)
    gamma = rng.uniform(0.5, 2.0, size=C)
    beta = rng.normal(size=C)
    dy = rng.normal(size=shape)
    return x, gamma, beta, dy


# ---------------------------------------------------------------- the page's worked example

def test_worked_example_by_hand():
    x = np.array([[2.0], [4.0], [4.0], [10.0]])
    y, cache, mu_run, var_run = batchnorm_forward(x, [1.0], [0.0], [0.0], [1.0], eps=1e-12)
    np.testing.assert_allclose(y.ravel(), [-1, -1 / 3, -1 / 3, 5 / 3], atol=1e-9)      # mean 5, variance 9
    y2, *_ = batchnorm_forward(x, [2.0], [0.5], [0.0], [1.0], eps=1e-12)
    np.testing.assert_allclose(y2.ravel(), [-1.5, -1 / 6, -1 / 6, 23 / 6], atol=1e-9)
    np.testing.assert_allclose(mu_run, [0.5])        # 0.9 * 0 + 0.1 * 5
    np.testing.assert_allclose(var_run, [2.1])       # 0.9 * 1 + 0.1 * 36 / 3
    dx, dgamma, dbeta = batchnorm_backward(np.array([[1.0], [0.0], [0.0], [0.0]]), cache)
    np.testing.assert_allclose(dx.ravel(), [1 / 6, -1 / 9, -1 / 9, 1 / 18], atol=1e-9)
    np.testing.assert_allclose(dgamma, [-1.0], atol=1e-9)
    np.testing.assert_allclose(dbeta, [1.0])
    assert abs(dx.sum()) < 1e-12 and abs((dx.ravel() * cache[0].ravel()).sum()) < 1e-12


# ---------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("shape", [(8, 3), (5, 4, 7), (3, 2, 4, 5), (2, 6)])
@pytest.mark.parametrize("seed", [0, 1])
def test_training_mode_matches_torch(shape, seed):
    x, gamma, beta, dy = random_case(seed, shape)
    C = shape[1]
    y, cache, mu_run, var_run = batchnorm_forward(x, gamma, beta, np.zeros(C), np.ones(C), momentum=0.1)
    bn = torch_bn(C, len(shape), gamma, beta).train()
    xt = torch.from_numpy(x).requires_grad_(True)
    yt = bn(xt)
    yt.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mu_run, bn.running_mean.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(var_run, bn.running_var.numpy(), rtol=1e-12)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.1, 0.3, 1.0, 0.0])
def test_running_statistics_over_many_steps_match_torch(momentum):
    rng = np.random.default_rng(3)
    C = 4
    gamma, beta = rng.uniform(0.5, 2, C), rng.normal(size=C)
    bn = torch_bn(C, 2, gamma, beta, momentum=momentum).train()
    mu_run, var_run = np.zeros(C), np.ones(C)
    for step in range(20):
        x = rng.normal(step / 5, 1 + step / 10, size=(6, C))
        _, _, mu_run, var_run = batchnorm_forward(x, gamma, beta, mu_run, var_run, momentum=momentum)
        bn(torch.from_numpy(x))
    np.testing.assert_allclose(mu_run, bn.running_mean.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(var_run, bn.running_var.numpy(), rtol=1e-12)
    # the running variance uses the unbiased variance: with momentum 1 it is exactly the last batch's (m - 1) version
    if momentum == 1.0:
        np.testing.assert_allclose(var_run, x.var(axis=0, ddof=1))


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 2)])
def test_evaluation_mode_matches_torch_and_is_per_example(shape):
    x, gamma, beta, dy = random_case(5, shape)
    C = shape[1]
    rng = np.random.default_rng(9)
    mu_run, var_run = rng.normal(size=C), rng.uniform(0.5, 3, C)
    bn = torch_bn(C, len(shape), gamma, beta)
    with torch.no_grad():
        bn.running_mean.copy_(torch.from_numpy(mu_run))
        bn.running_var.copy_(torch.from_numpy(var_run))
    bn.eval()
    xt = torch.from_numpy(x).requires_grad_(True)
    yt = bn(xt)
    yt.backward(torch.from_numpy(dy))
    y, cache, mu2, var2 = batchnorm_forward(x, gamma, beta, mu_run, var_run, training=False)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(mu2, mu_run)                   # no update in evaluation mode
    np.testing.assert_array_equal(var2, var_run)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
    # one example alone gets the same output as inside the batch
    y0, *_ = batchnorm_forward(x[:1], gamma, beta, mu_run, var_run, training=False)
    np.testing.assert_allclose(y0, y[:1], rtol=1e-14)


def test_backward_matches_central_differences():
    x, gamma, beta, dy = random_case(11, (5, 3))

    def loss(x_, g_, b_):
        return float((batchnorm_forward(x_, g_, b_, np.zeros(3), np.ones(3))[0] * dy).sum())

    _, cache, *_ = batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3))
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    h = 1e-6
    for arr, grad, which in ((x, dx, 0), (gamma, dgamma, 1), (beta, dbeta, 2)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            args = [x.copy(), gamma.copy(), beta.copy()]
            args[which][idx] += h
            up = loss(*args)
            args[which][idx] -= 2 * h
            num[idx] = (up - loss(*args)) / (2 * h)
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)


def test_training_output_is_standardized_and_gradient_is_projected():
    x, gamma, beta, dy = random_case(2, (16, 3))
    y, cache, *_ = batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3), eps=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-12)            # batch mean beta, std |gamma|
    np.testing.assert_allclose(y.std(axis=0), np.abs(gamma), rtol=1e-9)
    dx, *_ = batchnorm_backward(dy, cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose((dx * cache[0]).sum(axis=0), 0, atol=1e-12)


def test_output_invariant_to_scaling_and_shifting_the_input():
    x, gamma, beta, _ = random_case(4, (10, 3))
    y1, *_ = batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3), eps=1e-12)
    y2, *_ = batchnorm_forward(7.0 * x + 3.0, gamma, beta, np.zeros(3), np.ones(3), eps=1e-12)
    np.testing.assert_allclose(y1, y2, rtol=1e-9, atol=1e-9)


def test_constant_channel_gives_beta():
    x = np.column_stack([np.full(4, 3.0), [1.0, 2.0, 3.0, 4.0]])
    y, *_ = batchnorm_forward(x, [2.0, 1.0], [0.5, 0.0], np.zeros(2), np.ones(2))
    np.testing.assert_allclose(y[:, 0], 0.5)
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 5)])
def test_layernorm_matches_torch(shape):
    rng = np.random.default_rng(7)
    x = rng.normal(1.0, 2.0, size=shape)
    D = shape[-1]
    gamma, beta = rng.uniform(0.5, 2, D), rng.normal(size=D)
    ln = torch.nn.LayerNorm(D, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(torch.from_numpy(gamma))
        ln.bias.copy_(torch.from_numpy(beta))
    np.testing.assert_allclose(layernorm_forward(x, gamma, beta), ln(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    # batch-independent: one row alone gives the same output
    np.testing.assert_allclose(layernorm_forward(x[:1], gamma, beta), layernorm_forward(x, gamma, beta)[:1])


# ---------------------------------------------------------------- bad input

def test_bad_input_raises():
    x, gamma, beta, dy = random_case(0, (4, 3))
    z, o = np.zeros(3), np.ones(3)
    with pytest.raises(ValueError, match="more than one value"):
        batchnorm_forward(x[:1], gamma, beta, z, o)                      # one value per channel in training
    batchnorm_forward(x[:1], gamma, beta, z, o, training=False)         # fine in evaluation mode
    with pytest.raises(ValueError, match="axis 1"):
        batchnorm_forward(x[:, 0], gamma[:1], beta[:1], z[:1], o[:1])
    with pytest.raises(ValueError, match="at least one example"):
        batchnorm_forward(np.zeros((0, 3)), gamma, beta, z, o)
    with pytest.raises(ValueError, match="gamma and beta"):
        batchnorm_forward(x, gamma[:2], beta, z, o)
    with pytest.raises(ValueError, match="one entry per channel"):
        batchnorm_forward(x, gamma, beta, z[:2], o)
    with pytest.raises(ValueError, match="non-negative"):
        batchnorm_forward(x, gamma, beta, z, -o)
    with pytest.raises(ValueError, match="NaN"):
        batchnorm_forward(np.where(x > 0, np.nan, x), gamma, beta, z, o)
    with pytest.raises(ValueError, match="NaN"):
        batchnorm_forward(x, gamma, [np.inf, 0, 0], z, o)
    for bad in (0.0, -1e-5, np.nan, "1e-5", True):
        with pytest.raises(ValueError, match="eps"):
            batchnorm_forward(x, gamma, beta, z, o, eps=bad)
    for bad in (-0.1, 1.5, None, True):
        with pytest.raises(ValueError, match="momentum"):
            batchnorm_forward(x, gamma, beta, z, o, momentum=bad)
    _, cache, *_ = batchnorm_forward(x, gamma, beta, z, o)
    with pytest.raises(ValueError, match="dy must have shape"):
        batchnorm_backward(dy[:2], cache)
    with pytest.raises(ValueError, match="NaN"):
        batchnorm_backward(np.full_like(dy, np.nan), cache)
    with pytest.raises(ValueError, match="gamma and beta"):
        layernorm_forward(x, gamma[:2], beta)
    with pytest.raises(ValueError, match="eps"):
        layernorm_forward(x, np.ones(3), np.zeros(3), eps=0)
    with pytest.raises(ValueError, match="NaN"):
        layernorm_forward([[np.nan, 1.0, 2.0]], np.ones(3), np.zeros(3))
