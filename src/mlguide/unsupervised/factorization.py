"""Matrix factorization by alternating least squares, and the top-k ranking metrics recommenders are judged by.

Backs the page `docs/unsupervised/recommender-systems.md` and its notebook
`docs/unsupervised/notebooks/recsys_mf_vs_popularity.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _check_weights(R, weights) -> tuple[np.ndarray, np.ndarray]:
    """R as a float matrix with 0 where the weight is 0, and the weights as a float matrix of the same shape.

    weights=None means every entry is observed with weight 1 (a full matrix). A boolean matrix is a mask
    (True = observed). Non-negative numbers are confidences (implicit feedback). R may hold NaN where the weight is 0.
    """
    R = np.array(R, dtype=float)
    if R.ndim != 2 or R.size == 0:
        raise ValueError(f"R must be a non-empty 2-D matrix, got shape {R.shape}")
    W = np.ones_like(R) if weights is None else np.array(weights, dtype=float)
    if W.shape != R.shape:
        raise ValueError(f"weights of shape {W.shape} do not match R of shape {R.shape}")
    if not np.all(np.isfinite(W)) or np.any(W < 0):
        raise ValueError("weights must be finite and >= 0 (0 = missing, 1 = observed, or a confidence)")
    if not np.all(np.isfinite(R[W > 0])):
        raise ValueError("R must be finite wherever the weight is positive (NaN is allowed only where it is 0)")
    R[W == 0] = 0.0
    return R, W


def _loss(R, W, P, Q, reg) -> float:
    E = P @ Q.T                   # residuals squared in place: one m x n temporary, not four
    E -= R
    E *= E
    E *= W
    return float(np.sum(E) + reg * (np.sum(P**2) + np.sum(Q**2)))


def weighted_objective(R, P, Q, reg: float, weights=None) -> float:
    """sum_ui w_ui (r_ui - p_u . q_i)^2 + reg (||P||_F^2 + ||Q||_F^2): the loss als_factorize minimises."""
    R, W = _check_weights(R, weights)
    return _loss(R, W, np.asarray(P, dtype=float), np.asarray(Q, dtype=float), reg)


# --8<-- [start:als_factorize]
def als_factorize(R, rank: int, reg: float, weights=None,
                  n_sweeps: int = 20, seed: int = 0):
    """Factor R (m users x n items) as P @ Q.T by alternating least squares.

    Minimises  sum_ui w_ui (r_ui - p_u . q_i)^2
               + reg * (||P||_F^2 + ||Q||_F^2)
    over P (m x rank) and Q (n x rank). weights: None (every entry
    observed), a boolean mask (True = observed; R may be NaN
    elsewhere), or confidences w_ui >= 0 (implicit feedback).
    With Q fixed, each p_u is a ridge regression with a closed form,
      p_u = (Q^T W_u Q + reg I)^{-1} Q^T W_u r_u,  W_u = diag(w_u),
    and the same holds for each q_i with P fixed. Each exact block
    step cannot raise the loss. Dense O(m n rank^2) per sweep.
    Returns P, Q and the loss at the seeded start and after each sweep.
    """
    R, W = _check_weights(R, weights)
    if not (isinstance(rank, (int, np.integer)) and 1 <= rank <= min(R.shape)):
        raise ValueError(f"rank must be an integer in [1, {min(R.shape)}], got {rank!r}")
    if not (np.isfinite(reg) and reg > 0):
        raise ValueError(f"reg must be a finite number > 0 (it keeps every step well posed), got {reg!r}")
    if not (isinstance(n_sweeps, (int, np.integer)) and n_sweeps >= 1):
        raise ValueError(f"n_sweeps must be a positive integer, got {n_sweeps!r}")
    rng = np.random.default_rng(seed)
    m, n = R.shape
    P = rng.normal(scale=1 / np.sqrt(rank), size=(m, rank))
    Q = rng.normal(scale=1 / np.sqrt(rank), size=(n, rank))
    ridge = reg * np.eye(rank)

    def solve_rows(R, W, F):
        # Row u: (F^T diag(w_u) F + reg I) x_u = F^T diag(w_u) r_u
        outer = (F[:, :, None] * F[:, None, :]).reshape(len(F), -1)
        A = (W @ outer).reshape(-1, rank, rank) + ridge
        b = (W * R) @ F
        return np.linalg.solve(A, b[:, :, None])[:, :, 0]

    history = [_loss(R, W, P, Q, reg)]
    for _ in range(n_sweeps):
        P = solve_rows(R, W, Q)        # users, items fixed
        Q = solve_rows(R.T, W.T, P)    # items, users fixed
        history.append(_loss(R, W, P, Q, reg))
    return P, Q, np.array(history)
# --8<-- [end:als_factorize]


def _top_k(S, k) -> np.ndarray:
    """Each row's k highest-scoring columns, highest first, ties to the lower index.

    The same as np.argsort(-S, axis=1, kind="stable")[:, :k], found by partitioning instead of sorting every row.
    """
    m, n = S.shape
    if k == n:
        return np.argsort(-S, axis=1, kind="stable")
    kth = -np.partition(-S, k - 1, axis=1)[:, k - 1:k]          # each row's k-th highest score
    above, tied = S > kth, S == kth
    need = k - above.sum(axis=1, keepdims=True)                  # how many of the tied scores make the cut
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= need))  # the lowest-index ones among the tied
    idx = np.nonzero(chosen)[1].reshape(m, k)                     # exactly k per row, in increasing column order
    order = np.argsort(-np.take_along_axis(S, idx, axis=1), axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1)


def _check_ranking(scores, relevance, k, exclude) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the ranking inputs and return (top-k item indices per user, relevance, users with a relevant item)."""
    S = np.array(scores, dtype=float)
    G = np.array(relevance, dtype=float)
    if S.ndim != 2 or S.size == 0 or S.shape != G.shape:
        raise ValueError(f"scores and relevance must be 2-D (users x items) of one shape, got {S.shape}, {G.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("scores must be finite (use exclude= to remove items from the ranking)")
    if not np.all(np.isfinite(G)) or np.any(G < 0):
        raise ValueError("relevance must be finite and >= 0")
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= S.shape[1]):
        raise ValueError(f"k must be an integer in [1, {S.shape[1]}], got {k!r}")
    if exclude is not None:
        X = np.asarray(exclude)
        if X.shape != S.shape or X.dtype != bool:
            raise ValueError("exclude must be a boolean matrix of the scores' shape (True = never recommend)")
        if np.any(G[X] > 0):
            raise ValueError("a relevant item is excluded (e.g. a held-out item that is also in training): it can never be hit")
        S[X] = -np.inf
    has_relevant = G.sum(axis=1) > 0
    if not has_relevant.any():
        raise ValueError("no user has a relevant item")
    # Highest score first; ties broken by the lower item index (as a stable sort of -score would).
    top = _top_k(S, k)
    return top, G, has_relevant


# --8<-- [start:recall_at_k]
def recall_at_k(scores, relevant, k: int, exclude=None) -> float:
    """Mean over users of |top-k items  and  relevant items| / |relevant items|.

    scores, relevant: (users x items); relevant is 0/1 (held-out
    interactions). exclude: boolean mask of items never to recommend,
    usually the user's training items. Ties go to the lower index.
    Users with no relevant item are skipped.
    """
    top, G, has = _check_ranking(scores, relevant, k, exclude)
    G = G > 0
    hits = np.take_along_axis(G, top, axis=1).sum(axis=1)
    return float(np.mean(hits[has] / G.sum(axis=1)[has]))
# --8<-- [end:recall_at_k]


# --8<-- [start:ndcg_at_k]
def ndcg_at_k(scores, relevance, k: int, exclude=None) -> float:
    """Mean over users of DCG@k / IDCG@k, with
    DCG@k = sum over ranks r = 1..k of g_(r) / log2(r + 1),
    g_(r) the relevance (gain) of the item ranked r, and IDCG@k
    the DCG@k of the best possible order. Linear gains, as in
    scikit-learn's ndcg_score; users with no relevant item skipped.
    """
    top, G, has = _check_ranking(scores, relevance, k, exclude)
    discount = 1 / np.log2(np.arange(2, k + 2))
    dcg = np.take_along_axis(G, top, axis=1) @ discount
    ideal = -np.sort(-G, axis=1)[:, :k] @ discount
    return float(np.mean(dcg[has] / ideal[has]))
# --8<-- [end:ndcg_at_k]
