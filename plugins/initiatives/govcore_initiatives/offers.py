"""Effektøkonomi (Vejle, in KL/Deloitte's "Gør som de bedste!"): effect per krone for each offer.

For each offer (tilbud) and year the file gives the participants, the cost, and three effects in
percent: the share in employment or education N months after (`employment`), the share with
progression (`progression`) and the share satisfied (`satisfaction`). The **score** is their
weighted mean (weights from the settings, normalised to sum 1), in percentage points; the
**effect per krone** is the score per `per_kroner` (default 10.000 kr.) spent per participant:

    score = w_e · employment + w_p · progression + w_s · satisfaction
    effect_per_kr = score / (cost / participants / per_kroner)

Offers are compared within their group (comparable offers for the same citizens) and year, best
first; ties go to the offer id, so the ranking is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
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
    Problem,
    SourceContext,
    Subject,
    SubjectContext,
    SubjectKind,
    read_csv,
)
from govcore_initiatives.cells import date, inside, number
from govcore_initiatives.i18n import N_, _
from govcore_initiatives.settings import OfferSettings, Weights, offer_settings

COLUMNS = ["offer", "title", "group", "year", "participants", "cost", "employment_pct", "progression_pct",
           "satisfaction_pct"]
EFFECTS = ("employment_pct", "progression_pct", "satisfaction_pct")


@dataclass(frozen=True)
class OfferYear:
    offer: str
    title: str
    group: str
    year: int
    participants: float
    cost: float
    employment: float
    progression: float
    satisfaction: float
    known: dt.date

    @property
    def cost_per_participant(self) -> float:
        return self.cost / self.participants


@dataclass(frozen=True)
class Ranked:
    row: OfferYear
    score: float
    effect_per_kr: float
    rank: int
    of: int


def score(row: OfferYear, weights: Weights) -> float:
    we, wp, ws = weights.normalised()
    return we * row.employment + wp * row.progression + ws * row.satisfaction


def rank(rows: Iterable[OfferYear], weights: Weights, per_kroner: float = 10_000.0) -> list[Ranked]:
    """Every row ranked within its group and year by effect per krone, best first.

    The result is ordered by group, year and rank.
    """
    groups: dict[tuple[str, int], list[tuple[float, float, OfferYear]]] = {}
    for r in rows:
        s = score(r, weights)
        groups.setdefault((r.group, r.year), []).append((s, s / (r.cost_per_participant / per_kroner), r))
    out: list[Ranked] = []
    for key in sorted(groups):
        ordered = sorted(groups[key], key=lambda t: (-t[1], t[2].offer))
        out.extend(Ranked(r, s, e, i, len(ordered)) for i, (s, e, r) in enumerate(ordered, start=1))
    return out


def latest_ranking(rows: Sequence[OfferYear], weights: Weights, per_kroner: float, day: dt.date) -> list[Ranked]:
    """The ranking of each group's latest year known on `day`."""
    known = [r for r in rows if r.known <= day]
    latest: dict[str, int] = {}
    for r in known:
        latest[r.group] = max(latest.get(r.group, r.year), r.year)
    return rank([r for r in known if r.year == latest[r.group]], weights, per_kroner)


@lru_cache(maxsize=32)
def _read(path: Path, _stamp: tuple[int, int]) -> tuple[OfferYear, ...]:
    out: list[OfferYear] = []
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for row in read_csv(path, COLUMNS, ["known"]):
        v = row.values
        bad = len(problems)
        if not v["offer"]:
            problems.append(row.problem("offer", _("no offer id given"),
                                        _("write the offer's id, e.g. virksomhedspraktik")))
        year = int(v["year"]) if v["year"].isdigit() and len(v["year"]) == 4 else None
        if year is None:
            problems.append(row.problem("year", _("'{value}' is not a year").format(value=v["year"]),
                                        _("write e.g. {example}").format(example="2021")))
        nums: dict[str, float] = {}
        for col in ("participants", "cost", *EFFECTS):
            x = number(v[col])
            if x is None or x < 0 or (col == "participants" and x == 0) or (col in EFFECTS and x > 100):
                message = _("'{value}' is not a share in percent (0-100)") if col in EFFECTS else \
                    _("'{value}' is not a number above 0") if col == "participants" else \
                    _("'{value}' is not a number of 0 or more")
                problems.append(row.problem(col, message.format(value=v[col]), _("e.g. 38,5 or 1.250.000")))
            else:
                nums[col] = x
        if "cost" in nums and nums["cost"] == 0:
            problems.append(row.problem("cost", _("the cost is 0, so effect per krone is undefined"),
                                        _("give the offer's cost for the year")))
        known = date(v.get("known", "")) if v.get("known") else dt.date((year or 2000) + 1, 1, 1)
        if known is None:
            problems.append(row.problem("known", _("'{value}' is not a date").format(value=v["known"]),
                                        _("write e.g. {example}").format(example="2022-03-01")))
        if year is not None and (v["offer"], year) in seen:
            problems.append(row.problem("offer", _("offer '{offer}' appears twice for {year}").format(
                offer=v["offer"], year=year), _("keep one row per offer and year")))
        if len(problems) > bad or year is None or known is None:
            continue
        seen.add((v["offer"], year))
        out.append(OfferYear(v["offer"], v["title"] or v["offer"], v["group"] or "alle", year, nums["participants"],
                             nums["cost"], nums["employment_pct"], nums["progression_pct"],
                             nums["satisfaction_pct"], known))
    if problems:
        raise InputError(problems)
    return tuple(out)


def load_offers(base_dir: Path, settings: OfferSettings) -> tuple[OfferYear, ...]:
    path = inside(base_dir, settings.file, "sources.offers.file")
    if not path.is_file():
        raise InputError(Problem(message=_("the offers file '{file}' does not exist").format(file=settings.file),
                                 field="sources.offers.file", hint=_("the path is relative to municipality.yaml")))
    st = path.stat()
    return _read(path, (st.st_mtime_ns, st.st_size))


MEASURES = {"cost_per_participant": ("kr.", False, "udgift pr. deltager"),
            "employment": ("%", True, "i job eller uddannelse"), "progression": ("%", True, "progression"),
            "satisfaction": ("%", True, "tilfredse"), "score": ("%", True, "samlet effekt"),
            "effect_per_kr": ("point", True, "effekt pr. krone")}


def _kpis(ctx: SourceContext) -> list[KPI]:
    """Six KPIs per offer. Effektøkonomi is computed once a year (one row per offer and year), so a
    year's figures count as current for two years after the year's end."""
    rows = load_offers(ctx.base_dir, offer_settings(ctx.settings))
    titles = {r.offer: r.title for r in rows}
    return [KPI(id=f"offer:{o}:{m}", name=f"{titles[o]}: {name}", unit=unit, higher_is_better=higher,
                source="offers", measure=m, published=Frequency.yearly)
            for o in sorted(titles) for m, (unit, higher, name) in MEASURES.items()]


def _load(ctx: SourceContext) -> list[Observation]:
    settings = offer_settings(ctx.settings)
    out: list[Observation] = []
    for r in rank(load_offers(ctx.base_dir, settings), settings.weights, settings.per_kroner):
        values = {"cost_per_participant": r.row.cost_per_participant, "employment": r.row.employment,
                  "progression": r.row.progression, "satisfaction": r.row.satisfaction, "score": r.score,
                  "effect_per_kr": r.effect_per_kr}
        out.extend(Observation(kpi=f"offer:{r.row.offer}:{m}", period=str(r.row.year), value=round(v, 6),
                               source="offers", known_at=r.row.known) for m, v in values.items())
    return out


SOURCE = KpiSource(
    name="offers",
    description="effektøkonomi: each offer's cost, employment effect, progression and satisfaction per year "
                "(a CSV file), scored with configurable weights and ranked by effect per krone",
    kpis=_kpis,
    load=_load,
    depends_on=frozenset(),  # the files the settings name, not the version's year or goals
)

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("offer", "text", "the offer's id"),
    FieldSpec("group", "text", "the group of comparable offers"),
    FieldSpec("year", "number", "the year of the latest figures known"),
    FieldSpec("participants", "number", "participants that year"),
    FieldSpec("cost_per_participant", "number", "cost per participant (kr.)"),
    FieldSpec("employment", "number", "% in employment or education N months after"),
    FieldSpec("progression", "number", "% with progression"),
    FieldSpec("satisfaction", "number", "% satisfied"),
    FieldSpec("score", "number", "the weighted effect (percentage points)"),
    FieldSpec("effect_per_kr", "number", "the score per 10.000 kr. per participant (per_kroner)"),
    FieldSpec("rank", "number", "its place among the group's offers that year (1 = most effect per krone)"),
    FieldSpec("of", "number", "how many offers the group has that year"),
    FieldSpec("last_in_group", "bool", "it has the least effect per krone of two or more offers"),
)


def offer_fields(r: Ranked) -> dict[str, Any]:
    return {"offer": r.row.offer, "group": r.row.group, "year": r.row.year, "participants": r.row.participants,
            "cost_per_participant": round(r.row.cost_per_participant, 2), "employment": r.row.employment,
            "progression": r.row.progression, "satisfaction": r.row.satisfaction, "score": round(r.score, 2),
            "effect_per_kr": round(r.effect_per_kr, 4), "rank": r.rank, "of": r.of,
            "last_in_group": r.of > 1 and r.rank == r.of}


def offer_subjects(ctx: SubjectContext) -> list[Subject]:
    settings = offer_settings(ctx.settings)
    ranked = latest_ranking(load_offers(ctx.base_dir, settings), settings.weights, settings.per_kroner, ctx.day)
    top = next((r.id for r in ctx.organisation.roles if r.superior is None), "")
    owner = settings.owner or top
    if not ctx.organisation.has(owner):
        raise InputError(Problem(message=_("no role has the id '{role}'").format(role=owner),
                                 field="sources.offers.owner"))
    return [Subject(kind="offer", id=r.row.offer, owner=owner, title=r.row.title, fields=offer_fields(r))
            for r in ranked]


KIND = SubjectKind(
    name="offer",
    label=N_("offer"),
    translate=_,
    description="every offer (tilbud) with figures known on the day: its latest year's effect per krone and "
                "its rank among the comparable offers of its group",
    fields=FIELDS,
    subjects=offer_subjects,
    settings_key="offers",
)
