"""The engine: one municipality's governance on a clock the engine owns.

Everything that happens is a scheduled item (an observation arriving, a wheel event, a deadline,
a human response) processed strictly in (time, rank, sequence) order by `advance_to`. For each
item the engine posts one message per subject to durable-rules, which answers which rules match;
the engine then applies those rules' actions itself, in rule order, and records every transition
as an event with the rule and the inputs that caused it. No wall clock, no threads, no timers:
the same inputs give the same events, byte for byte, whether the clock is simulated or real.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from govcore._durable import RuleRuntime, pool_key
from govcore.config import Configuration, Response
from govcore.errors import EngineError, GovcoreError
from govcore.extension import FieldSpec, Subject, SubjectContext, per_configuration
from govcore.forecast import GoalForecast, forecast_goal
from govcore.i18n import N_, _
from govcore.model import (
    ActionState,
    CorrectiveAction,
    Decision,
    Deviation,
    Escalation,
    Frequency,
    Goal,
    Observation,
    ObservationRow,
    Observations,
    Period,
    Status,
    TargetResult,
    WheelEvent,
)
from govcore.observations import ObservationStore, ObservationView, SharedStart, kpis_of, rows_of, shared_start
from govcore.rules.compiler import compile_ruleset
from govcore.rules.loader import Rule, RuleSet
from govcore.targets import (
    DayFreeView,
    Judging,
    LazyResult,
    goal_core_of,
    goal_result,
    goal_stale_lazy,
    judging,
    on_day_lazy,
    target_core_lazy,
)
from govcore.workflow import Workflow

if TYPE_CHECKING:
    from govcore.calendar import DanishCalendar

# A new version of the configuration, then the new year, come before anything else at their time.
RANK = {"version": -2, "year": -1, "observation": 0, "response": 1, "deadline": 2, "wheel": 3}
WHEEL_HOUR = {"as_of": 9, "followup": 9, "due": 23}
# the fields `_state_fields` gives (built for durable-rules only when a rule tests one of them)
_STATE_KEYS_ORDER = ("open_deviation", "open_action", "action_state", "decision", "decision_age")
_STATE_KEYS = frozenset(_STATE_KEYS_ORDER)
_NO_STATE = {"open_deviation": False, "open_action": False, "action_state": "none", "decision": "none",
             "decision_age": 0}
# a goal subject's fields in their order, and where the fixed ones are in `Engine._fixed`
_GOAL_FIELDS = ("goal", "level", "category", "kind", "kpi", "status", "value", "expected", "gap", "period",
                "review_due", "national_goal", "goal_followup", "explanation")
_GOAL_FIXED = {"goal": -1, "level": 0, "category": 1, "kind": 2, "kpi": 3, "national_goal": 4, "goal_followup": 5}
# json.dumps with these options would build a new encoder for every event
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
# The same settings as one C encoder, made once (`JSONEncoder.encode` makes a new one per call):
# None where Python runs without its C accelerator (`event_line` then encodes as `_CANONICAL` does).
# No circular-reference markers: event details are trees (a cycle ends in RecursionError instead of
# ValueError); a markers dict kept between calls could keep an entry after a failed encode.
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_DETAILS_ENCODER: Any = None if _c_make_encoder is None else _c_make_encoder(
    None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",", True, False, True)
_encode_str: Callable[[str], str] = json.encoder.encode_basestring  # '"…"', escaped as the encoder does
_OBSERVATION_KEYS = frozenset(("kpi", "municipality", "period", "series", "source", "value"))
_HANDLERS = {kind: f"_on_{kind}" for kind in ("wheel", "observation", "deadline", "response", "year", "version")}
# what a message carries of a subject's fields (a tuple: a union is built again on every check)
_SCALARS = (str, int, float, bool)
# a goal's fields that only its configuration changes (`Engine._fixed`)
_Fixed = tuple[str, str, str, str, str, str]
# a goal as `_post_all` reads it (`Engine._goal_plans`): the goal, its id, the KPIs it reads, its
# subject's key, its fields that only the configuration changes (in message order), the number
# standing for those in match-memory keys, its follow-up rhythm
_GoalPlan = tuple[Goal, str, tuple[str, ...], tuple[str, str], tuple[Any, ...], int, Frequency]
# a goal message's fields after the trigger's, where each comes from ((0, i): the plan's fixed
# fields, (1, i): the state fields, status, review_due and the other result fields), the state
# fields, the other result fields
_Layout = tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[str, ...], list[str]]
_MATCHED_MAX = 4096  # distinct messages remembered with the rules they match
# the field of a message that names what its trigger is about (the one `compile_rule` tests)
_TRIGGER_VALUE = {"wheel": "wheel", "observation": "observed_kpi", "deadline": "deadline"}
_TRIGGER_FIELDS = frozenset(("trigger", "wheel", "observed_kpi", "deadline", "frequency", "for_each"))
# a subject kind's settings when the configuration has none: one object, not a new one per call
# (`SubjectContext.once` keeps what it makes of a settings object with it); never changed
_NO_SETTINGS: dict[str, Any] = {}


class _EventFields(NamedTuple):
    seq: int
    at: dt.datetime
    type: str
    rule: str | None = None
    goal: str | None = None
    owner: str | None = None
    subject: str | None = None
    subject_kind: str | None = None
    details: Mapping[str, Any] = MappingProxyType({})


class EngineEvent(_EventFields):
    """One entry of the event log (the decision log).

    Immutable, and a named tuple underneath: a long run makes hundreds of thousands of them, and a
    tuple is made in a fraction of the time of a frozen dataclass. Compare events with `==` as
    before; do not rely on them being tuples (iterating, indexing)."""

    @property
    def id(self) -> str:
        return f"e{self.seq:06d}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "at": self.at.isoformat(), "type": self.type, "rule": self.rule,
                "goal": self.goal, "owner": self.owner, "subject": self.subject,
                "subject_kind": self.subject_kind, "details": dict(self.details)}

    @cached_property
    def json_line(self) -> str:
        """The canonical JSON line (sorted keys, no spaces): what events.jsonl and hashes use."""
        return event_line(self)

    def to_json(self) -> str:
        return self.json_line


def event_line(ev: EngineEvent) -> str:
    """`json.dumps(ev.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))`, the
    same text, made without the dict: the envelope's keys are fixed and sorted, so only its texts
    and the details are encoded (by the json module's own C functions). A run's summary hashes
    every event's line, and a long run makes hundreds of thousands of them. Anything the fast
    path does not expect (a field that is not a text, a naive subclass) is encoded the old way;
    tests/test_event_line.py compares the two on every event of the examples and on hostile values."""
    global _last_at
    seq, at, kind, rule, goal, owner, subject, subject_kind, details = ev
    if _DETAILS_ENCODER is not None and type(seq) is int and type(at) is dt.datetime:
        seq_text = int.__repr__(seq)  # `zfill(6)` pads as `:06d` does, the sign first, without a format spec
        ident = seq_text.zfill(6)
        last = _last_at  # most events share the time of the one before (the same object)
        if last[0] is at:
            iso = last[1]
        else:
            iso = at.isoformat()  # digits and signs only: nothing to escape
            _last_at = (at, iso)
        try:
            if kind == "observation" and type(details) is dict and rule is None and goal is None and \
                    owner is None and subject is None and subject_kind is None and details.keys() == _OBSERVATION_KEYS:
                # an arriving observation (most events): the whole line from one template
                value = details["value"]
                number = float.__repr__(value) if type(value) is float and value - value == 0.0 else \
                    int.__repr__(value) if type(value) is int else None
                if number is not None:
                    return (f'{{"at":"{iso}","details":{{"kpi":{_encode_str(details["kpi"])},'
                            f'"municipality":{_encode_str(details["municipality"])},'
                            f'"period":{_encode_str(details["period"])},"series":{_encode_str(details["series"])},'
                            f'"source":{_encode_str(details["source"])},"value":{number}}},"goal":null,'
                            f'"id":"e{ident}","owner":null,"rule":null,"seq":{seq_text},"subject":null,'
                            f'"subject_kind":null,"type":"observation"}}')
            return (f'{{"at":"{iso}","details":{_details_json(details)},'
                    f'"goal":{"null" if goal is None else _encode_str(goal)},"id":"e{ident}",'
                    f'"owner":{"null" if owner is None else _encode_str(owner)},'
                    f'"rule":{"null" if rule is None else _encode_str(rule)},"seq":{seq_text},'
                    f'"subject":{"null" if subject is None else _encode_str(subject)},'
                    f'"subject_kind":{"null" if subject_kind is None else _encode_str(subject_kind)},'
                    f'"type":{_encode_str(kind)}}}')
        except TypeError:  # a field that is not a text: the encoder says how it looks, or what is wrong
            pass
    return _CANONICAL.encode(ev.to_dict())


# the last time `event_line` wrote, with its text (one tuple: read and replaced whole)
_last_at: tuple[dt.datetime | None, str] = (None, "")


def _details_json(details: Mapping[str, Any]) -> str:
    """An event's details as `_CANONICAL` encodes them; an arriving observation's (most events)
    from a template when its fields are texts and its value a finite float or an int."""
    if type(details) is not dict:
        details = dict(details)
    elif details.keys() == _OBSERVATION_KEYS:
        value = details["value"]
        kind = type(value)
        if kind is float and value - value == 0.0:  # finite (inf - inf and nan - nan are nan)
            number = float.__repr__(value)
        elif kind is int:
            number = int.__repr__(value)
        else:
            return "".join(_DETAILS_ENCODER(details, 0))
        return "".join(('{"kpi":', _encode_str(details["kpi"]),
                        ',"municipality":', _encode_str(details["municipality"]),
                        ',"period":', _encode_str(details["period"]), ',"series":', _encode_str(details["series"]),
                        ',"source":', _encode_str(details["source"]), ',"value":', number, "}"))
    return "".join(_DETAILS_ENCODER(details, 0))


@dataclass(frozen=True)
class Posted:
    """One message posted to the rules and what fired (kept when the engine traces, to explain
    why a rule did or did not fire)."""

    at: dt.datetime
    message: Mapping[str, Any]
    fired: tuple[str, ...]
    # The fields durable-rules received (the ones rules can test), for a like-for-like benchmark.
    sent: Mapping[str, Any] = field(default_factory=dict)


class _Item(NamedTuple):
    """A scheduled item; the queue is a heap of them, in (time, rank, sequence) order (the
    sequence is unique, so kind and payload are never compared). A tuple: a run may hold a
    million observations waiting to become known."""

    at: dt.datetime
    rank: int
    seq: int
    kind: str
    payload: Any


_new_tuple = tuple.__new__
_OBSERVATION_RANK = RANK["observation"]


class Engine(Workflow):
    """Governance of one municipality from a start date on, for as many years as the clock runs.

    Create, feed, `advance_to`, read, `close`. `year=Y` is shorthand for `start=` 1 January Y.
    Each year's wheel is laid out as the clock enters that year, and each dated version of the
    configuration takes over on its date; everything open (deviations, actions, escalations,
    deliverables) carries on across both. Use as a context manager, or call `close()`: the
    durable-rules state is freed there.
    """

    # per configuration version: the ids of the targets several of its goals hold (`_goal_core`)
    _held_targets: tuple[Configuration | None, frozenset[int]] = (None, frozenset())
    # per configuration version and day: target results shared by goals (`_goal_core`)
    _shared_cores: tuple[Configuration | None, dt.date | None, dict[tuple[int, str | None, int],
                                                                     tuple[Any, LazyResult | None]]] = (None, None, {})
    # the active goals `_goal_plans` made its plans of, the plans, and the messages' layout
    _plans: tuple[list[Goal] | None, list[_GoalPlan], _Layout] = (None, [], ((), (), (), []))
    # the active goals `_followups` grouped, and their ids by follow-up rhythm
    _by_followup: tuple[list[Goal] | None, list[tuple[Frequency, list[str]]]] = (None, [])
    # small numbers standing for the parts of a goal message's match-memory key that repeat (`_post_all`)
    _loop_ids: dict[Any, int]
    # the view `goal_forecast` reads on its day (made there, once a day)
    _forecast_view: ObservationView | None = None
    # the day-free view `_goal_core` evaluates on, on its day (made there, once a day)
    _core_view: DayFreeView | None = None
    # The configuration's observations not yet known at the start, shared with other engines
    # starting that day (`observe`): only the next of them is on the queue at a time.
    _feed: SharedStart | None = None
    _feed_head: _Item | None = None
    _feed_pos = 0
    _feed_seq = 0  # the sequence number before the first of them
    _feed_calendar: DanishCalendar
    _feed_at: dict[dt.date, dt.datetime]
    _plan: _RulePlan  # the rules in use (`_use`)

    def __init__(self, config: Configuration, *, year: int | None = None,
                 start: dt.datetime | dt.date | None = None,
                 on_event: Callable[[EngineEvent], None] | None = None, trace: bool = False) -> None:
        self.root = config
        self.trace: list[Posted] | None = [] if trace else None
        first_day = start.date() if isinstance(start, dt.datetime) else start
        self.year = first_day.year if first_day and not year else (year or config.year)
        self.config = config.version_at(first_day or dt.date(self.year, 1, 1))
        self.calendar = self.config.wheel.calendar
        self.code = config.municipality.code
        if isinstance(start, dt.datetime):
            self.now = start if start.tzinfo else self._as_datetime(start.date(), start.hour, start.minute)
        else:
            self.now = self._as_datetime(start or dt.date(self.year, 1, 1), 0)
        self.start = self.now
        self.events: list[EngineEvent] = []
        self.deviations: dict[str, Deviation] = {}
        self.actions: dict[str, CorrectiveAction] = {}
        self.escalations: dict[str, Escalation] = {}
        self.decisions: dict[str, Decision] = {}
        self._latest_decision: dict[tuple[str, str], str] = {}
        # Subjects a decision closed ('close'): no rule follows them up any more.
        self._closed_by_decision: dict[tuple[str, str], str] = {}
        self.delivered: dict[str, dt.datetime] = {}
        self.required: dict[str, dt.date] = {}
        self.store = ObservationStore()
        self._on_event = on_event
        self._queue: list[_Item] = []
        self._seq = 0
        self._counters: dict[str, int] = {}
        self._reviewed: dict[str, tuple[int, int]] = {}
        self._status_cache: dict[str, dict[dt.date, TargetResult]] = {}
        # per goal: its result before the staleness check, reused while the figures of every KPI its
        # target reads stay (a criterion may name its own KPI)
        # (made with the day left open in its words, see `targets.DayFreeView`): [count, day class,
        # result, fresh until, first day, last day], one list per goal changed in place at each new
        # result (not a new tuple a goal evaluation, which the cycle collector would then walk)
        self._core_cache: dict[str, list[Any]] = {}
        self._forecast_cache: dict[str, dict[dt.date, GoalForecast]] = {}
        self._open_by_subject: dict[tuple[str, str], str] = {}
        self.items_processed = 0
        self.rule_calls = 0  # messages durable-rules was asked about (the others were like earlier ones)
        self._closed = False
        # Each deliverable's due dates in order: after one passes, the next cycle starts.
        self._due_dates: dict[str, list[dt.date]] = {}
        self._runtime: RuleRuntime | None = None
        self._use(self.config)
        self._lay_out(self.now.year)
        for v in config.versions:
            if v.effective is not None and self._as_datetime(v.effective, 0) > self.now:
                self._schedule(self._as_datetime(v.effective, 0), "version", v)
        self.observe(config.observations, quiet_before_start=True)
        for resp in config.responses:
            hour, minute = (int(x) for x in resp.time.split(":"))
            at = self._as_datetime(resp.date, hour, minute)
            if at >= self.now:
                self._schedule(at, "response", resp)

    def _use(self, config: Configuration) -> None:
        """Make `config` (one version) the one the rules and subjects come from. What depends on
        the configuration alone is worked out once for it (`_GoalIndex`, `_RulePlan`) and shared
        by every engine of it."""
        old = self._plan if self._runtime is not None else None
        self.config = config
        self.calendar = config.wheel.calendar
        self._at_six: dict[dt.date, dt.datetime] = {}  # 06:00 of a day, when observations take effect
        index = per_configuration(config).get(_GoalIndex, lambda: _GoalIndex(config))
        self._goal_kpis, self._goals_by_kpi, self._goal_bounds = index.goal_kpis, index.by_kpi, index.bounds
        self._judgings, self._goal_ids = index.judgings, index.goal_ids
        self._status_cache.clear()
        self._core_cache.clear()
        self._forecast_cache.clear()
        # per plugin subject kind: its `unchanged_key` and the subjects made with it (this version's)
        self._kind_subjects: dict[str, tuple[Any, tuple[Subject, ...]]] = {}
        self._goal_fixed: dict[str, tuple[str, str, str, str, str, str]] = {}
        self._active: tuple[tuple[int, int] | None, list[Goal]] = (None, [])
        plan = per_configuration(config.rules).get(_RulePlan, lambda: _plan_for(config.rules, old))
        self._forecasts = plan.forecasts
        if old is None or old.version != plan.version:
            if self._runtime is not None:
                self._runtime.close()
            self._plan = plan
            self._rules = plan.rules
            self._runtime = RuleRuntime(plan.compiled, key=plan.pool_key)
            self._durable_keys = plan.durable_keys
            self._listeners = plan.listeners
            # Which rules a message matches depends on its tested fields alone (every rule tests
            # one fact, and each fact is retracted after matching): a message like an earlier one
            # is answered from here without asking durable-rules again. When a rule tests the day
            # (effective dates), answers are kept for one day only.
            self._matched: dict[tuple[Any, ...], list[str]] = {}
            self._day_tested = plan.day_tested
            self._goal_tested = plan.goal_tested
            self._matched_day = 0

    def _lay_out(self, year: int, *, turn: bool = True) -> None:
        """Schedule `year`'s wheel from the clock on (and, with `turn`, the turn of the year after it).

        A deliverable delivered for an earlier due date starts its next cycle with this year's due
        date; one still missing keeps its old due date until it arrives late.
        """
        for ev in self.config.wheel_events(year):
            at = self._as_datetime(ev.date, WHEEL_HOUR[ev.kind])
            if at < self.now:  # the engine starts here: earlier meetings are history, not replayed
                continue
            self._schedule(at, "wheel", ev)
            for d in ev.deliverables:
                if ev.kind == "due":
                    dates = self._due_dates.setdefault(d, [])
                    if ev.date not in dates:
                        dates.append(ev.date)
                    if d in self.delivered and self.required.get(d, ev.date) < ev.date:
                        self.required[d] = ev.date
                        self.delivered.pop(d)
                self.required.setdefault(d, ev.date)
        if turn:
            self._schedule(self._as_datetime(dt.date(year + 1, 1, 1), 0), "year", year + 1)

    # ----------------------------------------------------------------------------- lifecycle

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # the run failed: report its error, never one from closing
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._runtime is not None:
                self._runtime.close()

    # --------------------------------------------------------------------------------- inputs

    def _as_datetime(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return self.calendar.local_datetime(day, hour, minute)

    def _schedule(self, at: dt.datetime, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self._queue, _Item(at, RANK[kind], self._seq, kind, payload))

    def observe(self, obs: Observation | Iterable[Observation], *, quiet_before_start: bool = False) -> None:
        """Feed observations; each takes effect when it becomes known (never before `now`)."""
        kpis, now, today = self.config.kpis, self.now, self.now.date()
        if quiet_before_start and type(obs) is Observations and not len(self.store) and kpis_of(obs) <= kpis.keys():
            # A configuration's own observations at the start: the history is shared with every
            # engine starting that day, and the rest are fed from one shared list, each with the
            # place (sequence number) it would have had on the queue.
            cut = today + dt.timedelta(days=1) if self._as_datetime(today, 6) <= now else today
            self._feed = feed = shared_start(obs, cut)
            self.store = ObservationStore.over(feed.base)
            self._feed_seq, self._feed_pos, self._feed_calendar = self._seq, -1, self.calendar
            self._feed_at = {}
            self._seq += len(feed.rows)
            self._feed_next()
            return
        past: list[ObservationRow] = []  # known before now: taken in at once, in their order
        add = past.append
        at_six = self._at_six
        # the items are made here and put on the queue at once (a heap made anew from a list is
        # cheaper than thousands of single pushes); their sequence numbers are those one push each
        # would give, so the order is the same
        new: list[_Item] = []
        seq, rank = self._seq, RANK["observation"]
        try:
            for o in rows_of(obs):  # rows, not models: a run may take in a million
                if o.kpi not in kpis:
                    raise EngineError(_("observation of unknown KPI '{kpi}'").format(kpi=o.kpi))
                known = o.known
                if quiet_before_start and known < today:  # history: known at 06:00 before today
                    add(o)
                    continue
                at = at_six.get(known)
                if at is None:
                    at = at_six[known] = self._as_datetime(known, 6)
                if at <= now and quiet_before_start:
                    add(o)
                    continue
                seq += 1
                new.append(_Item(now if now > at else at, rank, seq, "observation", o))
        finally:  # those before an unknown KPI are taken in and scheduled, as they always were
            self.store.extend(past)
            self._seq = seq
            self._push(new)

    def _feed_next(self) -> None:
        """Put the next of the configuration's observations fed from the shared list on the queue."""
        feed = self._feed
        assert feed is not None
        pos = self._feed_pos = self._feed_pos + 1
        rows = feed.rows
        if pos >= len(rows):
            self._feed_head = None
            return
        row = rows[pos]
        known = row.known
        # when the start's calendar says, as when all of them were scheduled at the start
        at = self._feed_at.get(known)
        if at is None:
            at = self._feed_at[known] = self._feed_calendar.local_datetime(known, 6)
        # the item `_Item(...)` makes, without its Python-level constructor (one per observation)
        self._feed_head = item = _new_tuple(_Item, (at, _OBSERVATION_RANK, self._feed_seq + feed.ranks[pos] + 1,
                                                    "observation", row))
        heapq.heappush(self._queue, item)

    def _push(self, items: list[_Item]) -> None:
        queue = self._queue
        if len(items) > 16 and len(items) * 4 > len(queue):
            queue.extend(items)
            heapq.heapify(queue)
        else:
            for item in items:
                heapq.heappush(queue, item)

    def _now_response(self, data: dict[str, Any]) -> list[EngineEvent]:
        local = self.now
        resp = Response(date=local.date(), time=local.strftime("%H:%M"), **data)
        before = len(self.events)
        self._process(_Item(self.now, RANK["response"], 0, "response", resp))
        return self.events[before:]

    # ---------------------------------------------------------------------------------- clock

    def pending(self) -> int:
        feed = self._feed  # the configuration's observations behind the one on the queue count too
        return len(self._queue) + (max(len(feed.rows) - self._feed_pos - 1, 0) if feed is not None else 0)

    def next_time(self) -> dt.datetime | None:
        return self._queue[0].at if self._queue else None

    def advance_to(self, when: dt.datetime | dt.date) -> list[EngineEvent]:
        """Process every item due up to `when`, in time order; returns the events it caused."""
        target = when if isinstance(when, dt.datetime) else self._as_datetime(when, 23, 59)
        if target.tzinfo is None:
            raise EngineError(_("advance_to needs a time with a time zone (or a date)"))
        if target < self.now:
            raise EngineError(_("the clock cannot go back from {now} to {target}").format(
                now=self.now.isoformat(), target=target.isoformat()))
        before = len(self.events)
        handlers = self._handlers()
        pop = heapq.heappop
        # as `steps`, without a slice of events per item, and each item handed straight to its
        # handler (`_process` without its call and look-up; a new configuration version may
        # replace the queue, so it is looked up each time)
        while True:
            queue = self._queue
            if not queue or queue[0].at > target:
                break
            item = pop(queue)
            if item.at > self.now:
                self.now = item.at
            if self._closed:
                raise EngineError(_("the engine is closed"))
            if item is self._feed_head and self._on_event is None:
                self._on_fed(item)
                continue
            handlers[item.kind](item)
            self.items_processed += 1
        self.now = target
        return self.events[before:]

    def steps(self, until: dt.datetime) -> Iterator[list[EngineEvent]]:
        """Process items one at a time (a caller can commit after each one), yielding each item's
        events. The loop is `advance_to`'s, item by item (`_process`'s call and the clock's `max`
        left out as there); a stored run goes through `step`, which takes a day's fed run whole."""
        events, pop = self.events, heapq.heappop
        while True:
            queue = self._queue  # a new configuration version may replace the queue
            if not queue or queue[0].at > until:
                return
            item = pop(queue)
            before = len(events)
            if item.at > self.now:
                self.now = item.at
            if self._closed:
                raise EngineError(_("the engine is closed"))
            getattr(self, _HANDLERS[item.kind])(item)
            self.items_processed += 1
            yield events[before:]

    def step(self, until: dt.datetime, most: int = 1) -> list[EngineEvent] | None:
        """The next item due by `until`, processed, and its events; None when none is due.

        With `most` above 1, a run of fed observations that become known the same day is taken as
        one step of at most `most` items, as `advance_to` takes it (`_on_fed`: the store takes them
        in one call, then each has its event, one per item, in order); `items_processed` tells how
        many items a step took. A stored run commits between steps and asks for at most the items
        its batch has room for, so its batches are cut where they were item by item (taking its fed
        observations one at a time cost a stored run 10-15 % more engine time for the same events).
        """
        queue = self._queue
        if not queue or queue[0].at > until:
            return None
        item = heapq.heappop(queue)
        events = self.events
        before = len(events)
        if item.at > self.now:
            self.now = item.at
        if self._closed:
            raise EngineError(_("the engine is closed"))
        if most > 1 and item is self._feed_head and self._on_event is None:
            self._on_fed(item, most)
        else:
            getattr(self, _HANDLERS[item.kind])(item)
            self.items_processed += 1
        return events[before:]

    def run_year(self) -> list[EngineEvent]:
        return self.advance_to(self._as_datetime(dt.date(self.year, 12, 31), 23, 59))

    # ------------------------------------------------------------------------------ processing

    def _process(self, item: _Item) -> None:
        if self._closed:
            raise EngineError(_("the engine is closed"))
        getattr(self, _HANDLERS[item.kind])(item)

    def _handlers(self) -> dict[str, Callable[[_Item], None]]:
        """Each kind of item's handler (`_process`'s), bound once for a run of items."""
        return {kind: getattr(self, name) for kind, name in _HANDLERS.items()}

    def _on_year(self, item: _Item) -> None:
        """1 January: the year's ministermål take over, goals answering last year's end, and the
        year's wheel is laid out. Everything open carries on, and the event says what."""
        year: int = item.payload
        day, last = dt.date(year, 1, 1), dt.date(year - 1, 12, 31)
        ended = [g for g in self.config.goals if self.config.goal_active(g, last)
                 and not self.config.goal_active(g, day)]
        national = self.config.national_goals_for(year)
        # statuses and forecasts are cached per day; last year's days are not asked again
        self._status_cache.clear()
        self._core_cache.clear()
        self._forecast_cache.clear()
        self._emit("year_started", details={
            "year": year, "national_goals": [n.id for n in national],
            "goals": [g.id for g in self.config.goals if self.config.goal_active(g, day)],
            "goals_ended": [g.id for g in ended],
            "open_deviations": [d.id for d in self.open_deviations()],
            "open_actions": [a.id for a in self.open_actions()],
            "required": {d: self.required[d].isoformat() for d in sorted(self.required) if d not in self.delivered}})
        for g in ended:
            why = (f"ministermål {year - 1} er afløst af ministermål {year}" if g.national_goal
                   else f"målet gælder til {g.valid_to.isoformat() if g.valid_to else year - 1}")
            self._retire(g, f"{g.title}: målet er ikke længere i kraft ({why})")
        self._lay_out(year)

    def _on_version(self, item: _Item) -> None:
        """A dated version of the configuration takes over: the change is logged, goal by goal and
        rule by rule; goals keep their ids, deviations and actions, and a goal that left the
        configuration has its open deviation closed with that reason."""
        new: Configuration = item.payload
        old = self.config
        before, after = {g.id: g for g in old.goals}, {g.id: g for g in new.goals}
        old_rules = {r.id: r.file_hash for r in old.rules.rules}
        new_rules = {r.id: r.file_hash for r in new.rules.rules}
        wheel_changed = old.wheel is not new.wheel and \
            old.wheel.model_dump(mode="json") != new.wheel.model_dump(mode="json")
        assert new.effective is not None
        self._emit("configuration_changed", details={
            "effective": new.effective.isoformat(), "fingerprint": new.fingerprint(),
            "description": new.description,
            "goals_added": sorted(after.keys() - before.keys()),
            "goals_removed": sorted(before.keys() - after.keys()),
            "goals_changed": sorted(k for k in before.keys() & after.keys() if before[k] != after[k]),
            "rules_added": sorted(new_rules.keys() - old_rules.keys()),
            "rules_removed": sorted(old_rules.keys() - new_rules.keys()),
            "rules_changed": sorted(k for k in old_rules.keys() & new_rules.keys() if old_rules[k] != new_rules[k]),
            "kpis_added": sorted(new.kpis.keys() - old.kpis.keys()), "wheel_changed": wheel_changed})
        self._use(new)
        for gid in sorted(before.keys() - after.keys()):
            self._retire(before[gid], f"{before[gid].title}: målet indgår ikke i konfigurationen fra "
                                      f"{new.effective.isoformat()}")
        if wheel_changed:
            self._queue = [q for q in self._queue if q.kind != "wheel"]
            heapq.heapify(self._queue)
            self._lay_out(self.now.year, turn=False)

    def _retire(self, goal: Goal, note: str) -> None:
        if ("goal", goal.id) in self._open_by_subject:
            subject = Subject(kind="goal", id=goal.id, owner=goal.owner, fields={}, title=goal.title, goal=goal.id)
            self._close_subject(subject, None, note, {})

    def _on_wheel(self, item: _Item) -> None:
        ev: WheelEvent = item.payload
        freq = ev.frequency.value if ev.frequency else ""
        details = {
            "wheel": ev.definition, "title": ev.title, "kind": ev.kind, "date": ev.date.isoformat(),
            "nominal_date": ev.nominal_date.isoformat(), "participants": list(ev.participants),
            "deliverables": list(ev.deliverables), "frequency": freq,
            **({"covers": _covered(ev.frequency, ev.date)} if ev.frequency else {})}
        if ev.jointly_with:
            details["jointly_with"] = list(ev.jointly_with)
        if ev.date_basis != "document":
            details["date_basis"] = ev.date_basis
        if ev.responsible_basis != "document":
            details["responsible_basis"] = ev.responsible_basis
        if ev.source:
            details["source"] = ev.source
        if ev.by_others:
            details["by_others"] = ev.by_others
        self._emit("followup" if ev.kind == "followup" else "milestone", owner=ev.responsible, details=details)
        trigger = {"trigger": "wheel", "wheel": ev.definition, "frequency": freq}
        for kind in self._kinds_for("wheel", ev.definition, freq):
            self._post_all(item, trigger, kind, wheel=ev)
        if ev.kind == "due":
            for d in ev.deliverables:
                self._next_cycle(d, ev.date)
        if ev.kind == "followup":
            day = self.now.date()
            reviewed = self._reviewed
            for followup, ids in self._followups(day):
                reviewed.update(dict.fromkeys(ids, _period_key(followup, day)))

    def _on_observation(self, item: _Item) -> None:
        o: ObservationRow = item.payload
        if item is self._feed_head:
            self._feed_next()
        self._observed((o,))
        kpi = o.kpi
        kinds = self._listeners.get(("observation", kpi, ""))  # `_kinds_for`'s answer, once it has one
        if kinds is None:
            kinds = self._kinds_for("observation", kpi, "")
        if kinds:
            trigger = {"trigger": "observation", "observed_kpi": kpi, "wheel": "", "frequency": ""}
            for kind in kinds:
                self._post_all(item, trigger, kind, kpi=kpi)

    def _on_fed(self, item: _Item, most: int = 0) -> None:
        """The feed's head, just taken from the queue, and the fed rows after it that become known
        the same day, as one: the store takes them in one call, then each has its event, as an item
        each would have (the same events, sequence numbers and item count; `most`, when given, is
        the most rows the run may take: see `step`). Nothing else on
        the queue comes between them: at 06:00 only observations are due (rank 0 comes before every
        other kind then), and every observation queued since the start has a later sequence number
        than the fed rows (theirs were given out at the start). Only where nothing can look in
        between: no `on_event`, and no rule listening to their KPIs (a row with listeners is an
        item of its own, `_on_observation`)."""
        listeners = self._listeners
        head: ObservationRow = item.payload
        kinds = listeners.get(("observation", head.kpi, ""))
        if kinds is None:
            kinds = self._kinds_for("observation", head.kpi, "")
        if kinds:
            self._on_observation(item)
            self.items_processed += 1
            return
        feed = self._feed
        assert feed is not None
        rows, first = feed.rows, self._feed_pos
        end, count, known = first + 1, len(rows), head.known
        if most and first + most < count:
            count = first + most
        # the fed rows become known in order, those of one day in their sequence: the run ends at a
        # later day or at a row a rule listens to
        last = head.kpi
        while end < count:
            row = rows[end]
            if row.known != known:
                break
            if row.kpi != last:
                last = row.kpi
                kinds = listeners.get(("observation", last, ""))
                if kinds is None:
                    kinds = self._kinds_for("observation", last, "")
                if kinds:
                    break
            end += 1
        self._feed_pos = end - 1
        self._feed_next()  # the row after the run on the queue first, as an item of its own puts it
        self._observed(rows[first:end])
        self.items_processed += end - first

    def _observed(self, rows: Sequence[ObservationRow]) -> None:
        """Take in rows that become known now, in their order: into the store (one call), each goal
        reading their KPIs asked anew, and an event each."""
        self.store.add_rows(rows)
        goals_by_kpi, status, forecast = self._goals_by_kpi, self._status_cache, self._forecast_cache
        events, now = self.events, self.now
        # the list's own append when nothing listens (every `_on_fed` run): no Python call per event
        append = events.append if self._on_event is None else self._append
        last = None
        for o in rows:
            kpi = o.kpi
            if kpi != last:
                last = kpi
                goals = goals_by_kpi.get(kpi)
                if goals:
                    for goal_id in goals:
                        status.pop(goal_id, None)
                        forecast.pop(goal_id, None)
            value = o.value
            if type(value) is float:
                # `round(value, 6)` (a decimal conversion there and back, more than the rest of the
                # event) only where it can change the value: when `value * 1e6` is a whole number n
                # and n / 1e6 gives `value` back, `value` is the double nearest the decimal n / 10**6
                # and rounding it to six places gives it back (tests/test_observation_value_round.py)
                scaled = value * 1e6
                if not (scaled.is_integer() and scaled / 1e6 == value):
                    value = round(value, 6)
            else:
                value = _jsonable(value)
            # made here as `_emit` would, without `EngineEvent`'s Python-level constructor: the
            # commonest event (no rule, no subject, details ready)
            append(_new_tuple(EngineEvent, (len(events) + 1, now, "observation", None, None, None, None, None, {
                "kpi": kpi, "period": o.period, "value": value,
                "series": o.series, "municipality": o.municipality or "", "source": o.source})))

    # -------------------------------------------------------------------------------- subjects

    def _kinds_for(self, trigger: str, value: str, frequency: str) -> list[str]:
        key = (trigger, value, frequency)
        kinds = self._listeners.get(key)
        if kinds is None:
            kinds = self._plan.kinds_for(key)
        return kinds

    def _subjects(self, kind: str, wheel: WheelEvent | None = None, kpi: str | None = None) -> list[Subject]:
        """The subjects of `kind` now (goals: only those measured by `kpi`, when it is given)."""
        found = self._all_subjects(kind, wheel, kpi)
        if not self._closed_by_decision:
            return found
        return [s for s in found if (s.kind, s.id) not in self._closed_by_decision]

    def _all_subjects(self, kind: str, wheel: WheelEvent | None = None, kpi: str | None = None) -> list[Subject]:
        day = self.now.date()
        if kind == "goal":
            return [self._goal_subject(g, day) for g in self._active_goals(day)
                    if kpi is None or kpi in self._goal_kpis[g.id]]
        if kind == "deliverable":
            ids = wheel.deliverables if wheel else ()
            return [self._deliverable_subject(d, self.required.get(d, day)) for d in ids]
        if kind == "action":
            return []
        spec = self.config.subject_kinds.get(kind)
        if spec is None:
            raise GovcoreError(_("no plugin provides the subject kind '{kind}'").format(kind=kind))
        ctx = SubjectContext(
            municipality=self.config.municipality, day=day, observations=self.store.as_of(day),
            organisation=self.config.organisation, kpis=self.config.kpis,
            settings=self.config.sources.get(spec.settings_key, _NO_SETTINGS), base_dir=self.config.base_dir,
            cache=per_configuration(self.config))
        key: Any = None
        try:
            if spec.unchanged_key is not None:
                key = spec.unchanged_key(ctx)
                hit = self._kind_subjects.get(kind)
                if hit is not None and hit[0] == key:
                    return list(hit[1])
            subjects = list(spec.subjects(ctx))
        except GovcoreError:
            raise
        except Exception as err:
            raise GovcoreError(_("the subject kind '{kind}' failed on {day}: {error}").format(
                kind=kind, day=day, error=f"{type(err).__name__}: {err}")) from err
        for subject in subjects:
            check_fields(kind, spec.fields, subject)
        if spec.unchanged_key is not None:
            # the subjects are frozen and no rule changes them: the same ones serve while the key holds
            self._kind_subjects[kind] = (key, tuple(subjects))
        return subjects

    def _active_goals(self, day: dt.date) -> list[Goal]:
        # which goals count changes only on a goal's first day, the day after its last, and 1 January
        # (ministermål belong to a year): the same list serves every day between two of those
        key = (day.year, bisect.bisect_right(self._goal_bounds, day))
        if self._active[0] != key:
            self._active = (key, [g for g in self.config.goals if self.config.goal_active(g, day)])
        return self._active[1]

    def _followups(self, day: dt.date) -> list[tuple[Frequency, list[str]]]:
        """The ids of the goals active on `day` by their follow-up rhythm (goals share a few), made
        once per list of active goals: a follow-up marks every active goal reviewed, and reading
        each goal's `followup` and `id` there went through pydantic's attribute hook for every goal
        at every follow-up."""
        goals = self._active_goals(day)
        made = self._by_followup
        if made[0] is not goals:
            groups: dict[Frequency, list[str]] = {}
            for g in goals:
                groups.setdefault(g.followup, []).append(g.id)
            made = self._by_followup = (goals, list(groups.items()))
        return made[1]

    def goal_result(self, goal: Goal, day: dt.date | None = None) -> TargetResult:
        """The goal's status as of `day` (default: now), on the observations known then.

        Results are kept by goal id for the goals the configuration holds; a goal object it does
        not hold (a caller's copy, perhaps under a held goal's id) is judged afresh on its own."""
        d = day or self.now.date()
        if id(goal) not in self._goal_ids:
            return goal_result(goal, self.config.kpis, self.store.as_of(d), self.code)
        cached = self._status_cache.setdefault(goal.id, {})
        if d not in cached:
            cached[d] = goal_result(goal, self.config.kpis, self.store.as_of(d), self.code)
        return cached[d]

    def goal_forecast(self, goal: Goal, day: dt.date | None = None) -> GoalForecast:
        """The goal's forecast at the end of its target period, on the observations known on `day`."""
        d = day or self.now.date()
        if id(goal) not in self._goal_ids:  # not kept by id: see `goal_result`
            return forecast_goal(goal, self.config.kpis, self.store.as_of(d), self.code)
        cached = self._forecast_cache.setdefault(goal.id, {})
        if d not in cached:
            # one view a day: the goals on a KPI share its series' forecast (`forecast._series_forecast`)
            view = self._forecast_view
            if view is None or view.day != d or view.store is not self.store:
                view = self._forecast_view = self.store.as_of(d)
            cached[d] = forecast_goal(goal, self.config.kpis, view, self.code)
        return cached[d]

    def reused_goal_result(self, goal: Goal, day: dt.date | None = None) -> TargetResult:
        """`goal_result` as the goal's subject shows it: a result made on an earlier day that saw
        the same figures is reused, so its `inputs['as_of']` may name that day (for a reader of
        the status, figures and words, such as the summary)."""
        return self.reused_lazy_result(goal, day).result()

    def reused_lazy_result(self, goal: Goal, day: dt.date | None = None) -> LazyResult:
        """`reused_goal_result` with its words and inputs made only when read (the summary reads
        the words of every goal, not their inputs)."""
        if id(goal) not in self._goal_ids:  # not kept by id: see `goal_result`
            return LazyResult.of(self.goal_result(goal, day))
        return self._subject_result(goal, day or self.now.date())

    def _subject_result(self, g: Goal, day: dt.date, *, render: bool = True,
                        known: tuple[int, dt.date | None] | None = None) -> LazyResult:
        """The goal's result for its subject: as `goal_result`, but a result computed on an earlier
        day that saw the same figures is reused (its `inputs['as_of']` is that day's; a subject
        does not carry the inputs). Without `render` the explanation may still hold the day's
        placeholder (`targets.on_day` writes it in). `known`: the store's `kpis_state` of the
        goal's KPIs, when the caller has it."""
        gid = g.id
        cached = self._status_cache.get(gid)
        if cached is not None and day in cached:
            return LazyResult.of(cached[day])
        count, last = known or self.store.kpis_state(self._goal_kpis.get(gid, ()))
        if last is None or day >= last:
            judged = self._judgings.get(id(g)) or self._judging(g)  # (the kept one without a call)
            started = judged.day_class(day)
            hit = self._core_cache.get(gid)
            if hit is not None and hit[0] == count and hit[1] == started:
                template, fresh = hit[2], hit[3]
            else:
                template = self._goal_core(g, day, count)
                fresh = judged.fresh(template)
                # the days it serves as it is: the same day class, not stale (`_post_all` checks these)
                first, last_day = judged.class_days(day)
                if fresh is not None and fresh < last_day:
                    last_day = fresh
                if hit is None:
                    self._core_cache[gid] = [count, started, template, fresh, first, last_day]
                else:
                    hit[0], hit[1], hit[2], hit[3], hit[4], hit[5] = count, started, template, fresh, first, last_day
            # the staleness check reads the status and period, not the words
            if fresh is not None and day > fresh:
                stale = goal_stale_lazy(g, self.config.kpis, template, day)
                assert stale is not None
                return stale
            return on_day_lazy(template, day) if render else template
        return LazyResult.of(self.goal_result(g, day))

    def _judging(self, g: Goal) -> Judging:
        """What judging `g` reads of this configuration version, worked out once for every engine
        of it (`_GoalIndex.judgings`); a goal object the version does not hold is worked out anew."""
        key = id(g)
        judged = self._judgings.get(key)
        if judged is None:
            judged = judging(g, self.config.kpis)
            if key in self._goal_ids:  # the version holds `g`, so no other object takes its id
                self._judgings[key] = judged
        return judged

    def _goal_core(self, g: Goal, day: dt.date, count: int) -> LazyResult:
        """`goal_core_lazy` of the goal on `day`'s day-free view. A target several goals hold (the
        very object: copies of a goal share it) is evaluated once for all of them on a day while
        the figures of their KPIs stay (`count`, the store's count of their rows, only grows).
        Shared across goals only, never across days (a result names the day it was made on in its
        inputs) or configuration versions (the KPIs' definitions are read)."""
        view = self._core_view
        if view is None or view.day != day or view.store is not self.store:
            view = self._core_view = DayFreeView(self.store, day)
        config = self.config
        judged = self._judgings.get(id(g)) or self._judging(g)
        target = judged.target
        held = self._held_targets
        if held[0] is not config:
            held = self._held_targets = (config, _held_by_several(config.goals))
        if target is None or id(target) not in held[1]:
            return judged.core(view, self.code, config.kpis)
        shared = self._shared_cores
        if shared[0] is not config or shared[1] != day:
            shared = self._shared_cores = (config, day, {})
        key = (id(target), g.kpi, count)
        hit = shared[2].get(key)
        if hit is None or hit[0] is not target:
            hit = shared[2][key] = (target, target_core_lazy(g, config.kpis, view, self.code))
        return goal_core_of(g, config.kpis, view, hit[1])

    def _fixed(self, g: Goal) -> _Fixed:
        fixed = self._goal_fixed.get(g.id)
        if fixed is None:
            fixed = self._goal_fixed[g.id] = (g.level.value, g.category.value, g.kind.value if g.kind else "",
                                              g.kpi or "", g.national_goal or "", g.followup.value)
        return fixed

    def _goal_subject(self, g: Goal, day: dt.date, res: LazyResult | None = None) -> Subject:
        if res is None:
            res = self._subject_result(g, day)
        fixed = self._fixed(g)
        fields = {
            "goal": g.id, "level": fixed[0], "category": fixed[1], "kind": fixed[2], "kpi": fixed[3],
            "status": res.status.value, "value": res.actual, "expected": res.expected, "gap": res.gap,
            "period": res.period or "", "review_due": self._reviewed.get(g.id) != _period_key(g.followup, day),
            "national_goal": fixed[4], "goal_followup": fixed[5], "explanation": res.explanation,
        }
        if self._forecasts:
            fields.update(self.goal_forecast(g, day).fields())
        return Subject(kind="goal", id=g.id, owner=g.owner, fields=fields, title=g.title, goal=g.id,
                       jointly_with=g.jointly_with)

    def _deliverable_subject(self, ident: str, due: dt.date) -> Subject:
        d = self.config.deliverables[ident]
        day = self.now.date()
        delivered = ident in self.delivered
        late = max(0, (day - due).days) if not delivered else 0
        return Subject(kind="deliverable", id=d.id, owner=d.owner, title=d.title, fields={
            "deliverable": d.id, "delivered": delivered, "due": due.isoformat(), "days_late": late},
            jointly_with=d.jointly_with)

    def _state_fields(self, subject: Subject) -> dict[str, Any]:
        return self._state_of(subject.kind, subject.id)

    def _state_of(self, kind: str, ident: str) -> dict[str, Any]:
        if kind != "action" and (kind, ident) not in self._open_by_subject and \
                (kind, ident) not in self._latest_decision:
            return dict(_NO_STATE)  # most subjects: nothing open, nothing decided
        latest = self._latest_action_of(kind, ident)
        dec = self.decisions.get(self._latest_decision.get((kind, ident), ""))
        return {
            "open_deviation": (kind, ident) in self._open_by_subject,
            "open_action": latest is not None and latest.state is not ActionState.closed,
            "action_state": latest.state.value if latest else "none",
            "decision": "none" if dec is None else dec.option or "pending",
            "decision_age": (self.now.date() - dec.decided_at.date()).days if dec and dec.decided_at else 0,
        }

    def _message(self, item: _Item, trigger: Mapping[str, Any], subject: Subject) -> dict[str, Any]:
        msg: dict[str, Any] = {
            **trigger, "for_each": subject.kind, "day": _day_number(self.now.date()),
            "subject": subject.id, "title": subject.title, "owner": subject.owner,
            **self._state_fields(subject),
        }
        for k, v in subject.fields.items():
            if isinstance(v, _SCALARS) or v is None:
                msg[k] = v
        msg["id"] = f"{item.seq}:{subject.kind}:{subject.id}"
        return msg

    # ---------------------------------------------------------------------------- rule firing

    def _sent(self, trigger: Mapping[str, Any], subject: Subject) -> dict[str, Any]:
        """The fields of `_message` that rules can test (but its id), built alone: most messages
        match no rule, and the full message is then never needed."""
        keys = self._durable_keys
        msg = {k: v for k, v in trigger.items() if k in keys}
        msg["for_each"] = subject.kind
        msg["day"] = _day_number(self.now.date())
        for k, v in (("subject", subject.id), ("title", subject.title), ("owner", subject.owner)):
            if k in keys:
                msg[k] = v
        if not keys.isdisjoint(_STATE_KEYS):
            for k, v in self._state_fields(subject).items():
                if k in keys:
                    msg[k] = v
        for k, v in subject.fields.items():
            if k in keys and (isinstance(v, _SCALARS) or v is None):
                msg[k] = v
        msg.pop("id", None)
        return msg

    def _post_all(self, item: _Item, trigger: Mapping[str, Any], kind: str, *, wheel: WheelEvent | None = None,
                  kpi: str | None = None) -> None:
        """Post every subject of `kind` now. A goal's subject is built only when a rule fires on
        it (or the engine traces): its message to durable-rules is made from the goal and its
        result directly, the same fields in the same order as `_sent` gives."""
        if kind != "goal" or self._forecasts:
            for subject in self._subjects(kind, wheel=wheel, kpi=kpi):
                self._post(item, trigger, subject)
            return
        day = self.now.date()
        keys = self._durable_keys
        head = {k: v for k, v in trigger.items() if k in keys}
        head["for_each"] = "goal"
        head["day"] = _day_number(day)
        plans, layout = self._goal_plans(day)
        rest, order, state, others = layout
        closed = self._closed_by_decision
        # The match-memory key of a goal's message: this loop's fixed part (the trigger's fields
        # and the names of the rest, as one number), the goal's fields that only the configuration
        # changes (one number per goal, `_goal_plans`), and the rest's values with their types.
        # Of the rest, only the fields the rules that can fire on this trigger test (the shape
        # names the trigger, so the same shape always keeps the same fields).
        ids = self._loop_ids
        fixed_part = (tuple((k, v, type(v)) for k, v in head.items() if self._day_tested or k != "day"), rest)
        shape = ids.get(fixed_part)
        if shape is None:
            shape = ids[fixed_part] = len(ids)
        used = self._plan.tested_for(trigger, "goal")
        static_used = any(part == 0 for k, (part, _at) in zip(rest, order, strict=True) if used is None or k in used)
        keep = tuple(at for k, (part, at) in zip(rest, order, strict=True) if part == 1 and (used is None or k in used))
        reads = self._goal_fields(others, day)
        reviewed = self._reviewed
        due: dict[Frequency, tuple[int, int]] = {}  # goals share a few rhythms
        no_state = tuple(_NO_STATE[k] for k in state)
        open_subjects = self._open_by_subject
        decided = self._latest_decision
        trace = self.trace is not None
        matched = self._matched
        self._match_day(head["day"])
        core = self._core_cache
        by_day = self._status_cache
        # goals measured by the same KPIs share the store's state of them (the store does not
        # change while this loop posts)
        known: dict[tuple[str, ...], tuple[int, dt.date | None]] = {}
        for plan in plans:
            g, gid, measured_by, pair, static, fixed_id, _ = plan
            if kpi is not None and kpi not in measured_by:
                continue
            if closed and pair in closed:
                continue
            state_of = known.get(measured_by)
            if state_of is None:
                state_of = known[measured_by] = self.store.kpis_state(measured_by)
            # `_subject_result`'s commonest case, its reused result, without the call
            hit = core.get(gid)
            if hit is not None and hit[0] == state_of[0] and hit[4] <= day <= hit[5] and gid not in by_day \
                    and (state_of[1] is None or day >= state_of[1]):
                res = hit[2]
            else:
                res = self._subject_result(g, day, render=False, known=state_of)
            if not state:
                now: tuple[Any, ...] = ()
            elif pair in open_subjects or pair in decided:
                fields = self._state_of("goal", gid)
                now = tuple(fields[k] for k in state)
            else:
                now = no_state  # nothing open, nothing decided (as `_state_of` gives)
            # status (`_value_`: `.value` without the enum's descriptor) and review_due, which nearly
            # every goal rule reads, without a call
            period = due.get(plan[6])
            if period is None:
                period = due[plan[6]] = _period_key(plan[6], day)
            if reads:
                values = (*now, res.status._value_, reviewed.get(gid) != period,
                          *[read(res) for read in reads])
            else:
                values = (*now, res.status._value_, reviewed.get(gid) != period)
            kept = values if len(keep) == len(values) else tuple(map(values.__getitem__, keep))
            key = (shape, fixed_id if static_used else -1, kept, tuple(map(type, kept)))
            fired = matched.get(key)
            if fired is not None and not fired and not trace:
                continue  # matches no rule, as an earlier message like it: nothing to build
            parts = (static, values)
            sent = dict(head)
            for k, (part, at) in zip(rest, order, strict=True):
                sent[k] = parts[part][at]
            fired = self._fired(item, sent, "goal", gid, key)
            if fired or trace:
                self._fire(item, trigger, self._goal_subject(g, day, on_day_lazy(res, day)), sent, fired)

    def _goal_plans(self, day: dt.date) -> tuple[list[_GoalPlan], _Layout]:
        """The goals active on `day`, each as a plain tuple of what `_post_all` reads of it (its
        fields that only the configuration changes read once, not at every follow-up), and where
        each field of a goal's message comes from. Made again when the active goals are (a new
        list: a new configuration version, a goal's first or last day, a new year)."""
        goals = self._active_goals(day)
        made = self._plans
        if made[0] is goals:
            return made[1], made[2]
        if made[0] is None:
            self._loop_ids = {}
        keys = self._durable_keys
        names = [k for k in ("subject", "title", "owner") if k in keys]
        state = tuple(k for k in _STATE_KEYS_ORDER if k in keys)
        tested = self._goal_tested
        # a message's fields after the trigger's, in `_sent`'s order: the names, the state, the goal's
        rest = (*names, *state, *tested)
        static = [*names, *(k for k in tested if k in _GOAL_FIXED)]
        # the values of a message's changing fields: the state, status and review_due (made for
        # every goal, cheaply, whether rules test them or not), the other result fields
        others = [k for k in tested if k not in _GOAL_FIXED and k not in ("status", "review_due")]
        changing = [*state, "status", "review_due", *others]
        order = tuple((0, static.index(k)) if k in static else (1, changing.index(k)) for k in rest)
        ids = self._loop_ids
        plans: list[_GoalPlan] = []
        for g in goals:
            gid = g.id
            fixed = self._fixed(g)
            named = {"subject": gid, "title": g.title, "owner": g.owner}
            values = tuple(named[k] if k in named else gid if k == "goal" else fixed[_GOAL_FIXED[k]] for k in static)
            typed = ("goal-fields", values, tuple(map(type, values)))
            fixed_id = ids.get(typed)
            if fixed_id is None:
                fixed_id = ids[typed] = len(ids)
            plans.append((g, gid, self._goal_kpis[gid], ("goal", gid), values, fixed_id, g.followup))
        layout = (rest, order, state, others)
        self._plans = (goals, plans, layout)
        return plans, layout

    def _goal_fields(self, names: list[str], day: dt.date) -> list[Callable[[LazyResult], Any]]:
        """How to read each of the fields `names` of `_goal_subject`'s fields that change without
        the configuration changing, on `day`, from the goal's result (but status and review_due,
        which `_post_all` reads itself)."""
        read: dict[str, Callable[[LazyResult], Any]] = {
            "explanation": lambda res: on_day_lazy(res, day).explanation, "value": lambda res: res.actual,
            "expected": lambda res: res.expected, "gap": lambda res: res.gap, "period": lambda res: res.period or ""}
        return [read[name] for name in names]

    def _post(self, item: _Item, trigger: Mapping[str, Any], subject: Subject) -> None:
        sent = self._sent(trigger, subject)
        fired = self._fired(item, sent, subject.kind, subject.id)
        if not fired and self.trace is None:
            return
        self._fire(item, trigger, subject, sent, fired)

    def _match_day(self, day: int) -> None:
        """The match memory holds one day's answers when a rule tests the day."""
        if self._day_tested and day != self._matched_day:
            self._matched.clear()
        self._matched_day = day

    def _fired(self, item: _Item, sent: dict[str, Any], kind: str, ident: str,
               key: tuple[Any, ...] | None = None) -> list[str]:
        """The rules `sent` matches (from the match memory, or durable-rules); adds its id. `key`:
        the message's match-memory key when the caller built it (see `_post_all`)."""
        assert self._runtime is not None
        self._match_day(sent["day"])
        # the fields that decide the answer with their types (True == 1 == 1.0 in Python, not in
        # durable-rules): those the rules that can fire on the message's trigger test, the day only
        # when a rule tests it (otherwise the same message on another day matches the same rules)
        if key is None:
            used = self._plan.tested_for(sent, kind)
            key = tuple((k, v, type(v)) for k, v in sent.items() if used is None or k in used)
        fired = self._matched.get(key)
        sent["id"] = f"{item.seq}:{kind}:{ident}"
        if fired is None:
            fired = self._runtime.match(sent)
            self.rule_calls += 1
            if len(self._matched) >= _MATCHED_MAX:
                self._matched.clear()
            self._matched[key] = fired
        return fired

    def _fire(self, item: _Item, trigger: Mapping[str, Any], subject: Subject, sent: dict[str, Any],
              fired: list[str]) -> None:
        """Apply the fired rules' actions (and trace the message)."""
        msg = self._message(item, trigger, subject)
        if self.trace is not None:
            self.trace.append(Posted(self.now, dict(msg), tuple(self._rules[n].id for n in fired), sent))
        # Each rule's inputs are the message as durable-rules matched it, before any rule acted: an
        # earlier rule's deviation must not show up in a later rule's recorded `open_deviation`.
        matched = dict(msg)
        for name in fired:
            rule = self._rules[name]
            inputs = {f: matched.get(f) for f in rule.fields_used()}
            if subject.kind == "goal":
                for f in ("status", "value", "expected", "period"):
                    inputs.setdefault(f, matched.get(f))
            if matched.get("explanation"):
                inputs["explanation"] = matched["explanation"]
            for call in rule.actions:
                self._apply(rule, call.name, call.params, subject, msg, inputs)
                msg.update(self._state_fields(subject))

    # ---------------------------------------------------------------------------------- events

    def _emit(self, event_type: str, *, rule: Rule | None = None, subject: Subject | None = None,
              owner: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        # made JSON-ready once (a new dict), then the subject's and rule's words where not given
        # (`setdefault`; texts, nearly always, without a call)
        d: dict[str, Any] = _jsonable(details) if details else {}
        if type(d) is not dict:  # not a mapping: as `dict(details)` makes it, or fails
            d = _jsonable(dict(details or {}))
        goal: str | None
        ident: str | None
        kind: str | None
        if subject is not None:
            title = subject.title
            if title and "subject_title" not in d:
                d["subject_title"] = title if type(title) is str else _jsonable(title)
            goal, ident, kind = subject.goal, subject.id, subject.kind
        else:
            goal = ident = kind = None
        if rule is not None:
            if "rule_title" not in d:
                title = rule.title
                d["rule_title"] = title if type(title) is str else _jsonable(title)
            if "rule_file" not in d:
                d["rule_file"] = _jsonable(rule.file.rsplit("/", 1)[-1])
            if "rule_hash" not in d:
                d["rule_hash"] = _jsonable(rule.file_hash[:12])
        events = self.events
        # the event `EngineEvent(...)` makes, without its Python-level constructor
        self._append(_new_tuple(EngineEvent, (len(events) + 1, self.now, event_type, rule.id if rule else None,
                                              goal, owner, ident, kind, d)))

    def _append(self, ev: EngineEvent) -> None:
        self.events.append(ev)
        if self._on_event is not None:
            self._on_event(ev)

    # ----------------------------------------------------------------------------------- reads

    def goal_statuses(self, day: dt.date | None = None) -> dict[str, TargetResult]:
        d = day or self.now.date()
        return {g.id: self.goal_result(g, d) for g in self.config.goals if self.config.goal_active(g, d)}


class _GoalIndex:
    """What a configuration (version) says of its goals that every engine of it reads: the KPIs each
    goal reads, the goals reading each KPI, and the days on which the goals in effect change."""

    def __init__(self, config: Configuration) -> None:
        self.goal_kpis: dict[str, tuple[str, ...]] = {}
        self.by_kpi: dict[str, list[str]] = {}
        # what judging each goal reads (`Engine._judging`), by the goal object's id, made when first judged
        self.judgings: dict[int, Judging] = {}
        self.goal_ids = frozenset(map(id, config.goals))
        for g in config.goals:
            self.goal_kpis[g.id] = g.kpis()
            for k in self.goal_kpis[g.id]:
                self.by_kpi.setdefault(k, []).append(g.id)
        self.bounds = sorted({g.valid_from for g in config.goals if g.valid_from is not None} |
                             {g.valid_to + dt.timedelta(days=1) for g in config.goals if g.valid_to is not None})


class _RulePlan:
    """What a rule set says that every engine using it reads: its version, its rules by the names
    durable-rules knows them by, their compiled definitions, the fields rules can test, and which
    subject kinds a trigger posts (`kinds_for`, filled as triggers come: the answers are lists no
    one changes, so engines in several threads may share them)."""

    def __init__(self, rules: RuleSet) -> None:
        self.version = rules.version()
        self.rules = {f"r{r.order:04d}": r for r in rules.rules}
        self.compiled = compile_ruleset(rules)
        self.pool_key = pool_key(self.compiled)
        self._all = rules.rules
        # durable-rules only sees what rules can test: long texts (titles, explanations) stay here.
        self.durable_keys = frozenset(
            {"id", "trigger", "wheel", "frequency", "observed_kpi", "deadline", "for_each", "day"}
            .union(*(r.fields_used() for r in rules.rules)))
        self.day_tested = _names_field(self.compiled, "day")
        self.goal_tested = [k for k in _GOAL_FIELDS if k in self.durable_keys]
        # A forecast costs about as much as a target evaluation: goal subjects carry one only when a
        # rule tests a forecast field or writes one into a message.
        goal_rules = [r for r in rules.rules if r.for_each == "goal"]
        self.forecasts = any(f.startswith("forecast") for r in goal_rules for f in r.fields_used()) or \
            any("{forecast" in str(call.params) for r in goal_rules for call in r.actions)
        self.listeners: dict[tuple[str, str, str], list[str]] = {}
        self._tested: dict[tuple[str, Any, Any, str], frozenset[str]] = {}

    def tested_for(self, message: Mapping[str, Any], kind: str) -> frozenset[str] | None:
        """The fields that decide which rules a message of subject kind `kind` matches, given its
        trigger's fields: the trigger's own, those tested by the rules that can fire on it, and the
        day when a rule tests it (None, all of them, for a trigger no rule names). A compiled rule
        (`compile_rule`) tests its trigger as `matches_trigger` does and its `for_each`, then only
        its `fields_used()` (and the day for effective dates): a rule of another trigger or kind
        never fires on the message, whatever its other fields say."""
        trigger = message.get("trigger")
        named = _TRIGGER_VALUE.get(trigger) if isinstance(trigger, str) else None
        if named is None or not isinstance(trigger, str):
            return None
        value: Any = message.get(named)
        frequency: Any = message.get("frequency")
        key = (trigger, value, frequency, kind)
        found = self._tested.get(key)
        if found is None:
            fields = set(_TRIGGER_FIELDS)
            for r in self._all:
                if r.for_each == kind and r.matches_trigger(trigger, value, frequency or ""):
                    fields.update(r.fields_used())
            if self.day_tested:
                fields.add("day")
            found = self._tested.setdefault(key, frozenset(fields))
        return found

    def kinds_for(self, key: tuple[str, str, str]) -> list[str]:
        """The subject kinds a trigger posts, in rule order."""
        kinds: list[str] = []
        for r in self._all:
            if r.matches_trigger(*key) and r.for_each not in kinds:
                kinds.append(r.for_each)
        return self.listeners.setdefault(key, kinds)


def _plan_for(rules: RuleSet, old: _RulePlan | None) -> _RulePlan:
    """The plan of `rules`: the plan in use when it is of equal rules. Each dated version of a load
    parses its rule files anew, so a version change whose rule files are the same would otherwise
    compile them, hash them for the pool and work out their fields once more, only to keep the old
    runtime (about 3 % of a configuration's first engine a Vejle year)."""
    if old is not None and old.version == rules.version() and old._all == rules.rules:
        return old
    return _RulePlan(rules)


_TYPES: dict[str, tuple[type, ...]] = {"number": (int, float), "bool": (bool,), "text": (str,), "date": (str,)}
_TYPE_WORDS = {"number": N_("a number"), "bool": N_("true or false"), "text": N_("text"), "date": N_("a date as text")}


def check_fields(kind: str, specs: Iterable[FieldSpec], subject: Subject) -> None:
    """A plugin's subject must give each declared field a value of its declared type (or none):
    durable-rules and the explanations of `govcore rules test` would otherwise disagree on a
    comparison such as "'1' >= 0" (tests/test_rule_agreement.py checks they agree on typed values)."""
    fields = subject.fields
    for spec in specs:
        value = fields.get(spec.name)
        if value is None or type(value) in _TYPES[spec.type]:  # most values: exactly a declared type
            continue
        ok = isinstance(value, _TYPES[spec.type]) and not (spec.type == "number" and isinstance(value, bool))
        if not ok:
            raise GovcoreError(_("the subject kind '{kind}' gave '{subject}' the field '{field}' as {value}; "
                                 "it is declared as {declared}").format(
                kind=kind, subject=subject.id, field=spec.name, value=f"{type(value).__name__} {value!r}",
                declared=_(_TYPE_WORDS[spec.type])))


def _held_by_several(goals: Iterable[Goal]) -> frozenset[int]:
    """The ids of the target objects more than one of `goals` holds."""
    seen: set[int] = set()
    several: set[int] = set()
    for g in goals:
        if g.target is not None:
            key = id(g.target)
            if key in seen:
                several.add(key)
            seen.add(key)
    return frozenset(several)


def _names_field(definition: Any, name: str) -> bool:
    """Whether a compiled durable-rules definition tests the field `name` anywhere."""
    # a walk with a stack, not a generator per level: every engine asks this at its start
    todo = [definition]
    pop, push = todo.pop, todo.extend
    while todo:
        d = pop()
        kind = type(d)
        if kind is dict:
            if name in d:
                return True
            push(d.values())
        elif kind is list or kind is tuple:
            push(d)
        elif isinstance(d, Mapping):
            if any(k == name for k in d):
                return True
            push(d.values())
        elif isinstance(d, list | tuple):
            push(d)
    return False


@functools.lru_cache(maxsize=4096)
def _day_after(period: str) -> dt.date:
    """The day an observation of `period` becomes known unless it says otherwise."""
    return Period.parse(period).end + dt.timedelta(days=1)


def _day_number(day: dt.date) -> int:
    """A date as the number YYYYMMDD, which durable-rules can compare."""
    return day.year * 10000 + day.month * 100 + day.day


@functools.lru_cache(maxsize=4096)
def _period_key(freq: Frequency, day: dt.date) -> tuple[int, int]:
    if freq is Frequency.every_14_days:
        return (day.year, day.toordinal() // 14)
    return (day.year, (day.month - 1) // freq.months)


def _covered(freq: Frequency, day: dt.date) -> str:
    """The last whole period of the follow-up's rhythm before `day`: what the meeting reviews
    (the January meeting of a monthly follow-up reviews December)."""
    if freq is Frequency.every_14_days:
        return f"{(day - dt.timedelta(days=14)).isoformat()}/{(day - dt.timedelta(days=1)).isoformat()}"
    n = freq.months
    first = (day.year * 12 + day.month - 1) // n * n - n
    y, m = divmod(first, 12)
    if n == 1:
        return f"{y}-{m + 1:02d}"
    if n == 2:
        return f"{y}-{m + 1:02d}–{y}-{m + 2:02d}"
    return str(y) if n == 12 else f"{y}-{'Q' if n == 3 else 'H'}{m // n + 1}"


def _jsonable(value: Any) -> Any:
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        return round(value, 6)
    if t is dict:  # the common case first; texts (most values) without a call
        return {k if type(k) is str else str(k): v if type(v) is str else _jsonable(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [v if type(v) is str else _jsonable(v) for v in value]
    return _jsonable_other(value)


def _jsonable_other(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is float:
        return round(value, 6)
    if isinstance(value, dict | Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Period):
        return value.text
    if isinstance(value, Status):
        return value.value
    return value
