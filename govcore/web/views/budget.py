"""Budget control (budgetkontrol) per area, from what the live run has stored: the budget plugin's
`budget_area` subjects (the figures and status its rules see) and the monthly observations of its
KPIs (`budget:<area>:<measure>`) for the chart. Nothing is read from the finance files themselves:
a page shows what the run knows on its day."""

from __future__ import annotations

from dataclasses import dataclass

from govcore.charts import COLORS, MONTH_SHORT, Bar, ChartTable, Line, bar_chart, chart_table, line_chart
from govcore.goalchart import GoalChart
from govcore.i18n import N_, _
from govcore.text import danish_number, percent
from govcore.web.views.run import RunView

KIND = "budget_area"
# Message ids: translate where they are read.
STATUS_LABELS = {"on_track": N_("Within budget"), "at_risk": N_("Over budget within the tolerance"),
                 "off_track": N_("Over budget"), "no_data": N_("No figures")}
MIO = 1_000_000.0


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    owner: str
    period: str
    budget: float | None
    spent: float | None
    committed: float | None
    forecast: float | None
    expected_spent: float | None
    forecast_deviation: float | None
    forecast_deviation_pct: float | None
    tolerance_pct: float | None
    status: str
    status_label: str
    chart: GoalChart | None


@dataclass(frozen=True)
class BudgetControl:
    areas: tuple[Area, ...]
    overview: GoalChart | None


def _kpi(area: str, measure: str) -> str:
    return f"budget:{area}:{measure}"


def _area_chart(view: RunView, area: str, title: str, period: str) -> GoalChart | None:
    """The budget year of `period` month by month: spending, spending plus commitments, what the
    profile expects by then, the forecast for the year and the budget, in mio. kr."""
    if not period:
        return None
    year = period[:4]
    seen = view.store().as_of(view.day)

    def months(measure: str) -> dict[int, float]:
        return {int(o.period[5:7]): o.value for o in seen.history(_kpi(area, measure))
                if o.period.startswith(year + "-") and len(o.period) == 7}

    spent, committed = months("spent"), months("committed")
    series = [(_("Spent"), spent, "solid", COLORS[0]),
              (_("Spent + committed"), {m: v + committed.get(m, 0.0) for m, v in spent.items()}, "dashed",
               COLORS[3]),
              (_("Expected spending to date"), months("expected_spent"), "dotted", COLORS[2]),
              (_("Expected spending for the year"), months("forecast"), "dashed", COLORS[1]),
              (_("Budget"), months("budget"), "solid", COLORS[4])]
    lines = [Line(label, [(float(m), v / MIO) for m, v in sorted(values.items())], style, color)  # type: ignore[arg-type]
             for label, values, style, color in series if values]
    if not lines:
        return None
    labels = {float(m): MONTH_SHORT[m - 1] for m in range(1, 13)}
    chart_title = _("{title}: spending and expected spending against the budget {year}").format(title=title, year=year)
    desc = _("{title} month by month in {year}, in mio. kr.: spending to date, spending plus committed, "
             "the spending the budget profile expects by then, the expected spending for the whole year and the "
             "budget.").format(title=title, year=year)
    svg = line_chart(lines, title=chart_title, x_labels=labels, unit="mio. kr.", desc=desc)
    table = chart_table(lines, labels, lambda v: danish_number(v, 1, fixed=True), first=_("Month"))
    return GoalChart(anchor=f"budget-{area}", title=chart_title, svg=svg, desc=desc, table=table)


def _overview(areas: list[Area]) -> GoalChart | None:
    shown = [a for a in areas if a.forecast_deviation_pct is not None]
    if not shown:
        return None
    bars = [Bar(a.title, a.forecast_deviation_pct or 0.0, highlight=(a.forecast_deviation or 0.0) > 0) for a in shown]
    title = _("Expected spending over (+) or under (−) the budget, in % of the budget")
    desc = _("Each budget area's expected spending for the year compared with the budget, in per cent; over 0 is "
             "over budget.")
    svg = bar_chart(bars, title=title, unit="%", desc=desc)
    table = ChartTable(headers=(_("Area"), _("Deviation")), rows=tuple((a.title, percent(a.forecast_deviation_pct))
                                                                    for a in shown))
    return GoalChart(anchor="budget-oversigt", title=title, svg=svg, desc=desc, table=table)


def budget_control(view: RunView) -> BudgetControl | None:
    """Every budget area with its figures, status and chart; None when the municipality has no
    budget areas (no budget plugin, or no `sources.budget`)."""
    subjects = view.subjects(KIND)
    if not subjects:
        return None
    areas = []
    for s in subjects:
        f = s.fields
        status = str(f.get("status") or "no_data")
        areas.append(Area(
            id=s.id, title=s.title or s.id, owner=view.role(s.owner), period=str(f.get("period") or ""),
            budget=f.get("budget"), spent=f.get("spent"), committed=f.get("committed"), forecast=f.get("forecast"),
            expected_spent=f.get("expected_spent"), forecast_deviation=f.get("forecast_deviation"),
            forecast_deviation_pct=f.get("forecast_deviation_pct"), tolerance_pct=f.get("tolerance_pct"),
            status=status, status_label=_(STATUS_LABELS[status]) if status in STATUS_LABELS else status,
            chart=_area_chart(view, s.id, s.title or s.id, str(f.get("period") or ""))))
    return BudgetControl(tuple(areas), _overview(areas))

