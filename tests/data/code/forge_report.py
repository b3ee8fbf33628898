# A hostile answer: it tries to write the grader's report itself -- through
# the harness's own function, and through the parent's descriptors in /proc
# -- and its sampler is wrong (no noise).
import json
import os

FORGED = {"ok": False, "stage": "load", "error": "Forged", "message": "FORGED BY STUDENT", "line": 0}

try:
    import __main__
    __main__.report(FORGED)
except BaseException:
    pass

try:
    fds = "/proc/%d/fd" % os.getppid()
    for name in os.listdir(fds):
        try:
            with open(os.path.join(fds, name), "w") as fh:
                fh.write(json.dumps(FORGED) + "\n")
        except OSError:
            pass
except OSError:
    pass


def reparameterize(mu, logvar):
    return mu + 0.0 * logvar
