"""Stored configurations: every file of a configuration version, byte for byte, so that a run can
be reported, verified and continued from the database alone (`govcore serve`, `report --db`).

Runs stored before this version have no files here; they still need `--config` (the first command
that writes to such a run with its configuration folder stores the files). Paths are relative to
the nearest folder holding all of a version's files, `kind` marks municipality.yaml
(govcore/store/configs.py).

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govcore_config_file",
        sa.Column("municipality", sa.String(3), primary_key=True),
        sa.Column("fingerprint", sa.String, primary_key=True),
        sa.Column("path", sa.String, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("sha256", sa.String, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.ForeignKeyConstraint(["municipality", "fingerprint"],
                                ["govcore_config_version.municipality", "govcore_config_version.fingerprint"]))
    op.execute(sa.text("UPDATE govcore_schema SET version = 3 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
