/* code.h -- private to grade/: exercises of kind `code` (code.c): a
 * program answer (Python) run in the sandbox (src/sandbox) by a harness,
 * its output judged by the statistics of src/num. */
#ifndef EL_GRADE_CODE_H
#define EL_GRADE_CODE_H

#include "grade/el_grade.h"
#include "grade/ini.h"

/* A top-level key of a code exercise (language, names, mean_args,
 * logvar_args, time_limit, memory_limit).  Sets *handled. */
int grade_code_top_key(el_grade_exercise *ex, const ini_entry *e, const char *path, int *handled);

/* After reading: a `code` exercise gets its defaults and its parts are
 * checked (each names a known test: runs, distribution, reparameterisation,
 * gradients).  EL_OK for other kinds. */
int grade_code_prepare(el_grade_exercise *ex, const char *path);
void grade_code_free(el_grade_exercise *ex);

/* Grades a code exercise: finds the code in section S (NULL: missing),
 * runs it once in the sandbox and scores every part from that run. */
int grade_code_one(const el_grade_exercise *ex, const el_grade_answer_section *s,
                   el_grade_exercise_result *r, el_grade_notes *notes);

/* 1 when PATH names a Python file (.py). */
int grade_code_is_py(const char *path);

/* A lone .py file as answers: one section for the only code exercise of
 * SET holding the file as its code (a note when SET has none or several). */
int grade_code_read_py(const el_grade_exercise_set *set, const char *path, el_grade_answers *a);

/* `file = NAME` in the section of a code exercise of SET in the answers
 * read from PATH: the file NAME beside PATH becomes the code (or the
 * entry's error). */
int grade_code_attach_files(const el_grade_exercise_set *set, el_grade_answers *a,
                            const char *path);

/* Reads the submission at PATH for SET: a .py file as above, else an
 * answer file whose `file = NAME` entries are then resolved.  A is to be
 * released with el_grade_answers_free either way. */
int grade_code_read_answers(const el_grade_exercise_set *set, const char *path,
                            el_grade_answers *a);

#endif
