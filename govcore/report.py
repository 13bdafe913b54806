"""The year report (årsrapport): what happened in a simulated year, for people, not programs.

Readers are a municipal administrator and the political committee (Arbejdsmarkedsudvalget), so
the labels are Danish, numbers are written the Danish way and every id is shown by its title.
The report is built from the event stream (the decision log) and the summary only; it never
looks at a clock, and everything is sorted explicitly, so the same year gives the same report,
byte for byte. All formatting happens here, in `build_report`; the jinja2 templates only lay out
the prepared strings, which keeps the Markdown and HTML versions saying the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import jinja2

from govcore.charts import WheelMark, wheel_chart
from govcore.event_labels import EVENT_LABELS, SUBJECT_KINDS, action_state, ignored_reason
from govcore.extension import ReportSection, SubjectContext
from govcore.forecast import forecast_goal
from govcore.formatting import danish_number, date_text, is_rank_unit, percent, quantity
from govcore.goalchart import BENCHMARK_NAMES, GoalChart, goal_charts
from govcore.i18n import N_, _, install_jinja, language, ngettext
from govcore.labels import MONTHS, Labels
from govcore.model import (
    KPI,
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    Benchmark,
    Change,
    Direction,
    Goal,
    Observation,
    Rank,
    Target,
    Trajectory,
    Until,
)
from govcore.observations import ObservationStore, ObservationView
from govcore.rules.durations import Duration

if TYPE_CHECKING:
    from govcore.engine import EngineEvent
    from govcore.simulate import SimulationResult

__all__ = ["Report", "build_report", "danish_number", "render_report"]

ReportFormat = Literal["md", "html"]



STATUS_LABELS = Labels({"on_track": N_("On track"), "at_risk": N_("At risk"), "off_track": N_("Off track"),
                        "no_data": N_("No data")})
LEVEL_LABELS = Labels({"national": N_("National goals (ministermål)"),
                       "political": N_("Political goals (focus areas)"),
                       "administrative": N_("Administrative goals"), "team": N_("Team goals")})
# What a wheel event caused, in the order it is told (singular, plural; for ngettext).
CAUSED = (
    ("deviation_flagged", N_("{n} deviation opened"), N_("{n} deviations opened")),
    ("action_demanded", N_("{n} action demanded"), N_("{n} actions demanded")),
    ("notification", N_("{n} notification"), N_("{n} notifications")),
    ("decision_requested", N_("{n} decision requested"), N_("{n} decisions requested")),
    ("deliverable_required", N_("{n} deliverable required"), N_("{n} deliverables required")),
    ("deviation_closed", N_("{n} deviation closed"), N_("{n} deviations closed")),
)
_CAUSED_TYPES = frozenset(t for t, _, _ in CAUSED)
# The event types that begin the processing of one engine item (a wheel event, an observation, a
# deadline, a response); every other event was caused by the item whose first event precedes it.
ITEM_START = frozenset({"observation", "followup", "milestone", "action_overdue", "deliverable_missed",
                        "action_submitted", "action_accepted", "action_rejected", "deliverable_delivered",
                        "decision_made", "response_ignored"})


# ------------------------------------------------------------------------------------- formatting


def _count(n: int) -> str:
    return danish_number(n, 0)


def _date(value: dt.date | dt.datetime | str | None) -> str:
    """ISO date or local datetime → '03.05.2021' (the time of day does not matter to the reader)."""
    return date_text(value)


def _as_date(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


def _plural(n: int, one: str, many: str) -> str:
    """`one` or `many` (English message ids marked with N_, with `{n}`) in the reader's language: Danish
    counts as English does (one, many), so the catalog holds each form as its own message."""
    return _(one if n == 1 else many).format(n=_count(n))


def _with_unit(value: float | None, unit: str) -> str:
    return quantity(value, unit)


def _interval(low: float | None, high: float | None, unit: str) -> str:
    """'84,1–86,5 %': the unit once, the numbers as `quantity` writes them."""
    if unit.strip() == "%":
        return f"{danish_number(low, 1, fixed=True)}–{percent(high)}"
    return f"{danish_number(low)}–{_with_unit(high, unit)}"


def _duration(text: str) -> str:
    """'10 working days' → '10 arbejdsdage' (`Duration`'s own words); a text that is no duration is
    shown as written."""
    try:
        return str(Duration.parse(text))
    except ValueError:
        return text


# Shown after a target whose figures govcore added to make an example run (`illustrative: true`).
ILLUSTRATIVE = N_(" (example: the figure is not the municipality's)")


def describe_target(target: Target | None, kpi: KPI | None, kpis: Mapping[str, KPI] | None = None) -> str:
    """The success criterion in words ('mindst 90 %', 'top 20 af 98'); a criterion measured by its
    own KPI names it ('skal falde ift. året før (Andel på jobafklaring)')."""
    own = getattr(target, "kpi", None)
    if own and (kpi is None or own != kpi.id):
        other = (kpis or {}).get(own)
        assert target is not None
        plain = describe_target(target.model_copy(update={"kpi": None}), other, kpis)
        return f"{plain} ({other.name if other else own})"
    unit = kpi.unit if kpi else ""
    if target is None:
        return "–"
    if isinstance(target, AtLeast | AtMost) and is_rank_unit(unit):
        if isinstance(target, AtMost):
            return _("{value} or better").format(value=_with_unit(target.value, unit))
        return _("{value} or lower").format(value=_with_unit(target.value, unit))
    if isinstance(target, AtLeast):
        return _("at least {value}").format(value=_with_unit(target.value, unit))
    if isinstance(target, AtMost):
        return _("at most {value}").format(value=_with_unit(target.value, unit))
    if isinstance(target, Change):
        sign = "+" if target.by >= 0 else "-"
        by = sign + (percent(abs(target.by)) if target.unit == "percent" else _with_unit(abs(target.by), unit))
        base = _("the same period the year before") if target.baseline == "previous_year" else target.baseline
        text = _("{by} from {base}").format(by=by, base=base)
        return text + (_(" by {period}").format(period=target.by_period) if target.by_period else "")
    if isinstance(target, Trajectory):
        path = " → ".join(f"{_with_unit(m.value, unit)} ({m.period})" for m in target.milestones)
        if target.direction == "at_least":
            return _("at least {path}").format(path=path)
        return _("at most {path}").format(path=path)
    if isinstance(target, Benchmark):
        series = _(BENCHMARK_NAMES[target.series]) if target.series in BENCHMARK_NAMES else target.series
        rel = (_("better than {series}") if target.relation == "better" else _("worse than {series}")).format(
            series=series)
        margin = (_(" by at least {margin}").format(margin=_with_unit(target.margin, unit)) if target.margin
                  else _(" (equal is not enough)"))
        return rel + margin
    if isinstance(target, Rank):
        return _("top {top} of {of}").format(top=target.top, of=target.of)
    if isinstance(target, Direction):
        must = {"rise": _("must rise"), "fall": _("must fall"), "improve": _("must improve")}[target.must]
        return must + (_(" compared with the previous period") if target.compare == "previous_period"
                       else _(" compared with the year before"))
    if isinstance(target, Until):
        return _("{improve} on the way to {reached}").format(improve=describe_target(target.improve, kpi, kpis),
                                                             reached=describe_target(target.reached, kpi, kpis))
    if isinstance(target, AllOf | AnyOf):
        word = _(" and ") if isinstance(target, AllOf) else _(" or ")
        return word.join(describe_target(c, kpi, kpis) for c in target.criteria)
    return target.description or "–"


# ------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Header:
    municipality: str
    code: str
    year: str
    title: str
    period_label: str
    span_word: str  # "året" (the year), or "perioden" (the period) for a report over several years
    end_word: str
    until: str
    configuration_version: str
    rules_version: str
    rules: str
    events: str
    events_sha256: str
    observations: str


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: str


@dataclass(frozen=True)
class GoalRow:
    id: str
    title: str
    owner: str
    kpi: str
    target: str
    actual: str
    expected: str
    status: str
    status_label: str
    explanation: str
    in_effect: bool
    forecast: str = "–"
    forecast_status: str = "no_data"
    charts: tuple[GoalChart, ...] = ()

    @property
    def anchor(self) -> str:
        return f"maal-{self.id}"


@dataclass(frozen=True)
class GoalGroup:
    level: str
    label: str
    goals: list[GoalRow]


@dataclass(frozen=True)
class Step:
    date: str
    text: str


@dataclass
class ActionView:
    id: str
    title: str
    owner: str
    demanded: str
    due: str
    state: str = "demanded"
    steps: list[Step] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return action_state(self.state)


@dataclass
class DeviationView:
    id: str
    seq: int
    opened: str
    subject: str
    subject_kind: str
    owner: str
    rule: str
    rule_title: str
    reason: str
    closed: str | None = None
    close_note: str = ""
    actions: list[ActionView] = field(default_factory=list)


@dataclass(frozen=True)
class EscalationRow:
    date: str
    action: str
    subject: str
    from_role: str
    to_role: str
    level: str
    due: str
    rule: str


@dataclass(frozen=True)
class OpenDeviation:
    id: str
    subject: str
    owner: str
    opened: str
    reason: str


@dataclass(frozen=True)
class OpenAction:
    id: str
    title: str
    owner: str
    state: str
    due: str
    overdue: str


@dataclass(frozen=True)
class DeliverableRow:
    id: str
    title: str
    owner: str
    due: str
    delivered: str
    days_late: str
    status: str
    notes: str
    state: str = ""  # on_time, late, delivered, no_deadline, missing, not_due


@dataclass(frozen=True)
class WheelEntry:
    anchor: str
    date: str
    title: str
    kind: str
    responsible: str
    deviations: str
    notifications: str
    caused: str


@dataclass(frozen=True)
class WheelMonth:
    name: str
    entries: list[WheelEntry]


@dataclass(frozen=True)
class WheelDiagram:
    """One calendar year's årshjul as a circle (charts.wheel_chart) and what it shows in words."""

    year: int
    svg: str
    desc: str


@dataclass(frozen=True)
class Light:
    """A traffic light of the summary: a goal's status, its latest value and, for a fokusområde,
    how the goals below it stand."""

    title: str
    anchor: str
    status: str
    status_label: str
    actual: str
    below: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Summary:
    """The one-page summary that opens the report (and the start of the goal pages)."""

    national: list[Light]
    political: list[Light]
    facts: list[Fact]


@dataclass(frozen=True)
class Message:
    text: str
    rule: str
    count: str
    dates: str


@dataclass(frozen=True)
class RoleTasks:
    role: str
    title: str
    notifications: list[Message]
    decisions: list[Message]
    open_actions: list[OpenAction]


@dataclass(frozen=True)
class IgnoredResponse:
    date: str
    response: str
    target: str
    reason: str


@dataclass(frozen=True)
class EventCount:
    type: str
    label: str
    count: str


@dataclass(frozen=True)
class Report:
    """Everything the templates show, already formatted."""

    header: Header
    status_counts: list[StatusCount]
    not_in_effect: int
    goal_groups: list[GoalGroup]
    deviations: list[DeviationView]
    escalations: list[EscalationRow]
    exhausted: list[EscalationRow]
    open_deviations: list[OpenDeviation]
    open_actions: list[OpenAction]
    deliverables: list[DeliverableRow]
    wheel: list[WheelMonth]
    wheel_diagrams: list[WheelDiagram]
    roles: list[RoleTasks]
    ignored: list[IgnoredResponse]
    event_counts: list[EventCount]
    summary: Summary
    css: str
    sections: list[ReportSection] = field(default_factory=list)


# -------------------------------------------------------------------------------------- building


class _Names:
    """Ids → the titles people know; an unknown id is shown as it is."""

    def __init__(self, result: SimulationResult) -> None:
        cfg = result.config
        self.roles = {r.id: r.title for r in cfg.organisation.roles}
        self.role_order = {r.id: i for i, r in enumerate(cfg.organisation.roles)}
        self.goals = {g.id: g.title for g in cfg.goals}
        self.deliverables = {d.id: d.title for d in cfg.deliverables.values()}
        self.actions: dict[str, str] = {}
        self.titles = {(e.subject_kind, e.subject): str(e.details["subject_title"])
                       for e in result.events if e.subject and e.details.get("subject_title")}
        self.kinds = dict(SUBJECT_KINDS)
        for name, (_plugin, spec) in cfg.plugins.subject_kinds().items():
            if spec.label:
                self.kinds[name] = spec.reader_label()

    def kind(self, kind: str | None) -> str:
        """A subject kind in Danish: an identifier such as 'budget_area' is never shown."""
        return self.kinds.get(kind or "", _("subject"))

    def role(self, role_id: str | None) -> str:
        return "–" if not role_id else self.roles.get(role_id, role_id)

    def goal(self, goal_id: str) -> str:
        return self.goals.get(goal_id, goal_id)

    def subject(self, kind: str | None, ident: str | None) -> str:
        if ident is None:
            return "–"
        if kind == "goal":
            return self.goal(ident)
        if kind == "deliverable":
            return self.deliverables.get(ident, ident)
        if kind == "action":
            return self.actions.get(ident, ident)
        return self.titles.get((kind, ident), ident)

    def role_key(self, role_id: str) -> tuple[int, str]:
        return (self.role_order.get(role_id, len(self.role_order)), role_id)


def _header(result: SimulationResult) -> Header:
    s = result.summary
    muni = s.get("municipality", {})
    years = list(s.get("years", [])) or [int(s.get("year", result.year))]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return Header(
        municipality=str(muni.get("name", result.config.municipality.name)),
        code=str(muni.get("code", result.config.municipality.code)),
        year=span,
        title=(_("Report for the period {span}") if len(years) > 1 else _("Year report {span}")).format(span=span),
        period_label=_("Period") if len(years) > 1 else _("Year"),
        span_word=_("the period") if len(years) > 1 else _("the year"),
        end_word=_("the end of the period") if len(years) > 1 else _("the end of the year"),
        until=_date(s.get("until")),
        configuration_version=str(s.get("configuration_version", "")),
        rules_version=str(s.get("rules_version", "")),
        rules=_count(int(s.get("rules", 0))),
        events=_count(int(s.get("events", len(result.events)))),
        events_sha256=str(s.get("events_sha256", "")),
        observations=_count(sum(1 for e in result.events if e.type == "observation")),
    )


def _level_key(goal: Goal) -> int:
    return list(LEVEL_LABELS).index(goal.level.value)


def known_at_year_end(result: SimulationResult) -> ObservationView:
    """The observations the year's events received, as known at its end (what the summary saw),
    after those the configuration held that were known before the run (or the year) began."""
    store = ObservationStore()
    began = _as_date(result.summary.get("from"))
    if began is not None:
        for o in result.config.observations:
            if o.known < began:
                store.add(o)
    for e in sorted(result.events, key=lambda e: e.seq):
        if e.type == "observation":
            d = e.details
            store.add(Observation(kpi=str(d["kpi"]), period=str(d["period"]), value=float(d["value"]),
                                  series=str(d.get("series") or "local"), municipality=d.get("municipality") or None,
                                  source=str(d.get("source", "")), known_at=e.at.date()))
    return store.as_of(_year_end(result))


def _goals(result: SimulationResult, names: _Names, view: ObservationView
           ) -> tuple[list[StatusCount], int, list[GoalGroup]]:
    cfg = result.config
    statuses: Mapping[str, Mapping[str, Any]] = result.summary.get("goals", {})
    counts: Counter[str] = Counter()
    not_in_effect = 0
    groups: dict[str, list[GoalRow]] = defaultdict(list)
    for g in sorted(cfg.goals, key=lambda g: (_level_key(g), g.id)):
        st = statuses.get(g.id, {})
        status = str(st.get("status", "no_data"))
        in_effect = bool(st.get("in_effect", True))
        if in_effect:
            counts[status] += 1
        else:
            not_in_effect += 1
        kpi = cfg.kpis.get(g.kpi) if g.kpi else None
        unit = kpi.unit if kpi else ""
        actual, expected = st.get("actual"), st.get("expected")
        if isinstance(g.target, Rank):
            actual_text = _("no. {rank}").format(rank=danish_number(actual)) if actual is not None else "–"
            expected_text = _("top {n}").format(n=danish_number(expected)) if expected is not None else "–"
        else:
            actual_text, expected_text = _with_unit(actual, unit), _with_unit(expected, unit)
        if actual is not None and st.get("period"):
            actual_text += f" ({st['period']})"
        fc_text, fc_status = "–", "no_data"
        charts: tuple[GoalChart, ...] = ()
        if kpi is not None:
            fc = forecast_goal(g, cfg.kpis, view, cfg.municipality.code)
            fc_status = fc.status.value
            f = fc.forecast
            if f.value is not None:
                spread = _(" (80 percent interval {interval})").format(interval=_interval(f.low, f.high, unit)) \
                    if f.low is not None and f.high is not None and f.low != f.high else ""
                fc_text = _("{value}{spread} in {period}: {status}").format(
                    value=_with_unit(f.value, unit), spread=spread, period=f.period,
                    status=STATUS_LABELS[fc_status].lower())
            charts = tuple(goal_charts(g, kpi, view, cfg.municipality.code, fc))
        groups[g.level.value].append(GoalRow(
            id=g.id, title=g.title, owner=" / ".join(names.role(r) for r in g.owners),
            kpi=kpi.name if kpi else (g.kpi or "–"),
            target=describe_target(g.target, kpi, cfg.kpis) + (_(ILLUSTRATIVE) if g.illustrative else ""),
            actual=actual_text, expected=expected_text, status=status,
            status_label=STATUS_LABELS.get(status, status), explanation=str(st.get("explanation", "")),
            in_effect=in_effect, forecast=fc_text, forecast_status=fc_status, charts=charts))
    status_counts = [StatusCount(k, v, _count(counts[k])) for k, v in STATUS_LABELS.items()]
    goal_groups = [GoalGroup(level, label, groups[level]) for level, label in LEVEL_LABELS.items()
                   if groups.get(level)]
    return status_counts, not_in_effect, goal_groups


def _below(goal_id: str, children: Mapping[str, list[str]], rows: Mapping[str, GoalRow]) -> str:
    """How the goals below a goal in the cascade stand: '4 mål under: 3 på sporet, 1 i risiko'."""
    seen: list[str] = []
    todo = list(children.get(goal_id, []))
    while todo:
        gid = todo.pop(0)
        if gid in seen:
            continue
        seen.append(gid)
        todo.extend(children.get(gid, []))
    counted = Counter(rows[g].status for g in seen if g in rows and rows[g].in_effect)
    if not counted:
        return "–"
    parts = [f"{_count(counted[k])} {v.lower()}" for k, v in STATUS_LABELS.items() if counted[k]]
    return _plural(sum(counted.values()), N_("{n} goal below: "), N_("{n} goals below: ")) + ", ".join(parts)


def _summary(result: SimulationResult, groups: list[GoalGroup], deviations: list[DeviationView],
             escalations: list[EscalationRow], open_devs: list[OpenDeviation], open_acts: list[OpenAction],
             deliverables: list[DeliverableRow]) -> Summary:
    rows = {g.id: g for group in groups for g in group.goals}
    children: dict[str, list[str]] = defaultdict(list)
    for goal in sorted(result.config.goals, key=lambda g: g.id):
        if goal.parent:
            children[goal.parent].append(goal.id)

    def lights(level: str) -> list[Light]:
        return [Light(title=g.title, anchor=g.anchor, status=g.status, status_label=g.status_label,
                      actual=g.actual, below=_below(g.id, children, rows))
                for group in groups if group.level == level for g in group.goals if g.in_effect]

    in_effect = [g for g in rows.values() if g.in_effect]
    on_track = sum(1 for g in in_effect if g.status == "on_track")
    late = sum(1 for d in deliverables if d.state in ("late", "missing"))
    facts = [
        Fact(_("Goals on track"), _("{n} of {total}").format(n=_count(on_track), total=_count(len(in_effect)))),
        Fact(_("Deviations opened"), _count(len(deviations))),
        Fact(_("Deviations still open"), _count(len(open_devs))),
        Fact(_("Open corrective actions"), _count(len(open_acts))),
        Fact(_("Escalations"), _count(len(escalations))),
        Fact(_("Deliverables late or missing"), _count(late)),
    ]
    return Summary(national=lights("national"), political=lights("political"), facts=facts)


def _caused(events: list[EngineEvent]) -> dict[int, Counter[str]]:
    """For each followup/milestone event (by seq), the types of the events it caused."""
    out: dict[int, Counter[str]] = {}
    current: int | None = None
    for e in sorted(events, key=lambda e: e.seq):
        if e.type in ITEM_START:
            current = e.seq if e.type in ("followup", "milestone") else None
            if current is not None:
                out[current] = Counter()
        elif current is not None:
            out[current][e.type] += 1
    return out


def _deviations(events: list[EngineEvent], names: _Names) -> tuple[list[DeviationView], list[EscalationRow],
                                                                   list[EscalationRow]]:
    devs: dict[str, DeviationView] = {}
    actions: dict[str, ActionView] = {}
    action_subject: dict[str, tuple[str | None, str | None]] = {}
    escalations: list[EscalationRow] = []
    exhausted: list[EscalationRow] = []
    for e in sorted(events, key=lambda e: e.seq):
        d = e.details
        day = _date(e.at)
        rule_title = str(d.get("rule_title") or "")
        action_id = str(d.get("action") or (e.subject if e.subject_kind == "action" else "") or "")
        act = actions.get(action_id)
        if e.type == "deviation_flagged":
            dev_id = str(d.get("deviation", e.id))
            devs[dev_id] = DeviationView(
                id=dev_id, seq=e.seq, opened=day, subject=names.subject(e.subject_kind, e.subject),
                subject_kind=names.kind(e.subject_kind),
                owner=names.role(e.owner), rule=e.rule or "–", rule_title=str(d.get("rule_title", "")),
                reason=str(d.get("reason", "")))
        elif e.type == "action_demanded":
            title = str(d.get("title", "")) or action_id
            names.actions[action_id] = title
            action_subject[action_id] = (e.subject_kind, e.subject)
            act = ActionView(id=action_id, title=title, owner=names.role(e.owner), demanded=day,
                             due=_date(d.get("due")))
            within = f" ({_duration(str(d['within']))})" if d.get("within") else ""
            by = _(" (rule «{rule}»)").format(rule=rule_title) if rule_title else ""
            act.steps.append(Step(day, _("Demanded{by}: {owner} must submit an action by {due}{within}").format(
                by=by, owner=names.role(e.owner), due=_date(d.get("due")), within=within)))
            actions[action_id] = act
            dev = devs.get(str(d.get("deviation", "")))
            if dev is not None:
                dev.actions.append(act)
        elif e.type == "deviation_closed":
            dev = devs.get(str(d.get("deviation", "")))
            if dev is not None:
                note = str(d.get("note", ""))
                dev.closed, dev.close_note = day, _NOTES.get(note, note)
            for a in d.get("actions", []):
                if str(a) in actions:
                    actions[str(a)].state = "closed"
                    actions[str(a)].steps.append(Step(day, _("Closed together with the deviation")))
        elif act is not None and e.type == "action_submitted":
            act.state = "submitted"
            when = _("Submitted on time") if d.get("on_time", True) else _("Submitted after the deadline")
            act.steps.append(Step(day, when + (f": {d['text']}" if d.get("text") else "")))
        elif act is not None and e.type == "action_accepted":
            act.state = "accepted"
            act.steps.append(Step(day, _("Approved") + (f": {d['text']}" if d.get("text") else "")))
        elif act is not None and e.type == "action_rejected":
            act.state = "rejected"
            text = f": {d['text']}" if d.get("text") else ""
            act.steps.append(Step(day, _("Rejected{text} – new deadline {due}").format(
                text=text, due=_date(d.get("new_due")))))
        elif act is not None and e.type == "action_overdue":
            act.steps.append(Step(day, _("The deadline {due} is missed").format(due=_date(d.get("due")))))
        elif e.type == "escalated":
            row = EscalationRow(
                date=day, action=names.subject("action", action_id),
                subject=names.subject(*action_subject.get(action_id, (None, None))),
                from_role=names.role(str(d.get("from", ""))), to_role=names.role(str(d.get("to", ""))),
                level=_count(int(d.get("level", 0))), due=_date(d.get("due")), rule=e.rule or "–")
            escalations.append(row)
            if act is not None:
                act.state = "escalated"
                act.steps.append(Step(day, _("Escalated from {from_role} to {to_role} (level {level}), new deadline "
                                             "{due}").format(from_role=row.from_role, to_role=row.to_role,
                                                             level=row.level, due=row.due)))
        elif e.type == "escalation_exhausted":
            row = EscalationRow(
                date=day, action=names.subject("action", action_id),
                subject=names.subject(*action_subject.get(action_id, (None, None))),
                from_role=names.role(e.owner), to_role=_("– (no superior)"), level="–", due="–",
                rule=e.rule or "–")
            exhausted.append(row)
            if act is not None:
                act.steps.append(Step(day, _("Cannot be escalated higher than {role}").format(role=row.from_role)))
        elif act is not None and e.type == "notification":
            act.steps.append(Step(day, _("Notification to {role}: {message}").format(
                role=names.role(e.owner), message=d.get("message", ""))))
    ordered = sorted(devs.values(), key=lambda v: v.seq)
    for v in ordered:
        v.actions.sort(key=lambda a: a.id)
    return ordered, escalations, exhausted


def _year_end(result: SimulationResult) -> dt.date:
    return _as_date(result.summary.get("until")) or dt.date(result.year, 12, 31)


def _open_items(result: SimulationResult, names: _Names) -> tuple[list[OpenDeviation], list[OpenAction]]:
    end = _year_end(result)
    devs = [OpenDeviation(id=str(d["id"]), subject=names.subject(d.get("subject_kind"), d.get("subject")),
                          owner=names.role(d.get("owner")), opened=_date(d.get("opened_at")),
                          reason=str(d.get("reason", "")))
            for d in sorted(result.summary.get("open_deviations", []), key=lambda d: str(d["id"]))]
    acts = []
    for a in sorted(result.summary.get("open_actions", []), key=lambda a: str(a["id"])):
        due = _as_date(a.get("due"))
        # Submitted or accepted actions have been answered: their due date is past, not missed.
        waiting = str(a.get("state")) in ("demanded", "escalated", "rejected")
        late = (end - due).days if due and waiting else 0
        acts.append(OpenAction(
            id=str(a["id"]), title=str(a.get("title") or a["id"]), owner=names.role(a.get("owner")),
            state=action_state(str(a.get("state"))), due=_date(due),
            overdue=_plural(late, N_("{n} day"), N_("{n} days")) if late > 0 else "–"))
    return devs, acts


def _deliverables(result: SimulationResult, names: _Names) -> list[DeliverableRow]:
    end = _year_end(result)
    notes: dict[str, list[str]] = defaultdict(list)
    for e in sorted(result.events, key=lambda e: e.seq):
        if e.type == "deliverable_required":
            notes[str(e.details.get("deliverable"))].append(
                _("Required {day} by the rule {rule} with the deadline {due}").format(
                    day=_date(e.at), rule=e.rule, due=_date(e.details.get("due"))))
        elif e.type == "deliverable_missed":
            notes[str(e.details.get("deliverable"))].append(
                _("Not delivered by the deadline {due}").format(due=_date(e.details.get("due"))))
    info: Mapping[str, Mapping[str, Any]] = result.summary.get("deliverables", {})
    cfg = result.config.deliverables
    rows = []
    for ident in sorted(set(info) | set(cfg), key=lambda i: (_as_date(info.get(i, {}).get("due"))
                                                             or dt.date.max, i)):
        due = _as_date(info.get(ident, {}).get("due"))
        delivered = _as_date(info.get(ident, {}).get("delivered"))
        late = 0
        if delivered and due:
            late = max(0, (delivered - due).days)
            state = "on_time" if late == 0 else "late"
        elif delivered:
            state = "delivered"
        elif due is None:
            state = "no_deadline"
        elif due < end:
            late = (end - due).days
            state = "missing"
        else:
            state = "not_due"
        d = cfg.get(ident)
        rows.append(DeliverableRow(
            id=ident, title=d.title if d else ident, owner=names.role(d.owner if d else None), due=_date(due),
            delivered=_date(delivered), days_late=_count(late) if (due and (delivered or due < end)) else "–",
            status=DELIVERABLE_STATES[state], state=state, notes="; ".join(notes.get(ident, []))))
    return rows


def _wheel(result: SimulationResult, names: _Names) -> tuple[list[WheelMonth], list[WheelDiagram]]:
    caused = _caused(result.events)
    months: dict[int, list[tuple[tuple[dt.datetime, int], WheelEntry]]] = defaultdict(list)
    marks: dict[int, list[tuple[EngineEvent, WheelEntry]]] = defaultdict(list)
    for e in result.events:
        if e.type not in ("followup", "milestone"):
            continue
        d = e.details
        c = caused.get(e.seq, Counter())
        kind = _WHEEL_KINDS.get(str(d.get("kind")), str(d.get("kind", "")))
        freq = str(d.get("frequency", ""))
        if e.type == "followup" and freq:
            kind += f" ({_FREQUENCIES.get(freq, freq)})"
        told = [_plural(c[t], one, many) for t, one, many in CAUSED if c[t]]
        told += [f"{_count(n)} × {EVENT_LABELS.get(t, t).lower()}" for t, n in sorted(c.items())
                 if t not in _CAUSED_TYPES and n]
        day = e.at.date()
        entry = WheelEntry(
            anchor=f"hjul-{e.seq}", date=_date(day), title=str(d.get("title", d.get("wheel", ""))), kind=kind,
            responsible=names.role(e.owner), deviations=_count(c["deviation_flagged"]),
            notifications=_count(c["notification"]), caused=", ".join(told) or "–")
        months[day.month].append(((e.at, e.seq), entry))
        marks[day.year].append((e, entry))
    listed = [WheelMonth(MONTHS[m - 1].capitalize(), [entry for _, entry in sorted(months.get(m, []),
                                                                               key=lambda x: x[0])])
              for m in range(1, 13)]
    return listed, [_wheel_diagram(year, marks[year], names, _as_date(result.summary.get("as_of")))
                    for year in sorted(marks)]


def _wheel_diagram(year: int, items: list[tuple[EngineEvent, WheelEntry]], names: _Names,
                   today: dt.date | None) -> WheelDiagram:
    """The year's årshjul as a circle: one ring per responsible role (in the organisation's order),
    each item linking to its row in the list; 'today' is the as-of day of a stored run's report."""
    roles = sorted({str(e.owner or "") for e, _ in items}, key=names.role_key)
    ring = {r: i for i, r in enumerate(roles)}
    titles = [names.role(r) if r else _("(no one responsible)") for r in roles]
    marks = [WheelMark(day=e.at.date(), label=f"{entry.date}: {entry.title} ({entry.kind}) – {entry.responsible}",
                       ring=ring[str(e.owner or "")], milestone=e.type == "milestone", href=f"#{entry.anchor}")
             for e, entry in items]
    milestones = sum(1 for m in marks if m.milestone)
    desc = (_("The annual wheel {year}: {milestones} and {followups} across {roles} ({titles}).").format(
                year=year, milestones=ngettext("{n} milestone", "{n} milestones", milestones).format(
                    n=_count(milestones)),
                followups=ngettext("{n} follow-up", "{n} follow-ups", len(marks) - milestones).format(
                    n=_count(len(marks) - milestones)),
                roles=ngettext("{n} responsible", "{n} responsible", len(roles)).format(n=_count(len(roles))),
                titles=", ".join(titles))
            + " " + _("Every item is in the list below the diagram.")
            + (" " + _("Today is {day}.").format(day=_date(today)) if today is not None and today.year == year else ""))
    return WheelDiagram(year=year, desc=desc, svg=wheel_chart(marks, year=year, rings=titles,
                                                              title=_("Annual wheel {year}").format(year=year),
                                                              today=today, desc=desc))


_NOTES = Labels({"delivered": N_("the deliverable is delivered")})
_FREQUENCIES = Labels({"every_14_days": N_("every 14 days"), "monthly": N_("monthly"),
                       "every_2nd_month": N_("every 2nd month"), "quarterly": N_("quarterly"),
                       "half_yearly": N_("half-yearly"), "yearly": N_("yearly")})
_WHEEL_KINDS = Labels({"followup": N_("Follow-up"), "as_of": N_("Cut-off date"), "due": N_("Deadline")})
DELIVERABLE_STATES = Labels({"on_time": N_("Delivered on time"), "late": N_("Delivered late"),
                             "delivered": N_("Delivered"), "no_deadline": N_("No deadline in the year"),
                             "missing": N_("Missing at the end of the year"), "not_due": N_("Not yet due")})


def _messages(events: Iterable[EngineEvent], key: str) -> list[Message]:
    """Identical messages to one role are told once, with every date they were sent."""
    grouped: dict[tuple[str, str], list[EngineEvent]] = defaultdict(list)
    for e in events:
        grouped[(str(e.details.get(key, "")), str(e.details.get("rule_title") or e.rule or ""))].append(e)
    ordered = sorted(grouped.items(), key=lambda kv: (min(e.seq for e in kv[1]), kv[0]))
    return [Message(text=text, rule=rule, count=_count(len(evs)),
                    dates=", ".join(_date(e.at) for e in sorted(evs, key=lambda e: e.seq)))
            for (text, rule), evs in ordered]


def _roles(result: SimulationResult, names: _Names, open_actions: list[OpenAction],
           raw_open: list[Mapping[str, Any]]) -> list[RoleTasks]:
    notes: dict[str, list[EngineEvent]] = defaultdict(list)
    decisions: dict[str, list[EngineEvent]] = defaultdict(list)
    for e in result.events:
        if e.type == "notification":
            notes[str(e.details.get("to") or e.owner or "")].append(e)
        elif e.type == "decision_requested":
            decisions[str(e.owner or "")].append(e)
    by_role: dict[str, list[OpenAction]] = defaultdict(list)
    for raw, view in zip(sorted(raw_open, key=lambda a: str(a["id"])), open_actions, strict=True):
        by_role[str(raw.get("owner", ""))].append(view)
    out = []
    for role in sorted(set(notes) | set(decisions) | set(by_role), key=names.role_key):
        out.append(RoleTasks(role=role, title=names.role(role),
                             notifications=_messages(notes[role], "message"),
                             decisions=_messages(decisions[role], "question"), open_actions=by_role[role]))
    return out


def _ignored(events: list[EngineEvent], names: _Names) -> list[IgnoredResponse]:
    words = {"submit": _("submission"), "accept": _("approval"), "reject": _("rejection"), "deliver": _("hand-over")}
    out = []
    for e in sorted(events, key=lambda e: e.seq):
        if e.type != "response_ignored":
            continue
        d = e.details
        target = str(d.get("action") or d.get("subject") or d.get("deliver") or "–")
        out.append(IgnoredResponse(date=_date(e.at), response=words.get(str(d.get("response")),
                                                                        str(d.get("response", ""))),
                                   target=names.subject("action", target) if d.get("action") else target,
                                   reason=ignored_reason(str(d.get("reason", "")))))
    return out


def plugin_sections(result: SimulationResult, view: ObservationView | None = None) -> list[ReportSection]:
    """The plugins' sections, on the figures known at the end of the year (`view`, when the
    caller has made it: `known_at_year_end(result)`), in plugin-name order.

    A section that fails is replaced by a note saying so: the rest of the report still renders.
    """
    cfg = result.config
    if view is None:
        view = known_at_year_end(result)
    out: list[ReportSection] = []
    for name, (plugin, spec) in sorted(cfg.plugins.report_sections().items()):
        if spec.settings_key and spec.settings_key not in cfg.sources:
            continue
        ctx = SubjectContext(municipality=cfg.municipality, day=view.day, observations=view,
                             organisation=cfg.organisation, kpis=cfg.kpis,
                             settings=cfg.sources.get(spec.settings_key, {}), base_dir=cfg.base_dir)
        try:
            out.extend(spec.build(ctx))
        except Exception as err:  # a plugin's bug must not take the year report down
            out.append(ReportSection(title=spec.description or name, notes=(
                _("The section '{name}' from plugin '{plugin}' could not be made: {error}").format(
                    name=name, plugin=plugin, error=f"{type(err).__name__}: {err}"),)))
    return out


def build_report(result: SimulationResult) -> Report:
    """The report's content, formatted and sorted, independent of the output format."""
    # The goals and deliverables are those of the configuration version in effect at the end,
    # whichever version the caller kept (a stored run keeps the first, a simulation the last).
    result = replace(result, config=result.config.version_at(_year_end(result)))
    names = _Names(result)
    # made once for the goals and the plugins' sections: it takes in every observation of the run
    view = known_at_year_end(result)
    status_counts, not_in_effect, groups = _goals(result, names, view)
    deviations, escalations, exhausted = _deviations(result.events, names)
    open_devs, open_acts = _open_items(result, names)
    deliverables = _deliverables(result, names)
    wheel, diagrams = _wheel(result, names)
    counts: Mapping[str, int] = result.summary.get("counts") or Counter(e.type for e in result.events)
    return Report(
        header=_header(result), status_counts=status_counts, not_in_effect=not_in_effect, goal_groups=groups,
        deviations=deviations, escalations=escalations, exhausted=exhausted, open_deviations=open_devs,
        open_actions=open_acts, deliverables=deliverables, wheel=wheel, wheel_diagrams=diagrams,
        summary=_summary(result, groups, deviations, escalations, open_devs, open_acts, deliverables),
        css=stylesheet(),
        roles=_roles(result, names, open_acts, result.summary.get("open_actions", [])),
        ignored=_ignored(result.events, names),
        event_counts=[EventCount(t, EVENT_LABELS.get(t, t), _count(n)) for t, n in sorted(counts.items())],
        sections=plugin_sections(result, view),
    )


# ------------------------------------------------------------------------------------- rendering


@cache
def stylesheet() -> str:
    """The one stylesheet of the report and the web pages (govcore/static/govcore.css), shipped
    in the package: municipal networks are closed, so nothing is fetched from elsewhere."""
    return resources.files("govcore").joinpath("static/govcore.css").read_text(encoding="utf-8")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md_text(value: object) -> str:
    """Text for Markdown that stays text: a title such as '<b>' or '*vigtigt*' is shown as
    written, never read as markup or HTML (CommonMark backslash escapes; '&lt;' stays '&lt;')."""
    text = " ".join(str(value).split())
    return _MD_ENTITY.sub("\\\\&", _MD_SPECIAL.sub(r"\\\1", text))


def _md_cell(value: object) -> str:
    """A Markdown table cell: escaped as `md_text`, so a '|' or a line break cannot end the cell or row."""
    return md_text(value)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("govcore", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["cell"] = _md_cell
    env.filters["md"] = md_text
    env.filters["alt"] = lambda text: re.sub(r"[\[\]\n]", " ", str(text))
    install_jinja(env)
    return env


def render_report(result: SimulationResult, fmt: ReportFormat) -> str:
    """The year report as Markdown (`md`) or as one self-contained, printable HTML file (`html`).
    The Markdown has no charts (it says so); `render_report_files` gives them as files."""
    return render_report_files(result, fmt)[0]


def render_report_files(result: SimulationResult, fmt: ReportFormat, charts: str = "") -> tuple[str, dict[str, str]]:
    """The report and, for Markdown with a `charts` folder name, its charts as SVG files: (text,
    {path relative to the report: SVG}). The Markdown links each chart by that relative path, so
    report.md and its folder can be moved together; the HTML carries its charts inline."""
    if fmt not in ("md", "html"):
        raise ValueError(_("unknown report format '{format}'; use md or html").format(format=fmt))
    report = build_report(result)
    files = chart_files(report, charts) if charts and fmt == "md" else {}
    text = _environment().get_template(f"report.{fmt}.j2").render(
        r=report, charts={key: path for key, (path, _svg) in files.items()}, lang=language())
    return text, dict(files.values())


def chart_files(report: Report, folder: str) -> dict[str, tuple[str, str]]:
    """Every chart of the report (each measured goal's, each plugin section's): its key
    (`maal <chart anchor>`, `afsnit <n>`) → (file name under `folder`, SVG). Names are the ids with
    anything but letters, digits, '.', '_' and '-' replaced, numbered if two would clash."""
    charts = [(f"maal {c.anchor}", "maal-" + c.anchor.removeprefix("graf-"), c.svg)
              for grp in report.goal_groups for g in grp.goals for c in g.charts]
    charts += [(f"afsnit {n}", f"afsnit-{n}", sec.chart) for n, sec in enumerate(report.sections, 1) if sec.chart]
    out: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for key, stem, svg in charts:
        name = base = re.sub(r"[^A-Za-z0-9_.-]", "-", stem)
        n = 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        out[key] = (f"{folder}/{name}.svg", svg)
    return out
