# ---
# jupyter:
#   kernelspec: {display_name: Python 3, language: python, name: python3}
#   mlguide: {concept: foundations/types-of-learning.md}
# ---

# %% [markdown]
# # One data set, three ways to learn from it: all labels, no labels, six labels
# We take 600 points on two interleaved half-moons and learn the two classes with every label (supervised), with no
# label at all (clustering), and with six labels plus the 594 unlabelled points (semi-supervised label propagation).
# A last experiment builds data where the unlabelled points carry no hint about the class boundary, and the
# semi-supervised gain disappears.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import make_moons
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import kneighbors_graph
from sklearn.svm import SVC

from mlguide.foundations.semi_supervised import propagate_labels

START = time.perf_counter()

# %% [markdown]
# ## The data and the graph
# `make_moons` draws two half-circles with Gaussian noise of standard deviation 0.1; class 0 is the upper moon. The
# semi-supervised method needs a similarity graph over *all* points: each point is joined to its 7 nearest
# neighbours, and an edge is kept if either end chose it, so the graph is undirected (weight 1 per edge). The labels
# are used for nothing here except to count how many edges join the two moons.

# %%
N, K_GRAPH = 600, 7
X, y = make_moons(n_samples=N, noise=0.1, random_state=0)
W = kneighbors_graph(X, K_GRAPH, mode="connectivity")    # sparse: 7 entries per row
W = W.maximum(W.T)
rows, cols = W.nonzero()
edges = len(rows) // 2
cross_edges = int(np.sum(y[rows] != y[cols]) // 2)
print(f"{edges} edges, {cross_edges} of them between the two moons")


def few_labels(y, per_class, rng):
    """Indices of `per_class` randomly chosen points of each class: the only labels a method may see."""
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)])


def accuracy_on_unlabelled(pred, y, labelled):
    """Accuracy on the points whose labels were hidden."""
    hidden = np.ones(len(y), dtype=bool)
    hidden[labelled] = False
    return float(np.mean(pred[hidden] == y[hidden]))


# %% [markdown]
# ## Supervised, with all 600 labels
# An RBF-kernel support vector machine, scored by 5-fold cross-validation: the ceiling that labelling everything buys.

# %%
full_cv = cross_val_score(SVC(gamma=2.0), X, y, cv=5).mean()
print(f"SVM with all labels, 5-fold CV accuracy: {full_cv:.3f}")

# %% [markdown]
# ## Unsupervised: no labels at all
# Clustering sees only $X$. Its output is a partition with arbitrary names (cluster 0 need not be class 0), so we
# score it with the adjusted Rand index (ARI): 1 for the true partition, about 0 for a random one, whatever the
# names. k-means assumes compact, roughly spherical groups and cuts the moons with a straight line. Single-linkage
# agglomerative clustering merges nearest points first and follows each moon; but it is fragile: with more noise a
# single stray point becomes its own "cluster".

# %%
kmeans = KMeans(n_clusters=2, n_init=3, random_state=0).fit(X)
ari_kmeans = adjusted_rand_score(y, kmeans.labels_)
ari_single = adjusted_rand_score(y, AgglomerativeClustering(n_clusters=2, linkage="single").fit_predict(X))
X_noisy, y_noisy = make_moons(n_samples=N, noise=0.15, random_state=0)
single_noisy = AgglomerativeClustering(n_clusters=2, linkage="single").fit_predict(X_noisy)
ari_single_noisy = adjusted_rand_score(y_noisy, single_noisy)
print(f"ARI  k-means {ari_kmeans:.3f}   single linkage {ari_single:.3f}   single linkage, noise 0.15 "
      f"{ari_single_noisy:.3f} (cluster sizes {np.bincount(single_noisy)})")

# %% [markdown]
# ## Six labels: supervised only versus semi-supervised
# We draw 3 labelled points per class, 30 times. Each time the SVM sees only those six points; label propagation
# sees the same six labels *and* the graph over all 600 points, and each hidden point takes the class with the
# larger propagated score. Both are scored on the 594 hidden points. To name k-means' clusters we give each
# cluster the majority label of the six labelled points that fall in it ("cluster, then label"), itself a simple
# semi-supervised method.


# %%
def propagated_classes(W, y, labelled):
    y_partial = np.full(len(y), -1)
    y_partial[labelled] = y[labelled]
    classes, F = propagate_labels(W, y_partial)
    return classes[F.argmax(axis=1)]


def cluster_then_label(cluster_ids, y, labelled):
    pred = np.empty(len(y), dtype=int)
    for c in np.unique(cluster_ids):
        seen = y[labelled][cluster_ids[labelled] == c]
        pred[cluster_ids == c] = np.bincount(seen, minlength=2).argmax() if seen.size else 0
    return pred


rng = np.random.default_rng(0)
acc_svm, acc_prop, acc_kmeans = [], [], []
for _ in range(30):
    lab = few_labels(y, 3, rng)
    acc_svm.append(accuracy_on_unlabelled(SVC(gamma=2.0).fit(X[lab], y[lab]).predict(X), y, lab))
    acc_prop.append(accuracy_on_unlabelled(propagated_classes(W, y, lab), y, lab))
    acc_kmeans.append(accuracy_on_unlabelled(cluster_then_label(kmeans.labels_, y, lab), y, lab))
acc_svm, acc_prop, acc_kmeans = map(np.array, (acc_svm, acc_prop, acc_kmeans))
print(f"mean accuracy on hidden points: SVM on 6 labels {acc_svm.mean():.3f}, label propagation "
      f"{acc_prop.mean():.3f}, k-means then label {acc_kmeans.mean():.3f}")
print(f"propagation beats the SVM in {np.mean(acc_prop > acc_svm):.0%} of the 30 draws; "
      f"worst draws: SVM {acc_svm.min():.3f}, propagation {acc_prop.min():.3f}")

# %% [markdown]
# ## How many labels do the unlabelled points save?
# Repeat with 1 to 40 labels per class (10 draws each). With very few labels the graph does most of the work; as
# labels accumulate, the supervised model catches up and the gap closes.

# %%
PER_CLASS = [1, 2, 5, 10, 20, 40]
curve_svm, curve_prop = [], []
rng = np.random.default_rng(1)
for m in PER_CLASS:
    a, b = [], []
    for _ in range(10):
        lab = few_labels(y, m, rng)
        a.append(accuracy_on_unlabelled(SVC(gamma=2.0).fit(X[lab], y[lab]).predict(X), y, lab))
        b.append(accuracy_on_unlabelled(propagated_classes(W, y, lab), y, lab))
    curve_svm.append(np.mean(a))
    curve_prop.append(np.mean(b))
curve_svm, curve_prop = np.array(curve_svm), np.array(curve_prop)
for m, a, b in zip(PER_CLASS, curve_svm, curve_prop):
    print(f"{m:3d} labels per class: SVM {a:.3f}  propagation {b:.3f}  gap {b - a:+.3f}")

# %% [markdown]
# The figure shows a typical draw (the first of the 30 above). k-means never sees a label, so its cluster numbers
# are arbitrary; for display only, each cluster is coloured as the class most of its points belong to.

# %% tags=["figure:types-of-learning-moons"]
rng = np.random.default_rng(0)
lab = few_labels(y, 3, rng)
kmeans_shown = kmeans.labels_ if np.mean(kmeans.labels_ == y) >= 0.5 else 1 - kmeans.labels_
svm_pred = SVC(gamma=2.0).fit(X[lab], y[lab]).predict(X)
prop_pred = propagated_classes(W, y, lab)
panels = [
    (f"Supervised: SVM on the 6 labels\n(accuracy {accuracy_on_unlabelled(svm_pred, y, lab):.2f})", svm_pred, True),
    ("Unsupervised: k-means, 2 clusters\n(no labels used)", kmeans_shown, False),
    (f"Semi-supervised: 6 labels + graph\n(accuracy {accuracy_on_unlabelled(prop_pred, y, lab):.2f})", prop_pred,
     True),
]
fig, axes = plt.subplots(2, 2, figsize=(8, 7.5))
for ax, (title, pred, show_labels) in zip(axes.flat, panels):
    ax.scatter(X[:, 0], X[:, 1], c=pred, cmap="coolwarm", s=8, alpha=0.7, vmin=0, vmax=1)
    if show_labels:
        ax.scatter(X[lab, 0], X[lab, 1], c=y[lab], cmap="coolwarm", s=140, marker="*", edgecolors="black",
                   vmin=0, vmax=1, label="the 6 labelled points")
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].legend(loc="lower left", fontsize=8)
ax = axes[1, 1]
ax.plot(PER_CLASS, curve_svm, marker="o", label="SVM, labelled points only")
ax.plot(PER_CLASS, curve_prop, marker="s", label="label propagation, + unlabelled")
ax.axhline(full_cv, color="grey", ls="--", lw=0.8, label="SVM, all 600 labels (CV)")
ax.set_xscale("log")
ax.set_xticks(PER_CLASS, [str(m) for m in PER_CLASS])
ax.minorticks_off()
ax.set_xlabel("labelled points per class")
ax.set_ylabel("accuracy on the hidden points")
ax.set_title("Accuracy against the number of labels\n(mean of 10 draws)", fontsize=10)
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## When unlabelled data cannot help
# Semi-supervised methods lean on an assumption: the class boundary runs through a low-density gap, so points
# joined by a chain of close neighbours share a class. Here the inputs are one round Gaussian cloud and the class is
# the sign of the first coordinate, a boundary straight through the densest region. The unlabelled points then say
# nothing about where the boundary is, and a linear classifier on the six labels does as well as label propagation.

# %%
rng = np.random.default_rng(2)
X_blob = rng.normal(size=(N, 2))
y_blob = (X_blob[:, 0] > 0).astype(int)
W_blob = kneighbors_graph(X_blob, K_GRAPH, mode="connectivity")
W_blob = W_blob.maximum(W_blob.T)
acc_lr_blob, acc_prop_blob = [], []
for _ in range(20):
    lab = few_labels(y_blob, 3, rng)
    lr = LogisticRegression().fit(X_blob[lab], y_blob[lab])
    acc_lr_blob.append(accuracy_on_unlabelled(lr.predict(X_blob), y_blob, lab))
    acc_prop_blob.append(accuracy_on_unlabelled(propagated_classes(W_blob, y_blob, lab), y_blob, lab))
acc_lr_blob, acc_prop_blob = np.array(acc_lr_blob), np.array(acc_prop_blob)
print(f"Gaussian cloud, 6 labels: logistic regression {acc_lr_blob.mean():.3f}, "
      f"label propagation {acc_prop_blob.mean():.3f}")

# %% [markdown]
# ## Checks
# Every number the page quotes.

# %%
assert cross_edges <= 5, "the 7-NN graph barely links the two moons"
assert round(full_cv, 3) == 0.998, "with all labels the SVM is essentially perfect"
assert round(ari_kmeans, 2) == 0.25, "k-means cuts across the moons"
assert ari_single > 0.999, "single linkage recovers the moons at noise 0.1"
assert abs(ari_single_noisy) < 0.005 and np.bincount(single_noisy).min() == 1, "...and splits off one point at 0.15"
assert round(acc_svm.mean(), 2) == 0.83, "SVM on six labels"
assert round(acc_prop.mean(), 2) == 0.97, "label propagation with the same six labels"
assert round(acc_prop.mean() - acc_svm.mean(), 2) == 0.14
assert np.all(acc_prop > acc_svm), "propagation wins in every draw"
assert acc_prop.min() < 0.9, "but an unlucky draw can still go wrong"
assert round(acc_kmeans.mean(), 2) == 0.69, "naming k-means clusters with labels cannot fix a wrong partition"
gaps = curve_prop - curve_svm
assert round(gaps[0], 2) == 0.16 and gaps[-1] < 0.01, "the gain is large with 1 label per class and gone by 40"
assert np.argmax(gaps) == 1 and round(gaps[1], 2) == 0.19, "it peaks at 2 labels per class"
assert curve_svm[-1] > 0.99, "with 40 labels per class the SVM alone is near perfect"
wrong_upper = np.sum((y == 0) & (svm_pred != 0))
wrong_lower = np.sum((y == 1) & (svm_pred != 1))
assert wrong_upper > 50 and wrong_lower < 15, "in the figure the SVM's errors sit on the upper moon"
wrong_left = np.sum((y == 0) & (svm_pred != 0) & (X[:, 0] < -0.5))
wrong_tip = np.sum((y == 0) & (svm_pred != 0) & (X[:, 0] > 0.5))
assert wrong_left > 50 and wrong_tip > 10, "...at its left end and its right tip"
assert accuracy_on_unlabelled(prop_pred, y, lab) > 0.99, "and propagation gets that draw right"
assert (round(acc_prop_blob.mean(), 3), round(acc_lr_blob.mean(), 3)) == (0.885, 0.887), "no gain (slightly worse) on the cloud"
elapsed = time.perf_counter() - START
print(f"all checks passed in {elapsed:.1f} s")
