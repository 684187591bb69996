#!/usr/bin/env bash
# ace_swap.sh OSCAR BIN ROOT — `oscar run --suite ace --gm NAME` really runs the manifest's
# command for that role: a copy of the source tree's scenarios with an implementation "alt" whose
# gm command is a wrapper that records its call and then runs the reference GM; the scenario must
# pass and the wrapper must have run. An implementation without a "gm" role is SKIP, with the
# reason; a third party's role makes the reference's fault-switch controls SKIP. A GM that
# crashes is a FAIL naming its signal, with the reports written; one that hangs is judged on the
# capture, which names the first unanswered step (about 25 s of retransmissions).
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
# a GM that crashes at start, and one that hangs without ever answering
mkdir -p "$tmp/impl/crash" "$tmp/impl/hang"
cat >"$tmp/impl/crash/impl.json" <<JSON
{"name": "crash", "client": ["true"], "server": ["true"],
 "gm": ["sh", "-c", "echo 'gm: boom' >&2; kill -SEGV \$\$"]}
JSON
cat >"$tmp/impl/hang/gm.sh" <<SH
#!/usr/bin/env bash
# says it is ready, then never answers
python3 -c 'import os, socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); os.write(3, b"ready %d\\n" % s.getsockname()[1]); os.close(3); import time; time.sleep(60)'
SH
chmod +x "$tmp/impl/hang/gm.sh"
cat >"$tmp/impl/hang/impl.json" <<JSON
{"name": "hang", "client": ["true"], "server": ["true"], "gm": ["{impl}/gm.sh"]}
JSON
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
# the crashing GM: FAIL with the reason, the report written
out=$(OSCAR_ROOT=$tmp "$oscar" run --suite ace --gm crash --test ACE-JOIN-REQUESTER \
    --no-negative-controls --out "$tmp/out3" 2>&1)
echo "$out"
echo "$out" | grep -q '^FAIL   ACE-JOIN-REQUESTER .*gm (crash) did not start.*signal 11' ||
    { echo "FAIL: a crashing GM is not reported with its signal"; fail=1; }
[ -s "$tmp/out3/results.json" ] || { echo "FAIL: no results.json after a crash"; fail=1; }
# the hanging GM: the joiner's steps time out, the test fails at the first unanswered step
out=$(OSCAR_ROOT=$tmp timeout 120 "$oscar" run --suite ace --gm hang --test ACE-JOIN-REQUESTER \
    --no-negative-controls --out "$tmp/out4" 2>&1)
echo "$out"
echo "$out" | grep -qE '^FAIL   ACE-JOIN-REQUESTER .*j1/1 \(authz, frame [0-9]+\): no answer in the capture' ||
    { echo "FAIL: a hanging GM is not reported at the unanswered step"; fail=1; }
exit $fail
