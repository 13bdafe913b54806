"""User satisfaction surveys (brugertilfredshedsundersøgelser) per area, from what the live run has
stored: the surveys plugin's `survey_area` subjects, which compare each area's latest result
with its baseline (the first measurement) by a two-proportion z-test, as its rules do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcore.i18n import N_, _
from govcore.web.views.run import RunView

KIND = "survey_area"
# Message ids: translate where they are read.
CLASSIFICATIONS = {"lift": N_("Lift the effort"), "keep": N_("Keep the strength"),
                   "baseline": N_("First measurement (baseline)"), "no_data": N_("No result")}
# The status colour of each classification (the word is always shown beside it).
CLASS_STATUS = {"lift": "off_track", "keep": "on_track", "baseline": "no_data", "no_data": "no_data"}
RESPONDENTS = {"borgere": N_("Citizens"), "virksomheder": N_("Businesses")}


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
            return _("No result yet")
        if self.is_baseline:
            return _("Only one measurement (baseline)")
        if not self.significant:
            return _("Not significant")
        return _("Significant increase") if (self.change or 0) > 0 else _("Significant decrease")


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
            id=s.id, title=s.title or s.id, respondent=_(RESPONDENTS[who]) if who in RESPONDENTS else who,
            owner=view.role(s.owner), baseline=f.get("baseline"), baseline_year=_int(f.get("baseline_year")),
            baseline_n=_int(f.get("baseline_n")), score=f.get("score"), year=_int(f.get("year")), n=_int(f.get("n")),
            change=f.get("change"),
            z=f.get("z"), significant=bool(f.get("significant")),
            is_baseline=f.get("year") is not None and f.get("year") == f.get("baseline_year"),
            threshold=f.get("threshold"), below_threshold=bool(f.get("below_threshold")), classification=cls,
            classification_label=_(CLASSIFICATIONS[cls]) if cls in CLASSIFICATIONS else cls,
            status=CLASS_STATUS.get(cls, "no_data")))
    return out
