#!/usr/bin/env bash
# ace_check.sh OSCAR SUITE_ACE — `oscar check --ace-token-key` on the ACE suite's captures: the
# OSCORE-profile contexts come from the /authz-info exchanges of the capture itself, so a
# conformant run decrypts every GM exchange with no violation, and the omit-stale control's
# capture raises ACE-KGO-11.1-REKEYING naming the field.
set -u
oscar=$1
runs=$2
fail=0
key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_key"])' "$1/run.json"; }
d=$runs/ACE-LEAVE-REKEY
out=$("$oscar" check "$d/capture.pcap" --ace-token-key "$(key "$d")" --all-ports 2>&1)
rc=$?
echo "$out" | tail -3
[ $rc -eq 0 ] || { echo "FAIL: the conformant capture: exit $rc"; fail=1; }
echo "$out" | grep -q "3 OSCORE-profile contexts" || { echo "FAIL: contexts not derived"; fail=1; }
echo "$out" | tail -1 | grep -qE ' 0 undecryptable|, 0 violations' ||
    { echo "FAIL: not everything decrypted cleanly"; fail=1; }
# no Group OSCORE in this capture: no hint to use the group rules
echo "$out" | grep -q "^note: .*Group Flag" && { echo "FAIL: a Group OSCORE hint on a capture without group messages"; fail=1; }
d="$runs/ACE-LEAVE-REKEY~omit-stale@gm"
out=$("$oscar" check "$d/capture.pcap" --ace-token-key "$(key "$d")" --all-ports 2>&1)
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: the omit-stale capture: exit $rc"; fail=1; }
echo "$out" | grep -q "^note: .*Group Flag" && { echo "FAIL: a Group OSCORE hint on violations without the Group Flag"; fail=1; }
echo "$out" | grep -q 'ACE-KGO-11.1-REKEYING.*stale_node_ids (34)' ||
    { echo "FAIL: ACE-KGO-11.1-REKEYING not raised with the field"; fail=1; }
exit $fail
