"""The worker as it runs: ``flask --app intake worker`` (huey's consumer) as a real process on a
SQLite huey file (and on a redis-server of its own), a real SMTP server, the test's database.
A commit's deliveries are enqueued and sent at once; a worker killed with SIGKILL in the middle
of sending is restarted and the alert is delivered exactly once (killed before the server
accepted it) or, killed after the server has it, sent again with the same Message-ID (what
docs/operations.md says receivers dedupe); two workers never send the same delivery. The
worker's own check-in sweep invites a check-in due today, and a check-in link that left before
the worker died still works."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import TestingConfig
from intake import create_app
from intake.extensions import db
from intake.models import AlertDelivery
from tests.alerts.helpers import make_tier, submit
from tests.alerts.servers import SmtpServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLAIM_SECONDS = 2


class Worker:
    """``flask --app intake worker`` in a subprocess of its own."""

    def __init__(self, environ: dict[str, str], log: Path) -> None:
        self.environ = environ
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "intake", "worker", "--workers", "1"],
            cwd=PROJECT_ROOT,
            env=self.environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The huey URL: a SQLite file (the default), or ``redis`` (a redis-server of our own)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'huey.sqlite3'}"
        return
    from tests.faults.servers import RedisServer

    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    redis = RedisServer()
    redis.start()
    yield redis.url
    redis.destroy()


@pytest.fixture
def setup(
    app: Flask, database_url: str, tmp_path: Path, queue: str
) -> Iterator[tuple[Flask, SmtpServer, Worker]]:
    """A real SMTP server, a worker process, and an app (the web side) sharing its queue."""
    smtp = SmtpServer()
    smtp.start()
    huey_url = queue
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    environ.update(
        INTAKE_ENV="development",
        INTAKE_DATABASE_URL=database_url,
        INTAKE_HUEY_URL=huey_url,
        INTAKE_SMTP_HOST="127.0.0.1",
        INTAKE_SMTP_PORT=str(smtp.port),
        INTAKE_SMTP_SECURITY="none",
        INTAKE_ALERT_CLAIM_SECONDS=str(CLAIM_SECONDS),
        INTAKE_ALERT_DIGEST_HOUR="off",
    )
    web_config = type(
        "WebConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_URL": huey_url},
    )
    web = create_app(web_config)
    worker = Worker(environ, tmp_path / "worker.log")
    with web.app_context():
        yield web, smtp, worker
        worker.stop()
        db.session.remove()
        db.engine.dispose()
    smtp.stop()


def _delivery_state() -> tuple[str, int] | None:
    """The one delivery's committed (status, attempts), read on a connection of its own."""
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(AlertDelivery.status, AlertDelivery.attempts)).first()
    return None if row is None else (row[0], row[1])


@pytest.mark.parametrize("queue", ["sqlite", "redis"], indirect=True)
def test_a_commit_is_delivered_by_the_worker_at_once(setup) -> None:  # type: ignore[no-untyped-def]
    _web, smtp, worker = setup
    worker.start()
    time.sleep(1.5)  # the worker's first sweep finds nothing
    make_tier("Front desk", emails=("desk@clinic.example",))
    submit()  # commits, and enqueues its delivery into the huey file
    _wait_for(lambda: len(smtp.messages) == 1, 20, "the alert e-mail")
    _wait_for(lambda: _delivery_state() == ("sent", 1), 10, "the delivery marked sent")
    time.sleep(1)
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("queue", ["sqlite", "redis"], indirect=True)
def test_a_worker_killed_before_the_server_accepted_delivers_exactly_once(setup) -> None:  # type: ignore[no-untyped-def]
    _web, smtp, worker = setup
    inside, release = threading.Event(), threading.Event()
    calls = []

    def hold_the_first(envelope: object) -> str | None:
        calls.append(envelope)
        if len(calls) == 1:
            inside.set()
            release.wait(20)
            return "421 closing"  # the client is gone by now; the message was never accepted
        return None

    smtp.before_reply = hold_the_first
    make_tier("Front desk", emails=("desk@clinic.example",))
    submit()
    worker.start()
    assert inside.wait(20), "the worker never sent"
    assert _delivery_state() == ("sending", 1)  # claimed and committed before sending
    worker.kill()
    release.set()
    assert smtp.messages == []

    time.sleep(CLAIM_SECONDS + 0.5)  # the dead worker's claim runs out
    worker.start()
    _wait_for(lambda: _delivery_state() == ("sent", 2), 30, "the delivery sent after restart")
    time.sleep(1)
    assert len(smtp.messages) == 1
    assert len(calls) == 2


def test_a_worker_killed_after_the_server_has_it_resends_with_the_same_message_id(setup) -> None:  # type: ignore[no-untyped-def]
    _web, smtp, worker = setup
    inside, release = threading.Event(), threading.Event()
    kept: list[bytes] = []

    def keep_then_hold(envelope: object) -> str | None:
        kept.append(bytes(getattr(envelope, "original_content", b"") or b""))
        if len(kept) == 1:
            inside.set()  # the server has the message; its 250 is lost with the worker
            release.wait(20)
            return "421 closing"
        return None

    smtp.before_reply = keep_then_hold
    make_tier("Front desk", emails=("desk@clinic.example",))
    submit()
    worker.start()
    assert inside.wait(20), "the worker never sent"
    worker.kill()
    release.set()
    time.sleep(CLAIM_SECONDS + 0.5)
    worker.start()
    _wait_for(lambda: _delivery_state() == ("sent", 2), 30, "the delivery sent after restart")
    from email import message_from_bytes

    ids = {message_from_bytes(raw)["Message-ID"] for raw in kept}
    assert len(kept) == 2 and len(ids) == 1  # two copies, one Message-ID: the receiver dedupes


def test_two_workers_never_send_the_same_delivery(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _web, smtp, worker = setup
    recipients = tuple(f"on-call{n}@clinic.example" for n in range(8))
    make_tier("Front desk", emails=recipients)
    for _ in range(3):
        submit()  # 24 deliveries, enqueued three times over
    other = Worker(worker.environ, tmp_path / "worker2.log")
    worker.start()
    other.start()
    try:
        _wait_for(lambda: len(smtp.messages) >= 24, 60, "24 alert e-mails")
        with db.engine.connect() as conn:
            _wait_for(
                lambda: (
                    conn.execute(
                        sa.select(sa.func.count())
                        .select_from(AlertDelivery)
                        .where(AlertDelivery.status == "sent")
                    ).scalar()
                    == 24
                ),
                30,
                "every delivery marked sent",
            )
        time.sleep(2)
    finally:
        other.stop()
    ids = [m.message["Message-ID"] for m in smtp.messages]
    assert len(ids) == 24
    assert len(set(ids)) == 24


def test_the_worker_invites_a_due_check_in_once_with_a_working_link(setup) -> None:  # type: ignore[no-untyped-def]
    """The worker's own check-in sweep (run when it starts) makes and sends the invitation of
    a check-in due today; it stays one e-mail however long the worker runs, and its link opens
    the check-in (the token's hash was committed by the worker process)."""
    import re

    from intake.models.types import utcnow
    from intake.services import courses, settings
    from tests.alerts.helpers import PATIENT_EMAIL, start_course_for

    _web, smtp, worker = setup
    course_id, _ = start_course_for(settings.local_day(utcnow()))
    worker.start()
    _wait_for(lambda: len(smtp.messages) == 1, 30, "the invitation e-mail")
    _wait_for(lambda: _delivery_state() == ("sent", 1), 10, "the delivery marked sent")
    time.sleep(1.5)
    (received,) = smtp.messages
    assert received.recipients == [PATIENT_EMAIL]
    payload = received.message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    (token,) = re.findall(r"/c/([A-Za-z0-9_-]+)", payload.decode())
    db.session.expire_all()
    checkin = courses.checkin_for_token(token, utcnow())
    assert checkin is not None and checkin.course_id == course_id
    assert checkin.invited_at is not None


def test_a_worker_killed_after_the_server_has_an_invitation_leaves_its_link_working(setup) -> None:  # type: ignore[no-untyped-def]
    """The link's token is committed before the message leaves: the copy the SMTP server kept
    from a worker killed before its 250 opens the check-in, and so does the resend's."""
    import re
    from email import message_from_bytes

    from intake.models.types import utcnow
    from intake.services import courses, settings
    from tests.alerts.helpers import start_course_for

    _web, smtp, worker = setup
    inside, release = threading.Event(), threading.Event()
    kept: list[bytes] = []

    def keep_then_hold(envelope: object) -> str | None:
        kept.append(bytes(getattr(envelope, "original_content", b"") or b""))
        if len(kept) == 1:
            inside.set()
            release.wait(20)
            return "421 closing"
        return None

    smtp.before_reply = keep_then_hold
    course_id, _ = start_course_for(settings.local_day(utcnow()))
    worker.start()
    assert inside.wait(30), "the worker never sent"
    worker.kill()
    release.set()
    time.sleep(CLAIM_SECONDS + 0.5)
    worker.start()
    _wait_for(lambda: _delivery_state() == ("sent", 2), 30, "the invitation sent after restart")
    tokens = []
    for raw in kept:
        payload = message_from_bytes(raw).get_payload(decode=True)
        assert isinstance(payload, bytes)
        tokens += re.findall(r"/c/([A-Za-z0-9_-]+)", payload.decode())
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    db.session.expire_all()
    for token in tokens:
        checkin = courses.checkin_for_token(token, utcnow())
        assert checkin is not None and checkin.course_id == course_id
