#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: ruff, mypy and pytest (govcore and plugins).
# GOVCORE_PYTHON and GOVCORE_VENV choose the interpreter and the environment (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOVCORE_VENV:-.venv}"
scripts/setup.sh --test
echo "== $("$VENV/bin/python" --version) in $VENV"
echo "== ruff" && "$VENV/bin/ruff" check govcore plugins tests benchmarks examples
echo "== mypy" && "$VENV/bin/mypy"
echo "== pytest" && "$VENV/bin/pytest" "$@"
