"""Neural networks: a NumPy multilayer perceptron and the layers the `neural-networks/` pages take apart."""
