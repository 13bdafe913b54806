#!/usr/bin/env bash
# Sets everything up and runs the main job: the Vejle example's whole plan period 2020-23, one run.
# GOVCORE_PYTHON and GOVCORE_VENV choose the interpreter and the environment (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOVCORE_VENV:-.venv}"
scripts/setup.sh
"$VENV/bin/govcore" simulate examples/vejle --from 2020-01-01 --to 2023-12-31 --out out/vejle-2020-2023 "$@"
