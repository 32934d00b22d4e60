# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generative/adversarial-training.md}
# ---

# %% [markdown]
# # Adversarial examples and adversarial training on digits
# We attack a softmax regression and a small network trained on scikit-learn's 8 × 8 digits with FGSM and PGD inside
# an $L_\infty$ ball of radius $\varepsilon$, then train the network on PGD examples at three radii and measure clean
# and robust accuracy. Last, a defence that only hides the gradient looks robust until the attack routes around it.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch import nn

from mlguide.generative.adversarial import fgsm, input_gradient, pgd

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
torch.set_num_threads(1)
SEED = 0

# %% [markdown]
# ## Data and threat model
# Pixels are scaled to $[0, 1]$ (the digits' 0–16 divided by 16). The attacker may change every pixel by at most
# $\varepsilon$ and must stay in $[0, 1]$: an $L_\infty$ ball, white-box (the attacker knows the weights), untargeted
# (any wrong class will do). 1,347 images train, 450 test.

# %%
digits, labels = load_digits(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split((digits / 16).astype(np.float32), labels, test_size=0.25,
                                                    stratify=labels, random_state=0)
Xtr, Xte, ytr, yte = map(torch.tensor, (train_x, test_x, train_y, test_y))
EPSILONS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
print(len(train_x), "train,", len(test_x), "test")
assert (len(train_x), len(test_x)) == (1347, 450)

# %% [markdown]
# ## A linear model: softmax regression, attacked in NumPy
# `input_gradient` gives the cross-entropy's gradient in the input analytically, $(P - Y)W$; first we check it against
# PyTorch autograd on the same weights, then attack with `fgsm` and a 10-step `pgd`.

# %%
linear = LogisticRegression(C=1.0, max_iter=2000).fit(train_x, train_y)
W, b = linear.coef_, linear.intercept_
layer = nn.Linear(64, 10, dtype=torch.float64)
with torch.no_grad():
    layer.weight.copy_(torch.tensor(W))
    layer.bias.copy_(torch.tensor(b))
x = torch.tensor(test_x, dtype=torch.float64, requires_grad=True)
nn.functional.cross_entropy(layer(x), yte, reduction="sum").backward()
np.testing.assert_allclose(input_gradient(test_x, test_y, W, b)[1], x.grad.numpy(), rtol=1e-9, atol=1e-12)


def linear_accuracy(X_attacked):
    return float(np.mean(linear.predict(X_attacked) == test_y))


linear_fgsm = [linear_accuracy(fgsm(test_x, test_y, W, b, e)) for e in EPSILONS]
linear_pgd = [linear_accuracy(pgd(test_x, test_y, W, b, e, 2.5 * e / 10, 10, rng=SEED)) for e in EPSILONS]
print("softmax regression, FGSM:", np.round(linear_fgsm, 3))
print("softmax regression, PGD: ", np.round(linear_pgd, 3))

# %% [markdown]
# The linearity argument in numbers: FGSM moves the margin between the true class and class $k$ by up to
# $\varepsilon \lVert w_y - w_k \rVert_1$, a sum over all 64 pixels.

# %%
gaps = np.abs(W[:, None, :] - W[None, :, :]).sum(axis=2)
typical_gap = np.median(gaps[np.triu_indices(10, 1)])
print(f"median ||w_j - w_k||_1 = {typical_gap:.1f}: at eps = 0.1 the margin can move by {0.1 * typical_gap:.1f}")

# %% [markdown]
# ## A small network, standard training
# A multilayer perceptron 64 → 128 → 10 (ReLU), full-batch Adam for 200 steps, as many as the adversarially trained
# networks below get, so that their clean accuracies compare like with like (at 300 steps its clean accuracy happened
# to be 0.4–1.3 points lower for seeds 0–2, 2 to 6 of the 450 test images, while its test cross-entropy still fell:
# noise, not overfitting, but a confound that equal steps remove). PGD takes 10 steps of size $2.5\varepsilon/10$
# from a random point of the ball; FGSM is one step of size $\varepsilon$ from the clean image.


# %%
def mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def attack(model, x, y, eps, steps=10, random_start=True, generator=None, through=None):
    """L-inf PGD on the cross-entropy; steps=1 without a random start and step eps is FGSM. `through` replaces the
    model in the backward pass only (used for BPDA below)."""
    step = eps if steps == 1 and not random_start else 2.5 * eps / steps
    grad_model = through or model
    x_adv = x.clone()
    if random_start:
        x_adv = (x + (2 * torch.rand(x.shape, generator=generator) - 1) * eps).clamp(0, 1)
    for _ in range(steps):
        x_adv.requires_grad_(True)
        (g,) = torch.autograd.grad(nn.functional.cross_entropy(grad_model(x_adv), y), x_adv)
        x_adv = torch.min(torch.max(x_adv.detach() + step * g.sign(), x - eps), x + eps).clamp(0, 1)
    return x_adv.detach()


def accuracy(model, x, y=yte):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(eps_train=0.0, steps=200, seed=SEED):
    """Full-batch Adam on cross-entropy; with eps_train > 0, on 3-step PGD examples made afresh at every step."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(steps):
        x = attack(model, Xtr, ytr, eps_train, steps=3, generator=generator) if eps_train > 0 else Xtr
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), ytr).backward()
        opt.step()
    return model


def curve(model, **kwargs):
    generator = torch.Generator().manual_seed(SEED + 1)
    return [accuracy(model, attack(model, Xte, yte, e, generator=generator, **kwargs)) if e > 0 else accuracy(model, Xte)
            for e in EPSILONS]


standard = train()
standard_fgsm = curve(standard, steps=1, random_start=False)
standard_pgd = curve(standard)
print("network, FGSM:", np.round(standard_fgsm, 3))
print("network, PGD: ", np.round(standard_pgd, 3))

# %% [markdown]
# ## Adversarial training at three radii
# Madry et al.'s min-max: each step first maximises the loss over the ball around every training image (3 PGD steps
# from a random start), then takes a gradient step on those worst-case images only: 200 steps, like the standard
# network, each costing four forward-backward passes instead of one. We train at
# $\varepsilon_{\text{train}} = 0.1, 0.2, 0.3$ and attack each model with 10-step PGD at every $\varepsilon$.

# %%
EPS_TRAIN = [0.1, 0.2, 0.3]
robust = {e: train(e) for e in EPS_TRAIN}
robust_pgd = {e: curve(model) for e, model in robust.items()}
for e, row in robust_pgd.items():
    print(f"trained at {e}: PGD accuracy", np.round(row, 3))
clean = {0.0: standard_pgd[0], **{e: row[0] for e, row in robust_pgd.items()}}
at_own_eps = {e: robust_pgd[e][EPSILONS.index(e)] for e in EPS_TRAIN}
print("clean accuracy by training radius:", {k: round(v, 3) for k, v in clean.items()})

# %% [markdown]
# ## A defence that hides the gradient
# Round every input pixel to the nearest multiple of 1/4 before the standard network. Rounding has zero gradient
# almost everywhere, so PGD through autograd gets no signal. BPDA (Athalye et al., 2018) keeps the rounding in the
# forward pass and treats it as the identity in the backward pass; a *transfer* attack crafts PGD examples on the
# undefended network and hands them over.

# %%
def quantise(x):
    return torch.round(x * 4) / 4


class Rounded(nn.Module):
    """The standard network behind input rounding; `straight_through` rounds forward, is the identity backward."""

    def __init__(self, net, straight_through=False):
        super().__init__()
        self.net, self.straight_through = net, straight_through

    def forward(self, x):
        return self.net(x + (quantise(x) - x).detach() if self.straight_through else quantise(x))


defended, straight_through = Rounded(standard), Rounded(standard, straight_through=True)
masking = {}
for e in (0.1, 0.2):
    gen = torch.Generator().manual_seed(SEED + 2)
    masking[e] = {
        "PGD through autograd": accuracy(defended, attack(defended, Xte, yte, e, generator=gen)),
        "transfer from the plain network": accuracy(defended, attack(standard, Xte, yte, e, generator=gen)),
        "BPDA": accuracy(defended, attack(defended, Xte, yte, e, generator=gen, through=straight_through)),
    }
    print(f"eps = {e}: " + ", ".join(f"{k} {v:.3f}" for k, v in masking[e].items()))
defended_clean = accuracy(defended, Xte)
print(f"defended network, clean: {defended_clean:.3f}")

# %% [markdown]
# Left: accuracy under attack against the radius $\varepsilon$. Right: clean accuracy and PGD accuracy at the training
# radius, for each training radius (0 is standard training).

# %% tags=["figure:adversarial-training-accuracy-vs-eps"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.5, 1]})
ax = axes[0]
ax.plot(EPSILONS, linear_pgd, color="tab:gray", marker="s", ls="--", label="softmax regression, PGD")
ax.plot(EPSILONS, standard_fgsm, color="black", marker="o", ls=":", label="network, FGSM")
ax.plot(EPSILONS, standard_pgd, color="black", marker="o", label="network, PGD")
for e, color in zip(EPS_TRAIN, ["tab:blue", "tab:green", "tab:red"]):
    ax.plot(EPSILONS, robust_pgd[e], color=color, marker="^", label=f"adv. trained at ε = {e}, PGD")
    ax.axvline(e, color=color, lw=0.6, ls=":")
ax.set_xlabel("attack radius ε (L∞, pixels in [0, 1])")
ax.set_ylabel("test accuracy")
ax.set_ylim(-0.02, 1.02)
ax.legend(fontsize=7.5, loc="upper right")
ax.set_title("white-box attacks on digits", fontsize=10)
ax = axes[1]
radii = [0.0, *EPS_TRAIN]
positions = np.arange(len(radii))
ax.bar(positions - 0.2, [clean[r] for r in radii], 0.4, color="tab:gray", label="clean")
ax.bar(positions[1:] + 0.2, [at_own_eps[r] for r in EPS_TRAIN], 0.4, color="tab:red", label="PGD at ε = ε_train")
ax.set_xticks(positions, ["standard", *[f"ε_train\n{r}" for r in EPS_TRAIN]])
ax.set_ylim(0, 1.22)
ax.set_yticks(np.arange(0, 1.01, 0.2))
ax.set_ylabel("test accuracy")
ax.legend(fontsize=8, loc="upper center", ncol=2)
ax.set_title("clean and robust accuracy", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the asserts check
# When the notebook was written the margins held for seeds 0, 1 and 2 (`SEED`, which sets the network's
# initialisation and the attacks' random starts).
# - **Fragility.** Both standard models are above 94% clean; at $\varepsilon = 0.1$ PGD leaves the network under 40%
#   and the softmax regression under 70%; at 0.2 both are under 10%. PGD is never weaker than FGSM by more than a
#   point, on either model, at any radius.
# - **Robustness where it was trained.** Trained at 0.1 or 0.2, the network keeps over 40 points more than the
#   standard one at its own radius; trained at 0.3, over 5 points (the standard network is at 0). Robustness fades
#   past the training radius: the model trained at 0.1 is under 40% at 0.2.
# - **The clean cost grows with the radius.** With the same 200 training steps, the network trained at 0.1 is within a
#   point of the standard one clean (no gain), trained at 0.2 it loses between half a point and 3 points, trained at
#   0.3 more than 5.
# - **Masking.** At $\varepsilon = 0.2$ PGD through autograd leaves the rounding defence above 80%, while BPDA and the
#   transfer attack leave it under 5%, as they leave the plain network. At 0.1 the rounding is partly real: about
#   two-thirds of the pixels (the digits' 0, 4, 8, 12 and 16) already sit on a multiple of 1/4, and there rounding
#   undoes any perturbation under 1/8 (checked with a ±0.1 nudge); on the others a smaller one can cross a rounding
#   boundary. BPDA still takes more than 15 points more than autograd PGD.

# %%
assert linear_pgd[0] > 0.94 and standard_pgd[0] > 0.94
i01, i02 = EPSILONS.index(0.1), EPSILONS.index(0.2)
assert standard_pgd[i01] < 0.40 and linear_pgd[i01] < 0.70
assert standard_pgd[i02] < 0.10 and linear_pgd[i02] < 0.10
assert all(p <= f + 0.01 for p, f in zip(standard_pgd, standard_fgsm))
assert all(p <= f + 0.01 for p, f in zip(linear_pgd, linear_fgsm))
assert all(at_own_eps[e] > standard_pgd[EPSILONS.index(e)] + 0.40 for e in (0.1, 0.2))
assert at_own_eps[0.3] > standard_pgd[EPSILONS.index(0.3)] + 0.05
assert robust_pgd[0.1][i02] < 0.40
assert abs(clean[0.1] - clean[0.0]) < 0.01 and clean[0.3] < clean[0.0] - 0.05
assert clean[0.0] - 0.03 < clean[0.2] < clean[0.0] - 0.005
m = masking[0.2]
assert m["PGD through autograd"] > 0.80 and m["BPDA"] < 0.05 and m["transfer from the plain network"] < 0.05
assert masking[0.1]["BPDA"] < masking[0.1]["PGD through autograd"] - 0.15 and abs(defended_clean - clean[0.0]) < 0.02
on_grid = quantise(Xte) == Xte
nudge = 0.1 * (2 * torch.rand(Xte.shape, generator=torch.Generator().manual_seed(SEED)) - 1).sign()
print(f"test pixels already on a multiple of 1/4: {on_grid.float().mean().item():.3f}")
assert abs(on_grid.float().mean().item() - 2 / 3) < 0.02
assert torch.equal(quantise((Xte + nudge).clamp(0, 1))[on_grid], Xte[on_grid])

# %% [markdown]
# The numbers the page quotes for this run (seed 0), in percent, to within a point.

# %%
quoted = {"softmax regression clean": (linear_pgd[0], 97), "softmax regression, 0.1": (linear_pgd[i01], 61),
          "softmax regression, 0.2": (linear_pgd[i02], 6), "network clean": (standard_pgd[0], 98),
          "network, 0.1": (standard_pgd[i01], 35), "network, 0.2": (standard_pgd[i02], 0),
          "trained at 0.1, attacked at 0.1": (robust_pgd[0.1][i01], 81),
          "trained at 0.1, attacked at 0.2": (robust_pgd[0.1][i02], 25),
          "clean, trained at 0.1": (clean[0.1], 98), "clean, trained at 0.2": (clean[0.2], 96),
          "clean, trained at 0.3": (clean[0.3], 87), "rounding, autograd PGD at 0.2": (m["PGD through autograd"], 95),
          "rounding, BPDA at 0.2": (m["BPDA"], 0), "rounding, transfer at 0.2": (m["transfer from the plain network"], 0)}
off = {k: round(100 * v, 1) for k, (v, q) in quoted.items() if abs(100 * v - q) >= 1}
assert not off, off
clean_cost = {e: 100 * (clean[0.0] - clean[e]) for e in EPS_TRAIN}      # points; the page: none, 1-2, 10-11
print("clean cost in points:", {k: round(v, 1) for k, v in clean_cost.items()})
# Each test image is 0.22 points, and which few images flip depends on the floating-point kernels the libraries pick
# (1.3 to 1.8 points at 0.2, 10.2 to 11 at 0.3, across two CPUs and forced instruction sets), so the page gives ranges.
assert abs(clean_cost[0.1]) < 0.5 and 1 < clean_cost[0.2] < 2 and 9.8 < clean_cost[0.3] < 11.5
assert abs(100 * masking[0.1]["PGD through autograd"] - 97) < 1 and abs(100 * masking[0.1]["BPDA"] - 76) < 1

# %%
elapsed = time.process_time() - START
print(f"ran in {elapsed:.1f} s of CPU time after the imports")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
