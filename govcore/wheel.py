"""The annual wheel (årshjul): milestones and recurring follow-ups, read from YAML, dated per year.

Municipalities run different wheels and follow-up tables, so the wheel is configuration an
administrator edits, never code; the reference is docs/wheel.md. A wheel file describes a typical
year ("30.04", "Q3", "monthly on the first working day"); `Wheel.events(year)` turns it into the
dated `WheelEvent`s of one particular year, with that year's holidays taken into account, which is
what the engine schedules and what rule files refer to by definition id.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from govcore.calendar import (
    DanishCalendar,
    RollPolicy,
    check_timezone,
    parse_closed_day,
    parse_day_month,
)
from govcore.errors import ConfigError, Problem, did_you_mean, titled
from govcore.formatting import danish_date
from govcore.i18n import N_, _
from govcore.labels import MONTHS, Labels, Words
from govcore.model import Frequency, Ident, Strict, WheelEvent, joint
from govcore.sourcefile import Key, YamlDoc, load_yaml, parse_yaml, validate

__all__ = [
    "After",
    "FollowUp",
    "Milestone",
    "On",
    "Wheel",
    "YearChange",
    "render_ics",
    "render_json",
    "render_text",
]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
_WEEKDAY_NUMBER: Final = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4}
_DATE_HINT: Final = N_("write DD.MM (30.04), a quarter (Q1–Q4), a half-year (H1, H2) or a date (2021-04-30)")
_QUARTER = re.compile(r"^([QH])([1-4])$", re.IGNORECASE)
_ISO_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DAY_MONTH_SHAPE = re.compile(r"^\d{1,2}\.\d{1,2}\.?$")

# ------------------------------------------------------------------------------------ the file


class After(Strict):
    """A milestone dated relative to another one: 'ten working days after the budget control'."""

    milestone: Ident
    working_days: int | None = Field(default=None, ge=0, le=260)
    days: int | None = Field(default=None, ge=0, le=366)

    @model_validator(mode="after")
    def _one_offset(self) -> After:
        if (self.working_days is None) == (self.days is None):
            raise ValueError(_("give either working_days or days (calendar days), not both or neither"))
        return self


class YearChange(Strict):
    """One year's exception for a milestone: another date that year, or no such milestone (skip)."""

    year: int = Field(ge=1900, le=2200)
    date: str | dt.date | None = None
    skip: bool = False

    @model_validator(mode="after")
    def _one(self) -> YearChange:
        if (self.date is None) != self.skip:
            raise ValueError(_("give either date: (another date that year) or skip: true"))
        return self


DateBasis = Literal["document", "law", "chosen"]
ResponsibleBasis = Literal["document", "chosen"]


class Milestone(Strict):
    """A dated point in the year: a data cut-off (as_of) or a deadline (due).

    Where the day comes from is part of the data, because administrators check it against the
    documents: `date_basis` is `document` (the styringskoncept gives the day), `law` (a statute
    does; `source` must cite it) or `chosen` (the documents give the quarter or nothing, and the
    day is the configuration's choice). A quarter or half-year date is `chosen` unless said
    otherwise. `by_others` names who outside the organisation does it (the minister announcing the
    goals): such a milestone is a date to know (`as_of`), never a deadline for a municipal role.
    `responsible_basis: chosen` marks a responsible role the documents do not give (the årshjul
    names none for its items) as the configuration's choice.
    """

    id: Ident
    title: str
    type: Literal["as_of", "due"] = "due"
    # Kept as written; numbers are accepted here only to be reported with a better message than
    # pydantic's (YAML reads an unquoted 30.10 as the number 30.1).
    date: str | dt.date | int | float | None = None
    at: Literal["start", "end"] | None = None
    after: After | None = None
    roll: RollPolicy | None = None
    responsible: Ident | None = None
    jointly_with: tuple[Ident, ...] = ()
    participants: tuple[Ident, ...] = ()
    deliverables: tuple[Ident, ...] = ()
    description: str = ""
    in_year: tuple[YearChange, ...] = ()
    date_basis: DateBasis | None = None
    source: str = ""
    by_others: str = ""
    responsible_basis: ResponsibleBasis = "document"

    @model_validator(mode="before")
    @classmethod
    def _joint(cls, data: Any) -> Any:
        return joint(data, "responsible")


class On(Strict):
    """Which day of its month a follow-up falls on.

    Written in the file as `first_working_day`, `last_working_day`, `{day: 15}` or
    `{weekday: tuesday, week: 2}`; the bare words arrive here as `named`.
    """

    named: Literal["first_working_day", "last_working_day"] | None = None
    day: int | None = Field(default=None, ge=1, le=31)
    weekday: Weekday | None = None
    week: Literal[1, 2, 3, 4, "last"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _word(cls, data: Any) -> Any:
        return {"named": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_rule(self) -> On:
        given = [n for n in ("named", "day", "weekday") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(_("give one of first_working_day, last_working_day, {{day: N}} or {{weekday: …}}")
                             .format())
        if self.week is not None and self.weekday is None:
            raise ValueError(_("week goes with weekday, e.g. {{weekday: tuesday, week: 2}}").format())
        return self


class FollowUp(Strict):
    """A recurring follow-up (opfølgning) at a frequency from the follow-up table.

    The tables give the frequency, not the day, so the day is `chosen` unless `date_basis` says
    the document gives it; `source` quotes the table row.
    """

    id: Ident
    title: str
    every: Frequency
    on: On | None = None
    start_month: int | None = Field(default=None, ge=1, le=12)
    start: dt.date | None = None
    responsible: Ident | None = None
    jointly_with: tuple[Ident, ...] = ()
    participants: tuple[Ident, ...] = ()
    deliverables: tuple[Ident, ...] = ()
    description: str = ""
    date_basis: DateBasis = "chosen"
    source: str = ""
    responsible_basis: ResponsibleBasis = "document"

    @model_validator(mode="before")
    @classmethod
    def _joint(cls, data: Any) -> Any:
        return joint(data, "responsible")

    def months(self) -> list[int]:
        """The months (1–12) the follow-up happens in; empty for the 14-day rhythm."""
        step = self.every.months
        if step == 0:
            return []
        first = self.start_month or 1
        return sorted({(first - 1 + k * step) % 12 + 1 for k in range(12 // step)})


@dataclass(frozen=True)
class _DateSpec:
    """A parsed milestone date: a day and month, a quarter or half, or one ISO date."""

    kind: Literal["day_month", "quarter", "half", "once"]
    day: int = 0
    month: int = 0
    part: int = 0
    at: Literal["start", "end"] = "end"
    once: dt.date | None = None

    def nominal(self, year: int) -> dt.date | None:
        if self.kind == "once":
            return self.once if self.once is not None and self.once.year == year else None
        if self.kind == "day_month":
            return dt.date(year, self.month, self.day)
        months = 3 if self.kind == "quarter" else 6
        if self.at == "start":
            return dt.date(year, months * (self.part - 1) + 1, 1)
        return _month_end(year, months * self.part)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


class Wheel(Strict):
    """A validated annual wheel. Build it with `Wheel.load(path)` or `Wheel.parse(text)`.

    Constructing it directly (`Wheel(milestones=[...])`) runs the same checks; errors then carry
    no line numbers.
    """

    timezone: str = "Europe/Copenhagen"
    roll: RollPolicy = "next"
    closed_days: tuple[str | dt.date | int | float, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    followups: tuple[FollowUp, ...] = ()

    _doc: YamlDoc = PrivateAttr()
    _base: Key = PrivateAttr(default=())
    _specs: dict[str, _DateSpec] = PrivateAttr(default_factory=dict)
    _overrides: dict[tuple[str, int], _DateSpec] = PrivateAttr(default_factory=dict)
    _order: tuple[Milestone, ...] = PrivateAttr(default=())
    _span: int = PrivateAttr(default=0)
    _calendar: DanishCalendar | None = PrivateAttr(default=None)
    _cache: dict[int, tuple[WheelEvent, ...]] = PrivateAttr(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Wheel:
        return cls._from_doc(load_yaml(path))

    @classmethod
    def parse(cls, text: str, path: str = "<string>") -> Wheel:
        return cls._from_doc(parse_yaml(text, path))

    @classmethod
    def _from_doc(cls, doc: YamlDoc) -> Wheel:
        if doc.data is None:
            raise ConfigError([doc.problem((), _("the wheel file is empty"),
                                           hint=_("start with 'milestones:' and/or 'followups:'"))])
        if not isinstance(doc.data, dict):
            raise ConfigError([doc.problem((), _("a wheel file is a mapping of settings, not a list or text"),
                                           hint=_("start with 'milestones:' and/or 'followups:'"))])
        return validate(cls, doc.data, doc)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Wheel:
        context = info.context or {}
        doc = context.get("doc")
        self._doc = doc if isinstance(doc, YamlDoc) else YamlDoc(path="<wheel>", data=None)
        self._base = tuple(context.get("base", ()))
        problems = self._problems()
        if problems:
            # Not a ValueError on purpose: pydantic would flatten it and lose the positions.
            raise ConfigError(problems)
        return self

    # ------------------------------------------------------------------------------ checking

    def _at(self, loc: Key, message: str, hint: str = "") -> Problem:
        return self._doc.problem((*self._base, *loc), message, hint=hint)

    def _problems(self) -> list[Problem]:
        problems: list[Problem] = []
        try:
            check_timezone(self.timezone)
        except ValueError as err:
            hint = did_you_mean(self.timezone, zoneinfo.available_timezones()) or _("e.g. Europe/Copenhagen")
            problems.append(self._at(("timezone",), str(err), hint))
        closed: list[str | dt.date] = []
        for i, value in enumerate(self.closed_days):
            if isinstance(value, int | float):
                problems.append(self._number_date(("closed_days", i), value))
                continue
            try:
                parse_closed_day(value)
                closed.append(value)
            except ValueError as err:
                problems.append(self._at(("closed_days", i), str(err)))
        if not problems:
            self._calendar = DanishCalendar(closed, self.timezone)
        problems += self._check_ids()
        for i, m in enumerate(self.milestones):
            problems += self._check_milestone(i, m)
        problems += self._check_after()
        for i, f in enumerate(self.followups):
            problems += self._check_followup(i, f)
        return problems

    def _check_ids(self) -> list[Problem]:
        problems = []
        first_seen: dict[str, tuple[int, int]] = {}
        items = [("milestones", i, m.id) for i, m in enumerate(self.milestones)]
        items += [("followups", i, f.id) for i, f in enumerate(self.followups)]
        for section, i, ident in items:
            where = self._doc.where((*self._base, section, i, "id"))
            if ident in first_seen:
                line, _col = first_seen[ident]
                hint = _("first used at line {line}").format(line=line) if line > 1 else _("each id must be unique")
                problems.append(self._at((section, i, "id"), _("id '{id}' is used twice").format(id=ident), hint))
            else:
                first_seen[ident] = where
        return problems

    def _number_date(self, loc: Key, value: float) -> Problem:
        return self._at(loc, _("{value} is a number here, not a date").format(value=repr(value)),
                        _('put the date in quotes, e.g. "30.10": without them YAML reads 30.10 as 30.1'))

    def _check_milestone(self, i: int, m: Milestone) -> list[Problem]:
        loc: Key = ("milestones", i)
        problems = []
        if m.date is None and m.after is None:
            problems.append(self._at(loc, _("the milestone {milestone} has no date").format(
                milestone=titled(m.title, m.id)),
                                     _("give date: (e.g. \"30.04\") or after: {{milestone: …, working_days: N}}")
                                     .format()))
        if m.date is not None and m.after is not None:
            problems.append(self._at((*loc, "after"), _("give either date or after, not both")))
        if m.type == "as_of" and m.roll is not None:
            problems.append(self._at((*loc, "roll"), _("an as_of milestone is a data cut-off and never moves"),
                                     _("remove roll, or use type: due for a deadline")))
        if isinstance(m.date, int | float):
            problems.append(self._number_date((*loc, "date"), m.date))
        elif m.date is not None:
            try:
                spec = _parse_date(m.date, m.at)
            except _DateError as err:
                problems.append(self._at((*loc, "date"), err.message, err.hint))
            else:
                if m.at is not None and spec.kind not in ("quarter", "half"):
                    problems.append(self._at((*loc, "at"), _("at: applies only to quarters and half-years"),
                                             _("remove at, or write date: Q1 … Q4 / H1, H2")))
                self._specs[m.id] = spec
        if m.at is not None and m.date is None:
            problems.append(self._at((*loc, "at"), _("at: applies only to quarters and half-years")))
        years = [c.year for c in m.in_year]
        for j, change in enumerate(m.in_year):
            where: Key = (*loc, "in_year", j)
            year, value = change.year, change.date
            if years.count(year) > 1 and years.index(year) != j:
                problems.append(self._at(where, _("{year} is changed twice").format(year=year),
                                         _("one change per year")))
            if value is None:
                continue
            if m.after is not None:
                problems.append(self._at((*where, "date"), _("a milestone dated with after: follows the other one; "
                                                  "move that one, or write skip")))
                continue
            try:
                spec = _parse_date(value, m.at)
            except _DateError as err:
                problems.append(self._at((*where, "date"), err.message,
                                         _("{hint}, or skip: true").format(hint=err.hint)))
                continue
            if spec.kind == "once" and spec.once is not None and spec.once.year != year:
                problems.append(self._at((*where, "date"),
                                         _("{date} is not in {year}").format(date=spec.once.isoformat(), year=year),
                                         _("write a date in {year}, or DD.MM").format(year=year)))
            else:
                self._overrides[(m.id, year)] = spec
        if m.date_basis == "law" and not m.source:
            problems.append(self._at((*loc, "source"), _("a date set by law needs the law as its source"),
                                     _("cite the law, e.g. source: \"Lov om kommunernes styrelse …\"")))
        if m.by_others:
            if m.responsible is not None or m.deliverables:
                problems.append(self._at((*loc, "by_others"),
                                         _("'{who}' does this, not a municipal role").format(who=m.by_others),
                                         _("remove responsible and deliverables; participants may follow it")))
            if m.type == "due":
                problems.append(self._at((*loc, "type"), _("what others do is no deadline for the municipality"),
                                         _("use type: as_of (the day it is known)")))
        return problems

    def date_basis(self, m: Milestone) -> DateBasis:
        """Where a milestone's day comes from (see `Milestone`)."""
        if m.date_basis is not None:
            return m.date_basis
        spec = self._specs.get(m.id)
        return "chosen" if spec is not None and spec.kind in ("quarter", "half") else "document"

    def _check_after(self) -> list[Problem]:
        problems = []
        by_id = {m.id: m for m in self.milestones}
        followups = {f.id for f in self.followups}
        for i, m in enumerate(self.milestones):
            if m.after is None or m.after.milestone in by_id:
                continue
            ref = m.after.milestone
            loc: Key = ("milestones", i, "after", "milestone")
            if ref in followups:
                problems.append(self._at(loc, _("'{id}' is a follow-up; after: must name a milestone").format(id=ref)))
            else:
                problems.append(self._at(loc, _("unknown milestone '{id}'").format(id=ref), did_you_mean(ref, by_id)))
        index = {m.id: i for i, m in enumerate(self.milestones)}
        reported: set[str] = set()
        for m in self.milestones:
            path = [m.id]
            cur = m
            while cur.after is not None and cur.after.milestone in by_id:
                nxt = cur.after.milestone
                if nxt in path:
                    cycle = path[path.index(nxt):]
                    if not reported & set(cycle):
                        reported |= set(cycle)
                        first = min(cycle, key=index.__getitem__)
                        shown = cycle[cycle.index(first):] + cycle[:cycle.index(first)] + [first]
                        problems.append(self._at(
                            ("milestones", index[first], "after"),
                            _("after: goes round in a circle: {line}").format(line=" → ".join(shown)),
                            _("one milestone in the chain needs a date instead of after")))
                    break
                path.append(nxt)
                cur = by_id[nxt]
        if not problems:
            self._order = _topological(self.milestones)
            self._span = _span_years(self.milestones, by_id)
        return problems

    def _check_followup(self, i: int, f: FollowUp) -> list[Problem]:
        loc: Key = ("followups", i)
        problems = []
        if f.every is Frequency.every_14_days:
            if f.start is None:
                problems.append(self._at(loc, _("every_14_days needs start: the date of one meeting"),
                                         _('e.g. start: "2021-01-05"')))
            if f.start_month is not None:
                problems.append(self._at((*loc, "start_month"), _("start_month does not apply to every_14_days"),
                                         _("the rhythm follows start")))
            if f.on is not None and (f.on.weekday is None or f.on.week is not None):
                problems.append(self._at((*loc, "on"), _("every_14_days takes only on: {{weekday: …}}").format(),
                                         _("or leave on out: the meetings fall on start's weekday")))
        else:
            if f.start is not None:
                problems.append(self._at((*loc, "start"),
                                         _("start is only for every_14_days, not {every}").format(every=f.every),
                                         _("use start_month to choose the months")))
            if f.every is Frequency.monthly and f.start_month is not None:
                problems.append(self._at((*loc, "start_month"), _("a monthly follow-up happens every month"),
                                         _("remove start_month")))
        return problems

    # ------------------------------------------------------------------------------ queries

    @property
    def calendar(self) -> DanishCalendar:
        """Working days under this wheel: public holidays plus `closed_days`, in its time zone."""
        assert self._calendar is not None
        return self._calendar

    def definitions(self) -> dict[str, Milestone | FollowUp]:
        """Every milestone and follow-up by id: the names rule files may refer to."""
        found: dict[str, Milestone | FollowUp] = {m.id: m for m in self.milestones}
        found.update({f.id: f for f in self.followups})
        return found

    def check_roles(self, known: Iterable[str]) -> list[Problem]:
        """Problems for every responsible or participant that is not a known role id, located in
        the wheel file. The wheel does not know the organisation; the configuration does."""
        roles = set(known)
        problems = []
        items: list[tuple[str, int, Milestone | FollowUp]] = [
            ("milestones", i, m) for i, m in enumerate(self.milestones)]
        items += [("followups", i, f) for i, f in enumerate(self.followups)]
        for section, i, item in items:
            refs: list[tuple[Key, str]] = []
            if item.responsible is not None:
                refs.append(((section, i, "responsible"), item.responsible))
            refs += [((section, i, "responsible", j + 1), r) for j, r in enumerate(item.jointly_with)]
            refs += [((section, i, "participants", j), p) for j, p in enumerate(item.participants)]
            problems += [self._at(loc, _("unknown role '{id}'").format(id=r), did_you_mean(r, roles))
                         for loc, r in refs if r not in roles]
        return problems

    def check_deliverables(self, known: Iterable[str]) -> list[Problem]:
        """Problems for every deliverable a milestone or follow-up names that the goals file does not
        list, located in the wheel file (a run would otherwise stop on the day the event comes)."""
        ids = set(known)
        items: list[tuple[str, int, Milestone | FollowUp]] = [
            ("milestones", i, m) for i, m in enumerate(self.milestones)]
        items += [("followups", i, f) for i, f in enumerate(self.followups)]
        return [self._at((section, i, "deliverables", j), _("no deliverable has the id '{id}'").format(id=d),
                         did_you_mean(d, ids) or _("list it under 'deliverables:' in the goals file"))
                for section, i, item in items for j, d in enumerate(item.deliverables) if d not in ids]

    def events(self, year: int, extra: Iterable[WheelEvent] = ()) -> list[WheelEvent]:
        """The dated events of one year, sorted by (date, definition id).

        Every event lies inside the year. `extra` adds events from elsewhere (plugins); an extra
        event outside the year or with an id already taken is a ValueError, being a programming
        error rather than a mistake in the file.
        """
        if not dt.MINYEAR < year < dt.MAXYEAR:
            raise ValueError(_("year {year} is out of range").format(year=year))
        own = self._cache.get(year)
        if own is None:
            own = tuple(self._milestone_events(year)) + tuple(self._followup_events(year))
            self._cache[year] = own
        out = list(own)
        ids = {e.id for e in own}
        for e in extra:
            if e.date.year != year:
                raise ValueError(_("extra event '{event}' is dated {day}, outside {year}").format(
                    event=e.id, day=e.date.isoformat(), year=year))
            if e.id in ids:
                raise ValueError(_("extra event '{event}' has the id of another event").format(event=e.id))
            ids.add(e.id)
            out.append(e)
        return sorted(out, key=lambda e: (e.date, e.definition, e.id))

    def _milestone_dates(self, year: int) -> dict[str, tuple[dt.date, dt.date]]:
        """(nominal, effective) of each milestone anchored in `year`; chains may end after it."""
        cal = self.calendar
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        found: dict[str, tuple[dt.date, dt.date]] = {}
        for m in self._order:
            policy: RollPolicy = "none" if m.type == "as_of" else (m.roll or self.roll)
            if any(c.year == year and c.skip for c in m.in_year):
                continue
            if m.after is None:
                nominal = self._overrides.get((m.id, year), self._specs[m.id]).nominal(year)
                if nominal is None:
                    continue
                found[m.id] = (nominal, cal.roll_within(nominal, policy, first, last))
                continue
            base = found.get(m.after.milestone)
            if base is None:
                continue
            if m.after.working_days is not None:
                nominal = cal.add_working_days(base[1], m.after.working_days)
                found[m.id] = (nominal, nominal)
            else:
                nominal = base[1] + dt.timedelta(days=m.after.days or 0)
                found[m.id] = (nominal, cal.roll(nominal, policy))
        return found

    def _milestone_events(self, year: int) -> Iterable[WheelEvent]:
        by_id = {m.id: m for m in self.milestones}
        # Next year's anchor too: 'after: 0 days, roll: previous' from 1 January lands in this year.
        for anchor in range(max(year - self._span, dt.MINYEAR), min(year + 1, dt.MAXYEAR - 1) + 1):
            for ident, (nominal, effective) in self._milestone_dates(anchor).items():
                if effective.year != year:
                    continue
                m = by_id[ident]
                yield WheelEvent(
                    id=f"{m.id}@{effective.isoformat()}", definition=m.id, title=m.title, kind=m.type,
                    date=effective, nominal_date=nominal, responsible=m.responsible,
                    jointly_with=m.jointly_with, participants=m.participants, date_basis=self.date_basis(m),
                    source=m.source, by_others=m.by_others, responsible_basis=m.responsible_basis,
                    deliverables=m.deliverables, description=m.description,
                )

    def _followup_events(self, year: int) -> Iterable[WheelEvent]:
        for f in self.followups:
            for nominal, effective in self._followup_dates(f, year):
                yield WheelEvent(
                    id=f"{f.id}@{effective.isoformat()}", definition=f.id, title=f.title, kind="followup",
                    date=effective, nominal_date=nominal, responsible=f.responsible,
                    jointly_with=f.jointly_with, participants=f.participants, deliverables=f.deliverables,
                    date_basis=f.date_basis, source=f.source, responsible_basis=f.responsible_basis,
                    frequency=f.every,
                    description=f.description,
                )

    def _followup_dates(self, f: FollowUp, year: int) -> list[tuple[dt.date, dt.date]]:
        cal = self.calendar
        jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
        out = []
        if f.every is Frequency.every_14_days:
            assert f.start is not None
            anchor = f.start
            if f.on is not None and f.on.weekday is not None:
                anchor += dt.timedelta(days=(_WEEKDAY_NUMBER[f.on.weekday] - anchor.weekday()) % 7)
            d = anchor + dt.timedelta(days=14 * math.ceil((jan1 - anchor).days / 14))
            while d.year == year:
                # Six days either way keeps a moved meeting clear of its neighbours.
                lo = max(d - dt.timedelta(days=6), jan1)
                hi = min(d + dt.timedelta(days=6), dec31)
                out.append((d, cal.roll_within(d, "next", lo, hi)))
                d += dt.timedelta(days=14)
            return out
        on = f.on or On(named="first_working_day")
        for month in f.months():
            lo, hi = dt.date(year, month, 1), _month_end(year, month)
            if on.named == "first_working_day":
                d = cal.roll_within(lo, "next", lo, hi)
                out.append((d, d))
                continue
            if on.named == "last_working_day":
                d = cal.roll_within(hi, "previous", lo, hi)
                out.append((d, d))
                continue
            if on.day is not None:
                nominal = lo.replace(day=min(on.day, hi.day))
            else:
                assert on.weekday is not None
                nominal = _nth_weekday(lo, hi, _WEEKDAY_NUMBER[on.weekday], on.week or 1)
            out.append((nominal, cal.roll_within(nominal, "next", lo, hi)))
        return out


def _nth_weekday(lo: dt.date, hi: dt.date, weekday: int, week: int | str) -> dt.date:
    if week == "last":
        return hi - dt.timedelta(days=(hi.weekday() - weekday) % 7)
    first = lo + dt.timedelta(days=(weekday - lo.weekday()) % 7)
    return first + dt.timedelta(weeks=int(week) - 1)


def _topological(milestones: Sequence[Milestone]) -> tuple[Milestone, ...]:
    """Milestones ordered so that each comes after the one it is dated from (no cycles left)."""
    by_id = {m.id: m for m in milestones}
    done: dict[str, Milestone] = {}

    def visit(m: Milestone) -> None:
        if m.id in done:
            return
        if m.after is not None:
            visit(by_id[m.after.milestone])
        done[m.id] = m

    for m in milestones:
        visit(m)
    return tuple(done.values())


def _span_years(milestones: Sequence[Milestone], by_id: dict[str, Milestone]) -> int:
    """How many years back a chain of after: can reach from its anchor, generously."""

    def reach(m: Milestone) -> int:
        if m.after is None:
            return 0
        own = m.after.days if m.after.days is not None else 2 * (m.after.working_days or 0) + 14
        return own + 14 + reach(by_id[m.after.milestone])

    longest = max((reach(m) for m in milestones if m.after is not None), default=-1)
    return 0 if longest < 0 else 1 + longest // 365


class _DateError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _parse_date(value: str | dt.date, at: Literal["start", "end"] | None) -> _DateSpec:
    if isinstance(value, dt.date):
        return _DateSpec("once", once=value)
    text = value.strip()
    m = _QUARTER.match(text)
    if m:
        kind: Literal["quarter", "half"] = "quarter" if m.group(1).upper() == "Q" else "half"
        part = int(m.group(2))
        if kind == "half" and part > 2:
            raise _DateError(_("'{value}' is not a half-year").format(value=text), _("write H1 or H2"))
        return _DateSpec(kind, part=part, at=at or "end")
    if _DAY_MONTH_SHAPE.match(text):
        try:
            day, month = parse_day_month(text)
        except ValueError as err:
            raise _DateError(str(err), _("check the day and the month (DD.MM)")) from None
        if (day, month) == (29, 2):
            raise _DateError(_("'29.02' is not a date that exists in 2021 or any year that is not a leap year"),
                             _("use 28.02 or 01.03"))
        return _DateSpec("day_month", day=day, month=month)
    if _ISO_SHAPE.match(text):
        year = text[:4]
        try:
            parts = [int(p) for p in text.split("-")]
            return _DateSpec("once", once=dt.date(parts[0], parts[1], parts[2]))
        except ValueError:
            raise _DateError(_("'{value}' is not a date that exists in {year}").format(value=text, year=year),
                             _("check the day and the month (YYYY-MM-DD)")) from None
    raise _DateError(_("'{value}' is not a date").format(value=text), _(_DATE_HINT))


# ---------------------------------------------------------------------------------- rendering

KIND_WORDS: Final = Labels({"as_of": N_("cut-off date"), "due": N_("deadline"), "followup": N_("follow-up")})
FREQUENCY_WORDS: Final = Labels({
    Frequency.every_14_days: N_("every 14 days"), Frequency.monthly: N_("every month"),
    Frequency.every_2nd_month: N_("every 2nd month"), Frequency.quarterly: N_("every quarter"),
    Frequency.half_yearly: N_("every half year"), Frequency.yearly: N_("every year"),
})
WEEKDAYS: Final = Words((N_("monday"), N_("tuesday"), N_("wednesday"), N_("thursday"), N_("friday"),
                         N_("saturday"), N_("sunday")))


def _responsible(e: WheelEvent) -> str:
    """'direktoer / arbejdsmarkedschef': the documents write joint responsibility with a slash."""
    return " / ".join(r for r in (e.responsible, *e.jointly_with) if r)


CHOSEN_NOTE: Final = N_("* the day is chosen in the configuration; the documents name only the quarter or the "
                        "frequency")
CHOSEN_RESPONSIBLE_NOTE: Final = N_("(chosen) the responsible role is chosen in the configuration; the documents "
                                    "name none")


def _provenance(e: WheelEvent) -> list[str]:
    """Where the date comes from and who acts, when it is not simply the documents' own day."""
    out = []
    if e.date_basis == "law":
        out.append(_("set by law: {source}").format(source=e.source))
    elif e.source:
        out.append(_("source: {source}").format(source=e.source))
    if e.by_others:
        out.append(_("done by {who}; no deadline for the municipality").format(who=e.by_others))
    return out


def _day(d: dt.date) -> str:
    return f"{WEEKDAYS[d.weekday()][:3]} {d:%d.%m}"


def _closed_reason(d: dt.date, calendar: DanishCalendar) -> str:
    return calendar.holiday_name(d) or WEEKDAYS[d.weekday()]


def render_text(events: Iterable[WheelEvent], year: int, calendar: DanishCalendar) -> str:
    """A plain-text overview in the reader's language, by quarter and month, saying which dates moved
    and why."""
    rows = sorted(events, key=lambda e: (e.date, e.definition, e.id))
    labels = [KIND_WORDS[e.kind] + (f" ({FREQUENCY_WORDS[e.frequency]})" if e.frequency else "") for e in rows]
    label_w = max([len(label) for label in labels], default=0)
    title_w = max([len(e.title) for e in rows], default=0)
    indent = " " * (4 + len("man 01.01") + 2 + label_w + 2)
    heading = _("Annual wheel {year}").format(year=year)
    lines = [heading, "=" * len(heading), ""]
    if not rows:
        lines += [_("(no events)"), ""]
    current: tuple[int, int] | None = None
    current_month: tuple[int, int] | None = None
    for e, label in zip(rows, labels, strict=True):
        quarter = (e.date.year, (e.date.month - 1) // 3 + 1)
        if quarter != current:
            current = quarter
            head = _("Q{quarter} {year}").format(quarter=quarter[1], year=quarter[0])
            lines += (["", head, "-" * len(head)] if len(lines) > 3 else [head, "-" * len(head)])
        if (e.date.year, e.date.month) != current_month:
            current_month = (e.date.year, e.date.month)
            lines.append(f"  {MONTHS[e.date.month - 1].capitalize()}")
        owner = _("responsible: {who}").format(who=_responsible(e)) + \
            (_(" (chosen)") if e.responsible_basis == "chosen" else "") if e.responsible else ""
        title = e.title + ("*" if e.date_basis == "chosen" else "")
        lines.append(f"    {_day(e.date)}  {label:<{label_w}}  {title:<{title_w + 1}}  {owner}".rstrip())
        lines += [f"{indent}{line}" for line in _provenance(e)]
        if e.participants:
            lines.append(indent + _("participants: {names}").format(names=", ".join(e.participants)))
        if e.deliverables:
            lines.append(indent + _("deliverables: {names}").format(names=", ".join(e.deliverables)))
        if e.date != e.nominal_date:
            reason = _closed_reason(e.nominal_date, calendar)
            lines.append(indent + _("moved from {day} ({reason})").format(day=_day(e.nominal_date), reason=reason))
        elif not calendar.is_working_day(e.date):
            note = indent + _("falls on a closed day ({reason})").format(reason=_closed_reason(e.date, calendar))
            lines.append(note + (_("; a cut-off date is never moved") if e.kind == "as_of" else ""))
    if any(e.date_basis == "chosen" for e in rows):
        lines += ["", _(CHOSEN_NOTE)]
    if any(e.responsible and e.responsible_basis == "chosen" for e in rows):
        lines += ([] if any(e.date_basis == "chosen" for e in rows) else [""]) + [_(CHOSEN_RESPONSIBLE_NOTE)]
    closed = calendar.closed_day_names(year)
    closed_head = _("Public holidays and closed days {year}").format(year=year)
    lines += ["", closed_head, "-" * len(closed_head)]
    lines += [f"    {_day(d)}  {name}" for d, name in closed.items()]
    return "\n".join(lines) + "\n"


def _as_dict(e: WheelEvent) -> dict[str, Any]:
    return e.model_dump(mode="json")


def render_json(events: Iterable[WheelEvent]) -> str:
    """The events as a JSON list, sorted by date, with sorted keys: diffable between runs."""
    rows = sorted(events, key=lambda e: (e.date, e.definition, e.id))
    return json.dumps([_as_dict(e) for e in rows], sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render_ics(events: Iterable[WheelEvent], municipality_name: str) -> str:
    """An iCalendar file of all-day events for Outlook, Google Calendar and the like.

    UIDs are stable (`{event id}@govcore`) so a re-import updates rather than duplicates, and
    DTSTAMP is 1 January of the event's year at midnight UTC rather than 'now', so the same wheel
    always gives the same bytes. icalendar is imported here, not with the module: loading a
    configuration needs the wheel, not its calendar file.
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//govcore//Årshjul//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Annual wheel – {municipality}").format(municipality=municipality_name))
    for e in sorted(events, key=lambda e: (e.date, e.definition, e.id)):
        ev = icalendar.Event()
        ev.add("uid", f"{e.id}@govcore")
        ev.add("dtstamp", dt.datetime(e.date.year, 1, 1, tzinfo=dt.UTC))
        ev.add("dtstart", e.date)
        ev.add("dtend", e.date + dt.timedelta(days=1))
        summary = e.title + (_(" (responsible: {who})").format(who=_responsible(e)) if e.responsible else "")
        ev.add("summary", summary)
        ev.add("description", _ics_description(e))
        ev.add("categories", ["followup" if e.kind == "followup" else "milestone"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data.decode("utf-8")


def _ics_description(e: WheelEvent) -> str:
    label = KIND_WORDS[e.kind] + (f", {FREQUENCY_WORDS[e.frequency]}" if e.frequency is not None else "")
    parts = [_("Type: {kind}").format(kind=label)]
    if e.responsible:
        parts.append(_("Responsible: {who}").format(who=_responsible(e)) + (
            _(" (chosen in the configuration; the documents name no one responsible)")
            if e.responsible_basis == "chosen" else ""))
    if e.participants:
        parts.append(_("Participants: {names}").format(names=", ".join(e.participants)))
    if e.deliverables:
        parts.append(_("Deliverables: {names}").format(names=", ".join(e.deliverables)))
    if e.date != e.nominal_date:
        parts.append(_("Moved from {day}").format(day=danish_date(e.nominal_date)))
    if e.date_basis == "chosen":
        parts.append(_("The day is chosen in the configuration; the documents name only the quarter or the "
                       "frequency"))
    parts += [line[0].upper() + line[1:] for line in _provenance(e)]
    if e.description:
        parts.append(e.description)
    return "\n".join(parts)
