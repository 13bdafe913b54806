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

from govcore.errors import GovcoreError, InputError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_FAILED = 1


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    click.echo(message, err=True)
    sys.exit(code)


class GovcoreGroup(click.Group):
    """Turns govcore's errors into messages and exit codes instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except InputError as err:
            n = len(err.problems)
            _fail(err.format() + f"\n{n} problem{'s' if n != 1 else ''} found.")
        except GovcoreError as err:
            _fail(f"error: {err}")
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as err:  # the file system said no (a missing output folder, no permission, disk full)
            where = f" {err.filename}" if err.filename else ""
            _fail(f"error: cannot write or read{where}: {err.strerror or err}")
        except BrokenPipeError:  # `govcore ... | head`: the reader left; say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as err:
            if os.environ.get("GOVCORE_DEBUG"):
                raise
            _fail(f"internal error: {type(err).__name__}: {err}\n"
                  "This is a bug in govcore or a plugin; run again with GOVCORE_DEBUG=1 to see where.", 3)


@click.group(cls=GovcoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govcore")
def main() -> None:
    """govcore: governance of a municipality's employment effort as data and rules.

    A configuration directory (see examples/vejle) holds the organisation, goals, KPIs, the annual
    wheel (årshjul) and the rule files. Start with:

    \b
      govcore check examples/vejle
      govcore wheel examples/vejle --year 2021
      govcore simulate examples/vejle --year 2021 --out out/vejle-2021
    """


def _check_pdf(fmt: str) -> None:
    """Say that PDF cannot be printed here before the run, not after it."""
    if fmt in ("pdf", "all"):
        from govcore.pdf import require_pdf

        require_pdf()


def _config(path: str, year: int | None = None) -> Any:
    from govcore.config import load_config

    return load_config(path, year=year)


@main.command()
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help="One calendar year to simulate (default: the configuration's year); "
              "shorthand for --from Y-01-01 --to Y-12-31.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day of the run (YYYY-MM-DD).")
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the run (YYYY-MM-DD; default: 31 December of the start year).")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for events.jsonl, summary.json and the reports.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "both", "all"]), default="both",
              show_default=True, help="Format of the reports: both = md and html, all = md, html and pdf (pdf needs "
              "the pdf extra and Chromium, see the README).")
@click.option("--db", help="Persist to this database (a SQLite path or a SQLAlchemy URL such as "
              "postgresql+psycopg://user@host/db).")
@click.option("--resume", is_flag=True, help="With --db: continue an interrupted run from its last committed event.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def simulate(config: str, year: int | None, start: dt.datetime | None, until: dt.datetime | None, out: str,
             fmt: str, db: str | None, resume: bool, quiet: bool) -> None:
    """Simulate governance over a span of time and write what happened.

    Runs one engine on a simulated clock from --from to --to (or the calendar year --year), across
    as many years as the span holds: observations arrive, the wheel's milestones and follow-ups
    happen, rules flag deviations, demand corrective actions and escalate, and everything open
    carries over the new year. Writes OUT/events.jsonl (one event per line), OUT/summary.json and
    OUT/report.md/.html/.pdf (as --format says) for the whole span, and for a span of several years
    also OUT/summary-YYYY.json and OUT/report-YYYY.* for each calendar year in it.
    """
    from govcore.simulate import simulate as run
    from govcore.simulate import write_outputs

    if year is not None and (start or until):
        raise click.UsageError("give either --year or --from/--to, not both")
    first = start.date() if start else None
    last = until.date() if until else None
    if resume and db is None:
        raise click.UsageError("--resume needs --db")
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
            result = run(cfg, year=year, start=first, until=last, progress=None if quiet else progress)
    files = write_outputs(result, Path(out), report_format=fmt)
    counts = result.summary["counts"]
    years = result.summary.get("years") or [result.year]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    click.echo(f"{cfg.municipality.name} {span}: {len(result.events)} events "
               f"({counts.get('deviation_flagged', 0)} deviations, {counts.get('action_demanded', 0)} corrective "
               f"actions demanded, {counts.get('escalated', 0)} escalations)")
    for quiet_year in result.summary.get("years_without_observations", []):
        click.echo(f"warning: no observation at all arrived in {quiet_year}: goals were judged without new "
                   "figures (see years_without_observations in summary.json)", err=True)
    from govcore.simulate import written_lines

    for line in written_lines(files):
        click.echo(f"  {line}")


@main.command()
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help="The year to show (default: the configuration's year).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics"]), default="text", show_default=True,
              help="text to read, json for programs, ics to import into a calendar program.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
def wheel(config: str, year: int | None, fmt: str, out: str | None) -> None:
    """Print the annual wheel (årshjul) of a year: milestones and follow-ups with their dates.

    CONFIG is a configuration directory or a wheel YAML file. Deadlines on holidays are rolled by
    the wheel's roll policy; as-of dates (data cut-offs) never move.
    """
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
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help="The year to check (default: the configuration's year).")
def check(config: str, year: int | None) -> None:
    """Check a whole configuration: organisation, KPIs, goals, wheel, data files and rule files.

    Reports every problem at once with file:line:column and a hint, and exits non-zero if any.
    """
    cfg = _config(config, year)
    cfg = cfg.for_year(year or cfg.year)
    versions = len(cfg.versions)
    click.echo(f"{cfg.municipality.name} ({cfg.municipality.code}) {cfg.year}: configuration OK — "
               f"{len(cfg.organisation.roles)} roles, {len(cfg.goals)} goals, {len(cfg.kpis)} KPIs, "
               f"{len(cfg.observations)} observations, {len(cfg.rules.rules)} rules, "
               f"{len(cfg.wheel_events())} wheel events"
               + (f"; {versions} configuration versions, the one shown in effect from "
                  f"{cfg.effective.isoformat() if cfg.effective else 'the start'}" if versions > 1 else ""))
    for failure in cfg.plugins.failures:
        click.echo(f"warning: {failure}", err=True)


@main.group(cls=GovcoreGroup)
def rules() -> None:
    """Check and test rule files."""


@rules.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--config", type=click.Path(exists=True),
              help="Also check references (wheel events, KPIs, roles) against this configuration.")
def rules_check(paths: tuple[str, ...], config: str | None) -> None:
    """Check rule files (paths or globs) and report every error with file:line:column and a hint.

    Without --config, names of wheel events, KPIs and roles are not checked (only the format,
    fields, conditions and actions). Exits 0 when every file is valid, 1 otherwise.
    """
    from govcore.rules.loader import check_paths

    vocab = _vocabulary(config)
    ruleset, problems = check_paths(list(paths), vocab)
    if problems:
        for p in problems:
            click.echo(p.format())
        n = len(problems)
        _fail(f"{n} problem{'s' if n != 1 else ''} found.", EXIT_FAILED)
    assert ruleset is not None
    click.echo(f"{len(ruleset.files)} file{'s' if len(ruleset.files) != 1 else ''}, "
               f"{len(ruleset.rules)} rules: OK")


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


@main.command()
def plugins() -> None:
    """List installed plugins and what each contributes (KPI sources, subject kinds, actions, report
    sections, rule files, national goal sets). Plugins that failed to load are listed with their error."""
    from govcore.plugins import load_plugins

    pl = load_plugins()
    described = pl.describe()
    if not described:
        click.echo("no plugins installed")
    for item in described:
        click.echo(f"{item['name']}  ({item['distribution']})")
        for key, label in (("kpi_sources", "KPI sources"), ("subject_kinds", "subject kinds"),
                           ("actions", "actions"), ("report_sections", "report sections"),
                           ("rule_files", "rule files"),
                           ("national_goal_years", "national goals for")):
            if item.get(key):
                click.echo(f"    {label}: {', '.join(map(str, item[key]))}")
    for failure in pl.failures:
        click.echo(f"FAILED  {failure}")


@main.command()
@click.argument("config", type=click.Path(exists=True))
@click.option("--year", type=int, help="The year (default: the configuration's year).")
@click.option("--json", "as_json", is_flag=True, help="Print the cascade as JSON.")
def goals(config: str, year: int | None, as_json: bool) -> None:
    """Show the goal cascade: national goals (ministermål) → political → administrative → team,
    with owners and targets, and flag national goals that no local goal answers."""
    from govcore.cascade import cascade, render_cascade

    cfg = _config(config, year)
    tree = cascade(cfg.for_year(year or cfg.year))
    if as_json:
        click.echo(json.dumps(tree, ensure_ascii=False, indent=2))
    else:
        click.echo(render_cascade(tree))


@main.command()
@click.option("--db", envvar="GOVCORE_DB", default="govcore.db", show_default=True,
              help="The database: a SQLite file or a URL such as postgresql+psycopg://user@host/db (the password "
                   "from PGPASSWORD, not the command line).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", type=int, default=8000, show_default=True, help="The port to listen on.")
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A municipality's configuration folder, used instead of the configuration stored with its run "
                   "(for runs stored before configurations were kept; repeat for several municipalities).")
def serve(db: str, host: str, port: int, configs: tuple[str, ...]) -> None:
    """Serve the HTTP API (JSON under /api/v1, OpenAPI at /api/v1/openapi.json) over the database's
    live runs, for every municipality in it: people log in with their accounts, other systems use
    API keys. See docs/server.md and docs/api.md."""
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
