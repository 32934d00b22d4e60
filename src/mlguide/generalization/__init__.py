"""Generalization: the bias-variance decomposition, regularization paths and validation splits."""
