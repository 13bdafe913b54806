"""Talking to remote KPI sources (Jobindsats, Danmarks Statistik): the one HTTP client plugins use.

A source plugin builds requests; this module sends them, retries what is worth retrying (429 and
5xx, with backoff), turns every failure into a `FetchError` the user can act on, and keeps every
raw response on disk — for audit (what exactly did the source say, and when) and for offline
replay: with a replay folder, the same requests are answered from the kept responses and nothing
touches the network. Request headers (which carry the API key) are never kept or shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from govcore.errors import GovcoreError
from govcore.i18n import _

if TYPE_CHECKING:
    import httpx

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(GovcoreError):
    """A source or one of its tables could not be fetched; the message says what to do.

    `kind` is one of: key (401/403 or a missing key), not_found (404), unavailable (429/5xx after
    the retries), timeout, network, shape (the response is not shaped as expected), replay (no
    kept response for a request), settings, plugin (a plugin failed unexpectedly).

    The message may be a function giving the text (`lambda: _("…").format(…)`): then `str(err)` is
    written in the language of whoever reads it — the reader's on screen, Danish in the fetch log
    (`with use_language("da"): str(err)`), which is recorded.
    """

    def __init__(self, message: str | Callable[[], str], *, kind: str, source: str = "", table: str = "",
                 field: str = "") -> None:
        self.kind = kind
        self.source = source
        self.table = table
        self.field = field
        self._message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        message = self._message() if callable(self._message) else self._message
        where = (self.source + (_(" table {table}").format(table=self.table) if self.table else "")
                 + (_(", field '{field}'").format(field=self.field) if self.field else ""))
        return f"{where}: {message}" if where else message


@dataclass(frozen=True)
class Reply:
    """One response: its status, text and when it was received (UTC)."""

    url: str
    status: int
    text: str
    fetched_at: dt.datetime

    def json(self, source: str, table: str = "") -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            raise FetchError(lambda: _("the response from {url} is not JSON (it starts {start}); the API "
                                       "may have changed").format(url=self.url, start=repr(self.text[:60])),
                             kind="shape", source=source, table=table) from None


def request_key(method: str, url: str, params: Mapping[str, Any] | None, body: Any) -> str:
    """A stable name for a request (method, url, sorted query, canonical body): its kept file's name."""
    query = urlencode(sorted((params or {}).items()), doseq=True)
    canon = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
    return hashlib.sha256(f"{method.upper()} {url}?{query}\n{canon}".encode()).hexdigest()[:20]


def _file_name(source: str, table: str, key: str) -> str:
    return f"{source}-{table.lower() or 'meta'}-{key}.json"


def secret_from_env(variable: str, source: str) -> str:
    """An API key from the environment variable the configuration names; its value is never shown."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise FetchError(lambda: _("the API key is read from the environment variable {variable}, which is not set "
                                   "(set it before running `govcore fetch`, or use --replay with kept "
                                   "responses)").format(variable=variable), kind="key", source=source)
    return value


class Http:
    """Sends a source's requests, or answers them from kept responses (`replay`).

    httpx is imported when an `Http` is made, not with this module: every configuration loads this
    module (the plugin API names `Http`), and importing httpx costs about a tenth of a second that a
    run without remote sources never needs.

    `keep` is the folder every raw response is written to (one JSON file per request, named by
    `request_key`). `transport` lets tests answer requests without a network (respx or a recorded
    transport); `sleep` is how backoff waits (tests pass a function that records the delays).
    """

    def __init__(self, source: str, *, keep: Path | None = None, replay: Path | None = None,
                 transport: httpx.BaseTransport | None = None, retries: int = 3, backoff: float = 1.0,
                 timeout: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.source = source
        self.keep = keep
        self.replay = replay
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.now = now
        self.requests = 0
        self.latest: dt.datetime | None = None
        import httpx  # here, not at the top: see the class's docstring

        self._client = None if replay is not None else httpx.Client(transport=transport, timeout=timeout,
                                                                     follow_redirects=True)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
            table: str = "") -> Reply:
        return self.send("GET", url, params=params, headers=headers, table=table)

    def post(self, url: str, *, body: Any, headers: Mapping[str, str] | None = None, table: str = "") -> Reply:
        return self.send("POST", url, body=body, headers=headers, table=table)

    def send(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, body: Any = None,
             headers: Mapping[str, str] | None = None, table: str = "") -> Reply:
        key = request_key(method, url, params, body)
        if self.replay is not None:
            reply = self._replayed(key, method, url, params, table)
        else:
            reply = self._sent(method, url, params, body, headers or {}, table)
            self._keep(key, method, url, params, body, reply, table)
        self.requests += 1
        self.latest = max(self.latest or reply.fetched_at, reply.fetched_at)
        return self._checked(reply, table)

    # ------------------------------------------------------------------------------ internals

    def _sent(self, method: str, url: str, params: Mapping[str, Any] | None, body: Any,
              headers: Mapping[str, str], table: str) -> Reply:
        import httpx

        assert self._client is not None
        shown = url + (f"?{urlencode(sorted(params.items()), doseq=True)}" if params else "")
        for attempt in range(self.retries + 1):
            try:
                r = self._client.request(method, url, params=dict(params or {}), json=body, headers=dict(headers))
            except httpx.TimeoutException:
                raise FetchError(lambda: _("{url} did not answer in time; try again later").format(url=shown),
                                 kind="timeout", source=self.source, table=table) from None
            except httpx.TransportError as err:
                host, error = httpx.URL(url).host, type(err).__name__
                raise FetchError(lambda: _(
                    "could not reach {host} ({error}); check the network connection, or use --replay with kept "
                    "responses").format(host=host, error=error),  # noqa: B023 (raised at once)
                                 kind="network", source=self.source, table=table) from None
            if r.status_code in RETRY_STATUS and attempt < self.retries:
                self.sleep(self._delay(r, attempt))
                continue
            return Reply(shown, r.status_code, r.text, self.now())
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, r: httpx.Response, attempt: int) -> float:
        """Exponential backoff (1, 2, 4 … × `backoff` seconds), or the server's Retry-After when given."""
        after = r.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), 300.0)
        return float(self.backoff * 2 ** attempt)

    def _checked(self, reply: Reply, table: str) -> Reply:
        s = reply.status
        if s < 400:
            return reply
        if s in (401, 403):
            raise FetchError(lambda: _("the API refused the key (HTTP {status}); check that the key in the configured "
                                       "environment variable is valid and has access").format(status=s),
                             kind="key", source=self.source, table=table)
        if s == 404:
            raise FetchError(lambda: _("not found (HTTP 404) at {url}; check the table id").format(url=reply.url),
                             kind="not_found", source=self.source, table=table)
        if s in RETRY_STATUS:
            attempts = self.retries + 1
            raise FetchError(lambda: (_("too many requests (HTTP {status}) after {n} attempts; try again later")
                                      if s == 429 else
                                      _("the server failed (HTTP {status}) after {n} attempts; try again later")
                                      ).format(status=s, n=attempts),
                             kind="unavailable", source=self.source, table=table)
        raise FetchError(lambda: _("the API answered HTTP {status}: {text}").format(status=s, text=reply.text[:200]),
                         kind="unavailable", source=self.source, table=table)

    def _keep(self, key: str, method: str, url: str, params: Mapping[str, Any] | None, body: Any,
              reply: Reply, table: str) -> None:
        if self.keep is None:
            return
        self.keep.mkdir(parents=True, exist_ok=True)
        record = {"request": {"method": method, "url": url, "params": dict(params or {}), "body": body},
                  "status": reply.status, "fetched_at": reply.fetched_at.isoformat(), "text": reply.text}
        path = self.keep / _file_name(self.source, table, key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)

    def _replayed(self, key: str, method: str, url: str, params: Mapping[str, Any] | None,
                  table: str) -> Reply:
        assert self.replay is not None
        path = self.replay / _file_name(self.source, table, key)
        shown = url + (f"?{urlencode(sorted(params.items()), doseq=True)}" if params else "")
        if not path.is_file():
            folder = self.replay
            raise FetchError(lambda: _("no kept response for {request} in {folder} (expected {file}); replay needs "
                                       "the responses of a fetch with the same settings").format(
                request=f"{method} {shown}", folder=folder, file=path.name),
                             kind="replay", source=self.source, table=table)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            return Reply(shown, int(record["status"]), str(record["text"]),
                         dt.datetime.fromisoformat(record["fetched_at"]))
        except (ValueError, KeyError, TypeError) as err:
            error = f"{type(err).__name__}: {err}"
            raise FetchError(lambda: _("the kept response {path} is damaged ({error})").format(path=path, error=error),
                             kind="replay", source=self.source, table=table) from None
