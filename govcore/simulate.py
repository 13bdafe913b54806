"""A simulated year: run the engine from 1 January to 31 December and write what happened."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcore.config import Configuration
from govcore.engine import Engine, EngineEvent


@dataclass
class SimulationResult:
    config: Configuration
    year: int
    events: list[EngineEvent]
    summary: dict[str, Any]

    def events_jsonl(self) -> str:
        return "".join(e.to_json() + "\n" for e in self.events)


def summarize(engine: Engine) -> dict[str, Any]:
    """Counts per event type, the final status of every goal, and what is still open."""
    cfg = engine.config
    end = engine.now.date()
    statuses = {}
    for g in cfg.goals:
        r = engine.goal_result(g, end)
        statuses[g.id] = {"title": g.title, "level": g.level.value, "owner": g.owner, "status": r.status.value,
                          "actual": r.actual, "expected": r.expected, "period": r.period,
                          "explanation": r.explanation, "in_effect": cfg.goal_active(g, end)}
    stream = "".join(e.to_json() + "\n" for e in engine.events)
    return {
        "municipality": {"code": cfg.municipality.code, "name": cfg.municipality.name},
        "year": engine.year,
        "until": engine.now.isoformat(),
        "configuration_version": cfg.version(),
        "rules_version": cfg.rules.version(),
        "rules": len(cfg.rules.rules),
        "events": len(engine.events),
        "events_sha256": hashlib.sha256(stream.encode()).hexdigest(),
        "counts": dict(sorted(Counter(e.type for e in engine.events).items())),
        "goals": statuses,
        "national_goals": [{"id": n.id, "number": n.number, "title": n.title, "status": n.status}
                           for n in cfg.national_goals],
        "open_deviations": [d.model_dump(mode="json") for d in engine.open_deviations()],
        "open_actions": [a.model_dump(mode="json") for a in engine.open_actions()],
        "escalations": [e.model_dump(mode="json") for e in engine.escalations.values()],
        "deliverables": {
            d: {"due": engine.required[d].isoformat() if d in engine.required else None,
                "delivered": engine.delivered[d].isoformat() if d in engine.delivered else None}
            for d in cfg.deliverables
        },
    }


def simulate(config: Configuration, *, year: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Run a whole year. `progress(done, total)` is called per processed item (for a progress bar)."""
    y = year or config.year
    with Engine(config, year=y) as engine:
        end = engine.calendar.local_datetime(dt.date(y, 12, 31), 23, 59)
        total = engine.pending()
        for done, _ in enumerate(engine.steps(end), start=1):
            if progress is not None:
                progress(done, max(total, done))
        engine.advance_to(end)
        return SimulationResult(config, y, list(engine.events), summarize(engine))


def write_outputs(result: SimulationResult, out: Path, *, report_format: str = "md") -> list[Path]:
    """Write events.jsonl, summary.json and the year report; returns the files written."""
    from govcore.report import render_report

    out.mkdir(parents=True, exist_ok=True)
    files = []
    p = out / "events.jsonl"
    p.write_text(result.events_jsonl(), encoding="utf-8")
    files.append(p)
    p = out / "summary.json"
    p.write_text(json.dumps(result.summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    files.append(p)
    for fmt in ("md", "html") if report_format == "both" else (report_format,):
        p = out / f"report.{fmt}"
        p.write_text(render_report(result, fmt), encoding="utf-8")
        files.append(p)
    return files
