"""The `survey_area` subject kind: one subject per respondent group and area, as of a day."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from govcore import FieldSpec, InputError, Problem, Subject, SubjectContext, SubjectKind, did_you_mean
from govcore_surveys.i18n import N_, _
from govcore_surveys.settings import SECTION, SurveySettings, parse_settings
from govcore_surveys.source import KPI_PATTERN, n_kpi, score_kpi, sort_key
from govcore_surveys.stats import Classification, classify, is_significant, two_proportion_z

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("area", "text", "the survey area's id"),
    FieldSpec("respondent", "text", "who answered: borgere or virksomheder", ("borgere", "virksomheder")),
    FieldSpec("title", "text", "the area's title and respondent group"),
    FieldSpec("year", "number", "the year of the latest result known"),
    FieldSpec("score", "number", "share satisfied in % in the latest result"),
    FieldSpec("n", "number", "responses behind the latest result"),
    FieldSpec("baseline", "number", "share satisfied in % in the first measurement (the baseline)"),
    FieldSpec("baseline_year", "number", "the year of the baseline"),
    FieldSpec("baseline_n", "number", "responses behind the baseline"),
    FieldSpec("change", "number", "score minus baseline, in percentage points"),
    FieldSpec("z", "number", "z of the change from the baseline (two-proportion z-test)"),
    FieldSpec("significant", "bool", "the change from the baseline is significant (|z| >= z_critical)"),
    FieldSpec("threshold", "number", "the share in % an area must reach (sources.surveys.threshold)"),
    FieldSpec("below_threshold", "bool", "score is below the threshold"),
    FieldSpec("days_since_result", "number", "days since the latest result became known"),
    FieldSpec("classification", "text", "lift: below the threshold or significantly below the baseline; "
              "keep: at/above the threshold and not significantly below the baseline; baseline: first "
              "measurement (at/above the threshold); no_data: no result yet, or the latest is older than "
              "its KPI's max_age (3 years)",
              tuple(c.value for c in Classification)),
)
_NUMBERS = ("year", "score", "n", "baseline", "baseline_year", "baseline_n", "change", "z",
            "days_since_result")


def survey_subjects(ctx: SubjectContext) -> list[Subject]:
    """One subject per respondent group and area with survey KPIs, configured areas first."""
    settings = ctx.once(parse_settings)
    found = []
    for kpi_id, kpi in ctx.kpis.items():
        m = KPI_PATTERN.match(kpi_id)
        if m and kpi.source == "surveys":
            found.append((m.group(1), m.group(2)))
    found.sort(key=lambda p: sort_key(p[0], p[1], settings))
    _check_owners(settings, {a for _, a in found}, ctx)
    return [Subject(kind="survey_area", id=f"{respondent}:{area}", owner=settings.owner_of(area),
                    title=f"{settings.title(area)} ({respondent})",
                    fields=area_fields(respondent, area, settings, ctx)) for respondent, area in found]


def area_fields(respondent: str, area: str, settings: SurveySettings, ctx: SubjectContext) -> dict[str, Any]:
    threshold = settings.threshold_of(area)
    fields: dict[str, Any] = {"area": area, "respondent": respondent,
                              "title": f"{settings.title(area)} ({respondent})", "threshold": threshold}
    fields.update(dict.fromkeys(_NUMBERS))
    fields.update(significant=False, below_threshold=False, classification=Classification.no_data.value)
    view = ctx.observations
    history = view.history(score_kpi(respondent, area))
    if not history:
        return fields
    first, latest = history[0], history[-1]
    n = int(view.value(n_kpi(respondent, area), latest.period) or 0)
    base_n = int(view.value(n_kpi(respondent, area), first.period) or 0)
    if n < 1 or base_n < 1:
        return fields
    is_baseline = first.period == latest.period
    z = 0.0 if is_baseline else two_proportion_z(first.value, base_n, latest.value, n)
    fields.update(
        year=int(latest.period[:4]), score=round(latest.value, 2), n=n, baseline=round(first.value, 2),
        baseline_year=int(first.period[:4]), baseline_n=base_n, change=_r2(latest.value - first.value),
        z=_r2(z), significant=is_significant(z, settings.z_critical),
        below_threshold=latest.value < threshold,
        days_since_result=(ctx.day - latest.known).days,
        classification=classify(latest.value, threshold, is_baseline, z, settings.z_critical).value,
    )
    kpi = ctx.kpis.get(score_kpi(respondent, area))
    last = kpi.stale_after(latest.period_obj.end) if kpi is not None else None
    if last is not None and ctx.day > last:  # too old to say how satisfied people are now
        fields["classification"] = Classification.no_data.value
    return fields


def survey_key(ctx: SubjectContext) -> Hashable:
    """What the subjects depend on that changes during a run: the results known of the survey KPIs,
    and the day once there is one (`days_since_result` counts the days). The kind's
    `unchanged_key`."""
    known = ctx.observations.revision(k for k, kpi in ctx.kpis.items() if kpi.source == "surveys")
    return known if known[0] == 0 else (known, ctx.day)


def _r2(value: float) -> float:
    out = round(value, 2)
    return 0.0 if out == 0 else out


def _check_owners(settings: SurveySettings, areas: set[str], ctx: SubjectContext) -> None:
    roles = [r.id for r in ctx.organisation.roles]
    wanted = {f"{SECTION}.owner": settings.owner}
    wanted.update({f"{SECTION}.areas.{a}.owner": s.owner for a, s in settings.areas.items() if s.owner})
    problems = [Problem(message=_("no role has the id '{role}'").format(role=owner), field=where,
                        hint=did_you_mean(owner, roles))
                for where, owner in wanted.items() if not ctx.organisation.has(owner)]
    if problems:
        raise InputError(problems)


KIND = SubjectKind(
    name="survey_area",
    label=N_("satisfaction area"),
    translate=_,
    description="every respondent group and area of the survey file, with the latest result known, the "
                "baseline (first measurement) and the classification",
    fields=FIELDS,
    subjects=survey_subjects,
    settings_key="surveys",
    check=lambda ctx: _check_owners(parse_settings(ctx.settings), set(), ctx),
    unchanged_key=survey_key,
)
