"""The configuration's enumerated words in Danish beside English: `followup: halvårlig` is
`followup: half_yearly`, `roll: næste` is `roll: next`, `kind: mindst` is `kind: at_least`.

Administrators write their configuration in Danish; govcore keeps one English name per choice inside
(the identifiers, the rule files, the stored data). Every model read from a file translates the
Danish words of its enumerated fields (Literal or enum) before validation, so a word is accepted
wherever its English counterpart is, and nowhere else. Errors suggest the nearest word in either
language (a misspelt Danish word gets a Danish suggestion). docs/configuration.md has the table.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

# English word → its Danish spellings (the first is the one the documentation shows).
DANISH: dict[str, tuple[str, ...]] = {
    # frequencies (followup:, frequency:, every:, published:)
    "every_14_days": ("hver 14. dag", "hver 2. uge", "hver anden uge"),
    "monthly": ("månedlig", "månedligt", "hver måned"),
    "every_2nd_month": ("hver 2. måned", "hver anden måned"),
    "quarterly": ("kvartalsvis", "hvert kvartal"),
    "half_yearly": ("halvårlig", "halvårligt", "hvert halve år"),
    "yearly": ("årlig", "årligt", "hvert år"),
    # roll policies (roll:)
    "next": ("næste",),
    "previous": ("forrige",),
    "none": ("ingen",),
    # milestone types and wheel event kinds (type:), their day (at:, on:, week:, weekday:)
    "as_of": ("opgørelse", "skæringsdato"),
    "due": ("frist",),
    "followup": ("opfølgning",),
    "end": ("slut",),
    "first_working_day": ("første arbejdsdag", "første hverdag"),
    "last_working_day": ("sidste arbejdsdag", "sidste hverdag"),
    "last": ("sidste",),
    "monday": ("mandag",),
    "tuesday": ("tirsdag",),
    "wednesday": ("onsdag",),
    "thursday": ("torsdag",),
    "friday": ("fredag",),
    # where a milestone's day and responsible role come from (date_basis:, responsible_basis:)
    "document": ("dokument",),
    "law": ("lov",),
    "chosen": ("valgt",),
    # target kinds (kind:) and their words
    "at_least": ("mindst",),
    "at_most": ("højst",),
    "change": ("ændring",),
    "trajectory": ("forløb",),
    "benchmark": ("sammenligning",),
    "rank": ("placering",),
    "direction": ("retning",),
    "all_of": ("alle af",),
    "any_of": ("en af", "én af"),
    "until": ("indtil",),
    "absolute": ("absolut",),
    "percent": ("procent",),
    "linear": ("lineær", "lineært"),
    "better": ("bedre",),
    "worse": ("dårligere", "værre"),
    "rise": ("stige",),
    "fall": ("falde",),
    "improve": ("forbedre",),
    "previous_period": ("forrige periode",),
    "previous_year": ("forrige år",),
    # role kinds (kind: in the organisation)
    "committee": ("udvalg",),
    "director": ("direktør",),
    "head": ("chef",),
    "centre": ("center",),
    "department": ("afdeling",),
    "staff": ("medarbejder",),
    # goal levels and categories (level:, category:)
    "political": ("politisk",),
    "administrative": ("administrativ",),
    "economy": ("økonomi",),
    "activity": ("aktivitet",),
    "service_quality": ("servicekvalitet",),
    # ministermål (status:) and where national goals come from (national_goals:)
    "new": ("ny",),
    "continued": ("videreført",),
}

_SPACE = re.compile(r"[\s_\-]+")


def word_key(text: str) -> str:
    """How words are compared: case, '_', '-' and runs of spaces do not matter ('Hver  2. måned')."""
    return _SPACE.sub(" ", text.strip().casefold())


_ENGLISH: dict[str, str] = {word_key(d): en for en, words in DANISH.items() for d in words}


def danish_for(english: str) -> tuple[str, ...]:
    """The Danish spellings of an English configuration word (none for words that are the same)."""
    return DANISH.get(english, ())


def with_danish(choices: typing.Iterable[str]) -> list[str]:
    """The choices with their Danish spellings, for "did you mean" in either language."""
    out = list(choices)
    return out + [d for c in out for d in DANISH.get(c, ())]


def _choices(tp: Any) -> tuple[frozenset[str], frozenset[str]]:
    """(the words a field accepts, the `kind` words of the models it holds) from its annotation."""
    if get_origin(tp) is Literal:
        return frozenset(a for a in get_args(tp) if isinstance(a, str)), frozenset()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return frozenset(str(m.value) for m in tp), frozenset()
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        kind = tp.model_fields.get("kind")
        return frozenset(), (_choices(kind.annotation)[0] if kind is not None else frozenset())
    values: set[str] = set()
    tags: set[str] = set()
    if get_origin(tp) in (typing.Union, types.UnionType, list, tuple, typing.Annotated) or get_args(tp):
        for a in get_args(tp):
            v, t = _choices(a)
            values |= v
            tags |= t
    return frozenset(values), frozenset(tags)


def _restricted(allowed: frozenset[str]) -> dict[str, str]:
    return {k: en for k, en in _ENGLISH.items() if en in allowed}


@cache
def _table(model: type[BaseModel]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    out = {}
    for name, f in model.model_fields.items():
        values, tags = _choices(f.annotation)
        words, kinds = _restricted(values), _restricted(tags)
        if words or kinds:
            out[f.alias or name] = (words, kinds)
    return out


def _translate(value: Any, words: dict[str, str], kinds: dict[str, str]) -> Any:
    if isinstance(value, str):
        return words.get(word_key(value), value) if words else value
    if isinstance(value, dict):
        kind = value.get("kind")
        if kinds and isinstance(kind, str) and (en := kinds.get(word_key(kind))) is not None:
            return {**value, "kind": en}
        return value
    if isinstance(value, list | tuple):
        items = [_translate(v, words, kinds) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def to_english(model: type[BaseModel], data: Any) -> Any:
    """`data` (a model's input) with the Danish words of its enumerated fields in English."""
    if not isinstance(data, dict):
        return data
    table = _table(model)
    if not table:
        return data
    out: dict[str, Any] | None = None
    for key, (words, kinds) in table.items():
        if key in data:
            new = _translate(data[key], words, kinds)
            if new is not data[key]:
                out = out if out is not None else dict(data)
                out[key] = new
    return out if out is not None else data


def english(word: str, choices: typing.Iterable[str]) -> str:
    """`word` in English when it is the Danish spelling of one of `choices`, else as given."""
    en = _ENGLISH.get(word_key(word))
    return en if en is not None and en in set(choices) else word
