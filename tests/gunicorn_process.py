"""Waiting for and stopping a gunicorn started by a test (the fault test and the smoke test)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from contextlib import suppress


def wait_until_ready(
    proc: subprocess.Popen[bytes], base: str, error: type[Exception], seconds: float = 30
) -> None:
    """Poll ``/healthz`` until it answers 200; raise ``error`` if gunicorn exits or is late."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise error(f"gunicorn exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise error(f"gunicorn did not answer /healthz within {seconds:g} s")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """TERM the master (it stops its workers), then KILL the group if anything outlived it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=5)
