# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: evaluation/confusion-matrix.md}
# ---

# %% [markdown]
# # Choosing a decision threshold from the cost of errors
# A logistic regression scores a problem where 5% of the examples are positive and a missed positive costs ten times
# as much as a false alarm; we sweep the threshold, count false positives and false negatives, and find the cheapest
# threshold both empirically and from the formula $c_{FP}/(c_{FP}+c_{FN})$. We then compare the model with the
# majority-class baseline, once by accuracy and once by cost, to see why accuracy is the wrong yardstick here.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from mlguide.evaluation.confusion import bayes_threshold, confusion_counts, cost_curve, rates_from_counts

START = time.perf_counter()

# %% [markdown]
# ## The data, the split and the model
# `make_classification` draws 60,000 examples with 10 features (4 informative, 2 linear combinations of those) and
# `weights=[0.95]`, so about 5% are positive. `class_sep=0.5` keeps the classes overlapping, as in most real
# screening problems. A stratified split gives three equal parts: the model is fitted on the first, the threshold is
# chosen on the second (validation), and the third (test) is touched only to report the final numbers, so that the
# chosen threshold is not graded on the data it was tuned on.

# %%
X, y = make_classification(
    n_samples=60_000, n_features=10, n_informative=4, n_redundant=2, n_clusters_per_class=1,
    weights=[0.95], flip_y=0.0, class_sep=0.5, random_state=1,
)
X_fit, X_rest, y_fit, y_rest = train_test_split(X, y, test_size=2 / 3, stratify=y, random_state=1)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=1)
for name, labels in (("fit", y_fit), ("validation", y_val), ("test", y_test)):
    print(f"{name:10s} {labels.size} examples, {labels.sum()} positives ({labels.mean():.2%})")

model = LogisticRegression(max_iter=1000).fit(X_fit, y_fit)
p_val = model.predict_proba(X_val)[:, 1]
p_test = model.predict_proba(X_test)[:, 1]

# %% [markdown]
# ## The costs and the theoretical threshold
# Say a false positive (a false alarm that someone has to review) costs 1 unit and a false negative (a missed case)
# costs 10. If the model's output $p$ is a calibrated probability of the positive class, flagging an example costs
# $(1-p)\,c_{FP}$ on average and leaving it costs $p\,c_{FN}$, so flagging is cheaper exactly when
# $p > c_{FP}/(c_{FP}+c_{FN}) = 1/11 \approx 0.091$.

# %%
C_FP, C_FN = 1.0, 10.0
t_theory = bayes_threshold(C_FP, C_FN)
print(f"theoretical threshold c_FP / (c_FP + c_FN) = {t_theory:.4f}")

# %% [markdown]
# The formula trusts the probabilities, so check them first with a reliability diagram: bin the validation examples
# by predicted probability and compare each bin's mean prediction with the share of its examples that are really
# positive. A calibrated model puts every bin on the diagonal. The bins are narrow at the low end, where most
# examples and the threshold of interest lie.

# %%
edges = np.array([0.0, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30, 0.50, 1.0])
bin_of = np.digitize(p_val, edges[1:-1])
bin_pred = np.array([p_val[bin_of == k].mean() for k in range(edges.size - 1)])
bin_obs = np.array([y_val[bin_of == k].mean() for k in range(edges.size - 1)])
bin_n = np.bincount(bin_of, minlength=edges.size - 1)
for k in range(edges.size - 1):
    print(f"p in [{edges[k]:.2f}, {edges[k + 1]:.2f}): {bin_n[k]:5d} examples, "
          f"mean predicted {bin_pred[k]:.3f}, observed {bin_obs[k]:.3f}")

near = (p_val >= 0.05) & (p_val < 0.10)          # the bin just below 1/11, where the cheapest thresholds lie
above = (p_val >= 0.10) & (p_val < 0.15)         # the next bin up
print(f"{near.sum()} validation examples with 0.05 <= p < 0.10: "
      f"mean predicted {p_val[near].mean():.3f}, observed positive rate {y_val[near].mean():.3f}")

# %% tags=["figure:thresholds-reliability"]
fig, ax = plt.subplots(figsize=(4.2, 4.0))
ax.plot([0, 1], [0, 1], color="gray", linestyle="--", label="perfect calibration")
ax.plot(bin_pred, bin_obs, marker="o", label="logistic regression (validation)")
ax.axvline(1 / 11, color="tab:purple", linestyle=":", label="threshold 1/11")
ax.set(xscale="log", yscale="log", xlim=(1e-3, 1), ylim=(1e-3, 1), xlabel="mean predicted probability in bin",
       ylabel="observed share of positives in bin", title="Reliability diagram")
ax.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# Near the threshold the model is only approximately calibrated. Just below $1/11$, between 0.05 and 0.10, it
# predicts 0.071 on average while 0.090 of those examples are positive: it under-predicts there, which would put the
# cheapest threshold on its scores a little *below* $1/11$. In the next bin up, 0.10 to 0.15, the error changes sign
# (0.123 predicted, 0.117 observed), so the miscalibration is small and local, and whether it really moves the
# cheapest threshold is a question for the sampling noise, below.

# %% [markdown]
# ## Sweeping the threshold
# `cost_curve` counts, for every threshold on a fine grid, the negatives scored at or above it (false positives) and
# the positives below it (false negatives), and adds up $c_{FP}\,\mathrm{FP} + c_{FN}\,\mathrm{FN}$. Raising the
# threshold trades false positives for false negatives; the total cost is lowest where the two marginal costs
# balance.

# %%
grid = np.round(np.arange(0.001, 1.0, 0.001), 3)
fp_val, fn_val, cost_val = cost_curve(y_val, p_val, grid, C_FP, C_FN)
best = int(np.argmin(cost_val))
t_best = float(grid[best])
cost_at_theory_val = float(cost_curve(y_val, p_val, [t_theory], C_FP, C_FN)[2][0])
cost_at_half_val = float(cost_curve(y_val, p_val, [0.5], C_FP, C_FN)[2][0])
print(f"empirical best threshold on validation: {t_best:.3f} (cost {cost_val[best]:.0f})")
print(f"cost at the theoretical threshold {t_theory:.3f}: {cost_at_theory_val:.0f}")
print(f"cost at the default threshold 0.5: {cost_at_half_val:.0f}")

# %% tags=["figure:thresholds-cost-curve"]
fig, (ax_counts, ax_cost) = plt.subplots(1, 2, figsize=(8, 3.8), sharex=True)
ax_counts.plot(grid, fp_val, label="false positives")
ax_counts.plot(grid, fn_val, label="false negatives")
ax_counts.set(title="Errors on the validation set", xlabel="threshold on predicted probability",
              ylabel="count of examples", ylim=(0, 3000))  # false positives run off the top near t = 0
ax_counts.legend()
ax_cost.plot(grid, cost_val, color="black", label=f"{C_FP:g}·FP + {C_FN:g}·FN")
ax_cost.axvline(t_best, color="tab:green", linestyle="-", label=f"empirical minimum, {t_best:.3f}")
ax_cost.axvline(t_theory, color="tab:purple", linestyle="--", label=f"$c_{{FP}}/(c_{{FP}}+c_{{FN}})$ = {t_theory:.3f}")
ax_cost.axvline(0.5, color="tab:red", linestyle=":", label="default 0.5")
ax_cost.set(title="Total cost of errors", xlabel="threshold on predicted probability", ylabel="cost (units)",
            xlim=(0, 0.6))
ax_cost.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# The empirical minimum, 0.062, is indeed below $1/11$. How much of that gap is real? Two things blur it. The cost
# curve is flat around its minimum, because moving the threshold slightly only reclassifies examples whose expected
# costs of flagging and of leaving were nearly equal; and a logistic regression on this data (each class is a
# Gaussian with its own covariance, so the true log-odds are quadratic, not linear) is only approximately calibrated.
# A bootstrap over the validation examples shows how far the empirical minimum wanders from sampling noise alone.

# %%
rng = np.random.default_rng(0)
boot_best = np.empty(200)
for b in range(boot_best.size):
    idx = rng.integers(0, y_val.size, y_val.size)
    boot_best[b] = grid[np.argmin(cost_curve(y_val[idx], p_val[idx], grid, C_FP, C_FN)[2])]
lo, hi = np.quantile(boot_best, [0.05, 0.95])
print(f"bootstrap 90% interval of the empirical best threshold: [{lo:.3f}, {hi:.3f}]")
print(f"relative extra cost of using 1/11 instead of the empirical minimum: "
      f"{cost_at_theory_val / cost_val[best] - 1:.1%}")

# %% [markdown]
# ## The chosen thresholds on the untouched test set
# The default threshold 0.5 implicitly assumes the two errors cost the same. On the test set we compare it with the
# theoretical threshold and with the threshold picked on the validation set. The two candidates cost almost the
# same on the test set: the bootstrap interval above already said that the validation data cannot tell them apart.

# %%
thresholds = {"default 0.5": 0.5, "theory 1/11": t_theory, "validation minimum": t_best}
test_cost = {}
for name, t in thresholds.items():
    tn, fp, fn, tp = confusion_counts(y_test, p_test >= t)
    r = rates_from_counts(tn, fp, fn, tp)
    test_cost[name] = C_FP * fp + C_FN * fn
    print(f"{name:19s} t={t:.3f}  TP={tp:4d} FP={fp:5d} FN={fn:4d} TN={tn:5d}  "
          f"recall={r['TPR']:.3f} precision={r['precision']:.3f}  cost={test_cost[name]:.0f}")

# %% [markdown]
# ## Class weights move the threshold
# `class_weight="balanced"` reweights the training loss as if the classes were equally frequent. The scores it
# produces are no longer calibrated probabilities: their odds are inflated by roughly $n_-/n_+ \approx 19$, the ratio
# of negatives to positives in the training data. The cost-minimising threshold moves with them, to about the point
# whose odds are 19 times $1/10$: $1.9 / 2.9 \approx 0.66$. Using $1/11$ with a reweighted model would flag far too
# much. The factor 19 is exact only for a correctly specified model, where reweighting shifts just the intercept by
# $\ln 19$; our logistic regression is misspecified (the true log-odds are quadratic), so reweighting changes its
# slopes too, and the empirical optimum lands somewhat off 0.66.

# %%
balanced = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_fit, y_fit)
p_val_bal = balanced.predict_proba(X_val)[:, 1]
cost_bal = cost_curve(y_val, p_val_bal, grid, C_FP, C_FN)[2]
t_best_bal = float(grid[np.argmin(cost_bal)])
odds_factor = (y_fit == 0).sum() / (y_fit == 1).sum()
t_shifted = odds_factor * (C_FP / C_FN) / (1 + odds_factor * (C_FP / C_FN))
print(f"odds factor n_neg / n_pos = {odds_factor:.1f}; predicted threshold for the balanced model {t_shifted:.3f}")
print(f"empirical best threshold for the balanced model: {t_best_bal:.3f}")
slope_ratio = balanced.coef_[0] / model.coef_[0]
print(f"balanced / unweighted slopes: {np.round(slope_ratio, 2)}; "
      f"intercept shift {balanced.intercept_[0] - model.intercept_[0]:.2f} against ln 19 = {np.log(odds_factor):.2f}")

# %% [markdown]
# ## Accuracy against a baseline
# The majority-class baseline predicts "negative" for everyone. Its accuracy equals the share of negatives, exactly
# 95% here because the stratified split put 1,000 positives in each part of 20,000, and any model must be judged against that number, not against 0%. Here the model at 0.5 beats it on accuracy
# by a fraction of a point. At either cost-based threshold, $1/11$ or the validation minimum, the model is *less*
# accurate than the baseline, yet its errors cost less than half as much. Accuracy counts every error as one, so
# accepting many more cheap false alarms to avoid fewer, expensive misses lowers accuracy while it lowers the cost.

# %%
majority_acc = 1 - y_test.mean()
majority_cost = C_FN * y_test.sum()                    # every positive is missed
acc = {name: float(np.mean((p_test >= t) == y_test)) for name, t in thresholds.items()}
print(f"majority baseline   accuracy={majority_acc:.4f} cost={majority_cost:.0f}")
for name in thresholds:
    print(f"model, {name:19s} accuracy={acc[name]:.4f} cost={test_cost[name]:.0f}")

# %% tags=["figure:thresholds-accuracy-vs-cost"]
labels = ["majority\nbaseline", "model,\nt = 0.5", f"model,\nt = {t_theory:.3f}"]
accuracies = [majority_acc, acc["default 0.5"], acc["theory 1/11"]]
costs = [majority_cost, test_cost["default 0.5"], test_cost["theory 1/11"]]
fig, (ax_acc, ax_cost) = plt.subplots(1, 2, figsize=(8, 3.8))
ax_acc.bar(labels, accuracies, color=["tab:gray", "tab:blue", "tab:green"])
ax_acc.set(title="Test accuracy (higher is better)", ylabel="accuracy (axis starts at 0.8)", ylim=(0.8, 1.0))
ax_cost.bar(labels, costs, color=["tab:gray", "tab:blue", "tab:green"])
ax_cost.set(title="Test cost of errors (lower is better)", ylabel="cost (units)", ylim=(0, 1.12 * max(costs)))
for ax, values, fmt in ((ax_acc, accuracies, "{:.3f}"), (ax_cost, costs, "{:.0f}")):
    for i, v in enumerate(values):
        ax.annotate(fmt.format(v), (i, v), ha="center", va="bottom", fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks
# Every claim the concept pages make about these results.

# %%
# Just below 1/11 the model under-predicts a little: mean prediction 0.071, observed rate 0.090 in [0.05, 0.10);
# in [0.10, 0.15) it over-predicts slightly (0.123 against 0.117).
assert round(p_val[near].mean(), 3) == 0.071 and round(y_val[near].mean(), 3) == 0.090
assert round(p_val[above].mean(), 3) == 0.123 and round(y_val[above].mean(), 3) == 0.117

# The empirical minimum on validation (0.062) lies below 1/11, consistent with that under-prediction, but the
# bootstrap 90% interval of the minimum, [0.054, 0.101], contains 1/11, which costs 3.6% more on validation.
assert round(t_best, 3) == 0.062 and t_best < t_theory
assert (round(lo, 3), round(hi, 3)) == (0.054, 0.101) and lo <= t_theory <= hi, (lo, hi)
assert round(cost_at_theory_val / cost_val[best] - 1, 3) == 0.036

# On the untouched test set the two cost-based thresholds cost within 1% of each other.
assert abs(test_cost["theory 1/11"] - test_cost["validation minimum"]) < 0.01 * test_cost["validation minimum"]

# At the default 0.5 the cost is much higher than at the optimum, on validation and on the untouched test set.
assert cost_at_half_val > 1.5 * cost_val[best]
assert test_cost["default 0.5"] > 1.5 * test_cost["theory 1/11"]
assert test_cost["default 0.5"] > 1.5 * test_cost["validation minimum"]

# On the ROC plot, lines of equal cost have slope (1 - pi) c_FP / (pi c_FN) = 0.95 / 0.5 = 1.9 here.
pi_val = y_val.mean()
assert abs((1 - pi_val) * C_FP / (pi_val * C_FN) - 1.9) < 1e-9

# A class-weighted model needs a much higher threshold: 0.600, a little below the prior-shift prediction of about
# 0.66, which assumes a correctly specified model. This one is misspecified, and reweighting moves more than its
# intercept: some real (not noise-sized) coefficient changes by over 20%.
assert abs(t_shifted - 0.655) < 0.01
assert round(t_best_bal, 3) == 0.600 and t_best_bal < t_shifted
real = np.abs(model.coef_[0]) > 0.3
assert real.any() and np.max(np.abs(np.log(slope_ratio[real]))) > 0.2, slope_ratio

# Accuracy: the baseline is exactly 95% (stratified split: 1,000 positives in 20,000); the model at 0.5 beats it by
# under one point; at either cost-based threshold (1/11, the validation minimum) the model is less accurate than the
# baseline, yet costs less than half as much.
assert y_test.sum() == 1000 and y_test.size == 20_000 and abs(majority_acc - 0.95) < 1e-12
assert 0 < acc["default 0.5"] - majority_acc < 0.01
assert round(majority_acc, 3) == 0.950 and round(acc["default 0.5"], 3) == 0.951     # the figure's labels
for name in ("theory 1/11", "validation minimum"):
    assert acc[name] < majority_acc, name
    assert test_cost[name] < 0.5 * majority_cost, name

print("all checks passed")

# %%
elapsed = time.perf_counter() - START
print(f"notebook ran in {elapsed:.1f} s")
assert elapsed < 90  # a guard against runaway growth, not a benchmark: CPU time doubles on a busy or throttled machine
