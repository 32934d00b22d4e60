# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: foundations/gradient-descent.md}
# ---

# %% [markdown]
# # Batch, mini-batch and stochastic gradient descent on an ill-conditioned least-squares problem
# We minimise a least-squares loss over two strongly correlated features with batch gradient descent, mini-batch and
# single-example SGD, and heavy-ball momentum, and compare every answer with the closed-form solution. Because the loss
# is an exact quadratic, the theory predicts the rate of each step size, the divergence above $2/L$ and where the
# stochastic methods stall, and asserts check every prediction.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mlguide.foundations.optimization import curvature, heavy_ball_tuning, least_squares_loss, least_squares_sgd

# %% [markdown]
# ## The problem: two features with correlation 0.9
# $n = 500$ examples, two standardized features (mean 0, variance 1) whose sample correlation is exactly 0.9, and
# $y = x_1 + 2x_2 + \varepsilon$ with standard normal noise. We minimise
# $F(w) = \frac{1}{2n}\lVert Xw - y\rVert^2$, whose Hessian $H = X^\top X/n$ is the correlation matrix
# $\begin{pmatrix}1 & 0.9\\ 0.9 & 1\end{pmatrix}$, with eigenvalues $L = 1.9$ along $(1, 1)$ and $\mu = 0.1$ along
# $(1, -1)$. The condition number is $\kappa = L/\mu = 19$: the loss is a long, narrow valley.

# %%
n, rho = 500, 0.9
rng = np.random.default_rng(0)
Z = rng.normal(size=(n, 2))
Z -= Z.mean(axis=0)
Z = np.linalg.qr(Z)[0] * np.sqrt(n)                     # centred columns with Z^T Z / n = I exactly
corr = np.array([[1.0, rho], [rho, 1.0]])
evals, evecs = np.linalg.eigh(corr)
X = Z @ evecs @ np.diag(np.sqrt(evals)) @ evecs.T       # now X^T X / n = corr exactly
y = X @ np.array([1.0, 2.0]) + rng.normal(size=n)

w_ols = np.linalg.lstsq(X, y, rcond=None)[0]            # the closed-form least-squares solution
F_min = least_squares_loss(X, y, w_ols)
L, mu = curvature(X)
kappa = L / mu
v_steep = np.array([1.0, 1.0]) / np.sqrt(2)             # eigenvector of L
v_flat = np.array([1.0, -1.0]) / np.sqrt(2)             # eigenvector of mu
w0 = w_ols + np.array([-3.0, 1.5])                      # the same start for every method


def gap(path):
    """Excess loss F(w) - F(w_ols) at every point of a path: exactly (w - w_ols)^T H (w - w_ols) / 2 here."""
    e = np.atleast_2d(path) - w_ols
    return 0.5 * np.einsum("ij,jk,ik->i", e, X.T @ X / n, e)


def distance(path):
    return np.linalg.norm(path - w_ols, axis=1)


print(f"L = {L:.4f}, mu = {mu:.4f}, kappa = {kappa:.2f}, stability limit 2/L = {2 / L:.4f}")
print(f"least squares: w = {np.round(w_ols, 4)}, F(w) = {F_min:.4f}; start w0 = {np.round(w0, 4)}")

# %%
assert np.isclose(L, 1.9) and np.isclose(mu, 0.1) and np.isclose(kappa, 19), "H has eigenvalues 1.9 and 0.1"
assert np.allclose(w_ols, np.linalg.solve(X.T @ X, X.T @ y)), "lstsq agrees with the normal equations"
assert np.allclose(X.T @ (X @ w_ols - y), 0, atol=1e-9), "the gradient vanishes at the OLS solution"
assert np.isclose(gap(w0)[0], least_squares_loss(X, y, w0) - F_min), "the excess loss is the quadratic form"

# %% [markdown]
# ## Batch gradient descent: the rate set by the step size
# On a quadratic the error $e_t = w_t - \hat w$ obeys $e_{t+1} = (I - \eta H)e_t$ exactly, so its component along
# each eigenvector is multiplied by $1 - \eta\lambda$ every step. With $\eta = 1/L$ the steep component is wiped out in
# one step and the flat one shrinks by $1 - \mu/L = 18/19$ per step. With $\eta = 2/(L+\mu) = 1$ the two factors are
# $-0.9$ and $+0.9$, so the whole error shrinks by exactly $(\kappa-1)/(\kappa+1) = 0.9$ per step, the best a constant
# step can do. Polyak's heavy ball, with $\eta = 4/(\sqrt L + \sqrt\mu)^2$ and
# $\beta = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$, shrinks it asymptotically by
# $(\sqrt\kappa-1)/(\sqrt\kappa+1) \approx 0.627$. We count the steps each needs to cut the distance to $\hat w$ by
# a factor of $10^6$.

# %%
gd_1_over_L = least_squares_sgd(X, y, lr=1 / L, epochs=400, w0=w0)
gd_best = least_squares_sgd(X, y, lr=2 / (L + mu), epochs=400, w0=w0)
gd_zigzag = least_squares_sgd(X, y, lr=1.8 / L, epochs=400, w0=w0)
hb_lr, hb_beta = heavy_ball_tuning(L, mu)
heavy_ball = least_squares_sgd(X, y, lr=hb_lr, momentum=hb_beta, epochs=400, w0=w0)


def steps_to(path, factor=1e-6):
    """First step at which the distance to w_ols is below factor times the starting distance."""
    below = distance(path) < factor * distance(path)[0]
    return int(np.argmax(below)) if below.any() else None


steps = {name: steps_to(path) for name, path in
         [("eta = 1/L", gd_1_over_L), ("eta = 1.8/L", gd_zigzag), ("eta = 2/(L + mu)", gd_best),
          ("heavy ball", heavy_ball)]}
print(f"heavy ball: eta = {hb_lr:.4f}, beta = {hb_beta:.4f}")
for name, k in steps.items():
    print(f"{name:>17}: {k} steps to cut the distance to w_ols by 10^6")
ratio_best = distance(gd_best)[1:60] / distance(gd_best)[:59]
flat_1_over_L = (gd_1_over_L[1:30] - w_ols) @ v_flat / ((gd_1_over_L[:29] - w_ols) @ v_flat)

# %%
assert np.allclose(ratio_best, 0.9), "at eta = 2/(L + mu) every step shrinks the error by exactly 0.9"
assert abs((gd_1_over_L[1] - w_ols) @ v_steep) < 1e-12, "at eta = 1/L the steep direction is solved in one step"
assert np.allclose(flat_1_over_L, 1 - mu / L), "... and the flat direction shrinks by 1 - mu/L = 18/19 per step"
assert steps["eta = 1/L"] > steps["eta = 1.8/L"] > steps["eta = 2/(L + mu)"], "larger steps are faster, up to 2/(L+mu)"
assert steps["eta = 2/(L + mu)"] == 132, "log(1e-6)/log(0.9) = 131.1, so 132 steps"
assert steps["eta = 1/L"] == 255 and steps["eta = 1.8/L"] == 139, "255 steps at 1/L, 139 at 1.8/L"
assert steps["heavy ball"] == 37, "37 steps with momentum"
assert steps["heavy ball"] < steps["eta = 2/(L + mu)"] / 3, "momentum needs under a third of the steps"
assert np.allclose(gd_1_over_L[-1], w_ols, atol=1e-8), "batch GD reaches the closed-form solution"
assert np.allclose(heavy_ball[-1], w_ols, atol=1e-12), "so does heavy ball"
print("batch rates: all assertions hold")

# %% [markdown]
# ## The stability limit 2/L, and how momentum moves it
# Any step above $2/L$ makes $|1 - \eta L| > 1$: the steep component grows every step, however well the rest
# behaves. With momentum $\beta$ the limit becomes $2(1+\beta)/L$. Below we run 100 steps for a sweep of step sizes and
# plot the final excess loss.

# %%
sweep = np.linspace(0.05, 1.45, 57) * (2 / L)
after_100 = {}
for beta in (0.0, hb_beta):
    after_100[beta] = np.array([gap(least_squares_sgd(X, y, lr=eta, momentum=beta, epochs=100, w0=w0))[-1]
                                for eta in sweep])

# %% tags=["figure:gradient-descent-step-size"]
fig, ax = plt.subplots(figsize=(8, 3.6))
floor = 1e-30                                           # rounding: w agrees with w_ols to ~1e-16
ax.semilogy(sweep * L / 2, np.maximum(after_100[0.0], floor), "o-", ms=3, label="batch GD")
ax.semilogy(sweep * L / 2, np.maximum(after_100[hb_beta], floor), "s-", ms=3,
            label=rf"heavy ball, $\beta$ = {hb_beta:.2f}")
ax.axvline(1, color="C0", linestyle=":")
ax.axvline(1 + hb_beta, color="C1", linestyle=":")
ax.axhline(gap(w0[None])[0], color="grey", linewidth=0.8)
ax.text(1.01, 1e-26, r" $2/L$", color="C0")
ax.text(1 + hb_beta + 0.01, 1e-26, r" $2(1+\beta)/L$", color="C1")
ax.set_xlabel(r"step size $\eta$, in units of $2/L$")
ax.set_ylabel(r"$F(w_{100}) - F(\hat w)$ (log; floor: rounding)")
ax.set_title("Excess loss after 100 steps: a cliff at the stability limit")
ax.set_ylim(1e-31, 1e12)
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
diverging = least_squares_sgd(X, y, lr=2.1 / L, epochs=100, w0=w0)
steep_factor = (diverging[1:] - w_ols) @ v_steep / ((diverging[:-1] - w_ols) @ v_steep)
limit_gd, limit_hb = 2 / L, 2 * (1 + hb_beta) / L
below_gd, above_gd = sweep < limit_gd * (1 - 1e-9), sweep > limit_gd * (1 + 1e-9)   # the sweep hits 2/L itself
below_hb, above_hb = sweep < limit_hb, sweep > limit_hb
assert np.allclose(steep_factor, 1 - 2.1), "above 2/L the steep component is multiplied by 1 - 2.1 = -1.1 per step"
assert gap(diverging)[-1] > 1e6 * gap(diverging)[0], "after 100 steps at 2.1/L the excess loss has grown a millionfold"
start_gap = gap(w0[None])[0]
assert np.all(after_100[0.0][below_gd] < start_gap), "every step below 2/L lowers the loss in 100 steps"
assert np.all(after_100[0.0][above_gd] > start_gap), "every step above 2/L raises it"
assert np.all(after_100[hb_beta][below_hb] < start_gap), "momentum converges up to 2(1 + beta)/L"
assert np.all(after_100[hb_beta][above_hb] > start_gap), "... and diverges beyond it"
assert limit_gd < limit_hb < sweep.max(), "the sweep brackets both limits"
print("stability limits: all assertions hold")

# %% [markdown]
# ## Mini-batch gradients: unbiased, with variance falling as 1/b
# A batch $B$ of $b$ rows drawn without replacement gives $g_B = \frac1b\sum_{i\in B}\nabla\ell_i(w)$. Its mean is the
# full gradient and its covariance is $\frac{n-b}{n-1}\cdot\frac{\Sigma}{b}$, where $\Sigma$ is the covariance of the
# single-example gradients: the variance falls as $1/b$ and vanishes at $b = n$. One epoch of reshuffled batches
# uses every row once, so at a fixed $w$ its batch gradients average exactly to the full gradient.

# %%
w_probe = w0
per_example = X * (X @ w_probe - y)[:, None]            # row i is the gradient of l_i(w) = (x_i w - y_i)^2 / 2
full = per_example.mean(axis=0)
Sigma = np.cov(per_example.T, bias=True)
rng_mc = np.random.default_rng(3)
variance_ratio, z_scores = {}, {}
for b in (1, 10, 100):
    rows = np.argpartition(rng_mc.random((10_000, n)), b - 1, axis=1)[:, :b]   # 10,000 batches without replacement
    draws = per_example[rows].mean(axis=1)
    predicted = (n - b) / (n - 1) * np.trace(Sigma) / b
    variance_ratio[b] = np.trace(np.cov(draws.T)) / predicted
    z_scores[b] = np.abs(draws.mean(axis=0) - full) / (draws.std(axis=0, ddof=1) / np.sqrt(len(draws)))
    print(f"b = {b:>3}: mean error {np.abs(draws.mean(axis=0) - full).max():.3f}, "
          f"total variance {np.trace(np.cov(draws.T)):.4f}, predicted {predicted:.4f}")
epoch_batches = np.array_split(rng_mc.permutation(n), 20)
epoch_mean = np.mean([per_example[rows].mean(axis=0) for rows in epoch_batches], axis=0)

# %%
assert all(np.all(z < 4) for z in z_scores.values()), "unbiased: Monte Carlo means within 4 standard errors"
assert all(abs(r - 1) < 0.05 for r in variance_ratio.values()), "variance (n - b) / (n - 1) * tr(Sigma) / b, within 5%"
assert np.allclose(epoch_mean, full), "20 equal batches of one epoch average to the full gradient"
full_as_batch = least_squares_sgd(X, y, lr=1 / L, batch_size=n, epochs=50, w0=w0, seed=7)
assert np.array_equal(full_as_batch, gd_1_over_L[:51]), "batch_size = n is batch gradient descent"
print("mini-batch gradients: all assertions hold")

# %% [markdown]
# ## Comparing the three on equal work
# An *epoch* is one pass over the data, $n$ example-gradients, whatever the batch size: batch GD makes 1 step per
# epoch, mini-batches of 25 make 20, SGD makes 500. Batch GD and the mini-batches use the same step $1/L$; single
# examples are too noisy for that and get $\eta = 0.02$, constant or decaying as $\eta_t = 20/(1000 + t)$.
#
# With a constant step the stochastic methods stop improving: near $\hat w$ the gradient noise is as large as the
# gradient. For small steps and independently sampled batches, the excess loss settles at about
# $\eta\,\sigma^2\,\mathrm{tr}(H)/(4b)$, where $\sigma^2$ is the noise variance. A decaying step keeps going.

# %%
epochs = 80
runs = {
    "batch GD, eta = 1/L": (least_squares_sgd(X, y, lr=1 / L, epochs=epochs, w0=w0), 1),
    "mini-batch b = 25, eta = 1/L": (least_squares_sgd(X, y, lr=1 / L, batch_size=25, epochs=epochs, w0=w0, seed=1),
                                     20),
    "SGD b = 1, eta = 0.02": (least_squares_sgd(X, y, lr=0.02, batch_size=1, epochs=epochs, w0=w0, seed=1), n),
    "SGD b = 1, eta = 20/(1000 + t)": (least_squares_sgd(X, y, lr=lambda t: 20 / (1000 + t), batch_size=1,
                                                          epochs=epochs, w0=w0, seed=1), n),
}
per_epoch = {name: gap(path[::k]) for name, (path, k) in runs.items()}
sigma2 = np.sum((y - X @ w_ols) ** 2) / n
floor_sgd = per_epoch["SGD b = 1, eta = 0.02"][10:].mean()               # epochs 10 to 80
floor_sgd_predicted = 0.02 * sigma2 * np.trace(corr) / 4
for name, g in per_epoch.items():
    print(f"{name:>31}: excess loss after 1, 5, 80 epochs: {g[1]:.2e}, {g[5]:.2e}, {g[-1]:.2e}")
print(f"SGD, constant step: mean excess loss over epochs 10-80 {floor_sgd:.4f}, predicted {floor_sgd_predicted:.4f}")

# %%
g_batch, g_mini = per_epoch["batch GD, eta = 1/L"], per_epoch["mini-batch b = 25, eta = 1/L"]
g_sgd, g_decay = per_epoch["SGD b = 1, eta = 0.02"], per_epoch["SGD b = 1, eta = 20/(1000 + t)"]
assert g_mini[1] < g_batch[1] / 5 and g_sgd[1] < g_batch[1] / 5, "after one epoch both stochastic methods lead by 5x"
assert g_batch[-1] < min(g_mini[10:].mean(), g_sgd[10:].mean()) / 50, "after 80 epochs batch GD is 50x below both"
def halves(g):
    """Mean excess loss over epochs 10-44 and over epochs 45-80."""
    return g[10:45].mean(), g[45:].mean()


for g in (g_mini, g_sgd):
    assert halves(g)[1] > 0.5 * halves(g)[0] > 5e-3, "constant steps stall: the second half is no better on average"
for g in (g_batch, g_decay):
    assert halves(g)[1] < halves(g)[0] / 10, "batch GD and the decaying step keep improving"
passes = [int(np.argmax(g_batch < g[10:].mean())) for g in (g_sgd, g_mini)]
print(f"batch GD drops below the SGD floor at epoch {passes[0]}, below the mini-batch floor at epoch {passes[1]}; "
      f"the decaying step ends {floor_sgd / g_decay[-1]:.0f} times below the SGD floor")
floor_mini = g_mini[10:].mean()
floor_mini_small_eta = (1 / L) * sigma2 * np.trace(corr) / (4 * 25)     # the small-step formula, eta L = 1 here
print(f"mini-batch floor {floor_mini:.4f}; the small-step formula gives {floor_mini_small_eta:.4f}")
assert floor_mini > 2 * floor_mini_small_eta, "at eta L = 1 the mini-batch floor is over twice the small-step formula"
assert floor_sgd > 100 * g_batch[-1], "after 80 epochs constant-step SGD trails batch GD over 100-fold"
assert g_decay[-1] < g_batch[-1], "the reshuffled 1/t-step SGD is still ahead of batch GD at epoch 80"
assert passes == [35, 28], "batch GD passes the SGD floor at epoch 35 and the mini-batch floor at epoch 28"
assert 0.75 < floor_sgd / floor_sgd_predicted < 1.25, "the SGD floor is eta sigma^2 tr(H) / 4, within 25%"
assert g_decay[-1] < floor_sgd / 500, "the decaying step ends over 500x below the constant step's average floor"

# how long the reshuffled 1/t-step SGD stays ahead: run both to 160 epochs
g_batch_long = gap(least_squares_sgd(X, y, lr=1 / L, epochs=160, w0=w0))
g_decay_long = gap(least_squares_sgd(X, y, lr=lambda t: 20 / (1000 + t), batch_size=1, epochs=160, w0=w0,
                                     seed=1)[::n])
behind = g_batch_long >= g_decay_long
overtake = int(np.max(np.nonzero(behind)[0])) + 1                        # batch GD is below from here on
first_below = int(np.argmax(~behind[81:])) + 81                           # first epoch after 80 with batch GD ahead
print(f"batch GD first drops below the 1/t-step SGD at epoch {first_below} and stays below from epoch {overtake}")
assert np.allclose(g_decay_long[:81], g_decay), "the long run repeats the first 80 epochs"
assert first_below == 101 and overtake == 156, "batch GD first overtakes at epoch 101, for good from epoch 156"
print("equal work: all assertions hold")

# %% [markdown]
# ## When every example agrees, constant-step SGD converges
# If the model fits every example exactly (interpolation: here, $y$ without noise), the gradient noise vanishes at the
# solution and constant-step SGD converges geometrically, like batch GD.

# %%
y_exact = X @ np.array([1.0, 2.0])
exact_path = least_squares_sgd(X, y_exact, lr=0.02, batch_size=1, epochs=30, w0=w0, seed=1)
print(f"distance to the solution after 30 epochs: {np.linalg.norm(exact_path[-1] - [1.0, 2.0]):.1e}")
assert np.linalg.norm(exact_path[-1] - [1.0, 2.0]) < 1e-10, "no noise at the optimum: constant-step SGD converges"

# %% [markdown]
# ## The paths
# Top left, the batch methods for 25 steps on the contours of $F$; top right, the stochastic ones for their first
# epochs; below, every method's excess loss against epochs.

# %% tags=["figure:gradient-descent-paths"]
fig, axes = plt.subplot_mosaic("AB;CC", figsize=(8, 7.2), height_ratios=[1, 0.9])
g1, g2 = np.meshgrid(np.linspace(-2.6, 3.4, 200), np.linspace(-0.2, 5.8, 200))
contour_levels = gap(np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
panels = {
    "A": ("Batch (full-gradient) methods, 25 steps",
          [(r"GD, $\eta$ = 1/L", gd_1_over_L[:26], "C0", "o-"), (r"GD, $\eta$ = 1.8/L", gd_zigzag[:26], "C4", ".-"),
           ("heavy ball (Polyak)", heavy_ball[:26], "C1", "s-")]),
    "B": ("Stochastic methods, first epochs",
          [(r"SGD, b = 1, $\eta$ = 0.02 (2 epochs)", runs["SGD b = 1, eta = 0.02"][0][:1001], "C2", "-"),
           (r"mini-batch, b = 25, $\eta$ = 1/L (3 epochs)", runs["mini-batch b = 25, eta = 1/L"][0][:61], "C3", ".-")]),
}
for key, (title, shown) in panels.items():
    ax = axes[key]
    ax.contour(g1, g2, contour_levels, levels=np.geomspace(0.01, 8, 10), colors="grey", linewidths=0.6)
    for label, path, color, style in shown:
        ax.plot(path[:, 0], path[:, 1], style, color=color, ms=3, lw=1, label=label)
    ax.plot(*w0, "k^", ms=7, label="start")
    ax.plot(*w_ols, "k*", ms=11, label="least squares")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
ax_loss = axes["C"]
labels = [r"batch GD, $\eta$ = 1/L", r"mini-batch b = 25, $\eta$ = 1/L", r"SGD b = 1, $\eta$ = 0.02",
          r"SGD b = 1, $\eta_t$ = 20/(1000 + t)"]
for (name, g), label, style in zip(per_epoch.items(), labels, ["o-", "-", "-", "-"]):
    ax_loss.semilogy(np.arange(len(g)), g, style, ms=2, lw=1.2, label=label)
ax_loss.semilogy(np.arange(40), gap(diverging[:40]), "x--", color="C4", ms=4, label=r"batch GD, $\eta$ = 2.1/L")
ax_loss.set_ylim(1e-8, 1e3)
ax_loss.set_xlabel("epochs (passes over the 500 examples)")
ax_loss.set_ylabel(r"$F(w) - F(\hat w)$ (log)")
ax_loss.set_title("Excess loss against epochs: equal work on the horizontal axis", fontsize=10)
ax_loss.legend(fontsize=7, loc="lower left", ncol=2)
fig.tight_layout()
plt.show()
