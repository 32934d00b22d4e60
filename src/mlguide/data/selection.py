"""Feature selection and importance: a plug-in mutual-information filter score and permutation importance.

Backs the page `docs/data/feature-selection.md` and its notebook. NumPy only, so a downloaded notebook can inline
this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


# --8<-- [start:mutual_information]
def mutual_information(x, y) -> float:
    """Plug-in mutual information I(X; Y) of two discrete variables, in nats.

    x, y: 1-d sequences of equal length n >= 1 holding labels
    (ints, strings, ...); each distinct value is one category.

    I = sum over cells of p(a, b) * log(p(a, b) / (p(a) p(b))),
    with p the observed frequencies. It is 0 exactly when the
    observed table is a product of its margins, and at most
    min(H(X), H(Y)). The plug-in estimate is biased upward, most
    for many-level x: an x with a distinct value per row scores
    H(Y), the maximum, while predicting nothing on new rows.
    Same value as sklearn.metrics.mutual_info_score(x, y).
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need two 1-d arrays of equal length >= 1, got {x.shape}, {y.shape}")
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    joint = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(joint, (xi, yi), 1.0)
    joint /= len(x)
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    a, b = np.nonzero(joint)             # empty cells add 0 (0 log 0 = 0)
    p = joint[a, b]
    return float(max(np.sum(p * np.log(p / (px[a] * py[b]))), 0.0))
# --8<-- [end:mutual_information]


# --8<-- [start:permutation_importance]
def permutation_importance(
    score: Callable[[np.ndarray, np.ndarray], float],
    X,
    y,
    n_repeats: int = 5,
    random_state: int | None = None,
    groups: Sequence[Sequence[int]] | None = None,
) -> np.ndarray:
    """Drop in a fitted model's score when columns are shuffled.

    score: callable (X, y) -> float, higher is better, for an
      already fitted model, e.g. model.score; pass held-out rows.
    X: (n, p) features; y: (n,) targets.
    n_repeats: shuffles per column (or group), >= 1.
    random_state: int seed, or None for fresh randomness.
    groups: lists of column indices shuffled together, with one
      row permutation; default: each column alone.

    Returns (len(groups), n_repeats): baseline score minus the
    score with that group's columns shuffled; average over axis
    1. The model is never refitted. Seeded like scikit-learn's
    sklearn.inspection.permutation_importance, so single columns
    give the same numbers for the same random_state.
    """
    X, y = np.array(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or len(X) < 2:
        raise ValueError(f"need X (n, p) and y (n,) with n >= 2, got {X.shape}, {y.shape}")
    if int(n_repeats) != n_repeats or n_repeats < 1:
        raise ValueError(f"n_repeats must be an integer >= 1, got {n_repeats!r}")
    groups = [[j] for j in range(X.shape[1])] if groups is None else [list(g) for g in groups]
    for g in groups:
        if not g or min(g) < 0 or max(g) >= X.shape[1]:
            raise ValueError(f"each group needs column indices in [0, {X.shape[1]}), got {g}")
    baseline = score(X, y)
    # scikit-learn's scheme: one seed drawn from random_state, then
    # the same stream of permutations restarted for every group.
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    drops = np.empty((len(groups), int(n_repeats)))
    for k, g in enumerate(groups):
        rng = np.random.RandomState(seed)
        X_perm, order = X.copy(), np.arange(len(X))
        for r in range(int(n_repeats)):
            rng.shuffle(order)           # shuffles compose; each is uniform
            X_perm[:, g] = X_perm[np.ix_(order, g)]
            drops[k, r] = baseline - score(X_perm, y)
    return drops
# --8<-- [end:permutation_importance]
