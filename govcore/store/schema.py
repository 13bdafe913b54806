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

from govcore.i18n import N_, _
from govcore.store.db import Database, DatabaseError
from govcore.store.tables import TABLES, SchemaVersion, table

SCHEMA_VERSION = 7  # = the head revision's number (a test keeps them equal)
COMPONENT = "govcore"
_LOCK_KEY = 0x60C0_0001  # pg_advisory_xact_lock key serialising schema changes
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_SCHEMA = table(SchemaVersion)

# What each migration does, in the reader's language (`govcore db upgrade` lists them); the
# migrations' docstrings say it at length for developers.
SUMMARIES = {
    "0001": N_("Baseline: the schema of govcore 0.1.0 (schema version 1), as it was before migrations began"),
    "0002": N_("Runs keyed by municipality and start date instead of calendar year (a run goes on across "
               "years)"),
    "0003": N_("Stored configurations: every file of a configuration version, byte for byte, so that a run "
               "can be reported, verified and continued from the database alone"),
    "0004": N_("Accounts for the server: people (local passwords or OpenID Connect), API keys with scopes "
               "for other systems, and sessions"),
    "0005": N_("The notification outbox: rows written in the same transaction as the event that causes "
               "them, sent by the delivery worker"),
    "0006": N_("The roles holding a corrective action jointly with its owner, as a column of "
               "govcore_action"),
    "0007": N_("A run's configuration observations are derived from its stored configuration instead of "
               "stored per run; runs stored before keep their rows"),
}


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
    stamped = _stamped(conn)
    if stamped is not None:
        return stamped
    names = set(sa.inspect(conn).get_table_names())
    if "alembic_version" in names:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is not None:
            return int(revision)
    if _SCHEMA.name not in names:
        return 0 if any(t.name in names for t in TABLES) else None
    row = conn.execute(sa.select(_SCHEMA.c.version).where(_SCHEMA.c.component == COMPONENT)).first()
    return int(row[0]) if row is not None else 0


# Whether the default schema holds the Alembic version table, asked of the catalog directly.
_VERSION_TABLE = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
    "postgresql": "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname = current_schema() AND c.relname = 'alembic_version' AND c.relkind IN ('r', 'p')",
}


def _stamped(conn: sa.Connection) -> int | None:
    """The Alembic revision when the version table holds exactly one, read with two plain
    queries; None otherwise (`current_version` then looks as before). Every command checks the
    version first, and on a database opened for the command (a new SQLAlchemy engine, whose
    statement cache is empty) the inspector and Alembic's context took about a millisecond."""
    table_sql = _VERSION_TABLE.get(conn.dialect.name)
    if table_sql is None or conn.exec_driver_sql(table_sql).first() is None:
        return None
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def _migrate(conn: sa.Connection, db: Database) -> list[str]:
    """Run the missing migrations on `conn` (in its transaction); what was done."""
    v = current_version(conn)
    if v is not None and v > SCHEMA_VERSION:
        raise _too_new(db, v)
    if v == 0:
        raise DatabaseError(_("{db} has govcore tables but no schema version: it was not made by govcore "
                              "(or was damaged); restore a backup").format(db=db.display))
    if v == SCHEMA_VERSION:
        return []
    cfg = _config(conn)
    if v is not None and MigrationContext.configure(conn).get_current_revision() is None:
        command.stamp(cfg, _revision(v))  # written by govcore 0.1.0: at the baseline already
    command.upgrade(cfg, "head")
    script = ScriptDirectory.from_config(cfg)
    done = [r for r in script.walk_revisions("base", "head") if v is None or int(r.revision) > v]
    return [_("version {n}: {summary}").format(n=int(r.revision), summary=_summary(r.revision, r.doc))
            for r in reversed(done)]


def _summary(revision: str, doc: str | None) -> str:
    if revision in SUMMARIES:
        return _(SUMMARIES[revision])
    return (doc or "").splitlines()[0].rstrip(".")


def init(db: Database) -> str:
    """Create the schema in an empty database; a message saying what was done."""

    def work(conn: sa.Connection) -> str:
        _lock(conn)
        v = current_version(conn)
        if v is None:
            _migrate(conn, db)
            return _("created the govcore schema (version {version}) in {db}").format(version=SCHEMA_VERSION,
                                                                                     db=db.display)
        if v == SCHEMA_VERSION:
            return _("{db} already has the govcore schema (version {version})").format(db=db.display, version=v)
        if v < SCHEMA_VERSION:
            raise DatabaseError(_("{db} has schema version {version}; run `govcore db upgrade` to bring it "
                                  "to version {needed}").format(db=db.display, version=v, needed=SCHEMA_VERSION))
        raise _too_new(db, v)

    return db.write(work)


def upgrade(db: Database) -> list[str]:
    """Bring the schema to SCHEMA_VERSION (creating it if the database is empty)."""

    def work(conn: sa.Connection) -> list[str]:
        _lock(conn)
        v = current_version(conn)
        done = _migrate(conn, db)
        if v is None:
            return [_("created the govcore schema (version {version}) in {db}").format(version=SCHEMA_VERSION,
                                                                                      db=db.display)]
        if not done:
            return [_("{db} is up to date (schema version {version})").format(db=db.display, version=v)]
        return done

    return db.write(work)


def ensure(db: Database, *, create: bool) -> None:
    """Check the schema before use; create it in an empty database when `create`."""

    def check(conn: sa.Connection) -> int | None:
        return current_version(conn)

    v = db.read(check)
    if v is None:
        if not create:
            raise DatabaseError(_("{db} holds no govcore data (create it with `govcore db init` or "
                                  "`govcore simulate … --db`)").format(db=db.display))
        init(db)
        return
    if v < SCHEMA_VERSION:
        raise DatabaseError(_("the database schema is version {version} but this govcore needs version "
                              "{needed}: run `govcore db upgrade --db {db}`").format(
                                  version=v, needed=SCHEMA_VERSION, db=db.arg or db.display))
    if v > SCHEMA_VERSION:
        raise _too_new(db, v)


def _too_new(db: Database, v: int) -> DatabaseError:
    return DatabaseError(_("{db} has schema version {version}, newer than this govcore understands "
                           "({known}): upgrade govcore").format(db=db.display, version=v, known=SCHEMA_VERSION))
