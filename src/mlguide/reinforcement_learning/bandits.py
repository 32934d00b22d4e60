"""Multi-armed bandits: a k-armed bandit, epsilon-greedy with fixed or decaying exploration, optimistic initial
values, UCB1, and regret.

A bandit is a one-state decision problem: each step the agent pulls one of k arms and receives a reward drawn from
that arm's distribution, with mean `means[a]`. Nothing carries over from one step to the next, so the only problem
left of reinforcement learning is exploration. Runs are vectorised: `play` plays `runs` independent copies side by
side (each with its own bandit when `means` has one row per run), so averages over thousands of runs are cheap.

Regret is the pseudo-regret: after T steps, the sum over steps of mu* - mu(A_t), the expected reward given up by
pulling A_t instead of the best arm. It counts what the choices cost, not the luck of the draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Bandit:
    """k arms with means `means` (shape (k,), or (runs, k) for one bandit per run) and Gaussian rewards of standard
    deviation `sd` (0 makes them deterministic) or Bernoulli rewards (0 or 1, means in [0, 1])."""

    def __init__(self, means, *, noise: str = "gaussian", sd: float = 1.0):
        means = np.asarray(means, dtype=float)
        if means.ndim not in (1, 2) or means.shape[-1] < 1 or not np.all(np.isfinite(means)):
            raise ValueError(f"means must be a finite (k,) or (runs, k) array with k >= 1, got shape {means.shape}")
        if noise not in ("gaussian", "bernoulli"):
            raise ValueError(f"noise must be 'gaussian' or 'bernoulli', got {noise!r}")
        if noise == "bernoulli" and (means.min() < 0 or means.max() > 1):
            raise ValueError("Bernoulli arms need means in [0, 1]")
        if not sd >= 0:
            raise ValueError(f"sd must be >= 0, got {sd}")
        self.means, self.noise, self.sd = means, noise, float(sd)
        self.k = means.shape[-1]

    @property
    def gaps(self) -> np.ndarray:
        """mu* - mu(a) for each arm: 0 for the best arm(s)."""
        return self.means.max(axis=-1, keepdims=True) - self.means

    def pull(self, arms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One reward for each run's arm (`arms` has one entry per run)."""
        mu = np.take_along_axis(np.broadcast_to(self.means, (len(arms), self.k)), arms[:, None], axis=1)[:, 0]
        if self.noise == "bernoulli":
            return (rng.random(len(arms)) < mu).astype(float)
        return mu + self.sd * rng.standard_normal(len(arms)) if self.sd > 0 else mu.copy()


def _argmax_random_ties(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise argmax, a uniformly random one among tied maxima."""
    is_max = values == values.max(axis=1, keepdims=True)
    return np.argmax(np.where(is_max, rng.random(values.shape), -1.0), axis=1)


# --8<-- [start:choose_arms]
def choose_arms(q, counts, t, rng, *, epsilon=0.0, ucb_c=None):
    """One arm per run at step t (0-based, so t pulls have been made). With `ucb_c`, UCB1: pull an untried arm,
    else the arm maximising Q(a) + c sqrt(ln t / N(a)) (Auer et al. use c = sqrt(2) for rewards in [0, 1]).
    Otherwise epsilon-greedy: a uniformly random arm with probability epsilon, else the largest Q. Ties: at random."""
    if ucb_c is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            bonus = ucb_c * np.sqrt(np.log(max(t, 1)) / counts)       # N(a) = 0 gives +inf: try it first
        return _argmax_random_ties(np.where(counts == 0, np.inf, q + bonus), rng)
    explore = rng.random(len(q)) < epsilon
    random_arms = rng.integers(q.shape[1], size=len(q))
    return np.where(explore, random_arms, _argmax_random_ties(q, rng))
# --8<-- [end:choose_arms]


class BanditRun(NamedTuple):
    actions: np.ndarray     # (runs, steps) the arm pulled at each step
    rewards: np.ndarray     # (runs, steps) the reward received
    regret: np.ndarray      # (runs, steps) cumulative pseudo-regret after each step
    q: np.ndarray           # (runs, k) the final value estimates
    counts: np.ndarray      # (runs, k) pulls of each arm


def play(bandit: Bandit, steps: int, *, runs: int = 1, epsilon: float | Callable[[int], float] = 0.0,
         q0: float = 0.0, alpha: float | None = None, ucb_c: float | None = None, rng=None) -> BanditRun:
    """Play `runs` independent copies of `bandit` for `steps` pulls each.

    `epsilon` is a number or a schedule, a function of the step t = 0, 1, ... (e.g. `lambda t: min(1, 50 / (t + 1))`).
    `q0` is the initial estimate of every arm (optimistic when above every mean). Estimates are sample averages,
    Q(a) += (r - Q(a)) / N(a), which forget q0 at an arm's first pull, or use a constant step `alpha`, which forgets
    it geometrically. `ucb_c` switches to UCB1 (and `epsilon` must then be 0).
    """
    if steps < 1 or runs < 1:
        raise ValueError(f"need steps >= 1 and runs >= 1, got {steps} and {runs}")
    if bandit.means.ndim == 2 and bandit.means.shape[0] != runs:
        raise ValueError(f"the bandit has {bandit.means.shape[0]} rows of means for {runs} runs")
    if alpha is not None and not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1] or None (sample averages), got {alpha}")
    if ucb_c is not None and (ucb_c < 0 or callable(epsilon) or epsilon != 0):
        raise ValueError("UCB needs ucb_c >= 0 and epsilon = 0: choose one exploration rule")
    if not np.isfinite(q0):
        raise ValueError(f"q0 must be finite, got {q0}")
    schedule = epsilon if callable(epsilon) else (lambda _: epsilon)
    rng = np.random.default_rng(rng)
    q = np.full((runs, bandit.k), float(q0))
    counts = np.zeros((runs, bandit.k), dtype=int)
    actions = np.zeros((runs, steps), dtype=int)
    rewards = np.zeros((runs, steps))
    rows = np.arange(runs)
    for t in range(steps):
        eps = schedule(t)
        if not 0 <= eps <= 1:
            raise ValueError(f"epsilon must be in [0, 1], got {eps} at step {t}")
        a = choose_arms(q, counts, t, rng, epsilon=eps, ucb_c=ucb_c)
        r = bandit.pull(a, rng)
        counts[rows, a] += 1
        step = (1.0 / counts[rows, a]) if alpha is None else alpha
        q[rows, a] += step * (r - q[rows, a])
        actions[:, t], rewards[:, t] = a, r
    gaps = np.broadcast_to(bandit.gaps, (runs, bandit.k))
    regret = np.cumsum(np.take_along_axis(gaps, actions, axis=1), axis=1)
    return BanditRun(actions, rewards, regret, q, counts)


def ucb1_regret_bound(means, n: int) -> float:
    """Auer, Cesa-Bianchi and Fischer's (2002) Theorem 1: for rewards in [0, 1], UCB1's expected regret after n pulls
    is at most 8 sum_{gap > 0} ln(n) / gap + (1 + pi^2 / 3) sum gap."""
    gaps = np.max(means) - np.asarray(means, dtype=float)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    positive = gaps[gaps > 0]
    return float(8 * np.sum(np.log(n) / positive) + (1 + np.pi ** 2 / 3) * gaps.sum())
