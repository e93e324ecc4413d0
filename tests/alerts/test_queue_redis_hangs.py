"""A Redis that accepts connections and never answers (a hung server, a half-open network
path): putting a task on the queue gives up within its bounded wait instead of holding the web
request for ever, and what the app enqueues after a commit (an alert's delivery) still commits.

The "Redis" here is a real TCP listener on a free port that reads and never writes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from background import running

from intake import worker


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """redis://… of a listener that accepts every connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    try:
        with running(accept, stop.set, join_seconds=2):
            yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        for conn in held:
            conn.close()
        listener.close()


def test_enqueueing_on_a_silent_redis_gives_up_within_its_bound(silent_redis: str) -> None:
    huey = worker.make_huey(silent_redis)
    raised: list[BaseException] = []

    def enqueue() -> None:
        try:
            huey.storage.enqueue(b"a task")
        except Exception as exc:  # what the app's enqueueing catches
            raised.append(exc)

    started = time.monotonic()
    # In a thread, so an unbounded wait fails this test instead of hanging the suite.
    attempt = threading.Thread(target=enqueue, daemon=True)
    attempt.start()
    attempt.join(timeout=worker.REDIS_READ_SECONDS + 5)
    waited = time.monotonic() - started
    assert not attempt.is_alive(), "enqueueing on a silent Redis did not give up"
    # The documented bound (plus a margin for a loaded machine), never an endless wait.
    assert worker.REDIS_READ_SECONDS - 0.5 <= waited < worker.REDIS_READ_SECONDS + 3
    assert len(raised) == 1 and "Timeout" in type(raised[0]).__name__


def test_the_bound_is_above_the_consumers_blocking_pop() -> None:
    """The consumer's empty-queue wait (huey's blocking pop, 1 s) must not read as a timeout."""
    huey = worker.make_huey("redis://127.0.0.1:6379/15")
    assert huey.storage.read_timeout < worker.REDIS_READ_SECONDS
