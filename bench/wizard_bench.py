"""The patient's pages under load, as ratios to bare Flask: ``python -m bench.wizard_bench``
(also run by ``make bench``; issue 13's wizard target, issue 16's check-in page).

Production mode: gunicorn with ``BENCH_WORKERS`` sync workers (2 by default) serving a
PostgreSQL database of its own (``intake_bench_wizard`` on ``BENCH_POSTGRES_URL``'s server,
created, migrated and dropped by each run) and a Redis of its own, beside the bare Flask
endpoint (``bench/bare_app.py``) under the same gunicorn settings. ``wrk -t2 -c16`` measures
each page for ``BENCH_DURATION`` in ``BENCH_HTTP_ROUNDS`` alternating rounds: every round measures
the bare endpoint, then every page, then the bare endpoint again, so a neighbour's load falls on
both sides of each ratio. A page's figure is the median of its rounds over the median of the
bare endpoint's.

What is measured is what a patient's browser asks for, nothing cached between requests:

- every wizard step and the review page, GET, for a patient whose draft holds every step's
  answers (the walk ``tests/patient/helpers.VALID`` describes), with that patient's cookie;
- the confirmation (``/intake/done``) of a form just sent (a new patient each round: the page
  shows for two minutes after it is first opened);
- the PHQ-9 step's POST, which validates and saves the draft (a new version each time) and
  answers with the redirect to the next step. wrk sends it for 64 patients in turn (each of
  its two threads its own half), each with its own cookie and CSRF token (one patient's draft
  is saved by one request at a time, as a person's browser does; two saves of one draft at
  once would be refused as stale);
- the check-in page (``/checkin``) of a course's open check-in, opened by its link.

Every answer must be the one expected (a page 200, the POST its 302 to the next step).
``--only=TEXT`` measures the pages whose name holds TEXT. The load average is printed at the
start and the end: the machine's 2 cores are shared.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import goals

ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DURATION = os.environ.get("BENCH_DURATION", "3s")
SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "intake_bench_wizard"
GET_GOAL = 0.30
POST_GOAL = 0.25
#: The reference row: the app's fixed cost per request (its WSGI middleware, every
#: before/after-request hook, the security headers, gunicorn in production) with no page's own
#: work and no I/O, so a page's ratio can be read against the most any page could reach.
LIVEZ = "/livez (the app, no page: its floor)"
#: A second reference: the start page as a first visit draws it (no cookie, so no draft to
#: read): the least a page of this app's layout costs.
NEW_VISITOR = "start page, a first visit (no cookie)"
#: What the saving POST answers: the redirect to the next step.
POST_STATUS = 302
#: Patients the POST rotates through, half per wrk thread (each draft saved by one request at
#: a time: a thread's 8 connections reach the same patient again only 32 requests later).
POSTERS = 64


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _database_url() -> str:
    return sa.make_url(SERVER_URL).set(database=DATABASE).render_as_string(hide_password=False)


@contextmanager
def database() -> Iterator[str]:
    """A new, empty database of this benchmark's own (dropped afterwards)."""
    admin = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    try:
        yield _database_url()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def servers(url: str) -> Iterator[tuple[str, str]]:
    """(bare Flask base URL, intake base URL), both under gunicorn, the intake in production."""
    from bench.http_load import gunicorn as bare_gunicorn
    from tests.faults.servers import RedisServer, flask, production_env
    from tests.faults.servers import gunicorn as intake_gunicorn

    redis = RedisServer()
    redis.start()
    try:
        env = production_env(url, redis.url)
        flask("db", "upgrade", env=env)
        with (
            tempfile.TemporaryDirectory() as tmp,
            bare_gunicorn("bench.bare_app:app", {}) as bare,
            intake_gunicorn(env, workers=WORKERS, log=Path(tmp) / "gunicorn.log") as intake,
        ):
            try:
                yield bare, intake
            except RuntimeError:
                # A page answered something other than 2xx/3xx: what the server logged says why.
                lines = (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()
                print("the intake server's log, last 60 lines:", *lines[-60:], sep="\n  ")
                raise
    finally:
        redis.destroy()


# A patient's browser ------------------------------------------------------------------------


def _patient(base: str) -> Any:
    from tests.smoke.production_smoke import Browser

    return Browser(base)


def _post_step(browser: Any, step: str, answers: dict[str, str], action: str = "next") -> None:
    token = browser.csrf_token(f"/intake/step/{step}")
    status, _url, _body = browser.request(
        f"/intake/step/{step}", {**answers, "action": action, "csrf_token": token}
    )
    if status != 200:
        raise RuntimeError(f"POST /intake/step/{step}: {status}")


def walked(base: str, until: str = "review") -> Any:
    """A patient who started the form and answered every step before ``until``."""
    from intake.forms.patient import STEP_NAMES
    from tests.patient.helpers import VALID

    browser = _patient(base)
    token = browser.csrf_token("/")
    status, _url, _body = browser.request("/intake/start", {"csrf_token": token})
    if status != 200:
        raise RuntimeError(f"POST /intake/start: {status}")
    for step in STEP_NAMES[: STEP_NAMES.index(until)]:
        _post_step(browser, step, VALID[step])
    return browser


def sent(base: str) -> Any:
    """A patient who has just sent the whole form (on the confirmation page)."""
    from tests.patient.helpers import VALID

    browser = walked(base)
    _post_step(browser, "review", VALID["review"], action="submit")
    return browser


def open_checkin(url: str, base: str) -> Any:
    """A patient whose course's open check-in was opened by its link (the form page next).

    The course is started as a clinician would from the intake a patient sends first (through
    the services, in this process, on the benchmark's database)."""
    from config import Config
    from intake import create_app
    from intake.extensions import db
    from intake.models import Submission
    from intake.models.types import utcnow
    from intake.rules import RULESET
    from intake.services import courses
    from intake.services.accounts import create_account
    from intake.services.reviews import record_review

    sent(base)
    app = create_app(type("WizardBench", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        clinician = create_account(
            f"clinician-{secrets.token_hex(4)}@bench.example.org",
            secrets.token_urlsafe(18),
            ["clinician"],
            check_policy=False,
            must_change_password=False,
        )
        submission = db.session.scalars(sa.select(Submission).order_by(Submission.id)).first()
        assert submission is not None
        record_review(
            submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
        )
        today = courses.clinic_today()
        course = courses.start_course(
            submission,
            kind="standard_tms",
            start_date=today - timedelta(weeks=1),
            planned_sessions=30,
            taper_sessions=6,
            every_days=7,
            maintenance_months=6,
            by=clinician,
            today=today,
        )
        db.session.commit()
        checkin = courses.open_checkin(course)
        assert checkin is not None
        raw = courses.new_token(checkin, utcnow())
        db.session.commit()
        db.engine.dispose()
    browser = _patient(base)
    status, final, _body = browser.request(f"/c/{raw}")
    if status != 200 or not final.endswith("/checkin"):
        raise RuntimeError(f"check-in link: {status} at {final}")
    return browser


# wrk ----------------------------------------------------------------------------------------

#: Sends the requests written to ``requests.lua``'s table in turn; each wrk thread starts at its
#: own place, so no two connections send the same patient's request at once.
#: Raw, so Lua gets its own ``"\\n"``: a Python newline inside a Lua string was a syntax error
#: that made wrk drop the script and send bare GETs without the patient's cookie (each page a
#: redirect), unnoticed from 2026-12-03 until 2026-12-04 (docs/operations.md). Any status but
#: the one expected is written to stderr, and :func:`wrk` refuses a run with anything there.
LUA = r"""
local requests = dofile("%(table)s")
local threads = 0
-- Each of wrk's two threads sends its own half of the requests: both cycling through all of
-- them drifted into step and saved one patient's draft twice at once (refused as stale, 409).
local span = math.max(1, math.floor(#requests / 2))
function setup(thread)
  thread:set("first", (threads * span) %% #requests)
  threads = threads + 1
end
local i = 0
function request()
  local r = requests[first + i %% span + 1]
  i = i + 1
  return wrk.format(r.method, r.path, r.headers, r.body)
end
local expected = %(expect)d
function response(status, headers, body)
  if status ~= expected then
    io.stderr:write("expected " .. expected .. ", got " .. status .. " "
      .. string.sub(body, 1, 800) .. "\n")
  end
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(folder: str, requests: list[dict[str, Any]], expect: int = 200) -> str:
    """A wrk script sending ``requests`` ({method, path, headers, body}) in turn, each expected
    to answer ``expect`` (a page 200; the saving POST its redirect)."""
    rows = []
    for r in requests:
        headers = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r["headers"].items()
        )
        body = _lua_string(r["body"]) if r.get("body") else "nil"
        rows.append(
            f"{{method = {_lua_string(r['method'])}, path = {_lua_string(r['path'])}, "
            f"headers = {{{headers}}}, body = {body}}}"
        )
    table = Path(folder) / f"requests-{secrets.token_hex(4)}.lua"
    table.write_text("return {\n" + ",\n".join(rows) + "\n}\n")
    script = Path(folder) / f"script-{secrets.token_hex(4)}.lua"
    script.write_text(LUA % {"table": str(table), "expect": expect})
    return str(script)


def wrk(base: str, script: str | None = None, path: str = "/") -> float:
    """Requests/s wrk measured (only clean 2xx/3xx answers count)."""
    args = ["wrk", "-t2", "-c16", f"-d{DURATION}", "--timeout", "30s"]
    if script:
        args += ["-s", script]
    done = subprocess.run(  # noqa: S603
        [*args, base + path], capture_output=True, text=True, check=True
    )
    out = done.stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    # stderr holds the script's own complaints (a status not expected) and wrk's (a script
    # that does not load, after which wrk would measure plain GETs of ``path`` instead).
    if not match or "Non-2xx" in out or "Socket errors" in out or done.stderr.strip():
        # The script writes each error answer's status and the start of its body to stderr.
        raise RuntimeError(
            f"wrk did not measure the expected answers:\n{out}\n{done.stderr[:4000]}"
        )
    return float(match.group(1))


def _get(browser: Any, path: str) -> dict[str, Any]:
    return {"method": "GET", "path": path, "headers": {"Cookie": browser.cookie_header()}}


def _phq9_post(browser: Any) -> dict[str, Any]:
    from tests.patient.helpers import VALID

    token = browser.csrf_token("/intake/step/phq9")
    body = urllib.parse.urlencode({**VALID["phq9"], "action": "next", "csrf_token": token})
    return {
        "method": "POST",
        "path": "/intake/step/phq9",
        "headers": {
            "Cookie": browser.cookie_header(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "body": body,
    }


# The run ------------------------------------------------------------------------------------


def page_names() -> list[tuple[str, str, float | None]]:
    """(name, path, goal) of every page measured, in order; a goal of None is a reference row
    (what the app costs before any page's own work), printed but not judged."""
    from intake.forms.patient import STEP_NAMES

    names: list[tuple[str, str, float | None]] = [
        (LIVEZ, "/livez", None),
        (NEW_VISITOR, "/", None),
        ("start page", "/", GET_GOAL),
    ]
    names += [(f"step {step}", f"/intake/step/{step}", GET_GOAL) for step in STEP_NAMES]
    names += [
        ("confirmation", "/intake/done", GET_GOAL),
        ("PHQ-9 step POST (saves the draft)", "/intake/step/phq9", POST_GOAL),
        ("check-in page", "/checkin", GET_GOAL),
    ]
    return names


def measure(url: str, only: str) -> list[tuple[str, float, float, float | None]]:
    """(name, page req/s median, bare req/s median, goal) of each page."""
    chosen = [row for row in page_names() if only in row[0]]
    with servers(url) as (bare, intake), tempfile.TemporaryDirectory() as folder:
        walker = walked(intake)
        posters = [walked(intake, until="phq9") for _ in range(POSTERS)]
        post_script = wrk_script(folder, [_phq9_post(p) for p in posters], expect=POST_STATUS)
        checkin = open_checkin(url, intake) if any("check-in" in r[0] for r in chosen) else None

        def script_for(name: str, path: str) -> str:
            if name.startswith("PHQ-9 step POST"):
                return post_script
            if name == "confirmation":
                return wrk_script(folder, [_get(sent(intake), path)])  # a new patient each round
            if name == "check-in page":
                return wrk_script(folder, [_get(checkin, path)])
            if name in (LIVEZ, NEW_VISITOR):
                return wrk_script(folder, [{"method": "GET", "path": path, "headers": {}}])
            return wrk_script(folder, [_get(walker, path)])

        wrk(bare)  # warm both
        for name, path, _goal in chosen:
            wrk(intake, script_for(name, path))
        bare_rates: list[float] = []
        rates: dict[str, list[float]] = {name: [] for name, _p, _g in chosen}
        for n in range(ROUNDS):
            bare_rates.append(wrk(bare))
            for name, path, _goal in chosen:
                rates[name].append(wrk(intake, script_for(name, path)))
            bare_rates.append(wrk(bare))
            print(
                f"  round {n + 1}: bare Flask {bare_rates[-2]:.0f} / {bare_rates[-1]:.0f} req/s; "
                + ", ".join(f"{name} {rates[name][-1]:.0f}" for name, _p, _g in chosen),
                flush=True,
            )
    bare_median = statistics.median(bare_rates)
    return [(name, statistics.median(rates[name]), bare_median, goal) for name, _p, goal in chosen]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if shutil.which("wrk") is None:
        print("wizard pages req/s: skipped (install wrk: apt-get install wrk)")
        return
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), "")
    print(f"load average at start: {load()} (2 cores, shared with other work)")
    print(
        f"patient pages under gunicorn ({WORKERS} sync workers, production, PostgreSQL, "
        f"wrk -t2 -c16 -d{DURATION}, {ROUNDS} alternating rounds):",
        flush=True,
    )
    try:
        with database() as url:
            results = measure(url, only)
    except sa.exc.OperationalError as exc:
        print(f"wizard pages: PostgreSQL unreachable, skipped ({str(exc).splitlines()[0]})")
        return
    for name, rate, bare, goal in results:
        ratio = rate / bare
        line = f"  {name:<36} {rate:7.0f} req/s = {ratio:.3f} × bare Flask ({bare:.0f})"
        if goal is None:
            print(f"{line}   (reference, no goal)")
            goals.record(f"reference: {name}", f"{ratio:.3f} × bare Flask", "none", None)
            continue
        verdict = "ok" if ratio >= goal else "MISSED"
        print(f"{line}   goal ≥ {goal:.2f}  {verdict}")
        goals.record(f"wizard: {name}", f"{ratio:.3f} × bare Flask", f"≥ {goal:.2f}", ratio >= goal)
    print(f"load average at the end: {load()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
