"""The store rewrites only the deviation, action and escalation rows the engine reports it touched
(`Workflow.touched`): after every committed batch the stored rows must equal a full rebuild from
the engine's records, for a run in which every kind of workflow step changes a record — flag,
demand, escalate, submit, accept, reject, decide, deliver, close, and a configuration version
retiring a goal. A step that changed a record without reporting it leaves a stale row, which the
comparison finds (checked by dropping each kind's report in turn)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import GOALS, ROOT
from test_engine_workflow import LOW, _decision_rules

from govcore.config import Configuration, load_config
from govcore.store.db import open_database
from govcore.store.run import ACTION, DELIVERABLE, DEVIATION, ESCALATION, PersistentRun, simulate_persistent
from govcore.workflow import Workflow

VEJLE = ROOT / "examples" / "vejle"
TABLES = {"deviation": DEVIATION, "action": ACTION, "escalation": ESCALATION, "deliverable": DELIVERABLE}

# The default test configuration's action for g-job (demanded 1 March) submitted, rejected,
# left to escalate, submitted again and accepted; then a version without g-job retires its
# open deviation.
STEPS = """
responses:
  - {date: 2021-03-02, time: "10:00", submit: {subject: g-job, text: Plan A}}
  - {date: 2021-03-02, time: "11:00", reject: {subject: g-job, text: For vag}}
  - {date: 2021-03-22, submit: {subject: g-job, text: Plan B}}
  - {date: 2021-03-23, accept: {subject: g-job, text: Godkendt}}
"""
DECISIONS = """
responses:
  - {date: 2021-03-04, decide: {subject: g-job, option: adjust, text: Ny plan}}
"""


def stored_rows(run: PersistentRun) -> dict[tuple[str, str], dict[str, Any]]:
    def load(conn: sa.Connection) -> dict[tuple[str, str], dict[str, Any]]:
        out = {}
        for kind, t in TABLES.items():
            for r in conn.execute(sa.select(t).where(t.c.municipality == run.code, t.c.start == run.key)):
                out[(kind, str(r.id))] = dict(r._mapping)
        return out
    return run.db.read(load)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """After every batch: the stored rows equal a full rebuild. Yields the event types committed."""
    seen: list[str] = []
    commit = PersistentRun._commit_batch

    def check(self: PersistentRun, batch: Any) -> None:
        commit(self, batch)
        seen.extend(ev.type for ev in batch.events)
        assert stored_rows(self) == dict(self._derived()), f"after item {self.state.items}"

    monkeypatch.setattr(PersistentRun, "_commit_batch", check)
    yield seen


def _configs(make_config: Callable[..., Path], tmp_path: Path) -> list[Path]:
    steps = make_config(responses=STEPS)
    (steps / "goals-2.yaml").write_text("goals:\n  - id: g-ledige" + GOALS.split("  - id: g-ledige")[1],
                                        encoding="utf-8")
    with (steps / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-05-10\n    description: Uden g-job\n    goals: goals-2.yaml\n")
    from conftest import write_config
    decisions = write_config(tmp_path / "decisions", rules=_decision_rules(tmp_path), observations=LOW,
                             responses=DECISIONS)
    return [steps, decisions]


def test_every_kind_of_step_writes_the_records_it_changed(
        db_url: str, make_config: Callable[..., Path], tmp_path: Path, checked: list[str],
        vejle_config: Configuration) -> None:
    db = open_database(db_url)
    try:
        # both configurations are Vejle's (630): their runs start on different days
        for day, folder in zip((1, 2), _configs(make_config, tmp_path), strict=True):
            simulate_persistent(load_config(folder), db, start=dt.date(2021, 1, day), until=dt.date(2021, 12, 31))
        simulate_persistent(vejle_config, db, start=dt.date(2020, 1, 1), until=dt.date(2023, 12, 31))
    finally:
        db.close()
    kinds = {"deviation_flagged", "action_demanded", "escalated", "action_submitted", "action_accepted",
             "action_rejected", "decision_made", "deliverable_delivered", "deviation_closed",
             "configuration_changed"}
    assert kinds <= set(checked), kinds - set(checked)
    closed_by_version = [t for t in checked if t == "configuration_changed"]
    assert closed_by_version


@pytest.mark.parametrize("kind", ["deviation", "action", "escalation"])
def test_a_change_not_reported_is_found_by_the_check(
        kind: str, tmp_path: Path, make_config: Callable[..., Path], checked: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    touch = Workflow._touch

    def forgetful(self: Workflow, what: str, ident: str) -> None:
        if what != kind:
            touch(self, what, ident)

    monkeypatch.setattr(Workflow, "_touch", forgetful)
    db = open_database(str(tmp_path / "forgetful.db"))
    try:
        with pytest.raises(AssertionError, match="after item"):
            simulate_persistent(load_config(_configs(make_config, tmp_path)[0]), db, start=dt.date(2021, 1, 1))
    finally:
        db.close()
