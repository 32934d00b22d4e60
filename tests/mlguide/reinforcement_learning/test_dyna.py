"""The learned tabular model, certainty-equivalence planning, policy iteration and Dyna-Q, checked against the
gridworld's exact model, value iteration and Q-learning."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.reinforcement_learning.dyna import (
    TabularModel, certainty_equivalence, dyna_q, planning_steps, policy_iteration,
)
from mlguide.reinforcement_learning.gridworld import CLIFF_WALKING, SMALL_MAZE, GridWorld
from mlguide.reinforcement_learning.planning import greedy, value_iteration
from mlguide.reinforcement_learning.q_learning import q_learning


def sampled_model(world: GridWorld, per_pair: int, seed: int) -> TabularModel:
    """A model of `world` learned from `per_pair` sampled moves of every non-terminal (s, a)."""
    rng, model = np.random.default_rng(seed), TabularModel(world.n_states, world.n_actions)
    for s in np.flatnonzero(~world.terminal):
        for a in range(world.n_actions):
            for _ in range(per_pair):
                s2, r, done = world.step(s, a, rng)
                model.update(s, a, r, s2, done)
    return model


@pytest.mark.parametrize("seed", [0, 1])
def test_the_learned_model_converges_to_the_exact_model(seed):
    """Counts of sampled moves on a slippery maze estimate P and R. Each entry's standard error is
    sqrt(p (1 - p) / N) <= 0.5 / sqrt(N), and every entry stays within four of them, so 16 times the data
    shrinks the largest error about four-fold."""
    world = GridWorld(SMALL_MAZE, slip=0.2)
    P, R = world.model()
    errors = []
    for per_pair in (16, 256):
        P_hat, R_hat = sampled_model(world, per_pair, seed).estimate()
        assert np.allclose(P_hat.sum(axis=2), 1)
        errors.append(np.abs(P_hat - P).max())
        assert errors[-1] < 4 * 0.5 / np.sqrt(per_pair)
        assert np.abs(R_hat - R).max() < 1e-12      # rewards here depend only on (s, a), so their mean is exact
        assert np.array_equal(P_hat[world.terminal], P[world.terminal])
    assert errors[1] < errors[0] / 2


def test_one_visit_per_pair_gives_the_exact_model_of_a_deterministic_world_and_certainty_equivalence_is_exact():
    world = GridWorld(CLIFF_WALKING)
    P, R = world.model()
    model = TabularModel(world.n_states, world.n_actions)
    rng = np.random.default_rng(0)
    for s in range(world.n_states):
        for a in range(world.n_actions):
            if not world.terminal[s]:
                s2, r, done = world.step(s, a, rng)
                model.update(s, a, r, s2, done)
    P_hat, R_hat = model.estimate()
    goal = world.kind.index("G")
    assert model.terminal[goal] and model.terminal.sum() == 1
    assert np.array_equal(P_hat, P) and np.array_equal(R_hat, R)
    planned, exact = certainty_equivalence(model, 1.0), value_iteration(P, R, 1.0)
    assert np.array_equal(planned.values, exact.values) and planned.values[world.start] == -13


def test_untried_pairs_stay_put_with_the_unseen_reward_and_terminal_states_are_absorbing():
    model = TabularModel(3, 2)
    model.update(0, 0, -1.0, 2, True)
    model.update(0, 0, -3.0, 1, False)
    P, R = model.estimate(unseen_reward=5.0)
    assert np.allclose(P[0, 0], [0, 0.5, 0.5]) and R[0, 0] == -2.0
    assert P[0, 1, 0] == 1 and R[0, 1] == 5.0 and P[1, 0, 1] == 1 and R[1, 1] == 5.0
    assert np.all(P[2, :, 2] == 1) and np.all(R[2] == 0)
    assert model.seen == [(0, 0)] and model.seen_states_pairs == [(0, 0), (0, 1)]


def test_sample_draws_outcomes_in_proportion_to_their_counts_and_a_window_forgets_old_ones():
    model = TabularModel(3, 1)
    for s2 in (1, 1, 1, 2):
        model.update(0, 0, float(s2), s2, False)
    draws = [model.sample(0, 0, u)[0] for u in np.linspace(0, 1, 400, endpoint=False)]
    assert draws.count(1) == 300 and draws.count(2) == 100
    assert model.sample(1, 0, 0.3) == (1, 0.0, False)            # untried: stay put, reward 0
    recent = TabularModel(3, 1, window=1)
    for s2 in (1, 1, 1, 2):
        recent.update(0, 0, float(s2), s2, False)
    assert recent.sample(0, 0, 0.0) == (2, 2.0, False)
    P, R = recent.estimate()
    assert P[0, 0, 2] == 1 and R[0, 0] == 2.0 and recent.counts[0, 0].sum() == 1


@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_dyna_q_with_no_planning_is_q_learning_draw_for_draw(slip):
    world = GridWorld(SMALL_MAZE, slip=slip)
    a = q_learning(world, 40, alpha=0.5, gamma=0.95, epsilon=0.1, rng=4)
    b = dyna_q(world, 40, n_planning=0, alpha=0.5, gamma=0.95, epsilon=0.1, rng=4)
    assert np.array_equal(a.q, b.q) and np.array_equal(a.lengths, b.lengths) and np.array_equal(a.returns, b.returns)
    assert b.backups == b.lengths.sum()


def test_dyna_q_learns_the_shortest_path_in_far_fewer_real_steps_than_q_learning():
    world = GridWorld(SMALL_MAZE)
    planned = dyna_q(world, 25, n_planning=50, alpha=0.5, gamma=0.95, rng=0)
    plain = q_learning(world, 25, alpha=0.5, gamma=0.95, rng=0)
    assert world.greedy_path_length(greedy(planned.q)) == world.shortest_path_lengths()[world.start] == 15
    assert plain.lengths.sum() > 3 * planned.lengths.sum()
    assert planned.backups == 51 * planned.lengths.sum()


def test_dyna_q_with_random_behaviour_and_exact_backups_recovers_q_star():
    """Deterministic moves, alpha = 1 and random behaviour: every planning update is an exact Bellman backup of a
    tried pair, so enough of them give value iteration's Q on every pair."""
    world = GridWorld(SMALL_MAZE)
    P, R = world.model()
    result = dyna_q(world, 15, n_planning=50, alpha=1.0, gamma=0.9, epsilon=1.0, rng=1, max_steps=300)
    assert len(result.model.seen) == 4 * (~world.terminal).sum()          # every pair was tried
    assert np.allclose(result.q, value_iteration(P, R, 0.9).q, atol=1e-9)


def test_continuing_from_a_result_is_the_same_as_one_longer_run():
    world = GridWorld(SMALL_MAZE, slip=0.1)
    whole = dyna_q(world, 6, n_planning=5, alpha=0.5, gamma=0.95, rng=2)
    rng = np.random.default_rng(2)
    first = dyna_q(world, 3, n_planning=5, alpha=0.5, gamma=0.95, rng=rng)
    rest = dyna_q(world, 3, n_planning=5, alpha=0.5, gamma=0.95, rng=rng, q=first.q, model=first.model)
    assert np.array_equal(whole.q, rest.q) and rest.model.time == whole.lengths.sum()


def test_the_dyna_q_plus_bonus_grows_with_the_time_since_a_pair_was_tried():
    model = TabularModel(2, 2)
    model.update(0, 0, 0.0, 1, True)
    for _ in range(99):                        # time passes: 99 more steps of (0, 1), a move that stays put
        model.update(0, 1, 0.0, 0, False)
    q = [[0.0, 0.0], [0.0, 0.0]]
    rng = np.random.default_rng(0)
    planning_steps(q, model, 200, 1.0, 0.5, rng, kappa=0.1)
    assert np.isclose(q[0][0], 0.1 * np.sqrt(99))                  # the terminal move, tried 99 steps ago
    assert q[0][1] > 0                                  # just tried, no bonus, but it stays where (0, 0) is worth more
    q = [[0.0, 0.0], [0.0, 0.0]]
    planning_steps(q, model, 200, 1.0, 0.5, rng)        # without kappa, nothing is worth anything
    assert q == [[0.0, 0.0], [0.0, 0.0]]


def test_policy_iteration_agrees_with_value_iteration():
    world = GridWorld(("S..", ".#X", "..G"), slip=0.2, pit_reward=-5)
    P, R = world.model()
    pi, vi = policy_iteration(P, R, 0.9), value_iteration(P, R, 0.9, tol=1e-12)
    assert np.allclose(pi.values, vi.values, atol=1e-9) and np.array_equal(pi.policy, vi.policy)
    assert pi.iterations <= 10
    maze = GridWorld(SMALL_MAZE)
    P, R = maze.model()
    assert maze.follows_shortest_paths(policy_iteration(P, R, 0.95).policy)


def test_bad_input_is_refused():
    world = GridWorld(SMALL_MAZE)
    with pytest.raises(ValueError, match="at least one state"):
        TabularModel(0, 4)
    with pytest.raises(ValueError, match="window"):
        TabularModel(3, 2, window=0)
    with pytest.raises(ValueError, match="need 0 <= s"):
        TabularModel(3, 2).update(0, 2, 0.0, 1, False)
    with pytest.raises(ValueError, match="n_planning"):
        dyna_q(world, 5, n_planning=-1)
    with pytest.raises(ValueError, match="n_planning"):
        dyna_q(world, 5, n_planning=2.5)
    with pytest.raises(ValueError, match="kappa"):
        dyna_q(world, 5, kappa=-0.1, gamma=0.9)
    with pytest.raises(ValueError, match="gamma < 1"):
        dyna_q(world, 5, kappa=0.1, gamma=1.0)
    with pytest.raises(ValueError, match="alpha"):
        dyna_q(world, 5, alpha=0.0)
    with pytest.raises(ValueError, match="shape"):
        dyna_q(world, 5, q=np.zeros((3, 4)))
    P, R = world.model()
    with pytest.raises(ValueError, match="policy"):
        policy_iteration(P, R, 0.9, policy=np.full(world.n_states, 4))
    with pytest.raises(ValueError, match="gamma"):
        policy_iteration(P, R, 1.5)
