"""Returns, TD errors, n-step returns and GAE against brute-force sums; the softmax score-function gradient and the
policy-gradient theorem against PyTorch autograd; PPO's clipped surrogate against its definition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.reinforcement_learning.corridor import BEST_RIGHT_PROBABILITY, short_corridor_model
from mlguide.reinforcement_learning.gridworld import GridWorld
from mlguide.reinforcement_learning.policy_gradient import (
    discounted_returns,
    exact_policy_gradient,
    gae,
    n_step_returns,
    policy_gradient_estimate,
    ppo_clip_objective,
    softmax_policy,
    td_errors,
)



def segment(T=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=T), rng.normal(size=T), float(rng.normal())


def test_the_pages_worked_example():
    r, v = [0.0, 0.0, 1.0], [0.5, 0.6, 0.8]
    assert np.allclose(discounted_returns(r, 0.9), [0.81, 0.9, 1.0])
    assert np.allclose(td_errors(r, v, 0.9), [0.04, 0.12, 0.2])
    assert np.allclose(gae(r, v, 0.9, 0.5), [0.1345, 0.21, 0.2])
    assert np.allclose(gae(r, v, 0.9, 1.0), [0.31, 0.3, 0.2])
    assert np.allclose(n_step_returns(r, v, 0.9, 1), [0.54, 0.72, 1.0])


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99, 1.0])
def test_discounted_returns_match_the_double_sum(gamma):
    r, _, last = segment()
    T = len(r)
    brute = [sum(gamma**k * r[t + k] for k in range(T - t)) + gamma**(T - t) * last for t in range(T)]
    assert np.allclose(discounted_returns(r, gamma, last_value=last), brute)
    assert discounted_returns([], 0.9).shape == (0,)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50])
def test_n_step_returns_match_brute_force(n):
    r, v, last = segment()
    gamma, T = 0.8, len(r)
    boot = list(v) + [last]
    brute = []
    for t in range(T):
        m = min(n, T - t)
        brute.append(sum(gamma**k * r[t + k] for k in range(m)) + gamma**m * boot[t + m])
    assert np.allclose(n_step_returns(r, v, gamma, n, last_value=last), brute)


def test_one_step_is_the_td_target_and_a_long_n_is_the_monte_carlo_return():
    r, v, last = segment()
    assert np.allclose(n_step_returns(r, v, 0.9, 1, last) - v, td_errors(r, v, 0.9, last))
    assert np.allclose(n_step_returns(r, v, 0.9, len(r), last), discounted_returns(r, 0.9, last))


@pytest.mark.parametrize("lam", [0.0, 0.3, 0.95, 1.0])
def test_gae_is_the_discounted_sum_of_td_errors(lam):
    r, v, last = segment()
    gamma, T = 0.9, len(r)
    delta = td_errors(r, v, gamma, last)
    brute = [sum((gamma * lam)**k * delta[t + k] for k in range(T - t)) for t in range(T)]
    assert np.allclose(gae(r, v, gamma, lam, last), brute)


def test_gae_ends_are_the_td_error_and_the_monte_carlo_advantage():
    r, v, last = segment()
    assert np.allclose(gae(r, v, 0.9, 0.0, last), td_errors(r, v, 0.9, last))
    assert np.allclose(gae(r, v, 0.9, 1.0, last), discounted_returns(r, 0.9, last) - v)


def test_gae_plus_value_is_the_lambda_return():
    """A_t + V(S_t) = (1 - lam) sum_n lam^(n-1) G_t^(n), the weight left over going to the longest return."""
    r, v, last = segment(T=6)
    gamma, lam, T = 0.9, 0.7, 6
    G = np.array([n_step_returns(r, v, gamma, n, last) for n in range(1, T + 1)])    # G[n-1, t]
    lam_return = [sum((1 - lam) * lam**(n - 1) * G[n - 1, t] for n in range(1, T - t)) + lam**(T - t - 1) * G[T - t - 1, t]
                  for t in range(T)]
    assert np.allclose(gae(r, v, gamma, lam, last) + v, lam_return)


def test_policy_gradient_estimate_matches_autograd():
    rng = np.random.default_rng(3)
    T, d, K = 9, 4, 3
    phi, theta = rng.normal(size=(T, d)), rng.normal(size=(d, K))
    actions, weights = rng.integers(K, size=T), rng.normal(size=T)
    th = torch.tensor(theta, requires_grad=True)
    logp = torch.log_softmax(torch.tensor(phi) @ th, dim=1)[torch.arange(T), torch.tensor(actions)]
    (torch.tensor(weights) * logp).sum().backward()
    assert np.allclose(policy_gradient_estimate(theta, phi, actions, weights), th.grad.numpy())
    assert np.allclose(softmax_policy(theta, phi), torch.softmax(torch.tensor(phi @ theta), 1).numpy())


def test_the_score_has_mean_zero_so_a_baseline_adds_no_bias():
    """sum_a pi(a|s) grad log pi(a|s) = grad sum_a pi(a|s) = 0: weighting every action by b leaves nothing."""
    rng = np.random.default_rng(4)
    phi, theta = rng.normal(size=(1, 3)), rng.normal(size=(3, 5))
    pi = softmax_policy(theta, phi)[0]
    expected = sum(pi[a] * policy_gradient_estimate(theta, phi, np.array([a]), np.array([7.0])) for a in range(5))
    assert np.allclose(expected, 0.0)


def torch_objective(P, R, theta, phi, gamma, start):
    """J = V^pi(start) written in PyTorch, terminal rows dropped, for autograd."""
    P, R, phi = map(torch.tensor, (P, R, phi))
    pi = torch.softmax(phi @ theta, dim=1)
    P_pi = torch.einsum("sa,sat->st", pi, P)
    n = len(R)
    terminal = torch.tensor(np.all(P.numpy()[np.arange(n), :, np.arange(n)] == 1, axis=1) & np.all(R.numpy() == 0, axis=1))
    P_pi = torch.where(terminal[:, None], torch.zeros_like(P_pi), P_pi)
    V = torch.linalg.solve(torch.eye(n, dtype=torch.float64) - gamma * P_pi, (pi * R).sum(1))
    return V[start]


@pytest.mark.parametrize("gamma", [0.9, 1.0])
def test_the_policy_gradient_theorem_matches_autograd_on_a_slippery_gridworld(gamma):
    world = GridWorld(("S..", ".#X", "..G"), slip=0.2, pit_reward=-5)
    P, R = world.model()
    rng = np.random.default_rng(5)
    phi, theta = rng.normal(size=(world.n_states, 3)), 0.5 * rng.normal(size=(3, 4))
    grad, J, eta = exact_policy_gradient(P, R, theta, phi, gamma, world.start)
    th = torch.tensor(theta, requires_grad=True)
    J_torch = torch_objective(P, R, th, phi, gamma, world.start)
    J_torch.backward()
    assert np.isclose(J, J_torch.item())
    assert np.allclose(grad, th.grad.numpy(), atol=1e-10)
    assert eta[world.start] >= 1.0        # the start is visited at least once


def test_the_policy_gradient_vanishes_at_the_corridors_best_stochastic_policy():
    P, R = short_corridor_model()
    phi = np.ones((4, 1))
    for p, sign in [(0.3, 1), (BEST_RIGHT_PROBABILITY, 0), (0.8, -1)]:
        theta = np.array([[0.0, np.log(p / (1 - p))]])
        grad, _, _ = exact_policy_gradient(P, R, theta, phi, 1.0, 0)
        assert np.sign(np.round(grad[0, 1], 9)) == sign and np.isclose(grad.sum(), 0.0)


def test_ppo_clip_objective_matches_its_definition_and_the_pages_numbers():
    assert np.isclose(ppo_clip_objective([1.5], [2.0]), 2.4)       # capped at (1 + eps) A
    assert np.isclose(ppo_clip_objective([0.5], [2.0]), 1.0)       # below the clip: r A, still pushed up
    assert np.isclose(ppo_clip_objective([0.5], [-2.0]), -1.6)     # capped at (1 - eps) A
    assert np.isclose(ppo_clip_objective([1.5], [-2.0]), -3.0)     # above the clip: r A, still pushed down
    rng = np.random.default_rng(6)
    ratio, adv = rng.uniform(0.5, 1.5, 100), rng.normal(size=100)
    r = torch.tensor(ratio, requires_grad=True)
    surrogate = torch.min(r * torch.tensor(adv), torch.clamp(r, 0.8, 1.2) * torch.tensor(adv)).mean()
    assert np.isclose(ppo_clip_objective(ratio, adv), surrogate.item())
    surrogate.backward()
    clipped = ((ratio > 1.2) & (adv > 0)) | ((ratio < 0.8) & (adv < 0))
    assert np.all(r.grad.numpy()[clipped] == 0) and np.all(r.grad.numpy()[~clipped] != 0)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="gamma"):
        discounted_returns([1.0], 1.5)
    with pytest.raises(ValueError, match="one-dimensional"):
        discounted_returns([[1.0]], 0.9)
    with pytest.raises(ValueError, match="values"):
        td_errors([1.0, 2.0], [0.0], 0.9)
    with pytest.raises(ValueError, match="n must"):
        n_step_returns([1.0], [0.0], 0.9, 0)
    with pytest.raises(ValueError, match="lam"):
        gae([1.0], [0.0], 0.9, -0.1)
    with pytest.raises(ValueError, match="agree"):
        softmax_policy(np.zeros((3, 2)), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="actions"):
        policy_gradient_estimate(np.zeros((2, 2)), np.zeros((1, 2)), np.array([2]), np.array([1.0]))
    with pytest.raises(ValueError, match="one action"):
        policy_gradient_estimate(np.zeros((2, 2)), np.zeros((2, 2)), np.array([0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="same shape"):
        ppo_clip_objective([1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="epsilon"):
        ppo_clip_objective([1.0], [1.0], epsilon=0.0)
    P, R = short_corridor_model()
    always_right = np.array([[-50.0, 50.0]])       # cycles between states 0 and 1 for ever
    with pytest.raises(ValueError, match="terminal"):
        exact_policy_gradient(P, R, always_right, np.ones((4, 1)), 1.0, 0)
