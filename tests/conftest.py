"""Shared fixtures: a small municipality configuration written to a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ORGANISATION = """
roles:
  - {id: udvalg, title: Arbejdsmarkedsudvalget, kind: committee}
  - {id: direktoer, title: Direktør, kind: director, superior: udvalg}
  - {id: chef, title: Arbejdsmarkedschef, kind: head, superior: direktoer}
  - {id: center, title: Centerleder, kind: centre, superior: chef}
"""

KPIS = """
kpis:
  - {id: jobrate, name: Andel i job, unit: "%", higher_is_better: true}
  - {id: ledige, name: Antal ledige, unit: personer, higher_is_better: false}
"""

GOALS = """
goals:
  - id: g-job
    title: Mindst 50 % i job
    level: administrative
    owner: center
    kpi: jobrate
    target: {kind: at_least, value: 50, tolerance: 2}
    followup: monthly
  - id: g-ledige
    title: Højst 1000 ledige
    level: political
    owner: chef
    kpi: ledige
    target: {kind: at_most, value: 1000}
    followup: monthly
deliverables:
  - {id: plan, title: Beskæftigelsesplan, owner: chef}
"""

WHEEL = """
timezone: Europe/Copenhagen
roll: next
milestones:
  - id: plan-frist
    title: Beskæftigelsesplan
    date: "30.09"
    type: due
    roll: previous
    deliverables: [plan]
    responsible: chef
followups:
  - id: maanedsmoede
    title: Opfølgningsmøde
    every: monthly
    on: first_working_day
    responsible: chef
"""

OBSERVATIONS = """kpi,period,value,known_at
jobrate,2020-12,52,2021-01-02
jobrate,2021-01,47,2021-02-02
jobrate,2021-02,46,2021-03-02
jobrate,2021-03,53,2021-04-02
ledige,2020-12,950,2021-01-02
"""


def write_config(folder: Path, *, responses: str | None = None, observations: str = OBSERVATIONS,
                 rules: list[str] | None = None, goals: str = GOALS, wheel: str = WHEEL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"organisation.yaml": ORGANISATION, "kpis.yaml": KPIS, "goals.yaml": goals, "wheel.yaml": wheel}
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "observations.csv").write_text(observations, encoding="utf-8")
    rule_entries = rules if rules is not None else [str(ROOT / "rules" / "*.yaml")]
    cfg = ["municipality: 630", "year: 2021", "observations: [observations.csv]", "national_goals: none",
           "rules:", *[f"  - {r}" for r in rule_entries]]
    outside = sorted({str(Path(r).parent) for r in rule_entries if Path(r).is_absolute()})
    if outside:  # rule files outside the folder must be allowed explicitly
        cfg += ["allow_paths:", *[f"  - {d}" for d in outside]]
    if responses is not None:
        (folder / "responses.yaml").write_text(textwrap.dedent(responses), encoding="utf-8")
        cfg.append("responses: responses.yaml")
    (folder / "municipality.yaml").write_text("\n".join(cfg) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    def make(**kwargs: object) -> Path:
        return write_config(tmp_path / "config", **kwargs)  # type: ignore[arg-type]
    return make
