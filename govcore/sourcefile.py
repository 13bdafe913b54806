"""YAML and CSV files read with positions, so every error can point at file:line:column.

Files are data: only plain mappings, lists and scalars are accepted (no tags, no anchors that
build objects), and nothing in a file can make govcore run code.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import stat
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, merge_attrib
from ruamel.yaml.compat import _DEFAULT_YAML_VERSION
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarbool import ScalarBoolean

from govcore.csvtext import CsvQuoteError, CsvRecords
from govcore.danish_words import with_danish
from govcore.errors import ConfigError, InputError, Problem, did_you_mean
from govcore.formatting import plain_number
from govcore.i18n import N_, _

Key = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Limits:
    """What one input file may cost: a hostile file is refused before it can take time or memory.

    The sizes can be raised with the environment variables GOVCORE_MAX_FILE_MB (data files: CSV,
    xlsx) and GOVCORE_MAX_YAML_MB (YAML: configuration, rule and scenario files) — a deployment
    setting, not a file setting: a file cannot lift its own limit. A YAML text over a limit or with a
    problem is read by ruamel's pure-Python parser (libyaml's reads only plain data within the limits),
    so its size limit is what keeps a refusal or a load under a second. Depth and
    node counts are far above any real configuration (the Vejle example nests 7 levels, its
    largest file is 9 kB with about 1,500 values).
    """

    file_bytes: int = 20 * 1024 * 1024
    yaml_bytes: int = 1024 * 1024
    yaml_depth: int = 64
    yaml_nodes: int = 100_000  # values after expanding aliases ("billion laughs" stops here)
    cell_echo: int = 60  # characters of a cell an error message may repeat


def _env_mb(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        mb = float(raw) if raw else 0.0
    except ValueError:
        mb = 0.0
    return int(mb * 1024 * 1024) if mb > 0 else default


def limits() -> Limits:
    return Limits(file_bytes=_env_mb("GOVCORE_MAX_FILE_MB", Limits.file_bytes),
                  yaml_bytes=_env_mb("GOVCORE_MAX_YAML_MB", Limits.yaml_bytes))


def clip(text: object, size: int | None = None) -> str:
    """A cell's text as an error may echo it: never more than one short line of a file."""
    n = size or Limits.cell_echo
    flat = str(text).replace("\r", " ").replace("\n", " ")
    return flat if len(flat) <= n else flat[: n - 1] + "…"


@dataclass
class YamlDoc:
    """Plain data from a YAML file plus the 1-based (line, column) of every key and item."""

    path: str
    data: Any
    positions: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Key) -> tuple[int, int]:
        """Position of the deepest known prefix of loc (a missing field points at its parent)."""
        for n in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:n]))
            if pos:
                return pos
        return (1, 1)

    def problem(self, loc: Key, message: str, *, hint: str = "", rule: str = "", fld: str = "") -> Problem:
        line, col = self.where(loc)
        return Problem(self.path, line, col, message, rule=rule, field=fld or dotted(loc), hint=hint)


def dotted(loc: Key) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


def _tag(node: Any) -> str | None:
    """An explicit tag other than the plain types (e.g. !!python/object): never allowed."""
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag if isinstance(tag, str) else None)
    if not isinstance(value, str) or value in _PLAIN_TAGS:
        return None
    return value.replace("tag:yaml.org,2002:", "!!")


def _plain(node: Any, loc: Key, doc: YamlDoc, problems: list[Problem], keys_as_text: bool = False) -> Any:
    tag = _tag(node)
    if tag is not None:
        line, col = doc.where(loc)
        problems.append(Problem(doc.path, line, col, _("YAML tag '{tag}' is not allowed").format(tag=tag),
                                field=dotted(loc),
                                hint=_("files are data: use plain text, numbers, lists and mappings")))
        return None
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            line, col = _key_position(node, key) or (doc.where(loc)[0] - 1, 0)
            kloc = (*loc, str(key))
            doc.positions[kloc] = (line + 1, col + 1)
            if not isinstance(key, str) and not keys_as_text:
                problems.append(Problem(doc.path, line + 1, col + 1, _("key {key} must be text").format(key=repr(key))))
            out[str(key)] = _plain(node[key], kloc, doc, problems, keys_as_text)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i) or (doc.where(loc)[0] - 1, 0)
            doc.positions[(*loc, i)] = (line + 1, col + 1)
            items.append(_plain(item, (*loc, i), doc, problems, keys_as_text))
        return items
    value = _plain_scalar(node)
    if value is not _NOT_PLAIN:
        return value
    line, col = doc.where(loc)
    problems.append(
        Problem(doc.path, line, col, _("unsupported YAML value of type {type}").format(type=type(node).__name__),
                field=dotted(loc), hint=_("use plain text, numbers, lists and mappings; YAML tags are not allowed"))
    )
    return None


def _key_position(node: CommentedMap, key: Any) -> tuple[int, int] | None:
    """Where a mapping's key is written (0-based); a key merged in (`<<: *base`) is written in the
    mapping it came from, so a problem in its value points there."""
    try:
        own: tuple[int, int] | None = node.lc.key(key)
    except KeyError:
        own = None
    if own is not None:
        return own
    for entry in getattr(node, merge_attrib, ()):  # ruamel 0.18: (index, mapping); 0.19: mappings
        source = entry[1] if isinstance(entry, tuple) else entry
        if isinstance(source, CommentedMap) and key in source:
            return _key_position(source, key)
    return None


_NOT_PLAIN = object()


def _plain_scalar(node: Any) -> Any:
    """A scalar value as plain data (ruamel's ScalarInt, ScalarFloat, … made plain), or _NOT_PLAIN."""
    if node is None or isinstance(node, bool | str):
        return str(node) if isinstance(node, str) else node
    if isinstance(node, ScalarBoolean):  # an anchored true/false: an int subclass in ruamel
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime.fromisoformat(node.isoformat())
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    return _NOT_PLAIN


def _check_text(text: str, path: str) -> None:
    """Refuse a text over the size limit or nesting flow collections too deeply, before any parser sees it."""
    lim = limits()
    if len(text.encode("utf-8", "replace")) > lim.yaml_bytes:
        raise ConfigError([Problem(path, 1, 1, _("the YAML file is larger than the limit of {size}").format(
            size=_mb(lim.yaml_bytes)),
                                   hint=_("raise GOVCORE_MAX_YAML_MB if the file really is this large"))])
    depth = deepest = 0
    for m in _BRACKET.finditer(text):  # ruamel's scanner is quadratic in flow nesting: count first
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        if depth > deepest:
            deepest = depth
            if deepest > lim.yaml_depth:
                line = text.count("\n", 0, m.start()) + 1
                raise ConfigError([Problem(path, line, m.start() - text.rfind("\n", 0, m.start()),
                                           _nests_too_deep(lim.yaml_depth), hint=_hostile())])


def _check_shape(text: str, path: str) -> None:
    """Refuse documents nested too deeply or growing too large through aliases, before building them.

    ruamel's event parser is a state machine (no recursion), so this pass is linear in the text; the
    composer and our conversion recurse and copy, which is where deep or alias-bomb documents hurt.
    """
    lim = limits()
    sizes: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, expanded node count so far) per open collection
    total = 0
    try:
        for event in YAML(typ="rt").parse(text):
            if isinstance(event, AliasEvent):
                grown = sizes.get(str(event.anchor), 1)
            elif isinstance(event, CollectionStartEvent):
                stack.append((event.anchor, total))
                if len(stack) > lim.yaml_depth:
                    raise _shape_error(path, event, _nests_too_deep(lim.yaml_depth), _hostile())
                continue
            elif isinstance(event, CollectionEndEvent):
                anchor, start = stack.pop()
                if anchor is not None:
                    sizes[str(anchor)] = total - start + 1
                grown = 1
            elif isinstance(event, NodeEvent):
                grown = 1
                if event.anchor is not None:
                    sizes[str(event.anchor)] = 1
            else:
                continue
            total += grown
            if total > lim.yaml_nodes:
                raise _shape_error(path, event, _("the document expands to more than {n} values (through "
                                                     "aliases '*name' or sheer size)").format(
                                                         n=plain_number(lim.yaml_nodes)),
                                   _("write the values out; aliases may not multiply a document"))
    except MarkedYAMLError:
        return  # the real parse below reports the syntax error with its position
    except ConfigError:
        raise
    except Exception:  # any other parser complaint is reported by the real parse below
        return


_BRACKET = re.compile(r"[\[\]{}]")


def _nests_too_deep(depth: int) -> str:
    return _("the document nests deeper than {depth} levels").format(depth=depth)


def _hostile() -> str:
    return _("no configuration needs this; the file is probably damaged or hostile")


def _shape_error(path: str, event: Any, message: str, hint: str) -> ConfigError:
    mark = getattr(event, "start_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return ConfigError([Problem(path, line, col, message, hint=hint)])


def _mb(n: int) -> str:
    return f"{plain_number(n / 1024 / 1024)} MB"


def _timestamp_as_text(constructor: Any, node: Any) -> str:
    return str(node.value)


def _yaml_syntax(problem: str) -> tuple[str, str]:
    """(message, hint) for a YAML syntax error: ruamel's words for the common mistakes become ours."""
    text = problem.strip()
    if "duplicate key" in text:
        key = re.search(r"duplicate key (\"[^\"]*\"|'[^']*'|\S+)", text)
        return (_("YAML syntax error: duplicate key {key}").format(key=key.group(1) if key else ""),
                _("each key may appear once in a mapping"))
    if "tab" in text.lower():
        return _("YAML syntax error: a tab character"), _("indent with spaces, not tabs")
    if "mapping values are not allowed" in text:
        return (_("YAML syntax error: ':' where no field can begin"),
                _("put a space after ':' and quote text that contains ': '"))
    return _("YAML syntax error: {detail}").format(detail=text or _("invalid YAML")), ""


def parse_yaml(text: str, path: str = "<string>", *, keys_as_text: bool = False) -> YamlDoc:
    """Parse YAML text; syntax errors become an InputError with the position.

    `keys_as_text` accepts keys YAML reads as numbers (`2021:` in a table of figures by period)
    and turns them into text; otherwise such a key is an error.

    A text parsed before in this process is not parsed again (see `_Parsed`): each call gets its own
    copy of the data, so a caller may change what it gets.
    """
    key = (text, keys_as_text, limits())
    kept = _PARSED.get(key)
    if kept is None:
        doc = _parse(text, path, keys_as_text)
        _PARSED.put(key, doc.data, doc.positions)
        return doc
    return YamlDoc(path=path, data=_copied(kept[0]), positions=dict(kept[1]))


class _Parsed:
    """The plain data and positions of YAML texts parsed before, the least recently used dropped first.

    Why: ruamel's YAML parser is pure Python (about 1 MB a second), and a configuration's dated
    versions name the same files again: loading examples/vejle parsed 64 documents of 21 different
    texts, three quarters of `load_config`'s time. A long-running process (the server, a test
    suite) loads the same configuration again and again. The key is the text itself (a file changed
    on disk is another text) with the options and limits that decide the result; only documents that
    parsed without a problem are kept, so every error is found and reported again. Bounded by count
    and by the texts' size, and guarded by a lock (the server loads configurations in threads).
    """

    MAX_DOCS = 128
    MAX_TEXT = 8 * 1024 * 1024

    def __init__(self) -> None:
        self._docs: OrderedDict[tuple[str, bool, Limits], tuple[Any, dict[Key, tuple[int, int]]]] = OrderedDict()
        self._text = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bool, Limits]) -> tuple[Any, dict[Key, tuple[int, int]]] | None:
        with self._lock:
            kept = self._docs.get(key)
            if kept is not None:
                self._docs.move_to_end(key)
            return kept

    def put(self, key: tuple[str, bool, Limits], data: Any, positions: dict[Key, tuple[int, int]]) -> None:
        if len(key[0]) > self.MAX_TEXT:
            return
        with self._lock:
            if key not in self._docs:
                self._text += len(key[0])
            self._docs[key] = (_copied(data), dict(positions))
            while len(self._docs) > self.MAX_DOCS or self._text > self.MAX_TEXT:
                old, _kept = self._docs.popitem(last=False)
                self._text -= len(old[0])

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()
            self._text = 0

    def __len__(self) -> int:
        return len(self._docs)


_PARSED = _Parsed()


def _copied(data: Any) -> Any:
    """A copy of parsed plain data: its mappings and lists are new, its scalars (immutable) shared."""
    if isinstance(data, dict):
        return {k: _copied(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copied(v) for v in data]
    return data


def _parse(text: str, path: str, keys_as_text: bool) -> YamlDoc:
    _check_text(text, path)
    doc = _parse_in_c(text, path, keys_as_text)
    if doc is not None:
        return doc
    _check_shape(text, path)
    doc, problems = _plain_doc(_load_pure(text, path), path, keys_as_text)
    if problems:
        raise ConfigError(problems)
    return doc


def _load_pure(text: str, path: str) -> Any:
    """The document as ruamel's pure-Python round-trip parser builds it; its errors located and worded."""
    try:
        return round_trip_yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg, hint = _yaml_syntax(err.problem or err.context or "")
        raise ConfigError([Problem(path, line, col, msg, hint=hint)]) from None
    except ReaderError as err:  # a control character: located by its position in the text
        pos = max(int(err.position), 0)
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = f"#x{int(err.character) if isinstance(err.character, int) else 0:04x}"
        raise ConfigError([Problem(path, line, col, _("the file contains the control character {char}, which "
                                                      "YAML does not allow").format(char=char),
                                   hint=_("remove it (it is often pasted in from another program)"))]) from None
    except Exception as err:  # ruamel raises a few non-marked errors (e.g. bad tags)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError([Problem(path, 1, 1, _("YAML error: {detail}").format(detail=clip(first, 200)))]) from None


def _plain_doc(raw: Any, path: str, keys_as_text: bool) -> tuple[YamlDoc, list[Problem]]:
    doc = YamlDoc(path=path, data=None)
    doc.positions[()] = (1, 1)
    problems: list[Problem] = []
    doc.data = _plain(raw, (), doc, problems, keys_as_text)
    return doc, problems


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor with dates left as text: pydantic turns them into dates, with a
    located error for 30.02. A class of its own, so ruamel's shared constructor stays as it is."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


# YAML lets an anchor be defined again (an alias means the latest one before it); ruamel's composer
# warns about it through Python's warnings, which a command line printed raw, naming "<unicode
# string>". The data is what the specification says, so the warning is not shown.
warnings.filterwarnings("ignore", category=ReusedAnchorWarning)


def round_trip_yaml() -> YAML:
    """ruamel's pure-Python round-trip loader as govcore reads YAML: duplicate keys refused, dates as
    text. The one way to build it: the rule loader's error wording reads a text again with it."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml

try:  # libyaml's reader, scanner and parser, in C (the package ruamel.yaml.clib)
    from _ruamel_yaml import CParser as _CParser  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - every text then takes ruamel's pure-Python parser
    _CParser = None


class _Resolver(VersionedResolver):
    @property
    def processing_version(self) -> Any:
        """YAML's default version: a text with a `%YAML` directive never comes to libyaml's path.
        (ruamel's own property looks for a scanner, through two exceptions per value.)"""
        return _DEFAULT_YAML_VERSION


class _ValueLoader:
    """What ruamel's constructor asks of its loader, for values read from libyaml's events."""

    comment_handling = None

    def __init__(self) -> None:
        self._resolver = _Resolver()


# Characters on which libyaml (YAML 1.1's reader) and ruamel's (1.2's) may differ: tabs, NEL and the
# Unicode line and paragraph separators (line breaks in 1.1 only), the byte-order mark, and what
# ruamel refuses (control characters, surrogates, U+FFFE/U+FFFF). A text with one takes the pure parser.
_NOT_FOR_C = re.compile("[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                        "\U00010000-\U0010ffff]")
_STR, _NULL, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "null", "merge"))


def _parse_in_c(text: str, path: str, keys_as_text: bool) -> YamlDoc | None:
    """The document as libyaml reads it, or None where only ruamel's own parser may answer.

    Why: ruamel's parser is pure Python (three quarters of loading a configuration the first time);
    libyaml reads the same text in C. Its events are turned into plain data and positions here, in
    one pass: each value resolved by ruamel's resolver and, unless it is text or null, built by
    ruamel's round-trip constructor, then made plain as `_plain` does (`_plain_scalar`), keys and
    positions as `_plain` has them. None for texts outside what the two parsers are known to read
    alike (`_NOT_FOR_C`; a directive, anchor, alias, tag or merge key; a second document), for
    documents over the depth or node limits, and for every problem (a key that is not text, a key
    twice, a syntax error): the pure path then finds, locates and words it exactly as before.
    tests/test_yaml_c_parser.py compares the two paths.
    """
    if _CParser is None or _NOT_FOR_C.search(text):
        return None
    try:
        return _from_events(_CParser(text), path, keys_as_text, limits())
    except Exception:  # every error is found and worded by the pure path
        return None


def _from_events(parser: Any, path: str, keys_as_text: bool, lim: Limits) -> YamlDoc | None:
    loader = _ValueLoader()
    resolve = loader._resolver.resolve
    constructor = _Constructor(loader=loader)
    doc = YamlDoc(path=path, data=None)
    positions = doc.positions
    positions[()] = (1, 1)
    open_: list[list[Any]] = []  # per open collection: [dict or list, its location, the key awaiting its value]
    nodes = documents = 0
    while True:
        event = parser.get_event()
        if event is None or isinstance(event, StreamEndEvent):
            return doc
        if isinstance(event, CollectionEndEvent):
            open_.pop()
            continue
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                return None
            continue
        if not isinstance(event, NodeEvent):
            continue
        if isinstance(event, AliasEvent) or event.anchor is not None or getattr(event, "tag", None) is not None:
            return None
        nodes += 1
        mark = event.start_mark
        if isinstance(event, ScalarEvent):
            tag = resolve(ScalarNode, event.value, event.implicit)
            name = str(tag)
            if name == _STR:
                value: Any = event.value
            elif name == _NULL:
                value = None
            elif name == _MERGE:
                return None
            else:
                value = constructor.construct_object(ScalarNode(tag, event.value, mark, event.end_mark, event.style))
        else:
            value = {} if isinstance(event, MappingStartEvent) else []
        if open_:
            top = open_[-1]
            into, loc, key = top
            if isinstance(into, dict):
                if key is None:  # this node is a key
                    if not isinstance(event, ScalarEvent) or not (keys_as_text or isinstance(value, str)):
                        return None
                    key = top[2] = str(value)
                    if key in into:
                        return None
                    positions[(*loc, key)] = (mark.line + 1, mark.column + 1)
                    continue
                top[2] = None
                here: Key = (*loc, key)
            else:
                here = (*loc, len(into))
                positions[here] = (mark.line + 1, mark.column + 1)
        else:
            here = ()
        if isinstance(event, ScalarEvent):
            value = _plain_scalar(value)
            if value is _NOT_PLAIN:
                return None
        if here == ():
            doc.data = value
        elif isinstance(into, dict):
            into[key] = value
        else:
            into.append(value)
        if not isinstance(event, ScalarEvent):
            open_.append([value, here, None])
            if len(open_) > lim.yaml_depth:
                return None
        if nodes > lim.yaml_nodes:
            return None


def check_file(path: Path) -> None:
    """Refuse what is not a regular data file of acceptable size (a folder, a device, a pipe, a
    file over GOVCORE_MAX_FILE_MB) before anything opens it: /dev/zero would never end."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        what = (_("this is a folder") if stat.S_ISDIR(info.st_mode)
                else _("this is not a regular file (a device, pipe or socket)"))
        raise ConfigError([Problem(str(path), message=what, hint=_("name a data file"))])
    lim = limits()
    if info.st_size > lim.file_bytes:
        raise ConfigError([Problem(str(path), message=_("the file is larger than the limit of {size}").format(
            size=_mb(lim.file_bytes)), hint=_("raise GOVCORE_MAX_FILE_MB if the file really is this large"))])


def read_text(path: str | Path) -> str:
    """A data file's text (UTF-8, a byte-order mark is dropped); a missing or unreadable file is a
    ConfigError naming it, with a hint."""
    p = Path(path)
    try:
        check_file(p)
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), message=_("file not found"),
                                   hint=_("paths are relative to the configuration folder"))]) from None
    except UnicodeDecodeError as err:
        raise ConfigError([Problem(str(path), message=_("not UTF-8 text ({reason})").format(reason=err.reason),
                                   hint=_("save the file as UTF-8 (in Excel: 'CSV UTF-8')"))]) from None
    except OSError as err:
        raise ConfigError([Problem(str(path), message=_("cannot read the file: {reason}").format(
            reason=err.strerror))]) from None


def load_yaml(path: str | Path) -> YamlDoc:
    return parse_yaml(read_text(path), str(path))


def validation_problems(err: ValidationError, doc: YamlDoc, base: Key = (), rule: str = "") -> list[Problem]:
    """Translate pydantic errors into located problems in the author's terms and language."""
    return [p for p, _name in _located(err, doc, base, rule)]


def _located(err: ValidationError, doc: YamlDoc, base: Key = (), rule: str = "",
             setting: bool = False) -> list[tuple[Problem, str]]:
    """Each pydantic error as a located problem, with the unknown field's name ('' for other errors)
    so the caller can look for a close field name. `setting` words them as a plugin's settings."""
    problems = []
    for e in err.errors(include_url=False):
        loc: Key = tuple(p for p in e["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        full = (*base, *loc)
        unknown = ""
        msg, hint = pydantic_message(e, loc, setting)
        if e["type"] == "extra_forbidden":
            unknown = str(loc[-1]) if loc else ""
            model_fields = _fields_at(e, err)
            hint = did_you_mean(unknown, model_fields) if model_fields else ""
        problems.append((doc.problem(full, msg, hint=hint, rule=rule, fld=dotted(loc)), unknown))
    return problems


def pydantic_message(e: Mapping[str, Any], loc: Key, setting: bool = False) -> tuple[str, str]:
    """(message, hint) for one pydantic error in the reader's language: pydantic's own sentences are
    English, so each kind of error a configuration can have gets a sentence of ours."""
    kind = e["type"]
    ctx = e.get("ctx") or {}
    given = clip(e.get("input", ""))
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        return (_("unknown setting '{name}'") if setting else _("unknown field '{name}'")).format(name=name), ""
    if kind == "missing":
        if not loc:
            return _("missing value"), ""
        return (_("missing setting '{name}'") if setting else _("missing required field '{name}'")).format(
            name=loc[-1]), ""
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        hint = _either_language(given, choices) or (
            _("expected {choices}").format(choices=_either(choices)) if choices else "")
        return _("{value} is not allowed").format(value=repr(e.get("input"))), hint
    if kind == "union_tag_invalid":
        tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        what = str(ctx.get("discriminator", "kind")).strip("'")
        tag = str(ctx.get("tag", ""))
        return _("unknown {what} '{value}'").format(what=what, value=tag), _either_language(tag, tags)
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type", "datetime_parsing"):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
            return _("'{value}' is not a date that exists").format(value=given), ""
        return (_("'{value}' is not a date").format(value=given),
                _("write dates as YYYY-MM-DD, e.g. 2021-09-30"))
    if kind == "string_pattern_mismatch":
        if "a-z0-9" in str(ctx.get("pattern", "")):
            return (_("'{value}' is not a valid id").format(value=given),
                    _("use lower-case letters, digits, '-', '_', '.' and ':', e.g. sygedagpenge or a-dagpenge"))
        return _("'{value}' does not have the expected form").format(value=given), str(ctx.get("pattern", ""))
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return _(simple).format(value=given, **{k: _ctx_text(v) for k, v in ctx.items()}), ""
    msg = str(e["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):], ""
    return msg, ""


def _ctx_text(value: object) -> str:
    """A limit from pydantic's context of an error, as a reader writes it (numbers: 0; 2,5)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return plain_number(value)
    return clip(value)


# pydantic's error kinds a configuration meets, with our sentence for each ({value}: the input,
# other names: pydantic's context of the error).
_SIMPLE = {
    "int_parsing": N_("'{value}' is not a whole number"),
    "int_type": N_("'{value}' is not a whole number"),
    "int_from_float": N_("'{value}' is not a whole number"),
    "float_parsing": N_("'{value}' is not a number"),
    "float_type": N_("'{value}' is not a number"),
    "decimal_parsing": N_("'{value}' is not a number"),
    "finite_number": N_("'{value}' is not a finite number"),
    "bool_parsing": N_("'{value}' is not yes or no (write true or false)"),
    "bool_type": N_("'{value}' is not yes or no (write true or false)"),
    "string_type": N_("expected text, not '{value}'"),
    "list_type": N_("expected a list, not '{value}'"),
    "tuple_type": N_("expected a list, not '{value}'"),
    "set_type": N_("expected a list, not '{value}'"),
    "dict_type": N_("expected fields (name: value), not '{value}'"),
    "model_type": N_("expected fields (name: value), not '{value}'"),
    "model_attributes_type": N_("expected fields (name: value), not '{value}'"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be greater than or equal to {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be less than or equal to {le}"),
    "string_too_short": N_("must have at least {min_length} characters"),
    "string_too_long": N_("may have at most {max_length} characters"),
    "too_short": N_("must have at least {min_length} entries"),
    "too_long": N_("may have at most {max_length} entries"),
    "time_parsing": N_("'{value}' is not a time of day"),
    "time_type": N_("'{value}' is not a time of day"),
    "timezone_naive": N_("'{value}' needs a time zone"),
    "none_required": N_("no value is allowed here"),
}


def _either(choices: Sequence[str]) -> str:
    """'a', 'b' or 'c' — the choices quoted, the last joined by "or" in the reader's language."""
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + _(" or ") + quoted[-1]


def _either_language(word: str, choices: list[str]) -> str:
    """"did you mean" among the English words and their Danish spellings (a misspelt Danish word gets
    a Danish suggestion); without a close one, the English choices are listed."""
    return did_you_mean(word, with_danish(choices), list_all=False) or did_you_mean(word, choices)


def _fields_at(e: Mapping[str, Any], err: ValidationError) -> list[str]:
    ctx = e.get("ctx") or {}
    allowed = ctx.get("allowed")
    return list(allowed) if allowed else []


def validate(model: type[M], data: Any, doc: YamlDoc, base: Key = (), rule: str = "") -> M:
    """Validate data into a model; errors carry the file position and a hint for unknown fields."""
    try:
        return model.model_validate(data, context={"doc": doc, "base": base})
    except ValidationError as err:
        problems = [_with_field_hint(p, name, model) for p, name in _located(err, doc, base, rule)]
        raise ConfigError(problems) from None


def _with_field_hint(p: Problem, name: str, model: type[BaseModel]) -> Problem:
    if p.hint or not name:
        return p
    parts = [x for x in p.field.replace("[", ".").replace("]", "").split(".") if x]
    current: Any = model
    for part in parts[:-1]:
        if part.isdigit():
            continue
        f = getattr(current, "model_fields", {}).get(part)
        if f is None:
            current = None
            break
        current = _inner_model(f.annotation)
    fields = list(getattr(current, "model_fields", {}).keys()) if current else []
    aliases = [f.alias for f in getattr(current, "model_fields", {}).values() if f.alias] if current else []
    hint = did_you_mean(name, fields + aliases)
    return Problem(p.file, p.line, p.column, p.message, p.rule, p.field, hint)


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for a in args or ():
        inner = _inner_model(a)
        if inner is not None:
            return inner
    return None


def validate_settings(model: type[M], settings: Mapping[str, Any], section: str) -> M:
    """Validate a plugin's section of municipality.yaml (e.g. `sources.budget`).

    Problems name their place as a field path (`sources.budget.areas[0].owner`), with "did you
    mean" hints; the configuration loader turns the path into file:line:column.

    A frozen model's result is remembered: subject providers validate their section every time
    the engine asks them for subjects (hundreds of times a run), always the same settings.
    """
    frozen = bool(model.model_config.get("frozen"))
    key = (model, json.dumps(settings, sort_keys=True, default=repr)) if frozen else None
    if key is not None and key in _VALIDATED:
        return _VALIDATED[key]  # type: ignore[return-value]
    try:
        result = model.model_validate(dict(settings))
    except ValidationError as err:
        doc = YamlDoc(path="", data=None)
        problems = []
        for p, name in _located(err, doc, setting=True):
            p = _with_field_hint(p, name, model)
            problems.append(Problem(message=p.message, field=f"{section}.{p.field}" if p.field else section,
                                    hint=p.hint))
        raise InputError(problems) from None
    if key is not None:
        if len(_VALIDATED) >= 256:
            _VALIDATED.clear()
        _VALIDATED[key] = result
    return result


_VALIDATED: dict[tuple[type[BaseModel], str], BaseModel] = {}


def field_path(text: str) -> Key:
    """'sources.budget.areas[0].owner' -> ('sources', 'budget', 'areas', 0, 'owner')."""
    out: list[str | int] = []
    for part in text.replace("]", "").replace("[", ".").split("."):
        if part:
            out.append(int(part) if part.isdigit() else part)
    return tuple(out)


@dataclass
class CsvRow:
    """One CSV data row with the 1-based line of the file it starts on (see `CsvRecords`)."""

    path: str
    line: int
    values: dict[str, str]
    header: tuple[str, ...] = ()

    def problem(self, column: str, message: str, hint: str = "") -> Problem:
        """A problem located at the row's line and the cell's column (1 = the first cell)."""
        at = self.header.index(column) + 1 if column in self.header else 0
        return Problem(self.path, self.line, at, message, field=column, hint=hint)



def csv_header(path: str | Path, example: str = "") -> tuple[list[str], str]:
    """The column names of a CSV file and its delimiter; a located error when the first line is empty.

    `example` is shown in the hint (e.g. "omraade;periode;budget").
    """
    records = CsvRecords(read_text(path))
    if not records.first_line.strip():
        raise InputError(Problem(str(path), 1, 0, _("the first line must name the columns"),
                                 hint=_("e.g. {example}").format(example=example) if example else ""))
    return _header(records, path), records.delimiter


def _header(records: CsvRecords, path: str | Path) -> list[str]:
    """The first record's cells, stripped: the column names (a located error if it is no CSV)."""
    try:
        return [h.strip() for h in next(records)]
    except csv.Error as err:
        raise InputError([Problem(str(path), 1, getattr(err, "cell", 0),
                                  _("the header line cannot be read as CSV: {reason}").format(reason=err))]) from None


def read_csv(path: str | Path, required: list[str], optional: list[str] | None = None) -> Iterator[CsvRow]:
    """Rows of a CSV file (comma or semicolon separated, as Danish exports often are).

    Blank rows and rows whose first cell starts with '#' are skipped. A quoted cell may span lines
    and keeps its line breaks; a row's `line` (and every problem's) is the line it starts on.
    """
    names, rows = read_csv_cells(path, required, optional)
    name = str(path)
    for line, cells in rows:
        yield CsvRow(name, line, dict(zip(names, cells, strict=True)), names)


def read_csv_cells(path: str | Path, required: list[str],
                   optional: list[str] | None = None) -> tuple[tuple[str, ...], Iterator[tuple[int, list[str]]]]:
    """`read_csv`'s rows as (line, stripped cells in the header's order), with the header: for a reader
    of a million rows, which needs neither a mapping nor a `CsvRow` per row (it makes one for a row
    with a problem). The file's and its header's problems are raised here, the rows' as they are read."""
    text = read_text(path)
    if not text:
        raise ConfigError([Problem(str(path), 1, 0, _("the file is empty"),
                                    hint=_("the first line names the columns"))])
    reader = CsvRecords(text)
    header = _header(reader, path)
    known = set(required) | set(optional or [])
    problems = [
        Problem(str(path), 1, 0, _("missing column '{column}'").format(column=col), field=col,
                hint=did_you_mean(col, [clip(h, 30) for h in header]))
        for col in required if col not in header
    ]
    problems += [
        Problem(str(path), 1, 0, _("unknown column '{column}'").format(column=clip(col)), field=clip(col),
                hint=did_you_mean(col, known))
        for col in header if col not in known
    ]
    if problems:
        raise InputError(problems[:20])
    return tuple(header), _cells(reader, str(path), len(header))


def _cells(reader: CsvRecords, name: str, width: int) -> Iterator[tuple[int, list[str]]]:
    strip = str.strip
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except CsvQuoteError as err:  # says what is wrong with which cell, and what to write
            raise InputError([Problem(name, reader.line, err.cell,
                                      _("the line cannot be read as CSV: {reason}").format(reason=err))]) from None
        except csv.Error as err:
            raise InputError([Problem(name, reader.line, 0,
                                      _("the line cannot be read as CSV: {reason}").format(reason=err),
                                      hint=_("a cell this long is probably a missing closing quote"))]) from None
        cells = list(map(strip, cells))
        # blank (no cell has more than whitespace) or a comment
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) != width:
            raise InputError([Problem(name, reader.line, 0, _("expected {expected} cells, found {found}").format(
                expected=width, found=len(cells)),
                hint=_("separate cells with '{delimiter}' and quote text containing it").format(
                    delimiter=reader.delimiter))])
        yield reader.line, cells


def resolve_inside(base: Path, name: str | Path, roots: Sequence[Path] = ()) -> Path:
    """The file a configuration names, which must lie inside its folder (or one of `roots`).

    A configuration is data handed to govcore by someone else: it may not make govcore read
    /etc/passwd or a device. Symlinks are followed before the check, so a link pointing out is
    refused too. Raises InputError without a file name; the caller locates it in its document.
    """
    given = Path(name)
    target = (given if given.is_absolute() else base / given).resolve()
    allowed = [base.resolve(), *(r.resolve() for r in roots)]
    if not any(target.is_relative_to(r) for r in allowed):
        raise InputError([Problem(message=_("'{name}' is outside the configuration folder").format(name=clip(name)),
                                  hint=_("keep data files in the configuration folder, or list their folder "
                                         "under 'allow_paths' in municipality.yaml"))])
    return target
