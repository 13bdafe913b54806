"""Accounts for the server: people (local passwords or OpenID Connect), API keys with scopes for
other systems, and sessions (bearer tokens and web sessions; only hashes of secrets are kept).

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _s(name: str, *, key: bool = False, null: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=key, nullable=null)


def _code() -> sa.Column[str]:
    return sa.Column("municipality", sa.String(3), nullable=False)


def upgrade() -> None:
    op.create_table(
        "govcore_user", _s("username", key=True), _code(), _s("name"), _s("email", null=True),
        _s("password_hash", null=True), sa.Column("roles", sa.Text, nullable=False),
        sa.Column("admin", sa.Boolean, nullable=False), sa.Column("disabled", sa.Boolean, nullable=False),
        _s("oidc_issuer", null=True), _s("oidc_subject", null=True), _s("calendar_token_hash", null=True),
        sa.Column("failed_logins", sa.Integer, nullable=False), _s("locked_until", null=True), _s("created_at"))
    op.create_index("ix_govcore_user_municipality", "govcore_user", ["municipality"])
    op.create_table(
        "govcore_api_key", _s("id", key=True), _code(), _s("name"), sa.Column("scopes", sa.Text, nullable=False),
        _s("secret_hash"), _s("created_at"), _s("created_by", null=True), _s("revoked_at", null=True),
        _s("last_used_at", null=True))
    op.create_table(
        "govcore_session", _s("token_hash", key=True), _s("username"), _code(), _s("kind"), _s("created_at"),
        _s("expires_at"), _s("csrf", null=True))
    op.execute(sa.text("UPDATE govcore_schema SET version = 4 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
