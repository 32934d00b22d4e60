"""Tests for src/mlguide/unsupervised/dbscan.py: against scikit-learn's DBSCAN, label for label."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs, make_moons

from mlguide.unsupervised.dbscan import dbscan


def test_page_worked_example():
    # docs/unsupervised/clustering-algorithms.md: eps = 1, minPts = 3 on seven points of a line.
    labels, core = dbscan([0, 1, 2, 6, 7, 8, 15], eps=1.0, min_samples=3)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, -1]
    assert core.tolist() == [False, True, False, False, True, False, False]   # 0, 2, 6, 8 are border points
    sk = DBSCAN(eps=1.0, min_samples=3).fit(np.array([0, 1, 2, 6, 7, 8, 15.0])[:, None])
    assert sk.labels_.tolist() == labels.tolist()                            # a distance of exactly eps counts


@pytest.mark.parametrize("seed", range(8))
def test_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    if seed % 2:
        X, _ = make_moons(n_samples=300, noise=0.08, random_state=seed)
        X = np.concatenate([X, rng.uniform(-1.5, 2.5, size=(30, 2))])        # scattered noise
    else:
        X, _ = make_blobs(n_samples=300, centers=4, cluster_std=rng.uniform(0.3, 1.5, 4), n_features=3,
                          random_state=seed)
    eps, min_samples = rng.uniform(0.1, 0.6), int(rng.integers(3, 10))
    labels, core = dbscan(X, eps, min_samples)
    sk = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    assert np.array_equal(labels, sk.labels_)                               # same labels, border points included
    assert np.array_equal(np.flatnonzero(core), sk.core_sample_indices_)


def test_extremes():
    X = np.random.default_rng(0).normal(size=(50, 2))
    labels, core = dbscan(X, eps=100.0, min_samples=5)
    assert np.all(labels == 0) and np.all(core)            # one cluster holds everything
    labels, core = dbscan(X, eps=1e-9, min_samples=2)
    assert np.all(labels == -1) and not core.any()         # all noise
    labels, core = dbscan(X, eps=1e-9, min_samples=1)
    assert sorted(labels) == list(range(50))               # min_samples = 1: every point its own cluster


@pytest.mark.parametrize("kwargs", [dict(eps=0.0, min_samples=3), dict(eps=-1.0, min_samples=3),
                                    dict(eps=0.5, min_samples=0), dict(eps=0.5, min_samples=2.5)])
def test_bad_parameters(kwargs):
    with pytest.raises(ValueError, match="eps must be positive"):
        dbscan([[0.0], [1.0]], **kwargs)


@pytest.mark.parametrize("X", [np.empty((0, 2)), [[0.0, np.inf]], np.zeros((2, 2, 2))])
def test_bad_data(X):
    with pytest.raises(ValueError, match="X must be"):
        dbscan(X, eps=0.5, min_samples=2)
