"""Sending one alert message: e-mail over SMTP, or a signed HTTPS webhook. No Flask, no database.

A ``Message`` (to staff) carries only what an alert may say: the kind of event, the submission's
reference code, a link to the staff page (sign-in needed) and, for the digest, a count. Never a
name, a date of birth or an answer: nothing else exists to put in it. A ``PatientMessage`` (a
check-in invitation or reminder, e-mail only) carries the clinic's name and phone, the one-time
link and its expiry, and the crisis line: nothing about the patient either. Its wording is here
(``patient_subject``, ``patient_text``), marked for the patient side's catalogue and put in the
patient's language by the ``say`` its caller gives (gettext; English by default).

A webhook request is ``POST`` of ``Message.json_body()`` with three headers:

- ``X-Intake-Timestamp``: Unix seconds when it was signed;
- ``X-Intake-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the recipient's secret,
  of ``timestamp + "." + body`` (the raw body bytes as received);
- ``X-Intake-Event-Id``: the same for every retry of one alert to one recipient.

A receiver recomputes the HMAC over the raw body, compares it in constant time, refuses a
timestamp more than five minutes from its clock (a replayed request) and drops an event id it
has already seen (``verify_signature`` is the reference; docs/operations.md has it for
receivers).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

#: A receiver refuses a signature whose timestamp is further than this from its clock.
SIGNATURE_TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "X-Intake-Signature"
TIMESTAMP_HEADER = "X-Intake-Timestamp"
EVENT_ID_HEADER = "X-Intake-Event-Id"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: Translates one text of a patient message (gettext in the patient's language).
Say = Callable[[str], str]


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue (pybabel extracts ``N_``); translated where it is used."""
    return text


def _same(text: str) -> str:
    return text


#: A patient message's subject by its event; ``{clinic}`` is the clinic's name.
PATIENT_SUBJECTS = {
    "checkin_invitation": N_("A short check-in from {clinic}"),
    "checkin_reminder": N_("Reminder: a short check-in from {clinic}"),
}


class DeliveryError(Exception):
    """A message was not delivered. Its text is stored and shown to admins: it names the
    channel's problem (a refused connection, an SMTP or HTTP status), never a message body."""


@dataclass(frozen=True)
class Message:
    """What an alert says, and nothing more."""

    event: str
    kind: str
    reference: str | None
    url: str
    event_id: str
    timestamp: datetime
    subject: str
    summary: str
    count: int | None = None

    def text(self) -> str:
        """The e-mail's plain-text body."""
        return (
            f"{self.summary}\n\n"
            f"Open: {self.url}\n\n"
            "Sign in to see the details. This message carries no patient information.\n"
        )

    def json_body(self) -> bytes:
        """The webhook's body: ``{event, reference, kind, url, id, timestamp}`` (+ ``count``)."""
        body: dict[str, object] = {
            "event": self.event,
            "reference": self.reference,
            "kind": self.kind,
            "url": self.url,
            "id": self.event_id,
            "timestamp": self.timestamp.isoformat(),
        }
        if self.count is not None:
            body["count"] = self.count
        return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class PatientMessage:
    """A check-in invitation or reminder to a patient, by e-mail only, and all it says: the
    clinic's name and phone, that a short check-in is asked for, the one-time link and when it
    stops working, and the crisis line. Nothing about the patient (no name, no answers, not
    even the reference code): whoever reads the patient's mailbox learns only that this clinic
    asked for a check-in. ``subject`` and ``body`` are in ``language`` (the patient's intake
    language), written by ``patient_subject`` and ``patient_text`` when the message is made.
    ``token_hash`` is not sent: the worker forgets the link's token with it when the message
    could not be delivered."""

    event: str
    #: The patient's address, read from the intake when the message is made (kept nowhere).
    to: str
    subject: str
    body: str
    url: str
    reminder: bool
    event_id: str
    timestamp: datetime
    token_hash: str
    language: str = "en"

    def text(self) -> str:
        """The e-mail's plain-text body."""
        return self.body


def patient_subject(event: str, clinic: str, say: Say = _same) -> str:
    """A patient message's subject in ``say``'s language."""
    return say(PATIENT_SUBJECTS[event]).format(clinic=clinic or say("your clinic"))


def patient_text(
    *,
    clinic: str,
    phone: str,
    url: str,
    expires: str,
    reminder: bool,
    spanish_line: bool = False,
    say: Say = _same,
) -> str:
    """A check-in invitation's (or reminder's) plain-text body in ``say``'s language;
    ``spanish_line``: say how to reach the crisis line in Spanish too."""
    # Without a clinic name the sentence says "your clinic" once: a stand-in name in the
    # "your clinic, {name}," sentence read "Your clinic, Your clinic, asks you…".
    if clinic and reminder:
        opening = say(
            "This is a reminder: your clinic, {name}, still asks you to fill in a short "
            "check-in (2 minutes)."
        ).format(name=clinic)
    elif clinic:
        opening = say(
            "Your clinic, {name}, asks you to fill in a short check-in (2 minutes)."
        ).format(name=clinic)
    elif reminder:
        opening = say(
            "This is a reminder: your clinic still asks you to fill in a short check-in "
            "(2 minutes)."
        )
    else:
        opening = say("Your clinic asks you to fill in a short check-in (2 minutes).")
    phone_line = (
        say("Questions? Call the clinic at {phone}.").format(phone=phone)
        if phone
        else say("Questions? Call the clinic.")
    )
    crisis = say(
        "If you are in crisis or thinking about suicide, call or text 988 (Suicide & Crisis "
        "Lifeline, free, 24 hours a day), or call 911 in an emergency."
    )
    if spanish_line:
        crisis += " " + say("For help in Spanish, call 988 and press 2, or text AYUDA to 988.")
    link = say("Open the check-in: {url}").format(url=url)
    until = say(
        "The link works until {expires}, or until you have sent the check-in. If it has "
        "stopped working, the clinic can give you a new one."
    ).format(expires=expires)
    return f"{opening}\n\n{link}\n\n{until}\n\n{phone_line}\n\n{crisis}\n"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float


def message_id(event_id: str, sender: str) -> str:
    """The e-mail's stable ``Message-ID``: the same for every retry to one recipient."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{event_id}@{domain}>"


def send_email(settings: SmtpSettings, to: str, message: Message | PatientMessage) -> None:
    """Send ``message`` to ``to``; raises ``DeliveryError`` (safe to store) on any failure."""
    if not settings.host:
        raise DeliveryError("no SMTP server configured (INTAKE_SMTP_HOST)")
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.timestamp)
    email["Message-ID"] = message_id(message.event_id, settings.sender)
    email[EVENT_ID_HEADER] = message.event_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text())
    if isinstance(message, PatientMessage):  # after set_content, which drops Content-* headers
        email["Content-Language"] = message.language
    try:
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(email)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP server answered {exc.smtp_code}") from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("SMTP server refused the recipient") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {_network_problem(exc)}") from None


def webhook_url_problem(url: str, *, allow_local_http: bool) -> str | None:
    """Why ``url`` cannot be a webhook (None when it can): https only; plain http only to this
    machine, and only where the configuration allows it (development, tests)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "Enter a full URL, starting with https://."
    if parts.username or parts.password:
        return "Leave the user name and password out of the URL."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_local_http and parts.hostname in LOCAL_HOSTS:
        return None
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return "Use https:// (plain http to this machine is for development only)."
    return "Use an https:// URL."


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``timestamp.body`` keyed with ``secret``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, received: str, *, now: float
) -> bool:
    """What a receiver does: the signature matches and the timestamp is within five minutes."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), received)


def send_webhook(
    url: str,
    secret: str,
    message: Message,
    *,
    now: float,
    timeout: float,
    allow_local_http: bool,
) -> None:
    """POST the signed message; any answer but 2xx (redirects included: they are not
    followed) raises ``DeliveryError``."""
    problem = webhook_url_problem(url, allow_local_http=allow_local_http)
    if problem:
        raise DeliveryError(f"webhook URL refused: {problem}")
    parts = urlsplit(url)
    body = message.json_body()
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "intake-alerts/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_ID_HEADER: message.event_id,
    }
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "",
            parts.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"webhook: {_network_problem(exc)}") from None
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered HTTP {status}")


def _network_problem(exc: BaseException) -> str:
    """A short description of a network failure, without any text the peer sent back."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return "TLS failed"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "server disconnected"
    return type(exc).__name__
