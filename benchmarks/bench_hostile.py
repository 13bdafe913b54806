"""How long and how much memory does govcore spend refusing a hostile file? Figures, never pass/fail.

    python benchmarks/bench_hostile.py [--config examples/vejle] [--input NAME ...] [--file NAME ...] [--json]

For each hostile document (alias expansion "billion laughs", flow and block nesting 20,000 levels
deep, a 2 MB file of comments, a megabyte of keys) appended to each YAML file of the configuration, `load_config`
is timed (wall, untraced) and its peak Python memory measured (tracemalloc, a second run). The
time includes loading the rest of the configuration and the plugins. The target from issue 17:
refused with a located error in under a second and at most 100 MB. The same configuration
loaded untouched is the reference.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from govcore.config import load_config
from govcore.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FILES = ["municipality.yaml", "organisation.yaml", "kpis.yaml", "goals.yaml", "wheel.yaml", "responses.yaml"]


def laughs() -> str:
    text = 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, 10):
        text += f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    return text


HOSTILE: dict[str, Callable[[], str]] = {
    "billion laughs": laughs,
    "flow nesting 20,000": lambda: "deep: " + "[" * 20_000 + "]" * 20_000 + "\n",
    "block nesting 3,000": lambda: "".join("  " * i + f"k{i}:\n" for i in range(3_000)),
    "dashes 20,000": lambda: "deep: " + "- " * 20_000 + "x\n",
    "2 MB of comments": lambda: "# padding padding padding padding\n" * 61_000,
    "1 MB of 'k: v' lines": lambda: "".join(f"k{i}: v\n" for i in range(110_000)),
}


def measure(folder: Path) -> tuple[float, float, str]:
    """Wall time of load_config without tracing, then its peak memory in a second, traced run."""
    start = time.perf_counter()
    try:
        load_config(folder)
        outcome = "loaded"
    except InputError as err:
        first = err.problems[0]
        outcome = f"refused at {Path(first.file).name}:{first.line}"
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    with contextlib.suppress(InputError):
        load_config(folder)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return elapsed, peak, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "examples" / "vejle"))
    parser.add_argument("--input", action="append", choices=list(HOSTILE), help="only this input (default: all)")
    parser.add_argument("--file", action="append", choices=FILES, help="only into this file (default: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "config"
        shutil.copytree(args.config, base)
        cfg = base / "municipality.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
        elapsed, peak, outcome = measure(base)
        rows.append({"input": "untouched", "file": "-", "seconds": elapsed, "peak_mb": peak, "outcome": outcome})
        for name, make in HOSTILE.items():
            if args.input and name not in args.input:
                continue
            text = make()
            for file in args.file or FILES:
                original = (base / file).read_text(encoding="utf-8")
                (base / file).write_text(original + text, encoding="utf-8")
                elapsed, peak, outcome = measure(base)
                (base / file).write_text(original, encoding="utf-8")
                rows.append({"input": name, "file": file, "seconds": elapsed, "peak_mb": peak, "outcome": outcome})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'input':<22} {'file':<18} {'seconds':>8} {'peak MB':>8}  outcome")
    for r in rows:
        print(f"{r['input']:<22} {r['file']:<18} {r['seconds']:>8.3f} {r['peak_mb']:>8.1f}  {r['outcome']}")
    hostile = [r for r in rows if r["input"] != "untouched"]
    print(f"\nworst refusal: {max(r['seconds'] for r in hostile):.3f} s, "
          f"{max(r['peak_mb'] for r in hostile):.1f} MB peak (target: < 1 s, <= 100 MB); "
          f"all refused: {all(r['outcome'].startswith('refused') for r in hostile)}")


if __name__ == "__main__":
    main()
