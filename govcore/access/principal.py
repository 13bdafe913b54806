"""The one who makes a request: a person (by username) or another system (by API key)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """Everything a permission check needs, read once per request.

    A person holds organisation roles of one municipality and may be its administrator; a key is
    bound to one municipality and may do only what its scopes allow. `actor` is what the decision
    log records as who gave a response ("user:jens" or "key:gk_4f2a…").
    """

    kind: str  # "user" or "key"
    name: str  # the username or the key id
    municipality: str
    roles: frozenset[str] = field(default_factory=frozenset)
    admin: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"
