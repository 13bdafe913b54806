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

import sqlalchemy as sa
from sqlalchemy import ForeignKeyConstraint, Index, LargeBinary, Table, Text
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
    # Whether the configuration's own observations are rows of govcore_observation (runs created
    # before schema 7); false: they are derived from the stored configuration
    # (govcore.store.config_observations), and the table holds only the ones added later.
    config_rows: bool = Field(default=False, sa_column_kwargs={"server_default": sa.true()})


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
    # The roles holding the action with `owner` (joint responsibility), as a JSON list; '' when
    # the owner holds it alone. Query with e.g. `jointly_with LIKE '%"stab"%'`.
    jointly_with: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


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


class ConfigFileRow(SQLModel, table=True):
    """One file of a stored configuration version, byte for byte, so that a run can be reported,
    verified and continued (`govcore serve`, `report --db`) from the database alone.

    `path` is relative to the nearest folder holding the configuration folder and every stored file
    (POSIX separators, no `..`), so files a configuration allows from outside its folder keep their
    place; `kind` is "configuration" for municipality.yaml (what the loader is given), else "file";
    `sha256` is the hash of `content`. Rule files of installed plugins are not stored
    (govcore/store/configs.py says why).
    """

    __tablename__ = "govcore_config_file"
    __table_args__ = (ForeignKeyConstraint(["municipality", "fingerprint"],
                                           ["govcore_config_version.municipality",
                                            "govcore_config_version.fingerprint"]),)
    municipality: str = Field(primary_key=True, max_length=3)
    fingerprint: str = Field(primary_key=True)
    path: str = Field(primary_key=True)
    kind: str
    sha256: str
    content: bytes = Field(sa_type=LargeBinary)


class UserRow(SQLModel, table=True):
    """A person who logs in: one municipality, one or more organisation roles.

    `password_hash` is argon2 (None for a person who logs in only through OpenID Connect);
    `roles` is a JSON list of role ids of the municipality's organisation.
    """

    __tablename__ = "govcore_user"
    __table_args__ = (Index("ix_govcore_user_municipality", "municipality"),)
    username: str = Field(primary_key=True)
    municipality: str = Field(max_length=3)
    name: str
    email: str | None = None
    password_hash: str | None = None
    roles: str = Field(sa_type=Text)  # JSON list of role ids
    admin: bool = False
    disabled: bool = False
    oidc_issuer: str | None = None
    oidc_subject: str | None = None
    calendar_token_hash: str | None = None  # sha256 of the secret in the person's calendar feed URL
    failed_logins: int = 0
    locked_until: str | None = None
    created_at: str


class ApiKeyRow(SQLModel, table=True):
    """A key another system uses, bound to one municipality, allowed only its scopes.

    The secret is shown once when created; only its sha256 is kept (a key is random and long, so a
    fast hash is enough, unlike a password).
    """

    __tablename__ = "govcore_api_key"
    id: str = Field(primary_key=True)  # the public part of the key
    municipality: str = Field(max_length=3)
    name: str
    scopes: str = Field(sa_type=Text)  # JSON list
    secret_hash: str
    created_at: str
    created_by: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None


class SessionRow(SQLModel, table=True):
    """A bearer token (`POST /api/v1/token`) or a web session: only its sha256 is kept."""

    __tablename__ = "govcore_session"
    token_hash: str = Field(primary_key=True)
    username: str
    municipality: str = Field(max_length=3)
    kind: str  # "api" or "web"
    created_at: str
    expires_at: str
    csrf: str | None = None  # a web session's CSRF secret


class NotificationRow(SQLModel, table=True):
    """The transactional outbox: a notification written in the same transaction as the event that
    causes it, sent later by the delivery worker (once, with retries).

    Written only by live runs (govcore.store.outbox), one row per event and recipient role; the
    role reaches people through their accounts when the row is sent. Times are UTC ISO text
    (`2021-03-01T08:00:00+00:00`), so that they compare as text in SQL. `seq`, `kind` … `payload`
    follow from the run's events alone; the delivery columns (`attempts` … `message_id`) are the
    worker's.
    """

    __tablename__ = "govcore_notification"
    __table_args__ = (_run_fk(), Index("ix_govcore_notification_due", "state", "not_before"))
    municipality: str = Field(primary_key=True, max_length=3)
    start: str = Field(primary_key=True)  # the run's start date (ISO)
    n: int = Field(primary_key=True)
    seq: int | None = None  # the event that caused it
    kind: str  # action_demanded, reminder, overdue, escalated, deviation, notify, rejected
    role: str | None = None  # the recipient role (reaches people through their accounts)
    username: str | None = None  # or one person
    address: str | None = None  # the role's shared mailbox (organisation.yaml), if it has one
    subject_kind: str | None = None
    subject: str | None = None
    item: str | None = None  # the action, deviation or deliverable id it is about
    not_before: str  # UTC ISO time: not sent before (reminders are written ahead)
    state: str  # pending, sent, failed, cancelled
    cancelled_by: int | None = None  # the event (seq) that made a pending reminder unnecessary
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: str | None = None
    claimed_by: str | None = None
    claimed_until: str | None = None
    message_id: str | None = None
    payload: str = Field(sa_type=Text)  # canonical JSON: what the message says


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model (typed; SQLModel's `__table__` is not visible to mypy)."""
    t: Table = model.__table__  # type: ignore[attr-defined]
    return t


MODELS: tuple[type[SQLModel], ...] = (
    SchemaVersion, ConfigVersion, RuleVersion, Run, ObservationRow, ResponseRow, EventRow, DeviationRow,
    ActionRow, EscalationRow, DeliverableRow, ConfigFileRow, UserRow, ApiKeyRow, SessionRow, NotificationRow,
)
TABLES: tuple[Table, ...] = tuple(table(m) for m in MODELS)
# Tables holding one municipality's rows, children first (the order to delete a run in).
RUN_TABLES: tuple[Table, ...] = tuple(table(m) for m in (
    NotificationRow, EventRow, ObservationRow, ResponseRow, DeviationRow, ActionRow, EscalationRow, DeliverableRow,
    Run))

