"""Production smoke test: the documented deployment steps, then real HTTP against gunicorn.

Run from the project root with ``make smoke`` (``.ci/run`` does, after the test suites). It needs
the local PostgreSQL (``INTAKE_TEST_DATABASE_URL`` or postgres@127.0.0.1:5432) and Redis
(``INTAKE_SMOKE_REDIS_URL``, default ``redis://127.0.0.1:6379/14``). The suite's tests check
pieces through the test client; only this runs the app the way a clinic does: ``flask db
upgrade``, ``user create`` and ``api-token create`` in production mode, then gunicorn with two
gthread workers (as docs/operations.md "Deploying") sharing rate limits through Redis. Whatever
happens, gunicorn is stopped, the database dropped and this run's Redis keys deleted. Exits
non-zero on the first failed step.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.answer_documents import sample_answers
from tests.gunicorn_process import stop, wait_until_ready
from tests.throwaway_databases import create_database, drop_database, server_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("INTAKE_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKERS = 2
LOGIN_LIMIT = 10  # sign-in attempts per minute, shared by both workers through Redis
STAFF_EMAIL = "desk@clinic.example"
STAFF_PASSWORD = "smoke " + secrets.token_urlsafe(18)
OWN_PASSWORD = "own " + secrets.token_urlsafe(18)
#: What production sends (docs/operations.md): one year, subdomains included.
HSTS = "max-age=31536000; includeSubDomains"


class SmokeFailure(AssertionError):
    """A step did not do what the documentation says it does."""


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print the step and how long it took."""
    print(f"  {name} …", end="", flush=True)
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        print(" FAILED", flush=True)
        raise
    print(f" ok ({time.perf_counter() - started:.2f} s)", flush=True)


def flask(*args: str, env: dict[str, str]) -> str:
    """Run ``flask --app intake ARGS`` as an operator would; return its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "intake", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise SmokeFailure(f"flask {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], access_log: Path) -> Iterator[str]:
    """gunicorn with WORKERS gthread workers on a free port, ready (``/healthz`` 200) before
    yielding; always stopped afterwards, killed if it does not stop."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn",
            "--workers", str(WORKERS),
            # As docs/operations.md "Deploying" runs it: threads, connections kept alive.
            "--worker-class", "gthread", "--threads", "8", "--keep-alive", "75",
            "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
            "--access-logfile", str(access_log),
            "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
            "intake:create_app()",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with step(f"gunicorn, {WORKERS} workers, answers /healthz"):
            wait_until_ready(proc, base, SmokeFailure)
        yield base
    finally:
        with step("stop gunicorn"):
            stop(proc)


@contextmanager
def job_worker(env: dict[str, str]) -> Iterator[None]:
    """``flask --app intake worker``, the job worker production runs as its own process (it
    renders the summary PDFs); always stopped afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "intake", "worker"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        with step("stop the job worker"):
            stop(proc)


#: How long the job worker may take to render a summary PDF once asked.
PDF_WAIT_SECONDS = 60


class Browser:
    """Cookies and CSRF tokens over plain HTTP, as a person's browser would keep them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie_header(self) -> str:
        """The cookies this browser holds, as one ``Cookie`` header (for a load generator)."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        """Status, final URL and body; 4xx and 5xx are returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(  # noqa: S310 - http to our own server
            self.base + path, data=body, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.url, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read()

    def csrf_token(self, path: str) -> str:
        status, _url, body = self.request(path)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
        if status != 200 or not match:
            raise SmokeFailure(f"GET {path}: {status}, no CSRF token in the form")
        return match.group(1).decode()


def submit_intake(base: str, token: str) -> dict[str, object]:
    req = urllib.request.Request(  # noqa: S310 - http to our own server
        f"{base}/api/v1/intakes",
        data=json.dumps(sample_answers()).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - our own server
        if response.status != 201:
            raise SmokeFailure(f"POST /api/v1/intakes: {response.status}")
        return json.loads(response.read())


def first_sign_in(
    base: str,
    email: str = STAFF_EMAIL,
    password: str = STAFF_PASSWORD,
    own_password: str = OWN_PASSWORD,
) -> Browser:
    """The first sign-in of an account made by ``user create``, as production asks for it: the
    password, a new password of the person's own, then an authenticator (front desk and
    clinicians must use two-factor), then the queue. The benchmarks sign in this way too."""
    import pyotp

    browser = Browser(base)
    token = browser.csrf_token("/staff/login")
    form = {"csrf_token": token, "email": email, "password": password}
    status, url, _body = browser.request("/staff/login", form)
    if status != 200 or not url.endswith("/staff/login/new-password"):
        raise SmokeFailure(f"sign-in: {status} at {url}, not the new-password page")
    token = browser.csrf_token("/staff/login/new-password")
    form = {"csrf_token": token, "new_password": own_password, "confirm_password": own_password}
    status, url, body = browser.request("/staff/login/new-password", form)
    if status != 200 or not url.endswith("/staff/login/setup-2fa"):
        raise SmokeFailure(f"new password: {status} at {url}, not the two-factor set-up")
    match = re.search(rb'<code class="secret">([A-Z2-7]+)</code>', body)
    if not match:
        raise SmokeFailure("two-factor set-up: no key on the page")
    code = pyotp.TOTP(match.group(1).decode()).now()
    token = browser.csrf_token("/staff/login/setup-2fa")
    status, url, _body = browser.request(
        "/staff/login/setup-2fa", {"csrf_token": token, "code": code}
    )
    # Home: the queue, or for a clinician the clinicians' urgent list (docs/staff.md).
    if status != 200 or not url.endswith(("/staff/", "/clinician/")):
        raise SmokeFailure(f"two-factor set-up: {status} at {url}, not the account's home page")
    return browser


def check_hsts(base: str) -> None:
    with urllib.request.urlopen(f"{base}/healthz", timeout=30) as response:  # noqa: S310
        sent = response.headers.get("Strict-Transport-Security")
    if sent != HSTS:
        raise SmokeFailure(f"Strict-Transport-Security: {sent!r}, not {HSTS!r}")


def check_login_limit(base: str) -> list[int]:
    """Wrong passwords until refused: the limit is counted once, across both workers."""
    browser = Browser(base)
    token = browser.csrf_token("/staff/login")
    form = {"csrf_token": token, "email": "nobody@clinic.example", "password": "wrong " * 3}
    statuses = [browser.request("/staff/login", form)[0] for _ in range(LOGIN_LIMIT + 3)]
    # The successful sign-in above was the first attempt in this minute.
    expected = [401] * (LOGIN_LIMIT - 1) + [429] * 4
    if statuses != expected:
        raise SmokeFailure(f"login limit not shared: {statuses}")
    return statuses


def delete_redis_keys(prefix: str) -> int:
    import redis

    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    keys = store.keys(f"*{prefix}*")
    return store.delete(*keys) if keys else 0


def production_env(database_url: str, prefix: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return {
        **clean,
        "INTAKE_ENV": "production",
        "INTAKE_SECRET_KEY": secrets.token_urlsafe(48),
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_RATELIMIT_STORAGE_URL": REDIS_URL,
        "INTAKE_RATELIMIT_KEY_PREFIX": prefix,
        "INTAKE_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        # Plain HTTP on localhost: a browser would not send Secure cookies back.
        "INTAKE_SECURE_COOKIES": "0",
    }


def run(env: dict[str, str], workdir: Path) -> None:
    with step("flask --app intake db upgrade"):
        flask("db", "upgrade", env=env)
    with step("flask --app intake user create (front_desk, clinician)"):
        flask(
            "user", "create", STAFF_EMAIL, "--role", "front_desk", "--role", "clinician",
            env={**env, "INTAKE_USER_PASSWORD": STAFF_PASSWORD},
        )  # fmt: skip
    with step("flask --app intake api-token create"):
        token = flask("api-token", "create", "smoke-kiosk", env=env).strip().splitlines()[-1]
    access_log = workdir / "access.log"
    # The web server and the job worker share one queue (SQLite on this one machine).
    env = {**env, "INTAKE_HUEY_URL": f"sqlite:///{workdir / 'jobs.sqlite3'}"}
    with job_worker(env), gunicorn(env, access_log) as base:
        with step("POST /api/v1/intakes with the token"):
            created = submit_intake(base, token)
        with step("first sign-in: own password, then two-factor set-up"):
            staff = first_sign_in(base)
        with step("GET /staff/ lists the intake"):
            status, _url, body = staff.request("/staff/")
            link = f"/staff/submissions/{created['id']}".encode()
            if status != 200 or link not in body or str(created["reference"]).encode() not in body:
                raise SmokeFailure(f"queue: {status}, submission {created['id']} not listed")
        with step("GET the summary PDF (rendered by the job worker: 202, then the file)"):
            deadline = time.monotonic() + PDF_WAIT_SECONDS
            while True:
                status, _url, pdf = staff.request(f"/clinician/submissions/{created['id']}.pdf")
                if status == 200 and pdf.startswith(b"%PDF"):
                    break
                if status != 202 or time.monotonic() > deadline:
                    raise SmokeFailure(f"summary PDF: {status}, starts {pdf[:8]!r}")
                time.sleep(0.5)
        with step("Strict-Transport-Security (one year, subdomains)"):
            check_hsts(base)
        with step(f"login limit ({LOGIN_LIMIT}/min) shared by the workers"):
            check_login_limit(base)
    pids = {line.split()[0] for line in access_log.read_text().splitlines() if line.strip()}
    print(f"  requests were served by {len(pids)} worker process(es)")


def main() -> int:
    # A TERM from CI still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    prefix = f"intake-smoke-{secrets.token_hex(6)}"
    print(f"production smoke test (PostgreSQL {server_url()}, Redis {REDIS_URL})")
    with step("Redis answers"):
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    with step("create a throwaway PostgreSQL database"):
        url, admin = create_database(server_url(), prefix="intake_smoke")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            run(production_env(url, prefix), Path(workdir))
    except SmokeFailure as exc:
        print(f"production smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        with step("drop the database and this run's Redis keys"):
            try:
                delete_redis_keys(prefix)
            finally:
                drop_database(admin, url)
    print(f"production smoke test passed in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
