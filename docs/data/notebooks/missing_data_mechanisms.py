# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/missing-data.md}
# ---

# %% [markdown]
# # Missing data: what deletion and imputation do to estimates and predictions
# We delete about 30% of one feature under three mechanisms (completely at random, at random given another feature, and
# depending on the missing value itself) and measure what complete-case analysis and four imputers do to its mean,
# spread and correlation. Then we turn to prediction: when a missing-value indicator helps, what a gradient-boosted
# model does with NaN natively, and how imputing with the target in view inflates a cross-validated score.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (IterativeImputer is still experimental)
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from mlguide.data.imputation import fit_mean_imputer, mean_impute_with_indicator

START = time.perf_counter()
P_MISSING = 0.3


def missing_probability(driver, slope):
    """P(missing) = sigmoid(a + slope * driver), with a chosen so that the average probability is exactly 0.3."""
    a = brentq(lambda a: expit(a + slope * driver).mean() - P_MISSING, -30, 30)
    return expit(a + slope * driver)


# %% [markdown]
# ## Part 1: one feature, three mechanisms, five ways to handle the gaps
# Two standard-normal features, $x$ and $z$, have correlation 0.6 across 6,000 rows. We hide about 30% of $x$ and
# keep $z$ complete. The mechanisms differ only in what drives the probability of a gap, a logistic curve with slope 2:
#
# * **MCAR**: nothing, every entry of $x$ has probability 0.3;
# * **MAR**: the observed $z$, so rows with large $z$ (and so, on average, large $x$) lose $x$ more often;
# * **MNAR**: $x$ itself, so large values hide themselves.
#
# The same uniform draws decide the gaps in all three, so only the mechanism changes. For each we compare the
# complete data ("truth") with: the mean of the observed values (complete cases); mean imputation; regression
# imputation (`IterativeImputer`, whose default Bayesian ridge model here is a regression of $x$ on $z$); stochastic
# regression imputation (the same, with `sample_posterior=True`, which adds a draw of the residual); and $k$-NN
# imputation (`KNNImputer`, the average $x$ of the 5 rows nearest in $z$).

# %%
rng = np.random.default_rng(0)
n, rho = 6_000, 0.6
z = rng.normal(size=n)
x = rho * z + np.sqrt(1 - rho**2) * rng.normal(size=n)
u = rng.random(n)
mechanisms = {
    "MCAR": np.full(n, P_MISSING),
    "MAR": missing_probability(z, 2.0),
    "MNAR": missing_probability(x, 2.0),
}
truth = {"mean": x.mean(), "sd": x.std(), "corr": np.corrcoef(x, z)[0, 1]}


def summary(col):
    return {"mean": col.mean(), "sd": col.std(), "corr": np.corrcoef(col, z)[0, 1]}


table, holed = {}, {}
for mech, prob in mechanisms.items():
    x_holed = np.where(u < prob, np.nan, x)
    holed[mech] = x_holed
    X = np.column_stack([x_holed, z])
    obs = ~np.isnan(x_holed)
    table[mech] = {
        "complete cases": {"mean": x[obs].mean(), "sd": x[obs].std(),
                           "corr": np.corrcoef(x[obs], z[obs])[0, 1]},
        "mean imputation": summary(SimpleImputer().fit_transform(X)[:, 0]),
        "regression": summary(IterativeImputer(random_state=0).fit_transform(X)[:, 0]),
        "stochastic regression": summary(
            IterativeImputer(sample_posterior=True, random_state=0).fit_transform(X)[:, 0]),
        "k-NN (k=5)": summary(KNNImputer(n_neighbors=5).fit_transform(X)[:, 0]),
    }
    print(f"{mech}: {np.isnan(x_holed).mean():.3f} of x missing")

print(f"\n{'':24s}" + "".join(f"{m:>22s}" for m in mechanisms))
print(f"{'truth':24s}" + f"{truth['mean']:+9.2f} {truth['sd']:5.2f} {truth['corr']:5.2f}" * 3)
for method in table["MCAR"]:
    cells = "".join(f"{table[m][method]['mean']:+9.2f} {table[m][method]['sd']:5.2f} "
                    f"{table[m][method]['corr']:5.2f}" for m in mechanisms)
    print(f"{method:24s}{cells}")

# %% [markdown]
# Each cell reads mean, standard deviation, correlation with $z$. Under MCAR the complete cases are a random
# subsample, so all three statistics survive deletion; mean imputation keeps the mean but multiplies the variance
# by about the fraction observed, $1-p \approx 0.7$, and the correlation by about $\sqrt{0.7} \approx 0.84$. Regression
# imputation puts every imputed point on the regression line: the mean survives MCAR and MAR, but the spread is too
# small and the correlation too large. Adding a residual draw fixes both under MCAR and MAR. $k$-NN imputation is a
# local regression and errs the same way, almost as much: the mean of $k$ donors keeps only $1/k$ of the residual
# variance $1-\rho^2$, so under MCAR the column's variance is about $1 - p(1-\rho^2)(1 - 1/k)$, against
# $1 - p(1-\rho^2)$ for regression ($k = 1$, a hot deck, keeps the spread). Under MNAR every method is biased,
# because nothing observed tells the imputer how large the hidden values were.
#
# The variance identity is exact: with $n_o$ of $n$ values observed, mean imputation adds $n - n_o$ zero deviations,
# so the imputed column's sample variance is $(n_o - 1)/(n - 1)$ times the observed values' variance.

# %%
def cell(mech, method, stat):
    return table[mech][method][stat]


# Truth: the complete data before any deletion.
assert abs(truth["mean"]) < 0.03 and abs(truth["sd"] - 1) < 0.02 and abs(truth["corr"] - 0.6) < 0.02

# The exact variance identity for mean imputation (sample variances, ddof = 1).
x_mcar = holed["MCAR"]
obs = ~np.isnan(x_mcar)
n_obs = int(obs.sum())
imputed = np.where(obs, x_mcar, x_mcar[obs].mean())
assert np.isclose(imputed.var(ddof=1), (n_obs - 1) / (n - 1) * x_mcar[obs].var(ddof=1), rtol=1e-12)
p_hat = 1 - n_obs / n
print(f"MCAR: p = {p_hat:.3f}; variance ratio {(cell('MCAR', 'mean imputation', 'sd') / truth['sd'])**2:.3f}, "
      f"correlation ratio {cell('MCAR', 'mean imputation', 'corr') / truth['corr']:.3f} "
      f"(predicted {1 - p_hat:.3f} and {np.sqrt(1 - p_hat):.3f})")

# MCAR: deletion and mean imputation keep the mean; mean imputation shrinks variance by ~(1 - p), correlation by ~sqrt(1 - p).
for method in ("complete cases", "mean imputation"):
    assert abs(cell("MCAR", method, "mean") - truth["mean"]) < 0.03
assert abs((cell("MCAR", "mean imputation", "sd") / truth["sd"]) ** 2 - (1 - p_hat)) < 0.03
assert abs(cell("MCAR", "mean imputation", "corr") / truth["corr"] - np.sqrt(1 - p_hat)) < 0.03
for stat in ("sd", "corr"):
    assert abs(cell("MCAR", "complete cases", stat) - truth[stat]) < 0.03

# Regression imputation: correlation inflated, spread too small (MCAR and MAR); theory under MCAR:
# corr = rho / sqrt(1 - p + p rho^2) = 0.667, sd = sqrt(1 - p + p rho^2) = 0.90.
for mech in ("MCAR", "MAR"):
    assert abs(cell(mech, "regression", "mean") - truth["mean"]) < 0.03
    assert cell(mech, "regression", "corr") > truth["corr"] + 0.05
    assert cell(mech, "regression", "sd") < truth["sd"] - 0.05
    # stochastic regression imputation recovers all three
    for stat in ("mean", "sd", "corr"):
        assert abs(cell(mech, "stochastic regression", stat) - truth[stat]) < 0.03, (mech, stat)
assert abs(cell("MCAR", "regression", "corr") - rho / np.sqrt(1 - P_MISSING + P_MISSING * rho**2)) < 0.02

# k-NN imputation averages 5 donors, a local regression: 1/5 of the residual variance survives, so its spread sits
# just above regression's and below the truth, and its correlation with z is inflated too (MCAR and MAR).
assert cell("MCAR", "regression", "sd") < cell("MCAR", "k-NN (k=5)", "sd") < truth["sd"] - 0.05
for mech in ("MCAR", "MAR"):
    assert cell(mech, "k-NN (k=5)", "corr") > truth["corr"] + 0.03, mech
# Variance ratios under MCAR against 1 - p (1 - rho^2)(1 - 1/k), with k = 5 and, for regression, k = infinity.
rho_hat = truth["corr"]
for method, k in (("k-NN (k=5)", 5), ("regression", np.inf)):
    ratio = (cell("MCAR", method, "sd") / truth["sd"]) ** 2
    predicted = 1 - p_hat * (1 - rho_hat**2) * (1 - 1 / k)
    print(f"{method}: variance ratio {ratio:.3f}, predicted {predicted:.3f}")
    assert abs(ratio - predicted) < 0.02, method
    assert round(ratio, 2) == {"k-NN (k=5)": 0.84, "regression": 0.81}[method]   # the values on the page

# MAR: complete cases and mean imputation are biased; regression-based imputation is not.
assert cell("MAR", "mean imputation", "mean") < truth["mean"] - 0.15
assert abs(cell("MAR", "k-NN (k=5)", "mean") - truth["mean"]) < 0.04

# MNAR: every method underestimates the mean; using z removes only part of the bias.
for method in table["MNAR"]:
    assert cell("MNAR", method, "mean") < truth["mean"] - 0.15, method
assert cell("MNAR", "regression", "mean") > cell("MNAR", "mean imputation", "mean") + 0.05

# The table on the page, every cell as (mean, sd, correlation with z), rounded to two decimals.
page_table = {
    "complete cases":        {"MCAR": (0.01, 1.00, 0.60), "MAR": (-0.22, 0.94, 0.53), "MNAR": (-0.37, 0.84, 0.52)},
    "mean imputation":       {"MCAR": (0.01, 0.84, 0.51), "MAR": (-0.22, 0.79, 0.37), "MNAR": (-0.37, 0.71, 0.42)},
    "regression":            {"MCAR": (0.02, 0.90, 0.67), "MAR": (0.00, 0.90, 0.67), "MNAR": (-0.26, 0.76, 0.61)},
    "stochastic regression": {"MCAR": (0.01, 1.00, 0.60), "MAR": (0.00, 1.00, 0.60), "MNAR": (-0.26, 0.86, 0.55)},
    "k-NN (k=5)":            {"MCAR": (0.02, 0.92, 0.65), "MAR": (0.02, 0.95, 0.67), "MNAR": (-0.26, 0.77, 0.59)},
}
for method, row in page_table.items():
    for mech, expected in row.items():
        got = [cell(mech, method, stat) for stat in ("mean", "sd", "corr")]
        assert np.allclose(got, expected, atol=0.005 + 1e-9), (method, mech, got)
assert np.allclose([truth["mean"], truth["sd"], truth["corr"]], (0.01, 1.01, 0.60), atol=0.005)
assert round(p_hat, 3) == 0.287

# %% [markdown]
# ## Part 2: listwise deletion in a regression
# Deleting incomplete rows is safe for a regression of $y$ on $x$ whenever the gaps do not depend on $y$ once $x$ is
# known, even when they depend on the missing $x$ itself (MNAR), because the complete rows still follow the same
# conditional distribution of $y$ given $x$. The mean of $y$ over those rows is still biased. When gaps in $x$ depend on
# the observed $y$ (MAR), the fitted line is biased.

# %%
rng = np.random.default_rng(2)
n_reg = 20_000
x_r = rng.normal(size=n_reg)
y_r = 1 + 2 * x_r + rng.normal(size=n_reg)
u_r = rng.random(n_reg)
complete_case = {}
for name, prob in {"MCAR": np.full(n_reg, P_MISSING), "depends on x (MNAR)": missing_probability(x_r, 2.0),
                   "depends on y (MAR)": missing_probability(y_r, 1.0)}.items():
    keep = u_r >= prob
    slope, intercept = np.polyfit(x_r[keep], y_r[keep], 1)
    complete_case[name] = (slope, intercept, y_r[keep].mean())
    print(f"{name:22s} slope {slope:.3f}  intercept {intercept:.3f}  mean of y over complete rows {y_r[keep].mean():.3f}"
          f"  (all rows {y_r.mean():.3f})")

# %%
for name in ("MCAR", "depends on x (MNAR)"):
    slope, intercept, _ = complete_case[name]
    assert abs(slope - 2) < 0.04 and abs(intercept - 1) < 0.03, name
slope, intercept, _ = complete_case["depends on y (MAR)"]
assert slope < 1.85 and intercept < 0.8
assert complete_case["depends on x (MNAR)"][2] < y_r.mean() - 0.5   # the mean of y is biased all the same
assert round(complete_case["depends on y (MAR)"][0], 2) == 1.81 and round(complete_case["depends on x (MNAR)"][0], 2) == 1.98

# %% [markdown]
# ## Part 3: when missingness is informative, the indicator carries it
# Now a prediction task: $y = x_1 + 2x_2 + \varepsilon$ with $x_1, x_2$ standard normal, correlated 0.5, and
# $\varepsilon$ standard normal noise. About 30% of $x_2$ is missing, either completely at random or, MNAR, more often
# when $x_2$ is large. Half of 10,000 rows train, the other half test. We compare a linear regression after mean
# imputation, the same with a missing-value indicator, and `HistGradientBoostingRegressor` given the NaNs directly,
# and with the NaNs mean-imputed first. The mean-plus-indicator step is `mean_impute_with_indicator`, checked against
# scikit-learn's `SimpleImputer(add_indicator=True)`.
#
# Even under MCAR the best predictor changes with the pattern: when $x_2$ is missing,
# $E[y \mid x_1] = x_1 + 2 \cdot 0.5\,x_1 = 2x_1$, so the slope of $x_1$ doubles. An indicator only shifts the
# intercept; the interaction $r x_1$ (indicator times $x_1$) lets the slope change too, and we compare that model
# with the Bayes predictor, $x_1 + 2x_2$ or $2x_1$.

# %%
rng = np.random.default_rng(1)
n_pred = 10_000
x1 = rng.normal(size=n_pred)
x2 = 0.5 * x1 + np.sqrt(0.75) * rng.normal(size=n_pred)
y = x1 + 2 * x2 + rng.normal(size=n_pred)
u_p = rng.random(n_pred)
train = np.arange(n_pred) < n_pred // 2
test = ~train
X_complete = np.column_stack([x1, x2])
r2_no_missing = r2_score(y[test], LinearRegression().fit(X_complete[train], y[train]).predict(X_complete[test]))

scores = {}
for mech, prob in {"MCAR": np.full(n_pred, P_MISSING), "MNAR": missing_probability(x2, 2.0)}.items():
    X = X_complete.copy()
    X[u_p < prob, 1] = np.nan
    means, flagged = fit_mean_imputer(X[train])                       # fitted on the training rows only
    Z_train = mean_impute_with_indicator(X[train], means, flagged)
    Z_test = mean_impute_with_indicator(X[test], means, flagged)
    sk = SimpleImputer(add_indicator=True).fit(X[train])
    assert np.allclose(Z_train, sk.transform(X[train])) and np.allclose(Z_test, sk.transform(X[test]))

    r2 = {}
    r2["linear, mean imputed"] = r2_score(y[test], LinearRegression().fit(Z_train[:, :2], y[train]).predict(Z_test[:, :2]))
    r2["linear, mean + indicator"] = r2_score(y[test], LinearRegression().fit(Z_train, y[train]).predict(Z_test))
    r2["boosting, NaN as is"] = r2_score(
        y[test], HistGradientBoostingRegressor(random_state=0).fit(X[train], y[train]).predict(X[test]))
    r2["boosting, mean imputed"] = r2_score(
        y[test], HistGradientBoostingRegressor(random_state=0).fit(Z_train[:, :2], y[train]).predict(Z_test[:, :2]))
    with_slope = lambda Z: np.column_stack([Z, Z[:, 0] * Z[:, 2]])   # x1, x2 filled, indicator r, and r * x1
    r2["linear, indicator + r x1"] = r2_score(
        y[test], LinearRegression().fit(with_slope(Z_train), y[train]).predict(with_slope(Z_test)))
    scores[mech] = r2

    # With an indicator, a linear model's fit does not depend on the fill value: x_filled(c) = x_filled(0) + c * indicator.
    zero_fill = np.column_stack([np.nan_to_num(X[:, 1]), np.isnan(X[:, 1])])
    Z0 = np.column_stack([X[:, 0], zero_fill])
    pred_zero = LinearRegression().fit(Z0[train], y[train]).predict(Z0[test])
    pred_mean = LinearRegression().fit(Z_train, y[train]).predict(Z_test)
    assert np.allclose(pred_zero, pred_mean, atol=1e-9)

print(f"test R^2 with no missing values (linear): {r2_no_missing:.3f}")
for mech, r2 in scores.items():
    print(mech, {k: round(v, 3) for k, v in r2.items()})

# %%
mcar, mnar = scores["MCAR"], scores["MNAR"]
gain_mcar = mcar["linear, mean + indicator"] - mcar["linear, mean imputed"]
gain_mnar = mnar["linear, mean + indicator"] - mnar["linear, mean imputed"]
print(f"indicator gain in R^2: MCAR {gain_mcar:+.4f}, MNAR {gain_mnar:+.4f}")
assert abs(gain_mcar) < 0.002                      # uninformative gaps: nothing to learn from the indicator
assert gain_mnar > 0.1                             # informative gaps: the indicator is worth 0.13 of R^2
assert mnar["linear, mean + indicator"] > mcar["linear, mean + indicator"] + 0.03   # the gaps themselves carry signal
assert abs(mnar["boosting, NaN as is"] - mnar["linear, mean + indicator"]) < 0.01
for r2 in (mcar, mnar):
    assert abs(r2["boosting, mean imputed"] - r2["boosting, NaN as is"]) < 0.005      # trees isolate the fill value
for key, value in {("MCAR", "linear, mean imputed"): 0.75, ("MCAR", "linear, mean + indicator"): 0.75,
                   ("MNAR", "linear, mean imputed"): 0.67,
                   ("MNAR", "linear, mean + indicator"): 0.80, ("MNAR", "boosting, NaN as is"): 0.80}.items():
    assert abs(scores[key[0]][key[1]] - value) < 0.005, (key, scores[key[0]][key[1]])
assert round(r2_no_missing, 2) == 0.88 and round(gain_mnar, 2) == 0.13

# Under MCAR the intercept-only indicator adds nothing, but pattern-wise slopes do: r * x1 reaches the Bayes predictor.
gap_test = u_p[test] < P_MISSING                       # the MCAR gaps of the test rows
bayes_mcar = r2_score(y[test], np.where(gap_test, 2 * x1[test], x1[test] + 2 * x2[test]))
print(f"MCAR: linear with r * x1 {mcar['linear, indicator + r x1']:.3f}, Bayes predictor {bayes_mcar:.3f}")
assert mcar["linear, indicator + r x1"] > mcar["linear, mean + indicator"] + 0.015
assert abs(mcar["linear, indicator + r x1"] - bayes_mcar) < 0.005
assert round(mcar["linear, indicator + r x1"], 2) == 0.77 and round(bayes_mcar, 2) == 0.77

# %% [markdown]
# ## Part 4: imputation inside cross-validation, and a leak through the target
# A frequent slip is to impute the whole table, target column included, before cross-validating. Here $y$ depends on
# four features plus noise and half of the first feature is missing completely at random. Imputing with $y$ in view
# fills each gap with a value computed from that row's own target, so the held-out folds carry their answers.
# Imputing without $y$ but on all rows before splitting (a label-free leak) barely matters; the honest version puts the
# imputer in the pipeline, fitted on the training folds only.

# %%
rng = np.random.default_rng(3)
n_cv, d = 2_000, 4
X_cv = rng.normal(size=(n_cv, d))
y_cv = X_cv @ np.array([1.0, 0.5, 0.5, 0.5]) + 1.5 * rng.normal(size=n_cv)
X_cv_holed = X_cv.copy()
X_cv_holed[rng.random(n_cv) < 0.5, 0] = np.nan
folds = KFold(5, shuffle=True, random_state=0)

cv = {
    "no missing values": cross_val_score(LinearRegression(), X_cv, y_cv, cv=folds).mean(),
    "imputer in the pipeline": cross_val_score(
        make_pipeline(IterativeImputer(random_state=0), LinearRegression()), X_cv_holed, y_cv, cv=folds).mean(),
    "imputed on all rows, without y": cross_val_score(
        LinearRegression(), IterativeImputer(random_state=0).fit_transform(X_cv_holed), y_cv, cv=folds).mean(),
    "imputed on all rows, with y": cross_val_score(
        LinearRegression(),
        IterativeImputer(random_state=0).fit_transform(np.column_stack([X_cv_holed, y_cv]))[:, :d],
        y_cv, cv=folds).mean(),
}
for k, v in cv.items():
    print(f"{k:32s} 5-fold R^2 {v:.3f}")

# %%
assert cv["imputed on all rows, with y"] > cv["no missing values"] + 0.1       # better than having no gaps at all
assert abs(cv["imputed on all rows, without y"] - cv["imputer in the pipeline"]) < 0.005
for key, value in {"no missing values": 0.43, "imputer in the pipeline": 0.29,
                   "imputed on all rows, with y": 0.58}.items():
    assert abs(cv[key] - value) < 0.005, (key, cv[key])

# %% [markdown]
# ## The figure
# Left: under MCAR, mean imputation stacks the imputed rows on one horizontal line, which flattens the cloud (smaller
# variance, weaker correlation), while regression imputation puts them on the fitted line. Middle: under MNAR the
# observed values are mostly the small ones, so their mean, and so the mean-imputed column's, sits well below the
# truth. Right: test $R^2$ of the prediction task; the indicator only helps when the gaps are informative.

# %% tags=["figure:missing-data-imputation-effects"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))

ax = axes[0]
show = np.arange(n) < 700
gap = np.isnan(holed["MCAR"])
reg_fill = IterativeImputer(random_state=0).fit_transform(np.column_stack([holed["MCAR"], z]))[:, 0]
ax.scatter(z[show & ~gap], x[show & ~gap], s=6, color="0.65", label="observed")
ax.scatter(z[show & gap], np.full((show & gap).sum(), np.nanmean(holed["MCAR"])), s=8, color="C1",
           label="mean imputed")
ax.scatter(z[show & gap], reg_fill[show & gap], s=8, color="C0", label="regression imputed")
ax.set(xlabel="z (always observed)", ylabel="x", title="MCAR: about 30% of x missing")
ax.legend(loc="upper left", fontsize=8, markerscale=2)

ax = axes[1]
bins = np.linspace(-4, 4, 41)
ax.hist(x, bins=bins, histtype="step", color="0.3", label="all values")
ax.hist(holed["MNAR"][~np.isnan(holed["MNAR"])], bins=bins, color="C1", alpha=0.6, label="observed values")
ax.axvline(truth["mean"], color="0.3", ls="--")
ax.axvline(np.nanmean(holed["MNAR"]), color="C1", ls="--")
ax.set(xlabel="x", ylabel="rows", title="MNAR: large values hide themselves")
ax.legend(loc="upper left", fontsize=8)

ax = axes[2]
labels = ["linear, mean imputed", "linear, mean + indicator", "boosting, NaN as is"]
width = 0.25
for i, label in enumerate(labels):
    bars = ax.bar(np.arange(2) + (i - 1) * width, [scores["MCAR"][label], scores["MNAR"][label]], width, label=label)
    ax.bar_label(bars, fmt="%.2f", fontsize=7)
ax.axhline(r2_no_missing, color="0.3", ls="--", lw=1, label="linear, no missing values")
ax.set(xticks=[0, 1], xticklabels=["MCAR", "MNAR"], ylim=(0.5, 0.95), ylabel="test $R^2$",
       title="Prediction, about 30% of $x_2$ missing")
ax.legend(loc="upper left", fontsize=7)
fig.tight_layout()
plt.show()

# %%
elapsed = time.perf_counter() - START
print(f"ran in {elapsed:.1f} s")
