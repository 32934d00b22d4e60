# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: foundations/parametric-vs-nonparametric.md}
# ---

# %% [markdown]
# # Linear regression against k-nearest neighbours as the training set grows
# A parametric model (a linear function, $d + 1$ numbers) and a non-parametric one (k-NN regression, which keeps
# every training point) are fitted to training sets of 10 to 3,000 points, on a linear target, a curved target, and the
# curved target with four irrelevant inputs added. Which one wins depends on whether the line's assumption holds,
# on how much data there is, and on the dimension; a last section counts what each model must store.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import SplineTransformer
from sklearn.tree import DecisionTreeRegressor

from mlguide.foundations.nonparametric import knn_loo_mse

START = time.perf_counter()

# %% [markdown]
# ## The three settings
# Inputs are uniform on $[-1, 1]^d$ and $y = f(x) + \varepsilon$ with $\varepsilon \sim N(0, 0.5^2)$. Only the first
# input $x_1$ matters:
#
# - linear: $f(x) = 1 + 2x_1$, with $d = 1$;
# - curved: $f(x) = \sin(3x_1) + x_1$, with $d = 1$;
# - curved with $d = 5$: the same $f$, plus four inputs that have nothing to do with $y$.
#
# We score each fitted model by its *excess* error, the mean of $(\hat f(x) - f(x))^2$ over 500 fixed test inputs
# (their $x_1$ evenly spaced, the other inputs random): in expectation, the test MSE minus the noise variance 0.25,
# which no model can remove.

# %%
SIGMA = 0.5
NS = np.array([10, 30, 100, 300, 1000, 3000])
REPEATS = 10
SETTINGS = {"linear target, d = 1": ("linear", 1), "curved target, d = 1": ("curved", 1),
            "curved target, d = 5 (4 irrelevant inputs)": ("curved", 5)}


def f(X, kind):
    x1 = X[:, 0]
    return 1 + 2 * x1 if kind == "linear" else np.sin(3 * x1) + x1


# %% [markdown]
# ## Choosing k without refitting
# k-NN needs its number of neighbours $k$, a smoothing parameter, chosen from the training data alone. k-NN has no
# fitting step, so the model without point $i$ predicts at $x_i$ the mean of $i$'s $k$ nearest other points, and
# `knn_loo_mse` gets the leave-one-out error of every $k$ from one neighbour search. We average it over 1,000 randomly chosen training points (all of them when $n \le 1000$)
# and take the best $k$ up to 300.

# %%
def fit_and_score(kind, d, n, rng, X_test, f_test):
    X = rng.uniform(-1, 1, size=(n, d))
    y = f(X, kind) + rng.normal(scale=SIGMA, size=n)
    line = LinearRegression().fit(X, y)
    rows = rng.choice(n, size=min(n, 1000), replace=False)
    k = int(np.argmin(knn_loo_mse(X, y, min(n - 1, 300), rows=rows))) + 1
    knn = KNeighborsRegressor(n_neighbors=k).fit(X, y)
    return (np.mean((line.predict(X_test) - f_test) ** 2), np.mean((knn.predict(X_test) - f_test) ** 2), k)


results = {}
for name, (kind, d) in SETTINGS.items():
    rng = np.random.default_rng(0)
    X_test = rng.uniform(-1, 1, size=(500, d))
    X_test[:, 0] = np.linspace(-1, 1, 501)[:-1] + 1 / 500     # x1 on an even grid: the mean is an integral
    f_test = f(X_test, kind)
    runs = np.array([[fit_and_score(kind, d, n, rng, X_test, f_test) for _ in range(REPEATS)] for n in NS])
    results[name] = runs                       # shape (len(NS), REPEATS, 3): line error, k-NN error, chosen k
    print(name)
    for n, r in zip(NS, runs):
        print(f"  n = {n:5d}   line {r[:, 0].mean():.4f}   k-NN {r[:, 1].mean():.4f}   "
              f"median k {np.median(r[:, 2]):.1f}")

# %% tags=["figure:parametric-vs-nonparametric-learning-curves"]
BEST_LINE = (0.5 - np.sin(6) / 12) - 3 * (np.sin(3) / 9 - np.cos(3) / 3) ** 2   # derived in the next section
fig, axes = plt.subplots(1, 3, figsize=(10, 3.9), sharey=True)
for ax, (name, runs) in zip(axes, results.items()):
    ax.plot(NS, runs[:, :, 0].mean(axis=1), marker="o", label="linear regression (d + 1 coefficients)")
    ax.plot(NS, runs[:, :, 1].mean(axis=1), marker="s", label="k-NN regression, k by leave-one-out")
    if "curved" in name:
        ax.axhline(BEST_LINE, color="grey", ls="--", lw=0.8, label="error of the best straight line")
    else:
        ax.plot(NS, SIGMA**2 * 2 / NS, color="grey", ls=":", lw=1, label="theory for the line: $\\sigma^2 (d+1)/n$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("training-set size n")
axes[0].set_ylabel("excess test MSE (mean of 10 runs)")
handles, labels = axes[1].get_legend_handles_labels()
h0, l0 = axes[0].get_legend_handles_labels()
fig.legend(handles + h0[2:], labels + l0[2:], loc="lower center", ncol=4, fontsize=8, frameon=False)
fig.tight_layout(rect=(0, 0.07, 1, 1))
plt.show()

# %% [markdown]
# ## What the curves say
# The straight line's error on the curved target stops falling: it converges to the error of the best straight line,
# $\mathbb{E}[(\sin 3x_1 - b\,x_1)^2]$ with $b = 3\,\mathbb{E}[x_1 \sin 3x_1]$, about 0.165 (the $x_1$ term of $f$ is
# fitted exactly). On the linear target its error falls like the parametric rate $\sigma^2 (d+1)/n$. k-NN keeps
# improving on every target, but more slowly than $1/n$, and more slowly still with four irrelevant inputs diluting
# its neighbourhoods. We measure the slopes on the log-log plot from $n = 100$ on.

# %%
approx_error = BEST_LINE   # E[sin^2(3x)] - Cov(x, sin 3x)^2 / Var(x), for x uniform on [-1, 1]
print(f"error of the best straight line on the curved target: {approx_error:.4f}")


def slope(errors):
    return np.polyfit(np.log(NS[2:]), np.log(errors[2:]), 1)[0]


line_err = {name: runs[:, :, 0].mean(axis=1) for name, runs in results.items()}
knn_err = {name: runs[:, :, 1].mean(axis=1) for name, runs in results.items()}
lin, cur1, cur5 = SETTINGS
for name in SETTINGS:
    print(f"{name}: slope line {slope(line_err[name]):+.2f}, k-NN {slope(knn_err[name]):+.2f}")
print("line error / (sigma^2 (d+1) / n) on the linear target:", np.round(line_err[lin] / (SIGMA**2 * 2 / NS), 2))

# %% [markdown]
# ## A parametric model need not be a straight line
# A cubic regression spline with 4 fixed knots on $[-1, 1]$ is also parametric: 5 basis functions plus an intercept,
# 6 coefficients however large $n$ grows. Its assumption (the target is smooth at the scale of the knots) holds for
# the curved target: in one dimension it beats k-NN from $n = 100$ on, by a factor of more than 2 at $n = 3{,}000$,
# because its error keeps falling at close to the parametric rate while its approximation error is tiny.

# %%
rng = np.random.default_rng(5)
X_test = (np.linspace(-1, 1, 501)[:-1] + 1 / 500)[:, None]
f_test = f(X_test, "curved")
KNOTS = np.linspace(-1, 1, 4)[:, None]
spline_err = []
for n in NS[1:]:
    e = []
    for _ in range(REPEATS):
        X = rng.uniform(-1, 1, size=(n, 1))
        y = f(X, "curved") + rng.normal(scale=SIGMA, size=n)
        basis = SplineTransformer(knots=KNOTS, degree=3, include_bias=False).fit(X)
        model = LinearRegression().fit(basis.transform(X), y)
        e.append(np.mean((model.predict(basis.transform(X_test)) - f_test) ** 2))
    spline_err.append(np.mean(e))
spline_err = np.array(spline_err)
print("n:     ", NS[1:], "\nspline:", np.round(spline_err, 4), "\nk-NN:  ", np.round(knn_err[cur1][1:], 4))
print("spline coefficients:", model.coef_.size + 1)

# %% [markdown]
# ## What each model has to store
# After fitting, the line is $d + 1$ numbers whatever $n$ is. k-NN keeps all $n$ training rows ($n(d+1)$ numbers)
# and compares a query with each of them. A regression tree grown until a split would leave fewer than 5 points in a
# leaf, and kernel ridge regression (one weight per training point, as in a Gaussian process's posterior mean), also
# grow with $n$. Kernel ridge is fitted only up to $n = 1{,}000$: it solves an $n \times n$ system.

# %%
rng = np.random.default_rng(6)
sizes = {}
for n in (100, 1000, 10000):
    X = rng.uniform(-1, 1, size=(n, 1))
    y = f(X, "curved") + rng.normal(scale=SIGMA, size=n)
    line = LinearRegression().fit(X, y)
    tree = DecisionTreeRegressor(min_samples_leaf=5, random_state=0).fit(X, y)
    knn = KNeighborsRegressor(n_neighbors=10).fit(X, y)
    stored_knn = knn._fit_X.size + knn._y.size          # what predict needs: every training row and target
    kernel = KernelRidge(kernel="rbf", gamma=10.0, alpha=0.1).fit(X, y) if n <= 1000 else None
    sizes[n] = {"line": line.coef_.size + 1, "k-NN": stored_knn, "tree leaves": tree.get_n_leaves(),
                "kernel ridge weights": kernel.dual_coef_.size if kernel is not None else None}
    print(n, sizes[n])

# %% [markdown]
# ## Checks
# Every number and claim the page makes about this notebook.

# %%
assert np.all(line_err[lin] < knn_err[lin]), "linear target: the line wins at every n"
ratio = line_err[lin] / (SIGMA**2 * 2 / NS)
assert (round(ratio.min(), 1), round(ratio.max(), 1)) == (0.5, 1.5), "0.5 to 1.5 times sigma^2 (d+1)/n = 0.5/n"
assert abs(slope(line_err[lin]) + 1) < 0.15, "the line's error falls like 1/n"
assert line_err[cur1][0] < knn_err[cur1][0] and np.all(knn_err[cur1][1:] < line_err[cur1][1:]), \
    "curved target, d = 1: k-NN wins from n = 30 on"
assert round(approx_error, 3) == 0.165 and round(line_err[cur1][-1], 3) == 0.165, "the line levels off at 0.165"
assert round(knn_err[cur1][-1], 4) == 0.0024
assert np.all(line_err[cur5][:3] < knn_err[cur5][:3]), "curved, d = 5: the line wins up to n = 100"
assert np.all(knn_err[cur5][3:] < line_err[cur5][3:]), "... and k-NN from n = 300"
assert (round(knn_err[cur5][-1], 3), round(knn_err[cur1][2], 3)) == (0.048, 0.030), \
    "k-NN in 5-D with 3,000 points is worse than in 1-D with 100"
assert round(knn_err[cur5][-1] / knn_err[cur1][-1]) == 20, "irrelevant inputs: 20 times the 1-D error at n = 3,000"
assert abs(slope(knn_err[lin]) + 0.8) < 0.1 and abs(slope(knn_err[cur1]) + 0.8) < 0.1, "about n^-0.8 in 1-D"
assert abs(slope(knn_err[cur5]) + 0.5) < 0.1, "about n^-0.5 in 5-D"
k_100, k_3000 = np.median(results[cur1][2, :, 2]), np.median(results[cur1][-1, :, 2])
assert 19 <= k_100 <= 22 and 150 <= k_3000 <= 175, "the median chosen k grows from about 20 to about 160"
assert model.coef_.size + 1 == 6
assert np.all(spline_err[1:] < knn_err[cur1][2:]), "from n = 100 a smooth parametric model beats k-NN"
assert knn_err[cur1][-1] / spline_err[-1] > 2, "by a factor of over 2 at n = 3,000"
assert all(sizes[n]["line"] == 2 for n in sizes), "the line is 2 numbers at every n"
assert [sizes[n]["k-NN"] for n in sizes] == [200, 2000, 20000], "k-NN stores n (d + 1) numbers"
leaves = [sizes[n]["tree leaves"] for n in sizes]
assert leaves == [16, 162, 1614], "the tree grows with n"
assert [sizes[n]["kernel ridge weights"] for n in (100, 1000)] == [100, 1000]
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
