/* cmd_eval.c -- `elbolab eval NAME key=value ... [--samples N] [--seed N] [--json]`. */
#include "cli/cli.h"
#include "eval/el_eval.h"
#include "core/el_core.h"
#include "topics/el_topics.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SEED 20241

static void help(void)
{
    puts("usage: elbolab eval NAME key=value ... [--samples N] [--seed N] [--json]\n\n"
         "Evaluates one quantity three ways: its closed form, adaptive quadrature of\n"
         "the defining integral (where feasible) and Monte Carlo.  Vectors are written\n"
         "mu=[0,1], matrices Sigma=[[2,0.3],[0.3,1]].  Names:");
    for (size_t i = 0; i < el_topics_eval_count(); i++) {
        const el_eval *e = el_topics_eval_at(i);
        printf("  %-14s %s\n  %-14s   %s%s%s\n", e->name, e->summary, "", e->required,
               *e->optional ? " [" : "", e->optional);
        if (*e->optional)
            fputs("]\n", stdout);
    }
    puts("\n--json prints one object: name, params, closed_form, quadrature {value,\n"
         "abserr} or null, monte_carlo {value, stderr, samples} or null, \"reasons\" (one\n"
         "sentence per route that could not be computed: it prints as unavailable),\n"
         "and any extra fields; numbers carry 17 significant digits, an infinity is\n"
         "\"inf\" or \"-inf\".  When the shown routes disagree beyond their error bars,\n"
         "eval says so on a line of its own (\"disagreement\" in JSON) and exits 1.");
}

/* A number as design.md writes it: NaN is null, an infinity "inf"/"-inf". */
static json_t *number_json(double x)
{
    if (isinf(x))
        return json_string(x > 0 ? "inf" : "-inf");
    return cli_json_number(x);
}

/* {"quadrature": sentence, "monte_carlo": sentence} for the routes that
 * could not be computed; NULL when every route is shown or does not apply. */
static json_t *reasons_json(const el_eval_result *r)
{
    if (!r->why_quad[0] && !r->why_mc[0])
        return NULL;
    json_t *o = json_object();
    if (r->why_quad[0])
        json_object_set_new(o, "quadrature", json_string(r->why_quad));
    if (r->why_mc[0])
        json_object_set_new(o, "monte_carlo", json_string(r->why_mc));
    return o;
}

static json_t *result_json(const el_eval *e, const el_params *p, const el_eval_result *r,
                           const char *disagree)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "params", el_params_json(p));
    json_object_set_new(o, "closed_form", r->has_closed ? number_json(r->closed) : json_null());
    json_object_set_new(o, "quadrature", cli_quad_json(r->has_quad, &r->quad));
    json_object_set_new(o, "monte_carlo", cli_mc_json(r->has_mc, &r->mc));
    json_t *why = reasons_json(r);
    if (why)
        json_object_set_new(o, "reasons", why);
    if (disagree)
        json_object_set_new(o, "disagreement", json_string(disagree));
    if (r->extra)
        json_object_update(o, r->extra);
    return o;
}

static void print_human(const el_eval *e, const el_eval_result *r, const char *disagree)
{
    printf("%s  %s\n", e->name, e->summary);
    if (r->has_closed)
        printf("  closed form  %.17g\n", r->closed);
    if (r->has_quad)
        printf("  quadrature   %.17g +- %.2g\n", r->quad.value, r->quad.abserr);
    else if (r->why_quad[0])
        printf("  quadrature   unavailable: %s\n", r->why_quad);
    if (r->has_mc)
        printf("  monte carlo  %.17g +- %.2g (%zu samples)\n", r->mc.value, r->mc.se, r->mc.n);
    else if (r->why_mc[0])
        printf("  monte carlo  unavailable: %s\n", r->why_mc);
    if (r->extra) {
        const char *key;
        json_t *v;
        json_object_foreach(r->extra, key, v)
        {
            char *txt = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(12) | JSON_ENCODE_ANY);
            printf("  %-12s %s\n", key, txt ? txt : "?");
            free(txt);
        }
    }
    if (disagree)
        printf("  DISAGREEMENT: %s\n", disagree);
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "seed", required_argument, NULL, 's' },
        { "samples", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    el_eval_opts opts = { DEFAULT_SEED, 0 };
    int json = 0, c;
    unsigned long v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_parse_ulong(optarg, &v))
                return cli_fail("eval", "--seed needs a whole number >= 0, got '%s'", optarg);
            opts.seed = v;
            break;
        case 'n':
            if (cli_parse_ulong(optarg, &v) || v < 2 || v > 100000000UL)
                return cli_fail("eval", "--samples needs a whole number in 2..1e8, got '%s'",
                                optarg);
            opts.samples = v;
            break;
        case 'j': json = 1; break;
        case 'h': help(); return 0;
        default: return cli_fail("eval", "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_fail("eval", "which quantity? (try --help)");
    const el_eval *e = el_topics_eval_find(argv[optind]);
    if (!e)
        return cli_fail_lib("eval");
    el_params p = { 0 };
    el_eval_result r = { 0 };
    int s = el_params_parse(&p, argc - optind - 1, argv + optind + 1);
    if (s == EL_OK)
        s = el_eval_run(e, &p, &opts, &r);
    char why[2 * EL_EVAL_WHY_LEN];
    const char *disagree = NULL;
    if (s == EL_OK && el_eval_disagreement(&r, why, sizeof why))
        disagree = why;
    if (s == EL_OK) {
        if (json)
            cli_print_json(result_json(e, &p, &r, disagree));
        else
            print_human(e, &r, disagree);
    }
    int rc = s == EL_OK ? (disagree ? 1 : 0) : cli_fail_lib("eval");
    el_eval_result_free(&r);
    el_params_free(&p);
    return rc;
}
