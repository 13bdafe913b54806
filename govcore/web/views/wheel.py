"""The årshjul page's data: a year's milestones and follow-ups (`LiveRuns.wheel`) as the circle
the year report draws (`govcore.charts.wheel_chart`: one ring per responsible role, today marked)
and as a list by month, each item with its anchor, which the circle's marks link to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govcore.access.live import LiveRuns
from govcore.access.principal import Principal
from govcore.charts import WheelMark, wheel_chart
from govcore.i18n import N_, _, ngettext
from govcore.labels import MONTHS
from govcore.text import date_text

FIRST_YEAR, LAST_YEAR = 2000, 2100
# Message ids: translate where they are read.
KINDS = {"as_of": N_("Milestone (cut-off date)"), "due": N_("Milestone (deadline)"), "followup": N_("Follow-up")}
FREQUENCIES = {"every_14_days": N_("every 14 days"), "monthly": N_("monthly"), "every_2nd_month": N_("every 2nd month"),
               "quarterly": N_("quarterly"), "half_yearly": N_("half-yearly"), "yearly": N_("yearly")}
NO_OWNER = N_("(no one responsible)")


@dataclass(frozen=True)
class WheelItem:
    anchor: str
    date: str
    title: str
    kind: str
    milestone: bool
    owner: str
    owner_title: str
    participants: str
    deliverables: str
    description: str
    past: bool


@dataclass(frozen=True)
class Month:
    name: str
    items: list[WheelItem]


@dataclass(frozen=True)
class WheelPage:
    year: int
    municipality: str
    svg: str
    desc: str
    months: list[Month]
    count: int
    today: str
    today_in_year: bool


def parse_year(text: str) -> int | None:
    """`?aar=` as a year between FIRST_YEAR and LAST_YEAR, else None ('' is None too)."""
    s = text.strip()
    if not (len(s) == 4 and s.isdigit()):
        return None
    year = int(s)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def year_wheel(live: LiveRuns, principal: Principal, municipality: str, year: int, today: dt.date) -> WheelPage:
    answer = live.wheel(principal, municipality, year)  # checks the permission first
    cfg = live.config(live.run(municipality))
    order = {r.id: i for i, r in enumerate(cfg.organisation.roles)}
    titles = {r.id: r.title for r in cfg.organisation.roles}
    events = answer["events"]
    owners = sorted({str(e.get("responsible") or "") for e in events}, key=lambda r: (order.get(r, len(order)), r))
    ring = {r: i for i, r in enumerate(owners)}
    rings = [titles.get(r, r) if r else NO_OWNER for r in owners]
    months: list[list[WheelItem]] = [[] for _ in range(12)]
    marks = []
    for i, e in enumerate(events, start=1):
        day = dt.date.fromisoformat(str(e["date"]))
        kind = _(KINDS[str(e["kind"])]) if str(e["kind"]) in KINDS else str(e["kind"])
        if e.get("frequency"):
            frequency = str(e["frequency"])
            kind += f" ({_(FREQUENCIES[frequency]) if frequency in FREQUENCIES else frequency})"
        owner = str(e.get("responsible") or "")
        item = WheelItem(
            anchor=f"hjul-{i}", date=date_text(day), title=str(e["title"]), kind=kind,
            milestone=e["kind"] != "followup", owner=owner,
            owner_title=titles.get(owner, owner) if owner else _(NO_OWNER),
            participants=", ".join(titles.get(p, p) for p in e.get("participants") or []),
            deliverables=", ".join(cfg.deliverables[d].title if d in cfg.deliverables else d
                                   for d in e.get("deliverables") or []),
            description=str(e.get("description") or ""), past=day < today)
        months[day.month - 1].append(item)
        marks.append(WheelMark(day=day, label=f"{item.date}: {item.title} ({item.kind}) – {item.owner_title}",
                               ring=ring[owner], milestone=item.milestone, href=f"#{item.anchor}"))
    milestones = sum(1 for m in marks if m.milestone)
    in_year = today.year == year
    followups = len(marks) - milestones
    desc = _("The annual cycle {year}: {milestones} and {followups} spread over {owners}").format(
        year=year, milestones=ngettext("{n} milestone", "{n} milestones", milestones).format(n=milestones),
        followups=ngettext("{n} follow-up", "{n} follow-ups", followups).format(n=followups),
        owners=ngettext("{n} responsible", "{n} responsible", len(rings)).format(n=len(rings)))
    desc += (f" ({', '.join(rings)})" if rings else "") + ". " + _("Every item is in the list below the diagram.")
    if in_year:
        desc += " " + _("Today is {day}.").format(day=date_text(today))
    svg = wheel_chart(marks, year=year, rings=rings, title=_("Annual cycle {year}").format(year=year), today=today,
                      desc=desc,
                      role="group")
    return WheelPage(year=year, municipality=cfg.municipality.name, svg=svg, desc=desc,
                     months=[Month(_(MONTHS[m]).capitalize(), items) for m, items in enumerate(months)],
                     count=len(marks), today=date_text(today), today_in_year=in_year)
