"""Tests for src/mlguide/foundations/losses.py: against scikit-learn's log_loss, SciPy's log_softmax, finite differences and the
page's worked example."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from mlguide.foundations.losses import log_softmax, softmax_cross_entropy


def test_worked_example_on_the_page():
    # docs/foundations/loss-functions.md: logits (2, 1, 0), true class 0.
    loss, grad = softmax_cross_entropy([[2.0, 1.0, 0.0]], [0])
    total = np.exp(2) + np.exp(1) + 1            # 11.107
    p = np.array([np.exp(2), np.exp(1), 1.0]) / total
    assert np.allclose(p, [0.665, 0.245, 0.090], atol=5e-4)
    assert loss == pytest.approx(np.log(total) - 2)
    assert loss == pytest.approx(0.408, abs=5e-4)
    assert np.allclose(grad, [[-0.335, 0.245, 0.090]], atol=5e-4)


@pytest.mark.parametrize("seed", range(8))
def test_loss_matches_scikit_learn_log_loss(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 60)), int(rng.integers(2, 7))
    z = rng.normal(scale=3.0, size=(n, k))
    y = rng.integers(0, k, size=n)
    loss, _ = softmax_cross_entropy(z, y)
    probs = special.softmax(z, axis=1)
    assert loss == pytest.approx(log_loss(y, probs, labels=np.arange(k)), rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_log_softmax_matches_scipy(seed):
    z = np.random.default_rng(seed).normal(scale=10.0, size=(7, 4))
    assert np.allclose(log_softmax(z), special.log_softmax(z, axis=1), atol=1e-12)
    assert np.allclose(np.exp(log_softmax(z)).sum(axis=1), 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_central_finite_differences(seed):
    rng = np.random.default_rng(100 + seed)
    n, k = 6, 4
    z = rng.normal(scale=2.0, size=(n, k))
    y = rng.integers(0, k, size=n)
    _, grad = softmax_cross_entropy(z, y)
    h = 1e-6
    numeric = np.zeros_like(z)
    for i in range(n):
        for j in range(k):
            step = np.zeros_like(z)
            step[i, j] = h
            numeric[i, j] = (softmax_cross_entropy(z + step, y)[0] - softmax_cross_entropy(z - step, y)[0]) / (2 * h)
    assert np.allclose(grad, numeric, atol=1e-8)
    assert np.allclose(grad.sum(axis=1), 0.0, atol=1e-15), "each row of p - onehot(y) sums to zero"


def test_extreme_logits_stay_finite():
    z = np.array([[1000.0, 0.0, -1000.0], [-800.0, 800.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = softmax_cross_entropy(z, np.array([2, 1]))
    # row 1: true class sits 2000 below the maximum; row 2: the true class is the maximum, loss exp(-800) ~ 0
    assert loss == pytest.approx((2000.0 + 0.0) / 2)
    assert np.all(np.isfinite(grad))
    assert np.allclose(grad, [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.isnan(naive).any(), "the unshifted softmax overflows on these logits"


def test_shift_invariance():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 3))
    y = rng.integers(0, 3, size=5)
    shifted = z + rng.normal(scale=50.0, size=(5, 1))      # a different constant per row
    a, b = softmax_cross_entropy(z, y), softmax_cross_entropy(shifted, y)
    assert a[0] == pytest.approx(b[0], rel=1e-12)
    assert np.allclose(a[1], b[1], atol=1e-14)


def test_two_classes_reduce_to_the_logistic_loss():
    rng = np.random.default_rng(4)
    f = rng.normal(scale=3.0, size=50)              # one score per example
    y = rng.integers(0, 2, size=50)
    z = np.column_stack([np.zeros(50), f])          # class-1 logit f, class-0 logit 0
    loss, grad = softmax_cross_entropy(z, y)
    margin = np.where(y == 1, f, -f)
    assert loss == pytest.approx(np.mean(np.logaddexp(0.0, -margin)))
    assert np.allclose(grad[:, 1], (special.expit(f) - y) / 50)


def test_gradient_of_scikit_learn_fit_is_zero():
    # At the unpenalised multinomial MLE, X^T (P - Y) = 0: the same gradient, chained through z = X W + b.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    y = np.argmax(X @ rng.normal(size=(3, 3)) + rng.gumbel(size=(300, 3)), axis=1)
    model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    loss, grad = softmax_cross_entropy(model.decision_function(X), y)
    assert loss == pytest.approx(log_loss(y, model.predict_proba(X)), rel=1e-9)
    assert np.allclose(X.T @ grad, 0.0, atol=1e-6)
    assert np.allclose(grad.sum(axis=0), 0.0, atol=1e-6), "the intercepts' gradient vanishes too"


@pytest.mark.parametrize(
    ("logits", "labels"),
    [
        ([1.0, 2.0], [0]),                          # 1-D logits
        ([[1.0]], [0]),                             # one class only
        (np.zeros((0, 3)), []),                     # no examples
        ([[1.0, np.nan]], [0]),                     # NaN
        ([[np.inf, 0.0]], [0]),                     # infinite logit
        ([[1.0, 2.0]], [2]),                        # label out of range
        ([[1.0, 2.0]], [-1]),                       # negative label
        ([[1.0, 2.0]], [0.0]),                      # float label
        ([[1.0, 2.0], [0.0, 1.0]], [1]),            # length mismatch
        ([[1.0, 2.0]], [[0]]),                      # 2-D labels
    ],
)
def test_bad_input_raises(logits, labels):
    with pytest.raises(ValueError):
        softmax_cross_entropy(logits, labels)
