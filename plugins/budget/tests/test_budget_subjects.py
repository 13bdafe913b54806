"""Budget areas as subjects of rules, as of different days of a year; the plugin's hooks."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import re
from pathlib import Path
from typing import Any

import pytest
from govcore_budget import plugin
from govcore_budget.source import budget_kpis, load_budget
from govcore_budget.subjects import FIELDS, KIND

from govcore import (
    InputError,
    ObservationStore,
    Organisation,
    Role,
    SourceContext,
    SubjectContext,
    load_yaml,
    municipality,
)

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ORG = Organisation(roles=[
    Role(id="arbejdsmarkedsudvalget", title="Arbejdsmarkedsudvalget", kind="committee"),
    Role(id="center-sundhed", title="Center for Sundhed & Fastholdelse", kind="centre",
         superior="arbejdsmarkedsudvalget"),
    Role(id="center-job", title="Center for Job & Erhverv", kind="centre", superior="arbejdsmarkedsudvalget"),
])

SETTINGS: dict[str, Any] = {
    "file": "budget.csv",
    "tolerance_pct": 1.0,
    "areas": [
        {"id": "sygedagpenge", "title": "Sygedagpenge", "owner": "center-sundhed",
         "effort_group": "sygedagpenge"},
        {"id": "kontanthjaelp", "title": "Kontanthjælp", "owner": "center-job"},
        {"id": "aktive-tilbud", "title": "Aktive tilbud", "owner": "center-job", "tolerance_pct": 5},
        {"id": "ressourceforloeb", "title": "Ressourceforløb", "owner": "center-job"},
    ],
}

FILE = """\
omraade;periode;budget;forbrug;disponeret;forventet_forbrug
sygedagpenge;2021-03;120.000.000;29.000.000;;
sygedagpenge;2021-04;120.000.000;41.000.000;1.500.000;123.600.000
kontanthjaelp;2021-03;80.000.000;20.000.000;;80.500.000
kontanthjaelp;2021-04;80.000.000;26.000.000;;80.400.000
aktive-tilbud;2021-04;10.000.000;3.500.000;250.000;10.400.000
"""


def subjects_on(tmp_path: Path, day: dt.date, settings: dict[str, Any] = SETTINGS) -> dict[str, Any]:
    (tmp_path / "budget.csv").write_text(FILE, encoding="utf-8")
    source_ctx = SourceContext(municipality=municipality("630"), base_dir=tmp_path, settings=settings)
    kpis = {k.id: k for k in budget_kpis(source_ctx)}
    store = ObservationStore(load_budget(source_ctx))
    ctx = SubjectContext(municipality=municipality("630"), day=day, observations=store.as_of(day),
                         organisation=ORG, kpis=kpis, settings=settings, base_dir=tmp_path)
    subjects = KIND.subjects(ctx)
    assert [s.id for s in subjects] == [a["id"] for a in settings["areas"]]  # the order of the settings
    return {s.id: s for s in subjects}


def test_nothing_known_yet_is_no_data(tmp_path: Path) -> None:
    s = subjects_on(tmp_path, dt.date(2021, 3, 31))["sygedagpenge"]
    assert s.kind == "budget_area" and s.owner == "center-sundhed" and s.title == "Sygedagpenge"
    assert s.fields["status"] == "no_data" and s.fields["period"] == ""
    assert s.fields["forecast"] is None and s.fields["forecast_deviation_pct"] is None
    assert s.fields["effort_group"] == "sygedagpenge" and s.fields["tolerance_pct"] == 1.0


def test_march_figures_are_seen_in_april(tmp_path: Path) -> None:
    subjects = subjects_on(tmp_path, dt.date(2021, 4, 30))
    s = subjects["sygedagpenge"].fields
    assert s["period"] == "2021-03"
    assert s["spent"] == 29_000_000.0 and s["expected_spent"] == 30_000_000.0
    assert s["spent_deviation"] == -1_000_000.0 and s["spent_deviation_pct"] == -3.33
    assert s["forecast"] == 116_000_000.0  # extrapolated: 29 mio. after 3 of 12 months
    assert s["status"] == "on_track"
    k = subjects["kontanthjaelp"].fields
    assert k["forecast_deviation"] == 500_000.0 and k["forecast_deviation_pct"] == 0.63
    assert k["status"] == "at_risk"
    assert subjects["aktive-tilbud"].fields["status"] == "no_data"


def test_april_figures_from_the_first_of_may(tmp_path: Path) -> None:
    subjects = subjects_on(tmp_path, dt.date(2021, 5, 1))
    s = subjects["sygedagpenge"].fields
    assert s["period"] == "2021-04"
    assert s == {**s, "budget": 120_000_000.0, "spent": 41_000_000.0, "committed": 1_500_000.0,
                 "forecast": 123_600_000.0, "expected_spent": 40_000_000.0, "spent_deviation": 1_000_000.0,
                 "spent_deviation_pct": 2.5, "forecast_deviation": 3_600_000.0, "forecast_deviation_pct": 3.0,
                 "status": "off_track"}
    assert subjects["kontanthjaelp"].fields["status"] == "at_risk"
    # 4 % over budget, but this area tolerates 5 %
    assert subjects["aktive-tilbud"].fields["forecast_deviation_pct"] == 4.0
    assert subjects["aktive-tilbud"].fields["status"] == "at_risk"
    assert subjects["ressourceforloeb"].fields["status"] == "no_data"


def test_fields_match_the_declared_vocabulary(tmp_path: Path) -> None:
    declared = {f.name: f for f in FIELDS}
    for s in subjects_on(tmp_path, dt.date(2021, 5, 1)).values():
        assert set(s.fields) == set(declared)
        for name, value in s.fields.items():
            spec = declared[name]
            if value is None:
                assert spec.type == "number" and s.fields["status"] == "no_data"
            elif spec.type == "number":
                assert type(value) is float and value == round(value, 2) and "e" not in repr(value), name
            else:
                assert isinstance(value, str), name
                assert not spec.choices or value in spec.choices


def test_unknown_owner(tmp_path: Path) -> None:
    areas = [{**SETTINGS["areas"][0], "owner": "center-sundhed-og-fastholdelse"}, *SETTINGS["areas"][1:]]
    settings = {**SETTINGS, "areas": areas}
    with pytest.raises(InputError) as err:
        subjects_on(tmp_path, dt.date(2021, 5, 1), settings)
    (p,) = err.value.problems
    assert p.field == "sources.budget.areas[0].owner" and "did you mean 'center-sundhed'?" in p.hint


def test_hooks_and_entry_point() -> None:
    assert [s.name for s in plugin.govcore_kpi_sources()] == ["budget"]
    assert [(k.name, k.settings_key) for k in plugin.govcore_subject_kinds()] == [("budget_area", "budget")]
    (rules,) = plugin.govcore_rule_files()
    assert rules.is_absolute() and rules.name == "budget-controls.yaml"
    doc = load_yaml(rules).data["rules"]
    assert [r["when"]["wheel"] for r in doc] == ["budgetkontrol-30-04"] + ["kvartalsopfoelgning"] * 3
    assert doc[0]["id"] == "budgetkontrol-30-04" and doc[0]["if"] == ["forecast_deviation_pct > 2",
                                                                       "open_deviation == false"]
    known = {f.name for f in FIELDS} | {"open_deviation", "open_action", "title", "owner", "subject"}
    for rule in doc:
        assert rule["for_each"] == "budget_area"
        assert {c.split()[0] for c in rule["if"]} <= known, rule["id"]
        texts = [v for action in rule["then"] for params in action.values() for v in params.values()]
        assert set(re.findall(r"\{(\w+)\}", " ".join(map(str, texts)))) <= known, rule["id"]
    eps = {ep.name: ep.value for ep in md.entry_points(group="govcore")}
    assert eps.get("budget") == "govcore_budget.plugin"
