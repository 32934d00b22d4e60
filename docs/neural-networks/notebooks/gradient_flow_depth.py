# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: neural-networks/backpropagation.md}
# ---

# %% [markdown]
# # Backpropagation by hand, and how gradients shrink or grow with depth
# We first run the page's one-neuron example through a hand-written reverse-mode engine and check every number against
# PyTorch, central differences and forward mode. Then we measure, at initialization, how the gradient changes from the
# last to the first of 15 layers for sigmoid, tanh and ReLU networks with naive and with variance-preserving
# initialization, and compare the per-layer factor with the variance argument.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.utils.checkpoint import checkpoint

from mlguide.neural_networks.autodiff import Value, numerical_derivative

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check

# %% [markdown]
# ## The worked example: one sigmoid neuron and a squared loss
# $z = xw + b$, $a = \sigma(z)$, $L = \tfrac12(a - y)^2$ with $x = 2$, $w = 0.5$, $b = -1$ and target $y = 1$. The
# forward pass stores $z = 0$ and $a = 0.5$; the backward pass multiplies local derivatives from the loss down:
# $\partial L/\partial a = a - y = -0.5$, then $\sigma'(0) = a(1-a) = 0.25$ gives $\partial L/\partial z = -0.125$,
# and $z = xw + b$ hands $x\cdot(-0.125)$ to $w$, $-0.125$ to $b$ and $w\cdot(-0.125)$ to $x$.

# %%
x, w, b = Value(2.0), Value(0.5), Value(-1.0)
z = x * w + b
a = z.sigmoid()
loss = 0.5 * (a - 1.0) ** 2
loss.backward()
print(f"forward:  z = {z.data}, a = {a.data}, L = {loss.data}")
print(f"backward: dL/da = {a.grad}, dL/dz = {z.grad}, dL/dw = {w.grad}, dL/db = {b.grad}, dL/dx = {x.grad}")

# %%
assert (z.data, a.data, loss.data) == (0.0, 0.5, 0.125)
assert (a.grad, z.grad) == (-0.5, -0.125)
assert (w.grad, b.grad, x.grad) == (-0.25, -0.125, -0.0625)

# %% [markdown]
# The same expression in PyTorch's autograd, in double precision, must give the same three partial derivatives; so
# must central differences $(f(\theta + \epsilon) - f(\theta - \epsilon))/(2\epsilon)$, the gradient check.


# %%
def neuron_loss(x, w, b, y=1.0):
    return 0.5 * (torch.sigmoid(x * w + b) - y) ** 2


leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 0.5, -1.0)]
neuron_loss(*leaves).backward()
torch_grads = [t.grad.item() for t in leaves]
ours = [x.grad, w.grad, b.grad]


def loss_of_floats(v):
    return (0.5 * ((Value(v[0]) * v[1] + v[2]).sigmoid() - 1.0) ** 2).data


central = [numerical_derivative(loss_of_floats, [2.0, 0.5, -1.0], i) for i in range(3)]
print("ours   ", ours)
print("torch  ", torch_grads)
print("central", np.round(central, 10))

# %%
assert np.allclose(ours, torch_grads, rtol=0, atol=1e-15)
assert np.allclose(central, ours, rtol=1e-8, atol=1e-10)

# %% [markdown]
# **Forward mode needs one pass per input.** A Jacobian-vector product (`torch.func.jvp`) pushes one direction forward
# and returns one directional derivative, so three passes are needed for the three partial derivatives that one
# backward pass delivered. For the deep networks below, with about 60,000 weights, that would be 60,000 forward passes
# against one backward pass.

# %%
point = (torch.tensor(2.0, dtype=torch.float64), torch.tensor(0.5, dtype=torch.float64),
         torch.tensor(-1.0, dtype=torch.float64))
forward_mode = []
for i in range(3):
    direction = tuple(torch.tensor(float(i == j), dtype=torch.float64) for j in range(3))
    _, tangent = torch.func.jvp(neuron_loss, point, direction)
    forward_mode.append(tangent.item())
print("forward mode, 3 passes:", forward_mode)
assert np.allclose(forward_mode, ours, rtol=0, atol=1e-15)

# %% [markdown]
# **Backpropagation is not the update.** The optimizer uses the gradient; with plain gradient descent and step size
# $\eta = 1$, $w \leftarrow 0.5 + 0.25 = 0.75$ and $b \leftarrow -1 + 0.125 = -0.875$, so $z = 0.625$, $a =
# \sigma(0.625) \approx 0.651$ and the loss falls from $0.125$ to about $0.061$.

# %%
eta = 1.0
w_new, b_new = 0.5 - eta * w.grad, -1.0 - eta * b.grad
new_loss = loss_of_floats([2.0, w_new, b_new])
print(f"w = {w_new}, b = {b_new}, loss {loss.data} -> {new_loss:.4f}")
assert (w_new, b_new) == (0.75, -0.875) and abs(new_loss - 0.0608) < 5e-4

# %% [markdown]
# ## Gradients through 15 layers at initialization
# A fixed batch of 256 inputs with 64 independent standard normal features, labelled by the largest of ten random
# linear scores, goes through 15 hidden layers of width 64 without biases, then a linear layer to 10 classes and the
# cross-entropy summed over the batch. For each hidden layer $l$ we record two gradient sizes: the root mean square
# over examples of $\lVert\partial \ell_i/\partial z_l\rVert$, the gradient with respect to the layer's pre-activation
# for one example's loss $\ell_i$ (the backward signal, a product of Jacobians), and $\lVert\partial L/\partial
# W_l\rVert_F$ for the mean loss $L$ (what the optimizer sees). The weights are drawn $W_{ij} \sim \mathcal N(0, s^2)$
# with six choices of activation and $s$.
#
# The variance argument predicts the per-layer factor of the backward signal. With $n = 64$ units, $\delta_{l-1} =
# \phi'(z_{l-1}) \odot W_l^\top\delta_l$ scales its mean square by $n s^2\,\mathbb E[\phi'(z)^2]$. For ReLU $\mathbb
# E[\phi'^2] = 1/2$, so the factor on the norm is $\sqrt{n s^2/2}$: $\sqrt{0.32} \approx 0.57$ for $s = 0.1$, exactly
# 1 for He's $s^2 = 2/n$, and $\sqrt{32} \approx 5.7$ for $s = 1$. For the sigmoid, $\sigma' \le 1/4$ caps it at
# $\sqrt{n s^2}/4$: 0.2 for $s = 0.1$ and 0.25 with Xavier's $s^2 = 2/(n + n) = 1/n$.

# %%
data = torch.Generator().manual_seed(0)
X_batch = torch.randn(256, 64, generator=data)
y_batch = (X_batch @ torch.randn(64, 10, generator=data)).argmax(dim=1)   # ten classes that depend on x
DEPTH, WIDTH = 15, 64

CONFIGS = {  # name: (activation, weight standard deviation as a function of fan-in and fan-out)
    "sigmoid, N(0, 0.1²)": (torch.sigmoid, lambda fan_in, fan_out: 0.1),
    "sigmoid, Xavier": (torch.sigmoid, lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
    "tanh, Xavier": (torch.tanh, lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
    "ReLU, N(0, 0.1²)": (torch.relu, lambda fan_in, fan_out: 0.1),
    "ReLU, He": (torch.relu, lambda fan_in, fan_out: np.sqrt(2 / fan_in)),
    "ReLU, N(0, 1)": (torch.relu, lambda fan_in, fan_out: 1.0),
}
PREDICTED = {"sigmoid, N(0, 0.1²)": 0.2, "sigmoid, Xavier": 0.25, "ReLU, N(0, 0.1²)": np.sqrt(0.32),
             "ReLU, He": 1.0, "ReLU, N(0, 1)": np.sqrt(32)}   # per-layer factor (a cap for the sigmoid)


def init_weights(std, seed):
    gen = torch.Generator().manual_seed(seed)
    dims = [X_batch.shape[1]] + [WIDTH] * DEPTH
    hidden = [torch.randn(dims[i + 1], dims[i], generator=gen) * float(std(dims[i], dims[i + 1]))
              for i in range(DEPTH)]
    head = torch.randn(10, WIDTH, generator=gen) / np.sqrt(WIDTH)
    return [W.requires_grad_() for W in hidden], head.requires_grad_()


def gradient_profile(act, hidden, head, residual=False):
    """Per hidden layer: RMS over examples of ||d loss_i / d z_l|| and ||d mean loss / d W_l||_F."""
    h, pre = X_batch, []
    for W in hidden:
        z = h @ W.T
        z.retain_grad()
        pre.append(z)
        h = h + act(z) if residual and h.shape[1] == W.shape[0] else act(z)
    total = torch.nn.functional.cross_entropy(h @ head.T, y_batch, reduction="sum")
    total.backward()
    signal = np.array([z.grad.norm(dim=1).pow(2).mean().sqrt().item() for z in pre])
    weight = np.array([W.grad.norm().item() for W in hidden]) / len(X_batch)  # gradient of the mean loss
    return signal, weight


SEEDS = range(5)
signal, weight = {}, {}
for name, (act, std) in CONFIGS.items():
    runs = [gradient_profile(act, *init_weights(std, seed)) for seed in SEEDS]
    signal[name] = np.array([r[0] for r in runs])
    weight[name] = np.array([r[1] for r in runs])

header = ["signal first/last", "per layer", "predicted", "weight-grad first/last"]
print(f"{'':22s}{header[0]:>20s}{header[1]:>11s}{header[2]:>11s}{header[3]:>24s}")
per_layer = {}
for name in CONFIGS:
    ratio = signal[name][:, 0] / signal[name][:, -1]
    per_layer[name] = ratio ** (1 / (DEPTH - 1))
    w_ratio = weight[name][:, 0] / weight[name][:, -1]
    pred = f"{PREDICTED[name]:.3f}" if name in PREDICTED else "-"
    print(f"{name:22s}{np.median(ratio):20.3g}{np.median(per_layer[name]):11.3f}{pred:>11s}"
          f"{np.median(w_ratio):24.3g}")

# %% [markdown]
# Left: the backward signal, layer 15 (next to the loss) on the right, seed 0. Right: the weight gradient. Both on a
# log scale, because they span twenty orders of magnitude.

# %% tags=["figure:backpropagation-gradient-norms-by-depth"]
layers = np.arange(1, DEPTH + 1)
styles = {"sigmoid, N(0, 0.1²)": ("tab:red", "v", "--"), "sigmoid, Xavier": ("tab:red", "o", "-"),
          "tanh, Xavier": ("tab:orange", "s", "-"), "ReLU, N(0, 0.1²)": ("tab:blue", "v", "--"),
          "ReLU, He": ("tab:blue", "o", "-"), "ReLU, N(0, 1)": ("tab:blue", "^", ":")}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True)
for name, (color, marker, line) in styles.items():
    axes[0].plot(layers, signal[name][0], color=color, marker=marker, ls=line, ms=4, label=name)
    axes[1].plot(layers, weight[name][0], color=color, marker=marker, ls=line, ms=4, label=name)
axes[0].set_title(r"backward signal: RMS over examples of $\Vert\partial\ell_i/\partial z_l\Vert$", fontsize=10)
axes[1].set_title(r"weight gradient: $\Vert\partial L/\partial W_l\Vert_F$", fontsize=10)
for ax in axes:
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer $l$ (15 = next to the loss)")
    ax.set_xticks(layers[::2])
axes[0].set_ylabel("gradient norm (log scale)")
axes[0].legend(fontsize=7, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the asserts check
# - Both sigmoid networks lose more than eight orders of magnitude of backward signal (and of weight gradient) over 14
#   layer-to-layer steps, at a per-layer factor within 10% of the predicted value (which is only approached, as
#   $\sigma' = 1/4$ only at $z = 0$), and below 1/4 with Xavier initialization, the cap at that weight scale. Larger
#   weights do raise the factor, at the price of saturated units (the cell after these asserts).
# - ReLU with He initialization keeps the signal within a factor of 2 from layer 15 to layer 1; tanh with Xavier loses
#   a factor between 2 and 10, about 4.5 here (tanh' is below 1 once $z$ is away from 0).
# - ReLU with $s = 0.1$ or $s = 1$ vanishes or explodes at the predicted rate, within 5% per layer: over 14 steps
#   the median signal falls by a factor between 2,000 and 3,500 for $s = 0.1$ and grows by $3$ to $7 \times 10^{10}$
#   for $s = 1$. ReLU removes the saturation, not the dependence on the weight scale.
# - The medians over the five seeds of the per-layer factors are the ones the page quotes: 0.19 and 0.235 for the
#   sigmoid with $s = 0.1$ and Xavier (a loss of about 5 and 4 per layer), 0.57 and 5.8 for ReLU with $s = 0.1$ and
#   $s = 1$, 1.02 for He.
# - For those two the weight gradient is nevertheless balanced across layers (first/last between 0.1 and 2): the
#   forward activations shrink or grow by the same factor per layer as the backward signal does the other way, and
#   $\partial L/\partial W_l = \delta_l h_{l-1}^\top$ multiplies the two. Its size is what is wrong: below $10^{-3}$
#   for $s = 0.1$ and above $10^{10}$ for $s = 1$, against between 0.1 and 10 for He.
# - With He initialization the weight gradient of layer 1 is usually smaller than that of layer 15 (first/last between
#   0.15 and 1.5) although the backward signal is flat. This is an effect of averaging over the batch (checked in the
#   next cell): the inputs are nearly orthogonal, so the 256 per-example gradients partly cancel, while by layer 15
#   the examples' representations point in nearly the same direction and their gradients add up.

# %%
for k in range(len(SEEDS)):
    ratio = {name: signal[name][k, 0] / signal[name][k, -1] for name in CONFIGS}
    w_ratio = {name: weight[name][k, 0] / weight[name][k, -1] for name in CONFIGS}
    for name in ("sigmoid, N(0, 0.1²)", "sigmoid, Xavier"):
        assert ratio[name] < 1e-8, (k, name, ratio[name])
        assert 0.9 * PREDICTED[name] < per_layer[name][k] < PREDICTED[name], (k, name)
        assert weight[name][k, 0] / weight[name][k, -1] < 1e-8
    assert 0.5 < ratio["ReLU, He"] < 2, ratio["ReLU, He"]
    assert 0.1 < ratio["tanh, Xavier"] < 0.5, ratio["tanh, Xavier"]
    for name in ("ReLU, N(0, 0.1²)", "ReLU, N(0, 1)"):
        assert abs(per_layer[name][k] / PREDICTED[name] - 1) < 0.05, (k, name, per_layer[name][k])
        assert 0.1 < w_ratio[name] < 2, (k, name, w_ratio[name])
    assert weight["ReLU, N(0, 0.1²)"][k].max() < 1e-3 and weight["ReLU, N(0, 1)"][k].min() > 1e10
    assert 0.1 < weight["ReLU, He"][k].min() and weight["ReLU, He"][k].max() < 10
    assert 0.15 < w_ratio["ReLU, He"] < 1.5, w_ratio["ReLU, He"]

median_ratio = {name: np.median(signal[name][:, 0] / signal[name][:, -1]) for name in CONFIGS}
assert 2000 < 1 / median_ratio["ReLU, N(0, 0.1²)"] < 3500 and 3e10 < median_ratio["ReLU, N(0, 1)"] < 7e10
median_factor = {name: np.median(per_layer[name]) for name in CONFIGS}   # the numbers quoted on the page
quoted = {"sigmoid, N(0, 0.1²)": 0.19, "sigmoid, Xavier": 0.235, "ReLU, N(0, 0.1²)": 0.57, "ReLU, He": 1.02}
assert all(abs(median_factor[name] - value) < 0.005 for name, value in quoted.items()), median_factor
assert abs(median_factor["ReLU, N(0, 1)"] - 5.8) < 0.05
assert 5 < 1 / median_factor["sigmoid, N(0, 0.1²)"] < 5.5 and 4 < 1 / median_factor["sigmoid, Xavier"] < 4.5
he_weight_ratio = weight["ReLU, He"][:, 0] / weight["ReLU, He"][:, -1]
assert 0.2 < np.median(he_weight_ratio) < 0.35 and he_weight_ratio[0] < 0.35, "He: weight gradient rises ~4x"

# %% [markdown]
# ## Larger weights rescue the sigmoid's backward signal, at a price
# The cap of 1/4 per layer holds for Xavier's scale, $n s^2 = 1$, a rule derived for activations with slope 1 at 0.
# The variance argument with the sigmoid's $\sigma'(0) = 1/4$ asks for $n s^2 / 16 = 1$: weights 4 times larger,
# $s = 4/\sqrt n$. Wider pre-activations reach the sigmoid's flat tails, so the factor rises less than fourfold, to
# about 0.62; at about 10 times Xavier's scale the signal is level over the 15 layers, the "edge of chaos" of
# mean-field analyses. There, however, more than half the pre-activations of layers 2 to 15 have $|z| > 4$, where
# $\sigma'(z) < 0.018$: most units start saturated.


# %%
def scaled_sigmoid(c, seed):
    """Sigmoid net with s = c / sqrt(fan-in): per-layer factor, first/last signal, share of |z| > 4 in layers 2-15."""
    hidden, head = init_weights(lambda fan_in, fan_out: c / np.sqrt(fan_in), seed)
    sig, _ = gradient_profile(torch.sigmoid, hidden, head)
    with torch.no_grad():
        h, saturated = X_batch, []
        for W in hidden:
            z = h @ W.T
            saturated.append((z.abs() > 4).float().mean().item())
            h = torch.sigmoid(z)
    return (sig[0] / sig[-1]) ** (1 / (DEPTH - 1)), sig[0] / sig[-1], np.mean(saturated[1:])


scaled = {c: np.array([scaled_sigmoid(c, seed) for seed in SEEDS]) for c in (4, 10)}
for c, runs in scaled.items():
    print(f"sigmoid, s = {c}/sqrt(n): per-layer factor {np.median(runs[:, 0]):.3f}, "
          f"first/last {np.median(runs[:, 1]):.3g}, share of |z| > 4 in layers 2-15 {np.median(runs[:, 2]):.2f}")
sigmoid_slope_at_4 = float(torch.sigmoid(torch.tensor(4.0)) * (1 - torch.sigmoid(torch.tensor(4.0))))
print(f"sigma'(4) = {sigmoid_slope_at_4:.4f}")

# %%
assert all(0.55 < f < 0.7 for f in scaled[4][:, 0]), "4x Xavier: far above the 1/4 cap, still shrinking"
assert abs(np.median(scaled[4][:, 0]) - 0.62) < 0.01, "the 0.62 the page quotes"
assert all(0.9 < f < 1.05 for f in scaled[10][:, 0]) and all(0.3 < r < 1.5 for r in scaled[10][:, 1]), "10x: level"
assert all(s > 0.5 for s in scaled[10][:, 2]), "... but over half the pre-activations have |z| > 4"
assert all(s < 0.15 for s in scaled[4][:, 2]) and sigmoid_slope_at_4 < 0.018

# %% [markdown]
# The per-example weight gradient $\lVert\delta_{l,i}\rVert\,\lVert h_{l-1,i}\rVert$ of the He network is flat across
# layers (within a factor of 2), while the mean cosine similarity between two examples' inputs to the layer rises from
# about 0 at layer 1 to above 0.8 at layer 15.


# %%
def he_per_example(seed):
    hidden, head = init_weights(CONFIGS["ReLU, He"][1], seed)
    h, pre, inputs = X_batch, [], []
    for W in hidden:
        inputs.append(h)
        z = h @ W.T
        z.retain_grad()
        pre.append(z)
        h = torch.relu(z)
    torch.nn.functional.cross_entropy(h @ head.T, y_batch, reduction="sum").backward()
    per_example = [(z.grad.norm(dim=1) * x.norm(dim=1)).pow(2).mean().sqrt().item() for z, x in zip(pre, inputs)]
    off_diagonal = ~torch.eye(len(X_batch), dtype=torch.bool)
    cosine = []
    for x in (inputs[0], inputs[-1]):
        unit = x / x.norm(dim=1, keepdim=True)
        cosine.append((unit @ unit.T)[off_diagonal].mean().item())
    return np.array(per_example), cosine


for seed in SEEDS:
    per_example, (cos_first, cos_last) = he_per_example(seed)
    print(f"seed {seed}: per-example weight gradient max/min {per_example.max() / per_example.min():.2f}, "
          f"cosine at layer 1 {cos_first:.3f}, at layer 15 {cos_last:.3f}")
    assert per_example.max() / per_example.min() < 2
    assert abs(cos_first) < 0.05 and cos_last > 0.8

# %% [markdown]
# ## A residual path rescues the sigmoid network
# With $h_l = h_{l-1} + \sigma(W_l h_{l-1})$ (the first layer, 64 to 64, included) each layer's Jacobian is the
# identity plus the old one, so the backward signal has a path on which nothing is multiplied. Same Xavier weights.
# The signal no longer vanishes; it grows a little toward the input (by 2 to 4 times over 14 steps here), because
# every branch adds its own variance, one reason residual networks pair the shortcut with normalization or a
# scaled-down branch.

# %%
res_ratio = []
for seed in SEEDS:
    res_signal, _ = gradient_profile(torch.sigmoid, *init_weights(CONFIGS["sigmoid, Xavier"][1], seed),
                                     residual=True)
    res_ratio.append(res_signal[0] / res_signal[-1])
print("residual sigmoid, first/last signal:", np.round(res_ratio, 3))
assert all(1 < r < 5 for r in res_ratio)

# %% [markdown]
# ## Gradient checkpointing changes memory, not gradients
# Splitting the He network into four segments of about $\sqrt{15}$ layers, `checkpoint` keeps only each segment's
# input during the forward pass and recomputes the segment's activations during the backward pass. The gradients are
# the same as with every activation stored.


# %%
def run_segment(h, *weights):
    for W in weights:
        h = torch.relu(h @ W.T)
    return h


hidden, head = init_weights(CONFIGS["ReLU, He"][1], seed=0)
plain = torch.autograd.grad(
    torch.nn.functional.cross_entropy(run_segment(X_batch, *hidden) @ head.T, y_batch), hidden)
h = X_batch
for start in range(0, DEPTH, 4):
    h = checkpoint(run_segment, h, *hidden[start:start + 4], use_reentrant=False)
recomputed = torch.autograd.grad(torch.nn.functional.cross_entropy(h @ head.T, y_batch), hidden)
max_diff = max((g1 - g2).abs().max().item() for g1, g2 in zip(plain, recomputed))
print("largest difference between the two gradients:", max_diff)
assert max_diff == 0.0

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
