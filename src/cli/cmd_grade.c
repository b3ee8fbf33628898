/* cmd_grade.c -- `elbolab grade`, `elbolab exercise` and `elbolab gradescope`:
 * the autograder's commands.  Grading exits 0 whatever the score; bad usage
 * or an unreadable file exits 2 with one line on stderr. */
#include "cli/cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_SET "all"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Loads the exercise book from DIR (or the default); prints why not. */
static el_grade_book *load_book(const char *cmd, const char *dir)
{
    int st;
    el_grade_book *c = el_grade_book_load(el_grade_book_default_dir(dir), &st);
    if (!c)
        cli_fail_lib(cmd);
    return c;
}

static const el_grade_exercise_set *find_set(const char *cmd, const el_grade_book *c,
                                             const char *name)
{
    const el_grade_exercise_set *s = el_grade_book_set(c, name);
    if (!s) {
        char known[512] = "";
        for (size_t i = 0; i < el_grade_book_nsets(c); i++) {
            size_t k = strlen(known);
            snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "",
                     el_grade_book_set_at(c, i)->name);
        }
        cli_fail(cmd, "unknown problem set '%s' (known: %s)", name, known);
    }
    return s;
}

/* ---- grade ------------------------------------------------------------------ */

static void grade_help(void)
{
    puts("usage: elbolab grade ANSWERS [--set NAME] [--student ID] [--json]\n"
         "                     [--gradescope RESULTS_JSON] [--exercises DIR]\n"
         "       elbolab grade --batch DIR [--jobs N] [--csv OUT] [--set NAME]\n\n"
         "Grades an answer file: INI-style ([exercise-id] sections with `answer = ...`)\n"
         "or LaTeX with \\answer{exercise-id}{...}.  Prints each exercise's score and\n"
         "what is wrong.  --set chooses the problem set (default: all); --student the\n"
         "variant (default: the file's `student = ...` line, else the default one);\n"
         "--json prints a JSON report; --gradescope also writes Gradescope's\n"
         "results.json.  --batch grades every file (or per-student folder) of DIR\n"
         "with N threads and writes a CSV (to OUT, else to standard output).\n"
         "--exercises DIR (or $ELBOLAB_EXERCISES) chooses the exercises folder.\n"
         "Exit status 0 whatever the score; 2 for bad usage or an unreadable file.");
}

typedef struct {
    const char *set, *student, *gradescope, *batch, *csv, *exercises;
    int json;
    unsigned long jobs;
} grade_opts;

static int run_batch(const el_grade_book *c, const el_grade_exercise_set *set, const grade_opts *o)
{
    el_grade_batch b;
    if (el_grade_folder(c, set, o->batch, (unsigned)o->jobs, &b))
        return cli_fail_lib("grade");
    FILE *f = stdout;
    char *tmp = NULL;
    if (o->csv) {
        size_t n = strlen(o->csv) + 8;
        tmp = malloc(n);
        if (tmp)
            snprintf(tmp, n, "%s.tmp", o->csv);
        f = tmp ? fopen(tmp, "w") : NULL;
        if (!f) {
            el_grade_batch_free(&b);
            free(tmp);
            return cli_fail("grade", "cannot write %s", o->csv);
        }
    }
    int st = el_grade_batch_write_csv(&b, f);
    if (o->csv) {
        st |= fclose(f) != 0;
        st = st || rename(tmp, o->csv) != 0;
        if (st)
            remove(tmp);
    }
    size_t bad = 0;
    for (size_t i = 0; i < b.n; i++)
        bad += b.rows[i].error != NULL;
    if (o->csv && !st)
        fprintf(stderr, "elbolab grade: %zu submissions graded (%zu could not be read) -> %s\n",
                b.n, bad, o->csv);
    el_grade_batch_free(&b);
    free(tmp);
    return st ? cli_fail("grade", "cannot write %s", o->csv ? o->csv : "the CSV") : 0;
}

static int run_one(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                   const grade_opts *o)
{
    double t0 = now();
    el_grade_report r;
    if (el_grade_file(c, set, path, o->student, &r))
        return cli_fail_lib("grade");
    if (o->gradescope) {
        json_t *j = el_grade_gradescope(&r, now() - t0);
        int st = el_grade_write_json(o->gradescope, j);
        json_decref(j);
        if (st) {
            el_grade_report_free(&r);
            return cli_fail_lib("grade");
        }
    }
    if (o->json) {
        json_t *j = el_grade_json(&r);
        char *s = el_grade_dump_json(j);
        json_decref(j);
        if (s)
            puts(s);
        free(s);
    } else {
        el_grade_write_text(&r, stdout, cli_colour());
    }
    el_grade_report_free(&r);
    return 0;
}

int cmd_grade(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' },   { "student", required_argument, NULL, 'u' },
        { "json", no_argument, NULL, 'j' },        { "gradescope", required_argument, NULL, 'g' },
        { "batch", required_argument, NULL, 'b' }, { "jobs", required_argument, NULL, 'J' },
        { "csv", required_argument, NULL, 'c' },   { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
    };
    grade_opts o = { DEFAULT_SET, NULL, NULL, NULL, NULL, NULL, 0, 1 };
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:u:jg:b:J:c:e:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': grade_help(); return 0;
        case 's': o.set = optarg; break;
        case 'u': o.student = optarg; break;
        case 'j': o.json = 1; break;
        case 'g': o.gradescope = optarg; break;
        case 'b': o.batch = optarg; break;
        case 'c': o.csv = optarg; break;
        case 'e': o.exercises = optarg; break;
        case 'J':
            if (cli_parse_ulong(optarg, &o.jobs) || o.jobs < 1 || o.jobs > 64)
                return cli_fail("grade", "--jobs needs a number from 1 to 64, not '%s'", optarg);
            break;
        case ':': return cli_fail("grade", "%s needs a value", argv[optind - 1]);
        default:
            return cli_fail("grade", "unknown option '%s' (see elbolab grade --help)",
                            argv[optind - 1]);
        }
    }
    int npos = argc - optind;
    if (o.batch ? npos != 0 : npos != 1)
        return cli_fail("grade", o.batch ? "--batch DIR takes no answer file"
                                         : "give one answer file (see elbolab grade --help)");
    if (!o.batch && (o.csv || o.jobs != 1))
        return cli_fail("grade", "--csv and --jobs go with --batch DIR");
    el_grade_book *c = load_book("grade", o.exercises);
    if (!c)
        return EXIT_USAGE;
    const el_grade_exercise_set *set = find_set("grade", c, o.set);
    int rc = !set      ? EXIT_USAGE
             : o.batch ? run_batch(c, set, &o)
                       : run_one(c, set, argv[optind], &o);
    el_grade_book_free(c);
    return rc;
}

/* ---- exercise ---------------------------------------------------------------- */

static const char *part_kind(el_grade_part_kind k)
{
    switch (k) {
    case EL_GRADE_PART_EXPRESSION: return "expression";
    case EL_GRADE_PART_NUMBER: return "number";
    case EL_GRADE_PART_TRUEFALSE: return "true/false";
    case EL_GRADE_PART_CHOICE: return "one option";
    case EL_GRADE_PART_SELECT: return "every option that applies";
    }
    return "";
}

static void show_text(const el_grade_exercise *ex, const char *student)
{
    char *st = el_grade_exercise_statement(ex, student);
    printf("%s -- %s (%g points)\n\n%s\n\n", ex->id, ex->title, ex->points,
           st ? st : ex->statement);
    free(st);
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
    el_grade_book *c = load_book("exercise", dir);
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
        const el_grade_exercise_set *s = find_set("exercise", c, set ? set : DEFAULT_SET);
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

/* ---- gradescope ---------------------------------------------------------------- */

static void gradescope_help(void)
{
    puts("usage: elbolab gradescope --set NAME -o autograder.zip [--source DIR]\n"
         "       elbolab gradescope run [--root DIR] [--set NAME] [--exercises DIR]\n\n"
         "The first form builds a Gradescope autograder bundle: the sources,\n"
         "exercises/, setup.sh (installs packages and builds on Gradescope's Ubuntu\n"
         "image) and run_autograder.  Upload it as the assignment's autograder.\n"
         "The second form is what run_autograder calls: it grades the answer file in\n"
         "ROOT/submission (ROOT defaults to /autograder) for the student named in\n"
         "ROOT/submission_metadata.json and writes ROOT/results/results.json.");
}

int cmd_gradescope(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' },
        { "source", required_argument, NULL, 'S' },
        { "root", required_argument, NULL, 'r' },
        { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *set = NULL, *out = NULL, *src = NULL, *root = "/autograder", *dir = NULL;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:o:S:r:e:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': gradescope_help(); return 0;
        case 's': set = optarg; break;
        case 'o': out = optarg; break;
        case 'S': src = optarg; break;
        case 'r': root = optarg; break;
        case 'e': dir = optarg; break;
        case ':': return cli_fail("gradescope", "%s needs a value", argv[optind - 1]);
        default: return cli_fail("gradescope", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int npos = argc - optind;
    int run = npos == 1 && !strcmp(argv[optind], "run");
    if (!run && npos != 0)
        return cli_fail("gradescope", "unexpected '%s' (see elbolab gradescope --help)",
                        argv[optind]);
    if (!run && (!set || !out))
        return cli_fail("gradescope", "give --set NAME and -o autograder.zip");
    el_grade_book *c = load_book("gradescope", dir);
    if (!c)
        return EXIT_USAGE;
    const el_grade_exercise_set *s = find_set("gradescope", c, set ? set : DEFAULT_SET);
    int rc = EXIT_USAGE;
    if (s && run)
        rc = el_grade_gradescope_run(c, s, root) ? cli_fail_lib("gradescope") : 0;
    else if (s && el_grade_gradescope_bundle(src ? src : el_grade_source_dir(), s->name, out))
        rc = cli_fail_lib("gradescope");
    else if (s) {
        printf(
            "wrote %s (problem set '%s', %zu exercises): upload it as the Gradescope autograder\n",
            out, s->name, s->n);
        rc = 0;
    }
    el_grade_book_free(c);
    return rc;
}
