"""An error of the driver's own COPY (`run._insert_events`) comes out as every other statement's
does (`db.driver`): the database's message in one line, and a lost connection under a run's lock
as `LockLost`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from test_locks import terminate

from govcore.config import load_config
from govcore.store import chain, run
from govcore.store.db import Database, DatabaseError, LockLost, open_database

pytestmark = pytest.mark.postgres

START = "2021-01-01"


@pytest.fixture
def stored(pg_url: str, make_config: Any) -> Iterator[tuple[Database, str, int]]:
    """A PostgreSQL database holding one stored run: (database, municipality code, its events)."""
    cfg = load_config(make_config())
    result = run.simulate_persistent(cfg, pg_url, start=dt.date(2021, 1, 1), until=dt.date(2021, 3, 31))
    database = open_database(pg_url)
    try:
        yield database, cfg.municipality.code, len(result.events)
    finally:
        database.close()


def rows_of(database: Database, code: str, first: int) -> list[tuple[Any, ...]]:
    columns = [run.EVENT.c[c] for c in chain.ROW_COLUMNS]
    return database.read(lambda conn: [tuple(r) for r in conn.execute(
        sa.select(*columns).where(run.EVENT.c.municipality == code, run.EVENT.c.seq >= first)
        .order_by(run.EVENT.c.seq))])


def _row(code: str, seq: int) -> tuple[Any, ...]:
    return (code, START, seq, seq, "2021-04-01T08:00:00+02:00", "x", None, None, None, None, None, "{}", "p", "h")


def test_a_copy_that_fails_is_the_databases_error_in_one_line(stored: tuple[Database, str, int], english: None) -> None:
    database, code, events = stored
    with pytest.raises(DatabaseError, match=r"^database .*: duplicate key value violates unique constraint "
                                            r"\"govcore_event_pkey\"$"):
        database.write(lambda conn: run._insert_events(conn, [_row(code, events + 1), _row(code, events)], []))
    assert rows_of(database, code, events + 1) == []


def test_a_copy_on_a_lost_pinned_connection_is_lock_lost_and_so_is_what_follows(
        stored: tuple[Database, str, int], pg_url: str) -> None:
    database, code, events = stored
    with database.pinned() as conn:
        database.write(lambda c: run._insert_events(c, [_row(code, events + 1)], []))
        terminate(pg_url, int(database.read(lambda c: c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())))
        with pytest.raises(LockLost, match="terminating connection"):
            database.write(lambda c: run._insert_events(c, [_row(code, events + 2)], []))
        assert conn.invalidated
        with pytest.raises(LockLost, match="terminating connection"):
            database.write(lambda c: c.exec_driver_sql("SELECT 1"))
    assert [r[2] for r in rows_of(database, code, events + 1)] == [events + 1]
