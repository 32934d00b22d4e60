"""Model evaluation: confusion matrices, ranking curves and regression metrics."""
