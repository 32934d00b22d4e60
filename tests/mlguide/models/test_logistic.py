"""Tests for src/mlguide/models/logistic.py: scikit-learn with the same penalty, the page's 2 x 2 table, and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from mlguide.models.logistic import fit_logistic_newton, logistic_standard_errors, sigmoid


def simulated(n: int, p: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p)
    beta = rng.normal(size=p)
    y = (rng.random(n) < expit(-0.7 + X @ beta)).astype(int)
    return X, y


def two_by_two():
    """The page's table: 30 of 100 exposed and 10 of 100 unexposed have the outcome."""
    x = np.r_[np.ones(100), np.zeros(100)]
    y = np.r_[np.ones(30), np.zeros(70), np.ones(10), np.zeros(90)]
    return x[:, None], y


# ---------------------------------------------------------------- sigmoid

def test_sigmoid_values_symmetry_and_no_overflow():
    z = np.array([-1000.0, -5.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise"):
        s = sigmoid(z)
    assert np.allclose(s, expit(z), rtol=1e-15, atol=0)
    assert s[2] == 0.5 and s[0] == 0.0 and s[-1] == 1.0
    assert np.allclose(sigmoid(-z), 1 - s)
    # the inverse is the logit
    p = np.linspace(0.01, 0.99, 9)
    assert np.allclose(sigmoid(np.log(p / (1 - p))), p)


# ---------------------------------------------------------------- fit_logistic_newton

def test_page_two_by_two_table():
    X, y = two_by_two()
    b0, beta = fit_logistic_newton(X, y)
    # the fit is saturated: fitted risks are the observed 0.3 and 0.1, the odds ratio is ad / bc
    assert b0 == pytest.approx(np.log(10 / 90), abs=1e-10)
    assert np.exp(beta[0]) == pytest.approx((30 * 90) / (70 * 10), abs=1e-9)
    assert np.exp(beta[0]) == pytest.approx(3.857, abs=5e-4)
    assert sigmoid(b0 + beta[0]) == pytest.approx(0.3, abs=1e-10)
    se = logistic_standard_errors(X, b0, beta)
    assert se[1] == pytest.approx(np.sqrt(1 / 30 + 1 / 70 + 1 / 10 + 1 / 90), abs=1e-9)   # Woolf
    assert se[1] == pytest.approx(0.398, abs=5e-4)
    low, high = np.exp(beta[0] + np.array([-1.96, 1.96]) * se[1])
    assert (round(low, 2), round(high, 2)) == (1.77, 8.42)


@pytest.mark.parametrize("seed", range(6))
def test_unpenalised_fit_matches_scikit_learn(seed):
    X, y = simulated(400, 4, seed)
    b0, beta = fit_logistic_newton(X, y)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert b0 == pytest.approx(ref.intercept_[0], abs=1e-6)
    assert np.allclose(beta, ref.coef_[0], atol=1e-6)
    # score equations: with an intercept, fitted probabilities average to the observed rate
    assert sigmoid(b0 + X @ beta).mean() == pytest.approx(y.mean(), abs=1e-10)


@pytest.mark.parametrize("l2", [0.01, 1.0, 30.0])
@pytest.mark.parametrize("seed", range(3))
def test_l2_fit_matches_scikit_learn_with_c_equal_one_over_l2(seed, l2):
    X, y = simulated(300, 5, 10 + seed)
    b0, beta = fit_logistic_newton(X, y, l2=l2)
    ref = LogisticRegression(C=1 / l2, tol=1e-12, max_iter=10_000).fit(X, y)
    assert b0 == pytest.approx(ref.intercept_[0], abs=1e-6)
    assert np.allclose(beta, ref.coef_[0], atol=1e-6)


def test_penalty_shrinks_coefficients_but_not_the_intercept():
    X, y = simulated(300, 3, 42)
    norms = [np.linalg.norm(fit_logistic_newton(X, y, l2=l2)[1]) for l2 in (0.0, 1.0, 10.0, 100.0, 1e6)]
    assert all(a > b for a, b in zip(norms, norms[1:]))
    b0, beta = fit_logistic_newton(X, y, l2=1e9)
    assert np.abs(beta).max() < 1e-5
    assert b0 == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-4)   # the base rate's log-odds


def test_separable_classes_have_no_finite_maximum():
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal(size=(25, 2)) + 3, rng.normal(size=(25, 2)) - 3]
    y = np.r_[np.ones(25), np.zeros(25)]
    with pytest.raises(RuntimeError, match="separable"):
        fit_logistic_newton(X, y)
    b0, beta = fit_logistic_newton(X, y, l2=1.0)                   # any penalty gives a finite answer
    ref = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    assert np.allclose(beta, ref.coef_[0], atol=1e-6)


def test_accepts_boolean_labels():
    X, y = simulated(100, 2, 5)
    a = fit_logistic_newton(X, y.astype(bool))
    b = fit_logistic_newton(X, y)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


@pytest.mark.parametrize(
    ("X", "y", "l2"),
    [
        (np.zeros((3, 1)), [0, 1, 2], 0.0),          # not binary
        (np.zeros((3, 1)), [-1, 1, 1], 0.0),         # -1/+1 labels
        (np.zeros((3, 1)), ["a", "b", "a"], 0.0),    # strings
        (np.zeros((3, 1)), [0, 1], 0.0),             # length mismatch
        (np.zeros(3), [0, 1, 0], 0.0),               # 1-D X
        (np.array([[0.0], [np.nan]]), [0, 1], 0.0),  # NaN feature
        (np.zeros((0, 1)), [], 0.0),                 # empty
        (np.zeros((2, 1)), [0, 1], -1.0),            # negative penalty
        (np.zeros((2, 1)), [0, 1], np.inf),          # infinite penalty
    ],
)
def test_bad_input_raises(X, y, l2):
    with pytest.raises(ValueError):
        fit_logistic_newton(X, y, l2=l2)


# ---------------------------------------------------------------- logistic_standard_errors

def test_standard_errors_are_the_inverse_hessian_of_the_log_loss():
    X, y = simulated(500, 3, 7)
    b0, beta = fit_logistic_newton(X, y)
    theta = np.r_[b0, beta]
    X1 = np.column_stack([np.ones(len(X)), X])

    def loss(t):
        eta = X1 @ t
        return np.sum(np.logaddexp(0, eta) - y * eta)

    h, k = 1e-4, len(theta)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            hess[i, j] = (loss(theta + ei + ej) - loss(theta + ei - ej) - loss(theta - ei + ej)
                          + loss(theta - ei - ej)) / (4 * h * h)
    assert np.allclose(logistic_standard_errors(X, b0, beta), np.sqrt(np.diag(np.linalg.inv(hess))), rtol=1e-4)


def test_standard_errors_shape_check():
    with pytest.raises(ValueError):
        logistic_standard_errors(np.zeros((4, 2)), 0.0, [1.0])
