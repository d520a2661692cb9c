#!/bin/sh
# Runs a program and compares its standard output with an expected file.
# usage: check_output.sh EXPECTED PROGRAM [ARGS...]
set -u
expected=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" || { echo "exit status $?"; exit 1; }
diff -u "$expected" "$out"
