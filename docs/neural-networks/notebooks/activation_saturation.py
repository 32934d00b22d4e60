# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: neural-networks/activation-functions.md}
# ---

# %% [markdown]
# # Activation functions: saturation, dead units and depth
# We draw the common activations and their derivatives, then measure three things the page claims: how many ReLU
# units die after a too-large learning rate or a negative bias shift, whether SELU keeps a deep network normalized only
# under its own initialization, and how 8-layer sigmoid, tanh, ReLU and GELU networks train on scikit-learn's digits.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

from mlguide.neural_networks.activations import (
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softmax,
    tanh,
    tanh_grad,
)

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
SEED = 0   # the data split, every initialization and every batch order; the asserts hold for seeds 0-9
torch.set_num_threads(1)

# %% [markdown]
# ## The curves
# Each activation from `mlguide` next to its derivative. Leaky ReLU is drawn with slope 0.1 so that its negative side
# is visible; the usual default is 0.01.

# %%
x = np.linspace(-4, 4, 801)
curves = {
    "sigmoid": (sigmoid(x), sigmoid_grad(x)),
    "tanh": (tanh(x), tanh_grad(x)),
    "ReLU": (relu(x), relu_grad(x)),
    "leaky ReLU (0.1)": (leaky_relu(x, 0.1), leaky_relu_grad(x, 0.1)),
    "ELU": (elu(x), elu_grad(x)),
    "GELU": (gelu(x), gelu_grad(x)),
    "SiLU": (silu(x), silu_grad(x)),
}

# %% tags=["figure:activation-functions-curves"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for i, (name, (f, df)) in enumerate(curves.items()):
    style = "--" if name in ("leaky ReLU (0.1)", "SiLU") else "-"
    axes[0].plot(x, f, style, color=f"C{i}", label=name)
    axes[1].plot(x, df, style, color=f"C{i}", label=name)
axes[0].set_ylim(-1.5, 4)
axes[0].set_title("activation $\\phi(z)$")
axes[1].set_ylim(-0.2, 1.2)
axes[1].set_title("derivative $\\phi'(z)$")
axes[1].axhline(0.25, color="grey", linewidth=0.8, linestyle=":")
axes[1].text(-3.9, 0.27, "1/4", color="grey")
for ax in axes:
    ax.axhline(0, color="black", linewidth=0.6)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("pre-activation z")
axes[0].legend(fontsize=8, loc="upper left")
fig.tight_layout()

# %% [markdown]
# The numbers the page quotes: the sigmoid's derivative peaks at 1/4 and is below 0.007 by $|z| = 5$; tanh's peaks
# at 1; the GELU and SiLU dip below zero (non-monotonic) to about $-0.17$ and $-0.28$; the tanh approximation of GELU
# is within $5\times10^{-4}$ of the exact form everywhere, the cruder $z\,\sigma(1.702z)$ within $0.021$. The
# functions also agree with PyTorch on the grid.

# %%
fine = np.linspace(-10, 10, 200_001)
gelu_gap = np.abs(gelu(fine) - gelu(fine, approximate="tanh")).max()
sigmoid_gap = np.abs(gelu(fine) - fine * sigmoid(1.702 * fine)).max()   # GELU's cruder z sigmoid(1.702 z) form
print(f"max sigmoid' = {sigmoid_grad(fine).max():.4f}, sigmoid'(5) = {sigmoid_grad(5.0):.5f}, "
      f"max tanh' = {tanh_grad(fine).max():.4f}")
print(f"GELU min {gelu(fine).min():.4f} at z = {fine[gelu(fine).argmin()]:.3f}; "
      f"SiLU min {silu(fine).min():.4f} at z = {fine[silu(fine).argmin()]:.3f}")
print(f"max |GELU exact - GELU tanh| = {gelu_gap:.2e}; max |GELU exact - z sigmoid(1.702 z)| = {sigmoid_gap:.4f}")

# %%
assert abs(sigmoid_grad(fine).max() - 0.25) < 1e-12 and sigmoid_grad(0.0) == 0.25
assert sigmoid_grad(5.0) < 0.007 and abs(sigmoid_grad(2.0) - 0.1050) < 1e-4
assert abs(tanh_grad(fine).max() - 1.0) < 1e-12
assert abs(gelu(fine).min() + 0.170) < 1e-3 and abs(fine[gelu(fine).argmin()] + 0.752) < 1e-3
assert abs(silu(fine).min() + 0.278) < 1e-3 and abs(fine[silu(fine).argmin()] + 1.278) < 1e-3
assert abs(gelu_gap - 4.73e-4) < 1e-5 and 0.020 < sigmoid_gap < 0.021
xt = torch.tensor(x)
assert np.allclose(gelu(x), F.gelu(xt).numpy(), atol=1e-12)
assert np.allclose(gelu(x, approximate="tanh"), F.gelu(xt, approximate="tanh").numpy(), atol=1e-12)
assert np.allclose(softmax(np.array([1000.0, 1001.0])), torch.softmax(torch.tensor([1000.0, 1001.0]), 0).numpy())

# %% [markdown]
# ## The worked example: one unit per layer, three layers
# $h_l = \phi(w_l h_{l-1} + b_l)$ with $h_0 = x$ and all $w_l = 1$, so $dh_3/dx = \prod_l w_l\,\phi'(z_l)$.
# Sigmoid at $x = 0$ with biases $(0, -\tfrac12, -\tfrac12)$ keeps every $z_l = 0$, the sigmoid's best case; ReLU at
# $x = 1$ with zero biases keeps every $z_l = 1$; a bias of $-2$ in the middle ReLU layer kills the chain.


# %%
def chain_derivative(act, x0, biases):
    xv = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    h = xv
    for b in biases:
        h = act(1.0 * h + b)
    h.backward()
    return xv.grad.item()


d_sigmoid = chain_derivative(torch.sigmoid, 0.0, [0.0, -0.5, -0.5])
d_sigmoid_sat = chain_derivative(torch.sigmoid, 2.0, [0.0, 2.0 - sigmoid(2.0), 2.0 - sigmoid(2.0)])
d_tanh = chain_derivative(torch.tanh, 0.0, [0.0, 0.0, 0.0])
d_relu = chain_derivative(torch.relu, 1.0, [0.0, 0.0, 0.0])
d_relu_dead = chain_derivative(torch.relu, 1.0, [0.0, -2.0, 0.0])
print(f"sigmoid, z = 0: {d_sigmoid:.5f} (1/64 = {1 / 64:.5f}); sigmoid, z = 2: {d_sigmoid_sat:.5f}")
print(f"tanh, z = 0: {d_tanh}; ReLU, z = 1: {d_relu}; ReLU with b2 = -2: {d_relu_dead}")

# %%
assert d_sigmoid == 1 / 64
assert abs(d_sigmoid_sat - 0.1050**3) < 1e-5 and abs(d_sigmoid_sat - 0.00116) < 1e-5
assert d_tanh == 1.0 and d_relu == 1.0 and d_relu_dead == 0.0

# %% [markdown]
# ## Dead ReLU units
# A unit is *dead* on a data set when its pre-activation is $\le 0$ for every example: its output is then 0 and its
# derivative 0, so no example sends a gradient to its incoming weights. The data are the 1,797 8×8 digits, each pixel
# standardized (mean 0, standard deviation 1); 1,200 images train and 597 test.

# %%
X, y = load_digits(return_X_y=True)
X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
order = np.random.default_rng(SEED).permutation(len(X))
train_idx, test_idx = order[:1200], order[1200:]
X_train = torch.tensor(X[train_idx], dtype=torch.float32)
y_train = torch.tensor(y[train_idx])
X_test = torch.tensor(X[test_idx], dtype=torch.float32)
y_test = torch.tensor(y[test_idx])
loss_fn = nn.CrossEntropyLoss()   # takes logits: the softmax is inside the loss


def mlp(act, depth, width, seed, init):
    """depth hidden layers of `width` units with activation module `act`, then a linear layer to 10 logits."""
    torch.manual_seed(seed)
    layers, d_in = [], 64
    for _ in range(depth):
        lin = nn.Linear(d_in, width)
        if init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers += [lin, act()]
        d_in = width
    layers.append(nn.Linear(d_in, 10))
    return nn.Sequential(*layers)


def train(model, opt, epochs, seed, batch=32):
    """Mini-batch training; returns the full training loss after each epoch."""
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(X_train), generator=gen)
        for i in range(0, len(perm), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss_fn(model(X_train[b]), y_train[b]).backward()
            opt.step()
        with torch.no_grad():
            losses.append(loss_fn(model(X_train), y_train).item())
    return losses


def dead_fractions(model):
    """Per hidden layer, the fraction of ReLU units whose output is 0 on every training image."""
    out, h = [], X_train
    with torch.no_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                out.append((h <= 0).all(dim=0).float().mean().item())
    return out


def test_accuracy(model):
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()


# %% [markdown]
# **A too-large learning rate.** A 64-128-128-10 ReLU network with He initialization, trained for 3 epochs with Adam
# at four learning rates. Adam divides each gradient by its running root-mean-square, so every parameter moves by up
# to about the learning rate per step whatever its gradient's size; at 0.03 or 0.1 that rivals the initial weights'
# scale, $\sqrt{2/128} \approx 0.125$.

# %%
lrs = [1e-3, 1e-2, 3e-2, 1e-1]
dead_by_lr, acc_by_lr = [], []
for lr in lrs:
    net = mlp(nn.ReLU, depth=2, width=128, seed=SEED, init="he")
    train(net, torch.optim.Adam(net.parameters(), lr=lr), epochs=3, seed=SEED)
    dead_by_lr.append(dead_fractions(net))
    acc_by_lr.append(test_accuracy(net))
    print(f"Adam lr {lr:g}: dead fraction per hidden layer {np.round(dead_by_lr[-1], 2).tolist()}, "
          f"test accuracy {acc_by_lr[-1]:.3f}")
dead_by_lr = np.array(dead_by_lr)

# %% [markdown]
# The first layer keeps all its units: its inputs take both signs, so a unit is negative on every image only if its
# bias is very negative. The second layer's inputs are ReLU outputs, all $\ge 0$, so a negative bias with
# non-positive weights on the active inputs is enough to silence a unit on every image.

# %%
assert dead_by_lr[0].max() < 0.05, "lr 1e-3: almost no dead units"
assert (dead_by_lr[:, 0] == 0).all(), "the first hidden layer keeps all its units"
assert dead_by_lr[3, 1] > 0.8, "lr 0.1: about 90% of the second layer's units are dead (87-96% over seeds 0-9)"
assert 0.25 < dead_by_lr[2, 1] < 0.6, "lr 0.03: roughly 40-50%"
assert dead_by_lr[3, 1] > dead_by_lr[2, 1] > dead_by_lr[1, 1] > dead_by_lr[0, 1]
assert acc_by_lr[0] > 0.9 and acc_by_lr[3] < acc_by_lr[0] - 0.1

# %% [markdown]
# **A negative bias shift.** A single hidden layer of 128 ReLU units with He weights and every bias shifted by $-c$
# before training, then 3 epochs of plain SGD (learning rate 0.1, no weight decay). A first-layer unit that is dead
# on the training set receives exactly zero gradient, so its weights and bias must end exactly where they started.

# %%
shifts = [0, 2, 4, 6, 8]
dead_before, dead_after, acc_shift, frozen = [], [], [], []
for c in shifts:
    net = mlp(nn.ReLU, depth=1, width=128, seed=SEED, init="he")
    with torch.no_grad():
        net[0].bias -= c
    dead_before.append(dead_fractions(net)[0])
    mask = (net[0](X_train) <= 0).all(dim=0)
    w0, b0 = net[0].weight.detach().clone(), net[0].bias.detach().clone()
    train(net, torch.optim.SGD(net.parameters(), lr=0.1), epochs=3, seed=SEED)
    dead_after.append(dead_fractions(net)[0])
    acc_shift.append(test_accuracy(net))
    frozen.append(bool(torch.equal(net[0].weight[mask], w0[mask]) and torch.equal(net[0].bias[mask], b0[mask])))
    print(f"shift -{c}: dead {dead_before[-1]:.2f} -> {dead_after[-1]:.2f}, test accuracy {acc_shift[-1]:.3f}, "
          f"dead units' weights unchanged: {frozen[-1]}")

# %%
assert dead_before[0] == 0.0 and dead_before[-1] > 0.4
assert all(a >= b for a, b in zip(dead_after, dead_before)), "no first-layer unit comes back to life"
assert all(frozen), "a dead first-layer unit's weights get exactly zero gradient"
assert acc_shift[0] > 0.9 and acc_shift[2] < 0.3, "shift 4 kills only a few units but ruins training"
assert 0.03 < dead_before[2] < 0.25, "shift 4: under a quarter of the units dead (5-23% over seeds 0-9)"

# %% [markdown]
# A shift of 4 kills under a quarter of the units, yet accuracy collapses: the surviving units are active on so
# few images that most images reach the output as an all-zero hidden vector. Count the inactive (unit, image) pairs:

# %%
net = mlp(nn.ReLU, depth=1, width=128, seed=SEED, init="he")
with torch.no_grad():
    inactive0 = (net[0](X_train) <= 0).float().mean().item()
    net[0].bias -= 4
    inactive4 = (net[0](X_train) <= 0).float().mean().item()
    empty4 = (net[0](X_train) <= 0).all(dim=1).float().mean().item()
print(f"inactive pairs: {inactive0:.2f} unshifted, {inactive4:.3f} after the shift; "
      f"images with every unit off: {empty4:.2f}")
assert 0.4 < inactive0 < 0.6, "about half the units are off for a given image at He initialization"
assert inactive4 > 0.97 and empty4 > 0.75, "over three quarters of the images reach the output as zeros"

# %% [markdown]
# ## SELU normalizes only under its conditions
# 32 fully connected SELU layers of width 256, no biases, on standard-normal inputs. With LeCun-normal weights
# (variance $1/n_{\text{in}}$), the condition in Klambauer et al., the activations stay at mean 0 and variance 1.
# With He weights (variance $2/n_{\text{in}}$) the same network drifts far away.


# %%
def deep_forward(act, var_scale, depth=32, width=256, seed=SEED):
    gen = torch.Generator().manual_seed(seed)
    h = torch.randn(2000, width, generator=gen)
    for _ in range(depth):
        W = torch.randn(width, width, generator=gen) * np.sqrt(var_scale / width)
        h = act(h @ W.T)
    return h.mean().item(), h.var().item()


selu_lecun = deep_forward(torch.selu, 1.0)
selu_he = deep_forward(torch.selu, 2.0)
relu_lecun = deep_forward(torch.relu, 1.0)
print(f"SELU, LeCun: mean {selu_lecun[0]:.3f}, var {selu_lecun[1]:.3f}; SELU, He: mean {selu_he[0]:.1f}, "
      f"var {selu_he[1]:.0f}; ReLU, LeCun: var {relu_lecun[1]:.1e}")

# %%
assert abs(selu_lecun[0]) < 0.05 and abs(selu_lecun[1] - 1) < 0.1
assert selu_he[1] > 50 and selu_he[0] > 3, "He weights: variance 67-465 over seeds 0-19"
assert relu_lecun[1] < 1e-6, "ReLU halves the mean square per layer without He's factor 2"

# %% [markdown]
# ## Eight layers deep: sigmoid, tanh, ReLU and GELU
# Eight hidden layers of 64 units: He initialization for ReLU and GELU, and tanh's Xavier initialization for both
# tanh and the sigmoid. Each trains for 10 epochs with SGD (learning rate 0.02, momentum 0.9, batches of 64); at 0.05
# the ReLU network, whose activations are unbounded, diverged on some seeds. First the gradient at initialization:
# the ratio of the first to the last hidden layer's weight-gradient norm.

# %%
acts = {"sigmoid": (nn.Sigmoid, "xavier"), "tanh": (nn.Tanh, "xavier"), "ReLU": (nn.ReLU, "he"),
        "GELU": (nn.GELU, "he"), "sigmoid, Xavier x4": (nn.Sigmoid, "xavier")}
deep_losses, deep_acc, grad_ratio = {}, {}, {}
for name, (act, init) in acts.items():
    net = mlp(act, depth=8, width=64, seed=SEED, init=init)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    if name.endswith("x4"):   # scale the hidden weights by 1 / sigmoid'(0) = 4
        with torch.no_grad():
            for lin in linears[:-1]:
                lin.weight *= 4
    loss_fn(net(X_train), y_train).backward()
    grad_ratio[name] = (linears[0].weight.grad.norm() / linears[7].weight.grad.norm()).item()
    net.zero_grad()
    opt = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9)
    deep_losses[name] = train(net, opt, epochs=10, seed=SEED, batch=64)
    deep_acc[name] = test_accuracy(net)
    print(f"{name:18s} grad ratio layer 1 / layer 8 = {grad_ratio[name]:.1e}, "
          f"final training loss {deep_losses[name][-1]:.3f}, test accuracy {deep_acc[name]:.3f}")
    if name.endswith("x4"):   # 20 more epochs for the x4 sigmoid, with fresh batch orders
        x4_losses = deep_losses[name] + train(net, opt, epochs=20, seed=SEED + 1, batch=64)
        x4_acc30 = test_accuracy(net)
        print(f"{name:18s} after 30 epochs: training loss {x4_losses[-1]:.3f}, test accuracy {x4_acc30:.3f}")

# %% tags=["figure:activation-functions-deep-nets"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
for i, (name, losses) in enumerate(deep_losses.items()):
    if name.endswith("x4"):
        continue
    axes[0].plot(range(1, len(losses) + 1), losses, marker="o", markersize=3, color=f"C{i}",
                 label=f"{name} ({deep_acc[name]:.0%} test)")
axes[0].axhline(np.log(10), color="grey", linestyle=":", linewidth=1)
axes[0].text(1.2, np.log(10) * 0.6, "chance: ln 10", color="grey")
axes[0].set_yscale("log")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("training cross-entropy")
axes[0].set_title("8 hidden layers, SGD + momentum")
axes[0].legend(fontsize=8)
width = 0.38
pos = np.arange(len(lrs))
axes[1].bar(pos - width / 2, dead_by_lr[:, 0], width, label="hidden layer 1")
axes[1].bar(pos + width / 2, dead_by_lr[:, 1], width, label="hidden layer 2")
axes[1].set_xticks(pos, [f"{lr:g}" for lr in lrs])
axes[1].set_xlabel("Adam learning rate")
axes[1].set_ylabel("fraction of dead ReLU units")
axes[1].set_ylim(0, 1)
axes[1].set_title("too large a step kills units")
axes[1].legend(fontsize=8)
axes[2].plot(shifts, dead_before, marker="o", label="dead at initialization")
axes[2].plot(shifts, acc_shift, marker="s", label="test accuracy after SGD")
axes[2].set_xlabel("bias shift c (biases set to -c)")
axes[2].set_ylim(0, 1)
axes[2].set_title("a negative bias shift")
axes[2].legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# The sigmoid network never leaves chance: its first layer receives about $10^{-4}$ of the last hidden layer's
# weight gradient, because each layer multiplies the backward signal by at most a quarter of its weights' scale.
# Scaling its hidden weights by 4, to offset $\sigma'(0) = 1/4$, lifts that ratio over a hundredfold (to about 0.05),
# and the network then learns, but slowly: after 10 epochs its loss is still near $\ln 10$, and only after 20 more
# (not drawn) does it get over 40% of the test digits right.
# The tanh network, whose derivative peaks at 1 and whose outputs are centred on 0, trains as well as ReLU and GELU.

# %%
assert 2e-5 < grad_ratio["sigmoid"] < 5e-4, "about 1e-4"
assert all(0.1 < grad_ratio[k] < 10 for k in ("tanh", "ReLU", "GELU"))
assert deep_losses["sigmoid"][-1] > 2.2 and deep_acc["sigmoid"] < 0.2, "sigmoid stays at chance (ln 10 = 2.30)"
assert all(deep_acc[k] > 0.9 for k in ("tanh", "ReLU", "GELU"))
assert deep_acc["tanh"] > 0.93, "tanh: well over 90% (94.5-97.8% over seeds 0-9)"
assert 0.01 < grad_ratio["sigmoid, Xavier x4"] < 0.5 and grad_ratio["sigmoid, Xavier x4"] > 100 * grad_ratio["sigmoid"]
assert deep_losses["sigmoid, Xavier x4"][-1] > 2.0 and deep_acc["sigmoid, Xavier x4"] < 0.3, "x4: near ln 10 at 10"
assert x4_acc30 > 0.4 and x4_losses[-1] < 1.7, "x4 after 30 epochs: 68% at seed 0, 44-78% over seeds 0-19"
assert all(deep_losses[k][-1] < 0.3 for k in ("tanh", "ReLU", "GELU"))

# %%
elapsed = time.process_time() - START
print(f"CPU time after the imports: {elapsed:.1f} s")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
