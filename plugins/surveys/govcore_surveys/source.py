"""The `surveys` KPI source: survey results per respondent group, area, question and year."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from govcore import (
    KPI,
    CsvRow,
    InputError,
    KpiSource,
    Observation,
    Problem,
    SourceContext,
    csv_header,
    did_you_mean,
    normalise_name,
    parse_number,
    read_csv,
)
from govcore_surveys.i18n import _
from govcore_surveys.settings import AREA_ID, SurveySettings, parse_settings

# column key -> names accepted in the header (compared without case, spaces, '_' and with æøå spelled out)
COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent": ("respondent", "respondenter", "maalgruppe", "målgruppe", "respondent_type"),
    "area": ("area", "omraade", "område"),
    "question": ("question", "spoergsmaal", "spørgsmål"),
    "year": ("year", "aar", "år"),
    "score": ("score", "andel_tilfredse", "tilfredse_pct", "tilfredshed", "satisfied_pct"),
    "n": ("n", "antal_svar", "antal", "svar", "besvarelser", "responses"),
    "published": ("published", "offentliggjort", "kendt", "known"),
}
REQUIRED = ("respondent", "area", "year", "score", "n")

RESPONDENTS: dict[str, str] = {
    "borgere": "borgere", "borger": "borgere", "citizens": "borgere", "citizen": "borgere",
    "virksomheder": "virksomheder", "virksomhed": "virksomheder", "companies": "virksomheder",
    "company": "virksomheder", "businesses": "virksomheder", "business": "virksomheder",
    "employers": "virksomheder", "arbejdsgivere": "virksomheder",
}
RESPONDENT_ORDER = ("borgere", "virksomheder")
KPI_PATTERN = re.compile(r"^survey:([a-z0-9_-]+):([a-z0-9_-]+)$")


def score_kpi(respondent: str, area: str) -> str:
    return f"survey:{respondent}:{area}"


def n_kpi(respondent: str, area: str) -> str:
    return f"survey:{respondent}:{area}:n"


@dataclass(frozen=True)
class Result:
    """The result of one respondent group and area in one year, as known from `known`."""

    respondent: str
    area: str
    year: int
    score: float
    n: int
    known: dt.date


def survey_kpis(ctx: SourceContext) -> list[KPI]:
    """Two KPIs per respondent group and area in the file: the score (%) and the number of responses."""
    settings = parse_settings(ctx.settings)
    out: list[KPI] = []
    for respondent, area in pairs(read_results(settings.path(ctx), settings), settings):
        title = f"Brugertilfredshed, {respondent}: {settings.title(area)}"
        # Surveys come every second year or so: a result more than three years past the end of its
        # year is no longer judged as the current satisfaction.
        out.append(KPI(id=score_kpi(respondent, area), name=title, unit="%", higher_is_better=True,
                       source="surveys", measure="score", max_age="3 years",
                       description="andel tilfredse (vægtet gennemsnit over områdets spørgsmål)"))
        out.append(KPI(id=n_kpi(respondent, area), name=f"{title} – antal svar", unit="svar",
                       source="surveys", measure="responses", max_age="3 years",
                       description="antal besvarelser (det største antal svar på et af områdets spørgsmål)"))
    return out


def load_surveys(ctx: SourceContext) -> list[Observation]:
    settings = parse_settings(ctx.settings)
    path = settings.path(ctx)
    source = f"surveys:{path.name}"
    out: list[Observation] = []
    for r in read_results(path, settings):
        period = str(r.year)
        out.append(Observation(kpi=score_kpi(r.respondent, r.area), period=period, value=r.score,
                               source=source, known_at=r.known))
        out.append(Observation(kpi=n_kpi(r.respondent, r.area), period=period, value=float(r.n),
                               source=source, known_at=r.known))
    return out


SOURCE = KpiSource(
    name="surveys",
    description="User satisfaction surveys (brugertilfredshed) of citizens and companies per area and year",
    kpis=survey_kpis,
    load=load_surveys,
    depends_on=frozenset(),  # the files the settings name, not the version's year or goals
)


def pairs(results: Iterable[Result], settings: SurveySettings) -> list[tuple[str, str]]:
    """(respondent, area) pairs in a stable order: configured areas first, then respondent groups."""
    found = {(r.respondent, r.area) for r in results}
    return sorted(found, key=lambda p: sort_key(p[0], p[1], settings))


def sort_key(respondent: str, area: str, settings: SurveySettings) -> tuple[int, str, int, str]:
    areas = list(settings.areas)
    a = areas.index(area) if area in areas else len(areas)
    r = RESPONDENT_ORDER.index(respondent) if respondent in RESPONDENT_ORDER else len(RESPONDENT_ORDER)
    return (a, area, r, respondent)


@dataclass(frozen=True)
class _Row:
    line: int
    question: str
    known: dt.date
    score: float
    n: int


def read_results(path: Path, settings: SurveySettings) -> list[Result]:
    """The results of a survey file; every problem in it is raised at once as an InputError."""
    header, _delimiter = csv_header(path, "respondent;area;question;year;score;n")
    keys = _map_header(str(path), header)
    column = {k: header.index(h) + 1 for k, h in keys.items()}
    problems: list[Problem] = []
    groups: dict[tuple[str, str, int], list[_Row]] = defaultdict(list)
    seen: dict[tuple[str, str, int, str, dt.date], int] = {}
    for row in read_csv(path, required=[], optional=header):
        def cell(key: str, row: CsvRow = row) -> str:
            return row.values[keys[key]].strip() if key in keys else ""

        def bad(key: str, message: str, hint: str = "", row: CsvRow = row) -> None:
            problems.append(Problem(row.path, row.line, column.get(key, 0), message,
                                    field=keys.get(key, key), hint=hint))

        before = len(problems)
        respondent = _respondent(cell("respondent"), bad)
        area = _area(cell("area"), settings, bad)
        year = _year(cell("year"), bad)
        score = _score(cell("score"), bad)
        n = _count(cell("n"), bad)
        known = _published(cell("published"), year, bad)
        if len(problems) > before or respondent is None or area is None or year is None or score is None \
                or n is None:
            continue
        question = cell("question")
        day = known or dt.date(year + 1, 1, 1)
        key = (respondent, area, year, normalise_name(question), day)
        if key in seen:
            message = (_("repeats {respondent}, {area}, {year}, '{question}' from line {line}") if question
                       else _("repeats {respondent}, {area}, {year} from line {line}"))
            bad("question", message.format(respondent=respondent, area=area, year=year, question=question,
                                           line=seen[key]),
                _("give each question one row per year, or a correction a later 'published' date"))
            continue
        seen[key] = row.line
        groups[(respondent, area, year)].append(_Row(row.line, normalise_name(question), day, score, n))
    if problems:
        raise InputError(problems)
    return [r for (respondent, area, year), rows in groups.items()
            for r in _combine(respondent, area, year, rows)]


def _combine(respondent: str, area: str, year: int, rows: list[_Row]) -> list[Result]:
    """The area's result on each publication date: the n-weighted mean score of its questions (the
    latest row of each), and n = the largest n of a question (one respondent answers several
    questions, so adding them up would count people twice)."""
    questions = sorted({r.question for r in rows})
    out = []
    for day in sorted({r.known for r in rows}):
        chosen = []
        for q in questions:
            known = [r for r in rows if r.question == q and r.known <= day]
            if not known:
                break
            chosen.append(max(known, key=lambda r: r.known))
        else:
            total = sum(r.n for r in chosen)
            score = round(sum(r.score * r.n for r in chosen) / total, 2)
            out.append(Result(respondent, area, year, score, max(r.n for r in chosen), day))
    return out


def _map_header(file: str, header: list[str]) -> dict[str, str]:
    """Column key -> the header cell naming it; every header problem at once."""
    problems: list[Problem] = []
    keys: dict[str, str] = {}
    lookup = {normalise_name(name): key for key, names in COLUMNS.items() for name in names}
    for i, h in enumerate(header, start=1):
        if not h:
            continue
        key = lookup.get(normalise_name(h))
        if key is None:
            problems.append(Problem(file, 1, i, _("unknown column '{column}'").format(column=h), field=h,
                                    hint=did_you_mean(h, [n[0] for n in COLUMNS.values()])))
        elif key in keys:
            problems.append(Problem(file, 1, i, _("columns '{first}' and '{second}' both give {column}").format(
                first=keys[key], second=h, column=key), field=h, hint=_("keep one of them")))
        else:
            keys[key] = h
    for key in REQUIRED:
        if key not in keys:
            problems.append(Problem(file, 1, 0, _("missing column '{column}'").format(column=key), field=key,
                                    hint=_("the columns are respondent;area;question;year;score;n (question and "
                                           "published may be left out); also accepted: {names}").format(
                                        names=", ".join(COLUMNS[key][1:3]))))
    if problems:
        raise InputError(problems)
    return keys


class _Bad(Protocol):
    def __call__(self, key: str, message: str, hint: str = "") -> None: ...


def _respondent(text: str, bad: _Bad) -> str | None:
    if not text:
        bad("respondent", _("no respondent group given"), _("write borgere or virksomheder"))
        return None
    found = RESPONDENTS.get(normalise_name(text))
    if found is None:
        bad("respondent", _("unknown respondent group '{group}'").format(group=text),
            did_you_mean(text, RESPONDENT_ORDER))
    return found


def _area(text: str, settings: SurveySettings, bad: _Bad) -> str | None:
    if not text:
        bad("area", _("no area given"), _("write the area's id, e.g. modtagelse"))
        return None
    if settings.areas:
        for area, a in settings.areas.items():
            if normalise_name(text) in (normalise_name(area), normalise_name(a.title or area)):
                return area
        bad("area", _("unknown area '{area}'").format(area=text), did_you_mean(text, settings.areas)
            + " " + _("(areas are listed under sources.surveys.areas)"))
        return None
    if AREA_ID.match(text.lower()):
        return text.lower()
    bad("area", _("'{value}' is not an area id").format(value=text), _(
        "use lower-case letters, digits, '-' and '_' (e.g. modtagelse), or list the areas with their titles under "
        "sources.surveys.areas"))
    return None


def _year(text: str, bad: _Bad) -> int | None:
    if re.fullmatch(r"[0-9]{4}", text) and 1990 <= int(text) <= 2100:
        return int(text)
    bad("year", _("'{value}' is not a year").format(value=text) if text else _("no year given"),
        _("write the year of the survey, e.g. 2021"))
    return None


def _score(text: str, bad: _Bad) -> float | None:
    try:
        value = parse_number(text.replace("%", ""), ",")
    except ValueError:
        value = -1.0
    if value < 0:
        bad("score", _("'{value}' is not a share in percent").format(value=text) if text else _("no score given"),
            _("write the share of satisfied respondents in percent, e.g. 78,5 or 78.5"))
        return None
    if value > 100:
        bad("score", _("the share {value} is above 100 %").format(value=text),
            _("write the share of satisfied respondents in percent (0-100), not a count"))
        return None
    return value


def _count(text: str, bad: _Bad) -> int | None:
    s = text.replace(" ", "")
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", s):
        s = s.replace(".", "")
    if not re.fullmatch(r"[0-9]+", s):
        bad("n", _("'{value}' is not a number of responses").format(value=text) if text
            else _("no number of responses given"), _("write the number of responses as a whole number, e.g. 412"))
        return None
    if int(s) < 1:
        bad("n", _("the number of responses must be at least 1"), _("leave out areas nobody answered"))
        return None
    return int(s)


def _published(text: str, year: int | None, bad: _Bad) -> dt.date | None:
    if not text:
        return None
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    danish = re.fullmatch(r"([0-9]{1,2})[-./]([0-9]{1,2})[-./]([0-9]{4})", text)
    ymd = (iso.group(1), iso.group(2), iso.group(3)) if iso else \
        (danish.group(3), danish.group(2), danish.group(1)) if danish else None
    try:
        day = dt.date(int(ymd[0]), int(ymd[1]), int(ymd[2])) if ymd else None
    except ValueError:
        day = None
    if day is None:
        bad("published", _("'{value}' is not a date").format(value=text), _("write the date as 2021-11-15 or "
                                                                           "15-11-2021"))
        return None
    if year is not None and day.year < year:
        bad("published", _("a {year} survey cannot be published on {day}").format(year=year, day=day),
            _("check the year and the date"))
        return None
    return day
