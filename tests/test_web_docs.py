"""The web pages' docs stay honest: every route of `govcore.web.pages.PAGES` is in docs/web.md's
page table and requested by at least one test of the pages; every screenshot in
docs/screenshots/ is shown in docs/web.md and every one it shows exists."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from govcore.web.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
WEB_MD = ROOT / "docs" / "web.md"


def _routes() -> list[tuple[str, str]]:
    return sorted({(method, r.path) for router in PAGES for r in router.routes if isinstance(r, APIRoute)
                   for method in r.methods if method in ("GET", "POST")})


def _table() -> str:
    text = WEB_MD.read_text(encoding="utf-8")
    start = text.index("| Page | Who | What |")
    return "\n".join(line for line in text[start:].splitlines() if line.startswith("|"))


def test_there_are_pages_to_check() -> None:
    paths = {path for _, path in _routes()}
    assert {"/login", "/logout", "/admin", "/admin/personer"} <= paths


def test_every_page_route_is_in_the_page_table() -> None:
    table = _table()
    missing = [f"{method} {path}" for method, path in _routes() if f"`{path}`" not in table]
    assert not missing, f"docs/web.md's page table lacks {missing}"


def test_every_page_route_is_requested_by_a_test() -> None:
    """A path parameter may be anything in the test (a literal or an f-string's {…}); the path must
    end where a string, a query or an anchor ends, so /admin does not count for /admin/noegler."""
    sources = "\n".join(f.read_text(encoding="utf-8") for f in sorted((ROOT / "tests").glob("test_web_*.py"))
                        if f.name != Path(__file__).name)
    untested = []
    for method, path in _routes():
        pattern = "".join(r"[^/\"'\s]+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"({\w+})", path) if part)
        if not re.search(pattern + r"(?=[\"'?#])", sources):
            untested.append(f"{method} {path}")
    assert not untested, f"no test in tests/test_web_*.py requests {untested}"


def test_every_screenshot_is_shown_in_the_docs_and_every_one_shown_exists() -> None:
    text = WEB_MD.read_text(encoding="utf-8")
    shown = set(re.findall(r"!\[[^\]]+\]\(screenshots/([\w.-]+\.png)\)", text))
    made = {f.name for f in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert made, "docs/screenshots/ is empty: run scripts/screenshots.py"
    assert made - shown == set(), f"docs/web.md does not show {sorted(made - shown)}"
    assert shown - made == set(), f"docs/web.md shows missing screenshots {sorted(shown - made)}"
    assert "## Screenshots" in text


def test_screenshots_stay_small() -> None:
    big = {f.name: f.stat().st_size for f in (ROOT / "docs" / "screenshots").glob("*.png")
           if f.stat().st_size > 400_000}
    assert not big, f"screenshots above 400 KB: {big}"
