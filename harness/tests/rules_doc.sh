#!/usr/bin/env bash
# rules_doc.sh OSCAR DOC — docs/rules.md carries every rule exactly as `oscar rules --markdown`
# and `oscar rules --group --markdown` print it: the catalogue in the code and the documented one
# cannot drift apart.
set -u
oscar=$1
doc=$2
fail=0
for flag in "" --group; do
    while IFS= read -r line; do
        grep -qxF -- "$line" "$doc" || { echo "FAIL: not in $doc: $line"; fail=1; }
    done < <("$oscar" rules $flag --markdown)
done
n=$(grep -c '^| `' "$doc")
m=$( { "$oscar" rules --markdown; "$oscar" rules --group --markdown; } | wc -l)
[ "$n" -eq "$m" ] || { echo "FAIL: $doc lists $n rules, the code $m"; fail=1; }
[ $fail -eq 0 ] && echo "rules_doc: $m rules documented"
exit $fail
