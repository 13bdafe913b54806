"""PostgreSQL takes a batch's event rows through a binary COPY (`run._insert_events`): what is
stored must be exactly what was given, texts byte for byte (the text form's escapes are not
there to get right), and a number too large for the table's int4 is refused, never cut. An
error of the driver's own COPY comes out as every other statement's does (`db.driver`): the
database's message in one line, and a lost connection under a run's lock as `LockLost`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
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


TEXTS = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "\\.", "", "æøå ÆØÅ – “quoted” ✓ 😀", "a" * 5000,
         '{"details":{"x":"\\u0000 is JSON, not a NUL"}}', " leading and trailing ", "NULL", "\\N"]


def test_event_rows_are_stored_as_given(stored: tuple[Database, str, int]) -> None:
    database, code, events = stored
    rows = [(code, START, events + i, events + i // 2, f"2021-04-0{1 + i % 9}T08:00:00+02:00", text,
             None if i % 3 else text, text or None, None, text, None if i % 2 else "goal", text, f"prev{i}", f"h{i}")
            for i, text in enumerate(TEXTS, start=1)]
    database.write(lambda conn: run._insert_events(conn, rows, []))
    assert rows_of(database, code, events + 1) == rows


@pytest.mark.parametrize("where", ["seq of the last row", "item of the first row"])
def test_an_event_number_beyond_int4_is_refused_not_cut(stored: tuple[Database, str, int], where: str) -> None:
    database, code, events = stored
    rows = [(code, START, events + i, events, "2021-04-01T08:00:00+02:00", "x", None, None, None, None, None, "{}",
             "p", "h") for i in (1, 2)]
    if where.startswith("seq"):
        rows[-1] = (*rows[-1][:2], 2 ** 31, *rows[-1][3:])
    else:
        rows[0] = (*rows[0][:3], -2 ** 31 - 1, *rows[0][4:])
    with pytest.raises(DatabaseError, match="out of range for type integer"):
        database.write(lambda conn: run._insert_events(conn, rows, []))
    assert rows_of(database, code, events + 1) == []


def test_every_event_column_has_a_binary_copy_type() -> None:
    """The types a binary COPY of the event rows declares follow the table: a column of another
    type (a table changed without `_binary_types`) stops the import, not a run."""
    assert len(run._EVENT_TYPES) == len(chain.ROW_COLUMNS)
    assert [chain.ROW_COLUMNS[i] for i in run._EVENT_INTS] == ["seq", "item"]
    table = sa.Table("t", sa.MetaData(), sa.Column("when", sa.DateTime), sa.Column("n", sa.BigInteger))
    for column in ("when", "n"):
        with pytest.raises(TypeError, match=f"no binary COPY type for .'{column} "):
            run._binary_types(table, (column,))


def test_a_whole_run_stores_the_rows_sqlite_stores(stored: tuple[Database, str, int], tmp_path: Path,
                                                  make_config: Any) -> None:
    database, code, events = stored
    cfg = load_config(make_config())
    run.simulate_persistent(cfg, str(tmp_path / "x.db"), start=dt.date(2021, 1, 1), until=dt.date(2021, 3, 31))
    sqlite = open_database(str(tmp_path / "x.db"))
    try:
        assert rows_of(database, code, 1) == rows_of(sqlite, code, 1)
        assert len(rows_of(database, code, 1)) == events > 0
    finally:
        sqlite.close()


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
