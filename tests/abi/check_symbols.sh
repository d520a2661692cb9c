#!/bin/sh
# The shared library exports exactly the API: every defined dynamic symbol is
# a rewards_* function under one of the version nodes of lib/librewards.map
# (LIBREWARDS_1, and LIBREWARDS_1.1 for what 1.1 added), every function the
# header declares with REWARDS_API is exported, and a symbol named in a later
# node is versioned with that node (not swallowed by LIBREWARDS_1's wildcard).
# usage: check_symbols.sh LIBRARY.so HEADER MAPFILE
set -u
lib=$1 header=$2 map=$3
nodes=$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' "$map")
[ -n "$nodes" ] || { echo "no version node in $map"; exit 1; }
fail=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for sym in $exported; do
  ok=0
  for node in $nodes; do
    case "$sym" in
      rewards_*@@"$node"|"$node") ok=1 ;;
    esac
  done
  [ $ok -eq 1 ] || { echo "unexpected export: $sym"; fail=1; }
done
# the node that must carry each symbol: the later node naming it exactly, else the first
node_of() {
  awk -v s="$1" '
    /^[A-Z0-9_.]+ \{/ { node = $1 }
    { gsub(/[ \t;]/, "") }
    $0 == s { found = node }
    END { print found }' "$map"
}
first=$(echo "$nodes" | head -n 1)
declared=$(tr '\n' ' ' <"$header" | grep -o 'REWARDS_API[^;]*' | grep -o 'rewards_[a-z0-9_]*(' | tr -d '(' | sort -u)
for fn in $declared; do
  want=$(node_of "$fn")
  [ -n "$want" ] || want=$first
  echo "$exported" | grep -qx "$fn@@$want" || { echo "declared but not exported under $want: $fn"; fail=1; }
done
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "soname: $soname"
case "$soname" in librewards.so.[0-9]*) ;; *) echo "bad soname"; fail=1 ;; esac
if [ $fail -eq 0 ]; then
  for node in $nodes; do
    echo "$(echo "$exported" | grep -c "@@$node\$") API functions exported under $node"
  done
  echo "nothing else exported"
fi
exit $fail
