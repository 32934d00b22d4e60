# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/data-privacy.md}
# ---

# %% [markdown]
# # The price of differential privacy, and what an overfit model gives away
# We release the mean of a bounded column with the Laplace mechanism and measure how its error grows as the privacy
# parameter $\varepsilon$ shrinks, for three dataset sizes. Then we attack two random forests, one grown to full depth
# and one with large leaves, and see how well a loss-threshold attack tells their training rows from fresh rows.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from mlguide.data.privacy import dp_mean, laplace_mechanism

START = time.perf_counter()

# %% [markdown]
# ## A private mean and its error
# Each record is a value in $[0, 1]$ (drawn from a Beta(2, 5) distribution, standard deviation about 0.16); the bounds
# are fixed before looking at the data. Neighbouring datasets differ by replacing one record, and $n$ is public, so one
# record moves the mean by at most $\Delta f = 1/n$. The Laplace mechanism adds noise of scale
# $b = \Delta f/\varepsilon = 1/(n\varepsilon)$, and the mean absolute value of Laplace noise is exactly $b$:
#
# $$\text{MAE} = \frac{U - L}{n\,\varepsilon}, \quad U - L = 1.$$
#
# For each $n$ and $\varepsilon$ we run the mechanism 2,000 times on the same dataset. These are 2,000 separate
# hypothetical releases, simulated in one call; publishing all of them would spend $2000\,\varepsilon$ of privacy. For
# comparison, the sampling error of the exact mean (how far it sits from the population mean, 2/7) has mean absolute
# value about $\sigma\sqrt{2/\pi}/\sqrt n$.

# %%
rng = np.random.default_rng(0)
L, U, RUNS = 0.0, 1.0, 2_000
sizes = [100, 1_000, 10_000]
epsilons = np.logspace(-2, 1, 7)                       # 0.01 to 10
sigma = np.sqrt(2 * 5 / ((2 + 5) ** 2 * (2 + 5 + 1)))  # sd of Beta(2, 5)
mae = {}
for n in sizes:
    x = rng.beta(2, 5, size=n)
    exact = x.mean()
    mae[n] = np.array([np.abs(laplace_mechanism(np.full(RUNS, exact), (U - L) / n, eps, rng) - exact).mean()
                       for eps in epsilons])
formula = {n: (U - L) / (n * epsilons) for n in sizes}
sampling_mae = {n: sigma * np.sqrt(2 / np.pi) / np.sqrt(n) for n in sizes}
crossover = {n: (U - L) / (n * sampling_mae[n]) for n in sizes}   # epsilon where the two errors are equal
for n in sizes:
    print(f"n = {n:>6,}: empirical / formula MAE from {np.min(mae[n] / formula[n]):.3f} to "
          f"{np.max(mae[n] / formula[n]):.3f}; privacy error < sampling error once epsilon > {crossover[n]:.3f}")

# One call of dp_mean on the n = 1,000 data at epsilon = 0.5 (the worked example on the page: b = 0.002).
x1000 = np.random.default_rng(1).beta(2, 5, size=1_000)
one_release = dp_mean(x1000, L, U, 0.5, rng=2)
print(f"exact mean {x1000.mean():.4f}, one private release {one_release:.4f}")

# %% tags=["figure:data-privacy-laplace-error"]
fig, ax = plt.subplots(figsize=(7, 4))
for i, n in enumerate(sizes):
    ax.plot(epsilons, mae[n], "o", color=f"C{i}", label=f"n = {n:,}: Laplace mechanism (2,000 runs)")
    ax.plot(epsilons, formula[n], "-", color=f"C{i}", lw=1)
    ax.axhline(sampling_mae[n], color=f"C{i}", ls=":", lw=1.2)
ax.plot([], [], "k-", lw=1, label="formula (U - L) / (n ε)")
ax.plot([], [], "k:", lw=1.2, label="sampling error of the exact mean")
ax.set(xscale="log", yscale="log", xlabel="privacy parameter ε (smaller is more private)",
       ylabel="mean absolute error of the mean",
       title="Privacy noise falls as 1/(nε), sampling error as 1/√n")
ax.legend(fontsize=7.5, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The bound is tight
# Take two neighbouring datasets whose means differ by the full $\Delta f$: one record is 0 in $D$ and 1 in $D'$. The
# event "the release is at most the mean of $D$" has probability $1/2$ under $D$ and $\tfrac12 e^{-\varepsilon}$ under
# $D'$, a ratio of exactly $e^{\varepsilon}$: the Laplace mechanism spends its whole budget on that event. Read
# backwards, this is an audit: an event with probabilities $P$ under $D$ and $Q$ under $D'$ proves
# $\varepsilon \ge \ln(P/Q)$ (with $\delta = 0$), so the measured ratio gives an empirical lower bound on $\varepsilon$.
#
# The same releases also play a membership game: the attacker sees one release and must say whether the record was
# 0 ($D$) or 1 ($D'$), each with probability $\tfrac12$. The likelihood ratio grows with the release, so the best test
# answers $D'$ above the midpoint of the two means, and is right with probability $1 - \tfrac12 e^{-\varepsilon/2}$
# (0.70 at $\varepsilon = 1$), below the DP cap $e^\varepsilon/(1 + e^\varepsilon) = 0.73$ that the page derives.

# %%
x_d = x1000.copy()
x_d[0] = 0.0
x_d2 = x_d.copy()
x_d2[0] = 1.0
eps_check, m_d = 1.0, x_d.mean()
out_d = laplace_mechanism(np.full(200_000, m_d), 1 / 1_000, eps_check, rng=3)
out_d2 = laplace_mechanism(np.full(200_000, x_d2.mean()), 1 / 1_000, eps_check, rng=4)
tail_ratio = np.mean(out_d <= m_d) / np.mean(out_d2 <= m_d)
eps_audit = np.log(tail_ratio)                         # empirical lower bound on epsilon
print(f"P(release <= mean of D): {np.mean(out_d <= m_d):.4f} under D, {np.mean(out_d2 <= m_d):.4f} under D'; "
      f"ratio {tail_ratio:.3f}, e^eps = {np.e:.3f}; audited epsilon {eps_audit:.3f}")
midpoint = (m_d + x_d2.mean()) / 2
game_acc = (np.mean(out_d <= midpoint) + np.mean(out_d2 > midpoint)) / 2
game_formula = 1 - np.exp(-eps_check / 2) / 2
dp_cap = np.exp(eps_check) / (1 + np.exp(eps_check))
print(f"best membership test on one release: accuracy {game_acc:.4f} (formula {game_formula:.4f}); "
      f"DP cap {dp_cap:.4f}")

# %% [markdown]
# ## Membership inference on an overfit and a regularised model
# The attacker wants to know whether a given row was in the training set. A row the model trained on tends to get a
# smaller loss, $-\log \hat p(y \mid x)$, than a fresh one, so the attack guesses "member" when the loss is below a
# threshold $\tau$ (Yeom et al.). The attacker picks $\tau$ without touching the target: on their own data they
# train a *shadow* model the same way and choose the $\tau$ that best separates the shadow's training rows from
# other rows (Shokri et al.). We then score the attack on 1,000 members and 1,000 non-members of the target, and
# repeat with three disjoint splits.
#
# The simplest attack, "member if the model classifies the row correctly", has accuracy exactly
# $\tfrac12 + \tfrac12(\text{train acc} - \text{test acc})$ on such a balanced set: half the generalisation gap.
# The loss threshold also uses *how* confident the model is.

# %%
X, y = make_classification(n_samples=8_000, n_features=10, n_informative=5, flip_y=0.2, random_state=0)
models = {"full-depth forest": dict(), "forest, min 50 rows per leaf": dict(min_samples_leaf=50)}


def true_label_loss(model, X, y):
    p = model.predict_proba(X)[np.arange(len(y)), y]
    return -np.log(np.clip(p, 1e-12, 1.0))


def best_threshold(loss_in, loss_out):
    candidates = np.unique(np.concatenate([loss_in, loss_out]))
    acc = [(np.mean(loss_in <= t) + np.mean(loss_out > t)) / 2 for t in candidates]
    return candidates[int(np.argmax(acc))]


split_rng = np.random.default_rng(5)
results = {name: {"attack": [], "gap": [], "conf_in": [], "conf_out": []} for name in models}
for rep in range(3):
    idx = split_rng.permutation(len(y))
    members, non_members, shadow_in, shadow_out = np.split(idx, 4)   # 2,000 rows each
    members, non_members = members[:1_000], non_members[:1_000]
    for name, kw in models.items():
        target = RandomForestClassifier(n_estimators=30, random_state=rep, **kw).fit(X[members], y[members])
        shadow = RandomForestClassifier(n_estimators=30, random_state=100 + rep, **kw).fit(
            X[shadow_in[:1_000]], y[shadow_in[:1_000]])
        tau = best_threshold(true_label_loss(shadow, X[shadow_in[:1_000]], y[shadow_in[:1_000]]),
                             true_label_loss(shadow, X[shadow_out[:1_000]], y[shadow_out[:1_000]]))
        loss_in = true_label_loss(target, X[members], y[members])
        loss_out = true_label_loss(target, X[non_members], y[non_members])
        r = results[name]
        r["attack"].append((np.mean(loss_in <= tau) + np.mean(loss_out > tau)) / 2)
        r["gap"].append(target.score(X[members], y[members]) - target.score(X[non_members], y[non_members]))
        r["conf_in"].append(np.exp(-loss_in))
        r["conf_out"].append(np.exp(-loss_out))
summary = {}
for name, r in results.items():
    attack, gap = np.mean(r["attack"]), np.mean(r["gap"])
    summary[name] = dict(attack=attack, gap=gap, baseline=0.5 + gap / 2, spread=np.ptp(r["attack"]))
    print(f"{name:29s} train-test accuracy gap {gap:.3f}; loss-threshold attack accuracy {attack:.3f} "
          f"(runs {np.round(r['attack'], 3).tolist()}); 'correct = member' attack {0.5 + gap / 2:.3f}")

# %% tags=["figure:data-privacy-membership"]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
bins = np.linspace(0, 1, 26)
for ax, (name, r) in zip(axes, results.items()):
    ax.hist(np.concatenate(r["conf_out"]), bins=bins, alpha=0.6, label="not in training set")
    ax.hist(np.concatenate(r["conf_in"]), bins=bins, alpha=0.6, label="in training set")
    ax.set(title=f"{name}\nattack accuracy {summary[name]['attack']:.2f}",
           xlabel="predicted probability of the true label")
axes[0].set_ylabel("rows")
axes[0].legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks
# Every number the concept page quotes from this notebook is asserted here.

# %%
# The Laplace mechanism's mean absolute error matches (U - L) / (n epsilon) within 10% at every n and epsilon
# (2,000 runs give a relative standard error of about 2%).
for n in sizes:
    assert np.all(np.abs(mae[n] / formula[n] - 1) < 0.10), n
# Privacy noise drops below the sampling error at epsilon about 0.78, 0.25 and 0.08 for n = 100, 1,000, 10,000.
assert [round(crossover[n], 2) for n in sizes] == [0.78, 0.25, 0.08]
# The bound is tight: the tail-probability ratio is e^epsilon within 3%, so the audit recovers epsilon = 1 within 0.03.
assert abs(tail_ratio / np.e - 1) < 0.03 and abs(eps_audit - eps_check) < 0.03
# The best membership test on a Laplace release at epsilon = 1 is right 1 - exp(-1/2) / 2 = 0.70 of the time (within
# 0.005, about 7 standard errors with 200,000 draws each), below the DP cap e / (1 + e) = 0.73.
assert abs(game_acc - game_formula) < 0.005 and round(game_acc, 2) == 0.70 and game_acc < dp_cap
# Membership inference: well above chance on the full-depth forest (over 0.62 in every run), about 0.5 on the forest
# with large leaves (within 0.03 in every run), and on the overfit forest the loss threshold beats the
# "correct = member" attack, half the accuracy gap, by over 0.05.
full, reg = summary["full-depth forest"], summary["forest, min 50 rows per leaf"]
assert min(results["full-depth forest"]["attack"]) > 0.62
assert all(abs(a - 0.5) < 0.03 for a in results["forest, min 50 rows per leaf"]["attack"])
assert full["attack"] > full["baseline"] + 0.05
assert full["gap"] > 0.1 and reg["gap"] < 0.03
# The numbers the page quotes: attack accuracy 0.68 and 0.51, accuracy gaps 0.14 and 0.02.
assert round(full["attack"], 2) == 0.68 and round(reg["attack"], 2) == 0.51
assert round(full["gap"], 2) == 0.14 and round(reg["gap"], 2) == 0.02
# The DP cap on a balanced membership game, e^eps / (1 + e^eps) with delta = 0, is 0.73 at epsilon = 1; at
# epsilon = 8 it is 0.9997, useless, while TPR <= e^eps FPR caps an attack at FPR 0.1% to TPR 0.27% at epsilon = 1.
assert round(dp_cap, 2) == 0.73 and np.exp(8) / (1 + np.exp(8)) > 0.9996
assert round(np.e * 0.001, 5) == 0.00272
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
