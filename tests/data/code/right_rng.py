import numpy as np

rng = np.random.default_rng(7)


def sample_z(mean, log_var):
    eps = rng.normal(size=mean.shape)
    return mean + np.exp(log_var / 2) * eps
