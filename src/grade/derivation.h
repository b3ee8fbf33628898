/* derivation.h -- private to grade/: exercises of kind `derivation` and
 * expression exercises that name a context (derivation.c), both checked by
 * the derivation checker (src/derive). */
#ifndef EL_GRADE_DERIVATION_H
#define EL_GRADE_DERIVATION_H

#include "grade/el_grade.h"
#include "grade/ini.h"

/* A top-level key of an exercise file that belongs to derivations
 * (context, start, goal, relation, min_steps, reference, partial, points).
 * Sets *handled; returns EL_OK or an error status (message names file:line). */
int grade_deriv_top_key(el_grade_exercise *ex, const ini_entry *e, const char *path, int *handled);

/* A section that belongs to derivations: [milestone], [alternative],
 * [quantity], [distribution], and in a derivation exercise [variable] and
 * [mistake]. WORD is the section's first word, NAME the rest. */
int grade_deriv_section(el_grade_exercise *ex, const char *word, const char *name,
                        const ini_section *s, const char *path, int *handled);

/* After reading: creates a derivation exercise's part and loads the context
 * (the exercise's folder first) with the exercise's overrides. */
int grade_deriv_prepare(el_grade_exercise *ex, const char *path);

/* Frees what the two readers above attached to EX. */
void grade_deriv_free(el_grade_exercise *ex);

/* Grades a derivation part, or an expression part in a context. */
void grade_derivation(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                      const char *student, el_grade_part_result *res);
void grade_context_expression(const el_grade_exercise *ex, const el_grade_part *part,
                              const char *text, const char *student, el_grade_part_result *res);

#endif
