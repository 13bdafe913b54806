"""Fuzzing every input surface: mutated configuration files, rule files, CSV, xlsx, scenarios, CLI arguments.

Each example mutates the Vejle example (or a scenario file) and runs the command a person would
run. Whatever the input, govcore must answer with exit code 0, 1 or 2, never an internal error
or a traceback; every problem it reports names a file (and no bare pydantic "For further
information" line or "value: value"); a failed `simulate` writes nothing; and a configuration
that passes `check` simulates with exit 0 (the property issue 17 asks for).

Examples are derandomized, so CI runs the same inputs every time. GOVCORE_FUZZ_EXAMPLES raises
the number of examples per surface (the closing note's figures come from such a run);
GOVCORE_FUZZ_REPORT names a JSON file the counts are written to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
VEJLE = ROOT / "examples" / "vejle"
SCENARIOS = ROOT / "rules" / "tests"
EXAMPLES = int(os.environ.get("GOVCORE_FUZZ_EXAMPLES", "0") or 0)
STATS: Counter[str] = Counter()

CONFIG_FILES = ["municipality.yaml", "organisation.yaml", "kpis.yaml", "goals.yaml", "wheel.yaml",
                "responses.yaml", "data/observations.csv", "data/budget.csv", "data/surveys.csv",
                "rules/goals.yaml", "rules/escalation.yaml", "rules/deliverables.yaml"]

HOSTILE = ["", "-1", "0", "1e999", ".nan", "nan", "-.inf", "9" * 400, "null", "[]", "{}", "~", "&a x", "*a",
           "!!python/object/apply:os.system ['true']", "../../../../etc/passwd", "/etc/passwd", "/dev/zero",
           "2021-02-30", "2021-13", "æøå", "\t", "'", '"', "- ", ": ", "99999", "true", "#", "%", "@",
           "x" * 300, "\\u0000", "{a: [1, {b: 2}]}", "2021", "1.5", "1,5", "01", "0x1F", "\ufeff", "<<: *a"]

PROBLEM_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.(?:yaml|yml|csv|xlsx)|/[^:]+):\d")


def _examples(default: int) -> int:
    return EXAMPLES or default


def _settings(default: int) -> Any:
    return settings(max_examples=_examples(default), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Vejle example with its rule files inside the folder (so every file it reads is mutable)."""
    folder = tmp_path_factory.mktemp("fuzz") / "vejle"
    shutil.copytree(VEJLE, folder, ignore=shutil.ignore_patterns("tools"))
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("tests"))
    cfg = folder / "municipality.yaml"
    text = cfg.read_text(encoding="utf-8").replace("../../rules/*.yaml", "rules/*.yaml")
    cfg.write_text(re.sub(r"allow_paths:\n(  - .*\n)+", "", text), encoding="utf-8")
    return folder


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    target = os.environ.get("GOVCORE_FUZZ_REPORT")
    if target:
        counts = {k: v for k, v in sorted(STATS.items()) if k != "n"}
        Path(target).write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")


@st.composite
def mutations(draw: st.DrawFn, text: str) -> str:
    """Text with one to three edits a careless or hostile author might make."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        op = draw(st.sampled_from(["token", "token", "token", "delete", "duplicate", "swap", "truncate", "insert",
                                   "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "token":
            tokens = list(re.finditer(r"[^\s,:;{}\[\]]+", text))
            if tokens:
                m = tokens[draw(st.integers(0, len(tokens) - 1))]
                new = draw(st.sampled_from(HOSTILE) | st.text(max_size=12))
                text = text[: m.start()] + new + text[m.end():]
        elif op == "delete":
            text = "".join(lines[:i] + lines[i + 1:])
        elif op == "duplicate":
            text = "".join(lines[: i + 1] + lines[i:])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["  ", "\t", " "])) + lines[i]
            text = "".join(lines)
        else:
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + draw(st.sampled_from(HOSTILE) | st.text(max_size=20)) + text[pos:]
    return text


@st.composite
def number_changes(draw: st.DrawFn, text: str) -> str:
    """Plausible edits that usually keep a configuration valid: other figures, targets, tolerances."""
    numbers = list(re.finditer(r"(?<![\w.-])\d+(?:[.,]\d+)?(?![\w.-])", text))
    for _ in range(draw(st.integers(1, 4))):
        if not numbers:
            break
        m = numbers[draw(st.integers(0, len(numbers) - 1))]
        new = str(draw(st.integers(0, 400) | st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.1f}")))
        text = text[: m.start()] + new + text[m.end():]
        numbers = list(re.finditer(r"(?<![\w.-])\d+(?:[.,]\d+)?(?![\w.-])", text))
    return text


def invoke(args: list[str]) -> tuple[int, str]:
    """The command in English: the checks below read click's and govcore's words by their English ids
    (tests/test_cli_language.py pins the Danish)."""
    result = CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=True)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        STATS["internal errors"] += 1
        raise AssertionError(f"{args}: {type(result.exception).__name__}: {result.exception}\n{output}")
    return result.exit_code, output


def assert_answer(code: int, output: str, surface: str) -> None:
    """Exit 0, 1 or 2; no internal error; every problem names a file, in words a person can act on."""
    STATS[f"inputs tried: {surface}"] += 1
    if code not in (0, 1, 2):
        STATS["internal errors"] += 1
    assert code in (0, 1, 2), output
    assert "Traceback" not in output and "internal error" not in output, output
    assert "errors.pydantic.dev" not in output and "For further information" not in output, output
    assert "value: value" not in output, output
    if code == 2 and "the file cannot be run:" in output:  # `rules test`: problems indented under their file
        block = output.split("the file cannot be run:", 1)[1].split("\n\n", 1)[0]
        problems = [line.strip() for line in block.splitlines() if line.strip()]
    elif code == 2:
        problems = [line for line in output.splitlines()
                    if line.strip() and not re.fullmatch(r"\d+ problems? found\.", line)
                    and not line.startswith(("warning:", "Usage:", "Try ", "  "))]
    else:
        problems = []
    if problems:
        usage = "Usage:" in output  # click's own usage errors name the argument or option
        unlocated = [line for line in problems if not PROBLEM_LINE.match(line)
                     and not line.startswith("error: ") and not (usage and line.startswith("Error: "))]
        STATS["unlocated messages"] += len(unlocated)
        assert not unlocated, output


def _mutated_config(template: Path, tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / f"c{STATS['n']}"
    STATS["n"] += 1
    shutil.copytree(template, folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIG_FILES)
@_settings(4)
@given(data=st.data())
def test_mutated_configuration_files(template: Path, tmp_path: Path, name: str, data: st.DataObject) -> None:
    text = data.draw(mutations((template / name).read_text(encoding="utf-8")))
    folder = _mutated_config(template, tmp_path, name, text)
    code, out = invoke(["check", str(folder)])
    assert_answer(code, out, name)
    if code == 2 and "1 problem found" in out:
        assert str(folder) in out  # a problem names a file of this configuration


@pytest.mark.slow
@_settings(10)
@given(data=st.data())
def test_check_passes_then_simulate_exits_0_and_a_failure_writes_nothing(template: Path, tmp_path: Path,
                                                                          data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(CONFIG_FILES))
    original = (template / name).read_text(encoding="utf-8")
    text = data.draw(number_changes(original) if data.draw(st.booleans()) else mutations(original))
    folder = _mutated_config(template, tmp_path, name, text)
    checked, _ = invoke(["check", str(folder)])
    out_dir = folder / "out"
    code, out = invoke(["simulate", str(folder), "--out", str(out_dir), "-q", "--format", "md"])
    assert_answer(code, out, f"simulate after mutating {name}")
    if checked == 0:
        STATS["check passed, then simulated"] += 1
        assert code == 0, out
    else:
        assert code != 0
    if code != 0:
        partial = sorted(p.name for p in out_dir.rglob("*")) if out_dir.exists() else []
        STATS["partial writes"] += bool(partial)
        assert not partial


@pytest.mark.slow
@_settings(20)
@given(data=st.data())
def test_mutated_scenario_files(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(sorted(SCENARIOS.glob("*.yaml"))))
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(rules: \[)?\.\./([a-z-]+\.yaml)", lambda m: (m.group(1) or "") + str(ROOT / "rules" / m.group(2)),
                  text)
    folder = tmp_path / f"s{STATS['n']}"
    STATS["n"] += 1
    folder.mkdir()
    if (SCENARIOS / "data").is_dir():
        shutil.copytree(SCENARIOS / "data", folder / "data")
    path = folder / source.name
    path.write_text(data.draw(mutations(text)), encoding="utf-8")
    code, out = invoke(["rules", "test", str(path)])
    assert_answer(code, out, "scenario file")


@pytest.mark.slow
@_settings(10)
@given(data=st.data())
def test_mutated_xlsx_budget(template: Path, tmp_path: Path, data: st.DataObject) -> None:
    import openpyxl

    rows = [line.split(";") for line in (template / "data" / "budget.csv").read_text(encoding="utf-8").splitlines()]
    for _ in range(data.draw(st.integers(1, 4))):
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(st.sampled_from(HOSTILE) | st.floats(allow_nan=True, allow_infinity=True).map(str)
                               | st.text(max_size=10))
    folder = _mutated_config(template, tmp_path, "data/budget.csv", "")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append([_cell(v) for v in row])
    wb.save(folder / "data" / "budget.xlsx")
    cfg = folder / "municipality.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("data/budget.csv", "data/budget.xlsx"), encoding="utf-8")
    code, out = invoke(["check", str(folder)])
    assert_answer(code, out, "budget.xlsx")


def _cell(value: str) -> Any:
    """Numbers as numbers (as Excel stores them), everything else as text; no control characters."""
    text = "".join(ch for ch in value if ch.isprintable())
    try:
        return float(text.replace(".", "").replace(",", ".")) if re.fullmatch(r"[\d.]+,\d+", text) else text
    except ValueError:
        return text


COMMANDS: list[list[str]] = [["check", "{config}"], ["wheel", "{config}"], ["goals", "{config}"],
                             ["simulate", "{config}", "--out", "{tmp}/out", "-q"], ["rules", "check", "{rules}"],
                             ["db", "status"], ["audit", "verify"], ["explain", "x"], ["observations"],
                             ["plugins"], ["tick", "{config}"], ["observe", "{csv}"]]
OPTIONS = ["--year", "--db", "--out", "--format", "--municipality", "--now", "--config", "--as-of", "-m", "--json"]


@pytest.mark.slow
@_settings(30)
@given(data=st.data())
def test_cli_arguments(template: Path, tmp_path: Path, data: st.DataObject) -> None:
    command = list(data.draw(st.sampled_from(COMMANDS)))
    for _ in range(data.draw(st.integers(0, 3))):
        command.append(data.draw(st.sampled_from(OPTIONS)))
        command.append(data.draw(st.sampled_from(HOSTILE[:30]) | st.text(max_size=15)))
    values = {"config": str(template), "tmp": str(tmp_path), "rules": str(template / "rules" / "*.yaml"),
              "csv": str(template / "data" / "observations.csv")}
    args = [a.format(**values) if "{" in a and "}" in a and a.strip("{}") in values else a for a in command]
    if "--db" not in args:
        args += ["--db", str(tmp_path / f"f{STATS['n']}.db")]
        STATS["n"] += 1
        if args[0] in ("check", "wheel", "goals", "plugins", "rules"):
            args = args[:-2]
    cwd = os.getcwd()
    os.chdir(tmp_path)  # a --db or --out that is relative lands in the test's folder
    try:
        code, out = invoke(args)
    finally:
        os.chdir(cwd)
    assert_answer(code, out, "CLI arguments")
