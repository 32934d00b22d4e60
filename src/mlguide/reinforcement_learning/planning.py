"""Planning with a known model: exact policy evaluation, greedy policies and value iteration.

A model is `P[s, a, s2]` = P(s2 | s, a) and `R[s, a]`, the expected reward of taking action a in state s (as
`GridWorld.model()` returns them). A policy is either one action per state or a matrix of action probabilities.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def check_model(P: np.ndarray, R: np.ndarray, gamma: float) -> None:
    if P.ndim != 3 or P.shape[0] != P.shape[2] or R.shape != P.shape[:2]:
        raise ValueError(f"P must be (S, A, S) and R (S, A); got {P.shape} and {R.shape}")
    if not np.allclose(P.sum(axis=2), 1.0):
        raise ValueError("each P[s, a] must be a probability distribution over next states")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")


def as_probabilities(policy: np.ndarray, n_actions: int) -> np.ndarray:
    """One action per state -> a one-hot (S, A) matrix; a matrix is returned as it is."""
    policy = np.asarray(policy)
    if policy.ndim == 1:
        return np.eye(n_actions)[policy.astype(int)]
    return policy.astype(float)


def policy_evaluation(P: np.ndarray, R: np.ndarray, policy: np.ndarray, gamma: float) -> np.ndarray:
    """V^pi exactly, by solving the Bellman expectation equation V = R_pi + gamma P_pi V as a linear system."""
    check_model(P, R, gamma)
    pi = as_probabilities(policy, P.shape[1])
    P_pi = np.einsum("sa,sat->st", pi, P)
    R_pi = (pi * R).sum(axis=1)
    # An absorbing state with no reward (a terminal state) is worth 0: pin it there, or with gamma = 1 its row of
    # (I - gamma P_pi) would be all zeros and the system singular for every policy.
    absorbing = np.all(np.isclose(np.diagonal(P, axis1=0, axis2=2).T, 1.0), axis=1) & np.all(R == 0, axis=1)
    P_pi[absorbing] = 0.0
    try:
        return np.linalg.solve(np.eye(len(R)) - gamma * P_pi, R_pi)
    except np.linalg.LinAlgError:
        raise ValueError("V^pi is undefined: with gamma = 1 this policy never reaches a terminal state from some "
                         "state, so its return there is unbounded") from None


def q_from_v(P: np.ndarray, R: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """Q(s, a) = R(s, a) + gamma * sum_s2 P(s2 | s, a) V(s2): one step of lookahead."""
    return R + gamma * P @ V


def greedy(Q: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """The action with the largest Q in each state; among near-ties (within tol), the lowest index."""
    return np.argmax(Q >= Q.max(axis=1, keepdims=True) - tol, axis=1)


class ValueIterationResult(NamedTuple):
    values: np.ndarray      # V*(s), to within the stopping tolerance
    q: np.ndarray           # Q*(s, a) from one lookahead on those values
    policy: np.ndarray      # a greedy (optimal) action per state
    sweeps: int             # Bellman optimality backups over all states
    deltas: np.ndarray      # the largest change in V at each sweep


# --8<-- [start:value_iteration]
def value_iteration(P, R, gamma, tol=1e-10, max_sweeps=100_000):
    """Apply the Bellman optimality backup V(s) <- max_a [R(s, a) + gamma sum_s2 P(s2|s, a) V(s2)] to every state
    until no value changes by more than `tol`; return the values, Q, a greedy policy and the sweep count."""
    check_model(P, R, gamma)
    V, deltas = np.zeros(len(R)), []
    for sweep in range(1, max_sweeps + 1):
        V_new = q_from_v(P, R, V, gamma).max(axis=1)
        deltas.append(np.max(np.abs(V_new - V)))
        V = V_new
        if deltas[-1] < tol:
            break
    else:
        raise RuntimeError(f"value iteration did not converge in {max_sweeps} sweeps (gamma = {gamma})")
    Q = q_from_v(P, R, V, gamma)
    return ValueIterationResult(V, Q, greedy(Q), sweep, np.array(deltas))
# --8<-- [end:value_iteration]
