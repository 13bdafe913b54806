"""The command line: useful help, every output format, errors as messages with exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
VEJLE = str(ROOT / "examples" / "vejle")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_top_level_help_names_the_commands() -> None:
    code, out = run("--help")
    assert code == 0
    for command in ("simulate", "wheel", "check", "rules", "goals", "plugins"):
        assert command in out


def test_wheel_text_shows_the_30_04_control_and_holidays() -> None:
    code, out = run("wheel", VEJLE, "--year", "2021")
    assert code == 0
    assert "Budgetkontrol pr. 30.4" in out and "30.04" in out
    assert "Opfølgningsmøde" in out


def test_wheel_json_is_sorted_and_complete() -> None:
    code, out = run("wheel", VEJLE, "--year", "2021", "--format", "json")
    assert code == 0
    events = json.loads(out)
    dates = [e["date"] for e in events]
    assert dates == sorted(dates) and all(d.startswith("2021-") for d in dates)
    monthly = [e for e in events if e["definition"] == "opfoelgningsmoede"]
    assert len(monthly) == 12
    # 1 April 2021 is Skærtorsdag: the first working day of April is 6 April (after Easter Monday).
    assert next(e["date"] for e in monthly if e["date"].startswith("2021-04")) == "2021-04-06"


def test_wheel_ics_imports_as_a_calendar(tmp_path: Path) -> None:
    target = tmp_path / "vejle.ics"
    code, out = run("wheel", VEJLE, "--year", "2021", "--format", "ics", "--out", str(target))
    assert code == 0 and "skrev" in out
    data = target.read_bytes()
    assert b"\r\n" in data
    cal = Calendar.from_ical(data)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == len(json.loads(run("wheel", VEJLE, "--year", "2021", "--format", "json")[1]))
    assert any("Budgetkontrol pr. 30.4" in str(e.get("SUMMARY")) for e in events)


def test_rules_check_ok_and_failing(tmp_path: Path, english: None) -> None:
    code, out = run("rules", "check", str(ROOT / "rules" / "*.yaml"))
    assert code == 0 and "rules: OK" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: a\n    when: {followup: monthly}\n    for_each: goal\n"
                   "    if: [staus == off_track]\n    then: [flag_deviation]\n", encoding="utf-8")
    code, out = run("rules", "check", str(bad))
    assert code == 1
    assert f"{bad}:5:10: rule 'a'" in out and "unknown field 'staus'" in out and "did you mean 'status'?" in out


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_rules_check_against_a_configuration_knows_wheel_ids(tmp_path: Path) -> None:
    rule = tmp_path / "r.yaml"
    rule.write_text("rules:\n  - id: a\n    when: {wheel: budgetkontrol-3004}\n    for_each: goal\n"
                    "    then: [flag_deviation]\n", encoding="utf-8")
    assert run("rules", "check", str(rule))[0] == 0  # without a configuration wheel ids are not known
    code, out = run("rules", "check", str(rule), "--config", VEJLE)
    assert code == 1 and "did you mean 'budgetkontrol-30-04'?" in out


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_a_glob_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    code, out = run("rules", "check", str(tmp_path / "*.yaml"))
    assert code == 1 and "matches no file" in out


def test_simulate_writes_the_three_outputs(tmp_path: Path) -> None:
    code, out = run("simulate", VEJLE, "--year", "2021", "--out", str(tmp_path), "--format", "html", "-q")
    assert code == 0 and "Vejle 2021:" in out
    assert {p.name for p in tmp_path.iterdir()} == {"events.jsonl", "summary.json", "report.html"}
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["escalated"] == 2


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_missing_configuration_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    code, out = run("check", str(tmp_path))
    assert code == 2 and "municipality.yaml: file not found" in out


def test_resume_without_db_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("simulate", VEJLE, "--out", str(tmp_path), "--resume")
    assert code == 2 and "--resume kræver --db" in out


def test_simulate_a_span_writes_a_report_per_year_and_one_for_the_period(tmp_path: Path) -> None:
    code, out = run("simulate", VEJLE, "--from", "2021-11-01", "--to", "2022-02-28", "--out", str(tmp_path),
                    "--format", "md", "-q")
    assert code == 0 and "Vejle 2021–2022:" in out
    assert {p.name for p in tmp_path.iterdir()} == {
        "events.jsonl", "summary.json", "report.md", "summary-2021.json", "report-2021.md",
        "summary-2022.json", "report-2022.md", "charts", "charts-2021", "charts-2022"}
    for name in ("report.md", "report-2021.md", "report-2022.md"):  # each report links its own charts
        links = re.findall(r"\]\(([^)]+\.svg)\)", (tmp_path / name).read_text(encoding="utf-8"))
        folder = "charts" + name.removeprefix("report").removesuffix(".md")
        assert links and all(link.startswith(folder + "/") and (tmp_path / link).is_file() for link in links)
    whole = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    parts = [json.loads((tmp_path / f"summary-{y}.json").read_text(encoding="utf-8")) for y in (2021, 2022)]
    assert whole["from"] == "2021-11-01" and whole["years"] == [2021, 2022]
    assert whole["events"] == sum(p["events"] for p in parts) and parts[1]["from"] == "2022-01-01"
    assert "# Rapport for perioden 2021–2022 – Vejle" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "# Årsrapport 2022 – Vejle" in (tmp_path / "report-2022.md").read_text(encoding="utf-8")


def test_year_and_a_span_together_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("simulate", VEJLE, "--year", "2021", "--from", "2021-01-01", "--out", str(tmp_path))
    assert code == 2 and "enten --year eller --from/--to" in out


def test_help_loads_none_of_the_heavy_libraries() -> None:
    """`govcore --help` must start fast (benchmarks/bench_startup.py has the figure): it loads click
    and the command definitions, not the engine, the calendar libraries or the pydantic models."""
    import subprocess
    import sys

    heavy = ["govcore.engine", "govcore.model", "govcore.config", "pydantic", "pendulum", "icalendar",
             "holidays", "durable", "sqlalchemy", "httpx", "jinja2", "babel"]
    code = ("import sys\nfrom govcore.cli import main\n"
            "try:\n    main(['--help', ], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "try:\n    main(['rules', '--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            f"print('loaded:' + ','.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Brug:" in out
    assert out.strip().splitlines()[-1] == "loaded:"
