"""Foundations: losses, optimizers and the comparisons behind choosing a model."""
