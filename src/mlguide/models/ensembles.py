"""Ensembles: the variance of an average of correlated models, and out-of-fold predictions for stacking.

Backs the page `docs/models/ensembles.md` and its notebook. `variance_components` needs only NumPy;
`out_of_fold_predictions` clones scikit-learn estimators, so it needs scikit-learn (a downloaded notebook has both).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv


# --8<-- [start:variance_components]
def variance_components(preds) -> tuple[float, float]:
    """sigma^2 and rho of single-model predictions, from an array of
    shape (R, B, n_points): preds[r, b, i] is model b of the ensemble
    trained on training set r, evaluated at test point i.

    The B models of one ensemble differ only by their own random draws
    (bootstrap rows, candidate features), so given the training set D
    they are independent and identically distributed. Then
      E_D[Var(T | D)] = (1 - rho) * sigma^2   (within an ensemble),
      Var_D(E[T | D]) = rho * sigma^2         (between training sets),
    where T is one model's prediction. Both are estimated without bias
    and averaged over the test points; returns (sigma2, rho). The
    variance of an average of B' such models is then
    rho * sigma2 + (1 - rho) * sigma2 / B'. Needs R >= 2 and B >= 2.
    """
    preds = np.asarray(preds, dtype=float)
    if preds.ndim != 3 or preds.shape[0] < 2 or preds.shape[1] < 2 or preds.shape[2] < 1:
        raise ValueError(f"need shape (R >= 2, B >= 2, n_points >= 1), got {preds.shape}")
    if not np.all(np.isfinite(preds)):
        raise ValueError("predictions must be finite")
    B = preds.shape[1]
    within = preds.var(axis=1, ddof=1).mean(axis=0)         # per test point
    between = preds.mean(axis=1).var(axis=0, ddof=1) - within / B
    sigma2 = float(np.mean(within + between))
    if sigma2 <= 0:
        raise ValueError("the predictions do not vary")
    return sigma2, float(np.mean(between) / sigma2)
# --8<-- [end:variance_components]


# --8<-- [start:out_of_fold_predictions]
def out_of_fold_predictions(estimators, X, y, cv=5,
                            method: str = "predict") -> np.ndarray:
    """The level-one data of stacking: one column per base model, and
    in row i the prediction of a copy of that model fitted without
    row i's fold.

    estimators: unfitted scikit-learn estimators; cv: an int or a
    scikit-learn splitter, read as cross_val_predict reads it (an int
    means stratified folds for classifiers, plain K-fold otherwise);
    method: "predict", "predict_proba" or "decision_function". For two
    classes predict_proba keeps the positive class's column, as
    StackingClassifier does; two classes only (for K > 2 classes
    StackingClassifier stacks all K probability columns, and this
    function raises). A meta-model fitted on these columns
    never sees a prediction made on a model's own training rows.
    """
    X, y = np.asarray(X), np.asarray(y)
    if not estimators or len(X) != len(y):
        raise ValueError("need at least one estimator and as many rows of X as labels")
    splitter = check_cv(cv, y, classifier=is_classifier(estimators[0]))
    out = np.full((len(y), len(estimators)), np.nan)
    seen = np.zeros(len(y), dtype=int)
    for train, test in splitter.split(X, y):
        seen[test] += 1
        for k, estimator in enumerate(estimators):
            model = clone(estimator).fit(X[train], y[train])
            pred = np.asarray(getattr(model, method)(X[test]))
            if pred.ndim == 2 and pred.shape[1] == 2:
                pred = pred[:, 1]
            if pred.ndim != 1:
                raise ValueError(f"{method} must give one number per row")
            out[test, k] = pred
    if not np.all(seen == 1):
        raise ValueError("the folds must put every row in exactly one test fold")
    return out
# --8<-- [end:out_of_fold_predictions]
