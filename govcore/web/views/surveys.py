"""User satisfaction surveys (brugertilfredshedsundersøgelser) per area, from what the live run has
stored: the surveys plugin's `survey_area` subjects, which compare each area's latest result
with its baseline (the first measurement) by a two-proportion z-test, as its rules do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcore.web.views.run import RunView

KIND = "survey_area"
CLASSIFICATIONS = {"lift": "Løft indsatsen", "keep": "Bevar styrken", "baseline": "Første måling (baseline)",
                   "no_data": "Ingen resultat"}
# The status colour of each classification (the word is always shown beside it).
CLASS_STATUS = {"lift": "off_track", "keep": "on_track", "baseline": "no_data", "no_data": "no_data"}
RESPONDENTS = {"borgere": "Borgere", "virksomheder": "Virksomheder"}


@dataclass(frozen=True)
class SurveyArea:
    id: str
    title: str
    respondent: str
    owner: str
    baseline: float | None
    baseline_year: int | None
    baseline_n: int | None
    score: float | None
    year: int | None
    n: int | None
    change: float | None
    z: float | None
    significant: bool
    is_baseline: bool
    threshold: float | None
    below_threshold: bool
    classification: str
    classification_label: str
    status: str

    @property
    def verdict(self) -> str:
        """The change from the baseline in words: significant or noise."""
        if self.score is None:
            return "Intet resultat endnu"
        if self.is_baseline:
            return "Kun én måling (baseline)"
        if not self.significant:
            return "Ikke signifikant"
        return "Signifikant stigning" if (self.change or 0) > 0 else "Signifikant fald"


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def survey_areas(view: RunView) -> list[SurveyArea] | None:
    """Every survey area and respondent group; None when the municipality has no surveys (no
    surveys plugin, or no `sources.surveys`), [] when it has no results yet."""
    subjects = view.subjects(KIND)
    if subjects is None:
        return None
    out = []
    for s in subjects:
        f = s.fields
        cls = str(f.get("classification") or "no_data")
        who = str(f.get("respondent"))
        out.append(SurveyArea(
            id=s.id, title=s.title or s.id, respondent=RESPONDENTS.get(who, who),
            owner=view.role(s.owner), baseline=f.get("baseline"), baseline_year=_int(f.get("baseline_year")),
            baseline_n=_int(f.get("baseline_n")), score=f.get("score"), year=_int(f.get("year")), n=_int(f.get("n")),
            change=f.get("change"),
            z=f.get("z"), significant=bool(f.get("significant")),
            is_baseline=f.get("year") is not None and f.get("year") == f.get("baseline_year"),
            threshold=f.get("threshold"), below_threshold=bool(f.get("below_threshold")), classification=cls,
            classification_label=CLASSIFICATIONS.get(cls, cls), status=CLASS_STATUS.get(cls, "no_data")))
    return out
