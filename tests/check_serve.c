/* check_serve.c -- `elbolab serve`'s routing without sockets: each endpoint
 * answers what the matching CLI command prints, errors are a 4xx with
 * {"error": "..."}, bad and oversized bodies are refused cleanly, and no file
 * outside the page's folders is served. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "derive/el_derive.h"
#include "serve/el_serve.h"

#define JENSEN                                                                                     \
    "log p(x) = log sum_z q(z|x) p(x,z)/q(z|x)\n"                                                  \
    "  >= sum_z q(z|x) log(p(x,z)/q(z|x))\n"                                                       \
    "  = E_q[log p(x|z)] + KL(q(z|x) || p(z))\n"

static el_serve *srv;

static void setup(void)
{
    srv = el_serve_new(NULL);
    ck_assert_msg(srv != NULL, "el_serve_new: %s", el_errmsg());
}

static void teardown(void)
{
    el_serve_free(srv);
    srv = NULL;
}

/* Sends one request; the response's body is parsed as JSON into *J when J
 * is not NULL (it must parse).  Returns the status. */
static int request(const char *method, const char *path, const char *student, const char *body,
                   json_t **j, el_serve_response *keep)
{
    el_serve_request req = { method, path, student, body, body ? strlen(body) : 0 };
    el_serve_response r;
    el_serve_handle(srv, &req, &r);
    ck_assert_ptr_nonnull(r.body);
    ck_assert_ptr_nonnull(r.type);
    if (j) {
        json_error_t e;
        *j = json_loadb(r.body, r.len, 0, &e);
        ck_assert_msg(*j != NULL, "%s %s: not JSON (%s): %.200s", method, path, e.text, r.body);
    }
    int status = r.status;
    if (keep)
        *keep = r;
    else
        el_serve_response_free(&r);
    return status;
}

/* The request must fail with STATUS and a one-sentence {"error"}. */
static void expect_error(const char *method, const char *path, const char *body, int status)
{
    json_t *j;
    int st = request(method, path, NULL, body, &j, NULL);
    ck_assert_msg(st == status, "%s %s: status %d, wanted %d", method, path, st, status);
    const char *msg = json_string_value(json_object_get(j, "error"));
    ck_assert_msg(msg && *msg && !strchr(msg, '\n'), "%s %s: no one-line error", method, path);
    ck_assert_int_eq(json_object_size(j), 1);
    json_decref(j);
}

START_TEST(test_derive_is_the_cli_json)
{
    json_t *body = json_pack("{s:s, s:s, s:i}", "text", JENSEN, "context", "discrete", "seed", 3);
    char *b = json_dumps(body, 0);
    json_decref(body);
    el_serve_response r;
    ck_assert_int_eq(request("POST", "/api/derive", NULL, b, NULL, &r), 200);
    free(b);
    /* the same check through the library, serialised as `derive --json` */
    el_derive_report rep;
    el_derive_opts o = { .context = "discrete", .seed = 3, .label = "" };
    ck_assert_int_eq(el_derive_check(JENSEN, "(request)", &o, &rep), 0);
    ck_assert_int_eq(rep.n, 1);
    ck_assert_int_eq(rep.d[0].first_invalid, 3); /* the sign of the KL */
    json_t *want = el_derive_report_json(&rep);
    char *w = json_dumps(want, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER);
    ck_assert_str_eq(r.body, w);
    ck_assert(strstr(r.body, "\"file\": \"(request)\"") != NULL);
    free(w);
    json_decref(want);
    el_derive_report_free(&rep);
    el_serve_response_free(&r);
}
END_TEST

START_TEST(test_derive_errors)
{
    expect_error("POST", "/api/derive", NULL, 400);
    expect_error("POST", "/api/derive", "{\"text\": ", 400);
    expect_error("POST", "/api/derive", "[1, 2]", 400);
    expect_error("POST", "/api/derive", "{\"context\": \"gauss\"}", 400);
    expect_error("POST", "/api/derive", "{\"text\": 12}", 400);
    expect_error("POST", "/api/derive", "{\"text\": \"a = a\", \"seed\": -1}", 400);
    expect_error("POST", "/api/derive", "{\"text\": \"a = a\", \"context\": \"nosuch\"}", 400);
    expect_error("POST", "/api/derive", "{\"text\": \"a\\u0000 = a\"}", 400);
    expect_error("POST", "/api/derive", "{\"text\": \"a\", \"text\": \"b\"}", 400);
    expect_error("GET", "/api/derive", NULL, 405);
    /* a body over 1 MiB is refused before it is read */
    el_serve_request req = { "POST", "/api/derive", NULL, "{}", EL_SERVE_MAX_BODY + 1 };
    el_serve_response r;
    el_serve_handle(srv, &req, &r);
    ck_assert_int_eq(r.status, 413);
    el_serve_response_free(&r);
}
END_TEST

START_TEST(test_contexts_and_exercises)
{
    json_t *j;
    ck_assert_int_eq(request("GET", "/api/contexts", NULL, NULL, &j, NULL), 200);
    ck_assert(json_array_size(j) >= 6);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "name")), "discrete");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(json_array_get(j, 0), "title")));
    json_decref(j);
    ck_assert_int_eq(request("GET", "/api/exercises", NULL, NULL, &j, NULL), 200);
    int found = 0;
    for (size_t i = 0; i < json_array_size(j); i++)
        found |= !strcmp(json_string_value(json_object_get(json_array_get(j, i), "id")),
                         "derive-elbo-jensen");
    ck_assert(found);
    json_decref(j);
    ck_assert_int_eq(request("GET", "/api/exercises/derive-elbo-jensen", "alice", NULL, &j, NULL),
                     200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "student")), "alice");
    ck_assert_str_eq(json_string_value(json_object_get(j, "context")), "discrete");
    ck_assert(strstr(json_string_value(json_object_get(j, "statement")), "Jensen") != NULL);
    ck_assert_int_eq(json_array_size(json_object_get(j, "parts")), 1);
    json_decref(j);
    expect_error("GET", "/api/exercises/derive-elbo-jensn", NULL, 404);
    expect_error("POST", "/api/exercises", NULL, 405);
}
END_TEST

static json_t *grade(const char *answer, int *status)
{
    json_t *body = json_pack("{s:s, s:{s:s}, s:s}", "exercise", "derive-elbo-jensen", "answers",
                             "answer", answer, "student", "alice");
    char *b = json_dumps(body, 0);
    json_decref(body);
    json_t *j;
    *status = request("POST", "/api/grade", NULL, b, &j, NULL);
    free(b);
    return j;
}

START_TEST(test_grade)
{
    int st;
    json_t *j = grade("log p(x) = log sum_z q(z|x) p(x,z)/q(z|x)\n"
                      "  >= sum_z q(z|x) log(p(x,z)/q(z|x))   (Jensen)\n"
                      "  = E_q[log p(x|z)] - KL(q(z|x) || p(z))\n",
                      &st);
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "student")), "alice");
    json_t *ex = json_array_get(json_object_get(j, "exercises"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(ex, "id")), "derive-elbo-jensen");
    ck_assert_double_eq(json_number_value(json_object_get(ex, "score")), 3.0);
    json_decref(j);
    j = grade(JENSEN, &st); /* the wrong sign of the KL */
    ex = json_array_get(json_object_get(j, "exercises"), 0);
    ck_assert_double_lt(json_number_value(json_object_get(ex, "score")), 3.0);
    json_decref(j);
    expect_error("POST", "/api/grade", "{\"answers\": {}}", 400);
    expect_error("POST", "/api/grade", "{\"exercise\": \"nosuch-exercise\", \"answers\": {}}", 404);
    expect_error("POST", "/api/grade", "{\"exercise\": \"kl-self\", \"answers\": [\"x\"]}", 400);
    expect_error("POST", "/api/grade", "{\"exercise\": \"kl-self\", \"answers\": {\"a\": 1}}", 400);
    expect_error("POST", "/api/grade", "{\"exercise\": \"kl-self\", \"student\": 7}", 400);
}
END_TEST

START_TEST(test_page_and_paths)
{
    el_serve_response r;
    ck_assert_int_eq(request("GET", "/", NULL, NULL, NULL, &r), 200);
    ck_assert(strstr(r.type, "text/html") != NULL);
    ck_assert(r.len > 100 && strstr(r.body, "/app.js") != NULL);
    el_serve_response_free(&r);
    ck_assert_int_eq(request("GET", "/app.js", NULL, NULL, NULL, &r), 200);
    ck_assert(strstr(r.type, "javascript") != NULL);
    el_serve_response_free(&r);
    ck_assert_int_eq(request("GET", "/style.css", NULL, NULL, NULL, &r), 200);
    el_serve_response_free(&r);
    expect_error("GET", "/katex/../../../../etc/passwd", NULL, 404);
    expect_error("GET", "/katex//etc/passwd", NULL, 404);
    expect_error("GET", "/katex/.hidden", NULL, 404);
    expect_error("GET", "/../README.md", NULL, 404);
    expect_error("GET", "/meson.build", NULL, 404);
    expect_error("GET", "/nothing", NULL, 404);
    expect_error("DELETE", "/", NULL, 405);
    expect_error(NULL, NULL, NULL, 405);
}
END_TEST

static Suite *serve_suite(void)
{
    Suite *s = suite_create("serve");
    TCase *core = tcase_create("Core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_derive_is_the_cli_json);
    tcase_add_test(core, test_contexts_and_exercises);
    tcase_add_test(core, test_grade);
    tcase_add_test(core, test_page_and_paths);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(limits, test_derive_errors);
    suite_add_tcase(s, limits);
    return s;
}

EL_CHECK_MAIN(serve_suite)
