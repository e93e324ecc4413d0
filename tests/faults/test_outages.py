"""Production under faults (issue 9): nothing lost, nothing stored twice, never a bare 500.

The app runs as documented: gunicorn with 2 workers in production mode, on a PostgreSQL cluster
and a redis-server started for this module (never the shared ones). Eight kiosk clients send
intakes through the API, each with its own ``Idempotency-Key``, retrying on 503 as the docs
say; a few patients walk the wizard meanwhile. During that load PostgreSQL is restarted, stopped
for a few seconds, crash-stopped (``-m immediate``) and started again, and Redis is stopped and
started. Then every response and every stored row is accounted for.

It runs once, in the SQLite run of the suite (``make test``): it does not use the suite's
database, so it skips under ``INTAKE_TEST_DATABASE_URL`` (``INTAKE_FAULTS=1`` runs it anyway).
Without initdb/pg_ctl/redis-server it skips, except under ``CI``, where that is a failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from intake.forms.patient import STEP_NAMES
from tests.answer_documents import sample_answers
from tests.faults.servers import (
    PostgresCluster,
    RedisServer,
    flask,
    gunicorn,
    missing_binaries,
    production_env,
)
from tests.patient.helpers import VALID

pytestmark = pytest.mark.faults

CLIENTS = 8
MIN_INTAKES = 200
MAX_SECONDS = 60  # the whole load, faults included, is stopped after this
SAVED_TEXT = "Your answers saved so far are safe"
STAFF_EMAIL = "desk@clinic.example"
STAFF_PASSWORD = "faults " + secrets.token_urlsafe(18)
STAFF_OWN_PASSWORD = "own " + secrets.token_urlsafe(18)
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

FAULT_REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults.txt"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Stack:
    """The servers of this module and what a client needs to reach them."""

    pg: PostgresCluster
    redis: RedisServer
    base: str
    token: str
    log: Path
    totp_secret: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if os.environ.get("INTAKE_TEST_DATABASE_URL") and not os.environ.get("INTAKE_FAULTS"):
        pytest.skip("runs once, in the SQLite run: it starts its own PostgreSQL")
    missing = missing_binaries()
    if missing:
        _skip_or_fail(f"fault tests need {', '.join(missing)}")
    pg, redis = PostgresCluster(), RedisServer()
    try:
        pg.init()
        redis.start()
        env = production_env(
            pg.url,
            redis.url,
            INTAKE_LOGIN_RATE_LIMIT="30 per minute",
            # Eight kiosks share one token: lift its intake limit (60 a minute by default).
            INTAKE_API_INTAKE_RATE_LIMIT="100000 per minute",
        )
        flask("db", "upgrade", env=env)
        flask(
            "user", "create", STAFF_EMAIL, "--role", "front_desk",
            env={**env, "INTAKE_USER_PASSWORD": STAFF_PASSWORD},
        )  # fmt: skip
        token = flask("api-token", "create", "kiosk", env=env).strip().splitlines()[-1]
        log = tmp_path_factory.mktemp("faults") / "gunicorn.log"
        with gunicorn(env, workers=2, log=log) as base:
            yield Stack(pg, redis, base, token, log, first_sign_in(base))
    finally:
        redis.destroy()
        pg.destroy()


# --- HTTP, as a kiosk and as a browser --------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str = ""

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _send(opener: urllib.request.OpenerDirector, req: urllib.request.Request) -> Reply:
    try:
        with opener.open(req, timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read(), response.url)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read(), exc.url)


_PLAIN = urllib.request.build_opener()


def get(base: str, path: str) -> Reply:
    return _send(_PLAIN, urllib.request.Request(base + path))  # noqa: S310 - our own server


def healthz(base: str) -> tuple[int, dict[str, str]]:
    reply = get(base, "/healthz")
    return reply.status, json.loads(reply.body)


class Browser:
    """Cookies and CSRF tokens, as a person's browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> Reply:
        return _send(self.opener, urllib.request.Request(self.base + path))  # noqa: S310

    def post(self, path: str, form: dict[str, str]) -> Reply:
        data = urllib.parse.urlencode(form).encode()
        return _send(self.opener, urllib.request.Request(self.base + path, data=data))  # noqa: S310

    def post_form(self, path: str, form: dict[str, str]) -> Reply:
        """GET the page for its CSRF token, then POST; a 503 on the GET is returned as is."""
        page = self.get(path)
        match = CSRF.search(page.text())
        if page.status != 200 or not match:
            return page
        return self.post(path, {**form, "csrf_token": match.group(1)})


def first_sign_in(base: str) -> str:
    """The staff account's first sign-in, before any fault: production asks for a password of
    its own and an authenticator (front desk must use two-factor). Returns its secret."""
    browser = Browser(base)
    reply = browser.post_form("/staff/login", {"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert reply.url.endswith("/staff/login/new-password"), (reply.status, reply.url)
    mine = {"new_password": STAFF_OWN_PASSWORD, "confirm_password": STAFF_OWN_PASSWORD}
    reply = browser.post_form("/staff/login/new-password", mine)
    assert reply.url.endswith("/staff/login/setup-2fa"), (reply.status, reply.url)
    match = re.search(r'<code class="secret">([A-Z2-7]+)</code>', reply.text())
    assert match, "no two-factor key on the set-up page"
    secret = match.group(1)
    reply = browser.post_form("/staff/login/setup-2fa", {"code": pyotp.TOTP(secret).now()})
    assert reply.url.endswith("/staff/"), (reply.status, reply.url)
    return secret


# --- the load ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Everything the kiosks saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    missing_retry_after: int = 0
    retries: int = 0
    connection_errors: int = 0
    created: dict[str, set[int]] = field(default_factory=dict)  # key -> ids seen in 201s
    unfinished: list[str] = field(default_factory=list)
    wizard_statuses: Counter[int] = field(default_factory=Counter)
    wizard_done: int = 0
    wizard_failed: list[str] = field(default_factory=list)


def submit_with_retries(stack: Stack, tally: Tally, deadline: float) -> None:
    """One intake, one key: retried on 503 (and on a dropped connection) until it is stored."""
    key = str(uuid.uuid4())
    body = json.dumps(sample_answers()).encode()
    headers = {
        "Authorization": f"Bearer {stack.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    first = True
    while time.monotonic() < deadline:
        if not first:
            with tally.lock:
                tally.retries += 1
        first = False
        req = urllib.request.Request(  # noqa: S310 - our own server
            f"{stack.base}/api/v1/intakes", data=body, headers=headers, method="POST"
        )
        try:
            reply = _send(_PLAIN, req)
        except OSError:
            with tally.lock:
                tally.connection_errors += 1
            time.sleep(0.2)
            continue
        with tally.lock:
            tally.statuses[reply.status] += 1
            if reply.status == 503 and "Retry-After" not in reply.headers:
                tally.missing_retry_after += 1
        if reply.status == 201:
            with tally.lock:
                tally.created.setdefault(key, set()).add(json.loads(reply.body)["id"])
            return
        if reply.status != 503:
            return  # counted; the test fails on it
        # Retry-After says 5 s; a test cannot wait that long per attempt, so a short pause.
        time.sleep(0.25)
    with tally.lock:
        tally.unfinished.append(key)


def kiosk(stack: Stack, tally: Tally, stop: threading.Event, deadline: float) -> None:
    while time.monotonic() < deadline:
        with tally.lock:
            done = len(tally.created) + len(tally.unfinished)
        if stop.is_set() and done >= MIN_INTAKES:
            return
        submit_with_retries(stack, tally, deadline)


def _retrying(tally: Tally, deadline: float, attempt) -> Reply:  # type: ignore[no-untyped-def]
    """A wizard request, tried again (like a patient pressing the button again) on 503."""
    while True:
        reply = attempt()
        with tally.lock:
            tally.wizard_statuses[reply.status] += 1
        if reply.status != 503 or time.monotonic() > deadline:
            return reply
        time.sleep(0.3)


def wizard_patient(stack: Stack, tally: Tally, deadline: float) -> None:
    """A patient walking every step and submitting, trying again whenever a page is a 503."""
    browser = Browser(stack.base)
    _retrying(tally, deadline, lambda: _begin(browser))
    for step in STEP_NAMES[:-1]:
        reply = _retrying(
            tally, deadline, lambda s=step: browser.post_form(f"/intake/step/{s}", VALID[s])
        )
        if reply.status != 200 or f"/intake/step/{step}" in reply.url:
            tally.wizard_failed.append(f"{step}: {reply.status} at {reply.url}")
            return
    review = {**VALID["review"], "action": "submit"}
    reply = _retrying(tally, deadline, lambda: browser.post_form("/intake/step/review", review))
    if reply.status == 200 and reply.url.endswith("/intake/done"):
        with tally.lock:
            tally.wizard_done += 1
    else:
        tally.wizard_failed.append(f"submit: {reply.status} at {reply.url}")


def _begin(browser: Browser) -> Reply:
    page = browser.get("/")
    match = CSRF.search(page.text())
    if page.status != 200 or match is None:
        return page
    return browser.post("/intake/start", {"csrf_token": match.group(1)})


# --- the faults ----------------------------------------------------------------------------


@dataclass
class Observed:
    """What the fault schedule checked while each service was down, and after."""

    health_db_down: tuple[int, dict[str, str]] | None = None
    health_redis_down: tuple[int, dict[str, str]] | None = None
    health_after: list[tuple[str, int]] = field(default_factory=list)
    patient_page: Reply | None = None
    patient_after: Reply | None = None
    patient_continue: Reply | None = None
    staff_password: Reply | None = None
    staff_sign_in: Reply | None = None
    staff_queue: Reply | None = None
    wrong_passwords: list[int] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)


def wait_healthy(base: str, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while True:
        status, _body = healthz(base)
        if status == 200 or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def run_faults(stack: Stack, seen: Observed, patient: Browser) -> None:
    base, began = stack.base, time.monotonic()

    def note(what: str) -> None:
        seen.timeline.append(f"{time.monotonic() - began:5.1f} s  {what}")

    time.sleep(1.0)
    note("pg_ctl restart -m fast")
    stack.pg.restart()
    seen.health_after.append(("restart", wait_healthy(base)))
    time.sleep(1.0)

    note("pg_ctl stop -m fast (3 s)")
    stack.pg.stop("fast")
    seen.health_db_down = healthz(base)
    # The patient, mid-walk, sends the next step while the database is down.
    seen.patient_page = patient.post_form("/intake/step/phq9", VALID["phq9"])
    time.sleep(3.0)
    stack.pg.start()
    note("pg_ctl start")
    seen.health_after.append(("stop/start", wait_healthy(base)))
    seen.patient_after = patient.get("/intake/step/about")
    seen.patient_continue = patient.get("/intake/continue")
    time.sleep(1.0)

    note("pg_ctl stop -m immediate (a crash), then start")
    stack.pg.stop("immediate")
    time.sleep(1.0)
    stack.pg.start()
    seen.health_after.append(("crash", wait_healthy(base)))
    time.sleep(1.0)

    note("redis stopped (3 s)")
    stack.redis.stop()
    seen.health_redis_down = healthz(base)
    staff = Browser(base)
    seen.staff_password = staff.post_form(
        "/staff/login", {"email": STAFF_EMAIL, "password": STAFF_OWN_PASSWORD}
    )
    # The next 30-second code: the one used to set it up is spent.
    code = pyotp.TOTP(stack.totp_secret).at(time.time() + 30)
    seen.staff_sign_in = staff.post_form("/staff/login/verify", {"code": code})
    seen.staff_queue = staff.get("/staff/")
    guesser = Browser(base)
    wrong = {"email": "nobody@clinic.example", "password": "wrong " * 3}
    seen.wrong_passwords = [guesser.post_form("/staff/login", wrong).status for _ in range(3)]
    time.sleep(3.0)
    stack.redis.start()
    note("redis started")
    seen.health_after.append(("redis", wait_healthy(base)))


def stored_rows(url: str) -> dict[str, object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            per_key = dict(
                conn.execute(
                    sa.text(
                        "SELECT idempotency_key, count(*) FROM submission "
                        "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key"
                    )
                ).all()
            )
            ids = dict(
                conn.execute(
                    sa.text("SELECT idempotency_key, id FROM submission WHERE source = 'api'")
                ).all()
            )
            wizard = conn.execute(
                sa.text("SELECT count(*) FROM submission WHERE source = 'wizard'")
            ).scalar_one()
            api = conn.execute(
                sa.text("SELECT count(*) FROM submission WHERE source = 'api'")
            ).scalar_one()
    finally:
        engine.dispose()
    return {"per_key": per_key, "ids": ids, "wizard": wizard, "api": api}


def test_outages_lose_nothing_store_nothing_twice_and_never_500(stack: Stack) -> None:
    base = stack.base
    assert healthz(base) == (200, {"status": "ok", "database": "ok", "redis": "ok"})

    # A patient who has saved two steps before anything goes wrong.
    patient = Browser(base)
    assert _begin(patient).status == 200
    for step in ("about", "concerns"):
        assert patient.post_form(f"/intake/step/{step}", VALID[step]).status == 200

    tally, seen, stop = Tally(), Observed(), threading.Event()
    started = time.monotonic()
    deadline = started + MAX_SECONDS
    threads = [
        threading.Thread(target=kiosk, args=(stack, tally, stop, deadline), daemon=True)
        for _ in range(CLIENTS)
    ]
    threads += [
        threading.Thread(target=wizard_patient, args=(stack, tally, deadline), daemon=True)
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    try:
        run_faults(stack, seen, patient)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0) + 35)
    elapsed = time.monotonic() - started
    rows = stored_rows(stack.pg.url)
    per_key: dict[str, int] = rows["per_key"]  # type: ignore[assignment]
    ids: dict[str, int] = rows["ids"]  # type: ignore[assignment]

    requests = sum(tally.statuses.values())
    other = {code: n for code, n in tally.statuses.items() if code not in (201, 503)}
    summary = (
        f"faults: {requests} API requests in {elapsed:.1f} s: "
        f"{tally.statuses[201]} × 201, {tally.statuses[503]} × 503, {tally.retries} retries, "
        f"{tally.connection_errors} connection errors, other statuses {other}; "
        f"{len(tally.created)} intakes acknowledged, {rows['api']} API rows stored; "
        f"wizard: {tally.wizard_done} submitted, statuses {dict(tally.wizard_statuses)}"
    )
    print("\n" + summary)
    print("\n".join(seen.timeline))
    # CI prints this file after the suite, so the counts are in every CI log, pass or fail.
    FAULT_REPORT.parent.mkdir(parents=True, exist_ok=True)
    FAULT_REPORT.write_text(summary + "\n" + "\n".join(seen.timeline) + "\n", encoding="utf-8")

    assert not any(t.is_alive() for t in threads), "a client was still running"
    # Every response was 201 or 503 (with Retry-After): never a 500, nothing else.
    assert set(tally.statuses) <= {201, 503}, tally.statuses
    assert tally.missing_retry_after == 0
    assert tally.connection_errors == 0
    assert tally.statuses[503] > 0, "the faults were not felt: the test proves nothing"
    # Every intake was eventually acknowledged, and each is stored exactly once.
    assert tally.unfinished == []
    assert len(tally.created) >= MIN_INTAKES
    assert all(len(seen_ids) == 1 for seen_ids in tally.created.values())
    assert set(per_key) == set(tally.created)
    assert set(per_key.values()) == {1}
    assert {key: next(iter(found)) for key, found in tally.created.items()} == ids
    assert rows["api"] == len(tally.created)
    # Wizard patients under the same faults: 503s at worst, all submitted, once each.
    assert set(tally.wizard_statuses) <= {200, 503}, tally.wizard_statuses
    assert tally.wizard_failed == [] and tally.wizard_done == 3
    assert rows["wizard"] == 3

    # /healthz: 503 naming the service while it was down, 200 after each fault.
    assert seen.health_db_down is not None and seen.health_db_down[0] == 503
    assert seen.health_db_down[1]["database"] == "down"
    assert seen.health_redis_down == (
        503,
        {"status": "degraded", "database": "ok", "redis": "down"},
    )
    assert [status for _fault, status in seen.health_after] == [200] * 4, seen.health_after

    # The patient mid-walk saw the outage page, and kept their saved steps.
    page = seen.patient_page
    assert page is not None and page.status == 503, page and page.status
    assert SAVED_TEXT in page.text() and "try again in a minute" in page.text()
    assert page.headers.get("Retry-After") == "5"
    assert all(name in page.headers for name in SECURITY_HEADERS)
    assert seen.patient_after is not None and seen.patient_after.status == 200
    assert 'value="Reyes"' in seen.patient_after.text()
    assert seen.patient_continue is not None
    assert seen.patient_continue.url.endswith("/intake/step/phq9")

    # Staff sign in (password, then code) while Redis is down; guessing is still limited per
    # worker, never a 500.
    assert seen.staff_password is not None
    assert seen.staff_password.url.endswith("/staff/login/verify"), seen.staff_password.url
    assert seen.staff_sign_in is not None and seen.staff_sign_in.status == 200
    assert seen.staff_sign_in.url.endswith("/staff/"), seen.staff_sign_in.url
    assert seen.staff_queue is not None and seen.staff_queue.status == 200
    assert set(seen.wrong_passwords) <= {401, 429}, seen.wrong_passwords
    assert "Traceback" not in stack.log.read_text(), stack.log.read_text()[-3000:]
