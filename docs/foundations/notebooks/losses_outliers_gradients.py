# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: foundations/loss-functions.md}
# ---

# %% [markdown]
# # Loss functions: what they estimate, how they pull, and how their gradients behave
# We fit one straight line three times, with squared, absolute and Huber loss, to data where a few readings are
# badly wrong, and check the best constant each loss picks on the page's five numbers. Then we verify the
# softmax cross-entropy gradient $p - q$ ($q$ the one-hot target) against finite differences and scikit-learn,
# show why squared error is a poor loss for logistic regression, and compare the margin-based surrogates of the
# 0-1 loss.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize, special
from sklearn.linear_model import HuberRegressor, LinearRegression, QuantileRegressor
from sklearn.metrics import log_loss

from mlguide.foundations.losses import log_softmax, softmax_cross_entropy

START = time.perf_counter()

# %% [markdown]
# ## The best constant under each loss
# The page's worked example: for $y = (1, 2, 3, 4, 20)$, the constant $c$ that minimises the summed loss is the mean
# (6) under squared error, the median (3) under absolute error, and 3.75 under Huber loss with $\delta = 5$, where
# the outlier's residual exceeds $\delta$ and pulls with the constant force 5, so $(1+2+3+4-4c) + 5 = 0$.

# %%
y5 = np.array([1.0, 2.0, 3.0, 4.0, 20.0])


def huber(r, delta):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))


best = {
    "squared": optimize.minimize_scalar(lambda c: np.sum((y5 - c) ** 2), bounds=(0, 20), method="bounded").x,
    "absolute": optimize.minimize_scalar(lambda c: np.sum(np.abs(y5 - c)), bounds=(0, 20), method="bounded").x,
    "Huber, delta=5": optimize.minimize_scalar(lambda c: np.sum(huber(y5 - c, 5.0)), bounds=(0, 20), method="bounded").x,
}
print({k: round(v, 4) for k, v in best.items()})
assert abs(best["squared"] - 6.0) < 1e-4 and abs(best["absolute"] - 3.0) < 1e-4 and abs(best["Huber, delta=5"] - 3.75) < 1e-4

# %% [markdown]
# ## One line, three losses, eight bad readings
# Sixty points follow $y = 1 + 0.5x + \varepsilon$, $\varepsilon \sim N(0, 0.5^2)$, for $x$ uniform on $[0, 10]$;
# then the eight with the largest $x$ read 8 units too low, like a sensor that fails at the top of its range. We fit
# least squares (`LinearRegression`), least absolute deviations (`QuantileRegressor` at the median, unpenalised) and
# Huber regression (`HuberRegressor` with its default $\varepsilon = 1.35$, which also estimates the noise scale, so
# its threshold is $1.35\hat\sigma$ in the units of $y$).

# %%
rng = np.random.default_rng(0)
n = 60
x = rng.uniform(0, 10, n)
y = 1 + 0.5 * x + rng.normal(0, 0.5, n)
bad = np.argsort(x)[-8:]
y[bad] -= 8.0
X = x[:, None]
fits = {
    "squared (OLS)": LinearRegression().fit(X, y),
    "absolute (LAD)": QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(X, y),
    "Huber": HuberRegressor(epsilon=1.35, alpha=0.0).fit(X, y),
}
slopes = {k: float(m.coef_[0]) for k, m in fits.items()}
for k, m in fits.items():
    print(f"{k:15s} intercept {m.intercept_:6.3f}  slope {m.coef_[0]:6.3f}   (truth 1.000, 0.500)")

# %% tags=["figure:loss-functions-outliers"]
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1, 1.3]})
r = np.linspace(-3, 3, 301)
ax0.plot(r, 0.5 * r**2, label="squared, $r^2/2$")
ax0.plot(r, np.abs(r), label="absolute, $|r|$")
ax0.plot(r, huber(r, 1.0), label="Huber, $\\delta=1$", ls="--", color="black")
ax0.set_ylim(0, 4)
ax0.set_xlabel("residual $r = y - f(x)$")
ax0.set_ylabel("loss")
ax0.set_title("Loss against residual")
ax0.legend(fontsize=8)
good = np.setdiff1d(np.arange(n), bad)
ax1.scatter(x[good], y[good], s=12, color="0.4", label="data")
ax1.scatter(x[bad], y[bad], s=20, color="tab:red", marker="x", label="bad readings")
grid = np.linspace(0, 10, 2)
ax1.plot(grid, 1 + 0.5 * grid, color="0.7", lw=3, label="true line")
for (k, m), style in zip(fits.items(), ["-", "-", "--"]):
    ax1.plot(grid, m.predict(grid[:, None]), ls=style, label=f"{k}: slope {slopes[k]:.2f}")
ax1.set_xlabel("x")
ax1.set_ylabel("y")
ax1.set_title("Fits with 8 of 60 readings 8 units low")
ax1.legend(fontsize=7, loc="lower left")
fig.tight_layout()
plt.show()

# %%
assert abs(slopes["squared (OLS)"]) < 0.05, "least squares is dragged flat"
assert abs(slopes["absolute (LAD)"] - 0.5) < 0.07 and abs(slopes["Huber"] - 0.5) < 0.07

# %% [markdown]
# ## Robust to bad *targets*, not to bad *inputs*
# Absolute and Huber loss cap how hard one residual can pull, but a point far out in $x$ has leverage: tilting the
# line to reach it changes every other residual only a little. Three points at $x = 60$ with $y = -10$, 3 of 63
# rows, turn the slope negative under all three losses.

# %%
xc = x.copy()
yc = 1 + 0.5 * xc + np.random.default_rng(1).normal(0, 0.5, n)
X_lev = np.concatenate([xc, np.full(3, 60.0)])[:, None]
y_lev = np.concatenate([yc, np.full(3, -10.0)])
lev = {
    "squared": LinearRegression().fit(X_lev, y_lev).coef_[0],
    "absolute": QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(X_lev, y_lev).coef_[0],
    "Huber": HuberRegressor(epsilon=1.35, alpha=0.0, max_iter=1000).fit(X_lev, y_lev).coef_[0],
}
print({k: round(float(v), 3) for k, v in lev.items()})
assert all(v < 0 for v in lev.values())

# %% [markdown]
# ## Softmax cross-entropy: value and gradient checked
# `softmax_cross_entropy` returns the mean loss and its gradient $(p - q)/n$ with respect to the logits, $q$ the
# one-hot targets. We compare
# the loss with scikit-learn's `log_loss` on the softmax probabilities, the gradient with central finite differences,
# and redo the page's worked example, logits $(2, 1, 0)$ with true class 0.

# %%
loss_ex, grad_ex = softmax_cross_entropy(np.array([[2.0, 1.0, 0.0]]), np.array([0]))
print(f"worked example: loss {loss_ex:.4f}, p {np.exp(log_softmax([[2.0, 1.0, 0.0]]))[0].round(3)}, grad {grad_ex[0].round(3)}")
assert abs(loss_ex - 0.4076) < 1e-4 and np.allclose(grad_ex, [[-0.335, 0.245, 0.090]], atol=5e-4)

rng = np.random.default_rng(2)
Z = rng.normal(scale=2.0, size=(8, 4))
labels = rng.integers(0, 4, size=8)
loss, grad = softmax_cross_entropy(Z, labels)
h = 1e-6
numeric = np.zeros_like(Z)
for i in range(Z.shape[0]):
    for j in range(Z.shape[1]):
        E = np.zeros_like(Z)
        E[i, j] = h
        numeric[i, j] = (softmax_cross_entropy(Z + E, labels)[0] - softmax_cross_entropy(Z - E, labels)[0]) / (2 * h)
sk = log_loss(labels, special.softmax(Z, axis=1), labels=np.arange(4))
print(f"loss {loss:.10f}, scikit-learn {sk:.10f}; largest gradient error {np.max(np.abs(grad - numeric)):.1e}")
assert abs(loss - sk) < 1e-12 and np.max(np.abs(grad - numeric)) < 1e-8

# %% [markdown]
# The naive formula overflows: $e^{1000}$ is infinite in double precision, and $\infty/\infty$ is NaN. Subtracting
# each row's maximum first changes nothing mathematically and keeps every exponent at or below 0.

# %%
big = np.array([[1000.0, 990.0, 0.0]])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum()
stable_loss, _ = softmax_cross_entropy(big, np.array([1]))
print("naive softmax:", naive, "  stable loss:", stable_loss)
assert np.isnan(naive[0, :2]).all() and abs(stable_loss - (10 + np.log1p(np.exp(-10)))) < 1e-12

# %% [markdown]
# ## Why logistic regression is not fit by squared error
# Take one weight $w$ and logit $z = wx$. For a positive example that the model gets confidently wrong, $z = -10$,
# cross-entropy's gradient with respect to $z$ is $\sigma(z) - 1 \approx -1$, while squared error on the probability,
# $(\sigma(z) - 1)^2$, has gradient $2(\sigma(z) - 1)\sigma(z)(1 - \sigma(z)) \approx -9 \times 10^{-5}$: the
# sigmoid's flat tail multiplies the error away.

# %%
s = special.expit(-10.0)
g_ce, g_sq = s - 1, 2 * (s - 1) * s * (1 - s)
print(f"gradient at z = -10: cross-entropy {g_ce:.5f}, squared error {g_sq:.2e}")
assert abs(g_ce + 1) < 1e-4 and abs(g_sq) < 1e-4

# %% [markdown]
# Over a whole data set the squared-error objective is not convex in $w$. We draw 200 points from a logistic model
# with true weight 2 and trace both average losses over $w$: log loss has a non-negative second derivative
# everywhere, the squared error has a concave stretch and a plateau for large negative $w$. Started at $w = -6$,
# gradient descent with step size 1 needs 10 steps on log loss to reach a positive weight and 136 on squared error;
# after 50 steps the squared-error fit is still near $w = -5$. The gap comes from the plateau: at $w = -6$ the
# squared error's gradient is about 1/43 of the log loss's, at $w = 0$ exactly half (there every $p = 1/2$, so
# $2p(1 - p) = 1/2$), and 108 of the 136 steps are spent below $w = -3$.

# %%
rng = np.random.default_rng(3)
x1 = rng.normal(size=200)
y1 = (rng.uniform(size=200) < special.expit(2.0 * x1)).astype(float)
w_grid = np.linspace(-10, 10, 2001)
Zw = np.outer(w_grid, x1)                                          # logits, one row per w
P = special.expit(Zw)
ce_curve = np.mean(np.logaddexp(0, np.where(y1 == 1, -Zw, Zw)), axis=1)   # log loss, computed stably
sq_curve = np.mean((P - y1) ** 2, axis=1)
d2 = lambda c: np.diff(c, 2) / (w_grid[1] - w_grid[0]) ** 2
print(f"min second derivative: log loss {d2(ce_curve).min():.4f}, squared error {d2(sq_curve).min():.4f}")
assert d2(ce_curve).min() > 0 and d2(sq_curve).min() < -0.05


def grad_ce(w):
    return np.mean((special.expit(w * x1) - y1) * x1)


def grad_sq(w):
    p = special.expit(w * x1)
    return np.mean(2 * (p - y1) * p * (1 - p) * x1)


def steps_to_positive(grad_fn, w=-6.0, lr=1.0):
    path = [w]
    while w <= 0:
        w = w - lr * grad_fn(w)
        path.append(w)
    return len(path) - 1, np.array(path[:-1])     # steps taken, and the weight at the start of each


def after(grad_fn, steps, w=-6.0, lr=1.0):
    for _ in range(steps):
        w -= lr * grad_fn(w)
    return w


(k_ce, _), (k_sq, path_sq) = steps_to_positive(grad_ce), steps_to_positive(grad_sq)
w_mle = optimize.brentq(grad_ce, -10, 10)
ratio = {w: grad_sq(w) / grad_ce(w) for w in (-6.0, 0.0)}
print(f"steps to a positive weight: log loss {k_ce}, squared error {k_sq}"
      f" ({np.sum(path_sq < -3)} of them below w = -3)")
print(f"after 50 steps: log loss w = {after(grad_ce, 50):.3f} (MLE {w_mle:.3f}), squared error w = {after(grad_sq, 50):.3f}")
print(f"squared-error gradient / log-loss gradient: 1/{1 / ratio[-6.0]:.1f} at w = -6, {ratio[0.0]:.3f} at w = 0")
assert (k_ce, k_sq) == (10, 136) and after(grad_sq, 50) < -4.9
assert np.sum(path_sq < -3) == 108 and 42 < 1 / ratio[-6.0] < 44 and abs(ratio[0.0] - 0.5) < 1e-12
assert abs(after(grad_ce, 200) - w_mle) < 1e-3

# %% [markdown]
# ## Surrogates for the 0-1 loss, and which ones are proper
# With labels $y \in \{-1, +1\}$ and score $f$, the margin is $m = yf$. The 0-1 loss $\mathbb 1[m \le 0]$ has zero
# gradient almost everywhere, so training uses convex upper bounds. The logistic loss is divided by $\ln 2$ so that
# it passes through $(0, 1)$. The squared loss $(1 - m)^2$ also penalises being *too* right.

# %% tags=["figure:loss-functions-surrogates"]
m = np.linspace(-2, 3, 501)
surrogates = {
    "0-1": (m <= 0).astype(float),
    "hinge": np.maximum(0, 1 - m),
    "logistic / ln 2": np.logaddexp(0, -m) / np.log(2),
    "exponential": np.exp(-m),
    "squared": (1 - m) ** 2,
}
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.6))
for k, v in surrogates.items():
    ax0.plot(m, v, label=k, lw=2.2 if k == "0-1" else 1.5, color="black" if k == "0-1" else None)
ax0.set_ylim(0, 4)
ax0.set_xlabel("margin $m = y f(x)$")
ax0.set_ylabel("loss")
ax0.set_title("Convex surrogates of the 0-1 loss")
ax0.legend(fontsize=8)

p_true = 0.7
q = np.linspace(0.001, 0.999, 999)
exp_log = -(p_true * np.log(q) + (1 - p_true) * np.log(1 - q))
exp_brier = p_true * (1 - q) ** 2 + (1 - p_true) * q**2
f_grid = np.linspace(-3, 3, 601)
exp_hinge = p_true * np.maximum(0, 1 - f_grid) + (1 - p_true) * np.maximum(0, 1 + f_grid)
ax1.plot(q, exp_log - exp_log.min(), label="log loss")
ax1.plot(q, 4 * (exp_brier - exp_brier.min()), label="Brier (×4)")
ax1.axvline(p_true, color="0.6", ls=":")
ax1.set_xlabel("predicted probability $q$ of class +1")
ax1.set_ylabel("expected loss minus its minimum")
ax1.set_title("True probability 0.7: proper losses pick q = 0.7")
ax1.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
upper = [k for k in surrogates if k not in ("0-1",)]
assert all(np.all(surrogates[k] >= surrogates["0-1"] - 1e-12) for k in upper), "each surrogate bounds the 0-1 loss"
assert abs(q[np.argmin(exp_log)] - 0.7) < 1e-3 and abs(q[np.argmin(exp_brier)] - 0.7) < 1e-3
# hinge: for any p > 1/2 the expected loss is minimised at f = 1, so the score does not reveal p
for p in (0.6, 0.7, 0.9):
    eh = p * np.maximum(0, 1 - f_grid) + (1 - p) * np.maximum(0, 1 + f_grid)
    assert abs(f_grid[np.argmin(eh)] - 1.0) < 1e-9
# logistic loss: the best score is the log-odds, log(0.7 / 0.3) = 0.847
exp_logistic = p_true * np.logaddexp(0, -f_grid) + (1 - p_true) * np.logaddexp(0, f_grid)
print(f"best logistic score {f_grid[np.argmin(exp_logistic)]:.2f}, log-odds {np.log(0.7 / 0.3):.3f}")
assert abs(f_grid[np.argmin(exp_logistic)] - np.log(0.7 / 0.3)) < 0.01

# %% [markdown]
# ## Focal loss is not proper
# Focal loss, $-\alpha_y(1 - p_y)^\gamma \log p_y$, down-weights examples the model already gets right. With
# $\gamma = 2$ and a true probability of 0.7, its expected value is smallest at $q = 0.58$, not 0.7: it pulls
# predictions toward ½. The usual $\alpha$ weights, 0.25 for positives and 0.75 for negatives, pull further, to 0.48.

# %%
def expected_focal(q, p, gamma=2.0, alpha=0.5):
    # alpha = 0.5 weighs both classes alike; the factor 2 then leaves the unweighted loss
    pos = -(1 - q) ** gamma * np.log(q)
    neg = -(q**gamma) * np.log(1 - q)
    return 2 * (alpha * p * pos + (1 - alpha) * (1 - p) * neg)


q_fine = np.linspace(0.0005, 0.9995, 19991)
focal_best = q_fine[np.argmin(expected_focal(q_fine, p_true))]
focal_alpha_best = q_fine[np.argmin(expected_focal(q_fine, p_true, alpha=0.25))]
print(f"true p = 0.7: focal loss minimised at q = {focal_best:.3f}, with alpha = 0.25 at q = {focal_alpha_best:.3f}")
assert abs(focal_best - 0.58) < 0.005 and abs(focal_alpha_best - 0.48) < 0.005
assert abs(q_fine[np.argmin(expected_focal(q_fine, p_true, gamma=0.0))] - 0.7) < 1e-3, "gamma = 0 is log loss: proper"
print(f"run time: {time.perf_counter() - START:.1f} s")
