"""The engine's behaviour that its surviving mutants showed no test read (docs/testing.md, "Mutation
testing", session 17's sample of govcore/engine.py): the clock's edges and errors, a closed engine,
subjects after a decision to close one, goals whose rules read forecasts, plugin subjects reused
while their key holds, goals whose figures go stale, a goal's status asked for an earlier day,
goals sharing one target, what a trace keeps, and a version that re-reads an unchanged wheel.

Each test pins what a user of the engine reads (events, results, messages, progress), never how
the engine gets there."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import GOALS, KPIS, OBSERVATIONS, ROOT, WHEEL
from test_engine_workflow import LOW, _decision_rules, _rules, _types

from govcore import SubjectKind, hookimpl
from govcore.config import Configuration, load_config
from govcore.engine import Engine, EngineEvent
from govcore.errors import EngineError, GovcoreError
from govcore.extension import FieldSpec, Subject, SubjectContext
from govcore.plugins import load_plugins


def _notify_rule(tmp_path: Path, rule_id: str, when: str, conditions: str, message: str, *, for_each: str = "goal",
                 in_effect: str = "") -> list[str]:
    """One rule (and none of the shipped ones) that notifies the subject's owner when `conditions` hold."""
    effect = f"\n            in_effect: {in_effect}" if in_effect else ""
    return _rules(tmp_path, f"""
        rules:
          - id: {rule_id}
            title: {rule_id}
            when: {when}
            for_each: {for_each}{effect}
            if: {conditions}
            then:
              - notify: {{to: owner, message: "{message}"}}
        """, shipped_goal_rules=False)


def _notifications(config: Path, until: dt.date) -> list[EngineEvent]:
    """The notifications an engine of `config` gives from its start until `until`."""
    with Engine(load_config(config)) as engine:
        engine.advance_to(until)
        return _types(engine.events, "notification")


# ------------------------------------------------------------------------------------ the clock


def test_advancing_to_the_time_the_clock_shows_does_nothing(make_config: Callable[..., Path]) -> None:
    """A server ticks a live run to 'now' again and again: the same time twice is no error."""
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 1))
        now, count = engine.now, len(engine.events)
        assert engine.advance_to(now) == []
        assert engine.now == now and len(engine.events) == count


@pytest.mark.usefixtures("english")
def test_the_clock_going_back_names_both_times(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 4, 1))
        with pytest.raises(EngineError, match=r"^the clock cannot go back from 2021-04-01T23:59:00\+02:00 "
                                              r"to 2021-03-01T23:59:00\+01:00$"):
            engine.advance_to(dt.date(2021, 3, 1))


@pytest.mark.usefixtures("english")
def test_a_closed_engine_refuses_a_response_and_logs_nothing(make_config: Callable[..., Path]) -> None:
    engine = Engine(load_config(make_config()))
    engine.advance_to(dt.date(2021, 9, 1))
    engine.close()
    count = len(engine.events)
    with pytest.raises(EngineError, match=r"^the engine is closed$"):
        engine.deliver("plan")
    assert len(engine.events) == count and "plan" not in engine.delivered


def test_the_items_still_to_come_and_those_done_add_up_while_nothing_new_is_scheduled(
        make_config: Callable[..., Path]) -> None:
    """`pending()` is the progress bar's remainder (`simulate`, a stored run): the configuration's
    observations that are not yet known count, however many of them the engine takes at once."""
    observations = OBSERVATIONS + "".join(f"ledige,2021-{m:02d},{900 + m},2021-{m + 1:02d}-02\n" for m in range(1, 3))
    with Engine(load_config(make_config(observations=observations))) as engine:
        total = engine.pending()
        engine.advance_to(dt.date(2021, 1, 31))
        assert engine.items_processed + engine.pending() == total
        engine.advance_to(dt.date(2021, 2, 28))  # nothing is demanded before March: no deadline is added
        assert engine.items_processed + engine.pending() == total
    # the year's twelve meetings and one milestone, the turn of the year, and the seven observations
    # (all known from 2 January on)
    assert total == 12 + 1 + 1 + 7


# ------------------------------------------------------------------------------------ subjects


def test_a_decision_to_close_a_goal_leaves_the_other_subjects_followed_up(make_config: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    responses = """
    responses:
      - {date: 2021-03-04, decide: {subject: g-job, option: close, text: Opgivet}}
    """
    rules = [*_decision_rules(tmp_path), str(ROOT / "rules" / "deliverables.yaml")]
    with Engine(load_config(make_config(rules=rules, observations=LOW, responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 10, 31))
        flagged = _types(engine.events, "deviation_flagged")
    # g-job is closed by the decision; the plan, not delivered by 30 September, is still a deviation
    assert [(e.at.date(), e.subject_kind, e.subject) for e in flagged] == [
        (dt.date(2021, 3, 1), "goal", "g-job"), (dt.date(2021, 9, 30), "deliverable", "plan")]
    assert flagged[1].details["reason"] == "Beskæftigelsesplan er ikke afleveret ved fristen 30.09.2021"


def test_a_goal_rule_that_reads_the_forecast_fires_with_it(make_config: Callable[..., Path],
                                                          tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "prognose", "{followup: monthly}", "[forecast_status != no_data]",
                                   "{title}: {forecast_status}, {forecast} ({forecast_method})")
    heard = _notifications(make_config(rules=rules), dt.date(2021, 6, 30))
    told = [(e.at.date(), e.subject, e.details["message"]) for e in heard]
    # from April (four monthly figures, the last for March) the trend forecasts the year's end
    assert told == [(day, "g-job", "Mindst 50 % i job: at_risk, 51,6 (linear_trend)")
                    for day in (dt.date(2021, 4, 6), dt.date(2021, 5, 3), dt.date(2021, 6, 1))]


def _latest_jobrate(ctx: SubjectContext) -> list[Subject]:
    known = ctx.observations.latest("jobrate")
    return [Subject(kind="seneste", id="jobrate", owner="center", title="Seneste jobrate",
                    fields={"period": known.period if known else "", "value": known.value if known else None})]


class _LatestPlugin:
    """A subject kind whose subjects change only when a jobrate figure arrives (its `unchanged_key`)."""

    @hookimpl
    def govcore_subject_kinds(self) -> list[SubjectKind]:
        return [SubjectKind(name="seneste", description="the latest jobrate", subjects=_latest_jobrate,
                            unchanged_key=lambda ctx: ctx.observations.revision(("jobrate",)),
                            fields=(FieldSpec(name="period", type="text", description="Periode"),
                                    FieldSpec(name="value", type="number", description="Værdi")))]


def _latest_config(make_config: Callable[..., Path], tmp_path: Path) -> Configuration:
    """The small configuration with `_LatestPlugin` and a rule that tells each meeting its latest figure."""
    plugins = load_plugins()
    plugins.register(_LatestPlugin(), name="latest-plugin")
    rules = _notify_rule(tmp_path, "seneste-tal", "{followup: monthly}", "[value > 0]",
                                   "{period}: {value}", for_each="seneste")
    return load_config(make_config(rules=rules), plugins=plugins)


def test_a_plugin_subject_kind_reused_while_its_key_holds_shows_each_new_figure(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    with Engine(_latest_config(make_config, tmp_path)) as engine:
        engine.advance_to(dt.date(2021, 5, 31))
        told = [(e.at.date(), e.details["message"]) for e in _types(engine.events, "notification")]
    # a figure is known on the 2nd: the meeting on the 1st still sees the month before
    assert told == [(dt.date(2021, 1, 4), "2020-12: 52"), (dt.date(2021, 2, 1), "2020-12: 52"),
                    (dt.date(2021, 3, 1), "2021-01: 47"), (dt.date(2021, 4, 6), "2021-03: 53"),
                    (dt.date(2021, 5, 3), "2021-03: 53")]


def test_a_goal_rule_that_only_tests_the_forecast_fires(make_config: Callable[..., Path], tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "prognose-i-risiko", "{followup: monthly}", "[forecast_status == at_risk]",
                                   "{title}")
    heard = _notifications(make_config(rules=rules), dt.date(2021, 4, 30))
    told = [(e.at.date(), e.subject) for e in heard]
    assert told == [(dt.date(2021, 4, 6), "g-job")]


def test_a_goal_rule_on_an_observation_fires_for_each_figure_also_beside_other_kpis(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    """Figures of several KPIs become known the same morning; the rule listens to one of them."""
    rules = _notify_rule(tmp_path, "nyt-ledighedstal", "{observation: ledige}", "[status == on_track]",
                                   "{title}: {value} ({period})")
    observations = OBSERVATIONS + "ledige,2021-01,990,2021-02-02\nledige,2021-02,1010,2021-03-02\n"
    with Engine(load_config(make_config(rules=rules, observations=observations))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        told = [(e.at, e.subject, e.details["message"]) for e in _types(engine.events, "notification")]
    six = engine.calendar.local_datetime
    # 1 010 is over the limit of 1 000: not on track, nothing said
    assert told == [(six(dt.date(2021, 1, 2), 6), "g-ledige", "Højst 1000 ledige: 950 (2020-12)"),
                    (six(dt.date(2021, 2, 2), 6), "g-ledige", "Højst 1000 ledige: 990 (2021-01)")]


def test_what_a_goal_rule_tests_is_recorded_with_its_event(make_config: Callable[..., Path],
                                                          tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "chefens-krav", "{followup: monthly}", "[owner == chef, expected >= 1000]",
                                   "{title}: højst {expected}")
    (told,) = _notifications(make_config(rules=rules), dt.date(2021, 1, 31))
    assert (told.subject, told.details["message"]) == ("g-ledige", "Højst 1000 ledige: højst 1.000")
    assert told.details["inputs"]["owner"] == "chef" and told.details["inputs"]["expected"] == 1000


def test_a_goal_rule_on_the_goals_fixed_fields_fires_on_the_goal_they_name(make_config: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "administrativt-jobmaal", "{followup: monthly}",
                         '[level == administrative, kpi == jobrate, goal_followup == monthly, title != "", '
                         'goal == g-job, national_goal == ""]', "{title} ({status})")
    heard = _notifications(make_config(rules=rules), dt.date(2021, 3, 31))
    told = [(e.at.date(), e.subject, e.details["message"]) for e in heard]
    assert told == [(dt.date(2021, 1, 4), "g-job", "Mindst 50 % i job (on_track)"),
                    (dt.date(2021, 2, 1), "g-job", "Mindst 50 % i job (on_track)"),
                    (dt.date(2021, 3, 1), "g-job", "Mindst 50 % i job (off_track)")]


def test_a_forecast_goal_rule_on_an_observation_looks_only_at_the_goals_of_that_kpi(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "ny-figur", "{observation: jobrate}", "[forecast_status != off_track]",
                                   "{title}: {forecast_status}")
    heard = _notifications(make_config(rules=rules), dt.date(2021, 2, 28))
    told = [(e.at.date(), e.subject, e.details["message"]) for e in heard]
    # g-ledige (no forecast either) is measured by ledige: a jobrate figure does not concern it
    assert told == [(dt.date(2021, 1, 2), "g-job", "Mindst 50 % i job: no_data"),
                    (dt.date(2021, 2, 2), "g-job", "Mindst 50 % i job: no_data")]


# --------------------------------------------------------------------------------- the inputs


def test_a_response_in_the_configuration_happens_at_its_time_of_day(make_config: Callable[..., Path]) -> None:
    responses = """
    responses:
      - {date: 2021-09-01, time: "10:30", deliver: plan}
    """
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 9, 30))
        (delivered,) = _types(engine.events, "deliverable_delivered")
    assert delivered.at == engine.calendar.local_datetime(dt.date(2021, 9, 1), 10, 30)


def test_an_engine_started_after_the_mornings_figures_takes_them_as_known(make_config: Callable[..., Path]) -> None:
    """Figures become known at 06:00: an engine started at 10:00 that day finds them known, as one
    started the day after does; they are no news to log."""
    cfg = load_config(make_config())
    start = dt.datetime(2021, 2, 2, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with Engine(cfg, start=start) as engine:
        engine.advance_to(dt.date(2021, 2, 28))
        observed = [(e.at.date(), e.details["period"]) for e in _types(engine.events, "observation")]
        job = engine.config.goal("g-job")
        assert engine.reused_goal_result(job).period == "2021-01"
    assert observed == []
    with Engine(cfg, start=start) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        observed = [(e.at.date(), e.details["period"]) for e in _types(engine.events, "observation")]
    assert observed == [(dt.date(2021, 3, 2), "2021-02")]


def test_a_goal_whose_figures_are_too_old_has_no_data_with_the_reason(make_config: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "uden-data", "{followup: monthly}", "[status == no_data, kpi == jobrate]",
                                   "{explanation}")
    folder = make_config(rules=rules, observations="kpi,period,value,known_at\njobrate,2020-12,52,2021-01-02\n")
    aged = KPIS.replace("higher_is_better: true}", "higher_is_better: true, max_age: 1 month}")
    (folder / "kpis.yaml").write_text(aged, encoding="utf-8")
    with Engine(load_config(folder)) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        told = [(e.at.date(), e.details["message"]) for e in _types(engine.events, "notification")]
        stale = engine.reused_goal_result(engine.config.goal("g-job"), dt.date(2021, 3, 1))
    assert told == [(day, "seneste tal for Andel i job er fra 2020-12, og tal må højst være 1 måned gamle; "
                          f"pr. {day:%d.%m.%Y} er det for gammelt til at vurdere målet")
                    for day in (dt.date(2021, 2, 1), dt.date(2021, 3, 1))]
    assert stale.status.value == "no_data" and stale.inputs["stale_after"] == "2021-01-31"


def test_a_goals_result_asked_for_an_earlier_day_is_that_days(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        job = engine.config.goal("g-job")
        earlier = engine.reused_goal_result(job, dt.date(2021, 2, 15))
        now = engine.reused_goal_result(job)
    assert (earlier.period, earlier.actual, earlier.status.value) == ("2021-01", 47, "off_track")
    assert (now.period, now.actual, now.status.value) == ("2021-03", 53, "on_track")


def test_a_goal_object_the_configuration_does_not_hold_gets_its_own_result(make_config: Callable[..., Path]) -> None:
    """A caller may ask about a goal it made from one of the configuration's (a stricter copy under
    a new id, as a new version would hold): it is judged by its own target, not refused."""
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        job = engine.config.goal("g-job")
        assert job.target is not None
        stricter = job.model_copy(update={"id": "g-job-60", "target": job.target.model_copy(update={"value": 60})})
        result = engine.reused_goal_result(stricter)
        held = engine.reused_goal_result(job)
    assert (result.period, result.actual, result.expected, result.status.value) == ("2021-03", 53, 60, "off_track")
    assert (held.expected, held.status.value) == (50, "on_track")


def test_goals_sharing_one_target_are_each_judged_on_their_own_kpi(make_config: Callable[..., Path]) -> None:
    """Copies of a goal hold its target object (a configuration built in code, `bench_goals.py`):
    each copy is still judged on its own KPI's figures."""
    cfg = load_config(make_config())
    job = cfg.goal("g-job")
    twin = job.model_copy(update={"id": "g-job-2"})
    other = job.model_copy(update={"id": "g-ledige-2", "kpi": "ledige"})
    assert twin.target is job.target is other.target
    version = dataclasses.replace(cfg, goals=[*cfg.goals, twin, other])
    with Engine(version) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        results = {g: engine.reused_goal_result(engine.config.goal(g)) for g in ("g-job", "g-job-2", "g-ledige-2")}
    assert [(r.period, r.actual, r.status.value) for r in results.values()] == [
        ("2021-03", 53, "on_track"), ("2021-03", 53, "on_track"), ("2020-12", 950, "on_track")]


# ------------------------------------------------------------------------- traces and versions


def test_a_trace_keeps_the_messages_no_rule_fired_on(make_config: Callable[..., Path]) -> None:
    """`govcore rules explain` says why a rule did not fire from the trace: a deliverable delivered in
    time is posted at its milestone, and nothing fires."""
    responses = """
    responses:
      - {date: 2021-09-01, deliver: plan}
    """
    with Engine(load_config(make_config(responses=responses)), trace=True) as engine:
        engine.advance_to(dt.date(2021, 10, 31))
        trace = engine.trace
    assert trace is not None
    posted = [(p.at.date(), p.message["subject"], p.message["delivered"], p.fired) for p in trace
              if p.message["for_each"] == "deliverable"]
    assert posted == [(dt.date(2021, 9, 30), "plan", True, ())]


def test_a_version_that_reads_an_unchanged_wheel_again_says_the_wheel_did_not_change(
        make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "wheel-2.yaml").write_text(textwrap.dedent(WHEEL), encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-03-10\n    description: Samme årshjul\n    wheel: wheel-2.yaml\n")
    cfg = load_config(folder)
    assert cfg.versions[1].wheel is not cfg.versions[0].wheel
    with Engine(cfg) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        (changed,) = _types(engine.events, "configuration_changed")
        meetings = [e.at.date() for e in _types(engine.events, "followup")]
    assert changed.details["wheel_changed"] is False
    assert meetings == [dt.date(2021, 1, 4), dt.date(2021, 2, 1), dt.date(2021, 3, 1), dt.date(2021, 4, 6)]


@pytest.mark.usefixtures("english")
def test_stepping_a_closed_engine_is_refused_with_the_reason(make_config: Callable[..., Path]) -> None:
    """A stored run steps the engine item by item (`step`, `steps`); one closed meanwhile says so."""
    cfg = load_config(make_config())
    until = dt.datetime(2021, 12, 31, 23, 59, tzinfo=ZoneInfo("Europe/Copenhagen"))
    steppings: list[Callable[[Engine], object]] = [
        lambda e: e.step(until), lambda e: e.step(until, 100), lambda e: next(e.steps(until))]
    for stepping in steppings:
        engine = Engine(cfg)
        engine.close()
        with pytest.raises(EngineError, match=r"^the engine is closed$"):
            stepping(engine)
        assert engine.events == []


def test_a_listener_sees_the_events_an_observation_rule_causes(make_config: Callable[..., Path],
                                                              tmp_path: Path) -> None:
    """With `on_event` (a stored run, the server) figures are taken one by one: the same events."""
    rules = _notify_rule(tmp_path, "nyt-jobtal", "{observation: jobrate}", "[status == off_track]",
                                   "{title}: {value} ({period})")
    cfg = load_config(make_config(rules=rules))
    heard: list[EngineEvent] = []
    with Engine(cfg, on_event=heard.append) as listened, Engine(cfg) as alone:
        listened.advance_to(dt.date(2021, 4, 30))
        alone.advance_to(dt.date(2021, 4, 30))
    told = [(e.at.date(), e.details["message"]) for e in _types(heard, "notification")]
    assert told == [(dt.date(2021, 2, 2), "Mindst 50 % i job: 47 (2021-01)"),
                    (dt.date(2021, 3, 2), "Mindst 50 % i job: 46 (2021-02)")]
    assert heard == listened.events == alone.events


def test_the_goal_statuses_are_each_goals_result_on_the_day(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        statuses = engine.goal_statuses()
        earlier = engine.goal_statuses(dt.date(2021, 1, 15))
    assert {g: (r.status.value, r.actual, r.period) for g, r in statuses.items()} == {
        "g-job": ("off_track", 46, "2021-02"), "g-ledige": ("on_track", 950, "2020-12")}
    assert (earlier["g-job"].actual, earlier["g-job"].period) == (52, "2020-12")


def test_two_follow_ups_on_the_same_morning_each_fire_their_own_rules(make_config: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    wheel = WHEEL + """
  - id: kvartalsmoede
    title: Kvartalsmøde
    every: quarterly
    on: first_working_day
    responsible: direktoer
"""
    rules = _rules(tmp_path, """
        rules:
          - id: maanedlig
            title: Månedlig
            when: {followup: monthly}
            for_each: goal
            if: [status == on_track]
            then:
              - notify: {to: owner, message: "måned"}
          - id: kvartalsvis
            title: Kvartalsvis
            when: {followup: quarterly}
            for_each: goal
            if: [status == on_track]
            then:
              - notify: {to: owner, message: "kvartal"}
        """, shipped_goal_rules=False)
    heard = _notifications(make_config(rules=rules, wheel=wheel), dt.date(2021, 2, 28))
    told = [(e.at.date(), e.subject, e.rule) for e in heard]
    assert told == [(dt.date(2021, 1, 4), "g-job", "kvartalsvis"), (dt.date(2021, 1, 4), "g-ledige", "kvartalsvis"),
                    (dt.date(2021, 1, 4), "g-job", "maanedlig"), (dt.date(2021, 1, 4), "g-ledige", "maanedlig"),
                    (dt.date(2021, 2, 1), "g-job", "maanedlig"), (dt.date(2021, 2, 1), "g-ledige", "maanedlig")]


def test_a_goal_rules_event_records_the_goals_figures_and_explanation_as_inputs(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "til-gennemsyn", "{followup: monthly}", '[review_due == true, period == "2021-01"]',
                                   "{title}")
    with Engine(load_config(make_config(rules=rules))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        (told,) = _types(engine.events, "notification")
        explanation = engine.reused_goal_result(engine.config.goal("g-job"), dt.date(2021, 3, 1)).explanation
    assert (told.at.date(), told.subject) == (dt.date(2021, 3, 1), "g-job")
    assert told.details["inputs"] == {"review_due": True, "period": "2021-01", "status": "off_track", "value": 47,
                                      "expected": 50, "explanation": explanation}
    assert "47" in explanation


def test_a_rule_in_effect_for_some_days_fires_only_on_them(make_config: Callable[..., Path], tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "kun-i-februar", "{followup: monthly}", "[status == on_track]",
                                   "{title}", in_effect="{from: 2021-02-01, to: 2021-02-28}")
    heard = _notifications(make_config(rules=rules), dt.date(2021, 3, 31))
    told = [(e.at.date(), e.subject) for e in heard]
    assert told == [(dt.date(2021, 2, 1), "g-job"), (dt.date(2021, 2, 1), "g-ledige")]


def test_a_goal_without_figures_yet_says_so_as_of_the_day_asked(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        job = engine.config.goal("g-job")
        first = engine.reused_goal_result(job)
        engine.advance_to(dt.date(2021, 1, 1))
        again = engine.reused_goal_result(job, dt.date(2021, 1, 1))
    assert first.status.value == again.status.value == "no_data"
    assert first.explanation == again.explanation == "ingen værdi for Andel i job er kendt pr. 01.01.2021"


@pytest.mark.usefixtures("english")
def test_a_configuration_made_in_code_without_the_plugin_of_a_rules_subject_kind_is_refused_at_the_meeting(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    """`load_config` refuses a rule on a subject kind no plugin provides; a configuration put together
    in code (`dataclasses.replace`) is refused by the engine, naming the kind."""
    cfg = dataclasses.replace(_latest_config(make_config, tmp_path), subject_kinds={})
    with Engine(cfg) as engine, pytest.raises(GovcoreError, match=r"^no plugin provides the subject kind 'seneste'$"):
        engine.advance_to(dt.date(2021, 1, 31))


def test_goals_sharing_one_target_see_each_figure_that_arrives_the_same_morning(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    rules = _notify_rule(tmp_path, "nyt-jobtal", "{observation: jobrate}", "[status != no_data]", "{value} ({period})")
    observations = ("kpi,period,value,known_at\njobrate,2021-01,47,2021-02-02\njobrate,2021-02,46,2021-02-02\n")
    cfg = load_config(make_config(rules=rules, observations=observations))
    job = cfg.goal("g-job")
    with Engine(dataclasses.replace(cfg, goals=[*cfg.goals, job.model_copy(update={"id": "g-job-2"})])) as engine:
        engine.advance_to(dt.date(2021, 2, 28))
        told = [(e.subject, e.details["message"]) for e in _types(engine.events, "notification")]
    assert told == [("g-job", "47 (2021-01)"), ("g-job-2", "47 (2021-01)"),
                    ("g-job", "46 (2021-02)"), ("g-job-2", "46 (2021-02)")]



def test_an_engine_for_a_year_starts_with_the_version_in_force_on_1_january(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "goals-2.yaml").write_text(GOALS.replace("value: 50, tolerance: 2}", "value: 60, tolerance: 2}"),
                                        encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-01-20\n    description: Skærpet jobmål\n    goals: goals-2.yaml\n")
    cfg = load_config(folder)
    with Engine(cfg, year=2021) as engine:
        assert engine.config is cfg.versions[0] and engine.trace is None  # a trace only when asked for
        engine.advance_to(dt.date(2021, 2, 28))
        (changed,) = _types(engine.events, "configuration_changed")
    assert changed.at.date() == dt.date(2021, 1, 20) and changed.details["goals_changed"] == ["g-job"]


def test_a_configuration_made_in_code_with_its_figures_as_a_list_runs_as_the_loaded_one(
        make_config: Callable[..., Path]) -> None:
    """Figures known before the start are history (no event), the rest arrive in order."""
    cfg = load_config(make_config())
    listed = dataclasses.replace(cfg, observations=list(cfg.observations))
    start = dt.datetime(2021, 2, 10, 0, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with Engine(cfg, start=start) as loaded, Engine(listed, start=start) as made:
        loaded.advance_to(dt.date(2021, 4, 30))
        made.advance_to(dt.date(2021, 4, 30))
        status = made.reused_goal_result(made.config.goal("g-job"), dt.date(2021, 2, 10))
    assert [e.to_json() for e in made.events] == [e.to_json() for e in loaded.events]
    assert [(e.at.date(), e.details["period"]) for e in _types(made.events, "observation")] == [
        (dt.date(2021, 3, 2), "2021-02"), (dt.date(2021, 4, 2), "2021-03")]
    assert (status.period, status.actual) == ("2021-01", 47)
