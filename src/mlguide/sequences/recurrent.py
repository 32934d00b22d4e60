"""One step of an LSTM cell and of a GRU cell in NumPy, with PyTorch's weight layout, and parameter counts.

Backs the page `docs/sequences/recurrent-networks.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

Weights follow `torch.nn.LSTMCell` / `torch.nn.GRUCell`: `W_ih` has shape (G * hidden, input), `W_hh` has shape
(G * hidden, hidden) and the two bias vectors have length G * hidden, with G = 4 gate blocks stacked in the order
input, forget, cell candidate, output (i, f, g, o) for the LSTM and G = 3 in the order reset, update, candidate
(r, z, n) for the GRU. Copying a PyTorch cell's `weight_ih`, `weight_hh`, `bias_ih` and `bias_hh` into these
functions reproduces its outputs.
"""

from __future__ import annotations

import numbers

import numpy as np

_GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def _sigmoid(z):
    # Split by sign so that exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _array(a, name: str, ndim: tuple[int, ...]) -> np.ndarray:
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if a.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_cell(x, h, W_ih, W_hh, b_ih, b_hh, gates: int):
    x = _array(x, "x", (1, 2))
    h = _array(h, "h", (1, 2))
    W_ih = _array(W_ih, "W_ih", (2,))
    W_hh = _array(W_hh, "W_hh", (2,))
    hidden = h.shape[-1]
    d = x.shape[-1]
    if W_hh.shape != (gates * hidden, hidden):
        raise ValueError(f"W_hh must have shape ({gates} * hidden, hidden) = {(gates * hidden, hidden)}, "
                         f"got {W_hh.shape}")
    if W_ih.shape != (gates * hidden, d):
        raise ValueError(f"W_ih must have shape ({gates} * hidden, input) = {(gates * hidden, d)}, got {W_ih.shape}")
    if x.ndim != h.ndim or (x.ndim == 2 and x.shape[0] != h.shape[0]):
        raise ValueError(f"x and h must both be vectors or both (batch, size) with the same batch; "
                         f"got {x.shape} and {h.shape}")
    biases = []
    for b, name in ((b_ih, "b_ih"), (b_hh, "b_hh")):
        if b is None:
            biases.append(np.zeros(gates * hidden))
            continue
        b = _array(b, name, (1,))
        if b.shape != (gates * hidden,):
            raise ValueError(f"{name} must have length {gates} * hidden = {gates * hidden}, got {b.shape}")
        biases.append(b)
    return x, h, W_ih, W_hh, biases[0], biases[1]


# --8<-- [start:lstm_cell]
def lstm_cell(x, h, c, W_ih, W_hh, b_ih=None, b_hh=None):
    """One LSTM step. Returns (h_new, c_new).

    x: (input,) or (batch, input); h, c: (hidden,) or
    (batch, hidden). Gate rows stacked i, f, g, o as in
    torch.nn.LSTMCell; a missing bias counts as zero.
      i, f, o = sigmoid(...), g = tanh(...)
      c_new = f * c + i * g      (the additive path)
      h_new = o * tanh(c_new)
    """
    x, h, W_ih, W_hh, b_ih, b_hh = _check_cell(
        x, h, W_ih, W_hh, b_ih, b_hh, gates=4)
    c = _array(c, "c", (h.ndim,))
    if c.shape != h.shape:
        raise ValueError(f"c must have the shape of h, {h.shape}")
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    ai, af, ag, ao = np.split(a, 4, axis=-1)
    i, f, o = _sigmoid(ai), _sigmoid(af), _sigmoid(ao)
    g = np.tanh(ag)
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    return h_new, c_new
# --8<-- [end:lstm_cell]


# --8<-- [start:gru_cell]
def gru_cell(x, h, W_ih, W_hh, b_ih=None, b_hh=None):
    """One GRU step, as torch.nn.GRUCell. Returns h_new.

    Gate rows stacked r, z, n. The reset gate multiplies
    W_hn h + b_hn, after the matrix product (PyTorch and
    cuDNN; Cho et al. put it before, W_hn (r * h)).
      r, z = sigmoid(...)
      n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
      h_new = (1 - z) * n + z * h
    """
    x, h, W_ih, W_hh, b_ih, b_hh = _check_cell(
        x, h, W_ih, W_hh, b_ih, b_hh, gates=3)
    ax = x @ W_ih.T + b_ih            # input part
    ah = h @ W_hh.T + b_hh            # recurrent part
    xr, xz, xn = np.split(ax, 3, axis=-1)
    hr, hz, hn = np.split(ah, 3, axis=-1)
    r = _sigmoid(xr + hr)
    z = _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h
# --8<-- [end:gru_cell]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# --8<-- [start:rnn_parameter_count]
def rnn_parameter_count(kind, input_size, hidden_size,
                        num_layers=1, bidirectional=False,
                        biases=2):
    """Trainable parameters of a stacked recurrent layer.

    kind: "rnn" (G = 1 block), "gru" (3) or "lstm" (4).
    Each layer and direction has G * h * (d + h) weights
    plus `biases` vectors of G * h: PyTorch keeps two
    (b_ih, b_hh), Keras's LSTM one, none if biases=0.
    Layer 1 reads d = input_size; later layers read the
    h (or 2h, bidirectional) outputs of the one below.
    """
    if kind not in _GATES:
        raise ValueError(f"kind must be one of {sorted(_GATES)}, got {kind!r}")
    d = _positive_int(input_size, "input_size")
    h = _positive_int(hidden_size, "hidden_size")
    layers = _positive_int(num_layers, "num_layers")
    if isinstance(biases, bool) or not isinstance(biases, numbers.Integral) or biases not in (0, 1, 2):
        raise ValueError(f"biases must be 0, 1 or 2, got {biases!r}")
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
    G, dirs = _GATES[kind], 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        d_in = d if layer == 0 else dirs * h
        total += dirs * G * h * (d_in + h + biases)
    return total
# --8<-- [end:rnn_parameter_count]
