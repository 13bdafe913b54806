"""One run is advanced by one process at a time: a lock per run (municipality + start).

A stored run already refuses to fork its log — each commit moves the run row only from the state
it read — but that check comes after the fact: two processes that open one run at once both
replay it, the slower one's first commit fails and its command is taken back. Worse, a command
that fails takes back everything since *it* opened the run. So `tick`, `observe` and `respond`
hold this lock from opening the run until it is closed, and a second process waits its turn and
then replays the run as the first one left it.

PostgreSQL: a session-level advisory lock (`pg_advisory_lock`) on the connection the run then
reads and writes on (`Database.pinned`), keyed by a 64-bit hash of municipality and start. The
server drops it when that connection ends, so a process killed with `kill -9` never leaves a run
locked; another process can take it at once. A connection lost meanwhile is never replaced within
the lock: the command fails at its next statement with `LockLost` (the driver's error in words
of its own), having written nothing without the lock (its committed batches stay, and the next
command goes on from them).

SQLite: each committed batch (whole simulated days, 64–500 items) is a short write transaction, so the
database's own write lock, though it covers the whole file and every process, holds only for one
batch at a time. The run
lock is an advisory POSIX record lock (`fcntl.lockf`) on one byte of a file next to the database
(`<file>-runlock`); the kernel drops it when the process ends, killed or not.

Locks of both kinds belong to a process (PostgreSQL: to a connection), so a thread lock per run
is taken first: two threads of one server (the scheduler and a request) wait for each other too.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.store.db import Database

LOCK_TIMEOUT = 600.0  # seconds a command waits for another process to finish with the run
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


class RunBusy(GovcoreError):
    """Another process (or thread) is advancing the run and did not finish within the wait."""


def lock_key(municipality: str, start: str) -> int:
    """The run's advisory-lock key: a signed 64-bit integer (PostgreSQL's bigint) from a sha256
    of the run's identity, prefixed so that other applications' keys are unlikely to collide."""
    digest = hashlib.sha256(f"govcore-run\x00{municipality}\x00{start}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_threads: dict[tuple[str, int], threading.Lock] = {}
_threads_guard = threading.Lock()
_held = threading.local()  # the runs this thread holds: taking one again is a no-op


def _thread_lock(db: Database, key: int) -> threading.Lock:
    with _threads_guard:
        return _threads.setdefault((str(db.engine.url), key), threading.Lock())


@contextmanager
def run_lock(db: Database, municipality: str, start: str, *, wait: bool = True,
             timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the run's lock for the `with` block.

    wait=False: raise `RunBusy` at once when someone else holds it; otherwise wait up to
    `timeout` seconds, then raise `RunBusy` (a run advanced for longer than that is stuck).
    Re-entrant within a thread: code that holds the lock may call `tick` or `observe`, which
    take it again.
    """
    key = lock_key(municipality, start)
    ident = (str(db.engine.url), key)
    held: set[tuple[str, int]] = _held.__dict__.setdefault("runs", set())
    if ident in held:
        yield
        return
    what = _("the run of municipality {municipality} from {start}").format(municipality=municipality, start=start)
    local = _thread_lock(db, key)
    if not local.acquire(blocking=wait, timeout=timeout if wait else -1):
        raise RunBusy(_("{what} is being advanced by another thread of this process; try again later").format(
            what=what))
    held.add(ident)
    try:
        left = timeout if wait else None
        if db.dialect == "postgresql":
            with _pg_lock(db, key, wait=left, what=what):
                yield
        else:
            with _file_lock(db, key, wait=left, what=what), db.holding():  # one connection, as on PostgreSQL
                yield
    finally:
        held.discard(ident)
        local.release()


def _busy(what: str, wait: float | None) -> RunBusy:
    if wait is not None:
        return RunBusy(_("{what} is being advanced by another process and was not free within "
                         "{seconds} s; try again later").format(what=what, seconds=f"{wait:g}"))
    return RunBusy(_("{what} is being advanced by another process right now").format(what=what))


@contextmanager
def _pg_lock(db: Database, key: int, *, wait: float | None, what: str) -> Iterator[None]:
    """wait: seconds to wait for the lock, None: do not wait.

    The lock is taken on the connection the run then reads and writes on (`Database.pinned`):
    one connection per run instead of two, and a run can never write without its lock — a
    connection the server dropped took the lock with it, and every later write fails instead of
    going on over a new one. The lock is taken in a transaction of its own (a session-level lock
    outlives it), so the connection holds no transaction, nor its snapshot, between the run's."""
    with db.pinned() as conn:
        try:
            with conn.begin():
                if wait is not None:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(wait * 1000))}")
                    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
                elif not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one():
                    raise _busy(what, wait)
        except DBAPIError as err:
            if getattr(err.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise _busy(what, wait) from None
            raise db.error(err) from err
        try:
            yield
        finally:
            if not conn.invalidated:  # a lost connection has lost its locks with it
                try:
                    with conn.begin():
                        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except DBAPIError:
                    conn.invalidate()


def lock_file(db: Database) -> Path:
    """The file whose bytes SQLite runs are locked on: next to the database file."""
    database = db.engine.url.database
    assert database, "a SQLite database is a file"
    return Path(f"{database}-runlock")


@contextmanager
def _file_lock(db: Database, key: int, *, wait: float | None, what: str) -> Iterator[None]:
    deadline = time.monotonic() + (wait or 0)
    fd = os.open(lock_file(db), os.O_RDWR | os.O_CREAT, 0o600)
    offset = key & 0x7FFF_FFFF  # one byte per run (colliding runs merely wait for each other)
    try:
        pause = 0.005
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                break
            except OSError:
                # lockf has no timeout of its own: poll, backing off to at most 0.2 s.
                if wait is None or time.monotonic() >= deadline:
                    raise _busy(what, wait) from None
                time.sleep(pause)
                pause = min(0.2, pause * 2)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)
    finally:
        os.close(fd)


__all__ = ["LOCK_TIMEOUT", "RunBusy", "lock_file", "lock_key", "run_lock"]
