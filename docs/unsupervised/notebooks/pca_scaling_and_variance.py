# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: unsupervised/principal-component-analysis.md}
# ---

# %% [markdown]
# # PCA: scaling, explained variance, and the variance that does not predict
# We check the guide's SVD-based PCA against scikit-learn and the page's hand-worked example, then run it on the wine
# data with and without standardization, choose the number of components three ways, and plant a label in a
# low-variance direction that the top component misses. Short sections on an outlier, denoising digits and whitening
# finish it.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.covariance import MinCovDet
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlguide.unsupervised.pca import pca_fit, pca_inverse_transform, pca_transform

START = time.perf_counter()

# %% [markdown]
# ## The page's worked example
# Five points in the plane with mean $(3, 4)$. Their sample covariance (divisor $n-1=4$) has variances 2.5 and
# covariance 1.5, so its eigenvalues are $2.5 \pm 1.5$, that is 4 and 1, with eigenvectors $(1, 1)/\sqrt2$ and
# $(1, -1)/\sqrt2$. The singular values of the centred matrix are $\sqrt{4 \cdot 4} = 4$ and $\sqrt{4 \cdot 1} = 2$.
# Keeping one component maps $(4, 3)$ and $(2, 5)$ to the mean, a squared error of 2 each: $4 = (n-1)\lambda_2$.

# %%
X_toy = np.array([[5, 6], [1, 2], [4, 3], [2, 5], [3, 4]], dtype=float)
toy = pca_fit(X_toy)
S_toy = np.cov(X_toy, rowvar=False)
sing_toy = np.linalg.svd(X_toy - toy.mean, compute_uv=False)
z_toy = pca_transform(X_toy, toy.mean, toy.components)
back_toy = pca_inverse_transform(z_toy[:, :1], toy.mean, toy.components[:1])
print("covariance\n", S_toy, "\neigenvalues", toy.explained_variance, "singular values", sing_toy)
print("components\n", toy.components.round(4), "\nscores\n", z_toy.round(4))
print("rank-1 reconstruction\n", back_toy, "\nsquared error", np.sum((X_toy - back_toy) ** 2))

# %%
assert np.allclose(toy.mean, [3, 4]) and np.allclose(S_toy, [[2.5, 1.5], [1.5, 2.5]])
assert np.allclose(toy.explained_variance, [4, 1]) and np.allclose(sing_toy, [4, 2])
assert np.allclose(toy.explained_variance, sing_toy ** 2 / (len(X_toy) - 1)), "eigenvalue = s^2 / (n - 1)"
assert np.allclose(toy.components, np.array([[1, 1], [1, -1]]) / np.sqrt(2))
assert np.allclose(z_toy[:, 0], [2 * np.sqrt(2), -2 * np.sqrt(2), 0, 0, 0], atol=1e-12)
assert np.isclose(np.sum((X_toy - back_toy) ** 2), 4.0)
assert np.allclose(np.linalg.eigvalsh(np.corrcoef(X_toy, rowvar=False)), [0.4, 1.6]), "correlation PCA: 1.6, 0.4"

# %% [markdown]
# ## The same numbers as scikit-learn
# `pca_fit` centres, takes the SVD and fixes each component's sign so that its largest entry is positive, the
# convention scikit-learn's `PCA` uses since version 1.5 (earlier versions decided the sign from $U$). A component is only defined up to sign, so the comparison flips signs to
# match before comparing; the variances need no such care.

# %%
wine = load_wine()
X, y = wine.data, wine.target
names = list(wine.feature_names)
ours, sk = pca_fit(X), PCA().fit(X)
signs = np.sign(np.sum(ours.components * sk.components_, axis=1))
print("largest gap in components", np.abs(ours.components * signs[:, None] - sk.components_).max())
print("largest relative gap in variances", np.abs(ours.explained_variance / sk.explained_variance_ - 1).max())

# %%
assert np.allclose(ours.components * signs[:, None], sk.components_, atol=1e-6)
assert np.all(signs == 1), "on wine the sign conventions agree (scikit-learn >= 1.5), so no flip was needed"
assert np.allclose(ours.explained_variance, sk.explained_variance_, rtol=1e-6)
assert np.allclose(ours.explained_variance_ratio, sk.explained_variance_ratio_, rtol=1e-6)

# %% [markdown]
# ## Wine with and without standardization
# The 13 wine measurements have wildly different units: proline is in the hundreds to about 1,700 (standard deviation
# 315), hue below 2 (0.23). Covariance PCA ranks directions by variance in those units, so its first component is
# proline alone. Standardizing first (PCA of the correlation matrix) spreads the first component over the phenol
# measurements and makes the cultivars visible in two dimensions. The cross-validated accuracy of a logistic
# regression on the first two components, with the scaler and PCA refitted inside every fold, shows the difference.

# %%
raw = pca_fit(X)
scaler = StandardScaler().fit(X)
std = pca_fit(scaler.transform(X))
j_proline = names.index("proline")
sd = X.std(axis=0, ddof=1)
print(f"proline sd {sd[j_proline]:.0f}, hue sd {sd[names.index('hue')]:.2f}")
print(f"raw PC1 explains {raw.explained_variance_ratio[0]:.4f}; proline's loading {raw.components[0, j_proline]:.4f}")
print(f"standardized: PC1 {std.explained_variance_ratio[0]:.3f}, PC1 + PC2 {std.explained_variance_ratio[:2].sum():.3f}")
top = np.argsort(-np.abs(std.components[0]))[:3]
print("standardized PC1, largest loadings:", [(names[i], round(std.components[0, i], 3)) for i in top])
cv5 = StratifiedKFold(5, shuffle=True, random_state=0)
acc_raw = cross_val_score(make_pipeline(PCA(2), LogisticRegression(max_iter=5000)), X, y, cv=cv5).mean()
acc_std = cross_val_score(make_pipeline(StandardScaler(), PCA(2), LogisticRegression(max_iter=5000)), X, y,
                          cv=cv5).mean()
print(f"logistic regression on 2 components: raw {acc_raw:.3f}, standardized {acc_std:.3f}")

# %%
assert round(sd[j_proline]) == 315 and round(sd[names.index("hue")], 2) == 0.23
assert 100 < X[:, j_proline].min() and X[:, j_proline].max() < 1700 and X[:, names.index("hue")].max() < 2
assert round(raw.explained_variance_ratio[0], 3) == 0.998 and round(raw.components[0, j_proline], 4) == 0.9998
assert round(std.explained_variance_ratio[0], 3) == 0.362 and round(std.explained_variance_ratio[1], 3) == 0.192
assert round(std.explained_variance_ratio[:2].sum(), 3) == 0.554
assert names[top[0]] == "flavanoids" and names[top[1]] == "total_phenols"
assert np.abs(std.components[0]).max() < 0.45, "no single feature dominates the standardized PC1"
assert acc_raw < 0.75 and acc_std > 0.95

# %% tags=["figure:pca-wine-scaling"]
Z_raw = pca_transform(X, raw.mean, raw.components[:2])
Z_std = pca_transform(scaler.transform(X), std.mean, std.components[:2])
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, Z, fit, title in [(axes[0], Z_raw, raw, "raw units (PC1 = proline)"),
                          (axes[1], Z_std, std, "standardized")]:
    for c, marker in zip(range(3), "o^s"):
        ax.scatter(Z[y == c, 0], Z[y == c, 1], s=14, marker=marker, alpha=0.75, label=f"cultivar {c}")
    r = fit.explained_variance_ratio
    ax.set(title=title, xlabel=f"PC1 ({100 * r[0]:.1f}%)", ylabel=f"PC2 ({100 * r[1]:.1f}%)")
axes[1].legend(fontsize=8, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## How many components?
# **Scree and cumulative threshold.** On the standardized wine data the explained-variance ratios fall without a sharp
# elbow: steps of 4 percentage points or more up to the fourth component, under 2 after it, a soft bend at 3 to 4.
# 90% of the variance needs 8 of 13 components and 95% needs 10. Kaiser's rule (keep correlation-matrix eigenvalues
# above 1, the average) keeps 3. StandardScaler divides by the population standard deviation, so the covariance of its
# output is the correlation matrix times $n/(n-1)$; we undo that factor for the rule.
#
# **Parallel analysis.** Even pure noise has sample eigenvalues spread around 1: for 178 rows and 13 independent
# Gaussian columns the largest correlation eigenvalue averages about 1.5, so the threshold of 1 lets noise through when
# there are many variables. Horn's parallel analysis keeps the components whose eigenvalues exceed the 95th percentile of
# those of random data of the same shape (200 draws here). On wine it also keeps 3.
#
# **Cross-validation.** Projecting held-out rows onto more components can only bring them closer, since the subspaces
# are nested, so held-out reconstruction error falls with every component and never picks a size. What does peak is
# the held-out log-likelihood of probabilistic PCA, which is what `PCA.score` returns and `cross_val_score` uses by
# default. On data with 4 planted directions plus isotropic noise in 15 dimensions it peaks at 4, and Minka's
# Bayesian choice (`n_components="mle"`) agrees.

# %%
cum = np.cumsum(std.explained_variance_ratio)
k90, k95 = int(np.searchsorted(cum, 0.90) + 1), int(np.searchsorted(cum, 0.95) + 1)
n = len(X)
kaiser = int(np.sum(std.explained_variance * (n - 1) / n > 1))
steps = -np.diff(std.explained_variance_ratio)
print(f"standardized wine: 90% needs {k90}, 95% needs {k95}; Kaiser keeps {kaiser}")
print("drops in the share of variance, in percentage points:", (100 * steps).round(1))

eig_wine = std.explained_variance * (n - 1) / n          # eigenvalues of the correlation matrix
rng_pa = np.random.default_rng(0)
null = np.array([np.linalg.eigvalsh(np.corrcoef(rng_pa.normal(size=X.shape), rowvar=False))[::-1]
                 for _ in range(200)])
k_parallel = int(np.argmin(eig_wine > np.quantile(null, 0.95, axis=0)))
print(f"pure noise: largest eigenvalue {null[:, 0].mean():.2f} on average; parallel analysis keeps {k_parallel}")

rng = np.random.default_rng(0)
n_low, p_low, rank = 300, 15, 4
loadings = rng.normal(size=(rank, p_low)) * np.array([3, 2.5, 2, 1.5])[:, None]
X_low = rng.normal(size=(n_low, rank)) @ loadings + rng.normal(size=(n_low, p_low))
ks = np.arange(1, p_low)
cv = KFold(5, shuffle=True, random_state=0)
heldout_loglik, heldout_error = [], []
for k in ks:
    heldout_loglik.append(cross_val_score(PCA(k), X_low, cv=cv).mean())
    errors = []
    for tr, te in cv.split(X_low):
        f = pca_fit(X_low[tr], int(k))
        back = pca_inverse_transform(pca_transform(X_low[te], f.mean, f.components), f.mean, f.components)
        errors.append(np.mean(np.sum((X_low[te] - back) ** 2, axis=1)))
    heldout_error.append(np.mean(errors))
heldout_loglik, heldout_error = np.array(heldout_loglik), np.array(heldout_error)
k_best = int(ks[np.argmax(heldout_loglik)])
k_mle = PCA(n_components="mle").fit(X_low).n_components_
print("held-out squared error per row:", heldout_error.round(1))
print(f"held-out PPCA log-likelihood peaks at k = {k_best}; Minka's MLE picks {k_mle}")

# %%
assert (k90, k95, kaiser) == (8, 10, 3)
assert np.all(steps[:3] > 0.04) and np.all(steps[3:] < 0.02), "a soft bend at 3 to 4 components"
assert 1.4 < null[:, 0].mean() < 1.6 and k_parallel == 3
assert np.all(np.diff(heldout_error) < 0), "held-out reconstruction error falls with every added component"
assert k_best == rank and k_mle == rank

# %% tags=["figure:pca-choosing-k"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.4))
idx = np.arange(1, len(cum) + 1)
ax1.bar(idx, std.explained_variance_ratio, color="tab:blue", alpha=0.7, label="each component")
ax1.plot(idx, cum, "o-", color="tab:orange", label="cumulative")
ax1.axhline(0.9, color="grey", ls="--", lw=1)
ax1.set(title="standardized wine", xlabel="component", ylabel="share of variance", xticks=idx[::2])
ax1.legend(fontsize=8, loc="center right")
ax2.plot(ks, heldout_error, "o-", color="tab:red", label="held-out squared error")
ax2.set(title="4 planted directions + noise", xlabel="number of components k", ylabel="squared error per row",
        xticks=ks[1::2])
ax2b = ax2.twinx()
ax2b.plot(ks, heldout_loglik, "s-", color="tab:green", label="held-out PPCA log-likelihood")
ax2b.axvline(k_best, color="tab:green", ls=":", lw=1)
ax2b.set_ylabel("log-likelihood per row")
lines = ax2.get_lines() + ax2b.get_lines()[:1]
ax2.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="center right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The label lives in a low-variance direction
# Two measurements share a large common factor $t$ (standard deviation 3) and differ by a small amount $d$ whose sign
# is the class: $x_1 = t + d$, $x_2 = t - d$, with $d = \pm 0.4$ plus noise. PC1 is the sum direction and carries
# about 98% of the variance but no information about the class; PC2, the difference, carries 2% and almost all of
# it. Dropping "the 2% of noise" would discard the signal. LDA, which uses the labels, picks the difference
# direction. The same holds for three seeds; the asserts use margins that hold for each.

# %%
def planted(seed, n=400):
    g = np.random.default_rng(seed)
    label = g.integers(0, 2, n)
    t = g.normal(0, 3, n)
    d = 0.4 * (2 * label - 1) + g.normal(0, 0.15, n)
    return np.c_[t + d, t - d], label


cv_pl = StratifiedKFold(5, shuffle=True, random_state=0)
for seed in (0, 1, 2):
    Xp, yp = planted(seed)
    fp = pca_fit(Xp)
    Zp = pca_transform(Xp, fp.mean, fp.components)
    acc1 = cross_val_score(LogisticRegression(), Zp[:, :1], yp, cv=cv_pl).mean()
    acc2 = cross_val_score(LogisticRegression(), Zp[:, 1:], yp, cv=cv_pl).mean()
    w = LinearDiscriminantAnalysis().fit(Xp, yp).coef_[0]
    cos_lda = abs(w @ np.array([1, -1])) / (np.linalg.norm(w) * np.sqrt(2))
    print(f"seed {seed}: PC1 share {fp.explained_variance_ratio[0]:.3f}, accuracy on PC1 {acc1:.3f}, "
          f"on PC2 {acc2:.3f}; |cos(LDA, difference)| {cos_lda:.4f}")
    assert fp.explained_variance_ratio[0] > 0.97
    assert acc1 < 0.6 and acc2 > 0.97
    assert cos_lda > 0.99

# %% tags=["figure:pca-low-variance-signal"]
Xp, yp = planted(0)
fp = pca_fit(Xp)
Zp = pca_transform(Xp, fp.mean, fp.components)
fig, axes = plt.subplots(1, 3, figsize=(9, 3.1), gridspec_kw={"width_ratios": [1.3, 1, 1]})
for c, marker in zip((0, 1), "o^"):
    axes[0].scatter(Xp[yp == c, 0], Xp[yp == c, 1], s=8, marker=marker, alpha=0.6, label=f"class {c}")
for j, colour, length in ((0, "black", 8.0), (1, "tab:red", 4.0)):  # directions only, not drawn to scale
    v = fp.components[j] * length
    axes[0].annotate("", fp.mean + v, fp.mean, arrowprops=dict(arrowstyle="->", color=colour, lw=2))
    axes[0].text(*(fp.mean + 1.15 * v), f"PC{j + 1}", color=colour)
axes[0].set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
axes[0].set_title("data and PC directions", fontsize=10)
axes[0].legend(fontsize=7, loc="upper left")
for ax, j in zip(axes[1:], (0, 1)):
    bins = np.linspace(Zp[:, j].min(), Zp[:, j].max(), 30)
    for c in (0, 1):
        ax.hist(Zp[yp == c, j], bins=bins, alpha=0.6)
    ax.set(xlabel=f"PC{j + 1} score", yticks=[])
    ax.set_title(f"PC{j + 1}: {100 * fp.explained_variance_ratio[j]:.0f}% of variance", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## One outlier rotates the first component
# PCA minimizes squared distances, so a single far point has a quadratic pull. 100 points lie along the diagonal; one
# extra point at $(25, -25)$, perpendicular to it, turns PC1 by nearly 90 degrees. The leading eigenvector of a robust
# covariance estimate (minimum covariance determinant) ignores the point.

# %%
g = np.random.default_rng(0)
t = g.normal(0, 2, 100)
X_clean = np.c_[t, t] + g.normal(0, 0.5, (100, 2))
X_out = np.r_[X_clean, [[25.0, -25.0]]]


def angle(a, b):
    return np.degrees(np.arccos(min(1.0, abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b)))))


v_clean, v_out = pca_fit(X_clean).components[0], pca_fit(X_out).components[0]
v_mcd = np.linalg.eigh(MinCovDet(random_state=0).fit(X_out).covariance_)[1][:, -1]
print(f"PC1 turns by {angle(v_clean, v_out):.1f} degrees; robust PC1 is {angle(v_clean, v_mcd):.1f} degrees off")

# %%
assert round(angle(v_clean, v_out)) == 88 and angle(v_clean, v_mcd) < 2

# %% [markdown]
# ## Denoising digits, and whitening
# Add Gaussian noise (standard deviation 4, pixels range 0 to 16) to the 8x8 digits, fit PCA on noisy training
# images and reconstruct noisy test images from $k$ components. Noise spreads evenly over all 64 directions while the
# digits concentrate in a few, so a moderate $k$ keeps most of the signal and drops most of the noise; $k = 64$ gives
# the noisy image back. Whitening divides each score by its standard deviation, so the training scores have identity
# covariance, as scikit-learn's `whiten=True` does.

# %%
digits = load_digits().data
noisy = digits + np.random.default_rng(0).normal(0, 4, digits.shape)
tr, te = train_test_split(np.arange(len(digits)), test_size=0.3, random_state=0)
noisy_mse = np.mean((noisy[te] - digits[te]) ** 2)
mse = {}
for k in (5, 10, 15, 20, 30, 40, 64):
    f = pca_fit(noisy[tr], k)
    back = pca_inverse_transform(pca_transform(noisy[te], f.mean, f.components), f.mean, f.components)
    mse[k] = np.mean((back - digits[te]) ** 2)
k_den = min(mse, key=mse.get)
print(f"noisy test images: MSE {noisy_mse:.2f} to the clean ones; reconstructed:",
      {k: round(v, 2) for k, v in mse.items()})

fw = pca_fit(digits[tr], 10)
Zw = pca_transform(digits[tr], fw.mean, fw.components, fw.explained_variance)
skw = PCA(10, whiten=True, svd_solver="full").fit(digits[tr])
sgn = np.sign(np.sum(fw.components * skw.components_, axis=1))
print("whitened covariance is the identity:", np.allclose(np.cov(Zw, rowvar=False), np.eye(10)))

# %%
assert k_den == 15 and mse[15] < 0.5 * noisy_mse
assert round(noisy_mse, 1) == 15.9 and round(mse[15], 1) == 7.3
assert np.isclose(mse[64], noisy_mse), "all 64 components give the noisy image back"
assert np.allclose(np.cov(Zw, rowvar=False), np.eye(10), atol=1e-10)
assert np.allclose(Zw * sgn, skw.transform(digits[tr]), atol=1e-8)

# %% [markdown]
# ## Classical MDS gives the PCA scores; whitened distances are Mahalanobis distances
# Classical multidimensional scaling starts from the squared Euclidean distances between rows, double-centres them
# into the Gram matrix $B = -\tfrac12 J D^{(2)} J = X_c X_c^\top$ ($J$ the centring matrix) and uses its top
# eigenvectors, scaled by the square roots of the eigenvalues, as coordinates: the PCA scores $US$, up to sign.
# And with all components kept, the Euclidean distance between whitened scores is the Mahalanobis distance
# $\sqrt{(x-y)^\top C^{-1}(x-y)}$.

# %%
Xs = scaler.transform(X)
sq = np.sum(Xs ** 2, axis=1)
D2 = sq[:, None] + sq[None, :] - 2 * Xs @ Xs.T
J = np.eye(n) - 1 / n
evals, evecs = np.linalg.eigh(-0.5 * J @ D2 @ J)
mds = evecs[:, ::-1][:, :2] * np.sqrt(evals[::-1][:2])
print("largest gap between |MDS coordinates| and |PCA scores|:", np.abs(np.abs(mds) - np.abs(Z_std)).max())

Zw_all = pca_transform(Xs, std.mean, std.components, std.explained_variance)
C_inv = np.linalg.inv(np.cov(Xs, rowvar=False))
diff = Xs[0] - Xs[1:]
maha = np.sqrt(np.einsum("ij,jk,ik->i", diff, C_inv, diff))
print("largest gap between whitened Euclidean and Mahalanobis distances:",
      np.abs(np.linalg.norm(Zw_all[0] - Zw_all[1:], axis=1) - maha).max())

# %%
assert np.allclose(np.abs(mds), np.abs(Z_std), atol=1e-8), "classical MDS = PCA scores up to sign"
assert np.allclose(np.linalg.norm(Zw_all[0] - Zw_all[1:], axis=1), maha), "whitened distance = Mahalanobis"

# %%
elapsed = time.perf_counter() - START
print(f"ran in {elapsed:.1f} s")
