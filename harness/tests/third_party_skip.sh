#!/usr/bin/env bash
# third_party_skip.sh OSCAR — the third-party shims (impl/libcoap, impl/aiocoap) on this machine:
# where the tool is missing or lacks OSCORE, every pairing with it is SKIP with a reason that says
# so (never FAIL or ERROR), and the reference pairing still passes.
set -u
oscar=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$oscar" run --test TEST_1a --no-negative-controls --matrix ref,libcoap,aiocoap --out "$tmp/run" \
    >"$tmp/out" 2>&1
pass=0
fail=0
check() {
    if bash -c "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
check "ref x ref passes" "grep -q '^PASS   TEST_1a  *ref x ref' '$tmp/out'"
check "no ERROR" "! grep -q '^ERROR' '$tmp/out'"
if ! python3 -c 'import aiocoap' 2>/dev/null; then
    check "aiocoap x ref: SKIP, aiocoap not installed" \
        "grep -Eq '^SKIP   TEST_1a  *aiocoap x ref .*aiocoap is not installed' '$tmp/out'"
fi
client=$(command -v coap-client coap-client-openssl coap-client-notls 2>/dev/null | head -1)
if [ -z "$client" ] || ! "$client" -h x 2>&1 | grep -qi oscore; then
    check "libcoap x ref: SKIP, no OSCORE in this libcoap" \
        "grep -Eq '^SKIP   TEST_1a  *libcoap x ref .*(no OSCORE support|no coap-client found)' '$tmp/out'"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
