#!/usr/bin/env bash
# Sets everything up and runs the main job: a full simulated governance year of the Vejle example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/govcore simulate examples/vejle --year 2021 --out out/vejle-2021 "$@"
