/* parts.h -- private to grade/: grading one part of an exercise -- an
 * expression (equiv.c); a number, true/false, choice or selection (values.c). */
#ifndef EL_GRADE_PARTS_H
#define EL_GRADE_PARTS_H

#include "grade/el_grade.h"

/* ---- the equivalence test ------------------------------------------------------ */

/* Grades one expression part: the student's TEXT against PART's reference. */
void grade_expression(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                      const char *student, el_grade_part_result *res);

/* Number, true/false, choice and multi-select parts. */
void grade_number_part(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                       const char *student, el_grade_part_result *res);
void grade_truefalse(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                     el_grade_part_result *res);
void grade_choice(const el_grade_part *part, const char *text, el_grade_part_result *res);
void grade_select(const el_grade_part *part, const char *text, el_grade_part_result *res);

/* ---- one part, by its text (score.c) -------------------------------------------- */

/* Grades TEXT as the answer to part P of EX for STUDENT (as the grader
 * would, the result's max being P's points); free with grade_part_result_free. */
void grade_part_answer(const el_grade_exercise *ex, const el_grade_part *p, const char *text,
                       const char *student, el_grade_part_result *r);
void grade_part_result_free(el_grade_part_result *r);

#endif
