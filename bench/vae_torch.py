#!/usr/bin/python3
"""The PyTorch peer of the tiny VAE, for bench/compare_torch.sh.

The network of pytorch/examples' VAE -- 784-400-20, ReLU, a Bernoulli
decoder (sigmoid then binary cross-entropy, summed over pixels), the KL of
N(mu, sigma^2) from N(0, I) in closed form, batch 128, Adam with lr 1e-3 --
trained on Fashion-MNIST binarised at 0.5 (the files of Debian's
dataset-fashion-mnist), with the given number of CPU threads.  Prints one
JSON object: images per second while training, the last epoch's running
train ELBO and the test ELBO (one sample per image, nats per image).

Needs Debian's python3-torch; the tests and the build never use it.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_images(split, threshold):
    """The images of SPLIT as an (n, 784) float tensor of 0/1 values."""
    with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784)
    return torch.from_numpy((pixels / 255.0 > threshold).astype(np.float32))


class TinyVAE(nn.Module):
    """Encoder 784 -> 400 -> (mu, logvar) of 20; decoder 20 -> 400 -> 784."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(784, 400)
        self.enc_mu = nn.Linear(400, 20)
        self.enc_logvar = nn.Linear(400, 20)
        self.dec = nn.Linear(20, 400)
        self.dec_out = nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.enc_mu(h), self.enc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        mean = torch.sigmoid(self.dec_out(F.relu(self.dec(z))))
        return mean, mu, logvar


def neg_elbo(mean, x, mu, logvar):
    """Summed over the batch: -E log p(x|z) + KL(q(z|x) || N(0, I))."""
    recon = F.binary_cross_entropy(mean, x, reduction="sum")
    kl = 0.5 * torch.sum(mu * mu + logvar.exp() - 1 - logvar)
    return recon + kl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--rows", type=int, default=0, help="use the first N training images")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, test = read_images("train", a.threshold), read_images("t10k", a.threshold)
    if a.rows:
        train = train[:a.rows]
    model = TinyVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds, history = 0.0, []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        total = 0.0
        order = torch.randperm(len(train))
        for i in range(0, len(train), 128):
            x = train[order[i:i + 128]]
            opt.zero_grad()
            mean, mu, logvar = model(x)
            loss = neg_elbo(mean, x, mu, logvar)
            loss.backward()
            opt.step()
            total += loss.item()
        seconds += time.perf_counter() - t0
        with torch.no_grad():
            mean, mu, logvar = model(test)
            test_elbo = -neg_elbo(mean, test, mu, logvar).item() / len(test)
        history.append({"epoch": epoch + 1, "train_elbo": -total / len(train),
                        "test_elbo": test_elbo})
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "threads": a.threads,
                      "epochs": a.epochs,
                      "images_per_second": a.epochs * len(train) / seconds,
                      "train_seconds": seconds, "train_elbo": history[-1]["train_elbo"],
                      "test_elbo": history[-1]["test_elbo"], "history": history}))


if __name__ == "__main__":
    main()
