"""Value iteration and exact policy evaluation, checked against optima known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.reinforcement_learning.gridworld import CLIFF_WALKING, SMALL_MAZE, GridWorld
from mlguide.reinforcement_learning.planning import policy_evaluation, q_from_v, value_iteration


def test_value_iteration_finds_the_shortest_paths_of_a_deterministic_maze():
    """With cost 1 per move and no discount, V*(s) is minus the breadth-first-search distance to the goal."""
    world = GridWorld(SMALL_MAZE)
    P, R = world.model()
    result = value_iteration(P, R, gamma=1.0)
    assert np.array_equal(result.values, -world.shortest_path_lengths())
    assert world.follows_shortest_paths(result.policy)
    assert result.sweeps == world.shortest_path_lengths().max() + 1   # exact after the longest path, one more to see it


def test_value_iteration_satisfies_the_bellman_optimality_equation_and_beats_every_deterministic_policy():
    world = GridWorld(("S..", ".#X", "..G"), slip=0.2, pit_reward=-5)
    P, R = world.model()
    result = value_iteration(P, R, gamma=0.9, tol=1e-12)
    assert np.allclose(result.values, q_from_v(P, R, result.values, 0.9).max(axis=1), atol=1e-10)
    assert np.allclose(policy_evaluation(P, R, result.policy, 0.9), result.values, atol=1e-9)
    rng = np.random.default_rng(1)
    for _ in range(200):   # no policy is better anywhere
        other = rng.integers(4, size=world.n_states)
        assert np.all(policy_evaluation(P, R, other, 0.9) <= result.values + 1e-9)


def test_policy_evaluation_without_discount_gives_minus_the_path_length():
    """gamma = 1 is fine for a policy that always reaches the goal: the optimal one is worth minus its path length."""
    world = GridWorld(SMALL_MAZE)
    P, R = world.model()
    policy = value_iteration(P, R, gamma=1.0).policy
    assert np.allclose(policy_evaluation(P, R, policy, gamma=1.0), -world.shortest_path_lengths(), atol=1e-9)


def test_policy_evaluation_matches_iterating_the_expectation_backup():
    world = GridWorld(SMALL_MAZE, slip=0.1)
    P, R = world.model()
    pi = np.full((world.n_states, 4), 0.25)
    V = np.zeros(world.n_states)
    for _ in range(3000):
        V = (pi * q_from_v(P, R, V, 0.95)).sum(axis=1)
    assert np.allclose(policy_evaluation(P, R, pi, 0.95), V, atol=1e-8)


def test_slippery_cliff_makes_the_optimal_path_keep_away_from_the_edge():
    P, R = GridWorld(CLIFF_WALKING).model()
    safe = value_iteration(P, R, gamma=1.0).values
    world = GridWorld(CLIFF_WALKING, slip=0.1)
    P, R = world.model()
    result = value_iteration(P, R, gamma=0.99)
    start = world.start
    assert safe[start] == -13                       # up, eleven steps along the edge, down
    assert world.cells[world._move(start, int(result.policy[start]))] == (2, 0)
    row_one = [result.policy[world.index[(1, c)]] for c in range(1, 11)]
    assert all(a == 1 for a in row_one)             # with slips, it walks along row 1 (or higher), not the edge


def test_bad_arguments_are_refused():
    world = GridWorld(SMALL_MAZE)
    P, R = world.model()
    with pytest.raises(ValueError, match="gamma"):
        value_iteration(P, R, gamma=1.5)
    with pytest.raises(ValueError, match="probability"):
        value_iteration(P * 2, R, gamma=0.9)
    with pytest.raises(ValueError, match="never reaches"):   # always "up" from the start: into the top edge for ever
        policy_evaluation(P, R, np.zeros(world.n_states, dtype=int), gamma=1.0)
