#!/usr/bin/env python3
"""layout.py -- the layering of src/ as a test (meson test --suite layout).

usage: layout.py SRC_DIR --topics T1,T2,... [--lib MODULE=LIBRARY ...]

Modules are the folders of src/ (a topic folder such as results/kl is one
module).  They sit in layers, lowest first:

    core
    num  dist  expr  sandbox
    check  eval  plot
    the topics (src/meson.build's `topics`: results/kl ... vae)
    topics
    derive
    grade
    serve
    cli

A module may use the modules of the layers below its own; within its layer,
only the ones listed in PEERS.  Three rules, each of which fails this test:

  1. includes: every `#include "DIR/FILE"` in src/MODULE names MODULE itself,
     or an allowed module and one of its public headers (el_*.h; a generated
     header of that module is fine too);
  2. symbols (with --lib): every el_* symbol that a module's static library
     uses but does not define is defined by an allowed module's library
     (nm), so that a call upwards fails even without an #include;
  3. files (with --lib): inside a module's library, the files' uses of each
     other's symbols form no circle (grade/ had one: answers -> catalog ->
     batch -> grade -> answers).

Prints one line per violation and "N violations (...)" at the end;
exit status 1 if there is any.
"""
import os
import re
import subprocess
import sys

LAYERS_BELOW_TOPICS = [["core"], ["num", "dist", "expr", "sandbox"], ["check", "eval", "plot"]]
LAYERS_ABOVE_TOPICS = [["topics"], ["derive"], ["grade"], ["serve"], ["cli"]]

# Same-layer uses, each declared once here (and as a Meson dependency).
PEERS = {
    "results/elbo": ["results/kl"],
    "results/vi": ["results/kl"],
    "results/gmvae": ["results/elbo", "results/kl"],
}

# Headers a module generates in the build tree (not found in src/).
GENERATED = {"topics/topic_list.h", "grade/grade_config.h", "derive/derive_config.h",
             "serve/serve_config.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layers(topics):
    return LAYERS_BELOW_TOPICS + [topics] + LAYERS_ABOVE_TOPICS


def allowed_map(topics):
    """Module -> the set of modules it may use (itself excluded)."""
    allowed, below = {}, []
    for layer in layers(topics):
        for m in layer:
            allowed[m] = set(below) | set(PEERS.get(m, []))
        below += layer
    return allowed


def module_of(path, modules):
    """The module (longest folder prefix) that PATH (relative to src/) is in."""
    best = None
    for m in modules:
        if path == m or path.startswith(m + "/"):
            if best is None or len(m) > len(best):
                best = m
    return best


def check_includes(src, modules, allowed):
    bad = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            owner = module_of(os.path.dirname(rel), modules)
            if owner is None:
                bad.append("%s: not in any module of the layer table" % rel)
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                target = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                used = module_of(os.path.dirname(target), modules)
                if "/" not in target or used == owner:
                    continue
                where = "%s:%d" % (rel, line)
                if used is None:
                    bad.append('%s: #include "%s" is in no module' % (where, target))
                elif used not in allowed[owner]:
                    bad.append('%s: #include "%s": %s may not use %s (a higher layer, '
                               'or an undeclared peer)' % (where, target, owner, used))
                elif not (os.path.basename(target).startswith("el_") or target in GENERATED):
                    bad.append('%s: #include "%s" is private to %s (use its el_*.h)'
                               % (where, target, used))
    return bad


def symbols(lib):
    """(defined, undefined) el_* symbols of a static library."""
    out = subprocess.run(["nm", "-g", "--defined-only", lib], capture_output=True, text=True,
                         check=True).stdout
    defined = set(re.findall(r"^[0-9a-f]+ [A-Z] (el_\w+)$", out, re.M))
    out = subprocess.run(["nm", "-g", "--undefined-only", lib], capture_output=True, text=True,
                         check=True).stdout
    undefined = set(re.findall(r"^\s+U (el_\w+)$", out, re.M))
    return defined, undefined - defined


def check_symbols(libs, allowed):
    bad = []
    defs = {m: symbols(path) for m, path in libs.items()}
    owner_of = {}
    for m, (defined, _) in defs.items():
        for s in defined:
            owner_of[s] = m
    for m, (_, undefined) in sorted(defs.items()):
        for s in sorted(undefined):
            o = owner_of.get(s)
            if o is None:
                bad.append("lib %s: uses %s, which no module defines" % (m, s))
            elif o not in allowed.get(m, set()):
                bad.append("lib %s: uses %s of %s (a higher layer, or an undeclared peer)"
                           % (m, s, o))
    return bad


def members(lib):
    """{object file: (defined, undefined)} global symbols of each member of LIB."""
    out = subprocess.run(["nm", "-A", "-g", lib], capture_output=True, text=True,
                         check=True).stdout
    objs = {}
    for line in out.splitlines():
        m = re.match(r"[^:]+:([^:]+):\s*(?:[0-9a-f]+)?\s+([A-Za-z]) (\S+)$", line)
        if not m:
            continue
        obj, kind, sym = m.groups()
        defined, undefined = objs.setdefault(obj, (set(), set()))
        (undefined if kind == "U" else defined).add(sym)
    return objs


def file_circle(objs):
    """A circle of files (a list ending where it starts), or None."""
    owner = {s: o for o, (defined, _) in objs.items() for s in defined}
    uses = {o: sorted({owner[s] for s in und if s in owner and owner[s] != o})
            for o, (_, und) in objs.items()}
    state = {}

    def visit(o, path):
        state[o] = 1
        for u in uses[o]:
            if state.get(u) == 1:
                return path[path.index(u):] + [u]
            if u not in state:
                found = visit(u, path + [u])
                if found:
                    return found
        state[o] = 2
        return None

    for o in sorted(objs):
        if o not in state:
            found = visit(o, [o])
            if found:
                return found
    return None


# Files that call each other by design, counted as one unit by rule 3: the
# derivation checker's evaluator and its integrator are one recursion (an
# expectation's integrand is an expression, which may hold an expectation).
RECURSIVE = {"derive": [["eval.c", "integrate.c"]]}


def merged(objs, groups):
    """objs with each group of files folded into its first file."""
    alias = {}
    for group in groups:
        keys = [o for o in objs if re.sub(r"\.c\.o$|\.o$", ".c", os.path.basename(o)) in group]
        for k in keys[1:]:
            alias[k] = keys[0]
    out = {}
    for o, (defined, undefined) in objs.items():
        d, u = out.setdefault(alias.get(o, o), (set(), set()))
        d |= defined
        u |= undefined
    return out


def check_files(libs):
    bad = []
    for m, path in sorted(libs.items()):
        circle = file_circle(merged(members(path), RECURSIVE.get(m, [])))
        if circle:
            names = [re.sub(r"\.c\.o$|\.o$", ".c", os.path.basename(o)) for o in circle]
            bad.append("lib %s: its files use each other in a circle: %s" % (m, " -> ".join(names)))
    return bad


def main(argv):
    src, topics, libs = None, [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--topics":
            topics = [t for t in argv[i + 1].split(",") if t]
            i += 2
        elif a == "--lib":
            m, _, path = argv[i + 1].partition("=")
            libs[m] = path
            i += 2
        else:
            src = a
            i += 1
    if not src or not topics:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    allowed = allowed_map(topics)
    modules = sorted(allowed)
    for m in libs:
        if m not in allowed:
            print("lib %s: not a module of the layer table" % m)
            return 1
    bad = (check_includes(src, modules, allowed) + check_symbols(libs, allowed) +
           check_files(libs))
    for b in bad:
        print(b)
    print("%d violations (%d modules, %d libraries checked)" % (len(bad), len(modules), len(libs)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
