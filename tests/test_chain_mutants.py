"""What `audit verify` tells an auditor about a tampered log, entry by entry: found by mutation
testing of `govcore/store/chain.py` (docs/testing.md, "Mutation testing"). tests/test_chain_rows_verify.py
pins that the quick check and the parsing check agree; these pin what the report says — which
entry, what happened to it, where the chain's head stands — on small hand-made logs in both log
formats, and that a log written by an earlier govcore keeps verifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from govcore.engine import EngineEvent
from govcore.store import chain

START = dt.date(2021, 1, 1)
AT = dt.datetime(2021, 3, 1, 9, 0)


def events() -> list[EngineEvent]:
    return [
        EngineEvent(1, AT, "observation", details={"kpi": "ledighed", "value": 4.5}),
        EngineEvent(2, AT, "deviation", rule="r1", goal="g1", owner="team", subject="g1", subject_kind="goal",
                    details={"gap": 0.5, "text": "æ \"citat\""}),
        EngineEvent(3, AT + dt.timedelta(hours=1), "action_demanded", rule="r2", goal="g1", owner="team",
                    subject="act-0001", subject_kind="action", details={"due": "2021-03-15"}),
        EngineEvent(4, AT + dt.timedelta(days=1), "followup", goal="g1", owner="center", details={}),
        EngineEvent(5, AT + dt.timedelta(days=2), "observation", details={"kpi": "ledighed", "value": 4.0}),
    ]


def log(version: int = 2) -> tuple[list[dict[str, Any]], str]:
    """The rows `add_rows` writes for the events (items 1, 1, 2, 2, 3) and the run's head hash."""
    rows: list[tuple[Any, ...]] = []
    head = chain.genesis("630", START, version)
    for item, group in ((1, events()[:2]), (2, events()[2:4]), (3, events()[4:])):
        head = chain.add_rows(rows, "630", START.isoformat(), item, group, head, version)
    return [dict(zip(chain.ROW_COLUMNS, r, strict=True)) for r in rows], head


def verify(rows: list[dict[str, Any]], events: int, head: str, version: int = 2) -> chain.ChainReport:
    return chain.verify_rows("630", START, rows, events, head, version)


def report(events: int, head: str, problem: str | None = None, bad: int | None = None) -> chain.ChainReport:
    """What `audit verify` prints a line of: the run (municipality and start), how far the check
    got and the head it reached, what is wrong and the first entry concerned."""
    return chain.ChainReport("630", "2021-01-01", events, head, problem, bad)


def rehash(rows: list[dict[str, Any]], i: int, version: int = 2) -> None:
    """What someone with the code does after changing row i: its hash made again (not the next link)."""
    rows[i]["hash"] = chain.link(rows[i]["prev_hash"], chain.row_json(rows[i], version))


@pytest.mark.parametrize("version", [1, 2])
def test_an_intact_log_verifies_with_its_count_and_head(version: int) -> None:
    rows, head = log(version)
    assert verify(rows, 5, head, version) == chain.ChainReport("630", "2021-01-01", 5, head)
    assert rows[0]["prev_hash"] == chain.genesis("630", START, version)
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 5))


def test_the_links_are_the_documented_sha256() -> None:
    """docs/persistence.md: `hash = sha256(prev_hash + "\\n" + canonical JSON)`, sorted keys, no
    spaces, UTF-8, with `item` in log format 2 — so an auditor can check a log with any sha256 tool."""
    rows, _ = log(2)
    for row, ev, item in zip(rows, events(), (1, 1, 2, 2, 3), strict=True):
        fields = {**ev.to_dict(), "item": item}
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row["hash"] == hashlib.sha256(f"{row['prev_hash']}\n{text}".encode()).hexdigest()
        assert row["details"] == json.dumps(ev.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert (row["seq"], row["item"], row["at"], row["type"]) == (ev.seq, item, ev.at.isoformat(), ev.type)


def test_the_first_link_is_bound_to_the_municipality_and_the_start(english: None) -> None:
    """The stored logs start from these values (a changed genesis would make every stored run fail
    its check): format 2 binds the start date, format 1 (govcore 0.1.0) the year."""
    assert chain.genesis("630", START) == hashlib.sha256(b"govcore event log v2 630 from 2021-01-01").hexdigest()
    assert chain.genesis("630", START, 1) == hashlib.sha256(b"govcore event log 630 2021").hexdigest()
    rows, head = log(2)
    assert verify(rows, 5, head).problem is None
    other = dt.date(2021, 2, 1)
    assert chain.verify_rows("630", other, rows, 5, head) == chain.ChainReport(
        "630", "2021-02-01", 1, chain.genesis("630", other),
        "entry e000001 was changed (it does not start this run's chain)", 1)
    assert chain.verify_rows("157", START, rows, 5, head).first_bad_seq == 1


def test_a_changed_entry_is_named(english: None) -> None:
    rows, head = log()
    rows[2]["owner"] = "center"
    assert verify(rows, 5, head) == report(3, rows[1]["hash"],
                                           "entry e000003 was changed (its content no longer matches its hash)", 3)


def test_an_entry_moved_to_another_item_is_changed(english: None) -> None:
    rows, head = log(2)
    rows[1]["item"] = 2
    assert verify(rows, 5, head).problem == "entry e000002 was changed (its content no longer matches its hash)"
    rows1, head1 = log(1)  # format 1 does not cover the item
    rows1[1]["item"] = 2
    assert verify(rows1, 5, head1, 1).problem is None


def test_a_changed_and_rehashed_entry_is_caught_at_the_next_link(english: None) -> None:
    rows, head = log()
    rows[1]["details"] = rows[1]["details"].replace("0.5", "0.0")
    rehash(rows, 1)
    assert verify(rows, 5, head) == report(
        3, rows[1]["hash"], "entry e000002 was changed and its hash recomputed (e000003 no longer links to it)", 2)


def test_details_that_are_no_json_are_named(english: None) -> None:
    rows, head = log()
    rows[3]["details"] = "{not json"
    assert verify(rows, 5, head) == report(4, rows[2]["hash"], "entry e000004 was changed (its details are not "
                                           "valid JSON)", 4)


@pytest.mark.parametrize("version", [1, 2])
def test_details_written_as_other_json_of_the_same_content_still_verify(version: int) -> None:
    rows, head = log(version)
    rows[1]["details"] = json.dumps(dict(reversed(json.loads(rows[1]["details"]).items())), indent=1)
    assert verify(rows, 5, head, version) == report(5, head)


@pytest.mark.parametrize(("gone", "problem", "bad"), [
    ([2], "entry e000003 was removed (e000002 is followed by e000004)", 3),
    ([1, 2], "entry e000002…e000003 was removed (e000001 is followed by e000004)", 2),
    ([0], "entry e000001 was removed (e000000 is followed by e000002)", 1),
])
def test_removed_entries_are_named(english: None, gone: list[int], problem: str, bad: int) -> None:
    rows, head = log()
    kept = [r for i, r in enumerate(rows) if i not in gone]
    before = rows[gone[0] - 1]["hash"] if gone[0] else chain.genesis("630", START)
    assert verify(kept, 5, head) == report(gone[0] + 1, before, problem, bad)  # counted up to the entry after the gap


@pytest.mark.parametrize(("keep", "problem"), [
    (4, "entry e000005 was removed (the run records 5 events, 4 remain)"),
    (3, "entry e000004…e000005 was removed (the run records 5 events, 3 remain)"),
    (2, "entry e000003…e000005 was removed (the run records 5 events, 2 remain)"),
])
def test_entries_cut_off_at_the_end_are_named(english: None, keep: int, problem: str) -> None:
    rows, head = log()
    assert verify(rows[:keep], 5, head) == report(keep, rows[keep - 1]["hash"], problem, keep + 1)


def test_a_run_row_whose_head_does_not_match_the_log(english: None) -> None:
    rows, head = log()
    mismatch = "the run's record of its last entry ({}, head hash {}) does not match the log ({}, {})"
    assert verify(rows, 5, "0" * 64) == report(5, head, mismatch.format("e000005", "0" * 12, "e000005", head[:12]), 5)
    more = verify(rows[:3], 2, rows[2]["hash"])  # an entry added beyond the run's record
    assert more.problem == (f"the run's record of its last entry (e000002, head hash {rows[2]['hash'][:12]}) does not "
                            f"match the log (e000003, {rows[2]['hash'][:12]})")
    assert more.first_bad_seq == 2
    empty = verify([], 1, head)
    assert empty.problem == "entry e000001 was removed (the run records 1 events, 0 remain)"
    assert verify([], 0, chain.genesis("630", START)).problem is None
    start = chain.genesis("630", START)
    assert verify([], 0, "0" * 64) == report(0, start, mismatch.format("e000000", "0" * 12, "e000000", start[:12]), 1)


def test_the_rule_versions_are_read_from_the_entries_that_name_a_rule() -> None:
    rows, _ = log()
    assert list(chain.rule_details(rows)) == [("r1", {"gap": 0.5, "text": "æ \"citat\""}),
                                               ("r2", {"due": "2021-03-15"})]
    for bad in ("{not json", "[1, 2]", None):
        broken = [dict(r) for r in rows]
        broken[2]["details"] = bad
        with pytest.raises(chain.UnreadableDetails) as err:
            list(chain.rule_details(broken))
        assert err.value.seq == 3


def test_unreadable_details_name_the_entry(english: None) -> None:
    assert str(chain.UnreadableDetails(7)) == "entry e000007 was changed (its details are not valid JSON)"


def test_observation_rows_go_short_when_asked() -> None:
    """The rows of an arriving observation (no rule, goal, owner, subject) without those five
    columns, for a store that inserts them so; the others as full rows; the chain runs through both."""
    rows: list[tuple[Any, ...]] = []
    short: list[tuple[Any, ...]] = []
    head = chain.add_rows(rows, "630", "2021-01-01", 1, events(), chain.genesis("630", START), short=short)
    assert [r[2] for r in short] == [1, 5] and [r[2] for r in rows] == [2, 3, 4]
    full: list[tuple[Any, ...]] = []
    assert head == chain.add_rows(full, "630", "2021-01-01", 1, events(), chain.genesis("630", START))
    by_seq = {r[2]: dict(zip(chain.ROW_COLUMNS, r, strict=True)) for r in full}
    for r in short:
        assert by_seq[r[2]]["rule"] is by_seq[r[2]]["owner"] is None
        assert dict(zip(chain.SHORT_COLUMNS, r, strict=True)) == {k: by_seq[r[2]][k] for k in chain.SHORT_COLUMNS}
    assert rows == [t for t in full if t[2] in (2, 3, 4)]


def test_a_replayed_v1_entry_with_only_the_added_wheel_fields_is_the_same_decision() -> None:
    ev = EngineEvent(4, AT, "followup", goal="g1", owner="center", details={"period": "Q1", "covers": "Q1"})
    row = {"seq": 4, "at": AT.isoformat(), "type": "followup", "rule": None, "goal": "g1", "owner": "center",
           "subject": None, "subject_kind": None, "details": json.dumps({"period": "Q1"})}
    assert chain.same_decision_v1(row, ev)
    assert not chain.same_decision_v1({**row, "details": json.dumps({"period": "Q2"})}, ev)
    assert not chain.same_decision_v1({**row, "owner": "team"}, ev)
    assert not chain.same_decision_v1({**row, "seq": 5}, ev)
    assert not chain.same_decision_v1(row, ev._replace(details={"period": "Q1", "new": 1}))
    assert not chain.same_decision_v1({**row, "type": "deviation"}, ev._replace(type="deviation"))


def test_numbers_read_back_as_texts_are_checked_not_crashed_on() -> None:
    """A store or an export may hand the numbers back as texts: the entry is then checked from
    its parsed columns, with the same verdict (not a formatting error)."""
    rows, head = log()
    rows[2]["seq"] = "3"
    rows[3]["item"] = "2"
    assert verify(rows, 5, head).problem is None
