"""Tests for src/mlguide/data/privacy.py: the Laplace mechanism's noise has the scale sensitivity / epsilon (variance
2 b^2, mean absolute value b, and SciPy's Laplace distribution by a KS test), meets the epsilon-DP bound with equality
on a half-line, and rejects bad parameters; dp_mean clips and uses sensitivity (upper - lower) / n."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mlguide.data.privacy import dp_mean, laplace_mechanism

N = 200_000


def test_noise_variance_is_two_b_squared():
    # b = 0.5 / 0.25 = 2, so the variance should be 2 b^2 = 8. The sample variance of N Laplace draws has relative
    # standard error sqrt(5 / N), about 0.5%; allow 3%.
    noisy = laplace_mechanism(np.zeros(N), sensitivity=0.5, epsilon=0.25, rng=0)
    b = 0.5 / 0.25
    assert noisy.var() == pytest.approx(2 * b**2, rel=0.03)
    assert np.abs(noisy).mean() == pytest.approx(b, rel=0.02)     # E|noise| = b
    assert abs(noisy.mean()) < 5 * math.sqrt(2) * b / math.sqrt(N)  # unbiased


def test_noise_follows_scipys_laplace_distribution():
    value, sens, eps = 3.0, 1.0, 0.7
    noise = laplace_mechanism(np.full(20_000, value), sens, eps, rng=1) - value
    assert stats.kstest(noise, stats.laplace(scale=sens / eps).cdf).pvalue > 0.01


def test_page_worked_example_scale():
    # docs/data/data-privacy.md: mean of n = 1,000 values in [0, 1], epsilon = 0.5 -> b = 0.002, E|error| = 0.002,
    # RMSE = sqrt(2) * 0.002, about 0.0028.
    noisy = laplace_mechanism(np.full(N, 0.3), sensitivity=1 / 1000, epsilon=0.5, rng=2)
    assert np.abs(noisy - 0.3).mean() == pytest.approx(0.002, rel=0.02)
    assert np.sqrt(np.mean((noisy - 0.3) ** 2)) == pytest.approx(0.00283, rel=0.03)


def test_the_privacy_bound_is_met_with_equality_on_a_half_line():
    # Neighbouring answers f(D) = 0 and f(D') = sensitivity: P(M(D) <= 0) = 1/2 and P(M(D') <= 0) = exp(-eps) / 2,
    # a ratio of exactly e^eps, the largest any event can have.
    eps, sens = 1.0, 0.1
    out_d = laplace_mechanism(np.zeros(N), sens, eps, rng=3)
    out_d2 = laplace_mechanism(np.full(N, sens), sens, eps, rng=4)
    ratio = np.mean(out_d <= 0) / np.mean(out_d2 <= 0)
    assert ratio == pytest.approx(math.e, rel=0.03)


def test_scalar_in_float_out_and_shape_kept():
    assert isinstance(laplace_mechanism(1.0, 1.0, 1.0, rng=0), float)
    assert laplace_mechanism(np.zeros((3, 4)), 1.0, 1.0, rng=0).shape == (3, 4)


def test_seed_makes_it_reproducible():
    a = laplace_mechanism(np.zeros(5), 1.0, 1.0, rng=7)
    b = laplace_mechanism(np.zeros(5), 1.0, 1.0, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_zero_sensitivity_adds_no_noise():
    assert laplace_mechanism(2.5, 0.0, 1.0, rng=0) == 2.5


def test_smaller_epsilon_means_more_noise():
    small = laplace_mechanism(np.zeros(N), 1.0, 0.1, rng=5)
    large = laplace_mechanism(np.zeros(N), 1.0, 10.0, rng=5)
    assert np.abs(small).mean() == pytest.approx(100 * np.abs(large).mean(), rel=1e-9)  # same draws, scale x100


@pytest.mark.parametrize("epsilon", [0, -1, -0.5, float("nan"), float("inf")])
def test_bad_epsilon_raises(epsilon):
    with pytest.raises(ValueError, match="epsilon"):
        laplace_mechanism(1.0, 1.0, epsilon)


@pytest.mark.parametrize("sensitivity", [-1, float("nan"), float("inf")])
def test_bad_sensitivity_raises(sensitivity):
    with pytest.raises(ValueError, match="sensitivity"):
        laplace_mechanism(1.0, sensitivity, 1.0)


def test_non_finite_value_raises():
    with pytest.raises(ValueError, match="finite"):
        laplace_mechanism([1.0, np.nan], 1.0, 1.0)


# ---- dp_mean ----

def test_dp_mean_is_the_clipped_mean_plus_noise_of_the_right_scale():
    x = np.array([0.2, 0.4, 0.9, 1.7, -0.3])           # clipped to [0, 1]: 0.2, 0.4, 0.9, 1.0, 0.0, mean 0.5
    rng = np.random.default_rng(6)
    draws = np.array([dp_mean(x, 0.0, 1.0, 2.0, rng) for _ in range(20_000)])
    b = (1.0 - 0.0) / (5 * 2.0)                          # 0.1
    assert draws.mean() == pytest.approx(0.5, abs=5 * math.sqrt(2) * b / math.sqrt(draws.size))
    assert np.abs(draws - 0.5).mean() == pytest.approx(b, rel=0.05)


def test_dp_mean_matches_laplace_mechanism_with_the_same_seed():
    x = np.linspace(0, 1, 11)
    assert dp_mean(x, 0.0, 1.0, 0.5, rng=9) == pytest.approx(laplace_mechanism(x.mean(), 1 / 11, 0.5, rng=9), abs=1e-15)


@pytest.mark.parametrize(("lower", "upper"), [(1.0, 1.0), (2.0, 1.0), (0.0, float("inf")), (float("nan"), 1.0)])
def test_dp_mean_bad_bounds_raise(lower, upper):
    with pytest.raises(ValueError, match="bounds"):
        dp_mean([0.5], lower, upper, 1.0)


def test_dp_mean_empty_or_nan_raises():
    with pytest.raises(ValueError, match="empty"):
        dp_mean([], 0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        dp_mean([0.5, np.nan], 0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="epsilon"):
        dp_mean([0.5], 0.0, 1.0, 0.0)
