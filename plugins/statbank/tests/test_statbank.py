"""Fetching from Danmarks Statistik's Statbank API (answered by respx; no network)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from govcore_statbank.source import to_period

import govcore
from govcore.store.db import open_database
from govcore.store.fetch import FetchResult, _stored, fetch

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]
BASE = "https://api.statbank.dk/v1"
WHEN = dt.datetime(2024, 9, 20, 6, 0, tzinfo=dt.UTC)
SETTINGS = """sources:
  statbank:
    benchmarks: [national, region]
    kpis:
      - {id: "statbank:forsorgede", name: Offentligt forsørgede, table: AUK01, select: {YDELSESTYPE: TOT}}
"""


def info(updated: str = "2024-09-12T08:00:00") -> Any:
    return {"id": "AUK01", "updated": updated, "variables": [
        {"id": "OMRÅDE", "values": [{"id": "000", "text": "Hele landet"}, {"id": "083", "text": "Region Syddanmark"},
                                   {"id": "630", "text": "Vejle"}, {"id": "621", "text": "Kolding"}]},
        {"id": "YDELSESTYPE", "values": [{"id": "TOT", "text": "I alt"}, {"id": "LED", "text": "Ledige"}]},
        {"id": "Tid", "time": True, "values": [{"id": t, "text": t} for t in ("2022K4", "2023K4", "2024K1")]}]}


CSV = ("OMRÅDE;YDELSESTYPE;TID;INDHOLD\n630;TOT;2023K4;14.120\n630;TOT;2024K1;14065\n083;TOT;2024K1;170.400\n"
       "000;TOT;2023K4;779.424\n000;TOT;2024K1;..\n")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    dest = tmp_path / "cfg"
    shutil.copytree(ROOT / "examples" / "jobindsats", dest, ignore=shutil.ignore_patterns("tools", "recorded"))
    p = dest / "municipality.yaml"
    text = p.read_text(encoding="utf-8").replace("../../rules/", str(ROOT / "rules") + "/")
    p.write_text(text[:text.index("sources:")] + SETTINGS, encoding="utf-8")
    goals = (dest / "goals.yaml").read_text(encoding="utf-8")  # keep the deliverables the wheel names
    (dest / "goals.yaml").write_text(goals[goals.index("deliverables:"):goals.index("goals:")] + "goals: []\n",
                                     encoding="utf-8")
    return dest


def run(config: Path, db: Path) -> FetchResult:
    return fetch(govcore.load_config(config), str(db), sleep=lambda s: None, now=lambda: WHEN)


def rows(db: Path) -> list[dict[str, Any]]:
    database = open_database(str(db))
    try:
        return _stored(database, "630", 2024)
    finally:
        database.close()


def test_periods_map_to_govcore_periods() -> None:
    assert [to_period(t) for t in ("2024K1", "2024M03", "2024H2", "2024", "2024K5", "x")] == [
        "2024-Q1", "2024-03", "2024-H2", "2024", None, None]


def test_a_fetch_asks_for_the_municipality_and_benchmarks_and_stores_them(
        config: Path, tmp_path: Path, respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=info()))
    data = respx_mock.post(f"{BASE}/data").mock(return_value=httpx.Response(200, text=CSV))
    result = run(config, tmp_path / "g.db")
    assert [(t.table, t.state, t.new) for t in result.tables] == [("AUK01", "stored", 4)]
    body = json.loads(data.calls[0].request.content)
    assert body["format"] == "CSV" and body["valuePresentation"] == "Code"
    assert body["variables"] == [{"code": "OMRÅDE", "values": ["000", "083", "630"]},
                                 {"code": "Tid", "values": ["2023K4", "2024K1"]},
                                 {"code": "YDELSESTYPE", "values": ["TOT"]}]
    assert "Authorization" not in data.calls[0].request.headers  # Statbank needs no key
    got = {(r["series"], r["period"]): r["value"] for r in rows(tmp_path / "g.db")}
    assert got == {("local", "2023-Q4"): 14120, ("local", "2024-Q1"): 14065, ("region", "2024-Q1"): 170400,
                   ("national", "2023-Q4"): 779424}  # ".." (not published) is left out


def test_an_unknown_value_code_is_a_settings_error_with_a_hint(config: Path, tmp_path: Path,
                                                               respx_mock: respx.MockRouter) -> None:
    p = config / "municipality.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("YDELSESTYPE: TOT", "YDELSESTYPE: TOTAL"), encoding="utf-8")
    respx_mock.get(f"{BASE}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=info()))
    [t] = run(config, tmp_path / "g.db").tables
    assert t.state == "failed"
    assert "statbank table AUK01, field 'YDELSESTYPE': the variable has no value code 'TOTAL' (did you mean " \
           "'TOT'?)" in t.error


def test_an_administrator_reads_the_statbank_errors_in_danish(config: Path, tmp_path: Path,
                                                              respx_mock: respx.MockRouter, danish: None) -> None:
    """Danish by default (the module's other tests pin the English ids)."""
    p = config / "municipality.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("YDELSESTYPE: TOT", "YDELSESTYPE: TOTAL"), encoding="utf-8")
    respx_mock.get(f"{BASE}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=info()))
    [t] = run(config, tmp_path / "g.db").tables
    assert t.state == "failed" and "variablen har ingen værdikode 'TOTAL' (mente du 'TOT'?)" in t.error, t.error


@pytest.mark.parametrize(("csv", "words"), [
    ("AREA;TID;INDHOLD\n630;2024K1;1\n", "field 'OMRÅDE'"),
    ("OMRÅDE;YDELSESTYPE;TID;INDHOLD\n630;TOT;2024K1\n", "field 'line 2'"),
    ("OMRÅDE;YDELSESTYPE;TID;INDHOLD\n630;TOT;2024K1;mange\n", "field 'INDHOLD'"),
])
def test_a_changed_csv_shape_is_a_located_error_and_nothing_is_stored(
        config: Path, tmp_path: Path, respx_mock: respx.MockRouter, csv: str, words: str) -> None:
    respx_mock.get(f"{BASE}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=info()))
    respx_mock.post(f"{BASE}/data").mock(return_value=httpx.Response(200, text=csv))
    [t] = run(config, tmp_path / "g.db").tables
    assert t.state == "failed" and t.error.startswith(f"statbank table AUK01, {words}"), t.error
    assert rows(tmp_path / "g.db") == []


def test_a_table_not_updated_since_the_last_fetch_is_skipped(config: Path, tmp_path: Path,
                                                             respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}/tableinfo/AUK01").mock(return_value=httpx.Response(200, json=info()))
    data = respx_mock.post(f"{BASE}/data").mock(return_value=httpx.Response(200, text=CSV))
    run(config, tmp_path / "g.db")
    [t] = run(config, tmp_path / "g.db").tables
    assert t.state == "skipped" and data.call_count == 1
