"""Initiatives (indsatser) as data, and the arithmetic of their business cases.

An initiative is started on a business case ("businesscase") and closed when it does not deliver
(KL/Deloitte, "Gør som de bedste!"). The case used here is the one in the study's Hillerød
example: the expected effect is *fewer weeks on benefit × citizens per year × the yearly benefit
cost of a full-time person*, less the state's refusion of the benefit, against the yearly running
costs (staff and other operating costs, each with its refusion rate). The first year has a
ramp-up share of the full effect.

Payback counts each year's net cost as paid at the start of the year and the savings as earned
evenly through it; payback is when the cumulative savings reach the cumulative costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govcore_initiatives.i18n import _

ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Costs(_Model):
    """Yearly running costs (kr.) and the refusion rates the municipality gets back (%)."""

    staff: float = Field(ge=0)
    other: float = Field(default=0.0, ge=0)
    staff_refusion_pct: float = Field(default=0.0, ge=0, le=100)
    other_refusion_pct: float = Field(default=0.0, ge=0, le=100)


class BusinessCase(_Model):
    """The expected effect: fewer weeks on benefit for the citizens who start each year."""

    citizens_per_year: float = Field(gt=0)
    weeks_before: float = Field(gt=0)
    weeks_after: float = Field(ge=0)
    yearly_cost_per_person: float = Field(gt=0)
    benefit_refusion_pct: float = Field(default=0.0, ge=0, le=100)
    weeks_per_year: float = Field(default=52.0, gt=0)
    ramp_up: float = Field(default=1.0, gt=0, le=1)
    years: list[int] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> BusinessCase:
        if self.weeks_after >= self.weeks_before:
            raise ValueError(_("weeks_after must be fewer than weeks_before: the case is about shorter spells"))
        if self.years != list(range(self.years[0], self.years[0] + len(self.years))):
            raise ValueError(_("years must be consecutive, in order (e.g. [2013, 2014, 2015, 2016])"))
        return self


class Initiative(_Model):
    id: str = Field(pattern=ID, max_length=80)
    title: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    target_group: str = ""
    start: dt.date
    end: dt.date
    evaluation: dt.date | None = None
    goals: list[str] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)
    costs: Costs
    business_case: BusinessCase
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> Initiative:
        if self.end < self.start:
            raise ValueError(_("end is before start"))
        if self.evaluation is not None and self.evaluation < self.start:
            raise ValueError(_("the evaluation is before the start"))
        return self

    @property
    def evaluation_date(self) -> dt.date:
        """The evaluation is due at the end unless another date is given."""
        return self.evaluation or self.end


class InitiativeFile(_Model):
    initiatives: list[Initiative] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> InitiativeFile:
        ids = [i.id for i in self.initiatives]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(_("initiative ids must be unique; repeated: {ids}").format(ids=", ".join(repeated)))
        return self


@dataclass(frozen=True)
class CaseYear:
    year: int
    share: float
    gross_saving: float
    net_saving: float
    net_cost: float

    @property
    def net_result(self) -> float:
        return self.net_saving - self.net_cost


@dataclass(frozen=True)
class CaseFigures:
    """What a business case computes (kr. per year unless said otherwise)."""

    gross_cost: float
    net_cost: float
    weeks_saved: float
    full_time_persons: float
    gross_saving: float
    net_saving: float
    years: tuple[CaseYear, ...]
    payback_years: float | None

    def year(self, year: int) -> CaseYear | None:
        return next((y for y in self.years if y.year == year), None)

    @property
    def total_net_result(self) -> float:
        return sum(y.net_result for y in self.years)


def net_cost(costs: Costs) -> float:
    return costs.staff * (1 - costs.staff_refusion_pct / 100) + costs.other * (1 - costs.other_refusion_pct / 100)


def saving(case: BusinessCase, citizens: float, weeks_saved: float) -> tuple[float, float, float]:
    """Full-time persons saved, gross and net yearly saving for `citizens` a year each saving `weeks_saved`."""
    persons = citizens * weeks_saved / case.weeks_per_year
    gross = persons * case.yearly_cost_per_person
    return persons, gross, gross * (1 - case.benefit_refusion_pct / 100)


def figures(initiative: Initiative) -> CaseFigures:
    case, costs = initiative.business_case, initiative.costs
    cost = net_cost(costs)
    weeks = case.weeks_before - case.weeks_after
    persons, gross, net = saving(case, case.citizens_per_year, weeks)
    years = tuple(CaseYear(y, share, gross * share, net * share, cost)
                  for y, share in ((y, case.ramp_up if i == 0 else 1.0) for i, y in enumerate(case.years)))
    return CaseFigures(gross_cost=costs.staff + costs.other, net_cost=cost, weeks_saved=weeks,
                       full_time_persons=persons, gross_saving=gross, net_saving=net, years=years,
                       payback_years=payback(years))


def payback(years: tuple[CaseYear, ...]) -> float | None:
    """Years from the start until the cumulative savings cover the cumulative costs, or None."""
    saved = spent = 0.0
    for i, y in enumerate(years):
        spent += y.net_cost
        if y.net_saving > 0 and saved + y.net_saving >= spent:
            return i + (spent - saved) / y.net_saving
        saved += y.net_saving
    return None
