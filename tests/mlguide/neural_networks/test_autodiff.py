"""Tests for src/mlguide/neural_networks/autodiff.py: gradients against PyTorch autograd on the same expressions,
fan-out accumulation, the page's worked example, central differences, and bad input."""

from __future__ import annotations

import math
import random

import pytest
import torch

from mlguide.neural_networks.autodiff import Value, numerical_derivative

def grads_both(expr, xs):
    """Evaluate expr on Values and on float64 torch leaves; return (value, grads) for each."""
    vs = [Value(x) for x in xs]
    out = expr(vs)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    tout = expr(ts)
    tout.backward()
    return (out.data, [v.grad for v in vs]), (tout.item(), [t.grad.item() for t in ts])


def sig(a):
    return a.sigmoid() if isinstance(a, Value) else torch.sigmoid(a)


def th(a):
    return a.tanh() if isinstance(a, Value) else torch.tanh(a)


def ex(a):
    return a.exp() if isinstance(a, Value) else torch.exp(a)


def lg(a):
    return a.log() if isinstance(a, Value) else torch.log(a)


def relu(a):
    return a.relu() if isinstance(a, Value) else torch.relu(a)


EXPRESSIONS = {
    # the page's worked example: L = (sigmoid(x w + b) - y)^2 / 2 with y = 1
    "neuron_squared_loss": (lambda v: 0.5 * (sig(v[0] * v[1] + v[2]) - 1.0) ** 2, [2.0, 0.5, -1.0]),
    "polynomial": (lambda v: v[0] ** 3 - 2 * v[0] * v[1] + v[1] ** 2 / 4 - 7, [1.3, -0.4]),
    "division_and_sub": (lambda v: (v[0] - v[1]) / (1 + v[1] ** 2) - 3 / v[0], [0.7, 2.2]),
    "tanh_chain": (lambda v: th(th(v[0] * v[1]) * v[2] + v[0]), [0.3, -1.7, 2.5]),
    "log_sum_exp": (lambda v: lg(ex(v[0]) + ex(v[1]) + ex(v[2])), [1.0, -2.0, 0.5]),
    "binary_cross_entropy": (
        lambda v: -(1.0 * lg(sig(v[0] * v[1] + v[2])) + 0.0 * lg(1 - sig(v[0] * v[1] + v[2]))),
        [0.8, -1.1, 0.2],
    ),
    "relu_net": (lambda v: relu(v[0] * v[1] - v[2]) * v[3] + relu(v[2] - v[0]), [1.5, 2.0, 0.5, -0.3]),
    "reused_many_times": (lambda v: v[0] * v[0] * v[0] + sig(v[0]) * th(v[0]) - v[0] / 3, [0.9]),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_matches_torch_autograd(name):
    expr, xs = EXPRESSIONS[name]
    (val, g), (tval, tg) = grads_both(expr, xs)
    assert val == pytest.approx(tval, rel=1e-12, abs=1e-12)
    assert g == pytest.approx(tg, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_random_two_layer_net_matches_torch(seed):
    """A 3-4-1 tanh network on one example, squared loss, all 21 parameters: same weights, same gradients."""
    rng = random.Random(seed)
    n_in, n_hid = 3, 4
    params = [rng.gauss(0, 1) for _ in range(n_hid * n_in + n_hid + n_hid + 1)]
    x = [rng.gauss(0, 1) for _ in range(n_in)]
    target = 0.5

    def net(p):
        W1 = [p[i * n_in:(i + 1) * n_in] for i in range(n_hid)]
        b1 = p[n_hid * n_in:n_hid * n_in + n_hid]
        w2, b2 = p[n_hid * n_in + n_hid:-1], p[-1]
        h = [th(sum((W1[i][j] * x[j] for j in range(n_in)), b1[i])) for i in range(n_hid)]
        out = sum((w2[i] * h[i] for i in range(n_hid)), b2)
        return (out - target) ** 2

    (val, g), (tval, tg) = grads_both(net, params)
    assert val == pytest.approx(tval, rel=1e-12)
    assert g == pytest.approx(tg, rel=1e-10, abs=1e-12)


def test_worked_example_by_hand():
    """docs/neural-networks/backpropagation.md: x = 2, w = 0.5, b = -1, y = 1."""
    x, w, b = Value(2.0), Value(0.5), Value(-1.0)
    z = x * w + b
    a = z.sigmoid()
    loss = 0.5 * (a - 1.0) ** 2
    loss.backward()
    assert (z.data, a.data, loss.data) == (0.0, 0.5, 0.125)
    assert a.grad == -0.5          # a - y
    assert z.grad == -0.125        # times sigmoid'(0) = 1/4
    assert (w.grad, b.grad, x.grad) == (-0.25, -0.125, -0.0625)


def test_fan_out_sums_over_paths():
    """f = x * x + 3 x uses x three times: df/dx = 2x + 3, not just one path's share."""
    x = Value(1.5)
    f = x * x + 3 * x
    f.backward()
    assert x.grad == pytest.approx(2 * 1.5 + 3)
    # diamond: y = x^2 feeds two branches that meet again
    x = Value(0.8)
    y = x**2
    f = y.tanh() + y.exp()
    f.backward()
    dy = (1 - math.tanh(0.64) ** 2) + math.exp(0.64)
    assert y.grad == pytest.approx(dy)
    assert x.grad == pytest.approx(dy * 2 * 0.8)
    t = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    (torch.tanh(t**2) + torch.exp(t**2)).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12)


def test_power_edge_cases_match_torch():
    for base, p in [(0.0, 0.0), (0.0, 2.0), (-1.5, 3.0), (2.0, -1.0)]:
        v = Value(base)
        out = v**p
        out.backward()
        t = torch.tensor(base, dtype=torch.float64, requires_grad=True)
        (t**p).backward()
        assert (out.data, v.grad) == pytest.approx((1.0 if p == 0 else base**p, t.grad.item()))


def test_backward_resets_rather_than_accumulates():
    x = Value(2.0)
    f = x * x
    f.backward()
    f.backward()
    assert x.grad == 4.0


def test_same_leaf_in_two_outputs_gets_each_outputs_gradient():
    x = Value(3.0)
    f, g = x * 2, x * x
    f.backward()
    assert x.grad == 2.0
    g.backward()
    assert x.grad == 6.0


def test_deep_graph_has_no_recursion_limit():
    x = Value(0.1)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_sigmoid_is_stable_for_large_arguments():
    for z, s in [(800.0, 1.0), (-800.0, 0.0)]:
        v = Value(z)
        out = v.sigmoid()
        out.backward()
        assert out.data == pytest.approx(s, abs=1e-300)
        assert v.grad == pytest.approx(0.0, abs=1e-300)


def test_relu_derivative_at_zero_is_zero_like_torch():
    v = Value(0.0)
    v.relu().backward()
    t = torch.tensor(0.0, requires_grad=True)
    torch.relu(t).backward()
    assert v.grad == t.grad.item() == 0.0


def test_central_difference_agrees():
    expr, xs = EXPRESSIONS["tanh_chain"]
    vs = [Value(x) for x in xs]
    expr(vs).backward()

    def f(values):
        return expr([Value(v) for v in values]).data

    for i in range(len(xs)):
        assert numerical_derivative(f, xs, i) == pytest.approx(vs[i].grad, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", None, True, [1.0]])
def test_bad_data_is_rejected(bad):
    with pytest.raises(ValueError):
        Value(bad)


def test_bad_operations_are_rejected():
    with pytest.raises(ValueError, match="log"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="log"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="division"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="not real"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="derivative"):
        Value(0.0) ** 0.5
    with pytest.raises(ValueError, match="exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="overflows"):
        Value(1000.0).exp()
    with pytest.raises(ValueError):
        Value(1.0) + "2"
    with pytest.raises(ValueError):
        Value(1.0) * float("nan")


def test_numerical_derivative_rejects_bad_arguments():
    with pytest.raises(ValueError):
        numerical_derivative(lambda v: v[0], [1.0], 1)
    with pytest.raises(ValueError):
        numerical_derivative(lambda v: v[0], [1.0], 0, eps=0.0)
    with pytest.raises(ValueError):
        numerical_derivative(lambda v: v[0], [float("nan")], 0)
