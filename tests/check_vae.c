/* check_vae.c -- the tiny VAE: data sets, the float and double networks,
 * training, the model file and the IDX reader, with their failure modes.
 * (The vae.* checks themselves, with their negative controls, run in
 * check_check.c like every registered check; Debian's Fashion-MNIST, an
 * optional package, is read in check_vae_fashion.c.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "check/el_check.h"
#include "core/el_core.h"
#include "core/el_topic.h"
#include "num/el_num.h"
#include "vae/el_vae.h"

/* ---- helpers ------------------------------------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/elbolab-vae-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Removes the files NAMES (NULL-terminated) in tmpdir and tmpdir itself. */
static void remove_tmpdir(const char *const *names)
{
    char p[256];
    for (int i = 0; names[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        remove(p);
    }
    rmdir(tmpdir);
}

/* A small float model of sprites data, initialised from SEED. */
static el_vae *sprite_model(el_vae_precision prec, unsigned long seed)
{
    el_vae_config cfg = { 256, 24, 3, 0, EL_VAE_BERNOULLI, 1.0 };
    int s;
    el_vae *m = el_vae_alloc(&cfg, prec, &s);
    ck_assert_msg(m != NULL, "%s", el_errmsg());
    gsl_rng *r = el_rng_alloc(seed);
    el_vae_init(m, r);
    el_rng_free(r);
    return m;
}

static el_vae_data *sprites(size_t n, unsigned long seed)
{
    int s;
    gsl_rng *r = el_rng_alloc(seed);
    el_vae_data *d = el_vae_synthetic(EL_VAE_SYN_SPRITES, n, r, &s);
    el_rng_free(r);
    ck_assert_msg(d != NULL, "%s", el_errmsg());
    return d;
}

/* The loss of M on D with the noise of seed SEED. */
static double loss_with(el_vae *m, const el_vae_data *d, unsigned long seed)
{
    gsl_rng *r = el_rng_alloc(seed);
    el_vae_terms t;
    ck_assert_int_eq(el_vae_loss(m, d, NULL, d->n, 1.0, r, 0, &t), EL_OK);
    el_rng_free(r);
    ck_assert(fabs(t.loss - (t.recon + t.kl)) <= 1e-9 * fabs(t.loss));
    return t.loss;
}

/* Writes N bytes B to tmpdir/NAME, gzip-compressed when GZ. */
static void write_file(const char *name, const unsigned char *b, size_t n, int gz)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    if (gz) {
        gzFile f = gzopen(p, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, b, (unsigned)n), (int)n);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(p, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(b, 1, n, f), n);
        fclose(f);
    }
}

/* An IDX images file of 3 images of 2 x 2 pixels (values 0, 100, 200, 255 ...)
 * and its labels, written as SPLIT-*-ubyte[.gz]. */
static void write_idx(const char *split, int gz, size_t cut)
{
    unsigned char img[16 + 12] = { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2 };
    unsigned char lab[8 + 3] = { 0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 7 };
    for (int i = 0; i < 12; i++)
        img[16 + i] = (unsigned char)(i * 23);
    char name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", split, gz ? ".gz" : "");
    write_file(name, img, sizeof img - cut, gz);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", split, gz ? ".gz" : "");
    write_file(name, lab, sizeof lab, gz);
}

static const char *const idx_files[] = {
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
    "model.vae",
    "model.vae.tmp",
    NULL,
};

/* ---- Core -------------------------------------------------------------------------- */

START_TEST(synthetic_sets)
{
    static const size_t dims[] = { 256, 6, 2, 6, 8 };
    static const size_t classes[] = { 3, 0, 8, 0, 4 };
    for (int k = EL_VAE_SYN_SPRITES; k <= EL_VAE_SYN_CLUSTERS; k++) {
        int s;
        gsl_rng *r = el_rng_alloc(7), *r2 = el_rng_alloc(7);
        el_vae_data *a = el_vae_synthetic((el_vae_synth)k, 50, r, &s);
        el_vae_data *b = el_vae_synthetic((el_vae_synth)k, 50, r2, &s);
        ck_assert_ptr_nonnull(a);
        ck_assert_uint_eq(a->d, dims[k]);
        ck_assert_uint_eq(a->nclass, classes[k]);
        ck_assert(memcmp(a->x, b->x, 50 * a->d * sizeof(float)) == 0); /* same seed, same rows */
        for (size_t i = 0; a->label && i < a->n; i++)
            ck_assert(a->label[i] >= 0 && (size_t)a->label[i] < a->nclass);
        for (size_t i = 0; a->binary && i < a->n * a->d; i++)
            ck_assert(a->x[i] == 0.0f || a->x[i] == 1.0f);
        el_vae_synth back;
        ck_assert_int_eq(el_vae_synth_parse(el_vae_synth_name((el_vae_synth)k), &back), EL_OK);
        ck_assert_int_eq(back, k);
        el_vae_data_free(a);
        el_vae_data_free(b);
        el_rng_free(r);
        el_rng_free(r2);
    }
    /* the toy density integrates to about 1 over a wide square (midpoint rule, h = 0.02) */
    double t = 0;
    for (double x = -4; x < 4; x += 0.02)
        for (double y = -4; y < 4; y += 0.02)
            t += exp(el_vae_toy2d_logpdf(x + 0.01, y + 0.01)) * 0.02 * 0.02;
    ck_assert_msg(fabs(t - 1) < 1e-3, "toy2d density integrates to %.6f", t);
}
END_TEST

START_TEST(float_and_double_agree)
{
    el_vae *f = sprite_model(EL_VAE_F32, 3), *d = sprite_model(EL_VAE_F64, 3);
    el_vae_data *data = sprites(20, 4);
    double *p = malloc(f->nparams * sizeof *p);
    el_vae_params_get(f, p);
    el_vae_params_set(d, p); /* the double model gets the float parameters */
    double lf = loss_with(f, data, 9), ld = loss_with(d, data, 9);
    ck_assert_msg(fabs(lf - ld) <= 1e-5 * fabs(ld), "float %.9g vs double %.9g", lf, ld);
    double zf[3] = { 0.3, -1.2, 0.7 }, xf[256], xd[256];
    ck_assert_int_eq(el_vae_decode(f, zf, 1, xf), EL_OK);
    ck_assert_int_eq(el_vae_decode(d, zf, 1, xd), EL_OK);
    for (int i = 0; i < 256; i++)
        ck_assert(fabs(xf[i] - xd[i]) < 1e-5 && xd[i] > 0 && xd[i] < 1);
    free(p);
    el_vae_data_free(data);
    el_vae_free(f);
    el_vae_free(d);
}
END_TEST

START_TEST(training_lowers_the_loss)
{
    el_vae *m = sprite_model(EL_VAE_F32, 5);
    el_vae_data *data = sprites(400, 6);
    double before = loss_with(m, data, 1);
    gsl_rng *r = el_rng_alloc(2);
    el_vae_train_opts o = { 50, 3e-3, 1.0, 0 };
    el_vae_terms t;
    for (int e = 0; e < 3; e++)
        ck_assert_int_eq(el_vae_train_epoch(m, data, &o, r, NULL, NULL, &t), EL_OK);
    double after = loss_with(m, data, 1);
    ck_assert_msg(after < before - 20, "loss %.3f -> %.3f", before, after);
    ck_assert_int_eq(m->step, 3 * 8);
    el_estimate iw, el;
    ck_assert_int_eq(el_vae_iwae(m, data, 100, 20, r, &iw, &el), EL_OK);
    ck_assert(iw.value >= el.value); /* logmeanexp >= mean, row by row */
    el_rng_free(r);
    el_vae_data_free(data);
    el_vae_free(m);
}
END_TEST

/* Trains a fresh sprites model (initialised from 8) for 2 epochs on THREADS
 * threads with data order and noise from SEED, and saves it to tmpdir/NAME;
 * returns its mean loss on TEST (noise seed 1). */
static double train_and_save(int threads, unsigned long seed, const el_vae_data *train,
                             const el_vae_data *test, const char *name)
{
    int old = el_vae_threads(threads);
    el_vae *m = sprite_model(EL_VAE_F32, 8);
    gsl_rng *r = el_rng_alloc(seed);
    el_vae_train_opts o = { 100, 3e-3, 1.0, 0 };
    el_vae_terms t;
    for (int e = 0; e < 2; e++)
        ck_assert_int_eq(el_vae_train_epoch(m, train, &o, r, NULL, NULL, &t), EL_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    el_vae_meta meta = { "synthetic", 0.5, 16, 16, 2 };
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    double loss = loss_with(m, test, 1);
    el_rng_free(r);
    el_vae_free(m);
    el_vae_threads(old);
    return loss;
}

/* 1 when tmpdir/A and tmpdir/B hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", tmpdir, a);
    snprintf(pb, sizeof pb, "%s/%s", tmpdir, b);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    ck_assert(fa && fb);
    int ca, cb, same = 1;
    do {
        ca = getc(fa), cb = getc(fb);
        same = same && ca == cb;
    } while (ca != EOF && cb != EOF);
    fclose(fa);
    fclose(fb);
    return same;
}

/* The same seed gives the same model file byte for byte, twice, and on 1,
 * 2 and 3 threads alike (a batch of 100 rows is two parts, run by one
 * thread or two); the finer parts (four, EL_VAE_PAR_SPLIT_FINE) too, twice,
 * and with the same test loss up to rounding.  Another seed (the negative
 * control) gives another file and another loss. */
START_TEST(threads_same_seed_same_bytes)
{
    make_tmpdir();
    el_vae_data *train = sprites(400, 6), *test = sprites(300, 7);
    double l2 = train_and_save(2, 2, train, test, "a2.vae");
    ck_assert(train_and_save(2, 2, train, test, "b2.vae") == l2);
    ck_assert_msg(same_file("a2.vae", "b2.vae"), "2 threads: two runs differ");
    double l3 = train_and_save(3, 2, train, test, "a3.vae");
    double l1 = train_and_save(1, 2, train, test, "a1.vae");
    ck_assert_msg(same_file("a1.vae", "a2.vae") && same_file("a1.vae", "a3.vae"),
                  "1, 2 and 3 threads: not the same model");
    ck_assert(l1 == l2 && l1 == l3);
    el_vae_parallel how = el_vae_parallel_set(EL_VAE_PAR_SPLIT_FINE);
    double l4 = train_and_save(2, 2, train, test, "a4.vae");
    train_and_save(2, 2, train, test, "b4.vae");
    el_vae_parallel_set(how);
    ck_assert_msg(same_file("a4.vae", "b4.vae"), "2 threads, 4 parts: two runs differ");
    ck_assert_msg(fabs(l1 - l4) < 0.01, "test loss %.5f (2 parts), %.5f (4 parts)", l1, l4);
    double other = train_and_save(2, 3, train, test, "c2.vae"); /* another seed */
    ck_assert_msg(!same_file("a2.vae", "c2.vae"), "the comparison cannot tell seeds apart");
    ck_assert_msg(fabs(other - l2) > 0.05, "another seed: %.5f vs %.5f", other, l2);
    static const char *const names[] = { "a1.vae", "a2.vae", "b2.vae", "a3.vae",
                                         "a4.vae", "b4.vae", "c2.vae", NULL };
    remove_tmpdir(names);
    el_vae_data_free(train);
    el_vae_data_free(test);
}
END_TEST

/* The gradient of a batch of 70 rows (two parts) is the same, bit for bit,
 * on 1, 2, 3 and 8 threads, in float and double; with the finer parts it
 * agrees up to rounding; the gradient of another batch (the negative
 * control) does not. */
START_TEST(threads_same_gradient)
{
    el_vae_data *data = sprites(70, 4);
    size_t rows[70], other[70];
    for (size_t i = 0; i < 70; i++)
        rows[i] = i, other[i] = (i * 17 + 3) % 70 / 2;
    for (int prec = 0; prec < 2; prec++) {
        el_vae *m = sprite_model(prec ? EL_VAE_F64 : EL_VAE_F32, 3);
        size_t n = m->nparams;
        double *g1 = malloc(n * sizeof *g1), *gt = malloc(n * sizeof *gt), scale = 0;
        el_vae_terms t;
        const int counts[] = { 1, 2, 3, 8, 2 }; /* the last: the finer parts */
        for (int k = 0; k < 5; k++) {
            int old = el_vae_threads(counts[k]);
            el_vae_parallel how =
                el_vae_parallel_set(k == 4 ? EL_VAE_PAR_SPLIT_FINE : EL_VAE_PAR_SPLIT);
            gsl_rng *r = el_rng_alloc(5);
            ck_assert_int_eq(el_vae_loss(m, data, rows, 70, 1.0, r, 1, &t), EL_OK);
            el_rng_free(r);
            el_vae_threads(old);
            el_vae_parallel_set(how);
            el_vae_grads_get(m, k ? gt : g1);
            for (size_t i = 0; i < n && k == 0; i++)
                scale = fmax(scale, fabs(g1[i]));
            double worst = 0, tol = k < 4 ? 0 : (prec ? 1e-12 : 1e-5) * scale;
            for (size_t i = 0; i < n && k; i++)
                worst = fmax(worst, fabs(gt[i] - g1[i]));
            ck_assert_msg(worst <= tol, "%d threads (%d): gradient off by %g (scale %g)", counts[k],
                          k, worst, scale);
        }
        gsl_rng *r = el_rng_alloc(5);
        ck_assert_int_eq(el_vae_loss(m, data, other, 70, 1.0, r, 1, &t), EL_OK);
        el_rng_free(r);
        el_vae_grads_get(m, gt);
        double worst = 0;
        for (size_t i = 0; i < n; i++)
            worst = fmax(worst, fabs(gt[i] - g1[i]));
        ck_assert_msg(worst > 1e-3 * scale, "another batch: gradient off by only %g", worst);
        free(g1);
        free(gt);
        el_vae_free(m);
    }
    el_vae_data_free(data);
}
END_TEST

/* el_vae_train_step is el_vae_loss and el_vae_adam in one: the same model,
 * byte for byte; a step with another learning rate (the control) is not. */
START_TEST(train_step_is_loss_then_adam)
{
    el_vae_data *data = sprites(100, 4);
    el_vae *a = sprite_model(EL_VAE_F32, 3), *b = sprite_model(EL_VAE_F32, 3),
           *c = sprite_model(EL_VAE_F32, 3);
    int old = el_vae_threads(2);
    el_vae_terms ta, tb, tc;
    for (int k = 0; k < 3; k++) {
        gsl_rng *ra = el_rng_alloc(9 + (unsigned long)k), *rb = el_rng_alloc(9 + (unsigned long)k),
                *rc = el_rng_alloc(9 + (unsigned long)k);
        ck_assert_int_eq(el_vae_loss(a, data, NULL, 100, 1.0, ra, 1, &ta), EL_OK);
        el_vae_adam(a, 1e-3);
        ck_assert_int_eq(el_vae_train_step(b, data, NULL, 100, 1.0, rb, 1e-3, &tb), EL_OK);
        ck_assert_int_eq(el_vae_train_step(c, data, NULL, 100, 1.0, rc, 2e-3, &tc), EL_OK);
        ck_assert(ta.loss == tb.loss);
        el_rng_free(ra), el_rng_free(rb), el_rng_free(rc);
    }
    el_vae_threads(old);
    ck_assert_int_eq(a->step, 3);
    ck_assert_int_eq(b->step, 3);
    ck_assert(memcmp(a->params, b->params, a->nparams * sizeof(float)) == 0);
    ck_assert(memcmp(a->params, c->params, a->nparams * sizeof(float)) != 0);
    el_vae_free(a), el_vae_free(b), el_vae_free(c);
    el_vae_data_free(data);
}
END_TEST

START_TEST(model_file_round_trip)
{
    make_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/model.vae", tmpdir);
    el_vae *m = sprite_model(EL_VAE_F32, 8);
    el_vae_meta meta = { "synthetic", 0.5, 16, 16, 7 }, back;
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    int s;
    el_vae *l = el_vae_load(path, &back, &s);
    ck_assert_msg(l != NULL, "%s", el_errmsg());
    ck_assert_uint_eq(l->nparams, m->nparams);
    ck_assert(memcmp(l->params, m->params, m->nparams * sizeof(float)) == 0);
    ck_assert(l->cfg.x_dim == 256 && l->cfg.hidden == 24 && l->cfg.z_dim == 3 &&
              l->cfg.mixture == 0 && l->cfg.decoder == EL_VAE_BERNOULLI && l->cfg.sigma == 1.0);
    ck_assert_str_eq(back.data, "synthetic");
    ck_assert_uint_eq(back.epochs, 7);
    ck_assert_uint_eq(back.width, 16);
    el_vae_free(l);
    el_vae_free(m);
    remove_tmpdir(idx_files);
}
END_TEST

START_TEST(idx_reader)
{
    make_tmpdir();
    for (int gz = 0; gz <= 1; gz++) {
        write_idx("t10k", gz, 0);
        int s;
        el_vae_data *grey = el_vae_idx_load(tmpdir, "t10k", -1, 0, &s);
        ck_assert_msg(grey != NULL, "%s", el_errmsg());
        ck_assert_uint_eq(grey->n, 3);
        ck_assert_uint_eq(grey->d, 4);
        ck_assert_uint_eq(grey->width, 2);
        ck_assert_uint_eq(grey->nclass, 8);
        ck_assert_int_eq(grey->label[2], 7);
        ck_assert(fabsf(grey->x[5] - 115.0f / 255.0f) < 1e-6f);
        el_vae_data *bin = el_vae_idx_load(tmpdir, "t10k", 0.5, 2, &s);
        ck_assert_uint_eq(bin->n, 2); /* max_rows */
        for (int i = 0; i < 8; i++)
            ck_assert(bin->x[i] == (i * 23 > 127.5 ? 1.0f : 0.0f));
        el_vae_data_free(grey);
        el_vae_data_free(bin);
        remove_tmpdir(idx_files);
        make_tmpdir();
    }
    remove_tmpdir(idx_files);
}
END_TEST


/* ---- Limits ---------------------------------------------------------------------------- */

START_TEST(bad_shapes_and_options)
{
    int s;
    el_vae_config bad[] = {
        { 0, 4, 2, 0, EL_VAE_BERNOULLI, 1 },  { 4, 4, 0, 0, EL_VAE_BERNOULLI, 1 },
        { 4, 4, 2, 0, EL_VAE_GAUSS, 0 },      { 4, 4, 2, 0, EL_VAE_GAUSS_LEARNED, NAN },
        { 4, 4, 2, 0, (el_vae_decoder)7, 1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_ptr_null(el_vae_alloc(&bad[i], EL_VAE_F32, &s));
        ck_assert_int_eq(s, EL_EDOM);
    }
    el_vae_free(NULL);
    el_vae_data_free(NULL);
    el_vae *m = sprite_model(EL_VAE_F64, 1);
    el_vae_data *wrong = el_vae_data_alloc(5, 7, 0, &s);
    el_vae_terms t;
    ck_assert_int_eq(el_vae_loss(m, wrong, NULL, 5, 1.0, NULL, 0, &t), EL_EDOM);
    el_vae_data *data = sprites(10, 1);
    gsl_rng *r = el_rng_alloc(1);
    el_vae_train_opts o[] = {
        { 0, 1e-3, 1, 0 }, { 5, 0, 1, 0 }, { 5, 1e-3, -1, 0 }, { 5, NAN, 1, 0 }
    };
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(el_vae_train_epoch(m, data, &o[i], r, NULL, NULL, &t), EL_EDOM);
    ck_assert_int_eq(el_vae_log_weights(m, data, 8, 5, 3, r, (double[15]){ 0 }), EL_EDOM);
    el_vae_synth k;
    ck_assert_int_eq(el_vae_synth_parse("mnist", &k), EL_ENOTFOUND);
    ck_assert_ptr_null(el_vae_data_alloc(0, 3, 0, &s));
    el_rng_free(r);
    el_vae_data_free(wrong);
    el_vae_data_free(data);
    el_vae_free(m);
}
END_TEST

/* Rewrites PATH with byte I replaced by V (or cut to I bytes when V < 0). */
static void damage(const char *path, long i, int v)
{
    FILE *f = fopen(path, "rb");
    unsigned char b[1 << 16];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (v >= 0)
        b[i] = (unsigned char)v;
    else
        n = (size_t)i;
    f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

/* Loads PATH expecting failure with STATUS and a message containing WORD. */
static void refused(const char *path, int status, const char *word)
{
    int s;
    el_vae_meta meta;
    ck_assert_ptr_null(el_vae_load(path, &meta, &s));
    ck_assert_int_eq(s, status);
    ck_assert_msg(strstr(el_errmsg(), word) != NULL, "message '%s' lacks '%s'", el_errmsg(), word);
}

START_TEST(damaged_model_files)
{
    make_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/model.vae", tmpdir);
    el_vae_config cfg = { 6, 3, 2, 0, EL_VAE_GAUSS_LEARNED, 0.5 };
    el_vae *m = el_vae_alloc(&cfg, EL_VAE_F32, NULL);
    el_vae_meta meta = { "synthetic:ppca", -1, 0, 0, 1 };
    refused(path, EL_EIO, "cannot open");
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    damage(path, 0, 'X');
    refused(path, EL_EFORMAT, "not an elbolab VAE model");
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    damage(path, 8, 99); /* the version */
    refused(path, EL_EFORMAT, "version");
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    damage(path, 200, -1); /* truncated */
    refused(path, EL_EFORMAT, "truncated");
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    damage(path, 150, 0x5a); /* a parameter byte */
    refused(path, EL_EFORMAT, "checksum");
    ck_assert_int_eq(el_vae_save(m, &meta, path), EL_OK);
    damage(path, 12, 3); /* precision 3: caught by the checksum */
    refused(path, EL_EFORMAT, "damaged");
    el_vae_free(m);
    remove_tmpdir(idx_files);
}
END_TEST

/* Loads the t10k split of tmpdir expecting STATUS and WORD in the message. */
static void idx_refused(int status, const char *word)
{
    int s;
    ck_assert_ptr_null(el_vae_idx_load(tmpdir, "t10k", 0.5, 0, &s));
    ck_assert_int_eq(s, status);
    ck_assert_msg(strstr(el_errmsg(), word) != NULL, "message '%s' lacks '%s'", el_errmsg(), word);
}

START_TEST(damaged_idx_files)
{
    make_tmpdir();
    char p[256];
    idx_refused(EL_EIO, "cannot open");
    write_idx("t10k", 1, 5); /* 5 pixel bytes missing */
    idx_refused(EL_EFORMAT, "truncated");
    remove_tmpdir(idx_files);
    make_tmpdir();
    write_idx("t10k", 0, 0); /* plain files, then break the magic */
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte", tmpdir);
    damage(p, 2, 0x0d);
    idx_refused(EL_EFORMAT, "not an IDX file");
    write_idx("t10k", 1, 0); /* gzip with a damaged stream */
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte.gz", tmpdir);
    damage(p, 20, 0xff);
    damage(p, 21, 0xff);
    damage(p, 22, 0x00);
    idx_refused(EL_EFORMAT, "t10k-images");
    int s;
    ck_assert_ptr_null(el_vae_idx_load(tmpdir, "t10k", 1.0, 0, &s));
    ck_assert_int_eq(s, EL_EDOM);
    remove_tmpdir(idx_files);
}
END_TEST

/* Writes a plain IDX file tmpdir/t10k-WHAT-idxNDIM-ubyte: the header for DIMS,
 * then N bytes of VALUES. */
static void write_raw_idx(const char *what, int ndim, const unsigned long *dims,
                          const unsigned char *values, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/t10k-%s-idx%d-ubyte", tmpdir, what, ndim);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned char h[4] = { 0, 0, 8, (unsigned char)ndim };
    fwrite(h, 1, 4, f);
    for (int i = 0; i < ndim; i++) {
        unsigned char b[4] = { (unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16),
                               (unsigned char)(dims[i] >> 8), (unsigned char)dims[i] };
        fwrite(b, 1, 4, f);
    }
    fwrite(values, 1, n, f);
    fclose(f);
}

START_TEST(hostile_idx_files)
{
    unsigned char px[13] = { 0 }, lab[4] = { 0, 1, 2, 3 }, bad[3] = { 0, 255, 1 };
    unsigned long img[3] = { 3, 2, 2 }, three[1] = { 3 }, four[1] = { 4 };
    make_tmpdir();
    write_raw_idx("images", 3, img, px, 13); /* one byte too many */
    write_raw_idx("labels", 1, three, lab, 3);
    idx_refused(EL_EFORMAT, "bytes after");
    write_raw_idx("images", 3, img, px, 12);
    write_raw_idx("labels", 1, four, lab, 4); /* 4 labels for 3 images */
    idx_refused(EL_EFORMAT, "4 labels for 3 images");
    write_raw_idx("labels", 1, three, bad, 3);
    idx_refused(EL_EFORMAT, "not a class");
    /* a header announcing 9,999,999 images of 256 x 256 over 12 bytes: refused
     * as truncated, without first allocating 2.6 TB */
    unsigned long huge[3] = { 9999999, 256, 256 };
    write_raw_idx("images", 3, huge, px, 12);
    idx_refused(EL_EFORMAT, "truncated");
    char p[256];
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte", tmpdir);
    remove(p);
    ck_assert_int_eq(mkfifo(p, 0600), 0); /* a FIFO never blocks the reader */
    idx_refused(EL_EIO, "not a regular file");
    remove_tmpdir(idx_files);
}
END_TEST

extern const el_topic el_vae_topic; /* src/vae/topic.c */

/* The vae topic's check ID run for SEED: its verdict and detail. */
static int run_vae_check(const char *id, unsigned long seed, int variant, char *detail, size_t n)
{
    for (size_t i = 0; i < el_vae_topic.nchecks; i++) {
        const el_check *c = &el_vae_topic.checks[i];
        if (strcmp(c->id, id) != 0)
            continue;
        el_check_opts o = { seed, 0 };
        el_check_result r;
        ck_assert_int_eq(el_check_run(c, &o, variant, &r), EL_OK);
        snprintf(detail, n, "%s", r.detail);
        return r.pass;
    }
    ck_abort_msg("no check %s", id);
    return 0;
}

/* Seeds 20, 64 and 77 failed vae.linear_ppca (gap 0.010-0.014 after SGD's
 * fixed step count); BFGS on the exact ELBO closes the gap on every seed. */
START_TEST(linear_ppca_every_seed)
{
    static const unsigned long seeds[] = { 20, 64, 77 };
    char detail[512];
    for (size_t i = 0; i < 3; i++)
        ck_assert_msg(run_vae_check("vae.linear_ppca", seeds[i], 0, detail, sizeof detail),
                      "seed %lu: %s", seeds[i], detail);
}
END_TEST

/* vae.beta failed seed 48 (a TC fall of 2.6 se between beta = 4 and 16,
 * where both are near 0), seed 99 (one start for beta = 0.25 stopped with a
 * worse distortion than beta = 1, with a detail line that read as a pass)
 * and, with neighbour-wise TC tests, seed 115 (a TC rise of 6.5 se). */
START_TEST(beta_every_seed)
{
    static const unsigned long seeds[] = { 48, 99, 115 };
    char detail[512];
    for (size_t i = 0; i < 3; i++) {
        int pass = run_vae_check("vae.beta", seeds[i], 0, detail, sizeof detail);
        ck_assert_msg(pass, "seed %lu: %s", seeds[i], detail);
        ck_assert_ptr_null(strstr(detail, "FAILED"));
    }
    /* a rejected control says which condition failed */
    ck_assert(!run_vae_check("vae.beta", 48, 1, detail, sizeof detail));
    ck_assert_ptr_nonnull(strstr(detail, "FAILED: "));
}
END_TEST

/* gmvae.training seed 92: 800 steps left every start short (mean max
 * responsibility 0.826); 1600 steps converge. */
START_TEST(gmvae_training_seed_92)
{
    char detail[512];
    ck_assert_msg(run_vae_check("gmvae.training", 92, 0, detail, sizeof detail), "%s", detail);
}
END_TEST

START_TEST(logmeanexp_limits)
{
    double a[3] = { 1000.0, 1000.0, 1000.0 }, b[2] = { -INFINITY, -INFINITY },
           c[2] = { 0, -INFINITY };
    ck_assert(fabs(el_vae_logmeanexp(a, 3) - 1000.0) < 1e-12);
    ck_assert(isinf(el_vae_logmeanexp(b, 2)) && el_vae_logmeanexp(b, 2) < 0);
    ck_assert(fabs(el_vae_logmeanexp(c, 2) - log(0.5)) < 1e-15);
}
END_TEST

static Suite *vae_suite(void)
{
    Suite *s = suite_create("vae");
    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, synthetic_sets);
    tcase_add_test(core, float_and_double_agree);
    tcase_add_test(core, training_lowers_the_loss);
    tcase_add_test(core, model_file_round_trip);
    tcase_add_test(core, threads_same_seed_same_bytes);
    tcase_add_test(core, threads_same_gradient);
    tcase_add_test(core, train_step_is_loss_then_adam);
    tcase_add_test(core, idx_reader);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, bad_shapes_and_options);
    tcase_add_test(lim, damaged_model_files);
    tcase_add_test(lim, hostile_idx_files);
    tcase_add_test(lim, damaged_idx_files);
    tcase_add_test(lim, logmeanexp_limits);
    tcase_add_test(lim, linear_ppca_every_seed);
    tcase_add_test(lim, beta_every_seed);
    tcase_add_test(lim, gmvae_training_seed_92);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(vae_suite)
