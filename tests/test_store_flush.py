"""Which commits wait for the database's disk flush (docs/persistence.md): a simulation's batches
do not on PostgreSQL (`synchronous_commit = off`, for those transactions only), its last commit
does and so flushes every earlier one; a live run's commits (they carry notifications) all do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from govcore.config import Configuration
from govcore.store.db import Database, open_database
from govcore.store.run import simulate_persistent, tick
from govcore.store.schema import ensure

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"


def recorded(db: Database) -> list[bool]:
    """The `flush` of every write transaction `db` runs from now on."""
    flushes: list[bool] = []
    write = db.write

    def spy(work: Any, *, flush: bool = True) -> Any:
        flushes.append(flush)
        return write(work, flush=flush)

    db.write = spy  # type: ignore[method-assign]
    return flushes


@pytest.mark.postgres
def test_an_unflushed_commit_is_so_for_its_own_transaction_only(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        def setting(conn: sa.Connection) -> str:
            return str(conn.exec_driver_sql("SHOW synchronous_commit").scalar())

        def put(conn: sa.Connection) -> str:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS flushed (n integer)")
            conn.exec_driver_sql("INSERT INTO flushed VALUES (1)")
            return setting(conn)

        assert db.write(put, flush=False) == "off"
        assert db.write(setting) == "on"  # SET LOCAL: the pooled connection is back to the default
        # committed and visible to another connection at once
        assert db.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM flushed").scalar()) == 1
        assert db.write(put) == "on"
    finally:
        db.close()


def test_a_simulation_ends_with_a_flushed_commit_and_a_live_run_flushes_every_commit(
        db_url: str, vejle_config: Configuration) -> None:
    cfg = vejle_config
    db = open_database(db_url)
    try:
        ensure(db, create=True)
        flushes = recorded(db)
        simulate_persistent(cfg, db, start=dt.date(2021, 1, 1), until=dt.date(2021, 12, 31))  # 3 batches (500 items)
        assert flushes.count(False) >= 2, flushes  # the batches
        assert flushes[-1] is True, flushes  # the run row's last write, which flushes them all

        flushes.clear()
        live = vejle_config
        tick(live, db, now=dt.date(2021, 3, 31), start=dt.date(2021, 2, 1))
        assert len(flushes) >= 3 and all(flushes), flushes
    finally:
        db.close()
