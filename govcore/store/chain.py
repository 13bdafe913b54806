"""The hash chain over the event log, and checking it (`govcore audit verify`).

Each stored event carries `prev_hash` and `hash = sha256(prev_hash + "\\n" + canonical JSON)`.
The canonical JSON is fixed here, field by field (sorted keys, no spaces, UTF-8), rather than
borrowed from `EngineEvent.to_json`, so that a log written today still verifies after the
engine's own JSON output grows a field. Changing any stored field of an entry changes its hash;
removing an entry breaks the next entry's link, or (for the last ones) the run's head hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govcore.engine import EngineEvent, event_line
from govcore.i18n import _

CANONICAL_FIELDS = ("id", "seq", "at", "type", "rule", "goal", "owner", "subject", "subject_kind", "details")
# The log format of new runs. 1: govcore 0.1.0 (runs upgraded from it keep it, so their hashes still
# verify); 2: the hash also covers `item`, the processed item the event belongs to, and the first
# link names the run's start date.
CHAIN_VERSION = 2


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)  # json.dumps with these options would build an encoder per call


def genesis(municipality: str, start: dt.date, version: int = CHAIN_VERSION) -> str:
    """The `prev_hash` of a run's first event: binds the chain to its municipality and start."""
    text = f"govcore event log {municipality} {start.year}" if version == 1 else \
        f"govcore event log v{version} {municipality} from {start.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


def link(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def event_json(ev: EngineEvent, item: int = 0, version: int = CHAIN_VERSION) -> str:
    return event_texts(ev, item, version)[0]


def _text(value: Any) -> str:
    if value is None:
        return "null"
    return _encode_str(value) if type(value) is str else canonical_json(value)


_encode_str: Any = json.encoder.encode_basestring  # the encoder's own string escaping
# The engine's canonical event line holds exactly the chain's fields (checked once here): while it
# does, a link's JSON is that line with `item` put in its sorted place, and an event's details
# JSON is a slice of it, so neither is encoded again. If the engine's line ever grows a field,
# the fields are encoded one by one as before.
_SAME_FIELDS = set(EngineEvent(0, dt.datetime(2000, 1, 1), "x").to_dict()) == set(CANONICAL_FIELDS)


def event_texts(ev: EngineEvent, item: int = 0, version: int = CHAIN_VERSION, *,
                at: str | None = None) -> tuple[str, str]:
    """An event's canonical JSON for its chain link (`event_json`) and its details' canonical JSON
    (the stored `details` column), cut from the line the engine encodes once per event
    (`EngineEvent.json_line`, the same encoder settings) instead of encoding both again.

    The line is `{"at":…,"details":…,"goal":…,"id":…,"owner":…,…,"type":…}` (sorted keys). The
    event's own `"goal"` key follows the details, so the last `,"goal":` is that key or lies in a
    later field; in a text its quotes would be escaped, so it can only lie in an object, whose
    `}` would come before the line's last character. When no `}` does, it is the key: the details
    end there, and the first `,"owner":` after it is the key too (`item` goes in before it).
    Anything else (an object among the later fields, a line that does not start with the event's
    time) is encoded from the fields, so the result is the same text either way
    (tests/test_store_chain_texts.py). `at`: the event's `at.isoformat()`, when the
    caller has it already. Finding the cut this way costs half of building and comparing the
    fields' texts after the details (3 against 6 µs an event, thousands a run)."""
    if _SAME_FIELDS:
        line = ev.json_line
        goal = line.rfind(',"goal":')
        head = f'{{"at":"{at or ev.at.isoformat()}","details":'  # an ISO time: nothing to escape
        if goal > len(head) and line.find("}", goal) == len(line) - 1 and line.startswith(head):
            details = line[len(head):goal]
            if version < 2:
                return line, details
            owner = line.index(',"owner":', goal)
            return f'{line[:owner]},"item":{item}{line[owner:]}', details
    d = ev.to_dict()
    return dict_json(d, item, version), canonical_json(d["details"])


def kept_line(ev: EngineEvent) -> str:
    """`ev.json_line`, kept on the event as the cached property keeps it (simulate's digest and
    events.jsonl read it there), without the property's lock and Python-level `__get__` (about
    a microsecond an event on Python 3.11, thousands of events a run)."""
    try:
        kept = ev.__dict__
    except AttributeError:  # an event class without an instance dict keeps nothing
        return ev.json_line
    line = kept.get("json_line")
    if line is None:
        line = kept["json_line"] = event_line(ev)
    return line


def add_rows(rows: list[tuple[Any, ...]], code: str, start: str, item: int, events: Iterable[EngineEvent],
             head: str, version: int = CHAIN_VERSION, short: list[tuple[Any, ...]] | None = None) -> str:
    """Append each of one item's events to `rows` as its stored row (a tuple: municipality, start,
    seq, item, at, type, rule, goal, owner, subject, subject_kind, details, prev_hash, hash),
    linked from `head`; returns the new head. The same texts as `event_texts` and `link`, made
    inline (a run stores thousands of events). The time's text is the line's own: the line
    begins with it (`{"at":"…","details":`), written by `event_line` from `at.isoformat()` —
    a time with a zone takes about a microsecond to write again.

    `short`: an event whose rule, goal, owner, subject and subject kind are all None (an arriving
    observation's) goes there instead, without those five (SHORT_COLUMNS), for a store that
    inserts such rows without them (SQLite: see `run._insert_events`)."""
    sha = hashlib.sha256
    for ev in events:
        line = kept_line(ev) if _SAME_FIELDS and version >= 2 else ""
        end = line.find('","details":', 7)  # an ISO time holds no quote
        goal = line.rfind(',"goal":')
        if end > 7 and end + 12 < goal and line.find("}", goal) == len(line) - 1 and line.startswith('{"at":"'):
            iso = line[7:end]
            details = line[end + 12:goal]  # as `event_texts` cuts it (see there)
            owner = line.index(',"owner":', goal)
            h = sha(f'{head}\n{line[:owner]},"item":{item}{line[owner:]}'.encode()).hexdigest()
        else:
            iso = ev.at.isoformat()
            linked, details = event_texts(ev, item, version, at=iso)
            h = link(head, linked)
        rule, goal_id, by, subject, kind = ev.rule, ev.goal, ev.owner, ev.subject, ev.subject_kind
        if short is not None and rule is None and goal_id is None and by is None and subject is None and kind is None:
            short.append((code, start, ev.seq, item, iso, ev.type, details, head, h))
        else:
            rows.append((code, start, ev.seq, item, iso, ev.type, rule, goal_id, by, subject, kind, details, head, h))
        head = h
    return head


ROW_COLUMNS = ("municipality", "start", "seq", "item", "at", "type", "rule", "goal", "owner", "subject",
               "subject_kind", "details", "prev_hash", "hash")
SHORT_COLUMNS = tuple(c for c in ROW_COLUMNS if c not in ("rule", "goal", "owner", "subject", "subject_kind"))


def dict_json(d: Mapping[str, Any], item: int = 0, version: int = CHAIN_VERSION) -> str:
    """`event_json` of an event already turned into its dict (`EngineEvent.to_dict`): the store
    builds that dict once per event for both the row and the link."""
    fields = {k: d[k] for k in CANONICAL_FIELDS}
    if version >= 2:
        fields["item"] = item
    return canonical_json(fields)


def row_json(row: Mapping[str, Any], version: int = CHAIN_VERSION) -> str:
    """The canonical JSON of a stored event, rebuilt from its columns (what the hash covers)."""
    seq = int(row["seq"])
    fields = {
        "id": f"e{seq:06d}", "seq": seq, "at": row["at"], "type": row["type"], "rule": row["rule"],
        "goal": row["goal"], "owner": row["owner"], "subject": row["subject"],
        "subject_kind": row["subject_kind"], "details": json.loads(row["details"]),
    }
    if version >= 2:
        fields["item"] = int(row["item"])
    return canonical_json(fields)


def _written_text(row: Mapping[str, Any], version: int) -> str | None:
    """`row_json(row, version)` as it is when the row is as govcore wrote it, made without
    parsing the details: the details column's own text goes in as it is. None when a column is
    not of the type govcore writes.

    Only for checking a row against its hash (`verify_rows`): a row whose text, made this way,
    hashes to its stored hash holds exactly the texts that were hashed when it was written (the
    other fields are JSON strings, numbers or null in fixed places, so the details column cannot
    hold any of them), and their details were canonical JSON then, so `row_json` gives the same
    text. Any other row is checked by `row_json`, which says what is wrong. Reading a long run
    again (every command that continues one) parsed and re-encoded the details of every event:
    four fifths of checking its log."""
    seq, item, at, kind, details = row["seq"], row["item"], row["at"], row["type"], row["details"]
    rule, goal, owner, subject, kinds = row["rule"], row["goal"], row["owner"], row["subject"], row["subject_kind"]
    if type(seq) is not int or type(item) is not int or type(details) is not str:
        return None
    ident = f'"id":"e{seq:06d}","item":{item},' if version >= 2 else f'"id":"e{seq:06d}",'
    try:
        return (f'{{"at":{_encode_str(at)},"details":{details},'
                f'"goal":{"null" if goal is None else _encode_str(goal)},{ident}'
                f'"owner":{"null" if owner is None else _encode_str(owner)},'
                f'"rule":{"null" if rule is None else _encode_str(rule)},"seq":{seq},'
                f'"subject":{"null" if subject is None else _encode_str(subject)},'
                f'"subject_kind":{"null" if kinds is None else _encode_str(kinds)},'
                f'"type":{_encode_str(kind)}}}')
    except TypeError:  # a text column holding something else: `row_json` decides
        return None


# Detail fields this govcore writes on wheel events (`followup`, `milestone`) that govcore 0.1.0 (log
# format 1) did not: descriptive only — which period a follow-up covers, how the date was chosen,
# the document it comes from, who shares it or holds it, whether its responsible is a choice —
# never an input of a rule's decision.
_WHEEL_ADDED = frozenset({"covers", "date_basis", "jointly_with", "source", "by_others", "responsible_basis"})
ADDED_SINCE_V1: dict[str, frozenset[str]] = {"followup": _WHEEL_ADDED, "milestone": _WHEEL_ADDED}


def same_decision_v1(row: Mapping[str, Any], ev: EngineEvent) -> bool:
    """Whether a replayed event is the stored 0.1.0 entry with only detail fields added since
    (ADDED_SINCE_V1) on top: every field 0.1.0 wrote is equal, and nothing else is new.

    This is what lets a run upgraded from 0.1.0 continue: the replay reproduces every decision of
    its log; the stored entries stay as they were written (their hashes still verify) and the
    new entries are appended in the run's format (docs/persistence.md)."""
    extra = ADDED_SINCE_V1.get(ev.type, frozenset())
    if not extra:
        return False
    d = ev.to_dict()
    details = json.loads(row["details"])
    mine = {k: v for k, v in d["details"].items() if k in details or k not in extra}
    return mine == details and d["seq"] == int(row["seq"]) and all(
        d[k] == row[k] for k in ("at", "type", "rule", "goal", "owner", "subject", "subject_kind"))


def event_from_row(row: Mapping[str, Any]) -> EngineEvent:
    return EngineEvent(seq=int(row["seq"]), at=dt.datetime.fromisoformat(row["at"]), type=row["type"],
                       rule=row["rule"], goal=row["goal"], owner=row["owner"], subject=row["subject"],
                       subject_kind=row["subject_kind"], details=json.loads(row["details"]))


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking one run's chain; `problem` is None when it is intact."""

    municipality: str
    start: str
    events: int
    head_hash: str
    problem: str | None = None
    first_bad_seq: int | None = None


class UnreadableDetails(ValueError):
    """A stored event's details are not a JSON object: the log was written outside govcore."""

    def __init__(self, seq: int) -> None:
        super().__init__(_("entry {entry} was changed (its details are not valid JSON)").format(entry=f"e{seq:06d}"))
        self.seq = seq


def rule_details(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(rule, details) of the stored events that name a rule, their details parsed: what a run's
    facts record of its rule versions is made from. `verify_rows` does not parse a row that
    matches its hash, so a log re-chained outside govcore can hold details that are no JSON;
    `UnreadableDetails` names the entry instead of a bare decoding error."""
    for r in rows:
        if r["rule"]:
            try:
                details = json.loads(r["details"])
            except (TypeError, ValueError):
                raise UnreadableDetails(int(r["seq"])) from None
            if not isinstance(details, dict):
                raise UnreadableDetails(int(r["seq"]))
            yield r["rule"], details


def verify_rows(municipality: str, start: dt.date, rows: Iterable[Mapping[str, Any]], recorded_events: int,
                recorded_head: str, version: int = CHAIN_VERSION) -> ChainReport:
    """Walk a run's events in seq order; report the first entry that was changed or removed."""
    year = start.isoformat()
    prev = genesis(municipality, start, version)
    expected_seq = 1
    count = 0
    for row in rows:
        count += 1
        try:  # SQLite's INTEGER column keeps a text that is no number as text
            seq = int(row["seq"])
        except (TypeError, ValueError):
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was changed (its number is '{value}', not a whole number)").format(
                                   entry=f"e{expected_seq:06d}", value=str(row["seq"])[:20]), expected_seq)
        if seq != expected_seq:
            missing = f"e{expected_seq:06d}" if seq == expected_seq + 1 else \
                f"e{expected_seq:06d}…e{seq - 1:06d}"
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was removed ({previous} is followed by {next})").format(
                                   entry=missing, previous=f"e{expected_seq - 1:06d}", next=f"e{seq:06d}"),
                               expected_seq)
        written = _written_text(row, version)
        if written is not None and row["prev_hash"] == prev:
            h = link(prev, written)
            if h == row["hash"]:
                prev = h
                expected_seq += 1
                continue
        try:
            text = row_json(row, version)
        except (ValueError, TypeError):
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was changed (its details are not valid JSON)").format(
                                   entry=f"e{seq:06d}"),
                               seq)
        if row["prev_hash"] != prev:
            if seq == 1:
                return ChainReport(municipality, year, count, prev,
                                   _("entry {entry} was changed (it does not start this run's chain)").format(
                                       entry="e000001"), 1)
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was changed and its hash recomputed ({next} no longer links to "
                                 "it)").format(
                                   entry=f"e{seq - 1:06d}", next=f"e{seq:06d}"), seq - 1)
        h = link(prev, text)
        if h != row["hash"]:
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was changed (its content no longer matches its hash)").format(
                                   entry=f"e{seq:06d}"), seq)
        prev = h
        expected_seq += 1
    if count != recorded_events or prev != recorded_head:
        if count < recorded_events:
            gone = f"e{count + 1:06d}" + (f"…e{recorded_events:06d}" if recorded_events > count + 1 else "")
            return ChainReport(municipality, year, count, prev,
                               _("entry {entry} was removed (the run records {events} events, {left} remain)").format(
                                   entry=gone, events=recorded_events, left=count), count + 1)
        return ChainReport(municipality, year, count, prev,
                           _("the run's record of its last entry ({entry}, head hash {hash}) does not match the log "
                             "({last}, {last_hash})").format(entry=f"e{recorded_events:06d}", hash=recorded_head[:12],
                                                            last=f"e{count:06d}", last_hash=prev[:12]),
                           min(count, recorded_events) or 1)
    return ChainReport(municipality, year, count, prev)
