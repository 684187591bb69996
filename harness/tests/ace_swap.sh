#!/usr/bin/env bash
# ace_swap.sh OSCAR BIN ROOT — `oscar run --suite ace --gm NAME` really runs the manifest's
# command for that role: a copy of the source tree's scenarios with an implementation "alt" whose
# gm command is a wrapper that records its call and then runs the reference GM; the scenario must
# pass and the wrapper must have run. An implementation without a "gm" role is SKIP, with the
# reason; a third party's role makes the reference's fault-switch controls SKIP.
set -u
oscar=$1
bin=$2
root=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/impl/alt" "$tmp/impl/none" "$tmp/scenarios"
cp -r "$root/impl/ref" "$tmp/impl/ref"
ln -s "$root/scenarios/ace" "$tmp/scenarios/ace"
cat >"$tmp/impl/alt/gm.sh" <<SH
#!/usr/bin/env bash
echo "\$@" >>"$tmp/alt-called"
exec "$bin/impl/ref/oscar-peer" --role gm "\$@"
SH
chmod +x "$tmp/impl/alt/gm.sh"
cat >"$tmp/impl/alt/impl.json" <<JSON
{"name": "alt", "client": ["true"], "server": ["true"],
 "gm": ["{impl}/gm.sh", "--config", "{config}", "--bind", "{bind}", "--ready-fd", "3",
        "--seed", "{seed}"]}
JSON
echo '{"name": "none", "client": ["true"], "server": ["true"]}' >"$tmp/impl/none/impl.json"
fail=0
out=$(OSCAR_ROOT=$tmp "$oscar" run --suite ace --gm alt --test ACE-FAIL-INVALID-POP \
    --out "$tmp/out" 2>&1)
echo "$out"
echo "$out" | grep -q '^PASS   ACE-FAIL-INVALID-POP  ' || { echo "FAIL: not passed with --gm alt"; fail=1; }
echo "$out" | grep -q '^SKIP   ACE-FAIL-INVALID-POP~accept-bad-pop@gm .*reference' ||
    { echo "FAIL: the control was not skipped"; fail=1; }
[ -s "$tmp/alt-called" ] || { echo "FAIL: the alt manifest's gm command never ran"; fail=1; }
out=$(OSCAR_ROOT=$tmp "$oscar" run --suite ace --gm none --test ACE-JOIN-REQUESTER \
    --out "$tmp/out2" 2>&1)
echo "$out"
echo "$out" | grep -q 'SKIP   ACE-JOIN-REQUESTER .*no "gm" role' ||
    { echo "FAIL: a missing role is not SKIP with its reason"; fail=1; }
exit $fail
