"""`govcore serve`: the HTTP API over the store (FastAPI on uvicorn), for every municipality in
the database. The routes are a thin skin over `govcore.access.live`; permissions are decided in
`govcore.access.permissions` alone. FastAPI is imported only here, never by the library or by
`govcore --help`.
"""
