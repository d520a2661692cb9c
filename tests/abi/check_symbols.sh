#!/bin/sh
# The shared library exports exactly the API: every defined dynamic symbol is
# a rewards_* function under the version node of lib/librewards.map, and
# every function the header declares with REWARDS_API is exported.
# usage: check_symbols.sh LIBRARY.so HEADER MAPFILE
set -u
lib=$1 header=$2 map=$3
node=$(sed -n 's/^\([A-Z0-9_]*\) {.*/\1/p' "$map" | head -n 1)
[ -n "$node" ] || { echo "no version node in $map"; exit 1; }
fail=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for sym in $exported; do
  case "$sym" in
    rewards_*@@"$node") ;;
    "$node") ;;   # the version node itself
    *) echo "unexpected export: $sym"; fail=1 ;;
  esac
done
declared=$(tr '\n' ' ' <"$header" | grep -o 'REWARDS_API[^;]*' | grep -o 'rewards_[a-z0-9_]*(' | tr -d '(' | sort -u)
for fn in $declared; do
  echo "$exported" | grep -qx "$fn@@$node" || { echo "declared but not exported: $fn"; fail=1; }
done
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "soname: $soname"
case "$soname" in librewards.so.[0-9]*) ;; *) echo "bad soname"; fail=1 ;; esac
[ $fail -eq 0 ] && echo "$(echo "$declared" | wc -l) API functions exported under $node, nothing else"
exit $fail
