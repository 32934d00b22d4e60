"""Activation functions and their derivatives, written to be stable for any finite input.

Backs the page `docs/neural-networks/activation-functions.md` and its notebook. NumPy and the standard library only,
so a downloaded notebook can inline this file. Every function takes a number or an array of finite real numbers and
returns float64 values of the same shape; a NaN, an infinity, a string or a complex number raises ``ValueError``.
The ``*_grad`` functions return the elementwise derivative with respect to the input, with PyTorch's choice at kinks
(ReLU: 0 at 0; leaky ReLU: the negative slope at 0).
"""

from __future__ import annotations

import math

import numpy as np

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_COEF = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_erfc = np.frompyfunc(math.erfc, 1, 1)


def _as_finite(x) -> np.ndarray:
    """x as a float64 array; ValueError unless every entry is a finite real number."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"activations need real numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError("activations need finite inputs; found NaN or inf")
    return arr


def _check_param(name: str, value: float, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be finite{' and > 0' if positive else ''}, got {value!r}")
    return float(value)


def _sech2(x: np.ndarray) -> np.ndarray:
    """1 - tanh(x)^2 = 4 e^{-2|x|} / (1 + e^{-2|x|})^2, with no overflow and no cancellation for large |x|."""
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


# --8<-- [start:sigmoid]
def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^{-x}), range (0, 1).

    Stable for large |x|: with e = exp(-|x|), which never
    overflows, it is 1/(1+e) for x >= 0 and e/(1+e) for x < 0.
    """
    x = _as_finite(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x) -> np.ndarray:
    """sigma'(x) = sigma(x)(1 - sigma(x)) = e/(1+e)^2, e = exp(-|x|).

    At most 1/4, at x = 0. The second form keeps its tiny value
    for large |x|, where 1 - sigma(x) would round to 0.
    """
    x = _as_finite(x)
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2
# --8<-- [end:sigmoid]


def tanh(x) -> np.ndarray:
    """Hyperbolic tangent, range (-1, 1); tanh(x) = 2 sigmoid(2x) - 1."""
    return np.tanh(_as_finite(x))


def tanh_grad(x) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2, at most 1 (at x = 0); computed as 4e/(1+e)^2 with e = exp(-2|x|)."""
    return _sech2(_as_finite(x))


# --8<-- [start:relu]
def relu(x) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(_as_finite(x), 0.0)


def relu_grad(x) -> np.ndarray:
    """1 where x > 0, else 0 (PyTorch's choice at x = 0)."""
    return (_as_finite(x) > 0).astype(float)


def leaky_relu(x, negative_slope: float = 0.01) -> np.ndarray:
    """x for x > 0, negative_slope * x otherwise."""
    a = _check_param("negative_slope", negative_slope)
    x = _as_finite(x)
    return np.where(x > 0, x, a * x)


def leaky_relu_grad(x, negative_slope: float = 0.01) -> np.ndarray:
    """1 where x > 0, negative_slope otherwise (also at 0)."""
    a = _check_param("negative_slope", negative_slope)
    return np.where(_as_finite(x) > 0, 1.0, a)
# --8<-- [end:relu]


# --8<-- [start:elu]
def elu(x, alpha: float = 1.0) -> np.ndarray:
    """x for x > 0, alpha * (e^x - 1) otherwise: saturates at -alpha.

    expm1 sees only min(x, 0), so large positive x cannot overflow.
    """
    a = _check_param("alpha", alpha, positive=True)
    x = _as_finite(x)
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha: float = 1.0) -> np.ndarray:
    """1 for x > 0, alpha * e^x otherwise (continuous at 0 iff alpha = 1)."""
    a = _check_param("alpha", alpha, positive=True)
    x = _as_finite(x)
    return np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0.0)))
# --8<-- [end:elu]


def selu(x) -> np.ndarray:
    """SELU: SELU_SCALE * elu(x, SELU_ALPHA), the constants of Klambauer et al. (2017) and PyTorch."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x) -> np.ndarray:
    """SELU_SCALE * elu_grad(x, SELU_ALPHA)."""
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


# --8<-- [start:gelu]
def normal_cdf(x) -> np.ndarray:
    """Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails."""
    x = _as_finite(x)
    return 0.5 * np.asarray(_erfc(-x / math.sqrt(2.0)), dtype=float)


def gelu(x, approximate: str = "none") -> np.ndarray:
    """GELU, x * Phi(x) with Phi the standard normal CDF.

    approximate="tanh" gives the approximation
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
    as in torch.nn.functional.gelu(x, approximate="tanh").
    """
    x = _as_finite(x)
    if approximate == "none":
        return x * normal_cdf(x)
    if approximate == "tanh":
        c = np.clip(x, -50.0, 50.0)  # tanh(u) is +-1 in float64 well before |x| = 50
        u = SQRT_2_OVER_PI * (c + GELU_TANH_COEF * c**3)
        return 0.5 * x * (1.0 + np.tanh(u))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_grad(x, approximate: str = "none") -> np.ndarray:
    """Derivative of gelu: Phi(x) + x phi(x) for the exact form,
    phi the standard normal density; the tanh form's own
    derivative for approximate="tanh"."""
    x = _as_finite(x)
    c = np.clip(x, -50.0, 50.0)  # beyond it phi(x) = 0 and tanh' = 0
    if approximate == "none":
        pdf = np.exp(-0.5 * c**2) / math.sqrt(2.0 * math.pi)
        return normal_cdf(x) + c * pdf
    if approximate == "tanh":
        u = SQRT_2_OVER_PI * (c + GELU_TANH_COEF * c**3)
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * c**2)
        return 0.5 * (1.0 + np.tanh(u)) + 0.5 * c * _sech2(u) * du
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
# --8<-- [end:gelu]


def silu(x) -> np.ndarray:
    """SiLU (Swish with beta = 1): x * sigmoid(x)."""
    x = _as_finite(x)
    return x * sigmoid(x)


def silu_grad(x) -> np.ndarray:
    """sigma(x) (1 + x (1 - sigma(x)))."""
    x = _as_finite(x)
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


# --8<-- [start:softmax]
def softmax(z, axis: int = -1) -> np.ndarray:
    """exp(z_k) / sum_j exp(z_j) along `axis`: non-negative, sums to 1.

    Subtracting the maximum first changes nothing
    mathematically (softmax(z + c) = softmax(z)) and keeps
    every exponent <= 0, so nothing overflows.
    """
    z = _as_finite(z)
    if z.ndim == 0:
        raise ValueError("softmax needs a vector of logits, got a scalar")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of {z.ndim} dimensions")
    if z.shape[axis] == 0:
        raise ValueError("softmax needs at least one logit along axis")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(z) -> np.ndarray:
    """J[i, j] = d softmax(z)_i / d z_j = p_i ([i = j] - p_j),
    i.e. diag(p) - p p^T, for a 1-D vector of logits z."""
    z = _as_finite(z)
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian takes a 1-D vector of logits, got shape {z.shape}")
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)
# --8<-- [end:softmax]


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "selu": (selu, selu_grad),
    "gelu": (gelu, gelu_grad),
    "silu": (silu, silu_grad),
}
"""Name -> (function, derivative) for the elementwise activations (each called with its default parameters)."""
