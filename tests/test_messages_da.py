"""The library's messages in Danish by default and in English on request, still located (file, line,
column, field), with "did you mean" in both languages: one test per family of messages (configuration,
YAML and CSV files, rule files, the condition parser, the calendar, the wheel, targets, observations,
plugins), and a scan of the Danish output of `check` for untranslated English.

The logic of each message is pinned in English by the tests of its module (with the `english` fixture);
these tests pin what a Danish reader sees."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GOALS, WHEEL
from english_words import untranslated

from govcore.calendar import parse_closed_day, parse_day_month
from govcore.cli import main
from govcore.config import load_config
from govcore.errors import ConfigError, InputError, PluginError, Problem, did_you_mean
from govcore.extension import FieldSpec
from govcore.i18n import use_language
from govcore.rules.conditions import ConditionError, parse_condition
from govcore.sourcefile import parse_yaml, read_csv
from govcore.wheel import Wheel

MakeConfig = Callable[..., Path]


def _problems(folder: Path) -> str:
    """What `check` reports for a configuration folder (the ConfigError's lines)."""
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    return err.value.format()


def _both(make: Callable[[], str]) -> tuple[str, str]:
    """The same failure read in Danish (the default) and in English."""
    danish = make()
    with use_language("en"):
        english = make()
    return danish, english


# ------------------------------------------------------------------ the frame of every message


def test_a_problem_is_framed_in_the_readers_language() -> None:
    p = Problem("regler.yaml", 4, 7, "besked", rule="r1", field="if[0]", hint="et tip")
    assert p.format() == "regler.yaml:4:7: regel 'r1': if[0]: besked (tip: et tip)"
    with use_language("en"):
        assert p.format() == "regler.yaml:4:7: rule 'r1': if[0]: besked (hint: et tip)"


def test_did_you_mean_in_both_languages() -> None:
    assert did_you_mean("Vejl", ["Vejle", "Aarhus"]) == "mente du 'Vejle'?"
    assert did_you_mean("xyz", ["a", "b"]) == "forventede en af: a, b"
    with use_language("en"):
        assert did_you_mean("Vejl", ["Vejle", "Aarhus"]) == "did you mean 'Vejle'?"
        assert did_you_mean("xyz", ["a", "b"]) == "expected one of: a, b"


def test_plugin_errors_are_danish() -> None:
    da, en = _both(lambda: str(PluginError("budget", "kpi_sources", KeyError("x"))))
    assert da == "pluginet 'budget' fejlede i kpi_sources: KeyError: 'x'"
    assert en == "plugin 'budget' failed in kpi_sources: KeyError: 'x'"


# ------------------------------------------------------------------ configuration files


def test_unknown_references_in_goals_say_did_you_mean_in_danish(make_config: MakeConfig) -> None:
    folder = make_config(goals=GOALS.replace("owner: center", "owner: centre").replace("kpi: ledige", "kpi: ledig"))
    da, en = _both(lambda: _problems(folder))
    assert re.search(r"goals\.yaml:\d+:\d+: goals\[0\]\.owner: ingen rolle har id'et 'centre' "
                     r"\(tip: mente du 'center'\?\)", da), da
    assert "goals[1].kpi: ingen KPI har id'et 'ledig' (tip: mente du 'ledige'?)" in da
    assert "goals[0].owner: no role has the id 'centre' (hint: did you mean 'center'?)" in en


def test_pydantic_errors_become_danish_sentences(make_config: MakeConfig) -> None:
    goals = GOALS.replace("    followup: monthly\n  - id: g-ledige", "    folowup: monthly\n  - id: g-ledige", 1)
    goals = goals.replace("value: 1000}", "value: mange}")
    folder = make_config(goals=goals)
    da, en = _both(lambda: _problems(folder))
    assert "goals[0].folowup: ukendt felt 'folowup' (tip: mente du 'followup'?)" in da
    assert "'mange' er ikke et tal" in da
    assert "goals[0].folowup: unknown field 'folowup' (hint: did you mean 'followup'?)" in en
    assert "'mange' is not a number" in en


def test_a_misspelt_danish_word_gets_a_danish_suggestion(make_config: MakeConfig) -> None:
    folder = make_config(goals=GOALS.replace("followup: monthly", "followup: kvartalsvs", 1))
    da = _problems(folder)
    assert "'kvartalsvs' er ikke tilladt (tip: mente du 'kvartalsvis'?)" in da


def test_the_organisation_names_roles_by_title(make_config: MakeConfig) -> None:
    folder = make_config()
    org = (folder / "organisation.yaml").read_text(encoding="utf-8")
    (folder / "organisation.yaml").write_text(org.replace(", superior: udvalg", ""), encoding="utf-8")
    da, en = _both(lambda: _problems(folder))
    assert "rollen Direktør (direktoer) har ingen overordnet, ligesom Arbejdsmarkedsudvalget (udvalg): " \
        "organisationen har mere end én top" in da
    assert "the role Direktør (direktoer) has no superior, like Arbejdsmarkedsudvalget (udvalg)" in en


# ------------------------------------------------------------------ YAML and CSV files


def test_yaml_syntax_errors_are_danish_and_located() -> None:
    da, en = _both(lambda: _format(lambda: parse_yaml("a: 1\na: 2\n", "x.yaml")))
    assert da.startswith("x.yaml:2:1: YAML-syntaksfejl: nøglen \"a\" står to gange"), da
    assert "tip: hver nøgle må kun stå én gang blandt de samme felter" in da
    assert en.startswith("x.yaml:2:1: YAML syntax error: duplicate key \"a\""), en


def test_csv_errors_are_danish_and_located(tmp_path: Path) -> None:
    path = tmp_path / "tal.csv"
    path.write_text("kpi,periode,value\n", encoding="utf-8")
    da, en = _both(lambda: _format(lambda: list(read_csv(path, ["kpi", "period", "value"]))))
    assert f"{path}:1: period: kolonnen 'period' mangler (tip: mente du 'periode'?)" in da
    assert f"{path}:1: period: missing column 'period' (hint: did you mean 'periode'?)" in en


def test_observation_values_are_checked_in_danish(make_config: MakeConfig) -> None:
    folder = make_config(observations="kpi,period,value\njobrate,2021-13,52\njobrate,2021-01,mange\n")
    da = _problems(folder)
    assert "observations.csv:2:2: period: '2021-13' er ikke en periode" in da
    assert "observations.csv:3:3: value: 'mange' er ikke et tal (tip: skriv fx 42, 42,5 eller 1.450,5)" in da


def _format(action: Callable[[], object]) -> str:
    try:
        action()
    except InputError as err:
        return err.format()
    raise AssertionError("no error")


# ------------------------------------------------------------------ rule files and conditions

FIELDS = {"status": FieldSpec("status", "text", "status", choices=("on_track", "off_track")),
          "deviation": FieldSpec("deviation", "number", "afvigelse")}


def _condition(text: str) -> str:
    try:
        parse_condition(text, FIELDS)
    except ConditionError as err:
        return f"{err} ({err.hint})"
    raise AssertionError("no error")


def test_the_condition_parser_speaks_danish() -> None:
    assert _condition("statsu == off_track") == "ukendt felt 'statsu' (mente du 'status'?)"
    assert _condition("status = off_track") == "'=' er ikke en operator (brug '==' for at teste lighed)"
    assert _condition("status > off_track").startswith("'>' sammenligner tal, men 'status' er tekst")
    assert _condition("status == of_track") == "'of_track' er ikke en mulig værdi af 'status' " \
        "(mente du 'off_track'?)"
    with use_language("en"):
        assert _condition("statsu == off_track") == "unknown field 'statsu' (did you mean 'status'?)"


def test_rule_file_errors_are_danish_and_located(make_config: MakeConfig, tmp_path: Path) -> None:
    rules = tmp_path / "config" / "regler.yaml"
    folder = make_config(rules=["regler.yaml"])
    rules.write_text(textwrap.dedent("""\
        rules:
          - id: r1
            when: {followup: monthly}
            if:
              - status == off_trak
            then:
              - flag_deviaton
              - demand_action: {from: chef, within: 5 arbejdsdgae}
        """), encoding="utf-8")
    da, en = _both(lambda: _problems(folder))
    assert re.search(r"regler\.yaml:5:\d+: regel 'r1': if\[0\]: 'off_trak' er ikke en mulig værdi af 'status' "
                     r"\(tip: mente du 'off_track'\?\)", da), da
    assert "regel 'r1': then[0]: ukendt handling 'flag_deviaton' (tip: mente du 'flag_deviation'?)" in da
    assert "'5 arbejdsdgae' er ikke en varighed" in da and "mente du '5 arbejdsdage'?" in da
    assert "rule 'r1': then[0]: unknown action 'flag_deviaton' (hint: did you mean 'flag_deviation'?)" in en


# ------------------------------------------------------------------ calendar, wheel, targets


def test_calendar_errors_are_danish() -> None:
    def err(action: Callable[[], object]) -> str:
        with pytest.raises(ValueError) as e:
            action()
        return str(e.value)

    assert err(lambda: parse_day_month("31.13")) == "'31.13' er ikke en dato, der findes: der er ingen måned 13"
    assert err(lambda: parse_closed_day("29.02")).startswith("'29.02' findes kun i skudår")
    with use_language("en"):
        assert err(lambda: parse_day_month("31.13")) == "'31.13' is not a date that exists: there is no month 13"


def test_wheel_errors_are_danish_and_name_the_milestone_by_title() -> None:
    text = WHEEL.replace('    date: "30.09"\n', "")
    da, en = _both(lambda: _format(lambda: Wheel.parse(textwrap.dedent(text), "wheel.yaml")))
    assert re.search(r"wheel\.yaml:\d+:\d+: milestones\[0\]: milepælen Beskæftigelsesplan \(plan-frist\) har "
                     r"ingen dato", da), da
    misspelt = textwrap.dedent(WHEEL.replace("every: monthly", "every: maanedlig"))
    assert "'maanedlig' er ikke tilladt (tip: mente du 'månedlig'?)" in _format(lambda: Wheel.parse(misspelt))
    assert "the milestone Beskæftigelsesplan (plan-frist) has no date" in en


def test_target_validation_is_danish(make_config: MakeConfig) -> None:
    folder = make_config(goals=GOALS.replace("    kpi: jobrate\n", "", 1))
    da, en = _both(lambda: _problems(folder))
    assert "et mål med et succeskriterie skal have en KPI at måle det med" in da
    assert "a goal with a target needs a kpi to measure it" in en


# ------------------------------------------------------------------ no English left in `check`


def _broken_configurations(make_config: MakeConfig, tmp_path: Path) -> list[Path]:
    out = []
    bad_goals = GOALS.replace("owner: center", "owner: centre").replace("followup: monthly", "followup: kvartalsvs", 1)
    bad_goals = bad_goals.replace("value: 1000}", "value: mange}").replace("kpi: ledige", "kpi: ledig")
    out.append(write_to(tmp_path / "a", make_config, goals=bad_goals))
    bad_wheel = WHEEL.replace('date: "30.09"', 'date: "31.02"').replace("responsible: chef", "responsible: chf", 1)
    out.append(write_to(tmp_path / "b", make_config, wheel=bad_wheel))
    out.append(write_to(tmp_path / "c", make_config, observations="kpi,period,value\njobrat,2021-13,1.2,5\n"))
    folder = write_to(tmp_path / "d", make_config, rules=["regler.yaml"])
    (folder / "regler.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: r1
            when: {followup: monthly, wheel: any}
            if:
              - statsu == off_track
              - deviation > hej
            then:
              - notify: {to: chf, mesage: x}
          - id: R 2
            when: {observation: jobrat}
            then: []
        """), encoding="utf-8")
    out.append(folder)
    return out


def write_to(folder: Path, make_config: MakeConfig, **kwargs: object) -> Path:
    made = make_config(**kwargs)
    made.rename(folder)
    return folder


def test_the_danish_output_of_check_has_no_untranslated_english(make_config: MakeConfig, tmp_path: Path) -> None:
    for folder in _broken_configurations(make_config, tmp_path):
        with pytest.raises(ConfigError) as err:
            load_config(folder)
        text = err.value.format()
        assert err.value.problems, text
        # what a person reads: the messages and hints (file names and field paths are what they type)
        plain = "\n".join(f"{p.message} ({p.hint})" for p in err.value.problems)
        assert untranslated(plain) == [], text
        result = CliRunner().invoke(main, ["check", str(folder)])
        assert result.exit_code != 0
        assert text.splitlines()[0] in result.output


def test_simulate_and_plugin_lookups_are_danish(make_config: MakeConfig) -> None:
    import datetime as dt

    from govcore.errors import GovcoreError
    from govcore.plugins import load_plugins
    from govcore.simulate import simulate

    cfg = load_config(make_config())
    with pytest.raises(GovcoreError, match=r"^slutningen 01\.01\.2021 ligger før starten 01\.02\.2021$"):
        simulate(cfg, start=dt.date(2021, 2, 1), until=dt.date(2021, 1, 1))
    with pytest.raises(GovcoreError, match=r"^intet plugin ved navn 'budgt' er installeret \(installeret: "):
        load_plugins().rule_files("budgt")
    with use_language("en"), pytest.raises(GovcoreError, match=r"^no plugin named 'budgt' is installed"):
        load_plugins().rule_files("budgt")


# ------------------------------------------------------------------ the engine, durations, fetching, holidays


def _raised(make: Callable[[], object]) -> str:
    with pytest.raises(Exception) as err:
        make()
    return str(err.value)


def test_the_engines_errors_are_danish_and_english_on_request(make_config: MakeConfig) -> None:
    import datetime as dt

    from govcore.engine import Engine

    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 1))
        da, en = _both(lambda: _raised(lambda: engine.deliver("budget")))
        assert da == "ukendt leverance 'budget' (forventede en af: plan)"
        assert en == "unknown deliverable 'budget' (expected one of: plan)"
        da, en = _both(lambda: _raised(lambda: engine.decide("dec-9", "close")))
        assert da == "ukendt beslutning 'dec-9' (ingen beslutning er åben)"
        assert en == "unknown decision 'dec-9' (no decision is open)"
        da, en = _both(lambda: _raised(lambda: engine.submit_action("act-9")))
        assert da.startswith("ukendt korrigerende handling 'act-9' (")
        assert en.startswith("unknown corrective action 'act-9' (")
        da, en = _both(lambda: _raised(lambda: engine.advance_to(dt.date(2021, 2, 1))))
        assert da.startswith("uret kan ikke gå tilbage fra 2021-03-01T23:59:00+01:00 til 2021-02-01")
        assert en.startswith("the clock cannot go back from 2021-03-01T23:59:00+01:00 to 2021-02-01")
        for text in (da, _raised(lambda: engine.deliver("budget")), _raised(lambda: engine.decide("dec-9", "x"))):
            assert untranslated(text) == [], text


def test_durations_are_read_in_the_readers_language() -> None:
    from govcore.rules.durations import Duration

    da, en = _both(lambda: " / ".join(str(Duration.parse(t)) for t in ("1 working day", "5 arbejdsdage", "14 days",
                                                                          "1 week", "2 uger", "3 months")))
    assert da == "1 arbejdsdag / 5 arbejdsdage / 14 dage / 1 uge / 2 uger / 3 måneder"
    assert en == "1 working day / 5 working days / 14 days / 1 week / 2 weeks / 3 months"


def test_fetch_errors_are_written_in_the_language_of_whoever_reads_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A FetchError's text is made when it is read: the reader's language on screen, Danish when the
    fetch log records it (`with use_language("da")`), from the same error."""
    from govcore.remote import FetchError, Http, secret_from_env

    with pytest.raises(FetchError) as caught, Http("jobindsats", replay=tmp_path) as http:
        http.get("https://api.example/v2/data/y01a", table="Y01A")
    err = caught.value
    with use_language("en"):
        english = str(err)
    assert english.startswith("jobindsats table Y01A: no kept response for GET https://api.example/v2/data/y01a in ")
    assert str(err).startswith("jobindsats tabel Y01A: intet gemt svar på GET https://api.example/v2/data/y01a i ")
    assert "en genafspilning kræver svarene fra en hentning med de samme indstillinger" in str(err)
    monkeypatch.delenv("GOVCORE_TEST_NO_SUCH_KEY", raising=False)
    da, en = _both(lambda: _raised(lambda: secret_from_env("GOVCORE_TEST_NO_SUCH_KEY", "statbank")))
    assert da.startswith("statbank: API-nøglen læses fra miljøvariablen GOVCORE_TEST_NO_SUCH_KEY, som ikke er sat")
    assert en.startswith("statbank: the API key is read from the environment variable GOVCORE_TEST_NO_SUCH_KEY")
    assert untranslated(str(err)) == [] and untranslated(da) == []
    assert str(FetchError("as written", kind="plugin", source="x")) == "x: as written"


def test_holidays_in_the_wheel_are_english_on_request() -> None:
    vejle = str(Path(__file__).resolve().parent.parent / "examples" / "vejle")
    danish = CliRunner().invoke(main, ["wheel", vejle, "--year", "2021"]).output
    english = CliRunner().invoke(main, ["--lang", "en", "wheel", vejle, "--year", "2021"]).output
    assert "fre 30.04  Store bededag" in danish and "(Nytårsaften)" in danish
    assert "fri 30.04  Great Prayer Day" in english and "(New Year's Eve)" in english
    assert "Store bededag" not in english and "Nytårsaften" not in english
    ics_da = CliRunner().invoke(main, ["wheel", vejle, "--year", "2021", "--format", "ics"]).output
    ics_en = CliRunner().invoke(main, ["--lang", "en", "wheel", vejle, "--year", "2021", "--format", "ics"]).output
    assert "X-WR-CALNAME:Årshjul – Vejle" in ics_da and "(ansvarlig: " in ics_da
    assert "X-WR-CALNAME:Annual wheel – Vejle" in ics_en and "(responsible: " in ics_en and "(ansvarlig: " not in ics_en
