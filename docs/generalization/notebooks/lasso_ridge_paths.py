# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: generalization/regularization.md}
# ---

# %% [markdown]
# # Lasso and ridge coefficient paths
# We fit lasso and ridge regressions to scikit-learn's diabetes data over a wide range of penalty strengths and watch
# what happens to each of the ten coefficients. Then we check the two textbook formulas behind the pictures, soft
# thresholding and the ridge closed form, against scikit-learn, and see how each penalty treats two nearly identical
# features.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso, Ridge
from sklearn.preprocessing import StandardScaler

from mlguide.regularization import ridge_closed_form, soft_threshold

# %% [markdown]
# ## The data, standardized
# 442 patients, ten baseline measurements (age, sex, body-mass index, blood pressure and six blood serum values), and
# a disease-progression score one year later as the target. We load the raw units and standardize each feature to mean
# 0 and standard deviation 1, because a penalty on coefficient size only makes sense when the features share a scale.
# (We only draw paths here; when a penalty is *tuned*, the scaler must be fitted inside each training fold.)

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
axes[1].set_title("Ridge (L2): coefficients shrink toward 0")
axes[1].set_xlabel("penalty lambda (sklearn Ridge scale, log)")
for ax in axes:
    ax.set_xscale("log")
    ax.axhline(0, color="grey", linewidth=0.8)
axes[1].legend(fontsize=7, ncol=2, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the left panel from right to left: as the penalty relaxes, features *enter* the model one at a time, and at
# any fixed `alpha` some coefficients are exactly zero. On the right every coefficient moves smoothly and is squeezed
# toward zero as the penalty grows. Because the features are correlated the ridge paths need not be monotone (a few
# coefficients change sign on the way), but at no penalty on the grid is a coefficient exactly zero.

# %%
assert np.all(lasso_coefs[lasso_alphas >= alpha_max] == 0), "above alpha_max the lasso zeroes every coefficient"
assert np.count_nonzero(Lasso(alpha=0.99 * alpha_max, tol=1e-12).fit(X, y).coef_) == 1, "just below alpha_max one feature enters"
assert lasso_zeros[0] == 0, "with a tiny penalty the lasso keeps all ten features"
assert ridge_zeros.sum() == 0, "ridge never produces an exact zero"
assert np.abs(ridge_coefs[-1]).max() < 0.05 * np.abs(ridge_coefs[0]).max(), "a huge ridge penalty shrinks hard"
print("paths: all assertions hold")

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
# figure below draws both maps, estimate against least-squares coefficient, for $\lambda = 1$.

# %%
lam = 1.0
ridge_orth, _ = ridge_closed_form(Q, y_orth, lam)
assert np.allclose(ridge_orth, b_ols / (1 + lam)), "orthonormal ridge is b / (1 + lambda)"

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
# outcome depends on the particular noise draw, we repeat it with 100 different copies.

# %%
bmi = names.index("bmi")
rng = np.random.default_rng(1)
draws = 100
lasso_pairs, ridge_pairs, corrs = [], [], []
for _ in range(draws):
    X_dup = np.column_stack([X, X[:, bmi] + rng.normal(scale=0.1, size=n)])
    X_dup = StandardScaler().fit_transform(X_dup)
    corrs.append(np.corrcoef(X_dup[:, bmi], X_dup[:, -1])[0, 1])
    lasso_pairs.append(Lasso(alpha=1.0, max_iter=100_000, tol=1e-10).fit(X_dup, y).coef_[[bmi, -1]])
    ridge_pairs.append(ridge_closed_form(X_dup, y, 100.0)[0][[bmi, -1]])
lasso_pairs, ridge_pairs = np.array(lasso_pairs), np.array(ridge_pairs)


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

# %%
assert lasso_one_zero > draws / 2, "in most draws the lasso keeps one near-duplicate and zeroes the other"
assert ridge_one_zero == 0, "ridge never zeroes either copy"
assert smaller_share(ridge_pairs).min() > 1 / 3, "ridge gives each copy over a third of the shared weight, in every draw"
assert smaller_share(lasso_pairs).mean() < 0.15, "on average the lasso's second copy gets under 15% of the weight"
print("correlated features: all assertions hold")
