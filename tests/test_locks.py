"""One run is advanced by one process at a time (govcore.store.locks), tested with real processes.

Two processes tick one run at once against PostgreSQL: the parent holds the run's lock until the
database shows both children waiting for it, then lets go — so they really do contend. The result
must be the events of one sequential run: one child advances, the other finds nothing due.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import write_config

from govcore.config import load_config
from govcore.store.audit import verify
from govcore.store.db import open_database
from govcore.store.locks import RunBusy, lock_file, lock_key, run_lock
from govcore.store.run import tick

CHILD = """
import datetime as dt, json, sys
from govcore.config import load_config
from govcore.store.locks import RunBusy, run_lock
from govcore.store.db import open_database
from govcore.store.run import tick

mode, folder, url = sys.argv[1:4]
cfg = load_config(folder)
print("ready", flush=True)
if mode == "tick":
    sys.stdin.readline()  # the parent says when
    result = tick(cfg, url, now=dt.date(2021, 6, 30))
    print(json.dumps({"events": len(result.events), "clock": result.clock}), flush=True)
else:  # try the lock without waiting
    db = open_database(url)
    try:
        with run_lock(db, "630", "2021-01-01", wait=False):
            print("locked", flush=True)
    except RunBusy as err:
        print(f"busy: {err}", flush=True)
    finally:
        db.close()
"""


def child(mode: str, folder: Path, url: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(folder), url], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def finish(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None and proc.stderr is not None
    if proc.stdin is not None:
        proc.stdin.close()
    # read() rather than communicate(): child() already read "ready" through this buffered stream
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=600)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return out.strip()


def events(url: str) -> list[tuple[int, str, str]]:
    db = open_database(url)
    try:
        return db.read(lambda conn: [(int(r.seq), str(r.type), str(r.hash)) for r in conn.execute(sa.text(
            "SELECT seq, type, hash FROM govcore_event WHERE municipality = '630' ORDER BY seq"))])
    finally:
        db.close()


def waiting_for(url: str, key: int) -> int:
    """How many sessions wait for the advisory lock `key` in this database (from pg_locks)."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid::bigint = :hi AND objid::bigint = :lo"),
                {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).scalar_one())
    finally:
        db.close()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("stored", [False, True], ids=["new run", "stored run"])
def test_two_processes_ticking_one_run_at_once_give_the_events_of_one_sequential_run(
        stored: bool, tmp_path: Path, pg_url: str) -> None:
    """Without the lock both commands failed here (measured): each one's first commit found the run
    moved by the other, and each took back what it had written."""
    folder = write_config(tmp_path / "c")
    reference = str(tmp_path / "ref.db")
    cfg = load_config(folder)
    if stored:  # a live run that already exists, as the scheduler finds it
        tick(cfg, reference, now=dt.date(2021, 1, 10))
        tick(cfg, pg_url, now=dt.date(2021, 1, 10))
    tick(cfg, reference, now=dt.date(2021, 6, 30))
    expected = events(reference)
    already = len(events(pg_url)) if stored else 0
    assert len(expected) > 20

    key = lock_key("630", "2021-01-01")
    db = open_database(pg_url)
    try:
        with run_lock(db, "630", "2021-01-01"):
            procs = [child("tick", folder, pg_url) for _ in range(2)]
            for p in procs:
                assert p.stdin is not None
                p.stdin.write("go\n")
                p.stdin.flush()
            deadline = time.monotonic() + 300
            while waiting_for(pg_url, key) < 2:  # both are blocked on the lock the parent holds
                assert time.monotonic() < deadline, "the children never waited for the run's lock"
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                time.sleep(0.05)
        results = sorted((json.loads(finish(p)) for p in procs), key=lambda r: r["events"])
    finally:
        db.close()
    assert [r["events"] for r in results] == [0, len(expected) - already]
    assert results[0]["clock"] == results[1]["clock"]
    stored = events(pg_url)
    assert stored == expected  # the same events, hashes and sequence numbers; none twice
    assert [(r.municipality, r.problem) for r in verify(open_database(pg_url))] == [("630", None)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_held_run_lock_keeps_another_process_out_until_it_is_released(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    folder = write_config(tmp_path / "c")
    url = str(tmp_path / "locks.db") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    db = open_database(url)
    try:
        with run_lock(db, "630", "2021-01-01"):
            out = finish(child("try", folder, url))
            assert out.startswith("busy: kørslen for kommune 630 fra 2021-01-01 føres frem af en anden proces"), out
            # another run of the same database is free meanwhile
            with run_lock(db, "630", "2022-01-01", wait=False):
                pass
        assert finish(child("try", folder, url)) == "locked"
    finally:
        db.close()
    if backend == "sqlite":
        assert lock_file(db).exists()


def test_a_waiting_lock_gives_up_after_its_timeout_with_a_clear_error(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "t.db"))
    try:
        with run_lock(db, "630", "2021-01-01"):
            errors: list[str] = []

            def other() -> None:  # another thread of the same process: the thread lock keeps it out
                try:
                    with run_lock(db, "630", "2021-01-01", timeout=0.1):
                        errors.append("got the lock")
                except RunBusy as err:
                    errors.append(str(err))

            t = threading.Thread(target=other)
            t.start()
            t.join()
        assert len(errors) == 1 and "en anden tråd i denne proces" in errors[0], errors
    finally:
        db.close()


def test_the_lock_is_reentrant_within_a_thread(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    url = str(tmp_path / "r.db")
    db = open_database(url)
    try:
        with run_lock(db, "630", "2021-01-01"), run_lock(db, "630", "2021-01-01", wait=False):
            # e.g. the API holds the run while it stores observations and advances it
            assert tick(load_config(folder), db, now=dt.date(2021, 2, 10)).events
        with run_lock(db, "630", "2021-01-01", wait=False):  # released by the outermost block
            pass
    finally:
        db.close()


def test_lock_keys_differ_per_run_and_fit_a_bigint() -> None:
    keys = {lock_key(m, s) for m in ("630", "740", "101") for s in ("2021-01-01", "2022-01-01")}
    assert len(keys) == 6
    assert all(-(2 ** 63) <= k < 2 ** 63 for k in keys)
    assert lock_key("630", "2021-01-01") == lock_key("630", "2021-01-01")

