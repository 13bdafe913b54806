"""The words rule files may use: triggers, subject kinds with their fields, and actions.

Built-in subject kinds and actions are defined here; plugins add more through hooks. The
vocabulary is what `govcore rules check` checks against and what docs/rules.md documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from govcore.extension import ActionSpec, FieldSpec, SubjectKind
from govcore.model import ActionState, Category, Frequency, GoalKind, Level, Status
from govcore.rules.durations import Duration

TRIGGERS = ("wheel", "followup", "observation", "deadline")
DEADLINE_KINDS = ("corrective_action", "deliverable")
ROLE_WORDS = ("owner", "superior", "responsible")

_STATUS = tuple(s.value for s in Status)
_ACTION_STATES = ("none", *(s.value for s in ActionState))

COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("subject", "text", "the id of the subject (goal, budget area, deliverable, …)"),
    FieldSpec("title", "text", "the subject's title"),
    FieldSpec("owner", "text", "the role responsible for the subject"),
    FieldSpec("open_deviation", "bool", "the subject has an open deviation"),
    FieldSpec("open_action", "bool", "the subject has a corrective action that is not closed"),
    FieldSpec("action_state", "text", "state of the subject's latest corrective action", _ACTION_STATES),
    FieldSpec("decision", "text", "the latest decision demanded about the subject: none, pending (not yet "
              "answered) or the option chosen (e.g. continue, adjust, close)"),
    FieldSpec("decision_age", "number", "days since the latest decision was taken (0 when none is taken)"),
    FieldSpec("wheel", "text", "the id of the wheel event that triggered the rule ('' otherwise)"),
    FieldSpec("frequency", "text", "the follow-up frequency of the triggering wheel event ('' otherwise)",
              ("", *(f.value for f in Frequency))),
    FieldSpec("day", "number", "the date the rule is evaluated, as a number YYYYMMDD"),
)

GOAL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("goal", "text", "the goal's id"),
    FieldSpec("level", "text", "national, political, administrative or team", tuple(v.value for v in Level)),
    FieldSpec("category", "text", "economy, activity or service_quality", tuple(v.value for v in Category)),
    FieldSpec("kind", "text", "ramme, udvikling or fokus ('' when not set)", ("", *(v.value for v in GoalKind))),
    FieldSpec("kpi", "text", "the id of the goal's KPI"),
    FieldSpec("status", "text", "on_track, at_risk, off_track or no_data", _STATUS),
    FieldSpec("value", "number", "the latest value of the KPI known at the time"),
    FieldSpec("expected", "number", "the value the target requires at the time"),
    FieldSpec("gap", "number", "value minus expected"),
    FieldSpec("period", "text", "the period of the value used (e.g. 2021-03)"),
    FieldSpec("explanation", "text", "how the status was decided, in plain words"),
    FieldSpec("review_due", "bool", "the goal has not been reviewed in its follow-up period yet"),
    FieldSpec("national_goal", "text", "the ministermål the goal answers ('' when none)"),
    FieldSpec("goal_followup", "text", "how often the goal is followed up", tuple(f.value for f in Frequency)),
    FieldSpec("forecast", "number", "the KPI's forecast value at the end of the goal's target period"),
    FieldSpec("forecast_low", "number", "the lower end of the forecast's 80 % interval"),
    FieldSpec("forecast_high", "number", "the upper end of the forecast's 80 % interval"),
    FieldSpec("forecast_required", "number", "the value the target requires at the end of its period"),
    FieldSpec("forecast_period", "text", "the period forecast (e.g. 2021-12)"),
    FieldSpec("forecast_method", "text", "how the forecast was made",
              ("linear_trend", "seasonal_naive", "observed", "none")),
    FieldSpec("forecast_status", "text", "on_track, at_risk, off_track or no_data: whether the forecast "
              "meets the target at the end of its period", _STATUS),
    FieldSpec("forecast_explanation", "text", "the forecast in plain words"),
)

DELIVERABLE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("deliverable", "text", "the deliverable's id"),
    FieldSpec("delivered", "bool", "it has been delivered"),
    FieldSpec("due", "text", "its due date (YYYY-MM-DD)"),
    FieldSpec("days_late", "number", "days past the due date (0 when not late)"),
)

ACTION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("action", "text", "the corrective action's id"),
    FieldSpec("state", "text", "the action's state", _ACTION_STATES[1:]),
    FieldSpec("superior", "text", "the owner's superior ('' at the top of the line)"),
    FieldSpec("at_top", "bool", "the owner has no superior (the political committee)"),
    FieldSpec("escalation_level", "number", "how many times the action has been escalated"),
    FieldSpec("days_overdue", "number", "days past the due date"),
    FieldSpec("subject_kind", "text", "the kind of subject the action is about"),
    FieldSpec("goal", "text", "the goal the action is about ('' when none)"),
)


def _builtin_kind(name: str, description: str, fields: tuple[FieldSpec, ...]) -> SubjectKind:
    return SubjectKind(name=name, description=description, fields=fields, subjects=lambda ctx: [])


BUILTIN_KINDS: dict[str, SubjectKind] = {
    "goal": _builtin_kind("goal", "every goal in effect on the day", GOAL_FIELDS),
    "deliverable": _builtin_kind(
        "deliverable", "the deliverables of the triggering wheel event, or the overdue one", DELIVERABLE_FIELDS),
    "action": _builtin_kind("action", "the corrective action whose deadline passed", ACTION_FIELDS),
}


# ------------------------------------------------------------------------------- action params


class ActionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _duration(v: Any) -> str:
    Duration.parse(v)
    return str(v)


DurationText = Annotated[str, BeforeValidator(_duration)]


class FlagDeviation(ActionParams):
    """Open a deviation (afvigelse) on the subject; nothing happens if one is already open."""

    reason: str = "{title}: status {status}"


class DemandAction(ActionParams):
    """Demand a corrective action from a role, due after a duration."""

    from_role: str = Field(default="owner", alias="from")
    within: DurationText = "10 working days"
    title: str = "Korrigerende handling: {title}"


class Escalate(ActionParams):
    """Move an overdue corrective action to a superior with a new due date."""

    to: str = "superior"
    within: DurationText = "5 working days"


class Notify(ActionParams):
    """Send a notification to a role (recorded as an event)."""

    to: str = "owner"
    message: str = "{title}"


class RequireDeliverable(ActionParams):
    """Require a deliverable from a role within a duration; missing it triggers `deadline: deliverable`."""

    deliverable: str = ""
    from_role: str = Field(default="owner", alias="from")
    within: DurationText = "10 working days"


class CloseDeviation(ActionParams):
    """Close the subject's open deviation and its corrective actions (the goal is back on track)."""

    note: str = "{title} er tilbage på sporet"


BUILTIN_ACTIONS: dict[str, tuple[type[ActionParams], str]] = {
    "flag_deviation": (FlagDeviation, "flag_deviation:\n    reason: \"{title} er ude af kurs\""),
    "demand_action": (DemandAction, "demand_action:\n    from: owner\n    within: 10 working days"),
    "escalate": (Escalate, "escalate:\n    to: superior\n    within: 5 working days"),
    "notify": (Notify, "notify:\n    to: owner\n    message: \"{title} mangler opfølgning\""),
    "require_deliverable": (RequireDeliverable,
                            "require_deliverable:\n    deliverable: beskaeftigelsesplan\n    within: 10 working days"),
    "close_deviation": (CloseDeviation, "close_deviation:\n    note: \"{title} er tilbage på sporet\""),
}


@dataclass
class Vocabulary:
    """Subject kinds and actions known to one check or engine (built-ins plus plugins)."""

    kinds: dict[str, SubjectKind] = field(default_factory=lambda: dict(BUILTIN_KINDS))
    plugin_actions: dict[str, ActionSpec] = field(default_factory=dict)
    wheel_ids: frozenset[str] | None = None
    kpi_ids: frozenset[str] | None = None
    role_ids: frozenset[str] | None = None
    deliverable_ids: frozenset[str] | None = None

    @classmethod
    def build(cls, kinds: Iterable[SubjectKind] = (), actions: Iterable[ActionSpec] = ()) -> Vocabulary:
        vocab = cls()
        for k in kinds:
            vocab.kinds[k.name] = k
        for a in actions:
            vocab.plugin_actions[a.name] = a
        return vocab

    def fields(self, kind: str) -> Mapping[str, FieldSpec]:
        out = {f.name: f for f in COMMON_FIELDS}
        for f in self.kinds[kind].fields:
            out[f.name] = f
        return out

    def action_names(self) -> list[str]:
        return sorted([*BUILTIN_ACTIONS, *self.plugin_actions])

    def action_params(self, name: str) -> type[BaseModel] | None:
        if name in BUILTIN_ACTIONS:
            return BUILTIN_ACTIONS[name][0]
        spec = self.plugin_actions.get(name)
        return spec.params if spec else None
