"""The decision log (the run's event log) in the reader's language (Danish by default): what
happened, and why — the rule that decided it and the reason it gave, or what else caused it (a
figure arriving, the årshjul, a deadline, a person's answer); and who gave each answer (`user:…` or
`key:…`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcore.event_labels import ignored_reason
from govcore.i18n import N_, _, ngettext
from govcore.text import danish_number, date_text
from govcore.web.views.run import RunView

PAGE_SIZE = 50
SCAN_PAGE = 1000  # events read at a time while looking for one kind

# Message ids: translate where they are read.
KINDS = {
    "observation": N_("Figure received"), "followup": N_("Follow-up"), "milestone": N_("Milestone"),
    "deviation_flagged": N_("Deviation opened"), "deviation_closed": N_("Deviation closed"),
    "action_demanded": N_("Corrective action demanded"), "action_submitted": N_("Action submitted"),
    "action_accepted": N_("Action accepted"), "action_rejected": N_("Action rejected"),
    "action_overdue": N_("Deadline passed"), "escalated": N_("Escalated"),
    "escalation_exhausted": N_("Escalation exhausted"),
    "notification": N_("Notification"), "deliverable_required": N_("Deliverable demanded"),
    "deliverable_delivered": N_("Deliverable delivered"), "deliverable_missed": N_("Deliverable not delivered"),
    "decision_requested": N_("Decision requested"), "decision_made": N_("Decision made"),
    "response_ignored": N_("Answer without effect"), "configuration_changed": N_("Configuration changed"),
    "year_started": N_("New year"),
}
# Kinds whose cause is not a rule, and what caused them.
CAUSES = {
    "observation": N_("A figure has come from the source."),
    "followup": N_("The annual cycle: a recurring follow-up has been reached."),
    "milestone": N_("The annual cycle: a milestone has been reached."),
    "action_overdue": N_("The deadline of the demanded action has passed."),
    "deliverable_missed": N_("The deadline of the deliverable has passed."),
    "action_submitted": N_("The responsible has submitted the action."),
    "action_accepted": N_("A manager above the responsible has accepted the action."),
    "action_rejected": N_("A manager above the responsible has rejected the action."),
    "deliverable_delivered": N_("The responsible has reported the deliverable delivered."),
    "decision_made": N_("The decision is made."),
    "configuration_changed": N_("A new version of the configuration has come into force."),
    "year_started": N_("A new year has begun."),
}


@dataclass(frozen=True)
class LogLine:
    seq: int
    at: str
    kind: str
    kind_label: str
    what: str
    owner: str
    rule: str
    why: str
    actor: str | None


@dataclass(frozen=True)
class LogPage:
    lines: tuple[LogLine, ...]
    after: int
    next_after: int | None
    last: int


def _d(value: Any) -> str:
    return date_text(str(value)) if value else "–"


def what(view: RunView, kind: str, d: Mapping[str, Any], owner: str | None, subject: str | None,
         subject_kind: str | None) -> str:
    """The event in one sentence, in the reader's language (the recorded texts stay as recorded)."""
    about = str(d.get("subject_title") or (view.subject(subject_kind or "", subject) if subject else ""))
    text = f": «{d['text']}»" if d.get("text") else ""
    action = _("Action {id}").format(id=d.get("action")) + (f" «{about}»" if about else "")
    deliverable = view.subject("deliverable", d.get("deliverable")) if kind.startswith("deliverable") else ""
    if kind == "observation":
        of = _(" for municipality {code}").format(code=d["municipality"]) if d.get("municipality") else ""
        series = "" if d.get("series") in (None, "", "local") else f" ({d['series']})"
        return (f"{view.kpi(str(d.get('kpi')))}{series} {d.get('period')} = {danish_number(d.get('value'), 2)}{of}"
                + (_(", from {source}").format(source=d["source"]) if d.get("source") else ""))
    if kind in ("followup", "milestone"):
        return f"{d.get('title') or d.get('wheel')}" + (
            _(" (covers {period})").format(period=d["covers"]) if d.get("covers") else "")
    if kind == "deviation_flagged":
        return _("Deviation {id} opened for «{about}»").format(id=d.get("deviation"), about=about)
    if kind == "deviation_closed":
        return _("Deviation {id} for «{about}» closed").format(id=d.get("deviation"), about=about)
    if kind == "action_demanded":
        return _("Corrective action {id} «{title}» demanded of {role}, deadline {due}").format(
            id=d.get("action"), title=d.get("title"), role=view.role(owner), due=_d(d.get("due")))
    if kind == "escalated":
        return _("{action} escalated from {source} to {target} (level {level}), new deadline {due}").format(
            action=action, source=view.role(d.get("from")), target=view.role(d.get("to")), level=d.get("level"),
            due=_d(d.get("due")))
    if kind == "escalation_exhausted":
        return _("{action} cannot be escalated further").format(action=action)
    if kind == "notification":
        return _("{role} notified: {message}").format(role=view.role(d.get("to")), message=d.get("message"))
    if kind == "deliverable_required":
        return _("Deliverable «{title}» demanded of {role}, deadline {due}").format(
            title=deliverable, role=view.role(owner), due=_d(d.get("due")))
    if kind == "deliverable_delivered":
        late = int(d.get("days_late") or 0)
        if late:
            return ngettext("Deliverable «{title}» delivered, {n} day late",
                            "Deliverable «{title}» delivered, {n} days late", late).format(title=deliverable, n=late)
        return _("Deliverable «{title}» delivered on time").format(title=deliverable)
    if kind == "deliverable_missed":
        return _("Deliverable «{title}» not delivered by the deadline {due}").format(
            title=deliverable, due=_d(d.get("due")))
    if kind == "action_overdue":
        return _("{action} should have been submitted {due} by {role}").format(
            action=action, due=_d(d.get("due")), role=view.role(owner))
    if kind == "action_submitted":
        return (_("{action} submitted on time") if d.get("on_time") else _("{action} submitted late")).format(
            action=action) + text
    if kind == "action_accepted":
        return _("{action} accepted").format(action=action) + text
    if kind == "action_rejected":
        return _("{action} rejected, new deadline {due}").format(action=action, due=_d(d.get("new_due"))) + text
    if kind == "decision_requested":
        return _("{role} is asked to decide: {question}").format(role=view.role(owner), question=d.get("question"))
    if kind == "decision_made":
        return _("Decision {id} made by {role}: {option}").format(
            id=d.get("decision"), role=view.role(d.get("by")), option=d.get("option")) + text
    if kind == "response_ignored":
        return _("An answer ({id}) had no effect").format(id=d.get("response"))
    if kind == "configuration_changed":
        return _("The configuration from {day} came into force").format(day=_d(d.get("effective"))) + (
            f": {d['description']}" if d.get("description") else "")
    return (_(KINDS[kind]) if kind in KINDS else kind.replace("_", " ")) + (f" «{about}»" if about else "")


def why(view: RunView, kind: str, rule: str | None, d: Mapping[str, Any],
        deviations: Mapping[str, str]) -> tuple[str, str]:
    """The rule (its title) and the reason: what the rule saw (an action demanded gives its
    deviation's reason), or what else caused the event."""
    inputs = d.get("inputs") if isinstance(d.get("inputs"), Mapping) else {}
    reason = next((str(v) for v in (d.get("reason"), d.get("note"), inputs.get("explanation") if inputs else None,
                                    deviations.get(str(d.get("deviation"))) if kind == "action_demanded" else None)
                   if v), "")
    if rule:
        title = str(d.get("rule_title") or view.rule(rule)[0])
        return title, reason or view.rule(rule)[1]
    if kind == "response_ignored":
        return "–", ignored_reason(reason)
    if kind == "escalation_exhausted":
        return "–", reason
    return "–", _(CAUSES[kind]) if kind in CAUSES else reason


def log_page(view: RunView, after: int, kind: str | None) -> LogPage:
    """Up to PAGE_SIZE events after `after` (of one kind, when given), oldest first."""
    live, who, code = view.live, view.principal, view.municipality
    found: list[dict[str, Any]] = []
    cursor, last, more = after, after, False
    while True:
        page = live.events(who, code, after=cursor, limit=PAGE_SIZE + 1 if kind is None else SCAN_PAGE)
        last = int(page["last"])
        events = page["events"]
        for e in events:
            if kind is None or e["type"] == kind:
                found.append(e)
            if len(found) > PAGE_SIZE:
                more = True
                break
        if more or not events or int(page["next_after"]) >= last:
            break
        cursor = int(page["next_after"])
    shown = found[:PAGE_SIZE]
    deviations = {str(x["id"]): str(x["reason"]) for x in live.deviations(who, code)} if any(
        e["type"] == "action_demanded" for e in shown) else {}
    lines = []
    for e in shown:
        d = e["details"] if isinstance(e["details"], Mapping) else {}
        rule, reason = why(view, e["type"], e["rule"], d, deviations)
        lines.append(LogLine(seq=int(e["seq"]), at=str(e["at"]), kind=e["type"],
                             kind_label=_(KINDS[e["type"]]) if e["type"] in KINDS else e["type"],
                             what=what(view, e["type"], d, e["owner"], e["subject"], e["subject_kind"]),
                             owner=view.role(e["owner"]), rule=rule, why=reason, actor=e["actor"]))
    next_after = lines[-1].seq if more and lines else None
    return LogPage(tuple(lines), after, next_after, last)
