"""Tests for src/mlguide/unsupervised/kmeans.py: the page's worked example, agreement with scikit-learn's KMeans from
the same initial centres, the cost never rising, k-means++ sampling, and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from mlguide.unsupervised.kmeans import inertia, kmeans, kmeans_plus_plus, lloyd

# The page's worked example: the corners of a 4-by-2 rectangle.
RECT = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0], [4.0, 2.0]])


def sklearn_lloyd(X, init):
    return KMeans(n_clusters=len(init), init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(X)


# ---------------------------------------------------------------- the worked example

def test_worked_example_bad_start_is_stuck_at_four_times_the_optimum():
    centers, labels, history = lloyd(RECT, RECT[[0, 2]])         # start from (0, 0) and (0, 2)
    assert np.allclose(history, [32.0, 16.0]), "32 at the start, 16 after one update, then no label changes"
    assert np.allclose(centers, [[2.0, 0.0], [2.0, 2.0]]), "bottom and top pairs"
    assert list(labels) == [0, 0, 1, 1]
    centers, labels, history = lloyd(RECT, RECT[[0, 1]])         # start from (0, 0) and (4, 0)
    assert history[-1] == pytest.approx(4.0), "left and right pairs: the global optimum"
    assert np.allclose(sorted(map(tuple, centers)), [(0.0, 1.0), (4.0, 1.0)])


def test_worked_example_every_start_from_two_points():
    # Random seeding picks 2 of the 4 points: the 2 vertical pairs (of 6 pairs) end at 16, the other 4 at 4.
    finals = [lloyd(RECT, RECT[[i, j]])[2][-1] for i in range(4) for j in range(i + 1, 4)]
    assert sorted(np.round(finals, 12)) == [4.0, 4.0, 4.0, 4.0, 16.0, 16.0]


def test_worked_example_kmeans_plus_plus_fails_one_time_in_ten():
    # After any first corner, D^2 weights are 4, 16 and 20: the bad (vertical) partner has probability 4/40.
    rng = np.random.default_rng(0)
    draws = [kmeans_plus_plus(RECT, 2, rng) for _ in range(4000)]
    bad = np.mean([c[0, 0] == c[1, 0] for c in draws])
    assert bad == pytest.approx(0.1, abs=0.02)


def test_worked_example_units_decide_the_optimum():
    tall = RECT * [1.0, 3.0]                                     # height 6, width 4
    assert inertia(tall, [[0.0, 3.0], [4.0, 3.0]]) == pytest.approx(36.0)   # left / right
    assert inertia(tall, [[2.0, 0.0], [2.0, 6.0]]) == pytest.approx(16.0)   # top / bottom now wins


# ---------------------------------------------------------------- agreement with scikit-learn

@pytest.mark.parametrize("seed", range(6))
def test_lloyd_matches_sklearn_from_the_same_start(seed):
    X, _ = make_blobs(n_samples=400, centers=5, n_features=3, cluster_std=2.5, random_state=seed)
    init = X[np.random.default_rng(seed).choice(len(X), 5, replace=False)]
    centers, labels, history = lloyd(X, init)
    km = sklearn_lloyd(X, init)
    assert np.array_equal(labels, km.labels_)
    assert np.allclose(centers, km.cluster_centers_, atol=1e-10)
    assert history[-1] == pytest.approx(km.inertia_, rel=1e-10)
    assert len(history) - 1 == km.n_iter_ - 1, "scikit-learn also counts the pass that finds no label changed"


def test_lloyd_matches_sklearn_when_a_cluster_empties():
    X = np.array([[0.0], [1.0], [10.0], [14.0]])
    init = np.array([[0.5], [11.0], [100.0]])                    # the third centre attracts nobody
    centers, labels, history = lloyd(X, init)
    km = sklearn_lloyd(X, init)
    assert np.allclose(centers, km.cluster_centers_)
    assert np.array_equal(labels, km.labels_)
    assert history[-1] == pytest.approx(km.inertia_) == pytest.approx(0.5)
    assert history[0] == pytest.approx(10.5)


def test_kmeans_with_restarts_recovers_separated_blobs_and_matches_sklearn():
    X, y = make_blobs(n_samples=300, centers=4, cluster_std=0.5, random_state=3)
    centers, labels, cost = kmeans(X, 4, n_init=5, seed=1)
    assert adjusted_rand_score(y, labels) == 1.0
    assert cost == pytest.approx(KMeans(4, n_init=10, random_state=0).fit(X).inertia_, rel=1e-9)
    assert cost == pytest.approx(inertia(X, centers))
    assert kmeans(X, 4, n_init=5, seed=1)[2] == cost, "same seed, same result"


# ---------------------------------------------------------------- the cost never rises

@pytest.mark.parametrize("seed", range(10))
def test_cost_never_increases_across_iterations(seed):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(loc, 1.5, size=(60, 2)) for loc in rng.uniform(-8, 8, size=(6, 2))])
    init = rng.uniform(-20, 20, size=(8, 2))                     # poor starts, some centres far from all data
    _, labels, history = lloyd(X, init)
    assert np.all(np.diff(history) <= 1e-9 * history[0])
    assert history[-1] == pytest.approx(inertia(X, lloyd(X, init)[0]))
    assert len(np.unique(labels)) == 8, "empty clusters were given points"


def test_fixed_point_is_a_fixed_point():
    X, _ = make_blobs(n_samples=200, centers=3, random_state=0)
    centers, labels, history = lloyd(X, X[:3])
    again, labels2, history2 = lloyd(X, centers)
    assert np.allclose(again, centers) and np.array_equal(labels, labels2)
    assert len(history2) == 2 and history2[0] == pytest.approx(history2[1])


# ---------------------------------------------------------------- k-means++

def test_kmeans_plus_plus_picks_distinct_rows_and_is_reproducible():
    X, _ = make_blobs(n_samples=100, centers=3, random_state=0)
    X = np.vstack([X, X[:20]])                                   # duplicates have D = 0 once their twin is chosen
    c = kmeans_plus_plus(X, 10, seed=5)
    assert c.shape == (10, 2)
    assert len({tuple(row) for row in c}) == 10
    assert all(any(np.array_equal(row, x) for x in X) for row in c), "centres are data points"
    assert np.array_equal(c, kmeans_plus_plus(X, 10, seed=5))
    assert np.array_equal(c, kmeans_plus_plus(X, 10, seed=np.random.default_rng(5)))


def test_kmeans_plus_plus_beats_random_seeding_on_many_blobs():
    rng = np.random.default_rng(0)
    grid = np.array([(i, j) for i in range(4) for j in range(4)], dtype=float) * 10
    X = np.vstack([g + rng.normal(0, 1, size=(30, 2)) for g in grid])
    pp = [inertia(X, kmeans_plus_plus(X, 16, seed=s)) for s in range(30)]
    rand = [inertia(X, X[np.random.default_rng(s).choice(len(X), 16, replace=False)]) for s in range(30)]
    assert np.median(pp) < 0.5 * np.median(rand)


# ---------------------------------------------------------------- edge cases and bad input

def test_k_equal_one_gives_the_mean_and_the_total_sum_of_squares():
    X, _ = make_blobs(n_samples=50, centers=2, random_state=1)
    centers, labels, history = lloyd(X, X[:1])
    assert np.allclose(centers[0], X.mean(axis=0))
    assert np.all(labels == 0)
    assert history[-1] == pytest.approx(((X - X.mean(axis=0)) ** 2).sum())
    assert kmeans(X, 1)[2] == pytest.approx(history[-1])


def test_k_equal_n_costs_zero():
    X = np.random.default_rng(0).normal(size=(7, 3))
    assert kmeans(X, 7, n_init=2)[2] == pytest.approx(0.0, abs=1e-12)


def test_duplicates_leave_a_surplus_centre_empty_without_error():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    centers, labels, history = lloyd(X, [[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    assert history[-1] == 0.0
    assert np.allclose(centers[2], [5.0, 5.0]), "no point is away from its centre, so nothing can move"
    with pytest.raises(ValueError, match="distinct"):
        kmeans_plus_plus(X, 3)


@pytest.mark.parametrize("k", [0, -1, 5, 2.5, True, "2"])
def test_bad_k_is_rejected(k):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError):
        kmeans_plus_plus(X, k)
    with pytest.raises(ValueError):
        kmeans(X, k)


@pytest.mark.parametrize("X", [np.arange(5.0), np.empty((0, 2)), np.array([[1.0, np.nan], [0.0, 0.0]]),
                               np.array([[np.inf, 0.0], [0.0, 0.0]]), np.zeros((3, 0))])
def test_bad_data_is_rejected(X):
    with pytest.raises(ValueError):
        kmeans_plus_plus(X, 1)
    with pytest.raises(ValueError):
        lloyd(X, np.zeros((1, 2)))


@pytest.mark.parametrize("centers", [np.zeros((2, 3)), np.zeros(2), np.zeros((5, 2)), [[0.0, np.nan]],
                                     np.zeros((0, 2))])
def test_bad_centres_are_rejected(centers):
    with pytest.raises(ValueError):
        lloyd(np.arange(8.0).reshape(4, 2), centers)


@pytest.mark.parametrize("max_iter", [0, -3, 1.5, True])
def test_bad_max_iter_is_rejected(max_iter):
    with pytest.raises(ValueError):
        lloyd(RECT, RECT[:2], max_iter=max_iter)


def test_max_iter_one_stops_after_one_update():
    X, _ = make_blobs(n_samples=200, centers=4, random_state=2)
    _, _, history = lloyd(X, X[:4], max_iter=1)
    assert len(history) == 2


@pytest.mark.parametrize("n_init", [0, 1.0, False])
def test_bad_n_init_is_rejected(n_init):
    with pytest.raises(ValueError):
        kmeans(RECT, 2, n_init=n_init)
