"""Measuring a speed-up and distilling a model: a best-of-n timer, a speed-up ratio, and the distillation loss.

Backs the page `docs/career/making-models-faster.md` and its notebook `docs/career/notebooks/speeding_up_a_pipeline.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


# --8<-- [start:best_of]
def best_of(fn: Callable[[], object], repeats: int = 5, number: int = 1,
            clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds per call of fn(): the fastest of `repeats` runs of `number` calls each.

    The minimum, not the mean: other processes add time, so the fastest run
    is the best estimate of what the code itself costs, and it is what to
    compare between two versions of the code. That fails on a shared core when
    every run outlasts a scheduler time slice; then pass a CPU-time clock such
    as time.thread_time (single-threaded code). (For serving latency, where
    the slow requests are the point, report percentiles instead.)
    Raises ValueError if fn is not callable or repeats or number is not a
    positive integer.
    """
    if not callable(fn):
        raise ValueError("fn must be a callable taking no arguments")
    repeats, number = _positive_int("repeats", repeats), _positive_int("number", number)
    best = math.inf
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            fn()
        best = min(best, (clock() - start) / number)
    return best
# --8<-- [end:best_of]


def speedup(slow_seconds: float, fast_seconds: float) -> float:
    """How many times faster the second timing is than the first: slow_seconds / fast_seconds.

    Raises ValueError unless both are positive and finite.
    """
    for name, value in (("slow_seconds", slow_seconds), ("fast_seconds", fast_seconds)):
        if not (_is_real(value) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive, finite number of seconds, got {value!r}")
    return float(slow_seconds) / float(fast_seconds)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# --8<-- [start:distillation_loss]
def distillation_loss(student_logits, teacher_logits, labels,
                      temperature: float = 4.0, alpha: float = 0.9):
    """Knowledge-distillation loss (Hinton et al., 2015) and its gradient.

    loss = alpha * T^2 * KL(teacher || student), both softened by T
         + (1 - alpha) * cross-entropy(student, labels) at T = 1,
    each averaged over the n rows. Softening divides the logits by T
    before the softmax, which exposes how the teacher ranks the wrong
    classes; the T^2 keeps the soft term's gradient from shrinking as
    1/T^2. (Hinton et al. use the cross-entropy with the soft targets,
    which differs from the KL by the teacher's entropy, a constant: same
    gradient.) Returns (loss, gradient with respect to student_logits).
    Logits are (n, K) arrays, labels n integers in 0..K-1.
    """
    s = np.asarray(student_logits, dtype=float)
    t = np.asarray(teacher_logits, dtype=float)
    y = np.asarray(labels)
    if s.ndim != 2 or s.shape != t.shape or s.shape[0] == 0:
        raise ValueError(f"logits must be two (n, K) arrays of one shape, got {s.shape} and {t.shape}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(t))):
        raise ValueError("logits must be finite")
    n, k = s.shape
    if (y.shape != (n,) or not np.issubdtype(y.dtype, np.integer)
            or np.any(y < 0) or np.any(y >= k)):
        raise ValueError(f"labels must be {n} integers in 0..{k - 1}")
    if not (_is_real(temperature) and math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    if not (_is_real(alpha) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha must lie in [0, 1], got {alpha!r}")

    T = float(temperature)
    log_q = _log_softmax(s / T)             # student, softened
    log_p = _log_softmax(t / T)             # teacher, softened
    p = np.exp(log_p)
    kl = np.sum(p * (log_p - log_q)) / n
    log_q1 = _log_softmax(s)                # student at T = 1
    ce = -log_q1[np.arange(n), y].mean()
    loss = alpha * T**2 * kl + (1 - alpha) * ce

    one_hot = np.eye(k)[y]
    grad = (alpha * T * (np.exp(log_q) - p)
            + (1 - alpha) * (np.exp(log_q1) - one_hot)) / n
    return float(loss), grad
# --8<-- [end:distillation_loss]
