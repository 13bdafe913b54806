"""The `jobindsats` KPI source: which KPIs a configuration gets, and one table's observations.

Areas in Jobindsats are names: the municipality's own rows become its `local` series, "Hele
landet" the `national` series and its region the `region` series (when asked for under
`benchmarks`). The national benchmark ranking (Y30R21) becomes the `rank` series of the ranking
KPI, which rank targets read. Values Jobindsats withholds ("..", "-", empty) are left out; any
other value that is not a number is a located error.

A ministermål measurement (MM17…) is read from the table the settings name, or else from the
table the Jobindsats catalogue lists it under: one catalogue request per fetch (kept with the
other responses, so a replay resolves identically), shared by `tables` and `fetch` through the
fetch's `Http`. An id in no table, or in several, fails that measurement with a located error
naming the candidates; the other tables are fetched as usual.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from govcore import (
    KPI,
    FetchContext,
    FetchedTable,
    FetchError,
    Frequency,
    Http,
    KpiSource,
    NationalGoal,
    Observation,
    SourceContext,
    did_you_mean,
    normalise_name,
    parse_number,
    secret_from_env,
)
from govcore_jobindsats.api import (
    SOURCE,
    V2,
    V3,
    CatalogueTable,
    Data,
    TableInfo,
    check_selection,
    column,
    shape,
)
from govcore_jobindsats.i18n import _, ngettext
from govcore_jobindsats.periods import kind_of, to_period, year_of
from govcore_jobindsats.settings import JobindsatsSettings, MeasurementSettings, PeriodKind, parse_settings

MISSING = frozenset({"", "..", "-", "x", "null"})
NATIONAL = "Hele landet"


PERIOD_ORDER: tuple[PeriodKind, ...] = ("month", "quarter", "rolling_year", "year")


@dataclass(frozen=True)
class Job:
    """One KPI series read from one table: `series` is 'values' (local and benchmarks) or 'rank'.

    `period` None: the table's own period codes decide; `defaults`: select each dimension's
    default value (a ministermål measurement found in the catalogue, with no `select` given)."""

    kpi: str
    table: str
    measurement: str
    period: PeriodKind | None
    select: tuple[tuple[str, str], ...]
    series: str = "values"
    defaults: bool = False


# Per fetch (its Http), each catalogue-resolved measurement id → its job, or why it has none.
_RESOLVED: weakref.WeakKeyDictionary[Http, dict[str, Job | FetchError]] = weakref.WeakKeyDictionary()


def measurement_kpi(measure_id: str) -> str:
    return f"jobindsats:{measure_id.lower()}"


def _ministermaal(goals: Sequence[NationalGoal]) -> dict[str, NationalGoal]:
    return {m: g for g in goals for m in g.measure_ids}


# How often a table of each period kind is published, and how old its latest figure may be. Jobindsats
# publishes a month's figures about six weeks after the month (the tables updated 10 October 2024
# ended with August), so just before the next release the latest monthly figure is some ten weeks
# old: three months leaves room for a release a few weeks late, and likewise for the other kinds.
CADENCE: dict[PeriodKind, tuple[Frequency, str]] = {
    "month": (Frequency.monthly, "3 months"),
    "quarter": (Frequency.quarterly, "6 months"),
    "rolling_year": (Frequency.quarterly, "6 months"),
    "year": (Frequency.yearly, "18 months"),
}
# The benchmark ranking (Y30R21) is updated in March and October: in September the latest
# placement is for the rolling year ending the December before.
RANKING_CADENCE = (Frequency.half_yearly, "1 year")
# A ministermål measurement found in the catalogue without `period:` takes the table's finest period
# (months, else quarters, rolling years, years), unknown until it is fetched: its figures may be as
# old as a quarterly table's. `period:` under its measurements entry makes the limit exact.
UNKNOWN_CADENCE: tuple[Frequency | None, str] = (None, "6 months")


def jobindsats_kpis(ctx: SourceContext) -> list[KPI]:
    """The configured KPIs, the ranking and the year's ministermål measurements, each with how often
    Jobindsats publishes it and how old its latest figure may be before a goal on it is not judged."""
    s = parse_settings(ctx.settings)
    out = [KPI(id=k.id, name=k.name, unit=k.unit, higher_is_better=k.higher_is_better, source=SOURCE,
               measure=f"{k.table}: {k.measurement}", published=CADENCE[k.period][0], max_age=CADENCE[k.period][1])
           for k in s.kpis]
    ids = {k.id for k in out}
    if s.ranking is not None and s.ranking.kpi not in ids:
        r = s.ranking
        out.append(KPI(id=r.kpi, name=f"Placering på benchmarkranglisten ({r.group})", unit="plads",
                       higher_is_better=False, source=SOURCE, measure=f"{r.table}: {r.measurement}",
                       published=RANKING_CADENCE[0], max_age=RANKING_CADENCE[1]))
        ids.add(r.kpi)
    if s.ministermaal:
        for mid, goal in sorted(_ministermaal(ctx.national_goals).items()):
            kid = measurement_kpi(mid)
            if kid in ids:
                continue
            m = s.measurements.get(mid)
            name = goal.measures[0] if goal.measures else goal.title
            published, max_age = CADENCE[m.period] if m is not None and m.period else UNKNOWN_CADENCE
            out.append(KPI(id=kid, name=f"{mid}: {name}", unit=m.unit if m else "",
                           higher_is_better=m.higher_is_better if m else True, source=SOURCE,
                           measure=f"ministermål {goal.number} ({goal.year}), Jobindsats-måling {mid}",
                           published=published, max_age=max_age))
            ids.add(kid)
    return out


def _measurement_ids(s: JobindsatsSettings, goals: Sequence[NationalGoal]) -> list[str]:
    return sorted(_ministermaal(goals)) if s.ministermaal else []


def _jobs(s: JobindsatsSettings, goals: Sequence[NationalGoal], resolved: Mapping[str, Job | FetchError]
          ) -> tuple[list[Job], dict[str, FetchError]]:
    """The jobs of these settings, and the measurement ids that have none (by id, with the error
    their fetch reports: they are listed as tables of their own, so the failure is located)."""
    jobs = [Job(k.id, k.table.upper(), k.measurement, k.period, tuple(sorted(k.select.items()))) for k in s.kpis]
    if s.ranking is not None:
        r = s.ranking
        jobs.append(Job(r.kpi, r.table.upper(), r.measurement, r.period, ((r.group_dimension, r.group),), "rank"))
    failed: dict[str, FetchError] = {}
    for mid in _measurement_ids(s, goals):
        m = s.measurements.get(mid)
        if m is not None and m.table is not None and m.measurement is not None:
            jobs.append(Job(measurement_kpi(mid), m.table.upper(), m.measurement, m.period,
                            tuple(sorted(m.select.items()))))
            continue
        found = resolved.get(mid)
        if isinstance(found, Job):
            jobs.append(found)
        else:
            failed[mid.upper()] = found or FetchError(
                _("no table is known for the ministermål measurement {id}; name it under {setting} (table, "
                  "measurement)").format(id=mid, setting=f"sources.jobindsats.measurements.{mid}"), kind="settings",
                source=SOURCE, table=mid.upper())
    return jobs, failed


def _api(ctx: FetchContext, s: JobindsatsSettings) -> V2 | V3:
    headers: dict[str, str] = {}
    if ctx.http.replay is None:
        key = secret_from_env(s.key_env, SOURCE)
        headers["Authorization"] = f"Bearer {key}" if s.authorization == "bearer" else key
    return V3(ctx.http, s.base_url, headers) if s.api == "v3" else V2(ctx.http, s.base_url, headers)


def _resolved(ctx: FetchContext, s: JobindsatsSettings) -> dict[str, Job | FetchError]:
    """The measurement ids with no table in the settings, looked up in the catalogue — read once per
    fetch (the answer is kept on the fetch's `Http`, and on disk with the other responses)."""
    known = _RESOLVED.get(ctx.http)
    if known is not None:
        return known
    wanted = [mid for mid in _measurement_ids(s, ctx.national_goals)
              if (m := s.measurements.get(mid)) is None or m.table is None]
    out: dict[str, Job | FetchError] = {}
    if wanted:
        try:
            catalogue = _api(ctx, s).catalogue()
        except FetchError as err:
            why = str(err).split(": ", 1)[-1] if err.source else str(err)
            out = {mid: FetchError(_("the Jobindsats table catalogue could not be read to find the table of {id}: "
                                     "{reason}").format(id=mid, reason=why), kind=err.kind, source=SOURCE,
                                   table=mid.upper(), field=err.field)
                   for mid in wanted}
        else:
            out = {mid: _find(mid, catalogue, s.measurements.get(mid)) for mid in wanted}
    _RESOLVED[ctx.http] = out
    return out


def _find(mid: str, catalogue: Sequence[CatalogueTable], m: MeasurementSettings | None) -> Job | FetchError:
    """The one catalogue table listing the measurement id (compared without case), or the error."""
    hits = [(t, name) for t in catalogue for (i, name) in t.measurements if i.upper() == mid.upper()]
    setting = f"sources.jobindsats.measurements.{mid}"
    if len(hits) == 1:
        t, name = hits[0]
        select = tuple(sorted(m.select.items())) if m else ()
        return Job(measurement_kpi(mid), t.table, name, m.period if m else None, select, defaults=not select)
    if not hits:
        ids = {i for t in catalogue for (i, _name) in t.measurements}
        hint = did_you_mean(mid, ids, list_all=False)
        return FetchError(ngettext("no table in the Jobindsats catalogue ({n} table) lists the measurement "
                                   "{id}{hint}; name its table under {setting} (table, measurement)",
                                   "no table in the Jobindsats catalogue ({n} tables) lists the measurement "
                                   "{id}{hint}; name its table under {setting} (table, measurement)",
                                   len(catalogue)).format(
            n=len(catalogue), id=mid, hint=f" ({hint})" if hint else "", setting=setting),
            kind="not_found", source=SOURCE, table=mid.upper(), field="measure_ids")
    where = "; ".join(f"{t.table} ({t.name}): '{name}'" if t.name else f"{t.table}: '{name}'" for t, name in hits)
    return FetchError(_("the measurement {id} is listed by {n} tables of the Jobindsats catalogue — {tables}; "
                        "choose one under {setting} (table, measurement)").format(
        id=mid, n=len(hits), tables=where, setting=setting), kind="settings", source=SOURCE, table=mid.upper(),
        field="measure_ids")


def jobindsats_tables(ctx: FetchContext) -> list[str]:
    s = parse_settings(ctx.settings)
    jobs, failed = _jobs(s, ctx.national_goals, _resolved(ctx, s))
    return sorted({j.table for j in jobs} | set(failed))


def _period_of(info: TableInfo) -> PeriodKind:
    kinds = {kind_of(p) for p in info.periods}
    return next((k for k in PERIOD_ORDER if k in kinds), "month")


def fetch_table(ctx: FetchContext, table: str) -> FetchedTable:
    s = parse_settings(ctx.settings)
    all_jobs, failed = _jobs(s, ctx.national_goals, _resolved(ctx, s))
    jobs = [j for j in all_jobs if j.table == table]
    if not jobs and table in failed:
        raise failed[table]
    api = _api(ctx, s)
    info = api.table_info(table)
    if info.updated and ctx.seen.get(table) == info.updated:
        return FetchedTable(table, info.updated, skipped=True)
    first = s.first_year or ctx.year - 1
    groups: dict[tuple[PeriodKind, tuple[tuple[str, str], ...]], list[Job]] = defaultdict(list)
    for j in jobs:
        if j.defaults:
            j = replace(j, select=tuple(sorted(info.defaults.items())))
        groups[(j.period or _period_of(info), j.select)].append(j)
    areas = _areas(ctx, s)
    out: list[Observation] = []
    for (kind, select), group in sorted(groups.items()):
        check_selection(table, info, dict(select))
        if info.measurements:
            for j in group:
                if normalise_name(j.measurement) not in {normalise_name(m) for m in info.measurements}:
                    raise FetchError(_("the table has no measurement '{name}' (it has: {names})").format(
                        name=j.measurement, names=", ".join(info.measurements)), kind="settings", source=SOURCE,
                        table=table, field=j.measurement)
        periods = sorted(p for p in info.periods if kind_of(p) == kind and year_of(p) >= first)
        if not periods:
            continue
        data = api.data(table, info, periods, dict(select), kind)
        out.extend(_observations(table, data, group, areas))
    return FetchedTable(table, info.updated, tuple(out))


def _areas(ctx: FetchContext, s: JobindsatsSettings) -> dict[str, tuple[str, str | None]]:
    """Area name (normalised) → (series, municipality label)."""
    m = ctx.municipality
    out: dict[str, tuple[str, str | None]] = {normalise_name(m.name): ("local", None),
                                              normalise_name(f"{m.name} Kommune"): ("local", None)}
    if "national" in s.benchmarks:
        out[normalise_name(NATIONAL)] = ("national", None)
    if "region" in s.benchmarks and m.region:
        out[normalise_name(m.region)] = ("region", None)
        out[normalise_name(m.region.removeprefix("Region "))] = ("region", None)
    return out


def _observations(table: str, data: Data, jobs: list[Job], areas: dict[str, tuple[str, str | None]]
                  ) -> list[Observation]:
    cols = {j.kpi: column(table, data.columns, j.measurement) for j in jobs}
    out: list[Observation] = []
    for i, row in enumerate(data.rows):
        area, code = str(row[0]), str(row[1])
        who = areas.get(normalise_name(area))
        if who is None:
            continue
        period = to_period(code)
        if period is None:
            raise shape(table, data.columns[1], _("row {n} ({area}) has the period '{code}', which is not a Jobindsats "
                                                  "period code (2025M01, 2025Q1, 2024QMAT02, 2024Y01)").format(
                n=i + 1, area=area, code=code))
        for j in jobs:
            value = _number(table, data.columns[cols[j.kpi]], row[cols[j.kpi]], area, code)
            if value is None:
                continue
            if j.series == "rank":
                if who[0] != "local":
                    continue
                out.append(Observation(kpi=j.kpi, period=period, value=value, series="rank", source=SOURCE))
            else:
                out.append(Observation(kpi=j.kpi, period=period, value=value, series=who[0], municipality=who[1],
                                       source=SOURCE))
    return out


def _number(table: str, fld: str, cell: object, area: str, period: str) -> float | None:
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip()
    if text.lower() in MISSING:
        return None
    try:
        return parse_number(text)
    except ValueError:
        raise shape(table, fld, _("the value '{value}' for {area} {period} is not a number").format(
            value=text, area=area, period=period)) from None


def no_observations(ctx: SourceContext) -> list[Observation]:
    """Nothing is read when a configuration loads: figures arrive with `govcore fetch` into the database."""
    parse_settings(ctx.settings)
    return []


SOURCE_SPEC = KpiSource(
    name=SOURCE,
    description="Jobindsats (STAR): benefit recipients, ministermål measurements and the benchmark ranking "
                "(API v2 or v3; fetched with `govcore fetch`)",
    kpis=jobindsats_kpis,
    load=no_observations,
    tables=jobindsats_tables,
    fetch=fetch_table,
    depends_on=frozenset({"national_goals"}),  # the year's ministermål measurements, not the year itself
)
