"""What the pages gather beyond one `LiveRuns` call: views over the live run shaped for a template.
Each module checks permissions with `govcore.access.permissions.authorize` before it reads."""
