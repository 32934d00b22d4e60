"""Classical supervised models, written from scratch: trees, ensembles, boosting, linear models, SVMs, k-NN."""
