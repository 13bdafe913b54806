"""The web pages of `govcore serve` (docs/web.md): server-rendered Danish HTML over the same
library calls and permission checks as the HTTP API, working without JavaScript.

`install(app)` adds the pages, the static files, the security headers and the HTML error pages.
"""

from __future__ import annotations

from govcore.web.install import install

__all__ = ["install"]
