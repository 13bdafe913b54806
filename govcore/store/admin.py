"""Administrative changes to stored runs (deleting one to start it again)."""

from __future__ import annotations

import sqlalchemy as sa

from govcore.store.db import Database
from govcore.store.tables import RUN_TABLES


def delete_run(db: Database, municipality: str, start: str) -> int:
    """Delete one run's rows from every table, in one transaction; returns the rows deleted.

    Configuration versions and rule versions stay: other runs may share them, and the event logs
    of other runs still refer to them.
    """

    def work(conn: sa.Connection) -> int:
        n = 0
        for t in RUN_TABLES:
            n += conn.execute(sa.delete(t).where(t.c.municipality == municipality, t.c.start == start)).rowcount
        return n

    return db.write(work)
