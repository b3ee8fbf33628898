/* route.c -- el_serve_handle: the routes, the page's files
 * and KaTeX's. */
#include "serve/serve_int.h"
#include "serve/serve_config.h"
#include "core/el_core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ASSET (8u << 20) /* KaTeX's largest file is well below this */

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *t = malloc(n);
    if (t)
        memcpy(t, s, n);
    return t;
}

el_serve *el_serve_new(const char *exercises_dir)
{
    el_serve *s = calloc(1, sizeof *s);
    if (!s) {
        EL_ERROR(EL_ENOMEM, "out of memory");
        return NULL;
    }
    int st;
    s->dir = dup(el_grade_book_default_dir(exercises_dir));
    s->web_dir = dup(ELBOLAB_WEB_DIR);
    s->katex_dir = dup(ELBOLAB_KATEX_DIR);
    if (!s->dir || !s->web_dir || !s->katex_dir) {
        EL_ERROR(EL_ENOMEM, "out of memory");
        el_serve_free(s);
        return NULL;
    }
    s->book = el_grade_book_load(s->dir, &st);
    if (!s->book) {
        el_serve_free(s);
        return NULL;
    }
    return s;
}

void el_serve_free(el_serve *s)
{
    if (!s)
        return;
    if (s->book)
        el_grade_book_free(s->book);
    free(s->dir);
    free(s->web_dir);
    free(s->katex_dir);
    free(s);
}

void el_serve_response_free(el_serve_response *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".woff2", "font/woff2" },
        { ".woff", "font/woff" },
        { ".ttf", "font/ttf" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* Reads DIR/NAME (a regular file) into OUT; 404 when it is not there. */
static void serve_file(const char *dir, const char *name, el_serve_response *out)
{
    char path[1024];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > MAX_ASSET) {
        serve_error(out, 404, "There is no file /%s here.", name);
        return;
    }
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc((size_t)st.st_size + 1) : NULL;
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    if (f)
        fclose(f);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        serve_error(out, 404, "The file /%s cannot be read.", name);
        return;
    }
    buf[got] = '\0'; /* for readers of text files; len does not count it */
    out->status = 200;
    out->type = content_type(path);
    out->body = buf;
    out->len = got;
}

/* A KaTeX file name: letters, digits, '.', '-', '_' and single '/', no "..". */
static int safe_asset(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 200 || p[0] == '/' || p[0] == '.' || strstr(p, "..") || strstr(p, "//"))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '/'))
            return 0;
    }
    return 1;
}

static void route_get(el_serve *s, const el_serve_request *req, el_serve_response *out)
{
    const char *p = req->path;
    if (strcmp(p, "/") == 0 || strcmp(p, "/index.html") == 0)
        serve_file(s->web_dir, "index.html", out);
    else if (strcmp(p, "/app.js") == 0 || strcmp(p, "/style.css") == 0)
        serve_file(s->web_dir, p + 1, out);
    else if (strncmp(p, "/katex/", 7) == 0 && safe_asset(p + 7))
        serve_file(s->katex_dir, p + 7, out);
    else if (strcmp(p, "/api/contexts") == 0)
        serve_contexts(s, out);
    else if (strcmp(p, "/api/exercises") == 0)
        serve_exercises(s, out);
    else if (strncmp(p, "/api/exercises/", 15) == 0 && p[15])
        serve_exercise(s, p + 15, req->student, out);
    else
        serve_error(out, 404, "There is nothing at %.200s.", p);
}

void el_serve_handle(el_serve *s, const el_serve_request *req, el_serve_response *out)
{
    memset(out, 0, sizeof *out);
    const char *m = req->method ? req->method : "";
    const char *p = req->path ? req->path : "";
    int api_post = strcmp(p, "/api/derive") == 0 || strcmp(p, "/api/grade") == 0;
    if (req->len > EL_SERVE_MAX_BODY)
        serve_error(out, 413, "The request body is larger than 1 MiB.");
    else if (strcmp(m, "POST") == 0 && api_post)
        (p[5] == 'd' ? serve_derive : serve_grade)(s, req, out);
    else if (api_post)
        serve_error(out, 405, "%.200s takes POST with a JSON body.", p);
    else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        route_get(s, req, out);
    else
        serve_error(out, 405, "Only GET and POST are served here.");
    if (!out->body && out->status != 500) {
        out->status = 500;
        out->len = 0;
    }
    if (!out->type)
        out->type = "text/plain";
}
