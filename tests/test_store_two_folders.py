"""One configuration stored from two folders (two checkouts, a municipality that moved its folder)
into one database: the second folder's runs re-open, resume and verify.

A rule version (`govcore_rule`) is shared by the municipality's runs and keeps the path of the rule
file as the first run read it; a later run from another folder finds that row and must seal its
facts over it, not over the row it would have written (on main it sealed its own, and every later
command refused the run as "changed outside govcore").
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from conftest import ROOT, write_config
from test_store import cli

from govcore.store.db import open_database


def _folder(where: Path) -> Path:
    """The small configuration with its own copy of the rule library: rule paths differ per folder."""
    folder = write_config(where, rules=["rules/*.yaml"])
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("tests"))
    return folder


def _rule_files(url: str) -> set[str]:
    database = open_database(url)
    try:
        return database.read(lambda conn: {str(r.file) for r in conn.execute(sa.text("SELECT file FROM govcore_rule"))})
    finally:
        database.close()


def _simulate(folder: Path, year: int, url: str, out: Path, *more: str) -> Any:
    return cli("simulate", str(folder), "--year", str(year), "--db", url, "--out", str(out), *more)


def test_a_run_from_a_second_folder_reopens_and_verifies(db_url: str, tmp_path: Path, english: None) -> None:
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    assert _simulate(a, 2021, db_url, tmp_path / "out-a").exit_code == 0
    first = _simulate(b, 2022, db_url, tmp_path / "out-b")
    assert first.exit_code == 0, first.output
    again = _simulate(b, 2022, db_url, tmp_path / "out-b2", "--resume")
    assert again.exit_code == 0, again.output
    assert "changed outside govcore" not in again.output
    verified = cli("audit", "verify", "--db", db_url)
    assert verified.exit_code == 0, verified.output
    assert verified.output.count("OK") == 2, verified.output
    # The rule versions stay as the first folder stored them (nothing is rewritten).
    files = _rule_files(db_url)
    assert files and all(f.startswith(str(a)) for f in files), files
    assert (tmp_path / "out-b" / "events.jsonl").read_bytes() == (tmp_path / "out-b2" / "events.jsonl").read_bytes()


def test_a_live_run_made_again_from_another_folder_goes_on(db_url: str, tmp_path: Path, english: None) -> None:
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    assert _simulate(a, 2021, db_url, tmp_path / "out-a").exit_code == 0
    deleted = cli("db", "delete-run", "--db", db_url, "--municipality", "630", "--start", "2021-01-01", "--yes")
    assert deleted.exit_code == 0, deleted.output
    for now in ("2021-03-10", "2021-12-31"):  # a live run: created, then carried on
        ticked = cli("tick", str(b), "--db", db_url, "--year", "2021", "--now", now)
        assert ticked.exit_code == 0, ticked.output
    verified = cli("audit", "verify", "--db", db_url)
    assert verified.exit_code == 0, verified.output
