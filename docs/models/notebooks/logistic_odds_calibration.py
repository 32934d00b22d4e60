# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: models/logistic-regression.md}
# ---

# %% [markdown]
# # Logistic regression: odds ratios and calibration
# We simulate data whose log-odds are exactly linear in three features, fit logistic regression by Newton's method,
# and check that the fitted coefficients recover the true odds ratios, with Wald intervals that cover them about 95% of
# the time. Then we draw reliability curves to see when the predicted probabilities can be trusted: after a plain
# maximum-likelihood fit, but not after a heavy penalty, an overfit or training on rebalanced classes.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from mlguide.models.logistic import fit_logistic_newton, logistic_standard_errors, sigmoid

START = time.perf_counter()

# %% [markdown]
# ## Data with known odds ratios
# Each example has a standardized continuous feature $x_1$, a binary feature $x_2$ (present in 40% of examples) and a
# second continuous feature $x_3$. The outcome is drawn with
# $\log\frac{p}{1-p} = -2 + 0.5\,x_1 + \ln 2\; x_2 - 0.8\,x_3$, so the true odds ratios are $e^{0.5} \approx 1.65$ per
# standard deviation of $x_1$, exactly 2 for $x_2$, and $e^{-0.8} \approx 0.45$ per standard deviation of $x_3$.
# About 19% of examples are positive. We train on 5,000 examples and keep 20,000 for testing.

# %%
B0_TRUE = -2.0
B_TRUE = np.array([0.5, np.log(2.0), -0.8])
NAMES = ["x1 (per sd)", "x2 (yes vs no)", "x3 (per sd)"]


def draw(n, rng):
    X = np.column_stack([rng.normal(size=n), rng.random(n) < 0.4, rng.normal(size=n)]).astype(float)
    y = (rng.random(n) < sigmoid(B0_TRUE + X @ B_TRUE)).astype(int)
    return X, y


rng = np.random.default_rng(14)
X, y = draw(5_000, rng)
X_test, y_test = draw(20_000, rng)
print(f"training positives: {y.mean():.3f}, test positives: {y_test.mean():.3f}")

# %% [markdown]
# ## Fitting by Newton's method, checked against scikit-learn
# `fit_logistic_newton` minimises the cross-entropy with no penalty; scikit-learn's `LogisticRegression(C=np.inf)`
# minimises the same objective with L-BFGS. The standard errors come from the inverse of the Hessian $X^\top W X$ at
# the fit, and a 95% Wald interval for an odds ratio is $\exp(\hat\beta_j \pm 1.96\,\mathrm{se}_j)$.

# %%
b0, beta = fit_logistic_newton(X, y)
se = logistic_standard_errors(X, b0, beta)
ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
odds_ratio = np.exp(beta)
ci_low, ci_high = np.exp(beta - 1.96 * se[1:]), np.exp(beta + 1.96 * se[1:])
for name, true, est, lo, hi in zip(NAMES, np.exp(B_TRUE), odds_ratio, ci_low, ci_high):
    print(f"{name:15s} true OR {true:.3f}  estimate {est:.3f}  95% CI ({lo:.3f}, {hi:.3f})")
print(f"largest gap to scikit-learn: {np.abs(np.r_[b0, beta] - np.r_[ref.intercept_, ref.coef_[0]]).max():.1e}")
# The score equation for the intercept: on the training data the fitted probabilities average to the observed rate.
print(f"mean fitted probability {sigmoid(b0 + X @ beta).mean():.6f}, observed rate {y.mean():.6f}")

# %% [markdown]
# One dataset can be lucky. Repeating the experiment on 200 fresh training sets of 1,000 examples each, we count how
# often each interval contains the true odds ratio: it should be close to 95%.

# %%
covered = []
for _ in range(200):
    X_r, y_r = draw(1_000, rng)
    c0, c = fit_logistic_newton(X_r, y_r)
    s = logistic_standard_errors(X_r, c0, c)
    covered.append(np.abs(c - B_TRUE) < 1.96 * s[1:])
coverage = np.mean(covered, axis=0)
print("coverage of the 95% intervals:", np.round(coverage, 3))

# %% [markdown]
# ## The 2 x 2 table from the page
# With a single binary feature the model is saturated: it fits each group's observed rate exactly, so the fitted odds
# ratio is the table's cross-product ratio $ad/bc$, and the standard error of its log is Woolf's
# $\sqrt{1/a + 1/b + 1/c + 1/d}$. Thirty of 100 exposed and 10 of 100 unexposed people have the outcome.

# %%
x_tab = np.r_[np.ones(100), np.zeros(100)][:, None]
y_tab = np.r_[np.ones(30), np.zeros(70), np.ones(10), np.zeros(90)]
t0, t = fit_logistic_newton(x_tab, y_tab)
se_tab = logistic_standard_errors(x_tab, t0, t)
or_tab = np.exp(t[0])
ci_tab = np.exp(t[0] + np.array([-1.96, 1.96]) * se_tab[1])
risk_ratio = 0.30 / 0.10
print(f"intercept {t0:.3f} (log of 10/90), slope {t[0]:.3f}, odds ratio {or_tab:.3f}, risk ratio {risk_ratio:.1f}")
print(f"se of the log odds ratio {se_tab[1]:.4f}, 95% CI for the odds ratio ({ci_tab[0]:.2f}, {ci_tab[1]:.2f})")

# %% [markdown]
# ## A constant odds ratio is not a constant change in probability
# In the page's credit example the log-odds of default are $-2 + 0.8 \times$ (missed payments). Every extra missed
# payment multiplies the odds by $e^{0.8} \approx 2.23$, but the probability rises by different amounts. The slope of
# the probability, $\beta\,p(1-p)$, is largest at $p = 0.5$, where it is $\beta/4$.

# %%
missed = np.arange(0, 5)
p_missed = sigmoid(-2 + 0.8 * missed)
odds_missed = p_missed / (1 - p_missed)
print("P(default):", np.round(p_missed, 4))
print("odds ratio per payment:", np.round(odds_missed[1:] / odds_missed[:-1], 4))
print("probability added per payment:", np.round(np.diff(p_missed), 4))

# %% [markdown]
# ## Why not fit by squared error?
# For one positive example with log-odds $z$ and $p = \sigma(z)$, the cross-entropy $-\log p$ has slope $p - 1$ in
# $z$; the squared error $(1 - p)^2$ has slope $-2(1-p)\,p(1-p)$, which vanishes as the example becomes confidently
# wrong ($p \to 0$). And the squared error is not convex in $z$: its second derivative is negative wherever
# $p < 1/3$.

# %%
z = np.linspace(-8, 8, 1601)
p = sigmoid(z)
grad_ce = p - 1
grad_se = -2 * (1 - p) ** 2 * p
curv_se = np.gradient(np.gradient((1 - p) ** 2, z), z)
p_wrong = 0.01
ratio = (1 - p_wrong) / (2 * (1 - p_wrong) ** 2 * p_wrong)
print(f"at p = {p_wrong}: cross-entropy slope {p_wrong - 1:.3f}, squared-error slope "
      f"{-2 * (1 - p_wrong) ** 2 * p_wrong:.4f}, ratio {ratio:.1f}")
print(f"squared error's curvature in z ranges from {curv_se.min():.3f} to {curv_se.max():.3f}")

# %%
fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(8, 3.3))
ax_l.plot(z, -np.log(p), label="cross-entropy  $-\\log p$")
ax_l.plot(z, (1 - p) ** 2, label="squared error  $(1-p)^2$")
ax_l.set(title="Loss for a positive example", xlabel="log-odds z", ylabel="loss", ylim=(0, 4))
ax_g.plot(z, np.abs(grad_ce), label="cross-entropy")
ax_g.plot(z, np.abs(grad_se), label="squared error")
ax_g.set(title="Size of the gradient in z", xlabel="log-odds z", ylabel="|d loss / dz|")
for ax in (ax_l, ax_g):
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Separable classes: the maximum-likelihood estimate does not exist
# If a line separates the two classes, scaling the weights up always lowers the cross-entropy, so Newton's method
# never settles; `fit_logistic_newton` raises. Plain gradient descent keeps going too: the weight norm grows without
# bound, roughly like the logarithm of the number of steps. Any L2 penalty gives a finite answer.
#
# Soudry et al. (2018) show that, without an intercept and with a small enough step size, gradient descent's
# $w(t) \approx \hat w \ln t$, where $\hat w$ is the hard-margin SVM's weight vector (no intercept either, scaled so
# the closest points have $|x^\top \hat w| = 1$; the margin is $1/\lVert\hat w\rVert$). So the norm grows by
# $\lVert\hat w\rVert \ln 10$, that is $\ln 10$ divided by the margin, per tenfold more steps, and the increments we
# measure approach it from below. Our step size, 0.5, is below their sufficient bound: 2 divided by the largest
# eigenvalue of the mean loss's Hessian bound $X^\top X / (4n)$.

# %%
sep_rng = np.random.default_rng(3)
X_sep = np.r_[sep_rng.normal(size=(25, 2)) + 2.5, sep_rng.normal(size=(25, 2)) - 2.5]
y_sep = np.r_[np.ones(25), np.zeros(25)]
try:
    fit_logistic_newton(X_sep, y_sep)
    newton_failed = False
except RuntimeError as err:
    newton_failed = True
    print("Newton, no penalty:", err)
_, w_pen = fit_logistic_newton(X_sep, y_sep, l2=1.0)
print(f"Newton with l2 = 1: |w| = {np.linalg.norm(w_pen):.3f}")

w = np.zeros(2)
norms = {}
for step in range(1, 10_001):
    p_sep = sigmoid(X_sep @ w)
    w -= 0.5 * X_sep.T @ (p_sep - y_sep) / len(y_sep)      # step size 0.5 on the mean cross-entropy
    if step in (10, 100, 1_000, 10_000):
        norms[step] = np.linalg.norm(w)
print("gradient descent, no penalty, |w| after 10, 100, 1000, 10000 steps:", {k: round(v, 2) for k, v in norms.items()})
step_bound = 2 / np.linalg.eigvalsh(X_sep.T @ X_sep / (4 * len(y_sep))).max()
print(f"step size 0.5, sufficient bound {step_bound:.2f}")
# The hard-margin SVM without an intercept: a linear SVM with hinge loss and a very large C.
w_svm = LinearSVC(fit_intercept=False, loss="hinge", C=1e4, tol=1e-10, max_iter=1_000_000).fit(X_sep, y_sep).coef_[0]
growth_limit = np.linalg.norm(w_svm) * np.log(10)
print(f"margin 1/|w_svm| = {1 / np.linalg.norm(w_svm):.3f}; limiting growth per tenfold steps {growth_limit:.2f}")

# %% [markdown]
# ## Reliability curves: when are the probabilities right?
# A reliability curve sorts test examples into ten bins of equal size by predicted probability and plots each bin's
# observed share of positives against its mean prediction; a calibrated model lies on the diagonal. We compare:
#
# - the maximum-likelihood fit above;
# - the same model with a heavy L2 penalty ($\lambda = 300$, `C = 1/300`), which shrinks the log-odds toward the
#   base rate;
# - an overfit: 800 training examples with 40 pure-noise features added;
# - a fit on a rebalanced training set (all positives and as many negatives), before and after adding $\log r$ to
#   the intercept, where $r$ is the fraction of negatives kept.
#
# The *calibration slope* is the coefficient from a logistic regression of the test outcomes on the model's log-odds:
# 1 is ideal, below 1 means overconfident (predictions too extreme), above 1 underconfident.

# %%
def calibration_slope(prob, outcome):
    _, slope = fit_logistic_newton(np.log(prob / (1 - prob))[:, None], outcome)
    return slope[0]


models = {}
models["maximum likelihood"] = sigmoid(b0 + X_test @ beta)

h0, h = fit_logistic_newton(X, y, l2=300.0)
models["heavy L2 penalty"] = sigmoid(h0 + X_test @ h)

X_small, y_small = draw(800, rng)
noise_k = 40
o0, o = fit_logistic_newton(np.c_[X_small, rng.normal(size=(800, noise_k))], y_small)
models["overfit (40 noise features)"] = sigmoid(o0 + np.c_[X_test, rng.normal(size=(len(X_test), noise_k))] @ o)

pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
kept = rng.choice(neg, size=pos.size, replace=False)
r = pos.size / neg.size
idx = np.r_[pos, kept]
s0, s_coef = fit_logistic_newton(X[idx], y[idx])
models["rebalanced classes"] = sigmoid(s0 + X_test @ s_coef)
models["rebalanced, intercept + log r"] = sigmoid(s0 + np.log(r) + X_test @ s_coef)

stats = {}
for name, prob in models.items():
    stats[name] = dict(
        slope=calibration_slope(prob, y_test), gap=prob.mean() - y_test.mean(),
        auc=roc_auc_score(y_test, prob), loss=log_loss(y_test, prob),
    )
    st = stats[name]
    print(f"{name:30s} slope {st['slope']:.2f}  mean p - rate {st['gap']:+.3f}  AUC {st['auc']:.4f}  "
          f"log loss {st['loss']:.4f}")
print(f"r = {r:.3f}, log r = {np.log(r):.3f}; rebalanced intercept {s0:.3f} -> {s0 + np.log(r):.3f} "
      f"(full-data fit {b0:.3f})")

# %% tags=["figure:logistic-odds-and-reliability"]
fig, (ax_or, ax_rel) = plt.subplots(1, 2, figsize=(8.5, 4))
rows = np.arange(len(NAMES))
ax_or.errorbar(odds_ratio, rows, xerr=[odds_ratio - ci_low, ci_high - odds_ratio], fmt="o", capsize=4,
               label="estimate, 95% CI")
ax_or.scatter(np.exp(B_TRUE), rows, marker="x", color="C3", s=60, zorder=3, label="true odds ratio")
ax_or.axvline(1, color="grey", lw=0.8, ls="--")
ax_or.set_xscale("log")
ax_or.set_xticks([0.4, 0.5, 1, 1.5, 2, 3])
ax_or.set_xticklabels(["0.4", "0.5", "1", "1.5", "2", "3"])
ax_or.xaxis.set_minor_formatter(plt.NullFormatter())
ax_or.set_yticks(rows)
ax_or.set_yticklabels(NAMES)
ax_or.invert_yaxis()
ax_or.set(title="Odds ratios recovered (n = 5,000)", xlabel="odds ratio (log scale)")
ax_or.legend(fontsize=8, loc="lower right")

styles = {"maximum likelihood": "-o", "heavy L2 penalty": "-s", "overfit (40 noise features)": "-^",
          "rebalanced classes": "-v", "rebalanced, intercept + log r": ":."}
for name, prob in models.items():
    frac_pos, mean_pred = calibration_curve(y_test, prob, n_bins=10, strategy="quantile")
    ax_rel.plot(mean_pred, frac_pos, styles[name], ms=4, label=f"{name} (slope {stats[name]['slope']:.2f})")
ax_rel.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
ax_rel.set(title="Reliability on 20,000 test examples", xlabel="mean predicted probability (bin)",
           ylabel="observed share of positives", xlim=(0, 0.85), ylim=(0, 0.85))
ax_rel.legend(fontsize=7, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The maximum-likelihood curve follows the diagonal. The penalised model's curve is steeper than the diagonal: its
# predictions huddle near the base rate, so they are underconfident. The overfit model's curve is flatter:
# its extreme predictions are too extreme. The rebalanced fit predicts far too many positives everywhere, yet ranks
# exactly as well as its corrected version, because adding $\log r$ to every log-odds does not change their order.

# %% [markdown]
# ## The decision threshold
# With calibrated probabilities and a miss costing four times a false alarm, the expected cost is smallest when
# flagging at $p \ge c_{FP}/(c_{FP}+c_{FN}) = 1/5$, not at 0.5.

# %%
prob = models["maximum likelihood"]
C_FP, C_FN = 1.0, 4.0


def cost(threshold):
    flag = prob >= threshold
    return (C_FP * np.sum(flag & (y_test == 0)) + C_FN * np.sum(~flag & (y_test == 1))) / len(y_test)


grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
costs = np.array([cost(t) for t in grid])
best_t = grid[np.argmin(costs)]
print(f"cost per example: threshold 0.5 -> {cost(0.5):.4f}, 0.2 -> {cost(0.2):.4f}; best on the grid {best_t:.2f}")

# %% [markdown]
# ## Three classes: softmax against one-vs-rest
# For three or more classes scikit-learn's `LogisticRegression` fits the multinomial (softmax) model, whose
# probabilities sum to 1 by construction. One-vs-rest fits three separate binary models; their raw probabilities need
# not sum to 1, and `OneVsRestClassifier` rescales them.

# %%
mc_rng = np.random.default_rng(7)
centres = np.array([[0.0, 0.0], [2.0, 0.5], [0.5, 2.0]])
labels = mc_rng.integers(0, 3, size=3_000)
X_mc = centres[labels] + mc_rng.normal(size=(3_000, 2))
X_mc_train, X_mc_test, l_train, l_test = X_mc[:1500], X_mc[1500:], labels[:1500], labels[1500:]
soft = LogisticRegression(C=np.inf, max_iter=10_000).fit(X_mc_train, l_train)
ovr = OneVsRestClassifier(LogisticRegression(C=np.inf, max_iter=10_000)).fit(X_mc_train, l_train)
scores = soft.decision_function(X_mc_test)
softmax = np.exp(scores - scores.max(axis=1, keepdims=True))
softmax /= softmax.sum(axis=1, keepdims=True)
raw_ovr_sum = np.sum([sigmoid(est.decision_function(X_mc_test)) for est in ovr.estimators_], axis=0)
print(f"softmax probabilities equal predict_proba: {np.allclose(softmax, soft.predict_proba(X_mc_test))}")
print(f"one-vs-rest raw probabilities sum to between {raw_ovr_sum.min():.2f} and {raw_ovr_sum.max():.2f}")
print(f"test log loss: softmax {log_loss(l_test, soft.predict_proba(X_mc_test)):.4f}, "
      f"one-vs-rest {log_loss(l_test, ovr.predict_proba(X_mc_test)):.4f}")

# %% [markdown]
# ## Checks
# Every number the page quotes from this notebook.

# %%
# Newton's method agrees with scikit-learn's unpenalised fit, and the intercept's score equation holds.
assert np.allclose(np.r_[b0, beta], np.r_[ref.intercept_, ref.coef_[0]], atol=1e-6)
assert abs(sigmoid(b0 + X @ beta).mean() - y.mean()) < 1e-10
# Every 95% interval contains its true odds ratio, and the binary feature's odds ratio is close to 2.
assert np.all((ci_low < np.exp(B_TRUE)) & (np.exp(B_TRUE) < ci_high))
assert abs(odds_ratio[1] - 2) < 0.25
# Over 200 repetitions each interval covers the truth between 92% and 98% of the time.
assert np.all((0.92 <= coverage) & (coverage <= 0.98)), coverage
# The 2 x 2 table: odds ratio 3.857 = (30 x 90) / (70 x 10), risk ratio 3, SE 0.398, CI (1.77, 8.42).
assert abs(or_tab - 30 * 90 / (70 * 10)) < 1e-9 and round(or_tab, 3) == 3.857
assert abs(t0 - np.log(10 / 90)) < 1e-9
assert abs(se_tab[1] - np.sqrt(1 / 30 + 1 / 70 + 1 / 10 + 1 / 90)) < 1e-9 and round(se_tab[1], 3) == 0.398
assert (round(ci_tab[0], 2), round(ci_tab[1], 2)) == (1.77, 8.42)
# The credit example: P(default) 0.119, 0.231, 0.401, 0.599, 0.769; every odds ratio is e^0.8 = 2.23, but the
# probability added per payment grows from 0.112 to 0.197 and shrinks again to 0.170.
assert np.allclose(np.round(p_missed, 3), [0.119, 0.231, 0.401, 0.599, 0.769])
assert np.allclose(odds_missed[1:] / odds_missed[:-1], np.exp(0.8))
assert np.allclose(np.round(np.diff(p_missed), 3), [0.112, 0.170, 0.197, 0.170])
# Squared error: at p = 0.01 its gradient is about 50 times smaller than cross-entropy's, and it is not convex in z.
assert 50 < ratio < 51
assert curv_se.min() < -0.05 and np.all(np.gradient(grad_ce, z) > 0)
# ... and its curvature is negative exactly where p < 1/3 (up to the grid's resolution).
assert np.all(curv_se[p < 0.32] < 0) and np.all(curv_se[p > 0.35] > 0)
# Separable data: Newton raises without a penalty, l2 = 1 gives a finite fit, and gradient descent's weight norm keeps
# growing by a roughly constant amount per tenfold increase in steps.
assert newton_failed and np.isfinite(w_pen).all()
increments = np.diff([norms[k] for k in (100, 1_000, 10_000)])
assert np.all(increments > 0.5) and increments.max() / increments.min() < 2
# Calibration: the maximum-likelihood fit has slope within 0.1 of 1 and mean within 0.015 of the test rate; the heavy
# penalty is underconfident (slope > 1.4), the overfit overconfident (slope < 0.75).
ml, pen, over = stats["maximum likelihood"], stats["heavy L2 penalty"], stats["overfit (40 noise features)"]
assert abs(ml["slope"] - 1) < 0.1 and abs(ml["gap"]) < 0.015
assert pen["slope"] > 1.4 and over["slope"] < 0.75
assert ml["loss"] < min(pen["loss"], over["loss"])
# Rebalancing: mean prediction over 0.2 too high; adding log r fixes the mean, leaves the AUC exactly unchanged, and
# brings the intercept within 0.1 of the full-data fit.
reb, fix = stats["rebalanced classes"], stats["rebalanced, intercept + log r"]
assert reb["gap"] > 0.2 and abs(fix["gap"]) < 0.015
assert reb["auc"] == fix["auc"]
assert abs(s0 + np.log(r) - b0) < 0.1
# Threshold: with c_FN = 4 c_FP, flagging at 0.2 costs less than at 0.5, and the grid's best threshold is near 0.2.
assert cost(0.2) < cost(0.5) and abs(best_t - 0.2) <= 0.05
# Three classes: predict_proba is the softmax of the scores; one-vs-rest's raw probabilities do not sum to 1.
assert np.allclose(softmax, soft.predict_proba(X_mc_test))
assert raw_ovr_sum.min() < 0.9 and raw_ovr_sum.max() > 1.1
# The numbers the page quotes, as rounded there.
assert (coverage.min(), coverage.max()) == (0.935, 0.975)
assert np.allclose(np.round(np.exp(B_TRUE), 2), [1.65, 2.0, 0.45])
assert np.all((0.8 < increments) & (increments < 1.2))
assert np.allclose(np.round(increments, 2), [0.95, 1.09]) and round(growth_limit, 2) == 1.34 and 0.5 < step_bound
assert increments[0] < increments[1] < growth_limit
# ... and the SVM really is hard-margin: every point has y (x . w) >= 1, with equality at the closest ones.
assert abs(np.min((2 * y_sep - 1) * (X_sep @ w_svm)) - 1) < 1e-6
assert [round(stats[k]["slope"], 2) for k in ("maximum likelihood", "heavy L2 penalty",
                                               "overfit (40 noise features)")] == [0.98, 1.58, 0.63]
assert round(reb["gap"], 2) == 0.25
assert (round(cost(0.2), 2), round(cost(0.5), 2)) == (0.50, 0.67)
assert (round(raw_ovr_sum.min(), 2), round(raw_ovr_sum.max(), 2)) == (0.67, 1.85)
elapsed = time.perf_counter() - START
assert elapsed < 90, f"took {elapsed:.1f} s (a guard against runaway growth, not a benchmark)"
print(f"all checks passed in {elapsed:.1f} s")
