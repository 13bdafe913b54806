"""perf-goals4: judging a goal reads plain copies of its target and KPI (`model.plain`), made once per
goal and configuration version, not the pydantic models (whose every attribute read goes through
the class's `__getattr__` hook). A copy must read as its model does, field for field, and a KPI's
copy must be that very KPI object's (a new version's KPI gets its own)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from govcore.config import load_config
from govcore.model import KPI, AllOf, AnyOf, Goal, Target, TargetBase, Until, plain
from govcore.targets import _PLAIN_KPIS, _plain_kpi, judging

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("vejle", "hilleroed", "jobindsats")


def reads_as(copy: object, model: BaseModel) -> None:
    """`copy` holds every field of `model`, the very values, and nothing of pydantic."""
    assert not isinstance(copy, BaseModel)
    assert not hasattr(copy, "__dict__")
    for name in type(model).model_fields:
        assert getattr(copy, name) is getattr(model, name), (type(model).__name__, name)


def criteria_of(target: Target) -> list[Target]:
    if isinstance(target, Until):
        return [target.improve, target.reached]
    if isinstance(target, AllOf | AnyOf):
        return list(target.criteria)
    return []


def every_goal(name: str) -> tuple[list[Goal], list[dict[str, KPI]]]:
    cfg = load_config(ROOT / "examples" / name)
    versions = [cfg, *cfg.versions]
    return [g for v in versions for g in v.goals], [v.kpis for v in versions]


def test_a_plain_copy_reads_as_its_model() -> None:
    checked = 0
    for name in EXAMPLES:
        goals, kpi_maps = every_goal(name)
        for kpis in kpi_maps:
            for kpi in kpis.values():
                reads_as(plain(kpi), kpi)
                checked += 1
        for g in goals:
            stack = [g.target] if g.target is not None else []
            while stack:
                t = stack.pop()
                reads_as(plain(t), t)
                stack.extend(criteria_of(t))
                checked += 1
    assert checked > 100


def test_judging_reads_plain_copies_of_the_versions_own_models() -> None:
    """The kinds are handed copies of the goal's own target and its version's KPI; a compound's
    criteria are copies of its own (a nested compound stays a model: its criteria are worked out
    from the model)."""
    compounds = 0
    for name in EXAMPLES:
        goals, kpi_maps = every_goal(name)
        for kpis in kpi_maps:
            for g in goals:
                judged = judging(g, kpis)
                if judged.kind is None:
                    assert judged.reads is None
                    continue
                assert g.target is not None and g.kpi is not None
                target, kpi = judged.reads  # type: ignore[misc]
                reads_as(kpi, kpis[g.kpi])
                assert kpi is _plain_kpi(kpis[g.kpi])  # goals on one KPI share its copy
                if not isinstance(g.target, TargetBase):
                    assert target is g.target
                    steps = judged.kind.args[0][2]  # type: ignore[attr-defined]
                    for (_, c, by, _, own), model in zip(steps, criteria_of(g.target), strict=True):
                        if isinstance(model, TargetBase):
                            reads_as(c, model)
                        else:
                            assert c is model
                        if by is not None:
                            reads_as(by, kpis[own or g.kpi])
                    compounds += 1
                    continue
                reads_as(target, g.target)
    assert compounds > 5


def test_a_kpi_copy_is_of_that_very_object() -> None:
    """A KPI object taking the id of a dropped one (the copies are kept by id) gets its own copy."""
    cfg = load_config(ROOT / "examples" / "vejle")
    old = next(iter(cfg.kpis.values()))
    new = old.model_copy(update={"unit": old.unit + " (ny)", "name": old.name + " (ny)"})
    _PLAIN_KPIS[id(new)] = (old, plain(old))  # as if `old` had had `new`'s id
    copy = _plain_kpi(new)
    reads_as(copy, new)
    assert copy.unit == old.unit + " (ny)"
    assert _plain_kpi(new) is copy
