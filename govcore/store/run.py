"""Persistent runs: a municipality's timeline in the database, committed in batches of simulated days.

A run is keyed by municipality and start date and is open-ended: `tick` carries it across any
number of new years (the engine lays out each year's wheel and takes each configuration version
at its effective date); `simulate --db` runs it to a given end.

The engine is deterministic: its state is a function of the configuration, the inputs and the
clock. So the database stores the inputs (the configuration version, observations and responses
with when they were fed) and what the engine decided (the event log, plus the deviations,
corrective actions, escalations and deliverables as they stand). To continue a run, a fresh
engine replays the stored inputs up to the last committed item; the replayed events must hash to
exactly the stored chain, otherwise the run refuses to continue. From there the processed items
are committed in batches (whole simulated days, see BATCH_MIN), each in one transaction with their
events, the records they changed and the run's progress row — so a process killed at any moment leaves the
database at a batch boundary, and continuing gives the same events, summary and rows as a run
that was never interrupted (nothing stored depends on where the batches were cut).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from govcore.config import Configuration, Response
from govcore.engine import Engine, EngineEvent
from govcore.errors import EngineError, GovcoreError
from govcore.i18n import _
from govcore.model import Observation, Observations
from govcore.model import ObservationRow as HeldObservation
from govcore.simulate import SimulationResult, Tally, events_digest, summarize
from govcore.store import chain, config_observations, configs, facts, outbox
from govcore.store.audit import run_label as audit_label
from govcore.store.audit import start_text
from govcore.store.db import Database, DatabaseError, LockLost, driver, open_database, row_dicts
from govcore.store.locks import run_lock
from govcore.store.schema import ensure
from govcore.store.tables import (
    RUN_TABLES,
    ActionRow,
    ConfigVersion,
    DeliverableRow,
    DeviationRow,
    EscalationRow,
    EventRow,
    ObservationRow,
    ResponseRow,
    RuleVersion,
    Run,
    table,
)

RUN = table(Run)
FILE = configs.FILE
EVENT = table(EventRow)
OBS = table(ObservationRow)
RESP = table(ResponseRow)
CONFIG = table(ConfigVersion)
RULE = table(RuleVersion)
DEVIATION = table(DeviationRow)
ACTION = table(ActionRow)
ESCALATION = table(EscalationRow)
DELIVERABLE = table(DeliverableRow)


class RunError(GovcoreError):
    """A stored run cannot be used as asked (missing, already there, different configuration...)."""


class RunRace(RunError):
    """Another process created or moved the run at the same time: nothing was written, and the same
    command run again will see what the other one did (the server answers 409 Conflict)."""


def _cj(value: Any) -> str:
    return chain.canonical_json(value)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def fingerprint_parts(cfg: Configuration, start: dt.date) -> dict[str, str]:
    """A hash of each part a run depends on (stored, to name what changed when a resume is refused)."""
    parts: dict[str, Any] = {
        "files": cfg.version(), "rules": cfg.rules.version(), "municipality": cfg.municipality.code,
        "start": start.isoformat(), "goals": [g.model_dump(mode="json") for g in cfg.goals],
        "kpis": {k: v.model_dump(mode="json") for k, v in sorted(cfg.kpis.items())},
        "organisation": cfg.organisation.model_dump(mode="json"),
        "deliverables": {k: v.model_dump(mode="json") for k, v in sorted(cfg.deliverables.items())},
        "observations": None,  # hashed from its text, written directly (_observations_json)
        "responses": [r.model_dump(mode="json") for r in cfg.responses],
        "wheel": [e.model_dump(mode="json") for e in cfg.wheel_events(start.year)],
        "sources": cfg.sources, "national goals": [n.id for n in cfg.national_goals],
    }
    # Each dated configuration version on its own: a version effective after the run's clock may
    # be added or changed in a stored run; one effective before it would rewrite the past.
    for v in cfg.versions:
        if v.effective is not None:
            parts[f"{VERSION_PART}{v.effective.isoformat()}"] = v.fingerprint()
    return {k: _observations_hash(cfg.observations) if k == "observations" else hashlib.sha256(_cj(v).encode())
            .hexdigest() for k, v in parts.items()}


VERSION_PART = "version from "

_OBSERVATION_FIELDS = ("kpi", "period", "value", "series", "municipality", "source", "known_at")
_PLAIN_OBSERVATION = tuple(Observation.model_fields) == _OBSERVATION_FIELDS
_json_str = json.encoder.encode_basestring  # the canonical encoder's own string escaping (ensure_ascii=False)


_OBSERVATIONS_HASH = ("govcore.store.run", "observations sha256")


def _observations_hash(observations: Sequence[Observation]) -> str:
    """The fingerprint's part for a configuration's observations: the SHA-256 of their canonical
    JSON, two thirds of a fingerprint (4.4 of 6.6 ms for examples/vejle). Kept with the rows
    (`Observations.derived`, emptied when a row is added; shared by `dataclasses.replace`, which
    every opening of a live run makes), so a server that opens a run again and again, at each
    request and tick, works it out once per configuration; a run that has a list of its own
    (a configuration made in code) pays it each time, as before."""
    if not isinstance(observations, Observations):
        return hashlib.sha256(_observations_json(observations).encode()).hexdigest()
    derived = observations.derived()
    found: str | None = derived.get(_OBSERVATIONS_HASH)
    if found is None:
        found = derived[_OBSERVATIONS_HASH] = hashlib.sha256(_observations_json(observations).encode()).hexdigest()
    return found


def _observations_json(observations: Sequence[Observation]) -> str:
    """`canonical_json([o.model_dump(mode="json") for o in observations])`, written directly:
    the dump and the encoder's key sorting were about two thirds of a run's fingerprint (3,020
    observations, 12–20 ms). The keys' texts around the period are made once per KPI and
    municipality, and once per series and source (a configuration has a few dozen of each), and
    a known date's text once per date. Each observation whose fields are not of the usual types
    (or if `Observation` grows a field) goes through pydantic and the encoder as before; a test
    compares both texts."""
    out: list[str] = []
    append = out.append
    heads: dict[tuple[str, str | None], str] = {}  # '"kpi":…,"municipality":…,"period":'
    tails: dict[tuple[str, str], str] = {}  # ',"series":…,"source":…,"value":'
    days: dict[dt.date | None, str] = {None: "null"}
    # A configuration's observations are held as rows; reading them as `Observation`s would make
    # a pydantic object of each (a third of this function's time).
    for o in (observations.rows() if isinstance(observations, Observations) else observations):
        value, known, muni, kpi, series, source = o.value, o.known_at, o.municipality, o.kpi, o.series, o.source
        if _PLAIN_OBSERVATION and type(value) is float and math.isfinite(value) and type(kpi) is str and \
                type(o.period) is str and type(series) is str and type(source) is str and \
                (known is None or type(known) is dt.date) and (muni is None or type(muni) is str):
            day = days.get(known)
            if day is None:
                day = days[known] = f'"{known.isoformat()}"'  # type: ignore[union-attr]
            head = heads.get((kpi, muni))
            if head is None:
                head = heads[(kpi, muni)] = \
                    f'"kpi":{_json_str(kpi)},"municipality":{"null" if muni is None else _json_str(muni)},"period":'
            tail = tails.get((series, source))
            if tail is None:
                tail = tails[(series, source)] = f',"series":{_json_str(series)},"source":{_json_str(source)},"value":'
            append(f'{{"known_at":{day},{head}{_json_str(o.period)}{tail}{float.__repr__(value)}}}')
        else:
            append(_cj((o.model() if isinstance(o, HeldObservation) else o).model_dump(mode="json")))
    return f"[{','.join(out)}]"


def _rewrites_past(before: dict[str, str], now: dict[str, str], clock: dt.datetime, what: str) -> str | None:
    """None when `now` differs from `before` only in configuration versions effective after the
    run's clock; else why the new configuration cannot be taken (a plain message)."""
    others = sorted(k for k in set(before) | set(now) if not k.startswith(VERSION_PART) and before.get(k) != now.get(k))
    if others:
        return f"changed: {', '.join(others)}"
    for key in sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k)):
        day = dt.date.fromisoformat(key.removeprefix(VERSION_PART))
        if day <= clock.date():
            how = _("added") if key not in before else _("removed") if key not in now else _("changed")
            return _("the configuration version effective {day} was {how}, but the run of {run} is already at "
                     "{clock}: that would rewrite the past. A stored run takes new versions only from "
                     "a date after its clock (effective {next} or later)").format(
                         day=day, how=how, run=what, clock=clock.isoformat(), next=clock.date() + dt.timedelta(days=1))
    return None


def config_fingerprint(cfg: Configuration, start: dt.date, parts: dict[str, str] | None = None) -> str:
    """What a run depends on, hashed: every file's hash and the parsed inputs for the year.

    `Configuration.version()` alone is not enough: it keys files by base name, so a rule file and
    a configuration file with the same name (goals.yaml) hide one another. The parsed goals, KPIs,
    organisation, observations, responses, wheel dates and source settings are hashed as well;
    the folder the configuration lives in is not (a copy elsewhere is the same configuration).
    """
    return hashlib.sha256(_cj(parts or fingerprint_parts(cfg, start)).encode()).hexdigest()[:32]


@dataclass
class RunState:
    """The run row: how far the stored run got."""

    items: int
    events: int
    inputs: int
    clock: str
    head_hash: str
    complete: bool
    fingerprint: str
    chain: int = chain.CHAIN_VERSION
    live: bool = False
    facts: str | None = None  # canonical JSON {table: digest} of the run's fact rows (govcore.store.facts)
    config_rows: bool = False  # the configuration's observations are stored rows (runs before schema 7)


class _Item(NamedTuple):
    """A live run's processed item that caused events, waiting for its batch's commit: the
    configuration version it was decided under, and its events (its notifications are written
    item by item, `outbox.record`)."""

    config: Configuration
    events: list[EngineEvent]


_new_item = tuple.__new__  # an `_Item` without NamedTuple's Python-level `__new__`


@dataclass
class _Batch:
    """What was processed since the last commit: the events, their rows (`chain.add_rows`, made
    as each item is processed, so that a year's digest finds every line made) and the chain's
    head after them; for a live run also each item that caused events (`items`, None in a
    simulation, which notifies no one). `short`: on SQLite, the rows of events with the five
    optional columns empty, without them (`_insert_events`); None elsewhere (every row in `rows`).

    Nothing is kept per item otherwise: a simulation's batch holds up to 500 items, and a tuple
    and a list kept alive for each until the commit (about 5,400 per 10-year run of examples/vejle)
    brought the cycle collector's collections nearer: 3–4 more young ones a 10-year run."""

    head: str
    short: list[tuple[Any, ...]] | None
    items: list[_Item] | None
    events: list[EngineEvent] = dataclasses.field(default_factory=list)
    rows: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class _Input:
    order: int
    items: int
    clock: str
    observation: Observation | None = None
    response: Response | None = None


def _where(t: sa.Table, code: str, start: str) -> sa.ColumnElement[bool]:
    """Every query on a municipality's rows goes through this filter (isolation by code)."""
    return sa.and_(t.c.municipality == code, t.c.start == start)


def run_label(name: str, code: str, start: dt.date | str) -> str:
    """How messages name a run: "Vejle (630) 2021" for a run from 1 January, else with its start."""
    return audit_label(name, code, start if isinstance(start, str) else start.isoformat())


# How the processed items are cut into transactions: a batch ends at the end of a simulated day
# once it holds BATCH_MIN items or more or spans BATCH_DAYS days, and at BATCH_ITEMS items at the
# latest. Nothing stored depends on the cut (each event keeps its own item), so these trade only
# the work a kill -9 loses against the cost of a commit (PostgreSQL: round trips and a flush of
# its log): a year of examples/vejle is 14 batches.
BATCH_MIN = 64
BATCH_DAYS = 31
BATCH_ITEMS = 500
# A simulation's batches are longer (BATCH_ITEMS items, or half a simulated year when it has
# fewer): nothing waits for its commits (no notifications, no reader of a live run), a kill -9
# costs only the simulated months redone by `--resume` (a simulated year of examples/vejle takes
# about 30 ms), and each commit has a fixed cost (the transaction, the run row, the facts digests;
# on PostgreSQL the round trips), about 0.7 ms of CPU on SQLite, which batches of 256 items or 92
# days paid 38 times per 10 years of examples/vejle, and these 21 times (docs/benchmarks.md, perf-store5).
SIMULATION_BATCH_MIN = BATCH_ITEMS
SIMULATION_BATCH_DAYS = 183

_SQL: dict[tuple[Any, ...], str] = {}


def _sql(conn: sa.Connection, key: tuple[Any, ...], build: Callable[[Callable[[str], str], str], str]) -> str:
    """A statement as the driver's own SQL text, built once per dialect: `build(quote, mark)`
    gets the identifier quoting and the parameter mark ("?" for SQLite, "%s" for psycopg)."""
    full = (conn.dialect.name, *key)
    sql = _SQL.get(full)
    if sql is None:
        prep = conn.dialect.identifier_preparer
        sql = _SQL[full] = build(prep.quote, "?" if conn.dialect.paramstyle == "qmark" else "%s")
    return sql


# PostgreSQL takes this many new rows or more through COPY (one stream) instead of executemany:
# every batch's events and added rows. COPY costs less client CPU than psycopg's pipelined
# executemany from a handful of rows up (5 rows: 0.39 against 0.63 ms a transaction; 49 rows: 0.55
# against 1.30 ms), and a 10-year simulation's batches hold fewer than 50 events in half the cases.
COPY_ROWS = 1


def _upsert(conn: sa.Connection, t: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    _bulk_insert(conn, t, rows, upsert=True)


def _bulk_insert(conn: sa.Connection, t: sa.Table, rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]], *,
                 upsert: bool = False, missing: bool = False, columns: tuple[str, ...] | None = None) -> None:
    """Insert rows (all with the keys of the first) through the driver's `executemany`; `upsert`:
    a row whose key is there replaces it (`ON CONFLICT … DO UPDATE`, the same text in SQLite and
    PostgreSQL); `missing`: a row whose key is there is left as it is (`ON CONFLICT DO NOTHING`).

    The rows hold plain text and numbers already (the tables keep times and JSON as text), so
    nothing needs SQLAlchemy's per-row parameter processing, which cost more than the database's
    own work (10,000 observations: about 0.4 s against 0.05 s). PostgreSQL takes COPY_ROWS new
    rows or more through COPY, in text form as psycopg writes parameters (a float as its shortest
    exact text), inside the same transaction. `columns`: the rows are tuples of these columns."""
    if not rows:
        return
    cols = columns or tuple(rows[0])

    def build(q: Callable[[str], str], mark: str) -> str:
        sql = f"INSERT INTO {q(t.name)} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join(mark for _ in cols)})"
        if missing:
            sql += " ON CONFLICT DO NOTHING"
        elif upsert:
            keys = [c.name for c in t.primary_key.columns]
            sql += (f" ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET "
                    f"{', '.join(f'{q(c)} = excluded.{q(c)}' for c in cols if c not in keys)}")
        return sql

    if columns:
        params: Sequence[Any] = rows
    else:
        values = operator.itemgetter(*cols)
        params = [values(r) for r in rows] if len(cols) > 1 else [(values(r),) for r in rows]
    if not upsert and not missing and len(rows) >= COPY_ROWS and conn.dialect.name == "postgresql":
        _copy(conn, t, cols, params)
        return
    sql = _sql(conn, ("insert", t.name, cols, upsert, missing), build)
    conn.exec_driver_sql(sql, params)


def _copy(conn: sa.Connection, t: sa.Table, cols: tuple[str, ...], rows: Sequence[Sequence[Any]],
          types: Sequence[str] | None = None) -> None:
    """PostgreSQL: `rows` (tuples of `cols`) into `t` through one COPY on the connection's own
    transaction; in binary form when the columns' `types` are given (`_binary_types`)."""
    form = " (FORMAT BINARY)" if types else ""
    copy = _sql(conn, ("copy", t.name, cols, form), lambda q, _: f"COPY {q(t.name)} ({', '.join(q(c) for c in cols)}) "
                                                                f"FROM STDIN{form}")
    with driver(conn) as raw, raw.cursor() as cur, cur.copy(copy) as stream:
        if types:
            stream.set_types(types)
        for p in rows:
            stream.write_row(p)


_INT4 = 2 ** 31


def _binary_types(t: sa.Table, cols: tuple[str, ...]) -> tuple[str, ...]:
    """The PostgreSQL types of `cols` as a binary COPY names them: only INTEGER (int4) and text
    columns (VARCHAR, TEXT) are expected; anything else is a table changed without this."""
    names: dict[type[Any], str] = {sa.Integer: "int4", sa.String: "text", sa.Text: "text"}
    kinds = [t.c[c].type for c in cols]
    kinds = [k.impl_instance if isinstance(k, sa.types.TypeDecorator) else k for k in kinds]
    unknown = [f"{c} {k!r}" for c, k in zip(cols, kinds, strict=True) if type(k) not in names]
    if unknown:
        raise TypeError(f"{t.name}: no binary COPY type for {unknown}")
    return tuple(names[type(k)] for k in kinds)


def _insert_events(conn: sa.Connection, rows: list[tuple[Any, ...]], short: list[tuple[Any, ...]]) -> None:
    """A batch's event rows (`chain.add_rows`'s tuples). On SQLite an event whose five optional
    columns are all empty — an arriving observation's, four in five of a run's events — comes in
    `short` and is inserted without those columns, which SQLite then stores as NULL (their
    default): Python 3.11's sqlite3 sends each None parameter through its adapter registry
    (about a thousand instructions each, five per row) before binding it. The stored rows are
    the same; the short ones go in after the others of the batch, which changes only where SQLite
    keeps them in its file (every reader orders by `seq` or counts). PostgreSQL's COPY takes every
    row whole (`short` is empty there: `_Batch`), in binary form: the texts go as their bytes,
    without the text form's escaping, and the numbers as four bytes (a 10-year run's rows: about
    30 % less client CPU, docs/benchmarks.md, perf-pg3). A binary int4 that does not fit would be
    cut to four bytes without an error, so the rows go in text form — refused by the server as out
    of range, as before — unless the first and the last row's `seq` and `item` fit: both grow
    along a batch."""
    if rows and conn.dialect.name == "postgresql" and all(
            -_INT4 <= r[i] < _INT4 for r in (rows[0], rows[-1]) for i in _EVENT_INTS):
        _copy(conn, EVENT, chain.ROW_COLUMNS, rows, _EVENT_TYPES)
    else:
        _bulk_insert(conn, EVENT, rows, columns=chain.ROW_COLUMNS)
    _bulk_insert(conn, EVENT, short, columns=chain.SHORT_COLUMNS)


_EVENT_TYPES = _binary_types(EVENT, chain.ROW_COLUMNS)
_EVENT_INTS = tuple(i for i, name in enumerate(_EVENT_TYPES) if name == "int4")


# The run row moves only from the state this process last wrote (see `_advance_row`).
_ADVANCE_SET = ("items", "events", "inputs", "clock", "head_hash", "complete", "facts")
_ADVANCE_WHERE = ("municipality", "start", "items", "events", "inputs")


def _advance_sql(q: Callable[[str], str], mark: str) -> str:
    return (f"UPDATE {q(RUN.name)} SET {', '.join(f'{q(c)} = {mark}' for c in _ADVANCE_SET)} "
            f"WHERE {' AND '.join(f'{q(c)} = {mark}' for c in _ADVANCE_WHERE)}")


def _insert_missing(conn: sa.Connection, t: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows whose key is not there yet (configuration versions and rules are shared),
    through the driver's SQL text like `_bulk_insert`: SQLAlchemy compiled the `ON CONFLICT`
    statement again for every new run (its cache does not hold them)."""
    _bulk_insert(conn, t, rows, missing=True)


class YearBook:
    """A stored simulation's calendar years, each closed as the run leaves it — as `simulate` does
    in memory: the clock is moved to 31 December 23:59, the year's own events are summarised
    (for a span of several years) and a year without any observation is noted. Closed during the
    replay of a resumed run too, so that an interrupted simulation writes the same outputs."""

    def __init__(self, engine: Engine, first: int, last: int) -> None:
        self.engine, self.first, self.year, self.last = engine, first, first, last
        self.mark = 0
        self.results: list[SimulationResult] = []
        self.quiet: list[int] = []
        self.span = hashlib.sha256()  # the whole span's digest, from the years' lines (as `simulate`)
        self.total = Tally()  # the whole span's counts, from the years' (as `simulate`)

    def before_item(self) -> None:
        """Close every year that lies before the next item."""
        nxt = self.engine.next_time()
        while nxt is not None and nxt.year > self.year:
            self.close()

    def close(self, stop: dt.datetime | None = None) -> None:
        engine = self.engine
        engine.now = max(engine.now, stop or engine.calendar.local_datetime(dt.date(self.year, 12, 31), 23, 59))
        own = engine.events[self.mark:]
        tally = Tally.of(own)
        self.total.add(tally)
        if "observation" not in tally.counts:
            self.quiet.append(self.year)
        if self.last > self.first:
            digest = events_digest(own, self.span)
            self.results.append(SimulationResult(engine.config, self.year, own,
                                                 summarize(engine, own, digest=digest, tally=tally)))
        self.mark = len(engine.events)
        self.year += 1

    def digest(self) -> str | None:
        """The digest of every event so far, when the years' own digests cover them all (a span
        of several years, each closed): the whole run's summary then hashes no event again."""
        if self.results and self.mark == len(self.engine.events):
            return self.span.hexdigest()
        return None

    def tally(self) -> Tally | None:
        """The counts of every event so far, when the closed years cover them all."""
        return self.total if self.mark == len(self.engine.events) else None


class PersistentRun:
    """A municipality's run, restored from the database and continued with a commit per batch of simulated days.

    Open with `PersistentRun.open` (which creates or replays), then `advance`, `add_observations`,
    `add_responses`; `close` frees the engine. Not for concurrent use of one run by two processes:
    the second one's first commit fails with a clear error instead of forking the log.
    """

    def __init__(self, db: Database, cfg: Configuration, start: dt.date, engine: Engine, state: RunState) -> None:
        self.db, self.cfg, self.start, self.engine, self.state = db, cfg, start, engine, state
        self.key = start.isoformat()
        self.year = start.year
        self.code = cfg.municipality.code
        self.name = cfg.municipality.name
        self.label = run_label(self.name, self.code, start)
        # Where `simulate` stops and the run counts as complete (31 December of the start year by
        # default); `advance` itself is open-ended (a live run goes on from year to year).
        self.end = engine.calendar.local_datetime(dt.date(start.year, 12, 31), 23, 59)
        self.finish_at_end = False  # set by `simulate`: reaching `end` completes the run
        self.book: YearBook | None = None  # a simulation's calendar years, closed as the run leaves them
        self.resumed_items = state.items
        # The deviation/action/escalation/deliverable rows as last written: a commit writes the ones
        # that differ, among the records the engine touched since (`Workflow.touched`).
        self._touched: set[tuple[str, str]] = set()
        engine.touched = self._touched
        self._snapshot: dict[tuple[str, str], dict[str, Any]] = dict(self._derived())
        # The digests of the run's fact rows and the rule versions its events name (see facts.py).
        self._digests: facts.Digests = {}
        self._refs: set[tuple[str, str]] = set()
        # What the run was when this object opened it: `undo` goes back there.
        self._mark = (state, dict(self._snapshot))
        self._mark_facts: tuple[facts.Digests, set[tuple[str, str]]] = ({}, set())
        self._created = False
        self._new_config = False
        self._new_rules: list[tuple[str, str]] = []
        self._unflushed = False  # a batch was committed without a flush since the last flushed commit

    # ------------------------------------------------------------------------------ opening

    @classmethod
    def open(cls, db: Database, cfg: Configuration, *, year: int | None = None, start: dt.date | None = None,
             create: bool = True, fresh: bool = False, live: bool = False,
             as_of: dt.date | None = None, readonly: bool = False, until: dt.date | None = None) -> PersistentRun:
        """Load the stored run of `cfg`'s municipality from `start` (default: 1 January of `year`,
        else of the configuration's year), or create it.

        fresh: the run must not exist yet (a new simulation); create: make it when missing; live:
        a run created now is live — people's responses come through `respond`, and the
        configuration's responses.yaml (simulation input) is not replayed. A stored run keeps the
        kind it was created as. as_of: only look at the stored run as it was at that time (for a
        report); nothing is written. readonly: open an existing run only to look at it (no
        configuration version is adopted). until: a simulation's last day (default 31 December of
        the start year); each calendar year is closed with its own summary as the run leaves it.
        """
        y = start or dt.date(year or cfg.year, 1, 1)
        key = y.isoformat()
        code = cfg.municipality.code
        ensure(db, create=create)
        stored = db.read(lambda conn: _load_state(conn, code, key))
        if stored.live if stored is not None else live:
            cfg = dataclasses.replace(cfg, responses=[])
        parts = fingerprint_parts(cfg, y)
        fingerprint = config_fingerprint(cfg, y, parts)
        what = run_label(cfg.municipality.name, code, y)
        if stored is not None and fresh:
            raise RunError((_("{db} already holds a run of {run} ({items} items, {events} events, complete): add "
                             "--resume to continue it, or delete it with `govcore db delete-run --municipality "
                             "{code} --start {start}`") if stored.complete else
                            _("{db} already holds a run of {run} ({items} items, {events} events): add --resume to "
                              "continue it, or delete it with `govcore db delete-run --municipality {code} --start "
                              "{start}`")).format(db=db.display, run=what, items=stored.items, events=stored.events,
                                                  code=code, start=key))
        if stored is None and not create:
            raise RunError(_("{db} holds no run of {run}").format(db=db.display, run=what))
        adopt = stored is not None and stored.fingerprint != fingerprint
        if stored is not None and adopt:
            before = db.read(lambda conn: _stored_parts(conn, code, stored.fingerprint)) or {}
            problem = _rewrites_past(before, parts, dt.datetime.fromisoformat(stored.clock), what)
            if problem is not None and not problem.startswith("changed: "):
                raise RunError(problem)
            if problem is not None and not _same_files(db, cfg, stored):
                raise RunError(_changed_message(db, cfg, y, stored, parts))
        engine = Engine(cfg, start=y)
        last = until or dt.date(y.year, 12, 31)
        book = YearBook(engine, y.year, last.year) if until is not None else None
        try:
            if stored is None:
                run = cls(db, cfg, y, engine, RunState(0, 0, 0, engine.now.isoformat(), chain.genesis(code, y),
                                                       False, fingerprint, chain.CHAIN_VERSION, live))
                run._create(parts)
            else:
                cut = engine.calendar.local_datetime(as_of, 23, 59) if as_of is not None else None
                run = cls._replayed(db, cfg, y, engine, stored, cut, book)
                if adopt and as_of is None and not readonly:
                    run._adopt(fingerprint, parts)
                elif as_of is None and not readonly:
                    run._keep_files()
        except BaseException:
            engine.close()
            raise
        run.book = book
        run.end = engine.calendar.local_datetime(last, 23, 59)
        return run

    def _keep_files(self) -> None:
        """A run stored before configurations were kept in the database, opened to be written with
        the very configuration it was stored with (same fingerprint, the replay reproduced its
        log): store the configuration's files now, so later commands need no folder."""
        fingerprint = self.state.fingerprint
        if self.db.read(lambda conn: configs.has_files(conn, self.code, fingerprint)):
            return
        rows = configs.file_rows(self.cfg, self.code, fingerprint)
        self.db.write(lambda conn: _insert_missing(conn, FILE, rows))

    def _adopt(self, fingerprint: str, parts: dict[str, str]) -> None:
        """The same files, read by a newer govcore, give another fingerprint (its parsed model
        grew). The replay has just reproduced every stored event from them, so the run goes on
        under the new fingerprint: its configuration version is stored and the run points at it."""
        config_row, rules = self._version_rows(fingerprint, parts)
        files = configs.file_rows(self.cfg, self.code, fingerprint)
        old = self.state
        refs = self._refs
        found: list[tuple[facts.Digests, str]] = []

        def work(conn: sa.Connection) -> None:
            _insert_missing(conn, CONFIG, [config_row])
            _insert_missing(conn, FILE, files)
            _insert_missing(conn, RULE, rules)
            # The rule and configuration rows as the database now holds them: a rule version
            # already stored (by an older govcore, too) is kept as it was, not replaced.
            stored = facts.load(conn, self.code, self.key, fingerprint)
            digests = {**self._digests, RULE.name: stored[RULE.name], CONFIG.name: stored[CONFIG.name]}
            sealed = facts.summarize(digests, refs)
            found.append((digests, sealed))
            done = conn.execute(sa.update(RUN).where(_where(RUN, self.code, self.key),
                                                     RUN.c.fingerprint == old.fingerprint,
                                                     RUN.c["items"] == old.items).values(
                fingerprint=fingerprint, facts=sealed if old.facts is not None else None))
            if done.rowcount != 1:
                raise RunRace(_("the run of {run} was changed by another process "
                                 "while this one opened it; run the command again").format(run=self.label))

        self.db.write(work)
        digests, sealed = found[-1]
        self.state = dataclasses.replace(old, fingerprint=fingerprint, facts=sealed if old.facts is not None else None)
        self._digests, self._refs = digests, refs
        self._mark = (self.state, self._mark[1])
        self._mark_facts = (digests, refs)

    def _version_rows(self, fingerprint: str, parts: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        cfg, code, y = self.cfg, self.code, self.start.year
        config_row = {
            "municipality": code, "fingerprint": fingerprint, "version": cfg.version(),
            "rules_version": cfg.rules.version(), "name": cfg.municipality.name, "year": y,
            "files": _cj(cfg.files), "parts": _cj(parts),
            "rule_files": _cj({k.rsplit("/", 1)[-1]: v for k, v in cfg.rules.files.items()}),
        }
        rules = [{
            "municipality": code, "rule_hash": r.file_hash[:12], "rule_id": r.id, "file": r.file,
            "file_hash": r.file_hash, "line": r.line, "title": r.title, "description": r.description,
            "trigger": r.trigger, "trigger_values": _cj(list(r.trigger_values)), "for_each": r.for_each,
            "conditions": _cj([_condition(c) for c in r.conditions]),
            "any_of": _cj([[_condition(c) for c in g] for g in r.any_of]),
            "actions": _cj([{"name": a.name, "params": a.params.model_dump(mode="json", by_alias=True)}
                            for a in r.actions]),
        } for r in cfg.rules.rules]
        return config_row, rules

    def _create(self, parts: dict[str, str]) -> None:
        cfg, code, y = self.cfg, self.code, self.key
        config_row, rules = self._version_rows(self.state.fingerprint, parts)
        files = configs.file_rows(cfg, code, self.state.fingerprint)
        responses = [{
            "municipality": code, "start": y, "n": i, "date": r.date.isoformat(), "time": r.time, "kind": r.kind(),
            "data": _cj(r.model_dump(mode="json", exclude_none=True)), "origin": "configuration",
            "received_at": self.engine.calendar.local_datetime(r.date, *_hm(r.time)).isoformat(),
            "fed_order": None, "fed_items": None, "fed_clock": None, "actor": None,
        } for i, r in enumerate(cfg.responses, start=1)]
        s = self.state
        digests, refs, sealed = self._next_facts([
            (RESP, responses), (RULE, rules), (CONFIG, [config_row]),
            *self._derived_updates(self._snapshot)])
        self.state = s = dataclasses.replace(s, facts=sealed)
        run_row = {"municipality": code, "start": y, "fingerprint": s.fingerprint, "name": cfg.municipality.name,
                   "items": 0, "events": 0, "inputs": 0, "clock": s.clock, "head_hash": s.head_hash,
                   "complete": False, "chain": s.chain, "live": s.live, "facts": s.facts, "config_rows": False}
        derived = dict(self._snapshot)
        ours = {(str(r["rule_hash"]), str(r["rule_id"])): r for r in rules}

        def work(conn: sa.Connection) -> tuple[bool, list[tuple[str, str]], facts.Digests, str]:
            if _load_state(conn, code, y) is not None:
                raise RunRace(_("another process created the run of {run} at the same time; "
                                 "run again with --resume").format(run=self.label))
            # The driver's own SQL text (`_sql`), as the other statements of a new run: each
            # command opens its database, and SQLAlchemy would compile these again for each.
            had_config = conn.exec_driver_sql(_sql(conn, ("had config",), lambda q, m: (
                f"SELECT {q('fingerprint')} FROM {q(CONFIG.name)} WHERE {q('municipality')} = {m} "
                f"AND {q('fingerprint')} = {m}")), (code, self.state.fingerprint)).first() is not None
            had_rules = {(str(h), str(i)) for h, i in conn.exec_driver_sql(_sql(conn, ("had rules",), lambda q, m: (
                f"SELECT {q('rule_hash')}, {q('rule_id')} FROM {q(RULE.name)} WHERE {q('municipality')} = {m}")),
                (code,))}
            _insert_missing(conn, CONFIG, [config_row])
            _insert_missing(conn, FILE, files)
            _insert_missing(conn, RULE, rules)
            # A rule version already stored (from another folder, or by an older govcore) is kept
            # as it was: the run's record covers that row, as `_adopt`'s does.
            mine, seal, row = digests, sealed, run_row
            kept = facts.stored_rules(conn, code, {k: ours[k] for k in had_rules & ours.keys()}) \
                if had_rules & ours.keys() else None
            if kept:
                mine = {**digests, RULE.name: {**digests[RULE.name], **kept}}
                seal = facts.summarize(mine, refs)
                row = {**run_row, "facts": seal}
            conn.exec_driver_sql(_sql(conn, ("new run",), lambda q, m: (
                f"INSERT INTO {q(RUN.name)} ({', '.join(q(c) for c in row)}) "
                f"VALUES ({', '.join(m for _ in row)})")), tuple(row.values()))
            if responses:
                _bulk_insert(conn, RESP, responses)
            self._write_derived(conn, derived)
            return not had_config, sorted(ours.keys() - had_rules), mine, seal

        try:
            self._new_config, self._new_rules, written, seal = self.db.write(work)
            self.state = dataclasses.replace(self.state, facts=seal)
            self._created = True
            self._digests, self._refs = written, refs
            self._mark = (self.state, self._mark[1])
            self._mark_facts = (written, refs)
        except IntegrityError as err:
            raise RunRace(_("another process created the run of {run} at the same time "
                             "({problem}); run again with --resume").format(
                                 run=self.label, problem=str(err.orig).splitlines()[0])) from None

    @classmethod
    def _replayed(cls, db: Database, cfg: Configuration, start: dt.date, engine: Engine,
                  stored: RunState, as_of: dt.datetime | None = None, book: YearBook | None = None) -> PersistentRun:
        code = cfg.municipality.code
        year = start.isoformat()
        what = run_label(cfg.municipality.name, code, start)

        def load(conn: sa.Connection) -> tuple[RunState | None, list[_Input], list[dict[str, Any]], facts.Digests]:
            state = _load_state(conn, code, year)
            events = row_dicts(conn.execute(sa.select(EVENT).where(_where(EVENT, code, year)).order_by(EVENT.c.seq)))
            return state, _load_inputs(conn, code, year), events, facts.load(conn, code, year, stored.fingerprint)

        state, inputs, rows, digests = db.read(load)
        assert state is not None
        # The stored log must be intact before it is continued: a changed entry would otherwise
        # stay in the log, hidden behind a chain that the replay reproduces.
        report = chain.verify_rows(code, start, rows, state.events, state.head_hash, state.chain)
        if report.problem is not None:
            raise RunError(_("the stored log of {run} is not intact: {problem} "
                             "(see `govcore audit verify`); it cannot be resumed").format(
                                 run=what, problem=report.problem))
        zone = engine.now.tzinfo
        pending = list(inputs)

        def feed_due() -> None:
            while pending and pending[0].items == engine.items_processed and (
                    as_of is None or dt.datetime.fromisoformat(pending[0].clock) <= as_of):
                inp = pending.pop(0)
                engine.now = max(engine.now, dt.datetime.fromisoformat(inp.clock).astimezone(zone))
                _feed(engine, inp)

        end = dt.datetime.fromisoformat(state.clock)
        feed_due()
        item_of: dict[int, int] = {}
        while engine.items_processed < state.items:
            if as_of is not None and (engine.next_time() is None or engine.next_time() > as_of):  # type: ignore[operator]
                break
            if book is not None:
                book.before_item()
            done, most = engine.items_processed, state.items - engine.items_processed
            if pending and pending[0].items > done:  # an input was fed there: the step stops before it
                most = min(most, pending[0].items - done)
            step = engine.step(end, most)
            if step is None:
                raise RunError(_("replaying the stored run of {run} ends after "
                                 "{n} items, but {stored} were stored; the inputs, rules, a "
                                 "plugin or govcore changed since it was stored").format(
                                     run=what, n=engine.items_processed, stored=state.items))
            if engine.items_processed - done > 1:  # a run of fed observations: an event per item
                item_of.update((ev.seq, n) for n, ev in enumerate(step, done + 1))
            else:
                item_of.update((ev.seq, engine.items_processed) for ev in step)
            feed_due()
        if as_of is not None:  # a view of the past: the events so far must be the stored ones
            _check_replay(cfg, start, engine.events, item_of, rows[:len(engine.events)], state, partial=True)
            engine.now = max(engine.now, min(as_of, end).astimezone(zone))
            run = cls(db, cfg, start, engine, state)
            run._load_facts(digests, rows)
            return run
        if pending:
            raise RunError(_("the stored run of {run} has inputs fed after item "
                             "{item}, beyond its {n} committed items: the database is "
                             "inconsistent").format(run=what, item=pending[0].items, n=state.items))
        _check_replay(cfg, start, engine.events, item_of, rows, state)
        engine.now = max(engine.now, dt.datetime.fromisoformat(state.clock).astimezone(zone))
        run = cls(db, cfg, start, engine, state)
        run._load_facts(digests, rows)
        return run

    # ------------------------------------------------------------------------------ running

    def __enter__(self) -> PersistentRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.close()

    @contextmanager
    def atomic(self) -> Iterator[PersistentRun]:
        """A command that fails leaves the database as it was before it opened the run.

        Items are still committed one by one (a process killed by `kill -9` can be resumed), but
        when the command ends in an error, everything it wrote is taken back: a run it created
        is deleted (with the configuration and rule versions only it brought), otherwise its
        events, added inputs and record changes are removed and the run row is set back —
        except when the connection holding the run's lock was lost (`LockLost`): then what was
        committed stays, and the error says so.
        """
        try:
            yield self
        except LockLost as err:
            # The lock went with the connection: another process may be advancing the run now, so
            # nothing is taken back (that would also need a new connection, without the lock).
            raise RunError(_("the connection to the database {db} that held the lock of the run of {run} was lost "
                             "({problem}): nothing after the last commit was stored; what was committed before "
                             "stays, and the next command goes on from there").format(
                                 db=err.db, run=self.label, problem=err.problem)) from None
        except Exception as err:
            try:
                self.undo()
            except Exception as undo_err:
                raise RunError(_("{error} — and taking back what this command had written failed too "
                                 "({problem}); check the run with `govcore audit verify`").format(
                                     error=err, problem=undo_err)) from err
            raise

    def undo(self) -> None:
        """Take the stored run back to the state it had when this object opened it.

        Only while the run is as this object last wrote it: when another process has moved it on
        meanwhile (the usual reason a write failed), what is stored now is that process's work,
        built on whatever this one committed, and taking anything back would destroy it."""
        code, y = self.code, self.key
        state, snapshot = self._mark
        tables = {"deviation": DEVIATION, "action": ACTION, "escalation": ESCALATION, "deliverable": DELIVERABLE}
        mine = self.state

        def work(conn: sa.Connection) -> bool:
            now = _load_state(conn, code, y)
            if now is not None and (now.items, now.events, now.inputs) != (mine.items, mine.events, mine.inputs):
                return False
            if self._created:
                for t in RUN_TABLES:
                    conn.execute(sa.delete(t).where(_where(t, code, y)))
                if self._new_config:
                    used = sa.select(RUN.c.fingerprint).where(RUN.c.municipality == code,
                                                              RUN.c.fingerprint == state.fingerprint)
                    conn.execute(sa.delete(FILE).where(FILE.c.municipality == code,
                                                       FILE.c.fingerprint == state.fingerprint, ~sa.exists(used)))
                    conn.execute(sa.delete(CONFIG).where(CONFIG.c.municipality == code,
                                                         CONFIG.c.fingerprint == state.fingerprint,
                                                         ~sa.exists(used)))
                for rule_hash, rule_id in self._new_rules:
                    conn.execute(sa.delete(RULE).where(RULE.c.municipality == code, RULE.c.rule_hash == rule_hash,
                                                       RULE.c.rule_id == rule_id))
                return True
            conn.execute(sa.delete(EVENT).where(_where(EVENT, code, y), EVENT.c.seq > state.events))
            outbox.take_back(conn, code, y, state.events)
            for t in (OBS, RESP):
                conn.execute(sa.delete(t).where(_where(t, code, y), t.c.origin == "added",
                                                t.c.fed_order > state.inputs))
            for t in tables.values():
                conn.execute(sa.delete(t).where(_where(t, code, y)))
            self._write_derived(conn, snapshot)
            conn.execute(sa.update(RUN).where(_where(RUN, code, y)).values(
                items=state.items, events=state.events, inputs=state.inputs, clock=state.clock,
                head_hash=state.head_hash, complete=state.complete, facts=state.facts))
            return True

        if not self.db.write(work):
            return
        self.state = state
        self._snapshot = dict(snapshot)
        self._digests, self._refs = self._mark_facts

    @property
    def items(self) -> int:
        return self.state.items

    def advance(self, until: dt.datetime, progress: Callable[[int], None] | None = None) -> list[EngineEvent]:
        """Process every item due up to `until`, committing them in batches of whole simulated days
        (see BATCH_MIN and BATCH_ITEMS, and SIMULATION_BATCH_MIN for a simulation); then move the
        clock to `until`.

        Open-ended: the engine crosses new years (laying out each year's wheel, taking each
        configuration version at its date) as the clock reaches them. A process killed meanwhile
        leaves the database at a batch boundary; what is stored does not depend on where the
        batches were cut, so a resumed run ends byte-identical to one never interrupted."""
        with self.db.holding():  # the batches' transactions on one connection
            return self._advance(until, progress)

    def _advance(self, until: dt.datetime, progress: Callable[[int], None] | None) -> list[EngineEvent]:
        engine, book, code, key, version = self.engine, self.book, self.code, self.key, self.state.chain
        new: list[EngineEvent] = []
        sqlite, live = self.db.dialect == "sqlite", self.state.live
        batch = _Batch(self.state.head_hash, [] if sqlite else None, [] if live else None)
        day = first = engine.now.date()  # the day of the last item in the batch, and of its first
        least, days = (BATCH_MIN, BATCH_DAYS) if live else (SIMULATION_BATCH_MIN, SIMULATION_BATCH_DAYS)
        if until >= engine.now:
            step, next_time, add_rows = engine.step, engine.next_time, chain.add_rows
            count = 0  # items in the batch
            while True:
                nxt = next_time()
                if nxt is None or nxt > until:
                    break
                nxt_day = nxt.date()
                if count and (count >= BATCH_ITEMS or (nxt_day != day and (
                        count >= least or (nxt_day - first).days >= days))):
                    self._commit_batch(batch)
                    new += batch.events
                    if progress is not None:
                        progress(engine.items_processed)
                    batch = _Batch(batch.head, [] if sqlite else None, [] if live else None)
                    count = 0
                if book is not None and nxt.year > book.year:
                    book.before_item()
                done = engine.items_processed
                events = step(until, BATCH_ITEMS - count)  # one item, or a fed run; a batch committed between two
                if events is None:
                    break
                took = engine.items_processed - done
                if took > 1:  # a run of fed observations: an event per item, in order
                    for n, ev in enumerate(events, done + 1):
                        batch.head = add_rows(batch.rows, code, key, n, (ev,), batch.head, version, batch.short)
                elif events:
                    batch.head = add_rows(batch.rows, code, key, engine.items_processed, events, batch.head, version,
                                          batch.short)
                if events:
                    batch.events += events
                    if batch.items is not None:
                        batch.items.append(_new_item(_Item, (engine.config, events)))
                if not count:
                    first = nxt_day
                count += took
                day = nxt_day
            if count:
                self._commit_batch(batch)
                new += batch.events
                if progress is not None:
                    progress(engine.items_processed)
            engine.now = max(engine.now, until)
        self._save_clock()
        return new

    def _commit_batch(self, batch: _Batch) -> None:
        """Commit the items processed since the last commit, in ONE transaction: their events
        (each with the item that caused it), the records they changed, the notifications they
        cause (a live run's outbox) and the run's progress row. Rows that must be written
        together with the events that cause them belong in `work`."""
        code, y, s = self.code, self.key, self.state
        item = self.engine.items_processed
        rows, short, events = batch.rows, batch.short or [], batch.events
        changed = self._changed()
        new = dataclasses.replace(s, items=item, events=s.events + len(events), clock=self.engine.now.isoformat(),
                                  head_hash=batch.head)

        digests, refs, sealed = self._next_facts(self._derived_updates(changed), events)
        new = dataclasses.replace(new, facts=sealed)

        def work(conn: sa.Connection) -> None:
            self._advance_row(conn, s, new)
            if rows or short:
                _insert_events(conn, rows, short)
            self._write_derived(conn, changed)
            if batch.items:  # the notifications these events cause, in the same transaction (simulations tell no one)
                for it in batch.items:  # item by item, under the version it was decided by: the rows do not
                    outbox.record(conn, it.config, code, y, it.events)  # depend on where batches were cut

        # A simulation's batches are committed without waiting for the server's disk flush (see
        # `Database.write`); `_save_clock` ends `advance` with a flushed commit. A live run's
        # batches carry notifications, so each of them is flushed.
        self.db.write(work, flush=s.live)
        self._unflushed = self._unflushed or not s.live
        self.state = new
        self._snapshot.update(changed)
        self._touched.clear()
        self._digests, self._refs = digests, refs

    def _save_clock(self) -> None:
        s = self.state
        clock = self.engine.now.isoformat()
        complete = s.complete or (self.finish_at_end and self.engine.now >= self.end)
        if clock == s.clock and complete == s.complete and not self._unflushed:
            return
        new = dataclasses.replace(s, clock=clock, complete=complete)
        self.db.write(lambda conn: self._advance_row(conn, s, new))
        self.state = new
        self._unflushed = False

    def _advance_row(self, conn: sa.Connection, old: RunState, new: RunState) -> None:
        """Move the run row from `old` to `new`, only if nobody else moved it meanwhile."""
        done = conn.exec_driver_sql(_sql(conn, ("advance",), _advance_sql), (
            new.items, new.events, new.inputs, new.clock, new.head_hash, new.complete, new.facts,
            self.code, self.key, old.items, old.events, old.inputs))
        if done.rowcount != 1:
            raise RunRace(_("the run of {run} was changed by another process "
                             "while this one was writing it; nothing more was written — run the command again").format(
                                 run=self.label))

    # ------------------------------------------------------------------------------- inputs

    def add_observations(self, observations: Sequence[Observation], *,
                         received_at: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Add observations (new figures or corrections) to the stored run, effective now.

        A value counts from the later of its known date and the engine's clock: a correction
        received today cannot change what the engine saw yesterday, and among rows for one period
        the one known latest wins — so the corrected value is used from now on and the old one
        stays in the history. Call `advance` afterwards to process the ones that are due.
        """
        engine = self.engine
        today = engine.now.date()
        fed = []
        for o in observations:
            if o.kpi not in self.cfg.kpis:
                raise RunError(_("observation of unknown KPI '{kpi}' ({source})").format(
                    kpi=o.kpi, source=o.source or _("input")))
            fed.append(o.model_copy(update={"known_at": max(o.known, today)}))
        if not fed:
            return []
        received = (received_at or dt.datetime.now(dt.UTC)).isoformat()
        s = self.state
        clock = engine.now.isoformat()

        done: list[tuple[facts.Digests, str]] = []

        def work(conn: sa.Connection) -> list[dict[str, Any]]:
            # Only what finding the superseded rows takes: this reads every row of the run.
            existing = row_dicts(conn.execute(sa.select(*_SUPERSEDE_COLUMNS).where(
                _where(OBS, self.code, self.key)).order_by(OBS.c.n)))
            if not s.config_rows:  # the configuration's own rows are derived, numbered 1…N (config_observations)
                existing = config_observations.of_run(self.cfg, self.key) + existing
            n0 = max((int(r["n"]) for r in existing), default=0)
            rows: list[dict[str, Any]] = []
            earlier = _Superseded(existing)
            for i, o in enumerate(fed, start=1):
                rows.append({
                    "municipality": self.code, "start": self.key, "n": n0 + i, "kpi": o.kpi, "period": o.period,
                    "value": o.value, "series": o.series, "of_municipality": o.municipality, "source": o.source,
                    "known_at": o.known.isoformat(), "received_at": received, "origin": "added",
                    "supersedes": earlier.of(o), "fed_order": s.inputs + i,
                    "fed_items": s.items, "fed_clock": clock})
                earlier.add(rows[-1])
            digests, _, sealed = self._next_facts([(OBS, rows)])
            self._advance_row(conn, s, dataclasses.replace(s, inputs=s.inputs + len(fed), facts=sealed))
            _bulk_insert(conn, OBS, rows)
            done.append((digests, sealed))
            return rows

        rows = self.db.write(work)
        self._digests = done[-1][0]
        self.state = dataclasses.replace(s, inputs=s.inputs + len(fed), facts=done[-1][1])
        for o in fed:
            engine.observe(o)
        return rows

    def add_responses(self, responses: Sequence[Response], *, received_at: dt.datetime | None = None,
                      actor: str | None = None) -> int:
        """Add human responses (submit / accept / reject / deliver / decide) dated now or later.

        A decision's answer must name a decision the run has demanded and one of its options: a
        mistake there is refused (RunError, nothing stored) rather than ignored later."""
        engine = self.engine
        for r in responses:
            at = engine.calendar.local_datetime(r.date, *_hm(r.time))
            if at < engine.now:
                raise RunError(_("a response dated {at} is before the run's clock "
                                 "({clock}); responses cannot change the past").format(
                                     at=at.isoformat(), clock=engine.now.isoformat()))
            r.kind()
            if r.decide is not None:
                wrong = r.decide_problems()
                if wrong:
                    raise RunError("; ".join(f"{field}: {message} ({hint})" for field, message, hint in wrong))
                engine.check_decision(r.decide.get("decision", ""), r.decide.get("option", ""))
        if not responses:
            return 0
        received = (received_at or dt.datetime.now(dt.UTC)).isoformat()
        s = self.state
        clock = engine.now.isoformat()

        done: list[tuple[facts.Digests, str]] = []

        def work(conn: sa.Connection) -> None:
            n0 = conn.execute(sa.select(sa.func.coalesce(sa.func.max(RESP.c.n), 0)).where(
                _where(RESP, self.code, self.key))).scalar_one()
            rows = [{
                "municipality": self.code, "start": self.key, "n": int(n0) + i, "date": r.date.isoformat(),
                "time": r.time, "kind": r.kind(), "data": _cj(r.model_dump(mode="json", exclude_none=True)),
                "origin": "added", "received_at": received, "fed_order": s.inputs + i, "fed_items": s.items,
                "fed_clock": clock, "actor": actor} for i, r in enumerate(responses, start=1)]
            digests, _, sealed = self._next_facts([(RESP, rows)])
            self._advance_row(conn, s, dataclasses.replace(s, inputs=s.inputs + len(rows), facts=sealed))
            _bulk_insert(conn, RESP, rows)
            done.append((digests, sealed))

        self.db.write(work)
        self._digests = done[-1][0]
        self.state = dataclasses.replace(s, inputs=s.inputs + len(responses), facts=done[-1][1])
        for r in responses:
            engine.respond(r)
        return len(responses)

    # ------------------------------------------------------------------------ derived rows

    def _derived(self) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
        """Every deviation, action, escalation and deliverable row as the engine holds it now."""
        e = self.engine
        for kind, records in (("deviation", e.deviations), ("action", e.actions), ("escalation", e.escalations)):
            for ident in records:
                yield (kind, ident), self._row(kind, ident)
        yield from self._deliverables()

    def _row(self, kind: str, ident: str) -> dict[str, Any]:
        e, base = self.engine, {"municipality": self.code, "start": self.key}
        if kind == "deviation":
            d = e.deviations[ident]
            return {
                **base, "id": d.id, "subject_kind": d.subject_kind, "subject": d.subject, "goal": d.goal,
                "owner": d.owner, "rule": d.rule, "opened_at": _iso(d.opened_at), "reason": d.reason,
                "inputs": _cj(d.inputs), "state": d.state.value, "closed_at": _iso(d.closed_at),
                "actions": _cj(list(d.actions))}
        if kind == "action":
            a = e.actions[ident]
            return {
                **base, "id": a.id, "deviation": a.deviation, "subject_kind": a.subject_kind, "subject": a.subject,
                "goal": a.goal, "owner": a.owner, "demanded_by_rule": a.demanded_by_rule,
                "demanded_at": _iso(a.demanded_at), "due": _iso(a.due), "title": a.title, "state": a.state.value,
                "escalation_level": a.escalation_level, "submitted_at": _iso(a.submitted_at), "text": a.text,
                "jointly_with": _cj(list(a.jointly_with)) if a.jointly_with else ""}
        x = e.escalations[ident]
        return {
            **base, "id": x.id, "action": x.action, "from_role": x.from_role, "to_role": x.to_role,
            "at": _iso(x.at), "due": _iso(x.due), "level": x.level, "rule": x.rule}

    def _deliverables(self) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
        e, base = self.engine, {"municipality": self.code, "start": self.key}
        for ident in sorted(set(e.required) | set(e.delivered)):
            yield ("deliverable", ident), {
                **base, "id": ident, "due": _iso(e.required.get(ident)), "delivered_at": _iso(e.delivered.get(ident))}

    def _changed(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The rows that differ from those last written: of the records the engine reports it
        touched (`Workflow.touched`), and of the deliverables (a handful, which the engine's year
        and wheel also move, so they are compared whole)."""
        rows = (*((key, self._row(*key)) for key in sorted(self._touched)), *self._deliverables())
        return {key: row for key, row in rows if self._snapshot.get(key) != row}

    @staticmethod
    def _derived_updates(rows: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
        tables = {"deviation": DEVIATION, "action": ACTION, "escalation": ESCALATION, "deliverable": DELIVERABLE}
        return [(t, [row for (k, _), row in rows.items() if k == kind]) for kind, t in tables.items()]

    def _next_facts(self, updates: Sequence[tuple[sa.Table, Sequence[dict[str, Any]]]],
                    events: Sequence[EngineEvent] = ()) -> tuple[facts.Digests, set[tuple[str, str]], str]:
        """The digests and `facts` value after writing `updates` (rows per table) and `events`."""
        digests = dict(self._digests)
        touched = set()
        for t, rows in updates:
            if rows:
                digests[t.name] = dict(digests.get(t.name, {}))
                facts.add_rows(digests, t, rows)
                touched.add(t.name)
        refs = self._refs | facts.rule_refs((ev.rule, ev.details) for ev in events if ev.rule) if events else self._refs
        if refs != self._refs:
            touched.add(RULE.name)
        known = None
        if self.state.facts is not None and self._digests:
            known = {k: v for k, v in json.loads(self.state.facts).items() if k not in touched}
        return digests, refs, facts.summarize(digests, refs, known)

    def _load_facts(self, digests: facts.Digests, rows: Sequence[dict[str, Any]]) -> None:
        """Take the stored fact rows as this run's, after checking them against its record."""
        # Only an event that names a rule names a rule version: the other rows' details (most of
        # a log: arriving observations) are not parsed.
        try:
            refs = facts.rule_refs(chain.rule_details(rows))
        except chain.UnreadableDetails as err:
            raise RunError(_("the stored rows of {run} were changed outside govcore ({tables}); see "
                             "`govcore audit verify` — it cannot be resumed").format(
                                 run=self.label, tables=str(err))) from None
        actual = facts.summarize(digests, refs)
        if self.state.facts is not None and actual != self.state.facts:
            raise RunError(_("the stored rows of {run} were changed outside govcore "
                             "({tables}); see `govcore audit verify` — it cannot be resumed").format(
                                 run=self.label, tables=", ".join(facts.changed(self.state.facts, actual))))
        self._digests, self._refs = digests, refs
        self._mark_facts = (digests, refs)

    @staticmethod
    def _write_derived(conn: sa.Connection, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
        tables = {"deviation": DEVIATION, "action": ACTION, "escalation": ESCALATION, "deliverable": DELIVERABLE}
        for kind, t in tables.items():
            _upsert(conn, t, [row for (k, _), row in sorted(rows.items()) if k == kind])


# ---------------------------------------------------------------------------------- helpers


def _hm(text: str) -> tuple[int, int]:
    h, m = text.split(":")
    return int(h), int(m)


def _condition(c: Any) -> dict[str, Any]:
    value = list(c.value) if isinstance(c.value, tuple) else c.value
    return {"field": c.field, "op": c.op, "value": value, "text": c.text}


_SUPERSEDE_COLUMNS = (OBS.c.n, OBS.c.kpi, OBS.c.series, OBS.c.of_municipality, OBS.c.period, OBS.c.known_at)
_Superseded = config_observations.Superseded


_STATE_COLUMNS = ("items", "events", "inputs", "clock", "head_hash", "complete", "fingerprint", "chain", "live",
                  "facts", "config_rows")


def _state_sql(q: Callable[[str], str], mark: str) -> str:
    return (f"SELECT {', '.join(q(c) for c in _STATE_COLUMNS)} FROM {q(RUN.name)} "
            f"WHERE {q('municipality')} = {mark} AND {q('start')} = {mark}")


def _load_state(conn: sa.Connection, code: str, start: str) -> RunState | None:
    """The run row, read as the driver's own SQL text (`_sql`): every command reads it, on a
    database it opened (whose SQLAlchemy engine would compile the statement again)."""
    r = conn.exec_driver_sql(_sql(conn, ("state",), _state_sql), (code, start)).first()
    if r is None:
        return None
    items, events, inputs, clock, head, complete, fingerprint, version, live, known, config_rows = r
    return RunState(int(items), int(events), int(inputs), str(clock), str(head), bool(complete), str(fingerprint),
                    int(version), bool(live), known, bool(config_rows))


def _load_inputs(conn: sa.Connection, code: str, year: str) -> list[_Input]:
    out: list[_Input] = []
    for r in conn.execute(sa.select(OBS).where(_where(OBS, code, year), OBS.c.origin == "added")):
        out.append(_Input(int(r.fed_order), int(r.fed_items), str(r.fed_clock), observation=Observation(
            kpi=r.kpi, period=r.period, value=r.value, series=r.series, municipality=r.of_municipality,
            source=r.source, known_at=dt.date.fromisoformat(r.known_at))))
    for r in conn.execute(sa.select(RESP).where(_where(RESP, code, year), RESP.c.origin == "added")):
        out.append(_Input(int(r.fed_order), int(r.fed_items), str(r.fed_clock),
                          response=Response.model_validate(json.loads(r.data))))
    return sorted(out, key=lambda i: i.order)


def _feed(engine: Engine, inp: _Input) -> None:
    try:
        if inp.observation is not None:
            engine.observe(inp.observation)
        elif inp.response is not None:
            engine.respond(inp.response)
    except EngineError as err:
        raise RunError(_("replaying a stored input failed: {problem}").format(problem=err)) from None


def _check_replay(cfg: Configuration, start: dt.date, events: Sequence[EngineEvent], item_of: dict[int, int],
                  rows: Sequence[dict[str, Any]], state: RunState, *, partial: bool = False) -> None:
    """The replayed events, each with the item that produced it, must hash to the stored chain.

    An event's text is cut from the line the engine wrote for it, which begins with its time
    (`chain.event_texts`): the stored row's time is offered as that text, instead of writing the
    event's time again (a microsecond an event with a zone). A replayed event at another time does
    not begin so, and its text is then made from its own fields: the hash compared is always the
    replayed event's."""
    what = run_label(cfg.municipality.name, cfg.municipality.code, start)
    head = chain.genesis(cfg.municipality.code, start, state.chain)
    stored = {int(r["seq"]): str(r["hash"]) for r in rows}
    by_seq = {int(r["seq"]): r for r in rows}
    hashes = rows
    for ev in events:
        prev = head
        row = by_seq.get(ev.seq)
        at = row["at"] if row is not None else None
        head = chain.link(head, chain.event_texts(ev, item_of.get(ev.seq, 0), state.chain,
                                                  at=at if type(at) is str else None)[0])
        if stored.get(ev.seq) != head and state.chain == 1 and ev.seq in by_seq and \
                chain.same_decision_v1(by_seq[ev.seq], ev) and \
                chain.link(prev, chain.row_json(by_seq[ev.seq], 1)) == stored[ev.seq]:
            head = stored[ev.seq]  # the entry as govcore 0.1.0 wrote it: the same decision (chain.py)
        if stored.get(ev.seq) != head:
            raise RunError(_("replaying the stored run of {run} does not reproduce its event {event} "
                             "({type} at {at}): the rules, a plugin or govcore changed since it was "
                             "stored, or the log was tampered with (see `govcore audit verify`); it cannot be "
                             "resumed").format(run=what, event=ev.id, type=ev.type, at=ev.at.isoformat()))
    if partial:
        return
    if len(events) != len(hashes) or len(events) != state.events or head != state.head_hash:
        raise RunError(_("replaying the stored run of {run} gives {n} events, but {stored} are "
                         "recorded: the database is inconsistent (see `govcore audit verify`); it cannot be "
                         "resumed").format(run=what, n=len(events), stored=state.events))


def _stored_parts(conn: sa.Connection, code: str, fingerprint: str) -> dict[str, str] | None:
    r = conn.execute(sa.select(CONFIG.c.parts).where(CONFIG.c.municipality == code,
                                                     CONFIG.c.fingerprint == fingerprint)).first()
    return dict(json.loads(r.parts)) if r is not None else None


def _same_files(db: Database, cfg: Configuration, stored: RunState) -> bool:
    """Whether `cfg` is made of exactly the files the stored run was started with.

    Compared by content: each stored file hash must equal the configuration's hash of that file,
    or the SHA-256 of the file's bytes in the configuration folder (older govcore versions hashed
    municipality.yaml as bytes; newer ones hash its settings and versions).
    """

    def old(conn: sa.Connection) -> dict[str, str] | None:
        r = conn.execute(sa.select(CONFIG.c.files).where(
            CONFIG.c.municipality == cfg.municipality.code, CONFIG.c.fingerprint == stored.fingerprint)).first()
        return dict(json.loads(r.files)) if r is not None else None

    before = db.read(old)
    if before is None or set(before) != set(cfg.files):
        return False
    for name, digest in before.items():
        if cfg.files[name] == digest:
            continue
        path = cfg.base_dir / name
        if name.startswith("rules:") or not path.is_file() or \
                hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def _changed_message(db: Database, cfg: Configuration, start: dt.date, stored: RunState,
                     parts: dict[str, str]) -> str:
    def old(conn: sa.Connection) -> tuple[dict[str, str], dict[str, str]] | None:
        r = conn.execute(sa.select(CONFIG.c.files, CONFIG.c.parts).where(
            CONFIG.c.municipality == cfg.municipality.code, CONFIG.c.fingerprint == stored.fingerprint)).first()
        return (json.loads(r.files), json.loads(r.parts)) if r is not None else None

    before = db.read(old)
    changed = ""
    if before is not None:
        files = sorted(n for n in set(before[0]) | set(cfg.files) if before[0].get(n) != cfg.files.get(n))
        what = [p for p in parts if p != "files" and before[1].get(p) != parts[p]]
        names = what + [f for f in files if f not in what]
        changed = ", ".join(names)
    label = run_label(cfg.municipality.name, cfg.municipality.code, start)
    return (_("the configuration changed since the run of {run} was stored in {db} (changed: {parts}); a run "
              "cannot continue on a different configuration — start a new one after `govcore db delete-run "
              "--municipality {code} --start {start}`") if changed else
            _("the configuration changed since the run of {run} was stored in {db}; a run cannot continue on a "
              "different configuration — start a new one after `govcore db delete-run --municipality {code} "
              "--start {start}`")).format(run=label, db=db.display, parts=changed, code=cfg.municipality.code,
                                          start=start)


@contextmanager
def locked(db: Database, cfg: Configuration, year: int | None, start: dt.date | None) -> Iterator[None]:
    """Hold the run's lock (govcore.store.locks) from before it is opened until it is closed: one
    process at a time replays and advances a run; the next one then starts from where it ended."""
    key = (start or dt.date(year or cfg.year, 1, 1)).isoformat()
    with run_lock(db, cfg.municipality.code, key):
        yield


@contextmanager
def opened(db: str | Database) -> Iterator[Database]:
    """A database from a `--db` argument (or an open one, left open)."""
    if isinstance(db, Database):
        yield db
        return
    database = open_database(db)
    try:
        yield database
    finally:
        database.close()


# ----------------------------------------------------------------------------- entry points


def simulate_persistent(cfg: Configuration, db: str | Database, *, year: int | None = None,
                        start: dt.date | None = None, until: dt.date | None = None, resume: bool = False,
                        progress: Callable[[int, int], None] | None = None,
                        notify: Callable[[str], None] | None = None) -> SimulationResult:
    """`govcore simulate … --db`: from `start` (1 January of `year` by default) to the end of
    `until` (31 December of the start year by default), committed in batches of simulated days; `resume`
    continues an interrupted one. The result — events, summary, a summary per calendar year of a
    longer span — is the one `govcore.simulate.simulate` gives for the same span.

    `progress(done, total)` is called once the run is open (done = the items already committed)
    and after each committed batch; `notify` receives a line when a run is resumed. The library
    draws nothing itself: the command line turns these into a progress bar.
    """
    first = start or dt.date(year or cfg.year, 1, 1)
    last = until or dt.date(first.year, 12, 31)
    if last < first:
        raise RunError(_("the end {end} is before the start {start}").format(end=last, start=first))
    with opened(db) as database, locked(database, cfg, None, first), \
            PersistentRun.open(database, cfg, start=first, until=last, fresh=not resume) as run, run.atomic():
        engine, book = run.engine, run.book
        assert book is not None
        total = engine.items_processed + engine.pending()
        if run.resumed_items and notify is not None:
            notify(_("resuming {name} {start} after item {item} ({events} events already stored)").format(
                name=run.name, start=start_text(run.key), item=run.resumed_items, events=run.state.events))
        if progress is not None:
            progress(engine.items_processed, max(total, engine.items_processed))
        step = None if progress is None else (lambda done: progress(done, max(total, done)))
        run.finish_at_end = True
        run.advance(run.end, step)
        while book.year < last.year:
            book.close()
        book.close(run.end)
        summary = summarize(engine, digest=book.digest(), tally=book.tally())
        summary["years"] = list(range(first.year, last.year + 1))
        summary["years_without_observations"] = book.quiet
        return SimulationResult(engine.config, first.year, list(engine.events), summary, book.results)


@dataclass
class TickResult:
    """What one `govcore tick` did."""

    municipality: str
    name: str
    start: str
    clock: str
    items: int
    events: list[EngineEvent]
    complete: bool

    @property
    def year(self) -> int:
        """The year the run started in."""
        return int(self.start[:4])


def local_target(engine: Engine, now: dt.datetime | dt.date | None) -> dt.datetime:
    """The clock time a tick advances to: a date means the end of that day (23:59 local).

    A time with another UTC offset is taken to the run's time zone: the engine's clock is local
    time, and an event stamped with another offset would not hash the same when the run is
    replayed (which takes stored times to the local zone)."""
    if now is None:
        now = dt.datetime.now(engine.now.tzinfo).date()
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            return engine.calendar.local_datetime(now.date(), now.hour, now.minute)
        return now.astimezone(engine.now.tzinfo)
    return engine.calendar.local_datetime(now, 23, 59)


def tick(cfg: Configuration, db: str | Database, *, now: dt.datetime | dt.date | None = None,
         year: int | None = None, start: dt.date | None = None,
         progress: Callable[[int, int], None] | None = None) -> TickResult:
    """`govcore tick`: advance the stored run to `now` (today by default) and persist what happened.

    The run goes on across new years without intervention. Idempotent: a date advances to 23:59
    of that day, so a second tick on the same day finds nothing due and writes nothing. A time
    before the run's clock does nothing either. `progress(done, total)` as for `simulate`.
    """
    with opened(db) as database, locked(database, cfg, year, start), \
            PersistentRun.open(database, cfg, year=year, start=start, live=True) as run, run.atomic():
        target = local_target(run.engine, now)
        if progress is not None:
            progress(run.engine.items_processed, run.engine.items_processed)
        step = None if progress is None else (lambda done: progress(done, done))
        events = run.advance(target, step) if target >= run.engine.now else []
        return TickResult(run.code, run.name, run.key, run.state.clock, run.state.items, events, run.state.complete)


@dataclass
class ObserveResult:
    """What adding observations to a stored run did."""

    added: list[dict[str, Any]]
    events: list[EngineEvent]
    clock: str


def observe(cfg: Configuration, db: str | Database, observations: Sequence[Observation], *,
            year: int | None = None, start: dt.date | None = None,
            received_at: dt.datetime | None = None) -> ObserveResult:
    """Add observations to the stored run (creating it, live, if needed) and process those due now."""
    with opened(db) as database, locked(database, cfg, year, start), \
            PersistentRun.open(database, cfg, year=year, start=start, live=True) as run, run.atomic():
        added = run.add_observations(observations, received_at=received_at)
        events = run.advance(run.engine.now)
        return ObserveResult(added, events, run.state.clock)


def respond(cfg: Configuration, db: str | Database, responses: Sequence[Response], *,
            year: int | None = None, start: dt.date | None = None, received_at: dt.datetime | None = None,
            actor: str | None = None) -> list[EngineEvent]:
    """Add human responses to the stored run (creating it, live, if needed); each takes effect at
    its date and time (now, or a later tick). `actor` names who gave them (kept with each row)."""
    with opened(db) as database, locked(database, cfg, year, start), \
            PersistentRun.open(database, cfg, year=year, start=start, live=True) as run, run.atomic():
        run.add_responses(responses, received_at=received_at, actor=actor)
        return run.advance(run.engine.now)


def replay_check(cfg: Configuration, db: str | Database, *, year: int | None = None,
                 start: dt.date | None = None) -> tuple[int, list[str]]:
    """`audit verify --replay`: re-derive the stored run from its inputs — the configuration, the
    stored observations and responses — and compare: every event (hash chain, item by item), the
    deviation, action, escalation and deliverable rows, and the configuration's own observation
    and response rows. Returns the number of events re-derived and the differences found."""
    with opened(db) as database:
        ensure(database, create=False)
        try:
            run = PersistentRun.open(database, cfg, year=year, start=start, create=False, readonly=True)
        except RunError as err:
            return 0, [str(err)]
        with run:
            code, key = run.code, run.key
            expected = {(k, i): row for (k, i), row in run._derived()}
            # A run from schema 7 on stores none: its configuration's observations are the
            # configuration's (the fingerprint the run was opened with covers them).
            expected_obs = config_observations.of_run(run.cfg, key) if run.state.config_rows else []
            expected_resp = [(r.date.isoformat(), r.time, _cj(r.model_dump(mode="json", exclude_none=True)))
                             for r in run.cfg.responses]

            def load(conn: sa.Connection) -> tuple[dict[tuple[str, str], dict[str, Any]], list[dict[str, Any]],
                                                   list[tuple[str, str, str]]]:
                stored: dict[tuple[str, str], dict[str, Any]] = {}
                for kind, t in (("deviation", DEVIATION), ("action", ACTION), ("escalation", ESCALATION),
                                ("deliverable", DELIVERABLE)):
                    for r in row_dicts(conn.execute(sa.select(t).where(_where(t, code, key)))):
                        stored[(kind, str(r["id"]))] = r
                obs = row_dicts(conn.execute(sa.select(OBS).where(
                    _where(OBS, code, key), OBS.c.origin == "configuration").order_by(OBS.c.n)))
                resp = [(str(r.date), str(r.time), str(r.data)) for r in conn.execute(sa.select(RESP).where(
                    _where(RESP, code, key), RESP.c.origin == "configuration").order_by(RESP.c.n))]
                return stored, obs, resp

            stored, obs, resp = database.read(load)
            problems = []
            for k in sorted(set(expected) | set(stored)):
                if k not in stored:
                    problems.append(_("{kind} {id} is missing from the database (the replay gives it)").format(
                        kind=k[0], id=k[1]))
                elif k not in expected:
                    problems.append(_("{kind} {id} is in the database but the replay does not give it").format(
                        kind=k[0], id=k[1]))
                else:
                    cols = sorted(c for c in expected[k] if expected[k][c] != stored[k].get(c))
                    if cols:
                        problems.append(_("{kind} {id}: {fields} differ from the replay").format(
                            kind=k[0], id=k[1], fields=", ".join(cols)))
            if len(obs) != len(expected_obs):
                problems.append(_("the configuration's observations: {stored} rows stored, {given} given").format(
                    stored=len(obs), given=len(expected_obs)))
            for a, b in zip(obs, expected_obs, strict=False):
                cols = sorted(c for c in b if b[c] != a.get(c))
                if cols:
                    problems.append(_("observation #{n}: {fields} differ from the configuration").format(
                        n=b["n"], fields=", ".join(cols)))
            if resp != expected_resp:
                problems.append(_("the configuration's responses differ from the stored rows"))
            return len(run.engine.events), problems


def report_as_of(cfg: Configuration, db: str | Database, *, as_of: dt.date | None = None, year: int | None = None,
                 start: dt.date | None = None) -> SimulationResult:
    """The stored run as it stood at the end of `as_of` (default: today, or the run's clock if that is
    earlier), as a simulation result for the report code: its events so far and their summary.

    The stored inputs are replayed up to that day and must reproduce the stored log; nothing is
    written. Works for a run of any length: the engine crosses the years as it replays.
    """
    with opened(db) as database:
        ensure(database, create=False)
        first = start or dt.date(year or cfg.year, 1, 1)
        state = database.read(lambda conn: _load_state(conn, cfg.municipality.code, first.isoformat()))
        if state is None:
            label = run_label(cfg.municipality.name, cfg.municipality.code, first)
            raise RunError(_("{db} holds no run of {run}").format(db=database.display, run=label))
        clock = dt.datetime.fromisoformat(state.clock)
        day = as_of or dt.datetime.now(clock.tzinfo).date()
        if day < first:
            raise RunError(_("--as-of {day} is before the run's start ({start})").format(day=day, start=first))
        with PersistentRun.open(database, cfg, start=first, create=False, as_of=day) as run:
            engine = run.engine
            summary = summarize(engine)
            years = sorted({first.year, *(e.at.year for e in engine.events)})
            summary["years"] = years
            summary["years_without_observations"] = [
                y for y in years if not any(e.type == "observation" and e.at.year == y for e in engine.events)]
            summary["as_of"] = engine.now.isoformat()
            return SimulationResult(engine.config, first.year, list(engine.events), summary)


__all__ = ["DatabaseError", "PersistentRun", "RunError", "observe", "respond", "simulate_persistent", "tick"]
