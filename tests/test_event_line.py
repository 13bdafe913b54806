"""An event's canonical line is made without `json.dumps` (`engine.event_line`), and must be the
text `json.dumps` gives, byte for byte: on every event of the examples, and on values chosen to
break a hand-made encoder (NaN, infinities, big numbers, every kind of character, keys that are not
texts, fields of the wrong type)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import math
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.config import load_config
from govcore.engine import Engine, EngineEvent, event_line

ROOT = Path(__file__).resolve().parent.parent
simulate_module = importlib.import_module("govcore.simulate")
AT = dt.datetime(2021, 3, 4, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
OBSERVATION = {"kpi": "ledighed", "period": "2021-01", "value": 4.25, "series": "", "municipality": "630",
               "source": "jobindsats"}


def dumps(ev: EngineEvent) -> str:
    return json.dumps(ev.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def same(ev: EngineEvent) -> None:
    """event_line gives json.dumps's text, or fails with the same kind of error."""
    try:
        expected = dumps(ev)
    except (TypeError, ValueError) as err:
        with pytest.raises(type(err)):
            event_line(ev)
        return
    assert event_line(ev) == expected
    assert ev.json_line == expected


@pytest.mark.parametrize(("config", "first", "last", "types"), [
    ("vejle", dt.date(2015, 1, 1), dt.date(2024, 12, 31),
     {"observation", "deviation_flagged", "escalated", "configuration_changed"}),
    ("hilleroed", dt.date(2019, 1, 1), dt.date(2023, 12, 31), {"year_started", "followup"}),
])
def test_every_event_of_the_examples_is_the_json_dumps_line(config: str, first: dt.date, last: dt.date,
                                                           types: set[str]) -> None:
    with Engine(load_config(ROOT / "examples" / config), start=first) as engine:
        engine.advance_to(last)
        events = engine.events
    assert {e.type for e in events} >= types
    for ev in events:
        assert event_line(ev) == dumps(ev), ev


HOSTILE_VALUES: list[Any] = [
    math.nan, math.inf, -math.inf, 0.0, -0.0, 1e16, 1e-7, 123456789.123456789, 2.5e-308, 1.7976931348623157e308,
    10**30, -(10**19), 2**63, 0, True, False, None, "", "æøå ÆØÅ", "emoji 🏛️", "\x00\x01\x1f\x7f\x80\x9f",
    'quote " and \\ backslash', "\u2028\u2029", "\ud800 lone surrogate", "tab\tnew\nline\r",
    [1, "to", None, [math.nan]], {"b": 1, "a": {"y": [], "x": {}}}, (1, 2), {1: "int key", "1": "text"},
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_hostile_values_in_the_details_and_in_an_observation(value: Any) -> None:
    same(EngineEvent(7, AT, "deviation_opened", "r1", "g1", "chef", "g1", "goal", {"x": value, "é": [value]}))
    same(EngineEvent(8, AT, "observation", details={**OBSERVATION, "value": value}))
    for key in ("kpi", "period", "series", "municipality", "source"):
        same(EngineEvent(9, AT, "observation", details={**OBSERVATION, key: value}))


@pytest.mark.parametrize("value", [v for v in HOSTILE_VALUES if isinstance(v, str) or v is None] + [3, 2.5, True],
                         ids=repr)
@pytest.mark.parametrize("field", ["type", "rule", "goal", "owner", "subject", "subject_kind"])
def test_hostile_values_in_the_envelope(field: str, value: Any) -> None:
    fields: dict[str, Any] = {"seq": 12, "at": AT, "type": "escalated", "rule": "r", "goal": "g", "owner": "o",
                              "subject": "s", "subject_kind": "goal", "details": {"n": 1}}
    fields[field] = value
    same(EngineEvent(**fields))


@pytest.mark.parametrize("seq", [0, 1, 7, 99999, 999999, 1000000, 10**20, -5, -99999, -100000, -1234567, True])
def test_sequence_numbers(seq: int) -> None:
    """The id pads the number to six digits, the sign first, as `:06d` does; the number as it is."""
    same(EngineEvent(seq, AT, "observation", details=OBSERVATION))
    same(EngineEvent(seq, AT, "escalated", "r", "g", details={"n": 1}))


@pytest.mark.parametrize("at", [AT, AT.replace(microsecond=123), dt.datetime(2021, 3, 4, 9, 0),
                                dt.datetime(2021, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=-3, seconds=7))),
                                dt.date(2021, 3, 4)], ids=repr)
def test_times(at: Any) -> None:
    same(EngineEvent(3, at, "observation", details=OBSERVATION))


class Text(str):
    pass


def test_details_of_other_kinds_and_what_json_cannot_encode() -> None:
    same(EngineEvent(1, AT, "observation", details=MappingProxyType(dict(OBSERVATION))))
    same(EngineEvent(1, AT, "observation", details={**OBSERVATION, "extra": 1}))
    same(EngineEvent(1, AT, "observation", details={k: v for k, v in OBSERVATION.items() if k != "series"}))
    same(EngineEvent(1, AT, "observation", details={**OBSERVATION, "kpi": Text("sub\"class")}))
    same(EngineEvent(1, AT, "x", details={"set": {1, 2}}))  # TypeError on both sides
    same(EngineEvent(1, AT, "x", details={1: "a", "b": 2}))  # keys that do not sort: TypeError on both
    same(EngineEvent(1, AT, "x", details={"big": 10**5000}))  # ValueError (digits limit) on both
    same(EngineEvent(1, AT, "x"))  # the default details


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
maybe_text = st.none() | st.text(max_size=12)


@settings(max_examples=300, deadline=None)
@given(seq=st.integers(min_value=0, max_value=10**7), kind=st.text(max_size=12), rule=maybe_text, goal=maybe_text,
       owner=maybe_text, subject=maybe_text, subject_kind=maybe_text,
       details=st.dictionaries(st.text(max_size=8), json_values, max_size=6),
       observation=st.fixed_dictionaries({k: st.text(max_size=10) for k in ("kpi", "period", "series",
                                                                              "municipality", "source")}),
       value=st.floats() | st.integers() | st.none())
def test_random_events(seq: int, kind: str, rule: str | None, goal: str | None, owner: str | None,
                       subject: str | None, subject_kind: str | None, details: dict[str, Any],
                       observation: dict[str, str], value: Any) -> None:
    same(EngineEvent(seq, AT, kind, rule, goal, owner, subject, subject_kind, details))
    same(EngineEvent(seq, AT, "observation", details={**observation, "value": value}))


def test_the_digest_hashes_the_lines_in_chunks_as_one_stream() -> None:
    """events_digest hashes chunks of lines: the same sha256 as the whole events.jsonl, and every
    extra hash receives the same bytes, across chunk boundaries."""
    chunk = simulate_module._DIGEST_CHUNK
    events = [EngineEvent(i + 1, AT, "observation", details={**OBSERVATION, "value": i / 7})
              for i in range(2 * chunk + 3)]
    for count in (0, 1, chunk - 1, chunk, chunk + 1, len(events)):
        stream = "".join(ev.json_line + "\n" for ev in events[:count]).encode()
        span, other = hashlib.sha256(b"before"), hashlib.sha256()
        assert simulate_module.events_digest(events[:count], span, other) == hashlib.sha256(stream).hexdigest()
        assert other.hexdigest() == hashlib.sha256(stream).hexdigest()
        assert span.hexdigest() == hashlib.sha256(b"before" + stream).hexdigest()


@pytest.mark.parametrize("field", ["rule", "goal", "owner", "subject", "subject_kind"])
@pytest.mark.parametrize("value", ["x", "", 'quote "'])
def test_an_observation_with_envelope_fields_is_not_made_from_the_template(field: str, value: str) -> None:
    """An arriving observation's whole line comes from one template that writes null for every
    envelope field: an event typed observation with one of them set is encoded field by field."""
    same(EngineEvent(5, AT, "observation", details=OBSERVATION, **{field: value}))
    same(EngineEvent(6, AT, "observation", details={**OBSERVATION, "value": 3}, **{field: value}))
