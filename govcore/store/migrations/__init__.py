"""Alembic migrations of govcore's schema (see govcore.store.schema, which runs them).

`versions/` holds one file per schema version, each frozen once released: `v0001_baseline`
is the schema of govcore 0.1.0 (the last release before migrations began), every later file
changes the previous version into the next. `env.py` runs them on the connection that
`govcore.store.schema` hands over, inside its transaction.
"""
