/* bench_grade.c -- the autograder at class scale: 1000 submissions of the
 * full problem set (half correct in assorted notations, half with typical
 * mistakes that the grader has to diagnose) written to a folder and graded
 * by `elbolab grade --batch` with 2 threads.  Prints submissions per second
 * (wall clock, best of REPS).  The target: a class of 1000 in under 2 s on
 * 2 cores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/el_core.h"
#include "grade/el_grade.h"

#define STUDENTS 1000
#define JOBS     2
#define REPS     3

static const char *const good[2] = {
    "[kl-self]\nanswer = 0\n[kl-properties]\nanswer = 1, 2, 3, 4, 5, 6, 7\n"
    "[kl-equal-variance]\nanswer = (mu_q - mu_p)^2 / (2 sigma^2)\n"
    "[kl-gauss-1d]\nanswer = log(sigma2/sigma1) + (sigma1^2 + (mu1 - mu2)^2)/(2 sigma2^2) - 1/2\n"
    "[kl-std-normal]\nanswer = 1/2 (mu^2 + sigma^2 - 1 - log(sigma^2))\n"
    "[kl-diag-sum]\nanswer = 1/2 sum(mu^2 + sigma^2 - 1 - log(sigma^2))\n"
    "[kl-gauss-mv]\nanswer = 1/2 (tr(inv(Sigma1) Sigma0) + (mu1 - mu0)' inv(Sigma1) (mu1 - mu0) - "
    "d + log(det(Sigma1)/det(Sigma0)))\n"
    "[optimal-posterior]\nanswer = lik prior / sum(lik prior)\n"
    "[optimal-posterior-choice]\nanswer = 3\n[elbo-name]\nanswer = evidence lower bound\n"
    "[elbo-tight]\nanswer = 1\n[tf-reverse-kl-covers-modes]\nanswer = false\n"
    "[tf-reparam-gradient]\nanswer = true\n[tf-posterior-easy]\nanswer = "
    "F\n[tf-beta-correlated]\nanswer = F\n"
    "[incl-excl-fit]\ninclusive_mu = 0.3333\ninclusive_sigma = 1.3744\nexclusive_mu = "
    "0.3219\nexclusive_sigma = 1.3533\n"
    "[kl-grad-reparam]\ndmu = z\ndsigma = -1/sigma + z eps\n"
    "[em-free-energy-after-e-step]\nanswer = 1\n[forward-kl-objective]\nanswer = 1\n",
    "[kl-self]\nanswer = $0$\n[kl-properties]\nanswer = non-negative, zero iff equal, not "
    "symmetric, "
    "no triangle inequality, jointly convex, additive, invariant\n"
    "[kl-equal-variance]\nanswer = \\frac{(\\mu_q-\\mu_p)^2}{2\\sigma^2}\n"
    "[kl-gauss-1d]\nanswer = \\log\\frac{\\sigma_2}{\\sigma_1} + \\frac{\\sigma_1^2 + "
    "(\\mu_1-\\mu_2)^2}{2\\sigma_2^2} - \\frac{1}{2}\n"
    "[kl-std-normal]\nanswer = \\frac{1}{2}\\left(\\mu^2 + \\sigma^2 - 1 - \\log "
    "\\sigma^2\\right)\n"
    "[kl-diag-sum]\nanswer = \\frac12 \\sum_{i=1}^{d} (\\mu_i^2 + \\sigma_i^2 - 1 - "
    "\\log\\sigma_i^2)\n"
    "[kl-gauss-mv]\nanswer = \\frac{1}{2}\\left[\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_0) + "
    "(\\mu_1-\\mu_0)^\\top\\Sigma_1^{-1}(\\mu_1-\\mu_0) - d + "
    "\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right]\n"
    "[optimal-posterior]\nanswer = \\frac{lik \\cdot prior}{\\sum_k lik_k prior_k}\n"
    "[optimal-posterior-choice]\nanswer = p(z|x)\n[elbo-name]\nanswer = Evidence Lower Bound\n"
    "[elbo-tight]\nanswer = when q(z|x) = p(z|x)\n[tf-reverse-kl-covers-modes]\nanswer = False\n"
    "[tf-reparam-gradient]\nanswer = T\n[tf-posterior-easy]\nanswer = "
    "false\n[tf-beta-correlated]\nanswer = no\n"
    "[incl-excl-fit]\ninclusive_mu = 1/3\ninclusive_sigma = sqrt(17)/3\nexclusive_mu = "
    "0.322\nexclusive_sigma = 1.353\n"
    "[kl-grad-reparam]\ndmu = \\mu + \\sigma\\epsilon\ndsigma = -\\frac{1}{\\sigma} + "
    "(\\mu+\\sigma\\epsilon)\\epsilon\n"
    "[em-free-energy-after-e-step]\nanswer = log p(x; theta)\n[forward-kl-objective]\nanswer = 1\n",
};

static const char *const wrong =
    "[kl-self]\nanswer = 1\n[kl-properties]\nanswer = 1, 3, 8\n"
    "[kl-equal-variance]\nanswer = (mu_q - mu_p)^2 / (2 sigma)\n"
    "[kl-gauss-1d]\nanswer = log(sigma1/sigma2) + (sigma2^2 + (mu1 - mu2)^2)/(2 sigma1^2) - 1/2\n"
    "[kl-std-normal]\nanswer = 1/2 (1 + log(sigma^2) - mu^2 - sigma^2)\n"
    "[kl-diag-sum]\nanswer = 1/2 (mu^2 + sigma^2 - 1 - log(sigma^2))\n"
    "[kl-gauss-mv]\nanswer = 1/2 (tr(inv(Sigma0) Sigma1) + (mu1 - mu0)' inv(Sigma0) (mu1 - mu0) - "
    "d + log(det(Sigma1)/det(Sigma0)))\n"
    "[optimal-posterior]\nanswer = lik prior\n"
    "[optimal-posterior-choice]\nanswer = prior\n[elbo-name]\nanswer = empirical lower bound\n"
    "[elbo-tight]\nanswer = never\n[tf-reverse-kl-covers-modes]\nanswer = true\n"
    "[tf-reparam-gradient]\nanswer = false\n[tf-posterior-easy]\nanswer = "
    "T\n[tf-beta-correlated]\nanswer = yes\n"
    "[incl-excl-fit]\ninclusive_mu = 0\ninclusive_sigma = 1.889\nexclusive_mu = "
    "0.3333\nexclusive_sigma = 1\n"
    "[kl-grad-reparam]\ndmu = -z\ndsigma = z eps\n"
    "[em-free-energy-after-e-step]\nanswer = 0\n[forward-kl-objective]\nanswer = 2\n"
    "[kl-foo]\nanswer = (\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    int st;
    el_grade_book *c = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    const el_grade_exercise_set *all = c ? el_grade_book_set(c, "all") : NULL;
    char dir[] = "/tmp/elbolab-bench-XXXXXX";
    if (!all || !mkdtemp(dir)) {
        fprintf(stderr, "bench_grade: %s\n", c ? "cannot make a folder" : el_errmsg());
        return EXIT_FAILURE;
    }
    for (int i = 0; i < STUDENTS; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/s%04d.txt", dir, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return EXIT_FAILURE;
        fputs(i % 2 ? wrong : good[(i / 2) % 2], f);
        fclose(f);
    }
    double best = 1e300, total = 0;
    for (int k = 0; k < REPS; k++) {
        el_grade_batch b;
        double t0 = now();
        if (el_grade_folder(c, all, dir, NULL, JOBS, &b) != EL_OK)
            return EXIT_FAILURE;
        double dt = now() - t0;
        best = dt < best ? dt : best;
        total = 0;
        for (size_t i = 0; i < b.n; i++)
            total += b.rows[i].score;
        el_grade_batch_free(&b);
    }
    printf("grade: %d submissions of the full set (%zu exercises), %d threads: %.3f s, "
           "%.0f submissions/s (mean score %.2f of %g)\n",
           STUDENTS, all->n, JOBS, best, STUDENTS / best, total / STUDENTS,
           all->ex[0] ? 35.0 : 0.0);
    if (getenv("BENCH_KEEP")) {
        printf("kept %s\n", dir);
        el_grade_book_free(c);
        return EXIT_SUCCESS;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return EXIT_FAILURE;
    el_grade_book_free(c);
    return EXIT_SUCCESS;
}
