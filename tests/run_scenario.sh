#!/bin/sh
# Runs one scenario through rewards-cli and compares the whole ledger, the
# whole payouts file and the error codes with the expected files, byte for
# byte, printing a unified diff on any difference.
# usage: run_scenario.sh REWARDS_CLI SCENARIO_DIR NAME [WRAPPER...]
set -u
cli=$1 dir=$2 name=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$@" "$cli" run "$dir/$name.jsonl" --ledger "$out/ledger.csv" --payouts "$out/payouts.csv" 2>"$out/stderr"
status=$?
fail=0
expected_status=0
[ -s "$dir/$name.errors.txt" ] && expected_status=1
if [ "$status" -ne "$expected_status" ]; then
  echo "exit status $status, expected $expected_status"; cat "$out/stderr"; fail=1
fi
sed -n 's/^\(line [0-9]*: [a-z_]*\): .*$/\1/p' "$out/stderr" >"$out/errors.txt"
for f in ledger.csv payouts.csv errors.txt; do
  if ! cmp -s "$dir/$name.$f" "$out/$f"; then
    echo "--- $name.$f differs (expected, actual):"
    diff -u "$dir/$name.$f" "$out/$f"
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "$name: ledger, payouts and errors match"
exit $fail
