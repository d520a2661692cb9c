#!/bin/sh
# rewards-cli's own contract (SCENARIOS.md): help texts, `check`, exit
# statuses, and malformed input reported with its line number, never a crash.
# usage: test_cli.sh REWARDS_CLI SCENARIO_DIR
set -u
cli=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # description, wanted status, actual status
  if [ "$2" -ne "$3" ]; then echo "FAIL: $1: exit $3, expected $2"; fail=1; else echo "ok: $1"; fi
}
contains() { # description, file, text
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; else echo "FAIL: $1: no '$3' in:"; cat "$2"; fail=1; fi
}

"$cli" --help >"$tmp/out" 2>&1; expect "--help" 0 $?
contains "--help names the commands" "$tmp/out" "rewards-cli check"
"$cli" run --help >"$tmp/out" 2>&1; expect "run --help" 0 $?
contains "run --help lists operations" "$tmp/out" "evaluate_levels"
contains "run --help lists adjust and activity" "$tmp/out" "adjust activity"
"$cli" >"$tmp/out" 2>&1; expect "no command" 2 $?
"$cli" run "$tmp/missing.jsonl" 2>"$tmp/err"; expect "unreadable file" 2 $?
contains "unreadable file is named" "$tmp/err" "missing.jsonl"

# check: every line's errors, nothing written
"$cli" check "$dir/bad_input.jsonl" >"$tmp/out" 2>"$tmp/err"; expect "check of a file with errors" 1 $?
sed -n 's/^\(line [0-9]*: [a-z_]*\): .*$/\1/p' "$tmp/err" >"$tmp/codes"
if cmp -s "$tmp/codes" "$dir/bad_input.errors.txt"; then echo "ok: check reports every error"; else
  echo "FAIL: check errors differ"; diff -u "$dir/bad_input.errors.txt" "$tmp/codes"; fail=1; fi
[ -s "$tmp/out" ] && { echo "FAIL: check wrote output"; fail=1; }
"$cli" check "$dir/trakti_quarter_bonus.jsonl" 2>"$tmp/err"; expect "check of a clean file" 0 $?

# malformed lines: not JSON, not an object (exit 2, the line number given)
printf '{"op":"program","id":"p","name":"P","currency":"USD"}\n{"op": "level",\n' >"$tmp/notjson.jsonl"
"$cli" run "$tmp/notjson.jsonl" --ledger "$tmp/l.csv" 2>"$tmp/err"; expect "a line that is not JSON" 2 $?
contains "not JSON names its line" "$tmp/err" "line 2: not JSON"
printf '# comment\n\n[1, 2]\n' >"$tmp/array.jsonl"
"$cli" run "$tmp/array.jsonl" 2>"$tmp/err"; expect "a line that is not an object" 2 $?
contains "not an object names its line" "$tmp/err" "line 3: not a JSON object"

# wrong types and unknown keys: a rejected line, the run goes on (exit 1)
cat >"$tmp/types.jsonl" <<'JSONL'
{"op":"program","id":"p","name":"P","currency":"USD","fiscal_year_start_month":"7"}
{"op":"program","id":"p","name":"P","currency":"USD"}
{"op":"level","id":"l","program":"p","name":"L","rank":1.5}
{"op":"level","id":"l","program":"p","name":"L","rank":1,"colour":"red"}
{"op":"level","id":"l","program":"p","name":"L","rank":1,"requires":[]}
{"op":"partner","id":"a","program":"p","level":"l","name":"A"}
{"op":"level","id":"l","program":"p","name":"L","rank":1}
{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"x":[1]}}
{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"n":12.5,"ok":true,"s":"x"}}
{"op":"user","id":"u","partner":"a","name":"U","portal_access":"yes"}
{"op":42}
{"id":"x"}
{"op":"deal","at":20260101,"id":"d","partner":"a","currency":"USD","amount":"1.00"}
{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":1}
{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00","units":null}
JSONL
"$cli" run "$tmp/types.jsonl" --ledger - >"$tmp/out" 2>"$tmp/err"; expect "wrong types" 1 $?
sed -n 's/^\(line [0-9]*: [a-z_]*\): .*$/\1/p' "$tmp/err" >"$tmp/codes"
cat >"$tmp/want" <<'WANT'
line 1: invalid_argument
line 3: invalid_argument
line 4: invalid_argument
line 5: invalid_argument
line 6: not_found
line 8: invalid_argument
line 10: invalid_argument
line 11: invalid_argument
line 12: invalid_argument
line 13: invalid_argument
line 14: invalid_argument
line 15: invalid_argument
WANT
if cmp -s "$tmp/codes" "$tmp/want"; then echo "ok: every malformed field is a rejected line"; else
  echo "FAIL: malformed fields"; diff -u "$tmp/want" "$tmp/codes"; cat "$tmp/err"; fail=1; fi
contains "a wrong type names the field" "$tmp/err" "line 3: invalid_argument: field 'rank' must be an integer"
contains "the run goes on and writes its files" "$tmp/out" "entry,type,reward"

# forged error lines (issue 10, item 7): ids and keys holding CR, LF or other
# control bytes are escaped in every message, so each report is one line
printf '%s\n' '{"op":"program","id":"p","name":"P","currency":"USD"}' \
  '{"op":"partner","id":"a","program":"p","level":"l\r\nline 7: ok","name":"A"}' \
  '{"op":"partner","id":"a","program":"p","level":"l","name":"A","a.\nline 8: ok":1}' \
  '{"op":"frob\u0001\u007f\nline 9: ok"}' >"$tmp/forge.jsonl"
printf '{"op":"x\001"}\n' >>"$tmp/forge.jsonl"
"$cli" check "$tmp/forge.jsonl" 2>"$tmp/err"; expect "forged lines: the run rejects them" 2 $?
cat >"$tmp/want" <<'WANT'
line 2: not_found
line 3: invalid_argument
line 4: invalid_argument
line 5
WANT
sed -n 's/^\(line [0-9]*\)\(: [a-z_]*\)\{0,1\}\(: \|$\).*/\1\2/p' "$tmp/err" | sed 's/: not JSON//' >"$tmp/codes"
if cmp -s "$tmp/codes" "$tmp/want" && [ "$(wc -l <"$tmp/err")" -eq 4 ]; then echo "ok: no forged error line"; else
  echo "FAIL: forged error lines"; cat -A "$tmp/err"; fail=1; fi
contains "CR LF in an id is escaped" "$tmp/err" 'l\r\nline 7: ok'
contains "LF in a key is escaped" "$tmp/err" 'a.\nline 8: ok'
contains "other control bytes are escaped" "$tmp/err" 'frob\x01\x7f\nline 9: ok'
contains "parser text is escaped" "$tmp/err" '\x01'

# duplicate keys (issue 10, item 4): the line is rejected, never "the last wins"
cat >"$tmp/dup.jsonl" <<'JSONL'
{"op":"program","id":"p","name":"P","currency":"USD"}
{"op":"level","id":"l","program":"p","name":"L","rank":1}
{"op":"partner","id":"a","program":"p","level":"l","name":"A"}
{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00","amount":"1000000.00"}
{"op":"deal","at":"2026-01-01","id":"d2","op":"payout","partner":"a","currency":"USD","amount":"1.00"}
{"op":"partner","id":"b","program":"p","level":"l","name":"B","attrs":{"x":1,"x":2}}
{"op":"deal","at":"2026-01-01","id":"d3","partner":"a","currency":"USD","amount":"2.00"}
JSONL
"$cli" run "$tmp/dup.jsonl" --ledger "$tmp/dup.csv" 2>"$tmp/err"; expect "duplicate keys are rejected lines" 1 $?
sed -n 's/^\(line [0-9]*: [a-z_]*\): .*$/\1/p' "$tmp/err" >"$tmp/codes"
printf 'line 4: invalid_argument\nline 5: invalid_argument\nline 6: invalid_argument\n' >"$tmp/want"
if cmp -s "$tmp/codes" "$tmp/want"; then echo "ok: every duplicate key is reported"; else
  echo "FAIL: duplicate keys"; cat "$tmp/err"; fail=1; fi
contains "the duplicate key is named" "$tmp/err" "line 4: invalid_argument: duplicate object key near '\"amount\"'"
if "$cli" check "$tmp/dup.jsonl" 2>/dev/null; [ $? -eq 1 ] && ! grep -q '^d,\|,d,' "$tmp/dup.csv"; then
  echo "ok: no deal from a line with a duplicate key"; else echo "FAIL: a duplicate-key deal exists"; fail=1; fi
printf '[{"a":1,"a":2}]\n' >"$tmp/duparray.jsonl"
"$cli" check "$tmp/duparray.jsonl" 2>"$tmp/err"; expect "duplicate keys inside a non-object line" 2 $?
contains "still not an object" "$tmp/err" "line 1: not a JSON object"

# input that is not a file (issue 10, item 5): exit 2 with the system's reason
"$cli" run "$tmp" 2>"$tmp/err"; expect "a directory as the scenario" 2 $?
contains "a directory gives the reason" "$tmp/err" "Is a directory"
"$cli" run "$tmp/missing.jsonl" 2>"$tmp/err"
contains "a missing file gives the reason" "$tmp/err" "cannot read $tmp/missing.jsonl: No such file or directory"
printf '{"op":"program","id":"p","name":"P","currency":"USD"}\n{"op":"program","id":"q","name":"Q","currency":"USD"}\000{"op":"x"}\n' >"$tmp/nul.jsonl"
"$cli" run "$tmp/nul.jsonl" --ledger "$tmp/nul.csv" 2>"$tmp/err"; expect "a NUL byte in a line" 2 $?
contains "a NUL byte names its line and column" "$tmp/err" "line 2: not JSON: a NUL byte at column 54"
[ -e "$tmp/nul.csv" ] && { echo "FAIL: a run stopped by a NUL byte wrote its ledger"; fail=1; }

# numbers beyond int64 or double (issue 10, item 8): that line is rejected, the run goes on
cat >"$tmp/big.jsonl" <<'JSONL'
{"op":"program","id":"p","name":"P","currency":"USD"}
{"op":"level","id":"l","program":"p","name":"L","rank":12345678901234567890}
{"op":"level","id":"l","program":"p","name":"L","rank":1e400}
{"op":"level","id":"l","program":"p","name":"L","rank":-1E+400}
{"op":"level","id":"l","program":"p","name":"L","rank":-9223372036854775809}
{"op":"level","id":"l","program":"p","name":"L","rank":1}
{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"n":12345678901234567890}}
{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"n":1e400}}
{"op":"partner","id":"a","program":"p","level":"nope","name":"A","attrs":{"n":1e400}}
{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"n":12345678901234567}}
{"op":"frob","x":12345678901234567890}
{"op":12345678901234567890}
{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00","units":99999999999999999999999}
{"op":"level","id":"l2","program":"p","name":"L2","rank":2,"requires":{"deals":123456789012345678901234567890}}
{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00"}
JSONL
"$cli" run "$tmp/big.jsonl" --ledger "$tmp/big.csv" 2>"$tmp/err"; expect "out-of-range numbers are rejected lines" 1 $?
sed -n 's/^\(line [0-9]*: [a-z_]*\): .*$/\1/p' "$tmp/err" >"$tmp/codes"
cat >"$tmp/want" <<'WANT'
line 2: overflow
line 3: invalid_argument
line 4: invalid_argument
line 5: overflow
line 7: overflow
line 8: invalid_argument
line 9: not_found
line 11: invalid_argument
line 12: invalid_argument
line 13: overflow
line 14: overflow
WANT
if cmp -s "$tmp/codes" "$tmp/want"; then echo "ok: each out-of-range number rejects its line only"; else
  echo "FAIL: out-of-range numbers"; diff -u "$tmp/want" "$tmp/codes"; cat "$tmp/err"; fail=1; fi
contains "overflow names the field and the number" "$tmp/err" "line 2: overflow: field 'rank': 12345678901234567890 is beyond the 64-bit integer range"
contains "an attribute's overflow names it" "$tmp/err" "line 7: overflow: field 'attrs.n': 12345678901234567890"
contains "a nested field's overflow names its path" "$tmp/err" "line 14: overflow: field 'requires.deals'"
contains "the run went on to the last line" "$tmp/big.csv" "entry,type"

# outputs all or nothing (issue 10, item 6)
ok_run() { "$cli" run "$dir/trakti_quarter_bonus.jsonl" "$@"; }
ok_run --ledger "$tmp/nodir/ledger.csv" --payouts "$tmp/p1.csv" 2>"$tmp/err"; expect "an unwritable ledger path" 2 $?
contains "the unwritable path and the reason" "$tmp/err" "cannot write $tmp/nodir/ledger.csv: No such file or directory"
[ -e "$tmp/p1.csv" ] && { echo "FAIL: payouts written although the ledger failed"; fail=1; }
ok_run --ledger "$tmp/l2.csv" --payouts "$tmp/nodir/p.csv" 2>"$tmp/err"; expect "an unwritable payouts path" 2 $?
[ -e "$tmp/l2.csv" ] && { echo "FAIL: ledger written although the payouts failed"; fail=1; }
ok_run --ledger /dev/full --payouts "$tmp/p3.csv" 2>"$tmp/err"; expect "a device that is full" 2 $?
contains "a full device gives the reason" "$tmp/err" "cannot write /dev/full: No space left on device"
[ -e "$tmp/p3.csv" ] && { echo "FAIL: payouts written although the ledger failed"; fail=1; }
echo old >"$tmp/l4.csv"
ok_run --ledger "$tmp/l4.csv" --payouts "$tmp/$(printf 'x%.0s' $(seq 300)).csv" 2>"$tmp/err"; expect "a name too long" 2 $?
if [ "$(cat "$tmp/l4.csv")" = old ]; then echo "ok: a failed run leaves an existing output as it was"; else
  echo "FAIL: existing ledger replaced by a failed run"; fail=1; fi
ok_run --ledger "$tmp/l5.csv" --payouts "$tmp/p5.csv"; expect "outputs written" 0 $?
if cmp -s "$tmp/l5.csv" "$dir/trakti_quarter_bonus.ledger.csv" && cmp -s "$tmp/p5.csv" "$dir/trakti_quarter_bonus.payouts.csv"; then
  echo "ok: outputs written whole"; else echo "FAIL: outputs differ"; fail=1; fi
if ls "$tmp" | grep -q '\.tmp-'; then echo "FAIL: temporary files left"; ls "$tmp"; fail=1; else echo "ok: no temporary file left"; fi
# a full disk: a tiny tmpfs in a private mount namespace (needs root; skipped otherwise)
gen=$dir/../sqlite/gen_scenario.py
mkdir "$tmp/small"
if command -v python3 >/dev/null && python3 "$gen" --ops 400 "$tmp/gen.jsonl" &&
   unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs '$tmp/small' && umount '$tmp/small'" 2>/dev/null; then
  "$cli" check "$tmp/gen.jsonl" 2>/dev/null
  unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs '$tmp/small' &&
    '$cli' run '$tmp/gen.jsonl' --ledger '$tmp/small/ledger.csv' --payouts '$tmp/small/payouts.csv' 2>'$tmp/err';
    echo \$? >'$tmp/status'; ls -A '$tmp/small' >'$tmp/left'"
  expect "a full disk" 2 "$(cat "$tmp/status")"
  contains "a full disk gives the reason" "$tmp/err" "No space left on device"
  if [ -s "$tmp/left" ]; then echo "FAIL: a full disk left files:"; cat "$tmp/left"; fail=1; else
    echo "ok: a full disk leaves no output file"; fi
  # an unwritable directory, even for root: a read-only mount; the payouts go elsewhere
  unshare -m sh -c "mount -t tmpfs -o ro,size=64k tmpfs '$tmp/small' &&
    '$cli' run '$dir/trakti_quarter_bonus.jsonl' --ledger '$tmp/small/ledger.csv' --payouts '$tmp/p6.csv' 2>'$tmp/err';
    echo \$? >'$tmp/status'"
  expect "a read-only directory" 2 "$(cat "$tmp/status")"
  contains "a read-only directory gives the reason" "$tmp/err" "cannot write $tmp/small/ledger.csv: Read-only file system"
  [ -e "$tmp/p6.csv" ] && { echo "FAIL: payouts written although the ledger's directory is read-only"; fail=1; }
else
  echo "skipped: cannot mount a tmpfs here (not root?), the full-disk case is not run"
fi

# usage mistakes name the mistake (issue 17)
usage_err() { # description, expected text, args...
  what=$1 text=$2; shift 2
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; expect "$what" 2 $?
  contains "$what: the message" "$tmp/err" "$text"
}
usage_err "an unknown command" "rewards-cli: unknown command 'frob'" frob x.jsonl
usage_err "an unknown option" "rewards-cli: unknown option '--bogus'" run "$dir/bad_input.jsonl" --bogus
usage_err "an unknown top-level option" "rewards-cli: unknown option '--frob'" --frob
usage_err "an option without its value" "rewards-cli: '--ledger' needs a file name" run "$dir/bad_input.jsonl" --ledger
usage_err "two scenario files" "rewards-cli: one scenario file only: 'b.jsonl' is a second one" run a.jsonl b.jsonl
usage_err "no scenario file" "rewards-cli: no scenario file given" run
usage_err "an output for check" "rewards-cli: check writes nothing: '--payouts' is for run" check a.jsonl --payouts p.csv
usage_err "an output given twice" "rewards-cli: '--ledger' given twice" run a.jsonl --ledger a.csv --ledger b.csv
usage_err "both outputs on standard output" "rewards-cli: --ledger - and --payouts - together would mix both files on standard output" \
  run "$dir/bad_input.jsonl" --ledger - --payouts -
[ -s "$tmp/out" ] && { echo "FAIL: a refused command line wrote output"; fail=1; }

# --batch N (docs/batches.md): the same outputs, error lines and status as without
for f in "$dir"/*.jsonl; do
  name=$(basename "$f" .jsonl)
  "$cli" run "$f" --ledger "$tmp/l0.csv" --payouts "$tmp/p0.csv" 2>"$tmp/e0"; want=$?
  for n in 1 2 7 1000; do
    "$cli" run "$f" --batch $n --ledger "$tmp/l.csv" --payouts "$tmp/p.csv" 2>"$tmp/e"; got=$?
    if [ $got -ne $want ] || ! cmp -s "$tmp/l.csv" "$tmp/l0.csv" || ! cmp -s "$tmp/p.csv" "$tmp/p0.csv" || \
       ! cmp -s "$tmp/e" "$tmp/e0"; then
      echo "FAIL: $name with --batch $n differs from one transaction per line"; fail=1
    fi
  done
done
echo "ok: --batch 1, 2, 7, 1000 give every scenario's outputs and errors"
"$cli" check "$dir/bad_input.jsonl" --batch 5 2>"$tmp/err"; expect "check --batch with rejected lines" 1 $?
usage_err "--batch 0" "rewards-cli: '--batch' needs a number of operations" run a.jsonl --batch 0
usage_err "--batch x" "rewards-cli: '--batch' needs a number of operations" run a.jsonl --batch x
usage_err "--batch without N" "rewards-cli: '--batch' needs a number of operations" run a.jsonl --batch
usage_err "--batch twice" "rewards-cli: '--batch' given twice" run a.jsonl --batch 2 --batch 3

# whatif BASE CHANGE: the difference CHANGE makes, then rolled back
head -n 15 "$dir/tiered_clawback.jsonl" >"$tmp/base.jsonl"
cat >"$tmp/change.jsonl" <<'EOF_CHANGE'
{"op":"deal","id":"n9","partner":"nord","amount":"5000.00","currency":"EUR","at":"2026-02-03"}
{"op":"stage","deal":"n9","stage":"won","at":"2026-02-04"}
{"op":"stage","deal":"nope","stage":"won","at":"2026-02-04"}
{"op":"payout","id":"feb","until":"2026-02-28","at":"2026-03-01"}
EOF_CHANGE
cat >"$tmp/whatif.expected" <<'EOF_WANT'
# ledger
- 5,earned,tiers,n3,nord,partner,nord,3425.00,EUR,approved,,FY2026-Q1,2026-02-01T00:00:00Z,
+ 5,earned,tiers,n3,nord,partner,nord,3425.00,EUR,paid,,FY2026-Q1,2026-02-01T00:00:00Z,feb
- 6,earned,spiff,n3,nord,partner,nord,400.00,EUR,approved,,,2026-02-01T00:00:00Z,
+ 6,earned,spiff,n3,nord,partner,nord,400.00,EUR,paid,,,2026-02-01T00:00:00Z,feb
+ 7,earned,tiers,n9,nord,partner,nord,625.00,EUR,paid,,FY2026-Q1,2026-02-04T00:00:00Z,feb
+ 8,earned,spiff,n9,nord,partner,nord,150.00,EUR,paid,,,2026-02-04T00:00:00Z,feb
# payouts
+ feb,partner,nord,Nordic IT AB,nord,Nordic IT AB,EUR,4600.00,4
# net
partner,nord,EUR,775.00
EOF_WANT
"$cli" whatif "$tmp/base.jsonl" "$tmp/change.jsonl" >"$tmp/out" 2>"$tmp/err"; expect "whatif with a rejected change line" 1 $?
if cmp -s "$tmp/out" "$tmp/whatif.expected"; then echo "ok: whatif prints the difference"; else
  echo "FAIL: whatif output"; diff -u "$tmp/whatif.expected" "$tmp/out"; fail=1; fi
contains "whatif names the change file's line" "$tmp/err" "change.jsonl: line 3: not_found: no deal 'nope'"
"$cli" whatif "$tmp/base.jsonl" "$tmp/base.jsonl" >"$tmp/out" 2>"$tmp/err"; expect "whatif of a replayed base" 1 $?
printf '# ledger\n# payouts\n# net\n' >"$tmp/empty.expected"
head -n 3 "$tmp/base.jsonl" >"$tmp/defs.jsonl"
printf '# nothing\n' >"$tmp/nothing.jsonl"
"$cli" whatif "$tmp/base.jsonl" "$tmp/nothing.jsonl" >"$tmp/out" 2>"$tmp/err"; expect "whatif of an empty change" 0 $?
if cmp -s "$tmp/out" "$tmp/empty.expected"; then echo "ok: an empty change changes nothing"; else
  echo "FAIL: empty whatif"; cat "$tmp/out"; fail=1; fi
"$cli" whatif "$tmp/base.jsonl" "$tmp/missing.jsonl" >"$tmp/out" 2>"$tmp/err"; expect "whatif with a missing change" 2 $?
contains "whatif names the missing file" "$tmp/err" "missing.jsonl"
usage_err "whatif with one file" "rewards-cli: whatif needs two files: BASE.jsonl CHANGE.jsonl" whatif a.jsonl

exit $fail
