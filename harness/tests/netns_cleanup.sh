#!/usr/bin/env bash
# netns_cleanup.sh OSCAR — `oscar run --suite group --net netns` leaves no network namespace
# behind on any exit path: killed with SIGKILL mid-test (no handler runs: the watchdog process
# sees the harness's pipe close) and interrupted with SIGINT (the test stops, the reports are
# written, the namespaces go). Needs root (exit 77 otherwise).
set -u
oscar=$1
[ "$(id -u)" -eq 0 ] || { echo "needs root for network namespaces"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ours() { ip netns list | grep -c "^oscar$1-" || true; }
for sig in KILL INT; do
    "$oscar" run --suite group --net netns --test GRP_lighting_room --out "$tmp/$sig" \
        >"$tmp/$sig.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
        [ "$(ours "$pid")" -ge 6 ] && break
        sleep 0.1
    done
    [ "$(ours "$pid")" -ge 6 ] || { echo "FAIL: $sig run never set its namespaces up"; fail=1; }
    kill -"$sig" "$pid"
    wait "$pid" 2>/dev/null
    for _ in $(seq 30); do
        [ "$(ours "$pid")" -eq 0 ] && break
        sleep 0.1
    done
    left=$(ours "$pid")
    [ "$left" -eq 0 ] || { echo "FAIL: SIG$sig left $left namespaces of oscar$pid"; fail=1; }
done
grep -q "interrupted: " "$tmp/INT.out" || { echo "FAIL: SIGINT did not report the interruption"; fail=1; }
[ -f "$tmp/INT/results.json" ] || { echo "FAIL: SIGINT wrote no results.json"; fail=1; }
[ $fail -eq 0 ] && echo "netns_cleanup: all passed"
exit $fail
