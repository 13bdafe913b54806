"""Every YAML example in docs/ is loaded by govcore, so an example cannot drift from what it accepts.

Each fenced ```yaml block is parsed with govcore's own strict YAML reader (a repeated key is an
error) and validated as what it shows: a target, a goal file, an organisation, a wheel or one of
its parts, a rule or one of its parts, or a rule-testing scenario or one of its parts. A block of a
shape no loader below knows fails the test, so a new kind of example must say how it is checked.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from govcore.config import ConfigFile, GoalFile, KpiFile, OrganisationFile, ResponseFile
from govcore.model import Target
from govcore.plugins import load_plugins
from govcore.rules.loader import InEffect, TriggerModel, check_text
from govcore.rules.vocabulary import Vocabulary
from govcore.ruletest.scenario import load_scenario_file
from govcore.sourcefile import parse_yaml
from govcore.wheel import After, FollowUp, Wheel

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"```ya?ml\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            line = text[:m.start()].count("\n") + 2
            out.append((f"{path.name}:{line}", m.group(1)))
    return out


BLOCKS = _blocks()


def _vocab() -> Vocabulary:
    plugins = load_plugins()
    return Vocabulary.build([k for _, k in plugins.subject_kinds().values()],
                            [a for _, a in plugins.actions().values()])


def _rules(text: str) -> None:
    _, problems = check_text(text, "docs", _vocab())
    # A placeholder naming a field of a plugin's subject, or a deliverable id, is checked against a
    # configuration, which a lone example has not got.
    problems = [p for p in problems if not any(w in p.message for w in ("placeholder", "pladsholder"))
                and "require_deliverable" not in p.message]
    assert not problems, [p.format() for p in problems]


def _as_rule(body: str, *, when: str = "when: {followup: monthly}\n", for_each: str = "for_each: goal\n",
             then: str = "then:\n  - notify: {to: owner, message: x}\n") -> None:
    rule = "id: doc-example\n" + (when if not body.startswith("when:") else "") + body
    if "for_each:" not in body:
        rule += for_each
    if "then:" not in body:
        rule += then
    _rules("rules:\n" + textwrap.indent(rule, "    ").replace("    id:", "  - id:", 1))


def _rule_list(text: str) -> None:
    if re.match(r"- [a-z_]+:", text) and "id:" not in text.split("\n", 1)[0]:
        head = "rules:\n  - id: x\n    when: {deadline: corrective_action}\n    then:\n"
        _rules(head + textwrap.indent(text, "      "))
    else:
        _rules("rules:\n" + text)


def _scenario_header() -> str:
    first = next(b for _, b in BLOCKS if b.startswith("# rules/tests/escalation.yaml"))
    head = first.split("scenarios:")[0].replace("until: 2021-03-31", "until: 2021-12-31")
    head = head.replace("rules: [../goals.yaml, ../escalation.yaml]",
                        f"rules: [{ROOT / 'rules' / 'goals.yaml'}, {ROOT / 'rules' / 'escalation.yaml'}]")
    return head.replace("kpis:\n", "kpis:\n  - {id: \"survey:borgere:modtagelse\", name: Tilfredshed}\n") + \
        "deliverables:\n  - {id: beskaeftigelsesplan, title: Beskæftigelsesplan, owner: chef}\n"


def _scenario(text: str, tmp: Path) -> None:
    if text.startswith("# rules/tests/"):
        body = text.replace("rules: [../goals.yaml, ../escalation.yaml]",
                            f"rules: [{ROOT / 'rules' / 'goals.yaml'}, {ROOT / 'rules' / 'escalation.yaml'}]")
    elif text.startswith("  - name:"):
        body = _scenario_header() + "scenarios:\n" + text
    else:
        if not re.search(r"^(expect|never):", text, re.M):
            text += "expect: []\n"
        body = _scenario_header() + "scenarios:\n  - name: doc example\n" + textwrap.indent(text, "    ")
    path = tmp / "example.yaml"
    path.write_text(body, encoding="utf-8")
    loaded = load_scenario_file(path, load_plugins())
    assert not loaded.problems, [p.format() for p in loaded.problems]
    assert loaded.cases


def _wheel_part(data: dict[str, Any]) -> None:
    if "after" in data:
        After.model_validate(data["after"])
    else:
        Wheel.model_validate({"milestones": [], "followups": [], **data})


def _validate(name: str, text: str, tmp: Path) -> None:
    """Load one example as what it shows; fail for a shape no loader knows."""
    source = name.split(":")[0]
    if source == "rule-testing.md":
        _scenario(text, tmp)
        return
    data = parse_yaml(textwrap.dedent(text), name).data
    if isinstance(data, list):
        if source == "wheel.md":
            for item in data:
                FollowUp.model_validate(item)
        else:
            _rule_list(textwrap.dedent(text))
        return
    assert isinstance(data, dict), f"{name}: an example is a mapping or a list"
    keys = set(data)
    loaders: dict[str, Callable[[], object]] = {
        "target": lambda: TypeAdapter(Target).validate_python(data["target"]),
        "goals": lambda: GoalFile.model_validate(data),
        "roles": lambda: OrganisationFile.model_validate(data),
        "kpis": lambda: KpiFile.model_validate(data),
        "responses": lambda: ResponseFile.model_validate(data),
        "municipality": lambda: ConfigFile.model_validate(data),
        "in_effect": lambda: InEffect.model_validate(data["in_effect"]),
    }
    first = next(iter(data))
    if first == "municipality":
        loaders[first]()
    elif text.startswith("# rules/") or "rules" in keys:
        _rules(text)
    elif source == "wheel.md":
        _wheel_part(data)
    elif keys == {"when"}:
        TriggerModel.model_validate(data["when"])
    elif keys == {"if"}:
        _as_rule(text)
    elif "when" in keys:
        _as_rule(text, for_each="")
    elif first in loaders:
        loaders[first]()
    else:
        pytest.fail(f"{name}: no loader knows an example starting with '{first}'; add one to this test")


@pytest.mark.parametrize(("name", "text"), BLOCKS, ids=[n for n, _ in BLOCKS])
def test_every_yaml_example_in_the_docs_loads(name: str, text: str, tmp_path: Path) -> None:
    _validate(name, text, tmp_path)


def test_every_doc_with_yaml_is_covered() -> None:
    names = {n.split(":")[0] for n, _ in BLOCKS}
    assert {"targets.md", "configuration.md", "wheel.md", "rules.md", "rule-testing.md"} <= names
    assert sum(1 for n, _ in BLOCKS if n.startswith("targets.md")) >= 15


def test_a_repeated_key_in_an_example_is_caught() -> None:
    """The reason the examples are one per block: two `target:` lines in one block are rejected."""
    from govcore.errors import GovcoreError

    with pytest.raises(GovcoreError, match="duplicate key"):
        _validate("targets.md:1", "target: {kind: rank, top: 20}\ntarget: {kind: rank, top: 10}\n", Path("."))
