"""The alert worker: huey tasks over the alerts service, and ``flask --app intake worker``.

Three tasks, each a thin wrapper that opens an app context and calls a run function with the
current time (tests call the run functions with a clock of their own):

- ``deliver``: the deliveries of one commit, enqueued right after it (best effort: when the
  queue cannot be reached nothing is lost, the sweep finds them);
- ``sweep``: every minute (and once when the worker starts): due escalations, the day's digest,
  then every due delivery, retries and deliveries whose worker died included;
- ``checkin_sweep``: every ``CHECKIN_SWEEP_MINUTES`` (and once when the worker starts): the
  courses' check-ins that fell due, their invitations and reminders to the patient
  (``services.checkin_messages``), sent at once; the sweep above retries what failed.

A delivery is claimed (committed) before it is sent and marked sent (committed) after; two
workers never send the same claimed delivery. A worker that dies after the SMTP server's 250 or
the webhook's 2xx but before its commit leaves the claim to expire, and the delivery is sent
again, with the same Message-ID / event id, so the receiver can drop the copy
(docs/operations.md, "Alerts").

The queue is ``HUEY_URL``: SQLite by default (a file in the instance folder: no server), Redis
in production, memory in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from intake.extensions import db
from intake.models.types import utcnow
from intake.services import alerts

if TYPE_CHECKING:
    from flask import Flask
    from huey import Huey

log = logging.getLogger(__name__)

QUEUE_NAME = "intake-alerts"


# --- what the tasks run (commits here: this is the worker's "view") ----------------------------


def deliver(delivery_ids: Iterable[int], now: datetime) -> dict[str, str]:
    """Claim, send and record each delivery, committing the claim before sending and the
    outcome after. Returns id → outcome (``sent``, ``pending``, ``failed``, or ``skipped``
    for one that another worker has, or that is not due)."""
    outcomes: dict[str, str] = {}
    for delivery_id in delivery_ids:
        if not alerts.claim(delivery_id, now):
            db.session.rollback()
            outcomes[str(delivery_id)] = "skipped"
            continue
        db.session.commit()
        try:
            outgoing = alerts.prepare_claimed(delivery_id, now)
            # A patient message's new link token is stored before the link leaves: a worker
            # killed after the SMTP server took the message leaves a link that works.
            db.session.commit()
            outcomes[str(delivery_id)] = alerts.send_prepared(delivery_id, outgoing, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("alert delivery %s: unexpected error, retried later", delivery_id)
            outcomes[str(delivery_id)] = "error"
    return outcomes


def sweep(now: datetime) -> dict[str, Any]:
    """Escalate, send the digest when it is due, then deliver every due delivery."""
    escalated = 0
    try:
        escalated = len(alerts.escalate_due(now))
        alerts.forget_pending(db.session.info)  # delivered below, not enqueued
        db.session.commit()
    except IntegrityError:
        # Another worker raised the same round first (the unique alert key): theirs stands.
        db.session.rollback()
    digest = None
    try:
        alert = alerts.digest_due(now)
        digest = alert.id if alert is not None else None
        alerts.forget_pending(db.session.info)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    due = alerts.due_deliveries(now)
    db.session.rollback()
    return {"escalated": escalated, "digest": digest, "deliveries": deliver(due, now)}


def checkin_sweep(now: datetime) -> dict[str, Any]:
    """The check-ins' own sweep (every ``CHECKIN_SWEEP_MINUTES``, and when the worker starts):
    make the check-ins that fell due today (``courses.sync_checkins`` for every course still
    followed), raise their invitations and the reminders now due, commit, and send them.
    A second run raises nothing new (the alerts' unique keys)."""
    from intake.services import checkin_messages

    try:
        raised = checkin_messages.messages_due(now)
        ids = alerts.forget_pending(db.session.info)  # delivered below, not enqueued
        db.session.commit()
    except IntegrityError:
        # Another worker made the same check-in or raised the same message first: theirs stands
        # (the next run picks up anything this one had besides).
        db.session.rollback()
        return {"raised": 0, "deliveries": {}}
    return {"raised": len(raised), "deliveries": deliver(ids, now)}


def render_pdf(
    submission_id: int,
    key: str | None = None,
    kind: str = "summary",
    course_id: int | None = None,
    version: str | None = None,
) -> str:
    """Render and store a PDF of what it shows now (needs a request context): the submission's
    summary, its prior-authorization packet, or the report of its course ``course_id``
    (``intake.pdf_jobs.render_kept``: ``rendered``, ``current``, ``gone`` or ``refused``).
    ``key`` is the key the asking web process waits for, ``version`` the render version it
    runs (``services.pdf_cache.render_version``): a worker on other code refuses the task, and
    that web process renders the PDF itself. A task without ``version`` (web code from before
    it was sent) is drawn and stored under the key this worker computes, as then."""
    from intake.pdf_jobs import render_kept
    from intake.services.pdf_cache import PdfTarget

    return render_kept(PdfTarget(kind, submission_id, course_id), key, version)


# --- the queue -----------------------------------------------------------------------------------


#: How long the queue waits to connect to Redis, and for an answer, before it gives up.
REDIS_CONNECT_SECONDS = 2.0
REDIS_READ_SECONDS = 5.0


def make_huey(url: str) -> Huey:
    """A huey for ``url``: ``sqlite:///path``, ``redis://…`` / ``rediss://…`` or ``memory://``."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    lowered = url.lower()
    if lowered.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path))
    if lowered.startswith(("redis://", "rediss://", "unix://")):
        # Bounded waits: a Redis that accepts and never answers (a hung server, a half-open
        # network path) must not hold a web request that enqueues (an alert, a PDF) for ever;
        # the caller then treats the queue as unreachable. The read timeout stays above the
        # consumer's 1 s blocking pop (huey's ``read_timeout``), so an empty queue is no error.
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(
            url, socket_connect_timeout=REDIS_CONNECT_SECONDS, socket_timeout=REDIS_READ_SECONDS
        )
        return RedisHuey(QUEUE_NAME, connection_pool=pool)
    if lowered.startswith("memory://"):
        return MemoryHuey(QUEUE_NAME)
    raise ValueError("INTAKE_HUEY_URL must be sqlite:///path, redis://… or memory://")


def init_app(app: Flask) -> None:
    """Give ``app`` its queue and tasks (``app.extensions["huey"]``, ``["alert_tasks"]``) and
    enqueue each commit's new deliveries after it."""
    from huey import MemoryHuey, crontab

    try:
        huey = make_huey(app.config["HUEY_URL"])
    except Exception as exc:
        # The web side must start even so: its enqueueing is only a shortcut (the sweep sends
        # every delivery from the database). ``flask worker`` refuses to run on this.
        log.error("alert queue unusable (%s): deliveries wait for the sweep", type(exc).__name__)
        app.extensions["huey_problem"] = f"{type(exc).__name__}: {exc}"
        huey = MemoryHuey(QUEUE_NAME)

    @huey.task(name="deliver")
    def deliver_task(delivery_ids: list[int]) -> None:
        with app.app_context():
            deliver(delivery_ids, utcnow())

    @huey.periodic_task(crontab(minute="*"), name="sweep")
    def sweep_task() -> None:
        with app.app_context():
            sweep(utcnow())

    @huey.periodic_task(
        crontab(minute=f"*/{app.config['CHECKIN_SWEEP_MINUTES']}"), name="checkin_sweep"
    )
    def checkin_sweep_task() -> None:
        with app.app_context():
            checkin_sweep(utcnow())

    @huey.periodic_task(crontab(minute="17"), name="pdf_entries")
    def pdf_entries_task() -> None:
        from intake import pdf_jobs

        with app.app_context():
            pdf_jobs.forget_expired_entries()

    app.extensions["huey"] = huey
    app.extensions["pdf_tasks"] = {"render": pdf_task(app, huey)}
    app.extensions["alert_tasks"] = {
        "deliver": deliver_task,
        "sweep": sweep_task,
        "checkin_sweep": checkin_sweep_task,
    }
    session_class = db.session.session_factory.class_
    if not sa.event.contains(session_class, "after_commit", _enqueue_after_commit):
        sa.event.listen(session_class, "after_commit", _enqueue_after_commit)
        sa.event.listen(session_class, "after_rollback", _forget_after_rollback)


def pdf_task(app: Flask, huey: Huey) -> Any:
    """The ``render_pdf`` task of ``huey`` (the summary, packet and course report PDFs,
    rendered by the worker; ``intake.pdf_jobs``)."""

    @huey.task(name="render_pdf")
    def render_pdf_task(
        submission_id: int,
        key: str | None = None,
        kind: str = "summary",
        course_id: int | None = None,
        version: str | None = None,
        *later: object,
        **later_named: object,
    ) -> None:
        # A request context of its own, at the app's public address (the PDF's links point
        # there): the templates build their static URLs from it, and the PDF renderer fetches
        # only those (``services.pdf.StaticOnlyFetcher``). Arguments a later web process may
        # add are taken and ignored: its render version differs from this worker's, so the
        # task is refused (not failed) and that web process renders the PDF itself.
        with app.test_request_context("/", base_url=app.config.get("PUBLIC_URL") or None):
            render_pdf(submission_id, key, kind, course_id, version)

    return render_pdf_task


def _enqueue_after_commit(session: sa.orm.Session) -> None:
    """Hand the deliveries this commit stored to the worker (best effort: the sweep is the
    guarantee)."""
    ids = alerts.forget_pending(session.info)
    if not ids:
        return
    from flask import current_app, has_app_context

    if not has_app_context():
        return
    try:
        current_app.extensions["alert_tasks"]["deliver"](ids)
    except Exception as exc:
        log.warning(
            "could not enqueue %d alert deliveries (the sweep sends them): %s",
            len(ids),
            type(exc).__name__,
        )


def _forget_after_rollback(session: sa.orm.Session) -> None:
    alerts.forget_pending(session.info)


def register_worker_commands(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Threads sending alerts.")
    def worker_command(workers: int) -> None:
        """Run the alert worker (huey's consumer): deliveries, escalations, the digest."""
        from flask import current_app
        from huey import MemoryHuey

        problem = current_app.extensions.get("huey_problem")
        if problem:
            raise click.ClickException(f"INTAKE_HUEY_URL cannot be used: {problem}")
        huey = current_app.extensions["huey"]
        if isinstance(huey, MemoryHuey):
            raise click.ClickException(
                "INTAKE_HUEY_URL is memory://: the web server could not reach this worker's "
                "queue; use sqlite:///path or redis://…"
            )
        # Catch up at once, then every minute (the check-ins every few minutes).
        current_app.extensions["alert_tasks"]["sweep"]()
        current_app.extensions["alert_tasks"]["checkin_sweep"]()
        if not logging.getLogger().handlers:
            logging.basicConfig(
                level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
            )
        click.echo(f"alert worker: queue {_safe_url(current_app.config['HUEY_URL'])}")
        consumer = huey.create_consumer(workers=workers, periodic=True, check_worker_health=True)
        consumer.run()


def _safe_url(url: str) -> str:
    """The queue URL without a password."""
    parts = sa.engine.make_url(url) if "://" in url else None
    if parts is None or parts.password is None:
        return url
    return parts.render_as_string(hide_password=True)
