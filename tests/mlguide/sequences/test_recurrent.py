"""Tests for src/mlguide/sequences/recurrent.py: the page's worked examples by hand, LSTM and GRU steps against
torch.nn.LSTMCell / GRUCell and whole sequences against torch.nn.LSTM / GRU with copied weights (float64), parameter
counts against torch.nn.RNN / GRU / LSTM, and clear errors on bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlguide.sequences.recurrent import gru_cell, lstm_cell, rnn_parameter_count


def weights(cell):
    return [p.detach().numpy().copy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]


# ---------------------------------------------------------------- the page's worked examples

def test_lstm_worked_example_by_hand():
    # One unit, x = 1, h = 0, c = 1; pre-activations i: 0, f: ln 3, g: ln 3, o: 0 (all from W_ih, biases zero).
    ln3 = math.log(3.0)
    W_ih = np.array([[0.0], [ln3], [ln3], [0.0]])
    h_new, c_new = lstm_cell([1.0], [0.0], [1.0], W_ih, np.zeros((4, 1)))
    # i = 0.5, f = 0.75, g = tanh(ln 3) = 0.8, o = 0.5
    assert abs(c_new[0] - (0.75 * 1.0 + 0.5 * 0.8)) < 1e-12           # 1.15
    assert abs(h_new[0] - 0.5 * math.tanh(1.15)) < 1e-12               # 0.409
    assert abs(h_new[0] - 0.409) < 5e-4


def test_gru_worked_example_by_hand():
    # One unit, x = 1, h = 0.5; pre-activations r: 0, z: ln 3, n (input part): ln 3; W_hn = 2, other W_hh zero.
    ln3 = math.log(3.0)
    W_ih = np.array([[0.0], [ln3], [ln3]])
    W_hh = np.array([[0.0], [0.0], [2.0]])
    h_new = gru_cell([1.0], [0.5], W_ih, W_hh)
    # r = 0.5, z = 0.75, n = tanh(ln 3 + 0.5 * 2 * 0.5) = tanh(ln 3 + 0.5)
    n = math.tanh(ln3 + 0.5)
    assert abs(h_new[0] - (0.25 * n + 0.75 * 0.5)) < 1e-12
    # Cho et al.'s placement, W_hn (r * h), gives the same here because b_hn = 0 and h is a scalar.
    assert abs(n - math.tanh(ln3 + 2 * (0.5 * 0.5))) < 1e-12


def test_parameter_count_worked_example():
    # input d = 3, hidden h = 2: h(d + h) = 10 weights per gate block
    assert rnn_parameter_count("lstm", 3, 2, biases=1) == 4 * (10 + 2) == 48
    assert rnn_parameter_count("lstm", 3, 2) == 4 * (10 + 4) == 56
    assert rnn_parameter_count("gru", 3, 2, biases=1) == 36
    assert rnn_parameter_count("gru", 3, 2) == 42
    assert rnn_parameter_count("rnn", 3, 2) == 14
    # a typical size: 256 inputs, 512 units
    assert rnn_parameter_count("lstm", 256, 512, biases=1) == 1_574_912
    assert rnn_parameter_count("lstm", 256, 512) == 1_576_960
    # the GRU of the same size: three quarters only when the bias conventions match
    assert rnn_parameter_count("gru", 256, 512, biases=1) == 1_181_184 == 3 * 1_574_912 // 4
    torch_gru = sum(p.numel() for p in torch.nn.GRU(256, 512).parameters())
    assert rnn_parameter_count("gru", 256, 512) == 1_182_720 == torch_gru


# ---------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("d, hidden, batch", [(3, 2, None), (5, 4, 7), (1, 6, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_cell_matches_torch(d, hidden, batch, seed):
    torch.manual_seed(seed)
    cell = torch.nn.LSTMCell(d, hidden, dtype=torch.float64)
    with torch.no_grad():
        cell.bias_hh[hidden:2 * hidden] += 1.0          # a forget-gate bias of 1, as often initialised
    shape = (d,) if batch is None else (batch, d)
    hshape = (hidden,) if batch is None else (batch, hidden)
    x = torch.randn(shape, dtype=torch.float64) * 2
    h = torch.randn(hshape, dtype=torch.float64)
    c = torch.randn(hshape, dtype=torch.float64) * 3
    h_t, c_t = cell(x, (h, c))
    h_ours, c_ours = lstm_cell(x.numpy(), h.numpy(), c.numpy(), *weights(cell))
    np.testing.assert_allclose(h_ours, h_t.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_ours, c_t.detach().numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("d, hidden, batch", [(3, 2, None), (5, 4, 7), (1, 6, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_gru_cell_matches_torch(d, hidden, batch, seed):
    torch.manual_seed(seed)
    cell = torch.nn.GRUCell(d, hidden, dtype=torch.float64)
    with torch.no_grad():
        cell.bias_hh.uniform_(-2, 2)                    # b_hn matters only where the reset gate is placed after
    shape = (d,) if batch is None else (batch, d)
    hshape = (hidden,) if batch is None else (batch, hidden)
    x = torch.randn(shape, dtype=torch.float64) * 2
    h = torch.randn(hshape, dtype=torch.float64)
    ours = gru_cell(x.numpy(), h.numpy(), *weights(cell))
    np.testing.assert_allclose(ours, cell(x, h).detach().numpy(), rtol=0, atol=1e-12)


def test_gru_reset_placement_differs_from_cho():
    # With a nonzero b_hn, r * (W_hn h + b_hn) and W_hn (r * h) + b_hn differ: PyTorch uses the first.
    rng = np.random.default_rng(0)
    d, hidden = 3, 4
    W_ih, W_hh = rng.normal(size=(3 * hidden, d)), rng.normal(size=(3 * hidden, hidden))
    b_ih, b_hh = rng.normal(size=3 * hidden), rng.normal(size=3 * hidden)
    x, h = rng.normal(size=d), rng.normal(size=hidden)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    r = sig(W_ih[:hidden] @ x + b_ih[:hidden] + W_hh[:hidden] @ h + b_hh[:hidden])
    z = sig(W_ih[hidden:2 * hidden] @ x + b_ih[hidden:2 * hidden] + W_hh[hidden:2 * hidden] @ h
            + b_hh[hidden:2 * hidden])
    n_cho = np.tanh(W_ih[2 * hidden:] @ x + b_ih[2 * hidden:] + W_hh[2 * hidden:] @ (r * h) + b_hh[2 * hidden:])
    cho = (1 - z) * n_cho + z * h
    ours = gru_cell(x, h, W_ih, W_hh, b_ih, b_hh)
    assert np.max(np.abs(ours - cho)) > 1e-3


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_unrolled_cells_match_torch_sequence_module(kind):
    torch.manual_seed(3)
    d, hidden, T, batch = 4, 5, 30, 2
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(d, hidden, batch_first=True, dtype=torch.float64)
    x = torch.randn(batch, T, d, dtype=torch.float64)
    out, _ = module(x)
    W = [p.detach().numpy() for p in (module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0,
                                      module.bias_hh_l0)]
    h, c = np.zeros((batch, hidden)), np.zeros((batch, hidden))
    for t in range(T):
        if kind == "lstm":
            h, c = lstm_cell(x[:, t].numpy(), h, c, *W)
        else:
            h = gru_cell(x[:, t].numpy(), h, *W)
        np.testing.assert_allclose(h, out[:, t].detach().numpy(), rtol=0, atol=1e-11)


@pytest.mark.parametrize("kind, cls", [("rnn", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)])
@pytest.mark.parametrize("d, hidden, layers, bidirectional", [
    (1, 1, 1, False), (3, 2, 1, False), (10, 20, 1, True), (7, 16, 3, False), (7, 16, 3, True), (64, 8, 2, True),
])
@pytest.mark.parametrize("bias", [True, False])
def test_parameter_count_matches_torch(kind, cls, d, hidden, layers, bidirectional, bias):
    module = cls(d, hidden, num_layers=layers, bidirectional=bidirectional, bias=bias)
    expected = sum(p.numel() for p in module.parameters())
    assert rnn_parameter_count(kind, d, hidden, layers, bidirectional, biases=2 if bias else 0) == expected


def test_one_bias_is_the_two_bias_count_minus_g_h_per_layer_and_direction():
    for kind, G in (("rnn", 1), ("gru", 3), ("lstm", 4)):
        two = rnn_parameter_count(kind, 9, 6, num_layers=2, bidirectional=True)
        one = rnn_parameter_count(kind, 9, 6, num_layers=2, bidirectional=True, biases=1)
        assert two - one == 2 * 2 * G * 6


def test_gru_has_three_quarters_of_the_lstm_weights():
    assert 4 * rnn_parameter_count("gru", 100, 50) == 3 * rnn_parameter_count("lstm", 100, 50)


# ---------------------------------------------------------------- edge cases and bad input

def test_saturated_gates_do_not_overflow():
    W_ih = np.full((4, 1), 1000.0)
    h, c = lstm_cell([1.0], [0.0], [2.0], W_ih, np.zeros((4, 1)))
    assert np.isfinite(h).all() and abs(c[0] - 3.0) < 1e-12        # f = i = g = 1: c = 2 + 1
    h, c = lstm_cell([-1.0], [0.0], [2.0], W_ih, np.zeros((4, 1)))
    assert abs(c[0]) < 1e-12                                        # f = i = 0: the cell is wiped


def test_zero_weights_give_the_half_open_gates():
    h, c = lstm_cell(np.ones(2), np.zeros(3), np.ones(3), np.zeros((12, 2)), np.zeros((12, 3)))
    np.testing.assert_allclose(c, 0.5)                              # f = 0.5, g = 0
    np.testing.assert_allclose(h, 0.5 * np.tanh(0.5))
    np.testing.assert_allclose(gru_cell(np.ones(2), np.ones(3), np.zeros((9, 2)), np.zeros((9, 3))), 0.5)


@pytest.mark.parametrize("call, message", [
    (lambda: lstm_cell([1.0], [0.0], [0.0], np.zeros((3, 1)), np.zeros((4, 1))), "W_ih"),
    (lambda: lstm_cell([1.0], [0.0], [0.0], np.zeros((4, 1)), np.zeros((4, 2))), "W_hh"),
    (lambda: lstm_cell([1.0], [0.0], [0.0, 0.0], np.zeros((4, 1)), np.zeros((4, 1))), "c must"),
    (lambda: lstm_cell([1.0], [0.0], [0.0], np.zeros((4, 1)), np.zeros((4, 1)), b_ih=np.zeros(3)), "b_ih"),
    (lambda: lstm_cell([np.nan], [0.0], [0.0], np.zeros((4, 1)), np.zeros((4, 1))), "NaN"),
    (lambda: lstm_cell("a", [0.0], [0.0], np.zeros((4, 1)), np.zeros((4, 1))), "numbers"),
    (lambda: gru_cell(np.zeros((2, 1)), np.zeros((3, 1)), np.zeros((3, 1)), np.zeros((3, 1))), "batch"),
    (lambda: gru_cell(np.zeros((2, 1)), np.zeros(1), np.zeros((3, 1)), np.zeros((3, 1))), "both"),
    (lambda: gru_cell([1.0], [0.0], np.zeros((4, 1)), np.zeros((3, 1))), "W_ih"),
    (lambda: gru_cell(np.zeros((1, 1, 1)), [0.0], np.zeros((3, 1)), np.zeros((3, 1))), "dimensions"),
    (lambda: rnn_parameter_count("transformer", 3, 2), "kind"),
    (lambda: rnn_parameter_count("lstm", 0, 2), "input_size"),
    (lambda: rnn_parameter_count("lstm", 3, 2.5), "hidden_size"),
    (lambda: rnn_parameter_count("lstm", 3, 2, num_layers=True), "num_layers"),
    (lambda: rnn_parameter_count("lstm", 3, 2, biases=3), "biases"),
    (lambda: rnn_parameter_count("lstm", 3, 2, biases=True), "biases"),
    (lambda: rnn_parameter_count("lstm", 3, 2, bidirectional=1), "bidirectional"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
