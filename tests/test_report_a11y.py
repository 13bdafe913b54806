"""The report's HTML for people: Danish, headings in order, charts with a name, a description and
their figures as a table, status colours readable (contrast computed), escaping everywhere, and
the wording the committee reads (dates, percentages, places, who is asked)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import GOALS, write_config

from govcore.charts import WheelMark, wheel_chart
from govcore.config import load_config
from govcore.plugins import load_plugins
from govcore.report import build_report, md_text, render_report, stylesheet
from govcore.simulate import SimulationResult, simulate

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
SCRIPT_TITLE = '<script>alert("x")</script> *fed* [link](http://x) & more'


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> SimulationResult:
    goals = GOALS.replace("title: Mindst 50 % i job", f"title: '{SCRIPT_TITLE}'")
    folder = write_config(tmp_path_factory.mktemp("a11y"), goals=goals)
    return simulate(load_config(folder, plugins=load_plugins(entry_points=False)))


@pytest.fixture(scope="module")
def html(result: SimulationResult) -> str:
    return render_report(result, "html")


@pytest.fixture(scope="module")
def vejle() -> SimulationResult:
    return simulate(load_config(ROOT / "examples" / "vejle"), year=2021)


# ------------------------------------------------------------------------------------ escaping


def test_a_goal_title_with_a_script_is_text_in_html_and_markdown(result: SimulationResult, html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; *fed* [link](http://x) &amp; more" in html
    md = render_report(result, "md")
    assert md_text(SCRIPT_TITLE) in md and "<script>" not in md
    assert md_text(SCRIPT_TITLE) == r'\<script\>alert("x")\</script\> \*fed\* \[link\](http://x) & more'
    # In the SVG too: the chart's name and description are escaped XML.
    svg = next(c.svg for g in build_report(result).goal_groups for row in g.goals if row.id == "g-job"
               for c in row.charts)
    assert ET.fromstring(svg).find(f"{SVG}title").text == SCRIPT_TITLE  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------- structure


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def test_the_report_is_danish_and_its_headings_never_skip_a_level(html: str) -> None:
    outline = _Outline()
    outline.feed(html)
    assert outline.html_lang == "da"
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, outline.headings


def test_the_summary_comes_first_with_traffic_lights(html: str, vejle: SimulationResult) -> None:
    main = html[html.index("<main>"):]
    assert main.index('id="overblik"') < main.index('id="maal"')
    report = build_report(vejle)
    national = sorted(light.title for light in report.summary.national)
    assert national and national == sorted(g.title for g in vejle.config.goals if g.level.value == "national"
                                           and vejle.summary["goals"][g.id].get("in_effect", True))
    assert report.summary.political and all(f'href="#{light.anchor}"' in render_report(vejle, "html")
                                            for light in report.summary.political)
    text = render_report(vejle, "html")
    summary = text[text.index('id="overblik"'):text.index('id="maal"')]
    assert summary.count('class="light ') == len(report.summary.national) + len(report.summary.political)
    # A fokusområde tells how the goals below it in the cascade stand.
    assert any("mål under:" in light.below for light in report.summary.political)


def test_every_chart_has_a_name_a_description_and_its_figures_as_a_table(vejle: SimulationResult) -> None:
    report = build_report(vejle)
    charts = [c for g in report.goal_groups for row in g.goals for c in row.charts]
    assert len(charts) >= 20
    for c in charts:
        root = ET.fromstring(c.svg)
        assert root.get("role") == "img" and root.get("aria-label") == c.title
        assert root.find(f"{SVG}title") is not None and (root.find(f"{SVG}desc").text or "") == c.desc  # type: ignore[union-attr]
        assert c.table.headers[0] == "Periode" and c.table.rows, c.anchor
    html = render_report(vejle, "html")
    assert html.count("<summary>Tal bag grafen</summary>") == len(charts)


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two colours (#rrggbb)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_is_computed_the_wcag_way() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-too-light grey


def test_every_text_colour_of_the_stylesheet_has_a_contrast_of_at_least_4_5() -> None:
    css = stylesheet()
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    checked = []
    for selector, body in rules:
        props = dict(re.findall(r"([a-z-]+)\s*:\s*([^;]+);", body))
        colour = props.get("color", "").strip()
        if not re.fullmatch(r"#[0-9a-f]{6}", colour):
            continue
        background = props.get("background", "#ffffff").strip()  # text without a background lies on white
        ratio = contrast(colour, background)
        checked.append((selector.strip(), ratio))
        assert ratio >= 4.5, f"{selector.strip()}: {colour} on {background} is {ratio:.2f}:1"
    selectors = {s for s, _ in checked}
    assert {".on_track", ".at_risk", ".off_track", ".no_data", ".muted"} <= selectors


# ----------------------------------------------------------------------------------- the årshjul


def test_the_wheel_is_a_circle_of_twelve_months_whose_items_link_to_the_list(vejle: SimulationResult) -> None:
    report = build_report(vejle)
    (diagram,) = report.wheel_diagrams
    root = ET.fromstring(diagram.svg)
    assert [t.text for t in root.iter(f"{SVG}text")][1:13] == ["jan", "feb", "mar", "apr", "maj", "jun", "jul",
                                                                "aug", "sep", "okt", "nov", "dec"]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    entries = [e for m in report.wheel for e in m.entries]
    assert sorted(links) == sorted(f"#{e.anchor}" for e in entries) and len(links) >= 30
    html = render_report(vejle, "html")
    assert all(f'<tr id="{e.anchor}">' in html for e in entries)
    assert "I dag" not in diagram.svg  # a simulated year has no today


def test_the_wheel_marks_today_when_there_is_one(vejle: SimulationResult) -> None:
    as_of = dataclasses.replace(vejle, summary={**vejle.summary, "as_of": "2021-06-15T23:59:00+02:00"})
    (diagram,) = build_report(as_of).wheel_diagrams
    assert "I dag 15.06.2021" in diagram.svg and "I dag er 15.06.2021." in diagram.desc
    marks = [WheelMark(dt.date(2021, 1, 1), "a", 0), WheelMark(dt.date(2021, 7, 2), "b", 1, milestone=True)]
    svg = wheel_chart(marks, year=2021, rings=["Chef", "Udvalg"], title="Årshjul 2021", today=dt.date(2021, 7, 2))
    root = ET.fromstring(svg)
    line = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#b00020"]
    assert len(line) == 1
    # 2 July is the middle of the year: the mark points straight down from the centre.
    assert float(line[0].get("x2", "0")) == pytest.approx(float(line[0].get("x1", "0")), abs=2)
    assert float(line[0].get("y2", "0")) > float(line[0].get("y1", "0"))
    assert len(list(root.iter(f"{SVG}polygon"))) == 2  # the milestone and the legend's diamond


# ------------------------------------------------------------------------------------- wording


def test_the_vejle_report_speaks_danish_to_the_committee(vejle: SimulationResult) -> None:
    md = render_report(vejle, "md")
    html = render_report(vejle, "html")
    titles = sorted({g.title for g in vejle.config.goals}, key=len, reverse=True)
    text = md
    for t in titles:  # the municipality's own titles are quoted as written
        text = text.replace(md_text(t), "TITEL")
    assert "budget_area" not in md and "budget_area" not in html
    assert "Sygedagpenge (budgetområde)" in md
    assert not re.findall(r"\d+(?:,\d+)? placering", md)
    assert "nr. 27 (2021-Q3)" in md and "frem mod nr. 20 eller bedre" in md
    # Dates as dd.mm.yyyy: no ISO date outside code spans (hashes, rule ids).
    assert not re.findall(r"\b\d{4}-\d{2}-\d{2}\b", re.sub(r"`[^`]*`", "", text))
    # One style for percentages: a decimal comma, one decimal and a space before the sign.
    assert not re.findall(r"(?<![\d,.])\d+(?:\.\d{3})* ?%|\d%", text)
    assert "med 4,0 %" in md
    assert "Krævet af" not in md


def test_an_accepted_action_is_not_shown_as_overdue(vejle: SimulationResult) -> None:
    report = build_report(vejle)
    accepted = [a for a in report.open_actions if a.state == "Godkendt"]
    assert accepted, "the Vejle year has an accepted action whose deviation is still open"
    assert all(a.overdue == "–" for a in accepted)
    waiting = [a for a in report.open_actions if a.state.startswith("Eskaleret")]
    assert waiting and all(a.overdue.endswith("dage") for a in waiting)
