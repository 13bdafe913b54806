"""The plugin's sections of the year report: initiatives against their business cases, and the
effektøkonomi ranking of offers with a chart."""

from __future__ import annotations

from govcore import (
    Bar,
    ReportSection,
    ReportSectionSpec,
    SubjectContext,
    bar_chart,
    danish_date,
    danish_number,
    percent,
)
from govcore_initiatives.businesscase import figures
from govcore_initiatives.i18n import _
from govcore_initiatives.initiatives import load_initiatives, realised
from govcore_initiatives.offers import latest_ranking, load_offers
from govcore_initiatives.settings import initiative_settings, offer_settings


def kr(value: float | None) -> str:
    return "–" if value is None else f"{danish_number(value, 0)} kr."


def pct(value: float | None) -> str:
    return percent(value)


def initiative_sections(ctx: SubjectContext) -> list[ReportSection]:
    items = load_initiatives(ctx.base_dir, initiative_settings(ctx.settings))
    year = ctx.day.year
    rows = []
    for i in items:
        case = figures(i)
        planned = case.year(year)
        real = realised(i, case, ctx.observations, year)
        payback = "–" if case.payback_years is None else _("{n} months").format(
            n=danish_number(case.payback_years * 12))
        evaluation = _("done") if real.evaluated else \
            (_("missing") if ctx.day >= i.evaluation_date else _("by {date}").format(
                date=danish_date(i.evaluation_date)))
        rows.append((i.title, f"{danish_date(i.start)}–{danish_date(i.end)}", kr(case.net_cost),
                     kr(planned.net_saving) if planned else "–", kr(real.net_saving), pct(real.pct_of_case),
                     payback, evaluation))
    return [ReportSection(
        title=_("Initiatives and business cases"),
        intro=_("Each initiative's business case for {year} compared with the realised figures (participants and "
                "duration on benefit converted to full years). The net saving is after the state's refusion of the "
                "benefit; the first year counts with the ramp-up.").format(year=year),
        headers=(_("Initiative"), _("Period"), _("Net cost per year"),
                 _("Expected net saving {year}").format(year=year), _("Realised net saving {year}").format(year=year),
                 _("Realised in % of the business case"), _("Payback time"), _("Evaluation")),
        rows=tuple(rows))]


def offer_sections(ctx: SubjectContext) -> list[ReportSection]:
    settings = offer_settings(ctx.settings)
    ranked = latest_ranking(load_offers(ctx.base_dir, settings), settings.weights, settings.per_kroner, ctx.day)
    we, wp, ws = settings.weights.normalised()
    per = danish_number(settings.per_kroner, 0)
    out = []
    for group in sorted({r.row.group for r in ranked}):
        mine = [r for r in ranked if r.row.group == group]
        year = mine[0].row.year
        rows = tuple((str(r.rank), r.row.title, danish_number(r.row.participants, 0),
                      kr(r.row.cost_per_participant), pct(r.row.employment), pct(r.row.progression),
                      pct(r.row.satisfaction), danish_number(r.score), danish_number(r.effect_per_kr, 2))
                     for r in mine)
        chart = bar_chart([Bar(r.row.title, r.effect_per_kr, highlight=r.of > 1 and r.rank == r.of) for r in mine],
                          title=_("Effect per {per} kr. per participant – {group} ({year})").format(
                              per=per, group=group, year=year), unit=_("points"))
        out.append(ReportSection(
            title=_("Effect economics: {group} ({year})").format(group=group, year=year),
            intro=_("Effect = {we} % × share in employment or education after {months} months + {wp} % × "
                    "progression + {ws} % × satisfaction; effect per krone = the effect per {per} kr. spent per "
                    "participant. The offers are comparable and ranked with the most effect per krone first.").format(
                we=danish_number(we * 100, 0), months=settings.months, wp=danish_number(wp * 100, 0),
                ws=danish_number(ws * 100, 0), per=per),
            headers=(_("Rank"), _("Offer"), _("Participants"), _("Cost per participant"), _("In job/education"),
                     _("Progression"), _("Satisfaction"), _("Effect (points)"),
                     _("Effect per {per} kr.").format(per=per)),
            rows=rows, chart=chart))
    return out


SECTIONS = [
    ReportSectionSpec(name="initiatives", description="Indsatser og businesscases", build=initiative_sections,
                      settings_key="initiatives"),
    ReportSectionSpec(name="offers", description="Effektøkonomi", build=offer_sections, settings_key="offers"),
]
