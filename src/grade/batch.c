/* batch.c -- a whole class: every submission in a folder graded by a
 * pool of threads, one CSV row each; a bad file gives a row with its error
 * and never stops the others. */
#include "grade/util.h"
#include "core/el_core.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- grading in parallel ----------------------------------------------------------- */

typedef struct {
    const el_grade_book *c;
    const el_grade_exercise_set *set;
    const char *dir;
    const el_grade_identity *id;
    el_grade_batch *b;
    size_t next;
    pthread_mutex_t lock;
} pool;

/* A file's name without the extension (the row's student when it cannot be read). */
static char *stem(const char *name)
{
    const char *dot = strrchr(name, '.');
    return grade_strndup(name, dot && dot != name ? (size_t)(dot - name) : strlen(name));
}

/* The text answers of report R into ROW->texts, in the set's order. */
static void collect_texts(const el_grade_report *r, el_grade_batch_row *row)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->ex[i].nparts; j++) {
            const el_grade_part_result *pr = &r->ex[i].parts[j];
            if (!pr->manual)
                continue;
            if (k < row->ntexts && pr->text)
                row->texts[k] = grade_strdup(pr->text);
            k++;
        }
}

static void grade_row(pool *p, el_grade_batch_row *row)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/%s", p->dir, row->file);
    char *path = gbuf_take(&b), *sub = NULL;
    struct stat sb;
    int st = path ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        st = grade_find_submission(path, &sub); /* one folder per student */
    el_grade_report r;
    memset(&r, 0, sizeof r);
    if (!st) /* a per-student folder's name is the folder's */
        st = grade_file_named(p->c, p->set, sub ? sub : path, sub ? row->file : NULL, p->id, &r);
    if (st) {
        row->student = sub ? grade_strdup(row->file) : stem(row->file);
        row->error = grade_clean(el_errmsg(), strlen(el_errmsg()), 300, 0);
    } else {
        row->student = grade_strdup(r.student);
        row->score = r.score;
        for (size_t i = 0; i < r.n && i < row->n; i++)
            row->scores[i] = r.ex[i].score;
        collect_texts(&r, row);
    }
    el_grade_report_free(&r);
    free(path);
    free(sub);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->b->n)
            return NULL;
        grade_row(p, &p->b->rows[i]);
    }
}

int el_grade_folder(const el_grade_book *c, const el_grade_exercise_set *set, const char *dir,
                    const el_grade_identity *id, unsigned jobs, el_grade_batch *out)
{
    memset(out, 0, sizeof *out);
    out->set = set;
    char **names;
    size_t n;
    int st = grade_list_dir(dir, &names, &n);
    if (st)
        return st;
    size_t keep = 0; /* a CSV is the tool's own output (grade --csv), never an answer file */
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (len >= 4 && strcasecmp(names[i] + len - 4, ".csv") == 0)
            free(names[i]);
        else
            names[keep++] = names[i];
    }
    n = keep;
    out->rows = calloc(n + 1, sizeof *out->rows);
    double max = 0.0, manual;
    for (size_t i = 0; i < set->n; i++)
        max += el_grade_set_points(set, i, &manual) - manual;
    size_t ntexts = el_grade_set_ntexts(set);
    for (size_t i = 0; out->rows && i < n; i++) {
        out->rows[i].file = names[i];
        names[i] = NULL;
        out->rows[i].max = max;
        out->rows[i].n = set->n;
        out->rows[i].scores = calloc(set->n + 1, sizeof(double));
        out->rows[i].ntexts = ntexts;
        out->rows[i].texts = calloc(ntexts + 1, sizeof(char *));
        out->n = i + 1;
        if (!out->rows[i].scores || !out->rows[i].texts)
            break;
    }
    grade_free_names(names, n);
    if (!out->rows || out->n < n || (n && (!out->rows[n - 1].scores || !out->rows[n - 1].texts))) {
        el_grade_batch_free(out);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    pool p = { c, set, dir, id, out, 0, PTHREAD_MUTEX_INITIALIZER };
    unsigned nt = jobs ? jobs : 1;
    if (nt > 64)
        nt = 64;
    pthread_t th[64];
    unsigned started = 0;
    for (; started < nt - 1; started++) /* this thread is the last worker */
        if (pthread_create(&th[started], NULL, worker, &p) != 0)
            break;
    worker(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return EL_OK;
}

void el_grade_batch_free(el_grade_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->rows[i].file);
        free(b->rows[i].student);
        free(b->rows[i].error);
        free(b->rows[i].scores);
        for (size_t k = 0; b->rows[i].texts && k < b->rows[i].ntexts; k++)
            free(b->rows[i].texts[k]);
        free(b->rows[i].texts);
    }
    free(b->rows);
    memset(b, 0, sizeof *b);
}

/* ---- CSV ------------------------------------------------------------------------------ */

/* Writes S as one CSV field (quoted when it holds a comma, quote or newline).
 * A field that a spreadsheet would read as a formula (starting with =, +,
 * -, @, a tab or a carriage return) gets a leading ' and is quoted. */
static void csv_field(FILE *f, const char *s)
{
    int formula = *s && strchr("=+-@\t\r", *s) != NULL;
    if (!formula && !strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('"', f);
}

int el_grade_batch_write_csv(const el_grade_batch *b, FILE *f)
{
    fputs("file,student,score,max_score", f);
    for (size_t i = 0; i < b->set->n; i++) {
        fputc(',', f);
        csv_field(f, b->set->ex[i]->id);
    }
    for (size_t i = 0, e; i < el_grade_set_ntexts(b->set); i++) {
        const el_grade_part *p = el_grade_set_text_at(b->set, i, &e);
        gbuf h = { 0 };
        gbuf_printf(&h, "text:%s.%s", b->set->ex[e]->id, p->name);
        fputc(',', f);
        csv_field(f, h.s ? h.s : "");
        free(h.s);
    }
    fputs(",error\n", f);
    for (size_t r = 0; r < b->n; r++) {
        const el_grade_batch_row *row = &b->rows[r];
        char *file = grade_clean(row->file, strlen(row->file), 300, 0);
        csv_field(f, file ? file : "");
        free(file);
        fputc(',', f);
        csv_field(f, row->student ? row->student : "");
        fprintf(f, ",%.4g,%.4g", el_grade_round(row->score), row->max);
        for (size_t i = 0; i < row->n; i++)
            fprintf(f, ",%.4g", el_grade_round(row->scores[i]));
        for (size_t i = 0; i < row->ntexts; i++) {
            fputc(',', f);
            csv_field(f, row->texts[i] ? row->texts[i] : "");
        }
        fputc(',', f);
        csv_field(f, row->error ? row->error : "");
        fputc('\n', f);
    }
    return ferror(f) ? EL_ERROR(EL_EIO, "cannot write the CSV") : EL_OK;
}
