"""Tests for src/mlguide/data/imbalance.py: against scikit-learn, Bayes' rule computed directly, and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from mlguide.data.imbalance import correct_undersampled_probability, cost_threshold, smote, undersample


def saturated_data(rng, n=60_000, levels=5):
    """One categorical feature (one-hot), so logistic regression's fit is each level's share of positives."""
    level = rng.integers(0, levels, n)
    p_true = np.linspace(0.01, 0.2, levels)[level]
    y = (rng.random(n) < p_true).astype(int)
    return np.eye(levels)[level], y, level


# ---- correct_undersampled_probability ----

@pytest.mark.parametrize("beta", [0.01, 0.1, 0.37, 1.0])
def test_correction_inverts_bayes_rule(beta):
    p = np.linspace(0.0, 1.0, 1001)
    p_s = p / (p + beta * (1 - p))            # P(y = 1 | x, kept) when negatives are kept with probability beta
    assert np.allclose(correct_undersampled_probability(p_s, beta), p, atol=1e-12)


def test_correction_matches_the_page_example():
    # beta = 0.1: a score of 0.5 on the undersample is 0.05 / 0.55 = 1/11 in the population; 0.2 is 0.02 / 0.82
    assert correct_undersampled_probability(0.5, 0.1) == pytest.approx(1 / 11, abs=1e-15)
    assert correct_undersampled_probability(0.2, 0.1) == pytest.approx(0.02 / 0.82, abs=1e-15)
    assert isinstance(correct_undersampled_probability(0.5, 0.1), float)


def test_correction_is_the_prior_shift_odds_formula():
    # Odds at deployment = odds on the undersample x (prior odds at deployment / prior odds on the undersample).
    pi, beta = 0.03, 0.05
    pi_s = pi / (pi + beta * (1 - pi))        # prevalence of the undersample
    p_s = np.linspace(0.01, 0.99, 99)
    odds = p_s / (1 - p_s) * (pi / (1 - pi)) / (pi_s / (1 - pi_s))
    assert np.allclose(correct_undersampled_probability(p_s, beta), odds / (1 + odds), atol=1e-12)


@pytest.mark.parametrize("beta", [0.05, 0.3])
def test_correction_undoes_class_weights_in_scikit_learn(beta):
    # Weighting negatives by beta makes each level's fitted probability n1 / (n1 + beta n0); the correction gives back
    # the unweighted fit n1 / (n1 + n0) exactly (up to the optimizer's tolerance).
    X, y, level = saturated_data(np.random.default_rng(0))
    plain = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    weighted = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000, class_weight={0: beta, 1: 1.0}).fit(X, y)
    grid = np.eye(X.shape[1])
    p_plain = plain.predict_proba(grid)[:, 1]
    p_weighted = weighted.predict_proba(grid)[:, 1]
    counts = np.array([[np.sum((level == k) & (y == c)) for c in (0, 1)] for k in range(X.shape[1])])
    assert np.allclose(p_plain, counts[:, 1] / counts.sum(axis=1), atol=1e-5)
    assert np.allclose(p_weighted, counts[:, 1] / (counts[:, 1] + beta * counts[:, 0]), atol=1e-5)
    assert np.allclose(correct_undersampled_probability(p_weighted, beta), p_plain, atol=1e-5)


def test_correction_after_real_undersampling_is_close():
    # Undersampled cell frequencies, corrected, estimate the population's (sampling noise only).
    rng = np.random.default_rng(1)
    X, y, level = saturated_data(rng, n=400_000)
    beta = 0.1
    keep = undersample(y, beta, rng=rng)
    for k in range(X.shape[1]):
        in_level = level[keep] == k
        p_s = y[keep][in_level].mean()
        assert correct_undersampled_probability(p_s, beta) == pytest.approx(y[level == k].mean(), rel=0.08)


def test_correction_after_a_fixed_count_undersample_is_close():
    # A simple random sample of exactly m negatives keeps each one with probability m / n0 whatever its x, so the
    # same correction with beta = m / n0 applies (the docstring of `undersample`).
    rng = np.random.default_rng(2)
    X, y, level = saturated_data(rng, n=400_000)
    negatives = np.flatnonzero(y == 0)
    m = negatives.size // 10
    keep = np.concatenate([np.flatnonzero(y == 1), rng.choice(negatives, m, replace=False)])
    for k in range(X.shape[1]):
        p_s = y[keep][level[keep] == k].mean()
        assert correct_undersampled_probability(p_s, m / negatives.size) == pytest.approx(
            y[level == k].mean(), rel=0.08)


def test_correction_edges_and_monotonicity():
    assert correct_undersampled_probability(0.0, 0.2) == 0.0
    assert correct_undersampled_probability(1.0, 0.2) == 1.0
    p = np.linspace(0, 1, 50)
    assert np.array_equal(correct_undersampled_probability(p, 1.0), p)
    out = correct_undersampled_probability(p, 0.2)
    assert out.shape == p.shape and np.all(np.diff(out) > 0) and np.all(out <= p)


@pytest.mark.parametrize("p_s, beta", [(0.5, 0.0), (0.5, 1.5), (0.5, np.nan), (0.5, -0.1), (1.2, 0.5),
                                       (-0.1, 0.5), (np.nan, 0.5), ([0.2, np.inf], 0.5)])
def test_correction_rejects_bad_input(p_s, beta):
    with pytest.raises(ValueError):
        correct_undersampled_probability(p_s, beta)


# ---- cost_threshold ----

@pytest.mark.parametrize("c_fp, c_fn", [(1, 1), (1, 10), (5, 2), (0.3, 7)])
def test_cost_threshold_without_resampling_is_the_bayes_threshold(c_fp, c_fn):
    assert cost_threshold(c_fp, c_fn) == pytest.approx(c_fp / (c_fp + c_fn), abs=1e-15)


@pytest.mark.parametrize("c_fp, c_fn, beta", [(1, 10, 0.1), (1, 10, 0.03), (2, 3, 0.5), (1, 1, 1.0)])
def test_cost_threshold_by_brute_force(c_fp, c_fn, beta):
    # On a fine grid of scores from the resampled model, flag exactly where the corrected probability makes flagging
    # cheaper: (1 - p) c_fp < p c_fn. The first flagged grid point is the threshold, to the grid's resolution.
    p_s = np.linspace(0, 1, 200_001)
    p = correct_undersampled_probability(p_s, beta)
    flag = (1 - p) * c_fp < p * c_fn
    t = cost_threshold(c_fp, c_fn, beta)
    assert p_s[np.argmax(flag)] == pytest.approx(t, abs=1e-5)
    assert correct_undersampled_probability(t, beta) == pytest.approx(c_fp / (c_fp + c_fn), abs=1e-12)


def test_cost_threshold_page_example():
    # Keeping a tenth of the negatives when a miss costs ten false alarms makes 0.5 the cost-optimal threshold.
    assert cost_threshold(1, 10, beta=0.1) == 0.5


def test_cost_threshold_minimises_cost_on_data():
    # On a saturated model fitted with negatives weighted by beta, the threshold from cost_threshold gives the same
    # decisions as the best threshold found by sweeping on the training data.
    X, y, level = saturated_data(np.random.default_rng(2), n=100_000)
    beta, c_fp, c_fn = 0.2, 1.0, 8.0
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000, class_weight={0: beta, 1: 1.0}).fit(X, y)
    p_w = model.predict_proba(X)[:, 1]

    def cost(t):
        flag = p_w >= t
        return c_fp * np.sum(flag & (y == 0)) + c_fn * np.sum(~flag & (y == 1))

    sweep = min(cost(t) for t in np.unique(np.r_[p_w, 1.1]))
    assert cost(cost_threshold(c_fp, c_fn, beta)) == sweep


@pytest.mark.parametrize("c_fp, c_fn, beta", [(0, 1, 1), (1, 0, 1), (-1, 1, 1), (1, np.inf, 1), (1, 1, 0), (1, 1, 2)])
def test_cost_threshold_rejects_bad_input(c_fp, c_fn, beta):
    with pytest.raises(ValueError):
        cost_threshold(c_fp, c_fn, beta)


# ---- undersample ----

def test_undersample_keeps_every_positive_and_about_beta_of_the_negatives():
    rng = np.random.default_rng(3)
    y = (rng.random(50_000) < 0.04).astype(int)
    beta = 0.1
    idx = undersample(y, beta, rng=4)
    assert np.all(np.diff(idx) > 0)                                  # sorted, no repeats
    assert np.array_equal(np.flatnonzero(y == 1), idx[y[idx] == 1])  # every positive, once
    n0, kept0 = np.sum(y == 0), np.sum(y[idx] == 0)
    assert abs(kept0 - beta * n0) < 5 * np.sqrt(n0 * beta * (1 - beta))   # Binomial(n0, beta)
    assert np.array_equal(idx, undersample(y, beta, rng=4))          # reproducible
    assert np.array_equal(undersample(y, 1.0, rng=0), np.arange(y.size))


@pytest.mark.parametrize("y, beta", [([], 0.5), ([0, 2, 1], 0.5), ([[0, 1]], 0.5), ([0, 1], 0.0), ([0, 1], 1.1)])
def test_undersample_rejects_bad_input(y, beta):
    with pytest.raises(ValueError):
        undersample(y, beta)


# ---- smote ----

@pytest.mark.parametrize("k", [1, 3, 5])
def test_smote_points_lie_between_a_row_and_one_of_its_k_nearest_neighbours(k):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3))
    new = smote(X, 200, k=k, rng=6)
    assert new.shape == (200, 3)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X)
    neighbours = nn.kneighbors(X, return_distance=False)[:, 1:]     # drop the row itself
    for s in new:
        found = False
        for i in range(X.shape[0]):
            for j in neighbours[i]:
                d = X[j] - X[i]
                u = np.dot(s - X[i], d) / np.dot(d, d)
                if -1e-12 <= u <= 1 + 1e-12 and np.allclose(X[i] + u * d, s, atol=1e-9):
                    found = True
                    break
            if found:
                break
        assert found, s


def test_smote_two_rows_fill_the_segment_and_is_reproducible():
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    new = smote(X, 500, k=1, rng=0)
    u = new[:, 0] / 2.0
    assert np.allclose(new[:, 1], 2 * new[:, 0]) and np.all((u >= 0) & (u <= 1))
    assert u.min() < 0.05 and u.max() > 0.95                        # gaps spread over the whole segment
    assert np.array_equal(new, smote(X, 500, k=1, rng=0))
    assert smote(X, 0, k=1).shape == (0, 2)


@pytest.mark.parametrize("X, n_new, k", [
    (np.zeros((1, 2)), 5, 1),            # one row has no neighbour
    (np.zeros(4), 5, 1),                 # not 2-D
    (np.zeros((4, 2)), 5, 4),            # k must be below the number of rows
    (np.zeros((4, 2)), 5, 0),
    (np.zeros((4, 2)), -1, 1),
    (np.zeros((4, 2)), 2.5, 1),
    (np.array([[0.0, np.nan], [1.0, 1.0]]), 5, 1),
])
def test_smote_rejects_bad_input(X, n_new, k):
    with pytest.raises(ValueError):
        smote(X, n_new, k=k)
