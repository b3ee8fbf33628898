/* net.h -- private to src/vae: the two compiled precisions of the network
 * (net_source.c built as net_f.c and net_d.c).  vae.c dispatches on
 * el_vae.prec; nothing outside src/vae includes this header. */
#ifndef EL_VAE_NET_H
#define EL_VAE_NET_H

#include "vae/el_vae.h"

#define EL_VAE_NET_DECLARE(S)                                                                      \
    void el_vae_work_free_##S(el_vae *m);                                                          \
    int el_vae_loss_##S(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n,           \
                        double beta, const gsl_rng *r, int grad, el_vae_terms *out);               \
    int el_vae_train_step_##S(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n,     \
                              double beta, const gsl_rng *r, double lr, el_vae_terms *out);        \
    void el_vae_adam_##S(el_vae *m, double lr);                                                    \
    int el_vae_log_weights_##S(el_vae *m, const el_vae_data *data, size_t first, size_t n,         \
                               size_t k, const gsl_rng *r, double *logw);                          \
    int el_vae_encode_##S(el_vae *m, const el_vae_data *data, size_t first, size_t n, double *mu,  \
                          double *logvar);                                                         \
    int el_vae_decode_##S(el_vae *m, const double *z, size_t n, double *xmean);

EL_VAE_NET_DECLARE(f)
EL_VAE_NET_DECLARE(d)

#endif
