"""Tests for src/mlguide/sequences/attention.py: the page's worked example by hand, scaled dot-product attention and
its gradients against torch.nn.functional.scaled_dot_product_attention and autograd, multi-head attention against
torch.nn.MultiheadAttention with copied weights (in_proj_weight split into W_q, W_k, W_v; out_proj), causal and
padding masks, permutation equivariance, positional encodings, the parameter count, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlguide.sequences.attention import (
    attention_backward,
    causal_mask,
    mha_parameter_count,
    multi_head_attention,
    scaled_dot_product_attention,
    sinusoidal_positions,
)


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=float))


# ---------------------------------------------------------------- the page's worked example

def test_worked_example_by_hand():
    q = np.array([[1.0, 0.0, 1.0, 0.0]])
    k = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
    v = np.array([[10.0], [0.0], [5.0]])
    out, w = scaled_dot_product_attention(q, k, v)
    e = np.exp([1.0, 0.0, 0.5])                       # scores 2, 0, 1 divided by sqrt(4) = 2
    np.testing.assert_allclose(w[0], e / e.sum())
    np.testing.assert_allclose(w[0], [0.506, 0.186, 0.307], atol=5e-4)
    np.testing.assert_allclose(out[0, 0], 6.6, atol=5e-3)
    _, w_raw = scaled_dot_product_attention(q, k, v, scale=1.0)      # unscaled: scores 2, 0, 1
    np.testing.assert_allclose(w_raw[0], [0.665, 0.090, 0.245], atol=5e-4)
    _, w_masked = scaled_dot_product_attention(q, k, v, mask=np.array([[False, True, True]]))
    np.testing.assert_allclose(w_masked[0], [0, 1 / (1 + np.exp(0.5)), np.exp(0.5) / (1 + np.exp(0.5))])


def test_parameter_count_examples():
    assert mha_parameter_count(512, 8) == 1_050_624
    assert mha_parameter_count(768, 12) == 2_362_368
    assert mha_parameter_count(768, 1) == mha_parameter_count(768, 768)        # heads cost nothing
    assert mha_parameter_count(4, 2, bias=False) == 64


# ---------------------------------------------------------------- scaled dot-product attention against PyTorch

@pytest.mark.parametrize("shape", [((5, 4), (7, 4), (7, 3)), ((2, 5, 4), (2, 7, 4), (2, 7, 6)),
                                   ((2, 3, 6, 8), (2, 3, 6, 8), (2, 3, 6, 8))])
@pytest.mark.parametrize("seed", [0, 1])
def test_sdpa_matches_torch_with_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=s) for s in shape)
    d_out = rng.normal(size=shape[0][:-1] + (shape[2][-1],))
    out, w = scaled_dot_product_attention(q, k, v)
    qt, kt, vt = (t(a).requires_grad_(True) for a in (q, k, v))
    ref = F.scaled_dot_product_attention(qt, kt, vt)
    ref.backward(t(d_out))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    for mine, theirs in zip(attention_backward(d_out, q, k, v, w), (qt, kt, vt)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("scale", [None, 1.0, 0.3])
def test_sdpa_masks_and_scale_match_torch(scale):
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 3))
    d_out = rng.normal(size=(2, 6, 3))
    mask = rng.random((2, 6, 6)) < 0.6
    mask[:, :, 0] = True                                     # every query keeps one key
    for kwargs, tkw in [(dict(causal=True), dict(is_causal=True)),
                        (dict(mask=mask), dict(attn_mask=torch.from_numpy(mask))),
                        (dict(mask=mask, causal=True), dict(attn_mask=torch.from_numpy(mask & np.tril(np.ones((6, 6), bool)))))]:
        out, w = scaled_dot_product_attention(q, k, v, scale=scale, **kwargs)
        qt, kt, vt = (t(a).requires_grad_(True) for a in (q, k, v))
        ref = F.scaled_dot_product_attention(qt, kt, vt, scale=scale, **tkw)
        ref.backward(t(d_out))
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        for mine, theirs in zip(attention_backward(d_out, q, k, v, w, scale=scale), (qt, kt, vt)):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-9, atol=1e-11)
    _, w = scaled_dot_product_attention(q, k, v, causal=True)
    assert np.all(w[:, np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0), "no weight on the future"


def test_fully_masked_row_gives_zero_like_torch():
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    mask = np.array([[False, False, False], [True, True, False], [True, True, True]])
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=torch.from_numpy(mask))
    np.testing.assert_allclose(out, ref.numpy(), atol=1e-12)
    assert np.all(out[0] == 0) and np.all(w[0] == 0) and np.isfinite(out).all()


def test_causal_mask_matches_torch_tril_rectangular():
    for L, S in [(1, 1), (4, 4), (3, 5), (5, 3)]:
        np.testing.assert_array_equal(causal_mask(L, S), torch.ones(L, S, dtype=torch.bool).tril().numpy())
    rng = np.random.default_rng(4)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    out, _ = scaled_dot_product_attention(q, k, v, causal=True)
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(t(q), t(k), t(v), is_causal=True).numpy(),
                               rtol=1e-10, atol=1e-12)


def test_gradients_match_central_differences():
    rng = np.random.default_rng(5)
    q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    g = rng.normal(size=(3, 2))

    def loss(q_):
        return float((scaled_dot_product_attention(q_, k, v, causal=True)[0] * g).sum())

    _, w = scaled_dot_product_attention(q, k, v, causal=True)
    dq = attention_backward(g, q, k, v, w)[0]
    num = np.zeros_like(q)
    for idx in np.ndindex(q.shape):
        e = np.zeros_like(q)
        e[idx] = 1e-6
        num[idx] = (loss(q + e) - loss(q - e)) / 2e-6
    np.testing.assert_allclose(dq, num, rtol=1e-6, atol=1e-8)


def test_self_attention_is_permutation_equivariant_without_positions():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(6, 8))
    wq, wk, wv, wo = (rng.normal(size=(8, 8)) / 3 for _ in range(4))
    perm = rng.permutation(6)
    out, _ = multi_head_attention(x, x, x, wq, wk, wv, wo, 2)
    out_p, _ = multi_head_attention(x[perm], x[perm], x[perm], wq, wk, wv, wo, 2)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)
    pe = sinusoidal_positions(6, 8)
    out, _ = multi_head_attention(x + pe, x + pe, x + pe, wq, wk, wv, wo, 2)
    out_p, _ = multi_head_attention(x[perm] + pe, x[perm] + pe, x[perm] + pe, wq, wk, wv, wo, 2)
    assert np.abs(out_p - out[perm]).max() > 1e-3, "positions break the symmetry"


# ---------------------------------------------------------------- multi-head attention against PyTorch

def torch_mha(d, h, rng, kdim=None):
    mha = torch.nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(t(rng.normal(size=tuple(p.shape)) / np.sqrt(d)))
    return mha.eval()


def split_weights(mha):
    wq, wk, wv = (w.detach().numpy() for w in mha.in_proj_weight.chunk(3))
    bq, bk, bv = (b.detach().numpy() for b in mha.in_proj_bias.chunk(3))
    return dict(w_q=wq, w_k=wk, w_v=wv, w_o=mha.out_proj.weight.detach().numpy(),
                b_q=bq, b_k=bk, b_v=bv, b_o=mha.out_proj.bias.detach().numpy())


@pytest.mark.parametrize("d, h", [(8, 1), (8, 2), (12, 4), (16, 16)])
def test_self_attention_matches_torch_mha(d, h):
    rng = np.random.default_rng(d + h)
    mha = torch_mha(d, h, rng)
    x = rng.normal(size=(3, 5, d))
    out, w = multi_head_attention(x, x, x, num_heads=h, **split_weights(mha))
    ref, ref_w = mha(t(x), t(x), t(x), average_attn_weights=False)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w, ref_w.detach().numpy(), rtol=1e-10, atol=1e-12)
    _, mean_w = mha(t(x), t(x), t(x))                          # PyTorch's default: averaged over heads
    np.testing.assert_allclose(w.mean(axis=1), mean_w.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert sum(p.numel() for p in mha.parameters()) == mha_parameter_count(d, h)


def test_cross_attention_with_causal_and_padding_masks_matches_torch():
    rng = np.random.default_rng(7)
    d, h = 8, 2
    mha = torch_mha(d, h, rng)
    W = split_weights(mha)
    x = rng.normal(size=(2, 4, d))            # queries (decoder side)
    mem = rng.normal(size=(2, 6, d))          # keys and values (encoder side)
    # Causal self-attention; PyTorch's boolean attn_mask is True where attention is *blocked*
    out, _ = multi_head_attention(x, x, x, num_heads=h, causal=True, **W)
    blocked = torch.from_numpy(~causal_mask(4))
    ref, _ = mha(t(x), t(x), t(x), attn_mask=blocked)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    # Cross-attention with key padding: the second sequence has only 4 real keys
    real = np.ones((2, 6), bool)
    real[1, 4:] = False
    out, w = multi_head_attention(x, mem, mem, num_heads=h, mask=real[:, None, :], **W)
    ref, ref_w = mha(t(x), t(mem), t(mem), key_padding_mask=torch.from_numpy(~real), average_attn_weights=False)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w, ref_w.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert np.all(w[1, :, :, 4:] == 0)


def test_cross_attention_is_invariant_to_reordering_the_memory():
    rng = np.random.default_rng(8)
    W = {n: rng.normal(size=(6, 6)) / 2 for n in ("w_q", "w_k", "w_v", "w_o")}
    x, mem = rng.normal(size=(3, 6)), rng.normal(size=(5, 6))
    perm = rng.permutation(5)
    a, _ = multi_head_attention(x, mem, mem, num_heads=3, **W)
    b, _ = multi_head_attention(x, mem[perm], mem[perm], num_heads=3, **W)
    np.testing.assert_allclose(a, b, atol=1e-12)


# ---------------------------------------------------------------- positional encodings

def test_sinusoidal_positions_formula_and_relative_property():
    pe = sinusoidal_positions(50, 16)
    p, i = 7, 3
    assert pe[p, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / 16)))
    assert pe[p, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / 16)))
    np.testing.assert_allclose(pe[0, 0::2], 0.0)
    np.testing.assert_allclose(pe[0, 1::2], 1.0)
    dots = np.einsum("pd,pd->p", pe[:-5], pe[5:])                  # PE[p] . PE[p + 5] for every p
    np.testing.assert_allclose(dots, dots[0], atol=1e-10)
    np.testing.assert_allclose(np.sum(pe ** 2, axis=1), 8.0)       # d/2 pairs, each sin^2 + cos^2 = 1


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, match", [
    (lambda: scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1))), "same last dimension"),
    (lambda: scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 1))), "same number of positions"),
    (lambda: scaled_dot_product_attention(np.ones(3), np.ones((2, 3)), np.ones((2, 1))), "at least 2 dimensions"),
    (lambda: scaled_dot_product_attention([[np.nan]], [[1.0]], [[1.0]]), "NaN"),
    (lambda: scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)),
                                          mask=np.ones((2, 2))), "boolean"),
    (lambda: scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)),
                                          mask=np.ones((3, 3), bool)), "does not broadcast"),
    (lambda: scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), scale=0.0), "scale"),
    (lambda: scaled_dot_product_attention(np.ones((2, 2, 3)), np.ones((3, 2, 3)), np.ones((3, 2, 1))), "broadcast"),
    (lambda: multi_head_attention(np.ones((2, 6)), np.ones((2, 6)), np.ones((2, 6)), *[np.eye(6)] * 4, num_heads=4),
     "dividing"),
    (lambda: multi_head_attention(np.ones((2, 6)), np.ones((2, 6)), np.ones((2, 6)), np.eye(6), np.eye(5),
                                  np.eye(6), np.eye(6), num_heads=2), "w_k"),
    (lambda: multi_head_attention(np.ones((2, 6)), np.ones((2, 6)), np.ones((2, 6)), *[np.eye(6)] * 4, num_heads=2,
                                  b_o=np.ones(5)), "b_o"),
    (lambda: causal_mask(0), "positive integer"),
    (lambda: mha_parameter_count(10, 3), "divide"),
    (lambda: sinusoidal_positions(4, 5), "even"),
    (lambda: attention_backward(np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)),
                                np.ones((2, 2))), "d_out"),
])
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
