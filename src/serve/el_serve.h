/* el_serve.h -- `elbolab serve`: the derivation checker and the grader over
 * HTTP, for a page that checks a derivation as it is typed.
 *
 * The routing is a plain function (el_serve_handle: a request in, a status
 * and a body out) so that it is tested without sockets; el_serve_listen is
 * the thin libmicrohttpd glue around it.  Routes:
 *
 *   GET  /                     the page (web/ in the source tree)
 *   GET  /app.js, /style.css   its script and style
 *   GET  /katex/...            KaTeX from Debian's libjs-katex, when installed
 *   POST /api/derive           {"text", "context", "seed"} -> `derive --json`
 *   GET  /api/contexts         [{"name", "title"}]
 *   GET  /api/exercises        [{"id", "title", "kind", "points", "context"}]
 *   GET  /api/exercises/ID     ?student=X: statement, parts, variables
 *   POST /api/grade            {"exercise", "answers": {KEY: text}, "student"}
 *                              -> `grade --json` for that one exercise
 *
 * Errors are a 4xx status with {"error": "one sentence"}.  Nothing is read
 * outside the exercises folder, the page's folder and KaTeX's folder. */
#ifndef EL_SERVE_H
#define EL_SERVE_H

#include <stddef.h>

#define EL_SERVE_MAX_BODY (1u << 20) /* larger request bodies get 413 */

typedef struct el_serve el_serve;

/* Loads the exercise book from DIR (NULL: el_grade_book_default_dir) and
 * remembers where the page and KaTeX are.  NULL with el_errmsg() set. */
el_serve *el_serve_new(const char *exercises_dir);
void el_serve_free(el_serve *s);

typedef struct {
    const char *method;  /* "GET", "POST", ... */
    const char *path;    /* without the query: "/api/exercises/kl-self" */
    const char *student; /* the query's student=, or NULL */
    const char *body;    /* the request body (need not be NUL-terminated), or NULL */
    size_t len;          /* its length in bytes */
} el_serve_request;

typedef struct {
    int status;       /* HTTP status */
    const char *type; /* Content-Type (static) */
    char *body;       /* malloc'd */
    size_t len;
} el_serve_response;

/* Answers one request.  Never fails: out of memory is a 500 with an empty
 * body.  Free the response with el_serve_response_free.  Thread-safe: the
 * book is only read. */
void el_serve_handle(el_serve *s, const el_serve_request *req, el_serve_response *out);
void el_serve_response_free(el_serve_response *r);

/* 1 when this build has the HTTP server (libmicrohttpd), else 0. */
int el_serve_available(void);

/* Starts the server on ADDR (an IPv4 or IPv6 literal) and PORT (0: a free
 * one).  On success *PORT_OUT is the port in use and *HANDLE the running
 * server, stopped with el_serve_stop.  EL_EUSAGE for a bad address, EL_EIO
 * when the port cannot be bound, EL_ENOTFOUND without libmicrohttpd. */
int el_serve_listen(el_serve *s, const char *addr, unsigned port, unsigned *port_out,
                    void **handle);
void el_serve_stop(void *handle);

#endif
