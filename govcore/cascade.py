"""The goal cascade (nedbrydning af mål): national → political → administrative → team.

Shows who owns what under each national goal, which national goals no local goal answers (so a
gap is visible when next year's ministermål arrive), and each ministermål's national measurement
(its Jobindsats måling) — or that it has none, so the municipality must choose its own indicator.
"""

from __future__ import annotations

from typing import Any

from govcore.config import Configuration
from govcore.danish_words import danish_for
from govcore.formatting import plain_number
from govcore.i18n import N_, _, language, ngettext
from govcore.labels import Labels
from govcore.model import Direction, Goal, Level, Target

_ORDER = {Level.national: 0, Level.political: 1, Level.administrative: 2, Level.team: 3}
_LABEL = Labels({"national": N_("National"), "political": N_("Political"), "administrative": N_("Administrative"),
                 "team": N_("Team")})
_MUST = Labels({"rise": N_("must rise"), "fall": N_("must fall"), "improve": N_("must improve")})


def _target_text(g: Goal) -> str:
    return _("no success criterion") if g.target is None else _criterion_text(g.target)


def _criterion_text(t: Target) -> str:
    """A criterion in a line of the cascade, in the reader's language; figures the Danish way."""
    own = getattr(t, "kpi", None)
    if own:
        return f"{_criterion_text(t.model_copy(update={'kpi': None}))} ({own})"
    if t.kind in ("at_least", "at_most"):
        word = _("at least {value}") if t.kind == "at_least" else _("at most {value}")
        return word.format(value=plain_number(t.value))
    if t.kind == "change":
        unit = " %" if t.unit == "percent" else ""
        base = _("the same period a year before") if t.baseline == "previous_year" else t.baseline
        change = f"{'+' if t.by >= 0 else '-'}{plain_number(abs(t.by))}{unit}"
        text = _("change {change} from {base}").format(change=change, base=base)
        return text + (_(" by {period}").format(period=t.by_period) if t.by_period else "")
    if t.kind == "trajectory":
        steps = ", ".join(_("{value} in {period}").format(value=plain_number(m.value), period=m.period)
                          for m in t.milestones)
        return _("trajectory {steps}").format(steps=steps)
    if t.kind == "benchmark":
        word = _("better than {series}") if t.relation == "better" else _("worse than {series}")
        return word.format(series=t.series)
    if t.kind == "rank":
        return _("top {top} of {of}").format(top=t.top, of=t.of)
    if t.kind == "until":
        return _("{improve} towards {reached}").format(improve=_criterion_text(t.improve),
                                                      reached=_criterion_text(t.reached))
    if t.kind in ("all_of", "any_of"):
        return (_(" and ") if t.kind == "all_of" else _(" or ")).join(_criterion_text(c) for c in t.criteria)
    assert isinstance(t, Direction)
    return _MUST[t.must] + (_(" compared with last year") if t.compare == "previous_year"
                            else _(" compared with the previous period"))


def _node(g: Goal, cfg: Configuration, children: dict[str | None, list[Goal]]) -> dict[str, Any]:
    owner = cfg.organisation.role(g.owner).title if cfg.organisation.has(g.owner) else g.owner
    kpi = cfg.kpis[g.kpi].name if g.kpi and g.kpi in cfg.kpis else (g.kpi or "")
    return {"id": g.id, "title": g.title, "level": g.level.value, "owner": g.owner, "owner_title": owner,
            "kpi": kpi, "target": _target_text(g), "followup": g.followup.value,
            "children": [_node(c, cfg, children) for c in children.get(g.id, [])]}


def cascade(cfg: Configuration) -> dict[str, Any]:
    """National goals with the local goals that answer them (and their sub-goals)."""
    goals = sorted(cfg.goals, key=lambda g: (_ORDER[g.level], g.id))
    children: dict[str | None, list[Goal]] = {}
    for g in goals:
        children.setdefault(g.parent, []).append(g)
    national = []
    answered: set[str] = set()
    for n in cfg.national_goals:
        local = [g for g in goals if g.national_goal == n.id and g.parent is None]
        if local:
            answered.add(n.id)
        national.append({"id": n.id, "number": n.number, "title": n.title, "status": n.status,
                         "measures": list(n.measures), "measure_ids": list(n.measure_ids), "answered": bool(local),
                         "goals": [_node(g, cfg, children) for g in local]})
    other = [_node(g, cfg, children) for g in goals if g.parent is None and not g.national_goal]
    return {"municipality": cfg.municipality.name, "year": cfg.year, "national": national, "local": other,
            "unanswered": [n["id"] for n in national if not n["answered"]]}


def _lines(node: dict[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    followup = node["followup"]
    if language() == "da":
        followup = (danish_for(followup) or (followup,))[0]
    details = _("responsible: {owner}; KPI: {kpi}; success criterion: {target}; follow-up: {followup}").format(
        owner=node["owner_title"], kpi=node["kpi"] or "-", target=node["target"], followup=followup)
    out = [f"{pad}- [{_LABEL[node['level']]}] {node['title']}", f"{pad}    {details}"]
    for c in node["children"]:
        out.extend(_lines(c, depth + 1))
    return out


def render_cascade(tree: dict[str, Any]) -> str:
    year = tree["year"]
    out = [_("Goal hierarchy for {municipality} {year}").format(municipality=tree["municipality"], year=year), ""]
    if tree["national"]:
        out.append(_("Ministermål {year}:").format(year=year))
        for n in tree["national"]:
            flag = "" if n["answered"] else _("   <-- NO local goal answers this ministermål")
            status = _("new") if n["status"] == "new" else _("continued")
            out.append(f"{n['number']}. {n['title']} ({status}){flag}")
            if n["measure_ids"]:
                out.append(_("   national measurement: {ids}").format(ids=", ".join(n["measure_ids"])))
            elif n["measures"]:
                out.append(_("   national measurement without a known Jobindsats id: {measures}").format(
                    measures="; ".join(n["measures"])))
            else:
                out.append(_("   no national measurement: the municipality chooses its own indicators"))
            for g in n["goals"]:
                out.extend(_lines(g, 1))
        out.append("")
    else:
        out.append(_("No ministermål for {year} (is the ministermål plugin installed?)").format(year=year))
        out.append("")
    if tree["local"]:
        out.append(_("Local goals outside the ministermål:"))
        for g in tree["local"]:
            out.extend(_lines(g, 1))
    if tree["unanswered"]:
        out += ["", ngettext("{n} ministermål without local goals: {ids}", "{n} ministermål without local goals: {ids}",
                             len(tree["unanswered"])).format(n=len(tree["unanswered"]),
                                                             ids=", ".join(tree["unanswered"]))]
    return "\n".join(out) + "\n"
