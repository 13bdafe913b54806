"""The store's readers take a result's rows as {column: value} from the result's keys, taken once
(`db.row_dicts`), instead of `dict(row._mapping)`, which builds a mapping and its keys again for
every row: reopening a stored run reads its whole log that way, and every command that continues a
run reopens it (docs/benchmarks.md, store-rows2). The rows must be the ones `_mapping` gives: every
column under its own name, in the table's order, with the value and type the driver returned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Row

from govcore.config import Configuration
from govcore.model import Observation
from govcore.store import audit, chain, config_observations, facts
from govcore.store.db import Database, row_dicts
from govcore.store.run import PersistentRun, RunError, observe, replay_check, simulate_persistent, tick
from govcore.store.tables import TABLES

START = dt.date(2021, 1, 1)


def _typed(rows: list[dict[str, Any]]) -> list[list[tuple[str, Any, type]]]:
    return [[(k, v, type(v)) for k, v in r.items()] for r in rows]


def _live_run(cfg: Configuration, db: Database) -> None:
    """A live run ticked, given a correction and ticked again: event, observation (added and
    superseding), response and derived rows in the store."""
    tick(cfg, db, start=START, now=dt.date(2021, 3, 31))
    o = cfg.observations[0]
    observe(cfg, db, [Observation(kpi=o.kpi, period=o.period, value=o.value * 1.1, series=o.series,
                                  municipality=o.municipality, source="test")], start=START,
            received_at=dt.datetime(2021, 4, 1, 7, 0, tzinfo=dt.UTC))
    tick(cfg, db, start=START, now=dt.date(2021, 6, 30))


@pytest.fixture
def mappings_made() -> Iterator[list[int]]:
    """How many times a row's `_mapping` is taken while the test runs."""
    made = [0]
    real = Row._mapping

    def counted(self: Row[Any]) -> Any:
        made[0] += 1
        return real.__get__(self)

    Row._mapping = property(counted)  # type: ignore[assignment, method-assign]
    try:
        yield made
    finally:
        Row._mapping = real  # type: ignore[method-assign]


def test_rows_are_the_ones_their_mapping_gives(vejle_config: Configuration, db: Database) -> None:
    _live_run(vejle_config, db)
    simulate_persistent(vejle_config, db, start=dt.date(2022, 1, 1), until=dt.date(2023, 12, 31))
    counted = 0
    with db.engine.connect() as conn:
        for t in TABLES:
            query = sa.select(t).order_by(*t.primary_key.columns)
            mine = row_dicts(conn.execute(query))
            theirs = [dict(r._mapping) for r in conn.execute(query)]
            assert _typed(mine) == _typed(theirs), t.name  # seen to fail with the keys sorted
            assert all(list(r) == [c.name for c in t.columns] for r in mine), t.name
            counted += len(mine)
        assert row_dicts(conn.execute(sa.select(TABLES[0]).where(sa.false()))) == []
    assert counted > 2000


def test_reopening_a_run_takes_no_mapping_per_row(vejle_config: Configuration, db: Database,
                                                   mappings_made: list[int]) -> None:
    simulate_persistent(vejle_config, db, year=2021)
    with db.engine.connect() as conn:
        events = conn.execute(sa.text("SELECT count(*) FROM govcore_event")).scalar_one()
    assert events > 800
    mappings_made[0] = 0
    with PersistentRun.open(db, vejle_config, year=2021, create=False) as run:
        assert run.state.events == events
    assert mappings_made[0] == 0  # seen to fail without the change: 893 (845 event rows, the fact rows)


def test_a_live_run_continued_and_checked_takes_no_mapping_per_row(vejle_config: Configuration, db: Database,
                                                                    mappings_made: list[int]) -> None:
    """Tick, observe (which reads every observation row of the run for what a row supersedes), tick,
    then `audit verify --replay`'s check and the run's observation rows."""
    _live_run(vejle_config, db)
    assert mappings_made[0] == 0  # seen to fail without the change
    n, problems = replay_check(vejle_config, db, start=START)
    assert n > 100 and problems == []
    rows = config_observations.run_rows(db, vejle_config.municipality.code, START.isoformat(),
                                        lambda: vejle_config)
    assert any(r["origin"] == "added" for r in rows) and len(rows) > len(vejle_config.observations)
    assert mappings_made[0] == 0  # seen to fail without the change


def test_the_facts_digested_are_the_rows_as_stored(vejle_config: Configuration, db: Database) -> None:
    """`facts.load` digests each fact row as the database holds it: the same digests as from
    `dict(row._mapping)`."""
    _live_run(vejle_config, db)
    code, key = vejle_config.municipality.code, START.isoformat()
    with db.engine.connect() as conn:
        fingerprint = conn.execute(sa.text("SELECT fingerprint FROM govcore_run")).scalar_one()
        loaded = facts.load(conn, code, key, fingerprint)
        expected: facts.Digests = {}
        for t in facts.RUN_FACT_TABLES:
            facts.add_rows(expected, t, (dict(r._mapping) for r in conn.execute(
                sa.select(t).where(t.c.municipality == code, t.c.start == key))))
        facts.add_rows(expected, facts.RULE, (dict(r._mapping) for r in conn.execute(
            sa.select(facts.RULE).where(facts.RULE.c.municipality == code))))
        facts.add_rows(expected, facts.CONFIG, (dict(r._mapping) for r in conn.execute(
            sa.select(facts.CONFIG).where(facts.CONFIG.c.fingerprint == fingerprint))))
    assert loaded == expected
    assert len(loaded["govcore_observation"]) == 1 and all(loaded.get(t.name) for t in facts.RUN_FACT_TABLES[2:])


def test_the_replay_is_checked_with_the_stored_times_offered(vejle_config: Configuration, db: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Reopening offers each stored row's time as the text the replayed event's line begins with,
    instead of writing the event's time again."""
    simulate_persistent(vejle_config, db, year=2021)
    given: list[str | None] = []
    real = chain.event_texts

    def texts(*args: Any, at: str | None = None, **kwargs: Any) -> tuple[str, str]:
        given.append(at)
        return real(*args, at=at, **kwargs)

    monkeypatch.setattr(chain, "event_texts", texts)
    with PersistentRun.open(db, vejle_config, year=2021, create=False) as run:
        events = run.state.events
    assert len(given) == events > 800
    assert all(isinstance(at, str) and at.startswith("2021-") for at in given)  # seen to fail without it


def _rechain_with_time(db: Database, seq: int, at: str) -> None:
    """Give the event `seq` another time and compute every hash after it again, as someone with
    write access and the code could: the log is intact as a chain."""
    def rewrite(conn: sa.Connection) -> None:
        rows = row_dicts(conn.execute(sa.text("SELECT * FROM govcore_event ORDER BY seq")))
        prev = chain.genesis(rows[0]["municipality"], START)
        for r in rows:
            if r["seq"] == seq:
                r["at"] = at
            text = chain._written_text(r, chain.CHAIN_VERSION)
            assert text is not None
            h = chain.link(prev, text)
            conn.execute(sa.text("UPDATE govcore_event SET at = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"a": r["at"], "p": prev, "h": h, "s": r["seq"]})
            prev = h
        conn.execute(sa.text("UPDATE govcore_run SET head_hash = :h"), {"h": prev})

    db.write(rewrite)


def test_a_replayed_event_at_another_time_than_stored_is_refused(vejle_config: Configuration, db: Database) -> None:
    """The stored time offered for the replayed event's text is only a guess of how its line
    begins: an event stored (and re-chained) with another time than the replay gives is refused."""
    simulate_persistent(vejle_config, db, year=2021)
    row = db.read(lambda conn: row_dicts(conn.execute(sa.text("SELECT seq, at FROM govcore_event WHERE seq = 300"))))[0]
    later = (dt.datetime.fromisoformat(row["at"]) + dt.timedelta(minutes=1)).isoformat()
    _rechain_with_time(db, 300, later)
    assert [r.problem for r in audit.verify(db)] == [None]  # the chain itself is intact
    with pytest.raises(RunError, match="e000300"):  # seen to fail when the stored row's text is hashed
        PersistentRun.open(db, vejle_config, year=2021, create=False)
