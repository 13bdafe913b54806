"""SQLite keeps a text that is no number in an INTEGER column, so an entry's number changed to
'x' in the database file (a hand edit, a broken tool) reaches the log's readers as text: `audit
verify` reports the entry as changed, `explain` refuses the log naming why, a resume refuses it
— none of them fails with an internal error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_store import cli, small

from govcore.store.db import open_database
from govcore.store.run import RunError, tick


def _stored_with_seq(tmp_path: Path, value: str) -> tuple[str, int]:
    """A stored run whose last entry's number is `value`; returns the URL and that entry's number."""
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    tick(small(tmp_path / "c"), url, now=dt.date(2021, 3, 31))
    database = open_database(url)
    try:
        def edit(conn: sa.Connection) -> int:
            last = int(conn.execute(sa.text("SELECT max(seq) FROM govcore_event")).scalar_one())
            conn.execute(sa.text("UPDATE govcore_event SET seq = :v WHERE seq = :s"), {"v": value, "s": last})
            return last
        return url, database.write(edit)
    finally:
        database.close()


def test_audit_verify_reports_an_entry_whose_number_is_no_number(tmp_path: Path, english: None) -> None:
    url, last = _stored_with_seq(tmp_path, "x")
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1, out.output
    assert f"TAMPERED  630 2021: entry e{last:06d} was changed (its number is 'x', not a whole number)" in out.output


def test_explain_refuses_such_a_log(tmp_path: Path, english: None) -> None:
    url, _ = _stored_with_seq(tmp_path, "x")
    out = cli("explain", "e000002", "--db", url)
    assert out.exit_code == 2, out.output
    assert ("cannot be explained: an entry's number is 'x', not a whole number; see `govcore audit verify`"
            in out.output)
    assert "internal error" not in out.output


def test_a_resume_refuses_such_a_log(tmp_path: Path, english: None) -> None:
    url, last = _stored_with_seq(tmp_path, "x")
    with pytest.raises(RunError, match=f"entry e{last:06d} was changed \\(its number is 'x'"):
        tick(small(tmp_path / "c"), url, now=dt.date(2021, 4, 30))


def test_the_danish_report(tmp_path: Path, danish: None) -> None:
    url, last = _stored_with_seq(tmp_path, "x")
    out = cli("audit", "verify", "--db", url)
    assert f"posten e{last:06d} er ændret (dens nummer er 'x', ikke et helt tal)" in out.output
