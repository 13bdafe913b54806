"""The year report: content built from the event stream, Danish labels, escaping, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govcore.config import Configuration, load_config
from govcore.engine import EngineEvent
from govcore.i18n import use_language
from govcore.plugins import load_plugins
from govcore.report import build_report, danish_number, md_text, render_report
from govcore.simulate import SimulationResult, simulate

ROOT = Path(__file__).resolve().parent.parent
TRICKY = 'Besøg hos virksomheder <b>& "partnere"'
MD_TRICKY = 'Besøg hos virksomheder \\<b\\>& "partnere"'  # shown as written, never read as HTML

FILES = {
    "municipality.yaml": """
        municipality: 630
        year: 2021
        observations: [observations.csv]
        responses: responses.yaml
        national_goals: none
        rules: [rules.yaml]
    """,
    "organisation.yaml": """
        roles:
          - {id: udvalg, title: Arbejdsmarkedsudvalget, kind: committee}
          - {id: direktoer, title: Økonomi- og Arbejdsmarkedsdirektør, kind: director, superior: udvalg}
          - {id: chef, title: Arbejdsmarkedschef, kind: head, superior: direktoer}
          - {id: center, title: Center for Job & Erhverv (centerleder), kind: centre, superior: chef}
          - {id: team, title: Team Virksomhedsservice (teamleder), kind: team, superior: center}
    """,
    "kpis.yaml": """
        kpis:
          - {id: besoeg, name: Antal virksomhedsbesøg, unit: besøg, higher_is_better: true}
          - {id: jobrate, name: Andel i job, unit: "%", higher_is_better: true}
          - {id: ledige, name: Antal ledige, unit: personer, higher_is_better: false}
          - {id: tomt, name: Nøgletal uden data, unit: "%"}
    """,
    "goals.yaml": f"""
        goals:
          - id: g-besoeg
            title: '{TRICKY}'
            level: team
            owner: team
            kpi: besoeg
            target: {{kind: at_least, value: 1200, tolerance: 50}}
          - id: g-job
            title: Mindst 50 % i job
            level: national
            owner: center
            kpi: jobrate
            target: {{kind: at_least, value: 50}}
          - id: g-ledige
            title: Højst 1.000 ledige
            level: political
            owner: chef
            kpi: ledige
            target: {{kind: at_most, value: 1000, tolerance: 100}}
          - id: g-tomt
            title: Et mål uden data
            level: administrative
            owner: direktoer
            kpi: tomt
            target: {{kind: at_least, value: 10}}
        deliverables:
          - {{id: plan, title: Beskæftigelsesplan 2022, owner: chef}}
    """,
    "wheel.yaml": """
        timezone: Europe/Copenhagen
        roll: next
        milestones:
          - id: plan-frist
            title: Beskæftigelsesplan afleveres
            date: "30.09"
            type: due
            deliverables: [plan]
            responsible: chef
        followups:
          - id: maanedsmoede
            title: Opfølgningsmøde
            every: monthly
            responsible: chef
    """,
    "rules.yaml": """
        description: Regler til rapporttesten
        rules:
          - id: ude-af-kurs
            title: Mål ude af kurs
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track, open_deviation == false]
            then:
              - flag_deviation: {reason: "{title}: {value} mod kravet {expected}"}
              - demand_action: {from: owner, within: 5 working days, title: "Handling: {title}"}
          - id: i-risiko
            title: Mål i risiko
            when: {followup: monthly}
            for_each: goal
            if: [status == at_risk, open_deviation == false]
            then:
              - notify: {to: owner, message: "{title} er i risiko: {value} mod kravet {expected}"}
          - id: tilbage
            title: Tilbage på sporet
            when: {followup: monthly}
            for_each: goal
            if: [open_deviation == true, action_state == accepted, status == on_track]
            then:
              - close_deviation: {note: "{title} er tilbage på sporet"}
          - id: eskaler
            title: Eskalering til nærmeste leder
            when: {deadline: corrective_action}
            if: [at_top == false]
            then:
              - escalate: {to: superior, within: 5 working days}
          - id: i-udvalget
            title: Manglende handling i udvalget
            when: {deadline: corrective_action}
            if: [at_top == true]
            then:
              - notify: {to: owner, message: "Ingen handling for {title}"}
          - id: leverance
            title: Leverance mangler
            when: {wheel: any}
            for_each: deliverable
            if: [delivered == false]
            then:
              - flag_deviation: {reason: "{title} er ikke afleveret ved fristen {due}"}
    """,
    # besoeg is off track all year (escalates to the committee); jobrate dips in February and comes
    # back after an accepted action; ledige is at risk every month; tomt never gets a value.
    "observations.csv": "kpi,period,value\n"
    + "".join(f"besoeg,2021-{m:02d},1000\n" for m in range(1, 13))
    + "jobrate,2021-01,55\njobrate,2021-02,40\njobrate,2021-03,56\n"
    + "".join(f"ledige,2021-{m:02d},1050\n" for m in range(1, 13)),
    "responses.yaml": """
        responses:
          - {date: 2021-03-03, submit: {subject: g-job, text: Flere virksomhedsrettede forløb}}
          - {date: 2021-03-10, accept: {subject: g-job, text: Godkendt af chefen}}
          - {date: 2021-10-05, deliver: plan}
          - {date: 2021-11-10, accept: {subject: g-ledige}}
    """,
}


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> SimulationResult:
    folder = write_config(tmp_path_factory.mktemp("report"))
    return simulate(load_config(folder, plugins=load_plugins(entry_points=False)))


@pytest.fixture(scope="module")
def md(result: SimulationResult) -> str:
    return render_report(result, "md")


@pytest.fixture(scope="module")
def html(result: SimulationResult) -> str:
    return render_report(result, "html")


def section(text: str, heading: str) -> str:
    """The Markdown section under `## heading`, up to the next `## `."""
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 3)
    return text[start:end if end >= 0 else None]


def of_type(result: SimulationResult, kind: str) -> list[EngineEvent]:
    return [e for e in result.events if e.type == kind]


# ------------------------------------------------------------------------------------------ header


def test_header_names_municipality_versions_and_event_stream_hash(result: SimulationResult, md: str,
                                                                 html: str) -> None:
    s = result.summary
    for text in (md, html):
        assert "Årsrapport 2021 – Vejle" in text
        assert s["configuration_version"] in text
        assert s["rules_version"] in text
        assert s["events_sha256"] in text
    assert f"| Hændelser | {danish_number(s['events'], 0)} (" in md


# ----------------------------------------------------------------------------------- goals/status


def test_status_overview_counts_each_status(result: SimulationResult, md: str) -> None:
    statuses = [g["status"] for g in result.summary["goals"].values()]
    assert sorted(statuses) == ["at_risk", "no_data", "off_track", "on_track"]
    overview = section(md, "Mål og status")
    for label in ("På sporet", "I risiko", "Ude af kurs", "Ingen data"):
        assert f"| {label} | 1 |" in overview


def test_goals_are_grouped_by_level_with_owner_title_kpi_and_target(md: str) -> None:
    overview = section(md, "Mål og status")
    headings = re.findall(r"^### (.+)$", overview, flags=re.M)
    assert headings == ["Nationale mål (ministermål)", "Politiske mål (fokusområder)", "Administrative mål",
                        "Teammål"]
    row = next(line for line in overview.splitlines() if line.startswith("| Højst 1.000 ledige"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:7] == ["Højst 1.000 ledige", "Arbejdsmarkedschef", "Antal ledige", "højst 1.000 personer",
                         "1.050 personer (2021-11)", "1.000 personer", "I risiko"]


def test_html_status_has_a_colour_badge(html: str) -> None:
    assert '<span class="badge off_track">Ude af kurs</span>' in html
    assert '<span class="badge at_risk">I risiko</span>' in html
    assert re.search(r"\.off_track \{[^}]*background", html)


# -------------------------------------------------------------------------------------- deviations


def test_deviation_shows_reason_owner_title_rule_and_closing(result: SimulationResult, md: str) -> None:
    flagged = next(e for e in of_type(result, "deviation_flagged") if e.subject == "g-job")
    block = section(md, "Afvigelser")
    block = block[block.index(f"### {flagged.details['deviation']}: Mindst 50 % i job"):]
    block = block[:block.index("\n### ")]
    assert f"- Årsag: {flagged.details['reason']}" in block
    assert "- Ansvarlig: Center for Job & Erhverv (centerleder)" in block
    assert "(`ude-af-kurs`)" in block
    assert "- Lukket: 06.04.2021 – Mindst 50 % i job er tilbage på sporet" in block
    # The owner is the one asked, so the step says who must act, not "Krævet af <the owner>".
    assert re.search(r"01\.03\.2021: Krævet \(regel «[^»]+»\): Center for Job & Erhverv \(centerleder\) skal "
                     r"indsende en handling senest 08\.03\.2021 \(5 arbejdsdage\)", block)
    assert "Krævet af" not in md
    assert "Indsendt rettidigt: Flere virksomhedsrettede forløb" in block
    assert "10.03.2021: Godkendt: Godkendt af chefen" in block


def test_escalated_action_shows_every_step_with_new_due_dates(result: SimulationResult, md: str) -> None:
    escalations = of_type(result, "escalated")
    assert len(escalations) == 4
    block = section(md, "Afvigelser")
    for e in escalations:
        due = dt.date.fromisoformat(e.details["due"]).strftime("%d.%m.%Y")
        assert f"ny frist {due}" in block
    assert ("Eskaleret fra Team Virksomhedsservice (teamleder) til Center for Job & Erhverv (centerleder) "
            "(niveau 1)") in block
    assert "Varsling til Arbejdsmarkedsudvalget: Ingen handling for" in block
    assert "**stadig åben ved årets udgang**" in block


def test_escalations_table_lists_from_and_to_roles_in_order(result: SimulationResult, md: str) -> None:
    table = section(md, "Eskaleringer")
    rows = [line for line in table.splitlines() if re.match(r"\| \d\d\.\d\d\.2021", line)]
    pairs = [re.search(r"\| ([^|]+) → ([^|]+) \|", r).groups() for r in rows]  # type: ignore[union-attr]
    assert [(a.strip(), b.strip()) for a, b in pairs] == [
        ("Team Virksomhedsservice (teamleder)", "Center for Job & Erhverv (centerleder)"),
        ("Center for Job & Erhverv (centerleder)", "Arbejdsmarkedschef"),
        ("Arbejdsmarkedschef", "Økonomi- og Arbejdsmarkedsdirektør"),
        ("Økonomi- og Arbejdsmarkedsdirektør", "Arbejdsmarkedsudvalget"),
    ]
    assert [r.split("|")[5].strip() for r in rows] == ["1", "2", "3", "4"]


def test_open_items_at_year_end_match_the_engine(result: SimulationResult, md: str) -> None:
    block = section(md, "Åbne afvigelser og handlinger ved årets udgang")
    assert [d["id"] for d in result.summary["open_deviations"]] == ["dev-0001"]
    assert "| dev-0001 | " + MD_TRICKY in block
    (action,) = result.summary["open_actions"]
    row = next(line for line in block.splitlines() if line.startswith(f"| {action['id']} |"))
    assert "| Arbejdsmarkedsudvalget | Eskaleret – afventer handling |" in row
    overdue = (dt.date(2021, 12, 31) - dt.date.fromisoformat(action["due"])).days
    assert row.endswith(f"| {overdue} dage |")


def test_deliverables_show_due_delivered_and_days_late(md: str) -> None:
    block = section(md, "Leverancer")
    row = next(line for line in block.splitlines() if line.startswith("| Beskæftigelsesplan 2022"))
    assert "| 30.09.2021 | 05.10.2021 | 5 | Afleveret for sent |" in row


def test_deliverable_deviation_closes_on_delivery(md: str) -> None:
    block = section(md, "Afvigelser")
    assert "### dev-0003: Beskæftigelsesplan 2022" in block
    assert "- Lukket: 05.10.2021 – leverancen er afleveret" in block


# ------------------------------------------------------------------------------------------- wheel


def test_wheel_tells_what_each_followup_caused(md: str) -> None:
    wheel = section(md, "Årshjul")
    months = re.findall(r"^### (\w+)$", wheel, flags=re.M)
    assert months == ["Januar", "Februar", "Marts", "April", "Maj", "Juni", "Juli", "August", "September",
                      "Oktober", "November", "December"]
    # 1 February: January's figures are known; besøg is off track, ledige at risk.
    feb = next(line for line in wheel.splitlines() if line.startswith("| 01.02.2021 | Opfølgningsmøde"))
    assert feb.endswith("| 1 | 1 | 1 afvigelse åbnet, 1 handling krævet, 1 varsling |")
    apr = next(line for line in wheel.splitlines() if line.startswith("| 06.04.2021 | Opfølgningsmøde"))
    assert "1 afvigelse lukket" in apr
    sep = next(line for line in wheel.splitlines() if "Beskæftigelsesplan afleveres" in line)
    assert sep.startswith("| 30.09.2021 |") and "| Frist |" in sep and "1 afvigelse åbnet" in sep


# ---------------------------------------------------------------------------------- notifications


def test_notifications_per_role_group_repeated_messages(result: SimulationResult, md: str) -> None:
    block = section(md, "Varslinger pr. ansvarlig – hvad skal hver ansvarlig gøre")
    sent = [e for e in of_type(result, "notification") if e.owner == "chef"]
    assert len(sent) >= 10
    chef = block[block.index("### Arbejdsmarkedschef\n"):].split("\n### ")[0]
    assert chef.count("- Varsling") == 1
    assert f"- Varsling ({len(sent)} gange): Højst 1.000 ledige er i risiko: 1.050 mod kravet 1.000" in chef
    udvalg = block[block.index("### Arbejdsmarkedsudvalget\n"):].split("\n### ")[0]
    assert f"- Åben handling act-0001: Handling: {MD_TRICKY} (eskaleret – afventer handling, frist" in udvalg


def test_ignored_response_is_listed(md: str) -> None:
    block = section(md, "Svar uden virkning")
    # recorded in English (stored runs replay to the same bytes), read in Danish
    assert "| 10.11.2021 | godkendelse | g-ledige | ingen åben korrigerende handling passer |" in block


def test_plugin_events_and_unknown_ids_are_shown(result: SimulationResult) -> None:
    last = result.events[-1]
    at = dt.datetime(2021, 12, 20, 10, tzinfo=last.at.tzinfo)
    extra = [
        EngineEvent(seq=last.seq + 1, at=at, type="decision_requested", rule="beslut", owner="udvalg",
                    subject="omraade-x", subject_kind="survey_area",
                    details={"question": "Skal indsatsen løftes?", "rule_title": "Beslutning ønskes"}),
        EngineEvent(seq=last.seq + 2, at=at, type="notification", rule="x", owner="ukendt-rolle",
                    details={"to": "ukendt-rolle", "message": "Hej fra en ukendt rolle"}),
    ]
    text = render_report(dataclasses.replace(result, events=[*result.events, *extra]), "md")
    block = section(text, "Varslinger pr. ansvarlig – hvad skal hver ansvarlig gøre")
    udvalg = block[block.index("### Arbejdsmarkedsudvalget\n"):].split("\n### ")[0]
    assert "- Beslutning ønsket: Skal indsatsen løftes? – 20.12.2021 (regel: Beslutning ønskes)" in udvalg
    assert "### ukendt-rolle\n\n- Varsling: Hej fra en ukendt rolle" in block


def test_rejection_and_exhausted_escalation_are_told(result: SimulationResult) -> None:
    last = result.events[-1]
    at = dt.datetime(2021, 12, 20, 12, tzinfo=last.at.tzinfo)
    common = {"at": at, "goal": "g-besoeg", "subject": "g-besoeg", "subject_kind": "goal", "owner": "udvalg"}
    extra = [
        EngineEvent(seq=last.seq + 1, type="action_submitted", **common,  # type: ignore[arg-type]
                    details={"action": "act-0001", "text": "Plan", "on_time": False}),
        EngineEvent(seq=last.seq + 2, type="action_rejected", **common,  # type: ignore[arg-type]
                    details={"action": "act-0001", "text": "For tynd", "new_due": "2021-12-28"}),
        EngineEvent(seq=last.seq + 3, type="escalation_exhausted", rule="eskaler", **common,  # type: ignore[arg-type]
                    details={"action": "act-0001", "reason": "'udvalg' has no superior"}),
    ]
    text = render_report(dataclasses.replace(result, events=[*result.events, *extra]), "md")
    steps = section(text, "Afvigelser")
    assert "20.12.2021: Indsendt efter fristen: Plan" in steps
    assert "20.12.2021: Afvist: For tynd – ny frist 28.12.2021" in steps
    assert "20.12.2021: Kan ikke eskaleres højere end Arbejdsmarkedsudvalget" in steps
    assert "status: Afvist – afventer ny handling" in steps
    table = section(text, "Eskaleringer")
    assert "| Arbejdsmarkedsudvalget → – (ingen overordnet) | – | – | `eskaler` |" in table


# ------------------------------------------------------------------------------ format properties


class _Balance(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
        else:
            self.stack.pop()


def test_html_is_well_formed_self_contained_and_printable(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"da\">")
    assert '<meta charset="utf-8">' in html
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.problems == [] and parser.stack == []
    assert parser.tags.count("table") >= 5
    assert "script" not in parser.tags and "link" not in parser.tags
    assert not re.search(r'src=|href="(?!#)', html)  # only links within the report
    for anchor in re.findall(r'href="#([^"]+)"', html):
        assert f'id="{anchor}"' in html, anchor
    assert "@media print" in html


def test_html_escapes_titles_and_markdown_keeps_them(html: str, md: str) -> None:
    escaped = "Besøg hos virksomheder &lt;b&gt;&amp; &#34;partnere&#34;"
    assert escaped in html
    assert "<b>" not in html
    assert MD_TRICKY in md and TRICKY not in md


def test_md_and_html_show_the_same_goal_titles(result: SimulationResult, md: str, html: str) -> None:
    from markupsafe import escape

    for goal in result.config.goals:
        assert md_text(goal.title) in md
        assert str(escape(goal.title)) in html


def test_markdown_table_cells_escape_pipes(result: SimulationResult) -> None:
    goals = [g.model_copy(update={"title": "A | B"}) if g.id == "g-job" else g for g in result.config.goals]
    config = dataclasses.replace(result.config, goals=goals)
    text = render_report(dataclasses.replace(result, config=config), "md")
    assert "| A \\| B |" in text


def test_rendering_is_deterministic(result: SimulationResult, tmp_path: Path) -> None:
    again = simulate(load_config(write_config(tmp_path / "again"), plugins=load_plugins(entry_points=False)))
    for fmt in ("md", "html"):
        first = render_report(result, fmt)
        assert first == render_report(result, fmt)
        assert first == render_report(again, fmt)
        assert dt.date.today().strftime("%d.%m.%Y") not in first


def test_unknown_format_is_refused(result: SimulationResult) -> None:
    with pytest.raises(ValueError, match="ukendt rapportformat 'pdf'; brug md eller html"):
        render_report(result, "pdf")  # type: ignore[arg-type]
    with use_language("en"), pytest.raises(ValueError, match="unknown report format 'pdf'; use md or html"):
        render_report(result, "pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1234.5, 1, "1.234,5"), (1_000_000, 1, "1.000.000"), (25.99945, 1, "26"), (-50, 1, "-50"),
    (0.25, 2, "0,25"), (None, 1, "–"),
])
def test_numbers_are_written_the_danish_way(value: float | None, decimals: int, text: str) -> None:
    assert danish_number(value, decimals) == text


def test_report_model_lists_deviations_in_the_order_they_opened(result: SimulationResult) -> None:
    report = build_report(result)
    assert [d.id for d in report.deviations] == [e.details["deviation"]
                                                 for e in of_type(result, "deviation_flagged")]


def test_vejle_example_report(vejle_config: Configuration) -> None:
    cfg = vejle_config  # needs the three plugins (scripts/setup.sh installs them)
    text = render_report(simulate(cfg, year=2021), "md")
    assert "Årsrapport 2021 – Vejle" in text
    assert "Økonomi- og Arbejdsmarkedsdirektør" in text


def test_every_measured_goal_has_a_chart_and_a_forecast_column(result: SimulationResult, md: str,
                                                                html: str) -> None:
    measured = [g for g in result.config.goals if g.kpi]
    report = build_report(result)
    charts = [c for group in report.goal_groups for g in group.goals for c in g.charts]
    assert {c.anchor for c in charts} >= {f"graf-{g.id}" for g in measured}
    assert html.count('<figure class="chart"') == len(charts)
    assert html.count("<svg ") == len(charts) + len(report.wheel_diagrams)
    assert "| Prognose |" in md and "<th>Prognose</th>" in html
    report = build_report(result)
    rows = {g.id: g for group in report.goal_groups for g in group.goals}
    assert rows["g-tomt"].forecast == "–" and rows["g-tomt"].forecast_status == "no_data"
    assert "Ingen data" in rows["g-tomt"].charts[0].svg


def test_the_report_forecasts_what_the_engine_forecast_at_year_end(vejle_config: Configuration) -> None:
    cfg = vejle_config
    res = simulate(cfg)
    rows = {g.id: g for group in build_report(res).goal_groups for g in group.goals}
    for goal_id, st in res.summary["goals"].items():
        assert rows[goal_id].forecast_status == st["forecast"]["forecast_status"], goal_id
    assert sum(1 for r in rows.values() if r.forecast != "–") >= 10


def test_plugin_report_sections_are_shown_and_a_failing_one_becomes_a_note(tmp_path: Path) -> None:
    """The govcore_report_sections hook: a section with a table and chart is rendered in both formats;
    a section whose build raises is a note, and the rest of the report still renders."""
    import govcore

    def good(ctx: govcore.SubjectContext) -> list[govcore.ReportSection]:
        chart = govcore.bar_chart([govcore.Bar("Praktik", 2.5)], title="Effekt pr. krone")
        return [govcore.ReportSection(title="Tilbud pr. krone", intro=f"Pr. {ctx.day.isoformat()}",
                                      headers=("Tilbud", "Effekt"), rows=(("Praktik <b>", "2,5"),), chart=chart)]

    def bad(ctx: govcore.SubjectContext) -> list[govcore.ReportSection]:
        raise RuntimeError("boom")

    class SectionPlugin:
        @govcore.hookimpl
        def govcore_report_sections(self) -> list[govcore.ReportSectionSpec]:
            return [govcore.ReportSectionSpec("a-good", "God", good), govcore.ReportSectionSpec("b-bad", "Dårlig", bad),
                    govcore.ReportSectionSpec("c-unused", "Ubrugt", bad, settings_key="not-configured")]

    plugins = load_plugins()
    plugins.register(SectionPlugin(), name="sections")
    assert "a-good" in plugins.report_sections()
    cfg = load_config(ROOT / "examples" / "vejle", plugins=plugins)
    res = simulate(cfg)
    md, html = render_report(res, "md"), render_report(res, "html")
    assert "## Tilbud pr. krone" in md and "| Praktik \\<b\\> | 2,5 |" in md and "Pr. 2021-12-31" in md
    assert "Praktik &lt;b&gt;" in html and "Effekt pr. krone</title>" in html
    assert "kunne ikke laves: RuntimeError: boom" in md and "Ubrugt" not in md
    assert "## Bilag" in md


def test_markdown_report_links_its_charts_as_svg_files_beside_it(result: SimulationResult, tmp_path: Path) -> None:
    from govcore.simulate import write_outputs

    files = write_outputs(result, tmp_path / "a", report_format="both")
    md = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", md)
    charts = [c for grp in build_report(result).goal_groups for g in grp.goals for c in g.charts]
    assert charts and len(links) == len(charts) and "Graferne over målene" not in md
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    for alt, link in links:
        assert link.startswith("charts/maal-") and link.endswith(".svg")  # relative, beside report.md
        svg = (tmp_path / "a" / link).read_text(encoding="utf-8")
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg in html  # the HTML's own chart
        assert tmp_path / "a" / link in files and alt in {c.title for c in charts}
    # Deterministic: a second run writes the same bytes, and nothing else
    write_outputs(result, tmp_path / "b", report_format="both")
    for f in files:
        assert (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes() == f.read_bytes()
    assert sorted(p.name for p in (tmp_path / "b" / "charts").iterdir()) == sorted(
        p.name for p in (tmp_path / "a" / "charts").iterdir())


def test_chart_file_names_are_safe_and_never_clash(result: SimulationResult) -> None:
    from govcore.report import chart_files

    report = build_report(result)
    row = next(g for g in report.goal_groups[0].goals if g.charts and "-" in g.id)
    chart = row.charts[0]
    twin = dataclasses.replace(row, id=row.id.replace("-", ":"), charts=(
        dataclasses.replace(chart, anchor="graf-" + row.id.replace("-", ":"), svg="<svg/>"),))
    doubled = dataclasses.replace(report, goal_groups=[dataclasses.replace(
        report.goal_groups[0], goals=[*report.goal_groups[0].goals, twin])])
    names = [path for path, _ in chart_files(doubled, "charts").values()]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"charts/[A-Za-z0-9_.-]+\.svg", n) for n in names)
    assert f"charts/maal-{row.id}-2.svg" in names


def test_the_files_written_are_listed_with_charts_counted_per_folder(tmp_path: Path) -> None:
    from govcore.i18n import use_language
    from govcore.simulate import written_lines

    files = [tmp_path / "report.md", tmp_path / "charts" / "a.svg", tmp_path / "charts" / "b.svg",
             tmp_path / "charts-2021" / "a.svg"]
    assert written_lines(files) == [f"skrev {tmp_path / 'report.md'}", f"skrev 2 diagrammer i {tmp_path / 'charts'}/",
                                    f"skrev 1 diagram i {tmp_path / 'charts-2021'}/"]
    with use_language("en"):
        assert written_lines(files) == [f"wrote {tmp_path / 'report.md'}",
                                        f"wrote 2 charts in {tmp_path / 'charts'}/",
                                        f"wrote 1 chart in {tmp_path / 'charts-2021'}/"]
