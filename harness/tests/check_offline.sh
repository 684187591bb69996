#!/usr/bin/env bash
# check_offline.sh OSCAR RUN — `oscar check --scenario`: a capture judged against its scenario with
# nothing else (no events, no run.json). On every test folder of the finished plugtest run RUN
# (ctest: suite/plugtest's): the conformant tests
# must PASS offline; every negative control must FAIL offline, unless the offline judge says it
# left expectations unjudged (a fault only the peer's own report shows, such as a client that
# skips the tag check). Prints how many negative controls the capture alone catches.
set -u
oscar=$1
run=$2
pos=0
neg_caught=0
neg_unseen=0
fail=0
for d in $(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["artifacts"])' "$run/results.json"); do
    name=$(basename "$d")
    scen=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["scenario"])' "$d/run.json")
    out=$("$oscar" check "$d/capture.pcap" --scenario "$d/scenario/$scen" \
        --scenarios-dir "$d/scenario" --only-violations 2>&1)
    rc=$?
    verdict=$(printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' | head -1)
    case $name in
    *~*)
        if [ $rc -eq 1 ] && [[ $verdict == FAIL* ]]; then
            neg_caught=$((neg_caught + 1))
        elif [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'were not judged'; then
            neg_unseen=$((neg_unseen + 1))
        else
            echo "FAIL $name: negative control neither caught nor declared unjudged (exit $rc): $verdict"
            fail=1
        fi
        ;;
    *)
        if [ $rc -eq 0 ] && [[ $verdict == PASS* ]]; then
            pos=$((pos + 1))
        else
            echo "FAIL $name: conformant test not passed offline (exit $rc): $verdict"
            fail=1
        fi
        ;;
    esac
done
echo "offline: $pos conformant tests passed; negative controls: $neg_caught caught from the capture alone, $neg_unseen visible only in a peer's report"
[ $pos -gt 0 ] && [ $neg_caught -gt 0 ] && [ $fail -eq 0 ]
