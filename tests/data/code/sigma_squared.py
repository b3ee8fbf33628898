import numpy as np


def reparameterize(mu, logvar):
    sigma = np.exp(0.5 * logvar)
    eps = np.random.normal(size=np.shape(mu))
    return mu + sigma**2 * eps
