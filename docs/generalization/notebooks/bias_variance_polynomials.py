# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/bias-variance.md}
# ---

# %% [markdown]
# # Bias and variance of polynomial fits, measured by simulation
# Because we choose the true function and the noise, we can draw as many training sets as we like, fit a polynomial
# of each degree to every one of them, and measure bias², variance and noise directly. We then check that their sum
# equals the expected squared error on fresh test data, as the decomposition says it must.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from mlguide.bias_variance import decompose

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
# Since `decompose` averages over the same 1,000 training sets, bias² + variance equals the mean of
# $(\hat f(x_0) - f(x_0))^2$ exactly, and the only gap between the two columns above is the Monte Carlo noise of the
# fresh test targets: the per-repeat difference $(y_0 - \hat f)^2 - (f - \hat f)^2 - \sigma^2
# = \varepsilon_0^2 - \sigma^2 - 2\varepsilon_0(\hat f - f)$, which has mean zero. We therefore accept the identity
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
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
