"""The configuration's enumerated words in Danish beside English (govcore.danish_words)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from govcore.config import load_config
from govcore.danish_words import DANISH
from govcore.errors import ConfigError
from govcore.model import KPI, Frequency, Goal, Role, RoleKind
from govcore.wheel import Wheel

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("followup", "published", "every", "on", "roll", "type", "kind", "must", "compare", "relation",
        "direction", "date_basis", "responsible_basis", "level", "category", "weekday", "week", "unit", "path")
_WORD = re.compile(r"\b(" + "|".join(KEYS) + r")(\s*:\s*)([a-z_0-9]+)\b")


def _in_danish(text: str) -> tuple[str, int]:
    return _WORD.subn(lambda m: m.group(1) + m.group(2) + DANISH[m.group(3)][0] if m.group(3) in DANISH
                      else m.group(0), text)


def test_the_vejle_example_written_in_danish_words_is_the_same_configuration(tmp_path: Path) -> None:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    cfg = folder / "municipality.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    english = load_config(folder)
    replaced = 0
    for path in folder.glob("*.yaml"):
        text, n = _in_danish(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        replaced += n
    wheel = (folder / "wheel.yaml").read_text(encoding="utf-8")
    assert replaced > 100 and "every: hver 2. måned" in wheel and "on: første arbejdsdag" in wheel
    danish = load_config(folder)
    for a, b in zip(english.versions, danish.versions, strict=True):
        assert [g.model_dump() for g in a.goals] == [g.model_dump() for g in b.goals]
        assert [k.model_dump() for k in a.kpis.values()] == [k.model_dump() for k in b.kpis.values()]
        assert a.organisation.model_dump() == b.organisation.model_dump()
        assert a.wheel.events(2021) == b.wheel.events(2021)


FREQUENCIES = [(d, f) for f in Frequency for d in DANISH[f.value]]


@pytest.mark.parametrize(("word", "frequency"), FREQUENCIES)
def test_every_danish_frequency(word: str, frequency: Frequency) -> None:
    kpi = KPI.model_validate({"id": "k", "name": "K", "unit": "", "published": word})
    assert kpi.published is frequency
    day = "start: '2021-01-05'" if frequency is Frequency.every_14_days else "on: første hverdag"
    wheel = Wheel.parse(f"followups:\n  - {{id: f, title: F, every: '{word}', {day}}}\n")
    assert wheel.followups[0].every is frequency


TARGETS: list[tuple[dict[str, Any], str]] = [
    ({"kind": "mindst", "value": 40}, "at_least"), ({"kind": "højst", "value": 40}, "at_most"),
    ({"kind": "ændring", "by": -5, "unit": "procent", "baseline": "2020", "path": "lineær"}, "change"),
    ({"kind": "forløb", "direction": "højst", "milestones": [{"period": "2022", "value": 3}]}, "trajectory"),
    ({"kind": "sammenligning", "series": "national", "relation": "dårligere"}, "benchmark"),
    ({"kind": "placering", "top": 20}, "rank"),
    ({"kind": "retning", "must": "falde", "compare": "forrige år"}, "direction"),
    ({"kind": "alle af", "criteria": [{"kind": "mindst", "value": 1}, {"kind": "retning", "must": "stige"}]},
     "all_of"),
    ({"kind": "en af", "criteria": [{"kind": "Højst", "value": 1}, {"kind": "placering", "top": 3}]}, "any_of"),
    ({"kind": "indtil", "improve": {"kind": "retning", "must": "forbedre"}, "reached": {"kind": "mindst", "value": 5}},
     "until"),
]


@pytest.mark.parametrize(("raw", "kind"), TARGETS)
def test_every_target_kind_and_its_words(raw: dict[str, Any], kind: str) -> None:
    target = Goal.model_validate({"id": "g", "title": "G", "level": "team", "category": "activity", "owner": "r",
                                  "kpi": "k", "target": raw}).target
    assert target is not None
    assert target.kind == kind
    dumped = str(target.model_dump())
    assert not any(d in dumped for words in DANISH.values() for d in words if len(d) > 3)


def test_roles_goals_and_wheel_words() -> None:
    assert [Role.model_validate({"id": f"r{i}", "title": "R", "kind": d}).kind for i, d in
            enumerate(("udvalg", "direktør", "chef", "center", "afdeling", "medarbejder"))] == \
        [RoleKind.committee, RoleKind.director, RoleKind.head, RoleKind.centre, RoleKind.department, RoleKind.staff]
    goal = Goal.model_validate({"id": "g", "title": "G", "level": "politisk", "category": "servicekvalitet",
                                "owner": "r", "kpi": "k", "followup": "kvartalsvis",
                                "target": {"kind": "mindst", "value": 1}})
    assert (goal.level.value, goal.category, goal.followup) == ("political", "service_quality", Frequency.quarterly)
    wheel = Wheel.parse(
        "roll: forrige\nmilestones:\n"
        "  - {id: a, title: A, date: '15.03', type: opgørelse, date_basis: lov, source: lov}\n"
        "  - {id: b, title: B, date: Q1, type: frist, roll: næste, responsible_basis: valgt, at: slut}\n"
        "followups:\n  - {id: f, title: F, every: månedlig, on: {weekday: tirsdag, week: sidste}}\n")
    a, b = wheel.milestones
    assert (wheel.roll, a.type, a.date_basis, b.type, b.roll, b.responsible_basis, b.at) == \
        ("previous", "as_of", "law", "due", "next", "chosen", "end")
    assert (wheel.followups[0].on.weekday, wheel.followups[0].on.week) == ("tuesday", "last")


def test_every_weekday_and_named_day() -> None:
    for d, en in (("mandag", "monday"), ("onsdag", "wednesday"), ("torsdag", "thursday"), ("fredag", "friday")):
        wheel = Wheel.parse(f"followups:\n  - {{id: f, title: F, every: årlig, on: {{weekday: {d}, week: 1}}}}\n")
        assert wheel.followups[0].on.weekday == en
    wheel = Wheel.parse("followups:\n  - {id: f, title: F, every: halvårlig, on: sidste arbejdsdag}\n")
    assert wheel.followups[0].on.named == "last_working_day"


def _problem(text: str) -> tuple[int, str, str]:
    with pytest.raises(ConfigError) as err:
        Wheel.parse(text, "wheel.yaml")
    p = err.value.problems[0]
    return p.line, p.message, p.hint


def test_a_misspelt_danish_word_gets_a_danish_suggestion_at_its_line() -> None:
    line, message, hint = _problem("roll: next\nfollowups:\n  - id: f\n    title: F\n    every: halvårlg\n"
                                   "    on: første hverdag\n")
    assert (line, hint) == (5, "did you mean 'halvårlig'?") and "'halvårlg' is not allowed" in message
    line, message, hint = _problem("roll: næstte\n")
    assert (line, hint) == (1, "did you mean 'næste'?")


def test_a_misspelt_english_word_still_gets_an_english_suggestion() -> None:
    assert _problem("roll: nxt\n")[2] == "did you mean 'next'?"
    assert _problem("followups:\n  - {id: f, title: F, every: quartely, on: første hverdag}\n")[2] == \
        "did you mean 'quarterly'?"
    _, _, hint = _problem("roll: xyz\n")
    assert hint == "expected one of: next, none, previous"


def test_a_misspelt_danish_target_kind_is_located_with_a_danish_suggestion(tmp_path: Path) -> None:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    cfg = folder / "municipality.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    goals = folder / "goals-2021.yaml"
    goals.write_text(goals.read_text(encoding="utf-8").replace("{kind: at_least, value: 75", "{kind: mindts, value: 75",
                                                                 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    p = err.value.problems[0]
    assert (Path(p.file).name, p.line, p.message, p.hint) == ("goals-2021.yaml", 14, "unknown kind 'mindts'",
                                                              "did you mean 'mindst'?")


def test_danish_words_are_only_accepted_where_their_english_word_is() -> None:
    with pytest.raises(ConfigError) as err:
        Wheel.parse("roll: kvartalsvis\n", "wheel.yaml")
    assert "'kvartalsvis' is not allowed" in err.value.problems[0].message


def test_the_documentation_lists_every_word() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for english, danish in DANISH.items():
        assert f"| `{english}` | {', '.join(danish)} |" in text, english
    targets = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    wheel = (ROOT / "docs" / "wheel.md").read_text(encoding="utf-8")
    for english in ("at_least", "change", "trajectory", "benchmark", "rank", "direction", "all_of", "until"):
        assert f"`{english}`" in targets and DANISH[english][0] in targets
    for english in ("every_14_days", "half_yearly", "next", "previous", "first_working_day"):
        assert f"| `{english}` | {', '.join(DANISH[english])} |" in wheel
