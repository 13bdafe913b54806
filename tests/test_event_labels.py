"""One wording for the decision log's event types (govcore.event_labels): the goal page's words for one
event and the report's counts are the same table, in Danish by default and in English on request."""

from __future__ import annotations

from govcore.event_labels import EVENT_LABELS, EVENT_TYPES, EVENT_WORDS
from govcore.i18n import use_language
from govcore.web.views.goals import LOG_TYPES


def test_the_goal_page_and_the_report_read_one_table() -> None:
    assert set(LOG_TYPES) <= set(EVENT_TYPES)  # every type the goal page lists has its words
    assert (EVENT_WORDS["action_accepted"], EVENT_LABELS["action_accepted"]) == ("Handling godkendt",
                                                                                 "Handlinger godkendt")
    assert (EVENT_WORDS["notification"], EVENT_LABELS["notification"]) == ("Varsling", "Varslinger")
    assert EVENT_WORDS["goal_status"] == "Status ændret" and EVENT_LABELS["goal_status"] == "Statusændringer"
    with use_language("en"):
        assert (EVENT_WORDS["action_accepted"], EVENT_LABELS["action_accepted"]) == ("Action approved",
                                                                                     "Actions approved")
        assert EVENT_WORDS.get("deliverable_required") == "Deliverable required"
    assert EVENT_WORDS.get("no_such_type", "no_such_type") == "no_such_type"
