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
from govcore.store.db import DatabaseError, open_database
from govcore.store.locks import RunBusy, lock_file, lock_key, run_lock
from govcore.store.run import RunError, simulate_persistent, tick

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


def sessions(url: str, key: int, *, granted: bool) -> list[int]:
    """The backends holding (granted) or waiting for the advisory lock `key` in this database."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return [int(pid) for pid in conn.execute(sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted = :granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid::bigint = :hi AND objid::bigint = :lo"),
                {"granted": granted, "hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).scalars()]
    finally:
        db.close()


def waiting_for(url: str, key: int) -> int:
    """How many sessions wait for the advisory lock `key` in this database (from pg_locks)."""
    return len(sessions(url, key, granted=False))


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



def terminate(url: str, pid: int) -> None:
    """Kill a backend as an administrator or a server restart would, and wait until it is gone."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:p, 30000)"), {"p": pid}).scalar() is True
    finally:
        db.close()


def stored_run(url: str) -> tuple[int, int, str]:
    db = open_database(url)
    try:
        return db.read(lambda conn: tuple(conn.execute(sa.text(
            "SELECT items, events, head_hash FROM govcore_run WHERE municipality = '630'")).one()))
    finally:
        db.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_run_reads_and_writes_through_the_one_connection_it_is_locked_on(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """PostgreSQL's lock took a connection of its own, and the run's reads and writes a second one
    (each a login: 3.5-3.9 ms of client CPU); seen to fail on main with 2 connections per command."""
    cfg = load_config(write_config(tmp_path / "c"))
    url = str(tmp_path / "one.db") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    made: list[int] = []
    real = sa.create_engine

    def counting(*args: object, **kwargs: object) -> sa.Engine:
        engine = real(*args, **kwargs)  # type: ignore[arg-type]
        sa.event.listen(engine, "connect", lambda *_: made.append(1))
        return engine

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("govcore.store.db.sa.create_engine", counting)
        simulate_persistent(cfg, url, year=2021)
        assert len(made) == 1
        tick(cfg, url, start=dt.date(2022, 1, 1), now=dt.date(2022, 3, 31))
        tick(cfg, url, start=dt.date(2022, 1, 1), now=dt.date(2022, 6, 30))
        assert len(made) == 3


@pytest.mark.postgres
def test_a_run_whose_locked_connection_is_lost_fails_and_writes_nothing_more(tmp_path: Path, pg_url: str) -> None:
    """The run's lock lives on its connection: when the server drops that connection, the lock is
    gone, and the run must not go on over a new one (on main it did: the lock had a connection of
    its own, and the run wrote its remaining batches unlocked — seen to fail here with the tick
    completing). What was committed before stays; the next tick goes on from it and gives the
    events of a run never interrupted."""
    folder = write_config(tmp_path / "c")
    cfg = load_config(folder)
    reference = str(tmp_path / "ref.db")
    tick(cfg, reference, now=dt.date(2021, 6, 30))
    key = lock_key("630", "2021-01-01")
    seen: list[tuple[int, int, str]] = []

    def kill_after_first_batch(done: int, _total: int) -> None:
        if done and not seen:  # the first batch is committed: kill the connection holding the lock
            holder = sessions(pg_url, key, granted=True)
            assert len(holder) == 1
            terminate(pg_url, holder[0])
            seen.append(stored_run(pg_url))
            assert sessions(pg_url, key, granted=True) == []  # the lock went with the connection

    with pytest.raises(RunError) as failed:
        tick(cfg, pg_url, now=dt.date(2021, 6, 30), progress=kill_after_first_batch)
    assert "terminating connection" in str(failed.value), failed.value
    assert len(seen) == 1
    assert seen[0][0] > 0 and stored_run(pg_url) == seen[0]  # nothing written after the loss
    tick(cfg, pg_url, now=dt.date(2021, 6, 30))  # goes on from the committed batch
    assert events(pg_url) == events(reference)
    assert [(r.municipality, r.problem) for r in verify(open_database(pg_url))] == [("630", None)]


@pytest.mark.postgres
def test_a_lost_pinned_connection_is_never_replaced_within_the_block(pg_url: str) -> None:
    """Outside a lock a dropped held connection is replaced (test_store_held); under one, every
    read and write after the loss fails with the database's error, and none reaches the server."""
    db = open_database(pg_url)
    try:
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE pinned_t (n integer)"))
        with db.pinned() as conn:
            db.write(lambda c: c.exec_driver_sql("INSERT INTO pinned_t VALUES (1)"))
            terminate(pg_url, int(db.read(lambda c: c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())))
            for attempt in (lambda: db.write(lambda c: c.exec_driver_sql("INSERT INTO pinned_t VALUES (2)")),
                            lambda: db.read(lambda c: c.exec_driver_sql("SELECT 1").scalar()),
                            lambda: db.write(lambda c: c.exec_driver_sql("INSERT INTO pinned_t VALUES (3)"))):
                with pytest.raises(DatabaseError, match="terminating connection"):
                    attempt()
            assert conn.invalidated
        # after the block the database is usable again, on a new connection
        assert db.read(lambda c: [r[0] for r in c.exec_driver_sql("SELECT n FROM pinned_t")]) == [1]
    finally:
        db.close()
