"""What the pages show, gathered from a municipality's live run: each function checks the
permission with `govcore.access.permissions.authorize` (directly, or through
`govcore.access.live.LiveRuns`) before it reads anything, and returns plain data the templates
format. The pages stay thin: parse the query, call a view, render."""
