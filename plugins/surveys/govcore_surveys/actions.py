"""The `request_decision` action: ask a role (the political committee) to decide on a subject."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from govcore import ActionContext, ActionSpec


class RequestDecision(BaseModel):
    """Ask `from` (a role id, or owner / superior) to decide `question`; records `decision_requested`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_role: str = Field(default="arbejdsmarkedsudvalget", alias="from")
    question: str = Field(min_length=1)


def request_decision(ctx: ActionContext, params: RequestDecision) -> None:
    subject = ctx.subject
    ctx.emit("decision_requested", owner=ctx.role(params.from_role), question=ctx.render(params.question),
             area=subject.fields.get("area", subject.id), respondent=subject.fields.get("respondent", ""),
             subject=subject.id)


ACTION = ActionSpec(
    name="request_decision",
    description="ask a role (by default the political committee, arbejdsmarkedsudvalget) to decide on the "
                "subject, e.g. whether to lift the effort in a survey area; records a 'decision_requested' "
                "event with the role, the question and the area",
    params=RequestDecision,
    run=request_decision,
    example='request_decision:\n    from: arbejdsmarkedsudvalget\n'
            '    question: "Skal indsatsen på {title} løftes?"',
    events=("decision_requested",),
)
