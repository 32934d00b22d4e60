"""Tests for src/mlguide/foundations/model_comparison.py: against SciPy's paired t-test and the page's worked example."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlguide.foundations.model_comparison import corrected_resampled_ttest


def differences_with(mean: float, sd: float, j: int, seed: int = 0) -> np.ndarray:
    """j numbers with exactly this mean and sample standard deviation (ddof=1)."""
    z = np.random.default_rng(seed).normal(size=j)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


def test_worked_example_on_the_page():
    # docs/foundations/choosing-a-model.md: 10-fold CV, mean difference 0.01, sd 0.02, n_test/n_train = 1/9.
    d = differences_with(0.01, 0.02, 10)
    plain = stats.ttest_1samp(d, 0.0).statistic
    assert plain == pytest.approx(0.01 / (0.02 / np.sqrt(10)))
    assert plain == pytest.approx(1.581, abs=1e-3)
    t, p = corrected_resampled_ttest(d, np.zeros(10), n_train=900, n_test=100)
    assert t == pytest.approx(0.01 / (0.02 * np.sqrt(1 / 10 + 1 / 9)))
    assert t == pytest.approx(1.088, abs=1e-3)
    assert p == pytest.approx(2 * stats.t.sf(t, df=9))
    assert 0.30 < p < 0.31


@pytest.mark.parametrize("seed", range(6))
def test_reduces_to_scipy_paired_test_once_the_correction_is_undone(seed):
    rng = np.random.default_rng(seed)
    j = int(rng.integers(3, 40))
    a = rng.normal(0.85, 0.02, size=j)
    b = a - rng.normal(0.005, 0.01, size=j)
    n_train, n_test = int(rng.integers(50, 5000)), int(rng.integers(10, 2000))
    t, p = corrected_resampled_ttest(a, b, n_train, n_test)
    reference = stats.ttest_rel(a, b)
    # the correction divides the plain statistic by sqrt(1 + J * n_test / n_train)
    assert t * np.sqrt(1 + j * n_test / n_train) == pytest.approx(reference.statistic, rel=1e-10)
    assert p == pytest.approx(2 * stats.t.sf(abs(t), df=j - 1), rel=1e-10)
    assert p >= reference.pvalue, "the corrected test is never more confident than the plain one"


def test_sign_and_symmetry():
    a = np.array([0.90, 0.92, 0.91, 0.93, 0.94])
    b = np.array([0.89, 0.90, 0.91, 0.90, 0.92])
    t_ab, p_ab = corrected_resampled_ttest(a, b, 400, 100)
    t_ba, p_ba = corrected_resampled_ttest(b, a, 400, 100)
    assert t_ab > 0 and t_ba == pytest.approx(-t_ab) and p_ab == pytest.approx(p_ba)


@pytest.mark.parametrize(
    ("a", "b", "n_train", "n_test"),
    [
        ([0.9, 0.8], [0.9], 100, 10),                 # length mismatch
        ([0.9], [0.8], 100, 10),                      # one split only
        ([[0.9, 0.8]], [[0.7, 0.6]], 100, 10),        # 2-D
        ([0.9, np.nan], [0.8, 0.7], 100, 10),         # NaN
        ([0.9, 0.8], [0.8, 0.7], 100, 10),            # constant difference
        ([0.9, 0.8], [0.7, 0.75], 0, 10),             # no training rows
        ([0.9, 0.8], [0.7, 0.75], 100, -1),           # negative test size
    ],
)
def test_bad_input_raises(a, b, n_train, n_test):
    with pytest.raises(ValueError):
        corrected_resampled_ttest(a, b, n_train, n_test)
