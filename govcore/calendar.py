"""Danish working days: public holidays, a municipality's own closing days, and roll policies.

Deadlines in Danish administration are counted in working days (hverdage), and a deadline that
falls on a holiday moves. Which holidays exist changes by law (Store Bededag was abolished from
2024), so the `holidays` library is the single source rather than a table kept here. Lookups are
cached per year because a simulation asks the same few years thousands of times for 98
municipalities.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Final, Literal, get_args

import pendulum
from holidays import country_holidays

from govcore.i18n import N_, _, language, use_language

RollPolicy = Literal["none", "next", "previous"]
ROLL_POLICIES: Final[tuple[RollPolicy, ...]] = get_args(RollPolicy)

WEEKDAYS_DA: Final = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_DAY_MONTH = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?$")
_ONE_DAY = dt.timedelta(days=1)
# Any year will do to ask "does this day and month ever exist"; a leap year admits 29.02.
_LEAP_YEAR = 2000


# The `holidays` library's own names: Danish, or English for an English reader.
_HOLIDAY_LANGUAGE = {"da": "da", "en": "en_US"}
CLOSING_DAY = N_("Closing day")


@cache
def _public_holidays(year: int, lang: str = "da") -> Mapping[dt.date, str]:
    found = country_holidays("DK", years=year, language=_HOLIDAY_LANGUAGE[lang])
    return MappingProxyType({d: str(name) for d, name in found.items()})


@cache
def _optional_holidays(year: int, lang: str = "da") -> Mapping[tuple[int, int], str]:
    """Names of the customary days off (juleaftensdag, grundlovsdag, …), used to name closing days."""
    found = country_holidays("DK", years=year, language=_HOLIDAY_LANGUAGE[lang], categories=("optional",))
    return MappingProxyType({(d.month, d.day): str(name) for d, name in found.items()})


def parse_day_month(text: str) -> tuple[int, int]:
    """'24.12' or '5.6' → (day, month). Raises ValueError for text that is no such day in any year."""
    m = _DAY_MONTH.match(text.strip())
    if not m:
        raise ValueError(_("'{value}' is not a day and month; write DD.MM, e.g. 24.12").format(value=text))
    day, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(_("'{value}' is not a date that exists: there is no month {month}").format(
            value=text, month=month))
    try:
        dt.date(_LEAP_YEAR, month, day)
    except ValueError:
        raise ValueError(_("'{value}' is not a date that exists in any year").format(value=text)) from None
    return day, month


def parse_closed_day(value: str | dt.date) -> tuple[int, int] | dt.date:
    """A closing day: yearly as (day, month) from 'DD.MM', or one date from an ISO string or date."""
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if _DAY_MONTH.match(text):
        day, month = parse_day_month(text)
        if (day, month) == (29, 2):
            raise ValueError(_("'29.02' exists only in leap years; name the dates, e.g. 2024-02-29"))
        return day, month
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("'{value}' is not a closing day; write DD.MM for every year (24.12) or a date (2021-12-27)").format(
                value=value)
        ) from None


def check_timezone(name: str) -> str:
    """The name if it is a known IANA time zone, else ValueError (pendulum and zoneinfo share the data)."""
    try:
        pendulum.timezone(name)
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ValueError(_("unknown time zone '{name}'").format(name=name)) from None
    return name


def _weekdays_before(d: dt.date) -> int:
    """Mon–Fri days from 0001-01-01 (a Monday) up to, not including, d."""
    return _weekdays_before_ordinal(d.toordinal())


def _weekdays_before_ordinal(ordinal: int) -> int:
    """`_weekdays_before` by ordinal, so that the day after date.max can be counted to."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


class DanishCalendar:
    """Working days in Denmark: Monday to Friday except public holidays and extra closing days.

    `extra_closed` holds the municipality's own closing days, each either 'DD.MM' (every year,
    e.g. '24.12', '31.12', '05.06' for grundlovsdag) or a single date (ISO text or a date).
    Public holidays follow the law of each year, so 2023-05-05 (Store Bededag) is closed and
    2024-04-26 is not.
    """

    def __init__(
        self, extra_closed: Iterable[str | dt.date] = (), timezone: str = "Europe/Copenhagen"
    ) -> None:
        yearly: set[tuple[int, int]] = set()
        once: set[dt.date] = set()
        for value in extra_closed:
            parsed = parse_closed_day(value)
            if isinstance(parsed, dt.date):
                once.add(parsed)
            else:
                yearly.add(parsed)
        self._yearly = frozenset(yearly)
        self._once = frozenset(once)
        self._timezone = check_timezone(timezone)
        self._zone = zoneinfo.ZoneInfo(timezone)
        self._pendulum_zone = pendulum.timezone(self._timezone)  # pendulum re-reads the zone file otherwise
        self._local: dict[tuple[dt.date, int, int], dt.datetime] = {}
        self._closed: dict[int, Mapping[dt.date, str]] = {}
        self._closed_weekdays: dict[int, list[dt.date]] = {}

    def __repr__(self) -> str:
        extra = sorted(f"{d:02d}.{m:02d}" for d, m in self._yearly)
        extra += sorted(d.isoformat() for d in self._once)
        return f"DanishCalendar(extra_closed={extra!r}, timezone={self._timezone!r})"

    @property
    def timezone(self) -> str:
        return self._timezone

    # ------------------------------------------------------------------------------- closed days

    def closed_days(self, year: int) -> Mapping[dt.date, str]:
        """Every public holiday and extra closing day of the year, with its Danish name.

        Weekends are not listed: they are closed by rule, not by name.
        """
        found = self._closed.get(year)
        if found is None:
            merged = dict(_public_holidays(year))
            named = _optional_holidays(year)
            extra = [dt.date(year, m, d) for d, m in self._yearly] + [d for d in self._once if d.year == year]
            with use_language("da"):
                closing_day = _(CLOSING_DAY)
            for d in extra:
                merged.setdefault(d, named.get((d.month, d.day), closing_day))
            found = MappingProxyType(dict(sorted(merged.items())))
            self._closed[year] = found
            self._closed_weekdays[year] = sorted(d for d in found if d.weekday() < 5)
        return found

    def closed_day_names(self, year: int) -> Mapping[dt.date, str]:
        """`closed_days` with the names in the reader's language (the `holidays` library's English
        names for an English reader; Danish, as `closed_days`, otherwise)."""
        lang = language()
        if lang == "da":
            return self.closed_days(year)
        public, named = _public_holidays(year, lang), _optional_holidays(year, lang)
        return {d: public.get(d) or named.get((d.month, d.day)) or _(CLOSING_DAY) for d in self.closed_days(year)}

    def holiday_name(self, d: dt.date) -> str | None:
        """The name of the holiday or closing day on d in the reader's language; None on ordinary
        days and weekends."""
        return self.closed_day_names(d.year).get(d) if d in self.closed_days(d.year) else None

    def is_working_day(self, d: dt.date) -> bool:
        return d.weekday() < 5 and d not in self.closed_days(d.year)

    # ------------------------------------------------------------------------------------ moving

    def roll(self, d: dt.date, policy: RollPolicy) -> dt.date:
        """d itself if it is a working day; otherwise the nearest working day after ('next') or
        before ('previous') it. 'none' keeps d even when the office is closed."""
        if policy == "none" or self.is_working_day(d):
            return d
        step = _ONE_DAY if policy == "next" else -_ONE_DAY
        while not self.is_working_day(d):
            d += step
        return d

    def roll_within(self, d: dt.date, policy: RollPolicy, first: dt.date, last: dt.date) -> dt.date:
        """Roll d by policy without leaving the window first..last: when the policy would carry the
        date out of the window, roll the other way instead. Keeps d if the window has no working day.

        This is what keeps a monthly meeting in its month and a year's deadline in its year.
        """
        if policy == "none" or self.is_working_day(d):
            return d
        other: RollPolicy = "previous" if policy == "next" else "next"
        for p in (policy, other):
            rolled = self._roll_bounded(d, p, first, last)
            if rolled is not None:
                return rolled
        return d

    def _roll_bounded(self, d: dt.date, policy: RollPolicy, first: dt.date, last: dt.date) -> dt.date | None:
        step = _ONE_DAY if policy == "next" else -_ONE_DAY
        try:
            while first <= d <= last:
                if self.is_working_day(d):
                    return d
                d += step
        except OverflowError:
            pass
        return None

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after d (n > 0) or strictly before it (n < 0).

        "Svar senest 10 hverdage efter budgetkontrollen" is add_working_days(budgetkontrol, 10):
        the day itself does not count, whether or not it is a working day. n = 0 means "no later
        than d": d if it is a working day, else the next one.
        """
        if n == 0:
            return self.roll(d, "next")
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after a up to and including b; negative (counted from b up to, not
        including, a) when b is before a. So working_days_between(d, add_working_days(d, n)) == n
        for every n != 0.
        """
        if b < a:
            return -self._count(b, a - _ONE_DAY)
        if a == b:
            return 0
        return self._count(a + _ONE_DAY, b)

    def _count(self, first: dt.date, last: dt.date) -> int:
        """Working days in first..last (inclusive), by arithmetic rather than walking every day."""
        if last < first:
            return 0
        weekdays = _weekdays_before_ordinal(last.toordinal() + 1) - _weekdays_before(first)
        closed = 0
        for year in range(first.year, last.year + 1):
            self.closed_days(year)
            days = self._closed_weekdays[year]
            closed += bisect.bisect_right(days, last) - bisect.bisect_left(days, first)
        return weekdays - closed

    # --------------------------------------------------------------------------------- time zone

    def local_datetime(self, d: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """The wall-clock time on d in the calendar's zone, as an aware plain datetime.

        A time that does not exist (the hour skipped when summer time starts) moves forward, as a
        clock on the wall does; a time that happens twice (when summer time ends) is the later one.
        """
        key = (d, hour, minute)
        found = self._local.get(key)
        if found is None:
            p = pendulum.datetime(d.year, d.month, d.day, hour, minute, tz=self._pendulum_zone)
            found = self._local[key] = dt.datetime.fromtimestamp(p.timestamp(), tz=self._zone)
        return found
