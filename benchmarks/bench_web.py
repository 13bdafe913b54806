"""Render times of the goal pages with the 98 municipalities' runs in one database: figures, never
pass/fail.

    python benchmarks/bench_web.py [--config examples/vejle] [--municipalities 98] [--until 2021-11-30]
                                   [--db PATH] [--sample 10] [--repeat 20] [--json]

1. the database: the configuration cloned per municipality (observations scaled per code, as
   bench_year.py does) and each clone's live run ticked from 1 January of its year to --until, all
   in one SQLite database (built once: with --db, an existing database is reused);
2. the pages, through the application in-process (the ASGI app `create_app` makes, called by
   Starlette's TestClient: the same middleware, session check, permission checks and templates
   as `govcore serve`, without the network), logged in as a committee member of each municipality
   in the sample: `/maal` and `/maal/{id}` for every goal in effect. The first view of a
   municipality after its run changed rebuilds its goal status and charts from the stored
   observations (cold; before, it replayed the stored run), the first view of each goal
   draws its charts; the views after that are warm. Median and p95 of each kind, in wall time
   and in the process's CPU time (the machine is shared: the CPU time is what the page costs).

The time is the server's: from the request entering the app to the response's last byte, in
the same process (time.perf_counter around the call). Aim (issue 10): /maal and /maal/{id} under
200 ms on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import clone

from govcore.config import Configuration, load_config
from govcore.model import municipalities

AIM_MS = 200.0
PASSWORD = "benchmark password 98"


def build(base: Configuration, codes: Sequence[str], db_url: str, until: dt.date) -> dict[str, Any]:
    from govcore.access.accounts import add_user
    from govcore.store.db import open_database
    from govcore.store.run import tick

    munis = municipalities()
    t0 = time.perf_counter()
    for code in codes:
        tick(clone(base, munis[code]), db_url, now=until)
    ticked = time.perf_counter() - t0
    db = open_database(db_url)
    try:
        for code in codes:
            add_user(db, f"udvalg-{code}", code, [base.organisation.roles[0].id], name=f"Udvalg {code}",
                     password=PASSWORD)
    finally:
        db.close()
    return {"built": True, "tick_s": ticked}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def figures(ms: Sequence[float]) -> dict[str, float]:
    return {"n": len(ms), "median_ms": statistics.median(ms), "p95_ms": percentile(ms, 0.95),
            "max_ms": max(ms)} if ms else {"n": 0}


def pages(base: Configuration, codes: Sequence[str], db_url: str, until: dt.date, repeat: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from govcore.server.app import create_app
    from govcore.server.settings import Settings

    munis = municipalities()
    configs: dict[str, Configuration] = {}

    def load(code: str, start: str) -> Configuration:
        if code not in configs:
            configs[code] = clone(base, munis[code])
        return configs[code]

    now = dt.datetime.combine(until, dt.time(23, 0), tzinfo=dt.UTC)
    app = create_app(Settings.from_env(db_url, scheduler=False, notify_every=0.0, login_burst=10_000),
                     load=load, clock=lambda: now)
    keys = ("cascade_cold", "cascade_warm", "goal_cold", "goal_first", "goal_warm")
    out: dict[str, list[float]] = {k: [] for k in keys}
    cpu: dict[str, list[float]] = {k: [] for k in keys}
    goal_counts = []
    with TestClient(app, base_url="http://bench.local") as client:
        def timed(path: str, key: str) -> None:
            c0, t0 = time.process_time(), time.perf_counter()
            r = client.get(path)
            out[key].append((time.perf_counter() - t0) * 1000)
            cpu[key].append((time.process_time() - c0) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])

        for code in codes:
            client.cookies.clear()
            r = client.post("/login", data={"username": f"udvalg-{code}", "password": PASSWORD},
                            headers={"Origin": "http://bench.local"}, follow_redirects=False)
            assert r.status_code == 303, r.text[:300]
            timed("/maal", "cascade_cold")
            for _ in range(repeat):
                timed("/maal", "cascade_warm")
            goals = [g["id"] for g in app.state.live.goals(_principal(app, code), code)["goals"] if g["in_effect"]]
            goal_counts.append(len(goals))
            for i, gid in enumerate(goals):
                timed(f"/maal/{gid}", "goal_cold" if i == 0 else "goal_first")
            for _ in range(max(1, repeat // max(1, len(goals)))):
                for gid in goals:
                    timed(f"/maal/{gid}", "goal_warm")
    return {"goals_per_municipality": goal_counts,
            **{k: {**figures(out[k]), "cpu": figures(cpu[k])} for k in keys}}


def _principal(app: Any, code: str) -> Any:
    from govcore.access.accounts import get_user

    return get_user(app.state.db, f"udvalg-{code}").principal()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--config", default="examples/vejle")
    ap.add_argument("--municipalities", type=int, default=98)
    ap.add_argument("--until", default="2021-11-30", help="the day every run is ticked to")
    ap.add_argument("--db", default="", help="the SQLite file (reused when it exists); default: a temporary one")
    ap.add_argument("--sample", type=int, default=10, help="municipalities whose pages are timed")
    ap.add_argument("--repeat", type=int, default=20, help="warm views of /maal per municipality")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    base = load_config(args.config)
    until = dt.date.fromisoformat(args.until)
    codes = list(municipalities())[:args.municipalities]
    if base.municipality.code in codes:  # the configuration's own municipality first
        codes.remove(base.municipality.code)
        codes.insert(0, base.municipality.code)
    if args.db:
        return _measure(args, base, codes, Path(args.db), until)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        return _measure(args, base, codes, Path(folder) / "govcore.db", until)


def _measure(args: argparse.Namespace, base: Configuration, codes: list[str], db_path: Path, until: dt.date) -> int:
    """Build (unless it exists) and time the database; a temporary one is removed by the caller."""
    report: dict[str, Any] = {"municipalities": len(codes), "until": until.isoformat(), "db": str(db_path)}
    if db_path.exists():
        report["built"] = False
    else:
        report.update(build(base, codes, str(db_path), until))
    report["db_mib"] = db_path.stat().st_size / 1024 / 1024
    step = max(1, len(codes) // max(1, args.sample))
    sample = codes[::step][:args.sample]
    report["sample"] = sample
    report.update(pages(base, sample, str(db_path), until, args.repeat))
    report["load_average"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    say: Callable[[str], None] = print
    where = f"{db_path}" if args.db else "a temporary file (removed when done; --db keeps one)"
    say(f"database: {report['municipalities']} municipalities ticked to {report['until']} in {where} "
        f"({report['db_mib']:.1f} MiB" + (f", built in {report['tick_s']:.1f} s)" if report.get("built") else ")"))
    say(f"timed: {len(sample)} municipalities ({', '.join(sample)}), goals in effect: "
        f"{statistics.median(report['goals_per_municipality'])} (median); load average {report['load_average']:.1f}")
    say("wall time (CPU time of the process) per view:")
    for key, label in (("cascade_warm", "/maal"), ("goal_warm", "/maal/{id}"),
                       ("goal_first", "/maal/{id}, charts drawn"), ("cascade_cold", "/maal, after the run changed"),
                       ("goal_cold", "/maal/{id}, after the run changed")):
        f, c = report[key], report[key]["cpu"]
        within = "within" if f["p95_ms"] < AIM_MS else "NOT within"
        aim = f" — {within} the {AIM_MS:.0f} ms aim (p95)" if key.endswith("warm") else ""
        say(f"{label:26} n={f['n']:4}  median {f['median_ms']:7.1f} ({c['median_ms']:6.1f}) ms  "
            f"p95 {f['p95_ms']:7.1f} ({c['p95_ms']:6.1f}) ms  max {f['max_ms']:7.1f} ms{aim}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
