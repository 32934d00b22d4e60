# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generative/generative-adversarial-networks.md}
# ---

# %% [markdown]
# # A GAN on a ring of eight Gaussians: the optimal discriminator, saturation and mode collapse
# First the theory on known distributions: the optimal discriminator, the identity $V(D^*, G) = -\log 4 + 2\,\mathrm{JS}$,
# why the minimax generator loss saturates, and why the Jensen-Shannon divergence gives no signal between disjoint
# distributions while the Wasserstein distance does. Then two small PyTorch GANs learn a ring of eight Gaussians with
# the same networks and loss: with the generator stepping ten times faster than the discriminator it covers at most
# three modes at a time, and the mode holding the most samples keeps changing; with the discriminator four times
# faster (a two-time-scale rule), or with equal rates, it reaches all eight. What causes the collapse is the generator running ahead.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.spatial.distance import jensenshannon
from torch import nn

from mlguide.generative.gan import generator_losses, js_divergence, optimal_discriminator, value_function, wasserstein_1d  # noqa: E501

START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# %% [markdown]
# ## The optimal discriminator and the Jensen-Shannon divergence
# On a grid of 2,001 points in $[-6, 6]$ the data are a two-component Gaussian mixture and the generator a single
# Gaussian, both turned into probability masses (density times the grid step). For this fixed generator
# $D^* = p_\text{data}/(p_\text{data} + p_g)$ maximises the value function; at $D^*$ the value equals
# $-\log 4 + 2\,\mathrm{JS}$, which we check against SciPy's `jensenshannon` (a distance: its square is the
# divergence, natural log by default).

# %%
x = np.linspace(-6, 6, 2001)


def masses(density):
    return density / density.sum()


def gauss(mu, sd):
    return np.exp(-0.5 * ((x - mu) / sd) ** 2)


p_data = masses(0.5 * gauss(-2, 0.5) + 0.5 * gauss(2, 0.5))
p_g = masses(gauss(0.5, 1.5))
d_star = optimal_discriminator(p_data, p_g)
v_star, js = value_function(d_star, p_data, p_g), js_divergence(p_data, p_g)
rng = np.random.default_rng(0)
logit = np.log(d_star) - np.log1p(-d_star)
others = [value_function(1 / (1 + np.exp(-(logit + rng.normal(0, 0.3, x.size)))), p_data, p_g) for _ in range(100)]
print(f"V(D*, G) = {v_star:.4f};  -log 4 + 2 JS = {-np.log(4) + 2 * js:.4f};  JS = {js:.4f} nats")
print(f"best of 100 perturbed discriminators: {max(others):.4f}")

# %%
assert abs(v_star - (-np.log(4) + 2 * js)) < 1e-12
assert abs(js - jensenshannon(p_data, p_g) ** 2) < 1e-12
assert max(others) < v_star, "no perturbed discriminator beats D*"
assert abs(value_function(np.full(x.size, 0.5), p_data, p_data) + np.log(4)) < 1e-12, "p_g = p_data: V = -log 4"

# %% [markdown]
# ## Why the minimax generator loss saturates
# Early in training the discriminator rejects the fakes, $D(G(z)) \approx 0$. With logit $s$ and $D = \sigma(s)$, the
# minimax loss $\log(1 - D)$ has derivative $-D$ with respect to $s$, the non-saturating loss $-\log D$ has
# $-(1 - D)$. At $D = 0.01$:

# %%
s = np.log(0.01 / 0.99)
_, _, grad_minimax, grad_ns = generator_losses(s)
print(f"D = 0.01: minimax gradient {grad_minimax:.3f}, non-saturating {grad_ns:.3f}, ratio {grad_ns / grad_minimax:.0f}")
assert abs(grad_minimax + 0.01) < 1e-12 and abs(grad_ns + 0.99) < 1e-12

# %% [markdown]
# ## JS gives no signal between disjoint distributions; Wasserstein does
# Data: a narrow Gaussian at 0. Generator: the same shape shifted by $\theta$. Once the two stop overlapping, JS sits
# at $\log 2$ whatever $\theta$ is, so its gradient in $\theta$ is zero; the Wasserstein-1 distance (earth mover's)
# keeps growing as $|\theta|$. We compute it from 20,000 equal-size samples with `wasserstein_1d`.

# %%
thetas = np.linspace(0, 4, 41)
sample_rng = np.random.default_rng(1)
base = sample_rng.normal(0, 0.1, 20_000)
js_curve = np.array([js_divergence(masses(gauss(0, 0.1)), masses(gauss(t, 0.1))) for t in thetas])
w_curve = np.array([wasserstein_1d(base, sample_rng.normal(t, 0.1, 20_000)) for t in thetas])
far = thetas >= 1
print(f"JS for theta >= 1: between {js_curve[far].min():.6f} and {js_curve[far].max():.6f} (log 2 = {np.log(2):.6f})")
assert np.all(np.abs(js_curve[far] - np.log(2)) < 1e-6)
assert np.all(np.abs(w_curve - thetas) < 0.01), "W1 between a distribution and its shift is the shift"

# %% tags=["figure:generative-adversarial-networks-js-vs-w1"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(x, p_data / (x[1] - x[0]), label="p_data")
ax1.plot(x, p_g / (x[1] - x[0]), label="p_g")
ax1.plot(x, d_star * 0.45, "k--", lw=1, label="D* (scaled by 0.45)")
ax1.set_title(f"Optimal discriminator; V(D*, G) = {v_star:.3f}", fontsize=9)
ax1.set_xlabel("x")
ax1.legend(fontsize=8)
ax2.plot(thetas, js_curve, label="JS divergence (nats)")
ax2.plot(thetas, w_curve, label="Wasserstein-1")
ax2.axhline(np.log(2), color="0.5", ls=":", lw=1)
ax2.set_xlabel("shift θ between two narrow Gaussians")
ax2.set_title("JS saturates at log 2; W1 keeps growing", fontsize=9)
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## A GAN on eight Gaussians
# The data are eight Gaussians of standard deviation 0.05 evenly spaced on a circle of radius 2. Generator and
# discriminator are MLPs with two hidden layers of 64 ReLU units; the generator maps 2-D standard normal noise to the
# plane. Both use Adam ($\beta_1 = 0.5$), batches of 256 real and 256 generated points, one discriminator step then one
# generator step, for 1,000 steps, with the non-saturating generator loss. Only the learning rates differ:
#
# - **generator faster**: discriminator $2 \times 10^{-4}$, generator $2 \times 10^{-3}$;
# - **discriminator faster** (two time scales): discriminator $2 \times 10^{-3}$, generator $5 \times 10^{-4}$;
# - **equal rates**, as a check that the discriminator need not lead: both $2 \times 10^{-3}$.
#
# Every 50 steps we draw 2,000 samples. A mode is *covered* when at least 1% of them lie within 0.5 of its centre
# (neighbouring centres are 1.53 apart); *quality* is the share of samples within three standard deviations (0.15)
# of some centre.

# %%
RADIUS, SD, STEPS, BATCH, EVERY = 2.0, 0.05, 1000, 256, 50
angles = 2 * np.pi * np.arange(8) / 8
centres = torch.tensor(np.c_[RADIUS * np.cos(angles), RADIUS * np.sin(angles)], dtype=torch.float32)


def real_batch(n, gen):
    return centres[torch.randint(0, 8, (n,), generator=gen)] + SD * torch.randn(n, 2, generator=gen)


def mlp(n_in, n_out, width=64):
    return nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, n_out))


def coverage(samples):
    """(modes covered, quality, the mode holding most samples or -1 when none is covered)."""
    dist = torch.cdist(samples, centres).min(dim=1)
    counts = torch.bincount(dist.indices[dist.values < 0.5], minlength=8)
    covered = int((counts >= 0.01 * len(samples)).sum())
    return covered, float((dist.values < 3 * SD).float().mean()), int(counts.argmax()) if covered else -1


def train_gan(lr_d, lr_g, seed=0):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    G, D = mlp(2, 2), mlp(2, 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=(0.5, 0.999), fused=True)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=(0.5, 0.999), fused=True)
    softplus = nn.functional.softplus
    history = []
    for step in range(1, STEPS + 1):
        fake = G(torch.randn(BATCH, 2, generator=gen))
        logits = D(torch.cat([real_batch(BATCH, gen), fake.detach()]))
        loss_d = softplus(-logits[:BATCH]).mean() + softplus(logits[BATCH:]).mean()   # -log D(x) - log(1 - D(G(z)))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = softplus(-D(fake)).mean()                                               # non-saturating: -log D(G(z))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if step % EVERY == 0:
            with torch.no_grad():
                history.append((step, *coverage(G(torch.randn(2000, 2, generator=gen)))))
    with torch.no_grad():
        final = G(torch.randn(2000, 2, generator=gen)).numpy()
    return np.array(history), final


runs = {"generator faster": train_gan(lr_d=2e-4, lr_g=2e-3), "discriminator faster": train_gan(lr_d=2e-3, lr_g=5e-4)}
equal = train_gan(lr_d=2e-3, lr_g=2e-3)
for name, (history, _) in (*runs.items(), ("equal rates", equal)):
    late = history[history[:, 0] > STEPS / 2]
    print(f"{name:21s} modes covered at the end {int(history[-1, 1])}, over the second half "
          f"{int(late[:, 1].min())}-{int(late[:, 1].max())}; final quality {history[-1, 2]:.2f}; "
          f"modes that held the most samples: {sorted(set(history[:, 3].astype(int)) - {-1})}")

# %%
collapsed, fixed = runs["generator faster"][0], runs["discriminator faster"][0]
second_half = collapsed[:, 0] > STEPS / 2
assert collapsed[:, 1].max() <= 3, "the generator-faster GAN never covers more than three modes"
assert len(set(collapsed[:, 3].astype(int)) - {-1}) >= 4, "and its most-held mode changes: four or more"
assert fixed[-1, 1] == 8 and fixed[fixed[:, 0] > STEPS / 2, 1].min() >= 7, "the two-time-scale GAN covers all eight"
assert fixed[-1, 2] > 0.3, "with over 30% of its samples within three standard deviations of a centre"
assert 0.505 < fixed[-1, 2] < 0.525, "the caption's 'about half' (seed 0)"
equal_history = equal[0]
assert equal_history[-1, 1] == 8 and equal_history[equal_history[:, 0] > STEPS / 2, 1].min() >= 7, "equal rates too"

# %% tags=["figure:generative-adversarial-networks-modes"]
real_show = real_batch(2000, torch.Generator().manual_seed(5)).numpy()
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1, 1.35]}, layout="constrained")
for ax, (name, (history, final)) in zip(axes, runs.items()):
    ax.scatter(real_show[:, 0], real_show[:, 1], s=2, color="0.75", label="data")
    ax.scatter(final[:, 0], final[:, 1], s=2, color="C3" if name == "generator faster" else "C0", label="generated")
    ax.set_xlim(-3, 3), ax.set_ylim(-3, 3), ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(f"{name}: {int(history[-1, 1])} of 8 modes", fontsize=9)
axes[0].legend(fontsize=7, loc="lower left", markerscale=4)
for name, colour, history in (("generator faster", "C3", collapsed), ("discriminator faster", "C0", fixed),
                              ("equal rates", "C2", equal_history)):
    axes[2].plot(history[:, 0], history[:, 1], marker="o", ms=3, color=colour, label=name)
axes[2].set_xlabel("training step")
axes[2].set_ylabel("modes covered (of 8)")
axes[2].set_ylim(-0.3, 8.5)
axes[2].legend(fontsize=8, loc="center right")
plt.show()

# %% [markdown]
# ## What the asserts check
# The optimal discriminator beats every perturbed one and its value is $-\log 4 + 2\,\mathrm{JS}$, with JS equal to
# SciPy's squared Jensen-Shannon distance; at $p_g = p_\text{data}$ the value is $-\log 4$. At $D(G(z)) = 0.01$ the
# non-saturating gradient is 99 times the minimax one. Between a narrow Gaussian and its shift by at least 1, JS is
# $\log 2$ to six decimals, while $W_1$ equals the shift. On the ring, the GAN whose generator steps ten times faster
# than its discriminator never covers more than three modes, and the mode holding the most samples changes,
# at least four different ones over training; the same GAN with the discriminator four times faster covers all eight
# at the end (at least seven throughout the second half), with over 30% of its samples within three standard
# deviations of a centre (51–52% with this seed); with equal rates it also covers all eight at the end and at least
# seven throughout the second half. Seeds 0, 1 and 2 all pass.

# %%
elapsed = time.process_time() - START
print(f"{elapsed:.1f} s of CPU time")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
