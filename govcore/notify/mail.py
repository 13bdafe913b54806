"""E-mail over SMTP: settings from the environment only, one message per notification.

The settings never come from a file (a configuration folder is data that others may read) and
the password is never shown: not in `repr`, not in an error message.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from govcore.errors import GovcoreError
from govcore.i18n import N_, _, use_language
from govcore.model import email_address

ENV_HOST, ENV_PORT, ENV_USER, ENV_PASSWORD, ENV_STARTTLS, ENV_FROM = (
    f"GOVCORE_SMTP_{k}" for k in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS", "FROM"))
ENV_BASE_URL = "GOVCORE_BASE_URL"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class NotifyError(GovcoreError):
    """Notifications cannot be sent as configured (missing or wrong SMTP settings, unknown id...)."""


class DeliveryError(GovcoreError):
    """One message was not delivered. `permanent`: sending it again will not help (the server
    refused every recipient, or there is no one to send it to).

    `message` is the English message id (marked with `N_`) and `values` fill its placeholders; the
    text is put together when it is read, in the language of that moment: the outbox records it in
    Danish (`recorded`), a person sending from the command line reads it in theirs (`str`)."""

    def __init__(self, message: str, *, permanent: bool = False, **values: object) -> None:
        super().__init__(message)
        self.message, self.values, self.permanent = message, values, permanent

    def __str__(self) -> str:
        return _(self.message).format(**self.values) if self.values else _(self.message)

    def recorded(self) -> str:
        """The text the outbox keeps: Danish, whatever the reader's language (a recorded text)."""
        with use_language("da"):
            return str(self)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: GOVCORE_SMTP_HOST, _PORT (default 587 with STARTTLS, else 25),
    _STARTTLS (default true), _USER and _PASSWORD (both or neither), _FROM (the sender address)."""

    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[-1]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read the settings; NotifyError names the variable that is missing or wrong."""
        e = os.environ if env is None else env
        host = e.get(ENV_HOST, "").strip()
        if not host:
            raise NotifyError(_("set {host} (and {sender}) to the SMTP server that sends the notifications "
                                "(see docs/server.md, Notifications)").format(host=ENV_HOST, sender=ENV_FROM))
        sender = e.get(ENV_FROM, "").strip()
        try:
            email_address(sender)
        except ValueError:
            raise NotifyError(_("{setting} must be the sender's e-mail address (e.g. govcore@kommune.dk), "
                                "not '{value}'").format(setting=ENV_FROM, value=sender)) from None
        flag = e.get(ENV_STARTTLS, "true").strip().lower()
        if flag not in _TRUE + _FALSE:
            raise NotifyError(_("{setting} must be true or false, not '{value}'").format(setting=ENV_STARTTLS,
                                                                                        value=flag))
        starttls = flag in _TRUE
        port_text = e.get(ENV_PORT, "").strip() or ("587" if starttls else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise NotifyError(_("{setting} must be a port number, not '{value}'").format(setting=ENV_PORT,
                                                                                        value=port_text))
        user, password = e.get(ENV_USER) or None, e.get(ENV_PASSWORD) or None
        if (user is None) != (password is None):
            raise NotifyError(_("set both {user} and {password}, or neither").format(user=ENV_USER,
                                                                                   password=ENV_PASSWORD))
        return cls(host=host, sender=sender, port=int(port_text), starttls=starttls, user=user, password=password)


def base_url(env: Mapping[str, str] | None = None) -> str | None:
    """The address people open govcore at (GOVCORE_BASE_URL), for the link in each message."""
    value = (os.environ if env is None else env).get(ENV_BASE_URL, "").strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise NotifyError(_("{setting} must start with https:// or http://, not '{value}'").format(
            setting=ENV_BASE_URL, value=value))
    return value or None


class SmtpSender:
    """Sends one message per SMTP connection (a worker sends few; a broken connection never
    leaves a second message half-sent)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage, to: Sequence[str]) -> list[str]:
        """Deliver `message` to `to`; returns the addresses the server refused (when it took the
        others). DeliveryError when nothing was delivered."""
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                smtp.ehlo()
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.user is not None and s.password is not None:
                    smtp.login(s.user, s.password)
                refused = smtp.send_message(message, from_addr=s.sender, to_addrs=list(to))
                return sorted(refused)
        except smtplib.SMTPRecipientsRefused as err:
            answers = list(err.recipients.values())
            raise DeliveryError(N_("the SMTP server refused every recipient ({reply})"), reply=_reply(*answers[0]),
                                permanent=all(code >= 500 for code, _text in answers)) from None
        except smtplib.SMTPAuthenticationError as err:
            raise DeliveryError(N_("the SMTP server did not accept {user}/{password} ({reply})"), user=ENV_USER,
                                password=ENV_PASSWORD, reply=_reply(err.smtp_code, err.smtp_error)) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(N_("the SMTP server {host}:{port} does not offer STARTTLS (set {setting}=false only "
                                   "for a server on a trusted network)"), host=s.host, port=s.port,
                                setting=ENV_STARTTLS) from None
        except smtplib.SMTPResponseException as err:
            raise DeliveryError(N_("the SMTP server answered {reply}"), reply=_reply(err.smtp_code, err.smtp_error),
                                permanent=err.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(N_("cannot send through {host}:{port}: {kind}: {error}"), host=s.host, port=s.port,
                                kind=type(err).__name__, error=err) from None


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(said.split())}"[:300]
