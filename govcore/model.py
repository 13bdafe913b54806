"""The domain model: organisation, goals, KPIs, observations, targets and workflow records.

Everything here is plain validated data (pydantic). The model imports nothing else from govcore
except errors, so wheel, targets, rules and engine can all build on it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import chain, pairwise
from typing import Annotated, Any, Literal, TypeVar, overload

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from govcore.csvtext import CsvRecords
from govcore.danish_words import to_english
from govcore.errors import did_you_mean, titled
from govcore.i18n import _

ID_PATTERN = r"^[a-z0-9][a-z0-9_.:-]*$"
Ident = Annotated[str, Field(pattern=ID_PATTERN, max_length=120)]
# One plain e-mail address (no display name, no list): it goes into mail headers as it is, so
# spaces, commas, angle brackets and line breaks are refused.
_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\]+$")


def email_address(text: str) -> str:
    """`text` if it is one plain e-mail address (name@example.dk); else ValueError saying so."""
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValueError(_("'{value}' is not one e-mail address; write it as name@example.dk").format(value=text))
    return text


EmailAddress = Annotated[str, AfterValidator(email_address)]


class Strict(BaseModel):
    """Base for models read from files: unknown fields are errors, not silently ignored; the
    enumerated words may be written in Danish (govcore.danish_words)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _danish_words(cls, data: Any) -> Any:
        return to_english(cls, data)


# ---------------------------------------------------------------------------------------- enums


class Level(StrEnum):
    national = "national"
    political = "political"
    administrative = "administrative"
    team = "team"


class Category(StrEnum):
    economy = "economy"
    activity = "activity"
    service_quality = "service_quality"


class GoalKind(StrEnum):
    ramme = "ramme"
    udvikling = "udvikling"
    fokus = "fokus"


class Frequency(StrEnum):
    """How often a follow-up recurs (opfølgningshyppighed)."""

    every_14_days = "every_14_days"
    monthly = "monthly"
    every_2nd_month = "every_2nd_month"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"

    @property
    def months(self) -> int:
        """Length of one period in months (0 for the 14-day rhythm)."""
        return {"every_14_days": 0, "monthly": 1, "every_2nd_month": 2, "quarterly": 3,
                "half_yearly": 6, "yearly": 12}[self.value]

    @property
    def per_year(self) -> int:
        return 26 if self is Frequency.every_14_days else 12 // self.months

    @classmethod
    def of_periods(cls, periods: Iterable[str]) -> Frequency | None:
        """How often a series comes out, read from the periods it has figures for (None: no
        periods, or a single day). Plugins that read a municipality's own files declare their
        KPIs' `published` with it, so the figures go stale like those of configured KPIs.

        The finest grain decides (a file of months with a yearly total is published monthly); a
        series of days is as frequent as the smallest gap between two of them.
        """
        parsed = {Period.parse(p) for p in periods}
        by_grain = {"month": cls.monthly, "quarter": cls.quarterly, "half": cls.half_yearly, "year": cls.yearly}
        found = [by_grain[p.grain] for p in parsed if p.grain in by_grain]
        days = sorted(p.start for p in parsed if p.grain == "day")
        if len(days) > 1:
            gap = min((b - a).days for a, b in pairwise(days))
            found.append(next((f for limit, f in ((14, cls.every_14_days), (31, cls.monthly),
                                                  (62, cls.every_2nd_month), (92, cls.quarterly),
                                                  (183, cls.half_yearly)) if gap <= limit), cls.yearly))
        return min(found, key=lambda f: f.months) if found else None


class Status(StrEnum):
    """Where a goal stands. Missing data is never on track."""

    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    no_data = "no_data"


class RoleKind(StrEnum):
    committee = "committee"
    director = "director"
    head = "head"
    centre = "centre"
    department = "department"
    team = "team"
    staff = "staff"


# -------------------------------------------------------------------------------------- periods

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])(?:-(\d{2}))?|Q([1-4])|H([12])))?$")


class Period(BaseModel):
    """A reporting period: a year, half, quarter, month or day ('2021', '2021-H1', '2021-Q2', '2021-04')."""

    model_config = ConfigDict(frozen=True)
    text: str
    start: dt.date
    end: dt.date
    grain: Literal["year", "half", "quarter", "month", "day"]

    @classmethod
    def parse(cls, text: str | int | dt.date) -> Period:
        if isinstance(text, str):
            return _parse_period_text(text)
        return cls._parse(text)

    @classmethod
    def _parse(cls, text: str | int | dt.date) -> Period:
        if isinstance(text, dt.date):
            return cls(text=text.isoformat(), start=text, end=text, grain="day")
        s = str(text).strip()
        m = _PERIOD.match(s)
        if not m:
            raise ValueError(
                _("'{value}' is not a period; write a year (2021), half (2021-H1), quarter (2021-Q2), "
                  "month (2021-04) or date (2021-04-30)").format(value=s)
            )
        year = int(m.group(1))
        month, day, quarter, half = m.group(2), m.group(3), m.group(4), m.group(5)
        if day:
            try:
                d = dt.date(year, int(month), int(day))
            except ValueError:
                raise ValueError(_("'{value}' is not a date that exists").format(value=s)) from None
            return cls(text=s, start=d, end=d, grain="day")
        if month:
            start = dt.date(year, int(month), 1)
            return cls(text=s, start=start, end=_month_end(year, int(month)), grain="month")
        if quarter:
            q = int(quarter)
            return cls(text=s, start=dt.date(year, 3 * q - 2, 1), end=_month_end(year, 3 * q), grain="quarter")
        if half:
            h = int(half)
            return cls(text=s, start=dt.date(year, 6 * h - 5, 1), end=_month_end(year, 6 * h), grain="half")
        return cls(text=s, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), grain="year")

    def previous(self) -> Period:
        """The period of the same grain just before this one."""
        return Period.parse(self.start - dt.timedelta(days=1)) if self.grain == "day" else \
            self._of_grain(self.start - dt.timedelta(days=1))

    def same_last_year(self) -> Period:
        s = self.start
        return self._of_grain(dt.date(s.year - 1, s.month, min(s.day, 28)))

    def _of_grain(self, d: dt.date) -> Period:
        if self.grain == "year":
            return Period.parse(str(d.year))
        if self.grain == "half":
            return Period.parse(f"{d.year}-H{1 if d.month <= 6 else 2}")
        if self.grain == "quarter":
            return Period.parse(f"{d.year}-Q{(d.month - 1) // 3 + 1}")
        if self.grain == "month":
            return Period.parse(f"{d.year}-{d.month:02d}")
        return Period.parse(d)

    def __str__(self) -> str:
        return self.text


@cache
def _day_after(period: str) -> dt.date:
    """The day an observation of `period` becomes known unless it says otherwise."""
    return _parse_period_text(period).end + dt.timedelta(days=1)


@cache
def _parse_period_text(text: str) -> Period:
    """Periods are parsed over and over (every observation, every evaluation): parse each text once."""
    return Period._parse(text)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def check_period(value: Any) -> str:
    return Period.parse(value).text


def joint(data: Any, key: str) -> Any:
    """Read `key: [a, b]` as joint responsibility: `a` in `key`, the others in `jointly_with`.

    The documents give some rows to two roles at once ("Økonomi- og Arbejdsmarkedsdirektør /
    Arbejdsmarkedschef"). The first named leads where one role must be named (the owner of an
    event, the line of escalation starts from all of them); see docs/configuration.md.
    """
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return data
    roles = data[key]
    if not roles:
        raise ValueError(_("'{key}' lists no role").format(key=key))
    if len(set(map(str, roles))) != len(roles):
        raise ValueError(_("'{key}' names a role twice").format(key=key))
    if data.get("jointly_with"):
        raise ValueError(_("give the roles either as a list in '{key}' or in 'jointly_with', not both").format(key=key))
    return {**data, key: roles[0], "jointly_with": tuple(roles[1:])}


# -------------------------------------------------------------------------------- municipality


class Municipality(Strict):
    code: str = Field(pattern=r"^\d{3}$")
    name: str
    region: str = ""


@cache
def municipalities() -> dict[str, Municipality]:
    """The 98 Danish municipalities, by three-digit code (shipped with govcore)."""
    records = CsvRecords(resources.files("govcore").joinpath("data/kommuner.csv").read_text(encoding="utf-8"))
    header = next(records)
    rows = [dict(zip(header, cells, strict=True)) for cells in records if cells]
    return {r["code"]: Municipality(code=r["code"], name=r["name"], region=r["region"]) for r in rows}


def municipality(code: str | int) -> Municipality:
    key = f"{int(code):03d}" if str(code).isdigit() else str(code)
    found = municipalities().get(key)
    if found is None:
        by_name = {m.name.lower(): m for m in municipalities().values()}
        if str(code).lower() in by_name:
            return by_name[str(code).lower()]
        hint = did_you_mean(str(code), [m.name for m in municipalities().values()])
        raise ValueError(_("unknown municipality '{code}'").format(code=code) + (f" ({hint})" if hint else ""))
    return found


# ---------------------------------------------------------------------------------- organisation


class Role(Strict):
    """A responsible role (ansvarlig) in the line of escalation.

    `source` quotes where the documents name the role; `illustrative: true` marks a role the
    documents do not name (a team added so an example can run).
    """

    id: Ident
    title: str
    kind: RoleKind
    superior: Ident | None = None
    person: str | None = None
    source: str = ""
    illustrative: bool = False
    # A shared mailbox that receives the role's notifications besides the people holding it.
    # Delivery only: left out of the model's dump, so it does not change what a run decides.
    mailbox: EmailAddress | None = Field(default=None, exclude=True)


class Organisation(Strict):
    roles: list[Role]

    @model_validator(mode="after")
    def _check(self) -> Organisation:
        ids = [r.id for r in self.roles]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(_("role ids must be unique; repeated: {ids}").format(ids=", ".join(dupes)))
        known = set(ids)
        for r in self.roles:
            if r.superior is not None and r.superior not in known:
                raise ValueError(
                    _("the role {role} has the unknown superior '{superior}' ({hint})").format(
                        role=titled(r.title, r.id), superior=r.superior, hint=did_you_mean(r.superior, known))
                )
        for r in self.roles:
            seen = {r.id}
            cur = r
            while cur.superior is not None:
                if cur.superior in seen:
                    raise ValueError(_("the line of superiors from {role} goes round in a circle").format(
                        role=titled(r.title, r.id)))
                seen.add(cur.superior)
                cur = self.role(cur.superior)
        if not any(r.superior is None for r in self.roles):
            raise ValueError(_("one role (the political committee) must have no superior"))
        return self

    def role(self, role_id: str) -> Role:
        for r in self.roles:
            if r.id == role_id:
                return r
        raise KeyError(role_id)

    def has(self, role_id: str) -> bool:
        return any(r.id == role_id for r in self.roles)

    def superior_of(self, role_id: str) -> str | None:
        return self.role(role_id).superior

    def chain(self, role_id: str) -> list[str]:
        """The role and every superior up to the top (the escalation line)."""
        out = [role_id]
        while (sup := self.superior_of(out[-1])) is not None:
            out.append(sup)
        return out


# ------------------------------------------------------------------------------------------ KPIs


class KPI(Strict):
    """A key figure (nøgletal). `higher_is_better` decides what 'better' and 'improve' mean."""

    id: Ident
    name: str
    unit: str = ""
    higher_is_better: bool = True
    source: str = ""
    measure: str = ""
    description: str = ""
    # How often a figure is published, and how old the latest figure may be before a goal on it
    # cannot be judged (counted from the end of the figure's period). Without max_age a published
    # KPI allows two publication periods; with neither, figures never go stale.
    published: Frequency | None = None
    max_age: str | None = None

    @field_validator("max_age")
    @classmethod
    def _age(cls, v: str | None) -> str | None:
        if v is not None and not _AGE.match(v):
            raise ValueError(_("'{value}' is not an age; write e.g. '3 months', '45 days' or '2 years'").format(
                value=v))
        return v

    def stale_after(self, period_end: dt.date) -> dt.date | None:
        """The last day a figure for a period ending `period_end` counts as current (None: always)."""
        if self.max_age is not None:
            m = _AGE.match(self.max_age)
            assert m is not None
            n, unit = int(m.group(1)), m.group(2).lower()
            if unit.startswith(("day", "dag")):
                return period_end + dt.timedelta(days=n)
            months = n * 12 if unit in ("year", "years", "år") else n
        elif self.published is not None:
            months = 2 * self.published.months if self.published.months else 0
            if not months:
                return period_end + dt.timedelta(days=28)
        else:
            return None
        total = period_end.year * 12 + period_end.month - 1 + months
        y, m0 = divmod(total, 12)
        return _month_end(y, m0 + 1) if period_end == _month_end(period_end.year, period_end.month) \
            else dt.date(y, m0 + 1, min(period_end.day, _month_end(y, m0 + 1).day))

    def age_text(self) -> str:
        """The allowed age in Danish words, for explanations."""
        if self.max_age is not None:
            m = _AGE.match(self.max_age)
            assert m is not None
            n, unit = int(m.group(1)), m.group(2).lower()
            word = ("dag" if n == 1 else "dage") if unit.startswith(("day", "dag")) else \
                "år" if unit in ("year", "years", "år") else ("måned" if n == 1 else "måneder")
            return f"{n} {word}"
        assert self.published is not None
        return {"every_14_days": "4 uger", "monthly": "2 måneder", "every_2nd_month": "4 måneder",
                "quarterly": "6 måneder", "half_yearly": "1 år", "yearly": "2 år"}[self.published.value]


_AGE = re.compile(r"^\s*(\d{1,4})\s+(days?|dage?|months?|måneder?|måned|years?|år)\s*$", re.IGNORECASE)


class Observation(Strict):
    """One value of a KPI for a period, as received from a source.

    `series` separates the municipality's own figures ('local') from benchmarks such as
    'national' (landsgennemsnit), 'region' or 'cluster', and from a published 'rank'.
    `known_at` is when the value became available; targets are evaluated only on values known at
    the evaluation date. It defaults to the day after the period ends.
    """

    kpi: Ident
    period: str
    value: float
    series: str = "local"
    municipality: str | None = None
    source: str = ""
    known_at: dt.date | None = None


    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> str:
        return check_period(v)

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError(_("must be a finite number (not nan or infinity)"))
        return v

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    @property
    def known(self) -> dt.date:
        return self.known_at or (self.period_obj.end + dt.timedelta(days=1))


_OBSERVATION_FIELDS = tuple(Observation.model_fields)
_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__


def unvalidated(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """A `cls` holding `values` as they are: what `cls.model_construct(**values)` makes of a model
    with no extra fields and no private attributes (the same `__dict__`, fields-set, and no extra
    or private), without pydantic's Python loop over the fields (about two thirds of its cost).
    Only for values already checked: a row of a validated observation, a result of a target's own
    arithmetic. Tests compare it with `model_construct`, so that a pydantic release that changes
    what a model holds is caught."""
    new = cls.__new__(cls)
    _set(new, "__dict__", values)
    _set(new, "__pydantic_extra__", None)
    _set(new, "__pydantic_fields_set__", fields_set)
    _set(new, "__pydantic_private__", None)
    return new


_PLAIN_CLASSES: dict[type, type] = {}


def plain(model: _M) -> _M:
    """A plain copy of `model`'s fields, read as the model reads them (the same names and values; no
    methods, no validation, no pydantic behaviour): for hot paths that read the same fields of a
    configuration's model again and again. Every attribute read of a pydantic model goes through
    its class's `__getattr__` hook (about 170 instructions); a slot's read is specialised by the
    interpreter (a few). The copy's class (`Plain<Model>`, slots named as the fields) is made once
    per model class; the copy shares the values (treat it as immutable, as the models here are)."""
    cls = model.__class__
    made = _PLAIN_CLASSES.get(cls)
    if made is None:
        made = _PLAIN_CLASSES[cls] = type(f"Plain{cls.__name__}", (), {
            "__slots__": tuple(cls.model_fields), "__module__": __name__})
    new: Any = object.__new__(made)
    for name, value in model.__dict__.items():
        _set(new, name, value)
    return new  # type: ignore[no-any-return]


class ObservationRow:
    """One observation held compactly: the fields of `Observation` in slots, with no validation
    and no pydantic bookkeeping (about 100 bytes instead of about 770; a file of every
    municipality's figures holds a million). Rows are made only from checked values (a validated
    `Observation`, or a CSV cell that passed the same checks); `model()` gives the `Observation` at
    the public edge. Treat a row as immutable, as `Observation` is frozen. `span` (the parsed
    period, shared between rows) and `known` are worked out once, for the observation store."""

    __slots__ = ("_model", "known", "known_at", "kpi", "municipality", "period", "series", "source", "span", "value")

    def __init__(self, kpi: str, period: str, value: float, series: str = "local", municipality: str | None = None,
                 source: str = "", known_at: dt.date | None = None, model: Observation | None = None) -> None:
        self.kpi, self.period, self.value, self.series = kpi, period, value, series
        self.municipality, self.source, self.known_at, self._model = municipality, source, known_at, model
        self.span = span = Period.parse(period)
        self.known: dt.date = known_at or _day_after(span.text)

    @classmethod
    def of(cls, o: Observation | ObservationRow, *, keep: bool = True) -> ObservationRow:
        """The row of an observation (a row stays itself). With `keep` the model is kept, so
        `model()` gives back the very object that came in (an observation handed to the store or
        an engine); a configuration's `Observations` do not keep it (see there)."""
        if isinstance(o, ObservationRow):
            return o
        return cls(o.kpi, o.period, o.value, o.series, o.municipality, o.source, o.known_at, o if keep else None)

    @property
    def period_obj(self) -> Period:
        return self.span

    def model(self) -> Observation:
        """The `Observation` (made once, when first asked for: look-ups ask for few of a million)."""
        m = self._model
        if m is None:
            m = self._model = self.build()
        return m

    def build(self) -> Observation:
        """A new `Observation` of the row, not kept (for a pass over every row): what
        `Observation.model_construct` of its seven fields makes (the same fields, in order, and
        fields-set), without its Python loop over the fields (about 33 000 instructions a model,
        a third of that here); a configuration's first engine makes one for each row its goals
        look up."""
        if self._model is not None:
            return self._model
        values = {"kpi": self.kpi, "period": self.period, "value": self.value, "series": self.series,
                  "municipality": self.municipality, "source": self.source, "known_at": self.known_at}
        return unvalidated(Observation, values, set(_OBSERVATION_FIELDS))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ObservationRow | Observation):
            return (self.kpi, self.period, self.value, self.series, self.municipality, self.source, self.known_at) == (
                other.kpi, other.period, other.value, other.series, other.municipality, other.source, other.known_at)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"ObservationRow(kpi={self.kpi!r}, period={self.period!r}, value={self.value!r}, "
                f"series={self.series!r}, municipality={self.municipality!r}, source={self.source!r}, "
                f"known_at={self.known_at!r})")


class Observations(Sequence[Observation]):
    """A configuration's observations, in order, held as `ObservationRow`s: reading one gives an
    `Observation` made for the reader, so a million held take about 130 MB, not 900. The engine
    and the observation store take the rows themselves (`rows()`).

    The rows are kept in runs that several lists may share: the dated versions of a configuration
    share the rows of a file they all name instead of holding a copy each. A run once shared is
    never added to again (each list appends to a run of its own).

    `derived()` holds what is worked out from the rows once for every engine that reads them (the
    observation store's index of a start day): emptied whenever a row is added.

    A model added is not kept by its row (reading gives a model made for the reader, as for a
    row read from CSV): a validated model is about 1 kB and two objects the cycle collector
    tracks (the model and its set of fields), and a configuration holds its sources' models for
    as long as it lives: Vejle's five dated versions held 12 000 of them, 12 MiB and a fifth of
    the objects every full collection walks."""

    __slots__ = ("_derived", "_runs", "_tail")

    def __init__(self, items: Iterable[Observation | ObservationRow] = ()) -> None:
        self._runs: list[list[ObservationRow]] = []
        self._tail: list[ObservationRow] | None = None
        self._derived: dict[Hashable, Any] = {}
        self.extend(items)

    def rows(self) -> Iterator[ObservationRow]:
        return chain.from_iterable(self._runs)

    def derived(self) -> dict[Hashable, Any]:
        """What is worked out from the rows, kept while they stay (see govcore.observations)."""
        return self._derived

    def append(self, item: Observation | ObservationRow) -> None:
        if self._derived:
            self._derived.clear()
        tail = self._tail
        if tail is None:
            tail = self._tail = []
            self._runs.append(tail)
        tail.append(ObservationRow.of(item, keep=False))

    def extend(self, items: Iterable[Observation | ObservationRow]) -> None:
        if self._derived:
            self._derived.clear()
        if isinstance(items, Observations):
            items._tail = self._tail = None  # the runs are shared from now on
            self._runs.extend(run for run in items._runs if run)
            return
        for o in items:
            self.append(o)

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs)

    @overload
    def __getitem__(self, index: int) -> Observation: ...

    @overload
    def __getitem__(self, index: slice) -> Observations: ...

    def __getitem__(self, index: int | slice) -> Observation | Observations:
        if isinstance(index, slice):
            return Observations(list(self.rows())[index])
        i = index + len(self) if index < 0 else index
        for run in self._runs:
            if 0 <= i < len(run):
                return run[i].build()
            i -= len(run)
        raise IndexError("observation index out of range")

    def __iter__(self) -> Iterator[Observation]:
        return (r.build() for r in self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Observations | list | tuple):
            return len(other) == len(self) and all(
                r == o for r, o in zip(self.rows(), other.rows() if isinstance(other, Observations) else other,
                                       strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Observations({len(self)} rows)"


# --------------------------------------------------------------------------------------- targets


class _OnePeriod(Strict):
    """`period`: a target (or combination) about one period ('in 2022'), checked as a period."""

    period: str | None = None

    @field_validator("period", mode="before")
    @classmethod
    def _in(cls, v: Any) -> str | None:
        return None if v is None else check_period(v)


class TargetBase(_OnePeriod):
    """Common to all targets: an at-risk band (`tolerance`, in KPI units) before off track, and
    `period` for a target about one period ('in 2022'): judged on figures for that period only.
    `kpi`, only on a criterion inside all_of / any_of / until, measures that criterion with another
    KPI than the goal's ("andelen på ledighedsydelse samt andelen på jobafklaring … skal falde")."""

    tolerance: float = Field(default=0.0, ge=0)
    description: str = ""
    kpi: Ident | None = None


class AtLeast(TargetBase):
    """'26 % opnår beskæftigelse indenfor 1 år': the value must be at least `value`."""

    kind: Literal["at_least"]
    value: float


class AtMost(TargetBase):
    kind: Literal["at_most"]
    value: float


class Change(TargetBase):
    """Change from a baseline period: 'reduced by 60 from Dec 2015 to Dec 2017' is
    `baseline: 2015-12, by: -60, unit: absolute, by_period: 2017-12`; '10 % more than 2016' is
    `baseline: 2016, by: 10, unit: percent`. With `by_period` the change is expected linearly
    over time; without it the full change is expected at once. `baseline: previous_year`
    compares with the same period a year earlier.

    The documents state only the end point: from `by_period` on, the figure for `by_period` itself
    decides. The linear path before it is govcore's own addition, so it can be switched off
    (`path: none`), and the explanation says whenever it was used.
    """

    kind: Literal["change"]
    baseline: str
    by: float
    unit: Literal["absolute", "percent"] = "absolute"
    by_period: str | None = None
    path: Literal["linear", "none"] = "linear"

    # mode="before": YAML reads `baseline: 2016` as a number; it is the year 2016.
    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline(cls, v: Any) -> str:
        return v if v == "previous_year" else check_period(v)

    @field_validator("by_period", mode="before")
    @classmethod
    def _by(cls, v: Any) -> str | None:
        return None if v is None else check_period(v)


class MilestonePoint(Strict):
    period: str
    value: float

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> str:
        return check_period(v)


class Trajectory(TargetBase):
    """Milestones on a path: 'at least 25 % in 2020, 30 % in 2025', linear in between."""

    kind: Literal["trajectory"]
    milestones: list[MilestonePoint] = Field(min_length=1)
    direction: Literal["at_least", "at_most"] = "at_least"

    @field_validator("milestones")
    @classmethod
    def _sorted(cls, v: list[MilestonePoint]) -> list[MilestonePoint]:
        ends = [Period.parse(m.period).end for m in v]
        if ends != sorted(ends) or len(set(ends)) != len(ends):
            raise ValueError(_("milestones must be in time order, one per period"))
        return v


class Benchmark(TargetBase):
    """Better (or worse) than a benchmark series, e.g. the national average ('landsgennemsnittet').

    'Bedre end' is strict: equal to the benchmark is not better. A `margin` reads 'better by at
    least margin' ('mindst'), which is inclusive.
    """

    kind: Literal["benchmark"]
    series: str = "national"
    relation: Literal["better", "worse"] = "better"
    margin: float = 0.0


class Rank(TargetBase):
    """Top N among the municipalities ('ambitionen er top 20 i landet')."""

    kind: Literal["rank"]
    top: int = Field(ge=1, le=98)
    of: int = Field(default=98, ge=1, le=98)


class Direction(TargetBase):
    """The value must rise (or fall, or improve) compared with the previous period or year."""

    kind: Literal["direction"]
    must: Literal["rise", "fall", "improve"] = "improve"
    compare: Literal["previous_period", "previous_year"] = "previous_period"


class _Combined(_OnePeriod):
    """Two or more criteria combined; the subclasses say how (all of them, or any)."""

    criteria: list[Target] = Field(min_length=2)
    description: str = ""


class AllOf(_Combined):
    """Every criterion must hold: 'andelen … skal stige, og ambitionen er top 20'."""

    kind: Literal["all_of"]


class AnyOf(_Combined):
    """At least one criterion must hold."""

    kind: Literal["any_of"]


class Until(Strict):
    """'Kontinuerlig forbedring frem mod top 20': `improve` must hold until `reached` is met; a
    goal that has reached it and holds it is not failing for no longer improving."""

    kind: Literal["until"]
    improve: Target
    reached: Target
    description: str = ""
    period: str | None = None

    @field_validator("period", mode="before")
    @classmethod
    def _in(cls, v: Any) -> str | None:
        return None if v is None else check_period(v)


Target = Annotated[AtLeast | AtMost | Change | Trajectory | Benchmark | Rank | Direction
                   | AllOf | AnyOf | Until, Field(discriminator="kind")]
Criterion = AtLeast | AtMost | Change | Trajectory | Benchmark | Rank | Direction
Compound = AllOf | AnyOf | Until
AllOf.model_rebuild()
AnyOf.model_rebuild()


def criteria(target: Target) -> list[Criterion]:
    """The single criteria of a target, compounds opened up, in the order written."""
    if isinstance(target, AllOf | AnyOf):
        return [c for t in target.criteria for c in criteria(t)]
    if isinstance(target, Until):
        return [*criteria(target.improve), *criteria(target.reached)]
    return [target]
Until.model_rebuild()


class TargetResult(BaseModel):
    """The outcome of evaluating a target as of a date, with the inputs that decided it."""

    model_config = ConfigDict(frozen=True)
    status: Status
    actual: float | None = None
    expected: float | None = None
    period: str | None = None
    explanation: str = ""
    inputs: dict[str, float | str | None] = Field(default_factory=dict)
    parts: tuple[TargetResult, ...] = ()

    @property
    def gap(self) -> float | None:
        if self.actual is None or self.expected is None:
            return None
        return self.actual - self.expected


# ----------------------------------------------------------------------------------------- goals


class Goal(Strict):
    """A goal (mål) at one level, owned by a role (or jointly by several: `owner: [a, b]`),
    measured by a KPI against a target."""

    id: Ident
    title: str
    level: Level
    category: Category = Category.activity
    kind: GoalKind | None = None
    owner: Ident
    jointly_with: tuple[Ident, ...] = ()
    parent: Ident | None = None
    national_goal: str | None = None
    kpi: Ident | None = None
    target: Target | None = None
    followup: Frequency = Frequency.monthly
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    description: str = ""
    illustrative: bool = False
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _joint(cls, data: Any) -> Any:
        return joint(data, "owner")

    @model_validator(mode="after")
    def _check(self) -> Goal:
        if self.target is not None and self.kpi is None:
            raise ValueError(_("a goal with a target needs a kpi to measure it"))
        if isinstance(self.target, TargetBase) and self.target.kpi not in (None, self.kpi):
            raise ValueError(_("a single criterion is measured by the goal's kpi: 'kpi:' on a criterion is for "
                               "criteria inside all_of, any_of or until (a goal with criteria on several KPIs)"))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(_("valid_to is before valid_from"))
        if self.owner in self.jointly_with:
            raise ValueError(_("'{role}' is both the owner and jointly responsible").format(role=self.owner))
        return self

    @property
    def owners(self) -> tuple[str, ...]:
        """Every responsible role, the first named first."""
        return (self.owner, *self.jointly_with)

    def kpis(self) -> tuple[str, ...]:
        """Every KPI the goal is measured by: its own, then each criterion's own (`kpi:` inside a
        compound target), first mention first."""
        out = [self.kpi] if self.kpi else []
        for c in criteria(self.target) if self.target is not None else ():
            if c.kpi and c.kpi not in out:
                out.append(c.kpi)
        return tuple(out)

    def in_effect(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


class NationalGoal(Strict):
    """One of the employment minister's goals for a year (ministermål)."""

    id: Ident
    year: int
    number: int
    title: str
    status: Literal["new", "continued"]
    measures: list[str] = Field(default_factory=list)
    measure_ids: list[str] = Field(default_factory=list)
    source: str = ""


# ------------------------------------------------------------------------------------ wheel data


class WheelEvent(BaseModel):
    """One dated occurrence in the annual wheel (a milestone or a follow-up meeting)."""

    model_config = ConfigDict(frozen=True)
    id: str
    definition: str
    title: str
    kind: Literal["as_of", "due", "followup"]
    date: dt.date
    nominal_date: dt.date
    responsible: str | None = None
    jointly_with: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    deliverables: tuple[str, ...] = ()
    frequency: Frequency | None = None
    description: str = ""
    date_basis: Literal["document", "law", "chosen"] = "document"
    source: str = ""
    by_others: str = ""
    responsible_basis: Literal["document", "chosen"] = "document"


# ------------------------------------------------------------------------------ workflow records


class DeviationState(StrEnum):
    open = "open"
    closed = "closed"


class ActionState(StrEnum):
    demanded = "demanded"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"
    escalated = "escalated"
    closed = "closed"


class Deviation(BaseModel):
    """A subject (goal, budget area, deliverable) found off target (afvigelse)."""

    id: str
    subject_kind: str
    subject: str
    goal: str | None = None
    owner: str
    rule: str
    opened_at: dt.datetime
    reason: str = ""
    inputs: dict[str, Any] = Field(default_factory=dict)
    state: DeviationState = DeviationState.open
    closed_at: dt.datetime | None = None
    actions: list[str] = Field(default_factory=list)


class CorrectiveAction(BaseModel):
    """A corrective action (korrigerende handling) demanded from an owner by a due date."""

    id: str
    deviation: str
    subject_kind: str
    subject: str
    goal: str | None = None
    owner: str
    jointly_with: tuple[str, ...] = ()
    demanded_by_rule: str
    demanded_at: dt.datetime
    due: dt.date
    title: str = ""
    state: ActionState = ActionState.demanded
    escalation_level: int = 0
    submitted_at: dt.datetime | None = None
    text: str = ""


class Decision(BaseModel):
    """A decision demanded of a role about a subject (continue, adjust or close an initiative),
    open until a `decide` response picks one of its options; who decided and when are kept."""

    id: str
    subject_kind: str
    subject: str
    goal: str | None = None
    role: str
    rule: str
    title: str = ""
    question: str
    options: tuple[str, ...]
    requested_at: dt.datetime
    deviation: str | None = None
    option: str | None = None
    text: str = ""
    by: str = ""
    decided_at: dt.datetime | None = None


class Escalation(BaseModel):
    id: str
    action: str
    from_role: str
    to_role: str
    at: dt.datetime
    due: dt.date
    level: int
    rule: str


class Deliverable(Strict):
    """Something a role must deliver by a date (beskæftigelsesplan, virksomhedsplaner); jointly
    by several roles with `owner: [a, b]`."""

    id: Ident
    title: str
    owner: Ident
    jointly_with: tuple[Ident, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _joint(cls, data: Any) -> Any:
        return joint(data, "owner")
