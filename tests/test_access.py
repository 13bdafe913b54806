"""Accounts, API keys, sessions and the permission matrix (govcore.access), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from govcore.access import accounts, keys, sessions
from govcore.access.permissions import SCOPES, Forbidden, Operation, allowed, authorize
from govcore.access.principal import Principal
from govcore.model import Organisation, Role
from govcore.store.db import Database

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "korrekt hest batteri"


def test_a_password_is_stored_only_as_an_argon2_hash(db: Database) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration"], email="jens@vejle.dk", password=PASSWORD, now=T0)
    stored = db.read(lambda c: c.execute(sa.select(accounts.USER.c.password_hash)).scalar_one())
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = accounts.authenticate(db, "jens", PASSWORD, now=T0)
    assert (user.municipality, user.roles, user.email) == ("630", ("team-integration",), "jens@vejle.dk")
    assert user.principal().actor == "user:jens"


def test_unknown_user_and_wrong_password_get_the_same_answer(db: Database) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration"], password=PASSWORD, now=T0)
    with pytest.raises(accounts.LoginFailed) as unknown:
        accounts.authenticate(db, "hanne", PASSWORD, now=T0)
    with pytest.raises(accounts.LoginFailed) as wrong:
        accounts.authenticate(db, "jens", PASSWORD + "x", now=T0)
    assert str(unknown.value) == str(wrong.value)


def test_repeated_wrong_passwords_lock_the_account_for_a_while(db: Database) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration"], password=PASSWORD, now=T0)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(db, "jens", "gæt gæt gæt gæt", now=T0)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, "jens", PASSWORD, now=T0 + dt.timedelta(minutes=1))
    later = T0 + accounts.LOCKOUT + dt.timedelta(seconds=1)
    assert accounts.authenticate(db, "jens", PASSWORD, now=later).username == "jens"


def test_a_disabled_account_cannot_log_in_and_has_no_principal(db: Database) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration"], password=PASSWORD, now=T0)
    accounts.set_disabled(db, "jens")
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, "jens", PASSWORD, now=T0)
    assert accounts.principal_of_user(db, "jens") is None
    accounts.set_disabled(db, "jens", False)
    assert accounts.principal_of_user(db, "jens") == Principal("user", "jens", "630", frozenset({"team-integration"}))


@pytest.mark.parametrize(("username", "code", "roles", "password", "message"), [
    ("Jens Hansen", "630", ["team"], PASSWORD, "ugyldigt brugernavn 'Jens Hansen'"),
    ("jens", "63", ["team"], PASSWORD, "ugyldig kommunekode '63'"),
    ("jens", "630", [], PASSWORD, "mindst én rolle"),
    ("jens", "630", ["team"], "kort", "mindst 10 tegn"),
    ("jens", "630", ["teem-integration"], PASSWORD, "ukendt rolle 'teem-integration'"),
    ("jens", "630", ["team"], None, "angiv en adgangskode"),
])
def test_bad_accounts_are_refused_with_a_reason(db: Database, username: str, code: str, roles: list[str],
                                                password: str | None, message: str) -> None:
    known = None if "teem" not in "".join(roles) else ["team-integration"]
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(db, username, code, roles, password=password, known_roles=known)
    assert accounts.list_users(db) == []


def test_a_taken_username_is_refused_and_the_first_account_kept(db: Database, english: None) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration"], password=PASSWORD)
    with pytest.raises(accounts.AccountError, match="taken"):
        accounts.add_user(db, "jens", "101", ["direktoer"], password=PASSWORD)
    assert [(u.username, u.municipality) for u in accounts.list_users(db)] == [("jens", "630")]


def test_roles_reach_their_enabled_people(db: Database) -> None:
    accounts.add_user(db, "jens", "630", ["team-integration", "center-job-erhverv"], password=PASSWORD)
    accounts.add_user(db, "hanne", "630", ["center-job-erhverv"], password=PASSWORD)
    accounts.add_user(db, "ole", "101", ["center-job-erhverv"], password=PASSWORD)
    accounts.set_disabled(db, "hanne")
    assert [u.username for u in accounts.users_with_role(db, "630", "center-job-erhverv")] == ["jens"]
    accounts.set_roles(db, "jens", ["team-integration"])
    assert accounts.users_with_role(db, "630", "center-job-erhverv") == []


def test_an_api_key_works_until_revoked_and_only_with_its_own_secret(db: Database) -> None:
    key, token = keys.create_key(db, "630", "økonomisystem", ["observations:write"], created_by="user:admin", now=T0)
    assert token.startswith("gck_" + key.id)
    stored = db.read(lambda c: c.execute(sa.select(keys.KEY.c.secret_hash)).scalar_one())
    assert token not in stored
    principal = keys.principal_of_key(db, token)
    assert principal == Principal("key", key.id, "630", scopes=frozenset({"observations:write"}))
    assert keys.principal_of_key(db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    keys.revoke_key(db, key.id, now=T0)
    assert keys.principal_of_key(db, token) is None
    assert keys.list_keys(db, "630")[0].revoked_at == T0.isoformat()


def test_an_unknown_scope_is_refused(db: Database, english: None) -> None:
    with pytest.raises(keys.ApiKeyError, match="unknown scope 'observation:write'"):
        keys.create_key(db, "630", "x", ["observation:write"])
    assert keys.list_keys(db) == []


def test_a_session_expires_and_ends_at_logout(db: Database) -> None:
    token = sessions.create_session(db, "jens", "630", now=T0)
    assert sessions.session_of(db, token, now=T0 + dt.timedelta(hours=1)) is not None
    assert sessions.session_of(db, token, now=T0 + sessions.API_TOKEN_LIFETIME) is None
    assert sessions.session_of(db, token + "x", now=T0) is None
    assert sessions.end_session(db, token) and sessions.session_of(db, token, now=T0) is None


# ------------------------------------------------------------------------- the permission matrix

ORG = Organisation(roles=[
    Role(id="udvalg", title="Udvalg", kind="committee"),
    Role(id="chef", title="Chef", kind="head", superior="udvalg"),
    Role(id="center", title="Center", kind="centre", superior="chef"),
    Role(id="team", title="Team", kind="team", superior="center"),
    Role(id="andet-team", title="Andet team", kind="team", superior="chef"),
])
PEOPLE = {
    "team": Principal("user", "t", "630", frozenset({"team"})),
    "center": Principal("user", "c", "630", frozenset({"center"})),
    "chef": Principal("user", "d", "630", frozenset({"chef"})),
    "other team": Principal("user", "o", "630", frozenset({"andet-team"})),
    "admin": Principal("user", "a", "630", frozenset({"andet-team"}), admin=True),
    "team and center": Principal("user", "tc", "630", frozenset({"team", "center"})),
}
# (who, operation) → allowed on an item owned by "team" in their own municipality
EXPECTED: dict[tuple[str, Operation], bool] = {}
for who in PEOPLE:
    for op in Operation:
        EXPECTED[who, op] = op in (Operation.VIEW, Operation.READ_EVENTS)
    EXPECTED[who, Operation.SUBMIT] = EXPECTED[who, Operation.DELIVER] = who in ("team", "team and center")
    EXPECTED[who, Operation.DECIDE] = who in ("center", "chef")
for op in (Operation.ADMINISTER, Operation.READ_NOTIFICATIONS, Operation.WRITE_OBSERVATIONS):
    EXPECTED["admin", op] = True


@pytest.mark.parametrize(("who", "op", "own"), list(itertools.product(PEOPLE, Operation, [True, False])))
def test_the_permission_matrix_for_people(who: str, op: Operation, own: bool) -> None:
    principal = PEOPLE[who]
    municipality = "630" if own else "101"
    expected = own and EXPECTED[who, op]
    assert allowed(principal, op, municipality, organisation=ORG, owner_roles=["team"]) is expected
    if not expected:
        with pytest.raises(Forbidden) as err:
            authorize(principal, op, municipality, organisation=ORG, owner_roles=["team"])
        assert "101" not in str(err.value) and "team" not in str(err.value).split(":")[0]


@pytest.mark.parametrize(("scope", "op", "own"), list(itertools.product(SCOPES, Operation, [True, False])))
def test_the_permission_matrix_for_keys(scope: str, op: Operation, own: bool) -> None:
    key = Principal("key", "k1", "630", scopes=frozenset({scope}))
    expected = own and op.value == scope and op is not Operation.ADMINISTER
    assert allowed(key, op, "630" if own else "101", organisation=ORG, owner_roles=["team"]) is expected


def test_a_joint_owner_may_submit_but_not_decide_the_shared_action() -> None:
    center = PEOPLE["center"]
    assert allowed(center, Operation.SUBMIT, "630", owner_roles=["team", "center"])
    assert not allowed(center, Operation.DECIDE, "630", organisation=ORG, owner_roles=["team", "center"])
    assert allowed(PEOPLE["chef"], Operation.DECIDE, "630", organisation=ORG, owner_roles=["team", "center"])


def test_the_forbidden_answer_is_the_same_for_any_other_municipality() -> None:
    messages = set()
    for op in Operation:
        with pytest.raises(Forbidden) as err:
            authorize(PEOPLE["admin"], op, "101", organisation=ORG, owner_roles=["team"])
        messages.add(str(err.value))
    assert len(messages) == 1
