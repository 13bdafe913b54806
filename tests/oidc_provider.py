"""A local OpenID Connect provider for the tests: discovery, JWKS, authorize and token endpoints on
127.0.0.1, signing ID tokens with a test RSA key. `tamper` changes the next ID tokens (a wrong
nonce, issuer, audience, an expired token, a key the JWKS does not hold) to test that the client
refuses them. Also `serve`: any ASGI app on a real uvicorn server on a free port."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self, client_id: str = "govcore", client_secret: str = "s3cret") -> None:
        self.issuer = ""  # set once the server has its port
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})  # same kid, not published
        self.user: dict[str, Any] = {"sub": "abc-123", "email": "jens@vejle.dk", "email_verified": True,
                                     "name": "Jens Jensen", "preferred_username": "jens"}
        self.tamper: dict[str, Any] = {}
        self.sign_with_other_key = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.offers_logout = False  # when set, discovery names an end_session_endpoint (RP-initiated logout)
        self.logout_requests: list[dict[str, str]] = []
        self.app = self._app()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            meta = {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]}
            if self.offers_logout:
                meta["end_session_endpoint"] = f"{self.issuer}/logout"
            return meta

        @app.get("/logout")
        def logout(request: Request) -> RedirectResponse:
            q = dict(request.query_params)
            self.logout_requests.append(q)
            if not self.offers_logout or q.get("client_id") != self.client_id or not q.get("post_logout_redirect_uri"):
                raise HTTPException(400, "bad logout request")
            return RedirectResponse(q["post_logout_redirect_uri"], 302)

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            q = dict(request.query_params)
            self.authorize_requests.append(q)
            if q.get("client_id") != self.client_id or q.get("response_type") != "code" or \
                    "openid" not in q.get("scope", "").split() or q.get("code_challenge_method") != "S256":
                raise HTTPException(400, "bad authorization request")
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": q.get("nonce"), "challenge": q["code_challenge"],
                                "redirect_uri": q["redirect_uri"]}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

        @app.post("/token")
        def token(request: Request, grant_type: str = Form(), code: str = Form(), redirect_uri: str = Form(),
                  code_verifier: str = Form()) -> JSONResponse:
            auth = request.headers.get("authorization", "")
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if auth != expected:
                return JSONResponse({"error": "invalid_client"}, 401)
            pending = self.codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).decode().rstrip("=")
            if grant_type != "authorization_code" or pending is None or pending["redirect_uri"] != redirect_uri \
                    or pending["challenge"] != challenge:
                return JSONResponse({"error": "invalid_grant"}, 400)
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                      "nonce": pending["nonce"], **self.user, **self.tamper}
            key = self.other_key if self.sign_with_other_key else self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, key)
            return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                 "id_token": id_token, "expires_in": 300})

        return app


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` on uvicorn on 127.0.0.1 and a free port; yields its base URL.

    The socket is bound and listening before the thread starts, so a request made at once waits in
    the backlog until uvicorn accepts it: no waiting for the server to come up."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
