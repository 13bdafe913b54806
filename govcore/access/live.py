"""A municipality's live run as people and other systems use it: the operations behind the HTTP
API (and the command line), each checked by `permissions.authorize` before anything is looked up.

Reads come from the stored rows (actions, deviations, escalations, deliverables, the event log),
which the store keeps current with every committed item; the goals' status is evaluated on the
stored observations as the run's engine holds them (`govcore.access.goals`): what `govcore report
--db` shows, without replaying the run. Writes (observations
and responses) go through `PersistentRun` like `govcore observe` and `govcore respond`: the run is
first advanced to now (data arriving is one of the moments a live run moves on), the input is
stored with who gave it, and what it causes is processed at once.

The municipality is always checked first: a request for another municipality's data is refused
the same way whether the object exists there or not, and an unknown id in one's own municipality
is `NotFound`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from govcore.access.goals import goal_status, moment_of
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal
from govcore.config import Configuration, Response
from govcore.describe import describe_event
from govcore.errors import GovcoreError, did_you_mean
from govcore.event_labels import state_word
from govcore.formatting import date_text
from govcore.i18n import N_, _, ngettext
from govcore.model import ActionState, Observation
from govcore.sourcefile import pydantic_message
from govcore.store.db import Database
from govcore.store.locks import RunBusy, run_lock
from govcore.store.run import PersistentRun, RunError, RunRace, local_target
from govcore.store.tables import (
    ActionRow,
    ConfigVersion,
    DeliverableRow,
    DeviationRow,
    EscalationRow,
    EventRow,
    ResponseRow,
    Run,
    table,
)

RUN = table(Run)
ACTION = table(ActionRow)
DEVIATION = table(DeviationRow)
ESCALATION = table(EscalationRow)
DELIVERABLE = table(DeliverableRow)
EVENT = table(EventRow)
RESP = table(ResponseRow)
CONFIG = table(ConfigVersion)

Loader = Callable[[str, str], Configuration]
"""A run's configuration: (municipality code, the run's start date as ISO text) -> Configuration."""

MAX_EVENTS_PAGE = 1000
WRITE_WAIT = 60.0  # seconds a write waits for the run while another thread or process advances it
MAX_OBSERVATIONS = 100_000
_OPEN = frozenset(s.value for s in ActionState if s is not ActionState.closed)
_SUBMITTABLE = frozenset({ActionState.demanded.value, ActionState.escalated.value, ActionState.rejected.value})
_RESPONSE_EVENTS = {"action_submitted": "submit", "action_accepted": "accept", "action_rejected": "reject",
                    "deliverable_delivered": "deliver"}


class NotFound(GovcoreError):
    """No such thing in the municipality's live run (HTTP 404)."""


class Conflict(GovcoreError):
    """The request is well-formed but not possible in the item's present state (HTTP 409)."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a request, at a field path such as ("observations", 3, "value")."""

    loc: tuple[str | int, ...]
    message: str


class InvalidInput(GovcoreError):
    """The request's data is invalid (HTTP 422): every problem, each with its field path."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(ngettext("{n} problem in the request; nothing was stored",
                                  "{n} problems in the request; nothing was stored", n).format(n=n))


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RunRef:
    """A municipality's live run as stored: its key and how far it got."""

    municipality: str
    start: str
    name: str
    fingerprint: str
    clock: str
    events: int
    inputs: int


@dataclass
class LiveRuns:
    """The live runs of one database. `load` gives a run's configuration; `clock` is now (the
    wall clock; tests pass their own)."""

    db: Database
    load: Loader
    clock: Callable[[], dt.datetime] = wall_clock
    _configs: dict[tuple[str, str], tuple[Any, Configuration]] = field(default_factory=dict, repr=False)
    _goals: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict, repr=False)
    on_written: Callable[[str, str], None] | None = None
    """Called with (municipality, start) after a write advanced the run to now (the scheduler's cue)."""

    # ------------------------------------------------------------------------------ lookups

    def run(self, municipality: str, start: str | None = None) -> RunRef:
        """The municipality's live run (the latest started, when there are several)."""

        def work(conn: sa.Connection) -> Any:
            q = sa.select(RUN).where(RUN.c.municipality == municipality, RUN.c.live.is_(True),
                                     RUN.c.complete.is_(False))
            if start is not None:
                q = q.where(RUN.c.start == start)
            return conn.execute(q.order_by(RUN.c.start.desc()).limit(1)).first()

        r = self.db.read(work)
        if r is None:
            raise NotFound(_("municipality {code} has no live run").format(code=municipality))
        return RunRef(str(r.municipality), str(r.start), str(r.name), str(r.fingerprint), str(r.clock),
                      int(r.events), int(r.inputs))

    def config(self, run: RunRef) -> Configuration:
        """The run's configuration, loaded again only when a stored configuration version changed."""

        def work(conn: sa.Connection) -> tuple[str, ...]:
            return tuple(str(f) for f in conn.execute(sa.select(CONFIG.c.fingerprint).where(
                CONFIG.c.municipality == run.municipality).order_by(CONFIG.c.fingerprint)).scalars())

        token = (run.fingerprint, self.db.read(work))
        key = (run.municipality, run.start)
        cached = self._configs.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
        cfg = self.load(run.municipality, run.start)
        self._configs[key] = (token, cfg)
        return cfg

    def _rows(self, t: sa.Table, run: RunRef, *where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
        def work(conn: sa.Connection) -> list[dict[str, Any]]:
            q = sa.select(t).where(t.c.municipality == run.municipality, t.c.start == run.start, *where)
            return [dict(r._mapping) for r in conn.execute(q.order_by(t.c.id))]

        return self.db.read(work)

    def _one(self, t: sa.Table, run: RunRef, ident: str, what: str) -> dict[str, Any]:
        rows = self._rows(t, run, t.c.id == ident)
        if not rows:
            raise NotFound(_("no {what} '{id}' in the live run of {name} ({code})").format(
                what=_(what), id=ident, name=run.name, code=run.municipality))
        return rows[0]

    @staticmethod
    def _gate(principal: Principal, operation: Operation, municipality: str) -> None:
        """What can be decided before looking anything up: the municipality, and a key's scopes;
        a person's roles are checked against the item once it is found."""
        if principal.municipality != municipality or principal.kind != "user" or operation in (
                Operation.VIEW, Operation.READ_EVENTS, Operation.WRITE_OBSERVATIONS, Operation.ADMINISTER):
            authorize(principal, operation, municipality)

    # -------------------------------------------------------------------------------- reads

    def goals(self, principal: Principal, municipality: str) -> dict[str, Any]:
        """Every goal with its status as of now (or the run's clock, if that is earlier) and why:
        the figures, the explanation and the forecast the report shows.

        Computed from the stored observations (`govcore.access.goals`), not by replaying the run,
        and kept per run until the run's stored state or the day changes: its event count, inputs
        and clock move with every committed item, whichever process committed it."""
        authorize(principal, Operation.VIEW, municipality)
        run = self.run(municipality)
        cfg = self.config(run)
        moment = moment_of(cfg, run.start, run.clock, self.clock())
        key = (run.municipality, run.start)
        token = (run.events, run.inputs, run.clock, run.fingerprint, moment, id(cfg))
        cached = self._goals.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
        answer = goal_status(self.db, cfg, run.municipality, run.start, moment)
        self._goals[key] = (token, answer)
        return answer

    def actions(self, principal: Principal, municipality: str, state: str | None = None) -> list[dict[str, Any]]:
        """Corrective actions, all or by state: `open` (not closed) or one of the action states."""
        authorize(principal, Operation.VIEW, municipality)
        states = _states(state, {s.value for s in ActionState}, "state")
        run = self.run(municipality)
        rows = self._rows(ACTION, run, *([ACTION.c.state.in_(states)] if states is not None else []))
        joint = self._joint_owners(run)
        return [_action(r, joint) for r in rows]

    def action(self, principal: Principal, municipality: str, action_id: str) -> dict[str, Any]:
        authorize(principal, Operation.VIEW, municipality)
        run = self.run(municipality)
        return _action(self._one(ACTION, run, action_id, N_("corrective action")), self._joint_owners(run))

    def deviations(self, principal: Principal, municipality: str, state: str | None = None) -> list[dict[str, Any]]:
        """Deviations (afvigelser), all or `open` / `closed`."""
        authorize(principal, Operation.VIEW, municipality)
        states = _states(state, {"open", "closed"}, "state")
        run = self.run(municipality)
        rows = self._rows(DEVIATION, run, *([DEVIATION.c.state.in_(states)] if states is not None else []))
        return [_deviation(r) for r in rows]

    def escalations(self, principal: Principal, municipality: str) -> list[dict[str, Any]]:
        authorize(principal, Operation.VIEW, municipality)
        run = self.run(municipality)
        return [{"id": r["id"], "action": r["action"], "from_role": r["from_role"], "to_role": r["to_role"],
                 "at": r["at"], "due": r["due"], "level": r["level"], "rule": r["rule"]}
                for r in self._rows(ESCALATION, run)]

    def deliverables(self, principal: Principal, municipality: str) -> list[dict[str, Any]]:
        """Every deliverable of the configuration with its due date and delivery, as the run sees them."""
        authorize(principal, Operation.VIEW, municipality)
        run = self.run(municipality)
        cfg = self.config(run)
        stored = {r["id"]: r for r in self._rows(DELIVERABLE, run)}
        out = []
        for ident in sorted(set(cfg.deliverables) | set(stored)):
            d, r = cfg.deliverables.get(ident), stored.get(ident, {})
            out.append({"id": ident, "title": d.title if d else ident, "owner": d.owner if d else None,
                        "owners": [d.owner, *d.jointly_with] if d else [], "due": r.get("due"),
                        "delivered_at": r.get("delivered_at")})
        return out

    def events(self, principal: Principal, municipality: str, after: int = 0, limit: int = 100) -> dict[str, Any]:
        """The decision log from event `after` + 1 on, at most `limit` events; `next_after` is
        what to ask for next. A response's events name who gave it (`actor`)."""
        authorize(principal, Operation.READ_EVENTS, municipality)
        problems = []
        if after < 0:
            problems.append(FieldProblem(("query", "after"), _("must be 0 or more")))
        if not 1 <= limit <= MAX_EVENTS_PAGE:
            problems.append(FieldProblem(("query", "limit"), _("must be between 1 and {n}").format(n=MAX_EVENTS_PAGE)))
        if problems:
            raise InvalidInput(problems)
        run = self.run(municipality)

        def work(conn: sa.Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            where = (EVENT.c.municipality == run.municipality, EVENT.c.start == run.start)
            rows = [dict(r._mapping) for r in conn.execute(sa.select(EVENT).where(
                *where, EVENT.c.seq > after).order_by(EVENT.c.seq).limit(limit))]
            answers = [dict(r._mapping) for r in conn.execute(sa.select(
                RESP.c.n, RESP.c.kind, RESP.c.data, RESP.c.date, RESP.c.time, RESP.c.actor).where(
                RESP.c.municipality == run.municipality, RESP.c.start == run.start,
                RESP.c.actor.is_not(None)).order_by(RESP.c.n))] if rows else []
            return rows, answers

        rows, answers = self.db.read(work)
        actors = actors_of_answers(answers)
        out = []
        for r in rows:
            details = json.loads(r["details"])
            key = response_key(r["type"], details, r["at"])
            out.append({"seq": r["seq"], "id": f"e{r['seq']:06d}", "at": r["at"], "type": r["type"],
                        "rule": r["rule"], "goal": r["goal"], "owner": r["owner"], "subject": r["subject"],
                        "subject_kind": r["subject_kind"], "text": describe_event(r["type"], details, r["owner"],
                                                                                   r["subject"]),
                        "actor": actors.get(key) if key is not None else None,
                        "details": details, "hash": r["hash"]})
        return {"municipality": municipality, "run": run.start, "events": out,
                "next_after": out[-1]["seq"] if out else after, "last": run.events}

    def wheel(self, principal: Principal, municipality: str, year: int | None = None) -> dict[str, Any]:
        """The årshjul of a year (default: the year of the run's clock), as `govcore wheel --format json`."""
        authorize(principal, Operation.VIEW, municipality)
        run = self.run(municipality)
        cfg = self.config(run)
        y = year or dt.datetime.fromisoformat(run.clock).year
        if not 2000 <= y <= 2100:
            raise InvalidInput([FieldProblem(("query", "year"), _("must be a year between 2000 and 2100"))])
        shown = cfg.for_year(y)
        events = sorted(shown.wheel_events(y), key=lambda e: (e.date, e.definition, e.id))
        return {"municipality": municipality, "year": y, "events": [e.model_dump(mode="json") for e in events]}

    # ------------------------------------------------------------------------------- writes

    def add_observations(self, principal: Principal, municipality: str,
                         rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Store a batch of observations, all or nothing: every invalid row is reported with its
        index and field, and then nothing is stored."""
        authorize(principal, Operation.WRITE_OBSERVATIONS, municipality)
        run = self.run(municipality)
        cfg = self.config(run)
        if not rows:
            raise InvalidInput([FieldProblem(("observations",), _("give at least one observation"))])
        if len(rows) > MAX_OBSERVATIONS:
            raise InvalidInput([FieldProblem(("observations",), _("at most {n} in one batch").format(
                n=MAX_OBSERVATIONS))])
        observations, problems = _observations(rows, cfg, principal)
        if problems:
            raise InvalidInput(problems)

        def work(live: PersistentRun) -> list[dict[str, Any]]:
            return live.add_observations(observations)

        added, events = self._write(run, cfg, work)
        return {"added": len(added), "rows": [{"n": r["n"], "kpi": r["kpi"], "period": r["period"],
                                                "value": r["value"], "series": r["series"],
                                                "known_at": r["known_at"], "supersedes": r["supersedes"]}
                                               for r in added], "events": events}

    def submit(self, principal: Principal, municipality: str, action_id: str, text: str) -> dict[str, Any]:
        """The owner (or a jointly responsible role) submits a corrective action."""
        return self._answer(principal, municipality, action_id, "submit", text)

    def accept(self, principal: Principal, municipality: str, action_id: str, text: str = "") -> dict[str, Any]:
        """A role above the owner in the line of escalation accepts a submitted action."""
        return self._answer(principal, municipality, action_id, "accept", text)

    def reject(self, principal: Principal, municipality: str, action_id: str, text: str) -> dict[str, Any]:
        """A role above the owner rejects a submitted action, saying why; the owner must submit again."""
        return self._answer(principal, municipality, action_id, "reject", text)

    def _answer(self, principal: Principal, municipality: str, action_id: str, kind: str,
                text: str) -> dict[str, Any]:
        operation = Operation.SUBMIT if kind == "submit" else Operation.DECIDE
        self._gate(principal, operation, municipality)
        run = self.run(municipality)
        row = self._one(ACTION, run, action_id, N_("corrective action"))
        cfg = self.config(run)
        owners = _owners(row, self._joint_owners(run))
        authorize(principal, operation, municipality, organisation=cfg.organisation, owner_roles=owners)
        if kind in ("submit", "reject") and not text.strip():
            raise InvalidInput([FieldProblem(("body", "text"), _("say what was done") if kind == "submit"
                                             else _("say why the action is rejected"))])
        if kind == "submit" and row["state"] not in _SUBMITTABLE:
            raise Conflict(_("corrective action {action} is {state}: it cannot be submitted now").format(
                action=action_id, state=state_word(row["state"])))
        if kind != "submit" and row["state"] != ActionState.submitted.value:
            raise Conflict((_("corrective action {action} is {state}: only a submitted action can be accepted")
                            if kind == "accept" else
                            _("corrective action {action} is {state}: only a submitted action can be rejected")
                            ).format(action=action_id, state=state_word(row["state"])))
        _done, events = self._respond(run, cfg, principal, {kind: {"action": action_id, "text": text}})
        after = self._one(ACTION, self.run(municipality), action_id, N_("corrective action"))
        return {"action": _action(after, self._joint_owners(run)), "events": events}

    def deliver(self, principal: Principal, municipality: str, deliverable_id: str) -> dict[str, Any]:
        """A role the deliverable is demanded of reports it delivered."""
        self._gate(principal, Operation.DELIVER, municipality)
        run = self.run(municipality)
        cfg = self.config(run)
        d = cfg.deliverables.get(deliverable_id)
        if d is None:
            raise NotFound(_("no deliverable '{id}' in the live run of {name} ({code})").format(
                id=deliverable_id, name=run.name, code=run.municipality))
        authorize(principal, Operation.DELIVER, municipality, owner_roles=(d.owner, *d.jointly_with))
        stored = self._rows(DELIVERABLE, run, DELIVERABLE.c.id == deliverable_id)
        if stored and stored[0]["delivered_at"] is not None:
            raise Conflict(_("deliverable {id} was delivered already ({at})").format(
                id=deliverable_id, at=date_text(stored[0]["delivered_at"])))
        _done, events = self._respond(run, cfg, principal, {"deliver": deliverable_id})
        return {"deliverable": next(x for x in self.deliverables(principal, municipality)
                                    if x["id"] == deliverable_id), "events": events}

    def _respond(self, run: RunRef, cfg: Configuration, principal: Principal,
                 data: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        def work(live: PersistentRun) -> int:
            local = live.engine.now
            response = Response(date=local.date(), time=local.strftime("%H:%M"), **data)
            return live.add_responses([response], actor=principal.actor)

        return self._write(run, cfg, work)

    def _write(self, run: RunRef, cfg: Configuration,
               work: Callable[[PersistentRun], Any]) -> tuple[Any, list[dict[str, Any]]]:
        """Open the run, advance it to now (to the minute), do `work`, process what is due, and
        commit — or take everything back if anything fails. Holds the run's lock
        (`govcore.store.locks`) throughout, as `govcore tick` and the scheduler do: a request
        waits while another thread or process advances the run, up to `WRITE_WAIT` seconds, and
        is then refused with `Conflict`."""
        try:
            with run_lock(self.db, run.municipality, run.start, timeout=WRITE_WAIT), \
                    PersistentRun.open(self.db, cfg, start=dt.date.fromisoformat(run.start), create=False,
                                       live=True) as live, live.atomic():
                now = local_target(live.engine, self.clock()).replace(second=0, microsecond=0)
                new = live.advance(now) if now >= live.engine.now else []
                done = work(live)
                new += live.advance(live.engine.now)
        except RunBusy as err:
            raise Conflict(str(err)) from None
        except RunError as err:
            if isinstance(err, RunRace) or isinstance(err.__cause__, RunRace):
                raise Conflict(str(err)) from None
            raise
        if self.on_written is not None:
            self.on_written(run.municipality, run.start)
        return done, [{"seq": e.seq, "id": e.id, "at": e.at.isoformat(), "type": e.type, "owner": e.owner,
                       "subject": e.subject, "text": describe_event(e.type, e.details, e.owner, e.subject)}
                      for e in new]

    def _joint_owners(self, run: RunRef) -> dict[str, list[str]]:
        """The roles an action is held by jointly with its owner, from the event that demanded it
        (an escalated action is held by the superior alone)."""

        def work(conn: sa.Connection) -> list[str]:
            return [str(d) for d in conn.execute(sa.select(EVENT.c.details).where(
                EVENT.c.municipality == run.municipality, EVENT.c.start == run.start,
                EVENT.c.type == "action_demanded", EVENT.c.details.contains('"jointly_with"'))).scalars()]

        out = {}
        for text in self.db.read(work):
            d = json.loads(text)
            out[str(d["action"])] = [str(r) for r in d.get("jointly_with", [])]
        return out


# ---------------------------------------------------------------------------------- helpers


def _states(state: str | None, known: set[str], name: str) -> list[str] | None:
    if state is None or state == "all":
        return None
    if state == "open" and "demanded" in known:
        return sorted(_OPEN)
    if state in known:
        return [state]
    choices = sorted(known | {"open", "all"})
    raise InvalidInput([FieldProblem(("query", name), _("unknown state '{state}' ({hint}); one of {choices}").format(
        state=state, hint=did_you_mean(state, choices), choices=", ".join(choices)))])


def _owners(row: Mapping[str, Any], joint: Mapping[str, list[str]]) -> tuple[str, ...]:
    extra = joint.get(str(row["id"]), []) if int(row["escalation_level"]) == 0 else []
    return (str(row["owner"]), *extra)


def _action(r: Mapping[str, Any], joint: Mapping[str, list[str]]) -> dict[str, Any]:
    return {"id": r["id"], "subject": r["subject"], "subject_kind": r["subject_kind"], "goal": r["goal"],
            "title": r["title"], "owner": r["owner"], "owners": list(_owners(r, joint)), "due": r["due"],
            "state": r["state"], "escalation_level": r["escalation_level"], "deviation": r["deviation"],
            "demanded_at": r["demanded_at"], "demanded_by_rule": r["demanded_by_rule"],
            "submitted_at": r["submitted_at"], "text": r["text"]}


def _deviation(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "subject": r["subject"], "subject_kind": r["subject_kind"], "goal": r["goal"],
            "owner": r["owner"], "rule": r["rule"], "opened_at": r["opened_at"], "reason": r["reason"],
            "state": r["state"], "closed_at": r["closed_at"], "actions": json.loads(r["actions"]),
            "inputs": json.loads(r["inputs"])}


def response_key(kind: str, details: Mapping[str, Any], at: str) -> tuple[str, str, str] | None:
    """The (answer kind, target, local minute) an event of the decision log was caused by, or None
    when it is not an answer: how the events are matched with who gave the answer (`actors_of_answers`)."""
    answer = str(details.get("response")) if kind == "response_ignored" else _RESPONSE_EVENTS.get(kind)
    if answer is None:
        return None
    target = details.get("deliverable") if answer == "deliver" else details.get("action")
    return answer, str(target), at[:16]


def actors_of_answers(answers: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], str]:
    """Who gave each stored response, by (kind, target, local minute): the key of the events it caused."""
    out: dict[tuple[str, str, str], str] = {}
    for a in answers:
        data = json.loads(a["data"])
        value = data.get(a["kind"])
        target = value if isinstance(value, str) else (value or {}).get("action")
        out[(str(a["kind"]), str(target), f"{a['date']}T{a['time']}")] = str(a["actor"])
    return out


_FIELDS = {"kpi", "period", "value", "series", "municipality", "source", "known_at"}


def _observations(rows: Sequence[Mapping[str, Any]], cfg: Configuration,
                  principal: Principal) -> tuple[list[Observation], list[FieldProblem]]:
    """Each row checked by the observation model the configuration files use, and its KPI by the
    configuration; every problem with its row index and field."""
    out: list[Observation] = []
    problems: list[FieldProblem] = []
    for i, row in enumerate(rows):
        if len(problems) >= 200:
            break
        if not isinstance(row, Mapping):
            problems.append(FieldProblem(("observations", i), _("must be an object with kpi, period and value")))
            continue
        extra = sorted(set(row) - _FIELDS)
        for k in extra:
            problems.append(FieldProblem(("observations", i, str(k)),
                                         _("unknown field ({hint})").format(
                                             hint=did_you_mean(str(k), sorted(_FIELDS)))))
        data = {k: v for k, v in row.items() if k in _FIELDS}
        data.setdefault("source", f"api:{principal.actor}")
        value = row.get("value")
        bad_value = isinstance(value, bool) or (value is not None and not isinstance(value, (int, float))) or (
            isinstance(value, float) and not math.isfinite(value))
        if bad_value:  # a number in quotes is a wrong type here, not a number (pydantic would take "5")
            problems.append(FieldProblem(("observations", i, "value"), _("must be a finite number")))
            data["value"] = 0.0
        before = len(problems)
        try:
            o = Observation.model_validate(data)
        except ValidationError as err:
            for e in err.errors(include_url=False):
                loc = tuple(str(x) for x in e["loc"]) or ("value",)
                message, hint = pydantic_message(e, loc)
                problems.append(FieldProblem(("observations", i, *loc), f"{message} ({hint})" if hint else message))
            kpi = data.get("kpi")
            if isinstance(kpi, str) and kpi and kpi not in cfg.kpis and not any(p.loc[2:3] == ("kpi",)
                                                                              for p in problems[before:]):
                problems.append(FieldProblem(("observations", i, "kpi"),
                                             _("unknown KPI '{kpi}' ({hint})").format(
                                                 kpi=kpi, hint=did_you_mean(kpi, cfg.kpis))))
            continue
        if o.kpi not in cfg.kpis:
            problems.append(FieldProblem(("observations", i, "kpi"),
                                         _("unknown KPI '{kpi}' ({hint})").format(
                                             kpi=o.kpi, hint=did_you_mean(o.kpi, cfg.kpis))))
            continue
        if bad_value:
            continue
        if not extra:
            out.append(o)
    return out, problems
