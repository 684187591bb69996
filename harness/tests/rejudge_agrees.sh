#!/usr/bin/env bash
# rejudge_agrees.sh OSCAR — `oscar run` and `oscar check --rejudge` judge with the same code: every
# test folder of a plugtest + network run (negative controls included), judged again from the
# folder alone, gets the status results.json recorded.
set -u
oscar=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$oscar" run --suite plugtest --out "$tmp/pt" >/dev/null 2>&1
"$oscar" run --suite network --out "$tmp/net" >/dev/null 2>&1
fail=0
total=0
for run in "$tmp/pt" "$tmp/net"; do
    "$oscar" check --rejudge "$run"/refxref/*/ >"$tmp/rejudge.out" 2>&1
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
[ "$fail" -eq 0 ]
