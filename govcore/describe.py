"""One event in plain words, for `govcore explain`, rule-test timelines and other listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govcore.danish_words import danish_for
from govcore.i18n import N_, _, language, ngettext
from govcore.rules.durations import Duration

_HIDDEN = ("inputs", "rule_title", "rule_file", "rule_hash", "subject_title")


def show(value: Any) -> str:
    """A value as people write it: no trailing .0, yes/no for booleans."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "–"
    return str(value)


def config_word(word: Any) -> str:
    """A configuration word ('monthly') as the reader says it: its Danish spelling in Danish."""
    return str(word) if language() == "en" else (danish_for(str(word)) or (str(word),))[0]


def _within(text: Any) -> str:
    """A recorded duration ('10 working days', as the rule file wrote it) in the reader's words."""
    try:
        d = Duration.parse(text)
    except ValueError:
        return str(text)
    return str(d)


def _listed(values: Any) -> str:
    return ", ".join(values or []) or _("none")


def describe_event(kind: str, details: Mapping[str, Any], owner: str | None = None,
                   subject: str | None = None) -> str:
    """What an event was, in one line (details as in events.jsonl), in the reader's language; the
    recorded texts inside it (a rule's message, a reason) stay as recorded."""
    g = details.get
    about = _(" for {subject}").format(subject=subject) \
        if subject and subject not in (g("action"), g("deliverable")) else ""
    if not about and g("subject_title") and kind.startswith(("action_", "escalat")):
        about = f" “{g('subject_title')}”"
    text = f": {g('text')}" if g("text") else ""
    action = g("action")
    if kind == "observation":
        series = "" if g("series") in (None, "", "local") else f"@{g('series')}"
        of = _(" of {municipality}").format(municipality=g("municipality")) if g("municipality") else ""
        source = _(" from {source}").format(source=g("source")) if g("source") else ""
        return _("figure {kpi} {period} = {value}").format(kpi=f"{g('kpi')}{series}", period=g("period"),
                                                           value=show(g("value"))) + of + source
    if kind in ("followup", "milestone"):
        freq = f", {config_word(g('frequency'))}" if g("frequency") else ""
        what = _("follow-up") if kind == "followup" else _("milestone")
        return f"{what} {g('title') or g('wheel')} ({g('wheel')}{freq})"
    if kind == "year_started":
        ended = _("; goals ended: {goals}").format(goals=", ".join(g("goals_ended") or [])) if g("goals_ended") else ""
        return (_("year {year} started: ministermål {goals}").format(year=g("year"),
                                                                    goals=_listed(g("national_goals")))
                + ended + _("; open corrective actions carried over: {actions}").format(
                    actions=_listed(g("open_actions"))))
    if kind == "configuration_changed":
        parts = [f"{_(label)} {', '.join(g(key) or [])}" for key, label in (
            ("goals_added", N_("goals added:")), ("goals_removed", N_("goals removed:")),
            ("goals_changed", N_("goals changed:")), ("rules_added", N_("rules added:")),
            ("rules_removed", N_("rules removed:")), ("rules_changed", N_("rules changed:"))) if g(key)]
        wheel = [_("the wheel changed")] if g("wheel_changed") else []
        return (_("configuration version of {date} took effect").format(date=g("effective"))
                + (f" ({g('description')})" if g("description") else "") + ": "
                + ("; ".join(parts + wheel) or _("nothing that governs changed")))
    if kind == "deviation_flagged":
        return _("deviation {deviation} opened{about}: {reason}").format(deviation=g("deviation"), about=about,
                                                                        reason=g("reason"))
    if kind == "action_demanded":
        return (_("corrective action {action} “{title}” demanded from {owner}{about}, due {due}").format(
            action=action, title=g("title"), owner=owner, about=about, due=g("due"))
                + (f" ({_within(g('within'))})" if g("within") else ""))
    if kind == "escalated":
        return _("corrective action {action}{about} escalated from {source} to {target} (level {level}), new due "
                 "date {due}").format(action=action, about=about, source=g("from"), target=g("to"),
                                      level=g("level"), due=g("due"))
    if kind == "escalation_exhausted":
        return _("corrective action {action}{about} could not be escalated further: {reason}").format(
            action=action, about=about, reason=g("reason"))
    if kind == "notification":
        return _("{to} notified{about}: {message}").format(to=g("to"), about=about, message=g("message"))
    if kind == "deliverable_required":
        return _("{deliverable} required from {owner} by {due}").format(deliverable=g("deliverable"), owner=owner,
                                                                       due=g("due"))
    if kind == "deviation_closed":
        return _("deviation {deviation}{about} closed ({note}); its corrective actions closed: {actions}").format(
            deviation=g("deviation"), about=about, note=g("note"), actions=_listed(g("actions")))
    if kind == "action_overdue":
        return _("corrective action {action}{about} was due {due} and has not arrived (owner {owner})").format(
            action=action, about=about, due=g("due"), owner=owner)
    if kind == "deliverable_missed":
        return _("{deliverable} was due {due} and has not been delivered").format(deliverable=g("deliverable"),
                                                                                 due=g("due"))
    if kind == "deliverable_delivered":
        late = g("days_late") or 0
        return (ngettext("{deliverable} delivered, {n} day late", "{deliverable} delivered, {n} days late", late)
                if late else _("{deliverable} delivered on time")).format(deliverable=g("deliverable"), n=late)
    if kind == "action_submitted":
        return (_("corrective action {action}{about} submitted on time") if g("on_time")
                else _("corrective action {action}{about} submitted late")).format(action=action, about=about) + text
    if kind == "action_accepted":
        return _("corrective action {action}{about} accepted").format(action=action, about=about) + text
    if kind == "action_rejected":
        return _("corrective action {action}{about} rejected, new due date {due}").format(
            action=action, about=about, due=g("new_due")) + text
    if kind == "response_ignored":
        return _("a '{response}' response was ignored: {reason}").format(response=g("response"), reason=g("reason"))
    if kind == "decision_requested":
        ident = f" {g('decision')}" if details.get("decision") else ""
        return _("decision{decision} requested from {owner}{about}: {question}").format(
            decision=ident, owner=owner, about=about, question=g("question"))
    if kind == "decision_made":
        ends = _(", the follow-up ends") if details.get("ends_followup") else ""
        return _("decision {decision}{about} taken by {by}: {option}").format(
            decision=g("decision"), about=about, by=g("by"), option=g("option")) + ends + text
    shown = {k: v for k, v in details.items() if k not in _HIDDEN}
    rest = ", ".join(f"{k} {show(v)}" for k, v in shown.items())
    return f"{kind.replace('_', ' ')}{about}" + (f": {rest}" if rest else "")
