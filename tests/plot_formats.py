#!/usr/bin/env python3
"""plot_formats.py ELBOLAB TMPDIR -- every figure in every format.

Runs `elbolab plot all --format F` for png, svg and pdf (the three at once,
in their own folders) and `elbolab plot ID --format dumb` for each figure,
then checks that each figure left a non-empty script and a valid output:
a PNG with its signature and an IHDR chunk, an SVG that parses as XML with
an <svg> root, a PDF with its header and %%EOF, and a dumb preview of
printable UTF-8 text with something drawn in it.  The checkers are first
shown to reject plausible wrong files (the negative controls).  Exits 77
(skipped) when gnuplot is not installed, 1 on any failure."""

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

FORMATS = ("png", "svg", "pdf")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def check_png(data):
    if len(data) < 33 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return "not a PNG (signature or IHDR missing)"
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if w < 100 or h < 100:
        return "a PNG of %dx%d pixels" % (w, h)
    if b"IEND" not in data[-16:]:
        return "a PNG without its IEND chunk (truncated)"
    return None


def check_svg(data):
    head = data.lstrip()[:5]
    if not (head.startswith(b"<?xml") or head.startswith(b"<svg")):
        return "does not start with <?xml or <svg"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return "not well-formed XML: %s" % e
    if not root.tag.endswith("svg"):
        return "the root element is <%s>, not <svg>" % root.tag
    if len(list(root.iter())) < 20:
        return "an SVG with almost nothing drawn"
    return None


def check_pdf(data):
    if not data.startswith(b"%PDF-"):
        return "no %PDF- header"
    if b"%%EOF" not in data[-64:]:
        return "no %%EOF at the end (truncated)"
    return None


def check_dumb(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    if any(ord(c) < 32 and c not in "\n\r\t\f" for c in text):
        return "control characters in a text preview"
    lines = [l for l in text.splitlines() if l.strip()]
    if len(lines) < 10:
        return "a preview of %d non-blank lines" % len(lines)
    if not any(ch in text for ch in "*#$%@&="):
        return "a preview with no curve or point glyph"
    return None


CHECKS = {"png": check_png, "svg": check_svg, "pdf": check_pdf, "dumb": check_dumb}


def negative_controls():
    """Each checker rejects an empty file and a plausible wrong one."""
    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (1000).to_bytes(4, "big") * 2 + b"x" * 20
    bad = {
        "png": [png, b"GIF89a" + b"\0" * 64],  # no IEND (truncated); another format
        "svg": [b"<svg xmlns='http://www.w3.org/2000/svg'><g>", b"<html></html>"],
        "pdf": [b"%PDF-1.5\n1 0 obj\n", b"PK\x03\x04"],
        "dumb": [b"\n" * 40, b"plot\n\x1b[31m" * 20],
    }
    for fmt, wrongs in bad.items():
        for data in [b""] + wrongs:
            if CHECKS[fmt](data) is None:
                fail("the %s checker accepted a wrong file %r" % (fmt, data[:24]))


def figure_ids(exe):
    out = subprocess.run([exe, "plot", "--help"], capture_output=True, text=True, check=True)
    ids = []
    for line in out.stdout.splitlines():
        if line.startswith("  ") and "(check " in line:
            ids.append(line.split()[0])
    return ids


def check_file(path, fmt, what):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail("%s: %s" % (what, e))
        return
    why = CHECKS[fmt](data) if data else "empty"
    if why:
        fail("%s (%s): %s" % (what, path, why))


def check_script(path, what):
    """The script a figure leaves beside its image: non-empty, with its plot."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        fail("%s left no readable script: %s" % (what, e))
        return
    if "plot " not in text:
        fail("%s: the script %s has no plot command" % (what, path))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    exe, tmp = sys.argv[1], sys.argv[2]
    negative_controls()
    if shutil.which("gnuplot") is None:
        print("SKIP: gnuplot is not installed (apt-get install gnuplot-nox)")
        return 77
    ids = figure_ids(exe)
    if len(ids) < 20:
        fail("plot --help lists only %d figures" % len(ids))
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    runs = {}
    for fmt in FORMATS:
        runs[fmt] = subprocess.Popen([exe, "plot", "all", "--format", fmt, "--out",
                                      os.path.join(tmp, fmt)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dumb_dir = os.path.join(tmp, "dumb")
    for fid in ids:
        r = subprocess.run([exe, "plot", fid, "--format", "dumb", "--out", dumb_dir],
                           capture_output=True)
        if r.returncode != 0:
            fail("plot %s --format dumb exited %d: %s" % (fid, r.returncode, r.stderr[-300:]))
            continue
        why = CHECKS["dumb"](r.stdout) if r.stdout else "no preview printed"
        if why:
            fail("plot %s --format dumb: %s" % (fid, why))
        check_script(os.path.join(dumb_dir, fid + ".gp"), "plot %s --format dumb" % fid)
    for fmt, p in runs.items():
        err = p.communicate()[1]
        if p.returncode != 0:
            fail("plot all --format %s exited %d: %s" % (fmt, p.returncode, err[-300:]))
        for fid in ids:
            check_script(os.path.join(tmp, fmt, fid + ".gp"), "plot all --format %s" % fmt)
            check_file(os.path.join(tmp, fmt, fid + "." + fmt), fmt, "%s as %s" % (fid, fmt))
    n = len(ids) * (len(FORMATS) + 1)
    print("%d figures x %d formats: %d outputs checked" % (len(ids), len(FORMATS) + 1, n))
    print("%d problems found" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
