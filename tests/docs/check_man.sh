#!/bin/sh
# The manual pages render without a groff warning and have the sections a
# reader looks for. usage: check_man.sh DOCS_MAN_DIR
set -u
dir=$1
fail=0
for page in rewards-cli.1 sqlite-host.1 pg-host.1; do
  f=$dir/$page
  warn=$(groff -man -ww -z "$f" 2>&1)
  if [ -n "$warn" ]; then echo "FAIL: $page: groff warnings:"; echo "$warn"; fail=1; fi
  text=$(MANWIDTH=80 man -l "$f" 2>/dev/null | col -b)
  for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
    if printf '%s\n' "$text" | grep -q "^$section"; then :; else echo "FAIL: $page: no $section section"; fail=1; fi
  done
  [ $fail -eq 0 ] && echo "ok: $page"
done
exit $fail
