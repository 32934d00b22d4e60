"""Q-learning and SARSA learn optimal (or, for SARSA, safe) policies of gridworlds whose optimum is known."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.reinforcement_learning.gridworld import CLIFF_WALKING, SMALL_MAZE, GridWorld
from mlguide.reinforcement_learning.planning import greedy, value_iteration
from mlguide.reinforcement_learning.q_learning import epsilon_greedy, q_learning, sarsa, td_update


def test_q_learning_learns_an_optimal_policy_of_a_deterministic_maze():
    """Behaving at random for the first half (so every state is tried) and then almost greedily, Q-learning's greedy
    policy moves every state one step closer to the goal: it learns the optimal policy whatever the behaviour."""
    world = GridWorld(SMALL_MAZE)
    result = q_learning(world, 600, alpha=0.5, gamma=1.0, epsilon=lambda e: 1.0 if e < 300 else 0.01, rng=3)
    assert world.follows_shortest_paths(greedy(result.q))
    assert np.median(result.lengths[-50:]) == world.shortest_path_lengths()[world.start]


def test_sarsa_with_decaying_exploration_learns_the_shortest_path_from_the_start():
    """SARSA learns the values of the policy it follows, so it reaches the optimum only as epsilon decays; states it
    stops visiting keep stale values, so only the path from the start is checked."""
    world = GridWorld(SMALL_MAZE)
    result = sarsa(world, 600, alpha=0.5, gamma=1.0, epsilon=lambda e: 1 / (1 + e / 10), rng=3)
    assert world.greedy_path_length(greedy(result.q)) == world.shortest_path_lengths()[world.start]


def test_q_learning_values_converge_to_value_iterations():
    """Deterministic moves and alpha = 1: each update is an exact backup, so random behaviour recovers Q* exactly.
    With slips and a constant step size the values only hover around Q*, within a few tenths."""
    world = GridWorld(SMALL_MAZE)
    P, R = world.model()
    exact = q_learning(world, 400, alpha=1.0, gamma=0.9, epsilon=1.0, rng=0, max_steps=200)
    assert np.allclose(exact.q, value_iteration(P, R, gamma=0.9).q, atol=1e-9)
    world = GridWorld(("S..", "...", "..G"), slip=0.2)
    P, R = world.model()
    optimum = value_iteration(P, R, gamma=0.9).q
    noisy = q_learning(world, 3000, alpha=0.05, gamma=0.9, epsilon=1.0, rng=0, max_steps=50)
    assert np.abs(noisy.q - optimum).max() < 0.5


def test_cliff_walking_sarsa_takes_the_safe_path_and_q_learning_the_edge():
    """Sutton and Barto's example 6.6: with epsilon fixed at 0.1, Q-learning learns the edge path's values (the
    optimal policy) and falls off more while exploring; SARSA learns the longer, safer path and earns more online."""
    world = GridWorld(CLIFF_WALKING)
    q = q_learning(world, 500, alpha=0.5, epsilon=0.1, rng=0)
    s = sarsa(world, 500, alpha=0.5, epsilon=0.1, rng=0)
    assert s.returns[100:].mean() > q.returns[100:].mean()
    edge = [world.index[(2, c)] for c in range(1, 11)]
    assert all(greedy(q.q)[state] == 1 for state in edge)   # Q-learning's greedy path runs just above the cliff


def test_epsilon_greedy_breaks_ties_at_random_and_explores():
    rng = np.random.default_rng(0)
    picks = np.bincount([epsilon_greedy(np.array([1.0, 1.0, 0.0]), 0.0, rng) for _ in range(2000)], minlength=3)
    assert picks[2] == 0 and abs(picks[0] - picks[1]) < 200
    picks = np.bincount([epsilon_greedy(np.array([0.0, 5.0, 0.0]), 0.3, rng) for _ in range(6000)], minlength=3)
    assert abs(picks[1] / 6000 - (0.7 + 0.1)) < 0.03


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="alpha"):
        q_learning(GridWorld(SMALL_MAZE), 10, alpha=0)


def test_td_update_by_hand():
    """Q[0] = (0, 0), Q[1] = (2, 4); from (s=0, a=0), reward 1, to s2 = 1, where the agent will take action 0."""
    for on_policy, done, expected in [(False, False, 0.5 * (1 + 0.9 * 4)), (True, False, 0.5 * (1 + 0.9 * 2)),
                                      (False, True, 0.5 * 1)]:
        Q = np.array([[0.0, 0.0], [2.0, 4.0]])
        td_update(Q, 0, 0, 1.0, 1, 0, done, alpha=0.5, gamma=0.9, on_policy=on_policy)
        assert Q[0, 0] == pytest.approx(expected) and Q[0, 1] == 0 and list(Q[1]) == [2, 4]
