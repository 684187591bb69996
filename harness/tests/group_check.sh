#!/usr/bin/env bash
# group_check.sh OSCAR RUN ROOT — `oscar check PCAP --group-scenario FILE --nodes FILE` on the
# captures of a finished group suite RUN: every conformant test's capture is clean (exit 0, every
# Group OSCORE message verified) but the forged-signature one (its corruption is the stimulus), and
# the capture of the shared-piv negative control fires GOSC-2.5.3-PIV-ONCE (exit 1).
set -u
oscar=$1
run=$2
root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for dir in "$run"/GRP_*; do
    name=$(basename "$dir")
    [ -f "$dir/run.json" ] || continue
    python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["nodes"], open(sys.argv[2], "w"))' \
        "$dir/run.json" "$tmp/nodes.json"
    "$oscar" check "$dir/capture.pcap" --group-scenario "$dir/scenario.json" --nodes "$tmp/nodes.json" \
        >"$tmp/out" 2>&1
    rc=$?
    case "$name" in
    *~shared-piv@*)
        [ $rc -eq 1 ] && grep -q "! GOSC-2.5.3-PIV-ONCE" "$tmp/out" ||
            { echo "FAIL: $name: PIV-ONCE did not fire (exit $rc)"; fail=1; } ;;
    *~*) ;;
    *)
        n=$((n + 1))
        [ $rc -eq 0 ] || { echo "FAIL: $name: exit $rc: $(tail -3 "$tmp/out")"; fail=1; } ;;
    esac
done
[ $n -gt 0 ] || { echo "FAIL: no group test folder in $run"; fail=1; }
# read as RFC 8613 (plain oscar check), a group capture gets the hint to use the group rules
echo '[{"name": "x", "master_secret": "00", "sender_id": "", "recipient_id": "01",
  "master_salt": null, "id_context": null, "aead_algorithm": 10, "hkdf": "HKDF SHA-256"}]' \
    >"$tmp/ctx.json"
"$oscar" check "$run/GRP_lighting_room/capture.pcap" --contexts "$tmp/ctx.json" --all-ports \
    >"$tmp/out" 2>&1
grep -q "^note: .*Group Flag set.*--group-scenario" "$tmp/out" ||
    { echo "FAIL: no Group OSCORE hint on a group capture read as RFC 8613"; fail=1; }
[ $fail -eq 0 ] && echo "group_check: $n conformant captures clean, the shared-piv control caught"
exit $fail
