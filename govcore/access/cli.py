"""Commands for accounts, API keys and answers: `govcore users …`, `govcore keys …` and
`govcore respond …`.

Registered on `govcore.cli.main`. Passwords are read from standard input only (never an
argument: arguments show in `ps` and shell history); a key's secret is printed once. `respond`
lives here, above the store, because `--as USERNAME` answers as a person: through the same
operations and permission checks as the HTTP API (govcore.access.live), recorded with who answered.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from govcore.commandline.cli import Command, Group
from govcore.i18n import N_, _, ngettext
from govcore.store.cli import _event_line, _parse_now, _run_config, db_option, stored_run_options

F = TypeVar("F", bound=Callable[..., Any])


def _open(db: str) -> Any:
    from govcore.store import schema
    from govcore.store.db import open_database

    database = open_database(db)
    schema.ensure(database, create=True)
    return database


def _known_roles(config: str | None, code: str) -> list[str] | None:
    """The organisation's role ids, to refuse a misspelt role (None when no configuration is given)."""
    if config is None:
        return None
    from govcore.config import load_config

    cfg = load_config(config)
    if cfg.municipality.code != code:
        raise click.BadParameter(_("{config} is the configuration of {name} ({code}), not of {other}").format(
            config=config, name=cfg.municipality.name, code=cfg.municipality.code, other=code), param_hint="--config")
    return [r.id for r in cfg.organisation.roles]


def _config_option(f: F) -> F:
    return click.option("--config", type=click.Path(exists=True),
                        help=N_("The municipality's configuration folder: roles are checked against its "
                        "organisation."))(f)


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError(_("--password-stdin: nothing on standard input"))
    return line.rstrip("\r\n")


def _user_line(u: Any) -> str:
    flags = [f for f, on in (("admin", u.admin), ("disabled", u.disabled)) if on]
    return (f"{u.username}\t{u.municipality}\t{','.join(u.roles)}\t{u.email or '-'}"
            f"{chr(9) + ' '.join(flags) if flags else ''}")


@click.group("users", cls=Group, help=N_(
    "Accounts of the people who log in to `govcore serve`: each belongs to one municipality and\n"
    "holds roles of its organisation; administrators manage their municipality's people and keys."))
def users() -> None:
    pass


@users.command("add", help=N_(
    "Create an account with a password (--password-stdin), an OpenID Connect identity, or for\n"
    "single sign-on only (--single-sign-on)."))
@click.argument("username")
@click.option("--municipality", "-m", required=True, help=N_("The municipality's three-digit code, e.g. 630."))
@click.option("--role", "roles", multiple=True, required=True, help=N_("A role id of the organisation (repeatable)."))
@click.option("--email", help=N_("Where notifications are sent."))
@click.option("--name", default="", help=N_("The person's name as shown (default: the username)."))
@click.option("--admin", is_flag=True, help=N_("An administrator of the municipality."))
@click.option("--password-stdin", is_flag=True, help=N_("Read the password from the first line of standard input."))
@click.option("--oidc-issuer", help=N_("OpenID Connect issuer URL the person logs in through."))
@click.option("--oidc-subject", help=N_("The person's subject (sub) at that issuer."))
@click.option("--single-sign-on", is_flag=True,
              help=N_("No password: the person logs in through OpenID Connect, bound at the first login by e-mail "
              "or username."))
@_config_option
@db_option
def users_add(username: str, municipality: str, roles: Sequence[str], email: str | None, name: str, admin: bool,
              password_stdin: bool, oidc_issuer: str | None, oidc_subject: str | None, single_sign_on: bool,
              config: str | None, db: str) -> None:
    from govcore.access import accounts

    password = _read_password() if password_stdin else None
    user = accounts.add_user(_open(db), username, municipality, list(roles), name=name, email=email, admin=admin,
                             password=password, oidc_issuer=oidc_issuer, oidc_subject=oidc_subject,
                             single_sign_on=single_sign_on, known_roles=_known_roles(config, municipality))
    click.echo(_("added {user} ({municipality}): {roles}").format(user=user.username, municipality=user.municipality,
                                                                  roles=", ".join(user.roles)))


@users.command("list", help=N_(
    "List accounts: username, municipality, roles, e-mail and flags (never a password hash)."))
@click.option("--municipality", "-m", help=N_("Only this municipality (three-digit code)."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@db_option
def users_list(municipality: str | None, as_json: bool, db: str) -> None:
    from govcore.access import accounts

    found = accounts.list_users(_open(db), municipality)
    if as_json:
        click.echo(json.dumps([{"username": u.username, "municipality": u.municipality, "name": u.name,
                                "email": u.email, "roles": list(u.roles), "admin": u.admin,
                                "disabled": u.disabled} for u in found], ensure_ascii=False, indent=2))
        return
    for u in found:
        click.echo(_user_line(u))


@users.command("disable", help=N_(
    "Disable an account (its sessions stop working at once) or, with --enable, enable it again."))
@click.argument("username")
@click.option("--enable", is_flag=True, help=N_("Enable the account again instead."))
@db_option
def users_disable(username: str, enable: bool, db: str) -> None:
    from govcore.access import accounts

    user = accounts.set_disabled(_open(db), username, not enable)
    click.echo(f"{user.username}: " + (_("disabled") if user.disabled else _("enabled")))


@users.command("set-roles", help=N_(
    "Replace the roles a person holds."))
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help=N_("A role id (repeatable); replaces the roles."))
@_config_option
@db_option
def users_set_roles(username: str, roles: Sequence[str], config: str | None, db: str) -> None:
    from govcore.access import accounts

    database = _open(db)
    known = _known_roles(config, accounts.get_user(database, username).municipality)
    user = accounts.set_roles(database, username, list(roles), known_roles=known)
    click.echo(f"{user.username}: {', '.join(user.roles)}")


@users.command("set-admin", help=N_(
    "Make a person an administrator of their municipality or, with --remove, no longer one."))
@click.argument("username")
@click.option("--remove", is_flag=True, help=N_("Remove the administrator flag instead."))
@db_option
def users_set_admin(username: str, remove: bool, db: str) -> None:
    from govcore.access import accounts

    user = accounts.set_admin(_open(db), username, not remove)
    click.echo(f"{user.username}: " + (_("administrator") if user.admin else _("not an administrator")))


@users.command("set-password", help=N_(
    "Set a new password (and lift a lock after repeated wrong passwords)."))
@click.argument("username")
@click.option("--password-stdin", is_flag=True, required=True,
              help=N_("Read the new password from the first line of standard input."))
@db_option
def users_set_password(username: str, password_stdin: bool, db: str) -> None:
    from govcore.access import accounts

    user = accounts.set_password(_open(db), username, _read_password())
    click.echo(_("{user}: password changed").format(user=user.username))


@users.command("calendar-token", help=N_(
    "Make (or replace) the secret token of a person's calendar feed and print the feed's URL,\n"
    "to subscribe to in Outlook or on a phone; only the token's hash is stored."))
@click.argument("username")
@click.option("--revoke", is_flag=True, help=N_("Revoke the person's calendar token instead (the feed stops at once)."))
@click.option("--base-url", envvar="GOVCORE_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help=N_("How people reach the server ($GOVCORE_BASE_URL), to print the whole feed URL."))
@db_option
def users_calendar_token(username: str, revoke: bool, base_url: str, db: str) -> None:
    from govcore.access import accounts
    from govcore.access.calendar_feed import new_calendar_token, revoke_calendar_token

    database = _open(db)
    accounts.get_user(database, username)
    if revoke:
        revoked = revoke_calendar_token(database, username)
        click.echo(f"{username}: " + (_("calendar token revoked") if revoked else _("no calendar token")))
        return
    token = new_calendar_token(database, username)
    click.echo(_("{user}: the calendar feed (shown only now; a new token replaces the old one):").format(user=username))
    click.echo(f"{base_url.rstrip('/')}/api/v1/calendar/{token}.ics")


@click.group("keys", cls=Group, help=N_(
    "API keys for other systems: bound to one municipality, allowed only their scopes, sent as\n"
    "bearer tokens. The secret is shown once, when the key is created."))
def keys() -> None:
    pass


@keys.command("create", help=N_(
    "Create a key and print its secret token once (store it in the other system's secrets)."))
@click.option("--municipality", "-m", required=True, help=N_("The municipality's three-digit code."))
@click.option("--name", required=True, help=N_("What uses the key, e.g. 'økonomisystem'."))
@click.option("--scope", "scopes", multiple=True, required=True,
              help=N_("What the key may do (repeatable): status:read, events:read, observations:write, "
              "actions:submit, actions:decide, deliverables:write, notifications:read."))
@db_option
def keys_create(municipality: str, name: str, scopes: Sequence[str], db: str) -> None:
    from govcore.access import keys as api_keys

    key, token = api_keys.create_key(_open(db), municipality, name, list(scopes), created_by="cli")
    click.echo(_("created key {key} for {municipality} ({scopes}); its token, shown only now:").format(
        key=key.id, municipality=key.municipality, scopes=", ".join(key.scopes)))
    click.echo(token)


@keys.command("list", help=N_(
    "List keys: id, municipality, name, scopes, created, revoked (never the secret)."))
@click.option("--municipality", "-m", help=N_("Only this municipality (three-digit code)."))
@db_option
def keys_list(municipality: str | None, db: str) -> None:
    from govcore.access import keys as api_keys

    for k in api_keys.list_keys(_open(db), municipality):
        state = _("revoked {time}").format(time=k.revoked_at) if k.revoked_at else _("active")
        click.echo(f"{k.id}\t{k.municipality}\t{k.name}\t{','.join(k.scopes)}\t{k.created_at}\t{state}")


@keys.command("revoke", help=N_(
    "Revoke a key at once; it stays listed, with when it was revoked."))
@click.argument("key_id", metavar="KEY")
@db_option
def keys_revoke(key_id: str, db: str) -> None:
    from govcore.access import keys as api_keys

    key = api_keys.revoke_key(_open(db), key_id)
    click.echo(_("key {key}: revoked {time}").format(key=key.id, time=key.revoked_at))



# -------------------------------------------------------------------------------- respond


def _response_time(at: str | None, zone: ZoneInfo) -> dt.datetime:
    """--at as a local time of the municipality (a date alone: noon); none: now."""
    parsed = _parse_now(at)
    if parsed is None:
        return dt.datetime.now(zone)
    if isinstance(parsed, dt.datetime):
        return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)
    return dt.datetime.combine(parsed, dt.time(12, 0), zone)


def _respond_command(kind: str, target: str, doc: str) -> click.Command:
    @click.command(kind, cls=Command, help=doc)
    @click.argument("args", nargs=-1, required=True, metavar=f"[CONFIG] {target.upper()}")
    @db_option
    @stored_run_options
    @click.option("--text", default="", help=N_("What the person wrote (the action's text, a reason)."))
    @click.option("--at", "at", help=N_("When it was given (ISO time; default: now). Not before the run's clock."))
    @click.option("--as", "as_user", metavar="USERNAME",
                  help=N_("Answer as this person (an account of `govcore users`): their permissions are checked as "
                  "the server checks them, and the decision log records them as who answered."))
    def command(args: tuple[str, ...], db: str, municipality: str | None, year: int | None, start: str | None,
                text: str, at: str | None, as_user: str | None) -> None:
        from govcore.config import Response
        from govcore.store.run import respond as run_respond

        if len(args) > 2:
            raise click.UsageError(_("give [CONFIG] {target}: {n} arguments given").format(target=target.upper(),
                                                                                          n=len(args)))
        config, ident = (args[0], args[1]) if len(args) == 2 else (None, args[0])
        if config is not None and not Path(config).exists():
            raise click.BadParameter(_("'{path}' does not exist").format(path=config), param_hint="CONFIG")
        cfg, first = _run_config(db, config, municipality, year, start)
        local = _response_time(at, ZoneInfo(cfg.wheel.timezone))
        if as_user is not None:
            _respond_as(db, cfg, first, as_user, kind, ident, text, local)
            return
        data: dict[str, Any] = {"deliver": ident} if kind == "deliver" else {kind: {"action": ident, "text": text}}
        response = Response(date=local.date(), time=local.strftime("%H:%M"), **data)
        events = run_respond(cfg, db, [response], year=year, start=first)
        click.echo(ngettext("{municipality}: {kind} {ident} stored for {time}, {n} new event",
                            "{municipality}: {kind} {ident} stored for {time}, {n} new events", len(events)).format(
            municipality=cfg.municipality.name, kind=kind, ident=ident, time=local.strftime("%Y-%m-%d %H:%M"),
            n=len(events)))
        for ev in events:
            click.echo(_event_line(ev))

    return command


def _respond_as(db: str, cfg: Any, first: dt.date | None, username: str, kind: str, ident: str, text: str,
                local: dt.datetime) -> None:
    """Answer through the same operations as the HTTP API (govcore.access.live): the person's
    permissions are checked in the one place, and the response records them as its actor."""
    from govcore.access.accounts import principal_of_user
    from govcore.access.live import LiveRuns

    database = _open(db)
    principal = principal_of_user(database, username)
    if principal is None:
        raise click.BadParameter(_("no enabled account '{user}' (see `govcore users list`)").format(user=username),
                                 param_hint="--as")
    code = cfg.municipality.code
    live = LiveRuns(database, lambda _m, _s: cfg, clock=lambda: local)
    if kind == "deliver":
        result = live.deliver(principal, code, ident)
    else:
        result = getattr(live, kind)(principal, code, ident, text)
    events = result["events"]
    click.echo(ngettext("{municipality}: {kind} {ident} stored as {actor} for {time}, {n} new event",
                        "{municipality}: {kind} {ident} stored as {actor} for {time}, {n} new events",
                        len(events)).format(municipality=cfg.municipality.name, kind=kind, ident=ident,
                                            actor=principal.actor, time=local.strftime("%Y-%m-%d %H:%M"),
                                            n=len(events)))
    for ev in events:
        click.echo(f"  {ev['id']}  {str(ev['at'])[:16].replace('T', ' ')}  {ev['type']}: {ev['text']}")


@click.command("decide", cls=Command, help=N_(
    "The role asked answers demanded decision DECISION (e.g. dec-0001) with OPTION (e.g. continue,\n"
    "adjust or close). The decision is recorded with who and when, the subject's open deviation is\n"
    "closed with it, and 'close' ends the subject's follow-up."))
@click.argument("args", nargs=-1, required=True, metavar="[CONFIG] DECISION OPTION")
@db_option
@stored_run_options
@click.option("--text", default="", help=N_("The decision's note (why; what is adjusted)."))
@click.option("--by", "by", default="", help=N_("Who decided (a person or a role; default: the role asked)."))
@click.option("--at", "at", help=N_("When it was decided (ISO time; default: now). Not before the run's clock."))
def decide(args: tuple[str, ...], db: str, municipality: str | None, year: int | None, start: str | None, text: str,
           by: str, at: str | None) -> None:
    from govcore.config import Response
    from govcore.errors import DecisionError
    from govcore.store.run import respond as run_respond

    if len(args) not in (2, 3):
        raise click.UsageError(ngettext("give [CONFIG] DECISION OPTION: {n} argument given",
                                        "give [CONFIG] DECISION OPTION: {n} arguments given", len(args))
                               .format(n=len(args)))
    config, decision, option = (args[0], args[1], args[2]) if len(args) == 3 else (None, args[0], args[1])
    if config is not None and not Path(config).exists():
        raise click.BadParameter(_("'{path}' does not exist").format(path=config), param_hint="CONFIG")
    cfg, first = _run_config(db, config, municipality, year, start)
    local = _response_time(at, ZoneInfo(cfg.wheel.timezone))
    response = Response(date=local.date(), time=local.strftime("%H:%M"),
                        decide={"decision": decision, "option": option, "text": text, **({"by": by} if by else {})})
    try:
        events = run_respond(cfg, db, [response], year=year, start=first, actor=by or None)
    except DecisionError as err:
        raise click.BadParameter(str(err), param_hint=err.field.upper()) from None
    click.echo(ngettext("{municipality}: decision {decision} taken ({option}) for {time}, {n} new event",
                        "{municipality}: decision {decision} taken ({option}) for {time}, {n} new events",
                        len(events)).format(municipality=cfg.municipality.name, decision=decision, option=option,
                                            time=local.strftime("%Y-%m-%d %H:%M"), n=len(events)))
    for ev in events:
        click.echo(_event_line(ev))


@click.group("respond", cls=Group, help=N_(
    "Record what people answered in a stored live run: a corrective action submitted, accepted\n"
    "or rejected, a deliverable delivered, a demanded decision taken. Takes effect at its time (now\n"
    "by default)."))
def respond() -> None:
    pass


respond.add_command(_respond_command("submit", "action", N_(
    "The owner submits corrective action ACTION (e.g. act-0001) "
                                     "with --text.")))
respond.add_command(_respond_command("accept", "action", N_("The superior accepts the submitted corrective action "
                                     "ACTION.")))
respond.add_command(_respond_command("reject", "action", N_(
    "The superior rejects the submitted corrective action ACTION "
                                     "(--text: why); the owner must submit again.")))
respond.add_command(_respond_command("deliver", "deliverable", N_(
    "Deliverable DELIVERABLE (e.g. plan) was delivered.")))
respond.add_command(decide)


COMMANDS = (users, keys, respond)
