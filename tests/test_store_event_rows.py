"""A stored run's event rows are the chain's rows, column for column, however they are inserted
(`run._insert_events`: on SQLite an event whose five optional columns are all empty goes in
through a statement without them, and SQLite stores NULL there)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govcore.config import Configuration
from govcore.simulate import simulate
from govcore.store import chain
from govcore.store import run as store_run
from govcore.store.db import open_database
from govcore.store.run import simulate_persistent

ROOT = Path(__file__).resolve().parent.parent
START, UNTIL = dt.date(2021, 1, 1), dt.date(2022, 12, 31)


def test_every_event_row_is_the_chains_row_and_empty_fields_are_null(db_url: str, vejle_config: Configuration) -> None:
    cfg = vejle_config
    stored = simulate_persistent(cfg, db_url, start=START, until=UNTIL)
    db = open_database(db_url)
    try:
        got = db.read(lambda conn: [tuple(r) for r in conn.exec_driver_sql(
            "SELECT municipality, start, seq, item, at, type, rule, goal, owner, subject, subject_kind, details, "
            "prev_hash, hash FROM govcore_event ORDER BY seq").all()])
        nulls = db.read(lambda conn: conn.exec_driver_sql(
            "SELECT count(*) FROM govcore_event WHERE rule IS NULL AND goal IS NULL AND owner IS NULL "
            "AND subject IS NULL AND subject_kind IS NULL").scalar_one())
    finally:
        db.close()
    # The rows the chain makes for the same events with the items they were stored with: every
    # column equal, NULLs included, and the hashes linking from the run's genesis.
    expected: list[tuple[Any, ...]] = []
    head = chain.genesis(cfg.municipality.code, START)
    for ev, row in zip(stored.events, got, strict=True):
        head = chain.add_rows(expected, cfg.municipality.code, START.isoformat(), row[3], [ev], head)
    assert got == expected
    assert [r[2] for r in got] == list(range(1, len(got) + 1))
    empty = [r for r in got if r[6:11] == (None,) * 5]
    assert nulls == len(empty) > len(got) // 2  # most events are arriving observations
    assert len(empty) < len(got)  # and some have a rule, goal, owner or subject
    assert [e.seq for e in stored.events] == [r[2] for r in got]
    assert simulate(cfg, start=START, until=UNTIL).summary["events_sha256"] == stored.summary["events_sha256"]


def test_sqlite_inserts_the_empty_rows_without_their_five_columns(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   vejle_config: Configuration) -> None:
    """The short statement is the one taking the observation events on SQLite (what the first
    test checks is then what it stores)."""
    seen: list[tuple[tuple[str, ...] | None, int]] = []
    bulk = store_run._bulk_insert

    def record(conn: Any, t: Any, rows: Any, **kw: Any) -> None:
        if t is store_run.EVENT:
            seen.append((kw.get("columns"), len(rows)))
        bulk(conn, t, rows, **kw)

    monkeypatch.setattr(store_run, "_bulk_insert", record)
    simulate_persistent(vejle_config, str(tmp_path / "e.db"), start=START, until=UNTIL)
    short = sum(n for cols, n in seen if cols is not None and "rule" not in cols)
    whole = sum(n for cols, n in seen if cols is not None and "rule" in cols)
    assert short > whole > 0
