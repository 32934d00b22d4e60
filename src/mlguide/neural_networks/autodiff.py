"""A minimal reverse-mode automatic differentiation engine on scalars.

Backs the page `docs/neural-networks/backpropagation.md` and its notebook
`docs/neural-networks/notebooks/gradient_flow_depth.py`. Every arithmetic operation on a `Value` creates a new node
that remembers its parents and the local derivative of its output with respect to each parent, computed during the
forward pass. `Value.backward()` then visits the nodes in reverse topological order and applies the chain rule,
adding up the contributions of every path (fan-out). Pure Python (the standard library's `math`), so a downloaded
notebook can inline this file.
"""

from __future__ import annotations

import math
from numbers import Real


def _number(x, what: str) -> float:
    """x as a finite float; ValueError for booleans, non-numbers, NaN and infinities."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise ValueError(f"{what} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x}")
    return x


# --8<-- [start:value_core]
class Value:
    """A scalar node in a computational graph.

    data: the number computed in the forward pass.
    grad: d(output)/d(this node), filled in by output.backward().
    _parents: pairs (parent, local derivative d(this)/d(parent)),
    recorded when the node is created.
    """

    def __init__(self, data, _parents=(), op=""):
        self.data = _number(data, "data")
        self.grad = 0.0
        self._parents = tuple(_parents)
        self.op = op

    def __add__(self, other):
        other = _lift(other)
        return Value(self.data + other.data,
                     ((self, 1.0), (other, 1.0)), "+")

    def __mul__(self, other):
        other = _lift(other)
        return Value(self.data * other.data,
                     ((self, other.data), (other, self.data)), "*")

    def sigmoid(self):
        s = _sigmoid(self.data)
        return Value(s, ((self, s * (1.0 - s)),), "sigmoid")
# --8<-- [end:value_core]

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_lift(other))

    def __rsub__(self, other):
        return _lift(other) + (-self)

    def __pow__(self, exponent):
        """self ** p for a constant real p (not a Value). A negative base needs an integer p; a zero base needs
        p = 0 or p >= 1 (otherwise the value or the derivative is infinite)."""
        p = _number(exponent, "the exponent")
        x = self.data
        if x < 0 and not p.is_integer():
            raise ValueError(f"{x} ** {p} is not real")
        if p == 0:
            return Value(1.0, ((self, 0.0),), "**0")
        if x == 0 and p < 1:
            raise ValueError(f"0 ** {p} has no finite derivative")
        return Value(x**p, ((self, p * x ** (p - 1)),), f"**{p:g}")

    def __truediv__(self, other):
        other = _lift(other)
        if other.data == 0:
            raise ValueError("division by zero")
        return self * other**-1

    def __rtruediv__(self, other):
        return _lift(other) / self

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"exp({self.data}) overflows a float") from None
        return Value(e, ((self, e),), "exp")

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data}")
        return Value(math.log(self.data), ((self, 1.0 / self.data),), "log")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, ((self, 1.0 - t * t),), "tanh")

    def relu(self):
        # The derivative at exactly 0 is taken to be 0, as in PyTorch.
        return Value(max(self.data, 0.0), ((self, float(self.data > 0)),), "relu")

    # --8<-- [start:backward]
    def backward(self):
        """Set .grad of every node this one depends on to d(self)/d(node).

        Reverse-mode: order the graph so that each node comes after
        its parents, seed d(self)/d(self) = 1, then walk the order
        backwards, passing grad * local derivative to each parent.
        A node used several times receives the sum of its children's
        contributions. Grads are reset first, so (unlike PyTorch's
        .grad) a second call does not accumulate.
        """
        order, seen = [], set()
        stack = [(self, False)]
        while stack:                      # iterative depth-first search
            node, expanded = stack.pop()
            if expanded:
                order.append(node)        # all parents already placed
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                for parent, _ in node._parents:
                    stack.append((parent, False))
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):      # children before parents
            for parent, local in node._parents:
                parent.grad += node.grad * local
    # --8<-- [end:backward]

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def _lift(x) -> Value:
    """A Value as is; a plain number as a constant leaf."""
    return x if isinstance(x, Value) else Value(x)


def _sigmoid(z: float) -> float:
    """1 / (1 + e^-z) without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def numerical_derivative(f, xs, i, eps=1e-6) -> float:
    """Central difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) of a function of floats.

    f takes a list of floats and returns a float; its error is O(eps^2) for smooth f, plus about
    (float rounding) / eps. Used to check `Value.backward` (gradient checking).
    """
    xs = [_number(x, "each input") for x in xs]
    if not 0 <= i < len(xs):
        raise ValueError(f"index {i} out of range for {len(xs)} inputs")
    if not eps > 0:
        raise ValueError("eps must be positive")
    up, down = list(xs), list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(up) - f(down)) / (2 * eps)
