"""The command line speaks Danish unless asked for English: every command's help, click's own words,
and what `check`, `wheel`, `goals`, `rules test` and `explain` print — scanned for English words left
untranslated. `--lang en` and `GOVCORE_LANG=en` give English; a language govcore does not have is a
usage error (exit 2) before anything runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from english_words import untranslated
from test_ruletest import SETUP as RULETEST_SETUP

from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
VEJLE = str(ROOT / "examples" / "vejle")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, (*path, name))
        else:
            out.append((*path, name))
    return out


COMMANDS = _commands(main)


def _readable_help(text: str, path: tuple[str, ...]) -> str:
    """The help without what a person types: command names (in the usage line too, whose placeholders
    are read), example command lines, command names in the list of commands, choices in brackets
    ([md|html|pdf])."""
    names = {n for p in COMMANDS for n in p}
    lines = []
    for line in text.splitlines():
        if line.startswith(("Brug:", "Usage:")):
            line = " ".join(w for w in line.split() if w not in names)
        elif line.strip().startswith("govcore "):
            continue
        words = line.split()
        if words and words[0] in names and line.startswith("  ") and not line.startswith("   " * 2):
            line = " ".join(words[1:])
        lines.append(re.sub(r"\[[\w|-]+\]", " ", line))
    return "\n".join(lines)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "govcore")
def test_every_commands_help_is_danish(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Brug:" in result.output and "Tilvalg:" in result.output
    assert "Vis denne hjælp og afslut." in result.output
    usage = result.output.splitlines()[0]
    assert usage.startswith("Brug: ") and " [TILVALG]" in usage, usage
    assert not any(word in usage for word in ("OPTIONS", "COMMAND", "ARGS")), usage
    assert untranslated(_readable_help(result.output, path)) == [], result.output


def test_the_usage_line_is_english_on_request() -> None:
    assert run("--lang", "en", "--help").output.startswith("Usage: main [OPTIONS] COMMAND [ARGS]...\n")
    assert run("--help").output.startswith("Brug: main [TILVALG] KOMMANDO [ARGUMENTER]...\n")
    assert run("--lang", "en", "rules", "test", "--help").output.startswith("Usage: main rules test [OPTIONS] FILES")


def test_help_in_english_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    english = run("--lang", "en", "check", "--help").output
    assert "Usage:" in english and "Options:" in english and "Show this message and exit." in english
    assert "Check a whole configuration" in english and "The year to check" in english
    monkeypatch.setenv("GOVCORE_LANG", "en")
    assert "Check a whole configuration" in run("check", "--help").output
    danish = run("--lang", "da", "check", "--help").output
    assert "Kontrollér en hel konfiguration" in danish and "Det år, der kontrolleres" in danish


def test_the_language_of_one_command_does_not_leak_into_the_next() -> None:
    assert "Usage:" in run("--lang", "en", "--help").output
    assert "Brug:" in run("--help").output


def test_an_unknown_language_is_a_usage_error() -> None:
    result = run("--lang", "fr", "check", VEJLE)
    assert result.exit_code == 2
    assert "ukendt sprog 'fr' i --lang: vælg da eller en" in result.output
    result = run("check", VEJLE, env={"GOVCORE_LANG": "klingon"})
    assert result.exit_code == 2
    assert result.output.strip() == "Fejl: ukendt sprog 'klingon' i GOVCORE_LANG: vælg da eller en"


def test_an_unknown_govcore_lang_stops_the_installed_command_too() -> None:
    script = Path(sys.executable).with_name("govcore")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "GOVCORE_LANG": "fr"})
    assert done.returncode == 2 and "ukendt sprog 'fr' i GOVCORE_LANG" in done.stderr and not done.stdout


def test_clicks_own_errors_are_danish_and_english_on_request() -> None:
    result = run("check")
    assert result.exit_code == 2
    assert "Fejl: Mangler argument 'CONFIG'." in result.output
    assert "Prøv 'main check --help' for hjælp." in result.output
    result = run("wheel", VEJLE, "--format", "pdf")
    assert result.exit_code == 2 and "Ugyldig værdi for '--format'" in result.output
    assert "Error: Missing argument 'CONFIG'." in run("--lang", "en", "check").output
    assert "Fejl: Kommandoen 'chekc' findes ikke." in run("chekc").output


def test_check_is_danish() -> None:
    result = run("check", VEJLE)
    assert result.exit_code == 0, result.output
    assert re.search(r"Vejle \(630\) 2021: konfigurationen er i orden — \d+ roller, \d+ mål, \d+ KPI'er, "
                     r"\d+ observationer, \d+ regler, \d+ begivenheder i årshjulet", result.output), result.output
    assert untranslated(result.output) == []
    english = run("--lang", "en", "check", VEJLE)
    assert english.exit_code == 0 and "Vejle (630) 2021: configuration OK — " in english.output
    assert " goals, " in english.output and " wheel events" in english.output


def test_a_bad_configuration_is_still_located_and_counted_in_danish(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: a\n    when: {followup: monthly}\n    for_each: goal\n"
                   "    if: [staus == off_track]\n    then: [flag_deviation]\n", encoding="utf-8")
    result = run("rules", "check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:5:10:" in result.output and result.output.strip().endswith("1 problem fundet.")
    assert run("rules", "check", str(ROOT / "rules" / "*.yaml")).output.strip().endswith("regler: OK")


def test_wheel_and_goals_are_danish() -> None:
    wheel = run("wheel", VEJLE, "--year", "2021")
    assert wheel.exit_code == 0 and "Årshjul 2021" in wheel.output
    assert untranslated(wheel.output) == []
    goals = run("goals", VEJLE)
    assert goals.exit_code == 0 and "opfølgning: kvartalsvis" in goals.output
    assert "quarterly" not in goals.output and "previous_year" not in goals.output
    assert untranslated(goals.output) == []


def test_wheel_and_goals_in_english_on_request() -> None:
    wheel = run("--lang", "en", "wheel", VEJLE, "--year", "2021")
    assert wheel.exit_code == 0 and wheel.output.startswith("Annual wheel 2021\n")
    assert "Q1 2021" in wheel.output and "  January" in wheel.output and "follow-up (every month)" in wheel.output
    assert "Public holidays and closed days 2021" in wheel.output and "moved from" in wheel.output
    own = "\n".join(line for line in wheel.output.splitlines()  # the documents' own words
                     if "source:" not in line and "set by law:" not in line)
    assert not any(w in own for w in ("Årshjul", "kvartal", "opfølgning", "ansvarlig:", "flyttet fra"))
    goals = run("--lang", "en", "goals", VEJLE)
    assert goals.exit_code == 0 and goals.output.startswith("Goal hierarchy for Vejle 2021\n")
    assert "follow-up: quarterly" in goals.output and "success criterion: better than national" in goals.output
    assert not any(w in goals.output for w in ("Målhierarki", "opfølgning:", "succeskriterie:", "nøgletal:"))


def test_rules_test_is_danish_and_english_on_request() -> None:
    result = run("rules", "test", str(ROOT / "rules" / "tests"))
    assert result.exit_code == 0, result.output
    assert "Dækning" in result.output and re.search(r"\d+ bestået — 7 scenariefiler på \d+,\d\d s", result.output)
    assert untranslated(result.output) == []
    english = run("--lang", "en", "rules", "test", str(ROOT / "rules" / "tests"))
    assert re.search(r"\d+ passed — 7 scenario files in \d+,\d\d s", english.output) and "Coverage" in english.output


SETUP = RULETEST_SETUP + """scenarios:
  - name: forkert forventet
    observations:
      jobrate: {2020-12: 49, 2021-01: 47}
    expect:
      - on: 2021-01-04
        deviation: {subject: g-job}
      - on: 2021-02-16
        escalation: {subject: g-job, to: direktoer}
  - name: for lidt forventet
    until: 2021-02-28
    observations:
      jobrate: {2020-12: 52, 2021-01: 47}
    expect:
      - on: 2021-02-01
        deviation: {subject: g-job}
"""


def _scenario_syntax_removed(text: str) -> str:
    """A rule test's output without what the author writes in scenario and rule files: expectations
    (`deviation {subject: g-job}`), the snippets to paste, conditions (`status == off_track`) and the
    values they saw, and the source of scenario figures."""
    text = re.sub(r"^\s*(- on: .*|\w+: \{.*\})$", "", text, flags=re.M)
    text = re.sub(r"\w+ \{[^}]*\}", " ", text)
    text = re.sub(r"\w+ (==|!=|>=|<=|>|<) \S+", " ", text)
    text = re.sub(r"\w+ var \w+", " ", text)
    return text.replace("fra scenario", " ")


def test_a_failing_rule_test_explains_itself_in_danish(tmp_path: Path) -> None:
    path = tmp_path / "scenarie.yaml"
    path.write_text(textwrap.dedent(SETUP), encoding="utf-8")
    result = run("rules", "test", str(path), "--explain", "goal-off-track")
    assert result.exit_code == 1
    out = result.output
    assert "forventede deviation {subject: g-job} den 2021-01-04: det skete ikke" in out
    assert "hvornår  den 2021-01-04  2021-02-01   <-- afviger" in out
    assert "status == off_track: status var at_risk" in out
    assert "uventet hændelse af typen krævet korrigerende handling den 2021-02-01" in out
    assert "hvis de er rigtige, så tilføj dem til scenariets liste 'expect:'" in out
    assert "FEJL" in out and "2 fejlet" in out
    assert untranslated(_scenario_syntax_removed(out)) == [], out
    english = run("--lang", "en", "rules", "test", str(path)).output
    assert "expected deviation {subject: g-job} on 2021-01-04: it did not happen" in english
    assert "unexpected demanded corrective action on 2021-02-01" in english


def _recorded_removed(text: str) -> str:
    """`explain` without what is recorded as written: event types (as in events.jsonl) and the rule's
    own description and condition texts."""
    kept = []
    for n, line in enumerate(text.splitlines()):
        if line.lstrip().startswith(("✓", "✗", "?")):
            continue
        if n == 0:
            line = line.rsplit(" ", 1)[0]
        elif n == 1 and " · " in line:
            line = line.split(None, 1)[1]
        line = re.sub(r"(e\d{6}(?:  \S+ \S+)?)  ?[a-z_]+(:| —|$)", r"\1\2", line)
        kept.append(line)
    return "\n".join(kept)


def test_explain_is_danish(tmp_path: Path) -> None:
    db, out = str(tmp_path / "g.db"), str(tmp_path / "out")
    assert run("simulate", VEJLE, "--year", "2021", "--out", out, "--db", db, "-q").exit_code == 0
    events = [json.loads(line) for line in (tmp_path / "out" / "events.jsonl").read_text().splitlines()]
    for kind in ("deviation_flagged", "escalated", "observation"):
        event = next(e for e in events if e["type"] == kind)
        result = run("explain", event["id"], "--db", db)
        assert result.exit_code == 0, result.output
        assert "Hvad der skete: " in result.output and "Hvad det førte til" in result.output
        assert untranslated(_recorded_removed(result.output).replace(event.get("details", {}).get("text", ""), "")) \
            == [], result.output
    deviation = next(e for e in events if e["type"] == "deviation_flagged")
    danish = run("explain", deviation["id"], "--db", db).output
    assert "Hvorfor: reglen '" in danish and "Betingelser med de værdier, de blev afprøvet på:" in danish
    english = run("--lang", "en", "explain", deviation["id"], "--db", db).output
    assert "Why: rule '" in english and "What happened: deviation dev-0001 opened" in english


def test_the_main_job_speaks_danish(tmp_path: Path) -> None:
    """The README's first command simulates Vejle and lists what it wrote: all of it Danish."""
    result = run("simulate", VEJLE, "--year", "2021", "--out", str(tmp_path / "v"))
    assert result.exit_code == 0, result.output
    assert "skrev " in result.output and " diagrammer i " in result.output
    assert untranslated(result.output) == []
    english = run("--lang", "en", "simulate", VEJLE, "--year", "2021", "--out", str(tmp_path / "e"))
    assert "wrote " in english.output and " charts in " in english.output


BROKEN_SCENARIOS = RULETEST_SETUP + """scenarios:
  - name: mange fejl
    observations:
      jobrat: {2021-01: 47}
      jobrate: {2021-01: mange, 2021-02: {value: 40, known: 2021-01-01, extra: 1}}
    responses:
      - {date: 2021-02-01}
      - {date: 2021-02-03, submit: g-job, accept: g-job}
    deliveries: {planen: 2021-03-01}
    expect:
      - on: 2021-02-01
        deviaton: {subject: g-job}
      - on: 2021-02-01
        by: 2021-02-03
        deviation: {subject: g-job, rule: ingen-regel}
      - deviation: {subject: g-job}
        times: nul
    allow_extra: maybe
    expected: []
  - observations: {}
  - name: parametre
    expect:
      - on: 2021-02-01
        deviation: {subject: $emne}
    cases:
      - {emn: g-job}
  - name: forkert periode
    start: 2021-02-30
    expect: []
"""


def test_a_broken_scenario_file_is_explained_in_danish(tmp_path: Path) -> None:
    """Every problem of a scenario file a person got wrong, located (file:line:column) and in Danish;
    the same problems in English on request."""
    path = tmp_path / "scenarie.yaml"
    path.write_text(BROKEN_SCENARIOS, encoding="utf-8")
    result = run("rules", "test", str(path))
    assert result.exit_code == 2, result.output
    out = result.output
    problems = [line.strip() for line in out.splitlines() if line.strip().startswith(f"{path}:")]
    assert len(problems) >= 15, out
    assert re.search(r":\d+:\d+: scenarios\[0\]\.observations\.jobrate\.2021-01: 'mange' er ikke et tal "
                     r"\(tip: skriv fx 39,1 eller 39\.1\)", out), out
    assert "ukendt nøgle 'expected' i et scenarie (tip: mente du 'expect'?)" in out
    assert ("et svar er præcis én af 'submit', 'accept', 'reject', 'deliver' eller 'decide' "
            "(fandt submit, accept)") in out
    assert "scenariet 'scenarie 2' forventer intet" in out
    assert "'2021-02-30' er ikke en dato" in out
    assert "1 fil med problemer" in out
    readable = [p.split(": ", 2)[-1] for p in problems]  # without file:line:column and the field path
    assert untranslated(_scenario_syntax_removed("\n".join(readable))) == [], out
    english = run("--lang", "en", "rules", "test", str(path)).output
    assert "unknown key 'expected' in a scenario (hint: did you mean 'expect'?)" in english
    assert "'mange' is not a number (hint: write e.g. 39.1 or 39,1)" in english
    assert "(found submit, accept)" in english and "the scenario 'scenario 2' expects nothing" in english


def test_an_answer_the_engine_refuses_is_explained_in_danish(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    assert run("tick", VEJLE, "--db", db, "--now", "2021-01-15").exit_code == 0
    result = run("respond", "decide", VEJLE, "dec-0077", "close", "--db", db)
    assert result.exit_code == 2
    assert "Fejl: Ugyldig værdi for DECISION: ukendt beslutning 'dec-0077' (ingen beslutning er åben)" in result.output
    assert untranslated(result.output.split("Fejl: ", 1)[1]) == [], result.output
    english = run("--lang", "en", "respond", "decide", VEJLE, "dec-0077", "close", "--db", db).output
    assert "unknown decision 'dec-0077' (no decision is open)" in english
