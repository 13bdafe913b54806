"""Who may do what in a live run: people (accounts), other systems (API keys), their sessions and
the permissions, checked in one place (`permissions`). Used by `govcore serve` and by the
`users`, `keys` and `respond --as` commands; the engine itself knows nothing of accounts.
"""
