"""Tests for src/mlguide/data/streaming.py: reservoir sampling is uniform (chi-squared tests against exact
probabilities and against NumPy's sampler without replacement), reads any iterable once, and rejects bad k."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from mlguide.data.streaming import reservoir_sample


def test_page_worked_example_by_enumeration():
    # docs/data/large-datasets.md: k = 2 from a stream of 4. Enumerate every draw Algorithm R can make (item 3 draws
    # j in {0, 1, 2}, item 4 draws j in {0, 1, 2, 3}): each item ends in the sample in exactly half the 12 cases.
    counts = Counter()
    for j3, j4 in itertools.product(range(3), range(4)):
        sample = ["a", "b"]
        if j3 < 2:
            sample[j3] = "c"
        if j4 < 2:
            sample[j4] = "d"
        counts.update(sample)
    assert counts == {"a": 6, "b": 6, "c": 6, "d": 6}      # 6 / 12 = k / n = 1/2


def test_every_subset_equally_likely():
    # 20,000 samples of k = 2 from n = 5: the 10 subsets should each appear 2,000 times.
    rng = np.random.default_rng(0)
    runs = 20_000
    counts = Counter(frozenset(reservoir_sample(range(5), 2, rng)) for _ in range(runs))
    subsets = [frozenset(c) for c in itertools.combinations(range(5), 2)]
    observed = np.array([counts[s] for s in subsets])
    assert observed.sum() == runs
    result = stats.chisquare(observed)                     # expected: uniform over the 10 subsets
    assert result.pvalue > 0.01, result


def test_matches_numpys_sampler_without_replacement():
    # Same question, same sizes: subsets from reservoir_sample and from Generator.choice(replace=False) should come
    # from one distribution (a chi-squared test of homogeneity on the 2 x 10 table).
    rng_r, rng_c = np.random.default_rng(1), np.random.default_rng(2)
    runs = 10_000
    ours = Counter(tuple(sorted(reservoir_sample(range(5), 3, rng_r))) for _ in range(runs))
    numpys = Counter(tuple(sorted(rng_c.choice(5, 3, replace=False).tolist())) for _ in range(runs))
    subsets = sorted(itertools.combinations(range(5), 3))
    table = np.array([[ours[s] for s in subsets], [numpys[s] for s in subsets]])
    assert stats.chi2_contingency(table).pvalue > 0.01


def test_inclusion_probability_is_k_over_n_for_every_position():
    # n = 12, k = 4: each position (first, middle, last) is kept with probability 1/3.
    rng = np.random.default_rng(3)
    runs, n, k = 10_000, 12, 4
    hits = np.zeros(n)
    for _ in range(runs):
        hits[reservoir_sample(range(n), k, rng)] += 1
    se = np.sqrt((k / n) * (1 - k / n) / runs)
    assert np.all(np.abs(hits / runs - k / n) < 4 * se), hits / runs


def test_reads_a_one_pass_stream_of_unknown_length():
    gen = (f"row-{i}" for i in range(1000))                 # a generator: no len(), can be read only once
    sample = reservoir_sample(gen, 10, rng=5)
    assert len(sample) == 10 and len(set(sample)) == 10
    assert all(s.startswith("row-") for s in sample)
    assert next(gen, None) is None                          # the stream was consumed


def test_seed_makes_it_reproducible():
    a = reservoir_sample(range(10_000), 7, rng=42)
    b = reservoir_sample(range(10_000), 7, rng=np.random.default_rng(42))
    assert a == b
    assert a != reservoir_sample(range(10_000), 7, rng=43)


def test_k_at_least_n_returns_everything():
    assert reservoir_sample(range(5), 5, rng=0) == [0, 1, 2, 3, 4]
    assert reservoir_sample(range(5), 50, rng=0) == [0, 1, 2, 3, 4]
    assert reservoir_sample([], 3, rng=0) == []


def test_k_zero_returns_an_empty_sample():
    assert reservoir_sample(range(100), 0, rng=0) == []
    assert reservoir_sample(range(100), np.int64(0)) == []


def test_numpy_integer_k_is_accepted():
    assert len(reservoir_sample(range(100), np.int32(3), rng=0)) == 3


@pytest.mark.parametrize("k", [2.5, "3", None, True])
def test_non_integer_k_raises(k):
    with pytest.raises(TypeError, match="integer"):
        reservoir_sample(range(10), k)


def test_negative_k_raises():
    with pytest.raises(ValueError, match=">= 0"):
        reservoir_sample(range(10), -1)


def test_non_iterable_stream_raises():
    with pytest.raises(TypeError):
        reservoir_sample(5, 2)
    with pytest.raises(TypeError):
        reservoir_sample(5, 0)
