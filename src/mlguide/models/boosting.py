"""Boosting from scratch: gradient boosting for squared loss, one round of discrete AdaBoost, and the second-order
leaf weight and split gain that XGBoost and LightGBM use.

Backs the page `docs/models/boosting.md` and its notebook. The base learners are scikit-learn's trees, so this module
needs NumPy and scikit-learn (a downloaded notebook has both).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) < 2:
        raise ValueError(f"need X of shape (n, p) and y of shape (n,) with n >= 2, got {X.shape} and {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y


# --8<-- [start:gradient_boost_squared]
class BoostedTrees(NamedTuple):
    """F_M(x) = init + learning_rate * (h_1(x) + ... + h_M(x))."""

    init: float            # F_0, the mean of y
    trees: list            # the fitted regression trees h_1..h_M
    learning_rate: float   # the shrinkage nu

    def predict(self, X, n_trees: int | None = None) -> np.ndarray:
        """F_m(X) using the first n_trees trees (all if None)."""
        X = np.asarray(X, dtype=float)
        F = np.full(len(X), self.init)
        for tree in self.trees[:n_trees]:
            F += self.learning_rate * tree.predict(X)
        return F


def gradient_boost_squared(X, y, n_trees: int = 100, learning_rate: float = 0.1,
                           max_depth: int = 3, subsample: float = 1.0,
                           random_state: int | None = None) -> BoostedTrees:
    """Gradient boosting for the loss L(y, F) = (y - F)^2 / 2.

    Start from F_0 = mean(y). At step m the negative gradient
    -dL/dF = y - F_{m-1}(x) is the residual itself, so each tree
    h_m is a least-squares regression tree fitted to the current
    residuals, and F_m = F_{m-1} + learning_rate * h_m. With
    subsample < 1 each tree sees a random fraction of the rows,
    drawn without replacement (stochastic gradient boosting).
    For squared loss the leaf means are already the best step,
    so no line search is needed. Matches scikit-learn's
    GradientBoostingRegressor(loss="squared_error") for
    subsample = 1 and the same random_state, which seeds the
    trees' tie-breaking between equally good splits and the row
    draws.
    """
    X, y = _check_xy(X, y)
    if not (isinstance(n_trees, (int, np.integer)) and n_trees >= 1):
        raise ValueError(f"n_trees must be a positive integer, got {n_trees!r}")
    if not 0 < learning_rate <= 1:
        raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")
    if not 0 < subsample <= 1:
        raise ValueError(f"subsample must be in (0, 1], got {subsample!r}")
    rng = np.random.RandomState(random_state)   # shared, as in sklearn
    n = len(y)
    n_rows = max(1, int(subsample * n))
    F = np.full(n, y.mean())
    trees = []
    for _ in range(n_trees):
        residuals = y - F                    # pseudo-residuals of squared loss
        rows = np.arange(n) if n_rows == n else rng.choice(n, n_rows, replace=False)
        tree = DecisionTreeRegressor(max_depth=max_depth, random_state=rng)
        tree.fit(X[rows], residuals[rows])
        F += learning_rate * tree.predict(X)
        trees.append(tree)
    return BoostedTrees(float(y.mean()), trees, float(learning_rate))
# --8<-- [end:gradient_boost_squared]


# --8<-- [start:adaboost_round]
def adaboost_round(y, h, w) -> tuple[float, float, np.ndarray]:
    """One round of discrete AdaBoost.

    y: true labels in {-1, +1}; h: the weak learner's predictions
    in {-1, +1}; w: the current sample weights (>= 0, sum > 0).
    Returns (err, alpha, w_new):
      err   = sum of w over misclassified points / sum of w,
      alpha = log((1 - err) / err) / 2, the learner's vote,
      w_new = w * exp(-alpha * y * h), rescaled to sum to 1,
    which multiplies each misclassified weight by
    sqrt((1 - err) / err) and each correct one by its inverse.
    After the update the misclassified points hold exactly half
    the weight. Needs 0 < err < 1/2.
    """
    y, h, w = (np.asarray(a, dtype=float) for a in (y, h, w))
    if not (y.shape == h.shape == w.shape and y.ndim == 1):
        raise ValueError(f"y, h and w must be 1-D of one length, got {y.shape}, {h.shape}, {w.shape}")
    if not (np.isin(y, (-1, 1)).all() and np.isin(h, (-1, 1)).all()):
        raise ValueError("labels and predictions must be -1 or +1")
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
        raise ValueError("weights must be finite, non-negative and not all zero")
    err = float(w[h != y].sum() / w.sum())
    if err == 0:
        raise ValueError("err = 0: a perfect learner gets an infinite vote; stop boosting")
    if err >= 0.5:
        raise ValueError(f"err = {err:.3f} >= 1/2: the learner is no better than chance")
    alpha = 0.5 * np.log((1 - err) / err)
    w_new = w * np.exp(-alpha * y * h)
    return err, float(alpha), w_new / w_new.sum()
# --8<-- [end:adaboost_round]


def adaboost_stumps(X, y, n_rounds: int = 10) -> tuple[list, np.ndarray, np.ndarray]:
    """Discrete AdaBoost with depth-1 trees, built from `adaboost_round`.

    y: labels in {-1, +1}. Each stump is scikit-learn's DecisionTreeClassifier(max_depth=1) fitted with the current
    weights, as in scikit-learn's AdaBoostClassifier (which picks the split by weighted Gini impurity, not by weighted
    error). Returns (stumps, alphas, errors); the ensemble's score is sum_m alpha_m * h_m(x). Stops early if a stump
    is perfect or no better than chance.
    """
    X, y = _check_xy(X, y)
    if not np.isin(y, (-1, 1)).all():
        raise ValueError("labels must be -1 or +1")
    w = np.full(len(y), 1 / len(y))
    stumps, alphas, errors = [], [], []
    for _ in range(n_rounds):
        stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y, sample_weight=w)
        h = stump.predict(X)
        try:
            err, alpha, w = adaboost_round(y, h, w)
        except ValueError:
            break
        stumps.append(stump)
        alphas.append(alpha)
        errors.append(err)
    return stumps, np.array(alphas), np.array(errors)


# --8<-- [start:second_order_split]
def second_order_split(g, h, go_left, lam: float = 1.0,
                       gamma: float = 0.0) -> tuple[float, float, float]:
    """XGBoost's leaf weights and split gain for one candidate split.

    g, h: first and second derivatives of the loss with respect to
    the current prediction, one per row of the node; go_left: a
    boolean mask of the rows the split sends left; lam: the L2
    penalty on leaf weights; gamma: the cost of an extra leaf.
    With G and H the sums of g and h over a leaf, its best weight
    is w = -G / (H + lam), and the split's gain is
      [G_L^2/(H_L+lam) + G_R^2/(H_R+lam) - G^2/(H+lam)] / 2 - gamma.
    Returns (w_left, w_right, gain). Squared loss (y - F)^2 / 2 has
    g = F - y and h = 1: with lam = 0 the weights are the mean
    residuals and the gain is half the drop in squared error.
    """
    g, h = np.asarray(g, dtype=float), np.asarray(h, dtype=float)
    left = np.asarray(go_left, dtype=bool)
    if not (g.shape == h.shape == left.shape and g.ndim == 1):
        raise ValueError("g, h and go_left must be 1-D of one length")
    if lam < 0 or gamma < 0 or np.any(h < 0):
        raise ValueError("lam, gamma and the hessians must be >= 0")
    if left.all() or not left.any():
        raise ValueError("a split must send at least one row each way")

    def score(G, H):
        if H + lam <= 0:
            raise ValueError("a leaf needs H + lam > 0")
        return G * G / (H + lam)

    GL, HL = g[left].sum(), h[left].sum()
    GR, HR = g[~left].sum(), h[~left].sum()
    gain = 0.5 * (score(GL, HL) + score(GR, HR) - score(GL + GR, HL + HR)) - gamma
    return float(-GL / (HL + lam)), float(-GR / (HR + lam)), float(gain)
# --8<-- [end:second_order_split]
