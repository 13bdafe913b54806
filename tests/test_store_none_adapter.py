"""govcore's adapter for None in the sqlite3 module's registry (`db._bind_none_directly`) is the
embedding process's registry too: it must change nothing for the process's other sqlite3
connections, and it must not replace an adapter for None the program registered itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from govcore.store import db as store_db
from govcore.store.db import open_database

KEY = (type(None), sqlite3.PrepareProtocol)


def _stored(params: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """What a plain sqlite3 connection of the process stores for `params` (values and types)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE t (a, b, c)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", params)
        return conn.execute("SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM t ORDER BY rowid").fetchall()
    finally:
        conn.close()


def test_another_connection_of_the_process_stores_the_same_with_or_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params: list[tuple[Any, ...]] = [(None, 1, "x"), ("", None, 0.5), (None, None, None), (b"\x00", 2**40, None)]
    monkeypatch.delitem(sqlite3.adapters, KEY, raising=False)
    without = _stored(params)
    open_database(str(tmp_path / "a.db")).close()
    assert sqlite3.adapters[KEY] is store_db._NONE_ADAPTER
    assert _stored(params) == without
    assert [r[1] for r in without] == ["null", "text", "null", "blob"]


def test_an_adapter_for_none_the_program_registered_is_left_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def theirs(_: None) -> str:
        return "none"

    monkeypatch.setitem(sqlite3.adapters, KEY, theirs)
    open_database(str(tmp_path / "b.db")).close()
    assert sqlite3.adapters[KEY] is theirs
    assert _stored([(None, 1, 2)])[0][:2] == ("none", "text")
