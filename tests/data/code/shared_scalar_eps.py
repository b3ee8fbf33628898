import numpy as np


def sample_z(mu, log_var):
    std = np.exp(0.5 * log_var)
    eps = np.random.randn()  # one number for every dimension and every row
    return mu + std * eps
