/* check_vae_fashion.c -- the IDX reader on Debian's Fashion-MNIST
 * (dataset-fashion-mnist, EL_VAE_FASHION_DIR).  Its own test program: the data
 * set is an optional package, and a missing one makes this test *skipped*
 * (exit status 77), not passed. */
#include <check.h>
#include <stdio.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"
#include "vae/el_vae.h"

#define TEST_IMAGES EL_VAE_FASHION_DIR "/t10k-images-idx3-ubyte.gz"

START_TEST(fashion_mnist_test_set)
{
    int s;
    el_vae_data *d = el_vae_idx_load(EL_VAE_FASHION_DIR, "t10k", 0.5, 100, &s);
    ck_assert_msg(d != NULL, "%s", el_errmsg());
    ck_assert_uint_eq(d->n, 100);
    ck_assert_uint_eq(d->d, 784);
    ck_assert_uint_eq(d->width, 28);
    ck_assert(d->binary);
    ck_assert(d->nclass <= 10);
    el_vae_data_free(d);
}
END_TEST

static Suite *fashion_suite(void)
{
    Suite *s = suite_create("vae_fashion");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, fashion_mnist_test_set);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    if (access(TEST_IMAGES, R_OK) != 0) {
        printf("SKIP: %s is not installed (apt-get install dataset-fashion-mnist)\n", TEST_IMAGES);
        return EL_CHECK_SKIPPED;
    }
    return el_check_run_suite(fashion_suite());
}
