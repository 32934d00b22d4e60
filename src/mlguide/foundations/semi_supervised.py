"""Graph-based semi-supervised learning: spreading a few labels over a similarity graph of all the data.

Backs the page `docs/foundations/types-of-learning.md` and its notebook
`docs/foundations/notebooks/learning_with_few_labels.py`. NumPy and SciPy's sparse matrices: a k-nearest-neighbour
graph is sparse, and a sparse solve avoids the multithreaded dense LAPACK call that stalls on a busy machine.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve


def _check_affinity(W) -> sparse.csr_matrix:
    """W as a sparse CSR matrix of floats, after checking it is square, finite, non-negative and symmetric."""
    W = sparse.csr_matrix(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"the affinity matrix must be square, got shape {W.shape}")
    if not np.all(np.isfinite(W.data)) or np.any(W.data < 0):
        raise ValueError("affinities must be finite and non-negative")
    scale = 1.0 + (W.data.max() if W.nnz else 0.0)
    if abs(W - W.T).max() > 1e-12 * scale:
        raise ValueError("the affinity matrix must be symmetric (an undirected graph)")
    return W


# --8<-- [start:propagate_labels]
def propagate_labels(W, y):
    """Label propagation: the harmonic solution of Zhu, Ghahramani and Lafferty (2003).

    W: (n, n) symmetric, non-negative affinities between all n points,
        labelled and unlabelled (dense or scipy.sparse; the diagonal
        is ignored).
    y: (n,) integer class labels, with -1 marking an unlabelled point.

    Labelled points keep their one-hot label; every unlabelled point
    gets class scores equal to the W-weighted average of its
    neighbours' scores. That fixes F_U by one sparse linear system,
        (D - W)_UU F_U = W_UL Y_L,   D = diag(row sums of W),
    the minimiser of sum_ij W_ij ||F_i - F_j||^2 with F_L = Y_L.
    Returns (classes, F): the sorted labels, and an (n, c) array
    whose rows are non-negative and sum to 1.
    Raises ValueError if no point is labelled, or if some
    unlabelled point has no path in the graph to a labelled one.
    """
    W = _check_affinity(W)
    y = np.asarray(y)
    if y.shape != (W.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold {W.shape[0]} integer labels (-1 = unlabelled)")
    if np.any(y < -1):
        raise ValueError("labels must be >= 0, with -1 marking unlabelled points")
    lab = y >= 0
    if not lab.any():
        raise ValueError("at least one point must be labelled")
    _, component = connected_components(W, directed=False)
    if not np.isin(component, component[lab]).all():
        raise ValueError("an unlabelled point has no path to a labelled one")

    classes = np.unique(y[lab])
    Y_L = (y[lab][:, None] == classes[None, :]).astype(float)
    F = np.zeros((len(y), len(classes)))
    F[lab] = Y_L
    U = ~lab
    if U.any():
        degree = np.asarray(W.sum(axis=1)).ravel()
        laplacian = sparse.diags(degree) - W            # self-loops cancel
        A = laplacian[U][:, U].tocsc()
        b = W[U][:, lab] @ Y_L
        F[U] = spsolve(A, b).reshape(-1, len(classes))
    return classes, F
# --8<-- [end:propagate_labels]
