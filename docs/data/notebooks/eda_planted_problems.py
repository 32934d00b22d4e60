# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/exploratory-data-analysis.md}
# ---

# %% [markdown]
# # Exploratory data analysis on a table with planted problems
# We generate a customer-churn table and plant five problems in it: exact duplicate rows, a column recorded in two
# units, a value range broken by one typo, values missing not at random, and a column that leaks the label. A short
# check finds each one, and an assert confirms that it finds exactly what was planted and nothing else.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats
from scipy.special import expit
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from mlguide.data.eda import duplicate_rows, leak_score, robust_z

START = time.perf_counter()

# %% [markdown]
# ## The table, and what we planted in it
# Each row is one customer at a snapshot date; the label `churned` says whether the customer left within the next
# 30 days. The honest features are age, tenure (months), yearly income (thousands of dollars), monthly spend
# (dollars), the system that recorded the customer (`system`: 0 = web, 1 = store) and the number of support calls.
# Churn is likelier for short tenure, low income, many calls, and for the young and the old alike: its log-odds rise
# with the *square* of the distance from age 45, a U shape.
#
# Then the planted problems:
#
# 1. the store system writes spend in **cents**, not dollars;
# 2. one age is typed as **420** instead of 42;
# 3. **income is missing more often the higher it is** (missing not at random);
# 4. `days_since_login` was computed when the table was *extracted*, 60 days after the snapshot, so it records
#    whether the customer kept logging in after the date the prediction would be made: a **leak**;
# 5. a faulty join wrote **30 rows twice**, and the rows were then shuffled.
#
# The dictionary `planted` keeps the ground truth aside; the checks never read it, only the asserts and one
# demonstration of what imputation does (after check 4) do.

# %%
rng = np.random.default_rng(0)
n = 3000
age = np.clip(np.round(rng.normal(45, 12, n)), 18, 72)
tenure = np.minimum(rng.geometric(1 / 24, n), 120).astype(float)
income = np.round(np.exp(rng.normal(np.log(55), 0.5, n)), 1)
spend = np.round(np.exp(np.log(40) + 0.8 * np.log(income / 55) + rng.normal(0, 0.3, n)), 2)
system = (rng.random(n) < 0.35).astype(float)
calls = rng.poisson(1.0, n).astype(float)
log_odds = -2.6 + ((age - 45) / 12) ** 2 - 0.02 * (tenure - 24) - 2.0 * np.log(income / 55) + 0.6 * (calls - 1)
churned = rng.random(n) < expit(log_odds)
days_since_login = np.round(np.where(churned, rng.uniform(8, 90, n), rng.exponential(6, n)))

planted = {"true_income_mean": income.mean()}
spend_recorded = np.where(system == 1, np.round(spend * 100), spend)           # problem 1: cents
typo = int(rng.choice(np.flatnonzero(age == 42)))
age[typo] = 420                                                                 # problem 2: a typo
income_missing = rng.random(n) < expit(-1.9 + 3.0 * np.log(income / 55))       # problem 3: MNAR
income_recorded = np.where(income_missing, np.nan, income)

names = ["age", "tenure", "income", "spend", "system", "calls", "days_since_login"]
table = np.column_stack([age, tenure, income_recorded, spend_recorded, system, calls, days_since_login])
copied = rng.choice(np.delete(np.arange(n), typo), size=30, replace=False)      # problem 5: 30 rows twice
table = np.vstack([table, table[copied]])
labels = np.concatenate([churned, churned[copied]])
order = rng.permutation(table.shape[0])
table, labels = table[order], labels[order]
planted["income"] = np.concatenate([income, income[copied]])[order]   # every row's true income, gaps included
row_of = np.argsort(order)                       # where each pre-shuffle row ended up
planted["typo_row"] = row_of[typo]
# Of each original and its copy, the later row is the one a duplicate check should flag.
planted["duplicate_rows"] = np.sort(np.maximum(row_of[copied], row_of[n + np.arange(30)]))
col = {name: j for j, name in enumerate(names)}
print(f"{table.shape[0]} rows, {table.shape[1]} feature columns, churn rate {labels.mean():.3f}")

# %% [markdown]
# ## Check 0: shape, types and the target
# Every column is numeric here; in a real table, `df.dtypes` is where a number stored as text shows up. The target is
# imbalanced: about one customer in four churns, so a model that never predicts churn is already 75% accurate, the
# baseline any accuracy must beat. Missing values appear in one column only.

# %%
missing_share = np.isnan(table).mean(axis=0)
for name, share in zip(names, missing_share):
    print(f"{name:18s} missing {share:6.1%}   min {np.nanmin(table[:, col[name]]):9.1f}   "
          f"median {np.nanmedian(table[:, col[name]]):8.1f}   max {np.nanmax(table[:, col[name]]):9.1f}")
print(f"churn rate {labels.mean():.3f}: never predicting churn is {1 - labels.mean():.1%} accurate")

assert [name for name, share in zip(names, missing_share) if share > 0] == ["income"]
assert 0.24 < labels.mean() < 0.255, "the page: about one in four churns"

# %% [markdown]
# ## Check 1: exact duplicate rows
# `duplicate_rows` flags every row that repeats an earlier one in every column, counting two missing values as equal,
# as pandas' `DataFrame.duplicated()` does. A comparison with `==` would miss the copies whose income is missing,
# because NaN never equals NaN. Duplicates are removed *before* splitting: a row on both sides of a split is a test
# example the model has already seen.

# %%
dup = duplicate_rows(table)
nan_copies = int(np.isnan(table[dup, col["income"]]).sum())
print(f"{dup.sum()} duplicate rows; {nan_copies} of them have income missing")

assert np.array_equal(np.flatnonzero(dup), planted["duplicate_rows"]), "exactly the 30 planted copies"
assert nan_copies == 5, "the page: five copies can only be matched with NaN counted equal to NaN"

table, labels = table[~dup], labels[~dup]
planted["income"] = planted["income"][~dup]
planted["typo_row"] -= int(dup[: planted["typo_row"]].sum())          # its position after de-duplication
store = table[:, col["system"]] == 1

# %% [markdown]
# ## Split before looking at the target
# All rows come from one snapshot, so a stratified random split stands in for deployment here; with several snapshots
# we would train on earlier dates and test on later ones, and with several rows per customer we would split by
# customer. The checks that only read the features (ranges, units, which values are missing) run on every row: they
# describe the data pipeline and would run on production data too. Every check that looks at the label, and every value
# fitted for later use, uses the training rows only.

# %%
idx_train, idx_test = train_test_split(
    np.arange(labels.size), test_size=0.2, stratify=labels, random_state=0)
print(f"train {idx_train.size} rows, test {idx_test.size} rows (not looked at again)")

# %% [markdown]
# ## Check 2: ranges and outliers
# A range rule from the domain (adult customers are 18 to 100 years old) and the robust z-score
# $(x - \text{median}) / (1.4826\,\text{MAD})$ both point at one row. The ordinary z-score would flag it too here,
# but a mean and standard deviation can be dragged by the very outliers they are meant to find; the median and MAD
# cannot.

# %%
a = table[:, col["age"]]
out_of_range = np.flatnonzero((a < 18) | (a > 100))
z = robust_z(a)
flagged = np.flatnonzero(np.abs(z) > 3.5)
print(f"out of range: rows {out_of_range}, ages {a[out_of_range]}; robust |z| > 3.5: rows {flagged}, "
      f"z = {z[flagged].round(1)}; largest other |z| {np.sort(np.abs(z))[-2]:.2f}")

assert out_of_range.tolist() == [planted["typo_row"]] == flagged.tolist(), "exactly the planted typo"
assert 31 < z[flagged[0]] < 33 and np.sort(np.abs(z))[-2] < 2.4, "the page: z about 32, every other |z| below 2.4"
ordinary = (a - a.mean()) / a.std(ddof=1)
assert np.flatnonzero(np.abs(ordinary) > 3.5).tolist() == flagged.tolist(), "the ordinary z-score flags it too here"
assert round(ordinary[flagged[0]], 1) == 27.7, "the page: at z = 27.7"
age_fixed = a.copy()
age_fixed[out_of_range] = np.nan                 # unknown, not 42: we do not guess what was meant

# %% [markdown]
# ## Check 3: one column, two units
# On a log scale spend splits into two clumps two orders of magnitude apart, a factor of 100. Cutting at the widest gap
# between sorted log values and cross-tabulating with `system` shows that the upper clump is exactly the store rows:
# cents.

# %%
log_spend = np.log10(table[:, col["spend"]])
sorted_log = np.sort(log_spend)
cut = sorted_log[np.argmax(np.diff(sorted_log))]
upper = log_spend > cut
med_ratio = np.median(table[upper, col["spend"]]) / np.median(table[~upper, col["spend"]])
print(f"widest gap in log10(spend) after {cut:.2f}; upper clump {upper.sum()} rows, "
      f"{(table[upper, col['system']] == 1).mean():.0%} of them from the store; median ratio {med_ratio:.0f}")

assert np.array_equal(upper, store), "the upper clump is exactly the store rows"
assert 80 < med_ratio < 125, "a factor of about 100: cents"
spend_fixed = np.where(table[:, col["system"]] == 1, table[:, col["spend"]] / 100, table[:, col["spend"]])

# %% [markdown]
# An aside on a common shortcut. PCA on the raw columns does not reveal "the most informative features": it ranks
# directions by variance, so the first component is simply the column with the largest numbers, spend in cents.

# %%
complete = [col[c] for c in names if c != "income"]
pca = PCA(n_components=2).fit(table[:, complete])
loading = dict(zip([c for c in names if c != "income"], pca.components_[0]))
print(f"PC1 explains {pca.explained_variance_ratio_[0]:.1%} of the variance; loading on spend {loading['spend']:+.4f}")
assert abs(loading["spend"]) > 0.999 and pca.explained_variance_ratio_[0] > 0.999

# %% [markdown]
# ## Check 4: missingness that is not completely at random
# Only income has gaps, about one value in five. A related observed column can refute *completely* at random: rows
# without an income have visibly higher spend, and the missing share climbs from 2% in the lowest spend decile to 46%
# in the highest. On the training rows, the customers without an income also churn less, so the gap is information a
# model should keep. What the table cannot say is whether the gaps are missing at random given spend (MAR) or depend
# on the unrecorded incomes themselves (MNAR): both would produce this plot. We know they are MNAR only because we
# planted them.

# %%
inc_missing = np.isnan(table[:, col["income"]])
mw = stats.mannwhitneyu(spend_fixed[inc_missing], spend_fixed[~inc_missing])
deciles = np.quantile(spend_fixed, np.linspace(0, 1, 11))
decile = np.clip(np.searchsorted(deciles, spend_fixed, side="right") - 1, 0, 9)
missing_by_decile = np.array([inc_missing[decile == d].mean() for d in range(10)])
tr_missing = inc_missing[idx_train]
churn_missing, churn_present = labels[idx_train][tr_missing].mean(), labels[idx_train][~tr_missing].mean()
fisher = stats.fisher_exact([[labels[idx_train][tr_missing].sum(), (~labels[idx_train][tr_missing]).sum()],
                             [labels[idx_train][~tr_missing].sum(), (~labels[idx_train][~tr_missing]).sum()]])
recorded_mean = np.nanmean(table[:, col["income"]])
print(f"income missing in {inc_missing.mean():.1%} of rows; median spend {np.median(spend_fixed[inc_missing]):.1f} "
      f"with income missing vs {np.median(spend_fixed[~inc_missing]):.1f} without (Mann-Whitney p = {mw.pvalue:.1e})")
print("missing share by spend decile:", missing_by_decile.round(2))
print(f"training rows: churn {churn_missing:.3f} with income missing vs {churn_present:.3f} with it recorded "
      f"(Fisher's exact p = {fisher.pvalue:.1e})")
print(f"mean recorded income {recorded_mean:.1f}k vs true mean {planted['true_income_mean']:.1f}k")

assert 0.205 < inc_missing.mean() < 0.215, "the page: income is missing in 21% of rows"
assert mw.pvalue < 1e-10, "spend differs between rows with and without an income: not MCAR"
assert round(missing_by_decile[0], 2) == 0.02 and round(missing_by_decile[-1], 2) == 0.46, "the page: 2% and 46%"
assert np.all(np.diff(missing_by_decile[5:]) > 0), "and rising through the upper half"
assert round(churn_missing, 3) == 0.175 and round(churn_present, 3) == 0.267, "the page: 17.5% against 26.7% churn"
assert fisher.pvalue < 1e-4, "missing income carries information about the label"
assert round(recorded_mean, 1) == 55.5 and round(planted["true_income_mean"], 1) == 63.0, "the page: 55.5k vs 63.0k"

# %% [markdown]
# ## What a fill value does to the mean
# Here we use the planted truth, which a real analysis never has. A single fill value, the training median, keeps the
# mean of the recorded incomes biased low. Imputing each gap from spend (a regression of log income on log spend on the
# training rows, back-transformed with the lognormal mean $e^{\hat\mu + \hat\sigma^2/2}$) uses the column that drives
# the gaps' distribution. That removes the bias when the gaps are MAR given spend, as 20 copies of the table whose gaps
# follow spend alone show (up to the regression's sampling error). On the real, MNAR gaps it falls short: among
# customers with the same spend, those who left income blank still earn more.

# %%
def fill_from_spend(missing):
    """Incomes with every gap imputed from log spend, the regression fitted on training rows with income recorded."""
    fit = np.zeros(missing.size, dtype=bool)
    fit[idx_train] = True
    fit &= ~missing
    log_s, log_i = np.log(spend_fixed), np.log(planted["income"])
    slope, intercept = np.polyfit(log_s[fit], log_i[fit], 1)
    sigma2 = np.var(log_i[fit] - intercept - slope * log_s[fit], ddof=2)
    return np.where(missing, np.exp(intercept + slope * log_s + sigma2 / 2), planted["income"])

true_mean = planted["income"].mean()
median_fill = np.where(inc_missing, np.nanmedian(table[idx_train, col["income"]]), table[:, col["income"]]).mean()
mnar_fill = fill_from_spend(inc_missing).mean()
# 20 copies of the table whose gaps depend on spend alone (MAR), about as many as the real ones
mar_rng = np.random.default_rng(3)
mar_copies = [mar_rng.random(labels.size) < expit(-1.9 + 3.0 * np.log(spend_fixed / 40)) for _ in range(20)]
mar_share = np.mean([m.mean() for m in mar_copies])
mar_recorded = np.mean([planted["income"][~m].mean() for m in mar_copies])
mar_fill = np.mean([fill_from_spend(m).mean() for m in mar_copies])
print(f"true mean {true_mean:.1f}k; MNAR gaps: recorded {recorded_mean:.1f}k, median fill {median_fill:.1f}k, "
      f"fill from spend {mnar_fill:.1f}k")
print(f"20 MAR copies ({mar_share:.1%} missing, driven by spend), averages: recorded {mar_recorded:.1f}k, "
      f"fill from spend {mar_fill:.1f}k")

assert np.isclose(true_mean, planted["true_income_mean"]), "the de-duplicated rows are the 3,000 customers"
assert np.allclose(planted["income"][~inc_missing], table[~inc_missing, col["income"]]), "truth matches the records"
assert round(median_fill, 1) == 54.3, "the page: a median fill gives 54.3k"
assert round(mar_fill, 1) == 63.5 and abs(mar_fill - true_mean) < 0.6 and true_mean - mar_recorded > 5, \
    "the page: imputing from spend fixes MAR gaps (63.5k), though their recorded mean is biased too"
assert round(mnar_fill, 1) == 59.4 and true_mean - mnar_fill > 3, "the page: but not MNAR ones, 59.4k"

# %% [markdown]
# ## Check 5: a column too good to be true
# `leak_score` bins each column (missing values in a bin of their own), scores every row by its bin's churn rate on
# the training rows, and reports the AUC of that score. On rows it was fitted to, even a useless column scores above
# 0.5, and more so the more bins it has, so each column gets its own noise floor: its largest score over 20 shuffles
# of the label. One column stands far above the rest. It is the login recency measured at extraction time, 60 days
# after the snapshot, so it sees whether the customer had already left. The rule that exposes it is about time, not
# statistics: every feature must be known at the moment the prediction is made.

# %%
X_train = np.column_stack([age_fixed, table[:, col["tenure"]], table[:, col["income"]], spend_fixed,
                           table[:, col["system"]], table[:, col["calls"]],
                           table[:, col["days_since_login"]]])[idx_train]
y_train = labels[idx_train]
scores = leak_score(X_train, y_train)
shuffles = np.array([leak_score(X_train, rng.permutation(y_train)) for _ in range(20)])
floors = shuffles.max(axis=0)                    # each column against its own null: same bins, shuffled labels
for j in np.argsort(-scores):
    print(f"{names[j]:18s} {scores[j]:.3f}   noise floor {floors[j]:.3f}")

ranked = [names[j] for j in np.argsort(-scores)]
assert ranked[0] == "days_since_login" and scores[col["days_since_login"]] > 0.95, "the leak ranks first"
assert 0.97 < scores[col["days_since_login"]] < 0.975, "the page: 0.97"
assert np.delete(scores, col["days_since_login"]).max() < 0.73, "the page: no honest column reaches 0.73"
assert np.unique(X_train[:, col["system"]]).size == 2, "system has two bins"
assert scores[col["system"]] < floors[col["system"]], "system carries no signal and stays below its own floor"
assert np.all(np.delete(scores > floors, col["system"])), "every other column clears its own floor"
assert floors.argmin() == col["system"] and round(floors.min(), 2) == 0.52 and round(floors.max(), 2) == 0.57, \
    "the page: floors from 0.52 (system) to 0.57"

# %% [markdown]
# ## Correlation sees only straight lines
# Age matters a great deal (the young and the old churn more), yet its Pearson correlation with the label is
# essentially zero, because the U shape has no linear trend. Spearman's rank correlation, which looks for a monotone
# trend, misses it too. The binned score sees it.

# %%
ok = ~np.isnan(X_train[:, 0])
r_age = np.corrcoef(X_train[ok, 0], y_train[ok])[0, 1]
rho_age = stats.spearmanr(X_train[ok, 0], y_train[ok]).statistic
print(f"age: Pearson r {r_age:+.3f}, Spearman rho {rho_age:+.3f}, leak_score {scores[0]:.3f}")
assert round(r_age, 2) == -0.02 and abs(rho_age) < 0.05, "the page: a correlation of -0.02"
assert 0.72 < scores[0] < 0.73 and scores[0] == np.delete(scores, col["days_since_login"]).max(), \
    "the page: age, at 0.72, is the strongest honest column"

# %% tags=["figure:eda-planted-problems"]
fig, axes = plt.subplots(2, 2, figsize=(9, 6.6))

ax = axes[0, 0]
bins = np.linspace(log_spend.min(), log_spend.max(), 50)
ax.hist(log_spend[~store], bins=bins, label="web (dollars)")
ax.hist(log_spend[store], bins=bins, label="store (cents)")
ax.set(title="1. Spend in two units", xlabel="log10(recorded monthly spend)", ylabel="rows")
ax.legend(fontsize=8)

ax = axes[0, 1]
jitter = np.random.default_rng(1).uniform(-0.3, 0.3, a.size)
normal = np.abs(z) <= 3.5
ax.scatter(a[normal], jitter[normal], s=4, alpha=0.3)
ax.scatter(a[~normal], jitter[~normal], s=40, color="C3")
ax.annotate(f"age 420: robust z = {z[~normal][0]:.0f}\nevery other |z| < {np.sort(np.abs(z))[-2]:.1f}",
            (a[~normal][0], jitter[~normal][0]), xytext=(170, 0.55), fontsize=8,
            arrowprops=dict(arrowstyle="->", lw=0.8))
ax.set(title="2. One age typed as 420", xlabel="recorded age (years)", yticks=[], ylim=(-1, 1))

ax = axes[1, 0]
ax.plot(np.arange(1, 11), missing_by_decile, marker="o")
ax.axhline(inc_missing.mean(), color="grey", ls="--", lw=0.8, label=f"overall {inc_missing.mean():.0%}")
ax.set(title="3. Income missing more at high spend: not MCAR", xlabel="spend decile (dollars, after the unit fix)",
       ylabel="share of rows without income", xticks=range(1, 11), ylim=(0, None))
ax.legend(fontsize=8)

ax = axes[1, 1]
order_bars = np.argsort(scores)
ax.barh([names[j] for j in order_bars], scores[order_bars],
        color=["C3" if names[j] == "days_since_login" else "C0" for j in order_bars])
ax.scatter(floors[order_bars], np.arange(len(names)), marker="|", s=220, color="k", lw=1.5,
           label="best of 20 label shuffles", zorder=3)
ax.set(title="4. Single-column leak score", xlabel="AUC of the column's binned churn rate", xlim=(0.45, 1))
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Summary statistics hide structure: Anscombe's quartet
# Anscombe (1973) built four sets of eleven points with the same means, variances, correlation and least-squares line to
# two decimals (the variances of $y$ round to 4.12 or 4.13). Only a plot shows that one is a straight line with noise,
# one a clean curve, one a straight line with one outlier, and one a single point that creates the whole slope.

# %%
x123 = np.array([10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5], dtype=float)
quartet = {
    "I": (x123, np.array([8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68])),
    "II": (x123, np.array([9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74])),
    "III": (x123, np.array([7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73])),
    "IV": (np.array([8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8], dtype=float),
           np.array([6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89])),
}
summary = {}
for key, (x, y) in quartet.items():
    slope, intercept = np.polyfit(x, y, 1)
    summary[key] = (x.mean(), x.var(ddof=1), y.mean(), y.var(ddof=1), np.corrcoef(x, y)[0, 1], intercept, slope)
    print(f"{key:>3}: mean x {x.mean():.2f}, var x {x.var(ddof=1):.2f}, mean y {y.mean():.2f}, "
          f"var y {y.var(ddof=1):.2f}, r {np.corrcoef(x, y)[0, 1]:.3f}, line y = {intercept:.2f} + {slope:.3f} x")

for mx, vx, my, vy, r, b0, b1 in summary.values():
    assert round(mx, 2) == 9.0 and round(vx, 2) == 11.0 and round(my, 2) == 7.50
    assert round(vy, 2) in (4.12, 4.13) and round(r, 2) == 0.82
    assert round(b0, 2) == 3.00 and round(b1, 2) == 0.50

# %% tags=["figure:eda-anscombe"]
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8), sharex=True, sharey=True)
grid = np.array([3, 20])
for ax, (key, (x, y)) in zip(axes, quartet.items()):
    b0, b1 = summary[key][5], summary[key][6]
    ax.scatter(x, y, s=14)
    ax.plot(grid, b0 + b1 * grid, color="C3", lw=1)
    ax.set(title=f"{key}: r = {summary[key][4]:.2f}", xlabel="x")
axes[0].set_ylabel("y")
fig.tight_layout()
plt.show()

# %%
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
