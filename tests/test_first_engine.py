"""What a configuration's first engine pays once: a dated version whose rule files are the same
keeps the rule plan in use instead of compiling the rules again (issue 12, first-engine)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.rules.compiler import compile_ruleset
from govcore.rules.loader import RuleSet

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


def _year(cfg: Configuration, start: dt.date) -> list[dict[str, Any]]:
    with Engine(cfg, start=start) as e:
        e.advance_to(e.calendar.local_datetime(dt.date(2021, 12, 31), 23, 59))
        return [ev.to_dict() for ev in e.events]


def test_a_version_with_the_same_rule_files_compiles_no_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Vejle's 2021 version of 15 June parses the same rule files again: the first engine of a fresh
    load compiles them once (main compiled them again at the change, then kept the old runtime)."""
    compiled: list[RuleSet] = []
    def counting(rules: RuleSet) -> Any:
        compiled.append(rules)
        return compile_ruleset(rules)

    monkeypatch.setattr("govcore.engine.compile_ruleset", counting)
    cfg = load_config(VEJLE)
    june = cfg.version_at(dt.date(2021, 6, 15))
    assert june.rules is not cfg.version_at(dt.date(2021, 1, 1)).rules
    events = _year(cfg, dt.date(2021, 1, 1))
    assert [ev["details"]["effective"] for ev in events if ev["type"] == "configuration_changed"] == ["2021-06-15"]
    assert len(compiled) == 1


def test_equal_rule_files_but_other_rules_get_their_own_plan() -> None:
    """The plan in use is kept only for rules equal to it, not merely for rule files of the same
    names and hashes: an engine that starts in a later version whose rules differ works with its
    own rules, also after an earlier engine of the load went through that version change."""
    def root() -> Configuration:
        cfg = load_config(VEJLE)
        june = cfg.version_at(dt.date(2021, 6, 15))
        fewer = RuleSet(rules=[r for r in june.rules.rules if r.id != "maal-i-risiko"], files=dict(june.rules.files))
        assert fewer.version() == june.rules.version()
        versions = [replace(v, rules=fewer) if v is june else v for v in cfg.versions]
        return replace(cfg, versions=versions)

    cfg = root()
    _year(cfg, dt.date(2021, 1, 1))  # went through the change to the version of 15 June
    later = _year(cfg, dt.date(2021, 7, 1))
    assert not [ev for ev in later if ev["rule"] == "maal-i-risiko"]
    assert later == _year(root(), dt.date(2021, 7, 1))
    # the rule the version left out does fire from July with Vejle's own rules
    assert [ev for ev in _year(load_config(VEJLE), dt.date(2021, 7, 1)) if ev["rule"] == "maal-i-risiko"]
