"""The cart-pole balancing task with the classic dynamics (Barto, Sutton and Anderson, 1983, in the form Gym's
CartPole uses), vectorised over independent copies.

A pole is hinged on a cart that moves along a track. The state is (x, x_dot, theta, theta_dot): the cart's position
(m) and velocity, the pole's angle from upright (rad) and angular velocity. Each step the agent pushes the cart left
(action 0) or right (action 1) with a force of 10 N for 0.02 s (explicit Euler). The reward is +1 for every step,
including the last; an episode terminates when |x| > 2.4 or |theta| > 12 degrees, and is truncated (cut off, not
failed) after `max_steps` steps. Start states are uniform on [-0.05, 0.05]^4.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

GRAVITY, CART_MASS, POLE_MASS, HALF_LENGTH, FORCE, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
X_LIMIT, THETA_LIMIT = 2.4, 12 * 2 * np.pi / 360


def cartpole_dynamics(state: np.ndarray, action: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One Euler step for each row of `state` (shape (n, 4)) under `action` (n,) in {0, 1}: the next states and
    whether each has left the allowed region (terminated)."""
    state, action = np.atleast_2d(np.asarray(state, dtype=float)), np.atleast_1d(np.asarray(action))
    if state.shape[1] != 4 or action.shape != (len(state),):
        raise ValueError(f"need states of shape (n, 4) and one action per state; got {state.shape}, {action.shape}")
    if not np.all((action == 0) | (action == 1)):
        raise ValueError("actions must be 0 (push left) or 1 (push right)")
    x, x_dot, theta, theta_dot = state.T
    force = np.where(action == 1, FORCE, -FORCE)
    total_mass, pole_moment = CART_MASS + POLE_MASS, POLE_MASS * HALF_LENGTH
    cos, sin = np.cos(theta), np.sin(theta)
    temp = (force + pole_moment * theta_dot**2 * sin) / total_mass
    theta_acc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4.0 / 3.0 - POLE_MASS * cos**2 / total_mass))
    x_acc = temp - pole_moment * theta_acc * cos / total_mass
    nxt = np.stack([x + TAU * x_dot, x_dot + TAU * x_acc, theta + TAU * theta_dot, theta_dot + TAU * theta_acc], 1)
    terminated = (np.abs(nxt[:, 0]) > X_LIMIT) | (np.abs(nxt[:, 2]) > THETA_LIMIT)
    return nxt, terminated


class Step(NamedTuple):
    obs: np.ndarray          # (n, 4) the next observation: the first of a new episode where one just ended
    reward: np.ndarray       # (n,) +1 for every copy
    terminated: np.ndarray   # (n,) the pole fell or the cart left the track: the value after this step is 0
    truncated: np.ndarray    # (n,) the time limit cut the episode off: the value after it is not 0
    final_obs: np.ndarray    # (n, 4) the state the step reached, before any reset (bootstrap from it if truncated)
    episode_return: np.ndarray   # (n,) the finished episode's return where one ended this step, else nan


class VecCartPole:
    """`n` independent cart-poles that reset themselves when an episode ends."""

    def __init__(self, n: int = 1, *, max_steps: int = 500, seed: int | None = None):
        if n < 1 or max_steps < 1:
            raise ValueError(f"need n >= 1 and max_steps >= 1, got {n} and {max_steps}")
        self.n, self.max_steps = int(n), int(max_steps)
        self.rng = np.random.default_rng(seed)
        self.state = np.zeros((self.n, 4))
        self.steps = np.zeros(self.n, dtype=int)

    def _start(self, k: int) -> np.ndarray:
        return self.rng.uniform(-0.05, 0.05, size=(k, 4))

    def reset(self) -> np.ndarray:
        self.state, self.steps[:] = self._start(self.n), 0
        return self.state.copy()

    def step(self, action) -> Step:
        nxt, terminated = cartpole_dynamics(self.state, action)
        self.steps += 1
        truncated = ~terminated & (self.steps >= self.max_steps)
        done = terminated | truncated
        episode_return = np.where(done, self.steps.astype(float), np.nan)   # one reward of 1 per step
        final_obs = nxt.copy()
        if done.any():
            nxt[done] = self._start(int(done.sum()))
            self.steps[done] = 0
        self.state = nxt
        return Step(nxt.copy(), np.ones(self.n), terminated, truncated, final_obs, episode_return)
