/* check_grade.c -- the autograder: correct answers in many notations score
 * full marks, typical mistakes score 0 with the right diagnosis, partial
 * credit, hostile files, reports, class batches and Gradescope. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "check_grade_fixture.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

static el_grade_book *book;
static const el_grade_exercise_set *all;

static void load(void)
{
    int st;
    book = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    ck_assert_msg(book != NULL, "exercises: %s", el_errmsg());
    all = el_grade_book_set(book, "all");
    ck_assert_ptr_nonnull(all);
}

static void unload(void)
{
    el_grade_book_free(book);
}

/* ---- helpers ------------------------------------------------------------------ */

/* Grades TEXT (named NAME) for STUDENT against the set "all". */
static void grade(const char *text, size_t len, const char *name, const char *student,
                  el_grade_report *r)
{
    el_grade_answers a;
    ck_assert_int_eq(el_grade_answers_parse(text, len, name, &a), EL_OK);
    ck_assert_int_eq(el_grade_score(book, all, &a, student, name, r), EL_OK);
    el_grade_answers_free(&a);
}

static const el_grade_exercise_result *result_of(const el_grade_report *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->ex[i].ex->id, id))
            return &r->ex[i];
    ck_abort_msg("no result for %s", id);
    return NULL;
}

/* Grades "[ID]\nKEY = ANSWER\n" and returns the score of exercise ID as a
 * fraction of its points; FEEDBACK gets part 0's feedback (may be NULL). */
static double score_one(const char *id, const char *key, const char *answer, char *feedback,
                        size_t n)
{
    char *text = malloc(strlen(id) + strlen(key) + strlen(answer) + 16);
    sprintf(text, "[%s]\n%s = %s\n", id, key, answer);
    el_grade_report r;
    grade(text, strlen(text), "t.txt", NULL, &r);
    const el_grade_exercise_result *e = result_of(&r, id);
    double f = e->score / e->max;
    if (feedback) {
        const char *fb = "";
        for (size_t j = 0; j < e->nparts && !*fb; j++)
            if (e->parts[j].feedback && e->parts[j].status != EL_GRADE_MISSING)
                fb = e->parts[j].feedback;
        snprintf(feedback, n, "%s", fb);
    }
    el_grade_report_free(&r);
    free(text);
    return f;
}

/* A temporary folder (removed by rm_tree). */
static char *temp_dir(void)
{
    char *t = strdup("/tmp/elbolab-grade-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t));
    return t;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void rm_tree(char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

/* ---- every key of the exercise book ------------------------------------------------- */

/* The answer that a part's key gives, as a student would write it. */
static void key_answer(const el_grade_exercise *ex, const el_grade_part *p, const char *student,
                       char *buf, size_t n)
{
    double v;
    buf[0] = '\0';
    switch (p->kind) {
    case EL_GRADE_PART_EXPRESSION:
    case EL_GRADE_PART_DERIVATION: snprintf(buf, n, "%s", p->reference); break;
    case EL_GRADE_PART_NUMBER:
        ck_assert_int_eq(el_grade_exercise_number(ex, p, student, &v), EL_OK);
        snprintf(buf, n, "%.10g", v);
        break;
    case EL_GRADE_PART_TRUEFALSE: snprintf(buf, n, "%s", p->truth ? "true" : "false"); break;
    case EL_GRADE_PART_CODE: break; /* programs: check_code.c */
    case EL_GRADE_PART_TEXT: snprintf(buf, n, "In my own words: see notes/%s.md.", p->model); break;
    case EL_GRADE_PART_CHOICE:
    case EL_GRADE_PART_SELECT:
        for (size_t i = 0; i < p->noptions; i++)
            if (p->options[i].correct)
                snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", *buf ? ", " : "",
                         p->options[i].text);
        break;
    }
}

START_TEST(every_key_scores_full)
{
    char text[32768] = "";
    double code_points = 0.0; /* programs are graded in check_code.c */
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        if (ex->code) {
            code_points += ex->points;
            continue;
        }
        snprintf(text + strlen(text), sizeof text - strlen(text), "[%s]\n", ex->id);
        for (size_t j = 0; j < ex->nparts; j++) {
            char ans[2048];
            key_answer(ex, &ex->parts[j], "s0001", ans, sizeof ans);
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s = %s\n",
                     ex->parts[j].name, ans);
        }
    }
    el_grade_report r;
    grade(text, strlen(text), "key.txt", "s0001", &r);
    for (size_t i = 0; i < r.n; i++) /* words are collected, never graded here */
        ck_assert_msg(r.ex[i].status == (strcmp(r.ex[i].ex->kind, "text") ? EL_GRADE_CORRECT
                                                                          : EL_GRADE_MANUAL) ||
                          r.ex[i].ex->code,
                      "%s: %s", r.ex[i].ex->id,
                      r.ex[i].parts[0].feedback ? r.ex[i].parts[0].feedback : "");
    ck_assert(r.score == r.max - code_points && r.max > 30);
    ck_assert_uint_eq(r.notes.n, 0);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(every_declared_mistake_is_diagnosed)
{
    size_t tested = 0;
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        for (size_t j = 0; j < ex->nparts; j++) {
            const el_grade_part *p = &ex->parts[j];
            for (size_t k = 0; k < p->nmistakes; k++) {
                char fb[4096];
                double f = score_one(ex->id, p->name, p->mistakes[k].answer, fb, sizeof fb);
                ck_assert_msg(f < 1.0, "%s: mistake %s scored", ex->id, p->mistakes[k].id);
                ck_assert_msg(strstr(fb, p->mistakes[k].hint) == fb, "%s: mistake %s gave '%s'",
                              ex->id, p->mistakes[k].id, fb);
                tested++;
            }
        }
    }
    ck_assert_uint_ge(tested, 25);
}
END_TEST

START_TEST(every_option_spelling_is_recognised)
{
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        const el_grade_part *p = &ex->parts[0];
        if (p->kind != EL_GRADE_PART_CHOICE && p->kind != EL_GRADE_PART_SELECT)
            continue;
        size_t ncorrect = 0;
        for (size_t o = 0; o < p->noptions; o++)
            ncorrect += p->options[o].correct;
        for (size_t o = 0; o < p->noptions; o++) {
            const el_grade_option *op = &p->options[o];
            size_t need = p->min_correct && p->min_correct < ncorrect ? p->min_correct : ncorrect;
            double want =
                op->correct ? (p->kind == EL_GRADE_PART_CHOICE ? 1.0 : 1.0 / (double)need) : 0.0;
            char num[24], letter[8], fb[4096];
            snprintf(num, sizeof num, "%zu", o + 1);
            snprintf(letter, sizeof letter, "(%c)", (char)('a' + o));
            const char *forms[3] = { op->text, num, letter };
            for (size_t a = 0; a < 3 + op->naccept; a++) {
                if (op->hidden && (a == 1 || a == 2))
                    continue; /* a hidden option has no number: "10" is no option */
                const char *ans = a < 3 ? forms[a] : op->accept[a - 3];
                double f = score_one(ex->id, "answer", ans, fb, sizeof fb);
                ck_assert_msg(fabs(f - want) < 1e-3, "%s: '%s' scored %g, not %g (%s)", ex->id, ans,
                              f, want, fb);
                if (!op->correct && op->hint)
                    ck_assert_msg(strstr(fb, op->hint) != NULL, "%s: '%s' without its hint", ex->id,
                                  ans);
            }
        }
    }
}
END_TEST

/* ---- notations ------------------------------------------------------------------- */

static const struct {
    const char *id, *answer;
} notations[] = {
    { "kl-equal-variance", "\\frac{(\\mu_q-\\mu_p)^2}{2\\sigma^2}" },
    { "kl-equal-variance", "$\\frac{(\\mu_q - \\mu_p)^2}{2 \\sigma^2}$" },
    { "kl-equal-variance", "(mu_q-mu_p)**2/(2*sigma**2)" },
    { "kl-equal-variance", "KL(q||p) = (mu_q - mu_p)^2/(2 sigma^2)" },
    { "kl-equal-variance", "\\( \\dfrac{(\\mu_p-\\mu_q)^{2}}{2\\sigma^{2}} \\)." },
    { "kl-equal-variance", "(\xce\xbc_q \xe2\x88\x92 \xce\xbc_p)\xc2\xb2/(2\xcf\x83\xc2\xb2)" },
    { "kl-gauss-1d", "\\log\\frac{\\sigma_2}{\\sigma_1}+\\frac{\\sigma_1^2+(\\mu_1-\\mu_2)^2}{"
                     "2\\sigma_2^2}-\\frac12" },
    { "kl-gauss-1d", "\\frac{1}{2}\\left[\\log\\frac{\\sigma_2^2}{\\sigma_1^2} + "
                     "\\frac{\\sigma_1^2 + (\\mu_1-\\mu_2)^2}{\\sigma_2^2} - 1\\right]" },
    { "kl-gauss-1d", "\\ln\\sigma_p - \\ln\\sigma_q + \\frac{\\sigma_q^2 + (\\mu_q - "
                     "\\mu_p)^2}{2\\sigma_p^2} - \\frac{1}{2}" },
    { "kl-std-normal", "-\\log\\sigma + \\frac{\\sigma^2+\\mu^2}{2} - \\frac12" },
    { "kl-std-normal", "0.5 * (mu^2 + sigma^2 - 1 - 2*log(sigma))" },
    { "kl-std-normal", "-\\frac{1}{2}\\left(1+\\log\\sigma_z^2-\\mu_z^2-\\sigma_z^2\\right)" },
    { "kl-diag-sum",
      "\\frac{1}{2}\\sum_{i=1}^{d}\\left(\\mu_i^2+\\sigma_i^2-1-\\log\\sigma_i^2\\right)" },
    { "kl-diag-sum", "0.5*sum(mu^2 + sigma^2 - 1 - log(sigma^2))" },
    { "kl-diag-sum", "\\frac{1}{2}\\left(\\sum_i \\mu_i^2 + \\sum_i \\sigma_i^2 - d - \\sum_i "
                     "\\log\\sigma_i^2\\right)" },
    { "kl-diag-sum", "-\\frac{1}{2}\\sum_{j=1}^{J}(1+\\log\\sigma_j^2-\\mu_j^2-\\sigma_j^2)" },
    { "kl-gauss-mv", "\\frac{1}{2}\\left[\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_0) + "
                     "(\\mu_1-\\mu_0)^\\top\\Sigma_1^{-1}(\\mu_1-\\mu_0) - d + "
                     "\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}\\right]" },
    { "kl-gauss-mv", "0.5*(tr(inv(Sigma1)*Sigma0) + (mu1-mu0)^T*inv(Sigma1)*(mu1-mu0) - d + "
                     "log(det(Sigma1)) - log(det(Sigma0)))" },
    { "optimal-posterior", "\\frac{lik \\cdot prior}{\\sum_k lik_k prior_k}" },
    { "optimal-posterior",
      "\\frac{\\text{lik} \\odot \\text{prior}}{\\text{lik}^T \\text{prior}}" },
    { "optimal-posterior", "lik .* prior ./ sum(lik .* prior)" },
    { "kl-self", "$0$" },
    { "kl-self", "zero" },
    { "kl-self", "0 (because log 1 = 0)" },
    { "tf-posterior-easy", "F" },
    { "tf-posterior-easy", "\\text{False}" },
    { "tf-posterior-easy", "false -- p(x) has no closed form" },
    { "tf-posterior-easy", "FALSE." },
    { "tf-posterior-easy", "not necessarily true" }, /* a hedge keeps the negation */
    { "tf-posterior-easy", "Not always true." },
    { "tf-reparam-gradient", "yes" },
    { "tf-reparam-gradient", "**True**" },
    { "optimal-posterior-choice", "$p(z \\mid x)$" },
    { "optimal-posterior-choice", "p_\\theta(z|x)" },
    { "optimal-posterior-choice", "option 3" },
    { "optimal-posterior-choice", "3, because the KL term vanishes there" },
    { "elbo-name", "Evidence Lower BOund (ELBO)" },
    { "elbo-tight", "when $q(z|x) = p(z|x)$" },
    /* pasted from notebooks, PDFs and LaTeX homework (issue 10) */
    { "kl-std-normal", "½(μ² + σ² − 1 − log σ²)" },
    { "kl-std-normal", "0.5*(mu**2 + sigma**2 - 1 - np.log(sigma**2))" },
    { "kl-equal-variance", "np.square(mu_q - mu_p) / (2 * np.square(sigma))" },
    { "kl-std-normal", "$\\frac{1}{2}(\\mu^2 + \\sigma^2 - 1 - \\log\\sigma^2)$ % closed form" },
    { "kl-diag-sum", "0.5 * np.sum(mu**2 + sigma**2 - 1 - np.log(sigma**2))" },
    { "kl-diag-sum", "½ ∑_i (μ_i² + σ_i² − 1 − log σ_i²)" },
    { "kl-diag-sum",
      "\\frac12(\\|\\mu\\|^2 + \\lVert\\sigma\\rVert_2^2 - d - \\sum_i \\log\\sigma_i^2)" },
    { "kl-diag-sum", "0.5*(‖μ‖² + ‖σ‖₂² − d − torch.sum(torch.log(σ**2)))" },
    { "kl-diag-sum",
      "\\frac{1}{2}\\sum_{i=1}^{d}(\\mu_{z,i}^2 + \\sigma_{z,i}^2 - 1 - \\log\\sigma_{z,i}^2)" },
    { "optimal-posterior", "lik*prior / np.sum(lik*prior)" },
    { "optimal-posterior",
      "\\frac{\\text{lik}\\cdot\\text{prior}}{\\sum(\\text{lik}\\cdot\\text{prior})}" },
    { "optimal-posterior", "lik prior / ∑(lik prior)" },
    { "kl-diag-sum", "1/2 (tr(diag(sigma^2)) + mu^T mu - d - log det(diag(sigma^2)))" },
    { "optimal-posterior", "lik_k prior_k / \\sum_j lik_j prior_j" }, /* a free index */
    { "optimal-posterior", "\\frac{lik_k prior_k}{\\sum_k lik_k prior_k}" },
    /* the exercise declares that p(x|z) is written for lik and p(z) for prior */
    { "optimal-posterior", "q(z) = \\frac{p(x \\mid z) p(z)}{\\sum_{z} p(x \\mid z) p(z)}" },
    { "optimal-posterior", "p(x|z)p(z)/\\sum_z p(x|z)p(z)" },
    { "optimal-posterior", "\\frac{\\text{lik}_{k}\\,\\text{prior}_{k}}{\\sum_{j=1}^{K} "
                           "\\text{lik}_j\\text{prior}_j}" },
    { "em-free-energy-after-e-step", "\\log p(x;\\theta_t)" },
    { "kl-properties", "{1, 2, 3, 4, 5, 6, 7}" },
    { "kl-properties", "1 2 3 4 5 6 7" },
    { "kl-properties", "non-negative; zero iff equal; asymmetric; no triangle inequality; jointly "
                       "convex; additive; invariant" },
    /* free text in choices and true/false (issue 10, section 3) */
    { "elbo-tight", "when the KL divergence is 0, i.e. q = p" },
    { "elbo-name", "lower bound on the log evidence" },
    { "tf-reverse-kl-covers-modes", "True or false: false" },
    { "tf-reverse-kl-covers-modes", "True for the forward KL, false for the reverse KL" },
    { "tf-reverse-kl-covers-modes", "False, it would be true only for the forward KL" },
    /* the statement's function words ("with", "that") qualify no clause */
    { "tf-reparam-gradient", "True. It would be false with a sampler that is not differentiable" },
    { "optimal-posterior-choice", "the posterior, not the prior" },
    { "optimal-posterior-choice", "p(z|x) rather than p(z)" },
    { "kl-properties", "all except 8 and 9" },
    { "kl-properties", "All of them, except 8 and 9." },
    { "kl-properties", "1 or 2" },
    { "em-free-energy-after-e-step", "1 (KL = 0 ⇒ F = log p(x;θ))" },
    /* a Greek letter glued to ASCII is one name (σ2 is sigma2); NumPy's @, .T, np.linalg */
    { "kl-equal-variance", "(μq − μp)² / (2σ²)" },
    { "kl-gauss-1d", "log(σ2/σ1) + (σ1² + (μ1 − μ2)²)/(2σ2²) − 1/2" },
    { "kl-gauss-mv", "½[tr(Σ1⁻¹Σ0) + (μ1 − μ0)ᵀ Σ1⁻¹ (μ1 − μ0) − d + log(|Σ1|/|Σ0|)]" },
    { "kl-gauss-mv", "0.5*(np.trace(np.linalg.inv(Sigma1) @ Sigma0) + (mu1-mu0).T @ "
                     "np.linalg.inv(Sigma1) @ (mu1-mu0) - d + "
                     "np.log(np.linalg.det(Sigma1)/np.linalg.det(Sigma0)))" },
    /* context expressions: math delimiters, E_q(z|x)[...], Unicode subscript letters */
    { "elbo-bound-form", "$\\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x)\\|p(z))$" },
    { "elbo-bound-form", "E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z))" },
    { "kl-definition-form", "∑ₓ q(x) log(q(x)/p(x))" },
};

START_TEST(notations_score_full)
{
    for (size_t i = 0; i < sizeof notations / sizeof notations[0]; i++) {
        char fb[2048];
        double f = score_one(notations[i].id, "answer", notations[i].answer, fb, sizeof fb);
        ck_assert_msg(f == 1.0, "%s: '%s' scored %g: %s", notations[i].id, notations[i].answer, f,
                      fb);
    }
}
END_TEST

START_TEST(multi_part_notations)
{
    static const char *const text = "[incl-excl-fit]\n"
                                    "Inclusive mu: 1/3\n"
                                    "inclusive-sigma = \\sqrt{17}/3\n"
                                    "mu_exclusive = 0,3219\n"
                                    "EXCLUSIVE_SIGMA = 1.353   # by GSL's minimiser\n"
                                    "[kl-grad-reparam]\n"
                                    "dt/dmu = z\n"
                                    "dsigma = -\\frac{1}{\\sigma} + z\\varepsilon\n";
    el_grade_report r;
    grade(text, strlen(text), "multi.txt", NULL, &r);
    ck_assert(result_of(&r, "incl-excl-fit")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-grad-reparam")->status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
    /* several parts on one line */
    char fb[512];
    ck_assert(score_one("kl-grad-reparam", "answer",
                        "dmu = mu + sigma eps, dsigma = -1/sigma + z eps", fb, sizeof fb) == 1.0);
}
END_TEST

/* ---- diagnoses ---------------------------------------------------------------------- */

static const struct {
    const char *id, *key, *answer, *says;
} diagnoses[] = {
    { "kl-gauss-1d", "answer", "log(sigma1/sigma2) + (sigma2^2 + (mu1-mu2)^2)/(2 sigma1^2) - 1/2",
      "arguments are swapped" },
    { "kl-gauss-mv", "answer",
      "1/2 (tr(inv(Sigma0) Sigma1) + (mu0 - mu1)' inv(Sigma0) (mu0 - mu1) - d + "
      "log(det(Sigma0)/det(Sigma1)))",
      "arguments are swapped" },
    { "kl-gauss-1d", "answer", "2 log(sigma2/sigma1) + (sigma1^2 + (mu1-mu2)^2)/sigma2^2 - 1",
      "2 times the expected" },
    { "kl-equal-variance", "answer", "-(mu_q-mu_p)^2/(2 sigma^2)", "sign is wrong" },
    { "kl-std-normal", "answer", "1/2 (mu^2 + sigma^2 - log(sigma^2))", "The -1 is missing" },
    { "kl-std-normal", "answer", "1/2 (mu^2 + sigma^2 - 2 - log(sigma^2))",
      "by the constant -1/2" },
    { "kl-std-normal", "answer", "1/2 (mu^2 + sigma - 1 - log(sigma))",
      "has sigma where sigma^2 belongs" },
    { "kl-equal-variance", "answer", "(mu_q-mu_p)^2 / (2 sigma^4)",
      "has sigma^2 where sigma belongs" },
    { "kl-diag-sum", "answer", "1/2 (mu^2 + sigma^2 - 1 - log(sigma^2))",
      "sum them over the dimensions" },
    { "optimal-posterior", "answer", "lik prior / 2", "not normalised" },
    { "kl-gauss-mv", "answer", "1/2 (tr(inv(Sigma1) Sigma0) - d)", "not equivalent" },
    { "kl-gauss-mv", "answer", "mu0 + mu1", "-vector where a number is expected" },
    { "kl-properties", "answer", "1, 8", "a metric must be symmetric" }, /* min_correct = 2 */
    { "kl-properties", "answer", "4", "1 right statement named; 2 are asked for" },
    { "incl-excl-fit", "inclusive_sigma", "1.8889", "square of the expected" },
    { "incl-excl-fit", "exclusive_mu", "0.33333", "value of inclusive_mu" },
    { "incl-excl-fit", "exclusive_sigma", "-1.3533", "sign is wrong" },
    { "incl-excl-fit", "inclusive_mu", "0.5", "not within the tolerance" },
    { "kl-equal-variance", "answer", "(mu_q - mu_p)^2 / (2 sigma^2", "cannot be read" },
    { "kl-equal-variance", "answer", "(mu_1 - mu_2)^2 / (2 sigma^2)",
      "'mu_1', which is not a variable" },
    { "kl-equal-variance", "answer", "\\mathbb{E}_q[\\log q - \\log p]", "cannot be read" },
    { "kl-equal-variance", "answer", "(mu_q - mu_p)^2 / 2 sigma^2", "Mind the precedence" },
    { "tf-posterior-easy", "answer", "maybe", "neither true nor false" },
    { "optimal-posterior", "answer", "lik_k / \\sum_j lik_j", "The prior is missing" },
    { "optimal-posterior", "answer", "p(x|z)p(z)/\\sum_z p(x|z)", "not normalised" },
    { "kl-equal-variance", "answer", "np.mean((mu_q - mu_p)**2) / (2*sigma**2)",
      "Library prefixes are read away (np.log is log), but 'mean' is not a function" },
    { "optimal-posterior-choice", "answer", "p(x|z)p(z) or p(z)", "several options" },
    { "optimal-posterior-choice", "answer", "9", "no option with that number" },
    { "elbo-name", "answer", "the bound", "does not match any option" },
    /* the negative controls of section 3's readings */
    { "optimal-posterior-choice", "answer", "the prior, not the posterior", "Not \"the prior" },
    { "optimal-posterior-choice", "answer", "1 or 3", "several options" },
    { "tf-reverse-kl-covers-modes", "answer", "True or false: true", "mode-seeking" },
    { "tf-reverse-kl-covers-modes", "answer", "False for the forward KL, true for the reverse KL",
      "mode-seeking" },
    { "kl-properties", "answer", "positive, not symmetric", "non-negative, not positive" },
    { "kl-properties", "answer", "always positive, 3", "non-negative, not positive" },
    { "kl-properties", "answer", "10", "'10' does not match" }, /* the hidden one has no number */
    { "kl-equal-variance", "answer", "(μq − μp)² / 2σ²", "Mind the precedence" },
    { "kl-std-normal", "answer", "1/2 (μ^2 + σσx - 1)", "is one name (σ2 is sigma2" },
    { "kl-gauss-mv", "answer",
      "0.5*(np.trace(np.linalg.inv(Sigma0) @ Sigma1) + (mu1-mu0).T @ np.linalg.inv(Sigma0) @ "
      "(mu1-mu0) - d + np.log(np.linalg.det(Sigma0)/np.linalg.det(Sigma1)))",
      "arguments are swapped" },
    { "elbo-bound-form", "answer", "E_q(z|x)[log p(x|z)] + KL(q(z|x) || p(z))",
      "The KL enters with a minus sign" },
    { "kl-properties", "answer", "not a metric, 1", "'not a metric' does not match" },
    { "kl-properties", "answer", "all except 1, 2, 3, 4, 5, 6, 7", "is not right" },
};

/* The default variant's numbers, copied from the statement by a student
 * whose variant differs, are named as such (and still wrong). */
START_TEST(default_variant_numbers_named)
{
    static const char text[] = "student = alice@uni.edu\n[incl-excl-fit]\n"
                               "inclusive_mu = 0.33333\ninclusive_sigma = 1.3744\n";
    el_grade_report r;
    grade(text, strlen(text), "v.txt", NULL, &r);
    const el_grade_exercise_result *e = result_of(&r, "incl-excl-fit");
    ck_assert(e->parts[0].status == EL_GRADE_WRONG && e->parts[1].status == EL_GRADE_WRONG);
    ck_assert_msg(strstr(e->parts[0].feedback, "value for the default parameters") &&
                      strstr(e->parts[0].feedback, "--student alice@uni.edu"),
                  "said: %s", e->parts[0].feedback);
    el_grade_report_free(&r);
    /* control: the default student's own numbers are right, not diagnosed */
    static const char mine[] = "[incl-excl-fit]\ninclusive_mu = 0.33333\n";
    grade(mine, strlen(mine), "d.txt", NULL, &r);
    ck_assert(result_of(&r, "incl-excl-fit")->parts[0].status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
}
END_TEST

/* Statements print in a terminal without LaTeX noise (issue 10, section 5). */
START_TEST(statements_print_plain)
{
    char *s = el_grade_plain("KL(q \\| p) = \\frac{1}{2}\\log\\frac{|\\Sigma_1|}{|\\Sigma_0|}, "
                             "\\mathrm{ELBO}, \\left(a + b\\right), \\unknown");
    ck_assert_str_eq(s, "KL(q \xe2\x80\x96 p) = 1/2 log |\xce\xa3_1|/|\xce\xa3_0|, ELBO, (a + b), "
                        "\\unknown"); /* an unknown command stays: the control */
    free(s);
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        char *p = el_grade_plain(ex->statement);
        ck_assert_msg(p && !strchr(p, '\\'), "%s: %s", ex->id, p);
        free(p);
    }
}
END_TEST

/* derive-elbo-decomposition the way sheet 004 asks it (from the KL to
 * log p(x) - ELBO) is an alternative; the same chain ending at
 * log p(x) + ELBO is the control. */
START_TEST(decomposition_from_the_kl)
{
    static const char *const chain =
        "\\mathrm{KL}(q(z|x) \\| p(z|x)) = \\sum_z q(z|x) \\log \\frac{q(z|x)}{p(z|x)}\n"
        "  = \\sum_z q(z|x) \\log \\frac{q(z|x) p(x)}{p(x,z)}\n"
        "  = \\sum_z q(z|x) \\log p(x) - \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n"
        "  = \\log p(x) %s \\mathrm{ELBO}";
    char text[1024];
    snprintf(text, sizeof text, chain, "-");
    ck_assert(score_one("derive-elbo-decomposition", "answer", text, NULL, 0) == 1.0);
    snprintf(text, sizeof text, chain, "+");
    ck_assert(score_one("derive-elbo-decomposition", "answer", text, NULL, 0) < 0.5);
}
END_TEST

START_TEST(wrong_answers_are_diagnosed)
{
    for (size_t i = 0; i < sizeof diagnoses / sizeof diagnoses[0]; i++) {
        char fb[4096];
        double f = score_one(diagnoses[i].id, diagnoses[i].key, diagnoses[i].answer, fb, sizeof fb);
        ck_assert_msg(f < 1.0, "%s: '%s' scored", diagnoses[i].id, diagnoses[i].answer);
        ck_assert_msg(strstr(fb, diagnoses[i].says) != NULL, "%s: '%s' said '%s'", diagnoses[i].id,
                      diagnoses[i].answer, fb);
    }
}
END_TEST

/* "Unreadable" is for text that cannot be read; text that names no option
 * (or says neither true nor false) is an answer worth nothing: wrong. */
START_TEST(unreadable_only_when_unreadable)
{
    static const struct {
        const char *id, *answer;
        el_grade_status status;
    } cases[] = {
        { "tf-posterior-easy", "maybe", EL_GRADE_WRONG },
        { "optimal-posterior-choice", "p(x|z)p(z) or p(z)", EL_GRADE_WRONG },
        { "optimal-posterior-choice", "9", EL_GRADE_WRONG },
        { "elbo-name", "the bound", EL_GRADE_WRONG },
        { "kl-properties", "it is a distance", EL_GRADE_WRONG },
        { "kl-equal-variance", "(mu_q - mu_p)^2 / (2 sigma^2", EL_GRADE_UNREADABLE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        int n = snprintf(text, sizeof text, "[%s]\nanswer = %s\n", cases[i].id, cases[i].answer);
        el_grade_report r;
        grade(text, (size_t)n, "status.txt", NULL, &r);
        const el_grade_exercise_result *e = result_of(&r, cases[i].id);
        ck_assert_msg(e->parts[0].status == cases[i].status && e->status == cases[i].status,
                      "%s: '%s' is %d, not %d", cases[i].id, cases[i].answer, e->parts[0].status,
                      cases[i].status);
        el_grade_report_free(&r);
    }
}
END_TEST

/* A note about an exercise's lines is printed beside that exercise (text,
 * JSON, Gradescope), not after the table; notes on the whole file stay there. */
START_TEST(notes_beside_their_exercise)
{
    static const char text[] = "stray words\n"
                               "[kl-std-normal]\n"
                               "answer = 1/2 (mu^2 + sigma^2 - 1 - log(sigma^2))\n"
                               "I used the formula from the lecture.\n"
                               "[incl-excl-fit]\n"
                               "mu_in = 0.33\n"
                               "[kl-foo]\n"
                               "answer = 1\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "notes.txt", NULL, &r);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    el_grade_write_text(&r, f, 0);
    fclose(f);
    const char *kl = strstr(buf, "  kl-std-normal "), *remark = strstr(buf, "read as a remark");
    const char *next = kl ? strstr(kl + 1, "\n  kl-") : NULL;
    ck_assert_msg(kl && remark && next && kl < remark && remark < next, "%s", buf);
    const char *fit = strstr(buf, "  incl-excl-fit "), *mu_in = strstr(buf, "'mu_in'");
    const char *file_notes = strstr(buf, "Notes on the file:");
    ck_assert_msg(fit && mu_in && file_notes && fit < mu_in && mu_in < file_notes, "%s", buf);
    ck_assert_ptr_nonnull(strstr(file_notes, "kl-foo"));
    ck_assert_ptr_nonnull(strstr(file_notes, "outside any"));
    ck_assert_ptr_null(strstr(file_notes, "remark"));
    free(buf);
    json_t *j = el_grade_json(&r), *exs = json_object_get(j, "exercises");
    for (size_t i = 0; i < json_array_size(exs); i++) {
        json_t *x = json_array_get(exs, i);
        const char *id = json_string_value(json_object_get(x, "id"));
        size_t want = !strcmp(id, "kl-std-normal") || !strcmp(id, "incl-excl-fit");
        ck_assert_msg(json_array_size(json_object_get(x, "notes")) == want, "%s", id);
    }
    json_decref(j);
    j = el_grade_gradescope(&r, 0.0);
    ck_assert_ptr_null(strstr(json_string_value(json_object_get(j, "output")), "remark"));
    json_t *tests = json_object_get(j, "tests");
    int beside = 0;
    for (size_t i = 0; i < json_array_size(tests); i++) {
        json_t *t = json_array_get(tests, i);
        if (!strncmp(json_string_value(json_object_get(t, "name")), "kl-std-normal ", 14))
            beside = strstr(json_string_value(json_object_get(t, "output")), "remark") != NULL;
    }
    ck_assert(beside);
    json_decref(j);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(failing_point_is_simple)
{
    char fb[4096];
    ck_assert(score_one("kl-equal-variance", "answer", "(mu_q - mu_p)^2 / (3 sigma^2)", fb,
                        sizeof fb) == 0.0);
    ck_assert_msg(strstr(fb, "sigma = 1 the expected value is 0.5; your answer gives 0.333333.") !=
                      NULL,
                  "%s", fb);
    ck_assert(score_one("kl-std-normal", "answer", "log(sigma - 1)", fb, sizeof fb) == 0.0);
    ck_assert_msg(strstr(fb, "undefined") != NULL, "%s", fb);
}
END_TEST

START_TEST(partial_credit)
{
    static const char *const text =
        "[incl-excl-fit]\ninclusive_mu = 0.3333\ninclusive_sigma = 1.374\nexclusive_mu = 0.5\n"
        "[kl-grad-reparam]\ndmu = z\ndsigma = z eps\n"
        "[kl-properties]\nanswer = 1, 2, 8\n";
    el_grade_report r;
    grade(text, strlen(text), "partial.txt", NULL, &r);
    const el_grade_exercise_result *e = result_of(&r, "incl-excl-fit");
    ck_assert(e->status == EL_GRADE_PARTIAL && e->score == 2.0 && e->max == 4.0);
    ck_assert(e->parts[2].status == EL_GRADE_WRONG && e->parts[3].status == EL_GRADE_MISSING);
    e = result_of(&r, "kl-grad-reparam");
    ck_assert(e->status == EL_GRADE_PARTIAL && e->score == 1.0);
    e = result_of(&r, "kl-properties"); /* 2 right of the 2 asked for, 3 points, 1 off */
    ck_assert(e->status == EL_GRADE_PARTIAL && fabs(e->score - 2.0) < 1e-12);
    ck_assert(fabs(r.score - 5.0) < 1e-9);
    el_grade_report_free(&r);
}
END_TEST

/* ---- LaTeX submissions ---------------------------------------------------------------- */

START_TEST(latex_submission)
{
    static const char *const tex =
        "\\documentclass{article}\n"
        "\\newcommand{\\answer}[2]{#2}\n"
        "\\begin{document}\n"
        "% \\answer{kl-self}{1}   a comment: not an answer\n"
        "Problem 1: $\\answer{kl-self}{0}$.\n"
        "\\[ \\answer{kl-std-normal}{\\frac{1}{2}\\left(\\mu^2 + \\sigma^2 % the terms\n"
        "    - 1 - \\log \\sigma^2\\right)} \\]\n"
        "\\answer{tf-posterior-easy}{False: $p(x)$ is intractable, 100\\% sure}\n"
        "\\answer{incl-excl-fit.inclusive_mu}{1/3}\n"
        "\\answer{incl-excl-fit/inclusive_sigma}{$\\sqrt{17/9}$}\n"
        "\\answer {kl-properties}\n  {1, 2, 3, 4, 5, 6, 7}\n"
        "\\answer{kl-equal-variance}{\\frac{(\\mu_q - \\mu_p)^2}{\\sigma^2}}\n"
        "\\answer{elbo-name}{evidence lower bound\n"
        "\\end{document}\n";
    el_grade_report r;
    grade(tex, strlen(tex), "hw.tex", NULL, &r);
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-std-normal")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "tf-posterior-easy")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "incl-excl-fit")->score == 2.0);
    ck_assert(result_of(&r, "kl-properties")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-equal-variance")->status == EL_GRADE_WRONG);
    ck_assert(result_of(&r, "elbo-name")->status == EL_GRADE_MISSING);
    int unclosed = 0; /* the unclosed \answer is reported with its line */
    for (size_t i = 0; i < r.notes.n; i++)
        unclosed |= r.notes.v[i].line == 14 && strstr(r.notes.v[i].text, "never closed") != NULL;
    ck_assert(unclosed);
    el_grade_report_free(&r);
    /* detected without the .tex name too */
    grade(tex, strlen(tex), "hw.txt", NULL, &r);
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
}
END_TEST

/* ---- files students really write --------------------------------------------------------- */

/* An unindented remark after an answer is not glued onto it; a row that
 * cannot stand alone (an operator, a relation, '&') or that follows an
 * open bracket or operator still continues it (derivations need that). */
START_TEST(remarks_are_not_glued)
{
    static const char *const ok[][2] = {
        { "kl-std-normal", "answer = 1/2 (mu^2 + sigma^2 - 1 - log(sigma^2))\nI used the formula "
                           "from lecture 3.\n" },
        { "kl-std-normal", "answer = 1/2 (mu^2 + sigma^2\n- 1 - log(sigma^2))\n" },
        { "kl-std-normal",
          "answer = \\frac{1}{2}\\left(\\mu^2 + \\sigma^2 -\n1 - \\log\\sigma^2\\right)\n" },
        { "kl-std-normal", "answer = 1/2 (mu^2 + sigma^2 - 1 - 2\n\\cdot log(sigma))\n" },
        { "kl-self", "0\nbecause log 1 is 0, so the integrand vanishes\n" },
        { "kl-properties", "answer = nonnegative\nzero iff equal\nnot symmetric\n"
                           "no triangle inequality\nconvex\nadditive\ninvariant\n" },
        { "derive-elbo-jensen",
          "answer = \\log p(x) = \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)}\n"
          "\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n"
          "= \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n"
          "That is the ELBO, by Jensen's inequality.\n" },
        { "derive-elbo-jensen",
          "answer =\n\\log p(x) &= \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)} \\\\\n"
          "&\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)} \\\\\n"
          "&= \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n" },
        /* a fenced block runs to its closing fence, blank rows included */
        { "derive-elbo-jensen",
          "steps = ```\n\\log p(x) = \\log \\sum_z q(z|x) \\frac{p(x,z)}{q(z|x)}\n\n"
          "\\geq \\sum_z q(z|x) \\log \\frac{p(x,z)}{q(z|x)}\n"
          "= \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x) \\| p(z))\n```\n" },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[2048];
        int n = snprintf(text, sizeof text, "[%s]\n%s", ok[i][0], ok[i][1]);
        el_grade_report r;
        grade(text, (size_t)n, "remark.txt", NULL, &r);
        const el_grade_exercise_result *e = result_of(&r, ok[i][0]);
        ck_assert_msg(e->status == EL_GRADE_CORRECT, "%zu: %s scored %g: %s", i, ok[i][0], e->score,
                      e->parts[0].feedback ? e->parts[0].feedback : "");
        int remark = 0;
        for (size_t k = 0; k < r.notes.n; k++)
            remark += strstr(r.notes.v[k].text, "read as a remark") != NULL;
        ck_assert_msg(remark == (i == 0 || i == 4 || i == 6), "%zu: %d remarks", i, remark);
        el_grade_report_free(&r);
    }
}
END_TEST

START_TEST(forgiving_ini)
{
    static const char text[] = "\xEF\xBB\xBF# answers of student 42\r\n"
                               "student = s42\r\n"
                               "\r\n"
                               "[ KL-Self ]\r\n"
                               "Answer: 0   \r\n"
                               "[kl_equal_variance]\r\n"
                               "   ANSWER = $\\frac{(\\mu_q-\\mu_p)^2}\r\n"
                               "      {2\\sigma^2}$\r\n"
                               "[exercise kl-std-normal]\r\n"
                               "\\frac12(\\mu^2+\\sigma^2-1-\\log\\sigma^2)\r\n"
                               "[tf-posterior-easy]\r\n"
                               "answer = \"false\"\r\n"
                               "[elbo-name]\r"
                               "answer=evidence lower bound\r";
    el_grade_report r;
    grade(text, sizeof text - 1, "win.txt", NULL, &r);
    ck_assert_str_eq(r.student, "s42");
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-equal-variance")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-std-normal")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "tf-posterior-easy")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "elbo-name")->status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(grouped_and_listed_forms)
{
    static const char text[] =
        "[incl-excl-fit]\ninclusive:\n    mu = 0.3333\n    sigma = 1.374\n"
        "exclusive: mu = 0.322, sigma = 1.353\n"
        "[kl-properties]\nanswer:\n  1\n  2\n  3, 4\n  5 and 6\n  7\n"
        "[tf-posterior-easy]\nanswer = The statement is false: p(x) has no closed form.\n"
        "[tf-reparam-gradient]\nanswer = this is not false\n"
        "[kl-self] 0\n"
        "[em-free-energy-after-e-step]\nanswer = zero\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "forms.txt", NULL, &r);
    ck_assert(result_of(&r, "incl-excl-fit")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-properties")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "tf-posterior-easy")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "tf-reparam-gradient")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "em-free-energy-after-e-step")->status == EL_GRADE_WRONG);
    el_grade_report_free(&r);
    char fb[512];
    ck_assert(score_one("kl-properties", "answer", "1-7", fb, sizeof fb) == 1.0);
    ck_assert(score_one("kl-properties", "answer", "1 to 7", fb, sizeof fb) == 1.0);
    ck_assert(score_one("incl-excl-fit", "inclusive_sigma", "1.374 (the variance is 17/9)", fb,
                        sizeof fb) == 0.25);
}
END_TEST

START_TEST(utf16_file)
{
    static const char src[] = "[kl-self]\nanswer = 0\n[tf-posterior-easy]\nanswer = F\n";
    char buf[256] = { (char)0xFF, (char)0xFE };
    size_t n = 2;
    for (size_t i = 0; src[i]; i++) {
        buf[n++] = src[i];
        buf[n++] = 0;
    }
    el_grade_report r;
    grade(buf, n, "notepad.txt", NULL, &r);
    ck_assert_msg(r.score == 2.0, "score %g", r.score);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(unknown_and_duplicate_sections)
{
    static const char text[] = "[kl-slef]\nanswer = 0\n"
                               "[problem-kl-self]\nanswer = 1\n"
                               "[tf-posterior-easy]\nanswer = true\n"
                               "[tf-posterior-easy]\nanswer = false\n"
                               "[elbo-tight]\nanswer = 1\nanswer = 2\nnote = I am not sure\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "dup.txt", NULL, &r);
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_WRONG); /* [problem-kl-self] */
    ck_assert(result_of(&r, "tf-posterior-easy")->status == EL_GRADE_CORRECT); /* the later one */
    ck_assert(result_of(&r, "elbo-tight")->status == EL_GRADE_WRONG);          /* answer = 2 wins */
    int suggest = 0, again = 0, ignored = 0;
    for (size_t i = 0; i < r.notes.n; i++) {
        suggest |= strstr(r.notes.v[i].text,
                          "unknown exercise [kl-slef] (did you mean [kl-self]?)") != NULL;
        again |= r.notes.v[i].line == 7 && strstr(r.notes.v[i].text, "appears again") != NULL;
        ignored |= r.notes.v[i].line == 12 &&
                   strstr(r.notes.v[i].text, "'note' in [elbo-tight] is not graded") != NULL;
    }
    ck_assert(suggest && again && ignored);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(statements_and_variants)
{
    const el_grade_exercise *ex = el_grade_book_find(book, "incl-excl-fit");
    char *s = el_grade_exercise_statement(ex, NULL);
    ck_assert_ptr_nonnull(strstr(s, "w = 1/3."));
    free(s);
    double v[4], d[4];
    el_grade_exercise_variant(ex, "someone@uni.edu", v);
    el_grade_exercise_variant(ex, NULL, d);
    ck_assert(d[0] == 1.0 / 3.0);
    if (el_grade_solver_find("mixture-fit")->general) /* a variant of one's own, in range */
        ck_assert(v[0] >= 0.2 && v[0] <= 0.45 && fabs(v[0] * 100 - round(v[0] * 100)) < 1e-9);
    else
        ck_assert(v[0] == 1.0 / 3.0);
    ck_assert_ptr_nonnull(el_grade_book_find(book, "KL_Self"));
    ck_assert_str_eq(el_grade_book_suggest(book, "kl-gaus-1d"), "kl-gauss-1d");
    ck_assert_ptr_null(el_grade_book_suggest(book, "zzzzzz"));
}
END_TEST

START_TEST(same_submission_same_bytes)
{
    static const char text[] =
        "[kl-gauss-mv]\nanswer = tr(Sigma0)\n[optimal-posterior]\nanswer = lik\n"
        "[kl-diag-sum]\nanswer = sum(mu)\n[kl-foo]\n";
    char *dumps[3];
    for (int k = 0; k < 3; k++) {
        el_grade_report r;
        grade(text, sizeof text - 1, "det.txt", k < 2 ? "s7" : "s8", &r);
        json_t *j = el_grade_json(&r);
        dumps[k] = el_grade_dump_json(j);
        json_decref(j);
        el_grade_report_free(&r);
    }
    ck_assert_str_eq(dumps[0], dumps[1]);
    free(dumps[0]);
    free(dumps[1]);
    free(dumps[2]);
}
END_TEST

/* ---- reports ------------------------------------------------------------------------------ */

START_TEST(gradescope_results_format)
{
    static const char text[] =
        "[kl-self]\nanswer = 0\n[incl-excl-fit]\ninclusive_mu = 1/3\n[nope]\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "gs.txt", NULL, &r);
    char *dir = temp_dir(), path[1024];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t *j = el_grade_gradescope(&r, 0.25);
    ck_assert_int_eq(el_grade_write_json(path, j), EL_OK);
    json_decref(j);
    json_error_t err;
    json_t *back = json_load_file(path, 0, &err);
    ck_assert_ptr_nonnull(back);
    ck_assert(json_number_value(json_object_get(back, "score")) == 2.0);
    ck_assert(json_number_value(json_object_get(back, "execution_time")) == 0.25);
    ck_assert(json_is_string(json_object_get(back, "output")));
    ck_assert(
        strstr(json_string_value(json_object_get(back, "output")), "unknown exercise [nope]"));
    json_t *tests = json_object_get(back, "tests");
    ck_assert_uint_eq(json_array_size(tests), all->n);
    double sum = 0;
    for (size_t i = 0; i < json_array_size(tests); i++) {
        json_t *t = json_array_get(tests, i);
        const char *name = json_string_value(json_object_get(t, "name"));
        ck_assert_msg(!strncmp(name, all->ex[i]->id, strlen(all->ex[i]->id)) &&
                          name[strlen(all->ex[i]->id)] == ' ',
                      "%s", name);
        double sc = json_number_value(json_object_get(t, "score")),
               mx = json_number_value(json_object_get(t, "max_score"));
        const char *status = json_string_value(json_object_get(t, "status"));
        if (strcmp(all->ex[i]->kind, "text") != 0)
            ck_assert_str_eq(status, sc == mx ? "passed" : "failed");
        else /* words: no verdict, nothing in the automatic total */
            ck_assert(!status && mx == 0 && strstr(name, "graded by the instructor"));
        ck_assert_str_eq(json_string_value(json_object_get(t, "visibility")), "visible");
        ck_assert(json_is_string(json_object_get(t, "output")) &&
                  json_is_string(json_object_get(t, "number")));
        sum += sc;
    }
    ck_assert(sum == 2.0);
    json_decref(back);
    /* atomic: no temporary file left behind */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
    ck_assert_int_eq(system(cmd), 0);
    rm_tree(dir);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(text_and_json_reports)
{
    static const char text[] = "[kl-self]\nanswer = 1\n[elbo-name]\nanswer = \x1b[31mred\xff\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "r.txt", NULL, &r);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    el_grade_write_text(&r, f, 0);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "kl-self"));
    ck_assert_ptr_nonnull(strstr(buf, "Total: 0/88"));
    ck_assert_ptr_null(
        strchr(buf, '\x1b')); /* no escape sequence from the file reaches the terminal */
    free(buf);
    json_t *j = el_grade_json(&r);
    char *s = el_grade_dump_json(j);
    json_decref(j);
    json_error_t err;
    json_t *back = json_loads(s, 0, &err); /* valid UTF-8 JSON despite the bad byte */
    ck_assert_ptr_nonnull(back);
    const char *keys[] = { "source", "student", "set", "score", "max_score", "exercises", "notes" };
    const char *at = s;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) { /* fixed key order */
        char q[32];
        snprintf(q, sizeof q, "\"%s\"", keys[i]);
        const char *p = strstr(at, q);
        ck_assert_msg(p != NULL, "%s", keys[i]);
        at = p;
    }
    json_decref(back);
    free(s);
    el_grade_report_free(&r);
}
END_TEST

/* ---- hostile files ------------------------------------------------------------------------ */

START_TEST(binary_junk)
{
    char junk[20000];
    unsigned s = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        s = s * 1103515245u + 12345u;
        junk[i] = (char)(s >> 16);
    }
    el_grade_report r;
    grade(junk, sizeof junk, "junk.bin", NULL, &r);
    ck_assert(r.score == 0.0 && r.notes.n >= 1);
    ck_assert_ptr_nonnull(strstr(r.notes.v[0].text, "not a text file"));
    el_grade_report_free(&r);
    /* junk after good answers: the answers still count */
    char mixed[4096];
    int k = snprintf(mixed, sizeof mixed, "[kl-self]\nanswer = 0\n");
    for (int i = 0; i < 40; i++)
        k += snprintf(mixed + k, sizeof mixed - (size_t)k, "# a comment line, number %d\n", i);
    memcpy(mixed + k, junk, 60);
    grade(mixed, (size_t)k + 60, "mixed.txt", NULL, &r);
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(ten_megabyte_line)
{
    size_t big = 10u << 20;
    const char *head = "[kl-self]\nanswer = 0\n[kl-equal-variance]\nanswer = ";
    const char *tail = "\n[elbo-name]\nanswer = evidence lower bound\n";
    size_t n = strlen(head) + big + strlen(tail);
    char *text = malloc(n);
    memcpy(text, head, strlen(head));
    for (size_t i = 0; i < big; i++)
        text[strlen(head) + i] = i % 2 ? '+' : 'x';
    memcpy(text + strlen(head) + big, tail, strlen(tail));
    el_grade_report r;
    grade(text, n, "long.txt", NULL, &r);
    const el_grade_exercise_result *e = result_of(&r, "kl-equal-variance");
    ck_assert(e->status == EL_GRADE_UNREADABLE);
    ck_assert_ptr_nonnull(strstr(e->parts[0].feedback, "line 4 is"));
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    ck_assert(result_of(&r, "elbo-name")->status == EL_GRADE_CORRECT);
    el_grade_report_free(&r);
    free(text);
}
END_TEST

START_TEST(empty_and_odd_files)
{
    static const char *const texts[] = {
        "",
        "\n\n\n",
        "# only a comment\n",
        "[]\nanswer = 1\n",
        "[kl-self\nanswer = 0\n",
        "answer = 0\n",
        "[kl-self]\nanswer =\n",
        "[kl-self]\n\0answer = 0\n",
        "[[[[[[[[",
        "=\n:\n[=]\n= =\n",
        "[kl-gauss-mv]\nanswer = inv(inv(inv(inv(Sigma0))))^1000000\n",
        "[kl-gauss-mv]\nanswer = Sigma0^99999999 + det(Sigma1)^(10^10)\n",
        "[kl-diag-sum]\nanswer = \\sum_i \\sum_j \\sum_k mu_i mu_j mu_k\n",
        "[optimal-posterior]\nanswer = 1/0 + log(-1) + sqrt(-lik)\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        el_grade_report r;
        size_t n = strlen(texts[i]);
        if (i == 7)
            n = 22;
        grade(texts[i], n, "odd.txt", NULL, &r);
        ck_assert(r.max == 88.0 && r.score <= 1.0);
        el_grade_report_free(&r);
    }
    el_grade_report r;
    grade(texts[4], strlen(texts[4]), "odd.txt", NULL,
          &r); /* a header without ']' is read anyway */
    ck_assert(result_of(&r, "kl-self")->status == EL_GRADE_CORRECT);
    ck_assert(r.notes.n == 1 && r.notes.v[0].line == 1);
    el_grade_report_free(&r);
}
END_TEST

/* Every input of the fuzzing seed corpus grades without trouble. */
START_TEST(fuzz_corpus_replays)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus_answers", el_grade_source_dir());
    el_grade_batch b;
    ck_assert_int_eq(el_grade_folder(book, all, dir, NULL, 2, &b), EL_OK);
    ck_assert_uint_ge(b.n, 6);
    for (size_t i = 0; i < b.n; i++) {
        ck_assert_msg(b.rows[i].error == NULL, "%s: %s", b.rows[i].file, b.rows[i].error);
        ck_assert(b.rows[i].score >= 0 && b.rows[i].score <= b.rows[i].max);
    }
    el_grade_batch_free(&b);
}
END_TEST

START_TEST(unreadable_file_is_an_error)
{
    el_grade_report r;
    ck_assert_int_eq(el_grade_file(book, all, "/nonexistent/answers.txt", NULL, &r), EL_EIO);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "/nonexistent/answers.txt"));
    ck_assert_int_eq(el_grade_file(book, all, "/tmp", NULL, &r), EL_EIO);
}
END_TEST

/* ---- exercise files ------------------------------------------------------------------------- */

START_TEST(bad_exercise_files_name_the_line)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        { "id = x\ntitle = t\nkind = expression\nchecked_by = a.b\nstatement = s\n[part "
          "answer]\nreference = (a\n",
          "x.ini:6: cannot parse" },
        { "id = x\ntitle = t\nkind = expression\nchecked_by = a.b\nstatement = s\n[part "
          "answer]\nreference = y\n",
          "'y', which is not declared" },
        { "id = x\ntitle = t\nkind = choice\nchecked_by = a.b\nstatement = s\n[option a]\ntext = "
          "A\n[option b]\ntext = B\n",
          "exactly one correct" },
        { "id = x\ntitle = t\nkind = expression\nstatement = s\n[variable v]\ndomain = uniform(2, "
          "1)\n",
          "x.ini:6: uniform(a, b) needs a < b" },
        { "id = x\nbogus = 1\n", "x.ini:2: unknown key 'bogus'" },
        { "id = x\ntitle = t\nkind = select\nchecked_by = a.b\nstatement = s\n[option a]\ntext = "
          "A\nhidden = yes\n[option b]\ntext = B\ncorrect = yes\n",
          "hidden options come last" },
        { "id = x\ntitle = t\nkind = select\nstatement = s\n[part answer]\npenalty = -1\n",
          "penalty must be a number >= 0" },
        { "id = x\ntitle = t\n[variable v]\nabout = a thing\nthat goes on\n",
          "x.ini:5: indent the lines that continue 'about' (line 4)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *dir = temp_dir();
        write_file(dir, "x.ini", bad[i].text, strlen(bad[i].text));
        int st;
        el_grade_book *c = el_grade_book_load(dir, &st);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(st, EL_EFORMAT);
        ck_assert_msg(strstr(el_errmsg(), bad[i].says) != NULL, "%s", el_errmsg());
        rm_tree(dir);
    }
    int st;
    ck_assert_ptr_null(el_grade_book_load("/nonexistent-exercises", &st));
    ck_assert_int_eq(st, EL_EIO);
}
END_TEST

/* ---- class batches --------------------------------------------------------------------------- */

START_TEST(batch_with_a_bad_file)
{
    char *dir = temp_dir(), sub[1100];
    write_file(dir, "alice.txt", "[kl-self]\nanswer = 0\n", 21);
    write_file(dir, "bob.tex", "\\answer{kl-self}{0}\\answer{elbo-name}{1}", 40);
    write_file(dir, "carol.txt",
               "\x00\x01\x02\x03\xff\xfe\x00\x01\x02\x03\xff\xfe\x00\x01\x02\x03\xff\xfe", 18);
    snprintf(sub, sizeof sub, "%s/dave", dir);
    mkdir(sub, 0755);
    write_file(sub, "answers.txt", "[kl-self]\nanswer = 1\n", 21);
    snprintf(sub, sizeof sub, "%s/erin", dir);
    mkdir(sub, 0755); /* a student folder without an answer file */
    el_grade_batch b;
    ck_assert_int_eq(el_grade_folder(book, all, dir, NULL, 3, &b), EL_OK);
    ck_assert_uint_eq(b.n, 5);
    ck_assert_str_eq(b.rows[0].file, "alice.txt");
    ck_assert(b.rows[0].score == 1.0 && b.rows[0].error == NULL);
    ck_assert_str_eq(b.rows[0].student, "alice");
    ck_assert(b.rows[1].score == 2.0);
    ck_assert(b.rows[2].score == 0.0 &&
              b.rows[2].error == NULL); /* graded: all zero, with a note */
    ck_assert(b.rows[3].score == 0.0 && b.rows[3].error == NULL);
    ck_assert_str_eq(b.rows[3].student, "dave");
    ck_assert_ptr_nonnull(b.rows[4].error);
    char *csv = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&csv, &n);
    ck_assert_int_eq(el_grade_batch_write_csv(&b, f), EL_OK);
    fclose(f);
    ck_assert(!strncmp(csv, "file,student,score,max_score,kl-self,kl-properties,", 51));
    ck_assert_ptr_nonnull(strstr(csv, "\nalice.txt,alice,1,88,1,0,"));
    ck_assert_ptr_nonnull(strstr(csv, "\nerin,erin,0,88,"));
    size_t lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 6);
    free(csv);
    /* the same with one thread: identical rows */
    el_grade_batch b1;
    ck_assert_int_eq(el_grade_folder(book, all, dir, NULL, 1, &b1), EL_OK);
    for (size_t i = 0; i < b.n; i++)
        ck_assert(b.rows[i].score == b1.rows[i].score);
    el_grade_batch_free(&b1);
    el_grade_batch_free(&b);
    ck_assert_int_eq(el_grade_folder(book, all, "/nonexistent-dir", NULL, 2, &b), EL_EIO);
    rm_tree(dir);
}
END_TEST

/* ---- Gradescope -------------------------------------------------------------------------------- */

static json_t *read_results(const char *root)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/results/results.json", root);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    ck_assert_msg(j != NULL, "%s: %s", path, err.text);
    return j;
}

START_TEST(simulated_autograder_tree)
{
    const el_grade_identity platform = { EL_GRADE_ID_PLATFORM, NULL };
    char *root = temp_dir(), sub[1100];
    snprintf(sub, sizeof sub, "%s/submission", root);
    mkdir(sub, 0755);
    write_file(sub, "notes.pdf", "%PDF-1.4", 8);
    const char *ans = "[kl-self]\nanswer = 0\n[tf-posterior-easy]\nanswer = F\n";
    write_file(sub, "answers.txt", ans, strlen(ans));
    const char *meta =
        "{\"id\": 123, \"users\": [{\"email\": \"Ann@Uni.edu\", \"id\": 77, \"name\": \"Ann\"}]}";
    write_file(root, "submission_metadata.json", meta, strlen(meta));
    ck_assert_int_eq(el_grade_gradescope_run(book, all, root, &platform), EL_OK);
    json_t *j = read_results(root);
    ck_assert(json_number_value(json_object_get(j, "score")) == 2.0);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(j, "output")), "variant of Ann@Uni.edu"));
    ck_assert_uint_eq(json_array_size(json_object_get(j, "tests")), all->n);
    json_decref(j);
    /* an empty submission still gets a results.json that says why */
    snprintf(sub, sizeof sub, "rm -f '%s/submission/'*", root);
    ck_assert_int_eq(system(sub), 0);
    ck_assert_int_eq(el_grade_gradescope_run(book, all, root, &platform), EL_OK);
    j = read_results(root);
    ck_assert(json_number_value(json_object_get(j, "score")) == 0.0);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(j, "output")), "no answer file"));
    json_decref(j);
    rm_tree(root);
}
END_TEST

static double ex_score(const el_grade_report *r)
{
    return result_of(r, "incl-excl-fit")->score;
}

static const char *id_source(const json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "identity"), "source"));
}

/* One file, one identity rule: the same score alone, in a batch and on
 * Gradescope; the report says whose variant it is and where that came from. */
START_TEST(one_identity_everywhere)
{
    ck_assert(el_grade_solver_find("mixture-fit")->general);
    double va[4], vb[4];
    el_grade_exercise_variant(el_grade_book_find(book, "incl-excl-fit"), "ann@uni.edu", va);
    el_grade_exercise_variant(el_grade_book_find(book, "incl-excl-fit"), "bob@uni.edu", vb);
    ck_assert(va[0] != vb[0]); /* two students, two variants */
    char *root = temp_dir(), sub[1100], path[1200];
    snprintf(sub, sizeof sub, "%s/submission", root);
    mkdir(sub, 0755);
    char *text = variant_answers(book, "student = Ann@Uni.edu  ", "ann@uni.edu");
    write_file(sub, "answers.txt", text, strlen(text));
    const char *meta = "{\"users\": [{\"email\": \"bob@uni.edu\", \"sid\": \"123\"}]}";
    write_file(root, "submission_metadata.json", meta, strlen(meta));
    snprintf(path, sizeof path, "%s/answers.txt", sub);
    const el_grade_identity line = { EL_GRADE_ID_STUDENT_LINE, NULL },
                            platform = { EL_GRADE_ID_PLATFORM, NULL },
                            name = { EL_GRADE_ID_NAME, NULL },
                            forced = { EL_GRADE_ID_PLATFORM, "bob@uni.edu" };
    const el_grade_identity *rules[] = { NULL, &line, &platform, &name, &forced };
    const char *used[] = { "Ann@Uni.edu", "Ann@Uni.edu", "bob@uni.edu", "answers", "bob@uni.edu" };
    const char *source[] = { "student-line", "student-line", "platform", "name", "--student" };
    const double want[] = { 4, 4, -1, -1, -1 }; /* -1: less than full marks */
    for (size_t k = 0; k < 5; k++) {
        el_grade_report r; /* alone */
        ck_assert_int_eq(el_grade_file(book, all, path, rules[k], &r), EL_OK);
        ck_assert_str_eq(r.student, used[k]);
        ck_assert_str_eq(r.identity_source, source[k]);
        double alone = ex_score(&r);
        ck_assert_msg(want[k] < 0 ? alone < 4 : alone == want[k], "rule %zu: %g", k, alone);
        int disagree = 0; /* the file's `student =` line is named when it is not used */
        for (size_t i = 0; i < r.notes.n; i++)
            disagree += strstr(r.notes.v[i].text, "student = Ann@Uni.edu") != NULL;
        ck_assert_int_eq(disagree, k >= 2);
        json_t *j = el_grade_json(&r);
        ck_assert_str_eq(id_source(j), source[k]);
        json_decref(j);
        el_grade_report_free(&r);
        el_grade_batch b; /* in a batch: the folder `submission` as one student's */
        ck_assert_int_eq(el_grade_folder(book, all, root, rules[k], 1, &b), EL_OK);
        const el_grade_batch_row *row = NULL; /* beside submission_metadata.json, results/ */
        for (size_t i = 0; i < b.n; i++)
            if (!strcmp(b.rows[i].file, "submission"))
                row = &b.rows[i];
        ck_assert_ptr_nonnull(row);
        ck_assert_msg(k == 3 || !strcmp(row->student, used[k]), "%s", row->student);
        double in_batch = -2;
        for (size_t i = 0; i < all->n; i++)
            if (!strcmp(all->ex[i]->id, "incl-excl-fit"))
                in_batch = row->scores[i];
        el_grade_batch_free(&b);
        if (k != 3) /* by name, the batch's student is the folder, not the file */
            ck_assert(in_batch == alone);
        ck_assert_int_eq(el_grade_gradescope_run(book, all, root, rules[k]), EL_OK);
        j = read_results(root); /* on Gradescope */
        double on_gs = -1;
        json_t *tests = json_object_get(j, "tests");
        for (size_t i = 0; i < json_array_size(tests); i++) {
            json_t *t = json_array_get(tests, i);
            if (!strncmp(json_string_value(json_object_get(t, "name")), "incl-excl-fit", 13))
                on_gs = json_number_value(json_object_get(t, "score"));
        }
        ck_assert_msg(on_gs == alone, "rule %zu: %g on Gradescope, %g alone", k, on_gs, alone);
        json_decref(j);
    }
    /* without a `student =` line, the file's name: the same in every path */
    free(text);
    text = variant_answers(book, "", "dana");
    snprintf(path, sizeof path, "rm -f '%s'/*", sub);
    ck_assert_int_eq(system(path), 0);
    write_file(sub, "dana.txt", text, strlen(text));
    snprintf(path, sizeof path, "%s/dana.txt", sub);
    el_grade_report r;
    ck_assert_int_eq(el_grade_file(book, all, path, NULL, &r), EL_OK);
    ck_assert_str_eq(r.student, "dana");
    ck_assert_str_eq(r.identity_source, "name");
    ck_assert(ex_score(&r) == 4);
    el_grade_report_free(&r);
    el_grade_batch b;
    ck_assert_int_eq(el_grade_folder(book, all, sub, NULL, 2, &b), EL_OK);
    ck_assert_str_eq(b.rows[0].student, "dana");
    ck_assert(b.rows[0].score == 4);
    el_grade_batch_free(&b);
    ck_assert_int_eq(el_grade_gradescope_run(book, all, root, NULL), EL_OK);
    json_t *j = read_results(root);
    ck_assert(json_number_value(json_object_get(j, "score")) == 4);
    json_decref(j);
    el_grade_id_rule rule;
    ck_assert_int_eq(el_grade_id_rule_parse("platform", &rule), EL_OK);
    ck_assert_int_eq(rule, EL_GRADE_ID_PLATFORM);
    ck_assert_int_eq(el_grade_id_rule_parse("sid", &rule), EL_EUSAGE);
    free(text);
    rm_tree(root);
}
END_TEST

/* The bytes of NAME in the zip ZIP (inflated); NULL if absent. */
static char *zip_entry(const char *zip, size_t zn, const char *name, size_t *len)
{
    for (size_t i = 0; i + 46 < zn; i++) {
        const unsigned char *c = (const unsigned char *)zip + i;
        if (c[0] != 0x50 || c[1] != 0x4b || c[2] != 1 || c[3] != 2)
            continue;
        size_t nl = c[28] | c[29] << 8,
               csize = c[20] | c[21] << 8 | (size_t)c[22] << 16 | (size_t)c[23] << 24;
        size_t usize = c[24] | c[25] << 8 | (size_t)c[26] << 16 | (size_t)c[27] << 24;
        size_t off = c[42] | c[43] << 8 | (size_t)c[44] << 16 | (size_t)c[45] << 24;
        if (nl != strlen(name) || memcmp(c + 46, name, nl) != 0)
            continue;
        const unsigned char *l = (const unsigned char *)zip + off;
        size_t data = off + 30 + (l[26] | l[27] << 8) + (l[28] | l[29] << 8);
        char *out = malloc(usize + 1);
        z_stream z;
        memset(&z, 0, sizeof z);
        inflateInit2(&z, -15);
        z.next_in = (Bytef *)zip + data;
        z.avail_in = (uInt)csize;
        z.next_out = (Bytef *)out;
        z.avail_out = (uInt)usize;
        int r = inflate(&z, Z_FINISH);
        inflateEnd(&z);
        ck_assert(usize == 0 || r == Z_STREAM_END);
        out[usize] = '\0';
        *len = usize;
        return out;
    }
    return NULL;
}

START_TEST(autograder_bundle)
{
    char *dir = temp_dir(), zip[1100];
    snprintf(zip, sizeof zip, "%s/autograder.zip", dir);
    ck_assert_int_eq(
        el_grade_gradescope_bundle(el_grade_source_dir(), "kl", EL_GRADE_ID_STUDENT_LINE, zip),
        EL_OK);
    FILE *f = fopen(zip, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(64u << 20);
    size_t zn = fread(buf, 1, 64u << 20, f);
    fclose(f);
    size_t len;
    char *setup = zip_entry(buf, zn, "setup.sh", &len);
    char *run = zip_entry(buf, zn, "run_autograder", &len);
    ck_assert(setup && strstr(setup, "apt-get install") && strstr(setup, "meson compile"));
    ck_assert(run && strstr(run, "gradescope run") && strstr(run, "--set 'kl'"));
    ck_assert_ptr_nonnull(strstr(run, "--identity student-line")); /* the instructor's rule */
    const char *needed[] = { "meson.build", "src/grade/el_grade.h", "exercises/kl-self.ini",
                             "exercises/sets/kl.ini" };
    for (size_t i = 0; i < 4; i++) {
        char *e = zip_entry(buf, zn, needed[i], &len);
        ck_assert_msg(e != NULL && len > 0, "%s missing", needed[i]);
        free(e);
    }
    ck_assert_ptr_null(zip_entry(buf, zn, "build-grade/build.ninja", &len));
    /* run_autograder itself, on a simulated /autograder tree with this build's elbolab */
    char bin[1100], sub[1200], cmd[4000];
    elbolab_program(bin, sizeof bin);
    ck_assert_msg(access(bin, X_OK) == 0,
                  "no elbolab program at %s (meson test sets ELBOLAB_BIN): cannot run the "
                  "autograder",
                  bin);
    write_file(dir, "run_autograder", run, strlen(run));
    snprintf(sub, sizeof sub, "%s/submission", dir);
    mkdir(sub, 0755);
    write_file(sub, "hw.tex", "\\answer{kl-self}{0}", 19);
    snprintf(cmd, sizeof cmd,
             "ELBOLAB_AUTOGRADER_ROOT='%s' ELBOLAB_BIN='%s' ELBOLAB_EXERCISES= "
             "ELBOLAB_SOURCE='%s' sh '%s/run_autograder'",
             dir, bin, el_grade_source_dir(), dir);
    ck_assert_int_eq(system(cmd), 0);
    json_t *j = read_results(dir);
    ck_assert(json_number_value(json_object_get(j, "score")) == 1.0);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "tests")),
                      el_grade_book_set(book, "kl")->n);
    json_decref(j);
    free(setup);
    free(run);
    free(buf);
    ck_assert_int_eq(
        el_grade_gradescope_bundle(el_grade_source_dir(), "a b; rm", EL_GRADE_ID_STUDENT_LINE, zip),
        EL_EUSAGE);
    ck_assert_int_eq(el_grade_gradescope_bundle("/tmp", "all", EL_GRADE_ID_STUDENT_LINE, zip),
                     EL_ENOTFOUND);
    rm_tree(dir);
}
END_TEST

/* ---- text answers (kind = text) and the homework sheets as sets ------------------------ */

static const char text_answers[] =
    "[text-why-logvar]\n"
    "answer = A variance must be positive, but a network's output is any real number;\n"
    "    exp(output) is positive = always valid, and gradients are better scaled.\n"
    "[text-why-reparam]\n"
    "answer =\n"
    "[kl-self]\nanswer = 0\n";

START_TEST(text_parts_are_collected_for_the_instructor)
{
    el_grade_report r;
    grade(text_answers, sizeof text_answers - 1, "t.txt", NULL, &r);
    const el_grade_exercise_result *e = result_of(&r, "text-why-logvar");
    ck_assert_int_eq(e->status, EL_GRADE_MANUAL);
    ck_assert(e->score == 0 && e->max == 0 && e->manual == 1);
    ck_assert(e->parts[0].manual && e->parts[0].manual_points == 1);
    ck_assert_str_eq(e->parts[0].text,
                     "A variance must be positive, but a network's output is any real number;\n"
                     "exp(output) is positive = always valid, and gradients are better scaled.");
    /* an empty text is missing, never collected (negative control) */
    const el_grade_exercise_result *m = result_of(&r, "text-why-reparam");
    ck_assert_int_eq(m->status, EL_GRADE_MISSING);
    ck_assert_ptr_null(m->parts[0].text);
    /* the automatic total counts only what was graded */
    double manual, total = el_grade_set_total(all, &manual);
    ck_assert(manual >= 8 && r.manual == manual);
    ck_assert(r.score == 1.0 && r.max == total - manual);
    /* the terminal report: one line per text part */
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    el_grade_write_text(&r, f, 0);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(out, "text answer (1 point, graded by the instructor), 144 "
                                      "characters: \"A variance must be positive, but a"));
    ck_assert_ptr_nonnull(strstr(out, "text answer (1 point, graded by the instructor): none"));
    char plus[96];
    snprintf(plus, sizeof plus, "Plus %g points of text answers, graded by the instructor.",
             manual);
    ck_assert_ptr_nonnull(strstr(out, plus));
    free(out);
    /* JSON: the part says manual, its points and the text */
    json_t *j = el_grade_json(&r);
    json_t *ex = NULL;
    for (size_t i = 0; i < json_array_size(json_object_get(j, "exercises")); i++) {
        json_t *x = json_array_get(json_object_get(j, "exercises"), i);
        if (!strcmp(json_string_value(json_object_get(x, "id")), "text-why-logvar"))
            ex = x;
    }
    ck_assert_ptr_nonnull(ex);
    json_t *part = json_array_get(json_object_get(ex, "parts"), 0);
    ck_assert(json_is_true(json_object_get(part, "manual")));
    ck_assert(json_integer_value(json_object_get(part, "manual_points")) == 1);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(part, "text")), "\nexp("));
    ck_assert_str_eq(json_string_value(json_object_get(ex, "status")), "for the instructor");
    json_decref(j);
    /* Gradescope: a visible test, out of 0, with the text and the instructor's points */
    json_t *gs = el_grade_gradescope(&r, 0.1), *tests = json_object_get(gs, "tests");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(tests); i++) {
        json_t *t = json_array_get(tests, i);
        const char *name = json_string_value(json_object_get(t, "name"));
        if (strncmp(name, "text-why-", 9) != 0)
            continue;
        const char *o = json_string_value(json_object_get(t, "output"));
        ck_assert(json_number_value(json_object_get(t, "max_score")) == 0);
        ck_assert_ptr_nonnull(strstr(name, "graded by the instructor"));
        ck_assert_ptr_null(json_object_get(t, "status"));
        ck_assert_str_eq(json_string_value(json_object_get(t, "visibility")), "visible");
        if (!strncmp(name, "text-why-logvar ", 16)) {
            ck_assert_ptr_nonnull(strstr(o, "Graded by the instructor (1 point)"));
            ck_assert_ptr_nonnull(strstr(o, "always valid, and gradients"));
        } else {
            ck_assert_ptr_nonnull(strstr(o, "No answer given"));
        }
        seen++;
    }
    ck_assert_int_eq(seen, 2);
    ck_assert(json_number_value(json_object_get(gs, "score")) == 1.0);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(gs, "output")), "more points are graded by"));
    json_decref(gs);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(a_text_answer_keeps_its_paragraphs)
{
    static const char text[] = "[text-why-reparam]\nanswer = First, sampling blocks gradients.\n"
                               "It is not differentiable.\n\nSecond paragraph: eps carries the "
                               "noise.\n\nThird.\n[text-beta-vae]\nOnly words, no key.\n\nAnd "
                               "more words.\n[kl-self]\n1\n\n0\n"
                               "[text-forward-kl-pros-cons]\nPros: it covers every mode.\n"
                               "Cons: it needs samples = of the posterior.\n";
    el_grade_report r;
    grade(text, sizeof text - 1, "p.txt", NULL, &r);
    ck_assert_str_eq(result_of(&r, "text-why-reparam")->parts[0].text,
                     "First, sampling blocks gradients.\nIt is not differentiable.\n\nSecond "
                     "paragraph: eps carries the noise.\n\nThird.");
    ck_assert_str_eq(result_of(&r, "text-beta-vae")->parts[0].text,
                     "Only words, no key.\n\nAnd more words.");
    /* lines that only look like keys are prose, as written */
    ck_assert_str_eq(result_of(&r, "text-forward-kl-pros-cons")->parts[0].text,
                     "Pros: it covers every mode.\n\nCons: it needs samples = of the posterior.");
    /* other answers still grade the last bare line, the rest noted (control) */
    ck_assert(result_of(&r, "kl-self")->score == 1.0);
    int noted = 0;
    for (size_t i = 0; i < r.notes.n; i++)
        noted |= strstr(r.notes.v[i].text, "text in [kl-self] is not graded") != NULL;
    ck_assert(noted);
    el_grade_report_free(&r);
}
END_TEST

START_TEST(a_text_part_beside_a_graded_part)
{
    static const char ex[] = "id = mixed\ntitle = t\nkind = multi\nchecked_by = kl.self_zero\n"
                             "statement = s\n[part value]\nkind = number\nreference = 0\n"
                             "points = 1\n[part why]\nkind = text\npoints = 2\n"
                             "model = text-kl-self-why\nrubric = r\n";
    char *dir = temp_dir();
    write_file(dir, "mixed.ini", ex, sizeof ex - 1);
    int st;
    el_grade_book *b = el_grade_book_load(dir, &st);
    ck_assert_msg(b != NULL, "%s", el_errmsg());
    static const char text[] = "[mixed]\nvalue = 0\nwhy = because log 1 = 0\n";
    el_grade_answers a;
    el_grade_report r;
    ck_assert_int_eq(el_grade_answers_parse(text, sizeof text - 1, "m.txt", &a), EL_OK);
    ck_assert_int_eq(el_grade_score(b, el_grade_book_set(b, "all"), &a, NULL, "m.txt", &r), EL_OK);
    /* the number is graded; the words wait for the instructor */
    ck_assert(r.score == 1 && r.max == 1 && r.manual == 2);
    ck_assert_int_eq(r.ex[0].status, EL_GRADE_CORRECT);
    ck_assert(!r.ex[0].parts[0].manual && r.ex[0].parts[1].manual);
    ck_assert_str_eq(r.ex[0].parts[1].text, "because log 1 = 0");
    json_t *gs = el_grade_gradescope(&r, 0), *t = json_array_get(json_object_get(gs, "tests"), 0);
    const char *o = json_string_value(json_object_get(t, "output"));
    ck_assert(json_number_value(json_object_get(t, "max_score")) == 1);
    ck_assert_str_eq(json_string_value(json_object_get(t, "status")), "passed");
    ck_assert_msg(strstr(o, "value: 1/1 correct") &&
                      strstr(o, "why: Graded by the instructor (2 points). The answer collected:\n"
                                "because log 1 = 0"),
                  "%s", o);
    json_decref(gs);
    el_grade_report_free(&r);
    /* the text part alone missing: the exercise is still graded (control) */
    el_grade_answers_free(&a);
    static const char wrong[] = "[mixed]\nvalue = 1\n";
    ck_assert_int_eq(el_grade_answers_parse(wrong, sizeof wrong - 1, "m.txt", &a), EL_OK);
    ck_assert_int_eq(el_grade_score(b, el_grade_book_set(b, "all"), &a, NULL, "m.txt", &r), EL_OK);
    ck_assert_msg(r.ex[0].status == EL_GRADE_WRONG, "%d %d %s", r.ex[0].parts[0].status,
                  r.ex[0].parts[1].status, r.ex[0].parts[0].feedback);
    ck_assert_int_eq(r.ex[0].parts[1].status, EL_GRADE_MISSING);
    el_grade_report_free(&r);
    el_grade_answers_free(&a);
    el_grade_book_free(b);
    rm_tree(dir);
}
END_TEST

START_TEST(a_sheet_overrides_points)
{
    const el_grade_exercise_set *s0 = el_grade_book_set(book, "sheet-000");
    ck_assert_ptr_nonnull(s0);
    static const char text[] = "[kl-equal-variance]\nanswer = (mu_q - mu_p)^2 / (2 sigma^2)\n"
                               "[kl-properties]\nanswer = 1, 3\n"
                               "[kl-self]\nanswer = 0\n"
                               "[text-kl-self-why]\nanswer = log q/q = 0 everywhere\n";
    el_grade_answers a;
    el_grade_report r;
    ck_assert_int_eq(el_grade_answers_parse(text, sizeof text - 1, "s.txt", &a), EL_OK);
    ck_assert_int_eq(el_grade_score(book, s0, &a, NULL, "s.txt", &r), EL_OK);
    /* kl-equal-variance is worth 2 on its own, 3 on this sheet */
    ck_assert(result_of(&r, "kl-equal-variance")->score == 3.0);
    ck_assert(result_of(&r, "kl-equal-variance")->max == 3.0);
    /* kl-properties: 3 on its own, 2 here; two right of at least two = full */
    ck_assert(result_of(&r, "kl-properties")->max == 2.0);
    ck_assert(result_of(&r, "kl-properties")->score == 2.0);
    ck_assert(r.max == 14.0 && r.manual == 1.0 && r.score == 6.0);
    double manual;
    ck_assert(el_grade_set_total(s0, &manual) == 15.0 && manual == 1.0);
    el_grade_report_free(&r);
    /* the same answers against "all": the exercises' own points (control) */
    ck_assert_int_eq(el_grade_score(book, all, &a, NULL, "s.txt", &r), EL_OK);
    ck_assert(result_of(&r, "kl-equal-variance")->max == 2.0);
    el_grade_report_free(&r);
    el_grade_answers_free(&a);
}
END_TEST

START_TEST(batch_csv_has_a_column_per_text_part)
{
    const el_grade_exercise_set *s1 = el_grade_book_set(book, "sheet-001");
    ck_assert_ptr_nonnull(s1);
    char *dir = temp_dir();
    static const char ann[] =
        "[text-why-logvar]\nanswer = keeps the variance positive, \"always\"\n"
        "[elbo-name]\nanswer = evidence lower bound\n";
    static const char bob[] = "[text-why-reparam]\nanswer = =so that gradients reach mu\n";
    write_file(dir, "ann.txt", ann, sizeof ann - 1);
    write_file(dir, "bob.txt", bob, sizeof bob - 1);
    el_grade_batch b;
    ck_assert_int_eq(el_grade_folder(book, s1, dir, NULL, 2, &b), EL_OK);
    char *csv = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&csv, &n);
    ck_assert_int_eq(el_grade_batch_write_csv(&b, f), EL_OK);
    fclose(f);
    ck_assert_msg(strstr(csv, ",reparam-sample-code,") == NULL &&
                      strstr(csv, ",text:text-elbo-tight-why.answer,text:text-why-logvar.answer,"
                                  "text:text-why-reparam.answer,error\n"),
                  "%s", csv);
    /* max_score counts only what is graded: 9 points minus 2.5 of text */
    ck_assert_msg(strstr(csv, "\nann.txt,ann,1,6.5,") != NULL, "%s", csv);
    ck_assert_ptr_nonnull(strstr(csv, ",,\"keeps the variance positive, \"\"always\"\"\",,"));
    /* a text that a spreadsheet would read as a formula is defused */
    ck_assert_ptr_nonnull(strstr(csv, ",\"'=so that gradients reach mu\","));
    free(csv);
    el_grade_batch_free(&b);
    rm_tree(dir);
}
END_TEST

static Suite *grade_suite(void)
{
    Suite *s = suite_create("grade");
    TCase *core = tcase_create("Core");
    tcase_add_checked_fixture(core, load, unload);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, every_key_scores_full);
    tcase_add_test(core, every_declared_mistake_is_diagnosed);
    tcase_add_test(core, every_option_spelling_is_recognised);
    tcase_add_test(core, notations_score_full);
    tcase_add_test(core, multi_part_notations);
    tcase_add_test(core, wrong_answers_are_diagnosed);
    tcase_add_test(core, unreadable_only_when_unreadable);
    tcase_add_test(core, notes_beside_their_exercise);
    tcase_add_test(core, failing_point_is_simple);
    tcase_add_test(core, partial_credit);
    tcase_add_test(core, latex_submission);
    tcase_add_test(core, forgiving_ini);
    tcase_add_test(core, remarks_are_not_glued);
    tcase_add_test(core, utf16_file);
    tcase_add_test(core, grouped_and_listed_forms);
    tcase_add_test(core, unknown_and_duplicate_sections);
    tcase_add_test(core, statements_and_variants);
    tcase_add_test(core, same_submission_same_bytes);
    tcase_add_test(core, gradescope_results_format);
    tcase_add_test(core, text_and_json_reports);
    tcase_add_test(core, simulated_autograder_tree);
    tcase_add_test(core, autograder_bundle);
    tcase_add_test(core, one_identity_everywhere);
    tcase_add_test(core, default_variant_numbers_named);
    tcase_add_test(core, statements_print_plain);
    tcase_add_test(core, decomposition_from_the_kl);
    tcase_add_test(core, batch_with_a_bad_file);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_checked_fixture(lim, load, unload);
    tcase_set_timeout(lim, 120);
    tcase_add_test(lim, binary_junk);
    tcase_add_test(lim, ten_megabyte_line);
    tcase_add_test(lim, empty_and_odd_files);
    tcase_add_test(lim, unreadable_file_is_an_error);
    tcase_add_test(lim, fuzz_corpus_replays);
    tcase_add_test(lim, bad_exercise_files_name_the_line);
    tcase_add_test(lim, text_parts_are_collected_for_the_instructor);
    tcase_add_test(lim, a_sheet_overrides_points);
    tcase_add_test(lim, a_text_part_beside_a_graded_part);
    tcase_add_test(lim, a_text_answer_keeps_its_paragraphs);
    tcase_add_test(lim, batch_csv_has_a_column_per_text_part);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(grade_suite)
