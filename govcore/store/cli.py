"""Command-line commands for stored runs: db, audit, explain, tick, observe, fetch, observations.

Registered on `govcore.cli.main`. Database libraries are imported inside the commands, so that
`govcore --help` and the commands without a database stay quick to start.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from govcore.commandline.cli import Command, Group
from govcore.i18n import N_, _, ngettext

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = N_("The database: a SQLite file (default govcore.db in the working directory, or $GOVCORE_DB) "
           "or a URL such as postgresql+psycopg://user:password@host/db.")


def db_option(f: F) -> F:
    return click.option("--db", envvar="GOVCORE_DB", default="govcore.db", show_default=True, help=DB_HELP)(f)


def run_options(f: F) -> F:
    f = click.option("--start", "start", help=N_("The run's start date, e.g. 2021-01-01 (when one municipality has "
                     "several runs)."))(f)
    f = click.option("--year", type=int, help=N_("The year the run started in (needed when the database holds "
                     "several)."))(f)
    return click.option("--municipality", "-m",
                        help=N_("The run's municipality: code or name (needed when the database holds several)."))(f)


def _open(db: str, *, create: bool = True) -> Any:
    from govcore.store.db import open_database

    return open_database(db, create=create)


def _config(path: str, year: int | None) -> Any:
    from govcore.config import load_config

    return load_config(path, year=year)


def stored_run_options(f: F) -> F:
    """A run named without its configuration folder: the configuration is rebuilt from the database."""
    f = start_options(f)
    return click.option("--municipality", "-m", help=N_("The run's municipality (code or name) when CONFIG is not "
                        "given and the database holds several runs."))(f)


def _run_config(db: str, config: str | None, municipality: str | None, year: int | None,
                start: str | None) -> tuple[Any, dt.date | None]:
    """The configuration a stored-run command works with, and the run's start (None: the default).

    With CONFIG: loaded from that folder (it must be the one the run was stored with). Without:
    the run is found in the database (the only one, or the one --municipality/--year/--start name)
    and its configuration is rebuilt from the files stored with it.
    """
    first = _parse_start(start)
    if config is not None:
        cfg = _config(config, year or (first.year if first else None))
        if municipality is not None:
            from govcore.model import municipality as lookup

            try:
                code = lookup(municipality).code
            except ValueError as err:
                raise click.BadParameter(str(err), param_hint="--municipality") from None
            if code != cfg.municipality.code:
                raise click.BadParameter(_("{config} is the configuration of {name} ({code}), not of {other}").format(
                    config=config, name=cfg.municipality.name, code=cfg.municipality.code, other=code),
                    param_hint="--municipality")
        return cfg, first
    from govcore.store.audit import one_run
    from govcore.store.configs import stored_configuration

    database = _open(db)
    try:
        run = one_run(database, municipality, year, start)
        return stored_configuration(database, run.municipality, run.start), dt.date.fromisoformat(run.start)
    finally:
        database.close()


def _is_config(path: str) -> bool:
    """Whether a command-line argument names a configuration (a folder, or its .yaml file)."""
    p = Path(path)
    return p.is_dir() or p.suffix.lower() in (".yaml", ".yml")


def start_options(f: F) -> F:
    f = click.option("--start", "start", help=N_("The run's start date (default: 1 January of --year)."))(f)
    return click.option("--year", type=int, help=N_("The run starts on 1 January of this year (default: the "
                        "configuration's year)."))(f)


def _parse_start(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(_("'{text}' is not an ISO date (e.g. 2021-01-01)").format(text=text),
                                 param_hint="--start") from None


def _parse_now(text: str | None) -> dt.datetime | dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text) if len(text.strip()) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(_("'{text}' is not an ISO date or time (e.g. 2021-03-15 or 2021-03-15T09:00)")
                                 .format(text=text), param_hint="--now") from None


def _event_line(ev: Any) -> str:
    from govcore.store.audit import describe

    return f"  {ev.id}  {ev.at.strftime('%Y-%m-%d %H:%M')}  {ev.type}: {describe(ev.to_dict())}"


# ------------------------------------------------------------------------------------- db


@click.group("db", cls=Group, help=N_(
    "Create, upgrade and inspect the database of stored runs."))
def db() -> None:
    pass


@db.command("init", help=N_(
    "Create the govcore tables in an empty database (a SQLite file is created if missing)."))
@db_option
def db_init(db: str) -> None:
    from govcore.store.schema import init

    database = _open(db)
    try:
        click.echo(init(database))
    finally:
        database.close()


@db.command("upgrade", help=N_(
    "Bring the database's schema to this govcore's version (creates it in an empty database)."))
@db_option
def db_upgrade(db: str) -> None:
    from govcore.store.schema import upgrade

    database = _open(db)
    try:
        for line in upgrade(database):
            click.echo(line)
    finally:
        database.close()


@db.command("status", help=N_(
    "Show the schema version and every stored run (municipality, year, progress)."))
@db_option
def db_status(db: str) -> None:
    from govcore.store.audit import list_runs
    from govcore.store.schema import SCHEMA_VERSION, current_version

    database = _open(db, create=False)
    try:
        version = database.read(current_version)
        if version is None:
            click.echo(_("{database}: no govcore tables (run `govcore db init`)").format(database=database.display))
            return
        click.echo(_("{database}: schema version {version} (this govcore: {expected})").format(
            database=database.display, version=version, expected=SCHEMA_VERSION))
        if version != SCHEMA_VERSION:
            return
        runs = list_runs(database)
        for r in runs:
            state = _("complete") if r.complete else _("at {clock}").format(clock=r.clock)
            items = _("{n} items").format(n=f"{r.items:>5}")
            events = _("{n} events").format(n=f"{r.events:>6}")
            click.echo(f"  {r.municipality} {r.name:<16} {r.short:<10}  {items}  {events}  {state}")
        if not runs:
            click.echo("  " + _("no runs stored"))
    finally:
        database.close()


@db.command("delete-run", help=N_(
    "Delete one stored run (its event log, observations, records), e.g. to start it again on a\n"
    "changed configuration. Other municipalities' and years' runs are not touched."))
@db_option
@click.option("--municipality", "-m", required=True, help=N_("The run's municipality (code or name)."))
@click.option("--year", type=int, help=N_("The year the run started in."))
@click.option("--start", "start", help=N_("The run's start date (e.g. 2021-01-01)."))
@click.option("--yes", is_flag=True, help=N_("Do not ask for confirmation."))
def db_delete_run(db: str, municipality: str, year: int | None, start: str | None, yes: bool) -> None:
    from govcore.store.admin import delete_run
    from govcore.store.audit import one_run

    database = _open(db, create=False)
    try:
        if year is None and start is None:
            raise click.UsageError(_("give the run's --year or --start"))
        run = one_run(database, municipality, year, start)
        if not yes:
            click.confirm(_("Delete the run of {run} ({n} events) from {database}?").format(
                run=run.label, n=run.events, database=database.display), abort=True)
        n = delete_run(database, run.municipality, run.start)
        click.echo(_("deleted the run of {run} ({n} rows)").format(run=run.label, n=n))
    finally:
        database.close()


# ---------------------------------------------------------------------------------- audit


@click.group("audit", cls=Group, help=N_(
    "Check the tamper-evident decision log."))
def audit() -> None:
    pass


@audit.command("verify", help=N_(
    "Check the hash chain of every stored run (or one) and the record of its stored facts, and\n"
    "report the first entry that was changed or removed, or the table edited. With --checkpoint,\n"
    "also report runs deleted, logs cut short and logs rewritten since the checkpoint was taken;\n"
    "with --replay, re-derive that run from its inputs (and its configuration as stored, or as in\n"
    "the folder CONFIG) and report every difference. Exits 1 if anything is not intact."))
@db_option
@run_options
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help=N_("Also check against this checkpoint (lines printed earlier by `govcore audit checkpoint`)."))
@click.option("--replay", "replay_config", is_flag=False, flag_value="", default=None, metavar="[CONFIG]",
              help=N_("Also re-derive the run from its stored inputs and compare every event and record; with the "
                   "configuration stored in the database, or the folder CONFIG."))
def audit_verify(db: str, municipality: str | None, year: int | None, start: str | None,
                 checkpoint_file: str | None, replay_config: str | None) -> None:
    from govcore.store.audit import start_text, verify, verify_checkpoint

    text = Path(checkpoint_file).read_text(encoding="utf-8", errors="replace") if checkpoint_file else None
    database = _open(db, create=False)
    try:
        reports = verify(database, municipality, year, start)
        checked = verify_checkpoint(database, text) if text is not None else []
    finally:
        database.close()
    if not reports:
        click.echo(_("no runs stored"))
    ok, tampered, replayed = _("OK"), _("TAMPERED"), _("REPLAYED")
    width = max(len(ok), len(tampered), len(replayed))
    bad = 0
    for r in reports:
        if r.problem is None:
            click.echo(f"{ok:<{width}}  {r.municipality} {start_text(r.start)}: " + _(
                "{n} events, chain intact, head {hash}").format(n=r.events, hash=r.head_hash[:16]))
        else:
            bad += 1
            click.echo(f"{tampered:<{width}}  {r.municipality} {start_text(r.start)}: {r.problem}")
    for c in checked:
        if c.problem is None:
            click.echo(f"{ok:<{width}}  {c.municipality} {start_text(c.start)}: " + _(
                "holds the checkpoint's entry {entry} unchanged").format(entry=f"e{c.events:06d}"))
        else:
            bad += 1
            click.echo(f"{tampered:<{width}}  {c.municipality} {start_text(c.start)}: {c.problem}")
    if replay_config is not None:
        from govcore.store.run import replay_check

        if replay_config and not Path(replay_config).exists():
            raise click.BadParameter(_("'{path}' does not exist").format(path=replay_config), param_hint="--replay")
        cfg, first = _run_config(db, replay_config or None, municipality, year, start)
        n, problems = replay_check(cfg, db, year=year, start=first)
        who = f"{cfg.municipality.code} {start_text((first or dt.date(year or cfg.year, 1, 1)).isoformat())}"
        if problems:
            bad += 1
            for p in problems:
                click.echo(f"{tampered:<{width}}  {who}: {p}")
        else:
            click.echo(f"{replayed:<{width}}  {who}: " + _(
                "{n} events and every record re-derived from the stored inputs, identical").format(n=n))
    if bad:
        sys.exit(1)


@audit.command("checkpoint", help=N_(
    "Print the head of every stored run's log (or one run's): municipality, year, number of\n"
    "events and the hash of the last one. Keep the lines outside the database (the committee's\n"
    "minutes, a signed report); `govcore audit verify --checkpoint FILE` checks against them."))
@db_option
@run_options
def audit_checkpoint(db: str, municipality: str | None, year: int | None, start: str | None) -> None:
    from govcore.store.audit import checkpoint

    database = _open(db, create=False)
    try:
        lines = checkpoint(database, municipality, year, start)
    finally:
        database.close()
    if not lines:
        click.echo(_("no runs stored"), err=True)
    for line in lines:
        click.echo(line)


# -------------------------------------------------------------------------------- explain


@click.command("explain", cls=Command, help=N_(
    "Explain why a stored event happened: the rule (title, file, version), its conditions with\n"
    "the actual values, what was done and what it led to later.\n"
    "\n"
    "EVENT_ID is an id from events.jsonl (e000042); with several runs in the database give\n"
    "--municipality and --year, or write 630/2021/e000042."))
@click.argument("event_id")
@db_option
@run_options
def explain(event_id: str, db: str, municipality: str | None, year: int | None, start: str | None) -> None:
    from govcore.store.audit import explain as run_explain

    database = _open(db, create=False)
    try:
        click.echo(_explanation_text(run_explain(database, event_id, municipality=municipality, year=year,
                                                 start=start)))
    finally:
        database.close()


def _explanation_text(found: Any) -> str:
    """`govcore explain`'s words for an audit.Explanation, in the reader's language (the rule's own
    title, description and condition texts are the municipality's, shown as recorded)."""
    import json

    from govcore.store.audit import _cond, _led_to, _when, describe

    run, ev, rule, rows = found.run, found.event, found.rule, found.rows
    d = json.loads(ev["details"])
    out = [f"e{ev['seq']:06d}  {_when(ev['at'])}  {run.label}  {ev['type']}"]
    who = [f"{ev['subject_kind']} {ev['subject']}" if ev["subject"] else "",
           _("goal {goal}").format(goal=ev["goal"]) if ev["goal"] and ev["goal"] != ev["subject"] else "",
           _("owner {owner}").format(owner=ev["owner"]) if ev["owner"] else ""]
    if any(who):
        out.append("  " + " · ".join(w for w in who if w))
    out.append("")
    occasion = [r for r in rows if r["item"] == ev["item"] and r["seq"] < ev["seq"] and not r["rule"]]
    if ev["rule"]:
        out.append(_("Why: rule '{rule}' — {title}").format(rule=ev["rule"], title=d.get("rule_title", "")))
        where = _("file {file}").format(file=d.get("rule_file", "?"))
        if rule is not None:
            where += _(", line {line}").format(line=rule["line"])
        out.append("  " + _("{where}, file version {version}").format(where=where, version=d.get("rule_hash", "?")))
        if occasion:
            o = occasion[0]
            tested = f"e{o['seq']:06d} {o['type']} — {describe(o)}"
            out.append("  " + _("It was tested at: {event}").format(event=tested))
        inputs: dict[str, Any] = d.get("inputs", {}) or {}
        if rule is None:
            out.append("  " + _("(this version of the rule is not stored; the inputs it matched were:)"))
            out.extend(f"    {k} = {_value(v)}" for k, v in inputs.items() if k != "explanation")
        else:
            if rule["description"]:
                out.append(f"  {rule['description'].strip()}")
            conds = [_cond(c) for c in json.loads(rule["conditions"])]
            groups = [[_cond(c) for c in g] for g in json.loads(rule["any_of"])]
            if conds or groups:
                out.append("  " + _("Conditions, with the values they were tested on:"))
            used = set()
            for c in conds:
                out.append("    " + _condition_line(c, inputs))
                used.add(c.field)
            for g in groups:
                out.append("    " + _("at least one of:"))
                for c in g:
                    out.append("      " + _condition_line(c, inputs))
                    used.add(c.field)
            if not conds and not groups:
                out.append("  " + _("The rule has no conditions: it fires whenever its trigger happens."))
            other = {k: v for k, v in inputs.items() if k not in used and k != "explanation"}
            if other:
                out.append("  " + _("Other values at the time: {values}").format(
                    values=", ".join(f"{k} {_value(v)}" for k, v in other.items())))
        if inputs.get("explanation"):
            out.append("  " + _("Status explained: {text}").format(text=inputs["explanation"]))
    else:
        out.append(_("Why: no rule — {reason}").format(reason=_(_NO_RULE.get(ev["type"], _NO_RULE[""]))))
        if occasion:
            o = occasion[0]
            happened = f"e{o['seq']:06d} {o['type']} — {describe(o)}"
            out.append("  " + _("It happened at: {event}").format(event=happened))
    out.append("")
    out.append(_("What happened: {event}").format(event=describe(ev)))
    out.append("")
    led = _led_to(ev, d, rows)
    if led:
        out.append(_("What it led to:"))
        out.extend(f"  e{r['seq']:06d}  {_when(r['at'])}  {r['type']}: {describe(r)}" for r in led)
    else:
        out.append(_("What it led to: nothing further in the log (so far)."))
    return "\n".join(out)


_NO_RULE = {
    "observation": N_("a KPI value arrived from its source (an input)."),
    "followup": N_("a follow-up meeting of the annual wheel (årshjul) took place (the calendar)."),
    "milestone": N_("a milestone of the annual wheel (årshjul) was reached (the calendar)."),
    "action_overdue": N_("the due date of a corrective action passed without a submitted action."),
    "deliverable_missed": N_("the due date of a deliverable passed without a delivery."),
    "deliverable_delivered": N_("a deliverable was delivered (a human response)."),
    "action_submitted": N_("the owner submitted a corrective action (a human response)."),
    "action_accepted": N_("a submitted corrective action was accepted (a human response)."),
    "action_rejected": N_("a submitted corrective action was rejected (a human response)."),
    "response_ignored": N_("a human response did not fit the state of its corrective action."),
    "deviation_closed": N_("the deviation was closed because its subject was dealt with."),
    "": N_("recorded by the engine."),
}


def _value(value: Any) -> str:
    from govcore.describe import show

    if isinstance(value, bool):  # as the rule's condition writes it
        return "true" if value else "false"
    return _("(none)") if value is None or value == "" else show(value)


def _condition_line(c: Any, inputs: Mapping[str, Any]) -> str:
    if c.field not in inputs:
        return f"? {c.text}   (" + _("{field} was not recorded").format(field=c.field) + ")"
    actual = inputs[c.field]
    return f"{'✓' if c.holds(actual) else '✗'} {c.text}   (" + _("{field} was {value}").format(
        field=c.field, value=_value(actual)) + ")"


# ----------------------------------------------------------------------------------- tick


@click.command("tick", cls=Command, help=N_(
    "Live mode (a daily cron job): load the stored run (of CONFIG's municipality, or the one\n"
    "--municipality names, with the configuration stored with it), advance it to today (or --now)\n"
    "and store what happened — across new years too. Running it again the same day adds nothing.\n"
    "CONFIG is needed to start a run, and for runs stored before configurations were kept.\n"
    "--all advances every live run of the database in turn."))
@click.argument("config", type=click.Path(exists=True), required=False)
@db_option
@click.option("--now", "now_text", help=N_("Advance to this date (its end, 23:59) or time instead of today."))
@click.option("--all", "all_runs", is_flag=True,
              help=N_("Advance every live run in the database that is not complete, each with its stored "
                   "configuration; a run that fails is reported and the others go on (exit 1 at the end)."))
@stored_run_options
def tick(config: str | None, db: str, now_text: str | None, all_runs: bool, municipality: str | None,
         year: int | None, start: str | None) -> None:
    from govcore.store.run import tick as run_tick

    now = _parse_now(now_text)
    if all_runs:
        if config is not None or municipality is not None or year is not None or start is not None:
            raise click.UsageError(_("--all advances every live run with its stored configuration: give no CONFIG, "
                                     "--municipality, --year or --start with it"))
        _tick_all(db, now)
        return
    cfg, first = _run_config(db, config, municipality, year, start)
    _tick_lines(run_tick(cfg, db, now=now, year=year, start=first))


def _tick_lines(result: Any) -> None:
    from govcore.store.audit import start_text

    state = _("complete") if result.complete else _("clock {clock}").format(clock=result.clock)
    click.echo(f"{result.name} {start_text(result.start)}: " + ngettext(
        "{n} new event ({state}, {items} items processed)", "{n} new events ({state}, {items} items processed)",
        len(result.events)).format(n=len(result.events), state=state, items=result.items))
    for ev in result.events:
        click.echo(_event_line(ev))


def _tick_all(db: str, now: dt.datetime | dt.date | None) -> None:
    """`tick --all`: each live run in turn, through the same library functions as a single tick
    (`live_runs`, `stored_configuration`, `tick`). Each run's tick is its own transaction, so a run
    that fails (its configuration does not rebuild, a plugin fails…) changes nothing of its own and
    nothing of the others; it is reported, the rest go on, and the command exits 1 at the end."""
    from govcore.errors import GovcoreError, InputError
    from govcore.longrunning import settle_after_startup
    from govcore.model import municipality as lookup
    from govcore.store.audit import run_label
    from govcore.store.configs import live_runs, stored_configuration
    from govcore.store.run import tick as run_tick

    database = _open(db, create=False)
    try:
        runs = live_runs(database)
        settle_after_startup()  # a long batch of runs: what is loaded now lives to the end
        failed: list[str] = []
        for code, start in runs:
            label = run_label(lookup(code).name, code, start)
            try:
                cfg = stored_configuration(database, code, start)
                _tick_lines(run_tick(cfg, database, now=now, start=dt.date.fromisoformat(start)))
            except InputError as err:
                failed.append(label)
                click.echo(_("{run}: FAILED: {message}").format(run=label, message=err.format()), err=True)
            except GovcoreError as err:
                failed.append(label)
                click.echo(_("{run}: FAILED: {message}").format(run=label, message=err), err=True)
            except Exception as err:  # a plugin's bug in one municipality must not stop the others
                failed.append(label)
                click.echo(_("{run}: FAILED: internal error: {kind}: {message}").format(
                    run=label, kind=type(err).__name__, message=err), err=True)
    finally:
        database.close()
    click.echo(ngettext("{n} of {total} live run advanced", "{n} of {total} live runs advanced", len(runs))
               .format(n=len(runs) - len(failed), total=len(runs)))
    if failed:
        click.echo(_("{n} failed: {runs}").format(n=len(failed), runs=", ".join(failed)), err=True)
        sys.exit(1)


# -------------------------------------------------------------------------------- observe


@click.command("observe", cls=Command, help=N_(
    "Add observations (CSV: kpi, period, value[, series, municipality, source, known_at]) to the\n"
    "stored run of CONFIG's municipality (or the one --municipality names, with its stored\n"
    "configuration) — new figures or corrections of earlier ones. CONFIG is a folder or a .yaml\n"
    "file; every other argument is a CSV file.\n"
    "\n"
    "A correction is a new row: the old value stays in the history (`govcore observations`), the\n"
    "new one counts from now on, and goals are evaluated again on it."))
@click.argument("args", nargs=-1, required=True, metavar="[CONFIG] FILE...")
@db_option
@stored_run_options
def observe(args: tuple[str, ...], db: str, municipality: str | None, year: int | None, start: str | None) -> None:
    from govcore.config import load_observations_csv
    from govcore.store.run import observe as run_observe

    config, files = (args[0], args[1:]) if _is_config(args[0]) else (None, args)
    if not files:
        raise click.UsageError(_("give one or more observation files (CSV)"))
    for f in files:
        if not Path(f).is_file():
            raise click.BadParameter(_("'{path}' is not a file").format(path=f), param_hint="FILE")
    cfg, first = _run_config(db, config, municipality, year, start)
    observations = [o for f in files for o in load_observations_csv(Path(f))]
    result = run_observe(cfg, db, observations, year=year, start=first)
    click.echo(f"{cfg.municipality.name}: " + ngettext(
        "{n} observation added, {events} new events", "{n} observations added, {events} new events",
        len(result.added)).format(n=len(result.added), events=len(result.events)))
    for r in result.added:
        note = "  " + _("(corrects #{n})").format(n=r["supersedes"]) if r["supersedes"] else ""
        click.echo(f"  #{r['n']} {r['kpi']} {r['period']} = {r['value']:g} ({r['series']}), "
                   + _("known {date}").format(date=r["known_at"]) + note)
    for ev in result.events:
        click.echo(_event_line(ev))


# ---------------------------------------------------------------------------------- fetch


@click.command("fetch", cls=Command, help=N_(
    "Fetch new figures from the remote KPI sources (Jobindsats, Danmarks Statistik) of CONFIG — or,\n"
    "without it, of the configuration stored with the run --municipality names — and store them in\n"
    "the run, known from the fetch date.\n"
    "\n"
    "Only what is new is stored: a new period, or a changed value — a correction, as with `govcore\n"
    "observe` (the old value stays in the history). Each table is stored whole or not at all; a\n"
    "table that fails is reported and the command exits 1. Every raw response is kept on disk\n"
    "(in --keep; without CONFIG there is no configuration folder to keep them in, so --keep or\n"
    "--replay is needed)."))
@click.argument("config", type=click.Path(exists=True), required=False)
@db_option
@click.option("--replay", type=click.Path(exists=True, file_okay=False),
              help=N_("Answer every request from the responses kept in this folder: no network, no API key."))
@click.option("--keep", type=click.Path(file_okay=False),
              help=N_("Folder for the raw responses (default: CONFIG/fetched/<UTC time of the fetch>; needed "
                   "without CONFIG)."))
@stored_run_options
def fetch(config: str | None, db: str, replay: str | None, keep: str | None, municipality: str | None,
          year: int | None, start: str | None) -> None:
    from govcore.store.fetch import fetch as run_fetch

    if config is None and keep is None and replay is None:
        raise click.UsageError(_("without CONFIG, give --keep DIR for the raw responses (or --replay DIR)"))
    cfg, first = _run_config(db, config, municipality, year, start)
    kept = None
    if replay is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = Path(keep) if keep else cfg.base_dir / "fetched" / stamp
    result = run_fetch(cfg, db, year=year, start=first, replay=Path(replay) if replay else None, keep=kept)
    for t in result.tables:
        what = {"stored": _("{new} new, {corrected} corrected").format(new=t.new, corrected=t.corrected),
                "unchanged": _("nothing new"),
                "skipped": _("not updated since {date}").format(date=t.updated),
                "failed": _("FAILED: {message}").format(message=t.error)}[t.state]
        stamp = _(" (updated {date})").format(date=t.updated) if t.updated and t.state in ("stored", "unchanged") \
            else ""
        table = t.table or _("(tables)")
        click.echo(f"  {t.source} {table}: {what}{stamp}")
    click.echo(f"{cfg.municipality.name} {year or (first.year if first else cfg.year)}: " + ngettext(
        "{n} observation stored, {events} new events, {requests} requests",
        "{n} observations stored, {events} new events, {requests} requests", len(result.added)).format(
        n=len(result.added), events=len(result.events), requests=result.requests)
        + (_(", responses kept in {folder}").format(folder=kept) if kept and result.requests else ""))
    for r in result.added:
        note = "  " + _("(corrects #{n})").format(n=r["supersedes"]) if r["supersedes"] else ""
        of = f" {r['of_municipality']}" if r["of_municipality"] else ""
        click.echo(f"  #{r['n']} {r['kpi']} {r['period']} {r['series']}{of} = {r['value']:g}, "
                   + _("known {date}").format(date=r["known_at"]) + note)
    for ev in result.events:
        click.echo(_event_line(ev))
    if result.failed:
        n = len(result.failed)
        click.echo(ngettext("{n} table failed; nothing of it was stored",
                            "{n} tables failed; nothing of them was stored", n).format(n=n), err=True)
        sys.exit(1)


@click.command("observations", cls=Command, help=N_(
    "Show the stored observations of a run with their history: every received value, its\n"
    "source and when it was received; corrected values stay listed, marked as replaced."))
@db_option
@run_options
@click.option("--kpi", help=N_("Only this KPI."))
@click.option("--period", help=N_("Only this period (e.g. 2021-03)."))
def observations(db: str, municipality: str | None, year: int | None, start: str | None, kpi: str | None,
                 period: str | None) -> None:
    from govcore.store.audit import observation_history, one_run

    database = _open(db, create=False)
    try:
        run = one_run(database, municipality, year, start)
        rows = observation_history(database, run, kpi, period)
    finally:
        database.close()
    click.echo(_("{run}: {n} observation rows (✓ = the value in use at {date})").format(
        run=run.label, n=len(rows), date=run.clock[:10]))
    for r in rows:
        mark = "✓" if r["current"] else (_("replaced by #{n}").format(n=r["superseded_by"]) if r["superseded_by"]
                                         else " ")
        of = f" {r['of_municipality']}" if r["of_municipality"] else ""
        click.echo(f"  #{r['n']:<4} {r['kpi']} {r['period']} {r['series']}{of} = {r['value']:g}   "
                   + _("source {source}, known {known}, received {received}").format(
                       source=r["source"] or "?", known=r["known_at"], received=r["received_at"])
                   + f", {r['origin']}  {mark}")


# --------------------------------------------------------------------------------- report


@click.command("report", cls=Command, help=N_(
    "Write the report of a stored run as of a date: the events so far (events.jsonl), their\n"
    "summary (summary.json) and the report (report.md / report.html), from the database's log\n"
    "replayed up to that day — for a live run kept by `govcore tick`, across any number of years."))
@db_option
@click.option("--municipality", "-m", required=True, help=N_("The run's municipality (code or name)."))
@click.option("--config", "config", type=click.Path(exists=True),
              help=N_("The municipality's configuration folder (default: the configuration stored with the run; "
                   "needed for runs stored before configurations were kept). It must be the one the run was "
                   "stored with."))
@start_options
@click.option("--as-of", "as_of", help=N_(
    "The report as of the end of this date (default: today, or the run's clock)."))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help=N_("Folder for events.jsonl, summary.json and the report."))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "both", "all"]), default="both",
              show_default=True, help=N_("Format of the report: both = md and html, all = md, html and pdf (pdf needs "
              "the pdf extra and Chromium, see the README)."))
def report(db: str, municipality: str, config: str | None, year: int | None, start: str | None,
           as_of: str | None, out: str, fmt: str) -> None:
    from govcore.model import municipality as lookup
    from govcore.simulate import write_outputs
    from govcore.store.run import report_as_of

    try:
        lookup(municipality)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--municipality") from None
    cfg, first = _run_config(db, config, municipality, year, start)
    day = _parse_start(as_of) if as_of else None
    if fmt in ("pdf", "all"):
        from govcore.pdf import require_pdf

        require_pdf()
    result = report_as_of(cfg, db, as_of=day, year=year, start=first)
    files = write_outputs(result, Path(out), report_format=fmt)
    click.echo(_("{municipality} as of {time}: {n} events").format(
        municipality=cfg.municipality.name, time=result.summary["as_of"][:16].replace("T", " "),
        n=len(result.events)))
    from govcore.simulate import written_lines

    for line in written_lines(files):
        click.echo(f"  {line}")


COMMANDS = (db, audit, explain, tick, observe, fetch, observations, report)
