#!/bin/sh
# rewards-cli's trace outputs on tests/traces/causes.jsonl, compared byte for
# byte with the expected files: every trace (--traces), the statements over
# the whole history and over February (--statements, --from, --until), the
# holds report (--holds) and one explanation for people (explain).  Then the
# refusals: an unknown entry, a bad entry number, missing arguments, --from
# without --statements, two outputs on standard output.
# When given docs/traces.md, the traces and the explanation it shows must be
# this run's, verbatim ("a tiered adjustment, end to end").
# usage: test_outputs.sh REWARDS_CLI DIR [TRACES_MD]
set -u
cli=$1 dir=$2 doc=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected actual
  if ! diff -u "$2" "$3" >"$tmp/diff"; then echo "FAIL $1"; cat "$tmp/diff"; fail=1; else echo "ok $1"; fi
}
refuse() { # name expected-status expected-stderr-substring args...
  name=$1 want=$2 msg=$3; shift 3
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -qF -- "$msg" "$tmp/err"; then
    echo "FAIL $name: exit $rc (want $want), stderr:"; cat "$tmp/err"; fail=1
  else echo "ok $name"; fi
}
sc=$dir/causes.jsonl
"$cli" run "$sc" --traces "$tmp/t" --holds "$tmp/h" --statements "$tmp/s" || { echo "FAIL run"; fail=1; }
check traces "$dir/causes.traces.jsonl" "$tmp/t"
check holds "$dir/causes.holds.csv" "$tmp/h"
check statements "$dir/causes.statements.csv" "$tmp/s"
"$cli" run "$sc" --statements "$tmp/f" --from 2026-02-01 --until 2026-03-01 || fail=1
check "statements february" "$dir/causes.statements-feb.csv" "$tmp/f"
"$cli" explain "$sc" 19 >"$tmp/x" || fail=1
check "explain 19" "$dir/causes.explain19.txt" "$tmp/x"
"$cli" explain "$sc" 19 --json >"$tmp/j" || fail=1
sed -n 19p "$dir/causes.traces.jsonl" >"$tmp/j19"
check "explain --json is the trace" "$tmp/j19" "$tmp/j"
if [ -n "$doc" ]; then
  for n in 2 17 19 22; do
    line=$(sed -n "${n}p" "$tmp/t")
    if grep -qxF -- "$line" "$doc"; then echo "ok docs/traces.md shows entry $n as the program writes it"
    else echo "FAIL docs/traces.md does not show entry $n's trace as the program writes it"; fail=1; fi
  done
  if python3 -c 'import sys; doc, x = open(sys.argv[1]).read(), open(sys.argv[2]).read(); sys.exit(0 if "```text\n" + x + "```" in doc else 1)' "$doc" "$tmp/x"
  then echo "ok docs/traces.md shows explain 19 as the program writes it"
  else echo "FAIL docs/traces.md does not show explain 19 as the program writes it"; fail=1; fi
fi
refuse "unknown entry" 2 "not_found: no entry 99" explain "$sc" 99
refuse "entry 0" 2 "is not an entry number" explain "$sc" 0
refuse "entry not a number" 2 "is not an entry number" explain "$sc" 1x
refuse "explain without entry" 2 "needs a scenario file and an entry number" explain "$sc"
refuse "explain unknown option" 2 "unknown option '--text'" explain "$sc" 1 --text
refuse "from without statements" 2 "set the range of --statements" run "$sc" --from 2026-01-01
refuse "bad time" 2 "is not a time" run "$sc" --statements "$tmp/z" --until yesterday
refuse "until before from" 2 "--until must be after --from" run "$sc" --statements "$tmp/z" --from 2026-02-01 --until 2026-01-01
refuse "two stdouts" 2 "only one output may be '-'" run "$sc" --traces - --holds -
refuse "check writes nothing" 2 "check writes nothing" check "$sc" --traces "$tmp/z"
[ ! -e "$tmp/z" ] || { echo "FAIL a refused run wrote an output"; fail=1; }
exit $fail
