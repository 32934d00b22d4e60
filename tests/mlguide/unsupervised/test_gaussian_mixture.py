"""Tests for src/mlguide/unsupervised/gaussian_mixture.py: one EM step against scikit-learn's GaussianMixture."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from mlguide.unsupervised.gaussian_mixture import em_step


def sklearn_one_step(X, weights, means, variances, reg_covar=1e-6):
    """scikit-learn's GaussianMixture started at the given parameters and stopped after one E and one M step."""
    gm = GaussianMixture(len(weights), covariance_type="diag", max_iter=1, tol=0.0, reg_covar=reg_covar,
                         weights_init=weights, means_init=means, precisions_init=1.0 / np.asarray(variances))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    return gm


def random_problem(seed):
    rng = np.random.default_rng(seed)
    k, d = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    centres = rng.normal(scale=4, size=(k, d))
    X = np.concatenate([c + rng.normal(scale=rng.uniform(0.3, 2), size=(int(rng.integers(20, 80)), d)) for c in centres])
    weights = rng.dirichlet(np.full(k, 2.0))
    means = X[rng.choice(len(X), size=k, replace=False)] + rng.normal(scale=0.5, size=(k, d))
    variances = rng.uniform(0.3, 3.0, size=(k, d))
    return X, weights, means, variances


def test_page_worked_example():
    # docs/unsupervised/clustering-algorithms.md: x = 0, 1, 2; mu = (0, 2), unit variances, equal weights.
    w, mu, var, resp, _ = em_step([0.0, 1.0, 2.0], [0.5, 0.5], [0.0, 2.0], [1.0, 1.0], reg_covar=0.0)
    r = 1 / (1 + np.exp(-2.0))                     # responsibility of component 1 for x = 0
    assert resp[:, 0] == pytest.approx([r, 0.5, 1 - r])
    assert resp[:, 0] == pytest.approx([0.881, 0.5, 0.119], abs=5e-4)
    assert w == pytest.approx([0.5, 0.5])
    assert mu[:, 0] == pytest.approx([0.492, 1.508], abs=5e-4)
    assert var[:, 0] == pytest.approx([0.409, 0.409], abs=5e-4)


@pytest.mark.parametrize("seed", range(12))
def test_one_step_matches_scikit_learn(seed):
    X, weights, means, variances = random_problem(seed)
    w, mu, var, resp, loglik = em_step(X, weights, means, variances)
    gm = sklearn_one_step(X, weights, means, variances)
    assert w == pytest.approx(gm.weights_, rel=1e-9, abs=1e-12)
    assert mu == pytest.approx(gm.means_, rel=1e-9, abs=1e-9)
    assert var == pytest.approx(gm.covariances_, rel=1e-8, abs=1e-9)
    assert loglik == pytest.approx(gm.lower_bound_, rel=1e-10)   # mean log-likelihood at the starting parameters
    assert resp.sum(axis=1) == pytest.approx(np.ones(len(X)))


@pytest.mark.parametrize("seed", range(4))
def test_log_likelihood_never_decreases(seed):
    X, w, mu, var = random_problem(100 + seed)
    previous = -np.inf
    for _ in range(30):
        w, mu, var, _, loglik = em_step(X, w, mu, var, reg_covar=0.0)
        assert loglik >= previous - 1e-10
        previous = loglik


def test_far_away_points_do_not_underflow():
    # exp(-0.5 * 1e6) is 0 in floating point: the log-sum-exp keeps the responsibilities defined.
    w, mu, var, resp, loglik = em_step([[1000.0], [-1000.0]], [0.5, 0.5], [[1.0], [-1.0]], [[1.0], [1.0]])
    assert np.all(np.isfinite(resp)) and np.isfinite(loglik)
    assert resp[0] == pytest.approx([1.0, 0.0]) and resp[1] == pytest.approx([0.0, 1.0])


def test_reg_covar_keeps_a_collapsed_component_alive():
    # A component owning a single point gets variance 0 without regularization: the likelihood singularity.
    X = np.array([[0.0], [10.0], [10.5], [11.0]])
    _, _, var, _, _ = em_step(X, [0.5, 0.5], [[0.0], [10.5]], [[1e-3], [1.0]], reg_covar=0.0)
    assert var[0, 0] == pytest.approx(0.0, abs=1e-12)
    _, _, var, _, _ = em_step(X, [0.5, 0.5], [[0.0], [10.5]], [[1e-3], [1.0]], reg_covar=1e-6)
    assert var[0, 0] == pytest.approx(1e-6, rel=1e-6)


@pytest.mark.parametrize("args, message", [
    (([[0.0]], [0.5, 0.4], [[0.0], [1.0]], [[1.0], [1.0]]), "sum to 1"),
    (([[0.0]], [1.0, 0.0], [[0.0], [1.0]], [[1.0], [1.0]]), "positive"),
    (([[0.0]], [0.5, 0.5], [[0.0], [1.0]], [[1.0], [0.0]]), "variances must be positive"),
    (([[0.0, 1.0]], [0.5, 0.5], [[0.0], [1.0]], [[1.0], [1.0]]), "shape"),
    (([[np.nan]], [1.0], [[0.0]], [[1.0]]), "finite"),
    ((np.empty((0, 2)), [1.0], [[0.0, 0.0]], [[1.0, 1.0]]), "non-empty"),
])
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        em_step(*args)


def test_negative_reg_covar():
    with pytest.raises(ValueError, match="reg_covar"):
        em_step([[0.0]], [1.0], [[0.0]], [[1.0]], reg_covar=-1.0)
