"""The `flows` KPI source: stock, inflow and outflow (bestand, tilgang, afgang) per group, and their rates.

Rebild measures outflow rather than stock (KL/Deloitte, "Gør som de bedste!"): a stock can stand
still while many leave and many arrive. For each group and period the file gives the stock at the
end of the period, the inflow and the outflow. The stock at the start is then
`stock − inflow + outflow`, and the rates are per 100 at the start:

    inflow_rate  = inflow  / stock at start × 100
    outflow_rate = outflow / stock at start × 100
    net_flow     = inflow − outflow

Each is a KPI (`flow:<group>:outflow_rate`, …) like any other, so goals can have targets on them
(`target: {kind: at_least, value: 20}` on `flow:unge:outflow_rate`).
"""

from __future__ import annotations

import re

from govcore import KPI, Frequency, InputError, KpiSource, Observation, Period, Problem, SourceContext, read_csv
from govcore_initiatives.cells import date, inside, number
from govcore_initiatives.i18n import _
from govcore_initiatives.settings import flow_settings

GROUP = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MEASURES: dict[str, tuple[str, bool, str]] = {
    "stock": ("personer", False, "bestand"),
    "inflow": ("personer", False, "tilgang"),
    "outflow": ("personer", True, "afgang"),
    "inflow_rate": ("%", False, "tilgangsrate"),
    "outflow_rate": ("%", True, "afgangsrate"),
    "net_flow": ("personer", False, "nettotilgang"),
}


def rates(stock: float, inflow: float, outflow: float) -> dict[str, float]:
    """The derived measures of one period (rates only when the stock at the start is above 0)."""
    start = stock - inflow + outflow
    out = {"stock": stock, "inflow": inflow, "outflow": outflow, "net_flow": inflow - outflow}
    if start > 0:
        out["inflow_rate"] = inflow / start * 100
        out["outflow_rate"] = outflow / start * 100
    return out


def _read(ctx: SourceContext) -> list[Observation]:
    settings = flow_settings(ctx.settings)
    path = inside(ctx.base_dir, settings.file, "sources.flows.file")
    out: list[Observation] = []
    problems: list[Problem] = []
    for row in read_csv(path, ["group", "period", "stock", "inflow", "outflow"], ["known"]):
        v = row.values
        bad = len(problems)
        group = v["group"].lower()
        if not GROUP.match(group):
            problems.append(row.problem("group", _("'{value}' is not a group id").format(value=v["group"]),
                                        _("use lower-case letters, digits, '-' and '_' (e.g. unge-kontanthjaelp)")))
        elif settings.groups and group not in settings.groups:
            problems.append(row.problem("group", _("unknown group '{group}'").format(group=v["group"]),
                                        _("the groups are listed under sources.flows.groups")))
        try:
            period = Period.parse(v["period"])
        except ValueError as err:
            problems.append(row.problem("period", str(err)))
            period = None
        nums = {}
        for col in ("stock", "inflow", "outflow"):
            x = number(v[col])
            if x is None or x < 0:
                problems.append(row.problem(col, _("'{value}' is not a number of 0 or more").format(value=v[col]),
                                            _("e.g. 1.250 or 38")))
            else:
                nums[col] = x
        known = date(v.get("known", "")) if v.get("known") else None
        if v.get("known") and known is None:
            problems.append(row.problem("known", _("'{value}' is not a date").format(value=v["known"]),
                                        _("write e.g. {example}").format(example="2021-02-10")))
        if len(problems) > bad or period is None:
            continue
        for measure, value in rates(nums["stock"], nums["inflow"], nums["outflow"]).items():
            out.append(Observation(kpi=f"flow:{group}:{measure}", period=period.text, value=round(value, 6),
                                   source=f"flows:{path.name}", known_at=known))
    if problems:
        raise InputError(problems)
    return out


def _groups(ctx: SourceContext) -> dict[str, Frequency | None]:
    """Each group in the file, with how often its figures come (the grain of its periods)."""
    periods: dict[str, set[str]] = {}
    for o in _read(ctx):
        periods.setdefault(o.kpi.split(":")[1], set()).add(o.period)
    return {g: Frequency.of_periods(p) for g, p in sorted(periods.items())}


def _kpis(ctx: SourceContext) -> list[KPI]:
    """Six KPIs per group. Each is published as often as the group's rows come (a file of months:
    monthly), so a figure older than two such periods is not judged as current."""
    names = flow_settings(ctx.settings).groups
    return [KPI(id=f"flow:{g}:{m}", name=f"{names.get(g, g)}: {name}", unit=unit, higher_is_better=higher,
                source="flows", measure=m, published=published)
            for g, published in _groups(ctx).items() for m, (unit, higher, name) in MEASURES.items()]


SOURCE = KpiSource(
    name="flows",
    description="stock, inflow and outflow (bestand, tilgang, afgang) per group and period (a CSV file), with "
                "inflow and outflow rates as KPIs that targets can use",
    kpis=_kpis,
    load=_read,
    depends_on=frozenset(),  # the files the settings name, not the version's year or goals
)
