/* bench_derive.c -- the cost of checking one student write-up with ten
 * derivations (goal: under 0.5 s), best of REPS, per context and in total. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/el_core.h"
#include "derive/el_derive.h"

#define REPS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Ten displays, the homework's derivations across the six contexts. */
static const char writeup[] =
    "\\documentclass{article}\\begin{document}\n"
    "% elbolab: context discrete\n"
    "\\begin{align*}\n"
    "\\log p(x) &= \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)} \\\\\n"
    "&\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)} \\\\\n"
    "&= \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n"
    "\\end{align*}\n"
    "\\begin{align*}\n"
    "\\log p(x) &= \\sum_z q(z|x) \\log \\frac{p(x,z)}{p(z|x)} \\\\\n"
    "&= \\mathrm{ELBO} + \\mathrm{KL}(q(z|x) \\| p(z|x))\n"
    "\\end{align*}\n"
    "\\begin{align*}\n"
    "\\mathbb{E}_q[\\log p(x,z)] + H(q) &= \\log p(x) - \\mathrm{KL}(q \\| p(z|x))\n"
    "\\end{align*}\n"
    "% elbolab: context gauss\n"
    "\\begin{align*}\n"
    "\\mathrm{KL}(q \\| p) &= \\mathbb{E}_q[\\log q(z|x) - \\log p(z)] \\\\\n"
    "&= \\log\\frac{\\sigma_p}{\\sigma_q} + \\frac{\\sigma_q^2 + (\\mu_q - "
    "\\mu_p)^2}{2\\sigma_p^2} - \\frac12\n"
    "\\end{align*}\n"
    "\\begin{align*}\n"
    "\\mathbb{E}_{q}[\\log p(x|z)] - \\mathrm{KL}(q \\| p(z)) &= \\log p(x) - \\mathrm{KL}(q \\| "
    "p(z|x))\n"
    "\\end{align*}\n"
    "\\begin{align*}\n"
    "\\mathrm{KL}(p(z|x) \\| q(z|x)) &= \\int p(z|x) \\log \\frac{p(z|x)}{q(z|x)} \\, dz \\\\\n"
    "&= -H(p(z|x)) - \\mathbb{E}_{p(z|x)}[\\log q(z|x)]\n"
    "\\end{align*}\n"
    "% elbolab: context distributions\n"
    "\\begin{align*}\n"
    "\\mathrm{KL}(p \\| q) &= -\\sum_x p(x) \\log \\frac{q(x)}{p(x)} \\geq -\\log \\sum_x q(x) = "
    "0\n"
    "\\end{align*}\n"
    "% elbolab: context gauss-mv\n"
    "\\begin{align*}\n"
    "\\mathrm{KL}(N_0 \\| N_1) &= \\frac{1}{2}\\left[\\mathrm{tr}(\\Sigma_1^{-1}\\Sigma_0) + "
    "(\\mu_1-\\mu_0)^T \\Sigma_1^{-1} (\\mu_1-\\mu_0) - d + "
    "\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right]\n"
    "\\end{align*}\n"
    "% elbolab: context diag\n"
    "\\begin{align*}\n"
    "\\mathrm{KL}(q \\| p) &= \\sum_{i=1}^{D} \\mathrm{KL}(q_i \\| p_i)\n"
    "\\end{align*}\n"
    "% elbolab: context gmvae\n"
    "\\begin{align*}\n"
    "\\mathrm{ELBO} &= \\mathbb{E}_{q(w|x)}[\\log p(x|w)] - "
    "\\mathbb{E}_{q(w|x)}[\\mathrm{KL}(q(z|w,x) "
    "\\| p(z))] - \\mathbb{E}_{q(w|x)}\\left[\\sum_z q(z|w,x) \\log "
    "\\frac{q(w|x)}{p(w|z)}\\right]\n"
    "\\end{align*}\n"
    "\\end{document}\n";

int main(void)
{
    el_derive_opts o = { .seed = 1 };
    double best = 1e300;
    size_t n = 0, valid = 0;
    for (int k = 0; k < REPS; k++) {
        el_derive_report rep;
        double t0 = now();
        if (el_derive_check(writeup, "bench.tex", &o, &rep)) {
            fprintf(stderr, "bench_derive: %s\n", el_errmsg());
            return EXIT_FAILURE;
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
        n = rep.n;
        valid = 0;
        for (size_t i = 0; i < rep.n; i++)
            valid += (size_t)rep.d[i].valid;
        el_derive_report_free(&rep);
    }
    printf("one write-up, %zu derivations (%zu valid), 8 instances: best of %d %.1f ms "
           "(goal < 500 ms)\n",
           n, valid, REPS, 1e3 * best);
    return valid == n && n == 10 ? EXIT_SUCCESS : EXIT_FAILURE;
}
