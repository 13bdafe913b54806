"""The year report as PDF, for the committee's papers: headless Chromium prints the HTML report.

Printing the same HTML the browser shows keeps one layout (the report's print stylesheet) instead
of a second one for a PDF library. It needs two things outside the core install, both optional:
Playwright for Python (`pip install 'govcore[pdf]'`) and a Chromium on the machine. Playwright's
own browser download is not used (municipal networks are closed, and Debian ships Chromium):
`find_chromium` looks for the system's browser, the one place that knows where it lives; the
browser tests of the web pages use it too. A PDF carries its creation time, so unlike report.md
and report.html it is not byte-identical from run to run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcore.errors import GovcoreError
from govcore.i18n import _

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["CHROMIUM_ENV", "PdfError", "find_chromium", "html_to_pdf", "pdf_printer", "require_pdf"]

CHROMIUM_ENV = "GOVCORE_CHROMIUM"
# Debian's chromium package installs /usr/bin/chromium; Ubuntu's and others' names follow.
_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
_PLACES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")

# Chromium fills in the page numbers; the words around them are the reader's.
FOOTER = '<div style="font-size:8pt;width:100%;text-align:center;color:#444;">{text}</div>'
_PAGE = '<span class="pageNumber"></span>'
_PAGES = '<span class="totalPages"></span>'


def footer() -> str:
    """The page footer ('Side 3 af 12') in the reader's language."""
    return FOOTER.format(text=_("Page {page} of {pages}").format(page=_PAGE, pages=_PAGES))


class PdfError(GovcoreError):
    """PDF printing is not possible here (Playwright or Chromium missing) or failed."""


def find_chromium() -> Path | None:
    """The Chromium to print with: $GOVCORE_CHROMIUM if set, else the system's (Debian: the
    `chromium` package), else None."""
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        path = Path(chosen)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for place in _PLACES:
        if os.access(place, os.X_OK):
            return Path(place)
    return None


def require_pdf() -> Path:
    """The Chromium to use, after checking that PDF printing can work here; PdfError says what to
    install when it cannot (checked before a long simulation, not after it)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfError(_("--format pdf needs Playwright for Python: pip install 'govcore[pdf]' (its browser "
                         "download is not needed; govcore uses the system's Chromium)")) from None
    chromium = find_chromium()
    if chromium is None:
        chosen = os.environ.get(CHROMIUM_ENV, "").strip()
        if chosen:
            raise PdfError(_("{setting}={path} is not an executable file").format(setting=CHROMIUM_ENV, path=chosen))
        raise PdfError(_("--format pdf needs Chromium: on Debian `apt-get install chromium` (or set "
                         "{setting}=/path/to/chromium)").format(setting=CHROMIUM_ENV))
    return chromium


class _Printer:
    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def print(self, html: str) -> bytes:
        """The HTML document as an A4 PDF with its print stylesheet, backgrounds and page numbers."""
        page = self._browser.new_page()
        try:
            page.set_content(html, wait_until="load")
            options: dict[str, Any] = {
                "format": "A4", "print_background": True, "display_header_footer": True,
                "header_template": "<div></div>", "footer_template": footer(),
                "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}}
            return page.pdf(**options)
        finally:
            page.close()


@contextmanager
def pdf_printer() -> Iterator[_Printer]:
    """One browser for several documents (a span's report and each year's): starting Chromium is
    the slow part."""
    chromium = require_pdf()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium))
            try:
                yield _Printer(browser)
            finally:
                browser.close()
    except PlaywrightError as err:
        raise PdfError(_("Chromium ({chromium}) could not print the report: {error}").format(
            chromium=chromium, error=err.message)) from err


def html_to_pdf(html: str) -> bytes:
    """One HTML document as PDF (see `pdf_printer` for several)."""
    with pdf_printer() as printer:
        return printer.print(html)
