"""Tamper cases for the decision log, one test each: what `audit verify` catches from the
database alone, and what it catches only against an external checkpoint (`govcore audit
checkpoint`, kept outside the database) — a run deleted, a log cut short with the run row
adjusted, a log rewritten and re-hashed to the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_store import cli, execute, small

from govcore.model import Observation
from govcore.store import chain, facts
from govcore.store.db import open_database
from govcore.store.run import RunError, observe, tick


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


def _reseal(url: str) -> None:
    """What an attacker with the code can do: recompute the run's record of its facts."""
    database = open_database(url)
    try:
        def work(conn: sa.Connection) -> None:
            run = conn.execute(sa.text("SELECT start, fingerprint FROM govcore_run WHERE municipality = '630'")).one()
            rows = conn.execute(sa.text("SELECT rule, details FROM govcore_event WHERE municipality = '630'")).all()
            refs = facts.rule_refs((r.rule, json.loads(r.details)) for r in rows)
            sealed = facts.summarize(facts.load(conn, "630", run.start, run.fingerprint), refs)
            conn.execute(sa.text("UPDATE govcore_run SET facts = :f WHERE municipality = '630'"), {"f": sealed})

        database.write(work)
    finally:
        database.close()


def test_an_untouched_log_verifies_against_its_checkpoint(stored: tuple[str, Path], english: None) -> None:
    url, point = stored
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 0 and "holds the checkpoint's entry" in out.output


def test_removing_the_last_events_and_adjusting_the_run_row(stored: tuple[str, Path], english: None) -> None:
    url, point = stored
    n = _events(url)
    keep = n - 3
    head = str(_scalar(url, f"SELECT hash FROM govcore_event WHERE municipality = '630' AND seq = {keep}"))
    execute(url, f"DELETE FROM govcore_event WHERE municipality = '630' AND seq > {keep}")
    execute(url, "UPDATE govcore_run SET events = :n, head_hash = :h WHERE municipality = '630'", n=keep, h=head)
    # The run's record of its facts names the rule versions of the removed events: caught.
    plain = cli("audit", "verify", "--db", url)
    assert plain.exit_code == 1 and "rows of govcore_rule were changed outside govcore" in plain.output, plain.output
    # Recomputing that record too makes the database consistent on its own again; the checkpoint
    # kept elsewhere still catches it.
    _reseal(url)
    assert cli("audit", "verify", "--db", url).exit_code == 0
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 1 and f"cut short: the checkpoint names entry e{n:06d}" in out.output


def test_deleting_a_run_with_its_events(stored: tuple[str, Path], english: None) -> None:
    url, point = stored
    for table in ("govcore_notification", "govcore_event", "govcore_observation", "govcore_response",
                  "govcore_deviation", "govcore_action", "govcore_escalation", "govcore_deliverable", "govcore_run"):
        execute(url, f"DELETE FROM {table} WHERE municipality = '630'")
    assert "no runs stored" in cli("audit", "verify", "--db", url).output
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(point))
    assert out.exit_code == 1 and "the run 630 2021 is gone" in out.output


def test_rewriting_an_entry_and_re_chaining_the_whole_log(stored: tuple[str, Path], english: None) -> None:
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


def test_a_changed_entry_is_caught_without_a_checkpoint(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    execute(url, "UPDATE govcore_event SET type = 'forged' WHERE municipality = '630' AND seq = 4")
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1 and "entry e000004 was changed" in out.output


def test_a_checkpoint_file_without_checkpoint_lines_is_an_error(stored: tuple[str, Path], tmp_path: Path,
                                                                english: None) -> None:
    url, _ = stored
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    out = cli("audit", "verify", "--db", url, "--checkpoint", str(empty))
    assert out.exit_code == 2 and "no `govcore-checkpoint` line found" in out.output


def _verify_names(url: str, table: str) -> None:
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1 and f"rows of {table} were changed outside govcore" in out.output, out.output


def test_editing_a_stored_rule_version(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    rule = str(_scalar(url, "SELECT rule FROM govcore_event WHERE municipality = '630' AND rule IS NOT NULL "
                            "ORDER BY seq LIMIT 1"))
    assert execute(url, "UPDATE govcore_rule SET conditions = '[]' WHERE municipality = '630' AND rule_id = :r",
                   r=rule) >= 1
    _verify_names(url, "govcore_rule")


def test_editing_a_deviation(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    assert execute(url, "UPDATE govcore_deviation SET state = 'closed' WHERE municipality = '630'") >= 1
    _verify_names(url, "govcore_deviation")


def test_editing_a_corrective_action(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    assert execute(url, "UPDATE govcore_action SET due = '2021-12-31T00:00:00+01:00' WHERE municipality = '630'") >= 1
    _verify_names(url, "govcore_action")


def test_editing_an_escalation(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    assert execute(url, "UPDATE govcore_escalation SET to_role = 'center' WHERE municipality = '630'") >= 1
    _verify_names(url, "govcore_escalation")


def test_editing_an_observation(stored: tuple[str, Path], tmp_path: Path, english: None) -> None:
    url, _ = stored
    observe(small(tmp_path / "c"), url, [Observation(kpi="jobrate", period="2021-08", value=50, source="rettelse")])
    assert execute(url, "UPDATE govcore_observation SET value = 99 WHERE municipality = '630' AND n = 6") == 1
    _verify_names(url, "govcore_observation")


def test_moving_an_event_to_another_item(stored: tuple[str, Path], english: None) -> None:
    url, _ = stored
    assert execute(url, "UPDATE govcore_event SET item = item + 1 WHERE municipality = '630' AND seq = 3") == 1
    out = cli("audit", "verify", "--db", url)
    assert out.exit_code == 1 and "entry e000003 was changed" in out.output


def test_a_resume_refuses_edited_facts(stored: tuple[str, Path], tmp_path: Path, english: None) -> None:
    url, _ = stored
    execute(url, "UPDATE govcore_action SET state = 'accepted' WHERE municipality = '630'")
    with pytest.raises(RunError, match=r"govcore_action.*cannot be resumed"):
        tick(small(tmp_path / "c"), url, now=dt.date(2021, 10, 30))


def test_replay_re_derives_an_untouched_run(stored: tuple[str, Path], tmp_path: Path, english: None) -> None:
    url, _ = stored
    out = cli("audit", "verify", "--db", url, "--replay", str(tmp_path / "c"))
    assert out.exit_code == 0 and "REPLAYED  630 2021:" in out.output and "identical" in out.output, out.output


def test_replay_catches_an_edited_record_whose_digest_was_recomputed(stored: tuple[str, Path],
                                                                     tmp_path: Path, english: None) -> None:
    url, _ = stored
    execute(url, "UPDATE govcore_action SET title = 'forged' WHERE municipality = '630' AND id = 'act-0001'")
    _reseal(url)
    assert cli("audit", "verify", "--db", url).exit_code == 0  # consistent on its own
    out = cli("audit", "verify", "--db", url, "--replay", str(tmp_path / "c"))
    assert out.exit_code == 1 and "action act-0001: title differ from the replay" in out.output, out.output


def test_replay_catches_a_configuration_observation_rewritten_with_its_hash(stored: tuple[str, Path],
                                                                           tmp_path: Path, english: None) -> None:
    """A run stores its configuration's observations only in the configuration's files (schema
    7): rewriting one there, with the file's stored hash, gives a configuration that is not the
    run's (its fingerprint covers the parsed values). `--replay` from the database refuses it, and
    so does every reader of the run's observations."""
    url, _ = stored
    database = open_database(url)
    try:
        def rewrite(conn: sa.Connection) -> int:
            content = conn.execute(sa.text("SELECT content FROM govcore_config_file WHERE municipality = '630' "
                                           "AND path LIKE '%observations.csv'")).scalar_one()
            forged = bytes(content).replace(b"jobrate,2021-01,47,", b"jobrate,2021-01,60,")
            assert forged != bytes(content)
            return conn.execute(sa.text("UPDATE govcore_config_file SET content = :c, sha256 = :h WHERE "
                                        "municipality = '630' AND path LIKE '%observations.csv'"),
                                {"c": forged, "h": hashlib.sha256(forged).hexdigest()}).rowcount

        assert database.write(rewrite) == 1
    finally:
        database.close()
    out = cli("audit", "verify", "--db", url, "--replay")
    assert out.exit_code != 0 and "observations" in out.output, out.output
    listed = cli("observations", "--db", url)
    assert listed.exit_code == 2 and "differs: files, observations" in listed.output, listed.output


def test_replay_catches_a_log_rewritten_and_re_chained(stored: tuple[str, Path], tmp_path: Path, english: None) -> None:
    url, _ = stored
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
    assert cli("audit", "verify", "--db", url).exit_code == 0
    out = cli("audit", "verify", "--db", url, "--replay", str(tmp_path / "c"))
    assert out.exit_code == 1 and "does not reproduce its event e000005" in out.output, out.output
