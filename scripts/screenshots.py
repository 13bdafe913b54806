#!/usr/bin/env python3
"""Screenshots of every web page into docs/screenshots/, for docs/web.md.

    .venv/bin/python scripts/screenshots.py [--config examples/vejle] [--date 2021-06-15] [--out docs/screenshots]

What it does, all on this machine:
1. simulates a fresh live run of the configuration up to --date (`govcore tick`) in a throw-away
   SQLite database, and adds three people: an administrator, the owner of an open corrective
   action and that owner's superior (random passwords, never written anywhere);
2. starts a real server (uvicorn in its own process, on a free port of 127.0.0.1) whose clock
   stands at --date 10:00, so that "today" on the pages is the run's day;
3. drives Debian's chromium (`govcore.pdf.find_chromium`) with Playwright: logs in through the
   form as the person a page is for (Mine opgaver: the owner; Godkendelser: the superior; the
   rest: the administrator) and saves a PNG of every GET page of `govcore.web.pages.PAGES` at
   1280 px (at most 1600 px tall, to keep the files small), plus the start page at a phone's
   375 px. A page of the menu that is not built yet, or a path parameter the script has no
   example for, is skipped with a printed line — so it keeps working as pages land.

Run it after changing a page and commit the PNGs. It is also the factory uvicorn imports
(`make`), which is why it is a module with no side effects on import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
MAX_HEIGHT = 1600
MAX_BYTES = 300_000
ENV_DB, ENV_NOW = "GOVCORE_SCREENSHOT_DB", "GOVCORE_SCREENSHOT_NOW"


def make() -> Any:
    """The application uvicorn serves: the run's database, the clock standing at $GOVCORE_SCREENSHOT_NOW."""
    from govcore.server.app import create_app
    from govcore.server.settings import Settings

    now = dt.datetime.fromisoformat(os.environ[ENV_NOW])
    return create_app(Settings.from_env(os.environ[ENV_DB]), clock=lambda: now)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _prepare(config: Path, day: dt.date, db_url: str) -> dict[str, Any]:
    """The live run and its people; what the pages need as examples (ids of a goal, an action...)."""
    from govcore.access import accounts
    from govcore.access import keys as api_keys
    from govcore.access.live import LiveRuns
    from govcore.access.principal import Principal
    from govcore.config import load_config
    from govcore.formatting import date_text
    from govcore.server.app import stored_loader
    from govcore.store.db import open_database
    from govcore.store.run import tick

    cfg = load_config(config)
    print(f"simulating the live run of {cfg.municipality.name} ({cfg.municipality.code}) up to {date_text(day)} …")
    tick(cfg, db_url, now=day)
    code = cfg.municipality.code
    org = cfg.organisation
    db = open_database(db_url)
    try:
        live = LiveRuns(db, stored_loader(db))
        now = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
        viewer = Principal("user", "screenshots", code, frozenset(), True)
        actions = live.actions(viewer, code)
        below_top = [a for a in actions if len(org.chain(a["owner"])) > 1]
        open_action = next((a for a in below_top if a["state"] != "closed"), below_top[0] if below_top else None)
        owner_role = open_action["owner"] if open_action else org.roles[-1].id
        chain = org.chain(owner_role)
        superior_role = chain[1] if len(chain) > 1 else chain[0]
        top_role = chain[-1]
        _submit_one_below(LiveRuns(db, stored_loader(db), lambda: now), org, code, superior_role, open_action)
        password = secrets.token_urlsafe(24)
        people = {"admin": ("skaerm.admin", [top_role], True, "Anne Administrator"),
                  "owner": ("skaerm.ejer", [owner_role], False, "Ole Ejer"),
                  "superior": ("skaerm.leder", [superior_role], False, "Lene Leder")}
        for username, roles, admin, name in people.values():
            accounts.add_user(db, username, code, roles, name=name, admin=admin, password=password,
                              email=f"{username}@kommune.example")
        api_keys.create_key(db, code, "økonomisystem", ["observations:write", "status:read"], created_by="screenshots")
        _fail_a_few(db, code, day)
        examples = {"username": people["owner"][0], "goal_id": cfg.goals[0].id, "goal": cfg.goals[0].id,
                    "code": code, "municipality": code}
        if open_action:
            examples.update(action_id=open_action["id"], action=open_action["id"])
    finally:
        db.close()
    return {"password": password, "users": {k: v[0] for k, v in people.items()}, "examples": examples}


def _submit_one_below(live: Any, org: Any, code: str, superior_role: str, shown: dict[str, Any] | None) -> None:
    """Another open action of a role below the superior, submitted by a person of its role, so that
    the superior's /godkendelser has something to decide (the owner's own action stays open)."""
    from govcore.access.principal import Principal

    viewer = Principal("user", "screenshots", code, frozenset(), True)
    for a in live.actions(viewer, code, "demanded"):
        if shown is not None and a["id"] == shown["id"]:
            continue
        if superior_role in org.chain(a["owner"])[1:]:
            owner = Principal("user", "skaerm.kollega", code, frozenset({a["owner"]}))
            live.submit(owner, code, a["id"], "Vi sætter ekstra opfølgning i gang og rapporterer til næste møde.")
            return


def _fail_a_few(db: Any, code: str, day: dt.date) -> None:
    """Three notifications sent to an SMTP port where nobody listens, with one attempt allowed: they
    fail for real, so the notification page shows failures and their error."""
    from govcore.notify.mail import SmtpSender, SmtpSettings
    from govcore.notify.worker import Policy, Worker

    now = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
    smtp = SmtpSettings(host="127.0.0.1", sender="govcore@kommune.example", port=_free_port(), starttls=False,
                        timeout=5)
    Worker(db, SmtpSender(smtp), smtp.sender, municipality=code, clock=lambda: now,
           policy=Policy(max_attempts=1)).run_once(limit=3)


def _page_name(path: str) -> str:
    name = re.sub(r"[{}]", "", path.strip("/")).replace("/", "-")
    return name or "start"


def _who(path: str) -> str:
    if path.startswith("/opgaver"):
        return "owner"
    if path.startswith("/godkendelser"):
        return "superior"
    return "admin"


def _shoot(page: Any, target: Path) -> None:
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), MAX_HEIGHT)
    width = int(page.viewport_size["width"])
    page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": width, "height": height}, full_page=True)
    size = target.stat().st_size
    note = f"  (larger than {MAX_BYTES // 1000} KB)" if size > MAX_BYTES else ""
    print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  {size // 1000} KB{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "examples" / "vejle")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2021, 5, 15))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()

    import httpx
    from fastapi.routing import APIRoute
    from playwright.sync_api import sync_playwright

    from govcore.pdf import find_chromium
    from govcore.web.pages import PAGES
    from govcore.web.templating import NAV

    chromium = find_chromium()
    if chromium is None:
        print("no Chromium found: install Debian's chromium package (or set GOVCORE_CHROMIUM)", file=sys.stderr)
        return 2
    routes = sorted({r.path for router in PAGES for r in router.routes
                     if isinstance(r, APIRoute) and "GET" in (r.methods or set())})
    for item, _ in NAV:
        if item.href not in routes:
            print(f"skipped {item.href}: the page is not built yet")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="govcore-screenshots-") as tmp:
        db_url = str(Path(tmp) / "govcore.db")
        ready = _prepare(args.config.resolve(), args.date, db_url)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        now = dt.datetime.combine(args.date, dt.time(10, 0)).astimezone().isoformat()
        env = {**os.environ, ENV_DB: db_url, ENV_NOW: now, "GOVCORE_SCHEDULER": "off",
               "GOVCORE_LOGIN_BURST": "1000", "GOVCORE_BASE_URL": url}
        env.pop("GOVCORE_SMTP_HOST", None)
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "screenshots:make", "--app-dir", str(ROOT / "scripts"),
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    print(log.read_text(errors="replace"), file=sys.stderr)
                    return 1
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    print("the server did not start:\n" + log.read_text(errors="replace"), file=sys.stderr)
                    return 1
                time.sleep(0.2)  # polling for readiness
            return _screenshots(url, routes, ready, args.out, str(chromium), sync_playwright)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _screenshots(url: str, routes: list[str], ready: dict[str, Any], out: Path, chromium: str,
                 sync_playwright: Any) -> int:
    examples: dict[str, str] = ready["examples"]
    failures = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        contexts: dict[tuple[str, str], Any] = {}

        def page_for(who: str, viewport: dict[str, int]) -> Any:
            key = (who, str(viewport["width"]))
            if key not in contexts:
                ctx = browser.new_context(base_url=url, locale="da-DK", viewport=viewport)
                page = ctx.new_page()
                if who:
                    page.goto("/login")
                    page.get_by_label("Brugernavn").fill(ready["users"][who])
                    page.get_by_label("Adgangskode").fill(ready["password"])
                    page.get_by_role("button", name="Log ind").click()
                    page.wait_for_url(re.compile(r".*/(?!login).*"))
                contexts[key] = page
            return contexts[key]

        try:
            for path in routes:
                if path == "/":
                    print("skipped /: it only sends a person on to their start page")
                    continue
                if path == "/sprog":
                    print("skipped /sprog: it only remembers a language and sends the person back")
                    continue
                params = re.findall(r"{(\w+)}", path)
                missing = [name for name in params if name not in examples]
                if missing:
                    print(f"skipped {path}: no example for {', '.join(missing)}")
                    continue
                concrete = re.sub(r"{(\w+)}", lambda m: examples[m.group(1)], path)
                page = page_for("" if path == "/login" else _who(path), DESKTOP)
                response = page.goto(concrete)
                if response is None or response.status != 200:
                    print(f"FAILED {concrete}: HTTP {response.status if response else '?'}")
                    failures += 1
                    continue
                _shoot(page, out / f"{_page_name(path)}.png")
            phone = page_for("owner", PHONE)
            response = phone.goto("/")
            if response is not None and response.status == 200:
                _shoot(phone, out / "start-phone.png")
            else:
                login = page_for("", PHONE)
                login.goto("/login")
                print(f"the start page answers {response.status if response else '?'}: the phone shows /login instead")
                _shoot(login, out / "start-phone.png")
        finally:
            browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
