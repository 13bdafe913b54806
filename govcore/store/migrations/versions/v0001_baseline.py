"""Baseline: the schema of govcore 0.1.0 (schema version 1), as it was before migrations began.

Frozen: databases written by 0.1.0 are stamped at this revision and upgraded from it; new
databases are created by running it and every later revision. Later changes go in new files.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _code() -> sa.Column[str]:
    return sa.Column("municipality", sa.String(3), primary_key=True)


def _run_key() -> list[sa.Column[int] | sa.Column[str]]:
    return [_code(), sa.Column("year", sa.Integer, primary_key=True)]


def _run_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["municipality", "year"], ["govcore_run.municipality", "govcore_run.year"])


def _s(name: str, *, key: bool = False, null: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=key, nullable=null)


def _t(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=False)


def _i(name: str, *, key: bool = False, null: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, primary_key=key, nullable=null)


def upgrade() -> None:
    op.create_table("govcore_schema", _s("component", key=True), _i("version"))
    op.create_table(
        "govcore_config_version", _code(), _s("fingerprint", key=True), _s("version"), _s("rules_version"),
        _s("name"), _i("year"), _t("files"), _t("parts"), _t("rule_files"))
    op.create_table(
        "govcore_rule", _code(), _s("rule_hash", key=True), _s("rule_id", key=True), _s("file"), _s("file_hash"),
        _i("line"), _t("title"), _t("description"), _s("trigger"), _t("trigger_values"), _s("for_each"),
        _t("conditions"), _t("any_of"), _t("actions"))
    op.create_table(
        "govcore_run", *_run_key(), _s("fingerprint"), _s("name"), _i("items"), _i("events"), _i("inputs"),
        _s("clock"), _s("head_hash"), sa.Column("complete", sa.Boolean, nullable=False),
        sa.ForeignKeyConstraint(["municipality", "fingerprint"],
                                ["govcore_config_version.municipality", "govcore_config_version.fingerprint"]))
    op.create_table(
        "govcore_observation", *_run_key(), _i("n", key=True), _s("kpi"), _s("period"),
        sa.Column("value", sa.Float, nullable=False), _s("series"), _s("of_municipality", null=True), _s("source"),
        _s("known_at"), _s("received_at"), _s("origin"), _i("supersedes", null=True), _i("fed_order", null=True),
        _i("fed_items", null=True), _s("fed_clock", null=True), _run_fk())
    op.create_index("ix_govcore_observation_kpi", "govcore_observation", ["municipality", "year", "kpi", "period"])
    op.create_table(
        "govcore_response", *_run_key(), _i("n", key=True), _s("date"), _s("time"), _s("kind"), _t("data"),
        _s("origin"), _s("received_at"), _i("fed_order", null=True), _i("fed_items", null=True),
        _s("fed_clock", null=True), _run_fk())
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
    op.execute(sa.text("INSERT INTO govcore_schema (component, version) VALUES ('govcore', 1)"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
