# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: unsupervised/dimensionality-reduction.md}
# ---

# %% [markdown]
# # What a t-SNE map keeps and what it throws away, and PCA against LDA
# Three generated clusters with known spreads and known distances go through PCA and through t-SNE at three
# perplexities; we measure in each map how big the clusters are and how far apart, and compare with the truth. Then
# labels enter: Fisher's LDA against PCA on the digits, the leak of a supervised reducer fitted outside
# cross-validation, and a Johnson-Lindenstrauss random projection.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.spatial.distance import pdist
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.manifold import TSNE, trustworthiness
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlguide.unsupervised.projections import fisher_lda, jl_min_dim, random_projection

START = time.perf_counter()


def rounds_to(x, quoted, decimals):
    """True when x, rounded to `decimals` places, is the number the page quotes."""
    return abs(x - quoted) <= 0.5 * 10.0**-decimals + 1e-12

# %% [markdown]
# ## Three clusters whose sizes and gaps we know
# In $d = 10$ dimensions, 60 points per cluster: A is a tight Gaussian (standard deviation 0.5 per coordinate) at the
# origin, B a wide one (standard deviation 2, four times A's) 20 units away along the first axis, and C a tight one
# 60 units away on the other side. So B is four times as wide as A, and C is three times as far from A as B is.
# We measure a cluster's *spread* as the root-mean-square distance of its points to their centroid, and a *gap* as the
# distance between two centroids; both are ratios, so they do not depend on the units of a map.

# %%
D, N_PER = 10, 60
STDS = {"A": 0.5, "B": 2.0, "C": 0.5}
OFFSETS = {"A": 0.0, "B": 20.0, "C": -60.0}


def draw(seed):
    """The three clusters, drawn with the given seed; the notebook's data are draw 0."""
    rng = np.random.default_rng(seed)
    return np.vstack([OFFSETS[c] * np.eye(D)[0] + STDS[c] * rng.normal(size=(N_PER, D)) for c in STDS])


X = draw(0)
labels = np.repeat(list(STDS), N_PER)


def spread(Z, c):
    P = Z[labels == c]
    return float(np.sqrt(np.mean(np.sum((P - P.mean(axis=0)) ** 2, axis=1))))


def gap(Z, a, b):
    return float(np.linalg.norm(Z[labels == a].mean(axis=0) - Z[labels == b].mean(axis=0)))


def summary(Z):
    """Spread of B over spread of A, and gap A-C over gap A-B."""
    return spread(Z, "B") / spread(Z, "A"), gap(Z, "A", "C") / gap(Z, "A", "B")


truth = summary(X)
print(f"input: spread B/A = {truth[0]:.2f}, gap AC/AB = {truth[1]:.2f}")

# %% [markdown]
# ## PCA and t-SNE maps
# PCA is a linear projection, so it can only shrink distances; here the first component runs along the axis that
# holds the cluster centres, and the map keeps their layout. t-SNE is run at perplexities 5, 20 and 50 with
# scikit-learn's defaults (PCA initialisation, Barnes-Hut gradients) except 500 iterations instead of 1,000, to keep
# the notebook fast. Trustworthiness (10 neighbours) penalises each point's map neighbours that are not among its
# input neighbours: 1 means there are no such intruders.

# %%
maps = {"PCA": PCA(n_components=2).fit_transform(X)}
kl = {}
for perplexity in (5, 20, 50):
    tsne = TSNE(perplexity=perplexity, max_iter=500, random_state=0)
    maps[f"t-SNE, perplexity {perplexity}"] = tsne.fit_transform(X)
    kl[perplexity] = tsne.kl_divergence_
stats = {name: summary(Z) for name, Z in maps.items()}
trust = {name: trustworthiness(X, Z, n_neighbors=10) for name, Z in maps.items()}
for name in maps:
    print(f"{name:22s} spread B/A {stats[name][0]:.2f}   gap AC/AB {stats[name][1]:.2f}   "
          f"trustworthiness {trust[name]:.3f}")
print("final KL divergence by perplexity:", {p: round(v, 3) for p, v in kl.items()})

# %% tags=["figure:dimensionality-reduction-tsne-perplexity"]
fig, axes = plt.subplots(1, 4, figsize=(12, 3.3))
colors = {"A": "tab:blue", "B": "tab:orange", "C": "tab:green"}
for ax, (name, Z) in zip(axes, maps.items()):
    for c in STDS:
        ax.scatter(*Z[labels == c].T, s=6, color=colors[c], label=f"{c} (sd {STDS[c]})")
    ax.set_title(f"{name}\nspread B/A {stats[name][0]:.1f}; gaps AC/AB {stats[name][1]:.1f}, "
                 f"BC/AB {gap(Z, 'B', 'C') / gap(Z, 'A', 'B'):.1f}", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
axes[0].legend(fontsize=7, loc="lower left")
fig.suptitle(f"Input: B is {truth[0]:.1f}x as wide as A; the gaps A-C and B-C are {truth[1]:.1f}x and "
             f"{gap(X, 'B', 'C') / gap(X, 'A', 'B'):.1f}x the gap A-B", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the numbers say
# PCA keeps the gap ratio and roughly the spread ratio (B looks about 10% wider than it is, because the second
# component follows B's widest noise direction). Every t-SNE map, at every perplexity, draws B the same size as A, and
# draws the A-C gap, three times the A-B gap in the input, the same length as A-B, although its trustworthiness is
# above PCA's: t-SNE keeps who is next to whom and discards how big and how far, and a high trustworthiness
# certifies neither. (The third gap is in the next cell.)
# The reason: the bandwidth $\sigma_i$ of each point is tuned to its own neighbourhood, so a cluster scaled by 4 gets
# bandwidths scaled by 4 and exactly the same affinities; and affinities between clusters this far apart are
# essentially zero, so the objective holds no information about the gaps.

# %%
assert 3.5 < truth[0] < 4.5 and 2.9 < truth[1] < 3.1
assert abs(stats["PCA"][0] / truth[0] - 1) < 0.25 and abs(stats["PCA"][1] / truth[1] - 1) < 0.05, "PCA keeps both"
for name, (spread_ratio, gap_ratio) in stats.items():
    if name.startswith("t-SNE"):
        assert rounds_to(spread_ratio, 1.0, 1), f"{name}: B drawn as wide as A, not 4x"
        assert rounds_to(gap_ratio, 1.0, 1), f"{name}: the far cluster is not drawn 3x as far"
        assert trust[name] > trust["PCA"] and 0.935 <= trust[name] < 0.955, f"{name}: local neighbours are kept"
# the numbers the page quotes
assert rounds_to(truth[0], 3.9, 1) and rounds_to(stats["PCA"][0], 4.3, 1)
assert rounds_to(truth[1], 3.0, 1) and rounds_to(stats["PCA"][1], 3.0, 1) and rounds_to(trust["PCA"], 0.93, 2)

# %% [markdown]
# ## The third gap, and what the layout of the clusters does keep
# The ratios above use two of the three gaps; the third, B-C over A-B, is 4.0 in the input. We also measure the angle
# at A between the directions to B and to C: 180 degrees when the clusters lie on a line with A between the others,
# as in the input, and 60 degrees for an equilateral triangle. At perplexities 5 and 20 t-SNE draws a near-equilateral
# triangle, all three gaps about equal. At perplexity 50 this run keeps the input order C-A-B roughly along a line
# (an angle above 140 degrees), yet B-C is 1.9 times A-B instead of 4.0. The line is where the PCA initialisation,
# which starts the points on PCA's map, put the clusters, and the same run from a random start draws a triangle
# again. But a PCA start does not guarantee the line either, as the cell after this one shows.

# %%
def angle_at_a(Z):
    """Angle in degrees at A's centroid between the directions to B's and C's centroids."""
    a, b, c = (Z[labels == name].mean(axis=0) for name in "ABC")
    cos = np.dot(b - a, c - a) / np.linalg.norm(b - a) / np.linalg.norm(c - a)
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


maps_random_init = {"t-SNE, perplexity 50, random init":
                    TSNE(perplexity=50, max_iter=500, random_state=0, init="random").fit_transform(X)}
third = {name: gap(Z, "B", "C") / gap(Z, "A", "B") for name, Z in {"input": X, **maps, **maps_random_init}.items()}
angle = {name: angle_at_a(Z) for name, Z in {"input": X, **maps, **maps_random_init}.items()}
for name in third:
    print(f"{name:34s} gap BC/AB {third[name]:.2f}   angle at A {angle[name]:5.1f} degrees")
assert rounds_to(third["input"], 4.0, 1) and angle["input"] > 175 and angle["PCA"] > 175, "PCA keeps the line"
for p in (5, 20):
    name = f"t-SNE, perplexity {p}"
    assert 0.9 < third[name] < 1.1 and 50 < angle[name] < 70, f"{name}: a near-equilateral triangle"
assert rounds_to(third["t-SNE, perplexity 50"], 1.9, 1), "input order kept, B-C drawn 1.9x A-B, not 4x"
assert angle["t-SNE, perplexity 50"] > 140, "C-A-B roughly on a line, as in the input"
assert angle["t-SNE, perplexity 50, random init"] < 90, "from a random start the line is lost"
assert 0.9 < third["t-SNE, perplexity 50, random init"] < 1.1, "and B-C is drawn about as long as A-B again"

# %% [markdown]
# ## Is the line at perplexity 50 a rule? No: 2 runs in 7 keep it, with no pattern
# We rerun the PCA-initialised t-SNE on the same data at the neighbouring perplexities 35, 40, 45 and 55, and at
# perplexity 50 on two fresh draws of the data (same clusters, seeds 1 and 2). Of these seven runs, counting the one
# above, only two keep the line: perplexities 35 and 50 on the notebook's draw. Perplexities 40 and 45, between them,
# and 55, above, draw triangles (angles below 90 degrees), so the line is no large-perplexity effect; and at
# perplexity 50 the other two draws bend or fold it. The clusters share almost no affinity (checked below), so between
# clusters only the repulsion acts, and whether PCA's collinear start survives the optimisation hangs on small
# details. Where the affinities link the clusters, as in the single-cell data of Kobak and Linderman, an informative
# start keeps coarse order; for isolated clusters, as here, even the order is chance, and the distances between
# clusters cannot be read at all.

# %%
angle_by_perplexity = {p: angle_at_a(TSNE(perplexity=p, max_iter=500, random_state=0).fit_transform(X))
                       for p in (35, 40, 45, 55)} | {50: angle["t-SNE, perplexity 50"]}
angle_by_draw = {0: angle["t-SNE, perplexity 50"]} | {
    seed: angle_at_a(TSNE(perplexity=50, max_iter=500, random_state=0).fit_transform(draw(seed))) for seed in (1, 2)}
print("angle at A by perplexity (draw 0):", {p: round(a) for p, a in sorted(angle_by_perplexity.items())})
print("angle at A by draw (perplexity 50):", {s: round(a) for s, a in angle_by_draw.items()})
assert sorted(p for p, a in angle_by_perplexity.items() if a > 140) == [35, 50], "a line at 35 and 50 only"
assert all(angle_by_perplexity[p] < 90 for p in (40, 45, 55)), "triangles at 40, 45 and 55"
assert [s for s, a in angle_by_draw.items() if a > 140] == [0], "only the notebook's own draw keeps the line"
runs = [*angle_by_perplexity.values(), angle_by_draw[1], angle_by_draw[2]]
assert len(runs) == 7 and sum(a > 140 for a in runs) == 2, "2 of the 7 PCA-initialised runs keep the line"

# %% [markdown]
# ## Perplexity changes the KL value too, so do not compare it across perplexities
# The final KL divergence falls as the perplexity grows (the target $P$ itself changes), so it can compare runs at one
# perplexity, such as different seeds, but not choose a perplexity.

# %%
assert kl[5] > kl[20] > kl[50]
assert rounds_to(kl[5], 0.88, 2) and rounds_to(kl[50], 0.085, 3)

# %% [markdown]
# ## Perplexity alone changes how big clusters look next to the gaps
# A's spread over the A-B gap is 0.079 in the 10-D input. A faithful 2-D picture shows less, because a projection
# drops 8 of A's 10 noise dimensions: PCA's map gives 0.037. The t-SNE maps report 0.195, 0.099 and 0.038 at
# perplexities 5, 20 and 50, a fivefold change from the perplexity alone.

# %%
tightness = {name: spread(Z, "A") / gap(Z, "A", "B") for name, Z in maps.items()}
print(f"input {spread(X, 'A') / gap(X, 'A', 'B'):.3f};", {name: round(v, 3) for name, v in tightness.items()})
t5, t20, t50 = (tightness[f"t-SNE, perplexity {p}"] for p in (5, 20, 50))
assert t5 > t20 > t50 and 4.5 < t5 / t50 < 5.5, "perplexity alone changes sizes against gaps about fivefold"
assert rounds_to(spread(X, "A") / gap(X, "A", "B"), 0.079, 3) and rounds_to(tightness["PCA"], 0.037, 3)
assert rounds_to(t5, 0.195, 3) and rounds_to(t20, 0.099, 3) and rounds_to(t50, 0.038, 3)

# %% [markdown]
# ## Checking the reason: t-SNE's input affinities
# We compute the conditional affinities $p_{j\mid i}$ ourselves, finding each bandwidth by bisection so that the
# perplexity $2^{H(P_i)}$ hits its target. Scaling cluster B's deviations from its centre by $1/4$, so that it is as
# tight as A, leaves its within-cluster affinities unchanged. And at perplexity 50 no point gives more than 2% of its
# affinity to other clusters, while the affinities between A and C are below $10^{-300}$: the objective cannot know
# that this gap is three times the A-B gap.

# %%
def conditional_affinities(Z, perplexity):
    """Row i is p_{.|i}: a Gaussian kernel around z_i whose bandwidth gives entropy log2(perplexity) bits."""
    d2 = np.sum((Z[:, None, :] - Z[None, :, :]) ** 2, axis=-1)
    P = np.zeros_like(d2)
    for i in range(len(Z)):
        others = np.arange(len(Z)) != i
        lo, hi = -60.0, 60.0                        # bisection on log(1 / (2 sigma_i^2))
        for _ in range(64):
            beta = np.exp((lo + hi) / 2)
            p = np.exp(-beta * (d2[i, others] - d2[i, others].min()))
            p /= p.sum()
            entropy = -np.sum(p[p > 0] * np.log2(p[p > 0]))
            lo, hi = ((lo + hi) / 2, hi) if entropy > np.log2(perplexity) else (lo, (lo + hi) / 2)
        P[i, others] = p
    return P


B = X[labels == "B"]
P_wide = conditional_affinities(B, 20)
P_tight = conditional_affinities(B.mean(axis=0) + (B - B.mean(axis=0)) / 4, 20)
P_all = conditional_affinities(X, 50)
to_other_clusters = np.where(labels[:, None] != labels[None, :], P_all, 0).sum(axis=1)
a_c = P_all[np.ix_(labels == "A", labels == "C")].max(), P_all[np.ix_(labels == "C", labels == "A")].max()
print(f"largest change in B's affinities when B is shrunk 4x: {np.abs(P_wide - P_tight).max():.1e}")
print(f"perplexity 50: largest share of a point's affinity in other clusters {to_other_clusters.max():.3f}; "
      f"largest A-C affinity {max(a_c):.1e}")
assert np.abs(P_wide - P_tight).max() < 1e-8
assert to_other_clusters.max() < 0.02 and max(a_c) < 1e-300

# %% [markdown]
# ## Labels change the question: PCA against Fisher's LDA on the digits
# PCA keeps the directions of largest variance, LDA the directions that separate the classes best relative to their
# spread within classes (at most $C - 1 = 9$ for ten digits). We keep two of each and score a 5-nearest-neighbour
# classifier on the 2-D map by 5-fold cross-validation, with the scaler and the reducer fitted inside each fold.
# (The 64 pixels are far from independent: 21 principal directions hold 90% of their variance.)

# %%
X_dig, y_dig = load_digits(return_X_y=True)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
acc = {}
for name, reducer in {"PCA": PCA(n_components=2), "LDA": LinearDiscriminantAnalysis(n_components=2)}.items():
    pipe = make_pipeline(StandardScaler(), reducer, KNeighborsClassifier(5))
    acc[name] = cross_val_score(pipe, X_dig, y_dig, cv=cv).mean()
print("5-NN accuracy on a 2-D map, 5-fold CV:", {k: round(float(v), 3) for k, v in acc.items()})
n_90 = int(np.searchsorted(np.cumsum(PCA().fit(X_dig).explained_variance_ratio_), 0.9)) + 1
print(f"principal directions for 90% of the digits' variance: {n_90} of 64")
assert n_90 == 21

X_std = StandardScaler().fit_transform(X_dig)
digit_maps = {"PCA": PCA(n_components=2).fit_transform(X_std),
              "LDA": LinearDiscriminantAnalysis(n_components=2).fit_transform(X_std, y_dig)}

# %% tags=["figure:dimensionality-reduction-pca-vs-lda"]
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (name, Z) in zip(axes, digit_maps.items()):
    sc = ax.scatter(*Z.T, c=y_dig, cmap="tab10", s=4)
    ax.set_title(f"{name}, 2 components: 5-NN CV accuracy {acc[name]:.2f}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(sc, ax=axes, ticks=range(10), label="digit")
plt.show()

# %%
assert acc["LDA"] > acc["PCA"] + 0.08, "with labels, two LDA directions separate the digits better"
assert rounds_to(acc["LDA"], 0.65, 2) and rounds_to(acc["PCA"], 0.53, 2)
with np.testing.assert_raises(ValueError):                      # scikit-learn also caps LDA at C - 1 components
    LinearDiscriminantAnalysis(n_components=10).fit(X_dig, y_dig)

# %% [markdown]
# ## The page's `fisher_lda` against scikit-learn, and why at most $C - 1$ directions
# On the wine data (13 features, 3 classes) the between-class scatter $S_B$ is a sum of three rank-one terms whose
# weighted deviations sum to zero, so its rank is 2: the third and later eigenvalues of $S_W^{-1}S_B$ are zero.

# %%
X_wine, y_wine = load_wine(return_X_y=True)
W, J = fisher_lda(X_wine, y_wine)
sk = LinearDiscriminantAnalysis(solver="eigen").fit(X_wine, y_wine)
cosines = np.abs(np.sum(W * sk.scalings_[:, :2], axis=0)
                 / np.linalg.norm(W, axis=0) / np.linalg.norm(sk.scalings_[:, :2], axis=0))
m = X_wine.mean(axis=0)
S_B = sum((y_wine == c).sum() * np.outer(X_wine[y_wine == c].mean(0) - m, X_wine[y_wine == c].mean(0) - m)
          for c in np.unique(y_wine))
print("Fisher criterion of the two directions:", np.round(J, 2), " |cos| with scikit-learn:", np.round(cosines, 10))
assert np.allclose(cosines, 1, atol=1e-8) and np.allclose(J / J.sum(), sk.explained_variance_ratio_)
assert np.linalg.matrix_rank(S_B) == 2

# %% [markdown]
# ## A supervised reducer fitted outside cross-validation leaks
# Pure noise: 100 points, 80 features, labels independent of everything. Fit LDA on all the data, then cross-validate
# a classifier on the 1-D projection, and the labels have already been used to choose the projection; fit it inside
# each fold and the score is what it should be, chance.

# %%
rng = np.random.default_rng(1)
X_noise, y_noise = rng.normal(size=(100, 80)), np.repeat([0, 1], 50)
leaky = cross_val_score(KNeighborsClassifier(5),
                        LinearDiscriminantAnalysis(n_components=1).fit_transform(X_noise, y_noise), y_noise, cv=cv)
honest = cross_val_score(make_pipeline(LinearDiscriminantAnalysis(n_components=1), KNeighborsClassifier(5)),
                         X_noise, y_noise, cv=cv)
print(f"noise labels, 5-NN accuracy: LDA fitted on all data {leaky.mean():.2f}, inside each fold {honest.mean():.2f}")
assert leaky.mean() > 0.85 and honest.mean() < 0.65
assert rounds_to(leaky.mean(), 0.97, 2) and rounds_to(honest.mean(), 0.47, 2)

# %% [markdown]
# ## A Johnson-Lindenstrauss random projection
# For $n = 200$ points and $\varepsilon = 0.5$ the bound asks for $k \ge 4\ln n/(\varepsilon^2/2 - \varepsilon^3/3)$
# dimensions, whatever the input dimension; we project 5,000-dimensional points with a Gaussian matrix and check every
# one of the 19,900 squared pairwise distances.

# %%
n, eps = 200, 0.5
k = jl_min_dim(n, eps)
X_big = rng.normal(size=(n, 5000))
ratio = pdist(random_projection(X_big, k, seed=2), "sqeuclidean") / pdist(X_big, "sqeuclidean")
print(f"k = {k}; squared-distance ratios from {ratio.min():.3f} to {ratio.max():.3f}")
assert k == 255 and ratio.size == 19900
assert np.all(np.abs(ratio - 1) < eps)

# %%
print(f"notebook ran in {time.perf_counter() - START:.1f} s")
