"""A target's result is made without pydantic's validation (a third of an evaluation's time): it
must be the very result validation would make, field by field and type by type (an int left an
int writes '3' where the recorded events hold '3.0')."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from govcore.config import load_config
from govcore.engine import Engine
from govcore.model import Status, TargetResult
from govcore.targets import _clean, _number, evaluate, goal_result

ROOT = Path(__file__).resolve().parent.parent


def validated(r: TargetResult) -> TargetResult:
    """`r` made again through `TargetResult`'s validation, from the fields it says were set."""
    return TargetResult(**{f: getattr(r, f) for f in r.model_fields_set})


def parts_of(r: TargetResult) -> list[TargetResult]:
    return [r, *(q for p in r.parts for q in parts_of(p))]


def test_numbers_and_inputs_are_what_validation_makes() -> None:
    assert _number(None) is None
    assert _number(2.5) == 2.5
    for raw in (3, True, False):
        made = _number(raw)
        assert type(made) is float and made == float(raw)
    inputs: dict[str, float | str | None] = {"n": 3, "flag": True, "x": 2.5, "s": "tekst", "none": None}
    cleaned = _clean(inputs)
    assert cleaned is not inputs and inputs["n"] == 3 and type(inputs["n"]) is int
    assert {k: (v, type(v)) for k, v in cleaned.items()} == {
        "n": (3.0, float), "flag": (1.0, float), "x": (2.5, float), "s": ("tekst", str), "none": (None, type(None))}
    plain: dict[str, float | str | None] = {"x": 2.5, "s": "tekst", "none": None}
    copied = _clean(plain)
    assert copied == plain and copied is not plain  # a copy also without ints: the caller's dict stays its own
    assert _clean({"only": True}) == {"only": 1.0} and type(_clean({"n": 7})["n"]) is float
    validated_inputs = TargetResult(status=Status.no_data, inputs=inputs).inputs
    assert json.dumps(cleaned) == json.dumps(validated_inputs)


def test_every_result_of_the_examples_is_what_validation_makes() -> None:
    kinds: set[str] = set()
    statuses: set[str] = set()
    checked = 0
    for name, days in (("vejle", [dt.date(2021, m, 15) for m in (1, 4, 7, 10, 12)] + [dt.date(2018, 6, 1)]),
                       ("hilleroed", [dt.date(2021, m, 15) for m in (2, 6, 11)])):
        cfg = load_config(ROOT / "examples" / name)
        with Engine(cfg, start=dt.date(2015, 1, 1)) as engine:
            engine.advance_to(dt.date(2021, 12, 31))
            for day in days:
                view = engine.store.as_of(day)
                for g in cfg.version_at(day).goals:
                    for r in parts_of(goal_result(g, cfg.kpis, view, engine.code)):
                        v = validated(r)
                        assert r == v
                        assert r.model_dump_json() == v.model_dump_json(), (g.id, day)
                        assert {k: type(x) for k, x in r.inputs.items()} == {k: type(x) for k, x in v.inputs.items()}
                        assert type(r.actual) is type(v.actual) and type(r.expected) is type(v.expected)
                        measured = {"status", "actual", "expected", "period", "explanation", "inputs"}
                        expected_set = measured | {"parts"} if r.parts else {"status", "explanation", "inputs"} \
                            if r.status is Status.no_data and r.actual is None and r.period is None else measured
                        assert r.model_fields_set == expected_set, (g.id, day, r.model_fields_set)
                        kinds.add(str(r.inputs.get("kind")))
                        statuses.add(r.status.value)
                        checked += 1
    assert checked > 200
    assert statuses == {"on_track", "at_risk", "off_track", "no_data"}
    assert {"at_least", "at_most", "change", "direction", "all_of"} <= kinds, kinds


def test_a_goal_s_result_behaves_as_a_validated_one() -> None:
    """A goal's result is made from the target's by `_with` (the goal's id added to the inputs): equal to
    the validated one, copied and pickled like it, with the fields it says were set."""
    import copy
    import pickle

    from govcore.model import KPI, Goal, Observation
    from govcore.observations import ObservationStore

    share = KPI(id="share", name="andel i job", unit="%")
    store = ObservationStore([Observation(kpi="share", period="2022-01", value=45)])
    for target in ({"kind": "at_least", "value": 40}, {"kind": "at_least", "value": 40, "period": "2022"}):
        goal = Goal.model_validate({"id": "g", "title": "g", "level": "political", "owner": "o", "kpi": "share",
                                    "target": target})
        for day in (dt.date(2022, 1, 15), dt.date(2022, 3, 1)):  # not known yet, then measured
            r = goal_result(goal, {"share": share}, store.as_of(day))
            v = validated(r)
            assert r == v and v == r and r.model_dump_json() == v.model_dump_json()
            assert r.model_fields_set == v.model_fields_set and "inputs" in r.model_fields_set
            assert r.model_extra is None and r.inputs["goal"] == "g"
            assert pickle.loads(pickle.dumps(r)) == r and copy.deepcopy(r) == r
            assert r.model_copy(update={"explanation": "x"}).explanation == "x"
            assert r.parts == () and v.parts == ()
            # the target's own result, as `evaluate` makes it (without a goal's `_with`)
            assert goal.target is not None
            t = evaluate(goal.target, share, store.as_of(day))
            assert t == validated(t) and t.model_extra is None and t.parts == ()
            assert pickle.loads(pickle.dumps(t)) == t and copy.deepcopy(t) == t
