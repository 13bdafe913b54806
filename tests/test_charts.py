"""Server-side SVG charts: valid, deterministic, escaped, and the forecast drawn where it belongs."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

from govcore.charts import Bar, Line, WheelMark, bar_chart, goal_chart, line_chart, nice_ticks, wheel_chart
from govcore.forecast import forecast_goal
from govcore.goalchart import goal_charts
from govcore.model import KPI, Goal, Observation
from govcore.observations import ObservationStore

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    ticks = nice_ticks(83.1, 88.9)
    assert ticks[0] <= 83.1 and ticks[-1] >= 88.9
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert steps == {2.0}
    assert nice_ticks(5, 5)[0] < 5 < nice_ticks(5, 5)[-1]


def test_a_line_chart_is_valid_svg_with_danish_numbers_and_escaped_text() -> None:
    svg = line_chart([Line("A & B <x>", [(0, 1000.0), (1, 2500.5)])], title="Tilgang & afgang",
                     x_labels={0: "2021-01", 1: "2021-02"}, unit="personer")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "A & B <x>" in texts and "Tilgang & afgang" in texts
    assert any(t and "." in t and "," not in t for t in texts)  # 1.000-style thousands
    assert svg == line_chart([Line("A & B <x>", [(0, 1000.0), (1, 2500.5)])], title="Tilgang & afgang",
                             x_labels={0: "2021-01", 1: "2021-02"}, unit="personer")


def test_a_bar_chart_draws_one_bar_per_item_in_the_given_order() -> None:
    bars = [Bar("Virksomhedspraktik", 3.5), Bar("Løntilskud", 1.25, highlight=True), Bar("Kursus", -0.5)]
    root = parse(bar_chart(bars, title="Effekt pr. 10.000 kr."))
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 3
    ys = [float(r.get("y", "0")) for r in rects]
    assert ys == sorted(ys)
    widths = [float(r.get("width", "0")) for r in rects]
    assert widths[0] > widths[1] > widths[2] > 0
    assert "1,25" in "".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_empty_charts_say_so() -> None:
    assert "Ingen data" in line_chart([], title="x", x_labels={})
    assert "Ingen data" in bar_chart([], title="x")


def test_the_goal_chart_draws_the_projection_band_and_requirement() -> None:
    kpi = KPI(id="share", name="andel", unit="%")
    obs = [Observation(kpi="share", period=f"2021-{m:02d}", value=56.0 - m) for m in range(1, 6)]
    goal = Goal.model_validate({"id": "g", "title": "Mindst 50 %", "level": "team", "owner": "x", "kpi": "share",
                                "target": {"kind": "at_least", "value": 50}})
    view = ObservationStore(obs).as_of(dt.date(2021, 6, 15))
    fc = forecast_goal(goal, {"share": kpi}, view)
    root = parse(goal_chart(goal.title, view.history("share"), fc, "%"))
    dashed = [p for p in root.iter(f"{SVG}polyline") if p.get("stroke-dasharray") == "6 4"]
    assert len(dashed) == 1
    assert len(list(root.iter(f"{SVG}polygon"))) == 1  # the 80 % band
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Prognose 2021-12" in texts and "Krav 50" in texts and "2021-12" in texts
    plain = goal_chart(goal.title, view.history("share"))
    assert "Prognose" not in plain and "<polygon" not in plain


def _goal(target: dict[str, object]) -> Goal:
    return Goal.model_validate({"id": "g", "title": "Målet", "level": "team", "owner": "x", "kpi": "share",
                                "target": target})


def _labels(svg: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{SVG}text")]


def test_a_goal_chart_draws_what_the_target_asks_and_tables_its_figures() -> None:
    kpi = KPI(id="share", name="andel", unit="%")
    obs = [Observation(kpi="share", period=str(y), value=v) for y, v in ((2019, 24.0), (2020, 25.5), (2021, 26.4))]
    national = [Observation(kpi="share", period=str(y), value=v, series="national")
                for y, v in ((2019, 23.0), (2020, 24.0), (2021, 25.0))]
    view = ObservationStore([*obs, *national]).as_of(dt.date(2022, 6, 1))
    (chart,) = goal_charts(_goal({"kind": "at_least", "value": 25}), kpi, view, None)
    assert "Krav: mindst 25,0 %" in _labels(chart.svg)
    assert chart.table.headers == ("Periode", "Faktisk", "Krav: mindst 25,0 %")
    assert chart.table.rows[-1] == ("2021", "26,4 %", "25,0 %")
    assert parse(chart.svg).find(f"{SVG}desc").text == chart.desc  # type: ignore[union-attr]

    (path,) = goal_charts(_goal({"kind": "trajectory", "milestones": [{"period": "2020", "value": 25},
                                                                       {"period": "2025", "value": 30}]}),
                          kpi, view, None)
    assert "2025" in _labels(path.svg) and ("2025", "–", "30,0 %") in path.table.rows

    (bench,) = goal_charts(_goal({"kind": "benchmark", "series": "national"}), kpi, view, None)
    assert bench.table.headers[-1] == "Landsgennemsnittet" and bench.table.rows[0] == ("2019", "24,0 %", "23,0 %")


def test_a_rank_target_gets_a_second_chart_of_the_rank_with_nr_1_on_top() -> None:
    kpi = KPI(id="share", name="andel", unit="%")
    rows = [Observation(kpi="share", period=f"2021-Q{q}", value=float(v), municipality=m)
            for q in (1, 2) for m, v in (("630", 40 + q * 10), ("101", 45), ("147", 55))]
    view = ObservationStore(rows).as_of(dt.date(2021, 12, 31))
    value, rank = goal_charts(_goal({"kind": "rank", "top": 1, "of": 3}), kpi, view, "630")
    assert rank.anchor == "graf-g-placering"
    # Q1: 50 is second of 45, 50, 55; Q2: 60 is first.
    assert [r[:2] for r in rank.table.rows] == [("2021-Q1", "nr. 2"), ("2021-Q2", "nr. 1")]
    circles = [c for c in parse(rank.svg).iter(f"{SVG}circle")]
    assert float(circles[1].get("cy", "0")) < float(circles[0].get("cy", "0"))  # nr. 1 is drawn higher
    assert value.table.rows == (("2021-Q1", "50,0 %"), ("2021-Q2", "60,0 %"))


def test_the_wheel_chart_is_deterministic_and_escapes_labels() -> None:
    marks = [WheelMark(dt.date(2021, 3, 1), "Møde <b>", 0, href="#hjul-1")]
    svg = wheel_chart(marks, year=2021, rings=["Chef & co"], title="Årshjul 2021")
    assert svg == wheel_chart(marks, year=2021, rings=["Chef & co"], title="Årshjul 2021")
    root = parse(svg)
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == "#hjul-1" and link.find(f"{SVG}title").text == "Møde <b>"  # type: ignore[union-attr]
    assert "1. Chef & co" in _labels(svg)


def test_a_wheel_with_links_for_the_keyboard_is_a_group_and_otherwise_unchanged() -> None:
    """The pages draw the årshjul as role="group" (its marks are links to reach with the keyboard);
    the report keeps role="img", and the rest of the drawing is the same."""
    marks = [WheelMark(dt.date(2021, 3, 1), "Møde", 0, href="#hjul-1")]
    picture = wheel_chart(marks, year=2021, rings=["Chef"], title="Årshjul 2021", today=dt.date(2021, 3, 3))
    group = wheel_chart(marks, year=2021, rings=["Chef"], title="Årshjul 2021", today=dt.date(2021, 3, 3), role="group")
    assert parse(picture).get("role") == "img" and parse(group).get("role") == "group"
    assert group == picture.replace('role="img"', 'role="group"', 1)
