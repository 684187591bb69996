#!/usr/bin/env bash
# check_large.sh OSCAR — oscar check on captures far larger than a scenario's: 20,000 OSCORE
# messages written by the reference core (`oscar bench --write-trace`).
#   clean: exit 0, every message decrypted, no violation, --only-violations prints the summary only;
#   the same capture twice over (mergecap -a): the second half is retransmissions, still clean;
#   negative control, the client's Sender Sequence Number frozen (core fault reuse-piv, RFC 8613
#   §7.2): every later request reuses the nonce of frame 1 and every answer to it is a replay
#   answered 2.05 (§7.4): exit 1, both rules fire, and the 4096 listed are said to be a prefix;
#   the report and the JSON are the same byte for byte whether 1 thread or 3 verify the messages
#   (OSCAR_THREADS; decode.c splits the capture into slices).
set -u
oscar=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }
cat >"$tmp/ctx.json" <<'JSON'
[{"name": "A", "master_secret": "0102030405060708090a0b0c0d0e0f10",
  "master_salt": "9e7ca92223786340", "sender_id": "", "recipient_id": "01", "id_context": null,
  "aead_algorithm": 10, "hkdf": "HKDF SHA-256"}]
JSON
"$oscar" bench --write-trace "$tmp/clean.pcap" --packets 20000 || die "writing the clean trace"
"$oscar" check "$tmp/clean.pcap" --contexts "$tmp/ctx.json" >"$tmp/full.out"
rc=$?
[ $rc -eq 0 ] || die "clean trace: exit $rc"
grep -qx "20000 messages, 20000 OSCORE, 20000 decrypted, 0 violations" "$tmp/full.out" ||
    die "clean trace: $(tail -1 "$tmp/full.out")"
[ "$(grep -c '^#' "$tmp/full.out")" -eq 20000 ] || die "the full report does not list 20000 messages"
"$oscar" check "$tmp/clean.pcap" --contexts "$tmp/ctx.json" --only-violations >"$tmp/brief.out"
[ "$(wc -l <"$tmp/brief.out")" -eq 1 ] || die "--only-violations on a clean trace printed more than the summary"

mergecap -F pcap -a -w "$tmp/twice.pcap" "$tmp/clean.pcap" "$tmp/clean.pcap" || die "mergecap"
"$oscar" check "$tmp/twice.pcap" --contexts "$tmp/ctx.json" --only-violations >"$tmp/twice.out"
rc=$?
[ $rc -eq 0 ] || die "trace twice over: exit $rc: $(head -3 "$tmp/twice.out")"
grep -qx "40000 messages, 40000 OSCORE, 40000 decrypted, 0 violations" "$tmp/twice.out" ||
    die "trace twice over: $(tail -1 "$tmp/twice.out")"

"$oscar" bench --write-trace "$tmp/bad.pcap" --packets 20000 --fault reuse-piv ||
    die "writing the faulted trace"
"$oscar" check "$tmp/bad.pcap" --contexts "$tmp/ctx.json" --only-violations >"$tmp/bad.out"
rc=$?
[ $rc -eq 1 ] || die "reuse-piv trace: exit $rc, expected 1"
grep -q "! OSCORE-7.2-NONCE-REUSE (RFC 8613 §7.2, §5.2): same key and nonce as frame 1$" \
    "$tmp/bad.out" || die "reuse-piv trace: OSCORE-7.2-NONCE-REUSE did not fire against frame 1"
grep -q "! OSCORE-7.4-REPLAY-ANSWERED" "$tmp/bad.out" ||
    die "reuse-piv trace: OSCORE-7.4-REPLAY-ANSWERED did not fire"
grep -qx "at least 4096 violations: only the first 4096 are listed" "$tmp/bad.out" ||
    die "reuse-piv trace: the truncated list is not said to be truncated"
for th in 1 3; do
    OSCAR_THREADS=$th "$oscar" check "$tmp/bad.pcap" --contexts "$tmp/ctx.json" \
        --json "$tmp/bad$th.json" >"$tmp/bad$th.out"
done
cmp -s "$tmp/bad1.out" "$tmp/bad3.out" || die "the report differs between 1 and 3 threads"
cmp -s "$tmp/bad1.json" "$tmp/bad3.json" || die "the JSON differs between 1 and 3 threads"
[ "$(grep -c '^#' "$tmp/bad1.out")" -eq 20000 ] || die "1 thread: not 20000 messages listed"
if [ $fail -eq 0 ]; then echo "check_large: all passed"; fi
exit $fail
