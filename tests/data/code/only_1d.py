import numpy as np


def reparameterize(mu, logvar):
    """Works for one example only: the noise has len(mu) entries."""
    eps = np.random.randn(len(mu))
    return mu + np.exp(0.5 * logvar) * eps
