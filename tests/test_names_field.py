"""`engine._names_field` (does a compiled rule set test a field?) walks with a stack instead of
recursing with a generator per level: it must answer as the recursive walk it replaced."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.config import load_config
from govcore.engine import _names_field
from govcore.rules.compiler import compile_ruleset

ROOT = Path(__file__).resolve().parent.parent


def recursive(definition: Any, name: str) -> bool:
    """The walk as it was."""
    if isinstance(definition, Mapping):
        return any(k == name or recursive(v, name) for k, v in definition.items())
    if isinstance(definition, list | tuple):
        return any(recursive(v, name) for v in definition)
    return False


NAMES = ["day", "status", "m", "$and", "$gte"]
keys = st.sampled_from(NAMES) | st.text(max_size=4)
leaves = st.none() | st.integers() | st.sampled_from(NAMES) | st.text(max_size=4)
trees = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                     | st.dictionaries(keys, inner, max_size=4)
                     | st.dictionaries(keys, inner, max_size=3).map(MappingProxyType), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(trees, st.sampled_from(NAMES))
def test_it_answers_as_the_recursive_walk(tree: Any, name: str) -> None:
    assert _names_field(tree, name) is recursive(tree, name)


def test_a_name_only_as_a_value_is_not_a_test() -> None:
    assert not _names_field({"m": {"$eq": {"wheel": "day"}}, "all": ["day", ("day",)]}, "day")
    assert _names_field({"all": [{"m": {"$and": [{"$gte": {"day": 20210101}}]}}]}, "day")


@pytest.fixture(scope="module")
def rule_sets() -> dict[str, Any]:
    """Each example's compiled rule set, once for the module (loading an example takes seconds)."""
    return {config: compile_ruleset(load_config(ROOT / "examples" / config).rules) for config in ("vejle", "hilleroed")}


@pytest.mark.parametrize("config", ["vejle", "hilleroed"])
@pytest.mark.parametrize("name", ["day", "status", "open_deviation", "forecast_status", "nothing"])
def test_the_examples_rule_sets(config: str, name: str, rule_sets: dict[str, Any]) -> None:
    compiled = rule_sets[config]
    assert _names_field(compiled, name) is recursive(compiled, name)
