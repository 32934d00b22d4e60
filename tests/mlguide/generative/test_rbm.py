"""Tests for src/mlguide/generative/rbm.py: the free energy against brute-force summation over h and against
scikit-learn's BernoulliRBM, the conditionals against scikit-learn and against the joint, the exact log-likelihood
against enumeration of both layers, the exact gradient against finite differences, the CD gradient against PyTorch
autograd of the free-energy difference, CD-k's expectation against the exact Markov chain and its bias shrinking as
k grows, persistent CD from stationary chains, and clear errors on bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.neural_network import BernoulliRBM

from mlguide.generative.rbm import (
    cd_gradient, exact_gradient, exact_log_likelihood, free_energy, gibbs_step, hidden_probs, log_partition,
    visible_probs,
)


def random_rbm(seed: int, n_v: int, n_h: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (n_v, n_h)), rng.normal(0, 0.5, n_v), rng.normal(0, 0.5, n_h)


def all_states(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def energy(v, h, W, a, b):
    return -(v @ a) - (h @ b) - v @ W @ h


# ---------------------------------------------------------------- the page's worked example

def test_worked_example_by_hand():
    """Two visible units, one hidden: W = (2, 2), a = (0, 0), b = -2, as on the page."""
    W, a, b = np.array([[2.0], [2.0]]), np.zeros(2), np.array([-2.0])
    V = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    unnormalised = 1 + np.exp(2 * V.sum(axis=1) - 2)                     # sum over h of exp(-E(v, h))
    np.testing.assert_allclose(np.exp(-free_energy(V, W, a, b)), unnormalised)
    np.testing.assert_allclose(unnormalised, [1.1353, 2, 2, 8.3891], atol=1e-4)
    z = unnormalised.sum()
    np.testing.assert_allclose(np.exp(log_partition(W, a, b)), z)
    assert abs(z - 13.524) < 1e-3
    p = unnormalised / z
    np.testing.assert_allclose(p, [0.0839, 0.1479, 0.1479, 0.6203], atol=1e-4)
    assert p[3] > (p[1] + p[3]) ** 2 + 0.02                            # the hidden unit correlates v1 and v2
    np.testing.assert_allclose(hidden_probs(V, W, b).ravel(), [0.1192, 0.5, 0.5, 0.8808], atol=1e-4)
    dW, da, db = exact_gradient(V[3:], W, a, b)                         # data: the single vector (1, 1)
    model_v1h = p[3] * 0.880797 + p[1] * 0.5                             # E_model[v1 h] = sum_v p(v) v1 p(h=1|v)
    np.testing.assert_allclose(dW.ravel(), [0.880797 - model_v1h] * 2, atol=1e-6)
    np.testing.assert_allclose(dW.ravel(), [0.2605, 0.2605], atol=1e-4)
    np.testing.assert_allclose(np.exp(exact_log_likelihood(V[3:], W, a, b)), p[3])


# ---------------------------------------------------------------- free energy and conditionals

@pytest.mark.parametrize("n_v, n_h, seed", [(3, 2, 0), (4, 5, 1), (6, 3, 2)])
def test_free_energy_is_minus_log_sum_over_h(n_v, n_h, seed):
    W, a, b = random_rbm(seed, n_v, n_h)
    V, H = all_states(n_v), all_states(n_h)
    brute = np.array([-np.log(sum(np.exp(-energy(v, h, W, a, b)) for h in H)) for v in V])
    np.testing.assert_allclose(free_energy(V, W, a, b), brute, rtol=1e-12, atol=1e-12)
    assert np.isclose(free_energy(V[3], W, a, b), brute[3])        # a single vector gives a scalar


@pytest.mark.parametrize("n_v, n_h, seed", [(3, 2, 3), (2, 4, 4)])
def test_conditionals_factorise_and_match_the_joint(n_v, n_h, seed):
    W, a, b = random_rbm(seed, n_v, n_h)
    V, H = all_states(n_v), all_states(n_h)
    joint = np.exp(-np.array([[energy(v, h, W, a, b) for h in H] for v in V]))
    p_h_given_v = joint / joint.sum(axis=1, keepdims=True)
    ph = hidden_probs(V, W, b)
    product = np.prod(np.where(H[None, :, :] == 1, ph[:, None, :], 1 - ph[:, None, :]), axis=2)
    np.testing.assert_allclose(product, p_h_given_v, rtol=1e-10)
    p_v_given_h = (joint / joint.sum(axis=0, keepdims=True)).T
    pv = visible_probs(H, W, a)
    product = np.prod(np.where(V[None, :, :] == 1, pv[:, None, :], 1 - pv[:, None, :]), axis=2)
    np.testing.assert_allclose(product, p_v_given_h, rtol=1e-10)


def test_against_sklearn_bernoulli_rbm():
    rng = np.random.default_rng(5)
    X = (rng.random((40, 7)) < 0.4).astype(float)
    rbm = BernoulliRBM(n_components=4, n_iter=3, learning_rate=0.1, random_state=0).fit(X)
    W, a, b = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
    np.testing.assert_allclose(hidden_probs(X, W, b), rbm.transform(X), rtol=1e-12)
    # score_samples: the pseudo-likelihood n_v * log sigmoid(F(v with bit i flipped) - F(v)), one random bit per row
    rbm.random_state = 3
    i = np.random.RandomState(3).randint(0, X.shape[1], X.shape[0])
    flipped = X.copy()
    flipped[np.arange(len(X)), i] = 1 - flipped[np.arange(len(X)), i]
    ours = X.shape[1] * -np.logaddexp(0, -(free_energy(flipped, W, a, b) - free_energy(X, W, a, b)))
    np.testing.assert_allclose(ours, rbm.score_samples(X), rtol=1e-10)


# ---------------------------------------------------------------- exact likelihood and gradient

@pytest.mark.parametrize("n_v, n_h, seed", [(4, 3, 6), (3, 5, 7), (5, 5, 8)])
def test_log_partition_by_both_layers_and_normalisation(n_v, n_h, seed):
    W, a, b = random_rbm(seed, n_v, n_h, scale=1.5)
    V, H = all_states(n_v), all_states(n_h)
    brute = np.log(sum(np.exp(-energy(v, h, W, a, b)) for v in V for h in H))
    np.testing.assert_allclose(log_partition(W, a, b), brute, rtol=1e-12)
    np.testing.assert_allclose(log_partition(W.T, b, a), brute, rtol=1e-12)   # swap the layers: same Z
    p = np.exp(-free_energy(V, W, a, b) - log_partition(W, a, b))
    assert abs(p.sum() - 1) < 1e-12


def test_log_partition_is_stable_with_large_weights():
    W, a, b = random_rbm(9, 30, 6, scale=20.0)
    value = log_partition(W, a, b)
    assert np.isfinite(value) and value > 100


@pytest.mark.parametrize("n_v, n_h, seed", [(4, 3, 10), (3, 6, 11)])
def test_exact_gradient_matches_finite_differences(n_v, n_h, seed):
    W, a, b = random_rbm(seed, n_v, n_h)
    rng = np.random.default_rng(seed)
    X = (rng.random((9, n_v)) < 0.5).astype(float)
    dW, da, db = exact_gradient(X, W, a, b)
    eps = 1e-6

    def numeric(param):
        grad = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + eps
            up = exact_log_likelihood(X, W, a, b)
            param[idx] = old - eps
            down = exact_log_likelihood(X, W, a, b)
            param[idx] = old
            grad[idx] = (up - down) / (2 * eps)
        return grad

    np.testing.assert_allclose(dW, numeric(W), atol=1e-7)
    np.testing.assert_allclose(da, numeric(a), atol=1e-7)
    np.testing.assert_allclose(db, numeric(b), atol=1e-7)


# ---------------------------------------------------------------- contrastive divergence

def test_cd_gradient_is_autograd_of_the_free_energy_gap():
    """With its negative samples fixed, the CD update is -d/dtheta [mean F(v_data) - mean F(v_neg)]."""
    W, a, b = random_rbm(12, 6, 4)
    X = (np.random.default_rng(12).random((10, 6)) < 0.5).astype(float)
    dW, da, db, v_neg = cd_gradient(X, W, a, b, k=3, rng=0)
    Wt, at, bt = (torch.tensor(p, requires_grad=True) for p in (W, a, b))

    def F(v):
        v = torch.tensor(v)
        return -(v @ at) - torch.nn.functional.softplus(v @ Wt + bt).sum(dim=1)

    (F(X).mean() - F(v_neg).mean()).backward()
    for ours, param in ((dW, Wt), (da, at), (db, bt)):
        np.testing.assert_allclose(ours, -param.grad.numpy(), rtol=1e-10, atol=1e-12)


def chain_expectations(X, W, a, b, k):
    """Exact E[CD-k gradient]: the data's distribution pushed k steps through the visible chain's transitions."""
    V, H = all_states(W.shape[0]), all_states(W.shape[1])
    ph, pv = hidden_probs(V, W, b), visible_probs(H, W, a)
    p_h = np.prod(np.where(H[None] == 1, ph[:, None], 1 - ph[:, None]), axis=2)       # (states v, states h)
    p_v = np.prod(np.where(V[None] == 1, pv[:, None], 1 - pv[:, None]), axis=2)       # (states h, states v)
    T = p_h @ p_v
    index = (X @ (2 ** np.arange(W.shape[0] - 1, -1, -1))).astype(int)
    pi = np.bincount(index, minlength=len(V)) / len(X)
    pi_k = pi @ np.linalg.matrix_power(T, k)
    ph_data = hidden_probs(X, W, b)
    dW = X.T @ ph_data / len(X) - V.T @ (pi_k[:, None] * ph)
    return dW, X.mean(0) - pi_k @ V, ph_data.mean(0) - pi_k @ ph


def tiny_problem():
    W, a, b = random_rbm(13, 3, 2, scale=2.5)        # strong weights: the chain mixes slowly
    X = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0]], dtype=float)
    return W, a, b, X


def test_cd_k_expectation_matches_the_exact_chain_and_approaches_the_gradient():
    W, a, b, X = tiny_problem()
    exact = np.concatenate([g.ravel() for g in exact_gradient(X, W, a, b)])
    reps = 5000
    big = np.tile(X, (reps, 1))                       # 20,000 independent chains
    errors = {}
    for k in (1, 3, 30):
        expected = np.concatenate([g.ravel() for g in chain_expectations(X, W, a, b, k)])
        draws = [np.concatenate([g.ravel() for g in cd_gradient(big, W, a, b, k=k, rng=k + s)[:3]]) for s in range(4)]
        mc = np.mean(draws, axis=0)
        se = np.std(draws, axis=0, ddof=1) / 2 + 1e-4
        assert np.all(np.abs(mc - expected) < 6 * se + 3e-3), (k, mc - expected)   # statistical tolerance
        errors[k] = np.linalg.norm(expected - exact)
    assert errors[1] > 0.1, "CD-1 is biased on this model"
    assert errors[1] > errors[3] > errors[30] and errors[30] < 0.1 * errors[1]


def test_persistent_chains_at_stationarity_give_the_exact_gradient():
    W, a, b, X = tiny_problem()
    V = all_states(3)
    p = np.exp(-free_energy(V, W, a, b) - log_partition(W, a, b))
    chain = V[np.random.default_rng(14).choice(len(V), size=40_000, p=p)]       # exact model samples
    dW, da, db, new_chain = cd_gradient(X, W, a, b, k=1, rng=15, chain=chain)
    exact = exact_gradient(X, W, a, b)
    for ours, ref in zip((dW, da, db), exact):
        np.testing.assert_allclose(ours, ref, atol=0.02)
    assert new_chain.shape == chain.shape and not np.array_equal(new_chain, chain)


def test_shapes_and_gibbs_step():
    W, a, b = random_rbm(16, 5, 3)
    X = (np.random.default_rng(16).random((7, 5)) < 0.5).astype(float)
    dW, da, db, v_neg = cd_gradient(X, W, a, b)
    assert dW.shape == (5, 3) and da.shape == (5,) and db.shape == (3,) and v_neg.shape == (7, 5)
    assert hidden_probs(X, W, b).shape == (7, 3) and free_energy(X, W, a, b).shape == (7,)
    v1, h = gibbs_step(X, W, a, b, rng=0)
    assert v1.shape == (7, 5) and h.shape == (7, 3) and set(np.unique(v1)) <= {0.0, 1.0}
    again = cd_gradient(X, W, a, b, rng=4)
    np.testing.assert_array_equal(again[0], cd_gradient(X, W, a, b, rng=4)[0])    # seeded: reproducible


# ---------------------------------------------------------------- bad input

def test_bad_input_raises_clear_errors():
    W, a, b = random_rbm(17, 4, 3)
    X = (np.random.default_rng(17).random((5, 4)) < 0.5).astype(float)
    with pytest.raises(ValueError, match="shape"):
        free_energy(np.ones((5, 3)), W, a, b)
    with pytest.raises(ValueError, match="a must have shape"):
        free_energy(X, W, np.zeros(3), b)
    with pytest.raises(ValueError, match="b must have shape"):
        hidden_probs(X, W, np.zeros(4))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        free_energy(X * 2, W, a, b)
    with pytest.raises(ValueError, match="NaN"):
        free_energy(X, W * np.nan, a, b)
    with pytest.raises(ValueError, match="k must be"):
        cd_gradient(X, W, a, b, k=0)
    with pytest.raises(ValueError, match="k must be"):
        cd_gradient(X, W, a, b, k=1.5)
    with pytest.raises(ValueError, match="binary"):
        cd_gradient(X * 0.5, W, a, b)
    with pytest.raises(ValueError, match="binary"):
        cd_gradient(X, W, a, b, chain=X * 0.5)
    with pytest.raises(ValueError, match="rng"):
        cd_gradient(X, W, a, b, rng=-1)
    with pytest.raises(ValueError, match="enumerates"):
        log_partition(np.zeros((30, 25)), np.zeros(30), np.zeros(25))
    with pytest.raises(ValueError, match="at least one row"):
        free_energy(np.zeros((0, 4)), W, a, b)
