#!/bin/sh
# Installed-consumer test for Lua 5.4, two ways:
#  1. `meson install` of the build into a scratch root, then the quick start
#     through `require "rewards"`.  LUA_CPATH is set to the scratch copy of
#     the install directory, and LD_LIBRARY_PATH to its library directory,
#     only to emulate the real location; the test also checks that the
#     module's real install directory is on lua5.4's DEFAULT package.cpath.
#  2. `luarocks make` (offline) of the rockspec from a copy of the sources
#     into a scratch tree, then the quick start with that tree's module
#     (self-contained: no librewards.so.1 needed); the rockspec must list
#     every C source meson builds into the library and the module.
#     It is run from the root of the copy, as bindings/README.md says.
# usage: check_lua.sh BUILD_DIR SOURCE_ROOT EXPECTED_OUTPUT LUA
set -eu
build=$1 src=$2 expected=$3 lua=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LUA_CPATH LUA_PATH LUA_CPATH_5_4 LUA_PATH_5_4 LD_LIBRARY_PATH LD_PRELOAD

# -- 1. meson install ---------------------------------------------------------
meson install -C "$build" --destdir "$work/root" --quiet >/dev/null
mod=$(find "$work/root" -name rewards.so -path '*/lua/5.4/*' | head -n 1)
[ -n "$mod" ] || { echo "meson install did not install rewards.so under lua/5.4"; exit 1; }
real_dir=$(dirname "${mod#"$work/root"}")
echo "meson install puts the module in $real_dir"
default_cpath=$("$lua" -e 'io.write(package.cpath)')
case ";$default_cpath;" in
  *";$real_dir/?.so;"*) echo "on lua5.4's default package.cpath" ;;
  *) prefix=$(meson introspect "$build" --buildoptions | "$lua" -e '
       local s = io.read("a"); io.write(s:match("\"name\": \"prefix\", \"value\": \"([^\"]*)\"") or "?")')
     case "$prefix" in
       /usr|/usr/local) echo "$real_dir is not on the default package.cpath: $default_cpath"; exit 1 ;;
       *) echo "note: prefix $prefix is not a system prefix; its module directory is not on the default cpath" ;;
     esac ;;
esac
libso=$(find "$work/root" -name 'librewards.so.1' | head -n 1)
LUA_CPATH="$(dirname "$mod")/?.so" LD_LIBRARY_PATH="$(dirname "$libso")" \
  "$lua" "$src/examples/quickstart/quickstart.lua" >"$work/out1"
diff -u "$expected" "$work/out1"
echo "quickstart.lua after meson install: output matches"

# -- 2. luarocks make -----------------------------------------------------------
if ! command -v luarocks >/dev/null 2>&1; then
  echo "luarocks is not installed: run .ci/setup"; exit 1
fi
rockspec=$(cd "$src" && ls bindings/lua/rewards-*.rockspec | head -n 1)
# every .c meson compiles into the library or the module is in the rockspec
for f in $(sed -n "s/^ *'\([a-z_0-9]*\.c\)',.*/lib\/\1/p" "$src/lib/meson.build") \
         $(sed -n "/shared_module('rewards'/,/name_prefix/p" "$src/bindings/lua/meson.build" |
           grep -o "'[a-z_0-9]*\.c'" | tr -d "'" | sed 's|^|bindings/lua/|'); do
  grep -q "\"$f\"" "$src/$rockspec" || { echo "$rockspec does not list $f"; exit 1; }
done
version=$(sed -n 's/^version = "\(.*\)-[0-9]*"$/\1/p' "$src/$rockspec")
project=$(sed -n "s/^ *version : '\(.*\)',$/\1/p" "$src/meson.build" | head -n 1)
[ "$version" = "$project" ] || { echo "$rockspec is version $version, meson.build says $project"; exit 1; }
mkdir "$work/src"
(cd "$src" && cp -r include lib bindings "$work/src/")
rm -rf "$work/src/bindings/python"
(cd "$work/src" && luarocks --lua-version=5.4 --tree="$work/tree" make "$rockspec" >"$work/rocks.log" 2>&1) ||
  { cat "$work/rocks.log"; exit 1; }
rock=$(find "$work/tree" -name rewards.so | head -n 1)
[ -n "$rock" ] || { echo "luarocks make installed no rewards.so"; cat "$work/rocks.log"; exit 1; }
LUA_CPATH="$(dirname "$rock")/?.so" "$lua" "$src/examples/quickstart/quickstart.lua" >"$work/out2"
diff -u "$expected" "$work/out2"
echo "quickstart.lua after luarocks make: output matches"
