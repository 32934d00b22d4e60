# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/imbalanced-data.md}
# ---

# %% [markdown]
# # Imbalanced classes: resampling, class weights, thresholds and calibration
# On generated data with about 3% positives we show that oversampling before cross-validation inflates the estimate,
# that class weights act like a moved threshold, and that undersampling inflates predicted probabilities by a factor
# we can undo exactly. A last experiment finds that what the imbalance costs depends on the number of positives, not on
# the ratio.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, log_loss, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from mlguide.data.imbalance import correct_undersampled_probability, cost_threshold, smote, undersample

START = time.process_time()          # CPU seconds, so that a busy machine does not fail the time check

# %% [markdown]
# ## Data from a known logistic model
# Twelve standard-normal features; the log-odds of the positive class are $-5.5 + 1.6x_1 - 1.2x_2 + x_3 + 0.6x_4$
# (the other eight features are noise), so about 3% of examples are positive and a logistic regression is correctly
# specified: any miscalibration we see later comes from what we do to the data, not from the model. We train on
# 20,000 examples and keep 100,000 fresh ones as a test set that stands in for the population.

# %%
B0, W = -5.5, np.r_[1.6, -1.2, 1.0, 0.6, np.zeros(8)]


def draw(n, rng):
    X = rng.normal(size=(n, W.size))
    y = (rng.random(n) < expit(B0 + X @ W)).astype(int)
    return X, y


X, y = draw(20_000, np.random.default_rng(0))
X_test, y_test = draw(100_000, np.random.default_rng(1))
prevalence = y_test.mean()
print(f"training: {y.size} examples, {y.sum()} positives ({y.mean():.2%}); test prevalence {prevalence:.2%}")


def fit_logistic(X, y, **kwargs):
    """Maximum-likelihood logistic regression (no penalty), so that the only thing changing is the data."""
    return LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=100, **kwargs).fit(X, y)


plain = fit_logistic(X, y)
p_plain = plain.predict_proba(X_test)[:, 1]

# %% [markdown]
# ## Accuracy says almost nothing here
# Predicting "negative" for everyone is right for the 96.9% of test examples that are negative. The logistic
# regression at the default threshold 0.5 beats that by a quarter of a percentage point, yet its ranking is far from
# useless: the ROC AUC is 0.92, the average precision (the area under the precision-recall curve, PR-AUC) is about
# thirteen times the prevalence (the value random scores would get), and at a precision of 50% (one alert in two is
# real) it finds about a third of the positives.

# %%
acc_majority = 1 - prevalence
acc_plain = np.mean((p_plain >= 0.5) == y_test)
auc_plain = roc_auc_score(y_test, p_plain)
ap_plain = average_precision_score(y_test, p_plain)
prec, rec, _ = precision_recall_curve(y_test, p_plain)
recall_at_p50 = rec[prec >= 0.5].max()
print(f"accuracy: always negative {acc_majority:.4f}, logistic regression at 0.5 {acc_plain:.4f}")
print(f"ROC AUC {auc_plain:.3f}, average precision {ap_plain:.3f} (prevalence {prevalence:.3f}), "
      f"recall at precision >= 0.5: {recall_at_p50:.3f}")

# %% [markdown]
# ## Oversampling before cross-validation leaks
# A small data set (3,000 examples, 113 of them positive) and a flexible model, 15-nearest neighbours, whose
# predicted probability is the share of positives among the 15 training points closest to the query. We balance the
# classes two ways: random oversampling, which duplicates positives, and SMOTE, which adds points on segments between a
# positive and one of its five nearest positive neighbours. Then we estimate the ROC AUC with 5-fold stratified
# cross-validation in two ways:
#
# - **before**: oversample the whole data set, then split it into folds;
# - **inside**: split first, oversample only the four training folds, score the untouched fifth fold.
#
# A model fitted to the whole oversampled set and scored on 6,000 fresh examples says what to expect in use, and the
# same model without any resampling is the baseline both methods must beat. We use ROC AUC because it does not
# change when only the class ratio of the scored set changes, so the gap does not come from the validation folds
# being balanced.

# %%
def oversample_random(X, y, rng):
    pos = np.flatnonzero(y == 1)
    extra = rng.choice(pos, (y == 0).sum() - pos.size)
    return np.vstack([X, X[extra]]), np.concatenate([y, np.ones(extra.size, dtype=int)])


def oversample_smote(X, y, rng):
    new = smote(X[y == 1], (y == 0).sum() - (y == 1).sum(), k=5, rng=rng)
    return np.vstack([X, new]), np.concatenate([y, np.ones(len(new), dtype=int)])


X_small, y_small = draw(3_000, np.random.default_rng(5))
X_fresh, y_fresh = X_test[:6_000], y_test[:6_000]
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def knn_auc(X_fit, y_fit, X_eval, y_eval):
    model = KNeighborsClassifier(n_neighbors=15, algorithm="brute").fit(X_fit, y_fit)
    return roc_auc_score(y_eval, model.predict_proba(X_eval)[:, 1])


leak = {}
for name, oversample in (("random oversampling", oversample_random), ("SMOTE", oversample_smote)):
    rng = np.random.default_rng(0)
    X_bal, y_bal = oversample(X_small, y_small, rng)
    before = [knn_auc(X_bal[tr], y_bal[tr], X_bal[te], y_bal[te]) for tr, te in folds.split(X_bal, y_bal)]
    inside = [knn_auc(*oversample(X_small[tr], y_small[tr], rng), X_small[te], y_small[te])
              for tr, te in folds.split(X_small, y_small)]
    leak[name] = dict(before=np.mean(before), inside=np.mean(inside), fresh=knn_auc(X_bal, y_bal, X_fresh, y_fresh))
    print(f"{name:20s} CV AUC before {leak[name]['before']:.3f} | inside {leak[name]['inside']:.3f} "
          f"| fresh data {leak[name]['fresh']:.3f}")
no_resampling = dict(cv=np.mean([knn_auc(X_small[tr], y_small[tr], X_small[te], y_small[te])
                                 for tr, te in folds.split(X_small, y_small)]),
                     fresh=knn_auc(X_small, y_small, X_fresh, y_fresh))
print(f"{'no resampling':20s} CV AUC {no_resampling['cv']:.3f} | fresh data {no_resampling['fresh']:.3f}")
print(f"{y_small.sum()} positives in the small set")

# %% [markdown]
# Oversampling first puts copies of each validation positive (random oversampling) or points interpolated from it
# (SMOTE) into the training folds. A duplicate sits at distance zero from its twin, a SMOTE point a fraction of a
# neighbour distance away, so the held-out positive finds its own relatives among its neighbours, and the estimate
# approaches a perfect AUC. Resampling inside the folds gives an estimate close to what fresh data shows.
#
# Against the baseline, the two methods go opposite ways on fresh data. With about 25 copies of each positive, the
# copies of a query's nearest positive fill most of its 15 neighbours, so the score hinges on that single positive:
# random oversampling makes the model memorise and lowers the AUC. SMOTE's spread-out points smooth the positive
# region and raise it.

# %% [markdown]
# ## Class weights versus moving the threshold
# A missed positive costs 10, a false alarm 1, correct decisions nothing. For calibrated probabilities the cheapest
# rule flags $p \ge c_{FP}/(c_{FP}+c_{FN}) = 1/11$. We compare, by average cost per test example:
#
# - the plain model at 0.5, and at $1/11$;
# - `class_weight="balanced"` (each class weighted by $n/(2n_k)$, for $n$ examples and $n_k$ in class $k$) at 0.5, and
#   at the threshold `cost_threshold` gives for negatives weighted $\beta = n_1/n_0$ relative to positives;
# - weights equal to the costs, 10 on positives and 1 on negatives, at 0.5;
# - the true probabilities at $1/11$, the best any rule can do in expectation.

# %%
C_FP, C_FN = 1.0, 10.0


def cost_per_example(y_true, flag):
    return (C_FP * np.sum(flag & (y_true == 0)) + C_FN * np.sum(~flag & (y_true == 1))) / y_true.size


beta_balanced = y.sum() / (y.size - y.sum())            # n_1 / n_0: balanced weights' ratio w_0 / w_1
balanced = fit_logistic(X, y, class_weight="balanced")
cost_weighted = fit_logistic(X, y, class_weight={0: C_FP, 1: C_FN})
p_bal = balanced.predict_proba(X_test)[:, 1]
p_cw = cost_weighted.predict_proba(X_test)[:, 1]
t_bayes = cost_threshold(C_FP, C_FN)
t_bal = cost_threshold(C_FP, C_FN, beta=beta_balanced)
costs = {
    "plain, 0.5": cost_per_example(y_test, p_plain >= 0.5),
    "plain, 1/11": cost_per_example(y_test, p_plain >= t_bayes),
    "balanced weights, 0.5": cost_per_example(y_test, p_bal >= 0.5),
    f"balanced weights, {t_bal:.3f}": cost_per_example(y_test, p_bal >= t_bal),
    "weights 10:1, 0.5": cost_per_example(y_test, p_cw >= 0.5),
    "true probability, 1/11": cost_per_example(y_test, expit(B0 + X_test @ W) >= t_bayes),
}
for name, c in costs.items():
    print(f"{name:28s} cost per example {c:.4f}")
print(f"beta for balanced weights {beta_balanced:.4f}: 0.5 on the weighted scale is the plain-scale threshold "
      f"{correct_undersampled_probability(0.5, beta_balanced):.4f}, a cost ratio of {1 / beta_balanced:.1f}")
auc_bal, auc_cw = roc_auc_score(y_test, p_bal), roc_auc_score(y_test, p_cw)
print(f"ROC AUC: plain {auc_plain:.4f}, balanced weights {auc_bal:.4f}, weights 10:1 {auc_cw:.4f}")
acc_bayes = np.mean((p_plain >= t_bayes) == y_test)
print(f"accuracy: always negative {acc_majority:.4f}, plain model at 1/11 (the cheapest rule) {acc_bayes:.4f}, "
      f"balanced weights at 0.5 {np.mean((p_bal >= 0.5) == y_test):.4f}")

# %% [markdown]
# Both rules at 0.5 are expensive, for opposite reasons. The plain model at 0.5 flags too little: 0.5 is right only
# if a miss cost as much as a false alarm. Balanced weights at 0.5 flag too much: on the plain scale their threshold
# is $\beta/(1+\beta)$, about 0.034, right only if a miss cost about 29 false alarms. With the threshold corrected,
# or with weights equal to the costs, the weighted models match the plain model at $1/11$. The ranking is the same in
# all three (equal AUC to three decimals), as it must be for a correctly specified model, where weighting moves the
# intercept and little else. Accuracy ranks these rules badly: the cheapest one, the plain model at $1/11$, is
# less accurate than "always negative", which costs $c_{FN}\pi \approx 0.31$ per example.

# %% [markdown]
# ## Undersampling inflates probabilities, and the correction
# Keep every positive and each negative with probability $\beta = 0.05$, fit the same logistic regression to the
# undersample, and score the test set. The log-odds of the undersample are the population's plus $-\log\beta$, so
# the intercept should move up by $-\log 0.05 \approx 3.0$ and the slopes stay put. `correct_undersampled_probability`
# multiplies the odds back by $\beta$. Weighting negatives by $\beta$ instead of dropping them should move the intercept
# by the same amount.

# %%
BETA = 0.05
keep = undersample(y, BETA, rng=1)
under = fit_logistic(X[keep], y[keep])
p_under = under.predict_proba(X_test)[:, 1]
p_corrected = correct_undersampled_probability(p_under, BETA)
weighted = fit_logistic(X, y, class_weight={0: BETA, 1: 1.0})
shift_under = under.intercept_[0] - plain.intercept_[0]
shift_weighted = weighted.intercept_[0] - plain.intercept_[0]
print(f"undersample: {keep.size} examples, {y[keep].mean():.1%} positive")
print(f"intercept shift: undersampled {shift_under:.3f}, weighted {shift_weighted:.3f}, -log(beta) {-np.log(BETA):.3f}")
print(f"largest slope change: undersampled {np.abs(under.coef_ - plain.coef_).max():.3f}")
mean_p = {"plain": p_plain.mean(), "undersampled": p_under.mean(), "corrected": p_corrected.mean()}
losses = {"plain": log_loss(y_test, p_plain), "undersampled": log_loss(y_test, p_under),
          "corrected": log_loss(y_test, p_corrected)}
for name in mean_p:
    print(f"{name:13s} mean predicted {mean_p[name]:.4f} (observed {prevalence:.4f}), log loss {losses[name]:.4f}")
auc_under = roc_auc_score(y_test, p_under)
print(f"ROC AUC: plain {auc_plain:.4f}, undersampled {auc_under:.4f}")


# %%
def reliability(p, y_true, n_bins=10):
    """Mean prediction and observed positive rate in n_bins bins of equal count (sorted by p)."""
    order = np.argsort(p)
    bins = np.array_split(order, n_bins)
    return np.array([p[b].mean() for b in bins]), np.array([y_true[b].mean() for b in bins])


# %% tags=["figure:imbalanced-data-leak-and-calibration"]
fig, (ax_cv, ax_rel) = plt.subplots(1, 2, figsize=(9, 4))
names = list(leak)
xpos = np.arange(1, len(names) + 1)                  # group 0 is the baseline without resampling
for i, (key, label) in enumerate((("before", "CV, resampled before splitting"),
                                  ("inside", "CV, resampled inside training folds (or not at all)"),
                                  ("fresh", "fresh data"))):
    bars = ax_cv.bar(xpos + (i - 1) * 0.27, [leak[n][key] for n in names], width=0.27, label=label)
    if key != "before":
        ax_cv.bar((i - 1.5) * 0.27, no_resampling["cv" if key == "inside" else key], width=0.27,
                  color=bars.patches[0].get_facecolor())
ax_cv.set(xticks=np.r_[0, xpos], xticklabels=[n.replace(" ", "\n") for n in ["no resampling", *names]],
          ylim=(0.5, 1.2), yticks=np.arange(0.5, 1.01, 0.1), ylabel="ROC AUC of 15-nearest neighbours",
          title="Resampling before CV leaks")
ax_cv.legend(fontsize=8, loc="upper center", ncols=1)
LIM = (3e-5, 1)                                      # wide enough for every bin of every curve (checked below)
curves = {}
for p, label, style in ((p_plain, "trained on all data", "o-"), (p_under, f"undersampled, beta = {BETA}", "s-"),
                        (p_corrected, "undersampled, corrected", "^--")):
    curves[label] = reliability(p, y_test)
    ax_rel.plot(*curves[label], style, ms=4, label=label)
ax_rel.plot(LIM, LIM, color="grey", lw=0.8, ls=":", label="perfect calibration")
ax_rel.set(xscale="log", yscale="log", xlim=LIM, ylim=LIM, xlabel="mean predicted probability (bin)",
           ylabel="observed share of positives (bin)", title="Undersampling and its correction")
ax_rel.legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What does the imbalance itself cost?
# Ten repetitions, each scored by ROC AUC on the first 10,000 test examples. First, fix the ratio and change the
# amount: 1,000 training examples (about 30 positives) against 20,000 (about 630). Second, fix the positives and
# change the ratio: for the large sets, all the data against an undersample that keeps 5% of the negatives (about 630
# positives and 970 negatives); for the small sets, plain against balanced class weights.

# %%
X_eval, y_eval = X_test[:10_000], y_test[:10_000]


def eval_auc(model):
    return roc_auc_score(y_eval, model.predict_proba(X_eval)[:, 1])


rep_rng = np.random.default_rng(7)
runs = {"small": [], "small, balanced weights": [], "large": [], "large, 95% of negatives dropped": []}
n_pos = {"small": [], "large": []}
for _ in range(10):
    Xs, ys = draw(1_000, rep_rng)
    Xl, yl = draw(20_000, rep_rng)
    kept = undersample(yl, 0.05, rng=rep_rng)
    n_pos["small"].append(ys.sum())
    n_pos["large"].append(yl.sum())
    runs["small"].append(eval_auc(fit_logistic(Xs, ys)))
    runs["small, balanced weights"].append(eval_auc(fit_logistic(Xs, ys, class_weight="balanced")))
    runs["large"].append(eval_auc(fit_logistic(Xl, yl)))
    runs["large, 95% of negatives dropped"].append(eval_auc(fit_logistic(Xl[kept], yl[kept])))
runs = {k: np.array(v) for k, v in runs.items()}
print(f"mean positives: small {np.mean(n_pos['small']):.0f}, large {np.mean(n_pos['large']):.0f}")
for name, a in runs.items():
    print(f"{name:34s} mean AUC {a.mean():.4f} (sd {a.std(ddof=1):.4f})")

# %% [markdown]
# Twenty times more data at the same ratio raises the AUC; balanced weights do not make up for it on the small sets
# (they lower the AUC a little), and dropping 95% of the negatives from the large sets costs far less than the small
# sets lose: a thousand negatives already describe the negative class well, while 30 positives describe the positive
# class poorly, so the twelve coefficients are noisy. The imbalance hurts through the small number of minority
# examples, not through the ratio. This model has four real signals and a linear boundary; a flexible model with
# the same 30 positives would suffer more.

# %% [markdown]
# ## Checks

# %%
# Accuracy: the model at 0.5 beats "always negative" (96.9%) by under half a percentage point, while its ROC AUC is
# 0.92, its average precision over twelve times the prevalence, and it finds over 30% of the positives at 50%
# precision.
assert 0.025 < prevalence < 0.035 and round(acc_majority, 3) == 0.969
assert 0.002 < acc_plain - acc_majority < 0.003                     # "a quarter of a percentage point"
assert ap_plain > 12 * prevalence and round(auc_plain, 2) == 0.92
assert round(ap_plain, 2) == 0.40 and round(prevalence, 3) == 0.031
assert recall_at_p50 > 0.3 and round(recall_at_p50, 2) == 0.35
# Leakage: oversampling before CV reports an AUC over 0.9 and at least 0.15 above fresh data; inside the folds the
# estimate is within 0.05 of fresh data, for both random oversampling and SMOTE.
for name, r in leak.items():
    assert r["before"] > 0.9 and r["before"] - r["fresh"] > 0.15, name
    assert abs(r["inside"] - r["fresh"]) < 0.05, name
assert y_small.sum() == 113
# The baseline without resampling: duplicates lower the fresh-data AUC of 15-nearest neighbours, SMOTE raises it.
assert round(no_resampling["cv"], 3) == 0.766 and round(no_resampling["fresh"], 3) == 0.793
assert leak["random oversampling"]["fresh"] < no_resampling["fresh"] < leak["SMOTE"]["fresh"]
assert 25 < (y_small == 0).sum() / y_small.sum() < 26        # "about 25 copies of each positive" (with itself)
# The numbers the page quotes.
quoted = {"random oversampling": (0.986, 0.761, 0.775), "SMOTE": (0.990, 0.820, 0.825)}
for name, (before, inside, fresh) in quoted.items():
    assert [round(leak[name][k], 3) for k in ("before", "inside", "fresh")] == [before, inside, fresh], name
# Costs: the plain model at 0.5 costs over 1.4 times the plain model at 1/11, balanced weights at 0.5 over 1.15
# times; the corrected threshold and cost-ratio weights match 1/11 within 1%, and all three are within 3% of the
# true-probability rule. Balanced weights at 0.5 act like a threshold of about 0.034 on the plain scale, a cost ratio of
# about 29.
best = costs["plain, 1/11"]
assert costs["plain, 0.5"] > 1.4 * best and costs["balanced weights, 0.5"] > 1.15 * best
for key in (f"balanced weights, {t_bal:.3f}", "weights 10:1, 0.5"):
    assert abs(costs[key] / best - 1) < 0.01, key
    assert abs(costs[key] / costs["true probability, 1/11"] - 1) < 0.03, key
assert abs(best / costs["true probability, 1/11"] - 1) < 0.03
assert 28 < 1 / beta_balanced < 30 and round(correct_undersampled_probability(0.5, beta_balanced), 3) == 0.034
assert round(t_bal, 3) == 0.742
assert [round(costs[k], 3) for k in costs] == [0.250, 0.168, 0.204, 0.168, 0.168, 0.165]
assert abs(auc_bal - auc_plain) < 0.001 and abs(auc_cw - auc_plain) < 0.001
assert round(auc_bal, 3) == round(auc_cw, 3) == round(auc_plain, 3)          # "the same ROC AUC to three decimals"
# The cheapest rule is less accurate than "always negative": 92% against 97%.
assert acc_bayes < acc_majority and round(acc_bayes, 2) == 0.92 and round(acc_majority, 2) == 0.97
assert round(C_FN * prevalence, 2) == 0.31                   # the cost of "always negative"
# Undersampling: the intercept moves by -log(beta) = 3.0 within 0.15, for dropping and for weighting negatives; slopes
# move by under 0.15; the mean predicted probability is about six times the observed rate, and the corrected mean is
# within 5% of it; the corrected log loss is within 1% of the plain model's, while the raw one is about three times
# it; the AUC is kept.
assert abs(shift_under + np.log(BETA)) < 0.15 and abs(shift_weighted + np.log(BETA)) < 0.15
assert np.abs(under.coef_ - plain.coef_).max() < 0.15
assert 5 < mean_p["undersampled"] / prevalence < 7
assert abs(mean_p["corrected"] / prevalence - 1) < 0.05
assert abs(losses["corrected"] / losses["plain"] - 1) < 0.01 and 2.5 < losses["undersampled"] / losses["plain"] < 3.5
assert abs(auc_under - auc_plain) < 0.005
assert round(shift_under, 2) == 2.89 and round(shift_weighted, 2) == 2.98
assert round(mean_p["undersampled"], 3) == 0.186 and round(mean_p["corrected"], 4) == 0.0316
assert round(losses["undersampled"], 3) == 0.272 and round(losses["corrected"], 3) == round(losses["plain"], 3) == 0.088
# The reliability panel shows every bin of every curve: positive values inside the axis limits. In every bin the
# undersampled model's mean prediction is several times the observed rate, the corrected one's within a factor of 2.
for label, (mp, obs) in curves.items():
    assert np.all((LIM[0] < mp) & (mp < LIM[1]) & (LIM[0] < obs) & (obs < LIM[1])), label
mp_u, obs_u = curves[f"undersampled, beta = {BETA}"]
mp_c, obs_c = curves["undersampled, corrected"]
assert np.all(mp_u > 3 * obs_u) and np.all(np.abs(np.log(mp_c / obs_c)) < np.log(2))
# The two lowest bins of every curve hold one to three positives each (10,000 rows a bin).
for p_curve in (p_plain, p_under, p_corrected):
    assert all(1 <= y_test[b].sum() <= 3 for b in np.array_split(np.argsort(p_curve), 10)[:2])
# The correction is the inverse of Bayes' rule for the undersample: p_s = p / (p + beta (1 - p)).
p_grid = np.linspace(0.001, 0.999, 999)
assert np.allclose(correct_undersampled_probability(p_grid / (p_grid + BETA * (1 - p_grid)), BETA), p_grid)
# The worked example on the page: beta = 0.1 maps 0.5 to 1/11, and 1/11 is the cost threshold for 1:10 costs.
assert abs(correct_undersampled_probability(0.5, 0.1) - 1 / 11) < 1e-12 and cost_threshold(1, 10, beta=0.1) == 0.5
# Amount versus ratio: about 30 against 630 positives; the large sets beat the small ones by over 0.005 AUC on
# average, balanced weights do not raise the small sets' AUC, and dropping 95% of the large sets' negatives costs
# under a fifth of what the small sets lose.
assert 25 < np.mean(n_pos["small"]) < 35 and 625 < np.mean(n_pos["large"]) < 635
gain = runs["large"].mean() - runs["small"].mean()
assert gain > 0.005
assert runs["small, balanced weights"].mean() <= runs["small"].mean()
assert round(runs["small"].mean() - runs["small, balanced weights"].mean(), 3) == 0.005    # "cost 0.005 AUC"
assert 0 <= runs["large"].mean() - runs["large, 95% of negatives dropped"].mean() < gain / 5
assert [round(runs[k].mean(), 3) for k in runs] == [0.915, 0.910, 0.932, 0.931]     # the page's numbers
elapsed = time.process_time() - START
assert elapsed < 90, f"took {elapsed:.1f} CPU seconds (a guard against runaway growth, not a benchmark)"
print(f"all checks passed in {elapsed:.1f} CPU seconds")
