# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/regularization.md}
# ---

# %% [markdown]
# # Lasso and ridge coefficient paths
# We fit lasso and ridge regressions to scikit-learn's diabetes data over a wide range of penalty strengths and watch
# what happens to each of the ten coefficients: the lasso path is piecewise linear but not monotone. Then we check the
# textbook formulas behind the pictures (soft thresholding, the ridge closed form and the naive elastic net) against
# scikit-learn, see how each penalty treats two nearly identical features, and compare ways of choosing the penalty.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet, Lasso, LassoCV, LassoLarsIC, Ridge, lars_path, lasso_path
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from mlguide.generalization.regularization import ridge_closed_form, soft_threshold

# %% [markdown]
# ## The data, standardized
# 442 patients, ten baseline measurements (age, sex, body-mass index, blood pressure and six blood serum values), and
# a disease-progression score one year later as the target. We load the raw units and standardize each feature to mean
# 0 and standard deviation 1, because a penalty on coefficient size only makes sense when the features share a scale.
# (For drawing paths that is harmless; when the penalty is *tuned*, in the last section, the scaler is fitted inside
# each training fold.)

# %%
data = load_diabetes(scaled=False)
X = StandardScaler().fit_transform(data.data)
y = data.target
names = data.feature_names
n, p = X.shape
print(f"n = {n} patients, p = {p} features; target mean {y.mean():.1f}, sd {y.std():.1f}")

# %% [markdown]
# ## Paths over the penalty strength
# scikit-learn's `Lasso(alpha)` minimises $\frac{1}{2n}\lVert y - X\beta\rVert^2 + \alpha\lVert\beta\rVert_1$ and
# `Ridge(alpha)` minimises $\lVert y - X\beta\rVert^2 + \alpha\lVert\beta\rVert_2^2$ (a sum, not a mean), so their
# `alpha` values are on different scales; each panel uses its own axis. The ridge path is computed with our
# `ridge_closed_form`, the lasso path with scikit-learn's coordinate descent.
#
# For the lasso there is a smallest penalty that zeroes *every* coefficient:
# $\alpha_{\max} = \max_j |x_j^\top (y - \bar y)| / n$. Above it the model predicts the mean of $y$.

# %%
alpha_max = np.max(np.abs(X.T @ (y - y.mean()))) / n
lasso_alphas = np.logspace(-2, np.log10(2 * alpha_max), 60)
lasso_coefs = np.array([Lasso(alpha=a, max_iter=100_000, tol=1e-10).fit(X, y).coef_ for a in lasso_alphas])
ridge_lams = np.logspace(-1, 5, 60)
ridge_coefs = np.array([ridge_closed_form(X, y, lam)[0] for lam in ridge_lams])

lasso_zeros = (lasso_coefs == 0).sum(axis=1)
ridge_zeros = (ridge_coefs == 0).sum(axis=1)
print(f"alpha_max = {alpha_max:.2f}")
print("exact zeros along the lasso path:", lasso_zeros.tolist())
print("exact zeros along the ridge path:", ridge_zeros.tolist())
print(f"smallest |ridge coefficient| anywhere on the path: {np.abs(ridge_coefs).min():.4f}")

# %% tags=["figure:regularization-lasso-ridge-paths"]
fig, axes = plt.subplots(1, 2, figsize=(8, 4.2), sharey=True)
for j, name in enumerate(names):
    axes[0].plot(lasso_alphas, lasso_coefs[:, j], color=f"C{j}", label=name)
    axes[1].plot(ridge_lams, ridge_coefs[:, j], color=f"C{j}", label=name)
axes[0].axvline(alpha_max, color="black", linestyle=":", linewidth=1)
axes[0].text(alpha_max, 0.97, r" $\alpha_{\max}$", transform=axes[0].get_xaxis_transform(), va="top")
axes[0].set_title("Lasso (L1): coefficients hit exactly 0")
axes[0].set_xlabel("penalty alpha (sklearn Lasso scale, log)")
axes[0].set_ylabel("coefficient (progression units per sd of feature)")
axes[1].set_title("Ridge (L2): the coefficient vector shrinks")
axes[1].set_xlabel("penalty lambda (sklearn Ridge scale, log)")
for ax in axes:
    ax.set_xscale("log")
    ax.axhline(0, color="grey", linewidth=0.8)
axes[1].legend(fontsize=7, ncol=2, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the left panel from right to left. Below $\alpha_{\max}$ features become nonzero, and at any fixed `alpha` some
# coefficients are exactly zero. But the lasso paths are **not monotone**: a coefficient can grow or shrink, and it
# can hit zero, leave the model and come back, possibly with the opposite sign (on the lasso path a sign change always
# passes through an exact zero). Look at `s3` (the zero counts printed above go up and down for the same reason); the
# next section follows it exactly. On the right every ridge coefficient moves smoothly, and the length of the whole
# coefficient vector falls steadily as the penalty grows. Single coefficients need not follow: because the features are
# correlated, some grow or change sign on the way (`s3` flips and doubles in size, `age` flips, `s6` grows), though at
# no penalty on the grid is a ridge coefficient exactly zero.

# %%
assert np.all(lasso_coefs[lasso_alphas >= alpha_max] == 0), "above alpha_max the lasso zeroes every coefficient"
assert np.count_nonzero(Lasso(alpha=0.99 * alpha_max, tol=1e-12).fit(X, y).coef_) == 1, "just below alpha_max one feature enters"
assert lasso_zeros[0] == 0, "with a tiny penalty the lasso keeps all ten features"
assert ridge_zeros.sum() == 0, "ridge never produces an exact zero"
assert np.abs(ridge_coefs[-1]).max() < 0.05 * np.abs(ridge_coefs[0]).max(), "a huge ridge penalty shrinks hard"
ridge_norms = np.linalg.norm(ridge_coefs, axis=1)
assert np.all(np.diff(ridge_norms) < 0), "the norm of the ridge coefficient vector falls monotonically"
r_s3, r_age, r_s6 = (ridge_coefs[:, names.index(f)] for f in ("s3", "age", "s6"))
assert r_s3[0] > 0 and r_s3.min() < -2 * r_s3[0], "ridge: s3 flips sign and doubles in size on the way"
assert r_age[0] < 0 and r_age.max() > 3 * abs(r_age[0]), "ridge: age flips sign and grows"
assert r_s6.max() > 1.5 * r_s6[0] > 0, "ridge: s6 grows by half before it shrinks"
print(f"ridge: s3 {r_s3[0]:+.2f} -> {r_s3.min():+.2f}, age {r_age[0]:+.2f} -> {r_age.max():+.2f}, "
      f"s6 {r_s6[0]:+.2f} -> {r_s6.max():+.2f}")
on_grid_s3 = lasso_coefs[:, names.index("s3")]
assert on_grid_s3[0] > 0, "in the figure s3 is positive at the left edge, alpha = 0.01"
in_gap = (lasso_alphas > 0.062) & (lasso_alphas < 0.104)
assert in_gap.any() and np.all(on_grid_s3[in_gap] == 0), "... exactly zero near alpha = 0.1 ..."
assert np.all(on_grid_s3[(lasso_alphas > 0.11) & (lasso_alphas < 15)] < 0), "... negative in between ..."
assert np.all(on_grid_s3[lasso_alphas > 15.1] == 0), "... and zero above alpha ~ 15"
print("paths: all assertions hold")

# %% [markdown]
# ## The exact lasso path: piecewise linear, not monotone
# The LARS algorithm with the lasso modification (`lars_path(method="lasso")`) computes the whole path exactly. It
# returns the *knots*: the penalties at which a variable enters the active set or, when its coefficient reaches zero,
# leaves it. Between two knots every coefficient is a linear function of `alpha` (the curves in the figure bend only
# because its axis is logarithmic). We check that linearity with coordinate descent at the midpoint of every segment,
# and then follow `s3` along the path.

# %%
yc = y - y.mean()                                   # X is already centred; LARS fits no intercept
knots, _, knot_coefs = lars_path(X, yc, method="lasso")
midpoint_gap = max(
    np.abs(Lasso(alpha=(a + b) / 2, tol=1e-12, max_iter=1_000_000).fit(X, y).coef_ - (c0 + c1) / 2).max()
    for a, b, c0, c1 in zip(knots[:-1], knots[1:], knot_coefs.T[:-1], knot_coefs.T[1:])
)
s3 = names.index("s3")
print(f"{len(knots)} knots from alpha_max = {knots[0]:.2f} down to alpha = 0, so {len(knots) - 1} linear pieces")
print(f"largest gap between coordinate descent and the straight line at a segment's midpoint: {midpoint_gap:.1e}")
for a, c in zip(knots, knot_coefs[s3]):
    print(f"  alpha = {a:7.4f}: s3 coefficient {c:+7.2f}")

# %%
assert len(knots) == 13, "13 knots from alpha_max to 0: twelve linear pieces"
assert np.isclose(knots[0], alpha_max), "the first knot is alpha_max"
assert np.allclose(knot_coefs[:, -1], np.linalg.lstsq(X, yc, rcond=None)[0]), "the path ends at least squares"
assert midpoint_gap < 1e-6, "between knots the lasso path is linear in alpha"
zero_at = np.flatnonzero(knot_coefs[s3] == 0)     # knots at which s3's coefficient is exactly 0
assert zero_at.tolist() == [0, 1, 2, 3, 10, 11], "s3 is zero at the first four knots and again at knots 10 and 11"
assert np.isclose(knots[3], 15.03, atol=0.005) and knot_coefs[s3, 4] < 0, "s3 enters at alpha ~ 15.03, negative"
assert np.isclose(knot_coefs[s3].min(), -10.65, atol=0.005), "s3 is most negative at -10.65 ..."
assert np.isclose(knots[np.argmin(knot_coefs[s3])], 0.95, atol=0.005), "... at alpha ~ 0.95"
assert np.isclose(knots[10], 0.104, atol=0.0005) and np.isclose(knots[11], 0.062, atol=0.0005), \
    "s3 leaves the model at alpha ~ 0.104 and is exactly zero down to alpha ~ 0.062"
assert np.isclose(knot_coefs[s3, -1], 4.81, atol=0.005), "then it re-enters with the opposite sign: +4.81 at alpha = 0"
s3_at_008 = Lasso(alpha=0.08, tol=1e-12, max_iter=1_000_000).fit(X, y).coef_[s3]
assert s3_at_008 == 0, "coordinate descent agrees: s3 is exactly zero at alpha = 0.08"
print("exact path: all assertions hold")

# %% [markdown]
# ## Soft thresholding is the lasso, when the features are orthonormal
# If the columns of $X$ are orthonormal ($X^\top X = I$), the lasso splits into $p$ one-dimensional problems and each
# coefficient is the least-squares coefficient $b_j = x_j^\top y$ pushed toward zero by a fixed amount and clipped at
# zero. With scikit-learn's $\frac{1}{2n}$ scaling that amount is $\lambda = n\alpha$. We build such a design with a QR
# decomposition and compare.

# %%
rng = np.random.default_rng(0)
A = rng.normal(size=(100, 6))
A -= A.mean(axis=0)                      # centred columns, so the intercept plays no role
Q, _ = np.linalg.qr(A)                   # Q has orthonormal columns: Q.T @ Q = I
y_orth = Q @ np.array([4.0, -3.0, 1.5, 0.6, -0.3, 0.0]) + rng.normal(scale=0.2, size=100)
b_ols = Q.T @ y_orth

alpha = 0.01
sk = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(Q, y_orth).coef_
ours = soft_threshold(b_ols, lam=100 * alpha)
print("least squares :", np.round(b_ols, 4))
print("sklearn Lasso :", np.round(sk, 4))
print("soft_threshold:", np.round(ours, 4))
print(f"largest difference: {np.abs(sk - ours).max():.2e}")

# %%
assert np.allclose(sk, ours, atol=1e-8), "soft thresholding must reproduce the lasso on an orthonormal design"
assert np.count_nonzero(ours) < np.count_nonzero(b_ols), "the threshold zeroes the small coefficients"

# %% [markdown]
# On the same design, ridge does not threshold: it divides every least-squares coefficient by $1 + \lambda$. The
# figure below draws both maps, estimate against least-squares coefficient, for $\lambda = 1$. The two $\lambda$ are
# not the same strength: ridge's squared error is not halved (as in scikit-learn's `Ridge`), the lasso's is. With a
# $\frac12$ on ridge's squared error too, the division would be by $1 + 2\lambda$.

# %%
lam = 1.0
ridge_orth, _ = ridge_closed_form(Q, y_orth, lam)
assert np.allclose(ridge_orth, b_ols / (1 + lam)), "orthonormal ridge is b / (1 + lambda)"
# 0.5 ||r||^2 + lam ||beta||^2 has the minimiser of ||r||^2 + 2 lam ||beta||^2
assert np.allclose(ridge_closed_form(Q, y_orth, 2 * lam)[0], b_ols / (1 + 2 * lam)), "halved loss: b / (1 + 2 lambda)"

# %% [markdown]
# The elastic net on this design applies both maps in turn. scikit-learn's `ElasticNet(alpha, l1_ratio)` minimises
# $\frac{1}{2n}\lVert y - X\beta\rVert^2 + \alpha\rho\lVert\beta\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert\beta\rVert_2^2$
# with $\rho$ = `l1_ratio`. Multiplied by $n$, that is the page's
# $\frac12\lVert y - X\beta\rVert^2 + \lambda_1\lVert\beta\rVert_1 + \frac{\lambda_2}{2}\lVert\beta\rVert_2^2$ with
# $\lambda_1 = n\alpha\rho$ and $\lambda_2 = n\alpha(1-\rho)$, and with orthonormal columns its solution is
# $S(b_j, \lambda_1)/(1 + \lambda_2)$: soft thresholding, then ridge's division. This is Zou and Hastie's *naive*
# elastic net, the one scikit-learn returns; their elastic net multiplies it by $1 + \lambda_2$. Orthonormal columns are
# uncorrelated, so this formula says nothing about grouping; that needs correlated columns (last section).

# %%
en_alpha, en_ratio = 0.01, 0.5
lam1, lam2 = 100 * en_alpha * en_ratio, 100 * en_alpha * (1 - en_ratio)
en_fit = ElasticNet(alpha=en_alpha, l1_ratio=en_ratio, fit_intercept=False, tol=1e-14, max_iter=1_000_000)
en_orth = en_fit.fit(Q, y_orth).coef_
print("ElasticNet          :", np.round(en_orth, 4))
print("S(b, l1) / (1 + l2) :", np.round(soft_threshold(b_ols, lam1) / (1 + lam2), 4))
assert np.allclose(en_orth, soft_threshold(b_ols, lam1) / (1 + lam2), atol=1e-8), "orthonormal naive elastic net"

# %% tags=["figure:regularization-shrinkage-maps"]
b = np.linspace(-3, 3, 601)
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.plot(b, b, color="grey", linestyle="--", label="least squares (no penalty)")
ax.plot(b, soft_threshold(b, lam), color="C0", linewidth=2, label=r"lasso: sign(b)(|b| - $\lambda$)$_+$")
ax.plot(b, b / (1 + lam), color="C1", linewidth=2, label=r"ridge: b / (1 + $\lambda$)")
ax.axvspan(-lam, lam, color="C0", alpha=0.1, label=r"lasso sets these to exactly 0")
ax.set_title(r"Orthonormal design, $\lambda$ = 1: what each penalty does to a coefficient")
ax.set_xlabel("least-squares coefficient b (units of y per unit of feature)")
ax.set_ylabel("penalized estimate")
ax.legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Our ridge closed form agrees with scikit-learn
# On the real, non-orthogonal diabetes features, with an unpenalized intercept, for a range of penalties.

# %%
for lam in (0.1, 10.0, 1000.0):
    beta, b0 = ridge_closed_form(X, y, lam)
    fit = Ridge(alpha=lam).fit(X, y)
    print(f"lambda = {lam:>7}: max |coef difference| {np.abs(beta - fit.coef_).max():.1e}, "
          f"intercepts {b0:.4f} vs {fit.intercept_:.4f}")
    assert np.allclose(beta, fit.coef_, rtol=1e-8, atol=1e-8), "closed form must match sklearn Ridge"
    assert np.isclose(b0, fit.intercept_), "the unpenalized intercept must match too"

# %% [markdown]
# ## Two nearly identical features
# Add a noisy copy of body-mass index (correlation about 0.995 with the original) and refit. The two columns are almost
# interchangeable, and the penalties treat that differently. The lasso's L1 penalty charges the same for any split of
# a fixed total weight between them, so a small edge in fit decides, and usually one copy takes (nearly) everything.
# Ridge's squared penalty is smallest for an even split, so both copies keep a substantial coefficient. Because the
# outcome depends on the particular noise draw, we repeat it with 100 different copies. The elastic net gets the
# same L1 strength as the lasso (`alpha * l1_ratio` = 1) plus an L2 term.

# %%
bmi = names.index("bmi")
rng = np.random.default_rng(1)
draws = 100
lasso_pairs, ridge_pairs, en_pairs, en_zeros, corrs, bound_holds = [], [], [], [], [], []
for _ in range(draws):
    X_dup = np.column_stack([X, X[:, bmi] + rng.normal(scale=0.1, size=n)])
    X_dup = StandardScaler().fit_transform(X_dup)
    corrs.append(np.corrcoef(X_dup[:, bmi], X_dup[:, -1])[0, 1])
    lasso_pairs.append(Lasso(alpha=1.0, max_iter=100_000, tol=1e-10).fit(X_dup, y).coef_[[bmi, -1]])
    ridge_pairs.append(ridge_closed_form(X_dup, y, 100.0)[0][[bmi, -1]])
    en = ElasticNet(alpha=2.0, l1_ratio=0.5, max_iter=100_000, tol=1e-10).fit(X_dup, y).coef_
    en_pairs.append(en[[bmi, -1]])
    en_zeros.append(np.count_nonzero(en == 0))
    # grouping bound |b_i - b_j| <= ||x_i - x_j|| ||y - mean(y)|| / lambda2, with lambda2 = n * alpha * (1 - l1_ratio)
    bound = np.linalg.norm(X_dup[:, bmi] - X_dup[:, -1]) * np.linalg.norm(y - y.mean()) / (n * 2.0 * 0.5)
    bound_holds.append(abs(en[bmi] - en[-1]) <= bound)
lasso_pairs, ridge_pairs, en_pairs = np.array(lasso_pairs), np.array(ridge_pairs), np.array(en_pairs)

# An *exact* copy of bmi instead: every same-sign split of the pair's total is a lasso solution, and which one
# coordinate descent returns depends on the column order.
X_copy_last = np.column_stack([X, X[:, bmi]])
X_copy_first = np.column_stack([X[:, bmi], X])
fit_last = Lasso(alpha=1.0, tol=1e-12, max_iter=1_000_000).fit(X_copy_last, y)
fit_first = Lasso(alpha=1.0, tol=1e-12, max_iter=1_000_000).fit(X_copy_first, y)
split_last, split_first = fit_last.coef_[[bmi, -1]], fit_first.coef_[[1 + bmi, 0]]


def lasso_objective(fit, X_design) -> float:
    """scikit-learn's lasso objective, (1/2n) ||y - b0 - X beta||^2 + alpha ||beta||_1, at a fitted model."""
    residual = y - fit.predict(X_design)
    return residual @ residual / (2 * n) + fit.alpha * np.abs(fit.coef_).sum()


def smaller_share(pairs: np.ndarray) -> np.ndarray:
    """The fraction of the pair's total |weight| that goes to the copy with the smaller coefficient."""
    return np.abs(pairs).min(axis=1) / np.abs(pairs).sum(axis=1)


lasso_one_zero = int(np.sum(np.count_nonzero(lasso_pairs, axis=1) == 1))
ridge_one_zero = int(np.sum(np.count_nonzero(ridge_pairs, axis=1) == 1))
print(f"correlation between bmi and its copy: {np.min(corrs):.3f} to {np.max(corrs):.3f}")
print(f"lasso (alpha = 1) zeroes one copy in {lasso_one_zero} of {draws} draws; "
      f"ridge (lambda = 100) in {ridge_one_zero}")
print(f"smaller copy's share of the weight: lasso mean {smaller_share(lasso_pairs).mean():.3f}, "
      f"ridge mean {smaller_share(ridge_pairs).mean():.3f}, ridge minimum {smaller_share(ridge_pairs).min():.3f}")
print(f"elastic net (alpha = 2, l1_ratio = 0.5): zeroes a copy in "
      f"{int(np.sum(np.count_nonzero(en_pairs, axis=1) < 2))} draws, smaller share at least "
      f"{smaller_share(en_pairs).min():.3f}, exact zeros per fit {min(en_zeros)} to {max(en_zeros)}")
print(f"exact copy of bmi, lasso (bmi, copy): copy last {np.round(split_last, 2)}, "
      f"copy first {np.round(split_first, 2)}")

# %%
assert lasso_one_zero == 71, "in 71 of the 100 draws the lasso keeps one near-duplicate and zeroes the other"
assert ridge_one_zero == 0, "ridge never zeroes either copy"
assert smaller_share(ridge_pairs).min() > 1 / 3, "ridge gives each copy over a third of the shared weight, in every draw"
assert smaller_share(lasso_pairs).mean() < 0.15, "on average the lasso's second copy gets under 15% of the weight"
assert np.all(np.count_nonzero(en_pairs, axis=1) == 2), "the elastic net keeps both copies in every draw"
assert smaller_share(en_pairs).min() > 0.45, "... giving each over 45% of their joint weight"
assert min(en_zeros) >= 1, "... while still setting at least one other coefficient exactly to zero"
assert all(bound_holds), "the grouping bound |b_i - b_j| <= ||x_i - x_j|| ||y|| / lambda2 holds in every draw"
assert np.isclose(split_last.sum(), split_first.sum(), atol=1e-6), "exact copy: the same total weight either way ..."
assert np.isclose(lasso_objective(fit_last, X_copy_last), lasso_objective(fit_first, X_copy_first), rtol=1e-9), \
    "... and the same objective value: both splits are optimal"
assert np.allclose(split_last, [24.78, 0.05], atol=0.005), "... (bmi, copy) = (24.78, 0.05) with the copy last ..."
assert np.allclose(split_first, [1.76, 23.07], atol=0.005), "... and (1.76, 23.07) with it first: both copies nonzero"
assert np.all(split_last > 0) and np.all(split_first > 0), "coordinate descent does not simply keep one copy"
print("correlated features: all assertions hold")

# %% [markdown]
# ## With more features than examples the lasso keeps at most n - 1
# Zou and Hastie's other reason for the elastic net: when $p > n$ the lasso selects at most $n$ variables, however many
# matter, and at most $n - 1$ once an unpenalized intercept is fitted (centring leaves rank $n - 1$). Here $n = 30$,
# $p = 100$, and all 100 true coefficients are nonzero.

# %%
rng = np.random.default_rng(2)
X_wide = rng.normal(size=(30, 100))
y_wide = X_wide @ rng.normal(size=100) + rng.normal(size=30)
kept = [int(np.count_nonzero(Lasso(alpha=a, max_iter=1_000_000, tol=1e-8).fit(X_wide, y_wide).coef_))
        for a in (0.05, 0.1, 0.3)]
kept_en = np.count_nonzero(ElasticNet(alpha=0.1, l1_ratio=0.5, max_iter=1_000_000, tol=1e-8).fit(X_wide, y_wide).coef_)
print(f"lasso keeps {kept} of 100 features at alpha = 0.05, 0.1, 0.3; elastic net (alpha = 0.1) keeps {kept_en}")
assert max(kept) <= 29, "with an intercept the lasso never keeps more than n - 1 = 29 features"
assert kept_en > 30, "the elastic net can keep more than n"

# %% [markdown]
# ## Choosing the penalty
# Ten-fold cross-validation (shuffled folds, fixed seed) gives a mean error and a standard error for each `alpha`. The
# minimum-error `alpha` is one choice; the **one-standard-error rule** takes the largest `alpha` whose mean error is
# within one standard error of that minimum, a sparser model that is statistically as good. Information criteria
# skip the refitting: with the lasso's degrees of freedom estimated by its number of nonzero coefficients, AIC and
# BIC can be evaluated at every knot of the path (`LassoLarsIC`).
#
# The scaler is part of what is being fitted, so each fold standardizes the *raw* features with means and standard
# deviations from its own training part, computes the lasso path there, and scores the held-out part. The final model
# at the chosen `alpha` is then fitted to all 442 patients, standardized on all of them. `LassoCV` on the features
# standardized once on every row would let each validation fold shape its own scaling; here it picks the same penalties.

# %%
folds = KFold(10, shuffle=True, random_state=0)
cv_alphas = np.geomspace(alpha_max, 1e-3 * alpha_max, 100)        # LassoCV's default grid
fold_mse = np.empty((len(cv_alphas), folds.get_n_splits()))
for k, (train, val) in enumerate(folds.split(data.data)):
    scaler = StandardScaler().fit(data.data[train])                 # fitted on the training part only
    X_tr, X_val = scaler.transform(data.data[train]), scaler.transform(data.data[val])
    y_tr_mean = y[train].mean()                                     # the unpenalized intercept
    _, path_coefs, _ = lasso_path(X_tr, y[train] - y_tr_mean, alphas=cv_alphas, max_iter=100_000, tol=1e-8)
    fold_mse[:, k] = ((y[val][:, None] - y_tr_mean - X_val @ path_coefs) ** 2).mean(axis=0)
cv_mean = fold_mse.mean(axis=1)
cv_se = fold_mse.std(axis=1, ddof=1) / np.sqrt(fold_mse.shape[1])
best = np.argmin(cv_mean)
alpha_min = cv_alphas[best]
alpha_1se = cv_alphas[cv_mean <= cv_mean[best] + cv_se[best]].max()

# the shortcut: LassoCV on features standardized once, on all rows
cv_global = LassoCV(cv=folds, alphas=cv_alphas, max_iter=100_000, tol=1e-8).fit(X, y)
g_mean = cv_global.mse_path_.mean(axis=1)
g_se = cv_global.mse_path_.std(axis=1, ddof=1) / np.sqrt(cv_global.mse_path_.shape[1])
g_best = np.argmin(g_mean)
global_picks = (cv_global.alphas_[g_best], cv_global.alphas_[g_mean <= g_mean[g_best] + g_se[g_best]].max())


def n_kept(a: float) -> int:
    return int(np.count_nonzero(Lasso(alpha=a, max_iter=100_000, tol=1e-10).fit(X, y).coef_))


ic_kept = {c: int(np.count_nonzero(LassoLarsIC(criterion=c).fit(X, y).coef_)) for c in ("aic", "bic")}
print(f"CV minimum: alpha = {alpha_min:.2f}, {n_kept(alpha_min)} features; "
      f"one-standard-error rule: alpha = {alpha_1se:.2f}, {n_kept(alpha_1se)} features")
print(f"AIC keeps {ic_kept['aic']} features, BIC keeps {ic_kept['bic']}")

# %%
assert alpha_1se > alpha_min, "the one-standard-error rule picks a stronger penalty"
assert np.allclose(global_picks, (alpha_min, alpha_1se)), "standardizing once on all rows picks the same two here"
assert n_kept(alpha_min) == 7 and n_kept(alpha_1se) == 5, "CV minimum keeps 7 features, the 1-SE rule 5"
assert ic_kept == {"aic": 7, "bic": 7}, "on these data AIC and BIC both keep 7"
print("choosing the penalty: all assertions hold")
