"""Tests for src/mlguide/generative/vae.py: the closed-form Gaussian KL against torch.distributions.kl_divergence and a
Monte Carlo estimate, the reparameterized sample's distribution and its gradients against autograd, and the
single-sample Bernoulli ELBO against PyTorch on the same encoder outputs, noise and decoder weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from mlguide.generative.vae import bernoulli_elbo, gaussian_kl_to_standard_normal, reparameterize

# ---------------------------------------------------------------- the KL term


def test_kl_matches_torch():
    rng = np.random.default_rng(0)
    mu, log_var = rng.normal(size=(6, 4)), rng.normal(scale=1.5, size=(6, 4))
    ours = gaussian_kl_to_standard_normal(mu, log_var)
    q = Normal(torch.tensor(mu), torch.exp(0.5 * torch.tensor(log_var)))
    theirs = kl_divergence(q, Normal(0.0, 1.0)).sum(dim=-1).numpy()
    assert ours.shape == (6,)
    assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_kl_matches_a_monte_carlo_estimate():
    mu, log_var = np.array([1.0, -0.5, 0.0]), np.log(np.array([0.5, 2.0, 1.0]))
    z, _ = reparameterize(np.tile(mu, (200_000, 1)), np.tile(log_var, (200_000, 1)), rng=1)
    s2 = np.exp(log_var)
    log_q = -0.5 * np.sum((z - mu) ** 2 / s2 + log_var + np.log(2 * np.pi), axis=1)
    log_p = -0.5 * np.sum(z ** 2 + np.log(2 * np.pi), axis=1)
    terms = log_q - log_p                                   # E_q[log q - log p] is the KL
    se = terms.std() / np.sqrt(len(terms))
    assert abs(terms.mean() - gaussian_kl_to_standard_normal(mu, log_var)) < 4 * se


def test_kl_worked_example_and_its_zero():
    # the page's example: mu = (1, 0), variances (1, 0.5): 1/2 [1 + (0.5 - 1 - ln 0.5)] = 0.5966
    kl = gaussian_kl_to_standard_normal([1.0, 0.0], np.log([1.0, 0.5]))
    assert np.isclose(kl, 0.5 * (1 + 0.5 - 1 - np.log(0.5)), rtol=1e-14) and abs(kl - 0.5966) < 1e-4
    assert gaussian_kl_to_standard_normal(np.zeros(5), np.zeros(5)) == 0.0
    assert np.all(gaussian_kl_to_standard_normal(np.zeros((3, 1)), [[-2.0], [0.5], [3.0]]) > 0)


# ---------------------------------------------------------------- the reparameterized sample


def test_reparameterized_sample_has_the_right_distribution():
    mu, log_var = np.array([2.0, -1.0]), np.log(np.array([0.25, 4.0]))
    z, eps = reparameterize(np.tile(mu, (100_000, 1)), np.tile(log_var, (100_000, 1)), rng=2)
    assert np.allclose(z, mu + np.exp(0.5 * log_var) * eps)
    assert np.allclose(z.mean(axis=0), mu, atol=0.02) and np.allclose(z.var(axis=0), [0.25, 4.0], rtol=0.02)


def test_reparameterized_gradients_match_autograd():
    rng = np.random.default_rng(3)
    mu, log_var, eps = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    z, _ = reparameterize(mu, log_var, eps=eps)
    t_mu = torch.tensor(mu, requires_grad=True)
    t_lv = torch.tensor(log_var, requires_grad=True)
    t_z = t_mu + torch.exp(0.5 * t_lv) * torch.tensor(eps)
    assert np.allclose(z, t_z.detach().numpy(), rtol=1e-14)
    # torch's own reparameterized sampler uses the same formula
    torch.manual_seed(0)
    r = Normal(t_mu, torch.exp(0.5 * t_lv)).rsample()
    torch.manual_seed(0)
    e = torch.randn(5, 3, dtype=torch.float64)
    assert np.allclose(r.detach().numpy(), reparameterize(mu, log_var, eps=e.numpy())[0])
    t_z.sum().backward()
    assert np.allclose(t_mu.grad.numpy(), 1.0)
    assert np.allclose(t_lv.grad.numpy(), 0.5 * np.exp(0.5 * log_var) * eps)


def test_seeding_is_reproducible():
    a, _ = reparameterize(np.zeros(4), np.zeros(4), rng=5)
    b, _ = reparameterize(np.zeros(4), np.zeros(4), rng=np.random.default_rng(5))
    assert np.array_equal(a, b)


# ---------------------------------------------------------------- the ELBO against PyTorch


def test_bernoulli_elbo_matches_pytorch_with_the_same_numbers():
    rng = np.random.default_rng(4)
    n, d, p = 7, 3, 10
    x = (rng.random((n, p)) < 0.4).astype(float)
    mu, log_var, eps = rng.normal(size=(n, d)), rng.normal(scale=0.5, size=(n, d)), rng.normal(size=(n, d))
    decoder = torch.nn.Linear(d, p).double()                  # one set of weights for both computations
    z, _ = reparameterize(mu, log_var, eps=eps)
    with torch.no_grad():
        logits = decoder(torch.tensor(z)).numpy()
    elbo, rec, kl = bernoulli_elbo(x, logits, mu, log_var)

    t_mu = torch.tensor(mu, requires_grad=True)
    t_lv = torch.tensor(log_var, requires_grad=True)
    t_z = t_mu + torch.exp(0.5 * t_lv) * torch.tensor(eps)
    t_logits = decoder(t_z)
    t_rec = -F.binary_cross_entropy_with_logits(t_logits, torch.tensor(x), reduction="none").sum(dim=1)
    t_kl = kl_divergence(Normal(t_mu, torch.exp(0.5 * t_lv)), Normal(0.0, 1.0)).sum(dim=1)
    t_elbo = t_rec - t_kl
    assert np.allclose(rec, t_rec.detach().numpy(), rtol=1e-12)
    assert np.allclose(kl, t_kl.detach().numpy(), rtol=1e-12)
    assert np.allclose(elbo, t_elbo.detach().numpy(), rtol=1e-12)
    assert np.all(elbo <= rec)                                # the KL is never negative
    # the single-sample ELBO is differentiable in the encoder outputs through z (what training backpropagates)
    t_elbo.sum().backward()
    assert torch.all(torch.isfinite(t_mu.grad)) and torch.any(t_mu.grad != 0)


def test_bernoulli_elbo_is_stable_for_large_logits():
    x = np.array([[1.0, 0.0, 1.0, 0.0]])
    logits = np.array([[800.0, -800.0, -30.0, 30.0]])
    _, rec, _ = bernoulli_elbo(x, logits, np.zeros((1, 2)), np.zeros((1, 2)))
    t = -F.binary_cross_entropy_with_logits(torch.tensor(logits), torch.tensor(x), reduction="sum").item()
    assert np.isfinite(rec) and np.isclose(rec, t, rtol=1e-12) and np.isclose(rec, -60.0, rtol=1e-9)


def test_one_row_works_like_a_batch_of_one():
    x, logits, mu, lv = np.array([1.0, 0.0]), np.array([0.3, -1.2]), np.array([0.5]), np.array([-0.2])
    one = bernoulli_elbo(x, logits, mu, lv)
    batch = bernoulli_elbo(x[None], logits[None], mu[None], lv[None])
    assert all(np.isclose(a, b[0]) for a, b in zip(one, batch))


@pytest.mark.parametrize("call, message", [
    (lambda: gaussian_kl_to_standard_normal(np.zeros(3), np.zeros(2)), "same shape"),
    (lambda: gaussian_kl_to_standard_normal([np.nan], [0.0]), "NaN"),
    (lambda: gaussian_kl_to_standard_normal(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))), "1-D row or 2-D"),
    (lambda: gaussian_kl_to_standard_normal([], []), "non-empty"),
    (lambda: reparameterize(np.zeros(2), np.zeros(2), eps=np.zeros(3)), "mu and eps"),
    (lambda: reparameterize(np.zeros(2), np.zeros(2), rng=-1), "rng must be"),
    (lambda: bernoulli_elbo([0.5, 1.0], [0.0, 0.0], [0.0], [0.0]), "binary"),
    (lambda: bernoulli_elbo([[1.0, 0.0]], [[0.0, 0.0]], np.zeros((2, 1)), np.zeros((2, 1))), "number of rows"),
    (lambda: bernoulli_elbo([1.0, 0.0], [0.0], [0.0], [0.0]), "x and logits"),
    (lambda: bernoulli_elbo([["a"]], [[0.0]], [0.0], [0.0]), "numbers"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
