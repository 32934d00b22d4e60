"""Tests for src/mlguide/foundations/semi_supervised.py: the page's worked example, scikit-learn's LabelPropagation, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.semi_supervised import LabelPropagation

from mlguide.foundations.semi_supervised import propagate_labels


def path_graph(n: int) -> np.ndarray:
    """Affinity matrix of the path 0 - 1 - ... - (n-1), unit weights."""
    W = np.zeros((n, n))
    i = np.arange(n - 1)
    W[i, i + 1] = W[i + 1, i] = 1.0
    return W


def test_worked_example_on_the_page():
    # docs/foundations/types-of-learning.md: a path of five points, the first labelled A (0), the fourth B (1).
    classes, F = propagate_labels(path_graph(5), np.array([0, -1, -1, 1, -1]))
    assert list(classes) == [0, 1]
    assert np.allclose(F[:, 0], [1, 2 / 3, 1 / 3, 0, 0])   # share of class A
    assert np.allclose(F.sum(axis=1), 1.0)


def test_each_unlabelled_score_is_the_weighted_mean_of_its_neighbours():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    W = rbf_kernel(X, gamma=0.5)
    y = np.full(40, -1)
    y[[0, 1, 2]] = [0, 1, 2]
    _, F = propagate_labels(W, y)
    W0 = W - np.diag(np.diag(W))                          # self-loops do not change the solution
    U = y == -1
    assert np.allclose(F[U], (W0[U] @ F) / W0[U].sum(axis=1, keepdims=True))
    assert np.all(F >= -1e-12) and np.allclose(F.sum(axis=1), 1.0)


@pytest.mark.parametrize("seed", range(4))
def test_agrees_with_scikit_learn_label_propagation(seed):
    X, y_true = make_moons(n_samples=80, noise=0.15, random_state=seed)
    rng = np.random.default_rng(seed)
    y = np.full(80, -1)
    keep = rng.choice(80, size=8, replace=False)
    y[keep] = y_true[keep]
    if len(np.unique(y[keep])) < 2:
        y[np.flatnonzero(y_true == 1 - y[keep][0])[0]] = 1 - y[keep][0]
    gamma = 5.0
    model = LabelPropagation(kernel="rbf", gamma=gamma, max_iter=100_000, tol=1e-12).fit(X, y)
    classes, F = propagate_labels(rbf_kernel(X, gamma=gamma), y)
    assert np.array_equal(classes, model.classes_)
    assert np.allclose(F, model.label_distributions_, atol=1e-6)
    assert np.array_equal(classes[F.argmax(axis=1)], model.transduction_)


def test_labels_need_not_be_consecutive_and_labelled_rows_stay_fixed():
    W = path_graph(4)
    classes, F = propagate_labels(W, np.array([7, -1, -1, 3]))
    assert list(classes) == [3, 7]
    assert np.array_equal(F[0], [0.0, 1.0]) and np.array_equal(F[3], [1.0, 0.0])
    assert np.allclose(F[1], [1 / 3, 2 / 3])


def test_everything_labelled_and_one_class_only():
    classes, F = propagate_labels(path_graph(3), np.array([1, 0, 1]))
    assert np.array_equal(F, [[0, 1], [1, 0], [0, 1]])
    classes, F = propagate_labels(path_graph(3), np.array([-1, 2, -1]))
    assert list(classes) == [2] and np.allclose(F, 1.0)


def test_bad_input():
    W = path_graph(3)
    with pytest.raises(ValueError, match="at least one point"):
        propagate_labels(W, np.array([-1, -1, -1]))
    cut = W.copy()
    cut[1, 2] = cut[2, 1] = 0.0                        # node 2 is cut off from the labelled node 0
    with pytest.raises(ValueError, match="no path"):
        propagate_labels(cut, np.array([0, -1, -1]))
    with pytest.raises(ValueError, match="symmetric"):
        propagate_labels(np.triu(W), np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="non-negative"):
        propagate_labels(-W, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="square"):
        propagate_labels(np.ones((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="integer labels"):
        propagate_labels(W, np.array([0.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="integer labels"):
        propagate_labels(W, np.array([0, 1]))
    with pytest.raises(ValueError, match=">= 0"):
        propagate_labels(W, np.array([0, -2, 1]))
