"""govcore hooks: the year's ministermål, and the dated announcement of next year's goals."""

from __future__ import annotations

from govcore import NationalGoal, WheelEvent, hookimpl
from govcore_ministermaal.loader import load_year

ANNOUNCEMENT_DEFINITION = "ministermaal.announcement"


@hookimpl
def govcore_national_goals(year: int) -> list[NationalGoal] | None:
    """The goals for `year` from the packaged data, or None when there is no file for that year."""
    goal_set = load_year(year)
    return list(goal_set.goals) if goal_set else None


@hookimpl
def govcore_wheel_events(year: int) -> list[WheelEvent] | None:
    """The day in `year` on which the minister announced the goals for `year + 1`.

    Only given when a public source dates the announcement (``announced:`` in next year's file).
    """
    goal_set = load_year(year + 1)
    if goal_set is None or goal_set.announced is None or goal_set.announced.date.year != year:
        return None
    announced = goal_set.announced
    return [
        WheelEvent(
            id=f"ministermaal-{goal_set.year}-announced",
            definition=ANNOUNCEMENT_DEFINITION,
            title=f"Beskæftigelsesministeren udmelder de beskæftigelsespolitiske mål for {goal_set.year}",
            kind="as_of",
            date=announced.date,
            nominal_date=announced.date,
            responsible=None,
            by_others="Beskæftigelsesministeren",
            source=announced.source,
            description=f"Kilde: {announced.source}",
        )
    ]
