"""The store cuts an event's link JSON and details JSON from the engine's canonical line
(`chain.event_texts`) instead of encoding them again: the texts must equal the ones encoded
field by field, for any field values (quotes, commas, text that looks like a field, non-ASCII,
missing fields), in both log formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.engine import EngineEvent
from govcore.store import chain

TRICKY = st.sampled_from(['","owner":"x', '"}', ',"item":1', "æøå", "\\", "\n", '"id":"e000001"', ""])
TEXT = st.one_of(st.none(), st.text(max_size=12), TRICKY)
VALUE: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


def slow(ev: EngineEvent, item: int, version: int) -> tuple[str, str]:
    d = ev.to_dict()
    return chain.dict_json(d, item, version), chain.canonical_json(d["details"])


def slow_rows(events: list[EngineEvent], item: int, version: int, head: str) -> list[tuple[Any, ...]]:
    """The stored rows of one item's events, every text encoded from the fields."""
    out = []
    for ev in events:
        linked, details = slow(ev, item, version)
        h = chain.link(head, linked)
        out.append(("630", "2021-01-01", ev.seq, item, ev.at.isoformat(), ev.type, ev.rule, ev.goal, ev.owner,
                    ev.subject, ev.subject_kind, details, head, h))
        head = h
    return out


def check_rows(events: list[EngineEvent], item: int, version: int) -> None:
    """`chain.add_rows` gives the rows encoded field by field, and the head of the last."""
    head = chain.genesis("630", dt.date(2021, 1, 1), version)
    rows: list[tuple[Any, ...]] = []
    fresh = [EngineEvent(*ev) for ev in events]  # without a kept line
    last = chain.add_rows(rows, "630", "2021-01-01", item, fresh, head, version)
    expected = slow_rows(events, item, version, head)
    assert rows == expected
    assert last == (expected[-1][-1] if expected else head)


@settings(max_examples=200, deadline=None)
@given(seq=st.integers(1, 10**7), minute=st.integers(0, 10**6), type_=st.text(min_size=1, max_size=10),
       rule=TEXT, goal=TEXT, owner=TEXT, subject=TEXT, kind=TEXT,
       details=st.dictionaries(st.one_of(st.text(max_size=8), TRICKY), VALUE, max_size=5),
       item=st.integers(0, 10**6), version=st.sampled_from([1, 2]))
def test_cut_texts_equal_the_encoded_ones(seq: int, minute: int, type_: str, rule: str | None, goal: str | None,
                                          owner: str | None, subject: str | None, kind: str | None,
                                          details: dict[str, Any], item: int, version: int) -> None:
    at = dt.datetime(2021, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))) + dt.timedelta(minutes=minute)
    ev = EngineEvent(seq, at, type_, rule, goal, owner, subject, kind, details)
    assert chain.event_texts(ev, item, version) == slow(ev, item, version)
    assert chain.event_json(ev, item, version) == slow(ev, item, version)[0]
    check_rows([ev, EngineEvent(seq + 1, at, type_, None, None, None, None, None, {})], item, version)


def test_the_cut_is_taken_for_the_engines_events() -> None:
    """The fast path is the one used (the engine's line holds the chain's fields), and a run's real
    events give the texts encoded field by field."""
    from govcore.config import load_config
    from govcore.simulate import simulate

    assert chain._SAME_FIELDS
    result = simulate(load_config(Path(__file__).resolve().parent.parent / "examples" / "vejle"), year=2021)
    assert len(result.events) > 500
    for i, ev in enumerate(result.events):
        assert chain.event_texts(ev, i) == slow(ev, i, chain.CHAIN_VERSION)
    check_rows(result.events, 7, chain.CHAIN_VERSION)
    check_rows(result.events[:50], 7, 1)


def test_a_line_made_for_a_row_is_kept_on_the_event() -> None:
    """`chain.kept_line` keeps the line where `EngineEvent.json_line` keeps it, so the digests and
    events.jsonl of a stored run read it instead of encoding the event again."""
    from govcore.engine import event_line
    from govcore.simulate import _line

    at = dt.datetime(2021, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ev = EngineEvent(3, at, "flag", "r", "g", "o", "s", "kpi", {"æ": [1, 2.5, None]})
    line = chain.kept_line(ev)
    assert line == event_line(ev) == EngineEvent(*ev).json_line
    assert vars(ev)["json_line"] is line and _line(ev) is line and ev.json_line is line
    assert chain.kept_line(ev) is line


@settings(max_examples=100, deadline=None)
@given(goal=st.one_of(TEXT, VALUE), owner=st.one_of(TEXT, VALUE), subject=st.one_of(TEXT, VALUE),
       details=st.dictionaries(st.sampled_from(["goal", "owner", "id", "x"]), VALUE, max_size=4),
       item=st.integers(0, 10**6), version=st.sampled_from([1, 2]))
def test_fields_that_are_not_texts_are_encoded_not_cut(goal: Any, owner: Any, subject: Any, details: dict[str, Any],
                                                       item: int, version: int) -> None:
    """The cut looks for the last `,"goal":` and the `,"owner":` after it. A field after the
    details that is a list or an object may hold such keys itself (`{"a":1,"owner":2}`), so the
    line is then encoded field by field: the texts stay the encoded ones."""
    at = dt.datetime(2021, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ev = EngineEvent(7, at, "observation", "r", goal, owner, subject, "kpi", details)
    assert chain.event_texts(ev, item, version) == slow(ev, item, version)
    check_rows([ev], item, version)


def test_a_nested_goal_or_owner_key_is_not_taken_for_the_events_own() -> None:
    at = dt.datetime(2021, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for ev in (EngineEvent(1, at, "t", None, "g", "o", {"a": 1, "owner": 2, "goal": 3}, "k", {"goal": {"b": 1}}),
               EngineEvent(2, at, "t", None, None, None, None, None, {"x": {"c": 1, "goal": 2, "owner": [1]}}),
               EngineEvent(3, at, "t", "r", ',"goal":', ',"owner":', '{"a":1,"owner":2}', "[", {"k": ',"goal":1'})):
        for version in (1, 2):
            assert chain.event_texts(ev, 5, version) == slow(ev, 5, version)
            check_rows([ev], 5, version)
