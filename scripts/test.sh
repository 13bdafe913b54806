#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: ruff, mypy and pytest (govcore and plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
echo "== ruff" && .venv/bin/ruff check govcore plugins tests benchmarks examples
echo "== mypy" && .venv/bin/mypy
echo "== pytest" && .venv/bin/pytest "$@"
