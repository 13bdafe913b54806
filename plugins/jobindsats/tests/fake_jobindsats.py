"""A fake Jobindsats v2 (and Statbank) for tests: answers shaped like the real APIs', figures chosen
by the test. Used with respx, so no request ever leaves the machine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import respx

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "jobindsats"
V2 = "https://api.jobindsats.dk/v2"
STATBANK = "https://api.statbank.dk/v1"
MONTHS = ["2024M01", "2024M02", "2024M03"]
QMAT = ["2023QMAT04", "2024QMAT02"]


def copy_example(dest: Path, *, statbank: bool = True, settings: str | None = None, ministermaal: bool = False) -> Path:
    """examples/jobindsats in `dest` (the rule paths made absolute; other source settings if given;
    the ministermål measurements only with `ministermaal`)."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("tools", "recorded", "fetched"))
    p = dest / "municipality.yaml"
    text = p.read_text(encoding="utf-8").replace("../../rules/", str(ROOT / "rules") + "/")
    if not ministermaal:
        mm = text.index("    # The ministermål measurements")
        text = text[:mm] + text[text.index("  statbank:"):]  # the ministermål tests set their own
    if settings is not None:
        text = text[:text.index("sources:")] + settings
    elif not statbank:
        text = text[:text.index("  statbank:")]
    p.write_text(text, encoding="utf-8")
    if settings is not None:
        goals = (dest / "goals.yaml").read_text(encoding="utf-8")  # keep the deliverables the wheel names
        (dest / "goals.yaml").write_text(goals[goals.index("deliverables:"):goals.index("goals:")] + "goals: []\n",
                                         encoding="utf-8")
    elif not statbank:
        g = dest / "goals.yaml"
        goals = g.read_text(encoding="utf-8")
        g.write_text(goals[:goals.index("  - id: offentligt-forsoergede-falder")], encoding="utf-8")
    return dest


def y36a02_meta(updated: str = "2024-04-10T08:00:00", periods: list[str] | None = None) -> Any:
    return [{"TableID": "y36a02", "LatestUpdate": updated, "Period": periods or MONTHS,
             "Measurements": [{"ID": "a", "Name": "Antal personer"}, {"ID": "b", "Name": "Antal fuldtidspersoner"}],
             "Dimensions": [{"DimensionID": "_kon", "Values": ["Køn i alt", "Mænd", "Kvinder"]},
                            {"DimensionID": "_aldera", "Values": ["Alder i alt", "16-29 år"]}]}]


def y36a02_data(values: dict[str, Any] | None = None, national: Any = 61000) -> Any:
    values = values or {"2024M01": 1316, "2024M02": 1310, "2024M03": 1294}
    rows = []
    for period, v in values.items():
        rows.append(["Vejle", period, "Køn i alt", "Alder i alt", 1600, v])
        rows.append(["Hele landet", period, "Køn i alt", "Alder i alt", 74000, national])
        rows.append(["Region Syddanmark", period, "Køn i alt", "Alder i alt", 22000, 18000])
        rows.append(["Kolding", period, "Køn i alt", "Alder i alt", 1800, 1500])
    return [{"Variables": [{"Label": x} for x in ("Area", "Periode", "Køn", "Alder", "Antal personer",
                                                  "Antal fuldtidspersoner")], "Data": rows}]


def y30r21_meta(updated: str = "2024-04-01T08:00:00") -> Any:
    return [{"TableID": "y30r21", "LatestUpdate": updated, "Period": QMAT,
             "Measurements": ["Placering på benchmarkranglisten"],
             "Dimensions": [{"DimensionID": "_ygrp_y30r21", "Values": ["Ydelsesgrupper i alt", "Kontanthjælp mv."]}]}]


def y30r21_data(ranks: tuple[Any, Any] = (24, 17)) -> Any:
    rows = [["Vejle", p, "Ydelsesgrupper i alt", r] for p, r in zip(QMAT, ranks, strict=True)]
    rows += [["Kolding", p, "Ydelsesgrupper i alt", 30] for p in QMAT]
    return [{"Variables": [{"Label": "Area"}, {"Label": "Periode"}, {"Label": "Ydelsesgrupper"},
                           {"Label": "Placering på benchmarkranglisten"}], "Data": rows}]


def auk01_info(updated: str = "2024-09-12T08:00:00") -> Any:
    return {"id": "AUK01", "updated": updated, "variables": [
        {"id": "OMRÅDE", "values": [{"id": "000", "text": "Hele landet"}, {"id": "083", "text": "Region Syddanmark"},
                                   {"id": "630", "text": "Vejle"}]},
        {"id": "YDELSESTYPE", "values": [{"id": "TOT", "text": "I alt"}]},
        {"id": "KØN", "values": [{"id": "TOT", "text": "I alt"}]},
        {"id": "Tid", "time": True, "values": [{"id": q, "text": q} for q in ("2023K4", "2024K1")]}]}


AUK01_CSV = "OMRÅDE;YDELSESTYPE;KØN;TID;INDHOLD\n630;TOT;TOT;2023K4;14.120\n630;TOT;TOT;2024K1;14065\n" \
            "000;TOT;TOT;2023K4;779.424\n000;TOT;TOT;2024K1;..\n"


def serve(router: respx.MockRouter, *, y36a02: Any = None, y30r21: Any = None, meta36: Any = None,
          meta30: Any = None, statbank: bool = True) -> None:
    """Routes for the example's three tables; each argument may be a payload or an httpx.Response."""
    def reply(x: Any) -> httpx.Response:
        return x if isinstance(x, httpx.Response) else httpx.Response(200, json=x)

    router.get(f"{V2}/tables/y36a02/json").mock(return_value=reply(meta36 if meta36 is not None else y36a02_meta()))
    router.post(f"{V2}/data/y36a02/json").mock(return_value=reply(y36a02 if y36a02 is not None else y36a02_data()))
    router.get(f"{V2}/tables/y30r21/json").mock(return_value=reply(meta30 if meta30 is not None else y30r21_meta()))
    router.post(f"{V2}/data/y30r21/json").mock(return_value=reply(y30r21 if y30r21 is not None else y30r21_data()))
    if statbank:
        router.get(f"{STATBANK}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=auk01_info()))
        router.post(f"{STATBANK}/data").mock(return_value=httpx.Response(200, text=AUK01_CSV))


def body_of(call: Any) -> Any:
    return json.loads(call.request.content)


def catalogue(*extra: tuple[str, list[tuple[str, str]]]) -> Any:
    """The v2 table catalogue (`GET /v2/tables/`): the example's tables plus `extra` (id, measurements).
    The ministermål tables' ids are made up: which real table lists MM17 is not known."""
    tables = [("Y36A02", [("y36a02_1", "Antal personer"), ("y36a02_2", "Antal fuldtidspersoner")]),
              ("Y30R21", [("y30r21_1", "Placering på benchmarkranglisten")]), *extra]
    return [{"TableID": t, "TableName": f"Tabel {t}", "LatestUpdate": "2024-04-10T08:00:00",
             "Measurements": [{"ID": i, "Name": n} for i, n in ms]} for t, ms in tables]


def mm_meta(table: str, periods: list[str], measurement: str) -> Any:
    return [{"TableID": table.lower(), "LatestUpdate": "2024-04-12T08:00:00", "Period": periods,
             "Measurements": [{"ID": "x", "Name": measurement}],
             "Dimensions": [{"DimensionID": "_ygrp", "DefaultValue": "Alle ydelsesgrupper",
                             "Values": ["Alle ydelsesgrupper", "A-dagpenge", "Kontanthjælp"]}]}]


def mm_data(periods: list[str], measurement: str, values: list[Any]) -> Any:
    rows = [["Vejle", p, "Alle ydelsesgrupper", v] for p, v in zip(periods, values, strict=True)]
    rows += [["Hele landet", p, "Alle ydelsesgrupper", 9.9] for p in periods]
    return [{"Variables": [{"Label": x} for x in ("Area", "Periode", "Ydelsesgruppe", measurement)], "Data": rows}]
