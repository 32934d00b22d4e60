"""Learning action values from sampled moves alone: epsilon-greedy exploration, Q-learning and SARSA.

`env` is anything with `n_states`, `n_actions`, `reset() -> state` and `step(state, action, rng) -> (next state,
reward, done)`, such as `GridWorld`. `epsilon` is a number or a function of the episode index (a schedule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """A random action with probability epsilon, otherwise a greedy one, ties broken at random (with all-zero
    initial values, always taking the first greedy action can trap the agent against a wall)."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    best = np.flatnonzero(q_row == q_row.max())
    return int(best[0] if len(best) == 1 else rng.choice(best))


# --8<-- [start:td_update]
def td_update(Q, s, a, r, s2, a2, done, *, alpha, gamma, on_policy):
    """Move Q[s, a] a step alpha towards its one-step target, from one sampled transition (s, a, r, s2)."""
    if done:
        target = r                          # a terminal state's value is 0
    elif on_policy:
        target = r + gamma * Q[s2, a2]      # SARSA: the action the agent will take
    else:
        target = r + gamma * Q[s2].max()    # Q-learning: the greedy action, whatever is taken
    Q[s, a] += alpha * (target - Q[s, a])
# --8<-- [end:td_update]


class TDResult(NamedTuple):
    q: np.ndarray           # the learned Q(s, a)
    returns: np.ndarray     # the undiscounted return of each training episode
    lengths: np.ndarray     # moves per training episode


def _td_control(env, episodes, alpha, gamma, epsilon, rng, max_steps, q0, on_policy) -> TDResult:
    if episodes < 1 or not 0 < alpha <= 1 or not 0 <= gamma <= 1:
        raise ValueError(f"need episodes >= 1, 0 < alpha <= 1 and 0 <= gamma <= 1; got {episodes}, {alpha}, {gamma}")
    schedule: Callable[[int], float] = epsilon if callable(epsilon) else (lambda _: epsilon)
    rng = np.random.default_rng(rng)
    Q = np.full((env.n_states, env.n_actions), float(q0))
    returns, lengths = np.zeros(episodes), np.zeros(episodes, dtype=int)
    for episode in range(episodes):
        eps = schedule(episode)
        s = env.reset()
        a = epsilon_greedy(Q[s], eps, rng)
        for t in range(max_steps):
            s2, r, done = env.step(s, a, rng)
            # SARSA picks its next action before the update, and learns about that very action
            a2 = epsilon_greedy(Q[s2], eps, rng) if on_policy else None
            returns[episode] += r
            td_update(Q, s, a, r, s2, a2, done, alpha=alpha, gamma=gamma, on_policy=on_policy)
            if not on_policy:   # Q-learning picks it after, from the updated values (it matters when s2 == s)
                a2 = epsilon_greedy(Q[s2], eps, rng)
            s, a = s2, a2
            if done:
                break
        lengths[episode] = t + 1
    return TDResult(Q, returns, lengths)


def q_learning(env, episodes: int, *, alpha: float = 0.1, gamma: float = 1.0, epsilon=0.1, rng=None,
               max_steps: int = 1_000, q0: float = 0.0) -> TDResult:
    """Off-policy TD control: behave epsilon-greedily, learn the values of the greedy policy."""
    return _td_control(env, episodes, alpha, gamma, epsilon, rng, max_steps, q0, on_policy=False)


def sarsa(env, episodes: int, *, alpha: float = 0.1, gamma: float = 1.0, epsilon=0.1, rng=None,
          max_steps: int = 1_000, q0: float = 0.0) -> TDResult:
    """On-policy TD control: learn the values of the epsilon-greedy policy the agent follows."""
    return _td_control(env, episodes, alpha, gamma, epsilon, rng, max_steps, q0, on_policy=True)
