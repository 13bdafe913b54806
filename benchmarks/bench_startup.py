"""How long does `govcore --help` take to start? Figures, never pass/fail.

    python benchmarks/bench_startup.py [--runs 15] [--json]

Runs the installed `govcore --help` (the console script beside this Python) `--runs` times and
reports the median and best CPU time of the child process (user + system, from
`resource.getrusage(RUSAGE_CHILDREN)`: CPU, not wall time, because the machine may be shared), and
the same for a bare `python -c pass` for reference. Aim (issue 12): <= 0.15 s CPU.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

AIM_S = 0.15


def child_cpu(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    script = Path(sys.executable).with_name("govcore")
    govcore = [str(script)] if script.exists() else [shutil.which("govcore") or "govcore"]
    child_cpu([*govcore, "--help"])  # warm the file cache and the bytecode
    runs = [child_cpu([*govcore, "--help"]) for _ in range(args.runs)]
    bare = [child_cpu([sys.executable, "-c", "pass"]) for _ in range(args.runs)]
    res = {"help_cpu_median_s": statistics.median(runs), "help_cpu_best_s": min(runs),
           "python_cpu_median_s": statistics.median(bare), "runs": args.runs, "aim_s": AIM_S}
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    ok = "within aim" if res["help_cpu_median_s"] <= AIM_S else "ABOVE aim"
    print(f"govcore --help: median {res['help_cpu_median_s']:.3f} s CPU, best {res['help_cpu_best_s']:.3f} s "
          f"({args.runs} runs; aim <= {AIM_S} s: {ok}); python -c pass: {res['python_cpu_median_s']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
