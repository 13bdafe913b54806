"""Opening the database: a SQLite file by default, PostgreSQL by URL.

`--db` takes a file path (SQLite, the embedded default) or a SQLAlchemy URL
(`sqlite:///path`, `postgresql+psycopg://user:password@host/db`). Every way to get this wrong ends
in one clear `GovcoreError` line: administrators run these commands from cron, not a debugger.

SQLite runs in WAL mode, so readers never block the writer and a killed process loses at most
its uncommitted transaction. Each write transaction starts with BEGIN IMMEDIATE: a deferred
transaction that reads and then writes can fail at once with "database is locked" when another
process committed in between (SQLite cannot wait there without risking deadlock), whereas an
immediate one waits its turn under `busy_timeout`. Writes are retried on the transient errors
that remain (a lock held past the timeout, a PostgreSQL serialization failure or deadlock).
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from govcore.errors import GovcoreError
from govcore.i18n import N_, _

DEFAULT_DB = "govcore.db"
ENV_DB = "GOVCORE_DB"
BUSY_TIMEOUT_MS = 60_000
RETRIES = 8
T = TypeVar("T")

_URL_HINT = N_("give a file path (SQLite), sqlite:///path/to/file.db or postgresql+psycopg://user:password@host/db")


class DatabaseError(GovcoreError):
    """The database cannot be opened or used (bad URL, unreachable server, locked file...)."""


class LockLost(DatabaseError):
    """The connection holding a run's lock (`Database.pinned`) was lost, and the lock with it:
    nothing after the last commit was written, and nothing can be taken back (that would need a
    new connection, without the lock, while another process may already hold it)."""

    def __init__(self, db: str, problem: str) -> None:
        super().__init__(_("database {db}: the connection holding the run's lock was lost ({problem}); nothing "
                           "after the last commit was stored").format(db=db, problem=problem))
        self.db, self.problem = db, problem


@dataclass
class Database:
    """An open database: the SQLAlchemy engine and how to name it in messages (no password)."""

    engine: sa.Engine
    display: str
    arg: str
    _local: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    @contextmanager
    def holding(self) -> Iterator[sa.Connection]:
        """Within, every `write` and `read` of this thread runs on one connection, checked out
        once: a run's batches are a transaction each, and taking a connection from the pool for
        each (on PostgreSQL with a round trip to check it is alive) cost as much as a small
        batch's own statements. Per thread: the server's threads advance several runs of one
        database at once. A connection the server dropped meanwhile is replaced, and the write
        run again, as the pool's check would have done — unless it carries a lock (`pinned`)."""
        held = self._held()
        if held is not None:
            yield held
            return
        self._local.held = held = self.engine.connect()
        self._local.pins, self._local.lost = 0, None
        try:
            yield held
        finally:
            self._local.held = None
            held.close()

    @contextmanager
    def pinned(self) -> Iterator[sa.Connection]:
        """`holding`, for a lock that lives and dies with the held connection (PostgreSQL's
        session-level advisory lock on a run): within, a connection the server dropped is never
        replaced, since the lock went with it. The write or read that finds it gone fails with the
        database's own error, and so does every later one in the block (also one that would take
        back what was written), so nothing is ever written without the lock; what was committed
        before stays, whole. That error is `LockLost`, in words of its own."""
        with self.holding() as held:
            self._local.pins += 1
            try:
                yield held
            finally:
                self._local.pins -= 1
                if not self._local.pins:
                    self._local.lost = None

    def _held(self) -> sa.Connection | None:
        held: sa.Connection | None = getattr(self._local, "held", None)
        return held

    def _usable(self, held: sa.Connection) -> sa.Connection:
        """The held connection, or the error that lost it while pinned (never a new one)."""
        lost: LockLost | None = self._local.lost
        if lost is not None:
            raise LockLost(lost.db, lost.problem)
        if held.invalidated and self._local.pins:
            raise LockLost(self.display, _("the connection was closed"))
        return held

    def _dropped(self, held: sa.Connection | None, err: DBAPIError) -> bool:
        """Whether `err` dropped the held connection and a new one may take its place. Not while
        pinned: then the loss is remembered (every later use fails the same way) and raised as
        `LockLost`."""
        if held is None or not (err.connection_invalidated or held.invalidated):
            return False
        if self._local.pins:
            lost = self._local.lost = LockLost(self.display, _first_line(err))
            raise lost from None
        return True

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self, work: Callable[[sa.Connection], T], *, flush: bool = True) -> T:
        """Run `work` in one transaction, committed when it returns; retried on transient errors.

        `work` must be repeatable: it is run again from the start after a rollback.

        flush=False (PostgreSQL; SQLite's `synchronous=NORMAL` behaves so already): the commit
        returns before the server has flushed its log to disk (`synchronous_commit = off` for
        this transaction only). The transaction stays atomic and is visible at once, and a killed
        client loses nothing it committed; a crash of the server or the machine may lose the last
        such commits (up to about 0.6 s), never part of one. Only for writes whose loss is
        recoverable — a simulation's batches, which `--resume` redoes — and the caller ends with a
        flushed commit, which flushes every earlier one with it.
        """
        for attempt in range(RETRIES):
            held = self._held()
            try:
                if held is not None:
                    with self._usable(held).begin():
                        return self._work(held, work, flush)
                with self.engine.begin() as conn:
                    return self._work(conn, work, flush)
            except DBAPIError as err:
                if self._dropped(held, err) and attempt < RETRIES - 1:
                    continue  # the held connection was dropped: it reconnects on its next use
                if not _transient(err) or attempt == RETRIES - 1:
                    raise self.error(err) from err
                time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def _work(self, conn: sa.Connection, work: Callable[[sa.Connection], T], flush: bool) -> T:
        if not flush and self.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return work(conn)

    def read(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work` in a read-only transaction (a consistent snapshot, never blocking writers);
        on the held connection when there is one (outside its own transactions), so that a run
        under its lock reads and writes through one connection."""
        for attempt in range(RETRIES):
            held = self._held()
            try:
                if held is not None and not held.in_transaction():
                    return self._read_on(self._usable(held), work)
                with self.engine.connect() as conn:
                    if self.dialect == "postgresql":
                        conn = conn.execution_options(isolation_level="REPEATABLE READ")
                    conn = conn.execution_options(govcore_readonly=True)
                    with conn.begin():
                        return work(conn)
            except DBAPIError as err:
                if self._dropped(held, err) and attempt < RETRIES - 1:
                    continue
                if not _transient(err) or attempt == RETRIES - 1:
                    raise self.error(err) from err
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _read_on(self, conn: sa.Connection, work: Callable[[sa.Connection], T]) -> T:
        """`read`'s transaction on the held connection, which is left as it was for writes."""
        pg = self.dialect == "postgresql"
        conn.execution_options(govcore_readonly=True, **({"isolation_level": "REPEATABLE READ"} if pg else {}))
        try:
            with conn.begin():
                return work(conn)
        finally:  # (a dropped connection is not touched: setting its level would reconnect it)
            conn.execution_options(govcore_readonly=False, **(
                {"isolation_level": conn.default_isolation_level} if pg and not conn.invalidated else {}))

    def error(self, err: DBAPIError) -> DatabaseError:
        return DatabaseError(_("database {db}: {problem}").format(db=self.display, problem=_first_line(err)))

    def close(self) -> None:
        self.engine.dispose()


def row_dicts(result: sa.Result[Any]) -> list[dict[str, Any]]:
    """Every row of `result` as {column: value}, in the result's column order. Made from the
    result's keys, taken once: `dict(row._mapping)` builds a mapping and its keys again for every
    row, half the time of reading a long log (audit-fast, store-rows2 in docs/benchmarks.md)."""
    keys = tuple(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]


@contextmanager
def driver(conn: sa.Connection) -> Iterator[Any]:
    """The driver's own connection under `conn` (psycopg's: the same transaction), for what
    SQLAlchemy has no call for (COPY, a pipeline); the driver's errors raised within come out as
    SQLAlchemy's would (`DBAPIError`, the connection invalidated when it was lost), so that
    `Database.write` and `read` treat them alike: the database's own message, a retry when
    transient, `LockLost` when the pinned connection is gone."""
    try:
        yield conn.connection.driver_connection
    except conn.dialect.loaded_dbapi.Error as err:
        lost = conn.dialect.is_disconnect(err, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate(err)
        raise DBAPIError.instance(None, None, err, conn.dialect.loaded_dbapi.Error, connection_invalidated=lost,
                                  dialect=conn.dialect) from err


def _first_line(err: DBAPIError) -> str:
    """The driver's own message, its first line (the rest is SQL and parameters)."""
    return str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)


def _transient(err: DBAPIError) -> bool:
    if isinstance(err, OperationalError):
        text = str(err.orig).lower()
        if "locked" in text or "busy" in text:
            return True
    return getattr(err.orig, "sqlstate", None) in ("40001", "40P01")


def resolve_url(db: str | None) -> URL:
    """The URL for `--db` (default: $GOVCORE_DB, else govcore.db in the working directory)."""
    if db is not None and not db.strip():
        raise DatabaseError(_("--db is empty; give a database file such as {file} or a URL ({hint})").format(
            file=DEFAULT_DB, hint=_(_URL_HINT)))
    text = (db or os.environ.get(ENV_DB) or DEFAULT_DB).strip()
    if "://" not in text:
        path = Path(text).expanduser()
        if path.is_dir():
            raise DatabaseError(_("--db {value} is a folder; give a database file such as {file}").format(
                value=text, file=path / DEFAULT_DB))
        return URL.create("sqlite", database=str(path.resolve()))
    try:
        url = make_url(text)
        _port = url.port  # a port that is not a number fails here, not deep inside the driver
    except (ArgumentError, ValueError):
        shown = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", text)  # never echo a password
        raise DatabaseError(_("'{value}' is not a database URL ({hint})").format(
            value=shown, hint=_(_URL_HINT))) from None
    backend = url.get_backend_name()
    if (backend == "postgresql" and url.drivername in ("postgresql", "postgres")) or backend == "postgres":
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(_("govcore cannot store in '{backend}' databases ({hint})").format(
            backend=backend, hint=_(_URL_HINT)))
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise DatabaseError(_("'{value}' names no file; an in-memory database would be lost ({hint})").format(
            value=text, hint=_(_URL_HINT)))
    if backend == "postgresql" and url.drivername != "postgresql+psycopg":
        raise DatabaseError(_("use the psycopg driver: postgresql+psycopg://… (not {driver})").format(
            driver=url.drivername))
    return url


def open_database(db: str | None, *, create: bool = True) -> Database:
    """Connect (and check that the server answers); raises DatabaseError with one clear line.

    `create=False` is for commands that only read: a SQLite file that does not exist is then an
    error instead of a new empty file (a mistyped path must not leave files behind).
    """
    url = resolve_url(db)
    display = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        parent = Path(url.database).parent
        if not parent.is_dir():
            raise DatabaseError(_("cannot create the database {file}: the folder {folder} does not exist").format(
                file=url.database, folder=parent))
        if not create and not Path(url.database).exists():
            raise DatabaseError(_("there is no database {file} (create one with `govcore db init` or "
                                  "`govcore simulate … --db`)").format(file=url.database))
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
    else:
        try:
            engine = sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except (NoSuchModuleError, ImportError):
            raise DatabaseError(_("PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]'")) from None
    database = Database(engine, display, db or "")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DBAPIError as err:
        engine.dispose()
        first = str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)
        raise DatabaseError(_("cannot connect to the database {db}: {problem}").format(
            db=display, problem=first)) from None
    except (ValueError, TypeError, sa.exc.ArgumentError) as err:  # a URL the driver cannot use
        engine.dispose()
        raise DatabaseError(_("cannot connect to the database {db}: {problem}").format(
            db=display, problem=err)) from None
    return database


def _bind_none_directly() -> None:
    """Have Python's sqlite3 module bind None through a registered adapter that gives None back
    (bound as NULL, as before). Without one, the module looks for a way to adapt each None
    parameter — on Python 3.11 a failed attribute lookup with its exception, about 0.3 µs a
    parameter — and the rows a run writes still carry some
    (an event's empty goal or owner, a record's missing times; an arriving observation's event
    leaves its five empty columns out, `run._insert_events`).

    The registry is the sqlite3 module's, for the whole process, so this must change nothing
    for the process's other sqlite3 connections: without an adapter a None is bound as NULL
    (the search finds nothing and binds the None itself), with this one too (`{}.get(None)` is
    None, in C), so only the way to NULL is shorter. An adapter for None that the embedding
    program registered itself is left in place: it is the program's to choose, and it applies
    to every sqlite3 connection of the process, govcore's too, whether govcore registers its own
    or not (docs/persistence.md)."""
    if (type(None), sqlite3.PrepareProtocol) not in sqlite3.adapters:
        sqlite3.register_adapter(type(None), _NONE_ADAPTER)


_NONE_ADAPTER: Callable[[Any], Any] = dict[Any, Any]().get


def _sqlite_setup(engine: sa.Engine) -> None:
    _bind_none_directly()
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a killed process (the WAL is written before
        # COMMIT returns); only an operating-system crash or power cut may lose the last ones.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        readonly = conn.get_execution_options().get("govcore_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
