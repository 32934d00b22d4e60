# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/linear-regression.md}
# ---

# %% [markdown]
# # Linear regression: what collinearity, heteroscedasticity and correlated errors do to OLS
# We fit ordinary least squares by QR, check it against scikit-learn and the textbook formulas, and then break the
# Gauss-Markov assumptions one at a time in simulations where the truth is known. Collinearity inflates the variance
# of single coefficients by exactly the VIF, non-constant or correlated noise leaves the coefficients unbiased but the
# classical standard errors wrong, and the normal equations lose digits that QR keeps.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize, stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression

from mlguide.models.linear_models import ols, vif

# %% [markdown]
# ## The worked example, and a real fit
# The page's four points $x = 1, 2, 3, 4$ and $y = 2, 3, 5, 6$ give intercept 0.5, slope 1.4, residuals
# $(0.1, -0.3, 0.3, -0.1)$, $s^2 = 0.2/2 = 0.1$ and standard errors $\sqrt{0.15}$ and $\sqrt{0.02}$. On the diabetes
# data (442 patients, ten standardized baseline measurements), `ols` matches scikit-learn's coefficients, and its
# standard errors match $\sqrt{s^2\,[(A^\top A)^{-1}]_{jj}}$ computed with an explicit inverse.

# %%
small = ols([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 5.0, 6.0])
print(f"intercept {small.coef[0]:.3f} (se {small.se[0]:.4f}), slope {small.coef[1]:.3f} (se {small.se[1]:.4f}), "
      f"s^2 = {small.sigma2:.3f}, t = {small.coef[1] / small.se[1]:.2f}")
assert np.allclose(small.coef, [0.5, 1.4]) and np.isclose(small.sigma2, 0.1)
assert np.allclose(small.se, [np.sqrt(0.15), np.sqrt(0.02)]), "standard errors 0.387 and 0.141"

diabetes = load_diabetes()
X_d, y_d = diabetes.data, diabetes.target
fit_d = ols(X_d, y_d)
sk = LinearRegression().fit(X_d, y_d)
A_d = np.column_stack([np.ones(len(X_d)), X_d])
se_explicit = np.sqrt(fit_d.sigma2 * np.diag(np.linalg.inv(A_d.T @ A_d)))
print(f"{'':>10} {'coef':>9} {'se':>8} {'t':>6}  {'VIF':>6}")
for name, b, se, v in zip(["intercept"] + diabetes.feature_names, fit_d.coef, fit_d.se, np.r_[np.nan, vif(X_d)]):
    print(f"{name:>10} {b:9.1f} {se:8.1f} {b / se:6.2f}  {v:6.1f}")
assert np.allclose(fit_d.coef, np.r_[sk.intercept_, sk.coef_]), "QR least squares agrees with scikit-learn"
assert np.allclose(fit_d.se, se_explicit), "standard errors agree with the explicit-inverse formula"
assert np.allclose(vif(X_d)[[4, 5]], [59.2, 39.2], atol=0.05), "two serum measurements, s1 and s2, have VIFs 59 and 39"

# %% [markdown]
# ## Least squares is the Gaussian maximum-likelihood estimate
# With $\varepsilon_i \sim \mathcal N(0, \sigma^2)$ the log-likelihood is
# $-\frac n2\log(2\pi\sigma^2) - \mathrm{RSS}(\beta)/(2\sigma^2)$. Maximizing it numerically over $\beta$ and
# $\log\sigma$ lands on the OLS coefficients, with $\hat\sigma^2_{\text{MLE}} = \mathrm{RSS}/n$: smaller than the
# unbiased $s^2 = \mathrm{RSS}/(n-k)$ by the factor $(n-k)/n$.

# %%
n_d, k_d = A_d.shape


def negative_log_likelihood(theta):
    """-log L(beta, sigma) for Gaussian noise, and its gradient in (beta, log sigma)."""
    beta, log_sigma = theta[:-1], theta[-1]
    r = y_d - A_d @ beta
    s2 = np.exp(2 * log_sigma)
    value = n_d * log_sigma + r @ r / (2 * s2) + 0.5 * n_d * np.log(2 * np.pi)
    return value, np.r_[-A_d.T @ r / s2, n_d - r @ r / s2]


mle = optimize.minimize(negative_log_likelihood, np.r_[np.zeros(k_d), np.log(y_d.std())], jac=True,
                        method="BFGS", options={"gtol": 1e-6, "maxiter": 10_000})
rss = fit_d.residuals @ fit_d.residuals
print(f"largest |MLE - OLS| coefficient gap: {np.abs(mle.x[:-1] - fit_d.coef).max():.2e}; "
      f"sigma^2: MLE {np.exp(2 * mle.x[-1]):.1f}, RSS/n {rss / n_d:.1f}, s^2 {fit_d.sigma2:.1f}")
assert np.allclose(mle.x[:-1], fit_d.coef, rtol=1e-4, atol=1e-2), "the Gaussian MLE of beta is the OLS solution"
assert np.isclose(np.exp(2 * mle.x[-1]), rss / n_d, rtol=1e-4), "sigma^2_MLE = RSS / n"
assert np.isclose(fit_d.sigma2, rss / (n_d - k_d)), "s^2 = RSS / (n - k)"

# %% [markdown]
# ## Collinearity: variance inflated by exactly the VIF
# Two standardized features with sample correlation exactly $\rho$, $n = 100$ rows, $y = 1 + x_1 + x_2 + \varepsilon$
# with $\sigma = 1$, and the same design in 4,000 simulated noise draws. Theory for this fixed design:
# $\mathrm{Var}(\hat\beta_1) = \sigma^2\,\mathrm{VIF}/n$ with $\mathrm{VIF} = 1/(1-\rho^2)$, the two estimates have
# correlation $-\rho$, their sum has variance $2\sigma^2/(n(1+\rho))$, which *falls* as $\rho$ grows, and their
# difference $2\sigma^2/(n(1-\rho))$, which explodes.

# %%
n, sigma, reps = 100, 1.0, 4000
rng = np.random.default_rng(0)
Z = rng.normal(size=(n, 2))
Z -= Z.mean(axis=0)
Z = np.linalg.qr(Z)[0] * np.sqrt(n)                     # centred, Z^T Z / n = I exactly
noise = sigma * rng.normal(size=(n, reps))              # the same noise draws for every rho


def design(rho):
    """Two centred columns with variance 1 (divisor n) and correlation exactly rho."""
    return Z @ np.linalg.cholesky([[1.0, rho], [rho, 1.0]]).T


def simulate(rho):
    X = design(rho)
    A = np.column_stack([np.ones(n), X])
    Y = (1 + X.sum(axis=1))[:, None] + noise
    return X, np.linalg.lstsq(A, Y, rcond=None)[0]      # (3, reps): one fit per noise draw


rhos = [0.0, 0.5, 0.9, 0.95, 0.99]
results = {}
for rho in rhos:
    X, B = simulate(rho)
    results[rho] = dict(vif=vif(X)[0], sd=B[1].std(), corr=np.corrcoef(B[1], B[2])[0, 1],
                        sd_sum=(B[1] + B[2]).std(), sd_diff=(B[1] - B[2]).std(), B=B)
    r = results[rho]
    print(f"rho = {rho:4}: VIF {r['vif']:6.2f}, sd(b1) {r['sd']:.3f} (theory {sigma * np.sqrt(r['vif'] / n):.3f}), "
          f"corr(b1, b2) {r['corr']:+.3f}, sd(b1 + b2) {r['sd_sum']:.3f}, sd(b1 - b2) {r['sd_diff']:.3f}")

# %%
for rho, r in results.items():
    assert np.isclose(r["vif"], 1 / (1 - rho**2)), "VIF = 1 / (1 - rho^2) for two features"
    assert abs(r["sd"] ** 2 / (sigma**2 * r["vif"] / n) - 1) < 0.06, "Var(b1) = sigma^2 VIF / n, within 6%"
    assert abs(r["corr"] + rho) < 0.03, "the two estimates have correlation -rho"
    sd_sum_theory = np.sqrt(2 * sigma**2 / (n * (1 + rho)))
    sd_diff_theory = np.sqrt(2 * sigma**2 / (n * (1 - rho)))
    assert abs(r["sd_sum"] / sd_sum_theory - 1) < 0.05, "sd of b1 + b2 is sqrt(2 sigma^2 / (n(1 + rho))), within 5%"
    assert abs(r["sd_diff"] / sd_diff_theory - 1) < 0.05, "sd of b1 - b2 is sqrt(2 sigma^2 / (n(1 - rho))), within 5%"
    assert abs(r["B"][1:].mean(axis=1) - 1).max() < 4 * r["sd"] / np.sqrt(reps), "still unbiased"
assert abs(results[0.99]["vif"] - 50.25) < 0.01 and results[0.99]["sd"] > 6.5 * results[0.0]["sd"], \
    "at rho = 0.99 the VIF is 50.25 and the slope's sd is about sqrt(50.25) = 7.1 times larger"
assert results[0.99]["sd_sum"] < results[0.0]["sd_sum"], "the sum of the two slopes is estimated better, not worse"
print("collinearity: all assertions hold")

# %% [markdown]
# Predictions inherit the same geometry. The variance of the fitted mean at a new point $x_0$ is
# $\sigma^2 a_0^\top(A^\top A)^{-1}a_0$ with $a_0 = (1, x_0)$. Along the data's direction, $x_0 = (1, 1)$, it shrinks as
# $\rho$ grows; off it, $x_0 = (1, -1)$, a combination the training data never show, it explodes.

# %%
def prediction_sd(rho, x0):
    A = np.column_stack([np.ones(n), design(rho)])
    a0 = np.r_[1.0, x0]
    return sigma * np.sqrt(a0 @ np.linalg.solve(A.T @ A, a0))


for rho in (0.0, 0.99):
    print(f"rho = {rho}: sd of the fitted mean at (1, 1) {prediction_sd(rho, [1, 1]):.3f}, "
          f"at (1, -1) {prediction_sd(rho, [1, -1]):.3f}")
assert prediction_sd(0.99, [1, 1]) < prediction_sd(0.0, [1, 1]), "on the data's direction predictions are fine"
assert prediction_sd(0.99, [1, -1]) > 7 * prediction_sd(0.0, [1, -1]), "off it they are 7x noisier"

# %% tags=["figure:linear-regression-collinearity"]
fig, (ax_cloud, ax_sd) = plt.subplots(1, 2, figsize=(8.5, 4))
for rho, color in ((0.0, "C0"), (0.99, "C3")):
    B = results[rho]["B"]
    ax_cloud.scatter(B[1, :800], B[2, :800], s=3, alpha=0.4, color=color, label=rf"$\rho$ = {rho}")
ax_cloud.plot([-2, 4], [4, -2], color="grey", linestyle="--", linewidth=0.8, label=r"$b_1 + b_2 = 2$")
ax_cloud.plot(1, 1, "k*", ms=10, label="true (1, 1)")
ax_cloud.set_xlim(-2, 4)
ax_cloud.set_ylim(-2, 4)
ax_cloud.set_aspect("equal")
ax_cloud.set_xlabel(r"$\hat\beta_1$")
ax_cloud.set_ylabel(r"$\hat\beta_2$")
ax_cloud.set_title("800 refits on new noise", fontsize=10)
legend = ax_cloud.legend(fontsize=8, loc="upper right")
for handle in legend.legend_handles[:2]:
    handle.set_sizes([20])
    handle.set_alpha(1)
grid = np.linspace(0, 0.995, 200)
ax_sd.plot(grid, sigma * np.sqrt(1 / (1 - grid**2) / n), color="grey", label=r"theory $\sigma\sqrt{\mathrm{VIF}/n}$")
ax_sd.plot(grid, sigma * np.sqrt(2 / (n * (1 + grid))), color="grey", linestyle="--",
           label=r"theory $\sigma\sqrt{2/(n(1+\rho))}$")
ax_sd.plot(rhos, [results[r]["sd"] for r in rhos], "o", color="C3", label=r"simulated sd of $\hat\beta_1$")
ax_sd.plot(rhos, [results[r]["sd_sum"] for r in rhos], "s", color="C0",
           label=r"simulated sd of $\hat\beta_1 + \hat\beta_2$")
ax_sd.set_yscale("log")
ax_sd.set_xlabel(r"correlation $\rho$ between the two features")
ax_sd.set_ylabel("standard deviation (log)")
ax_sd.set_title("Single slopes blow up; their sum does not", fontsize=10)
ax_sd.legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Residual diagnostics: three fits that look alike in their coefficients
# Residuals against fitted values for (a) a well-specified model, (b) noise whose standard deviation grows with $x$,
# and (c) a straight line fitted to a curve. A healthy plot is a shapeless band around zero; a funnel means
# heteroscedasticity, a U means a missing non-linear term.

# %%
rng = np.random.default_rng(0)
m = 100
x = rng.exponential(2.0, size=m)                        # skewed: a few high-leverage points at large x
cases = {
    "(a) well specified": 1 + 0.5 * x + rng.normal(size=m),
    "(b) sd grows with x": 1 + 0.5 * x + 0.5 * x * rng.normal(size=m),
    "(c) curved truth": 1 + 0.5 * x + 0.15 * x**2 + rng.normal(size=m),
}
fits = {name: ols(x, y) for name, y in cases.items()}

# %% tags=["figure:linear-regression-residuals"]
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharey=False)
for ax, (name, fit) in zip(axes, fits.items()):
    fitted = cases[name] - fit.residuals
    ax.scatter(fitted, fit.residuals, s=8, alpha=0.7)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("fitted value")
axes[0].set_ylabel("residual")
fig.tight_layout()
plt.show()

# %% [markdown]
# In (c) the residuals are positive at both ends and negative in the middle, so they correlate with the square of
# the fitted value. In (b) their absolute size grows with the fitted value. Both checks below are versions of the
# regressions behind formal tests (Ramsey's RESET, Breusch-Pagan).

# %%
def slope_t(u, v):
    """t statistic of the slope when u is regressed on v."""
    f = ols(v, u)
    return f.coef[1] / f.se[1]


fitted = {name: cases[name] - fit.residuals for name, fit in fits.items()}
t_curve = {name: slope_t(fit.residuals, fitted[name] ** 2) for name, fit in fits.items()}
t_spread = {name: slope_t(np.abs(fit.residuals), fitted[name]) for name, fit in fits.items()}
for name in fits:
    print(f"{name:>20}: t of residual on fitted^2 {t_curve[name]:+6.2f}; "
          f"t of |residual| on fitted {t_spread[name]:+6.2f}")
assert abs(t_curve["(a) well specified"]) < 2 and abs(t_spread["(a) well specified"]) < 2, "(a) shows neither"
assert t_curve["(c) curved truth"] > 3, "(c): residuals rise with fitted^2"
assert t_spread["(b) sd grows with x"] > 5, "(b): residual size rises with the fitted value"

# %% [markdown]
# ## Heteroscedasticity: unbiased slopes, wrong classical standard errors
# Case (b) again, with 4,000 noise draws on the same $x$. The true standard deviation of the slope follows from the
# sandwich $(A^\top A)^{-1}A^\top\Omega A(A^\top A)^{-1}$ with $\Omega = \mathrm{diag}(\sigma_i^2)$. The classical
# formula assumes a constant $\sigma^2$ and, because the noisiest points are also the high-leverage ones, comes out far
# too small; MacKinnon and White's HC3 estimate does not assume constant variance.

# %%
A = np.column_stack([np.ones(m), x])
sd_i = 0.5 * x
Y = (1 + 0.5 * x)[:, None] + sd_i[:, None] * rng.normal(size=(m, reps))
Q, R = np.linalg.qr(A)
B_op = np.linalg.solve(R, Q.T)                          # (A^T A)^{-1} A^T
slopes = (B_op @ Y)[1]
E = Y - A @ (B_op @ Y)
h = np.sum(Q**2, axis=1)
se_classical = np.sqrt(np.linalg.inv(A.T @ A)[1, 1] * np.sum(E**2, axis=0) / (m - 2))
se_hc3 = np.sqrt(np.sum(B_op[1][:, None] ** 2 * (E / (1 - h)[:, None]) ** 2, axis=0))
sd_true = np.sqrt((B_op[1] ** 2) @ sd_i**2)
t_crit = stats.t.ppf(0.975, m - 2)
cover_classical = np.mean(np.abs(slopes - 0.5) < t_crit * se_classical)
cover_hc3 = np.mean(np.abs(slopes - 0.5) < t_crit * se_hc3)
print(f"slope: mean {slopes.mean():.4f} (true 0.5), sd {slopes.std():.4f}, sandwich sd {sd_true:.4f}")
print(f"mean classical se {se_classical.mean():.4f}, mean HC3 se {se_hc3.mean():.4f}")
print(f"95% interval coverage: classical {cover_classical:.3f}, HC3 {cover_hc3:.3f}")

# %%
first = ols(x, Y[:, 0])
assert np.isclose(first.se[1], se_classical[0]) and np.isclose(ols(x, Y[:, 0], cov="HC3").se[1], se_hc3[0]), \
    "the vectorized standard errors are those of mlguide's ols"
assert abs(slopes.mean() - 0.5) < 4 * slopes.std() / np.sqrt(reps), "the slope is still unbiased"
assert abs(slopes.std() / sd_true - 1) < 0.05, "the sandwich gives the true sd"
assert se_classical.mean() < 0.5 * sd_true, "the classical se is under half the true sd"
assert cover_classical < 0.65, "so its nominal 95% intervals cover the truth under 65% of the time"
assert 0.92 < cover_hc3 < 0.96, "HC3 intervals cover 92-96%"
print("heteroscedasticity: all assertions hold")

# %% [markdown]
# ## Correlated errors: the same story, over time
# A time series of $n = 100$ steps where both the feature and the noise are AR(1) with coefficient 0.8. The classical
# formula treats the 100 residuals as independent; positively correlated errors carry less information than that.

# %%
phi, steps = 0.8, np.arange(n)
x_t = np.zeros(n)
shocks = rng.normal(size=n)
for t in range(1, n):
    x_t[t] = phi * x_t[t - 1] + shocks[t]
Omega = phi ** np.abs(steps[:, None] - steps[None, :]) / (1 - phi**2)    # stationary AR(1) covariance
A_t = np.column_stack([np.ones(n), x_t])
B_t = np.linalg.solve(A_t.T @ A_t, A_t.T)
sd_true_t = np.sqrt(B_t[1] @ Omega @ B_t[1])
Y_t = (1 + 0.5 * x_t)[:, None] + np.linalg.cholesky(Omega) @ rng.normal(size=(n, reps))
slopes_t = (B_t @ Y_t)[1]
E_t = Y_t - A_t @ (B_t @ Y_t)
se_t = np.sqrt(np.linalg.inv(A_t.T @ A_t)[1, 1] * np.sum(E_t**2, axis=0) / (n - 2))
print(f"slope sd: true {sd_true_t:.3f}, simulated {slopes_t.std():.3f}; mean classical se {se_t.mean():.3f}")
assert abs(slopes_t.std() / sd_true_t - 1) < 0.05, "the simulation matches the exact variance"
assert sd_true_t > 1.8 * se_t.mean(), "the true sd is over 1.8 times the classical se"

# %% [markdown]
# ## Why not invert $X^\top X$
# A degree-10 polynomial in $x \in [0, 1]$ (50 points, columns $1, x, \dots, x^{10}$) with all coefficients 1 and no
# noise. Forming $X^\top X$ squares the condition number, so the normal equations lose about twice as many digits as
# a QR solve of the same problem.

# %%
x_v = np.linspace(0, 1, 50)
V = np.vander(x_v, 11, increasing=True)
beta_v = np.ones(11)
y_v = V @ beta_v
cond_X, cond_XtX = np.linalg.cond(V), np.linalg.cond(V.T @ V)
err_qr = np.abs(ols(V, y_v, fit_intercept=False).coef - beta_v).max()
err_ne = np.abs(np.linalg.solve(V.T @ V, V.T @ y_v) - beta_v).max()
print(f"cond(X) = {cond_X:.1e}, cond(X^T X) = {cond_XtX:.1e}, cond(X)^2 = {cond_X**2:.1e}")
print(f"largest coefficient error: QR {err_qr:.1e}, normal equations {err_ne:.1e}")
assert abs(np.log10(cond_XtX) - 2 * np.log10(cond_X)) < 0.1, "cond(X^T X) = cond(X)^2"
assert 1.5e7 < cond_X < 2.5e7 and 3e14 < cond_XtX < 5e14, "cond(X) = 2e7, cond(X^T X) = 4e14"
assert err_qr < 1e-8 and err_ne > 1e-3, "QR's error is about 1e-9, the normal equations' about 1e-2"
