/* fuzz_idx.c -- libFuzzer target for the IDX reader (el_vae_idx_load): the
 * input is split into an images file and a labels file (the first two bytes
 * give the length of the images file), written to a private folder, and
 * read as split "fuzz", grey and binarised.  Aborts (a finding) when a data
 * set is accepted with a shape, a pixel or a label that disagrees with its
 * contract.  Crashes, hangs and sanitizer reports are findings by
 * themselves.  Built and run by tests/fuzz/run_idx.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/el_core.h"
#include "vae/el_vae.h"

static char dir[64];

static void put(const char *name, const uint8_t *b, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(b, 1, n, f) != n)
        abort();
    fclose(f);
}

static void check(const uint8_t *data, size_t size, double thr)
{
    (void)data;
    (void)size;
    int st;
    el_vae_data *d = el_vae_idx_load(dir, "fuzz", thr, 64, &st);
    if (!d) {
        if (st == EL_OK)
            abort();
        return;
    }
    if (d->n == 0 || d->n > 64 || d->d != d->width * d->height || !d->label)
        abort();
    for (size_t i = 0; i < d->n * d->d; i++)
        if (!(d->x[i] >= 0.0f && d->x[i] <= 1.0f) || (thr >= 0 && d->x[i] != 0 && d->x[i] != 1))
            abort();
    for (size_t i = 0; i < d->n; i++)
        if (d->label[i] < 0 || (size_t)d->label[i] >= d->nclass)
            abort();
    el_vae_data_free(d);
}

/* Removes the private folder when the fuzzer exits. */
static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz-images-idx3-ubyte", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/fuzz-labels-idx1-ubyte", dir);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_idx.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    size_t split = size >= 2 ? (size_t)data[0] | (size_t)data[1] << 8 : 0;
    const uint8_t *rest = size >= 2 ? data + 2 : data;
    size_t n = size >= 2 ? size - 2 : 0;
    if (split > n)
        split = n;
    put("fuzz-images-idx3-ubyte", rest, split);
    put("fuzz-labels-idx1-ubyte", rest + split, n - split);
    check(data, size, -1.0);
    check(data, size, 0.5);
    return 0;
}
