"""sympy_step.py -- what a computer-algebra system does with one step of a
Gaussian-KL derivation: KL(q || p) = E_q[log q - log p] for q = N(mu_q,
sigma_q^2), p = N(mu_p, sigma_p^2), by symbolic integration (SymPy).
Prints the wall time and whether SymPy reached the closed form. ELBO Lab
checks the same step numerically (bench_derive); see notes/derive.md.
Run: python3 bench/sympy_step.py   (SymPy is not a dependency of ELBO Lab)."""
import time

import sympy as sp

z = sp.symbols("z", real=True)
mq, mp = sp.symbols("mu_q mu_p", real=True)
sq, sp_ = sp.symbols("sigma_q sigma_p", positive=True)


def normal(x, m, s):
    return sp.exp(-(x - m) ** 2 / (2 * s ** 2)) / sp.sqrt(2 * sp.pi * s ** 2)


q, p = normal(z, mq, sq), normal(z, mp, sp_)
closed = sp.log(sp_ / sq) + (sq ** 2 + (mq - mp) ** 2) / (2 * sp_ ** 2) - sp.Rational(1, 2)
t0 = time.perf_counter()
kl = sp.integrate(q * (sp.log(q) - sp.log(p)), (z, -sp.oo, sp.oo))
t1 = time.perf_counter()
same = sp.simplify(kl - closed) == 0
t2 = time.perf_counter()
print(f"sympy {sp.__version__}: integrate {t1 - t0:.2f} s, simplify {t2 - t1:.2f} s, "
      f"reached the closed form: {same}")
# A step with an expectation over an *unspecified* q, as students write it,
# E_q[log p(x,z)] - E_q[log q(z|x)] = log p(x) - KL(q || p(z|x)), has no
# symbolic meaning at all without a model: SymPy cannot state it.

# A step whose integrand is not a polynomial times a Gaussian, e.g. the
# GM-VAE's E_{q(w|x)}[log sum_k pi_k N(w; mu_k, sigma_k^2)] or, simpler,
# E_q[log(1 + z^2)]: SymPy returns an unevaluated Integral (or runs long).
import signal


def _stop(*_):
    raise TimeoutError


signal.signal(signal.SIGALRM, _stop)
signal.alarm(60)
t0 = time.perf_counter()
try:
    r = sp.integrate(q * sp.log(1 + z ** 2), (z, -sp.oo, sp.oo))
    status = "unevaluated Integral" if r.has(sp.Integral) else f"closed form {r}"
except TimeoutError:
    status = "no answer within 60 s"
signal.alarm(0)
print(f"E_q[log(1 + z^2)]: {status} after {time.perf_counter() - t0:.1f} s")
