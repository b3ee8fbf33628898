/* tally.c -- bookkeeping for checks made of exact identities and
 * inequalities (closed form against closed form), which el_check_compare's
 * quadrature / Monte Carlo verdicts do not cover. */
#include "check/el_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void el_check_tally_init(el_check_tally *t)
{
    memset(t, 0, sizeof *t);
    t->ok = 1;
}

/* Keeps (WHAT, LHS, RHS) as the worst case when its error ratio R is larger,
 * or when it is the first failure. */
static void record(el_check_tally *t, const char *what, double lhs, double rhs, double r, int ok)
{
    t->n++;
    if (isnan(r))
        r = INFINITY;
    int first_failure = !ok && t->ok;
    if (t->n == 1 || first_failure || (t->ok && r > t->worst) || (!ok && r > t->worst)) {
        t->worst = r;
        snprintf(t->what, sizeof t->what, "%s", what);
        t->lhs = lhs;
        t->rhs = rhs;
    }
    t->ok = t->ok && ok;
}

int el_check_tally_eq(el_check_tally *t, const char *what, double lhs, double rhs, double tol)
{
    double scale = tol * fmax(1.0, fmax(fabs(lhs), fabs(rhs)));
    double r = fabs(lhs - rhs) / scale;
    int ok = isfinite(lhs) && isfinite(rhs) && r <= 1.0;
    record(t, what, lhs, rhs, r, ok);
    return ok;
}

int el_check_tally_le(el_check_tally *t, const char *what, double lhs, double rhs, double slack)
{
    int ok = !isnan(lhs) && !isnan(rhs) && lhs <= rhs + slack;
    /* over / slack: > 1 when violated, 0 when the inequality holds with room */
    double over = lhs - rhs;
    double r = slack > 0.0 ? fmax(0.0, over / slack) : (ok ? 0.0 : INFINITY);
    record(t, what, lhs, rhs, r, ok);
    return ok;
}

void el_check_tally_finish(const el_check_tally *t, const char *prefix, el_check_result *res)
{
    int compared = !isnan(res->closed) || res->has_quad || res->has_mc;
    res->pass = (compared ? res->pass : 1) && t->ok;
    if (t->n == 0) {
        snprintf(res->detail, sizeof res->detail, "%s", prefix);
        return;
    }
    snprintf(res->detail, sizeof res->detail, "%s; %zu exact relations, %s: %s %.12g vs %.12g",
             prefix, t->n, t->ok ? "worst" : "FAILED", t->what, t->lhs, t->rhs);
}
