"""The `govcore rules test` command (registered in govcore.cli under the `rules` group)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from govcore.commandline.cli import Command
from govcore.i18n import N_, _

EXIT_FAILED = 1
EXIT_INVALID = 2


@click.command("test", cls=Command, help=N_(
    "Test rule files with scenario files (paths, folders or globs) over simulated time.\n"
    "\n"
    "Each scenario gives figures on dates, deliveries and responses, and the events that must follow\n"
    "(a deviation, a demanded corrective action with owner and due date, an escalation, a\n"
    "notification) or must not. The engine runs each scenario on its own clock, a whole year in a\n"
    "fraction of a second. A failure shows the field that differs, why an expected event did not\n"
    "happen, and what happened around that date; events nobody expected fail the scenario unless it\n"
    "says `allow_extra: true`. The coverage section lists rules no scenario made fire.\n"
    "\n"
    "Exits 0 when every scenario passes, 1 when one fails, 2 when a scenario or rule file is invalid.\n"
    "The format is described in docs/rule-testing.md."))
@click.argument("files", nargs=-1, required=True)
@click.option("--junit", "junit", type=click.Path(dir_okay=False),
              help=N_("Also write the results as JUnit XML to this file (for CI)."))
@click.option("--json", "as_json", is_flag=True,
              help=N_("Print the results as JSON instead of text (for CI and other programs)."))
@click.option("--run", "run_filter", metavar="TEXT",
              help=N_("Only run scenarios whose name contains TEXT (or matches it, with * as a wildcard)."))
@click.option("--explain", "explain", multiple=True, metavar="RULE",
              help=N_("For every time RULE was asked, show whether it fired and which conditions failed. "
              "Can be given more than once."))
@click.option("--no-coverage", is_flag=True, help=N_("Leave out the coverage section."))
@click.option("--verbose", "-v", is_flag=True,
              help=N_("Also list what happened (besides figures and meetings) in scenarios that passed."))
def rules_test(files: tuple[str, ...], junit: str | None, as_json: bool, run_filter: str | None,
               explain: tuple[str, ...], no_coverage: bool, verbose: bool) -> None:
    from govcore.ruletest.output import render_text, to_json, to_junit
    from govcore.ruletest.runner import run_files

    report = run_files(list(files), run_filter=run_filter, explain=explain)
    if junit:
        Path(junit).write_text(to_junit(report), encoding="utf-8")
    if as_json:
        click.echo(to_json(report), nl=False)
    else:
        click.echo(render_text(report, coverage=not no_coverage, verbose=verbose), nl=False)
        if junit:
            click.echo(_("wrote {file}").format(file=junit))
    counts = report.counts()
    if counts["invalid_files"]:
        sys.exit(EXIT_INVALID)
    if counts["failed"] or counts["error"]:
        sys.exit(EXIT_FAILED)
