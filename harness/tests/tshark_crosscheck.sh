#!/usr/bin/env bash
# tshark_crosscheck.sh OSCAR RUN — an independent decoder: on every capture of the plugtest suite,
# tshark (Wireshark's OSCORE dissector, given the keys Oscar writes next to each capture) must
# decrypt exactly the OSCORE messages Oscar's decoder decrypts with the same contexts. Wireshark
# decrypts AES-CCM-16-64-128 from a Master Secret only; contexts stated by keys are left out of
# both sides.
#   RUN is the folder of a finished plugtest run (ctest: suite/plugtest's); its conformant tests
# (not the negative controls) are compared.
set -u
oscar=$1
run=$2
command -v tshark >/dev/null || { echo "tshark missing (ci/deps installs it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for dir in $(python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if "~" not in r["test"]:
        print(r["artifacts"])' "$run/results.json"); do
    test=$(basename "$dir")
    pcap="$dir/capture.pcap"
    # the contexts both peers held, without those stated by keys
    python3 - "$dir/client.json" "$dir/server.json" >"$tmp/ctx.json" <<'PY'
import json, sys
seen, out = set(), []
for f in sys.argv[1:]:
    for c in json.load(open(f))["contexts"]:
        if "sender_key" in c or c["name"] in seen:
            continue
        seen.add(c["name"])
        out.append(c)
json.dump({"contexts": out}, sys.stdout)
PY
    "$oscar" check "$pcap" --contexts "$tmp/ctx.json" --all-ports --json "$tmp/check.json" \
        >/dev/null 2>&1
    # Wireshark binds a response to the first request with its token; a request that reuses a
    # token still in use (an Observe cancellation, RFC 7641 §3.6) gets its responses bound to
    # the older one there. Those responses are left out of the comparison on both sides.
    python3 - "$tmp/check.json" >"$tmp/frames" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["messages"]
by_frame = {x["frame"]: x for x in m}
def token(x):
    b = bytes.fromhex(x["bytes"])
    return b[4:4 + (b[0] & 0x0F)]
excluded, seen = set(), {}
for x in m:
    b = bytes.fromhex(x["bytes"])
    if b[1] >> 5 == 0 and b[1] != 0:  # a request
        t = token(x)
        if t in seen and seen[t] != b[2:4]:  # a new request (new MID) on a used token
            for y in m:
                if y.get("answers_frame") == x["frame"]:
                    excluded.add(y["frame"])
        seen.setdefault(t, b[2:4])
ours = [x["frame"] for x in m if x["oscore"] and x.get("verdict") == "accept"
        and x["frame"] not in excluded]
print(" ".join(map(str, ours)))
print(" ".join(map(str, sorted(excluded))))
PY
    ours=$(sed -n 1p "$tmp/frames")
    excluded=" $(sed -n 2p "$tmp/frames") "
    # the keys as `oscar keys --wireshark` exports them: what is under test is that export too
    mapfile -t keys < <("$oscar" keys --wireshark "$tmp/ctx.json" 2>/dev/null |
        sed -n "s/^-o '\\(uat:oscore_contexts:.*\\)'$/\\1/p")
    args=()
    for k in "${keys[@]}"; do args+=(-o "$k"); done
    for p in $(tshark -r "$pcap" -T fields -e udp.srcport -e udp.dstport 2>/dev/null | tr '\t' '\n' | sort -u); do
        args+=(-d "udp.port==$p,coap")
    done
    # a message Wireshark decrypted (tag verified) shows its inner code as oscore.code
    theirs=$(tshark -r "$pcap" "${args[@]}" -T fields -e frame.number -e oscore.code 2>/dev/null |
        awk -F'\t' -v ex="$excluded" '$2 != "" && index(ex, " " $1 " ") == 0 {
            printf "%s%s", sep, $1; sep = " " } END { print "" }')
    if [ "$ours" = "$theirs" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $test: Oscar decrypted frames [$ours], tshark [$theirs]"
    fi
done
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
