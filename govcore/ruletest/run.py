"""Running one scenario case on the engine's own clock.

The engine jumps from scheduled item to scheduled item (a figure becoming known, a follow-up, a
deadline), so a year — or five — takes well under a second, and the result is the same every
time. The run keeps the engine's trace (what was posted to the rules and what fired), which is
what explanations are made of.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from govcore.config import Configuration
from govcore.engine import Engine, EngineEvent, Posted
from govcore.model import CorrectiveAction
from govcore.rules.loader import Rule
from govcore.ruletest.kinds import view
from govcore.ruletest.scenario import Case
from govcore.ruletest.setup import Setup


@dataclass
class Run:
    """What happened in one case, with everything needed to compare and explain."""

    case: Case
    config: Configuration
    events: list[EngineEvent]
    views: list[dict[str, Any]]
    trace: list[Posted]
    actions: dict[str, CorrectiveAction]
    seconds: float
    items: int
    error: str = ""
    fired: set[str] = field(default_factory=set)

    @property
    def rules(self) -> list[Rule]:
        return self.config.rules.rules

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def business_subject(self, message: Any) -> str:
        """The goal, area or deliverable a posted message is about (an action's subject for
        `for_each: action`)."""
        subject = str(message.get("subject", ""))
        if message.get("for_each") == "action" and subject in self.actions:
            return self.actions[subject].subject
        return subject


def execute(setup: Setup, case: Case) -> Run:
    """Run one case from its start to its end; a failure inside the engine or a plugin becomes
    `Run.error` (a message), never an exception."""
    # The engine lays out each year's wheel as its clock enters the year, so a scenario of five
    # years has five years of follow-ups, and one starting 1 June no January follow-ups.
    config = replace(setup.config, observations=case.observations, responses=case.responses, year=case.year)
    began = time.perf_counter()
    error = ""
    try:
        engine = Engine(config, year=case.year, start=case.start, trace=True)
    except Exception as err:  # e.g. a plugin's subject kind failing on the scenario's settings
        return Run(case=case, config=config, events=[], views=[], trace=[], actions={},
                   seconds=time.perf_counter() - began, items=0, error=f"{type(err).__name__}: {err}")
    try:
        engine.advance_to(case.until)
    except Exception as err:  # reported as the scenario's error, with what happened until then
        error = f"{type(err).__name__}: {err}"
    finally:
        engine.close()
    seconds = time.perf_counter() - began
    actions = dict(engine.actions)
    subjects = {a.id: (a.subject_kind, a.subject) for a in actions.values()}
    trace = list(engine.trace or [])
    return Run(case=case, config=config, events=list(engine.events),
               views=[view(e, subjects) for e in engine.events], trace=trace, actions=actions,
               seconds=seconds, items=engine.items_processed, error=error,
               fired={rid for p in trace for rid in p.fired})
