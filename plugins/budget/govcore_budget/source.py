"""The `budget` KPI source: a finance export (CSV or .xlsx) turned into monthly observations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from govcore import (
    KPI,
    Frequency,
    InputError,
    KpiSource,
    Observation,
    Problem,
    SourceContext,
    did_you_mean,
    normalise_name,
)
from govcore_budget.figures import MEASURES, derived, extrapolate_forecast
from govcore_budget.i18n import _
from govcore_budget.parsing import (
    AMOUNT_HINT,
    DATE_HINT,
    MONTH_HINT,
    is_blank,
    parse_amount,
    parse_date,
    parse_month,
)
from govcore_budget.settings import AreaSettings, BudgetSettings, parse_settings
from govcore_budget.table import Column, Row, read_table

COLUMNS: tuple[Column, ...] = (
    Column("area", ("omraade", "område", "budgetomraade", "area", "budget_area")),
    Column("effort_group", ("indsatsgruppe", "effort_group", "target_group")),
    Column("period", ("periode", "maaned", "måned", "period", "month"), required=True),
    Column("budget", ("budget", "korrigeret_budget", "aarsbudget", "årsbudget", "annual_budget"),
           required=True),
    Column("spent", ("forbrug", "forbrug_aar_til_dato", "forbrug år til dato", "spent", "spent_to_date",
                     "actual", "actuals"), required=True),
    Column("committed", ("disponeret", "disponering", "disponeringer", "committed", "commitments")),
    Column("forecast", ("forventet_forbrug", "forventet_regnskab", "forecast", "expected_spending")),
    Column("known", ("kendt", "kendt_dato", "known", "known_at")),
)
ONE_OF = (("area", "effort_group"),)

# Summary lines of finance exports are skipped rather than read as an area.
TOTAL_WORDS = frozenset({"ialt", "total", "totalt", "sum", "samlet", "hovedtotal", "grandtotal"})

# measure -> (Danish name, unit, higher is better)
MEASURE_INFO: dict[str, tuple[str, str, bool]] = {
    "budget": ("budget (korrigeret årsbudget)", "kr.", True),
    "spent": ("forbrug år til dato", "kr.", False),
    "committed": ("disponeret", "kr.", False),
    "forecast": ("forventet forbrug for året", "kr.", False),
    "expected_spent": ("forventet forbrug til dato efter budgetprofilen", "kr.", False),
    "spent_deviation": ("afvigelse: forbrug minus forventet forbrug til dato", "kr.", False),
    "spent_deviation_pct": ("afvigelse: forbrug mod forventet forbrug til dato", "%", False),
    "forecast_deviation": ("afvigelse: forventet forbrug minus budget", "kr.", False),
    "forecast_deviation_pct": ("afvigelse: forventet forbrug mod budget", "%", False),
}


def kpi_id(area: str, measure: str) -> str:
    return f"budget:{area}:{measure}"


# A finance export comes monthly; a month's figures older than this (after the month's end) are
# not judged as current — by goals on the KPIs and by the budget_area subjects alike.
MAX_AGE = "62 days"


def budget_kpis(ctx: SourceContext) -> list[KPI]:
    """Nine KPIs per configured area (see MEASURES), in the order of the settings."""
    settings = parse_settings(ctx.settings)
    return [
        KPI(id=kpi_id(a.id, m), name=f"{a.label}: {MEASURE_INFO[m][0]}", unit=MEASURE_INFO[m][1],
            higher_is_better=MEASURE_INFO[m][2], source="budget", measure=m,
            published=Frequency.monthly, max_age=MAX_AGE,
            description=f"Budgetområde {a.label}"
            + (f" (indsatsgruppe {a.effort_group})" if a.effort_group else ""))
        for a in settings.areas for m in MEASURES
    ]


def load_budget(ctx: SourceContext) -> list[Observation]:
    settings = parse_settings(ctx.settings)
    return read_budget_file(settings.path(ctx), settings)


SOURCE = KpiSource(
    name="budget",
    description="Budget, forbrug, disponering and forventet forbrug per budget area from a finance export "
                "(CSV or .xlsx), with expected spending by budget profile and deviations",
    kpis=budget_kpis,
    load=load_budget,
    depends_on=frozenset(),  # the files the settings name, not the version's year or goals
)


@dataclass(frozen=True)
class _Entry:
    line: int
    group: str
    known: dt.date
    budget: float
    spent: float
    committed: float
    forecast: float | None


def read_budget_file(path: Path, settings: BudgetSettings) -> list[Observation]:
    """Observations of every measure, per area and month, as known on each `kendt` date.

    Rows of one area and month (several effort groups or accounts) are added up. A row with a
    later `kendt` date for the same area, effort group and month is a correction.
    """
    rows = read_table(path, COLUMNS, settings.sheet, ONE_OF)
    problems: list[Problem] = []
    entries: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
    seen: dict[tuple[str, str, str, dt.date], int] = {}
    areas = _Areas(settings)
    for row in rows:
        read = _read_row(row, areas, problems)
        if read is None:
            continue
        area, month, entry = read
        key = (area.id, month, entry.group, entry.known)
        if key in seen:
            message = (_("repeats area '{area}', month {month}, effort group '{group}' from line {line}")
                       if entry.group else _("repeats area '{area}', month {month} from line {line}"))
            problems.append(row.problem("period", message.format(area=area.id, month=month, group=entry.group,
                                                                 line=seen[key]),
                                        hint=_("add the amounts into one row, or give a correction a later "
                                               "'kendt' date")))
            continue
        seen[key] = row.line
        entries[(area.id, month)].append(entry)
    if problems:
        raise InputError(problems)
    return _observations(entries, settings, path, rows)


class _Areas:
    """The configured areas by their names as compared (`normalise_name`): an export names the same
    few areas and effort groups on every row, so each text is normalised once per file read."""

    def __init__(self, settings: BudgetSettings) -> None:
        self.settings = settings
        self._names: dict[str, str] = {}
        self.by_group: dict[str, AreaSettings] = {}
        self.by_name: dict[str, AreaSettings] = {}
        for a in settings.areas:  # the first area that has a name, as a search in the settings' order finds
            if a.effort_group:
                self.by_group.setdefault(self.name(a.effort_group), a)
            self.by_name.setdefault(self.name(a.id), a)
            self.by_name.setdefault(self.name(a.title), a)

    def name(self, text: str) -> str:
        found = self._names.get(text)
        if found is None:
            found = self._names[text] = normalise_name(text)
        return found


def _read_row(row: Row, areas: _Areas, problems: list[Problem]) -> tuple[AreaSettings, str, _Entry] | None:
    area_text, group_text = row.text("area"), row.text("effort_group")
    if areas.name(area_text or group_text) in TOTAL_WORDS:
        return None
    before = len(problems)
    area = _area(row, area_text, group_text, areas, problems)
    month: str | None = None
    try:
        month = parse_month(row.value("period")) if not is_blank(row.value("period")) else None
        if month is None:
            problems.append(row.problem("period", _("no month given"), _(MONTH_HINT)))
    except ValueError as err:
        problems.append(row.problem("period", str(err), _(MONTH_HINT)))
    budget = _amount(row, "budget", problems, required=True)
    if budget is not None and budget < 0:
        problems.append(row.problem("budget", _("the budget '{amount}' is negative").format(amount=row.text("budget")),
                                    _("a budget is 0 or more; check the sign")))
    spent = _amount(row, "spent", problems, required=True)
    committed = _amount(row, "committed", problems)
    forecast = _amount(row, "forecast", problems)
    known: dt.date | None = None
    if not is_blank(row.value("known")):
        try:
            known = parse_date(row.value("known"))
        except ValueError as err:
            problems.append(row.problem("known", str(err), _(DATE_HINT)))
    if len(problems) > before or area is None or month is None or budget is None or spent is None:
        return None
    start = dt.date(int(month[:4]), int(month[5:7]), 1)
    next_month = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if known is not None and known < start:
        problems.append(row.problem("known", _("the figures of {month} cannot be known on {day}, before the month "
                                               "began").format(month=month, day=known),
                                    _("'kendt' is the date the figures became available")))
        return None
    return area, month, _Entry(row.line, areas.name(group_text), known or next_month,
                               budget, spent, committed or 0.0, forecast)


def _area(row: Row, area_text: str, group_text: str, areas: _Areas,
          problems: list[Problem]) -> AreaSettings | None:
    """The configured area of a row: by effort group first, then by area id or title."""
    settings = areas.settings
    if group_text:
        found = areas.by_group.get(areas.name(group_text))
        if found is not None:
            return found
    if area_text:
        found = areas.by_name.get(areas.name(area_text))
        if found is not None:
            return found
        names = [a.id for a in settings.areas] + [a.title for a in settings.areas if a.title]
        close = did_you_mean(area_text, names)
        hint = (f"{close}; " if close else "") + _("areas are listed under sources.budget.areas")
        problems.append(row.problem("area", _("unknown area '{area}'").format(area=area_text), hint))
        return None
    if group_text:
        groups = [a.effort_group for a in settings.areas if a.effort_group]
        problems.append(row.problem("effort_group", _("no area has the effort group '{group}'").format(
            group=group_text), did_you_mean(group_text, groups) or _("set effort_group on an area in "
                                                                      "sources.budget.areas, or fill in omraade")))
        return None
    problems.append(row.problem("area", _("no area given"), _("fill in omraade with an area id or title from "
                                                              "sources.budget.areas")))
    return None


def _amount(row: Row, key: str, problems: list[Problem], required: bool = False) -> float | None:
    value = row.value(key)
    if is_blank(value):
        if required:
            problems.append(row.problem(key, _("no amount given"), _("write 0 if there is nothing")))
        return None
    try:
        return parse_amount(value)
    except ValueError as err:
        problems.append(row.problem(key, str(err), _(AMOUNT_HINT)))
        return None


def _observations(entries: dict[tuple[str, str], list[_Entry]], settings: BudgetSettings, path: Path,
                  rows: list[Row]) -> list[Observation]:
    areas = {a.id: a for a in settings.areas}
    order = {a.id: i for i, a in enumerate(settings.areas)}
    by_line = {r.line: r for r in rows}
    source = f"budget:{path.name}"
    out: list[Observation] = []
    problems: list[Problem] = []
    for (area_id, month), items in sorted(entries.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        area = areas[area_id]
        m = int(month[5:7])
        groups = sorted({e.group for e in items})
        if "" in groups and len(groups) > 1:
            whole = min(e.line for e in items if not e.group)
            parts = ", ".join(str(e.line) for e in items if e.group)
            problems.append(by_line[whole].problem(
                "effort_group", _("area '{area}' in {month} has a row without effort group and rows per effort "
                                  "group (lines {lines}); the amounts would be counted twice").format(
                    area=area_id, month=month, lines=parts),
                _("fill in indsatsgruppe on every row of the area, or give one row for the whole area")))
            continue
        for day in sorted({e.known for e in items}):
            chosen = []
            for g in groups:
                known = [e for e in items if e.group == g and e.known <= day]
                if not known:
                    break
                chosen.append(max(known, key=lambda e: e.known))
            else:
                budget = sum(e.budget for e in chosen)
                if budget <= 0:
                    first = min(e.line for e in chosen)
                    problems.append(by_line[first].problem(
                        "budget", _("area '{area}' has no budget (0) in {month}").format(area=area_id, month=month),
                        _("a budget area needs a budget above 0 to compare spending with")))
                    break
                forecast = sum(extrapolate_forecast(e.spent, e.budget, m, area.shares)
                               if e.forecast is None else e.forecast for e in chosen)
                figures = derived(budget, sum(e.spent for e in chosen), sum(e.committed for e in chosen),
                                  forecast, m, area.shares)
                out.extend(Observation(kpi=kpi_id(area_id, measure), period=month, value=value, source=source,
                                       known_at=day) for measure, value in figures.items())
    if problems:
        raise InputError(problems)
    return out
