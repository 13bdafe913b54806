"""Schema migrations (Alembic): a database written by govcore 0.1.0 upgrades, every database is
built by the migrations, and the migrations build exactly the tables the code declares.

`tests/data/legacy-v1/govcore-0.1.0.db` was written by the release before migrations began (see
the README next to it). On PostgreSQL the same rows are loaded into a schema made by that
release's DDL (the baseline revision) without an Alembic stamp — what 0.1.0 left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel
from test_store import cli

from govcore.config import load_config
from govcore.store import schema
from govcore.store.audit import verify
from govcore.store.configs import stored_configuration
from govcore.store.db import open_database
from govcore.store.run import tick

ROOT = Path(__file__).resolve().parent.parent
LEGACY = ROOT / "tests" / "data" / "legacy-v1"
LEGACY_TABLES = ("govcore_schema", "govcore_config_version", "govcore_rule", "govcore_run", "govcore_observation",
                 "govcore_response", "govcore_event", "govcore_deviation", "govcore_action", "govcore_escalation",
                 "govcore_deliverable")


SKIP = ("alembic_version", "govcore_schema")  # not rows of govcore's: the target makes its own


def copy_into_postgres(sqlite_file: Path, url: str, revision: str, tables: Sequence[str], *,
                       unstamped: bool = False) -> str:
    """The rows of `tables` of a SQLite database an older govcore wrote, in the PostgreSQL database
    `url` at the same schema `revision`, so that one committed file tests a migration on both.
    `unstamped`: as govcore 0.1.0 left it, before Alembic (no stamp, no schema row of its own)."""
    source = sa.create_engine(f"sqlite:///{sqlite_file}")
    target = open_database(url)
    try:
        def load(conn: sa.Connection) -> None:
            command.upgrade(schema._config(conn), revision)
            if unstamped:
                conn.exec_driver_sql("DROP TABLE alembic_version")
                conn.exec_driver_sql("DELETE FROM govcore_schema")
            meta = sa.MetaData()
            meta.reflect(conn, only=tables)
            with source.connect() as old:
                for table in meta.sorted_tables:  # those referred to first
                    rows = [dict(r._mapping) for r in old.execute(sa.text(f"SELECT * FROM {table.name}"))]
                    for r in rows:  # SQLite keeps booleans as 0 and 1
                        for c in table.columns:
                            if isinstance(c.type, sa.Boolean) and r.get(c.name) is not None:
                                r[c.name] = bool(r[c.name])
                    if rows:
                        conn.execute(sa.insert(table), rows)

        target.write(load)
    finally:
        target.close()
        source.dispose()
    return url


def committed_db(request: pytest.FixtureRequest, tmp_path: Path, committed: Path, revision: str,
                 tables: Sequence[str] | None = None, *, unstamped: bool = False) -> str:
    """A committed SQLite database an older govcore wrote, as the database a parametrised fixture
    asks for: a copy of the file on SQLite, its rows at the same schema `revision` on PostgreSQL
    (`tables`: all but Alembic's and the schema row's), so the test never changes the committed file."""
    copy = tmp_path / committed.name
    shutil.copy(committed, copy)
    if request.param == "sqlite":
        return str(copy)
    if tables is None:
        with sa.create_engine(f"sqlite:///{copy}").connect() as old:
            tables = [t for t in sa.inspect(old).get_table_names() if t not in SKIP]
    return copy_into_postgres(copy, request.getfixturevalue("pg_url"), revision, tables, unstamped=unstamped)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def legacy_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database as govcore 0.1.0 left it (schema version 1, no Alembic stamp)."""
    return committed_db(request, tmp_path, LEGACY / "govcore-0.1.0.db", "0001", LEGACY_TABLES, unstamped=True)


def test_the_schema_version_is_the_head_revision() -> None:
    assert int(schema.head_revision()) == schema.SCHEMA_VERSION


def test_the_migrations_build_exactly_the_declared_tables(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "new.db"))
    try:
        schema.init(database)
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        database.close()
    assert diff == []


def raw_dump(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every govcore table as the database holds it, whatever its schema version."""
    database = open_database(url)
    try:
        def work(conn: sa.Connection) -> dict[str, list[dict[str, Any]]]:
            meta = sa.MetaData()
            meta.reflect(conn, only=[t for t in LEGACY_TABLES if t != "govcore_schema"])
            return {name: sorted(({k: (bool(v) if k == "complete" else v) for k, v in r._mapping.items()}
                                  for r in conn.execute(sa.select(t))), key=repr)
                    for name, t in meta.tables.items()}

        return database.read(work)
    finally:
        database.close()


def test_a_database_written_by_govcore_0_1_0_upgrades(legacy_db: str, english: None) -> None:
    before = raw_dump(legacy_db)
    assert len(before["govcore_event"]) == 21

    status = cli("db", "status", "--db", legacy_db)
    assert status.exit_code == 0 and f"schema version 1 (this govcore: {schema.SCHEMA_VERSION})" in status.output
    refused = cli("audit", "verify", "--db", legacy_db)
    if schema.SCHEMA_VERSION > 1:
        assert refused.exit_code == 2 and "run `govcore db upgrade" in refused.output

    out = cli("db", "upgrade", "--db", legacy_db)
    assert out.exit_code == 0, out.output
    assert "version 2: Runs keyed by municipality and start date" in out.output
    assert "up to date" in cli("db", "upgrade", "--db", legacy_db).output
    # Every row is kept; `year` became the start date, upgraded runs keep the 0.1.0 log format.
    after = raw_dump(legacy_db)
    for name, rows in before.items():
        if name in ("govcore_config_version", "govcore_rule"):
            assert after[name] == rows, name
            continue
        expected = []
        for r in rows:
            moved = {k: v for k, v in r.items() if k != "year"}
            moved["start"] = f"{r['year']}-01-01"
            if name == "govcore_run":
                moved.update(chain=1, live=False, facts=None, config_rows=True)
            if name == "govcore_response":
                moved["actor"] = None
            if name == "govcore_action":
                moved["jointly_with"] = ""  # 0006: held by the owner alone in 0.1.0
            expected.append(moved)
        assert sorted(after[name], key=repr) == sorted(expected, key=repr), name

    upgraded_events = after["govcore_event"]
    ok = cli("audit", "verify", "--db", legacy_db)
    assert ok.exit_code == 0 and "21 events, chain intact" in ok.output, ok.output
    assert "Vejle" in cli("db", "status", "--db", legacy_db).output
    why = cli("explain", "e000021", "--db", legacy_db)
    assert why.exit_code == 0 and "Why:" in why.output
    history = cli("observations", "--db", legacy_db, "--kpi", "jobrate", "--period", "2021-02")
    assert "replaced by #6" in history.output and "rettelse" in history.output

    # This govcore writes two descriptive detail fields 0.1.0 did not (which period a follow-up
    # covers, how its date was chosen); every decision of the stored log is reproduced, so the run
    # continues: its 0.1.0 entries stay as written, new ones are appended in its log format.
    cfg = load_config(LEGACY / "config")
    result = tick(cfg, legacy_db, now=dt.date(2022, 1, 31))
    assert result.clock.startswith("2022-01-31") and result.events
    assert {e.type for e in result.events} >= {"followup", "year_started"}
    assert "covers" in next(e for e in result.events if e.type == "followup").details
    after_tick = raw_dump(legacy_db)
    kept = [r for r in after_tick["govcore_event"] if r in upgraded_events]
    assert len(kept) == len(upgraded_events) == 21  # the 0.1.0 entries, unchanged
    assert len(after_tick["govcore_event"]) == 21 + len(result.events)
    database = open_database(legacy_db)
    try:
        assert [r.problem for r in verify(database)] == [None]
        assert stored_configuration(database, "630").municipality.code == "630"  # stored by that tick
    finally:
        database.close()
    replayed = cli("audit", "verify", "--db", legacy_db, "--replay")
    assert replayed.exit_code == 0 and "REPLAYED" in replayed.output, replayed.output
    assert cli("tick", "--db", legacy_db, "--now", "2022-02-02").exit_code == 0


def test_an_upgrade_that_fails_changes_nothing(legacy_db: str, english: None) -> None:
    database = open_database(legacy_db)
    try:
        # In the way of the last table copy of revision 0002: the upgrade fails after it has
        # stamped the baseline and copied and dropped other tables — and must take all of it back.
        database.write(lambda conn: conn.exec_driver_sql("CREATE TABLE govcore_run_v1 (x INTEGER)"))
    finally:
        database.close()
    before = raw_dump(legacy_db)
    out = cli("db", "upgrade", "--db", legacy_db)
    assert out.exit_code == 2 and "govcore_run_v1" in out.output, out.output
    assert raw_dump(legacy_db) == before
    status = cli("db", "status", "--db", legacy_db)
    assert "schema version 1 " in status.output
    database = open_database(legacy_db)
    try:
        names = database.read(lambda conn: set(sa.inspect(conn).get_table_names()))
    finally:
        database.close()
    assert "alembic_version" not in names and "govcore_event_v1" not in names


def test_only_added_descriptive_fields_of_wheel_events_are_allowed_for_0_1_0_entries() -> None:
    """A 0.1.0 entry is taken as the replayed event only when they differ in detail fields added
    since (and absent from the stored entry) on wheel events; any other difference is refused."""
    from govcore.engine import EngineEvent
    from govcore.store.chain import same_decision_v1

    at = dt.datetime(2021, 2, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    old = {"wheel": "maanedsmoede", "title": "Opfølgningsmøde", "frequency": "monthly"}
    row = {"seq": 3, "at": at.isoformat(), "type": "followup", "rule": None, "goal": None, "owner": "chef",
           "subject": None, "subject_kind": None, "details": json.dumps(old)}

    def replayed(details: dict[str, Any], **fields: Any) -> EngineEvent:
        base: dict[str, Any] = {"seq": 3, "at": at, "type": "followup", "rule": None, "goal": None, "owner": "chef",
                                "subject": None, "subject_kind": None}
        return EngineEvent(**{**base, **fields, "details": details})

    assert same_decision_v1(row, replayed({**old, "covers": "2021-01", "date_basis": "chosen"}))
    assert not same_decision_v1(row, replayed({**old, "covers": "2021-01", "reviewed": ["g-job"]}))  # not allowed
    assert not same_decision_v1(row, replayed({**old, "title": "Andet møde", "covers": "2021-01"}))
    assert not same_decision_v1(row, replayed({**old, "covers": "2021-01"}, owner="direktoer"))
    assert not same_decision_v1({**row, "details": json.dumps({**old, "covers": "2020-12"})},
                                replayed({**old, "covers": "2021-01"}))  # 0.1.0 wrote it: it must be equal
    assert not same_decision_v1({**row, "type": "deviation_opened"},
                                replayed({**old, "covers": "2021-01"}, type="deviation_opened"))
