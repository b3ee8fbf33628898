import numpy as np


def reparameterize(mu, logvar):
    """z = mu + sigma * eps, sigma = exp(logvar / 2), eps ~ N(0, I)."""
    std = np.exp(0.5 * logvar)
    eps = np.random.standard_normal(np.shape(mu))
    return mu + std * eps
