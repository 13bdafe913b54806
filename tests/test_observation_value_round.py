"""An arriving observation's event carries its value rounded to six places, as `round(value, 6)`
gives it, bit for bit: `Engine._observed` calls `round` only where it can change the value
(perf-obs8). Checked on hostile values fed to an engine: decimals with up to fifteen places and
their neighbours a few units in the last place away, doubles of every magnitude and sign, zeros,
subnormals, the largest doubles, whole numbers, ints and bools."""

from __future__ import annotations

import datetime as dt
import math
import random
import struct
from pathlib import Path

from govcore.config import Configuration
from govcore.engine import Engine
from govcore.model import ObservationRow

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


def _values() -> list[float]:
    rng = random.Random(20261129)
    out = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-7, 5e-7, 4.9999999e-7, 1.5e-6, 0.1 + 2e-17,
           123456.1234565, 2.0000004999, 0.0000005, 0.0000015, 1e308, -1.7976931348623157e308, 4e9, 2.0**32,
           2.0**33 + 2.0**-19, 2.0**53, 2.0**53 + 2, 9.007199254740993e15, 4e15, 1e16 + 2, 1443.0, 83.1, 3.08,
           -8054.7699999999995, 613116097.2087001, 224069.93786499999, -5840.7150599999995, -2844448044.6019998]
    for _ in range(6000):  # decimals and their neighbours: where `value * 1e6` is (nearly) whole
        v = rng.randint(-10 ** rng.randint(1, 16), 10 ** rng.randint(1, 16)) / 10 ** rng.randint(0, 12)
        for _ in range(rng.randint(0, 3)):
            v = math.nextafter(v, math.inf if rng.random() < 0.5 else -math.inf)
        out.append(v)
    while len(out) < 9000:  # any finite double
        v = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(v):
            out.append(v)
    out += [rng.uniform(-1e4, 1e4) for _ in range(1000)]
    return out


def _bits(v: object) -> tuple[str, object]:
    return (type(v).__name__, struct.pack("<d", v) if type(v) is float else v)


def test_an_observation_events_value_is_round_6_bit_for_bit(vejle_config: Configuration) -> None:
    cfg = vejle_config
    kpi = sorted(cfg.kpis)[0]
    values: list[object] = [*_values(), 3, -7, 10**20, True]
    day = dt.date(2021, 3, 2)
    rows = [ObservationRow(kpi, f"20{i % 90 + 10:02d}-{i % 12 + 1:02d}", v, f"s{i}", None, "test", day)  # type: ignore[arg-type]
            for i, v in enumerate(values)]
    with Engine(cfg, start=dt.date(2021, 3, 1)) as e:
        e.observe(rows)
        e.advance_to(day)
        got = {ev.details["series"]: ev.details["value"] for ev in e.events if ev.type == "observation"
               and ev.details["source"] == "test"}
    assert len(got) == len(values)
    wrong = [(v, got[f"s{i}"]) for i, v in enumerate(values)
             if _bits(got[f"s{i}"]) != _bits(round(v, 6) if type(v) is float else v)]
    assert wrong == []


def test_the_values_are_hostile() -> None:
    """Many of them change when rounded, many do not, and many have a whole `value * 1e6` that
    does not give them back (where skipping `round` on that alone would be wrong)."""
    vs = _values()
    changed = sum(round(v, 6) != v for v in vs)
    whole_not_back = sum((v * 1e6).is_integer() and (v * 1e6) / 1e6 != v and round(v, 6) != v for v in vs)
    assert changed > 3000 and len(vs) - changed > 3000 and whole_not_back > 20
