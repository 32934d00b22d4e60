"""Tests for src/mlguide/generative/adversarial.py: the input gradient, FGSM and a PGD step against PyTorch autograd on
the same weights (same perturbation), the projection's properties, clipping to the valid range, the page's worked
example and closed form for the linear worst case, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.generative.adversarial import fgsm, input_gradient, pgd, pgd_step, project_linf


def _model(seed, n=30, d=12, K=4):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, d))
    W, b = rng.normal(0, 1, (K, d)), rng.normal(0, 1, K)
    return X, rng.integers(0, K, n), W, b


def _torch_linear(W, b):
    layer = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W))
        layer.bias.copy_(torch.tensor(b))
    return layer


def _torch_grad(layer, X, y):
    x = torch.tensor(X, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(layer(x), torch.tensor(y), reduction="none")
    loss.sum().backward()                        # per-example losses: row i's gradient is d loss_i / d x_i
    return loss.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("seed", range(4))
def test_input_gradient_matches_autograd(seed):
    X, y, W, b = _model(seed)
    loss, grad = input_gradient(X, y, W, b)
    torch_loss, torch_grad = _torch_grad(_torch_linear(W, b), X, y)
    np.testing.assert_allclose(loss, torch_loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, torch_grad, rtol=1e-10, atol=1e-12)


def _torch_fgsm(layer, X, y, eps):
    """FGSM as it is usually written in PyTorch: sign of the autograd input gradient, then clamp to [0, 1]."""
    _, g = _torch_grad(layer, X, y)
    return torch.clamp(torch.tensor(X) + eps * torch.sign(torch.tensor(g)), 0, 1).numpy()


def _torch_pgd_step(layer, X_adv, X, y, eps, alpha):
    _, g = _torch_grad(layer, X_adv, y)
    x_adv, x = torch.tensor(X_adv), torch.tensor(X)
    x_adv = x_adv + alpha * torch.sign(torch.tensor(g))
    x_adv = torch.max(torch.min(x_adv, x + eps), x - eps)     # project onto the eps-ball around x
    return torch.clamp(x_adv, 0, 1).numpy()                   # and the image range


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("eps", [0.0, 0.03, 0.1, 0.3])
def test_fgsm_and_pgd_step_match_torch(seed, eps):
    X, y, W, b = _model(seed)
    layer = _torch_linear(W, b)
    np.testing.assert_array_equal(fgsm(X, y, W, b, eps), _torch_fgsm(layer, X, y, eps))
    start = project_linf(X + np.random.default_rng(seed).uniform(-eps, eps, X.shape), X, eps)
    ours = pgd_step(start, X, y, W, b, eps, step_size=eps / 4)
    np.testing.assert_allclose(ours, _torch_pgd_step(layer, start, X, y, eps, eps / 4), rtol=0, atol=1e-15)


def test_fgsm_raises_the_loss_and_eps_zero_is_identity():
    X, y, W, b = _model(1, n=200)
    base, _ = input_gradient(X, y, W, b)
    for eps in (0.01, 0.05, 0.2):
        adv, _ = input_gradient(fgsm(X, y, W, b, eps, clip=None), y, W, b)
        assert np.all(adv >= base - 1e-12) and adv.mean() > base.mean()
    np.testing.assert_array_equal(fgsm(X, y, W, b, 0.0), X)


def test_page_worked_example():
    # binary logistic regression w = (2, -3), c = 0 as softmax with W = [[0, 0], w]; x = (0.6, 0.2), label 1
    W, b = np.array([[0.0, 0.0], [2.0, -3.0]]), np.zeros(2)
    x, y = np.array([[0.6, 0.2]]), np.array([1])
    _, grad = input_gradient(x, y, W, b)
    p = 1 / (1 + np.exp(-0.6))
    np.testing.assert_allclose(grad, [[(p - 1) * 2, (p - 1) * -3]])          # (sigma - y) w
    np.testing.assert_allclose(fgsm(x, y, W, b, 0.1), [[0.5, 0.3]])
    margin = lambda v: (v @ W.T + b)[0, 1] - (v @ W.T + b)[0, 0]           # noqa: E731
    assert margin(fgsm(x, y, W, b, 0.1)) == pytest.approx(0.6 - 0.1 * 5)    # falls by eps * ||w||_1
    assert margin(fgsm(x, y, W, b, 0.2)) == pytest.approx(-0.4)             # flipped


def test_binary_case_equals_logistic_regression():
    rng = np.random.default_rng(3)
    X, w, c = rng.uniform(0, 1, (50, 6)), rng.normal(size=6), 0.4
    y = rng.integers(0, 2, 50)
    W, b = np.vstack([np.zeros(6), w]), np.array([0.0, c])
    loss, grad = input_gradient(X, y, W, b)
    p = 1 / (1 + np.exp(-(X @ w + c)))
    np.testing.assert_allclose(loss, -(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-12)
    np.testing.assert_allclose(grad, (p - y)[:, None] * w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.5])
def test_linear_worst_case_has_the_pages_closed_form(eps):
    # the page: max over the L-inf ball of log(1 + exp(-s w.(x + delta))) = log(1 + exp(-s w.x + eps ||w||_1)),
    # s = +-1 the label; with no range constraint FGSM attains it, and no point of the ball does better
    rng = np.random.default_rng(7)
    X, w, c = rng.uniform(0, 1, (40, 6)), rng.normal(size=6), 0.3
    y = rng.integers(0, 2, 40)
    W, b = np.vstack([np.zeros(6), w]), np.array([0.0, c])
    s = 2 * y - 1
    closed_form = np.logaddexp(0, -s * (X @ w + c) + eps * np.abs(w).sum())
    attained, _ = input_gradient(fgsm(X, y, W, b, eps, clip=None), y, W, b)
    np.testing.assert_allclose(attained, closed_form, rtol=1e-12)
    for _ in range(20):                                  # random points of the ball, half the coordinates at a face
        inside, face = rng.uniform(-1, 1, X.shape), rng.choice([-1.0, 1.0], X.shape)
        delta = eps * np.where(rng.random(X.shape) < 0.5, face, inside)
        assert np.all(input_gradient(X + delta, y, W, b)[0] <= closed_form + 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_projection_properties(seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (20, 9))
    far = X + rng.normal(0, 1, X.shape)
    eps = 0.1
    P = project_linf(far, X, eps)
    assert np.all(np.abs(P - X) <= eps + 1e-15) and np.all((P >= 0) & (P <= 1))
    np.testing.assert_array_equal(project_linf(P, X, eps), P)                     # idempotent
    inside = project_linf(X + rng.uniform(-eps, eps, X.shape), X, eps)
    np.testing.assert_array_equal(project_linf(inside, X, eps), inside)           # points inside stay
    # it is the nearest feasible point: no random feasible point is closer to `far`, in any coordinate
    feasible = np.clip(X + rng.uniform(-eps, eps, (500, *X.shape)), 0, 1)
    assert np.all(np.abs(far - P) <= np.abs(far - feasible).min(axis=0) + 1e-15)
    unclipped = project_linf(far, X, eps, clip=None)
    assert np.all(np.abs(unclipped - X) <= eps + 1e-15) and (unclipped.min() < 0 or unclipped.max() > 1)


def test_clipping_to_the_valid_range():
    X = np.array([[0.0, 0.02, 0.5, 0.99, 1.0]])
    W, b, y = np.array([[0.0] * 5, [1.0, 1.0, -1.0, 1.0, 1.0]]), np.zeros(2), np.array([0])
    adv = fgsm(X, y, W, b, 0.05)          # label 0: the gradient points along w, so + for all but the middle
    np.testing.assert_allclose(adv, [[0.05, 0.07, 0.45, 1.0, 1.0]])
    adv_255 = fgsm(X * 255, y, W, b, 8.0, clip=(0.0, 255.0))
    np.testing.assert_allclose(adv_255, [[8.0, 13.1, 119.5, 255.0, 255.0]])


def test_pgd_stays_in_the_ball_and_beats_fgsm_on_average():
    X, y, W, b = _model(5, n=300, d=20, K=5)
    eps = 0.05
    adv = pgd(X, y, W, b, eps, step_size=eps / 4, steps=20, rng=0)
    assert np.all(np.abs(adv - X) <= eps + 1e-15) and np.all((adv >= 0) & (adv <= 1))
    loss_pgd, _ = input_gradient(adv, y, W, b)
    loss_fgsm, _ = input_gradient(fgsm(X, y, W, b, eps), y, W, b)
    assert loss_pgd.mean() >= loss_fgsm.mean() - 1e-9
    np.testing.assert_array_equal(pgd(X, y, W, b, eps, 0.01, steps=0), X)
    # one step from X with step size eps is FGSM
    np.testing.assert_array_equal(pgd(X, y, W, b, eps, eps, steps=1), fgsm(X, y, W, b, eps))


def test_bad_input():
    X, y, W, b = _model(0, n=5, d=3, K=2)
    with pytest.raises(ValueError, match="W must be"):
        input_gradient(X, y, W, np.zeros(3))
    with pytest.raises(ValueError, match="X must have shape"):
        input_gradient(X[:, :2], y, W, b)
    with pytest.raises(ValueError, match="labels"):
        input_gradient(X, np.array([0, 1, 2, 0, 1]), W, b)
    with pytest.raises(ValueError, match="labels"):
        input_gradient(X, y.astype(float), W, b)
    with pytest.raises(ValueError, match="NaN"):
        input_gradient(np.full_like(X, np.nan), y, W, b)
    with pytest.raises(ValueError, match="eps"):
        fgsm(X, y, W, b, -0.1)
    with pytest.raises(ValueError, match="step_size"):
        pgd_step(X, X, y, W, b, 0.1, np.inf)
    with pytest.raises(ValueError, match="same shape"):
        project_linf(X[:2], X, 0.1)
    with pytest.raises(ValueError, match="clip"):
        project_linf(X, X + 2.0, 0.1)
    with pytest.raises(ValueError, match="clip"):
        project_linf(X, X, 0.1, clip=(1.0, 0.0))
    with pytest.raises(ValueError, match="steps"):
        pgd(X, y, W, b, 0.1, 0.01, steps=2.5)
