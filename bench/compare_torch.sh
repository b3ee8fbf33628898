#!/bin/sh
# compare_torch.sh -- the tiny VAE against its PyTorch peer on Fashion-MNIST:
# the same network (784-400-20, ReLU, Bernoulli decoder, batch 128, Adam 1e-3),
# the same data (binarised at 0.5), the same number of epochs and threads.
# Prints both JSON results and the ratio of training throughputs.
#   sh bench/compare_torch.sh [BUILD_DIR=build] [EPOCHS=10] [THREADS=2]
# Needs dataset-fashion-mnist and, for the peer, Debian's python3-torch
# (neither is needed by the build or the tests).
set -eu
build=${1:-build}
epochs=${2:-10}
threads=${3:-2}
here=$(dirname "$0")
out=$(mktemp -d)
"$build/src/cli/elbolab" vae train --data fashion-mnist --epochs "$epochs" --threads "$threads" \
    --json --no-figures --out "$out/model.vae" > "$out/elbolab.json"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 "$here/vae_torch.py" --epochs "$epochs" --threads "$threads" > "$out/torch.json"
else
    echo "python3-torch is not installed: apt-get install python3-torch (the C side ran alone)" >&2
    echo '{}' > "$out/torch.json"
fi
/usr/bin/python3 - "$out/elbolab.json" "$out/torch.json" <<'PY'
import json, sys
c, t = (json.load(open(p)) for p in sys.argv[1:3])
print(f"elbolab: {c['images_per_second']:.0f} images/s, test ELBO {c['test_elbo']:.2f} nats/image "
      f"after {c['epochs']} epochs ({c['threads']} threads)")
if t:
    print(f"{t['peer']}: {t['images_per_second']:.0f} images/s, test ELBO {t['test_elbo']:.2f} "
          f"nats/image after {t['epochs']} epochs ({t['threads']} threads)")
    print(f"throughput ratio {c['images_per_second'] / t['images_per_second']:.2f}x, "
          f"test ELBO difference {c['test_elbo'] - t['test_elbo']:+.2f} nats/image")
PY
rm -rf "$out"
