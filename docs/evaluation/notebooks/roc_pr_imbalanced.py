# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: evaluation/roc-auc.md}
# ---

# %% [markdown]
# # ROC and precision-recall curves when positives are rare
# Two classifiers are scored on a synthetic problem where 1.5% of the examples are positive. Their ROC curves cross:
# one is better at the top of the ranking, the other further down. ROC AUC, which weights every false-positive rate
# equally, slightly prefers the second; average precision, which weights the top of the ranking, clearly prefers the
# first. Along the way we check that the area under the ROC curve is a pair-ranking probability, that it ignores
# monotone rescaling and subsampling of one class, that average precision does neither, and how uncertain both are.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import comb, expit
from scipy.stats import rankdata
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

from mlguide.evaluation.ranking import auc_by_ranking, f_beta, precision_recall_f1

START = time.perf_counter()

# %% [markdown]
# ## The data and the two models
# `make_classification` draws 30,000 examples with 20 features, 6 of them informative and 4 linear combinations of
# those; `weights=[0.985]` makes 1.5% of them positive. Half the rows train the models, the other half (with 225
# positives) is the test set every number below comes from. The split is stratified, so both halves keep the same
# prevalence.
#
# The two models are a logistic regression and Gaussian naive Bayes. Each produces a *score* per example; we use the
# log-odds each model assigns to the positive class rather than `predict_proba`. Probabilities are a monotone
# function of the log-odds, so they give the same curves, except that naive Bayes probabilities, often extreme, can
# round to exactly 0 or 1 on other data and create artificial ties. Log-odds never do.

# %%
X, y = make_classification(
    n_samples=30_000, n_features=20, n_informative=6, n_redundant=4,
    weights=[0.985], flip_y=0.0, class_sep=1.3, random_state=0,
)
X_fit, X_eval, y_fit, y_test = train_test_split(X, y, stratify=y, test_size=0.5, random_state=0)
prevalence = y_test.mean()
print(f"test set: {y_test.size} examples, {y_test.sum()} positives, prevalence {prevalence:.4f}")

logreg = LogisticRegression(max_iter=1000).fit(X_fit, y_fit)
bayes = GaussianNB().fit(X_fit, y_fit)
joint = bayes.predict_joint_log_proba(X_eval)          # log p(x, class) for class 0 and class 1
scores = {
    "logistic regression": logreg.decision_function(X_eval),
    "naive Bayes": joint[:, 1] - joint[:, 0],
}
for name, s in scores.items():
    print(f"{name:20s} {np.unique(s).size} distinct scores")

# %% [markdown]
# ## ROC curves, PR curves and their areas
# `roc_curve` sweeps the threshold down through every distinct score and returns the false-positive rate and
# true-positive rate at each; `precision_recall_curve` does the same for precision and recall. The ROC area is
# computed three ways: the trapezoid rule over the curve's vertices, scikit-learn's `roc_auc_score`, and
# `auc_by_ranking`, which never builds a curve at all but counts correctly ordered (positive, negative) pairs through
# ranks. Average precision (AP) sums precision times the recall gained at each threshold, a step function with no
# interpolation.

# %%
results = {}
for name, s in scores.items():
    fpr, tpr, roc_thr = roc_curve(y_test, s)
    precision, recall, pr_thr = precision_recall_curve(y_test, s)
    results[name] = dict(
        fpr=fpr, tpr=tpr, precision=precision, recall=recall,
        auc_trapezoid=np.trapezoid(tpr, fpr),
        auc_sklearn=roc_auc_score(y_test, s),
        auc_pairs=auc_by_ranking(y_test, s),
        ap=average_precision_score(y_test, s),
    )
    r = results[name]
    print(f"{name:20s} ROC AUC: trapezoid {r['auc_trapezoid']:.6f}, sklearn {r['auc_sklearn']:.6f}, "
          f"ranking {r['auc_pairs']:.6f} | average precision {r['ap']:.4f}")

# %% tags=["figure:roc-pr-imbalanced-curves"]
fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(8, 4))
for name, r in results.items():
    ax_roc.plot(r["fpr"], r["tpr"], label=f"{name} (AUC {r['auc_pairs']:.3f})")
    ax_pr.plot(r["recall"], r["precision"], drawstyle="steps-post", label=f"{name} (AP {r['ap']:.3f})")
ax_roc.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8, label="random scores")
ax_pr.axhline(prevalence, color="grey", ls="--", lw=0.8, label=f"random scores (prevalence {prevalence:.3f})")
ax_roc.set(title="ROC curve", xlabel="false-positive rate (share of negatives flagged)",
           ylabel="true-positive rate (recall)", xlim=(0, 1), ylim=(0, 1.01))
ax_pr.set(title="Precision-recall curve", xlabel="recall (share of positives flagged)",
          ylabel="precision (share of flags that are positive)", xlim=(0, 1), ylim=(0, 1.01))
ax_roc.legend(loc="lower right", fontsize=8)
ax_pr.legend(loc="upper right", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The two ROC curves cross. Below a false-positive rate of about 10% the logistic regression finds more positives;
# beyond it naive Bayes does, and naive Bayes ends with the slightly larger area. The PR curves cross at the matching
# recall, about 0.8: at one prevalence every ROC point maps to one PR point, and a curve that dominates in ROC space
# dominates in PR space too (Davis and Goadrich, 2006), so the PR plot shows no information the ROC plot lacks. What
# differs is the scale. The region where the logistic regression is ahead, false-positive rates up to about 10%, is a
# thin strip of the ROC plot; with about 65 negatives per positive it decides precision, and the PR plot spreads it
# across most of its width. ROC AUC weights every false-positive rate equally, so naive Bayes's lead at high rates
# counts as much as the logistic regression's lead at low ones. Average precision averages precision over the
# positives, and once the false-positive rate is sizeable precision is small for both models (a 10% false-positive
# rate already flags more than six negatives per positive), so the top of the ranking decides it.

# %%
def precision_at_recall(precision, recall, level):
    """Precision at the highest threshold whose recall reaches `level` (arrays as precision_recall_curve returns them)."""
    return precision[np.flatnonzero(recall >= level)[-1]]


tpr_at, prec_at = {}, {}
for name, r in results.items():
    for cut in (0.005, 0.01, 0.02, 0.05, 0.15, 0.2, 0.3):
        i = np.searchsorted(r["fpr"], cut, side="right") - 1      # last vertex with FPR <= cut
        tpr_at[name, cut] = r["tpr"][i]
        print(f"{name:20s} at FPR <= {cut:.3f}: TPR {tpr_at[name, cut]:.3f}")
    for level in (0.4, 0.75, 0.85, 0.9):
        prec_at[name, level] = precision_at_recall(r["precision"], r["recall"], level)
        print(f"{name:20s} at recall >= {level:.2f}: precision {prec_at[name, level]:.3f}")

# Where do the ROC curves cross? Compare the TPR both models reach at each FPR from 0.1% to 50%.
fpr_grid = np.arange(0.001, 0.5, 0.001)
tpr_grid = {name: r["tpr"][np.searchsorted(r["fpr"], fpr_grid, side="right") - 1] for name, r in results.items()}
nb_ahead = tpr_grid["naive Bayes"] > tpr_grid["logistic regression"]
cross_fpr = fpr_grid[np.argmax(nb_ahead)]
cross_tpr = tpr_grid["logistic regression"][np.argmax(nb_ahead)]
print(f"naive Bayes first finds more positives at FPR {cross_fpr:.3f} (TPR about {cross_tpr:.2f})")

# %% [markdown]
# ## Partial AUC, and the ROC curve on a log scale
# When only low false-positive rates are usable, summarise that part of the curve. The partial AUC up to a
# false-positive rate $m$ is the area under the curve between FPR 0 and $m$; divided by $m$ it is the mean TPR over
# that range. Scikit-learn's `roc_auc_score(..., max_fpr=m)` reports the McClish standardisation of that area $A_m$,
# $\tfrac12\,(1 + (A_m - m^2/2)/(m - m^2/2))$, which maps the diagonal's partial area to 0.5 and a perfect curve's
# to 1. We compute the raw area and check it against scikit-learn through that formula.

# %%
def partial_auc(fpr, tpr, max_fpr):
    """Area under the ROC curve between FPR 0 and max_fpr, interpolating linearly at max_fpr."""
    stop = np.searchsorted(fpr, max_fpr, side="right")        # vertices with FPR <= max_fpr
    tpr_end = np.interp(max_fpr, fpr[stop - 1:stop + 1], tpr[stop - 1:stop + 1])
    return np.trapezoid(np.append(tpr[:stop], tpr_end), np.append(fpr[:stop], max_fpr))


M = 0.1
pauc, pauc_mcclish, pauc_sklearn = {}, {}, {}
for name, r in results.items():
    pauc[name] = partial_auc(r["fpr"], r["tpr"], M)
    pauc_mcclish[name] = 0.5 * (1 + (pauc[name] - M**2 / 2) / (M - M**2 / 2))
    pauc_sklearn[name] = roc_auc_score(y_test, scores[name], max_fpr=M)
    print(f"{name:20s} partial AUC up to FPR {M}: {pauc[name]:.4f} (mean TPR {pauc[name] / M:.3f}); "
          f"McClish {pauc_mcclish[name]:.4f}, sklearn {pauc_sklearn[name]:.4f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for name, r in results.items():
    ax.plot(r["fpr"][1:], r["tpr"][1:], label=name)
grid = np.logspace(-4, 0, 200)
ax.plot(grid, grid, color="grey", ls="--", lw=0.8, label="random scores")
ax.axvline(M, color="grey", lw=0.8)
ax.set(title="The same ROC curves, false-positive rate on a log scale", xscale="log", xlim=(1e-4, 1), ylim=(0, 1.01),
       xlabel="false-positive rate (log scale)", ylabel="true-positive rate (recall)")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## A point that looks good on the ROC plot
# Take the logistic regression's threshold that first reaches 80% recall. Precision follows from the ROC point and the
# prevalence $\pi$: precision $= \pi\,\mathrm{TPR} / (\pi\,\mathrm{TPR} + (1-\pi)\,\mathrm{FPR})$. We also score the
# hard predictions at that threshold with `precision_recall_f1`.

# %%
s_lr = scores["logistic regression"]
fpr, tpr, thr = roc_curve(y_test, s_lr)
i80 = int(np.argmax(tpr >= 0.8))
flag80 = s_lr >= thr[i80]
p80, r80, f1_80 = precision_recall_f1(y_test, flag80)
p80_formula = prevalence * tpr[i80] / (prevalence * tpr[i80] + (1 - prevalence) * fpr[i80])
print(f"threshold {thr[i80]:.3f}: TPR {tpr[i80]:.3f}, FPR {fpr[i80]:.3f}, "
      f"{flag80.sum()} flagged -> precision {p80:.3f} (formula {p80_formula:.3f}), F1 {f1_80:.3f}")

# %% [markdown]
# ## The threshold trade-off, and F1 versus F2
# Sweeping the logistic regression's threshold shows the trade-off on the precision-recall page: recall can only fall
# as the threshold rises, precision mostly rises but not monotonically. We pick the threshold that maximises F1 and
# the one that maximises $F_2$, which weights recall more; `f_beta` computes both from each threshold's precision and
# recall.

# %%
precision, recall, pr_thr = precision_recall_curve(y_test, s_lr)
precision, recall = precision[:-1], recall[:-1]      # drop the final (recall 0, precision 1) end point
f1 = np.array([f_beta(p, r, 1.0) for p, r in zip(precision, recall)])
f2 = np.array([f_beta(p, r, 2.0) for p, r in zip(precision, recall)])
best1, best2 = int(np.argmax(f1)), int(np.argmax(f2))
for label, k in (("F1", best1), ("F2", best2)):
    print(f"best {label}: threshold {pr_thr[k]:+.3f}, precision {precision[k]:.3f}, recall {recall[k]:.3f}, "
          f"F1 {f1[k]:.3f}, F2 {f2[k]:.3f}")
# the same numbers from the hard predictions at the F1-best threshold
p_best, r_best, f1_best = precision_recall_f1(y_test, s_lr >= pr_thr[best1])
print(f"precision_recall_f1 at the F1-best threshold: {p_best:.3f}, {r_best:.3f}, {f1_best:.3f}")

# %% tags=["figure:roc-pr-threshold-sweep"]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(pr_thr, precision, label="precision")
ax.plot(pr_thr, recall, label="recall")
ax.plot(pr_thr, f1, label="F1", lw=2)
ax.plot(pr_thr, f2, label="F2", ls=":", lw=2)
ax.axvline(pr_thr[best1], color="C2", ls="--", lw=0.8)
ax.axvline(pr_thr[best2], color="C3", ls="--", lw=0.8)
ax.set(title="Logistic regression: metrics as the threshold moves (1.5% positives)",
       xlabel="threshold on the log-odds score", ylabel="value (0 to 1)", xlim=(-6, 8), ylim=(0, 1.02))
ax.legend(loc="center left", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Monotone transforms leave the ROC curve alone
# The ROC curve only depends on the order of the scores. Turning log-odds into probabilities with the logistic
# function, or cubing them, keeps that order, so the area cannot change. Squaring does not keep it (large negative
# log-odds become large positive numbers), and the area moves.

# %%
base = auc_by_ranking(y_test, s_lr)
auc_prob = auc_by_ranking(y_test, expit(s_lr))
auc_cubed = auc_by_ranking(y_test, s_lr**3)
auc_squared = auc_by_ranking(y_test, s_lr**2)
print(f"log-odds {base:.6f} | probabilities {auc_prob:.6f} | cubed {auc_cubed:.6f} | squared {auc_squared:.6f}")

# %% [markdown]
# ## Changing the prevalence
# The true-positive rate is computed within the positives and the false-positive rate within the negatives, so the
# class ratio does not enter the ROC curve. Precision mixes the two classes, so it does. To see this we keep all 225
# test positives and draw random subsets of the negatives, raising the prevalence from 1.5% to 5%, 10%, 25% and
# 50%, 50 draws per level. Random subsampling leaves each class's score distribution as it was, which is exactly the
# condition for the ROC curve to stay put: on average the ROC AUC of a subset equals that of the full test set (it is
# an average over pairs and every negative is equally likely to be kept), so a single draw differs only by sampling
# noise, whose size we print. This holds by construction; it is not evidence that AUC survives a real change of
# population, where the negatives (or the positives) themselves differ.

# %%
rng = np.random.default_rng(1)
pos, neg = np.flatnonzero(y_test == 1), np.flatnonzero(y_test == 0)
levels = [0.05, 0.10, 0.25, 0.50]
shift = {"level": [prevalence], "auc_mean": [base], "auc_sd": [0.0], "ap_mean": [results["logistic regression"]["ap"]]}
for level in levels:
    n_neg = int(round(pos.size * (1 - level) / level))
    aucs, aps = [], []
    for _ in range(50):
        keep = np.concatenate([pos, rng.choice(neg, n_neg, replace=False)])
        aucs.append(auc_by_ranking(y_test[keep], s_lr[keep]))
        aps.append(average_precision_score(y_test[keep], s_lr[keep]))
    for key, value in (("level", level), ("auc_mean", np.mean(aucs)), ("auc_sd", np.std(aucs, ddof=1)),
                       ("ap_mean", np.mean(aps))):
        shift[key].append(value)
shift = {k: np.array(v) for k, v in shift.items()}
print("prevalence  ROC AUC (mean, sd over 50 draws)  average precision (mean)")
for j in range(len(shift["level"])):
    print(f"{shift['level'][j]:10.3f}  {shift['auc_mean'][j]:.4f}  {shift['auc_sd'][j]:.4f}"
          f"                    {shift['ap_mean'][j]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(shift["level"], shift["auc_mean"], marker="o", label="ROC AUC")
ax.plot(shift["level"], shift["ap_mean"], marker="s", label="average precision")
ax.plot(shift["level"], shift["level"], color="grey", ls="--", lw=0.8, label="AP of random scores (= prevalence)")
ax.set(title="Same model, same positives, fewer negatives", xlabel="prevalence of the positive class (share)",
       ylabel="metric value (0 to 1)", xscale="log", ylim=(0, 1.02))
ax.set_xticks(shift["level"], [f"{v:.1%}" for v in shift["level"]], minor=False)
ax.set_xticks([], minor=True)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The PR baseline is the prevalence
# A scorer that knows nothing (uniform random numbers, independent of the labels) flags positives at the rate they
# occur, so its expected precision at every depth (number of items flagged) is the prevalence. With our 225 positives
# its average precision lands near it. With few positives it does not: AP averages precision at the positives' own
# ranks, and a positive that lands early by chance adds a high precision, so the mean AP sits above the prevalence.
# We compute the exact expectation for 5 positives among 1,000 items (the $k$-th positive's rank $r$ has probability
# $\binom{r-1}{k-1}\binom{1000-r}{5-k}/\binom{1000}{5}$) and check it against 2,000 random orderings. Its ROC AUC
# lands near 0.5, whatever the prevalence.

# %%
random_ap = np.array([average_precision_score(y_test, rng.random(y_test.size)) for _ in range(20)])
random_auc = np.array([auc_by_ranking(y_test, rng.random(y_test.size)) for _ in range(20)])
print(f"random scores over 20 draws: mean AP {random_ap.mean():.4f} (prevalence {prevalence:.4f}), "
      f"mean ROC AUC {random_auc.mean():.4f}")

# 5 positives among 1,000: the ranks of the positives in a random order; AP is the mean of k / (rank of k-th positive).
few_ranks = np.sort(np.argsort(rng.random((2000, 1000)), axis=1)[:, :5] + 1, axis=1)
few_ap = (np.arange(1, 6) / few_ranks).mean(axis=1)
y_few = np.zeros(1000, dtype=int)
y_few[:5] = 1
s_few = rng.random(1000)
few_ranks_check = np.sort(np.flatnonzero(y_few[np.argsort(-s_few)]) + 1)
assert abs((np.arange(1, 6) / few_ranks_check).mean() - average_precision_score(y_few, s_few)) < 1e-12
r_grid = np.arange(1, 1001)
few_ap_exact = sum((k / r_grid * comb(r_grid - 1, k - 1) * comb(1000 - r_grid, 5 - k)).sum()
                   for k in range(1, 6)) / comb(1000, 5) / 5
print(f"random scores, 5 positives in 1,000: expected AP {few_ap_exact:.4f}, mean over 2,000 draws "
      f"{few_ap.mean():.4f} (SE {few_ap.std(ddof=1) / np.sqrt(few_ap.size):.4f}); prevalence 0.005")

# %% [markdown]
# ## Coarse scores: ties, and why the PR area is not taken with the trapezoid rule
# A depth-3 decision tree outputs at most 8 distinct probabilities, so many examples tie. On the ROC side, a block of
# tied positives and negatives becomes a diagonal segment, and the trapezoid under it gives each tied pair half
# credit, exactly what the ranking formula does. On the PR side, the straight line between two distant PR points
# overstates the precision a threshold between them could achieve, so the trapezoid area over the PR points comes out
# above average precision.

# %%
tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_fit, y_fit)
s_tree = tree.predict_proba(X_eval)[:, 1]
fpr_t, tpr_t, _ = roc_curve(y_test, s_tree)
prec_t, rec_t, _ = precision_recall_curve(y_test, s_tree)
tree_auc_trap, tree_auc_rank = np.trapezoid(tpr_t, fpr_t), auc_by_ranking(y_test, s_tree)
tree_ap, tree_pr_trap = average_precision_score(y_test, s_tree), -np.trapezoid(prec_t, rec_t)
lr_pr_trap = -np.trapezoid(results["logistic regression"]["precision"], results["logistic regression"]["recall"])
print(f"tree: {np.unique(s_tree).size} distinct scores; ROC AUC trapezoid {tree_auc_trap:.6f}, ranking {tree_auc_rank:.6f}")
print(f"tree: average precision {tree_ap:.4f}, trapezoid over PR points {tree_pr_trap:.4f}")
print(f"logistic regression: average precision {results['logistic regression']['ap']:.4f}, "
      f"trapezoid over PR points {lr_pr_trap:.4f}")

# %% [markdown]
# ## How precise is an AUC?
# DeLong, DeLong and Clarke-Pearson (1988) estimate the variance of an AUC from *placement values*: for each positive,
# the share of negatives scored below it ($V_i$), and for each negative, the share of positives scored above it
# ($W_j$), ties counting half. Both average to the AUC, and
# $\mathrm{SE}^2 = \mathrm{Var}(V)/n_+ + \mathrm{Var}(W)/n_-$. For two models scored on the same examples, the same
# formula applied to the differences of their placement values gives the standard error of the AUC difference, which
# accounts for the two models' errors moving together. The older Hanley and McNeil (1982) formula needs only $A$, $n_+$
# and $n_-$, with $Q_1 = A/(2-A)$ and $Q_2 = 2A^2/(1+A)$:
#
# $$\begin{aligned}
# n_+ n_-\,\mathrm{SE}^2 &= A(1-A) \\
# &\quad + (n_+-1)(Q_1-A^2) \\
# &\quad + (n_--1)(Q_2-A^2),
# \end{aligned}$$
#
# but its $Q_1$ and $Q_2$ come from a model in which both classes have exponentially distributed scores. We compare
# both with a bootstrap that resamples positives and negatives separately, 200 times, and rescores both models on each
# resample.

# %%
def placements(y, s):
    """DeLong placement values: per positive, the share of negatives below it; per negative, of positives above it."""
    y = np.asarray(y, dtype=bool)
    r_all, r_pos, r_neg = rankdata(s), rankdata(s[y]), rankdata(s[~y])   # midranks, so ties count half
    return (r_all[y] - r_pos) / (~y).sum(), 1 - (r_all[~y] - r_neg) / y.sum()


def delong_se(v, w):
    return np.sqrt(v.var(ddof=1) / v.size + w.var(ddof=1) / w.size)


def hanley_mcneil_se(a, n_pos, n_neg):
    q1, q2 = a / (2 - a), 2 * a**2 / (1 + a)
    return np.sqrt((a * (1 - a) + (n_pos - 1) * (q1 - a**2) + (n_neg - 1) * (q2 - a**2)) / (n_pos * n_neg))


place = {name: placements(y_test, s) for name, s in scores.items()}
se_delong = {name: delong_se(*place[name]) for name in scores}
se_hm = {name: hanley_mcneil_se(results[name]["auc_pairs"], pos.size, neg.size) for name in scores}
(v_lr, w_lr), (v_nb, w_nb) = place["logistic regression"], place["naive Bayes"]
se_diff_delong = delong_se(v_nb - v_lr, w_nb - w_lr)

boot_rng = np.random.default_rng(2)
boot = []
for _ in range(200):
    k = np.concatenate([boot_rng.choice(pos, pos.size), boot_rng.choice(neg, neg.size)])
    boot.append([auc_by_ranking(y_test[k], scores[name][k]) for name in scores]
                + [average_precision_score(y_test[k], scores[name][k]) for name in scores])
boot = np.array(boot)                       # columns: AUC LR, AUC NB, AP LR, AP NB
se_boot = dict(zip(scores, boot[:, :2].std(axis=0, ddof=1)))
se_diff_boot = (boot[:, 1] - boot[:, 0]).std(ddof=1)        # naive Bayes minus logistic regression
se_ap_diff_boot = (boot[:, 2] - boot[:, 3]).std(ddof=1)     # logistic regression minus naive Bayes
auc_gap = results["naive Bayes"]["auc_pairs"] - results["logistic regression"]["auc_pairs"]
ap_gap = results["logistic regression"]["ap"] - results["naive Bayes"]["ap"]
for name in scores:
    print(f"{name:20s} AUC SE: DeLong {se_delong[name]:.4f}, bootstrap {se_boot[name]:.4f}, "
          f"Hanley-McNeil {se_hm[name]:.4f}")
print(f"AUC gap (NB - LR) {auc_gap:.4f}: paired SE DeLong {se_diff_delong:.4f}, bootstrap {se_diff_boot:.4f}; "
      f"as if independent {np.hypot(*se_delong.values()):.4f}")
print(f"AP gap (LR - NB) {ap_gap:.3f}: paired bootstrap SE {se_ap_diff_boot:.4f}")

# %% [markdown]
# ## Checks
# Every statement the concept pages make about these results is asserted here.

# %%
# The trapezoid over roc_curve's vertices, roc_auc_score and the pair-ranking AUC agree, with and without ties.
for name, r in results.items():
    assert abs(r["auc_trapezoid"] - r["auc_pairs"]) < 1e-9, name
    assert abs(r["auc_sklearn"] - r["auc_pairs"]) < 1e-9, name
assert abs(tree_auc_trap - tree_auc_rank) < 1e-9
assert np.unique(s_tree).size <= 8
# The problem is imbalanced: between 1% and 2% positives.
assert 0.01 <= prevalence <= 0.02
# Nearly equal ROC AUC (naive Bayes slightly ahead), very different average precision (logistic regression far ahead).
lr, nb = results["logistic regression"], results["naive Bayes"]
assert abs(lr["auc_pairs"] - nb["auc_pairs"]) < 0.02
assert nb["auc_pairs"] > lr["auc_pairs"]
assert lr["ap"] > nb["ap"] + 0.15
# The ROC curves cross, near a false-positive rate of 10%: at 1% (TPR 0.54 against 0.38) and 5% the logistic
# regression catches more positives, at 15%, 20% and 30% naive Bayes does.
assert tpr_at["logistic regression", 0.01] > tpr_at["naive Bayes", 0.01] + 0.1
assert round(tpr_at["logistic regression", 0.01], 2) == 0.54 and round(tpr_at["naive Bayes", 0.01], 2) == 0.38
assert tpr_at["logistic regression", 0.05] > tpr_at["naive Bayes", 0.05]
assert tpr_at["naive Bayes", 0.15] > tpr_at["logistic regression", 0.15]
assert tpr_at["naive Bayes", 0.2] > tpr_at["logistic regression", 0.2]
assert tpr_at["naive Bayes", 0.3] > tpr_at["logistic regression", 0.3]
# More precisely: logistic regression is ahead at every FPR below about 10%, naive Bayes at every FPR from there to
# 50%; the crossing is at a TPR (recall) of about 0.8, and the PR curves swap order there too (between recall 0.75
# and 0.85).
lr_ahead = tpr_grid["logistic regression"] > tpr_grid["naive Bayes"]
assert 0.09 <= cross_fpr <= 0.11 and nb_ahead[fpr_grid >= cross_fpr].all() and not nb_ahead[fpr_grid < cross_fpr].any()
assert lr_ahead[fpr_grid < 0.095].all()      # strictly ahead up to 9.5%, then tied until naive Bayes passes
assert 0.75 <= cross_tpr <= 0.85
assert prec_at["logistic regression", 0.75] > prec_at["naive Bayes", 0.75]
assert prec_at["naive Bayes", 0.85] > prec_at["logistic regression", 0.85]
# ... and the PR curves cross too: logistic regression is more precise at 40% recall, naive Bayes at 90%.
assert prec_at["logistic regression", 0.4] > 2 * prec_at["naive Bayes", 0.4]
assert prec_at["naive Bayes", 0.9] > prec_at["logistic regression", 0.9]
# Partial AUC up to FPR 0.1: the raw area matches scikit-learn's McClish-standardised value, and the logistic
# regression leads clearly (mean TPR over FPR 0 to 0.1 higher by over 0.05).
for name in results:
    assert abs(pauc_mcclish[name] - pauc_sklearn[name]) < 1e-9, name
assert pauc["logistic regression"] / M > pauc["naive Bayes"] / M + 0.05
assert round(pauc["logistic regression"] / M, 2) == 0.69 and round(pauc["naive Bayes"] / M, 2) == 0.60
# The ROC curve looks good (AUC above 0.9) while precision at 80% recall is poor: about nine in ten flags are false.
assert lr["auc_pairs"] > 0.9 and r80 >= 0.8
assert fpr[i80] < 0.15 and p80 < 0.15
assert abs(p80 - p80_formula) < 1e-9
# As the threshold rises, recall never increases, while precision falls at some steps: it is not monotone.
assert np.all(np.diff(recall) <= 0) and np.any(np.diff(precision) < 0)
# F2 picks a lower threshold than F1, buying recall with precision.
assert pr_thr[best2] < pr_thr[best1] and recall[best2] > recall[best1] and precision[best2] < precision[best1]
assert abs(f1_best - f1[best1]) < 1e-12
# Monotone transforms leave the AUC unchanged; squaring (not monotone here) changes it.
assert abs(auc_prob - base) < 1e-12 and abs(auc_cubed - base) < 1e-12
assert abs(auc_squared - base) > 0.05
# Subsampling negatives: the mean ROC AUC over 50 draws stays within 0.01 of the full-set value at every prevalence
# (its standard error is at most sd / sqrt(50), under 0.002), while average precision rises by more than half, and by
# over 0.3 (from about 0.52 to about 0.94), by 50%.
assert np.all(np.abs(shift["auc_mean"] - base) < 0.01)
assert np.all(shift["auc_sd"][1:] < 0.015)
assert np.all(np.diff(shift["ap_mean"]) > 0)
assert shift["ap_mean"][-1] > 1.5 * shift["ap_mean"][0] and shift["ap_mean"][-1] - shift["ap_mean"][0] > 0.3
# The AP change dwarfs the ROC AUC's sampling wobble.
assert shift["ap_mean"][-1] - shift["ap_mean"][0] > 20 * shift["auc_sd"].max()
# Random scores: AP near the prevalence (within 25%), ROC AUC near 0.5.
assert abs(random_ap.mean() - prevalence) < 0.25 * prevalence
assert abs(random_auc.mean() - 0.5) < 0.02
# ... but with 5 positives among 1,000, random AP averages about 0.011, over twice the prevalence of 0.005; the
# simulation agrees with the exact expectation within three standard errors.
assert round(few_ap_exact, 3) == 0.011 and few_ap_exact > 2 * 0.005
assert abs(few_ap.mean() - few_ap_exact) < 3 * few_ap.std(ddof=1) / np.sqrt(few_ap.size)
# Coarse scores: the trapezoid over PR points is optimistic against step-wise average precision (0.32 against 0.18).
assert tree_pr_trap > tree_ap + 0.05
assert round(tree_pr_trap, 2) == 0.32 and round(tree_ap, 2) == 0.18
# With full-resolution scores the two are close.
assert abs(lr_pr_trap - lr["ap"]) < 0.01
# Uncertainty. DeLong's placement values average to the AUC, and DeLong's SE agrees with the bootstrap's within 15%,
# for each model and for the paired difference; Hanley-McNeil overstates both SEs (by 1.3x and 1.9x here).
for name in scores:
    v, w = place[name]
    assert abs(v.mean() - results[name]["auc_pairs"]) < 1e-9 and abs(w.mean() - results[name]["auc_pairs"]) < 1e-9
    assert abs(se_delong[name] / se_boot[name] - 1) < 0.15, name
    assert se_hm[name] > 1.2 * se_boot[name], name
assert abs(se_diff_delong / se_diff_boot - 1) < 0.15
# Nearly all of the logistic regression's DeLong variance comes from the 225 positives (the Var(V) / n+ term), not
# from the 14,775 negatives.
assert neg.size == 14_775 and v_lr.var(ddof=1) / v_lr.size > 0.95 * se_delong["logistic regression"] ** 2
# The paired SE of the AUC gap (about 0.005) is about half what treating the two AUCs as independent would give;
# the AUC gap of about 0.01 is under two paired SEs, while the AP gap of about 0.19 is over five of its SEs.
assert se_diff_delong < 0.6 * np.hypot(*se_delong.values())
assert 0.004 < se_diff_delong < 0.007
assert auc_gap < 2 * se_diff_delong and ap_gap > 5 * se_ap_diff_boot
# The numbers the pages quote: AUC SE about 0.009 (DeLong and bootstrap) against 0.012 (Hanley-McNeil) for the
# logistic regression; AUC gap 0.010 with paired SE 0.005; AP gap 0.19, about eight of its SEs; AP's own bootstrap SE
# about 0.03.
lr_name = "logistic regression"
assert round(se_delong[lr_name], 3) == 0.009 and round(se_boot[lr_name], 3) == 0.009 and round(se_hm[lr_name], 3) == 0.012
assert round(auc_gap, 3) == 0.010 and round(se_diff_delong, 3) == 0.005
assert round(ap_gap, 2) == 0.19 and 7.5 < ap_gap / se_ap_diff_boot < 8.5
assert 0.025 < boot[:, 2].std(ddof=1) < 0.035
elapsed = time.perf_counter() - START
assert elapsed < 90, f"took {elapsed:.1f} s (a guard against runaway growth, not a benchmark)"
print(f"all checks passed in {elapsed:.1f} s")
