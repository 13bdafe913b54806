"""The `govcore` command line.

Every command reports bad input as `file:line:column: message (hint: …)` and exits non-zero;
no command ever shows a Python traceback (set GOVCORE_DEBUG=1 to see one when reporting a bug).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from govcore.commandline.cli import Group, check_environment, language_option
from govcore.errors import GovcoreError, InputError
from govcore.i18n import N_, _, language, ngettext, use_language

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_FAILED = 1


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    click.echo(message, err=True)
    sys.exit(code)


class GovcoreGroup(Group):
    """Turns govcore's errors into messages and exit codes instead of tracebacks, in the reader's
    language."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The whole command, its errors included, in one language scope: `--lang` sets the language
        inside it, and it ends with the command."""
        check_environment()
        with use_language(language()):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except InputError as err:
            n = len(err.problems)
            _fail(err.format() + "\n" + ngettext("{n} problem found.", "{n} problems found.", n).format(n=n))
        except GovcoreError as err:
            _fail(_("error: {message}").format(message=err))
        except KeyboardInterrupt:
            _fail(_("interrupted"), 130)
        except OSError as err:  # the file system said no (a missing output folder, no permission, disk full)
            _fail(_("error: cannot write or read {file}: {reason}").format(file=err.filename or "",
                                                                            reason=err.strerror or err))
        except BrokenPipeError:  # `govcore ... | head`: the reader left; say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as err:
            if os.environ.get("GOVCORE_DEBUG"):
                raise
            _fail(_("internal error: {kind}: {message}\n"
                    "This is a bug in govcore or a plugin; run again with GOVCORE_DEBUG=1 to see where.")
                  .format(kind=type(err).__name__, message=err), 3)


@click.group(cls=GovcoreGroup, context_settings={"help_option_names": ["-h", "--help"]}, help=N_(
    "govcore: governance of a municipality's employment effort as data and rules.\n"
    "\n"
    "A configuration directory (see examples/vejle) holds the organisation, goals, KPIs, the annual\n"
    "wheel (årshjul) and the rule files. Start with:\n"
    "\n"
    "\b\n"
    "  govcore check examples/vejle\n"
    "  govcore wheel examples/vejle --year 2021\n"
    "  govcore simulate examples/vejle --year 2021 --out out/vejle-2021"))
@click.version_option(package_name="govcore", help=N_("Show the version and exit."))
@language_option
def main() -> None:
    pass


def _check_pdf(fmt: str) -> None:
    """Say that PDF cannot be printed here before the run, not after it."""
    if fmt in ("pdf", "all"):
        from govcore.pdf import require_pdf

        require_pdf()


def _config(path: str, year: int | None = None) -> Any:
    from govcore.config import load_config

    return load_config(path, year=year)


@main.command(help=N_(
    "Simulate governance over a span of time and write what happened.\n"
    "\n"
    "Runs one engine on a simulated clock from --from to --to (or the calendar year --year), across\n"
    "as many years as the span holds: observations arrive, the wheel's milestones and follow-ups\n"
    "happen, rules flag deviations, demand corrective actions and escalate, and everything open\n"
    "carries over the new year. Writes OUT/events.jsonl (one event per line), OUT/summary.json and\n"
    "OUT/report.md/.html/.pdf (as --format says) for the whole span, and for a span of several years\n"
    "also OUT/summary-YYYY.json and OUT/report-YYYY.* for each calendar year in it."))
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help=N_("One calendar year to simulate (default: the configuration's year); "
              "shorthand for --from Y-01-01 --to Y-12-31."))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help=N_("First day of the run (YYYY-MM-DD)."))
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]),
              help=N_("Last day of the run (YYYY-MM-DD; default: 31 December of the start year)."))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help=N_("Folder for events.jsonl, summary.json and the reports."))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "both", "all"]), default="both",
              show_default=True, help=N_("Format of the reports: both = md and html, all = md, html and pdf (pdf needs "
              "the pdf extra and Chromium, see the README)."))
@click.option("--db", help=N_("Persist to this database (a SQLite path or a SQLAlchemy URL such as "
              "postgresql+psycopg://user@host/db)."))
@click.option("--resume", is_flag=True, help=N_(
    "With --db: continue an interrupted run from its last committed event."))
@click.option("--quiet", "-q", is_flag=True, help=N_("No progress bar."))
def simulate(config: str, year: int | None, start: dt.datetime | None, until: dt.datetime | None, out: str,
             fmt: str, db: str | None, resume: bool, quiet: bool) -> None:
    from govcore.simulate import simulate as run
    from govcore.simulate import write_outputs

    if year is not None and (start or until):
        raise click.UsageError(_("give either --year or --from/--to, not both"))
    first = start.date() if start else None
    last = until.date() if until else None
    if resume and db is None:
        raise click.UsageError(_("--resume needs --db"))
    _check_pdf(fmt)
    cfg = _config(config, year or (first.year if first else None))
    label = f"{cfg.municipality.name} {first or year or cfg.year}" + (f"–{last}" if last else "")
    with click.progressbar(length=1, label=label, show_pos=True,
                           file=sys.stderr if not quiet else open(os.devnull, "w")) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        if db is not None:
            from govcore.store.run import simulate_persistent

            result = simulate_persistent(cfg, db, year=year, start=first, until=last, resume=resume,
                                         progress=None if quiet else progress,
                                         notify=None if quiet else lambda line: click.echo(line, err=True))
        else:
            result = run(cfg, year=year, start=first, until=last, progress=None if quiet else progress,
                         keep_lines=True)  # events.jsonl is written from the lines the digests made
    files = write_outputs(result, Path(out), report_format=fmt)
    counts = result.summary["counts"]
    years = result.summary.get("years") or [result.year]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    click.echo(_("{municipality} {span}: {events} events ({deviations} deviations, {actions} corrective actions "
                 "demanded, {escalations} escalations)").format(
        municipality=cfg.municipality.name, span=span, events=len(result.events),
        deviations=counts.get("deviation_flagged", 0), actions=counts.get("action_demanded", 0),
        escalations=counts.get("escalated", 0)))
    for quiet_year in result.summary.get("years_without_observations", []):
        click.echo(_("warning: no observation at all arrived in {year}: goals were judged without new figures "
                     "(see years_without_observations in summary.json)").format(year=quiet_year), err=True)
    from govcore.simulate import written_lines

    for line in written_lines(files):
        click.echo(f"  {line}")


@main.command(help=N_(
    "Print the annual wheel (årshjul) of a year: milestones and follow-ups with their dates.\n"
    "\n"
    "CONFIG is a configuration directory or a wheel YAML file. Deadlines on holidays are rolled by\n"
    "the wheel's roll policy; as-of dates (data cut-offs) never move."))
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help=N_("The year to show (default: the configuration's year)."))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics"]), default="text", show_default=True,
              help=N_("text to read, json for programs, ics to import into a calendar program."))
@click.option("--out", type=click.Path(dir_okay=False), help=N_("Write to this file instead of standard output."))
def wheel(config: str, year: int | None, fmt: str, out: str | None) -> None:
    from govcore.wheel import Wheel, render_ics, render_json, render_text

    p = Path(config)
    name = ""
    if p.is_dir():
        cfg = _config(config, year)
        cfg = cfg.for_year(year or cfg.year)
        events = cfg.wheel_events(year)
        cal = cfg.wheel.calendar
        name = cfg.municipality.name
        y = year or cfg.year
    else:
        w = Wheel.load(p)
        y = year or dt.date.today().year
        events = w.events(y)
        cal = w.calendar
    if p.is_dir() and fmt != "json":  # people read role titles; programs get ids (json)
        titles = {r.id: r.title for r in cfg.organisation.roles}
        events = [e.model_copy(update={
            "responsible": titles.get(e.responsible, e.responsible) if e.responsible else None,
            "jointly_with": tuple(titles.get(x, x) for x in e.jointly_with),
            "participants": tuple(titles.get(x, x) for x in e.participants)}) for e in events]
    if fmt == "text":
        text = render_text(events, y, cal)
    elif fmt == "json":
        text = render_json(events)
    else:
        text = render_ics(events, name or p.stem)
    if out:
        Path(out).write_text(text, encoding="utf-8", newline="")
        click.echo(_("wrote {file}").format(file=out))
    else:
        click.echo(text, nl=not text.endswith("\n"))


@main.command(help=N_(
    "Check a whole configuration: organisation, KPIs, goals, wheel, data files and rule files.\n"
    "\n"
    "Reports every problem at once with file:line:column and a hint, and exits non-zero if any."))
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help=N_("The year to check (default: the configuration's year)."))
def check(config: str, year: int | None) -> None:
    from govcore.formatting import date_text

    cfg = _config(config, year)
    cfg = cfg.for_year(year or cfg.year)
    versions = len(cfg.versions)
    counted = ", ".join([
        ngettext("{n} role", "{n} roles", len(cfg.organisation.roles)).format(n=len(cfg.organisation.roles)),
        ngettext("{n} goal", "{n} goals", len(cfg.goals)).format(n=len(cfg.goals)),
        ngettext("{n} KPI", "{n} KPIs", len(cfg.kpis)).format(n=len(cfg.kpis)),
        ngettext("{n} observation", "{n} observations", len(cfg.observations)).format(n=len(cfg.observations)),
        ngettext("{n} rule", "{n} rules", len(cfg.rules.rules)).format(n=len(cfg.rules.rules)),
        ngettext("{n} wheel event", "{n} wheel events", len(cfg.wheel_events())).format(n=len(cfg.wheel_events()))])
    if versions > 1:
        since = date_text(cfg.effective) if cfg.effective else _("the start")
        counted += _("; {n} configuration versions, the one shown in effect from {date}").format(n=versions,
                                                                                                  date=since)
    click.echo(_("{municipality} ({code}) {year}: configuration OK — {counted}").format(
        municipality=cfg.municipality.name, code=cfg.municipality.code, year=cfg.year, counted=counted))
    for failure in cfg.plugins.failures:
        click.echo(_("warning: {message}").format(message=failure), err=True)


@main.group(cls=GovcoreGroup, help=N_(
    "Check and test rule files."))
def rules() -> None:
    pass


@rules.command("check", help=N_(
    "Check rule files (paths or globs) and report every error with file:line:column and a hint.\n"
    "\n"
    "Without --config, names of wheel events, KPIs and roles are not checked (only the format,\n"
    "fields, conditions and actions). Exits 0 when every file is valid, 1 otherwise."))
@click.argument("paths", nargs=-1, required=True)
@click.option("--config", type=click.Path(exists=True),
              help=N_("Also check references (wheel events, KPIs, roles) against this configuration."))
def rules_check(paths: tuple[str, ...], config: str | None) -> None:
    from govcore.rules.loader import check_paths

    vocab = _vocabulary(config)
    ruleset, problems = check_paths(list(paths), vocab)
    if problems:
        for p in problems:
            click.echo(p.format())
        n = len(problems)
        _fail(ngettext("{n} problem found.", "{n} problems found.", n).format(n=n), EXIT_FAILED)
    assert ruleset is not None
    click.echo(_("{files}, {rules}: OK").format(
        files=ngettext("{n} file", "{n} files", len(ruleset.files)).format(n=len(ruleset.files)),
        rules=ngettext("{n} rule", "{n} rules", len(ruleset.rules)).format(n=len(ruleset.rules))))


def _vocabulary(config: str | None) -> Any:
    from govcore.plugins import load_plugins
    from govcore.rules.vocabulary import Vocabulary

    if config:
        from govcore.config import vocabulary

        cfg = _config(config)
        return vocabulary(cfg.plugins, cfg.wheel, cfg.kpis, cfg.organisation, cfg.deliverables, cfg.year)
    plugins = load_plugins()
    return Vocabulary.build([k for _, k in plugins.subject_kinds().values()],
                            [a for _, a in plugins.actions().values()])


@main.command(help=N_(
    "List installed plugins and what each contributes (KPI sources, subject kinds, actions, report\n"
    "sections, rule files, national goal sets). Plugins that failed to load are listed with their error."))
def plugins() -> None:
    from govcore.plugins import load_plugins

    pl = load_plugins()
    described = pl.describe()
    if not described:
        click.echo(_("no plugins installed"))
    for item in described:
        click.echo(f"{item['name']}  ({item['distribution']})")
        for key, label in (("kpi_sources", N_("KPI sources")), ("subject_kinds", N_("subject kinds")),
                           ("actions", N_("actions")), ("report_sections", N_("report sections")),
                           ("rule_files", N_("rule files")),
                           ("national_goal_years", N_("national goals for"))):
            if item.get(key):
                click.echo(f"    {_(label)}: {', '.join(map(str, item[key]))}")
    for failure in pl.failures:
        click.echo(_("FAILED  {message}").format(message=failure))


@main.command(help=N_(
    "Show the goal cascade: national goals (ministermål) → political → administrative → team,\n"
    "with owners and targets, and flag national goals that no local goal answers."))
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help=N_("The year (default: the configuration's year)."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print the cascade as JSON."))
def goals(config: str, year: int | None, as_json: bool) -> None:
    from govcore.cascade import cascade, render_cascade

    cfg = _config(config, year)
    tree = cascade(cfg.for_year(year or cfg.year))
    if as_json:
        click.echo(json.dumps(tree, ensure_ascii=False, indent=2))
    else:
        click.echo(render_cascade(tree))


@main.command(help=N_(
    "Serve the HTTP API (JSON under /api/v1, OpenAPI at /api/v1/openapi.json) over the database's\n"
    "live runs, for every municipality in it: people log in with their accounts, other systems use\n"
    "API keys. See docs/server.md and docs/api.md."))
@click.option("--db", envvar="GOVCORE_DB", default="govcore.db", show_default=True,
              help=N_("The database: a SQLite file or a URL such as postgresql+psycopg://user@host/db (the password "
                   "from PGPASSWORD, not the command line)."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("The address to listen on (keep 127.0.0.1 behind a reverse proxy)."))
@click.option("--port", type=int, default=8000, show_default=True, help=N_("The port to listen on."))
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help=N_("A municipality's configuration folder, used instead of the configuration stored with its run "
                   "(for runs stored before configurations were kept; repeat for several municipalities)."))
def serve(db: str, host: str, port: int, configs: tuple[str, ...]) -> None:
    from govcore.server.run import serve as run_server

    run_server(db, host=host, port=port, folders=configs)


# Command groups that live in their own modules register here (their heavy imports are lazy).
def _register() -> None:
    from govcore.access.cli import COMMANDS as ACCESS
    from govcore.notify.cli import COMMANDS as NOTIFY
    from govcore.ruletest.commands import rules_test
    from govcore.store.cli import COMMANDS

    rules.add_command(rules_test)
    for command in (*COMMANDS, *ACCESS, *NOTIFY):
        main.add_command(command)


_register()


if __name__ == "__main__":  # pragma: no cover
    main()
