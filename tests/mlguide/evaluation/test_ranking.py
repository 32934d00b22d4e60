"""Tests for src/mlguide/evaluation/ranking.py: against scikit-learn, a brute-force pair count, and the pages' worked examples."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from sklearn import metrics

from mlguide.evaluation.ranking import auc_by_ranking, binary_labels, f_beta, precision_recall_f1


def auc_by_pairs(y, s):
    """O(n_pos * n_neg) reference: the fraction of (positive, negative) pairs ordered correctly, ties counting 1/2."""
    y, s = np.asarray(y, dtype=bool), np.asarray(s, dtype=float)
    diff = s[y][:, None] - s[~y][None, :]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


# ---- auc_by_ranking ----

def test_roc_page_worked_example():
    # docs/evaluation/roc-auc.md: positives scored 0.9, 0.6, 0.35; negatives 0.7, 0.35, 0.1.
    y = [1, 1, 1, 0, 0, 0]
    s = [0.9, 0.6, 0.35, 0.7, 0.35, 0.1]
    # 9 pairs: 6 won, 2 lost, 1 tied -> (6 + 0.5) / 9
    assert auc_by_ranking(y, s) == pytest.approx(6.5 / 9)
    assert auc_by_ranking(y, s) == pytest.approx(metrics.roc_auc_score(y, s))


@pytest.mark.parametrize("seed", range(10))
def test_agrees_with_scikit_learn_and_pair_count(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    y = rng.random(n) < rng.uniform(0.05, 0.6)
    y[0], y[1] = True, False  # both classes present
    s = rng.normal(size=n) + 0.8 * y
    assert auc_by_ranking(y, s) == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    assert auc_by_ranking(y, s) == pytest.approx(auc_by_pairs(y, s), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_heavy_ties(seed):
    rng = np.random.default_rng(100 + seed)
    y = rng.integers(0, 2, size=200)
    y[:2] = [0, 1]
    s = rng.integers(0, 4, size=200).astype(float)  # only four distinct scores
    assert auc_by_ranking(y, s) == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    assert auc_by_ranking(y, s) == pytest.approx(auc_by_pairs(y, s), abs=1e-12)


def test_extremes_and_symmetries():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.7])
    assert auc_by_ranking(y, s) == 1.0
    assert auc_by_ranking(y, -s) == 0.0                    # reversing the ranking
    assert auc_by_ranking(1 - y, s) == 0.0                  # swapping the classes
    assert auc_by_ranking(y, np.full(6, 3.0)) == 0.5        # a constant score ties every pair


def test_invariant_to_monotone_transforms():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, size=100)
    y[:2] = [0, 1]
    s = rng.normal(size=100)
    base = auc_by_ranking(y, s)
    for transformed in (np.exp(s), 3 * s - 10, 1 / (1 + np.exp(-s)), np.cbrt(s)):
        assert auc_by_ranking(y, transformed) == pytest.approx(base, abs=1e-15)


def test_accepts_booleans_and_lists():
    assert auc_by_ranking([True, False, True], [3, 1, 2]) == 1.0


@pytest.mark.parametrize("y", [[1, 1, 1], [0, 0, 0], [True]])
def test_single_class_raises(y):
    with pytest.raises(ValueError, match="positive and one negative"):
        auc_by_ranking(y, np.arange(len(y), dtype=float))


@pytest.mark.parametrize(
    ("y", "s"),
    [
        ([0, 1, 2], [0.1, 0.2, 0.3]),           # not binary
        ([-1, 1, 1], [0.1, 0.2, 0.3]),          # -1/+1 labels are not accepted
        (["a", "b"], [0.1, 0.2]),               # strings
        ([0, 1], [0.1, 0.2, 0.3]),              # length mismatch
        ([0, 1], [0.1, np.nan]),                # NaN score
        ([0, 1], [np.inf, 0.2]),                # infinite score
        ([], []),                               # empty
        ([[0, 1]], [[0.1, 0.2]]),               # 2-D
    ],
)
def test_bad_input_raises(y, s):
    with pytest.raises(ValueError):
        auc_by_ranking(y, s)


def test_binary_labels():
    assert binary_labels([0, 1, 1.0]).tolist() == [False, True, True]
    with pytest.raises(ValueError):
        binary_labels([0.5, 1])


# ---- precision_recall_f1 ----

def test_pr_page_worked_example():
    # docs/evaluation/precision-recall-f1.md: 10 positives among 100; 8 flagged, 6 of them right.
    y = np.array([1] * 10 + [0] * 90)
    p = np.array([1] * 6 + [0] * 4 + [1] * 2 + [0] * 88)
    precision, recall, f1 = precision_recall_f1(y, p)
    assert (precision, recall) == (0.75, 0.6)
    assert f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert f1 == pytest.approx(2 / 3)
    assert f_beta(precision, recall, 2.0) == pytest.approx(5 * 0.45 / (4 * 0.75 + 0.6))
    assert f_beta(precision, recall, 0.5) == pytest.approx(1.25 * 0.45 / (0.25 * 0.75 + 0.6))


@pytest.mark.parametrize("seed", range(10))
def test_precision_recall_f1_agree_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=60)
    p = rng.integers(0, 2, size=60)
    got = precision_recall_f1(y, p)
    assert got[0] == pytest.approx(metrics.precision_score(y, p))
    assert got[1] == pytest.approx(metrics.recall_score(y, p))
    assert got[2] == pytest.approx(metrics.f1_score(y, p))


def test_zero_division_cases_match_scikit_learn():
    cases = [
        ([1, 1, 0], [0, 0, 0]),    # nothing flagged: precision undefined
        ([0, 0, 0], [0, 1, 0]),    # no positives: recall undefined
        ([0, 0, 0], [0, 0, 0]),    # neither: all three undefined
        ([1, 0, 1], [0, 1, 0]),    # all wrong: everything 0
    ]
    for y, p in cases:
        for zd in (0.0, 1.0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = metrics.precision_recall_fscore_support(
                    y, p, average="binary", zero_division=zd
                )[:3]
            assert precision_recall_f1(y, p, zero_division=zd) == pytest.approx(expected), (y, p, zd)


def test_true_negatives_do_not_matter():
    y = np.array([1, 1, 0, 0])
    p = np.array([1, 0, 1, 0])
    padded_y = np.concatenate([y, np.zeros(1000, dtype=int)])
    padded_p = np.concatenate([p, np.zeros(1000, dtype=int)])
    assert precision_recall_f1(y, p) == precision_recall_f1(padded_y, padded_p)


def test_predictions_must_be_labels():
    with pytest.raises(ValueError):
        precision_recall_f1([0, 1], [0.2, 0.9])  # scores, not 0/1 predictions
    with pytest.raises(ValueError):
        precision_recall_f1([0, 1, 1], [0, 1])


# ---- f_beta ----

@pytest.mark.parametrize("beta", [0.25, 0.5, 1.0, 2.0, 3.0])
@pytest.mark.parametrize("seed", range(5))
def test_f_beta_agrees_with_scikit_learn(beta, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=80)
    y[:2] = [0, 1]
    p = (rng.random(80) < 0.5).astype(int)
    p[:2] = [1, 1]
    precision, recall, _ = precision_recall_f1(y, p)
    assert f_beta(precision, recall, beta) == pytest.approx(metrics.fbeta_score(y, p, beta=beta))


def test_f1_is_the_harmonic_mean_and_sits_below_the_arithmetic_mean():
    for precision, recall in itertools.product([0.1, 0.5, 0.9, 1.0], repeat=2):
        f1 = f_beta(precision, recall, 1.0)
        assert f1 == pytest.approx(2 / (1 / precision + 1 / recall))
        assert min(precision, recall) - 1e-12 <= f1 <= (precision + recall) / 2 + 1e-12


def test_f_beta_limits_and_edges():
    assert f_beta(0.0, 0.0, 1.0) == 0.0
    assert f_beta(1.0, 0.0, 1.0) == 0.0
    assert f_beta(0.3, 0.8, 1e-6) == pytest.approx(0.3, rel=1e-6)   # beta -> 0: precision alone
    assert f_beta(0.3, 0.8, 1e6) == pytest.approx(0.8, rel=1e-6)    # beta -> infinity: recall alone
    # beta = 2: raising recall helps more than raising precision by the same amount
    assert f_beta(0.5, 0.6, 2.0) > f_beta(0.6, 0.5, 2.0)


@pytest.mark.parametrize(
    ("precision", "recall", "beta"),
    [(0.5, 0.5, 0.0), (0.5, 0.5, -1.0), (0.5, 0.5, np.nan), (0.5, 0.5, np.inf),
     (1.2, 0.5, 1.0), (0.5, -0.1, 1.0), (np.nan, 0.5, 1.0)],
)
def test_f_beta_bad_input_raises(precision, recall, beta):
    with pytest.raises(ValueError):
        f_beta(precision, recall, beta)
