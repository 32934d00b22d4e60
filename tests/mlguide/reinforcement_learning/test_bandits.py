"""Bandits: exact expected regret by enumeration, UCB1's choices worked by hand, optimism, schedules, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlguide.reinforcement_learning.bandits import Bandit, choose_arms, play, ucb1_regret_bound


def exact_expected_regret(means, epsilon, steps):
    """E[regret after `steps`] of sample-average epsilon-greedy (q0 = 0, ties at random) on Bernoulli arms, by
    enumerating every branch: explore or not, which arm, reward 0 or 1."""
    means = np.asarray(means, dtype=float)
    k, gaps = len(means), means.max() - means

    def expect(q, n, steps_left):
        if steps_left == 0:
            return 0.0
        best = [a for a in range(k) if q[a] == max(q)]
        p_arm = [epsilon / k + (1 - epsilon) * (a in best) / len(best) for a in range(k)]
        total = 0.0
        for a in range(k):
            if p_arm[a] == 0:
                continue
            for r, p_r in ((1.0, means[a]), (0.0, 1 - means[a])):
                n2 = list(n)
                n2[a] += 1
                q2 = list(q)
                q2[a] += (r - q2[a]) / n2[a]
                total += p_arm[a] * p_r * (gaps[a] + expect(tuple(q2), tuple(n2), steps_left - 1))
        return total

    return expect((0.0,) * k, (0,) * k, steps)


@pytest.mark.parametrize("means, epsilon, steps", [((0.3, 0.7), 0.2, 4), ((0.1, 0.5, 0.6), 0.5, 3),
                                                   ((0.3, 0.7), 0.0, 5)])
def test_mean_regret_matches_the_exact_expectation_by_enumeration(means, epsilon, steps):
    run = play(Bandit(means, noise="bernoulli"), steps, runs=200_000, epsilon=epsilon, rng=0)
    final = run.regret[:, -1]
    exact = exact_expected_regret(means, epsilon, steps)
    assert abs(final.mean() - exact) < 4 * final.std() / math.sqrt(len(final)) + 1e-12


def test_pure_exploration_regret_is_the_mean_gap_per_step():
    bandit = Bandit([0.1, 0.4, 0.9], noise="bernoulli")
    run = play(bandit, 50, runs=4000, epsilon=1.0, rng=1)
    assert abs(run.regret[:, -1].mean() - 50 * np.mean([0.8, 0.5, 0.0])) < 0.3   # SE about 0.06


def test_ucb1_choices_worked_by_hand():
    """Deterministic rewards 0.2, 0.5, 0.9. After one pull each (n = 3), the bonuses sqrt(2 ln n / N) are equal, so
    UCB1 pulls arm 2. At n = 4: 0.2 + 1.665, 0.5 + 1.665, 0.9 + 1.177: arm 1. At n = 5: 0.2 + 1.794, 0.5 + 1.269,
    0.9 + 1.269: arm 2. At n = 6: 0.2 + 1.893 = 2.093 beats 0.9 + 1.093 = 1.993 and 0.5 + 1.339: arm 0."""
    run = play(Bandit([0.2, 0.5, 0.9], sd=0.0), 7, ucb_c=math.sqrt(2), rng=0)
    assert sorted(run.actions[0, :3]) == [0, 1, 2]
    assert run.actions[0, 3:].tolist() == [2, 1, 2, 0]
    q, counts = np.array([[0.2, 0.5, 0.9]]), np.array([[1, 1, 2]])
    index = q + math.sqrt(2) * np.sqrt(np.log(4) / counts)
    assert np.allclose(index, [[1.8651, 2.1651, 2.0774]], atol=1e-4)
    assert choose_arms(q, counts, 4, np.random.default_rng(0), ucb_c=math.sqrt(2))[0] == 1


def test_ucb_tries_every_arm_first_and_c_zero_is_greedy():
    counts = np.array([[3, 0, 2]])
    assert choose_arms(np.array([[9.0, -9.0, 1.0]]), counts, 5, np.random.default_rng(0), ucb_c=2.0)[0] == 1
    q = np.array([[0.1, 0.7, 0.3]])
    assert choose_arms(q, np.array([[5, 1, 1]]), 7, np.random.default_rng(0), ucb_c=0.0)[0] == 1


def test_ucb1_stays_below_its_regret_bound_and_its_regret_grows_slower_than_linearly():
    means = [0.9, 0.8, 0.6]
    run = play(Bandit(means, noise="bernoulli"), 3000, runs=200, ucb_c=math.sqrt(2), rng=2)
    mean_regret = run.regret.mean(axis=0)
    assert mean_regret[-1] < ucb1_regret_bound(means, 3000)
    assert mean_regret[-1] - mean_regret[1499] < 0.8 * mean_regret[1499]   # second half costs less than the first
    assert ucb1_regret_bound(means, 100) == pytest.approx(8 * math.log(100) * (1 / 0.1 + 1 / 0.3)
                                                          + (1 + math.pi ** 2 / 3) * 0.4)


def test_regret_is_the_gap_weighted_pull_counts():
    bandit = Bandit(np.random.default_rng(0).normal(size=(50, 5)))
    run = play(bandit, 300, runs=50, epsilon=0.1, rng=3)
    assert np.allclose(run.regret[:, -1], (run.counts * bandit.gaps).sum(axis=1))
    assert np.all(np.diff(run.regret, axis=1) >= 0) and run.counts.sum() == 50 * 300


def test_optimism_with_sample_averages_only_forces_one_pull_of_each_arm():
    """q0 = 5 exceeds every reward: a greedy agent pulls each arm once, and sample averages then replace q0 with the
    true (deterministic) means, so it pulls the best arm forever: regret is the sum of the gaps."""
    bandit = Bandit([0.2, 0.9, 0.5], sd=0.0)
    run = play(bandit, 40, runs=3, epsilon=0.0, q0=5.0, rng=4)
    assert np.allclose(run.q, [0.2, 0.9, 0.5])
    assert np.allclose(run.regret[:, -1], 0.7 + 0.4)
    assert np.all(run.actions[:, 3:] == 1)
    realistic = play(bandit, 40, runs=200, epsilon=0.0, q0=0.0, rng=4)   # q0 = 0: stuck on its first arm
    assert np.all(realistic.counts.max(axis=1) == 40)
    constant = play(bandit, 40, runs=3, epsilon=0.0, q0=5.0, alpha=0.1, rng=4)
    assert np.all(constant.q > bandit.means)   # a constant step forgets q0 only geometrically: 0.9^N(a)


def test_epsilon_greedy_explores_at_the_stated_rate():
    run = play(Bandit([0.0, 1.0, 0.5, 0.2], sd=0.0), 2000, runs=20, epsilon=0.3, rng=5)
    late = run.actions[:, 100:]
    assert abs(np.mean(late == 1) - (0.7 + 0.3 / 4)) < 0.01


def test_a_schedule_is_called_with_the_step_index():
    seen = []
    run = play(Bandit([0.0, 1.0], sd=0.0), 30, epsilon=lambda t: seen.append(t) or (1.0 if t < 10 else 0.0), rng=6)
    assert seen == list(range(30))
    assert set(run.actions[0, :10]) == {0, 1}           # random for ten steps: both arms tried
    assert np.all(run.actions[0, 10:] == 1)              # then greedy on the better estimate


def test_same_seed_same_run():
    bandit = Bandit([0.1, 0.2, 0.3])
    a, b = play(bandit, 20, runs=4, epsilon=0.2, rng=7), play(bandit, 20, runs=4, epsilon=0.2, rng=7)
    assert np.array_equal(a.actions, b.actions) and np.array_equal(a.rewards, b.rewards)


@pytest.mark.parametrize("kwargs, message", [
    (dict(means=[]), "k >= 1"), (dict(means=[[[0.1]]]), "k >= 1"), (dict(means=[0.1, np.nan]), "finite"),
    (dict(means=[0.5, 1.2], noise="bernoulli"), r"\[0, 1\]"), (dict(means=[0.5], noise="poisson"), "noise"),
    (dict(means=[0.5], sd=-1.0), "sd"),
])
def test_bad_bandits_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Bandit(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "steps"), (dict(runs=0), "runs"), (dict(epsilon=1.5), "epsilon"),
    (dict(epsilon=lambda t: -0.1), "epsilon"), (dict(alpha=0.0), "alpha"), (dict(alpha=1.5), "alpha"),
    (dict(ucb_c=-1.0), "UCB"), (dict(ucb_c=2.0, epsilon=0.1), "UCB"), (dict(q0=np.inf), "q0"),
])
def test_bad_arguments_are_refused(kwargs, message):
    args = dict(steps=10) | kwargs
    with pytest.raises(ValueError, match=message):
        play(Bandit([0.1, 0.2]), args.pop("steps"), **args)


def test_one_bandit_per_run_needs_one_row_per_run():
    with pytest.raises(ValueError, match="rows"):
        play(Bandit(np.zeros((3, 2))), 5, runs=4)
    with pytest.raises(ValueError, match="n must be"):
        ucb1_regret_bound([0.1, 0.2], 0)
