"""Why a rule did or did not fire, in the terms of the rule file.

Built from the engine's trace (every message posted to the rules, with what fired) and
`Condition.holds`, so an explanation names the condition and the value it saw: "status ==
off_track: status was at_risk". When a rule was never even asked, the explanation says why: it was
not in effect, or the event that starts it (a follow-up, a deadline) did not take place in the span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govcore.describe import config_word
from govcore.engine import Posted
from govcore.errors import did_you_mean
from govcore.i18n import _
from govcore.model import ActionState
from govcore.rules.loader import Rule
from govcore.ruletest.kinds import KINDS, article, fmt, same
from govcore.ruletest.run import Run
from govcore.ruletest.scenario import Expectation, Window

# What each built-in action can record, by expectation kind.
ACTION_KINDS: dict[str, frozenset[str]] = {
    "flag_deviation": frozenset({"deviation"}),
    "demand_action": frozenset({"action", "deviation"}),
    "escalate": frozenset({"escalation", "escalation_exhausted"}),
    "notify": frozenset({"notification"}),
    "close_deviation": frozenset({"closed"}),
    "require_deliverable": frozenset({"deliverable_required"}),
}
_SUBJECT_FIELDS = ("subject", "goal", "deliverable", "area")


def where(rule: Rule) -> str:
    return f"{relative(rule.file)}:{rule.line}"


def relative(path: str) -> str:
    """A path as the author typed it: relative to the current folder when inside it."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def kinds_of(rule: Rule, run: Run) -> set[str]:
    """The expectation kinds a rule's actions can produce."""
    out: set[str] = set()
    for call in rule.actions:
        if call.name in ACTION_KINDS:
            out |= ACTION_KINDS[call.name]
        elif call.name in run.config.actions:
            for t in run.config.actions[call.name].events:
                out.add(next((k.name for k in KINDS.values() if k.event_type == t), t))
    return out


def trigger_words(rule: Rule) -> str:
    """What starts the rule, in words."""
    values = rule.trigger_values
    anything = "any" in values
    listed = _(" or ").join(f"'{v}'" for v in values)
    if rule.trigger == "followup":
        return _("every follow-up") if anything else _("every {frequencies} follow-up").format(
            frequencies=_(" or ").join(config_word(v) for v in values))
    if rule.trigger == "wheel":
        return _("every event of the annual wheel") if anything else _("the wheel event {names}").format(names=listed)
    if rule.trigger == "observation":
        return _("every new figure") if anything else _("a new figure for the KPI {names}").format(names=listed)
    if values[0] == "corrective_action":
        return _("the deadline of a corrective action passing")
    return _("the deadline of a deliverable passing")


def occurrences(rule: Rule, run: Run) -> list[dt.datetime]:
    """When the thing that starts the rule happened (whether or not there was anything to look at)."""
    values = rule.trigger_values
    anything = "any" in values
    out = []
    for e in run.events:
        d = e.details
        if rule.trigger == "followup":
            hit = e.type == "followup" and (anything or d.get("frequency") in values)
        elif rule.trigger == "wheel":
            hit = e.type in ("followup", "milestone") and (anything or d.get("wheel") in values)
        elif rule.trigger == "observation":
            hit = e.type == "observation" and (anything or d.get("kpi") in values)
        elif values[0] == "corrective_action":
            hit = e.type == "action_overdue"
        else:
            hit = e.type == "deliverable_missed"
        if hit:
            out.append(e.at)
    return out


def asked(rule: Rule, message: Mapping[str, Any]) -> bool:
    """Was this posted message one the rule is asked about (its trigger and its kind of subject)?"""
    if message.get("for_each") != rule.for_each:
        return False
    trigger = str(message.get("trigger", ""))
    value = {"wheel": message.get("wheel"), "observation": message.get("observed_kpi"),
             "deadline": message.get("deadline")}.get(trigger)
    return rule.matches_trigger(trigger, str(value or ""), str(message.get("frequency") or ""))


def _day(message: Mapping[str, Any]) -> dt.date | None:
    raw = message.get("day")
    try:
        return dt.datetime.strptime(str(raw), "%Y%m%d").date()
    except ValueError:
        return None


def failing(rule: Rule, message: Mapping[str, Any]) -> list[str]:
    """Each condition that did not hold, with the value it saw."""
    out = []
    day = _day(message)
    if day is not None and not rule.in_effect(day):
        out.append(_effect_words(rule, day))
    for c in rule.conditions:
        actual = message.get(c.field)
        if not c.holds(actual):
            out.append(f"{c.text}: " + _was(c.field, actual))
    for group in rule.any_of:
        if not any(c.holds(message.get(c.field)) for c in group):
            seen = ", ".join(_was(c.field, message.get(c.field)) for c in group)
            out.append(_("none of [{conditions}] held: {seen}").format(conditions="; ".join(c.text for c in group),
                                                                     seen=seen))
    return out


def held(rule: Rule, message: Mapping[str, Any]) -> list[str]:
    """The conditions of a rule that fired, with the values that made them hold."""
    out = [f"{c.text} ({_was(c.field, message.get(c.field))})" for c in rule.conditions]
    for group in rule.any_of:
        hit = [c for c in group if c.holds(message.get(c.field))]
        out.extend(f"{c.text} ({_was(c.field, message.get(c.field))})" for c in hit[:1])
    return out


def _value(v: Any) -> str:
    return _("not known") if v is None or v == "" else fmt(v)


def _was(field: str, v: Any) -> str:
    return _("{field} was {value}").format(field=field, value=_value(v))


def _effect_words(rule: Rule, day: dt.date) -> str:
    if rule.effective_from and day < rule.effective_from:
        return _("the rule is not in effect until {date}").format(date=rule.effective_from)
    return _("the rule stopped being in effect after {date}").format(date=rule.effective_to)


def _subject_of(exp: Expectation) -> Any:
    return next((exp.fields[k] for k in _SUBJECT_FIELDS if k in exp.fields), None)


def _clip(window: Window, run: Run) -> tuple[dt.date, dt.date]:
    return (max(window.start or run.case.start, run.case.start), min(window.end or run.case.until, run.case.until))


def _span_words(lo: dt.date, hi: dt.date) -> str:
    return _("on {date}").format(date=lo) if lo == hi else _("between {start} and {end}").format(start=lo, end=hi)


def why_not(exp: Expectation, run: Run) -> list[str]:
    """Why an expected event did not happen: per rule that could have produced it."""
    candidates = [r for r in run.rules if exp.kind.name in kinds_of(r, run)]
    named = exp.fields.get("rule")
    if named is not None:
        chosen = [r for r in run.rules if same(named, r.id)]
        if not chosen:
            return [_("no rule under test has the id '{rule}'").format(rule=named)
                    + (f" ({did_you_mean(str(named), [r.id for r in run.rules])})" if run.rules else "")]
        producing = [r for r in chosen if r in candidates]
        if not producing:
            r = chosen[0]
            actions = ", ".join(a.name for a in r.actions)
            return [_("rule '{rule}' ({where}) cannot give {kind}: its actions are {actions}").format(
                rule=r.id, where=where(r), kind=article(exp.kind.label), actions=actions)]
        candidates = producing
    if not candidates:
        extra = _(" (a delivery also closes a deliverable's deviation)") if exp.kind.name == "closed" else ""
        return [_("no rule under test can give {kind}").format(kind=article(exp.kind.label)) + extra]
    lo, hi = _clip(exp.window, run)
    started = [r for r in candidates if any(lo <= t.date() <= hi for t in occurrences(r, run))]
    if started and named is None:
        candidates = started  # rules whose trigger never came are noise when others were asked
    lines: list[str] = []
    for rule in candidates[:3]:
        lines.extend(_why_rule_did_not(rule, exp, run))
    if len(candidates) > 3:
        lines.append("(" + _("and {n} more rules that could give {kind}").format(n=len(candidates) - 3,
                                                                                kind=article(exp.kind.label)) + ")")
    return lines


def _why_rule_did_not(rule: Rule, exp: Expectation, run: Run) -> list[str]:
    head = _("rule '{rule}' ({where})").format(rule=rule.id, where=where(rule))
    lo, hi = _clip(exp.window, run)
    if rule.effective_from and rule.effective_from > hi:
        return [_("{rule} is not in effect until {date}").format(rule=head, date=rule.effective_from)]
    if rule.effective_to and rule.effective_to < lo:
        return [_("{rule} stopped being in effect after {date}").format(rule=head, date=rule.effective_to)]
    when = [t for t in occurrences(rule, run)]
    inside = [t for t in when if lo <= t.date() <= hi]
    if not inside:
        before = [t.date() for t in when if t.date() < lo]
        after = [t.date() for t in when if t.date() > hi]
        near = []
        if before:
            near.append(_("the one before was on {date}").format(date=before[-1]))
        if after:
            near.append(_("the next was on {date}").format(date=after[0]))
        tail = f" ({'; '.join(near)})" if near else " (" + _("none in the whole scenario") + ")"
        lines = [_("{rule} runs at {trigger}; none took place {span}").format(
            rule=head, trigger=trigger_words(rule), span=_span_words(lo, hi)) + tail]
        subject = _subject_of(exp)
        if rule.trigger == "deadline" and rule.trigger_values[0] == "corrective_action" and subject is not None:
            lines.extend(_actions_of(subject, run))
        return lines
    posts = [p for p in run.trace if lo <= p.at.date() <= hi and asked(rule, p.message)]
    subject = _subject_of(exp)
    if subject is not None:
        mine = [p for p in posts if same(subject, run.business_subject(p.message))
                or same(subject, p.message.get("goal"))]
        if not mine:
            looked = sorted({run.business_subject(p.message) for p in posts})
            seen = _("it looked at {subjects}").format(subjects=", ".join(looked[:8])) \
                + (" …" if len(looked) > 8 else "") if looked \
                else _("there was no {kind} to look at").format(kind=rule.for_each)
            lines = [_("{rule} ran {span} but not for '{subject}': {seen}").format(
                rule=head, span=_span_words(lo, hi), subject=fmt(subject), seen=seen)]
            lines.extend(_absent(subject, rule, run, hi))
            return lines
        posts = mine
    fired = [p for p in posts if rule.id in p.fired]
    if fired:
        p = fired[-1]
        return [_("{rule} fired on {date} for {subject}, but gave no matching {kind}: {reason}").format(
            rule=head, date=p.at.date(), subject=run.business_subject(p.message), kind=_(exp.kind.label),
            reason=_no_effect(exp, p))]
    lines = []
    for p in posts[-3:]:
        reasons = failing(rule, p.message) or [_("all conditions held, yet the rule did not fire")]
        lines.append(_("{rule} on {date} for {subject}: {reasons}").format(
            rule=head, date=p.at.date(), subject=run.business_subject(p.message), reasons="; ".join(reasons)))
    return lines


def _no_effect(exp: Expectation, p: Posted) -> str:
    m = p.message
    if exp.kind.name == "deviation" and m.get("open_deviation"):
        return _("a deviation was already open (flag_deviation does nothing then)")
    if exp.kind.name == "action" and m.get("action_state") in ("demanded", "escalated", "submitted"):
        return _("a corrective action was already under way (state {state})").format(state=m.get("action_state"))
    if exp.kind.name == "escalation" and m.get("state") not in ("demanded", "escalated"):
        return _("the action was {state}, and only a demanded or escalated action is escalated").format(
            state=m.get("state"))
    if exp.kind.name == "escalation" and "to" in exp.fields and m.get("superior"):
        return _("the action's owner was {owner}, whose superior is {superior} (the organisation decides who is "
                 "next in line)").format(owner=m.get("owner"), superior=m.get("superior"))
    return _("what it gave differs from the expectation (see the closest event above)")


def _actions_of(subject: Any, run: Run) -> list[str]:
    found = [a for a in run.actions.values() if same(subject, a.subject)]
    if not found:
        return [_("no corrective action was demanded for '{subject}', so no deadline could pass").format(
            subject=fmt(subject))]
    out = []
    for a in found:
        if a.state in (ActionState.submitted, ActionState.accepted, ActionState.closed):
            out.append(_("{action} for {subject} is {state}, so its deadline ({due}) did not count").format(
                action=a.id, subject=a.subject, state=a.state.value, due=a.due))
        else:
            out.append(_("{action} for {subject} is due {due}; its deadline passes at the start of {day}").format(
                action=a.id, subject=a.subject, due=a.due, day=a.due + dt.timedelta(days=1)))
    return out


def _absent(subject: Any, rule: Rule, run: Run, day: dt.date) -> list[str]:
    if rule.for_each == "goal":
        goal = next((g for g in run.config.goals if same(subject, g.id)), None)
        if goal is None:
            return [_("there is no goal '{goal}'").format(goal=fmt(subject))]
        if not goal.in_effect(day):
            return [_("the goal '{goal}' is not in effect on {day} (valid {start} to {end})").format(
                goal=goal.id, day=day, start=goal.valid_from, end=goal.valid_to)]
    if rule.for_each == "action":
        return _actions_of(subject, run)
    return []


def why_fired(index: int, run: Run) -> list[str]:
    """Why a rule fired for the event at `index`: the conditions with the values that made them hold."""
    event, v = run.events[index], run.views[index]
    rule = run.rule(event.rule) if event.rule else None
    if rule is None:
        return []
    for p in run.trace:
        if p.at == event.at and rule.id in p.fired and run.business_subject(p.message) == v.get("subject"):
            conditions = held(rule, p.message)
            what = _("rule '{rule}' ({where}) fired at {trigger}").format(rule=rule.id, where=where(rule),
                                                                          trigger=trigger_words(rule))
            return [what + (": " + "; ".join(conditions) if conditions else " (" + _("it has no conditions") + ")")]
    return [_("rule '{rule}' ({where})").format(rule=rule.id, where=where(rule))]


def explain_rule(rule_id: str, run: Run) -> list[str]:
    """Every time a rule was asked during a run: fired, or which conditions failed (`--explain`)."""
    rule = run.rule(rule_id)
    if rule is None:
        return [_("rule '{rule}' is not among the rules of this scenario").format(rule=rule_id)]
    lines = [_("rule '{rule}' ({where}) runs at {trigger}").format(rule=rule.id, where=where(rule),
                                                                   trigger=trigger_words(rule))]
    posts = [p for p in run.trace if asked(rule, p.message)]
    if not posts:
        when = occurrences(rule, run)
        lines.append("  " + (_("it was never asked: {n} times the trigger happened, but there was no {kind} to look "
                               "at").format(n=len(when), kind=rule.for_each) if when else
                             _("it was never asked: what starts it never happened in this scenario")))
    for p in posts:
        subject = run.business_subject(p.message)
        if rule.id in p.fired:
            because = "; ".join(held(rule, p.message)) or _("no conditions")
            lines.append(f"  {p.at:%Y-%m-%d %H:%M}  {subject}: " + _("fired ({reasons})").format(reasons=because))
        else:
            lines.append(f"  {p.at:%Y-%m-%d %H:%M}  {subject}: "
                         + _("not fired ({reasons})").format(reasons="; ".join(failing(rule, p.message))))
    return lines
