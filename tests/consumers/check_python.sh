#!/bin/sh
# Installed-consumer test for Python: a fresh virtual environment, then
# `pip install --no-build-isolation --no-deps` of the repository (meson-python
# builds the C library and bundles it in the package), then the quick start
# and the binding's own tests against the INSTALLED package, with no
# LIBREWARDS_PATH, PYTHONPATH or LD_LIBRARY_PATH.  Nothing is downloaded.
# usage: check_python.sh SOURCE_ROOT EXPECTED_OUTPUT
set -eu
src=$1 expected=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LIBREWARDS_PATH PYTHONPATH LD_LIBRARY_PATH LD_PRELOAD

# the interpreter with meson-python (Debian: python3-mesonpy, for /usr/bin/python3)
py=
for cand in /usr/bin/python3 python3; do
  if "$cand" -c 'import mesonpy, venv' 2>/dev/null; then py=$cand; break; fi
done
[ -n "$py" ] || { echo "no python3 with meson-python (mesonpy) and venv: run .ci/setup"; exit 1; }

"$py" -m venv --system-site-packages "$work/venv"
start=$(date +%s)
"$work/venv/bin/pip" install --quiet --no-build-isolation --no-deps --no-index --no-cache-dir "$src" \
  >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
echo "pip install: $(( $(date +%s) - start ))s"

cd "$work"   # not the source tree: the package must come from the venv
vpy="$work/venv/bin/python"
"$vpy" - <<'PY'
import librewards, os, sys
assert os.path.dirname(librewards.__file__).startswith(sys.prefix), librewards.__file__
here = os.path.dirname(librewards.__file__)
assert any(n.startswith("librewards.so.1") for n in os.listdir(here)), os.listdir(here)
assert os.path.exists(os.path.join(here, "py.typed"))
print("installed librewards", librewards.__version__, "at", here)
PY
"$vpy" "$src/examples/quickstart/quickstart.py" >"$work/out"
diff -u "$expected" "$work/out"
echo "quickstart.py output matches"

# the binding's tests, run against the installed package
cd "$src/bindings/python/tests"
REWARDS_SCENARIOS="$src/tests/scenarios" PYTHONDONTWRITEBYTECODE=1 "$vpy" -B -c '
import sys, unittest, librewards
assert librewards.__file__.startswith(sys.prefix), librewards.__file__
import glob
names = sorted(n[:-3] for n in glob.glob("test_*.py"))  # every test module of the binding
assert len(names) >= 7, names
result = unittest.TextTestRunner(verbosity=1).run(unittest.defaultTestLoader.loadTestsFromNames(names))
sys.exit(0 if result.wasSuccessful() else 1)'
