#!/bin/sh
# compare_torch.sh -- the tiny VAE against its PyTorch peer on Fashion-MNIST:
# the same network (784-400-20, ReLU, Bernoulli decoder, batch 128, Adam 1e-3),
# the same data (binarised at 0.5), the same number of epochs and threads.
# PyTorch runs twice: as Debian ships it (its OpenMP threads and OpenBLAS's
# own threads then compete for the cores), and with OPENBLAS_NUM_THREADS=1
# (PyTorch's threads only), which is much faster.  Prints the three results
# and the ratios of training throughputs.
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
echo '{}' > "$out/torch.json"
echo '{}' > "$out/torch1.json"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 "$here/vae_torch.py" --epochs "$epochs" --threads "$threads" > "$out/torch.json"
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/vae_torch.py" --epochs "$epochs" \
        --threads "$threads" > "$out/torch1.json"
else
    echo "python3-torch is not installed: apt-get install python3-torch (the C side ran alone)" >&2
fi
/usr/bin/python3 - "$out/elbolab.json" "$out/torch.json" "$out/torch1.json" <<'PY'
import json, sys
c, t, t1 = (json.load(open(p)) for p in sys.argv[1:4])
print(f"elbolab: {c['images_per_second']:.0f} images/s ({c['gflops']:.1f} GFLOP/s), "
      f"test ELBO {c['test_elbo']:.2f} nats/image after {c['epochs']} epochs, {c['threads']} threads")
for name, r in (("as shipped", t), ("OPENBLAS_NUM_THREADS=1", t1)):
    if r:
        print(f"{r['peer']} ({name}): {r['images_per_second']:.0f} images/s, test ELBO "
              f"{r['test_elbo']:.2f} nats/image after {r['epochs']} epochs, {r['threads']} threads")
        print(f"  elbolab/PyTorch throughput {c['images_per_second'] / r['images_per_second']:.2f}x, "
              f"test ELBO difference {c['test_elbo'] - r['test_elbo']:+.2f} nats/image")
PY
rm -rf "$out"
