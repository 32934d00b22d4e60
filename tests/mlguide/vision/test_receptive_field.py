"""Tests for src/mlguide/vision/receptive_field.py: hand cases (stacked 3 x 3 layers, strides, dilations, VGG and
ResNet stems), and a gradient measurement in PyTorch: the input pixels with non-zero gradient of one output unit of a
stack of convolutions with positive weights (and average pooling) span exactly the computed field, at the computed
place. The uniform-kernel spread is checked against the measured gradient map of a linear stack."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from mlguide.vision.receptive_field import field_of_unit, receptive_field, uniform_erf_std


def stack(layers, pool_at=()):
    """Convolutions (or average pools at the indices in pool_at) with all-ones weights: no cancellation, so every
    pixel that can influence an output has a non-zero gradient."""
    modules = []
    for i, (k, s, d, p) in enumerate(layers):
        if i in pool_at:
            assert d == 1
            modules.append(nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=True))
        else:
            conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False, dtype=torch.float64)
            nn.init.ones_(conv.weight)
            modules.append(conv)
    return nn.Sequential(*modules)


def measured_field(model, size, unit):
    """Rows of the input with non-zero gradient of output unit (unit, unit), and the count of such pixels."""
    x = torch.rand(1, 1, size, size, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 0.5
    x.requires_grad_(True)
    model(x)[0, 0, unit, unit].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    assert rows.min() == cols.min() and rows.max() == cols.max()
    return rows.min(), rows.max(), len(rows)



# ---------------------------------------------------------------- hand cases

@pytest.mark.parametrize("n, size", [(1, 3), (2, 5), (3, 7), (5, 11), (10, 21)])
def test_stacked_3x3_grows_by_two_per_layer(n, size):
    rf = receptive_field([(3,)] * n)
    assert [layer["size"] for layer in rf] == [2 * m + 3 for m in range(n)]
    assert rf[-1]["size"] == size and rf[-1]["jump"] == 1


def test_hand_cases():
    # conv 3, conv 3 stride 2, conv 3, conv 3: 3, 5, 9, 13; jumps 1, 1, 2, 2
    rf = receptive_field([(3, 1), (3, 2), (3, 1), (3, 1)])
    assert [(r["size"], r["jump"]) for r in rf] == [(3, 1), (5, 2), (9, 2), (13, 2)]
    # dilations 1, 2, 4: 3, 7, 15 (2^(l+1) - 1); 2, 2, 2 gives 5, 9, 13
    assert [r["size"] for r in receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])] == [3, 7, 15]
    assert [r["size"] for r in receptive_field([(3, 1, 2)] * 3)] == [5, 9, 13]
    # ResNet stem: 7x7 stride 2 (padding 3), 3x3 max-pool stride 2 (padding 1): 7, then 7 + 2*2 = 11, jump 4
    rf = receptive_field([(7, 2, 1, 3), (3, 2, 1, 1)])
    assert (rf[-1]["size"], rf[-1]["jump"], rf[-1]["start"]) == (11, 4, 0.0)
    # VGG-16's 13 convolutions and 5 pools: 212 pixels, jump 32 after the last pool
    vgg = []
    for n_conv in (2, 2, 3, 3, 3):
        vgg += [(3, 1, 1, 1)] * n_conv + [(2, 2)]
    rf = receptive_field(vgg)
    assert rf[-2]["size"] == 196 and rf[-1]["size"] == 212 and rf[-1]["jump"] == 32
    # padding moves the field, never resizes it
    assert receptive_field([(5, 1, 1, 0)])[0]["start"] == 2.0 and receptive_field([(5, 1, 1, 2)])[0]["start"] == 0.0
    assert field_of_unit([(3, 1, 1, 1), (3, 2, 1, 1)], 3) == (4.0, 8.0)
    # an even kernel centres the field between pixels
    assert field_of_unit([(2, 2)], 0) == (0.0, 1.0) and receptive_field([(2, 2)])[0]["start"] == 0.5


# ---------------------------------------------------------------- against a gradient measurement

GRADIENT_CASES = [
    ([(3, 1, 1, 1)] * 4, (), 12),
    ([(3, 1, 1, 0), (3, 2, 1, 0), (3, 1, 1, 0), (3, 1, 1, 0)], (), 3),
    ([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)], (), 15),
    ([(5, 2, 1, 2), (2, 2, 1, 0), (3, 1, 1, 1), (3, 2, 1, 1)], (1,), 2),        # with an average pool
    ([(7, 2, 1, 3), (3, 2, 1, 1), (3, 1, 1, 1), (3, 1, 1, 1)], (1,), 4),
    ([(3, 1, 2, 0), (3, 1, 2, 0), (3, 1, 2, 0)], (), 5),
    ([(4, 2, 1, 1), (3, 1, 3, 3), (1, 1, 1, 0)], (), 6),
]


@pytest.mark.parametrize("layers, pool_at, unit", GRADIENT_CASES)
def test_matches_gradient_support(layers, pool_at, unit):
    lo, hi = field_of_unit(layers, unit)
    size = int(hi) + 8
    first, last, _ = measured_field(stack(layers, pool_at), size, unit)
    assert lo >= 0, "choose a unit whose field lies inside the image"
    assert (first, last) == (lo, hi)
    assert last - first + 1 == receptive_field(layers)[-1]["size"]


def test_equal_dilations_leave_holes_in_the_field():
    layers = [(3, 1, 2, 0)] * 3                      # field 13 x 13, but only even offsets are reachable
    first, last, count = measured_field(stack(layers), 20, 2)
    assert last - first + 1 == 13 and count == 7 * 7
    layers = [(3, 1, 1, 0), (3, 1, 2, 0), (3, 1, 4, 0)]
    first, last, count = measured_field(stack(layers), 20, 2)
    assert last - first + 1 == 15 and count == 15 * 15


@pytest.mark.parametrize("rates, side, reached", [
    ((1, 2, 5), 17, 17),        # 1, then each rate <= 2 * (sum of the smaller ones) + 1: no holes
    ((5, 1, 2), 17, 17),        # the order of the layers does not matter
    ((1, 2, 9), 25, 21),        # 9 > 2 * 3 + 1: holes, though the rates have no common factor
    ((2, 3, 5), 21, 19),        # pairwise coprime, but the smallest rate is not 1: holes
])
def test_no_common_factor_is_not_enough_to_avoid_holes(rates, side, reached):
    layers = [(3, 1, d, 0) for d in rates]
    first, last, count = measured_field(stack(layers), side + 4, 0)
    assert last - first + 1 == side == receptive_field(layers)[-1]["size"] and count == reached * reached


# ---------------------------------------------------------------- the uniform-kernel spread

@pytest.mark.parametrize("n, k", [(1, 3), (2, 3), (4, 3), (10, 3), (3, 5), (6, 2)])
def test_uniform_spread_matches_the_gradient_map(n, k):
    size = n * (k - 1) + 1
    model = stack([(k, 1, 1, 0)] * n)
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, 0, 0].backward()
    profile = x.grad[0, 0].sum(axis=0).numpy()
    profile = profile / profile.sum()
    pos = np.arange(size)
    mean = (pos * profile).sum()
    assert math.isclose(math.sqrt(((pos - mean) ** 2 * profile).sum()), uniform_erf_std(n, k), rel_tol=1e-12)


def test_two_uniform_3x3_layers_worked_example():
    # 1-D profile [1, 2, 3, 2, 1] / 9; the 2-D map is its outer product: centre 9/81, corners 1/81
    model = stack([(3, 1, 1, 0)] * 2)
    x = torch.ones(1, 1, 5, 5, dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, 0, 0].backward()
    g = x.grad[0, 0].numpy() / x.grad.sum().item()
    np.testing.assert_allclose(g, np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1]) / 81)
    assert math.isclose(g[1:4, 1:4].sum(), 49 / 81) and math.isclose(uniform_erf_std(2), math.sqrt(4 / 3))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("layers, match", [
    ([], "at least one"), ([(0,)], "kernel"), ([(3, 0)], "stride"), ([(3, 1, 0)], "dilation"),
    ([(3, 1, 1, -1)], "padding"), ([(3, 1, 1, 0, 5)], "expected"), ([(3.0,)], "kernel"), ([(True,)], "kernel"),
])
def test_rejects_bad_layers(layers, match):
    with pytest.raises(ValueError, match=match):
        receptive_field(layers)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="i must be"):
        field_of_unit([(3,)], -1)
    with pytest.raises(ValueError, match="n_layers"):
        uniform_erf_std(0)
    with pytest.raises(ValueError, match="kernel"):
        uniform_erf_std(3, 1.5)
    assert receptive_field([3])[0]["size"] == 3           # a bare int is a kernel size
