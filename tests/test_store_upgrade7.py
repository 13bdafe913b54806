"""A database at schema 6 — whose runs store their configuration's observations as rows — upgrades
to schema 7 (runs created from then on derive them from the stored configuration) losing
nothing: its runs verify, replay, list their observations, and go on exactly as runs created
by this govcore do.

`tests/data/schema-6/govcore-schema6.db` was written by the code of main 575198f (schema 6);
see the README next to it. On PostgreSQL the same rows are loaded into a schema built by the
migrations up to 0006.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_migrations import SKIP, committed_db
from test_store import cli

from govcore.config import load_config
from govcore.model import Observation
from govcore.store.db import open_database
from govcore.store.run import observe, tick

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "schema-6"
CONFIG = ROOT / "tests" / "data" / "legacy-v1" / "config"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def schema6_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return committed_db(request, tmp_path, DATA / "govcore-schema6.db", "0006")


def dump(url: str) -> dict[str, list[dict[str, Any]]]:
    database = open_database(url)
    try:
        def work(conn: sa.Connection) -> dict[str, list[dict[str, Any]]]:
            meta = sa.MetaData()
            meta.reflect(conn)
            return {t.name: sorted(({k: (bool(v) if isinstance(t.c[k].type, sa.Boolean) else v)
                                     for k, v in r._mapping.items()} for r in conn.execute(sa.select(t))), key=repr)
                    for t in meta.sorted_tables if t.name not in SKIP}

        return database.read(work)
    finally:
        database.close()


def run_rows(url: str, table: str, start: str) -> list[dict[str, Any]]:
    return [r for r in dump(url)[table] if r["start"] == start]


CORRECTION = Observation(kpi="jobrate", period="2021-02", value=47, source="rettelse 2", known_at=dt.date(2021, 6, 1))


def test_a_schema_6_database_upgrades_and_its_runs_go_on(schema6_db: str, english: None, tmp_path: Path) -> None:
    url = schema6_db
    before = dump(url)
    assert len([r for r in before["govcore_observation"] if r["origin"] == "configuration"]) == 10  # 5 per run

    out = cli("db", "upgrade", "--db", url)
    assert out.exit_code == 0, out.output
    assert "version 7" in out.output
    after = dump(url)
    for name, rows in before.items():  # nothing lost, nothing rewritten; the runs keep their rows
        expected = [{**r, "config_rows": True} for r in rows] if name == "govcore_run" else rows
        assert sorted(after[name], key=repr) == sorted(expected, key=repr), name

    ok = cli("audit", "verify", "--db", url)
    assert ok.exit_code == 0 and "chain intact" in ok.output, ok.output
    replayed = cli("audit", "verify", "--db", url, "-m", "630", "--year", "2021", "--replay")
    assert replayed.exit_code == 0 and "REPLAYED" in replayed.output, replayed.output
    history = cli("observations", "--db", url, "-m", "630", "--year", "2021", "--kpi", "jobrate",
                  "--period", "2021-02")
    assert history.exit_code == 0 and "replaced by #6" in history.output, history.output

    # The same inputs into a run created by this govcore (which derives its configuration's rows).
    cfg = load_config(CONFIG)
    fresh = str(tmp_path / "fresh.db")
    tick(cfg, fresh, now=dt.date(2021, 3, 10))
    observe(cfg, fresh, [Observation(kpi="jobrate", period="2021-02", value=49, source="rettelse",
                                     known_at=dt.date(2021, 3, 10))],
            received_at=dt.datetime(2021, 3, 10, 12, tzinfo=dt.UTC))
    tick(cfg, fresh, now=dt.date(2021, 5, 20))
    assert fresh_history(fresh) == history.output

    # The upgraded live run goes on without its folder; both take a second correction.
    assert cli("tick", "--db", url, "-m", "630", "--year", "2021", "--now", "2021-06-01").exit_code == 0
    tick(cfg, fresh, now=dt.date(2021, 6, 1))
    for db in (url, fresh):
        observe(cfg, db, [CORRECTION], year=2021, received_at=dt.datetime(2021, 6, 1, 12, tzinfo=dt.UTC))
        tick(cfg, db, now=dt.date(2021, 9, 30), year=2021)
    upgraded_obs = run_rows(url, "govcore_observation", "2021-01-01")
    fresh_obs = run_rows(fresh, "govcore_observation", "2021-01-01")
    assert [r for r in upgraded_obs if r["origin"] == "added"] == fresh_obs
    assert [(r["n"], r["supersedes"]) for r in fresh_obs] == [(6, 3), (7, 6)]
    assert len(upgraded_obs) == 7
    for table in ("govcore_event", "govcore_deviation", "govcore_action", "govcore_escalation",
                  "govcore_deliverable", "govcore_response"):
        assert run_rows(url, table, "2021-01-01") == run_rows(fresh, table, "2021-01-01"), table
    (upgraded_run,) = run_rows(url, "govcore_run", "2021-01-01")
    (fresh_run,) = run_rows(fresh, "govcore_run", "2021-01-01")
    assert upgraded_run["head_hash"] == fresh_run["head_hash"] and upgraded_run["events"] == fresh_run["events"]
    assert (upgraded_run["config_rows"], fresh_run["config_rows"]) == (True, False)
    assert cli("audit", "verify", "--db", url).exit_code == 0

    # The simulation interrupted under schema 6 resumes to what an uninterrupted run writes.
    span = ("--from", "2022-01-01", "--to", "2022-12-31")
    resumed = cli("simulate", str(CONFIG), "--db", url, *span, "--resume", "--out", str(tmp_path / "resumed"))
    assert resumed.exit_code == 0, resumed.output
    plain = cli("simulate", str(CONFIG), *span, "--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    for name in ("events.jsonl", "summary.json"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    replayed = cli("audit", "verify", "--db", url, "--replay", str(CONFIG), "-m", "630", "--year", "2022")
    assert replayed.exit_code == 0 and "REPLAYED" in replayed.output, replayed.output


def fresh_history(url: str) -> str:
    return str(cli("observations", "--db", url, "-m", "630", "--year", "2021", "--kpi", "jobrate",
                   "--period", "2021-02").output)
