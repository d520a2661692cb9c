#!/bin/sh
# The header's REWARDS_VERSION_* macros agree with the project version.
# usage: check_version.sh HEADER VERSION
set -eu
header=$1 version=$2
get() { sed -n "s/^#define REWARDS_VERSION_$1 \([0-9]*\)$/\1/p" "$header"; }
actual="$(get MAJOR).$(get MINOR).$(get PATCH)"
[ "$actual" = "$version" ] || { echo "rewards.h says $actual, meson.build says $version"; exit 1; }
echo "version $version"
