"""The only module that touches durable-rules.

durable-rules is embedded, not used as a service: no background threads (its `Host` starts
self-re-arming timers; we never start them), one fact at a time, every queued action run in the
caller's thread. Actions only record which rule matched; govcore applies the decisions afterwards
in a deterministic order.

Memory: durable-rules 2.0.28 crashes intermittently (use after free) in `delete_state`, and a
ruleset dropped without it leaks its sessions' pools (~150 KiB per engine). So compiled rulesets
are shared: engines with the same rules use one C ruleset, each with its own session id (sid),
and a closed engine's sid is reused. Every fact is retracted right after matching, so a reused
session starts empty. Creating and closing engines in a loop therefore allocates nothing new.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import durable_rules_engine
from durable import engine as _engine

from govcore.errors import GovcoreError
from govcore.i18n import _

_names = itertools.count()
MAX_SIDS = 1000  # durable-rules refuses the 1 025th live session of a ruleset
MAX_IDLE_RULESETS = 32
_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one encoder, not a new one per message
# `_ENCODER`'s settings as one C encoder, made once (`JSONEncoder.encode` makes a new one per call);
# None where Python runs without its C accelerator. No circular-reference markers: a cleaned message
# holds texts, numbers and true/false only.
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_PAYLOAD_ENCODER: Any = None if _c_make_encoder is None else _c_make_encoder(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)


class _Host(_engine.Host):  # type: ignore[misc]
    def _run(self) -> None:
        """durable-rules would start wall-clock timer threads here; govcore owns time instead."""


def clean(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message durable-rules can match exactly: no None, no NaN, no exponent-form floats."""
    out: dict[str, Any] = {}
    for key, value in message.items():
        kind = type(value)
        if kind is str or kind is bool or kind is int:  # most values: kept as they are
            out[key] = value
            continue
        if value is None:
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                continue
            value = round(value, 6)
            if "e" in repr(value):
                value = 0.0 if abs(value) < 1 else int(value)
        elif not isinstance(value, str | int):
            raise GovcoreError(_("the message field '{field}' is a {type}; durable-rules takes only text, "
                                 "numbers and true/false").format(field=key, type=type(value).__name__))
        out[key] = value
    return out


class _Shared:
    """One C ruleset and the session ids handed out to engines."""

    def __init__(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        self.lock = threading.RLock()
        self.fired: list[str] = []
        self.name = f"govcore{next(_names)}"
        self.host = _Host()
        rules = {name: {**dict(defn), "run": self._recorder(name)} for name, defn in definitions.items()}
        if not rules:
            rules = {"_none": {"all": [{"m": {"__never__": 1}}], "run": self._recorder("_none")}}
        try:
            self.host.set_rulesets({self.name: rules})
        except Exception as err:
            raise GovcoreError(_("durable-rules refused the compiled rules: {error}").format(error=err)) from None
        self.ruleset = self.host.get_ruleset(self.name)
        self.free: list[str] = []
        self.next_sid = 0
        self.in_use = 0

    def _recorder(self, name: str) -> Any:
        def record(c: Any) -> None:
            self.fired.append(name)
        return record

    def acquire(self) -> str:
        self.in_use += 1
        if self.free:
            return self.free.pop()
        self.next_sid += 1
        return f"s{self.next_sid}"

    def release(self, sid: str) -> None:
        self.in_use -= 1
        self.free.append(sid)

    def delete(self) -> None:
        durable_rules_engine.delete_ruleset(self.ruleset._handle)


_POOL: OrderedDict[str, list[_Shared]] = OrderedDict()
_POOL_LOCK = threading.Lock()


def pool_key(definitions: Mapping[str, Mapping[str, Any]]) -> str:
    """What engines with the same rules share a C ruleset by (`RuleRuntime`'s `key`)."""
    return hashlib.sha256(json.dumps(definitions, sort_keys=True).encode()).hexdigest()


def _acquire(definitions: Mapping[str, Mapping[str, Any]], key: str | None = None) -> tuple[_Shared, str]:
    if key is None:
        key = pool_key(definitions)
    with _POOL_LOCK:
        shared_list = _POOL.setdefault(key, [])
        _POOL.move_to_end(key)
        shared = next((s for s in shared_list if s.in_use < MAX_SIDS), None)
        if shared is None:
            shared = _Shared(definitions)
            shared_list.append(shared)
        sid = shared.acquire()
        _evict_idle()
        return shared, sid


def _evict_idle() -> None:
    idle = [k for k, lst in _POOL.items() if all(s.in_use == 0 for s in lst)]
    for key in idle[: max(0, len(idle) - MAX_IDLE_RULESETS)]:
        for s in _POOL.pop(key):
            s.delete()


def pool_size() -> int:
    """How many C rulesets are alive (for tests and benchmarks)."""
    with _POOL_LOCK:
        return sum(len(v) for v in _POOL.values())


class RuleRuntime:
    """A compiled ruleset in durable-rules, matched synchronously for one engine."""

    def __init__(self, definitions: Mapping[str, Mapping[str, Any]], *, key: str | None = None) -> None:
        """`key`: `pool_key(definitions)`, when the caller keeps it (an engine's rules are the
        same for every engine of a configuration)."""
        self._shared, self._sid = _acquire(definitions, key)
        self._closed = False

    def match(self, message: Mapping[str, Any]) -> list[str]:
        """The names of the rules the message matches (in definition order)."""
        if self._closed:
            raise GovcoreError(_("the rule runtime is closed"))
        return self.match_payload(self.payload(message))

    def payload(self, message: Mapping[str, Any]) -> str:
        """The JSON text durable-rules receives for `message` in this engine's session."""
        fact = clean({**message, "sid": self._sid})
        if "id" not in fact:
            raise GovcoreError(_("every message to durable-rules needs an explicit id"))
        if _PAYLOAD_ENCODER is None:
            return _ENCODER.encode(fact)
        return "".join(_PAYLOAD_ENCODER(fact, 0))

    def match_payload(self, payload: str) -> list[str]:
        """The rules a prepared payload matches: assert, run the actions, retract (the C calls
        only; benchmarks time this as the bare durable-rules cost of the engine's messages)."""
        shared = self._shared
        handle = shared.ruleset._handle
        with shared.lock:
            shared.fired.clear()
            # The C calls directly: the Python layer would JSON-encode the message once more to
            # build the text of the "not handled" exception raised for most messages.
            if not self._apply(durable_rules_engine.assert_fact(handle, payload)):
                return []
            # A rule whose `$or` holds in several branches is reported once per branch: once is meant.
            fired = sorted(set(shared.fired))
            self._apply(durable_rules_engine.retract_fact(handle, payload))
            shared.fired.clear()
        return fired

    def _apply(self, result: tuple[int, int]) -> bool:
        """Run the actions a C call queued; False when no rule matched the message."""
        code = result[0]
        if code == 1:
            return False
        if code == 2:
            raise GovcoreError(_("durable-rules saw the same message twice; every message needs a unique id"))
        handle = self._shared.ruleset._handle
        try:
            state_handle = result[1] if code == 0 else 0
            self._run_actions(handle, durable_rules_engine.start_action_for_state(handle, state_handle), state_handle)
        except Exception as err:
            raise GovcoreError(_("durable-rules failed while matching: {error}").format(error=err)) from None
        self._drain()
        return True

    def _run_actions(self, handle: int, started: Any, state_handle: int) -> None:
        """Run the queued actions `started` begins, as durable-rules' `Ruleset.do_actions` and
        `_flush_actions` do for a synchronous action that leaves the state as it is (ours only note
        the rule's name), without the Python objects they make for each action (a closure, its
        state and message as objects, a promise, the state encoded again): for each action, the
        state is handed back unchanged (its JSON text as durable-rules gave it), the action is
        completed and the next one started, until none is left."""
        if not started:
            return
        state = started[0]
        fired = self._shared.fired
        message = started[1]
        while message:
            fired.append(next(iter(json.loads(message))))  # {rule name: the message it matched}
            durable_rules_engine.update_state(handle, state)
            message = durable_rules_engine.complete_and_start_action(handle, state_handle)

    def _drain(self) -> None:
        """Run actions durable-rules left queued, here and now, until none is left."""
        handle = self._shared.ruleset._handle
        while True:
            result = durable_rules_engine.start_action(handle)
            if not result:
                return
            self._run_actions(handle, result, result[2])

    def facts(self) -> list[Any]:
        """Facts still stored for this engine's session (always empty between matches)."""
        with self._shared.lock:
            return list(self._shared.ruleset.get_facts(self._sid))

    def _session_facts(self) -> list[Any]:
        """The session's facts; none when it never matched anything (durable-rules then has no such
        session and answers error 309, e.g. for a run that closes before its first item)."""
        try:
            return list(self._shared.ruleset.get_facts(self._sid))
        except Exception as err:
            if "error code: 309" in str(err):
                return []
            raise

    def close(self) -> None:
        """Give the session back; its facts were all retracted, so the next engine starts clean."""
        if self._closed:
            return
        self._closed = True
        with self._shared.lock:
            for fact in self._session_facts():
                self._shared.host.retract_fact(self._shared.name, fact)
        with _POOL_LOCK:
            self._shared.release(self._sid)
