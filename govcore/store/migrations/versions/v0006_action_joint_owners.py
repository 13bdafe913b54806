"""The roles holding a corrective action jointly with its owner, as a column of govcore_action
(`jointly_with`, a JSON list; '' when the owner holds it alone), so that "which actions does this
role hold?" is a query and not a search of the event log.

Rows stored before this version get '' and are written again, with their joint owners, the next
time the run processes an item (the event log has always had them: `action_demanded` carries
`jointly_with`). An empty value is left out of a row's digest, so the digests recorded before
this version still verify.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("govcore_action", sa.Column("jointly_with", sa.Text, nullable=False, server_default=""))
    op.execute(sa.text("UPDATE govcore_schema SET version = 6 WHERE component = 'govcore'"))


def downgrade() -> None:
    raise NotImplementedError("govcore does not downgrade schemas: restore a backup instead")
