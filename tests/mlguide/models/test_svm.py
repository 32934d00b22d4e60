"""Tests for src/mlguide/models/svm.py: the from-scratch linear SVM against scikit-learn's LinearSVC and SVC on the same
data, its optimality conditions, the page's worked example, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_blobs, make_classification
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from mlguide.models.svm import LinearSVM, dual_objective, linear_svm_dual_cd, primal_objective


def cosine(u, v):
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


def data(seed, n=200):
    X, y = make_classification(n_samples=n, n_features=5, n_informative=3, n_redundant=0, flip_y=0.05,
                               random_state=seed)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("C", [0.1, 1.0])
@pytest.mark.parametrize("seed", range(3))
def test_matches_liblinear_hinge_loss(seed, C):
    # LinearSVC(loss="hinge") solves the same problem: hinge loss, L2 penalty, bias as the weight of a constant 1
    X, y = data(seed)
    w, b, _ = linear_svm_dual_cd(X, np.where(y == 1, 1.0, -1.0), C=C, tol=1e-7, max_epochs=20_000)
    ref = LinearSVC(loss="hinge", C=C, tol=1e-10, max_iter=1_000_000).fit(X, y)
    assert np.allclose(w, ref.coef_[0], atol=1e-5)
    assert b == pytest.approx(ref.intercept_[0], abs=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_agrees_with_svc_linear_kernel_in_direction_and_accuracy(seed):
    # SVC leaves the bias unpenalised, so the solutions differ slightly; direction and accuracy agree
    X, y = data(seed)
    model = LinearSVM(C=1.0).fit(X, y)
    ref = SVC(kernel="linear", C=1.0).fit(X, y)
    assert cosine(model.coef_, ref.coef_[0]) > 0.999
    assert abs(np.mean(model.predict(X) == y) - ref.score(X, y)) <= 0.01
    assert np.mean(model.predict(X) == ref.predict(X)) >= 0.98


def test_on_a_real_data_set():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LinearSVM(C=0.1, tol=1e-4, max_epochs=5000).fit(X, y)
    ref = SVC(kernel="linear", C=0.1).fit(X, y)
    assert cosine(model.coef_, ref.coef_[0]) > 0.99
    assert abs(np.mean(model.predict(X) == y) - ref.score(X, y)) <= 0.01
    assert np.mean(model.predict(X) == y) > 0.97


def test_optimality_conditions_and_duality():
    X, y = data(7)
    s = np.where(y == 1, 1.0, -1.0)
    C = 0.5
    w, b, alpha = linear_svm_dual_cd(X, s, C=C, tol=1e-9, max_epochs=20_000)
    margin = s * (X @ w + b)
    assert np.all((alpha >= 0) & (alpha <= C))
    assert np.all(margin[alpha == 0] >= 1 - 1e-6), "alpha = 0: on or outside the margin"
    free = (alpha > 1e-9) & (alpha < C - 1e-9)
    assert free.any() and np.allclose(margin[free], 1, atol=1e-6), "0 < alpha < C: on the margin"
    assert np.all(margin[alpha == C] <= 1 + 1e-6), "alpha = C: on or inside the margin"
    Z = np.column_stack([X, np.ones(len(X))])
    assert np.allclose(np.append(w, b), Z.T @ (alpha * s)), "w = sum_i alpha_i y_i z_i"
    gap = primal_objective(w, b, X, s, C) - dual_objective(alpha, X, s)
    assert 0 <= gap < 1e-6, "weak duality, and a vanishing gap at the optimum"


def test_primal_objective_matches_a_direct_computation():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    s = np.array([1.0, -1.0, -1.0])
    w, b = np.array([1.0, -1.0]), 0.5
    # margins: 1.5, 0.5, -0.5 -> hinge 0, 0.5, 1.5; penalty 0.5 * (1 + 1 + 0.25)
    assert primal_objective(w, b, X, s, C=2.0) == pytest.approx(0.5 * 2.25 + 2.0 * 2.0)


def test_page_worked_example():
    # docs/models/support-vector-machines.md: (2, 2) and (3, 3) positive, (0, 0) negative
    X = np.array([[2.0, 2.0], [3.0, 3.0], [0.0, 0.0]])
    s = np.array([1.0, 1.0, -1.0])
    hard = SVC(kernel="linear", C=1e6).fit(X, s)
    assert np.allclose(hard.coef_, [[0.5, 0.5]]) and np.isclose(hard.intercept_[0], -1)
    assert sorted(hard.support_) == [0, 2], "(3, 3) is not a support vector"
    assert np.allclose(np.abs(hard.dual_coef_), 0.25), "alpha = 1/4 for both support vectors"
    assert 2 / np.linalg.norm(hard.coef_) == pytest.approx(2 * np.sqrt(2)), "margin width = |(2,2) - (0,0)|"
    # penalising the bias changes nothing here: (0, 0) forces b = -1 either way, but alpha_neg becomes 1.25
    w, b, alpha = linear_svm_dual_cd(X, s, C=1e3, tol=1e-12)
    assert np.allclose(w, [0.5, 0.5]) and b == pytest.approx(-1)
    assert np.allclose(alpha, [0.25, 0.0, 1.25])
    # soft margin, C = 0.1: alpha capped at 0.1, w = 0.1 * (2, 2), margin width 2 / |w| = 5 sqrt(2)
    soft = SVC(kernel="linear", C=0.1).fit(X, s)
    assert np.allclose(soft.coef_, [[0.2, 0.2]]) and np.allclose(np.abs(soft.dual_coef_), 0.1)
    assert 2 / np.linalg.norm(soft.coef_) == pytest.approx(5 * np.sqrt(2))
    # b is not unique here: every b in [-0.2, 0.2] gives the same objective 0.04 + 0.1 * 1.2 = 0.16
    for b_try in (-0.2, 0.0, 0.2):
        value = 0.5 * 0.08 + 0.1 * np.maximum(0, 1 - s * (X @ soft.coef_[0] + b_try)).sum()
        assert value == pytest.approx(0.16)
    # LIBSVM takes the midpoint b = 0: (0, 0) lies on the boundary and (2, 2) inside the margin
    assert soft.intercept_[0] == pytest.approx(0, abs=1e-12)
    margins = s * soft.decision_function(X)
    assert margins[2] == pytest.approx(0, abs=1e-12) and 0 < margins[0] < 1


def test_separable_data_large_C_gives_zero_training_error():
    X, y = make_blobs(n_samples=80, centers=[[-3, 0], [3, 0]], cluster_std=0.7, random_state=0)
    model = LinearSVM(C=100.0, tol=1e-6).fit(X, y)
    assert np.all(model.predict(X) == y)
    assert len(model.support_) <= 5, "a hard margin rests on a handful of points"


def test_labels_are_mapped_and_restored():
    X, y = data(1)
    labels = np.where(y == 1, "spam", "ham")
    model = LinearSVM(C=1.0).fit(X, labels)
    assert set(model.predict(X)) <= {"ham", "spam"}
    assert list(model.classes_) == ["ham", "spam"]
    numeric = LinearSVM(C=1.0).fit(X, y)
    assert np.array_equal(model.predict(X) == "spam", numeric.predict(X) == 1)


def test_non_convergence_warns():
    X, y = data(2)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        linear_svm_dual_cd(X, np.where(y == 1, 1.0, -1.0), C=10.0, tol=1e-12, max_epochs=2)


@pytest.mark.parametrize(
    ("X", "y", "kwargs"),
    [
        (np.ones((4, 2)), [1, 1, 1, 1], {}),                    # one class only
        (np.ones((4, 2)), [0, 1, 0, 1], {}),                    # labels must be -1 / +1
        (np.ones((4, 2)), [1, -1, 1], {}),                      # length mismatch
        (np.ones(4), [1, -1, 1, -1], {}),                       # 1-D X
        (np.array([[np.nan, 1]] * 4), [1, -1, 1, -1], {}),      # NaN
        (np.ones((4, 2)), [1, -1, 1, -1], {"C": 0.0}),          # C must be positive
        (np.ones((4, 2)), [1, -1, 1, -1], {"bias_scale": -1}),  # so must bias_scale
    ],
)
def test_bad_input_raises(X, y, kwargs):
    with pytest.raises(ValueError):
        linear_svm_dual_cd(X, y, **kwargs)


def test_wrapper_is_binary_only():
    with pytest.raises(ValueError, match="binary"):
        LinearSVM().fit(np.eye(3), [0, 1, 2])


def test_bias_scale_moves_towards_the_unpenalised_bias():
    # a large constant feature makes its weight cheap, so the bias approaches SVC's unpenalised one
    X, y = make_blobs(n_samples=100, centers=[[1, 1], [3, 3]], cluster_std=0.8, random_state=4)
    s = np.where(y == 1, 1.0, -1.0)
    ref = SVC(kernel="linear", C=1.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gaps = [abs(linear_svm_dual_cd(X, s, C=1.0, bias_scale=scale, tol=1e-6, max_epochs=20_000)[1]
                    - ref.intercept_[0]) for scale in (1.0, 10.0)]
    assert gaps[1] < gaps[0]
