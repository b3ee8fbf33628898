/* check_expr.c -- the answer language: notations that must agree, matrix
 * identities against independent computations, error positions and
 * messages, hostile input and limits. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "expr/el_expr.h"

/* ---- a lookup table of test variables -------------------------------------- */

#define NPOINTS 3

typedef struct {
    const char *name;
    el_value v;
} binding;

/* Scalars change with the evaluation point; vectors and matrices are fixed,
 * "high-entropy" values (SPD where a covariance is expected). */
static double sc[12];
static double vx[3] = { 0.731, -1.287, 2.113 }, vy[3] = { 1.406, 0.319, -0.872 };
static double vm0[3] = { 0.25, -0.5, 1.125 }, vm1[3] = { -0.375, 0.875, 0.6 };
static double mS0[9] = { 2.1, 0.3, -0.2, 0.3, 1.4, 0.25, -0.2, 0.25, 0.9 };
static double mS1[9] = { 1.3, -0.4, 0.1, -0.4, 2.2, 0.35, 0.1, 0.35, 1.7 };
static double mA[4] = { 1.7, -0.6, 0.45, 2.3 }, mB[4] = { 0.8, 1.1, -0.9, 0.35 };
static double mC[6] = { 1, 2, 3, 4, 5, 6 };
static double vlik[4] = { 0.12, 0.53, 0.07, 0.31 }, vprior[4] = { 0.4, 0.1, 0.3, 0.2 };
static double vz[64], vbig[65], vsig[3] = { 0.84, 1.37, 2.05 }, vmu[3] = { 0.12, -0.93, 1.48 };

static const binding table[] = {
    { "mu", { 1, 1, &sc[0] } },   { "sigma", { 1, 1, &sc[1] } }, { "mu_q", { 1, 1, &sc[2] } },
    { "mu_p", { 1, 1, &sc[3] } }, { "t", { 1, 1, &sc[4] } },     { "a", { 1, 1, &sc[5] } },
    { "b", { 1, 1, &sc[6] } },    { "c", { 1, 1, &sc[7] } },     { "sigma_1", { 1, 1, &sc[8] } },
    { "s", { 1, 1, &sc[9] } },    { "x", { 3, 1, vx } },         { "y", { 3, 1, vy } },
    { "m0", { 3, 1, vm0 } },      { "m1", { 3, 1, vm1 } },       { "m_0", { 3, 1, vm0 } },
    { "m_1", { 3, 1, vm1 } },     { "mu_0", { 3, 1, vm0 } },     { "mu_1", { 3, 1, vm1 } },
    { "S0", { 3, 3, mS0 } },      { "S1", { 3, 3, mS1 } },       { "Sigma_0", { 3, 3, mS0 } },
    { "Sigma_1", { 3, 3, mS1 } }, { "Sigma", { 3, 3, mS0 } },    { "A", { 2, 2, mA } },
    { "B", { 2, 2, mB } },        { "C", { 2, 3, mC } },         { "z", { 64, 1, vz } },
    { "big", { 65, 1, vbig } },   { "sig", { 3, 1, vsig } },     { "muv", { 3, 1, vmu } },
    { "k", { 1, 1, &sc[10] } },   { "lik", { 4, 1, vlik } },     { "prior", { 4, 1, vprior } },
    { NULL, { 0, 0, NULL } }
};

/* With vector_mode set, mu and sigma are the vectors muv and sig (the
 * exercise kl-diag-sum). */
static int vector_mode;

static int lookup(void *ctx, const char *name, const el_value **out)
{
    (void)ctx;
    if (vector_mode && (strcmp(name, "mu") == 0 || strcmp(name, "sigma") == 0))
        name = name[0] == 'm' ? "muv" : "sig";
    for (size_t i = 0; table[i].name; i++)
        if (strcmp(table[i].name, name) == 0) {
            *out = &table[i].v;
            return 0;
        }
    return 1;
}

/* Sets the scalar variables to evaluation point k. */
static void set_point(int k)
{
    static const double base[12] = { 0.387, 1.294,  -0.618, 0.253, 2.381, 0.713,
                                     1.618, -1.207, 0.566,  3.14,  3.0,   0.0 };
    for (int i = 0; i < 12; i++)
        sc[i] = base[i] + (i == 10 ? 0 : 0.37 * k * (i % 2 ? 1 : -1));
    sc[1] = fabs(sc[1]) + 0.2; /* sigma, sigma_1 > 0 */
    sc[8] = fabs(sc[8]) + 0.1;
    for (int i = 0; i < 64; i++)
        vz[i] = 1.0 + 0.01 * i;
}

/* ---- helpers ------------------------------------------------------------------ */

/* Parses (must succeed); fails the test with the parser's message if not. */
static el_expr *parse_ok(const char *text)
{
    el_expr_error err;
    el_expr *e = el_expr_parse(text, &err);
    ck_assert_msg(e != NULL, "parse '%s': %zu: %s", text, err.pos, err.msg);
    return e;
}

/* Evaluates text at the current point (must succeed). */
static el_value eval_ok(const char *text)
{
    el_expr_error err;
    el_value v;
    el_expr *e = parse_ok(text);
    int st = el_expr_eval(e, lookup, NULL, &v, &err);
    ck_assert_msg(st == EL_OK, "eval '%s': status %d at %zu: %s", text, st, err.pos, err.msg);
    el_expr_free(e);
    return v;
}

static double scalar_ok(const char *text)
{
    el_value v = eval_ok(text);
    ck_assert_msg(v.rows == 1 && v.cols == 1, "'%s' is %zux%zu, not a scalar", text, v.rows,
                  v.cols);
    double x = v.v[0];
    el_value_free(&v);
    return x;
}

static int values_close(const el_value *a, const el_value *b, double rtol)
{
    if (a->rows != b->rows || a->cols != b->cols)
        return 0;
    for (size_t i = 0; i < a->rows * a->cols; i++) {
        double d = fabs(a->v[i] - b->v[i]), m = fmax(fabs(a->v[i]), fabs(b->v[i]));
        if (isnan(a->v[i]) && isnan(b->v[i]))
            continue; /* both undefined */
        if (a->v[i] == b->v[i])
            continue; /* also equal infinities */
        if (!(d <= rtol * m + 1e-13))
            return 0;
    }
    return 1;
}

static int all_finite(const el_value *v)
{
    for (size_t i = 0; i < v->rows * v->cols; i++)
        if (!isfinite(v->v[i]))
            return 0;
    return 1;
}

/* Do a and b evaluate to the same value (1e-12 relative) at every point,
 * and to finite values at one point at least? */
static int same(const char *a, const char *b)
{
    int ok = 1, finite = 0;
    for (int k = 0; k < NPOINTS && ok; k++) {
        set_point(k);
        el_value va = eval_ok(a), vb = eval_ok(b);
        ok = values_close(&va, &vb, 1e-12);
        finite |= all_finite(&va);
        el_value_free(&va);
        el_value_free(&vb);
    }
    return ok && finite;
}

#define ck_same(a, b)   ck_assert_msg(same(a, b), "'%s' and '%s' differ", a, b)
#define ck_differ(a, b) ck_assert_msg(!same(a, b), "'%s' and '%s' should differ", a, b)

/* Parsing must fail at 1-based `pos` with a message containing `part`. */
static void parse_fails(const char *text, size_t pos, const char *part)
{
    el_expr_error err;
    el_expr *e = el_expr_parse(text, &err);
    ck_assert_msg(e == NULL, "'%s' should not parse", text);
    ck_assert_msg(strstr(err.msg, part) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
                  part);
    if (pos)
        ck_assert_msg(err.pos == pos, "'%s': error at %zu, expected %zu (%s)", text, err.pos, pos,
                      err.msg);
}

/* Evaluation must fail with `status` at `pos` (0: any) and a message part. */
static void eval_fails(const char *text, int status, size_t pos, const char *part)
{
    el_expr_error err;
    el_value v = { 9, 9, (double *)&v };
    el_expr *e = parse_ok(text);
    int st = el_expr_eval(e, lookup, NULL, &v, &err);
    el_expr_free(e);
    ck_assert_msg(st == status, "'%s': status %d, expected %d (%s)", text, st, status, err.msg);
    ck_assert_msg(v.v == NULL && v.rows == 0, "'%s': output not cleared", text);
    ck_assert_msg(strstr(err.msg, part) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
                  part);
    ck_assert_str_eq(el_errmsg(), err.msg);
    if (pos)
        ck_assert_msg(err.pos == pos, "'%s': error at %zu, expected %zu", text, err.pos, pos);
}

/* The free variables of text, joined by spaces. */
static void vars_of(const char *text, char *buf, size_t cap)
{
    el_expr *e = parse_ok(text);
    buf[0] = '\0';
    for (size_t i = 0; i < el_expr_nvars(e); i++) {
        if (i)
            strncat(buf, " ", cap - strlen(buf) - 1);
        strncat(buf, el_expr_var(e, i), cap - strlen(buf) - 1);
    }
    ck_assert_ptr_null(el_expr_var(e, el_expr_nvars(e)));
    el_expr_free(e);
}

#define ck_vars(text, want)                                                                        \
    do {                                                                                           \
        char got_[256];                                                                            \
        vars_of(text, got_, sizeof got_);                                                          \
        ck_assert_msg(strcmp(got_, want) == 0, "vars of '%s': '%s', expected '%s'", text, got_,    \
                      want);                                                                       \
    } while (0)

/* ---- Core: notations ---------------------------------------------------------- */

START_TEST(kl_std_normal_notations)
{
    const char *ref = "0.5*(mu^2+sigma^2-1-log(sigma^2))";
    const char *forms[] = {
        "\\frac{1}{2}\\left(\\mu^2 + \\sigma^2 - 1 - \\log \\sigma^2\\right)",
        "(mu**2 + sigma^2 -1 - ln sigma^2)/2",
        "\\frac12\\left(\\mu^{2}+\\sigma^{2}-1-\\ln\\sigma^{2}\\right)",
        "\\tfrac{1}{2}\\Big(\\mu^2+\\sigma^2-1-\\log\\left(\\sigma^2\\right)\\Big)",
        "\\dfrac{\\mu^2 + \\sigma^2 - 1 - 2\\log\\sigma}{2}",
        "(μ² + σ² − 1 − ln σ²)/2",
        "\\frac{1}{2}\\bigl(\\mu^2+\\sigma^2\\bigr) - \\frac{1}{2} - \\log\\sigma",
        "0.5\\,\\mu^2 + .5\\;\\sigma^2 - 5e-1 - \\frac{1}{2}\\log{\\sigma^2}",
        "\\frac{1}{2}\\left[\\mu^2 + \\sigma^2 - 1 - \\log\\sigma^2\\right]",
        "\\frac{1}{2}\\left\\{\\mu^2 + \\sigma^2 - 1 - \\log\\sigma^2\\right\\}",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        ck_same(forms[i], ref);
    /* negative controls: the typical slips must be told apart */
    ck_differ("0.5*(mu^2+sigma^2-1-log(sigma))", ref);
    ck_differ("\\frac{1}{2}\\left(\\mu^2 + \\sigma - 1 - \\log \\sigma^2\\right)", ref);
    ck_differ("\\mu^2 + \\sigma^2 - 1 - \\log \\sigma^2", ref);
}
END_TEST

START_TEST(kl_equal_variance_notations)
{
    const char *ref = "(mu_q - mu_p)^2 / (2 sigma^2)";
    ck_same("\\frac{(\\mu_q-\\mu_p)^2}{2\\sigma^2}", ref);
    ck_same("\\dfrac{\\left(\\mu_{q}-\\mu_{p}\\right)^{2}}{2\\,\\sigma^{2}}", ref);
    ck_same("(mu_q-mu_p)**2/2/sigma**2", ref);
    ck_same("\\frac{1}{2\\sigma^2}(\\mu_p - \\mu_q)^2", ref);
    ck_same("(μ_q − μ_p)²/(2σ²)", ref);
    ck_differ("(mu_q - mu_p)^2 / 2 sigma^2", ref); /* (x/2)*sigma^2 */
    ck_differ("(mu_q - mu_p) / (2 sigma^2)", ref);
}
END_TEST

START_TEST(gauss_log_density_notations)
{
    const char *ref = "-0.5*log(2*pi*sigma^2) - (t-mu)^2/(2*sigma^2)";
    ck_same("-\\frac{1}{2}\\log 2\\pi\\sigma^2 - \\frac{(t-\\mu)^2}{2\\sigma^2}", ref);
    ck_same("-\\log\\sigma - \\tfrac12\\log(2\\pi) - \\frac{1}{2}\\left(\\frac{t-\\mu}{\\sigma}"
            "\\right)^2",
            ref);
    ck_same("log(1/sqrt(2 pi sigma^2)) - (t - mu)^2/2/sigma^2", ref);
    ck_same("\\ln\\frac{1}{\\sqrt{2\\pi}\\sigma}-\\frac{(t-\\mu)^{2}}{2\\sigma^{2}}", ref);
    ck_same(
        "\\log\\left(\\frac{1}{\\sigma\\sqrt{2\\pi}} e^{-\\frac{(t-\\mu)^2}{2\\sigma^2}}\\right)",
        ref);
    ck_differ("-\\frac{1}{2}\\log 2\\pi\\sigma - \\frac{(t-\\mu)^2}{2\\sigma^2}", ref);
}
END_TEST

/* Function application: an unbracketed argument is the juxtaposed product
 * that follows, with its powers; a bracketed one is just the brackets. */
START_TEST(function_binding)
{
    ck_same("\\log \\sigma^2", "log(sigma^2)");
    ck_same("log sigma^2", "log(sigma^2)");
    ck_same("\\log(\\sigma)^2", "(log(sigma))^2");
    ck_same("\\log^2 \\sigma", "(log(sigma))^2");
    ck_same("\\log 2\\pi\\sigma^2", "log(2*pi*sigma^2)");
    ck_same("\\log\\sigma^2 + 1", "log(sigma^2) + 1");
    ck_same("\\log\\sigma \\cdot 2", "2 log(sigma)");
    ck_same("2\\log\\sigma", "2*log(sigma)");
    ck_same("\\log(a) b", "b*log(a)");
    ck_same("\\exp -\\mu^2/2", "exp(-mu^2)/2");
    ck_same("\\exp\\left(-\\frac{\\mu^2}{2}\\right)", "exp(-mu^2/2)");
    ck_same("e^{-\\mu^2/2}", "exp(-mu^2/2)");
    ck_same("\\sqrt{\\sigma^2}", "sigma");
    ck_same("\\sqrt\\sigma^2", "sigma"); /* (sqrt sigma)^2, as LaTeX typesets it */
    ck_same("\\sqrt[3]{\\sigma^3}", "sigma");
    ck_same("\\log_2 8", "3");
    ck_same("\\log_{b} a", "log(a)/log(b)");
    ck_same("\\ln\\ln\\sigma^2", "log(log(sigma^2))");
    ck_same("\\log|\\Sigma|", "log(det(Sigma))");
    ck_same("\\log\\det\\Sigma", "log(det(Sigma))");
    ck_assert_double_eq_tol(scalar_ok("\\sqrt[3]{-8}"), -2.0, 1e-15);
    ck_assert(scalar_ok("e^{mu}") == scalar_ok("exp(mu)")); /* e^x is exp(x), exactly */
}
END_TEST

START_TEST(operators_and_precedence)
{
    ck_same("2 sigma^2", "2*sigma^2");
    ck_same("2(a+b)", "2*(a+b)");
    ck_same("(a)(b)", "a*b");
    ck_same("a b c", "a*b*c");
    ck_same("2\\pi\\sigma", "2*pi*sigma");
    ck_same("-a^2", "-(a^2)");
    ck_same("a^b^c", "a^(b^c)");
    ck_same("a**b", "a^b");
    ck_same("2^-1", "0.5");
    ck_same("a^-b c", "a^(-b)*c");
    ck_same("a/b/c", "(a/b)/c");
    ck_same("a - b - c", "(a-b)-c");
    ck_same("a \\cdot b \\times c \\div t", "a*b*c/t");
    ck_same("--a", "a");
    ck_same("+a", "a");
    ck_same("a·b×c", "a*b*c");
    ck_same("\\frac ab", "a/b");
    ck_same("\\frac\\mu\\sigma", "mu/sigma");
    ck_same("\\frac{a}{b}^2", "(a/b)^2");
    ck_same("|a - b|", "abs(a-b)");
    ck_same("||a|-|b||", "abs(abs(a)-abs(b))");
    ck_same("\\left|a\\right|\\lvert b\\rvert", "abs(a)*abs(b)");
    ck_same("2|a|", "2 abs(a)");
    ck_same("1e-3 + .5 + 2.", "2.501");
    ck_same("1E3", "1000");
    ck_same("pi", "3.14159265358979323846");
    ck_same("\\pi + π", "2 pi");
    ck_same("e", "exp(1)");
    ck_same("\\sigma^2_1", "sigma_1^2");
    ck_same("σ₁²", "sigma_1^2");
    ck_same("σ²₁", "sigma_1^2");
    ck_same("a\u00A0b", "a*b"); /* no-break space */
    ck_same("\\displaystyle\\frac{a}{b}\\quad\\,", "a/b");
}
END_TEST

START_TEST(canonical_names)
{
    ck_vars("\\mu_q", "mu_q");
    ck_vars("\\sigma", "sigma");
    ck_vars("\\Sigma_{1} + \\Sigma_1", "Sigma_1");
    ck_vars("\\epsilon + \\varepsilon + ε", "epsilon varepsilon");
    ck_vars("mu_q + sigma1 + lik + prior", "mu_q sigma1 lik prior");
    ck_vars("\\sigma_{\\phi} \\mu_{\\text{post}}", "sigma_phi mu_post");
    ck_vars("\\boldsymbol{\\mu}^\\top\\mathbf{x}", "mu x");
    ck_vars("\\bar{x} - \\hat\\sigma", "xbar sigmahat");
    ck_vars("x_{ij} + x_{12}", "x_ij x_12");
    ck_vars("e^{\\pi} + pi - e", "");
    ck_vars("a + b + a", "a b");
    ck_vars("\\sum_{i=1}^{d} x_i y_i", "x y");
    ck_vars("x_i", "x_i"); /* outside a sum x_i is just a name */
    ck_vars("\\log\\sigma^2_1", "sigma_1");
    ck_vars("\\mathrm{lik} \\text{prior}", "lik prior");
}
END_TEST

/* The notations of the catalogue's exercises (kl-gauss-1d, kl-diag-sum,
 * kl-gauss-mv, optimal-posterior, kl-grad-reparam). */
START_TEST(exercise_notations)
{
    ck_same("\\log\\frac{\\sigma}{\\sigma_1} + \\frac{\\sigma_1^2 + (\\mu_q-\\mu_p)^2}{2\\sigma^2}"
            " - \\frac12",
            "log(sigma/sigma_1) + (sigma_1^2 + (mu_q - mu_p)^2)/(2*sigma^2) - 0.5");
    ck_same("\\frac{\\text{lik}\\cdot\\text{prior}}{\\sum_{k}\\text{lik}_k\\,\\text{prior}_k}",
            "lik*prior / sum(lik*prior)");
    ck_same("lik prior / (lik' prior)", "lik·prior/sum(lik·prior)");
    ck_same("\\frac{\\mathrm{lik}\\odot\\mathrm{prior}}{\\mathrm{lik}^\\top\\mathrm{prior}}",
            "lik ⊙ prior / sum(lik*prior)");
    ck_same("sum(A \\odot B)", "1.7*0.8 - 0.6*1.1 - 0.45*0.9 + 2.3*0.35");
    ck_differ("A \\odot B", "A B");
    ck_same("-1/sigma + (mu + sigma·t)·t", "(mu + sigma t) t - \\frac{1}{\\sigma}");
    ck_same("\\frac12\\left(\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_0) + (\\mu_1-\\mu_0)^\\top"
            "\\Sigma_1^{-1}(\\mu_1-\\mu_0) - k + \\log\\det\\Sigma_1 - \\log\\det\\Sigma_0\\right)",
            "0.5*(tr(S1^{-1} S0) + (m1-m0)' S1^{-1} (m1-m0) - k + log(det(S1)) - log(det(S0)))");
    vector_mode = 1;
    ck_same("\\frac{1}{2}\\sum_{j=1}^{J}\\left(\\mu_j^2+\\sigma_j^2-1-\\log\\sigma_j^2\\right)",
            "0.5*sum(mu^2 + sigma^2 - 1 - log(sigma^2))");
    ck_same("\\sum_i \\frac{1}{2}(\\mu_i^2+\\sigma_i^2-1) - \\sum_i\\log\\sigma_i",
            "0.5*(mu' mu + sigma' sigma - 3) - log(prod(sigma))");
    ck_differ("\\frac{1}{2}\\sum_{j}\\left(\\mu_j^2+\\sigma_j^2-1-\\log\\sigma_j\\right)",
              "0.5*sum(mu^2 + sigma^2 - 1 - log(sigma^2))");
    vector_mode = 0;
}
END_TEST

START_TEST(sums_and_products)
{
    ck_same("\\sum_{i=1}^{d} x_i y_i", "x' y");
    ck_same("\\sum_i x_i y_i", "sum(x y)");
    ck_same("\\sum_{i} x_{i}^2", "x^T x");
    ck_same("\\sum\\limits_{i=1}^d x_i", "sum(x)");
    ck_same("\\prod_{i=1}^{d} x_i", "prod(x)");
    ck_same("\\sum_{i=2}^{3} x_i", "sum(x) - \\sum_{i=1}^{1} x_i");
    ck_same("\\sum_{i=3}^{2} x_i", "0");
    ck_same("\\sum_{i=1}^{4} 1", "4");
    ck_same("\\sum_i x_i + 1", "sum(x) + 1");
    ck_same("\\sum_i \\sum_j x_i y_j", "sum(x) sum(y)");
    ck_same("\\frac12\\sum_{i=1}^{d}\\left(muv_i^2+sig_i^2-1-\\log sig_i^2\\right)",
            "0.5*sum(muv^2 + sig^2 - 1 - log(sig^2))");
    ck_same("\\sum_{j=1}^{n} z_j", "64 + 0.01*63*64/2");
    ck_differ("\\sum_i x_i y_i", "sum(x) sum(y)");
}
END_TEST

/* ---- Core: matrices --------------------------------------------------------- */

/* Determinant of a 3x3 matrix by cofactors: an independent route. */
static double det3(const double *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/* x_k with k free is the vector x; a sum over k still binds it. */
START_TEST(free_index)
{
    el_expr_error err;
    el_expr *e = el_expr_parse_free("lik_k prior_k / \\sum_k lik_k prior_k", "k", &err);
    ck_assert_msg(e != NULL, "%s", err.msg);
    el_expr *r = parse_ok("lik prior / sum(lik prior)");
    set_point(0);
    el_value a = { 0, 0, NULL }, b = { 0, 0, NULL };
    ck_assert_int_eq(el_expr_eval(e, lookup, NULL, &a, &err), EL_OK);
    ck_assert_int_eq(el_expr_eval(r, lookup, NULL, &b, &err), EL_OK);
    ck_assert(a.rows == 4 && values_close(&a, &b, 1e-12));
    el_value_free(&a);
    el_value_free(&b);
    el_expr_free(e);
    el_expr_free(r);
    e = el_expr_parse("lik_k", &err); /* without it, a name like any other */
    ck_assert_str_eq(el_expr_var(e, 0), "lik_k");
    el_expr_free(e);
}
END_TEST

/* Notations pasted from notebooks, PDFs and LaTeX homework (issue 10). */
START_TEST(pasted_notations)
{
    ck_same("½ a", "a/2");
    ck_same("⅓ + ¼ + ¾ + ⅔ + ⅛", "1/3 + 1/4 + 3/4 + 2/3 + 1/8");
    ck_same("½(mu^2 + sigma^2 - 1 - log(sigma^2))", "(mu^2 + sigma^2 - 1 - log(sigma^2))/2");
    ck_same("1⁄2 a", "a/2");
    ck_same("np.log(np.exp(a)) + numpy.exp(b) + math.sqrt(c^2) + torch.sum(x)",
            "a + exp(b) + abs(c) + sum(x)");
    ck_same("np.sum(lik*prior)", "sum(lik prior)");
    ck_same("np.square(a - b) + np.linalg.det(S0)", "(a - b)^2 + det(S0)");
    ck_same("\\sum_i \\mu_{0,i} y_{i}", "m0' y"); /* a comma in a subscript */
    ck_same("\\sum_{i=1}^{d} \\mu_{1, i}^2", "m1' m1");
    ck_same("\\frac{1}{2} a % the closed form", "a/2");
    ck_same("a % a comment\n + b", "a + b");
    ck_same("∑_i x_i y_i", "sum(x y)");
    ck_same("∑(x)", "sum(x)");
    ck_same("\\sum_z lik prior", "sum(lik prior)"); /* no element of a vector: all of them */
    ck_same("tr(diag(x))", "sum(x)");
    ck_same("x^T \\mathrm{diag}(y) x", "\\sum_i x_i^2 y_i");
    ck_same("det(diag(sig^2))", "prod(sig^2)");
    ck_same("sum(diag(S0))", "tr(S0)");
    ck_same("diag(a)", "a");
    set_point(0);
    eval_fails("diag(C)", EL_EDOM, 0, "diag needs a vector or a square matrix");
    ck_same("\\sum_z \\frac{lik}{prior} + 1", "sum(lik / prior) + 1");
    ck_same("∏_{i=1}^{d} x_i", "prod(x)");
    ck_same("\\sum(\\text{lik}\\cdot\\text{prior})", "sum(lik prior)");
    ck_same("\\frac{lik prior}{\\sum\\left(lik prior\\right)}", "lik prior / sum(lik prior)");
    ck_same("\\|x\\|^2", "x^T x");
    ck_same("\\lVert x\\rVert_2^2", "x^T x");
    ck_same("\\Vert x - y\\Vert_{2}", "sqrt((x - y)^T (x - y))");
    ck_same("‖x‖₂²", "x^T x");
    ck_same("‖x‖^2 + \\|y\\|^2", "x^T x + y^T y");
    ck_same("\\left\\|x\\right\\|", "sqrt(x^T x)");
    ck_differ("\\|x\\|", "x^T x");
}
END_TEST

START_TEST(matrix_identities)
{
    set_point(0);
    ck_assert_double_eq_tol(scalar_ok("det(S0)"), det3(mS0), 1e-13);
    ck_assert_double_eq_tol(scalar_ok("|S1|"), det3(mS1), 1e-13);
    ck_assert_double_eq_tol(scalar_ok("\\operatorname{tr}(S0)"), 2.1 + 1.4 + 0.9, 1e-14);
    ck_assert_double_eq_tol(scalar_ok("det(A)"), 1.7 * 2.3 + 0.6 * 0.45, 1e-14);
    ck_same("inv(S1) S1", "S1^0");
    ck_same("S1^{-1} S1", "S0 S0^{-1}");
    ck_same("\\Sigma_1^{-1}\\Sigma_1", "S1^2 S1^{-2}");
    ck_same("det(inv(S0)) det(S0)", "1");
    ck_same("tr(A B)", "tr(B A)");
    ck_same("(A B)^T", "B^T A^T");
    ck_same("(A B)'", "B' A'");
    ck_same("A^\\top", "A^{\\mathsf{T}}");
    ck_same("A^{T}", "Aᵀ");
    ck_same("A^3", "A A A");
    ck_same("A^{-2}", "inv(A) inv(A)");
    ck_same("A^{-T}", "inv(A)'");
    ck_same("A⁻¹", "inv(A)");
    ck_same("(C C')^{-1}", "inv(C C^T)");
    ck_same("det(A B)", "det(A) det(B)");
    ck_same("\\log|\\Sigma_1| - \\log|\\Sigma_0|", "log(det(S1)/det(S0))");
    /* KL between multivariate Gaussians, two notations */
    ck_same("\\frac12\\left(\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_0) + (\\mu_1-\\mu_0)^\\top"
            "\\Sigma_1^{-1}(\\mu_1-\\mu_0) - k + \\ln\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right)",
            "0.5*(tr(inv(S1)*S0) + (m1-m0)'*inv(S1)*(m1-m0) - 3 + log(det(S1)/det(S0)))");
    ck_differ("0.5*(tr(inv(S1)*S0) + (m1-m0)'*inv(S1)*(m1-m0) - 3 + log(det(S0)/det(S1)))",
              "0.5*(tr(inv(S1)*S0) + (m1-m0)'*inv(S1)*(m1-m0) - 3 + log(det(S1)/det(S0)))");
}
END_TEST

START_TEST(shapes_and_semantics)
{
    set_point(1);
    el_value v = eval_ok("x y"); /* two vectors: elementwise */
    ck_assert(v.rows == 3 && v.cols == 1 && v.v[1] == vx[1] * vy[1]);
    el_value_free(&v);
    v = eval_ok("x' y"); /* inner product: a scalar */
    ck_assert(v.rows == 1 && v.cols == 1);
    ck_assert_double_eq_tol(v.v[0], vx[0] * vy[0] + vx[1] * vy[1] + vx[2] * vy[2], 1e-14);
    el_value_free(&v);
    v = eval_ok("x y^T"); /* outer product */
    ck_assert(v.rows == 3 && v.cols == 3 && v.v[5] == vx[1] * vy[2]);
    el_value_free(&v);
    v = eval_ok("C x"); /* matrix times vector */
    ck_assert(v.rows == 2 && v.cols == 1);
    ck_assert_double_eq_tol(v.v[1], 4 * vx[0] + 5 * vx[1] + 6 * vx[2], 1e-14);
    el_value_free(&v);
    v = eval_ok("C^T");
    ck_assert(v.rows == 3 && v.cols == 2 && v.v[1] == 4 && v.v[2] == 2);
    el_value_free(&v);
    v = eval_ok("x'");
    ck_assert(v.rows == 1 && v.cols == 3 && v.v[2] == vx[2]);
    el_value_free(&v);
    ck_same("x + 1", "1 + x");
    ck_same("x/2", "0.5 x");
    ck_same("2/x", "2 x^{-1}");
    ck_same("x^2", "x x");
    ck_same("2^x", "exp(x log(2))");
    ck_same("C/2", "0.5*C");
    ck_same("sum(C)", "21");
    ck_same("prod(C)", "720");
    ck_same("abs(-x)", "abs(x)");
    ck_same("\\sqrt{x^2}", "abs(x)");
    ck_same("(m1-m0)' * inv(S1) * (m1-m0)", "(m_1 - m_0)^T S1^{-1} (m_1 - m_0)");
}
END_TEST

START_TEST(numerical_edge_values)
{
    set_point(0);
    ck_assert(isnan(scalar_ok("log(-1)")));
    ck_assert(isinf(scalar_ok("log(0)")));
    ck_assert(isnan(scalar_ok("0/0")));
    ck_assert(isinf(scalar_ok("1e308*1e308")));
    ck_assert(isnan(scalar_ok("sqrt(-a^2 - 1)")));
    el_value v = eval_ok("inv(S0 - S0)"); /* singular: NaN, not an error */
    ck_assert(v.rows == 3 && isnan(v.v[0]));
    el_value_free(&v);
    ck_assert_double_eq(scalar_ok("det(S0 - S0)"), 0.0);
}
END_TEST

/* Parse once, evaluate many times at changing values: no state leaks. */
START_TEST(parse_once_eval_many)
{
    el_expr *e = parse_ok("\\frac{1}{2}\\left(\\mu^2 + \\sigma^2 - 1 - \\log \\sigma^2\\right)"
                          " + \\sum_i x_i y_i + tr(A B)");
    for (int rep = 0; rep < 200; rep++) {
        set_point(rep % NPOINTS);
        el_value v;
        ck_assert_int_eq(el_expr_eval(e, lookup, NULL, &v, NULL), EL_OK);
        double want = 0.5 * (sc[0] * sc[0] + sc[1] * sc[1] - 1 - log(sc[1] * sc[1])) +
                      vx[0] * vy[0] + vx[1] * vy[1] + vx[2] * vy[2] +
                      (mA[0] * mB[0] + mA[1] * mB[2]) + (mA[2] * mB[1] + mA[3] * mB[3]);
        ck_assert_double_eq_tol(v.v[0], want, 1e-12);
        el_value_free(&v);
    }
    el_expr_free(e);
}
END_TEST

/* ---- Limits: errors ---------------------------------------------------------- */

START_TEST(parse_errors_name_position)
{
    parse_fails("(a+b", 5, "expected ')' to close the one at position 1, found the end");
    parse_fails("\\frac{1}{2", 11, "'}'");
    parse_fails("a + * b", 5, "expected a value, found '*'");
    parse_fails("\\mathbb{E}[x]", 1, "expectations cannot be graded: write the closed form");
    parse_fails("\\mathbb{E}_{q}\\left[\\log p\\right]", 1, "expectations cannot be graded");
    parse_fails("\\operatorname{E}[x]", 1, "expectations cannot be graded");
    parse_fails("\\int_0^1 x\\,dx", 1, "integrals cannot be graded");
    parse_fails("a = b", 3, "one expression");
    parse_fails("a + \\foo x", 5, "unknown LaTeX command '\\foo'");
    parse_fails("\\left( a \\right]", 10, "expected ')' to close the one at position 1");
    parse_fails("1 000", 3, "two numbers in a row");
    parse_fails("μ # σ", 3, "unexpected character '#'");
    parse_fails("a \xff b", 3, "not valid UTF-8");
    parse_fails("", 1, "empty");
    parse_fails("  \t ", 1, "empty");
    parse_fails("x^", 3, "expected an exponent");
    parse_fails("(a)_1", 4, "a subscript must follow a variable name");
    parse_fails("\\|x\\|_1", 7, "only the Euclidean norm");
    parse_fails("a % c\xcf\x83mment\n)", 13, "expected an operator"); /* characters, not bytes */
    parse_fails("\\|x + y", 8, "expected '\\|' to close the norm at position 1");
    parse_fails("x\\rVert", 2, "expected an operator");
    parse_fails("\\left. a \\right|", 1, "invisible delimiter");
    parse_fails("1e999", 1, "too large");
    parse_fails("a)", 2, "expected an operator or the end of the answer, found ')'");
    parse_fails("\\sum_i 1", 1, "uses no vector element");
    parse_fails("\\sum x_i", 6, "'_' and the index of the sum");
    parse_fails("\\sum_i\\sum_i x_i", 7, "already used");
    parse_fails("\\sum_a\\sum_b\\sum_c\\sum_d\\sum_f\\sum_g\\sum_h\\sum_j\\sum_k x_a", 49,
                "too many sums");
    parse_fails("\\sqrt{", 7, "expected a value");
    parse_fails("\\log", 5, "the function's argument");
    parse_fails("\\mathcal{N}(x;0,1)", 1, "cannot be graded");
    el_expr_error err;
    ck_assert_ptr_null(el_expr_parse(NULL, &err));
    ck_assert_ptr_null(el_expr_parse("(", NULL)); /* err may be NULL */
}
END_TEST

START_TEST(eval_errors)
{
    set_point(0);
    eval_fails("x + A", EL_EDOM, 3, "cannot add a 3x1 and a 2x2 value");
    eval_fails("A x", EL_EDOM, 3, "cannot multiply a 2x2 by a 3x1 value");
    eval_fails("x / C", EL_EDOM, 3, "cannot divide");
    eval_fails("|x|", EL_EDOM, 1, "sqrt(x^T x)");
    eval_fails("S0^{0.5}", EL_EDOM, 3, "whole-number exponent");
    eval_fails("A^x", EL_EDOM, 2, "must be a number");
    eval_fails("det(C)", EL_EDOM, 1, "det needs a square matrix, not 2x3");
    eval_fails("tr C", EL_EDOM, 1, "square");
    eval_fails("nope + 1", EL_ENOTFOUND, 1, "unknown variable 'nope'");
    eval_fails("\\sum_i x_i z_i", EL_EDOM, 1, "different lengths");
    eval_fails("\\sum_{i=1}^{4} x_i", EL_EDOM, 1, "runs to 4");
    eval_fails("\\sum_i C_i", EL_EDOM, 1, "not a vector");
    eval_fails("big + 1", EL_ELIMIT, 1, "larger than 64x64");
    eval_fails("\\sum_i\\sum_j\\sum_k\\sum_l\\sum_m z_i z_j z_k z_l z_m", EL_ELIMIT, 0,
               "too costly");
    el_value v;
    ck_assert_int_eq(el_expr_eval(NULL, lookup, NULL, &v, NULL), EL_EUSAGE);
    el_expr *e = parse_ok("a");
    ck_assert_int_eq(el_expr_eval(e, NULL, NULL, &v, NULL), EL_ENOTFOUND);
    el_expr_free(e);
    el_expr_free(NULL);
    el_value_free(NULL);
    ck_assert_uint_eq(el_expr_nvars(NULL), 0);
}
END_TEST

/* ---- Limits: hostile input ----------------------------------------------------- */

/* Parses (and, if that works, evaluates) text: must not crash, and a
 * failure must come with a message. Returns 1 if it parsed. */
static int survives(const char *text)
{
    el_expr_error err;
    el_expr *e = el_expr_parse(text, &err);
    if (!e) {
        ck_assert_msg(err.msg[0] != '\0', "no message for a failed parse");
        return 0;
    }
    el_value v;
    if (el_expr_eval(e, lookup, NULL, &v, &err) == EL_OK)
        el_value_free(&v);
    else
        ck_assert_msg(err.msg[0] != '\0', "no message for a failed evaluation");
    el_expr_free(e);
    return 1;
}

static char *repeat(const char *piece, size_t times, const char *middle, const char *tail,
                    size_t times2)
{
    size_t n = strlen(piece) * times + strlen(middle) + strlen(tail) * times2 + 1;
    char *s = malloc(n), *q = s;
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < times; i++)
        q += sprintf(q, "%s", piece);
    q += sprintf(q, "%s", middle);
    for (size_t i = 0; i < times2; i++)
        q += sprintf(q, "%s", tail);
    return s;
}

/* A hostile input built by repetition: piece x times, middle, tail x times2;
 * it must fail to parse with a message containing `msg` (NULL: any failure
 * of parsing or evaluation will do, as long as nothing crashes). */
typedef struct {
    const char *piece;
    size_t times;
    const char *middle, *tail;
    size_t times2;
    const char *msg;
} hostile;

START_TEST(hostile_nesting)
{
    static const hostile cases[] = {
        { "(", 2000, "a", ")", 2000, "nested too deeply" },
        { "\\frac", 800, "", "", 0, "nested too deeply" },
        { "\\sqrt", 800, "x", "", 0, "nested too deeply" },
        { "a^", 2000, "a", "", 0, "nested too deeply" },
        { "\\left(", 600, "", "", 0, "nested too deeply" },
        { "\\log", 800, "x", "", 0, "nested too deeply" },
        { "|", 4000, "", "", 0, "nested too deeply" },
        { "{", 3000, "", "}", 1000, "nested too deeply" },
        { "}", 3000, "", "", 0, NULL },
        { "\\left\\left", 100, "(", "", 0, NULL },
    };
    set_point(0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const hostile *h = &cases[i];
        char *s = repeat(h->piece, h->times, h->middle, h->tail, h->times2);
        if (h->msg)
            parse_fails(s, 0, h->msg);
        else
            ck_assert(!survives(s));
        free(s);
    }
    char *s = repeat("(", 60, "a", ")", 60); /* deep, but within the limit */
    ck_same(s, "a");
    free(s);
    s = repeat("-", 4000, "a", "", 0); /* signs are a loop, not a recursion */
    ck_same(s, "a");
    free(s);
}
END_TEST

START_TEST(hostile_size)
{
    char *s = repeat("x", 100000, "", "", 0);
    parse_fails(s, 0, "longer than 4096");
    free(s);
    s = repeat("a+", 2000, "a", "", 0); /* 4001 bytes, 4001 operations */
    parse_fails(s, 0, "too long");
    free(s);
    s = repeat("9", 4000, "", "", 0);
    parse_fails(s, 1, "number too long");
    free(s);
    s = repeat("\\mu", 1100, "", "", 0); /* 2199 operations */
    ck_assert(!survives(s));
    free(s);
    /* Every prefix of a long answer parses or fails cleanly. */
    const char *ans = "\\frac{1}{2}\\left(\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_0) + "
                      "(\\mu_1-\\mu_0)^\\top\\Sigma_1^{-1}(\\mu_1-\\mu_0) - k + "
                      "\\ln\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right) + \\sum_{i=1}^{d} x_i^2 "
                      "+ σ₁² · e^{-t} − \\sqrt[3]{a}";
    char buf[512];
    int parsed = 0;
    for (size_t n = 0; n <= strlen(ans); n++) {
        memcpy(buf, ans, n);
        buf[n] = '\0';
        parsed += survives(buf);
    }
    ck_assert_int_gt(parsed, 10);
    /* ... and so does the answer with any one byte removed. */
    for (size_t n = 0; n < strlen(ans); n++) {
        memcpy(buf, ans, n);
        strcpy(buf + n, ans + n + 1);
        survives(buf);
    }
}
END_TEST

START_TEST(hostile_values)
{
    set_point(0);
    ck_assert(survives("A^{999999}"));
    eval_fails("A^{1e7}", EL_EDOM, 2, "whole-number exponent");
    ck_assert(survives("S0^{-999999}"));
    ck_assert(isinf(scalar_ok("10^400")));
    ck_assert(survives("\\sum_{i=1}^{1000000} 1"));
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, kl_std_normal_notations);
    tcase_add_test(core, kl_equal_variance_notations);
    tcase_add_test(core, gauss_log_density_notations);
    tcase_add_test(core, function_binding);
    tcase_add_test(core, operators_and_precedence);
    tcase_add_test(core, canonical_names);
    tcase_add_test(core, exercise_notations);
    tcase_add_test(core, sums_and_products);
    tcase_add_test(core, pasted_notations);
    tcase_add_test(core, free_index);
    tcase_add_test(core, matrix_identities);
    tcase_add_test(core, shapes_and_semantics);
    tcase_add_test(core, numerical_edge_values);
    tcase_add_test(core, parse_once_eval_many);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, parse_errors_name_position);
    tcase_add_test(lim, eval_errors);
    tcase_add_test(lim, hostile_nesting);
    tcase_add_test(lim, hostile_size);
    tcase_add_test(lim, hostile_values);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(expr_suite)
