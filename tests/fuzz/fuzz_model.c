/* fuzz_model.c -- libFuzzer target for the VAE model-file reader
 * (el_vae_load_mem).  The harness rewrites the last four bytes as the CRC-32
 * of the others, so the fuzzer gets past the checksum to the shapes, the
 * data name and the parameters.  Aborts (a finding) on a broken contract: a
 * model accepted whose parameter count, image shape or data name disagrees
 * with the file, or that cannot decode a sample.  Crashes, hangs, huge
 * allocations and sanitizer reports are findings by themselves.  Built and
 * run by tests/fuzz/run_model.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/el_core.h"
#include "plot/el_plot.h"
#include "vae/el_vae.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    if (size >= 12) {
        uint32_t c = (uint32_t)crc32(0L, b, (uInt)(size - 4));
        for (int i = 0; i < 4; i++)
            b[size - 4 + (size_t)i] = (unsigned char)(c >> (8 * i));
    }
    el_vae_meta meta;
    int st;
    el_vae *m = el_vae_load_mem(b, size, "fuzz.vae", &meta, &st);
    free(b);
    if (!m) {
        if (st == EL_OK)
            abort();
        return 0;
    }
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim;
    if (memchr(meta.data, '\0', sizeof meta.data) == NULL)
        abort();
    if ((meta.width || meta.height) && meta.width * meta.height != D)
        abort();
    if (m->nparams * (size_t)m->prec > size) /* every parameter came from the file */
        abort();
    double *z = calloc(2 * Z, sizeof *z), *x = malloc(2 * D * sizeof *x);
    if (z && x && el_vae_decode(m, z, 2, x) != EL_OK)
        abort();
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        el_plot_quote(null, meta.data);
        fclose(null);
    }
    free(z);
    free(x);
    el_vae_free(m);
    return 0;
}
