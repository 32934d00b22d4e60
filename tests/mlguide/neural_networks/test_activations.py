"""Tests for src/mlguide/neural_networks/activations.py: values and derivatives against PyTorch (torch.nn.functional
and autograd, float64) on the same inputs, extreme inputs without overflow, the page's numbers, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlguide.neural_networks.activations import (
    ACTIVATIONS,
    SELU_ALPHA,
    SELU_SCALE,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    normal_cdf,
    relu,
    relu_grad,
    selu,
    sigmoid,
    sigmoid_grad,
    silu,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_grad,
)

# Moderate inputs (every function and derivative must match torch closely) and extreme ones (must not overflow).
MODERATE = np.concatenate([np.linspace(-12, 12, 241), [0.0, 1e-12, -1e-12, 0.5, -0.5, 30.0, -30.0]])
EXTREME = np.array([-1e300, -1e100, -1e4, -800.0, -710.0, -50.0, 50.0, 710.0, 800.0, 1e4, 1e100, 1e300])

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,
    "silu": F.silu,
}


def torch_value_and_grad(fn, x):
    """fn(x) and d fn / dx elementwise, by autograd in float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(t)
    out.sum().backward()
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_and_derivatives_match_torch(name):
    f, df = ACTIVATIONS[name]
    value, grad = torch_value_and_grad(TORCH[name], MODERATE)
    np.testing.assert_allclose(f(MODERATE), value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(df(MODERATE), grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.5, -0.3])
def test_leaky_relu_any_slope_matches_torch(slope):
    value, grad = torch_value_and_grad(lambda t: F.leaky_relu(t, slope), MODERATE)
    np.testing.assert_array_equal(leaky_relu(MODERATE, slope), value)
    np.testing.assert_array_equal(leaky_relu_grad(MODERATE, slope), grad)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 2.5])
def test_elu_any_alpha_matches_torch(alpha):
    value, grad = torch_value_and_grad(lambda t: F.elu(t, alpha), MODERATE)
    np.testing.assert_allclose(elu(MODERATE, alpha), value, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(elu_grad(MODERATE, alpha), grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_both_forms_match_torch(approximate):
    value, grad = torch_value_and_grad(lambda t: F.gelu(t, approximate=approximate), MODERATE)
    np.testing.assert_allclose(gelu(MODERATE, approximate), value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gelu_grad(MODERATE, approximate), grad, rtol=1e-12, atol=1e-14)


def test_kinks_follow_torch():
    # At exactly 0, ReLU's derivative is 0, leaky ReLU's is the slope, ELU's is alpha.
    _, grad = torch_value_and_grad(F.relu, np.array([0.0]))
    assert relu_grad(0.0) == grad[0] == 0.0
    _, grad = torch_value_and_grad(lambda t: F.leaky_relu(t, 0.2), np.array([0.0]))
    assert leaky_relu_grad(0.0, 0.2) == grad[0] == 0.2
    _, grad = torch_value_and_grad(lambda t: F.elu(t, 2.0), np.array([0.0]))
    assert elu_grad(0.0, 2.0) == grad[0] == 2.0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_extreme_inputs_do_not_overflow(name):
    f, df = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value RuntimeWarning fails the test
        value, grad = f(EXTREME), df(EXTREME)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    # and they agree with torch wherever torch itself stays finite (torch's sigmoid and tanh derivatives round
    # tails such as sigma'(50) = 2e-22 to 0, which ours keep: hence the absolute tolerance)
    t_value, t_grad = torch_value_and_grad(TORCH[name], EXTREME)
    ok = np.isfinite(t_value)
    np.testing.assert_allclose(value[ok], t_value[ok], rtol=1e-12, atol=1e-20)
    ok = np.isfinite(t_grad)
    np.testing.assert_allclose(grad[ok], t_grad[ok], rtol=1e-12, atol=1e-20)


def test_limits_at_extreme_inputs():
    big = np.array([-1e300, 1e300])
    assert np.array_equal(sigmoid(big), [0.0, 1.0])
    assert np.array_equal(tanh(big), [-1.0, 1.0])
    assert np.array_equal(sigmoid_grad(big), [0.0, 0.0]) and np.array_equal(tanh_grad(big), [0.0, 0.0])
    assert np.array_equal(elu(big), [-1.0, 1e300])
    assert selu(-1e300) == pytest.approx(-SELU_SCALE * SELU_ALPHA, rel=1e-15)
    for approximate in ("none", "tanh"):
        assert np.array_equal(gelu(big, approximate), [0.0, 1e300])
        assert np.array_equal(gelu_grad(big, approximate), [0.0, 1.0])
    # torch's tanh-form GELU gradient overflows in x**3 here and returns NaN; ours returns the limits 0 and 1
    _, t_grad = torch_value_and_grad(lambda t: F.gelu(t, approximate="tanh"), big)
    assert np.isnan(t_grad).all()


def test_tails_keep_their_tiny_values():
    # 1 - sigmoid(40) rounds to 0 in float64, but sigma'(40) = e^-40 / (1 + e^-40)^2 is representable
    assert sigmoid_grad(40.0) == pytest.approx(np.exp(-40.0), rel=1e-12)
    assert sigmoid(-40.0) == pytest.approx(np.exp(-40.0), rel=1e-12)
    assert tanh_grad(20.0) == pytest.approx(4 * np.exp(-40.0), rel=1e-12)
    assert normal_cdf(-10.0) == pytest.approx(7.619853024160527e-24, rel=1e-12)


def test_numbers_on_the_page():
    assert sigmoid_grad(0.0) == 0.25 and tanh_grad(0.0) == 1.0
    assert sigmoid(2.0) == pytest.approx(0.8808, abs=1e-4)
    assert sigmoid_grad(2.0) == pytest.approx(0.1050, abs=1e-4)
    assert sigmoid_grad(5.0) == pytest.approx(0.00665, abs=1e-5)
    assert sigmoid_grad(0.0) ** 3 == 1 / 64
    assert relu_grad(1.0) ** 3 == 1.0
    assert np.allclose(tanh(MODERATE), 2 * sigmoid(2 * MODERATE) - 1, atol=1e-15)
    assert np.allclose(sigmoid_grad(MODERATE), sigmoid(MODERATE) * (1 - sigmoid(MODERATE)), atol=1e-15)
    assert gelu(0.0) == 0.0 and gelu_grad(0.0) == 0.5
    # GELU(x) - GELU(-x) = x, in both forms
    for approximate in ("none", "tanh"):
        assert np.allclose(gelu(MODERATE, approximate) - gelu(-MODERATE, approximate), MODERATE, atol=1e-13)


def test_derivatives_match_central_differences():
    x = np.linspace(-5, 5, 101) + 0.013  # avoid the kink at exactly 0
    eps = 1e-6
    for name, (f, df) in ACTIVATIONS.items():
        numeric = (f(x + eps) - f(x - eps)) / (2 * eps)
        np.testing.assert_allclose(df(x), numeric, atol=1e-8, err_msg=name)
    for approximate in ("none", "tanh"):
        numeric = (gelu(x + eps, approximate) - gelu(x - eps, approximate)) / (2 * eps)
        np.testing.assert_allclose(gelu_grad(x, approximate), numeric, atol=1e-8)


def test_shapes_and_dtypes():
    x = np.arange(-6, 6).reshape(3, 4)  # integers are accepted and returned as float64
    for name, (f, df) in ACTIVATIONS.items():
        assert f(x).shape == (3, 4) and df(x).shape == (3, 4) and f(x).dtype == np.float64, name
        assert np.ndim(f(1.5)) == 0, name
        assert f(np.array([])).shape == (0,), name
    assert relu([-1, 2]).tolist() == [0.0, 2.0]


# ---------------------------------------------------------------- softmax

def test_softmax_matches_torch_and_is_stable():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3, size=(5, 7))
    for axis in (0, 1, -1):
        expected = torch.softmax(torch.tensor(z), dim=axis).numpy()
        np.testing.assert_allclose(softmax(z, axis=axis), expected, rtol=1e-13, atol=1e-16)
    big = np.array([1000.0, 1001.0, 1002.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(big)
        p_neg = softmax(-big)
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(big), 0).numpy(), rtol=1e-14)
    np.testing.assert_allclose(p, softmax(np.array([0.0, 1.0, 2.0])), rtol=1e-14)  # shift invariance
    assert p_neg.sum() == pytest.approx(1.0) and np.all(p_neg > 0)
    assert np.array_equal(softmax(np.array([-1e300, 1e300])), [0.0, 1.0])


def test_softmax_jacobian_matches_autograd():
    z = np.array([0.3, -1.2, 2.0, 0.0])
    expected = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), torch.tensor(z)).numpy()
    J = softmax_jacobian(z)
    np.testing.assert_allclose(J, expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(J, J.T, atol=1e-16)  # symmetric
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-15)  # shifting every logit changes nothing
    # composed with cross-entropy -log p_y, the chain rule gives p - onehot(y)
    p, y = softmax(z), 2
    np.testing.assert_allclose(J.T @ (-1.0 / p[y] * np.eye(4)[y]), p - np.eye(4)[y], atol=1e-15)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, [0.0, np.nan], "1.0", ["a", "b"], 1 + 2j, [None], {}])
def test_bad_input_raises(bad):
    for name, (f, df) in ACTIVATIONS.items():
        with pytest.raises(ValueError):
            f(bad)
        with pytest.raises(ValueError):
            df(bad)
    with pytest.raises(ValueError):
        softmax(bad)


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="approximate"):
        gelu(1.0, approximate="sigmoid")
    with pytest.raises(ValueError, match="approximate"):
        gelu_grad(1.0, approximate="erf")
    for alpha in (0.0, -1.0, np.nan, np.inf, "1", True):
        with pytest.raises(ValueError, match="alpha"):
            elu(1.0, alpha)
        with pytest.raises(ValueError, match="alpha"):
            elu_grad(1.0, alpha)
    for slope in (np.nan, np.inf, None, "0.01"):
        with pytest.raises(ValueError, match="negative_slope"):
            leaky_relu(1.0, slope)
        with pytest.raises(ValueError, match="negative_slope"):
            leaky_relu_grad(1.0, slope)


def test_bad_softmax_shapes_raise():
    with pytest.raises(ValueError, match="scalar"):
        softmax(1.0)
    with pytest.raises(ValueError, match="axis"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match="at least one"):
        softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="1-D"):
        softmax_jacobian(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        softmax_jacobian(np.array([1.0, np.nan]))
