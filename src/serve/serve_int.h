/* serve_int.h -- what the files of src/serve share.  Private. */
#ifndef EL_SERVE_INT_H
#define EL_SERVE_INT_H

#include "serve/el_serve.h"
#include "grade/el_grade.h"

#include <jansson.h>

struct el_serve {
    el_grade_book *book;
    char *dir;       /* the exercises folder */
    char *web_dir;   /* the page's folder */
    char *katex_dir; /* libjs-katex's folder */
};

/* Fills OUT with STATUS and {"error": MESSAGE}; returns STATUS. */
int serve_error(el_serve_response *out, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Fills OUT with 200 and J serialised with FLAGS (J is released). */
void serve_json(el_serve_response *out, json_t *j, size_t flags);

/* The request's body as a JSON object, or NULL after serve_error (400). */
json_t *serve_body_object(const el_serve_request *req, el_serve_response *out);

/* The API's handlers (api.c). */
void serve_derive(el_serve *s, const el_serve_request *req, el_serve_response *out);
void serve_contexts(el_serve *s, el_serve_response *out);
void serve_exercises(el_serve *s, el_serve_response *out);
void serve_exercise(el_serve *s, const char *id, const char *student, el_serve_response *out);
void serve_grade(el_serve *s, const el_serve_request *req, el_serve_response *out);

#endif
