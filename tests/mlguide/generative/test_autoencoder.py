"""Tests for src/mlguide/generative/autoencoder.py: principal angles against scipy.linalg.subspace_angles (including
tiny angles, where arccos alone loses accuracy), the linear autoencoder's gradients against PyTorch autograd, and
gradient descent recovering scikit-learn's PCA subspace and reconstruction error without recovering its axes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch
from sklearn.decomposition import PCA

from mlguide.generative.autoencoder import linear_autoencoder_grads, principal_angles, train_linear_autoencoder

# ---------------------------------------------------------------- principal angles


@pytest.mark.parametrize("p, a, b", [(10, 3, 4), (10, 4, 3), (6, 2, 2), (50, 5, 1), (7, 7, 3)])
def test_principal_angles_match_scipy(p, a, b):
    rng = np.random.default_rng(p + 10 * a + 100 * b)
    A, B = rng.normal(size=(p, a)), rng.normal(size=(p, b))
    ours = principal_angles(A, B)
    assert ours.shape == (min(a, b),)
    assert np.all(np.diff(ours) >= 0)                               # ascending
    assert np.allclose(ours, scipy.linalg.subspace_angles(A, B)[::-1], atol=1e-12)
    assert np.allclose(ours, principal_angles(B, A), atol=1e-12)      # symmetric


def test_principal_angles_ignore_the_basis():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(12, 3)), rng.normal(size=(12, 3))
    C = rng.normal(size=(3, 3))                                      # any invertible change of basis
    assert np.allclose(principal_angles(A @ C, B), principal_angles(A, B), atol=1e-10)
    assert np.allclose(principal_angles(A, A @ C), 0.0, atol=1e-7)


def test_known_angles_and_tiny_ones():
    e = np.eye(4)
    assert np.allclose(principal_angles(e[:, :2], e[:, 2:]), [np.pi / 2, np.pi / 2])
    theta = 1e-9                                                     # arccos(cos 1e-9) would round to 0 or 2e-8
    A = e[:, [0, 1]]
    B = np.column_stack([e[:, 0], np.cos(theta) * e[:, 1] + np.sin(theta) * e[:, 2]])
    assert np.allclose(principal_angles(A, B), [0.0, theta], rtol=1e-6, atol=1e-15)
    assert np.allclose(principal_angles(A, B), scipy.linalg.subspace_angles(A, B)[::-1], rtol=1e-6, atol=1e-15)
    B = np.column_stack([e[:, 0], np.cos(0.3) * e[:, 1] + np.sin(0.3) * e[:, 3]])
    assert np.allclose(principal_angles(A, B), [0.0, 0.3], atol=1e-12)


@pytest.mark.parametrize("A, B, message", [
    (np.ones((3, 2)), np.eye(3)[:, :1], "linearly dependent"),
    (np.eye(3)[:, :2], np.eye(4)[:, :2], "same number of rows"),
    (np.eye(3), np.array([1.0, 2.0, 3.0]), "2-D"),
    (np.full((3, 1), np.nan), np.eye(3)[:, :1], "NaN"),
    (np.zeros((3, 0)), np.eye(3)[:, :1], "empty"),
    ([["a"]], np.eye(1), "numbers"),
])
def test_principal_angles_bad_input(A, B, message):
    with pytest.raises(ValueError, match=message):
        principal_angles(A, B)


# ---------------------------------------------------------------- gradients against autograd


def test_gradients_match_autograd():
    rng = np.random.default_rng(2)
    X, W_enc, W_dec = rng.normal(size=(30, 7)), rng.normal(size=(3, 7)), rng.normal(size=(7, 3))
    loss, g_enc, g_dec = linear_autoencoder_grads(X, W_enc, W_dec)
    tX = torch.tensor(X)
    tE = torch.tensor(W_enc, requires_grad=True)
    tD = torch.tensor(W_dec, requires_grad=True)
    # the same model as two bias-free torch layers, squared error summed over features, averaged over rows
    t_loss = torch.nn.functional.mse_loss(tX @ tE.T @ tD.T, tX, reduction="sum") / len(X)
    t_loss.backward()
    assert np.isclose(loss, t_loss.item(), rtol=1e-12)
    assert np.allclose(g_enc, tE.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert np.allclose(g_dec, tD.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradients_vanish_at_the_pca_solution_with_any_basis():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 6)) * [4, 3, 2, 1, 0.5, 0.2]
    X -= X.mean(axis=0)
    V = PCA(2).fit(X).components_.T                                  # p x k, orthonormal
    C = np.array([[2.0, 1.0], [0.5, -1.0]])                          # invertible
    loss, g_enc, g_dec = linear_autoencoder_grads(X, np.linalg.inv(C) @ V.T, V @ C)
    assert np.allclose(g_enc, 0, atol=1e-10) and np.allclose(g_dec, 0, atol=1e-10)
    assert np.isclose(loss, np.sum((X - X @ V @ V.T) ** 2) / len(X))


def test_gradient_shapes_are_checked():
    with pytest.raises(ValueError, match="W_enc must be"):
        linear_autoencoder_grads(np.ones((4, 3)), np.ones((2, 3)), np.ones((3, 1)))


# ---------------------------------------------------------------- training recovers the subspace, not the axes


@pytest.fixture(scope="module")
def data_with_an_eigengap():
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(10, 10)))[0]
    X = rng.normal(size=(500, 10)) * [5, 4, 3, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2] @ Q + 3.0
    return X


def test_gradient_descent_finds_the_pca_subspace_and_error(data_with_an_eigengap):
    X, k = data_with_an_eigengap, 3
    W_enc, W_dec, mean, losses = train_linear_autoencoder(X, k, lr=0.1, n_steps=1500, seed=0)
    pca = PCA(k).fit(X)
    assert np.allclose(mean, pca.mean_)
    assert np.all(principal_angles(W_dec, pca.components_.T) < 1e-3)          # radians
    assert np.all(principal_angles(W_enc.T, pca.components_.T) < 2e-2)        # the encoder converges more slowly
    pca_error = np.sum((pca.inverse_transform(pca.transform(X)) - X) ** 2) / len(X)
    assert np.isclose(losses[-1], pca_error, rtol=1e-4)
    assert np.all(np.diff(losses) <= 1e-12)                                   # a small enough step never goes up
    # The columns are not the principal axes: each is tens of degrees from its nearest axis.
    cosines = np.abs((W_dec / np.linalg.norm(W_dec, axis=0)).T @ pca.components_.T)
    assert np.degrees(np.arccos(cosines.max(axis=1))).min() > 10
    # Gradient descent from small weights keeps W_enc W_enc^T - W_dec^T W_dec near its start, about 0, so the
    # decoder ends close to orthonormal: an orthonormal basis of the subspace, rotated away from the axes.
    assert np.allclose(W_dec.T @ W_dec, np.eye(k), atol=0.02)


def test_another_seed_gives_another_basis_of_the_same_subspace(data_with_an_eigengap):
    X = data_with_an_eigengap
    _, D0, _, _ = train_linear_autoencoder(X, 3, n_steps=1500, seed=0)
    _, D1, _, _ = train_linear_autoencoder(X, 3, n_steps=1500, seed=1)
    assert np.all(principal_angles(D0, D1) < 2e-3)
    assert not np.allclose(np.abs(D0), np.abs(D1), atol=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"k": 0}, "k must be"), ({"k": 11}, "k must be"), ({"k": 2.0}, "k must be"), ({"k": True}, "k must be"),
    ({"k": 2, "lr": -1.0}, "lr must be"), ({"k": 2, "lr": np.inf}, "lr must be"),
    ({"k": 2, "n_steps": 0}, "n_steps"), ({"k": 2, "lr": 50.0}, "diverged"),
])
def test_training_bad_input(data_with_an_eigengap, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_linear_autoencoder(data_with_an_eigengap, **{"n_steps": 200, **kwargs})


def test_constant_data_is_rejected():
    with pytest.raises(ValueError, match="nothing to encode"):
        train_linear_autoencoder(np.ones((5, 3)), 1)
