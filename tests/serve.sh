#!/bin/sh
# serve.sh ELBOLAB api|browser [OUTDIR] -- `elbolab serve` over loopback.
#   api:     starts the server on 127.0.0.1 with --port 0, posts derivations and
#            compares with `elbolab derive --json`, sends bad and oversized
#            bodies and concurrent requests, then stops it (SIGTERM).
#   browser: loads the page in Debian's headless chromium with a derivation
#            whose last step is wrong, checks that step is marked and the
#            others hold, and writes OUTDIR/serve-e2e.png.
# Skipped (exit 77) without libmicrohttpd, curl or (browser) chromium.
# Prints "N passed, M failed"; every request is bounded in time.
E="$1"
MODE="${2:-api}"
OUT="${3:-.}"
pass=0
fail=0
tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; exit 77; }

command -v curl >/dev/null 2>&1 || skip "curl is not installed (scripts/deps.sh --browser)"
if [ "$MODE" = browser ]; then
    command -v chromium >/dev/null 2>&1 || skip "chromium is not installed (scripts/deps.sh --browser)"
fi

# start the server on a free port; its first line names the URL
"$E" serve --port 0 >"$tmp/url" 2>"$tmp/err" &
pid=$!
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$tmp/url" 2>/dev/null)
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        pid=""
        grep -q "no HTTP server" "$tmp/err" && skip "built without libmicrohttpd"
        echo "FAIL: the server did not start: $(cat "$tmp/err")"
        exit 1
    fi
    sleep 0.1
done
[ -n "$url" ] || { echo "FAIL: no URL within 10 s"; exit 1; }

# req METHOD PATH [BODYFILE]: status into $code, body into $tmp/body
req() {
    if [ -n "${3:-}" ]; then
        code=$(curl -s --max-time 30 -o "$tmp/body" -w '%{http_code}' -X "$1" \
            -H 'Content-Type: application/json' --data-binary "@$3" "$url${2#/}")
    else
        code=$(curl -s --max-time 30 -o "$tmp/body" -w '%{http_code}' -X "$1" "$url${2#/}")
    fi
}
expect_code() {
    if [ "$code" = "$1" ]; then ok; else bad "$2: status $code, wanted $1: $(head -c 200 "$tmp/body")"; fi
}
has() { if grep -q -- "$1" "$tmp/body"; then ok; else bad "$2: no '$1' in $(head -c 200 "$tmp/body")"; fi; }

api() {
    req GET /
    expect_code 200 "GET /"
    has "/app.js" "the page"
    # POST /api/derive answers what `elbolab derive --json` prints
    printf 'log p(x) = log sum_z q(z|x) p(x,z)/q(z|x)\n  = sum_z q(z|x) log(p(x,z)/q(z|x))\n' >"$tmp/d.txt"
    "$E" derive - --context discrete --seed 5 --json <"$tmp/d.txt" \
        | sed 's/"file": "-"/"file": "(request)"/' >"$tmp/cli.json"
    printf '{"text": "log p(x) = log sum_z q(z|x) p(x,z)/q(z|x)\\n  = sum_z q(z|x) log(p(x,z)/q(z|x))\\n", "context": "discrete", "seed": 5}' >"$tmp/d.json"
    req POST /api/derive "$tmp/d.json"
    expect_code 200 "POST /api/derive"
    echo >>"$tmp/body"
    if cmp -s "$tmp/body" "$tmp/cli.json"; then ok; else bad "the API's derive JSON differs from the CLI's"; fi
    # errors: one-line JSON, 4xx
    printf '{"text": ' >"$tmp/bad.json"
    req POST /api/derive "$tmp/bad.json"
    expect_code 400 "bad JSON"
    has '"error"' "bad JSON"
    head -c 2000000 /dev/zero | tr '\0' 'a' >"$tmp/big"
    req POST /api/derive "$tmp/big"
    expect_code 413 "a 2 MB body"
    req GET /api/nothing
    expect_code 404 "an unknown path"
    code=$(curl -s --max-time 30 --path-as-is -o "$tmp/body" -w '%{http_code}' \
        "${url}katex/../../../../etc/passwd")
    expect_code 404 "a path out of KaTeX's folder"
    req GET "/api/exercises/derive-elbo-jensen?student=alice"
    expect_code 200 "GET an exercise"
    has '"student": "alice"' "the student's variant"
    printf '{"exercise": "derive-elbo-jensen", "answers": {"answer": "log p(x) = log p(x)"}}' >"$tmp/g.json"
    req POST /api/grade "$tmp/g.json"
    expect_code 200 "POST /api/grade"
    has '"max_score": 3' "the grade report"
    # a client that sends its body very slowly does not stall the others
    head -c 200000 /dev/zero | tr '\0' ' ' >"$tmp/slow"
    curl -s --max-time 60 --limit-rate 2k -o /dev/null -H 'Content-Type: application/json' \
        --data-binary "@$tmp/slow" "${url}api/derive" &
    slow=$!
    sleep 0.3
    req GET /api/contexts
    expect_code 200 "a request beside a slow upload"
    kill "$slow" 2>/dev/null
    wait "$slow" 2>/dev/null
    # concurrent requests: each answered, each the CLI's JSON
    pids=""
    for i in 1 2 3 4 5 6; do
        curl -s --max-time 30 -o "$tmp/c$i" -w '%{http_code}' -H 'Content-Type: application/json' \
            --data-binary "@$tmp/d.json" "${url}api/derive" >"$tmp/code$i" &
        pids="$pids $!"
    done
    # shellcheck disable=SC2086
    wait $pids
    for i in 1 2 3 4 5 6; do
        echo >>"$tmp/c$i"
        if [ "$(cat "$tmp/code$i")" = 200 ] && cmp -s "$tmp/c$i" "$tmp/cli.json"; then ok
        else bad "concurrent request $i: $(cat "$tmp/code$i")"; fi
    done
}

browser() {
    text=$(printf 'log p(x) = log sum_z q(z|x) p(x,z)/q(z|x)\n  >= sum_z q(z|x) log(p(x,z)/q(z|x))   (by Jensen)\n  = E_q[log p(x|z)] + KL(q(z|x) || p(z))' |
        od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g')
    page="${url}?mode=ctx:discrete&text=$text"
    flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
           --disable-background-networking --disable-component-update --disable-sync
           --virtual-time-budget=8000 --window-size=1200,800"
    # shellcheck disable=SC2086
    timeout 60 chromium $flags --user-data-dir="$tmp/profile" --dump-dom "$page" >"$tmp/body" 2>/dev/null
    n_bad=$(grep -o 'class="row invalid"' "$tmp/body" | wc -l)
    n_ok=$(grep -o 'class="mark valid"' "$tmp/body" | wc -l)
    if [ "$n_bad" -eq 1 ] && [ "$n_ok" -eq 2 ]; then ok; else bad "the page shows $n_bad bad and $n_ok good steps (wanted 1 and 2)"; fi
    has 'class="diag">inequality' "the diagnosis under the bad step"
    has 'class="katex' "the lines typeset by KaTeX (libjs-katex)"
    # shellcheck disable=SC2086
    timeout 60 chromium $flags --user-data-dir="$tmp/profile2" --screenshot="$OUT/serve-e2e.png" "$page" \
        >/dev/null 2>&1
    if [ -s "$OUT/serve-e2e.png" ]; then ok; else bad "no screenshot"; fi
}

case "$MODE" in
api) api ;;
browser) browser ;;
*) echo "usage: serve.sh ELBOLAB api|browser [OUTDIR]"; exit 2 ;;
esac

# shutdown: SIGTERM stops the server within a few seconds, exit status 0
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then bad "the server is still running 5 s after SIGTERM"
else
    wait "$pid"
    rc=$?
    pid=""
    [ "$rc" -eq 0 ] && ok || bad "the server exited $rc after SIGTERM"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
