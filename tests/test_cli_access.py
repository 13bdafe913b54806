"""`govcore users` and `govcore keys`: accounts and API keys from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore.access import accounts, keys
from govcore.cli import main
from govcore.store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
VEJLE = str(ROOT / "examples" / "vejle")
PASSWORD = "korrekt hest batteri"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "govcore.db")


def test_add_a_person_and_log_in_with_the_password_from_stdin(db: str) -> None:
    code, out = run("users", "add", "jens", "-m", "630", "--role", "team-integration", "--role", "center-job-erhverv",
                    "--email", "jens@vejle.dk", "--password-stdin", "--config", VEJLE, "--db", db,
                    stdin=PASSWORD + "\n")
    assert code == 0, out
    assert PASSWORD not in out
    database = open_database(db)
    try:
        user = accounts.authenticate(database, "jens", PASSWORD)
    finally:
        database.close()
    assert user.roles == ("team-integration", "center-job-erhverv") and user.email == "jens@vejle.dk"
    code, out = run("users", "list", "--db", db)
    assert code == 0 and out.splitlines() == ["jens\t630\tteam-integration,center-job-erhverv\tjens@vejle.dk"]


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_a_misspelt_role_is_refused_with_a_suggestion_and_nothing_is_stored(db: str) -> None:
    code, out = run("users", "add", "hanne", "-m", "630", "--role", "teem-integration", "--password-stdin",
                    "--config", VEJLE, "--db", db, stdin=PASSWORD + "\n")
    assert code == 2 and "did you mean 'team-integration'" in out and "Traceback" not in out
    assert run("users", "list", "--db", db) == (0, "")


def test_a_configuration_of_another_municipality_is_refused(db: str, english: None) -> None:
    code, out = run("users", "add", "hanne", "-m", "101", "--role", "direktoer", "--password-stdin",
                    "--config", VEJLE, "--db", db, stdin=PASSWORD + "\n")
    assert code == 2 and "not of 101" in out


def test_disable_set_roles_and_set_password(db: str, english: None) -> None:
    assert run("users", "add", "jens", "-m", "630", "--role", "team-integration", "--password-stdin", "--db", db,
               stdin=PASSWORD + "\n")[0] == 0
    assert run("users", "disable", "jens", "--db", db) == (0, "jens: disabled\n")
    assert "disabled" in run("users", "list", "--db", db)[1]
    assert run("users", "disable", "jens", "--enable", "--db", db) == (0, "jens: enabled\n")
    assert run("users", "set-roles", "jens", "--role", "direktoer", "--config", VEJLE, "--db", db) == \
        (0, "jens: direktoer\n")
    assert run("users", "set-password", "jens", "--password-stdin", "--db", db, stdin="nyt kodeord 2026\n")[0] == 0
    code, out = run("users", "set-password", "jens", "--password-stdin", "--db", db, stdin="kort\n")
    assert code == 2 and "at least 10 characters" in out
    database = open_database(db)
    try:
        assert accounts.authenticate(database, "jens", "nyt kodeord 2026").roles == ("direktoer",)
    finally:
        database.close()


def test_set_admin_and_an_account_for_single_sign_on_only(db: str, english: None) -> None:
    code, out = run("users", "add", "sso", "-m", "630", "--role", "direktoer", "--email", "sso@vejle.dk", "--db", db)
    assert code == 2 and "--single-sign-on" in out  # neither a password nor single sign-on: refused
    assert run("users", "add", "sso", "-m", "630", "--role", "direktoer", "--email", "sso@vejle.dk",
               "--single-sign-on", "--db", db)[0] == 0
    assert run("users", "set-admin", "sso", "--db", db) == (0, "sso: administrator\n")
    assert run("users", "list", "--db", db)[1].endswith("\tadmin\n")
    assert run("users", "set-admin", "sso", "--remove", "--db", db) == (0, "sso: not an administrator\n")
    database = open_database(db)
    try:
        user = accounts.get_user(database, "sso")
        assert not user.admin and user.email == "sso@vejle.dk"
        with pytest.raises(accounts.LoginFailed):  # no password: only OpenID Connect logs this person in
            accounts.authenticate(database, "sso", "")
        with pytest.raises(accounts.OwnAccount):
            accounts.set_disabled(database, "sso", acting="sso")
        with pytest.raises(accounts.AccountError, match="no account"):  # another municipality's: not found
            accounts.set_roles(database, "sso", ["udvalg"], municipality="615")
        assert accounts.get_user(database, "sso").roles == ("direktoer",)
    finally:
        database.close()


def test_unknown_account_is_a_clear_error(db: str) -> None:
    code, out = run("users", "disable", "nobody", "--db", db)
    assert code == 2 and "ingen konto 'nobody'" in out


def test_a_key_is_printed_once_works_and_can_be_revoked(db: str, english: None) -> None:
    code, out = run("keys", "create", "-m", "630", "--name", "økonomisystem", "--scope", "observations:write",
                    "--db", db)
    assert code == 0, out
    token = out.splitlines()[-1]
    key_id = token.split("_")[1]
    database = open_database(db)
    try:
        principal = keys.principal_of_key(database, token)
        assert principal is not None and principal.scopes == frozenset({"observations:write"})
        listed = run("keys", "list", "--db", db)[1]
        assert key_id in listed and token not in listed and "active" in listed
        assert run("keys", "revoke", key_id, "--db", db)[0] == 0
        assert keys.principal_of_key(database, token) is None
        assert "revoked" in run("keys", "list", "-m", "630", "--db", db)[1]
    finally:
        database.close()


def test_an_unknown_scope_is_refused(db: str) -> None:
    code, out = run("keys", "create", "-m", "630", "--name", "x", "--scope", "observations:read", "--db", db)
    assert code == 2 and "ukendt rettighed 'observations:read'" in out and "status:read" in out


# ------------------------------------------------------------------ respond --as USERNAME


@pytest.fixture
def live_run(tmp_path: Path, db: str) -> str:
    """A live run in which act-0001 is demanded of role 'center' (1 March 2021), with people."""
    import datetime as dt

    from live_server import stored_config

    from govcore.config import load_config
    from govcore.store.run import tick

    tick(load_config(stored_config(tmp_path / "config")), db, now=dt.date(2021, 3, 1))
    for user, role in (("centerleder", "center"), ("chefen", "chef")):
        assert run("users", "add", user, "-m", "630", "--role", role, "--password-stdin", "--db", db,
                   stdin=PASSWORD + "\n")[0] == 0
    return db


def _actors(db: str) -> dict[str, str | None]:
    import sqlalchemy as sa

    from govcore.store.tables import ResponseRow, table

    t = table(ResponseRow)
    database = open_database(db)
    try:
        return {r.kind: r.actor for r in database.read(lambda c: list(c.execute(sa.select(t.c.kind, t.c.actor))))}
    finally:
        database.close()


def test_respond_as_a_person_is_checked_and_recorded(live_run: str, english: None) -> None:
    code, out = run("respond", "submit", "act-0001", "--text", "Flere virksomhedsbesøg", "--as", "centerleder",
                    "--at", "2021-03-02T10:00", "--db", live_run)
    assert code == 0, out
    assert "stored as user:centerleder" in out and "action_submitted" in out
    code, out = run("respond", "accept", "act-0001", "--as", "centerleder", "--at", "2021-03-02T11:00",
                    "--db", live_run)
    assert code == 2 and "forbidden" in out and "own role" in out and "Traceback" not in out
    code, out = run("respond", "accept", "act-0001", "--as", "chefen", "--at", "2021-03-03T09:00", "--db", live_run)
    assert code == 0, out
    assert _actors(live_run) == {"submit": "user:centerleder", "accept": "user:chefen"}


def test_respond_as_someone_without_the_role_is_refused_and_nothing_is_stored(live_run: str, english: None) -> None:
    code, out = run("respond", "submit", "act-0001", "--text", "x", "--as", "chefen", "--at", "2021-03-02T10:00",
                    "--db", live_run)
    assert code == 2 and "forbidden" in out
    code, out = run("respond", "submit", "act-0001", "--text", "x", "--as", "nobody", "--db", live_run)
    assert code == 2 and "no enabled account 'nobody'" in out
    assert _actors(live_run) == {}
