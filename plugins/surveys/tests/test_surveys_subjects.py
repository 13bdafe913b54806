"""Survey areas as subjects of rules over the years; the request_decision action; the hooks."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from govcore_surveys import plugin
from govcore_surveys.actions import ACTION, RequestDecision
from govcore_surveys.source import load_surveys, survey_kpis
from govcore_surveys.subjects import FIELDS, KIND
from pydantic import ValidationError

from govcore import (
    InputError,
    ObservationStore,
    Organisation,
    Role,
    SourceContext,
    Subject,
    SubjectContext,
    load_yaml,
    municipality,
    render_template,
)

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ORG = Organisation(roles=[
    Role(id="arbejdsmarkedsudvalget", title="Arbejdsmarkedsudvalget", kind="committee"),
    Role(id="arbejdsmarkedschef", title="Arbejdsmarkedschef", kind="head", superior="arbejdsmarkedsudvalget"),
    Role(id="center-job", title="Center for Job & Erhverv", kind="centre", superior="arbejdsmarkedschef"),
])

SETTINGS: dict[str, Any] = {
    "file": "surveys.csv", "threshold": 70, "owner": "arbejdsmarkedschef",
    "areas": {"modtagelse": {"title": "Modtagelse", "owner": "center-job"},
              "sagsbehandling": {"title": "Sagsbehandling"},
              "virksomhedsservice": {"title": "Virksomhedsservice", "threshold": 80}},
}

# modtagelse: 80 % -> 75 % with few answers (noise); sagsbehandling: 80 % -> 75 % with many (a real drop);
# virksomhedsservice: 78 % is below its own threshold of 80 % from the first measurement.
FILE = """\
respondent;area;year;score;n;published
borgere;modtagelse;2020;80;30;2020-11-15
borgere;modtagelse;2021;75;30;2021-11-15
borgere;sagsbehandling;2020;80;2000;2020-11-15
borgere;sagsbehandling;2021;75;2000;2021-11-15
virksomheder;virksomhedsservice;2021;78;150;2021-11-15
virksomheder;modtagelse;2021;91;60;2021-11-15
"""


def subjects_on(tmp_path: Path, day: dt.date, settings: dict[str, Any] = SETTINGS) -> dict[str, Subject]:
    (tmp_path / "surveys.csv").write_text(FILE, encoding="utf-8")
    source_ctx = SourceContext(municipality=municipality("630"), base_dir=tmp_path, settings=settings)
    kpis = {k.id: k for k in survey_kpis(source_ctx)}
    store = ObservationStore(load_surveys(source_ctx))
    ctx = SubjectContext(municipality=municipality("630"), day=day, observations=store.as_of(day),
                         organisation=ORG, kpis=kpis, settings=settings, base_dir=tmp_path)
    return {s.id: s for s in KIND.subjects(ctx)}


def test_subjects_in_a_stable_order(tmp_path: Path) -> None:
    subjects = subjects_on(tmp_path, dt.date(2021, 12, 1))
    assert list(subjects) == ["borgere:modtagelse", "virksomheder:modtagelse", "borgere:sagsbehandling",
                              "virksomheder:virksomhedsservice"]
    s = subjects["borgere:modtagelse"]
    assert (s.kind, s.owner, s.title) == ("survey_area", "center-job", "Modtagelse (borgere)")
    assert subjects["borgere:sagsbehandling"].owner == "arbejdsmarkedschef"  # the survey owner


def test_before_any_result_is_known(tmp_path: Path) -> None:
    s = subjects_on(tmp_path, dt.date(2020, 6, 1))["borgere:modtagelse"].fields
    assert s["classification"] == "no_data" and s["score"] is None and s["significant"] is False


def test_the_first_measurement_is_the_baseline(tmp_path: Path) -> None:
    subjects = subjects_on(tmp_path, dt.date(2021, 6, 1))
    s = subjects["borgere:modtagelse"].fields
    assert s["classification"] == "baseline"
    assert (s["score"], s["baseline"], s["change"], s["z"], s["year"], s["baseline_year"]) == (
        80.0, 80.0, 0.0, 0.0, 2020, 2020)
    assert s["days_since_result"] == (dt.date(2021, 6, 1) - dt.date(2020, 11, 15)).days
    assert subjects["virksomheder:virksomhedsservice"].fields["classification"] == "no_data"


def test_later_results_are_compared_with_the_baseline(tmp_path: Path) -> None:
    subjects = subjects_on(tmp_path, dt.date(2021, 12, 1))
    noise = subjects["borgere:modtagelse"].fields
    assert (noise["score"], noise["baseline"], noise["change"], noise["n"]) == (75.0, 80.0, -5.0, 30)
    assert noise["z"] == -0.46 and noise["significant"] is False
    assert noise["classification"] == "keep" and noise["below_threshold"] is False
    drop = subjects["borgere:sagsbehandling"].fields
    assert drop["z"] == -3.79 and drop["significant"] is True and drop["classification"] == "lift"
    below = subjects["virksomheder:virksomhedsservice"].fields
    assert below["threshold"] == 80 and below["below_threshold"] is True and below["classification"] == "lift"
    assert subjects["virksomheder:modtagelse"].fields["classification"] == "baseline"


def test_a_result_older_than_three_years_is_not_classified(tmp_path: Path) -> None:
    fresh = subjects_on(tmp_path, dt.date(2024, 12, 31))["borgere:sagsbehandling"].fields
    assert fresh["classification"] == "lift"
    old = subjects_on(tmp_path, dt.date(2025, 1, 1))["borgere:sagsbehandling"].fields
    assert old["classification"] == "no_data" and old["score"] == 75.0 and old["year"] == 2021


def test_fields_match_the_declared_vocabulary(tmp_path: Path) -> None:
    declared = {f.name: f for f in FIELDS}
    for day in (dt.date(2020, 6, 1), dt.date(2021, 12, 1)):
        for s in subjects_on(tmp_path, day).values():
            assert set(s.fields) == set(declared)
            for name, value in s.fields.items():
                spec = declared[name]
                if value is None:
                    assert spec.type == "number" and s.fields["classification"] == "no_data", name
                elif spec.type == "number":
                    assert isinstance(value, int | float) and not isinstance(value, bool), name
                    assert "e" not in repr(value), name
                elif spec.type == "bool":
                    assert isinstance(value, bool), name
                else:
                    assert isinstance(value, str) and (not spec.choices or value in spec.choices), name


def test_unknown_owner(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        subjects_on(tmp_path, dt.date(2021, 12, 1), {**SETTINGS, "owner": "arbejdsmarkedsudvalg"})
    (p,) = err.value.problems
    assert p.field == "sources.surveys.owner" and "did you mean 'arbejdsmarkedsudvalget'?" in p.hint


@dataclass
class FakeActionContext:
    subject: Subject
    at: dt.datetime = dt.datetime(2021, 12, 1, 9)
    rule: str = "brugertilfredshed-loeft"
    events: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)

    def emit(self, event_type: str, owner: str | None = None, **details: Any) -> None:
        self.events.append((event_type, owner, details))

    def superior_of(self, role: str) -> str | None:
        return ORG.superior_of(role)

    def role(self, word: str) -> str:
        if word in ("owner", "responsible"):
            return self.subject.owner
        if word == "superior":
            return ORG.superior_of(self.subject.owner) or self.subject.owner
        return word

    def render(self, template: str) -> str:
        return render_template(template, {"title": self.subject.title, **self.subject.fields})


def test_request_decision(tmp_path: Path) -> None:
    subject = subjects_on(tmp_path, dt.date(2021, 12, 1))["borgere:sagsbehandling"]
    params = RequestDecision.model_validate({"from": "arbejdsmarkedsudvalget",
                                             "question": "Skal {title} løftes fra {score} %?"})
    ctx = FakeActionContext(subject)
    ACTION.run(ctx, params)
    assert ctx.events == [("decision_requested", "arbejdsmarkedsudvalget", {
        "question": "Skal Sagsbehandling (borgere) løftes fra 75,0 %?", "area": "sagsbehandling",
        "respondent": "borgere", "subject": "borgere:sagsbehandling"})]
    ACTION.run(ctx, RequestDecision.model_validate({"from": "superior", "question": "{unknown} ok"}))
    assert ctx.events[-1][1] == "arbejdsmarkedsudvalget" and ctx.events[-1][2]["question"] == " ok"
    assert RequestDecision(question="q").from_role == "arbejdsmarkedsudvalget"
    assert ACTION.name == "request_decision" and ACTION.events == ("decision_requested",)
    with pytest.raises(ValidationError):
        RequestDecision.model_validate({"from": "owner"})  # the question is required
    with pytest.raises(ValidationError):
        RequestDecision.model_validate({"to": "owner", "question": "q"})


def test_hooks_rule_file_and_entry_point() -> None:
    assert [s.name for s in plugin.govcore_kpi_sources()] == ["surveys"]
    assert [(k.name, k.settings_key) for k in plugin.govcore_subject_kinds()] == [("survey_area", "surveys")]
    assert [a.name for a in plugin.govcore_actions()] == ["request_decision"]
    (rules,) = plugin.govcore_rule_files()
    doc = load_yaml(rules).data["rules"]
    assert [(r["id"], r["if"]) for r in doc] == [("brugertilfredshed-loeft", ["classification == lift"]),
                                                 ("brugertilfredshed-bevar", ["classification == keep"])]
    known = {f.name for f in FIELDS} | {"open_deviation", "open_action", "title", "owner", "subject"}
    for rule in doc:
        assert rule["when"] == {"wheel": "opfoelgning-politikere"} and rule["for_each"] == "survey_area"
        texts = [v for action in rule["then"] for params in action.values() for v in params.values()]
        assert set(re.findall(r"\{(\w+)\}", " ".join(map(str, texts)))) <= known, rule["id"]
    assert "request_decision" in doc[0]["then"][0]
    eps = {ep.name: ep.value for ep in md.entry_points(group="govcore")}
    assert eps.get("surveys") == "govcore_surveys.plugin"
