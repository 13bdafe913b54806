"""A simulated span: run one engine from a start date to an end date and write what happened.

One calendar year (`year=`) is the shorthand; a span of several years is one continuous run, with
a summary and a report for each calendar year in it besides the ones for the whole span.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcore.config import Configuration
from govcore.engine import Engine, EngineEvent, event_line
from govcore.errors import GovcoreError
from govcore.formatting import danish_date
from govcore.i18n import _, ngettext


@dataclass
class SimulationResult:
    config: Configuration
    year: int
    events: list[EngineEvent]
    summary: dict[str, Any]
    # Each calendar year of a span of several years, with its own events and summary (empty for one year).
    years: list[SimulationResult] = field(default_factory=list)
    # events.jsonl's bytes (UTF-8) as the summary's digest hashed them, in pieces, when the run
    # kept them (`simulate(..., keep_lines=True)`): `write_outputs` writes these instead of encoding
    # every event again. None: not kept (a long run's lines are about as big as its events).
    jsonl: list[bytes] | None = field(default=None, repr=False, compare=False)

    def events_jsonl(self) -> str:
        if self.jsonl is not None:
            return b"".join(self.jsonl).decode()
        return "".join(_line(e) + "\n" for e in self.events)


def _line(event: EngineEvent) -> str:
    """The event's line in events.jsonl (`EngineEvent.json_line`, the same bytes), without keeping
    it on the event (a year with a million observations has 250,000 events; their kept lines would
    be about 100 MB)."""
    kept = getattr(event, "__dict__", {}).get("json_line")
    return kept if isinstance(kept, str) else event_line(event)


_DIGEST_CHUNK = 512  # lines hashed at once: a few hundred kB, never the whole stream


def events_digest(events: Sequence[EngineEvent], *also: Any) -> str:
    """sha256 of the events as events.jsonl holds them, a chunk of lines at a time (never the
    whole stream at once); each chunk also goes into the hashes `also` (a span's digest from its
    years' lines). The same bytes in the same order as line by line, in far fewer calls. A line
    an event keeps (`EngineEvent.json_line`, which a stored run reads) is not made again."""
    return _digest(events, also, _line)


def _digest(events: Sequence[EngineEvent], also: Sequence[Any], line: Callable[[EngineEvent], str],
            keep: list[bytes] | None = None) -> str:
    """`events_digest`, each line made by `line`; each chunk is also appended to `keep`.
    `simulate` passes `event_line` itself: its engine's events keep no line (nothing asked for
    one), and looking for a kept line gave every event an (empty) attribute dict."""
    digest = hashlib.sha256()
    for chunk in _chunks(events, line):
        if keep is not None:
            keep.append(chunk)
        digest.update(chunk)
        for other in also:
            other.update(chunk)
    return digest.hexdigest()


_encode = str.encode  # UTF-8


def _chunks(events: Sequence[EngineEvent], line: Callable[[EngineEvent], str]) -> Iterator[bytes]:
    """events.jsonl's bytes, `_DIGEST_CHUNK` lines at a time. Each line is encoded on its own and
    the bytes joined: a line with a character beyond Latin-1 (an en dash in a period) would make
    a joined text two bytes a character, and every other line of the chunk would be widened to
    join it and then narrowed again to encode it (about a fifth of a digest's time)."""
    for start in range(0, len(events), _DIGEST_CHUNK):
        encoded = list(map(_encode, map(line, events[start:start + _DIGEST_CHUNK])))
        encoded.append(b"")  # the last line's end
        yield b"\n".join(encoded)


@dataclass
class Tally:
    """How many events of each type, and the calendar years with an observation: what a summary
    counts. A span's is the sum of its years' (`add`), so no event is counted twice."""

    counts: Counter[str] = field(default_factory=Counter)
    observed: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, events: Sequence[EngineEvent]) -> Tally:
        counts = Counter(map(_TYPE, events))
        observed = {e.at.year for e in events if e.type == "observation"} if "observation" in counts else set()
        return cls(counts, observed)

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.observed |= other.observed


_TYPE = operator.attrgetter("type")


def summarize(engine: Engine, events: list[EngineEvent] | None = None, *,
              digest: str | None = None, tally: Tally | None = None) -> dict[str, Any]:
    """Counts per event type, the final status of every goal, and what is still open.

    `events` (default: all) are the events the counts and the hash cover: a year's own events in
    the summary of one calendar year of a longer run. `digest`: their `events_digest`, and
    `tally`: their `Tally`, when known.
    """
    cfg = engine.config
    evs = engine.events if events is None else events
    if tally is None:
        tally = Tally.of(evs)
    end = engine.now.date()
    statuses = {}
    for g in cfg.goals:
        r = engine.reused_lazy_result(g, end)  # the summary reads the words, not the inputs
        fc = engine.goal_forecast(g, end)
        statuses[g.id] = {"title": g.title, "level": g.level.value, "owner": g.owner, "status": r.status.value,
                          "actual": r.actual, "expected": r.expected, "period": r.period,
                          "explanation": r.explanation, "in_effect": cfg.goal_active(g, end),
                          "forecast": {**fc.fields(), "horizon": fc.horizon.isoformat()}}
    first = evs[0].at.date() if evs and events is not None else engine.start.date()
    years = list(range(first.year, end.year + 1))
    observed = tally.observed
    return {
        "municipality": {"code": cfg.municipality.code, "name": cfg.municipality.name},
        "year": first.year if events is not None else engine.year,
        "from": (first if events is not None else engine.start.date()).isoformat(),
        "until": engine.now.isoformat(),
        "years": years,
        # A period simulated without any observation is never a silent success.
        "years_without_observations": [y for y in years if y not in observed],
        "configuration_version": cfg.version(),
        "configuration_effective": cfg.effective.isoformat() if cfg.effective else None,
        "rules_version": cfg.rules.version(),
        "rules": len(cfg.rules.rules),
        "events": len(evs),
        "events_sha256": digest if digest is not None else events_digest(evs),
        "counts": dict(sorted(tally.counts.items())),
        "goals": statuses,
        "national_goals": [{"id": n.id, "number": n.number, "title": n.title, "status": n.status}
                           for n in cfg.national_goals_for(end.year)],
        "open_deviations": [d.model_dump(mode="json") for d in engine.open_deviations()],
        "open_actions": [a.model_dump(mode="json") for a in engine.open_actions()],
        "escalations": [e.model_dump(mode="json") for e in engine.escalations.values()],
        "decisions": [d.model_dump(mode="json") for d in engine.decisions.values()],
        "deliverables": {
            d: {"due": engine.required[d].isoformat() if d in engine.required else None,
                "delivered": engine.delivered[d].isoformat() if d in engine.delivered else None}
            for d in cfg.deliverables
        },
    }


def simulate(config: Configuration, *, year: int | None = None, start: dt.date | None = None,
             until: dt.date | None = None, progress: Callable[[int, int], None] | None = None,
             keep_lines: bool = False) -> SimulationResult:
    """Run from `start` (default 1 January of `year`) to the end of `until` (default 31 December of
    the start year) in one engine. `progress(done, total)` is called per processed item.
    `keep_lines`: keep events.jsonl's bytes, made once for the digests, in the results
    (`SimulationResult.jsonl`) for `write_outputs`.

    The summary says which calendar years of the span had no observation at all
    (`years_without_observations`): a period simulated without data is never a silent success.
    """
    first = start or dt.date(year or config.year, 1, 1)
    last = until or dt.date(first.year, 12, 31)
    if last < first:
        raise GovcoreError(_("the end {end} is before the start {start}").format(end=danish_date(last),
                                                                                  start=danish_date(first)))
    kept: list[bytes] | None = [] if keep_lines else None
    with Engine(config, start=first) as engine:
        end = engine.calendar.local_datetime(last, 23, 59)
        done = 0
        years: list[SimulationResult] = []
        several = last.year > first.year
        span = hashlib.sha256()  # the whole span's digest, from the years' lines
        if several:
            _digest(engine.events, (span,), event_line, kept)
        tally = Tally.of(engine.events)  # the whole span's, from the years' (as the digest)
        for y in range(first.year, last.year + 1):
            stop = min(end, engine.calendar.local_datetime(dt.date(y, 12, 31), 23, 59))
            before = len(engine.events)
            if progress is not None:  # item by item, to say how far it is
                for _step in engine.steps(stop):
                    done += 1
                    progress(done, max(done + engine.pending(), done))
            engine.advance_to(stop)
            if several:
                own = engine.events[before:]
                own_tally = Tally.of(own)
                tally.add(own_tally)
                own_kept: list[bytes] | None = [] if kept is not None else None
                digest = _digest(own, (span,), event_line, own_kept)
                if kept is not None and own_kept is not None:
                    kept += own_kept
                years.append(SimulationResult(engine.config, y, own, summarize(
                    engine, own, digest=digest, tally=own_tally), jsonl=own_kept))
        if years:
            whole = span.hexdigest()
        else:
            whole, tally = _digest(engine.events, (), event_line, kept), Tally.of(engine.events)
        return SimulationResult(engine.config, first.year, list(engine.events),
                                summarize(engine, digest=whole, tally=tally), years, jsonl=kept)


# --format: which report files to write ('both' is md and html, as before PDF existed).
REPORT_FORMATS: dict[str, tuple[str, ...]] = {"md": ("md",), "html": ("html",), "pdf": ("pdf",),
                                              "both": ("md", "html"), "all": ("md", "html", "pdf")}


def write_outputs(result: SimulationResult, out: Path, *, report_format: str = "md") -> list[Path]:
    """Write events.jsonl, summary.json and the report of the whole span (report.md/.html/.pdf);
    for a span of several years also each calendar year's report and summary (report-2021.md,
    summary-2021.json). The Markdown report's charts are SVG files in charts/ (charts-2021/ for
    report-2021.md), linked from it by relative paths. Returns the files written. PDF needs the
    `pdf` extra (govcore.pdf); its absence is reported before anything is written."""
    from govcore.report import render_report, render_report_files

    formats = REPORT_FORMATS[report_format]
    if "pdf" in formats:
        from govcore.pdf import require_pdf

        require_pdf()
    out.mkdir(parents=True, exist_ok=True)
    files = []
    p = out / "events.jsonl"
    with p.open("wb") as f:  # UTF-8, "\n" after each line; a chunk at a time, never the whole log
        for chunk in result.jsonl if result.jsonl is not None else _chunks(result.events, _line):
            f.write(chunk)  # result.jsonl: made once already, for the digest
    files.append(p)
    parts = [(result, ""), *((y, f"-{y.year}") for y in result.years)]
    for part, suffix in parts:
        p = out / f"summary{suffix}.json"
        p.write_text(json.dumps(part.summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        files.append(p)
        for fmt in formats:
            if fmt != "pdf":
                p = out / f"report{suffix}.{fmt}"
                text, charts = render_report_files(part, fmt, charts=f"charts{suffix}")  # type: ignore[arg-type]
                p.write_text(text, encoding="utf-8")
                files.append(p)
                for name, svg in sorted(charts.items()):  # the Markdown report's charts, beside it
                    chart = out / name
                    chart.parent.mkdir(exist_ok=True)
                    chart.write_text(svg, encoding="utf-8")
                    files.append(chart)
    if "pdf" in formats:
        from govcore.pdf import pdf_printer

        with pdf_printer() as printer:
            for part, suffix in parts:
                p = out / f"report{suffix}.pdf"
                p.write_bytes(printer.print(render_report(part, "html")))
                files.append(p)
    return files


def written_lines(files: Sequence[Path]) -> list[str]:
    """What `write_outputs` wrote, for a person to read: each report and summary by name, the
    Markdown reports' chart files counted per folder (a four-year span writes over a hundred)."""
    lines: list[str] = []
    charts: dict[Path, int] = {}
    for f in files:
        if f.suffix == ".svg":
            charts[f.parent] = charts.get(f.parent, 0) + 1
        else:
            lines.append(_("wrote {file}").format(file=f))
    lines += [ngettext("wrote {n} chart in {folder}/", "wrote {n} charts in {folder}/", n).format(n=n, folder=folder)
              for folder, n in charts.items()]
    return lines
