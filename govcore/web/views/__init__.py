"""Reads the pages need beyond `govcore.access.live.LiveRuns`, each checked by
`govcore.access.permissions.authorize` like the operations it builds on."""
