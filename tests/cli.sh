#!/bin/sh
# cli.sh ELBOLAB -- the command-line contract: exit codes, one-line errors,
# JSON that parses, reproducible output.  Prints "N passed, M failed".
# ELBOLAB_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") runs every call under a tool.
E="$1"
BIN="$1"
if [ -n "${ELBOLAB_WRAPPER:-}" ]; then
    wrapped() { $ELBOLAB_WRAPPER "$BIN" "$@"; }
    E=wrapped
fi
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE CMD...: the exit status of CMD must be CODE
expect() {
    code=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok; else bad "exit $rc (wanted $code): $*"; fi
}

# one_line_error: stderr has exactly one line and stdout is empty
one_line_error() {
    if [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then ok
    else bad "not one clean error line: $(cat "$tmp/err")"; fi
}

is_json() {
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null; then ok
    else bad "not JSON: $1"; fi
}

expect 0 "$E" --help
expect 0 "$E" --version
for c in list check eval plot; do expect 0 "$E" "$c" --help; done
expect 2 "$E"
expect 2 "$E" bogus; one_line_error

expect 2 "$E" eval kl.normal mu1=0 sigma1=-1 mu2=1 sigma2=2; one_line_error
grep -qx 'elbolab eval: sigma1 must be > 0, got -1' "$tmp/err" && ok || bad "sigma1 message: $(cat "$tmp/err")"
expect 2 "$E" eval kl.mvn 'mu0=[0,0]' 'Sigma0=[[1,2],[2,1]]' 'mu1=[0,0]' 'Sigma1=[[1,0],[0,1]]'; one_line_error
grep -q 'Sigma0 is not positive definite' "$tmp/err" && ok || bad "PD message: $(cat "$tmp/err")"
expect 2 "$E" eval kl.nope; one_line_error
grep -q 'kl.normal' "$tmp/err" && ok || bad "unknown name does not list the known ones"
expect 2 "$E" eval kl.normal mu1=0 sigma1=1 mu2=1; one_line_error
expect 2 "$E" eval kl.discrete 'p=[0.5,0.6]' 'q=[0.5,0.5]'; one_line_error
expect 2 "$E" eval kl.normal 'mu1=[0' sigma1=1 mu2=1 sigma2=2; one_line_error
expect 2 "$E" eval kl.normal mu1=0 sigma1=1 mu2=1 sigma2=2 --samples 0; one_line_error

expect 0 "$E" eval kl.normal mu1=0 sigma1=1 mu2=1 sigma2=2 --json; is_json eval
grep -q '"closed_form": 0.44314718055994529' "$tmp/out" && ok || bad "17 significant digits"
expect 0 "$E" eval kl.mvn 'mu0=[0,0]' 'Sigma0=[[2,0.3],[0.3,1]]' 'mu1=[1,0]' 'Sigma1=[[1,0],[0,1]]' --json; is_json mvn
grep -q '"abserr"' "$tmp/out" && ok || bad "kl.mvn at d = 2 has no quadrature"

expect 0 "$E" list; grep -c '^kl\.' "$tmp/out" | grep -qx 12 && ok || bad "list does not show the 12 kl checks"
expect 0 "$E" list --json; is_json list
expect 0 "$E" check kl.gauss_1d --json; is_json check
expect 2 "$E" check nope; one_line_error
expect 2 "$E" check --seed x; one_line_error
# two runs, each exiting 0 with a row for every kl check, print the same bytes
# (two crashes print nothing, which would compare equal)
"$E" check kl --seed 7 >"$tmp/a"; rc_a=$?
"$E" check kl --seed 7 >"$tmp/b"; rc_b=$?
if [ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ] && [ "$(grep -c '^kl\.' "$tmp/a")" -eq 12 ] &&
    cmp -s "$tmp/a" "$tmp/b"; then ok
else bad "check kl --seed 7 twice: exit $rc_a and $rc_b, $(wc -c <"$tmp/a") and $(wc -c <"$tmp/b") bytes, not the same 12 rows"; fi
expect 0 "$E" check kl.gauss_std --negative
grep -q REJECTED "$tmp/out" && ok || bad "negative control not shown as rejected"

if command -v gnuplot >/dev/null 2>&1; then
    expect 0 "$E" plot kl-convex --out "$tmp/plots"
    [ -s "$tmp/plots/kl-convex.png" ] && [ -s "$tmp/plots/kl-convex.gp" ] && ok || bad "plot files missing"
    expect 0 "$E" plot kl-convex --format dumb --out "$tmp/plots"
fi
expect 2 "$E" plot nope; one_line_error
expect 2 "$E" plot --format gif; one_line_error

# grade: one identity rule, said in the report; exercise show prints the variant
printf 'student = ann@uni.edu\n[kl-self]\nanswer = 0\n' >"$tmp/carl.txt"
expect 2 "$E" grade "$tmp/carl.txt" --identity sid; one_line_error
expect 2 "$E" gradescope run --identity sid; one_line_error
expect 0 "$E" grade "$tmp/carl.txt" --identity name --json; is_json "grade --json"
grep -q '"used": "carl"' "$tmp/out" && grep -q '"source": "name"' "$tmp/out" && ok ||
    bad "grade --identity name: $(grep -A2 identity "$tmp/out")"
grep -q 'student = ann@uni.edu' "$tmp/out" && ok || bad "the disagreeing student line is not named"
expect 0 "$E" grade "$tmp/carl.txt"
grep -q 'student ann@uni.edu from student-line' "$tmp/out" && ok || bad "identity not in the text report"
expect 0 "$E" exercise show incl-excl-fit --student ann@uni.edu
grep -q 'per-student variants' "$tmp/out" && grep -q '^  w1 = ' "$tmp/out" && ok ||
    bad "exercise show does not print the variant"

# serve: bad usage is one line and exit 2, before anything listens
expect 0 "$E" serve --help
expect 2 "$E" serve --port 70000; one_line_error
expect 2 "$E" serve --port; one_line_error
expect 2 "$E" serve extra; one_line_error
expect 2 "$E" serve --bind not-an-address --port 0; one_line_error

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
