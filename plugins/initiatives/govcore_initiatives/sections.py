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
        payback = "–" if case.payback_years is None else f"{danish_number(case.payback_years * 12)} mdr."
        evaluation = "gennemført" if real.evaluated else \
            ("mangler" if ctx.day >= i.evaluation_date else f"senest {danish_date(i.evaluation_date)}")
        rows.append((i.title, f"{danish_date(i.start)}–{danish_date(i.end)}", kr(case.net_cost),
                     kr(planned.net_saving) if planned else "–", kr(real.net_saving), pct(real.pct_of_case),
                     payback, evaluation))
    return [ReportSection(
        title="Indsatser og businesscases",
        intro=f"Hver indsats' businesscase for {year} sammenlignet med de realiserede tal (deltagere og varighed "
              "på ydelse omregnet til helår). Nettobesparelsen er efter statens refusion af ydelsen; "
              "første år tæller med indfasningen.",
        headers=("Indsats", "Periode", "Nettoudgift pr. år", f"Forventet nettobesparelse {year}",
                 f"Realiseret nettobesparelse {year}", "Realiseret i % af businesscasen", "Tilbagebetalingstid",
                 "Evaluering"),
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
                          title=f"Effekt pr. {per} kr. pr. deltager – {group} ({year})", unit="point")
        out.append(ReportSection(
            title=f"Effektøkonomi: {group} ({year})",
            intro=f"Effekt = {danish_number(we * 100, 0)} % × andel i job eller uddannelse efter "
                  f"{settings.months} måneder + {danish_number(wp * 100, 0)} % × progression + "
                  f"{danish_number(ws * 100, 0)} % × tilfredshed; effekt pr. krone = effekten pr. {per} kr. "
                  "brugt pr. deltager. Tilbuddene er sammenlignelige og rangeret med mest effekt pr. krone først.",
            headers=("Plads", "Tilbud", "Deltagere", "Udgift pr. deltager", "I job/uddannelse", "Progression",
                     "Tilfredshed", "Effekt (point)", f"Effekt pr. {per} kr."),
            rows=rows, chart=chart))
    return out


SECTIONS = [
    ReportSectionSpec(name="initiatives", description="Indsatser og businesscases", build=initiative_sections,
                      settings_key="initiatives"),
    ReportSectionSpec(name="offers", description="Effektøkonomi", build=offer_sections, settings_key="offers"),
]
