/* exercise.c -- grading an answer to a `derivation` exercise: the step
 * report, then whether the chain starts at the start, ends at the goal (or
 * runs backwards from the goal to the start), composes to the asked
 * relation, has enough counted steps and passes through every milestone.
 * Full points when all hold; when both ends match, half the points times
 * the share of steps before the first invalid one. */
#include <stdio.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/el_derive.h"

static el_relation flipped(el_relation r)
{
    switch (r) {
    case EL_REL_GE: return EL_REL_LE;
    case EL_REL_LE: return EL_REL_GE;
    case EL_REL_GT: return EL_REL_LT;
    case EL_REL_LT: return EL_REL_GT;
    default: return r;
    }
}

static size_t counted_steps(const el_derivation *d)
{
    size_t n = 0;
    for (size_t k = 1; k < d->nlines; k++)
        n += !d->steps[k].repeat;
    return n;
}

/* Do the ends of d match (start, goal)? 1 forwards, 2 backwards, 0 no, -1 error. */
static int ends_match(const el_derivation *d, const char *start, const char *goal)
{
    size_t last = d->nlines - 1;
    int a = el_derive_matches(d, 0, start), b;
    if (a < 0)
        return -1;
    if (a) {
        b = el_derive_matches(d, last, goal);
        if (b)
            return b < 0 ? -1 : 1;
    }
    a = el_derive_matches(d, 0, goal);
    if (a < 0)
        return -1;
    if (a && (b = el_derive_matches(d, last, start)) != 0)
        return b < 0 ? -1 : 2;
    return 0;
}

typedef struct {
    double score;
    char why[512];
} verdict;

static void add_why(verdict *v, const char *s)
{
    size_t n = strlen(v->why);
    snprintf(v->why + n, sizeof v->why - n, "%s%s", n ? " " : "", s);
}

static int score_pair(const el_derive_exercise *ex, const el_derivation *d, const char *start,
                      const char *goal, el_relation want, verdict *v)
{
    memset(v, 0, sizeof *v);
    int dir = ends_match(d, start, goal);
    if (dir < 0)
        return -1;
    if (dir == 0) {
        int s = el_derive_matches(d, 0, start), g = el_derive_matches(d, d->nlines - 1, goal);
        add_why(v, s > 0   ? "The chain starts at the start, but its last line is not the goal."
                   : g > 0 ? "The last line is the goal, but the chain does not start from the "
                             "start."
                           : "The chain neither starts at the start nor ends at the goal.");
        return 0;
    }
    el_relation have = dir == 1 ? d->relation : flipped(d->relation);
    size_t steps = counted_steps(d), total = d->nlines - 1;
    int full = d->valid && el_relation_implies(have, want) && steps >= ex->min_steps;
    if (!el_relation_implies(have, want)) {
        char b[160];
        snprintf(b, sizeof b, "The steps compose to '%s', but the exercise asks for '%s'.",
                 el_relation_name(have) ? el_relation_name(have) : "mixed directions",
                 el_relation_name(want));
        add_why(v, b);
    }
    if (steps < ex->min_steps) {
        char b[160];
        snprintf(b, sizeof b, "Too few steps: %zu counted, at least %zu expected.", steps,
                 ex->min_steps);
        add_why(v, b);
    }
    for (size_t m = 0; m < ex->n_milestones; m++) {
        int hit = 0;
        for (size_t i = 0; i < d->nlines && !hit; i++) {
            int r = el_derive_matches(d, i, ex->milestones[m]);
            if (r < 0)
                return -1;
            hit = r;
        }
        if (!hit) {
            char b[300];
            snprintf(b, sizeof b,
                     "A milestone is skipped: the derivation should pass through "
                     "%.200s.",
                     ex->milestones[m]);
            add_why(v, b);
            full = 0;
        }
    }
    if (d->first_invalid)
        add_why(v, "A step is not valid (see the report).");
    if (full) {
        v->score = 1;
        return 0;
    }
    double share = d->first_invalid ? (double)(d->first_invalid - 1) / (double)total : 1.0;
    v->score = ex->no_partial ? 0 : 0.5 * share;
    return 0;
}

int el_derive_grade_answer(const el_derive_exercise *ex, const el_context *ctx, const char *answer,
                           const el_derive_opts *opts, el_derive_report *rep, el_derive_grade *g)
{
    memset(g, 0, sizeof *g);
    g->best = -1;
    el_derive_opts o = opts ? *opts : (el_derive_opts){ 0 };
    o.exercise = 1;
    int rc = el_derive_check_in(answer, "(answer)", ctx, &o, rep);
    if (rc)
        return rc;
    if (rep->n == 0) {
        snprintf(g->feedback, sizeof g->feedback,
                 "No derivation found: write the lines joined "
                 "by relations (=, \\geq, \\leq), one step per row.");
        return 0;
    }
    verdict best = { -1, "" };
    for (size_t i = 0; i < rep->n; i++) {
        verdict v;
        for (size_t k = 0; k <= ex->n_alt; k++) {
            const char *s = k ? ex->alt_start[k - 1] : ex->start;
            const char *t = k ? ex->alt_goal[k - 1] : ex->goal;
            el_relation r = k ? ex->alt_relation[k - 1] : ex->relation;
            if (score_pair(ex, &rep->d[i], s, t, r, &v)) {
                el_derive_report_free(rep); /* the exercise's own forms fail: nothing to report */
                return EL_EFORMAT;
            }
            if (v.score > best.score) {
                best = v;
                g->best = (long)i;
            }
        }
    }
    g->fraction = best.score < 0 ? 0 : best.score;
    snprintf(g->feedback, sizeof g->feedback, "%s", best.why);
    return 0;
}
