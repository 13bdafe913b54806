"""Runs keyed by municipality and start date instead of calendar year (a run goes on across years).

Every run table's `year` becomes `start` (ISO date text; an old run of year Y starts on Y-01-01),
and the run row gains `chain` (1: the log format of 0.1.0, kept for upgraded runs so that their
hashes still verify; 2: each entry's hash also covers the item that caused it), `live` (a live
run takes human responses as they come, not from the configuration's responses.yaml; upgraded
runs stay as they were) and `facts` (the digests of the run's stored facts; empty for upgraded
runs). A response row gains `actor`, who gave it (when known). The tables are copied, rebuilt and
filled again in one transaction, which works the same on SQLite and PostgreSQL.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# children first: the order to drop in (the reverse is the order to fill in)
TABLES = ("govcore_event", "govcore_observation", "govcore_response", "govcore_deviation", "govcore_action",
          "govcore_escalation", "govcore_deliverable", "govcore_run")


def _code() -> sa.Column[str]:
    return sa.Column("municipality", sa.String(3), primary_key=True)


def _run_key() -> list[sa.Column[str]]:
    return [_code(), sa.Column("start", sa.String, primary_key=True)]


def _run_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["municipality", "start"], ["govcore_run.municipality", "govcore_run.start"])


def _s(name: str, *, key: bool = False, null: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=key, nullable=null)


def _t(name: str, *, null: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=null)


def _i(name: str, *, key: bool = False, null: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, primary_key=key, nullable=null)


def _create() -> None:
    op.create_table(
        "govcore_run", *_run_key(), _s("fingerprint"), _s("name"), _i("items"), _i("events"), _i("inputs"),
        _s("clock"), _s("head_hash"), sa.Column("complete", sa.Boolean, nullable=False), _i("chain"),
        sa.Column("live", sa.Boolean, nullable=False), _t("facts", null=True),
        sa.ForeignKeyConstraint(["municipality", "fingerprint"],
                                ["govcore_config_version.municipality", "govcore_config_version.fingerprint"]))
    op.create_table(
        "govcore_observation", *_run_key(), _i("n", key=True), _s("kpi"), _s("period"),
        sa.Column("value", sa.Float, nullable=False), _s("series"), _s("of_municipality", null=True), _s("source"),
        _s("known_at"), _s("received_at"), _s("origin"), _i("supersedes", null=True), _i("fed_order", null=True),
        _i("fed_items", null=True), _s("fed_clock", null=True), _run_fk())
    op.create_index("ix_govcore_observation_kpi", "govcore_observation", ["municipality", "start", "kpi", "period"])
    op.create_table(
        "govcore_response", *_run_key(), _i("n", key=True), _s("date"), _s("time"), _s("kind"), _t("data"),
        _s("origin"), _s("received_at"), _i("fed_order", null=True), _i("fed_items", null=True),
        _s("fed_clock", null=True), _s("actor", null=True), _run_fk())
    op.create_table(
        "govcore_event", *_run_key(), _i("seq", key=True), _i("item"), _s("at"), _s("type"),
        *(_s(c, null=True) for c in ("rule", "goal", "owner", "subject", "subject_kind")), _t("details"),
        _s("prev_hash"), _s("hash"), _run_fk())
    op.create_table(
        "govcore_deviation", *_run_key(), _s("id", key=True), _s("subject_kind"), _s("subject"),
        _s("goal", null=True), _s("owner"), _s("rule"), _s("opened_at"), _t("reason"), _t("inputs"), _s("state"),
        _s("closed_at", null=True), _t("actions"), _run_fk())
    op.create_table(
        "govcore_action", *_run_key(), _s("id", key=True), _s("deviation"), _s("subject_kind"), _s("subject"),
        _s("goal", null=True), _s("owner"), _s("demanded_by_rule"), _s("demanded_at"), _s("due"), _t("title"),
        _s("state"), _i("escalation_level"), _s("submitted_at", null=True), _t("text"), _run_fk())
    op.create_table(
        "govcore_escalation", *_run_key(), _s("id", key=True), _s("action"), _s("from_role"), _s("to_role"),
        _s("at"), _s("due"), _i("level"), _s("rule"), _run_fk())
    op.create_table(
        "govcore_deliverable", *_run_key(), _s("id", key=True), _s("due", null=True), _s("delivered_at", null=True),
        _run_fk())


def upgrade() -> None:
    conn = op.get_bind()
    columns = {name: [c["name"] for c in sa.inspect(conn).get_columns(name)] for name in TABLES}
    for name in TABLES:
        op.execute(sa.text(f"CREATE TABLE {name}_v1 AS SELECT * FROM {name}"))
    for name in TABLES:
        op.drop_table(name)
    _create()
    for name in reversed(TABLES):
        old = [c for c in columns[name] if c != "year"]
        new = [*old, "start"]
        values = [*old, "CAST(year AS VARCHAR) || '-01-01'"]
        if name == "govcore_run":
            new += ["chain", "live", "facts"]
            values += ["1", "false", "NULL"]
        op.execute(sa.text(f"INSERT INTO {name} ({', '.join(new)}) SELECT {', '.join(values)} FROM {name}_v1"))
        op.execute(sa.text(f"DROP TABLE {name}_v1"))
    op.execute(sa.text("UPDATE govcore_schema SET version = 2 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
