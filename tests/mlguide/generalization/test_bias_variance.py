"""Tests for src/mlguide/generalization/bias_variance.py against hand-built cases and direct computations."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.generalization.bias_variance import Decomposition, LogLossDecomposition, decompose, decompose_log_loss


def test_hand_built_case():
    # two test points, three training sets
    f = np.array([0.0, 1.0])
    preds = np.array([[1.0, 1.0],
                      [2.0, 1.0],
                      [3.0, 1.0]])
    # point 0: mean 2, bias^2 = 4, variance = (1 + 0 + 1) / 3 = 2/3
    # point 1: mean 1, bias^2 = 0, variance = 0
    d = decompose(preds, f, noise_var=0.5)
    assert isinstance(d, Decomposition)
    assert d.bias2 == pytest.approx(2.0)
    assert d.variance == pytest.approx(1 / 3)
    assert d.noise == 0.5
    assert d.expected_error == pytest.approx(0.5 + 2.0 + 1 / 3)


def test_unbiased_estimator_has_zero_bias():
    f = np.array([1.0, -2.0, 3.0])
    preds = f + np.array([[1.0, -1.0, 2.0], [-1.0, 1.0, -2.0]])
    d = decompose(preds, f, noise_var=0.0)
    assert d.bias2 == pytest.approx(0.0)
    assert d.variance == pytest.approx((1 + 1 + 4) / 3)


def test_constant_predictions_have_zero_variance():
    f = np.linspace(0, 1, 5)
    preds = np.tile(np.full(5, 0.5), (4, 1))
    d = decompose(preds, f, noise_var=0.1)
    assert d.variance == 0.0
    assert d.bias2 == pytest.approx(np.mean((0.5 - f) ** 2))


def test_bias2_plus_variance_is_mean_squared_distance_to_f():
    rng = np.random.default_rng(0)
    preds = rng.normal(size=(50, 8)) * 2 + 1
    f = rng.normal(size=8)
    d = decompose(preds, f, noise_var=0.3)
    assert d.bias2 + d.variance == pytest.approx(np.mean((preds - f) ** 2))


def test_shrunken_mean_matches_the_page_example():
    # y ~ N(mu=2, sigma^2=4), n=4 draws; estimator c * sample mean. Theory: bias^2 = (c-1)^2 mu^2, var = c^2 sigma^2/n.
    rng = np.random.default_rng(1)
    samples = rng.normal(2.0, 2.0, size=(200_000, 4)).mean(axis=1)
    for c, bias2, var in [(1.0, 0.0, 1.0), (0.8, 0.16, 0.64), (0.5, 1.0, 0.25)]:
        d = decompose((c * samples)[:, None], np.array([2.0]), noise_var=4.0)
        assert d.bias2 == pytest.approx(bias2, abs=0.01)
        assert d.variance == pytest.approx(var, rel=0.02)


def test_matches_simulated_test_error():
    rng = np.random.default_rng(2)
    f = np.array([0.5, -0.5])
    preds = f + 0.3 + rng.normal(scale=0.4, size=(100_000, 2))
    y_new = f + rng.normal(scale=0.7, size=(100_000, 2))
    d = decompose(preds, f, noise_var=0.49)
    assert d.expected_error == pytest.approx(np.mean((y_new - preds) ** 2), rel=0.02)


@pytest.mark.parametrize(
    ("preds", "f", "noise"),
    [
        (np.zeros(5), np.zeros(5), 0.1),          # 1-D predictions
        (np.zeros((1, 5)), np.zeros(5), 0.1),     # a single training set
        (np.zeros((3, 5)), np.zeros(4), 0.1),     # mismatched points
        (np.zeros((3, 5)), np.zeros(5), -1.0),    # negative variance
        (np.zeros((3, 5)), np.zeros(5), np.nan),
    ],
)
def test_bad_inputs_raise(preds, f, noise):
    with pytest.raises(ValueError):
        decompose(preds, f, noise)


def _expected_log_loss(q, p):
    """Mean over training sets and points of sum_y p(y) * (-log q(y))."""
    return float(np.mean(np.sum(-p * np.log(q), axis=-1)))


def test_log_loss_hand_built_case():
    # one point, two classes, truth p = (1/2, 1/2); two training sets predict (0.2, 0.8) and (0.8, 0.2).
    q = np.array([[[0.2, 0.8]], [[0.8, 0.2]]])
    p = np.array([[0.5, 0.5]])
    d = decompose_log_loss(q, p)
    assert isinstance(d, LogLossDecomposition)
    # the geometric mean of the two predictions is (0.4, 0.4), normalised (1/2, 1/2): no bias
    assert d.noise == pytest.approx(np.log(2))
    assert d.bias == pytest.approx(0.0, abs=1e-15)
    # variance: KL((1/2, 1/2) || (0.2, 0.8)) = 0.5 log(0.5/0.2) + 0.5 log(0.5/0.8) = 0.5 log(25/16)
    assert d.variance == pytest.approx(0.5 * np.log(25 / 16))
    assert d.expected_error == pytest.approx(_expected_log_loss(q, p))


def test_log_loss_split_is_exact_for_random_predictions():
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=2.0, size=(40, 6, 3))
    q = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    p = rng.dirichlet(np.ones(3), size=6)
    d = decompose_log_loss(q, p)
    assert d.expected_error == pytest.approx(_expected_log_loss(q, p), rel=1e-12)
    assert d.bias > 0 and d.variance > 0


def test_arithmetic_mean_would_not_split_log_loss_exactly():
    q = np.array([[[0.1, 0.9]], [[0.7, 0.3]]])
    p = np.array([[0.3, 0.7]])
    avg = q.mean(axis=0)
    kl = lambda a, b: float(np.sum(a * np.log(a / b)))  # noqa: E731
    naive = -np.sum(p * np.log(p)) + kl(p[0], avg[0]) + np.mean([kl(avg[0], qi[0]) for qi in q])
    assert abs(naive - _expected_log_loss(q, p)) > 1e-3
    assert decompose_log_loss(q, p).expected_error == pytest.approx(_expected_log_loss(q, p))


def test_log_loss_constant_prediction_has_zero_variance_and_true_prediction_zero_bias():
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    q = np.tile(np.array([[0.3, 0.3, 0.4], [0.9, 0.05, 0.05]]), (3, 1, 1))
    d = decompose_log_loss(q, p)
    assert d.variance == pytest.approx(0.0, abs=1e-15)
    kl = np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1) / q[0]), 0), axis=-1)
    assert d.bias == pytest.approx(kl.mean())
    assert d.noise == pytest.approx(-np.sum(p[0] * np.log(p[0])) / 2)   # the second point has no noise
    p_pos = np.array([[0.2, 0.3, 0.5]])
    assert decompose_log_loss(np.tile(p_pos, (2, 1, 1)), p_pos).bias == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("q", "p"),
    [
        (np.full((3, 2), 0.5), np.full(2, 0.5)),                       # 2-D probabilities
        (np.full((1, 2, 2), 0.5), np.full((2, 2), 0.5)),               # a single training set
        (np.full((3, 2, 2), 0.5), np.full((3, 2), 0.5)),               # mismatched points
        (np.tile([[1.0, 0.0]], (3, 1, 1)), np.array([[0.5, 0.5]])),    # a zero predicted probability
        (np.full((3, 1, 2), 0.6), np.array([[0.5, 0.5]])),             # does not sum to 1
        (np.full((3, 1, 2), 0.5), np.array([[1.5, -0.5]])),            # negative truth
    ],
)
def test_log_loss_bad_inputs_raise(q, p):
    with pytest.raises(ValueError):
        decompose_log_loss(q, p)
