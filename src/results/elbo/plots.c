/* plots.c -- figures for the elbo.* checks: the decomposition of log p(x)
 * as q moves, the gap against KL(q||p(z|x)), the gap vanishing at the
 * posterior, the numerical maximiser, and IWAE_k against k. */
#include "plot/el_plot.h"
#include "results/elbo/elbo_topic.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

/* ---- elbo-gap: log p(x), ELBO(q) and KL(q||p(z|x)) as q moves ------------- */

#define GAP_N 121

/* Fills the columns for q = N(mu, sigma^2) along a sweep: column 0 the swept
 * parameter, 1 ELBO, 2 KL to the posterior, 3 log p(x). */
static int gap_sweep(const el_lg1 *m, int sweep_sigma, double *cols[4])
{
    double pm, ps, lp = el_lg1_log_evidence(m);
    el_lg1_posterior(m, &pm, &ps);
    for (int i = 0; i < GAP_N; i++) {
        double u = (double)i / (GAP_N - 1);
        double mu = sweep_sigma ? pm : pm - 2.5 + 5.0 * u;
        double sg = sweep_sigma ? ps * pow(10.0, -1.0 + 2.0 * u) : ps;
        el_elbo_terms e;
        double kl;
        int s = el_lg1_elbo(m, mu, sg, &e);
        if (!s)
            s = el_lg1_kl_posterior(m, mu, sg, &kl);
        if (s)
            return s;
        cols[0][i] = sweep_sigma ? sg : mu;
        cols[1][i] = e.elbo;
        cols[2][i] = kl;
        cols[3][i] = lp;
    }
    return EL_OK;
}

/* One panel: the sweep in data block BLOCK, a dotted vertical line at X0
 * named LABEL in the key (a label on the plot would be crossed by a curve). */
static void gap_panel(FILE *f, const char *block, double x0, const char *label)
{
    fprintf(f, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead dt 3 lc rgb '#555555'\n",
            x0, x0);
    fprintf(f,
            "plot $%s u 1:4 w l ls 8 t 'log p(x)', "
            "$%s u 1:2 w l ls 1 t 'ELBO(q)', "
            "$%s u 1:3 w l ls 2 t 'gap = KL(q || p(z|x))', "
            "1/0 w l dt 3 lc rgb '#555555' t '%s'\n",
            block, block, block, label);
}

int el_elbo_fig_gap(FILE *f, const el_plot_opts *o)
{
    (void)o;
    el_lg1 m = el_elbo_lg1_example();
    double pm, ps, a[4][GAP_N], b[4][GAP_N];
    double *ca[4] = { a[0], a[1], a[2], a[3] }, *cb[4] = { b[0], b[1], b[2], b[3] };
    el_lg1_posterior(&m, &pm, &ps);
    int s = gap_sweep(&m, 0, ca);
    if (!s)
        s = gap_sweep(&m, 1, cb);
    if (s)
        return s;
    el_plot_block(f, "mean", GAP_N, 4, (const double *const *)ca);
    el_plot_block(f, "scale", GAP_N, 4, (const double *const *)cb);
    fprintf(f,
            "set multiplot layout 1,2 title 'log p(x) = ELBO(q) + KL(q || p(z|x)):  "
            "z ∼ N(0,1),  x | z ∼ N(%.2g z %+.2g, %.2g^2),  x = %.2g' font ',13'\n",
            m.a, m.b, m.noise, m.x);
    fputs("set ylabel 'nats'\nset yrange [-6:3]\nset autoscale xfix\n"
          "set key at graph 0.03, graph 0.64 left top spacing 1.3\n",
          f);
    fprintf(f, "set xlabel 'mean of q   (q = N(m, s_{post}^2), s_{post} = %.3g)'\n", ps);
    gap_panel(f, "mean", pm, "posterior mean m_{post}");
    fputs("set logscale x\n", f);
    fprintf(f, "set xlabel 'standard deviation of q   (q = N(m_{post}, s^2), m_{post} = %.3g)'\n",
            pm);
    gap_panel(f, "scale", ps, "posterior s.d. s_{post}");
    fputs("unset multiplot\n", f);
    return EL_OK;
}

/* ---- elbo-jensen: the gap log p(x) - ELBO against KL(q||p(z|x)) ----------- */

#define JENSEN_N 150

int el_elbo_fig_jensen(FILE *f, const el_plot_opts *o)
{
    enum { K = EL_DLM_EXAMPLE_K };
    double pi[K], l[K], post[K], q[K], lp, c[3][JENSEN_N];
    double *cols[3] = { c[0], c[1], c[2] };
    el_elbo_dlm_example(pi, l);
    int s = el_dlm_log_evidence(K, pi, l, &lp);
    if (!s)
        s = el_dlm_posterior(K, pi, l, post);
    gsl_rng *r = s ? NULL : el_rng_alloc(el_seed_mix(o->seed, "elbo-jensen"));
    if (!s && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (int i = 0; i < JENSEN_N && !s; i++) {
        el_elbo_terms e;
        s = el_dirichlet_sample(r, K, 1.0, q);
        if (!s)
            s = el_dlm_elbo(K, pi, l, q, &e);
        if (!s)
            s = el_kl_discrete(K, q, post, &c[0][i]);
        if (!s)
            s = el_kl_discrete(K, post, q, &c[2][i]);
        c[1][i] = lp - e.elbo;
    }
    el_rng_free(r);
    if (s)
        return s;
    el_plot_block(f, "q", JENSEN_N, 3, (const double *const *)cols);
    fprintf(f, "set title 'Jensen gap log p(x) - ELBO(q) for %d random q (K = %d states)'\n",
            JENSEN_N, K);
    fputs("set xlabel 'KL divergence between q and p(z|x)'\nset ylabel 'log p(x) - ELBO(q)'\n"
          "set key outside right center box opaque spacing 1.4\nset size ratio -1\n"
          "set xrange [0:*]\n"
          "set yrange [0:*]\n"
          "plot x w l ls 6 t 'y = x', "
          "$q u 1:2 w p ls 1 t 'x = KL(q || p(z|x))', "
          "$q u 3:2 w p ls 2 pt 6 t 'x = KL(p(z|x) || q): the mistake'\n",
          f);
    return EL_OK;
}

/* ---- elbo-tight: the gap vanishes quadratically at the posterior ---------- */

#define TIGHT_N 41

int el_elbo_fig_tight(FILE *f, const el_plot_opts *o)
{
    (void)o;
    double x[3], pmu[4], pS[4], c[3][TIGHT_N];
    double *cols[3] = { c[0], c[1], c[2] };
    int s;
    el_lgm *m = el_elbo_lgm_example(x, &s);
    if (!m)
        return s;
    el_lgm_posterior(m, x, pmu, pS);
    double lp = el_lgm_log_evidence(m, x);
    for (int i = 0; i < TIGHT_N && !s; i++) {
        double eps = pow(10.0, -4.0 + 4.5 * i / (TIGHT_N - 1.0)), mu[2], S[4];
        el_elbo_terms e1, e2;
        memcpy(mu, pmu, sizeof mu);
        memcpy(S, pS, sizeof S);
        mu[0] += eps;
        s = el_lgm_elbo(m, x, mu, pS, &e1);
        for (int j = 0; j < 4; j++)
            S[j] *= 1.0 + eps;
        if (!s)
            s = el_lgm_elbo(m, x, pmu, S, &e2);
        c[0][i] = eps;
        c[1][i] = lp - e1.elbo;
        c[2][i] = lp - e2.elbo;
    }
    el_lgm_free(m);
    if (s)
        return s;
    el_plot_block(f, "eps", TIGHT_N, 3, (const double *const *)cols);
    fputs("set title 'The bound is tight only at the posterior: the gap grows like eps^2 "
          "(k = 2, d = 3 conjugate model)'\n"
          "set logscale xy\nset format y '10^{%L}'\nset format x '10^{%L}'\n"
          "set xlabel 'perturbation eps of q away from p(z|x)'\n"
          "set ylabel 'gap  log p(x) - ELBO(q)'\nset key top left\nset autoscale xfix\n"
          "plot $eps u 1:2 w lp ls 1 t 'mean shifted: m_1 + eps', "
          "$eps u 1:3 w lp ls 2 t 'covariance scaled: (1 + eps) {/Symbol S}_{post}', "
          "$eps u 1:($1*$1) w l ls 6 t 'reference slope 2: eps^2'\n",
          f);
    return EL_OK;
}

/* ---- elbo-optimal: the numerical maximiser is the posterior ---------------- */

int el_elbo_fig_optimal(FILE *f, const el_plot_opts *o)
{
    (void)o;
    enum { K = EL_DLM_EXAMPLE_K };
    double pi[K], l[K], post[K], lik[K], qhat[K], idx[K], fmax, lp, sum = 0.0;
    el_elbo_dlm_example(pi, l);
    int s = el_dlm_log_evidence(K, pi, l, &lp);
    if (!s)
        s = el_dlm_posterior(K, pi, l, post);
    if (!s)
        s = el_dlm_maximise(K, pi, l, NULL, qhat, &fmax);
    if (s)
        return s;
    for (int z = 0; z < K; z++)
        sum += exp(l[z]);
    for (int z = 0; z < K; z++) {
        lik[z] = exp(l[z]) / sum;
        idx[z] = z;
    }
    const double *cols[5] = { idx, pi, lik, post, qhat };
    el_plot_block(f, "q", K, 5, cols);
    fprintf(f,
            "set title \"argmax_q  {/Symbol S}_z q(z) log p(x|z) - KL(q || p(z)) over the "
            "simplex (BFGS on softmax logits)\\nmaximum %.10f = log p(x) = %.10f\"\n",
            fmax, lp);
    fputs("set style data histogram\nset style histogram clustered gap 1\n"
          "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
          "set xlabel 'latent state z'\nset ylabel 'probability'\nset yrange [0:0.5]\n"
          "set key top left\nset xtics 1\n"
          "plot $q u 2:xtic(1) lc rgb '#bbbbbb' t 'prior p(z)', "
          "'' u 3 lc rgb '#ff7f0e' t 'normalised likelihood', "
          "'' u 4 lc rgb '#1f77b4' t 'posterior p(z|x) (closed form)', "
          "'' u ($0+0.225):5 w p ls 2 pt 7 ps 1.6 t 'numerical maximiser q*'\n",
          f);
    return EL_OK;
}

/* ---- elbo-iwae: L_k against k -------------------------------------------- */

#define IWAE_REPS    3000
#define IWAE_Q_MU    EL_ELBO_IWAE_Q_MU
#define IWAE_Q_SIGMA EL_ELBO_IWAE_Q_SIGMA

int el_elbo_fig_iwae(FILE *f, const el_plot_opts *o)
{
    static const size_t ks[] = { 1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000 };
    enum { NK = sizeof ks / sizeof ks[0] };
    el_lg1 m = el_elbo_lg1_example();
    double c[4][NK], lp = el_lg1_log_evidence(&m);
    double chi2 = el_lg1_chi2(&m, IWAE_Q_MU, IWAE_Q_SIGMA);
    double *cols[4] = { c[0], c[1], c[2], c[3] };
    el_elbo_terms e;
    int s = el_lg1_elbo(&m, IWAE_Q_MU, IWAE_Q_SIGMA, &e);
    gsl_rng *r = s ? NULL : el_rng_alloc(el_seed_mix(o->seed, "elbo-iwae"));
    if (!s && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (int i = 0; i < NK && !s; i++) {
        el_estimate est;
        s = el_lg1_iwae_mc(&m, IWAE_Q_MU, IWAE_Q_SIGMA, ks[i], IWAE_REPS, r, &est);
        c[0][i] = (double)ks[i];
        c[1][i] = est.value;
        c[2][i] = est.se;
        c[3][i] = lp - chi2 / (2.0 * (double)ks[i]);
    }
    el_rng_free(r);
    if (s)
        return s;
    el_plot_block(f, "iwae", NK, 4, (const double *const *)cols);
    fprintf(f,
            "set title \"Importance-weighted bound L_k = E log (1/k) {/Symbol S}_i w_i,  "
            "q = N(%.2g, %.2g^2), %d bounds per k (error bars: 1 se)\"\n",
            IWAE_Q_MU, IWAE_Q_SIGMA, IWAE_REPS);
    fputs("set logscale x\nset xlabel 'number of samples k'\nset ylabel 'nats'\n"
          "set key right center\nset xrange [0.8:1300]\n",
          f);
    fprintf(f, "set yrange [%.10g:%.10g]\n", e.elbo - 0.15, lp + 0.1);
    fprintf(f,
            "plot %.17g w l ls 8 t 'log p(x)', "
            "%.17g w l ls 5 t 'ELBO = L_1', "
            "$iwae u 1:($1 >= 5 ? $4 : NaN) w l ls 3 t 'large-k asymptote log p(x) - {/Symbol "
            "c}^2/(2k)', "
            "$iwae u 1:2:3 w yerrorlines ls 1 t 'L_k (Monte Carlo)'\n",
            lp, e.elbo);
    return EL_OK;
}
