"""Persistence and audit: runs stored in SQLite (the default) or PostgreSQL.

- `run`: a municipality's run in the database, committed in batches of whole simulated days (`simulate --db`,
  `--resume`, `tick`, `observe`); the API is `simulate_persistent`, `tick`, `observe`, `respond`
  and `PersistentRun`.
- `chain`: the tamper-evident, hash-chained event log.
- `audit`: listing runs, `audit verify`, `explain` and observation history, from the database alone.
- `schema`, `tables`, `db`, `admin`: the schema and its migrations, the SQLModel tables, opening
  a database, deleting a run. `cli`: the commands.

Nothing is imported here, so that `govcore.store.cli` can be registered on the command line
without loading SQLAlchemy until a database command runs. See docs/persistence.md.
"""
