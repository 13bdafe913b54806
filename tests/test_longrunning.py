"""A long-running process settles what it loaded at start out of the cycle collector's way."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import govcore.longrunning
from govcore.cli import main
from govcore.longrunning import settle_after_startup


class _Node:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Start and end with nothing frozen: the test suite is one process."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_freezes_what_is_alive_and_collects_the_garbage_first(unfrozen: None) -> None:
    gc.disable()
    try:
        dead = _Node()
        gone = weakref.ref(dead)
        alive = _Node()
        del dead
        assert gone() is not None  # a cycle: only the collector frees it
        assert gc.get_freeze_count() == 0
        settle_after_startup()
        assert gone() is None
        assert gc.get_freeze_count() > 0
        assert alive.me is alive
    finally:
        gc.enable()


def test_serve_settles_after_building_the_app_and_before_serving(unfrozen: None, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from govcore.server.run import serve

    seen: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["app"] = app
        seen["host"] = kwargs.get("host")

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("GOVCORE_SCHEDULER", "off")
    serve(f"sqlite:///{tmp_path / 'g.db'}", host="127.0.0.1", port=8765)
    assert seen["host"] == "127.0.0.1"
    assert seen["frozen"] > 0
    assert seen["app"] is not None  # the app was built before the freeze


def test_tick_all_settles_once_before_the_runs(unfrozen: None, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(govcore.longrunning, "settle_after_startup", lambda: calls.append(1))
    db = f"sqlite:///{tmp_path / 'g.db'}"
    assert CliRunner().invoke(main, ["db", "init", "--db", db]).exit_code == 0
    res = CliRunner().invoke(main, ["tick", "--all", "--db", db])
    assert res.exit_code == 0, res.output
    assert calls == [1]
