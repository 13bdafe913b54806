"""Effektøkonomi: the effect-per-krone ranking on a small set with a known answer; flows and their rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from english_words import untranslated
from govcore_initiatives import flows, offers
from govcore_initiatives.offers import OfferYear, latest_ranking, rank
from govcore_initiatives.settings import Weights

from govcore import InputError, Municipality, SourceContext, use_language

MUNI = Municipality(code="219", name="Hillerød")


def offer(ident: str, cost: float, employment: float, progression: float, satisfaction: float,
          group: str = "unge", year: int = 2013, participants: float = 100) -> OfferYear:
    return OfferYear(ident, ident.title(), group, year, participants, cost, employment, progression, satisfaction,
                     dt.date(year + 1, 3, 1))


def test_effect_per_krone_ranking_has_the_hand_computed_answer() -> None:
    # weights 0.5 / 0.3 / 0.2; 100 participants each, so cost per participant = cost / 100
    a = offer("a", 500_000, 40, 50, 70)  # score 20 + 15 + 14 = 49;  5.000 kr. -> 98 per 10.000 kr.
    b = offer("b", 200_000, 20, 30, 60)  # score 10 + 9 + 12 = 31;  2.000 kr. -> 155
    c = offer("c", 1_000_000, 60, 80, 90)  # score 30 + 24 + 18 = 72; 10.000 kr. -> 72
    ranked = rank([a, b, c], Weights())
    assert [(r.row.offer, r.rank, r.of) for r in ranked] == [("b", 1, 3), ("a", 2, 3), ("c", 3, 3)]
    assert [r.score for r in ranked] == pytest.approx([31, 49, 72])
    assert [r.effect_per_kr for r in ranked] == pytest.approx([155, 98, 72])


def test_weights_change_the_ranking_and_are_normalised() -> None:
    a = offer("a", 100_000, 10, 90, 50)
    b = offer("b", 100_000, 60, 10, 50)
    only_jobs = rank([a, b], Weights(employment=2, progression=0, satisfaction=0))
    assert [r.row.offer for r in only_jobs] == ["b", "a"]
    assert only_jobs[0].score == pytest.approx(60)
    only_progress = rank([a, b], Weights(employment=0, progression=1, satisfaction=0))
    assert [r.row.offer for r in only_progress] == ["a", "b"]
    with pytest.raises(ValueError, match="mindst én vægt skal være over 0"):
        Weights(employment=0, progression=0, satisfaction=0)


def test_offers_are_compared_within_their_group_and_year_only_and_ties_go_to_the_id() -> None:
    rows = [offer("x", 100_000, 50, 50, 50), offer("y", 100_000, 50, 50, 50),
            offer("z", 100_000, 10, 10, 10, group="voksne"), offer("x", 100_000, 10, 10, 10, year=2014)]
    ranked = rank(rows, Weights())
    assert [(r.row.group, r.row.year, r.row.offer, r.rank, r.of) for r in ranked] == [
        ("unge", 2013, "x", 1, 2), ("unge", 2013, "y", 2, 2), ("unge", 2014, "x", 1, 1), ("voksne", 2013, "z", 1, 1)]
    # On 1 March 2015 the 2014 figures are known: the latest year of each group is ranked
    latest = latest_ranking(rows, Weights(), 10_000, dt.date(2015, 3, 1))
    assert [(r.row.offer, r.row.year) for r in latest] == [("x", 2014), ("z", 2013)]
    assert latest_ranking(rows, Weights(), 10_000, dt.date(2014, 2, 28)) == []


def ctx(folder: Path, settings: dict[str, object]) -> SourceContext:
    return SourceContext(municipality=MUNI, base_dir=folder, settings=settings, year=2014)


def test_the_offers_file_gives_kpis_with_the_ranking_inputs(tmp_path: Path) -> None:
    (tmp_path / "offers.csv").write_text(
        "offer;title;group;year;participants;cost;employment_pct;progression_pct;satisfaction_pct\n"
        "a;Praktik;unge;2013;100;500.000;40;50;70\n"
        "b;Kursus;unge;2013;100;200.000;20;30;60\n", encoding="utf-8")
    c = ctx(tmp_path, {"file": "offers.csv"})
    kpis = {k.id for k in offers.SOURCE.kpis(c)}
    assert "offer:a:effect_per_kr" in kpis and "offer:b:cost_per_participant" in kpis
    obs = {(o.kpi, o.period): o.value for o in offers.SOURCE.load(c)}
    assert obs[("offer:a:effect_per_kr", "2013")] == pytest.approx(98)
    assert obs[("offer:b:cost_per_participant", "2013")] == pytest.approx(2000)


def test_bad_offer_rows_are_reported_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "offers.csv").write_text(
        "offer;title;group;year;participants;cost;employment_pct;progression_pct;satisfaction_pct\n"
        "a;Praktik;unge;2013;0;500.000;40;50;70\n"
        "b;Kursus;unge;13;100;200.000;120;30;60\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        offers.SOURCE.load(ctx(tmp_path, {"file": "offers.csv"}))
    text = str(err.value)
    assert "offers.csv:2" in text and "participants" in text
    assert "offers.csv:3" in text and "'13' er ikke et år" in text and "employment_pct" in text


def test_flow_rates_are_per_100_at_the_start_of_the_period() -> None:
    out = flows.rates(stock=340, inflow=38, outflow=35)  # 337 at the start
    assert out["outflow_rate"] == pytest.approx(35 / 337 * 100)
    assert out["inflow_rate"] == pytest.approx(38 / 337 * 100)
    assert out["net_flow"] == 3
    assert "outflow_rate" not in flows.rates(stock=5, inflow=5, outflow=0)  # nobody at the start


def test_the_flows_file_gives_kpis_usable_in_targets(tmp_path: Path) -> None:
    (tmp_path / "flows.csv").write_text("group;period;stock;inflow;outflow\n"
                                        "unge;2014-01;328;38;42\nunge;2014-02;325;38;41\n", encoding="utf-8")
    c = ctx(tmp_path, {"file": "flows.csv", "groups": {"unge": "Unge på kontanthjælp"}})
    kpis = {k.id: k for k in flows.SOURCE.kpis(c)}
    assert kpis["flow:unge:outflow_rate"].higher_is_better and kpis["flow:unge:outflow_rate"].unit == "%"
    assert kpis["flow:unge:outflow_rate"].name == "Unge på kontanthjælp: afgangsrate"
    obs = {(o.kpi, o.period): o.value for o in flows.SOURCE.load(c)}
    assert obs[("flow:unge:outflow_rate", "2014-01")] == pytest.approx(42 / 332 * 100, abs=1e-6)
    assert obs[("flow:unge:stock", "2014-02")] == 325


def test_bad_flow_rows_and_paths_outside_the_folder_are_errors(tmp_path: Path) -> None:
    (tmp_path / "flows.csv").write_text("group;period;stock;inflow;outflow\n"
                                        "Unge X;2014-13;-1;38;42\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        flows.SOURCE.load(ctx(tmp_path, {"file": "flows.csv"}))
    text = str(err.value)
    assert "flows.csv:2" in text and "group" in text and "period" in text and "stock" in text
    assert "'Unge X' er ikke en gruppes id" in text and "'-1' er ikke et tal på 0 eller mere" in text
    assert untranslated(" ".join(f"{p.message} {p.hint}" for p in err.value.problems)) == []  # fields are columns
    with pytest.raises(InputError, match=r"'\.\./flows\.csv' ligger uden for konfigurationens mappe"):
        flows.SOURCE.load(ctx(tmp_path, {"file": "../flows.csv"}))
    with use_language("en"), pytest.raises(InputError, match=r"'\.\./flows\.csv' is outside the configuration folder"):
        flows.SOURCE.load(ctx(tmp_path, {"file": "../flows.csv"}))


def test_the_offer_subjects_carry_rank_and_the_last_in_group() -> None:
    from govcore import ObservationStore, SubjectContext, load_config

    cfg = load_config(Path(__file__).resolve().parents[3] / "examples" / "hilleroed")

    def subjects(day: dt.date) -> list[object]:
        return offers.offer_subjects(SubjectContext(
            municipality=cfg.municipality, day=day, observations=ObservationStore().as_of(day),
            organisation=cfg.organisation, kpis=cfg.kpis, settings=cfg.sources["offers"], base_dir=cfg.base_dir))

    assert subjects(dt.date(2014, 2, 28)) == []  # the 2013 figures are known from 1 March 2014
    found = subjects(dt.date(2014, 3, 1))
    fields = [s.fields for s in found]  # type: ignore[attr-defined]
    assert [(f["offer"], f["rank"], f["of"], f["last_in_group"]) for f in fields] == [
        ("straksaktivering", 1, 4, False), ("virksomhedspraktik", 2, 4, False), ("vejledningsforloeb", 3, 4, False),
        ("mentor", 4, 4, True)]
    assert {s.owner for s in found} == {"jobcenterchef"}  # type: ignore[attr-defined]
    assert set(fields[0]) == {f.name for f in offers.FIELDS}
