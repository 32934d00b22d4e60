"""Tests for src/mlguide/sequences/masking.py: BERT's 15% / 80-10-10 masking checked on its proportions over many
tokens (binomial tolerances of five standard errors), the rules (special tokens never selected or drawn, labels -100
elsewhere, unselected inputs untouched), determinism given a seed, PyTorch's cross-entropy with ignore_index, and
clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlguide.sequences.masking import bert_mask

PAD, CLS, SEP, MASK = 0, 1, 2, 3
SPECIAL = [PAD, CLS, SEP]
VOCAB = 50


def batch(n_seq=2_000, length=64, seed=0):
    """[CLS] w ... w [SEP] with ordinary ids 4..49 and some trailing [PAD]s."""
    rng = np.random.default_rng(seed)
    x = rng.integers(4, VOCAB, size=(n_seq, length))
    x[:, 0] = CLS
    ends = rng.integers(length // 2, length, size=n_seq)
    for i, e in enumerate(ends):
        x[i, e] = SEP
        x[i, e + 1:] = PAD
    return x


def within(count, n, p, z=5.0):
    """count ~ Binomial(n, p): within z standard errors."""
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p))


def test_proportions_match_the_recipe():
    x = batch()
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=0)
    eligible = ~np.isin(x, SPECIAL)
    selected = labels != -100
    n_eligible, n_sel = int(eligible.sum()), int(selected.sum())
    assert n_eligible > 50_000
    assert within(n_sel, n_eligible, 0.15)
    masked = selected & (inputs == MASK)
    same = selected & (inputs == x)
    random = selected & ~masked & ~same
    assert within(int(masked.sum()), n_sel, 0.8)
    # A random draw equals the original with probability 1/46 (46 ordinary ids), which then counts as "same"
    p_same = 0.1 + 0.1 / 46
    assert within(int(same.sum()), n_sel, p_same)
    assert within(int(random.sum()), n_sel, 0.1 - 0.1 / 46)


def test_random_replacements_are_uniform_over_ordinary_tokens():
    x = batch(n_seq=4_000)
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=1, mask_frac=0.0, random_frac=1.0)
    drawn = inputs[labels != -100]
    assert not np.isin(drawn, SPECIAL + [MASK]).any()
    counts = np.bincount(drawn, minlength=VOCAB)[4:]
    expected = len(drawn) / 46
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 45 + 5 * np.sqrt(2 * 45), chi2          # chi-square, 45 degrees of freedom, far in the tail


def test_rules_special_tokens_labels_and_untouched_positions():
    x = batch(n_seq=500)
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=2)
    special = np.isin(x, SPECIAL)
    selected = labels != -100
    assert not (selected & special).any(), "special tokens are never selected"
    assert np.array_equal(inputs[special], x[special]), "special tokens are never changed"
    assert np.array_equal(inputs[~selected], x[~selected]), "unselected tokens are never changed"
    assert np.array_equal(labels[selected], x[selected]), "labels hold the original token"
    assert np.all(labels[~selected] == -100)
    assert inputs.shape == x.shape and labels.shape == x.shape


def test_deterministic_given_a_seed_and_generator():
    x = batch(n_seq=100)
    a = bert_mask(x, VOCAB, MASK, SPECIAL, rng=7)
    b = bert_mask(x, VOCAB, MASK, SPECIAL, rng=7)
    c = bert_mask(x, VOCAB, MASK, SPECIAL, rng=8)
    d = bert_mask(x, VOCAB, MASK, SPECIAL, rng=np.random.default_rng(7))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert all(np.array_equal(u, v) for u, v in zip(a, d))
    assert not np.array_equal(a[1], c[1])
    assert np.array_equal(x, batch(n_seq=100)), "the input is not modified in place"


def test_labels_work_with_torch_cross_entropy_ignore_index():
    x = batch(n_seq=50, length=16)
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=3)
    logits = torch.randn(*x.shape, VOCAB, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), torch.from_numpy(labels).reshape(-1))
    sel = torch.from_numpy(labels != -100)
    by_hand = -torch.log_softmax(logits, -1)[sel].gather(1, torch.from_numpy(labels[labels != -100])[:, None]).mean()
    assert torch.isclose(loss, by_hand)


def test_edge_cases():
    x = batch(n_seq=20, length=12)
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=0, select_prob=0.0)
    assert np.array_equal(inputs, x) and np.all(labels == -100)
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=0, select_prob=1.0, mask_frac=1.0, random_frac=0.0)
    eligible = ~np.isin(x, SPECIAL)
    assert np.all(inputs[eligible] == MASK) and np.array_equal(labels[eligible], x[eligible])
    inputs, labels = bert_mask(x, VOCAB, MASK, SPECIAL, rng=0, select_prob=1.0, mask_frac=0.0, random_frac=0.0)
    assert np.array_equal(inputs, x) and np.array_equal(labels[eligible], x[eligible])   # predict unchanged tokens
    empty_in, empty_lab = bert_mask(np.zeros((0, 5), int), VOCAB, MASK, SPECIAL, rng=0)
    assert empty_in.shape == (0, 5) and empty_lab.shape == (0, 5)
    one_d, _ = bert_mask(np.array([CLS, 5, 6, SEP]), VOCAB, MASK, SPECIAL, rng=0)
    assert one_d.shape == (4,)
    # [MASK] already in the input is treated as special even if not listed
    inputs, labels = bert_mask(np.array([MASK] * 10), VOCAB, MASK, [], rng=0, select_prob=1.0)
    assert np.all(labels == -100)


@pytest.mark.parametrize("kwargs, match", [
    (dict(tokens=np.array([1.5, 2.0])), "integer ids"),
    (dict(tokens=np.array([0, 50])), r"lie in \[0, 50\)"),
    (dict(mask_id=50), "mask_id"),
    (dict(special_ids=[0, 99]), "special id"),
    (dict(select_prob=1.5), "select_prob"),
    (dict(mask_frac=0.95, random_frac=0.1), "at most 1"),
    (dict(ignore_index=5), "ignore_index"),
    (dict(vocab_size=1, mask_id=0, special_ids=[]), "vocab_size"),
    (dict(rng="seed"), "rng"),
    (dict(vocab_size=4, tokens=np.array([0, 1]), special_ids=[0, 1, 2]), "every id is special"),
])
def test_bad_input_raises(kwargs, match):
    args = dict(tokens=np.array([1, 5, 6, 2]), vocab_size=VOCAB, mask_id=MASK, special_ids=SPECIAL, rng=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        bert_mask(**args)
