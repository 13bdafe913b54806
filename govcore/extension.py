"""The types plugins build with: KPI sources, subject kinds, actions and report sections.

These are part of govcore's public API (re-exported from `govcore`); a plugin needs nothing else.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from govcore.errors import GovcoreError, InputError
from govcore.model import KPI, Municipality, NationalGoal, Observation, Organisation
from govcore.observations import ObservationView
from govcore.remote import Http
from govcore.sourcefile import check_file, resolve_inside

FieldType = Literal["number", "text", "bool", "date"]
T = TypeVar("T")


# ------------------------------------------------------------------ per configuration
# A `Configuration` (one version of it) is not changed once loaded, so whatever is derived from it
# alone (a plugin's parsed settings, which rules listen to a trigger) is the same for every engine
# of it, and for every call. Its place lives as long as the object it belongs to, and is found by
# that very object, never by an equal one or a key a caller chose: one thread is never handed
# another configuration's values (a memo of "the last settings seen" read in two steps could,
# with two municipalities running side by side).

_MISSING: Any = object()


class PerConfiguration:
    """Values worked out once for one configuration object (`per_configuration`). Thread-safe: a
    value is read in one step, and two threads making the same value at once keep the first one
    stored (both made it from the same configuration, so either is right)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value stored under `key`, made by `make()` the first time. `make` must depend on
        nothing but this place's configuration (and `key`). An error in `make` is raised and
        nothing is stored: the next call tries again (and fails the same way)."""
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            value = self._values.setdefault(key, make())
        return value  # type: ignore[no-any-return]


# id(owner) -> (a weak reference to owner, its place); an entry leaves with its owner
_PLACES: dict[int, tuple[weakref.ref[Any], PerConfiguration]] = {}


def per_configuration(owner: object) -> PerConfiguration:
    """The place of `owner`: a `Configuration` (one version of it) or a part of one that is not
    changed after loading (its `RuleSet`). The same object gives the same place for as long as
    it lives; another object, even an equal one, another place."""
    key = id(owner)
    entry = _PLACES.get(key)
    if entry is not None and entry[0]() is owner:
        return entry[1]
    place = PerConfiguration()
    ref = weakref.ref(owner, lambda dead: _forget(key, dead))
    entry = _PLACES.setdefault(key, (ref, place))
    if entry[0]() is owner:  # ours, or another thread's for the same object a moment before
        return entry[1]
    # an entry left by an object that died with this id before its callback ran: replace it
    _PLACES[key] = (ref, place)
    return place


def _forget(key: int, dead: weakref.ref[Any]) -> None:
    entry = _PLACES.get(key)
    if entry is not None and entry[0] is dead:
        _PLACES.pop(key, None)


@dataclass(frozen=True)
class FieldSpec:
    """A field that rule conditions may test. `choices` makes a text field an enumeration."""

    name: str
    type: FieldType
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceContext:
    """What a KPI source gets to load observations for one municipality: for one version of the
    configuration (its `year` and `national_goals`), unless the source declares with
    `KpiSource.depends_on` that it reads neither; then its context has none."""

    municipality: Municipality
    base_dir: Path
    settings: Mapping[str, Any]
    year: int | None = None
    national_goals: tuple[NationalGoal, ...] = ()
    roots: tuple[Path, ...] = ()  # folders outside base_dir the configuration allows (`allow_paths`)

    def path(self, name: str | Path, setting: str = "") -> Path:
        """The file a setting names, inside the configuration's folder (or an allowed folder).

        A source reads files only through this: a configuration cannot make a plugin read a file
        elsewhere on the machine. Raises InputError naming the setting (e.g. `sources.budget.file`).
        """
        try:
            path = resolve_inside(self.base_dir, name, self.roots)
            if path.exists():
                check_file(path)
            return path
        except InputError as err:
            raise InputError([replace(p, field=setting) for p in err.problems]) from None


# What of a configuration version a source may depend on, beyond what every version of one
# configuration shares (municipality, folder, settings, allowed folders): `KpiSource.depends_on`.
SourceInput = Literal["year", "national_goals"]
SOURCE_INPUTS: tuple[SourceInput, ...] = ("year", "national_goals")


class UndeclaredSourceInput(GovcoreError):
    """A KPI source read what of a configuration version it does not declare in `depends_on` (a
    bug of the plugin, reported as its failure to load the source)."""


class SharedSourceContext(SourceContext):
    """The context of a source that declared what it depends on (`KpiSource.depends_on`): reading
    anything else of the version (`year`, `national_goals`) raises `UndeclaredSourceInput`,
    so a source that reads more than it declares fails the load instead of getting, silently, the
    answer of whichever version called it first."""

    _source: str
    _hidden: frozenset[str]

    def __init__(self, source: str, hidden: frozenset[str], **fields: Any) -> None:
        super().__init__(**fields)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_hidden", hidden)

    def __getattribute__(self, name: str) -> Any:
        if name in SOURCE_INPUTS and name in object.__getattribute__(self, "_hidden"):
            source = object.__getattribute__(self, "_source")
            raise UndeclaredSourceInput(f"the KPI source '{source}' read ctx.{name} but does not declare it in "
                              f"depends_on; it is called once for every version that shares what it "
                              f"declares, so it must not read anything else of the version")
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in ("municipality", "base_dir", "settings", "roots"))
        return f"SharedSourceContext({shown}, source={self._source!r})"


@dataclass(frozen=True)
class FetchContext:
    """What a remote source gets for one `govcore fetch`.

    `http` sends (or, with --replay, answers from kept responses) every request; `seen` is, per
    table, the update stamp of the last fetch already stored, so a table not updated since can be
    skipped. `kpis` are the configuration's KPIs (the source's own among them).
    """

    municipality: Municipality
    base_dir: Path
    settings: Mapping[str, Any]
    year: int
    http: Http
    kpis: Mapping[str, KPI]
    seen: Mapping[str, str]
    national_goals: tuple[NationalGoal, ...] = ()


@dataclass(frozen=True)
class FetchedTable:
    """One table's observations from one fetch; stored whole or not at all.

    `updated` is the source's own stamp of the table's latest update (e.g. Jobindsats'
    LatestUpdate); `skipped` says the table was not updated since the last stored fetch.
    """

    table: str
    updated: str
    observations: tuple[Observation, ...] = ()
    skipped: bool = False


@dataclass(frozen=True)
class KpiSource:
    """A source of KPI observations (a finance export, a survey, Jobindsats...).

    `kpis` lists what the source provides for these settings; `load` reads the observations.
    Both raise `govcore.InputError` with file, row and column on bad input.

    A remote source (an API) also gives `tables` (the tables a fetch reads for these settings)
    and `fetch` (one table's observations); `govcore fetch` calls them, one table at a time, and
    stores each table's observations whole or not at all. They raise `govcore.FetchError`.
    """

    name: str
    description: str
    kpis: Callable[[SourceContext], list[KPI]]
    load: Callable[[SourceContext], list[Observation]]
    tables: Callable[[FetchContext], list[str]] | None = None
    fetch: Callable[[FetchContext, str], FetchedTable] | None = None
    depends_on: frozenset[SourceInput] | None = None
    """What of a configuration version `kpis` and `load` read, besides the municipality, folder,
    settings and allowed folders that every version of a configuration shares: `"year"`,
    `"national_goals"`, or nothing (`frozenset()`: a file of the municipality's figures). A
    configuration with dated versions (Vejle has five) then calls the source once per load for all
    versions that agree on what it declares, and every version shares its KPIs and observations;
    the source's context has no more than it declares (`SharedSourceContext`: reading more
    raises). None (the default) declares nothing: the source is called for every version, as
    sources written before this field were. See docs/plugins.md, "A source read once per load"."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.depends_on or ()) - set(SOURCE_INPUTS))
        if unknown:
            raise ValueError(f"KpiSource '{self.name}': depends_on names {', '.join(map(repr, unknown))}; "
                             f"a source may depend on {' and '.join(map(repr, SOURCE_INPUTS))}")


@dataclass(frozen=True)
class Subject:
    """One thing rules reason about at a trigger: a goal, a budget area, a survey area...

    `jointly_with` names roles responsible together with `owner` (see docs/configuration.md,
    "Joint responsibility").
    """

    kind: str
    id: str
    owner: str
    fields: Mapping[str, Any]
    title: str = ""
    goal: str | None = None
    jointly_with: tuple[str, ...] = ()


DateSpan = tuple[dt.date | None, dt.date | None]


def in_force(spans: Sequence[DateSpan], first: dt.date, last: dt.date) -> bool:
    """Whether any of `spans` overlaps `first`..`last` (both days included)."""
    return any((a is None or a <= last) and (b is None or first <= b) for a, b in spans)


@dataclass(frozen=True)
class SubjectContext:
    """What a subject provider sees: the configuration and the observations known on `day`."""

    municipality: Municipality
    day: dt.date
    observations: ObservationView
    organisation: Organisation
    kpis: Mapping[str, KPI]
    settings: Mapping[str, Any]
    base_dir: Path
    goals: Mapping[str, tuple[DateSpan, ...]] = field(default_factory=dict)
    """Every goal id of the configuration, with the spans (first day, last day; None: open) in
    which a version of the configuration in force holds it and the goal itself is valid: a link
    from a plugin's data to a goal is good if the goal is in force while the linked thing runs."""
    cache: PerConfiguration | None = field(default=None, compare=False, repr=False)
    """The place `once` keeps its values in: the configuration's (version's), when the engine made
    the context; None elsewhere (`once` then works its value out at every call)."""

    def once(self, make: Callable[[Mapping[str, Any]], T]) -> T:
        """`make(self.settings)`, worked out once per configuration (version) and kept with it, for
        what depends on the settings alone: parsing and validating them, typically. The engine
        asks a subject kind at every follow-up; the settings do not change within a version.
        An error in `make` (bad settings) is raised every time, as without `once`. `make` is the key
        of what is kept: a function defined once (the plugin's `parse_settings`), never a lambda made
        at the call."""
        settings = self.settings
        if self.cache is None:
            return make(settings)
        # the settings are kept with the value: while it is stored, no other object has their id
        return self.cache.get((make, id(settings)), lambda: (settings, make(settings)))[1]


@dataclass(frozen=True)
class SubjectKind:
    """A kind of subject rule files can iterate over with `for_each`.

    `subjects` returns the subjects as of the context's day, in a stable order.
    `settings_key` names the section of the municipality configuration passed as settings.
    """

    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    subjects: Callable[[SubjectContext], list[Subject]]
    settings_key: str = ""
    check: Callable[[SubjectContext], None] | None = None
    """Checks the settings against the configuration when it is loaded (e.g. that every owner is
    a role), raising InputError with field paths; without it a mistake surfaces during the run."""
    label: str = ""
    """The kind, singular, shown in reports and pages after a subject's title; without it the report
    says 'emne' ('subject'), never the identifier. Danish ('budgetområde'), or with `translate` an
    English message id ('budget area') shown in the reader's language."""
    translate: Callable[[str], str] | None = None
    """The plugin's gettext (`govcore.translations(domain, localedir).gettext`), which gives `label`
    in the reader's language (`reader_label`); see docs/plugins.md."""
    unchanged_key: Callable[[SubjectContext], Hashable] | None = None
    """Says when `subjects` would give what it gave last time, so it is not asked again: a cheap
    key of everything in the context the subjects depend on that can change during a run (the
    observations they read, typically `ctx.observations.revision(kpis)`, and the day where it
    counts, e.g. a figure going stale). While the key stays equal, an engine reuses the subjects it
    got last time for this kind (within one version of the configuration: the settings,
    organisation and KPIs are fixed there). Without it, `subjects` is asked at every trigger.
    A key that leaves out something the subjects depend on gives rules out-of-date subjects:
    test that equal keys give equal subjects (the budget and surveys plugins do)."""

    def reader_label(self) -> str:
        """`label` in the reader's language ('' when the kind has none)."""
        return self.translate(self.label) if self.translate is not None and self.label else self.label


class ActionContext(Protocol):
    """What an action may do: record events. It cannot touch storage or the clock directly."""

    @property
    def at(self) -> dt.datetime: ...

    @property
    def rule(self) -> str: ...

    @property
    def subject(self) -> Subject: ...

    def emit(self, event_type: str, owner: str | None = None, **details: Any) -> None: ...

    def superior_of(self, role: str) -> str | None: ...

    def role(self, word: str) -> str:
        """The role a rule's `from:` names for this subject, as the built-in actions read it: `owner`
        and `responsible` are the subject's owner, `superior` the nearest role above every
        responsible role (see "Joint responsibility"), anything else a role id as written."""
        ...

    def render(self, template: str) -> str:
        """Fill `{field}` placeholders from the subject, formatted like the built-in actions."""
        ...

    def request_decision(self, role: str, question: str, options: Sequence[str], **details: Any) -> str:
        """Demand a decision of `role` about the subject: records `decision_requested` with a new
        decision id (returned), the question and the options. A `decide` response answers it; the
        engine then closes the subject's open deviation, and the option `close` ends the subject's
        follow-up (docs/rules.md, "Decisions"). While one is open, another for the same subject is
        not demanded (returns the open one's id)."""
        ...


@dataclass(frozen=True)
class ActionSpec:
    """An action rule files may use in `then:`. `params` validates the action's arguments."""

    name: str
    description: str
    params: type[BaseModel]
    run: Callable[[ActionContext, Any], None]
    example: str = ""
    events: tuple[str, ...] = field(default_factory=tuple)
    decision_options: Callable[[Any], Sequence[str]] | None = None
    """For an action that demands a decision (`ActionContext.request_decision`): the options its
    parameters offer, so that an answer in responses.yaml is checked before the run."""


@dataclass(frozen=True)
class ReportSection:
    """A plugin's part of the year report, already formatted (Danish numbers, titles, not ids).

    `rows` fill a table under `headers`; `chart` is an SVG from ``govcore.bar_chart`` or
    ``govcore.line_chart``, shown in the HTML report (the Markdown report shows the table).
    """

    title: str
    intro: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    chart: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSectionSpec:
    """Sections a plugin adds to the year report, built from the year's figures as known at its end.

    `build` gets a `SubjectContext` for the last day of the year, with the settings named by
    `settings_key`; the spec is skipped when the configuration has no such section under `sources`.
    """

    name: str
    description: str
    build: Callable[[SubjectContext], list[ReportSection]]
    settings_key: str = ""
