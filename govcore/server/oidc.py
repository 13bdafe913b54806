"""OpenID Connect login for municipal single sign-on: authorization code flow with PKCE.

Municipalities log in through their own identity provider (AD FS, Entra ID, or a broker such as
Keycloak in front of KOMBIT's context handler); an OpenID Connect client covers most set-ups.
The flow (`oidc_router`):

1. `GET {prefix}/login?next=/path` — a fresh `state`, `nonce` and PKCE verifier go into a short-lived
   cookie (HttpOnly, SameSite=Lax, signed, ten minutes), and the browser is sent to the provider's
   authorization endpoint (found through its discovery document) with the S256 code challenge.
2. `GET {prefix}/callback?code=…&state=…` — the state must match the cookie; the code is exchanged
   for tokens with the verifier (and the client secret, for a confidential client); the ID token's
   signature is checked against the provider's JWKS (RS/PS/ES algorithms only), and its issuer,
   audience, nonce, expiry and issue time (with a minute of leeway).
3. The person is the account bound to (issuer, subject) — govcore_user.oidc_issuer/oidc_subject — or,
   on the first login, the one account whose `email` (claim `email`, when the provider does not say
   it is unverified) or `username` (any other claim, e.g. `preferred_username` or `upn`) equals the
   configured claim; it is then bound to the subject. A provider set to one municipality logs in
   only that municipality's people. An unknown person is refused unless `provision_roles` is set
   (then an account with those roles is created in the provider's municipality).
4. A web session (govcore.access.sessions.create_session, kind "web") is created and its token set
   as the session cookie (HttpOnly, SameSite=Lax, Secure when the request came over TLS — behind a
   reverse proxy, run uvicorn with --proxy-headers so that it knows — or when so configured).

Logging out (`end_session_url`): a person whose account is bound to the provider is sent on to
its `end_session_endpoint`, when its discovery document names one (RP-initiated logout), and comes
back to GOVCORE_BASE_URL + /login; the web page's logout (govcore.web.pages.login) does this.

Configuration: the issuer URL and client id come from settings or the environment, the client
secret only from the environment (GOVCORE_OIDC_CLIENT_SECRET); see `OidcSettings.from_env`.
JOSE (JWKS, JWT signature and claims) is joserfc, the JOSE library of the Authlib project that
Authlib itself now builds on; the OAuth 2 parameters (PKCE challenge, authorization URL) are
Authlib's.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InsecureClaimError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from starlette.concurrency import run_in_threadpool

from govcore.access.accounts import AccountError, User, add_user, get_user
from govcore.access.sessions import WEB_SESSION_LIFETIME, create_session
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.store.db import Database
from govcore.store.tables import UserRow, table

log = logging.getLogger("govcore.oidc")
USER = table(UserRow)

ENV_PREFIX = "GOVCORE_OIDC_"
SECRET_ENV = "GOVCORE_OIDC_CLIENT_SECRET"
KEY_ENV = "GOVCORE_SECRET_KEY"
SESSION_COOKIE = "govcore_session"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LOGIN_LIFETIME = 600  # seconds between the redirect to the provider and the callback


class OidcError(Exception):
    """A login that must be refused; `status` is the HTTP status, the message is safe to show."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class OidcSettingsError(GovcoreError, ValueError):
    """The OpenID Connect settings (GOVCORE_OIDC_*) cannot be used; the message names the variable.
    A ValueError too, as before it had its own class."""


@dataclass(frozen=True)
class OidcSettings:
    """One identity provider. `client_secret` is read from the environment only (never a file).

    municipality: log in only accounts of this municipality (and provision there);
    claim: the ID-token claim that finds an account not yet bound to its subject ("email" matches
    the account's e-mail address, any other claim its username); None: only bound accounts;
    redirect_url: the callback URL as the browser sees it (behind a reverse proxy), else derived
    from the request; secure_cookies: None = when the request came over https.
    """

    issuer: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    name: str = "oidc"
    municipality: str | None = None
    claim: str | None = None
    provision_roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    redirect_url: str | None = None
    secure_cookies: bool | None = None
    leeway: int = 60
    session_cookie: str = SESSION_COOKIE

    def __post_init__(self) -> None:
        parts = urlsplit(self.issuer)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise OidcSettingsError(_("GOVCORE_OIDC_ISSUER: the OpenID Connect issuer must be an https URL, "
                                      "not '{value}'").format(value=self.issuer))
        if not self.client_id:
            raise OidcSettingsError(_("GOVCORE_OIDC_CLIENT_ID: the OpenID Connect client id is empty"))
        if self.provision_roles and not self.municipality:
            raise OidcSettingsError(_("GOVCORE_OIDC_PROVISION_ROLES: provisioning accounts needs the provider's "
                                      "municipality (GOVCORE_OIDC_MUNICIPALITY)"))
        if "openid" not in self.scopes:
            raise OidcSettingsError(_("GOVCORE_OIDC_SCOPES: the scopes must include 'openid'"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given: Any) -> OidcSettings | None:
        """Settings from keyword arguments (a settings file) and GOVCORE_OIDC_* variables (the
        arguments win, except the secret, which only GOVCORE_OIDC_CLIENT_SECRET gives). None when
        no issuer is configured: OpenID Connect is off."""
        env = os.environ if env is None else env
        if "client_secret" in given:
            raise OidcSettingsError(_("the client secret is read from ${setting} only").format(setting=SECRET_ENV))

        def get(key: str) -> Any:
            value = given.get(key)
            if value is None:
                value = env.get(ENV_PREFIX + key.upper(), "").strip() or None
            return value

        issuer = get("issuer")
        if issuer is None:
            return None
        scopes = get("scopes")
        provision = get("provision_roles")
        return cls(issuer=issuer,
                   client_id=get("client_id") or "", client_secret=env.get(SECRET_ENV) or None,
                   name=get("name") or "oidc", municipality=get("municipality"), claim=get("claim"),
                   provision_roles=tuple(provision.split()) if isinstance(provision, str) else tuple(provision or ()),
                   redirect_url=get("redirect_url"),
                   scopes=tuple(scopes.split()) if isinstance(scopes, str) else tuple(scopes or cls.scopes))


# ------------------------------------------------------------------------ the provider's keys


class Provider:
    """The provider's discovery document and keys, fetched once and cached (keys refetched when a
    token names a key id not seen yet: the provider rotated its keys)."""

    def __init__(self, settings: OidcSettings, client: Callable[[], httpx.AsyncClient]) -> None:
        self.settings, self.client = settings, client
        self._meta: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._meta is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            meta = await self._get(url)
            if meta.get("issuer") != self.settings.issuer:
                raise OidcError(_("the provider's discovery document names issuer '{named}', not the configured "
                                  "'{issuer}'").format(named=meta.get("issuer"), issuer=self.settings.issuer), 502)
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(meta.get(key), str):
                    raise OidcError(_("the provider's discovery document has no {key}").format(key=key), 502)
            self._meta = meta
        return self._meta

    async def keys(self, kid: str | None) -> KeySet:
        known = self._keys is not None and (kid is None or any(k.kid == kid for k in self._keys.keys))
        if not known:
            meta = await self.metadata()
            try:
                self._keys = KeySet.import_key_set(await self._get(meta["jwks_uri"]))  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError) as err:
                raise OidcError(_("the provider's keys cannot be read: {error}").format(error=err), 502) from None
        assert self._keys is not None
        return self._keys

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with self.client() as http:
                resp = await http.get(url)
                resp.raise_for_status()
                data = resp.json()
        except (httpx.HTTPError, ValueError) as err:
            raise OidcError(_("the identity provider did not answer {url}: {error}").format(url=url, error=err),
                            502) from None
        if not isinstance(data, dict):
            raise OidcError(_("the identity provider's answer from {url} is not a JSON object").format(url=url), 502)
        return data

    async def exchange(self, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
        """The token response for an authorization code (client_secret_basic when there is a secret)."""
        s = self.settings
        meta = await self.metadata()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier, "client_id": s.client_id}
        auth: Any = (
            httpx.BasicAuth(s.client_id, s.client_secret) if s.client_secret else httpx.USE_CLIENT_DEFAULT)
        try:
            async with self.client() as http:
                resp = await http.post(meta["token_endpoint"], data=form, auth=auth,
                                       headers={"Accept": "application/json"})
                data = resp.json()
        except (httpx.HTTPError, ValueError) as err:
            raise OidcError(_("the identity provider's token endpoint did not answer: {error}").format(error=err),
                            502) from None
        if resp.status_code != 200 or not isinstance(data, dict):
            reason = data.get("error") if isinstance(data, dict) else None
            raise OidcError(_("the identity provider refused the code ({reason})").format(
                reason=reason or resp.status_code))
        return data

    async def verify(self, id_token: str, nonce: str, now: Callable[[], float]) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, nonce and times are right."""
        s = self.settings
        try:
            header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
            kid = header.get("kid") if isinstance(header, dict) else None
        except (ValueError, IndexError):
            raise OidcError(_("the ID token is malformed")) from None
        keys = await self.keys(kid if isinstance(kid, str) else None)
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except JoseError as err:
            raise OidcError(_("the ID token's signature is not valid ({error})").format(error=err.error)) from None
        except ValueError as err:
            raise OidcError(_("the ID token cannot be read ({error})").format(error=err)) from None
        claims = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(now()), leeway=s.leeway,
            iss={"essential": True, "value": s.issuer}, sub={"essential": True},
            exp={"essential": True}, iat={"essential": True}, nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except JoseError as err:
            raise OidcError(_("the ID token is not valid: {error}").format(error=_claim_problem(err))) from None
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if s.client_id not in audiences:
            raise OidcError(_("the ID token is not valid: it was issued for another client (aud)"))
        if len(audiences) > 1 and claims.get("azp") != s.client_id:
            raise OidcError(_("the ID token is not valid: several audiences and azp is not this client"))
        return claims


def _claim_problem(err: JoseError) -> str:
    """What is wrong with a claim, in the reader's words (joserfc's own texts are English)."""
    if isinstance(err, ExpiredTokenError):
        return _("it has expired")
    if isinstance(err, MissingClaimError):
        return _("the claim '{claim}' is missing").format(claim=err.claim)
    if isinstance(err, InsecureClaimError):
        return _("the claim '{claim}' is not safe").format(claim=err.claim)
    if isinstance(err, InvalidClaimError):
        return _("the claim '{claim}' is wrong").format(claim=err.claim)
    return str(err.description or err.error)


# ----------------------------------------------------------------------- the login state cookie


def _state_key(settings: OidcSettings) -> bytes:
    """The key the login cookie is signed with: $GOVCORE_SECRET_KEY, else derived from the client
    secret (every process of one installation has it), else random (one process only)."""
    base = os.environ.get(KEY_ENV) or settings.client_secret
    if base:
        return hashlib.sha256(b"govcore-oidc-state\x00" + base.encode()).digest()
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(key: bytes, data: dict[str, Any]) -> str:
    body = _b64(json.dumps(data, sort_keys=True).encode())
    return body + "." + _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def _open(key: bytes, value: str | None, now: float) -> dict[str, Any] | None:
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(_b64(hmac.new(key, body.encode(), hashlib.sha256).digest()), mac):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int | float) or data["exp"] < now:
        return None
    return data


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ----------------------------------------------------------------------------------- accounts


def find_account(db: Database, settings: OidcSettings, claims: Mapping[str, Any], *,
                 now: dt.datetime | None = None) -> User:
    """The account the verified claims belong to (binding it on the first login, creating it when
    provisioning is configured), or OidcError 403."""
    iss, sub = str(claims["iss"]), str(claims["sub"])
    s = settings

    def work(conn: sa.Connection) -> str | None:
        row = conn.execute(sa.select(USER).where(USER.c.oidc_issuer == iss, USER.c.oidc_subject == sub)
                           ).mappings().first()
        if row is None and s.claim:
            value = claims.get(s.claim)
            if not isinstance(value, str) or not value:
                raise OidcError(_("the ID token has no '{claim}' claim to find the account by").format(claim=s.claim),
                                403)
            if s.claim == "email" and claims.get("email_verified") is False:
                raise OidcError(_("the provider says the e-mail address is not verified"), 403)
            column = USER.c.email if s.claim == "email" else USER.c.username
            query = sa.select(USER).where(sa.func.lower(column) == value.lower())
            if s.municipality:
                query = query.where(USER.c.municipality == s.municipality)
            found = list(conn.execute(query).mappings())
            if len(found) > 1:
                raise OidcError(_("several accounts match this person; ask an administrator"), 403)
            if found:
                row = found[0]
                if row["disabled"]:
                    raise OidcError(_("the account is disabled"), 403)
                if row["oidc_subject"] is not None:
                    raise OidcError(_("the account is bound to another single sign-on identity"), 403)
                conn.execute(sa.update(USER).where(USER.c.username == row["username"]).values(
                    oidc_issuer=iss, oidc_subject=sub))
        if row is None:
            return None
        if s.municipality and row["municipality"] != s.municipality:
            raise OidcError(_("this identity provider does not log in people of that municipality"), 403)
        return str(row["username"])

    username = db.write(work)
    if username is None:
        if not s.provision_roles or not s.municipality:
            raise OidcError(_("no account belongs to this person; ask your municipality's administrator for one"),
                            403)
        return _provision(db, s, claims, now)
    account = get_user(db, username)
    if account.disabled:
        raise OidcError(_("the account is disabled"), 403)
    return account


def _provision(db: Database, s: OidcSettings, claims: Mapping[str, Any], now: dt.datetime | None) -> User:
    """A new account for a person the provider vouches for, with the configured roles."""
    assert s.municipality is not None
    username = str(claims.get("preferred_username") or claims.get("email") or "").strip().lower()
    email = claims.get("email") if claims.get("email_verified") is not False else None
    try:
        made = add_user(db, username, s.municipality, s.provision_roles, name=str(claims.get("name") or username),
                        email=email if isinstance(email, str) else None, oidc_issuer=str(claims["iss"]),
                        oidc_subject=str(claims["sub"]), now=now)
    except AccountError as err:
        raise OidcError(_("no account could be made for this person: {error}").format(error=err), 403) from None
    log.info("provisioned account %s in municipality %s from %s", username, s.municipality, claims["iss"])
    return made


# ------------------------------------------------------------------------------------- logout


def end_session_url(settings: OidcSettings, post_logout_redirect_uri: str, *,
                    client: Callable[[], httpx.Client] | None = None) -> str | None:
    """Where to send the browser so that the person is logged out at the identity provider too
    (OpenID Connect RP-initiated logout): the provider's `end_session_endpoint` with this
    client's id and where to come back to, or None when the provider offers none or cannot be
    asked (the person is then logged out of govcore only, and the log says why).

    The discovery document is read again at each logout (logging out is rare, and a provider
    that adds the endpoint later is then used at once). No ID token is kept after the login, so
    the request names the client (`client_id`) instead of giving an `id_token_hint`; the
    provider may then ask the person to confirm.
    """
    url = settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with (client or (lambda: httpx.Client(timeout=10.0)))() as http:
            resp = http.get(url)
            resp.raise_for_status()
            meta = resp.json()
    except (httpx.HTTPError, ValueError) as err:
        log.warning("OpenID Connect logout: the provider did not answer %s: %s", url, err)
        return None
    if not isinstance(meta, dict) or meta.get("issuer") != settings.issuer:
        log.warning("OpenID Connect logout: the discovery document at %s is not the configured issuer's", url)
        return None
    endpoint = meta.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    parts = urlsplit(endpoint)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        log.warning("OpenID Connect logout: the end_session_endpoint %r is not an https URL", endpoint)
        return None
    query = urlencode({"client_id": settings.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if parts.query else '?'}{query}"


# ------------------------------------------------------------------------------------- router


def oidc_router(db: Database, settings: OidcSettings, *, prefix: str = "/auth/oidc",
                clock: Callable[[], float] = time.time,
                client: Callable[[], httpx.AsyncClient] | None = None) -> APIRouter:
    """The login and callback routes for one identity provider, under `prefix`."""
    provider = Provider(settings, client or (lambda: httpx.AsyncClient(timeout=10.0)))
    key = _state_key(settings)
    cookie = f"govcore_oidc_{settings.name}"
    router = APIRouter(prefix=prefix, tags=["login"])

    def secure(request: Request) -> bool:
        if settings.secure_cookies is not None:
            return settings.secure_cookies
        return request.url.scheme == "https" or (settings.redirect_url or "").startswith("https://")

    def callback_url(request: Request) -> str:
        return settings.redirect_url or str(request.url_for(f"oidc_callback_{settings.name}"))

    async def login(request: Request, next: str | None = None) -> RedirectResponse:
        try:
            meta = await provider.metadata()
        except OidcError as err:
            log.error("OpenID Connect provider %s: %s", settings.issuer, err)
            raise HTTPException(err.status, str(err)) from None
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(
            meta["authorization_endpoint"], settings.client_id, "code", redirect_uri=callback_url(request),
            scope=" ".join(settings.scopes), state=state, nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
        resp = RedirectResponse(url, status_code=302)
        resp.set_cookie(cookie, _seal(key, {"state": state, "nonce": nonce, "verifier": verifier,
                                            "next": _safe_next(next), "exp": clock() + LOGIN_LIFETIME}),
                        max_age=LOGIN_LIFETIME, path=prefix, httponly=True, samesite="lax", secure=secure(request))
        return resp

    async def callback(request: Request, state: str | None = None, code: str | None = None,
                       error: str | None = None) -> RedirectResponse:
        pending = _open(key, request.cookies.get(cookie), clock())
        try:
            if pending is None:
                raise OidcError(_("the login has expired or was not started here; start it again"), 400)
            if not state or not hmac.compare_digest(str(pending["state"]), state):
                raise OidcError(_("the login's state does not match; start it again"), 400)
            if error:
                raise OidcError(_("the identity provider refused the login ({error})").format(error=error[:100]))
            if not code:
                raise OidcError(_("the identity provider sent no code"), 400)
            tokens = await provider.exchange(code, str(pending["verifier"]), callback_url(request))
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                raise OidcError(_("the identity provider sent no ID token"))
            claims = await provider.verify(id_token, str(pending["nonce"]), clock)
            account = await run_in_threadpool(find_account, db, settings, claims)
            token = await run_in_threadpool(create_session, db, account.username, account.municipality, kind="web")
        except OidcError as err:
            log.warning("OpenID Connect login refused (%s): %s", settings.issuer, err)
            raise HTTPException(err.status, str(err)) from None
        log.info("user %s logged in through %s", account.username, settings.issuer)
        resp = RedirectResponse(_safe_next(str(pending["next"])), status_code=303)
        resp.delete_cookie(cookie, path=prefix)
        resp.set_cookie(settings.session_cookie, token, max_age=int(WEB_SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=secure(request))
        return resp

    router.add_api_route("/login", login, methods=["GET"], name=f"oidc_login_{settings.name}")
    router.add_api_route("/callback", callback, methods=["GET"], name=f"oidc_callback_{settings.name}")
    return router


__all__ = ["OidcError", "OidcSettings", "OidcSettingsError", "Provider", "end_session_url", "find_account",
           "oidc_router"]
