"""The database tables (SQLModel): everything the engine keeps, per municipality and run.

A run is a municipality's timeline from a start date (`start`, ISO text), open-ended.

Every table but `govcore_schema` starts its primary key with `municipality` (the three-digit
code), so one database can hold all 98 municipalities and every lookup is an index range on the
municipality's own rows. Times are stored as the engine's ISO-8601 text with its UTC offset
(`2021-04-06T09:00:00+02:00`), not as database timestamps: SQLite has no time zones, PostgreSQL
would normalise to UTC, and the hash chain must reproduce each event's JSON byte for byte.
JSON-valued columns are canonical JSON text for the same reason.

This module deliberately does not use `from __future__ import annotations`: SQLModel reads the
annotations at class creation.
"""

from sqlalchemy import ForeignKeyConstraint, Index, Table, Text
from sqlmodel import Field, SQLModel


def _run_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["municipality", "start"], ["govcore_run.municipality", "govcore_run.start"])


class SchemaVersion(SQLModel, table=True):
    """The schema version of the database: `govcore db upgrade` applies migrations above it."""

    __tablename__ = "govcore_schema"
    component: str = Field(primary_key=True)
    version: int


class ConfigVersion(SQLModel, table=True):
    """One version of a municipality's configuration: the hash of every file it was built from.

    `fingerprint` also covers the parsed goals, KPIs, observations, responses and wheel dates, so
    that a resumed run can prove it replays the very configuration it was started with.
    """

    __tablename__ = "govcore_config_version"
    municipality: str = Field(primary_key=True, max_length=3)
    fingerprint: str = Field(primary_key=True)
    version: str
    rules_version: str
    name: str
    year: int
    files: str = Field(sa_type=Text)  # JSON {file name: sha256}
    parts: str = Field(sa_type=Text)  # JSON {part (goals, rules, observations...): sha256}
    rule_files: str = Field(sa_type=Text)  # JSON {rule file name: sha256}


class RuleVersion(SQLModel, table=True):
    """A rule as it was in one version of its file: what `govcore explain` shows for an event
    whose `details.rule_hash` names that version, even after the file has changed."""

    __tablename__ = "govcore_rule"
    municipality: str = Field(primary_key=True, max_length=3)
    rule_hash: str = Field(primary_key=True)  # the first 12 hex digits, as in events
    rule_id: str = Field(primary_key=True)
    file: str
    file_hash: str
    line: int
    title: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    trigger: str
    trigger_values: str = Field(sa_type=Text)  # JSON list
    for_each: str
    conditions: str = Field(sa_type=Text)  # JSON [{field, op, value, text}]
    any_of: str = Field(sa_type=Text)  # JSON [[{field, op, value, text}]]
    actions: str = Field(sa_type=Text)  # JSON [{name, params}]


class Run(SQLModel, table=True):
    """A municipality's run from its start date: how far the engine got, the head of its log.

    Updated in the same transaction as every processed item, so it always names the last
    committed item; `--resume` and `govcore tick` continue from there.
    """

    __tablename__ = "govcore_run"
    __table_args__ = (ForeignKeyConstraint(["municipality", "fingerprint"],
                                           ["govcore_config_version.municipality",
                                            "govcore_config_version.fingerprint"]),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    fingerprint: str
    name: str
    items: int = 0  # items processed and committed
    events: int = 0  # events committed (= the last seq)
    inputs: int = 0  # observations/responses added to the stored run (orders their replay)
    clock: str  # the engine's clock
    head_hash: str  # hash of the last event (or the genesis hash)
    complete: bool = False
    chain: int  # the log format: 1 (govcore 0.1.0, kept for upgraded runs), 2 (hash covers the item too)
    live: bool = False  # live: responses come from people (respond), not from responses.yaml
    facts: str | None = Field(default=None, sa_type=Text)  # JSON {table: digest of the run's rows}


class ObservationRow(SQLModel, table=True):
    """A KPI value as received. Never updated: a correction is a newer row for the same KPI,
    series and period (`supersedes` points at the row it replaces), the old value stays."""

    __tablename__ = "govcore_observation"
    __table_args__ = (_run_fk(), Index("ix_govcore_observation_kpi", "municipality", "start", "kpi", "period"))
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    n: int = Field(primary_key=True)
    kpi: str
    period: str
    value: float
    series: str
    of_municipality: str | None = None  # a benchmark's municipality
    source: str
    known_at: str  # the date from which the value counts
    received_at: str
    origin: str  # "configuration" or "added"
    supersedes: int | None = None
    fed_order: int | None = None  # for added rows: replay order and position
    fed_items: int | None = None
    fed_clock: str | None = None


class ResponseRow(SQLModel, table=True):
    """A human response (submit / accept / reject / deliver), from the configuration or added."""

    __tablename__ = "govcore_response"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    n: int = Field(primary_key=True)
    date: str
    time: str
    kind: str
    data: str = Field(sa_type=Text)  # JSON of the response
    origin: str
    received_at: str
    fed_order: int | None = None
    fed_items: int | None = None
    fed_clock: str | None = None
    actor: str | None = None  # who gave the response, when known (a user of the server, later)


class EventRow(SQLModel, table=True):
    """The event log, which is the decision log: append-only, hash-chained.

    `hash` = sha256(prev_hash + newline + the event's canonical JSON); `item` is the number of
    the processed item that caused the event (events of one item are committed together).
    """

    __tablename__ = "govcore_event"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    seq: int = Field(primary_key=True)
    item: int
    at: str
    type: str
    rule: str | None = None
    goal: str | None = None
    owner: str | None = None
    subject: str | None = None
    subject_kind: str | None = None
    details: str = Field(sa_type=Text)
    prev_hash: str
    hash: str


class DeviationRow(SQLModel, table=True):
    """A deviation (afvigelse) as it stands after the last committed item."""

    __tablename__ = "govcore_deviation"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    id: str = Field(primary_key=True)
    subject_kind: str
    subject: str
    goal: str | None = None
    owner: str
    rule: str
    opened_at: str
    reason: str = Field(sa_type=Text)
    inputs: str = Field(sa_type=Text)
    state: str
    closed_at: str | None = None
    actions: str = Field(sa_type=Text)  # JSON list of action ids


class ActionRow(SQLModel, table=True):
    """A corrective action (korrigerende handling) as it stands after the last committed item."""

    __tablename__ = "govcore_action"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    id: str = Field(primary_key=True)
    deviation: str
    subject_kind: str
    subject: str
    goal: str | None = None
    owner: str
    demanded_by_rule: str
    demanded_at: str
    due: str
    title: str = Field(sa_type=Text)
    state: str
    escalation_level: int
    submitted_at: str | None = None
    text: str = Field(sa_type=Text)


class EscalationRow(SQLModel, table=True):
    __tablename__ = "govcore_escalation"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    id: str = Field(primary_key=True)
    action: str
    from_role: str
    to_role: str
    at: str
    due: str
    level: int
    rule: str


class DeliverableRow(SQLModel, table=True):
    """A deliverable's due date and delivery, as the engine sees them."""

    __tablename__ = "govcore_deliverable"
    __table_args__ = (_run_fk(),)
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    id: str = Field(primary_key=True)
    due: str | None = None
    delivered_at: str | None = None


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model (typed; SQLModel's `__table__` is not visible to mypy)."""
    t: Table = model.__table__  # type: ignore[attr-defined]
    return t


MODELS: tuple[type[SQLModel], ...] = (
    SchemaVersion, ConfigVersion, RuleVersion, Run, ObservationRow, ResponseRow, EventRow, DeviationRow,
    ActionRow, EscalationRow, DeliverableRow,
)
TABLES: tuple[Table, ...] = tuple(table(m) for m in MODELS)
# Tables holding one municipality's rows, children first (the order to delete a run in).
RUN_TABLES: tuple[Table, ...] = tuple(table(m) for m in (
    EventRow, ObservationRow, ResponseRow, DeviationRow, ActionRow, EscalationRow, DeliverableRow, Run))

