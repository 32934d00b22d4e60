"""Tests for mlguide.generalization.splits: k-fold and forward-chaining index generators, checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold, TimeSeriesSplit, cross_val_score
from sklearn.linear_model import LinearRegression

from mlguide.generalization.splits import forward_chaining_splits, k_fold_indices


# ---------------------------------------------------------------- k_fold_indices

@pytest.mark.parametrize(("n", "k"), [(10, 2), (10, 3), (11, 5), (7, 7), (100, 10), (23, 4)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_k_fold_is_a_partition(n, k, shuffle):
    splits = list(k_fold_indices(n, k, shuffle=shuffle, seed=0))
    assert len(splits) == k
    all_tests = np.concatenate([test for _, test in splits])
    assert np.array_equal(np.sort(all_tests), np.arange(n)), "every index is tested exactly once"
    for train, test in splits:
        assert np.intersect1d(train, test).size == 0
        assert np.array_equal(np.union1d(train, test), np.arange(n))
        assert train.dtype.kind == "i" and test.dtype.kind == "i"
    sizes = sorted(len(test) for _, test in splits)
    assert sizes[-1] - sizes[0] <= 1, "fold sizes differ by at most one"


@pytest.mark.parametrize(("n", "k"), [(10, 2), (10, 3), (11, 5), (7, 7), (100, 10), (23, 4)])
def test_k_fold_without_shuffle_matches_sklearn(n, k):
    ours = list(k_fold_indices(n, k))
    theirs = list(KFold(n_splits=k).split(np.zeros((n, 1))))
    assert len(ours) == len(theirs)
    for (tr_a, te_a), (tr_b, te_b) in zip(ours, theirs):
        assert np.array_equal(tr_a, tr_b)
        assert np.array_equal(te_a, te_b)


def test_k_fold_hand_example():
    # 7 samples in 3 folds: sizes 3, 2, 2.
    tests = [test.tolist() for _, test in k_fold_indices(7, 3)]
    assert tests == [[0, 1, 2], [3, 4], [5, 6]]
    trains = [train.tolist() for train, _ in k_fold_indices(7, 3)]
    assert trains[1] == [0, 1, 2, 5, 6]


def test_k_fold_shuffle_is_reproducible_and_seed_dependent():
    a = [test.tolist() for _, test in k_fold_indices(50, 5, shuffle=True, seed=1)]
    b = [test.tolist() for _, test in k_fold_indices(50, 5, shuffle=True, seed=1)]
    c = [test.tolist() for _, test in k_fold_indices(50, 5, shuffle=True, seed=2)]
    assert a == b
    assert a != c
    assert a != [test.tolist() for _, test in k_fold_indices(50, 5)], "shuffling changes the folds"


def test_k_fold_fold_sizes_match_sklearn_with_shuffle():
    ours = sorted(len(t) for _, t in k_fold_indices(103, 10, shuffle=True, seed=3))
    theirs = sorted(len(t) for _, t in KFold(10, shuffle=True, random_state=3).split(np.zeros((103, 1))))
    assert ours == theirs


def test_k_fold_leave_one_out():
    splits = list(k_fold_indices(5, 5))
    assert [test.tolist() for _, test in splits] == [[0], [1], [2], [3], [4]]
    assert all(len(train) == 4 for train, _ in splits)


def test_k_fold_works_as_sklearn_cv_argument():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=40)
    ours = cross_val_score(LinearRegression(), X, y, cv=list(k_fold_indices(40, 4)))
    theirs = cross_val_score(LinearRegression(), X, y, cv=KFold(4))
    assert np.allclose(ours, theirs)


def test_k_fold_accepts_numpy_integers():
    assert len(list(k_fold_indices(np.int64(9), np.int32(3)))) == 3


@pytest.mark.parametrize(
    ("n", "k", "error"),
    [(10, 1, ValueError), (10, 11, ValueError), (1, 2, ValueError), (10, 2.0, TypeError), (10.0, 2, TypeError),
     (10, True, TypeError)],
)
def test_k_fold_rejects_bad_input(n, k, error):
    with pytest.raises(error):
        k_fold_indices(n, k)   # raises at call time, not at the first next()


# ---------------------------------------------------------------- forward_chaining_splits

@pytest.mark.parametrize(("n", "n_splits", "gap"), [(12, 3, 0), (10, 3, 0), (100, 5, 0), (17, 4, 0), (5, 4, 0),
                                                    (20, 3, 2), (50, 4, 5)])
def test_forward_chaining_matches_sklearn(n, n_splits, gap):
    ours = list(forward_chaining_splits(n, n_splits, gap=gap))
    theirs = list(TimeSeriesSplit(n_splits=n_splits, gap=gap).split(np.zeros((n, 1))))
    assert len(ours) == len(theirs) == n_splits
    for (tr_a, te_a), (tr_b, te_b) in zip(ours, theirs):
        assert np.array_equal(tr_a, tr_b)
        assert np.array_equal(te_a, te_b)


@pytest.mark.parametrize(("n", "n_splits", "gap"), [(12, 3, 0), (101, 7, 0), (30, 2, 3)])
def test_forward_chaining_never_trains_on_the_future(n, n_splits, gap):
    previous_train = 0
    for train, test in forward_chaining_splits(n, n_splits, gap=gap):
        assert train.max() + gap < test.min(), "every training index precedes every test index by more than gap"
        assert len(train) > previous_train, "the training window expands"
        previous_train = len(train)
        assert np.array_equal(test, np.arange(test[0], test[-1] + 1)), "test blocks are contiguous"


def test_forward_chaining_hand_example():
    splits = [(tr.tolist(), te.tolist()) for tr, te in forward_chaining_splits(10, 3)]
    # test blocks of 10 // 4 = 2; the first block starts at 10 - 3 * 2 = 4
    assert splits == [([0, 1, 2, 3], [4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7]), ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])]


def test_forward_chaining_last_block_ends_at_the_end():
    *_, (train, test) = forward_chaining_splits(103, 5)
    assert test[-1] == 102


@pytest.mark.parametrize(
    ("n", "n_splits", "gap", "error"),
    [(3, 3, 0, ValueError), (10, 0, 0, ValueError), (10, 1, 0, ValueError), (10, 3, 4, ValueError),
     (10, 3, -1, ValueError), (10, 3.0, 0, TypeError), (10, 3, 0.5, TypeError)],
)
def test_forward_chaining_rejects_bad_input(n, n_splits, gap, error):
    with pytest.raises(error):
        forward_chaining_splits(n, n_splits, gap=gap)


def test_forward_chaining_rejects_one_split_like_sklearn():
    with pytest.raises(ValueError):
        TimeSeriesSplit(n_splits=1).split(np.zeros((10, 1))).__next__()
    with pytest.raises(ValueError):
        forward_chaining_splits(10, 1)
