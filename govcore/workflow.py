"""The deviation workflow: what the engine does once a rule fires, and what people answer.

Deviations flagged and closed, corrective actions demanded, submitted, accepted, rejected and
escalated up the organisation (jointly held ones to the nearest role above all holders), their
deadlines, deliverables required and delivered, decisions requested and taken, and the built-in
rule actions that start all of it.

It lives apart from `govcore.engine` so its tests (tests/test_workflow.py) can drive it through
small engines in milliseconds, and its mutation run can cover it whole (scripts/mutation.sh
workflow). It is a mixin, not an object of its own: the methods moved here unchanged and read the
engine's clock, configuration and records as before, so the events stay byte for byte the same.
The engine owns the state (its `__init__` makes every record) and the clock; `Workflow` declares
what it reads of them for the type checker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from govcore.config import Configuration, Response
from govcore.errors import DecisionError, EngineError, GovcoreError, did_you_mean
from govcore.event_labels import (
    ACTION_IS,
    NO_ACTION_MATCHES,
    NO_DECISION_ABOUT,
    ONLY_SUBMITTED_ACCEPTED,
    ONLY_SUBMITTED_REJECTED,
)
from govcore.extension import Subject
from govcore.i18n import _, use_language
from govcore.model import (
    ActionState,
    CorrectiveAction,
    Decision,
    Deviation,
    DeviationState,
    Escalation,
)
from govcore.rules.durations import Duration
from govcore.rules.loader import Rule
from govcore.rules.vocabulary import (
    CloseDeviation,
    DemandAction,
    Escalate,
    FlagDeviation,
    Notify,
    RequireDeliverable,
)
from govcore.text import render

if TYPE_CHECKING:
    from govcore.calendar import DanishCalendar
    from govcore.engine import EngineEvent, _Item

# an action in one of these states waits for its owner (a deadline or escalation may still come)
AWAITING = (ActionState.demanded, ActionState.escalated)


class _Context:
    """What a plugin action sees (govcore.ActionContext)."""

    def __init__(self, engine: Workflow, rule: Rule, subject: Subject, inputs: dict[str, Any]) -> None:
        self._engine, self._rule, self._subject, self._inputs = engine, rule, subject, inputs

    @property
    def at(self) -> dt.datetime:
        return self._engine.now

    @property
    def rule(self) -> str:
        return self._rule.id

    @property
    def subject(self) -> Subject:
        return self._subject

    def emit(self, event_type: str, owner: str | None = None, **details: Any) -> None:
        self._engine._emit(event_type, rule=self._rule, subject=self._subject, owner=owner,
                           details={**details, "inputs": self._inputs})

    def superior_of(self, role: str) -> str | None:
        org = self._engine.config.organisation
        return org.superior_of(role) if org.has(role) else None

    def role(self, word: str) -> str:
        return self._engine._role(word, self._subject)

    def render(self, template: str) -> str:
        return render(template, {"subject": self._subject.id, "owner": self._subject.owner,
                                 "title": self._subject.title, **self._subject.fields})

    def request_decision(self, role: str, question: str, options: Sequence[str], **details: Any) -> str:
        return self._engine._request_decision(self._rule, self._subject, role, question, tuple(options),
                                              {**details, "inputs": self._inputs})


class Workflow:
    """The workflow half of `govcore.engine.Engine` (its only subclass), which owns the state
    declared below and the clock."""

    now: dt.datetime
    config: Configuration
    calendar: DanishCalendar
    events: list[EngineEvent]
    deviations: dict[str, Deviation]
    actions: dict[str, CorrectiveAction]
    escalations: dict[str, Escalation]
    decisions: dict[str, Decision]
    delivered: dict[str, dt.datetime]
    required: dict[str, dt.date]
    _latest_decision: dict[tuple[str, str], str]
    _closed_by_decision: dict[tuple[str, str], str]
    _open_by_subject: dict[tuple[str, str], str]
    _counters: dict[str, int]
    _due_dates: dict[str, list[dt.date]]
    # The deviations, corrective actions and escalations created or changed since a store last
    # wrote them, as (kind, id): a store sets a set here and reads and clears it on each commit, so
    # it rewrites only those rows instead of comparing every record ever made (None: not kept).
    touched: set[tuple[str, str]] | None = None

    def _touch(self, kind: str, ident: str) -> None:
        if self.touched is not None:
            self.touched.add((kind, ident))

    if TYPE_CHECKING:  # the engine's side, which the workflow calls
        def _as_datetime(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime: ...
        def _schedule(self, at: dt.datetime, kind: str, payload: Any) -> None: ...
        def _now_response(self, data: dict[str, Any]) -> list[EngineEvent]: ...
        def _deliverable_subject(self, ident: str, due: dt.date) -> Subject: ...
        def _post(self, item: _Item, trigger: Mapping[str, Any], subject: Subject) -> None: ...
        def _emit(self, event_type: str, *, rule: Rule | None = None, subject: Subject | None = None,
                  owner: str | None = None, details: Mapping[str, Any] | None = None) -> None: ...

    # ----------------------------------------------------------------------------- responses

    def respond(self, response: Response) -> None:
        """Schedule a human response (submit / accept / reject / deliver) at its date and time."""
        hour, minute = (int(x) for x in response.time.split(":"))
        at = self._as_datetime(response.date, hour, minute)
        if at < self.now:
            raise EngineError(_("a response dated {at} is before the engine's clock "
                              "({now})").format(at=at.isoformat(), now=self.now.isoformat()))
        self._schedule(at, "response", response)

    def submit_action(self, action_id: str, text: str = "") -> list[EngineEvent]:
        """The owner submits a corrective action now."""
        return self._now_response({"submit": {"action": self._known_action(action_id), "text": text}})

    def accept_action(self, action_id: str, text: str = "") -> list[EngineEvent]:
        return self._now_response({"accept": {"action": self._known_action(action_id), "text": text}})

    def reject_action(self, action_id: str, text: str = "") -> list[EngineEvent]:
        return self._now_response({"reject": {"action": self._known_action(action_id), "text": text}})

    def deliver(self, deliverable_id: str) -> list[EngineEvent]:
        if deliverable_id not in self.config.deliverables:
            raise EngineError(_("unknown deliverable '{deliverable}' ({hint})").format(
                deliverable=deliverable_id, hint=did_you_mean(deliverable_id, self.config.deliverables)
                or _("none defined")))
        return self._now_response({"deliver": deliverable_id})

    def decide(self, decision_id: str, option: str, text: str = "", by: str = "") -> list[EngineEvent]:
        """Answer demanded decision `decision_id` now with one of its options (`by`: who decided)."""
        self.check_decision(decision_id, option)
        return self._now_response({"decide": {"decision": decision_id, "option": option, "text": text, "by": by}})

    def check_decision(self, decision_id: str, option: str) -> Decision:
        """The open decision `decision_id`, if `option` is one of its options; else EngineError saying
        what is wrong (unknown id, already decided, unknown option) with a suggestion."""
        dec = self.decisions.get(decision_id)
        if dec is None:
            hint = did_you_mean(decision_id, self.decisions, list_all=False) or (
                _("open decisions: ") + ", ".join(d.id for d in self.open_decisions()) if self.open_decisions()
                else _("no decision is open"))
            raise DecisionError(_("unknown decision '{decision}' ({hint})").format(decision=decision_id, hint=hint),
                                "decision")
        if dec.option is not None:
            assert dec.decided_at is not None
            raise DecisionError(_("decision '{decision}' was taken on {day}: {option}").format(
                decision=decision_id, day=dec.decided_at.date().isoformat(), option=dec.option), "decision")
        if option not in dec.options:
            raise DecisionError(_("'{option}' is not an option of decision '{decision}' ({hint})").format(
                option=option, decision=decision_id, hint=did_you_mean(option, dec.options)), "option")
        return dec

    def _known_action(self, action_id: str) -> str:
        """An API caller naming an action that does not exist made a mistake: say so, do nothing."""
        if action_id not in self.actions:
            hint = did_you_mean(action_id, self.actions) or _("see engine.open_actions()")
            raise EngineError(_("unknown corrective action '{action}' ({hint})").format(action=action_id, hint=hint))
        return action_id

    # ---------------------------------------------------------------------------- processing

    def _next_cycle(self, deliverable: str, due: dt.date) -> None:
        """Once this cycle's plan is in, a later due date (next year's plan) starts afresh; a plan
        still missing keeps its cycle until it arrives late."""
        later = [d for d in self._due_dates.get(deliverable, []) if d > due]
        if later and deliverable in self.delivered:
            self.required[deliverable] = later[0]
            self.delivered.pop(deliverable)

    def _on_deadline(self, item: _Item) -> None:
        kind, ident, due = item.payload
        day = self.now.date()
        if kind == "corrective_action":
            a = self.actions[ident]
            if a.state not in AWAITING or a.due != due:
                return
            sup = self._superior(a.owner, a.jointly_with)
            fields = {"action": a.id, "state": a.state.value, "superior": sup or "", "at_top": sup is None,
                      "escalation_level": a.escalation_level, "days_overdue": (day - a.due).days,
                      "subject_kind": a.subject_kind, "goal": a.goal or "", "deviation": a.deviation}
            subject = Subject(kind="action", id=a.id, owner=a.owner, fields=fields, title=a.title, goal=a.goal,
                              jointly_with=a.jointly_with)
            self._emit("action_overdue", subject=subject, owner=a.owner,
                       details={"action": a.id, "due": a.due.isoformat(), "escalation_level": a.escalation_level})
        else:
            if ident in self.delivered or self.required.get(ident) != due:
                return
            subject = self._deliverable_subject(ident, due)
            self._emit("deliverable_missed", subject=subject, owner=subject.owner,
                       details={"deliverable": ident, "due": due.isoformat()})
        self._post(item, {"trigger": "deadline", "deadline": kind, "wheel": "", "frequency": ""}, subject)

    def _on_response(self, item: _Item) -> None:
        r: Response = item.payload
        kind = r.kind()
        if kind == "decide":
            self._on_decide(r.decide or {})
            return
        if kind == "deliver":
            assert r.deliver is not None
            d = self.config.deliverables[r.deliver]
            if r.deliver in self.delivered:
                return
            self.delivered[r.deliver] = self.now
            due = self.required.get(r.deliver)
            late = (self.now.date() - due).days if due and self.now.date() > due else 0
            subj = Subject(kind="deliverable", id=d.id, owner=d.owner, fields={}, title=d.title)
            self._emit("deliverable_delivered", subject=subj, owner=d.owner,
                       details={"deliverable": d.id, "due": due.isoformat() if due else "", "days_late": late})
            self._close_subject(subj, None, "delivered", {"days_late": late})
            if due and late:
                self._next_cycle(r.deliver, due)
            return
        data: dict[str, str] = getattr(r, kind)
        action = self._find_action(data)
        if action is None:
            self._emit("response_ignored", details={"response": kind, **data,
                                                    "reason": NO_ACTION_MATCHES})
            return
        text = data.get("text", "")
        subj = Subject(kind=action.subject_kind, id=action.subject, owner=action.owner, fields={},
                       title=action.title, goal=action.goal)
        if kind == "submit":
            if action.state not in AWAITING and action.state is not ActionState.rejected:
                self._emit("response_ignored", subject=subj, details={
                    "response": kind, "action": action.id, "reason": ACTION_IS.format(state=action.state.value)})
                return
            action.state = ActionState.submitted
            action.submitted_at = self.now
            action.text = text
            self._touch("action", action.id)
            self._emit("action_submitted", subject=subj, owner=action.owner,
                       details={"action": action.id, "text": text, "due": action.due.isoformat(),
                                "on_time": self.now.date() <= action.due})
        elif kind == "accept":
            if action.state is not ActionState.submitted:
                self._emit("response_ignored", subject=subj, details={
                    "response": kind, "action": action.id, "reason": ONLY_SUBMITTED_ACCEPTED})
                return
            action.state = ActionState.accepted
            self._touch("action", action.id)
            self._emit("action_accepted", subject=subj, owner=action.owner,
                       details={"action": action.id, "text": text})
        else:
            if action.state is not ActionState.submitted:
                self._emit("response_ignored", subject=subj, details={
                    "response": kind, "action": action.id, "reason": ONLY_SUBMITTED_REJECTED})
                return
            action.state = ActionState.demanded
            action.due = Duration.parse("5 working days").after(self.now.date(), self.calendar)
            self._touch("action", action.id)
            self._schedule_deadline("corrective_action", action.id, action.due)
            self._emit("action_rejected", subject=subj, owner=action.owner,
                       details={"action": action.id, "text": text, "new_due": action.due.isoformat()})

    def _on_decide(self, data: Mapping[str, str]) -> None:
        """A decision taken: recorded with who and when, the subject's open deviation closed with
        the decision as its note; `close` ends the subject's follow-up, `adjust` and `continue`
        leave it followed up (rules read `decision` and `decision_age`)."""
        ident, option = data.get("decision", ""), data.get("option", "")
        if not ident and data.get("subject"):  # a scenario names the subject: its open decision
            ident = next((d.id for d in reversed(self.open_decisions()) if d.subject == data["subject"]), "")
            if not ident:
                self._emit("response_ignored", details={"response": "decide", "subject": data["subject"],
                                                        "option": option,
                                                        "reason": NO_DECISION_ABOUT.format(subject=data["subject"])})
                return
        try:
            with use_language("en"):  # the reason is recorded: the same bytes in every reader's language
                dec = self.check_decision(ident, option)
        except EngineError as err:
            self._emit("response_ignored", details={"response": "decide", "decision": ident, "option": option,
                                                    "reason": str(err)})
            return
        text, by = data.get("text", ""), data.get("by", "") or dec.role
        dec.option, dec.text, dec.by, dec.decided_at = option, text, by, self.now
        key = (dec.subject_kind, dec.subject)
        subj = Subject(kind=dec.subject_kind, id=dec.subject, owner=dec.role, fields={}, title=dec.title,
                       goal=dec.goal)
        ends = option == "close"
        self._emit("decision_made", subject=subj, owner=dec.role, details={
            "decision": dec.id, "option": option, "text": text, "by": by, "question": dec.question,
            "requested_at": dec.requested_at.isoformat(), "ends_followup": ends})
        self._close_subject(subj, None, f"besluttet: {option}" + (f" – {text}" if text else ""),
                            {"decision": dec.id, "option": option})
        if ends:
            self._closed_by_decision[key] = dec.id

    def _request_decision(self, rule: Rule, subject: Subject, role: str, question: str, options: tuple[str, ...],
                          details: dict[str, Any]) -> str:
        key = (subject.kind, subject.id)
        latest = self.decisions.get(self._latest_decision.get(key, ""))
        if latest is not None and latest.option is None:
            return latest.id
        dec = Decision(id=self._next_id("dec"), subject_kind=subject.kind, subject=subject.id, goal=subject.goal,
                       role=role, rule=rule.id, title=subject.title, question=question, options=options,
                       requested_at=self.now, deviation=self._open_by_subject.get(key))
        self.decisions[dec.id] = dec
        self._latest_decision[key] = dec.id
        self._emit("decision_requested", rule=rule, subject=subject, owner=role, details={
            "decision": dec.id, "question": question, "options": list(options), **details})
        return dec.id

    def _find_action(self, data: Mapping[str, str]) -> CorrectiveAction | None:
        if "action" in data:
            return self.actions.get(data["action"])
        subject = data.get("subject")
        for a in sorted(self.actions.values(), key=lambda a: a.id, reverse=True):
            if a.subject == subject and a.state is not ActionState.closed:
                return a
        return None

    def _latest_action_of(self, kind: str, ident: str) -> CorrectiveAction | None:
        if kind == "action":
            return self.actions.get(ident)
        dev = self._open_by_subject.get((kind, ident))
        if dev is None:
            return None
        ids = self.deviations[dev].actions
        return self.actions[ids[-1]] if ids else None

    # ------------------------------------------------------------------------------- actions

    def _apply(self, rule: Rule, name: str, params: Any, subject: Subject, msg: Mapping[str, Any],
               inputs: dict[str, Any]) -> None:
        if name == "flag_deviation":
            self._flag(rule, params, subject, msg, inputs)
        elif name == "demand_action":
            self._demand(rule, params, subject, msg, inputs)
        elif name == "escalate":
            self._escalate(rule, params, subject, inputs)
        elif name == "notify":
            p: Notify = params
            # Joint responsibility: each responsible role is told, the first named first.
            joint = p.to in ("owner", "responsible") and subject.jointly_with
            for to in (subject.owner, *subject.jointly_with) if joint else (self._role(p.to, subject),):
                self._emit("notification", rule=rule, subject=subject, owner=to,
                           details={"to": to, "message": render(p.message, msg), "inputs": inputs})
        elif name == "require_deliverable":
            self._require(rule, params, subject, inputs)
        elif name == "close_deviation":
            self._close(rule, params, subject, msg, inputs)
        else:
            spec = self.config.actions[name]
            try:
                spec.run(_Context(self, rule, subject, inputs), params)
            except GovcoreError:
                raise
            except Exception as err:
                raise GovcoreError(_("the action '{action}' (rule '{rule}') failed: {error}").format(
                    action=name, rule=rule.id, error=f"{type(err).__name__}: {err}")) from err

    def _next_id(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}-{n:04d}"

    def _flag(self, rule: Rule, p: FlagDeviation, subject: Subject, msg: Mapping[str, Any],
              inputs: dict[str, Any]) -> None:
        key = (subject.kind, subject.id)
        if key in self._open_by_subject:
            return
        dev = Deviation(id=self._next_id("dev"), subject_kind=subject.kind, subject=subject.id, goal=subject.goal,
                        owner=subject.owner, rule=rule.id, opened_at=self.now, reason=render(p.reason, msg),
                        inputs=inputs)
        self.deviations[dev.id] = dev
        self._touch("deviation", dev.id)
        self._open_by_subject[key] = dev.id
        details: dict[str, Any] = {"deviation": dev.id, "reason": dev.reason, "inputs": inputs}
        if subject.jointly_with:
            details["jointly_with"] = list(subject.jointly_with)
        self._emit("deviation_flagged", rule=rule, subject=subject, owner=subject.owner, details=details)

    def _demand(self, rule: Rule, p: DemandAction, subject: Subject, msg: Mapping[str, Any],
                inputs: dict[str, Any]) -> None:
        key = (subject.kind, subject.id)
        dev_id = self._open_by_subject.get(key)
        if dev_id is None:
            self._flag(rule, FlagDeviation(), subject, msg, inputs)
            dev_id = self._open_by_subject[key]
        dev = self.deviations[dev_id]
        if any(self.actions[a].state in (*AWAITING, ActionState.submitted) for a in dev.actions):
            return
        owner = self._role(p.from_role, subject)
        # One action, held jointly: any of the responsible roles may submit it.
        joint = subject.jointly_with if p.from_role in ("owner", "responsible") else ()
        due = Duration.parse(p.within).after(self.now.date(), self.calendar)
        action = CorrectiveAction(
            id=self._next_id("act"), deviation=dev.id, subject_kind=subject.kind, subject=subject.id,
            goal=subject.goal, owner=owner, jointly_with=joint, demanded_by_rule=rule.id, demanded_at=self.now,
            due=due, title=render(p.title, msg))
        self.actions[action.id] = action
        dev.actions.append(action.id)
        self._touch("action", action.id)
        self._touch("deviation", dev.id)
        self._schedule_deadline("corrective_action", action.id, due)
        details: dict[str, Any] = {"action": action.id, "deviation": dev.id, "title": action.title,
                                   "due": due.isoformat(), "within": p.within, "inputs": inputs}
        if joint:
            details["jointly_with"] = list(joint)
        self._emit("action_demanded", rule=rule, subject=subject, owner=owner, details=details)

    def _escalate(self, rule: Rule, p: Escalate, subject: Subject, inputs: dict[str, Any]) -> None:
        action = self.actions[subject.id]
        if action.state not in AWAITING:
            return
        joint = action.jointly_with
        if p.to == "superior":
            to = self._superior(action.owner, joint)
        elif p.to in ("owner", "responsible"):  # whoever holds the action now, not the deadline's subject
            to = action.owner
        else:
            to = self._role(p.to, subject)
        if to is None or to == action.owner or to in joint:
            who = " / ".join((action.owner, *joint))
            self._emit("escalation_exhausted", rule=rule, subject=subject, owner=action.owner, details={
                "action": action.id, "reason": f"'{who}' has no superior", "inputs": inputs})
            return
        due = Duration.parse(p.within).after(self.now.date(), self.calendar)
        esc = Escalation(id=self._next_id("esc"), action=action.id, from_role=action.owner, to_role=to,
                         at=self.now, due=due, level=action.escalation_level + 1, rule=rule.id)
        self.escalations[esc.id] = esc
        action.owner = to
        action.jointly_with = ()
        action.due = due
        action.escalation_level = esc.level
        action.state = ActionState.escalated
        self._touch("escalation", esc.id)
        self._touch("action", action.id)
        self._schedule_deadline("corrective_action", action.id, due)
        details: dict[str, Any] = {"action": action.id, "escalation": esc.id, "from": esc.from_role, "to": to,
                                   "due": due.isoformat(), "level": esc.level, "inputs": inputs}
        if joint:
            details["jointly_with"] = list(joint)
        self._emit("escalated", rule=rule, subject=subject, owner=to, details=details)

    def _require(self, rule: Rule, p: RequireDeliverable, subject: Subject, inputs: dict[str, Any]) -> None:
        ident = p.deliverable or subject.id
        if ident in self.delivered:
            return
        d = self.config.deliverables[ident]
        owner = d.owner if p.from_role == "owner" else self._role(p.from_role, subject)
        due = Duration.parse(p.within).after(self.now.date(), self.calendar)
        self.required[ident] = due
        self._schedule_deadline("deliverable", ident, due)
        subj = Subject(kind="deliverable", id=ident, owner=owner, fields={}, title=d.title)
        self._emit("deliverable_required", rule=rule, subject=subj, owner=owner,
                   details={"deliverable": ident, "due": due.isoformat(), "inputs": inputs})

    def _close(self, rule: Rule, p: CloseDeviation, subject: Subject, msg: Mapping[str, Any],
               inputs: dict[str, Any]) -> None:
        self._close_subject(subject, rule, render(p.note, msg), inputs)

    def _close_subject(self, subject: Subject, rule: Rule | None, note: str, inputs: dict[str, Any]) -> None:
        dev_id = self._open_by_subject.pop((subject.kind, subject.id), None)
        if dev_id is None:
            return
        dev = self.deviations[dev_id]
        dev.state = DeviationState.closed
        dev.closed_at = self.now
        self._touch("deviation", dev.id)
        for a in dev.actions:
            self.actions[a].state = ActionState.closed
            self._touch("action", a)
        self._emit("deviation_closed", rule=rule, subject=subject, owner=dev.owner, details={
            "deviation": dev.id, "note": note, "actions": list(dev.actions), "inputs": inputs})

    def _schedule_deadline(self, kind: str, ident: str, due: dt.date) -> None:
        self._schedule(self._as_datetime(due + dt.timedelta(days=1), 0), "deadline", (kind, ident, due))

    def _superior(self, role: str, jointly_with: tuple[str, ...] = ()) -> str | None:
        """The role above `role`; above several jointly responsible roles, the nearest role that
        is above every one of them and is not one of them (the direktør and the arbejdsmarkedschef
        together answer to the committee)."""
        org = self.config.organisation
        if not org.has(role):
            return None
        if not jointly_with:
            return org.superior_of(role)
        chains = [org.chain(r) for r in (role, *jointly_with) if org.has(r)]
        return next((r for r in chains[0][1:] if r not in jointly_with and all(r in c for c in chains)), None)

    def _role(self, word: str, subject: Subject) -> str:
        if word == "owner":
            return subject.owner
        if word == "superior":
            return self._superior(subject.owner, subject.jointly_with) or subject.owner
        if word == "responsible":
            return subject.owner
        return word

    # --------------------------------------------------------------------------------- reads

    def open_deviations(self) -> list[Deviation]:
        return [d for d in self.deviations.values() if d.state is DeviationState.open]

    def open_decisions(self) -> list[Decision]:
        return [d for d in self.decisions.values() if d.option is None]

    def open_actions(self) -> list[CorrectiveAction]:
        return [a for a in self.actions.values() if a.state is not ActionState.closed]
