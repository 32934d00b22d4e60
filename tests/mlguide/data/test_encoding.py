"""Tests for src/mlguide/data/encoding.py.

Checked against scikit-learn's TargetEncoder, a pandas groupby, and the worked example of the feature-engineering page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold
from sklearn.preprocessing import TargetEncoder

from mlguide.data.encoding import (
    apply_target_encoding,
    cyclical_encode,
    fit_target_encoding,
    target_encode_out_of_fold,
)


def pandas_smoothed_means(cats, y, m):
    """Reference: the smoothed mean per category with a pandas groupby."""
    frame = pd.DataFrame({"c": cats, "y": y})
    stats = frame.groupby("c")["y"].agg(["sum", "count"])
    prior = frame["y"].mean()
    return (stats["sum"] + m * prior) / (stats["count"] + m), prior


def random_data(seed, n=400, n_levels=60, binary=True):
    rng = np.random.default_rng(seed)
    cats = rng.integers(0, n_levels, size=n) ** 2          # uneven level sizes, some levels rare
    y = (rng.random(n) < 0.3).astype(float) if binary else rng.normal(size=n) + 0.01 * cats
    return cats, y


# ---- fit_target_encoding / apply_target_encoding ----

def test_page_worked_example():
    # docs/data/feature-engineering.md: A has labels 1, 1, 0; B one row labelled 1; C six rows, one positive.
    cats = np.array(["A"] * 3 + ["B"] + ["C"] * 6)
    y = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0])
    levels, enc, prior = fit_target_encoding(cats, y, smoothing=2)
    assert prior == pytest.approx(0.4)
    assert dict(zip(levels, enc)) == pytest.approx({"A": 2.8 / 5, "B": 1.8 / 3, "C": 1.8 / 8})
    # The in-sample value of B's only row is its own label's share 1/3 plus the prior's 0.8/3.
    assert enc[1] == pytest.approx(1 / 3 + 0.8 / 3)
    # Leave-one-out with the prior held at 0.4 reverses the order inside A: 0.7 for the negative, 0.45 for positives.
    loo = (y[:3].sum() - y[:3] + 2 * 0.4) / (3 - 1 + 2)
    assert loo == pytest.approx([0.45, 0.45, 0.7])


@pytest.mark.parametrize("m", [0.0, 1.0, 10.0, 250.0])
@pytest.mark.parametrize("binary", [True, False])
def test_fit_matches_pandas_and_scikit_learn(m, binary):
    cats, y = random_data(int(m) + binary, binary=binary)
    levels, enc, prior = fit_target_encoding(cats, y, smoothing=m)
    expected, expected_prior = pandas_smoothed_means(cats, y, m)
    np.testing.assert_array_equal(levels, expected.index.to_numpy())
    np.testing.assert_allclose(enc, expected.to_numpy(), rtol=1e-12)
    assert prior == pytest.approx(expected_prior)

    target_type = "binary" if binary else "continuous"
    sk = TargetEncoder(smooth=m, target_type=target_type).fit(cats.reshape(-1, 1), y)
    np.testing.assert_array_equal(sk.categories_[0], levels)
    np.testing.assert_allclose(sk.encodings_[0], enc, rtol=1e-12)
    new = np.array([cats[0], -7, cats[5], 10**9])              # two unseen levels get the prior
    np.testing.assert_allclose(apply_target_encoding(levels, enc, prior, new),
                               sk.transform(new.reshape(-1, 1)).ravel(), rtol=1e-12)


def test_strings_and_unseen_levels():
    levels, enc, prior = fit_target_encoding(["b", "a", "b"], [1, 0, 0], smoothing=0)
    assert list(levels) == ["a", "b"] and enc.tolist() == [0.0, 0.5]
    out = apply_target_encoding(levels, enc, prior, np.array(["b", "zzz", "a", "0"], dtype=object))
    np.testing.assert_allclose(out, [0.5, 1 / 3, 0.0, 1 / 3])
    assert apply_target_encoding(levels, enc, prior, np.array([], dtype=str)).shape == (0,)


def test_smoothing_limits():
    cats, y = random_data(3)
    _, raw, _ = fit_target_encoding(cats, y, smoothing=0)
    expected, _ = pandas_smoothed_means(cats, y, 0)
    np.testing.assert_allclose(raw, expected.to_numpy())      # m = 0: plain category means
    _, flat, prior = fit_target_encoding(cats, y, smoothing=1e12)
    np.testing.assert_allclose(flat, prior, atol=1e-8)        # huge m: everything shrinks to the prior


def test_in_sample_encoding_contains_the_own_label():
    # A category seen once is encoded (y_i + m * prior) / (1 + m): two values, one per label, for every m.
    rng = np.random.default_rng(0)
    cats = np.arange(500)                                      # every row its own category
    y = rng.integers(0, 2, size=500).astype(float)
    for m in (0, 10):
        levels, enc, prior = fit_target_encoding(cats, y, smoothing=m)
        in_sample = apply_target_encoding(levels, enc, prior, cats)
        np.testing.assert_allclose(in_sample, (y + m * prior) / (1 + m))
        assert in_sample[y == 1].min() > in_sample[y == 0].max()   # a threshold recovers every label


# ---- target_encode_out_of_fold ----

@pytest.mark.parametrize("m", [0.0, 2.0, 10.0])
@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_out_of_fold_matches_scikit_learn_cross_fitting(m, binary, seed):
    cats, y = random_data(10 + seed, binary=binary)
    splits = list(KFold(5, shuffle=True, random_state=seed).split(cats))
    fold = np.empty(cats.size, dtype=int)
    for k, (_, test_idx) in enumerate(splits):
        fold[test_idx] = k
    ours = target_encode_out_of_fold(cats, y, folds=fold, smoothing=m)
    sk = TargetEncoder(smooth=m, target_type="binary" if binary else "continuous", cv=splits)
    np.testing.assert_allclose(ours, sk.fit_transform(cats.reshape(-1, 1), y).ravel(), rtol=1e-12, atol=1e-15)


def test_out_of_fold_by_hand():
    # Two folds; each row is encoded from the other fold only, with that fold's prior.
    cats = np.array(["a", "a", "b", "a", "b", "c"])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    fold = np.array([0, 0, 0, 1, 1, 1])
    out = target_encode_out_of_fold(cats, y, folds=fold, smoothing=1)
    prior_1, prior_0 = 2 / 3, 2 / 3                            # means of fold 1 and of fold 0
    expected = [(1 + prior_1) / 2, (1 + prior_1) / 2, (0 + prior_1) / 2,   # fold 0 rows, from fold 1
                (1 + prior_0) / 3, (1 + prior_0) / 2, prior_0]             # fold 1 rows; "c" unseen in fold 0
    np.testing.assert_allclose(out, expected)


def test_out_of_fold_value_ignores_the_rows_own_label():
    cats, y = random_data(5)
    fold = np.arange(cats.size) % 4
    before = target_encode_out_of_fold(cats, y, folds=fold, smoothing=3)
    for i in (0, 17, 123):
        flipped = y.copy()
        flipped[i] = 1 - flipped[i]
        after = target_encode_out_of_fold(cats, flipped, folds=fold, smoothing=3)
        assert after[i] == before[i]                           # row i's own value is unchanged
        assert not np.allclose(after[fold != fold[i]], before[fold != fold[i]])  # other folds' values move


def test_scikit_learn_fit_then_transform_on_training_rows_is_in_sample():
    # fit(X, y).transform(X) skips the cross-fitting that fit_transform does: it is the in-sample (leaky) encoding.
    cats, y = random_data(7)
    sk = TargetEncoder(smooth=5.0, target_type="binary").fit(cats.reshape(-1, 1), y)
    levels, enc, prior = fit_target_encoding(cats, y, smoothing=5.0)
    np.testing.assert_allclose(sk.transform(cats.reshape(-1, 1)).ravel(),
                               apply_target_encoding(levels, enc, prior, cats), rtol=1e-12)


def test_one_level_out_of_fold_value_is_the_other_folds_mean():
    # The fold-level reversal on the page: with one level, a fold's value is the other folds' mean label, so it
    # falls as the fold's own positive rate rises (whatever the smoothing).
    y = np.array([1, 1, 1, 0] + [1, 0, 0, 0] + [1, 1, 0, 0], dtype=float)
    fold = np.repeat([0, 1, 2], 4)
    out = target_encode_out_of_fold(np.zeros(12, dtype=int), y, folds=fold, smoothing=10)
    own_rate = np.array([y[fold == k].mean() for k in range(3)])          # 0.75, 0.25, 0.5
    value = np.array([out[fold == k][0] for k in range(3)])
    np.testing.assert_allclose(value, [y[fold != k].mean() for k in range(3)])
    assert np.all(np.diff(value[np.argsort(own_rate)]) < 0)


def test_integer_folds_are_near_equal_and_seeded():
    cats, y = random_data(6, n=103)
    a = target_encode_out_of_fold(cats, y, folds=5, seed=1)
    assert np.array_equal(a, target_encode_out_of_fold(cats, y, folds=5, seed=1))
    fold = np.random.default_rng(1).permutation(103) % 5
    assert np.bincount(fold).tolist() == [21, 21, 21, 20, 20]
    np.testing.assert_allclose(a, target_encode_out_of_fold(cats, y, folds=fold))


# ---- cyclical_encode ----

def test_cyclical_encode_against_the_formula_and_the_wrap():
    hours = np.arange(24)
    enc = cyclical_encode(hours, 24)
    np.testing.assert_allclose(enc, np.column_stack([np.sin(2 * np.pi * hours / 24), np.cos(2 * np.pi * hours / 24)]))
    np.testing.assert_allclose((enc ** 2).sum(axis=1), 1.0)
    gap = lambda a, b: np.linalg.norm(enc[a] - enc[b])        # noqa: E731
    assert gap(23, 0) == pytest.approx(gap(0, 1)) == pytest.approx(2 * np.sin(np.pi / 24))
    assert gap(0, 12) == pytest.approx(2.0)                    # opposite hours are farthest apart
    np.testing.assert_allclose(cyclical_encode([25.0], 24), cyclical_encode([1.0], 24), atol=1e-12)
    # sine alone confuses hours symmetric about 6: sin(1h) == sin(11h); the cosine tells them apart
    assert enc[1, 0] == pytest.approx(enc[11, 0]) and enc[1, 1] != pytest.approx(enc[11, 1])


# ---- bad input ----

@pytest.mark.parametrize("cats, y, err", [
    (np.array([1.0, np.nan]), [0, 1], ValueError),
    (np.array(["a", None], dtype=object), [0, 1], ValueError),
    (np.array(["a", 1], dtype=object), [0, 1], ValueError),
    (np.array([[1, 2]]), [0, 1], ValueError),
    ([1, 2, 3], [0, 1], ValueError),
    ([1, 2], [0, np.inf], ValueError),
    ([1, 2], ["x", "y"], ValueError),
    ([], [], ValueError),
])
def test_fit_rejects_bad_input(cats, y, err):
    with pytest.raises(err):
        fit_target_encoding(cats, y)


@pytest.mark.parametrize("smoothing, err", [
    (-1.0, ValueError), (np.inf, ValueError), (True, TypeError), ("5", TypeError),
])
def test_bad_smoothing(smoothing, err):
    with pytest.raises(err):
        fit_target_encoding([1, 2], [0, 1], smoothing=smoothing)


@pytest.mark.parametrize("folds", [1, 0, 7, np.zeros(6), np.arange(5), True])
def test_bad_folds(folds):
    with pytest.raises((ValueError, TypeError)):
        target_encode_out_of_fold([1, 1, 2, 2, 3, 3], [0, 1, 0, 1, 0, 1], folds=folds)


def test_apply_rejects_mismatched_levels():
    with pytest.raises(ValueError):
        apply_target_encoding(np.array([1, 2]), np.array([0.5]), 0.5, [1])
    with pytest.raises(ValueError):
        apply_target_encoding(np.array(["a", "b"]), np.array([0.1, 0.2]), 0.5, np.array([1, 2], dtype=object))


@pytest.mark.parametrize("values, period", [
    ([1.0, np.nan], 24), ([[1.0]], 24), ([1.0], 0), ([1.0], -24), ([1.0], np.inf),
])
def test_cyclical_rejects_bad_input(values, period):
    with pytest.raises(ValueError):
        cyclical_encode(values, period)
