# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: unsupervised/k-means.md}
# ---

# %% [markdown]
# # k-means: Lloyd's iterations, seeding, and choosing k
# We run the guide's NumPy k-means (k-means++ seeding, then Lloyd's iterations) against scikit-learn, watch the cost
# fall at every iteration, and compare random seeding with k-means++ over many seeds on sixteen blobs. Then we try the
# elbow, the silhouette and the gap statistic on data whose number of generating clusters we know, and watch a
# Gaussian mixture with shrinking variance turn into k-means.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

from mlguide.unsupervised.kmeans import inertia, kmeans_plus_plus, lloyd

# %% [markdown]
# ## The worked example: four corners of a rectangle
# The page's example clusters the corners $(0,0)$, $(4,0)$, $(0,2)$, $(4,2)$ into $k=2$ groups. Splitting left from
# right costs 4; splitting top from bottom costs 16, and Lloyd's algorithm cannot leave that split once it is in it.
# Seeding with two random corners lands there when it picks a vertical pair (2 of the 6 pairs); k-means++ picks the
# bad partner of the first corner with probability $4/(4+16+20) = 0.1$, and scikit-learn's greedy variant only if
# both its candidates are that partner ($0.1^2$). Hartigan's single-point moves do escape the stuck split: moving
# $(0,0)$ to the top cluster changes the cost by $-8/3$, and moving $(4,2)$ down next reaches the optimum 4.

# %%
rect = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0], [4.0, 2.0]])
finals = {(i, j): float(lloyd(rect, rect[[i, j]])[2][-1]) for i in range(4) for j in range(i + 1, 4)}
print("final cost from each pair of starting corners:", finals)
_, _, h = lloyd(rect, rect[[0, 2]])
print("cost per iteration from (0,0) and (0,2):", h)

rng = np.random.default_rng(0)
pp_bad = np.mean([np.ptp(kmeans_plus_plus(rect, 2, rng)[:, 0]) == 0 for _ in range(2000)])
print(f"k-means++ picks a vertical pair in {pp_bad:.3f} of 2000 draws")

# %%
assert sorted(finals.values()) == [4.0, 4.0, 4.0, 4.0, 16.0, 16.0], "random corners fail 2 times in 6"
assert np.allclose(h, [32.0, 16.0]), "32 at the start, 16 after one update, then stuck"
assert abs(pp_bad - 0.1) < 0.02, "k-means++ fails about 1 time in 10"
tall = rect * [1.0, 3.0]
assert inertia(tall, [[0, 3], [4, 3]]) == 36.0 and inertia(tall, [[2, 0], [2, 6]]) == 16.0, "units flip the optimum"

# Greedy k-means++ after A keeps the candidate leaving the least total D^2: C leaves 32, B or D leave 8.
left = {name: inertia(rect, rect[[0, i]]) for name, i in (("B", 1), ("C", 2), ("D", 3))}
assert left == {"B": 8.0, "C": 32.0, "D": 8.0} and round(0.1**2, 4) == 0.01, "greedy fails only if both draws are C"


# Hartigan's single-point moves escape the stuck bottom/top split that Lloyd cannot leave.
def cost(groups):
    return sum(float(((rect[g] - rect[g].mean(axis=0)) ** 2).sum()) for g in groups)


def hartigan_delta(x, src, dst):
    return (len(dst) / (len(dst) + 1) * float(((x - rect[dst].mean(axis=0)) ** 2).sum())
            - len(src) / (len(src) - 1) * float(((x - rect[src].mean(axis=0)) ** 2).sum()))


A_, B_, C_, D_ = 0, 1, 2, 3
delta_A = hartigan_delta(rect[A_], [A_, B_], [C_, D_])
assert np.isclose(delta_A, -8 / 3) and np.isclose(cost([[B_], [A_, C_, D_]]), 40 / 3), "moving A up: 16 -> 40/3"
assert np.isclose(cost([[A_, B_], [C_, D_]]) + delta_A, cost([[B_], [A_, C_, D_]])), "the formula is the exact change"
assert np.isclose(cost([[B_, D_], [A_, C_]]), 4.0), "moving D to B then reaches the optimum 4"

# %% [markdown]
# ## Same start, same answer as scikit-learn
# Given the same initial centres, `lloyd` and `KMeans(init=centres, n_init=1, algorithm="lloyd")` make the same
# assignments and reach the same cost: the algorithm is deterministic once the seeds are fixed. The total scatter
# about the overall mean is the cost plus the between-cluster scatter $\sum_j n_j \lVert \bar x_j - \bar x\rVert^2$.

# %%
X16_rng = np.random.default_rng(0)
grid = np.array([(i, j) for i in range(4) for j in range(4)], dtype=float) * 6
X16 = np.vstack([g + X16_rng.normal(0, 1, size=(40, 2)) for g in grid])   # 16 blobs, 40 points each
k = 16

init = X16[np.random.default_rng(1).choice(len(X16), k, replace=False)]
centers, labels, history = lloyd(X16, init)
km = KMeans(k, init=init, n_init=1, algorithm="lloyd", tol=0.0).fit(X16)
print(f"ours: cost {history[-1]:.4f} after {len(history) - 1} updates; scikit-learn: {km.inertia_:.4f}")
assert np.array_equal(labels, km.labels_) and abs(history[-1] - km.inertia_) < 1e-8 * km.inertia_
# Total scatter = within (the cost) + between-cluster scatter, so minimizing one maximizes the other.
total = float(((X16 - X16.mean(axis=0)) ** 2).sum())
between = sum((labels == j).sum() * float(((centers[j] - X16.mean(axis=0)) ** 2).sum()) for j in range(k))
assert np.isclose(total, history[-1] + between), "T = W + B"

# %% [markdown]
# ## Random seeding against k-means++, over 100 seeds
# For each seed we start Lloyd's algorithm three ways: from 16 points drawn uniformly, from plain k-means++ seeds
# (ours), and from scikit-learn's greedy k-means++, which at each step draws $2 + \lfloor \ln k \rfloor = 4$
# candidates by $D^2$ sampling and keeps the one that lowers the cost most. We also record the cost of the k-means++
# seeds before any iteration. Every cost is divided by the lowest cost any run found.

# %%
n_seeds = 100
runs = {"random": [], "k-means++": [], "greedy k-means++": []}
seed_only, histories = [], {"random": [], "k-means++": []}
for s in range(n_seeds):
    r = np.random.default_rng(100 + s)
    starts = {
        "random": X16[r.choice(len(X16), k, replace=False)],
        "k-means++": kmeans_plus_plus(X16, k, r),
        "greedy k-means++": kmeans_plusplus(X16, k, random_state=s)[0],
    }
    seed_only.append(inertia(X16, starts["k-means++"]))
    for name, start in starts.items():
        _, _, h = lloyd(X16, start)
        runs[name].append(h[-1])
        if name in histories:
            histories[name].append(h)

best = min(min(v) for v in runs.values())
ratio = {name: np.array(v) / best for name, v in runs.items()}
ratio_seed_only = np.array(seed_only) / best
hit = {name: np.mean(v < 1.001) for name, v in ratio.items()}
best_of_10 = {name: np.mean(v.reshape(-1, 10).min(axis=1) < 1.001) for name, v in ratio.items()}
iters = {name: np.median([len(h) - 1 for h in hs]) for name, hs in histories.items()}
for name in ratio:
    print(f"{name:17s} median cost / best {np.median(ratio[name]):.2f}, reaches the best in {hit[name]:.0%} of runs, "
          f"best of 10 runs reaches it in {best_of_10[name]:.0%}")
print(f"k-means++ seeds before any iteration: median {np.median(ratio_seed_only):.2f}, max {ratio_seed_only.max():.2f}"
      f" (the bound 8(ln k + 2) = {8 * (np.log(k) + 2):.0f})")
print("median number of updates:", iters)

# %%
all_histories = histories["random"] + histories["k-means++"]
assert all(np.all(np.diff(h) <= 1e-9 * h[0]) for h in all_histories), "the cost never rises, in any of 200 runs"
assert abs(best / ((len(X16) - k) * 2 * 1.0**2) - 1) < 0.1, "best cost about (n - k) d sigma^2: one centre per blob"
assert np.median(ratio["random"]) > 1.8 and hit["random"] < 0.1, "random seeding usually stalls well above the best"
assert np.median(ratio["k-means++"]) < 0.8 * np.median(ratio["random"]), "k-means++ does better..."
assert 0.08 < hit["k-means++"] < 0.3, "...but still reaches the best in a minority of runs"
assert hit["greedy k-means++"] > 0.6 and best_of_10["greedy k-means++"] == 1.0, "the greedy variant, far more often"
assert best_of_10["random"] < 0.5 < best_of_10["k-means++"], "restarts help k-means++ much more than random seeds"
assert np.median(ratio_seed_only) > np.median(ratio["k-means++"]), "Lloyd's iterations improve on the seeds"
assert ratio_seed_only.max() < 8 * (np.log(k) + 2) / 4, "the seeds alone cost far less than the bound allows"
assert iters["k-means++"] < iters["random"], "and good seeds converge in fewer updates"
# The numbers quoted on the page, as printed above.
medians = {name: round(float(np.median(v)), 2) for name, v in ratio.items()}
assert medians == {"random": 2.05, "k-means++": 1.55, "greedy k-means++": 1.0}, medians
assert [round(100 * hit[name]) for name in ratio] == [2, 15, 82]
assert [round(10 * best_of_10[name]) for name in ratio] == [2, 9, 10]
assert round(float(np.median(ratio_seed_only)), 1) == 3.2 and round(8 * (np.log(k) + 2)) == 38
assert (iters["k-means++"], iters["random"]) == (6, 9)
shown = [h[-1] / best for name in histories for h in histories[name][:8]]
assert np.mean(np.array(shown) > 1.001) > 0.5, "most of the 16 plotted runs stop above the best cost"

# What a stalled run looks like: take the worst random start and count centres per true blob (40 points each).
worst = int(np.argmax(runs["random"]))
worst_start = X16[np.random.default_rng(100 + worst).choice(len(X16), k, replace=False)]
_, worst_labels, _ = lloyd(X16, worst_start)
blob = np.arange(len(X16)) // 40
centres_per_blob = [len(np.unique(worst_labels[blob == b])) for b in range(k)]
blobs_per_centre = [len(np.unique(blob[worst_labels == j])) for j in range(k)]
print("worst random run: centres per blob", centres_per_blob, "; blobs per centre", blobs_per_centre)
assert max(centres_per_blob) >= 2, "some blob is split between centres..."
assert max(blobs_per_centre) >= 2, "...while some centre straddles two blobs"

# %% tags=["figure:k-means-seeding"]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
for name, colour in (("random", "C0"), ("k-means++", "C1")):
    for i, h in enumerate(histories[name][:8]):
        axes[0].plot(np.arange(len(h)), h / best, color=colour, alpha=0.7, label=name if i == 0 else None)
axes[0].set_xlabel("Lloyd update")
axes[0].set_ylabel("cost / best cost found")
axes[0].set_title("The cost falls at every update")
axes[0].legend()
for name, colour in (("random", "C0"), ("k-means++", "C1"), ("greedy k-means++", "C2")):
    v = np.sort(ratio[name])
    axes[1].step(v, np.arange(1, len(v) + 1) / len(v), where="post", color=colour, label=f"{name} + Lloyd")
v = np.sort(ratio_seed_only)
axes[1].step(v, np.arange(1, len(v) + 1) / len(v), where="post", color="C1", linestyle=":",
             label="k-means++ seeds only")
axes[1].set_xlabel("final cost / best cost found")
axes[1].set_ylabel(f"share of {n_seeds} seeds")
axes[1].set_title("Where each seeding ends up")
axes[1].legend(fontsize=7, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# Every curve on the left is non-increasing, as the argument on the page requires, and each stops at a fixed point:
# many of them far above the best cost, with two centres sharing one blob while another centre straddles two. On the
# right, random seeding rarely finds the best solution; k-means++ does so more often and the greedy variant that
# scikit-learn uses by default usually does. The dotted curve is k-means++ before any Lloyd iteration: already
# within a few times the best cost, where the theorem only promises an expected cost below $8(\ln 16 + 2) \approx 38$
# times the optimum. (The best cost found is almost surely the optimum: it is close to the $(n - k)\,d\,\sigma^2$
# expected from one centre per blob, asserted above.)

# %% [markdown]
# ## Choosing k where the generating k is known
# Two data sets, each drawn from four round Gaussian blobs of 100 points with standard deviation 1. In **square**,
# the centres sit on a 6-by-6 square; in **pairs**, they lie on a line at 0, 4, 18 and 22: two pairs, 14 apart. For
# $k = 1, \dots, 6$ we record:
#
# - the cost $W_k$ (the elbow plot, on a log scale);
# - the mean silhouette $s = (b - a)/\max(a, b)$, where $a$ is a point's mean distance to the other points of its
#   cluster and $b$ the smallest mean distance to the points of another cluster;
# - the gap statistic $\mathrm{Gap}(k) = \overline{\log W_k^*} - \log W_k$, where $W_k^*$ is the cost on data drawn
#   uniformly over the bounding box ($B = 10$ draws), with the rule "smallest $k$ with
#   $\mathrm{Gap}(k) \ge \mathrm{Gap}(k+1) - s_{k+1}$", $s_k$ being the standard deviation of $\log W_k^*$ times
#   $\sqrt{1 + 1/B}$.

# %%
def fit_cost(Z, k):
    return KMeans(k, n_init=2, random_state=0).fit(Z)


def choose_k(Z, ks, B=10, seed=0):
    fits = {kk: fit_cost(Z, kk) for kk in ks}
    W = np.array([fits[kk].inertia_ for kk in ks])
    sil = np.array([np.nan] + [silhouette_score(Z, fits[kk].labels_) for kk in ks[1:]])
    r = np.random.default_rng(seed)
    lo, hi = Z.min(axis=0), Z.max(axis=0)
    log_ref = np.array([[np.log(fit_cost(R, kk).inertia_) for kk in ks]
                        for R in (r.uniform(lo, hi, size=Z.shape) for _ in range(B))])
    gap = log_ref.mean(axis=0) - np.log(W)
    s = log_ref.std(axis=0) * np.sqrt(1 + 1 / B)
    k_gap = next(ks[i] for i in range(len(ks) - 1) if gap[i] >= gap[i + 1] - s[i + 1])
    return {"W": W, "sil": sil, "gap": gap, "s": s, "k_sil": ks[int(np.nanargmax(sil))], "k_gap": k_gap,
            "k_gap_max": ks[int(np.argmax(gap))]}


ks = list(range(1, 7))
layouts = {"square": [(0, 0), (6, 0), (0, 6), (6, 6)], "pairs": [(0, 0), (4, 0), (18, 0), (22, 0)]}
data = {name: make_blobs(n_samples=400, centers=np.array(c, float), cluster_std=1.0, random_state=0)[0]
        for name, c in layouts.items()}
choice = {name: choose_k(Z, ks) for name, Z in data.items()}
for name, c in choice.items():
    drops = -np.diff(c["W"]) / c["W"][0]
    print(f"{name}: W_k/W_1 {np.round(c['W'] / c['W'][0], 3)}; silhouette picks k = {c['k_sil']}, "
          f"the gap rule k = {c['k_gap']} (largest gap at k = {c['k_gap_max']})")
    print("   silhouette", np.round(c["sil"], 2), " gap", np.round(c["gap"], 2))

# %% tags=["figure:k-means-choosing-k"]
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for name, colour in (("square", "C0"), ("pairs", "C3")):
    c = choice[name]
    axes[0].plot(ks, c["W"] / c["W"][0], "o-", color=colour, label=name)
    axes[1].plot(ks, c["sil"], "o-", color=colour, label=name)
    axes[2].errorbar(ks, c["gap"], yerr=c["s"], fmt="o-", color=colour, capsize=2, label=name)
    axes[1].plot(c["k_sil"], c["sil"][ks.index(c["k_sil"])], "*", color=colour, markersize=14)
    axes[2].plot(c["k_gap"], c["gap"][ks.index(c["k_gap"])], "*", color=colour, markersize=14)
axes[0].set_yscale("log")
axes[0].set_title("Elbow: $W_k / W_1$ (log scale)")
axes[1].set_title("Mean silhouette")
axes[2].set_title("Gap statistic")
for ax in axes:
    ax.set_xlabel("k")
    ax.set_xticks(ks)
axes[0].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# On **square** the three criteria agree on the generating $k = 4$. On **pairs** they do not: the cost falls by 93%
# from 1 to 2 centres and by half again from 3 to 4, so the elbow bends at both; the silhouette peaks at 2, and the
# gap rule stops at 2 although the gap itself is largest at 4. The two pairs are far more separated than the blobs
# inside each pair, so "2" is a fair answer too: the criteria measure different things, and the data alone do not
# decide between the coarse and the fine structure.

# %%
sq, pr = choice["square"], choice["pairs"]
assert sq["k_sil"] == sq["k_gap"] == 4, "square: silhouette and gap both pick the generating k"
assert np.argmax(np.diff(np.diff(np.log(sq["W"])))) + 2 == 4, "square: the sharpest bend of log W_k is at k = 4"
assert pr["k_sil"] == 2 and pr["k_gap"] == 2 and pr["k_gap_max"] == 4, "pairs: both rules say 2, the gap peaks at 4"
assert round(1 - pr["W"][1] / pr["W"][0], 2) == 0.93, "pairs: the cost falls by 93% from k = 1 to 2..."
assert pr["W"][3] / pr["W"][2] < 0.6 < 0.85 < pr["W"][4] / pr["W"][3], "...by half from 3 to 4, little from 4 to 5"
assert np.all(np.diff(sq["W"]) < 0) and np.all(np.diff(pr["W"]) < 0), "the cost falls with every extra centre"

# %% [markdown]
# ## k-means as a Gaussian mixture with vanishing variance
# EM for a mixture of $k$ Gaussians with equal weights and one fixed covariance $\sigma^2 I$ gives point $i$ the
# responsibility $r_{ij} \propto \exp(-\lVert x_i - \mu_j\rVert^2 / 2\sigma^2)$ for centre $j$, then moves each
# centre to the responsibility-weighted mean. As $\sigma \to 0$ the responsibilities become 0 or 1 and the two
# steps become Lloyd's. We run this EM on **square** for several values of $\sigma$, always from the same k-means++
# seeds, and compare with Lloyd's algorithm from those seeds.

# %%
def em_fixed_sigma(Z, mu, sigma, n_iter=500):
    mu = mu.copy()
    for _ in range(n_iter):
        d2 = ((Z[:, None, :] - mu[None, :, :]) ** 2).sum(axis=2)
        logits = -d2 / (2 * sigma**2)
        r = np.exp(logits - logits.max(axis=1, keepdims=True))
        r /= r.sum(axis=1, keepdims=True)
        new = (r.T @ Z) / r.sum(axis=0)[:, None]
        if np.abs(new - mu).max() < 1e-12:
            break
        mu = new
    return new, r


Z = data["square"]
start = kmeans_plus_plus(Z, 4, seed=3)
mu_lloyd, lab_lloyd, _ = lloyd(Z, start)
for sigma in (6.0, 2.0, 0.5, 0.1):
    mu_em, r = em_fixed_sigma(Z, start, sigma)
    gap_to_lloyd = np.abs(mu_em - mu_lloyd).max()
    spread = np.abs(mu_em - Z.mean(axis=0)).max()
    print(f"sigma = {sigma:4}: largest responsibility per point, median {np.median(r.max(axis=1)):.3f}; "
          f"centres {gap_to_lloyd:.2e} from Lloyd's, {spread:.2f} from the overall mean")
    if sigma == 6.0:
        assert spread < 1e-3, "a wide kernel merges every centre into the overall mean"
    if sigma == 0.1:
        assert gap_to_lloyd < 1e-6 and np.array_equal(r.argmax(axis=1), lab_lloyd), "small sigma: EM is Lloyd"
