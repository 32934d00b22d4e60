"""Tests for src/mlguide/career/idioms.py: both distance functions against SciPy's cdist, edge cases, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from mlguide.career.idioms import pairwise_sq_dists, pairwise_sq_dists_loop


@pytest.mark.parametrize("n, m, d", [(7, 5, 3), (1, 1, 1), (12, 9, 20)])
def test_both_match_scipy_cdist(n, m, d):
    rng = np.random.default_rng(n + m + d)
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    expected = cdist(X, Y, "sqeuclidean")
    np.testing.assert_allclose(pairwise_sq_dists_loop(X, Y), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pairwise_sq_dists(X, Y), expected, rtol=1e-9, atol=1e-9)


def test_identical_points_give_exact_zeros_not_negatives():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=1e3, size=(50, 4))   # large norms make |x|^2 + |y|^2 - 2x.y cancel badly
    D = pairwise_sq_dists(X, X)
    assert D.min() >= 0.0
    np.testing.assert_allclose(D, cdist(X, X, "sqeuclidean"), atol=1e-6)
    np.testing.assert_array_equal(np.diag(pairwise_sq_dists_loop(X, X)), 0.0)


def test_integer_lists_and_empty_sets():
    assert pairwise_sq_dists([[0, 0], [3, 4]], [[0, 0]]).tolist() == [[0.0], [25.0]]
    assert pairwise_sq_dists_loop([[0, 0], [3, 4]], [[0, 0]]).tolist() == [[0.0], [25.0]]
    assert pairwise_sq_dists(np.empty((0, 3)), np.ones((2, 3))).shape == (0, 2)
    assert pairwise_sq_dists_loop(np.ones((2, 3)), np.empty((0, 3))).shape == (2, 0)


@pytest.mark.parametrize("fn", [pairwise_sq_dists, pairwise_sq_dists_loop])
def test_bad_input(fn):
    with pytest.raises(ValueError, match="2-D"):
        fn(np.ones(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match="same number of columns"):
        fn(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="finite"):
        fn(np.array([[np.nan, 1.0]]), np.ones((1, 2)))
