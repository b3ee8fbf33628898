/* values.c -- grading numbers, true/false, single choices and
 * multiple selections, with forgiving reading of what students write
 * (F, false, False.; an option by its number, letter or text). */
#include "grade/util.h"
#include "grade/text.h"
#include "grade/exercise.h"
#include "grade/parts.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- numbers ------------------------------------------------------------------ */

/* The text after the last top-level '=', "\approx" or "≈" (the number of
 * "mu = 0.33"), or TEXT itself. */
static const char *after_equals(const char *text)
{
    const char *best = text;
    int depth = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '(' || *p == '{' || *p == '[')
            depth++;
        else if ((*p == ')' || *p == '}' || *p == ']') && depth > 0)
            depth--;
        else if (depth == 0 && *p == '=')
            best = p + 1;
        else if (depth == 0 && !strncmp(p, "\\approx", 7))
            best = p + 7;
        else if (depth == 0 && !strncmp(p, "\xe2\x89\x88", 3))
            best = p + 3;
        else if (depth == 0 && *p == '~' && p == text)
            best = p + 1;
    }
    return best;
}

static int within(double s, double r, const el_grade_part *p)
{
    return fabs(s - r) <= fmax(p->abs_tol, p->rel_tol * fabs(r));
}

/* S is the default variant's value (the statement's numbers copied by a
 * student whose variant differs): says so in FB, with both parameter sets;
 * 1 if it is. */
static int default_variant(const el_grade_exercise *ex, const el_grade_part *part,
                           const char *student, double s, double r, gbuf *fb)
{
    double x, v[64];
    if (!student || !*student || !el_grade_exercise_has_variants(ex) ||
        el_grade_exercise_number(ex, part, NULL, &x) || !within(s, x, part) || within(x, r, part))
        return 0;
    el_grade_exercise_variant(ex, student, v);
    gbuf_puts(fb, "This is the value for the default parameters (");
    for (size_t i = 0; i < ex->nparams && i < 64; i++)
        gbuf_printf(fb, "%s%s = %g", i ? ", " : "", ex->params[i].name, ex->params[i].def);
    gbuf_puts(fb, "); your variant has ");
    for (size_t i = 0; i < ex->nparams && i < 64; i++)
        gbuf_printf(fb, "%s%s = %g", i ? ", " : "", ex->params[i].name, v[i]);
    gbuf_printf(fb, " (elbolab exercise show %s --student %s).", ex->id, student);
    return 1;
}

/* Names the signature of a wrong number S (reference R) in FB; 1 if found. */
static int number_signature(const el_grade_exercise *ex, const el_grade_part *part,
                            const char *student, double s, double r, gbuf *fb)
{
    double v[64];
    if (default_variant(ex, part, student, s, r, fb))
        return 1;
    el_grade_exercise_variant(ex, student, v);
    for (size_t i = 0; i < part->nmistakes; i++) {
        double m;
        if (!grade_param_eval(ex, part->mistakes[i].compiled, v, &m) && within(s, m, part)) {
            gbuf_puts(fb, part->mistakes[i].hint);
            return 1;
        }
    }
    for (size_t i = 0; i < ex->nparts; i++) {
        const el_grade_part *o = &ex->parts[i];
        double x;
        if (o != part && o->kind == EL_GRADE_PART_NUMBER &&
            !el_grade_exercise_number(ex, o, student, &x) && within(s, x, part) &&
            !within(x, r, part)) {
            gbuf_printf(fb, "This is the value of %s, not of %s.", o->name, part->name);
            return 1;
        }
    }
    if (r != 0.0 && within(-s, r, part)) {
        gbuf_puts(fb, "The sign is wrong.");
        return 1;
    }
    if (r > 0 && within(s, r * r, part)) {
        gbuf_puts(fb, "Your number is the square of the expected one (a variance where a standard "
                      "deviation is asked?).");
        return 1;
    }
    if (r > 0 && s > 0 && within(s * s, r, part)) {
        gbuf_puts(fb, "Your number is the square root of the expected one (a standard deviation "
                      "where a variance is asked?).");
        return 1;
    }
    return 0;
}

/* The number at the start of TEXT when words follow it ("0 (log 1 = 0)"):
 * the longest prefix, cut at a space, that reads as a number.  0 if found. */
static int leading_number(const char *text, double *out)
{
    size_t n = strlen(text);
    char msg[64];
    int tries = 0;
    for (size_t k = n; k-- > 1 && tries < 24;) {
        if (!isspace((unsigned char)text[k]) || isspace((unsigned char)text[k - 1]))
            continue;
        tries++;
        char *t = grade_strndup(text, k);
        int st = t ? grade_number(t, out, msg, sizeof msg) : -1;
        free(t);
        if (st == 0)
            return 0;
    }
    return -1;
}

void grade_number_part(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                       const char *student, el_grade_part_result *res)
{
    gbuf fb = { 0 };
    double r, s;
    char msg[300];
    res->score = 0.0;
    if (el_grade_exercise_number(ex, part, student, &r)) {
        res->status = EL_GRADE_UNREADABLE;
        gbuf_printf(&fb, "This part cannot be graded: %s.", el_errmsg());
    } else if (grade_number(after_equals(text), &s, msg, sizeof msg) && leading_number(text, &s)) {
        res->status = EL_GRADE_UNREADABLE;
        gbuf_printf(&fb, "A number is expected: %s.", msg);
    } else if (within(s, r, part)) {
        res->status = EL_GRADE_CORRECT;
        res->score = part->points;
    } else {
        res->status = EL_GRADE_WRONG;
        char num[64];
        snprintf(num, sizeof num, "%.6g", s);
        if (!number_signature(ex, part, student, s, r, &fb))
            gbuf_printf(&fb, "%s is not within the tolerance (%g) of the expected value.", num,
                        fmax(part->abs_tol, part->rel_tol * fabs(r)));
    }
    res->feedback = fb.n ? gbuf_take(&fb) : NULL;
}

/* ---- true / false -------------------------------------------------------------------- */

/* The next ASCII word of S from *I, lower case, into W (at most N-1 chars). */
static int next_word(const char *s, size_t *i, char *w, size_t n)
{
    while (s[*i] && !isalnum((unsigned char)s[*i])) {
        if (!strncmp(s + *i, "\xe2\x9c\x93", 3) || !strncmp(s + *i, "\xe2\x9c\x94", 3)) {
            snprintf(w, n, "true");
            *i += 3;
            return 1;
        }
        if (!strncmp(s + *i, "\xe2\x9c\x97", 3) || !strncmp(s + *i, "\xe2\x9c\x98", 3)) {
            snprintf(w, n, "false");
            *i += 3;
            return 1;
        }
        if (s[*i] == '\\') { /* skip a LaTeX command name: \text, \textbf */
            (*i)++;
            while (isalpha((unsigned char)s[*i]))
                (*i)++;
            continue;
        }
        (*i)++;
    }
    size_t k = 0;
    while (isalnum((unsigned char)s[*i])) {
        if (k + 1 < n)
            w[k++] = (char)tolower((unsigned char)s[*i]);
        (*i)++;
    }
    w[k] = '\0';
    return k > 0;
}

/* 1 true, 0 false, -1 not a truth value. */
static int truth_word(const char *w)
{
    static const char *const yes[] = { "true", "t",    "yes",  "y",         "correct", "right",
                                       "1",    "wahr", "vrai", "verdadero", "vero",    NULL };
    static const char *const no[] = { "false", "f",      "no",   "n",     "incorrect", "wrong",
                                      "0",     "falsch", "faux", "falso", NULL };
    for (size_t i = 0; yes[i]; i++)
        if (!strcmp(w, yes[i]))
            return 1;
    for (size_t i = 0; no[i]; i++)
        if (!strcmp(w, no[i]))
            return 0;
    return -1;
}

/* The truth value a whole sentence states ("The statement is false",
 * "this is not true"): 1, 0, or -1 when it names none or both. */
static int truth_of_sentence(const char *text)
{
    static const char *const yes[] = { "true", "correct", NULL }, *const no[] = { "false",
                                                                                  "incorrect",
                                                                                  "wrong", NULL };
    char w[32], prev[32] = "";
    size_t i = 0;
    int found = -1;
    while (next_word(text, &i, w, sizeof w)) {
        int t = -1;
        for (size_t k = 0; yes[k]; k++)
            t = !strcmp(w, yes[k]) ? 1 : t;
        for (size_t k = 0; no[k]; k++)
            t = !strcmp(w, no[k]) ? 0 : t;
        if (t >= 0 && (!strcmp(prev, "not") || !strcmp(prev, "nicht")))
            t = !t;
        if (t >= 0 && found >= 0 && t != found)
            return -1;
        if (t >= 0)
            found = t;
        snprintf(prev, sizeof prev, "%s", w);
    }
    return found;
}

/* "True or false: false", "T/F: F": the copied prompt before the answer. */
static const char *skip_prompt(const char *text)
{
    static const char *const prompts[] = { "true or false", "true/false", "true / false",
                                           "t/f",           "t / f",      NULL };
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    for (size_t i = 0; prompts[i]; i++) {
        size_t k = strlen(prompts[i]);
        if (!strncasecmp(p, prompts[i], k) && !isalnum((unsigned char)p[k])) {
            p += k;
            while (*p && (isspace((unsigned char)*p) || strchr(":?-.", *p)))
                p++;
            return *p ? p : text;
        }
    }
    return text;
}

/* The truth value of one clause: its first word ("false, because ..."),
 * with a hedged negation ("not necessarily true" is false), else what the
 * whole clause states.  1, 0, or -1. */
static int truth_of_clause(const char *text)
{
    char w[32], w2[32];
    size_t i = 0;
    int t = -1;
    if (next_word(text, &i, w, sizeof w)) {
        t = truth_word(w);
        if (t < 0 && (!strcmp(w, "not") || !strcmp(w, "nicht")) &&
            next_word(text, &i, w2, sizeof w2)) {
            /* "not necessarily true", "not always true": the hedge keeps the negation */
            static const char *const hedges[] = { "necessarily", "always",     "quite",
                                                  "entirely",    "completely", "strictly",
                                                  "exactly",     "generally",  "unconditionally",
                                                  NULL };
            for (size_t k = 0; hedges[k]; k++)
                if (!strcmp(w2, hedges[k]) && next_word(text, &i, w2, sizeof w2))
                    break;
            t = truth_word(w2);
            t = t < 0 ? -1 : !t;
        }
    }
    return t >= 0 ? t : truth_of_sentence(text);
}

/* 1 if the word W (lower case) occurs as a word in TEXT. */
static int has_word(const char *text, const char *w)
{
    char x[32];
    size_t i = 0;
    while (next_word(text, &i, x, sizeof x))
        if (!strcmp(x, w))
            return 1;
    return 0;
}

/* 1 when W (lower case) is a word that could qualify a truth value: longer
 * than three letters, not a truth word, not "not", and not a function word
 * that any statement may use ("with", "that", "only"). */
static int qualifier_word(const char *w)
{
    static const char *const function_words[] = {
        "about", "also",  "because", "been",  "being", "does",  "each",  "every", "from",
        "have",  "into",  "only",    "over",  "some",  "such",  "than",  "that",  "their",
        "them",  "then",  "there",   "they",  "this",  "under", "were",  "what",  "when",
        "where", "which", "while",   "whose", "will",  "with",  "would", NULL
    };
    if (strlen(w) <= 3 || truth_word(w) >= 0 || !strcmp(w, "not"))
        return 0;
    for (size_t i = 0; function_words[i]; i++)
        if (!strcmp(w, function_words[i]))
            return 0;
    return 1;
}

enum { MAX_CLAUSES = 8 };

/* Cuts S (modified) into clauses at , ; . and " but ", " whereas ",
 * " while "; keeps those that state a truth value, in CLAUSE and VALUE.
 * Returns their number. */
static size_t truth_clauses(char *s, char **clause, int *value)
{
    size_t n = 0;
    for (char *p = s, *c = s; p && n < MAX_CLAUSES; p++) {
        int end = !*p;
        if (!end && !strchr(",;.", *p) && strncasecmp(p, " but ", 5) &&
            strncasecmp(p, " whereas ", 9) && strncasecmp(p, " while ", 7))
            continue;
        *p = '\0';
        clause[n] = c;
        value[n] = truth_of_clause(c);
        n += value[n] >= 0;
        if (end)
            break;
        c = p + 1;
    }
    return n;
}

/* "True for the forward KL, false for the reverse KL": when TEXT's clauses
 * state both truth values, the value whose clauses have a word of their
 * own (in no clause of the other value) that STATEMENT uses is the answer
 * to the question asked.  1, 0, or -1 (the clauses agree, or none or both
 * values are qualified that way). */
static int truth_by_qualifier(const char *text, const char *statement)
{
    char *s = grade_strdup(text);
    char *clause[MAX_CLAUSES];
    int value[MAX_CLAUSES], seen[2] = { 0, 0 }, hit[2] = { 0, 0 };
    size_t n = s ? truth_clauses(s, clause, value) : 0;
    for (size_t i = 0; i < n; i++)
        seen[value[i]] = 1;
    for (size_t i = 0; seen[0] && seen[1] && i < n; i++) {
        char w[32];
        size_t at = 0;
        while (next_word(clause[i], &at, w, sizeof w)) {
            int own = qualifier_word(w);
            for (size_t j = 0; own && j < n; j++)
                own = value[j] == value[i] || !has_word(clause[j], w);
            hit[value[i]] += own && has_word(statement, w);
        }
    }
    free(s);
    return !(seen[0] && seen[1]) || (hit[0] > 0) == (hit[1] > 0) ? -1 : hit[1] > 0;
}

void grade_truefalse(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                     el_grade_part_result *res)
{
    text = skip_prompt(text);
    int t = truth_by_qualifier(text, ex->statement ? ex->statement : "");
    if (t < 0) /* else the answer leads: "False, it would be true for ..." */
        t = truth_of_clause(text);
    res->score = 0.0;
    if (t < 0) { /* read, but it says neither: an answer worth nothing, not unreadable */
        res->status = EL_GRADE_WRONG;
        res->feedback = grade_strdup("Your answer says neither true nor false: write true or "
                                     "false (T/F, yes/no are fine too).");
    } else if (t == part->truth) {
        res->status = EL_GRADE_CORRECT;
        res->score = part->points;
    } else {
        res->status = EL_GRADE_WRONG;
        const char *hint = part->nmistakes ? part->mistakes[0].hint : NULL;
        res->feedback = grade_strdup(hint ? hint : "That is not right.");
    }
}

/* ---- options --------------------------------------------------------------------------- */

/* The options the statement lists and numbers (hidden ones come last). */
static size_t nlisted(const el_grade_part *part)
{
    size_t n = 0;
    while (n < part->noptions && !part->options[n].hidden)
        n++;
    return n;
}

/* The option number written as "3", "(3)", "option 3", "#3", "c", "(c)";
 * -1 if ANSWER (normalised) is not of that form, -2 if out of range. */
static long option_by_label(const el_grade_part *part, const char *n)
{
    const char *p = n;
    if (!strncmp(p, "option", 6))
        p += 6;
    else if (!strncmp(p, "answer", 6))
        p += 6;
    while (*p == '(' || *p == '#' || *p == '[')
        p++;
    size_t k = strlen(p);
    while (k && (p[k - 1] == ')' || p[k - 1] == '.' || p[k - 1] == ']' || p[k - 1] == ':'))
        k--;
    if (k == 0)
        return -1;
    if (k == 1 && p[0] >= 'a' && p[0] <= 'z')
        return p[0] - 'a' < (long)nlisted(part) ? p[0] - 'a' : -2;
    if (k > 3)
        return -1;
    long v = 0;
    for (size_t i = 0; i < k; i++) {
        if (!isdigit((unsigned char)p[i]))
            return -1;
        v = 10 * v + (p[i] - '0');
    }
    return v >= 1 && v <= (long)nlisted(part) ? v - 1 : -2;
}

/* "3, because ...", "3 (the posterior)": a leading option number followed
 * by words without another number; -1 if not of that form. */
static long leading_label(const el_grade_part *part, const char *n)
{
    size_t k = 0;
    long v = 0;
    while (isdigit((unsigned char)n[k]) && k < 3)
        v = 10 * v + (n[k++] - '0');
    if (k == 0 || isalnum((unsigned char)n[k]) || !n[k])
        return -1;
    if (n[k] == '(') /* "1 (KL = 0, so F = log p(x))": a remark in brackets */
        return v >= 1 && v <= (long)nlisted(part) ? v - 1 : -2;
    for (const char *p = n + k; *p; p++)
        if (isdigit((unsigned char)*p))
            return -1;
    return v >= 1 && v <= (long)nlisted(part) ? v - 1 : -2;
}

typedef struct {
    size_t start, end, option;
} span;

/* Every place where an option's text or accepted spelling occurs in N. */
static size_t find_spans(const el_grade_part *part, const char *n, span *sp, size_t cap)
{
    size_t m = 0;
    for (size_t o = 0; o < part->noptions; o++) {
        const el_grade_option *op = &part->options[o];
        for (size_t j = 0; j <= op->naccept; j++) {
            const char *a = op->norm[j];
            size_t al = strlen(a);
            for (const char *at = al ? strstr(n, a) : NULL; at && m < cap; at = strstr(at + 1, a))
                sp[m++] = (span){ (size_t)(at - n), (size_t)(at - n) + al, o };
        }
    }
    return m;
}

/* 1 if the normalised text N (no spaces) negates what starts at AT: "the
 * posterior, not the prior", "rather than the prior", "instead of p(z)". */
static int negated(const char *n, size_t at)
{
    static const char *const neg[] = { "not",        "notthe",        "nota",      "notan",
                                       "nor",        "northe",        "isnt",      "isntthe",
                                       "ratherthan", "ratherthanthe", "insteadof", "insteadofthe",
                                       NULL };
    for (size_t i = 0; neg[i]; i++) {
        size_t k = strlen(neg[i]);
        if (at >= k && !strncmp(n + at - k, neg[i], k))
            return 1;
    }
    return 0;
}

/* The option ANSWER names: its index, or -1 none, -2 several, -3 bad number. */
static long match_option(const el_grade_part *part, const char *answer)
{
    char *n = grade_norm_choice(answer);
    if (!n || !*n) {
        free(n);
        return -1;
    }
    for (size_t o = 0; o < part->noptions; o++) { /* an exact spelling first ("0" for "zero") */
        const el_grade_option *op = &part->options[o];
        for (size_t j = 0; j <= op->naccept; j++) {
            if (!strcmp(op->norm[j], n)) {
                free(n);
                return (long)o;
            }
        }
    }
    long k = option_by_label(part, n);
    if (k == -1)
        k = leading_label(part, n);
    if (k != -1) {
        free(n);
        return k == -2 ? -3 : k;
    }
    span sp[64];
    size_t m = find_spans(part, n, sp, 64);
    long found = -1;
    for (size_t i = 0; i < m; i++) {
        int inside = 0; /* drop a match inside a longer one ("symmetric" in "not symmetric") */
        for (size_t j = 0; j < m && !inside; j++)
            inside = j != i && sp[j].start <= sp[i].start && sp[i].end <= sp[j].end &&
                     sp[j].end - sp[j].start > sp[i].end - sp[i].start;
        if (inside || negated(n, sp[i].start))
            continue;
        if (found >= 0 && (size_t)found != sp[i].option)
            found = -2;
        else if (found != -2)
            found = (long)sp[i].option;
    }
    free(n);
    return found;
}

/* The first of " and ", " or ", "&" in P: where it starts, its length in *LEN. */
static char *next_joint(char *p, size_t *len)
{
    static const char *const joints[] = { " and ", " or ", "&", NULL };
    char *best = NULL;
    for (size_t i = 0; joints[i]; i++) {
        char *at = strstr(p, joints[i]);
        if (at && (!best || at < best)) {
            best = at;
            *len = strlen(joints[i]);
        }
    }
    return best;
}

/* "2 and 4", "a & c", "1 or 2": when every piece names an option, marks
 * them in CHOSEN and returns 1; else 0 (nothing marked). */
static int split_and(const el_grade_part *part, const char *item, int *chosen)
{
    char *s = grade_strdup(item);
    long found[16];
    size_t n = 0, len = 0;
    int ok = s != NULL;
    for (char *p = s; ok && p;) {
        char *cut = next_joint(p, &len);
        if (cut)
            *cut = '\0';
        long k = match_option(part, p);
        ok = k >= 0 && k < 64 && n < 16;
        if (ok)
            found[n++] = k;
        p = !cut ? NULL : cut + len;
    }
    free(s);
    ok = ok && n > 1;
    for (size_t i = 0; ok && i < n; i++)
        chosen[found[i]] = 1;
    return ok;
}

static void list_options(const el_grade_part *part, gbuf *b)
{
    for (size_t i = 0; i < nlisted(part); i++)
        gbuf_printf(b, "%s%zu. %s", i ? "; " : " (", i + 1, part->options[i].text);
    gbuf_puts(b, ")");
}

void grade_choice(const el_grade_part *part, const char *text, el_grade_part_result *res)
{
    long k = match_option(part, text);
    int chosen[64] = { 0 };
    if (k == -1 && split_and(part, text, chosen)) /* "1 or 3" */
        k = -2;
    gbuf fb = { 0 };
    res->score = 0.0;
    if (k < 0) { /* read, but it names no single option: wrong, not unreadable */
        res->status = EL_GRADE_WRONG;
        gbuf_puts(&fb, k == -2   ? "Your answer names several options: give one"
                       : k == -3 ? "There is no option with that number"
                                 : "Your answer does not match any option");
        list_options(part, &fb);
        gbuf_puts(&fb, ".");
    } else if (part->options[k].correct) {
        res->status = EL_GRADE_CORRECT;
        res->score = part->points;
    } else {
        res->status = EL_GRADE_WRONG;
        gbuf_printf(&fb, "Not \"%s\".", part->options[k].text);
        if (part->options[k].hint)
            gbuf_printf(&fb, " %s", part->options[k].hint);
    }
    res->feedback = fb.n ? gbuf_take(&fb) : NULL;
}

/* ---- multiple selection ------------------------------------------------------------------ */

/* Splits a selection into items: commas, semicolons, " and ", "&", and
 * spaces between bare numbers.  The items are written into ITEMS (count). */
static size_t split_items(const char *text, char **items, size_t cap)
{
    char *s = grade_strip_math(text);
    if (!s)
        return 0;
    for (char *p = s; *p; p++)
        if (*p == ';' || *p == '\n' || *p == '{' || *p == '}' || *p == '[' || *p == ']')
            *p = ',';
    int bare = 1; /* only numbers, letters and separators: "1 2 5" or "a c" */
    for (char *p = s; *p && bare; p++)
        bare = isdigit((unsigned char)*p) || *p == ',' || *p == ' ' || *p == '(' || *p == ')' ||
               *p == '\\' ||
               (isalpha((unsigned char)*p) && !isalpha((unsigned char)p[1]) &&
                (p == s || !isalpha((unsigned char)p[-1])));
    if (bare)
        for (char *p = s; *p; p++)
            if (*p == ' ')
                *p = ',';
    size_t n = 0;
    for (char *tok = s; tok && n < cap;) {
        char *e = strchr(tok, ',');
        if (e)
            *e = '\0';
        int lo, hi, used = 0;
        char dash[8];
        if (sscanf(tok, " %d %7[-to\xe2\x80\x93] %d %n", &lo, dash, &hi, &used) == 3 &&
            !tok[used] && lo >= 1 && hi >= lo && hi - lo < 32) { /* a range: "1-7", "1 to 7" */
            for (int k = lo; k <= hi && n < cap; k++) {
                char num[16];
                snprintf(num, sizeof num, "%d", k);
                items[n++] = grade_strdup(num);
            }
            tok = e ? e + 1 : NULL;
            continue;
        }
        char *t = grade_strdup(tok);
        char *c = t ? grade_norm_choice(t) : NULL;
        if (c && *c)
            items[n++] = t;
        else
            free(t);
        free(c);
        tok = e ? e + 1 : NULL;
    }
    free(s);
    return n;
}

/* Marks in CHOSEN the options ITEMS (N of them) name; 0 if one names none. */
static int mark_items(const el_grade_part *part, char **items, size_t n, int *chosen)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        long k = match_option(part, items[i]);
        if (k >= 0 && k < 64)
            chosen[k] = 1;
        else if (!split_and(part, items[i], chosen))
            ok = 0;
    }
    return ok;
}

/* "all", "all of them", "all except 8 and 9", "everything but 8, 9": marks
 * the options meant in CHOSEN and returns 1; 0 (nothing marked) if TEXT is
 * not of that form or names something that is not an option. */
static int all_except(const el_grade_part *part, const char *text, int *chosen)
{
    static const char *const heads[] = { "all", "everything", NULL };
    static const char *const fillers[] = { " of them",     " of the above",
                                           " the options", " the statements",
                                           " options",     " statements",
                                           " above",       NULL };
    static const char *const buts[] = { " except for ", " except ",    " but ",     " other than ",
                                        " apart from ", " excluding ", " besides ", NULL };
    char *s = grade_strip_math(text);
    const char *p = s;
    size_t k = 0;
    for (size_t i = 0; s && heads[i] && !k; i++)
        if (!strncasecmp(p, heads[i], strlen(heads[i])) &&
            !isalpha((unsigned char)p[strlen(heads[i])]))
            k = strlen(heads[i]);
    if (!k) {
        free(s);
        return 0;
    }
    p += k;
    for (size_t i = 0; fillers[i]; i++)
        if (!strncasecmp(p, fillers[i], strlen(fillers[i]))) {
            p += strlen(fillers[i]);
            break;
        }
    while (*p == ',' || *p == ':')
        p++;
    int except[64] = { 0 }, ok = 1;
    if (*p) {
        size_t b = 0; /* P starts with the space after "all" or its filler */
        for (size_t i = 0; buts[i] && !b; i++)
            if (!strncasecmp(p, buts[i], strlen(buts[i])))
                b = strlen(buts[i]);
        char *items[64];
        size_t n = b ? split_items(p + b, items, 64) : 0;
        ok = n > 0 && mark_items(part, items, n, except);
        for (size_t i = 0; i < n; i++)
            free(items[i]);
    }
    free(s);
    for (size_t o = 0; ok && o < nlisted(part) && o < 64; o++)
        chosen[o] = !except[o];
    return ok;
}

/* B's text without its leading and trailing spaces (malloc'd), or NULL when
 * that is empty. */
static char *take_trimmed(gbuf *b)
{
    char *f = gbuf_take(b);
    if (!f)
        return NULL;
    size_t k = strlen(f);
    while (k && f[k - 1] == ' ')
        f[--k] = '\0';
    char *a = f;
    while (*a == ' ')
        a++;
    memmove(f, a, strlen(a) + 1);
    if (!*f) {
        free(f);
        return NULL;
    }
    return f;
}

void grade_select(const el_grade_part *part, const char *text, el_grade_part_result *res)
{
    char *items[64];
    int chosen[64] = { 0 };
    int all = all_except(part, text, chosen);
    size_t n = all ? 0 : split_items(text, items, 64);
    gbuf fb = { 0 };
    size_t unread = 0;
    for (size_t i = 0; i < n; i++) {
        long k = match_option(part, items[i]);
        if (k < 0 && split_and(part, items[i], chosen))
            k = 0;
        else if (k >= 0 && k < 64)
            chosen[k] = 1;
        if (k < 0 && unread++ < 3) {
            char *c = grade_clean(items[i], strlen(items[i]), 60, 0);
            gbuf_printf(&fb, "'%s' does not match one option. ", c ? c : "");
            free(c);
        }
        free(items[i]);
    }
    size_t ncorrect = 0, hits = 0, wrong = 0;
    for (size_t o = 0; o < part->noptions && o < 64; o++) {
        ncorrect += part->options[o].correct;
        hits += chosen[o] && part->options[o].correct;
        if (chosen[o] && !part->options[o].correct) {
            wrong++;
            gbuf_printf(&fb, "\"%s\" is not right%s%s ", part->options[o].text,
                        part->options[o].hint ? ": " : ".",
                        part->options[o].hint ? part->options[o].hint : "");
        }
    }
    /* full marks for all the right options, or for min_correct of them; each
     * wrong one named takes PENALTY points off (points / need by default) */
    size_t need = part->min_correct && part->min_correct < ncorrect ? part->min_correct : ncorrect;
    double pen = part->penalty >= 0 ? part->penalty : need ? part->points / (double)need : 0.0;
    double got = need ? part->points * (double)(hits < need ? hits : need) / (double)need : 0.0;
    double frac = part->points > 0 ? (got - pen * (double)wrong) / part->points : 0.0;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    if (hits < need && need == ncorrect)
        gbuf_printf(&fb, "%zu of the %zu right statements %s missing.", ncorrect - hits, ncorrect,
                    ncorrect - hits == 1 ? "is" : "are");
    else if (hits < need)
        gbuf_printf(&fb, "%zu right statement%s named; %zu are asked for.", hits,
                    hits == 1 ? "" : "s", need);
    res->score = el_grade_round(part->points * frac);
    res->status = frac >= 1.0
                      ? EL_GRADE_CORRECT /* text naming no option is wrong, not unreadable */
                  : frac > 0 ? EL_GRADE_PARTIAL
                             : EL_GRADE_WRONG;
    if (n == 0 && !all) {
        gbuf_puts(&fb, " List the options that apply, by number or by text, separated by commas");
        list_options(part, &fb);
        gbuf_puts(&fb, ".");
    }
    res->feedback = take_trimmed(&fb);
}
