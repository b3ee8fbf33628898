/* cmd_check.c -- `elbolab check [ID|PREFIX ...] [--seed N] [--samples N]
 * [--negative] [--json]`: the table of derivation checks. */
#include "cli/cli.h"
#include "check/el_check.h"
#include "core/el_core.h"
#include "topics/el_topics.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SEED 20241

static const char check_help[] =
    "usage: elbolab check [ID|PREFIX ...] [--seed N] [--samples N] [--negative] [--json]\n\n"
    "Runs derivation checks (all of them, or those whose id or group prefix is\n"
    "given, e.g. `kl` or `kl.gauss_1d`) and prints one row per check:\n"
    "  closed      the closed form (for a grid: at its worst point)\n"
    "  quadrature  adaptive quadrature of the defining integral, +- GSL's error estimate\n"
    "  monte carlo the Monte Carlo estimate +- its standard error\n"
    "  verdict     PASS when quadrature agrees within max(1e-10, 1e-9|v|) + error and\n"
    "              Monte Carlo within 5 standard errors\n"
    "--negative runs each check's negative controls instead: a typical mistake\n"
    "swapped in, which the same comparison must reject.\n"
    "--seed N (default 20241) makes runs reproducible: the same seed gives the\n"
    "same output.  --samples N raises the Monte Carlo size; a check never uses\n"
    "fewer draws than its default, at which every negative control is rejected\n"
    "by 20 standard errors or more.\n"
    "Exit status: 0 all passed (or every mistake rejected), 1 otherwise, 2 bad usage.\n";

typedef struct {
    el_check_opts opts;
    int json, negative;
    int npatterns;
    char **patterns;
} check_args;

static int parse_args(int argc, char **argv, check_args *a)
{
    static const struct option longopts[] = {
        { "seed", required_argument, NULL, 's' }, { "samples", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },       { "negative", no_argument, NULL, 'x' },
        { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
    };
    unsigned long v;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_parse_ulong(optarg, &v))
                return cli_fail("check", "--seed needs a whole number >= 0, got '%s'", optarg);
            a->opts.seed = v;
            break;
        case 'n':
            if (cli_parse_ulong(optarg, &v) || v < 100 || v > 100000000UL)
                return cli_fail("check", "--samples needs a whole number in 100..1e8, got '%s'",
                                optarg);
            a->opts.samples = v;
            break;
        case 'j': a->json = 1; break;
        case 'x': a->negative = 1; break;
        case 'h': fputs(check_help, stdout); return -1;
        default: return cli_fail("check", "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    a->npatterns = argc - optind;
    a->patterns = argv + optind;
    for (int i = 0; i < a->npatterns; i++) {
        int hit = 0;
        for (size_t k = 0; k < el_topics_check_count() && !hit; k++)
            hit = el_check_matches(el_topics_check_at(k), a->patterns[i]);
        if (!hit)
            return cli_fail("check", "no check matches '%s' (see 'elbolab list')", a->patterns[i]);
    }
    return 0;
}

static int selected(const check_args *a, const el_check *c)
{
    if (a->npatterns == 0)
        return 1;
    for (int i = 0; i < a->npatterns; i++)
        if (el_check_matches(c, a->patterns[i]))
            return 1;
    return 0;
}

/* "value +- err" into BUF, or "-" when absent. */
static void fmt_pm(char *buf, size_t len, int has, double v, double e)
{
    if (!has)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.10g +- %.2g", v, e);
}

static void print_row(const char *id, const el_check_result *r, int status, const char *verdict)
{
    char closed[32], quad[48], mc[48];
    if (isnan(r->closed))
        snprintf(closed, sizeof closed, "-");
    else
        snprintf(closed, sizeof closed, "%.10g", r->closed);
    fmt_pm(quad, sizeof quad, r->has_quad, r->quad.value, r->quad.abserr);
    fmt_pm(mc, sizeof mc, r->has_mc, r->mc.value, r->mc.se);
    int colour = cli_colour();
    const char *on = "", *off = colour ? "\033[0m" : "";
    if (colour)
        on = strcmp(verdict, "PASS") == 0 || strcmp(verdict, "REJECTED") == 0 ? "\033[32m"
                                                                              : "\033[31m";
    printf("%-26s %-18s %-30s %-30s %s%s%s\n", id, closed, quad, mc, on, verdict, off);
    if (status != EL_OK)
        printf("%-26s   error: %s\n", "", el_errmsg());
    else if (r->detail[0])
        printf("%-26s   %s\n", "", r->detail);
}

static json_t *row_json(const el_check *c, int variant, const el_check_result *r, int status,
                        int ok)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "claim", json_string(c->claim));
    if (variant)
        json_object_set_new(o, "negative_control", json_string(c->mistakes[variant - 1]));
    json_object_set_new(o, "pass", json_boolean(ok));
    json_object_set_new(o, "closed_form", cli_json_number(r->closed));
    json_object_set_new(o, "quadrature", cli_quad_json(r->has_quad, &r->quad));
    json_object_set_new(o, "monte_carlo", cli_mc_json(r->has_mc, &r->mc));
    json_object_set_new(o, "detail", json_string(status ? el_errmsg() : r->detail));
    return o;
}

/* Runs one variant; returns 1 when the outcome is the wanted one (a claim
 * passes, a mistake is rejected). */
static int run_one(const check_args *a, const el_check *c, int variant, json_t *arr)
{
    el_check_result r;
    int s = el_check_run(c, &a->opts, variant, &r);
    int good = variant == 0 ? (s == EL_OK && r.pass) : (s == EL_OK && !r.pass);
    if (arr) {
        json_array_append_new(arr, row_json(c, variant, &r, s, s == EL_OK && r.pass));
    } else {
        char id[128];
        if (variant)
            snprintf(id, sizeof id, "%s!%d", c->id, variant);
        else
            snprintf(id, sizeof id, "%s", c->id);
        const char *verdict = variant ? (good ? "REJECTED" : "ACCEPTED") : (good ? "PASS" : "FAIL");
        if (s != EL_OK)
            verdict = "ERROR";
        if (variant)
            printf("%-26s   mistake: %s\n", "", c->mistakes[variant - 1]);
        print_row(id, &r, s, verdict);
    }
    return good;
}

int cmd_check(int argc, char **argv)
{
    check_args a = { { DEFAULT_SEED, 0 }, 0, 0, 0, NULL };
    int s = parse_args(argc, argv, &a);
    if (s)
        return s < 0 ? 0 : s;
    json_t *arr = a.json ? json_array() : NULL;
    if (!a.json)
        printf("%-26s %-18s %-30s %-30s %s\n", "check", "closed form", "quadrature +- err",
               "monte carlo +- se", "verdict");
    int good = 0, bad = 0;
    for (size_t i = 0; i < el_topics_check_count(); i++) {
        const el_check *c = el_topics_check_at(i);
        if (!selected(&a, c))
            continue;
        int first = a.negative ? 1 : 0, last = a.negative ? el_check_nmistakes(c) : 0;
        for (int v = first; v <= last; v++) {
            if (run_one(&a, c, v, arr))
                good++;
            else
                bad++;
        }
    }
    if (arr)
        cli_print_json(arr);
    else if (a.negative)
        printf("\n%d mistakes rejected, %d accepted\n", good, bad);
    else
        printf("\n%d checks passed, %d failed\n", good, bad);
    return bad ? EXIT_CHECK_FAILED : 0;
}
