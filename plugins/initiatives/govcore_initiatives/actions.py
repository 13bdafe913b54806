"""The `demand_decision` action: ask a role to decide an initiative's future (continue, adjust, close)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from govcore import ActionContext, ActionSpec

OPTIONS = ("continue", "adjust", "close")


class DemandDecision(BaseModel):
    """Ask `from` (a role id, or owner / superior) to choose one of `options` about the subject."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_role: str = Field(default="superior", alias="from")
    question: str = Field(default="Skal {title} fortsætte, justeres eller lukkes?", min_length=1)
    options: tuple[str, ...] = Field(default=OPTIONS, min_length=2)


def demand_decision(ctx: ActionContext, params: DemandDecision) -> None:
    ctx.request_decision(ctx.role(params.from_role), ctx.render(params.question), params.options,
                         subject=ctx.subject.id)


def _options(params: DemandDecision) -> tuple[str, ...]:
    return params.options


ACTION = ActionSpec(
    name="demand_decision",
    description="ask a role (by default the owner's superior) to decide on the subject, choosing one of "
                "options (by default continue, adjust, close); records a 'decision_requested' event with the "
                "decision's id, the role, the question and the options. The answer (govcore respond decide) "
                "closes the open deviation; 'close' ends the initiative's follow-up",
    params=DemandDecision,
    run=demand_decision,
    example='demand_decision:\n    from: superior\n    question: "Skal {title} fortsætte, justeres eller lukkes?"',
    events=("decision_requested",),
    decision_options=_options,
)
