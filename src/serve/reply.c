/* reply.c -- what every handler answers with: JSON bodies, errors as
 * {"error": "one sentence"}, and the request's body read as a JSON object. */
#include "serve/serve_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int serve_error(el_serve_response *out, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s}", "error", msg);
    serve_json(out, j, JSON_COMPACT);
    if (out->status == 200)
        out->status = status;
    return status;
}

void serve_json(el_serve_response *out, json_t *j, size_t flags)
{
    out->type = "application/json; charset=utf-8";
    out->body = j ? json_dumps(j, flags | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    out->len = out->body ? strlen(out->body) : 0;
    out->status = out->body ? 200 : 500;
}

json_t *serve_body_object(const el_serve_request *req, el_serve_response *out)
{
    if (!req->body || req->len == 0) {
        serve_error(out, 400, "The request has no body: send a JSON object.");
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        serve_error(out, 400, "The body is not valid JSON (line %d, column %d: %s).", e.line,
                    e.column, e.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        serve_error(out, 400, "The body must be a JSON object.");
        return NULL;
    }
    return j;
}
