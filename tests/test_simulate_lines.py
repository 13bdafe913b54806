"""`simulate(..., keep_lines=True)` keeps events.jsonl's text as its digests made it, and
`write_outputs` writes that text instead of encoding every event a second time; the digests
`simulate` makes leave its events as they were (no attribute dict per event)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import importlib
from pathlib import Path

import pytest

from govcore.config import Configuration
from govcore.engine import EngineEvent

ROOT = Path(__file__).resolve().parent.parent
simulate_module = importlib.import_module("govcore.simulate")


def lines(events: list[EngineEvent]) -> str:
    return "".join(ev.json_line + "\n" for ev in events)


@pytest.mark.parametrize(("first", "last"), [(dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
                                            (dt.date(2020, 11, 15), dt.date(2022, 2, 1))])
def test_kept_lines_are_the_events_lines_and_what_the_digests_hashed(first: dt.date, last: dt.date,
                                                                     vejle_config: Configuration) -> None:
    cfg = vejle_config
    kept = simulate_module.simulate(cfg, start=first, until=last, keep_lines=True)
    plain = simulate_module.simulate(cfg, start=first, until=last)
    assert plain.jsonl is None and all(y.jsonl is None for y in plain.years)
    assert kept.summary == plain.summary and [y.summary for y in kept.years] == [y.summary for y in plain.years]
    assert len(kept.years) == last.year - first.year + (last.year > first.year)
    assert kept.jsonl is not None and len(kept.jsonl) > 1  # several chunks
    for part in (kept, *kept.years):
        text = lines(part.events)
        assert part.events_jsonl() == text
        assert hashlib.sha256(text.encode()).hexdigest() == part.summary["events_sha256"]
    assert kept.events_jsonl() == "".join(y.events_jsonl() for y in kept.years) or not kept.years


def test_write_outputs_writes_the_kept_lines_without_encoding_again(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   vejle_config: Configuration) -> None:
    cfg = vejle_config
    kept = simulate_module.simulate(cfg, start=dt.date(2021, 1, 1), until=dt.date(2022, 12, 31), keep_lines=True)
    plain = simulate_module.simulate(cfg, start=dt.date(2021, 1, 1), until=dt.date(2022, 12, 31))
    simulate_module.write_outputs(plain, tmp_path / "plain")

    def encoded(ev: EngineEvent) -> str:
        raise AssertionError("encoded again")

    monkeypatch.setattr(simulate_module, "_line", encoded)
    simulate_module.write_outputs(kept, tmp_path / "kept")
    with pytest.raises(AssertionError, match="encoded again"):  # the check would see a second encoding
        simulate_module.write_outputs(plain, tmp_path / "again")
    for name in ("events.jsonl", "summary.json", "summary-2021.json", "summary-2022.json", "report.md"):
        assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    # UTF-8, one line per event ending in "\n", whichever way it was made
    assert (tmp_path / "plain" / "events.jsonl").read_bytes() == lines(plain.events).encode()


def test_simulate_gives_its_events_no_attribute_dict(vejle_config: Configuration) -> None:
    """Looking for a line an event keeps (`EngineEvent.json_line`) makes an empty attribute dict
    on every event; `simulate`'s own events keep none, and its digests do not look."""
    result = simulate_module.simulate(vejle_config, start=dt.date(2021, 1, 1),
                                      until=dt.date(2022, 12, 31))
    assert result.events
    for ev in result.events[::50]:
        assert [r for r in gc.get_referents(ev) if type(r) is dict and r is not ev.details] == []
    ev = result.events[0]
    assert ev.json_line  # kept on the event from now on (its attribute dict)
    assert [r for r in gc.get_referents(ev) if type(r) is dict and r is not ev.details] == [{"json_line": ev.json_line}]
