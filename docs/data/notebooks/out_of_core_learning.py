# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: data/large-datasets.md}
# ---

# %% [markdown]
# # Learning from data that does not fit in memory
# We train a logistic model on a stream of chunks with `partial_fit`, never holding more than one chunk, and compare it
# with a full-batch fit on all the rows and with fits on small subsamples. Then we measure what a vocabulary costs
# against the hashing trick, and check that reservoir sampling keeps every item of a stream with probability $k/n$.

# %%
import gc
import time
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from mlguide.data.streaming import reservoir_sample

START = time.perf_counter()

# %% [markdown]
# ## A stream of chunks
# `read_chunk(c)` stands in for reading chunk `c` of a large file (as `pandas.read_csv(..., chunksize=...)` would):
# each call generates 5,000 rows from its own seed, so the same chunk comes back identical on a second pass. The 20
# features have very different scales and offsets, and the label follows a logistic model, so even the true
# coefficients misclassify some rows; their accuracy on the test set is the best any classifier can expect (the Bayes
# accuracy). Twenty chunks make 100,000 training rows; a separate 20,000-row test set measures accuracy.

# %%
D, CHUNK, N_CHUNKS = 20, 5_000, 20
setup = np.random.default_rng(0)
w_true = setup.normal(size=D) * 0.5
scale = np.exp(setup.uniform(-2, 3, size=D))        # feature scales from 0.14 to 20
offset = setup.normal(0, 5, size=D)


def read_chunk(seed, rows=CHUNK):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(rows, D))
    y = (rng.random(rows) < 1 / (1 + np.exp(-z @ w_true))).astype(int)
    return z * scale + offset, y


X_test, y_test = read_chunk(10_000, 20_000)
bayes_acc = np.mean(((X_test - offset) / scale @ w_true > 0) == y_test)
print(f"{N_CHUNKS} chunks of {CHUNK:,} rows, {D} features; Bayes accuracy on the test set {bayes_acc:.4f}")

# %% [markdown]
# ## Pass 1: statistics that merge (map-reduce)
# Standardizing needs each feature's mean and variance over *all* rows. Each chunk reports its count $n_c$, mean
# $\bar x_c$ and sum of squared deviations $M_c$; two summaries merge exactly (Chan, Golub and LeVeque), with
# $\delta = \bar x_b - \bar x_a$:
#
# $$\begin{aligned} n &= n_a + n_b, \\ \bar x &= \bar x_a + \delta\, n_b / n, \\
# M &= M_a + M_b + \delta^2 n_a n_b / n. \end{aligned}$$
#
# The merge is associative, so chunks can be summarised on different machines and combined in any order. This is
# what `StandardScaler.partial_fit` does; we check both against NumPy on the concatenated data, which we build here
# only to check.

# %%
def merge(a, b):
    (na, ma, sa), (nb, mb, sb) = a, b
    n, delta = na + nb, mb - ma
    return n, ma + delta * nb / n, sa + sb + delta**2 * na * nb / n


summary, scaler = (0, 0.0, 0.0), StandardScaler()
for c in range(N_CHUNKS):
    X, _ = read_chunk(c)
    summary = merge(summary, (len(X), X.mean(axis=0), ((X - X.mean(axis=0)) ** 2).sum(axis=0)))
    scaler.partial_fit(X)
n_rows, mean_merged, m2_merged = summary
X_all = np.vstack([read_chunk(c)[0] for c in range(N_CHUNKS)])
y_all = np.concatenate([read_chunk(c)[1] for c in range(N_CHUNKS)])
mean_err = np.max(np.abs(mean_merged - X_all.mean(axis=0)) / X_all.std(axis=0))
var_err = np.max(np.abs(m2_merged / n_rows / X_all.var(axis=0) - 1))
scaler_err = np.max(np.abs(scaler.var_ / X_all.var(axis=0) - 1))
print(f"merged mean and variance vs NumPy on all {n_rows:,} rows: max relative errors {mean_err:.1e}, {var_err:.1e}; "
      f"StandardScaler.partial_fit {scaler_err:.1e}")

# %% [markdown]
# ## Pass 2: out-of-core SGD with `partial_fit`
# Each `partial_fit` call runs one epoch of SGD over the chunk it is given and keeps the step counter, so the
# learning-rate schedule continues across chunks. scikit-learn's default schedule for `SGDClassifier` is
# $\eta_t = 1/(\alpha(t + t_0))$, tied to the penalty $\alpha$ ($10^{-4}$ here): it starts at $\eta = 10$, which blows
# the weights up, and with a small $\alpha$ they shrink back slowly. `average=True` keeps the running mean of the
# iterates as well (Polyak-Ruppert averaging). We stream three models: plain SGD and averaged SGD with the default
# schedule, and averaged SGD with $\eta_t = \eta_0/\sqrt t$ (`learning_rate="invscaling"`, $\eta_0 = 0.5$ on
# standardized features), a schedule that decays more slowly than $1/t$. Polyak and Juditsky's theorem needs $t^{-a}$
# with $\frac12 < a < 1$; $a = \frac12$, its boundary, is the robust choice of Bach and Moulines.
# We score each on test accuracy and on test log loss, the loss they minimise. The rows inside each chunk are in random
# order; a file sorted by label or by time would need shuffling first.

# %%
X_test_s = scaler.transform(X_test)
SQRT = "averaged SGD, η0/√t"
sgd = {"plain SGD": SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0),
       "averaged SGD": SGDClassifier(loss="log_loss", alpha=1e-4, average=True, random_state=0),
       SQRT: SGDClassifier(loss="log_loss", alpha=1e-4, average=True, learning_rate="invscaling", eta0=0.5,
                           random_state=0)}
acc_path = {name: [] for name in sgd}
loss_path = {name: [] for name in sgd}
plain_norm = []                                         # norm of the plain SGD weights after each chunk
for c in range(N_CHUNKS):
    X, y = read_chunk(c)
    X = scaler.transform(X)
    for name, model in sgd.items():
        model.partial_fit(X, y, classes=[0, 1])
        acc_path[name].append(model.score(X_test_s, y_test))
        loss_path[name].append(log_loss(y_test, model.predict_proba(X_test_s)))
    plain_norm.append(np.linalg.norm(sgd["plain SGD"].coef_))
seen = CHUNK * np.arange(1, N_CHUNKS + 1)
for name in sgd:
    accs, losses = acc_path[name], loss_path[name]
    print(f"{name:20s} test accuracy after each chunk: min {min(accs):.4f}, last {accs[-1]:.4f}; "
          f"test log loss after chunk 1 {losses[0]:.3f}, last {losses[-1]:.4f}")

# %% [markdown]
# ## The full-batch reference, and how much data the model needs
# Logistic regression fitted on all 100,000 standardized rows at once (almost unpenalised) is the target the stream
# should reach. Fitting the same model on the first $m$ rows only, for growing $m$, gives a learning curve: it tells
# us how many rows this model can use at all.

# %%
X_all_s = scaler.transform(X_all)
full = LogisticRegression(C=1e4, max_iter=1000).fit(X_all_s, y_all)
full_acc = full.score(X_test_s, y_test)
full_loss = log_loss(y_test, full.predict_proba(X_test_s))
base_loss = log_loss(y_test, np.full(len(y_test), y_all.mean()))   # predict the training base rate for every row
w_full = full.coef_.ravel()
norm_ratio = {name: np.linalg.norm(m.coef_) / np.linalg.norm(w_full) for name, m in sgd.items()}
plain_ratio = np.array(plain_norm) / np.linalg.norm(w_full)   # |w| / |w_full| of plain SGD after each chunk
coef_gap = {name: np.linalg.norm(m.coef_.ravel() - w_full) / np.linalg.norm(w_full) for name, m in sgd.items()}
sizes = np.array([300, 1_000, 3_000, 10_000, 30_000, 100_000])
curve = np.array([LogisticRegression(C=1e4, max_iter=1000).fit(X_all_s[:m], y_all[:m]).score(X_test_s, y_test)
                  for m in sizes[:-1]] + [full_acc])          # the last size is all the rows: the fit above
for m, a in zip(sizes, curve):
    print(f"full-batch fit on {m:>7,} rows: test accuracy {a:.4f}")
print(f"all rows: accuracy {full_acc:.4f}, log loss {full_loss:.4f}; base-rate predictor log loss {base_loss:.4f}")
for name in sgd:
    print(f"{name:20s} after one pass: accuracy {acc_path[name][-1]:.4f}, log loss {loss_path[name][-1]:.4f}, "
          f"|w| / |w_full| = {norm_ratio[name]:.2f}, |w - w_full| / |w_full| = {coef_gap[name]:.3f}")
print("plain SGD |w| / |w_full| after 5,000, 10,000, 20,000, 50,000 and 100,000 rows:",
      np.round(plain_ratio[[0, 1, 3, 9, 19]], 2))

# %% tags=["figure:large-datasets-out-of-core"]
fig, (ax, bx) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True)
labels = {"plain SGD": "plain SGD, default schedule", "averaged SGD": "averaged SGD, default schedule",
          SQRT: "averaged SGD, η0/√t"}
for name in sgd:
    ax.plot(seen, acc_path[name], marker=".", label=labels[name])
    bx.plot(seen, loss_path[name], marker=".", label=labels[name])
ax.plot(sizes, curve, marker="s", ls="--", color="C3", label="full-batch fit on the first m rows")
ax.axhline(bayes_acc, color="grey", lw=0.8, ls=":", label="Bayes accuracy (true coefficients)")
ax.set(xscale="log", ylabel="test accuracy", title="Streamed with partial_fit, 5,000 rows per chunk")
ax.legend(fontsize=8, loc="lower left")
bx.axhline(full_loss, color="C3", ls="--", lw=1, label="full-batch fit, all rows")
bx.axhline(base_loss, color="black", lw=0.8, ls=":", label="predicting the base rate")
bx.set(xscale="log", yscale="log", xlabel="training rows used (m)", ylabel="test log loss")
bx.set_yticks([0.5, 1, 2, 4], labels=["0.5", "1", "2", "4"])
bx.yaxis.set_minor_locator(plt.NullLocator())
bx.legend(fontsize=8, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The hashing trick against a vocabulary
# 5,000 short documents, 40 words each, drawn from a Zipf distribution, so new words keep appearing however much text
# we read. `CountVectorizer` must store a dictionary from every word it has seen to a column; `HashingVectorizer`
# stores nothing and sends word $w$ to column $h(w) \bmod m$, here $m = 2^{18}$. We measure the memory each fitted
# object holds with `tracemalloc`, after a garbage collection so that only what the object keeps is counted. Then we
# count colliding pairs of words (two words sent to one column) and compare with the expectation $V(V-1)/(2m)$ for
# $V$ distinct words and a hash that spreads words uniformly.

# %%
text_rng = np.random.default_rng(1)
word_ids = text_rng.zipf(1.3, size=(5_000, 40))
docs = [" ".join(row) for row in np.char.add("w", word_ids.astype(str))]


def retained_bytes(make):
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    obj = make()
    gc.collect()                                        # drop temporary cyclic garbage
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return obj, used


M_HASH = 2**18
vocab_vec, vocab_bytes = retained_bytes(lambda: CountVectorizer().fit(docs))
hash_vec, hash_bytes = retained_bytes(lambda: HashingVectorizer(n_features=M_HASH).fit(docs))
V = len(vocab_vec.vocabulary_)
words = sorted(vocab_vec.vocabulary_)
columns = hash_vec.transform(words).indices            # the column each distinct word is hashed to
_, per_column = np.unique(columns, return_counts=True)
collided_pairs = int((per_column * (per_column - 1) // 2).sum())
expected_pairs = V * (V - 1) / (2 * M_HASH)
first_seen = np.unique(word_ids.ravel(), return_index=True)[1] // 40   # document where each word first appears
vocab_growth = np.searchsorted(np.sort(first_seen), np.arange(1, 5_001))  # distinct words after each document
print(f"{V:,} distinct words; vocabulary vectorizer holds {vocab_bytes / 1e6:.2f} MB "
      f"({vocab_bytes / V:.0f} bytes per word), hashing vectorizer {hash_bytes} bytes")
print(f"colliding word pairs: {collided_pairs} observed, {expected_pairs:.0f} expected; "
      f"distinct words after 500 / 5,000 documents: {vocab_growth[499]:,} / {vocab_growth[-1]:,}")

# %% [markdown]
# ## Reservoir sampling is uniform
# We draw $k = 6$ items from a stream of $n = 30$ with `reservoir_sample`, 3,000 times, and count how often each
# position is kept. Each should be kept with probability $p = k/n = 0.2$. The counts are not independent (every
# sample has exactly $k$ items), so Pearson's statistic needs a correction: with $R$ runs and $O_i$ the count for
# position $i$, sampling without replacement gives each count variance $Rp(1-p)$ and each pair covariance
# $-Rp(1-p)/(n-1)$, and
#
# $$X^2 = \frac{n-1}{n}\sum_i \frac{(O_i - Rp)^2}{Rp(1-p)}$$
#
# is approximately $\chi^2$ with $n-1$ degrees of freedom.

# %%
R, n_stream, k = 3_000, 30, 6
res_rng = np.random.default_rng(2)
kept = np.zeros(n_stream)
for _ in range(R):
    kept[reservoir_sample(range(n_stream), k, res_rng)] += 1
p = k / n_stream
x2 = (n_stream - 1) / n_stream * np.sum((kept - R * p) ** 2 / (R * p * (1 - p)))
p_value = stats.chi2.sf(x2, n_stream - 1)
se = np.sqrt(p * (1 - p) / R)
print(f"kept share per position: min {kept.min() / R:.3f}, max {kept.max() / R:.3f} (p = {p}, SE {se:.4f}); "
      f"X^2 = {x2:.1f} on {n_stream - 1} df, p-value {p_value:.2f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(np.arange(1, n_stream + 1), kept / R, color="C0", label="share of runs keeping the item")
ax.axhline(p, color="black", lw=1, label="k / n")
ax.axhspan(p - 2 * se, p + 2 * se, color="grey", alpha=0.25, label="± 2 standard errors")
ax.set(xlabel="position of the item in the stream", ylabel="share of runs", ylim=(0, 0.33),
       title=f"Reservoir sampling, k = {k} of n = {n_stream}, {R:,} runs")
ax.legend(fontsize=8, loc="upper center", ncol=3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Checks
# Every number the concept page quotes from this notebook is asserted here.

# %%
# Merged chunk statistics equal the full-data mean and variance (to rounding), as does StandardScaler.partial_fit.
assert mean_err < 1e-10 and var_err < 1e-10 and scaler_err < 1e-10
# The full-batch fit is within 0.003 of the Bayes accuracy (about 0.77). Plain SGD with the default schedule wanders,
# at least 0.01 below the full-batch accuracy at some chunk.
assert abs(full_acc - bayes_acc) < 0.003 and round(bayes_acc, 2) == 0.77
assert min(acc_path["plain SGD"]) < full_acc - 0.01
# Plain SGD with the default schedule: the first steps blow the weights up (over 10 times too long after 5,000 rows);
# after 10,000 rows they are still about 7 times too long.
assert plain_ratio[0] > 10 and round(plain_ratio[1]) == 7
# Averaged SGD with the default schedule: its accuracy is within 0.005 of the full batch from the first chunk on, yet
# its weights are over three times too long and its log loss after one pass is worse than predicting the base rate.
assert max(abs(a - full_acc) for a in acc_path["averaged SGD"]) < 0.005
assert norm_ratio["averaged SGD"] > 3 and loss_path["averaged SGD"][-1] > base_loss
# Averaged SGD with eta0 / sqrt(t): accuracy within 0.003 of the full batch from the first chunk on, and after one pass
# its log loss is within 0.001 of the full batch's and its weights within 2% of the full-batch weights.
assert max(abs(a - full_acc) for a in acc_path[SQRT]) < 0.003
assert abs(loss_path[SQRT][-1] - full_loss) < 0.001 and coef_gap[SQRT] < 0.02
# Learning curve: 10,000 rows (a tenth of the data) already come within 0.003 of the accuracy on all rows; 300 rows
# fall short by over 0.01.
assert abs(curve[sizes == 10_000][0] - full_acc) < 0.003 and full_acc - curve[0] > 0.01
# The vocabulary costs roughly 110 bytes per word (between 100 and 120) and over a thousand times the hashing
# vectorizer's state, which does not depend on the data at all.
assert 100 < vocab_bytes / V < 120 and vocab_bytes > 1000 * hash_bytes and hash_bytes < 2_000
# The vocabulary keeps growing: 10 times the documents give over 3 times the words.
assert vocab_growth[-1] > 3 * vocab_growth[499]
# Collisions: observed colliding pairs within 15% of V(V-1)/(2m).
assert abs(collided_pairs / expected_pairs - 1) < 0.15
# Reservoir sampling: every position kept with share within 4 SE of k/n, and the corrected chi-squared test passes.
assert np.all(np.abs(kept / R - p) < 4 * se) and p_value > 0.01
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
