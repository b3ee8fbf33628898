import torch


def reparameterize(mu, logvar):
    return torch.normal(mu, torch.exp(0.5 * logvar))
