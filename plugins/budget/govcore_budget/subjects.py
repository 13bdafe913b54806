"""The `budget_area` subject kind: one subject per configured area, with its figures as of a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

from govcore import FieldSpec, InputError, Problem, Status, Subject, SubjectContext, SubjectKind, did_you_mean
from govcore_budget.figures import MEASURES, budget_status, derived
from govcore_budget.i18n import N_, _
from govcore_budget.settings import SECTION, AreaSettings, BudgetSettings, parse_settings
from govcore_budget.source import MAX_AGE, kpi_id

STATUSES = tuple(s.value for s in Status)
NO_DATA = Status.no_data.value

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("area", "text", "the budget area's id"),
    FieldSpec("title", "text", "the budget area's title"),
    FieldSpec("effort_group", "text", "the area's effort group (indsatsgruppe; '' when not set)"),
    FieldSpec("period", "text", "the month of the figures used (YYYY-MM; '' when none is known yet)"),
    FieldSpec("budget", "number", "the year's (corrected) budget in kr."),
    FieldSpec("spent", "number", "spending to date (forbrug) in kr."),
    FieldSpec("committed", "number", "commitments (disponeret) in kr."),
    FieldSpec("forecast", "number", "expected spending for the year (forventet forbrug) in kr."),
    FieldSpec("expected_spent", "number", "spending to date expected by the budget profile, in kr."),
    FieldSpec("spent_deviation", "number", "spent minus expected_spent, in kr."),
    FieldSpec("spent_deviation_pct", "number", "spent_deviation in % of expected_spent"),
    FieldSpec("forecast_deviation", "number", "forecast minus budget, in kr. (above 0: over budget)"),
    FieldSpec("forecast_deviation_pct", "number", "forecast_deviation in % of the budget"),
    FieldSpec("tolerance_pct", "number", "how far (in %) the forecast may exceed the budget before "
              "off_track"),
    FieldSpec("status", "text", "off_track: forecast over budget by more than tolerance_pct; at_risk: over "
              "budget within it; on_track: within budget; no_data: no figures known yet", STATUSES),
)
# Budget figures come monthly; figures older than this (after the end of their month) are not judged.
STALE_AFTER = dt.timedelta(days=int(MAX_AGE.split()[0]))
NUMBERS = tuple(f.name for f in FIELDS if f.type == "number" and f.name != "tolerance_pct")


def budget_subjects(ctx: SubjectContext) -> list[Subject]:
    """One subject per configured area, in the order of the settings, with the figures of the latest
    month known on `ctx.day` (in January that is December of the year before)."""
    settings = ctx.once(parse_settings)
    _check_owners(settings, ctx)
    return [Subject(kind="budget_area", id=a.id, owner=a.owner, title=a.label,
                    fields=area_fields(a, settings, ctx)) for a in settings.areas]


def area_fields(area: AreaSettings, settings: BudgetSettings, ctx: SubjectContext) -> dict[str, Any]:
    view = ctx.observations
    tolerance = settings.tolerance(area)
    fields: dict[str, Any] = {"area": area.id, "title": area.label, "effort_group": area.effort_group,
                              "period": "", "tolerance_pct": tolerance}
    fields.update(dict.fromkeys(NUMBERS))
    fields["status"] = NO_DATA
    latest = view.latest(kpi_id(area.id, "spent"), grain="month")
    if latest is None:
        return fields
    month = latest.period_obj  # the parsed period: the look-ups below need not parse its text again
    budget = view.value(kpi_id(area.id, "budget"), month)
    if budget is None or budget <= 0:
        return fields
    committed = view.value(kpi_id(area.id, "committed"), month) or 0.0
    forecast = view.value(kpi_id(area.id, "forecast"), month)
    period = latest.period
    figures = derived(budget, latest.value, committed, forecast, int(period[5:7]), area.shares)
    fields.update(figures)
    fields["period"] = period
    if ctx.day > month.end + STALE_AFTER:  # an old budget year's figures are not today's
        fields["status"] = NO_DATA
    else:
        fields["status"] = budget_status(figures["forecast_deviation"], figures["forecast_deviation_pct"],
                                         tolerance).value
    return fields


def budget_key(ctx: SubjectContext) -> Hashable:
    """What the areas' subjects depend on that changes during a run: the figures known of the
    areas' KPIs, and for each area whether its latest month's figures have gone stale (the
    subjects do not name the day otherwise). The kind's `unchanged_key`."""
    settings = ctx.once(parse_settings)
    view = ctx.observations
    stale = []
    for a in settings.areas:
        month_end = next((r.span.end for r in reversed(view.rows(kpi_id(a.id, "spent"))) if r.span.grain == "month"),
                         None)
        stale.append(month_end is not None and ctx.day > month_end + STALE_AFTER)
    return view.revision(kpi_id(a.id, m) for a in settings.areas for m in MEASURES), tuple(stale)


def _check_owners(settings: BudgetSettings, ctx: SubjectContext) -> None:
    roles = [r.id for r in ctx.organisation.roles]
    problems = [
        Problem(message=_("no role has the id '{role}'").format(role=a.owner), field=f"{SECTION}.areas[{i}].owner",
                hint=did_you_mean(a.owner, roles))
        for i, a in enumerate(settings.areas) if not ctx.organisation.has(a.owner)
    ]
    if problems:
        raise InputError(problems)


KIND = SubjectKind(
    name="budget_area",
    label=N_("budget area"),
    translate=_,
    description="every budget area of sources.budget.areas, with its figures for the latest month known",
    fields=FIELDS,
    subjects=budget_subjects,
    settings_key="budget",
    check=lambda ctx: _check_owners(parse_settings(ctx.settings), ctx),
    unchanged_key=budget_key,
)
