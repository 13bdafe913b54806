"""The text durable-rules receives for a message (`RuleRuntime.payload`) is made by one C encoder
kept between messages and a `clean` that passes texts, ints and true/false straight through: it
must be the very text `json.JSONEncoder(ensure_ascii=False).encode` gives of the message cleaned
value by value, on every message the examples post and on hostile values."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from govcore._durable import clean
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.errors import GovcoreError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def reference_clean(message: Mapping[str, Any]) -> dict[str, Any]:
    """`clean` as it was written first: every value checked in turn."""
    out: dict[str, Any] = {}
    for key, value in message.items():
        if value is None:
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                continue
            value = round(value, 6)
            if "e" in repr(value):
                value = 0.0 if abs(value) < 1 else int(value)
        elif not isinstance(value, str | int):
            raise GovcoreError("not a text, number or true/false")
        out[key] = value
    return out


def reference_payload(message: Mapping[str, Any], sid: str) -> str:
    return json.JSONEncoder(ensure_ascii=False).encode(reference_clean({**message, "sid": sid}))


class Colour(enum.StrEnum):
    red = "rød"


class Level(enum.IntEnum):
    high = 3


HOSTILE: list[dict[str, Any]] = [
    {"id": "1", "a": None, "b": float("nan"), "c": float("inf"), "d": -float("inf"), "e": 1e-9, "f": 1.5e17,
     "g": -2.5e-7, "h": 0.1 + 0.2, "i": -0.0, "j": 10**20, "k": True, "l": False, "m": 0},
    {"id": "2", "æøå": "Æ\u00f8\u00e5 \"citat\" \\ \n\t\u2028 \ue000 😀", "tom": "", "x\x00": "\x1f"},
    {"id": "3", "farve": Colour.red, "niveau": Level.high, "tal": 123456.789012345},
]


def test_hostile_messages_give_the_reference_text(vejle_config: Configuration) -> None:
    with Engine(vejle_config) as engine:
        runtime = engine._runtime
        assert runtime is not None
        for message in HOSTILE:
            assert runtime.payload(message) == reference_payload(message, runtime._sid)
            assert clean(message) == reference_clean(message)
            assert [type(v) for v in clean(message).values()] == [type(v) for v in reference_clean(message).values()]


def test_a_value_durable_rules_cannot_take_is_refused_as_before() -> None:
    for bad in ({"id": "1", "when": dt.date(2021, 1, 1)}, {"id": "1", "list": [1]}):
        with pytest.raises(GovcoreError):
            clean(bad)
        with pytest.raises(GovcoreError):
            reference_clean(bad)


@pytest.mark.parametrize("example", ["vejle", "hilleroed"])
def test_every_message_of_a_year_gives_the_reference_text(example: str, vejle_config: Configuration) -> None:
    cfg = vejle_config if example == "vejle" else load_config(EXAMPLES / example)
    with Engine(cfg, start=dt.date(cfg.year, 1, 1), trace=True) as engine:
        engine.run_year()
        runtime = engine._runtime
        assert runtime is not None
        sent = [dict(p.sent) for p in engine.trace or []]
        assert len(sent) >= 30
        for m in sent:
            assert runtime.payload(m) == reference_payload(m, runtime._sid)
            assert runtime.payload(m) == json.JSONEncoder(ensure_ascii=False).encode(clean({**m, "sid": runtime._sid}))
