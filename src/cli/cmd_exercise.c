/* cmd_exercise.c -- `elbolab exercise list|show|check`: the exercises of a
 * problem set (or the sets with their points), one exercise's statement
 * (this student's variant) and the keys to fill in -- with --key the
 * reference answer and the declared mistakes (the instructor view) -- and
 * the validation of a new exercise file. */
#include "cli/cli.h"
#include "cli/grade_cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"
#include "topics/el_topics.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *part_kind(el_grade_part_kind k)
{
    switch (k) {
    case EL_GRADE_PART_EXPRESSION: return "expression";
    case EL_GRADE_PART_NUMBER: return "number";
    case EL_GRADE_PART_TRUEFALSE: return "true/false";
    case EL_GRADE_PART_CHOICE: return "one option";
    case EL_GRADE_PART_SELECT: return "every option that applies";
    case EL_GRADE_PART_DERIVATION: return "derivation: the steps, one relation per row";
    case EL_GRADE_PART_CODE: return "one test of the code (a Python function, run sandboxed)";
    case EL_GRADE_PART_TEXT: return "text: in your own words, graded by the instructor";
    }
    return "";
}

/* The variant's parameters: "This exercise has per-student variants..." */
static void show_variant(const el_grade_exercise *ex, const char *student)
{
    if (!ex->nparams || ex->nparams > 64)
        return;
    double v[64];
    el_grade_exercise_variant(ex, student, v);
    int per = el_grade_exercise_has_variants(ex), named = student && *student;
    if (per)
        printf("This exercise has per-student variants: %s%s%s has\n",
               named ? "the variant of '" : "", named ? student : "the default variant",
               named ? "'" : "");
    else
        puts("Parameters (the same for every student):");
    for (size_t i = 0; i < ex->nparams; i++)
        printf("  %s = %.6g\n", ex->params[i].name, v[i]);
    if (per)
        printf("%s", named ? "(your variant follows your answer file's `student =` line, or the\n"
                             "identity your instructor chose)\n\n"
                           : "Give --student ID (your `student =` line) to see your own.\n\n");
    else
        puts("");
}

static void show_text(const el_grade_exercise *ex, const char *student)
{
    char *st = el_grade_exercise_statement(ex, student);
    char *plain = el_grade_plain(st ? st : ex->statement); /* no LaTeX noise in a terminal */
    printf("%s -- %s (%g point%s)\n\n%s\n\n", ex->id, ex->title, ex->points,
           ex->points == 1 ? "" : "s", plain ? plain : ex->statement);
    free(plain);
    free(st);
    show_variant(ex, student);
    if (ex->nvars) {
        puts("Variables:");
        for (size_t i = 0; i < ex->nvars; i++) {
            const el_grade_variable *v = &ex->vars[i];
            printf("  %-8s %s", v->name,
                   v->shape == EL_GRADE_SHAPE_SCALAR   ? "scalar"
                   : v->shape == EL_GRADE_SHAPE_VECTOR ? "vector"
                                                       : "matrix");
            if (v->define)
                printf(" = %s", v->define);
            for (size_t j = 0; j < v->naliases; j++)
                printf("%s%s", j ? ", " : "  (also ", v->aliases[j]);
            puts(v->naliases ? ")" : "");
        }
        puts("");
    }
    printf("Answer in your file:\n  [%s]\n", ex->id);
    if (ex->nparts && ex->parts[0].kind == EL_GRADE_PART_CODE) {
        printf("  code = ```python\n  def reparameterize(mu, logvar):\n      ...\n  ```\n"
               "(or file = NAME.py beside it, or the .py file alone).  Tested:\n");
        for (size_t i = 0; i < ex->nparts; i++)
            printf("  %s: %s, %g point%s\n", ex->parts[i].name,
                   ex->parts[i].title ? ex->parts[i].title : "", ex->parts[i].points,
                   ex->parts[i].points == 1 ? "" : "s");
        return;
    }
    for (size_t i = 0; i < ex->nparts; i++)
        printf("  %s = ...   # %s, %g point%s\n", ex->parts[i].name, part_kind(ex->parts[i].kind),
               ex->parts[i].points, ex->parts[i].points == 1 ? "" : "s");
}

static json_t *show_json(const el_grade_exercise *ex, const char *student)
{
    char *st = el_grade_exercise_statement(ex, student);
    json_t *o = json_object(), *vars = json_array(), *parts = json_array();
    json_object_set_new(o, "id", json_string(ex->id));
    json_object_set_new(o, "title", json_string(ex->title));
    json_object_set_new(o, "kind", json_string(ex->kind));
    json_object_set_new(o, "points", json_real(ex->points));
    json_object_set_new(o, "checked_by", json_string(ex->checked_by));
    json_object_set_new(o, "statement", json_string(st ? st : ex->statement));
    free(st);
    for (size_t i = 0; i < ex->nvars; i++)
        json_array_append_new(vars, json_string(ex->vars[i].name));
    for (size_t i = 0; i < ex->nparts; i++)
        json_array_append_new(parts, json_pack("{s:s, s:s, s:f}", "name", ex->parts[i].name, "kind",
                                               part_kind(ex->parts[i].kind), "points",
                                               ex->parts[i].points));
    json_object_set_new(o, "variables", vars);
    json_object_set_new(o, "parts", parts);
    if (ex->nparams && ex->nparams <= 64) {
        double v[64];
        el_grade_exercise_variant(ex, student, v);
        json_t *params = json_object();
        for (size_t i = 0; i < ex->nparams; i++)
            json_object_set_new(params, ex->params[i].name, json_real(v[i]));
        json_object_set_new(o, "variant",
                            json_pack("{s:b, s:s, s:o}", "per_student",
                                      el_grade_exercise_has_variants(ex), "student",
                                      student ? student : "", "parameters", params));
    }
    return o;
}

/* ---- the instructor view (--key) ---------------------------------------------------- */

/* S with every line after the first indented by INDENT spaces. */
static void put_indented(const char *s, int indent)
{
    for (; *s; s++) {
        putchar(*s);
        if (*s == '\n')
            printf("%*s", indent, "");
    }
}

static void show_mistakes(const el_grade_part *p)
{
    for (size_t i = 0; i < p->nmistakes; i++) {
        printf("  %s: mistake %s: ", p->name, p->mistakes[i].id);
        put_indented(p->mistakes[i].answer, 6);
        if (p->mistakes[i].hint) {
            fputs("\n      -> ", stdout);
            put_indented(p->mistakes[i].hint, 9);
        }
        putchar('\n');
    }
    for (size_t i = 0; i < p->nswaps; i++)
        printf("  %s: mistake: the reference with %s exchanged\n      -> %s\n", p->name,
               p->swaps[i], p->swap_hint ? p->swap_hint : "(no hint)");
    for (size_t i = 0; i < p->noptions; i++)
        if (!p->options[i].correct)
            printf("  %s: wrong option %zu (%s): %s\n      -> %s\n", p->name, i + 1,
                   p->options[i].id, p->options[i].text,
                   p->options[i].hint ? p->options[i].hint : "(no hint)");
}

/* The key of part P for STUDENT's variant, as a line. */
static void show_key_part(const el_grade_exercise *ex, const el_grade_part *p, const char *student)
{
    double x;
    printf("  %s = ", p->name);
    switch (p->kind) {
    case EL_GRADE_PART_NUMBER:
        if (el_grade_exercise_number(ex, p, student, &x) == 0)
            printf("%.10g", x);
        else
            printf("(cannot be computed: %s)", el_errmsg());
        if (p->reference)
            printf("   # %s", p->reference);
        break;
    case EL_GRADE_PART_CHOICE:
    case EL_GRADE_PART_SELECT:
        for (size_t i = 0, k = 0; i < p->noptions; i++)
            if (p->options[i].correct)
                printf("%s%zu (%s)", k++ ? ", " : "", i + 1, p->options[i].text);
        break;
    case EL_GRADE_PART_TEXT:
        printf("(in words, graded by the instructor; model answer notes/%s.md)", p->model);
        if (p->rubric) {
            fputs("\n      looks for: ", stdout);
            put_indented(p->rubric, 8);
        }
        break;
    default: put_indented(p->reference ? p->reference : "", 6); break;
    }
    printf("\n");
}

/* The model answer of text part P: notes/MODEL.md beside the exercise's
 * folder, else in the source tree; printed indented, or a line saying where
 * it should be. */
static int read_model(const el_grade_exercise *ex, const el_grade_part *p, char *path, size_t cap,
                      unsigned char **buf, size_t *n)
{
    const char *slash = strrchr(ex->path, '/');
    int dirlen = slash ? (int)(slash - ex->path) : 1;
    snprintf(path, cap, "%.*s/../notes/%s.md", dirlen, slash ? ex->path : ".", p->model);
    if (el_file_read(path, 1u << 20, buf, n) == EL_OK)
        return 0;
    snprintf(path, cap, "%s/notes/%s.md", el_grade_source_dir(), p->model);
    return el_file_read(path, 1u << 20, buf, n) == EL_OK ? 0 : -1;
}

static void show_model(const el_grade_exercise *ex, const el_grade_part *p)
{
    char path[4096];
    unsigned char *buf = NULL;
    size_t n = 0;
    if (read_model(ex, p, path, sizeof path, &buf, &n)) {
        printf("\nModel answer: notes/%s.md is not found.\n", p->model);
        return;
    }
    printf("\nModel answer (%s):\n    ", path);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0'; /* el_file_read ends the text with a NUL */
    put_indented((const char *)buf, 4);
    putchar('\n');
    free(buf);
}

static void show_key(const el_grade_exercise *ex, const char *student)
{
    int named = student && *student;
    printf("\nKey (instructor view) for %s%s%s:\n  [%s]\n", named ? "the variant of '" : "",
           named ? student : "the default variant", named ? "'" : "", ex->id);
    for (size_t i = 0; i < ex->nparts; i++)
        show_key_part(ex, &ex->parts[i], student);
    puts("\nDeclared mistakes (each rejected, with the feedback students get):");
    size_t n = 0;
    for (size_t i = 0; i < ex->nparts; i++) {
        const el_grade_part *p = &ex->parts[i];
        n += p->nmistakes + p->nswaps;
        for (size_t k = 0; k < p->noptions; k++)
            n += !p->options[k].correct;
        show_mistakes(p);
    }
    const char *id, *steps, *hint;
    for (size_t i = 0; el_grade_derivation_mistake(ex, i, &id, &steps, &hint) == 0; i++, n++) {
        printf("  mistake %s:\n      ", id);
        put_indented(steps, 6);
        fputs("\n      -> ", stdout);
        put_indented(hint ? hint : "(no hint)", 9);
        putchar('\n');
    }
    if (!n)
        puts("  (none declared)");
    for (size_t i = 0; i < ex->nparts; i++)
        if (ex->parts[i].kind == EL_GRADE_PART_TEXT && ex->parts[i].model)
            show_model(ex, &ex->parts[i]);
}

/* ---- validating a new exercise (check) ------------------------------------------------ */

static int check_file(const char *path)
{
    int st;
    el_grade_exercise *ex = el_grade_exercise_load(path, &st);
    if (!ex) {
        fprintf(stderr, "elbolab exercise check: %s\n", el_errmsg());
        return st == EL_EIO || st == EL_ELIMIT || st == EL_ENOTFOUND ? EXIT_USAGE : 1;
    }
    char why[1024] = "";
    int verified = 0, bad = 0;
    for (const char *p = ex->checked_by; p && *p && !bad;) { /* a typo proves nothing */
        char id[128];
        size_t k = strcspn(p, " ,\t\n");
        snprintf(id, sizeof id, "%.*s", (int)(k < 127 ? k : 127), p);
        if (k && !el_topics_check_find(id)) {
            snprintf(why, sizeof why,
                     "checked_by '%s' is not a check of the catalogue (elbolab list)", id);
            bad = -1;
        }
        p += k + strspn(p + k, " ,\t\n");
    }
    if (!bad)
        bad = el_grade_exercise_verify(ex, &verified, why, sizeof why);
    for (size_t i = 0; !bad && i < ex->nparts; i++) { /* words: a model answer to grade by */
        char mp[4096];
        unsigned char *buf = NULL;
        size_t n = 0;
        if (ex->parts[i].kind == EL_GRADE_PART_TEXT &&
            read_model(ex, &ex->parts[i], mp, sizeof mp, &buf, &n)) {
            snprintf(why, sizeof why,
                     "part %s: its model answer notes/%s.md is not found "
                     "(beside the exercises folder or in the source tree)",
                     ex->parts[i].name, ex->parts[i].model);
            bad = -1;
        }
        free(buf);
    }
    if (bad) {
        fprintf(stderr, "elbolab exercise check: %s: %s\n", path, why);
    } else {
        size_t nm = 0;
        const char *a, *b, *c;
        for (size_t i = 0; i < ex->nparts; i++)
            nm += ex->parts[i].nmistakes + ex->parts[i].nswaps;
        while (el_grade_derivation_mistake(ex, nm, &a, &b, &c) == 0)
            nm++;
        printf("%s: %s parses; its key scores full marks; %zu declared mistake%s rejected; %s\n",
               path, ex->id, nm, nm == 1 ? "" : "s",
               verified                          ? "the key equals the closed form of its "
                                                   "checked_by result"
               : !strcmp(ex->kind, "derivation") ? "the chain is checked step by step"
               : !strcmp(ex->kind, "text")       ? "a text exercise (no key to verify)"
                                                 : "no closed form here for its checked_by "
                                                   "(add a test in tests/check_exercises.c)");
    }
    el_grade_exercise_free(ex);
    return bad ? 1 : 0;
}

/* ---- the problem sets (list --sets) --------------------------------------------------- */

static void list_sets(const el_grade_book *c, int json)
{
    json_t *a = json ? json_array() : NULL;
    if (!json)
        puts("problem sets:");
    for (size_t i = 0; i < el_grade_book_nsets(c); i++) {
        const el_grade_exercise_set *s = el_grade_book_set_at(c, i);
        double manual, total = el_grade_set_total(s, &manual);
        if (json) {
            json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:i, s:i}", "name", s->name,
                                               "title", s->title, "points", total, "manual_points",
                                               manual, "exercises", (int)s->n, "questions",
                                               (int)s->nquestions));
            continue;
        }
        printf("  %-12s %5g points", s->name, total);
        if (manual > 0)
            printf(" (%g by the instructor)", manual);
        printf("  %zu exercises", s->n);
        if (s->nquestions)
            printf(", %zu questions", s->nquestions);
        printf("  %s\n", s->title);
    }
    if (json)
        cli_print_json(a);
}

/* A sheet's questions and the exercises that grade each. */
static void list_questions(const el_grade_exercise_set *s)
{
    for (size_t q = 0; q < s->nquestions; q++) {
        const el_grade_question *qu = &s->questions[q];
        printf("  %-5s %4g  %s\n", qu->name, qu->points, qu->title ? qu->title : "");
        for (size_t i = qu->first; i < qu->first + qu->n; i++)
            printf("          %-30s %-10s %4g  %s\n", s->ex[i]->id, s->ex[i]->kind,
                   el_grade_set_points(s, i, NULL), s->ex[i]->title);
    }
}

/* `exercise show ID`: the statement (and with KEY the instructor view). */
static int do_show(const el_grade_book *c, const char *id, const char *student, int json, int key)
{
    const el_grade_exercise *ex = el_grade_book_find(c, id);
    const char *sug = ex ? NULL : el_grade_book_suggest(c, id);
    if (!ex)
        return cli_fail("exercise", "unknown exercise '%s'%s%s%s", id, sug ? " (did you mean " : "",
                        sug ? sug : "", sug ? "?)" : "");
    if (json)
        cli_print_json(show_json(ex, student));
    else
        show_text(ex, student);
    if (key)
        show_key(ex, student);
    return 0;
}

/* `exercise list [--set NAME]`: a set's exercises (a sheet's by question). */
static int do_list(const el_grade_book *c, const char *set, int json)
{
    const el_grade_exercise_set *s = cli_find_set("exercise", c, set ? set : CLI_DEFAULT_SET);
    if (!s)
        return EXIT_USAGE;
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < s->n; i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:f}", "id", s->ex[i]->id, "title",
                                               s->ex[i]->title, "kind", s->ex[i]->kind, "points",
                                               el_grade_set_points(s, i, NULL)));
        cli_print_json(a);
        return 0;
    }
    double manual, total = el_grade_set_total(s, &manual);
    printf("%s (%s), %g points%s", s->title, s->name, total, manual > 0 ? "" : ":\n");
    if (manual > 0)
        printf(", %g of them graded by the instructor:\n", manual);
    if (s->nquestions)
        list_questions(s);
    for (size_t i = 0; !s->nquestions && i < s->n; i++)
        printf("  %-30s %-10s %4g  %s\n", s->ex[i]->id, s->ex[i]->kind,
               el_grade_set_points(s, i, NULL), s->ex[i]->title);
    printf("\nproblem sets:");
    for (size_t i = 0; i < el_grade_book_nsets(c); i++)
        printf(" %s", el_grade_book_set_at(c, i)->name);
    puts("");
    return 0;
}

static void exercise_help(void)
{
    puts("usage: elbolab exercise list [--set NAME | --sets] [--json]\n"
         "       elbolab exercise show ID [--student ID] [--key] [--json]\n"
         "       elbolab exercise check FILE.ini\n\n"
         "Lists the exercises of a set (a homework sheet question by question), or the\n"
         "problem sets with their points (--sets); shows one exercise's statement with\n"
         "the parameters of a student's variant, its variables and the keys to answer\n"
         "in an answer file -- with --key also the reference answer for that variant\n"
         "and the declared mistakes (the instructor view).  check validates a new\n"
         "exercise file: it parses, its key scores full marks and equals the closed\n"
         "form of its checked_by result where one is known, and its declared mistakes\n"
         "are rejected (exit 0 valid, 1 not valid, 2 usage or unreadable file).\n"
         "--exercises DIR chooses the exercises folder.");
}

int cmd_exercise(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' }, { "student", required_argument, NULL, 'u' },
        { "json", no_argument, NULL, 'j' },      { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },      { "sets", no_argument, NULL, 'S' },
        { "key", no_argument, NULL, 'k' },       { NULL, 0, NULL, 0 },
    };
    const char *set = NULL, *student = NULL, *dir = NULL;
    int json = 0, ch, sets = 0, key = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:u:je:Sk", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': exercise_help(); return 0;
        case 'S': sets = 1; break;
        case 'k': key = 1; break;
        case 's': set = optarg; break;
        case 'u': student = optarg; break;
        case 'j': json = 1; break;
        case 'e': dir = optarg; break;
        case ':': return cli_fail("exercise", "%s needs a value", argv[optind - 1]);
        default: return cli_fail("exercise", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int npos = argc - optind;
    const char *what = npos > 0 ? argv[optind] : "";
    int list = !strcmp(what, "list") && npos == 1, show = !strcmp(what, "show") && npos == 2;
    if (!strcmp(what, "check") && npos == 2)
        return check_file(argv[optind + 1]);
    if (!list && !show)
        return cli_fail("exercise", "use 'elbolab exercise list', 'elbolab exercise show ID' or "
                                    "'elbolab exercise check FILE.ini'");
    if (sets && (!list || set))
        return cli_fail("exercise", "--sets goes with 'list' alone");
    if (key && !show)
        return cli_fail("exercise", "--key goes with 'show ID'");
    if (key && json)
        return cli_fail("exercise", "--key prints text (no --json)");
    el_grade_book *c = cli_load_book("exercise", dir);
    if (!c)
        return EXIT_USAGE;
    int rc = 0;
    if (show)
        rc = do_show(c, argv[optind + 1], student, json, key);
    else if (sets)
        list_sets(c, json);
    else
        rc = do_list(c, set, json);
    el_grade_book_free(c);
    return rc;
}
