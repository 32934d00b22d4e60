"""Tests for src/mlguide/generative/gan.py: the page's worked example, JS against SciPy's jensenshannon (squared,
natural log), the identity V(D*, G) = -log 4 + 2 JS, D* as the maximiser of V, the generator losses and their
gradients against PyTorch autograd, W1 against SciPy's wasserstein_distance, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from mlguide.generative.gan import (
    generator_losses, js_divergence, optimal_discriminator, value_function, wasserstein_1d,
)

LOG4 = np.log(4.0)


def random_pair(seed: int, n: int, zeros: int = 0):
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
    if zeros:
        p[rng.choice(n, zeros, replace=False)] = 0
        q[rng.choice(n, zeros, replace=False)] = 0
        p, q = p / p.sum(), q / q.sum()
    return p, q


# ---------------------------------------------------------------- the page's worked example

def test_worked_example_by_hand():
    p_data, p_g = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])
    d_star = optimal_discriminator(p_data, p_g)
    np.testing.assert_allclose(d_star, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(value_function(d_star, p_data, p_g), -np.log(2))       # = -log 4 + 2 * (log 2) / 2
    np.testing.assert_allclose(js_divergence(p_data, p_g), np.log(2) / 2)
    np.testing.assert_allclose(value_function([0.5] * 3, p_data, p_g), -LOG4)          # a coin-flip D
    same = optimal_discriminator(p_data, p_data)
    np.testing.assert_allclose(same, [0.5, 0.5, 0.5])                                 # 1/2 also off the support
    np.testing.assert_allclose(value_function(same, p_data, p_data), -LOG4)
    # the non-saturating loss at D(G(z)) = 0.01
    _, _, g_minimax, g_ns = generator_losses(np.log(0.01 / 0.99))
    np.testing.assert_allclose([g_minimax, g_ns], [-0.01, -0.99])
    # point masses at 0 and theta: JS stays log 2, W1 = |theta|
    for theta in (0.5, 3.0):
        assert js_divergence([1, 0], [0, 1]) == pytest.approx(np.log(2))
        assert wasserstein_1d([0.0], [theta]) == pytest.approx(theta)


# ---------------------------------------------------------------- against SciPy and the theory

@pytest.mark.parametrize("n, zeros, seed", [(5, 0, 0), (12, 3, 1), (50, 10, 2), (2, 0, 3)])
def test_js_matches_scipy_squared_natural_log(n, zeros, seed):
    p, q = random_pair(seed, n, zeros)
    assert js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-10, abs=1e-14)
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), rel=1e-12)       # symmetric
    assert 0 <= js_divergence(p, q) <= np.log(2)


def test_js_extremes():
    p = np.array([0.2, 0.3, 0.5, 0.0, 0.0])
    assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    assert js_divergence(p, [0, 0, 0, 0.4, 0.6]) == pytest.approx(np.log(2))          # disjoint supports


@pytest.mark.parametrize("n, zeros, seed", [(6, 0, 4), (20, 5, 5), (3, 1, 6)])
def test_value_at_optimum_is_minus_log4_plus_two_js(n, zeros, seed):
    p_data, p_g = random_pair(seed, n, zeros)
    d_star = optimal_discriminator(p_data, p_g)
    v_star = value_function(d_star, p_data, p_g)
    assert v_star == pytest.approx(-LOG4 + 2 * jensenshannon(p_data, p_g) ** 2, rel=1e-10)
    assert v_star >= -LOG4 - 1e-12                                                     # equality iff p_g = p_data
    rng = np.random.default_rng(seed)
    for _ in range(200):                                                               # D* beats every other D
        D = np.clip(d_star + rng.normal(0, 0.1, n), 0.0, 1.0)
        assert value_function(D, p_data, p_g) <= v_star + 1e-12


def test_value_function_matches_torch_bce():
    """-V is the discriminator's binary cross-entropy, with real points labelled 1 and generated 0."""
    p_data, p_g = random_pair(7, 8)
    D = np.random.default_rng(7).uniform(0.05, 0.95, 8)
    bce = torch.nn.functional.binary_cross_entropy
    Dt = torch.tensor(D)
    ones, zeros = torch.ones(8, dtype=torch.float64), torch.zeros(8, dtype=torch.float64)
    torch_v = -(bce(Dt, ones, weight=torch.tensor(p_data), reduction="sum")
                + bce(Dt, zeros, weight=torch.tensor(p_g), reduction="sum"))
    assert value_function(D, p_data, p_g) == pytest.approx(float(torch_v), rel=1e-12)


def test_value_function_is_minus_inf_when_d_is_certain_and_wrong():
    assert value_function([0.0, 0.5], [0.5, 0.5], [0.5, 0.5]) == -np.inf
    assert value_function([1.0, 0.5], [0.0, 1.0], [1.0, 0.0]) == -np.inf
    assert np.isfinite(value_function([1.0, 0.0], [1.0, 0.0], [0.0, 1.0]))             # perfect D: V = 0
    assert value_function([1.0, 0.0], [1.0, 0.0], [0.0, 1.0]) == 0.0


def test_generator_losses_and_gradients_match_autograd():
    s = torch.tensor([-30.0, -4.6, -1.0, 0.0, 2.0, 25.0], dtype=torch.float64, requires_grad=True)
    d = torch.sigmoid(s)
    loss_minimax, loss_ns, grad_minimax, grad_ns = generator_losses(s.detach().numpy())
    np.testing.assert_allclose(loss_minimax, torch.nn.functional.logsigmoid(-s).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(loss_minimax[:5], torch.log1p(-d[:5]).detach().numpy(), rtol=1e-9)   # = log(1 - D)
    np.testing.assert_allclose(loss_ns, -torch.nn.functional.logsigmoid(s).detach().numpy(), rtol=1e-12)
    (g1,) = torch.autograd.grad(torch.nn.functional.logsigmoid(-s).sum(), s)        # log(1 - D), stable form
    (g2,) = torch.autograd.grad((-torch.nn.functional.logsigmoid(s)).sum(), s)
    np.testing.assert_allclose(grad_minimax, g1.numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grad_ns, g2.numpy(), rtol=1e-12)
    assert abs(grad_minimax[0]) < 1e-12 and abs(grad_ns[0] + 1) < 1e-12               # saturation vs not
    assert np.all(np.isfinite(loss_minimax)) and np.all(np.isfinite(loss_ns))


@pytest.mark.parametrize("seed", [0, 1])
def test_wasserstein_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, 300), rng.gamma(2.0, 1.0, 300)
    assert wasserstein_1d(x, y) == pytest.approx(wasserstein_distance(x, y), rel=1e-10)


# ---------------------------------------------------------------- bad input

def test_bad_input_raises_clear_errors():
    p = np.array([0.5, 0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        js_divergence([0.5, 0.6], p)
    with pytest.raises(ValueError, match="non-negative"):
        js_divergence([1.5, -0.5], p)
    with pytest.raises(ValueError, match="same support"):
        optimal_discriminator(p, [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="1-D"):
        js_divergence(np.eye(2) / 2, np.eye(2) / 2)
    with pytest.raises(ValueError, match="non-empty"):
        js_divergence([], [])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        value_function([1.2, 0.5], p, p)
    with pytest.raises(ValueError, match="one value per support point"):
        value_function([0.5], p, p)
    with pytest.raises(ValueError, match="finite"):
        generator_losses([np.nan])
    with pytest.raises(ValueError, match="equal size"):
        wasserstein_1d([0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="numbers"):
        js_divergence(["a", "b"], p)
