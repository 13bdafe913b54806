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

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

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
    with pytest.raises(ValueError, match=r"^extra event 'minister@2021-04-30' is dated 2021-04-30, outside 2022$"):
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
    assert "the milestone B (b) has no date" in text
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


@pytest.mark.usefixtures("danish")  # pins the Danish listing
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


def test_render_ics_is_a_valid_calendar(danish: None) -> None:
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


# ------------------------------------------------------------------- every check, word for word


def test_each_followup_and_date_mistake_has_its_own_message() -> None:
    got = errors("""followups:
  - {id: h, title: H, every: every_14_days, start: 2021-01-05, start_month: 2, on: {weekday: monday, week: 2}}
  - {id: i, title: I, every: every_14_days, start: 2021-01-05, on: first_working_day}
milestones:
  - {id: a, title: A, after: {milestone: h, days: 1}}
  - {id: b, title: B, at: end}
  - {id: c, title: C, date: H3}
  - {id: d, title: D, date: "2.13"}
  - {id: e, title: E, date: "30.04", after: {milestone: d, days: 1}}
  - {id: g, title: G, date: "30.4.2021"}
""")
    assert got == [
        "wheel.yaml:2:64: followups[0].start_month: start_month does not apply to every_14_days "
        "(hint: the rhythm follows start)",
        "wheel.yaml:2:80: followups[0].on: every_14_days takes only on: {weekday: …} "
        "(hint: or leave on out: the meetings fall on start's weekday)",
        "wheel.yaml:3:64: followups[1].on: every_14_days takes only on: {weekday: …} "
        "(hint: or leave on out: the meetings fall on start's weekday)",
        "wheel.yaml:5:31: milestones[0].after.milestone: 'h' is a follow-up; after: must name a milestone",
        "wheel.yaml:6:5: milestones[1]: the milestone B (b) has no date "
        "(hint: give date: (e.g. \"30.04\") or after: {milestone: …, working_days: N})",
        "wheel.yaml:6:23: milestones[1].at: at: applies only to quarters and half-years",
        "wheel.yaml:7:23: milestones[2].date: 'H3' is not a half-year (hint: write H1 or H2)",
        "wheel.yaml:8:23: milestones[3].date: '2.13' is not a date that exists: there is no month 13 "
        "(hint: check the day and the month (DD.MM))",
        "wheel.yaml:9:38: milestones[4].after: give either date or after, not both",
        "wheel.yaml:10:23: milestones[5].date: '30.4.2021' is not a date (hint: write DD.MM (30.04), a quarter "
        "(Q1–Q4), a half-year (H1, H2) or a date (2021-04-30))",
    ]


def test_consistency_messages_word_for_word() -> None:
    got = errors("""timezone: Mars/Olympus
closed_days: ["24.12", 31.12, "31.02"]
followups:
  - {id: h, title: H, every: every_14_days}
  - {id: i, title: I, every: monthly, start_month: 3}
  - {id: j, title: J, every: quarterly, start: 2021-01-01}
milestones:
  - {id: a, title: A, type: as_of, roll: next, date: "01.05"}
  - {id: c, title: C, date: "01.05", at: start}
  - {id: d, title: D, date: "29.02"}
  - {id: e, title: E, date: "2021-02-29"}
""")
    assert got == [
        "wheel.yaml:1:1: timezone: unknown time zone 'Mars/Olympus' (hint: e.g. Europe/Copenhagen)",
        "wheel.yaml:2:24: closed_days[1]: 31.12 is a number here, not a date "
        "(hint: put the date in quotes, e.g. \"30.10\": without them YAML reads 30.10 as 30.1)",
        "wheel.yaml:2:31: closed_days[2]: '31.02' is not a date that exists in any year",
        "wheel.yaml:4:5: followups[0]: every_14_days needs start: the date of one meeting "
        "(hint: e.g. start: \"2021-01-05\")",
        "wheel.yaml:5:39: followups[1].start_month: a monthly follow-up happens every month "
        "(hint: remove start_month)",
        "wheel.yaml:6:41: followups[2].start: start is only for every_14_days, not quarterly "
        "(hint: use start_month to choose the months)",
        "wheel.yaml:8:36: milestones[0].roll: an as_of milestone is a data cut-off and never moves "
        "(hint: remove roll, or use type: due for a deadline)",
        "wheel.yaml:9:38: milestones[1].at: at: applies only to quarters and half-years "
        "(hint: remove at, or write date: Q1 … Q4 / H1, H2)",
        "wheel.yaml:10:23: milestones[2].date: '29.02' is not a date that exists in 2021 or any year that is not "
        "a leap year (hint: use 28.02 or 01.03)",
        "wheel.yaml:11:23: milestones[3].date: '2021-02-29' is not a date that exists in 2021 "
        "(hint: check the day and the month (YYYY-MM-DD))",
    ]


@pytest.mark.parametrize(("on", "message"), [
    ("{weekday: monday, day: 2}", "give one of first_working_day, last_working_day, {day: N} or {weekday: …}"),
    ("{week: 2}", "give one of first_working_day, last_working_day, {day: N} or {weekday: …}"),
    ("{day: 2, week: 2}", "week goes with weekday, e.g. {weekday: tuesday, week: 2}"),
])
def test_on_takes_one_rule(on: str, message: str) -> None:
    (got,) = errors(f"followups:\n  - {{id: i, title: I, every: monthly, on: {on}}}\n")
    assert got == f"wheel.yaml:2:39: followups[0].on: {message}"


@pytest.mark.parametrize("after", ["{milestone: a, days: 1, working_days: 2}", "{milestone: a}"])
def test_after_takes_one_offset(after: str) -> None:
    (got,) = errors(f'milestones:\n  - {{id: a, title: A, date: "01.05"}}\n  - {{id: b, title: B, after: {after}}}\n')
    assert got == ("wheel.yaml:3:23: milestones[1].after: give either working_days or days (calendar days), "
                   "not both or neither")


def test_unknown_roles_are_located_with_a_hint() -> None:
    wheel = Wheel.parse("followups:\n"
                        "  - {id: h, title: H, every: monthly, responsible: chef, participants: [x, chef]}\n"
                        "milestones:\n  - {id: a, title: A, date: Q1, responsible: chfe}\n", "wheel.yaml")
    assert [p.format() for p in wheel.check_roles(["chef", "direktoer"])] == [
        "wheel.yaml:4:33: milestones[0].responsible: unknown role 'chfe' (hint: did you mean 'chef'?)",
        "wheel.yaml:2:73: followups[0].participants[0]: unknown role 'x' (hint: expected one of: chef, direktoer)",
    ]
    assert wheel.check_roles(["chef", "chfe", "x"]) == []


@pytest.mark.parametrize("year", [dt.MINYEAR, dt.MAXYEAR, 0])
def test_a_year_out_of_range_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match=f"^year {year} is out of range$"):
        Wheel.parse("milestones:\n  - {id: a, title: A, date: Q1}\n").events(year)


def test_quarter_and_half_starts_in_any_case() -> None:
    wheel = Wheel.parse("""milestones:
  - {id: h2, title: H, date: "h2", at: start}
  - {id: q3, title: Q, date: "q3", at: start}
  - {id: q1, title: Q, date: "Q1", at: end}
  - {id: h1, title: H, date: "H1"}
""")
    assert [(e.definition, e.nominal_date) for e in wheel.events(2021)] == [
        ("q1", D(2021, 3, 31)), ("h1", D(2021, 6, 30)), ("h2", D(2021, 7, 1)), ("q3", D(2021, 7, 1))]


SMALL = """closed_days: ["31.12"]
milestones:
  - {id: cut, title: Skæringsdato, type: as_of, date: "30.04"}
  - {id: frist, title: Frist, date: "31.12", responsible: chef, participants: [a, b], deliverables: [plan]}
  - {id: svar, title: Svar, after: {milestone: cut, days: 1}, roll: previous}
followups:
  - {id: m, title: Møde, every: quarterly, on: {day: 15}, start_month: 2}
"""


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_render_text_in_full() -> None:
    """The printed wheel an administrator checks: every moved date says from where and why."""
    wheel = Wheel.parse(SMALL)
    assert render_text(wheel.events(2021), 2021, wheel.calendar) == """Årshjul 2021
============

1. kvartal 2021
---------------
  Februar
    man 15.02  opfølgning (hvert kvartal)  Møde*

2. kvartal 2021
---------------
  April
    tor 29.04  frist                       Svar
                                           flyttet fra lør 01.05 (lørdag)
    fre 30.04  skæringsdato                Skæringsdato
                                           falder på en lukkedag (Store bededag); en skæringsdato flyttes ikke
  Maj
    man 17.05  opfølgning (hvert kvartal)  Møde*
                                           flyttet fra lør 15.05 (lørdag)

3. kvartal 2021
---------------
  August
    man 16.08  opfølgning (hvert kvartal)  Møde*
                                           flyttet fra søn 15.08 (søndag)

4. kvartal 2021
---------------
  November
    man 15.11  opfølgning (hvert kvartal)  Møde*
  December
    tor 30.12  frist                       Frist          ansvarlig: chef
                                           deltagere: a, b
                                           leverancer: plan
                                           flyttet fra fre 31.12 (Nytårsaften)

* dagen er valgt i konfigurationen; dokumenterne nævner kun kvartalet eller hyppigheden

Helligdage og lukkedage 2021
----------------------------
    fre 01.01  Nytårsdag
    tor 01.04  Skærtorsdag
    fre 02.04  Langfredag
    søn 04.04  Påskedag
    man 05.04  Anden påskedag
    fre 30.04  Store bededag
    tor 13.05  Kristi himmelfartsdag
    søn 23.05  Pinsedag
    man 24.05  Anden pinsedag
    lør 25.12  Juledag
    søn 26.12  Anden juledag
    fre 31.12  Nytårsaften
"""


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_render_text_of_an_empty_year() -> None:
    wheel = Wheel.parse("milestones: []\n")
    text = render_text([], 2024, wheel.calendar)
    assert text.startswith("Årshjul 2024\n============\n\n(ingen begivenheder)\n\n\nHelligdage og lukkedage 2024\n")
    assert "Store bededag" not in text


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_render_ics_event_text() -> None:
    wheel = Wheel.parse(SMALL)
    events = {e.definition: e for e in wheel.events(2021)}
    cal = icalendar.Calendar.from_ical(render_ics([events["frist"], events["m"]], "Vejle Kommune"))
    assert str(cal["X-WR-CALNAME"]) == "Årshjul – Vejle Kommune"
    assert (str(cal["CALSCALE"]), str(cal["METHOD"])) == ("GREGORIAN", "PUBLISH")
    meeting, frist = cal.walk("VEVENT")
    assert str(meeting["SUMMARY"]) == "Møde"
    assert str(meeting["DESCRIPTION"]) == ("Type: opfølgning, hvert kvartal\n"
                                           "Dagen er valgt i konfigurationen; dokumenterne nævner kun kvartalet "
                                           "eller hyppigheden")
    assert str(meeting["TRANSP"]) == "TRANSPARENT"
    assert str(frist["SUMMARY"]) == "Frist (ansvarlig: chef)"
    assert str(frist["DESCRIPTION"]) == ("Type: frist\nAnsvarlig: chef\nDeltagere: a, b\nLeverancer: plan\n"
                                         "Flyttet fra 31.12.2021")


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_a_due_date_kept_on_a_holiday_is_noted_without_the_cut_off_remark() -> None:
    wheel = Wheel.parse('milestones:\n  - {id: a, title: Årsplan, date: "30.04", roll: none}\n')
    text = render_text(wheel.events(2021), 2021, wheel.calendar)
    assert "    fre 30.04  frist  Årsplan\n" in text
    assert "falder på en lukkedag (Store bededag)\n" in text
    assert "skæringsdato" not in text


def test_render_json_is_indented_and_keeps_danish_letters() -> None:
    wheel = Wheel.parse('milestones:\n  - {id: a, title: Årsplan for ældre, date: "30.04"}\n')
    text = render_json(wheel.events(2021))
    assert text.startswith('[\n  {\n    "by_others": "",\n    "date": "2021-05-03",\n    "date_basis": "document",\n')
    assert '"title": "Årsplan for ældre"' in text
    assert text.endswith("}\n]\n")


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_render_ics_names_its_producer_and_lists_deliverables() -> None:
    wheel = Wheel.parse('milestones:\n  - {id: a, title: A, date: "30.04", deliverables: [plan, budget]}\n')
    text = render_ics(wheel.events(2021), "Vejle")
    assert "\r\nPRODID:-//govcore//Årshjul//DA\r\n" in text
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == "Type: frist\nLeverancer: plan, budget\nFlyttet fra 30.04.2021"


def test_a_parsed_text_is_named_string_in_messages() -> None:
    with pytest.raises(ConfigError) as info:
        Wheel.parse("milestones: 3\n")
    assert info.value.problems[0].format().startswith("<string>:1:1: milestones: ")


def _dated(body: str, year: int = 2021) -> list[tuple[dt.date, dt.date]]:
    return [(e.nominal_date, e.date) for e in Wheel.parse(body).events(year)]


def test_the_last_weekday_of_each_month() -> None:
    fridays = _dated("followups:\n  - {id: f, title: F, every: monthly, on: {weekday: friday, week: last}}\n")
    assert fridays[:4] == [(D(2021, 1, 29), D(2021, 1, 29)), (D(2021, 2, 26), D(2021, 2, 26)),
                           (D(2021, 3, 26), D(2021, 3, 26)), (D(2021, 4, 30), D(2021, 4, 29))]
    mondays = _dated("followups:\n  - {id: f, title: F, every: monthly, on: {weekday: monday, week: last}}\n")
    assert [n for n, _ in mondays[:4]] == [D(2021, 1, 25), D(2021, 2, 22), D(2021, 3, 29), D(2021, 4, 26)]


def test_a_quarterly_followup_without_start_month_starts_in_january() -> None:
    assert [d for _, d in _dated("followups:\n  - {id: f, title: F, every: quarterly}\n")] == [
        D(2021, 1, 4), D(2021, 4, 6), D(2021, 7, 1), D(2021, 10, 1)]


def test_every_14_days_from_new_years_day_a_weekday_and_an_earlier_year() -> None:
    on_jan1 = _dated("followups:\n  - {id: f, title: F, every: every_14_days, start: 2021-01-01}\n")
    assert on_jan1[:2] == [(D(2021, 1, 1), D(2021, 1, 4)), (D(2021, 1, 15), D(2021, 1, 15))]
    monday = _dated("followups:\n  - {id: f, title: F, every: every_14_days, start: 2021-01-06, "
                    "on: {weekday: monday}}\n")
    assert [d for _, d in monday[:2]] == [D(2021, 1, 11), D(2021, 1, 25)]
    earlier = _dated("followups:\n  - {id: f, title: F, every: every_14_days, start: 2020-01-07}\n")
    assert [d for _, d in earlier[:2]] == [D(2021, 1, 5), D(2021, 1, 19)]


def test_a_14_day_meeting_moves_at_most_six_days() -> None:
    """Closed from 10.03 to 22.03: the 16.03 meeting cannot move a week without meeting its neighbour."""
    closed = ", ".join(f'"2021-03-{d:02d}"' for d in range(10, 23))
    got = _dated(f"closed_days: [{closed}]\nfollowups:\n  - {{id: f, title: F, every: every_14_days, "
                 "start: 2021-03-16}\n")
    assert got[5:7] == [(D(2021, 3, 16), D(2021, 3, 16)), (D(2021, 3, 30), D(2021, 3, 30))]


def test_a_weekday_without_week_is_the_first_of_the_month() -> None:
    tuesdays = _dated("followups:\n  - {id: f, title: F, every: quarterly, on: {weekday: tuesday}}\n")
    assert [n for n, _ in tuesdays] == [D(2021, 1, 5), D(2021, 4, 6), D(2021, 7, 6), D(2021, 10, 5)]


CHAINS = """milestones:
  - {id: once, title: O, date: 2022-03-01}
  - {id: c, title: C, type: as_of, date: "30.04"}
  - {id: d, title: D, after: {milestone: once, days: 1}}
  - {id: e, title: E, after: {milestone: c, days: 1}}
  - {id: f, title: F, after: {milestone: c, days: 0}}
"""


def test_chains_after_a_one_off_and_after_zero_days() -> None:
    wheel = Wheel.parse(CHAINS)
    assert [(e.id, e.nominal_date) for e in wheel.events(2021)] == [
        ("c@2021-04-30", D(2021, 4, 30)), ("e@2021-05-03", D(2021, 5, 1)), ("f@2021-05-03", D(2021, 4, 30))]
    assert [e.id for e in wheel.events(2022)] == [
        "once@2022-03-01", "d@2022-03-02", "c@2022-04-30", "e@2022-05-02", "f@2022-05-02"]


def test_a_chain_rolled_back_from_new_years_day_lands_in_the_old_year() -> None:
    """A bug this suite found: the event was anchored next year and so shown in no year at all."""
    wheel = Wheel.parse("""milestones:
  - {id: a, title: A, type: as_of, date: "01.01"}
  - {id: b, title: B, after: {milestone: a, days: 0}, roll: previous}
""")
    assert [e.id for e in wheel.events(2021)] == ["a@2021-01-01", "b@2021-12-31"]
    assert [(e.nominal_date, e.date) for e in wheel.events(2021) if e.definition == "b"] == [
        (D(2022, 1, 1), D(2021, 12, 31))]
    assert wheel.events(9998)[0].id == "a@9998-01-01"      # the last year there is: no anchor beyond it


def test_events_carry_every_field_of_their_definition() -> None:
    wheel = Wheel.parse("""milestones:
  - {id: m, title: M, date: "01.03", responsible: chef, participants: [a], deliverables: [plan], description: Om M}
followups:
  - {id: f, title: F, every: yearly, start_month: 3, on: {day: 2}, responsible: chef, participants: [a, b],
     deliverables: [plan], description: Om F}
""")
    m, f = wheel.events(2021)
    assert (m.responsible, m.participants, m.deliverables, m.description) == ("chef", ("a",), ("plan",), "Om M")
    assert (f.responsible, f.participants, f.deliverables, f.description, f.frequency) == (
        "chef", ("a", "b"), ("plan",), "Om F", Frequency.yearly)


def test_two_extra_events_may_not_share_an_id() -> None:
    wheel = Wheel.parse("milestones: []\n")
    extra = WheelEvent(id="x@2021-04-30", definition="x", title="X", kind="due", date=D(2021, 4, 30),
                       nominal_date=D(2021, 4, 30))
    assert wheel.events(2021, [extra]) == [extra]
    with pytest.raises(ValueError, match=r"^extra event 'x@2021-04-30' has the id of another event$"):
        wheel.events(2021, [extra, extra.model_copy(update={"date": D(2021, 5, 3)})])


def test_a_milestone_built_with_a_date_is_a_one_off() -> None:
    wheel = Wheel(milestones=(Milestone(id="a", title="A", date=D(2021, 3, 1)),))
    assert [(e.id, e.nominal_date) for e in wheel.events(2021)] == [("a@2021-03-01", D(2021, 3, 1))]
    assert wheel.events(2022) == []


def test_long_chains_reach_back_years() -> None:
    by_days = Wheel.parse("""milestones:
  - {id: a, title: A, date: "01.03"}
  - {id: b, title: B, after: {milestone: a, days: 366}}
  - {id: c, title: C, after: {milestone: b, days: 366}}
  - {id: d, title: D, after: {milestone: c, days: 366}}
""")
    assert [e.id for e in by_days.events(2024)] == ["a@2024-03-01", "b@2024-03-01", "c@2024-03-04", "d@2024-03-04"]
    by_working_days = Wheel.parse("""milestones:
  - {id: a, title: A, date: "01.03"}
  - {id: b, title: B, after: {milestone: a, working_days: 260}}
  - {id: c, title: C, after: {milestone: b, working_days: 260}}
""")
    assert [e.id for e in by_working_days.events(2024)] == ["a@2024-03-01", "b@2024-03-12", "c@2024-03-20"]


def test_no_anchor_beyond_the_last_year() -> None:
    """A chain from 30.12.9999 would run past the last date there is; 9998 must not compute it."""
    wheel = Wheel.parse('milestones:\n  - {id: x, title: X, date: "30.12"}\n'
                        "  - {id: y, title: Y, after: {milestone: x, days: 5}}\n")
    assert [e.id for e in wheel.events(9998)] == ["y@9998-01-05", "x@9998-12-30"]


def test_an_unquoted_date_is_named_as_the_number_yaml_read() -> None:
    (got,) = errors("milestones:\n  - {id: a, title: A, date: 30.10}\n")
    assert got == ("wheel.yaml:2:23: milestones[0].date: 30.1 is a number here, not a date "
                   "(hint: put the date in quotes, e.g. \"30.10\": without them YAML reads 30.10 as 30.1)")


def test_file_level_messages_and_hints_word_for_word() -> None:
    hint = " (hint: start with 'milestones:' and/or 'followups:')"
    assert errors("") == ["wheel.yaml:1:1: the wheel file is empty" + hint]
    assert errors("- a\n- b\n") == ["wheel.yaml:1:1: a wheel file is a mapping of settings, not a list or text" + hint]
    with pytest.raises(ConfigError) as info:
        Wheel(milestones=(Milestone(id="a", title="A", date="Q1"), Milestone(id="a", title="B", date="Q2")))
    assert [p.format() for p in info.value.problems] == [
        "<wheel>:1:1: milestones[1].id: id 'a' is used twice (hint: each id must be unique)"]


def test_a_cycle_is_told_from_the_milestone_first_in_the_file() -> None:
    got = errors("milestones:\n  - {id: y, title: Y, after: {milestone: x, days: 1}}\n"
                 "  - {id: x, title: X, after: {milestone: y, days: 1}}\n")
    assert got == ["wheel.yaml:2:23: milestones[0].after: after: goes round in a circle: y → x → y "
                   "(hint: one milestone in the chain needs a date instead of after)"]


def test_a_year_and_a_day_from_new_years_eve_lands_two_years_on() -> None:
    wheel = Wheel.parse('milestones:\n  - {id: a, title: A, date: "31.12"}\n'
                        "  - {id: b, title: B, after: {milestone: a, days: 366}}\n")
    assert [e.id for e in wheel.events(2023)] == ["b@2023-01-02", "a@2023-12-29"]


def test_two_interleaved_cycles_are_each_reported_once() -> None:
    got = errors("""milestones:
  - {id: x, title: X, after: {milestone: y, days: 1}}
  - {id: p, title: P, after: {milestone: q, days: 1}}
  - {id: q, title: Q, after: {milestone: p, days: 1}}
  - {id: y, title: Y, after: {milestone: x, days: 1}}
""")
    assert [g.split("circle: ")[1].split(" (hint")[0] for g in got] == ["x → y → x", "p → q → p"]


def test_the_wheel_calendar_keeps_its_time_zone() -> None:
    wheel = Wheel.parse('timezone: Atlantic/Faroe\nmilestones:\n  - {id: a, title: A, date: "01.03"}\n')
    assert wheel.calendar.timezone == "Atlantic/Faroe"


# ------------------------------------------------------------------------------------ references to other files

DELIVERING = ("milestones:\n  - {id: a, title: A, date: Q1, deliverables: [plan, budgt]}\n"
              "followups:\n  - {id: f, title: F, every: monthly, deliverables: [x, plan]}\n"
              "  - {id: g, title: G, every: monthly, responsible: [chef, direktor], participants: [chef]}\n")


def test_unknown_deliverables_are_located_in_milestones_and_followups_with_a_hint() -> None:
    wheel = Wheel.parse(DELIVERING, "wheel.yaml")
    assert [p.format() for p in wheel.check_deliverables(["plan", "budget"])] == [
        "wheel.yaml:2:54: milestones[0].deliverables[1]: no deliverable has the id 'budgt' "
        "(hint: did you mean 'budget'?)",
        "wheel.yaml:4:54: followups[0].deliverables[0]: no deliverable has the id 'x' "
        "(hint: expected one of: budget, plan)",
    ]
    assert wheel.check_deliverables(["plan", "budgt", "x"]) == []


def test_without_a_close_deliverable_the_hint_says_where_to_list_it() -> None:
    wheel = Wheel.parse(DELIVERING, "wheel.yaml")
    assert [p.format() for p in wheel.check_deliverables([])] == [
        f"wheel.yaml:{where}: no deliverable has the id '{d}' (hint: list it under 'deliverables:' in the goals file)"
        for where, d in [("2:48: milestones[0].deliverables[0]", "plan"),
                         ("2:54: milestones[0].deliverables[1]", "budgt"),
                         ("4:54: followups[0].deliverables[0]", "x"),
                         ("4:57: followups[0].deliverables[1]", "plan")]]


def test_a_jointly_responsible_role_is_checked_at_its_place_in_the_list() -> None:
    wheel = Wheel.parse(DELIVERING, "wheel.yaml")
    assert [p.format() for p in wheel.check_roles(["chef", "direktoer"])] == [
        "wheel.yaml:5:59: followups[1].responsible[1]: unknown role 'direktor' (hint: did you mean 'direktoer'?)"]
    assert wheel.check_roles(["chef", "direktor"]) == []


def _listing(text: str) -> str:
    wheel = Wheel.parse(text)
    return render_text(wheel.events(2021), 2021, wheel.calendar).split("\n\nPublic holidays")[0]


CHOSEN_DAY = "* the day is chosen in the configuration; the documents name only the quarter or the frequency"
CHOSEN_ROLE = "(chosen) the responsible role is chosen in the configuration; the documents name none"


def test_the_notes_on_chosen_days_and_roles_appear_exactly_when_an_event_needs_them() -> None:
    """The listing explains '*' and '(chosen)' under the events, once each, only when one is shown."""
    assert _listing('milestones:\n  - {id: a, title: A, date: "01.03", responsible: chef}\n').endswith(
        "    mon 01.03  deadline  A   responsible: chef")
    assert _listing('milestones:\n  - {id: a, title: A, date: "01.03", responsible_basis: chosen}\n').endswith(
        "    mon 01.03  deadline  A")  # no role, so nothing chosen is shown
    assert _listing("milestones:\n  - {id: a, title: A, date: Q1}\n").endswith(
        f"    wed 31.03  deadline  A*\n\n{CHOSEN_DAY}")
    assert _listing('milestones:\n  - {id: a, title: A, date: "01.03", responsible: chef, '
                    'responsible_basis: chosen}\n').endswith(
        f"    mon 01.03  deadline  A   responsible: chef (chosen)\n\n{CHOSEN_ROLE}")
    assert _listing('milestones:\n  - {id: a, title: A, date: Q1, responsible: chef, responsible_basis: chosen}\n'
                    '  - {id: b, title: B, date: "01.03"}\n').endswith(
        f"    mon 01.03  deadline  B\n    wed 31.03  deadline  A*  responsible: chef (chosen)\n\n"
        f"{CHOSEN_DAY}\n{CHOSEN_ROLE}")


def test_a_documents_source_is_quoted_under_the_event_and_a_laws_is_named_as_law() -> None:
    assert _listing('milestones:\n  - {id: a, title: A, date: "01.03", source: "Styringskoncept s. 4"}\n'
                    '  - {id: b, title: B, date: "02.03", date_basis: law, source: "LBK 1"}\n').endswith(
        "    mon 01.03  deadline  A\n"
        "                         source: Styringskoncept s. 4\n"
        "    tue 02.03  deadline  B\n"
        "                         set by law: LBK 1")


def test_a_milestone_skipped_one_year_takes_only_itself_and_what_follows_it_out() -> None:
    wheel = Wheel.parse('''milestones:
  - {id: a, title: A, date: "01.03", in_year: [{year: 2022, skip: true}]}
  - {id: c, title: C, after: {milestone: a, working_days: 2}}
  - {id: b, title: B, date: "01.06"}
''')
    assert [(e.definition, e.date) for e in wheel.events(2021)] == [
        ("a", D(2021, 3, 1)), ("c", D(2021, 3, 3)), ("b", D(2021, 6, 1))]
    assert [(e.definition, e.date) for e in wheel.events(2022)] == [("b", D(2022, 6, 1))]


def test_a_quarter_and_a_half_year_are_days_chosen_by_the_configuration_a_day_is_the_documents() -> None:
    wheel = Wheel.parse('milestones:\n  - {id: h, title: H, date: H1}\n  - {id: q, title: Q, date: Q2}\n'
                        '  - {id: d, title: D, date: "01.06"}\n  - {id: o, title: O, date: "2021-05-03"}\n'
                        '  - {id: l, title: L, date: H2, date_basis: law, source: LBK}\n')
    assert {e.definition: e.date_basis for e in wheel.events(2021)} == {
        "h": "chosen", "q": "chosen", "d": "document", "o": "document", "l": "law"}


def test_events_carry_joint_roles_sources_and_the_basis_of_their_definition() -> None:
    wheel = Wheel.parse("""milestones:
  - {id: m, title: M, date: "01.03", responsible: [chef, direktoer], responsible_basis: chosen, source: Doc M}
followups:
  - {id: f, title: F, every: yearly, start_month: 3, on: {day: 2}, responsible: [chef, udvalg],
     responsible_basis: chosen, source: Tabel F, date_basis: document}
""")
    m, f = wheel.events(2021)
    assert (m.jointly_with, m.responsible_basis, m.source, m.date_basis) == (
        ("direktoer",), "chosen", "Doc M", "document")
    assert (f.jointly_with, f.responsible_basis, f.source, f.date_basis) == (
        ("udvalg",), "chosen", "Tabel F", "document")
    plain = Wheel.parse('milestones:\n  - {id: m, title: M, date: "01.03", responsible: chef}\n'
                        'followups:\n  - {id: f, title: F, every: yearly, start_month: 3, on: {day: 2}}\n')
    m, f = plain.events(2021)
    assert (m.jointly_with, m.responsible_basis, m.source, f.source, f.responsible_basis, f.date_basis) == (
        (), "document", "", "", "document", "chosen")


# ------------------------------------------------------------------- each per-year and provenance check once


def test_each_per_year_change_and_provenance_mistake_word_for_word() -> None:
    got = errors("""milestones:
  - {id: a, title: A, date: "30.09"}
  - id: b
    title: B
    after: {milestone: a, days: 3}
    in_year:
      - {year: 2022, date: "01.10"}
      - {year: 2023, date: "02.10"}
  - id: c
    title: C
    date: "30.09"
    in_year:
      - {year: 2022, date: "31.09"}
      - {year: 2023, date: 2024-01-05}
      - {year: 2023, skip: true}
      - {year: 2022, skip: true}
  - {id: d, title: D, date: "15.10", date_basis: law}
  - {id: e, title: E, date: Q1, type: as_of, by_others: Ministeren, deliverables: [plan]}
  - {id: f, title: F, date: Q1, by_others: Ministeren}
""")
    assert got == [
        "wheel.yaml:7:22: milestones[1].in_year[0].date: a milestone dated with after: follows the other one; "
        "move that one, or write skip",
        "wheel.yaml:8:22: milestones[1].in_year[1].date: a milestone dated with after: follows the other one; "
        "move that one, or write skip",
        "wheel.yaml:13:22: milestones[2].in_year[0].date: '31.09' is not a date that exists in any year "
        "(hint: check the day and the month (DD.MM), or skip: true)",
        "wheel.yaml:14:22: milestones[2].in_year[1].date: 2024-01-05 is not in 2023 "
        "(hint: write a date in 2023, or DD.MM)",
        "wheel.yaml:15:9: milestones[2].in_year[2]: 2023 is changed twice (hint: one change per year)",
        "wheel.yaml:16:9: milestones[2].in_year[3]: 2022 is changed twice (hint: one change per year)",
        "wheel.yaml:17:5: milestones[3].source: a date set by law needs the law as its source "
        "(hint: cite the law, e.g. source: \"Lov om kommunernes styrelse …\")",
        "wheel.yaml:18:46: milestones[4].by_others: 'Ministeren' does this, not a municipal role "
        "(hint: remove responsible and deliverables; participants may follow it)",
        "wheel.yaml:19:5: milestones[5].type: what others do is no deadline for the municipality "
        "(hint: use type: as_of (the day it is known))",
    ]


@pytest.mark.parametrize("change", ["{year: 2022, date: 2022-01-05, skip: true}", "{year: 2022}"])
def test_a_year_change_gives_a_date_or_skips(change: str) -> None:
    (got,) = errors(f'milestones:\n  - {{id: a, title: A, date: "01.05", in_year: [{change}]}}\n')
    assert got == "wheel.yaml:2:48: milestones[0].in_year[0]: give either date: (another date that year) or skip: true"


def test_a_year_change_to_another_quarter_keeps_the_milestones_at() -> None:
    wheel = Wheel.parse("milestones:\n  - {id: a, title: A, date: Q2, at: start, in_year: [{year: 2022, date: Q3}]}\n")
    assert [e.date for e in wheel.events(2022)] == [D(2022, 7, 1)]
    assert [e.date for e in wheel.events(2025)] == [D(2025, 4, 1)]
