"""A target's words and inputs are made only when read (`targets.LazyResult`): read later, they must
be the very text and inputs made at once, also after the store has taken in more figures since
(corrections known the same day, later periods); the status and figures are there without them.

The eager side is the same evaluation read at once, on a store that is never changed; the lazy
side is read only after its store has grown, in either order (words first or inputs first).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import KPI, Goal, Observation, Status, Target, TargetResult
from govcore.observations import ObservationStore
from govcore.targets import (
    DAY_PLACEHOLDER,
    DayFreeView,
    LazyResult,
    evaluate,
    evaluate_lazy,
    fresh_until,
    goal_core,
    goal_core_lazy,
    goal_result,
    goal_stale,
    goal_stale_lazy,
    on_day,
    on_day_lazy,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET = TypeAdapter(Target)
CODE = "630"


def unread(r: LazyResult) -> bool:
    return not r.words_read() and r._inputs is None and all(unread(p) for p in r.parts)


def read(r: LazyResult, words_first: bool) -> TargetResult:
    """`r` read in the order given, as the `TargetResult` it is."""
    if words_first:
        assert isinstance(r.explanation, str)
    else:
        assert isinstance(r.inputs, dict)
    return r.result()


def same(lazy: LazyResult, eager: TargetResult, words_first: bool) -> None:
    assert (lazy.status, lazy.actual, lazy.expected, lazy.period, lazy.gap) == \
        (eager.status, eager.actual, eager.expected, eager.period, eager.gap)
    made = read(lazy, words_first)
    assert made == eager
    assert made.model_dump_json() == eager.model_dump_json()
    assert made.model_fields_set == eager.model_fields_set
    assert (lazy.explanation, lazy.inputs) == (eager.explanation, eager.inputs)
    assert len(lazy.parts) == len(eager.parts)


def grown(rows: list[Observation], day: dt.date) -> list[Observation]:
    """What arrives after an evaluation on `day`: every row corrected (known that same day, so the
    day's view would see it) and a later period."""
    more = [o.model_copy(update={"value": o.value + 7.25, "known_at": day}) for o in rows]
    more += [o.model_copy(update={"period": "2031-12", "known_at": day}) for o in rows[:1]]
    return more


def test_every_result_of_the_examples_read_late_is_the_one_read_at_once(vejle_config: Configuration) -> None:
    checked = 0
    kinds: set[str] = set()
    for name, days in (("vejle", [dt.date(2021, m, 15) for m in (1, 4, 7, 10, 12)] + [dt.date(2018, 6, 1)]),
                       ("hilleroed", [dt.date(2021, m, 15) for m in (2, 6, 11)])):
        cfg = vejle_config if name == "vejle" else load_config(ROOT / "examples" / name)
        every, code = list(cfg.observations), cfg.municipality.code
        for i, day in enumerate(days):
            known = [o for o in every if o.known <= day]
            for free in (False, True):  # the engine's day-free view and a plain one
                fixed, growing = ObservationStore(known), ObservationStore(known)
                lazies = []
                for g in cfg.version_at(day).goals:
                    lazy = goal_core_lazy(g, cfg.kpis, DayFreeView(growing, day) if free else growing.as_of(day),
                                          code)
                    stale = goal_stale_lazy(g, cfg.kpis, lazy, day)
                    assert unread(lazy) and (stale is None or unread(stale))
                    eager = goal_core(g, cfg.kpis, DayFreeView(fixed, day) if free else fixed.as_of(day), code)
                    eager_stale = goal_stale(g, cfg.kpis, eager, day)
                    lazies.append((lazy, eager, stale, eager_stale))
                for o in grown(known, day):
                    growing.add(o)
                for j, (lazy, eager, stale, eager_stale) in enumerate(lazies):
                    same(lazy, eager, (i + j) % 2 == 0)
                    assert (stale is None) == (eager_stale is None)
                    if stale is not None and eager_stale is not None:
                        same(stale, eager_stale, j % 2 == 1)
                    later = day + dt.timedelta(days=3)
                    same(on_day_lazy(lazy, later), on_day(eager, later), j % 2 == 0)
                    kinds.add(str(eager.inputs.get("kind")))
                    checked += 1
    assert checked > 200
    assert {"at_least", "at_most", "change", "direction", "all_of"} <= kinds, kinds


SHARE = KPI(id="share", name="andel i job", unit="%")
OTHER = KPI(id="other", name="andel på ydelse", unit="%", higher_is_better=False)
KPIS = {"share": SHARE, "other": OTHER}
MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020, 2021) for m in range(1, 13)]


def month_end(period: str) -> dt.date:
    y, m = (int(x) for x in period.split("-"))
    return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


values = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1))
criteria = st.one_of(
    st.builds(lambda v, t: {"kind": "at_least", "value": v, "tolerance": t}, values, st.sampled_from([0, 2])),
    st.builds(lambda v: {"kind": "at_most", "value": v}, values),
    st.builds(lambda b, u: {"kind": "change", "baseline": "previous_year", "by": b, "unit": u},
              st.sampled_from([-5, 0, 3]), st.sampled_from(["absolute", "percent"])),
    st.builds(lambda b, end, path: {"kind": "change", "baseline": "2019-12", "by": b, "by_period": end, "path": path},
              st.sampled_from([-4, 6]), st.sampled_from(["2020-12", "2021-06"]), st.sampled_from(["linear", "none"])),
    st.builds(lambda a, b: {"kind": "trajectory", "milestones": [{"period": "2020-06", "value": a},
                                                                  {"period": "2021-12", "value": b}]}, values, values),
    st.builds(lambda m, r: {"kind": "benchmark", "series": "national", "margin": m, "relation": r},
              st.sampled_from([0, 1.5, -1]), st.sampled_from(["better", "worse"])),
    st.builds(lambda must, cmp: {"kind": "direction", "must": must, "compare": cmp},
              st.sampled_from(["rise", "fall", "improve"]), st.sampled_from(["previous_period", "previous_year"])),
    st.builds(lambda top: {"kind": "rank", "top": top, "of": 5}, st.sampled_from([1, 3, 5])),
)


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any]:
    first: dict[str, Any] = draw(criteria)
    shape = draw(st.sampled_from(["single", "all_of", "any_of", "until", "other_kpi", "period"]))
    if shape == "single":
        return first
    if shape == "period":
        return {**first, "period": draw(st.sampled_from(["2020", "2021-Q2"]))} \
            if first["kind"] != "trajectory" else first
    second = draw(criteria)
    if shape == "other_kpi":
        second = {**second, "kpi": draw(st.sampled_from(["other", "missing"]))}
        return {"kind": draw(st.sampled_from(["all_of", "any_of"])), "criteria": [first, second]}
    if shape == "until":
        return {"kind": "until", "improve": first, "reached": second}
    return {"kind": shape, "criteria": [first, second]}


@st.composite
def histories(draw: st.DrawFn) -> list[Observation]:
    rows: list[Observation] = []
    for kpi in ("share", "other"):
        for period in draw(st.lists(st.sampled_from(MONTHS), max_size=14, unique=True)):
            known = month_end(period) + dt.timedelta(days=draw(st.integers(1, 60)))
            rows.append(Observation(kpi=kpi, period=period, value=draw(values), known_at=known))
            if kpi == "share" and draw(st.booleans()):
                rows.append(Observation(kpi=kpi, period=period, value=draw(values), known_at=known,
                                        series="national"))
            if kpi == "share" and draw(st.booleans()):  # other municipalities, for a computed rank
                for code in ("101", "147"):
                    rows.append(Observation(kpi=kpi, period=period, value=draw(values), known_at=known,
                                            municipality=code))
            if kpi == "share" and draw(st.integers(0, 4)) == 0:
                rows.append(Observation(kpi=kpi, period=period, value=draw(st.integers(1, 6)), known_at=known,
                                        series="rank"))
    return rows


@settings(max_examples=150, deadline=None)
@given(targets(), histories(), st.sampled_from([dt.date(2020, 3, 1), dt.date(2020, 11, 20), dt.date(2021, 7, 5),
                                                dt.date(2022, 2, 1)]),
       st.booleans(), st.booleans())
def test_a_result_read_after_the_store_grew_is_the_one_read_at_once(spec: dict[str, Any], rows: list[Observation],
                                                                   day: dt.date, words_first: bool,
                                                                   free: bool) -> None:
    target = TARGET.validate_python(spec)
    known = [o for o in rows if o.known <= day]
    fixed, growing = ObservationStore(known), ObservationStore(known)

    def view(store: ObservationStore) -> Any:
        return DayFreeView(store, day) if free else store.as_of(day)

    kpi_id = "share"
    goal = Goal(id="g", title="g", level="political", owner="chef", kpi=kpi_id, target=target)
    lazy_target = evaluate_lazy(target, KPIS[kpi_id], view(growing), CODE, KPIS)
    lazy_goal = goal_core_lazy(goal, KPIS, view(growing), CODE)
    stale = goal_stale_lazy(goal, KPIS, lazy_goal, day + dt.timedelta(days=400))
    assert unread(lazy_target) and unread(lazy_goal) and (stale is None or unread(stale))
    eager_target = evaluate(target, KPIS[kpi_id], view(fixed), CODE, KPIS)
    eager_goal = goal_core(goal, KPIS, view(fixed), CODE)
    eager_stale = goal_stale(goal, KPIS, eager_goal, day + dt.timedelta(days=400))
    for o in grown(known, day) + [o.model_copy(update={"known_at": day}) for o in rows if o.known > day]:
        growing.add(o)
    same(lazy_target, eager_target, words_first)
    same(lazy_goal, eager_goal, not words_first)
    assert (stale is None) == (eager_stale is None)
    if stale is not None and eager_stale is not None:
        same(stale, eager_stale, words_first)
    if not free:
        now = goal_stale(goal, KPIS, eager_goal, day) or eager_goal
        assert goal_result(goal, KPIS, fixed.as_of(day), CODE) == now
    for p, q in zip(lazy_target.parts, eager_target.parts, strict=True):
        assert p.result() == q


def test_the_engine_reads_the_words_of_few_results(vejle_config: Configuration) -> None:
    """Judging a year of goals makes their status and figures; the words of a result kept for
    reuse are made only when something reads them (a fired rule, a trace, the summary)."""
    cfg = vejle_config
    with Engine(cfg) as engine:
        engine.advance_to(dt.date(cfg.year, 11, 30))
        kept = [hit[2] for hit in engine._core_cache.values()]
        assert len(kept) > 10
        assert any(not r.words_read() for r in kept)
        assert all(r._inputs is None for r in kept)  # the engine never reads a goal's inputs
        goal = next(g for g in engine.config.goals if g.id in engine._core_cache)
        fresh = engine.goal_result(goal, engine.now.date())
        reused = engine.reused_lazy_result(goal)
        assert (reused.status, reused.actual, reused.period, reused.explanation) == \
            (fresh.status, fresh.actual, fresh.period, fresh.explanation)
        assert isinstance(engine.reused_goal_result(goal), TargetResult)


def test_an_evaluated_result_taken_as_lazy_is_itself() -> None:
    store = ObservationStore([Observation(kpi="share", period="2021-01", value=52, known_at=dt.date(2021, 2, 1))])
    spec = {"kind": "any_of", "criteria": [{"kind": "at_least", "value": 50}, {"kind": "at_most", "value": 2,
                                                                                "kpi": "other"}]}
    r = evaluate(TARGET.validate_python(spec), SHARE, store.as_of(dt.date(2021, 3, 1)), CODE, KPIS)
    lazy = LazyResult.of(r)
    assert lazy.result() is r and lazy.words_read() and lazy.explanation == r.explanation
    assert lazy.inputs == r.inputs and lazy.status is Status.on_track
    assert (lazy.actual, lazy.expected, lazy.period, lazy.gap) == (52.0, 50.0, "2021-01", 2.0)
    assert [p.result() for p in lazy.parts] == list(r.parts)
    assert [(p.status, p.actual, p.expected, p.period) for p in lazy.parts] == \
        [(p.status, p.actual, p.expected, p.period) for p in r.parts]
    # made again from it (another day's words), it keeps what was set
    again = on_day_lazy(lazy.derived(lambda a: "x " + DAY_PLACEHOLDER, lambda a: {"n": 1}, ()), dt.date(2021, 3, 2))
    made = again.result()
    assert made.model_fields_set == r.model_fields_set and made.explanation == "x 02.03.2021"
    assert made.inputs == {"n": 1.0} and made.parts == r.parts and made.actual == r.actual


def test_a_result_with_the_day_written_in_behaves_as_a_validated_one() -> None:
    import copy
    import pickle

    g = Goal(id="g", title="g", level="political", owner="chef", kpi="share",
             target=TARGET.validate_python({"kind": "at_least", "value": 50}))
    template = goal_core(g, KPIS, DayFreeView(ObservationStore([]), dt.date(2021, 3, 1)))
    written = on_day(template, dt.date(2021, 3, 5))
    assert written.explanation.endswith("05.03.2021")
    again = TargetResult(**{f: getattr(written, f) for f in written.model_fields_set})
    assert written == again and again == written and written.model_dump_json() == again.model_dump_json()
    assert pickle.loads(pickle.dumps(written)) == written and copy.deepcopy(written) == written
    assert written.model_extra is None and written.model_fields_set == template.model_fields_set


def test_a_change_without_a_path_before_its_end_says_so() -> None:
    target = TARGET.validate_python({"kind": "change", "baseline": "2019-12", "by": 5, "by_period": "2021-12",
                                     "path": "none"})
    store = ObservationStore([Observation(kpi="share", period=p, value=v, known_at=dt.date(2021, 3, 1))
                              for p, v in (("2019-12", 40), ("2020-06", 42))])
    lazy = evaluate_lazy(target, SHARE, store.as_of(dt.date(2021, 3, 1)), CODE)
    assert unread(lazy) and lazy.status is Status.no_data
    assert lazy.explanation == ("kriteriet gælder for 2021-12; dokumentet fastsætter kun slutpunktet, og der er "
                                "ikke valgt et forløb før det (path: none)")
    assert lazy.inputs["path"] == "none" and "value" not in lazy.inputs


def test_the_day_is_written_in_when_the_words_are_read() -> None:
    g = Goal(id="g", title="g", level="political", owner="chef", kpi="share",
             target=TARGET.validate_python({"kind": "at_least", "value": 50}))
    empty = ObservationStore([])
    template = goal_core_lazy(g, KPIS, DayFreeView(empty, dt.date(2021, 3, 1)))
    later = dt.date(2021, 5, 4)
    written = on_day_lazy(template, later)
    assert unread(written) and written is not template
    assert written.explanation == "ingen værdi for andel i job er kendt pr. 04.05.2021"
    assert written.inputs == template.inputs and written.inputs is not template.inputs
    assert template.explanation.endswith(DAY_PLACEHOLDER)  # the template keeps its placeholder
    assert on_day_lazy(template, later).explanation == written.explanation  # read, with a placeholder
    assert written.result() == on_day(goal_core(g, KPIS, DayFreeView(empty, dt.date(2021, 3, 1))), later)
    measured = goal_core_lazy(g, KPIS, DayFreeView(ObservationStore([
        Observation(kpi="share", period="2021-01", value=52, known_at=dt.date(2021, 2, 1))]), dt.date(2021, 3, 1)))
    assert on_day_lazy(measured, later) is not measured  # unread words: the day is written in when read
    assert on_day_lazy(measured, later).explanation == measured.explanation
    assert on_day_lazy(measured, later) is measured  # read now, and without a placeholder: itself
    assert (measured.actual, measured.expected, measured.gap) == (52.0, 50.0, 2.0)
    assert type(measured.actual) is float and template.gap is None


def test_a_result_is_fresh_until_its_kpi_s_age_limit() -> None:
    aged = KPI(id="share", name="andel i job", unit="%", max_age="3 måneder")
    kpis = {"share": aged}
    g = Goal(id="g", title="g", level="political", owner="chef", kpi="share",
             target=TARGET.validate_python({"kind": "at_least", "value": 50}))
    store = ObservationStore([Observation(kpi="share", period="2021-01", value=52, known_at=dt.date(2021, 2, 1))])
    core = goal_core_lazy(g, kpis, store.as_of(dt.date(2021, 3, 1)))
    last = fresh_until(g, kpis, core)
    assert last is not None and last > dt.date(2021, 1, 31)
    assert fresh_until(g, kpis, core.result()) == last
    assert goal_stale_lazy(g, kpis, core, last) is None
    stale = goal_stale_lazy(g, kpis, core, last + dt.timedelta(days=1))
    assert stale is not None and unread(stale) and stale.status is Status.no_data
    assert goal_stale(g, kpis, core.result(), last) is None
    eager = goal_stale(g, kpis, core.result(), last + dt.timedelta(days=1))
    assert eager is not None and eager == stale.result() and eager.model_fields_set == stale.result().model_fields_set
    assert goal_stale(g, {"share": SHARE}, core.result(), last + dt.timedelta(days=999)) is None
    assert goal_stale(g, {}, core.result(), last + dt.timedelta(days=1)) is None
    assert stale.inputs["stale_after"] == last.isoformat() and stale.inputs["goal"] == "g"
    assert "for gammelt" in stale.explanation
    assert fresh_until(g, {"share": SHARE}, core) is None  # no age limit
    assert fresh_until(g, {}, core) is None
    period_goal = g.model_copy(update={"target": TARGET.validate_python(
        {"kind": "at_least", "value": 50, "period": "2021"})})
    assert fresh_until(period_goal, kpis, core) is None
    nothing = goal_core_lazy(g, kpis, ObservationStore([]).as_of(dt.date(2021, 3, 1)))
    assert fresh_until(g, kpis, nothing) is None


def test_a_change_names_its_path_only_once_it_has_a_figure_after_the_baseline() -> None:
    def no_data(spec: dict[str, Any], *rows: tuple[str, float]) -> LazyResult:
        store = ObservationStore([Observation(kpi="share", period=p, value=v, known_at=dt.date(2021, 3, 1))
                                  for p, v in rows])
        r = evaluate_lazy(TARGET.validate_python(spec), SHARE, store.as_of(dt.date(2021, 3, 1)), CODE)
        assert r.status is Status.no_data
        return r

    yearly = no_data({"kind": "change", "baseline": "previous_year", "by": 5, "by_period": "2021-12"})
    assert "path" not in yearly.inputs and yearly.inputs["by_period"] == "2021-12"
    early = no_data({"kind": "change", "baseline": "2020-12", "by": 5, "by_period": "2021-12"}, ("2020-06", 40))
    assert "path" not in early.inputs and "efter basisperioden 2020-12" in early.explanation
    ended = no_data({"kind": "change", "baseline": "2019-12", "by": 5, "by_period": "2020-12"}, ("2021-01", 40))
    assert ended.inputs["path"] == "linear" and "slutperioden 2020-12" in ended.explanation


def test_a_goal_s_core_reads_the_municipality_s_own_series() -> None:
    g = Goal(id="g", title="g", level="political", owner="chef", kpi="share",
             target=TARGET.validate_python({"kind": "at_least", "value": 50}))
    store = ObservationStore([
        Observation(kpi="share", period="2021-01", value=40, known_at=dt.date(2021, 2, 1)),
        Observation(kpi="share", period="2021-01", value=60, known_at=dt.date(2021, 2, 1), municipality=CODE)])
    view = store.as_of(dt.date(2021, 3, 1))
    own = goal_core(g, KPIS, view, CODE)
    assert own.actual == 60.0 and own.inputs["municipality"] == CODE
    assert goal_core(g, KPIS, view).actual == 40.0
