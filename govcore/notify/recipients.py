"""Who a notification reaches: the people holding its role (through their accounts), and the
role's shared mailbox.

Read when the notification is sent, not when it is written: a person who takes over a role
before then is told, one who left (or whose account is disabled) is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from govcore.access.accounts import AccountError, User, get_user, users_with_role
from govcore.store.db import Database


@dataclass(frozen=True)
class Recipient:
    """One address a notification goes to; `username` is None for a shared mailbox."""

    address: str
    name: str
    username: str | None = None


def recipients(db: Database, municipality: str, role: str | None, mailbox: str | None = None,
               username: str | None = None) -> list[Recipient]:
    """Every enabled account of `municipality` holding `role` (or the one `username`) with an
    e-mail address, then the role's shared mailbox; each address once, in a fixed order."""
    users: list[User] = []
    if username is not None:
        try:
            one = get_user(db, username)
        except AccountError:
            one = None
        users = [one] if one is not None and one.municipality == municipality and not one.disabled else []
    elif role is not None:
        users = users_with_role(db, municipality, role)
    found = [Recipient(u.email, u.name or u.username, u.username) for u in users if u.email]
    if mailbox:
        found.append(Recipient(mailbox, ""))
    out: list[Recipient] = []
    seen: set[str] = set()
    for rec in found:
        if rec.address.lower() not in seen:
            seen.add(rec.address.lower())
            out.append(rec)
    return out
