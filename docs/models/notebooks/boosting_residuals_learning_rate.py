# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/boosting.md}
# ---

# %% [markdown]
# # Boosting: trees fitted to residuals, learning rate against number of trees, and one AdaBoost round
# With squared loss the negative gradient is the residual, so gradient boosting fits each new tree to what the model
# still gets wrong; we check that step by step and against scikit-learn. Then we trade the learning rate against the
# number of trees on held-out data, and replay the page's AdaBoost round.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import AdaBoostClassifier, GradientBoostingRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlguide.models.boosting import adaboost_round, adaboost_stumps, gradient_boost_squared

START = time.perf_counter()

# %% [markdown]
# ## Pseudo-residuals of squared loss are the residuals
# For $L(y, F) = \tfrac12 (y - F)^2$ the negative gradient with respect to the prediction is $y - F$. A central
# finite difference confirms it at arbitrary points.

# %%
rng = np.random.default_rng(0)
y_pts, F_pts, eps = rng.normal(size=5), rng.normal(size=5), 1e-6
loss = lambda y, F: 0.5 * (y - F) ** 2  # noqa: E731
neg_grad = -(loss(y_pts, F_pts + eps) - loss(y_pts, F_pts - eps)) / (2 * eps)
assert np.allclose(neg_grad, y_pts - F_pts, atol=1e-8)

# %% [markdown]
# ## Each stump is fitted to the current residuals
# Sixty points from $y = \sin(2\pi x) + \varepsilon$, $\varepsilon \sim N(0, 0.3^2)$, boosted with stumps (one split
# each) and learning rate $\nu = 0.5$. For every step we refit a stump to $y - F_{m-1}$ ourselves and compare. Because
# a least-squares tree predicts the mean residual in each leaf, $\sum_i r_i h(x_i) = \sum_i h(x_i)^2$, so the training
# squared error falls by exactly $\nu(2-\nu)\sum_i h(x_i)^2$ at every step: it never rises.

# %%
x1 = np.sort(rng.uniform(size=60))
X1, y1 = x1[:, None], np.sin(2 * np.pi * x1) + rng.normal(scale=0.3, size=60)
NU = 0.5
model1 = gradient_boost_squared(X1, y1, n_trees=100, learning_rate=NU, max_depth=1, random_state=0)
F = np.full(len(y1), model1.init)                                 # F_0 = mean(y)
sse = [np.sum((y1 - F) ** 2)]
for tree in model1.trees:
    r = y1 - F                                                     # residuals of the current model
    h = tree.predict(X1)
    assert np.allclose(h, DecisionTreeRegressor(max_depth=1).fit(X1, r).predict(X1)), "tree = fit to residuals"
    F = F + NU * h
    sse.append(np.sum((y1 - F) ** 2))
    assert np.isclose(sse[-1], np.sum(r**2) - NU * (2 - NU) * np.sum(h**2)), "the exact drop"
assert np.allclose(F, model1.predict(X1))
sse = np.array(sse)
assert np.all(np.diff(sse) <= 1e-12), "training error never rises"
print("training SSE after 0, 1, 3, 10, 100 stumps:", sse[[0, 1, 3, 10, 100]].round(2))

# %% tags=["figure:boosting-residual-fits"]
grid = np.linspace(0, 1, 400)[:, None]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
left.plot(x1, y1, "o", color="grey", markersize=3, label="data")
for m in (0, 1, 3, 100):
    left.plot(grid[:, 0], model1.predict(grid, n_trees=m), label=f"$F_{{{m}}}$")
left.set_xlabel("x")
left.set_ylabel("y")
left.set_title("The fit after m stumps ($\\nu$ = 0.5)")
left.legend(frameon=False, fontsize=8, ncol=2)
r3 = y1 - model1.predict(X1, n_trees=3)
right.axhline(0, color="grey", linewidth=0.8)
right.plot(x1, r3, "o", markersize=3, label="residuals $y - F_3$")
right.plot(grid[:, 0], model1.trees[3].predict(grid), label="stump 4, fitted to them")
right.set_xlabel("x")
right.set_title("The next stump fits the residuals")
right.legend(frameon=False, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The same model as scikit-learn's
# On Friedman's first benchmark (400 training rows, ten features, five of them noise), our loop and
# `GradientBoostingRegressor` give the same predictions on new data, stage by stage.

# %%
X, y = make_friedman1(n_samples=400, noise=1.0, random_state=0)
X_test, y_test = make_friedman1(n_samples=1000, noise=1.0, random_state=1)
ours = gradient_boost_squared(X, y, n_trees=100, learning_rate=0.1, max_depth=2, random_state=0)
sk = GradientBoostingRegressor(n_estimators=100, learning_rate=0.1, max_depth=2, random_state=0).fit(X, y)
ours_staged = ours.init + ours.learning_rate * np.cumsum([tree.predict(X_test) for tree in ours.trees], axis=0)
gap = max(np.abs(mine - theirs).max() for mine, theirs in zip(ours_staged, sk.staged_predict(X_test)))
print(f"largest difference over all 100 stages: {gap:.1e}")
assert gap < 1e-9

# %% [markdown]
# ## Learning rate against number of trees
# Depth-2 trees, learning rates 1, 0.3 and 0.1, and $\nu = 0.1$ again with each tree fitted on a random half of the
# rows (stochastic gradient boosting). We track the test error of every prefix of the ensemble on 1,000 fresh rows.

# %%
runs = {"ν = 1": dict(learning_rate=1.0, n_estimators=100),
        "ν = 0.3": dict(learning_rate=0.3, n_estimators=300),
        "ν = 0.1": dict(learning_rate=0.1, n_estimators=1000),
        "ν = 0.1, subsample 0.5": dict(learning_rate=0.1, n_estimators=1000, subsample=0.5)}
curves, train_curves = {}, {}
for name, kw in runs.items():
    gb = GradientBoostingRegressor(max_depth=2, random_state=0, **kw).fit(X, y)
    curves[name] = np.array([np.mean((y_test - p) ** 2) for p in gb.staged_predict(X_test)])
    train_curves[name] = gb.train_score_
summary = {}
for name, c in curves.items():
    best = c.min()
    summary[name] = dict(best=best, at=int(c.argmin()) + 1, within5=int(np.argmax(c <= 1.05 * best)) + 1, last=c[-1])
    print(f"{name:24s} best test MSE {best:.2f} at {summary[name]['at']:4d} trees; within 5% of it from "
          f"{summary[name]['within5']:4d} trees; at the end {c[-1]:.2f}")

# %% tags=["figure:boosting-learning-rate-vs-trees"]
fig, ax = plt.subplots(figsize=(7, 4))
for (name, c), colour in zip(curves.items(), ["C3", "C1", "C0", "C2"]):
    trees = np.arange(1, len(c) + 1)
    ax.plot(trees, c, color=colour, label=name)
    ax.plot(summary[name]["at"], summary[name]["best"], "o", color=colour)
ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
ax.text(1.2, 1.08, "noise variance", color="grey", fontsize=8)
ax.set_xscale("log")
ax.set_ylim(0, 14)
ax.set_xlabel("number of trees")
ax.set_ylabel("test mean squared error")
ax.set_title("Smaller steps need more trees and reach a lower error")
ax.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# With $\nu = 1$ the test error bottoms out within a few dozen trees and then climbs as later trees fit noise.
# Cutting $\nu$ tenfold needed about 13 times the trees to come within 5% of its best (19 against 247) and about 24
# times to reach it (22 against 529); the best is lower and the curve flatter
# after it, which makes the number of trees less critical. Fitting each tree on half the rows lowers the error
# further at the same $\nu$. Training error keeps falling throughout, so it cannot pick the number of trees.

# %%
s1, s3, s10, sub = (summary[k] for k in runs)
assert s1["best"] > 2 * s10["best"], "nu = 1 is far worse than nu = 0.1"
assert s1["best"] > s3["best"] > s10["best"], "smaller steps reach a lower test error here"
assert s1["within5"] < s3["within5"] < s10["within5"], "and need more trees to get there"
assert (s1["within5"], s10["within5"]) == (19, 247), "about 13 times the trees to come within 5%"
assert (s1["at"], s10["at"]) == (22, 529), "about 24 times the trees to reach the best"
assert s1["last"] > 1.1 * s1["best"], "nu = 1 overfits: later trees raise the test error"
assert s10["last"] < 1.05 * s10["best"], "nu = 0.1 stays within 5% of its best up to 1,000 trees"
assert sub["best"] < s10["best"], "subsampling half the rows helps at nu = 0.1"
for name, tr in train_curves.items():
    assert np.all(np.diff(tr) <= 1e-12) or "subsample" in name, "full-data training loss never rises"

# %% [markdown]
# ## One AdaBoost round by hand
# The page's ten points on a line, $x = 1, \dots, 10$, labels $- - + + + - - + + -$. The first stump, "$+1$ when
# $x > 2.5$", misses $x = 6, 7, 10$.

# %%
x_ada = np.arange(1, 11, dtype=float)[:, None]
y_ada = np.array([-1, -1, 1, 1, 1, -1, -1, 1, 1, -1])
w0 = np.full(10, 0.1)
h1 = np.where(x_ada[:, 0] > 2.5, 1, -1)
err1, alpha1, w1 = adaboost_round(y_ada, h1, w0)
h2 = np.where(x_ada[:, 0] < 5.5, 1, -1)
err2, alpha2, w2 = adaboost_round(y_ada, h2, w1)
print(f"round 1: err {err1:.3f}, alpha {alpha1:.4f}; weights now {w1.round(4)}")
print(f"round 2: err {err2:.4f}, alpha {alpha2:.4f}")
assert np.isclose(err1, 0.3) and np.isclose(alpha1, 0.5 * np.log(7 / 3))
assert np.allclose(w1[h1 != y_ada], 1 / 6) and np.allclose(w1[h1 == y_ada], 1 / 14)
assert np.isclose(w1[h1 != y_ada].sum(), 0.5), "stump 1 is a coin flip under the new weights"
assert np.isclose(err2, 2 / 7) and np.isclose(alpha2, 0.5 * np.log(2.5))

stumps, alphas, errors = adaboost_stumps(x_ada, y_ada, n_rounds=2)
sk_ada = AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1), n_estimators=2, random_state=0)
sk_ada.fit(x_ada, y_ada)
assert np.array_equal(stumps[0].predict(x_ada), h1) and np.array_equal(stumps[1].predict(x_ada), h2)
assert np.allclose(sk_ada.estimator_errors_, [err1, err2])
assert np.allclose(sk_ada.estimator_weights_, [2 * alpha1, 2 * alpha2]), "scikit-learn's vote is 2 alpha"

# %% [markdown]
# ## The training-error bound
# Freund and Schapire's bound: after $M$ rounds the training error is at most $\prod_m 2\sqrt{e_m(1-e_m)}$, where
# $e_m$ is round $m$'s weighted error. We check it round by round with 40 stumps on 400 points of Friedman's data,
# labelled by whether $y$ exceeds its median.

# %%
y_cls = np.where(y > np.median(y), 1, -1)
stumps, alphas, errors = adaboost_stumps(X, y_cls, n_rounds=40)
score = np.cumsum([a * s.predict(X) for a, s in zip(alphas, stumps)], axis=0)
train_err = np.mean(np.sign(score) != y_cls, axis=1)
bound = np.cumprod(2 * np.sqrt(errors * (1 - errors)))
assert np.all(train_err <= bound), "training error never exceeds the bound"
print(f"after 40 rounds: training error {train_err[-1]:.3f}, bound {bound[-1]:.3f}")

# %%
ELAPSED = time.perf_counter() - START
print(f"ran in {ELAPSED:.1f} s")
