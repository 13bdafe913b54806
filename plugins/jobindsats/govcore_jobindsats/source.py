"""The `jobindsats` KPI source: which KPIs a configuration gets, and one table's observations.

Areas in Jobindsats are names: the municipality's own rows become its `local` series, "Hele
landet" the `national` series and its region the `region` series (when asked for under
`benchmarks`). The national benchmark ranking (Y30R21) becomes the `rank` series of the ranking
KPI, which rank targets read. Values Jobindsats withholds ("..", "-", empty) are left out; any
other value that is not a number is a located error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from govcore import (
    KPI,
    FetchContext,
    FetchedTable,
    FetchError,
    KpiSource,
    NationalGoal,
    Observation,
    SourceContext,
    normalise_name,
    parse_number,
    secret_from_env,
)
from govcore_jobindsats.api import SOURCE, V2, V3, Data, check_selection, column, shape
from govcore_jobindsats.periods import kind_of, to_period, year_of
from govcore_jobindsats.settings import JobindsatsSettings, PeriodKind, parse_settings

MISSING = frozenset({"", "..", "-", "x", "null"})
NATIONAL = "Hele landet"


@dataclass(frozen=True)
class Job:
    """One KPI series read from one table: `series` is 'values' (local and benchmarks) or 'rank'."""

    kpi: str
    table: str
    measurement: str
    period: PeriodKind
    select: tuple[tuple[str, str], ...]
    series: str = "values"


def measurement_kpi(measure_id: str) -> str:
    return f"jobindsats:{measure_id.lower()}"


def _ministermaal(goals: Sequence[NationalGoal]) -> dict[str, NationalGoal]:
    return {m: g for g in goals for m in g.measure_ids}


def jobindsats_kpis(ctx: SourceContext) -> list[KPI]:
    s = parse_settings(ctx.settings)
    out = [KPI(id=k.id, name=k.name, unit=k.unit, higher_is_better=k.higher_is_better, source=SOURCE,
               measure=f"{k.table}: {k.measurement}") for k in s.kpis]
    ids = {k.id for k in out}
    if s.ranking is not None and s.ranking.kpi not in ids:
        r = s.ranking
        out.append(KPI(id=r.kpi, name=f"Placering på benchmarkranglisten ({r.group})", unit="plads",
                       higher_is_better=False, source=SOURCE, measure=f"{r.table}: {r.measurement}"))
        ids.add(r.kpi)
    if s.ministermaal:
        for mid, goal in sorted(_ministermaal(ctx.national_goals).items()):
            kid = measurement_kpi(mid)
            if kid in ids:
                continue
            m = s.measurements.get(mid)
            name = goal.measures[0] if goal.measures else goal.title
            out.append(KPI(id=kid, name=f"{mid}: {name}", unit=m.unit if m else "",
                           higher_is_better=m.higher_is_better if m else True, source=SOURCE,
                           measure=f"ministermål {goal.number} ({goal.year}), Jobindsats-måling {mid}"))
            ids.add(kid)
    return out


def _jobs(s: JobindsatsSettings, goals: Sequence[NationalGoal]) -> list[Job]:
    jobs = [Job(k.id, k.table.upper(), k.measurement, k.period, tuple(sorted(k.select.items()))) for k in s.kpis]
    if s.ranking is not None:
        r = s.ranking
        jobs.append(Job(r.kpi, r.table.upper(), r.measurement, r.period, ((r.group_dimension, r.group),), "rank"))
    if s.ministermaal:
        for mid in sorted(_ministermaal(goals)):
            m = s.measurements.get(mid)
            table = m.table.upper() if m else mid.upper()
            if m is not None:
                jobs.append(Job(measurement_kpi(mid), table, m.measurement, m.period, tuple(sorted(m.select.items()))))
            else:
                jobs.append(Job(measurement_kpi(mid), table, "", "month", ()))
    return jobs


def jobindsats_tables(ctx: FetchContext) -> list[str]:
    s = parse_settings(ctx.settings)
    return sorted({j.table for j in _jobs(s, ctx.national_goals)})


def fetch_table(ctx: FetchContext, table: str) -> FetchedTable:
    s = parse_settings(ctx.settings)
    jobs = [j for j in _jobs(s, ctx.national_goals) if j.table == table]
    for j in jobs:
        if not j.measurement:
            raise FetchError(f"the ministermål year file does not say which Jobindsats table holds {table}; set "
                             f"sources.jobindsats.measurements.{table} (table, measurement)", kind="settings",
                             source=SOURCE, table=table)
    headers: dict[str, str] = {}
    if ctx.http.replay is None:
        key = secret_from_env(s.key_env, SOURCE)
        headers["Authorization"] = f"Bearer {key}" if s.authorization == "bearer" else key
    api = V3(ctx.http, s.base_url, headers) if s.api == "v3" else V2(ctx.http, s.base_url, headers)
    info = api.table_info(table)
    if info.updated and ctx.seen.get(table) == info.updated:
        return FetchedTable(table, info.updated, skipped=True)
    first = s.first_year or ctx.year - 1
    groups: dict[tuple[PeriodKind, tuple[tuple[str, str], ...]], list[Job]] = defaultdict(list)
    for j in jobs:
        groups[(j.period, j.select)].append(j)
    areas = _areas(ctx, s)
    out: list[Observation] = []
    for (kind, select), group in sorted(groups.items()):
        check_selection(table, info, dict(select))
        if info.measurements:
            for j in group:
                if normalise_name(j.measurement) not in {normalise_name(m) for m in info.measurements}:
                    raise FetchError(f"the table has no measurement '{j.measurement}' (it has: "
                                     f"{', '.join(info.measurements)})", kind="settings", source=SOURCE,
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
            raise shape(table, data.columns[1], f"row {i + 1} ({area}) has the period '{code}', which is not a "
                        "Jobindsats period code (2025M01, 2025Q1, 2024QMAT02, 2024Y01)")
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
        raise shape(table, fld, f"the value '{text}' for {area} {period} is not a number") from None


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
)
