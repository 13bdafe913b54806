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
from govcore.model import Direction, Goal, Level, Target

_ORDER = {Level.national: 0, Level.political: 1, Level.administrative: 2, Level.team: 3}
_LABEL = {"national": "Nationalt", "political": "Politisk", "administrative": "Administrativt", "team": "Team"}


def _target_text(g: Goal) -> str:
    return "intet succeskriterie" if g.target is None else _criterion_text(g.target)


def _criterion_text(t: Target) -> str:
    own = getattr(t, "kpi", None)
    if own:
        return f"{_criterion_text(t.model_copy(update={'kpi': None}))} ({own})"
    if t.kind in ("at_least", "at_most"):
        return f"{'mindst' if t.kind == 'at_least' else 'højst'} {plain_number(t.value)}"
    if t.kind == "change":
        unit = " %" if t.unit == "percent" else ""
        until = f" til {t.by_period}" if t.by_period else ""
        base = "samme periode året før" if t.baseline == "previous_year" else t.baseline
        return f"ændring {'+' if t.by >= 0 else '-'}{plain_number(abs(t.by))}{unit} fra {base}{until}"
    if t.kind == "trajectory":
        return "forløb " + ", ".join(f"{plain_number(m.value)} i {m.period}" for m in t.milestones)
    if t.kind == "benchmark":
        return f"{'bedre' if t.relation == 'better' else 'dårligere'} end {t.series}"
    if t.kind == "rank":
        return f"top {t.top} af {t.of}"
    if t.kind == "until":
        return f"{_criterion_text(t.improve)} frem mod {_criterion_text(t.reached)}"
    if t.kind in ("all_of", "any_of"):
        return (" og " if t.kind == "all_of" else " eller ").join(_criterion_text(c) for c in t.criteria)
    assert isinstance(t, Direction)
    verb = {"rise": "skal stige", "fall": "skal falde", "improve": "skal forbedres"}[t.must]
    return verb + (" ift. sidste år" if t.compare == "previous_year" else " ift. forrige periode")


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
    out = [f"{pad}- [{_LABEL[node['level']]}] {node['title']}",
           f"{pad}    ansvarlig: {node['owner_title']}; nøgletal: {node['kpi'] or '-'}; "
           f"succeskriterie: {node['target']}; opfølgning: {(danish_for(node['followup']) or (node['followup'],))[0]}"]
    for c in node["children"]:
        out.extend(_lines(c, depth + 1))
    return out


def render_cascade(tree: dict[str, Any]) -> str:
    out = [f"Målhierarki for {tree['municipality']} {tree['year']}", ""]
    if tree["national"]:
        out.append(f"Ministermål {tree['year']}:")
        for n in tree["national"]:
            flag = "" if n["answered"] else "   <-- INGEN lokale mål besvarer dette ministermål"
            out.append(f"{n['number']}. {n['title']} ({'nyt' if n['status'] == 'new' else 'videreført'}){flag}")
            if n["measure_ids"]:
                out.append(f"   national måling: {', '.join(n['measure_ids'])}")
            elif n["measures"]:
                out.append(f"   national måling uden kendt Jobindsats-id: {'; '.join(n['measures'])}")
            else:
                out.append("   ingen national måling: kommunen vælger selv sine indikatorer")
            for g in n["goals"]:
                out.extend(_lines(g, 1))
        out.append("")
    else:
        out.append(f"Ingen ministermål for {tree['year']} (er ministermål-pluginet installeret?)")
        out.append("")
    if tree["local"]:
        out.append("Lokale mål uden for ministermålene:")
        for g in tree["local"]:
            out.extend(_lines(g, 1))
    if tree["unanswered"]:
        out += ["", f"{len(tree['unanswered'])} ministermål uden lokale mål: {', '.join(tree['unanswered'])}"]
    return "\n".join(out) + "\n"
