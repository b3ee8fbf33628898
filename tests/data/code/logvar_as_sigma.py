import numpy as np


def reparameterize(mu, logvar):
    eps = np.random.randn(*mu.shape)
    return mu + logvar * eps
