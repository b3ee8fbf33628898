import numpy as np


def reparameterize(mu, logvar):
    std = np.exp(logvar)
    return mu + std * np.random.randn(*mu.shape)
