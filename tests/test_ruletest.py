"""`govcore rules test`: scenario files, expectations, explanations, strictness and CI output."""

from __future__ import annotations

import json
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import write_config

from govcore.cli import main
from govcore.plugins import load_plugins
from govcore.ruletest import load_scenario_file, run_files

ROOT = Path(__file__).resolve().parent.parent
# These tests pin the logic of rule-test messages by their English ids; the Danish a reader sees is pinned
# in tests/test_cli_language.py.
pytestmark = pytest.mark.usefixtures("english")

RULES = ROOT / "rules"

SETUP = f"""
rules: ["{RULES / 'goals.yaml'}", "{RULES / 'escalation.yaml'}"]
year: 2021
until: 2021-03-31
organisation:
  - {{id: udvalg, title: Udvalg, kind: committee}}
  - {{id: direktoer, title: Direktør, kind: director, superior: udvalg}}
  - {{id: chef, title: Chef, kind: head, superior: direktoer}}
  - {{id: center, title: Center, kind: centre, superior: chef}}
kpis: [jobrate]
goals:
  - {{id: g-job, title: Mindst 50 % i job, level: team, owner: center, kpi: jobrate,
     target: {{kind: at_least, value: 50, tolerance: 2}}}}
wheel:
  followups:
    - {{id: moede, title: Møde, every: monthly, on: first_working_day}}
"""

# January's 47 % is off track at the 1.2 follow-up; the action due 15.2 escalates to chef on 16.2.
FULL_CHAIN = """
            - on: 2021-02-01
              deviation: {subject: g-job}
            - on: 2021-02-01
              action: {subject: g-job, owner: center, due: 2021-02-15}
            - on: 2021-02-16
              escalation: {subject: g-job, to: chef, level: 1}
            - on: 2021-02-24
              escalation: {subject: g-job, to: direktoer, level: 2}
            - on: 2021-03-04
              escalation: {subject: g-job, to: udvalg, level: 3}
            - on: 2021-03-12
              notification: {subject: g-job, to: udvalg}
"""


EVERY_2ND = "    - {id: hver-anden, title: H, every: every_2nd_month, start_month: 2}\n"


def write(tmp_path: Path, scenarios: str, setup: str = SETUP, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(setup) + "scenarios:\n" + textwrap.indent(textwrap.dedent(scenarios), "  "),
                    encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["rules", "test", *args])


# ------------------------------------------------------------------------------ the default rules


def test_the_scenarios_of_every_default_rule_file_pass() -> None:
    result = run(str(ROOT / "rules" / "tests" / "*.yaml"))
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output and "Traceback" not in result.output
    assert "rules that never fired" not in result.output  # every default rule is exercised
    assert "escalation levels reached: 1" in result.output


def test_every_default_rule_file_has_scenarios() -> None:
    plugins = load_plugins()
    tested: set[Path] = set()
    for path in sorted((ROOT / "rules" / "tests").glob("*.yaml")):
        sf = load_scenario_file(path, plugins)
        assert not sf.problems, sf.problems
        assert sf.setup is not None and sf.cases
        tested |= {p.resolve() for p in sf.setup.rule_files}
    wanted = {p.resolve() for p in RULES.glob("*.yaml")}
    wanted |= {p.resolve() for p in ROOT.glob("plugins/budget/govcore_budget/rules/*.yaml")}
    wanted |= {p.resolve() for p in ROOT.glob("plugins/surveys/govcore_surveys/rules/*.yaml")}
    wanted |= {p.resolve() for p in ROOT.glob("plugins/initiatives/govcore_initiatives/rules/*.yaml")}
    assert wanted <= tested, f"no scenarios for {sorted(str(p) for p in wanted - tested)}"


def test_the_default_scenarios_all_pass_and_say_how_long_each_took() -> None:
    """Their speed is a figure in benchmarks/bench_ruletest.py, not an assertion here."""
    report = run_files([str(ROOT / "rules" / "tests")])
    assert report.ok
    assert len(report.results()) >= 20
    assert all(r.run.seconds > 0 for r in report.results())


def test_a_scenario_runs_five_years(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: fem år uden data
          until: 2025-12-31
          expect:
            - notification: {subject: g-job, rule: maal-uden-data}
              times: 30
        """, setup=SETUP.replace("    - {id: moede", EVERY_2ND + "    - {id: moede")
        .replace("level: team", "level: administrative"))
    report = run_files([str(path)])
    assert report.ok, [*report.files[0].problems, *(f.headline for r in report.results() for f in r.failures)]
    (result,) = report.results()
    assert result.case.until.year == 2025


# --------------------------------------------------------------------------------- passing


def test_the_whole_chain_passes(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
        - name: hele kæden
          observations:
            jobrate: {{2020-12: 52, 2021-01: 47}}
          expect:{FULL_CHAIN}""")
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "ok      hele kæden" in result.output


def test_a_scenario_starting_mid_year_has_no_earlier_wheel_events(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: fra juni
          start: 2021-06-01
          until: 2021-06-30
          expect:
            - followup: {wheel: moede}
              times: 1
          allow_extra: true
        """)
    report = run_files([str(path)])
    assert report.ok
    (r,) = report.results()
    assert [v["date"] for v in r.run.views if v["type"] == "followup"] == ["2021-06-01"]


def test_known_decides_which_followup_sees_a_figure(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: kendt ved periodens udløb
          known: 5 days after period end
          until: 2021-02-28
          observations:
            jobrate: {2020-12: 52, 2021-01: 47}
          never:
            - deviation: {}
          allow_extra: true
        """)
    report = run_files([str(path)])
    # January's figure is known 5.2, after the 1.2 follow-up, so February sees December's 52 %.
    assert report.ok, [f.headline for r in report.results() for f in r.failures]


# --------------------------------------------------------------------------------- failing


def test_a_missing_event_shows_the_field_that_differs_why_and_a_timeline(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: forkert forventning
          observations:
            jobrate: {2020-12: 49, 2021-01: 47}
          allow_extra: true
          expect:
            - on: 2021-01-04
              deviation: {subject: g-job}
            - on: 2021-02-16
              escalation: {subject: g-job, to: direktoer}
        """)
    result = run(str(path))
    assert result.exit_code == 1
    out = result.output
    assert f"{path.name}:" in out and "expected deviation {subject: g-job} on 2021-01-04: it did not happen" in out
    assert "when     on 2021-01-04  2021-02-01   <-- differs" in out
    # December's 49 % is within the tolerance: at risk, not off track.
    assert "status == off_track: status was at_risk" in out
    assert "what happened around 2021-01-04:" in out
    assert "figure jobrate 2020-12 = 49" in out
    assert "to       direktoer      chef   <-- differs" in out
    assert "whose superior is chef" in out


def test_why_names_a_rule_not_in_effect_and_a_trigger_that_did_not_happen(tmp_path: Path) -> None:
    later = tmp_path / "later.yaml"
    later.write_text(textwrap.dedent("""
        rules:
          - id: ny-regel
            when: {followup: monthly}
            in_effect: {from: 2021-06-01}
            then:
              - notify: {to: superior}
        """), encoding="utf-8")
    path = write(tmp_path, """
        - name: hvorfor ikke
          observations:
            jobrate: {2020-12: 52, 2021-01: 52}
          allow_extra: true
          expect:
            - on: 2021-03-01
              notification: {rule: ny-regel}
            - on: 2021-02-15
              deviation: {subject: g-job}
            - on: 2021-02-01
              deviation: {subject: g-andet}
        """, setup=SETUP.replace("rules: [", f'rules: ["{later}", '))
    out = run(str(path)).output
    assert "rule 'ny-regel' (" in out and "is not in effect until 2021-06-01" in out
    assert "runs at every monthly follow-up; none took place on 2021-02-15" in out
    assert "the one before was on 2021-02-01; the next was on 2021-03-01" in out
    assert "but not for 'g-andet': it looked at g-job" in out and "there is no goal 'g-andet'" in out


def test_an_unexpected_decision_fails_and_shows_what_to_add(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: for lidt forventet
          until: 2021-02-28
          observations:
            jobrate: {2020-12: 52, 2021-01: 47}
          expect:
            - on: 2021-02-01
              deviation: {subject: g-job}
        """)
    result = run(str(path))
    assert result.exit_code == 1
    assert "unexpected demanded corrective action on 2021-02-01" in result.output
    assert "- on: 2021-02-01\n" in result.output
    assert "action: {subject: g-job, owner: center, due: 2021-02-15}" in result.output
    assert "fired at every monthly follow-up: review_due == true (review_due was true)" in result.output


@pytest.mark.parametrize(("allow", "passes"), [("true", True), ("[action]", True), ("[notification]", False)])
def test_allow_extra(tmp_path: Path, allow: str, passes: bool) -> None:
    path = write(tmp_path, f"""
        - name: tilladt
          until: 2021-02-15
          allow_extra: {allow}
          observations:
            jobrate: {{2020-12: 52, 2021-01: 47}}
          expect:
            - deviation: g-job
        """)
    assert (run(str(path)).exit_code == 0) is passes


def test_never_and_times(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: aldrig og antal
          observations:
            jobrate: {2020-12: 52, 2021-01: 47}
          allow_extra: true
          expect:
            - escalation: {subject: g-job}
              times: 2
          never:
            - escalation: {to: udvalg}
        """)
    out = run(str(path)).output
    assert "expected escalation {subject: g-job} (2 times) at any time: it happened 3 times" in out
    assert "expected no escalation {to: udvalg} at any time: it happened on 2021-03-04" in out
    assert "rule 'eskaler-manglende-handling' (" in out and "at_top == false (at_top was false)" in out


def test_cases_run_the_scenario_once_per_row(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: "januar $januar %"
          until: 2021-02-15
          observations:
            jobrate: {2020-12: 52, 2021-01: $januar}
          cases:
            - januar: 50
            - januar: 49
              expect: [{on: 2021-02-01, notification: {subject: g-job, message: "*49 mod kravet 50*"}}]
            - januar: 47
              name: ude af kurs
              expect:
                - {on: 2021-02-01, deviation: g-job}
                - {on: 2021-02-01, action: {subject: g-job, owner: center}}
        """)
    report = run_files([str(path)])
    assert report.ok, [f.headline for r in report.results() for f in r.failures]
    assert [r.case.name for r in report.results()] == ["januar 50 %", "januar 49 %", "januar 47 % [ude af kurs]"]


def test_json_and_junit_for_ci(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: godt
          until: 2021-01-31
          expect: []
        - name: skidt
          until: 2021-02-28
          observations:
            jobrate: {2020-12: 52, 2021-01: 47}
          allow_extra: true
          expect:
            - on: 2021-02-02
              deviation: g-job
        """)
    junit = tmp_path / "out" / "results.xml"
    junit.parent.mkdir()
    result = run(str(path), "--json", "--junit", str(junit))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["passed"] is False
    assert data["counts"] == {"passed": 1, "failed": 1, "error": 0, "invalid_files": 0}
    (f,) = data["files"]
    bad = f["tests"][1]
    assert bad["name"] == "skidt" and bad["status"] == "failed"
    (failure,) = bad["failures"]
    assert failure["what"] == "missing" and failure["closest"]["date"] == "2021-02-01"
    assert failure["expected"]["window"] == "on 2021-02-02"
    assert "maal-tilbage-paa-sporet" in data["coverage"]["never_fired"]
    root = ET.fromstring(junit.read_text(encoding="utf-8"))
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["godt", "skidt"]
    assert cases[0].find("failure") is None
    failure_node = cases[1].find("failure")
    assert failure_node is not None and "it did not happen" in (failure_node.get("message") or "")


def test_run_filter_and_explain(tmp_path: Path) -> None:
    path = write(tmp_path, """
        - name: første
          until: 2021-02-28
          observations:
            jobrate: {2020-12: 49, 2021-01: 47}
          allow_extra: true
          expect: []
        - name: anden
          expect: []
        """)
    result = run(str(path), "--run", "før*", "--explain", "maal-i-risiko", "--no-coverage")
    assert result.exit_code == 0, result.output
    assert "første" in result.output and "anden" not in result.output.replace("(1 scenario", "")
    assert "2021-01-04 09:00  g-job: fired (review_due == true (review_due was true); status == at_risk" \
        in result.output
    assert "2021-02-01 09:00  g-job: not fired (status == at_risk: status was off_track)" in result.output
    nothing = run(str(path), "--run", "tredje")
    assert nothing.exit_code == 2 and "no scenario matches --run 'tredje'" in nothing.output


def test_reusing_a_configuration(tmp_path: Path) -> None:
    write_config(tmp_path / "config", observations="kpi,period,value,known_at\n")
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""
        config: config
        until: 2021-03-31
        scenarios:
          - name: konfigurationens regler og mål
            observations:
              jobrate: {2020-12: 52, 2021-01: 47}
              ledige: {2020-12: 950, 2021-01: 950}
            expect:
              - {on: 2021-02-01, deviation: g-job}
              - {on: 2021-02-01, action: {subject: g-job, owner: center}}
              - {on: 2021-02-16, escalation: {subject: g-job, from: center, to: chef}}
              - {on: 2021-02-24, escalation: {subject: g-job, from: chef, to: direktoer}}
              - {on: 2021-03-04, escalation: {subject: g-job, from: direktoer, to: udvalg}}
              - {on: 2021-03-12, notification: {subject: g-job, to: udvalg}}
        """), encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------------ strictness


@pytest.mark.parametrize(("scenarios", "message"), [
    ("- name: x\n  expected: []\n", "unknown key 'expected' in a scenario (hint: did you mean 'expect'?)"),
    ("- name: x\n  expect:\n    - deviaton: g-job\n",
     "unknown key 'deviaton' in an expected event (hint: did you mean 'deviation'?)"),
    ("- name: x\n  expect:\n    - at: 2021-02-01\n      deviation: g-job\n", "write 'on: YYYY-MM-DD' for that day"),
    ("- name: x\n  expect:\n    - escalation: {too: chef}\n",
     "an escalation has no field 'too' (hint: did you mean 'to'?)"),
    ("- name: x\n  expect:\n    - deviation: {rule: maal-ude-af-kur}\n",
     "no rule under test has the id 'maal-ude-af-kur' (hint: did you mean 'maal-ude-af-kurs'?)"),
    ("- name: x\n  observations: {jobrat: {2021-01: 3}}\n  expect: []\n",
     "no KPI has the id 'jobrat' (hint: did you mean 'jobrate'?)"),
    ("- name: x\n  observations: {jobrate: {2021-13: 3}}\n  expect: []\n", "'2021-13' is not a period"),
    ("- name: x\n  observations: {jobrate: {2021-01: høj}}\n  expect: []\n", "'høj' is not a number"),
    ("- name: x\n  expect:\n    - on: 2022-01-04\n      deviation: g-job\n",
     "'on' 2022-01-04 is outside the scenario (2021-01-01 to 2021-03-31)"),
    ("- name: x\n  deliveries: {plan: 2021-02-01}\n  expect: []\n", "no deliverable has the id 'plan'"),
    ("- name: x\n  responses: [{date: 2021-02-01, submit: g-job, accept: g-job}]\n  expect: []\n",
     "a response is exactly one of submit, accept, reject, deliver or decide (found submit, accept)"),
    ("- name: x\n  expect:\n    - on: 2021-02-01\n      by: 2021-02-03\n      deviation: g-job\n",
     "'on' is one day; it does not go with 'by' or 'from'"),
    ("- name: x\n  observations: {jobrate: {2021-01: $v}}\n  cases: [{w: 1}]\n",
     "unknown parameter '$v'"),
    ("- name: x\n  observations: {jobrate: {2021-01: 2}}\n  cases: [{v: 1}]\n",
     "the parameter 'v' is not used in the scenario"),
    ("- name: x\n", "the scenario 'x' expects nothing"),
    ("- name: x\n  known: 3 days later\n  expect: []\n", "'3 days later' is not a rule for when figures become known"),
    ("- name: x\n  allow_extra: [deviations]\n  expect: []\n", "'deviations' is not a kind of event"),
])
@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_scenario_mistakes_are_located_errors(tmp_path: Path, scenarios: str, message: str) -> None:
    path = write(tmp_path, scenarios)
    result = run(str(path))
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert f"{path.name}:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("", "the scenario file is empty"),
    ("- name: x\n", "a scenario file is a mapping"),
    ("rules: [x.yaml]\nscenarios:\n  - name: {x\n", "is not closed with '}'"),
    ("rules: [nothing/*.yaml]\nyear: 2021\norganisation: []\ngoals: []\nwheel: {}\nscenarios: [{name: x}]\n",
     "'nothing/*.yaml': this pattern matches no file"),
    ("year: 2021\nscenarios: [{name: x, expect: []}]\n", "the scenario file does not say which rules it tests"),
    ("rules: [x.yaml]\nscenarios: []\n", "the file has no scenarios"),
    ((RULES / "goals.yaml").read_text(encoding="utf-8"), "this is a rule file, not a scenario file"),
])
@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_broken_scenario_files_never_show_a_traceback(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_a_pattern_matching_no_scenario_file_is_an_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "no-such" / "*.yaml"))
    assert result.exit_code == 2
    assert "this pattern matches no file" in result.output


def test_measured_speed_of_one_year(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
        - name: et år
          until: 2021-12-31
          allow_extra: true
          observations:
            jobrate: {{2020-12: 52, 2021-01: 47}}
          expect:{FULL_CHAIN}""")
    began = time.perf_counter()
    report = run_files([str(path)])
    assert report.ok
    assert time.perf_counter() - began < 2.0  # setup included (rule files, plugins)
