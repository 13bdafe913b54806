"""How long do rule tests take? Figures, never pass/fail.

    python benchmarks/bench_ruletest.py

Runs every scenario of the shipped rule tests (rules/tests) and prints the time of each as the
runner measures it, the slowest and the total. Aim: each default scenario well under a second, so
that an administrator's `govcore rules test` stays interactive. (This was once a timed assertion
in tests/test_ruletest.py; speed targets live here, not in the test suite.)
"""

from __future__ import annotations

import time
from pathlib import Path

from govcore.ruletest.runner import run_files

ROOT = Path(__file__).resolve().parent.parent
AIM_S = 1.0


def main() -> None:
    cpu = time.process_time()
    report = run_files([str(ROOT / "rules" / "tests")])
    cpu = time.process_time() - cpu
    results = sorted(report.results(), key=lambda r: r.run.seconds, reverse=True)
    for r in results[:10]:
        print(f"{r.run.seconds * 1000:8.1f} ms  {r.case.name}")
    slowest = results[0].run.seconds if results else 0.0
    print(f"{len(results)} scenarios, all {'passed' if report.ok else 'NOT passed'}; slowest {slowest:.3f} s "
          f"(aim < {AIM_S} s: {'met' if slowest < AIM_S else 'not met'}); all of it {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
