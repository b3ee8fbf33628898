/* cmd_derive.c -- `elbolab derive FILE|-`: checks a student's derivation
 * step by step and prints the report (text, or --json). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/el_core.h"
#include "derive/el_derive.h"

static void help(void)
{
    puts("usage: elbolab derive FILE|- [--context NAME] [--seed N] [--instances N]\n"
         "                      [--exercises DIR] [--json]\n"
         "\n"
         "Checks a derivation step by step: every line is evaluated at random\n"
         "instances of a model (the context), with expectations, integrals, sums over\n"
         "the latent, KL and entropies computed numerically, and each step must hold at\n"
         "every instance. The report names the first step that fails, the instance where\n"
         "it fails, both sides' values and what the failure looks like.\n"
         "\n"
         "FILE is plain text, a LaTeX fragment (rows joined by = \\geq \\leq ...) or a\n"
         "whole .tex write-up (each align/equation/$$ display is one derivation).\n"
         "Lines like `let mu_p = 0` at the top of a fragment, or comments\n"
         "`% elbolab: context discrete` / `% elbolab: let mu_p = 0` in a .tex file,\n"
         "change the context.\n"
         "\n"
         "Contexts (exercises/contexts/NAME.ini; default gauss):\n"
         "  discrete       z in {1..K}: pi_k = p(z=k), q(z|x), p(x|z), p(x,z), p(x), p(z|x), ELBO\n"
         "  gauss          z real: q(z|x)=N(mu_q,sigma_q^2), p(z)=N(mu_p,sigma_p^2),\n"
         "                 p(x|z)=N(x; a z+b, s^2), p(x), p(z|x), ELBO\n"
         "  gauss-mv       x in R^d: N_0 = N(mu_0, Sigma_0) (also q), N_1 = N(mu_1, Sigma_1) (p)\n"
         "  diag           z in R^D: q = prod_i N(mu_i, sigma_i^2), p = N(0, I); q_i, p_i\n"
         "  distributions  x in {1..n}: p(x), q(x), p1, p2, q1, q2, lambda\n"
         "  gmvae          z ~ Cat(pi), w|z ~ N(mu_z, sigma_z^2), x|w ~ N(A w + b, s^2),\n"
         "                 q(w|x) = N(mu_w, sigma_w^2), q(z|w,x), ELBO\n"
         "\n"
         "Exit status: 0 no step is invalid, 1 a step is invalid or does not read,\n"
         "2 bad usage or a file that cannot be read.");
}

/* Reads FILE (a regular file, at most 1 MiB) or standard input. */
static char *read_input(const char *path)
{
    FILE *f = stdin;
    if (strcmp(path, "-") != 0) {
        if (el_file_open_read(path, 0, &f, NULL)) { /* a FIFO or device never blocks */
            cli_fail_lib("derive");
            return NULL;
        }
    }
    size_t cap = EL_DERIVE_MAX_BYTES + 1;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    if (f != stdin)
        fclose(f);
    if (!buf) {
        cli_fail("derive", "out of memory");
        return NULL;
    }
    if (n > EL_DERIVE_MAX_BYTES) {
        free(buf);
        cli_fail("derive", "%s is larger than 1 MiB", path);
        return NULL;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        cli_fail("derive", "%s is not a text file", path);
        return NULL;
    }
    return buf;
}

static const char *status_mark(el_step_status s, int colour)
{
    switch (s) {
    case EL_STEP_VALID: return colour ? "\033[32m\u2713\033[0m" : "\u2713";
    case EL_STEP_INVALID: return colour ? "\033[31m\u2717\033[0m" : "\u2717";
    case EL_STEP_ERROR: return colour ? "\033[31m\u2717 error\033[0m" : "\u2717 error";
    default: return colour ? "\033[33m? unknown\033[0m" : "? unknown";
    }
}

static void print_derivation(const char *file, const el_derivation *d, int colour)
{
    const char *rel = el_relation_name(d->relation);
    printf("%s:%zu  context %s, %zu instances: ", file, d->line, d->context, d->instances);
    if (d->valid)
        printf("%svalid%s", colour ? "\033[32m" : "", colour ? "\033[0m" : "");
    else if (d->first_invalid)
        printf("%sinvalid at step %ld%s", colour ? "\033[31m" : "", d->first_invalid,
               colour ? "\033[0m" : "");
    else
        printf("not fully checked");
    if (rel)
        printf(" (composed relation %s)\n", rel);
    else
        printf(" (no composed relation: the steps go both ways, or approximate or imply)\n");
    for (size_t i = 0; i < d->nlines; i++) {
        const el_derive_line *l = &d->lines[i];
        const el_derive_step *st = &d->steps[i];
        const char *r = i ? el_relation_name(st->relation) : "";
        printf("  %4zu  %-2s %s\n", l->line, r ? r : "?", l->read_as ? l->read_as : l->source);
        if (i) {
            printf("          step %zu %s", i, status_mark(st->status, colour));
            if (st->diagnosis[0])
                printf(" %s", st->diagnoses);
            if (st->justification)
                printf("   [%s]", st->justification);
            if (st->repeat)
                printf("   (repeats the line before: not counted)");
            printf("\n");
            if (st->message && st->status != EL_STEP_VALID)
                printf("          %s\n", st->message);
            if (st->instance && st->status == EL_STEP_INVALID) {
                char *j = json_dumps(st->instance, JSON_COMPACT | JSON_REAL_PRECISION(6));
                printf("          instance: %s\n", j ? j : "");
                free(j);
            }
        }
        if (l->error)
            printf("          does not read: %s\n", l->error);
    }
    if (d->notes)
        printf("  note: %s\n", d->notes);
    printf("\n");
}

typedef struct {
    el_derive_opts o;
    int json;
    const char *dir;
} derive_args;

static int parse_args(int argc, char **argv, derive_args *a)
{
    static const struct option longs[] = {
        { "context", required_argument, NULL, 'c' },
        { "seed", required_argument, NULL, 's' },
        { "instances", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:n:je:h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': a->o.context = optarg; break;
        case 's':
            if (cli_parse_ulong(optarg, &v))
                return cli_fail("derive", "--seed needs a whole number, got '%s'", optarg);
            a->o.seed = v;
            break;
        case 'n':
            if (cli_parse_ulong(optarg, &v) || v < 1 || v > EL_DERIVE_MAX_INST)
                return cli_fail("derive", "--instances needs a whole number in 1..%d, got '%s'",
                                EL_DERIVE_MAX_INST, optarg);
            a->o.instances = v;
            break;
        case 'j': a->json = 1; break;
        case 'e': a->dir = optarg; break;
        case 'h': help(); return -1;
        default: return cli_fail("derive", "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_fail("derive", optind >= argc ? "which file? (a path, or - for standard input)"
                                                 : "one file at a time");
    return 0;
}

int cmd_derive(int argc, char **argv)
{
    derive_args a = { .o = { .seed = 0 } };
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *dirs[2];
    size_t nd = 0;
    if (a.dir)
        dirs[nd++] = a.dir;
    else if (getenv("ELBOLAB_EXERCISES"))
        dirs[nd++] = getenv("ELBOLAB_EXERCISES");
    a.o.dirs = dirs;
    a.o.ndirs = nd;
    const char *path = argv[optind];
    char *text = read_input(path);
    if (!text)
        return EXIT_USAGE;
    el_derive_report rep;
    rc = el_derive_check(text, path, &a.o, &rep);
    free(text);
    if (rc)
        return cli_fail_lib("derive");
    int bad = 0;
    for (size_t i = 0; i < rep.n; i++)
        bad |= rep.d[i].first_invalid != 0;
    if (a.json) {
        cli_print_json(el_derive_report_json(&rep));
    } else if (rep.n == 0) {
        printf("%s: no derivation found (a chain needs two lines joined by =, \\geq, \\leq ...)\n",
               path);
    } else {
        int colour = cli_colour();
        for (size_t i = 0; i < rep.n; i++)
            print_derivation(path, &rep.d[i], colour);
    }
    el_derive_report_free(&rep);
    return bad ? EXIT_CHECK_FAILED : 0;
}
