"""Runs stored by main b41418b — before perf-store8 changed how a stored run writes its rows —
verify, replay clean and go on with this code; and a run made again now stores exactly the rows
main stored for it (events with their hashes, the derived records, the run row with its facts
digests, the notifications), on SQLite and on PostgreSQL.

`tests/data/store-main/govcore-main.db` was written by the code of main b41418b; see the README
next to it. On PostgreSQL the same rows are loaded into a schema built by the migrations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from test_migrations import committed_db
from test_store import cli
from test_store_upgrade7 import dump

from govcore.config import load_config
from govcore.model import Observation
from govcore.simulate import simulate
from govcore.store.admin import delete_run
from govcore.store.db import open_database
from govcore.store.run import observe, replay_check, simulate_persistent, tick

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "store-main"
CONFIG = "tests/data/legacy-v1/config"  # as main was given it: its rule rows keep the path (see _config)
CODE = "630"
LIVE, DONE, STOPPED = "2021-01-01", "2018-01-01", "2022-01-01"
EVENTS = {LIVE: 28, DONE: 35, STOPPED: 23}  # as main stored them


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def main_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return committed_db(request, tmp_path, DATA / "govcore-main.db", "0007")


def _config(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The configuration main stored the runs with, loaded by the same relative path from the
    repository's root: a rule row keeps its file's path as given, and the run's facts digest covers it."""
    monkeypatch.chdir(ROOT)
    return load_config(CONFIG)


def _run_rows(url: str, start: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of one run, per table (rows without a run key: configuration versions, files, rules)."""
    return {name: [r for r in rows if r.get("start", start) == start] for name, rows in dump(url).items()}


def _live(cfg: Any, url: str) -> None:
    """The live run as main's README made it."""
    tick(cfg, url, now=dt.date(2021, 3, 10))
    observe(cfg, url, [Observation(kpi="jobrate", period="2021-02", value=49, source="rettelse",
                                   known_at=dt.date(2021, 3, 10))],
            received_at=dt.datetime(2021, 3, 10, 12, tzinfo=dt.UTC))
    tick(cfg, url, now=dt.date(2021, 9, 30))


def _remade(url: str, start: str, make: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """The run's rows as stored, and as this code stores the run made again from nothing."""
    before = _run_rows(url, start)
    database = open_database(url)
    try:
        assert delete_run(database, CODE, start) > 0
    finally:
        database.close()
    make()
    return before, _run_rows(url, start)


def test_runs_main_stored_verify_and_replay_clean(main_db: str, english: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _config(monkeypatch)
    out = cli("audit", "verify", "--db", main_db)
    assert out.exit_code == 0, out.output
    for start, events in EVENTS.items():
        assert replay_check(cfg, main_db, start=dt.date.fromisoformat(start)) == (events, [])


def test_a_run_made_again_stores_the_rows_main_stored(main_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _config(monkeypatch)
    before, after = _remade(main_db, DONE, lambda: simulate_persistent(
        cfg, main_db, start=dt.date(2018, 1, 1), until=dt.date(2019, 12, 31)))
    assert len(before["govcore_event"]) == EVENTS[DONE]
    assert after == before
    before, after = _remade(main_db, LIVE, lambda: _live(cfg, main_db))
    assert len(before["govcore_event"]) == EVENTS[LIVE] and before["govcore_notification"]
    assert after == before


def test_a_run_made_again_from_another_path_stores_the_rows_main_stored(
        main_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The same configuration by another path (its rule files' paths differ from those in the rule
    rows main stored): the rule rows are kept as stored, and the run's facts cover them as stored
    (on main the run sealed its own rows, so its facts differed and it could not be re-opened)."""
    monkeypatch.chdir(tmp_path)
    cfg = load_config(ROOT / CONFIG)
    assert all(not r.file.startswith(CONFIG) for r in cfg.rules.rules)
    before, after = _remade(main_db, DONE, lambda: simulate_persistent(
        cfg, main_db, start=dt.date(2018, 1, 1), until=dt.date(2019, 12, 31)))
    assert after == before
    assert replay_check(cfg, main_db, start=dt.date(2018, 1, 1)) == (EVENTS[DONE], [])


def test_an_interrupted_simulation_main_stored_resumes_as_if_never_interrupted(
        main_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _config(monkeypatch)
    start, until = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
    written = _run_rows(main_db, STOPPED)["govcore_event"]
    resumed = simulate_persistent(cfg, main_db, start=start, until=until, resume=True)
    assert resumed.summary == simulate(cfg, start=start, until=until).summary
    n, problems = replay_check(cfg, main_db, start=start)
    assert (n, problems) == (len(resumed.events), [])
    stored, whole = _remade(main_db, STOPPED, lambda: simulate_persistent(cfg, main_db, start=start, until=until))
    by_seq = sorted(stored["govcore_event"], key=lambda r: r["seq"])
    assert by_seq[:len(written)] == sorted(written, key=lambda r: r["seq"])  # what main wrote is left as it was
    assert whole == stored


def test_a_live_run_main_stored_goes_on(main_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _config(monkeypatch)
    ticked = tick(cfg, main_db, now=dt.date(2021, 12, 31))
    assert ticked.events
    assert replay_check(cfg, main_db, year=2021) == (EVENTS[LIVE] + len(ticked.events), [])

    def again() -> None:
        _live(cfg, main_db)
        tick(cfg, main_db, now=dt.date(2021, 12, 31))

    stored, whole = _remade(main_db, LIVE, again)
    assert whole == stored
