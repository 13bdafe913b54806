"""The goal pages' data: the cascade with each goal's status (`/maal`) and one goal in full
(`/maal/{id}`: its charts, deviations, corrective actions and decision-log entries with why).

The status comes from `LiveRuns.goals` (what `govcore report --db` computes); the hierarchy,
owners, levels and categories from the run's configuration (`govcore.cascade`). A goal's charts
need the observations as the run knew them at the moment shown: the same observation store the
goal status is computed on (`govcore.access.goals.stored_observations`, rebuilt from the stored
rows without replaying the run), kept per run until the run's state changes (new events or
inputs, another day, another configuration), the key `LiveRuns.goals` caches by.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from govcore.access.goals import moment_of, stored_observations
from govcore.access.live import FieldProblem, InvalidInput, LiveRuns, NotFound, RunRef
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal
from govcore.cascade import cascade
from govcore.config import Configuration
from govcore.event_labels import EVENT_WORDS, action_state
from govcore.forecast import forecast_goal
from govcore.goalchart import GoalChart, goal_charts
from govcore.i18n import N_, _
from govcore.model import Goal, Rank
from govcore.observations import ObservationView
from govcore.report import LEVEL_LABELS, STATUS_LABELS, describe_target
from govcore.store.tables import EventRow, table
from govcore.text import danish_number, date_text, quantity

EVENT = table(EventRow)

# Message ids: translate where they are read, `_(LEVELS[level])`.
LEVELS = {"national": N_("Ministermål"), "political": N_("Focus area"), "administrative": N_("Administrative goal"),
          "team": N_("Team goal")}
CATEGORIES = {"economy": N_("Economic goal"), "activity": N_("Activity goal"),
              "service_quality": N_("Service and quality goal")}
NOT_IN_EFFECT = N_("Not in effect")
# The event types a goal's decision log shows (their words: govcore.event_labels, shared with the report).
LOG_TYPES = ("deviation_flagged", "deviation_closed", "action_demanded", "action_submitted", "action_accepted",
             "action_rejected", "action_overdue", "escalated", "escalation_exhausted", "notification",
             "decision_requested", "decision_made", "deliverable_required", "response_ignored", "goal_status")
MAX_LOG = 200
_CACHE_SIZE = 128


# ------------------------------------------------------------------------------ the cascade


@dataclass
class GoalNode:
    """A goal in the cascade with its status now; `shown` is False for an ancestor kept only to
    place a goal that matches the filters."""

    id: str
    title: str
    level: str
    level_label: str
    category: str
    category_label: str
    owners: tuple[str, ...]
    owner_titles: str
    kpi: str
    target: str
    status: str
    status_label: str
    in_effect: bool
    actual: str
    explanation: str
    matches: bool = True
    children: list[GoalNode] = field(default_factory=list)


@dataclass(frozen=True)
class NationalNode:
    id: str
    number: int | str
    title: str
    goals: list[GoalNode]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Filters:
    """The cascade's filters as given in the query (`ansvarlig`, `niveau`, `kategori`); '' is all."""

    owner: str = ""
    level: str = ""
    category: str = ""

    @property
    def active(self) -> bool:
        return bool(self.owner or self.level or self.category)

    def match(self, node: GoalNode) -> bool:
        return ((not self.owner or self.owner in node.owners) and (not self.level or self.level == node.level)
                and (not self.category or self.category == node.category))


@dataclass(frozen=True)
class Cascade:
    municipality: str
    as_of: str
    national: list[NationalNode]
    local: list[GoalNode]
    counts: list[StatusCount]
    shown: int
    total: int
    owners: list[Option]
    levels: list[Option]
    categories: list[Option]
    filters: Filters


def _day(live: LiveRuns, run: RunRef, cfg: Configuration) -> dt.date:
    """The day the goals' status is computed for: as `LiveRuns.goals` computes it."""
    zone = ZoneInfo(cfg.wheel.timezone)
    return min(live.clock().astimezone(zone).date(), dt.datetime.fromisoformat(run.clock).date())


def _actual_text(goal: Goal, st: Mapping[str, Any], unit: str) -> str:
    actual = st.get("actual")
    if actual is None:
        return "–"
    if isinstance(goal.target, Rank):
        text = _("no. {rank}").format(rank=danish_number(actual))
    else:
        text = quantity(actual, unit)
    return f"{text} ({st['period']})" if st.get("period") else text


def _shown_config(cfg: Configuration, day: dt.date) -> Configuration:
    shown = cfg.version_at(day)
    return replace(shown, year=day.year, national_goals=cfg.national_goals_for(day.year))


def _node(data: Mapping[str, Any], goals: Mapping[str, Goal], statuses: Mapping[str, Mapping[str, Any]],
          cfg: Configuration) -> GoalNode:
    g = goals[data["id"]]
    st = statuses.get(g.id)
    kpi = cfg.kpis.get(g.kpi) if g.kpi else None
    status = str(st["status"]) if st else "no_data"
    in_effect = bool(st["in_effect"]) if st else False
    titles = " / ".join(cfg.organisation.role(r).title if cfg.organisation.has(r) else r for r in g.owners)
    return GoalNode(
        id=g.id, title=g.title, level=g.level.value, level_label=_(LEVELS[g.level.value]), category=g.category.value,
        category_label=_(CATEGORIES.get(g.category.value, g.category.value)), owners=g.owners, owner_titles=titles,
        kpi=kpi.name if kpi else (g.kpi or "–"), target=describe_target(g.target, kpi, cfg.kpis),
        status=status, status_label=_(STATUS_LABELS.get(status, status)) if in_effect else _(NOT_IN_EFFECT),
        in_effect=in_effect, actual=_actual_text(g, st, kpi.unit if kpi else "") if st else "–",
        explanation=str(st.get("explanation", "")) if st else "",
        children=[_node(c, goals, statuses, cfg) for c in data["children"]])


def _prune(nodes: Sequence[GoalNode], filters: Filters) -> list[GoalNode]:
    """The goals that match, with the goals above them kept (marked) so that each stays in place."""
    out = []
    for n in nodes:
        children = _prune(n.children, filters)
        matches = filters.match(n)
        if matches or children:
            out.append(replace(n, matches=matches, children=children))
    return out


def _walk(nodes: Sequence[GoalNode]) -> list[GoalNode]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.children))
    return out


def _check(name: str, value: str, choices: Mapping[str, str], what: str) -> None:
    if value and value not in choices:
        raise InvalidInput([FieldProblem(("query", name), _("unknown {what} '{value}'").format(
            what=_(what), value=value))])


def goal_cascade(live: LiveRuns, principal: Principal, municipality: str, filters: Filters) -> Cascade:
    """The cascade of the goals in effect today (ministermål → fokusområder → administrative →
    team goals), filtered; an unknown filter value is `InvalidInput`."""
    answer = live.goals(principal, municipality)  # checks the permission first
    run = live.run(municipality)
    cfg = live.config(run)
    day = _day(live, run, cfg)
    shown = _shown_config(cfg, day)
    statuses = {g["id"]: g for g in answer["goals"]}
    roles = {r.id: r.title for r in cfg.organisation.roles}
    _check("ansvarlig", filters.owner, roles, N_("responsible"))
    _check("niveau", filters.level, LEVELS, N_("level"))
    _check("kategori", filters.category, CATEGORIES, N_("category"))
    goals = {g.id: g for g in shown.goals}
    tree = cascade(shown)
    national = [NationalNode(n["id"], n["number"], n["title"],
                             _prune([_node(g, goals, statuses, shown) for g in n["goals"]], filters))
                for n in tree["national"]]
    local = _prune([_node(g, goals, statuses, shown) for g in tree["local"]], filters)
    if filters.active:
        national = [n for n in national if n.goals]
    every = [n for nn in national for n in _walk(nn.goals)] + _walk(local)
    matching = [n for n in every if n.matches]
    counted = Counter(n.status for n in matching if n.in_effect)
    counts = [StatusCount(k, _(v), counted[k]) for k, v in STATUS_LABELS.items()]
    counts.append(StatusCount("not_in_effect", _(NOT_IN_EFFECT), sum(1 for n in matching if not n.in_effect)))
    used = {r for g in shown.goals for r in g.owners}
    return Cascade(
        municipality=shown.municipality.name, as_of=str(answer["as_of"]), national=national, local=local,
        counts=counts, shown=len(matching), total=len(shown.goals),
        owners=[Option(r.id, r.title) for r in cfg.organisation.roles if r.id in used],
        levels=[Option(k, _(v)) for k, v in LEVELS.items()],
        categories=[Option(k, _(v)) for k, v in CATEGORIES.items()], filters=filters)


# -------------------------------------------------------------------------------- one goal


@dataclass(frozen=True)
class LogEntry:
    """A decision-log entry of the goal: when, what, and why (the rule and the explanation)."""

    seq: int
    at: str
    what: str
    text: str
    rule: str
    why: str


@dataclass(frozen=True)
class GoalPage:
    goal: GoalNode
    parent: tuple[str, str] | None
    children: list[tuple[str, str]]
    national: str
    description: str
    expected: str
    forecast: str
    as_of: str
    charts: tuple[GoalChart, ...]
    deviations: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    log: list[LogEntry]
    log_total: int


@dataclass
class _Replay:
    token: tuple[Any, ...]
    view: ObservationView
    config: Configuration
    charts: dict[str, tuple[GoalChart, ...]] = field(default_factory=dict)


class ChartCache:
    """The observations of each run's replay, and the charts drawn from them, until the run's
    state changes (kept for the latest `_CACHE_SIZE` runs)."""

    def __init__(self) -> None:
        self._runs: OrderedDict[tuple[str, str], _Replay] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def charts(self, live: LiveRuns, run: RunRef, cfg: Configuration, goal: Goal) -> tuple[GoalChart, ...]:
        key = (run.municipality, run.start)
        day = _day(live, run, cfg)
        token = (run.events, run.inputs, run.clock, day, run.fingerprint, id(cfg))
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            replay = self._runs.get(key)
            if replay is None or replay.token != token:
                moment = moment_of(cfg, run.start, run.clock, live.clock())
                view = stored_observations(live.db, cfg, run.municipality, run.start, moment).as_of(moment.date())
                replay = _Replay(token, view, cfg.version_at(moment.date()))
            with self._guard:
                self._runs[key] = replay
                self._runs.move_to_end(key)
                while len(self._runs) > _CACHE_SIZE:
                    self._runs.popitem(last=False)
            found = replay.charts.get(goal.id)
            if found is None:
                kpi = replay.config.kpis.get(goal.kpi) if goal.kpi else None
                if kpi is None:
                    found = ()
                else:
                    code = replay.config.municipality.code
                    fc = forecast_goal(goal, replay.config.kpis, replay.view, code)
                    found = tuple(goal_charts(goal, kpi, replay.view, code, fc))
                replay.charts[goal.id] = found
            return found


def _forecast_text(st: Mapping[str, Any], unit: str) -> str:
    fc = st.get("forecast") or {}
    value = fc.get("forecast")
    if value is None:
        return "–"
    status = _(STATUS_LABELS[str(fc.get("forecast_status"))]) if fc.get("forecast_status") in STATUS_LABELS else ""
    period = fc.get("forecast_period") or ""
    text = quantity(value, unit)
    if period:
        text = _("{value} in {period}").format(value=text, period=period)
    return text + (f": {status.lower()}" if status else "")


def _log(live: LiveRuns, principal: Principal, run: RunRef, goal_id: str) -> tuple[list[LogEntry], int]:
    authorize(principal, Operation.READ_EVENTS, run.municipality)

    def work(conn: sa.Connection) -> tuple[list[Any], int]:
        about = sa.and_(EVENT.c.municipality == run.municipality, EVENT.c.start == run.start,
                        EVENT.c.type.in_(LOG_TYPES),
                        sa.or_(EVENT.c.goal == goal_id,
                               sa.and_(EVENT.c.subject_kind == "goal", EVENT.c.subject == goal_id)))
        total = int(conn.execute(sa.select(sa.func.count()).select_from(EVENT).where(about)).scalar_one())
        rows = list(conn.execute(sa.select(EVENT.c.seq, EVENT.c.at, EVENT.c.type, EVENT.c.rule, EVENT.c.details)
                                 .where(about).order_by(EVENT.c.seq.desc()).limit(MAX_LOG)))
        return rows, total

    rows, total = live.db.read(work)
    out = []
    for r in rows:
        d = json.loads(r.details)
        inputs = d.get("inputs") or {}
        why = [str(x) for x in (inputs.get("explanation"), d.get("reason")) if x]
        rule = f"{d['rule_title']} ({r.rule})" if d.get("rule_title") and r.rule else str(r.rule or "")
        what = EVENT_WORDS.get(str(r.type), str(r.type))
        text = str(d.get("title") or d.get("text") or "")
        at = dt.datetime.fromisoformat(str(r.at))
        out.append(LogEntry(seq=int(r.seq), at=f"{date_text(at.date())} {at:%H:%M}", what=what, text=text,
                            rule=rule or "–", why=" – ".join(dict.fromkeys(why)) or "–"))
    return out, total


def goal_page(live: LiveRuns, charts: ChartCache, principal: Principal, municipality: str,
              goal_id: str) -> GoalPage:
    """One goal in full; a goal the run does not know is `NotFound` (after the permission check,
    so another municipality's goal is refused alike whether it exists there or not)."""
    answer = live.goals(principal, municipality)
    run = live.run(municipality)
    cfg = live.config(run)
    day = _day(live, run, cfg)
    shown = _shown_config(cfg, day)
    goals = {g.id: g for g in shown.goals}
    g = goals.get(goal_id)
    if g is None:
        raise NotFound(_("no goal '{goal}' in the live run of {run} ({code})").format(
            goal=goal_id, run=run.name, code=run.municipality))
    statuses = {x["id"]: x for x in answer["goals"]}
    node = _node({"id": g.id, "children": []}, goals, statuses, shown)
    st = statuses.get(g.id, {})
    kpi = shown.kpis.get(g.kpi) if g.kpi else None
    unit = kpi.unit if kpi else ""
    expected = st.get("expected")
    expected_text = "–" if expected is None else (
        _("top {rank}").format(rank=danish_number(expected)) if isinstance(g.target, Rank)
        else quantity(expected, unit))
    national = next((f"{n.number}. {n.title}" for n in shown.national_goals if n.id == g.national_goal), "")
    deviations = [d for d in live.deviations(principal, municipality)
                  if d["goal"] == goal_id or (d["subject_kind"] == "goal" and d["subject"] == goal_id)]
    roles = {r.id: r.title for r in cfg.organisation.roles}
    actions = [{**a, "owner_title": roles.get(a["owner"], a["owner"]),
                "state_label": action_state(a["state"])}
               for a in live.actions(principal, municipality) if a["goal"] == goal_id]
    for d in deviations:
        d["state_label"] = _("Open") if d["state"] == "open" else _("Closed")
        d["owner_title"] = roles.get(d["owner"], d["owner"])
    log, total = _log(live, principal, run, goal_id)
    parent = (g.parent, goals[g.parent].title) if g.parent and g.parent in goals else None
    children = sorted((c.id, c.title) for c in shown.goals if c.parent == g.id)
    return GoalPage(goal=node, parent=parent, children=children, national=national, description=g.description,
                    expected=expected_text, forecast=_forecast_text(st, unit), as_of=str(answer["as_of"]),
                    charts=charts.charts(live, run, cfg, g), deviations=deviations, actions=actions, log=log,
                    log_total=total)


__all__ = ["CATEGORIES", "LEVELS", "LEVEL_LABELS", "Cascade", "ChartCache", "Filters", "GoalPage", "goal_cascade",
           "goal_page"]
