# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/hyperparameter-tuning.md}
# ---

# %% [markdown]
# # Random search versus grid search, and the optimism of the best validation score
# With the same budget of 16 trials, we compare a 4 x 4 grid with 16 random draws on a tuning problem where only one
# of the two hyperparameters matters, repeated over 2,000 randomly placed optima, and add a quasi-random (Sobol) design.
# After checking the page's expected-improvement and successive-halving numbers, we simulate a different trap: picking
# the configuration with the best *validation* score and reporting that score overstates how good it is.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm, qmc

rng = np.random.default_rng(2012)

# %% [markdown]
# ## A tuning problem with one important hyperparameter
# Both hyperparameters are rescaled to $[0, 1]$ (think of $u_1$ as $\log_{10}$ of a learning rate mapped onto the unit
# interval, and $u_2$ as something the model barely cares about). The "validation accuracy" of a configuration is
#
# $$f(u_1, u_2) = 0.70 + 0.20\,\exp\!\left(-\frac{(u_1 - c)^2}{2 \cdot 0.08^2}\right) + 0.005\,u_2,$$
#
# a bump of width about 0.08 around an unknown best value $c$ of $u_1$, plus a tiny effect of $u_2$. Each repetition
# draws a new $c$ uniformly from $[0, 1]$, so that neither design is lucky by construction. This objective is noise
# free, to isolate the effect of the *layout*; noise comes in part 2.

# %%
WIDTH = 0.08


def validation_accuracy(u1, u2, c):
    """The synthetic objective: only u1 matters much; c is the (unknown) best value of u1."""
    return 0.70 + 0.20 * np.exp(-((u1 - c) ** 2) / (2 * WIDTH**2)) + 0.005 * u2


budget = 16
levels = (np.arange(4) + 0.5) / 4                  # 0.125, 0.375, 0.625, 0.875
grid = np.array([(a, b) for a in levels for b in levels])
print(f"grid: {len(grid)} trials, {len(np.unique(grid[:, 0]))} distinct values of u1")

# %% [markdown]
# ## 2,000 repetitions with the same budget
# For each repetition: draw the optimum $c$, evaluate the 16 grid points and 16 fresh uniform random points, and keep
# each design's best configuration. We record its **regret** (best achievable accuracy minus the accuracy found) and
# how far its $u_1$ lies from $c$.

# %%
reps = 2000
best_possible = lambda c: validation_accuracy(c, 1.0, c)  # noqa: E731  (u2 = 1 is best, u1 = c is best)
regret = {"grid": np.empty(reps), "random": np.empty(reps)}
distance = {"grid": np.empty(reps), "random": np.empty(reps)}
optima = np.empty(reps)
for r in range(reps):
    c = optima[r] = rng.uniform()
    designs = {"grid": grid, "random": rng.uniform(size=(budget, 2))}
    for name, pts in designs.items():
        scores = validation_accuracy(pts[:, 0], pts[:, 1], c)
        k = np.argmax(scores)
        regret[name][r] = best_possible(c) - scores[k]
        distance[name][r] = abs(pts[k, 0] - c)

for name in ("grid", "random"):
    print(f"{name:>6}: mean regret {regret[name].mean():.4f}, median {np.median(regret[name]):.4f}, "
          f"mean |u1 - c| {distance[name].mean():.4f}, worst regret {regret[name].max():.4f}")
print(f"random search found the better configuration in {np.mean(regret['random'] < regret['grid']):.1%} of repetitions")

# %% tags=["figure:tuning-grid-vs-random-layouts"]
c_show = 0.52
u = np.linspace(0, 1, 201)
U1, U2 = np.meshgrid(u, u)
random_show = np.random.default_rng(7).uniform(size=(budget, 2))
fig, axes = plt.subplots(1, 3, figsize=(8, 3.4), gridspec_kw={"width_ratios": [1, 1, 1.15]})
for ax, (name, pts) in zip(axes[:2], [("4 x 4 grid", grid), ("16 random points", random_show)]):
    ax.contourf(U1, U2, validation_accuracy(U1, U2, c_show), levels=12, cmap="Greys")
    ax.scatter(pts[:, 0], pts[:, 1], color="C0" if name.startswith("4") else "C1", s=22, zorder=3)
    ax.plot(pts[:, 0], np.full(budget, 0.02), "|", color="black", markersize=10)  # projections onto u1
    ax.set_title(f"{name}: {len(np.unique(pts[:, 0]))} values of $u_1$", fontsize=9)
    ax.set_xlabel("$u_1$ (important, rescaled)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 0.5, 1])
axes[0].set_ylabel("$u_2$ (unimportant, rescaled)")
bins = np.linspace(0, 0.2, 41)
axes[2].hist(regret["grid"], bins=bins, alpha=0.6, color="C0", label=f"grid (mean {regret['grid'].mean():.3f})")
axes[2].hist(regret["random"], bins=bins, alpha=0.6, color="C1", label=f"random (mean {regret['random'].mean():.3f})")
axes[2].set_title(f"Regret over {reps} random optima", fontsize=9)
axes[2].set_xlabel("regret (accuracy)")
axes[2].set_ylabel("repetitions")
axes[2].legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# Left and middle: one draw of the objective (darker is better) with each design's 16 trials; the ticks along the bottom
# are their projections onto $u_1$. Right: regret, best possible minus best found, over all 2,000 repetitions.
#
# The grid spends its 16 trials on only four values of $u_1$, repeating each one four
# times with different values of a hyperparameter that hardly matters. Random search tries 16 different values of
# $u_1$, so it usually lands closer to the peak. The grid is not always worse: when $c$ happens to sit near one of its
# four levels it wins, and random search occasionally leaves a large gap, which is why the regret distributions
# overlap.

# %%
assert len(np.unique(grid[:, 0])) == 4 and len(grid) == budget, "the grid tests only 4 distinct values of u1"
assert distance["random"].mean() < distance["grid"].mean(), "random search gets closer to the best u1 on average"
assert regret["random"].mean() < regret["grid"].mean(), "random search has lower regret on average"
assert np.median(regret["random"]) < np.median(regret["grid"]), "... and lower median regret"
assert 0 < np.mean(regret["random"] < regret["grid"]) < 1, "but neither design wins every repetition"
assert np.isclose(regret["random"].max(), 0.20, atol=0.005) and np.isclose(regret["grid"].max(), 0.14, atol=0.005), \
    "random search has the worse worst case: regret 0.20 against the grid's 0.14"
print("grid vs random: all assertions hold")

# %% [markdown]
# ## A quasi-random design cuts the tail
# Random search pays for its many distinct values with an occasional large gap between them, so its worst regret is
# worse than the grid's. A scrambled Sobol sequence of 16 points (a low-discrepancy design) puts exactly one point in
# each sixteenth of every axis, which keeps 16 distinct values of $u_1$ *and* bounds the largest gap. We rerun the same
# 2,000 optima with a fresh scrambled Sobol design each time (from its own generator, so the draws above are unchanged).

# %%
sobol_rng = np.random.default_rng(1967)
regret["sobol"] = np.empty(reps)
for r, c in enumerate(optima):
    pts = qmc.Sobol(d=2, scramble=True, seed=sobol_rng).random(budget)
    assert all(len(np.unique(np.floor(16 * pts[:, j]))) == 16 for j in (0, 1)), "one point per sixteenth of each axis"
    regret["sobol"][r] = best_possible(c) - validation_accuracy(pts[:, 0], pts[:, 1], c).max()
print(f" sobol: mean regret {regret['sobol'].mean():.4f}, median {np.median(regret['sobol']):.4f}, "
      f"worst regret {regret['sobol'].max():.4f}")
assert regret["sobol"].max() < 0.05 < regret["grid"].max() < regret["random"].max(), "Sobol's worst regret: under 0.05"
assert regret["sobol"].mean() < regret["random"].mean(), "... and its mean regret is lower than random search's"

# %% [markdown]
# ## How often random search hits a good region
# If the good region is a fixed 5% of the search space, each uniform draw lands in it with probability 0.05, whatever
# the number of hyperparameters, so 60 draws all miss it with probability $0.95^{60}$. If instead each of $k$
# hyperparameters that matter must fall in its own best 5%, the region is a box holding $0.05^k$ of the space, and the
# same 60 draws rarely find it. We check both by simulation in five dimensions.

# %%
hit_5pct = 1 - 0.95**60
hit_box3 = 1 - (1 - 0.05**3) ** 60
draws_hit = rng.uniform(size=(20_000, 60, 5))
sim_5pct = np.mean((draws_hit[:, :, 0] < 0.05).any(axis=1))                   # a region holding 5% of the volume
sim_box3 = np.mean((draws_hit[:, :, :3] < 0.05).all(axis=2).any(axis=1))      # best 5% on each of 3 axes
print(f"60 trials, region = 5% of the volume: P(hit) = {hit_5pct:.4f} (simulated {sim_5pct:.4f})")
print(f"60 trials, best 5% on each of 3 axes: P(hit) = {hit_box3:.4f} (simulated {sim_box3:.4f})")
assert abs(hit_5pct - 0.954) < 0.0005 and abs(sim_5pct - hit_5pct) < 0.005, "1 - 0.95^60 is about 0.954"
assert abs(hit_box3 - 0.0075) < 0.00005 and abs(sim_box3 - hit_box3) < 0.003, "with 0.05^3 of the volume, about 0.0075"

# %% [markdown]
# ## Expected improvement: the worked example and its slopes
# With $\Delta = \mu - f^*$ and $z = \Delta/\sigma$, $\mathrm{EI} = \Delta\,\Phi(z) + \sigma\,\varphi(z)$. Its slopes
# are $\partial\mathrm{EI}/\partial\mu = \Phi(z)$ and $\partial\mathrm{EI}/\partial\sigma = \varphi(z)$, both positive:
# EI rises with the mean and with the uncertainty. We check the page's two candidates and the slopes by finite
# differences.


# %%
def expected_improvement(mu, sd, best):
    z = (mu - best) / sd
    return (mu - best) * norm.cdf(z) + sd * norm.pdf(z)


ei_a, ei_b = expected_improvement(0.91, 0.005, 0.90), expected_improvement(0.90, 0.03, 0.90)
print(f"EI of candidate A {ei_a:.5f}, of candidate B {ei_b:.5f}")
assert np.isclose(ei_a, 0.0100, atol=0.00005) and np.isclose(ei_b, 0.0120, atol=0.00005) and ei_b > ei_a
h = 1e-7
for mu, sd in [(0.91, 0.005), (0.90, 0.03), (0.88, 0.01)]:
    z = (mu - 0.90) / sd
    d_mu = (expected_improvement(mu + h, sd, 0.90) - expected_improvement(mu - h, sd, 0.90)) / (2 * h)
    d_sd = (expected_improvement(mu, sd + h, 0.90) - expected_improvement(mu, sd - h, 0.90)) / (2 * h)
    assert np.isclose(d_mu, norm.cdf(z), atol=1e-6) and np.isclose(d_sd, norm.pdf(z), atol=1e-6), "dEI/dmu, dEI/dsd"

# %% [markdown]
# ## The cost of successive halving
# 27 configurations, keep the best third each round, budgets of 1, 3, 9 and 27 epochs. Retraining each survivor from
# scratch costs the full budget every round; resuming from a checkpoint costs only the extra epochs.

# %%
survivors, budgets = np.array([27, 9, 3, 1]), np.array([1, 3, 9, 27])
from_scratch = int(survivors @ budgets)
resumed = int(survivors @ np.diff(budgets, prepend=0))
print(f"successive halving: {from_scratch} epochs from scratch, {resumed} resuming, {27 * 27} training all fully")
assert (from_scratch, resumed) == (108, 81)

# %% [markdown]
# ## Sampling on a log scale
# A learning rate between $10^{-5}$ and $10^{-1}$ spans four orders of magnitude. Drawing it uniformly on that
# interval puts about 90% of the draws in the top decade, $[10^{-2}, 10^{-1}]$; drawing its logarithm uniformly gives
# each decade a quarter of the draws.

# %%
lr_uniform = rng.uniform(1e-5, 1e-1, size=100_000)
lr_log = 10 ** rng.uniform(-5, -1, size=100_000)
top_uniform, top_log = np.mean(lr_uniform >= 1e-2), np.mean(lr_log >= 1e-2)
print(f"share of draws in [1e-2, 1e-1]: uniform {top_uniform:.3f}, log-uniform {top_log:.3f}")
assert abs(top_uniform - 0.09 / (0.1 - 1e-5)) < 0.005, "uniform sampling: about 90% in the top decade"
assert abs(top_log - 0.25) < 0.005, "log-uniform sampling: a quarter per decade"

# %% [markdown]
# ## The winner's curse: the best validation score is optimistic
# Now add the noise that every real validation estimate carries. Suppose we try $K$ configurations whose *true*
# accuracies are close to each other (drawn from a normal distribution with mean 0.80 and standard deviation 0.01), and
# estimate each one on a validation set of 400 examples, so each estimate is a binomial proportion with a standard
# error of about $\sqrt{0.8 \cdot 0.2 / 400} = 0.02$. The estimates are drawn independently, as if each configuration
# had its own validation set; on one shared set the estimates are positively correlated and the optimism is smaller
# (checked at the end). We pick the configuration with the highest validation accuracy
# and compare that score with the selected configuration's true accuracy, and with its accuracy on a fresh test set of
# 2,000 examples that played no part in the choice.

# %%
n_val, n_test, reps_wc = 400, 2000, 4000
Ks = np.array([1, 2, 5, 10, 20, 50, 100, 200])
optimism, optimism_se, test_gap = [], [], []
for K in Ks:
    true_acc = 0.80 + 0.01 * rng.standard_normal((reps_wc, K))
    val_acc = rng.binomial(n_val, true_acc) / n_val
    pick = np.argmax(val_acc, axis=1)
    rows = np.arange(reps_wc)
    gap = val_acc[rows, pick] - true_acc[rows, pick]              # reported minus true, for the winner
    test_acc = rng.binomial(n_test, true_acc[rows, pick]) / n_test
    optimism.append(gap.mean())
    optimism_se.append(gap.std(ddof=1) / np.sqrt(reps_wc))
    test_gap.append((test_acc - true_acc[rows, pick]).mean())
optimism, optimism_se, test_gap = map(np.array, (optimism, optimism_se, test_gap))
for K, o, s, t in zip(Ks, optimism, optimism_se, test_gap):
    print(f"K = {K:>3}: validation score of the winner exceeds its true accuracy by {o:+.4f} (se {s:.4f}); "
          f"fresh test set: {t:+.4f}")

# %% tags=["figure:tuning-winners-curse"]
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.errorbar(Ks, 100 * optimism, yerr=200 * optimism_se, marker="o", capsize=3, color="C3",
            label="best validation score - its true accuracy")
ax.plot(Ks, 100 * test_gap, marker="s", color="C2", label="fresh test score of the same pick - its true accuracy")
ax.axhline(0, color="grey", linewidth=0.8)
ax.set_xscale("log")
ax.set_title(f"Optimism of the winning configuration (validation n = {n_val}, {reps_wc} repetitions per K)")
ax.set_xlabel("number of configurations compared, K (log scale)")
ax.set_ylabel("bias (accuracy, percentage points)")
ax.legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# With a single configuration there is no selection and no bias. With many, the winner is largely the configuration
# whose validation sample happened to be kind to it, so its validation score overstates its accuracy, and more so the
# more configurations compete. A test set that took no part in the choice gives an unbiased score for the same pick.

# %%
assert abs(optimism[0]) < 3 * optimism_se[0], "K = 1: no selection, no bias"
assert np.all(optimism[1:] > 3 * optimism_se[1:]), "K >= 2: the winner's validation score is optimistic on average"
assert np.all(np.diff(optimism) > 0), "the optimism grows with the number of configurations compared"
assert np.all(np.abs(test_gap) < 0.002), "a fresh test set is (close to) unbiased for the selected configuration"
print("winner's curse: all assertions hold")

# %% [markdown]
# ## Check against the hand calculation
# Two configurations with *identical* true accuracy 0.80 and independent validation estimates with standard error
# $\sigma$: the expected maximum of two independent normals is $\mu + \sigma/\sqrt{\pi}$, so the winner looks better
# than it is by $\sigma/\sqrt{\pi} \approx 0.564\,\sigma$, about 1.1 percentage points when $\sigma = 0.02$.

# %%
sigma = np.sqrt(0.8 * 0.2 / n_val)
val_two = rng.binomial(n_val, 0.80, size=(200_000, 2)) / n_val
simulated = val_two.max(axis=1).mean() - 0.80
print(f"sigma = {sigma:.4f}; predicted optimism sigma/sqrt(pi) = {sigma / np.sqrt(np.pi):.4f}; simulated {simulated:.4f}")
assert abs(simulated - sigma / np.sqrt(np.pi)) < 0.0005, "simulation agrees with sigma / sqrt(pi)"

# %% [markdown]
# ## A shared validation set: correlated estimates, less optimism
# In practice both configurations are scored on the *same* 400 examples, and examples that are hard for one model tend
# to be hard for the other. If the two estimates have correlation $\rho$, their difference has standard deviation
# $\sigma\sqrt{2(1-\rho)}$, and the expected maximum of two equal-mean normals is their mean plus that standard
# deviation over $\sqrt{2\pi}$, so the optimism is $\sigma\sqrt{(1-\rho)/\pi}$. We simulate it: on each example a shared draw
# decides both models' correctness, and each model independently keeps that shared outcome with probability
# $\sqrt{\rho}$ and otherwise draws its own. Each model is still right with probability 0.80, and the correlation
# between the two models' correctness is $\rho$; we take $\rho = 0.5$.

# %%
rho, reps_shared = 0.5, 40_000
shared = rng.uniform(size=(reps_shared, n_val)) < 0.80
correct = [np.where(rng.uniform(size=(reps_shared, n_val)) < np.sqrt(rho), shared,
                    rng.uniform(size=(reps_shared, n_val)) < 0.80) for _ in range(2)]
val_shared = np.stack([c.mean(axis=1) for c in correct], axis=1)
corr_shared = np.corrcoef(val_shared[:, 0], val_shared[:, 1])[0, 1]
optimism_shared = val_shared.max(axis=1).mean() - 0.80
predicted_shared = sigma * np.sqrt((1 - rho) / np.pi)
print(f"correlation of the two estimates {corr_shared:.3f}; optimism predicted {predicted_shared:.4f}, "
      f"simulated {optimism_shared:.4f} (independent estimates: {sigma / np.sqrt(np.pi):.4f})")
assert abs(corr_shared - rho) < 0.02, "the shared validation set makes the two estimates correlated"
assert abs(optimism_shared - predicted_shared) < 0.0005, "optimism sigma * sqrt((1 - rho) / pi), about 0.008"
assert abs(predicted_shared - 0.0080) < 0.00005, "0.02 * sqrt(0.5 / pi) is 0.8 accuracy points"

