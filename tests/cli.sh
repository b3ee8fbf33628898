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

# issue 12: quadrature in q's own coordinate; routes that cannot be computed
# are unavailable with a reason, and the others are still printed
expect 0 "$E" eval kl.normal mu1=1000 sigma1=1 mu2=0 sigma2=1
grep -q '^  quadrature   500000\.0000000' "$tmp/out" && ok || bad "kl.normal mu1=1000: $(cat "$tmp/out")"
expect 0 "$E" eval kl.normal mu1=980 sigma1=5510 mu2=-507 sigma2=0.000583
grep -q '^  closed form' "$tmp/out" && grep -q '^  monte carlo' "$tmp/out" && ok || bad "lost routes"
expect 0 "$E" eval kl.normal_std mu=0 sigma=1e200 --json; is_json unavailable
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["closed_form"] == "inf" and o["quadrature"] is None and o["monte_carlo"] is None and o["reasons"]["quadrature"] and o["reasons"]["monte_carlo"]' "$tmp/out" && ok || bad "inf and reasons: $(cat "$tmp/out")"
expect 0 "$E" eval kl.normal_std mu=0 sigma=1e200
grep -q '^  quadrature   unavailable: ' "$tmp/out" && ok || bad "unavailable line: $(cat "$tmp/out")"
# routes that disagree beyond their error bars: a line of its own, exit 1
# (3 draws: seed 7 gives a standard error far too small)
expect 1 "$E" eval kl.normal mu1=0 sigma1=1 mu2=1 sigma2=2 --samples 3 --seed 7
grep -q '^  DISAGREEMENT: the routes disagree' "$tmp/out" && ok || bad "no disagreement line"
# parameters as the grader reads them
expect 0 "$E" eval fit.inclusive 'w=[1/3,2/3]' 'm=[-1,1]' 's=[sqrt(1),1]' --json; is_json expr
grep -q '"mu": 0.33333333333333' "$tmp/out" && ok || bad "w=[1/3,2/3]: $(cat "$tmp/out")"
expect 0 "$E" eval kl.normal_std mu=-1e3 'sigma=sqrt(2)'

# the smallest --samples keeps every check's power (issue 12: at 100 draws
# elbo.iwae and vi.posterior_intractable failed and two controls passed)
expect 0 "$E" check elbo.iwae vi.posterior_intractable --samples 100
expect 0 "$E" check vi.forward_objective vae.kl_term --samples 100 --negative
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

# prairielearn: the question folder and the grader on a simulated /grade tree
expect 0 "$E" prairielearn --help
expect 2 "$E" prairielearn; one_line_error
expect 2 "$E" prairielearn question kl-self --out "$tmp/course"; one_line_error   # no --image
expect 2 "$E" prairielearn question nope --out "$tmp/course" --image me/g; one_line_error
expect 2 "$E" prairielearn question kl-self --out "$tmp/course" --image me/g --timeout 0; one_line_error
expect 2 "$E" prairielearn grade --identity sid; one_line_error
expect 2 "$E" prairielearn grade --root "$tmp/no-such-root" --set kl; one_line_error
expect 0 "$E" prairielearn question kl-self --out "$tmp/course" --image me/g
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["gradingMethod"] == "External"' \
    "$tmp/course/questions/elbolab/kl-self/info.json" && ok || bad "prairielearn info.json"
mkdir -p "$tmp/pl/grade/student" "$tmp/pl/grade/data"
cp "$tmp/carl.txt" "$tmp/pl/grade/student/answers.txt"
printf '{"params": {"email": "dora@uni.edu"}}' >"$tmp/pl/grade/data/data.json"
expect 0 "$E" prairielearn grade --root "$tmp/pl" --exercise kl-self --identity platform
cp "$tmp/pl/grade/results/results.json" "$tmp/out"; is_json "prairielearn results.json"
grep -q '"used": "dora@uni.edu"' "$tmp/out" && grep -q '"score": 1' "$tmp/out" && ok ||
    bad "prairielearn grade: $(cat "$tmp/out")"
expect 0 "$E" exercise show incl-excl-fit --student ann@uni.edu
grep -q 'per-student variants' "$tmp/out" && grep -q '^  w1 = ' "$tmp/out" && ok ||
    bad "exercise show does not print the variant"

# exercise list --sets, show --key, check (issue 11): the sheets as sets, the instructor view
expect 0 "$E" exercise list --sets
for k in 0 1 2 3 4; do grep -q "^  sheet-00$k " "$tmp/out" && ok || bad "list --sets lacks sheet-00$k"; done
grep -q '^  sheet-000 *15 points (1 by the instructor)' "$tmp/out" && ok || bad "sheet-000's points: $(grep sheet-000 "$tmp/out")"
expect 0 "$E" exercise list --sets --json; is_json "exercise list --sets --json"
expect 2 "$E" exercise list --sets --set kl; one_line_error
expect 0 "$E" exercise list --set sheet-001
grep -q '^  4  *1  why the encoder models log sigma' "$tmp/out" && grep -q 'text-why-logvar  *text' "$tmp/out" && ok ||
    bad "exercise list --set sheet-001 does not map question 4"
expect 0 "$E" exercise show kl-equal-variance --key
grep -q '^  answer = (mu_q - mu_p)^2 / (2 sigma^2)' "$tmp/out" && grep -q 'mistake no-half' "$tmp/out" && ok ||
    bad "show --key lacks the key or the mistakes"
expect 0 "$E" exercise show kl-equal-variance
grep -q 'mistake no-half' "$tmp/out" && bad "show without --key shows the mistakes" || ok
expect 0 "$E" exercise show incl-excl-fit --key --student ann@uni.edu
grep '^  inclusive_mu = ' "$tmp/out" >"$tmp/ann-key"
expect 0 "$E" exercise show incl-excl-fit --key
grep '^  inclusive_mu = ' "$tmp/out" >"$tmp/default-key"
[ -s "$tmp/ann-key" ] && ! cmp -s "$tmp/ann-key" "$tmp/default-key" && ok || bad "show --key ignores the variant"
expect 2 "$E" exercise show kl-self --key --json; one_line_error
expect 0 "$E" exercise show text-why-reparam --key
grep -q '^Model answer (.*notes/text-why-reparam.md):' "$tmp/out" && grep -q 'pathwise estimator' "$tmp/out" && ok ||
    bad "show --key of a text exercise lacks its model answer"
expect 0 "$E" exercise check "$(dirname "$0")/../exercises/kl-equal-variance.ini"
grep -q 'closed form' "$tmp/out" && ok || bad "exercise check does not say the key was verified"
sed 's|^reference = (mu_q - mu_p)^2 / (2 sigma^2)|reference = (mu_q - mu_p)^2 / (3 sigma^2)|' \
    "$(dirname "$0")/../exercises/kl-equal-variance.ini" >"$tmp/wrong-key.ini"
expect 1 "$E" exercise check "$tmp/wrong-key.ini"; one_line_error
grep -q "not kl.gauss_equal_var's closed form" "$tmp/err" && ok || bad "wrong key: $(cat "$tmp/err")"
sed 's|^answer = (mu_q - mu_p)^2 / sigma^2$|answer = (mu_p - mu_q)^2 / (2 sigma^2)|' \
    "$(dirname "$0")/../exercises/kl-equal-variance.ini" >"$tmp/same-mistake.ini"
expect 1 "$E" exercise check "$tmp/same-mistake.ini"; one_line_error
grep -q "is accepted as right" "$tmp/err" && ok || bad "accepted mistake: $(cat "$tmp/err")"
printf 'id = x\ntitle = t\nkind = essay\nstatement = s\nchecked_by = kl.self_zero\n' >"$tmp/bad-kind.ini"
expect 1 "$E" exercise check "$tmp/bad-kind.ini"; one_line_error
expect 2 "$E" exercise check "$tmp/no-such.ini"; one_line_error
sed 's|^checked_by = kl.gauss_equal_var|checked_by = kl.gauss_equal_vr|' \
    "$(dirname "$0")/../exercises/kl-equal-variance.ini" >"$tmp/typo.ini"
expect 1 "$E" exercise check "$tmp/typo.ini"; one_line_error
grep -q "checked_by 'kl.gauss_equal_vr' is not a check of the catalogue" "$tmp/err" && ok || bad "typo: $(cat "$tmp/err")"
expect 0 "$E" exercise check "$(dirname "$0")/../exercises/text-why-logvar.ini"
checked=0
for f in "$(dirname "$0")"/../exercises/*.ini; do # every exercise of the book passes its own check
    "$E" exercise check "$f" >/dev/null 2>"$tmp/err" && checked=$((checked + 1)) || bad "exercise check $f: $(cat "$tmp/err")"
done
[ "$checked" -ge 45 ] && ok || bad "exercise check ran on $checked exercises only"
sed 's|^model = text-why-logvar|model = text-no-such-note|' "$(dirname "$0")/../exercises/text-why-logvar.ini" >"$tmp/no-model.ini"
expect 1 "$E" exercise check "$tmp/no-model.ini"; one_line_error
grep -q 'model answer notes/text-no-such-note.md is not found' "$tmp/err" && ok || bad "no model: $(cat "$tmp/err")"

# kind = text: a line in the terminal report, a text: column in the batch CSV
mkdir -p "$tmp/class"
printf '[text-why-logvar]\nanswer = the variance stays positive\n[elbo-name]\nanswer = evidence lower bound\n' >"$tmp/class/ann.txt"
expect 0 "$E" grade "$tmp/class/ann.txt" --set sheet-001
grep -q 'text answer (1 point, graded by the instructor), 27 characters: "the variance stays positive"' "$tmp/out" &&
    grep -q 'Plus 2.5 points of text answers' "$tmp/out" && ok || bad "grade: no text line: $(cat "$tmp/out")"
expect 0 "$E" grade --batch "$tmp/class" --set sheet-001 --csv "$tmp/class.csv"
head -1 "$tmp/class.csv" | grep -q ',text:text-why-logvar.answer,' && grep -q ',the variance stays positive,' "$tmp/class.csv" && ok ||
    bad "batch CSV: $(cat "$tmp/class.csv")"
# a simulated Gradescope run of sheet-004: the text is a visible test out of 0
mkdir -p "$tmp/gs/submission"
printf '[text-beta-vae]\nanswer = disentangled factors, at the cost of blurrier reconstructions\n[derive-kl-nonnegative]\nanswer = x\n' >"$tmp/gs/submission/answers.txt"
expect 0 "$E" gradescope run --root "$tmp/gs" --set sheet-004
python3 - "$tmp/gs/results/results.json" <<'PY' && ok || bad "gradescope run: text test"
import json, sys
r = json.load(open(sys.argv[1]))
t = [t for t in r["tests"] if t["name"].startswith("text-beta-vae ")][0]
assert t["max_score"] == 0 and "status" not in t and t["visibility"] == "visible", t
assert "graded by the instructor" in t["name"] and "blurrier reconstructions" in t["output"], t
assert "Graded by the instructor (1 point)" in t["output"], t
assert r["score"] == 0 and "graded by the instructor" in r["output"], r
PY

# serve: bad usage is one line and exit 2, before anything listens
expect 0 "$E" serve --help
expect 2 "$E" serve --port 70000; one_line_error
expect 2 "$E" serve --port; one_line_error
expect 2 "$E" serve extra; one_line_error
expect 2 "$E" serve --bind not-an-address --port 0; one_line_error

# ---- hostile files and paths (issue 13) ----
# mkmodel OUT NAME [D H Z W HT NPARAMS]: a model file with a valid checksum, data
# name NAME, a linear Gaussian decoder; NPARAMS (default: what the shape needs)
# and the image shape W x HT (default 0 x 0) may lie.
mkmodel() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
a = sys.argv[1:]
out, name = a[0], a[1].encode()
D, H, Z, W, HT = (int(v) for v in (a[2:7] if len(a) > 2 else [2, 0, 1, 0, 0]))
need = 2 * Z * D + 2 * Z + D * Z + D if H == 0 else H * D + H + 2 * Z * H + 2 * Z + H * Z + H + D * H + D
np_ = int(a[7]) if len(a) > 7 else need
b = b"ELBOVAE\0" + struct.pack("<IIQQQQId", 1, 8, D, H, Z, 0, 1, 0.5)
b += struct.pack("<I", len(name)) + name + struct.pack("<dQQQ", -1.0, W, HT, 1)
b += struct.pack("<Q", np_) + b"".join(struct.pack("<d", 0.01 * i) for i in range(min(np_, need)))
b += struct.pack("<I", zlib.crc32(b) & 0xffffffff)
open(out, "wb").write(b)
PY
}
# not_created FILE WHAT: FILE must not exist (a command the hostile input tried to run)
not_created() { if [ -e "$1" ]; then bad "$2: $1 was created"; rm -f "$1"; else ok; fi; }

pwn="$tmp/pwned"
mkmodel "$tmp/evil.vae" "x'
system('touch $pwn')
#"
if command -v gnuplot >/dev/null 2>&1; then
    expect 0 "$E" vae sample "$tmp/evil.vae" --out "$tmp/evil-fig"
    not_created "$pwn" "vae sample with a hostile data name"
    grep -q "^set title '.*(x''?system(''touch .*)'\$" "$tmp/evil-fig/samples.gp" && ok ||
        bad "the hostile data name is not one escaped title line"
    expect 2 "$E" plot kl-convex --out "$tmp/x
system(\"touch $pwn\")
#"; one_line_error
    not_created "$pwn" "plot --out with a newline"
    [ ! -e "$tmp/x
system(\"touch $pwn\")
#" ] && ok || bad "plot --out with a newline created its folder"
    expect 0 "$E" plot kl-convex --format dumb --out "$tmp/it's"
    expect 2 "$E" vae sample "$tmp/evil.vae" --out "$tmp/y
system('touch $pwn')"; one_line_error
    not_created "$pwn" "vae sample --out with a newline"
    expect 2 "$E" vae train --data synthetic:toy2d --epochs 1 --rows 200 --figures "$tmp/z
system('touch $pwn')"; one_line_error
    not_created "$pwn" "vae train --figures with a newline"
    [ ! -e "$tmp/z
system('touch $pwn')" ] && ok || bad "vae train --figures with a newline made its folder"
    mkdir -p "$tmp/q'uote"
    expect 0 "$E" vae train --data synthetic:toy2d --epochs 2 --rows 200 --figures "$tmp/q'uote" --out "$tmp/q'uote/m.vae"
    [ -s "$tmp/q'uote/training.png" ] && ok || bad "vae train --figures into a folder with a quote"
fi

# crafted models: the image shape must fit the model; sizes are checked
# against the file's length before anything is allocated
mkmodel "$tmp/shape.vae" toy 2 0 1 64 64
expect 2 "$E" vae sample "$tmp/shape.vae" --out "$tmp/shape-fig"; one_line_error
grep -q 'images of 64 x 64 for 2 inputs' "$tmp/err" && ok || bad "image shape message: $(cat "$tmp/err")"
mkmodel "$tmp/huge.vae" toy 1048576 950 2 0 0 5
expect 2 "$E" vae sample "$tmp/huge.vae" --text; one_line_error
grep -q 'has [0-9]* bytes; its shapes need' "$tmp/err" && ok || bad "huge model message: $(cat "$tmp/err")"
mkfifo "$tmp/fifo"
expect 2 timeout 10 "$E" vae sample "$tmp/fifo" --text; one_line_error
grep -q 'not a regular file' "$tmp/err" && ok || bad "FIFO model message: $(cat "$tmp/err")"

# FIFOs, devices and endless files: only regular files are read, in bounded lines
expect 2 timeout 10 "$E" grade "$tmp/fifo"; one_line_error
grep -q 'not a regular file' "$tmp/err" && ok || bad "grade FIFO message: $(cat "$tmp/err")"
expect 2 timeout 10 "$E" eval em.gmm K=2 'init_w=[0.5,0.5]' 'init_mu=[-1,1]' 'init_sigma=[1,1]' iterations=5 data="$tmp/fifo"; one_line_error
grep -q "not a regular file" "$tmp/err" && ok || bad "eval data=FIFO message: $(cat "$tmp/err")"
expect 2 timeout 10 "$E" eval em.gmm K=2 'init_w=[0.5,0.5]' 'init_mu=[-1,1]' 'init_sigma=[1,1]' iterations=5 data=/dev/zero; one_line_error
grep -q 'not a regular file' "$tmp/err" && ok || bad "eval data=/dev/zero message: $(cat "$tmp/err")"
head -c 100000 /dev/zero | tr '\0' 1 >"$tmp/longline"
expect 2 "$E" eval em.gmm K=2 'init_w=[0.5,0.5]' 'init_mu=[-1,1]' 'init_sigma=[1,1]' iterations=5 data="$tmp/longline"; one_line_error
grep -q 'a line longer than' "$tmp/err" && ok || bad "long line message: $(cat "$tmp/err")"
mkdir -p "$tmp/class/alice" "$tmp/class/bob"
cp "$(dirname "$0")/fuzz/corpus_answers/good.txt" "$tmp/class/alice/answers.txt"
mkfifo "$tmp/class/bob/answers.txt" "$tmp/class/carol.txt"
timeout 60 "$E" grade --batch "$tmp/class" --jobs 2 --csv "$tmp/class.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 124 ] && ok || bad "grade --batch hangs on a FIFO"
[ -f "$tmp/class.csv" ] && grep -q '^alice' "$tmp/class.csv" && ok || bad "grade --batch with FIFOs: no row for alice (exit $rc): $(cat "$tmp/err")"

# outputs: never replace a device, FIFO or link, never follow a planted link
train() { "$E" vae train --data synthetic:toy2d --epochs 1 --rows 200 "$@"; }
is_fifo() { if [ -p "$1" ]; then ok; else bad "$2: the FIFO was replaced"; fi; }
keeps() { if [ "$(cat "$1")" = keep ]; then ok; else bad "$2: the link's target was overwritten"; fi; }
echo keep >"$tmp/victim"
expect 2 train --out "$tmp/fifo" --no-figures
is_fifo "$tmp/fifo" "vae train --out FIFO"
ln -s "$tmp/victim" "$tmp/model.vae.tmp"
expect 0 train --out "$tmp/model.vae" --no-figures
keeps "$tmp/victim" "vae train --out with a planted .tmp link"
ln -s "$tmp/victim" "$tmp/link.vae"
expect 2 train --out "$tmp/link.vae" --no-figures
keeps "$tmp/victim" "vae train --out LINK"
expect 2 timeout 60 "$E" grade --batch "$tmp/class" --csv "$tmp/fifo"
is_fifo "$tmp/fifo" "grade --csv FIFO"
ln -s "$tmp/victim" "$tmp/g.csv.tmp"
expect 0 timeout 60 "$E" grade --batch "$tmp/class" --csv "$tmp/g.csv"
keeps "$tmp/victim" "grade --csv with a planted .tmp link"
if command -v gnuplot >/dev/null 2>&1; then
    mkdir -p "$tmp/lp"
    ln -s "$tmp/victim" "$tmp/lp/kl-convex.png"
    expect 2 "$E" plot kl-convex --out "$tmp/lp"; one_line_error
    keeps "$tmp/victim" "plot into a linked image"
    # failures exit non-zero: figures into a folder that cannot be made, too many images
    expect 2 train --out "$tmp/m2.vae" --figures "$tmp/victim/figs"
    mkmodel "$tmp/img.vae" img 4 0 1 2 2
    expect 2 "$E" vae sample "$tmp/img.vae" --n 100000 --out "$tmp/imgfig"; one_line_error
    expect 0 "$E" vae sample "$tmp/img.vae" --n 16 --out "$tmp/imgfig"
    [ -s "$tmp/imgfig/samples.png" ] && ok || bad "vae sample drew no image grid"
    ls -A "$tmp/imgfig" "$tmp/lp" "$tmp" | grep -q '\.tmp.' && bad "a temporary file was left behind" || ok
fi

# grade --batch: a file name is never a spreadsheet formula; its own CSV is not a student
mkdir -p "$tmp/class2"
cp "$(dirname "$0")/fuzz/corpus_answers/good.txt" "$tmp/class2/=1+1.txt"
cp "$(dirname "$0")/fuzz/corpus_answers/good.txt" "$tmp/class2/@sum.txt"
expect 0 "$E" grade --batch "$tmp/class2" --csv "$tmp/class2/scores.csv"
expect 0 "$E" grade --batch "$tmp/class2" --csv "$tmp/class2/scores.csv"
# (the student column is the identity used: the file's student line, here)
if grep -q '^"'"'"'=1+1.txt",' "$tmp/class2/scores.csv" && grep -q '^"'"'"'@sum' "$tmp/class2/scores.csv" &&
    ! grep -q '^[=+@-]' "$tmp/class2/scores.csv"; then ok; else bad "CSV formulas: $(cut -c1-40 "$tmp/class2/scores.csv")"; fi
[ "$(wc -l <"$tmp/class2/scores.csv")" -eq 3 ] && ok || bad "grade --batch graded its own CSV: $(cut -c1-30 "$tmp/class2/scores.csv")"

# an infinite value is the string "inf" in JSON, not null ("not applicable")
expect 0 "$E" eval kl.discrete 'p=[0.5,0.5]' 'q=[1,0]' --json; is_json inf
grep -q '"closed_form": "inf"' "$tmp/out" && ok || bad "infinite KL in JSON: $(grep closed_form "$tmp/out")"

# messages name the parameter at fault, in one line
expect 2 "$E" eval kl.mvn 'mu0=[nan,0]' 'Sigma0=[[1,0],[0,1]]' 'mu1=[0,0]' 'Sigma1=[[1,0],[0,1]]'; one_line_error
grep -q 'mu0: entry 0 must be finite' "$tmp/err" && ok || bad "NaN in mu0: $(cat "$tmp/err")"
if command -v gnuplot >/dev/null 2>&1; then
    mkdir -p "$tmp/dirpng/kl-convex.png"
    expect 2 "$E" plot kl-convex --out "$tmp/dirpng"; one_line_error
fi

expect 2 "$E" gradescope --set kl -o "$tmp/fifo"; one_line_error
is_fifo "$tmp/fifo" "gradescope -o FIFO"
expect 2 timeout 10 "$E" derive "$tmp/fifo"; one_line_error

# exit codes that tell the truth
if [ -w /dev/full ]; then
    for c in "list" "list --json" "check kl.gauss_1d" "eval kl.normal mu1=0 sigma1=1 mu2=1 sigma2=2" "--version"; do
        # shellcheck disable=SC2086
        "$E" $c >/dev/full 2>"$tmp/err"; rc=$?
        [ "$rc" -eq 2 ] && ok || bad "elbolab $c >/dev/full exits $rc"
    done
fi
expect 2 "$E" check kl.gauss_1d --seed ' -1'; one_line_error
expect 2 "$E" vae sample "$tmp/evil.vae" --text --seed ' -1'; one_line_error
cp "$tmp/evil.vae" "$tmp/$(printf 'bad\377').vae"
expect 2 "$E" vae eval "$tmp/$(printf 'bad\377').vae" --data synthetic:toy2d --rows 50 --iwae 5 --json; one_line_error

# code answers (kind = code): --exercise, the refusal without a sandbox, --unsafe-code
D="$(dirname "$0")/data/code"
expect 2 "$E" grade "$D/right_numpy.py" --exercise no-such-exercise; one_line_error
ELBOLAB_SANDBOX=none "$E" grade "$D/right_numpy.py" --exercise reparam-sample-code >"$tmp/out" 2>&1
grep -q 'Total: 0/6' "$tmp/out" && grep -q 'Not run: bubblewrap is disabled' "$tmp/out" && ok || bad "code ran without a sandbox: $(cat "$tmp/out")"
if "$E" grade "$D/right_numpy.py" --exercise reparam-sample-code >"$tmp/out" 2>&1 && grep -q 'Total: 6/6' "$tmp/out"; then
    ok
    ELBOLAB_SANDBOX=none "$E" grade "$D/right_numpy.py" --exercise reparam-sample-code --unsafe-code >"$tmp/out" 2>&1
    grep -q 'Total: 6/6' "$tmp/out" && ok || bad "--unsafe-code did not run the code: $(cat "$tmp/out")"
    # --batch: a folder whose only answer is a .py is graded against the set's code exercise
    mkdir -p "$tmp/codeclass/ann" "$tmp/codeclass/bob"
    cp "$D/right_numpy.py" "$tmp/codeclass/ann/reparam.py"
    cp "$D/std_is_variance.py" "$tmp/codeclass/bob/reparam.py"
    expect 0 "$E" grade --batch "$tmp/codeclass" --set vae --csv "$tmp/code.csv"
    grep -q '^ann,.*,6' "$tmp/code.csv" && grep -q '^bob,.*,1' "$tmp/code.csv" && ok || bad "batch of .py folders: $(cat "$tmp/code.csv")"
    # Gradescope: a submission that is only a .py file
    mkdir -p "$tmp/gspy/submission"
    cp "$D/right_numpy.py" "$tmp/gspy/submission/reparam.py"
    expect 0 "$E" gradescope run --root "$tmp/gspy" --set vae
    python3 -c 'import json,sys; t=[t for t in json.load(open(sys.argv[1]))["tests"] if t["name"].startswith("reparam-sample-code")]; sys.exit(not (len(t) == 1 and t[0]["score"] == 6))' "$tmp/gspy/results/results.json" && ok || bad "gradescope run with a .py: $(cat "$tmp/gspy/results/results.json")"
else
    echo "SKIP: code answers need bubblewrap and python3-numpy ($(tail -1 "$tmp/out"))"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
