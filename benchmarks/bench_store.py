"""What does persistence cost? Figures and ratios, never pass/fail.

    python benchmarks/bench_store.py [--config examples/vejle] [--municipalities 98]
                                     [--from 2021] [--to 2021] [--pg URL] [--json]

The same municipalities (the configuration cloned per code with scaled observations, as in
bench_year.py) over the same span, one after another in this process: in memory (`simulate`),
into one fresh SQLite file (`simulate_persistent`), and, with `--pg URL` (or GOVCORE_TEST_PG_URL),
into that PostgreSQL database (its tables must not hold these runs yet). CPU time of this process
(time.process_time) and wall time; PostgreSQL's server works in another process, so for it the
wall time is the figure. The outputs are compared: every persisted run must give the in-memory
events (asserted). Aims (issue 12): persistence <= 1.5x the in-memory time; 98 x 10 years <= 30 s
into SQLite and <= 60 s into PostgreSQL; a municipality-year into PostgreSQL <= 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import clone

from govcore.config import Configuration, load_config
from govcore.model import municipalities
from govcore.simulate import SimulationResult, simulate
from govcore.store.run import simulate_persistent

AIM_RATIO = 1.5


def timed(configs: list[Configuration], run: Callable[[Configuration], SimulationResult],
          hashes: list[str] | None) -> dict[str, Any]:
    cpu = wall = 0.0
    events = 0
    out: list[str] = []
    for cfg in configs:
        c0, t0 = time.process_time(), time.perf_counter()
        result = run(cfg)
        cpu, wall = cpu + time.process_time() - c0, wall + time.perf_counter() - t0
        events += len(result.events)
        out.append(result.summary["events_sha256"])
    if hashes is not None and out != hashes:
        raise SystemExit("a persisted run gave other events than the same run in memory")
    return {"cpu_s": cpu, "wall_s": wall, "events": events, "hashes": out,
            "per_municipality_wall_s": wall / max(1, len(configs))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("--config", default="examples/vejle")
    ap.add_argument("--municipalities", type=int, default=98)
    ap.add_argument("--from", dest="first", type=int, default=2021)
    ap.add_argument("--to", dest="last", type=int, default=None)
    ap.add_argument("--pg", default=os.environ.get("GOVCORE_TEST_PG_URL", ""), help="a PostgreSQL URL")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    last = args.last or args.first
    base = load_config(args.config)
    munis = list(municipalities().values())[:args.municipalities]
    configs = [clone(base, m) for m in munis]
    start, until = dt.date(args.first, 1, 1), dt.date(last, 12, 31)
    simulate(configs[0], start=start, until=until)  # warm-up
    res: dict[str, Any] = {"municipalities": len(configs), "span": [args.first, last],
                           "loadavg": os.getloadavg(), "cpus": os.cpu_count()}
    res["memory"] = timed(configs, lambda c: simulate(c, start=start, until=until), None)
    with tempfile.TemporaryDirectory() as tmp:
        url = str(Path(tmp) / "bench.db")
        res["sqlite"] = timed(configs, lambda c: simulate_persistent(c, url, start=start, until=until),
                              res["memory"]["hashes"])
        res["sqlite"]["bytes"] = Path(url).stat().st_size
    if args.pg:
        res["postgresql"] = timed(configs, lambda c: simulate_persistent(c, args.pg, start=start, until=until),
                                  res["memory"]["hashes"])
    for part in ("memory", "sqlite", "postgresql"):
        if part in res:
            res[part].pop("hashes")
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    m = res["memory"]
    print(f"govcore persistence benchmark — {len(configs)} municipalities, {args.first}–{last}, {args.config}; "
          f"load average {res['loadavg'][0]:.1f} on {res['cpus']} CPUs")
    print(f"  in memory:  {m['cpu_s']:7.1f} s CPU {m['wall_s']:7.1f} s wall  ({m['events']} events)")
    for part, label in (("sqlite", "SQLite:    "), ("postgresql", "PostgreSQL:")):
        if part in res:
            p = res[part]
            ratio_cpu, ratio_wall = p["cpu_s"] / m["cpu_s"], p["wall_s"] / m["wall_s"]
            print(f"  {label} {p['cpu_s']:7.1f} s CPU {p['wall_s']:7.1f} s wall  = {ratio_cpu:.2f}x CPU, "
                  f"{ratio_wall:.2f}x wall of in memory (aim <= {AIM_RATIO}x); "
                  f"{p['per_municipality_wall_s']:.2f} s wall per municipality; same events: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
