"""The only module that touches durable-rules.

durable-rules is embedded, not used as a service: no background threads (its `Host` starts
self-re-arming timers; we never start them), one fact at a time, every queued action run in the
caller's thread, and the C-side state freed on close. Actions only record which rule matched;
govcore applies the decisions afterwards in a deterministic order.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from typing import Any

import durable_rules_engine
from durable import engine as _engine
from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter

from govcore.errors import GovcoreError

Scalar = StrictStr | StrictBool | StrictInt | StrictFloat
_message = TypeAdapter(dict[str, Scalar])
_names = itertools.count()


class _Host(_engine.Host):  # type: ignore[misc]
    def _run(self) -> None:
        """durable-rules would start wall-clock timer threads here; govcore owns time instead."""


def clean(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message durable-rules can match exactly: no None, no NaN, no exponent-form floats."""
    out: dict[str, Any] = {}
    for key, value in message.items():
        if value is None:
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                continue
            value = round(value, 6)
            if "e" in repr(value):
                value = 0.0 if abs(value) < 1 else int(value)
        out[key] = value
    return _message.validate_python(out)


class RuleRuntime:
    """One compiled ruleset in durable-rules, matched synchronously."""

    def __init__(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        self._fired: list[str] = []
        self._errors: list[BaseException] = []
        self._name = f"govcore{next(_names)}"
        self._host = _Host()
        rules = {name: {**dict(defn), "run": self._recorder(name)} for name, defn in definitions.items()}
        if not rules:
            rules = {"_none": {"all": [{"m": {"__never__": 1}}], "run": self._recorder("_none")}}
        try:
            self._host.set_rulesets({self._name: rules})
        except Exception as err:
            raise GovcoreError(f"durable-rules refused the compiled rules: {err}") from None
        self._ruleset = self._host.get_ruleset(self._name)
        self._sids: set[str] = set()
        self._closed = False

    def _recorder(self, name: str) -> Any:
        def record(c: Any) -> None:
            try:
                self._fired.append(name)
            except BaseException as err:  # pragma: no cover - appending cannot fail in practice
                self._errors.append(err)
        return record

    def match(self, message: Mapping[str, Any], sid: str = "0") -> list[str]:
        """The names of the rules the message matches (in definition order)."""
        if self._closed:
            raise GovcoreError("the rule runtime is closed")
        fact = clean({**message, "sid": sid})
        if "id" not in fact:
            raise GovcoreError("every message to durable-rules needs an explicit id")
        self._sids.add(sid)
        self._fired.clear()
        try:
            self._host.assert_fact(self._name, fact)
        except _engine.MessageNotHandledException:
            return []
        self._drain()
        fired = sorted(self._fired)
        self._fired.clear()
        self._host.retract_fact(self._name, fact)
        self._drain()
        self._fired.clear()
        if self._errors:
            err = self._errors[0]
            self._errors.clear()
            raise GovcoreError(f"a rule action failed: {err}")
        return fired

    def _drain(self) -> None:
        """Run actions durable-rules left queued, here and now, until none is left."""
        handle = self._ruleset._handle
        while True:
            result = durable_rules_engine.start_action(handle)
            if not result:
                return
            self._ruleset._flush_actions(json.loads(result[0]), {"message": json.loads(result[1])},
                                         result[2], lambda e, s: None)

    def close(self) -> None:
        """Free every session's state and the ruleset in the C engine."""
        if self._closed:
            return
        self._closed = True
        for sid in self._sids:
            try:
                self._ruleset.delete_state(sid)
            except Exception:  # the state may already be gone
                pass
        try:
            durable_rules_engine.delete_ruleset(self._ruleset._handle)
        except Exception:
            pass
        self._host._ruleset_directory.clear()
        self._host._ruleset_list.clear()
