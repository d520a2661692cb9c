#!/bin/sh
# Installs the build into a scratch root and builds a program outside the
# tree with `pkg-config --cflags --libs librewards`, then runs it.
# usage: check_install.sh BUILD_DIR SOURCE_FILE CC
set -eu
build=$1 src=$2 cc=$3
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
