/* check_derive.c -- the derivation checker: lines read as the contract says,
 * correct chains valid in every context, each typical mistake rejected at
 * its step with its diagnosis (the negative controls), steps 1e-6 apart
 * told apart, bad and hostile input bounded. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "derive/el_derive.h"
#include "expr/el_expr.h"

/* ---- helpers ------------------------------------------------------------ */

static void check_text(const char *ctx, const char *text, el_derive_report *rep)
{
    el_derive_opts o = { .context = ctx, .seed = 1, .label = "test" };
    int rc = el_derive_check(text, "test", &o, rep);
    ck_assert_msg(rc == 0, "el_derive_check failed: %s", el_errmsg());
}

/* One chain: its first invalid step (0: none), the diagnosis of that step
 * ("" none; "error"/"unknown" for those statuses) and the composed relation. */
static void expect(const char *ctx, const char *text, long first, const char *diag, const char *rel)
{
    el_derive_report rep;
    check_text(ctx, text, &rep);
    ck_assert_msg(rep.n == 1, "%zu chains in:\n%s", rep.n, text);
    const el_derivation *d = &rep.d[0];
    ck_assert_msg(d->first_invalid == first, "first_invalid %ld, expected %ld in:\n%s",
                  d->first_invalid, first, text);
    const char *got = "";
    for (size_t k = 1; k < d->nlines && !got[0]; k++) {
        const el_derive_step *s = &d->steps[k];
        if (s->status == EL_STEP_INVALID)
            got = s->diagnosis;
        else if (s->status == EL_STEP_ERROR)
            got = "error";
        else if (s->status == EL_STEP_UNKNOWN)
            got = "unknown";
    }
    ck_assert_msg(strcmp(got, diag) == 0, "diagnosis '%s', expected '%s' in:\n%s", got, diag, text);
    const char *r = el_relation_name(d->relation);
    if (!r)
        r = "null";
    ck_assert_msg(strcmp(r, rel) == 0, "relation %s, expected %s", r, rel);
    if (first == 0 && !diag[0])
        ck_assert(d->valid);
    el_derive_report_free(&rep);
}

static void expect_echo(const char *in, const char *out)
{
    el_expr_error err;
    el_tree *t = el_tree_parse(in, &err);
    ck_assert_msg(t != NULL, "'%s' does not parse: %s", in, err.msg);
    char buf[512];
    el_tree_print(t, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, out) == 0, "'%s' reads as '%s', expected '%s'", in, buf, out);
    el_tree_free(t);
}

/* ---- reading lines ------------------------------------------------------ */

START_TEST(test_echo)
{
    expect_echo("\\mathbb{E}_{z \\sim q_\\phi(z \\mid x)}\\left[ \\log p_\\theta(x|z) \\right]",
                "E_{z ~ q_phi(z|x)}[log p_theta(x|z)]");
    expect_echo("E_q[log p(x,z) - log q(z|x)]", "E_{q}[log p(x,z) - log q(z|x)]");
    expect_echo("D_{KL}(q(z|x) \\,\\|\\, p(z))", "KL(q(z|x) || p(z))");
    expect_echo("\\mathcal{KL}(q \\mid\\mid p)", "KL(q || p)");
    expect_echo("\\mathrm{KL}(q, p)", "KL(q || p)");
    expect_echo("KL(q\\parallel p)", "KL(q || p)");
    expect_echo("\\int q(z) \\log \\frac{q(z)}{p(z)} \\, dz", "int q(z) log(q(z)/p(z)) dz");
    expect_echo("\\int_{-\\infty}^{\\infty} q(z) \\mathrm{d}z", "int q(z) dz");
    expect_echo("\\sum_{k=1}^{K} \\pi_k p(x|z=k)", "sum_{k=1}^{K} pi_k p(x|z=k)");
    expect_echo("sum_z q(z|x) log(p(x,z)/q(z|x))", "sum_z q(z|x) log(p(x,z)/q(z|x))");
    expect_echo("\\mathcal{N}(z; \\mu, \\sigma^2)", "N(z; mu, sigma^2)");
    expect_echo("\\mathcal{N}(x \\mid a z + b, s^2)", "N(x; a z + b, s^2)");
    expect_echo("H(q) + \\mathcal{H}[q(z|x)]", "H(q) + H(q(z|x))");
    expect_echo("\\frac12 \\log \\sigma^2", "1/2 log(sigma^2)");
    expect_echo("𝔼_{q}[log p(x|z)] − KL(q‖p)", "E_{q}[log p(x|z)] - KL(q || p)");
    expect_echo("∑_z q(z|x)", "sum_z q(z|x)");
    expect_echo("½ \\log σ²", "0.5 log(sigma^2)"); /* the answer language's notations too */
    expect_echo("\\log p(x) % by Jensen", "log p(x)");
    expect_echo("np.log(sigma)", "log sigma");
    expect_echo("q^*(z) + q_*(z)", "q_star(z) + q_star(z)");
    expect_echo("\\frac{\\partial}{\\partial \\mu} \\mathbb{E}_q[z^2]", "d/dmu E_{q}[z^2]");
    expect_echo("\\mathbb{1}[z=k] \\log \\pi_k", "1[z=k] log pi_k");
    expect_echo("(\\mu_1-\\mu_0)^T\\Sigma_1^{-1}(\\mu_1-\\mu_0)",
                "(mu_1 - mu_0)^T Sigma_1^(-1) (mu_1 - mu_0)");
}
END_TEST

START_TEST(test_parse_errors)
{
    static const char *const bad[] = { "\\log p(x", "KL(q p)", "\\int q(z) \\log q(z)",
                                       "E_q[",      "N(z; 1)", "\\frac{a}",
                                       "a + ",      NULL };
    for (size_t i = 0; bad[i]; i++) {
        el_expr_error err;
        el_tree *t = el_tree_parse(bad[i], &err);
        ck_assert_msg(t == NULL, "'%s' should not parse", bad[i]);
        ck_assert_msg(err.msg[0] && err.pos > 0, "'%s': no message or position", bad[i]);
    }
}
END_TEST

START_TEST(test_contexts_load)
{
    const char *const *names = el_context_builtin_names();
    for (size_t i = 0; names[i]; i++) {
        el_context *c = el_context_load(names[i], NULL, 0);
        ck_assert_msg(c != NULL, "context %s: %s", names[i], el_errmsg());
        ck_assert_str_eq(el_context_name(c), names[i]);
        el_context_free(c);
    }
    ck_assert(el_context_load("no-such-context", NULL, 0) == NULL);
    ck_assert(el_context_load("../../etc/passwd", NULL, 0) == NULL);
}
END_TEST

/* ---- correct chains and their negative controls -------------------------- */

START_TEST(test_gauss)
{
    const char *ok = "KL(q||p) = E_q[log q(z|x) - log p(z)]\n"
                     "= \\log\\frac{\\sigma_p}{\\sigma_q} + \\frac{\\sigma_q^2 + "
                     "(\\mu_q-\\mu_p)^2}{2\\sigma_p^2} - \\frac12\n";
    expect("gauss", ok, 0, "", "=");
    /* the -1/2 dropped: an offset */
    expect("gauss",
           "KL(q||p) = \\log\\frac{\\sigma_p}{\\sigma_q} + \\frac{\\sigma_q^2 + "
           "(\\mu_q-\\mu_p)^2}{2\\sigma_p^2}\n",
           1, "inequality", "=");
    /* arguments swapped */
    expect("gauss",
           "KL(p||q) = \\log\\frac{\\sigma_p}{\\sigma_q} + \\frac{\\sigma_q^2 + "
           "(\\mu_q-\\mu_p)^2}{2\\sigma_p^2} - \\frac12\n",
           1, "swapped-kl", "=");
    /* the standard normal prior via let rows; a dropped 1/2 is a factor */
    expect("gauss",
           "let mu_p = 0\nlet sigma_p = 1\nKL(q||p) = 1/2 (mu^2 + sigma^2 - 1 - log sigma^2)\n"
           "= (mu^2 + sigma^2 - 1 - log sigma^2)\n",
           2, "factor", "=");
    /* the free-energy identity with the exact evidence */
    expect("gauss",
           "\\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n"
           "= \\log p(x) - \\mathrm{KL}(q(z|x) \\| p(z|x))\n",
           0, "", "=");
    /* Bayes' rule without p(x): off by log p(x) */
    expect("gauss", "\\log p(z|x) = \\log p(x|z) + \\log p(z)\n", 1, "inequality", "=");
}
END_TEST

START_TEST(test_discrete)
{
    const char *jensen = "\\log p(x) = \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)}\n"
                         "\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n"
                         "= \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n";
    expect("discrete", jensen, 0, "", ">=");
    expect("discrete",
           "\\log p(x) = \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)}\n"
           "= \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n",
           2, "inequality", "=");
    expect("discrete",
           "\\log p(x) = \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)}\n"
           "\\leq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n",
           2, "wrong-way", "<=");
    expect("discrete",
           "\\log p(x) = \\mathrm{ELBO} + \\mathrm{KL}(q(z|x) \\| p(z|x))\n"
           "= \\sum_{k=1}^{K} q(z=k|x) \\log \\frac{\\pi_k p(x|z=k)}{q(z=k|x)} + "
           "\\mathrm{KL}(q \\| p(z|x))\n",
           0, "", "=");
    expect("discrete", "\\log p(x) = \\mathrm{ELBO} + \\mathrm{KL}(p(z|x) \\| q(z|x))\n", 1,
           "swapped-kl", "=");
}
END_TEST

START_TEST(test_distributions)
{
    expect("distributions",
           "KL(p||q) = -\\sum_x p(x) \\log \\frac{q(x)}{p(x)}\n"
           "\\geq -\\log \\sum_x p(x) \\frac{q(x)}{p(x)} = -\\log \\sum_x q(x) = 0\n",
           0, "", ">=");
    expect("distributions", "KL(p||q) = \\sum_x p(x) \\log \\frac{q(x)}{p(x)}\n", 1, "sign", "=");
    expect("distributions", "KL(q\\|q) = \\sum_x q(x) \\log 1 = 0\n", 0, "", "=");
    expect("distributions",
           "KL(\\lambda p_1 + (1-\\lambda) p_2 \\| \\lambda q_1 + (1-\\lambda) q_2)\n"
           "\\leq \\lambda KL(p_1 \\| q_1) + (1-\\lambda) KL(p_2 \\| q_2)\n",
           0, "", "<=");
    expect("distributions",
           "KL(\\lambda p_1 + (1-\\lambda) p_2 \\| \\lambda q_1 + (1-\\lambda) q_2)\n"
           "\\geq \\lambda KL(p_1 \\| q_1) + (1-\\lambda) KL(p_2 \\| q_2)\n",
           1, "wrong-way", ">=");
}
END_TEST

START_TEST(test_gauss_mv_diag_gmvae)
{
    const char *mv = "\\mathrm{KL}(N_0 \\| N_1) = \\frac{1}{2}\\left[\\mathrm{tr}(\\Sigma_1^{-1}"
                     "\\Sigma_0) + (\\mu_1-\\mu_0)^T \\Sigma_1^{-1} (\\mu_1-\\mu_0) - d + "
                     "\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right]\n";
    expect("gauss-mv", mv, 0, "", "=");
    expect("gauss-mv",
           "\\mathrm{KL}(N_0 \\| N_1) = \\frac{1}{2}\\left[\\mathrm{tr}(\\Sigma_1^{-1}"
           "\\Sigma_0) + (\\mu_1-\\mu_0)^T \\Sigma_1^{-1} (\\mu_1-\\mu_0) + "
           "\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right]\n",
           1, "inequality", "=");
    expect("gauss-mv", "\\mathbb{E}_{N_0}[(x-\\mu_0)^T \\Sigma_0^{-1} (x-\\mu_0)] = d\n", 0, "",
           "=");
    expect("diag",
           "KL(q \\| p) = \\sum_{i=1}^{D} KL(q_i \\| p_i)\n"
           "= \\sum_{i=1}^{D} \\frac12 (\\mu_i^2 + \\sigma_i^2 - 1 - \\log \\sigma_i^2)\n",
           0, "", "=");
    expect("diag",
           "KL(q \\| p) = \\sum_{i=1}^{D} (\\mu_i^2 + \\sigma_i^2 - 1 - \\log \\sigma_i^2)\n", 1,
           "factor", "=");
    const char *gm = "\\mathrm{ELBO} = \\mathbb{E}_{q(w,z|x)}[\\log p(x,w,z) - \\log q(w,z|x)]\n"
                     "= \\mathbb{E}_{q(w|x)}[\\log p(x|w)] - \\mathbb{E}_{q(w|x)}[\\mathrm{KL}"
                     "(q(z|w,x) \\| p(z))] - \\mathbb{E}_{q(w|x)}\\left[\\sum_z q(z|w,x) \\log "
                     "\\frac{q(w|x)}{p(w|z)}\\right]\n";
    expect("gmvae", gm, 0, "", "=");
    expect("gmvae",
           "\\mathrm{ELBO} = \\mathbb{E}_{q(w|x)}[\\log p(x|w)] - \\mathbb{E}_{q(w|x)}[\\mathrm{KL}"
           "(p(z) \\| q(z|w,x))] - \\mathbb{E}_{q(w|x)}\\left[\\sum_z q(z|w,x) \\log "
           "\\frac{q(w|x)}{p(w|z)}\\right]\n",
           1, "swapped-kl", "=");
}
END_TEST

/* Steps 1e-6 apart (relative) are invalid, whatever the integration rule:
 * exact sums, Gauss-Hermite, QAGI, nested rules; the same step without the
 * perturbation is valid. Neither an inaccurate integral nor a wide error
 * bar may decide it. */
START_TEST(test_resolution)
{
    static const struct {
        const char *ctx, *lhs, *rhs;
    } steps[] = {
        { "gauss", "KL(q||p)",
          "\\log\\frac{\\sigma_p}{\\sigma_q} + \\frac{\\sigma_q^2 + "
          "(\\mu_q-\\mu_p)^2}{2\\sigma_p^2} - 1/2" },
        { "gauss", "\\int p(z) \\log p(z) \\, dz", "-\\frac12 \\log(2 \\pi e \\sigma_p^2)" },
        { "gauss", "\\int p(z|x) \\log q(z|x) dz",
          "-1/2 \\log(2\\pi\\sigma_q^2) - ((mu_post - mu_q)^2 + var_post)/(2 sigma_q^2)" },
        { "discrete", "\\log p(x)", "\\log \\sum_{k=1}^{K} \\pi_k lik_k" },
        { "gmvae", "\\mathbb{E}_{q(w|x)}[\\log p(x|w)]",
          "-1/2 log(2 pi s^2) - ((x - A mu_w - b)^2 + A^2 sigma_w^2)/(2 s^2)" },
        { "gauss-mv", "H(N_0)", "1/2 \\log((2 \\pi e)^d |\\Sigma_0|)" },
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s = %s\n", steps[i].lhs, steps[i].rhs);
        expect(steps[i].ctx, text, 0, "", "=");
        snprintf(text, sizeof text, "%s = (1 + 1e-6) (%s)\n", steps[i].lhs, steps[i].rhs);
        expect(steps[i].ctx, text, 1, "factor", "=");
        snprintf(text, sizeof text, "%s = (1 - 1e-6) (%s)\n", steps[i].lhs, steps[i].rhs);
        expect(steps[i].ctx, text, 1, "factor", "=");
    }
}
END_TEST

/* ---- rows and write-ups --------------------------------------------------- */

START_TEST(test_writeup)
{
    const char *tex =
        "\\documentclass{article}\n"                                       /* 1 */
        "\\begin{document}\n"                                              /* 2 */
        "We show $a = b$ inline, which is not read.\n"                     /* 3 */
        "% elbolab: context discrete\n"                                    /* 4 */
        "\\begin{align*}\n"                                                /* 5 */
        "\\log p(x) &= \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)} \\\\\n" /* 6 */
        "&\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)} \\quad \\text{(Jensen)} \\label{eq:j}\n"
        "\\end{align*}\n"
        "\\[ p(z) \\]\n"
        "$$ KL(q \\| q) = 0 \\overset{\\text{def}}{=} 0 $$\n"
        "\\end{document}\n";
    el_derive_report rep;
    check_text("gauss", tex, &rep);
    ck_assert_uint_eq(rep.n, 2);
    ck_assert_str_eq(rep.d[0].context, "discrete");
    ck_assert_uint_eq(rep.d[0].line, 6);
    ck_assert_uint_eq(rep.d[0].nlines, 3);
    ck_assert_int_eq(rep.d[0].valid, 1);
    ck_assert_int_eq(rep.d[0].relation, EL_REL_GE);
    ck_assert_str_eq(rep.d[0].steps[2].justification, "(Jensen)");
    ck_assert_uint_eq(rep.d[1].nlines, 3);
    ck_assert_str_eq(rep.d[1].steps[2].justification, "def");
    el_derive_report_free(&rep);
}
END_TEST

START_TEST(test_fragment_rows)
{
    const char *text = "KL(q||q) = E_q[log q - log q]\n"
                       "  + 0\n" /* an operator: continues the line */
                       "= 0\n"
                       "Now for the second claim we use Jensen\n" /* prose ends the chain */
                       "KL(p||q) >= 0 = 0\n";                     /* two relations: two steps */
    el_derive_report rep;
    check_text("distributions", text, &rep);
    ck_assert_uint_eq(rep.n, 2);
    ck_assert_uint_eq(rep.d[0].nlines, 3);
    ck_assert_uint_eq(rep.d[1].nlines, 3);
    ck_assert_int_eq(rep.d[1].relation, EL_REL_GE);
    ck_assert_int_eq(rep.d[0].valid, 1);
    ck_assert_int_eq(rep.d[1].valid, 1);
    el_derive_report_free(&rep);
}
END_TEST

START_TEST(test_bad_lines)
{
    /* a line that does not parse: both of its steps are errors, the others checked */
    const char *text = "KL(q||p) = E_q[log q(z|x) - log p(z)]\n= E_q[log q(z|x) - log p(z)\n"
                       "= E_q[log q(z|x)] - E_q[log p(z)]\n= 2 E_q[log q(z|x) - log p(z)]\n";
    el_derive_report rep;
    check_text("gauss", text, &rep);
    ck_assert_uint_eq(rep.n, 1);
    const el_derivation *d = &rep.d[0];
    ck_assert_int_eq(d->steps[1].status, EL_STEP_VALID);
    ck_assert_int_eq(d->steps[2].status, EL_STEP_ERROR);
    ck_assert_int_eq(d->steps[3].status, EL_STEP_ERROR);
    ck_assert_int_eq(d->steps[4].status, EL_STEP_INVALID);
    ck_assert_int_eq(d->first_invalid, 2);
    ck_assert(d->lines[2].error != NULL);
    el_derive_report_free(&rep);
    /* an unknown function: unknown, never invalid */
    expect("gauss", "\\mathbb{E}_q[f(z)] = \\int q(z|x) f(z) dz\n", 0, "unknown", "=");
    /* a log of a negative number at an instance: an error there, not a verdict */
    expect("gauss", "\\log(\\mu_q - 10) = \\log(\\mu_q - 10)\n", 1, "error", "=");
    /* an implication is not checked */
    expect("gauss", "\\log p(x) = \\log p(x) \\Rightarrow p(x) = p(x)\n", 0, "unknown", "null");
}
END_TEST

START_TEST(test_unknown_names)
{
    el_derive_report rep;
    /* a free constant is declared, with a note */
    check_text("gauss", "\\log p(x) + c = c + \\log p(x)\n", &rep);
    ck_assert_int_eq(rep.d[0].valid, 1);
    ck_assert(rep.d[0].notes && strstr(rep.d[0].notes, "'c'"));
    el_derive_report_free(&rep);
    /* a likely typo is not declared */
    check_text("gauss", "sigma_qq = sigma_q\n", &rep);
    ck_assert_int_eq(rep.d[0].steps[1].status, EL_STEP_UNKNOWN);
    ck_assert(rep.d[0].notes && strstr(rep.d[0].notes, "did you mean"));
    el_derive_report_free(&rep);
}
END_TEST

/* ---- limits ------------------------------------------------------------------ */

START_TEST(test_hostile)
{
    /* 10,000 rows: refused by the line limit, quickly */
    size_t n = 10000;
    char *big = malloc(n * 8 + 16);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "a = a\n");
    for (size_t i = 0; i < n; i++)
        strcat(big + strlen(big) - 0, "= a\n");
    el_derive_report rep;
    el_derive_opts o = { .context = "gauss" };
    ck_assert_int_ne(el_derive_check(big, "big", &o, &rep), 0);
    free(big);
    /* deep nesting: a parse error, not a crash */
    char deep[8192];
    strcpy(deep, "1 = ");
    memset(deep + 4, '(', 3000);
    strcpy(deep + 3004, "1");
    memset(deep + 3005, ')', 3000);
    deep[6005] = '\0';
    check_text("gauss", deep, &rep);
    ck_assert_int_eq(rep.d[0].first_invalid, 1);
    el_derive_report_free(&rep);
    /* nested integrals: bounded by the evaluation budget */
    check_text("gauss", "\\int \\int \\int \\int q(z) dz dz dz dz = 1\n", &rep);
    ck_assert_uint_eq(rep.n, 1);
    el_derive_report_free(&rep);
}
END_TEST


/* Gauss-Hermite (E_q) against GSL's QAGI (the same integral written with
 * \int dz) for integrands that are not polynomials: the two rules must
 * agree, and a 1e-6 perturbation must not. */
START_TEST(test_rules_agree)
{
    static const char *const pairs[][2] = {
        { "E_{q(z|x)}[\\log(1 + z^2)]", "\\int q(z|x) \\log(1 + z^2) \\, dz" },
        { "E_{q(z|x)}[\\log p(x|z) + \\sqrt{1 + z^4}]",
          "\\int q(z|x) (\\log p(x|z) + \\sqrt{1 + z^4}) dz" },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s = %s\n", pairs[i][0], pairs[i][1]);
        expect("gauss", text, 0, "", "=");
        snprintf(text, sizeof text, "%s = (1 + 1e-6) %s\n", pairs[i][0], pairs[i][1]);
        expect("gauss", text, 1, "factor", "=");
    }
}
END_TEST

/* Final answers in a context: the form of the bound, KL's definition. */
START_TEST(test_compare)
{
    el_context *c = el_context_load("gauss", NULL, 0);
    ck_assert_ptr_nonnull(c);
    el_derive_opts o = { .seed = 3, .label = "compare" };
    char why[512];
    const char *goal = "\\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))";
    ck_assert_int_eq(
        el_derive_compare(c, &o, "E_q[log p(x|z)] - KL(q || p)", goal, 1, why, sizeof why), 1);
    /* equal in value, another form: right only when the form is not asked for */
    ck_assert_int_eq(
        el_derive_compare(c, &o, "\\log p(x) - KL(q || p(z|x))", goal, 0, why, sizeof why), 1);
    ck_assert_int_eq(
        el_derive_compare(c, &o, "\\log p(x) - KL(q || p(z|x))", goal, 1, why, sizeof why), 0);
    ck_assert_int_eq(
        el_derive_compare(c, &o, "E_q[log p(x|z)] - KL(p || q)", goal, 1, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "KL") != NULL, "%s", why);
    /* an expression has no relation: a dropped KL is "not equal", not "written '='" */
    ck_assert_int_eq(el_derive_compare(c, &o, "E_q[log p(x|z)]", goal, 0, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "not equal to the expected") && !strstr(why, "written"), "%s", why);
    ck_assert_int_eq(el_derive_compare(c, &o, "E_q[log f(z)]", goal, 1, why, sizeof why), -1);
    ck_assert_int_eq(el_derive_compare(c, &o, "E_q[log p(x|z)", goal, 1, why, sizeof why), -1);
    el_context_free(c);
}
END_TEST


/* The other relations: a derivative, proportionality in the latent, an
 * approximation to 1e-2, a strict inequality -- each with its control. */
START_TEST(test_relations)
{
    expect("gauss",
           "\\frac{\\partial}{\\partial \\mu_q} KL(q||p) = (\\mu_q - \\mu_p)/\\sigma_p^2\n", 0, "",
           "=");
    /* the derivative of KL(p||q): the checker even says so */
    expect("gauss",
           "\\frac{\\partial}{\\partial \\mu_q} KL(q||p) = (\\mu_q - \\mu_p)/\\sigma_q^2\n", 1,
           "swapped-kl", "=");
    /* the posterior's parameters move with mu_p: its derivative is not 0 */
    expect("gauss", "\\frac{\\partial}{\\partial \\mu_p} KL(q(z|x) \\| p(z|x)) = 0\n", 1, "", "=");
    expect("gauss", "p(z|x) \\propto p(x|z) p(z)\n", 0, "", "null");
    expect("gauss", "p(z|x) \\propto p(x|z)\n", 1, "", "null");
    expect("gauss", "\\frac{1}{3} \\approx 0.333\n", 0, "", "null");
    expect("gauss", "\\frac{1}{3} \\approx 0.3\n", 1, "factor", "null");
    expect("gauss", "KL(q||p) > -1 \\geq -2\n", 0, "", ">=");
    expect("gauss", "KL(q||q) > 0\n", 1, "", ">=");
}
END_TEST


/* What the reviewer found: a self-referential density, the sd convention
 * confined to the student's lines, an answer's let rows ignored. */
START_TEST(test_models_stay_put)
{
    /* a density defined through itself: an error, never a crash */
    expect("gauss", "let q(z|x) = q(z|x)\nKL(q||p) = 1\n", 1, "error", "=");
    /* let gaussian = sd changes how the student's N(.) read, not the context's densities */
    expect("gauss",
           "let gaussian = sd\nKL(q||p) = \\log\\frac{\\sigma_p}{\\sigma_q} + "
           "\\frac{\\sigma_q^2+(\\mu_q-\\mu_p)^2}{2\\sigma_p^2} - \\frac12\n",
           0, "", "=");
    expect("gauss", "let gaussian = sd\nq(z|x) = \\mathcal{N}(z; \\mu_q, \\sigma_q)\n", 0, "", "=");
    expect("gauss", "q(z|x) = \\mathcal{N}(z; \\mu_q, \\sigma_q)\n", 1, "", "=");
    /* in an exercise, an answer's let rows do not change the model */
    el_context *c = el_context_load("gauss", NULL, 0);
    ck_assert_ptr_nonnull(c);
    el_derive_exercise ex = {
        "\\mathrm{KL}(q \\| p)", "0", EL_REL_EQ, 2, NULL, 0, NULL, NULL, NULL, 0, 0
    };
    el_derive_opts o = { .seed = 5, .label = "let-in-answer" };
    el_derive_report rep;
    el_derive_grade g;
    ck_assert_int_eq(el_derive_grade_answer(&ex, c,
                                            "let mu_q = mu_p\nlet sigma_q = sigma_p\n"
                                            "\\mathrm{KL}(q \\| p) = 0 = 0 + 0\n",
                                            &o, &rep, &g),
                     0);
    ck_assert(g.fraction < 1);
    ck_assert_uint_eq(rep.n, 1);
    ck_assert(rep.d[0].notes && strstr(rep.d[0].notes, "ignored"));
    el_derive_report_free(&rep);
    el_context_free(c);
}
END_TEST


/* A sum over k with q(z=k|x) and \pi_k is the same construct as a sum over
 * z with q(z|x) and p(z): the milestone matches either spelling. */
START_TEST(test_vocab_indices)
{
    el_derive_report rep;
    check_text("discrete",
               "\\log p(x) = \\sum_{k=1}^{K} q(z=k|x) \\log \\frac{\\pi_k p(x|z=k)}{q(z=k|x)} + "
               "\\mathrm{KL}(q \\| p(z|x))\n",
               &rep);
    ck_assert_uint_eq(rep.n, 1);
    ck_assert_int_eq(rep.d[0].valid, 1);
    ck_assert_int_eq(el_derive_matches(&rep.d[0], 1,
                                       "\\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)} + "
                                       "\\mathrm{KL}(q(z|x) \\| p(z|x))"),
                     1);
    ck_assert_int_eq(el_derive_matches(&rep.d[0], 1, "\\log p(x)"), 0); /* equal, not the form */
    el_derive_report_free(&rep);
}
END_TEST

static Suite *derive_suite(void)
{
    Suite *s = suite_create("derive");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, test_echo);
    tcase_add_test(core, test_contexts_load);
    tcase_add_test(core, test_gauss);
    tcase_add_test(core, test_discrete);
    tcase_add_test(core, test_distributions);
    tcase_add_test(core, test_gauss_mv_diag_gmvae);
    tcase_add_test(core, test_resolution);
    tcase_add_test(core, test_rules_agree);
    tcase_add_test(core, test_compare);
    tcase_add_test(core, test_relations);
    tcase_add_test(core, test_models_stay_put);
    tcase_add_test(core, test_vocab_indices);
    tcase_add_test(core, test_writeup);
    tcase_add_test(core, test_fragment_rows);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_set_timeout(limits, 60);
    tcase_add_test(limits, test_parse_errors);
    tcase_add_test(limits, test_bad_lines);
    tcase_add_test(limits, test_unknown_names);
    tcase_add_test(limits, test_hostile);
    suite_add_tcase(s, limits);
    return s;
}

EL_CHECK_MAIN(derive_suite)
