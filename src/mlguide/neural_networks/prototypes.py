"""Prototypical-network classification on given embeddings (Snell, Swersky and Zemel, 2017).

Backs the page `docs/neural-networks/few-shot-learning.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

An episode has a *support set*, a few labelled embeddings per class, and *queries* to classify. Each class's
prototype is the mean of its support embeddings; a query's class probabilities are a softmax over its negative squared
Euclidean distances to the prototypes. The embedding network that produces the vectors is trained elsewhere (the
notebook uses PyTorch); `prototypical_loss` returns the episode loss with its gradient with respect to every support
and query embedding, the signal that would flow back into that network.

Rows are examples: `support` is (n, d), `queries` is (m, d). Labels may be any sortable type (ints, strings); the
classes are their sorted distinct values, and column k of every probability array belongs to `classes[k]`.
"""

from __future__ import annotations

import numpy as np


def _check_matrix(X, name: str, d: int | None = None) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array (rows = examples) with at least one row and column, "
                         f"got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise ValueError(f"{name} has {X.shape[1]} columns but the support embeddings have {d}: "
                         "queries and support must come from the same embedding")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def _check_labels(labels, n: int, name: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one label per row, got {labels.shape}")
    return labels


# --8<-- [start:class_prototypes]
def class_prototypes(support, support_labels):
    """Mean support embedding of each class.

    support: (n, d) embeddings; support_labels: (n,) labels.
    Returns (classes, prototypes): the sorted distinct labels, shape (N,),
    and an (N, d) array whose row k is the mean of the rows of `support`
    labelled classes[k]. Row order within the support set does not matter.
    """
    support = _check_matrix(support, "support")
    labels = _check_labels(support_labels, len(support), "support_labels")
    classes, index = np.unique(labels, return_inverse=True)
    counts = np.bincount(index, minlength=len(classes))
    sums = np.zeros((len(classes), support.shape[1]))
    np.add.at(sums, index, support)
    return classes, sums / counts[:, None]
# --8<-- [end:class_prototypes]


def squared_distances(queries, prototypes):
    """(m, N) array of squared Euclidean distances ||q_i - c_k||^2 between query rows and prototype rows.

    Computed from the differences, not from ||q||^2 - 2 q.c + ||c||^2, so close points far from the origin do not
    lose their distance to cancellation (see the k-nearest-neighbours page).
    """
    prototypes = _check_matrix(prototypes, "prototypes")
    queries = _check_matrix(queries, "queries", d=prototypes.shape[1])
    diff = queries[:, None, :] - prototypes[None, :, :]
    return np.einsum("mkd,mkd->mk", diff, diff)


# --8<-- [start:prototype_log_proba]
def prototype_log_proba(queries, prototypes):
    """Log class probabilities of each query: a log-softmax over the
    negative squared Euclidean distances to the prototypes.

    queries: (m, d); prototypes: (N, d). Returns an (m, N) array with
    log p(y = k | q_i) = -||q_i - c_k||^2 - log sum_j exp(-||q_i - c_j||^2).
    """
    logits = -squared_distances(queries, prototypes)
    logits = logits - logits.max(axis=1, keepdims=True)   # no overflow
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
# --8<-- [end:prototype_log_proba]


# --8<-- [start:prototypical_classify]
def prototypical_classify(support, support_labels, queries):
    """Classify queries by a prototypical network on given embeddings.

    Returns (classes, proba): the sorted support classes (N,) and an
    (m, N) array of probabilities, proba[i, k] = p(classes[k] | queries[i]).
    The prediction is classes[proba.argmax(axis=1)], the nearest prototype.
    """
    classes, protos = class_prototypes(support, support_labels)
    return classes, np.exp(prototype_log_proba(queries, protos))
# --8<-- [end:prototypical_classify]


def prototypical_loss(support, support_labels, queries, query_labels):
    """Episode loss of a prototypical network and its gradients with respect to the embeddings.

    The loss is the mean over the m queries of -log p(y_i | q_i). With p the (m, N) probabilities, Y the one-hot
    query labels and G = (p - Y) / m, the gradients are

        dL/dq_i = 2 sum_k G[i, k] c_k             (the rows of G sum to 0, so the q_i term cancels)
        dL/dc_k = 2 sum_i G[i, k] (q_i - c_k)
        dL/ds_j = dL/dc_k / n_k                   for a support row s_j of class k, which has n_k rows.

    Returns (loss, grad_support, grad_queries), the gradients shaped like `support` and `queries`. Raises ValueError
    when a query label has no support example: its prototype, and so its probability, is undefined.
    """
    classes, protos = class_prototypes(support, support_labels)
    support = np.asarray(support, dtype=float)
    log_p = prototype_log_proba(queries, protos)
    queries = np.asarray(queries, dtype=float)
    query_labels = _check_labels(query_labels, len(queries), "query_labels")
    missing = np.setdiff1d(query_labels, classes)
    if missing.size:
        raise ValueError(f"query labels {missing.tolist()} have no support example; support classes are "
                         f"{classes.tolist()}")
    m = len(queries)
    target = np.searchsorted(classes, query_labels)
    loss = -log_p[np.arange(m), target].mean()

    G = np.exp(log_p)
    G[np.arange(m), target] -= 1.0
    G /= m
    grad_queries = 2.0 * G @ protos
    grad_protos = 2.0 * (G.T @ queries - G.sum(axis=0)[:, None] * protos)
    support_index = np.searchsorted(classes, np.asarray(support_labels))
    counts = np.bincount(support_index, minlength=len(classes))
    grad_support = grad_protos[support_index] / counts[support_index, None]
    return float(loss), grad_support, grad_queries
