"""`targets.evaluate_lazy` finds the function that judges a target by its class in a dict
(`_KIND_OF`); the isinstance chain (`_kind_of`) it replaced still decides for any other class. Both
must pick the same function for every kind of target."""

from __future__ import annotations

from typing import get_args

from govcore.model import Target
from govcore.targets import _KIND_OF, _compound, _direction, _kind_of, _threshold


def target_classes() -> tuple[type, ...]:
    union = get_args(Target)[0]  # Annotated[A | B | ..., discriminator]
    return get_args(union)


def test_every_kind_of_target_is_in_the_dict_with_the_function_the_checks_pick() -> None:
    classes = target_classes()
    assert len(classes) == 10
    assert set(_KIND_OF) == set(classes)
    for cls in classes:
        assert _KIND_OF[cls] is _kind_of(cls.model_construct()), cls  # type: ignore[attr-defined]


def test_a_subclass_is_judged_as_its_kind() -> None:
    for cls in target_classes():
        sub = type(f"Own{cls.__name__}", (cls,), {})
        target = sub.model_construct()  # type: ignore[attr-defined]
        assert sub not in _KIND_OF
        assert _kind_of(target) is _KIND_OF[cls], cls


def test_the_kinds_with_their_own_functions() -> None:
    by_kind = {cls.__name__: _KIND_OF[cls] for cls in target_classes()}
    assert by_kind["AllOf"] is by_kind["AnyOf"] is by_kind["Until"] is _compound
    assert by_kind["AtLeast"] is by_kind["AtMost"] is _threshold
    assert by_kind["Direction"] is _direction
    assert len({by_kind[k] for k in ("Change", "Trajectory", "Benchmark", "Rank", "Direction", "AllOf",
                                     "AtLeast")}) == 7
