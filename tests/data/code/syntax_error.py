import numpy as np

def reparameterize(mu, logvar)
    return mu + np.exp(0.5 * logvar) * np.random.randn(*mu.shape)
