"""Tests for src/mlguide/models/trees.py: the page's hand-worked split, and scikit-learn's chosen threshold and impurities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlguide.models.trees import best_split, entropy, gini, misclassification

# The page's worked example: ten examples on one feature, six positives.
X_PAGE = np.arange(1.0, 11.0)
Y_PAGE = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 1])


def stump_decrease(tree) -> float:
    """Impurity decrease of a fitted depth-1 scikit-learn tree's root split, from its node impurities."""
    n = tree.n_node_samples
    return tree.impurity[0] - (n[1] * tree.impurity[1] + n[2] * tree.impurity[2]) / n[0]


# ---------------------------------------------------------------- impurities

def test_impurities_by_hand():
    assert gini([6, 4]) == pytest.approx(0.48)
    assert gini([1, 6]) == pytest.approx(12 / 49)
    assert entropy([6, 4]) == pytest.approx(-(0.6 * np.log2(0.6) + 0.4 * np.log2(0.4)))
    assert entropy([6, 4]) == pytest.approx(0.971, abs=5e-4)
    assert misclassification([6, 4]) == pytest.approx(0.4)
    for f in (gini, entropy, misclassification):
        assert f([5, 0]) == 0.0 and f([0, 0, 3]) == 0.0        # pure nodes
    assert gini([1, 1, 1, 1]) == pytest.approx(0.75)            # 1 - 1/K
    assert entropy([1, 1, 1, 1]) == pytest.approx(2.0)          # log2 K
    assert np.allclose(gini([[3, 0], [1, 6]]), [0.0, 12 / 49])  # one value per row


def test_misclassification_can_see_no_gain_where_gini_does():
    # parent 70/30 -> children 40/10 and 30/20: both children keep the majority class
    parent, left, right = [70, 30], [40, 10], [30, 20]

    def decrease(f):
        return f(parent) - 0.5 * f(left) - 0.5 * f(right)

    assert decrease(misclassification) == pytest.approx(0.0, abs=1e-15)
    assert decrease(gini) == pytest.approx(0.42 - 0.40)
    assert decrease(entropy) > 0


@pytest.mark.parametrize("counts", [[], [1, -1], [0, 0], [np.nan, 1]])
def test_bad_counts_raise(counts):
    with pytest.raises(ValueError):
        gini(counts)


# ---------------------------------------------------------------- best_split

def test_page_worked_split():
    assert best_split(X_PAGE, Y_PAGE, "gini") == (5.5, pytest.approx(0.32))
    threshold, gain = best_split(X_PAGE, Y_PAGE, "entropy")
    assert threshold == 5.5 and gain == pytest.approx(0.971 - 0.5 * 0.722, abs=1e-3)
    for criterion in ("gini", "entropy"):
        tree = DecisionTreeClassifier(max_depth=1, criterion=criterion).fit(X_PAGE[:, None], Y_PAGE).tree_
        assert tree.threshold[0] == 5.5
        assert stump_decrease(tree) == pytest.approx(best_split(X_PAGE, Y_PAGE, criterion)[1], abs=1e-12)
    assert tree.impurity[0] == pytest.approx(entropy([6, 4]))


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("seed", range(25))
def test_classification_split_matches_scikit_learn(seed, criterion):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    # values scikit-learn's float32 copy represents exactly; some ties in x
    x = np.round(rng.normal(size=n), 2).astype(np.float32).astype(float)
    y = rng.integers(0, int(rng.integers(2, 5)), size=n)
    threshold, gain = best_split(x, y, criterion)
    tree = DecisionTreeClassifier(max_depth=1, criterion=criterion, random_state=0).fit(x[:, None], y).tree_
    if tree.node_count == 1:  # scikit-learn found nothing worth splitting
        assert gain == pytest.approx(0.0, abs=1e-12)
        return
    assert threshold == tree.threshold[0]
    assert gain == pytest.approx(stump_decrease(tree), abs=1e-12)


@pytest.mark.parametrize("seed", range(25))
def test_regression_split_matches_scikit_learn(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 300))
    x = np.round(rng.uniform(-3, 3, size=n), 2).astype(np.float32).astype(float)
    y = np.sin(x) + rng.normal(scale=0.5, size=n) + 50.0       # an offset, to test the centring
    threshold, gain = best_split(x, y, "squared_error")
    tree = DecisionTreeRegressor(max_depth=1).fit(x[:, None], y).tree_
    assert threshold == tree.threshold[0]
    assert gain == pytest.approx(stump_decrease(tree), rel=1e-9, abs=1e-12)


def test_split_depends_only_on_the_order_of_x():
    rng = np.random.default_rng(0)
    x = rng.normal(size=80)
    y = (x + rng.normal(scale=0.8, size=80) > 0).astype(int)
    threshold, gain = best_split(x, y)
    moved = x.copy()
    moved[np.argmax(x)] = 1e6                                 # an outlying input
    t2, g2 = best_split(moved, y)
    assert g2 == gain and (t2 == threshold or threshold > np.sort(x)[-2])
    t3, g3 = best_split(np.exp(x), y)                           # a monotone transform
    assert g3 == pytest.approx(gain, abs=1e-15)
    assert np.sum(np.exp(x) <= t3) == np.sum(x <= threshold)   # the same examples go left


def test_an_outlying_target_moves_a_regression_split():
    x = np.arange(1.0, 9.0)
    y = np.array([1.0, 1.2, 0.9, 1.1, 3.0, 3.1, 2.9, 3.2])
    assert best_split(x, y, "squared_error")[0] == 4.5
    y_out = y.copy()
    y_out[-1] = 100.0
    assert best_split(x, y_out, "squared_error")[0] == 7.5      # the split now isolates the outlier


def test_constant_feature_and_ties_only():
    assert best_split([2.0, 2.0, 2.0], [0, 1, 0]) == (pytest.approx(np.nan, nan_ok=True), 0.0)
    threshold, gain = best_split([1.0, 1.0, 2.0, 2.0], [0, 0, 1, 1])
    assert threshold == 1.5 and gain == pytest.approx(0.5)


def test_string_labels_and_misclassification_criterion():
    assert best_split(X_PAGE, np.where(Y_PAGE == 1, "yes", "no"))[0] == 5.5
    threshold, gain = best_split(X_PAGE, Y_PAGE, "misclassification")
    # error rate falls from 0.4 to 0.1 at 3.5 and at 5.5: the tie goes to the smaller threshold
    assert threshold == 3.5 and gain == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("x", "y", "criterion"),
    [
        ([1.0, 2.0], [0, 1, 1], "gini"),        # length mismatch
        ([[1.0, 2.0]], [[0, 1]], "gini"),       # 2-D
        ([], [], "gini"),                       # empty
        ([1.0, np.nan], [0, 1], "gini"),        # NaN feature
        ([1.0, 2.0], [0, 1], "log_loss"),       # unknown criterion
    ],
)
def test_bad_input_raises(x, y, criterion):
    with pytest.raises(ValueError):
        best_split(x, y, criterion)
