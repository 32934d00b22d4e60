"""Generative models and robustness: autoencoders, the ELBO, restricted Boltzmann machines, GANs and adversarial examples."""
