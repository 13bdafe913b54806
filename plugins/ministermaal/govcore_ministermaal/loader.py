"""Reading and checking the yearly ministermål files.

Each file ``ministermaal-YYYY.yaml`` holds one year's goal set. Every goal is validated with
govcore's own ``NationalGoal`` model, and every problem is reported with file:line:column, all of
them in one error rather than the first only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from govcore import InputError, NationalGoal, Problem, load_yaml, validate_yaml
from govcore_ministermaal.i18n import _

DATA_DIR = Path(__file__).with_name("data")
FILE_RE = re.compile(r"^ministermaal-(\d{4})\.yaml$")
MEASURE_ID_RE = re.compile(r"^MM\d+$")


@dataclass(frozen=True)
class Announcement:
    """When the minister announced this year's goals, with the public source of that date."""

    date: dt.date
    source: str


# Words that belong to a municipality's own ambitions, never to the minister's goals or measures:
# Vejle's plan adds "skal stige …, og ambitionen er top 20 i landet" to the minister's measures.
LOCAL_AMBITION = re.compile(r"top \d+|i landet|landsgennemsnit|landsplan|skal stige|skal falde",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    """One source this year's set was compared with, and what the comparison showed."""

    source: str
    kind: str
    finding: str


@dataclass(frozen=True)
class Disagreement:
    """Where the sources disagree: about what, and what each says."""

    about: str
    says: tuple[str, ...]


@dataclass(frozen=True)
class GoalSet:
    """One year's goals as read from its file, plus what is not part of `NationalGoal`: notes,
    the minister's own words where a source quotes them, how sure the set is, what it was checked
    against and where the sources disagree."""

    year: int
    path: str
    goals: tuple[NationalGoal, ...]
    note: str = ""
    goal_notes: Mapping[str, str] = field(default_factory=dict)
    announced: Announcement | None = None
    confidence: str = "low"
    checked_against: tuple[Check, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    minister_words: Mapping[str, str] = field(default_factory=dict)


class _Announced(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    date: dt.date
    source: str = Field(min_length=1)


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    source: str = Field(min_length=1)
    kind: Literal["minister", "agency", "municipal_plan"]
    finding: str = Field(min_length=1)


class _Disagreement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    about: str = Field(min_length=1)
    says: list[str] = Field(min_length=2)


class _GoalFile(BaseModel):
    """The envelope of a year file; the goals themselves are validated with `NationalGoal`.

    `confidence` is `high` only when the minister's letter or a national agency (STAR, Jobindsats,
    Beskæftigelsesrådet) gives the set, `medium` when a municipal plan quotes the whole set, `low`
    when only topics or partial wording are confirmed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    year: int = Field(ge=2000, le=2100)
    note: str = ""
    announced: _Announced | None = None
    confidence: Literal["high", "medium", "low"] | None = None
    checked_against: list[_Check] = Field(default_factory=list)
    disagreements: list[_Disagreement] = Field(default_factory=list)
    goals: list[dict[str, Any]] = Field(min_length=1)


def load_file(path: str | Path) -> GoalSet:
    """Read and check one year file; raises `govcore.InputError` listing every problem found."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), _("the file must be a mapping with 'year' and 'goals'"),
                                      hint=_("see plugins/ministermaal/README.md for the format"))])
    envelope = validate_yaml(_GoalFile, doc.data, doc)
    problems: list[Problem] = []

    match = FILE_RE.match(Path(path).name)
    if match and int(match.group(1)) != envelope.year:
        problems.append(doc.problem(("year",), _("year {year} does not match the file name").format(
            year=envelope.year), hint=_("name the file {name}").format(name=f"ministermaal-{envelope.year}.yaml")))

    if envelope.confidence is None:
        problems.append(doc.problem((), _("the file does not say how sure the set is"),
                                    hint=_("add 'confidence: high | medium | low' (see the README)")))
    if not envelope.checked_against:
        problems.append(doc.problem((), _("the file does not say what the set was checked against"),
                                    hint=_("add 'checked_against:' with the minister's letter, STAR/Jobindsats or "
                                           "the municipal plans that quote it, and what each showed")))
    if envelope.confidence == "high" and not any(c.kind in ("minister", "agency") for c in envelope.checked_against):
        problems.append(doc.problem(("confidence",), _("a set checked only against municipal plans is not 'high'"),
                                    hint=_("use 'medium', or add the minister's letter or STAR/Jobindsats to "
                                           "checked_against")))
    if envelope.confidence in ("medium", "low") and not envelope.note:
        problems.append(doc.problem(("note",), _("a '{confidence}' set needs a note saying what is uncertain").format(
            confidence=envelope.confidence)))

    goals: list[NationalGoal] = []
    notes: dict[str, str] = {}
    words: dict[str, str] = {}
    seen: set[str] = set()
    for i, raw in enumerate(envelope.goals):
        loc: tuple[str | int, ...] = ("goals", i)
        data = dict(raw)
        note = data.pop("note", "")
        if not isinstance(note, str):
            problems.append(doc.problem((*loc, "note"), _("{field} must be text").format(field="note")))
            note = ""
        said = data.pop("minister_words", "")
        if not isinstance(said, str):
            problems.append(doc.problem((*loc, "minister_words"), _("{field} must be text").format(
                field="minister_words")))
            said = ""
        if "year" in data:
            problems.append(doc.problem((*loc, "year"), _("a goal does not carry its own year"),
                                        hint=_("the year is set once, at the top of the file")))
            continue
        try:
            goal = validate_yaml(NationalGoal, {**data, "year": envelope.year}, doc, base=loc)
        except InputError as err:  # name fields from the top of the file: goals[2].title, not title
            prefix = _dotted(loc)
            for p in err.problems:
                problems.append(replace(p, field=f"{prefix}.{p.field}" if p.field else prefix))
            continue
        for where, message, hint in _check_goal(goal, note.strip(), i, len(envelope.goals)):
            problems.append(doc.problem((*loc, *where), message, hint=hint))
        if goal.id in seen:
            problems.append(doc.problem((*loc, "id"), _("goal id '{id}' is used twice in this file").format(
                id=goal.id)))
        seen.add(goal.id)
        goals.append(goal)
        if note.strip():
            notes[goal.id] = note.strip()
        if said.strip():
            words[goal.id] = " ".join(said.split())

    if problems:
        raise InputError(problems)
    announced = None
    if envelope.announced:
        announced = Announcement(envelope.announced.date, envelope.announced.source)
    return GoalSet(year=envelope.year, path=str(path), goals=tuple(goals), note=envelope.note,
                   goal_notes=notes, announced=announced, confidence=envelope.confidence or "low",
                   checked_against=tuple(Check(c.source, c.kind, c.finding) for c in envelope.checked_against),
                   disagreements=tuple(Disagreement(d.about, tuple(d.says)) for d in envelope.disagreements),
                   minister_words=words)


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


Finding = tuple[tuple[str | int, ...], str, str]


def _check_goal(goal: NationalGoal, note: str, index: int, count: int) -> list[Finding]:
    """The plugin's own rules on top of `NationalGoal`: numbering, ids, sources, honest gaps.

    Returns (where inside the goal, message, hint); the caller locates them in the file.
    """
    problems: list[Finding] = []

    def at(where: str | tuple[str | int, ...], message: str, hint: str = "") -> Finding:
        return ((where,) if isinstance(where, str) else where, message, hint)

    if goal.number != index + 1:
        problems.append(at("number", _("goal number {number} is out of order; expected {expected}").format(
            number=goal.number, expected=index + 1),
            hint=_("number the goals 1..{count} in the order the ministry lists them").format(count=count)))
    expected_id = f"mm{goal.year}-{goal.number}"
    if goal.id != expected_id:
        problems.append(at("id", _("goal id '{id}' does not follow the convention").format(id=goal.id),
                           hint=_("use '{id}' (mm<year>-<number>)").format(id=expected_id)))
    if not goal.title:
        problems.append(at("title", _("the title is empty"),
                           hint=_("give the Danish title as the ministry published it")))
    if not goal.source:
        problems.append(at("source", _("every goal needs a public source"),
                           hint=_("name the publication (and its address, if it has one)")))
    for j, mid in enumerate(goal.measure_ids):
        if not MEASURE_ID_RE.match(mid):
            problems.append(at(("measure_ids", j), _("measure id '{id}' is not a Jobindsats id").format(id=mid),
                               hint=_("Jobindsats measure ids look like 'MM13'")))
    texts: list[tuple[tuple[str | int, ...], str]] = [(("title",), goal.title)]
    texts += [(("measures", j), m) for j, m in enumerate(goal.measures)]
    for where, text in texts:
        found = LOCAL_AMBITION.search(text)
        if found:
            problems.append(at(where, _("'{words}' is a municipality's ambition, not the minister's").format(
                words=found.group(0)), hint=_("keep local ambitions in the municipality's own goals (with a source)")))
    if not goal.measures and not note:
        problems.append(at("measures", _("no measures are given and no note explains why"),
                           hint=_("list how the goal is measured, or add a 'note' saying it is not known")))
    return problems


def available_years(directory: Path | None = None) -> list[int]:
    """The years that have a file; a YAML file with a wrong name is an error, not silently skipped."""
    folder = directory or DATA_DIR
    years = []
    for p in sorted(folder.iterdir()):
        if p.suffix not in (".yaml", ".yml"):
            continue
        match = FILE_RE.match(p.name)
        if not match:
            raise InputError([Problem(str(p), message=_("file name is not ministermaal-YYYY.yaml"),
                                      hint=_("name year files ministermaal-<year>.yaml"))])
        years.append(int(match.group(1)))
    return years


def load_year(year: int, directory: Path | None = None) -> GoalSet | None:
    """The goal set for `year`, or None when there is no file for it."""
    if directory is None:
        return _load_packaged(year)
    path = directory / f"ministermaal-{year}.yaml"
    return load_file(path) if path.is_file() else None


@cache
def _load_packaged(year: int) -> GoalSet | None:
    path = DATA_DIR / f"ministermaal-{year}.yaml"
    return load_file(path) if path.is_file() else None
