"""A municipality's live run as a page sees it: the run, its configuration, the day it has got to,
and the names people read instead of ids (a role's title, a goal's title)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from govcore.access.live import LiveRuns, RunRef
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal
from govcore.config import Configuration
from govcore.event_labels import SUBJECT_KINDS
from govcore.extension import Subject, SubjectContext
from govcore.i18n import _
from govcore.observations import ObservationStore
from govcore.web.views.observations import observation_store

MUNICIPALITY_CODE = re.compile(r"\d{3}")



@dataclass
class RunView:
    """The live run of one municipality, opened for one person (the permission is checked)."""

    live: LiveRuns
    principal: Principal
    run: RunRef
    cfg: Configuration
    day: dt.date
    _store: ObservationStore | None = field(default=None, repr=False)
    _subjects: dict[str, list[Subject] | None] = field(default_factory=dict, repr=False)

    @property
    def municipality(self) -> str:
        return self.run.municipality

    @property
    def shown(self) -> Configuration:
        """The configuration version in force on the run's day."""
        return self.cfg.version_at(self.day)

    def role(self, role_id: str | None) -> str:
        """A role's title (its id when the organisation does not know it)."""
        if not role_id:
            return "–"
        org = self.shown.organisation
        return org.role(role_id).title if org.has(role_id) else role_id

    def goal(self, goal_id: str | None) -> str:
        if not goal_id:
            return "–"
        for version in reversed(self.cfg.versions or [self.cfg]):
            for g in version.goals:
                if g.id == goal_id:
                    return g.title
        return goal_id

    def rule(self, rule_id: str | None) -> tuple[str, str]:
        """A rule's title and description (the rule id and '' when no version of the configuration
        holds it)."""
        if not rule_id:
            return "–", ""
        for version in reversed(self.cfg.versions or [self.cfg]):
            try:
                r = version.rules.by_id(rule_id)
            except KeyError:
                continue
            return r.title or rule_id, " ".join(r.description.split())
        return rule_id, ""

    def kpi(self, kpi_id: str) -> str:
        k = self.cfg.kpis.get(kpi_id)
        return k.name if k is not None and k.name else kpi_id

    def store(self) -> ObservationStore:
        """Every observation the run has stored that is known on the run's day (corrections included)."""
        if self._store is None:
            self._store = observation_store(self.live, self.principal, self.municipality, self.day)
        return self._store

    def subjects(self, kind: str) -> list[Subject] | None:
        """A plugin's subjects (budget areas, survey areas...) as the rules see them on the run's day,
        from the stored observations; None when no plugin gives the kind or it is not configured."""
        if kind not in self._subjects:
            spec = self.cfg.subject_kinds.get(kind)
            if spec is None or (spec.settings_key and spec.settings_key not in self.cfg.sources):
                self._subjects[kind] = None
            else:
                cfg = self.shown
                ctx = SubjectContext(municipality=cfg.municipality, day=self.day,
                                     observations=self.store().as_of(self.day), organisation=cfg.organisation,
                                     kpis=cfg.kpis, settings=cfg.sources.get(spec.settings_key, {}),
                                     base_dir=cfg.base_dir)
                self._subjects[kind] = list(spec.subjects(ctx))
        return self._subjects[kind]

    def subject(self, kind: str, subject_id: str | None) -> str:
        """What a deviation or an event is about, by its title."""
        if not subject_id:
            return "–"
        if kind == "goal":
            return self.goal(subject_id)
        if kind == "deliverable":
            d = self.shown.deliverables.get(subject_id) or self.cfg.deliverables.get(subject_id)
            return d.title if d is not None else subject_id
        found = next((s for s in self.subjects(kind) or [] if s.id == subject_id), None)
        return found.title if found is not None and found.title else subject_id

    def subject_kind(self, kind: str) -> str:
        if kind in SUBJECT_KINDS:
            return SUBJECT_KINDS[kind]
        spec = self.cfg.subject_kinds.get(kind)
        return spec.reader_label() if spec is not None and spec.label else _("subject")


def open_run(live: LiveRuns, principal: Principal, municipality: str,
             operation: Operation = Operation.VIEW) -> RunView:
    """The municipality's live run for `principal`, refused (Forbidden) before anything is read
    when the person may not see it. The day is the run's clock, or today if that is earlier."""
    authorize(principal, operation, municipality)
    run = live.run(municipality)
    cfg = live.config(run)
    zone = ZoneInfo(cfg.wheel.timezone)
    day = min(live.clock().astimezone(zone).date(), dt.datetime.fromisoformat(run.clock).date())
    return RunView(live, principal, run, cfg, max(day, dt.date.fromisoformat(run.start)))


class QueryProblem(Exception):
    """A query parameter of a page is wrong; the message, in the reader's language, says what to write."""


def municipality_of(principal: Principal, kommune: str) -> str:
    """The municipality a page shows: the person's own, or the one named by `?kommune=` (another
    municipality's is then refused by the permission check, alike whether it exists or not)."""
    if not kommune:
        return principal.municipality
    if not MUNICIPALITY_CODE.fullmatch(kommune):
        raise QueryProblem(_("The municipality code '{code}' is not three digits (for example 630).").format(
            code=kommune[:20]))
    return kommune


def choice(value: str, choices: dict[str, str], name: str) -> str:
    """One of the allowed values of a query parameter, by its Danish word."""
    if value in choices:
        return choices[value]
    allowed = ", ".join(sorted(choices))
    raise QueryProblem(_("'{value}' is not a possible value of {name}. Choose one of: {allowed}.").format(
        value=value[:40], name=name, allowed=allowed))
