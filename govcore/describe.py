"""One event in plain words, for `govcore explain`, rule-test timelines and other listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_HIDDEN = ("inputs", "rule_title", "rule_file", "rule_hash", "subject_title")


def show(value: Any) -> str:
    """A value as people write it: no trailing .0, yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "–"
    return str(value)


def describe_event(kind: str, details: Mapping[str, Any], owner: str | None = None,
                   subject: str | None = None) -> str:
    """What an event was, in one line (details as in events.jsonl)."""
    g = details.get
    about = f" for {subject}" if subject and subject not in (g("action"), g("deliverable")) else ""
    if not about and g("subject_title") and kind.startswith(("action_", "escalat")):
        about = f" “{g('subject_title')}”"
    text = f": {g('text')}" if g("text") else ""
    if kind == "observation":
        series = "" if g("series") in (None, "", "local") else f"@{g('series')}"
        of = f" of {g('municipality')}" if g("municipality") else ""
        source = f" from {g('source')}" if g("source") else ""
        return f"figure {g('kpi')}{series} {g('period')} = {show(g('value'))}{of}{source}"
    if kind in ("followup", "milestone"):
        freq = f", {g('frequency')}" if g("frequency") else ""
        return f"{'follow-up' if kind == 'followup' else 'milestone'} {g('title') or g('wheel')} ({g('wheel')}{freq})"
    if kind == "year_started":
        ended = f"; goals ended: {', '.join(g('goals_ended') or [])}" if g("goals_ended") else ""
        carried = ", ".join(g("open_actions") or []) or "none"
        return (f"year {g('year')} started: ministermål {', '.join(g('national_goals') or []) or 'none'}{ended}; "
                f"open corrective actions carried over: {carried}")
    if kind == "configuration_changed":
        parts = [f"{label} {', '.join(g(key) or [])}" for key, label in (
            ("goals_added", "goals added:"), ("goals_removed", "goals removed:"), ("goals_changed", "goals changed:"),
            ("rules_added", "rules added:"), ("rules_removed", "rules removed:"),
            ("rules_changed", "rules changed:")) if g(key)]
        wheel = ["the wheel changed"] if g("wheel_changed") else []
        return (f"configuration version of {g('effective')} took effect"
                + (f" ({g('description')})" if g("description") else "") + ": "
                + ("; ".join(parts + wheel) or "nothing that governs changed"))
    if kind == "deviation_flagged":
        return f"deviation {g('deviation')} opened{about}: {g('reason')}"
    if kind == "action_demanded":
        return (f"corrective action {g('action')} “{g('title')}” demanded from {owner}{about}, due {g('due')}"
                + (f" ({g('within')})" if g("within") else ""))
    if kind == "escalated":
        return (f"corrective action {g('action')}{about} escalated from {g('from')} to {g('to')} "
                f"(level {g('level')}), new due date {g('due')}")
    if kind == "escalation_exhausted":
        return f"corrective action {g('action')}{about} could not be escalated further: {g('reason')}"
    if kind == "notification":
        return f"{g('to')} notified{about}: {g('message')}"
    if kind == "deliverable_required":
        return f"{g('deliverable')} required from {owner} by {g('due')}"
    if kind == "deviation_closed":
        acts = ", ".join(g("actions") or []) or "none"
        return f"deviation {g('deviation')}{about} closed ({g('note')}); its corrective actions closed: {acts}"
    if kind == "action_overdue":
        return f"corrective action {g('action')}{about} was due {g('due')} and has not arrived (owner {owner})"
    if kind == "deliverable_missed":
        return f"{g('deliverable')} was due {g('due')} and has not been delivered"
    if kind == "deliverable_delivered":
        late = g("days_late") or 0
        return f"{g('deliverable')} delivered" + (f", {late} days late" if late else " on time")
    if kind == "action_submitted":
        return f"corrective action {g('action')}{about} submitted" + (" on time" if g("on_time") else " late") + text
    if kind == "action_accepted":
        return f"corrective action {g('action')}{about} accepted" + text
    if kind == "action_rejected":
        return f"corrective action {g('action')}{about} rejected, new due date {g('new_due')}" + text
    if kind == "response_ignored":
        return f"a '{g('response')}' response was ignored: {g('reason')}"
    if kind == "decision_requested":
        ident = f" {g('decision')}" if details.get("decision") else ""
        return f"decision{ident} requested from {owner}{about}: {g('question')}"
    if kind == "decision_made":
        ends = ", the follow-up ends" if details.get("ends_followup") else ""
        return f"decision {g('decision')}{about} taken by {g('by')}: {g('option')}{ends}" + text
    shown = {k: v for k, v in details.items() if k not in _HIDDEN}
    rest = ", ".join(f"{k} {show(v)}" for k, v in shown.items())
    return f"{kind.replace('_', ' ')}{about}" + (f": {rest}" if rest else "")
