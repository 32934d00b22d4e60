# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/feature-engineering.md}
# ---

# %% [markdown]
# # Target encoding: the in-sample leak and the out-of-fold fix
# A categorical feature with 1,500 levels and no relation to the label is target-encoded two ways: with category
# means computed on the very rows they encode, and out of fold. The first hands the model each row's own label and
# makes pure noise look like the strongest feature in training while hurting on test data; the second does not.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.preprocessing import TargetEncoder
from sklearn.tree import DecisionTreeRegressor

from mlguide.data.encoding import (
    apply_target_encoding,
    cyclical_encode,
    fit_target_encoding,
    target_encode_out_of_fold,
)

START = time.perf_counter()

# %% [markdown]
# ## Data: two useful numeric features and one useless high-cardinality category
# Each row has two standard-normal features $x_1, x_2$ and a category drawn uniformly from 1,500 levels, like a
# user or product ID. The label is drawn from a logistic model in $x_1$ and $x_2$ only:
# $P(y=1) = \sigma(1.2x_1 - 0.8x_2)$. The category carries no information about $y$ at all. With 3,000 training
# rows a level has two rows on average, and many have one.

# %%
N_LEVELS, N_TRAIN, N_TEST = 1500, 3000, 3000
rng = np.random.default_rng(0)


def draw(n):
    x = rng.normal(size=(n, 2))
    category = rng.integers(0, N_LEVELS, size=n)
    p = 1 / (1 + np.exp(-(1.2 * x[:, 0] - 0.8 * x[:, 1])))
    return x, category, (rng.random(n) < p).astype(int)


x_train, c_train, y_train = draw(N_TRAIN)
x_test, c_test, y_test = draw(N_TEST)
_, train_level_size = np.unique(c_train, return_counts=True)
row_level_size = train_level_size[np.searchsorted(np.unique(c_train), c_train)]
share_singleton = np.mean(row_level_size == 1)
share_unseen = np.mean(~np.isin(c_test, c_train))
print(f"training rows: {N_TRAIN}, levels seen: {np.unique(c_train).size}, positives: {y_train.mean():.3f}")
print(f"training rows alone in their level: {share_singleton:.3f} (expected about exp(-2) = {np.exp(-2):.3f})")
print(f"test rows whose level never appears in training: {share_unseen:.3f}")
assert abs(share_singleton - np.exp(-2)) < 0.01 and abs(share_unseen - np.exp(-2)) < 0.01

# %% [markdown]
# ## The leak, row by row
# The in-sample encoding of a row in category $c$ is $(S_c + m\bar y)/(n_c + m)$, and $S_c$ includes the row's own
# label. For a row alone in its level ($n_c = 1$) the encoding is $(y_i + m\bar y)/(1+m)$: one value for positives,
# a lower one for negatives, whatever $m$ is. Smoothing shrinks the gap but never closes it, and a tree needs only a
# threshold. Out of fold, the row's encoding is computed from the other four folds, which do not contain it.

# %%
M = 10.0                                  # smoothing strength: the prior counts as 10 rows
encoded = {}
for m in (0.0, M):
    levels, enc, prior = fit_target_encoding(c_train, y_train, smoothing=m)
    encoded[f"in-sample, m={m:g}"] = (apply_target_encoding(levels, enc, prior, c_train),
                                      apply_target_encoding(levels, enc, prior, c_test))
levels, enc, prior = fit_target_encoding(c_train, y_train, smoothing=M)
encoded[f"out-of-fold, m={M:g}"] = (target_encode_out_of_fold(c_train, y_train, folds=5, smoothing=M, seed=0),
                                     apply_target_encoding(levels, enc, prior, c_test))

single = row_level_size == 1
raw_train = encoded["in-sample, m=0"][0]
assert np.array_equal(raw_train[single], y_train[single]), "with m = 0 a lone row's encoding is its own label"
smooth_train = encoded[f"in-sample, m={M:g}"][0]
np.testing.assert_allclose(smooth_train[single], (y_train[single] + M * y_train.mean()) / (1 + M))

feature_auc = {}
for name, (tr, te) in encoded.items():
    feature_auc[name] = (roc_auc_score(y_train, tr), roc_auc_score(y_test, te))
    print(f"{name:20s} AUC of the encoding alone: train {feature_auc[name][0]:.3f}, test {feature_auc[name][1]:.3f}")

# %%
auc_x1, auc_x2 = roc_auc_score(y_train, x_train[:, 0]), roc_auc_score(y_train, -x_train[:, 1])
print(f"for comparison, AUC of x1 alone {auc_x1:.3f}, of -x2 alone {auc_x2:.3f}")
for name in ("in-sample, m=0", f"in-sample, m={M:g}"):
    assert feature_auc[name][0] > max(auc_x1, auc_x2) + 0.05, "in sample, the useless category looks strongest"
oof_name = f"out-of-fold, m={M:g}"
assert abs(feature_auc[oof_name][0] - 0.5) < 0.03, "out of fold, it looks as useless as it is"
for name in encoded:
    assert abs(feature_auc[name][1] - 0.5) < 0.03, "on test rows every version is noise"
stated = {"in-sample, m=0": 0.87, f"in-sample, m={M:g}": 0.86, oof_name: 0.49}   # the page's numbers
for name, value in stated.items():
    assert abs(feature_auc[name][0] - value) < 0.005 and abs(feature_auc[name][1] - 0.50) < 0.005, name
assert abs(auc_x1 - 0.76) < 0.005 and abs(auc_x2 - 0.67) < 0.005 and abs(share_singleton - 0.136) < 0.0005

# %% [markdown]
# Out of fold, a training row falls back to the prior when no other fold holds its level. Its level's other rows
# number about Poisson$(2 \cdot 4/5)$ there, so this happens to about $e^{-1.6} \approx 20\%$ of training rows,
# against $e^{-2} \approx 14\%$ of test rows: training and test values are not distributed alike.

# %%
oof_fold = np.random.default_rng(0).permutation(N_TRAIN) % 5          # the folds target_encode_out_of_fold drew
train_fallback = np.zeros(N_TRAIN, dtype=bool)
for k in range(5):
    train_fallback[oof_fold == k] = ~np.isin(c_train[oof_fold == k], c_train[oof_fold != k])
print(f"out of fold, training rows at the prior: {train_fallback.mean():.3f}; test rows unseen: {share_unseen:.3f}")
assert abs(train_fallback.mean() - 0.20) < 0.005 and abs(share_unseen - 0.14) < 0.005

# %% [markdown]
# Cross-fitting never uses a row's own label, but a fold's value is the other folds' mean, which falls as the fold's
# own positive rate rises: a weak reversal at the level of folds. It is plainest for a feature with one level, where
# each fold's value is just the other folds' mean label. Over 100 draws of 3,000 noise labels, with $K = 5$:

# %%
fold_rng = np.random.default_rng(1)
one_level_auc = []
for draw_id in range(100):
    noise = (fold_rng.random(N_TRAIN) < 0.5).astype(int)
    values = target_encode_out_of_fold(np.zeros(N_TRAIN, dtype=int), noise, folds=5, smoothing=M, seed=draw_id)
    one_level_auc.append(roc_auc_score(noise, values))
print(f"one level, out of fold: mean training AUC {np.mean(one_level_auc):.3f} "
      f"(standard error {np.std(one_level_auc) / 10:.4f})")
assert abs(np.mean(one_level_auc) - 0.48) < 0.005, "the page's 0.48"
assert np.mean(one_level_auc) + 4 * np.std(one_level_auc) / 10 < 0.5, "reliably below 0.5"

# %% [markdown]
# ## What a model does with it
# A gradient-boosting classifier (100 trees of depth 3) is trained on $x_1, x_2$ alone, then with each version of
# the encoded category added. Test rows are always encoded with the smoothed means of all training rows; a level
# never seen in training gets the prior.

# %%
def fit_and_score(train_features, test_features):
    model = GradientBoostingClassifier(random_state=0).fit(train_features, y_train)
    return (roc_auc_score(y_train, model.predict_proba(train_features)[:, 1]),
            roc_auc_score(y_test, model.predict_proba(test_features)[:, 1]))


scores = {"x1, x2 only": fit_and_score(x_train, x_test)}
for name, (tr, te) in encoded.items():
    scores[f"+ {name}"] = fit_and_score(np.column_stack([x_train, tr]), np.column_stack([x_test, te]))
for name, (auc_tr, auc_te) in scores.items():
    print(f"{name:26s} train AUC {auc_tr:.3f}   test AUC {auc_te:.3f}")

# %%
base_train, base_test = scores["x1, x2 only"]
for name in ("+ in-sample, m=0", f"+ in-sample, m={M:g}"):
    auc_tr, auc_te = scores[name]
    assert auc_tr > base_train + 0.05, "the leaked label lifts the training score"
    assert auc_te < base_test - 0.1, "and the model pays for it on new data"
auc_tr, auc_te = scores[f"+ out-of-fold, m={M:g}"]
page_numbers = {"x1, x2 only": (0.86, 0.81), "+ in-sample, m=0": (0.95, 0.61),
                f"+ in-sample, m={M:g}": (0.95, 0.65), f"+ out-of-fold, m={M:g}": (0.86, 0.81)}
for name, (stated_train, stated_test) in page_numbers.items():
    assert abs(scores[name][0] - stated_train) < 0.005 and abs(scores[name][1] - stated_test) < 0.005, name
assert abs(auc_te - base_test) < 0.001, "out of fold, the useless feature costs (almost) nothing on test data"
assert abs(auc_tr - base_train) < 0.003 and round(auc_te, 3) == round(base_test, 3) == 0.807
assert auc_tr - auc_te < (base_train - base_test) + 0.05, "and the train-test gap stays that of the baseline"

# %% tags=["figure:feature-engineering-target-encoding-leak"]
fig, (ax_bar, ax_hist) = plt.subplots(1, 2, figsize=(9, 3.8))
names = list(scores)
pos = np.arange(len(names))
ax_bar.bar(pos - 0.2, [scores[n][0] for n in names], width=0.4, label="train")
ax_bar.bar(pos + 0.2, [scores[n][1] for n in names], width=0.4, label="test")
ax_bar.set_xticks(pos, ["x1, x2\nonly", "+ in-sample\nm=0", f"+ in-sample\nm={M:g}", f"+ out-of-fold\nm={M:g}"],
                  fontsize=8)
ax_bar.set(ylim=(0.5, 1.0), ylabel="ROC AUC", title="Gradient boosting with the encoded category")
ax_bar.legend(loc="upper right", fontsize=8)


def decile_curve(values, labels):
    """Mean value and share of positives in ten equal groups of rows sorted by value (ties in row order)."""
    groups = np.array_split(np.argsort(values, kind="stable"), 10)
    return [values[g].mean() for g in groups], [labels[g].mean() for g in groups]


curves = {
    f"in-sample m={M:g}, training rows": decile_curve(encoded[f"in-sample, m={M:g}"][0], y_train),
    f"in-sample m={M:g}, test rows": decile_curve(encoded[f"in-sample, m={M:g}"][1], y_test),
    f"out-of-fold m={M:g}, training rows": decile_curve(encoded[oof_name][0], y_train),
}
for (name, (mean_value, share)), style in zip(curves.items(), ("o-", "s--", "^:")):
    ax_hist.plot(mean_value, share, style, label=name, ms=4)
ax_hist.axhline(y_train.mean(), color="grey", lw=0.8)
ax_hist.set(xlabel="encoded value (mean of each tenth of the rows)", ylabel="share of positives",
            title="Does the encoding predict the label?", ylim=(0, 1))
ax_hist.legend(fontsize=7, loc="upper left")
fig.tight_layout()
plt.show()

# %%
for name, (mean_value, share) in curves.items():
    print(f"{name:34s} share of positives by tenth:", np.round(share, 2))
steep = curves[f"in-sample m={M:g}, training rows"][1]
assert steep[0] < 0.05 and steep[-1] > 0.9, "in sample the encoding sorts the training labels"
for name in (f"in-sample m={M:g}, test rows", f"out-of-fold m={M:g}, training rows"):
    assert np.all(np.abs(np.array(curves[name][1]) - 0.5) < 0.1), "elsewhere every tenth is near the base rate"

# %% [markdown]
# On the training rows the in-sample encoding sorts the labels: the lowest tenth of the rows by encoded value is
# almost all negative, the highest almost all positive, although the category is noise. The same encoding on test
# rows, and the out-of-fold encoding on training rows, hover around the base rate. The booster trusts the leaked
# feature, so its training AUC rises while its test AUC falls far below the baseline's. Smoothing with $m = 10$
# barely helps: the lone rows still sit at two values, $(1 + 10\bar y)/11$ and $10\bar y/11$. Out of fold, the
# feature is as useless in training as it is on test data, and the model learns to ignore it.

# %% [markdown]
# ## The same numbers from scikit-learn
# `TargetEncoder(smooth=m)` uses the same smoothed mean, and its `fit_transform` cross-fits: each fold is encoded
# with statistics of the other folds and the other folds' mean as prior. Given our folds, it returns our encoding
# exactly; `fit(...).transform(...)` on new rows matches `fit_target_encoding` on all training rows. Applied to the
# training rows themselves, `transform` returns the in-sample encoding, leak included.

# %%
fold = np.random.default_rng(0).permutation(N_TRAIN) % 5            # the folds target_encode_out_of_fold drew
splits = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(5)]
sk = TargetEncoder(smooth=M, target_type="binary", cv=splits)
sk_train = sk.fit_transform(c_train.reshape(-1, 1), y_train).ravel()
np.testing.assert_allclose(sk_train, encoded[oof_name][0], rtol=1e-12)
np.testing.assert_allclose(sk.transform(c_test.reshape(-1, 1)).ravel(), encoded[oof_name][1], rtol=1e-12)
print("TargetEncoder agrees with target_encode_out_of_fold and fit_target_encoding")
# The trap: fit, then transform the same training rows, and the cross-fitting is gone: the in-sample leak.
sk_in_sample = sk.transform(c_train.reshape(-1, 1)).ravel()
np.testing.assert_allclose(sk_in_sample, encoded[f"in-sample, m={M:g}"][0], rtol=1e-12)
print("but fit(...).transform(training rows) returns the in-sample encoding")

# %% [markdown]
# With `smooth="auto"` scikit-learn picks a strength per category, $m_c = s_c^2 / s^2$: the variance of the labels
# inside the category over the variance of all labels. A category whose training labels all agree has $s_c^2 = 0$
# and is not shrunk at all. Two rows, both positive, are encoded 1.0.

# %%
toy_c = np.array([[0]] * 2 + [[1]] * 4 + [[2]] * 4)
toy_y = np.array([1, 1, 1, 0, 1, 0, 0, 0, 1, 0])
auto = TargetEncoder(smooth="auto", target_type="binary").fit(toy_c, toy_y)
print("auto-smoothed encodings:", np.round(auto.encodings_[0], 3), "prior", auto.target_mean_)
assert auto.encodings_[0][0] == 1.0, "a pure category keeps its raw mean under smooth='auto'"
m_2 = np.var([0, 0, 1, 0]) / np.var(toy_y)                          # 0.1875 / 0.25 = 0.75
np.testing.assert_allclose(auto.encodings_[0][2], (4 * 0.25 + m_2 * 0.5) / (4 + m_2))

# %% [markdown]
# ## Cyclical time: hour of day on a circle
# A load that peaks at midnight, $y = \cos(2\pi h/24) + \varepsilon$ with $\varepsilon \sim \mathcal N(0, 0.3^2)$,
# is invisible to a straight line in the raw hour $h$, because 23:00 and 00:00 sit at opposite ends of the axis.
# The pair $(\sin 2\pi h/24, \cos 2\pi h/24)$ puts them side by side. A tree splits the raw hour into intervals and
# does not need the transform here, but the test is generous to it: the hour takes only 24 values, which a depth-5
# tree can nearly tabulate, and the sine-cosine line is exact, so it sits at the noise ceiling
# $\mathrm{Var}(\cos)/(\mathrm{Var}(\cos) + 0.3^2) = 0.5/0.59 \approx 0.85$.

# %%
hours_train = rng.integers(0, 24, size=2000)
hours_test = rng.integers(0, 24, size=2000)
load_train = np.cos(2 * np.pi * hours_train / 24) + rng.normal(scale=0.3, size=2000)
load_test = np.cos(2 * np.pi * hours_test / 24) + rng.normal(scale=0.3, size=2000)
raw = lambda h: h.reshape(-1, 1).astype(float)  # noqa: E731
r2 = {
    "linear, raw hour": r2_score(load_test, LinearRegression().fit(raw(hours_train), load_train)
                                 .predict(raw(hours_test))),
    "linear, sin and cos": r2_score(load_test, LinearRegression().fit(cyclical_encode(hours_train, 24), load_train)
                                    .predict(cyclical_encode(hours_test, 24))),
    "tree (depth 5), raw hour": r2_score(load_test, DecisionTreeRegressor(max_depth=5, random_state=0)
                                         .fit(raw(hours_train), load_train).predict(raw(hours_test))),
}
for name, value in r2.items():
    print(f"{name:26s} test R^2 {value:.3f}")
assert r2["linear, raw hour"] < 0.05, "a line in the raw hour misses the daily cycle"
assert r2["linear, sin and cos"] > 0.8
assert abs(r2["tree (depth 5), raw hour"] - r2["linear, sin and cos"]) < 0.03, "a tree copes with the raw hour"
for name, stated in {"linear, raw hour": 0.01, "linear, sin and cos": 0.85, "tree (depth 5), raw hour": 0.84}.items():
    assert abs(r2[name] - stated) < 0.005, name
ceiling = np.var(np.cos(2 * np.pi * np.arange(24) / 24)) / (np.var(np.cos(2 * np.pi * np.arange(24) / 24)) + 0.3**2)
hour_tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(raw(hours_train), load_train)
print(f"noise ceiling {ceiling:.3f}; the depth-5 tree has {hour_tree.get_n_leaves()} leaves for 24 hour values")
assert abs(ceiling - 0.5 / 0.59) < 1e-12 and abs(r2["linear, sin and cos"] - ceiling) < 0.005
assert hour_tree.get_n_leaves() == 17

# %%
elapsed = time.perf_counter() - START
print(f"notebook ran in {elapsed:.1f} s")
