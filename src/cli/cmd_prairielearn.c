/* cmd_prairielearn.c -- `elbolab prairielearn`: writes a PrairieLearn
 * question for an exercise or a problem set (`question`), or runs inside
 * PrairieLearn's grading container (`grade`). */
#include "cli/cli.h"
#include "cli/grade_cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void prairielearn_help(void)
{
    puts("usage: elbolab prairielearn question (ID | --exercise ID | --set NAME) --out COURSE\n"
         "                  --image IMAGE [--upload] [--timeout SECONDS] [--identity RULE]\n"
         "       elbolab prairielearn grade [--root DIR] [--exercise ID | --set NAME]\n"
         "                  [--identity RULE] [--student X]\n"
         "       (both: [--exercises DIR])\n\n"
         "`question` writes COURSE/questions/elbolab/ID/ (info.json with external grading,\n"
         "question.html with the statement and an editor holding the answer file's\n"
         "skeleton, or an upload with --upload) for an exercise or a whole problem set\n"
         "(ID names either), and COURSE/serverFilesCourse/elbolab/ (run.sh, the grader's\n"
         "entrypoint, and the Dockerfile of IMAGE: build it from this source tree and\n"
         "push it where PrairieLearn pulls images).  COURSE is your course repository.\n"
         "`grade` is what run.sh calls in the grading container: it grades the answer\n"
         "file in ROOT/grade/student (ROOT defaults to /) and writes\n"
         "ROOT/grade/results/results.json; a submission with nothing to grade gets\n"
         "\"gradable\": false.  --identity chooses whose variant is graded, as in\n"
         "elbolab grade: student-line (default), name, or platform (an e-mail or uid\n"
         "in ROOT/grade/data/data.json; PrairieLearn sends none unless the question's\n"
         "params carry one, and then the student-line is used).");
}

typedef struct {
    const char *set, *exercise, *out, *image, *root, *dir;
    el_grade_identity id;
    int upload;
    unsigned long timeout;
} pl_opts;

/* The set the options name (ID positional, --exercise or --set); a single
 * exercise fills ONE.  NULL after printing why. */
static const el_grade_exercise_set *pick(const el_grade_book *c, const pl_opts *o, const char *pos,
                                         el_grade_exercise_set *one, const el_grade_exercise **slot,
                                         int *single)
{
    const char *exid = o->exercise, *setname = o->set;
    if (pos) {
        int is_ex = el_grade_book_find(c, pos) != NULL, is_set = el_grade_book_set(c, pos) != NULL;
        if (is_ex && is_set) {
            cli_fail("prairielearn", "'%s' names an exercise and a set: say --exercise or --set",
                     pos);
            return NULL;
        }
        if (!is_ex && !is_set) {
            const char *near = el_grade_book_suggest(c, pos);
            cli_fail("prairielearn", "'%s' is neither an exercise nor a problem set (%s%s%s)", pos,
                     near ? "did you mean '" : "see elbolab exercise list", near ? near : "",
                     near ? "'?" : "");
            return NULL;
        }
        if (is_ex)
            exid = pos;
        else
            setname = pos;
    }
    *single = exid != NULL;
    if (!exid)
        return cli_find_set("prairielearn", c, setname ? setname : CLI_DEFAULT_SET);
    *slot = el_grade_book_find(c, exid);
    if (!*slot) {
        const char *near = el_grade_book_suggest(c, exid);
        cli_fail("prairielearn", "unknown exercise '%s'%s%s%s", exid,
                 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        return NULL;
    }
    one->name = (char *)(*slot)->id;
    one->title = (*slot)->title;
    one->n = 1;
    one->ex = slot;
    return one;
}

static int run(const el_grade_book *c, const pl_opts *o, int question, const char *pos)
{
    el_grade_exercise_set one;
    const el_grade_exercise *slot = NULL;
    int single = 0;
    const el_grade_exercise_set *s = pick(c, o, pos, &one, &slot, &single);
    if (!s)
        return EXIT_USAGE;
    if (!question)
        return el_grade_prairielearn_run(c, s, o->root, &o->id) ? cli_fail_lib("prairielearn") : 0;
    el_grade_pl_options po = { o->image, o->id.rule, o->upload, (int)o->timeout, single };
    char *qdir = NULL;
    if (el_grade_prairielearn_question(s, o->out, &po, &qdir))
        return cli_fail_lib("prairielearn");
    printf("wrote %s (%s '%s', %zu exercise%s) and %s/serverFilesCourse/elbolab/\n", qdir,
           single ? "exercise" : "problem set", single ? slot->id : s->name, s->n,
           s->n == 1 ? "" : "s", o->out);
    free(qdir);
    return 0;
}

static const struct option pl_longopts[] = {
    { "set", required_argument, NULL, 's' },      { "exercise", required_argument, NULL, 'x' },
    { "out", required_argument, NULL, 'o' },      { "image", required_argument, NULL, 'I' },
    { "upload", no_argument, NULL, 'U' },         { "timeout", required_argument, NULL, 't' },
    { "root", required_argument, NULL, 'r' },     { "exercises", required_argument, NULL, 'e' },
    { "identity", required_argument, NULL, 'i' }, { "student", required_argument, NULL, 'u' },
    { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
};

int cmd_prairielearn(int argc, char **argv)
{
    pl_opts o = { NULL, NULL, NULL, NULL, "/", NULL, { EL_GRADE_ID_STUDENT_LINE, NULL }, 0, 0 };
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:x:o:I:Ut:r:e:i:u:", pl_longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': prairielearn_help(); return 0;
        case 's': o.set = optarg; break;
        case 'x': o.exercise = optarg; break;
        case 'o': o.out = optarg; break;
        case 'I': o.image = optarg; break;
        case 'U': o.upload = 1; break;
        case 'r': o.root = optarg; break;
        case 'e': o.dir = optarg; break;
        case 'u': o.id.student = optarg; break;
        case 't':
            if (cli_parse_ulong(optarg, &o.timeout) || o.timeout < 1 || o.timeout > 600)
                return cli_fail("prairielearn", "--timeout needs 1 to 600 seconds, not '%s'",
                                optarg);
            break;
        case 'i':
            if (el_grade_id_rule_parse(optarg, &o.id.rule))
                return cli_fail_lib("prairielearn");
            break;
        case ':': return cli_fail("prairielearn", "%s needs a value", argv[optind - 1]);
        default:
            return cli_fail("prairielearn", "unknown option '%s' (see elbolab prairielearn --help)",
                            argv[optind - 1]);
        }
    }
    int npos = argc - optind;
    const char *verb = npos ? argv[optind] : "";
    int question = !strcmp(verb, "question"), grade = !strcmp(verb, "grade");
    if (!question && !grade)
        return cli_fail("prairielearn",
                        "say `question` or `grade` (see elbolab prairielearn --help)");
    const char *pos = npos == 2 ? argv[optind + 1] : NULL;
    if (npos > 2 || (pos && grade))
        return cli_fail("prairielearn", "unexpected '%s'", argv[optind + npos - 1]);
    if ((o.set != NULL) + (o.exercise != NULL) + (pos != NULL) > 1)
        return cli_fail("prairielearn", "name one exercise or one set");
    if (question && (!o.out || !o.image || (!pos && !o.set && !o.exercise)))
        return cli_fail("prairielearn", "question needs an exercise or set, --out COURSE and "
                                        "--image IMAGE");
    if (grade && (o.out || o.image || o.upload || o.timeout))
        return cli_fail("prairielearn", "--out, --image, --upload and --timeout go with question");
    el_grade_book *c = cli_load_book("prairielearn", o.dir);
    if (!c)
        return EXIT_USAGE;
    int rc = run(c, &o, question, pos);
    el_grade_book_free(c);
    return rc;
}
