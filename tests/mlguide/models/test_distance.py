"""Tests for src/mlguide/models/distance.py: against SciPy, scikit-learn and the standard library, the page's worked examples,
the cancellation trap of the expanded form, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial import distance as scipy_distance
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.neighbors import KNeighborsClassifier

from mlguide.models.distance import (
    KNNClassifier,
    euclidean_distance,
    expanded_squared_distances,
    knn_predict,
    pairwise_euclidean,
)

# ---- euclidean_distance ----


def test_page_worked_example():
    # docs/models/k-nearest-neighbors.md: (1, 2, 3) to (4, 6, 3) is sqrt(9 + 16 + 0) = 5
    assert euclidean_distance([1, 2, 3], [4, 6, 3]) == 5.0
    assert euclidean_distance((0, 0), (3, 4)) == 5.0


@pytest.mark.parametrize("seed", range(10))
def test_agrees_with_scipy_numpy_and_math(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 50))
    a, b = rng.normal(scale=10, size=d), rng.normal(scale=10, size=d)
    got = euclidean_distance(a, b)
    assert got == pytest.approx(scipy_distance.euclidean(a, b), rel=1e-12)
    assert got == pytest.approx(np.linalg.norm(a - b), rel=1e-12)
    assert got == pytest.approx(math.dist(a, b), rel=1e-12)
    assert got == pytest.approx(scipy_distance.minkowski(a, b, p=2), rel=1e-12)


def test_metric_properties():
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(size=(3, 7))
    assert euclidean_distance(a, a) == 0.0
    assert euclidean_distance(a, b) == euclidean_distance(b, a)
    assert euclidean_distance(a, c) <= euclidean_distance(a, b) + euclidean_distance(b, c)
    assert euclidean_distance(a + 100.0, b + 100.0) == pytest.approx(euclidean_distance(a, b), rel=1e-12)


def test_close_points_far_from_the_origin_keep_their_distance():
    # the difference form has no cancellation: 1e8 + 1 and 1e8 are 1 apart
    assert euclidean_distance([1e8 + 1.0], [1e8]) == 1.0
    assert euclidean_distance([1e8 + 1.0, 5.0], [1e8, 5.0]) == 1.0


def test_overflow_limit_and_the_scaled_alternative():
    # page follow-up: squaring a difference above ~1e154 overflows a double; math.dist scales internally
    with np.errstate(over="ignore"):
        assert euclidean_distance([1e200], [0.0]) == np.inf
    assert euclidean_distance([1e150], [0.0]) == pytest.approx(1e150)
    assert math.dist([1e200], [0.0]) == 1e200
    diff = np.array([3e200, 4e200])
    scale = np.abs(diff).max()
    assert scale * np.sqrt(((diff / scale) ** 2).sum()) == pytest.approx(5e200)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([1, 2], [1, 2, 3]),          # lengths differ
        ([[1, 2]], [[1, 2]]),         # 2-D
        ([], []),                     # empty
        (3.0, 4.0),                   # scalars are not points
        ([1, np.nan], [1, 2]),        # NaN
        ([1, 2], [np.inf, 2]),        # infinity
        (["a", "b"], [1, 2]),         # not numbers
    ],
)
def test_bad_points_raise(a, b):
    with pytest.raises(ValueError):
        euclidean_distance(a, b)


# ---- pairwise_euclidean ----


@pytest.mark.parametrize("seed", range(5))
def test_pairwise_agrees_with_scipy_and_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(int(rng.integers(1, 40)), 6))
    Y = rng.normal(size=(int(rng.integers(1, 40)), 6))
    D = pairwise_euclidean(X, Y)
    assert D.shape == (len(X), len(Y))
    assert np.allclose(D, scipy_distance.cdist(X, Y), rtol=0, atol=1e-12)
    assert np.allclose(D, euclidean_distances(X, Y), rtol=0, atol=1e-12)
    assert D[0, 0] == pytest.approx(euclidean_distance(X[0], Y[0]), abs=1e-12)


def test_pairwise_with_itself_is_symmetric_with_exact_zero_diagonal():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(30, 4))
    D = pairwise_euclidean(X)
    assert np.all(np.diag(D) == 0.0)
    assert np.allclose(D, D.T, atol=1e-12)
    assert np.allclose(D, scipy_distance.squareform(scipy_distance.pdist(X)), atol=1e-12)
    assert np.allclose(D, euclidean_distances(X), atol=1e-12)


def test_expansion_goes_negative_and_the_clip_saves_the_square_root():
    # near-identical points far from the origin: ||x||^2 ~ 3e8 while the squared distances are ~1e-6
    rng = np.random.default_rng(0)
    X = 1e4 + rng.normal(scale=1e-3, size=(5, 3))
    raw = expanded_squared_distances(X, X)
    assert raw.min() < 0, "the unclipped expansion has negative entries"
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.sqrt(raw)).any(), "and its square root would be NaN"
    D = pairwise_euclidean(X, X)
    assert np.all(np.isfinite(D)) and D.min() >= 0.0
    # the answer is still inaccurate (cancellation), by more than 10% here; centring first fixes it,
    # because distances do not change under translation but the norms shrink
    exact = scipy_distance.cdist(X, X)
    off = ~np.eye(5, dtype=bool)
    assert np.max(np.abs(D - exact)[off] / exact[off]) > 0.1
    centred = X - X.mean(axis=0)
    assert np.allclose(pairwise_euclidean(centred, centred), exact, rtol=1e-6, atol=1e-12)


def test_expansion_loses_a_unit_distance_at_1e8():
    # page example: the doubles near 1e16 are 2 apart, so (1e8 + 1)^2 = 1e16 + 2e8 + 1 loses its + 1
    a, b = np.array([[1e8 + 1.0]]), np.array([[1e8]])
    assert expanded_squared_distances(a, b)[0, 0] == 0.0
    assert pairwise_euclidean(a, b)[0, 0] == 0.0
    assert euclidean_distances(a, b)[0, 0] == 0.0            # scikit-learn uses the same expansion
    assert scipy_distance.cdist(a, b)[0, 0] == 1.0           # SciPy works from differences
    assert pairwise_euclidean(a - 1e8, b - 1e8)[0, 0] == 1.0  # centring restores it


@pytest.mark.parametrize(
    ("X", "Y"),
    [
        (np.ones((3, 2)), np.ones((3, 3))),    # feature counts differ
        (np.ones(3), np.ones((3, 3))),         # 1-D
        (np.ones((0, 2)), np.ones((3, 2))),    # no rows
        (np.array([[np.nan, 1.0]]), None),     # NaN
    ],
)
def test_pairwise_bad_input_raises(X, Y):
    with pytest.raises(ValueError):
        pairwise_euclidean(X, Y)


# ---- knn_predict and KNNClassifier ----


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 15])
@pytest.mark.parametrize("seed", range(5))
def test_knn_agrees_with_scikit_learn(seed, k, weights):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(150, 4))
    y = rng.integers(0, 3, size=150)
    Xq = rng.normal(size=(80, 4))
    ours = knn_predict(X, y, Xq, k=k, weights=weights)
    for algorithm in ("brute", "kd_tree", "ball_tree"):
        ref = KNeighborsClassifier(n_neighbors=k, weights=weights, algorithm=algorithm).fit(X, y).predict(Xq)
        assert np.array_equal(ours, ref), algorithm
    assert np.array_equal(KNNClassifier(k, weights).fit(X, y).predict(Xq), ours)


def test_knn_on_a_real_data_set_matches_scikit_learn():
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    train, test = np.arange(len(X)) % 3 != 0, np.arange(len(X)) % 3 == 0
    for k in (1, 5, 11):
        ref = KNeighborsClassifier(k).fit(X[train], y[train]).predict(X[test])
        assert np.array_equal(knn_predict(X[train], y[train], X[test], k), ref)


def test_page_worked_example_votes():
    # docs/models/k-nearest-neighbors.md: query (2, 2); distances B 1, A 1.414, C 2.236, E 2.828, D 3.606
    X = np.array([[1, 1], [2, 1], [4, 3], [5, 4], [0, 4]], dtype=float)    # A, B, C, D, E
    y = np.array(["red", "red", "blue", "blue", "blue"])
    q = np.array([[2.0, 2.0]])
    assert np.allclose(pairwise_euclidean(q, X), [[np.sqrt(2), 1, np.sqrt(5), np.sqrt(13), np.sqrt(8)]])
    assert knn_predict(X, y, q, k=1)[0] == "red"
    assert knn_predict(X, y, q, k=3)[0] == "red"
    assert knn_predict(X, y, q, k=5)[0] == "blue"                       # 3 blue against 2 red
    assert knn_predict(X, y, q, k=5, weights="distance")[0] == "red"    # 1.707 against 1.078
    red = 1 + 1 / np.sqrt(2)
    blue = 1 / np.sqrt(5) + 1 / np.sqrt(8) + 1 / np.sqrt(13)
    assert round(red, 3) == 1.707 and round(blue, 3) == 1.078
    assert KNeighborsClassifier(5, weights="distance").fit(X, y).predict(q)[0] == "red"


def test_vote_ties_go_to_the_smallest_label_like_scikit_learn():
    X = np.array([[0.0], [1.0], [3.0], [4.5]])
    y = np.array([2, 1, 1, 2])
    q = np.array([[0.4]])                        # neighbours in order: label 2, label 1, label 1, label 2
    for k in (2, 4):                             # 1-1 and 2-2 ties
        assert knn_predict(X, y, q, k=k)[0] == 1
        assert KNeighborsClassifier(k).fit(X, y).predict(q)[0] == 1
    # three classes: an odd k does not prevent a tie
    X3 = np.array([[0.0], [1.0], [-1.1]])
    assert knn_predict(X3, [5, 7, 6], [[0.0]], k=3)[0] == 5


def test_distance_weighting_with_an_exact_match():
    X = np.array([[0.0], [1.0], [3.0], [4.5]])
    y = np.array([2, 1, 1, 2])
    q = np.array([[0.0], [2.0]])
    got = knn_predict(X, y, q, k=3, weights="distance")
    assert got[0] == 2, "a training point at distance 0 decides alone"
    assert np.array_equal(got, KNeighborsClassifier(3, weights="distance").fit(X, y).predict(q))


def test_k_equal_to_n_predicts_the_majority_class():
    X = np.arange(7, dtype=float)[:, None]
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    assert np.all(knn_predict(X, y, np.array([[100.0], [-3.0]]), k=7) == 0)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"k": 0}, ValueError),
        ({"k": 6}, ValueError),                  # more neighbours than training points
        ({"k": 2.0}, ValueError),
        ({"k": True}, ValueError),
        ({"weights": "inverse"}, ValueError),
    ],
)
def test_knn_bad_arguments_raise(kwargs, exc):
    X = np.arange(10, dtype=float).reshape(5, 2)
    with pytest.raises(exc):
        knn_predict(X, [0, 1, 0, 1, 0], X, **kwargs)


def test_knn_bad_shapes_raise():
    X = np.arange(10, dtype=float).reshape(5, 2)
    with pytest.raises(ValueError):
        knn_predict(X, [0, 1, 0], X)                             # label count
    with pytest.raises(ValueError):
        knn_predict(X, [0, 1, 0, 1, 0], np.ones((2, 3)))         # query has 3 features
    with pytest.raises(RuntimeError):
        KNNClassifier().predict(X)
    with pytest.raises(ValueError):
        KNNClassifier().fit(X, [0, 1])
