"""`model.unvalidated` makes what pydantic's own unvalidated constructors make.

It sets a model's attributes itself (pydantic's `model_construct` loops over the fields in Python),
so a pydantic release that changes what a model instance holds would make its models differ from
pydantic's: these tests compare them attribute by attribute, for the uses govcore has (a target's
result, made whole and copied with changes)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

from govcore.model import Status, TargetResult, unvalidated
from govcore.targets import _made, _with

FULL: dict[str, Any] = {"status": Status.off_track, "actual": 3.5, "expected": 4.0, "period": "2021-Q2",
        "explanation": "under målet", "inputs": {"series": "local", "n": 2.0}, "parts": ()}


def _same(ours: TargetResult, theirs: TargetResult) -> None:
    assert type(ours) is type(theirs)
    assert list(ours.__dict__.items()) == list(theirs.__dict__.items())
    assert ours.model_fields_set == theirs.model_fields_set
    assert ours.__pydantic_extra__ == theirs.__pydantic_extra__
    assert ours.__pydantic_private__ == theirs.__pydantic_private__
    assert ours == theirs and repr(ours) == repr(theirs)
    assert ours.model_dump_json() == theirs.model_dump_json()
    assert ours.model_dump(exclude_unset=True) == theirs.model_dump(exclude_unset=True)
    assert pickle.loads(pickle.dumps(ours)) == theirs and copy.deepcopy(ours) == theirs


def test_a_whole_result_is_what_model_construct_makes() -> None:
    _same(_made(frozenset(FULL), dict(FULL)), TargetResult.model_construct(**FULL))
    _same(unvalidated(TargetResult, dict(FULL), set(FULL)), TargetResult(**FULL))


def test_a_result_of_some_fields_keeps_which_were_given() -> None:
    given: dict[str, Any] = {"status": Status.no_data, "explanation": "ingen tal"}
    theirs = TargetResult.model_construct(**given)
    ours = _made(frozenset(given), {"status": Status.no_data, "actual": None, "expected": None, "period": None,
                                    "explanation": "ingen tal", "inputs": {}, "parts": ()})
    _same(ours, theirs)
    assert ours.model_fields_set == {"status", "explanation"}


def test_a_changed_copy_is_what_model_copy_makes() -> None:
    base = TargetResult(status=Status.on_track, actual=1.0, explanation="nået")
    updates: tuple[dict[str, Any], ...] = ({"explanation": "nået den 1. marts"},
                                           {"period": "2021", "inputs": {"as_of": "2021-03-01"}})
    for update in updates:
        _same(_with(base, **update), base.model_copy(update=update))
