"""Administration of a municipality on the pages (`/admin`): its people and their roles, its API
keys and the state of its notifications.

A thin skin over the same library functions as `govcore users|keys|notifications`
(govcore.access.accounts, govcore.access.keys, govcore.notify.state): every page and post first
asks `authorize(principal, Operation.ADMINISTER, municipality)`, and every lookup and change is
scoped to the administrator's own municipality in the library call itself, so another
municipality's person, key or notification is "not found" alike whether it exists or not. Every
change is logged (who, what; never a password or a key's secret). A key's secret is shown once,
on the page that answers its creation, and never again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from govcore.access import accounts
from govcore.access import keys as api_keys
from govcore.access.live import NotFound
from govcore.access.permissions import SCOPES, Operation, authorize
from govcore.errors import GovcoreError
from govcore.i18n import N_, _
from govcore.notify import state as outbox
from govcore.text import date_text
from govcore.web.session import CheckedForm, Person, WebSession
from govcore.web.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("govcore.web.admin")

ZONE = ZoneInfo("Europe/Copenhagen")
# Message ids: the templates and _notice translate them where they are read.
SCOPE_TEXT = {
    "status:read": N_("Read goals, status, actions, deviations and the annual cycle"),
    "events:read": N_("Read the decision log"),
    "observations:write": N_("Report observations"),
    "actions:submit": N_("Submit actions"),
    "actions:decide": N_("Accept or reject actions"),
    "deliverables:write": N_("Report deliverables delivered"),
    "notifications:read": N_("Read the state of the notifications"),
}
STATE_TEXT = {"pending": N_("Waiting"), "sent": N_("Sent"), "failed": N_("Failed"),
              "cancelled": N_("Cancelled"), "digested": N_("Gathered in the daily digest")}
KIND_TEXT = {"action_demanded": N_("Action demanded"), "rejected": N_("Action turned down"),
             "overdue": N_("Deadline passed"), "escalated": N_("Escalated"),
             "deviation": N_("Deviation"), "notify": N_("Message"),
             "reminder": N_("Reminder"), "digest": N_("Daily digest")}
NOTICES = {"tilfoejet": N_("The person is created."),
           "roller": N_("The roles are saved."),
           "admin-ja": N_("The person is now an administrator."),
           "admin-nej": N_("The person is no longer an administrator."),
           "spaerret": N_("The person is locked."),
           "aabnet": N_("The person can log in again."),
           "adgangskode": N_("The new password is saved."),
           "tilbagekaldt": N_("The key is revoked and no longer works."),
           "igen": N_("The notification is sent again at the next sending.")}
SHOWN_NOTIFICATIONS = 200


@dataclass(frozen=True)
class RoleChoice:
    id: str
    title: str


def _admin(who: WebSession) -> str:
    """The administrator's municipality, after the one permission check every admin page makes."""
    authorize(who.principal, Operation.ADMINISTER, who.municipality)
    return who.municipality


def _roles(request: Request, municipality: str) -> list[RoleChoice]:
    """The organisation's roles, from the municipality's live run (none when it has no live run)."""
    live = request.app.state.live
    try:
        cfg = live.config(live.run(municipality))
    except NotFound:
        return []
    return [RoleChoice(r.id, r.title) for r in cfg.organisation.roles]


def _at(value: str | None) -> str:
    """An ISO time as people read it: '03.03.2021 kl. 10.15' (Danish time); none: '–'."""
    if not value:
        return "–"
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is not None:
        when = when.astimezone(ZONE)
    return _("{day} at {time}").format(day=date_text(when), time=f"{when:%H.%M}")


def _notice(request: Request) -> str:
    key = request.query_params.get("besked", "")
    return _(NOTICES[key]) if key in NOTICES else ""


def _done(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?besked={notice}", status_code=303)


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _role_problem(chosen: list[str], roles: list[RoleChoice]) -> str:
    known = {r.id for r in roles}
    if not roles:
        return _("The municipality has no live run, so its roles are not known. "
                 "People can be created with govcore users add.")
    if not chosen:
        return _("Choose at least one role.")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        return _("Unknown role: {roles}. Choose among the organisation's roles.").format(roles=", ".join(unknown))
    return ""


# ------------------------------------------------------------------------------ overview


@router.get("/admin")
def overview(request: Request, who: Person) -> Response:
    code = _admin(who)
    db = request.app.state.db
    people = accounts.list_users(db, code)
    keys = api_keys.list_keys(db, code)
    counts: dict[str, int] = {}
    for n in outbox.notification_state(db, code):
        counts[n["state"]] = counts.get(n["state"], 0) + 1
    return render(request, "pages/admin.html", who, title=_("Administration"), section="",
                  people=len(people), active_people=sum(not p.disabled for p in people),
                  keys=sum(k.revoked_at is None for k in keys), counts=counts, states=STATE_TEXT)


# -------------------------------------------------------------------------------- people


def _people_page(request: Request, who: WebSession, *, status: int = 200, errors: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None) -> Response:
    code = who.municipality
    roles = _roles(request, code)
    titles = {r.id: r.title for r in roles}
    people = accounts.list_users(request.app.state.db, code)
    return render(request, "pages/admin_people.html", who, status=status, title=_("People and roles"),
                  section="personer", people=people, roles=roles, titles=titles, errors=errors or {},
                  values=values or {"roles": []}, notice=_notice(request), min_password=accounts.MIN_PASSWORD)


@router.get("/admin/personer")
def people(request: Request, who: Person) -> Response:
    _admin(who)
    return _people_page(request, who)


@router.post("/admin/personer")
def add_person(request: Request, who: Person, form: CheckedForm) -> Response:
    """Add a person; every problem is shown at its field and nothing is stored until all are fixed."""
    code = _admin(who)
    db = request.app.state.db
    username = _text(form, "username", 100).lower()
    name = _text(form, "name")
    email = _text(form, "email") or None
    chosen = [v for v in form.getlist("rolle") if isinstance(v, str)]
    admin = form.get("admin") == "ja"
    sso = form.get("login") == "sso"
    raw = form.get("password")
    password = raw if isinstance(raw, str) else ""
    errors: dict[str, str] = {}
    if not accounts.USERNAME.match(username):
        errors["username"] = _("The username must have 2–64 characters: small letters, digits and . _ @ - "
                               "(and begin with a letter or digit).")
    else:
        try:
            accounts.get_user(db, username)
            errors["username"] = _("The username {username} is taken. Choose another.").format(username=username)
        except accounts.AccountError:
            pass
    if email is not None and not accounts.EMAIL.match(email):
        errors["email"] = _("The e-mail address is not valid (e.g. navn@kommune.dk).")
    if sso and email is None:
        errors["email"] = _("A person who logs in only with the municipality's login must have an e-mail address.")
    if not sso and len(password) < accounts.MIN_PASSWORD:
        errors["password"] = _("The password must have at least {n} characters.").format(n=accounts.MIN_PASSWORD)
    role_problem = _role_problem(chosen, roles := _roles(request, code))
    if role_problem:
        errors["roller"] = role_problem
    values = {"username": username, "name": name, "email": email or "", "roles": chosen, "admin": admin, "sso": sso}
    if errors:
        return _people_page(request, who, status=422, errors=errors, values=values)
    try:
        user = accounts.add_user(db, username, code, chosen, name=name, email=email, admin=admin,
                                 password=None if sso else password, single_sign_on=sso,
                                 known_roles=[r.id for r in roles])
    except accounts.AccountError as err:  # the library's own checks (e.g. the username taken meanwhile)
        problem = _("The person could not be created: {error}").format(error=err)
        return _people_page(request, who, status=422, errors={"username": problem}, values=values)
    log.info("%s added person %s in %s (roles %s%s%s)", who.principal.actor, user.username, code,
             ",".join(user.roles), ", administrator" if user.admin else "", ", single sign-on" if sso else "")
    return _done(f"/admin/personer/{user.username}", "tilfoejet")


def _the_person(request: Request, code: str, username: str) -> accounts.User:
    try:
        return accounts.get_user(request.app.state.db, username, municipality=code)
    except accounts.AccountError:
        raise NotFound(_("no such person in this municipality")) from None


def _person_page(request: Request, who: WebSession, username: str, *, status: int = 200,
                 errors: dict[str, str] | None = None, chosen: list[str] | None = None) -> Response:
    code = who.municipality
    person = _the_person(request, code, username)
    roles = _roles(request, code)
    return render(request, "pages/admin_person.html", who, status=status, title=person.name or person.username,
                  section="personer", person=person, roles=roles, titles={r.id: r.title for r in roles},
                  chosen=chosen if chosen is not None else list(person.roles), errors=errors or {},
                  notice=_notice(request), myself=person.username == who.user.username,
                  min_password=accounts.MIN_PASSWORD)


@router.get("/admin/personer/{username}")
def person(request: Request, who: Person, username: str) -> Response:
    _admin(who)
    return _person_page(request, who, username)


@router.post("/admin/personer/{username}/roller")
def change_roles(request: Request, who: Person, username: str, form: CheckedForm) -> Response:
    code = _admin(who)
    _the_person(request, code, username)
    chosen = [v for v in form.getlist("rolle") if isinstance(v, str)]
    roles = _roles(request, code)
    problem = _role_problem(chosen, roles)
    if problem:
        return _person_page(request, who, username, status=422, errors={"roller": problem}, chosen=chosen)
    user = accounts.set_roles(request.app.state.db, username, chosen, known_roles=[r.id for r in roles],
                              municipality=code)
    log.info("%s set the roles of %s in %s: %s", who.principal.actor, username, code, ",".join(user.roles))
    return _done(f"/admin/personer/{username}", "roller")


@router.post("/admin/personer/{username}/administrator")
def change_admin(request: Request, who: Person, username: str, form: CheckedForm) -> Response:
    code = _admin(who)
    _the_person(request, code, username)
    make = form.get("administrator") == "ja"
    try:
        accounts.set_admin(request.app.state.db, username, make, municipality=code, acting=who.user.username)
    except accounts.OwnAccount:
        return _person_page(request, who, username, status=409, errors={
            "administrator": _("You cannot remove your own administrator role. Ask another administrator to.")})
    log.info("%s %s administrator %s in %s", who.principal.actor, "made" if make else "removed", username, code)
    return _done(f"/admin/personer/{username}", "admin-ja" if make else "admin-nej")


@router.post("/admin/personer/{username}/spaerring")
def change_disabled(request: Request, who: Person, username: str, form: CheckedForm) -> Response:
    code = _admin(who)
    _the_person(request, code, username)
    disable = form.get("spaerret") == "ja"
    try:
        accounts.set_disabled(request.app.state.db, username, disable, municipality=code, acting=who.user.username)
    except accounts.OwnAccount:
        return _person_page(request, who, username, status=409, errors={
            "spaerring": _("You cannot lock yourself. Ask another administrator to.")})
    log.info("%s %s %s in %s", who.principal.actor, "disabled" if disable else "enabled", username, code)
    return _done(f"/admin/personer/{username}", "spaerret" if disable else "aabnet")


@router.post("/admin/personer/{username}/adgangskode")
def change_password(request: Request, who: Person, username: str, form: CheckedForm) -> Response:
    code = _admin(who)
    _the_person(request, code, username)
    raw = form.get("password")
    password = raw if isinstance(raw, str) else ""
    if len(password) < accounts.MIN_PASSWORD:
        return _person_page(request, who, username, status=422, errors={
            "password": _("The password must have at least {n} characters.").format(n=accounts.MIN_PASSWORD)})
    accounts.set_password(request.app.state.db, username, password, municipality=code)
    log.info("%s set a new password for %s in %s", who.principal.actor, username, code)
    return _done(f"/admin/personer/{username}", "adgangskode")


# ---------------------------------------------------------------------------------- keys


def _keys_page(request: Request, who: WebSession, *, status: int = 200, errors: dict[str, str] | None = None,
               values: dict[str, Any] | None = None) -> Response:
    keys = api_keys.list_keys(request.app.state.db, who.municipality)
    return render(request, "pages/admin_keys.html", who, status=status, title=_("API keys"), section="noegler",
                  keys=keys, scopes=SCOPE_TEXT, at=_at, errors=errors or {},
                  values=values or {"name": "", "scopes": []}, notice=_notice(request))


@router.get("/admin/noegler")
def keys(request: Request, who: Person) -> Response:
    _admin(who)
    return _keys_page(request, who)


@router.post("/admin/noegler")
def create_key(request: Request, who: Person, form: CheckedForm) -> Response:
    """A new key: the answer is the only page that ever shows its secret (pages are not cached)."""
    code = _admin(who)
    name = _text(form, "name", 100)
    chosen = [v for v in form.getlist("scope") if isinstance(v, str)]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Write what the key is used for (e.g. økonomisystem).")
    if not chosen:
        errors["scopes"] = _("Choose at least one access.")
    elif any(s not in SCOPES for s in chosen):
        errors["scopes"] = _("Unknown access. Choose among those in the list.")
    if errors:
        return _keys_page(request, who, status=422, errors=errors, values={"name": name, "scopes": chosen})
    key, token = api_keys.create_key(request.app.state.db, code, name, chosen, created_by=who.principal.actor)
    log.info("%s created API key %s in %s (%s)", who.principal.actor, key.id, code, ",".join(key.scopes))
    return render(request, "pages/admin_key_created.html", who, title=_("New API key"), section="noegler",
                  key=key, token=token, scopes=SCOPE_TEXT)


@router.post("/admin/noegler/{key_id}/tilbagekald")
def revoke_key(request: Request, who: Person, key_id: str, form: CheckedForm) -> Response:
    code = _admin(who)
    try:
        key = api_keys.revoke_key(request.app.state.db, key_id, municipality=code)
    except api_keys.ApiKeyError:
        raise NotFound(_("no such key in this municipality")) from None
    log.info("%s revoked API key %s in %s", who.principal.actor, key.id, code)
    return _done("/admin/noegler", "tilbagekaldt")


# ------------------------------------------------------------------------- notifications


@router.get("/admin/notifikationer")
def notifications(request: Request, who: Person, tilstand: str = "") -> Response:
    code = _admin(who)
    state = tilstand if tilstand in STATE_TEXT else None
    rows = outbox.notification_state(request.app.state.db, code, state=state)
    newest = list(reversed(rows))  # what needs the administrator first: the failed ones, then the newest
    shown = ([r for r in newest if r["state"] == "failed"] + [r for r in newest if r["state"] != "failed"]
             )[:SHOWN_NOTIFICATIONS]
    titles = {r.id: r.title for r in _roles(request, code)}
    return render(request, "pages/admin_notifications.html", who, title=_("Notifications"), section="notifikationer",
                  rows=shown, total=len(rows), state=state or "", states=STATE_TEXT, kinds=KIND_TEXT, at=_at,
                  titles=titles, notice=_notice(request))


@router.post("/admin/notifikationer/{ident}/igen")
def retry_notification(request: Request, who: Person, ident: str, form: CheckedForm) -> Response:
    _admin(who)
    try:
        code, _kind, _rest = outbox.parse_id(ident)
    except GovcoreError:
        raise NotFound(_("no such notification")) from None
    authorize(who.principal, Operation.ADMINISTER, code)  # the id names its municipality
    try:
        outbox.retry(request.app.state.db, ident)
    except outbox.UnknownNotification:
        raise NotFound(_("no such notification")) from None
    except GovcoreError:
        return render(request, "error.html", who, status=409, title=_("Cannot be sent again"),
                      text=_("The notification is already sent and is not sent again."))
    log.info("%s asked to send notification %s again", who.principal.actor, ident)
    return _done("/admin/notifikationer", "igen")
