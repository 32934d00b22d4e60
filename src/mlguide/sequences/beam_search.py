"""Greedy decoding and beam search over a step function that returns next-token log-probabilities.

Backs the page `docs/sequences/sequence-to-sequence.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

A decoder is seen only through `step_fn(prefixes)`: given a list of prefixes (tuples of the token ids generated so
far, without the start token), it returns an array of shape (len(prefixes), V) whose rows are log-probabilities of
the next token (a log-softmax). A hypothesis ends when it emits `eos` or reaches `max_len` tokens. Hypotheses are
ranked by their total log-probability divided by length ** alpha (alpha = 0: the raw sum; alpha = 1: the mean per
token), the length counting the end token.
"""

from __future__ import annotations

import numbers

import numpy as np


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    return float(alpha)


def _log_probs(step_fn, prefixes, vocab):
    """Call step_fn and check that it returned one row of log-probabilities per prefix."""
    out = np.asarray(step_fn(prefixes), dtype=float)
    if out.ndim != 2 or out.shape[0] != len(prefixes) or (vocab is not None and out.shape[1] != vocab):
        want = f"({len(prefixes)}, {'V' if vocab is None else vocab})"
        raise ValueError(f"step_fn must return an array of shape {want}, got {out.shape}")
    if np.isnan(out).any() or np.isposinf(out).any() or (out > 1e-9).any():
        raise ValueError("step_fn must return log-probabilities (<= 0, no NaN); were logits passed?")
    with np.errstate(divide="ignore"):
        total = np.log(np.exp(out).sum(axis=1))
    if np.abs(total).max() > 1e-3:
        raise ValueError(f"each row of step_fn's output must be a log-softmax; log of the row sums up to "
                         f"{np.abs(total).max():.3g} from 0")
    return out


def _check_common(eos, max_len, alpha):
    return _check_int(eos, "eos", 0), _check_int(max_len, "max_len", 1), _check_alpha(alpha)


# --8<-- [start:greedy_decode]
def greedy_decode(step_fn, eos, max_len):
    """Pick the most probable token at every step.

    Returns (tokens, log_prob): the tuple of ids up to and
    including eos (or max_len ids), and its total
    log-probability. Ties go to the smallest token id.
    """
    eos, max_len, _ = _check_common(eos, max_len, 0.0)
    tokens, total, vocab = (), 0.0, None
    for _ in range(max_len):
        logp = _log_probs(step_fn, [tokens], vocab)[0]
        vocab = len(logp)
        if eos >= vocab:
            raise ValueError(f"eos = {eos} is not a token id "
                             f"below V = {vocab}")
        best = int(np.argmax(logp))
        tokens, total = tokens + (best,), total + logp[best]
        if best == eos:
            break
    return tokens, float(total)
# --8<-- [end:greedy_decode]


# --8<-- [start:beam_search]
def beam_search(step_fn, eos, max_len, beam_size, alpha=0.0):
    """Keep the beam_size best prefixes at every step.

    Every step extends each live prefix by every token and
    keeps the beam_size candidates of highest total
    log-probability (all have the same length, so length
    normalization cannot change this choice). A candidate
    ending in eos is finished and leaves the beam; after
    max_len steps the live ones are finished too.
    Finished hypotheses are ranked by
        score = log_prob / len(tokens) ** alpha.
    Returns [(tokens, score, log_prob), ...], best first.
    beam_size = 1 is greedy decoding; beam_size >= V ** max_len
    prunes nothing, so the best hypothesis is the exact best.
    """
    eos, max_len, alpha = _check_common(eos, max_len, alpha)
    beam_size = _check_int(beam_size, "beam_size", 1)
    live, finished, vocab = [((), 0.0)], [], None
    for _ in range(max_len):
        logp = _log_probs(step_fn, [p for p, _ in live], vocab)
        vocab = logp.shape[1]
        if eos >= vocab:
            raise ValueError(f"eos = {eos} is not a token id "
                             f"below V = {vocab}")
        totals = np.array([s for _, s in live])[:, None] + logp
        flat = totals.ravel()
        k = min(beam_size, int(np.isfinite(flat).sum()))
        # ties: earlier beams, then smaller token ids
        best = np.argsort(-flat, kind="stable")[:k]
        extended = []
        for idx in best:
            b, tok = divmod(int(idx), vocab)
            extended.append((live[b][0] + (tok,), float(flat[idx])))
        finished += [h for h in extended if h[0][-1] == eos]
        live = [h for h in extended if h[0][-1] != eos]
        if not live:
            break
    finished += live                    # reached max_len
    ranked = [(t, lp / len(t) ** alpha, lp) for t, lp in finished]
    return sorted(ranked, key=lambda h: -h[1])
# --8<-- [end:beam_search]
