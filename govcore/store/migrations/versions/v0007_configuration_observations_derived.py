"""A run's configuration observations are no longer stored as rows of govcore_observation: they
are part of the configuration, which the database keeps byte for byte (govcore_config_file)
and whose fingerprint covers them, and storing them once more for every run cost a new run
about as much as a year of the engine (govcore.store.config_observations).

`govcore_run.config_rows` says which kind a run is. Every run stored before this version keeps
its rows (true): nothing is removed or rewritten, so its `facts` digests, `audit verify`,
`--replay` and the readers see exactly what they saw before; runs created from now on are false.
A run stored before configurations were kept (schema 2 and older) has no files to derive the
rows from, which is one more reason not to drop them.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("govcore_run", sa.Column("config_rows", sa.Boolean, nullable=False, server_default=sa.true()))
    op.execute(sa.text("UPDATE govcore_schema SET version = 7 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
