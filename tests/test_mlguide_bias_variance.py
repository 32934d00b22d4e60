"""Tests for src/mlguide/bias_variance.py against hand-built cases and a direct Monte Carlo computation."""

from __future__ import annotations

import numpy as np
import pytest

from mlguide.bias_variance import Decomposition, decompose


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
