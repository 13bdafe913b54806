"""The words for the decision log's event types, one table for every place that names them.

The year report counts events by type ("Afvigelser åbnet: 12") and the goal page lists them one at a
time ("Afvigelse åbnet"); both read this table, so a type has one wording in two numbers: the
singular for one event (`EVENT_WORDS`), the plural for a count or a heading (`EVENT_LABELS`). Each
label is translated when it is read (`govcore.labels.Labels`).

The messages belong to the report's catalog (scripts/i18n.py puts this file in the `report` domain).
"""

from __future__ import annotations

from govcore.i18n import N_
from govcore.labels import Labels

__all__ = ["EVENT_LABELS", "EVENT_TYPES", "EVENT_WORDS"]

# type → (one event, several events / a heading)
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "observation": (N_("Observation received"), N_("Observations received")),
    "followup": (N_("Follow-up"), N_("Follow-ups")),
    "milestone": (N_("Milestone"), N_("Milestones")),
    "deviation_flagged": (N_("Deviation opened"), N_("Deviations opened")),
    "deviation_closed": (N_("Deviation closed"), N_("Deviations closed")),
    "action_demanded": (N_("Corrective action demanded"), N_("Corrective actions demanded")),
    "action_submitted": (N_("Action submitted"), N_("Actions submitted")),
    "action_accepted": (N_("Action approved"), N_("Actions approved")),
    "action_rejected": (N_("Action rejected"), N_("Actions rejected")),
    "action_overdue": (N_("The action's deadline missed"), N_("Deadlines missed")),
    "escalated": (N_("Escalated"), N_("Escalations")),
    "escalation_exhausted": (N_("Escalation exhausted"), N_("Escalations exhausted")),
    "notification": (N_("Alert"), N_("Alerts")),
    "deliverable_required": (N_("Deliverable required"), N_("Deliverables required")),
    "deliverable_delivered": (N_("Deliverable delivered"), N_("Deliverables delivered")),
    "deliverable_missed": (N_("Deliverable not delivered on time"), N_("Deliverables not delivered on time")),
    "decision_requested": (N_("Decision requested"), N_("Decisions requested")),
    "decision_made": (N_("Decision made"), N_("Decisions made")),
    "response_ignored": (N_("Response without effect"), N_("Responses without effect")),
    "configuration_changed": (N_("Configuration changed"), N_("Configuration changed")),
    "year_started": (N_("New year"), N_("New year")),
    "goal_status": (N_("Status changed"), N_("Status changes")),
}
EVENT_WORDS = Labels({t: one for t, (one, _several) in EVENT_TYPES.items()})
EVENT_LABELS = Labels({t: several for t, (_one, several) in EVENT_TYPES.items()})
