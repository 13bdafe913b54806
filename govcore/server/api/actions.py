"""Corrective actions: the task list, and submitting, accepting, rejecting; delivering deliverables."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from govcore.server.api import MUNICIPALITY, Code
from govcore.server.auth import CurrentPrincipal, Live

router = APIRouter(prefix=MUNICIPALITY, tags=["actions"])

Ident = Annotated[str, Path(max_length=100, description="The id, e.g. act-0001")]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=10_000, description="What was done, or why (required to submit and "
                                                                  "to reject).")


@router.get("/actions", summary="Corrective actions, all or by state")
def actions(code: Code, who: CurrentPrincipal, live: Live,
            state: Annotated[str | None, Query(description="open (not closed), all, or one state: demanded, "
                                                           "escalated, submitted, accepted, rejected, closed")] = None
            ) -> list[dict[str, Any]]:
    return live.actions(who, code, state)


@router.get("/actions/{action_id}", summary="One corrective action")
def action(code: Code, action_id: Ident, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.action(who, code, action_id)


@router.post("/actions/{action_id}/submit", summary="The owner submits the corrective action")
def submit(code: Code, action_id: Ident, body: Answer, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.submit(who, code, action_id, body.text)


@router.post("/actions/{action_id}/accept", summary="A superior accepts the submitted action")
def accept(code: Code, action_id: Ident, who: CurrentPrincipal, live: Live,
           body: Answer | None = None) -> dict[str, Any]:
    return live.accept(who, code, action_id, body.text if body else "")


@router.post("/actions/{action_id}/reject", summary="A superior rejects the submitted action, saying why")
def reject(code: Code, action_id: Ident, body: Answer, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.reject(who, code, action_id, body.text)


@router.post("/deliverables/{deliverable_id}/deliver", summary="Report a deliverable delivered")
def deliver(code: Code, deliverable_id: Ident, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.deliver(who, code, deliverable_id)
