"""Tests for src/mlguide/neural_networks/mlp.py: the page's worked example, central differences, PyTorch autograd on
the same weights and data, a training run on the digits, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mlguide.neural_networks.mlp import (
    init_mlp,
    mlp_backward,
    mlp_forward,
    mlp_loss,
    mlp_loss_and_grads,
    numerical_gradient,
    predict,
    relative_error,
    sgd_step,
    softmax_cross_entropy,
    train_mlp,
)


def small_problem(seed: int, n: int = 9, sizes=(5, 7, 6, 4)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    return init_mlp(list(sizes), seed=seed + 100), X, y


def torch_copy(params):
    """An nn.Sequential of Linear/ReLU layers in float64 holding the same weights (torch stores W transposed)."""
    layers = []
    for l, (W, b) in enumerate(params):
        lin = torch.nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if l < len(params) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


# ---------------------------------------------------------------- the page's worked example

def worked_example():
    params = [(np.array([[1.0, -1.0], [0.5, -1.0]]), np.zeros(2)),
              (np.eye(2), np.array([0.0, 2.0]))]
    return params, np.array([[1.0, 2.0]]), np.array([0])


def test_worked_example_on_the_page():
    params, X, y = worked_example()
    logits, cache = mlp_forward(params, X)
    assert np.allclose(cache[0][1], [[2.0, -3.0]]), "Z1 = x W1"
    assert np.allclose(cache[1][0], [[2.0, 0.0]]), "A1 = ReLU(Z1)"
    assert np.allclose(logits, [[2.0, 2.0]])
    loss, dZ2 = softmax_cross_entropy(logits, y)
    assert loss == pytest.approx(np.log(2))
    assert np.allclose(dZ2, [[-0.5, 0.5]])
    (dW1, db1), (dW2, db2) = mlp_backward(params, cache, dZ2)
    assert np.allclose(dW2, [[-1.0, 1.0], [0.0, 0.0]]) and np.allclose(db2, [-0.5, 0.5])
    assert np.allclose(dW1, [[-0.5, 0.0], [-1.0, 0.0]]) and np.allclose(db1, [-0.5, 0.0])
    sq_norm = sum((g ** 2).sum() for pair in mlp_backward(params, cache, dZ2) for g in pair)
    assert sq_norm == pytest.approx(4.0)
    sgd_step(params, mlp_backward(params, cache, dZ2), lr=0.1)
    assert np.allclose(params[0][0], [[1.05, -1.0], [0.6, -1.0]])
    assert np.allclose(params[1][0], [[1.1, -0.1], [0.0, 1.0]]) and np.allclose(params[1][1], [0.05, 1.95])
    logits_after, _ = mlp_forward(params, X)
    assert np.allclose(logits_after, [[2.58, 1.72]])
    assert mlp_loss(params, X, y) == pytest.approx(0.3529, abs=1e-4)


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("seed", range(3))
def test_backward_matches_central_differences(seed):
    params, X, y = small_problem(seed)
    _, grads = mlp_loss_and_grads(params, X, y)
    for l in range(len(params)):
        for k in range(2):
            def f(p, l=l, k=k):
                q = [list(pair) for pair in params]
                q[l][k] = p
                return mlp_loss([tuple(pair) for pair in q], X, y)
            assert relative_error(numerical_gradient(f, params[l][k]), grads[l][k]) < 1e-7


@pytest.mark.parametrize("seed", range(3))
def test_forward_loss_and_gradients_match_pytorch_autograd(seed):
    params, X, y = small_problem(seed, n=16)
    loss, grads = mlp_loss_and_grads(params, X, y)
    net = torch_copy(params)
    logits_t = net(torch.from_numpy(X))
    loss_t = torch.nn.functional.cross_entropy(logits_t, torch.from_numpy(y))
    loss_t.backward()
    assert np.allclose(mlp_forward(params, X)[0], logits_t.detach().numpy(), atol=1e-12)
    assert loss == pytest.approx(loss_t.item(), abs=1e-12)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for (dW, db), lin in zip(grads, linears, strict=True):
        assert np.allclose(dW, lin.weight.grad.numpy().T, atol=1e-12)
        assert np.allclose(db, lin.bias.grad.numpy(), atol=1e-12)


def test_sgd_training_follows_pytorch_step_for_step():
    # torch.optim.SGD(lr) without momentum is p -= lr * p.grad; written out because constructing
    # the optimizer costs over a second of imports (the notebook uses torch.optim.SGD itself)
    params, X, y = small_problem(7, n=40)
    net = torch_copy(params)
    ours = train_mlp(params, X, y, lr=0.2, epochs=5, batch_size=8, seed=3)
    rng, Xt, yt, theirs = np.random.default_rng(3), torch.from_numpy(X), torch.from_numpy(y), []
    for _ in range(5):
        order, losses = rng.permutation(len(X)), []
        for start in range(0, len(X), 8):
            idx = torch.from_numpy(order[start:start + 8])
            net.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
            loss.backward()
            with torch.no_grad():
                for p in net.parameters():
                    p -= 0.2 * p.grad
            losses.append(loss.item())
        theirs.append(np.mean(losses))
    assert np.allclose(ours, theirs, atol=1e-10)
    assert ours[-1] < ours[0]


def test_numerical_gradient_on_known_functions():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    g = numerical_gradient(lambda v: 0.5 * v @ A @ v, x)
    assert np.allclose(g, A @ x, atol=1e-8)
    x0 = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert np.array_equal(x, x0), "x is not modified"
    M = np.arange(6.0).reshape(2, 3)
    assert np.allclose(numerical_gradient(lambda m: np.sum(m ** 3), M), 3 * M ** 2, atol=1e-6)
    assert numerical_gradient(lambda v: v ** 2, 3).shape == ()  # a 0-d point works too


def test_relative_error():
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    # scale-free: the same relative gap at gradient size 1 and 1e-8
    assert relative_error([1e-8], [1.1e-8]) == pytest.approx(relative_error([1.0], [1.1]))


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss, dZ = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and loss == pytest.approx(500.0)
    assert np.allclose(dZ, [[0.0, 0.0], [-0.5, 0.5]])
    shifted, _ = softmax_cross_entropy(np.array([[3.0, 1.0, -2.0]]) + 1e4, np.array([1]))
    assert shifted == pytest.approx(softmax_cross_entropy(np.array([[3.0, 1.0, -2.0]]), np.array([1]))[0])


# ---------------------------------------------------------------- init and training

def test_init_shapes_and_he_scale():
    params = init_mlp([64, 500, 300, 10], seed=0)
    assert [W.shape for W, _ in params] == [(64, 500), (500, 300), (300, 10)]
    assert [b.shape for _, b in params] == [(500,), (300,), (10,)]
    assert all(np.all(b == 0) for _, b in params)
    assert params[1][0].std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    assert np.array_equal(init_mlp([3, 4, 2], seed=5)[0][0], init_mlp([3, 4, 2], seed=5)[0][0])


@pytest.mark.parametrize("seed", range(2))
def test_trains_on_digits_to_95_percent_test_accuracy(seed):
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    params = init_mlp([64, 64, 10], seed=seed)
    history = train_mlp(params, scaler.transform(X_tr), y_tr, lr=0.1, epochs=20, batch_size=32, seed=seed)
    assert history[-1] < 0.05 and history[0] > 0.5
    assert np.mean(predict(params, scaler.transform(X_te)) == y_te) > 0.95


# ---------------------------------------------------------------- bad input

def test_bad_input_raises_clear_errors():
    params = init_mlp([3, 4, 2])
    with pytest.raises(ValueError, match="shape"):
        mlp_forward(params, np.ones((5, 4)))
    with pytest.raises(ValueError, match="shape"):
        mlp_forward(params, np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        mlp_forward(params, np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(ValueError, match="empty"):
        mlp_forward([], np.ones((1, 3)))
    with pytest.raises(ValueError, match="0..1"):
        softmax_cross_entropy(np.zeros((2, 2)), np.array([0, 2]))
    with pytest.raises(ValueError, match="integer"):
        softmax_cross_entropy(np.zeros((2, 2)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="one label per row"):
        softmax_cross_entropy(np.zeros((2, 2)), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="shape"):
        softmax_cross_entropy(np.zeros(2), np.array([0, 1]))
    for sizes in ([3], [3, 0, 2], [3, 2.5, 2]):
        with pytest.raises(ValueError, match="sizes"):
            init_mlp(sizes)
    with pytest.raises(ValueError, match="lr"):
        sgd_step(params, [(np.zeros_like(W), np.zeros_like(b)) for W, b in params], lr=-1.0)
    _, cache = mlp_forward(params, np.ones((5, 3)))
    with pytest.raises(ValueError, match="dZ"):
        mlp_backward(params, cache, np.ones((4, 2)))
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(np.sum, np.ones(2), eps=0.0)
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="epochs"):
        train_mlp(params, np.ones((4, 3)), np.zeros(4, dtype=int), epochs=0)
