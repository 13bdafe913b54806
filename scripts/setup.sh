#!/usr/bin/env bash
# Creates .venv (Python 3.11 or 3.12) and installs govcore and its four plugins into it.
# Usage: scripts/setup.sh [--test]   (--test also installs pytest, hypothesis, ruff and mypy)
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
    for candidate in "${GOVCORE_PYTHON:-}" python3.11 python3.12 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "govcore needs Python 3.11 or 3.12 (durable-rules does not build on 3.13)." >&2
    echo "On Debian: apt-get install python3 python3-venv python3-dev gcc" >&2
    return 1
}

if [ ! -x .venv/bin/python ]; then
    PY=$(pick_python)
    echo "creating .venv with $("$PY" --version)" >&2
    if ! "$PY" -m venv .venv; then
        rm -rf .venv
        echo "could not create a virtual environment: on Debian, apt-get install python3-venv" >&2
        exit 1
    fi
fi
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -e ".${extra}" -e plugins/ministermaal -e plugins/budget -e plugins/surveys -e plugins/initiatives \
    -e plugins/jobindsats -e plugins/statbank
