"""Persistence under real processes: kill -9 at chosen and at random moments, then resume; two
processes writing one database at once. Each test runs the `govcore` command line in
subprocesses, against SQLite and (with GOVCORE_TEST_PG_URL, or always under CI) PostgreSQL.

A kill at a chosen point is made deterministic by fault injection (tests/crash.py, which wraps
the library's progress callback): the process sends itself SIGKILL right after the first commit
of item N or later (items are committed in batches of whole simulated days) — a real `kill -9`, no
cleanup runs. Production code has no test hook.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import write_config
from test_store import copy_example, dump

from govcore.store.audit import verify
from govcore.store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
VEJLE = ROOT / "examples" / "vejle"
OUTPUTS = ("events.jsonl", "summary.json", "report.md")

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if backend == "sqlite":
        return str(tmp_path / f"{name}.db")
    url: str = request.getfixturevalue("pg_url")  # one schema per test: give each DB a fresh schema
    return url


CRASH = ROOT / "tests" / "crash.py"


def govcore(*args: str, env: dict[str, str] | None = None, check: bool = True,
            kill_after: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in a new process; `kill_after=N`: SIGKILL it right after item N."""
    command = ["-m", "govcore.cli"] if kill_after is None else [str(CRASH), str(kill_after)]
    proc = subprocess.run([sys.executable, *command, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=False, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def simulate_args(config: Path, out: Path, db: str, *more: str) -> list[str]:
    return ["simulate", str(config), "--year", "2021", "--out", str(out), "--format", "md", "--db", db, "--quiet",
            *more]


def same_outputs(a: Path, b: Path) -> None:
    for f in OUTPUTS:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def items_of(db: str) -> int:
    database = open_database(db)
    try:
        with database.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT items FROM govcore_run WHERE municipality = '630'").scalar_one())
    finally:
        database.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """An uninterrupted persisted run of Vejle (SQLite): outputs, database, items processed."""
    base = tmp_path_factory.mktemp("reference")
    db = str(base / "ref.db")
    govcore(*simulate_args(VEJLE, base / "out", db))
    plain = base / "plain"
    govcore("simulate", str(VEJLE), "--year", "2021", "--out", str(plain), "--format", "md", "--quiet")
    same_outputs(base / "out", plain)  # persisting changes nothing in the outputs
    return base / "out", db, items_of(db)


def kill_points(n: int, backend: str) -> list[int]:
    return [0, 1, n // 2, n - 1, n] if backend == "sqlite" else [0, n // 3, n]


def test_killed_at_chosen_points_a_resumed_run_is_identical(
        backend: str, reference: tuple[Path, str, int], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    ref_out, ref_db, n = reference
    assert n > 100
    expected = dump(ref_db, "630")
    for point in kill_points(n, backend):
        if backend == "sqlite":
            db = str(tmp_path / f"k{point}.db")
        else:
            db = request.getfixturevalue("pg_url")
            _drop_all(db)
        out = tmp_path / f"out{point}"
        killed = govcore(*simulate_args(VEJLE, out, db), kill_after=point, check=False)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr)
        stored = items_of(db)  # the batch boundary at or after the point
        assert point <= stored <= n and (stored < n or point > n - 20), (point, stored)
        assert not (out / "events.jsonl").exists()
        resumed = govcore(*[a for a in simulate_args(VEJLE, out, db, "--resume") if a != "--quiet"])
        if stored:
            assert f"genoptager Vejle 2021 efter punkt {stored}" in resumed.stderr
        same_outputs(out, ref_out)
        assert dump(db, "630") == expected, point
        assert [r.problem for r in verify(open_database(db))] == [None]


def _drop_all(url: str) -> None:
    """Empty the test's PostgreSQL schema (the kill points share one)."""
    database = open_database(url)
    try:
        def drop(conn: sa.Connection) -> None:  # every table, those of later migrations too
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)

        database.write(drop)
    finally:
        database.close()


def test_killed_from_outside_at_a_random_moment_a_resumed_run_is_identical(
        reference: tuple[Path, str, int], tmp_path: Path) -> None:
    ref_out, ref_db, n = reference
    seed = int(time.time())
    # In the first half, so that hundreds of items are still to come when the kill lands (a kill
    # near the end raced the last commits on a fast machine).
    target = random.Random(seed).randint(n // 10, n // 2)
    db = str(tmp_path / "random.db")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "govcore.cli", *simulate_args(VEJLE, out, db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        reached = _wait_for_items(db, target, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert reached, f"the run ended before item {target} (seed {seed})"
    assert proc.returncode == -signal.SIGKILL
    stored = items_of(db)
    assert target <= stored < n, (seed, stored)
    govcore(*simulate_args(VEJLE, out, db, "--resume"))
    same_outputs(out, ref_out)
    assert dump(db, "630") == dump(ref_db, "630"), f"seed {seed}"


def _wait_for_items(db: str, target: int, proc: subprocess.Popen[Any]) -> bool:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                row = conn.execute("SELECT items FROM govcore_run").fetchone()
        except sqlite3.Error:
            row = None
        if row is not None and row[0] >= target:
            return True
        time.sleep(0.002)
    return False


def test_two_processes_write_one_database_at_once(
        backend: str, reference: tuple[Path, str, int], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    db = new_db(backend, tmp_path, request, "shared")
    configs = {"630": VEJLE, "740": copy_example(tmp_path / "silkeborg", code="740", responses=False)}
    procs = {code: subprocess.Popen([sys.executable, "-m", "govcore.cli",
                                     *simulate_args(cfg, tmp_path / f"out-{code}", db)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for code, cfg in configs.items()}
    for code, p in procs.items():
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, (code, err)
    for code, cfg in configs.items():
        # Vejle's plain run is the module's: `reference` found its outputs byte-identical to the persisted ones
        plain = reference[0] if cfg == VEJLE else tmp_path / f"plain-{code}"
        if cfg != VEJLE:
            govcore("simulate", str(cfg), "--year", "2021", "--out", str(plain), "--format", "md", "--quiet")
        same_outputs(tmp_path / f"out-{code}", plain)
        rows = dump(db, code)
        lines = (plain / "events.jsonl").read_text(encoding="utf-8").count("\n")
        assert len(rows["govcore_event"]) == lines
    assert [(r.municipality, r.problem) for r in verify(open_database(db))] == [("630", None), ("740", None)]


def test_killed_while_ticking_across_the_new_year_a_resumed_run_is_identical(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    ref = str(tmp_path / "ref.db")
    govcore("tick", str(folder), "--db", ref, "--now", "2021-11-30")
    before = items_of(ref)
    govcore("tick", str(folder), "--db", ref, "--now", "2022-02-28")
    after = items_of(ref)
    assert after > before + 3
    for point in (before + 1, (before + after) // 2, after - 1):
        db = str(tmp_path / f"k{point}.db")
        govcore("tick", str(folder), "--db", db, "--now", "2021-11-30")
        killed = govcore("tick", str(folder), "--db", db, "--now", "2022-02-28", kill_after=point, check=False)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        assert point <= items_of(db) <= after
        govcore("tick", str(folder), "--db", db, "--now", "2022-02-28")
        assert dump(db, "630") == dump(ref, "630"), point
        assert [r.problem for r in verify(open_database(db))] == [None]


def test_a_stored_simulation_over_two_years_killed_in_the_second_resumes_identically(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    span = ["--from", "2021-01-01", "--to", "2022-12-31"]
    plain = tmp_path / "plain"
    govcore("simulate", str(folder), *span, "--out", str(plain), "--format", "md", "--quiet")
    files = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*") if p.is_file())  # charts/ too
    assert "report-2022.md" in files and "summary-2021.json" in files
    ref = str(tmp_path / "ref.db")
    govcore("simulate", str(folder), *span, "--out", str(tmp_path / "stored"), "--format", "md", "--db", ref,
            "--quiet")
    for name in files:
        assert (tmp_path / "stored" / name).read_bytes() == (plain / name).read_bytes(), name
    n = items_of(ref)
    db = str(tmp_path / "killed.db")
    out = tmp_path / "resumed"
    point = n * 3 // 4  # in 2022
    killed = govcore("simulate", str(folder), *span, "--out", str(out), "--format", "md", "--db", db, "--quiet",
                     kill_after=point, check=False)
    assert killed.returncode == -signal.SIGKILL and point <= items_of(db) < n
    conn = sqlite3.connect(db)
    try:
        (clock,) = conn.execute("SELECT clock FROM govcore_run").fetchone()
    finally:
        conn.close()
    assert str(clock).startswith("2022-")
    govcore("simulate", str(folder), *span, "--out", str(out), "--format", "md", "--db", db, "--resume", "--quiet")
    for name in files:
        assert (out / name).read_bytes() == (plain / name).read_bytes(), name
    assert dump(db, "630") == dump(ref, "630")
