#!/bin/sh
# Installs the build into a scratch root and builds a program outside the
# tree with `pkg-config --cflags --libs librewards`, then runs it.  Given a
# second program and its expected output (the quick start), builds it the
# same way and compares what it prints: the installed-consumer test for C.
# usage: check_install.sh BUILD_DIR SOURCE_FILE CC [PROGRAM.c EXPECTED_OUTPUT]
set -eu
build=$1 src=$2 cc=$3 prog=${4:-} expected=${5:-}
unset LD_LIBRARY_PATH
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
meson install -C "$build" --destdir "$root" --quiet >/dev/null
pc=$(find "$root" -name librewards.pc | head -n 1)
[ -n "$pc" ] || { echo "librewards.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
flags=$(pkg-config --cflags --libs librewards)
echo "pkg-config: $flags"
"$cc" -std=c11 -Wall -Wextra -Werror -o "$root/outside" "$src" $flags
libdir=$(dirname "$(find "$root" -name 'librewards.so.*' | head -n 1)")
LD_LIBRARY_PATH="$libdir" "$root/outside"
if [ -n "$prog" ]; then
  "$cc" -std=c11 -Wall -Wextra -Werror -o "$root/consumer" "$prog" $flags
  LD_LIBRARY_PATH="$libdir" "$root/consumer" >"$root/consumer.out"
  diff -u "$expected" "$root/consumer.out"
  echo "$(basename "$prog") built with pkg-config against the installed library: output matches"
fi
