"""What happened to a run's corrective actions: every submission, acceptance and rejection with
its comment, when, and who gave it — the trail "Mine opgaver" shows under each action.

`LiveRuns.events` pages through the whole decision log; an action's trail needs only the three
answer events, so they are read here by type (a year's run has thousands of other events).
Who answered comes from the stored responses, matched to their events as the decision log's
`actor` is (`govcore.access.live`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from govcore.access.live import EVENT, RESP, LiveRuns, actors_of_answers, response_key
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal

ANSWER_EVENTS = ("action_submitted", "action_accepted", "action_rejected")


@dataclass(frozen=True)
class Answer:
    """One answer on a corrective action: `kind` is submitted, accepted or rejected; `actor` is
    "user:…" or "key:…" when given through the server or the CLI, None from a responses file."""

    action: str
    kind: str
    at: str
    text: str
    actor: str | None
    new_due: str | None


def answers(live: LiveRuns, principal: Principal, municipality: str) -> dict[str, list[Answer]]:
    """Every answer of the municipality's live run, by action id, in the order they were given."""
    authorize(principal, Operation.READ_EVENTS, municipality)
    run = live.run(municipality)

    def work(conn: sa.Connection) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        events = [dict(r._mapping) for r in conn.execute(sa.select(EVENT.c.at, EVENT.c.type, EVENT.c.details).where(
            EVENT.c.municipality == run.municipality, EVENT.c.start == run.start,
            EVENT.c.type.in_(ANSWER_EVENTS)).order_by(EVENT.c.seq))]
        given = [dict(r._mapping) for r in conn.execute(sa.select(
            RESP.c.n, RESP.c.kind, RESP.c.data, RESP.c.date, RESP.c.time, RESP.c.actor).where(
            RESP.c.municipality == run.municipality, RESP.c.start == run.start,
            RESP.c.actor.is_not(None)).order_by(RESP.c.n))] if events else []
        return events, given

    events, given = live.db.read(work)
    actors = actors_of_answers(given)
    out: dict[str, list[Answer]] = {}
    for e in events:
        details = json.loads(str(e["details"]))
        at, kind = str(e["at"]), str(e["type"])
        key = response_key(kind, details, at)
        action = str(details.get("action", ""))
        new_due = details.get("new_due")
        out.setdefault(action, []).append(Answer(
            action=action, kind=kind.removeprefix("action_"), at=at, text=str(details.get("text") or ""),
            actor=actors.get(key) if key is not None else None,
            new_due=str(new_due) if new_due else None))
    return out
