# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: vision/residual-networks.md}
# ---

# %% [markdown]
# # Plain and residual networks: gradients at initialization, training loss and lesions
# We check the page's worked example with a NumPy residual block, then build 8- and 32-layer networks for
# scikit-learn's digits, plain and residual, and measure their gradients at initialization and their training loss.
# The deep plain network trains worse than the shallow one although its gradients do not vanish, the residual one
# does not, and deleting one of the later blocks from a trained residual network barely matters.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from mlguide.vision.residual import residual_block_backward, residual_block_forward, residual_block_jacobian

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
torch.set_num_threads(1)

# %% [markdown]
# ## The worked example: one pre-activation block by hand
# Input $x = (2, -1)$. The branch sees $\mathrm{relu}(x) = (2, 0)$; with $W_1 = \begin{pmatrix}1 & 1\\ 1 & -1
# \end{pmatrix}$ and no biases, $a_1 = (2, 2)$ and $h = (2, 2)$; with $W_2 = \mathrm{diag}(0.5, -0.25)$ the residual is
# $F = (1, -0.5)$ and the output $y = x + F = (3, -1.5)$. The Jacobian is
# $I + W_2\,\mathrm{diag}(1, 1)\,W_1\,\mathrm{diag}(1, 0) = \begin{pmatrix}1.5 & 0\\ -0.25 & 1\end{pmatrix}$: the
# branch ignores $x_2$ (its ReLU is off), yet $\partial y_2/\partial x_2 = 1$ through the shortcut. For
# $\partial L/\partial y = (0, 1)$ the backward pass returns its row of the Jacobian, $(-0.25, 1)$.

# %%
x_ex = np.array([[2.0, -1.0]])
W1_ex, W2_ex = np.array([[1.0, 1.0], [1.0, -1.0]]), np.diag([0.5, -0.25])
zeros2 = np.zeros(2)
y_ex, cache_ex = residual_block_forward(x_ex, W1_ex, zeros2, W2_ex, zeros2, preactivation=True)
J_ex = residual_block_jacobian(x_ex[0], W1_ex, zeros2, W2_ex, zeros2, preactivation=True)
dx_ex = residual_block_backward(np.array([[0.0, 1.0]]), cache_ex)["dx"]
print("y =", y_ex, "\nJ =", J_ex, "\ndL/dx =", dx_ex)

# %%
assert np.array_equal(y_ex, [[3.0, -1.5]])
assert np.array_equal(J_ex, [[1.5, 0.0], [-0.25, 1.0]])
assert np.array_equal(dx_ex, [[-0.25, 1.0]])
# the plain layer relu(x) W1^T ... without the shortcut: the column for x_2 is zero, so no gradient reaches x_2
assert np.array_equal(J_ex - np.eye(2), [[0.5, 0.0], [-0.25, 0.0]])

# %% [markdown]
# Unrolled, three scalar blocks with branch derivatives $a_l$ give
# $\prod_l (1 + a_l) = 1 + \sum a_l + \sum a_l a_m + a_1 a_2 a_3$, a sum over the $2^3 = 8$ paths that take or skip
# each branch. With every $a_l = 0.1$ that is $1 + 0.3 + 0.03 + 0.001 = 1.331$, against $0.1^3 = 0.001$ for the plain
# chain, which has only the one path through every layer.
#
# The page's bottleneck arithmetic: a 1 × 1 from 256 to 64 channels, a 3 × 3 at 64 and a 1 × 1 back to 256 hold
# 69,632 weights, about 17 times fewer than two 3 × 3 convolutions at 256 channels (about 1.18 million) and about as
# many as a basic block at 64 channels (73,728); a 256 → 256 projection shortcut (65,536) would nearly double it.

# %%
bottleneck = 2 * 256 * 64 + 9 * 64 ** 2
assert bottleneck == 69_632 and 2 * 9 * 256 ** 2 == 1_179_648 and round(2 * 9 * 256 ** 2 / bottleneck) == 17
assert 2 * 9 * 64 ** 2 == 73_728 and 1.9 < (bottleneck + 256 ** 2) / bottleneck < 2

# %%
a = 0.1
paths = {k: [np.prod(c) for c in __import__("itertools").combinations([a] * 3, k)] for k in range(4)}
by_length = {k: sum(v) for k, v in paths.items()}
print({k: round(v, 6) for k, v in by_length.items()}, "total", round(sum(by_length.values()), 6))
assert sum(len(v) for v in paths.values()) == 8
assert np.isclose(sum(by_length.values()), (1 + a) ** 3) and np.isclose((1 + a) ** 3, 1.331)
assert np.allclose([by_length[k] for k in range(4)], [1, 0.3, 0.03, 0.001])

# %% [markdown]
# ## Data and networks
# The 1,797 digits (8 × 8 images, pixels divided by 16): 1,200 to train, 597 to test. Every network is 32 units wide
# and uses batch norm after each bias-free hidden linear layer, with He initialization:
#
# - a *stem* (64 → 32, batch norm, ReLU), then $k$ two-layer units, then a linear head (32 → 10): $2k + 2$ weighted
#   layers, so $k = 3$ gives 8 layers and $k = 15$ gives 32;
# - a *plain* unit computes $\mathrm{relu}(\mathrm{BN}(W_2\,\mathrm{relu}(\mathrm{BN}(W_1 h))))$;
# - a *residual* unit adds $h$ before the last ReLU, the original block of He et al. (2016a), with identity shortcuts
#   since the width never changes;
# - "zero-γ" is the residual network with the last batch-norm scale of every block set to 0, so every block starts as
#   the identity followed by a ReLU.
#
# A plain network without batch norm (biases on, He initialization) is the third case for gradients at
# initialization.

# %%
X_all, y_all = load_digits(return_X_y=True)
perm = np.random.default_rng(0).permutation(len(X_all))
X_all = torch.tensor(X_all[perm] / 16.0, dtype=torch.float32)
y_all = torch.tensor(y_all[perm])
Xtr, ytr, Xte, yte = X_all[:1200], y_all[:1200], X_all[1200:], y_all[1200:]
WIDTH = 32


class Unit(nn.Module):
    """Two linear layers with batch norm; residual=True adds the identity shortcut before the last ReLU."""

    def __init__(self, residual, width=WIDTH):
        super().__init__()
        self.residual = residual
        self.fc1, self.bn1 = nn.Linear(width, width, bias=False), nn.BatchNorm1d(width)
        self.fc2, self.bn2 = nn.Linear(width, width, bias=False), nn.BatchNorm1d(width)

    def forward(self, h):
        f = self.bn2(self.fc2(torch.relu(self.bn1(self.fc1(h)))))
        return torch.relu(h + f) if self.residual else torch.relu(f)


def make_net(k, kind, seed):
    """kind: 'plain', 'residual', 'zero-gamma' (residual, last BN scale of each block 0) or 'plain, no BN'."""
    torch.manual_seed(seed)
    if kind == "plain, no BN":
        layers = [nn.Linear(64, WIDTH), nn.ReLU()]
        for _ in range(2 * k):
            layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    else:
        layers = [nn.Linear(64, WIDTH, bias=False), nn.BatchNorm1d(WIDTH), nn.ReLU()]
        layers += [Unit(residual=kind != "plain") for _ in range(k)]
    net = nn.Sequential(*layers, nn.Linear(WIDTH, 10))
    for module in net.modules():
        if isinstance(module, nn.Linear):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        if kind == "zero-gamma" and isinstance(module, Unit):
            nn.init.zeros_(module.bn2.weight)
    return net


def n_weighted(net):
    return sum(isinstance(m, nn.Linear) for m in net.modules())


assert n_weighted(make_net(3, "plain", 0)) == 8 and n_weighted(make_net(15, "residual", 0)) == 32
assert n_weighted(make_net(15, "plain, no BN", 0)) == 32

# %% [markdown]
# ## Gradients at initialization
# For each 32-layer network, the Frobenius norm of the gradient of the mean cross-entropy on 256 training images with
# respect to each hidden layer's weights (the 31 layers below the head), in train mode, at initialization, over four
# seeds. If depth made gradients vanish, the first layers would get the smallest.

# %%
SEEDS = [0, 1, 2, 3]
GRAD_KINDS = ["plain", "plain, no BN", "residual"]


def weight_gradient_norms(net):
    net.train()
    net.zero_grad()
    F.cross_entropy(net(Xtr[:256]), ytr[:256]).backward()
    return np.array([m.weight.grad.norm().item() for m in net.modules() if isinstance(m, nn.Linear)][:-1])


grad_norms = {kind: np.array([weight_gradient_norms(make_net(15, kind, s)) for s in SEEDS]) for kind in GRAD_KINDS}
first_over_last = {kind: g[:, 0] / g[:, -1] for kind, g in grad_norms.items()}
for kind in GRAD_KINDS:
    print(f"{kind:>13}: first/last hidden-layer gradient norm", np.round(first_over_last[kind], 1))

# %% [markdown]
# Nothing vanishes. With batch norm the plain network's gradient *explodes* toward the input, about 300 times larger
# at the first hidden layer than at the last (more than 100 for every seed), as Yang et al. (2019) predict for
# plain batch-normalized networks. Without batch norm, He initialization keeps the norms within a factor of a few
# across the 31 layers. The residual network's gradient also grows toward the input, but by about 10–20 times.

# %%
assert all(first_over_last["plain"] > 100)
assert 200 < np.median(first_over_last["plain"]) < 500          # "about 300"
assert all((first_over_last["plain, no BN"] > 0.2) & (first_over_last["plain, no BN"] < 5))
assert all((first_over_last["residual"] > 5) & (first_over_last["residual"] < 30))
assert np.median(first_over_last["plain"]) > 10 * np.median(first_over_last["residual"])

# %% [markdown]
# ## Training: the degradation problem
# SGD with momentum 0.9, learning rate 0.05, batches of 100, 8 epochs (96 steps), for the 8- and 32-layer plain
# networks and the 32-layer residual networks, with two seeds (each seed fixes the initialization and the batch
# order). The training loss is the mean cross-entropy of each epoch's batches in train mode, the quantity the
# optimizer sees; test accuracy is measured in eval mode at the end. The 8-layer residual network is trained too, as
# a reference for what depth costs when shortcuts are there.

# %%
TRAIN_SEEDS = [0, 1]
RUNS = {"plain-8": (3, "plain"), "plain-32": (15, "plain"), "residual-8": (3, "residual"),
        "residual-32": (15, "residual"), "zero-γ residual-32": (15, "zero-gamma")}


def train(net, seed, epochs=8, lr=0.05, batch=100):
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    gen = torch.Generator().manual_seed(seed)
    curve = []
    for _ in range(epochs):
        net.train()
        order, losses = torch.randperm(len(Xtr), generator=gen), []
        for i in range(0, len(Xtr), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(net(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curve.append(np.mean(losses))
    net.eval()
    return net, np.array(curve)


def test_accuracy(net):
    with torch.no_grad():
        return (net(Xte).argmax(1) == yte).float().mean().item()


curves, acc, nets = {}, {}, {}
for name, (k, kind) in RUNS.items():
    for seed in TRAIN_SEEDS:
        nets[name, seed], curves[name, seed] = train(make_net(k, kind, seed), seed)
        acc[name, seed] = test_accuracy(nets[name, seed])
final = {name: np.array([curves[name, s][-1] for s in TRAIN_SEEDS]) for name in RUNS}
for name in RUNS:
    print(f"{name:>19}: final training loss {np.round(final[name], 3)}, "
          f"test accuracy {np.round([acc[name, s] for s in TRAIN_SEEDS], 3)}")

# %% [markdown]
# The 32-layer plain network ends with a training loss above 1, against under 0.1 for the 8-layer one: its
# *training* error is higher, so this is not overfitting, and its test accuracy is far lower too (under 60% against
# over 90%). The same 32 layers with identity shortcuts reach a training loss more than 8 times lower (11 to 16 times
# over the six seeds we tried). They still trail the 8-layer residual network at this budget; starting every block
# at the identity (zero-γ) closes most of that gap, to under 0.05.

# %%
assert all(final["plain-32"] > 1.0) and all(final["plain-8"] < 0.1)
assert all(acc["plain-32", s] < 0.6 and acc["plain-8", s] > 0.9 for s in TRAIN_SEEDS)
assert all(final["residual-32"] < 0.2) and all(final["plain-32"] > 8 * final["residual-32"])
assert all(final["zero-γ residual-32"] < final["residual-32"]) and all(final["zero-γ residual-32"] < 0.07)
assert all(final["zero-γ residual-32"] - final["residual-8"] < 0.05)
assert all(final["residual-32"] > final["residual-8"])
assert all(acc["residual-32", s] > 0.9 and acc["zero-γ residual-32", s] > 0.9 for s in TRAIN_SEEDS)

# %% [markdown]
# ## Lesions: deleting one block after training
# Veit, Wilber and Belongie (2016) deleted single blocks from trained residual networks at test time and found that
# accuracy barely moved, while removing a layer from a plain VGG network destroyed it. We delete each of the 15 blocks
# of the trained residual-32 network in turn, and each of the 3 units of the trained plain-8 network (the better plain
# network: its 2-layer units are what a block is in the residual one), keeping every other weight and running
# statistic.

# %%
def without(net, i):
    """The trained network with its i-th two-layer unit removed."""
    layers = list(net)
    units = [j for j, layer in enumerate(layers) if isinstance(layer, Unit)]
    return nn.Sequential(*[layer for j, layer in enumerate(layers) if j != units[i]]).eval()


lesion = {}
for name, n_units in (("residual-32", 15), ("plain-8", 3)):
    lesion[name] = np.array([[test_accuracy(without(nets[name, s], i)) for i in range(n_units)]
                             for s in TRAIN_SEEDS])
    drops = np.array([acc[name, s] for s in TRAIN_SEEDS])[:, None] - lesion[name]
    print(f"{name}: accuracy drop when one unit is deleted: median {np.median(drops):.3f}, "
          f"max {drops.max():.3f}")

# %% [markdown]
# Deleting any one of the residual network's blocks 3 to 15 costs under 8 points of accuracy (the median drop over
# all 15 is under 2 points), because the signal still reaches the head along the shortcuts. The first two blocks
# matter most: deleting the first costs 20 to 50 points, the second 3 to 30 (5 to 26 over the six seeds we tried).
# Deleting any unit of the plain network leaves it near chance (at most 30%).

# %%
res_drop = np.array([acc["residual-32", s] for s in TRAIN_SEEDS])[:, None] - lesion["residual-32"]
assert np.median(res_drop) < 0.02 and res_drop[:, 2:].max() < 0.08
assert all((res_drop[:, 0] > 0.2) & (res_drop[:, 0] < 0.5))
assert all((res_drop[:, 1] > 0.03) & (res_drop[:, 1] < 0.3))
assert lesion["plain-8"].max() < 0.3

# %% [markdown]
# ## The figure

# %% tags=["figure:residual-networks-plain-vs-residual"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
colours = {"plain": "tab:red", "plain, no BN": "tab:orange", "residual": "tab:blue"}
ax = axes[0]
layers_axis = np.arange(1, 32)
for kind in GRAD_KINDS:
    g = grad_norms[kind]
    ax.plot(layers_axis, np.exp(np.log(g).mean(0)), color=colours[kind], label=f"{kind}, 32 layers")
ax.set_yscale("log")
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("weight-gradient norm at init")
ax.set_title("Gradients at initialization (4 seeds)")
ax.legend(fontsize=8)

ax = axes[1]
styles = {"plain-8": ("tab:red", ":"), "plain-32": ("tab:red", "-"), "residual-8": ("tab:blue", ":"),
          "residual-32": ("tab:blue", "-"), "zero-γ residual-32": ("tab:green", "--")}
epochs = np.arange(1, 9)
for name, (colour, ls) in styles.items():
    ax.plot(epochs, np.mean([curves[name, s] for s in TRAIN_SEEDS], 0), ls, color=colour, label=name)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (mean over batches)")
ax.set_title("Training loss (mean of 2 seeds)")
ax.legend(fontsize=8)

ax = axes[2]
ax.plot(np.arange(1, 16), lesion["residual-32"].mean(0), "o-", color="tab:blue", label="residual-32, one block removed")
ax.axhline(np.mean([acc["residual-32", s] for s in TRAIN_SEEDS]), color="tab:blue", ls=":", label="residual-32, intact")
ax.plot(np.arange(1, 4), lesion["plain-8"].mean(0), "s-", color="tab:red", label="plain-8, one unit removed")
ax.axhline(np.mean([acc["plain-8", s] for s in TRAIN_SEEDS]), color="tab:red", ls=":", label="plain-8, intact")
ax.axhline(0.1, color="grey", lw=0.8)
ax.set_ylim(0, 1.02)
ax.set_xticks([1, 3, 5, 10, 15])
ax.set_xlabel("unit deleted at test time")
ax.set_ylabel("test accuracy")
ax.set_title("Deleting one unit after training")
ax.legend(fontsize=8, loc="center right")
fig.tight_layout()
plt.show()

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
