# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/support-vector-machines.md}
# ---

# %% [markdown]
# # Support vector machines: margins, support vectors and the RBF kernel
# We fit a linear SVM three ways (scikit-learn's `SVC`, `LinearSVC` and the guide's from-scratch dual coordinate
# descent), check that they agree, and read the support vectors off the dual. Then an RBF kernel separates two
# concentric circles that no line can, with `C` and `gamma` chosen by a grid search on log scales.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_blobs, make_circles
from sklearn.metrics.pairwise import euclidean_distances, linear_kernel, rbf_kernel, sigmoid_kernel
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from mlguide.models.svm import LinearSVM, dual_objective, linear_svm_dual_cd, primal_objective

# %% [markdown]
# ## A linear SVM, three ways
# 120 points in two Gaussian clouds that overlap a little, standardized. `SVC(kernel="linear")` solves the textbook
# soft-margin problem, whose bias is not penalized. `LinearSVC(loss="hinge")` and our `linear_svm_dual_cd` fold the
# bias into $w$ as the weight of a constant feature, so it is penalized like any other weight (less if the constant,
# `intercept_scaling`, is raised). The two should agree to solver tolerance, point almost exactly where `SVC` does,
# and have a bias shrunk toward 0.

# %%
X, y = make_blobs(n_samples=120, centers=[[0, 0], [3, 3]], cluster_std=1.1, random_state=3)
X = StandardScaler().fit_transform(X)
s = np.where(y == 1, 1.0, -1.0)                     # labels as -1 / +1
C = 1.0

svc = SVC(kernel="linear", C=C).fit(X, y)
liblinear = LinearSVC(loss="hinge", C=C, tol=1e-10, max_iter=100_000).fit(X, y)
w, b, alpha = linear_svm_dual_cd(X, s, C=C, tol=1e-8)
ours = LinearSVM(C=C, tol=1e-8).fit(X, y)


def cosine(u, v):
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


print(f"SVC        w = {np.round(svc.coef_[0], 4)}, b = {svc.intercept_[0]:+.4f}")
print(f"LinearSVC  w = {np.round(liblinear.coef_[0], 4)}, b = {liblinear.intercept_[0]:+.4f}")
print(f"ours       w = {np.round(w, 4)}, b = {b:+.4f}")
print(f"cosine(ours, SVC) = {cosine(w, svc.coef_[0]):.5f}; "
      f"accuracy: SVC {svc.score(X, y):.3f}, ours {np.mean(ours.predict(X) == y):.3f}")
gap = primal_objective(w, b, X, s, C) - dual_objective(alpha, X, s)
print(f"duality gap of our solution: {gap:.1e}")

# %%
assert np.allclose(w, liblinear.coef_[0], atol=1e-6) and np.isclose(b, liblinear.intercept_[0], atol=1e-6), \
    "ours and LinearSVC solve the same problem"
assert np.allclose(ours.coef_, w) and ours.intercept_ == b, "the wrapper calls the same solver"
assert cosine(w, svc.coef_[0]) > 0.999, "the direction of w matches SVC's"
assert np.mean(ours.predict(X) == y) == svc.score(X, y), "and so does the training accuracy"
assert 0 <= gap < 1e-6, "primal and dual objectives meet at the optimum"
assert np.allclose(w, ((alpha * s)[:, None] * X).sum(axis=0)), "w is a weighted sum of the training points"
assert (round(b, 3), round(svc.intercept_[0], 3)) == (-0.233, -0.278), "the penalized bias is shrunk by about 16%"

# %% [markdown]
# ## Support vectors, read off the dual
# `SVC` keeps only the points with $\alpha_i > 0$, with $y_i\alpha_i$ in `dual_coef_`. The conditions of optimality
# (KKT) sort the points by their functional margin $y_i f(x_i)$: with $\alpha_i = 0$ a point is on or outside the
# margin, $y_i f(x_i) \ge 1$; with $0 < \alpha_i < C$ it lies exactly on it; with $\alpha_i = C$ it is on it, inside
# it or misclassified, $y_i f(x_i) \le 1$. The decision function needs nothing but the support vectors.

# %%
margin = s * svc.decision_function(X)
a = np.zeros(len(X))
a[svc.support_] = np.abs(svc.dual_coef_[0])
tol = 1e-3                                          # SVC's stopping tolerance
on_margin = (a > tol) & (a < C - tol)
print(f"{len(svc.support_)} support vectors: {on_margin.sum()} on the margin (0 < alpha < C), "
      f"{np.sum(a >= C - tol)} at alpha = C, {np.sum(margin < 0)} misclassified")
print(f"smallest margin among non-support vectors: {np.delete(margin, svc.support_).min():.3f}")
rebuilt = svc.dual_coef_[0] @ linear_kernel(svc.support_vectors_, X) + svc.intercept_[0]

# %%
assert len(svc.support_) == 14 and on_margin.sum() == 2, "14 support vectors, 2 of them exactly on the margin"
assert np.all(margin[a == 0] >= 1 - tol), "alpha = 0: on or outside the margin"
assert np.allclose(margin[on_margin], 1, atol=tol), "0 < alpha < C: on the margin"
assert np.all(margin[a >= C - tol] <= 1 + tol), "alpha = C: on or inside the margin, or misclassified"
assert np.isclose(s @ a, 0, atol=1e-9), "sum_i alpha_i y_i = 0, the dual constraint from the unpenalized bias"
assert np.allclose(rebuilt, svc.decision_function(X)), "f(x) = sum over support vectors of y_i alpha_i K(x_i, x) + b"
assert set(svc.support_) == set(ours.support_), "our solver finds the same support vectors"

# %% [markdown]
# ## C trades margin width for training errors
# A small `C` makes margin violations cheap: the margin $2/\lVert w\rVert$ widens and more points become support
# vectors. A large `C` approaches the hard margin.

# %%
Cs = np.logspace(-3, 2, 6)
n_sv, width = [], []
for c in Cs:
    fit = SVC(kernel="linear", C=c).fit(X, y)
    n_sv.append(int(fit.n_support_.sum()))
    width.append(2 / np.linalg.norm(fit.coef_[0]))
print("C:              ", Cs)
print("support vectors:", n_sv)
print("margin width:   ", np.round(width, 2))
assert np.all(np.diff(n_sv) < 0), "more C, fewer support vectors"
assert np.all(np.diff(width) < 0), "more C, narrower margin"
assert n_sv[0] == len(X) and n_sv[-1] == 6, "from every point at C = 0.001 to 6 at C = 100"
assert (round(width[0], 1), round(width[-1], 2)) == (14.3, 0.19), "margin width from 14.3 to 0.19"

# %% [markdown]
# ## Concentric circles: no line separates them, an RBF kernel does
# Two noisy rings, 400 points, 280 to tune on and 120 held out. A linear SVM does little better than chance.
# Adding the one feature $x_1^2 + x_2^2$, the squared radius, makes the rings linearly separable in three
# dimensions: that explicit map is the idea the kernel trick makes implicit. The RBF kernel
# $K(x, z) = \exp(-\gamma\lVert x - z\rVert^2)$ does it without choosing the feature, with `C` and `gamma` chosen by
# 5-fold cross-validation over a grid of powers of ten, the scaler inside the pipeline.

# %%
Xc, yc = make_circles(n_samples=400, noise=0.15, factor=0.5, random_state=0)
Xc_train, Xc_test, yc_train, yc_test = train_test_split(Xc, yc, test_size=0.3, random_state=0, stratify=yc)
cv = StratifiedKFold(5, shuffle=True, random_state=0)


def add_squared_radius(M):
    return np.column_stack([M, (M ** 2).sum(axis=1)])


linear_acc = cross_val_score(make_pipeline(StandardScaler(), SVC(kernel="linear")), Xc_train, yc_train, cv=cv).mean()
lifted_acc = cross_val_score(make_pipeline(StandardScaler(), SVC(kernel="linear")),
                             add_squared_radius(Xc_train), yc_train, cv=cv).mean()

pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC(kernel="rbf"))])
grid = {"svc__C": np.logspace(-2, 3, 6), "svc__gamma": np.logspace(-3, 2, 6)}
search = GridSearchCV(pipe, grid, cv=cv).fit(Xc_train, yc_train)
best_C, best_gamma = search.best_params_["svc__C"], search.best_params_["svc__gamma"]
rbf = search.best_estimator_
print(f"CV accuracy: linear {linear_acc:.3f}, linear + squared radius {lifted_acc:.3f}, "
      f"RBF {search.best_score_:.3f} at C = {best_C:g}, gamma = {best_gamma:g}")
print(f"RBF test accuracy {search.score(Xc_test, yc_test):.3f}, "
      f"{rbf[-1].n_support_.sum()} of {len(Xc_train)} training points are support vectors")

# %%
assert linear_acc < 0.6, "a line gets the rings barely above chance"
assert lifted_acc > 0.94, "one extra feature, the squared radius, makes them (nearly) linearly separable"
assert (best_C, best_gamma) == (1.0, 1.0), "the grid picks C = 1, gamma = 1"
assert search.best_score_ > 0.95 and search.score(Xc_test, yc_test) > 0.96, "RBF: over 95% CV, over 96% test"
assert rbf[-1].n_support_.sum() == 77, "77 of 280 training points are support vectors"
assert round(search.score(Xc_test, yc_test), 3) == 0.967, "116 of 120 test points right"

# %% tags=["figure:svm-margin-and-rbf"]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.9))
ax = axes[0]
grid_x, grid_y = np.meshgrid(np.linspace(-2.6, 2.6, 300), np.linspace(-2.6, 2.6, 300))
plane = np.c_[grid_x.ravel(), grid_y.ravel()]
ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14, edgecolors="none")
ax.contour(grid_x, grid_y, svc.decision_function(plane).reshape(grid_x.shape), levels=[-1, 0, 1],
           colors="black", linestyles=["--", "-", "--"], linewidths=1)
ax.scatter(*svc.support_vectors_.T, s=70, facecolors="none", edgecolors="black", linewidths=0.8,
           label=f"support vectors ({len(svc.support_)})")
ax.set_title("Linear SVM, C = 1: margin and support vectors", fontsize=10)
ax.legend(fontsize=8, loc="upper left")
ax = axes[1]
grid_x, grid_y = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-1.6, 1.6, 300))
plane = np.c_[grid_x.ravel(), grid_y.ravel()]
f = rbf.decision_function(plane).reshape(grid_x.shape)
ax.contourf(grid_x, grid_y, f > 0, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fcbba1"], alpha=0.6)
ax.contour(grid_x, grid_y, f, levels=[-1, 0, 1], colors="black", linestyles=["--", "-", "--"], linewidths=1)
ax.scatter(Xc_train[:, 0], Xc_train[:, 1], c=yc_train, cmap="coolwarm", s=12, edgecolors="none")
sv = Xc_train[rbf[-1].support_]
ax.scatter(sv[:, 0], sv[:, 1], s=50, facecolors="none", edgecolors="black", linewidths=0.6,
           label=f"support vectors ({len(sv)})")
ax.set_title(f"RBF kernel, C = {best_C:g}, gamma = {best_gamma:g}", fontsize=10)
ax.legend(fontsize=8, loc="upper left")
for ax in axes:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# Solid lines are the decision boundaries $f(x) = 0$, dashed ones the margins $f(x) = \pm 1$. On the left only the
# circled points, on or inside the margin, determine the line. On the right the boundary is a closed curve between
# the rings, built from the 77 circled training points.

# %% [markdown]
# ## gamma sets the kernel's reach
# `gamma` is an inverse squared length scale. Tiny, and every point looks alike to the kernel, so the boundary is
# nearly linear and underfits; huge, and each training point influences only its immediate neighbourhood, so the
# model memorises the training set and nearly every point becomes a support vector.

# %%
gamma_runs = {}
for g in (0.001, 1.0, 100.0):
    model = make_pipeline(StandardScaler(), SVC(kernel="rbf", C=1.0, gamma=g)).fit(Xc_train, yc_train)
    gamma_runs[g] = (model.score(Xc_train, yc_train), model.score(Xc_test, yc_test), int(model[-1].n_support_.sum()))
    print(f"gamma = {g:>6}: train {gamma_runs[g][0]:.3f}, test {gamma_runs[g][1]:.3f}, "
          f"{gamma_runs[g][2]} support vectors")
assert gamma_runs[0.001][1] < 0.55, "gamma = 0.001 underfits: chance level on the test set"
assert gamma_runs[100.0][0] > 0.99 and gamma_runs[100.0][1] < gamma_runs[1.0][1] - 0.05, \
    "gamma = 100 fits the training set but loses over 5 points on the test set"
assert gamma_runs[100.0][2] == 266 and round(gamma_runs[100.0][0], 3) == 0.996, \
    "... with 266 of 280 points as support vectors and 99.6% training accuracy"

# %% [markdown]
# ## What makes a kernel valid
# A kernel must be an inner product in some feature space, which holds exactly when every Gram matrix
# $K_{ij} = K(x_i, x_j)$ it produces is symmetric positive semi-definite (Mercer's condition). The RBF Gram matrix on
# the training rings has no negative eigenvalue beyond rounding error. The "sigmoid kernel" $\tanh(\gamma\,x\cdot z + r)$
# and the negative squared distance $-\lVert x - z\rVert^2$ are similarities too, but their Gram matrices have clearly
# negative eigenvalues, so they are not inner products and the SVM's dual need not be convex with them.

# %%
Z = StandardScaler().fit_transform(Xc_train)
eig_rbf = np.linalg.eigvalsh(rbf_kernel(Z, gamma=1.0)).min()
eig_sigmoid = np.linalg.eigvalsh(sigmoid_kernel(Z, gamma=1.0, coef0=1.0)).min()
eig_negsq = np.linalg.eigvalsh(-euclidean_distances(Z, squared=True)).min()
print(f"smallest eigenvalue: RBF {eig_rbf:.1e}, sigmoid {eig_sigmoid:.1f}, negative squared distance {eig_negsq:.0f}")
assert eig_rbf > -1e-10, "the RBF Gram matrix is positive semi-definite"
assert eig_sigmoid < -1 and eig_negsq < -100, "the other two are not"

# %% [markdown]
# ## Probabilities and more than two classes
# `SVC`'s `decision_function` is the signed distance to the boundary times $\lVert w\rVert$ (in the kernel's feature
# space), not a probability. Platt scaling fits a logistic curve to the scores, on data the
# SVM was not trained on; in scikit-learn 1.9 the old `SVC(probability=True)` is deprecated in favour of
# `CalibratedClassifierCV(SVC(), method="sigmoid", ensemble=False)`, which fits the sigmoid on cross-validated
# scores. For $m$ classes `SVC` trains $m(m-1)/2$ one-against-one machines, `LinearSVC` $m$ one-against-rest ones.

# %%
platt = CalibratedClassifierCV(make_pipeline(StandardScaler(), SVC(C=1.0, gamma=1.0)), method="sigmoid",
                               ensemble=False, cv=cv).fit(Xc_train, yc_train)
proba = platt.predict_proba(Xc_test)[:, 1]
print(f"Platt probabilities on the test rings: from {proba.min():.3f} to {proba.max():.3f}")
assert np.all((proba > 0) & (proba < 1)), "the sigmoid gives probabilities strictly between 0 and 1"
assert np.mean((proba > 0.5) == yc_test) > 0.95, "thresholded at 0.5 they classify as well as the SVM"

X4, y4 = make_blobs(n_samples=200, centers=4, random_state=0)
ovo = SVC(decision_function_shape="ovo").fit(X4, y4).decision_function(X4)
ovr = LinearSVC().fit(X4, y4)
print(f"4 classes: SVC has {ovo.shape[1]} pairwise machines, LinearSVC {ovr.coef_.shape[0]} one-vs-rest ones")
assert ovo.shape[1] == 6 and ovr.coef_.shape[0] == 4, "m(m-1)/2 = 6 against m = 4"
