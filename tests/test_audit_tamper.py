"""Tamper cases for the decision log, one test each: what `audit verify` catches from the
database alone, and what it catches only against an external checkpoint (`govcore audit
checkpoint`, kept outside the database) — a run deleted, a log cut short with the run row
adjusted, a log rewritten and re-hashed to the end.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_store import cli, execute, small

from govcore.store import chain
from govcore.store.db import open_database
from govcore.store.run import tick


@pytest.fixture
def stored(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A stored run (Vejle 630, January to September) and a checkpoint taken of it."""
    tick(small(tmp_path / "c"), db_url, now=dt.date(2021, 9, 30))
    out = cli("audit", "checkpoint", "--db", db_url)
    assert out.exit_code == 0 and out.output.startswith("govcore-checkpoint 630 2021-01-01 ")
    point = tmp_path / "minutes.txt"
    point.write_text("Referat, Arbejdsmarkedsudvalget\n" + out.output, encoding="utf-8")
    return db_url, point


def _events(url: str) -> int:
    return int(str(_scalar(url, "SELECT events FROM govcore_run WHERE municipality = '630'")))


def _scalar(url: str, sql: str) -> object:
    database = open_database(url)
    try:
        return database.read(lambda conn: conn.execute(sa.text(sql)).scalar_one())
    finally:
        database.close()


def test_an_untouched_log_verifies_against_its_checkpoint(stored: tuple[str, Path]) -> None:
    url, point = stored
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 0 and "holds the checkpoint's entry" in out.output


def test_removing_the_last_events_and_adjusting_the_run_row(stored: tuple[str, Path]) -> None:
    url, point = stored
    n = _events(url)
    keep = n - 3
    head = str(_scalar(url, f"SELECT hash FROM govcore_event WHERE municipality = '630' AND seq = {keep}"))
    execute(url, f"DELETE FROM govcore_event WHERE municipality = '630' AND seq > {keep}")
    execute(url, "UPDATE govcore_run SET events = :n, head_hash = :h WHERE municipality = '630'", n=keep, h=head)
    assert cli("audit", "verify", "--db", url).exit_code == 0  # consistent on its own: no re-hashing was needed
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 1 and f"cut short: the checkpoint names entry e{n:06d}" in out.output


def test_deleting_a_run_with_its_events(stored: tuple[str, Path]) -> None:
    url, point = stored
    for table in ("govcore_event", "govcore_observation", "govcore_response", "govcore_deviation", "govcore_action",
                  "govcore_escalation", "govcore_deliverable", "govcore_run"):
        execute(url, f"DELETE FROM {table} WHERE municipality = '630'")
    assert "no runs stored" in cli("audit", "verify", "--db", url).output
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 1 and "the run 630 2021 is gone" in out.output


def test_rewriting_an_entry_and_re_chaining_the_whole_log(stored: tuple[str, Path]) -> None:
    url, point = stored
    database = open_database(url)
    try:
        def rewrite(conn: sa.Connection) -> None:
            rows = [dict(r._mapping) for r in conn.execute(sa.text(
                "SELECT * FROM govcore_event WHERE municipality = '630' ORDER BY seq"))]
            prev = chain.genesis("630", dt.date(2021, 1, 1))
            for r in rows:
                if r["seq"] == 5:
                    r["details"] = json.dumps({**json.loads(r["details"]), "title": "forged"})
                h = chain.link(prev, chain.row_json(r))
                conn.execute(sa.text("UPDATE govcore_event SET details = :d, prev_hash = :p, hash = :h "
                                     "WHERE municipality = '630' AND seq = :s"),
                             {"d": r["details"], "p": prev, "h": h, "s": r["seq"]})
                prev = h
            conn.execute(sa.text("UPDATE govcore_run SET head_hash = :h WHERE municipality = '630'"), {"h": prev})

        database.write(rewrite)
    finally:
        database.close()
    assert cli("audit", "verify", "--db", url).exit_code == 0  # a full re-chaining is consistent on its own
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 1 and "was rewritten" in out.output and "re-hashed" in out.output


def test_a_changed_entry_is_caught_without_a_checkpoint(stored: tuple[str, Path]) -> None:
    url, _ = stored
    execute(url, "UPDATE govcore_event SET type = 'forged' WHERE municipality = '630' AND seq = 4")
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1 and "entry e000004 was changed" in out.output


def test_a_checkpoint_file_without_checkpoint_lines_is_an_error(stored: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = stored
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(empty))
    assert out.exit_code == 2 and "no `govcore-checkpoint` line found" in out.output
