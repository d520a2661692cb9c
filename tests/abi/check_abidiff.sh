#!/bin/sh
# Compares the built library's ABI with the baseline kept in the repository
# (lib/librewards.abi, from libabigail's abidw). Added functions are fine;
# any other change fails: abidiff calls a moved struct member a "change", not
# an incompatible one, so every change is a failure until a person has judged
# it compatible (a versioned struct grown at its end) and refreshed the
# baseline with: abidw --no-corpus-path --drop-private-types \
#   --headers-dir include build/lib/librewards.so > lib/librewards.abi
# A second run checks against the 1.0 baseline (lib/librewards-1.0.abi) with a
# suppression file that lets only versioned structs grow at their end, so a
# 1.0 binary keeps working whatever the newest baseline says.
# usage: check_abidiff.sh LIBRARY BASELINE HEADERS_DIR [SUPPRESSIONS]
set -u
lib=$1 baseline=$2 headers=$3 suppr=${4:-}
current=$(mktemp)
trap 'rm -f "$current"' EXIT
abidw --no-corpus-path --drop-private-types --headers-dir "$headers" "$lib" >"$current" || exit 1
if [ -n "$suppr" ]; then
  abidiff --no-added-syms --suppressions "$suppr" --headers-dir2 "$headers" "$baseline" "$current"
else
  abidiff --no-added-syms --headers-dir2 "$headers" "$baseline" "$current"
fi
rc=$?
# bits: 1 error, 2 usage error, 4 ABI change, 8 incompatible ABI change
if [ "$rc" -ne 0 ]; then echo "ABI change against the baseline (abidiff exit $rc)"; exit 1; fi
echo "ABI compatible with the baseline (abidiff exit $rc)"
