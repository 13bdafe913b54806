"""Digests of a run's stored facts: what the decisions depend on besides the event log.

The event log is hash-chained, but a decision also rests on rows outside it: the observations
and responses the engine was given, the deviations, corrective actions, escalations and
deliverables as they stand, the rule versions `explain` shows, the configuration version. The run
row keeps one digest per table (`facts`, canonical JSON), updated in the same transaction as every
change, and `govcore audit verify` recomputes them: an edit of any of those rows is reported with
the table it is in. (Whoever recomputes the digests too is caught by `audit verify --replay`,
which derives the rows again from the inputs.)

A table's digest is the SHA-256 of the sorted digests of its rows; a row's digest covers every
column but the run key. The rules counted are the versions the run's events name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from govcore.store import chain
from govcore.store.db import row_dicts
from govcore.store.tables import (
    ActionRow,
    ConfigVersion,
    DeliverableRow,
    DeviationRow,
    EscalationRow,
    ObservationRow,
    ResponseRow,
    RuleVersion,
    table,
)

RUN_FACT_TABLES: tuple[sa.Table, ...] = tuple(table(m) for m in (
    ObservationRow, ResponseRow, DeviationRow, ActionRow, EscalationRow, DeliverableRow))
RULE = table(RuleVersion)
CONFIG = table(ConfigVersion)
Digests = dict[str, dict[tuple[Any, ...], str]]


# Columns added after rows were first stored: while empty they are left out of a row's digest, so
# the digests recorded before the column existed still hold (schema 0006: govcore_action.jointly_with).
ADDED_COLUMNS = frozenset({"jointly_with"})


def row_digest(row: Mapping[str, Any]) -> str:
    own = dict(row)  # every column but the run key (a copy and two deletions: this runs per stored row)
    own.pop("municipality", None)
    own.pop("start", None)
    for k in ADDED_COLUMNS:
        if own.get(k) == "":
            del own[k]
    return hashlib.sha256(chain.canonical_json(own).encode()).hexdigest()


def _key_names(t: sa.Table) -> tuple[str, ...]:
    return tuple(c.name for c in t.primary_key.columns if c.name not in ("municipality", "start"))


def add_rows(digests: Digests, t: sa.Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Record (or replace) the digests of `rows` of table `t`."""
    own = digests.setdefault(t.name, {})
    names = _key_names(t)  # once per call: a run's creation adds thousands of rows
    for r in rows:
        own[tuple(r[c] for c in names)] = row_digest(r)


def load(conn: sa.Connection, code: str, start: str, fingerprint: str) -> Digests:
    """The digests of every fact row of a run, as the database holds them."""
    digests: Digests = {}
    for t in RUN_FACT_TABLES:
        add_rows(digests, t, row_dicts(conn.execute(
            sa.select(t).where(t.c.municipality == code, t.c.start == start))))
    add_rows(digests, RULE, row_dicts(conn.execute(sa.select(RULE).where(RULE.c.municipality == code))))
    add_rows(digests, CONFIG, row_dicts(conn.execute(sa.select(CONFIG).where(
        CONFIG.c.municipality == code, CONFIG.c.fingerprint == fingerprint))))
    return digests


def stored_rules(conn: sa.Connection, code: str, ours: Mapping[tuple[str, str], Mapping[str, Any]]
                 ) -> dict[tuple[Any, ...], str]:
    """The digests of the rule versions among `ours` ({(rule_hash, rule id): the row a run would
    write}) that the database holds otherwise: the rows it holds.

    A rule version is shared by every run of the municipality and never replaced: the row stored
    first (read from another folder, whose path it keeps, or by an older govcore) is the one a
    later run's record must cover, not the row that run would have written. Only the rows that
    differ are digested (usually none: the same folder stored them)."""
    scratch: Digests = {}
    hashes = sorted({h for h, _ in ours})
    found = row_dicts(conn.execute(sa.select(RULE).where(RULE.c.municipality == code,
                                                        RULE.c.rule_hash.in_(hashes))))
    add_rows(scratch, RULE, (r for r in found if (mine := ours.get((str(r["rule_hash"]), str(r["rule_id"]))))
                             is not None and r != mine))
    return scratch.get(RULE.name, {})


def rule_refs(events: Iterable[tuple[str | None, Mapping[str, Any]]]) -> set[tuple[str, str]]:
    """The (rule_hash, rule id) of every rule version that events name: (rule, details) pairs."""
    return {(str(d.get("rule_hash", "")), rule) for rule, d in events if rule}


def table_digest(name: str, rows: Mapping[tuple[Any, ...], str], refs: set[tuple[str, str]]) -> str:
    """One table's digest: of the sorted digests of its rows (for rules, those the events name)."""
    chosen = [d for k, d in rows.items() if name != RULE.name or (str(k[0]), str(k[1])) in refs]
    return hashlib.sha256("\n".join(sorted(chosen)).encode()).hexdigest()


_NO_ROWS = hashlib.sha256(b"").hexdigest()  # the digest of a table without rows (`table_digest` of none)


def summarize(digests: Digests, refs: set[tuple[str, str]], known: Mapping[str, str] | None = None) -> str:
    """The `facts` column: canonical JSON {table: digest of its rows}. `known`: table digests
    already computed for tables that did not change (a commit recomputes only what it changed)."""
    out = dict(known or {})
    for name, rows in digests.items():
        if name not in out:
            out[name] = table_digest(name, rows, refs)
    for t in (*RUN_FACT_TABLES, RULE, CONFIG):
        out.setdefault(t.name, _NO_ROWS)
    return chain.canonical_json(dict(sorted(out.items())))


def changed(recorded: str, actual: str) -> list[str]:
    """The tables whose digest differs between the run's record and the rows as they are."""
    a, b = json.loads(recorded), json.loads(actual)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
