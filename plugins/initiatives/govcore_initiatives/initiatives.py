"""The `initiatives` KPI source and the `initiative` subject kind: each initiative's business case
and how its follow-up figures compare with it, as of a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from govcore import (
    KPI,
    FieldSpec,
    Frequency,
    InputError,
    KpiSource,
    Observation,
    ObservationView,
    Period,
    Problem,
    SourceContext,
    Subject,
    SubjectContext,
    SubjectKind,
    did_you_mean,
    in_force,
    load_yaml,
    read_csv,
    validate_yaml,
)
from govcore_initiatives.businesscase import CaseFigures, Initiative, InitiativeFile, figures, saving
from govcore_initiatives.cells import date, inside, number
from govcore_initiatives.i18n import N_, _
from govcore_initiatives.settings import InitiativeSettings, initiative_settings

# measure -> (unit, higher is better, name in Danish, summed over a year)
MEASURES: dict[str, tuple[str, bool, str, bool]] = {
    "participants": ("personer", True, "deltagere", True),
    "duration_weeks": ("uger", False, "varighed på ydelse", False),
    "outflow": ("personer", True, "afgang", True),
    "cost": ("kr.", False, "nettoudgift", True),
    "evaluated": ("", True, "evaluering gennemført", False),
}
ALIASES = {"deltagere": "participants", "varighed": "duration_weeks", "varighed_uger": "duration_weeks",
           "afgang": "outflow", "udgift": "cost", "nettoudgift": "cost", "evalueret": "evaluated",
           "evaluering": "evaluated"}
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def kpi_id(initiative: str, measure: str) -> str:
    return f"initiative:{initiative}:{measure}"


@lru_cache(maxsize=32)
def _read(path: Path, _stamp: tuple[int, int]) -> tuple[Initiative, ...]:
    doc = load_yaml(path)
    return tuple(validate_yaml(InitiativeFile, doc.data, doc).initiatives)


def load_initiatives(base_dir: Path, settings: InitiativeSettings) -> tuple[Initiative, ...]:
    """The initiatives file, read once per version of the file (subjects are built every meeting)."""
    path = inside(base_dir, settings.file, "sources.initiatives.file")
    if not path.is_file():
        raise InputError(Problem(message=_("the initiatives file '{file}' does not exist").format(file=settings.file),
                                 field="sources.initiatives.file",
                                 hint=_("the path is relative to municipality.yaml")))
    st = path.stat()
    return _read(path, (st.st_mtime_ns, st.st_size))


def _kpis(ctx: SourceContext) -> list[KPI]:
    """Five KPIs per initiative, each published as often as its follow-up figures come (the grain
    of its rows in the follow-up file, else of the initiative's rows, else monthly — the rhythm of
    a follow-up meeting), so a figure older than two such periods is not judged as current. An
    evaluation is done once and counts for as long as the initiative runs (its start to its end)."""
    settings = initiative_settings(ctx.settings)
    periods: dict[str, set[str]] = {}
    for o in _load(ctx):
        periods.setdefault(o.kpi, set()).add(o.period)
        periods.setdefault(o.kpi.rsplit(":", 1)[0], set()).add(o.period)
    out = []
    for i in load_initiatives(ctx.base_dir, settings):
        for measure, (unit, higher, name, _summed) in MEASURES.items():
            kid = kpi_id(i.id, measure)
            published = (Frequency.of_periods(periods.get(kid, ()))
                         or Frequency.of_periods(periods.get(f"initiative:{i.id}", ())) or Frequency.monthly)
            lasts = (i.end.year - i.start.year) * 12 + i.end.month - i.start.month + 1
            out.append(KPI(id=kid, name=f"{i.title}: {name}", unit=unit, higher_is_better=higher,
                           source="initiatives", measure=measure, published=published,
                           max_age=f"{lasts} months" if measure == "evaluated" else None))
    return out


def _load(ctx: SourceContext) -> list[Observation]:
    settings = initiative_settings(ctx.settings)
    initiatives = {i.id: i for i in load_initiatives(ctx.base_dir, settings)}
    if settings.followup is None:
        return []
    path = inside(ctx.base_dir, settings.followup, "sources.initiatives.followup")
    out: list[Observation] = []
    problems: list[Problem] = []
    for row in read_csv(path, ["initiative", "period", "measure", "value"], ["known"]):
        v = row.values
        if v["initiative"] not in initiatives:
            problems.append(row.problem("initiative", _("unknown initiative '{id}'").format(id=v["initiative"]),
                                        _("the ids are those in {file}").format(file=settings.file)))
            continue
        measure = ALIASES.get(v["measure"].lower(), v["measure"].lower())
        if measure not in MEASURES:
            problems.append(row.problem("measure", _("unknown measure '{measure}'").format(measure=v["measure"]),
                                        _("one of: {choices}").format(choices=", ".join(MEASURES))))
            continue
        try:
            period = Period.parse(v["period"])
        except ValueError as err:
            problems.append(row.problem("period", str(err)))
            continue
        if MEASURES[measure][3] and period.grain not in MONTHS:
            problems.append(row.problem("period", _("{measure} is counted per month, quarter, half year or "
                                                    "year").format(measure=measure),
                                        _("write e.g. 2014-03, 2014-Q1 or 2014")))
            continue
        value = number(v["value"])
        if value is None or value < 0:
            problems.append(row.problem("value", _("'{value}' is not a number of 0 or more").format(value=v["value"]),
                                        _("write e.g. 38 or 5,2")))
            continue
        known = date(v.get("known", "")) if v.get("known") else None
        if v.get("known") and known is None:
            problems.append(row.problem("known", _("'{value}' is not a date").format(value=v["known"]),
                                        _("write e.g. {example}").format(example="2014-04-10")))
            continue
        out.append(Observation(kpi=kpi_id(v["initiative"], measure), period=period.text, value=value,
                               source=f"initiatives:{path.name}", known_at=known))
    if problems:
        raise InputError(problems)
    return out


SOURCE = KpiSource(
    name="initiatives",
    description="initiatives (indsatser) with business cases (a YAML file) and their follow-up figures "
                "(participants, duration on benefit, outflow, cost, evaluation; a CSV file)",
    kpis=_kpis,
    load=_load,
    depends_on=frozenset(),  # the files the settings name, not the version's year or goals
)


# ----------------------------------------------------------------------------------- follow-up


@dataclass(frozen=True)
class Realised:
    """The follow-up figures of one initiative in one year, as known on a day."""

    participants: float | None
    months: int
    duration_weeks: float | None
    outflow: float | None
    cost: float | None
    evaluated: bool
    net_saving: float | None
    pct_of_case: float | None


def _year_sum(view: ObservationView, kpi: str, year: int) -> tuple[float | None, int]:
    total, months = 0.0, 0
    for o in view.history(kpi):
        p = o.period_obj
        if p.start.year == year and p.grain in MONTHS:
            total += o.value
            months += MONTHS[p.grain]
    return (total, months) if months else (None, 0)


def realised(initiative: Initiative, case: CaseFigures, view: ObservationView, year: int) -> Realised:
    """Annualised participants, outflow and cost of `year`, the latest duration, and the realised
    yearly net saving compared with the case's saving for that year (with its ramp-up)."""
    part, months = _year_sum(view, kpi_id(initiative.id, "participants"), year)
    outflow, out_months = _year_sum(view, kpi_id(initiative.id, "outflow"), year)
    cost, cost_months = _year_sum(view, kpi_id(initiative.id, "cost"), year)
    latest = view.latest(kpi_id(initiative.id, "duration_weeks"))
    evaluated = any(o.value > 0 for o in view.history(kpi_id(initiative.id, "evaluated")))
    participants = part * 12 / months if part is not None else None
    duration = latest.value if latest is not None else None
    net_saving = pct = None
    if participants is not None and duration is not None:
        weeks = initiative.business_case.weeks_before - duration
        net_saving = saving(initiative.business_case, participants, weeks)[2]
        planned = case.year(year)
        if planned is not None and planned.net_saving > 0:
            pct = net_saving / planned.net_saving * 100
    return Realised(
        participants=participants, months=months, duration_weeks=duration,
        outflow=outflow * 12 / out_months if outflow is not None else None,
        cost=cost * 12 / cost_months if cost is not None else None,
        evaluated=evaluated, net_saving=net_saving, pct_of_case=pct)


# -------------------------------------------------------------------------------------- subjects

PHASES = ("planned", "running", "ended")
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("initiative", "text", "the initiative's id"),
    FieldSpec("target_group", "text", "the citizens it is for"),
    FieldSpec("start", "text", "its first day (YYYY-MM-DD)"),
    FieldSpec("end", "text", "its fixed end date (YYYY-MM-DD)"),
    FieldSpec("evaluation", "text", "the date its evaluation is due (YYYY-MM-DD; the end date unless given)"),
    FieldSpec("phase", "text", "planned (before the start), running, ended (after the end date)", PHASES),
    FieldSpec("days_to_end", "number", "days until the end date (negative after it)"),
    FieldSpec("days_to_evaluation", "number", "days until the evaluation is due (negative after it)"),
    FieldSpec("past_end", "bool", "the end date has passed"),
    FieldSpec("evaluation_reached", "bool", "the evaluation date has come"),
    FieldSpec("evaluated", "bool", "an evaluation is recorded (measure 'evaluated' in the follow-up file)"),
    FieldSpec("in_case", "bool", "this year is one of the years the business case covers"),
    FieldSpec("case_net_cost", "number", "yearly net running cost after refusion (kr.)"),
    FieldSpec("case_gross_saving", "number", "the case's gross saving this year, with the ramp-up (kr.)"),
    FieldSpec("case_net_saving", "number", "the case's net saving this year after benefit refusion, with the "
              "ramp-up (kr.)"),
    FieldSpec("case_net_result", "number", "the case's net saving minus net cost this year (kr.)"),
    FieldSpec("payback_years", "number", "years until the case's savings cover its costs"),
    FieldSpec("participants", "number", "participants this year, as a yearly rate"),
    FieldSpec("duration_weeks", "number", "the latest average duration on benefit (weeks)"),
    FieldSpec("outflow", "number", "outflow (afgang) this year, as a yearly rate"),
    FieldSpec("realised_cost", "number", "net cost this year, as a yearly rate (kr.)"),
    FieldSpec("realised_net_saving", "number", "the yearly net saving the follow-up figures give (kr.)"),
    FieldSpec("realised_net_result", "number", "realised net saving minus realised (else planned) net cost (kr.)"),
    FieldSpec("realised_pct", "number", "realised net saving in % of the case's net saving this year"),
    FieldSpec("effect_known", "bool", "participants and duration are known this year, so realised_pct is"),
)


def initiative_fields(i: Initiative, case: CaseFigures, view: ObservationView, day: dt.date) -> dict[str, Any]:
    planned = case.year(day.year)
    real = realised(i, case, view, day.year)
    phase = "planned" if day < i.start else "ended" if day > i.end else "running"
    cost = real.cost if real.cost is not None else case.net_cost
    return {
        "initiative": i.id, "target_group": i.target_group, "start": i.start.isoformat(),
        "end": i.end.isoformat(), "evaluation": i.evaluation_date.isoformat(), "phase": phase,
        "days_to_end": (i.end - day).days, "days_to_evaluation": (i.evaluation_date - day).days,
        "past_end": day > i.end, "evaluation_reached": day >= i.evaluation_date, "evaluated": real.evaluated,
        "in_case": planned is not None, "case_net_cost": _kr(case.net_cost),
        "case_gross_saving": _kr(planned.gross_saving) if planned else None,
        "case_net_saving": _kr(planned.net_saving) if planned else None,
        "case_net_result": _kr(planned.net_result) if planned else None,
        "payback_years": _r(case.payback_years),
        "participants": _r(real.participants), "duration_weeks": _r(real.duration_weeks),
        "outflow": _r(real.outflow), "realised_cost": _kr(real.cost),
        "realised_net_saving": _kr(real.net_saving),
        "realised_net_result": _kr(real.net_saving - cost) if real.net_saving is not None else None,
        "realised_pct": _r(real.pct_of_case), "effect_known": real.pct_of_case is not None,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _kr(x: float | None) -> float | None:
    """Kroner are shown and compared as whole kroner."""
    return None if x is None else float(round(x))


def initiative_subjects(ctx: SubjectContext) -> list[Subject]:
    """One subject per initiative in the file, in file order."""
    settings = initiative_settings(ctx.settings)
    items = load_initiatives(ctx.base_dir, settings)
    _check_owners(items, ctx)
    return [Subject(kind="initiative", id=i.id, owner=i.owner, title=i.title,
                    fields=initiative_fields(i, figures(i), ctx.observations, ctx.day)) for i in items]


def _owner_problems(items: tuple[Initiative, ...], ctx: SubjectContext) -> list[Problem]:
    return [Problem(message=_("initiative '{id}': no role has the id '{role}'").format(id=i.id, role=i.owner),
                    field="sources.initiatives.file") for i in items if not ctx.organisation.has(i.owner)]


def _check_owners(items: tuple[Initiative, ...], ctx: SubjectContext) -> None:
    problems = _owner_problems(items, ctx)
    if problems:
        raise InputError(problems)


def _when(day: dt.date | None, edge: str) -> str:
    return day.isoformat() if day else edge


def _link_problems(items: tuple[Initiative, ...], ctx: SubjectContext, path: Path) -> list[Problem]:
    """Every goal and KPI an initiative names must exist, located in the initiatives file; a goal
    counts if a configuration version in force while the initiative runs holds it."""
    doc = load_yaml(path)
    out: list[Problem] = []
    for n, i in enumerate(items):
        where = ("initiatives", n)
        if not ctx.organisation.has(i.owner):
            out.append(doc.problem((*where, "owner"), _("initiative '{id}': no role has the id '{role}'").format(
                id=i.id, role=i.owner),
                                   hint=did_you_mean(i.owner, [r.id for r in ctx.organisation.roles], list_all=False)))
        for k, goal in enumerate(i.goals):
            spans = ctx.goals.get(goal)
            if spans is None:
                out.append(doc.problem((*where, "goals", k), _("initiative '{id}': no goal has the id '{goal}'").format(
                    id=i.id, goal=goal), hint=did_you_mean(goal, ctx.goals)
                    or _("the goal ids are those of the goal files, in any version")))
            elif not in_force(spans, i.start, i.end):
                held = ", ".join(_("{first} to {last}").format(first=_when(a, _("the start")),
                                                               last=_when(b, _("the end"))) for a, b in spans)
                out.append(doc.problem((*where, "goals", k), _(
                    "initiative '{id}' runs {start} to {end}, but goal '{goal}' is not in force then (it is from "
                    "{spans})").format(id=i.id, start=i.start, end=i.end, goal=goal, spans=held),
                    hint=_("link a goal of the configuration version in force while it runs")))
        for k, kpi in enumerate(i.kpis):
            if kpi not in ctx.kpis:
                out.append(doc.problem((*where, "kpis", k), _("initiative '{id}': no KPI has the id '{kpi}'").format(
                    id=i.id, kpi=kpi), hint=did_you_mean(kpi, ctx.kpis)
                    or _("the KPI ids are those in kpis.yaml and the sources'")))
    return out


def check_initiatives(ctx: SubjectContext) -> None:
    """Before the run: every initiative's owner is a role, and every goal and KPI it names exists
    (a mistake there would otherwise stop the run at the first meeting, or go unseen)."""
    settings = initiative_settings(ctx.settings)
    items = load_initiatives(ctx.base_dir, settings)
    problems = _link_problems(items, ctx, inside(ctx.base_dir, settings.file, "sources.initiatives.file"))
    if problems:
        raise InputError(problems)


def by_id(ctx: SubjectContext | SourceContext) -> Mapping[str, Initiative]:
    return {i.id: i for i in load_initiatives(ctx.base_dir, initiative_settings(ctx.settings))}


KIND = SubjectKind(
    name="initiative",
    label=N_("initiative"),
    translate=_,
    description="every initiative (indsats) of the initiatives file, with its business case and how the "
                "follow-up figures known on the day compare with it",
    fields=FIELDS,
    subjects=initiative_subjects,
    settings_key="initiatives",
    check=check_initiatives,
)
