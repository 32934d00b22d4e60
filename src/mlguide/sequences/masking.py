"""BERT's masked-language-model corruption in NumPy: select about 15% of the ordinary tokens, replace 80% of the
selected by [MASK], 10% by a random token and leave 10% unchanged; the labels hold the original token at the selected
positions and an ignore index (-100, PyTorch's default `ignore_index`) everywhere else.

Backs the page `docs/sequences/bert.md` and its notebook. NumPy only, so a downloaded notebook can inline this file.

Two choices, as in Hugging Face's `DataCollatorForLanguageModeling`: each eligible position is selected independently
with probability `select_prob`, so the count per sequence varies (BERT's own data script picks exactly
round(15% of the length) positions, capped at a maximum per sequence); and the replacement kind is drawn per selected
position. Unlike that collator, random replacements are drawn from the ordinary tokens only, never from the special
ones.
"""

from __future__ import annotations

import numpy as np


def _probability(name: str, p) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    return float(p)


def _token_id(name: str, i, vocab_size: int) -> int:
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < vocab_size:
        raise ValueError(f"{name} must be an integer id in [0, {vocab_size}), got {i!r}")
    return int(i)


# --8<-- [start:bert_mask]
def bert_mask(tokens, vocab_size, mask_id, special_ids, rng=None,
              select_prob=0.15, mask_frac=0.8, random_frac=0.1,
              ignore_index=-100):
    """BERT's masking of an integer array of token ids (any shape).

    Each token not in special_ids (nor mask_id) is selected with
    probability select_prob. Of the selected: mask_frac become
    mask_id, random_frac a uniformly drawn ordinary token, the rest
    stay unchanged. rng: a seed or np.random.Generator.
    Returns (inputs, labels): labels hold the original id where a
    token was selected and ignore_index everywhere else.
    """
    tokens, special, ordinary, rng = _check(
        tokens, vocab_size, mask_id, special_ids, rng,
        select_prob, mask_frac, random_frac, ignore_index)
    selected = (rng.random(tokens.shape) < select_prob) & ~special
    kind = rng.random(tokens.shape)         # which replacement, per token
    to_mask = selected & (kind < mask_frac)
    to_random = selected & (kind >= mask_frac) & (
        kind < mask_frac + random_frac)
    inputs = tokens.copy()
    inputs[to_mask] = mask_id
    inputs[to_random] = rng.choice(ordinary, size=int(to_random.sum()))
    labels = np.where(selected, tokens, ignore_index)
    return inputs, labels
# --8<-- [end:bert_mask]


def _check(tokens, vocab_size, mask_id, special_ids, rng, select_prob, mask_frac, random_frac, ignore_index):
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 2:
        raise ValueError(f"vocab_size must be an integer of at least 2, got {vocab_size!r}")
    tokens = np.asarray(tokens)
    if tokens.dtype == bool or not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(f"tokens must be an array of integer ids, got dtype {tokens.dtype}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size}), got range [{tokens.min()}, {tokens.max()}]")
    mask_id = _token_id("mask_id", mask_id, vocab_size)
    special_ids = np.atleast_1d(np.asarray(list(special_ids) if not np.isscalar(special_ids) else [special_ids]))
    if special_ids.size and (special_ids.dtype == bool or not np.issubdtype(special_ids.dtype, np.integer)):
        raise ValueError("special_ids must be integer token ids")
    for i in special_ids.tolist():
        _token_id("every special id", i, vocab_size)
    special_set = np.union1d(special_ids.astype(int), [mask_id])
    ordinary = np.setdiff1d(np.arange(vocab_size), special_set)
    if ordinary.size == 0:
        raise ValueError("every id is special: no ordinary token to draw random replacements from")
    select_prob = _probability("select_prob", select_prob)
    mask_frac, random_frac = _probability("mask_frac", mask_frac), _probability("random_frac", random_frac)
    if mask_frac + random_frac > 1.0 + 1e-12:
        raise ValueError(f"mask_frac + random_frac must be at most 1, got {mask_frac + random_frac}")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)) or 0 <= ignore_index < vocab_size:
        raise ValueError(f"ignore_index must be an integer outside [0, {vocab_size}), got {ignore_index!r}")
    if rng is None or isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(rng)
    elif not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be None, an integer seed or a numpy Generator, got {type(rng).__name__}")
    return tokens.astype(np.int64), np.isin(tokens, special_set), ordinary, rng
