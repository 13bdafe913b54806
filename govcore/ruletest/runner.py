"""Comparing what happened with what a scenario expects, and collecting coverage.

Every failure is written for the person who has to act on it: the one field that differs (not two
dumps of events), why an expected event did not happen, what happened around that date, and for
an event nobody expected, the lines to paste into the scenario if it is right.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcore.errors import InputError, Problem
from govcore.i18n import _, ngettext
from govcore.plugins import Plugins, load_plugins
from govcore.rules.loader import Rule, expand_paths
from govcore.ruletest.explain import explain_rule, why_fired, why_not
from govcore.ruletest.kinds import describe, fmt, is_decision, kind_of, same, suggestion
from govcore.ruletest.run import Run, execute
from govcore.ruletest.scenario import Case, Expectation, load_scenario_file


@dataclass
class Failure:
    """One reason a case failed."""

    what: str  # missing | count | never | unexpected | error
    where: str
    headline: str
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseResult:
    case: Case
    run: Run
    failures: list[Failure]
    explained: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.run.error:
            return "error"
        return "failed" if self.failures else "passed"


@dataclass
class FileResult:
    path: str
    problems: list[Problem]
    results: list[CaseResult]
    rules: list[Rule]
    skipped: int = 0


@dataclass
class Coverage:
    """Which rules fired in at least one case, and how far escalations went."""

    rules: list[tuple[Rule, bool]] = field(default_factory=list)
    levels: dict[int, int] = field(default_factory=dict)
    paths: dict[str, int] = field(default_factory=dict)
    exhausted: int = 0
    escalation_rules: list[Rule] = field(default_factory=list)
    possible_steps: set[str] = field(default_factory=set)  # role → superior in the organisations tested
    deepest: int = 0  # the most escalations the organisations allow

    @property
    def steps_not_taken(self) -> list[str]:
        return sorted(self.possible_steps - set(self.paths))

    @property
    def never_fired(self) -> list[Rule]:
        return [r for r, fired in self.rules if not fired]


@dataclass
class Report:
    files: list[FileResult]
    seconds: float
    coverage: Coverage

    def results(self) -> list[CaseResult]:
        return [r for f in self.files for r in f.results]

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "error": 0}
        for r in self.results():
            out[r.status] += 1
        out["invalid_files"] = sum(1 for f in self.files if f.problems)
        return out

    @property
    def ok(self) -> bool:
        c = self.counts()
        return c["failed"] == 0 and c["error"] == 0 and c["invalid_files"] == 0


# ------------------------------------------------------------------------------------ running


def run_files(patterns: Sequence[str], *, run_filter: str | None = None, explain: Sequence[str] = (),
              plugins: Plugins | None = None) -> Report:
    """Run every scenario of the files (paths, folders or globs). A pattern matching no file, or a
    `run_filter` matching no scenario, is an InputError: a test that runs nothing must not pass."""
    began = time.perf_counter()
    paths = expand_paths(patterns)
    plugins = plugins or load_plugins()
    files: list[FileResult] = []
    for path in paths:
        files.append(run_file(path, plugins, run_filter=run_filter, explain=explain))
    if run_filter and not any(f.results for f in files) and not any(f.problems for f in files):
        raise InputError([Problem(message=_("no scenario matches --run '{filter}'").format(filter=run_filter),
                                  hint=_("the filter matches scenario names (with * as a wildcard)"))])
    return Report(files=files, seconds=time.perf_counter() - began, coverage=coverage(files))


def _selected(case: Case, run_filter: str | None) -> bool:
    if not run_filter:
        return True
    text = run_filter.lower()
    name = case.name.lower()
    return fnmatch.fnmatchcase(name, text) if any(c in text for c in "*?[") else text in name


def run_file(path: Path, plugins: Plugins, *, run_filter: str | None = None,
             explain: Sequence[str] = ()) -> FileResult:
    sf = load_scenario_file(path, plugins)
    rules = sf.setup.rules.rules if sf.setup is not None else []
    if sf.problems or sf.setup is None:
        return FileResult(sf.path, sf.problems, [], rules)
    results = []
    chosen = [c for c in sf.cases if _selected(c, run_filter)]
    for case in chosen:
        run = execute(sf.setup, case)
        failures = evaluate(case, run)
        explained = [line for rid in explain for line in explain_rule(rid, run)]
        results.append(CaseResult(case, run, failures, explained))
    return FileResult(sf.path, [], results, rules, skipped=len(sf.cases) - len(chosen))


# --------------------------------------------------------------------------------- comparing


def matches(exp: Expectation, v: dict[str, Any]) -> bool:
    if v["type"] != exp.kind.event_type:
        return False
    if not exp.window.contains(dt.date.fromisoformat(v["date"])):
        return False
    return all(same(value, v.get(name)) for name, value in exp.fields.items())


def evaluate(case: Case, run: Run) -> list[Failure]:
    """Every way the run differs from the case's expectations."""
    failures: list[Failure] = []
    if run.error:
        failures.append(Failure("error", f"{case.file}:{case.line}:{case.column}",
                                _("the run stopped with an error: {message}").format(message=run.error),
                                timeline(run, run.views[-1]["date"] if run.views else None)))
    claimed: set[int] = set()
    shown: set[int] = set()  # events already shown as the closest to a missing expectation
    for exp in case.expectations:
        found = [i for i, v in enumerate(run.views) if matches(exp, v)]
        claimed.update(found)
        if exp.never:
            failures.extend(_never(exp, i, run) for i in found)
        elif not found:
            missing = _missing(exp, run)
            closest = missing.data.get("closest_index")
            if isinstance(closest, int):
                shown.add(closest)
            failures.append(missing)
        elif exp.times is not None and len(found) != exp.times:
            failures.append(_count(exp, [run.views[i] for i in found], run))
    for i, v in enumerate(run.views):
        if i in claimed or not is_decision(run.events[i]) or _allowed(case.allow_extra, v["type"]):
            continue
        if i in shown:
            continue  # the person sees it in the diff of the expectation it nearly matched
        failures.append(_unexpected(i, run))
    for f in failures:
        f.data.pop("closest_index", None)
    return failures


def _allowed(allow: bool | frozenset[str], event_type: str) -> bool:
    return allow is True or (isinstance(allow, frozenset) and event_type in allow)


def _distance(exp: Expectation, day: dt.date) -> int:
    w = exp.window
    if w.start and day < w.start:
        return (w.start - day).days
    if w.end and day > w.end:
        return (day - w.end).days
    return 0


def _closest(exp: Expectation, run: Run) -> dict[str, Any] | None:
    same_kind = [v for v in run.views if v["type"] == exp.kind.event_type]
    if not same_kind:
        return None

    def score(v: dict[str, Any]) -> tuple[int, int]:
        wrong = sum(1 for k, val in exp.fields.items() if not same(val, v.get(k)))
        days = _distance(exp, dt.date.fromisoformat(v["date"]))
        return (wrong + (1 if days else 0), days)

    return min(same_kind, key=score)


def diff_table(exp: Expectation, v: dict[str, Any]) -> list[str]:
    """Field by field: what was expected, what the closest event had, and which differ."""
    rows = [(_("when"), exp.window.describe(), v["date"], _distance(exp, dt.date.fromisoformat(v["date"])) == 0)]
    rows += [(k, fmt(val), fmt(v.get(k)), same(val, v.get(k))) for k, val in exp.fields.items()]
    field, expected, actual = _("field"), _("expected"), _("actual")
    w1 = max(len(field), *(len(r[0]) for r in rows))
    w2 = max(len(expected), *(len(r[1]) for r in rows))
    out = [f"{field:<{w1}}  {expected:<{w2}}  {actual}"]
    differs = "   <-- " + _("differs")
    for name, want, got, ok in rows:
        out.append(f"{name:<{w1}}  {want:<{w2}}  {got}{'' if ok else differs}")
    return out


def _missing(exp: Expectation, run: Run) -> Failure:
    lines: list[str] = []
    closest = _closest(exp, run)
    if closest is None:
        lines.append(_("no {kind} happened at all in this scenario").format(kind=_(exp.kind.label)))
    else:
        rule = _(", rule {rule}").format(rule=closest["rule"]) if closest.get("rule") else ""
        lines.append(_("the closest {kind} ({date}{rule}):").format(kind=_(exp.kind.label), date=closest["date"],
                                                                   rule=rule))
        lines.extend("  " + row for row in diff_table(exp, closest))
    why = why_not(exp, run)
    if why:
        lines.append(_("why:"))
        lines.extend("  " + w for w in why)
    anchor = exp.window.anchor()
    shown = timeline(run, anchor.isoformat() if anchor else (closest["date"] if closest else None))
    if shown:
        lines.append(_("what happened around {date}:").format(
            date=anchor.isoformat() if anchor else closest["date"] if closest else _("then")))
        lines.extend("  " + t for t in shown)
    index = next((i for i, v in enumerate(run.views) if v is closest), None)
    return Failure("missing", exp.where(), _("{expectation}: it did not happen").format(expectation=exp.headline()),
                   lines,
                   {"expected": _expected_data(exp), "closest": _public(closest), "why": why, "timeline": shown,
                    "closest_index": index})


def _count(exp: Expectation, found: list[dict[str, Any]], run: Run) -> Failure:
    lines = [f"{v['date']} {v['time']}  {describe(v)}" + (f"  [{v['rule']}]" if v.get("rule") else "")
             for v in found]
    return Failure("count", exp.where(),
                   ngettext("{expectation}: it happened {n} time", "{expectation}: it happened {n} times",
                            len(found)).format(expectation=exp.headline(), n=len(found)),
                   [_("it happened on:"), *("  " + x for x in lines)],
                   {"expected": _expected_data(exp), "found": [_public(v) for v in found]})


def _never(exp: Expectation, index: int, run: Run) -> Failure:
    v = run.views[index]
    why = why_fired(index, run)
    lines = [_("it happened on {date} {time}: {event}").format(date=v["date"], time=v["time"], event=describe(v))]
    if why:
        lines += [_("why:"), *("  " + w for w in why)]
    shown = timeline(run, v["date"])
    lines += [_("what happened around {date}:").format(date=v["date"]), *("  " + t for t in shown)]
    return Failure("never", exp.where(), _("{expectation}: it happened on {date}").format(
        expectation=exp.headline(), date=v["date"]), lines,
                   {"expected": _expected_data(exp), "event": _public(v), "why": why, "timeline": shown})


def _unexpected(index: int, run: Run) -> Failure:
    case = run.case
    v = run.views[index]
    label = _(kind_of(v["type"]).label)
    why = why_fired(index, run)
    lines = [describe(v)] + [_("why: {reason}").format(reason=w) for w in why]
    return Failure("unexpected", f"{case.file}:{case.line}:{case.column}",
                   _("unexpected {kind} on {date}").format(kind=label, date=v["date"]), lines,
                   {"event": _public(v), "why": why, "suggestion": suggestion(v)})


def _expected_data(exp: Expectation) -> dict[str, Any]:
    return {"kind": exp.kind.name, "window": exp.window.describe(), "times": exp.times,
            "fields": {k: fmt(v) for k, v in exp.fields.items()}}


def _public(v: dict[str, Any] | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {k: (fmt(x) if isinstance(x, dt.date) else x) for k, x in v.items()}


def timeline(run: Run, anchor: str | None, days: int = 7, limit: int = 16) -> list[str]:
    """What happened within `days` of a date, nearest first when there is more than `limit`."""
    if anchor is None:
        return []
    center = dt.date.fromisoformat(anchor)
    rows = [(i, v) for i, v in enumerate(run.views)
            if abs((dt.date.fromisoformat(v["date"]) - center).days) <= days]
    if len(rows) > limit:
        rows = sorted(rows, key=lambda iv: (abs((dt.date.fromisoformat(iv[1]["date"]) - center).days), iv[0]))
        rows = sorted(rows[:limit])
    return [f"{v['date']} {v['time']}  {describe(v)}" + (f"  [{v['rule']}]" if v.get("rule") else "")
            for _, v in rows]


# --------------------------------------------------------------------------------- coverage


def coverage(files: Sequence[FileResult]) -> Coverage:
    """Rules that never fired in any case, and the escalation levels reached, over all files."""
    seen: dict[tuple[str, str], Rule] = {}
    fired: set[tuple[str, str]] = set()
    cov = Coverage()
    for f in files:
        for r in f.rules:
            seen.setdefault((str(Path(r.file).resolve()), r.id), r)
        for result in f.results:
            for rid in result.run.fired:
                rule = result.run.rule(rid)
                if rule is not None:
                    fired.add((str(Path(rule.file).resolve()), rule.id))
            for v in result.run.views:
                if v["type"] == "escalated":
                    level = int(v.get("level") or 0)
                    cov.levels[level] = cov.levels.get(level, 0) + 1
                    path = f"{v.get('from')} → {v.get('to')}"
                    cov.paths[path] = cov.paths.get(path, 0) + 1
                elif v["type"] == "escalation_exhausted":
                    cov.exhausted += 1
    cov.rules = [(r, key in fired) for key, r in seen.items()]
    cov.escalation_rules = [r for r in seen.values() if any(a.name == "escalate" for a in r.actions)]
    for f in files:
        escalating = any(a.name == "escalate" for r in f.rules for a in r.actions)
        for result in f.results[:1] if escalating else []:
            org = result.run.config.organisation
            for role in org.roles:
                if role.superior is not None:
                    cov.possible_steps.add(f"{role.id} → {role.superior}")
                cov.deepest = max(cov.deepest, len(org.chain(role.id)) - 1)
    return cov
