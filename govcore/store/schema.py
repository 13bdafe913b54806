"""Schema creation and upgrades, by Alembic migrations (govcore/store/migrations/versions).

Every database is built by the migrations: a new one runs all of them, an older one the ones it
lacks — so the upgrade path is the path every test database takes. A database written by
govcore 0.1.0 (before migrations began) has no `alembic_version` table but its
`govcore_schema` table says version 1: it is stamped at the baseline revision and upgraded from
there. `govcore_schema` is kept up to date by each migration as well, so that an older govcore
refuses a newer database instead of misreading it.

All of an upgrade runs in one transaction (SQLite and PostgreSQL both have transactional DDL),
under a lock that serialises schema changes between processes: it commits whole or not at all.

Commands that read or write runs check the version first and refuse to touch a database of a
different version, with one line that says what to run.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from govcore.store.db import Database, DatabaseError
from govcore.store.tables import TABLES, SchemaVersion, table

SCHEMA_VERSION = 6  # = the head revision's number (a test keeps them equal)
COMPONENT = "govcore"
_LOCK_KEY = 0x60C0_0001  # pg_advisory_xact_lock key serialising schema changes
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_SCHEMA = table(SchemaVersion)


def _config(conn: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest revision the migrations know."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _revision(version: int) -> str:
    return f"{version:04d}"


def _lock(conn: sa.Connection) -> None:
    """Serialise schema changes between processes (SQLite: BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def current_version(conn: sa.Connection) -> int | None:
    """The schema version; None for a database without govcore tables; 0 if tables lack a stamp.

    The Alembic revision when there is one; else the version that govcore 0.1.0 stamped.
    """
    names = set(sa.inspect(conn).get_table_names())
    if "alembic_version" in names:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is not None:
            return int(revision)
    if _SCHEMA.name not in names:
        return 0 if any(t.name in names for t in TABLES) else None
    row = conn.execute(sa.select(_SCHEMA.c.version).where(_SCHEMA.c.component == COMPONENT)).first()
    return int(row[0]) if row is not None else 0


def _migrate(conn: sa.Connection, db: Database) -> list[str]:
    """Run the missing migrations on `conn` (in its transaction); what was done."""
    v = current_version(conn)
    if v is not None and v > SCHEMA_VERSION:
        raise _too_new(db, v)
    if v == 0:
        raise DatabaseError(f"{db.display} has govcore tables but no schema version: it was not made by govcore "
                            "(or was damaged); restore a backup")
    if v == SCHEMA_VERSION:
        return []
    cfg = _config(conn)
    if v is not None and MigrationContext.configure(conn).get_current_revision() is None:
        command.stamp(cfg, _revision(v))  # written by govcore 0.1.0: at the baseline already
    command.upgrade(cfg, "head")
    script = ScriptDirectory.from_config(cfg)
    done = [r for r in script.walk_revisions("base", "head") if v is None or int(r.revision) > v]
    return [f"version {int(r.revision)}: {(r.doc or '').splitlines()[0].rstrip('.')}" for r in reversed(done)]


def init(db: Database) -> str:
    """Create the schema in an empty database; a message saying what was done."""

    def work(conn: sa.Connection) -> str:
        _lock(conn)
        v = current_version(conn)
        if v is None:
            _migrate(conn, db)
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
        done = _migrate(conn, db)
        if v is None:
            return [f"created the govcore schema (version {SCHEMA_VERSION}) in {db.display}"]
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
