"""Tests for src/mlguide/evaluation/confusion.py: against scikit-learn, brute force, and the pages' hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics

from mlguide.evaluation.confusion import bayes_threshold, confusion_counts, cost_curve, expected_cost
from mlguide.evaluation.confusion import multiclass_confusion, predictive_values, rates_from_counts


# ---- confusion_counts ----

def test_counts_small_example_by_hand():
    y_true = [1, 1, 1, 0, 0, 0, 0]
    y_pred = [1, 0, 1, 1, 0, 0, 0]
    # positives: flagged, missed, flagged -> tp 2, fn 1; negatives: one false alarm, three left alone
    assert confusion_counts(y_true, y_pred) == (3, 1, 1, 2)


@pytest.mark.parametrize("seed", range(8))
def test_counts_agree_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    y = rng.random(n) < 0.3
    p = rng.random(n) < 0.4
    expected = metrics.confusion_matrix(y, p, labels=[False, True]).ravel()
    assert confusion_counts(y, p) == tuple(int(v) for v in expected)
    assert sum(confusion_counts(y, p)) == n


def test_counts_accept_booleans_and_return_ints():
    counts = confusion_counts(np.array([True, False]), np.array([True, True]))
    assert counts == (0, 1, 0, 1)
    assert all(type(c) is int for c in counts)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        ([], []),
        ([0, 1, 2], [0, 1, 1]),          # not binary
        ([0, 1], [0, 1, 1]),             # length mismatch
        ([[0, 1]], [[0, 1]]),            # not 1-D
        (["a", "b"], [0, 1]),            # strings
        ([0.0, 0.5], [0, 1]),            # a probability passed as a label
    ],
)
def test_counts_reject_bad_input(y_true, y_pred):
    with pytest.raises(ValueError):
        confusion_counts(y_true, y_pred)


# ---- rates_from_counts ----

def test_rates_match_the_page_example():
    # docs/evaluation/confusion-matrix.md: 10,000 people, 1% prevalence, sensitivity 99%, specificity 95%
    r = rates_from_counts(tn=9405, fp=495, fn=1, tp=99)
    assert r["TPR"] == pytest.approx(0.99)
    assert r["FNR"] == pytest.approx(0.01)
    assert r["TNR"] == pytest.approx(0.95)
    assert r["FPR"] == pytest.approx(0.05)
    assert r["precision"] == pytest.approx(99 / 594)
    assert r["NPV"] == pytest.approx(9405 / 9406)
    assert r["accuracy"] == pytest.approx(9504 / 10_000)
    assert r["prevalence"] == pytest.approx(0.01)       # actual positives (tp + fn) over n, not tp / n
    # accuracy is the prevalence-weighted mean of the row rates TPR and TNR
    assert r["accuracy"] == pytest.approx(0.01 * 0.99 + 0.99 * 0.95)
    assert r["balanced_accuracy"] == pytest.approx(0.97)
    # MCC by hand: (99 * 9405 - 495 * 1) / sqrt(100 * 9900 * 594 * 9406) = 0.396
    assert r["MCC"] == pytest.approx(930_600 / math.sqrt(100 * 9900 * 594 * 9406))
    assert round(r["MCC"], 2) == 0.40


def test_summaries_of_the_page_example_against_scikit_learn():
    # The same 10,000 people as label vectors; the page quotes MCC 0.40, balanced accuracy 0.97, Cohen's kappa 0.27,
    # and, for the test that calls everyone healthy, accuracy 0.99 but balanced accuracy 0.5 and kappa 0.
    y = np.r_[np.zeros(9900, dtype=int), np.ones(100, dtype=int)]
    p = np.r_[np.zeros(9405, dtype=int), np.ones(495, dtype=int), np.zeros(1, dtype=int), np.ones(99, dtype=int)]
    r = rates_from_counts(*confusion_counts(y, p))
    assert r["MCC"] == pytest.approx(metrics.matthews_corrcoef(y, p))
    assert r["balanced_accuracy"] == pytest.approx(metrics.balanced_accuracy_score(y, p))
    assert round(metrics.cohen_kappa_score(y, p), 2) == 0.27
    nobody = np.zeros_like(y)
    r0 = rates_from_counts(*confusion_counts(y, nobody))
    assert r0["accuracy"] == pytest.approx(0.99) and r0["balanced_accuracy"] == pytest.approx(0.5)
    assert metrics.cohen_kappa_score(y, nobody) == 0.0
    # MCC is 0/0 here: NaN from us, 0 by scikit-learn's convention
    assert math.isnan(r0["MCC"]) and metrics.matthews_corrcoef(y, nobody) == 0.0


def test_likelihood_ratio_route_to_ppv():
    # The page's odds form of Bayes' rule: pre-test odds 1/99 times LR+ = 0.99 / 0.05 = 19.8 gives odds 0.2, PPV 1/6.
    r = rates_from_counts(tn=9405, fp=495, fn=1, tp=99)
    lr_plus = r["TPR"] / r["FPR"]
    assert lr_plus == pytest.approx(19.8)
    post_odds = r["prevalence"] / (1 - r["prevalence"]) * lr_plus
    assert post_odds == pytest.approx(0.2)
    assert post_odds / (1 + post_odds) == pytest.approx(r["precision"])


@pytest.mark.parametrize("seed", range(5))
def test_rates_agree_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.2
    p = rng.random(300) < 0.3
    r = rates_from_counts(*confusion_counts(y, p))
    assert r["TPR"] == pytest.approx(metrics.recall_score(y, p))
    assert r["TNR"] == pytest.approx(metrics.recall_score(~y, ~p))
    assert r["precision"] == pytest.approx(metrics.precision_score(y, p))
    assert r["NPV"] == pytest.approx(metrics.precision_score(~y, ~p))
    assert r["accuracy"] == pytest.approx(metrics.accuracy_score(y, p))
    assert r["balanced_accuracy"] == pytest.approx(metrics.balanced_accuracy_score(y, p))
    assert r["MCC"] == pytest.approx(metrics.matthews_corrcoef(y, p))
    assert r["prevalence"] == pytest.approx(y.mean())
    assert r["accuracy"] == pytest.approx(r["prevalence"] * r["TPR"] + (1 - r["prevalence"]) * r["TNR"])
    assert r["TPR"] + r["FNR"] == pytest.approx(1.0)
    assert r["TNR"] + r["FPR"] == pytest.approx(1.0)


def test_rates_with_an_empty_denominator_are_nan():
    r = rates_from_counts(tn=5, fp=0, fn=3, tp=0)     # nothing flagged
    assert math.isnan(r["precision"])
    assert r["TPR"] == 0.0 and r["NPV"] == pytest.approx(5 / 8)
    r = rates_from_counts(tn=5, fp=2, fn=0, tp=0)     # no positives at all
    assert math.isnan(r["TPR"]) and math.isnan(r["FNR"])
    assert r["precision"] == 0.0
    assert math.isnan(r["balanced_accuracy"]) and math.isnan(r["MCC"])


def test_mcc_extremes_and_large_counts():
    assert rates_from_counts(tn=50, fp=0, fn=0, tp=50)["MCC"] == pytest.approx(1.0)
    assert rates_from_counts(tn=0, fp=50, fn=50, tp=0)["MCC"] == pytest.approx(-1.0)
    # counts whose product overflows int64 still give the right answer
    big = 10**6
    assert rates_from_counts(tn=big, fp=big, fn=big, tp=big)["MCC"] == pytest.approx(0.0)
    r = rates_from_counts(*(np.int64(v) for v in (3 * big, big, big, 3 * big)))
    assert r["MCC"] == pytest.approx(0.5)


@pytest.mark.parametrize("n, n_pos, n_flagged", [(20, 5, 8), (30, 3, 10), (12, 6, 6)])
def test_mcc_is_zero_on_average_for_an_independent_prediction(n, n_pos, n_flagged):
    # The page: MCC is exactly 0 when TP * TN = FP * FN, and 0 on average (not on every sample) for a prediction
    # independent of the truth. With both margins fixed, TP is hypergeometric; average MCC over its exact law.
    mean_mcc, spread = 0.0, 0.0
    for tp in range(max(0, n_pos + n_flagged - n), min(n_pos, n_flagged) + 1):
        weight = math.comb(n_pos, tp) * math.comb(n - n_pos, n_flagged - tp) / math.comb(n, n_flagged)
        fp, fn = n_flagged - tp, n_pos - tp
        mcc = rates_from_counts(tn=n - tp - fp - fn, fp=fp, fn=fn, tp=tp)["MCC"]
        if tp * (n - tp - fp - fn) == fp * fn:
            assert mcc == pytest.approx(0.0, abs=1e-12)
        mean_mcc += weight * mcc
        spread += weight * mcc**2
    assert mean_mcc == pytest.approx(0.0, abs=1e-12)
    assert spread > 0.01          # a single sample scatters around 0


@pytest.mark.parametrize("counts", [(-1, 0, 0, 1), (0, 0, 0, 0), (1.5, 0, 0, 1)])
def test_rates_reject_bad_counts(counts):
    with pytest.raises(ValueError):
        rates_from_counts(*counts)


# ---- predictive_values ----

def test_base_rate_example_by_hand():
    ppv, npv = predictive_values(0.99, 0.95, 0.01)
    assert ppv == pytest.approx(0.0099 / (0.0099 + 0.0495))       # = 1/6
    assert ppv == pytest.approx(1 / 6)
    assert npv == pytest.approx(0.9405 / (0.9405 + 0.0001))


def test_predictive_values_agree_with_counts():
    ppv, npv = predictive_values(0.8, 0.9, 0.25)
    # 1,000 people: 250 sick -> tp 200, fn 50; 750 healthy -> tn 675, fp 75
    r = rates_from_counts(tn=675, fp=75, fn=50, tp=200)
    assert ppv == pytest.approx(r["precision"]) and npv == pytest.approx(r["NPV"])


def test_ppv_grows_with_prevalence():
    ppvs = [predictive_values(0.9, 0.9, pi)[0] for pi in (0.001, 0.01, 0.1, 0.5)]
    assert all(a < b for a, b in zip(ppvs, ppvs[1:]))
    assert predictive_values(0.9, 0.9, 0.5)[0] == pytest.approx(0.9)


def test_predictive_values_reject_out_of_range():
    with pytest.raises(ValueError):
        predictive_values(1.2, 0.9, 0.1)
    with pytest.raises(ValueError):
        predictive_values(0.9, 0.9, -0.1)


# ---- bayes_threshold ----

def test_bayes_threshold_values():
    assert bayes_threshold(1, 1) == pytest.approx(0.5)
    assert bayes_threshold(1, 9) == pytest.approx(0.1)
    assert bayes_threshold(5, 50) == pytest.approx(1 / 11)
    # a hit that still costs something (c_tp = 2) and a free rejection: (1 - 0) / ((1 - 0) + (10 - 2))
    assert bayes_threshold(1, 10, c_tp=2) == pytest.approx(1 / 9)


def test_bayes_threshold_minimises_expected_cost_for_calibrated_probabilities():
    # Draw calibrated probabilities, labels from them, and check that the brute-force best threshold is near c_fp/(c_fp+c_fn).
    rng = np.random.default_rng(0)
    p = rng.beta(0.5, 3.0, size=200_000)
    y = rng.random(p.size) < p
    c_fp, c_fn = 1.0, 6.0
    grid = np.linspace(0.01, 0.99, 99)
    _, _, cost = cost_curve(y, p, grid, c_fp, c_fn)
    assert abs(grid[np.argmin(cost)] - bayes_threshold(c_fp, c_fn)) <= 0.03


@pytest.mark.parametrize("costs", [(0, 1), (1, 0), (-1, 2), (1, 1, 0, 1)])
def test_bayes_threshold_rejects_free_or_negative_errors(costs):
    with pytest.raises(ValueError):
        bayes_threshold(*costs)


# ---- cost_curve and expected_cost ----

@pytest.mark.parametrize("seed", range(6))
def test_cost_curve_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    y = rng.random(n) < 0.3
    s = np.round(rng.random(n), 2)          # rounding creates ties with the thresholds
    thresholds = np.linspace(0, 1, 21)
    fp, fn, cost = cost_curve(y, s, thresholds, c_fp=2.0, c_fn=7.0)
    for i, t in enumerate(thresholds):
        tn_, fp_, fn_, tp_ = confusion_counts(y, s >= t)
        assert (fp[i], fn[i]) == (fp_, fn_)
        assert cost[i] == pytest.approx(2.0 * fp_ + 7.0 * fn_)
        assert cost[i] / n == pytest.approx(expected_cost(y, s >= t, 2.0, 7.0))


def test_cost_curve_extremes():
    y = [0, 0, 1, 1, 1]
    s = [0.1, 0.6, 0.4, 0.8, 0.9]
    fp, fn, cost = cost_curve(y, s, [0.0, 1.0], c_fp=1.0, c_fn=4.0)
    assert fp.tolist() == [2, 0] and fn.tolist() == [0, 3]   # flag everything / flag nothing
    assert cost.tolist() == [2.0, 12.0]


def test_cost_curve_rejects_bad_input():
    with pytest.raises(ValueError):
        cost_curve([0, 1], [0.2], [0.5], 1, 1)
    with pytest.raises(ValueError):
        cost_curve([0, 1], [0.2, np.nan], [0.5], 1, 1)
    with pytest.raises(ValueError):
        cost_curve([0, 1], [0.2, 0.7], [0.5], -1, 1)
    with pytest.raises(ValueError):
        expected_cost([0, 1], [0, 1], 1, -2)


# ---- multiclass_confusion ----

def test_multiclass_by_hand():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    m = multiclass_confusion(y_true, y_pred)
    assert m.tolist() == [[1, 1, 0], [0, 2, 1], [1, 0, 0]]
    assert m.sum(axis=1).tolist() == [2, 3, 1]   # class sizes


@pytest.mark.parametrize("seed", range(5))
def test_multiclass_agrees_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=200)
    p = np.where(rng.random(200) < 0.6, y, rng.integers(0, 4, size=200))
    m = multiclass_confusion(y, p, n_classes=4)
    np.testing.assert_array_equal(m, metrics.confusion_matrix(y, p, labels=range(4)))
    # one-vs-rest counts for class 2 match the binary function
    tn, fp, fn, tp = confusion_counts(y == 2, p == 2)
    assert (tp, fn, fp) == (m[2, 2], m[2].sum() - m[2, 2], m[:, 2].sum() - m[2, 2])
    assert tn == m.sum() - tp - fn - fp


def test_multiclass_pads_missing_classes_and_rejects_bad_labels():
    assert multiclass_confusion([0, 0], [0, 0], n_classes=3).shape == (3, 3)
    with pytest.raises(ValueError):
        multiclass_confusion([0, 3], [0, 1], n_classes=3)
    with pytest.raises(ValueError):
        multiclass_confusion([0, -1], [0, 1])
    with pytest.raises(ValueError):
        multiclass_confusion([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError):
        multiclass_confusion([0, 1], [0])
