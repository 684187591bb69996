#!/usr/bin/env bash
# rejudge_agrees.sh OSCAR RUN... — `oscar run` and `oscar check --rejudge` judge with the same
# code: every test folder of the finished runs RUN (ctest: the plugtest and network suites'
# folders, negative controls included), judged again from the folder alone, gets the status
# results.json recorded.
set -u
oscar=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
total=0
for run in "$@"; do
    mapfile -t dirs < <(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["artifacts"])' "$run/results.json")
    "$oscar" check --rejudge "${dirs[@]}" >"$tmp/rejudge.out" 2>&1
    python3 - "$run/results.json" "$tmp/rejudge.out" <<'PY' || fail=1
import json, sys
recorded = {r["test"]: r["status"] for r in json.load(open(sys.argv[1]))["results"]}
again = {}
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) >= 2 and parts[0] in ("PASS", "FAIL", "ERROR"):
        again[parts[1].rstrip(":/").rstrip("/").split("/")[-1]] = parts[0]
bad = [t for t in recorded if again.get(t) != recorded[t]]
for t in bad:
    print("DIFFER", t, "run:", recorded[t], "rejudge:", again.get(t))
print(len(recorded), "tests,", len(bad), "disagree")
sys.exit(1 if bad or not recorded else 0)
PY
    total=$((total + 1))
done
echo "$((total - fail)) passed, $fail failed"
[ "$total" -gt 0 ] && [ "$fail" -eq 0 ]
