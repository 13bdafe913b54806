"""Writes recorded/: the answers `govcore fetch examples/jobindsats` gets, shaped like the real APIs'.

The figures are SYNTHETIC (deterministic, plausible for Vejle in 2023-24); the shapes follow the
Jobindsats v2 API (tables/{id}/json, data/{id}/json) and Statbank's tableinfo and CSV data, as
used by open municipal code. The table catalogue (`GET /v2/tables/`) is how the plugin finds the
table of a ministermål measurement (MM17, MM13); the two ministermål tables here, SYN_MM17 and
SYN_MM13, are MADE UP — which real Jobindsats table lists MM17 is not known from any public
source — their shape follows the other tables'. The fetch itself is govcore's own: this script only answers its
requests (an httpx MockTransport) and lets `govcore.store.fetch` keep them, so the files are named
exactly as a replay looks for them. Run from the repository root:

    .venv/bin/python examples/jobindsats/tools/make_recorded.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

import govcore
from govcore.store.fetch import fetch

HERE = Path(__file__).resolve().parent.parent
RECORDED_AT = dt.datetime(2024, 10, 21, 6, 15, tzinfo=dt.UTC)

AREAS = {"Vejle": 1.0, "Fredericia": 0.62, "Kolding": 1.12, "Region Syddanmark": 13.4, "Hele landet": 61.0}
MONTHS = [f"{y}M{m:02d}" for y in (2023, 2024) for m in range(1, 13) if (y, m) <= (2024, 8)]
QMAT = ["2022QMAT04", "2023QMAT02", "2023QMAT04", "2024QMAT02"]
RANKS = {"Vejle": [24, 22, 19, 17], "Fredericia": [71, 69, 74, 70], "Kolding": [35, 38, 33, 30]}
QUARTERS = [f"{y}K{q}" for y in (2023, 2024) for q in range(1, 5) if (y, q) <= (2024, 2)]
STATBANK_AREAS = {"000": ("Hele landet", 55.2), "083": ("Region Syddanmark", 12.1), "630": ("Vejle", 1.0)}


def kontanthjaelp(area: str, i: int) -> Any:
    base = 1385 - 6.5 * i + (9 if i % 12 in (0, 1, 6) else 0)
    value = round(base * AREAS[area])
    return value


def y36a02_meta() -> Any:
    return [{"TableID": "y36a02", "TableName": "Kontanthjælp: Antal personer og fuldtidspersoner",
             "LatestUpdate": "2024-10-10T08:00:00", "Area": list(AREAS), "Period": ["2022M12", *MONTHS],
             "Measurements": [{"ID": "y36a02_1", "Name": "Antal personer"},
                              {"ID": "y36a02_2", "Name": "Antal fuldtidspersoner"}],
             "Dimensions": [
                 {"DimensionID": "_kon", "DimensionName": "Køn", "DefaultValue": "Køn i alt",
                  "Values": ["Køn i alt", "Mænd", "Kvinder"]},
                 {"DimensionID": "_aldera", "DimensionName": "Alder", "DefaultValue": "Alder i alt",
                  "Values": ["Alder i alt", "16-29 år", "30-39 år", "40-49 år", "50 år og derover"]}]}]


def y36a02_data(body: dict[str, Any]) -> Any:
    rows = []
    for area in AREAS:
        for period in body["period"]:
            i = MONTHS.index(period)
            fte = kontanthjaelp(area, i)
            rows.append([area, period, "Køn i alt", "Alder i alt", round(fte * 1.21), fte])
    return [{"Variables": [{"Label": "Area"}, {"Label": "Periode"}, {"Label": "Køn"}, {"Label": "Alder"},
                           {"Label": "Antal personer"}, {"Label": "Antal fuldtidspersoner"}],
             "Data": rows}]


def y30r21_meta() -> Any:
    return [{"TableID": "y30r21", "TableName": "Benchmark: forventet og faktisk antal på offentlig forsørgelse",
             "LatestUpdate": "2024-10-01T08:00:00", "Area": list(AREAS), "Period": QMAT,
             "Measurements": [{"ID": "y30r21_1", "Name": "Placering på benchmarkranglisten"}],
             "Dimensions": [{"DimensionID": "_ygrp_y30r21", "DimensionName": "Ydelsesgrupper",
                             "DefaultValue": "Ydelsesgrupper i alt",
                             "Values": ["Ydelsesgrupper i alt", "A-dagpenge mv.", "Sygedagpenge mv.",
                                        "Kontanthjælp mv."]}]}]


def y30r21_data(body: dict[str, Any]) -> Any:
    labels = ["Area", "Periode", "Ydelsesgrupper",
              "Forventet og faktisk andel fuldtidspersoner på offentlig forsørgelse: Forventet andel (pct.)",
              "Forventet og faktisk andel fuldtidspersoner på offentlig forsørgelse: Faktisk andel (pct.)",
              "Placering på benchmarkranglisten"]
    rows = []
    for area in AREAS:
        for period in body["period"]:
            i = QMAT.index(period)
            rank = RANKS[area][i] if area in RANKS else ".."
            rows.append([area, period, "Ydelsesgrupper i alt", "15,8", f"{15.9 - 0.1 * i:.1f}".replace(".", ","),
                         rank])
    return [{"Variables": [{"Label": label} for label in labels], "Data": rows}]


def auk01_info() -> Any:
    return {"id": "AUK01", "text": "Offentligt forsørgede (fuldtidspersoner) efter område, ydelsestype, køn og tid",
            "unit": "Antal", "updated": "2024-09-12T08:00:00", "variables": [
                {"id": "OMRÅDE", "text": "område", "values": [{"id": c, "text": t} for c, (t, _) in
                                                             STATBANK_AREAS.items()]},
                {"id": "YDELSESTYPE", "text": "ydelsestype", "values": [
                    {"id": "TOT", "text": "Offentligt forsørgede i alt"}, {"id": "LED", "text": "Ledige"}]},
                {"id": "KØN", "text": "køn", "values": [{"id": "TOT", "text": "I alt"}, {"id": "M", "text": "Mænd"},
                                                        {"id": "K", "text": "Kvinder"}]},
                {"id": "Tid", "text": "tid", "time": True, "values": [{"id": q, "text": q} for q in
                                                                       ["2022K4", *QUARTERS]]}]}


def auk01_data(body: dict[str, Any]) -> str:
    chosen = {v["code"]: v["values"] for v in body["variables"]}
    lines = ["OMRÅDE;YDELSESTYPE;KØN;TID;INDHOLD"]
    for code in chosen["OMRÅDE"]:
        for t in chosen["Tid"]:
            i = QUARTERS.index(t)
            value = round((14120 - 55 * i) * STATBANK_AREAS[code][1])
            lines.append(f"{code};TOT;TOT;{t};{value}")
    return "\n".join(lines) + "\n"


MM = {"SYN_MM17": ("MM17", "Andel ydelsesmodtagere, der har påbegyndt et opkvalificeringsforløb (pct.)",
                   "_ygrp_mm17", ["Alle ydelsesgrupper", "A-dagpenge", "Kontanthjælp"], 3.1, 0.06),
      "SYN_MM13": ("MM13", "Andel flygtninge og familiesammenførte i ustøttet beskæftigelse (pct.)",
                   "_kon", ["Køn i alt", "Mænd", "Kvinder"], 41.0, 0.15)}


def catalogue() -> Any:
    """The v2 catalogue: every table with its measurements (ids and names), as `GET /v2/tables/` lists them."""
    def entry(table: str, name: str, update: str, period: str, measurements: list[tuple[str, str]]) -> Any:
        return {"TableID": table.lower(), "TableName": name, "UpdateFrequency": "Månedlig", "LatestUpdate": update,
                "PeriodCategory": period, "Measurements": [{"ID": i, "Name": n} for i, n in measurements]}
    return [
        entry("y01a02", "A-dagpenge: Antal personer og fuldtidspersoner", "2024-10-10T08:00:00", "M",
              [("y01a02_1", "Antal personer"), ("y01a02_2", "Antal fuldtidspersoner")]),
        entry("y30r21", "Benchmark: forventet og faktisk antal på offentlig forsørgelse", "2024-10-01T08:00:00",
              "QMAT", [("y30r21_1", "Placering på benchmarkranglisten")]),
        entry("y36a02", "Kontanthjælp: Antal personer og fuldtidspersoner", "2024-10-10T08:00:00", "M",
              [("y36a02_1", "Antal personer"), ("y36a02_2", "Antal fuldtidspersoner")]),
        *[entry(t, f"Ministerens mål: {name} (SYNTETISK TABEL)", "2024-10-14T08:00:00", "M", [(mid, name)])
          for t, (mid, name, *_rest) in MM.items()]]


def mm_meta(table: str) -> Any:
    mid, name, dim, values, _, _ = MM[table]
    return [{"TableID": table.lower(), "TableName": f"Ministerens mål: {name} (SYNTETISK TABEL)",
             "LatestUpdate": "2024-10-14T08:00:00", "Area": list(AREAS), "Period": ["2022M12", *MONTHS],
             "Measurements": [{"ID": mid, "Name": name}],
             "Dimensions": [{"DimensionID": dim, "DimensionName": dim.strip("_"), "DefaultValue": values[0],
                             "Values": values}]}]


def mm_data(table: str, body: dict[str, Any]) -> Any:
    _, name, dim, values, start, step = MM[table]
    assert body[dim] == [values[0]], body
    rows = []
    for area in AREAS:
        for period in body["period"]:
            i = MONTHS.index(period)
            share = start + step * i - (0.4 if area == "Hele landet" else 0.0)
            rows.append([area, period, values[0], f"{share:.1f}".replace(".", ",")])
    return [{"Variables": [{"Label": x} for x in ("Area", "Periode", dim.strip("_"), name)], "Data": rows}]


def answer(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    body = json.loads(request.content) if request.content else {}
    routes: dict[str, Any] = {
        "/v2/tables/y36a02/json": lambda: y36a02_meta(), "/v2/data/y36a02/json": lambda: y36a02_data(body),
        "/v2/tables/y30r21/json": lambda: y30r21_meta(), "/v2/data/y30r21/json": lambda: y30r21_data(body),
        "/v1/tableinfo/AUK01": lambda: auk01_info(), "/v1/data": lambda: auk01_data(body),
        "/v2/tables/": lambda: catalogue()}
    for table in MM:
        routes[f"/v2/tables/{table.lower()}/json"] = lambda t=table: mm_meta(t)
        routes[f"/v2/data/{table.lower()}/json"] = lambda t=table: mm_data(t, body)
    if path not in routes:
        return httpx.Response(404, text="not found")
    result = routes[path]()
    if isinstance(result, str):
        return httpx.Response(200, text=result, headers={"Content-Type": "text/csv; charset=utf-8"})
    return httpx.Response(200, json=result)


def main() -> int:
    out = HERE / "recorded"
    shutil.rmtree(out, ignore_errors=True)
    cfg = govcore.load_config(HERE)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JOBINDSATS_API_KEY"] = "recording-without-a-key"
        result = fetch(cfg, str(Path(tmp) / "rec.db"), keep=out, transport=httpx.MockTransport(answer),
                       now=lambda: RECORDED_AT)
    for t in result.tables:
        print(f"{t.source} {t.table}: {t.state} {t.new} {t.error}")
    print(f"{len(list(out.iterdir()))} responses written to {out}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
