# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: evaluation/regression-metrics.md}
# ---

# %% [markdown]
# # R², adjusted R² and held-out R² as useless features pile up
# We fit ordinary least squares with two real predictors, then add columns of pure noise one at a time and watch
# in-sample R², adjusted R² and R² on a large held-out set. Further experiments corrupt one target value to show
# how differently RMSE and MAE react to a single outlier, measure the R² that pure noise earns in-sample, find the
# constant forecast MAPE prefers, fit a line to Anscombe's four data sets, and redo the page's worked example and the
# smaller numbers it quotes.

# %%
import math
import statistics
import time

import matplotlib.pyplot as plt
import numpy as np

from mlguide.evaluation.regression import adjusted_r2, mae, mse, r2_score, rmse

START = time.perf_counter()

# %% [markdown]
# ## The data
# The true model is $y = 1.5\,x_1 - x_2 + \varepsilon$ with $\varepsilon \sim N(0, 1.5^2)$ and standard-normal
# inputs. The training set has only $n = 40$ rows, so every extra coefficient costs a noticeable share of the data;
# the held-out set has 2,000 rows, so its R² is a precise estimate of performance on new data. The noise features
# are independent standard-normal columns that have nothing to do with $y$.

# %%
N_TRAIN, N_TEST, N_NOISE = 40, 2000, 25
BETA, SIGMA = np.array([1.5, -1.0]), 1.5


def draw(rng, m):
    """m rows: two real predictors, N_NOISE irrelevant ones, and the target."""
    X = rng.normal(size=(m, 2))
    noise_cols = rng.normal(size=(m, N_NOISE))
    y = X @ BETA + rng.normal(scale=SIGMA, size=m)
    return np.column_stack([X, noise_cols]), y


def ols_fit(A, y):
    """Least-squares coefficients for design matrix A (which already holds an intercept column)."""
    return np.linalg.lstsq(A, y, rcond=None)[0]


def with_intercept(X):
    return np.column_stack([np.ones(len(X)), X])


def scores_by_noise_count(rng):
    """For 0..N_NOISE noise columns: in-sample R², adjusted R², held-out R², and the training residual sum of squares."""
    X, y = draw(rng, N_TRAIN)
    Xt, yt = draw(rng, N_TEST)
    rows = []
    for j in range(N_NOISE + 1):
        p = 2 + j                                   # predictors, not counting the intercept
        A, At = with_intercept(X[:, :p]), with_intercept(Xt[:, :p])
        b = ols_fit(A, y)
        r2_in = r2_score(y, A @ b)
        rows.append((r2_in, adjusted_r2(r2_in, N_TRAIN, p), r2_score(yt, At @ b), np.sum((y - A @ b) ** 2)))
    return np.array(rows)


# %% [markdown]
# ## One training set
# Each step adds one more noise column and refits. In-sample R² can only go up, because the bigger model could
# always set the new coefficient to zero and reproduce the smaller fit. Adjusted R² divides the two sums of squares
# by their degrees of freedom, $n-p-1$ and $n-1$, so it can go down. Held-out R² measures what we actually care
# about.

# %%
one = scores_by_noise_count(np.random.default_rng(0))
r2_in, r2_adj, r2_out, rss = one.T
k = np.arange(N_NOISE + 1)
print(" noise  R2_in  R2_adj  R2_heldout")
for j in (0, 5, 10, 15, 20, 25):
    print(f"{j:6d}  {r2_in[j]:.3f}  {r2_adj[j]:6.3f}  {r2_out[j]:8.3f}")

# %% [markdown]
# ## Averaged over 200 training sets
# A single draw is noisy, so we repeat the experiment with 200 independent training and held-out sets and average
# each curve. This shows what each number estimates. The population R² of the true model is
# $(1.5^2 + 1^2)/(1.5^2 + 1^2 + 1.5^2) = 3.25/5.5 \approx 0.59$. Adjusted R² stays close to it, because its
# residual variance $\mathrm{SS_{res}}/(n-p-1)$ stays an unbiased estimate of $\sigma^2$ when the added columns are
# irrelevant. Close is not unbiased, though: a ratio of unbiased estimates is not itself unbiased, and a later cell
# shows adjusted R² running slightly low.
# Held-out R² still falls, because each estimated (but useless) coefficient adds variance to the predictions.

# %%
POP_R2 = (BETA @ BETA) / (BETA @ BETA + SIGMA**2)   # share of Var(y) the true regression function explains
print(f"population R² of the true model: {POP_R2:.3f}")
rng = np.random.default_rng(1)
many = np.stack([scores_by_noise_count(rng) for _ in range(200)])   # shape (200, 26, 4)
mean_in, mean_adj, mean_out = many[:, :, 0].mean(axis=0), many[:, :, 1].mean(axis=0), many[:, :, 2].mean(axis=0)
print(" noise  mean R2_in  mean R2_adj  mean R2_heldout")
for j in (0, 5, 10, 15, 20, 25):
    print(f"{j:6d}  {mean_in[j]:9.3f}  {mean_adj[j]:11.3f}  {mean_out[j]:15.3f}")

# %% tags=["figure:regression-metrics-noise-features"]
fig, axes = plt.subplots(1, 2, figsize=(8.5, 4), sharey=True)
for ax, (a, b, c), title in [
    (axes[0], (r2_in, r2_adj, r2_out), "One training set (n = 40)"),
    (axes[1], (mean_in, mean_adj, mean_out), "Average over 200 training sets"),
]:
    ax.plot(k, a, marker="o", ms=3, label="in-sample R²")
    ax.plot(k, b, marker="s", ms=3, label="adjusted R²")
    ax.plot(k, c, marker="^", ms=3, label="held-out R²")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_title(title)
    ax.set_xlabel("number of pure-noise features added")
axes[1].axhline(POP_R2, color="grey", ls="--", lw=0.8)
axes[1].annotate("population R² of the true model", (10, POP_R2 - 0.07), color="grey", fontsize=8)
axes[0].set_ylabel("R² (unitless)")
axes[0].legend(loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## When does adjusted R² go up?
# Adding one predictor raises adjusted R² exactly when the partial F statistic of that predictor, which equals
# the square of its t statistic, exceeds 1:
# $F = \dfrac{\mathrm{RSS}_{\text{old}} - \mathrm{RSS}_{\text{new}}}{\mathrm{RSS}_{\text{new}}/(n-p-1)} > 1$,
# with $p$ the predictor count after the addition. A 5% significance test needs $F$ near 4, so adjusted R² lets
# through many more variables than a significance test would, including pure noise.

# %%
p_new = 2 + k[1:]
partial_f = (rss[:-1] - rss[1:]) / (rss[1:] / (N_TRAIN - p_new - 1))
rose = np.diff(r2_adj) > 0
print(f"noise features that raised adjusted R² on the single training set: {rose.sum()} of {N_NOISE}")
print("partial F of each added noise feature:", np.round(partial_f, 2))

# %% [markdown]
# ## One bad target: RMSE versus MAE
# Take the two-predictor model fitted on the first training set, score it on 50 fresh rows, then change one of those
# targets by +20 (a unit mix-up, say) and score again. Squaring lets that single residual dominate the RMSE; MAE
# grows only by 20/50 at most.

# %%
rng = np.random.default_rng(2)
X, y = draw(rng, N_TRAIN)
b = ols_fit(with_intercept(X[:, :2]), y)
Xs, ys = draw(rng, 50)
pred = with_intercept(Xs[:, :2]) @ b
ys_bad = ys.copy()
ys_bad[0] += 20.0
mae_before, mae_after = mae(ys, pred), mae(ys_bad, pred)
rmse_before, rmse_after = rmse(ys, pred), rmse(ys_bad, pred)
print(f"MAE : {mae_before:.3f} -> {mae_after:.3f}  (x{mae_after / mae_before:.2f})")
print(f"RMSE: {rmse_before:.3f} -> {rmse_after:.3f}  (x{rmse_after / rmse_before:.2f})")

# %% [markdown]
# ## The R² of pure noise
# When none of the $p$ predictors is related to $y$ (Gaussian noise, intercept included), in-sample R² follows a
# Beta$(p/2, (n-p-1)/2)$ distribution with mean $p/(n-1)$. With $n = 40$ and $p = 10$ that is $10/39 \approx 0.256$:
# a quarter of the variance "explained" by nothing.

# %%
rng = np.random.default_rng(3)
P_NOISE = 10
noise_r2 = []
for _ in range(4000):
    Xn, yn = rng.normal(size=(N_TRAIN, P_NOISE)), rng.normal(size=N_TRAIN)
    An = with_intercept(Xn)
    noise_r2.append(r2_score(yn, An @ ols_fit(An, yn)))
noise_r2 = np.array(noise_r2)
print(f"mean in-sample R² of {P_NOISE} noise predictors, n = {N_TRAIN}: {noise_r2.mean():.4f} "
      f"(theory p/(n-1) = {P_NOISE / (N_TRAIN - 1):.4f})")

# %% [markdown]
# ## Huber's threshold and its efficiency
# Minimising Huber's loss with threshold $\delta = k\sigma$ estimates a location; under Gaussian noise its
# large-sample variance is $\frac{\sigma^2}{n} E[\psi(Z)^2] / E[\psi'(Z)]^2$, where $\psi(z) = \max(-k, \min(k, z))$
# is the derivative of the loss in standardised units and $Z$ is standard normal. The mean has variance
# $\sigma^2/n$, so the efficiency relative to least squares is $E[\psi'(Z)]^2 / E[\psi(Z)^2]$, with
# $E[\psi'(Z)] = P(|Z| \le k)$ and $E[\psi(Z)^2] = P(|Z| \le k) - 2k\varphi(k) + k^2 P(|Z| > k)$, $\varphi$ the
# standard normal density. At $k = 1.345$ it is 95%.

# %%
def huber_efficiency(k):
    """Asymptotic efficiency, relative to the mean, of Huber's location estimate under N(0, 1) noise."""
    inside = math.erf(k / math.sqrt(2))                      # P(|Z| <= k)
    density = math.exp(-k * k / 2) / math.sqrt(2 * math.pi)  # standard normal density at k
    e_psi2 = inside - 2 * k * density + k * k * (1 - inside)
    return inside**2 / e_psi2


print(f"Huber efficiency at k = 1.345: {huber_efficiency(1.345):.4f}")

# %% [markdown]
# ## Which constant does MAPE prefer?
# For a fixed set of targets, the constant $c$ minimising $\sum_i |y_i - c|/y_i$ is a weighted median with weights
# $1/y_i$, so small targets pull it down. For lognormal targets with $\log y \sim N(0, 1)$ the median is 1 and the
# weighted median is $e^{-1} \approx 0.37$: the 1/y weighting turns the density into a lognormal with log-mean $-1$.


# %%
def weighted_median(values, weights):
    """Smallest value at which the cumulative weight reaches half the total."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return values[order][np.searchsorted(cum, 0.5 * cum[-1])]


y_pos = np.random.default_rng(4).lognormal(mean=0.0, sigma=1.0, size=200_000)
mape_best = weighted_median(y_pos, 1.0 / y_pos)
print(f"median {np.median(y_pos):.3f}; MAPE-optimal constant {mape_best:.3f} (e^-1 = {np.exp(-1):.3f})")
grid = np.linspace(0.2, 1.2, 101)
mape_on_grid = [np.mean(np.abs(y_pos - c) / y_pos) for c in grid]
print(f"grid search agrees: {grid[np.argmin(mape_on_grid)]:.2f}")

# %% [markdown]
# ## Anscombe's quartet: one R², four different stories
# Anscombe (1973) built four small data sets with the same least-squares line, $\hat y = 3 + 0.5x$, and the same R²
# of about 0.67. One is a noisy straight line, one a smooth curve, one a straight line with one outlier, and in the
# last a single point creates the whole slope. Only a plot of the data or the residuals tells them apart.

# %%
x_a = np.array([10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5], dtype=float)
anscombe = {
    "I": (x_a, [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]),
    "II": (x_a, [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74]),
    "III": (x_a, [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]),
    "IV": (np.array([8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8], dtype=float),
           [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89]),
}
anscombe_fit = {}
for name, (xa, ya) in anscombe.items():
    ya = np.asarray(ya)
    slope, intercept = np.polyfit(xa, ya, 1)
    anscombe_fit[name] = (slope, intercept, r2_score(ya, intercept + slope * xa))
    print(f"{name:>3}: slope {slope:.3f}, intercept {intercept:.3f}, R² {anscombe_fit[name][2]:.3f}")

# %% [markdown]
# ## How often does a pure-noise column raise adjusted R²?
# On the single training set above, 5 of the 25 noise columns did. A noise column's $t$ statistic, in a model that
# already contains the two real predictors, follows Student's $t$ with $n - p - 1$ degrees of freedom (12 to 36 here),
# so the chance that $|t| > 1$ is about a third. `prob_abs_t_above_1` integrates the $t$ density over $[-1, 1]$
# numerically (the integrand is smooth, so a fine trapezoid rule is accurate to far better than 0.001). Counting over
# all 200 repeats gives a far steadier fraction than one draw.

# %%
def prob_abs_t_above_1(nu):
    """P(|T| > 1) for Student's t with nu degrees of freedom."""
    t = np.linspace(0.0, 1.0, 20_001)
    log_c = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    density = np.exp(log_c - (nu + 1) / 2 * np.log1p(t**2 / nu))
    return 1.0 - 2.0 * np.sum((density[1:] + density[:-1]) / 2 * np.diff(t))


rss_many = many[:, :, 3]
partial_f_many = (rss_many[:, :-1] - rss_many[:, 1:]) / (rss_many[:, 1:] / (N_TRAIN - p_new - 1))
rose_many = np.diff(many[:, :, 1], axis=1) > 0
share_rose = rose_many.mean()
share_theory = np.mean([prob_abs_t_above_1(nu) for nu in N_TRAIN - p_new - 1])   # averaged over the 25 steps
print(f"share of noise columns that raised adjusted R² over 200 repeats: {share_rose:.3f} "
      f"(theory {share_theory:.3f}); P(|t| > 1) from {prob_abs_t_above_1(36):.3f} to {prob_abs_t_above_1(12):.3f}")

# %% [markdown]
# ## Adjusted R² runs slightly low
# With 5,000 training sets of the two-predictor model the mean adjusted R² can be pinned down to about 0.002, enough to
# see its small downward bias relative to the population R². The fits use the normal equations, batched.

# %%
rng = np.random.default_rng(5)
N_BIAS = 5000
Xb = rng.normal(size=(N_BIAS, N_TRAIN, 2))
yb = Xb @ BETA + rng.normal(scale=SIGMA, size=(N_BIAS, N_TRAIN))
Ab = np.concatenate([np.ones((N_BIAS, N_TRAIN, 1)), Xb], axis=2)
coef = np.linalg.solve(Ab.transpose(0, 2, 1) @ Ab, (Ab.transpose(0, 2, 1) @ yb[:, :, None]))[:, :, 0]
res = yb - np.einsum("rij,rj->ri", Ab, coef)
r2_b = 1 - (res**2).sum(axis=1) / ((yb - yb.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
adj_b = 1 - (1 - r2_b) * (N_TRAIN - 1) / (N_TRAIN - 3)
adj_bias, adj_se = adj_b.mean() - POP_R2, adj_b.std(ddof=1) / np.sqrt(N_BIAS)
print(f"mean adjusted R² minus population R²: {adj_bias:+.4f} (standard error {adj_se:.4f})")

# %% [markdown]
# ## The worked example, two traps and two ratios
# The page fits a line to five points by hand; here is the same arithmetic. Then two traps. The prediction
# $\hat y = 2y$ correlates perfectly with $y$ yet has R² at most 0, because squared correlation ignores scale and
# offset. And least squares without an intercept still never lowers the in-sample (centred) R² as columns are
# added, while the uncentred R² reported for such fits cannot go negative. Last, the two ratios quoted in the
# follow-up questions:
# RMSE/MAE for Gaussian errors is $\sqrt{\pi/2} \approx 1.25$, and if $\log y$ has normal errors with standard
# deviation $s$, the mean of $y$ is the exponentiated log prediction times $e^{s^2/2}$, about 1.13 for $s = 0.5$.

# %%
x_ex, y_ex = np.arange(1.0, 6.0), np.array([2.0, 4.0, 5.0, 4.0, 5.0])
slope_ex, intercept_ex = np.polyfit(x_ex, y_ex, 1)
fit_ex = intercept_ex + slope_ex * x_ex
ss_tot_ex = np.sum((y_ex - y_ex.mean()) ** 2)
ex = {"MAE": mae(y_ex, fit_ex), "MSE": mse(y_ex, fit_ex), "RMSE": rmse(y_ex, fit_ex), "SS_tot": ss_tot_ex,
      "R2": r2_score(y_ex, fit_ex), "adjusted R2": adjusted_r2(r2_score(y_ex, fit_ex), 5, 1),
      "R2 of constant 5": r2_score(y_ex, np.full(5, 5.0))}
y_typo = y_ex.copy()
y_typo[-1] = 15.0
typo = {"residual": y_typo[-1] - fit_ex[-1], "MAE": mae(y_typo, fit_ex), "MSE": mse(y_typo, fit_ex),
        "RMSE": rmse(y_typo, fit_ex)}
print("slope, intercept:", np.round([slope_ex, intercept_ex], 3), "fitted:", np.round(fit_ex, 2))
print({k: round(float(v), 3) for k, v in ex.items()})
typo_ratio = [typo[k] / ex[k] for k in ("MAE", "MSE", "RMSE")]
print("last target typed as 15:", {k: round(float(v), 3) for k, v in typo.items()},
      "ratios MAE, MSE, RMSE:", np.round(typo_ratio, 1))

doubled = 2 * y_ex                                      # the worked example's targets, mean 4
corr2_doubled, r2_doubled = np.corrcoef(y_ex, doubled)[0, 1] ** 2, r2_score(y_ex, doubled)
print(f"y_hat = 2y: squared correlation {corr2_doubled:.3f}, R² {r2_doubled:.3f}")

# Without an intercept: nested least-squares fits on the first training set. The centred R² still never falls;
# the uncentred R² that R and statsmodels report for such fits, 1 - SS_res / sum(y²), is never negative.
X0, y0 = draw(np.random.default_rng(0), N_TRAIN)
fits0 = [X0[:, :p] @ ols_fit(X0[:, :p], y0) for p in range(1, 2 + N_NOISE + 1)]
r2_no_icpt = np.array([r2_score(y0, fit) for fit in fits0])
r2_uncentred = np.array([1 - np.sum((y0 - fit) ** 2) / np.sum(y0**2) for fit in fits0])
print("no intercept, 1 / 2 / 27 columns: centred R²", np.round(r2_no_icpt[[0, 1, -1]], 3),
      "uncentred R²", np.round(r2_uncentred[[0, 1, -1]], 3))

z = np.random.default_rng(6).normal(size=400_000)
gauss_ratio = rmse(z, np.zeros_like(z)) / mae(z, np.zeros_like(z))
lognormal_factor = np.mean(np.exp(0.5 * z))             # E[exp(s Z)] with s = 0.5
print(f"Gaussian RMSE/MAE {gauss_ratio:.4f} (sqrt(pi/2) = {math.sqrt(math.pi / 2):.4f}); "
      f"E[exp(0.5 Z)] = {lognormal_factor:.4f} (exp(0.125) = {math.exp(0.125):.4f})")

# %% [markdown]
# ## Checks
# Every statement the concept page makes about these results is asserted here.

# %%
# In-sample R² never decreases as nested OLS models (with intercept) gain predictors.
assert np.all(np.diff(r2_in) >= -1e-12), "in-sample R² must be non-decreasing"
assert np.all(np.diff(many[:, :, 0], axis=1) >= -1e-12)
# Adjusted R² sits below R² whenever predictors are present and the fit is imperfect, and it does fall at some step.
assert np.all(r2_adj < r2_in)
assert np.any(np.diff(r2_adj) < 0), "adjusted R² should decrease at some step"
# ... and it rises exactly when the added feature's partial F exceeds 1.
assert np.array_equal(rose, partial_f > 1)
# Some pure-noise features nonetheless raise adjusted R²: it is not a test of relevance. On the single draw 5 of 25 do;
# over 200 repeats about a third do, as P(|t| > 1) predicts, and always exactly when the partial F exceeds 1.
assert rose.sum() == 5
assert np.array_equal(rose_many, partial_f_many > 1)
assert 0.32 < prob_abs_t_above_1(36) < prob_abs_t_above_1(12) < 0.34
assert abs(share_rose - share_theory) < 0.03 and 0.29 < share_rose < 0.37
# Held-out R² ends lower than it started, on the single draw and on average.
assert r2_out[-1] < r2_out[0]
assert mean_out[-1] < mean_out[0] - 0.2
# On average adjusted R² stays close to the population R² of the true model, while held-out R² falls
# well below it and, with 25 noise features, below zero (worse than predicting the held-out mean).
assert np.all(np.abs(mean_adj - POP_R2) < 0.03)
assert mean_out[-1] < mean_adj[-1] - 0.2
assert mean_out[-1] < 0
# ... but adjusted R² is not unbiased for it: with 5,000 training sets its mean sits clearly below (about 0.01 low).
assert adj_bias < -5 * adj_se and adj_bias > -0.03
# One corrupted target moves RMSE far more than MAE: its relative increase is over three times larger.
assert (rmse_after / rmse_before - 1) > 3 * (mae_after / mae_before - 1)
# Pure noise: the mean in-sample R² of 10 useless predictors with n = 40 matches p/(n-1) = 10/39 (4000 draws, so
# the standard error is about 0.0015).
assert abs(noise_r2.mean() - P_NOISE / (N_TRAIN - 1)) < 0.006
# MAPE's best constant for lognormal(0, 1) targets is about e^-1 = 0.37, far below the median of about 1.
assert abs(mape_best - np.exp(-1)) < 0.01 and abs(np.median(y_pos) - 1) < 0.01
assert abs(grid[np.argmin(mape_on_grid)] - np.exp(-1)) < 0.011
# Huber's threshold 1.345 sigma keeps 95% of the mean's efficiency under Gaussian noise; sigma is estimated robustly
# as MAD / 0.6745, 0.6745 being the upper quartile of the standard normal (so MAD / 0.6745 estimates sigma).
assert abs(huber_efficiency(1.345) - 0.95) < 0.001
assert round(statistics.NormalDist().inv_cdf(0.75), 4) == 0.6745
# The worked example: slope 0.6, intercept 2.2, and the table's MAE, MSE, RMSE, SS_tot, R² and adjusted R².
assert np.allclose([slope_ex, intercept_ex], [0.6, 2.2]) and np.allclose(fit_ex, [2.8, 3.4, 4.0, 4.6, 5.2])
assert np.allclose([ex["MAE"], ex["MSE"], ex["SS_tot"], ex["R2"]], [0.64, 0.48, 6.0, 0.6])
assert round(ex["RMSE"], 3) == 0.693 and round(ex["adjusted R2"], 3) == 0.467
assert round(ex["R2 of constant 5"], 2) == -0.83                     # 1 - 11/6
# ... and with the last target mistyped as 15: residual 9.8, MAE 2.56 (4x), MSE 19.68 (41x), RMSE 4.44 (6.4x).
assert np.isclose(typo["residual"], 9.8) and np.isclose(typo["MAE"], 2.56) and np.isclose(typo["MSE"], 19.68)
assert round(typo["RMSE"], 2) == 4.44
assert round(typo["MAE"] / ex["MAE"]) == 4 and round(typo["MSE"] / ex["MSE"]) == 41
assert round(typo["RMSE"] / ex["RMSE"], 1) == 6.4
# Squared correlation is not R² out of sample: y_hat = 2y has corr² = 1 and R² <= 0.
assert np.isclose(corr2_doubled, 1.0) and r2_doubled <= 0
# Without an intercept the centred in-sample R² still never falls, and the uncentred R² is never negative.
assert np.all(np.diff(r2_no_icpt) >= -1e-12) and np.all(r2_uncentred >= 0)
# Gaussian errors: RMSE is about 1.25 times MAE; lognormal retransformation factor about 1.13 for s = 0.5.
assert abs(gauss_ratio - math.sqrt(math.pi / 2)) < 0.005 and round(math.sqrt(math.pi / 2), 2) == 1.25
assert abs(lognormal_factor - math.exp(0.125)) < 0.005 and round(math.exp(0.125), 2) == 1.13
# Anscombe: the same line 3 + 0.5x and R² = 0.67 (to two decimals) in all four data sets.
for slope, intercept, r2 in anscombe_fit.values():
    assert abs(slope - 0.5) < 0.001 and abs(intercept - 3.0) < 0.005 and round(r2, 2) == 0.67
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
