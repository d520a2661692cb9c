#!/bin/sh
# The shared library exports exactly the API: every defined dynamic symbol is
# a rewards_* function under a version node of lib/librewards.map
# (LIBREWARDS_1, or a later node such as LIBREWARDS_1.1 that inherits it),
# and every function the header declares with REWARDS_API is exported.
# usage: check_symbols.sh LIBRARY.so HEADER MAPFILE
set -u
lib=$1 header=$2 map=$3
nodes=$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' "$map")
node=$(echo "$nodes" | head -n 1)
[ -n "$node" ] || { echo "no version node in $map"; exit 1; }
in_node() { # symbol@@NODE with NODE one of the map's nodes
  for n in $nodes; do case "$1" in rewards_*@@"$n"|"$n") return 0 ;; esac; done
  return 1
}
fail=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for sym in $exported; do
  in_node "$sym" || { echo "unexpected export: $sym"; fail=1; }
done
declared=$(tr '\n' ' ' <"$header" | grep -o 'REWARDS_API[^;]*' | grep -o 'rewards_[a-z0-9_]*(' | tr -d '(' | sort -u)
for fn in $declared; do
  echo "$exported" | grep -q "^$fn@@" || { echo "declared but not exported: $fn"; fail=1; }
done
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "soname: $soname"
case "$soname" in librewards.so.[0-9]*) ;; *) echo "bad soname"; fail=1 ;; esac
[ $fail -eq 0 ] && echo "$(echo "$declared" | wc -l) API functions exported under $(echo $nodes), nothing else"
exit $fail
