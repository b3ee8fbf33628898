/* cmd_vae.c -- `elbolab vae train|eval|sample`: the tiny VAE from the
 * command line.  Parses arguments and dispatches; the data sets, the
 * progress bar and the figures live in vae_data.c, vae_progress.c and
 * vae_figures.c. */
#include "cli/cli.h"
#include "cli/vae_cli.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gsl/gsl_randist.h>

static const char vae_help[] =
    "usage: elbolab vae train [OPTIONS]\n"
    "       elbolab vae eval MODEL [--iwae K] [--data SPEC] [--rows N] [--seed S] [--json]\n"
    "       elbolab vae sample MODEL [--n N] [--seed S] [--out DIR] [--format F] [--text]\n\n"
    "The tiny VAE: encoder -> (mu, log sigma^2) -> z = mu + sigma eps -> decoder, trained on\n"
    "the ELBO = E log p(x|z) - KL(q(z|x) || N(0, I)) with Adam; every part is a verified result\n"
    "(see notes/vae.md).\n\n"
    "train options:\n"
    "  --data SPEC       synthetic (16x16 sprites, the default), synthetic:KIND (ppca, toy2d,\n"
    "                    factors, clusters), fashion-mnist (Debian's dataset-fashion-mnist),\n"
    "                    or a folder with the four MNIST-style IDX files (.gz or plain)\n"
    "  --hidden H        hidden units of encoder and decoder (400); --linear: no hidden layer\n"
    "  --latent Z        latent dimensions (20)\n"
    "  --epochs E        passes over the training set (10)\n"
    "  --batch B         images per Adam step (128)\n"
    "  --lr LR           Adam learning rate (1e-3)\n"
    "  --beta BETA       weight of the KL term (1: the ELBO)\n"
    "  --seed S          initialisation, data order and noise (1)\n"
    "  --decoder D       bernoulli, gauss (fixed --sigma) or gauss-learned; default: bernoulli\n"
    "                    for images, gauss-learned otherwise\n"
    "  --sigma S         decoder standard deviation (fixed) or its start (learned) (1)\n"
    "  --mixture K       a learned K-component Gaussian-mixture prior (a GM-VAE)\n"
    "  --threshold T     binarise pixels at T (0.5); --grey keeps grey levels in [0,1]\n"
    "  --rows N          use only the first N training rows\n"
    "  --iwae K          samples of the per-epoch IWAE estimate of log p(x) (50), on\n"
    "  --iwae-rows N     the first N test rows (500)\n"
    "  --threads N       threads, each taking a part of every batch (2, at most 64); the\n"
    "                    same seed and N give the same model byte for byte\n"
    "  --out MODEL       where to save the model (DIR/model.vae)\n"
    "  --figures DIR     where to write the figures (elbolab-vae); --no-figures skips them\n"
    "  --format F        png (default), svg or pdf\n"
    "  --json            print one JSON object at the end (train_elbo, test_elbo,\n"
    "                    images_per_second, seconds, ...) instead of the summary\n\n"
    "A progress bar (epoch, batch, running ELBO, images/s, time left) shows on a terminal.\n"
    "Exit status: 0 success, 2 bad usage or input.\n";

#define DEFAULT_DIR "elbolab-vae"

typedef struct {
    const char *data, *out, *figdir;
    size_t hidden, latent, epochs, batch, mixture, rows, iwae_k, iwae_rows;
    double lr, beta, sigma, threshold;
    int decoder, linear, json, figures, threads; /* decoder -1: automatic */
    unsigned long seed;
    el_plot_format fmt;
} train_args;

/* ---- argument helpers ------------------------------------------------------------ */

/* Parses a whole finite number; 0 on success. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Parses a whole number in [LO, HI] for option NAME; prints and returns EXIT_USAGE if not. */
static int parse_count(const char *name, const char *s, size_t lo, size_t hi, size_t *out)
{
    unsigned long v;
    if (cli_parse_ulong(s, &v) || v < lo || v > hi)
        return cli_fail("vae", "%s needs a whole number in %zu..%zu, got '%s'", name, lo, hi, s);
    *out = (size_t)v;
    return 0;
}

/* Parses a number in [LO, HI] (exclusive at LO when OPEN) for option NAME. */
static int parse_real(const char *name, const char *s, double lo, double hi, int open, double *out)
{
    double v;
    if (parse_double(s, &v) || v < lo || v > hi || (open && v == lo))
        return cli_fail("vae", "%s needs a number in %s%g, %g], got '%s'", name, open ? "(" : "[",
                        lo, hi, s);
    *out = v;
    return 0;
}

static int parse_decoder(const char *s, int *out)
{
    static const char *names[] = { "bernoulli", "gauss", "gauss-learned" };
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return cli_fail("vae", "--decoder must be bernoulli, gauss or gauss-learned, got '%s'", s);
}

static const char *decoder_name(el_vae_decoder d)
{
    return d == EL_VAE_BERNOULLI ? "Bernoulli"
           : d == EL_VAE_GAUSS   ? "Gaussian (fixed sigma)"
                                 : "Gaussian (learned sigma)";
}

/* ---- train ------------------------------------------------------------------------ */

enum {
    O_DATA = 256,
    O_HIDDEN,
    O_LATENT,
    O_EPOCHS,
    O_BATCH,
    O_LR,
    O_BETA,
    O_SEED,
    O_DECODER,
    O_SIGMA,
    O_MIXTURE,
    O_THRESHOLD,
    O_GREY,
    O_ROWS,
    O_IWAE,
    O_IWAE_ROWS,
    O_THREADS,
    O_OUT,
    O_FIGURES,
    O_NOFIG,
    O_FORMAT,
    O_JSON,
    O_LINEAR,
    O_N,
    O_TEXT
};

/* Applies one parsed option C with argument ARG to A; 0 or an exit code. */
static int train_option(train_args *a, int c, const char *arg)
{
    size_t t = 0;
    switch (c) {
    case O_DATA: a->data = arg; return 0;
    case O_HIDDEN: return parse_count("--hidden", arg, 1, 100000, &a->hidden);
    case O_LATENT: return parse_count("--latent", arg, 1, 4096, &a->latent);
    case O_EPOCHS: return parse_count("--epochs", arg, 1, 100000, &a->epochs);
    case O_BATCH: return parse_count("--batch", arg, 1, 1000000, &a->batch);
    case O_LR: return parse_real("--lr", arg, 0, 10, 1, &a->lr);
    case O_BETA: return parse_real("--beta", arg, 0, 1e6, 0, &a->beta);
    case O_SEED:
        return parse_count("--seed", arg, 0, (size_t)-1, &t) ? EXIT_USAGE : (a->seed = t, 0);
    case O_DECODER: return parse_decoder(arg, &a->decoder);
    case O_SIGMA: return parse_real("--sigma", arg, 0, 1e6, 1, &a->sigma);
    case O_MIXTURE: return parse_count("--mixture", arg, 1, 4096, &a->mixture);
    case O_THRESHOLD: return parse_real("--threshold", arg, 0, 0.999, 0, &a->threshold);
    case O_GREY: a->threshold = -1; return 0;
    case O_ROWS: return parse_count("--rows", arg, 1, (size_t)1 << 40, &a->rows);
    case O_IWAE: return parse_count("--iwae", arg, 1, 100000, &a->iwae_k);
    case O_IWAE_ROWS: return parse_count("--iwae-rows", arg, 0, (size_t)1 << 40, &a->iwae_rows);
    case O_THREADS:
        return parse_count("--threads", arg, 1, 64, &t) ? EXIT_USAGE : (a->threads = (int)t, 0);
    case O_OUT: a->out = arg; return 0;
    case O_FIGURES: a->figdir = arg; return 0;
    case O_NOFIG: a->figures = 0; return 0;
    case O_FORMAT:
        if (el_plot_format_parse(arg, &a->fmt) || a->fmt == EL_PLOT_DUMB)
            return cli_fail("vae", "--format must be png, svg or pdf, got '%s'", arg);
        return 0;
    case O_JSON: a->json = 1; return 0;
    case O_LINEAR: a->linear = 1; return 0;
    default: return cli_fail("vae", "unknown option (try 'elbolab vae --help')");
    }
}

static int parse_train(int argc, char **argv, train_args *a)
{
    static const struct option lo[] = {
        { "data", 1, NULL, O_DATA },
        { "hidden", 1, NULL, O_HIDDEN },
        { "latent", 1, NULL, O_LATENT },
        { "epochs", 1, NULL, O_EPOCHS },
        { "batch", 1, NULL, O_BATCH },
        { "lr", 1, NULL, O_LR },
        { "beta", 1, NULL, O_BETA },
        { "seed", 1, NULL, O_SEED },
        { "decoder", 1, NULL, O_DECODER },
        { "sigma", 1, NULL, O_SIGMA },
        { "mixture", 1, NULL, O_MIXTURE },
        { "threshold", 1, NULL, O_THRESHOLD },
        { "grey", 0, NULL, O_GREY },
        { "rows", 1, NULL, O_ROWS },
        { "iwae", 1, NULL, O_IWAE },
        { "iwae-rows", 1, NULL, O_IWAE_ROWS },
        { "threads", 1, NULL, O_THREADS },
        { "out", 1, NULL, O_OUT },
        { "figures", 1, NULL, O_FIGURES },
        { "no-figures", 0, NULL, O_NOFIG },
        { "format", 1, NULL, O_FORMAT },
        { "json", 0, NULL, O_JSON },
        { "linear", 0, NULL, O_LINEAR },
        { "help", 0, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *a = (train_args){ "synthetic", NULL, DEFAULT_DIR, 400, 20, 10, 128, 0, 0, 50, 500,
                       1e-3,        1.0,  1.0,         0.5, -1, 0,  0,   1, 2, 1,  EL_PLOT_PNG };
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (c == 'h') {
            fputs(vae_help, stdout);
            return -1;
        }
        if (c == '?')
            return cli_fail("vae", "unknown option or missing value '%s' (try --help)",
                            argv[optind - 1]);
        int rc = train_option(a, c, optarg);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cli_fail("vae", "unexpected argument '%s' (try --help)", argv[optind]);
    return 0;
}

/* The model shape for A on data D; prints and returns EXIT_USAGE when they do not fit. */
static int make_config(const train_args *a, const el_vae_data *d, el_vae_config *cfg)
{
    int dec = a->decoder;
    if (dec < 0)
        dec = d->binary || d->width ? EL_VAE_BERNOULLI : EL_VAE_GAUSS_LEARNED;
    if (dec == EL_VAE_BERNOULLI)
        for (size_t i = 0; i < d->n * d->d; i++)
            if (!(d->x[i] >= 0 && d->x[i] <= 1))
                return cli_fail("vae",
                                "a Bernoulli decoder needs data in [0, 1]; use "
                                "--decoder gauss-learned for %s",
                                a->data);
    *cfg = (el_vae_config){ d->d,       a->linear ? 0 : a->hidden, a->latent,
                            a->mixture, (el_vae_decoder)dec,       a->sigma };
    return 0;
}

typedef struct {
    double train_elbo, test_elbo, seconds, train_seconds;
    el_vae_terms test;
    el_estimate iwae;
} train_result;

/* The history arrays for E epochs (one block); NULL when out of memory. */
static int history_alloc(vae_history *h, size_t e)
{
    double *b = calloc(6 * e, sizeof *b);
    if (!b)
        return -1;
    *h = (vae_history){ 0, 0, b, b + e, b + 2 * e, b + 3 * e, b + 4 * e, b + 5 * e };
    return 0;
}

/* Evaluates M after an epoch and appends the row of the history. */
static int after_epoch(el_vae *m, const vae_data *d, const train_args *a, const gsl_rng *r,
                       const el_vae_terms *tr, double ips, vae_history *h, train_result *res)
{
    int s = el_vae_evaluate(m, d->test, r, &res->test);
    if (!s)
        s = el_vae_iwae(m, d->test, a->iwae_rows, a->iwae_k, r, &res->iwae, NULL);
    if (s)
        return s;
    size_t i = h->n++;
    h->train_elbo[i] = res->train_elbo = -(tr->recon + tr->kl);
    h->test_elbo[i] = res->test_elbo = -res->test.loss;
    h->test_recon[i] = res->test.recon;
    h->test_kl[i] = res->test.kl;
    h->test_iwae[i] = res->iwae.value;
    h->iwae_rows = res->iwae.n;
    h->ips[i] = ips;
    return EL_OK;
}

/* The epochs of training, with the bar and a summary line per epoch. */
static int train_loop(el_vae *m, const vae_data *d, const train_args *a, vae_history *h,
                      train_result *res)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(a->seed, "vae train"));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_train_opts o = { a->batch, a->lr, a->beta, 0 };
    vae_progress p;
    vae_progress_init(&p, a->epochs, d->train->n);
    double t0 = vae_now();
    res->train_seconds = 0;
    int s = EL_OK;
    for (size_t e = 0; e < a->epochs && !s; e++) {
        el_vae_terms tr;
        vae_progress_start_epoch(&p);
        double te = vae_now();
        s = el_vae_train_epoch(m, d->train, &o, r, vae_progress_batch, &p, &tr);
        double dt = vae_now() - te;
        res->train_seconds += dt;
        if (!s)
            s = after_epoch(m, d, a, r, &tr, (double)d->train->n / dt, h, res);
        if (!s) {
            char line[256];
            snprintf(line, sizeof line,
                     "epoch %zu/%zu  train ELBO %.2f  test ELBO %.2f (recon %.2f, KL %.2f)  "
                     "IWAE_%zu %.2f  %.0f img/s",
                     e + 1, a->epochs, res->train_elbo, res->test_elbo, res->test.recon,
                     res->test.kl, a->iwae_k, res->iwae.value, h->ips[e]);
            vae_progress_epoch(&p, line);
        }
    }
    if (p.on && s)
        fputc('\n', stderr);
    res->seconds = vae_now() - t0;
    el_rng_free(r);
    return s;
}

/* Prints the result of a run as one JSON object. */
static void print_train_json(const train_args *a, const el_vae *m, const vae_data *d,
                             const vae_history *h, const train_result *r, const char *model)
{
    json_t *o = json_object(), *hist = json_array();
    for (size_t i = 0; i < h->n; i++)
        json_array_append_new(hist, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "epoch",
                                              (json_int_t)(i + 1), "train_elbo",
                                              cli_json_number(h->train_elbo[i]), "test_elbo",
                                              cli_json_number(h->test_elbo[i]), "test_recon",
                                              cli_json_number(h->test_recon[i]), "test_kl",
                                              cli_json_number(h->test_kl[i]), "test_iwae",
                                              cli_json_number(h->test_iwae[i]), "images_per_second",
                                              cli_json_number(h->ips[i])));
    json_object_set_new(o, "data", json_string(d->name));
    json_object_set_new(o, "shape",
                        json_pack("{s:I, s:I, s:I, s:I, s:s}", "x", (json_int_t)m->cfg.x_dim,
                                  "hidden", (json_int_t)m->cfg.hidden, "latent",
                                  (json_int_t)m->cfg.z_dim, "mixture", (json_int_t)m->cfg.mixture,
                                  "decoder", decoder_name(m->cfg.decoder)));
    json_object_set_new(o, "epochs", json_integer((json_int_t)a->epochs));
    json_object_set_new(o, "batch", json_integer((json_int_t)a->batch));
    json_object_set_new(o, "lr", json_real(a->lr));
    json_object_set_new(o, "beta", json_real(a->beta));
    json_object_set_new(o, "seed", json_integer((json_int_t)a->seed));
    json_object_set_new(o, "threads", json_integer(a->threads));
    json_object_set_new(o, "train_rows", json_integer((json_int_t)d->train->n));
    json_object_set_new(o, "test_rows", json_integer((json_int_t)d->test->n));
    json_object_set_new(o, "train_elbo", cli_json_number(r->train_elbo));
    json_object_set_new(o, "test_elbo", cli_json_number(r->test_elbo));
    json_object_set_new(o, "test_recon", cli_json_number(r->test.recon));
    json_object_set_new(o, "test_kl", cli_json_number(r->test.kl));
    json_object_set_new(o, "test_iwae",
                        json_pack("{s:I, s:I, s:o, s:o}", "k", (json_int_t)a->iwae_k, "rows",
                                  (json_int_t)r->iwae.n, "value", cli_json_number(r->iwae.value),
                                  "stderr", cli_json_number(r->iwae.se)));
    json_object_set_new(o, "images_per_second",
                        cli_json_number((double)(d->train->n * a->epochs) / r->train_seconds));
    json_object_set_new(o, "gflops",
                        cli_json_number((double)(d->train->n * a->epochs) / r->train_seconds *
                                        el_vae_flops_per_row(&m->cfg) / 1e9));
    json_object_set_new(o, "seconds", cli_json_number(r->seconds));
    json_object_set_new(o, "train_seconds", cli_json_number(r->train_seconds));
    json_object_set_new(o, "model", model ? json_string(model) : json_null());
    json_object_set_new(o, "history", hist);
    cli_print_json(o);
}

static void print_train_text(const train_args *a, const el_vae *m, const vae_data *d,
                             const train_result *r, const char *model)
{
    printf("tiny VAE %zu-%zu-%zu, %s decoder%s, on %s: %zu epochs of %zu images\n", m->cfg.x_dim,
           m->cfg.hidden, m->cfg.z_dim, decoder_name(m->cfg.decoder),
           m->cfg.mixture ? ", mixture prior" : "", d->name, a->epochs, d->train->n);
    printf("  train ELBO   %10.3f nats per image (running mean of the last epoch)\n",
           r->train_elbo);
    printf("  test ELBO    %10.3f = -(recon %.3f + KL %.3f)\n", r->test_elbo, r->test.recon,
           r->test.kl);
    printf("  test IWAE_%-3zu%10.3f +- %.3f (first %zu test images)\n", a->iwae_k, r->iwae.value,
           r->iwae.se, r->iwae.n);
    printf("  %.0f images/s while training, %.1f s in all\n",
           (double)(d->train->n * a->epochs) / r->train_seconds, r->seconds);
    if (model)
        printf("model: %s\n", model);
}

/* Saves M to A's --out (or DIR/model.vae); MODEL gets the path. */
static int save_model(const train_args *a, const el_vae *m, const vae_data *d, char *model,
                      size_t len)
{
    if (a->out) {
        snprintf(model, len, "%s", a->out);
    } else {
        if (mkdir(a->figdir, 0777) != 0 && errno != EEXIST)
            return cli_fail("vae", "cannot create %s: %s", a->figdir, strerror(errno));
        snprintf(model, len, "%s/model.vae", a->figdir);
    }
    el_vae_meta meta = { "", d->threshold, d->test->width, d->test->height, a->epochs };
    snprintf(meta.data, sizeof meta.data, "%s", d->name);
    return el_vae_save(m, &meta, model) ? cli_fail_lib("vae") : 0;
}

/* Fails before training, not after it, when --out names a file in a folder
 * that does not exist or cannot be written. */
static int check_out(const char *out)
{
    if (!out)
        return 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    const char *d = slash ? dir : ".";
    if (access(d, W_OK) != 0)
        return cli_fail("vae", "cannot write the model into %s: %s", d, strerror(errno));
    return 0;
}

static int vae_train(int argc, char **argv)
{
    train_args a;
    int rc = parse_train(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = check_out(a.out)))
        return rc;
    if ((a.figures || !a.out) && el_plot_check_path(a.figdir)) /* before training, not after */
        return cli_fail_lib("vae");
    vae_data d;
    if ((rc = vae_data_open(a.data, a.threshold, a.rows, a.seed, &d)))
        return rc;
    el_vae_config cfg;
    vae_history h = { 0 };
    train_result res = { 0 };
    el_vae *m = NULL;
    char model[4096];
    rc = make_config(&a, d.train, &cfg);
    if (!rc && !(m = el_vae_alloc(&cfg, EL_VAE_F32, NULL)))
        rc = cli_fail_lib("vae");
    if (!rc && history_alloc(&h, a.epochs))
        rc = cli_fail("vae", "out of memory");
    if (!rc) {
        gsl_rng *r = el_rng_alloc(el_seed_mix(a.seed, "vae init"));
        el_vae_init(m, r);
        el_rng_free(r);
        el_vae_threads(a.threads);
        if (train_loop(m, &d, &a, &h, &res))
            rc = cli_fail_lib("vae");
    }
    if (!rc)
        rc = save_model(&a, m, &d, model, sizeof model);
    if (!rc && a.json)
        print_train_json(&a, m, &d, &h, &res, model);
    else if (!rc)
        print_train_text(&a, m, &d, &res, model);
    if (!rc && a.figures) /* the model is saved; a figure that fails still fails the command */
        rc = vae_figures(a.figdir, m, &d, &h, a.iwae_k, a.seed, a.fmt, a.json);
    free(h.train_elbo);
    el_vae_free(m);
    vae_data_close(&d);
    return rc;
}

/* ---- eval and sample ---------------------------------------------------------------- */

/* Loads MODEL; prints and returns NULL on failure. */
static el_vae *load_model(const char *path, el_vae_meta *meta)
{
    int s;
    el_vae *m = el_vae_load(path, meta, &s);
    if (!m)
        cli_fail_lib("vae");
    return m;
}

typedef struct {
    const char *model, *data, *out;
    size_t k, rows, n;
    unsigned long seed;
    int json, text, threads;
    el_plot_format fmt;
} use_args;

/* Parses the arguments of eval and sample (MODEL first, then options). */
static int parse_use(int argc, char **argv, use_args *a)
{
    static const struct option lo[] = {
        { "iwae", 1, NULL, O_IWAE }, { "data", 1, NULL, O_DATA },
        { "rows", 1, NULL, O_ROWS }, { "seed", 1, NULL, O_SEED },
        { "json", 0, NULL, O_JSON }, { "n", 1, NULL, O_N },
        { "out", 1, NULL, O_OUT },   { "format", 1, NULL, O_FORMAT },
        { "text", 0, NULL, O_TEXT }, { "threads", 1, NULL, O_THREADS },
        { "help", 0, NULL, 'h' },    { NULL, 0, NULL, 0 },
    };
    *a = (use_args){ NULL, NULL, NULL, 50, 0, 64, 1, 0, 0, 2, EL_PLOT_PNG };
    int c, rc = 0;
    size_t t = 0;
    opterr = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(vae_help, stdout); return -1;
        case O_IWAE: rc = parse_count("--iwae", optarg, 1, 100000, &a->k); break;
        case O_DATA: a->data = optarg; break;
        case O_ROWS: rc = parse_count("--rows", optarg, 1, (size_t)1 << 40, &a->rows); break;
        case O_SEED:
            rc = parse_count("--seed", optarg, 0, (size_t)-1, &t);
            a->seed = t;
            break;
        case O_JSON: a->json = 1; break;
        case O_N: rc = parse_count("--n", optarg, 1, 100000, &a->n); break;
        case O_OUT: a->out = optarg; break;
        case O_TEXT: a->text = 1; break;
        case O_THREADS:
            rc = parse_count("--threads", optarg, 1, 64, &t);
            a->threads = (int)t;
            break;
        case O_FORMAT:
            if (el_plot_format_parse(optarg, &a->fmt) || a->fmt == EL_PLOT_DUMB)
                rc = cli_fail("vae", "--format must be png, svg or pdf, got '%s'", optarg);
            break;
        default:
            rc = cli_fail("vae", "unknown option or missing value '%s' (try --help)",
                          argv[optind - 1]);
        }
    }
    if (!rc && optind != argc - 1)
        rc = cli_fail("vae", "give exactly one MODEL file (try --help)");
    a->model = rc ? NULL : argv[optind];
    return rc;
}

/* The start of eval and sample: parses A and loads its model into *M.
 * Returns -1 when done (help printed: exit 0), an exit code, or 0. */
static int open_model(int argc, char **argv, use_args *a, el_vae_meta *meta, el_vae **m)
{
    int rc = parse_use(argc, argv, a);
    if (rc)
        return rc;
    *m = load_model(a->model, meta);
    return *m ? 0 : EXIT_USAGE;
}

static int vae_eval(int argc, char **argv)
{
    use_args a;
    el_vae_meta meta;
    el_vae *m = NULL;
    int rc = open_model(argc, argv, &a, &meta, &m);
    if (rc)
        return rc < 0 ? 0 : rc;
    vae_data d;
    rc = vae_data_open(a.data ? a.data : meta.data, meta.threshold, 1, a.seed, &d);
    gsl_rng *r = rc ? NULL : el_rng_alloc(el_seed_mix(a.seed, "vae eval"));
    el_vae_terms t;
    el_estimate iw, el;
    el_vae_threads(a.threads);
    if (!rc && d.test->d != m->cfg.x_dim)
        rc = cli_fail("vae", "%s has rows of %zu values; the model expects %zu", d.name, d.test->d,
                      m->cfg.x_dim);
    if (!rc && a.rows && a.rows < d.test->n)
        d.test->n = a.rows; /* evaluate the first rows only */
    if (!rc && (el_vae_evaluate(m, d.test, r, &t) || el_vae_iwae(m, d.test, 0, a.k, r, &iw, &el)))
        rc = cli_fail_lib("vae");
    if (!rc && a.json) {
        cli_print_json(json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:{s:I, s:o, s:o}, s:{s:o, s:o}}",
                                 "model", a.model, "data", d.name, "rows", (json_int_t)d.test->n,
                                 "test_elbo", cli_json_number(-t.loss), "test_recon",
                                 cli_json_number(t.recon), "test_kl", cli_json_number(t.kl), "iwae",
                                 "k", (json_int_t)a.k, "value", cli_json_number(iw.value), "stderr",
                                 cli_json_number(iw.se), "elbo_k_samples", "value",
                                 cli_json_number(el.value), "stderr", cli_json_number(el.se)));
    } else if (!rc) {
        printf("%s on %zu test rows of %s\n", a.model, d.test->n, d.name);
        printf("  test ELBO     %10.3f = -(recon %.3f + KL %.3f), one sample per image\n", -t.loss,
               t.recon, t.kl);
        printf("  ELBO (%zu-sample mean) %10.3f +- %.3f\n", a.k, el.value, el.se);
        printf(
            "  IWAE_%-6zu    %10.3f +- %.3f  (estimate of log p(x); ELBO <= IWAE_k <= log p(x))\n",
            a.k, iw.value, iw.se);
    }
    el_rng_free(r);
    vae_data_close(&d);
    el_vae_free(m);
    return rc;
}

/* Prints N decoder means of z ~ N(0, I), one per line. */
static int print_samples(el_vae *m, size_t n, unsigned long seed)
{
    size_t Z = m->cfg.z_dim, D = m->cfg.x_dim;
    double *z = malloc(n * Z * sizeof *z), *x = malloc(n * D * sizeof *x);
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae samples"));
    int rc = z && x && r ? 0 : cli_fail("vae", "out of memory");
    for (size_t i = 0; !rc && i < n * Z; i++)
        z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    if (!rc && el_vae_decode(m, z, n, x))
        rc = cli_fail_lib("vae");
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = 0; j < D; j++)
            printf(j + 1 < D ? "%.6g " : "%.6g\n", x[i * D + j]);
    free(z);
    free(x);
    el_rng_free(r);
    return rc;
}

static int vae_sample(int argc, char **argv)
{
    use_args a;
    el_vae_meta meta;
    el_vae *m = NULL;
    int rc = open_model(argc, argv, &a, &meta, &m);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (a.text) {
        rc = print_samples(m, a.n, a.seed);
    } else {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", a.model);
        vae_data d = { NULL, NULL, "", meta.threshold };
        snprintf(d.name, sizeof d.name, "%s", meta.data);
        rc = vae_figure_samples(a.out ? a.out : dirname(dir), m, &d, meta.width, meta.height, a.n,
                                a.seed, a.fmt);
    }
    el_vae_free(m);
    return rc;
}

int cmd_vae(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(vae_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "train") == 0)
        return vae_train(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0)
        return vae_eval(argc - 1, argv + 1);
    if (strcmp(argv[1], "sample") == 0)
        return vae_sample(argc - 1, argv + 1);
    return cli_fail("vae", "unknown subcommand '%s' (train, eval or sample)", argv[1]);
}
