#!/usr/bin/env bash
# Sets everything up and runs the main job: a full simulated governance year of the Vejle example.
# GOVCORE_PYTHON and GOVCORE_VENV choose the interpreter and the environment (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOVCORE_VENV:-.venv}"
scripts/setup.sh
"$VENV/bin/govcore" simulate examples/vejle --year 2021 --out out/vejle-2021 "$@"
