"""The decision log (the run's event log) in Danish: what happened, and why — the rule that
decided it and the reason it gave, or what else caused it (a figure arriving, the årshjul, a
deadline, a person's answer); and who gave each answer (`user:…` or `key:…`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcore.text import danish_number, date_text
from govcore.web.views.run import RunView

PAGE_SIZE = 50
SCAN_PAGE = 1000  # events read at a time while looking for one kind

KINDS = {
    "observation": "Tal modtaget", "followup": "Opfølgning", "milestone": "Milepæl",
    "deviation_flagged": "Afvigelse åbnet", "deviation_closed": "Afvigelse lukket",
    "action_demanded": "Korrigerende handling krævet", "action_submitted": "Handling indsendt",
    "action_accepted": "Handling godkendt", "action_rejected": "Handling afvist",
    "action_overdue": "Frist overskredet", "escalated": "Eskaleret", "escalation_exhausted": "Eskalering udtømt",
    "notification": "Varsling", "deliverable_required": "Leverance krævet",
    "deliverable_delivered": "Leverance afleveret", "deliverable_missed": "Leverance ikke afleveret",
    "decision_requested": "Beslutning ønsket", "decision_made": "Beslutning truffet",
    "response_ignored": "Svar uden virkning", "configuration_changed": "Konfiguration ændret",
    "year_started": "Nyt år",
}
# Kinds whose cause is not a rule, and what caused them.
CAUSES = {
    "observation": "Et tal er kommet fra kilden.",
    "followup": "Årshjulet: en tilbagevendende opfølgning er nået.",
    "milestone": "Årshjulet: en milepæl er nået.",
    "action_overdue": "Fristen for den krævede handling er overskredet.",
    "deliverable_missed": "Fristen for leverancen er overskredet.",
    "action_submitted": "Den ansvarlige har indsendt handlingen.",
    "action_accepted": "En leder over den ansvarlige har godkendt handlingen.",
    "action_rejected": "En leder over den ansvarlige har afvist handlingen.",
    "deliverable_delivered": "Den ansvarlige har meldt leverancen afleveret.",
    "decision_made": "Beslutningen er truffet.",
    "configuration_changed": "En ny version af konfigurationen er trådt i kraft.",
    "year_started": "Et nyt år er begyndt.",
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
    """The event in one Danish sentence."""
    about = str(d.get("subject_title") or (view.subject(subject_kind or "", subject) if subject else ""))
    text = f": «{d['text']}»" if d.get("text") else ""
    action = f"Handling {d.get('action')}" + (f" «{about}»" if about else "")
    if kind == "observation":
        of = f" for kommune {d['municipality']}" if d.get("municipality") else ""
        series = "" if d.get("series") in (None, "", "local") else f" ({d['series']})"
        return (f"{view.kpi(str(d.get('kpi')))}{series} {d.get('period')} = {danish_number(d.get('value'), 2)}{of}"
                + (f", fra {d['source']}" if d.get("source") else ""))
    if kind in ("followup", "milestone"):
        return f"{d.get('title') or d.get('wheel')}" + (f" (dækker {d['covers']})" if d.get("covers") else "")
    if kind == "deviation_flagged":
        return f"Afvigelse {d.get('deviation')} åbnet for «{about}»"
    if kind == "deviation_closed":
        return f"Afvigelse {d.get('deviation')} for «{about}» lukket"
    if kind == "action_demanded":
        return (f"Korrigerende handling {d.get('action')} «{d.get('title')}» krævet af {view.role(owner)}, "
                f"frist {_d(d.get('due'))}")
    if kind == "escalated":
        return (f"{action} eskaleret fra {view.role(d.get('from'))} til {view.role(d.get('to'))} "
                f"(niveau {d.get('level')}), ny frist {_d(d.get('due'))}")
    if kind == "escalation_exhausted":
        return f"{action} kan ikke eskaleres længere"
    if kind == "notification":
        return f"{view.role(d.get('to'))} varslet: {d.get('message')}"
    if kind == "deliverable_required":
        return f"Leverance «{view.subject('deliverable', d.get('deliverable'))}» krævet af {view.role(owner)}, " \
               f"frist {_d(d.get('due'))}"
    if kind == "deliverable_delivered":
        late = int(d.get("days_late") or 0)
        return f"Leverance «{view.subject('deliverable', d.get('deliverable'))}» afleveret" + (
            f", {late} dage for sent" if late else " til tiden")
    if kind == "deliverable_missed":
        return (f"Leverance «{view.subject('deliverable', d.get('deliverable'))}» ikke afleveret til fristen "
                f"{_d(d.get('due'))}")
    if kind == "action_overdue":
        return f"{action} skulle være indsendt {_d(d.get('due'))} af {view.role(owner)}"
    if kind == "action_submitted":
        return f"{action} indsendt " + ("til tiden" if d.get("on_time") else "for sent") + text
    if kind == "action_accepted":
        return f"{action} godkendt" + text
    if kind == "action_rejected":
        return f"{action} afvist, ny frist {_d(d.get('new_due'))}" + text
    if kind == "decision_requested":
        return f"{view.role(owner)} bedes tage stilling: {d.get('question')}"
    if kind == "decision_made":
        return f"Beslutning {d.get('decision')} truffet af {view.role(d.get('by'))}: {d.get('option')}" + text
    if kind == "response_ignored":
        return f"Et svar ({d.get('response')}) fik ingen virkning"
    if kind == "configuration_changed":
        return f"Konfigurationen fra {_d(d.get('effective'))} trådte i kraft" + (
            f": {d['description']}" if d.get("description") else "")
    return KINDS.get(kind, kind.replace("_", " ")) + (f" «{about}»" if about else "")


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
    if kind in ("escalation_exhausted", "response_ignored"):
        return "–", reason
    return "–", CAUSES.get(kind, reason)


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
                             kind_label=KINDS.get(e["type"], e["type"]),
                             what=what(view, e["type"], d, e["owner"], e["subject"], e["subject_kind"]),
                             owner=view.role(e["owner"]), rule=rule, why=reason, actor=e["actor"]))
    next_after = lines[-1].seq if more and lines else None
    return LogPage(tuple(lines), after, next_after, last)
