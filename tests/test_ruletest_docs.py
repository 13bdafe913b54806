"""Guards that keep docs/rules.md and docs/rule-testing.md true to the vocabulary.

The reference is written by hand for administrators; these tests fail when a field, action,
trigger or operator is added without being documented, or when an example stops being valid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govcore.errors import InputError
from govcore.rules.conditions import OPERATORS, parse_condition
from govcore.rules.loader import check_text
from govcore.rules.vocabulary import BUILTIN_ACTIONS, BUILTIN_KINDS, COMMON_FIELDS, TRIGGERS, Vocabulary
from govcore.ruletest.kinds import ALIASES, KINDS

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
TESTING_MD = (ROOT / "docs" / "rule-testing.md").read_text(encoding="utf-8")
SECTIONS = {"common": "### Common fields", "goal": "### Goals", "deliverable": "### Deliverables",
            "action": "### Corrective actions"}


def _section(heading: str) -> str:
    start = RULES_MD.index(heading)
    end = RULES_MD.find("\n### ", start + len(heading))
    return RULES_MD[start:end if end > 0 else None]


def _rows(text: str) -> dict[str, str]:
    """field name -> the example cell of a field table."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\| `([a-z_]+)` \|.*\| (.*) \|$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_every_builtin_field_is_documented_with_an_example() -> None:
    wanted = {"common": [f.name for f in COMMON_FIELDS]}
    wanted |= {kind: [f.name for f in spec.fields] for kind, spec in BUILTIN_KINDS.items()}
    assert set(wanted) == set(SECTIONS), "a new built-in kind needs a section in docs/rules.md"
    for kind, names in wanted.items():
        rows = _rows(_section(SECTIONS[kind]))
        missing = [n for n in names if n not in rows]
        assert not missing, f"docs/rules.md, {SECTIONS[kind]}: missing {missing}"
        for name in names:
            assert rows[name].strip(), f"{name} has no example"


def test_the_example_conditions_in_the_field_tables_are_valid() -> None:
    vocab = Vocabulary.build()
    for kind, heading in SECTIONS.items():
        fields = vocab.fields("goal" if kind == "common" else kind)
        for name, example in _rows(_section(heading)).items():
            m = re.fullmatch(r"`([^`]+)`", example.strip())
            if m:
                condition = parse_condition(m.group(1), fields)
                assert condition.field == name, f"the example for {name} tests {condition.field}"


def test_every_builtin_action_trigger_and_operator_is_documented() -> None:
    for action in BUILTIN_ACTIONS:
        assert f"### `{action}`" in RULES_MD, f"action {action} is not documented"
        params = BUILTIN_ACTIONS[action][0].model_fields
        section = RULES_MD[RULES_MD.index(f"### `{action}`"):]
        section = section[:section.find("\n### ", 5)]
        for name, spec in params.items():
            assert f"| `{spec.alias or name}` |" in section, f"setting {name} of {action} is not documented"
    for trigger in TRIGGERS:
        assert f"### `{trigger}`" in RULES_MD, f"trigger {trigger} is not documented"
    for op in OPERATORS:
        assert f"| `{op}` |" in RULES_MD, f"operator {op} is not documented"


def test_the_first_rule_in_the_reference_is_valid() -> None:
    block = re.search(r"```yaml\n(# rules/goals.yaml\n.*?)```", RULES_MD, re.S)
    assert block is not None
    rules, problems = check_text(block.group(1), "docs/rules.md", Vocabulary.build())
    assert not problems, [p.format() for p in problems]
    assert [r.id for r in rules] == ["maal-ude-af-kurs"]


@pytest.mark.parametrize("snippet", re.findall(r"```yaml\n(- [a-z_]+:.*?)```", RULES_MD, re.S))
@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_the_action_examples_are_valid(snippet: str) -> None:
    text = "rules:\n  - id: x\n    when: {deadline: corrective_action}\n    then:\n" + \
        "".join(f"      {line}\n" for line in snippet.splitlines())
    vocab = Vocabulary.build()
    if "request_decision" in snippet or "demand_decision" in snippet:
        pytest.importorskip("govcore_surveys" if "request_decision" in snippet else "govcore_initiatives")
        from govcore.plugins import load_plugins

        plugins = load_plugins()
        vocab = Vocabulary.build([k for _, k in plugins.subject_kinds().values()],
                                 [a for _, a in plugins.actions().values()])
    try:
        _, problems = check_text(text, "docs/rules.md", vocab)
    except InputError as err:  # pragma: no cover - check_text reports, it does not raise
        problems = err.problems
    problems = [p for p in problems if "placeholder" not in p.message and "require_deliverable" not in p.message]
    assert not problems, [p.format() for p in problems]


def test_every_kind_of_expectation_is_documented() -> None:
    for name in KINDS:
        assert f"`{name}`" in TESTING_MD, f"the expectation {name} is not in docs/rule-testing.md"
    for alias in ALIASES:
        assert f"`{alias}`" in TESTING_MD, f"the alias {alias} is not in docs/rule-testing.md"
    for option in ("--junit", "--json", "--run", "--explain", "--no-coverage", "--verbose"):
        assert f"`{option}" in TESTING_MD


def test_the_examples_in_the_testing_guide_pass(tmp_path: Path) -> None:
    from govcore.ruletest import run_files

    blocks = re.findall(r"```yaml\n(.*?)```", TESTING_MD, re.S)
    first = blocks[0]
    assert first.startswith("# rules/tests/escalation.yaml")
    (tmp_path / "tests").mkdir()
    for name in ("goals.yaml", "escalation.yaml"):
        (tmp_path / name).write_text((ROOT / "rules" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "tests" / "escalation.yaml").write_text(first, encoding="utf-8")
    cases = next(b for b in blocks if "cases:" in b and "- name:" in b)
    (tmp_path / "tests" / "cases.yaml").write_text(first.split("scenarios:")[0] + "scenarios:\n" + cases,
                                                   encoding="utf-8")
    report = run_files([str(tmp_path / "tests")])
    assert report.ok, [*(p.format() for f in report.files for p in f.problems),
                       *(f.headline for r in report.results() for f in r.failures)]
    assert len(report.results()) == 4
