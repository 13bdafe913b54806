"""What does persistence cost? Figures and ratios, never pass/fail.

    python benchmarks/bench_store.py [--config examples/vejle] [--municipalities 98]
                                     [--from 2021] [--to 2021] [--pg URL] [--batch 10000]
                                     [--no-runs] [--no-open] [--no-freeze] [--json]

1. Runs. The same municipalities (the configuration cloned per code with scaled observations, as
   in bench_year.py) over the same span — one continuous run each from 1 January of --from to
   31 December of --to — in this process: in memory (`simulate`), into one fresh SQLite file
   (`simulate_persistent`), and, with `--pg URL` (or GOVCORE_TEST_PG_URL), into that PostgreSQL
   database (runs of these municipalities already there are deleted first). Each store twice, as
   different work: each run given the URL, as the command line does (the run opens the database —
   its own SQLAlchemy engine, connection pool and login — and closes it), and each run given one
   `Database` opened before the runs, as the server and `tick --all` do (another fresh SQLite file;
   on PostgreSQL another schema of the database, `--no-open` leaves these sides out); what that
   database's opening costs is paid once and printed apart. Every stored run pays its configuration's
   fingerprint in full, as a run's first opening does (the hash of the observations kept with the
   rows for a later opening is dropped before it: the clone was run on another side). Each clone is run on
   every side in turn, the first side moving on one per clone, so load drift falls on all. Every
   persisted run must give the in-memory events (their sha256, asserted). What is paid once per
   database or process is kept out of the runs, on both sides alike: `simulate` and each store
   are warmed up with one run first, and a fresh SQLite file's schema (with the imports it takes)
   is timed and printed on its own. Before the runs the process is settled as a
   long-running one is (`settle_after_startup()`: a full collection, then `gc.freeze()`, what
   `govcore serve` and `tick --all` do once started), so the clones held by the benchmark (98
   configurations, ~130 MB of objects) are not traversed by the full collections of whichever side
   they happen to land on; `--no-freeze` leaves that out.
2. A batch of --batch observations through the HTTP API's path (`LiveRuns.add_observations`:
   checked, stored all-or-nothing, processed by the engine and committed), into the live run of
   the first municipality ticked to 30 June 2021, on SQLite and PostgreSQL; beside it the same
   work in memory (the engine at the same point takes the same observations and processes them).
   The rows stored are counted, and a second batch with one bad row must store nothing (asserted).

CPU time of this process (time.process_time) and wall time. PostgreSQL's server works in another
process, so for it the wall time is the figure. Aims (issue 12): persistence <= 1.5x the in-memory
time; 98 x 10 years <= 30 s into SQLite and <= 60 s into PostgreSQL; a municipality-year into
PostgreSQL <= 1 s. Issue 9: a batch of 10,000 observations accepted in <= 2 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import clone

from govcore.access.live import InvalidInput, LiveRuns
from govcore.access.principal import Principal
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.longrunning import settle_after_startup
from govcore.model import Observation, Observations, municipalities
from govcore.simulate import SimulationResult, simulate
from govcore.store.admin import delete_run
from govcore.store.db import Database, open_database
from govcore.store.run import _OBSERVATIONS_HASH, opened, simulate_persistent, tick
from govcore.store.schema import ensure

AIM_RATIO = 1.5
AIM_BATCH_S = 2.0
AIM_PG_YEAR_S = 1.0
AIM_98_SQLITE_S, AIM_98_PG_S = 30.0, 60.0
TICKED_TO = dt.date(2021, 6, 30)


def timed(configs: list[Configuration], sides: dict[str, Callable[[Configuration], SimulationResult]], *,
          freeze: bool = True) -> dict[str, dict[str, Any]]:
    """Each clone run on every side in turn, the side that goes first moving on one per clone, so
    that a change of the machine's load during the benchmark falls on all sides alike (run side
    after side, the drift entered the ratio: main's 3 × 1-year SQLite ratio was 1.41× in one run and
    1.97× in the next). Every side after the first must give the first side's events."""
    if freeze:
        settle_after_startup()
    names = list(sides)
    res = {n: {"cpu_s": 0.0, "wall_s": 0.0, "events": 0} for n in names}
    for i, cfg in enumerate(configs):
        hashes: dict[str, str] = {}
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            c0, t0 = time.process_time(), time.perf_counter()
            result = sides[name](cfg)
            r = res[name]
            r["cpu_s"] += time.process_time() - c0
            r["wall_s"] += time.perf_counter() - t0
            r["events"] += len(result.events)
            hashes[name] = result.summary["events_sha256"]
        if len(set(hashes.values())) > 1:
            raise SystemExit(f"a persisted run of {cfg.municipality.code} gave other events than the same run "
                             "in memory")
    for r in res.values():
        r["per_municipality_wall_s"] = r["wall_s"] / max(1, len(configs))
        r["per_municipality_cpu_s"] = r["cpu_s"] / max(1, len(configs))
    return res


def first_opening(cfg: Configuration) -> Configuration:
    """`cfg` as a run's first opening finds it: without the observations' hash that a run of it on
    another side kept with the rows (`govcore.store.run._observations_hash`)."""
    if isinstance(cfg.observations, Observations):
        cfg.observations.derived().pop(_OBSERVATIONS_HASH, None)
    return cfg


def schema_url(url: str, schema: str) -> str:
    """`url` with its connections in `schema` of the database (created if missing)."""
    admin = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        admin.dispose()
    return sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def batch_rows(cfg: Configuration, n: int) -> list[dict[str, Any]]:
    """n observations of the configuration's own series and periods with new values (figures
    sent again, corrected): each supersedes an earlier row and is processed by the engine."""
    base = [o for o in cfg.observations if o.kpi in cfg.kpis]
    return [{"kpi": o.kpi, "period": o.period, "value": round(o.value * (1 + (i % 7) / 100), 3),
             "series": o.series, **({"municipality": o.municipality} if o.municipality else {})}
            for i, o in ((i, base[i % len(base)]) for i in range(n))]


def in_memory_batch(cfg: Configuration, rows: list[dict[str, Any]], at: dt.datetime) -> tuple[float, float, int]:
    """The same work without a database: the live run's engine at the same point takes the
    observations (dated as the store dates them) and processes what they cause."""
    live = dataclasses.replace(cfg, responses=[])  # a live run takes no responses.yaml
    engine = Engine(live, start=dt.date(2021, 1, 1))
    try:
        for _ in engine.steps(engine.calendar.local_datetime(TICKED_TO, 23, 59)):
            pass
        engine.now = max(engine.now, engine.calendar.local_datetime(TICKED_TO, 23, 59))
        now = at.astimezone(engine.now.tzinfo)
        for _ in engine.steps(now):
            pass
        engine.now = max(engine.now, now)
        today = engine.now.date()

        def observe(r: dict[str, Any]) -> None:
            o = Observation.model_validate({**r, "source": "api:bench"})
            engine.observe(o.model_copy(update={"known_at": max(o.known, today)}))

        observe(rows[0])  # as the stored side's warm-up
        for _ in engine.steps(engine.now):
            pass
        before = len(engine.events)
        c0, t0 = time.process_time(), time.perf_counter()
        for r in rows:
            observe(r)
        for _ in engine.steps(engine.now):
            pass
        return time.process_time() - c0, time.perf_counter() - t0, len(engine.events) - before
    finally:
        engine.close()


def observation_batch(cfg: Configuration, db: Database, rows: list[dict[str, Any]],
                      at: dt.datetime) -> dict[str, Any]:
    code = cfg.municipality.code
    ensure(db, create=True)
    delete_run(db, code, "2021-01-01")
    tick(cfg, db, now=TICKED_TO)
    key = Principal("key", "bench", code, scopes=frozenset({"observations:write"}))
    live = LiveRuns(db, lambda m, s: cfg, clock=lambda: at)
    live.add_observations(key, code, rows[:1])  # warm-up: the run's first write after the tick
    c0, t0 = time.process_time(), time.perf_counter()
    answer = live.add_observations(key, code, rows)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    stored = live.run(code).inputs
    if answer["added"] != len(rows) or stored != len(rows) + 1:
        raise SystemExit(f"the batch stored {answer['added']} rows ({stored} inputs), not {len(rows)}")
    bad = [*rows[:100], {"kpi": rows[0]["kpi"], "period": rows[0]["period"], "value": "x"}]
    try:
        live.add_observations(key, code, bad)
        raise SystemExit("a batch with a bad row was accepted")
    except InvalidInput:
        pass
    if live.run(code).inputs != stored:
        raise SystemExit("a refused batch stored rows")
    return {"cpu_s": cpu, "wall_s": wall, "events": len(answer["events"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("--config", default="examples/vejle")
    ap.add_argument("--municipalities", type=int, default=98)
    ap.add_argument("--from", dest="first", type=int, default=2021)
    ap.add_argument("--to", dest="last", type=int, default=None)
    ap.add_argument("--pg", default=os.environ.get("GOVCORE_TEST_PG_URL", ""), help="a PostgreSQL URL")
    ap.add_argument("--batch", type=int, default=10_000, help="observations in the API batch (0: skip)")
    ap.add_argument("--no-runs", action="store_true", help="only the observation batch")
    ap.add_argument("--no-open", action="store_true",
                    help="no runs given one open Database (only runs given the URL, as the command line)")
    ap.add_argument("--no-freeze", action="store_true",
                    help="no settle_after_startup() (gc.freeze) before the runs")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    last = args.last or args.first
    base = load_config(args.config)
    munis = list(municipalities().values())[:args.municipalities]
    configs = [clone(base, m) for m in munis]
    start, until = dt.date(args.first, 1, 1), dt.date(last, 12, 31)
    simulate(configs[0], start=start, until=until)  # warm-up
    res: dict[str, Any] = {"municipalities": len(configs), "span": [args.first, last],
                           "loadavg": os.getloadavg(), "cpus": os.cpu_count(),
                           "gc_freeze": not args.no_freeze}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_runs:
            sides: dict[str, Callable[[Configuration], SimulationResult]] = {
                "memory": lambda c: simulate(c, start=start, until=until)}
            url = str(Path(tmp) / "bench.db")
            # Once per database, not per run, so apart from the runs (the extrapolation to 98
            # adds it once): the schema of a fresh file, and a first run into another file that
            # brings in what a run imports (Alembic, the dialect), as `simulate` was warmed up.
            c0, t0 = time.process_time(), time.perf_counter()
            with opened(url) as db:
                ensure(db, create=True)
            res["sqlite_schema"] = {"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0}
            simulate_persistent(configs[0], str(Path(tmp) / "warm-up.db"), start=start, until=until)
            sides["sqlite"] = lambda c: simulate_persistent(first_opening(c), url, start=start, until=until)
            held: dict[str, Database] = {}  # the sides given one open Database
            if not args.no_open:
                c0, t0 = time.process_time(), time.perf_counter()
                held["sqlite_open"] = open_database(str(Path(tmp) / "open.db"))
                ensure(held["sqlite_open"], create=True)
                res["sqlite_open_once"] = {"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0}
                sides["sqlite_open"] = lambda c: simulate_persistent(first_opening(c), held["sqlite_open"],
                                                                     start=start, until=until)
            targets = [("postgresql", args.pg)] if args.pg else []
            if args.pg and not args.no_open:
                targets.append(("postgresql_open", schema_url(args.pg, "govcore_bench_open")))
            for part, target in targets:
                c0, t0 = time.process_time(), time.perf_counter()
                pg = open_database(target)
                ensure(pg, create=True)
                once = {"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0}
                for c in configs:
                    delete_run(pg, c.municipality.code, start.isoformat())
                simulate_persistent(configs[0], pg, start=start, until=until)  # warm-up, as above
                delete_run(pg, configs[0].municipality.code, start.isoformat())
                if part == "postgresql":
                    pg.close()
                    sides[part] = lambda c: simulate_persistent(first_opening(c), args.pg, start=start, until=until)
                else:
                    res["postgresql_open_once"] = once
                    held[part] = pg
                    sides[part] = lambda c: simulate_persistent(first_opening(c), held["postgresql_open"],
                                                                start=start, until=until)
            try:
                res.update(timed(configs, sides, freeze=not args.no_freeze))
            finally:
                for db in held.values():
                    db.close()
            res["sqlite"]["bytes"] = Path(url).stat().st_size
        if args.batch:
            cfg = configs[0]
            rows = batch_rows(cfg, args.batch)
            at = dt.datetime(2021, 7, 1, 7, 0, tzinfo=dt.UTC)
            cpu, wall, events = in_memory_batch(cfg, rows, at)
            res["batch"] = {"observations": len(rows), "memory": {"cpu_s": cpu, "wall_s": wall, "events": events}}
            targets = [("sqlite", str(Path(tmp) / "batch.db"))] + ([("postgresql", args.pg)] if args.pg else [])
            for part, target in targets:
                db = open_database(target)
                try:
                    res["batch"][part] = observation_batch(cfg, db, rows, at)
                finally:
                    db.close()
                if res["batch"][part]["events"] != events:
                    raise SystemExit(f"the batch gave {res['batch'][part]['events']} events on {part}, "
                                     f"{events} in memory")
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    print(f"govcore persistence benchmark — {len(configs)} municipalities, {args.first}–{last}, {args.config}; "
          f"load average {res['loadavg'][0]:.1f} on {res['cpus']} CPUs; "
          f"gc.freeze() before the runs: {'yes' if res['gc_freeze'] else 'no'}; the sides interleaved clone by clone")
    if "memory" in res:
        m = res["memory"]
        years = last - args.first + 1
        print(f"1. runs ({years} year{'s' if years > 1 else ''} each, continuous)")
        print(f"  in memory:   {m['cpu_s']:7.2f} s CPU {m['wall_s']:7.2f} s wall  ({m['events']} events; "
              f"{m['per_municipality_cpu_s'] * 1000:.0f} ms CPU per municipality)")
        print("  each run given the URL, opening and closing the database (as the command line):")
        for part, label in (("sqlite", "SQLite:     "), ("postgresql", "PostgreSQL: ")):
            if part in res:
                p = res[part]
                print(f"  {label}{p['cpu_s']:7.2f} s CPU {p['wall_s']:7.2f} s wall  = "
                      f"{p['cpu_s'] / m['cpu_s']:.2f}x CPU, {p['wall_s'] / m['wall_s']:.2f}x wall of in memory "
                      f"(aim <= {AIM_RATIO}x); per municipality {p['per_municipality_cpu_s'] * 1000:.0f} ms CPU, "
                      f"{p['per_municipality_wall_s'] * 1000:.0f} ms wall; same events: yes")
        if "sqlite_open" in res:
            print("  each run given one Database opened before the runs (as the server and tick --all):")
        for part, label in (("sqlite_open", "SQLite:     "), ("postgresql_open", "PostgreSQL: ")):
            if part in res:
                p, once = res[part], res[f"{part}_once"]
                print(f"  {label}{p['cpu_s']:7.2f} s CPU {p['wall_s']:7.2f} s wall  = "
                      f"{p['cpu_s'] / m['cpu_s']:.2f}x CPU, {p['wall_s'] / m['wall_s']:.2f}x wall of in memory; "
                      f"per municipality {p['per_municipality_cpu_s'] * 1000:.0f} ms CPU, "
                      f"{p['per_municipality_wall_s'] * 1000:.0f} ms wall; same events: yes "
                      f"(once, not in the runs: opening the database and its schema {once['cpu_s'] * 1000:.0f} ms "
                      f"CPU, {once['wall_s'] * 1000:.0f} ms wall)")
        if "postgresql" in res:
            print(f"  PostgreSQL: {res['postgresql']['wall_s'] / (len(configs) * years):.2f} s wall per "
                  f"municipality-year (aim <= {AIM_PG_YEAR_S:g} s)")
        sch = res["sqlite_schema"]
        print(f"  (once per database, not in the runs: a fresh SQLite file's schema, with its imports, "
              f"{sch['cpu_s'] * 1000:.0f} ms CPU, {sch['wall_s'] * 1000:.0f} ms wall; each store was warmed up "
              "with one run, as memory was)")
        if len(configs) < 98:
            scale = 98 / len(configs)
            print(f"  98 municipalities x {years} years, extrapolated x{scale:.1f} (not measured): "
                  + ", ".join(f"{label.strip()} {res[part]['cpu_s'] * scale:.0f} s CPU / "
                              f"{res[part]['wall_s'] * scale:.0f} s wall"
                              for part, label in (("memory", "in memory:"), ("sqlite", "SQLite:"),
                                                  ("postgresql", "PostgreSQL:")) if part in res)
                  + f" (aims {AIM_98_SQLITE_S:g} s SQLite, {AIM_98_PG_S:g} s PostgreSQL, for 10 years)")
    if "batch" in res:
        b = res["batch"]
        m = b["memory"]
        print(f"2. a batch of {b['observations']} observations through LiveRuns.add_observations "
              f"(all-or-nothing; {m['events']} events)")
        print(f"  in memory:   {m['cpu_s']:7.2f} s CPU {m['wall_s']:7.2f} s wall")
        for part, label in (("sqlite", "SQLite:     "), ("postgresql", "PostgreSQL: ")):
            if part in b:
                p = b[part]
                print(f"  {label}{p['cpu_s']:7.2f} s CPU {p['wall_s']:7.2f} s wall  = "
                      f"{p['cpu_s'] / m['cpu_s']:.2f}x CPU, {p['wall_s'] / m['wall_s']:.2f}x wall of in memory "
                      f"(aim <= {AIM_BATCH_S:g} s wall); same events, a bad batch stored nothing: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
