"""Reading the decision log back: which runs are stored, is the log intact, why did X happen.

Everything here works from the database alone (no configuration folder needed): an auditor can
check and explain a year long after the rule files have changed, because each event names the
version of its rule file and the database keeps that version of every rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from govcore.describe import describe_event
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.rules.conditions import Condition
from govcore.store import chain, facts
from govcore.store.db import Database, row_dicts
from govcore.store.schema import ensure
from govcore.store.tables import EventRow, RuleVersion, Run, table

RUN = table(Run)
EVENT = table(EventRow)
RULE = table(RuleVersion)


class AuditError(GovcoreError):
    """A question about the log that cannot be answered (no such event, ambiguous run...)."""


@dataclass(frozen=True)
class RunInfo:
    municipality: str
    start: str
    name: str
    items: int
    events: int
    clock: str
    head_hash: str
    complete: bool
    chain: int
    fingerprint: str = ""
    facts: str | None = None

    @property
    def label(self) -> str:
        return run_label(self.name, self.municipality, self.start)

    @property
    def year(self) -> int:
        """The year the run started in."""
        return int(self.start[:4])

    @property
    def short(self) -> str:
        """The run's start as listings show it: the year for a run from 1 January, else the date."""
        return start_text(self.start)


def _where(t: sa.Table, code: str, start: str) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.municipality == code, t.c.start == start)


def start_text(start: str) -> str:
    return start[:4] if start[4:] == "-01-01" else start


def run_label(name: str, code: str, start: str) -> str:
    if start[4:] == "-01-01":
        return f"{name} ({code}) {start_text(start)}"
    return _("{name} ({code}) from {start}").format(name=name, code=code, start=start)


def list_runs(db: Database, municipality: str | None = None, year: int | None = None,
              start: str | None = None) -> list[RunInfo]:
    """The stored runs, optionally of one municipality, those started in `year`, or the one from
    `start` (an administrator's listing)."""
    ensure(db, create=False)
    code = _code(municipality) if municipality else None

    def work(conn: sa.Connection) -> list[RunInfo]:
        q = sa.select(RUN).order_by(RUN.c.municipality, RUN.c.start)
        if code:
            q = q.where(RUN.c.municipality == code)
        if year:
            q = q.where(RUN.c.start.like(f"{year:04d}-%"))
        if start:
            q = q.where(RUN.c.start == start)
        return [RunInfo(r.municipality, str(r.start), r.name, int(r._mapping["items"]), int(r.events), r.clock,
                        r.head_hash, bool(r.complete), int(r.chain), str(r.fingerprint), r.facts)
                for r in conn.execute(q)]

    return db.read(work)


def _code(municipality: str) -> str:
    from govcore.model import municipality as lookup

    try:
        return lookup(municipality).code
    except ValueError as err:
        raise AuditError(str(err)) from None


def one_run(db: Database, municipality: str | None, year: int | None, start: str | None = None) -> RunInfo:
    """The run a command is about: the only one, or the one named by --municipality/--year/--start."""
    runs = list_runs(db, municipality, year, start)
    if len(runs) == 1:
        return runs[0]
    if not runs:
        which = " ".join(x for x in (municipality or "", str(year or ""), start or "") if x)
        raise AuditError(_("{db} holds no run of {which}").format(db=db.display, which=which) if which
                         else _("{db} holds no run").format(db=db.display))
    names = ", ".join(r.label for r in runs[:6]) + (" …" if len(runs) > 6 else "")
    raise AuditError(_("{db} holds {n} runs ({names}): choose one with "
                        "--municipality and --year (or --start)").format(db=db.display, n=len(runs), names=names))


# ----------------------------------------------------------------------------------- verify


def _log_rows(conn: sa.Connection, run: RunInfo) -> list[dict[str, Any]]:
    """Every event row of a run in seq order, each as {column: value}."""
    return row_dicts(conn.execute(sa.select(EVENT).where(_where(EVENT, run.municipality, run.start))
                                  .order_by(EVENT.c.seq)))


def verify(db: Database, municipality: str | None = None, year: int | None = None,
           start: str | None = None) -> list[chain.ChainReport]:
    """Check the hash chain of every selected run; one report per run."""
    reports = []
    for run in list_runs(db, municipality, year, start):
        def work(conn: sa.Connection, run: RunInfo = run) -> chain.ChainReport:
            rows = _log_rows(conn, run)
            report = chain.verify_rows(run.municipality, dt.date.fromisoformat(run.start), rows, run.events,
                                       run.head_hash, run.chain)
            if report.problem is not None or run.facts is None:
                return report
            # Only an event naming a rule names a rule version (as in `PersistentRun._load_facts`):
            # the others' details, most of a log, are not parsed.
            try:
                refs = facts.rule_refs(chain.rule_details(rows))
            except chain.UnreadableDetails as err:
                return dataclasses.replace(report, problem=str(err), first_bad_seq=err.seq)
            actual = facts.summarize(facts.load(conn, run.municipality, run.start, run.fingerprint), refs)
            tables = facts.changed(run.facts, actual)
            if not tables:
                return report
            return dataclasses.replace(report, problem=(
                _("rows of {tables} were changed outside govcore (they no longer match the run's "
                  "record of its facts)").format(tables=", ".join(tables))))

        reports.append(db.read(work))
    return reports


# ---------------------------------------------------------------------------------- explain

_EVENT_ID = re.compile(r"^(?:(\d{3})[/:](\d{4}(?:-\d\d-\d\d)?)[/:])?e?0*(\d+)$")


@dataclass(frozen=True)
class Explanation:
    """What `govcore explain` tells about one stored event: the run, the event row, the stored
    version of the rule that decided it (None: no rule, or that version is not stored) and every
    event of the run (for what it led to). The command line puts it in words, in the reader's
    language."""

    run: RunInfo
    event: Mapping[str, Any]
    rule: Mapping[str, Any] | None
    rows: Sequence[Mapping[str, Any]]


def explain(db: Database, event_id: str, *, municipality: str | None = None, year: int | None = None,
            start: str | None = None) -> Explanation:
    """Why an event happened: its rule and file version, the conditions with the values they
    were tested on, what was done, and what it led to later."""
    m = _EVENT_ID.match(event_id.strip())
    if not m:
        raise AuditError(_("'{value}' is not an event id (write e.g. e000042, or 630/2021/e000042)").format(
            value=event_id))
    if m.group(1):
        municipality = m.group(1)
        if len(m.group(2)) == 4:
            year = int(m.group(2))
        else:
            start = m.group(2)
    seq = int(m.group(3))
    run = one_run(db, municipality, year, start)

    def work(conn: sa.Connection) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        rows = _log_rows(conn, run)
        _readable(run, rows)
        target = next((r for r in rows if r["seq"] == seq), None)
        rule = None
        if target is not None and target["rule"]:
            details = json.loads(target["details"])
            found = conn.execute(sa.select(RULE).where(
                RULE.c.municipality == run.municipality, RULE.c.rule_id == target["rule"],
                RULE.c.rule_hash == str(details.get("rule_hash", "")))).first()
            rule = dict(found._mapping) if found is not None else None
        return rows, rule

    rows, rule = db.read(work)
    target = next((r for r in rows if r["seq"] == seq), None)
    if target is None:
        raise AuditError(_("{run} has no event {event} (its log has {n} events)").format(
            run=run.label, event=f"e{seq:06d}", n=len(rows)))
    return Explanation(run, target, rule, rows)


def _readable(run: RunInfo, rows: Sequence[Mapping[str, Any]]) -> None:
    """An explanation reads the details of the event and of every later one: a log whose details
    are no JSON object (written or re-chained outside govcore; `verify` parses only what it must)
    is refused with the entry named, not answered with a decoding error."""
    for r in rows:
        if not isinstance(r["seq"], int):  # SQLite's INTEGER column keeps a text that is no number
            raise AuditError(_("{run} cannot be explained: {problem}; see `govcore audit verify`").format(
                run=run.label, problem=_("an entry's number is '{value}', not a whole number").format(
                    value=str(r["seq"])[:20])))
        try:
            readable = isinstance(json.loads(r["details"]), dict)
        except (TypeError, ValueError):
            readable = False
        if not readable:
            raise AuditError(_("{run} cannot be explained: {problem}; see `govcore audit verify`").format(
                run=run.label, problem=chain.UnreadableDetails(int(r["seq"]))))


def _ids(details: Mapping[str, Any]) -> set[str]:
    ids = {str(details[k]) for k in ("deviation", "action", "escalation", "deliverable") if details.get(k)}
    ids.update(str(a) for a in details.get("actions", []) or [])
    return ids


def _led_to(ev: Mapping[str, Any], d: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Later events of the same item (when this one has no rule: they followed from it) and
    later events about the same deviation, corrective action, escalation or deliverable —
    followed on: a deviation leads to its action, the action to its escalation and so on."""
    ids = _ids(d)
    out = []
    for r in rows:
        if r["seq"] <= ev["seq"]:
            continue
        theirs = _ids(json.loads(r["details"]))
        same_item = r["item"] == ev["item"] and not ev["rule"]
        if same_item or (ids and theirs & ids):
            out.append(r)
            if r["type"] != "observation":
                ids |= theirs
    return out


def _cond(c: Mapping[str, Any]) -> Condition:
    value = tuple(c["value"]) if isinstance(c["value"], list) else c["value"]
    return Condition(str(c["field"]), str(c["op"]), value, str(c["text"]))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _when(at: str) -> str:
    return dt.datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")


def describe(row: Mapping[str, Any]) -> str:
    """One stored event in plain words."""
    d: dict[str, Any] = json.loads(row["details"]) if isinstance(row["details"], str) else dict(row["details"])
    return describe_event(str(row["type"]), d, row.get("owner"), row.get("subject"))


# ---------------------------------------------------------------------------------- history


def observation_history(db: Database, run: RunInfo, kpi: str | None = None,
                        period: str | None = None) -> list[dict[str, Any]]:
    """Every observation row of a run (corrections included), oldest first, each marked with
    whether it is the value in use at the run's clock and which row replaced it."""

    from govcore.store.config_observations import run_rows
    from govcore.store.configs import stored_configuration

    rows = sorted(run_rows(db, run.municipality, run.start,
                           lambda: stored_configuration(db, run.municipality, run.start, observations_only=True),
                           lambda r: (not kpi or r["kpi"] == kpi) and (not period or r["period"] == period)),
                  key=lambda r: (r["kpi"], r["series"], r["period"], r["n"]))
    today = dt.datetime.fromisoformat(run.clock).date().isoformat()
    by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        by_key.setdefault((r["kpi"], r["series"], r["of_municipality"], r["period"]), []).append(r)
    for group in by_key.values():
        known = [r for r in group if r["known_at"] <= today]
        current = max(known, key=lambda r: (r["known_at"], r["n"]))["n"] if known else None
        for r in group:
            r["current"] = r["n"] == current
            later = [x for x in group if x.get("supersedes") == r["n"]]
            r["superseded_by"] = later[0]["n"] if later else None
    return rows


# ------------------------------------------------------------------------------- checkpoint

CHECKPOINT_TAG = "govcore-checkpoint"


def checkpoint(db: Database, municipality: str | None = None, year: int | None = None,
               start: str | None = None) -> list[str]:
    """One line per stored run naming the head of its log:
    `govcore-checkpoint 630 2021-01-01 123 <sha256>` (municipality, start, events, hash of the last
    event). Kept outside the database — in the
    committee's minutes, a signed report — it lets `audit verify --checkpoint` prove later that
    the log still holds those entries unchanged."""
    return [f"{CHECKPOINT_TAG} {r.municipality} {r.start} {r.events} {r.head_hash}"
            for r in list_runs(db, municipality, year, start)]


@dataclass(frozen=True)
class CheckpointReport:
    """The outcome of checking one checkpoint line; `problem` is None when the log still holds it."""

    municipality: str
    start: str
    events: int
    problem: str | None = None


def parse_checkpoint(text: str) -> list[tuple[str, str, int, str]]:
    """The (municipality, start, events, head hash) of every checkpoint line in `text`."""
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0] != CHECKPOINT_TAG:
            continue
        if len(words) != 5 or not re.fullmatch(r"\d{4}-\d\d-\d\d", words[2]) or not words[3].isdigit() or \
                not re.fullmatch(r"[0-9a-f]{64}", words[4]):
            raise AuditError(_("checkpoint line {n} is not `{tag} MUNICIPALITY START EVENTS HASH`: {line}").format(
                n=n, tag=CHECKPOINT_TAG, line=line[:80]))
        found.append((words[1], words[2], int(words[3]), words[4]))
    if not found:
        raise AuditError(_("no `{tag}` line found (write them with `govcore audit checkpoint`)").format(
            tag=CHECKPOINT_TAG))
    return found


def verify_checkpoint(db: Database, text: str) -> list[CheckpointReport]:
    """Check that every run named in a checkpoint still holds the entry the checkpoint names, with
    the same hash: a run deleted, a log cut short (even with the run row adjusted to match) or a
    log rewritten and re-hashed from some entry on (even re-chained to the end) is reported."""
    points = parse_checkpoint(text)
    ensure(db, create=False)
    reports = []
    for code, year, events, head in points:
        def work(conn: sa.Connection, code: str = code, year: str = year, events: int = events) -> tuple[
                bool, int, str | None]:
            run = conn.execute(sa.select(RUN.c.events).where(_where(RUN, code, year))).first()
            count = conn.execute(sa.select(sa.func.count()).select_from(EVENT).where(
                _where(EVENT, code, year))).scalar_one()
            at = conn.execute(sa.select(EVENT.c.hash).where(_where(EVENT, code, year),
                                                            EVENT.c.seq == events)).scalar_one_or_none()
            return run is not None, int(count), at

        exists, count, at = db.read(work)
        label = f"{code} {start_text(year)}"
        if not exists and count == 0:
            problem: str | None = _("the run {run} is gone: the checkpoint names its {n} events "
                                    "(the run was deleted)").format(run=label, n=events)
        elif events and at is None:
            problem = _("the log of {run} was cut short: the checkpoint names entry {entry}, the log "
                        "holds {n} entries").format(run=label, entry=f"e{events:06d}", n=count)
        elif events and at != head:
            problem = _("the log of {run} was rewritten: entry {entry} no longer has the hash of the "
                        "checkpoint ({hash}…, now {now}…) — changed and re-hashed").format(
                            run=label, entry=f"e{events:06d}", hash=head[:12], now=str(at)[:12])
        else:
            problem = None
        reports.append(CheckpointReport(code, year, events, problem))
    return reports
