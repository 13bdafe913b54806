"""`govcore fetch`: new figures from remote KPI sources (Jobindsats, Statbank) into a stored run.

Each remote source lists its tables; each table is fetched on its own and is stored whole or not
at all: a table that fails (key refused, not found, server down, changed response shape…) is
reported and stores nothing, the others are stored. Only what is new is stored: a period not
stored before, or a value that differs from the stored one — which becomes a correction exactly
as `govcore observe` makes it (the old value stays in the history, goals are evaluated again).

Nothing is written to the database until every table has been fetched, and then in one call to
`observe` (one transaction for the observations), so a fetch killed at any moment leaves the
database as it was. Each stored observation's `source` records the table and its update stamp
(`jobindsats:Y36A02@2025-03-12`), which is how the next fetch knows what it has already seen.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from govcore.config import Configuration
from govcore.engine import EngineEvent
from govcore.extension import FetchContext, FetchedTable, KpiSource
from govcore.i18n import _
from govcore.model import Observation
from govcore.remote import FetchError, Http
from govcore.store.audit import list_runs, observation_history
from govcore.store.db import Database
from govcore.store.run import observe, opened
from govcore.store.schema import current_version

LOCAL = zoneinfo.ZoneInfo("Europe/Copenhagen")


@dataclass
class TableOutcome:
    """What became of one table: stored (with how many new and corrected values), unchanged,
    skipped (not updated since the last stored fetch) or failed (with the error)."""

    source: str
    table: str
    state: str
    updated: str = ""
    new: int = 0
    corrected: int = 0
    error: str = ""


@dataclass
class FetchResult:
    """What one `govcore fetch` did."""

    tables: list[TableOutcome] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    events: list[EngineEvent] = field(default_factory=list)
    requests: int = 0

    @property
    def failed(self) -> list[TableOutcome]:
        return [t for t in self.tables if t.state == "failed"]


def remote_sources(cfg: Configuration) -> dict[str, KpiSource]:
    """The configuration's sources that can be fetched (those with `tables` and `fetch`)."""
    installed = cfg.plugins.kpi_sources()
    out = {}
    for name in cfg.sources:
        src = installed[name][1] if name in installed else None
        if src is not None and src.tables is not None and src.fetch is not None:
            out[name] = src
    return out


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def source_tag(source: str, table: str, updated: str) -> str:
    return f"{source}:{table}@{updated}"


def fetch(cfg: Configuration, db: str | Database, *, year: int | None = None, start: dt.date | None = None,
          replay: Path | None = None, keep: Path | None = None, transport: httpx.BaseTransport | None = None,
          sleep: Callable[[float], None] = time.sleep, retries: int = 3,
          now: Callable[[], dt.datetime] | None = None) -> FetchResult:
    """Fetch every remote source of `cfg` and store what is new in the run from `start` (default:
    1 January of `year`; `cfg` may be the run's stored configuration, `stored_configuration`).

    `replay` answers every request from the responses kept in that folder (no network, no key);
    otherwise every raw response is kept in `keep`. `transport`, `sleep` and `now` (the time a
    response counts as received) are for tests and recordings.
    """
    y = year or cfg.year
    sources = remote_sources(cfg)
    if not sources:
        raise FetchError(_("the configuration names no remote KPI source under sources: (e.g. jobindsats or "
                           "statbank); see `govcore plugins`"), kind="settings")
    result = FetchResult()
    with opened(db) as database:
        stored = _stored(database, cfg.municipality.code, y, start)
        fetched: list[Observation] = []
        received: dt.datetime | None = None
        for name, src in sources.items():
            prefix = f"{name}:"
            seen: dict[str, str] = {}
            for r in stored:
                tag = str(r["source"] or "")
                if tag.startswith(prefix) and "@" in tag:
                    table, stamp = tag[len(prefix):].rsplit("@", 1)
                    seen[table] = max(seen.get(table, ""), stamp)
            with Http(name, keep=keep, replay=replay, transport=transport, sleep=sleep, retries=retries,
                      now=now or _utc_now) as http:
                ctx = FetchContext(municipality=cfg.municipality, base_dir=cfg.base_dir, settings=cfg.sources[name],
                                   year=y, http=http, kpis=cfg.kpis, seen=seen,
                                   national_goals=tuple(cfg.national_goals))
                assert src.tables is not None
                try:
                    tables = _call(src.tables, ctx, name, "")
                except FetchError as err:
                    result.tables.append(TableOutcome(name, "", "failed", error=str(err)))
                    result.requests += http.requests
                    continue
                for table in tables:
                    http.latest = None
                    outcome, obs = _one_table(src, ctx, name, table, cfg, stored + [_row(o) for o in fetched])
                    result.tables.append(outcome)
                    if obs:
                        when = http.latest or http.now()
                        known = when.astimezone(LOCAL).date()
                        fetched.extend(o.model_copy(update={"known_at": known}) for o in obs)
                        received = max(received or when, when)
                result.requests += http.requests
        if fetched:
            done = observe(cfg, database, fetched, year=y, start=start, received_at=received)
            result.added, result.events = done.added, done.events
    return result


def _call(fn: Callable[..., Any], ctx: FetchContext, source: str, table: str, *args: Any) -> Any:
    """A plugin call whose unexpected failure is reported with the plugin, never as a traceback."""
    try:
        return fn(ctx, *args)
    except FetchError:
        raise
    except Exception as err:
        raise FetchError(_("the plugin failed: {error}").format(error=f"{type(err).__name__}: {err}"), kind="plugin",
                         source=source, table=table) from None


def _one_table(src: KpiSource, ctx: FetchContext, name: str, table: str, cfg: Configuration,
               stored: Sequence[dict[str, Any]]) -> tuple[TableOutcome, list[Observation]]:
    assert src.fetch is not None
    try:
        got: FetchedTable = _call(src.fetch, ctx, name, table, table)
        for o in got.observations:
            if o.kpi not in cfg.kpis:
                raise FetchError(_("the plugin gave an observation of KPI '{kpi}', which the configuration does "
                                   "not have").format(kpi=o.kpi), kind="plugin", source=name, table=table)
    except FetchError as err:
        return TableOutcome(name, table, "failed", error=str(err)), []
    if got.skipped:
        return TableOutcome(name, table, "skipped", updated=got.updated), []
    current: dict[tuple[Any, ...], float] = {}
    for r in sorted(stored, key=lambda r: int(r["n"])):
        current[(r["kpi"], r["series"], r["of_municipality"], r["period"])] = float(r["value"])
    new, corrected, keep = 0, 0, []
    tag = source_tag(name, table, got.updated)
    for o in got.observations:
        before = current.get((o.kpi, o.series, o.municipality, o.period))
        if before is not None and before == o.value:
            continue
        new, corrected = (new + 1, corrected) if before is None else (new, corrected + 1)
        keep.append(o.model_copy(update={"source": tag}))
    state = "stored" if keep else "unchanged"
    return TableOutcome(name, table, state, updated=got.updated, new=new, corrected=corrected), keep


def _row(o: Observation) -> dict[str, Any]:
    """A fetched observation as a stored row would look (so two tables cannot store one value twice)."""
    return {"n": 10**12, "kpi": o.kpi, "series": o.series, "of_municipality": o.municipality, "period": o.period,
            "value": o.value, "source": o.source}


def _stored(db: Database, code: str, year: int, start: dt.date | None = None) -> list[dict[str, Any]]:
    """The observation rows already stored for the run (none when there is no run, or no schema yet —
    reading must not create anything: a fetch that fails leaves the database as it was)."""
    def version(conn: sa.Connection) -> int | None:
        return current_version(conn)

    if db.read(version) is None:
        return []
    runs = list_runs(db, code, None, start.isoformat()) if start else list_runs(db, code, year)
    return observation_history(db, runs[0]) if runs else []
