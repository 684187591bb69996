#!/usr/bin/env bash
# run_reports.sh OSCAR ROOT — `oscar run` as a user runs it: one test with its negative controls,
# then the reports: junit.xml is well-formed XML (xmllint), results.json validates against
# reports/results.schema.json, the last line is "N passed, N failed, N skipped", the exit status
# follows the results, every result names a repro command that works, and unusable input exits 2.
set -u
oscar=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # check NAME COMMAND...
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

"$oscar" run --test TEST_1a --out "$tmp/run" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
check "exit 0 when everything passed" test "$rc" -eq 0
check "last line is the summary" bash -c "tail -1 '$tmp/stdout' | grep -Eq '^[0-9]+ passed, 0 failed, [0-9]+ skipped$'"
check "junit.xml is well-formed" xmllint --noout "$tmp/run/junit.xml"
check "junit.xml has a testcase per result" bash -c "[ \$(grep -c '<testcase ' '$tmp/run/junit.xml') -eq \$(grep -c '\"test\":' '$tmp/run/results.json') ]"
check "results.json validates against the schema" python3 -c "
import json, jsonschema
jsonschema.validate(json.load(open('$tmp/run/results.json')), json.load(open('$root/reports/results.schema.json')))"
check "every test folder has a pcap" bash -c "for d in '$tmp'/run/refxref/*/; do [ -s \"\$d/capture.pcap\" ] || exit 1; done"
check "tshark reads the capture" bash -c "tshark -r '$tmp/run/refxref/TEST_1a/capture.pcap' 2>/dev/null | grep -q ."
repro=$(python3 -c "import json; print(json.load(open('$tmp/run/results.json'))['results'][1]['repro'])")
check "a repro command reruns one result" bash -c "$repro --out '$tmp/repro' | tail -1 | grep -q '^1 passed, 0 failed, 0 skipped$'"

# a failing negative control: a fault the scenario does not catch makes the run fail (exit 1)
mkdir -p "$tmp/root/scenarios/x" "$tmp/root/impl"
cp -r "$root/scenarios/contexts" "$tmp/root/scenarios/"
cp -r "$root/impl/ref" "$tmp/root/impl/"
python3 - "$root/scenarios/plugtest/TEST_1a.json" "$tmp/root/scenarios/x/X_1.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["id"] = "X_1"
s["negative_controls"] = [{"bug": "reuse-piv", "node": "client", "fails_at": "1"}]
json.dump(s, open(sys.argv[2], "w"))
PY
OSCAR_ROOT="$tmp/root" "$oscar" run --test X_1 --out "$tmp/run2" >"$tmp/stdout2" 2>&1
rc=$?
check "an uncaught fault fails the run (exit 1)" test "$rc" -eq 1
check "... and says it was not caught" grep -q "was not caught" "$tmp/stdout2"
check "... with the summary last" bash -c "tail -1 '$tmp/stdout2' | grep -Eq '^1 passed, 1 failed, 0 skipped$'"

# unusable input: a misspelled key in a scenario
python3 - "$root/scenarios/plugtest/TEST_1a.json" "$tmp/root/scenarios/x/X_1.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["id"] = "X_1"
s["stepz"] = s.pop("steps")
json.dump(s, open(sys.argv[2], "w"))
PY
OSCAR_ROOT="$tmp/root" "$oscar" run --test X_1 --out "$tmp/run3" >"$tmp/stdout3" 2>&1
rc=$?
check "a misspelled scenario key exits 2" test "$rc" -eq 2
check "... naming file and key" grep -q "X_1.json: \$.stepz: unknown key" "$tmp/stdout3"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
