"""KPIs created by plugins say how often they are published and how old a figure may be, so that a
goal on them is `no_data` — not judged, nor forecast — once the latest figure is too old, exactly
as for a configured KPI with `published:`/`max_age:` (issue 8: stale data is never judged as current)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore import ConfigError, Frequency, load_config
from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PLUGIN_SOURCES = {"flows", "initiatives", "offers", "budget", "surveys", "jobindsats", "statbank"}


@pytest.mark.parametrize(("periods", "expected"), [
    (["2014-01", "2014-02", "2014"], Frequency.monthly),
    (["2014-Q1", "2014-Q2"], Frequency.quarterly),
    (["2014-H1"], Frequency.half_yearly),
    (["2013", "2014"], Frequency.yearly),
    (["2014-03-01", "2014-03-15", "2014-04-01"], Frequency.every_14_days),
    (["2014-03-01", "2014-06-01"], Frequency.quarterly),
    (["2014-03-01"], None),
    ([], None),
])
def test_how_often_a_series_comes_is_read_from_its_periods(periods: list[str], expected: Frequency | None) -> None:
    assert Frequency.of_periods(periods) == expected


@pytest.mark.parametrize("example", ["hilleroed", "vejle", "jobindsats"])
def test_every_kpi_a_plugin_creates_goes_stale(example: str) -> None:
    cfg = load_config(EXAMPLES / example)
    made = [k for k in cfg.kpis.values() if k.source in PLUGIN_SOURCES]
    assert made, "the example has plugin KPIs"
    never = [k.id for k in made if k.stale_after(dt.date(2020, 12, 31)) is None]
    assert never == []


def test_each_source_declares_its_own_cadence() -> None:
    kpis = load_config(EXAMPLES / "jobindsats").kpis
    # Jobindsats: monthly tables come ~six weeks after the month, the ranking in March and October.
    month = kpis["jobindsats:kontanthjaelp"]
    assert (month.published, month.max_age) == (Frequency.monthly, "3 months")
    assert month.stale_after(dt.date(2024, 8, 31)) == dt.date(2024, 11, 30)
    assert (kpis["jobindsats:benchmark"].published, kpis["jobindsats:benchmark"].max_age) == (
        Frequency.half_yearly, "1 year")
    assert kpis["jobindsats:mm17"].max_age == "6 months"  # its table's period is known only when fetched
    assert (kpis["statbank:offentligt_forsorgede"].published, kpis["statbank:offentligt_forsorgede"].max_age) == (
        Frequency.quarterly, "6 months")
    hilleroed = load_config(EXAMPLES / "hilleroed").kpis
    assert hilleroed["flow:unge-kontanthjaelp:outflow_rate"].published is Frequency.monthly  # a file of months
    assert hilleroed["initiative:straksaktivering-unge:participants"].published is Frequency.monthly
    assert hilleroed["initiative:straksaktivering-unge:evaluated"].max_age == "48 months"  # 2013 to 2016
    assert hilleroed["offer:mentor:score"].published is Frequency.yearly
    vejle = load_config(EXAMPLES / "vejle").kpis
    budget = next(k for k in vejle.values() if k.source == "budget")
    assert (budget.published, budget.max_age) == (Frequency.monthly, "62 days")


def test_a_statbank_table_govcore_does_not_know_needs_its_publication_frequency(tmp_path: Path) -> None:
    folder = tmp_path / "examples" / "jobindsats"
    shutil.copytree(EXAMPLES / "jobindsats", folder)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = folder / "municipality.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("table: AUK01", "table: RAS200"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert "sources.statbank.kpis[0]" in str(err.value)
    assert "sig, hvor ofte Danmarks Statistik udgiver tabel RAS200" in str(err.value)
    path.write_text(text.replace("table: AUK01", "table: RAS200\n        published: yearly"), encoding="utf-8")
    kpi = load_config(folder).kpis["statbank:offentligt_forsorgede"]
    assert (kpi.published, kpi.max_age) == (Frequency.yearly, "18 months")


def test_hilleroed_2016_does_not_judge_or_forecast_on_2014_figures(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLES / "hilleroed"), "--year", "2016",
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    goal = summary["goals"]["afgang-unge"]
    assert goal["status"] == "no_data"
    assert goal["explanation"].startswith("seneste tal for Unge under 30 på kontanthjælp (match 1): afgangsrate er "
                                          "fra 2014-12, og tal må højst være 2 måneder gamle")
    # Nor is a trend drawn from 2014 into 2016: the early warning no longer fires on it.
    assert goal["forecast"]["forecast_status"] == "no_data"
    assert goal["forecast"]["forecast_explanation"].startswith("ingen prognose: seneste tal for")
    assert summary["open_deviations"] == [] and "deviation_flagged" not in summary["counts"]
    assert summary["years_without_observations"] == [2016]


def test_hilleroed_2014_is_still_judged_on_its_current_figures(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLES / "hilleroed"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    goal = summary["goals"]["afgang-unge"]
    assert (goal["status"], goal["period"]) == ("off_track", "2014-11")  # December's figures come in January
    assert goal["forecast"]["forecast_status"] != "no_data"
