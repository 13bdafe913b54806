"""Alembic's environment: run the migrations on the connection govcore.store.schema gives.

govcore opens the transaction (and takes the schema lock) itself, so that a whole upgrade —
every missing version — commits or rolls back as one; Alembic joins that transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

connection = context.config.attributes.get("connection")
if not isinstance(connection, sa.Connection):
    raise RuntimeError("govcore's migrations run through `govcore db upgrade`, which supplies the connection")
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
