#!/usr/bin/env bash
# Creates a virtual environment (Python 3.11, 3.12 or 3.13) and installs govcore and every plugin
# (each plugins/*/pyproject.toml) into it, with durable-rules built by scripts/durable-rules.sh.
# Usage: scripts/setup.sh [--test]   (--test also installs pytest, hypothesis, ruff, mypy, build, and
#                                     Playwright for Python and pypdf for the PDF/browser tests; Playwright's
#                                     browsers are NOT downloaded: the tests use Debian's chromium)
# Environment: GOVCORE_PYTHON  the interpreter (a name on PATH or a path); default: the first of
#                              python3, python3.13, python3.12, python3.11 that is 3.11-3.13
#              GOVCORE_VENV    the environment's folder, default .venv
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOVCORE_VENV:-.venv}"

supported() {
    "$1" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)' 2>/dev/null
}

pick_python() {
    if [ -n "${GOVCORE_PYTHON:-}" ]; then
        if ! "$GOVCORE_PYTHON" -c '' >/dev/null 2>&1; then
            echo "GOVCORE_PYTHON=$GOVCORE_PYTHON: not found or does not run (give the full path)" >&2
            return 1
        fi
        supported "$GOVCORE_PYTHON" || { echo "GOVCORE_PYTHON=$GOVCORE_PYTHON: govcore needs Python 3.11, 3.12 or 3.13" >&2; return 1; }
        echo "$GOVCORE_PYTHON"
        return 0
    fi
    for candidate in python3 python3.13 python3.12 python3.11; do
        command -v "$candidate" >/dev/null 2>&1 && supported "$candidate" && { echo "$candidate"; return 0; }
    done
    echo "govcore needs Python 3.11, 3.12 or 3.13 (choose one with GOVCORE_PYTHON=/path/to/python)." >&2
    echo "On Debian: apt-get install python3 python3-venv python3-dev gcc" >&2
    return 1
}

version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

if [ -x "$VENV/bin/python" ]; then
    if [ -n "${GOVCORE_PYTHON:-}" ]; then
        PY=$(pick_python)
        want=$(version "$PY")
        have=$(version "$VENV/bin/python")
        if [ "$want" != "$have" ]; then
            echo "$VENV has Python $have but GOVCORE_PYTHON is Python $want: remove $VENV, or choose" \
                 "another folder with GOVCORE_VENV=.venv-$want" >&2
            exit 1
        fi
    fi
else
    PY=$(pick_python)
    echo "creating $VENV with $("$PY" --version)" >&2
    if ! "$PY" -m venv "$VENV"; then
        rm -rf "$VENV"
        echo "could not create a virtual environment: on Debian, apt-get install python3-venv" >&2
        exit 1
    fi
fi
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
durable_rules=$(scripts/durable-rules.sh "$VENV/bin/python")
plugins=()
for project in plugins/*/pyproject.toml; do
    plugins+=(-e "$(dirname "$project")")
done
# setuptools warns on every editable install that a folder named like the package may shadow it;
# here that folder is the package itself, so the warning says nothing and is silenced.
PYTHONWARNINGS="ignore:Editable installation" \
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$durable_rules" -e ".${extra}" "${plugins[@]}"
