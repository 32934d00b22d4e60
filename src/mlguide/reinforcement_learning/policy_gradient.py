"""Policy gradients and actor-critic targets: discounted returns, TD errors, n-step returns, generalized advantage
estimation (GAE), the score-function (REINFORCE) gradient of a linear softmax policy, the exact policy gradient of a
known MDP, and PPO's clipped surrogate.

Indexing follows Sutton and Barto: an episode (or a rollout segment) of T steps visits states S_0, ..., S_{T-1},
takes actions A_0, ..., A_{T-1} and receives rewards R_1, ..., R_T. Arrays are 0-based, so `rewards[t]` is R_{t+1},
`values[t]` is the critic's V(S_t), and `last_value` is V(S_T): 0 when S_T is terminal, the critic's estimate when the
segment was cut off (a time limit, or the end of an n-step rollout) and the episode goes on.

A linear softmax policy has a weight matrix `theta` of shape (d, K) for d features and K actions: in state s with
feature vector phi(s), pi(a | s) = exp(z_a) / sum_b exp(z_b) with logits z = phi(s) @ theta.
"""

from __future__ import annotations

import numpy as np

from mlguide.reinforcement_learning.planning import q_from_v


def _check_gamma(gamma: float, name: str = "gamma") -> float:
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {gamma}")
    return float(gamma)


def _segment(rewards, values=None):
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 1:
        raise ValueError(f"rewards must be one-dimensional (one per step), got shape {rewards.shape}")
    if values is None:
        return rewards
    values = np.asarray(values, dtype=float)
    if values.shape != rewards.shape:
        raise ValueError(f"values must hold V(S_t) for each of the {len(rewards)} steps, got shape {values.shape}")
    return rewards, values


# --8<-- [start:discounted_returns]
def discounted_returns(rewards, gamma, last_value=0.0):
    """G_t = R_{t+1} + gamma G_{t+1} for t = T-1, ..., 0, from G_T = last_value: the Monte Carlo return of every
    step (last_value = 0 when the episode ended at a terminal state)."""
    rewards, gamma = _segment(rewards), _check_gamma(gamma)
    G, g = np.empty_like(rewards), float(last_value)
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        G[t] = g
    return G
# --8<-- [end:discounted_returns]


def td_errors(rewards, values, gamma, last_value=0.0):
    """delta_t = R_{t+1} + gamma V(S_{t+1}) - V(S_t), with V(S_T) = last_value: the one-step advantage estimates."""
    rewards, values = _segment(rewards, values)
    gamma = _check_gamma(gamma)
    next_values = np.append(values[1:], float(last_value))
    return rewards + gamma * next_values - values


def n_step_returns(rewards, values, gamma, n, last_value=0.0):
    """G_t^(n) = R_{t+1} + gamma R_{t+2} + ... + gamma^(m-1) R_{t+m} + gamma^m V(S_{t+m}), with m = min(n, T - t) and
    V(S_T) = last_value. n = 1 is the TD target; n >= T with last_value = 0 is the Monte Carlo return."""
    rewards, values = _segment(rewards, values)
    gamma = _check_gamma(gamma)
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    n, T = int(n), len(rewards)
    boot = np.append(values, float(last_value))          # boot[k] = V(S_k) for k = 0..T
    out = np.empty(T)
    for t in range(T):
        m = min(n, T - t)
        out[t] = sum(gamma**k * rewards[t + k] for k in range(m)) + gamma**m * boot[t + m]
    return out


# --8<-- [start:gae]
def gae(rewards, values, gamma, lam, last_value=0.0):
    """Generalized advantage estimates A_t = sum_k (gamma lam)^k delta_{t+k}, computed backwards as
    A_t = delta_t + gamma lam A_{t+1}. lam = 0 gives the TD error delta_t (low variance, biased by the critic);
    lam = 1 gives G_t - V(S_t), the Monte Carlo return minus a baseline (unbiased, high variance).
    The critic's regression target is A_t + V(S_t), the lambda-return."""
    lam = _check_gamma(lam, "lam")
    delta = td_errors(rewards, values, gamma, last_value)
    A, running = np.empty_like(delta), 0.0
    for t in range(len(delta) - 1, -1, -1):
        running = delta[t] + gamma * lam * running
        A[t] = running
    return A
# --8<-- [end:gae]


def softmax_policy(theta, features):
    """pi(. | s) for each row of `features` (shape (T, d)) under weights `theta` (d, K): a (T, K) array."""
    theta, features = np.asarray(theta, dtype=float), np.atleast_2d(np.asarray(features, dtype=float))
    if theta.ndim != 2 or features.shape[1] != theta.shape[0]:
        raise ValueError(f"features (T, d) and theta (d, K) must agree on d; got {features.shape} and {theta.shape}")
    z = features @ theta
    z -= z.max(axis=1, keepdims=True)                    # stable: softmax is unchanged by a shift
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# --8<-- [start:policy_gradient_estimate]
def policy_gradient_estimate(theta, features, actions, weights):
    """The score-function estimate sum_t w_t grad_theta log pi(A_t | S_t) for a linear softmax policy, as a (d, K)
    array. For this policy grad_theta log pi(a | s) = phi(s) (e_a - pi(. | s))^T, with e_a the one-hot vector of a.
    The weights w_t choose the estimator: gamma^t G_t is REINFORCE, gamma^t (G_t - b(S_t)) adds a baseline, and
    gamma^t delta_t or gamma^t A_t (GAE) is the actor-critic update."""
    features = np.atleast_2d(np.asarray(features, dtype=float))
    actions, weights = np.asarray(actions), np.asarray(weights, dtype=float)
    probs = softmax_policy(theta, features)
    T, K = probs.shape
    if actions.shape != (T,) or weights.shape != (T,):
        raise ValueError(f"need one action and one weight per row of features ({T}); "
                         f"got {actions.shape} and {weights.shape}")
    if not np.issubdtype(actions.dtype, np.integer) or actions.min(initial=0) < 0 or actions.max(initial=0) >= K:
        raise ValueError(f"actions must be integers in 0..{K - 1}")
    score = np.eye(K)[actions] - probs                   # d log pi(A_t | S_t) / d logits, one row per step
    return features.T @ (weights[:, None] * score)
# --8<-- [end:policy_gradient_estimate]


def exact_policy_gradient(P, R, theta, features, gamma, start):
    """The policy-gradient theorem on a known MDP: J = V^pi(start) and
    grad J = sum_s eta(s) sum_a pi(a | s) Q^pi(s, a) grad log pi(a | s), where eta(s) = sum_t gamma^t Pr(S_t = s)
    is the discounted expected number of visits to s from `start`. `P` (S, A, S) and `R` (S, A) are the model,
    `features` (S, d) one row per state. Absorbing states that pay nothing (terminal states) end the episode, so
    gamma = 1 works for a policy that reaches one with probability 1. Returns (grad J as a (d, K) array, J, eta)."""
    P, R = np.asarray(P, dtype=float), np.asarray(R, dtype=float)
    gamma = _check_gamma(gamma)
    features = np.asarray(features, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or R.shape != P.shape[:2] or not np.allclose(P.sum(axis=2), 1.0):
        raise ValueError(f"P must be (S, A, S) with rows summing to 1 and R (S, A); got {P.shape} and {R.shape}")
    if features.shape[0] != P.shape[0]:
        raise ValueError(f"features need one row per state ({P.shape[0]}), got {features.shape[0]}")
    pi = softmax_policy(theta, features)
    if pi.shape[1] != P.shape[1]:
        raise ValueError(f"theta has {pi.shape[1]} action columns but the model has {P.shape[1]} actions")
    n = len(R)
    terminal = np.all(P[np.arange(n), :, np.arange(n)] == 1.0, axis=1) & np.all(R == 0.0, axis=1)
    P_pi = np.einsum("sa,sat->st", pi, P)
    P_pi[terminal] = 0.0                                 # the episode ends there: no further visits or rewards
    A = np.eye(n) - gamma * P_pi
    if np.linalg.cond(A) > 1e12:
        raise ValueError("J is undefined: with gamma = 1 this policy does not reach a terminal state for sure")
    V = np.linalg.solve(A, (pi * R).sum(axis=1))         # Bellman expectation equation, V = 0 at terminal states
    Q = q_from_v(P, R, V, gamma)
    rho = np.zeros(n)
    rho[start] = 1.0
    eta = np.linalg.solve(A.T, rho)                      # eta^T = rho^T (I - gamma P_pi)^-1
    # sum_a pi Q (e_a - pi) = pi * (Q - V): the gradient with respect to each state's logits
    logit_grad = eta[:, None] * pi * (Q - V[:, None])
    return features.T @ logit_grad, float(V[start]), eta


# --8<-- [start:ppo_clip_objective]
def ppo_clip_objective(ratio, advantages, epsilon=0.2):
    """PPO's clipped surrogate, averaged over samples: mean of min(r A, clip(r, 1 - eps, 1 + eps) A), with
    r = pi_new(a | s) / pi_old(a | s). Maximised; a sample whose ratio has moved past the clip in the direction
    its advantage favours contributes a constant, so no gradient."""
    ratio, advantages = np.asarray(ratio, dtype=float), np.asarray(advantages, dtype=float)
    if ratio.shape != advantages.shape:
        raise ValueError(f"ratio and advantages must have the same shape, got {ratio.shape} and {advantages.shape}")
    if np.any(ratio < 0):
        raise ValueError("probability ratios cannot be negative")
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon must be in (0, 1), got {epsilon}")
    clipped = np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon)
    return float(np.mean(np.minimum(ratio * advantages, clipped * advantages)))
# --8<-- [end:ppo_clip_objective]
