"""The text of a notification: a jinja2 template per kind (templates/), filled from the row's
payload, with a link to the item when the base URL is known (GOVCORE_BASE_URL). Danish unless the
sending process's language is English (`GOVCORE_LANG`, govcore.i18n.language())."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2

from govcore.formatting import danish_date
from govcore.i18n import _, install_jinja

KINDS = ("action_demanded", "reminder", "rejected", "overdue", "escalated", "deviation", "notify", "digest")
# Where each kind of item is seen in the web application (under the base URL).
_PATHS = {"action": "actions", "deviation": "deviations", "goal": "goals", "deliverable": "deliverables"}


def _dato(value: Any) -> str:
    """'2021-03-15' → '15.03.2021', as the year report writes dates."""
    if not value:
        return "–"
    try:
        return danish_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("govcore", "notify/templates"), autoescape=False,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["dato"] = _dato
    install_jinja(env)
    return env


def link(base_url: str | None, municipality: str, row: Mapping[str, Any]) -> str | None:
    """The page of the notification's item: its action, deviation, goal or deliverable."""
    if not base_url:
        return None
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    kind = row.get("kind")
    if kind == "deviation" and payload.get("deviation"):
        what, ident = "deviation", payload["deviation"]
    elif payload.get("action"):
        what, ident = "action", payload["action"]
    elif row.get("subject_kind") in _PATHS and row.get("subject"):
        what, ident = str(row["subject_kind"]), row["subject"]
    else:
        return f"{base_url}/municipalities/{municipality}"
    return f"{base_url}/municipalities/{municipality}/{_PATHS[what]}/{quote(str(ident), safe='')}"


def render(row: Mapping[str, Any], base_url: str | None = None) -> tuple[str, str]:
    """(subject, body) of an outbox row."""
    payload: dict[str, Any] = json.loads(row["payload"]) if isinstance(row["payload"], str) else dict(row["payload"])
    kind = str(row["kind"])
    name = payload.get("municipality_name", "")
    for k in ("owners_titles", "former_titles"):
        if isinstance(payload.get(k), list):  # rows before 28.11.2026 hold them joined in Danish
            payload[k] = _(" and ").join(str(t) for t in payload[k])
    context = {**payload, "link": link(base_url, str(row["municipality"]), row),
               "name": _("{name} Municipality").format(name=name) if name
               else _("municipality {code}").format(code=row["municipality"])}
    text = _environment().get_template(f"{kind if kind in KINDS else 'notify'}.txt.j2").render(context)
    first, _sep, body = text.partition("\n")
    return " ".join(first.split())[:200], body.lstrip("\n")
