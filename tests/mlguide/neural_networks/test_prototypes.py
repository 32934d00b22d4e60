"""Tests for src/mlguide/neural_networks/prototypes.py: the same computation written in PyTorch (torch.cdist,
log_softmax, autograd) on random embeddings, the page's worked example, permutation invariance of the support set,
and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.spatial.distance import cdist

from mlguide.neural_networks.prototypes import (
    class_prototypes,
    prototype_log_proba,
    prototypical_classify,
    prototypical_loss,
    squared_distances,
)


def random_episode(seed: int, n_way: int = 5, k_shot: int = 3, n_query: int = 4, d: int = 16):
    """An N-way K-shot episode of random embeddings, classes 0..N-1, rows in random order."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(n_way, d))
    s_labels = rng.permutation(np.repeat(np.arange(n_way), k_shot))
    q_labels = rng.permutation(np.repeat(np.arange(n_way), n_query))
    support = centres[s_labels] + rng.normal(size=(len(s_labels), d))
    queries = centres[q_labels] + rng.normal(size=(len(q_labels), d))
    return support, s_labels, queries, q_labels


def torch_reference(support, s_labels, queries, q_labels, n_way):
    """The prototypical-network loss in PyTorch: prototypes as class means, log_softmax of -cdist^2."""
    s = torch.tensor(support, dtype=torch.float64, requires_grad=True)
    q = torch.tensor(queries, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor(s_labels)
    protos = torch.stack([s[labels == k].mean(dim=0) for k in range(n_way)])
    log_p = F.log_softmax(-torch.cdist(q, protos) ** 2, dim=1)
    loss = F.nll_loss(log_p, torch.tensor(q_labels))
    loss.backward()
    return protos.detach().numpy(), log_p.detach().numpy(), loss.item(), s.grad.numpy(), q.grad.numpy()


# ---------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("seed, n_way, k_shot, n_query, d", [
    (0, 5, 1, 3, 8), (1, 5, 5, 15, 64), (2, 3, 2, 1, 2), (3, 20, 4, 2, 32), (4, 2, 7, 9, 128)])
def test_matches_pytorch_outputs_and_gradients(seed, n_way, k_shot, n_query, d):
    support, s_labels, queries, q_labels = random_episode(seed, n_way, k_shot, n_query, d)
    protos_t, log_p_t, loss_t, grad_s_t, grad_q_t = torch_reference(support, s_labels, queries, q_labels, n_way)

    classes, protos = class_prototypes(support, s_labels)
    assert np.array_equal(classes, np.arange(n_way))
    np.testing.assert_allclose(protos, protos_t, rtol=0, atol=1e-12)
    np.testing.assert_allclose(prototype_log_proba(queries, protos), log_p_t, rtol=1e-9, atol=1e-9)
    _, proba = prototypical_classify(support, s_labels, queries)
    np.testing.assert_allclose(proba, np.exp(log_p_t), rtol=1e-9, atol=1e-12)

    loss, grad_s, grad_q = prototypical_loss(support, s_labels, queries, q_labels)
    assert abs(loss - loss_t) < 1e-9 * max(1.0, abs(loss_t))
    np.testing.assert_allclose(grad_s, grad_s_t, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(grad_q, grad_q_t, rtol=1e-7, atol=1e-10)


def test_squared_distances_match_scipy_and_survive_cancellation():
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(7, 5)), rng.normal(size=(4, 5))
    np.testing.assert_allclose(squared_distances(A, B), cdist(A, B, "sqeuclidean"), rtol=1e-12, atol=1e-12)
    # points 1 apart, 1e8 from the origin: the ||a||^2 - 2ab + ||b||^2 expansion returns 0 here
    far = np.array([[1e8 + 1.0]]), np.array([[1e8]])
    assert squared_distances(*far)[0, 0] == 1.0


# ---------------------------------------------------------------- the page's worked example
def test_worked_example():
    support = np.array([[0, 2], [2, 2], [2, 1], [2, -1], [-1, 0], [-1, 2]], dtype=float)
    labels = np.array(["A", "A", "B", "B", "C", "C"])
    query = np.array([[1.0, 1.0]])
    classes, protos = class_prototypes(support, labels)
    assert classes.tolist() == ["A", "B", "C"]
    np.testing.assert_array_equal(protos, [[1, 2], [2, 0], [-1, 1]])
    np.testing.assert_array_equal(squared_distances(query, protos), [[1, 2, 4]])
    _, proba = prototypical_classify(support, labels, query)
    e = np.exp([-1.0, -2.0, -4.0])
    np.testing.assert_allclose(proba[0], e / e.sum(), rtol=1e-14)
    np.testing.assert_allclose(proba[0], [0.7054, 0.2595, 0.0351], atol=5e-5)
    loss, _, _ = prototypical_loss(support, labels, query, ["A"])
    assert abs(loss - (1 + np.log(e.sum()))) < 1e-14 and abs(loss - 0.349) < 5e-4
    # one-nearest-neighbour on the raw support points picks B, (2, 1) at squared distance 1
    assert labels[squared_distances(query, support)[0].argmin()] == "B"
    # the linear-layer view: logits 2 q.c_k - ||c_k||^2 differ from -d^2 by ||q||^2, the same for every class
    logits = 2 * query @ protos.T - (protos ** 2).sum(axis=1)
    np.testing.assert_array_equal(logits, [[1, 0, -2]])


# ---------------------------------------------------------------- invariances and special cases
def test_support_order_does_not_matter():
    support, s_labels, queries, q_labels = random_episode(7, n_way=4, k_shot=5)
    perm = np.random.default_rng(0).permutation(len(support))
    c1, p1 = prototypical_classify(support, s_labels, queries)
    c2, p2 = prototypical_classify(support[perm], s_labels[perm], queries)
    assert np.array_equal(c1, c2)
    np.testing.assert_allclose(p1, p2, rtol=1e-12, atol=1e-15)
    l1, gs1, gq1 = prototypical_loss(support, s_labels, queries, q_labels)
    l2, gs2, gq2 = prototypical_loss(support[perm], s_labels[perm], queries, q_labels)
    assert abs(l1 - l2) < 1e-12
    np.testing.assert_allclose(gs2, gs1[perm], atol=1e-14)
    np.testing.assert_allclose(gq2, gq1, atol=1e-14)


def test_label_names_only_fix_the_column_order():
    support, s_labels, queries, _ = random_episode(8, n_way=3, k_shot=2)
    names = np.array(["zebra", "ant", "moth"])[s_labels]
    classes, p_named = prototypical_classify(support, names, queries)
    assert classes.tolist() == ["ant", "moth", "zebra"]
    _, p_int = prototypical_classify(support, s_labels, queries)
    np.testing.assert_allclose(p_named, p_int[:, [1, 2, 0]], rtol=1e-12)


def test_one_shot_prototypes_are_the_support_points_and_give_1nn():
    support, s_labels, queries, _ = random_episode(9, n_way=6, k_shot=1, n_query=5)
    classes, protos = class_prototypes(support, s_labels)
    np.testing.assert_array_equal(protos, support[np.argsort(s_labels)])
    _, proba = prototypical_classify(support, s_labels, queries)
    nearest = s_labels[squared_distances(queries, support).argmin(axis=1)]
    assert np.array_equal(classes[proba.argmax(axis=1)], nearest)


def test_probabilities_are_stable_far_from_every_prototype():
    support = np.array([[0.0, 0.0], [10.0, 0.0]])
    query = np.array([[1e4, 0.0], [-1e4, 0.0]])
    _, proba = prototypical_classify(support, [0, 1], query)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), [1, 0])


def test_shifting_all_embeddings_changes_nothing():
    support, s_labels, queries, _ = random_episode(10)
    shift = np.random.default_rng(1).normal(size=support.shape[1]) * 100
    _, p1 = prototypical_classify(support, s_labels, queries)
    _, p2 = prototypical_classify(support + shift, s_labels, queries + shift)
    np.testing.assert_allclose(p1, p2, rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------- bad input
def test_query_class_without_support_example():
    support, s_labels, queries, q_labels = random_episode(11, n_way=3)
    keep = s_labels != 2
    with pytest.raises(ValueError, match=r"\[2\] have no support example"):
        prototypical_loss(support[keep], s_labels[keep], queries, q_labels)


def test_mismatched_dimensions():
    support, s_labels, queries, q_labels = random_episode(12, d=8)
    with pytest.raises(ValueError, match="same embedding"):
        prototypical_classify(support, s_labels, queries[:, :7])
    with pytest.raises(ValueError, match="same embedding"):
        prototypical_loss(support, s_labels, queries[:, :7], q_labels)
    with pytest.raises(ValueError, match="one label per row"):
        class_prototypes(support, s_labels[:-1])
    with pytest.raises(ValueError, match="one label per row"):
        prototypical_loss(support, s_labels, queries, q_labels[:-1])


@pytest.mark.parametrize("bad", [np.zeros(4), np.zeros((0, 3)), np.zeros((2, 0)), [[1.0, np.nan]], [[np.inf, 1.0]]])
def test_bad_arrays(bad):
    with pytest.raises(ValueError):
        class_prototypes(bad, np.zeros(len(np.atleast_1d(bad))))
    with pytest.raises(ValueError):
        prototypical_classify(np.zeros((2, 2)), [0, 1], bad)
