"""Sutton and Barto's short corridor with switched actions (Example 13.1): a task whose best policy is stochastic.

Three non-terminal states in a row, then the goal; every step costs -1 and there is no discounting. In states 0 and
2 the actions do what they say (left from state 0 bumps the wall and stays); in state 1 they are switched (right
goes back to state 0, left goes on to state 2). The agent cannot tell the states apart: its only feature is a
constant, so its policy is one probability p of choosing right, the same everywhere. Always right cycles between
states 0 and 1, always left stays at the wall: both never finish. The best p balances the two.

With p = Pr(right), the values of the three states are, solving the Bellman expectation equation by hand,
V(0) = 2 (p - 2) / (p (1 - p)),  V(1) = -(3 - p) / (p (1 - p)),  V(2) = -1 + (1 - p) V(1),
and V(0), the objective J(p), is largest at p* = 2 - sqrt(2), where J = -(6 + 4 sqrt(2)), about -11.66.
"""

from __future__ import annotations

import numpy as np

LEFT, RIGHT = 0, 1
START, GOAL = 0, 3
# NEXT[s, a]: where action a leads from state s (state 1 has its actions switched; the goal is absorbing)
NEXT = np.array([[0, 1],
                 [2, 0],
                 [1, 3],
                 [3, 3]])
BEST_RIGHT_PROBABILITY = 2 - np.sqrt(2)


def short_corridor_model() -> tuple[np.ndarray, np.ndarray]:
    """`P[s, a, s2]` and `R[s, a]` in the layout `GridWorld.model()` uses: 4 states (3 is the terminal goal),
    2 actions (0 left, 1 right), reward -1 for every step taken from a non-terminal state."""
    P = np.zeros((4, 2, 4))
    P[np.arange(4)[:, None], np.arange(2)[None, :], NEXT] = 1.0
    R = np.where(np.arange(4)[:, None] == GOAL, 0.0, -1.0) * np.ones((1, 2))
    return P, R


def short_corridor_values(p) -> np.ndarray:
    """V(0), V(1), V(2) in closed form (the rows of the result) for Pr(right) = p in (0, 1); J(p) is V(0)."""
    p = np.asarray(p, dtype=float)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p must be strictly between 0 and 1: at 0 or 1 the episode never ends")
    v1 = -(3 - p) / (p * (1 - p))
    return np.stack([2 * (p - 2) / (p * (1 - p)), v1, -1 + (1 - p) * v1])
