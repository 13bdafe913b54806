"""The words for the decision log's event types, one table for every place that names them.

The year report counts events by type ("Afvigelser åbnet: 12") and the goal page lists them one at a
time ("Afvigelse åbnet"); both read this table, so a type has one wording in two numbers: the
singular for one event (`EVENT_WORDS`), the plural for a count or a heading (`EVENT_LABELS`). Each
label is translated when it is read (`govcore.labels.Labels`).

The messages belong to the report's catalog (scripts/i18n.py puts this file in the `report` domain).
"""

from __future__ import annotations

from govcore.i18n import N_, _, reword
from govcore.labels import Labels

__all__ = ["ACTION_IS", "ACTION_STATES", "EVENT_LABELS", "EVENT_TYPES", "EVENT_WORDS", "NO_ACTION_MATCHES",
           "NO_DECISION_ABOUT", "ONLY_SUBMITTED_ACCEPTED", "ONLY_SUBMITTED_REJECTED", "SUBJECT_KINDS", "action_state",
           "ignored_reason", "state_word"]

# A corrective action's state as the report, the goal pages and the task list name it.
ACTION_STATES = Labels({"demanded": N_("Awaiting action"), "escalated": N_("Escalated – awaiting action"),
                        "submitted": N_("Submitted – awaiting approval"), "accepted": N_("Approved"),
                        "rejected": N_("Rejected – awaiting a new action"), "closed": N_("Closed")})
# The engine's own subject kinds (a plugin's kinds are named by their SubjectKind).
SUBJECT_KINDS = Labels({"goal": N_("goal"), "deliverable": N_("deliverable"), "action": N_("action")})


def state_word(state: str) -> str:
    """An action's state as one word inside a sentence ("er godkendt"); an unknown state as it is."""
    word = _STATE_WORDS["state"].get(state)
    return _(word) if word is not None else state


def action_state(state: str) -> str:
    """An action's state in the reader's words; a state this table does not know, as it is."""
    return ACTION_STATES.get(state, state)

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


# Why an answer had no effect, recorded in English (stored runs hold these texts: the same bytes in
# every language); `ignored_reason` gives a reader their language.
NO_ACTION_MATCHES = N_("no open corrective action matches")
ACTION_IS = N_("the action is {state}")
ONLY_SUBMITTED_ACCEPTED = N_("only a submitted action can be accepted")
ONLY_SUBMITTED_REJECTED = N_("only a submitted action can be rejected")
NO_DECISION_ABOUT = N_("no decision about '{subject}' is open")
_IGNORED_REASONS = (
    NO_ACTION_MATCHES, ACTION_IS, ONLY_SUBMITTED_ACCEPTED, ONLY_SUBMITTED_REJECTED, NO_DECISION_ABOUT,
    # check_decision's refusals and their hints, recorded inside use_language("en")
    N_("unknown decision '{decision}' ({hint})"), N_("decision '{decision}' was taken on {day}: {option}"),
    N_("'{option}' is not an option of decision '{decision}' ({hint})"), N_("did you mean '{word}'?"),
    N_("expected one of: {choices}"), N_("open decisions: "), N_("no decision is open"),
)
_STATE_WORDS = {"state": {"demanded": N_("demanded"), "submitted": N_("submitted"), "accepted": N_("accepted"),
                          "rejected": N_("rejected"), "escalated": N_("escalated"), "closed": N_("closed")}}


def ignored_reason(reason: str) -> str:
    """A recorded `response_ignored` reason in the reader's language (recorded in English)."""
    return reword(reason, _IGNORED_REASONS, _STATE_WORDS)
