"""Commands for accounts and API keys: `govcore users …` and `govcore keys …`.

Registered on `govcore.cli.main`. Passwords are read from standard input only (never an
argument: arguments show in `ps` and shell history); a key's secret is printed once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from govcore.store.cli import db_option

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
        raise click.BadParameter(f"{config} is the configuration of {cfg.municipality.name} "
                                 f"({cfg.municipality.code}), not of {code}", param_hint="--config")
    return [r.id for r in cfg.organisation.roles]


def _config_option(f: F) -> F:
    return click.option("--config", type=click.Path(exists=True),
                        help="The municipality's configuration folder: roles are checked against its "
                        "organisation.")(f)


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError("--password-stdin: nothing on standard input")
    return line.rstrip("\r\n")


def _user_line(u: Any) -> str:
    flags = [f for f, on in (("admin", u.admin), ("disabled", u.disabled)) if on]
    return (f"{u.username}\t{u.municipality}\t{','.join(u.roles)}\t{u.email or '-'}"
            f"{chr(9) + ' '.join(flags) if flags else ''}")


@click.group("users")
def users() -> None:
    """Accounts of the people who log in to `govcore serve`: each belongs to one municipality and
    holds roles of its organisation; administrators manage their municipality's people and keys."""


@users.command("add")
@click.argument("username")
@click.option("--municipality", "-m", required=True, help="The municipality's three-digit code, e.g. 630.")
@click.option("--role", "roles", multiple=True, required=True, help="A role id of the organisation (repeatable).")
@click.option("--email", help="Where notifications are sent.")
@click.option("--name", default="", help="The person's name as shown (default: the username).")
@click.option("--admin", is_flag=True, help="An administrator of the municipality.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.option("--oidc-issuer", help="OpenID Connect issuer URL the person logs in through.")
@click.option("--oidc-subject", help="The person's subject (sub) at that issuer.")
@_config_option
@db_option
def users_add(username: str, municipality: str, roles: Sequence[str], email: str | None, name: str, admin: bool,
              password_stdin: bool, oidc_issuer: str | None, oidc_subject: str | None, config: str | None,
              db: str) -> None:
    """Create an account with a password (--password-stdin) or an OpenID Connect identity."""
    from govcore.access import accounts

    password = _read_password() if password_stdin else None
    user = accounts.add_user(_open(db), username, municipality, list(roles), name=name, email=email, admin=admin,
                             password=password, oidc_issuer=oidc_issuer, oidc_subject=oidc_subject,
                             known_roles=_known_roles(config, municipality))
    click.echo(f"added {user.username} ({user.municipality}): {', '.join(user.roles)}")


@users.command("list")
@click.option("--municipality", "-m", help="Only this municipality (three-digit code).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def users_list(municipality: str | None, as_json: bool, db: str) -> None:
    """List accounts: username, municipality, roles, e-mail and flags (never a password hash)."""
    from govcore.access import accounts

    found = accounts.list_users(_open(db), municipality)
    if as_json:
        click.echo(json.dumps([{"username": u.username, "municipality": u.municipality, "name": u.name,
                                "email": u.email, "roles": list(u.roles), "admin": u.admin,
                                "disabled": u.disabled} for u in found], ensure_ascii=False, indent=2))
        return
    for u in found:
        click.echo(_user_line(u))


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@db_option
def users_disable(username: str, enable: bool, db: str) -> None:
    """Disable an account (its sessions stop working at once) or, with --enable, enable it again."""
    from govcore.access import accounts

    user = accounts.set_disabled(_open(db), username, not enable)
    click.echo(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")


@users.command("set-roles")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="A role id (repeatable); replaces the roles.")
@_config_option
@db_option
def users_set_roles(username: str, roles: Sequence[str], config: str | None, db: str) -> None:
    """Replace the roles a person holds."""
    from govcore.access import accounts

    database = _open(db)
    known = _known_roles(config, accounts.get_user(database, username).municipality)
    user = accounts.set_roles(database, username, list(roles), known_roles=known)
    click.echo(f"{user.username}: {', '.join(user.roles)}")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the new password from the first line of standard input.")
@db_option
def users_set_password(username: str, password_stdin: bool, db: str) -> None:
    """Set a new password (and lift a lock after repeated wrong passwords)."""
    from govcore.access import accounts

    user = accounts.set_password(_open(db), username, _read_password())
    click.echo(f"{user.username}: password changed")


@click.group("keys")
def keys() -> None:
    """API keys for other systems: bound to one municipality, allowed only their scopes, sent as
    bearer tokens. The secret is shown once, when the key is created."""


@keys.command("create")
@click.option("--municipality", "-m", required=True, help="The municipality's three-digit code.")
@click.option("--name", required=True, help="What uses the key, e.g. 'økonomisystem'.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="What the key may do (repeatable): status:read, events:read, observations:write, "
              "actions:submit, actions:decide, deliverables:write, notifications:read.")
@db_option
def keys_create(municipality: str, name: str, scopes: Sequence[str], db: str) -> None:
    """Create a key and print its secret token once (store it in the other system's secrets)."""
    from govcore.access import keys as api_keys

    key, token = api_keys.create_key(_open(db), municipality, name, list(scopes), created_by="cli")
    click.echo(f"created key {key.id} for {key.municipality} ({', '.join(key.scopes)}); its token, shown only now:")
    click.echo(token)


@keys.command("list")
@click.option("--municipality", "-m", help="Only this municipality (three-digit code).")
@db_option
def keys_list(municipality: str | None, db: str) -> None:
    """List keys: id, municipality, name, scopes, created, revoked (never the secret)."""
    from govcore.access import keys as api_keys

    for k in api_keys.list_keys(_open(db), municipality):
        state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
        click.echo(f"{k.id}\t{k.municipality}\t{k.name}\t{','.join(k.scopes)}\t{k.created_at}\t{state}")


@keys.command("revoke")
@click.argument("key_id", metavar="KEY")
@db_option
def keys_revoke(key_id: str, db: str) -> None:
    """Revoke a key at once; it stays listed, with when it was revoked."""
    from govcore.access import keys as api_keys

    key = api_keys.revoke_key(_open(db), key_id)
    click.echo(f"key {key.id}: revoked {key.revoked_at}")


COMMANDS = (users, keys)
