/* sets.c -- problem sets: a file of exercises/sets/ read into an
 * el_grade_exercise_set.  Either a flat list
 *
 *     name = kl
 *     exercises = kl-self, kl-equal-variance:3     # id[:points], in order
 *     points = kl-self:2                            # optional overrides
 *
 * or a homework sheet, question by question, every question of the sheet
 * named in `questions` and given its own section:
 *
 *     name = sheet-000
 *     sheet = 000_97c762d2badfe1b3.txt
 *     questions = 1a, 1b
 *     [question 1a]
 *     points = 3
 *     exercises = derive-elbo-jensen
 *
 * A question's `points` go to its only exercise, or (several exercises)
 * must equal the sum of their `id:points`. */
#include "grade/util.h"
#include "grade/ini.h"
#include "grade/sets.h"
#include "core/el_core.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    el_grade_exercise *const *all; /* the book's exercises */
    size_t nall;
    el_grade_exercise_set *s;
    const char *path;
} reader;

/* The book's exercise called ID (normalised as in answer files), or NULL. */
static const el_grade_exercise *find(const reader *r, const char *id)
{
    char *n = grade_norm_name(id, '-');
    const el_grade_exercise *found = NULL;
    for (size_t i = 0; n && !found && i < r->nall; i++)
        if (!strcmp(r->all[i]->id, n))
            found = r->all[i];
    free(n);
    return found;
}

/* Appends exercise ID with POINTS (NAN: its own) to the set. */
static int add_member(reader *r, const char *id, double points, int line)
{
    el_grade_exercise_set *s = r->s;
    const el_grade_exercise *ex = find(r, id);
    int dup = 0;
    for (size_t i = 0; ex && i < s->n; i++)
        dup |= s->ex[i] == ex;
    if (!ex || dup)
        return EL_ERROR(EL_EFORMAT, "%s:%d: %s exercise '%s'", r->path, line,
                        dup ? "repeated" : "unknown", id);
    size_t cap = r->nall + 1;
    if (!s->ex && !(s->ex = calloc(cap, sizeof *s->ex)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s->points && !(s->points = calloc(cap, sizeof *s->points)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    s->ex[s->n] = ex;
    s->points[s->n++] = points;
    return EL_OK;
}

/* "id" or "id:points" (points > 0) into ID (CAP bytes) and *POINTS (NAN: none). */
static int split_item(reader *r, const char *item, size_t len, char *id, size_t cap, double *points,
                      int line)
{
    const char *colon = memchr(item, ':', len);
    size_t k = colon ? (size_t)(colon - item) : len;
    while (k && isspace((unsigned char)item[k - 1]))
        k--;
    if (!k || k >= cap)
        return EL_ERROR(EL_EFORMAT, "%s:%d: '%.*s' is not an exercise id", r->path, line, (int)len,
                        item);
    memcpy(id, item, k);
    id[k] = '\0';
    *points = NAN;
    if (colon) {
        char num[64], *end;
        snprintf(num, sizeof num, "%.*s", (int)(len - k - 1 > 60 ? 60 : len - k - 1), colon + 1);
        double x = strtod(num, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (end == num || *end || !(x > 0) || !isfinite(x))
            return EL_ERROR(EL_EFORMAT, "%s:%d: the points of '%s' must be a number > 0", r->path,
                            line, id);
        *points = x;
    }
    return EL_OK;
}

/* The next item of a list at *P (items are separated by commas or white
 * space): where it starts, its length in *LEN (0: no more); *P moves past it. */
static const char *next_item(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s && (isspace((unsigned char)*s) || *s == ','))
        s++;
    *len = strcspn(s, ", \t\r\n");
    *p = s + *len;
    return s;
}

/* Calls FN on every item of LIST ("id" or "id:points", separated by commas
 * or white space). */
static int each_item(reader *r, const char *list, int line,
                     int (*fn)(reader *, const char *, double, int))
{
    size_t k;
    for (const char *p = list, *item = next_item(&p, &k); k; item = next_item(&p, &k)) {
        char id[128];
        double pts = NAN;
        int st = split_item(r, item, k, id, sizeof id, &pts, line);
        if (!st)
            st = fn(r, id, pts, line);
        if (st)
            return st;
    }
    return EL_OK;
}

static int override_points(reader *r, const char *id, double points, int line)
{
    const el_grade_exercise *ex = find(r, id);
    for (size_t i = 0; ex && i < r->s->n; i++)
        if (r->s->ex[i] == ex) {
            if (isnan(points))
                break;
            r->s->points[i] = points;
            return EL_OK;
        }
    return EL_ERROR(EL_EFORMAT, "%s:%d: points: '%s' must be an exercise of the set, as id:points",
                    r->path, line, id);
}

/* The question named NAME in LIST (commas or spaces), its index, or -1. */
static long question_index(const char *list, const char *name)
{
    long i = 0;
    size_t k, n = strlen(name);
    for (const char *p = list, *item = next_item(&p, &k); k; item = next_item(&p, &k), i++)
        if (k == n && !strncmp(item, name, n))
            return i;
    return -1;
}

/* The number of items of LIST. */
static size_t count_items(const char *list)
{
    size_t n = 0, k;
    for (const char *p = list; next_item(&p, &k), k;)
        n++;
    return n;
}

/* Reads [question NAME] section SEC as question Q of the set. */
static int read_question(reader *r, const ini_section *sec, const char *name, el_grade_question *q)
{
    const char *list = NULL, *title = NULL;
    double points = NAN;
    int line = sec->line;
    for (size_t i = 0; i < sec->n; i++) {
        const ini_entry *e = &sec->e[i];
        char *end;
        if (!strcmp(e->key, "exercises")) {
            list = e->value;
            line = e->line;
        } else if (!strcmp(e->key, "title")) {
            title = e->value;
        } else if (!strcmp(e->key, "points")) {
            points = strtod(e->value, &end);
            if (end == e->value || *end || !(points > 0))
                return EL_ERROR(EL_EFORMAT, "%s:%d: points must be a number > 0", r->path, e->line);
        } else {
            return EL_ERROR(EL_EFORMAT,
                            "%s:%d: unknown key '%s' in [question %s] (title, "
                            "points, exercises)",
                            r->path, e->line, e->key, name);
        }
    }
    if (!list)
        return EL_ERROR(EL_EFORMAT,
                        "%s:%d: question %s names no exercise that grades it "
                        "(exercises = ...)",
                        r->path, sec->line, name);
    q->first = r->s->n;
    int st = each_item(r, list, line, add_member);
    if (st)
        return st;
    q->n = r->s->n - q->first;
    if (!q->n)
        return EL_ERROR(EL_EFORMAT, "%s:%d: question %s names no exercise", r->path, line, name);
    size_t unset = 0;
    for (size_t i = q->first; i < r->s->n; i++)
        unset += isnan(r->s->points[i]) != 0;
    if (!isnan(points) && q->n == 1 && unset == 1)
        r->s->points[q->first] = points;
    q->points = 0;
    for (size_t i = q->first; i < r->s->n; i++)
        q->points += el_grade_set_points(r->s, i, NULL);
    if (!isnan(points) && fabs(q->points - points) > 1e-9)
        return EL_ERROR(EL_EFORMAT,
                        "%s:%d: question %s is worth %g points, but its exercises "
                        "add up to %g (write id:points for each)",
                        r->path, line, name, points, q->points);
    q->name = grade_strdup(name);
    q->title = title ? grade_strdup(title) : NULL;
    if (!q->name || (title && !q->title))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    return EL_OK;
}

/* The [question ...] sections of F, which must be those of LIST, in its order. */
static int read_questions(reader *r, const ini_file *f, const char *list, int line)
{
    size_t nq = count_items(list);
    if (!nq)
        return EL_ERROR(EL_EFORMAT, "%s:%d: questions lists none", r->path, line);
    r->s->questions = calloc(nq, sizeof *r->s->questions);
    if (!r->s->questions)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 1; i < f->n; i++) {
        const ini_section *sec = &f->s[i];
        const char *name = sec->name;
        if (strncmp(name, "question ", 9) != 0)
            return EL_ERROR(EL_EFORMAT,
                            "%s:%d: unknown section [%s] (a set has [question "
                            "NAME] sections)",
                            r->path, sec->line, name);
        name += 9;
        while (*name == ' ')
            name++;
        long k = question_index(list, name);
        if (k < 0)
            return EL_ERROR(EL_EFORMAT, "%s:%d: [question %s] is not in the list of questions",
                            r->path, sec->line, name);
        if ((size_t)k != r->s->nquestions)
            return EL_ERROR(EL_EFORMAT,
                            "%s:%d: [question %s] is out of the sheet's order or "
                            "repeated (questions = %s)",
                            r->path, sec->line, name, list);
        int st = read_question(r, sec, name, &r->s->questions[r->s->nquestions]);
        r->s->nquestions++;
        if (st)
            return st;
    }
    if (r->s->nquestions < nq) {
        const char *p = list, *item = list;
        size_t k = 0;
        for (size_t i = 0; i <= r->s->nquestions; i++) /* the first one missing */
            item = next_item(&p, &k);
        return EL_ERROR(EL_EFORMAT,
                        "%s: question %.*s has no [question] section: every "
                        "question of the sheet maps to the exercises that grade it",
                        r->path, (int)k, item);
    }
    return EL_OK;
}

int grade_set_read(el_grade_exercise *const *all, size_t nall, const char *path, const ini_file *f,
                   el_grade_exercise_set *s)
{
    reader r = { all, nall, s, path };
    const char *list = NULL, *questions = NULL, *points = NULL;
    int line = 1, qline = 1, pline = 1, st = EL_OK;
    for (size_t i = 0; !st && f->n && i < f->s[0].n; i++) {
        const ini_entry *e = &f->s[0].e[i];
        char **field = NULL;
        if (!strcmp(e->key, "title"))
            field = &s->title;
        else if (!strcmp(e->key, "sheet"))
            field = &s->sheet;
        else if (!strcmp(e->key, "name"))
            continue;
        else if (!strcmp(e->key, "exercises"))
            list = e->value, line = e->line;
        else if (!strcmp(e->key, "questions"))
            questions = e->value, qline = e->line;
        else if (!strcmp(e->key, "points"))
            points = e->value, pline = e->line;
        else
            st = EL_ERROR(EL_EFORMAT,
                          "%s:%d: unknown key '%s' (name, title, sheet, exercises, "
                          "points, questions)",
                          path, e->line, e->key);
        if (field) {
            free(*field);
            if (!(*field = grade_strdup(e->value)))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        }
    }
    if (!st && !list == !questions)
        st = EL_ERROR(EL_EFORMAT,
                      "%s: a problem set has either exercises = ... or questions = "
                      "... with a [question NAME] section each",
                      path);
    if (!st && list && f->n > 1)
        st = EL_ERROR(EL_EFORMAT,
                      "%s:%d: [%s]: a set of exercises has no sections (use "
                      "questions = ... for a sheet)",
                      path, f->s[1].line, f->s[1].name);
    if (!st && list)
        st = each_item(&r, list, line, add_member);
    if (!st && questions)
        st = read_questions(&r, f, questions, qline);
    if (!st && points)
        st = each_item(&r, points, pline, override_points);
    if (!st && !s->title && !(s->title = grade_strdup(s->name)))
        st = EL_ERROR(EL_ENOMEM, "out of memory");
    return st;
}

void grade_set_free(el_grade_exercise_set *s)
{
    free(s->name);
    free(s->title);
    free(s->sheet);
    free(s->ex);
    free(s->points);
    for (size_t i = 0; i < s->nquestions; i++) {
        free(s->questions[i].name);
        free(s->questions[i].title);
    }
    free(s->questions);
}

/* ---- points ------------------------------------------------------------------------- */

double el_grade_set_points(const el_grade_exercise_set *set, size_t i, double *manual)
{
    const el_grade_exercise *ex = set->ex[i];
    double own = ex->points, pts = set->points && !isnan(set->points[i]) ? set->points[i] : own;
    if (manual) {
        double m = 0;
        for (size_t k = 0; k < ex->nparts; k++)
            if (ex->parts[k].kind == EL_GRADE_PART_TEXT)
                m += ex->parts[k].points;
        *manual = own > 0 ? m * pts / own : 0.0;
    }
    return pts;
}

double el_grade_set_total(const el_grade_exercise_set *set, double *manual)
{
    double total = 0, m = 0;
    for (size_t i = 0; i < set->n; i++) {
        double mi;
        total += el_grade_set_points(set, i, &mi);
        m += mi;
    }
    if (manual)
        *manual = el_grade_round(m);
    return el_grade_round(total);
}

size_t el_grade_set_ntexts(const el_grade_exercise_set *set)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        for (size_t k = 0; k < set->ex[i]->nparts; k++)
            n += set->ex[i]->parts[k].kind == EL_GRADE_PART_TEXT;
    return n;
}

const el_grade_part *el_grade_set_text_at(const el_grade_exercise_set *set, size_t i,
                                          size_t *exercise)
{
    for (size_t e = 0; e < set->n; e++)
        for (size_t k = 0; k < set->ex[e]->nparts; k++)
            if (set->ex[e]->parts[k].kind == EL_GRADE_PART_TEXT && i-- == 0) {
                if (exercise)
                    *exercise = e;
                return &set->ex[e]->parts[k];
            }
    return NULL;
}
