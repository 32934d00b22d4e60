"""Convolutional networks and vision: convolution, output shapes and parameter counts, IoU, non-maximum suppression, focal loss."""
