"""A command whose connection holding the run's lock is lost (PostgreSQL) says so in words of its
own, once, in Danish and in English, and takes nothing back.

On main the user saw the database's error wrapped in `atomic`'s "taking back what this command had
written failed too", with the database's error twice: the undo was tried on the dead connection.
What was committed before the loss stays; the next command goes on from it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config
from test_locks import events, sessions, stored_run, terminate
from test_store import cli

from govcore.config import load_config
from govcore.i18n import use_language
from govcore.store.db import LockLost, open_database
from govcore.store.locks import lock_key, run_lock
from govcore.store.run import PersistentRun, tick

pytestmark = pytest.mark.postgres

KEY = lock_key("630", "2021-01-01")


def _lose_the_lock_after_the_first_batch(monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[list[Any], list[int]]:
    """Kill the connection holding the run's lock once the command's first batch is committed;
    record what was stored then, and every attempt to take the command back."""
    real = PersistentRun._commit_batch
    seen: list[Any] = []
    undone: list[int] = []

    def commit(run: PersistentRun, batch: Any) -> None:
        real(run, batch)
        if not seen:
            holder = sessions(url, KEY, granted=True)
            assert len(holder) == 1
            terminate(url, holder[0])
            seen.append(stored_run(url))

    real_undo = PersistentRun.undo

    def undo(run: PersistentRun) -> None:
        undone.append(1)
        real_undo(run)

    monkeypatch.setattr(PersistentRun, "_commit_batch", commit)
    monkeypatch.setattr(PersistentRun, "undo", undo)
    return seen, undone


def _ticked(folder: Path, url: str, now: str) -> Any:
    return cli("tick", str(folder), "--db", url, "--now", now)


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_lost_lock_ends_the_command_with_one_clear_error_and_keeps_what_was_committed(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    folder = write_config(tmp_path / "c")
    reference = str(tmp_path / "ref.db")
    tick(load_config(folder), reference, now=dt.date(2021, 6, 30))
    monkeypatch.setenv("GOVCORE_LANG", language)
    with use_language(language), monkeypatch.context() as mp:
        seen, undone = _lose_the_lock_after_the_first_batch(mp, pg_url)
        failed = _ticked(folder, pg_url, "2021-06-30")
    assert failed.exit_code != 0
    lines = [line for line in failed.output.splitlines() if line.strip()]
    expected = {
        "en": ("error: the connection to the database {db} that held the lock of the run of Vejle (630) 2021 was "
               "lost (terminating connection due to administrator command): nothing after the last commit was "
               "stored; what was committed before stays, and the next command goes on from there"),
        "da": ("fejl: forbindelsen til databasen {db}, der holdt låsen på kørslen for Vejle (630) 2021, blev "
               "afbrudt (terminating connection due to administrator command): intet efter den seneste commit "
               "blev gemt; det, der blev gemt før, bliver stående, og næste kommando fortsætter derfra"),
    }[language]
    shown = open_database(pg_url)
    try:
        assert lines[-1] == expected.format(db=shown.display), failed.output
    finally:
        shown.close()
    assert failed.output.count("terminating connection") == 1
    assert undone == []  # no undo on a dead connection, nor on a new one without the lock
    assert len(seen) == 1 and seen[0][0] > 0
    assert stored_run(pg_url) == seen[0]  # the first batch stays, nothing after it
    assert _ticked(folder, pg_url, "2021-06-30").exit_code == 0  # goes on from there
    assert events(pg_url) == events(reference)
    verified = cli("audit", "verify", "--db", pg_url)
    assert verified.exit_code == 0, verified.output


def test_a_lost_lock_outside_a_command_is_a_lock_lost_error_naming_the_database(pg_url: str, english: None) -> None:
    db = open_database(pg_url)
    try:
        with run_lock(db, "630", "2021-01-01"):
            terminate(pg_url, sessions(pg_url, KEY, granted=True)[0])
            for _ in range(2):  # the first use finds the loss, later ones are refused the same way
                with pytest.raises(LockLost) as lost:
                    db.read(lambda c: c.exec_driver_sql("SELECT 1").scalar())
                assert str(lost.value) == (
                    f"database {db.display}: the connection holding the run's lock was lost (terminating "
                    "connection due to administrator command); nothing after the last commit was stored")
    finally:
        db.close()
