"""A log re-chained outside govcore whose rule event's details are no JSON: `verify_rows` does not
parse a row that matches its hash, so what reads the rule versions names the entry — `audit
verify` reports it instead of failing with a bare decoding error; a resume refuses the log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_audit_tamper import stored  # noqa: F401  (the fixture)
from test_store import cli, small

from govcore.store import chain
from govcore.store.db import open_database
from govcore.store.run import RunError, tick


def _rechain_with_broken_details(url: str, *, ruled: bool = True) -> int:
    """Replace the details of an event (one naming a rule, or with `ruled=False` one naming none)
    with text that is no JSON and recompute every hash after it, as someone with write access and
    the code could; returns the entry's seq."""
    database = open_database(url)
    try:
        def rewrite(conn: sa.Connection) -> int:
            rows = [dict(r._mapping) for r in conn.execute(sa.text(
                "SELECT * FROM govcore_event WHERE municipality = '630' ORDER BY seq"))]
            bad = next(r["seq"] for r in rows if bool(r["rule"]) == ruled)
            prev = chain.genesis("630", dt.date(2021, 1, 1))
            for r in rows:
                if r["seq"] == bad:
                    r["details"] = '{"rule_hash": forged'
                text = chain._written_text(r, chain.CHAIN_VERSION)
                assert text is not None
                h = chain.link(prev, text)
                conn.execute(sa.text("UPDATE govcore_event SET details = :d, prev_hash = :p, hash = :h "
                                     "WHERE municipality = '630' AND seq = :s"),
                             {"d": r["details"], "p": prev, "h": h, "s": r["seq"]})
                prev = h
            conn.execute(sa.text("UPDATE govcore_run SET head_hash = :h WHERE municipality = '630'"), {"h": prev})
            return int(bad)

        return database.write(rewrite)
    finally:
        database.close()


def test_audit_verify_names_the_entry_whose_details_are_no_json(stored: tuple[str, Path],  # noqa: F811
                                                                  english: None) -> None:
    url, _ = stored
    seq = _rechain_with_broken_details(url)
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1, out.output
    assert f"entry e{seq:06d} was changed (its details are not valid JSON)" in out.output
    assert "internal error" not in out.output


def test_a_resume_refuses_a_log_whose_details_are_no_json(stored: tuple[str, Path], tmp_path: Path,  # noqa: F811
                                                           english: None) -> None:
    url, _ = stored
    seq = _rechain_with_broken_details(url)
    with pytest.raises(RunError, match=rf"e{seq:06d}.*cannot be resumed"):  # the replay finds it first
        tick(small(tmp_path / "c"), url, now=dt.date(2021, 10, 30))


@pytest.mark.parametrize("ruled", [True, False], ids=["rule-event", "other-event"])
def test_explain_names_the_entry_whose_details_are_no_json(stored: tuple[str, Path], english: None,  # noqa: F811
                                                           ruled: bool) -> None:
    """`explain` reads the details of the event and of every later one: refused, the entry named."""
    url, _ = stored
    seq = _rechain_with_broken_details(url, ruled=ruled)
    out = cli("explain", f"630/2021/e{max(1, seq - 1):06d}", "--db", url)
    assert out.exit_code == 2, out.output  # as every question the log cannot answer (no such event, …)
    assert f"cannot be explained: entry e{seq:06d} was changed (its details are not valid JSON); see " \
           "`govcore audit verify`" in out.output
    assert "internal error" not in out.output
