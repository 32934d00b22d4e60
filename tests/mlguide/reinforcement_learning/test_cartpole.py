"""The vectorised cart-pole against a scalar transcription of the classic equations, and its episode bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlguide.reinforcement_learning.cartpole import THETA_LIMIT, VecCartPole, cartpole_dynamics


def classic_step(state, action):
    """Barto, Sutton and Anderson's cart-pole, one Euler step, as written in Gym's CartPole-v1."""
    x, x_dot, theta, theta_dot = state
    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    total_mass, polemass_length = masspole + masscart, masspole * length
    force = force_mag if action == 1 else -force_mag
    costheta, sintheta = math.cos(theta), math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - masspole * costheta**2 / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x, x_dot = x + tau * x_dot, x_dot + tau * xacc
    theta, theta_dot = theta + tau * theta_dot, theta_dot + tau * thetaacc
    done = x < -2.4 or x > 2.4 or theta < -12 * 2 * math.pi / 360 or theta > 12 * 2 * math.pi / 360
    return [x, x_dot, theta, theta_dot], done


def test_dynamics_match_the_scalar_equations():
    rng = np.random.default_rng(0)
    states = rng.uniform([-2.5, -2, -0.25, -2], [2.5, 2, 0.25, 2], size=(200, 4))
    actions = rng.integers(2, size=200)
    nxt, done = cartpole_dynamics(states, actions)
    for s, a, n, d in zip(states, actions, nxt, done):
        ref, ref_done = classic_step(s, a)
        assert np.allclose(n, ref, rtol=1e-12, atol=1e-12) and d == ref_done


def test_the_physics_points_the_right_way():
    upright = np.zeros((2, 4))
    nxt, _ = cartpole_dynamics(upright, np.array([0, 1]))
    assert nxt[1, 1] > 0 > nxt[0, 1]                  # pushing right speeds the cart to the right
    assert nxt[1, 3] < 0 < nxt[0, 3]                  # ... and tips the pole to the left
    s = np.array([[0, 0, 0.1, 0]])
    for k in range(10):                               # with alternating pushes a leaning pole keeps falling
        s, _ = cartpole_dynamics(s, np.array([k % 2]))
    assert s[0, 2] > 0.1 and s[0, 3] > 0


def test_episodes_terminate_truncate_and_reset():
    env = VecCartPole(3, max_steps=5, seed=1)
    obs = env.reset()
    assert obs.shape == (3, 4) and np.all(np.abs(obs) <= 0.05)
    for t in range(5):
        out = env.step(np.array([0, 1, 0]))
        assert np.all(out.reward == 1) and not out.terminated.any()
    assert out.truncated.all() and np.all(out.episode_return == 5)
    assert np.all(np.abs(out.obs) <= 0.05) and not np.allclose(out.obs, out.final_obs)
    env = VecCartPole(1, max_steps=500, seed=2)
    env.reset()
    steps = 0
    while True:                                       # always pushing right topples the pole within a few dozen steps
        out = env.step(np.array([1]))
        steps += 1
        if out.terminated[0]:
            break
    assert abs(out.final_obs[0, 2]) > THETA_LIMIT and out.episode_return[0] == steps < 100 and not out.truncated[0]


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="0 \\(push left\\) or 1"):
        cartpole_dynamics(np.zeros((1, 4)), np.array([2]))
    with pytest.raises(ValueError, match="shape"):
        cartpole_dynamics(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="n >= 1"):
        VecCartPole(0)
