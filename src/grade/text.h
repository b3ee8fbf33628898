/* text.h -- private to grade/: cleaning up answer text -- math delimiters,
 * juxtaposed denominators, choices, numbers (text.c). */
#ifndef EL_GRADE_TEXT_H
#define EL_GRADE_TEXT_H

#include <stddef.h>

/* ---- answer text ------------------------------------------------------------ */

/* Strips math delimiters ($..$, $$..$$, \(..\), \[..\], equation
 * environments), a trailing full stop or comma, and surrounding spaces. */
char *grade_strip_math(const char *s);

/* TEXT with the first juxtaposed denominator bracketed ("a / 2 b" becomes
 * "a / (2 b)"), or NULL when there is none; malloc'd. */
char *grade_bracket_denominator(const char *text);

/* Normalised text of a choice answer: lower case, LaTeX text commands and
 * spacing removed, \mid -> |, no spaces, hyphens or quotes. */
char *grade_norm_choice(const char *s);

/* Parses a constant expression (a number) into *OUT; on failure writes the
 * parser's message to MSG. */
int grade_number(const char *text, double *out, char *msg, size_t msglen);

#endif
