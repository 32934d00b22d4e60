"""Tests for src/mlguide/models/ensembles.py: variance components on simulated correlated models, and out-of-fold
predictions against scikit-learn's cross_val_predict, StackingRegressor and StackingClassifier."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlguide.models.ensembles import out_of_fold_predictions, variance_components


def equicorrelated(R, B, n_points, sigma2, rho, seed):
    """Predictions with variance sigma2 and correlation rho between any two models of one ensemble."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=(R, 1, n_points)) * np.sqrt(rho * sigma2)      # what the training set decides
    own = rng.normal(size=(R, B, n_points)) * np.sqrt((1 - rho) * sigma2)   # each model's own randomness
    return 3.0 + shared + own


# ---------------------------------------------------------------- variance_components

def test_page_arithmetic():
    # sigma^2 = 1: rho = 0.5 with B = 10 gives 0.55; rho = 0.1 gives 0.19
    assert 0.5 + 0.5 / 10 == pytest.approx(0.55)
    assert 0.1 + 0.9 / 10 == pytest.approx(0.19)
    # the variance of a mean of B identically distributed variables, from its covariance matrix
    for rho, B in [(0.5, 10), (0.1, 10), (0.3, 7)]:
        cov = np.full((B, B), rho) + (1 - rho) * np.eye(B)
        assert np.ones(B) @ cov @ np.ones(B) / B**2 == pytest.approx(rho + (1 - rho) / B)


@pytest.mark.parametrize(("sigma2", "rho"), [(1.0, 0.5), (4.0, 0.1), (0.3, 0.9)])
def test_recovers_known_components(sigma2, rho):
    preds = equicorrelated(R=400, B=20, n_points=50, sigma2=sigma2, rho=rho, seed=1)
    s2, r = variance_components(preds)
    assert s2 == pytest.approx(sigma2, rel=0.05)
    assert r == pytest.approx(rho, abs=0.03)


def test_predicts_the_variance_of_smaller_ensembles():
    preds = equicorrelated(R=2000, B=30, n_points=20, sigma2=2.0, rho=0.2, seed=2)
    s2, r = variance_components(preds)
    for b in (1, 3, 10, 30):
        measured = preds[:, :b].mean(axis=1).var(axis=0, ddof=1).mean()
        assert measured == pytest.approx(r * s2 + (1 - r) * s2 / b, rel=0.08)


def test_agrees_with_pairwise_numpy_estimates():
    preds = equicorrelated(R=3000, B=2, n_points=5, sigma2=1.5, rho=0.4, seed=3)
    s2, r = variance_components(preds)
    pair_corr = np.mean([np.corrcoef(preds[:, 0, i], preds[:, 1, i])[0, 1] for i in range(5)])
    pair_var = np.mean([np.var(preds[:, :, i], ddof=1) for i in range(5)])
    assert r == pytest.approx(pair_corr, abs=0.03)
    assert s2 == pytest.approx(pair_var, rel=0.03)


def test_identical_models_have_rho_one_and_independent_ones_zero():
    rng = np.random.default_rng(4)
    same = np.repeat(rng.normal(size=(50, 1, 10)), 5, axis=1)
    assert variance_components(same)[1] == pytest.approx(1.0)
    independent = rng.normal(size=(2000, 10, 10))
    assert variance_components(independent)[1] == pytest.approx(0.0, abs=0.02)


@pytest.mark.parametrize("preds", [
    np.ones((5, 3)), np.ones((1, 3, 4)), np.ones((5, 1, 4)), np.ones((5, 3, 0)), np.ones((4, 3, 2)),
    np.full((4, 3, 2), np.nan),
])
def test_variance_components_rejects_bad_input(preds):
    with pytest.raises(ValueError):
        variance_components(preds)


# ---------------------------------------------------------------- out_of_fold_predictions

def test_matches_cross_val_predict_column_by_column():
    X, y = make_friedman1(n_samples=150, noise=1.0, random_state=0)
    models = [Ridge(alpha=1.0), DecisionTreeRegressor(max_depth=4, random_state=0), KNeighborsRegressor(7)]
    folds = KFold(5, shuffle=True, random_state=0)
    oof = out_of_fold_predictions(models, X, y, cv=folds)
    for k, model in enumerate(models):
        assert np.allclose(oof[:, k], cross_val_predict(model, X, y, cv=folds))


def test_meta_model_matches_sklearn_stacking_regressor():
    X, y = make_friedman1(n_samples=200, noise=1.0, random_state=1)
    models = [("ridge", Ridge(alpha=1.0)), ("tree", DecisionTreeRegressor(max_depth=5, random_state=0)),
              ("knn", KNeighborsRegressor(5))]
    folds = KFold(5)
    stack = StackingRegressor(models, final_estimator=LinearRegression(), cv=folds).fit(X, y)
    oof = out_of_fold_predictions([m for _, m in models], X, y, cv=folds)
    meta = LinearRegression().fit(oof, y)
    assert np.allclose(meta.coef_, stack.final_estimator_.coef_)
    assert meta.intercept_ == pytest.approx(stack.final_estimator_.intercept_)


def test_in_sample_predictions_would_mislead_the_meta_model():
    # A 1-nearest-neighbour model reproduces its training targets, so a meta-model fitted on in-sample
    # predictions trusts it completely; on out-of-fold predictions it does not.
    X, y = make_friedman1(n_samples=300, noise=3.0, random_state=2)
    models = [Ridge(alpha=1.0), KNeighborsRegressor(1)]
    in_sample = np.column_stack([m.fit(X, y).predict(X) for m in models])
    oof = out_of_fold_predictions(models, X, y, cv=KFold(5, shuffle=True, random_state=0))
    naive = LinearRegression().fit(in_sample, y).coef_
    honest = LinearRegression().fit(oof, y).coef_
    assert naive[1] == pytest.approx(1.0) and abs(naive[0]) < 1e-8
    assert honest[0] > honest[1]


def test_binary_probabilities_match_sklearn_stacking_classifier():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    models = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    stack = StackingClassifier(models, final_estimator=LogisticRegression(), cv=5,
                               stack_method="predict_proba").fit(X, y)
    oof = out_of_fold_predictions([m for _, m in models], X, y, cv=5, method="predict_proba")
    assert np.allclose(oof[:, 0], cross_val_predict(models[0][1], X, y, cv=StratifiedKFold(5),
                                                    method="predict_proba")[:, 1])
    meta = LogisticRegression().fit(oof, y)
    assert np.allclose(meta.coef_, stack.final_estimator_.coef_)


def test_out_of_fold_rejects_bad_input():
    X, y = make_friedman1(n_samples=40, random_state=0)
    with pytest.raises(ValueError):
        out_of_fold_predictions([], X, y)
    with pytest.raises(ValueError):
        out_of_fold_predictions([Ridge()], X, y[:-1])
    overlapping = [(np.arange(20, 40), np.arange(0, 25)), (np.arange(0, 20), np.arange(20, 40))]
    with pytest.raises(ValueError, match="exactly one"):
        out_of_fold_predictions([Ridge()], X, y, cv=overlapping)
    Xc, yc = make_classification(n_samples=90, n_classes=3, n_informative=4, random_state=0)
    with pytest.raises(ValueError, match="one number"):
        out_of_fold_predictions([LogisticRegression()], Xc, yc, cv=3, method="predict_proba")
