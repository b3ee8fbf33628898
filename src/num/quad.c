/* quad.c -- adaptive quadrature over GSL's QAGS / QAGI family. */
#include "num/el_num.h"
#include "core/el_core.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>

#define QUAD_LIMIT  2000
#define QUAD_EPSREL 1e-11

typedef struct {
    el_fn1 f;
    void *params;
    int nonfinite; /* set when the integrand returned NaN/inf */
} guard1;

static double guarded(double x, void *p)
{
    guard1 *g = p;
    double y = g->f(x, g->params);
    if (!isfinite(y)) {
        g->nonfinite = 1;
        return 0.0;
    }
    return y;
}

/* Integrates with workspace W; picks the GSL routine from the range's ends. */
static int quad_ws(el_fn1 f, void *params, double a, double b, gsl_integration_workspace *w,
                   el_quad_result *out)
{
    guard1 g = { f, params, 0 };
    gsl_function F = { guarded, &g };
    double v = 0.0, e = 0.0;
    int s;
    if (isinf(a) && isinf(b) && a < 0 && b > 0)
        s = gsl_integration_qagi(&F, 0.0, QUAD_EPSREL, QUAD_LIMIT, w, &v, &e);
    else if (isinf(b) && b > 0)
        s = gsl_integration_qagiu(&F, a, 0.0, QUAD_EPSREL, QUAD_LIMIT, w, &v, &e);
    else if (isinf(a) && a < 0)
        s = gsl_integration_qagil(&F, b, 0.0, QUAD_EPSREL, QUAD_LIMIT, w, &v, &e);
    else if (isfinite(a) && isfinite(b))
        s = gsl_integration_qags(&F, a, b, 0.0, QUAD_EPSREL, QUAD_LIMIT, w, &v, &e);
    else
        return EL_ERROR(EL_EDOM, "quadrature: bad range (%g, %g)", a, b);
    if (g.nonfinite)
        return EL_ERROR(EL_ENUM, "quadrature: the integrand is not finite on (%g, %g)", a, b);
    /* a round-off warning still comes with an honest error estimate */
    if (s != GSL_SUCCESS && s != GSL_EROUND)
        return el_from_gsl(s, "quadrature");
    out->value = v;
    out->abserr = e;
    return EL_OK;
}

int el_quad_1d(el_fn1 f, void *params, double a, double b, el_quad_result *out)
{
    el_gsl_init();
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (!w)
        return EL_ERROR(EL_ENOMEM, "quadrature: out of memory");
    int s = quad_ws(f, params, a, b, w, out);
    gsl_integration_workspace_free(w);
    return s;
}

/* ---- 2-D: the outer integrand is itself an inner 1-D integral ---------- */

typedef struct {
    el_fn2 f;
    void *params;
    double x; /* current outer abscissa */
    double ay, by;
    gsl_integration_workspace *w; /* inner workspace */
    int status;                   /* first inner failure */
    int want_err;                 /* outer integrand returns the inner abserr */
} nest2;

static double inner_y(double y, void *p)
{
    nest2 *n = p;
    return n->f(n->x, y, n->params);
}

static double outer_x(double x, void *p)
{
    nest2 *n = p;
    el_quad_result r = { 0.0, 0.0 };
    n->x = x;
    int s = quad_ws(inner_y, n, n->ay, n->by, n->w, &r);
    if (s != EL_OK && n->status == EL_OK)
        n->status = s;
    return n->want_err ? r.abserr : r.value;
}

int el_quad_2d(el_fn2 f, void *params, double ax, double bx, double ay, double by,
               el_quad_result *out)
{
    el_gsl_init();
    nest2 n = { f, params, 0.0, ay, by, NULL, EL_OK, 0 };
    gsl_integration_workspace *wo = gsl_integration_workspace_alloc(QUAD_LIMIT);
    n.w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    int s = (wo && n.w) ? EL_OK : EL_ERROR(EL_ENOMEM, "quadrature: out of memory");
    el_quad_result val = { 0, 0 }, err = { 0, 0 };
    if (s == EL_OK)
        s = quad_ws(outer_x, &n, ax, bx, wo, &val);
    if (s == EL_OK && n.status == EL_OK) {
        /* second pass: the integral of the inner error estimates */
        n.want_err = 1;
        s = quad_ws(outer_x, &n, ax, bx, wo, &err);
    }
    if (s == EL_OK)
        s = n.status;
    if (s == EL_OK) {
        out->value = val.value;
        out->abserr = val.abserr + fabs(err.value) + err.abserr;
    }
    if (wo)
        gsl_integration_workspace_free(wo);
    if (n.w)
        gsl_integration_workspace_free(n.w);
    return s;
}
