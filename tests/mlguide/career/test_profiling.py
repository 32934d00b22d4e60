"""Tests for src/mlguide/career/profiling.py: the timer on a scripted clock and a real sleep, the speed-up ratio, and the
distillation loss and its gradient against PyTorch autograd, plus clear errors on bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlguide.career.profiling import best_of, distillation_loss, speedup


# ---- best_of ----

def scripted_clock(readings):
    """A clock that returns the given readings in order, so that a timing is known exactly."""
    it = iter(readings)
    return lambda: next(it)


def test_best_of_takes_the_fastest_run_per_call():
    calls = []
    # three runs of two calls: 0 -> 6 s, 10 -> 13 s, 20 -> 24 s, so 3, 1.5 and 2 s per call
    clock = scripted_clock([0.0, 6.0, 10.0, 13.0, 20.0, 24.0])
    assert best_of(lambda: calls.append(1), repeats=3, number=2, clock=clock) == pytest.approx(1.5)
    assert len(calls) == 6, "repeats x number calls"


def test_best_of_is_never_below_the_true_cost():
    assert best_of(lambda: time.sleep(0.002), repeats=3) >= 0.002


@pytest.mark.parametrize("kwargs", [dict(repeats=0), dict(number=0), dict(repeats=2.5), dict(number=True)])
def test_best_of_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        best_of(lambda: None, **kwargs)


def test_best_of_rejects_a_non_callable():
    with pytest.raises(ValueError, match="callable"):
        best_of(42)


# ---- speedup ----

def test_speedup_is_slow_over_fast():
    assert speedup(0.05, 0.005) == pytest.approx(10.0)
    assert speedup(1, 2) == pytest.approx(0.5), "a slowdown is a ratio below 1"


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan"), "1", True])
def test_speedup_rejects_bad_timings(bad):
    with pytest.raises(ValueError, match="positive, finite"):
        speedup(bad, 1.0)
    with pytest.raises(ValueError, match="positive, finite"):
        speedup(1.0, bad)


# ---- distillation_loss ----

def torch_distillation(s, t, y, T, alpha):
    """The usual PyTorch form: KL on temperature-softened outputs times T^2, plus cross-entropy on the labels."""
    soft = F.kl_div(F.log_softmax(s / T, dim=1), F.log_softmax(t / T, dim=1), reduction="batchmean",
                    log_target=True)
    return alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(s, y)


@pytest.mark.parametrize("seed", range(6))
def test_distillation_loss_and_gradient_match_pytorch(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 40)), int(rng.integers(2, 12))
    s, t = rng.normal(scale=3, size=(n, k)), rng.normal(scale=3, size=(n, k))
    y = rng.integers(0, k, size=n)
    T, alpha = float(rng.uniform(0.5, 8)), float(rng.uniform(0, 1))
    loss, grad = distillation_loss(s, t, y, temperature=T, alpha=alpha)

    s_t = torch.tensor(s, requires_grad=True)
    ref = torch_distillation(s_t, torch.tensor(t), torch.tensor(y), T, alpha)
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(grad, s_t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_alpha_zero_is_cross_entropy_and_matching_logits_leave_only_it():
    rng = np.random.default_rng(7)
    s, y = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    ce = F.cross_entropy(torch.tensor(s), torch.tensor(y)).item()
    assert distillation_loss(s, rng.normal(size=(5, 4)), y, alpha=0.0)[0] == pytest.approx(ce)
    # a student equal to its teacher has zero KL, whatever the temperature
    assert distillation_loss(s, s, y, temperature=3.0, alpha=1.0)[0] == pytest.approx(0.0, abs=1e-12)


def test_t_squared_keeps_the_soft_gradient_scale_roughly_constant():
    # For large T the softened gradient is about (s - t, centred) / (K T^2), so times T^2 it tends to a limit.
    rng = np.random.default_rng(3)
    s, t, y = rng.normal(size=(8, 10)), rng.normal(size=(8, 10)), rng.integers(0, 10, size=8)
    norms = [np.abs(distillation_loss(s, t, y, temperature=T, alpha=1.0)[1]).sum() for T in (10.0, 20.0, 40.0)]
    assert max(norms) / min(norms) < 1.1
    # Without the T^2 factor the same gradients would fall 16-fold from T = 10 to T = 40.


def test_large_logits_stay_finite():
    s = np.array([[1000.0, -1000.0, 0.0]])
    loss, grad = distillation_loss(s, -s, [0], temperature=1.0, alpha=0.5)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("s, t, y, match", [
    (np.zeros((3, 4)), np.zeros((3, 5)), [0, 1, 2], "one shape"),
    (np.zeros(4), np.zeros(4), [0], "one shape"),
    (np.zeros((0, 4)), np.zeros((0, 4)), [], "one shape"),
    (np.full((2, 3), np.nan), np.zeros((2, 3)), [0, 1], "finite"),
    (np.zeros((2, 3)), np.zeros((2, 3)), [0, 3], "integers in 0..2"),
    (np.zeros((2, 3)), np.zeros((2, 3)), [0.0, 1.0], "integers"),
    (np.zeros((2, 3)), np.zeros((2, 3)), [0], "2 integers"),
])
def test_distillation_loss_rejects_bad_arrays(s, t, y, match):
    with pytest.raises(ValueError, match=match):
        distillation_loss(s, t, y)


@pytest.mark.parametrize("kwargs, match", [
    (dict(temperature=0.0), "temperature"), (dict(temperature=-2.0), "temperature"),
    (dict(temperature=float("inf")), "temperature"), (dict(alpha=1.5), "alpha"), (dict(alpha=-0.1), "alpha"),
])
def test_distillation_loss_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        distillation_loss(np.zeros((2, 3)), np.zeros((2, 3)), [0, 1], **kwargs)
