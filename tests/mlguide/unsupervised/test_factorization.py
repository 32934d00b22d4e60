"""Tests for src/mlguide/unsupervised/factorization.py: ALS against NumPy's SVD and a planted low-rank matrix, the
ranking metrics against scikit-learn's ndcg_score, a brute-force count and the page's worked example."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from mlguide.unsupervised.factorization import _top_k, als_factorize, ndcg_at_k, recall_at_k, weighted_objective


def planted(m=60, n=40, rank=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, rank)) @ rng.normal(size=(n, rank)).T


# ---- als_factorize ----

def test_page_worked_example_one_user_step():
    # docs/unsupervised/recommender-systems.md: rank 1, item factors 2, 1, 1.5; the user rated items 1 and 2 with
    # 4 and 2; reg 1. The user's step is p = (2*4 + 1*2) / (2^2 + 1^2 + 1) = 10/6, predicting 2.5 for item 3.
    q = np.array([2.0, 1.0, 1.5])
    r, w = np.array([4.0, 2.0, 0.0]), np.array([1.0, 1.0, 0.0])
    p = (q * w) @ r / ((q * w) @ q + 1.0)
    assert p == pytest.approx(10 / 6)
    assert p * q[2] == pytest.approx(2.5)
    # At ALS's fixed point every user row solves this same ridge problem for the final item factors.
    R = np.array([[4.0, 2.0, np.nan], [1.0, np.nan, 3.0]])
    P, Q, _ = als_factorize(R, rank=1, reg=1.0, weights=~np.isnan(R), n_sweeps=300)
    for u in range(2):
        seen = ~np.isnan(R[u])
        assert P[u, 0] == pytest.approx(Q[seen, 0] @ R[u, seen] / (Q[seen, 0] @ Q[seen, 0] + 1.0), abs=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_recovers_a_planted_low_rank_matrix_observed_and_held_out(seed):
    R = planted(seed=seed)
    observed = np.random.default_rng(100 + seed).random(R.shape) < 0.5
    P, Q, _ = als_factorize(np.where(observed, R, np.nan), rank=2, reg=1e-3, weights=observed,
                            n_sweeps=100, seed=seed)
    error = P @ Q.T - R
    scale = np.sqrt(np.mean(R**2))
    assert np.sqrt(np.mean(error[observed] ** 2)) < 1e-2 * scale
    assert np.sqrt(np.mean(error[~observed] ** 2)) < 2e-2 * scale     # entries ALS never saw


@pytest.mark.parametrize("weights", ["full", "mask", "confidence"])
def test_objective_never_increases(weights):
    rng = np.random.default_rng(3)
    R = planted(40, 30, 3, seed=3) + 0.3 * rng.normal(size=(40, 30))
    W = {"full": None, "mask": rng.random(R.shape) < 0.4, "confidence": 1 + 5 * rng.random(R.shape)}[weights]
    P, Q, history = als_factorize(R, rank=4, reg=0.5, weights=W, n_sweeps=25, seed=1)
    assert np.all(np.diff(history) <= 1e-10 * history[:-1])
    assert history[-1] == pytest.approx(weighted_objective(R, P, Q, 0.5, W))


def test_full_matrix_small_reg_matches_the_truncated_svd():
    # Eckart-Young: the best rank-k approximation of a full matrix leaves the squared trailing singular values.
    rng = np.random.default_rng(5)
    R = rng.normal(size=(30, 20))
    sigma = np.linalg.svd(R, compute_uv=False)
    P, Q, history = als_factorize(R, rank=3, reg=1e-8, n_sweeps=300, seed=0)
    assert np.sum((R - P @ Q.T) ** 2) == pytest.approx(np.sum(sigma[3:] ** 2), rel=1e-4)


def test_full_matrix_with_reg_is_the_soft_thresholded_svd():
    # min ||R - PQ^T||^2 + reg (||P||^2 + ||Q||^2) over rank-k factors: singular values shrink to max(sigma - reg, 0),
    # because min (||P||^2 + ||Q||^2) over PQ^T = X is twice the nuclear norm of X.
    rng = np.random.default_rng(6)
    R = planted(30, 20, 3, seed=6) + 0.1 * rng.normal(size=(30, 20))
    reg = 2.0
    U, sigma, Vt = np.linalg.svd(R, full_matrices=False)
    shrunk = np.maximum(sigma[:3] - reg, 0)
    best = np.sum((sigma[:3] - shrunk) ** 2) + 2 * reg * shrunk.sum() + np.sum(sigma[3:] ** 2)
    P, Q, history = als_factorize(R, rank=3, reg=reg, n_sweeps=200, seed=0)
    assert history[-1] == pytest.approx(best, rel=1e-6)
    assert P @ Q.T == pytest.approx(U[:, :3] * shrunk @ Vt[:3], abs=1e-4)


def test_seeded_and_zero_weight_rows():
    R = planted(20, 15, 2, seed=1)
    W = np.ones_like(R)
    W[0] = 0.0                                           # a user with no data: a cold-start row
    a = als_factorize(R, 2, 0.1, weights=W, n_sweeps=5, seed=7)
    b = als_factorize(R, 2, 0.1, weights=W, n_sweeps=5, seed=7)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert np.all(a[0][0] == 0.0)                         # the penalty alone sets its factor to zero


@pytest.mark.parametrize(
    ("R", "kwargs"),
    [
        (np.ones(5), {}),                                            # not 2-D
        (np.ones((3, 4)), {"rank": 0}),
        (np.ones((3, 4)), {"rank": 4}),                              # above min(m, n)
        (np.ones((3, 4)), {"rank": 1.5}),
        (np.ones((3, 4)), {"reg": 0.0}),
        (np.ones((3, 4)), {"reg": np.nan}),
        (np.ones((3, 4)), {"n_sweeps": 0}),
        (np.ones((3, 4)), {"weights": np.ones((4, 3))}),             # shape mismatch
        (np.ones((3, 4)), {"weights": -np.ones((3, 4))}),
        (np.full((3, 4), np.nan), {}),                               # NaN with weight 1
    ],
)
def test_bad_input_raises(R, kwargs):
    args = {"rank": 1, "reg": 0.1} | kwargs
    with pytest.raises(ValueError):
        als_factorize(R, **args)


# ---- recall_at_k and ndcg_at_k ----

def test_page_worked_example_metrics():
    # Items A..F ranked in that order; held out: B, D, F. At k = 5: hits at ranks 2 and 4.
    scores = np.array([[6, 5, 4, 3, 2, 1.0]])
    relevant = np.array([[0, 1, 0, 1, 0, 1]])
    assert recall_at_k(scores, relevant, 5) == pytest.approx(2 / 3)
    dcg = 1 / np.log2(3) + 1 / np.log2(5)
    idcg = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert dcg == pytest.approx(1.0616, abs=1e-4) and idcg == pytest.approx(2.1309, abs=1e-4)
    assert ndcg_at_k(scores, relevant, 5) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(scores, relevant, 5) == pytest.approx(0.4982, abs=1e-4)
    assert ndcg_at_k(scores, relevant, 5) == pytest.approx(ndcg_score(relevant, scores, k=5))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 3, 10, 25])
def test_ndcg_matches_scikit_learn(seed, k):
    rng = np.random.default_rng(seed)
    relevance = rng.integers(0, 4, size=(30, 25)) * (rng.random((30, 25)) < 0.3)
    relevance[:, 0] += 1                       # every user has something relevant, as the function requires
    scores = rng.normal(size=(30, 25))         # continuous: no ties, where scikit-learn averages over orders
    assert ndcg_at_k(scores, relevance, k) == pytest.approx(ndcg_score(relevance, scores, k=k), abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_recall_matches_a_brute_force_count_with_exclusions(seed):
    rng = np.random.default_rng(seed)
    train = rng.random((20, 30)) < 0.2
    relevant = (rng.random((20, 30)) < 0.15) & ~train
    relevant[:, 0], train[:, 0] = True, False
    scores = rng.normal(size=(20, 30))
    values = []
    for u in range(20):
        ranked = [i for i in np.argsort(-scores[u]) if not train[u, i]][:7]
        values.append(relevant[u, ranked].sum() / relevant[u].sum())
    assert recall_at_k(scores, relevant, 7, exclude=train) == pytest.approx(np.mean(values))


@pytest.mark.parametrize("seed", range(3))
def test_top_k_is_a_stable_sort_with_ties_and_exclusions(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, size=(40, 25)).astype(float)    # many ties, as popularity counts have
    scores[rng.random(scores.shape) < 0.3] = -np.inf              # excluded items, as recall_at_k marks them
    scores[0] = -np.inf                                           # a row with nothing but excluded items
    full = np.argsort(-scores, axis=1, kind="stable")
    for k in (1, 2, 5, 13, 24, 25):
        np.testing.assert_array_equal(_top_k(scores, k), full[:, :k])


def test_users_without_relevant_items_are_skipped_and_ties_go_to_the_lower_index():
    scores = np.array([[1.0, 1.0, 0.0], [0.3, 0.2, 0.1]])
    relevant = np.array([[0, 1, 0], [0, 0, 0]])
    assert recall_at_k(scores, relevant, 1) == 0.0          # item 0 wins the tie; user 2 is skipped
    assert recall_at_k(scores, relevant, 2) == 1.0
    assert ndcg_at_k(scores, relevant, 2) == pytest.approx(1 / np.log2(3))


@pytest.mark.parametrize(
    ("scores", "relevant", "k", "exclude"),
    [
        (np.ones((2, 3)), np.ones((2, 4)), 1, None),                 # shape mismatch
        (np.ones(3), np.ones(3), 1, None),                            # 1-D
        (np.ones((2, 3)), np.ones((2, 3)), 0, None),
        (np.ones((2, 3)), np.ones((2, 3)), 4, None),                  # k above the number of items
        (np.full((2, 3), np.nan), np.ones((2, 3)), 1, None),
        (np.ones((2, 3)), -np.ones((2, 3)), 1, None),
        (np.ones((2, 3)), np.zeros((2, 3)), 1, None),                 # no user has a relevant item
        (np.ones((2, 3)), np.eye(2, 3), 1, np.eye(2, 3, dtype=bool)),  # a relevant item is excluded
        (np.ones((2, 3)), np.eye(2, 3), 1, np.zeros((2, 3))),          # exclude is not boolean
    ],
)
def test_ranking_bad_input_raises(scores, relevant, k, exclude):
    for metric in (recall_at_k, ndcg_at_k):
        with pytest.raises(ValueError):
            metric(scores, relevant, k, exclude=exclude)
