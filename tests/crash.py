"""Fault injection for the kill -9 tests: run `govcore` and SIGKILL the process right after the
first transaction that committed item N or a later one (items are committed in batches of whole
simulated days; 0: right after the run was created).

    python tests/crash.py N simulate CONFIG --out DIR --db URL
    python tests/crash.py N tick CONFIG --db URL --now DATE

It wraps the library's progress callback (called once the run is open and after every committed
batch), so the kill lands exactly where a `kill -9` from outside could land, without a test hook
in production code. Nothing runs after the signal: no cleanup, no rollback, no flush.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import govcore.store.run as store_run
from govcore.cli import main


def _crashing(original: Callable[..., Any], kill_after: int) -> Callable[..., Any]:
    def run(*args: Any, progress: Callable[[int, int], None] | None = None, **kwargs: Any) -> Any:
        def crash(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)
            if done >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        return original(*args, progress=crash, **kwargs)

    return run


def _inject(kill_after: int) -> None:
    store_run.simulate_persistent = _crashing(store_run.simulate_persistent, kill_after)  # type: ignore[assignment]
    store_run.tick = _crashing(store_run.tick, kill_after)  # type: ignore[assignment]


if __name__ == "__main__":
    _inject(int(sys.argv[1]))
    main(sys.argv[2:], prog_name="govcore")
