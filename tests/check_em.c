/* check_em.c -- EM for a 1-D Gaussian mixture, the free energy, the generic
 * coordinate ascent, the data reader and `eval em.gmm`. */
#include <check.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"
#include "eval/el_eval.h"
#include "results/em/el_em.h"
#include "results/kl/el_kl.h"
#include "topics/el_topics.h"

static const double X[] = { -2.385, -1.12, -0.47, 0.215, 0.93, 1.77, 2.64, 3.05 };
#define NX (sizeof X / sizeof X[0])

/* A fresh three-component mixture in BUF (9 doubles). */
static el_gmm mixture(double *buf)
{
    static const double init[9] = { 0.25, 0.45, 0.3, -1.5, 0.4, 2.2, 0.8, 1.3, 0.6 };
    memcpy(buf, init, sizeof init);
    el_gmm g = { 3, buf, buf + 3, buf + 6 };
    return g;
}

/* Writes TEXT to a new temporary file; its name goes to PATH (32 chars). */
static void temp_file(char *path, const char *text)
{
    strcpy(path, "/tmp/check_em_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

/* ---- Core ------------------------------------------------------------------- */

START_TEST(estep_is_bayes_rule)
{
    double buf[9], q[NX * 3], ll;
    el_gmm g = mixture(buf);
    ck_assert_int_eq(el_em_estep(&g, NX, X, q, &ll), EL_OK);
    double direct = 0.0;
    for (size_t i = 0; i < NX; i++) {
        double joint[3], px = 0.0;
        for (int k = 0; k < 3; k++) {
            joint[k] = g.w[k] * gsl_ran_gaussian_pdf(X[i] - g.mu[k], g.sigma[k]);
            px += joint[k];
        }
        for (int k = 0; k < 3; k++)
            ck_assert(el_close(q[i * 3 + k], joint[k] / px, 1e-13, 1e-300));
        direct += log(px);
    }
    ck_assert(el_close(ll, direct, 1e-13, 0));
}
END_TEST

START_TEST(free_energy_is_loglik_minus_kl)
{
    double buf[9], post[NX * 3], q[NX * 3], ll;
    el_gmm g = mixture(buf);
    el_em_estep(&g, NX, X, post, &ll);
    double kl = 0.0;
    for (size_t i = 0; i < NX; i++) { /* an arbitrary q: rows (1 + i%3, 2, 3) / sum */
        double row[3] = { 1.0 + (double)(i % 3), 2.0, 3.0 }, s = row[0] + row[1] + row[2], k;
        for (int j = 0; j < 3; j++)
            q[i * 3 + j] = row[j] / s;
        ck_assert_int_eq(el_kl_discrete(3, q + i * 3, post + i * 3, &k), EL_OK);
        kl += k;
    }
    ck_assert(el_close(el_em_free_energy(&g, NX, X, q), ll - kl, 1e-13, 0));
    ck_assert(el_close(el_em_free_energy(&g, NX, X, post), ll, 1e-13, 0));
}
END_TEST

START_TEST(mstep_maximises_over_theta)
{
    double buf[9], pbuf[9], q[NX * 3];
    el_gmm g = mixture(buf), p = mixture(pbuf);
    el_em_estep(&g, NX, X, q, NULL);
    ck_assert_int_eq(el_em_mstep(&g, NX, X, q, el_em_spread(NX, X)), EL_OK);
    double best = el_em_free_energy(&g, NX, X, q);
    for (int d = 0; d < 9; d++) /* nudge each parameter both ways */
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            el_gmm_copy(&p, &g);
            pbuf[d] += sgn * 1e-3;
            if (d < 3) /* keep the weights on the simplex */
                pbuf[(d + 1) % 3] -= sgn * 1e-3;
            ck_assert(el_em_free_energy(&p, NX, X, q) < best);
        }
}
END_TEST

START_TEST(ascent_finds_the_posterior)
{
    double buf[9], post[NX * 3], q[NX * 3];
    el_gmm g = mixture(buf);
    g.sigma[1] = 0.2; /* far points: responsibilities near 1e-20, saturated softmax */
    el_em_estep(&g, NX, X, post, NULL);
    for (size_t i = 0; i < NX * 3; i++)
        q[i] = 1.0 / 3.0;
    ck_assert_int_eq(el_em_ascent_q(&g, NX, X, q), EL_OK);
    for (size_t i = 0; i < NX * 3; i++)
        ck_assert_msg(fabs(q[i] - post[i]) <= 1e-12 + 1e-9 * post[i], "q[%zu] %g vs %g", i, q[i],
                      post[i]);
}
END_TEST

START_TEST(run_raises_the_likelihood)
{
    double buf[9], ll[20], q[NX * 3], check;
    el_gmm g = mixture(buf);
    ck_assert_int_eq(el_em_run(&g, NX, X, 20, ll), EL_OK);
    for (int i = 1; i < 20; i++)
        ck_assert(ll[i] >= ll[i - 1] - 1e-14);
    el_em_estep(&g, NX, X, q, &check);
    ck_assert(el_close(ll[19], check / NX, 1e-14, 0));
    ck_assert(el_close(g.w[0] + g.w[1] + g.w[2], 1.0, 1e-14, 0));
}
END_TEST

START_TEST(read_data_skips_comments)
{
    char path[32];
    double *x;
    size_t n;
    temp_file(path, "# header\n\n 1.5\n-2e-1   # trailing\n\t\n3\n");
    ck_assert_int_eq(el_em_read_data(path, &x, &n), EL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(x[0] == 1.5 && x[1] == -0.2 && x[2] == 3.0);
    free(x);
    unlink(path);
}
END_TEST

/* Runs em.gmm with ARGV; returns the status and leaves the result in RES. */
static int eval_gmm(int argc, char **argv, el_eval_result *res)
{
    el_params p = { 0 };
    el_eval_opts o = { 1, 0 };
    int s = el_params_parse(&p, argc, argv);
    ck_assert_int_eq(s, EL_OK);
    s = el_eval_run(el_topics_eval_find("em.gmm"), &p, &o, res);
    el_params_free(&p);
    return s;
}

START_TEST(eval_one_iteration_by_hand)
{
    /* two points per component, far apart: responsibilities are 0/1 to
     * double precision, so one EM step gives the per-pair moments */
    char path[32], data[64];
    temp_file(path, "-10\n-12\n20\n23\n");
    snprintf(data, sizeof data, "data=%s", path);
    char *argv[] = {
        data, "K=2", "init_w=[0.3,0.7]", "init_mu=[-9,19]", "init_sigma=[2,3]", "iterations=1"
    };
    el_eval_result r;
    ck_assert_int_eq(eval_gmm(6, argv, &r), EL_OK);
    ck_assert(!r.has_closed && !r.has_quad && !r.has_mc);
    json_t *w = json_object_get(r.extra, "weights"), *m = json_object_get(r.extra, "means"),
           *s = json_object_get(r.extra, "sigmas"), *ll = json_object_get(r.extra, "loglik");
    ck_assert(el_close(json_real_value(json_array_get(w, 0)), 0.5, 1e-15, 0));
    ck_assert(el_close(json_real_value(json_array_get(m, 0)), -11.0, 1e-15, 0));
    ck_assert(el_close(json_real_value(json_array_get(m, 1)), 21.5, 1e-15, 0));
    ck_assert(el_close(json_real_value(json_array_get(s, 0)), 1.0, 1e-15, 0));
    ck_assert(el_close(json_real_value(json_array_get(s, 1)), 1.5, 1e-15, 0));
    ck_assert_uint_eq(json_array_size(ll), 1);
    /* after the step: each point is 1 sigma from its mean, weight 1/2 */
    double expect = log(0.5) - 0.5 - 0.5 * log(2 * M_PI) - 0.5 * (log(1.0) + log(1.5));
    ck_assert(el_close(json_real_value(json_array_get(ll, 0)), expect, 1e-14, 0));
    el_eval_result_free(&r);
    unlink(path);
}
END_TEST

/* ---- Limits ----------------------------------------------------------------- */

/* em.gmm on the file holding TEXT (or on PATH when TEXT is NULL) with the
 * default parameters except OVERRIDE (a "key=value" or NULL). */
static int eval_text(const char *text, const char *path_in, const char *override)
{
    char path[32], data[64];
    if (text)
        temp_file(path, text);
    snprintf(data, sizeof data, "data=%s", text ? path : path_in);
    char *argv[7] = {
        data, "K=2", "init_w=[0.4,0.6]", "init_mu=[-1,1]", "init_sigma=[1,2]", "iterations=3", NULL
    };
    for (int i = 1; override && i < 6; i++)
        if (strncmp(argv[i], override, strcspn(override, "=") + 1) == 0)
            argv[i] = (char *) override;
    el_eval_result r;
    int s = eval_gmm(6, argv, &r);
    el_eval_result_free(&r);
    if (text)
        unlink(path);
    return s;
}

START_TEST(eval_file_errors)
{
    ck_assert_int_eq(eval_text(NULL, "/nonexistent/em-data.txt", NULL), EL_EIO);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "/nonexistent/em-data.txt"));
    ck_assert_int_eq(eval_text("1\n2\n3.5.1\n", NULL, NULL), EL_EFORMAT);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), ":3: "));
    ck_assert_int_eq(eval_text("1\n# only\n\n2 3\n", NULL, NULL), EL_EFORMAT);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), ":4: "));
    ck_assert_int_eq(eval_text("1\nnan\n", NULL, NULL), EL_EFORMAT);
    ck_assert_int_eq(eval_text("# nothing\n\n", NULL, NULL), EL_EFORMAT);
    ck_assert_int_eq(eval_text("", NULL, NULL), EL_EFORMAT);
    ck_assert_int_eq(eval_text(NULL, "/tmp", NULL), EL_EIO);
}
END_TEST

START_TEST(eval_bad_parameters)
{
    static const char *const bad[] = {
        "K=3", /* vectors have 2 entries */
        "K=0",
        "K=1.5",
        "K=[2]",
        "init_w=[0.4,0.5]", /* does not sum to 1 */
        "init_w=[1,0]",     /* a weight of 0 */
        "init_w=[1.5,-0.5]",
        "init_mu=[1]",
        "init_sigma=[1,0]",
        "init_sigma=[1,-2]",
        "iterations=2.5",
        "iterations=-1",
        "iterations=abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int s = eval_text("1\n2\n3\n", NULL, bad[i]);
        ck_assert_msg(s == EL_EDOM, "%s gave %d: %s", bad[i], s, el_errmsg());
        ck_assert(strlen(el_errmsg()) > 0);
    }
    ck_assert_int_eq(eval_text("1\n2\n3\n", NULL, "iterations=1e9"), EL_ELIMIT);
    ck_assert_int_eq(eval_text("1\n2\n3\n", NULL, "iterations=0"), EL_OK);
}
END_TEST

START_TEST(eval_collapse_is_an_error)
{
    /* component 1 sits on three equal points: its sigma goes to 0 */
    ck_assert_int_eq(eval_text("0\n0\n0\n5\n6\n7\n", NULL, "init_mu=[0,6]"), EL_ENUM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "collapsed"));
    /* one data point, one component */
    char path[32], data[64];
    temp_file(path, "1.5\n");
    snprintf(data, sizeof data, "data=%s", path);
    char *argv[] = { data, "K=1", "init_w=[1]", "init_mu=[0]", "init_sigma=[1]", "iterations=2" };
    el_eval_result r;
    ck_assert_int_eq(eval_gmm(6, argv, &r), EL_ENUM);
    el_eval_result_free(&r);
    unlink(path);
    /* a component far from every point loses all its data */
    ck_assert_int_eq(eval_text("1\n2\n3\n", NULL, "init_mu=[1,1e6]"), EL_ENUM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "no data left"));
}
END_TEST

START_TEST(validate_and_ascent_limits)
{
    double w[2] = { 0.5, 0.5 }, mu[2] = { 0, INFINITY }, sd[2] = { 1, 1 };
    el_gmm g = { 2, w, mu, sd };
    ck_assert_int_eq(el_gmm_validate(&g, NULL), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "mu[1] must be finite, got inf");
    mu[1] = 0.0;
    ck_assert_int_eq(el_gmm_validate(&g, NULL), EL_OK);
    g.K = 0;
    ck_assert_int_eq(el_gmm_validate(&g, NULL), EL_EDOM);
    ck_assert_int_eq(el_em_ascent_theta(&g, NX, X, NULL), EL_EDOM);
}
END_TEST

static Suite *em_suite(void)
{
    Suite *s = suite_create("em");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, estep_is_bayes_rule);
    tcase_add_test(core, free_energy_is_loglik_minus_kl);
    tcase_add_test(core, mstep_maximises_over_theta);
    tcase_add_test(core, ascent_finds_the_posterior);
    tcase_add_test(core, run_raises_the_likelihood);
    tcase_add_test(core, read_data_skips_comments);
    tcase_add_test(core, eval_one_iteration_by_hand);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, eval_file_errors);
    tcase_add_test(lim, eval_bad_parameters);
    tcase_add_test(lim, eval_collapse_is_an_error);
    tcase_add_test(lim, validate_and_ascent_limits);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(em_suite)
