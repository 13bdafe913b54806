"""`govcore notifications list|send|retry`: the outbox of live runs from the command line.

Registered on `govcore.cli.main`; database and SMTP code is imported inside the commands.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import click

from govcore.commandline.cli import Group
from govcore.i18n import N_, _
from govcore.store.cli import db_option

STATE_CHOICE = click.Choice(["pending", "sent", "failed", "cancelled", "digested"])


def _database(db: str) -> Any:
    from govcore.store.db import open_database
    from govcore.store.schema import ensure

    database = open_database(db)
    try:
        ensure(database, create=False)
    except Exception:
        database.close()
        raise
    return database


@click.group("notifications", cls=Group, help=N_(
    "The notifications of live runs (e-mail to owners and superiors): list, send, retry."))
def notifications() -> None:
    pass


@notifications.command("list", help=N_(
    "List notifications with their state (pending, sent, failed, cancelled) and last error."))
@db_option
@click.option("--state", type=STATE_CHOICE, help=N_("Only notifications in this state."))
@click.option("--municipality", "-m", help=N_("Only this municipality's notifications (its code, e.g. 630)."))
@click.option("--json", "as_json", is_flag=True, help=N_("One JSON object per notification, for programs."))
def notifications_list(db: str, state: str | None, municipality: str | None, as_json: bool) -> None:
    from govcore.notify.state import notification_state

    database = _database(db)
    try:
        rows = notification_state(database, municipality, state=state)
    finally:
        database.close()
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False, sort_keys=True))
            continue
        when = r["sent_at"] if r["state"] == "sent" else r["next_attempt_at"] or r["not_before"]
        line = f"{r['id']}  {r['state']:<9} {r['kind']:<15} → {r['role'] or r['username']}  {r['item'] or ''}  {when}"
        if r["attempts"]:
            line += "  " + _("attempts {n}").format(n=r["attempts"])
        if r["error"]:
            line += f"\n    {r['error']}"
        click.echo(line)
    if not rows and not as_json:
        click.echo(_("no notifications in state {state}").format(state=state) if state else _("no notifications"))


@notifications.command("send", help=N_(
    "Send the notifications that are due over SMTP (settings from GOVCORE_SMTP_* variables), once or in a loop."))
@db_option
@click.option("--loop", is_flag=True, help=N_("Keep running: send what is due, wait --interval seconds, repeat."))
@click.option("--interval", type=click.FloatRange(min=1), default=60, show_default=True,
              help=N_("Seconds between rounds with --loop."))
@click.option("--municipality", "-m", help=N_("Send only this municipality's notifications (its code)."))
def notifications_send(db: str, loop: bool, interval: float, municipality: str | None) -> None:
    from govcore.notify.mail import SmtpSender, SmtpSettings, base_url
    from govcore.notify.worker import Outcome, Worker, serve_forever

    settings = SmtpSettings.from_env()
    link_base = base_url()

    def report(outcomes: list[Outcome]) -> None:
        if not outcomes and not loop:
            click.echo(_("no notification is due"))
        for o in outcomes:
            to = f" → {', '.join(o.recipients)}" if o.recipients else ""
            click.echo(f"{o.ident}  {o.state:<7} {o.kind}{to}" + (f"  ({o.error})" if o.error else ""))

    database = _database(db)
    try:
        worker = Worker(database, SmtpSender(settings), settings.sender, base_url=link_base,
                        municipality=municipality)
        if loop:
            serve_forever(worker, threading.Event(), interval, report)
        else:
            report(worker.run_once())
    finally:
        database.close()


@notifications.command("retry", help=N_(
    "Send a failed or cancelled notification again (ID as `notifications list` shows it)."))
@click.argument("ident", metavar="ID")
@db_option
def notifications_retry(ident: str, db: str) -> None:
    from govcore.notify.state import retry

    database = _database(db)
    try:
        r = retry(database, ident)
    finally:
        database.close()
    click.echo(f"{r['id']}  {r['state']}: " + _("sent by the next `govcore notifications send`"))


COMMANDS = [notifications]
