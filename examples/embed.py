"""Embedding govcore in another municipal system: load a configuration, feed observations, advance
the clock, read open deviations and corrective actions, and answer them.

Run it from the repository root:  .venv/bin/python examples/embed.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import govcore


def main() -> None:
    config = govcore.load_config(Path(__file__).parent / "vejle")
    with govcore.Engine(config, start=dt.date(2021, 1, 1)) as engine:
        # The clock is the engine's own: nothing happens until we advance it.
        engine.advance_to(dt.date(2021, 4, 30))

        # A KPI source delivers a figure late in April (e.g. from the municipality's BI system).
        engine.observe(govcore.Observation(
            kpi="jobaabninger-besat", period="2021-04", value=36.5, known_at=dt.date(2021, 5, 2),
            source="BI-eksport"))

        # The May follow-up happens on the first working day of May.
        for event in engine.advance_to(dt.date(2021, 5, 31)):
            if event.type in ("deviation_flagged", "action_demanded", "escalated"):
                print(f"{event.at:%d.%m.%Y} {event.type:18} {event.subject:28} -> {event.owner}")

        print("\nOpen deviations:")
        for deviation in engine.open_deviations():
            print(f"  {deviation.id} {deviation.subject}: {deviation.reason}")

        print("\nOpen corrective actions:")
        for action in engine.open_actions():
            print(f"  {action.id} {action.title} – {action.owner}, due {action.due:%d.%m.%Y} ({action.state.value})")

        # The owner answers through the host system; the engine records it at its current time.
        waiting = [a for a in engine.open_actions() if a.state.value in ("demanded", "escalated")]
        if waiting:
            for event in engine.submit_action(waiting[0].id, "Plan: ekstra opfølgning hver uge"):
                print(f"\n{event.type}: {event.details['action']} by {event.owner}")

        status = engine.goal_statuses()["rm5-jobaabninger"]
        print(f"\nrm5-jobaabninger: {status.status.value} ({status.explanation})")


if __name__ == "__main__":
    main()
