"""Tests for src/mlguide/sequences/beam_search.py: the page's worked examples by hand, beam search against an
exhaustive search over every output on small vocabularies (a beam of V ** max_len is exact), beam size 1 against
greedy decoding, masked tokens, max_len, and clear errors on bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mlguide.sequences.beam_search import beam_search, greedy_decode


def random_lm(V: int, seed: int, scale: float = 2.0):
    """A step function whose next-token distribution is a fixed random function of the whole prefix."""
    def step(prefixes):
        rows = []
        for prefix in prefixes:
            rng = np.random.default_rng([seed, len(prefix), *prefix])
            logits = scale * rng.normal(size=V)
            rows.append(logits - np.log(np.exp(logits).sum()))
        return np.array(rows)
    return step


def table_lm(table: dict, V: int):
    """A step function from {prefix: probabilities}; missing prefixes are uniform."""
    def step(prefixes):
        with np.errstate(divide="ignore"):
            return np.array([np.log(np.asarray(table.get(p, np.full(V, 1.0 / V)), dtype=float)) for p in prefixes])
    return step


def exhaustive(step, V: int, eos: int, max_len: int, alpha: float):
    """Every output (ends at eos, or has max_len tokens), scored, best first."""
    out = []
    for L in range(1, max_len + 1):
        for body in itertools.product([t for t in range(V) if t != eos], repeat=L - 1):
            for last in range(V):
                tokens = body + (last,)
                if last != eos and L < max_len:
                    continue
                lp = sum(step([tokens[:i]])[0][tokens[i]] for i in range(L))
                if np.isfinite(lp):
                    out.append((tokens, lp / L ** alpha, lp))
    return sorted(out, key=lambda h: -h[1])


# ---------------------------------------------------------------- the page's worked examples

A, B, EOS = 0, 1, 2
PAGE_LM = table_lm({(): [0.6, 0.4, 0.0], (A,): [0.3, 0.3, 0.4], (B,): [0.05, 0.05, 0.9]}, V=3)


def test_greedy_misses_what_a_beam_of_two_finds():
    tokens, lp = greedy_decode(PAGE_LM, eos=EOS, max_len=3)
    assert tokens == (A, EOS) and abs(math.exp(lp) - 0.24) < 1e-12
    ranked = beam_search(PAGE_LM, eos=EOS, max_len=3, beam_size=2)
    # step 2 candidates: B EOS 0.36, A EOS 0.24, A A 0.18, A B 0.18, B A 0.02, B B 0.02: the top two both finish
    assert [t for t, _, _ in ranked] == [(B, EOS), (A, EOS)]
    assert np.allclose([math.exp(lp) for _, _, lp in ranked], [0.36, 0.24])
    assert beam_search(PAGE_LM, eos=EOS, max_len=3, beam_size=1)[0][0] == (A, EOS)


def test_length_normalization_example():
    # EOS at once has probability 0.3; A EOS 0.7 * 0.4 = 0.28; A A EOS 0.7 * 0.6 * 0.6 = 0.252; A A A 0.168.
    lm = table_lm({(): [0.7, 0.0, 0.3], (A,): [0.6, 0.0, 0.4], (A, A): [0.4, 0.0, 0.6]}, V=3)
    raw = beam_search(lm, eos=EOS, max_len=3, beam_size=9, alpha=0.0)
    assert [t for t, _, _ in raw] == [(EOS,), (A, EOS), (A, A, EOS), (A, A, A)]
    assert np.allclose([math.exp(lp) for _, _, lp in raw], [0.3, 0.28, 0.252, 0.168])
    mean = beam_search(lm, eos=EOS, max_len=3, beam_size=9, alpha=1.0)
    assert mean[0][0] == (A, A, EOS) and abs(mean[0][1] - math.log(0.252) / 3) < 1e-12
    assert abs(math.log(0.3) - (-1.204)) < 1e-3 and abs(math.log(0.252) / 3 - (-0.459)) < 1e-3
    assert abs(0.252 ** (1 / 3) - 0.632) < 1e-3                 # per-token geometric mean


# ---------------------------------------------------------------- against exhaustive search and greedy

@pytest.mark.parametrize("V, max_len", [(2, 1), (2, 4), (3, 3), (4, 3), (5, 2)])
@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_full_beam_is_exhaustive_search(V, max_len, alpha, seed):
    step = random_lm(V, seed)
    eos = seed % V
    exact = exhaustive(step, V, eos, max_len, alpha)
    ranked = beam_search(step, eos=eos, max_len=max_len, beam_size=V ** max_len, alpha=alpha)
    assert len(ranked) == len(exact)
    assert ranked[0][0] == exact[0][0] and abs(ranked[0][1] - exact[0][1]) < 1e-9
    np.testing.assert_allclose(sorted(s for _, s, _ in ranked), sorted(s for _, s, _ in exact), atol=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_beam_of_one_is_greedy(seed):
    V = 2 + seed % 4
    step = random_lm(V, seed, scale=1.0 + seed % 3)
    for alpha in (0.0, 1.0):
        ranked = beam_search(step, eos=0, max_len=6, beam_size=1, alpha=alpha)
        tokens, lp = greedy_decode(step, eos=0, max_len=6)
        assert len(ranked) == 1 and ranked[0][0] == tokens and abs(ranked[0][2] - lp) < 1e-12


def test_beam_search_is_not_exact():
    # Over small random models, beams of 1 and 2 sometimes miss the exact best; they never beat it.
    misses = np.zeros(2, int)
    for seed in range(60):
        step = random_lm(3, seed, scale=1.5)
        exact = exhaustive(step, 3, 0, 4, 0.0)[0][1]
        best = [beam_search(step, eos=0, max_len=4, beam_size=k)[0][1] for k in (1, 2)]
        misses += np.array(best) < exact - 1e-12
        assert max(best) <= exact + 1e-12
    assert misses[0] > misses[1] > 0


def test_a_wider_beam_can_return_a_worse_hypothesis():
    # a, b, c, d = 0..3, EOS = 4. Greedy follows a (0.4) to a a EOS = 0.136. A beam of 2 also keeps b (0.35),
    # whose two children (0.175 each) push out a a (0.136); both then spread over five tokens.
    lm = table_lm({(): [0.4, 0.35, 0.25, 0, 0], (0,): [0.34, 0.33, 0.33, 0, 0], (1,): [0.5, 0.5, 0, 0, 0],
                   (0, 0): [0, 0, 0, 0, 1.0]}, V=5)
    best = [beam_search(lm, eos=4, max_len=4, beam_size=k)[0] for k in (1, 2, 3)]
    assert best[0][0] == best[2][0] == (0, 0, 4) and abs(math.exp(best[0][2]) - 0.136) < 1e-12
    assert abs(math.exp(best[1][2]) - 0.35 * 0.5 * 0.2 * 0.2) < 1e-12        # 0.007
    assert exhaustive(lm, 5, 4, 4, 0.0)[0][0] == (0, 0, 4)


def test_masked_tokens_are_never_chosen():
    V = 4
    base = random_lm(V, 5)

    def masked(prefixes):
        out = base(prefixes)
        out[:, 1] = -np.inf                                     # token 1 is impossible
        out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
        return out

    ranked = beam_search(masked, eos=0, max_len=3, beam_size=V ** 3)
    assert ranked and all(1 not in t for t, _, _ in ranked)
    assert len(ranked) == len(exhaustive(masked, V, 0, 3, 0.0))


def test_max_len_returns_unfinished_hypotheses():
    never_end = table_lm({}, V=3)                               # uniform, eos equally likely
    step = lambda ps: np.log(np.tile([0.5, 0.5 - 1e-12, 1e-12], (len(ps), 1)))  # noqa: E731
    tokens, lp = greedy_decode(step, eos=2, max_len=4)
    assert tokens == (0, 0, 0, 0) and abs(lp - 4 * math.log(0.5)) < 1e-9
    ranked = beam_search(step, eos=2, max_len=4, beam_size=3)
    assert ranked[0][0] == (0, 0, 0, 0) and all(len(t) <= 4 for t, _, _ in ranked)
    assert len(beam_search(never_end, eos=2, max_len=2, beam_size=100)) == 1 + 2 * 3


# ---------------------------------------------------------------- bad input

GOOD = random_lm(3, 0)


@pytest.mark.parametrize("call, message", [
    (lambda: beam_search(GOOD, eos=0, max_len=3, beam_size=0), "beam_size"),
    (lambda: beam_search(GOOD, eos=0, max_len=3, beam_size=2.0), "beam_size"),
    (lambda: beam_search(GOOD, eos=0, max_len=0, beam_size=2), "max_len"),
    (lambda: beam_search(GOOD, eos=-1, max_len=3, beam_size=2), "eos"),
    (lambda: beam_search(GOOD, eos=3, max_len=3, beam_size=2), "eos = 3"),
    (lambda: greedy_decode(GOOD, eos=7, max_len=3), "eos = 7"),
    (lambda: beam_search(GOOD, eos=0, max_len=3, beam_size=2, alpha=-0.5), "alpha"),
    (lambda: beam_search(GOOD, eos=0, max_len=3, beam_size=2, alpha=float("nan")), "alpha"),
    (lambda: beam_search(GOOD, eos=0, max_len=3, beam_size=2, alpha=True), "alpha"),
    (lambda: beam_search(lambda ps: np.zeros((len(ps), 3)) + [1.0, 2.0, 3.0], 0, 3, 2), "logits"),
    (lambda: beam_search(lambda ps: np.full((len(ps), 3), np.nan), 0, 3, 2), "NaN"),
    (lambda: beam_search(lambda ps: np.full((len(ps), 3), -0.1), 0, 3, 2), "log-softmax"),
    (lambda: beam_search(lambda ps: np.zeros(3), 0, 3, 2), "shape"),
    (lambda: greedy_decode(lambda ps: np.log(np.full((2, 3), 1 / 3)), 0, 3), "shape"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_vocabulary_size_must_not_change():
    calls = []

    def shifting(prefixes):
        calls.append(1)
        V = 3 if len(calls) == 1 else 4
        return np.log(np.full((len(prefixes), V), 1.0 / V))

    with pytest.raises(ValueError, match="shape"):
        beam_search(shifting, eos=0, max_len=3, beam_size=2)
