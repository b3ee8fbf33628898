/* vae_data.c -- `--data` for `elbolab vae`: the built-in synthetic sets,
 * Debian's Fashion-MNIST, or a folder of IDX files. */
#include "cli/cli.h"
#include "cli/vae_cli.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SPRITES_TRAIN 20000
#define SPRITES_TEST  2000
#define SYNTH_TRAIN   5000
#define SYNTH_TEST    1000

static const char *const fashion_names[] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};
static const char *const sprite_names[] = { "square", "plus", "ring" };

const char *vae_class_name(const vae_data *d, size_t k)
{
    if (strcmp(d->name, "fashion-mnist") == 0 && k < 10)
        return fashion_names[k];
    if (strcmp(d->name, "synthetic") == 0 && k < 3)
        return sprite_names[k];
    return NULL;
}

/* Both splits of synthetic set KIND, drawn from seeds derived from SEED. */
static int open_synthetic(el_vae_synth kind, size_t max_rows, unsigned long seed, vae_data *out)
{
    size_t ntrain = kind == EL_VAE_SYN_SPRITES ? SPRITES_TRAIN : SYNTH_TRAIN;
    size_t ntest = kind == EL_VAE_SYN_SPRITES ? SPRITES_TEST : SYNTH_TEST;
    if (max_rows && max_rows < ntrain)
        ntrain = max_rows;
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae train data"));
    int s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    out->train = r ? el_vae_synthetic(kind, ntrain, r, &s) : NULL;
    if (r)
        gsl_rng_set(r, el_seed_mix(seed, "vae test data"));
    out->test = out->train ? el_vae_synthetic(kind, ntest, r, &s) : NULL;
    el_rng_free(r);
    return out->test ? 0 : cli_fail_lib("vae");
}

/* Both splits of the IDX files in DIR; HINT is added to a missing-file message. */
static int open_idx(const char *dir, double thr, size_t max_rows, const char *hint, vae_data *out)
{
    int s;
    out->train = el_vae_idx_load(dir, "train", thr, max_rows, &s);
    out->test = out->train ? el_vae_idx_load(dir, "t10k", thr, 0, &s) : NULL;
    if (out->test)
        return 0;
    if (s == EL_EIO && hint)
        return cli_fail("vae", "%s; %s", el_errmsg(), hint);
    return cli_fail_lib("vae");
}

/* vae_data_open without the clean-up on failure. */
static int open_any(const char *spec, double threshold, size_t max_rows, unsigned long seed,
                    vae_data *out)
{
    if (strcmp(spec, "synthetic") == 0)
        return open_synthetic(EL_VAE_SYN_SPRITES, max_rows, seed, out);
    if (strncmp(spec, "synthetic:", 10) == 0) {
        el_vae_synth kind;
        if (el_vae_synth_parse(spec + 10, &kind))
            return cli_fail_lib("vae");
        return open_synthetic(kind, max_rows, seed, out);
    }
    if (strcmp(spec, "fashion-mnist") == 0) {
        struct stat st;
        if (stat(EL_VAE_FASHION_DIR, &st) != 0)
            return cli_fail("vae",
                            "Fashion-MNIST is not installed (no %s): run '%s' as root, "
                            "pass --data PATH for a copy elsewhere, or use --data synthetic",
                            EL_VAE_FASHION_DIR, EL_VAE_FASHION_APT);
        return open_idx(EL_VAE_FASHION_DIR, threshold, max_rows,
                        "the dataset-fashion-mnist package looks incomplete: reinstall it with "
                        "'apt-get install --reinstall dataset-fashion-mnist'",
                        out);
    }
    struct stat st;
    if (stat(spec, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_fail("vae",
                        "--data: '%s' is not 'synthetic', 'synthetic:KIND', "
                        "'fashion-mnist' or a folder of IDX files",
                        spec);
    return open_idx(
        spec, threshold, max_rows,
        "a data folder needs train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]",
        out);
}

int vae_data_open(const char *spec, double threshold, size_t max_rows, unsigned long seed,
                  vae_data *out)
{
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    snprintf(out->name, sizeof out->name, "%s", spec);
    int rc = open_any(spec, threshold, max_rows, seed, out);
    if (rc)
        vae_data_close(out);
    return rc;
}

void vae_data_close(vae_data *d)
{
    el_vae_data_free(d->train);
    el_vae_data_free(d->test);
    d->train = d->test = NULL;
}
