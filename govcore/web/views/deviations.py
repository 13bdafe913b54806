"""Deviations (afvigelser) and escalations as people read them: what is off target, since when,
who owns it, what is demanded and where that stands; who escalated to whom, when and why. Roles
are named by their titles."""

from __future__ import annotations

from dataclasses import dataclass

from govcore.event_labels import action_state
from govcore.web.views.run import RunView


@dataclass(frozen=True)
class ActionLine:
    id: str
    title: str
    owner: str
    due: str
    state: str
    state_label: str
    is_open: bool


@dataclass(frozen=True)
class DeviationLine:
    id: str
    about: str
    kind: str
    goal: str
    period: str
    flagged: str
    closed: str | None
    is_open: bool
    owner: str
    reason: str
    rule: str
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class EscalationLine:
    id: str
    action: str
    action_title: str
    from_role: str
    to_role: str
    at: str
    due: str
    level: int
    rule: str
    why: str


def deviation_lines(view: RunView, state: str | None) -> list[DeviationLine]:
    """The deviations (all, open or closed), newest first, each with its demanded actions."""
    live, who, code = view.live, view.principal, view.municipality
    actions = {a["id"]: a for a in live.actions(who, code)}
    out = []
    for d in live.deviations(who, code, state):
        inputs = d["inputs"] if isinstance(d["inputs"], dict) else {}
        lines = []
        for ident in d["actions"]:
            a = actions.get(ident)
            if a is None:
                continue
            lines.append(ActionLine(ident, a["title"], view.role(a["owner"]), a["due"], a["state"],
                                    action_state(a["state"]),
                                    a["state"] not in ("accepted", "closed")))
        goal = d["goal"] or (d["subject"] if d["subject_kind"] == "goal" else None)
        out.append(DeviationLine(
            id=d["id"], about=view.subject(d["subject_kind"], d["subject"]), kind=view.subject_kind(d["subject_kind"]),
            goal=view.goal(goal) if goal else "–", period=str(inputs.get("period") or "–"), flagged=d["opened_at"],
            closed=d["closed_at"], is_open=d["state"] == "open", owner=view.role(d["owner"]), reason=d["reason"],
            rule=view.rule(d["rule"])[0], actions=tuple(lines)))
    out.sort(key=lambda x: (x.flagged, x.id), reverse=True)
    return out


def escalation_lines(view: RunView) -> list[EscalationLine]:
    live, who, code = view.live, view.principal, view.municipality
    actions = {a["id"]: a for a in live.actions(who, code)}
    out = []
    for e in live.escalations(who, code):
        a = actions.get(e["action"])
        title, description = view.rule(e["rule"])
        out.append(EscalationLine(
            id=e["id"], action=e["action"], action_title=a["title"] if a else e["action"],
            from_role=view.role(e["from_role"]), to_role=view.role(e["to_role"]), at=e["at"], due=e["due"],
            level=int(e["level"]), rule=title, why=description))
    out.sort(key=lambda x: (x.at, x.id), reverse=True)
    return out
