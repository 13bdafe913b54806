"""How fast is a simulated year? Figures and ratios, never pass/fail.

    python benchmarks/bench_year.py [--config examples/vejle] [--municipalities 98] [--repeat 3]
                                    [--engines 300] [--profile] [--json]

1. one municipality-year (the Vejle 2021 example): engine time, events, events/s, items;
2. the same year for every Danish municipality (the Vejle configuration cloned per code, the
   observations scaled by a small deterministic per-code factor), sequentially in one process:
   total time, mean per municipality, peak memory, threads before/after;
3. the engine against bare durable-rules doing the same matching work: the exact payloads the
   engine sent, through the same C calls, firing the same rules (asserted), for the Vejle year
   and a multi-year run (CPU time), with the engine alone (no event lines, digests or summaries)
   timed beside it, and the run's event lines made alone (a floor under any engine that makes
   them); the old, unequal comparison is printed once as well;
4. 300 engines created and closed in one process: threads before/after, RSS growth.

Speed targets (from the issue) live here, not in unit tests: one municipality-year well under a
second of engine time, all 98 under a minute on a 2-core machine, the engine at most 3x the bare
durable-rules cost (issue 12). The script reports against them; it never fails because of them.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import dataclasses
import datetime as dt
import gc
import io
import itertools
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import durable_rules_engine
from durable import engine as durable_engine

from govcore._durable import RuleRuntime, clean
from govcore.config import Configuration, load_config
from govcore.engine import Engine, event_line
from govcore.errors import GovcoreError
from govcore.model import Municipality, Observation, ObservationRow, Observations, municipalities
from govcore.observations import rows_of
from govcore.rules.compiler import compile_ruleset
from govcore.simulate import simulate

DEFAULT_CONFIG = "examples/vejle"
FALLBACK_CONFIG = ""  # none by default: a configuration that does not load is an error
TARGET_ONE_S = 1.0
TARGET_ALL_S = 60.0
TARGET_RATIO = 3.0
MIB = 1024 * 1024

_names = itertools.count()


# ------------------------------------------------------------------------------------- helpers


def rss_bytes() -> int:
    """The current resident set size (Linux /proc; elsewhere the peak, as the best available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return maxrss_bytes()


def maxrss_bytes() -> int:
    """Peak RSS of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """The shortest wall and CPU times of `repeat` calls, and the last call's result."""
    best = cpu = float("inf")
    result: Any = None
    for _ in range(max(1, repeat)):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return best, cpu, result


def load(path: str, fallback: str | None) -> tuple[Configuration, str, float]:
    """Load the configuration (and time it); fall back to a working copy if the example is broken."""
    t0 = time.perf_counter()
    try:
        return load_config(path), path, time.perf_counter() - t0
    except GovcoreError as err:
        if not fallback or fallback == path or not Path(fallback).exists():
            raise
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"note: {path} does not load ({first}); using {fallback}", file=sys.stderr)
        t0 = time.perf_counter()
        return load_config(fallback), fallback, time.perf_counter() - t0


def scale_factor(code: str) -> float:
    """A deterministic factor per municipality code, 0.97 .. 1.03."""
    return 1 + (int(code) % 7 - 3) / 100


def scaled(observations: Sequence[Observation], factor: float) -> Observations:
    """The observations with every value times `factor` (published ranks are ordinal: kept), held
    as rows as `load_config` holds them: a clone made of pydantic models would make each engine
    convert 3 020 models to rows when it starts, work that a configuration read from its files
    never asks for."""
    if factor == 1:
        return Observations(rows_of(observations))
    return Observations(
        r if r.series == "rank" else ObservationRow(r.kpi, r.period, round(r.value * factor, 4), r.series,
                                                    r.municipality, r.source, r.known_at)
        for r in rows_of(observations))


def clone(config: Configuration, muni: Municipality) -> Configuration:
    return dataclasses.replace(config, municipality=muni,
                               observations=scaled(config.observations, scale_factor(muni.code)))


# --------------------------------------------------------------------------- 1. one year


def bench_one(config: Configuration, repeat: int) -> dict[str, Any]:
    simulate(config)  # warm caches (holidays, zone data) so the best-of is the steady state
    seconds, cpu, result = best_of(repeat, lambda: simulate(config))
    with Engine(config, trace=True) as engine:
        engine.run_year()
        items, posts = engine.items_processed, len(engine.trace or [])
    events = len(result.events)
    return {"municipality": config.municipality.code, "engine_s": seconds, "engine_cpu_s": cpu,
            "events": events, "events_per_s": events / seconds, "items": items,
            "items_per_s": items / seconds,
            "posts": posts, "rules": len(config.rules.rules), "goals": len(config.goals),
            "observations": len(config.observations)}


# ------------------------------------------------------------------------- 2. all municipalities


def run_all(configs: Sequence[Configuration]) -> tuple[list[float], int]:
    times: list[float] = []
    events = 0
    for cfg in configs:
        t0 = time.perf_counter()
        result = simulate(cfg)
        times.append(time.perf_counter() - t0)
        events += len(result.events)
        del result
    return times, events


def bench_all(config: Configuration, count: int, use_tracemalloc: bool) -> dict[str, Any]:
    munis = list(municipalities().values())[:count]
    t0 = time.perf_counter()
    configs = [clone(config, m) for m in munis]
    clone_s = time.perf_counter() - t0
    gc.collect()
    threads_before = threading.active_count()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    times, events = run_all(configs)
    total = time.perf_counter() - t0
    out: dict[str, Any] = {
        "municipalities": len(configs), "clone_s": clone_s, "total_s": total,
        "mean_s": total / len(configs), "min_s": min(times), "max_s": max(times), "events": events,
        "events_per_s": events / total, "threads_before": threads_before,
        "threads_after": threading.active_count(), "rss_growth_mib": (rss_bytes() - rss_before) / MIB,
        "maxrss_mib": maxrss_bytes() / MIB, "tracemalloc_peak_mib": None, "tracemalloc_pass_s": None,
    }
    if use_tracemalloc:  # a second, untimed pass: tracemalloc slows Python allocation down a lot
        gc.collect()
        t0 = time.perf_counter()
        tracemalloc.start()
        run_all(configs)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["tracemalloc_pass_s"] = time.perf_counter() - t0
        out["tracemalloc_peak_mib"] = peak / MIB
        out["maxrss_mib"] = maxrss_bytes() / MIB
    return out


# ---------------------------------------------------------------------------- 3. bare ruleset


class BareHost(durable_engine.Host):  # type: ignore[misc]
    """A durable-rules host without its wall-clock timer threads."""

    def _run(self) -> None:
        return None


def _drain(ruleset: Any) -> None:
    """Run the actions durable-rules left queued, in this thread, until none is left."""
    handle = ruleset._handle
    while True:
        result = durable_rules_engine.start_action(handle)
        if not result:
            return
        ruleset._flush_actions(json.loads(result[0]), {"message": json.loads(result[1])}, result[2],
                               lambda e, s: None)


class BareRuleset:
    """The compiled definitions in a bare durable-rules ruleset, with a trivial counting action.

    Created once and reused with a fresh session id per run, as govcore shares its rulesets
    (durable-rules 2.0.28 may crash in `delete_state`, so states are never deleted here either).
    """

    def __init__(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        self.fired = 0
        self._sids = itertools.count(1)
        t0 = time.perf_counter()
        self.host = BareHost()
        self.name = f"bench{next(_names)}"
        rules = {n: {**copy.deepcopy(dict(d)), "run": self._action} for n, d in definitions.items()}
        self.host.set_rulesets({self.name: rules})
        self.ruleset = self.host.get_ruleset(self.name)
        self.setup_s = time.perf_counter() - t0

    def _action(self, c: Any) -> None:
        self.fired += 1

    def messages(self, messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The messages for a fresh session (prepared before timing)."""
        sid = f"b{next(self._sids)}"
        return [{**m, "sid": sid} for m in messages]

    def assert_retract(self, facts: Sequence[Mapping[str, Any]]) -> tuple[float, int]:
        """govcore's protocol: assert, drain, retract, drain, one message at a time."""
        host, name, ruleset = self.host, self.name, self.ruleset
        self.fired = 0
        t0 = time.perf_counter()
        for fact in facts:
            try:
                host.assert_fact(name, fact)
            except durable_engine.MessageNotHandledException:
                continue
            _drain(ruleset)
            host.retract_fact(name, fact)
            _drain(ruleset)
        return time.perf_counter() - t0, self.fired

    def close(self) -> None:
        durable_rules_engine.delete_ruleset(self.ruleset._handle)


def _cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    c0 = time.process_time()
    result = fn()
    return time.process_time() - c0, result


def bench_fair(config: Configuration, repeat: int, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The engine against bare durable-rules doing the same matching work.

    The bare side receives exactly the payloads the engine sent (the same JSON text: the fields
    rules test, cleaned, with a session id) through the same C calls (`RuleRuntime.match_payload`:
    assert, run the queued actions, retract), and must fire the same rules for every message
    (asserted). The engine asks durable-rules only about messages unlike earlier ones
    (`Engine.rule_calls` counts how often); the bare side matches every payload. Both sides are
    timed in CPU seconds, alternating, so a loaded machine slows both. The engine side is also
    timed without its outputs (the engine started and run alone, the same events), so the part
    of `simulate` spent on event lines, digests and summaries is seen apart.
    """
    with Engine(config, start=first, trace=True) as engine:
        engine.advance_to(last)
        posted = list(engine.trace or [])
        asked = engine.rule_calls
    names = {f"r{r.order:04d}": r.id for r in config.rules.rules}
    runtime = RuleRuntime(compile_ruleset(config.rules))
    payloads = [runtime.payload(p.sent) for p in posted]

    def bare() -> list[tuple[str, ...]]:
        match = runtime.match_payload
        return [tuple(match(x)) for x in payloads]

    fired = [tuple(names[n] for n in f) for f in bare()]  # warm-up, and the check
    mismatched = [i for i, (p, f) in enumerate(zip(posted, fired, strict=True)) if p.fired != f]
    if mismatched:
        raise SystemExit(f"bare durable-rules fired differently from the engine on {len(mismatched)} "
                         f"message(s), first {posted[mismatched[0]].sent}")

    def engine_run() -> Any:
        return simulate(config, start=first, until=last)

    def loop_run() -> list[Any]:
        """`simulate`'s engine alone: started and run to the end, without event lines, digests
        or summaries."""
        with Engine(config, start=first) as engine:
            engine.advance_to(engine.calendar.local_datetime(last, 23, 59))
            return engine.events

    events = engine_run().events
    if loop_run() != events:
        raise SystemExit("the engine alone made other events than simulate")

    def lines_run() -> list[str]:
        """The run's event lines alone, made from its finished events: what `simulate` writes and
        hashes, and so a floor under any engine that makes these events, whatever else it does."""
        return list(map(event_line, events))

    pairs: list[tuple[float, float]] = []
    loops: list[float] = []
    lines: list[float] = []
    for _ in range(max(5, 2 * repeat)):
        engine_s, _ = _cpu(engine_run)
        bare_s, _ = _cpu(bare)
        loop_s, _ = _cpu(loop_run)
        lines_s, _ = _cpu(lines_run)
        pairs.append((engine_s, bare_s))
        loops.append(loop_s)
        lines.append(lines_s)
    runtime.close()
    engine_s = min(e for e, _ in pairs)
    bare_s = min(b for _, b in pairs)
    loop_s = min(loops)
    lines_s = min(lines)
    n = max(1, len(payloads))
    return {
        "from": first.isoformat(), "until": last.isoformat(), "messages": len(payloads),
        "matched": sum(1 for p in posted if p.fired), "fired": sum(len(p.fired) for p in posted),
        "same_rules_fired": True, "engine_durable_calls": asked,
        "payload_bytes_mean": sum(len(x.encode()) for x in payloads) / n,
        "engine_cpu_s": engine_s, "bare_cpu_s": bare_s, "ratio": engine_s / bare_s,
        "ratio_median_pairwise": statistics.median(e / b for e, b in pairs),
        "loop_cpu_s": loop_s, "loop_ratio": loop_s / bare_s, "outputs_cpu_s": max(0.0, engine_s - loop_s),
        "events": len(events), "lines_cpu_s": lines_s, "lines_ratio": lines_s / bare_s,
        "engine_us_per_message": engine_s / n * 1e6, "bare_us_per_message": bare_s / n * 1e6,
    }


def bench_old(config: Configuration, repeat: int) -> dict[str, Any]:
    """The comparison this benchmark used to make, kept to show the difference once: the bare side
    got the full traced messages (titles, explanations) through durable-rules' Python `Host`,
    while the engine sends only the fields rules test straight to the C functions. Not the same
    work; the fair figure is `bench_fair`."""
    with Engine(config, trace=True) as engine:
        engine.run_year()
        posted = list(engine.trace or [])
    cleaned = [clean(p.message) for p in posted]
    bare = BareRuleset(compile_ruleset(config.rules))
    bare.assert_retract(bare.messages(cleaned))  # warm up
    pairs: list[tuple[float, float]] = []
    for _ in range(max(5, 2 * repeat)):
        facts = bare.messages(cleaned)
        engine_s, _ = _cpu(lambda: simulate(config))
        bare_s, _ = _cpu(lambda f=facts: bare.assert_retract(f))  # type: ignore[misc]
        pairs.append((engine_s, bare_s))
    bare.close()
    n = max(1, len(cleaned))
    engine_s = min(e for e, _ in pairs)
    bare_s = min(b for _, b in pairs)
    return {"messages": len(cleaned), "payload_bytes_mean": sum(len(json.dumps(m, ensure_ascii=False).encode())
                                                              for m in cleaned) / n,
            "engine_cpu_s": engine_s, "bare_cpu_s": bare_s, "ratio": engine_s / bare_s}


# ------------------------------------------------------------------------------- 4. engines


def bench_engines(config: Configuration, count: int) -> dict[str, Any]:
    with Engine(config):  # warm up (imports, caches) before measuring growth
        pass
    gc.collect()
    threads_before = threading.active_count()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    for _ in range(count):
        engine = Engine(config)
        engine.close()
    seconds = time.perf_counter() - t0
    del engine
    gc.collect()
    return {"engines": count, "seconds": seconds, "ms_per_engine": seconds / max(1, count) * 1000,
            "threads_before": threads_before, "threads_after": threading.active_count(),
            "rss_growth_mib": (rss_bytes() - rss_before) / MIB}


# ------------------------------------------------------------------------------------ profile


def profile(config: Configuration, top: int = 20) -> str:
    simulate(config)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        simulate(config)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


# ---------------------------------------------------------------------------------- reporting


def _mark(ok: bool) -> str:
    return "within aim" if ok else "ABOVE aim"


def table(res: Mapping[str, Any]) -> str:
    lines: list[str] = []

    def row(label: str, value: str, note: str = "") -> None:
        lines.append(f"  {label:<34} {value:>14}  {note}".rstrip())

    env = res["environment"]
    lines.append(f"govcore year benchmark — {env['config']} (load {env['load_s']:.2f} s), "
                 f"Python {env['python']}, {env['cpus']} CPU(s), repeat {env['repeat']}")
    one = res["one"]
    lines.append(f"1. one municipality-year ({one['municipality']}: {one['goals']} goals, "
                 f"{one['rules']} rules, {one['observations']} observations)")
    row("engine time (best wall)", f"{one['engine_s'] * 1000:.1f} ms",
        f"aim < {TARGET_ONE_S:.0f} s: {_mark(one['engine_s'] < TARGET_ONE_S)}; "
        f"CPU {one['engine_cpu_s'] * 1000:.1f} ms")
    row("events / events per s", f"{one['events']} / {one['events_per_s']:,.0f}")
    row("items processed / messages posted", f"{one['items']} / {one['posts']}")
    if "all" in res:
        a = res["all"]
        lines.append(f"2. {a['municipalities']} municipalities, sequential, one process")
        row("total / mean per municipality", f"{a['total_s']:.2f} s / {a['mean_s'] * 1000:.0f} ms",
            f"aim < {TARGET_ALL_S:.0f} s: {_mark(a['total_s'] < TARGET_ALL_S)}")
        row("min / max per municipality", f"{a['min_s'] * 1000:.0f} / {a['max_s'] * 1000:.0f} ms")
        row("events / events per s", f"{a['events']} / {a['events_per_s']:,.0f}")
        peak = a["tracemalloc_peak_mib"]
        peak_text = "-" if peak is None else f"{peak:.1f}"
        row("tracemalloc peak / maxrss", f"{peak_text} / {a['maxrss_mib']:.0f} MiB",
            "(tracemalloc: Python allocations only"
            + (f"; its pass took {a['tracemalloc_pass_s']:.0f} s)" if a["tracemalloc_pass_s"] else ")"))
        row("RSS growth over the run", f"{a['rss_growth_mib']:+.1f} MiB")
        row("threads before / after", f"{a['threads_before']} / {a['threads_after']}")
    old = res["old"]
    lines.append(f"3. engine vs bare durable-rules, the same work (CPU time, best of alternating runs; "
                 f"aim <= {TARGET_RATIO:.0f}x)")
    lines.append(f"  old measure, NOT the same work: full messages ({old['payload_bytes_mean']:.0f} B) through "
                 f"the Python Host: {old['engine_cpu_s'] * 1000:.1f} / {old['bare_cpu_s'] * 1000:.2f} ms = "
                 f"{old['ratio']:.1f}x")
    for key in ("fair_year", "fair_span"):
        f = res[key]
        lines.append(f"  {f['from']} .. {f['until']}: {f['messages']} payloads ({f['payload_bytes_mean']:.0f} B), "
                     f"{f['matched']} matched, {f['fired']} rules fired on both sides (asserted); the engine "
                     f"asked durable-rules {f['engine_durable_calls']} times (a message like an earlier one is "
                     f"answered from memory), bare {f['messages']}")
        row("engine / bare CPU", f"{f['engine_cpu_s'] * 1000:.1f} / {f['bare_cpu_s'] * 1000:.2f} ms",
            f"{f['engine_us_per_message']:.0f} / {f['bare_us_per_message']:.1f} µs per message")
        row("ratio engine / bare", f"{f['ratio']:.1f}x",
            f"{_mark(f['ratio'] <= TARGET_RATIO)}; median of pairs {f['ratio_median_pairwise']:.1f}x")
        row("of it: engine alone / outputs", f"{f['loop_cpu_s'] * 1000:.1f} / {f['outputs_cpu_s'] * 1000:.1f} ms",
            f"engine alone / bare {f['loop_ratio']:.1f}x; outputs (event lines, digests, summaries) "
            f"{f['outputs_cpu_s'] / f['engine_cpu_s']:.0%} of simulate")
        row("floor: the event lines alone", f"{f['lines_cpu_s'] * 1000:.2f} ms",
            f"{f['events']} events' lines = {f['lines_ratio']:.1f}x bare, before any goal is judged")
    if "engines" in res:
        e = res["engines"]
        lines.append(f"4. {e['engines']} engines created and closed")
        row("time / per engine", f"{e['seconds']:.2f} s / {e['ms_per_engine']:.1f} ms")
        row("threads before / after", f"{e['threads_before']} / {e['threads_after']}")
        row("RSS growth", f"{e['rss_growth_mib']:+.1f} MiB")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    ap.add_argument("--config", default=DEFAULT_CONFIG,
                    help=f"configuration directory (default {DEFAULT_CONFIG})")
    ap.add_argument("--fallback", default=FALLBACK_CONFIG,
                    help="another configuration to use when --config does not load (default: none)")
    ap.add_argument("--span-from", type=int, default=2020, help="first year of the multi-year ratio (default 2020)")
    ap.add_argument("--span-to", type=int, default=2023, help="last year of the multi-year ratio (default 2023)")
    ap.add_argument("--municipalities", type=int, default=98, help="how many municipalities (0 skips part 2)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N for the one-year and bare timings")
    ap.add_argument("--engines", type=int, default=300, help="engines to create and close (0 skips part 4)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc pass of part 2")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of five simulated years")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = ap.parse_args(argv)

    try:
        config, used, load_s = load(args.config, args.fallback or None)
    except GovcoreError as err:
        print(f"cannot load the configuration: {err}", file=sys.stderr)
        return 2

    res: dict[str, Any] = {"environment": {
        "config": used, "config_requested": args.config, "load_s": load_s,
        "python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "repeat": args.repeat, "threads_at_start": threading.active_count()}}
    res["one"] = bench_one(config, args.repeat)
    res["old"] = bench_old(config, args.repeat)
    year = config.year
    res["fair_year"] = bench_fair(config, args.repeat, dt.date(year, 1, 1), dt.date(year, 12, 31))
    res["fair_span"] = bench_fair(config, args.repeat, dt.date(args.span_from, 1, 1), dt.date(args.span_to, 12, 31))
    if args.municipalities > 0:
        res["all"] = bench_all(config, args.municipalities, not args.no_tracemalloc)
    if args.engines > 0:
        res["engines"] = bench_engines(config, args.engines)
    res["aims"] = {"one_year_s": TARGET_ONE_S, "all_s": TARGET_ALL_S, "ratio": TARGET_RATIO}

    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
    else:
        print(table(res))
    if args.profile:
        print(profile(config), file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
