"""Two shortcuts on the way to the database, which must change nothing stored or read:

- SQLite binds None through an adapter registered when govcore opens a SQLite database and the
  process has none for None yet (`db._bind_none_directly`): Python 3.11's sqlite3 looked for a way to adapt every None
  parameter, a failed attribute lookup each. A None must still be stored as NULL.
- The schema version is read from Alembic's table with two plain queries (`schema._stamped`)
  before the inspector is asked: it must give what the inspector and Alembic's context give."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from govcore.config import Configuration
from govcore.store import schema
from govcore.store.db import _NONE_ADAPTER, open_database
from govcore.store.run import simulate_persistent

ROOT = Path(__file__).resolve().parent.parent


def test_none_is_bound_through_the_adapter_and_stored_as_null(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "n.db"))
    try:
        assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)] is _NONE_ADAPTER
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE t (a, b)"))
        db.write(lambda conn: conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)", [(None, 1), ("x", None)]))
        got = db.read(lambda conn: conn.exec_driver_sql(
            "SELECT typeof(a), typeof(b), a IS NULL, b IS NULL FROM t ORDER BY rowid").all())
        assert [tuple(r) for r in got] == [("null", "integer", 1, 0), ("text", "null", 0, 1)]
    finally:
        db.close()


def test_a_stored_runs_empty_fields_are_null(tmp_path: Path, vejle_config: Configuration) -> None:
    """An arriving observation's event has no rule, goal, owner, subject or subject kind: NULL,
    not a text, in the rows a stored run writes through the adapter."""
    url = str(tmp_path / "r.db")
    simulate_persistent(vejle_config, url, year=2021)
    db = open_database(url)
    try:
        kinds = db.read(lambda conn: conn.exec_driver_sql(
            "SELECT typeof(rule), typeof(goal), typeof(owner), typeof(subject), typeof(subject_kind), count(*) "
            "FROM govcore_event WHERE type = 'observation' GROUP BY 1, 2, 3, 4, 5").all())
        assert [tuple(k)[:5] for k in kinds] == [("null",) * 5] and kinds[0][5] > 10
        nulls = db.read(lambda conn: conn.exec_driver_sql(
            "SELECT count(*), sum(typeof(submitted_at) = 'null') FROM govcore_action").one())
        assert nulls[0] > nulls[1] > 0  # an action not yet answered has no time
    finally:
        db.close()


def _full(conn: sa.Connection) -> int | None:
    """The version as the inspector and Alembic's context read it (what `current_version` did)."""
    if "alembic_version" in sa.inspect(conn).get_table_names():
        revision = MigrationContext.configure(conn).get_current_revision()
        return int(revision) if revision is not None else None
    return None


def test_the_quick_version_is_alembics(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert db.read(schema._stamped) is None and db.read(schema.current_version) is None  # an empty database
        schema.upgrade(db)
        assert db.read(schema._stamped) == db.read(_full) == schema.SCHEMA_VERSION
        assert db.read(schema.current_version) == schema.SCHEMA_VERSION

        def stamp(revision: str) -> None:
            db.write(lambda conn: conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'"))

        stamp("0005")
        assert db.read(schema._stamped) == db.read(_full) == 5
        # two rows (branches): not read the quick way; the full path says what Alembic says
        db.write(lambda conn: conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0006')"))
        assert db.read(schema._stamped) is None
        db.write(lambda conn: conn.exec_driver_sql("DELETE FROM alembic_version"))
        assert db.read(schema._stamped) is None
        assert db.read(schema.current_version) == schema.SCHEMA_VERSION  # govcore_schema's stamp, as before
        stamp_row = "INSERT INTO alembic_version VALUES ('0007')"
        db.write(lambda conn: conn.exec_driver_sql(stamp_row))
        assert db.read(schema._stamped) == schema.SCHEMA_VERSION
    finally:
        db.close()
