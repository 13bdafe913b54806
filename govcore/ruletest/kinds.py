"""What a scenario can expect: kinds of events, the fields an expectation may name, and how an
engine event looks when compared with an expectation.

Expectations are written in the administrator's words (`escalation: {to: direktoer}`), not in
the engine's (`escalated` with `details.to`), so this module is the one place that maps between
the two. An event's *subject* is always the goal, budget area or deliverable it is about — also
for escalations, whose engine subject is the corrective action — because that is what a person
checking a scenario thinks of.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from govcore.describe import describe_event
from govcore.i18n import N_, _, language

COMMON_FIELDS: tuple[str, ...] = ("subject", "subject_kind", "goal", "owner", "rule")


@dataclass(frozen=True)
class Kind:
    """One kind of event a scenario can expect."""

    name: str
    event_type: str
    fields: tuple[str, ...]
    decision: bool
    label: str
    # The fields shown when an event of this kind is suggested as an expectation.
    key_fields: tuple[str, ...]


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("deviation", "deviation_flagged", ("reason", "deviation"), True, N_("deviation"),
         ("subject", "rule")),
    Kind("action", "action_demanded", ("due", "title", "within", "action", "deviation"), True,
         N_("demanded corrective action"), ("subject", "owner", "due")),
    Kind("escalation", "escalated", ("from", "to", "level", "due", "action"), True, N_("escalation"),
         ("subject", "to", "level", "due")),
    Kind("escalation_exhausted", "escalation_exhausted", ("action", "reason"), True,
         N_("escalation with no one left to escalate to"), ("subject", "owner")),
    Kind("notification", "notification", ("to", "message"), True, N_("notification"), ("subject", "to")),
    Kind("closed", "deviation_closed", ("note", "deviation"), True, N_("closed deviation"), ("subject",)),
    Kind("deliverable_required", "deliverable_required", ("deliverable", "due"), True,
         N_("required deliverable"), ("deliverable", "owner", "due")),
    Kind("decision", "decision_requested", ("from", "question", "area", "respondent"), True,
         N_("decision requested"), ("subject", "from")),
    # Not decisions: things that happen to the workflow. They can be expected, but an unexpected
    # one never fails a scenario.
    Kind("deliverable_missed", "deliverable_missed", ("deliverable", "due"), False, N_("missed deliverable"),
         ("deliverable",)),
    Kind("deliverable_delivered", "deliverable_delivered", ("deliverable", "due", "days_late"), False,
         N_("delivery"), ("deliverable",)),
    Kind("action_overdue", "action_overdue", ("action", "due", "level"), False, N_("overdue corrective action"),
         ("subject", "owner")),
    Kind("action_submitted", "action_submitted", ("action", "text", "due", "on_time"), False,
         N_("submitted corrective action"), ("subject",)),
    Kind("action_accepted", "action_accepted", ("action", "text"), False, N_("accepted corrective action"),
         ("subject",)),
    Kind("action_rejected", "action_rejected", ("action", "text", "new_due"), False,
         N_("rejected corrective action"), ("subject",)),
    Kind("decided", "decision_made", ("decision", "option", "text", "by", "ends_followup"), False,
         N_("decision taken"), ("subject", "option")),
    Kind("response_ignored", "response_ignored", ("response", "action", "reason"), False,
         N_("ignored response"), ("reason",)),
    Kind("followup", "followup", ("wheel", "title", "frequency"), False, N_("follow-up"), ("wheel",)),
    Kind("milestone", "milestone", ("wheel", "title"), False, N_("milestone"), ("wheel",)),
)}

# The engine's names are accepted too, so an author who copies an event type from events.jsonl
# is not told off for it.
ALIASES: dict[str, str] = {k.event_type: k.name for k in KINDS.values() if k.event_type != k.name}

# "Decisions" are the events a rule decides: a scenario fails on one it did not expect.
DECISION_TYPES: frozenset[str] = frozenset(k.event_type for k in KINDS.values() if k.decision)

DATE_KEYS = ("on", "by", "from")
_HIDDEN_DETAILS = frozenset({"inputs", "rule_title", "rule_file", "rule_hash"})


class EventLike(Protocol):
    @property
    def at(self) -> dt.datetime: ...
    @property
    def type(self) -> str: ...
    @property
    def rule(self) -> str | None: ...
    @property
    def goal(self) -> str | None: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def subject_kind(self) -> str | None: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


def article(label: str) -> str:
    """A kind's label as a message names it: 'a deviation', 'an escalation' in English; in Danish the
    messages are worded for the bare noun ('afvigelse')."""
    text = _(label)
    if language() != "en":
        return text
    return f"{'an' if text[:1] in 'aeio' else 'a'} {text}"


def kind_of(event_type: str) -> Kind:
    """The kind for an engine event type; event types of plugin actions get a kind of their own."""
    name = ALIASES.get(event_type, event_type)
    if name in KINDS:
        return KINDS[name]
    return Kind(event_type, event_type, (), True, event_type.replace("_", " "), ("subject",))


def is_decision(event: EventLike) -> bool:
    """Decisions fail a scenario when unexpected: the listed types, and anything a rule's action
    recorded (plugin actions such as request_decision)."""
    return event.type in DECISION_TYPES or (event.rule is not None and event.type not in _NOT_DECISIONS)


_NOT_DECISIONS = frozenset(k.event_type for k in KINDS.values() if not k.decision) | {"observation"}


def view(event: EventLike, action_subjects: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The event as an expectation sees it: flat, with the business subject and friendly names.

    `action_subjects` maps a corrective action's id to (subject kind, subject) so an escalation
    is 'about' the goal or budget area, not about act-0003.
    """
    out: dict[str, Any] = {k: v for k, v in event.details.items() if k not in _HIDDEN_DETAILS}
    subject, subject_kind = event.subject, event.subject_kind
    if subject_kind == "action" and subject is not None and subject in action_subjects:
        out.setdefault("action", subject)
        subject_kind, subject = action_subjects[subject]
    local = event.at
    out.update({
        "type": event.type, "date": local.date().isoformat(), "time": local.strftime("%H:%M"),
        "rule": event.rule, "subject": subject, "subject_kind": subject_kind, "goal": event.goal,
        "owner": event.owner,
    })
    if event.type == "decision_requested":
        out["from"] = event.owner
    if event.type == "action_overdue":
        out["level"] = event.details.get("escalation_level")
    if event.type in ("deliverable_required", "deliverable_missed", "deliverable_delivered"):
        out.setdefault("deliverable", subject)
    return out


def same(expected: Any, actual: Any) -> bool:
    """Does an actual value satisfy what a scenario wrote? Text may use * as a wildcard."""
    if expected is None:
        return actual is None or actual == ""
    if isinstance(expected, bool):
        return actual is expected or (isinstance(actual, str) and actual.lower() == str(expected).lower())
    if isinstance(expected, int | float):
        if isinstance(actual, bool) or actual is None:
            return False
        try:
            return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, dt.date):
        return str(actual)[:10] == expected.isoformat() if actual is not None else False
    text = str(expected)
    got = "" if actual is None else fmt(actual)
    if "*" in text or "?" in text:
        return fnmatch.fnmatchcase(got, text)
    return got == text


def fmt(value: Any) -> str:
    """A value as a person reads it in a report (and writes it in a scenario)."""
    if value is None:
        return _("(none)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def yaml_scalar(value: Any) -> str:
    """A value as it would be written in a scenario file (quoted when YAML would misread it)."""
    text = fmt(value)
    if isinstance(value, bool | int | float) or value is None:
        return text
    if _looks_like_date(text):
        return text
    if not text or any(c in text for c in ":{}[],#&*!|>'\"%@`") or text.strip() != text or \
            text.lower() in ("true", "false", "yes", "no", "null", "on", "off") or _is_number(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _looks_like_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def describe(v: Mapping[str, Any]) -> str:
    """One line saying what an event was, in words (for timelines and lists)."""
    return describe_event(str(v["type"]), v, v.get("owner"), v.get("subject") or None)


def suggestion(v: Mapping[str, Any]) -> str:
    """The event written as an expectation, ready to paste into a scenario's `expect:` list."""
    kind = kind_of(str(v["type"]))
    parts = [f"{k}: {yaml_scalar(v.get(k))}" for k in kind.key_fields if v.get(k) not in (None, "")]
    return f"- on: {v['date']}\n  {kind.name}: {{{', '.join(parts)}}}"
