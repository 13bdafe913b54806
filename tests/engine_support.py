"""What several engine tests share: a configuration with a second version that changes goals and
wheel on 10 March 2021, and an engine that closes itself at the year turn while it runs.

Used by tests/test_continuous.py and tests/test_engine_steps.py (the version), and
tests/test_engine_loop.py and tests/test_engine_steps.py (the engine closed while it runs: once
through `advance_to`, once through `steps`, which must stop alike).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import GOALS, ROOT, WHEEL

from govcore.config import Configuration
from govcore.engine import Engine, EngineEvent

VERSION_DAY = dt.date(2021, 3, 10)


def add_version_with_new_wheel(folder: Path, description: str) -> None:
    """A version from VERSION_DAY: every goal but `g-job`, and follow-ups on the 15th."""
    (folder / "goals-2.yaml").write_text("goals:\n  - id: g-ledige" + GOALS.split("  - id: g-ledige")[1],
                                         encoding="utf-8")
    (folder / "wheel-2.yaml").write_text(WHEEL.replace("on: first_working_day", "on: {day: 15}"), encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write(f"versions:\n  - from: {VERSION_DAY.isoformat()}\n    description: {description}\n"
                f"    goals: goals-2.yaml\n    wheel: wheel-2.yaml\n    rules: [{ROOT / 'rules' / 'goals.yaml'}]\n")


def closing_at_year_turn(cfg: Configuration) -> tuple[Engine, list[EngineEvent]]:
    """An engine from 1 December 2020 that closes itself at its first `year_started` event, and the
    events it has reported so far (filled as it runs)."""
    seen: list[EngineEvent] = []

    def on_event(ev: EngineEvent) -> None:
        seen.append(ev)
        if ev.type == "year_started":
            engine.close()

    engine = Engine(cfg, start=dt.date(2020, 12, 1), on_event=on_event)
    return engine, seen


def assert_stopped_at_year_turn(engine: Engine, seen: list[EngineEvent]) -> None:
    """The new year's own item finished (its events after the one that closed), then nothing more."""
    turn = next(i for i, ev in enumerate(seen) if ev.type == "year_started")
    assert turn > 0 and all(ev.at == seen[turn].at for ev in seen[turn:])
    assert engine.events == seen
