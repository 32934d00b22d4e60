"""Unsupervised learning and recommenders: k-means, PCA, spectral clustering and matrix factorization."""
