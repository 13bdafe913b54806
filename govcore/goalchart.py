"""A goal's charts: its figures against what its target asks, for the year report and goal pages.

The target decides what is drawn next to the observed values: a threshold (`at_least`,
`at_most`) as a level line, a trajectory through its milestones, a change as the path from its
baseline, a benchmark as the benchmark's own series, and a rank target as a second chart of the
rank over time (nr. 1 on top). Every chart carries a description and a table of its figures (its
text alternative), so a screen reader, a printout in black and white and a reader who wants the
numbers get the same facts as the eye.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from govcore.charts import COLORS, ChartTable, Line, chart_table, goal_lines, goal_x_labels, line_chart, period_x
from govcore.forecast import GoalForecast
from govcore.formatting import is_rank_unit, percent, quantity
from govcore.i18n import N_, _
from govcore.model import (
    KPI,
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    Benchmark,
    Change,
    Goal,
    Observation,
    Period,
    Rank,
    Target,
    Trajectory,
    Until,
)
from govcore.observations import ObservationView

__all__ = ["BENCHMARK_NAMES", "GoalChart", "goal_charts"]

# Marked for the catalog: translate where shown, `_(BENCHMARK_NAMES[series])`.
BENCHMARK_NAMES = {"national": N_("the national average"), "region": N_("the region"), "cluster": N_("the cluster")}
_MAX_RANK_PERIODS = 16  # a computed rank reads every municipality's figure: the recent periods are enough


@dataclass(frozen=True)
class GoalChart:
    """One chart of a goal: the SVG, what it shows in words, and its figures as a table."""

    anchor: str
    title: str
    svg: str
    desc: str
    table: ChartTable


def _criteria(target: Target | None) -> list[Target]:
    if target is None:
        return []
    if isinstance(target, AllOf | AnyOf):
        return [c for t in target.criteria for c in _criteria(t)]
    if isinstance(target, Until):
        return [*_criteria(target.improve), *_criteria(target.reached)]
    return [target]


def _owner(view: ObservationView, kpi: str, series: str, municipality: str | None) -> str | None:
    return municipality if municipality and view.store.rows((kpi, series, municipality)) else None


def _level(label: str, value: float, xs: Sequence[float], color: str = COLORS[2]) -> Line:
    return Line(label, [(x, value) for x in xs], "dotted", color, markers=False)


def _reference_lines(goal: Goal, kpi: KPI, view: ObservationView, municipality: str | None,
                     local: Sequence[Observation], labels: dict[float, str]) -> list[Line]:
    """The target's own lines; adds the x positions they need to `labels`."""
    unit = kpi.unit
    lines: list[Line] = []
    criteria = _criteria(goal.target)
    for t in criteria:
        if isinstance(t, Trajectory):
            for m in t.milestones:
                labels.setdefault(period_x(m.period), m.period)
    xs = sorted(labels)
    for t in criteria:
        if isinstance(t, AtLeast | AtMost):
            label = _("Requirement: at least {value}") if isinstance(t, AtLeast) else _("Requirement: at most {value}")
            lines.append(_level(label.format(value=quantity(t.value, unit)), t.value, xs))
        elif isinstance(t, Trajectory):
            label = _("Trajectory: at least") if t.direction == "at_least" else _("Trajectory: at most")
            pts = sorted((period_x(m.period), m.value) for m in t.milestones)
            lines.append(Line(label, pts, "dashed", COLORS[3]))
        elif isinstance(t, Change):
            lines.extend(_change_line(t, kpi, view, municipality, local, labels))
        elif isinstance(t, Benchmark):
            owner = _owner(view, kpi.id, t.series, municipality)
            grain = local[-1].period_obj.grain if local else None
            series = [o for o in view.history(kpi.id, t.series, owner) if o.period_obj.grain == grain]
            if series:
                for o in series:
                    labels.setdefault(period_x(o.period_obj), o.period)
                name = _(BENCHMARK_NAMES[t.series]) if t.series in BENCHMARK_NAMES else t.series
                lines.append(Line(name[:1].upper() + name[1:], [(period_x(o.period_obj), o.value) for o in series],
                                  "solid", COLORS[4]))
    return lines


def _change_line(t: Change, kpi: KPI, view: ObservationView, municipality: str | None,
                 local: Sequence[Observation], labels: dict[float, str]) -> list[Line]:
    owner = _owner(view, kpi.id, "local", municipality)
    by = ("+" if t.by >= 0 else "-") + (percent(abs(t.by)) if t.unit == "percent" else quantity(abs(t.by), kpi.unit))

    def required(base: float) -> float:
        return base + t.by * (abs(base) / 100 if t.unit == "percent" else 1.0)

    if t.baseline == "previous_year":
        pts = []
        for o in local:
            base = view.value(kpi.id, o.period_obj.same_last_year(), "local", owner)
            if base is not None:
                pts.append((period_x(o.period_obj), required(base)))
        label = _("Requirement: the year before {by}").format(by=by)
        return [Line(label, pts, "dotted", COLORS[2], markers=True)] if pts else []
    base_p = Period.parse(t.baseline)
    base = view.value(kpi.id, base_p, "local", owner)
    end = t.by_period or t.period
    if base is None or end is None:
        return []
    labels.setdefault(period_x(base_p), base_p.text)
    labels.setdefault(period_x(end), Period.parse(end).text)
    label = _("Requirement: {by} from {base}").format(by=by, base=base_p.text)
    return [Line(label, [(period_x(base_p), base), (period_x(end), required(base))],
                 "dotted", COLORS[2], markers=True)]


def _rank_history(goal_kpi: KPI, view: ObservationView, municipality: str | None,
                  local: Sequence[Observation]) -> list[tuple[Observation, float]]:
    """The published ranks, or else the rank computed from every municipality's figure."""
    owner = _owner(view, goal_kpi.id, "rank", municipality)
    published = view.history(goal_kpi.id, "rank", owner)
    if published:
        return [(o, o.value) for o in published]
    out = []
    for o in local[-_MAX_RANK_PERIODS:]:
        field = view.across_municipalities(goal_kpi.id, o.period)
        if municipality not in field or len(field) < 2:
            continue
        own = field[municipality]
        better = sum(1 for v in field.values() if (v > own if goal_kpi.higher_is_better else v < own))
        out.append((o, float(better + 1)))
    return out


def _fmt(unit: str) -> Callable[[float], str]:
    decimals = 1 if unit.strip() == "%" else 2
    return lambda v: quantity(v, unit, decimals)


def _desc(kpi: KPI, lines: Sequence[Line], labels: dict[float, str], fmt: Callable[[float], str]) -> str:
    first = lines[0] if lines else None
    if first is None or not first.points:
        return _("No values for {kpi} are known.").format(kpi=kpi.name)
    x, y = first.points[-1]
    others = ", ".join(ln.label for ln in lines[1:])
    return (_("{kpi} from {first} to {last}; latest value {value} ({last}).").format(
                kpi=kpi.name, first=labels.get(first.points[0][0], ""), last=labels.get(x, ""), value=fmt(y))
            + " " + (_("Also shown: {others}.").format(others=others) + " " if others else "")
            + _("The figures are in the chart's table."))


def goal_charts(goal: Goal, kpi: KPI, view: ObservationView, municipality: str | None,
                forecast: GoalForecast | None = None) -> list[GoalChart]:
    """The goal's value chart, and for a rank target also its rank chart (nr. 1 on top)."""
    local = view.history(kpi.id, "local", _owner(view, kpi.id, "local", municipality))
    labels = goal_x_labels(local, forecast)
    grain = local[-1].period_obj.grain if local else None
    refs = _reference_lines(goal, kpi, view, municipality, [o for o in local if o.period_obj.grain == grain], labels)
    lines = goal_lines(local, forecast, refs)
    fmt = _fmt(kpi.unit)
    invert = is_rank_unit(kpi.unit)
    desc = _desc(kpi, lines, labels, fmt)
    charts = [GoalChart(anchor=f"graf-{goal.id}", title=goal.title,
                        svg=line_chart(lines, title=goal.title, x_labels=labels, unit=kpi.unit, desc=desc,
                                       invert=invert),
                        desc=desc, table=chart_table(lines, labels, fmt))]
    ranks = [t for t in _criteria(goal.target) if isinstance(t, Rank)]
    if ranks:
        history = _rank_history(kpi, view, municipality, local)
        rank_labels = {period_x(o.period_obj): o.period for o, _ in history}
        rank_lines = [Line(_("Rank"), [(period_x(o.period_obj), r) for o, r in history])] if history else []
        if history:
            rank_lines += [_level(_("Top {top} of {of}").format(top=t.top, of=t.of), float(t.top), sorted(rank_labels))
                           for t in ranks]
        title = _("{goal} – rank").format(goal=goal.title)
        rank_fmt = _fmt("placering")
        rank_kpi = KPI(id=kpi.id, name=_("Rank for {kpi}").format(kpi=kpi.name), unit="placering")
        rdesc = _desc(rank_kpi, rank_lines, rank_labels, rank_fmt)
        charts.append(GoalChart(anchor=f"graf-{goal.id}-placering", title=title,
                                svg=line_chart(rank_lines, title=title, x_labels=rank_labels, desc=rdesc,
                                               invert=True),
                                desc=rdesc, table=chart_table(rank_lines, rank_labels, rank_fmt)))
    return charts
