"""Target semantics: is a goal on track, as of a date, on the figures known that day?

A result must be reproducible by a reviewer months later, so every number that decided it goes
into `TargetResult.inputs`, and the evaluation only ever sees the `ObservationView` it is given
(values known on `view.day`). Missing data is never on track: when a decisive figure is unknown the
status is `no_data`, with the reason in the explanation.

Which series belongs to "the municipality": observations may be labelled with a municipality code
(needed when several municipalities are loaded, e.g. to compute a rank) or unlabelled (the
configured municipality). When a code is passed and the store holds that code's series, it is
used; otherwise the unlabelled series is. The choice depends on the store only, never on the day,
so a replayed year always reads the same series.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache, partial
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from govcore.formatting import danish_date as _day
from govcore.formatting import danish_number, is_rank_unit, percent, plain_number, quantity
from govcore.formatting import exact_number as _num
from govcore.i18n import _
from govcore.model import (
    KPI,
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    Benchmark,
    Change,
    Criterion,
    Direction,
    Goal,
    MilestonePoint,
    Observation,
    ObservationRow,
    Period,
    Rank,
    Status,
    Target,
    TargetBase,
    TargetResult,
    Trajectory,
    Until,
    plain,
    unvalidated,
)
from govcore.observations import ObservationView

__all__ = ["DAY_PLACEHOLDER", "DayFreeView", "Judging", "LazyResult", "combine", "day_class", "depends_on_day",
           "evaluate", "evaluate_lazy", "fresh_until", "goal_core", "goal_core_lazy", "goal_core_of", "goal_result",
           "goal_stale", "goal_stale_lazy", "interpolate", "judging", "on_day", "on_day_lazy", "stale_after",
           "target_core_lazy"]

Inputs = dict[str, float | str | None]
# a figure a kind judged: the store's row, or an `Observation` (both read the same: value, period, known)
Figure = Observation | ObservationRow

# Sums like 200 * 1.1 land a hair beside the intended figure; a relative epsilon keeps a value
# that meets its target exactly from being reported off track.
_REL_EPS = 1e-9


@lru_cache(maxsize=8192)
def _period(text: str) -> Period:
    return Period.parse(text)


@lru_cache(maxsize=8192)
def _year_before(text: str) -> Period:
    """`same_last_year` of the period `text` (change and direction targets ask it at every evaluation)."""
    return _period(text).same_last_year()


@lru_cache(maxsize=8192)
def _period_before(text: str) -> Period:
    """`previous` of the period `text`."""
    return _period(text).previous()


# the statuses as module globals: every read of `Status.x` goes through the attribute hook that
# `EnumType.__getattr__` gives the class (no fast path), a global's read does not
_ON_TRACK, _AT_RISK, _OFF_TRACK, _NO_DATA = Status.on_track, Status.at_risk, Status.off_track, Status.no_data


def _eps(reference: float) -> float:
    return _REL_EPS * max(1.0, abs(reference))


def _q(x: float, kpi: KPI) -> str:
    """With the unit, so '48,0' cannot be read as persons when it is a share; a place in a ranking
    is 'nr. 27' (text.quantity)."""
    unit = kpi.unit
    if is_rank_unit(unit):
        return quantity(x, unit)
    return f"{_num(x)} {unit}" if unit else _num(x)


def _who(view: ObservationView, kpi: str, series: str, municipality: str | None) -> str | None:
    if municipality and view.store.rows((kpi, series, municipality)):
        return municipality
    return None


def _latest(view: ObservationView, kpi: str, municipality: str | None, series: str = "local",
            grain: str | None = None) -> Figure | None:
    """The latest figure of the series on `view`: the store's row in the commonest case (no model
    made; a row reads as its `Observation` does: value, period, known)."""
    if grain is None and view.within is None:  # the commonest: the last of the history
        rows = view.own_rows(kpi, series, municipality)
        return rows[-1] if rows else None
    return view.latest(kpi, series, _who(view, kpi, series, municipality), grain)



def _judge(actual: float, expected: float, higher_good: bool, tolerance: float) -> Status:
    shortfall = expected - actual if higher_good else actual - expected
    eps = _REL_EPS * max(1.0, abs(expected))  # `_eps`, inline (every evaluation judges)
    if shortfall <= eps:
        return _ON_TRACK
    if shortfall <= tolerance + eps:
        return _AT_RISK
    return _OFF_TRACK


def _judge_strict(actual: float, reference: float, higher_good: bool, tolerance: float) -> Status:
    """'Bedre end' / 'højere end' / 'lavere end': equal to the reference is not better, so it is
    at risk when a tolerance is given and off track otherwise."""
    shortfall = reference - actual if higher_good else actual - reference
    eps = _eps(reference)
    if shortfall < -eps:
        return _ON_TRACK
    if shortfall <= tolerance + eps:
        return _AT_RISK if tolerance > 0 else _OFF_TRACK
    return _OFF_TRACK


def _side(status: Status, higher_good: bool) -> str:
    if status is _ON_TRACK:
        return "er på eller over" if higher_good else "er på eller under"
    return "er under" if higher_good else "er over"


def _risk_note(status: Status, tolerance: float, kpi: KPI | None = None, unit: str = "") -> str:
    """A tolerance is an amount, not a value: on a ranking it is a number of places ('3 pladser'),
    never a place ('nr. 3', as `_q` writes a rank)."""
    if status is not _AT_RISK:
        return ""
    if kpi is not None and is_rank_unit(kpi.unit):
        amount = _places(tolerance)
    else:
        amount = _q(tolerance, kpi) if kpi is not None else f"{plain_number(tolerance)}{unit}"
    return f", men inden for tolerancen på {amount}"


def _places(n: float) -> str:
    return f"{plain_number(n)} {'plads' if n == 1 else 'pladser'}"


_MEASURED = frozenset(("status", "actual", "expected", "period", "explanation", "inputs"))
_UNMEASURED = frozenset(("status", "explanation", "inputs"))
_COMPOUND = _MEASURED | {"parts"}


def _number(x: float | None) -> float | None:
    """What `TargetResult`'s validation makes of a number: an int (or a bool) becomes a float."""
    return float(x) if x.__class__ is int or x.__class__ is bool else x


_INTEGRAL = frozenset((int, bool))


def _clean(inputs: Inputs) -> Inputs:
    """A copy of `inputs` as `TargetResult`'s validation leaves it (ints and bools as floats); most
    hold none, and are copied without a look at each value in Python."""
    if _INTEGRAL.isdisjoint(map(type, inputs.values())):
        return dict(inputs)
    return {k: float(v) if v.__class__ is int or v.__class__ is bool else v for k, v in inputs.items()}


def _made(fields: frozenset[str], values: dict[str, Any]) -> TargetResult:
    """A `TargetResult` of values it would accept, without its validation (about a third of an
    evaluation's time): the same fields, types and fields-set as `TargetResult(**...)` gives."""
    return unvalidated(TargetResult, values, set(fields))


Args = tuple[Any, ...]
TextOf = Callable[[Args], str]
InputsOf = Callable[[Args], Inputs]


class LazyResult:
    """A target's result with its status and figures made at once, and its words (`explanation`)
    and `inputs` made only when first read.

    The engine judges every goal again after each figure of its KPIs (2,000 goals: about 15,000
    evaluations a year) and reads the words of few of those results: when a rule fires, for the
    summary, a page or a report. The words are made by a module-level function from the values
    the evaluation looked up (`args`; never from the store again, which may have grown since), so
    they are the very text and inputs an eager evaluation gives, and `result()` is that
    `TargetResult`. The fields read as `TargetResult`'s do (`gap` too); equality, JSON and copies
    are `result()`'s. One tuple of values rather than closures: a result kept for reuse then holds
    two objects the cyclic garbage collector walks, not a dozen functions and cells (with closures
    the collector's passes cost more than the words saved).
    """

    __slots__ = ("_args", "_fields", "_goal", "_inputs", "_inputs_of", "_result", "_text", "_text_of", "actual",
                 "expected", "parts", "period", "status")

    def __init__(self, fields: frozenset[str], status: Status, actual: float | None, expected: float | None,
                 period: str | None, text_of: TextOf, inputs_of: InputsOf, args: Args,
                 parts: tuple[LazyResult, ...] = ()) -> None:
        self._fields = fields
        self.status = status
        # (floats and None, nearly every figure, are as validation leaves them: no call)
        self.actual = actual if actual is None or actual.__class__ is float else _number(actual)
        self.expected = expected if expected is None or expected.__class__ is float else _number(expected)
        self.period = period
        self.parts = parts
        self._text_of = text_of
        self._inputs_of = inputs_of
        self._args = args
        self._text: str | None = None
        self._inputs: Inputs | None = None
        self._result: TargetResult | None = None
        self._goal: Goal | None = None  # the goal whose result this is (`as_goals`): its inputs name it

    @classmethod
    def of(cls, result: TargetResult) -> LazyResult:
        """An evaluated result, as a `LazyResult` with its words already read."""
        made = cls(frozenset(result.model_fields_set), result.status, result.actual, result.expected,
                   result.period, _unread, _unread, (), tuple(cls.of(p) for p in result.parts))
        made._text = result.explanation
        made._inputs = result.inputs
        made._result = result
        return made

    @property
    def explanation(self) -> str:
        if self._text is None:
            self._text = self._text_of(self._args)
        return self._text

    @property
    def inputs(self) -> Inputs:
        if self._inputs is None:
            inputs = _clean(self._inputs_of(self._args))
            goal = self._goal
            self._inputs = inputs if goal is None else {"goal": goal.id, **inputs}
        return self._inputs

    @property
    def gap(self) -> float | None:
        if self.actual is None or self.expected is None:
            return None
        return self.actual - self.expected

    def words_read(self) -> bool:
        """Whether the explanation has been made."""
        return self._text is not None

    def derived(self, text_of: TextOf, inputs_of: InputsOf, args: Args) -> LazyResult:
        """The same status and figures with other words or inputs (a goal's, the day written in)."""
        return LazyResult(self._fields, self.status, self.actual, self.expected, self.period, text_of, inputs_of,
                          args, self.parts)

    def as_goals(self, goal: Goal) -> LazyResult:
        """This fresh result, made `goal`'s in place: the words are the target's and the inputs
        name the goal first, as a `derived` result reading this one would give, without a second
        result or a tuple (one per goal evaluation, kept until the goal's next). Only for a result
        no one else holds, its words not read yet."""
        assert self._text is None and self._inputs is None and self._result is None
        self._goal = goal
        return self

    def for_goal(self, goal: Goal) -> LazyResult:
        """`as_goals` as a new result, this one left as it is (a target's result several goals share)."""
        made = LazyResult(self._fields, self.status, self.actual, self.expected, self.period, self._text_of,
                          self._inputs_of, self._args, self.parts)
        made._goal = goal
        return made

    def result(self) -> TargetResult:
        """The `TargetResult`: the fields, types and fields-set validation would give."""
        if self._result is None:
            self._result = _made(self._fields, {
                "status": self.status, "actual": self.actual, "expected": self.expected, "period": self.period,
                "explanation": self.explanation, "inputs": self.inputs,
                "parts": tuple(p.result() for p in self.parts)})
        return self._result


def _unread(args: Args) -> Any:
    raise AssertionError("an evaluated result has its words")  # pragma: no cover


def _no_data(text_of: TextOf, inputs_of: InputsOf, args: Args) -> LazyResult:
    return LazyResult(_UNMEASURED, _NO_DATA, None, None, None, text_of, inputs_of, args)


def _base_inputs(target: Criterion, kpi: KPI, view: ObservationView, municipality: str | None) -> Inputs:
    return {"kind": target.kind, "kpi": kpi.id, "as_of": view.day.isoformat(),
            "municipality": municipality, "tolerance": target.tolerance}


def _observed(obs: Figure) -> Inputs:
    return {"value": obs.value, "period": obs.period, "value_known_at": obs.known.isoformat()}


DAY_PLACEHOLDER = "\ue000dag\ue001"


class DayFreeView(ObservationView):
    """A view whose texts name the day they are known on by `DAY_PLACEHOLDER` (private-use
    characters no configuration text holds): one evaluation then serves every day that sees the
    same figures, with the day written in by `on_day`."""


def _known_on(view: ObservationView) -> str:
    """The day in 'not known on ...' texts."""
    return DAY_PLACEHOLDER if isinstance(view, DayFreeView) else _day(view.day)


def _nothing_known(kpi: KPI, view: ObservationView) -> str:
    return f"ingen værdi for {kpi.name} er kendt pr. {_known_on(view)}"


# ------------------------------------------------------------------------------------ kinds
# Each kind looks up its figures and judges them; its words and inputs are made when read, by
# the functions below from the values it looked up (`LazyResult`), in the order an eager
# evaluation wrote them. Every kind's values begin with (target, kpi, view, municipality).


def _head(a: Args) -> Inputs:
    return _base_inputs(a[0], a[1], a[2], a[3])


def _nothing_text(a: Args) -> str:
    return _nothing_known(a[1], a[2])


def _direction_word(higher_good: bool) -> str:
    return "higher" if higher_good else "lower"


# at_least, at_most: (target, kpi, view, municipality, higher_good, obs, status)

def _threshold_head(a: Args) -> Inputs:
    inputs = _head(a)
    inputs["good_direction"] = _direction_word(a[4])
    return inputs


def _threshold_inputs(a: Args) -> Inputs:
    inputs = _threshold_head(a)
    inputs.update(_observed(a[5]))
    inputs["expected"] = a[0].value
    return inputs


def _threshold_text(a: Args) -> str:
    target, kpi, _, _, higher_good, obs, status = a
    word = "mindst" if higher_good else "højst"
    return (f"{_q(obs.value, kpi)} i {obs.period} {_side(status, higher_good)} kravet på {word} "
            f"{_q(target.value, kpi)}{_risk_note(status, target.tolerance, kpi)}")


def _threshold(target: AtLeast | AtMost, kpi: KPI, view: ObservationView,
               municipality: str | None,
               _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    higher_good = target.kind == "at_least"
    obs = _latest(view, kpi.id, municipality)
    if obs is None:
        return _no_data(_nothing_text, _threshold_head, (target, kpi, view, municipality, higher_good))
    value = target.value
    status = _judge(obs.value, value, higher_good, target.tolerance)
    return LazyResult(_MEASURED, status, obs.value, value, obs.period, _threshold_text, _threshold_inputs,
                      (target, kpi, view, municipality, higher_good, obs, status))


# change: (target, kpi, view, municipality, higher_good, with_path, base_p, end_p, obs, base,
#          fraction, required, expected, status), as far as they are known

def _change_head(a: Args) -> Inputs:
    target = a[0]
    inputs = _head(a)
    inputs.update(by=target.by, unit=target.unit, by_period=target.by_period, good_direction=_direction_word(a[4]))
    if a[5]:
        inputs["path"] = target.path
    return inputs


def _change_observed(a: Args) -> Inputs:
    inputs = _change_head(a)
    inputs.update(_observed(a[8]))
    inputs["baseline_period"] = a[6].text
    inputs["baseline"] = a[9]
    return inputs


def _change_inputs(a: Args) -> Inputs:
    inputs = _change_observed(a)
    inputs.update(fraction=a[10], required_change=a[11], expected=a[12])
    return inputs


def _change_no_later(a: Args) -> str:
    return f"ingen værdi for {a[1].name} for en periode efter basisperioden {a[6]} er kendt pr. {_known_on(a[2])}"


def _change_no_end(a: Args) -> str:
    return f"værdien for {a[1].name} i slutperioden {a[7]} er ikke kendt pr. {_known_on(a[2])}"


def _change_no_path(a: Args) -> str:
    return (f"kriteriet gælder for {a[7]}; dokumentet fastsætter kun slutpunktet, og der er ikke valgt et "
            "forløb før det (path: none)")


def _change_no_base(a: Args) -> str:
    return f"basisværdien for {a[1].name} i {a[6]} er ikke kendt pr. {_known_on(a[2])}"


def _change_zero_base(a: Args) -> str:
    return f"basisværdien for {a[6]} er 0, så en ændring i procent kan ikke beregnes"


def _change_text(a: Args) -> str:
    target, kpi, _, _, higher_good, _, base_p, _, obs, base, fraction, _, expected, status = a
    sign = "+" if target.by >= 0 else "-"
    by_text = sign + (percent(abs(target.by)) if target.unit == "percent" else danish_number(abs(target.by), 3))
    pace = ""
    if target.by_period is not None and fraction < 1:
        pace = (f", {percent(fraction * 100)} af vejen mod {target.by_period} ad et jævnt forløb, som govcore har "
                "lagt ind; dokumentet fastsætter kun slutpunktet")
    return (f"{_q(obs.value, kpi)} i {obs.period} {_side(status, higher_good)} de forventede "
            f"{_q(expected, kpi)} ({_q(base, kpi)} i {base_p} ændret med {by_text}"
            f"{pace}){_risk_note(status, target.tolerance, kpi)}")


def _change(target: Change, kpi: KPI, view: ObservationView, municipality: str | None,
            _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    # (each field read once: a pydantic model's attribute goes through its `__getattr__` hook)
    by, by_period, unit, kpi_id = target.by, target.by_period, target.unit, kpi.id
    higher_good = by > 0 if by != 0 else kpi.higher_is_better
    with_path = False
    end_p = None
    if target.baseline == "previous_year":
        obs = _latest(view, kpi_id, municipality)
        if obs is None:
            return _no_data(_nothing_text, _change_head, (target, kpi, view, municipality, higher_good, False))
        base_p = _year_before(obs.period)
    else:
        base_p = _period(target.baseline)
        obs = _latest(view, kpi_id, municipality, grain=base_p.grain)
        if obs is None or _period(obs.period).end <= base_p.end:
            return _no_data(_change_no_later, _change_head,
                            (target, kpi, view, municipality, higher_good, False, base_p))
        if by_period is not None:
            end_p = _period(by_period)
            with_path = True
            if _period(obs.period).end >= end_p.end:
                # The document judges the end period; a later month says nothing about it.
                end_obs = view.observation(kpi_id, end_p, "local", _who(view, kpi_id, "local", municipality))
                if end_obs is None:
                    return _no_data(_change_no_end, _change_head,
                                    (target, kpi, view, municipality, higher_good, True, base_p, end_p))
                obs = end_obs
            elif target.path == "none":
                return _no_data(_change_no_path, _change_head,
                                (target, kpi, view, municipality, higher_good, True, base_p, end_p))
    period = _period(obs.period)
    base = view.own_value(kpi_id, base_p, "local", municipality)
    if base is None:
        return _no_data(_change_no_base, _change_observed,
                        (target, kpi, view, municipality, higher_good, with_path, base_p, end_p, obs, base))
    if unit == "percent" and base == 0:
        return _no_data(_change_zero_base, _change_observed,
                        (target, kpi, view, municipality, higher_good, with_path, base_p, end_p, obs, base))

    fraction = 1.0
    if by_period is not None:
        end = _period(by_period).end
        span = (end - base_p.end).days
        if span > 0:
            fraction = min(1.0, max(0.0, (period.end - base_p.end).days / span))
    scale = abs(base) / 100 if unit == "percent" else 1.0
    required = by * scale * fraction
    expected = base + required
    status = _judge(obs.value, expected, higher_good, target.tolerance)
    return LazyResult(_MEASURED, status, obs.value, expected, obs.period, _change_text, _change_inputs,
                      (target, kpi, view, municipality, higher_good, with_path, base_p, end_p, obs, base, fraction,
                       required, expected, status))


def interpolate(milestones: Sequence[MilestonePoint], day: dt.date) -> float:
    """The value a milestone path asks for on `day`.

    Each milestone counts at its period's last day, because a figure for a period is only
    complete then. Between milestones the path is linear in days; before the first and after the
    last it is flat. The result is clamped to the neighbours so rounding can never push it outside
    the promised range.
    """
    if not milestones:
        raise ValueError(_("a trajectory needs at least one milestone"))
    ends = [_period(m.period).end for m in milestones]
    i = bisect.bisect_left(ends, day)
    if i < len(ends) and ends[i] == day:
        return milestones[i].value
    if i == 0:
        return milestones[0].value
    if i == len(ends):
        return milestones[-1].value
    d0, d1 = ends[i - 1], ends[i]
    v0, v1 = milestones[i - 1].value, milestones[i].value
    t = (day - d0).days / (d1 - d0).days
    return min(max(v0 + (v1 - v0) * t, min(v0, v1)), max(v0, v1))


# trajectory: (target, kpi, view, municipality, higher_good, obs, at, expected, status)

def _trajectory_head(a: Args) -> Inputs:
    inputs = _head(a)
    inputs["good_direction"] = _direction_word(a[4])
    inputs["milestones"] = ", ".join(f"{m.period}: {m.value:g}" for m in a[0].milestones)
    return inputs


def _trajectory_inputs(a: Args) -> Inputs:
    inputs = _trajectory_head(a)
    inputs.update(_observed(a[5]))
    inputs.update(path_date=a[6].isoformat(), expected=a[7])
    return inputs


def _trajectory_text(a: Args) -> str:
    target, kpi, _, _, higher_good, obs, at, expected, status = a
    word = "mindst" if higher_good else "højst"
    return (f"{_q(obs.value, kpi)} i {obs.period} {_side(status, higher_good)} de {_q(expected, kpi)}, "
            f"som forløbet kræver pr. {_day(at)} ({word})"
            f"{_risk_note(status, target.tolerance, kpi)}")


def _trajectory(target: Trajectory, kpi: KPI, view: ObservationView, municipality: str | None,
            _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    higher_good = target.direction == "at_least"
    obs = _latest(view, kpi.id, municipality)
    if obs is None:
        return _no_data(_nothing_text, _trajectory_head, (target, kpi, view, municipality, higher_good))
    at = _period(obs.period).end
    expected = interpolate(target.milestones, at)
    status = _judge(obs.value, expected, higher_good, target.tolerance)
    return LazyResult(_MEASURED, status, obs.value, expected, obs.period, _trajectory_text, _trajectory_inputs,
                      (target, kpi, view, municipality, higher_good, obs, at, expected, status))


# benchmark: (target, kpi, view, municipality, higher_good, obs, bench, expected, status)

def _benchmark_head(a: Args) -> Inputs:
    target = a[0]
    inputs = _head(a)
    inputs.update(series=target.series, relation=target.relation, margin=target.margin,
                  good_direction=_direction_word(a[4]))
    return inputs


def _benchmark_observed(a: Args) -> Inputs:
    inputs = _benchmark_head(a)
    inputs.update(_observed(a[5]))
    inputs["benchmark"] = a[6]
    return inputs


def _benchmark_inputs(a: Args) -> Inputs:
    inputs = _benchmark_observed(a)
    inputs["expected"] = a[7]
    inputs["comparison"] = "inclusive" if a[0].margin else "strict"
    return inputs


def _benchmark_unknown(a: Args) -> str:
    return f"værdien for {a[0].series} af {a[1].name} i {a[5].period} er ikke kendt pr. {_known_on(a[2])}"


def _benchmark_text(a: Args) -> str:
    target, kpi, _, _, higher_good, obs, bench, expected, status = a
    relation = "bedre" if target.relation == "better" else "dårligere"
    if target.margin:
        text = (f"{_q(obs.value, kpi)} i {obs.period} {_side(status, higher_good)} de {_q(expected, kpi)}, "
                f"der kræves for at være {'mindst' if target.margin > 0 else 'højst'} {_q(abs(target.margin), kpi)} "
                f"{relation if target.margin > 0 else 'dårligere' if relation == 'bedre' else 'bedre'} "
                f"end {target.series} ({_q(bench, kpi)})")
    else:
        if abs(obs.value - bench) <= _eps(bench):
            where = f"er lig med {target.series} ({_q(bench, kpi)}) og altså ikke {relation}"
        else:
            word = ("over" if obs.value > bench else "under")
            where = f"er {word} {target.series} ({_q(bench, kpi)}) og altså " + \
                ("" if status is _ON_TRACK else "ikke ") + relation
        text = f"{_q(obs.value, kpi)} i {obs.period} {where}"
    return text + _risk_note(status, target.tolerance, kpi)


def _benchmark(target: Benchmark, kpi: KPI, view: ObservationView, municipality: str | None,
            _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    higher_good = kpi.higher_is_better == (target.relation == "better")
    obs = _latest(view, kpi.id, municipality)
    if obs is None:
        return _no_data(_nothing_text, _benchmark_head, (target, kpi, view, municipality, higher_good))
    bench = view.own_value(kpi.id, _period(obs.period), target.series, municipality)
    if bench is None:
        return _no_data(_benchmark_unknown, _benchmark_observed,
                        (target, kpi, view, municipality, higher_good, obs, bench))
    expected = bench + target.margin if higher_good else bench - target.margin
    if target.margin:
        status = _judge(obs.value, expected, higher_good, target.tolerance)
    else:
        status = _judge_strict(obs.value, bench, higher_good, target.tolerance)
    return LazyResult(_MEASURED, status, obs.value, expected, obs.period, _benchmark_text, _benchmark_inputs,
                      (target, kpi, view, municipality, higher_good, obs, bench, expected, status))


_FieldCache = dict[tuple[str, str, int], tuple[dict[str, float], list[float]]]
_FIELDS: WeakKeyDictionary[ObservationView, _FieldCache] = WeakKeyDictionary()


def _field(view: ObservationView, kpi: str, period: str) -> tuple[dict[str, float], list[float]]:
    """Every municipality's value for a period, also sorted, shared by all evaluations on a view.

    Ranking 98 municipalities would otherwise rescan the whole store 98 times a day. The store's
    size is part of the key, so observations added after the view was made are not missed.
    """
    per_view = _FIELDS.setdefault(view, {})
    key = (kpi, period, len(view.store))
    hit = per_view.get(key)
    if hit is None:
        values = view.across_municipalities(kpi, period)
        hit = per_view[key] = (values, sorted(values.values()))
    return hit


def _rank_status(rank: float, target: Rank) -> Status:
    return _judge(rank, float(target.top), False, target.tolerance)


def _rank_words(status: Status, target: Rank) -> str:
    inside = "inden for" if status is _ON_TRACK else "uden for"
    note = f", men inden for tolerancen på {_places(target.tolerance)}" if status is _AT_RISK else ""
    return f"{inside} top {target.top}{note}"


# rank: (target, kpi, view, municipality, obs, status) published;
#       (target, kpi, view, municipality, obs, status, compared, missing, best, worst) computed

def _rank_head(a: Args) -> Inputs:
    inputs = _head(a)
    inputs.update(top=a[0].top, of=a[0].of)
    return inputs


def _published_inputs(a: Args) -> Inputs:
    inputs = _rank_head(a)
    inputs.update(_observed(a[4]))
    inputs.update(rank_source="published", expected=float(a[0].top))
    return inputs


def _published_text(a: Args) -> str:
    published = a[4]
    return (f"den offentliggjorte placering nr. {plain_number(published.value)} for {published.period} er "
            f"{_rank_words(a[5], a[0])}")


def _no_rank_text(a: Args) -> str:
    return _nothing_known(a[1], a[2]) + ", og der er heller ingen offentliggjort placering"


def _rank_inputs(a: Args) -> Inputs:
    _, _, _, _, obs, _, compared, missing, best, worst = a
    inputs = _rank_head(a)
    inputs.update(_observed(obs))
    inputs["rank_source"] = "computed"
    inputs.update(compared=compared, missing=missing, rank_best=float(best), rank_worst=float(worst),
                  expected=float(a[0].top))
    return inputs


def _rank_open_text(a: Args) -> str:
    target, kpi, _, _, obs, _, compared, missing, best, worst = a
    return (f"{_q(obs.value, kpi)} i {obs.period} er nr. {best} blandt de {compared} kommuner med en værdi; "
            f"de {missing} uden kan placere den et sted fra nr. {best} til nr. {worst}, så det vides "
            f"endnu ikke, om den er i top {target.top}")


def _rank_text(a: Args) -> str:
    target, kpi, _, _, obs, status, compared, missing, best, worst = a
    scope = f"af {compared}" if not missing else f"blandt {compared} med en værdi (i værste fald nr. {worst})"
    return f"{_q(obs.value, kpi)} i {obs.period} er nr. {best} {scope}: {_rank_words(status, target)}"


def _rank(target: Rank, kpi: KPI, view: ObservationView, municipality: str | None,
            _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    published = _latest(view, kpi.id, municipality, series="rank")
    if published is not None:
        status = _rank_status(published.value, target)
        return LazyResult(_MEASURED, status, published.value, float(target.top), published.period, _published_text,
                          _published_inputs, (target, kpi, view, municipality, published, status))
    obs = _latest(view, kpi.id, municipality)
    if obs is None:
        return _no_data(_no_rank_text, _rank_head, (target, kpi, view, municipality))
    field, ordered = _field(view, kpi.id, obs.period)
    own = obs.value
    if kpi.higher_is_better:
        ahead = len(ordered) - bisect.bisect_right(ordered, own)
    else:
        ahead = bisect.bisect_left(ordered, own)
    compared = len(field) + (municipality not in field)
    missing = max(0, target.of - compared)
    best, worst = 1 + ahead, 1 + ahead + missing
    status = _rank_status(best, target)
    args = (target, kpi, view, municipality, obs, status, compared, missing, best, worst)
    if missing and _rank_status(worst, target) is not status:
        return _no_data(_rank_open_text, _rank_inputs, args)
    return LazyResult(_MEASURED, status, float(best), float(target.top), obs.period, _rank_text, _rank_inputs, args)


# direction: (target, kpi, view, municipality, higher_good, obs, before_p, before, status, eps)

def _direction_head(a: Args) -> Inputs:
    target = a[0]
    inputs = _head(a)
    inputs.update(must=target.must, compare=target.compare, good_direction=_direction_word(a[4]))
    return inputs


def _direction_observed(a: Args) -> Inputs:
    inputs = _direction_head(a)
    inputs.update(_observed(a[5]))
    inputs.update(previous_period=a[6].text, previous=a[7])
    return inputs


def _direction_inputs(a: Args) -> Inputs:
    inputs = _direction_observed(a)
    inputs["expected"] = a[7]
    return inputs


def _direction_unknown(a: Args) -> str:
    return (f"værdien for {a[1].name} i {a[6]} (at sammenligne {a[5].period} med) er ikke "
            f"kendt pr. {_known_on(a[2])}")


def _direction_text(a: Args) -> str:
    target, kpi, _, _, higher_good, obs, before_p, before, status, eps = a
    moved = "steg" if obs.value > before + eps else "faldt" if obs.value < before - eps else "var uændret"
    verb = {"rise": "stige", "fall": "falde", "improve": "stige" if higher_good else "falde"}[target.must]
    return (f"{_q(obs.value, kpi)} i {obs.period} {moved} fra {_q(before, kpi)} i {before_p}; "
            f"den skal {verb}{_risk_note(status, target.tolerance, kpi)}")


def _direction(target: Direction, kpi: KPI, view: ObservationView, municipality: str | None,
            _kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    higher_good = {"rise": True, "fall": False, "improve": kpi.higher_is_better}[target.must]
    kpi_id = kpi.id
    obs = _latest(view, kpi_id, municipality)
    if obs is None:
        return _no_data(_nothing_text, _direction_head, (target, kpi, view, municipality, higher_good))
    before_p = _period_before(obs.period) if target.compare == "previous_period" else _year_before(obs.period)
    before = view.own_value(kpi_id, before_p, "local", municipality)
    if before is None:
        return _no_data(_direction_unknown, _direction_observed,
                        (target, kpi, view, municipality, higher_good, obs, before_p, before))
    gain = obs.value - before if higher_good else before - obs.value
    eps = _eps(before)
    if gain > eps:
        status = _ON_TRACK
    elif target.tolerance > 0 and -gain <= target.tolerance + eps:
        status = _AT_RISK
    else:
        status = _OFF_TRACK
    return LazyResult(_MEASURED, status, obs.value, before, obs.period, _direction_text, _direction_inputs,
                      (target, kpi, view, municipality, higher_good, obs, before_p, before, status, eps))


# ------------------------------------------------------------------------------- compounds

_ORDER = (_ON_TRACK, _AT_RISK, _OFF_TRACK)
_RANK = {s: i for i, s in enumerate(_ORDER)}
_LABEL = {_ON_TRACK: "på sporet", _AT_RISK: "i risiko", _OFF_TRACK: "ude af kurs",
          _NO_DATA: "uden data"}


def combine(rule: str, statuses: Sequence[Status]) -> Status:
    """The overall status of a compound criterion.

    `all_of` is the worst of its criteria, `any_of` and `until` the best (on track < at risk <
    off track). A criterion without data could turn out any of the three, so the overall status
    is given only when it is the same whatever the missing figures turn out to be; otherwise it
    is `no_data`. All of [off track, no data] is off track; any of [on track, no data] is on track.
    """
    pick = max if rule == "all_of" else min
    known = []
    for s in statuses:  # (no comprehension: see `_compound_of`)
        if s is not _NO_DATA:
            known.append(_RANK[s])
    if len(known) == len(statuses):
        return _ORDER[pick(known)]
    outcomes = {pick([*known, guess]) for guess in (0, 2)}
    return _ORDER[outcomes.pop()] if len(outcomes) == 1 else _NO_DATA


def _undefined_text(a: Args) -> str:
    return f"nøgletallet '{a[1]}' er ikke defineret"


def _undefined_inputs(a: Args) -> Inputs:
    return {"kind": a[0].kind, "kpi": a[1]}


# A compound's criteria as judging reads them, worked out once per target and KPIs (`_criteria`;
# a goal's `judging` keeps them): the combining rule, each criterion with its name in the words,
# and per criterion its kind's function (None: it names a KPI that is not defined), the criterion,
# the KPI it is measured by, that KPI again when it is not the goal's (the words name it), and the
# KPI id it names; and the KPIs the words name, in order (kept in each result's values, as they are).
_Step = tuple[Callable[..., LazyResult] | None, Target, KPI | None, KPI | None, str | None]
_Criteria = tuple[str, tuple[tuple[str, Target], ...], tuple[_Step, ...], tuple[KPI | None, ...]]


def _criteria(target: AllOf | AnyOf | Until, kpi: KPI, kpis: Mapping[str, KPI] | None) -> _Criteria:
    """Each criterion of a compound is measured on its own KPI when it names one, else on the goal's."""
    named = (("forbedring", target.improve), ("mål", target.reached)) if isinstance(target, Until) \
        else tuple((str(i), c) for i, c in enumerate(target.criteria, 1))
    steps: list[_Step] = []
    for _name, c in named:
        own = getattr(c, "kpi", None)
        if not own or own == kpi.id:
            steps.append((_KIND_OF.get(c.__class__) or _kind_of(c), c, kpi, None, own))
            continue
        other = (kpis or {}).get(own)
        steps.append((None if other is None else _KIND_OF.get(c.__class__) or _kind_of(c), c, other, other, own))
    return target.kind, named, tuple(steps), tuple(step[3] for step in steps)


# compounds: (target, kpi, view, municipality, named, parts, others, status): `others`, the KPI each
# part was measured by when that is not the goal's

def _compound_inputs(a: Args) -> Inputs:
    target, kpi, view, municipality, named, parts, _, _ = a
    inputs: Inputs = {"kind": target.kind, "kpi": kpi.id, "as_of": view.day.isoformat(),
                      "municipality": municipality, "criteria": len(parts)}
    for (name, c), part in zip(named, parts, strict=True):
        inputs[f"{name}.status"] = part.status.value
        own = getattr(c, "kpi", None)
        if own and own != kpi.id:
            inputs[f"{name}.kpi"] = own
        for key, value in part.inputs.items():
            if key not in ("kpi", "as_of", "municipality"):
                inputs[f"{name}.{key}"] = value
    return inputs


def _compound_text(a: Args) -> str:
    target, _, _, _, named, parts, others, status = a
    lines = "; ".join(f"[{name}: {_LABEL[p.status]}] " + (f"{other.name}: " if other else "") + p.explanation
                      for (name, _), p, other in zip(named, parts, others, strict=True))
    if isinstance(target, Until):
        reached = parts[1].status is _ON_TRACK
        head = ("målet er nået og holdes, så der kræves ikke yderligere forbedring" if reached else
                "målet er ikke nået, så der kræves forbedring")
        if parts[1].status is _NO_DATA:  # never 'not reached' when that is not known
            head = ("det vides ikke, om målet er nået, og forbedringen alene afgør det ikke"
                    if status is _NO_DATA else "det vides endnu ikke, om målet er nået, så der kræves forbedring")
    else:
        word = "alle" if target.kind == "all_of" else "mindst ét"
        head = f"{word} af {len(parts)} kriterier skal være opfyldt"
    return f"{head}: {lines}"


def _compound(target: AllOf | AnyOf | Until, kpi: KPI, view: ObservationView,
              municipality: str | None, kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    return _compound_of(_criteria(target, kpi, kpis), target, kpi, view, municipality, kpis)


def _compound_of(criteria: _Criteria, target: AllOf | AnyOf | Until, kpi: KPI, view: ObservationView,
                 municipality: str | None, kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    """`_compound` with its `_criteria` worked out (a judging's are, once per goal and version)."""
    rule, named, steps, others = criteria
    # a loop, not a generator and a comprehension: in Python 3.11 each of those is a function
    # object and a frame made per evaluation (a compound is judged ~15 times a year)
    made: list[LazyResult] = []
    statuses: list[Status] = []
    for kind, c, by, _other, own in steps:
        part = _no_data(_undefined_text, _undefined_inputs, (c, own)) if kind is None else \
            kind(c, by, view, municipality, kpis)
        made.append(part)
        statuses.append(part.status)
    parts = tuple(made)
    status = combine(rule, statuses)
    first = parts[0]
    return LazyResult(_COMPOUND, status, first.actual, first.expected, first.period, _compound_text,
                      _compound_inputs, (target, kpi, view, municipality, named, parts, others, status), parts)


def evaluate(target: Target, kpi: KPI, view: ObservationView,
             municipality: str | None = None, kpis: Mapping[str, KPI] | None = None) -> TargetResult:
    """Where `kpi` stands against `target` on `view.day`, using only values known that day.

    `municipality` is the three-digit code; it is needed to rank against other municipalities
    and selects the code-labelled series when the store holds one. A compound target's result
    carries each criterion's own result in `parts`; a criterion naming its own KPI is measured
    by that KPI, looked up in `kpis`.
    """
    return evaluate_lazy(target, kpi, view, municipality, kpis).result()


def evaluate_lazy(target: Target, kpi: KPI, view: ObservationView,
                  municipality: str | None = None, kpis: Mapping[str, KPI] | None = None) -> LazyResult:
    """`evaluate`, with the words and inputs made when read (`LazyResult`)."""
    # (a compound's criteria may name other KPIs: each kind is given `kpis`)
    return (_KIND_OF.get(target.__class__) or _kind_of(target))(target, kpi, view, municipality, kpis)


def _kind_of(target: Target) -> Callable[..., LazyResult]:
    """The function that judges `target`'s kind; `_KIND_OF` knows the classes themselves (one
    look-up instead of up to seven checks, each building its union of classes again)."""
    if isinstance(target, AllOf | AnyOf | Until):
        return _compound
    if isinstance(target, AtLeast | AtMost):
        return _threshold
    if isinstance(target, Change):
        return _change
    if isinstance(target, Trajectory):
        return _trajectory
    if isinstance(target, Benchmark):
        return _benchmark
    if isinstance(target, Rank):
        return _rank
    return _direction


_KIND_OF: dict[type, Callable[..., LazyResult]] = {
    AllOf: _compound, AnyOf: _compound, Until: _compound, AtLeast: _threshold, AtMost: _threshold,
    Change: _change, Trajectory: _trajectory, Benchmark: _benchmark, Rank: _rank, Direction: _direction}


def goal_result(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView,
                municipality: str | None = None) -> TargetResult:
    """A goal's status; a goal that cannot be measured is reported as no data, not skipped.

    Whether the goal is in effect on the day is left to the caller, who knows why it asks.
    """
    core = goal_core_lazy(goal, kpis, view, municipality)
    return (goal_stale_lazy(goal, kpis, core, view.day) or core).result()


def goal_core(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView,
              municipality: str | None = None) -> TargetResult:
    """The goal's result before the check that its latest figure is not too old (`goal_stale`).

    Unless `depends_on_day` says otherwise, it differs between two days that see the same
    observations only in `inputs['as_of']`: the engine reuses it across follow-ups.
    """
    return goal_core_lazy(goal, kpis, view, municipality).result()


# a goal's: (goal,) unmeasurable; (result, goal) and (result, goal, within, kpi, view) with a target period

def _unmeasurable_text(a: Args) -> str:
    goal = a[0]
    if goal.target is None or goal.kpi is None:
        return f"målet '{goal.id}' har intet succeskriterie at måle"
    return f"målet '{goal.id}' måles med nøgletallet '{goal.kpi}', som ikke er defineret"


def _unmeasurable_inputs(a: Args) -> Inputs:
    return {"goal": a[0].id, "kpi": a[0].kpi}


def _goal_text(a: Args) -> str:
    return str(a[0].explanation)


def _period_unknown_text(a: Args) -> str:
    return f"ingen tal for {a[3].name} for {a[2]} er kendt pr. {_known_on(a[4])}"


def _period_inputs(a: Args) -> Inputs:
    return {"goal": a[1].id, "target_period": a[2].text, **a[0].inputs}


def goal_core_lazy(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView,
                   municipality: str | None = None) -> LazyResult:
    """`goal_core`, with the words and inputs made when read (`LazyResult`). (`target_core_lazy` and
    `goal_core_of` make the same result in two steps, for goals sharing a target.)"""
    return judging(goal, kpis).core(view, municipality, kpis)


class Judging(NamedTuple):
    """What judging a goal reads of its configuration, worked out once per goal and configuration
    version (`judging`): the engine judges a goal again after every figure of its KPIs (2,000 goals:
    about 15,000 times a year), and each time read the same target, KPI, target period and age
    rule through pydantic's attribute look-ups and worked out the same period again."""

    goal: Goal
    kind: Callable[..., LazyResult] | None  # the target's kind (None: the goal cannot be measured)
    target: Target | None
    kpi: KPI | None
    within: Period | None  # the target period
    start: dt.date | None  # its first day (`day_class`: a later day has begun it)
    stale: dict[str, dt.date | None] | None  # the KPI's age rule's last fresh day per period (None: never stale)
    # what the kind reads: the target and KPI as plain copies (`model.plain`; a compound's criteria are in `kind`)
    reads: tuple[Target, KPI] | None

    def core(self, view: ObservationView, municipality: str | None, kpis: Mapping[str, KPI]) -> LazyResult:
        """`goal_core_lazy` of the goal (`kpis`: the mapping this was worked out from)."""
        kind, goal = self.kind, self.goal
        if kind is None:
            return _no_data(_unmeasurable_text, _unmeasurable_inputs, (goal,))
        target, kpi = self.reads  # type: ignore[misc]
        within = self.within
        if within is None:
            return kind(target, kpi, view, municipality, kpis).as_goals(goal)
        result = kind(target, kpi, type(view)(view.store, view.day, within), municipality, kpis)
        unknown = result.status is _NO_DATA and result.period is None and view.day > within.start
        return result.derived(_period_unknown_text if unknown else _goal_text, _period_inputs,
                              (result, goal, within, self.kpi, view))

    def fresh(self, core: TargetResult | LazyResult) -> dt.date | None:
        """`fresh_until` of the goal's core result."""
        days, period = self.stale, core.period
        if days is None or period is None or core.status is _NO_DATA:
            return None
        last = days.get(period, _MISSING)
        if last is _MISSING:
            assert self.kpi is not None
            return _fresh_day(days, self.kpi, period)
        return last  # type: ignore[no-any-return]

    def day_class(self, day: dt.date) -> bool:
        """`day_class` of the goal on `day`."""
        start = self.start
        return start is not None and day > start

    def class_days(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """`class_days` of the goal on `day`."""
        start = self.start
        if start is None:
            return dt.date.min, dt.date.max
        return (start + dt.timedelta(days=1), dt.date.max) if day > start else (dt.date.min, start)


def judging(goal: Goal, kpis: Mapping[str, KPI]) -> Judging:
    """What judging `goal` on `kpis` reads of them, for `Judging.core` and its other questions."""
    target = goal.target
    within = _period(target.period) if target is not None and target.period is not None else None
    start = within.start if within is not None else None
    kpi = kpis.get(goal.kpi) if target is not None and goal.kpi is not None else None
    if kpi is None:
        return Judging(goal, None, target, None, within, start, None, None)
    assert target is not None
    stale = _age_rule(kpi) if within is None else None
    kind = _KIND_OF.get(target.__class__) or _kind_of(target)
    if kind is _compound:  # its criteria worked out here, not at every evaluation
        assert isinstance(target, AllOf | AnyOf | Until)
        rule, named, steps, others = _criteria(target, kpi, kpis)
        kind = partial(_compound_of, (rule, named, tuple(
            (k, _plain_target(c), by if by is None else _plain_kpi(by), other, own) for k, c, by, other, own in steps),
            others))
    return Judging(goal, kind, target, kpi, within, start, stale, (_plain_target(target), _plain_kpi(kpi)))


def _plain_target(target: Target) -> Target:
    """A criterion as a plain copy (`model.plain`); a compound as it is (`_criteria` tells them apart by class)."""
    return plain(target) if isinstance(target, TargetBase) else target


# plain copies of KPIs (`model.plain`), by the KPI object: the goals measured by one KPI share one
_PLAIN_KPIS: dict[int, tuple[KPI, KPI]] = {}


def _plain_kpi(kpi: KPI) -> KPI:
    hit = _PLAIN_KPIS.get(id(kpi))
    if hit is None or hit[0] is not kpi:
        if len(_PLAIN_KPIS) > 4096:
            _PLAIN_KPIS.clear()
        hit = _PLAIN_KPIS[id(kpi)] = (kpi, plain(kpi))
    return hit[1]


def target_core_lazy(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView,
                     municipality: str | None = None) -> LazyResult | None:
    """The part of `goal_core_lazy` that reads the figures: the goal's target evaluated on its KPI
    (within its target period), None when the goal cannot be measured. It depends on the target,
    the KPIs and the view, not on which goal asks, so goals with equal targets and KPIs may share
    it on one view (`goal_core_of` makes each goal's result of it)."""
    if goal.target is None or goal.kpi is None:
        return None
    kpi = kpis.get(goal.kpi)
    if kpi is None:
        return None
    if goal.target.period is not None:
        within = _period(goal.target.period)
        return evaluate_lazy(goal.target, kpi, type(view)(view.store, view.day, within), municipality, kpis)
    return evaluate_lazy(goal.target, kpi, view, municipality, kpis)


def goal_core_of(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView, core: LazyResult | None) -> LazyResult:
    """The goal's `goal_core_lazy` result made of `target_core_lazy`'s `core` on the same view (`core`
    is left as it is: other goals' results may be made of it too)."""
    if core is None or goal.target is None:
        return _no_data(_unmeasurable_text, _unmeasurable_inputs, (goal,))
    if goal.target.period is not None:
        within = _period(goal.target.period)
        unknown = core.status is _NO_DATA and core.period is None and view.day > within.start
        return core.derived(_period_unknown_text if unknown else _goal_text, _period_inputs,
                            (core, goal, within, kpis[goal.kpi or ""], view))
    return core.for_goal(goal)


def day_class(goal: Goal, day: dt.date) -> bool:
    """What besides the figures and the words naming the day makes `goal_core` differ between
    days: whether a target period has begun (a period with no figure yet is then 'not known').
    On a `DayFreeView`, `on_day(goal_core(...), day)` equals `goal_core` on `day` (but for
    `inputs['as_of']`) for every day that sees the same figures and has the same class."""
    period = goal.target.period if goal.target is not None else None
    return period is not None and day > _period(period).start


def class_days(goal: Goal, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day with `day`'s `day_class` (a caller that keeps a result across
    days compares dates instead of asking on every day)."""
    period = goal.target.period if goal.target is not None else None
    if period is None:
        return dt.date.min, dt.date.max
    start = _period(period).start
    return (start + dt.timedelta(days=1), dt.date.max) if day > start else (dt.date.min, start)


def on_day(template: TargetResult, day: dt.date) -> TargetResult:
    """A result made on a `DayFreeView` with `day` written into its explanation (a compound's parts keep
    the placeholder; only the explanation is read from a reused result)."""
    if DAY_PLACEHOLDER not in template.explanation:
        return template
    return _with(template, explanation=template.explanation.replace(DAY_PLACEHOLDER, _day(day)))


def _on_day_text(a: Args) -> str:
    text = str(a[0].explanation)
    return text.replace(DAY_PLACEHOLDER, _day(a[1])) if DAY_PLACEHOLDER in text else text  # (most have none)


def _template_inputs(a: Args) -> Inputs:
    return dict(a[0].inputs)


def on_day_lazy(template: LazyResult, day: dt.date) -> LazyResult:
    """`on_day` of a `LazyResult`: the day is written in when the explanation is read."""
    if template.words_read() and DAY_PLACEHOLDER not in template.explanation:
        return template
    return template.derived(_on_day_text, _template_inputs, (template, day))


def _with(result: TargetResult, **update: Any) -> TargetResult:
    """`result.model_copy(update=...)` without its generic copying."""
    return unvalidated(TargetResult, {**result.__dict__, **update}, result.model_fields_set | update.keys())


def goal_stale(goal: Goal, kpis: Mapping[str, KPI], core: TargetResult, day: dt.date) -> TargetResult | None:
    """No data on `day` when the figure the core result judged is older than the KPI allows."""
    stale = goal_stale_lazy(goal, kpis, LazyResult.of(core), day)
    return None if stale is None else stale.result()


# stale: (core, kpi, day, last)

def _stale_text(a: Args) -> str:
    core, kpi, day, _ = a
    return (f"seneste tal for {kpi.name} er fra {core.period}, og tal må højst være {kpi.age_text()} "
            f"gamle; pr. {_day(day)} er det for gammelt til at vurdere målet")


def _stale_inputs(a: Args) -> Inputs:
    return {**a[0].inputs, "stale_after": a[3].isoformat()}


def goal_stale_lazy(goal: Goal, kpis: Mapping[str, KPI], core: LazyResult, day: dt.date) -> LazyResult | None:
    """`goal_stale` of a `LazyResult` (it reads the status and period; the words when read)."""
    last = fresh_until(goal, kpis, core)
    if last is not None and day > last:
        return _no_data(_stale_text, _stale_inputs, (core, kpis[goal.kpi or ""], day, last))
    return None


def fresh_until(goal: Goal, kpis: Mapping[str, KPI], core: TargetResult | LazyResult) -> dt.date | None:
    """The last day on which `goal_stale` leaves the core result as it is (None: every day), for a
    caller that keeps the core result across days."""
    return judging(goal, kpis).fresh(core)


_MISSING: Any = object()
# per age rule of KPIs (their `max_age` and `published`): the last day a period's figure is fresh
_STALE_RULES: dict[tuple[str | None, str | None], dict[str, dt.date | None]] = {}


def stale_after(kpi: KPI, period: str) -> dt.date | None:
    """`kpi.stale_after` of the end of `period`, kept for every KPI with the same age rule."""
    days = _age_rule(kpi)
    last = days.get(period, _MISSING)
    return _fresh_day(days, kpi, period) if last is _MISSING else last


def _age_rule(kpi: KPI) -> dict[str, dt.date | None]:
    """The days kept for `kpi`'s age rule (`stale_after`), shared by the KPIs with that rule."""
    rule = (kpi.max_age, kpi.published._value_ if kpi.published else None)  # (`.value` is slow)
    days = _STALE_RULES.get(rule)
    return _STALE_RULES.setdefault(rule, {}) if days is None else days


def _fresh_day(days: dict[str, dt.date | None], kpi: KPI, period: str) -> dt.date | None:
    if len(days) > 4096:
        days.clear()
    last = days[period] = kpi.stale_after(_period(period).end)
    return last


def depends_on_day(result: TargetResult | LazyResult) -> bool:
    """Whether the result's words name the evaluation day (every 'not known on ...' text is in a
    no-data result or part), so it cannot be reused for another day."""
    return result.status is _NO_DATA or any(depends_on_day(p) for p in result.parts)
