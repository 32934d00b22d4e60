"""Tests for src/mlguide/data/quality.py: against direct computations, SciPy, simulation and the page's worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import entropy

from mlguide.data.quality import clean_accuracy, find_label_issues, noisy_accuracy, psi


# ---- noisy_accuracy and clean_accuracy ----

def expected_accuracy_under_noise(y_true, y_pred, transition):
    """Direct computation: mean over rows of P(noisy label == prediction | true label), T[y, k] = P(noisy k | true y)."""
    return float(np.mean(transition[y_true, y_pred]))


def uniform_transition(k, r):
    t = np.full((k, k), r / (k - 1))
    np.fill_diagonal(t, 1 - r)
    return t


def test_page_worked_example():
    # docs/data/data-quality.md: true accuracy 0.90 measured against labels 10% flipped -> 0.82; perfect model -> 0.90.
    assert noisy_accuracy(0.90, 0.10) == pytest.approx(0.82)
    assert noisy_accuracy(1.0, 0.10) == pytest.approx(0.90)
    assert noisy_accuracy(0.95, 0.10) - noisy_accuracy(0.90, 0.10) == pytest.approx(0.8 * 0.05)
    assert clean_accuracy(0.82, 0.10) == pytest.approx(0.90)


@pytest.mark.parametrize("k", [2, 3, 5, 10])
@pytest.mark.parametrize("r", [0.0, 0.05, 0.2, 0.4])
def test_matches_direct_computation_over_a_transition_matrix(k, r):
    rng = np.random.default_rng(k * 100 + int(r * 100))
    y = rng.integers(0, k, size=2000)
    pred = np.where(rng.random(2000) < 0.7, y, rng.integers(0, k, size=2000))
    acc = float(np.mean(pred == y))
    direct = expected_accuracy_under_noise(y, pred, uniform_transition(k, r))
    assert noisy_accuracy(acc, r, k) == pytest.approx(direct, abs=1e-12)
    assert clean_accuracy(direct, r, k) == pytest.approx(acc, abs=1e-12)


def test_matches_simulation():
    rng = np.random.default_rng(0)
    n, r = 400_000, 0.15
    y = rng.integers(0, 2, size=n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    noisy = np.where(rng.random(n) < r, 1 - y, y)
    measured = np.mean(pred == noisy)
    assert measured == pytest.approx(noisy_accuracy(np.mean(pred == y), r), abs=4 * np.sqrt(0.25 / n))


def test_binary_form_and_fixed_point():
    for a in np.linspace(0, 1, 11):
        for r in (0.1, 0.3):
            assert noisy_accuracy(a, r) == pytest.approx(r + (1 - 2 * r) * a)
    # A coin-flip classifier (accuracy 1/K) measures 1/K whatever the noise.
    assert noisy_accuracy(0.25, 0.6, n_classes=4) == pytest.approx(0.25)


@pytest.mark.parametrize("args", [(1.2, 0.1), (0.5, -0.1), (0.5, 1.5), (0.5, 0.1, 1), (0.5, 0.1, 2.5)])
def test_bad_input(args):
    with pytest.raises(ValueError):
        noisy_accuracy(*args)
    with pytest.raises(ValueError):
        clean_accuracy(*args)


def test_clean_accuracy_undefined_when_labels_are_pure_noise():
    with pytest.raises(ValueError, match="pure noise"):
        clean_accuracy(0.5, 0.5)
    with pytest.raises(ValueError, match="pure noise"):
        clean_accuracy(1 / 3, 2 / 3, n_classes=3)


# ---- find_label_issues ----

def issues_by_loops(labels, probs):
    """Reference: the confident joint written out row by row."""
    n, k = probs.shape
    t = [np.mean([probs[i, j] for i in range(n) if labels[i] == j]) for j in range(k)]
    joint = np.zeros((k, k), dtype=int)
    issues = np.zeros(n, dtype=bool)
    for i in range(n):
        passing = [j for j in range(k) if probs[i, j] >= t[j]]
        if not passing:
            continue
        best = max(passing, key=lambda j: probs[i, j])
        joint[labels[i], best] += 1
        issues[i] = best != labels[i]
    return issues, joint


def test_hand_example():
    # Two classes. Rows labelled 0 have P(class 1) 0.1, 0.2, 0.9 -> t_0 = mean(0.9, 0.8, 0.1) = 0.6;
    # rows labelled 1 have P(class 1) 0.8, 0.7 -> t_1 = 0.75. Row 2 (labelled 0, P(1) = 0.9) passes only t_1: an issue.
    labels = np.array([0, 0, 0, 1, 1])
    p1 = np.array([0.1, 0.2, 0.9, 0.8, 0.7])
    probs = np.column_stack([1 - p1, p1])
    issues, joint = find_label_issues(labels, probs)
    assert issues.tolist() == [False, False, True, False, False]
    # Row 4 (P(1) = 0.7) passes neither threshold (0.3 < 0.6, 0.7 < 0.75) and is not counted.
    assert joint.tolist() == [[2, 1], [0, 1]]


@pytest.mark.parametrize("seed", range(6))
def test_matches_loop_reference(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n = int(rng.integers(k * 3, 300))
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])
    logits = rng.normal(size=(n, k)) * 2
    logits[np.arange(n), labels] += 1.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    issues, joint = find_label_issues(labels, probs)
    ref_issues, ref_joint = issues_by_loops(labels, probs)
    assert np.array_equal(issues, ref_issues)
    assert np.array_equal(joint, ref_joint)
    assert joint.sum() <= n


def test_finds_flipped_labels_when_probabilities_are_true_posteriors():
    # Two well-separated classes, 10% of labels flipped; the probabilities are the clean posteriors.
    rng = np.random.default_rng(3)
    n = 5000
    y = rng.integers(0, 2, size=n)
    x = rng.normal(loc=np.where(y == 1, 2.0, -2.0))
    p1 = 1 / (1 + np.exp(-4 * x))          # the Bayes posterior for unit-variance classes at -2 and +2
    flipped = rng.random(n) < 0.1
    given = np.where(flipped, 1 - y, y)
    issues, _ = find_label_issues(given, np.column_stack([1 - p1, p1]))
    precision = np.mean(flipped[issues])
    recall = np.mean(issues[flipped])
    assert precision > 0.9 and recall > 0.85    # the misses on both sides are rows in the classes' overlap


def test_perfect_labels_give_no_issues():
    labels = np.array([0, 1, 2, 0, 1, 2])
    assert not find_label_issues(labels, np.eye(3)[labels])[0].any()


@pytest.mark.parametrize("labels, probs", [
    (np.array([0, 1]), np.array([[0.5, 0.5]])),                    # length mismatch
    (np.array([0, 2]), np.array([[0.5, 0.5], [0.5, 0.5]])),        # label out of range
    (np.array([0.0, 1.0]), np.array([[0.5, 0.5], [0.5, 0.5]])),    # float labels
    (np.array([0, 1]), np.array([[0.6, 0.6], [0.5, 0.5]])),        # row does not sum to 1
    (np.array([0, 0]), np.array([[0.5, 0.5], [0.5, 0.5]])),        # class 1 has no labelled row
    (np.array([0, 1]), np.array([0.5, 0.5])),                      # probs not 2-D
])
def test_label_issue_bad_input(labels, probs):
    with pytest.raises(ValueError):
        find_label_issues(labels, probs)


# ---- psi ----

def binned_shares(reference, current, n_bins, floor):
    """Independent binning with np.histogram on reference quantile edges, open-ended outer bins."""
    inner = np.unique(np.quantile(reference, np.linspace(0, 1, n_bins + 1)[1:-1]))
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    e = np.histogram(reference, bins=edges)[0] / len(reference)
    c = np.histogram(current, bins=edges)[0] / len(current)
    return np.maximum(e, floor), np.maximum(c, floor)


@pytest.mark.parametrize("seed", range(5))
def test_psi_is_symmetrised_kl_as_scipy_computes_it(seed):
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=int(rng.integers(200, 3000)))
    cur = rng.normal(loc=rng.uniform(-1, 1), scale=rng.uniform(0.5, 2), size=int(rng.integers(200, 3000)))
    e, c = binned_shares(ref, cur, 10, 1e-4)
    value = psi(ref, cur)
    assert value == pytest.approx(np.sum(rel_entr(c, e)) + np.sum(rel_entr(e, c)), rel=1e-10)
    # scipy.stats.entropy renormalises; without empty bins the shares already sum to 1.
    if np.all(e > 1e-4) and np.all(c > 1e-4):
        assert value == pytest.approx(entropy(c, e) + entropy(e, c), rel=1e-10)


def test_psi_page_worked_example():
    # Four reference quartiles; the current sample puts 10%, 20%, 30% and 40% in them.
    ref = np.arange(1, 401, dtype=float)                 # quartile edges at 100.75, 200.5, 300.25
    cur = np.concatenate([np.full(10, 50.0), np.full(20, 150.0), np.full(30, 250.0), np.full(40, 350.0)])
    expected = sum((c - 0.25) * np.log(c / 0.25) for c in (0.1, 0.2, 0.3, 0.4))
    assert psi(ref, cur, n_bins=4) == pytest.approx(expected)
    assert psi(ref, cur, n_bins=4) == pytest.approx(0.228, abs=5e-4)


def test_psi_properties():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=5000)
    assert psi(ref, ref) == 0.0
    assert psi(ref, rng.permutation(ref)) == 0.0
    # A large mean shift of a normal feature: the continuous symmetrised KL is delta^2; binning loses a little.
    shifted = rng.normal(loc=0.5, size=200_000)
    assert 0.2 < psi(ref, shifted, n_bins=20) < 0.27
    # Values beyond the reference range fall in the outer bins instead of being dropped.
    far = np.full(1000, 100.0)
    e_top = 0.1
    assert psi(ref, far) == pytest.approx((1 - e_top) * np.log(1 / e_top) + 9 * (1e-4 - 0.1) * np.log(1e-4 / 0.1),
                                          rel=0.02)


def test_psi_noise_floor_matches_chi_square_approximation():
    # With no shift, PSI is about (B - 1)(1/n + 1/m) on average: a chi-square with B - 1 degrees of freedom, scaled.
    rng = np.random.default_rng(2)
    n = m = 500
    values = [psi(rng.normal(size=n), rng.normal(size=m)) for _ in range(400)]
    assert np.mean(values) == pytest.approx(9 * (1 / n + 1 / m), rel=0.12)


def test_psi_ties_merge_bins():
    ref = np.repeat([0.0, 1.0], [900, 100])              # deciles are all 0 except the last: two bins survive
    cur = np.repeat([0.0, 1.0], [500, 500])
    assert psi(ref, cur) == pytest.approx((0.5 - 0.9) * np.log(0.5 / 0.9) + (0.5 - 0.1) * np.log(0.5 / 0.1))


@pytest.mark.parametrize("kwargs", [
    dict(reference=[], current=[1.0]), dict(reference=[1.0, np.nan], current=[1.0]),
    dict(reference=[1.0, 2.0], current=[1.0], n_bins=1), dict(reference=[1.0, 2.0], current=[1.0], floor=0.0),
    dict(reference=[1.0, 2.0], current=[1.0], n_bins=2.5),
])
def test_psi_bad_input(kwargs):
    with pytest.raises(ValueError):
        psi(**kwargs)
