"""Principal component analysis by the singular value decomposition of the centred data matrix.

Backs the page `docs/unsupervised/principal-component-analysis.md` and its notebook
`docs/unsupervised/notebooks/pca_scaling_and_variance.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class PCAFit(NamedTuple):
    """What `pca_fit` learns from the training rows."""

    mean: np.ndarray                      # (p,) column means, subtracted before projecting
    components: np.ndarray                # (k, p) orthonormal rows: the principal directions
    explained_variance: np.ndarray        # (k,) variance of the scores on each component
    explained_variance_ratio: np.ndarray  # (k,) that variance as a share of the total


def _as_matrix(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows x features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


# --8<-- [start:pca_fit]
def pca_fit(X, n_components: int | None = None) -> PCAFit:
    """PCA of X (n rows, p features) through the SVD Xc = U S V^T.

    Xc is X with its column means subtracted. The rows of V^T are
    the components, ordered by variance; the scores are Xc V = U S;
    the explained variances are the eigenvalues of the sample
    covariance Xc^T Xc / (n - 1), which are s_j^2 / (n - 1).
    The ratio divides by the total variance, not only the k kept.
    Each component is defined up to sign; as in scikit-learn's PCA
    since version 1.5, its largest-magnitude entry is made positive.
    n_components: k, an integer in 1..min(n - 1, p), the most that
    centred data can have; None keeps all. If the rank of Xc is
    lower still, components past it have variance 0 and an
    arbitrary direction.
    """
    X = _as_matrix(X)
    n, p = X.shape
    if n < 2:
        raise ValueError("need at least 2 rows to estimate a variance")
    r_max = min(n - 1, p)                         # centring removes one dimension
    k = r_max if n_components is None else n_components
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= r_max:
        raise ValueError(f"n_components must be an integer in 1..{r_max}, got {n_components!r}")

    mean = X.mean(axis=0)
    Xc = X - mean                                 # centring is part of PCA
    total = np.sum(Xc ** 2) / (n - 1)             # trace of the covariance matrix
    if total == 0:
        raise ValueError("every row is the same: there is no variance to explain")
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    Vt = Vt[:k]
    biggest = np.argmax(np.abs(Vt), axis=1)
    Vt = Vt * np.sign(Vt[np.arange(k), biggest])[:, None]
    variance = s[:k] ** 2 / (n - 1)
    return PCAFit(mean, Vt, variance, variance / total)
# --8<-- [end:pca_fit]


def _check_components(mean, components) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype=float)
    components = _as_matrix(components, "components")
    if mean.ndim != 1 or components.shape[1] != mean.size:
        raise ValueError(f"mean of shape {mean.shape} does not match components of shape {components.shape}")
    return mean, components


# --8<-- [start:pca_transform]
def pca_transform(X, mean, components, explained_variance=None):
    """Scores of the rows of X: (X - mean) @ components.T, (n, k).

    With explained_variance given, each score column is divided by
    its standard deviation sqrt(lambda_j): whitening, so the
    training scores have identity covariance.
    """
    mean, components = _check_components(mean, components)
    X = _as_matrix(X)
    if X.shape[1] != mean.size:
        raise ValueError(f"X has {X.shape[1]} features, the fit had {mean.size}")
    Z = (X - mean) @ components.T
    if explained_variance is not None:
        sd = np.sqrt(np.asarray(explained_variance, dtype=float))
        if sd.shape != (components.shape[0],) or not np.all(sd > 0):
            raise ValueError("explained_variance needs one positive value per component")
        Z = Z / sd
    return Z


def pca_inverse_transform(Z, mean, components):
    """Map scores Z (n, k) back to feature space: mean + Z @ components.

    Applied to pca_transform's output, it gives the point of the
    k-dimensional subspace closest to each row: exactly the row when
    k = p, and for the training rows when k = rank of Xc.
    Takes unwhitened scores.
    """
    mean, components = _check_components(mean, components)
    Z = _as_matrix(Z, "Z")
    if Z.shape[1] != components.shape[0]:
        raise ValueError(f"Z has {Z.shape[1]} columns, there are {components.shape[0]} components")
    return mean + Z @ components
# --8<-- [end:pca_transform]
