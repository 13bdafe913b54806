from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.calendar import ROLL_POLICIES, DanishCalendar, check_timezone, parse_closed_day, parse_day_month
from govcore.i18n import use_language

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

D = dt.date
CAL = DanishCalendar(["24.12", "31.12"])
PLAIN = DanishCalendar()

days = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


def brute_force_count(cal: DanishCalendar, first: dt.date, last: dt.date) -> int:
    n, d = 0, first
    while d <= last:
        n += cal.is_working_day(d)
        if d == dt.date.max:
            break
        d += dt.timedelta(days=1)
    return n


# ------------------------------------------------------------------------------------- holidays


def test_store_bededag_exists_until_2023_and_not_from_2024(danish: None) -> None:
    assert not PLAIN.is_working_day(D(2021, 4, 30))
    assert PLAIN.holiday_name(D(2021, 4, 30)) == "Store bededag"
    assert not PLAIN.is_working_day(D(2023, 5, 5))
    assert PLAIN.is_working_day(D(2024, 4, 26))
    assert PLAIN.holiday_name(D(2024, 4, 26)) is None


def test_weekends_are_closed_but_not_named() -> None:
    assert not PLAIN.is_working_day(D(2021, 5, 1))
    assert PLAIN.holiday_name(D(2021, 5, 1)) is None
    assert PLAIN.is_working_day(D(2021, 5, 3))


def test_extra_closed_days_yearly_and_once(danish: None) -> None:
    cal = DanishCalendar(["24.12", "5.6", "2021-12-27", D(2022, 1, 3)])
    assert PLAIN.is_working_day(D(2021, 12, 24))
    assert not cal.is_working_day(D(2021, 12, 24))
    assert cal.holiday_name(D(2021, 12, 24)) == "Juleaftensdag"
    assert cal.holiday_name(D(2022, 6, 7)) is None
    assert cal.holiday_name(D(2023, 6, 5)) == "Grundlovsdag"
    assert not cal.is_working_day(D(2021, 12, 27))
    assert cal.holiday_name(D(2021, 12, 27)) == "Lukkedag"
    assert cal.is_working_day(D(2022, 12, 27))
    assert not cal.is_working_day(D(2022, 1, 3))


def test_holiday_names_follow_the_readers_language() -> None:
    """An English reader gets the `holidays` library's English names (and 'Closing day'); the
    calendar's own list (`closed_days`, which decides working days) stays Danish."""
    cal = DanishCalendar(["24.12", "2021-12-27"])
    assert cal.holiday_name(D(2021, 4, 30)) == "Great Prayer Day"
    assert cal.holiday_name(D(2021, 12, 24)) == "Christmas Eve"
    assert cal.holiday_name(D(2021, 12, 27)) == "Closing day"
    assert cal.holiday_name(D(2021, 5, 1)) is None
    assert cal.closed_day_names(2021)[D(2021, 1, 1)] == "New Year's Day"
    assert cal.closed_days(2021)[D(2021, 1, 1)] == "Nytårsdag"
    with use_language("da"):
        assert cal.holiday_name(D(2021, 4, 30)) == "Store bededag"
        assert cal.holiday_name(D(2021, 12, 27)) == "Lukkedag"
        assert cal.closed_day_names(2021) is cal.closed_days(2021)


def test_closed_days_lists_holidays_with_names_and_is_cached() -> None:
    closed = CAL.closed_days(2021)
    assert closed[D(2021, 12, 31)] == "Nytårsaften"
    assert closed[D(2021, 5, 13)] == "Kristi himmelfartsdag"
    assert list(closed) == sorted(closed)
    assert CAL.closed_days(2021) is closed


@pytest.mark.parametrize("bad", ["31.02", "32.01", "1.13", "24-12", "tomorrow", "2021-02-30", "29.02"])
def test_bad_closed_days_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match=r"'\S+'"):
        DanishCalendar([bad])


@pytest.mark.parametrize(("bad", "message"), [
    ("31.02", "'31.02' is not a date that exists in any year"),
    ("0.5", "'0.5' is not a date that exists in any year"),
    ("1.13", "'1.13' is not a date that exists: there is no month 13"),
    ("5.0", "'5.0' is not a date that exists: there is no month 0"),
    ("29.02", "'29.02' exists only in leap years; name the dates, e.g. 2024-02-29"),
    ("24-12", "'24-12' is not a closing day; write DD.MM for every year (24.12) or a date (2021-12-27)"),
    (" 2021-02-30 ", "' 2021-02-30 ' is not a closing day; write DD.MM for every year (24.12) or a date (2021-12-27)"),
])
def test_each_closing_day_mistake_has_its_own_message(bad: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        DanishCalendar([bad])
    assert str(err.value) == message


def test_day_and_month() -> None:
    assert parse_day_month(" 29.02 ") == (29, 2)      # a wheel date may name the leap day
    assert parse_day_month("1.12.") == (1, 12)
    assert parse_day_month("12.1") == (12, 1)
    with pytest.raises(ValueError) as err:
        parse_day_month("24-12")
    assert str(err.value) == "'24-12' is not a day and month; write DD.MM, e.g. 24.12"
    with pytest.raises(ValueError, match="there is no month 13"):
        parse_day_month("1.13")


def test_a_calendar_shows_its_closing_days_and_zone() -> None:
    cal = DanishCalendar(["31.12", "5.6", " 2021-12-27 ", D(2020, 1, 2)], timezone="Atlantic/Faroe")
    assert repr(cal) == ("DanishCalendar(extra_closed=['05.06', '31.12', '2020-01-02', '2021-12-27'], "
                         "timezone='Atlantic/Faroe')")
    assert cal.timezone == "Atlantic/Faroe"
    assert DanishCalendar().timezone == "Europe/Copenhagen"
    assert check_timezone("Europe/Copenhagen") == "Europe/Copenhagen"
    with pytest.raises(ValueError) as err:
        check_timezone("Mars/Olympus")
    assert str(err.value) == "unknown time zone 'Mars/Olympus'"


def test_a_closing_day_on_a_public_holiday_keeps_the_holiday_name(danish: None) -> None:
    cal = DanishCalendar(["25.12", "2021-05-13"])
    assert cal.holiday_name(D(2021, 12, 25)) == "Juledag"
    assert cal.holiday_name(D(2021, 5, 13)) == "Kristi himmelfartsdag"
    assert cal.holiday_name(D(2021, 5, 14)) is None


def test_parse_closed_day_forms() -> None:
    assert parse_closed_day(D(2021, 12, 27)) == D(2021, 12, 27)
    assert parse_closed_day("24.12") == (24, 12)
    assert parse_closed_day("5.6.") == (5, 6)
    assert parse_closed_day("2021-12-27") == D(2021, 12, 27)


def test_unknown_timezone_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Copenhagn'"):
        DanishCalendar(timezone="Europe/Copenhagn")


# ---------------------------------------------------------------------------------------- rolling


def test_roll_policies_on_store_bededag() -> None:
    d = D(2021, 4, 30)
    assert PLAIN.roll(d, "none") == d
    assert PLAIN.roll(d, "next") == D(2021, 5, 3)
    assert PLAIN.roll(d, "previous") == D(2021, 4, 29)


def test_roll_keeps_a_working_day() -> None:
    for policy in ROLL_POLICIES:
        assert PLAIN.roll(D(2021, 4, 29), policy) == D(2021, 4, 29)


def test_roll_over_easter() -> None:
    assert PLAIN.roll(D(2021, 4, 1), "next") == D(2021, 4, 6)
    assert PLAIN.roll(D(2021, 4, 5), "previous") == D(2021, 3, 31)


def test_roll_within_turns_back_at_the_edge_of_the_window() -> None:
    dec31 = D(2021, 12, 31)
    assert CAL.roll_within(dec31, "next", D(2021, 1, 1), dec31) == D(2021, 12, 30)
    jan1 = D(2022, 1, 1)
    assert CAL.roll_within(jan1, "previous", jan1, D(2022, 12, 31)) == D(2022, 1, 3)
    saturday = D(2021, 5, 1)
    assert CAL.roll_within(saturday, "none", saturday, saturday) == saturday
    assert CAL.roll_within(saturday, "next", saturday, D(2021, 5, 2)) == saturday


def test_roll_within_at_the_end_of_time_turns_back_instead_of_crashing() -> None:
    end = dt.date.max                              # a Friday, closed here by 31.12
    assert CAL.roll_within(end, "next", D(9999, 12, 1), end) == D(9999, 12, 30)
    assert CAL.roll_within(D(9999, 12, 25), "next", D(9999, 12, 25), end) == D(9999, 12, 27)
    assert CAL.roll_within(D(2021, 5, 1), "previous", D(2021, 4, 1), D(2021, 5, 31)) == D(2021, 4, 29)
    assert CAL.roll_within(D(2021, 5, 1), "next", D(2021, 4, 1), D(2021, 5, 31)) == D(2021, 5, 3)
    assert CAL.roll_within(D(2021, 5, 3), "previous", D(2021, 5, 3), D(2021, 5, 3)) == D(2021, 5, 3)
    assert CAL.roll_within(D(2021, 5, 1), "none", D(2021, 4, 1), D(2021, 5, 31)) == D(2021, 5, 1)


def test_counting_working_days_reaches_the_end_of_time() -> None:
    end = dt.date.max
    assert CAL.working_days_between(end, end) == 0
    assert CAL.working_days_between(D(9999, 12, 24), end) == brute_force_count(CAL, D(9999, 12, 25), end) == 4
    assert CAL.working_days_between(end, D(9999, 12, 24)) == -4


@given(days, st.sampled_from(["next", "previous"]))
def test_rolled_dates_are_the_nearest_working_day(d: dt.date, policy: str) -> None:
    rolled = CAL.roll(d, "next" if policy == "next" else "previous")
    assert CAL.is_working_day(rolled)
    first, last = sorted((d, rolled))
    assert brute_force_count(CAL, first, last) == 1


# ------------------------------------------------------------------------------- counting days


def test_add_working_days_skips_store_bededag_and_weekend() -> None:
    assert PLAIN.add_working_days(D(2021, 4, 29), 1) == D(2021, 5, 3)
    assert PLAIN.add_working_days(D(2021, 4, 30), 1) == D(2021, 5, 3)
    assert PLAIN.add_working_days(D(2021, 4, 30), 10) == D(2021, 5, 17)
    assert PLAIN.add_working_days(D(2021, 5, 3), -1) == D(2021, 4, 29)
    assert PLAIN.add_working_days(D(2021, 5, 3), -2) == D(2021, 4, 28)
    assert PLAIN.add_working_days(D(2021, 5, 1), -1) == D(2021, 4, 29)


def test_add_zero_working_days_means_no_later_than() -> None:
    assert PLAIN.add_working_days(D(2021, 4, 29), 0) == D(2021, 4, 29)
    assert PLAIN.add_working_days(D(2021, 5, 1), 0) == D(2021, 5, 3)


def test_working_days_in_2021() -> None:
    assert PLAIN.working_days_between(D(2020, 12, 31), D(2021, 12, 31)) == 254
    assert CAL.working_days_between(D(2020, 12, 31), D(2021, 12, 31)) == 252
    assert CAL.working_days_between(D(2021, 12, 31), D(2020, 12, 31)) == -252
    assert CAL.working_days_between(D(2021, 4, 29), D(2021, 4, 29)) == 0
    assert CAL.working_days_between(D(2021, 4, 29), D(2021, 5, 3)) == 1     # over Store bededag and a weekend
    assert CAL.working_days_between(D(2021, 5, 3), D(2021, 5, 4)) == 1
    assert CAL.working_days_between(D(2021, 5, 4), D(2021, 5, 3)) == -1


def test_a_holiday_on_a_saturday_is_not_subtracted_twice() -> None:
    # 2021: juledag on Saturday 25.12; 2022: the closing day 24.12 on a Saturday.
    assert CAL.working_days_between(D(2021, 12, 23), D(2021, 12, 31)) == 4
    assert CAL.working_days_between(D(2022, 12, 23), D(2022, 12, 31)) == 4


@given(days, st.integers(min_value=-400, max_value=400).filter(lambda n: n != 0))
def test_add_working_days_lands_on_a_working_day_and_agrees_with_between(d: dt.date, n: int) -> None:
    later = CAL.add_working_days(d, n)
    assert CAL.is_working_day(later)
    assert (later > d) == (n > 0)
    assert CAL.working_days_between(d, later) == n


@settings(max_examples=60)
@given(days, st.integers(min_value=-800, max_value=800))
def test_working_days_between_matches_counting_day_by_day(a: dt.date, offset: int) -> None:
    b = a + dt.timedelta(days=offset)
    if b >= a:
        expected = brute_force_count(CAL, a + dt.timedelta(days=1), b)
    else:
        expected = -brute_force_count(CAL, b, a - dt.timedelta(days=1))
    assert CAL.working_days_between(a, b) == expected


# ------------------------------------------------------------------------------------ time zone


def test_local_datetime_is_a_plain_aware_datetime_in_the_zone() -> None:
    summer = CAL.local_datetime(D(2021, 6, 1), 9)
    winter = CAL.local_datetime(D(2021, 1, 4), 9, 30)
    assert type(summer) is dt.datetime
    assert summer.isoformat() == "2021-06-01T09:00:00+02:00"
    assert winter.isoformat() == "2021-01-04T09:30:00+01:00"


def test_local_datetime_in_the_skipped_hour_moves_forward() -> None:
    assert CAL.local_datetime(D(2021, 3, 28), 2, 30).isoformat() == "2021-03-28T03:30:00+02:00"


def test_local_datetime_that_happens_twice_is_the_later_one() -> None:
    assert CAL.local_datetime(D(2021, 10, 31), 2, 30).isoformat() == "2021-10-31T02:30:00+01:00"
    assert CAL.local_datetime(D(2021, 10, 31), 2, 30) is CAL.local_datetime(D(2021, 10, 31), 2, 30)


def test_a_new_calendar_uses_its_zone() -> None:
    fresh = DanishCalendar(timezone="Europe/Copenhagen")
    assert fresh.local_datetime(D(2021, 6, 1), 9).isoformat() == "2021-06-01T09:00:00+02:00"


def test_local_datetime_other_zone() -> None:
    cal = DanishCalendar(timezone="Atlantic/Faroe")
    assert cal.local_datetime(D(2021, 1, 4), 12).utcoffset() == dt.timedelta(0)
