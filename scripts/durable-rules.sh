#!/usr/bin/env bash
# Builds durable-rules from its released source with upstream's Python 3.13 fix, once per Python
# version, and prints the path of the wheel (scripts/setup.sh installs it before govcore).
#
# Usage: scripts/durable-rules.sh PYTHON         build (or reuse) the wheel for PYTHON
#        scripts/durable-rules.sh --patch DIR    only apply the fix to an unpacked source in DIR
#
# Why: durable-rules 2.0.28 (2020; its newest release, source only) calls PyEval_CallObject, which
# Python 3.13 removed. With GCC 12 the extension still compiles (an implicit declaration) and then
# fails on import ("undefined symbol: PyEval_CallObject"); with compilers that reject implicit
# declarations (Clang 16+, GCC 14+) it does not compile at all. Upstream replaced the call with
# PyObject_CallObject (same arguments and result, in every Python 3; jruizgit/rules PR #403) but has
# published no release. This script applies exactly that replacement to the released source, on
# every Python version, so there is one build path. No warning needs to be switched off: with the
# fix the source compiles cleanly with Clang 19 and with GCC 14's new errors. The opposite is done:
# those errors are switched on for every compiler (CPPFLAGS, because durable-rules' setup.py
# overwrites CFLAGS), so a missing declaration stops the build instead of crashing at import.
#
# The fix is checked: the build stops if the source does not contain exactly the calls it replaces.
# That happens when upstream publishes a fixed release: then depend on the release and delete this
# script. The download is checked against the sdist's SHA-256 digest.
#
# Cache: ${GOVCORE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/govcore}/durable-rules-<version>-<fix>/<python>/
# holds one wheel per Python version and platform; it is built once (about 5 s) and reused by every
# checkout and virtual environment. Delete the folder to rebuild.
set -euo pipefail

VERSION=2.0.28
SHA256=053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61
FIX=fix1                       # change when the fix or the flags change: the cached wheels are rebuilt
FILE=src/rulespy/rules.c
OLD=PyEval_CallObject          # removed in Python 3.13 ...
NEW=PyObject_CallObject        # ... its replacement since Python 3.0
CALLS=5                        # how many calls durable-rules 2.0.28 makes
STRICT="-Werror=implicit-function-declaration -Werror=int-conversion -Werror=incompatible-pointer-types"

die() { echo "durable-rules.sh: $*" >&2; exit 1; }

apply_fix() {
    local file="$1/$FILE" found
    [ -f "$file" ] || die "$file not found: is $1 the durable-rules $VERSION source?"
    found=$(grep -c -F "$OLD(" "$file" || true)
    if [ "$found" != "$CALLS" ]; then
        die "$file has $found calls of $OLD, the fix expects $CALLS. The source changed: if upstream\
 released the fix, depend on that release and delete scripts/durable-rules.sh."
    fi
    sed -i "s/$OLD(/$NEW(/g" "$file"
    [ "$(grep -c -F "$NEW(" "$file")" = "$CALLS" ] && ! grep -q -F "$OLD(" "$file" || die "the fix failed in $file"
}

if [ "${1:-}" = "--patch" ]; then
    [ $# = 2 ] || die "usage: scripts/durable-rules.sh --patch DIR"
    apply_fix "$2"
    exit 0
fi
[ $# = 1 ] || die "usage: scripts/durable-rules.sh PYTHON"
PY=$("$1" -c 'import sys; print(sys.executable)') || die "$1 does not run"

tag=$("$PY" -c 'import sys, sysconfig; print(sys.implementation.cache_tag + sys.abiflags + "-" + sysconfig.get_platform())')
cache="${GOVCORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govcore}/durable-rules-$VERSION-$FIX/$tag"
for wheel in "$cache"/*.whl; do
    [ -f "$wheel" ] && { echo "$wheel"; exit 0; }
done

echo "building durable-rules $VERSION with the Python 3.13 fix for $tag (once; cached in $cache)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "durable-rules==$VERSION --hash=sha256:$SHA256" >"$work/requirements.txt"
"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: --require-hashes \
    -r "$work/requirements.txt" -d "$work" >&2 || die "could not download the durable-rules $VERSION source"
tar -xzf "$work/durable_rules-$VERSION.tar.gz" -C "$work"
apply_fix "$work/durable_rules-$VERSION"
if ! CPPFLAGS="${CPPFLAGS:+$CPPFLAGS }$STRICT" "$PY" -m pip wheel --disable-pip-version-check --no-deps \
        -w "$work/wheel" "$work/durable_rules-$VERSION" >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    die "the build failed (a C compiler and the Python headers are needed: apt-get install gcc python3-dev)"
fi
wheel=$(ls "$work"/wheel/*.whl)
"$PY" -m zipfile -e "$wheel" "$work/unpacked"
(cd "$work/unpacked" && "$PY" -c 'import durable_rules_engine') \
    || die "the built extension does not import on $("$PY" --version)"
mkdir -p "$cache"
mv "$wheel" "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache/$(basename "$wheel")"
echo "$cache/$(basename "$wheel")"
