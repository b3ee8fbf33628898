/* cmd_exercise.c -- `elbolab exercise list|show`: the exercises of a problem
 * set, or one exercise's statement (this student's variant) and the keys to
 * fill in. */
#include "cli/cli.h"
#include "cli/grade_cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

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

static void exercise_help(void)
{
    puts("usage: elbolab exercise list [--set NAME] [--json]\n"
         "       elbolab exercise show ID [--student ID] [--json]\n\n"
         "Lists the exercises (and problem sets), or shows one exercise's statement\n"
         "with the parameters of a student's variant, its variables and the keys to\n"
         "answer in an answer file.  --exercises DIR chooses the exercises folder.");
}

int cmd_exercise(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' }, { "student", required_argument, NULL, 'u' },
        { "json", no_argument, NULL, 'j' },      { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 },
    };
    const char *set = NULL, *student = NULL, *dir = NULL;
    int json = 0, ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:u:je:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': exercise_help(); return 0;
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
    if (!list && !show)
        return cli_fail("exercise", "use 'elbolab exercise list' or 'elbolab exercise show ID'");
    el_grade_book *c = cli_load_book("exercise", dir);
    if (!c)
        return EXIT_USAGE;
    int rc = 0;
    if (show) {
        const el_grade_exercise *ex = el_grade_book_find(c, argv[optind + 1]);
        const char *sug = ex ? NULL : el_grade_book_suggest(c, argv[optind + 1]);
        if (!ex)
            rc = cli_fail("exercise", "unknown exercise '%s'%s%s%s", argv[optind + 1],
                          sug ? " (did you mean " : "", sug ? sug : "", sug ? "?)" : "");
        else if (json)
            cli_print_json(show_json(ex, student));
        else
            show_text(ex, student);
    } else {
        const el_grade_exercise_set *s = cli_find_set("exercise", c, set ? set : CLI_DEFAULT_SET);
        if (!s) {
            rc = EXIT_USAGE;
        } else if (json) {
            json_t *a = json_array();
            for (size_t i = 0; i < s->n; i++)
                json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:f}", "id", s->ex[i]->id,
                                                   "title", s->ex[i]->title, "kind", s->ex[i]->kind,
                                                   "points", s->ex[i]->points));
            cli_print_json(a);
        } else {
            printf("%s (%s):\n", s->title, s->name);
            for (size_t i = 0; i < s->n; i++)
                printf("  %-30s %-10s %4g  %s\n", s->ex[i]->id, s->ex[i]->kind, s->ex[i]->points,
                       s->ex[i]->title);
            printf("\nproblem sets:");
            for (size_t i = 0; i < el_grade_book_nsets(c); i++)
                printf(" %s", el_grade_book_set_at(c, i)->name);
            puts("");
        }
    }
    el_grade_book_free(c);
    return rc;
}
