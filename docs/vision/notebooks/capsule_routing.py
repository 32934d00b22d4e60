# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: vision/capsule-networks.md}
# ---

# %% [markdown]
# # Routing by agreement, on generated predictions and on digits
# We run dynamic routing on prediction vectors built so that a group of child capsules agrees about one parent,
# watch the couplings concentrate on it over the iterations, and see the effect vanish as noise drowns the agreement.
# Then a tiny capsule network learns scikit-learn's digits with one routing iteration (uniform couplings) and with
# three, next to a plain CNN.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

from mlguide.vision.capsules import dynamic_routing, margin_loss, prediction_vectors, squash

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
SEED = 0
torch.set_num_threads(1)

# %% [markdown]
# ## The page's worked examples
# Squashing $s = (3, 4)$, of length 5, gives length $25/26 \approx 0.96$ in the same direction; $s = (0.3, 0.4)$, of
# length 0.5, gives length $0.25/1.25 = 0.2$, that is $(0.12, 0.16)$.
#
# Two children, two parents, 2-D predictions: child 1 predicts $(1, 0)$ for parent 1 and $(0, 1)$ for parent 2; child 2
# predicts $(1, 0)$ and $(0, -1)$. With uniform couplings (0.5 each) parent 1 receives $s_1 = (1, 0)$, so
# $v_1 = (0.5, 0)$, and parent 2 receives $(0, 0)$. Both children's agreement with parent 1 is
# $(1,0)\cdot(0.5,0) = 0.5$, with parent 2 zero, so the second iteration couples each child to parent 1 with
# $e^{0.5}/(e^{0.5}+1) \approx 0.62$; then $|s_1| = 2 \times 0.62 \approx 1.25$ and $|v_1| \approx 0.61$.
#
# The CapsNet of Sabour et al. has 1,152 primary capsules of 8 dimensions and 10 digit capsules of 16, so its
# transformation matrices hold $1152 \times 10 \times 16 \times 8 = 1{,}474{,}560$ weights; with the two convolutions
# (20,992 and 5,308,672 weights and biases) that makes 6,804,224, and the reconstruction decoder (160-512-1024-784)
# adds 1,411,344, for 8,215,568 in all.

# %%
assert np.allclose(squash([3.0, 4.0]), np.array([3.0, 4.0]) * 5 / 26)
assert np.allclose(squash([0.3, 0.4]), [0.12, 0.16])
u_hat_2 = np.array([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]])
v_it1, c_it1 = dynamic_routing(u_hat_2, 1)
v_it2, c_it2 = dynamic_routing(u_hat_2, 2)
print("couplings after 1 and 2 iterations:", c_it1[:, 0], c_it2[:, 0].round(4))
print("parent lengths:", np.linalg.norm(v_it1, axis=1), np.linalg.norm(v_it2, axis=1).round(4))
assert np.allclose(c_it1, 0.5) and np.allclose(v_it1, [[0.5, 0], [0, 0]])
assert abs(c_it2[0, 0] - 0.6225) < 1e-4 and abs(np.linalg.norm(v_it2[0]) - 0.608) < 1e-3 and np.allclose(v_it2[1], 0)

conv1 = 256 * 1 * 9 * 9 + 256
primary = 256 * 256 * 9 * 9 + 256                 # 32 capsule types x 8 dimensions = 256 channels
transform = 1152 * 10 * 16 * 8                   # 6 x 6 x 32 = 1,152 primary capsules
decoder = (16 * 10 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784)
print(f"conv1 {conv1:,}, primary caps {primary:,}, W_ij {transform:,}, decoder {decoder:,}")
assert 6 * 6 * 32 == 1152 and transform == 1_474_560
assert conv1 + primary + transform == 6_804_224 and decoder == 1_411_344
assert conv1 + primary + transform + decoder == 8_215_568

# %% [markdown]
# ## Agreement on generated predictions
# Sixteen child capsules predict 8-dimensional outputs for four parents. Children 0–11 are *parts* of parent 0: each
# predicts parent 0's pose $p$ (a random unit vector) plus Gaussian noise of standard deviation $\sigma$ per
# coordinate, here $\sigma = 0.05$. Every other prediction, and every prediction of the four *clutter* children 12–15,
# points in a random direction. All predictions are then scaled to length 1, so only their directions can agree and
# the agreement $\hat u_{j|i} \cdot v_j$ is the cosine times $|v_j|$. We route for 1 to 8 iterations; iteration 1 is
# the uniform coupling $c_{ij} = 1/4$.

# %%
N_PARTS, N_CLUTTER, N_PARENTS, DIM = 12, 4, 4, 8
ITERATIONS = range(1, 9)


def generated_predictions(sigma, rng):
    pose = rng.normal(size=DIM)
    pose /= np.linalg.norm(pose)
    u_hat = rng.normal(size=(N_PARTS + N_CLUTTER, N_PARENTS, DIM))
    u_hat[:N_PARTS, 0] = pose + sigma * rng.normal(size=(N_PARTS, DIM))
    return u_hat / np.linalg.norm(u_hat, axis=-1, keepdims=True), pose


rng = np.random.default_rng(SEED)
u_hat, pose = generated_predictions(0.05, rng)
couplings = np.array([dynamic_routing(u_hat, r)[1] for r in ITERATIONS])           # (iteration, child, parent)
lengths = np.array([np.linalg.norm(dynamic_routing(u_hat, r)[0], axis=-1) for r in ITERATIONS])
parts_to_0, clutter_to_0 = couplings[:, :N_PARTS, 0].mean(1), couplings[:, N_PARTS:, 0].mean(1)
for r, pc, cc, ln in zip(ITERATIONS, parts_to_0, clutter_to_0, lengths):
    print(f"iteration {r}: parts -> parent 0 {pc:.3f}, clutter -> parent 0 {cc:.3f}, lengths {ln.round(3)}")
v3 = dynamic_routing(u_hat, 3)[0]
cosine = v3[0] @ pose / np.linalg.norm(v3[0])
print(f"after 3 iterations parent 0 points along the parts' pose: cosine {cosine:.4f}")

# %% [markdown]
# Then the same routing, three iterations, with the parts' agreement weakened: noise $\sigma$ from 0 to 3 per
# coordinate, 20 random draws each. At $\sigma = 3$ the noise is about 8.5 times as long as the pose, so the parts'
# directions are nearly random.

# %%
SIGMAS = np.array([0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0])
noise_rng = np.random.default_rng(SEED + 1)
coupling_vs_sigma = np.array([[dynamic_routing(generated_predictions(s, noise_rng)[0], 3)[1][:N_PARTS, 0].mean()
                               for _ in range(20)] for s in SIGMAS])
print("sigma:                    ", " ".join(f"{x:5.2f}" for x in SIGMAS))
print("parts -> parent 0, 3 its: ", " ".join(f"{x:5.3f}" for x in coupling_vs_sigma.mean(1)))

# %% tags=["figure:capsule-networks-routing"]
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
axes[0].plot(ITERATIONS, parts_to_0, "o-", color="tab:blue", label="parts → parent 0")
axes[0].plot(ITERATIONS, clutter_to_0, "s--", color="tab:gray", label="clutter → parent 0")
axes[0].axhline(1 / N_PARENTS, color="black", lw=0.6, ls=":")
axes[0].text(5.2, 1 / N_PARENTS + 0.02, "uniform, 1/4", fontsize=8)
axes[0].set(xlabel="routing iterations", ylabel="mean coupling $c_{i0}$", ylim=(0, 1.02),
            title="couplings concentrate on the agreed parent")
for j, color in enumerate(["tab:blue", "tab:orange", "tab:green", "tab:purple"]):
    axes[1].plot(ITERATIONS, lengths[:, j], "o-" if j == 0 else "x:", label=f"parent {j}", color=color)
axes[1].set(xlabel="routing iterations", ylabel="parent length $|v_j|$", ylim=(0, 1.02),
            title="the agreed parent's length nears 1")
mean, low, high = coupling_vs_sigma.mean(1), coupling_vs_sigma.min(1), coupling_vs_sigma.max(1)
axes[2].plot(SIGMAS, mean, "o-", color="tab:blue")
axes[2].fill_between(SIGMAS, low, high, color="tab:blue", alpha=0.2, label="range over 20 draws")
axes[2].axhline(1 / N_PARENTS, color="black", lw=0.6, ls=":")
axes[2].set(xlabel="noise σ in the parts' predictions", ylabel="parts' coupling to parent 0 (3 iterations)",
            ylim=(0, 1.02), title="no agreement, no routing")
for ax in axes:
    ax.title.set_fontsize(9.5)
    ax.legend(fontsize=7.5, loc="center right" if ax is axes[0] else "lower right" if ax is axes[1] else "upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the asserts check
# - The couplings sum to 1 over the parents for every child, at every iteration.
# - The parts' mean coupling to parent 0 rises at every iteration: from 0.25 to about 0.6 after three (the usual
#   number), and above 0.95 after eight. Routing keeps sharpening as long as it runs, the "polarization" Paik et al.
#   (2019) report.
# - The clutter children are coupled to parent 0 less than the parts from the second iteration on, and below 0.4
#   throughout.
# - After three iterations parent 0 is longer than 0.95, at least 0.15 longer than any other parent, and points along
#   the parts' pose (cosine above 0.99).
# - The parts' coupling to parent 0 after three iterations falls as their noise grows, to within 0.05 of uniform
#   (0.25) at $\sigma = 3$.
#
# These held for seeds 0, 1 and 2 when the notebook was written; the numbers quoted are for seed 0.

# %%
assert np.allclose(couplings.sum(axis=-1), 1.0)
assert np.all(np.diff(parts_to_0) > 0) and parts_to_0[0] == 0.25 and parts_to_0[-1] > 0.95
assert 0.55 < parts_to_0[2] < 0.7, parts_to_0
assert np.all(clutter_to_0[1:] < parts_to_0[1:]) and np.all(clutter_to_0 < 0.4)
assert lengths[2, 0] > 0.95 and lengths[2, 0] > lengths[2, 1:].max() + 0.15 and cosine > 0.99
assert abs(mean[-1] - 0.25) < 0.05 and mean[0] > 0.55 and np.all(np.diff(mean) < 0.02), mean

# %% [markdown]
# ## A tiny capsule network on the digits
# 70% of the 1,797 digits train, 30% test. A 3 × 3 convolution (32 channels, ReLU) turns each 8 × 8 digit into
# 6 × 6 maps; a second 3 × 3 convolution with stride 2 gives 2 × 2 positions of 8 capsule types with 4 dimensions:
# 32 primary capsules, squashed. Each predicts each of 10 digit capsules (8 dimensions) through its own 8 × 4 matrix,
# routing combines the predictions, and the length of a digit capsule is the network's confidence in that digit,
# trained with the margin loss. We train it with one routing iteration (uniform couplings, no routing) and with three,
# and a plain CNN with the same two convolutions, a flatten and a linear layer on cross-entropy. Adam (learning rate
# $10^{-2}$), mini-batches of 64, 10 epochs each.

# %%
digits, labels = load_digits(return_X_y=True)
images = (digits / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
order = np.random.default_rng(SEED).permutation(len(images))
n_train = int(0.7 * len(images))
X_train, y_train = torch.tensor(images[order[:n_train]]), torch.tensor(labels[order[:n_train]])
X_test, y_test = torch.tensor(images[order[n_train:]]), torch.tensor(labels[order[n_train:]])


def torch_squash(s):
    n2 = (s**2).sum(-1, keepdim=True)
    return s * torch.sqrt(n2 + 1e-12) / (1 + n2)


def torch_routing(u_hat, iterations):
    b = torch.zeros(u_hat.shape[:-1])
    for r in range(iterations):
        c = torch.softmax(b, dim=-1)
        v = torch_squash((c.unsqueeze(-1) * u_hat).sum(dim=-3))
        if r < iterations - 1:
            b = b + (u_hat * v.unsqueeze(-3)).sum(dim=-1)
    return v, c


class TinyCapsNet(nn.Module):
    def __init__(self, iterations, types=8, d_in=4, d_out=8):
        super().__init__()
        self.iterations, self.types, self.d_in = iterations, types, d_in
        self.conv = nn.Conv2d(1, 32, 3)                                  # 8 x 8 -> 6 x 6
        self.primary = nn.Conv2d(32, types * d_in, 3, stride=2)          # 6 x 6 -> 2 x 2
        self.W = nn.Parameter(0.1 * torch.randn(types * 2 * 2, 10, d_out, d_in))

    def primary_capsules(self, x):
        p = self.primary(F.relu(self.conv(x)))                            # (B, types * d_in, 2, 2)
        u = p.view(len(x), self.types, self.d_in, -1).permute(0, 1, 3, 2).reshape(len(x), -1, self.d_in)
        return torch_squash(u)                                            # (B, 32, 4)

    def forward(self, x):
        u_hat = torch.einsum("ijdk,bik->bijd", self.W, self.primary_capsules(x))
        v, _ = torch_routing(u_hat, self.iterations)
        return v.norm(dim=-1)                                              # (B, 10) lengths


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3, stride=2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(32 * 2 * 2, 10))


def torch_margin_loss(lengths, y):
    T = F.one_hot(y, 10).float()
    return (T * F.relu(0.9 - lengths) ** 2 + 0.5 * (1 - T) * F.relu(lengths - 0.1) ** 2).sum(1).mean()


def train(model, loss_fn, epochs=10):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    batches = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        for idx in torch.randperm(len(X_train), generator=batches).split(64):
            opt.zero_grad()
            loss_fn(model(X_train[idx]), y_train[idx]).backward()
            opt.step()
    return model.eval()


results = {}
for name, make, loss_fn in [("capsules, 1 iteration", lambda: TinyCapsNet(1), torch_margin_loss),
                            ("capsules, 3 iterations", lambda: TinyCapsNet(3), torch_margin_loss),
                            ("plain CNN", cnn, F.cross_entropy)]:
    torch.manual_seed(SEED)
    model = train(make(), loss_fn)
    with torch.no_grad():
        acc = (model(X_test).argmax(1) == y_test).float().mean().item()
    results[name] = dict(model=model, accuracy=acc, parameters=sum(p.numel() for p in model.parameters()))
    print(f"{name:24s} test accuracy {acc:.4f}, {results[name]['parameters']:,} parameters")

# %% [markdown]
# The trained network's routing, recomputed with the page's NumPy functions (`prediction_vectors`,
# `dynamic_routing`, `margin_loss`) on 200 test digits, gives the same lengths and loss as the PyTorch layer.

# %%
caps3 = results["capsules, 3 iterations"]["model"]
with torch.no_grad():
    u = caps3.primary_capsules(X_test[:200]).double().numpy()
    lengths_torch = caps3(X_test[:200]).double().numpy()
v_np, c_np = dynamic_routing(prediction_vectors(u, caps3.W.detach().double().numpy()), 3)
lengths_np = np.linalg.norm(v_np, axis=-1)
loss_np = margin_loss(lengths_np, y_test[:200].numpy())
loss_torch = torch_margin_loss(torch.tensor(lengths_torch), y_test[:200]).item()
print(f"max length difference {np.abs(lengths_np - lengths_torch).max():.1e}; margin loss {loss_np:.4f} vs {loss_torch:.4f}")
assert np.abs(lengths_np - lengths_torch).max() < 1e-5 and abs(loss_np - loss_torch) < 1e-5
assert np.allclose(c_np.sum(-1), 1) and np.all(lengths_np < 1)

# %% [markdown]
# - Both capsule networks and the CNN pass 95% test accuracy.
# - Three routing iterations change the capsule network's accuracy by less than a point against one iteration,
#   which is no routing at all (uniform couplings). When the notebook was written the change was 0.00, +0.19 and
#   +0.74 points for seeds 0, 1 and 2 (three iterations never worse). With one centred digit per image and 32
#   primary capsules on a 2 × 2 grid there is nothing to segment, which is what routing was proposed for.
#
# When the notebook was written these held for seeds 0, 1 and 2; the seed sets the split, the initialization and
# the batches.

# %%
acc1, acc3, acc_cnn = (results[k]["accuracy"] for k in ["capsules, 1 iteration", "capsules, 3 iterations", "plain CNN"])
assert min(acc1, acc3, acc_cnn) > 0.95
assert abs(acc3 - acc1) < 0.01, (acc3, acc1)

# %% [markdown]
# The numbers the page quotes, for seed 0: couplings of about 0.60 after three iterations and 0.98 after eight; test
# accuracy 98.5% for both capsule networks and 98.3% for the CNN, which has 10,858 parameters against 19,808.

# %%
assert abs(parts_to_0[2] - 0.60) < 0.01 and abs(parts_to_0[-1] - 0.98) < 0.01, parts_to_0
assert abs(100 * acc1 - 98.5) < 0.5 and abs(100 * acc3 - 98.5) < 0.5 and abs(100 * acc_cnn - 98.3) < 0.5
assert results["plain CNN"]["parameters"] == 10_858 and results["capsules, 3 iterations"]["parameters"] == 19_808

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
