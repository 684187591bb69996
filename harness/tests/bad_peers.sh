#!/usr/bin/env bash
# bad_peers.sh OSCAR ROOT — the harness against shims that crash, hang, lie, flood or cannot
# run: each test gets the right status and a reason that says what happened, the run goes on,
# every process is reaped (none left behind), and the reports are written. Ctrl-C mid-run
# still writes the results obtained so far.
set -u
oscar=$1
root=$2
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
    local name=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        sed 's/^/     /' "$tmp/check.out" | head -20
    fi
}
mkdir -p "$tmp/root/scenarios/plugtest" "$tmp/root/impl"
cp -r "$root/scenarios/contexts" "$tmp/root/scenarios/"
cp "$root/scenarios/plugtest/TEST_1a.json" "$tmp/root/scenarios/plugtest/"
cp -r "$root/impl/ref" "$tmp/root/impl/"
shim="$(cd "$(dirname "$0")" && pwd)/badshim.py"
for mode in crash hang unimpl skip garbage die stuck flood; do
    mkdir -p "$tmp/root/impl/bad-$mode"
    cat >"$tmp/root/impl/bad-$mode/impl.json" <<JSON
{"name": "bad-$mode", "ready_timeout_ms": 500,
 "client": ["python3", "$shim", "$mode", "--server", "{server}"],
 "server": ["python3", "$shim", "$mode"]}
JSON
done
status_of() { # status_of RUNDIR -> status and reason of the TEST_1a result
    python3 -c "
import json
for r in json.load(open('$1/results.json'))['results']:
    if r['test'] == 'TEST_1a':
        print(r['status'], r.get('reason', ''))"
}
expect() { # expect MODE STATUS REASON_REGEX: bad-MODE as the client, the reference server
    OSCAR_ROOT="$tmp/root" "$oscar" run --test TEST_1a --no-negative-controls --client "bad-$1" \
        --server ref --out "$tmp/run-$1" >"$tmp/out-$1" 2>&1
    local got
    got=$(status_of "$tmp/run-$1")
    check "bad-$1: $2 ($3)" bash -c "echo \"\$0\" | grep -Eq '^$2 .*($3)'" "$got"
}
start=$(date +%s)
expect crash FAIL "exited before it was ready \\(killed by signal 11"
expect hang FAIL "not ready within 500 ms"
expect unimpl UNIMPL "unimplemented"
expect skip SKIP "built without OSCORE support"
expect garbage FAIL "not a JSON event"
expect die FAIL "client exited during the test|client ended badly"
expect stuck FAIL "SIGKILL"
expect flood FAIL "COAP-3-WELL-FORMED"
# a matrix goes on past broken pairings and still passes the good one
OSCAR_ROOT="$tmp/root" "$oscar" run --test TEST_1a --no-negative-controls \
    --matrix ref,bad-crash,bad-die --out "$tmp/run" >"$tmp/stdout" 2>&1
rc=$?
check "the matrix run fails (exit 1) and finishes" test "$rc" -eq 1
check "ref x ref still passes" grep -q "^PASS   TEST_1a  *ref x ref" "$tmp/stdout"
check "all 9 pairings reported" python3 -c "
import json; assert len(json.load(open('$tmp/run/results.json'))['results']) == 9"
check "reports written" test -s "$tmp/run/junit.xml" -a -s "$tmp/run/results.json"
check "no shim left running" bash -c "! pgrep -f '[b]adshim.py' >/dev/null"
check "no process a shim started is left running" bash -c "! pgrep -f '[s]leep 3599' >/dev/null"
check "all of it took under 60 s" test $(($(date +%s) - start)) -lt 60

# Ctrl-C: results obtained so far are written, the run says it was interrupted
OSCAR_ROOT="$tmp/root" "$oscar" run --test TEST_1a --matrix ref,bad-hang,bad-stuck \
    --no-negative-controls --out "$tmp/int" >"$tmp/int.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    grep -q "^PASS" "$tmp/int.out" 2>/dev/null && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
check "Ctrl-C: exit non-zero" test "$rc" -ne 0
check "Ctrl-C: says interrupted" grep -q "^interrupted:" "$tmp/int.out"
check "Ctrl-C: results.json has what was run" python3 -c "
import json; r = json.load(open('$tmp/int/results.json'))['results']; assert len(r) >= 1, r"
check "Ctrl-C: no shim left running" bash -c "sleep 0.5; ! pgrep -f '[b]adshim.py' >/dev/null"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
