import numpy as np

EPS = np.random.randn(3)


def reparameterize(mu, logvar):
    return mu + np.exp(0.5 * logvar) * EPS
