"""An arriving observation's event (`Engine._observed`, the commonest event): every event gets a
plain dict of details of its own, built from the row as `_emit` would, that its caller may change
without changing any other event or a later engine's events; the cycle collector does not track
them (a dict subclass or a shared object would cost a one-shot run more: perf-obs6); and the list's
own append, used when nothing listens, leaves no event unseen by a listener."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path
from typing import Any

import pytest

from govcore.config import Configuration, load_config
from govcore.engine import Engine, event_line
from govcore.model import ObservationRow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def vejle() -> Configuration:
    return load_config(ROOT / "examples" / "vejle")


def year(cfg: Configuration) -> list[Any]:
    with Engine(cfg, start=dt.date(2021, 1, 1)) as e:
        e.advance_to(e.calendar.local_datetime(dt.date(2021, 12, 31), 23, 59))
        return [ev for ev in e.events if ev.type == "observation"]


def built(kpi: str, period: str, value: Any, series: str, municipality: str | None, source: str) -> dict[str, Any]:
    """The details as `_observed` built them for every event before they were kept per row."""
    return {"kpi": kpi, "period": period, "value": round(value, 6) if type(value) is float else value,
            "series": series, "municipality": municipality or "", "source": source}


def test_two_engines_give_each_event_a_plain_dict_of_its_own(vejle: Configuration) -> None:
    first, second = year(vejle), year(vejle)
    assert len(first) == len(second) == 760
    for a, b in zip(first, second, strict=True):
        assert type(a.details) is dict and type(b.details) is dict
        assert a.details == b.details and list(a.details) == ["kpi", "period", "value", "series", "municipality",
                                                              "source"]
        assert a.details is not b.details
        assert not gc.is_tracked(a.details) and not gc.is_tracked(b.details)
        assert event_line(a)[event_line(a).index('"details"'):] == event_line(b)[event_line(b).index('"details"'):]


def test_a_callers_change_stays_in_its_event(vejle: Configuration) -> None:
    events = year(vejle)
    line = event_line(events[0])
    kept = dict(events[0].details)
    events[0].details["value"] = -1.5  # type: ignore[index]
    events[0].details["extra"] = "x"  # type: ignore[index]
    assert '"value":-1.5' in event_line(events[0]) and '"extra":"x"' in event_line(events[0])
    assert all("extra" not in ev.details for ev in events[1:])
    again = year(vejle)
    assert event_line(again[0]).split('"id"')[0] == line.split('"id"')[0]
    assert again[0].details == kept


HOSTILE = [(3, "a\"b\\c\n", None, "local"), (2.0000004999, "æøå – ☃", "0461", "national"),
           (1e-7, "", "0630", "rank"), (-0.0, "x", "", "local"), (1e22, "y", None, "local"),
           (True, "y", None, "local"), (0.1 + 2e-17, "\ud800", None, "local"), (123456.1234565, "z", None, "local")]


@pytest.mark.parametrize(("value", "source", "municipality", "series"), HOSTILE)
def test_details_of_rows_fed_at_run_time(vejle: Configuration, value: Any, source: str, municipality: str | None,
                                         series: str) -> None:
    kpi = sorted(vejle.kpis)[0]
    rows = [ObservationRow(kpi, "2021-01", value, series, municipality, source, dt.date(2021, 2, 3))]
    lines = []
    for _ in range(3):  # each engine of the configuration the same
        with Engine(vejle, start=dt.date(2021, 1, 1)) as e:
            e.observe(rows)
            e.advance_to(dt.date(2021, 2, 4))
            ev = next(ev for ev in e.events if ev.type == "observation" and ev.details["source"] == source)
            expected = built(kpi, "2021-01", value, series, municipality, source)
            assert ev.details == expected and list(ev.details) == list(expected)
            assert repr(ev.details["value"]) == repr(expected["value"])  # -0.0 stays -0.0, True stays True
            lines.append(event_line(ev))
            assert lines[-1] == json.dumps(ev.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert lines[0].split('"goal"')[0] == lines[1].split('"goal"')[0] == lines[2].split('"goal"')[0]


def test_a_listener_sees_every_observation_event(vejle: Configuration) -> None:
    """`_observed` appends to the event list itself only when nothing listens."""
    seen: list[Any] = []
    with Engine(vejle, start=dt.date(2021, 1, 1), on_event=seen.append) as e:
        e.advance_to(e.calendar.local_datetime(dt.date(2021, 12, 31), 23, 59))
        assert seen == e.events
        assert sum(ev.type == "observation" for ev in seen) == 760
