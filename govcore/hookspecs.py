# mypy: disable-error-code="empty-body"
"""Every plugin hook govcore calls, in one place.

Plugins are found through the entry-point group ``govcore`` (or registered in code with
``govcore.plugin_manager().register(obj)``) and implement any of these hooks with
``@govcore.hookimpl``. A hook that raises is reported with the plugin's name and the error; the
other plugins' answers are still used. Hooks are called when a configuration is loaded, never
while the clock runs, so a plugin cannot make a simulation non-deterministic.
"""

from __future__ import annotations

from pathlib import Path

import pluggy

from govcore.extension import ActionSpec, KpiSource, ReportSectionSpec, SubjectKind
from govcore.model import NationalGoal, WheelEvent

hookspec = pluggy.HookspecMarker("govcore")
hookimpl = pluggy.HookimplMarker("govcore")


@hookspec
def govcore_national_goals(year: int) -> list[NationalGoal] | None:
    """The national goal set (ministermål) for `year`.

    Called when a configuration for that year is loaded and by ``govcore goals``. Return the
    year's goals, or None when the plugin has no set for that year. Two plugins answering for the
    same year is an error the user sees.
    """


@hookspec
def govcore_kpi_sources() -> list[KpiSource]:
    """KPI sources this plugin provides (e.g. ``budget``, ``surveys``).

    Called once when the plugin manager starts. Return a list of ``KpiSource``. A municipality
    configuration names a source under ``sources:`` with its settings; govcore then calls the
    source's ``kpis`` and ``load`` for each dated version of the configuration. A source whose
    observations do not depend on the version's year or ministermål declares it
    (``depends_on=frozenset()``, or the one it does depend on) and is called once per load for
    every version that agrees on that; its context then hides the rest (docs/plugins.md, "A
    source read once per load").
    """


@hookspec
def govcore_subject_kinds() -> list[SubjectKind]:
    """Subject kinds rule files may iterate over with ``for_each`` (e.g. ``budget_area``).

    Called once when the plugin manager starts. Return a list of ``SubjectKind``; the kinds'
    fields become part of the rule-file vocabulary, so ``govcore rules check`` knows them.
    A kind with settings should give ``check``: it is the validation hook, called with the
    configuration's organisation and KPIs when the configuration is loaded (``govcore check``),
    so that a configuration that passes the check cannot fail on these settings during a run.
    A kind whose subjects are costly gives ``unchanged_key``: while it returns an equal key, the
    engine reuses the subjects it got last time (docs/plugins.md, "Subjects asked for only when
    they change").
    """


@hookspec
def govcore_actions() -> list[ActionSpec]:
    """Extra actions for the ``then:`` part of rules.

    Called once when the plugin manager starts. Return a list of ``ActionSpec`` (name, a pydantic
    model for the action's settings, and ``run(ctx, params)``, which may only record events through
    the ``ActionContext``). An action's name must not clash with a built-in action or another
    plugin's action.
    """


@hookspec
def govcore_rule_files() -> list[Path]:
    """Rule files this plugin ships (YAML), e.g. the budget controls of the annual wheel.

    Called when a configuration includes ``plugin:<name>`` in its ``rules:`` list. Return absolute
    paths; they are checked exactly like an administrator's own files.
    """


@hookspec
def govcore_wheel_events(year: int) -> list[WheelEvent] | None:
    """Extra dated events for the annual wheel of `year` (e.g. the date the minister announces
    next year's goals). Called when the wheel of a configuration is built for that year. Return a
    list of ``WheelEvent`` dated inside `year`, or None.
    """


@hookspec
def govcore_report_sections() -> list[ReportSectionSpec]:
    """Sections this plugin adds to the year report (e.g. a ranking of offers with a chart).

    Called once when the plugin manager starts. Return a list of ``ReportSectionSpec``; when a
    report is rendered, each spec whose ``settings_key`` names a configured source is asked for its
    sections with the figures known at the end of the year. A section that fails is shown as a
    note in the report, never as a traceback.
    """
