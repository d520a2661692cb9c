#!/bin/sh
# The shared library exports exactly the API: every defined dynamic symbol is
# a rewards_* function under the version node of lib/librewards.map, and
# every function the header declares with REWARDS_API is exported.
# usage: check_symbols.sh LIBRARY.so HEADER MAPFILE
set -u
lib=$1 header=$2 map=$3
node=$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' "$map" | head -n 1)
[ -n "$node" ] || { echo "no version node in $map"; exit 1; }
# later nodes (LIBREWARDS_1.1 ...) name their functions one by one
later=$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' "$map" | tail -n +2)
node_of() {
  for n in $later; do
    sed -n "/^$n {/,/^}/p" "$map" | grep -qx "[[:space:]]*$1;" && { echo "$n"; return; }
  done
  echo "$node"
}
fail=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for sym in $exported; do
  case "$sym" in
    rewards_*@@*) [ "${sym#*@@}" = "$(node_of "${sym%@@*}")" ] || { echo "wrong version node: $sym"; fail=1; } ;;
    LIBREWARDS_*) ;;   # a version node itself
    *) echo "unexpected export: $sym"; fail=1 ;;
  esac
done
declared=$(tr '\n' ' ' <"$header" | grep -o 'REWARDS_API[^;]*' | grep -o 'rewards_[a-z0-9_]*(' | tr -d '(' | sort -u)
for fn in $declared; do
  echo "$exported" | grep -qx "$fn@@$(node_of "$fn")" || { echo "declared but not exported: $fn"; fail=1; }
done
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "soname: $soname"
case "$soname" in librewards.so.[0-9]*) ;; *) echo "bad soname"; fail=1 ;; esac
[ $fail -eq 0 ] && echo "$(echo "$declared" | wc -l) API functions exported under $node $later, nothing else"
exit $fail
