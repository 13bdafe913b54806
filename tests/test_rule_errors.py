"""The messages of `govcore rules check` and `govcore rules test`, one by one, against a corpus of
broken rule files (tests/data/bad_rules/). Each file has an `.expected` file with the exact output.

An administrator fixes a rule file from the message alone, so each message must name the file,
line, column and rule, say what is wrong in plain words, and hint at the fix where one is likely;
and never show a traceback or an internal error. Set GOVCORE_UPDATE_EXPECTED=1 to rewrite the
`.expected` files after a deliberate change of wording (then read the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore.cli import main

# The messages are pinned by their English ids (tests/data/bad_rules/*.expected); tests/test_i18n.py
# checks that each has its Danish translation.
pytestmark = pytest.mark.usefixtures("english")

BAD = Path(__file__).resolve().parent / "data" / "bad_rules"
CASES: dict[str, list[str]] = {
    p.stem: [p.name] for p in sorted(BAD.glob("*.yaml")) if not p.stem.startswith("17-")
}
CASES["17-duplicate-rule-id"] = ["17-duplicate-rule-id-a.yaml", "17-duplicate-rule-id-b.yaml"]
# Problems that belong to a whole file, not to one rule.
NO_RULE = {"04-unknown-top-level-key", "18-empty-rules-list", "19-file-is-a-list"}
LOCATED = re.compile(r"^(?P<file>[\w.-]+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<rest>.+)$")
INTERNAL = ("Traceback", "durable", "Error:", "ValidationError", "pydantic", "Input should be",
            "String should", "<block end>", "internal error", "Field required", "Extra inputs")


def _check(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["rules", "check", *args])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _in_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)


def test_the_corpus_covers_the_promised_mistakes() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert (BAD / f"{case}.expected").is_file(), f"{case} has no .expected file"


@pytest.mark.parametrize("case", sorted(CASES))
def test_rules_check_message(case: str) -> None:
    code, output = _check(CASES[case])
    lines = [x for x in output.splitlines() if not re.fullmatch(r"\d+ problems? found\.", x)]
    expected_file = BAD / f"{case}.expected"
    if os.environ.get("GOVCORE_UPDATE_EXPECTED"):
        expected_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert code == 1
    assert lines == expected_file.read_text(encoding="utf-8").splitlines()
    for word in INTERNAL:
        assert word not in output, f"{case}: '{word}' in {output!r}"
    for line in lines:
        m = LOCATED.match(line)
        assert m, f"{case}: no file:line:column in {line!r}"
        assert m["file"] in CASES[case]
        assert int(m["line"]) >= 1 and int(m["col"]) >= 1
        if case not in NO_RULE:
            assert m["rest"].startswith("rule '"), f"{case}: the rule is not named in {line!r}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_rules_test_reports_the_same_message(case: str, tmp_path: Path) -> None:
    """A scenario whose rules are broken cannot run; it reports the rule file's own messages."""
    rules = ", ".join(f'"{BAD / name}"' for name in CASES[case])
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        f"rules: [{rules}]\nyear: 2021\n"
        "organisation: [{id: udvalg, title: Udvalg, kind: committee}]\n"
        "goals: []\nkpis: []\nwheel: {followups: [{id: m, title: M, every: monthly}]}\n"
        "scenarios:\n  - name: s\n    expect: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "test", str(scenario), "--no-coverage"])
    assert result.exit_code == 2, result.output
    expected = (BAD / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    for line in expected:
        assert line in result.output, f"{case}: {line!r} not in {result.output!r}"
    assert "Traceback" not in result.output


def test_a_good_file_checks_clean() -> None:
    root = BAD.parent.parent.parent
    code, output = _check([str(p) for p in sorted((root / "rules").glob("*.yaml"))])
    assert code == 0, output
    assert output.strip().endswith("rules: OK")


def test_a_pattern_that_matches_nothing_is_an_error() -> None:
    code, output = _check(["no-such-folder/*.yaml"])
    assert code == 1
    assert "no-such-folder/*.yaml: this pattern matches no file" in output


def test_every_problem_in_a_file_is_reported_in_one_run() -> None:
    code, output = _check(["26-several-problems.yaml"])
    assert code == 1
    assert output.count("26-several-problems.yaml:") == 4
    assert "4 problems found." in output
