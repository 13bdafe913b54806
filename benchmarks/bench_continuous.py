"""Continuous runs over many years: figures and ratios, never pass/fail.

    python benchmarks/bench_continuous.py [--config examples/vejle] [--municipalities 98]
                                          [--from 2015] [--to 2024] [--no-separate] [--no-freeze]
                                          [--simulate] [--json]

1. every municipality (the configuration cloned per code, observations scaled by a small
   deterministic per-code factor, as bench_year.py does) run as ONE continuous engine from
   1 January of --from to 31 December of --to, sequentially in one process: wall and CPU time,
   events, items, peak RSS;
2. the same work as ten separate one-year engines per municipality (a new engine each 1 January,
   nothing carried over), in the same process and run, for the ratio;
   with --simulate also the same runs through `govcore.simulate.simulate` (what `govcore simulate`
   and every stored run do on top of the engine: a summary per calendar year and for the span,
   the events' digests, the results), and `simulate`'s own cost over the bare engine;
3. memory against the number of years: the Python peak (tracemalloc) of one municipality's
   continuous run over 1, 2, 5 and 10 years, to show whether memory grows with the years.

The process does what a long-running one (`govcore serve`, `tick --all`) does after start-up:
once the configuration is loaded and the caches are warm, `settle_after_startup()` (`gc.freeze()`)
moves everything alive into the permanent generation, so the cycle collector's full collections
no longer walk the loaded modules and the configuration again and again (`--no-freeze` measures
without it). The time the cycle collector took is printed beside the figures.

The aims: all 98 × 10 years in ≤ 15 s (issue 8) and ≤ 10 s (issue 12), with peak memory flat in
the number of years (≤ 200 MiB). Both are judged on CPU time and on wall time: on a shared machine
the wall time says more about the other processes than about the engine. Compare the two sides of a
ratio from the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import clone

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.longrunning import settle_after_startup
from govcore.model import Municipality, municipalities
from govcore.simulate import simulate

AIM_S = 15.0  # issue 8
AIM_12_S = 10.0  # issue 12
AIM_MIB = 200.0
MIB = 1024 * 1024


def maxrss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak if sys.platform == "darwin" else peak * 1024) / MIB


def continuous(cfg: Configuration, first: int, last: int) -> tuple[int, int]:
    with Engine(cfg, start=dt.date(first, 1, 1)) as engine:
        engine.advance_to(dt.date(last, 12, 31))
        return len(engine.events), engine.items_processed


def simulated(cfg: Configuration, first: int, last: int) -> tuple[int, int]:
    """As `continuous`, through `simulate`: the summaries, digests and results besides (it does not
    say how many items it processed: 0)."""
    result = simulate(cfg, start=dt.date(first, 1, 1), until=dt.date(last, 12, 31))
    return len(result.events), 0


def separate(cfg: Configuration, first: int, last: int) -> tuple[int, int]:
    events = items = 0
    for year in range(first, last + 1):
        with Engine(cfg, year=year) as engine:
            engine.run_year()
            events, items = events + len(engine.events), items + engine.items_processed
    return events, items


class GcClock:
    """CPU time spent in the cycle collector while it is installed (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds, self.full, self._t0 = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.process_time()
        else:
            self.seconds += time.process_time() - self._t0
            self.full += info["generation"] == 2

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def timed(base: Configuration, munis: Sequence[Municipality],
          run: Callable[[Configuration, int, int], tuple[int, int]], first: int, last: int) -> dict[str, Any]:
    """Each municipality's configuration is cloned just before its run and dropped after it (the
    cloning is timed apart), so the process holds one municipality's data at a time."""
    gc.collect()
    wall = cpu = clone_s = 0.0
    events = items = 0
    clock = GcClock()
    for muni in munis:
        t0 = time.perf_counter()
        cfg = clone(base, muni)
        clone_s += time.perf_counter() - t0
        c0, t0 = time.process_time(), time.perf_counter()
        with clock:
            e, i = run(cfg, first, last)
        wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
        events, items = events + e, items + i
        del cfg
    return {"wall_s": wall, "cpu_s": cpu, "clone_s": clone_s, "events": events, "items": items,
            "maxrss_mib": maxrss_mib(), "gc_s": clock.seconds, "gc_full_collections": clock.full,
            "per_municipality_ms": 1000 * wall / max(1, len(munis))}


def memory_by_years(cfg: Configuration, first: int, spans: Sequence[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for years in spans:
        gc.collect()
        tracemalloc.start()
        continuous(cfg, first, first + years - 1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[years] = peak / MIB
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    ap.add_argument("--config", default="examples/vejle")
    ap.add_argument("--municipalities", type=int, default=98)
    ap.add_argument("--from", dest="first", type=int, default=2015)
    ap.add_argument("--to", dest="last", type=int, default=2024)
    ap.add_argument("--no-separate", action="store_true", help="skip part 2 (ten separate engines)")
    ap.add_argument("--no-freeze", action="store_true", help="leave the cycle collector as Python starts it")
    ap.add_argument("--simulate", action="store_true",
                    help="also run them through simulate (summaries, digests) for its own cost over the engine")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    base = load_config(args.config)
    load_s = time.perf_counter() - t0
    configs = list(municipalities().values())[:args.municipalities]
    # warm the process's caches over the whole span (holidays, zones, rule sets, each year's
    # ministermål, parsed once per process): a long-running process has them warm
    continuous(base, args.first, args.last)
    if args.simulate:
        simulated(base, args.first, args.last)
    if not args.no_freeze:
        settle_after_startup()  # what `govcore serve` and `tick --all` do once started
    res: dict[str, Any] = {
        "environment": {"config": args.config, "load_s": load_s, "python": platform.python_version(),
                        "gc_freeze": not args.no_freeze,
                        "cpus": os.cpu_count(), "loadavg": os.getloadavg(), "platform": platform.platform()},
        "span": [args.first, args.last], "municipalities": len(configs),
        "continuous": timed(base, configs, continuous, args.first, args.last),
    }
    if args.simulate:
        res["simulate"] = timed(base, configs, simulated, args.first, args.last)
        res["simulate_own_cpu_s"] = res["simulate"]["cpu_s"] - res["continuous"]["cpu_s"]
    if not args.no_separate:
        res["separate"] = timed(base, configs, separate, args.first, args.last)
        res["ratio_wall"] = res["separate"]["wall_s"] / res["continuous"]["wall_s"]
        res["ratio_cpu"] = res["separate"]["cpu_s"] / res["continuous"]["cpu_s"]
    spans = [n for n in (1, 2, 5, 10) if n <= args.last - args.first + 1]
    res["tracemalloc_peak_mib_by_years"] = memory_by_years(base, args.first, spans)
    res["aims"] = {"seconds_issue_8": AIM_S, "seconds_issue_12": AIM_12_S, "peak_mib": AIM_MIB}
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    c = res["continuous"]
    print(f"{len(configs)} municipalities × {args.last - args.first + 1} years ({args.first}–{args.last}), "
          f"{args.config}; load {load_s:.2f} s; load average {res['environment']['loadavg'][0]:.2f} "
          f"on {os.cpu_count()} CPUs; gc.freeze() after loading: {'no' if args.no_freeze else 'yes'}")
    def verdict(aim: float) -> str:
        if len(configs) != 98:
            return "applies to all 98"
        return (f"CPU {'met' if c['cpu_s'] <= aim else 'NOT met'}, "
                f"wall {'met' if c['wall_s'] <= aim else 'NOT met'}")
    print(f"  continuous (one engine each): {c['wall_s']:6.1f} s wall, {c['cpu_s']:6.1f} s CPU, "
          f"{c['per_municipality_ms']:.0f} ms per municipality, {c['events']} events, {c['items']} items; "
          f"cloning the data {c['clone_s']:.1f} s apart; cycle collector {c['gc_s']:.2f} s CPU "
          f"({c['gc_full_collections']} full collections) "
          f"(aim ≤ {AIM_S:.0f} s, issue 8: {verdict(AIM_S)}; ≤ {AIM_12_S:.0f} s, issue 12: {verdict(AIM_12_S)})")
    if "simulate" in res:
        m = res["simulate"]
        print(f"  the same through simulate:    {m['wall_s']:6.1f} s wall, {m['cpu_s']:6.1f} s CPU, "
              f"{m['events']} events; "
              f"simulate's own (summaries, digests, results): {res['simulate_own_cpu_s']:.1f} s CPU = "
              f"{res['simulate_own_cpu_s'] / c['cpu_s']:.2f}× the engine's; cycle collector {m['gc_s']:.2f} s CPU")
    if "separate" in res:
        s = res["separate"]
        print(f"  ten separate engines each:    {s['wall_s']:6.1f} s wall, {s['cpu_s']:6.1f} s CPU, "
              f"{s['events']} events, {s['items']} items")
        print(f"  separate / continuous:        {res['ratio_wall']:.2f}× wall, {res['ratio_cpu']:.2f}× CPU")
    print(f"  peak RSS of the process:      {maxrss_mib():.0f} MiB (aim ≤ {AIM_MIB:.0f} MiB)")
    peaks = ", ".join(f"{n} y: {v:.1f} MiB" for n, v in res["tracemalloc_peak_mib_by_years"].items())
    print(f"  Python peak by years (one municipality, tracemalloc): {peaks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
