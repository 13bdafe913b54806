"""Fetching from Jobindsats: every error class, corrections, the ranking feeding a rank target,
replay, v3. The API is answered by respx (tests never touch the network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from click.testing import CliRunner
from fake_jobindsats import (
    MONTHS,
    V2,
    body_of,
    catalogue,
    copy_example,
    mm_data,
    mm_meta,
    serve,
    y30r21_data,
    y36a02_data,
    y36a02_meta,
)

import govcore
from govcore.cli import main
from govcore.store.db import open_database
from govcore.store.fetch import FetchResult, _stored, fetch
from govcore.store.run import tick

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

KEY = "s3cret-key-value-123"
WHEN = dt.datetime(2024, 4, 20, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JOBINDSATS_API_KEY", KEY)
    return KEY


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "cfg", statbank=False)


def run(config: Path, db: Path, **kw: Any) -> FetchResult:
    delays: list[float] = kw.pop("delays", [])
    return fetch(govcore.load_config(config), str(db), sleep=delays.append, now=kw.pop("now", lambda: WHEN), **kw)


def rows(db: Path) -> list[dict[str, Any]]:
    database = open_database(str(db))
    try:
        return _stored(database, "630", 2024)
    finally:
        database.close()


def only(result: FetchResult, table: str) -> Any:
    [t] = [t for t in result.tables if t.table == table]
    return t


# ------------------------------------------------------------------------------ happy path


def test_a_fetch_stores_local_benchmark_and_rank_series_known_from_the_fetch_date(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    serve(respx_mock)
    result = run(config, tmp_path / "g.db", keep=tmp_path / "kept")
    assert [(t.table, t.state, t.new) for t in result.tables] == [("Y30R21", "stored", 2), ("Y36A02", "stored", 9)]
    stored = {(r["kpi"], r["series"], r["period"]): r["value"] for r in rows(tmp_path / "g.db")}
    assert stored[("jobindsats:kontanthjaelp", "local", "2024-03")] == 1294
    assert stored[("jobindsats:kontanthjaelp", "national", "2024-03")] == 61000
    assert stored[("jobindsats:kontanthjaelp", "region", "2024-03")] == 18000
    assert stored[("jobindsats:benchmark", "rank", "2024-Q2")] == 17  # 2024QMAT02: the rolling year to Q2
    assert not any(v == 1500 for v in stored.values())  # Kolding's rows are not Vejle's
    assert {r["known_at"] for r in rows(tmp_path / "g.db")} == {"2024-04-20"}
    assert {r["source"] for r in rows(tmp_path / "g.db")} == {
        "jobindsats:Y36A02@2024-04-10T08:00:00", "jobindsats:Y30R21@2024-04-01T08:00:00"}
    # v2: the raw key in Authorization; the request body selects the dimensions by label
    call = respx_mock.calls[1]
    assert call.request.headers["Authorization"] == KEY
    data_call = next(c for c in respx_mock.calls if c.request.url.path == "/v2/data/y36a02/json")
    assert body_of(data_call) == {"area": "*", "period": ["2024M01", "2024M02", "2024M03"],
                                  "_aldera": ["Alder i alt"], "_kon": ["Køn i alt"]}
    kept = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert len(kept) == 4 and all(n.startswith("jobindsats-y3") for n in kept)
    assert all(KEY not in p.read_text(encoding="utf-8") for p in (tmp_path / "kept").iterdir())


def test_a_second_fetch_skips_tables_not_updated_and_stores_nothing(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    serve(respx_mock)
    run(config, tmp_path / "g.db")
    before = rows(tmp_path / "g.db")
    again = run(config, tmp_path / "g.db")
    assert [(t.table, t.state) for t in again.tables] == [("Y30R21", "skipped"), ("Y36A02", "skipped")]
    assert again.requests == 2 and again.added == []  # only the two table descriptions were asked for
    assert rows(tmp_path / "g.db") == before


def test_a_revised_value_is_stored_as_a_correction_and_history_is_kept(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    serve(respx_mock)
    run(config, tmp_path / "g.db")
    respx_mock.reset()
    revised = {"2024M01": 1316, "2024M02": 1333, "2024M03": 1294, "2024M04": 1280}
    serve(respx_mock, meta36=y36a02_meta("2024-05-10T08:00:00", [*revised]), y36a02=y36a02_data(revised))
    result = run(config, tmp_path / "g.db", now=lambda: dt.datetime(2024, 5, 12, 6, tzinfo=dt.UTC))
    t = only(result, "Y36A02")
    assert (t.state, t.new, t.corrected) == ("stored", 3, 1)  # April: local, national, region; Feb corrected
    feb = [r for r in rows(tmp_path / "g.db") if (r["kpi"], r["series"], r["period"]) ==
           ("jobindsats:kontanthjaelp", "local", "2024-02")]
    assert [(r["value"], r["known_at"]) for r in feb] == [(1310, "2024-04-20"), (1333, "2024-05-12")]
    assert feb[1]["supersedes"] == feb[0]["n"]


def test_the_ranking_feeds_a_rank_target(config: Path, tmp_path: Path, key: str,
                                         respx_mock: respx.MockRouter) -> None:
    serve(respx_mock, y30r21=y30r21_data((24, 31)))  # Vejle falls to 31: outside top 20 (+3 tolerance)
    cfg = govcore.load_config(config)
    fetch(cfg, str(tmp_path / "g.db"), sleep=lambda s: None, now=lambda: WHEN)
    result = tick(cfg, str(tmp_path / "g.db"), now=dt.date(2024, 12, 31))
    opened = [e for e in result.events if e.type == "deviation_flagged" and "top20-rangliste" in json.dumps(
        e.to_dict(), ensure_ascii=False)]
    assert opened, [e.type for e in result.events][:20]
    text = json.dumps(opened[0].to_dict(), ensure_ascii=False)
    assert "offentliggjorte placering nr. 31" in text and "off_track" in text


# ---------------------------------------------------------------------------- error classes


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_a_key_error_that_never_shows_the_key(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter, status: int) -> None:
    serve(respx_mock, meta36=httpx.Response(status, text=f"bad key {KEY}"),
          meta30=httpx.Response(status, text="no"))
    result = run(config, tmp_path / "g.db")
    assert [t.state for t in result.tables] == ["failed", "failed"]
    err = only(result, "Y36A02").error
    assert f"jobindsats table Y36A02: the API refused the key (HTTP {status})" in err
    assert KEY not in err and rows(tmp_path / "g.db") == []


def test_a_missing_key_names_the_variable(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         respx_mock: respx.MockRouter) -> None:
    monkeypatch.delenv("JOBINDSATS_API_KEY", raising=False)
    serve(respx_mock)
    result = run(config, tmp_path / "g.db")
    assert "environment variable JOBINDSATS_API_KEY, which is not set" in only(result, "Y36A02").error
    assert respx_mock.calls.call_count == 0


def test_an_unknown_table_is_a_not_found_error(config: Path, tmp_path: Path, key: str,
                                               respx_mock: respx.MockRouter) -> None:
    serve(respx_mock, meta36=httpx.Response(404, text="Not Found"))
    result = run(config, tmp_path / "g.db")
    assert "not found (HTTP 404)" in only(result, "Y36A02").error and "check the table id" in only(
        result, "Y36A02").error
    assert only(result, "Y30R21").state == "stored"  # the other table is stored: all-or-nothing per table


def test_429_and_5xx_are_retried_with_backoff_then_succeed(config: Path, tmp_path: Path, key: str,
                                                          respx_mock: respx.MockRouter) -> None:
    serve(respx_mock)
    respx_mock.get(f"{V2}/tables/y36a02/json").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(503),
        httpx.Response(200, json=y36a02_meta())])
    delays: list[float] = []
    result = run(config, tmp_path / "g.db", delays=delays)
    assert only(result, "Y36A02").state == "stored"
    assert delays == [7.0, 2.0]  # the server's Retry-After, then exponential backoff (1, 2, 4 … s)


def test_a_server_that_keeps_failing_is_an_error_after_the_retries(config: Path, tmp_path: Path, key: str,
                                                                  respx_mock: respx.MockRouter) -> None:
    serve(respx_mock, meta36=httpx.Response(502))
    delays: list[float] = []
    result = run(config, tmp_path / "g.db", delays=delays)
    assert "the server failed (HTTP 502) after 4 attempts; try again later" in only(result, "Y36A02").error
    assert delays == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(("error", "words"), [
    (httpx.ReadTimeout("slow"), "did not answer in time"),
    (httpx.ConnectError("no route"), "could not reach api.jobindsats.dk (ConnectError); check the network"),
])
def test_timeouts_and_no_network_are_clear_errors(config: Path, tmp_path: Path, key: str,
                                                  respx_mock: respx.MockRouter, error: Exception, words: str) -> None:
    serve(respx_mock)
    respx_mock.post(f"{V2}/data/y36a02/json").mock(side_effect=error)
    result = run(config, tmp_path / "g.db")
    assert words in only(result, "Y36A02").error
    assert not any(r["source"].startswith("jobindsats:Y36A02") for r in rows(tmp_path / "g.db"))


@pytest.mark.parametrize(("payload", "words"), [
    ([{"Data": []}], "field 'Variables': the response is not shaped as expected"),
    ([{"Variables": [{"Label": "Area"}, {"Label": "Periode"}, {"Label": "Antal personer"}], "Data": []}],
     "field 'Antal fuldtidspersoner': the response is not shaped as expected: no column 'Antal fuldtidspersoner'"),
    ([{"Variables": [{"Label": "Area"}, {"Label": "Periode"}, {"Label": "Antal fuldtidspersoner"}],
       "Data": [["Vejle", "2024M01", 1], ["Vejle", "2024M02"]]}], "field 'Data[1]'"),
    ([{"Variables": [{"Label": "Area"}, {"Label": "Periode"}, {"Label": "Antal fuldtidspersoner"}],
       "Data": [["Vejle", "2024M01", 1], ["Vejle", "2024M02", "mange"]]}],
     "field 'Antal fuldtidspersoner': the response is not shaped as expected: the value 'mange' for Vejle 2024M02"),
    (httpx.Response(200, text="<html>maintenance</html>"), "is not JSON"),
])
def test_a_changed_response_shape_is_a_located_error_and_nothing_of_the_table_is_stored(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter, payload: Any, words: str) -> None:
    serve(respx_mock, y36a02=payload)
    result = run(config, tmp_path / "g.db")
    t = only(result, "Y36A02")
    assert t.state == "failed" and t.error.startswith("jobindsats table Y36A02") and words in t.error, t.error
    assert not any(r["source"].startswith("jobindsats:Y36A02") for r in rows(tmp_path / "g.db"))
    assert only(result, "Y30R21").state == "stored"


def test_a_selection_the_table_does_not_have_is_a_settings_error_with_a_hint(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    text = (config / "municipality.yaml").read_text(encoding="utf-8").replace("_kon: Køn i alt", "_kon: Koen ialt")
    (config / "municipality.yaml").write_text(text, encoding="utf-8")
    serve(respx_mock)
    err = only(run(config, tmp_path / "g.db"), "Y36A02").error
    assert "field '_kon': the dimension has no value 'Koen ialt' (did you mean 'Køn i alt'?)" in err


def test_an_administrator_reads_the_jobindsats_errors_in_danish(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter, danish: None) -> None:
    """Danish by default (the module's other tests pin the English ids)."""
    text = (config / "municipality.yaml").read_text(encoding="utf-8").replace("_kon: Køn i alt", "_kon: Koen ialt")
    (config / "municipality.yaml").write_text(text, encoding="utf-8")
    serve(respx_mock)
    err = only(run(config, tmp_path / "g.db"), "Y36A02").error
    assert "dimensionen har ingen værdi 'Koen ialt' (mente du 'Køn i alt'?)" in err, err


def test_the_command_reports_each_table_and_exits_1_when_one_failed(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCORE_LANG", "en")  # the messages are pinned by their English ids
    serve(respx_mock, meta30=httpx.Response(500))
    res = CliRunner().invoke(main, ["fetch", str(config), "--db", str(tmp_path / "g.db"), "--keep",
                                    str(tmp_path / "k")])
    assert res.exit_code == 1, res.output
    assert "jobindsats Y36A02: 9 new, 0 corrected" in res.output
    assert "jobindsats Y30R21: FAILED: jobindsats table Y30R21: the server failed (HTTP 500)" in res.output
    assert "1 table failed; nothing of it was stored" in res.output
    assert KEY not in res.output


# ---------------------------------------------------------------------------------- replay


def test_replay_gives_identical_observations_with_no_network_and_no_key(
        config: Path, tmp_path: Path, key: str, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    serve(respx_mock)
    run(config, tmp_path / "live.db", keep=tmp_path / "kept")
    respx_mock.reset()
    monkeypatch.delenv("JOBINDSATS_API_KEY")
    replayed = run(config, tmp_path / "replay.db", replay=tmp_path / "kept", now=lambda: WHEN + dt.timedelta(days=9))
    assert respx_mock.calls.call_count == 0 and not replayed.failed
    assert rows(tmp_path / "replay.db") == rows(tmp_path / "live.db")


def test_replay_without_a_kept_response_names_the_request(config: Path, tmp_path: Path,
                                                          respx_mock: respx.MockRouter) -> None:
    (tmp_path / "empty").mkdir()
    err = only(run(config, tmp_path / "g.db", replay=tmp_path / "empty"), "Y36A02").error
    assert "no kept response for GET https://api.jobindsats.dk/v2/tables/y36a02/json" in err


# -------------------------------------------------------------------------------------- v3


def test_v3_uses_a_bearer_key_and_value_ids(tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    config = copy_example(tmp_path / "cfg", settings="""sources:
  jobindsats:
    api: v3
    kpis:
      - {id: "jobindsats:ledige", name: Ledige, table: Y25I01, measurement: Fuldtidsledige, select: {_kon: I alt}}
""")
    respx_mock.get("https://api.jobindsats.dk/v3/table/y25i01").mock(return_value=httpx.Response(200, json={
        "table_id": "y25i01", "latest_update": "2024-04-02", "periods": ["2024M01", "2024M02"],
        "dimensions": [{"dimension_id": "kon", "hierarchies": [{"hierarchy_id": "_kon", "levels": [
            {"values": [{"value_id": "k0", "value_name": "I alt"}, {"value_id": "k1", "value_name": "Mænd"}]}]}]}]}))
    data = respx_mock.get("https://api.jobindsats.dk/v3/data/y25i01").mock(return_value=httpx.Response(200, json={
        "columns": ["Område", "Periode", "Køn", "Fuldtidsledige"],
        "rows": [["Vejle", "2024M01", "I alt", 1021], ["Vejle", "2024M02", "I alt", "1.012,5"]]}))
    result = run(config, tmp_path / "g.db")
    assert not result.failed, result.tables
    assert data.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"
    assert data.calls[0].request.url.params["hierarchy._kon"] == "k0"
    assert data.calls[0].request.url.params["period.M"] == "2024M01,2024M02"
    assert [(r["period"], r["value"]) for r in rows(tmp_path / "g.db")] == [("2024-01", 1021), ("2024-02", 1012.5)]


# ------------------------------------------------------------------------------ ministermål


MM_GOAL = """goals:
  - {id: opkvalificering, title: Flere opkvalificeres, level: national, owner: direktoer, national_goal: mm2024-2,
     kpi: "jobindsats:mm17", target: {kind: direction, must: rise}, followup: quarterly}
"""
MM17 = "Andel ydelsesmodtagere, der har påbegyndt opkvalificering (pct.)"
MM13 = "Andel flygtninge i ustøttet beskæftigelse (pct.)"
QUARTERS = ["2024Q1", "2024Q2"]


def ministermaal_config(tmp_path: Path, measurements: str = "") -> Path:
    config = copy_example(tmp_path / "cfg", settings="sources:\n  jobindsats:\n    ministermaal: true\n" + measurements)
    deliverables = (config / "goals.yaml").read_text(encoding="utf-8").split("goals:")[0]  # the wheel names them
    (config / "goals.yaml").write_text(deliverables + MM_GOAL, encoding="utf-8")
    return config


def serve_mm(router: respx.MockRouter, tables: Any) -> tuple[respx.Route, respx.Route, respx.Route]:
    """The catalogue, SYN17 (monthly, MM17) and SYN13 (quarterly, MM13)."""
    cat = router.get(f"{V2}/tables/").mock(return_value=httpx.Response(200, json=tables))
    router.get(f"{V2}/tables/syn17/json").mock(return_value=httpx.Response(200, json=mm_meta("SYN17", MONTHS, MM17)))
    d17 = router.post(f"{V2}/data/syn17/json").mock(return_value=httpx.Response(
        200, json=mm_data(MONTHS, MM17, ["4,1", "4,3", "4,6"])))
    router.get(f"{V2}/tables/syn13/json").mock(return_value=httpx.Response(200, json=mm_meta("SYN13", QUARTERS, MM13)))
    d13 = router.post(f"{V2}/data/syn13/json").mock(return_value=httpx.Response(
        200, json=mm_data(QUARTERS, MM13, [38.5, 39.0])))
    return cat, d17, d13


BOTH = catalogue(("SYN17", [("MM17", MM17)]), ("SYN13", [("mm13", MM13), ("MM13B", "Antal flygtninge")]))


def test_a_ministermaal_measurement_without_a_table_is_found_in_the_catalogue(
        tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path)
    cat, d17, d13 = serve_mm(respx_mock, BOTH)
    result = run(config, tmp_path / "g.db", keep=tmp_path / "kept")
    assert not result.failed, result.tables
    assert [t.table for t in result.tables] == ["SYN13", "SYN17"]
    assert cat.call_count == 1, "one catalogue request per fetch, however many tables use it"
    assert body_of(d17.calls[0]) == {"area": "*", "period": MONTHS, "_ygrp": ["Alle ydelsesgrupper"]}
    assert body_of(d13.calls[0])["period"] == QUARTERS
    got = {(r["kpi"], r["series"], r["period"], r["value"]) for r in rows(tmp_path / "g.db")}
    assert ("jobindsats:mm17", "local", "2024-03", 4.6) in got
    assert ("jobindsats:mm13", "local", "2024-Q2", 39.0) in got
    assert len(got) == 5
    assert len(list((tmp_path / "kept").glob("jobindsats-catalogue-*.json"))) == 1


def test_a_measurement_in_no_table_fails_alone_with_a_did_you_mean(tmp_path: Path, key: str,
                                                                    respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path)
    serve_mm(respx_mock, catalogue(("SYN17", [("MM71", MM17)]), ("SYN13", [("MM13", MM13)])))
    result = run(config, tmp_path / "g.db")
    bad = only(result, "MM17")
    assert bad.state == "failed" and only(result, "SYN13").state == "stored"
    assert "jobindsats table MM17, field 'measure_ids': no table in the Jobindsats catalogue (4 tables) lists " \
           "the measurement MM17 (did you mean 'MM71'?); name its table under " \
           "sources.jobindsats.measurements.MM17 (table, measurement)" in bad.error
    assert {r["kpi"] for r in rows(tmp_path / "g.db")} == {"jobindsats:mm13"}


def test_a_measurement_in_several_tables_names_them_and_stores_nothing_of_it(
        tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path)
    serve_mm(respx_mock, catalogue(("SYN17", [("MM17", MM17)]), ("SYN13", [("MM13", MM13), ("MM17", "Antal")])))
    bad = only(run(config, tmp_path / "g.db"), "MM17")
    assert bad.state == "failed"
    assert "the measurement MM17 is listed by 2 tables of the Jobindsats catalogue — SYN17 (Tabel SYN17): " \
           f"'{MM17}'; SYN13 (Tabel SYN13): 'Antal'; choose one under sources.jobindsats.measurements.MM17" \
           in bad.error
    assert {r["kpi"] for r in rows(tmp_path / "g.db")} == {"jobindsats:mm13"}


def test_a_table_in_the_settings_overrides_the_catalogue(tmp_path: Path, key: str,
                                                         respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path, """    measurements:
      MM17: {table: Y36A02, measurement: Antal fuldtidspersoner, select: {_kon: Køn i alt}}
      MM13: {period: quarter, unit: pct.}
""")
    cat, d17, d13 = serve_mm(respx_mock, BOTH)
    serve(respx_mock, statbank=False)
    result = run(config, tmp_path / "g.db")
    assert not result.failed, result.tables
    assert [t.table for t in result.tables] == ["SYN13", "Y36A02"] and d17.call_count == 0
    assert body_of(d13.calls[0])["period"] == QUARTERS
    assert cat.call_count == 1, "MM13 has no table in the settings: it is still looked up"
    assert {r["kpi"] for r in rows(tmp_path / "g.db")} == {"jobindsats:mm13", "jobindsats:mm17"}
    assert govcore.load_config(config).kpis["jobindsats:mm13"].unit == "pct."


def test_no_catalogue_request_when_every_measurement_names_its_table(tmp_path: Path, key: str,
                                                                     respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path, f"""    measurements:
      MM17: {{table: SYN17, measurement: "{MM17}"}}
      MM13: {{table: SYN13, measurement: "{MM13}"}}
""")
    cat, _, _ = serve_mm(respx_mock, BOTH)
    assert not run(config, tmp_path / "g.db").failed
    assert cat.call_count == 0


def test_a_catalogue_that_cannot_be_read_fails_the_measurements_not_the_other_tables(
        tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    config = ministermaal_config(tmp_path, """    kpis:
      - {id: "jobindsats:kh", name: Kontanthjælp, table: Y36A02, measurement: Antal fuldtidspersoner}
""")
    serve_mm(respx_mock, [{"TableID": "SYN17", "Measurements": "MM17"}])
    serve(respx_mock, statbank=False)
    result = run(config, tmp_path / "g.db")
    assert only(result, "Y36A02").state == "stored"
    for mid in ("MM13", "MM17"):
        err = only(result, mid).error
        assert f"the Jobindsats table catalogue could not be read to find the table of {mid}" in err
        assert "field '[0].Measurements'" in err and "expected a list of measurements for SYN17" in err


def test_v3_asks_for_the_table_in_the_settings(tmp_path: Path, key: str, respx_mock: respx.MockRouter) -> None:
    config = copy_example(tmp_path / "cfg", settings="sources:\n  jobindsats:\n    api: v3\n    ministermaal: true\n")
    result = run(config, tmp_path / "g.db")
    assert respx_mock.calls.call_count == 0
    assert "needs api: v2" in only(result, "MM17").error and only(result, "MM17").state == "failed"


def test_replay_resolves_from_the_kept_catalogue_identically(
        tmp_path: Path, key: str, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ministermaal_config(tmp_path)
    serve_mm(respx_mock, BOTH)
    live = run(config, tmp_path / "live.db", keep=tmp_path / "kept")
    respx_mock.reset()
    monkeypatch.delenv("JOBINDSATS_API_KEY")
    replayed = run(config, tmp_path / "replay.db", replay=tmp_path / "kept")
    assert respx_mock.calls.call_count == 0 and not replayed.failed
    assert [(t.table, t.new) for t in replayed.tables] == [(t.table, t.new) for t in live.tables]
    assert rows(tmp_path / "replay.db") == rows(tmp_path / "live.db")


def test_ministermaal_measurements_become_kpis_goals_can_name(tmp_path: Path) -> None:
    cfg = govcore.load_config(ministermaal_config(tmp_path))
    assert {"jobindsats:mm13", "jobindsats:mm17"} <= set(cfg.kpis)
    assert cfg.kpis["jobindsats:mm17"].name.startswith("MM17: Antal og andel ydelsesmodtagere")


def test_a_measurement_with_a_table_but_no_measurement_is_a_settings_error(tmp_path: Path) -> None:
    config = ministermaal_config(tmp_path, "    measurements:\n      MM17: {table: SYN17}\n")
    with pytest.raises(govcore.ConfigError, match="also needs `measurement`"):
        govcore.load_config(config)
