"""How long does `govcore --help` take to start, and the README's main job? Figures, never pass/fail.

    python benchmarks/bench_startup.py [--runs 15] [--simulate-runs 3] [--config examples/vejle] [--json]

Runs the installed `govcore --help` (the console script beside this Python) `--runs` times and
reports the median and best CPU time of the child process (user + system, from
`resource.getrusage(RUSAGE_CHILDREN)`: CPU, not wall time, because the machine may be shared), and
the same for a bare `python -c pass` for reference. Aim (issue 12): <= 0.15 s CPU.

Then the main job of the README's first command, `govcore simulate CONFIG --year 2021 --out DIR`,
`--simulate-runs` times (0 leaves it out), and in one child process `load_config(CONFIG)` twice:
the first load parses every YAML text, the second finds them parsed (a server, `tick --all` or a
test suite loads a configuration again and again). The two loads are made again in another child
with ruamel's pure-Python parser only (as without ruamel.yaml.clib), so the C parser's share is
measured side by side on the same machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

AIM_S = 0.15
ROOT = Path(__file__).resolve().parents[1]
TWO_LOADS = """
import json, sys, time
from govcore import sourcefile
from govcore.config import load_config
if sys.argv[2] == "pure":
    sourcefile._CParser = None
times = []
for _ in range(2):
    t = time.process_time()
    load_config(sys.argv[1])
    times.append(time.process_time() - t)
print(json.dumps({"times": times, "libyaml": sourcefile._CParser is not None}))
"""


def two_loads(config: str, parser: str) -> tuple[list[float], bool]:
    done = subprocess.run([sys.executable, "-c", TWO_LOADS, config, parser], capture_output=True, text=True,
                          check=True)
    answer = json.loads(done.stdout)
    return answer["times"], answer["libyaml"]


def child_cpu(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--simulate-runs", type=int, default=3)
    ap.add_argument("--config", default=str(ROOT / "examples" / "vejle"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    script = Path(sys.executable).with_name("govcore")
    govcore = [str(script)] if script.exists() else [shutil.which("govcore") or "govcore"]
    child_cpu([*govcore, "--help"])  # warm the file cache and the bytecode
    runs = [child_cpu([*govcore, "--help"]) for _ in range(args.runs)]
    bare = [child_cpu([sys.executable, "-c", "pass"]) for _ in range(args.runs)]
    res = {"help_cpu_median_s": statistics.median(runs), "help_cpu_best_s": min(runs),
           "python_cpu_median_s": statistics.median(bare), "runs": args.runs, "aim_s": AIM_S}
    if args.simulate_runs > 0:
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            job = [*govcore, "simulate", args.config, "--year", "2021", "--out", str(Path(tmp) / "out")]
            sims = [child_cpu(job) for _ in range(args.simulate_runs)]
        loads, libyaml = two_loads(args.config, "as installed")
        pure, _libyaml = two_loads(args.config, "pure")
        res |= {"simulate_cpu_median_s": statistics.median(sims), "simulate_cpu_best_s": min(sims),
                "simulate_runs": args.simulate_runs, "load_config_first_s": loads[0], "load_config_again_s": loads[1],
                "yaml_parser": "libyaml" if libyaml else "pure Python", "load_config_first_pure_s": pure[0],
                "load_config_again_pure_s": pure[1]}
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
        return 0
    ok = "within aim" if res["help_cpu_median_s"] <= AIM_S else "ABOVE aim"
    print(f"govcore --help: median {res['help_cpu_median_s']:.3f} s CPU, best {res['help_cpu_best_s']:.3f} s "
          f"({args.runs} runs; aim <= {AIM_S} s: {ok}); python -c pass: {res['python_cpu_median_s']:.3f} s")
    if args.simulate_runs > 0:
        print(f"govcore simulate {Path(args.config).name} --year 2021 --out DIR (the README's main job): median "
              f"{res['simulate_cpu_median_s']:.3f} s CPU, best {res['simulate_cpu_best_s']:.3f} s "
              f"({args.simulate_runs} runs)")
        print(f"load_config({Path(args.config).name}) in one process: first {res['load_config_first_s']:.3f} s CPU, "
              f"again {res['load_config_again_s']:.3f} s (each YAML text parsed once per process, by "
              f"{res['yaml_parser']}); with ruamel's pure-Python parser only: first "
              f"{res['load_config_first_pure_s']:.3f} s, again {res['load_config_again_pure_s']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
