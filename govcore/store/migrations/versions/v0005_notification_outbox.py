"""The notification outbox: rows written in the same transaction as the event that causes them,
sent by the delivery worker (pending → sent / failed, with retries).

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _s(name: str, *, key: bool = False, null: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=key, nullable=null)


def upgrade() -> None:
    op.create_table(
        "govcore_notification", sa.Column("municipality", sa.String(3), primary_key=True), _s("start", key=True),
        sa.Column("n", sa.Integer, primary_key=True), sa.Column("seq", sa.Integer, nullable=True), _s("kind"),
        *(_s(c, null=True) for c in ("role", "username", "address", "subject_kind", "subject", "item")),
        _s("not_before"), _s("state"),
        sa.Column("cancelled_by", sa.Integer, nullable=True), sa.Column("attempts", sa.Integer, nullable=False),
        _s("next_attempt_at", null=True), sa.Column("last_error", sa.Text, nullable=True),
        *(_s(c, null=True) for c in ("sent_at", "claimed_by", "claimed_until", "message_id")),
        sa.Column("payload", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["municipality", "start"], ["govcore_run.municipality", "govcore_run.start"]))
    op.create_index("ix_govcore_notification_due", "govcore_notification", ["state", "not_before"])
    op.execute(sa.text("UPDATE govcore_schema SET version = 5 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
