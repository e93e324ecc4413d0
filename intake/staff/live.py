"""The queue's live updates: the staff header's urgent figure and what changed since a page.

Every staff page of a front-desk or clinician account draws the header's urgent figure once
(``urgent_header``, one statement) with an opaque cursor of where the queue stood. The script
``static/js/staff-live.js`` asks ``GET /staff/queue/changes?since=<cursor>`` every
``QUEUE_POLL_SECONDS`` (20 unless configured) and updates the header; on the queue page it
announces arrivals with a button that reloads the queue with its filters. The answer holds
counts and the cursor only, never a patient: it is not audited (docs/staff.md, "The queue
updates itself"), and it is a background request, so polling never keeps an idle session open.

The answer also carries the warning that urgent alerts are not going out (``alert_warning``):
a page left open all morning learns that alerts stopped, or went out again, without a reload.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, wraps
from time import monotonic
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.auth.decorators import background, role_required
from intake.models.types import utcnow
from intake.roles import ROLES
from intake.services import alerts
from intake.services import queue as qs
from intake.services.settings import local_time
from intake.staff import bp

#: Who sees the urgent figure and may poll: the roles of the queue (patient data).
LIVE_ROLES = ("front_desk", "clinician")
#: Seconds between two polls of a visible page (``QUEUE_POLL_SECONDS`` overrides it).
POLL_SECONDS = 20

F = TypeVar("F", bound=Callable[..., Any])
#: Where ``urgent_header`` keeps a request's figures (a key of the WSGI environ).
_COUNTS = "intake.staff_urgent_counts"


def urgent_header() -> qs.UrgentCounts | None:
    """The header's urgent figures, or None for an account that sees no patient data (an
    admin) or nobody signed in; read once per request (kept in the request's environ, not on
    ``flask.g``, which outlives a request when an app context is shared by several: the
    unfiltered queue takes its pinned count from them rather than counting the same rows)."""
    if not current_user.is_authenticated or not current_user.has_role(*LIVE_ROLES):
        return None
    found = request.environ.get(_COUNTS)
    if not isinstance(found, qs.UrgentCounts):
        found = qs.urgent_counts(clinician=_is_clinician())
        request.environ[_COUNTS] = found
    return found


def _is_clinician() -> bool:
    """Clinicians also see (and poll) the count of their urgent list, waiting for sign-off."""
    return bool(current_user.has_role("clinician"))


def poll_seconds() -> int:
    return int(current_app.config.get("QUEUE_POLL_SECONDS", POLL_SECONDS))


@bp.app_context_processor
def live_header() -> dict[str, object]:
    """``urgent_header()`` and ``alert_trouble()`` for the staff header: each read once per
    page, when first drawn (a page that draws no staff header reads neither)."""
    return {
        "urgent_header": cache(urgent_header),
        "live_poll_seconds": poll_seconds,
        "alert_trouble": cache(alert_trouble),
    }


#: What the warning calls the alerts of each channel, and why they are not going out.
_CHANNEL_WORDS = {
    "email": ("e-mails", "the mail server does not accept them"),
    "webhook": ("webhooks", "the webhook receiver does not accept them"),
}


def alert_trouble() -> str | None:
    """The warning every staff page shows while urgent alerts fail to go out (counts and a
    time, never a patient: ``alerts.delivery_trouble``), or None. Any staff role sees it (an
    admin too: they can mend the settings); nobody signed in, so no patient, ever does. A page
    always asks afresh (one statement per page) and leaves its answer for the polls."""
    if not current_user.is_authenticated or not current_user.has_role(*ROLES):
        return None
    trouble = _delivery_trouble(kept_seconds=0)
    return trouble_words(trouble) if trouble else None


def alert_warning_html() -> str | None:
    """The warning as the page draws it (``staff/_alert_trouble.html``), for the poll, or None.

    Why the rendered fragment and not its fields: the warning's words live in two places that
    both pages and polls must share, ``trouble_words`` (counts, channels, time in the clinic's
    zone) and the template (what to do meanwhile, an admin's link). Sending the fragment keeps
    each in its one home and leaves the script without a word of its own: it only puts the
    fragment in place. The fragment is Jinja's, escaped, and holds what the warning shows:
    counts and a time, never a patient (the poll is not audited).

    Asked of the answer kept for ``trouble_seconds()`` (``_delivery_trouble``): every open
    tab polls every 20 s, and the statement reads every unsent delivery ever given up (the
    failed rows stay), so a process asks at most once per few seconds however many tabs poll."""
    trouble = _delivery_trouble(kept_seconds=trouble_seconds())
    if trouble is None:
        return None
    return render_template("staff/_alert_trouble.html", alert_warning=trouble_words(trouble))


def trouble_seconds() -> float:
    """How long a poll may use the answer another request read: ``ALERT_TROUBLE_SECONDS`` (5),
    never more than half the poll interval. So a delivery given up shows on an open page within
    one poll interval and this, and the first poll after a page was drawn never uses an answer
    read before the page (which would take its fresh warning away, then bring it back and
    announce it again, one poll later)."""
    configured = float(current_app.config.get("ALERT_TROUBLE_SECONDS", 5.0))
    return max(0.0, min(configured, poll_seconds() / 2))


class _KeptTrouble:
    """A process's latest answer to ``alerts.delivery_trouble`` and when it was asked (a
    ``monotonic`` time, taken before the statement, so its age is never understated). Requests
    run in threads: an answer asked earlier never replaces one asked later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entry: tuple[float, alerts.DeliveryTrouble | None] | None = None

    def keep(self, asked_at: float, trouble: alerts.DeliveryTrouble | None) -> None:
        with self._lock:
            if self.entry is None or asked_at >= self.entry[0]:
                self.entry = (asked_at, trouble)


#: Where an app keeps its ``_KeptTrouble`` (a key of ``app.extensions``: each app its own).
_KEPT_TROUBLE = "intake.staff_alert_trouble"


def _kept_trouble(app: Flask) -> _KeptTrouble:
    kept: _KeptTrouble | None = app.extensions.get(_KEPT_TROUBLE)
    if kept is None:
        kept = app.extensions.setdefault(_KEPT_TROUBLE, _KeptTrouble())
    return kept


def _delivery_trouble(*, kept_seconds: float) -> alerts.DeliveryTrouble | None:
    """``alerts.delivery_trouble`` now, or the answer this process asked less than
    ``kept_seconds`` ago (0: always ask); what is asked is kept for the next ones."""
    kept = _kept_trouble(current_app)
    asked_at = monotonic()
    entry = kept.entry
    if entry is not None and asked_at - entry[0] < kept_seconds:
        return entry[1]
    trouble = alerts.delivery_trouble(utcnow())
    kept.keep(asked_at, trouble)
    return trouble


def trouble_words(trouble: alerts.DeliveryTrouble) -> str:
    """``Alert e-mails are not going out: 2 urgent alerts failed and are waiting to be sent
    again, since 2026-12-06 14:05 EST (the mail server does not accept them).``"""
    channels = sorted(c for c in trouble.channels if c in _CHANNEL_WORDS) or ["email"]
    kinds = " and ".join(_CHANNEL_WORDS[c][0] for c in channels)
    reasons = "; ".join(_CHANNEL_WORDS[c][1] for c in channels)
    parts = []
    if trouble.waiting:
        n = trouble.waiting
        parts.append(
            f"{n} urgent alert{'' if n == 1 else 's'} failed and "
            f"{'is' if n == 1 else 'are'} waiting to be sent again"
        )
    if trouble.given_up:
        n = trouble.given_up
        parts.append(
            f"{n} urgent alert{'' if n == 1 else 's'} could not be sent and "
            f"{'was' if n == 1 else 'were'} given up"
        )
    return (
        f"Alert {kinds} are not going out: {' and '.join(parts)}, since "
        f"{local_time(trouble.since)} ({reasons})."
    )


def _json_sign_in(view: F) -> F:
    """Answer 401 (JSON) rather than the sign-in page to a request that is not signed in, so
    the script sees that its session ended and stops."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return jsonify(error="signed_out"), 401
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def announcement(changes: qs.QueueChanges) -> tuple[str, str]:
    """What the queue page says about ``changes``, and its button's words ("" when nothing)."""
    if changes.new:
        n = changes.new
        words = f"{n} new submission{'' if int(n) == 1 and not n.more else 's'}"
        if changes.new_urgent:
            words += f", {changes.new_urgent} urgent"
        return words, "Show them"
    if changes.stale:
        return "The urgent list has changed since this page was loaded", "Show the changes"
    return "", ""


@bp.get("/queue/changes")
@_json_sign_in
@role_required(*LIVE_ROLES)
@background
def queue_changes() -> ResponseReturnValue:
    """Counts and an opaque cursor (no patient data, not audited); ``since`` is the cursor of
    the page asking, without it the answer is the queue as it stands. ``alert_warning`` is the
    page's warning that urgent alerts are not going out (``alert_warning_html``), or null."""
    token = request.args.get("since", "")
    since = qs.QueueCursor.parse(token) if token else None
    if token and since is None:
        return jsonify(error="bad_cursor"), 400
    changes = qs.queue_changes(since, clinician=_is_clinician())
    counts = changes.counts
    message, action = announcement(changes)
    return jsonify(
        cursor=str(counts.cursor),
        stale=changes.stale,
        urgent=int(counts.needing_attention),
        urgent_more=counts.needing_attention.more,
        unacknowledged_urgent=int(counts.unacknowledged),
        unacknowledged_urgent_more=counts.unacknowledged.more,
        new=int(changes.new),
        new_more=changes.new.more,
        new_urgent=int(changes.new_urgent),
        new_urgent_more=changes.new_urgent.more,
        header=counts.header_text,
        unsigned_urgent=None if counts.unsigned is None else int(counts.unsigned),
        unsigned_urgent_more=bool(counts.unsigned and counts.unsigned.more),
        unsigned_header=counts.unsigned_text,
        message=message,
        action=action,
        alert_warning=alert_warning_html(),
    )
