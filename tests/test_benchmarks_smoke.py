"""Every benchmark still runs: each script in benchmarks/ with its smallest arguments, on the small
test configuration, must finish and print its figure lines.

CI does not run the benchmarks for their figures (they are measured by hand, see
docs/benchmarks.md); without this a benchmark broken by a change elsewhere would only be found
when someone next needs its numbers. The figures themselves are not judged here: a speed target
is not a test (docs/testing.md). Together the runs cost some 20 s of CPU.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_config

CONFIG = "{config}"  # replaced by the small configuration of tests/conftest.py
NUMBER = r"[\d.,]+"

# script: (its smallest arguments, the figure lines its output must have)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "bench_continuous.py": (
        ["--config", CONFIG, "--municipalities", "1", "--from", "2021", "--to", "2021", "--no-separate", "--simulate"],
        [rf"continuous \(one engine each\): +{NUMBER} s wall, +{NUMBER} s CPU, {NUMBER} ms per municipality, "
         rf"\d+ events", rf"the same through simulate: +{NUMBER} s wall, +{NUMBER} s CPU, \d+ events; simulate's own "
         rf"\(summaries, digests, results\): -?{NUMBER} s CPU = -?{NUMBER}× the engine's",
         rf"peak RSS of the process: +{NUMBER} MiB", rf"Python peak by years .*1 y: {NUMBER} MiB"]),
    "bench_goals.py": (
        ["--config", CONFIG, "--goals", "10", "--years", "1"],
        [rf"^1\. 10 goals, year 2021: {NUMBER} s CPU, \d+ events; the copies hold their original's target, "
         rf".* with a target object of their own each .*: {NUMBER} s CPU \(aim <= {NUMBER} s, both: "
         rf"(within|ABOVE) aim\)$",
         rf"^2\. the year 2021 with \d+ / \d+ observations behind it: \d+ / \d+ ms CPU = {NUMBER}x; of which "
         rf"taking them in \(the engine's start\) {NUMBER} / {NUMBER} ms, the year after that -?{NUMBER}x",
         rf"^   the first engine after load_config: \d+ / \d+ ms = {NUMBER}x; not in it, done by load_config "
         rf".*working out the shared history {NUMBER} / {NUMBER} ms \(load_config of .* {NUMBER} ms CPU in all\)$",
         rf"^   the first engine after load_config starting on \d{{4}}-03-15 .*: \d+ / \d+ ms = {NUMBER}x$",
         rf"^   a first engine that works the history out itself .*: \d+ / \d+ ms = {NUMBER}x$",
         rf"^   the first engine of a configuration made in code \(observations in a list\) after "
         rf"govcore\.prepare\(config\), .*: \d+ / \d+ ms = {NUMBER}x$"]),
    "bench_hostile.py": (
        ["--config", CONFIG, "--input", "billion laughs", "--file", "kpis.yaml"],
        [rf"^untouched +- +{NUMBER} +{NUMBER} +loaded$",
         rf"^billion laughs +kpis\.yaml +{NUMBER} +{NUMBER} +refused at kpis\.yaml:\d+$",
         rf"^worst refusal: {NUMBER} s, {NUMBER} MB peak .*; all refused: True$"]),
    "bench_ruletest.py": (
        [],
        [rf"^\d+ scenarios, all passed; slowest {NUMBER} s .*; all of it {NUMBER} s CPU$"]),
    "bench_server.py": (
        ["--config", CONFIG, "--municipalities", "2", "--until", "2021-02-28", "--requests", "2",
         "--batch", "10", "--batches", "1", "--pg", ""],
        [rf"goal status +n=2 +p50 +{NUMBER} ms +p95 +{NUMBER} ms",
         rf"task list \(actions\?state=open\) +n=2 +p50 +{NUMBER} ms",
         rf"batch of 10 observations .*: {NUMBER} s \(aim"]),
    "bench_startup.py": (
        ["--runs", "1", "--simulate-runs", "1"],
        [rf"^govcore --help: median {NUMBER} s CPU, best {NUMBER} s \(1 runs; .*python -c pass: {NUMBER} s$",
         rf"^govcore simulate vejle --year 2021 --out DIR \(the README's main job\): median {NUMBER} s CPU, "
         rf"best {NUMBER} s \(1 runs\)$",
         rf"^load_config\(vejle\) in one process: first {NUMBER} s CPU, again {NUMBER} s "]),
    "bench_store.py": (
        ["--config", CONFIG, "--municipalities", "1", "--batch", "10", "--pg", ""],
        [r"gc\.freeze\(\) before the runs: yes; the sides interleaved clone by clone$",
         rf"in memory: +{NUMBER} s CPU +{NUMBER} s wall +\(\d+ events",
         rf"SQLite: +{NUMBER} s CPU +{NUMBER} s wall +=.*same events: yes$",
         r"^  each run given one Database opened before the runs \(as the server and tick --all\):$",
         rf"SQLite: +{NUMBER} s CPU +{NUMBER} s wall +=.*same events: yes \(once, not in the runs: opening the "
         rf"database and its schema \d+ ms CPU, \d+ ms wall\)$",
         r"same events, a bad batch stored nothing: yes$"]),
    "bench_web.py": (
        ["--config", CONFIG, "--municipalities", "1", "--sample", "1", "--repeat", "1", "--until", "2021-02-28"],
        [rf"^/maal +n= +1 +median +{NUMBER} \( *{NUMBER}\) ms +p95",
         rf"^/maal/\{{id\}} +n= +\d+ +median +{NUMBER} \( *{NUMBER}\) ms"]),
    "bench_year.py": (
        ["--config", CONFIG, "--municipalities", "1", "--repeat", "1", "--engines", "2", "--no-tracemalloc",
         "--span-from", "2021", "--span-to", "2021"],
        [rf"engine time \(best wall\) +{NUMBER} ms", rf"total / mean per municipality +{NUMBER} s / {NUMBER} ms",
         rf"ratio engine / bare +{NUMBER}x",
         rf"of it: engine alone / outputs +{NUMBER} / -?{NUMBER} ms +engine alone / bare {NUMBER}x; outputs "
         rf"\(event lines, digests, summaries\) -?\d+% of simulate",
         rf"floor: the event lines alone +{NUMBER} ms +\d+ events' lines = {NUMBER}x bare, before any goal is judged$",
         r"^4\. 2 engines created and closed$"]),
}


@pytest.fixture(scope="module")
def small_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("bench") / "config")


def test_every_benchmark_has_a_smoke_run() -> None:
    assert sorted(BENCHMARKS) == sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_the_benchmark_runs_with_its_smallest_arguments(script: str, small_config: Path, tmp_path: Path) -> None:
    """Each benchmark runs, prints its figures and leaves no temporary file behind."""
    args, figures = BENCHMARKS[script]
    argv = [str(small_config) if a == CONFIG else a for a in args]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "TMPDIR": str(temporary)})
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    printed = done.stdout + done.stderr  # bench_goals prints its figures to stderr (JSON to stdout)
    missing = [f for f in figures if not re.search(f, printed, re.MULTILINE)]
    assert not missing, f"{script} did not print {missing}:\n{printed}"
    assert sorted(p.name for p in temporary.iterdir()) == [], f"{script} left temporary files behind"
