# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: vision/small-kernels.md}
# ---

# %% [markdown]
# # Small kernels: receptive fields, effective receptive fields and parameter counts
# We compute the receptive field of stacks of 3 × 3 layers (with strides and dilations) and check each one against
# the input pixels that receive a gradient, then measure how the gradient is spread inside that field: the *effective*
# receptive field, which grows like the square root of depth. Last, the parameter counts behind "use 3 × 3", checked
# against PyTorch, and how much of a 5 × 5 kernel two 3 × 3 layers can actually express.

# %%
import itertools
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from torch import nn

from mlguide.vision.convolution import conv2d_counts
from mlguide.vision.receptive_field import field_of_unit, receptive_field, uniform_erf_std

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
torch.set_num_threads(1)

# %% [markdown]
# ## Receptive fields, computed and measured
# `receptive_field` applies $r \leftarrow r + d(k-1)j$ and $j \leftarrow js$ layer by layer. To measure a field, we
# build the stack in PyTorch with every weight equal to 1 (no cancellation is possible), take one output unit,
# backpropagate, and find the input pixels whose gradient is non-zero.


# %%
def ones_stack(layers):
    convs = []
    for k, s, d, p in layers:
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False, dtype=torch.float64)
        nn.init.ones_(conv.weight)
        convs.append(conv)
    return nn.Sequential(*convs)


def measured(layers, unit, size):
    """Extent along one axis of the input pixels with non-zero gradient of output unit (unit, unit), and their count."""
    x = torch.full((1, 1, size, size), 0.5, dtype=torch.float64, requires_grad=True)
    ones_stack(layers)(x)[0, 0, unit, unit].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    return rows.min(), rows.max(), len(rows)


stacks = {
    **{f"{n} × conv 3×3": [(3, 1, 1, 1)] * n for n in (1, 2, 3, 4, 5, 10)},
    "3×3, 3×3 stride 2, 3×3, 3×3": [(3, 1, 1, 1), (3, 2, 1, 1), (3, 1, 1, 1), (3, 1, 1, 1)],
    "3×3 dilations 1, 2, 4": [(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)],
    "3×3 dilations 2, 2, 2": [(3, 1, 2, 2)] * 3,
    **{f"3×3 dilations {a}, {b}, {c}": [(3, 1, a, a), (3, 1, b, b), (3, 1, c, c)] for a, b, c in
       [(1, 2, 5), (1, 2, 9), (2, 3, 5)]},
}
rows = {}
for name, layers in stacks.items():
    rf = receptive_field(layers)[-1]
    unit = int(np.ceil(rf["size"] / rf["jump"]))          # a unit whose field lies inside the image
    lo, hi = field_of_unit(layers, unit)
    first, last, count = measured(layers, unit, int(hi) + 6)
    rows[name] = (rf["size"], rf["jump"], last - first + 1, count)
    assert (first, last) == (lo, hi), name
    print(f"{name:30s} computed size {rf['size']:3d}, jump {rf['jump']}; measured extent {last - first + 1:3d}, "
          f"pixels reached {count:4d} of {(last - first + 1) ** 2}")

assert [rows[f"{n} × conv 3×3"][0] for n in (1, 2, 3, 4, 5, 10)] == [3, 5, 7, 9, 11, 21]
assert rows["3×3, 3×3 stride 2, 3×3, 3×3"][:2] == (13, 2)
assert rows["3×3 dilations 1, 2, 4"][0] == 15 and rows["3×3 dilations 1, 2, 4"][3] == 15 * 15
assert rows["3×3 dilations 2, 2, 2"][0] == 13 and rows["3×3 dilations 2, 2, 2"][3] == 7 * 7   # gridding: holes
assert rows["3×3 dilations 1, 2, 5"][0] == 17 and rows["3×3 dilations 1, 2, 5"][3] == 17 * 17   # no holes
assert rows["3×3 dilations 1, 2, 9"][0] == 25 and rows["3×3 dilations 1, 2, 9"][3] == 21 * 21   # 441 of 625
assert rows["3×3 dilations 2, 3, 5"][0] == 21 and rows["3×3 dilations 2, 3, 5"][3] == 19 * 19   # coprime, holes

# %% [markdown]
# Every computed field matches the measured extent. Dilations 1, 2, 4 cover all $15 \times 15$ pixels of their
# field with three layers; three layers of dilation 2 span 13 × 13 but reach only the 49 pixels at even offsets, the
# *gridding* artefact. Rates without a common factor are not enough: 1, 2, 9 reaches 441 of its 625 pixels and the
# pairwise coprime 2, 3, 5 reaches 361 of 441, while 1, 2, 5 covers all 289.
#
# ## When a stack of dilated 3 × 3 layers has no holes
# A 3-tap layer of rate $d$ adds an offset of $-d$, 0 or $d$, so a stack reaches the sums of one offset per layer
# (the order of the layers does not matter). The page's rule: with the rates sorted, the field has no holes exactly
# when the smallest is 1 and each rate is at most twice the sum of the smaller ones plus 1. We enumerate the reached
# offsets of every stack of one to four layers with rates 1 to 11 (16,104 stacks) and compare.


# %%
def reached_offsets(rates):
    offsets = {0}
    for d in rates:
        offsets = {o + t * d for o in offsets for t in (-1, 0, 1)}
    return offsets


def no_holes_rule(rates):
    rates, total = sorted(rates), 0
    for d in rates:
        if d > 2 * total + 1:                     # the first rate must be 1 (total 0)
            return False
        total += d
    return True


checked = 0
for n_layers in range(1, 5):
    for rates in itertools.product(range(1, 12), repeat=n_layers):
        offsets = reached_offsets(rates)
        assert (len(offsets) == 2 * sum(rates) + 1) == no_holes_rule(rates), rates
        checked += 1
for rates in [(2, 2, 2), (1, 2, 4), (1, 2, 5), (1, 2, 9), (2, 3, 5)]:     # the measured stacks above agree
    name = f"3×3 dilations {', '.join(map(str, rates))}"
    assert len(reached_offsets(rates)) ** 2 == rows[name][3] and no_holes_rule(rates) == (rows[name][0] ** 2 == rows[name][3])
print(f"rule checked on {checked:,} stacks")
assert checked == 16_104
# Undilated layers count as rates of 1: interleaving them removes holes only as far as the rule allows.
assert no_holes_rule((1, 1, 4)) and not no_holes_rule((1, 4)) and not no_holes_rule((1, 8, 1, 8))
assert len(reached_offsets((1, 1, 4))) == 13 and len(reached_offsets((1, 4))) == 9 < 11

# %% [markdown]
#
# ## The effective receptive field of uniform linear layers
# With all weights 1 and no nonlinearity, the gradient of one output over the input is the $n$-fold convolution of a
# box of three ones per axis. For two layers it is $[1, 2, 3, 2, 1]/9$ per axis and its outer product in 2-D: the
# centre pixel gets $9/81$, each corner $1/81$, and the inner $3 \times 3$ holds $49/81$ of the total although it is 9
# of the 25 pixels. Its standard deviation per axis is $\sqrt{n(k^2-1)/12} = \sqrt{2n/3}$ for $k = 3$.


# %%
def linear_erf(n, size):
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    ones_stack([(3, 1, 1, 0)] * n)(x)[0, 0, 0, 0].backward()
    g = x.grad[0, 0].numpy()
    return g / g.sum()


g2 = linear_erf(2, 5)
print((81 * g2).round().astype(int))
assert np.allclose(81 * g2, np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])) and np.isclose(g2[1:4, 1:4].sum(), 49 / 81)


def axis_std(g):
    p = g.sum(axis=0)
    pos = np.arange(len(p))
    mean = (p * pos).sum()
    return np.sqrt((p * (pos - mean) ** 2).sum())


for n in (2, 5, 10, 20):
    assert np.isclose(axis_std(linear_erf(n, 2 * n + 1)), uniform_erf_std(n)), n
print("uniform stacks: std", [round(uniform_erf_std(n), 2) for n in (2, 5, 10, 20)], "for fields 5, 11, 21, 41")

# %% [markdown]
# ## The effective receptive field of random ReLU networks
# Now stacks of $n$ 3 × 3 convolutions with 16 channels, He-initialized random weights, ReLU after each and padding 1,
# on a 41 × 41 input of random pixels. The effective receptive field is the absolute gradient of the centre unit
# (summed over output channels) with respect to the input, averaged over 32 draws of weights and input (Luo et al.,
# 2016). We measure its standard deviation per axis and how much of it falls in the central box of half the field's
# side (a quarter of its area).

# %%
SIZE, CHANNELS, DRAWS = 41, 16, 32
DEPTHS = (1, 2, 4, 8, 16)


def relu_erf(n, generator):
    total = np.zeros((SIZE, SIZE))
    for _ in range(DRAWS):
        layers = []
        for i in range(n):
            conv = nn.Conv2d(1 if i == 0 else CHANNELS, CHANNELS, 3, padding=1, bias=False)
            with torch.no_grad():
                fan_in = conv.weight[0].numel()
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * np.sqrt(2 / fan_in))
            layers += [conv, nn.ReLU()]
        x = torch.randn(1, 1, SIZE, SIZE, generator=generator, requires_grad=True)
        nn.Sequential(*layers)(x)[0, :, SIZE // 2, SIZE // 2].sum().backward()
        total += np.abs(x.grad[0, 0].numpy())
    return total / total.sum()


def central_mass(g, n):
    c, h = SIZE // 2, n // 2                      # half the side of the 2n + 1 field, rounded to an odd box
    return g[c - h:c + h + 1, c - h:c + h + 1].sum()


gen = torch.Generator().manual_seed(0)
erf = {n: relu_erf(n, gen) for n in DEPTHS}
std = np.array([axis_std(erf[n]) for n in DEPTHS])
mass = np.array([central_mass(erf[n], n) for n in DEPTHS])
slope = np.polyfit(np.log(DEPTHS[1:]), np.log(std[1:]), 1)[0]
for n, s_, m in zip(DEPTHS, std, mass):
    print(f"{n:2d} layers: field {2 * n + 1:2d}, effective std {s_:.2f} (uniform {uniform_erf_std(n):.2f}), "
          f"std / field {s_ / (2 * n + 1):.3f}, mass in the central half-side box {m:.2f}")
print(f"log-log slope of std against depth: {slope:.2f} (the field itself: 1)")

# %% [markdown]
# The figure: the 16-layer map with its 33 × 33 theoretical field outlined; the map summed over rows (its share
# per input column) for 4, 8 and 16 layers, with their field edges; and the spread against depth.

# %% tags=["figure:small-kernels-effective-field"]
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.15, 1.15]})
c = SIZE // 2
im = axes[0].imshow(erf[16], cmap="viridis")
axes[0].add_patch(Rectangle((c - 16.5, c - 16.5), 33, 33, fill=False, ec="white", lw=1.2, ls="--"))
axes[0].set_title("16 layers of 3 × 3: share of |gradient|", fontsize=9)
axes[0].set_xticks([])
axes[0].set_yticks([])
fig.colorbar(im, ax=axes[0], fraction=0.046)
colors = {4: "tab:green", 8: "tab:orange", 16: "tab:red"}
pos = np.arange(SIZE) - c
for n, color in colors.items():
    profile = erf[n].sum(axis=0)
    axes[1].plot(pos, profile, color=color, label=f"{n} layers (field {2 * n + 1})")
    axes[1].axvline(-n, color=color, ls=":", lw=1)
    axes[1].axvline(n, color=color, ls=":", lw=1)
axes[1].set_xlabel("input column relative to the centre")
axes[1].set_ylabel("share of |gradient|")
axes[1].legend(fontsize=8)
axes[1].set_title("summed over rows; dotted: edges of the theoretical field", fontsize=9)
depths = np.array(DEPTHS)
axes[2].plot(depths, depths, "k--", label="theoretical half-width n")
axes[2].plot(depths, std, "o-", color="tab:red", label="effective std, random ReLU")
axes[2].plot(depths, [uniform_erf_std(n) for n in DEPTHS], "s-", color="tab:blue", label="std, uniform linear √(2n/3)")
axes[2].set_xscale("log", base=2)
axes[2].set_yscale("log", base=2)
axes[2].set_xlabel("number of 3 × 3 layers")
axes[2].set_ylabel("pixels")
axes[2].legend(fontsize=8)
axes[2].set_title("the effective field grows sub-linearly", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the asserts check
# - The effective spread grows sub-linearly: its log-log slope against depth (2 to 16 layers) lies between 0.4 and
#   0.75, against 1 for the theoretical field, so its share of the field falls at every depth step.
# - At 16 layers the central box of half the field's side, a quarter of its area, holds more than 80% of the gradient,
#   and the spread is under 6 pixels for a field of 33.
# - Random ReLU stacks spread more than uniform linear ones, increasingly with depth: the ratio of their spreads
#   rises at every depth step, to over 4/3 at 16 layers (1.36–1.38 for seeds 0–4), but stays within 1.5.
#
# When the notebook was written these held for each of the generator seeds 0–3.

# %%
assert 0.4 < slope < 0.75, slope
assert np.all(np.diff(std / (2 * depths + 1)) < 0), std
assert mass[-1] > 0.80 and std[-1] < 6, (mass, std)
ratio = std / np.array([uniform_erf_std(n) for n in DEPTHS])
assert np.all((ratio > 0.9) & (ratio < 1.5)), ratio
assert np.all(np.diff(ratio) > 0) and ratio[-1] > 4 / 3, ratio

# %% [markdown]
# The numbers the page quotes: at 16 layers, a spread of about 4.4–4.5 pixels for a 33-pixel field and about 90% of
# the gradient in the central 17 × 17 box (26.5% of the area, "about a quarter"); a log-log slope of about 0.6 over
# 2–16 layers, and about 0.55 between 8 and 16 layers, below the slope between 2 and 4 (0.6–0.7): the spread
# approaches the $\sqrt n$ growth of a Gaussian rather than showing it. For generator seeds 0–3 the spread was
# 4.44–4.49, the mass 0.889–0.896 and the last slope 0.54–0.57.

# %%
local_slopes = np.diff(np.log(std[1:])) / np.diff(np.log(DEPTHS[1:]))
print("local slopes between 2, 4, 8 and 16 layers:", local_slopes.round(3))
assert 4.35 < std[-1] < 4.6 and abs(mass[-1] - 0.90) < 0.015 and abs(slope - 0.6) < 0.08, (std, mass, slope)
assert (2 * (16 // 2) + 1) ** 2 / 33**2 == 289 / 1089 and abs(289 / 1089 - 0.265) < 0.001
assert 0.5 < local_slopes[-1] < 0.6 and local_slopes[-1] < local_slopes[0], local_slopes

# %% [markdown]
# ## Parameter counts, checked against PyTorch
# With $C = 64$ channels in and out and no biases: two 3 × 3 layers have $18C^2 = 73{,}728$ weights against
# $25C^2 = 102{,}400$ for one 5 × 5, three have $27C^2 = 110{,}592$ against $49C^2 = 200{,}704$ for a 7 × 7. For
# $C = 256$, a dense 3 × 3 has $9C^2 = 589{,}824$ weights; a depthwise-separable one (3 × 3 per channel, then 1 × 1)
# has $9C + C^2 = 67{,}840$, 11.5%; a ResNet bottleneck (1 × 1 to 64, 3 × 3, 1 × 1 back to 256) has
# $16{,}384 + 36{,}864 + 16{,}384 = 69{,}632$; a 1 × 3 followed by a 3 × 1 has $6C^2 = 393{,}216$; ConvNeXt's 7 × 7
# depthwise has $49C = 12{,}544$.


# %%
def weights(*layers):
    return sum(p.numel() for layer in layers for p in layer.parameters())


def conv(c_in, c_out, k, groups=1):
    return nn.Conv2d(c_in, c_out, k, groups=groups, bias=False, device="meta")


C = 64
two3, one5 = weights(conv(C, C, 3), conv(C, C, 3)), weights(conv(C, C, 5))
three3, one7 = weights(*[conv(C, C, 3)] * 3), weights(conv(C, C, 7))
C = 256
dense = weights(conv(C, C, 3))
separable = weights(conv(C, C, 3, groups=C), conv(C, C, 1))
bottleneck = weights(conv(256, 64, 1), conv(64, 64, 3), conv(64, 256, 1))
asym = weights(conv(C, C, (1, 3)), conv(C, C, (3, 1)))
convnext = weights(conv(C, C, 7, groups=C))
print(f"C=64: 2 x 3x3 {two3:,} vs 5x5 {one5:,}; 3 x 3x3 {three3:,} vs 7x7 {one7:,}")
print(f"C=256: dense 3x3 {dense:,}, separable {separable:,} ({separable / dense:.3f}), bottleneck {bottleneck:,}, "
      f"1x3 + 3x1 {asym:,}, 7x7 depthwise {convnext:,}")
assert (two3, one5, three3, one7) == (73_728, 102_400, 110_592, 200_704)
assert (dense, separable, bottleneck, asym, convnext) == (589_824, 67_840, 69_632, 393_216, 12_544)
assert abs(separable / dense - (1 / 256 + 1 / 9)) < 1e-12
assert separable == (conv2d_counts(C, C, 3, 1, 1, groups=C, bias=False)["parameters"]
                     + conv2d_counts(C, C, 1, 1, 1, bias=False)["parameters"])

# %% [markdown]
# More of the page's numbers: the percentages at $C = 64$; a grouped 3 × 3 with 32 groups on 256 channels has
# $9 \cdot 256^2 / 32 = 18{,}432$ weights; ConvNeXt's 7 × 7 depthwise layer is about a fifth of one 1 × 1 layer and
# under 3% of its block's two 1 × 1 layers to $4C$ and back ($8C^2$); Winograd's F(2 × 2, 3 × 3) uses 16
# multiplications where the direct method uses $4 \cdot 9 = 36$; the 7 × 7 stem has 9,408 weights and the three-layer
# 3 × 3 stem (widths 32, 32, 64) 28,512, for about 118 and 358 million MACs at 112 × 112; VGG-16's field after its
# last pooling layer is 212 pixels.

# %%
grouped = weights(conv(C, C, 3, groups=32))
block_1x1 = weights(conv(C, 4 * C, 1), conv(4 * C, C, 1))
stem7, stem3 = weights(conv(3, 64, 7)), weights(conv(3, 32, 3), conv(32, 32, 3), conv(32, 64, 3))
print(f"grouped (g=32) {grouped:,}; ConvNeXt block 1x1 layers {block_1x1:,}; stems {stem7:,} and {stem3:,}")
assert round(100 * (1 - two3 / one5)) == 28 and round(100 * (1 - three3 / one7)) == 45
assert round(100 * (one7 / three3 - 1)) == 81
assert grouped == 18_432 == dense // 32 and block_1x1 == 8 * C * C
assert abs(convnext / weights(conv(C, C, 1)) - 0.19) < 0.01 and convnext / block_1x1 < 0.03
assert 36 / 16 == 2.25
assert (stem7, stem3) == (9_408, 28_512) and stem7 == 49 * 3 * 64
assert round(stem7 * 112 * 112 / 1e6) == 118 and round(stem3 * 112 * 112 / 1e6) == 358
vgg16 = ([(3, 1, 1, 1)] * 2 + [(2, 2)]) * 2 + ([(3, 1, 1, 1)] * 3 + [(2, 2)]) * 3
assert receptive_field(vgg16)[-1]["size"] == 212 and receptive_field(vgg16)[-1]["jump"] == 32

# %% [markdown]
# ## Two 3 × 3 layers are a 5 × 5 layer, but not every one
# Without a nonlinearity, two stacked stride-1 3 × 3 convolutions equal a single 5 × 5 convolution whose kernel is
# the full 2-D convolution of the two (exactly without padding; with same padding, except on a one-pixel border). Which 5 × 5 kernels can be reached? At a random point the Jacobian of the map
# from the $18C^2$ weights to the $25C^2$ kernel entries has rank $17C^2$ (mixing the $C$ middle channels by any
# invertible matrix and undoing it in the next layer changes nothing, which removes $C^2$ directions). The reachable
# kernels form a $17C^2$-dimensional family, a vanishing fraction of all 5 × 5 kernels; three layers reach $25C^2$ of
# the $49C^2$ dimensions of a 7 × 7.


# %%
def composite(a, b):
    """The single kernel of layer a followed by layer b (both (C, C, 3, 3), cross-correlations, stride 1)."""
    pad = (b.shape[-1] - 1,) * 4                  # a full 2-D convolution of the two kernels, channels mixed
    return F.conv2d(F.pad(a.transpose(0, 1), pad), b.flip(2, 3)).transpose(0, 1)


g = torch.Generator().manual_seed(0)
x = torch.randn(2, 4, 9, 9, dtype=torch.float64, generator=g)
a, b, c3 = (torch.randn(4, 4, 3, 3, dtype=torch.float64, generator=g) for _ in range(3))
assert torch.allclose(F.conv2d(F.conv2d(x, a), b), F.conv2d(x, composite(a, b)))
assert torch.allclose(F.conv2d(F.conv2d(F.conv2d(x, a), b), c3), F.conv2d(x, composite(composite(a, b), c3)))
# With "same" zero padding the two differ on a one-pixel border: the stack pads the intermediate map with zeros, the
# single 5 × 5 layer sees the first layer's response to the padded input there.
padded_stack, padded_single = F.conv2d(F.conv2d(x, a, padding=1), b, padding=1), F.conv2d(x, composite(a, b), padding=2)
assert torch.allclose(padded_stack[..., 1:-1, 1:-1], padded_single[..., 1:-1, 1:-1])
border = torch.ones_like(padded_stack, dtype=torch.bool)
border[..., 1:-1, 1:-1] = False
assert not torch.allclose(padded_stack[border], padded_single[border])

ranks = {}
for C in (1, 2, 4):
    a, b, c3 = (torch.randn(C, C, 3, 3, dtype=torch.float64, generator=g) for _ in range(3))
    m = 9 * C * C

    def two(w):
        return composite(w[:m].reshape(C, C, 3, 3), w[m:].reshape(C, C, 3, 3)).reshape(-1)

    def three(w):
        return composite(composite(w[:m].reshape(C, C, 3, 3), w[m:2 * m].reshape(C, C, 3, 3)),
                         w[2 * m:].reshape(C, C, 3, 3)).reshape(-1)

    J2 = torch.autograd.functional.jacobian(two, torch.cat([a.ravel(), b.ravel()]))
    J3 = torch.autograd.functional.jacobian(three, torch.cat([a.ravel(), b.ravel(), c3.ravel()]))
    ranks[C] = (np.linalg.matrix_rank(J2.numpy()), J2.shape[0], np.linalg.matrix_rank(J3.numpy()), J3.shape[0])
    print(f"C={C}: two layers reach rank {ranks[C][0]} of {ranks[C][1]}; three layers {ranks[C][2]} of {ranks[C][3]}")
    assert ranks[C] == (17 * C * C, 25 * C * C, 25 * C * C, 49 * C * C)

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
