/* code.c -- exercises of kind `code`: a Python function that samples
 * z ~ N(mu, diag(exp(logvar))) by the reparameterisation trick.
 *
 * The student's code is written to an empty work folder and run by the
 * harness (code_harness.py, embedded) in the sandbox (src/sandbox) with
 * limits; the harness only calls the function on fixed inputs, seeding the
 * generators before every call, and prints the numbers as JSON.  Here they
 * are judged: the output's shape, per-dimension means and variances within
 * 5 standard errors (el_mc_zscore), a Kolmogorov-Smirnov test of the
 * standardised sample, the reparameterisation itself (with the same noise,
 * shifting mu shifts z, scaling exp(logvar/2) scales z - mu), the pathwise
 * gradients (finite differences; autograd with PyTorch), and the typical
 * mistakes named.  Nothing depends on time or on the student's id: the same
 * submission gives the same result byte for byte.
 *
 * Exercise file: top-level `language = python`, `names`, `mean_args`,
 * `logvar_args` (comma lists), `time_limit` (s), `memory_limit` (MB);
 * [part NAME] with kind = code, points: runs, distribution,
 * reparameterisation, gradients. */
#include "grade/code.h"
#include "grade/util.h"
#include "core/el_core.h"
#include "num/el_num.h"
#include "sandbox/el_sandbox.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

extern const char el_grade_code_harness[]; /* code_harness.py, embedded at build time */

#define CODE_D      3     /* dimensions of mu and logvar */
#define CODE_N      2000  /* samples for the distribution tests */
#define CODE_SEED   20241 /* the harness's base seed: fixed, so results are reproducible */
#define CODE_SIGMAS 5.0   /* means and variances within this many standard errors */
#define CODE_KS_P   1e-6  /* the KS test rejects below this p-value (about 5 sigma) */
#define CODE_FD_H   1e-6  /* finite-difference step */
#define MAX_CODE    (1u << 20)
#define MAX_OUTPUT  (8u << 20)
/* Address space of every process: `import torch` (1.13, Debian 12) peaks at
 * 657 MiB of virtual memory, NumPy alone at 82 MiB (measured in the sandbox,
 * one BLAS thread); 2 GiB leaves room for both and stops a 10 GB allocation. */
#define DEFAULT_MEMORY_MB 2048
#define DEFAULT_TIME      10.0
#define CODE_NPROC        64
#define CODE_FSIZE        (16u << 20)

static const double in_mu[CODE_D] = { 0.7, -1.3, 2.1 };
static const double in_logvar[CODE_D] = { -0.6, 0.4, 1.1 };
static const double in_shift[CODE_D] = { 0.5, -0.25, 1.0 };
static const double in_scale[CODE_D] = { 2.0, 0.5, 1.5 };

static el_grade_code_options options; /* process-wide (el_grade_code_configure) */

void el_grade_code_configure(const el_grade_code_options *o)
{
    options = *o;
}

typedef struct {
    char **names, **mean_args, **logvar_args;
    size_t nnames, nmean, nlogvar;
    double time_limit;
    double memory_mb;
} code_spec;

/* ---- reading the exercise ------------------------------------------------------- */

static code_spec *spec(el_grade_exercise *ex)
{
    if (!ex->code)
        ex->code = calloc(1, sizeof(code_spec));
    return ex->code;
}

/* Splits a comma list into *V (trimmed, non-empty items). */
static int split(const char *s, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    size_t cap = 0;
    while (*s) {
        size_t k = strcspn(s, ",");
        const char *a = s, *b = s + k;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a) {
            if (grade_grow((void **)v, &cap, *n, sizeof **v) ||
                !((*v)[*n] = grade_strndup(a, (size_t)(b - a))))
                return EL_ERROR(EL_ENOMEM, "out of memory");
            (*n)++;
        }
        s += k + (s[k] == ',');
    }
    return EL_OK;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int grade_code_top_key(el_grade_exercise *ex, const ini_entry *e, const char *path, int *handled)
{
    static const char *const keys[] = { "language",   "names",        "mean_args", "logvar_args",
                                        "time_limit", "memory_limit", NULL };
    *handled = 0;
    for (size_t i = 0; keys[i] && !*handled; i++)
        *handled = !strcmp(e->key, keys[i]);
    if (!*handled)
        return EL_OK;
    code_spec *c = spec(ex);
    if (!c)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    const char *k = e->key, *v = e->value;
    if (!strcmp(k, "language"))
        return strcmp(v, "python")
                   ? EL_ERROR(EL_EFORMAT, "%s:%d: language is python", path, e->line)
                   : EL_OK;
    if (!strcmp(k, "names"))
        return free_list(c->names, c->nnames), split(v, &c->names, &c->nnames);
    if (!strcmp(k, "mean_args"))
        return free_list(c->mean_args, c->nmean), split(v, &c->mean_args, &c->nmean);
    if (!strcmp(k, "logvar_args"))
        return free_list(c->logvar_args, c->nlogvar), split(v, &c->logvar_args, &c->nlogvar);
    char *end;
    double x = strtod(v, &end);
    int time = !strcmp(k, "time_limit");
    if (end == v || *end || !(x > 0) || x > (time ? 600 : 65536))
        return EL_ERROR(EL_EFORMAT, "%s:%d: %s must be a positive number (%s)", path, e->line, k,
                        time ? "seconds, at most 600" : "MB");
    *(time ? &c->time_limit : &c->memory_mb) = x;
    return EL_OK;
}

static const char *const tests[] = { "runs", "distribution", "reparameterisation", "gradients",
                                     NULL };

int grade_code_prepare(el_grade_exercise *ex, const char *path)
{
    int is_code = ex->kind && !strcmp(ex->kind, "code");
    if (!is_code)
        return ex->code
                   ? EL_ERROR(EL_EFORMAT, "%s: names, mean_args... belong to kind = code", path)
                   : EL_OK;
    code_spec *c = spec(ex);
    if (!c)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (!c->nnames || !c->nmean || !c->nlogvar)
        return EL_ERROR(EL_EFORMAT, "%s: a code exercise lists names, mean_args and logvar_args",
                        path);
    c->time_limit = c->time_limit > 0 ? c->time_limit : DEFAULT_TIME;
    c->memory_mb = c->memory_mb > 0 ? c->memory_mb : DEFAULT_MEMORY_MB;
    if (ex->nparts == 0 || strcmp(ex->parts[0].name, "runs") != 0)
        return EL_ERROR(EL_EFORMAT, "%s: a code exercise's first part is [part runs]", path);
    for (size_t i = 0; i < ex->nparts; i++) {
        int known = 0;
        for (size_t k = 0; tests[k]; k++)
            known |= !strcmp(ex->parts[i].name, tests[k]);
        if (!known || ex->parts[i].kind != EL_GRADE_PART_CODE)
            return EL_ERROR(EL_EFORMAT,
                            "%s:%d: [part %s]: the parts of a code exercise are runs, "
                            "distribution, reparameterisation and gradients, each kind = code",
                            path, ex->parts[i].line, ex->parts[i].name);
    }
    return EL_OK;
}

void grade_code_free(el_grade_exercise *ex)
{
    code_spec *c = ex->code;
    if (!c)
        return;
    free_list(c->names, c->nnames);
    free_list(c->mean_args, c->nmean);
    free_list(c->logvar_args, c->nlogvar);
    free(c);
    ex->code = NULL;
}

/* ---- the answer --------------------------------------------------------------------- */

/* The code in TEXT: inside a ``` fence (its language tag dropped) when there
 * is one, else TEXT itself; malloc'd. */
static char *unfence(const char *text)
{
    const char *s = text;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (strncmp(s, "```", 3) != 0)
        return grade_strdup(text);
    const char *body = strchr(s, '\n');
    if (!body)
        return grade_strdup("");
    body++;
    const char *close = NULL;
    for (const char *p = body; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!strncmp(q, "```", 3)) {
            close = p;
            break;
        }
    }
    return grade_strndup(body, close ? (size_t)(close - body) : strlen(body));
}

static int key_in(const char *k, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i]))
            return 1;
    return 0;
}

/* The entry of S holding the code: code, file, answer (or another generic
 * key), else the only entry; NULL if none. */
static const el_grade_answer_entry *code_entry(const el_grade_answer_section *s)
{
    static const char *const first[] = { "code", "file", "program", NULL };
    static const char *const generic[] = { "answer", "", "solution", "ans", "a", NULL };
    for (size_t i = s ? s->n : 0; i-- > 0;)
        if (key_in(s->e[i].key, first))
            return &s->e[i];
    for (size_t i = s ? s->n : 0; i-- > 0;)
        if (key_in(s->e[i].key, generic))
            return &s->e[i];
    return s && s->n == 1 ? &s->e[0] : NULL;
}

/* ---- running it -------------------------------------------------------------------------- */

static json_t *dlist(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

static char *config_json(const code_spec *c)
{
    json_t *names = json_array(), *m = json_array(), *lv = json_array();
    for (size_t i = 0; i < c->nnames; i++)
        json_array_append_new(names, json_string(c->names[i]));
    for (size_t i = 0; i < c->nmean; i++)
        json_array_append_new(m, json_string(c->mean_args[i]));
    for (size_t i = 0; i < c->nlogvar; i++)
        json_array_append_new(lv, json_string(c->logvar_args[i]));
    json_t *j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:i,s:f}", "names", names, "mean_args",
                          m, "logvar_args", lv, "mu", dlist(in_mu, CODE_D), "logvar",
                          dlist(in_logvar, CODE_D), "shift", dlist(in_shift, CODE_D), "scale",
                          dlist(in_scale, CODE_D), "n", CODE_N, "seed", CODE_SEED, "h", CODE_FD_H);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    return s;
}

/* Writes CODE as DIR/submission.py. */
static int write_code(const char *dir, const char *code)
{
    gbuf p = { 0 };
    gbuf_printf(&p, "%s/submission.py", dir);
    if (!p.s)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_file_out o;
    int st = el_file_out_open(&o, p.s, 0644);
    if (!st && fputs(code, o.f) < 0) {
        el_file_out_abort(&o);
        st = EL_ERROR(EL_EIO, "cannot write the code to run");
    } else if (!st) {
        st = el_file_out_commit(&o);
    }
    free(p.s);
    return st;
}

/* Runs CODE with the harness; *RUN receives the sandbox's result. */
static int run_code(const code_spec *c, const char *code, el_sandbox_result *run)
{
    char *dir = NULL, *cfg = config_json(c);
    if (!cfg)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int st = el_sandbox_workdir(&dir);
    if (!st)
        st = write_code(dir, code);
    if (!st) {
        double t = options.time_limit > 0 ? options.time_limit : c->time_limit;
        const char *py = options.python ? options.python : "/usr/bin/python3";
        const char *const argv[] = { py, "-I", "-B", "-c", el_grade_code_harness, cfg, NULL };
        el_sandbox_opts o = { argv,
                              dir,
                              t,
                              t,
                              (size_t)(c->memory_mb * 1048576.0),
                              CODE_FSIZE,
                              CODE_NPROC,
                              MAX_OUTPUT,
                              options.unsafe };
        st = el_sandbox_run(&o, run);
    }
    if (dir) {
        el_sandbox_remove(dir);
        free(dir);
    }
    free(cfg);
    return st;
}

/* ---- judging ---------------------------------------------------------------------------- */

typedef struct {
    const el_grade_exercise *ex;
    const code_spec *c;
    el_grade_exercise_result *r;
    const char *code;
} judge;

/* Part NAME's result, or NULL when the exercise does not have it. */
static el_grade_part_result *part(judge *j, const char *name)
{
    for (size_t i = 0; i < j->r->nparts; i++)
        if (!strcmp(j->r->parts[i].name, name))
            return &j->r->parts[i];
    return NULL;
}

static void verdict(el_grade_part_result *p, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void verdict(el_grade_part_result *p, int ok, const char *fmt, ...)
{
    if (!p)
        return;
    p->score = ok ? p->max : 0.0;
    p->status = ok ? EL_GRADE_CORRECT : EL_GRADE_WRONG;
    free(p->feedback);
    p->feedback = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        char buf[1024];
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        p->feedback = grade_strdup(buf);
    }
}

/* Every part 0: the code did not run (WHY on the first part). */
static void all_fail(judge *j, const char *why)
{
    for (size_t i = 0; i < j->r->nparts; i++) {
        el_grade_part_result *p = &j->r->parts[i];
        verdict(p, 0, "%s", i == 0 ? why : "Not tested: the code did not run.");
        p->status = i == 0 ? EL_GRADE_WRONG : EL_GRADE_UNREADABLE;
    }
}

/* The numbers of array KEY of J into V (N of them); -1 when missing or short. */
static int numbers(const json_t *j, const char *key, double *v, size_t n)
{
    const json_t *a = json_object_get(j, key);
    if (!json_is_array(a) || json_array_size(a) != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_number(x))
            return -1;
        v[i] = json_number_value(x);
    }
    return 0;
}

/* Why the harness stopped, from its failure report F. */
static void explain_failure(judge *j, const json_t *f)
{
    const char *err = json_string_value(json_object_get(f, "error"));
    const char *msg = json_string_value(json_object_get(f, "message"));
    const char *stage = json_string_value(json_object_get(f, "stage"));
    json_int_t line = json_integer_value(json_object_get(f, "line"));
    err = err ? err : "Error";
    msg = msg ? msg : "";
    char where[64] = "";
    if (line > 0)
        snprintf(where, sizeof where, " (line %lld)", (long long)line);
    char buf[600];
    if (!strcmp(err, "MemoryError"))
        snprintf(buf, sizeof buf, "The code ran out of memory (the limit is %.0f MB): stopped.",
                 j->c->memory_mb);
    else if (!strcmp(err, "BlockingIOError") || strstr(msg, "Resource temporarily unavailable"))
        snprintf(buf, sizeof buf, "The code tried to start too many processes: stopped.");
    else if (strstr(msg, "Read-only file system"))
        snprintf(buf, sizeof buf,
                 "The code tried to write outside its folder%s: %s: %.200s (nothing was written).",
                 where, err, msg);
    else if (!strcmp(err, "FileNotFoundError") || !strcmp(err, "PermissionError"))
        snprintf(buf, sizeof buf,
                 "The code failed%s: %s: %.200s (code may only use files in its own folder).",
                 where, err, msg);
    else if (!strcmp(err, "NoTorch") || !strcmp(err, "LookupError"))
        snprintf(buf, sizeof buf, "%.300s.", msg);
    else if (!strcmp(err, "SyntaxError") || !strcmp(err, "IndentationError") ||
             !strcmp(err, "TabError"))
        snprintf(buf, sizeof buf, "The code does not parse%s: %s: %.200s.", where, err, msg);
    else
        snprintf(buf, sizeof buf, "The code failed %s%s: %s: %.200s.",
                 stage && !strcmp(stage, "load") ? "when loaded" : "when called", where, err, msg);
    all_fail(j, buf);
}

/* The sandbox's end as a sentence, when the program did not finish normally. */
static int explain_end(judge *j, const el_sandbox_result *run)
{
    char buf[300];
    double t = options.time_limit > 0 ? options.time_limit : j->c->time_limit;
    if (run->end == EL_SANDBOX_TIMEOUT)
        snprintf(buf, sizeof buf,
                 "The code did not finish within %g s (an endless loop?): stopped.", t);
    else if (run->end == EL_SANDBOX_OUTPUT_LIMIT)
        snprintf(buf, sizeof buf, "The code printed more than %u MB: stopped.", MAX_OUTPUT >> 20);
    else if (run->end == EL_SANDBOX_SIGNALLED && (run->code == 24 || run->code == 9))
        snprintf(buf, sizeof buf, "The code used more than %g s of processor time: stopped.", t);
    else if (run->end == EL_SANDBOX_SIGNALLED && run->code == 25)
        snprintf(buf, sizeof buf, "The code wrote a file larger than %u MB: stopped.",
                 CODE_FSIZE >> 20);
    else if (run->end == EL_SANDBOX_SIGNALLED)
        snprintf(buf, sizeof buf, "The code crashed (signal %d).", run->code);
    else
        return 0;
    all_fail(j, buf);
    return 1;
}

/* ---- the tests ------------------------------------------------------------------------- */

/* The variance of column K of the N x D sample Z, and its mean. */
static void column(const double *z, size_t n, size_t k, double *mean, double *var)
{
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m += z[i * CODE_D + k];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (z[i * CODE_D + k] - m) * (z[i * CODE_D + k] - m);
    *mean = m;
    *var = s / (double)(n - 1);
}

/* 1 when the sample variances V agree with TARGET within 5 standard errors. */
static int variances_are(const double *v, const double *target, size_t n)
{
    for (size_t k = 0; k < CODE_D; k++) {
        el_estimate e = { v[k], target[k] * sqrt(2.0 / (double)(n - 1)), n };
        if (!(target[k] > 0) || fabs(el_mc_zscore(target[k], &e)) > CODE_SIGMAS)
            return 0;
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The Kolmogorov-Smirnov p-value of the standardised sample against N(0,1). */
static double ks_pvalue(const double *z, size_t n)
{
    size_t m = n * CODE_D;
    double *u = malloc(m * sizeof *u), d = 0.0;
    if (!u)
        return 0.0;
    for (size_t i = 0; i < m; i++)
        u[i] = (z[i] - in_mu[i % CODE_D]) / exp(0.5 * in_logvar[i % CODE_D]);
    qsort(u, m, sizeof *u, cmp_double);
    for (size_t i = 0; i < m; i++) {
        double f = gsl_cdf_ugaussian_P(u[i]);
        d = fmax(d, fmax((double)(i + 1) / (double)m - f, f - (double)i / (double)m));
    }
    free(u);
    double x = sqrt((double)m) * d, p = 0.0; /* Kolmogorov's series */
    for (int k = 1; k <= 100; k++)
        p += 2.0 * ((k % 2) ? 1.0 : -1.0) * exp(-2.0 * k * k * x * x);
    return fmin(1.0, fmax(0.0, p));
}

/* The diagnosis of a wrong spread, from the sample variances V; NULL if none. */
static const char *spread_mistake(const judge *j, const double *v, size_t n)
{
    double var2[CODE_D], lv2[CODE_D], one[CODE_D], sqrtsd[CODE_D];
    for (size_t k = 0; k < CODE_D; k++) {
        var2[k] = exp(2.0 * in_logvar[k]);
        lv2[k] = in_logvar[k] * in_logvar[k];
        one[k] = 1.0;
        sqrtsd[k] = exp(0.5 * in_logvar[k]);
    }
    if (variances_are(v, var2, n)) {
        int squared = strstr(j->code, "**2") || strstr(j->code, "** 2") ||
                      strstr(j->code, "square(") || strstr(j->code, "pow(");
        return squared ? "sigma^2 is used where sigma belongs: the noise is scaled by the "
                         "variance exp(logvar); z = mu + sigma * eps with sigma = exp(0.5 * "
                         "logvar), not its square."
                       : "exp(logvar) is used as the standard deviation: it is the variance "
                         "sigma^2; the standard deviation is exp(0.5 * logvar).";
    }
    if (variances_are(v, lv2, n))
        return "logvar is used as sigma: logvar is log(sigma^2), so sigma = exp(0.5 * logvar).";
    if (variances_are(v, one, n))
        return "the noise is not scaled: z has variance 1 instead of exp(logvar) (multiply eps by "
               "exp(0.5 * logvar)).";
    if (variances_are(v, sqrtsd, n))
        return "the noise is scaled by sqrt(sigma) = exp(logvar / 4): sigma = exp(0.5 * logvar).";
    return NULL;
}

/* All rows of the sample equal: one eps for the whole batch. */
static int rows_equal(const double *z, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t k = 0; k < CODE_D; k++)
            if (z[i * CODE_D + k] != z[k])
                return 0;
    return 1;
}

/* REUSED: every row of the batch is the same z; ACROSS_CALLS: two calls
 * give the same z too (else the noise is one number per call). */
static void test_distribution(judge *j, const double *z, size_t n, int reused, int across_calls)
{
    el_grade_part_result *p = part(j, "distribution");
    double m[CODE_D], v[CODE_D], var[CODE_D];
    for (size_t k = 0; k < CODE_D; k++) {
        column(z, n, k, &m[k], &v[k]);
        var[k] = exp(in_logvar[k]);
    }
    if (reused && across_calls) {
        verdict(p, 0,
                "Every sample is the same: the noise is drawn once and reused; draw a new "
                "eps ~ N(0, I) on every call, of mu's shape.");
        return;
    }
    if (reused) {
        verdict(p, 0,
                "Every row of a batch gets the same z: one noise value is drawn per call (a "
                "single number such as np.random.randn()) and shared by every row and "
                "dimension; draw eps of mu's shape, e.g. np.random.standard_normal(np.shape(mu)).");
        return;
    }
    for (size_t k = 0; k < CODE_D; k++) {
        el_estimate e = { m[k], sqrt(v[k] / (double)n), n };
        if (!(v[k] > 0) || fabs(el_mc_zscore(in_mu[k], &e)) > CODE_SIGMAS) {
            verdict(p, 0,
                    "The mean of z is not mu: in dimension %zu it is %.3f for mu = %.3f "
                    "(%d samples).",
                    k + 1, m[k], in_mu[k], CODE_N);
            return;
        }
    }
    if (!variances_are(v, var, n)) {
        const char *why = spread_mistake(j, v, n);
        verdict(p, 0, "%s%s Variance of z in dimension 3: %.3f; exp(logvar) = %.3f.",
                why ? "" : "The variance of z is not exp(logvar).", why ? why : "", v[2], var[2]);
        return;
    }
    double pv = ks_pvalue(z, n);
    if (pv < CODE_KS_P) {
        verdict(p, 0,
                "Mean and variance are right, but (z - mu) / sigma is not standard normal "
                "(Kolmogorov-Smirnov p = %.1e): draw eps from N(0, 1), not another "
                "distribution.",
                pv);
        return;
    }
    verdict(p, 1, NULL);
}

/* Whether A and B agree to REL relative, ABS absolute, in every coordinate. */
static int near(const double *a, const double *b, size_t n, double rel, double abs_tol)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= abs_tol + rel * fmax(fabs(a[i]), fabs(b[i]))))
            return 0;
    return 1;
}

/* 1 unless RES has PyTorch's autograd gradients ("autograd") and they are
 * not dz/dmu = 1, dz/dlogvar = (z - mu) / 2 (a sampler they cannot pass). */
static int autograd_ok(const json_t *res)
{
    const json_t *ag = json_object_get(res, "autograd");
    double z[CODE_D], dm[CODE_D], dv[CODE_D], one[CODE_D], half[CODE_D];
    if (!ag)
        return 1;
    if (!json_is_true(json_object_get(ag, "reaches")) || numbers(ag, "z", z, CODE_D) ||
        numbers(ag, "d_mu", dm, CODE_D) || numbers(ag, "d_logvar", dv, CODE_D))
        return 0;
    for (size_t k = 0; k < CODE_D; k++) {
        one[k] = 1.0;
        half[k] = (z[k] - in_mu[k]) / 2.0;
    }
    return near(dm, one, CODE_D, 1e-9, 1e-12) && near(dv, half, CODE_D, 1e-9, 1e-12);
}

/* 1 when the two calls in a row of RES ("repeat") gave the same z: the
 * noise is drawn once (or with a fixed seed) and reused. */
static int calls_repeat(const json_t *res)
{
    double r1[CODE_D], r2[CODE_D];
    const json_t *rep = json_object_get(res, "repeat");
    json_t *a = json_pack("{s:O,s:O}", "r1", json_array_get(rep, 0), "r2", json_array_get(rep, 1));
    int bad = !a || numbers(a, "r1", r1, CODE_D) || numbers(a, "r2", r2, CODE_D);
    json_decref(a);
    return !bad && near(r1, r2, CODE_D, 0.0, 0.0);
}

/* REPEATS: two calls in a row gave the same z (calls_repeat). */
static void test_reparam(judge *j, const json_t *res, int repeats)
{
    el_grade_part_result *p = part(j, "reparameterisation");
    double base[CODE_D], sh[CODE_D], sc[CODE_D], want[CODE_D];
    if (numbers(res, "base", base, CODE_D) || numbers(res, "shifted", sh, CODE_D) ||
        numbers(res, "scaled", sc, CODE_D)) {
        verdict(p, 0, "The output could not be read.");
        return;
    }
    if (repeats) {
        verdict(p, 0,
                "Two calls give the same z: the noise is drawn once (or with a fixed seed) "
                "and reused; draw a new eps on every call.");
        return;
    }
    if (!autograd_ok(res)) { /* PyTorch answers: autograd must see mu + sigma * eps */
        verdict(p, 0,
                "z is not a differentiable function of mu and logvar: a sampler such as "
                "torch.normal(mu, std) draws z directly, which is what the trick avoids; write "
                "mu + torch.exp(0.5 * logvar) * torch.randn_like(mu).");
        return;
    }
    for (size_t k = 0; k < CODE_D; k++)
        want[k] = base[k] + in_shift[k];
    if (!near(sh, want, CODE_D, 1e-9, 1e-9)) {
        verdict(p, 0,
                "With the same noise, shifting mu by (%g, %g, %g) should shift z by as much; it "
                "did not: z must be mu + sigma * eps with eps independent of mu.",
                in_shift[0], in_shift[1], in_shift[2]);
        return;
    }
    for (size_t k = 0; k < CODE_D; k++)
        want[k] = in_mu[k] + in_scale[k] * (base[k] - in_mu[k]);
    if (!near(sc, want, CODE_D, 1e-9, 1e-9)) {
        verdict(p, 0,
                "With the same noise, multiplying exp(logvar / 2) by (%g, %g, %g) should multiply "
                "z - mu by as much; it did not: z must be mu + exp(logvar / 2) * eps.",
                in_scale[0], in_scale[1], in_scale[2]);
        return;
    }
    verdict(p, 1, NULL);
}

static void test_gradients(judge *j, const json_t *res)
{
    el_grade_part_result *p = part(j, "gradients");
    double base[CODE_D], fm[CODE_D], fv[CODE_D], dm[CODE_D], dv[CODE_D], one[CODE_D], half[CODE_D];
    if (!p)
        return;
    if (numbers(res, "base", base, CODE_D) || numbers(res, "fd_mu", fm, CODE_D) ||
        numbers(res, "fd_logvar", fv, CODE_D)) {
        verdict(p, 0, "The output could not be read.");
        return;
    }
    for (size_t k = 0; k < CODE_D; k++) {
        dm[k] = (fm[k] - base[k]) / CODE_FD_H;
        dv[k] = (fv[k] - base[k]) / CODE_FD_H;
        one[k] = 1.0;
        half[k] = (base[k] - in_mu[k]) / 2.0;
    }
    if (!near(dm, one, CODE_D, 1e-4, 1e-5) || !near(dv, half, CODE_D, 1e-4, 1e-5)) {
        verdict(p, 0,
                "With the same noise, dz/dmu should be 1 and dz/dlogvar (z - mu) / 2; finite "
                "differences give dz/dmu = %.3g and dz/dlogvar = %.3g for (z - mu) / 2 = %.3g "
                "(dimension 1).",
                dm[0], dv[0], half[0]);
        return;
    }
    if (autograd_ok(res)) {
        verdict(p, 1, NULL);
        return;
    }
    verdict(p, 0,
            "Gradients do not pass through the sample to mu and logvar (PyTorch's autograd): "
            "a sampler such as torch.normal(mu, std), or a detached or no_grad sample, cuts "
            "them; write mu + std * torch.randn_like(std).");
}

/* Judges the harness's report RES (its last line of output). */
static void judge_result(judge *j, const json_t *res)
{
    if (!json_is_true(json_object_get(res, "ok"))) {
        explain_failure(j, res);
        return;
    }
    double single[CODE_D];
    const json_t *shape = json_object_get(res, "single_shape");
    int shape_ok =
        json_array_size(shape) == 1 && json_integer_value(json_array_get(shape, 0)) == CODE_D;
    if (numbers(res, "single", single, CODE_D)) {
        all_fail(j, "The output does not have mu's shape: for mu and logvar of shape (3,) it "
                    "should be a sample of shape (3,).");
        return;
    }
    const json_t *bshape = json_object_get(res, "batch_shape");
    int batch_ok = json_array_size(bshape) == 2 &&
                   json_integer_value(json_array_get(bshape, 0)) == CODE_N &&
                   json_integer_value(json_array_get(bshape, 1)) == CODE_D;
    const char *berr = json_string_value(json_object_get(res, "batch_error"));
    if (!shape_ok)
        verdict(part(j, "runs"), 0,
                "The output's shape is not mu's (3,): return z of the same shape.");
    else if (!batch_ok)
        verdict(part(j, "runs"), 0,
                "The function does not work on a batch of rows (mu and logvar of shape (%d, "
                "%d)): %s. Draw the noise with mu's shape, e.g. np.random.standard_normal("
                "np.shape(mu)).",
                CODE_N, CODE_D, berr ? berr : "z does not have mu's shape");
    else
        verdict(part(j, "runs"), 1, NULL);
    size_t n = CODE_N;
    double *z = malloc(n * CODE_D * sizeof *z);
    if (!z || numbers(res, "samples", z, n * CODE_D)) {
        free(z);
        all_fail(j, "The samples could not be read from the output.");
        return;
    }
    int repeats = calls_repeat(res);
    test_distribution(j, z, n, rows_equal(z, n), repeats);
    test_reparam(j, res, repeats);
    test_gradients(j, res);
    free(z);
}

/* Runs the code and judges it; every part of R gets its verdict. */
static int judge_code(judge *j)
{
    el_sandbox_result run;
    if (!options.unsafe && el_sandbox_probe()) {
        gbuf b = { 0 };
        gbuf_printf(&b,
                    "Not run: %s. Code answers run only in the sandbox (or, on a platform "
                    "whose container isolates them, with --unsafe-code).",
                    el_errmsg());
        all_fail(j, b.s ? b.s : "Not run: no sandbox.");
        free(b.s);
        return EL_OK;
    }
    int st = run_code(j->c, j->code, &run);
    if (st == EL_ENOMEM)
        return st;
    if (st) {
        gbuf b = { 0 };
        gbuf_printf(&b, "The code could not be run: %s.", el_errmsg());
        all_fail(j, b.s ? b.s : "The code could not be run.");
        free(b.s);
        return EL_OK;
    }
    if (!explain_end(j, &run)) {
        const char *last = run.out_len ? run.out : "";
        const char *nl = strrchr(last, '\n');
        while (nl && nl > last && nl[1] == '\0') { /* the last non-empty line */
            const char *p = nl - 1;
            while (p > last && *p != '\n')
                p--;
            last = *p == '\n' ? p + 1 : p;
            break;
        }
        json_t *res = json_loads(last, 0, NULL);
        if (res)
            judge_result(j, res);
        else
            all_fail(j, strstr(run.err ? run.err : "", "MemoryError")
                            ? "The code ran out of memory: stopped."
                            : "The code stopped the grader's harness before it reported "
                              "(exit, or output written over it).");
        json_decref(res);
    }
    el_sandbox_result_free(&run);
    return EL_OK;
}

static el_grade_status overall(const el_grade_exercise_result *r)
{
    if (r->score >= r->max)
        return EL_GRADE_CORRECT;
    if (r->score > 0)
        return EL_GRADE_PARTIAL;
    if (r->nparts && r->parts[0].status == EL_GRADE_MISSING)
        return EL_GRADE_MISSING;
    return EL_GRADE_WRONG;
}

int grade_code_one(const el_grade_exercise *ex, const el_grade_answer_section *s,
                   el_grade_exercise_result *r, el_grade_notes *notes)
{
    (void)notes;
    r->ex = ex;
    r->max = ex->points;
    r->parts = calloc(ex->nparts, sizeof *r->parts);
    if (!r->parts)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    r->nparts = ex->nparts;
    for (size_t i = 0; i < ex->nparts; i++) {
        r->parts[i].name = grade_strdup(ex->parts[i].name);
        r->parts[i].max = ex->parts[i].points;
        r->parts[i].status = EL_GRADE_MISSING;
        if (!r->parts[i].name)
            return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    const el_grade_answer_entry *e = code_entry(s);
    char *code = e && !e->error ? unfence(e->value) : NULL;
    judge j = { ex, ex->code, r, code };
    int st = EL_OK;
    if (e && e->error) {
        all_fail(&j, e->error);
        r->parts[0].status = EL_GRADE_UNREADABLE;
    } else if (!code || strspn(code, " \t\r\n") == strlen(code)) {
        r->parts[0].feedback = grade_strdup(e ? "The code is empty." : "No code.");
        for (size_t i = 1; i < r->nparts; i++)
            r->parts[i].feedback = grade_strdup("Not tested: no code.");
    } else {
        r->parts[0].answer = grade_clean(code, strlen(code), 300, 0);
        st = judge_code(&j);
    }
    free(code);
    for (size_t i = 0; i < r->nparts; i++) {
        r->parts[i].score = el_grade_round(r->parts[i].score);
        r->score += r->parts[i].score;
    }
    r->score = el_grade_round(r->score);
    r->status = overall(r);
    return st;
}

/* ---- where the code comes from ------------------------------------------------------ */

int grade_code_is_py(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 3 && !strcasecmp(path + n - 3, ".py");
}

/* A section ID holding one entry KEY = VALUE, added to A. */
static int add_section(el_grade_answers *a, const char *id, const char *key, const char *value)
{
    size_t cap = a->n;
    if (grade_grow((void **)&a->s, &cap, a->n, sizeof *a->s))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_answer_section *s = &a->s[a->n++];
    memset(s, 0, sizeof *s);
    s->id = grade_strdup(id);
    s->raw = grade_strdup(id);
    s->line = 1;
    s->e = calloc(1, sizeof *s->e);
    if (!s->id || !s->raw || !s->e)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    s->n = s->cap = 1;
    s->e[0].key = grade_strdup(key);
    s->e[0].value = grade_strdup(value);
    s->e[0].line = 1;
    return s->e[0].key && s->e[0].value ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
}

int grade_code_read_py(const el_grade_exercise_set *set, const char *path, el_grade_answers *a)
{
    memset(a, 0, sizeof *a);
    char *text;
    size_t len;
    int st = grade_slurp(path, MAX_CODE, &text, &len);
    if (st)
        return st;
    const el_grade_exercise *only = NULL;
    size_t ncode = 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->ex[i]->code) {
            only = set->ex[i];
            ncode++;
        }
    if (ncode == 1)
        st = add_section(a, only->id, "code", text);
    else
        grade_note(&a->notes, 0, 1,
                   "a .py file answers a code exercise, and the set '%s' has %s: choose the "
                   "exercise with --exercise ID",
                   set->name, ncode ? "several" : "none");
    free(text);
    return st;
}

/* E's error WHY (EL_OK), or EL_ENOMEM. */
static int entry_error(el_grade_answer_entry *e, char *why)
{
    free(e->error);
    e->error = why;
    return why ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
}

/* The file NAME beside the answer file PATH as E's code, or E's error.  A
 * link is refused: a submission unpacked with one could show the grader's
 * own files (its answer keys) through it. */
static int attach_one(el_grade_answer_entry *e, const char *path)
{
    const char *name = e->value;
    if (!*name || strchr(name, '/') || name[0] == '.' || strlen(name) > 200)
        return entry_error(
            e, grade_strdup("file = NAME names a file beside the answer file (no folder)."));
    const char *slash = strrchr(path, '/');
    gbuf p = { 0 };
    gbuf_printf(&p, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, name);
    struct stat sb;
    if (p.s && lstat(p.s, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        free(p.s);
        return entry_error(e, grade_strdup("file = NAME names a link: only a file of the "
                                           "submission itself is read."));
    }
    char *text = NULL;
    size_t len;
    int st = p.s ? grade_slurp(p.s, MAX_CODE, &text, &len) : EL_ENOMEM;
    free(p.s);
    if (st == EL_ENOMEM)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (st) {
        gbuf b = { 0 };
        gbuf_printf(&b, "The file %s named by file = could not be read: %s.", name, el_errmsg());
        return entry_error(e, gbuf_take(&b));
    }
    free(e->value);
    e->value = text;
    return EL_OK;
}

/* 1 when section ID answers a code exercise of SET. */
static int code_section(const el_grade_exercise_set *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->ex[i]->code && !strcmp(set->ex[i]->id, id))
            return 1;
    return 0;
}

int grade_code_attach_files(const el_grade_exercise_set *set, el_grade_answers *a, const char *path)
{
    for (size_t i = 0; i < a->n; i++) {
        if (!code_section(set, a->s[i].id))
            continue;
        for (size_t k = 0; k < a->s[i].n; k++) {
            el_grade_answer_entry *e = &a->s[i].e[k];
            if (!strcmp(e->key, "file") && !e->error) {
                int st = attach_one(e, path);
                if (st)
                    return st;
            }
        }
    }
    return EL_OK;
}

int grade_code_read_answers(const el_grade_exercise_set *set, const char *path, el_grade_answers *a)
{
    int st =
        grade_code_is_py(path) ? grade_code_read_py(set, path, a) : el_grade_answers_read(path, a);
    if (!st)
        st = grade_code_attach_files(set, a, path);
    return st;
}
