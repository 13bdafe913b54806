"""The results of `govcore rules test` as text for people, JSON for programs and JUnit XML for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from govcore.errors import Problem
from govcore.formatting import danish_number
from govcore.i18n import _, ngettext
from govcore.ruletest.explain import relative, where
from govcore.ruletest.runner import CaseResult, Coverage, Failure, FileResult, Report

MAX_UNEXPECTED = 12


def _suggestions(failures: list[Failure], indent: str) -> list[str]:
    """One block to paste for all the unexpected events of a case, if they are right."""
    snippets = [str(f.data["suggestion"]) for f in failures if f.what == "unexpected" and f.data.get("suggestion")]
    if not snippets:
        return []
    out = [indent + ngettext("if this is right, add it to the scenario's 'expect:' list (or write 'allow_extra: true' "
                             "to allow events it does not list):",
                             "if these are right, add them to the scenario's 'expect:' list (or write "
                             "'allow_extra: true' to allow events it does not list):", len(snippets))]
    for snippet in snippets:
        out += [f"{indent}  {line}" for line in snippet.splitlines()]
    return out


def _problem_text(p: Problem) -> str:
    return Problem(relative(p.file) if p.file else p.file, p.line, p.column, p.message, p.rule, p.field,
                   p.hint).format()


def _failure_text(f: Failure, indent: str = "      ") -> list[str]:
    place = relative(f.where.split(":")[0]) + f.where[len(f.where.split(":")[0]):] if f.where else ""
    out = [f"{indent}{place}: {f.headline}" if place else f"{indent}{f.headline}"]
    out += [f"{indent}  {line}" for line in f.lines]
    return out


def render_text(report: Report, *, coverage: bool = True, verbose: bool = False) -> str:
    lines: list[str] = []
    for f in report.files:
        lines.append(relative(f.path))
        if f.problems:
            lines.append("  " + _("the file cannot be run:"))
            lines += ["    " + _problem_text(p) for p in f.problems]
        for r in f.results:
            lines += _case_text(r, verbose)
        if f.skipped:
            lines.append("  (" + ngettext("{n} scenario not selected by --run", "{n} scenarios not selected by --run",
                                          f.skipped).format(n=f.skipped) + ")")
        lines.append("")
    if coverage and report.coverage.rules:
        lines += coverage_text(report.coverage)
        lines.append("")
    c = report.counts()
    parts = [_("{n} passed").format(n=c["passed"])]
    if c["failed"]:
        parts.append(_("{n} failed").format(n=c["failed"]))
    if c["error"]:
        parts.append(_("{n} stopped with an error").format(n=c["error"]))
    if c["invalid_files"]:
        parts.append(ngettext("{n} file with problems", "{n} files with problems", c["invalid_files"])
                     .format(n=c["invalid_files"]))
    n = len(report.files)
    lines.append(ngettext("{counts} — {n} scenario file in {seconds} s", "{counts} — {n} scenario files in {seconds} s",
                          n).format(counts=", ".join(parts), n=n,
                                    seconds=danish_number(report.seconds, 2, fixed=True)))
    return "\n".join(lines) + "\n"


def _case_text(r: CaseResult, verbose: bool) -> list[str]:
    marks = {"passed": _("ok"), "failed": _("FAILED"), "error": _("ERROR")}
    width = max(len(m) for m in marks.values())
    span = _("{start} to {until}").format(start=r.case.start, until=r.case.until)
    events = ngettext("{n} event", "{n} events", len(r.run.events)).format(n=len(r.run.events))
    seconds = danish_number(r.run.seconds, 2, fixed=True)
    out = [f"  {marks[r.status]:<{width}}  {r.case.name}  ({span}, {events}, {seconds} s)"]
    unexpected = [f for f in r.failures if f.what == "unexpected"]
    for f in [f for f in r.failures if f.what != "unexpected"] + unexpected[:MAX_UNEXPECTED]:
        out += _failure_text(f)
        out.append("")
    if len(unexpected) > MAX_UNEXPECTED:
        out += ["      " + _("… and {n} more unexpected events (all are in --json)").format(
            n=len(unexpected) - MAX_UNEXPECTED), ""]
    if unexpected:
        out += _suggestions(unexpected, "      ")
        out.append("")
    if r.explained:
        out += ["      " + line for line in r.explained]
    if verbose and not r.failures:
        decisions = [v for v in r.run.views if v["type"] not in ("observation", "followup", "milestone")]
        out += ["      " + f"{v['date']} {v['time']}  {v['type']}  {v.get('subject') or ''}" for v in decisions]
    return out


def coverage_text(cov: Coverage) -> list[str]:
    total = len(cov.rules)
    if not total:
        return []
    lines = [_("Coverage")]
    never = cov.never_fired
    lines.append("  " + _("rules that fired in at least one scenario: {n} of {total}").format(n=total - len(never),
                                                                                             total=total))
    if never:
        lines.append("  " + _("rules that never fired in any scenario:"))
        lines += [f"    {r.id}  ({where(r)})" for r in never]
    if cov.escalation_rules:
        if cov.levels:
            levels = ", ".join(f"{lv} ({n}×)" for lv, n in sorted(cov.levels.items()))
            lines.append("  " + _("escalation levels reached: {levels}").format(levels=levels)
                         + (_(" of {n} possible").format(n=cov.deepest) if cov.deepest else ""))
            lines.append("  " + _("escalation steps taken: {steps}").format(steps=", ".join(sorted(cov.paths))))
        else:
            lines.append("  " + _("no scenario escalated anything"))
        untaken = cov.steps_not_taken
        if untaken:
            shown = ", ".join(untaken[:8]) + (_(" and {n} more").format(n=len(untaken) - 8) if len(untaken) > 8
                                              else "")
            lines.append("  " + _("escalation steps no scenario took: {steps}").format(steps=shown))
        lines.append("  " + _("escalations with no one left above (escalation_exhausted): {n}").format(n=cov.exhausted)
                     + ("" if cov.exhausted else _(" — no scenario took an action past the top of the line")))
    return lines


# ------------------------------------------------------------------------------------- JSON


def _problem_data(p: Problem) -> dict[str, Any]:
    return {"file": relative(p.file) if p.file else "", "line": p.line, "column": p.column, "rule": p.rule,
            "field": p.field, "message": p.message, "hint": p.hint, "text": _problem_text(p)}


def to_json(report: Report) -> str:
    data = {
        "passed": report.ok,
        "seconds": round(report.seconds, 3),
        "counts": report.counts(),
        "files": [_file_data(f) for f in report.files],
        "coverage": {
            "rules": [{"rule": r.id, "file": relative(r.file), "line": r.line, "fired": fired}
                      for r, fired in report.coverage.rules],
            "never_fired": [r.id for r in report.coverage.never_fired],
            "escalation_levels": {str(k): v for k, v in sorted(report.coverage.levels.items())},
            "escalation_steps": dict(sorted(report.coverage.paths.items())),
            "escalation_exhausted": report.coverage.exhausted,
            "escalation_steps_not_taken": report.coverage.steps_not_taken,
            "deepest_possible_level": report.coverage.deepest,
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _file_data(f: FileResult) -> dict[str, Any]:
    return {"file": relative(f.path), "problems": [_problem_data(p) for p in f.problems],
            "tests": [_case_data(r) for r in f.results]}


def _case_data(r: CaseResult) -> dict[str, Any]:
    return {
        "name": r.case.name, "scenario": r.case.scenario, "case": r.case.label, "line": r.case.line,
        "status": r.status, "seconds": round(r.run.seconds, 4), "start": r.case.start.isoformat(),
        "until": r.case.until.isoformat(), "events": len(r.run.events), "error": r.run.error,
        "failures": [{"what": f.what, "where": f.where, "message": f.headline, "details": f.lines, **f.data}
                     for f in r.failures],
        "explain": r.explained,
    }


# ------------------------------------------------------------------------------------ JUnit


def to_junit(report: Report) -> str:
    c = report.counts()
    root = ET.Element("testsuites", name="govcore rules test", tests=str(len(report.results())),
                      failures=str(c["failed"]), errors=str(c["error"] + c["invalid_files"]),
                      time=f"{report.seconds:.3f}")
    for f in report.files:
        failed = sum(1 for r in f.results if r.status == "failed")
        errors = sum(1 for r in f.results if r.status == "error") + (1 if f.problems else 0)
        suite = ET.SubElement(root, "testsuite", name=relative(f.path), tests=str(len(f.results) or 1),
                              failures=str(failed), errors=str(errors),
                              time=f"{sum(r.run.seconds for r in f.results):.3f}")
        if f.problems:
            case = ET.SubElement(suite, "testcase", classname=relative(f.path), name=_("(scenario file)"))
            n = len(f.problems)
            message = ngettext("{n} problem in the scenario or rule files",
                               "{n} problems in the scenario or rule files", n).format(n=n)
            err = ET.SubElement(case, "error", message=message, type="invalid")
            err.text = "\n".join(_problem_text(p) for p in f.problems)
        for r in f.results:
            case = ET.SubElement(suite, "testcase", classname=relative(f.path), name=r.case.name,
                                 time=f"{r.run.seconds:.3f}", file=relative(f.path), line=str(r.case.line))
            if r.failures:
                tag = "error" if r.status == "error" else "failure"
                node = ET.SubElement(case, tag, message=r.failures[0].headline, type=r.failures[0].what)
                node.text = "\n".join([*(line for fl in r.failures for line in [*_failure_text(fl, ""), ""]),
                                       *_suggestions(r.failures, "")])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
