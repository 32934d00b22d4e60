# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: career/python-ml-stack.md}
# ---

# %% [markdown]
# # Python ML idioms a screen-share probes
# We check, with asserts, the idioms that separate fluent use of NumPy, pandas, scikit-learn and PyTorch from
# familiarity with their names. They are a vectorized computation that equals its loop and is far faster, dtype and
# copy traps, merges, `groupby` and dates under pandas 3, leakage across cross-validation folds fixed by a
# `Pipeline`, and seeds and train/eval mode in a PyTorch loop.

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy.spatial.distance import cdist
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from torch import nn
from threadpoolctl import threadpool_limits
from torch.utils.data import DataLoader, TensorDataset

from mlguide.career.idioms import pairwise_sq_dists, pairwise_sq_dists_loop

# One thread for torch and for NumPy's BLAS: process_time counts every thread, and idle BLAS threads spin.
torch.set_num_threads(1)
threadpool_limits(1)
START = time.process_time()   # CPU seconds, so that a busy machine does not fail the time check


def best_of(fn, repeats=5):
    """Seconds for one call of fn(): the fastest of `repeats` runs (interference only ever adds time)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# %% [markdown]
# ## 1. NumPy: a loop and its vectorized version
# Squared distances between 150 and 100 points in 8 dimensions: the loop makes 120,000 Python steps; the broadcast
# version forms a (150, 100, 8) array of differences; the matrix-product version uses
# $|x|^2 + |y|^2 - 2x \cdot y$ and never builds that array. All three must equal SciPy's `cdist`.

# %%
rng = np.random.default_rng(0)
X, Y = rng.normal(size=(150, 8)), rng.normal(size=(100, 8))


def broadcast(X, Y):
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(axis=-1)


reference = cdist(X, Y, "sqeuclidean")
for f in (pairwise_sq_dists_loop, broadcast, pairwise_sq_dists):
    assert np.allclose(f(X, Y), reference, rtol=1e-10, atol=1e-10), f.__name__

t_loop = best_of(lambda: pairwise_sq_dists_loop(X, Y), repeats=3)
t_broadcast = best_of(lambda: broadcast(X, Y), repeats=20)
t_matmul = best_of(lambda: pairwise_sq_dists(X, Y), repeats=20)
print(f"loop {t_loop * 1e3:.1f} ms, broadcast {t_broadcast * 1e3:.3f} ms, matmul {t_matmul * 1e3:.3f} ms")
print(f"speed-ups over the loop: broadcast {t_loop / t_broadcast:.0f}x, matmul {t_loop / t_matmul:.0f}x")

# %%
# measured 120-220x (broadcast) and 700-1,400x (matmul) on a loaded 2-core machine; asserted with wide margins
assert t_loop / t_matmul >= 30, "the vectorized version must be at least 30x faster than the loop"
assert t_loop / t_broadcast >= 10, "broadcasting must be at least 10x faster than the loop"

# %% [markdown]
# A basic slice is a *view* that shares memory with its array; fancy or boolean indexing makes a *copy*. Writing
# through a view changes the original, writing into a copy does not.

# %%
a = np.arange(10.0)
view, copy = a[2:5], a[[2, 3, 4]]
assert np.shares_memory(a, view) and not np.shares_memory(a, copy)
view[0] = -1.0
copy[1] = -2.0
assert a[2] == -1.0 and a[3] == 3.0

# %% [markdown]
# Three dtype traps, none of which raises: fixed-width integers wrap around, a float32 running sum stops growing at
# $2^{24} = 16{,}777{,}216$ (adding 1 to it is lost to rounding), and one missing value turns a pandas integer column
# into float64 unless it uses the nullable `Int64` dtype.

# %%
pixels = np.array([200], dtype=np.uint8)
assert (pixels + 100)[0] == 44                       # (200 + 100) mod 256, silently
assert (np.array([2**31 - 1], dtype=np.int32) + 1)[0] == -(2**31)
running = np.cumsum(np.ones(17_000_000, dtype=np.float32))
assert running[-1] == 2**24 and np.ones(17_000_000, dtype=np.float32).sum(dtype=np.float64) == 17e6
assert pd.Series([1, 2, None]).dtype == "float64" and pd.Series([1, 2, None], dtype="Int64").dtype == "Int64"
del running

# %% [markdown]
# ## 2. pandas: a merge that duplicates rows, and `validate=`
# One row per customer is expected in both a features table and a labels table; a re-run appended 6 duplicate
# customers to the first and 6 to the second (3 of them the same customers). `merge` raises nothing, but the joined
# table grows and any per-row total (here, positive labels) is inflated. `validate="one_to_one"` turns the silent
# duplication into an error; removing the duplicates first makes the check pass.

# %%
customers = np.arange(1000)
labels_rng = np.random.default_rng(1)
features = pd.DataFrame({"customer": customers, "spend": labels_rng.gamma(2.0, 50.0, size=1000)})
labels = pd.DataFrame({"customer": customers, "churned": labels_rng.integers(0, 2, size=1000)})
features = pd.concat([features, features.iloc[[10, 20, 30, 40, 50, 60]]], ignore_index=True)
labels = pd.concat([labels, labels.iloc[[10, 20, 30, 70, 80, 90]]], ignore_index=True)

joined = features.merge(labels, on="customer")
extra = len(joined) - 1000
print(f"joined rows: {len(joined)} ({extra} more than customers); positives {joined.churned.sum()} "
      f"vs {labels.drop_duplicates('customer').churned.sum()} true")
assert extra == 15, "3 customers duplicated on both sides give 2 x 2 = 4 rows each, 6 others give 2 each"

try:
    features.merge(labels, on="customer", validate="one_to_one")
    raise AssertionError("validate='one_to_one' should have raised")
except pd.errors.MergeError as err:
    message = str(err)
assert "not unique" in message
print(message.splitlines()[0])

fixed = features.drop_duplicates("customer").merge(labels.drop_duplicates("customer"), on="customer",
                                                   validate="one_to_one")
assert len(fixed) == 1000

# %% [markdown]
# ### `groupby`: `transform` against `apply`
# "Each purchase's spend minus its customer's mean spend" needs one value per *row*, aligned to the original index:
# that is `transform`. A Python function passed to `apply` gives the same numbers, calling Python once per group.
# In pandas 3, `apply` no longer passes the grouping column to the function.

# %%
shop = pd.DataFrame({"customer": rng.integers(0, 1000, 50_000), "spend": rng.gamma(2.0, 20.0, 50_000)})
by_transform = shop["spend"] - shop.groupby("customer")["spend"].transform("mean")
by_apply = shop.groupby("customer", group_keys=False)["spend"].apply(lambda s: s - s.mean())
assert np.allclose(by_transform, by_apply.loc[shop.index])
assert shop.groupby("customer").apply(lambda g: list(g.columns)).iloc[0] == ["spend"]

t_transform = best_of(lambda: shop["spend"] - shop.groupby("customer")["spend"].transform("mean"))
t_apply = best_of(lambda: shop.groupby("customer", group_keys=False)["spend"].apply(lambda s: s - s.mean()), 3)
print(f"transform {t_transform * 1e3:.1f} ms, apply {t_apply * 1e3:.0f} ms: {t_apply / t_transform:.0f}x")
assert t_apply / t_transform >= 5, "measured 45-140x; asserted with a wide margin"

# %% [markdown]
# ### Categoricals, dates, chained assignment
# A categorical column stores each distinct string once and an integer code per row. Grouping by it in pandas 3
# shows only the categories that occur (`observed=True` is the default). `to_datetime` with `format="mixed"` guesses
# a format per element, so `01/02/2024` becomes 2 January and `13/02/2024` 13 February in the same column; an
# explicit format is the fix. pandas 3 also stores such dates in microseconds, not nanoseconds, which changes what
# `astype("int64")` returns.

# %%
cities = pd.Series(rng.choice(["London", "Paris", "Berlin", "Madrid"], 100_000))
as_str, as_cat = cities.memory_usage(deep=True), cities.astype("category").memory_usage(deep=True)
print(f"strings {as_str / 1e6:.1f} MB, categorical {as_cat / 1e6:.2f} MB")
assert as_str / as_cat >= 10

plans = pd.DataFrame({"plan": pd.Categorical(["basic", "basic"], categories=["basic", "pro", "team"]), "n": [1, 2]})
assert plans.groupby("plan")["n"].sum().index.tolist() == ["basic"]
assert plans.groupby("plan", observed=False)["n"].sum().index.tolist() == ["basic", "pro", "team"]

mixed = pd.to_datetime(["01/02/2024", "13/02/2024"], format="mixed")
assert mixed.month.tolist() == [1, 2], "the same column read month-first, then day-first"
explicit = pd.to_datetime(["01/02/2024", "13/02/2024"], format="%d/%m/%Y")
assert explicit.month.tolist() == [2, 2]
assert explicit.dtype == "datetime64[us]" and explicit.asi8[0] == 1_706_745_600_000_000  # microseconds

# %% [markdown]
# Under pandas 3's copy-on-write, chained assignment never writes through. `df["b"][mask] = 0` wrote in pandas 2
# (a column was a view); now pandas warns with `ChainedAssignmentError` and leaves the frame unchanged.
# `.loc[rows, column] = value` is the one-step form.

# %%
frame = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    frame["b"][frame["a"] > 1] = 0
assert frame["b"].tolist() == [4, 5, 6]
assert any(w.category.__name__ == "ChainedAssignmentError" for w in caught)
frame.loc[frame["a"] > 1, "b"] = 0
assert frame["b"].tolist() == [4, 0, 0]
assert not hasattr(pd.errors, "SettingWithCopyWarning"), "pandas 3 removed SettingWithCopyWarning"

# %% [markdown]
# ## 3. Leakage across cross-validation folds, on pure noise
# 60 samples, 2,000 features of Gaussian noise, random labels: no model can beat 50% on new data. Choosing the 20
# features most correlated with the labels on *all* the data, then cross-validating, lets the test folds' labels pick
# the features. Inside a `Pipeline`, selection is refitted on each training fold only. For contrast, a scaler fitted
# on all the data: it never sees the labels, and moves the score very little. Five data seeds, 5-fold CV.

# %%
outside, inside, scaled_outside, scaled_inside = [], [], [], []
for seed in range(5):
    r = np.random.default_rng(100 + seed)
    Xn, yn = r.normal(size=(60, 2000)), np.repeat([0, 1], 30)
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    X_sel = SelectKBest(f_classif, k=20).fit_transform(Xn, yn)          # leaks: sees every label
    outside.append(cross_val_score(LogisticRegression(max_iter=1000), X_sel, yn, cv=cv).mean())
    pipe = make_pipeline(SelectKBest(f_classif, k=20), LogisticRegression(max_iter=1000))
    inside.append(cross_val_score(pipe, Xn, yn, cv=cv).mean())
    X_scaled = StandardScaler().fit_transform(Xn)                       # sees the test folds' features only
    scaled_outside.append(cross_val_score(LogisticRegression(max_iter=1000), X_scaled, yn, cv=cv).mean())
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    scaled_inside.append(cross_val_score(pipe, Xn, yn, cv=cv).mean())
outside, inside = np.array(outside), np.array(inside)
scale_gap = np.mean(scaled_outside) - np.mean(scaled_inside)
print("selection outside CV:", outside.round(2), "mean", outside.mean().round(3))
print("selection inside a Pipeline:", inside.round(2), "mean", inside.mean().round(3))
print(f"scaling outside minus inside, mean accuracy: {scale_gap:+.3f}")

# %%
assert outside.min() >= 0.80, "selection on all the data makes noise look predictive"
assert abs(inside.mean() - 0.5) <= 0.12, "inside a Pipeline, CV accuracy on noise is near chance"
assert abs(scale_gap) <= 0.06, "a scaler fitted on all the data leaks far less than label-based selection"

# %% tags=["figure:python-ml-stack-idioms"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
names = ["Python loop", "broadcast", "matrix product"]
ax1.bar(names, [t_loop * 1e3, t_broadcast * 1e3, t_matmul * 1e3], color=["#c44e52", "#dd8452", "#4c72b0"])
ax1.set_yscale("log")
ax1.set_ylabel("milliseconds (best of n, log scale)")
ax1.set_title("150 × 100 squared distances")
x = np.arange(5)
ax2.bar(x - 0.2, outside, 0.4, label="selected on all data", color="#c44e52")
ax2.bar(x + 0.2, inside, 0.4, label="selected in a Pipeline", color="#4c72b0")
ax2.axhline(0.5, color="k", ls="--", lw=1, label="chance")
ax2.set_xticks(x, [f"seed {s}" for s in range(5)])
ax2.set_ylim(0, 1)
ax2.set_ylabel("5-fold CV accuracy")
ax2.set_title("Pure noise, 2,000 features")
ax2.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### A `ColumnTransformer` for mixed columns
# Numeric columns get a median imputer and a scaler, categorical ones a one-hot encoder that ignores categories it
# has not seen; the whole `Pipeline` is what `cross_validate` refits on each training fold, so the medians and the
# category lists never come from a test fold. The data are synthetic churn records with 10% of incomes missing.

# %%
r = np.random.default_rng(7)
n = 600
churn = pd.DataFrame({"age": r.normal(40, 12, n), "income": r.lognormal(10, 0.5, n),
                      "city": r.choice(["London", "Paris", "Berlin"], n), "plan": r.choice(["basic", "pro"], n)})
logit = 0.05 * (churn["age"] - 40) + 1.2 * (churn["plan"] == "pro") - 0.8 * (churn["city"] == "Paris")
churn["churned"] = (r.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
churn.loc[r.random(n) < 0.1, "income"] = np.nan

preprocess = ColumnTransformer([
    ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
    ("categorical", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
])
model = make_pipeline(preprocess, LogisticRegression(max_iter=1000))
scores = cross_validate(model, churn.drop(columns="churned"), churn["churned"],
                        cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring=["roc_auc", "accuracy"])
print(f"CV ROC AUC {scores['test_roc_auc'].mean():.3f} ± {scores['test_roc_auc'].std():.3f}")
assert scores["test_roc_auc"].mean() >= 0.65

model.fit(churn.drop(columns="churned"), churn["churned"])
unseen = pd.DataFrame({"age": [30.0], "income": [np.nan], "city": ["Rome"], "plan": ["pro"]})
assert 0 < model.predict_proba(unseen)[0, 1] < 1, "an unseen city and a missing income still get a prediction"

# %% [markdown]
# ## 4. Reproducibility: seeds in NumPy, scikit-learn and PyTorch
# A NumPy `Generator` with a fixed seed repeats its draws. In scikit-learn, an integer `random_state` makes a refit
# repeat; a shared `RandomState` object advances with every use, so two fits of the same model differ.

# %%
assert np.array_equal(np.random.default_rng(42).normal(size=5), np.random.default_rng(42).normal(size=5))
Xc = rng.normal(size=(300, 5))
yc = (Xc[:, 0] + rng.normal(size=300) > 0).astype(int)
fixed_int = [RandomForestClassifier(20, random_state=0).fit(Xc, yc).predict_proba(Xc) for _ in range(2)]
assert np.array_equal(*fixed_int)
shared = RandomForestClassifier(20, random_state=np.random.RandomState(0))
assert not np.array_equal(shared.fit(Xc, yc).predict_proba(Xc), shared.fit(Xc, yc).predict_proba(Xc))

# %% [markdown]
# The PyTorch loop: `model.train()`, then per batch `zero_grad`, forward, loss, `backward`, `step`. The
# `DataLoader` shuffles with its own seeded generator. The same seed gives bit-identical weights after training; a
# different seed does not.

# %%
Xt = torch.tensor(rng.normal(size=(256, 8)), dtype=torch.float32)
yt = (Xt[:, 0] + Xt[:, 1] > 0).long()


def train(seed, epochs=12):
    torch.manual_seed(seed)                                   # initial weights and dropout masks
    loader = DataLoader(TensorDataset(Xt, yt), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))   # batch order
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()                                   # gradients accumulate otherwise
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    return model


m1, m2, m3 = train(0), train(0), train(1)
assert all(torch.equal(p, q) for p, q in zip(m1.parameters(), m2.parameters())), "same seed, same weights"
assert not torch.equal(m1[0].weight, m3[0].weight), "a different seed gives different weights"

# %% [markdown]
# Without `zero_grad`, a second `backward` adds to the stored gradient. Dropout makes outputs random in train mode;
# `model.eval()` switches it off, and `torch.no_grad()` stops recording the graph: two separate switches.

# %%
m1.eval()                                                    # no dropout: both passes compute the same gradient
m1.zero_grad()
nn.functional.cross_entropy(m1(Xt[:32]), yt[:32]).backward()
single = m1[0].weight.grad.clone()
nn.functional.cross_entropy(m1(Xt[:32]), yt[:32]).backward()
assert torch.allclose(m1[0].weight.grad, 2 * single), "a second backward without zero_grad doubles the gradient"
m1.zero_grad()
assert m1[0].weight.grad is None, "zero_grad sets gradients to None by default"

m1.train()
with torch.no_grad():
    assert not torch.equal(m1(Xt), m1(Xt)), "dropout is random in train mode"
    m1.eval()
    out = m1(Xt)
    assert torch.equal(out, m1(Xt)) and not out.requires_grad
    accuracy = (out.argmax(1) == yt).float().mean().item()
print(f"training accuracy after 12 epochs: {accuracy:.2f}")
assert accuracy >= 0.85
assert m1(Xt).requires_grad, "outside no_grad the graph is recorded again"

# %%
cpu = time.process_time() - START
print(f"CPU time: {cpu:.1f} s")
assert cpu < 12, "the notebook must stay under 12 CPU-seconds"
