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
"$cli" run "$tmp/types.jsonl" --ledger - --payouts - >"$tmp/out" 2>"$tmp/err"; expect "wrong types" 1 $?
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
exit $fail
