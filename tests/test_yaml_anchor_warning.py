"""A YAML anchor defined twice is legal (an alias means the latest one before it), and govcore says
nothing about it: ruamel warns through Python's warnings, which a command line printed raw, naming
"<unicode string>". The suite's pytest configuration ignores the warning too (a test's warning
capture can take govcore's filter away), so only a process of its own shows what a user sees."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def test_a_reused_anchor_loads_without_a_raw_warning(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    settings = folder / "municipality.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("municipality: 630", "municipality: &same 630")
                        .replace("year: 2021", "year: &same 2021"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "default", "-c", "from govcore.cli import main; main()",
                           "--lang", "en", "check", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "anchor" not in done.stderr.lower()
    assert "Warning" not in done.stderr
