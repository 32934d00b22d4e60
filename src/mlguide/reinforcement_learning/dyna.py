"""Model-based tabular reinforcement learning: a model learned from counts, certainty-equivalence planning, policy
iteration, and Dyna-Q (with Sutton and Barto's Dyna-Q+ exploration bonus as an option).

`env` is anything with `n_states`, `n_actions`, `reset() -> state` and `step(state, action, rng) -> (next state,
reward, done)`, such as `GridWorld`. A model in matrix form is `P[s, a, s2]` = P(s2 | s, a) and `R[s, a]`, the
expected reward, as `GridWorld.model()` returns it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mlguide.reinforcement_learning.planning import (
    ValueIterationResult, check_model, greedy, policy_evaluation, q_from_v, value_iteration,
)
from mlguide.reinforcement_learning.q_learning import epsilon_greedy


def _check_state_action(n_states: int, n_actions: int, s: int, a: int, s2: int) -> None:
    if not (0 <= s < n_states and 0 <= s2 < n_states and 0 <= a < n_actions):
        raise ValueError(f"need 0 <= s, s2 < {n_states} and 0 <= a < {n_actions}; got s={s}, a={a}, s2={s2}")


class TabularModel:
    """What an agent has seen of its world: counts N(s, a, s2), summed rewards, and which states ended an episode.

    `estimate()` turns the counts into the maximum-likelihood model; `sample()` replays an outcome drawn in
    proportion to how often it was seen. By default every outcome is kept, the right model of a world that does not
    change; `window=1` keeps only the last outcome of each pair, Sutton and Barto's Dyna-Q model of a deterministic
    world, which believes a change as soon as it sees it. The model also keeps a clock of real steps and when each
    (s, a) was last tried, for Dyna-Q+'s bonus.
    """

    def __init__(self, n_states: int, n_actions: int, window: int | None = None):
        if n_states < 1 or n_actions < 1:
            raise ValueError(f"need at least one state and one action; got {n_states} and {n_actions}")
        if window is not None and (int(window) != window or window < 1):
            raise ValueError(f"window must be None or a whole number >= 1, got {window}")
        self.n_states, self.n_actions, self.window = int(n_states), int(n_actions), window
        self.counts = np.zeros((n_states, n_actions, n_states), dtype=np.int64)
        self.reward_sum = np.zeros((n_states, n_actions))
        self.terminal = np.zeros(n_states, dtype=bool)     # states seen to end an episode
        self.time = 0                                        # real steps observed
        self.last_tried = np.zeros((n_states, n_actions), dtype=np.int64)
        self.seen: list[tuple[int, int]] = []               # (s, a) pairs tried, in the order first tried
        self.seen_states_pairs: list[tuple[int, int]] = []  # every action of every state acted from
        self._outcomes: dict[tuple[int, int], list[tuple[int, float, bool]]] = {}

    def update(self, s: int, a: int, r: float, s2: int, done: bool) -> None:
        """Record one real transition: action a in state s gave reward r and next state s2 (terminal if done).
        With a `window`, the pair's oldest outcome beyond the last `window` is forgotten."""
        s, a, s2 = int(s), int(a), int(s2)
        _check_state_action(self.n_states, self.n_actions, s, a, s2)
        if (s, a) not in self._outcomes:
            if not self.counts[s].any():
                self.seen_states_pairs += [(s, b) for b in range(self.n_actions)]
            self.seen.append((s, a))
            self._outcomes[(s, a)] = []
        outcomes = self._outcomes[(s, a)]
        outcomes.append((s2, float(r), bool(done)))
        self.counts[s, a, s2] += 1
        self.reward_sum[s, a] += r
        if self.window is not None and len(outcomes) > self.window:
            old_s2, old_r, _ = outcomes.pop(0)
            self.counts[s, a, old_s2] -= 1
            self.reward_sum[s, a] -= old_r
        self.terminal[s2] |= bool(done)
        self.time += 1
        self.last_tried[s, a] = self.time

    def visits(self) -> np.ndarray:
        """N(s, a): how often each action was tried in each state."""
        return self.counts.sum(axis=2)

    # --8<-- [start:estimate]
    def estimate(self, unseen_reward: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """The maximum-likelihood model: P_hat(s2 | s, a) = N(s, a, s2) / N(s, a) and R_hat(s, a) = the mean reward
        seen. A pair never tried is modelled as staying put with reward `unseen_reward` (with step costs, 0 is
        optimistic and draws a planner towards it); states seen to end an episode are absorbing with reward 0."""
        n = self.visits()
        P = np.zeros((self.n_states, self.n_actions, self.n_states))
        R = np.full((self.n_states, self.n_actions), float(unseen_reward))
        tried = n > 0
        P[tried] = self.counts[tried] / n[tried][:, None]
        R[tried] = self.reward_sum[tried] / n[tried]
        untried = np.argwhere(~tried)
        P[untried[:, 0], untried[:, 1], untried[:, 0]] = 1.0
        P[self.terminal] = np.eye(self.n_states)[self.terminal][:, None, :]
        R[self.terminal] = 0.0
        return P, R
    # --8<-- [end:estimate]

    def sample(self, s: int, a: int, u: float) -> tuple[int, float, bool]:
        """An outcome (next state, reward, done) of a tried pair, chosen by a uniform number u in [0, 1) in
        proportion to how often it was seen. An untried pair stays put with reward 0 (Dyna-Q+'s prior)."""
        outcomes = self._outcomes.get((s, a))
        if outcomes is None:
            return s, 0.0, False
        return outcomes[min(int(u * len(outcomes)), len(outcomes) - 1)]


def certainty_equivalence(model: TabularModel, gamma: float, *, unseen_reward: float = 0.0,
                          tol: float = 1e-10) -> ValueIterationResult:
    """Plan as if the learned model were the truth: value iteration on `model.estimate(unseen_reward)`."""
    P, R = model.estimate(unseen_reward)
    return value_iteration(P, R, gamma, tol=tol)


class PolicyIterationResult(NamedTuple):
    values: np.ndarray      # V of the final policy, which is optimal
    q: np.ndarray           # Q from one lookahead on those values
    policy: np.ndarray      # one action per state
    iterations: int         # evaluate-then-improve rounds, the last of which changed nothing


def policy_iteration(P: np.ndarray, R: np.ndarray, gamma: float, policy=None,
                     max_iterations: int = 1_000) -> PolicyIterationResult:
    """Howard's policy iteration: evaluate the policy exactly (a linear solve), make it greedy in that Q, and stop
    when no state's action changes. The current action is kept among ties, so it cannot cycle. With gamma = 1 every
    policy met must reach a terminal state, or the linear system is singular: start from a proper `policy`."""
    check_model(P, R, gamma)
    pi = np.zeros(len(R), dtype=int) if policy is None else np.asarray(policy, dtype=int).copy()
    if pi.shape != (len(R),) or pi.min() < 0 or pi.max() >= P.shape[1]:
        raise ValueError(f"policy must give one action in 0..{P.shape[1] - 1} for each of {len(R)} states")
    for iteration in range(1, max_iterations + 1):
        V = policy_evaluation(P, R, pi, gamma)
        Q = q_from_v(P, R, V, gamma)
        best = greedy(Q)
        keep = Q[np.arange(len(R)), pi] >= Q.max(axis=1) - 1e-9
        new = np.where(keep, pi, best)
        if np.array_equal(new, pi):
            return PolicyIterationResult(V, Q, pi, iteration)
        pi = new
    raise RuntimeError(f"policy iteration did not settle in {max_iterations} iterations")


class DynaResult(NamedTuple):
    q: np.ndarray           # the learned Q(s, a)
    model: TabularModel     # the learned model (pass it back in to continue)
    returns: np.ndarray     # the undiscounted return of each episode
    lengths: np.ndarray     # real moves per episode
    backups: int            # Q updates made: one per real step plus n_planning per real step


def dyna_q(env, episodes: int, *, n_planning: int = 5, alpha: float = 0.1, gamma: float = 1.0, epsilon=0.1,
           rng=None, max_steps: int = 1_000, q0: float = 0.0, kappa: float = 0.0, q=None,
           model: TabularModel | None = None) -> DynaResult:
    """Tabular Dyna-Q (Sutton and Barto, section 8.2): after every real step, a Q-learning update on it, a model
    update, and `n_planning` Q-learning updates on transitions replayed from the model; the next action is then
    chosen from the updated values. With n_planning = 0 it is `q_learning`, draw for draw.

    kappa > 0 gives Dyna-Q+ (section 8.3): planned rewards gain kappa * sqrt(steps since the pair was last tried),
    and planning also tries the untried actions of visited states, modelled as staying put with reward 0. Pass
    `q` and `model` from an earlier result to continue learning (the model is updated in place, `q` is copied);
    `rng` may be a shared Generator.
    """
    if episodes < 1 or not 0 < alpha <= 1 or not 0 <= gamma <= 1:
        raise ValueError(f"need episodes >= 1, 0 < alpha <= 1 and 0 <= gamma <= 1; got {episodes}, {alpha}, {gamma}")
    if int(n_planning) != n_planning or n_planning < 0:
        raise ValueError(f"n_planning must be a whole number >= 0, got {n_planning}")
    if kappa < 0 or (kappa > 0 and gamma >= 1):
        raise ValueError(f"kappa must be >= 0, and the bonus needs gamma < 1 to stay bounded; got {kappa}, {gamma}")
    schedule: Callable[[int], float] = epsilon if callable(epsilon) else (lambda _: epsilon)
    rng = np.random.default_rng(rng)
    Q = np.full((env.n_states, env.n_actions), float(q0)) if q is None else np.asarray(q, dtype=float)
    if Q.shape != (env.n_states, env.n_actions):
        raise ValueError(f"q must have shape {(env.n_states, env.n_actions)}, got {Q.shape}")
    model = TabularModel(env.n_states, env.n_actions) if model is None else model
    n_planning, backups = int(n_planning), 0
    table = Q.tolist()                       # rows as Python lists: a max over four floats is faster than NumPy's
    returns, lengths = np.zeros(episodes), np.zeros(episodes, dtype=int)
    for episode in range(episodes):
        eps = schedule(episode)
        s = env.reset()
        a = epsilon_greedy(np.array(table[s]), eps, rng)
        for t in range(max_steps):
            s2, r, done = env.step(s, a, rng)
            returns[episode] += r
            target = r if done else r + gamma * max(table[s2])    # direct RL: Q-learning on the real step
            table[s][a] += alpha * (target - table[s][a])
            model.update(s, a, r, s2, done)                         # model learning
            backups += 1 + n_planning
            if n_planning:                                          # planning: simulated steps from the model
                planning_steps(table, model, n_planning, alpha, gamma, rng, kappa)
            s, a = s2, epsilon_greedy(np.array(table[s2]), eps, rng)   # act on the values planning improved
            if done:
                break
        lengths[episode] = t + 1
    return DynaResult(np.array(table), model, returns, lengths, backups)


# --8<-- [start:planning_steps]
def planning_steps(Q, model, n, alpha, gamma, rng, kappa=0.0):
    """n Q-learning updates on simulated transitions: pick a pair tried before (Dyna-Q+: any action of a state
    seen) uniformly at random, ask the model for an outcome, and back it up exactly as a real one. Q is indexed
    Q[s][a] (a NumPy array or a list of rows) and updated in place."""
    pairs = model.seen_states_pairs if kappa > 0 else model.seen
    for i, u in zip(rng.integers(len(pairs), size=n).tolist(), rng.random(n).tolist()):
        s, a = pairs[i]
        s2, r, done = model.sample(s, a, u)
        if kappa > 0:                                    # Dyna-Q+: a bonus for moves not tried for a while
            r += kappa * math.sqrt(model.time - model.last_tried[s, a])
        target = r if done else r + gamma * max(Q[s2])
        Q[s][a] += alpha * (target - Q[s][a])
# --8<-- [end:planning_steps]
