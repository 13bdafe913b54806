"""Schema creation and upgrades: a versioned schema table and ordered migration functions.

A fresh database is created at the newest schema in one transaction (`create_all`), and stamped
with `SCHEMA_VERSION`. A database at an older version is brought forward by `govcore db upgrade`,
which runs every migration above its version, in order, in one transaction, and stamps each. No
migration tool (Alembic) is needed for that: the schema is govcore's own, there is one code path
that creates it, and a migration is a short function of a connection. The rule for later schema
changes: change the tables in `tables.py`, bump `SCHEMA_VERSION`, and append a migration that
turns the previous version into the new one (it runs only on databases created before).

Commands that read or write runs check the version first and refuse to touch a database of a
different version, with one line that says what to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from govcore.store.db import Database, DatabaseError
from govcore.store.tables import TABLES, SchemaVersion, table

SCHEMA_VERSION = 1
COMPONENT = "govcore"
_LOCK_KEY = 0x60C0_0001  # pg_advisory_xact_lock key serialising schema changes


@dataclass(frozen=True)
class Migration:
    """Turns schema `version - 1` into `version`."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


# Ordered; MIGRATIONS[-1].version == SCHEMA_VERSION once there is more than version 1.
MIGRATIONS: list[Migration] = []

_SCHEMA = table(SchemaVersion)


def _lock(conn: sa.Connection) -> None:
    """Serialise schema changes between processes (SQLite: BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def current_version(conn: sa.Connection) -> int | None:
    """The stamped version; None for a database without govcore tables; 0 if tables lack a stamp."""
    names = set(sa.inspect(conn).get_table_names())
    if _SCHEMA.name not in names:
        return 0 if any(t.name in names for t in TABLES) else None
    row = conn.execute(sa.select(_SCHEMA.c.version).where(_SCHEMA.c.component == COMPONENT)).first()
    return int(row[0]) if row is not None else 0


def _stamp(conn: sa.Connection, version: int) -> None:
    done = conn.execute(sa.update(_SCHEMA).where(_SCHEMA.c.component == COMPONENT).values(version=version))
    if done.rowcount == 0:
        conn.execute(sa.insert(_SCHEMA).values(component=COMPONENT, version=version))


def _create(conn: sa.Connection) -> None:
    for t in TABLES:
        t.create(conn, checkfirst=True)
    _stamp(conn, SCHEMA_VERSION)


def init(db: Database) -> str:
    """Create the schema in an empty database; a message saying what was done."""

    def work(conn: sa.Connection) -> str:
        _lock(conn)
        v = current_version(conn)
        if v is None:
            _create(conn)
            return f"created the govcore schema (version {SCHEMA_VERSION}) in {db.display}"
        if v == SCHEMA_VERSION:
            return f"{db.display} already has the govcore schema (version {v})"
        if v < SCHEMA_VERSION:
            raise DatabaseError(f"{db.display} has schema version {v}; run `govcore db upgrade` to bring it "
                                f"to version {SCHEMA_VERSION}")
        raise _too_new(db, v)

    return db.write(work)


def upgrade(db: Database) -> list[str]:
    """Bring the schema to SCHEMA_VERSION (creating it if the database is empty)."""

    def work(conn: sa.Connection) -> list[str]:
        _lock(conn)
        v = current_version(conn)
        if v is None:
            _create(conn)
            return [f"created the govcore schema (version {SCHEMA_VERSION}) in {db.display}"]
        if v > SCHEMA_VERSION:
            raise _too_new(db, v)
        done = []
        for m in MIGRATIONS:
            if m.version > v:
                m.apply(conn)
                _stamp(conn, m.version)
                done.append(f"version {m.version}: {m.description}")
        if not done:
            return [f"{db.display} is up to date (schema version {v})"]
        return done

    return db.write(work)


def ensure(db: Database, *, create: bool) -> None:
    """Check the schema before use; create it in an empty database when `create`."""

    def check(conn: sa.Connection) -> int | None:
        return current_version(conn)

    v = db.read(check)
    if v is None:
        if not create:
            raise DatabaseError(f"{db.display} holds no govcore data (create it with `govcore db init` or "
                                "`govcore simulate … --db`)")
        init(db)
        return
    if v < SCHEMA_VERSION:
        raise DatabaseError(f"the database schema is version {v} but this govcore needs version "
                            f"{SCHEMA_VERSION}: run `govcore db upgrade --db {db.arg or db.display}`")
    if v > SCHEMA_VERSION:
        raise _too_new(db, v)


def _too_new(db: Database, v: int) -> DatabaseError:
    return DatabaseError(f"{db.display} has schema version {v}, newer than this govcore understands "
                         f"({SCHEMA_VERSION}): upgrade govcore")
