# code_harness.py -- run inside the sandbox by the grader (src/grade/code.c)
# for a code answer that samples z ~ N(mu, exp(logvar)) by the
# reparameterisation trick.  Embedded into elbolab and run as
#     python3 -I -B -c HARNESS CONFIG_JSON
# in the sandbox's work folder, where the student's code is submission.py.
#
# It only *runs* the student's function and reports raw numbers as one JSON
# object on the last line of standard output; every judgement (statistics,
# diagnoses, points) is made in C.  The student's code runs in a child
# process that answers requests over pipes; only this parent, made
# non-dumpable, holds the report's descriptor, so the student's code cannot
# write a report of its own.  Every call is preceded by seeding
# Python's, NumPy's and (when importable) PyTorch's generators, and
# numpy.random.default_rng() without a seed is given the same seed, so the
# same submission gives the same numbers byte for byte.
import json
import os
import re
import signal
import sys
import textwrap

CFG = json.loads(sys.argv[1])
OUT = os.fdopen(os.dup(1), "w")  # the report; the student's prints go to stderr
os.dup2(2, 1)
sys.stdout = sys.stderr

import random  # noqa: E402

import numpy as np  # noqa: E402

_default_rng = np.random.default_rng
_seed = [0]


def _seeded_default_rng(seed=None):
    return _default_rng(_seed[0] if seed is None else seed)


np.random.default_rng = _seeded_default_rng
torch = None


def report(obj):
    OUT.write(json.dumps(obj, sort_keys=True) + "\n")
    OUT.flush()
    os._exit(0)


def reseed(s):
    _seed[0] = s
    random.seed(s)
    np.random.seed(s)
    if torch is not None:
        torch.manual_seed(s)


def load(seed):
    """Runs submission.py afresh (after seeding) and returns its namespace."""
    reseed(seed)
    ns = {"__name__": "submission", "__file__": "submission.py"}
    exec(compile(SOURCE, "submission.py", "exec"), ns)
    return ns


def find(ns):
    """The student's function: a known name first, then the only function
    whose parameters include a known mean and a known log-variance name."""
    funcs = {k: v for k, v in ns.items()
             if callable(v) and getattr(v, "__module__", None) == "submission"
             and hasattr(v, "__code__")}
    for name in CFG["names"]:
        if name in funcs:
            return name, funcs[name]
    cands = []
    for k, f in sorted(funcs.items()):
        args = f.__code__.co_varnames[:f.__code__.co_argcount]
        if any(a in CFG["mean_args"] for a in args) and any(a in CFG["logvar_args"] for a in args):
            cands.append((k, f))
    if len(cands) == 1:
        return cands[0]
    raise LookupError("no function named %s (or taking %s and %s) was found"
                      % (", ".join(CFG["names"][:4]), CFG["mean_args"][0], CFG["logvar_args"][0]))


def call_order(f):
    """How to pass (mu, logvar): by keyword when the names say which is which."""
    args = f.__code__.co_varnames[:f.__code__.co_argcount]
    m = [a for a in args if a in CFG["mean_args"]]
    v = [a for a in args if a in CFG["logvar_args"]]
    if m and v:
        return (m[0], v[0])
    return None


def as_input(x, grad=False):
    if TORCH_MODE:
        t = torch.tensor(np.asarray(x), dtype=torch.float64)
        if grad:
            t.requires_grad_(True)
        return t
    return np.asarray(x, dtype=np.float64)


def as_array(z):
    if torch is not None and isinstance(z, torch.Tensor):
        z = z.detach().cpu().numpy()
    if isinstance(z, (tuple, list)) and len(z) > 0 and not np.isscalar(z[0]):
        z = z[0]  # (z, eps) or (z, mu, logvar): the sample comes first
    return np.asarray(z, dtype=np.float64)


def invoke(f, order, mu, lv, seed):
    reseed(seed)
    if order:
        return f(**{order[0]: mu, order[1]: lv})
    return f(mu, lv)


def run(seed, mu, lv, fresh):
    """z for (mu, logvar) after seeding; FRESH re-runs the module first (so
    that a generator kept in the module starts again too)."""
    f = find(load(seed))[1] if fresh else FUNC
    z = as_array(invoke(f, ORDER, as_input(mu), as_input(lv), seed))
    return z


def listed(z):
    return [float(x) for x in np.ravel(z)]


# ---- the child: the only process that runs the student's code ----------------

def error_of(exc):
    """What a failed call tells the parent: the exception's kind, its first
    line and the line of submission.py it came from."""
    kind = type(exc).__name__
    text = str(exc).strip().splitlines()
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "submission.py":
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and exc.filename == "submission.py":
        line = exc.lineno or 0
    return {"ok": False, "error": kind, "message": (text[0] if text else "")[:300], "line": line}


def child_init():
    global SOURCE, FUNC, ORDER, TORCH_MODE, torch
    with open("submission.py", encoding="utf-8", errors="replace") as fh:
        SOURCE = textwrap.dedent(fh.read())
    uses_torch = re.search(r"^\s*(import|from)\s+torch\b", SOURCE, re.M) is not None
    if uses_torch:
        try:
            import torch as _torch
            torch = _torch
            torch.set_num_threads(1)
        except ImportError:
            return {"ok": False, "error": "NoTorch",
                    "message": "PyTorch is not installed where the code is graded", "line": 0}
    TORCH_MODE = torch is not None
    name, FUNC = find(load(CFG["seed"]))
    ORDER = call_order(FUNC)
    return {"ok": True, "function": name, "torch": TORCH_MODE}


def child_answer(req):
    if req["op"] == "init":
        return child_init()
    if req["op"] == "run":
        z = run(req["seed"], np.array(req["mu"]), np.array(req["lv"]), req["fresh"])
        return {"ok": True, "z": listed(z), "shape": list(z.shape)}
    return {"ok": True, "grad": gradients(np.array(req["mu"]), np.array(req["lv"]), req["seed"])}


def serve(rd, wr):
    """Answers the parent's requests, one JSON line each, until it closes."""
    for line in rd:
        try:
            ans = child_answer(json.loads(line))
        except BaseException as e:  # noqa: B902 -- SystemExit too: a submission that exits
            ans = error_of(e)
        wr.write(json.dumps(ans) + "\n")
        wr.flush()
    os._exit(0)


# ---- the parent: asks, judges nothing, writes the report -----------------------

class Failed(Exception):
    """A request the student's code failed (ANS: the child's error)."""

    def __init__(self, ans):
        Exception.__init__(self, ans.get("message", ""))
        self.ans = ans


def nondumpable():
    """prctl(PR_SET_DUMPABLE, 0): the child (same user) cannot open this
    process's /proc/PID/fd, so it cannot reach the report's descriptor."""
    import ctypes
    if ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_DUMPABLE) failed")


def start_child():
    """Forks the child that runs the student's code; returns ask(request)."""
    req_r, req_w = os.pipe()
    ans_r, ans_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        OUT.close()  # the report's descriptor never reaches the student's code
        os.close(req_w)
        os.close(ans_r)
        serve(os.fdopen(req_r, "r"), os.fdopen(ans_w, "w"))
    os.close(req_r)
    os.close(ans_w)
    wr, rd = os.fdopen(req_w, "w"), os.fdopen(ans_r, "r")

    def ask(req):
        try:
            wr.write(json.dumps(req) + "\n")
            wr.flush()
            line = rd.readline()
        except OSError:
            line = ""
        if not line:  # the child is gone: end as it ended, with no report
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                sig = os.WTERMSIG(status)
                signal.signal(sig, signal.SIG_DFL)
                os.kill(os.getpid(), sig)
            os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
        ans = json.loads(line)
        if not isinstance(ans, dict) or not ans.get("ok"):
            raise Failed(ans if isinstance(ans, dict) else {})
        return ans
    return ask


def main():
    nondumpable()
    ask = start_child()
    try:
        init = ask({"op": "init"})
    except Failed as e:
        e.ans.update({"ok": False, "stage": "load"})
        report(e.ans)
    res = {"ok": True, "function": init["function"], "torch": init["torch"]}
    mu, lv = np.array(CFG["mu"]), np.array(CFG["logvar"])
    n, s = CFG["n"], CFG["seed"]

    def run_z(seed, m, v, fresh):
        a = ask({"op": "run", "seed": seed, "mu": m.tolist(), "lv": v.tolist(), "fresh": fresh})
        return np.array(a["z"]).reshape(a["shape"])

    stage = "call"
    try:
        z1 = run_z(s + 1, mu, lv, True)
        res["single_shape"] = list(z1.shape)
        res["single"] = listed(z1)
        mu_b, lv_b = np.tile(mu, (n, 1)), np.tile(lv, (n, 1))
        stage = "batch"
        try:
            zb = run_z(s + 2, mu_b, lv_b, True)
            batch_ok = zb.shape == mu_b.shape
            res["batch_shape"] = list(zb.shape)
        except Failed as e:  # a 1-D only function: the samples come one call each
            batch_ok = False
            res["batch_shape"] = []
            res["batch_error"] = "%s: %s" % (e.ans.get("error", ""), e.ans.get("message", ""))
        stage = "samples"
        if batch_ok:
            res["samples_from"] = "batch"
        else:  # one call per sample, the module loaded once
            run_z(s + 2, mu, lv, True)
            zb = np.array([run_z(s + 3 + i, mu, lv, False) for i in range(n)])
            res["samples_from"] = "calls"
        res["samples"] = listed(zb)
        stage = "repeat"  # two calls in a row with different seeds, no reload
        res["repeat"] = [listed(run_z(s + 10, mu, lv, False)), listed(run_z(s + 11, mu, lv, False))]
        stage = "reparam"  # same seed, fresh module: the same noise
        shift, scale = np.array(CFG["shift"]), np.array(CFG["scale"])
        h = CFG["h"]
        res["base"] = listed(run_z(s + 20, mu, lv, True))
        res["shifted"] = listed(run_z(s + 20, mu + shift, lv, True))
        res["scaled"] = listed(run_z(s + 20, mu, lv + 2 * np.log(scale), True))
        res["fd_mu"] = listed(run_z(s + 20, mu + h, lv, True))
        res["fd_logvar"] = listed(run_z(s + 20, mu, lv + h, True))
        if init["torch"]:
            stage = "gradients"
            res["autograd"] = ask({"op": "grad", "mu": mu.tolist(), "lv": lv.tolist(),
                                   "seed": s + 20})["grad"]
    except Failed as e:
        e.ans.update({"ok": False, "stage": stage})
        report(e.ans)
    report(res)


def gradients(mu, lv, seed):
    """d sum(z) / d mu and d sum(z) / d logvar by autograd, and z (in the child)."""
    f = find(load(seed))[1]
    m, v = as_input(mu, True), as_input(lv, True)
    z = invoke(f, ORDER, m, v, seed)
    if isinstance(z, (tuple, list)):
        z = z[0]
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        return {"reaches": False}
    try:
        z.sum().backward()
    except RuntimeError as e:
        return {"reaches": False, "error": str(e)[:200]}
    gm = m.grad if m.grad is not None else torch.zeros_like(m)
    gv = v.grad if v.grad is not None else torch.zeros_like(v)
    return {"reaches": m.grad is not None and v.grad is not None, "z": listed(as_array(z)),
            "d_mu": listed(as_array(gm)), "d_logvar": listed(as_array(gv))}


main()
