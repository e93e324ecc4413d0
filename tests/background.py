"""A server the tests run on a thread of their own (a live app server, a listener that never
answers), stopped and waited for whatever the test did."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def running(
    serve: Callable[[], object], stop: Callable[[], object], *, join_seconds: float
) -> Iterator[threading.Thread]:
    """``serve()`` on a daemon thread for the ``with`` block; then ``stop()``, and the thread
    waited for (at most ``join_seconds``, so a server that does not stop cannot hang the run:
    being a daemon, it ends with the run)."""
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop()
        thread.join(timeout=join_seconds)
