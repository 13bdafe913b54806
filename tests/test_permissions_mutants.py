"""What a refused person or key is told, and the edges of the permission matrix that
tests/test_access.py does not reach: found by mutation testing of `govcore/access/permissions.py`
(docs/testing.md, "Mutation testing"). The matrix pins who may do what; these pin *why not* — the
reason the server's 403 and the CLI give — and the cases around the line of escalation."""

from __future__ import annotations

import pytest

from govcore.access.permissions import Forbidden, Operation, allowed, authorize
from govcore.access.principal import Principal
from govcore.model import Organisation, Role

ORG = Organisation(roles=[
    Role(id="udvalg", title="Udvalg", kind="committee"),
    Role(id="chef", title="Chef", kind="head", superior="udvalg"),
    Role(id="center", title="Center", kind="centre", superior="chef"),
    Role(id="team", title="Team", kind="team", superior="center"),
])


def user(*roles: str, admin: bool = False) -> Principal:
    return Principal("user", "u", "630", frozenset(roles), admin=admin)


def reason(principal: Principal, op: Operation, *, municipality: str = "630", organisation: Organisation | None = ORG,
           owner_roles: tuple[str, ...] = ("team",)) -> str:
    with pytest.raises(Forbidden) as err:
        authorize(principal, op, municipality, organisation=organisation, owner_roles=owner_roles)
    assert not allowed(principal, op, municipality, organisation=organisation, owner_roles=owner_roles)
    return str(err.value)


@pytest.mark.parametrize(("principal", "op", "kwargs", "message"), [
    (user("team"), Operation.VIEW, {"municipality": "101"},
     "forbidden: this belongs to another municipality or does not exist"),
    (Principal("key", "k", "630", scopes=frozenset({"status:read"})), Operation.SUBMIT, {},
     "forbidden: the key lacks the scope 'actions:submit'"),
    (Principal("key", "k", "630", scopes=frozenset({"admin"})), Operation.ADMINISTER, {},
     "forbidden: the key lacks the scope 'admin'"),
    (user("team"), Operation.WRITE_OBSERVATIONS, {},
     "forbidden: only an administrator of the municipality may do this"),
    (user("team"), Operation.SUBMIT, {"owner_roles": ()}, "forbidden: the item names no responsible role"),
    (user("center"), Operation.DELIVER, {}, "forbidden: this is demanded of another role than yours"),
    (user("team"), Operation.DECIDE, {},
     "forbidden: you cannot accept or reject an action demanded of your own role"),
    (user("chef"), Operation.DECIDE, {"organisation": None}, "forbidden: the line of escalation is unknown"),
    (user("team"), Operation.DECIDE, {"owner_roles": ("center",)},
     "forbidden: only a role above the owner in the line of escalation may decide"),
], ids=["other municipality", "key scope", "key admin", "not admin", "no owner", "other role", "own action",
        "no organisation", "below the owner"])
def test_each_refusal_says_why(english: None, principal: Principal, op: Operation, kwargs: dict[str, object],
                               message: str) -> None:
    assert reason(principal, op, **kwargs) == message  # type: ignore[arg-type]


def test_a_principal_of_an_unknown_kind_may_not_even_read(english: None) -> None:
    """Only people and keys are principals: anything else (a session of another kind) is refused
    everything, reading included, rather than treated as a person without roles."""
    robot = Principal("service", "s", "630", frozenset({"chef"}), admin=True, scopes=frozenset({"status:read"}))
    for op in Operation:
        assert reason(robot, op) == "forbidden: unknown kind of principal"


def test_a_refusal_is_told_in_danish_by_default() -> None:
    assert reason(user("team"), Operation.DECIDE, owner_roles=("center",)) == \
        "ingen adgang: kun en rolle over ejeren i eskaleringsvejen må tage stilling"
