#!/usr/bin/env bash
# cli_vectors.sh — input handling of `oscar vectors`: exit codes (0 passed, 1 a vector failed,
# 2 unusable input) and diagnostics that name the file, the vector id and the JSON path.
#
# usage: cli_vectors.sh OSCAR VECTORS_DIR
# Broken inputs are derived from VECTORS_DIR/rfc8613.json with python3 (json module), or with jq
# and awk when python3 is missing. Every assertion prints one line; the last line is the summary.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 OSCAR VECTORS_DIR" >&2
    exit 2
fi
OSCAR=$1
SRC=$2/rfc8613.json
if [ ! -x "$OSCAR" ] || [ ! -r "$SRC" ]; then
    echo "$0: need an executable $OSCAR and a readable $SRC" >&2
    exit 2
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/oscar-cli-vectors.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

if [ -n "${OSCAR_TEST_TOOL:-}" ]; then
    TOOL=$OSCAR_TEST_TOOL # python3 or jq, to test the fallback
elif command -v python3 >/dev/null 2>&1; then
    TOOL=python3
elif command -v jq >/dev/null 2>&1; then
    TOOL=jq
else
    echo "$0: need python3 or jq to derive broken vector files" >&2
    exit 2
fi
echo "# deriving inputs with $TOOL from $SRC"

PASSED=0
FAILED=0

ok() {
    PASSED=$((PASSED + 1))
    echo "ok   $*"
}

not_ok() {
    FAILED=$((FAILED + 1))
    echo "FAIL $*"
}

# show NAME prints the captured output of a failed run, indented.
show() {
    sed -e 's/^/       stdout: /' "$TMP/$1.out" | head -n 15
    sed -e 's/^/       stderr: /' "$TMP/$1.err" | head -n 15
}

# run NAME ARGS... runs `oscar vectors ARGS...`, capturing stdout, stderr and the exit code.
run() {
    local name=$1
    shift
    "$OSCAR" vectors "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    echo $? >"$TMP/$name.rc"
}

expect_rc() {
    local name=$1 want=$2 got
    got=$(cat "$TMP/$name.rc")
    if [ "$got" = "$want" ]; then
        ok "$name: exit code $want"
    else
        not_ok "$name: exit code: expected $want, got $got"
        show "$name"
    fi
}

# expect_in NAME STREAM TEXT checks that stdout or stderr (STREAM out|err) contains TEXT.
expect_in() {
    local name=$1 stream=$2 text=$3 label
    label=$([ "$stream" = err ] && echo stderr || echo stdout)
    if grep -qF -- "$text" "$TMP/$name.$stream"; then
        ok "$name: $label has '$text'"
    else
        not_ok "$name: $label lacks '$text'"
        show "$name"
    fi
}

expect_not_in() {
    local name=$1 stream=$2 text=$3 label
    label=$([ "$stream" = err ] && echo stderr || echo stdout)
    if grep -qF -- "$text" "$TMP/$name.$stream"; then
        not_ok "$name: $label unexpectedly has '$text'"
        show "$name"
    else
        ok "$name: $label has no '$text'"
    fi
}

expect_empty() {
    local name=$1 stream=$2
    if [ ! -s "$TMP/$name.$stream" ]; then
        ok "$name: std$stream is empty"
    else
        not_ok "$name: std$stream is not empty"
        show "$name"
    fi
}

# unusable NAME FILE ID PATH WHAT... runs FILE and checks exit 2 and a diagnostic naming the file,
# vector ID (skipped if empty), JSON PATH and each WHAT.
unusable() {
    local name=$1 file=$2 id=$3 path=$4
    shift 4
    run "$name" "$file"
    expect_rc "$name" 2
    expect_in "$name" err "$file"
    if [ -n "$id" ]; then
        expect_in "$name" err "vector $id:"
    fi
    expect_in "$name" err "$path"
    local what
    for what in "$@"; do
        expect_in "$name" err "$what"
    done
}

PY_DERIVE='
import json, sys
src, dst, code = sys.argv[1:4]
with open(src) as f:
    d = json.load(f)
def vec(i):
    return next(v for v in d["vectors"] if v["id"] == i)
exec(code)
with open(dst, "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
'

# derive NAME PYTHON JQ writes $TMP/NAME.json: rfc8613.json changed by the Python statement
# (d is the document, vec(id) a vector) or, without python3, by the jq filter.
derive() {
    local name=$1 py=$2 jqf=$3
    if [ "$TOOL" = python3 ]; then
        python3 -c "$PY_DERIVE" "$SRC" "$TMP/$name.json" "$py"
    else
        jq "$jqf" "$SRC" >"$TMP/$name.json"
    fi || {
        echo "$0: cannot derive $name" >&2
        exit 2
    }
}

# C4 is the selector of vector C.4 for jq filters.
C4='(.vectors[] | select(.id == "C.4"))'

if [ "$TOOL" = python3 ]; then
    C4_INDEX=$(python3 -c '
import json, sys
print([v["id"] for v in json.load(open(sys.argv[1]))["vectors"]].index("C.4"))' "$SRC")
else
    C4_INDEX=$(jq '.vectors | map(.id) | index("C.4")' "$SRC")
fi
V="vectors[$C4_INDEX]"
V_NEXT="vectors[$((C4_INDEX + 1))]"

# ---- a correct file, a failing vector, options ---------------------------------------------

run good "$SRC"
expect_rc good 0
expect_in good out "11 passed, 0 failed"
expect_in good out "PASS C.4"
expect_empty good err

derive wrong_ciphertext \
    'c = vec("C.4")["outputs"]; x = c["ciphertext"]
c["ciphertext"] = x[:-2] + ("00" if x[-2:] != "00" else "01")' \
    "$C4.outputs.ciphertext |= (.[:-2] + (if .[-2:] != \"00\" then \"00\" else \"01\" end))"
run wrong_ciphertext "$TMP/wrong_ciphertext.json"
expect_rc wrong_ciphertext 1
expect_in wrong_ciphertext out "FAIL C.4"
expect_in wrong_ciphertext out "10 passed, 1 failed"
expect_in wrong_ciphertext out "PASS C.5"

run only_unknown --only C.99 "$SRC"
expect_rc only_unknown 2
expect_in only_unknown err "not found"

run only_one --only C.4 "$SRC"
expect_rc only_one 0
expect_in only_one out "1 passed, 0 failed"

run negative_controls --negative-controls "$SRC"
expect_rc negative_controls 0
expect_in negative_controls out "11 passed, 0 failed"
expect_not_in negative_controls out "FAIL"

# ---- JSON syntax ------------------------------------------------------------------------------

# syntax_missing_colon: "sender_sequence_number" 20 in C.4; the error is at the value.
if [ "$TOOL" = python3 ]; then
    pos=$(python3 -c '
import sys
src, dst = sys.argv[1:3]
t = open(src).read()
key = "\"sender_sequence_number\": "
i = t.index(key, t.index("\"id\": \"C.4\""))
open(dst, "w").write(t[:i] + "\"sender_sequence_number\" " + t[i + len(key):])
j = i + len(key) - 1
print(t.count("\n", 0, j) + 1, j - t.rfind("\n", 0, j))' "$SRC" "$TMP/syntax.json")
else
    pos=$(awk -v dst="$TMP/syntax.json" '
        /"id": "C.4"/ { in4 = 1 }
        in4 && !done && (k = index($0, "\"sender_sequence_number\": ")) {
            sub(/"sender_sequence_number": /, "\"sender_sequence_number\" ")
            print NR, k + 25 > "/dev/stderr"
            done = 1
        }
        { print > dst }' "$SRC" 2>&1 >/dev/null)
fi
read -r line col <<<"$pos"
unusable syntax "$TMP/syntax.json" "" "$TMP/syntax.json:$line:$col:" "invalid JSON"

# syntax_trailing: a value followed by more than white space.
cp "$SRC" "$TMP/trailing.json"
printf 'x' >>"$TMP/trailing.json"
last_line=$(($(wc -l <"$SRC") + 1))
unusable syntax_trailing "$TMP/trailing.json" "" "$TMP/trailing.json:$last_line:1:" "invalid JSON"

# syntax_truncated: the first half of the file.
head -c $(($(wc -c <"$SRC") / 2)) "$SRC" >"$TMP/truncated.json"
run syntax_truncated "$TMP/truncated.json"
expect_rc syntax_truncated 2
if grep -qE -- "$TMP/truncated.json:[0-9]+:[0-9]+: " "$TMP/syntax_truncated.err"; then
    ok "syntax_truncated: stderr has file:line:col"
else
    not_ok "syntax_truncated: stderr lacks file:line:col"
    show syntax_truncated
fi

: >"$TMP/empty.json"
unusable empty_file "$TMP/empty.json" "" "$TMP/empty.json:1:1:" "invalid JSON"

unusable missing_file "$TMP/does-not-exist.json" "" "does-not-exist.json: cannot open"

# duplicate_key: a raw second "sender_sequence_number" in C.4's sender_context (cJSON keeps both;
# the loader must refuse).
if [ "$TOOL" = python3 ]; then
    python3 -c '
import sys
src, dst = sys.argv[1:3]
t = open(src).read()
key = "\"sender_sequence_number\": 20"
i = t.index(key, t.index("\"id\": \"C.4\""))
open(dst, "w").write(t[:i] + key + ", \"sender_sequence_number\": 21" + t[i + len(key):])' \
        "$SRC" "$TMP/duplicate_key.json"
else
    awk '/"id": "C.4"/ { in4 = 1 }
        in4 && !done && /"sender_sequence_number": 20/ {
            sub(/"sender_sequence_number": 20/,
                "\"sender_sequence_number\": 20, \"sender_sequence_number\": 21")
            done = 1
        }
        { print }' "$SRC" >"$TMP/duplicate_key.json"
fi
unusable duplicate_key "$TMP/duplicate_key.json" C.4 "$V.sender_context.sender_sequence_number" \
    "duplicate key"

# ---- schema -----------------------------------------------------------------------------------

derive unknown_kind 'vec("C.4")["kind"] = "request_protektion"' \
    "$C4.kind = \"request_protektion\""
unusable unknown_kind "$TMP/unknown_kind.json" C.4 "$V.kind" "unknown kind" "request_protektion"

derive missing_field 'del vec("C.4")["outputs"]["protected_coap_request"]' \
    "del($C4.outputs.protected_coap_request)"
unusable missing_field "$TMP/missing_field.json" C.4 "$V.outputs.protected_coap_request" \
    "missing required key"

derive misspelled 's = vec("C.4")["sender_context"]; s["sender_kye"] = s.pop("sender_key")' \
    "$C4.sender_context |= (.sender_kye = .sender_key | del(.sender_key))"
unusable misspelled "$TMP/misspelled.json" C.4 "$V.sender_context.sender_kye" "unknown key"

# Keys are case-sensitive (cJSON's default lookup is not).
derive wrong_case 's = vec("C.4")["sender_context"]; s["Sender_key"] = s.pop("sender_key")' \
    "$C4.sender_context |= (.Sender_key = .sender_key | del(.sender_key))"
unusable wrong_case "$TMP/wrong_case.json" C.4 "$V.sender_context.Sender_key" "unknown key"

derive unknown_top_key 'd["bogus"] = 1' '.bogus = 1'
unusable unknown_top_key "$TMP/unknown_top_key.json" "" '$.bogus' "unknown key"

derive odd_hex 'c = vec("C.4")["common_context"]; c["common_iv"] = c["common_iv"][:-1]' \
    "$C4.common_context.common_iv |= .[:-1]"
unusable odd_hex "$TMP/odd_hex.json" C.4 "$V.common_context.common_iv" "odd-length hex"

derive non_hex 's = vec("C.4")["sender_context"]; s["sender_key"] = s["sender_key"][:-1] + "g"' \
    "$C4.sender_context.sender_key |= (.[:-1] + \"g\")"
unusable non_hex "$TMP/non_hex.json" C.4 "$V.sender_context.sender_key" "not a hex string"

derive hex_not_string 'vec("C.4")["sender_context"]["sender_key"] = 1234' \
    "$C4.sender_context.sender_key = 1234"
unusable hex_not_string "$TMP/hex_not_string.json" C.4 "$V.sender_context.sender_key" \
    "expected a hex string"

derive null_sender_id 'vec("C.4")["sender_context"]["sender_id"] = None' \
    "$C4.sender_context.sender_id = null"
unusable null_sender_id "$TMP/null_sender_id.json" C.4 "$V.sender_context.sender_id" \
    "null is not allowed"

derive null_master_secret 'vec("C.1.1")["inputs"]["master_secret"] = None' \
    '(.vectors[] | select(.id == "C.1.1")).inputs.master_secret = null'
unusable null_master_secret "$TMP/null_master_secret.json" C.1.1 \
    "vectors[0].inputs.master_secret" "null is not allowed"

derive aead_fraction 'vec("C.4")["common_context"]["aead_algorithm"] = 10.5' \
    "$C4.common_context.aead_algorithm = 10.5"
unusable aead_fraction "$TMP/aead_fraction.json" C.4 "$V.common_context.aead_algorithm" \
    "not an exact integer"

derive aead_string 'vec("C.4")["common_context"]["aead_algorithm"] = "10"' \
    "$C4.common_context.aead_algorithm = \"10\""
unusable aead_string "$TMP/aead_string.json" C.4 "$V.common_context.aead_algorithm" \
    "expected an integer"

derive aead_unsupported 'vec("C.4")["common_context"]["aead_algorithm"] = 99' \
    "$C4.common_context.aead_algorithm = 99"
unusable aead_unsupported "$TMP/aead_unsupported.json" C.4 "$V.common_context.aead_algorithm" \
    "unsupported AEAD algorithm 99"

derive seq_too_big 'vec("C.4")["sender_context"]["sender_sequence_number"] = 2**40' \
    "$C4.sender_context.sender_sequence_number = 1099511627776"
unusable seq_too_big "$TMP/seq_too_big.json" C.4 "$V.sender_context.sender_sequence_number" \
    "out of range"

derive duplicate_id 'vec("C.5")["id"] = "C.4"' '(.vectors[] | select(.id == "C.5")).id = "C.4"'
unusable duplicate_id "$TMP/duplicate_id.json" C.4 "$V_NEXT.id" "duplicate vector id"

derive top_array 'd = [d]' '[.]'
unusable top_array "$TMP/top_array.json" "" 'top_array.json: $: ' "expected an object"

derive vectors_object 'd["vectors"] = {}' '.vectors = {}'
unusable vectors_object "$TMP/vectors_object.json" "" '$.vectors' "expected an array"

derive vector_not_object 'd["vectors"].append(7)' '.vectors += [7]'
unusable vector_not_object "$TMP/vector_not_object.json" "" "vectors[11]" "expected an object"

# A dangling reference is found when the vector runs: C.4 is unusable, the others still run.
derive dangling 'vec("C.4")["security_context_from"] = "C.9.9"' \
    "$C4.security_context_from = \"C.9.9\""
unusable dangling "$TMP/dangling.json" C.4 "$V.security_context_from" "C.9.9"
expect_in dangling out "PASS C.5"
expect_in dangling out "10 passed, 0 failed"

# JSON paths are written the same way everywhere, rooted at "$" (as the run-time messages and
# top-level messages already are).
run path_rooted "$TMP/unknown_kind.json"
expect_in path_rooted err "\$.$V.kind"

# ---- several files ----------------------------------------------------------------------------

run two_bad_first "$TMP/misspelled.json" "$SRC"
expect_rc two_bad_first 2
expect_in two_bad_first err "$TMP/misspelled.json"
expect_in two_bad_first out "PASS C.4"
expect_in two_bad_first out "11 passed, 0 failed"

run two_bad_last "$SRC" "$TMP/odd_hex.json"
expect_rc two_bad_last 2
expect_in two_bad_last err "$TMP/odd_hex.json"
expect_in two_bad_last out "PASS C.8"
expect_in two_bad_last out "11 passed, 0 failed"

run two_fail_and_bad "$TMP/wrong_ciphertext.json" "$TMP/syntax.json"
expect_rc two_fail_and_bad 2
expect_in two_fail_and_bad out "FAIL C.4"
expect_in two_fail_and_bad out "10 passed, 1 failed"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
