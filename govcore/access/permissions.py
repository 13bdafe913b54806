"""Who may do what: the one place where every permission of the server and the CLI is decided.

Every operation names what it touches; `authorize` answers for a principal and raises
`Forbidden` otherwise. The municipality is checked first and the answer is the same whether the
object exists or not, so a forbidden request never reveals anything about another municipality.
The matrix of roles × operations × own / other municipality is tested in tests/test_permissions.py.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

from govcore.access.principal import Principal
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.model import Organisation


class Forbidden(GovcoreError):
    """The principal may not do this (HTTP 403). The message never names another municipality's data."""


class Operation(Enum):
    """What a request does; the value is the API-key scope that allows it."""

    VIEW = "status:read"  # goals and their status, actions, deviations, escalations, deliverables, the wheel
    READ_EVENTS = "events:read"  # the decision log
    WRITE_OBSERVATIONS = "observations:write"
    SUBMIT = "actions:submit"  # submit a corrective action demanded of one's role
    DECIDE = "actions:decide"  # accept or reject a submitted action of a role below one's own
    DELIVER = "deliverables:write"
    READ_NOTIFICATIONS = "notifications:read"
    ADMINISTER = "admin"  # people, roles, keys of the municipality (never a key)


SCOPES: tuple[str, ...] = tuple(op.value for op in Operation if op is not Operation.ADMINISTER)

# Operations any person of the municipality may do (reading); the others depend on roles.
_EVERYONE = frozenset({Operation.VIEW, Operation.READ_EVENTS})


def authorize(principal: Principal, operation: Operation, municipality: str, *,
              organisation: Organisation | None = None, owner_roles: Collection[str] = ()) -> None:
    """Allow or raise `Forbidden`.

    `owner_roles` are the roles an action or deliverable is demanded of (the lead owner and any
    joint owners); SUBMIT, DECIDE and DELIVER need them, DECIDE needs the organisation as well
    (the line of escalation).
    """
    if principal.municipality != municipality:
        raise Forbidden(_("forbidden: this belongs to another municipality or does not exist"))
    if principal.kind == "key":
        if operation is Operation.ADMINISTER or operation.value not in principal.scopes:
            raise Forbidden(_("forbidden: the key lacks the scope {scope}").format(scope=repr(operation.value)))
        return
    if principal.kind != "user":
        raise Forbidden(_("forbidden: unknown kind of principal"))
    if operation in _EVERYONE:
        return
    if operation in (Operation.ADMINISTER, Operation.READ_NOTIFICATIONS, Operation.WRITE_OBSERVATIONS):
        if not principal.admin:
            raise Forbidden(_("forbidden: only an administrator of the municipality may do this"))
        return
    if not owner_roles:
        raise Forbidden(_("forbidden: the item names no responsible role"))
    own = principal.roles & set(owner_roles)
    if operation in (Operation.SUBMIT, Operation.DELIVER):
        if not own:
            raise Forbidden(_("forbidden: this is demanded of another role than yours"))
        return
    # DECIDE: a role above the owner in the line of escalation, and never one's own action.
    if own:
        raise Forbidden(_("forbidden: you cannot accept or reject an action demanded of your own role"))
    if organisation is None:
        raise Forbidden(_("forbidden: the line of escalation is unknown"))
    above = {r for o in owner_roles if organisation.has(o) for r in organisation.chain(o)[1:]}
    if not principal.roles & above:
        raise Forbidden(_("forbidden: only a role above the owner in the line of escalation may decide"))


def allowed(principal: Principal, operation: Operation, municipality: str, *,
            organisation: Organisation | None = None, owner_roles: Collection[str] = ()) -> bool:
    """`authorize` as a yes/no (for pages that show or hide a button)."""
    try:
        authorize(principal, operation, municipality, organisation=organisation, owner_roles=owner_roles)
    except Forbidden:
        return False
    return True
