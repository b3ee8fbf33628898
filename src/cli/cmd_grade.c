/* cmd_grade.c -- `elbolab grade`: grades an answer file, or a folder of them
 * (--batch).  Grading exits 0 whatever the score; bad usage or an unreadable
 * file exits 2 with one line on stderr. */
#include "cli/cli.h"
#include "cli/grade_cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void grade_help(void)
{
    puts("usage: elbolab grade ANSWERS [--set NAME] [--student ID] [--identity RULE]\n"
         "                     [--json] [--gradescope RESULTS_JSON] [--exercises DIR]\n"
         "       elbolab grade --batch DIR [--jobs N] [--csv OUT] [--set NAME]\n"
         "                     [--identity RULE]\n"
         "       elbolab grade FILE.py --exercise ID   (also --unsafe-code; see below)\n\n"
         "Grades an answer file: INI-style ([exercise-id] sections with `answer = ...`)\n"
         "or LaTeX with \\answer{exercise-id}{...}.  Prints each exercise's score and\n"
         "what is wrong.  --set chooses the problem set (default: all).  The variant\n"
         "follows --identity: student-line (default: the file's `student = ...` line,\n"
         "else the file's or folder's name without extension), name, or platform (the\n"
         "e-mail, else SID, of a submission_metadata.json beside the file); --student\n"
         "overrides them all.  --json prints a JSON report; --gradescope also writes Gradescope's\n"
         "results.json.  --batch grades every file (or per-student folder) of DIR\n"
         "with N threads and writes a CSV (to OUT, else to standard output).\n"
         "--exercises DIR (or $ELBOLAB_EXERCISES) chooses the exercises folder.\n"
         "Code answers (kind = code: Python, a ```python fence, file = NAME.py, or a\n"
         "lone .py graded with --exercise ID) run in a bubblewrap sandbox; where it\n"
         "cannot run they are not run (0 points) unless --unsafe-code says that the\n"
         "machine itself is the isolation (a grading container).\n"
         "Exit status 0 whatever the score; 2 for bad usage or an unreadable file.");
}

typedef struct {
    const char *set, *student, *gradescope, *batch, *csv, *exercises, *exercise;
    el_grade_identity id;
    int json, unsafe_code;
    unsigned long jobs;
} grade_opts;

static int run_batch(const el_grade_book *c, const el_grade_exercise_set *set, const grade_opts *o)
{
    el_grade_batch b;
    el_file_out out = { 0 };
    FILE *f = stdout;
    if (o->csv) { /* refused before a class is graded: never a device, FIFO or link */
        if (el_file_out_open(&out, o->csv, 0644))
            return cli_fail_lib("grade");
        f = out.f;
    }
    if (el_grade_folder(c, set, o->batch, &o->id, (unsigned)o->jobs, &b)) {
        int rc = cli_fail_lib("grade");
        el_file_out_abort(&out);
        return rc;
    }
    int st = el_grade_batch_write_csv(&b, f);
    if (o->csv) {
        if (st)
            el_file_out_abort(&out);
        else
            st = el_file_out_commit(&out);
    }
    size_t bad = 0;
    for (size_t i = 0; i < b.n; i++)
        bad += b.rows[i].error != NULL;
    if (o->csv && !st)
        fprintf(stderr, "elbolab grade: %zu submissions graded (%zu could not be read) -> %s\n",
                b.n, bad, o->csv);
    el_grade_batch_free(&b);
    return st ? cli_fail("grade", "cannot write %s", o->csv ? o->csv : "the CSV") : 0;
}

static int run_one(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                   const grade_opts *o)
{
    double t0 = now();
    el_grade_report r;
    if (el_grade_file(c, set, path, &o->id, &r))
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
        { "set", required_argument, NULL, 's' },
        { "student", required_argument, NULL, 'u' },
        { "json", no_argument, NULL, 'j' },
        { "gradescope", required_argument, NULL, 'g' },
        { "batch", required_argument, NULL, 'b' },
        { "jobs", required_argument, NULL, 'J' },
        { "csv", required_argument, NULL, 'c' },
        { "exercises", required_argument, NULL, 'e' },
        { "identity", required_argument, NULL, 'i' },
        { "exercise", required_argument, NULL, 'x' },
        { "unsafe-code", no_argument, NULL, 'U' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    grade_opts o = { CLI_DEFAULT_SET,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     { EL_GRADE_ID_STUDENT_LINE, NULL },
                     0,
                     0,
                     1 };
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:u:jg:b:J:c:e:i:x:U", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': grade_help(); return 0;
        case 's': o.set = optarg; break;
        case 'u': o.id.student = optarg; break;
        case 'i':
            if (el_grade_id_rule_parse(optarg, &o.id.rule))
                return cli_fail_lib("grade");
            break;
        case 'j': o.json = 1; break;
        case 'g': o.gradescope = optarg; break;
        case 'b': o.batch = optarg; break;
        case 'c': o.csv = optarg; break;
        case 'e': o.exercises = optarg; break;
        case 'x': o.exercise = optarg; break;
        case 'U': o.unsafe_code = 1; break;
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
    el_grade_book *c = cli_load_book("grade", o.exercises);
    if (!c)
        return EXIT_USAGE;
    el_grade_code_options co = { o.unsafe_code, 0.0, NULL };
    el_grade_code_configure(&co);
    const el_grade_exercise_set *set = cli_find_set("grade", c, o.set);
    /* --exercise ID: a set of that one exercise (a lone .py is graded against it) */
    const el_grade_exercise *one = o.exercise ? el_grade_book_find(c, o.exercise) : NULL;
    el_grade_exercise_set single = {
        .name = one ? one->id : NULL, .title = one ? one->title : NULL, .n = 1, .ex = &one
    };
    if (o.exercise && !one) {
        el_grade_book_free(c);
        return cli_fail("grade", "unknown exercise '%s' (see elbolab exercise list)", o.exercise);
    }
    if (one)
        set = &single;
    int rc = !set      ? EXIT_USAGE
             : o.batch ? run_batch(c, set, &o)
                       : run_one(c, set, argv[optind], &o);
    el_grade_book_free(c);
    return rc;
}
