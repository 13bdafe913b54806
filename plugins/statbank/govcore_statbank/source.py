"""The `statbank` KPI source: Danmarks Statistik's Statbank API (https://api.statbank.dk/v1).

Per table a fetch asks `tableinfo` (its variables, their value codes, and when the table was last
`updated`) and then `data` as CSV with value codes, for the municipality (OMRÅDE = its
three-digit code), "Hele landet" (000) and its region when asked for, and every period (Tid) from
`first_year`. The API needs no key. Periods: 2024K1 → 2024-Q1, 2024M01 → 2024-01, 2024H1 →
2024-H1, 2024 → 2024. Values shown as ".." (not published) are left out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govcore import (
    KPI,
    CsvRecords,
    FetchContext,
    FetchedTable,
    FetchError,
    Frequency,
    KpiSource,
    Observation,
    SourceContext,
    did_you_mean,
    normalise_name,
    parse_number,
    validate_settings,
)
from govcore_statbank.i18n import _

SOURCE = "statbank"
SECTION = "sources.statbank"
AREA = "OMRÅDE"
TIME = "Tid"
NATIONAL_CODE = "000"
_TIME = re.compile(r"^(\d{4})(?:([KMH])(\d{1,2}))?$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# How often the tables govcore knows are published. Another table needs `published:` in its KPI's
# settings: Danmarks Statistik publishes per table, and a figure is only current until the next one.
TABLES: dict[str, Frequency] = {
    "AUK01": Frequency.quarterly,   # offentligt forsørgede
    "AUL01": Frequency.yearly,      # registered unemployment
    "AUF02": Frequency.monthly,     # registered unemployment, monthly
    "FOLK1A": Frequency.quarterly,  # population
}
# How old the latest figure may be, from the end of its period: a table comes out some ten weeks
# after its period (AUK01 updated 12 September 2024 ended with 2024K2), so just before the next
# release the latest figure is one period and that lag old.
MAX_AGE: dict[Frequency, str] = {
    Frequency.every_14_days: "2 months", Frequency.monthly: "3 months", Frequency.every_2nd_month: "5 months",
    Frequency.quarterly: "6 months", Frequency.half_yearly: "1 year", Frequency.yearly: "18 months",
}


class KpiSettings(_Model):
    id: str = Field(pattern=r"^statbank:[a-z0-9][a-z0-9_.-]*$", max_length=120)
    name: str = Field(min_length=1)
    table: str = Field(pattern=r"^[A-Za-z0-9]+$")
    select: dict[str, str] = Field(default_factory=dict)
    unit: str = ""
    higher_is_better: bool = True
    published: Frequency | None = None

    @model_validator(mode="after")
    def _cadence(self) -> KpiSettings:
        if self.published is None and self.table.upper() not in TABLES:
            raise ValueError(_("say how often Danmarks Statistik publishes table {table}: published: monthly, "
                               "quarterly, half_yearly or yearly (govcore knows {known})").format(
                table=self.table.upper(), known=", ".join(sorted(TABLES))))
        return self

    @property
    def cadence(self) -> Frequency:
        return self.published or TABLES[self.table.upper()]


class StatbankSettings(_Model):
    base_url: str = Field(default="https://api.statbank.dk/v1", pattern=r"^https?://")
    first_year: int | None = Field(default=None, ge=1990, le=2100)
    benchmarks: list[Literal["national", "region"]] = Field(default_factory=list)
    kpis: list[KpiSettings] = Field(min_length=1)


def parse_settings(settings: Mapping[str, Any]) -> StatbankSettings:
    return validate_settings(StatbankSettings, settings, SECTION)


def to_period(code: str) -> str | None:
    m = _TIME.match(code.strip())
    if m is None:
        return None
    year, kind, n = m.group(1), m.group(2), m.group(3)
    if kind is None:
        return year
    if kind == "K" and 1 <= int(n) <= 4:
        return f"{year}-Q{int(n)}"
    if kind == "M" and 1 <= int(n) <= 12:
        return f"{year}-{int(n):02d}"
    if kind == "H" and int(n) in (1, 2):
        return f"{year}-H{int(n)}"
    return None


def statbank_kpis(ctx: SourceContext) -> list[KPI]:
    s = parse_settings(ctx.settings)
    return [KPI(id=k.id, name=k.name, unit=k.unit, higher_is_better=k.higher_is_better, source=SOURCE,
                measure=k.table.upper(), published=k.cadence, max_age=MAX_AGE[k.cadence]) for k in s.kpis]


def statbank_tables(ctx: FetchContext) -> list[str]:
    return sorted({k.table.upper() for k in parse_settings(ctx.settings).kpis})


def _shape(table: str, fld: str, message: str) -> FetchError:
    return FetchError(_("the response is not shaped as expected: {problem}; the Statbank API may have "
                        "changed").format(problem=message), kind="shape", source=SOURCE, table=table, field=fld)


def _tableinfo(ctx: FetchContext, base: str, table: str) -> tuple[str, dict[str, dict[str, str]]]:
    doc = ctx.http.get(f"{base}/tableinfo/{table}", params={"format": "JSON", "lang": "da"},
                       table=table).json(SOURCE, table)
    if not isinstance(doc, dict) or not isinstance(doc.get("variables"), list):
        raise _shape(table, "variables", _("expected a table description with variables"))
    variables: dict[str, dict[str, str]] = {}
    for i, v in enumerate(doc["variables"]):
        if not isinstance(v, dict) or not isinstance(v.get("id"), str) or not isinstance(v.get("values"), list):
            raise _shape(table, f"variables[{i}]", _("expected id and values"))
        values = {}
        for j, x in enumerate(v["values"]):
            if not isinstance(x, dict) or "id" not in x:
                raise _shape(table, f"variables[{i}].values[{j}]", _("expected id and text"))
            values[str(x["id"])] = str(x.get("text", x["id"]))
        variables[v["id"]] = values
    for needed in (AREA, TIME):
        if needed not in variables:
            raise _shape(table, needed, _("the table has no variable {name}").format(name=needed))
    return str(doc.get("updated") or ""), variables


def fetch_table(ctx: FetchContext, table: str) -> FetchedTable:
    s = parse_settings(ctx.settings)
    kpis = [k for k in s.kpis if k.table.upper() == table]
    base = s.base_url.rstrip("/")
    updated, variables = _tableinfo(ctx, base, table)
    if updated and ctx.seen.get(table) == updated:
        return FetchedTable(table, updated, skipped=True)
    areas = _areas(ctx, s, table, variables[AREA])
    first = s.first_year or ctx.year - 1
    times = [t for t in variables[TIME] if to_period(t) and int(t[:4]) >= first]
    out: list[Observation] = []
    for k in kpis:
        for var, code in k.select.items():
            if var not in variables:
                raise FetchError(_("the table has no variable '{name}' ({hint})").format(
                    name=var, hint=did_you_mean(var, variables)), kind="settings", source=SOURCE, table=table,
                    field=var)
            if code not in variables[var]:
                raise FetchError(_("the variable has no value code '{code}' ({hint})").format(
                    code=code, hint=did_you_mean(code, variables[var])), kind="settings", source=SOURCE, table=table,
                    field=var)
        if not times:
            continue
        body = {"table": table, "format": "CSV", "lang": "da", "valuePresentation": "Code",
                "delimiter": "Semicolon",
                "variables": [{"code": AREA, "values": sorted(areas)}, {"code": TIME, "values": times}]
                + [{"code": var, "values": [code]} for var, code in sorted(k.select.items())]}
        text = ctx.http.post(f"{base}/data", body=body, table=table).text
        out.extend(_observations(table, k.id, text, areas))
    return FetchedTable(table, updated, tuple(out))


def _areas(ctx: FetchContext, s: StatbankSettings, table: str, values: dict[str, str]) -> dict[str, str]:
    """OMRÅDE code → series."""
    m = ctx.municipality
    if m.code not in values:
        raise FetchError(_("the table has no figures for {municipality} (OMRÅDE {code})").format(
            municipality=m.name, code=m.code), kind="settings", source=SOURCE, table=table, field=AREA)
    out = {m.code: "local"}
    if "national" in s.benchmarks and NATIONAL_CODE in values:
        out[NATIONAL_CODE] = "national"
    if "region" in s.benchmarks and m.region:
        names = {normalise_name(text): code for code, text in values.items()}
        code = names.get(normalise_name(m.region)) or names.get(normalise_name(m.region.removeprefix("Region ")))
        if code is None:
            raise FetchError(_("the table has no area named {region}").format(region=m.region), kind="settings",
                             source=SOURCE, table=table, field=AREA)
        out[code] = "region"
    return out


def _observations(table: str, kpi: str, text: str, areas: dict[str, str]) -> list[Observation]:
    text = text.lstrip("\ufeff")
    if not text:
        raise _shape(table, "(data)", _("the CSV answer is empty"))
    records = CsvRecords(text)
    try:
        return _rows(table, kpi, records, areas)
    except csv.Error as err:  # e.g. a quote never closed: located, not a plugin failure
        line = records.line
        raise _shape(table, _("line {n}").format(n=line),
                     _("line {n}: the CSV answer cannot be read: {reason}").format(n=line, reason=err)) from None


def _rows(table: str, kpi: str, records: CsvRecords, areas: dict[str, str]) -> list[Observation]:
    header = [normalise_name(h) for h in next(records)]
    try:
        ia, it = header.index(normalise_name(AREA)), header.index(normalise_name(TIME))
    except ValueError:
        raise _shape(table, AREA if normalise_name(AREA) not in header else TIME,
                     _("the CSV header ({header}) lacks the column").format(header=records.first_line)) from None
    iv = len(header) - 1
    out = []
    for cells in records:
        n = records.line
        if not cells:
            continue
        if len(cells) != len(header):
            raise _shape(table, _("line {n}").format(n=n), _("expected {expected} cells, found {found}").format(
                expected=len(header), found=len(cells)))
        series = areas.get(cells[ia].strip())
        period = to_period(cells[it])
        if series is None or period is None:
            continue
        raw = cells[iv].strip()
        if raw in ("..", "", "-"):
            continue
        try:
            value = parse_number(raw)
        except ValueError:
            raise _shape(table, "INDHOLD", _("line {n}: the value '{value}' is not a number").format(
                n=n, value=raw)) from None
        out.append(Observation(kpi=kpi, period=period, value=value, series=series, source=SOURCE))
    return out


def no_observations(ctx: SourceContext) -> list[Observation]:
    """Nothing is read when a configuration loads: figures arrive with `govcore fetch` into the database."""
    parse_settings(ctx.settings)
    return []


SOURCE_SPEC = KpiSource(
    name=SOURCE,
    description="Danmarks Statistik (Statbank API): e.g. AUK01 offentligt forsørgede, AUL01 ledighed, FOLK1A "
                "befolkning; fetched with `govcore fetch`",
    kpis=statbank_kpis,
    load=no_observations,
    tables=statbank_tables,
    fetch=fetch_table,
    depends_on=frozenset(),  # the KPIs the settings name, not the version's year or goals
)
