"""The short corridor's closed-form values against an exact linear solve, and its stochastic optimum."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.reinforcement_learning.corridor import (
    BEST_RIGHT_PROBABILITY,
    GOAL,
    NEXT,
    short_corridor_model,
    short_corridor_values,
)


def solve(p):
    P, R = short_corridor_model()
    pi = np.array([1 - p, p])
    P_pi = np.einsum("a,sat->st", pi, P[:GOAL, :, :GOAL])   # drop the terminal goal: its value is 0
    return np.linalg.solve(np.eye(3) - P_pi, R[:GOAL] @ pi)


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9, 0.95])
def test_closed_form_values_solve_the_bellman_equation(p):
    assert np.allclose(short_corridor_values(p), solve(p))


def test_the_model_switches_the_actions_in_the_middle_state():
    P, R = short_corridor_model()
    assert NEXT[1].tolist() == [2, 0] and NEXT[0].tolist() == [0, 1] and NEXT[2].tolist() == [1, 3]
    assert np.allclose(P.sum(axis=2), 1) and R[GOAL].tolist() == [0, 0] and np.all(R[:GOAL] == -1)


def test_the_best_policy_is_stochastic():
    grid = np.linspace(0.01, 0.99, 9801)
    J = short_corridor_values(grid)[0]
    assert abs(grid[np.argmax(J)] - BEST_RIGHT_PROBABILITY) < 1e-4
    assert np.isclose(short_corridor_values(BEST_RIGHT_PROBABILITY)[0], -(6 + 4 * np.sqrt(2)))
    # epsilon-greedy with epsilon = 0.1 over two actions picks right with probability 0.95 or 0.05
    assert np.allclose(short_corridor_values([0.95, 0.05])[0], [-44.2105, -82.1053], atol=1e-4)


def test_p_must_be_strictly_inside_the_unit_interval():
    with pytest.raises(ValueError, match="strictly"):
        short_corridor_values(1.0)
