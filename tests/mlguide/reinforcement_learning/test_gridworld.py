"""The gridworld: its exact model agrees with sampling, its shortest paths, and bad maps refused."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.reinforcement_learning.gridworld import SMALL_MAZE, GridWorld


def test_model_rows_are_distributions_and_match_sampling():
    world = GridWorld(SMALL_MAZE, slip=0.2)
    P, R = world.model()
    assert np.allclose(P.sum(axis=2), 1)
    rng = np.random.default_rng(0)
    s, a, n = world.index[(2, 2)], 1, 20_000
    counts = np.bincount([world.step(s, a, rng)[0] for _ in range(n)], minlength=world.n_states) / n
    assert np.abs(counts - P[s, a]).max() < 0.015


@pytest.mark.parametrize("layout, message", [
    ((), "non-empty"), (("S.", "..."), "equal length"), (("S.Z", "..G"), "unknown"), (("..", ".G"), "start"),
    (("S.", ".."), "terminal"),
])
def test_bad_layouts_are_refused(layout, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(layout)


def test_shortest_paths_and_the_policy_checks():
    world = GridWorld(("S.#", "..G"))
    assert world.shortest_path_lengths()[world.start] == 3
    right, down = 1, 2
    policy = np.full(world.n_states, right)
    policy[world.index[(0, 1)]] = down
    assert world.follows_shortest_paths(policy) and world.greedy_path_length(policy) == 3
    policy[world.index[(0, 1)]] = right            # into the wall: stuck
    assert not world.follows_shortest_paths(policy) and world.greedy_path_length(policy) == np.inf
    assert world.render(policy)[0] == "→→#"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="slip"):
        GridWorld(SMALL_MAZE, slip=1.0)
    with pytest.raises(ValueError, match="action"):
        GridWorld(SMALL_MAZE).step(0, 4, np.random.default_rng(0))
