"""The pages where people answer the live run: `/opgaver` ("Mine opgaver": the corrective actions
and deliverables demanded of one's roles, a form to submit or deliver, and what became of earlier
answers) and `/godkendelser` (submitted actions of the roles below one's own, to accept or reject).

Every write goes through `LiveRuns.submit/accept/reject/deliver`, which check the permission
again; the page itself refuses, with the same 403, an id the person may not answer whether it
exists or not, so that a post never tells what another role or municipality holds. A successful
post redirects back to the page with a confirmation (Post/Redirect/Get: reloading does not post
again); a post that must be corrected shows the page again with the error at its field and keeps
what was written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from govcore.access.accounts import AccountError, get_user
from govcore.access.live import InvalidInput, LiveRuns, NotFound
from govcore.access.permissions import Forbidden, Operation, allowed
from govcore.event_labels import action_state
from govcore.i18n import N_, _, ngettext
from govcore.model import Organisation
from govcore.web.session import CheckedForm, Person, WebSession
from govcore.web.templating import render, today
from govcore.web.views.tasks import Answer, answers

router = APIRouter(include_in_schema=False)

WAITING = frozenset({"demanded", "escalated", "rejected"})  # the owner is to act
MAX_TEXT = 5000
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")

# The confirmation after a successful post: only these words are shown (never the query's text).
CONFIRMATIONS = {
    "indsendt": N_("The action {id} is submitted. It now awaits approval."),
    "afleveret": N_("The deliverable {id} is reported delivered."),
    "godkendt": N_("The action {id} is accepted."),
    "afvist": N_("The action {id} is rejected. The owner must submit a new action."),
}


def days_left(state: str, due: str | None, day: dt.date) -> tuple[str, bool]:
    """The due date as the owner reads it, and whether it has passed. Only an action the owner
    still has to answer can be late: a submitted or accepted one was answered (never "N dage over
    fristen" for an accepted action)."""
    if state not in WAITING or not due:
        return "", False
    n = (dt.date.fromisoformat(due[:10]) - day).days
    if n > 0:
        return ngettext("{n} day left", "{n} days left", n).format(n=n), False
    if n == 0:
        return _("The deadline is today"), False
    return ngettext("{n} day past the deadline", "{n} days past the deadline", -n).format(n=-n), True


def _role_title(org: Organisation, role: str) -> str:
    return org.role(role).title if org.has(role) else role


class _Names:
    """Who answered, as people read it: the person's name and username (a key as a key)."""

    def __init__(self, request: Request, municipality: str) -> None:
        self.request, self.municipality = request, municipality
        self._seen: dict[str, str] = {}

    def __call__(self, actor: str | None) -> str:
        if not actor:
            return _("unknown (from an answer file)")
        if actor not in self._seen:
            kind, _sep, name = actor.partition(":")
            text = _("API key {name}").format(name=name) if kind == "key" else name
            if kind == "user":
                try:
                    user = get_user(self.request.app.state.db, name)
                    if user.municipality == self.municipality and user.name:
                        text = f"{user.name} ({name})"
                except AccountError:
                    pass
            self._seen[actor] = text
        return self._seen[actor]


@dataclass
class Trail:
    """One answer on an action, in words."""

    kind: str
    label: str
    at: str
    text: str
    who: str
    new_due: str | None


@dataclass
class ActionView:
    action: dict[str, Any]
    state_label: str
    due_text: str
    overdue: bool
    joint: list[str] = field(default_factory=list)
    escalated_from: str = ""
    escalated_to: str = ""
    owner_title: str = ""
    trail: list[Trail] = field(default_factory=list)
    last_rejection: Trail | None = None
    submitted: Trail | None = None


_ANSWER_LABELS = {"submitted": N_("Submitted"), "accepted": N_("Accepted"), "rejected": N_("Rejected")}


def _trail(found: Sequence[Answer], names: _Names) -> list[Trail]:
    return [Trail(a.kind, _(_ANSWER_LABELS[a.kind]) if a.kind in _ANSWER_LABELS else a.kind, a.at, a.text,
                  names(a.actor), a.new_due) for a in found]


def _view(a: dict[str, Any], org: Organisation, day: dt.date, trail: list[Trail],
          escalations: Mapping[str, dict[str, Any]], roles: Iterable[str] = ()) -> ActionView:
    text, late = days_left(str(a["state"]), a["due"], day)
    esc = escalations.get(str(a["id"]))
    mine = set(roles)
    v = ActionView(a, action_state(str(a["state"])), text, late,
                   joint=[_role_title(org, r) for r in a["owners"] if r not in mine],
                   owner_title=_(" and ").join(_role_title(org, r) for r in a["owners"]), trail=trail)
    if esc is not None:
        v.escalated_from = _role_title(org, str(esc["from_role"]))
        v.escalated_to = _role_title(org, str(esc["to_role"]))
    v.last_rejection = next((t for t in reversed(trail) if t.kind == "rejected"), None)
    v.submitted = next((t for t in reversed(trail) if t.kind == "submitted"), None)
    return v


def _context(request: Request, who: WebSession) -> tuple[LiveRuns, Organisation, dt.date]:
    live: LiveRuns = request.app.state.live
    cfg = live.config(live.run(who.municipality))
    return live, cfg.organisation, today(request)


def _goal_titles(live: LiveRuns, municipality: str) -> dict[str, str]:
    """Goal id → title in the run's configuration (every version: a goal may have been renamed)."""
    cfg = live.config(live.run(municipality))
    titles: dict[str, str] = {}
    for version in (cfg, *cfg.versions):
        for g in version.goals:
            titles.setdefault(g.id, g.title)
    return titles


def _confirmation(ok: str | None, ident: str | None) -> str:
    template = _(CONFIRMATIONS[ok]) if ok in CONFIRMATIONS else None
    if template is None:
        return ""
    shown = ident if ident and _ID.fullmatch(ident) else ""
    return template.replace("{id}", shown).replace("  ", " ")


def _redirect(path: str, ok: str, ident: str) -> RedirectResponse:
    from urllib.parse import urlencode

    return RedirectResponse(f"{path}?{urlencode({'ok': ok, 'id': ident})}", status_code=303)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# ----------------------------------------------------------------------------------- /opgaver


def _no_run(request: Request, who: WebSession, title: str) -> Response:
    return render(request, "pages/tasks_no_run.html", who, title=title)


def _tasks_page(request: Request, who: WebSession, *, status: int = 200, errors: Mapping[str, str] | None = None,
                drafts: Mapping[str, str] | None = None, ok: str | None = None, ident: str | None = None) -> Response:
    try:
        live, org, day = _context(request, who)
    except NotFound:
        return _no_run(request, who, _("My tasks"))
    p, m = who.principal, who.municipality
    roles = p.roles
    actions = live.actions(p, m)
    trail_of = answers(live, p, m)
    names = _Names(request, m)
    latest_escalation: dict[str, dict[str, Any]] = {}
    escalated_from_me: set[str] = set()
    for e in live.escalations(p, m):
        latest_escalation[str(e["action"])] = e
        if e["from_role"] in roles:
            escalated_from_me.add(str(e["action"]))

    def view(a: dict[str, Any]) -> ActionView:
        return _view(a, org, day, _trail(trail_of.get(str(a["id"]), []), names), latest_escalation, roles)

    held = [a for a in actions if roles & set(a["owners"])]
    open_actions = [view(a) for a in held if a["state"] in WAITING
                    and allowed(p, Operation.SUBMIT, m, owner_roles=a["owners"])]
    open_actions.sort(key=lambda v: (str(v.action["due"] or ""), str(v.action["id"])))
    awaiting = [view(a) for a in held if a["state"] == "submitted"]
    gone_up = [view(a) for a in actions if str(a["id"]) in escalated_from_me and not roles & set(a["owners"])]
    history_ids = {str(a["id"]) for a in held} | escalated_from_me
    history = [view(a) for a in actions if str(a["id"]) in history_ids and trail_of.get(str(a["id"]))]
    history.sort(key=lambda v: (v.trail[-1].at if v.trail else "", str(v.action["id"])), reverse=True)

    deliverables = []
    for d in live.deliverables(p, m):
        if not roles & set(d["owners"]):
            continue
        text, late = days_left("demanded", d["due"], day) if not d["delivered_at"] else ("", False)
        deliverables.append({**d, "due_text": text, "overdue": late,
                             "can_deliver": not d["delivered_at"] and allowed(p, Operation.DELIVER, m,
                                                                              owner_roles=d["owners"]),
                             "owner_title": _(" and ").join(_role_title(org, r) for r in d["owners"])})
    deliverables.sort(key=lambda d: (d["delivered_at"] is not None, str(d["due"] or "9999"), str(d["id"])))
    return render(request, "pages/tasks.html", who, status=status, title=_("My tasks"),
                  open_actions=open_actions, awaiting=awaiting, gone_up=gone_up, history=history,
                  deliverables=deliverables, roles=[_role_title(org, r) for r in sorted(roles)],
                  errors=errors or {}, drafts=drafts or {}, confirmation=_confirmation(ok, ident),
                  max_text=MAX_TEXT, goal_titles=_goal_titles(live, m))


@router.get("/opgaver")
def tasks(request: Request, who: Person, ok: str | None = None, id: str | None = None) -> Response:
    return _tasks_page(request, who, ok=ok, ident=id)


def _submittable(request: Request, who: WebSession, action_id: str) -> dict[str, Any]:
    """The action, if this person may submit it; otherwise 403, alike whether it exists or not."""
    live: LiveRuns = request.app.state.live
    p = who.principal
    if _ID.fullmatch(action_id):
        for a in live.actions(p, who.municipality):
            if a["id"] == action_id and allowed(p, Operation.SUBMIT, who.municipality, owner_roles=a["owners"]):
                return a
    raise Forbidden(_("forbidden: this is demanded of another role than yours, or does not exist"))


@router.post("/opgaver/{action_id}/indsend")
def submit(request: Request, who: Person, form: CheckedForm, action_id: str) -> Response:
    _submittable(request, who, action_id)
    text = _text(form, "text")
    problem = ""
    if not text.strip():
        problem = _("Write what has been done or will be done before you submit the action.")
    elif len(text) > MAX_TEXT:
        problem = _("The text is too long: at most {limit} characters (it has {length}).").format(
            limit=MAX_TEXT, length=len(text))
    if not problem:
        try:
            request.app.state.live.submit(who.principal, who.municipality, action_id, text.strip())
        except InvalidInput as err:
            problem = "; ".join(p.message for p in err.problems)
    if problem:
        return _tasks_page(request, who, status=422, errors={action_id: problem}, drafts={action_id: text})
    return _redirect("/opgaver", "indsendt", action_id)


@router.post("/opgaver/leverancer/{deliverable_id}/aflever")
def deliver(request: Request, who: Person, _form: CheckedForm, deliverable_id: str) -> Response:
    live: LiveRuns = request.app.state.live
    p = who.principal
    mine = _ID.fullmatch(deliverable_id) and any(
        d["id"] == deliverable_id and allowed(p, Operation.DELIVER, who.municipality, owner_roles=d["owners"])
        for d in live.deliverables(p, who.municipality))
    if not mine:
        raise Forbidden(_("forbidden: this deliverable is demanded of another role than yours, or does not exist"))
    live.deliver(p, who.municipality, deliverable_id)
    return _redirect("/opgaver", "afleveret", deliverable_id)


# ------------------------------------------------------------------------------ /godkendelser


def _decidable(live: LiveRuns, who: WebSession, org: Organisation) -> list[dict[str, Any]]:
    p, m = who.principal, who.municipality
    return [a for a in live.actions(p, m, "submitted")
            if allowed(p, Operation.DECIDE, m, organisation=org, owner_roles=a["owners"])]


def _approvals_page(request: Request, who: WebSession, *, status: int = 200,
                    errors: Mapping[str, str] | None = None, drafts: Mapping[str, str] | None = None,
                    ok: str | None = None, ident: str | None = None) -> Response:
    try:
        live, org, day = _context(request, who)
    except NotFound:
        return _no_run(request, who, _("Approvals"))
    p, m = who.principal, who.municipality
    trail_of = answers(live, p, m)
    names = _Names(request, m)
    escalations = {str(e["action"]): e for e in live.escalations(p, m)}
    items = [_view(a, org, day, _trail(trail_of.get(str(a["id"]), []), names), escalations)
             for a in _decidable(live, who, org)]
    items.sort(key=lambda v: (str(v.action["submitted_at"] or ""), str(v.action["id"])))
    below = sorted({r.id for r in org.roles if r.id not in p.roles
                    and p.roles & set(org.chain(r.id)[1:])})
    return render(request, "pages/approvals.html", who, status=status, title=_("Approvals"), items=items,
                  below=[_role_title(org, r) for r in below], errors=errors or {}, drafts=drafts or {},
                  confirmation=_confirmation(ok, ident), max_text=MAX_TEXT, goal_titles=_goal_titles(live, m))


@router.get("/godkendelser")
def approvals(request: Request, who: Person, ok: str | None = None, id: str | None = None) -> Response:
    return _approvals_page(request, who, ok=ok, ident=id)


@router.post("/godkendelser/{action_id}")
def decide(request: Request, who: Person, form: CheckedForm, action_id: str) -> Response:
    live, org, _day = _context(request, who)
    p, m = who.principal, who.municipality
    known = _ID.fullmatch(action_id) and any(
        a["id"] == action_id and allowed(p, Operation.DECIDE, m, organisation=org, owner_roles=a["owners"])
        for a in live.actions(p, m))
    if not known:
        raise Forbidden(_("forbidden: only a role above the owner may decide, or the action does not exist"))
    decision, comment = _text(form, "decision"), _text(form, "comment")
    problem = ""
    if decision not in ("accept", "reject"):
        problem = _("Choose Accept or Reject.")
    elif decision == "reject" and not comment.strip():
        problem = _("Write in the comment why the action is rejected: the owner must know what is missing.")
    elif len(comment) > MAX_TEXT:
        problem = _("The comment is too long: at most {limit} characters (it has {length}).").format(
            limit=MAX_TEXT, length=len(comment))
    if not problem:
        try:
            if decision == "accept":
                live.accept(p, m, action_id, comment.strip())
            else:
                live.reject(p, m, action_id, comment.strip())
        except InvalidInput as err:
            problem = "; ".join(x.message for x in err.problems)
    if problem:
        return _approvals_page(request, who, status=422, errors={action_id: problem}, drafts={action_id: comment})
    return _redirect("/godkendelser", "godkendt" if decision == "accept" else "afvist", action_id)
