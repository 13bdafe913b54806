from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.errors import ConfigError
from govcore.model import Frequency, WheelEvent
from govcore.wheel import After, FollowUp, Milestone, On, Wheel, render_ics, render_json, render_text

D = dt.date
VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle" / "wheel.yaml"
years = st.integers(min_value=2015, max_value=2035)


def dates_of(wheel: Wheel, year: int, definition: str) -> list[dt.date]:
    return [e.date for e in wheel.events(year) if e.definition == definition]


def one(wheel: Wheel, year: int, definition: str) -> WheelEvent:
    found = [e for e in wheel.events(year) if e.definition == definition]
    assert len(found) == 1, found
    return found[0]


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        Wheel.parse(text, "wheel.yaml")
    return [p.format() for p in info.value.problems]


def followup_wheel(body: str) -> Wheel:
    return Wheel.parse('closed_days: ["24.12", "31.12"]\nfollowups:\n  - id: f\n    title: F\n' + body)


# ------------------------------------------------------------------------------------ the Vejle wheel


def test_vejle_wheel_has_the_ids_rule_files_use() -> None:
    wheel = Wheel.load(VEJLE)
    defs = wheel.definitions()
    frequencies = {i: d.every for i, d in defs.items() if isinstance(d, FollowUp)}
    assert frequencies == {
        "opfoelgningsmoede": Frequency.monthly,
        "opfoelgning-oekonomi": Frequency.every_2nd_month,
        "kvartalsopfoelgning": Frequency.quarterly,
        "opfoelgning-politikere": Frequency.half_yearly,
        "maalfastsaettelse": Frequency.yearly,
    }
    assert {"budgetkontrol-30-04", "beskaeftigelsesplan-30-09"} <= set(defs)
    plan = one(wheel, 2021, "beskaeftigelsesplan-30-09")
    assert plan.kind == "due"
    assert plan.deliverables == ("beskaeftigelsesplan", "virksomhedsplaner")


def test_vejle_roles_are_the_organisation_role_ids() -> None:
    roles = ["arbejdsmarkedsudvalget", "direktoer", "arbejdsmarkedschef", "center-job-erhverv",
             "center-unge-uddannelse", "center-support-ydelse", "center-sundhed-fastholdelse"]
    wheel = Wheel.load(VEJLE)
    assert wheel.check_roles(roles) == []
    problems = wheel.check_roles(roles[1:])
    assert problems
    assert all("unknown role 'arbejdsmarkedsudvalget'" in p.message for p in problems)
    assert all(p.line > 1 and p.file == str(VEJLE) for p in problems)


def test_vejle_2021_budget_control_stays_on_store_bededag() -> None:
    wheel = Wheel.load(VEJLE)
    control = one(wheel, 2021, "budgetkontrol-30-04")
    assert control.kind == "as_of"
    assert control.date == control.nominal_date == D(2021, 4, 30)
    assert control.id == "budgetkontrol-30-04@2021-04-30"


def test_vejle_q4_deadline_on_closed_new_years_eve_stays_in_the_year() -> None:
    evaluation = one(Wheel.load(VEJLE), 2021, "evaluering-af-maal")
    assert evaluation.nominal_date == D(2021, 12, 31)
    assert evaluation.date == D(2021, 12, 30)


# ----------------------------------------------------------------------------------------- milestones

ROLLS = """
roll: next
milestones:
  - id: cutoff
    title: Budgetkontrol pr. 30.4
    type: as_of
    date: "30.04"
  - id: due-next
    title: Frist
    date: "30.04"
  - id: due-previous
    title: Frist
    date: "30.4"
    roll: previous
  - id: due-none
    title: Frist
    date: "30.04"
    roll: none
"""


def test_roll_policies_on_store_bededag_2021() -> None:
    wheel = Wheel.parse(ROLLS)
    assert dates_of(wheel, 2021, "cutoff") == [D(2021, 4, 30)]
    assert dates_of(wheel, 2021, "due-next") == [D(2021, 5, 3)]
    assert dates_of(wheel, 2021, "due-previous") == [D(2021, 4, 29)]
    assert dates_of(wheel, 2021, "due-none") == [D(2021, 4, 30)]
    assert {e.nominal_date for e in wheel.events(2021)} == {D(2021, 4, 30)}


def test_no_store_bededag_from_2024() -> None:
    wheel = Wheel.parse(ROLLS)
    assert {e.date for e in wheel.events(2024)} == {D(2024, 4, 30)}


def test_wheel_default_roll_applies_to_due_milestones() -> None:
    wheel = Wheel.parse(ROLLS.replace("roll: next", "roll: previous", 1))
    assert dates_of(wheel, 2021, "due-next") == [D(2021, 4, 29)]


def test_due_dates_never_roll_out_of_the_year() -> None:
    wheel = Wheel.parse("""
closed_days: ["31.12"]
milestones:
  - {id: new-years-eve, title: A, date: "31.12", roll: next}
  - {id: new-years-day, title: B, date: "01.01", roll: previous}
""")
    assert dates_of(wheel, 2021, "new-years-eve") == [D(2021, 12, 30)]
    assert dates_of(wheel, 2022, "new-years-day") == [D(2022, 1, 3)]


def test_quarters_and_halves() -> None:
    wheel = Wheel.parse("""
roll: none
milestones:
  - {id: q1, title: Q1, date: Q1}
  - {id: q1-start, title: Q1, date: q1, at: start, type: as_of}
  - {id: q4, title: Q4, date: Q4}
  - {id: h1, title: H1, date: H1}
  - {id: h2-start, title: H2, date: H2, at: start}
""")
    got = {e.definition: e.date for e in wheel.events(2021)}
    assert got == {"q1": D(2021, 3, 31), "q1-start": D(2021, 1, 1), "q4": D(2021, 12, 31),
                   "h1": D(2021, 6, 30), "h2-start": D(2021, 7, 1)}


def test_iso_date_is_a_one_off() -> None:
    wheel = Wheel.parse("milestones:\n  - {id: once, title: Once, date: 2021-06-15}\n")
    assert dates_of(wheel, 2021, "once") == [D(2021, 6, 15)]
    assert dates_of(wheel, 2022, "once") == []


def test_n_working_days_after_a_cutoff_and_a_deadline() -> None:
    wheel = Wheel.parse(ROLLS + """
  - id: reply-to-cutoff
    title: Svar
    after: {milestone: cutoff, working_days: 10}
  - id: reply-to-deadline
    title: Svar
    after: {milestone: due-next, working_days: 10}
  - id: two-weeks-later
    title: Svar
    after: {milestone: cutoff, days: 14}
""")
    assert dates_of(wheel, 2021, "reply-to-cutoff") == [D(2021, 5, 17)]
    assert dates_of(wheel, 2021, "reply-to-deadline") == [D(2021, 5, 18)]
    assert dates_of(wheel, 2021, "two-weeks-later") == [D(2021, 5, 14)]


def test_after_chain_carries_into_the_next_year() -> None:
    wheel = Wheel.parse("""
milestones:
  - {id: base, title: Base, date: "15.12"}
  - {id: reply, title: Reply, after: {milestone: base, working_days: 20}}
""")
    assert dates_of(wheel, 2021, "reply") == [D(2021, 1, 14)]
    assert dates_of(wheel, 2022, "reply") == [D(2022, 1, 12)]
    assert all(e.date.year == 2021 for e in wheel.events(2021))


# ------------------------------------------------------------------------------------------ follow-ups


def test_monthly_on_first_working_day() -> None:
    wheel = followup_wheel("    every: monthly\n")
    got = dates_of(wheel, 2021, "f")
    assert len(got) == 12
    assert got[0] == D(2021, 1, 4)
    assert got[4] == D(2021, 5, 3)


def test_monthly_on_last_working_day() -> None:
    got = dates_of(followup_wheel("    every: monthly\n    on: last_working_day\n"), 2021, "f")
    assert got[3] == D(2021, 4, 29)
    assert got[11] == D(2021, 12, 30)


def test_day_of_month_rolls_next_but_never_out_of_the_month() -> None:
    wheel = followup_wheel("    every: monthly\n    on: {day: 31}\n")
    feb = one_in_month(wheel, 2021, 2)
    assert feb.nominal_date == D(2021, 2, 28)
    assert feb.date == D(2021, 2, 26)
    aug = one_in_month(followup_wheel("    every: monthly\n    on: {day: 15}\n"), 2021, 8)
    assert (aug.nominal_date, aug.date) == (D(2021, 8, 15), D(2021, 8, 16))


def one_in_month(wheel: Wheel, year: int, month: int) -> WheelEvent:
    found = [e for e in wheel.events(year) if e.date.month == month]
    assert len(found) == 1
    return found[0]


def test_nth_and_last_weekday() -> None:
    second = dates_of(followup_wheel("    every: monthly\n    on: {weekday: tuesday, week: 2}\n"), 2021, "f")
    assert second[0] == D(2021, 1, 12)
    last = dates_of(followup_wheel("    every: monthly\n    on: {weekday: friday, week: last}\n"), 2021, "f")
    assert last[3] == D(2021, 4, 29)  # last Friday, 30.04, is Store Bededag and the month ends
    assert last[11] == D(2021, 12, 30)  # 31.12 closed


def test_every_2nd_month_quarterly_half_yearly_yearly_months() -> None:
    cases = {
        "every_2nd_month": (2, [2, 4, 6, 8, 10, 12]),
        "quarterly": (3, [3, 6, 9, 12]),
        "half_yearly": (3, [3, 9]),
        "yearly": (11, [11]),
    }
    for every, (start, months) in cases.items():
        wheel = followup_wheel(f"    every: {every}\n    start_month: {start}\n")
        assert [d.month for d in dates_of(wheel, 2021, "f")] == months, every


def test_start_month_wraps_around_the_year() -> None:
    wheel = followup_wheel("    every: quarterly\n    start_month: 11\n")
    assert [d.month for d in dates_of(wheel, 2021, "f")] == [2, 5, 8, 11]


def test_every_14_days_follows_start_and_skips_easter() -> None:
    wheel = followup_wheel('    every: every_14_days\n    start: "2021-01-07"\n')
    got = wheel.events(2021)
    assert got[0].date == D(2021, 1, 7)
    easter = [e for e in got if e.nominal_date == D(2021, 4, 1)]
    assert [e.date for e in easter] == [D(2021, 4, 6)]
    assert len(got) == 26
    before = wheel.events(2020)[-1]
    assert before.nominal_date == D(2020, 12, 24)
    assert before.date == D(2020, 12, 28)


def test_every_14_days_on_a_weekday() -> None:
    wheel = followup_wheel('    every: every_14_days\n    start: "2021-01-04"\n    on: {weekday: tuesday}\n')
    assert dates_of(wheel, 2021, "f")[:2] == [D(2021, 1, 5), D(2021, 1, 19)]


on_specs = st.one_of(
    st.sampled_from(["first_working_day", "last_working_day"]).map(lambda n: On(named=n)),
    st.integers(1, 31).map(lambda d: On(day=d)),
    st.builds(On, weekday=st.sampled_from(["monday", "tuesday", "wednesday", "thursday", "friday"]),
              week=st.sampled_from([1, 2, 3, 4, "last"])),
)


@settings(deadline=None)
@given(years, st.sampled_from(list(Frequency)), on_specs, st.integers(1, 12),
       st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)))
def test_occurrences_per_year(year: int, every: Frequency, on: On, start_month: int, start: dt.date) -> None:
    if every is Frequency.every_14_days:
        f = FollowUp(id="f", title="F", every=every, start=start)
    else:
        f = FollowUp(id="f", title="F", every=every, on=on,
                     start_month=None if every is Frequency.monthly else start_month)
    wheel = Wheel(closed_days=("24.12", "31.12"), followups=(f,))
    got = wheel.events(year)
    if every is Frequency.every_14_days:
        assert len(got) in (26, 27)
    else:
        assert len(got) == every.per_year
        assert all(e.date.month == e.nominal_date.month for e in got)
    assert all(e.date.year == year and wheel.calendar.is_working_day(e.date) for e in got)
    assert len({e.id for e in got}) == len(got)


# ----------------------------------------------------------------------------- random wheels, properties

date_texts = st.one_of(
    st.builds(lambda d: f"{d.day:02d}.{d.month:02d}",
              st.dates(min_value=D(2001, 1, 1), max_value=D(2001, 12, 31))),
    st.sampled_from(["Q1", "Q2", "Q3", "Q4", "H1", "H2"]),
)


@st.composite
def wheels(draw: st.DrawFn) -> Wheel:
    n = draw(st.integers(1, 6))
    milestones = []
    for i in range(n):
        kind = draw(st.sampled_from(["as_of", "due"]))
        roll = None if kind == "as_of" else draw(st.sampled_from([None, "none", "next", "previous"]))
        if i and draw(st.booleans()):
            target = f"m{draw(st.integers(0, i - 1))}"
            after = (After(milestone=target, working_days=draw(st.integers(0, 260))) if draw(st.booleans())
                     else After(milestone=target, days=draw(st.integers(0, 366))))
            milestones.append(Milestone(id=f"m{i}", title="M", type=kind, roll=roll, after=after))
        else:
            text = draw(date_texts)
            at = draw(st.sampled_from([None, "start", "end"])) if text[0] in "QH" else None
            milestones.append(Milestone(id=f"m{i}", title="M", type=kind, roll=roll, date=text, at=at))
    closed = draw(st.lists(st.sampled_from(["24.12", "31.12", "05.06", "02.01", "01.05"]), unique=True))
    return Wheel(roll=draw(st.sampled_from(["none", "next", "previous"])), closed_days=tuple(closed),
                 milestones=tuple(milestones))


@settings(deadline=None, max_examples=60)
@given(wheels(), years)
def test_no_event_outside_the_year_and_rolled_deadlines_are_working_days(wheel: Wheel, year: int) -> None:
    got = wheel.events(year)
    assert all(e.date.year == year for e in got)
    assert got == sorted(got, key=lambda e: (e.date, e.definition))
    by_id = {m.id: m for m in wheel.milestones}
    for e in got:
        m = by_id[e.definition]
        policy = m.roll or wheel.roll
        if m.type == "as_of" and m.after is None:
            assert e.date == e.nominal_date
        if m.type == "due" and policy != "none":
            assert wheel.calendar.is_working_day(e.date)
    date_based = [m.id for m in wheel.milestones if m.after is None]
    assert sorted(e.definition for e in got if e.definition in date_based) == sorted(date_based)


# -------------------------------------------------------------------------------------------- extras


def test_extra_events_are_merged_and_checked() -> None:
    wheel = Wheel.parse(ROLLS)
    extra = WheelEvent(id="minister@2021-04-30", definition="minister", title="Ministermål", kind="due",
                       date=D(2021, 4, 30), nominal_date=D(2021, 4, 30))
    got = wheel.events(2021, [extra])
    assert [e.definition for e in got] == ["due-previous", "cutoff", "due-none", "minister", "due-next"]
    assert extra not in wheel.events(2021)
    with pytest.raises(ValueError, match="outside 2022"):
        wheel.events(2022, [extra])
    with pytest.raises(ValueError, match="id of another event"):
        wheel.events(2021, [extra.model_copy(update={"id": "cutoff@2021-04-30"})])


# -------------------------------------------------------------------------------------------- errors


def test_unknown_field_points_at_it_with_did_you_mean() -> None:
    got = errors('milestones:\n  - id: a\n    title: A\n    date: "30.04"\n    responsibel: direktoer\n')
    assert got == ["wheel.yaml:5:5: milestones[0].responsibel: unknown field 'responsibel' "
                   "(hint: did you mean 'responsible'?)"]


def test_impossible_dates() -> None:
    got = errors("""milestones:
  - {id: a, title: A, date: "31.02"}
  - {id: b, title: B, date: "2021-02-31"}
  - {id: c, title: C, date: 30.10}
  - {id: d, title: D, date: "29.02"}
  - {id: e, title: E, date: Q5}
""")
    assert len(got) == 5
    assert got[0].startswith("wheel.yaml:2:23: milestones[0].date: '31.02' is not a date that exists")
    assert got[1].startswith("wheel.yaml:3:23: milestones[1].date: '2021-02-31' "
                             "is not a date that exists in 2021")
    assert got[2].startswith("wheel.yaml:4:23:") and "quotes" in got[2]
    assert "'29.02' is not a date that exists in 2021" in got[3]
    assert "'Q5' is not a date" in got[4] and "Q1–Q4" in got[4]


def test_unknown_milestone_in_after_duplicate_ids_and_cycles_all_at_once() -> None:
    got = errors("""milestones:
  - {id: budgetkontrol, title: A, date: "30.04"}
  - id: svar
    title: B
    after: {milestone: budgetkontrl, working_days: 10}
  - {id: x, title: X, after: {milestone: y, days: 1}}
  - {id: y, title: Y, after: {milestone: x, days: 1}}
  - {id: budgetkontrol, title: C, date: Q2}
followups:
  - {id: svar, title: S, every: monthly}
""")
    assert got == [
        "wheel.yaml:5:13: milestones[1].after.milestone: unknown milestone 'budgetkontrl' "
        "(hint: did you mean 'budgetkontrol'?)",
        "wheel.yaml:6:23: milestones[2].after: after: goes round in a circle: x → y → x "
        "(hint: one milestone in the chain needs a date instead of after)",
        "wheel.yaml:8:6: milestones[4].id: id 'budgetkontrol' is used twice (hint: first used at line 2)",
        "wheel.yaml:10:6: followups[0].id: id 'svar' is used twice (hint: first used at line 3)",
    ]


def test_self_reference_is_a_cycle() -> None:
    got = errors("milestones:\n  - {id: a, title: A, after: {milestone: a, days: 1}}\n")
    assert len(got) == 1 and "circle: a → a" in got[0]


def test_enum_typos_get_hints() -> None:
    got = errors("""roll: nxt
followups:
  - {id: f, title: F, every: montly}
  - id: g
    title: G
    every: monthly
    on: frist_working_day
  - {id: h, title: H, every: quarterly, on: {dya: 3}}
""")
    assert len(got) == 4
    assert got[0] == "wheel.yaml:1:1: roll: 'nxt' is not allowed (hint: did you mean 'next'?)"
    assert "did you mean 'monthly'?" in got[1] and got[1].startswith("wheel.yaml:3:")
    assert "did you mean 'first_working_day'?" in got[2] and got[2].startswith("wheel.yaml:7:5:")
    assert "unknown field 'dya'" in got[3] and "did you mean 'day'?" in got[3]


def test_followup_and_milestone_consistency_errors() -> None:
    got = errors("""timezone: Europe/Copenhagn
closed_days: ["24.12", 31.12]
followups:
  - {id: h, title: H, every: every_14_days}
  - {id: i, title: I, every: monthly, start_month: 3}
  - {id: j, title: J, every: quarterly, start: 2021-01-01}
milestones:
  - {id: a, title: A, type: as_of, roll: next, date: "01.05"}
  - {id: b, title: B}
  - {id: c, title: C, date: "01.05", at: start}
""")
    text = "\n".join(got)
    assert len(got) == 8, text
    assert "wheel.yaml:1:1: timezone: unknown time zone 'Europe/Copenhagn' " \
           "(hint: did you mean 'Europe/Copenhagen'?)" in got
    assert "wheel.yaml:2:24: closed_days[1]: 31.12 is a number here" in text
    assert "every_14_days needs start" in text
    assert "a monthly follow-up happens every month" in text
    assert "start is only for every_14_days" in text
    assert "an as_of milestone is a data cut-off and never moves" in text
    assert "milestone 'b' has no date" in text
    assert "at: applies only to quarters and half-years" in text


def test_empty_and_non_mapping_files() -> None:
    assert "the wheel file is empty" in errors("")[0]
    assert "mapping" in errors("- a\n- b\n")[0]


def test_yaml_syntax_error_has_a_position() -> None:
    assert errors("milestones:\n  - id: a\n   title: b\n")[0].startswith("wheel.yaml:3:")


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        Wheel.load(tmp_path / "nope.yaml")


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(ConfigError, match="unknown milestone 'nope'"):
        Wheel(milestones=(Milestone(id="a", title="A", after=After(milestone="nope", days=1)),))


# ------------------------------------------------------------------------------------------ rendering


def test_render_text_labels_and_moved_dates() -> None:
    wheel = Wheel.load(VEJLE)
    text = render_text(wheel.events(2021), 2021, wheel.calendar)
    assert text.startswith("Årshjul 2021\n")
    for heading in ("1. kvartal 2021", "2. kvartal 2021", "3. kvartal 2021", "4. kvartal 2021"):
        assert heading in text
    assert "falder på en lukkedag (Store bededag); en skæringsdato flyttes ikke" in text
    assert "flyttet fra fre 31.12 (Nytårsaften)" in text
    assert "flyttet fra søn 15.08 (søndag)" in text
    assert "leverancer: beskaeftigelsesplan, virksomhedsplaner" in text
    assert "    fre 30.04  Store bededag" in text


def test_render_json_round_trips_with_sorted_keys() -> None:
    events = Wheel.load(VEJLE).events(2021)
    text = render_json(events)
    data = json.loads(text)
    assert [WheelEvent.model_validate(row) for row in data] == events
    assert all(list(row) == sorted(row) for row in data)


def test_render_ics_is_a_valid_calendar() -> None:
    events = Wheel.load(VEJLE).events(2021)
    text = render_ics(events, "Vejle Kommune")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"])
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(events)
    uids = [str(v["UID"]) for v in vevents]
    assert uids == [f"{e.id}@govcore" for e in events]
    first = vevents[0]
    start = first.decoded("DTSTART")
    assert type(start) is dt.date
    assert first.decoded("DTEND") == start + dt.timedelta(days=1)
    assert first.decoded("DTSTAMP") == dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    control = next(v for v in vevents if str(v["UID"]).startswith("budgetkontrol-30-04@"))
    assert "direktoer" in str(control["SUMMARY"])
    assert "Deltagere: arbejdsmarkedschef" in str(control["DESCRIPTION"])
    assert control["CATEGORIES"].to_ical() == b"milestone"
    assert {v["CATEGORIES"].to_ical() for v in vevents} == {b"milestone", b"followup"}


@settings(deadline=None, max_examples=15)
@given(years, st.randoms(use_true_random=False))
def test_rendering_is_deterministic(year: int, rnd: random.Random) -> None:
    first = Wheel.load(VEJLE)
    second = Wheel.load(VEJLE)
    events = first.events(year)
    shuffled = list(second.events(year))
    rnd.shuffle(shuffled)
    assert render_json(events) == render_json(shuffled)
    assert render_ics(events, "Vejle") == render_ics(shuffled, "Vejle")
    assert render_text(events, year, first.calendar) == render_text(shuffled, year, second.calendar)


PER_YEAR = """
milestones:
  - id: plan
    title: Beskæftigelsesplan
    date: "30.09"
    in_year:
      - {year: 2022, date: "14.10"}
      - {year: 2023, skip: true}
      - {year: 2024, date: 2024-11-01}
  - id: svar
    title: Svar på planen
    after: {milestone: plan, working_days: 5}
  - id: engang
    title: Ekstraordinær frist
    date: 2022-06-15
"""


def test_a_milestone_moved_or_absent_in_one_year_and_a_one_off() -> None:
    w = Wheel.parse(PER_YEAR)
    dates = {y: [(e.definition, e.date.isoformat()) for e in w.events(y)] for y in (2021, 2022, 2023, 2024)}
    assert dates == {
        2021: [("plan", "2021-09-30"), ("svar", "2021-10-07")],
        2022: [("engang", "2022-06-15"), ("plan", "2022-10-14"), ("svar", "2022-10-21")],
        2023: [],
        2024: [("plan", "2024-11-01"), ("svar", "2024-11-08")],
    }


def test_per_year_changes_are_checked_with_positions() -> None:
    bad = """
milestones:
  - id: plan
    title: Plan
    date: "30.09"
    in_year:
      - {year: 2022, date: 2021-10-14}
      - {year: 2023, date: foo}
      - {year: 2023, skip: true}
"""
    with pytest.raises(ConfigError) as err:
        Wheel.parse(bad)
    text = err.value.format()
    assert "7:" in text and "2021-10-14 is not in 2022" in text
    assert "'foo' is not a date" in text
    assert "2023 is changed twice" in text
