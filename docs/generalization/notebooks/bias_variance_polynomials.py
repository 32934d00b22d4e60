# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/bias-variance.md}
# ---

# %% [markdown]
# # Bias and variance of polynomial fits, measured by simulation
# Because we choose the true function and the noise, we can draw as many training sets as we like, fit a polynomial
# of each degree to every one of them, and measure bias², variance and noise directly. Comparing their sum with the
# squared error on fresh test targets checks the simulation. A last section does the same for log loss, with
# nearest-neighbour class probabilities, to show that its split is exact too once the average prediction is a
# geometric mean.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from mlguide.generalization.bias_variance import decompose, decompose_log_loss

START = time.perf_counter()

# %% [markdown]
# ## The set-up
# The target is $y = f(x) + \varepsilon$ with $f(x) = \sin(2\pi x)$ on $[0, 1]$ and $\varepsilon \sim N(0, 0.3^2)$,
# so the irreducible error is $\sigma^2 = 0.09$. A training set has $n = 20$ points; their inputs are jittered
# around an even grid (one uniform draw in each twentieth of the interval), so no training set leaves a large gap
# that a high-degree polynomial could swing wildly across. Every training set is drawn afresh: new inputs and new
# noise. We evaluate each fitted polynomial at 50 fixed test inputs and average over them, which approximates the
# expectation over $x$.

# %%
SIGMA = 0.3
N_TRAIN, N_REPEATS = 20, 1000
DEGREES = np.arange(1, 13)
x_test = np.linspace(0.0, 1.0, 50)


def f(x):
    return np.sin(2 * np.pi * x)


def training_set(rng):
    x = (np.arange(N_TRAIN) + rng.uniform(size=N_TRAIN)) / N_TRAIN
    return x, f(x) + rng.normal(scale=SIGMA, size=N_TRAIN)


# %% [markdown]
# ## Refit every degree on 1,000 training sets
# `predictions[d]` has one row per training set and one column per test input. Alongside, each repeat draws fresh
# noisy test targets $y_0 = f(x_0) + \varepsilon_0$ and records the squared error the fitted polynomial actually makes
# on them, so that we can compare the decomposition with a direct measurement.
# `np.polynomial.Polynomial.fit` rescales $x$ internally, which keeps degree-12 fits numerically stable.

# %%
rng = np.random.default_rng(0)
predictions = {d: np.empty((N_REPEATS, x_test.size)) for d in DEGREES}
test_sq_error = {d: np.empty((N_REPEATS, x_test.size)) for d in DEGREES}
for r in range(N_REPEATS):
    x, y = training_set(rng)
    y_new = f(x_test) + rng.normal(scale=SIGMA, size=x_test.size)   # the same fresh targets for every degree
    for d in DEGREES:
        pred = np.polynomial.Polynomial.fit(x, y, deg=d)(x_test)
        predictions[d][r] = pred
        test_sq_error[d][r] = (y_new - pred) ** 2

parts = {d: decompose(predictions[d], f(x_test), SIGMA**2) for d in DEGREES}
measured = np.array([test_sq_error[d].mean() for d in DEGREES])
bias2 = np.array([parts[d].bias2 for d in DEGREES])
variance = np.array([parts[d].variance for d in DEGREES])
total = np.array([parts[d].expected_error for d in DEGREES])
print("degree   bias²   variance   σ²+bias²+var   measured test MSE")
for i, d in enumerate(DEGREES):
    print(f"{d:6d}  {bias2[i]:.4f}  {variance[i]:9.4f}  {total[i]:13.4f}  {measured[i]:18.4f}")

# %% [markdown]
# ## The picture
# Left: the three terms and their sum against degree, on a log scale because variance spans several orders of
# magnitude. Right: twenty of the thousand fits for a straight line and for a degree-12 polynomial. The lines all
# agree with each other and all miss the sine (bias); the degree-12 curves follow the sine on average but
# scatter around it from one training set to the next (variance).

# %% tags=["figure:bias-variance-polynomial-degree"]
fig = plt.figure(figsize=(8.5, 4.2))
grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1])
ax = fig.add_subplot(grid[:, 0])
ax.plot(DEGREES, bias2, marker="o", ms=4, label="bias²")
ax.plot(DEGREES, variance, marker="s", ms=4, label="variance")
ax.plot(DEGREES, total, marker="^", ms=4, color="black", label="σ² + bias² + variance")
ax.plot(DEGREES, measured, ls="none", marker="x", ms=7, color="tab:red", label="measured test MSE")
ax.axhline(SIGMA**2, color="grey", ls="--", lw=0.8, label="noise σ²")
ax.set_yscale("log")
ax.set_xticks(DEGREES)
ax.set_xlabel("polynomial degree")
ax.set_ylabel("squared error (y units², log scale)")
ax.set_title("Expected test error decomposed")
ax.legend(fontsize=8, loc="upper center")
grid_x = np.linspace(0, 1, 200)
for row, d in enumerate((1, 12)):
    sub = fig.add_subplot(grid[row, 1])
    fit_rng = np.random.default_rng(100 + d)
    for _ in range(20):
        x, y = training_set(fit_rng)
        sub.plot(grid_x, np.polynomial.Polynomial.fit(x, y, deg=d)(grid_x), color="tab:blue", lw=0.6, alpha=0.5)
    sub.plot(grid_x, f(grid_x), color="black", lw=1.5)
    sub.set_ylim(-2, 2)
    sub.set_title(f"degree {d}: 20 fits (blue), f(x) (black)", fontsize=9)
    sub.set_ylabel("y")
sub.set_xlabel("x")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## How close is the decomposition to the measurement?
# This is a check of the simulation, not evidence for the identity. Since `decompose` averages over the same 1,000
# training sets, bias² + variance equals the mean of $(\hat f(x_0) - f(x_0))^2$ by construction, so the comparison
# tests only that the noise adds $\sigma^2$ and nothing else. The gap between the two columns above is the Monte
# Carlo noise of the fresh test targets: the per-repeat difference $(y_0 - \hat f)^2 - (f - \hat f)^2 - \sigma^2
# = \varepsilon_0^2 - \sigma^2 - 2\varepsilon_0(\hat f - f)$, which has mean zero. We therefore accept the match
# when the average gap lies within four standard errors of zero, a margin a correct identity breaches with
# probability below about one in ten thousand per degree (normal approximation over 1,000 independent repeats).

# %%
gap_z = []
for i, d in enumerate(DEGREES):
    per_repeat = (test_sq_error[d] - (predictions[d] - f(x_test)) ** 2 - SIGMA**2).mean(axis=1)
    se = per_repeat.std(ddof=1) / np.sqrt(N_REPEATS)
    gap_z.append((measured[i] - total[i]) / se)
print("gap / standard error, by degree:", np.round(gap_z, 2))
print("largest relative gap:", f"{np.max(np.abs(measured - total) / total):.2%}")
best = DEGREES[np.argmin(total)]
print(f"lowest expected test error at degree {best}")

# %% [markdown]
# ## Why does bias² tick up at the highest degrees?
# Mostly simulation error. The estimated bias² uses the average of 1,000 fits, and that average still wobbles around
# the true $E_D[\hat f(x_0)]$ with variance $\mathrm{Var}/1000$, which adds to the squared gap. Subtracting
# $\mathrm{Var}/(R-1)$, with $R$ the number of repeats, removes this inflation on average (the sample variance here uses
# divisor $R$).

# %%
bias2_corrected = bias2 - variance / (N_REPEATS - 1)
print("bias² corrected for Monte Carlo noise:", np.round(bias2_corrected, 5))

# %% [markdown]
# ## What the jittered grid buys
# The numbers above depend on the design. Draw the 20 inputs i.i.d. uniform on $[0, 1]$ instead and some training
# sets leave a wide gap or no point near an edge; a degree-12 polynomial then swings far off between or beyond its
# points, and the variance has no finite value: the printed average is not a measurement of it and grows with the
# number of sets. A straight line's variance grows too, but only a few-fold.

# %%
iid_rng = np.random.default_rng(1)
iid_preds = {d: np.empty((N_REPEATS, x_test.size)) for d in (1, 12)}
for r in range(N_REPEATS):
    x = iid_rng.uniform(size=N_TRAIN)
    y = f(x) + iid_rng.normal(scale=SIGMA, size=N_TRAIN)
    for d in (1, 12):
        iid_preds[d][r] = np.polynomial.Polynomial.fit(x, y, deg=d)(x_test)
iid_var = {d: decompose(iid_preds[d], f(x_test), SIGMA**2).variance for d in (1, 12)}
print(f"variance with i.i.d. inputs: degree 1 {iid_var[1]:.4f} (grid {variance[0]:.4f}), "
      f"degree 12 {iid_var[12]:.3g} (grid {variance[-1]:.3g})")

# %% [markdown]
# ## Log loss splits the same way
# Now a classification problem: $P(y = 1 \mid x) = 1/(1 + e^{-4\sin(2\pi x)})$ on $[0, 1]$, training sets of 60
# jittered-grid inputs with labels drawn from that probability, and a $k$-nearest-neighbour estimate of it at the
# same 50 test inputs: $\hat q_1 = (m + 0.25)/(k + 0.5)$, where $m$ of the $k$ nearest training labels are 1 (the
# small added counts keep every probability strictly between 0 and 1, so the log loss stays finite). Small $k$
# gives jumpy estimates, large $k$ averages over much of the sine wave. The added counts matter for the bias: they
# pull small-$k$ estimates toward ½ (at $k = 1$ the only possible values are 1/6 and 5/6), so the loop also records
# the estimates with counts of 0.05 instead of 0.25 for comparison.
#
# With the true class probabilities $p$ known, the expected log loss of a prediction $q$ is
# $\sum_y p(y)\,(-\log q(y))$. `decompose_log_loss` splits its average over training sets into the entropy of $p$
# (noise), $\mathrm{KL}(p \,\|\, \tilde q)$ (bias) and the average $\mathrm{KL}(\tilde q \,\|\, \hat q_D)$
# (variance), where $\tilde q$ is the normalised geometric mean of the 1,000 predicted distributions. The split is
# an algebraic identity, so it matches the direct computation to rounding error. Using the arithmetic mean of the
# predictions as the centre instead leaves a remainder.

# %%
N_CLS, KS = 60, (1, 2, 4, 8, 16, 32)


def p_one(x):
    return 1.0 / (1.0 + np.exp(-4.0 * np.sin(2 * np.pi * x)))


p_test = np.column_stack([1 - p_one(x_test), p_one(x_test)])
cls_rng = np.random.default_rng(3)
knn_probs = {k: np.empty((N_REPEATS, x_test.size, 2)) for k in KS}
knn_probs_small = {k: np.empty((N_REPEATS, x_test.size, 2)) for k in KS}   # added counts 0.05 instead of 0.25
for r in range(N_REPEATS):
    x = (np.arange(N_CLS) + cls_rng.uniform(size=N_CLS)) / N_CLS
    labels = (cls_rng.uniform(size=N_CLS) < p_one(x)).astype(float)
    nearest = np.argsort(np.abs(x_test[:, None] - x[None, :]), axis=1)
    for k in KS:
        ones = labels[nearest[:, :k]].sum(axis=1)
        q1 = (ones + 0.25) / (k + 0.5)
        knn_probs[k][r] = np.column_stack([1 - q1, q1])
        q1_small = (ones + 0.05) / (k + 0.1)
        knn_probs_small[k][r] = np.column_stack([1 - q1_small, q1_small])


def kl(a, b):
    return np.sum(a * np.log(a / b), axis=-1)


ll_parts = {k: decompose_log_loss(knn_probs[k], p_test) for k in KS}
ll_direct = np.array([np.mean(np.sum(-p_test * np.log(knn_probs[k]), axis=-1)) for k in KS])
ll_bias = np.array([ll_parts[k].bias for k in KS])
ll_var = np.array([ll_parts[k].variance for k in KS])
ll_total = np.array([ll_parts[k].expected_error for k in KS])
arith_gap = []
for i, k in enumerate(KS):
    centre = knn_probs[k].mean(axis=0)                  # arithmetic mean: the wrong centre for log loss
    naive = ll_parts[k].noise + kl(p_test, centre).mean() + kl(centre[None], knn_probs[k]).mean()
    arith_gap.append(naive - ll_direct[i])
arith_gap = np.array(arith_gap)
print("  k   noise    bias     variance  total    direct   remainder with arithmetic mean")
for i, k in enumerate(KS):
    print(f"{k:3d}  {ll_parts[k].noise:.4f}  {ll_bias[i]:.4f}  {ll_var[i]:.4f}    {ll_total[i]:.4f}  "
          f"{ll_direct[i]:.4f}  {arith_gap[i]:+.4f}")
best_k = KS[int(np.argmin(ll_total))]
print(f"lowest expected log loss at k = {best_k}")
ll_bias_small = np.array([decompose_log_loss(knn_probs_small[k], p_test).bias for k in KS])
print("bias with added counts 0.25:", np.round(ll_bias, 4), f"(lowest at k = {KS[int(np.argmin(ll_bias))]})")
print("bias with added counts 0.05:", np.round(ll_bias_small, 4))

# %% [markdown]
# ## Checks
# Every statement the concept page makes about these results is asserted here.

# %%
# Bias² falls with degree: the two underfitting degrees (1 and 2) have far more of it than any degree from 3 on.
assert bias2[:2].min() > 5 * bias2[2:].max()
assert bias2[0] > 5 * bias2[-1]
assert bias2_corrected[-1] < 0.5 * bias2[-1]   # the uptick at degree 12 is mostly Monte Carlo error
# Variance rises with degree, by orders of magnitude from degree 1 to degree 12.
assert np.all(np.diff(variance) > 0)
assert variance[-1] > 100 * variance[0]
# The decomposition matches the directly measured expected test MSE within four standard errors at every degree.
assert np.all(np.abs(gap_z) < 4), gap_z
assert np.max(np.abs(measured - total) / total) < 0.03
# The total is U-shaped: its minimum is at an intermediate degree, not at either end.
assert 1 < best < 12
assert total[0] > 2 * SIGMA**2 and total[-1] > 10 * total[best - 1]
# Log loss: noise + bias + variance around the geometric mean equals the directly computed expected log loss
# (to rounding error) at every k; the arithmetic mean as centre leaves a remainder at every k.
assert np.allclose(ll_total, ll_direct, rtol=0, atol=1e-12)
assert np.all(np.abs(arith_gap) > 1e-3), arith_gap
# Variance falls at every step as k grows; the expected log loss is smallest at an intermediate k.
assert np.all(np.diff(ll_var) < 0)
assert KS[0] < best_k < KS[-1]
# Bias is not monotone in k: with the page's added counts it is lowest at k = 4; with smaller counts it rises at
# every step as k grows.
assert KS[int(np.argmin(ll_bias))] == 4 and ll_bias[0] > ll_bias[2]
assert np.all(np.diff(ll_bias_small) > 0)
# With i.i.d. uniform inputs instead of the jittered grid, the degree-12 variance has no finite value (a bunched-up
# training set makes the fit swing arbitrarily far); any simulated average is far above the grid's.
assert iid_var[12] > 1e4 * variance[-1] and iid_var[1] < 10 * variance[0]
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
