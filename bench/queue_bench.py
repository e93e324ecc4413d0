"""The front-desk queue at 1,000,000 submissions on PostgreSQL: ``python -m bench.queue_bench``
(also run by ``make bench``).

Uses the benchmark database ``intake_bench`` (``bench/bench_db.py``: built once, with
``make bench-db``, then reused). Two parts, each figure printed beside its goal (issue 13):

1. **Every query the queue runs, p95 < 50 ms**: each scenario (the default page, Next to page
   2 and to page 1,000 in every sort, Previous, the deepest page First/Last can ask, each
   filter and every pathway, the searches, the sorts, the header count) runs ``ROUNDS`` times
   through the queue service, and every SQL statement it sends is timed at the cursor
   (SQLAlchemy's ``before/after_cursor_execute``). A scenario's figure is the p95 of its
   slowest kind of statement (count, page ids, rows, pinned rows, ...). ``--plans`` prints
   ``EXPLAIN (ANALYZE, BUFFERS)`` of the main statements; ``--only=TEXT`` runs the scenarios
   whose name holds TEXT; ``--no-http`` skips part 2, ``--http-only`` part 1.
2. **The queue page ≥ 0.15 × bare Flask req/s, the clinician summary ≥ 0.20**: gunicorn in
   production mode (``BENCH_WORKERS`` sync workers, 2 by default; a Redis of its own for the
   rate limits and the job queue) serving the benchmark database, signed in as a new
   front-desk and a new clinician account, and the bare Flask endpoint under the same
   gunicorn settings, measured with ``wrk`` in alternating rounds (``BENCH_HTTP_ROUNDS`` each,
   ``BENCH_DURATION`` long) in the same run; the ratio of the medians is each page's figure.
   Each page is a real one: its audit event is written and committed. The summary is of a
   full urgent submission whose PDF is already stored (rendered in-process first, as the job
   worker would after the first view).

The machine's load average is printed at the start and the end: on a shared machine the
absolute figures move with the neighbours; the ratio (same run, alternating) moves less.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import bench_db, goals
from config import Config

ROUNDS = int(os.environ.get("BENCH_QUERY_ROUNDS", "40"))
HTTP_ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DURATION = os.environ.get("BENCH_DURATION", "5s")
QUERY_GOAL_MS = 50.0
RATIO_GOAL = 0.15
SUMMARY_RATIO_GOAL = 0.20
DEEP_PAGE = 1000


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class StatementTimer:
    """Times every statement the engine sends, filed under the current scenario and a kind."""

    def __init__(self, engine: sa.Engine) -> None:
        self.samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.scenario: str | None = None
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.scenario is None:
            return
        ms = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        self.samples[self.scenario][kind_of(statement)].append(ms)


def kind_of(sql: str) -> str:
    """Which of the queue's statements this is. The pinned rows and a page of the list are each
    one statement, their ids chosen in a subquery ("pinned lines", "page lines")."""
    text = " ".join(sql.split())
    if "count(" in text:
        return "pinned count" if "submission.acknowledged_at IS NULL" in text else "count"
    if "FROM contact_attempt" in text:
        return "contacts"
    if "WHERE submission.id = " in text and "LIMIT" not in text:
        return "cursor row"
    if "WHERE submission.id IN (SELECT" in text:
        return "pinned lines" if "ORDER BY submission.acute DESC" in text else "page lines"
    if "ORDER BY submission.acute DESC" in text:
        return "pinned ids"
    if "submission.id IN (__[POSTCOMPILE" in text or re.search(r"WHERE submission\.id IN \(", text):
        return "rows by id"
    return "page ids"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def _app(url: str) -> Any:
    from intake import create_app

    config = type("QueueBench", (Config,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def scenarios() -> dict[str, Callable[[], object]]:
    """Each queue page to time, by name (run inside the app context)."""
    from intake.extensions import db
    from intake.models import Submission
    from intake.services import queue as qs
    from intake.staff.filters import read_filters

    def page(**form: str) -> Callable[[], object]:
        """What the queue view asks of the service for this form (pinned, then the list)."""
        f = read_filters(form, viewer_id=1)

        def run() -> object:
            pinned = qs.pinned(f)
            return pinned, qs.listing(f, pinned_total=pinned.total)

        return run

    def position_cursors(sort: str, page_number: int) -> tuple[str, str]:
        """The cursors of the first and last rows of ``page_number`` (read once, untimed)."""
        f = qs.QueueFilters(sort=sort, page=page_number)
        listed = qs.listing(f)
        return listed.first_row, listed.last_row

    found: dict[str, Callable[[], object]] = {
        "default page (pinned + page 1)": page(),
    }
    _first, last = position_cursors("newest", 1)
    found["Next: page 2"] = page(page="2", from_page="1", last_row=last)
    for sort in ("newest", "oldest", "last_name", "status"):
        first, last = position_cursors(sort, DEEP_PAGE - 1)
        found[f"Next: page {DEEP_PAGE:,}, {sort}"] = page(
            sort=sort, page=str(DEEP_PAGE), from_page=str(DEEP_PAGE - 1), last_row=last
        )
        found[f"Previous: page {DEEP_PAGE - 2:,}, {sort}"] = page(
            sort=sort, page=str(DEEP_PAGE - 2), from_page=str(DEEP_PAGE - 1), first_row=first
        )
    cap_page = qs.COUNT_CAP // qs.PAGE_SIZE
    found[f"page {cap_page} by number (OFFSET {(cap_page - 1) * qs.PAGE_SIZE:,}: deepest Last)"] = (
        page(page=str(cap_page))
    )
    for sort in ("oldest", "last_name", "status"):
        found[f"sort {sort}, page 1"] = page(sort=sort)
    for status in ("new", "in_review", "closed"):
        found[f"status {status}"] = page(status=status)
    found["urgent only"] = page(urgent="yes")
    found["not urgent"] = page(urgent="no")
    found["concern ocd"] = page(concern="ocd")
    found["coverage medicare"] = page(coverage="medicare")
    found["coverage medicare + concern ocd"] = page(coverage="medicare", concern="ocd")
    for code in qs.pathway_titles():
        found[f"pathway {code}"] = page(pathway=code)
    found["pathway tms_plus_erp + status new"] = page(pathway="tms_plus_erp", status="new")
    # The worklist's filters (issue 14): each PHQ-9 band, the commonest top flags, a payer
    # prefix, prior authorization, review state and assignee, alone and with a status.
    for band in qs.PHQ9_BANDS:
        found[f"worklist: PHQ-9 {band}"] = page(phq9=band)
    for flag in ("suicide_risk", "suicide_risk_acute", "minor"):
        found[f"worklist: top flag {flag}"] = page(flag=flag)
    found["worklist: payer starts 'aet'"] = page(payer="aet")
    found["worklist: prior auth pending"] = page(prior_auth="pending")
    found["worklist: awaiting clinician review"] = page(review="awaiting")
    found["worklist: reviewed, agreed"] = page(review="agree")
    found["worklist: assigned to me"] = page(assigned="me")
    found["worklist: assigned to nobody"] = page(assigned="nobody")
    found["worklist: awaiting review + status new"] = page(review="awaiting", status="new")
    today = datetime.now(UTC).date()
    found["submitted in the last 7 days"] = page(date_from=(today - timedelta(days=7)).isoformat())
    found["submitted in one week 3 months ago"] = page(
        date_from=(today - timedelta(days=97)).isoformat(),
        date_to=(today - timedelta(days=90)).isoformat(),
    )
    common = db.session.execute(
        sa.select(Submission.last_name_folded, sa.func.count())
        .group_by(Submission.last_name_folded)
        .order_by(sa.func.count().desc())
        .limit(1)
    ).one()
    dob = db.session.execute(
        sa.select(Submission.date_of_birth, sa.func.count())
        .group_by(Submission.date_of_birth)
        .order_by(sa.func.count().desc())
        .limit(1)
    ).one()
    reference = db.session.scalar(sa.select(Submission.reference).order_by(Submission.id).limit(1))
    found["search: last-name prefix 'garc'"] = page(q="garc")
    found[f"search: commonest last name ({common[1]:,} rows)"] = page(q=common[0])
    found["search: no such name"] = page(q="zzyzx")
    found[f"search: commonest date of birth ({dob[1]:,} rows)"] = page(q=dob[0].isoformat())
    found["search: reference"] = page(q=str(reference).lower().replace("-", " "))
    found["header: urgent counts (every staff page)"] = qs.urgent_counts
    now = qs.urgent_counts().cursor
    found["live poll: nothing new"] = lambda: qs.queue_changes(now)
    found["live poll: a page 1,000 submissions old"] = lambda: qs.queue_changes(
        qs.QueueCursor(max(now.newest_id - 1000, 0), 0)
    )
    return found


def query_figures(url: str, plans: bool, only: str = "") -> list[tuple[str, float, str]]:
    """(scenario, p95 of its slowest statement kind, that kind) for every scenario."""
    from intake.extensions import db

    app = _app(url)
    results = []
    with app.app_context():
        timer = StatementTimer(db.engine)
        runs = scenarios()
        print(
            f"queue queries at {bench_db.ROWS:,} submissions on PostgreSQL "
            f"({ROUNDS} rounds each; p95 of every statement, the slowest kind shown):"
        )
        for name, run in runs.items():
            if only not in name:
                continue
            run()  # warm: plans cached, pages in memory
            db.session.rollback()
            timer.scenario = name
            for _ in range(ROUNDS):
                run()
                db.session.rollback()
            timer.scenario = None
            kinds = {kind: p95(ms) for kind, ms in timer.samples[name].items()}
            worst = max(kinds, key=lambda kind: kinds[kind])
            results.append((name, kinds[worst], worst))
            verdict = "ok" if kinds[worst] < QUERY_GOAL_MS else "MISSED"
            print(
                f"  {name:<56} p95 {kinds[worst]:6.1f} ms ({worst:<12}) goal < 50 ms  {verdict}",
                flush=True,
            )
        if plans:
            explain(db, runs)
        db.session.remove()
        db.engine.dispose()
    return results


#: The scenarios whose statements ``--plans`` explains (the ones issue 13 measured).
PLANNED = (
    "default page (pinned + page 1)",
    f"Next: page {DEEP_PAGE:,}, newest",
    "pathway tms_plus_erp",
    "search: last-name prefix 'garc'",
)


def _statements(db: Any, run: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements (with their parameters) ``run`` sends."""
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    db.session.rollback()
    return sent


def explain(db: Any, runs: dict[str, Callable[[], object]]) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the ``PLANNED`` scenarios send."""
    for name in PLANNED:
        sent = _statements(db, runs[name])
        print(f"\n  plans: {name}")
        for statement, parameters in sent:
            plan = db.session.connection().exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
            )
            print(f"    -- {kind_of(statement)}")
            for (line,) in plan:
                print(f"    {line}")
        db.session.rollback()


@contextmanager
def servers(url: str) -> Iterator[tuple[str, str]]:
    """(bare Flask base URL, intake base URL), both under gunicorn, the intake in production
    (its job queue on the benchmark's own Redis, so nothing is queued in ``instance/``)."""
    from bench.http_load import gunicorn as bare_gunicorn
    from tests.faults.servers import RedisServer, production_env
    from tests.faults.servers import gunicorn as intake_gunicorn

    redis = RedisServer()
    redis.start()
    try:
        env = production_env(url, redis.url, INTAKE_HUEY_URL=redis.url)
        with (
            tempfile.TemporaryDirectory() as tmp,
            bare_gunicorn("bench.bare_app:app", {}) as bare,
            intake_gunicorn(env, workers=WORKERS, log=Path(tmp) / "gunicorn.log") as intake,
        ):
            yield bare, intake
    finally:
        redis.destroy()


def sign_in(base: str, role: str = "front_desk") -> str:
    """The session cookie of a new account holding ``role``, signed in as production asks for a
    first sign-in (its own password, then an authenticator; ``production_smoke.first_sign_in``).
    A new account per run: the benchmark database outlives the passwords and authenticator
    keys a run chooses."""
    from tests.smoke.production_smoke import first_sign_in

    email = f"{role.replace('_', '-')}-{secrets.token_hex(4)}@bench.example.org"
    password = "bench " + secrets.token_urlsafe(18)
    bench_db._flask(
        "user", "create", email, "--role", role,
        env={"INTAKE_USER_PASSWORD": password},
    )  # fmt: skip
    browser = first_sign_in(base, email, password, "own " + secrets.token_urlsafe(18))
    return browser.cookie_header()


def summary_submission(url: str) -> int:
    """The submission whose summary the benchmark draws (a full urgent one: flags, safety,
    pathways), with its PDF rendered and stored first, as the job worker does after a
    clinician's first view: what every later view costs is the page and a look-up of that PDF
    (``bench/profile_pages.py`` signs in the same way)."""
    from bench import profile_pages

    app = profile_pages._app(url)  # no job queue: the PDF is rendered in this process
    sid = profile_pages.summary_id(app)
    clinician = profile_pages._client(app, "clinician")
    status = clinician.get(f"/clinician/submissions/{sid}.pdf").status_code
    if status != 200:
        raise RuntimeError(f"the summary PDF of submission {sid} answered {status}")
    return sid


def wrk(url: str, cookie: str | None = None) -> float:
    """Requests/s wrk measured against ``url`` (only clean 2xx answers count)."""
    import subprocess

    # A 30 s timeout (wrk's default is 2 s): on a loaded machine a slow page is a slow figure,
    # not a run that stops with "socket errors".
    args = ["wrk", "-t2", "-c16", "--timeout", "30s", f"-d{DURATION}", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk did not measure clean 2xx responses:\n{out}")
    return float(match.group(1))


#: Each page the HTTP part measures: its goal (× bare Flask req/s).
HTTP_GOALS = {"queue page": RATIO_GOAL, "clinician summary": SUMMARY_RATIO_GOAL}


def http_figure(url: str) -> dict[str, float] | None:
    """Each page's req/s over the bare endpoint's (medians of alternating rounds), by page."""
    if shutil.which("wrk") is None:
        print("queue page req/s: skipped (install wrk: apt-get install wrk)")
        return None
    sid = summary_submission(url)
    print(
        f"\nstaff pages under gunicorn ({WORKERS} sync workers, production, wrk -t2 -c16 "
        f"-d{DURATION}, {HTTP_ROUNDS} alternating rounds; the summary of submission {sid}):"
    )
    with servers(url) as (bare, intake):
        targets = {
            "queue page": (f"{intake}/staff/", sign_in(intake, "front_desk")),
            "clinician summary": (
                f"{intake}/clinician/submissions/{sid}",
                sign_in(intake, "clinician"),
            ),
        }
        wrk(f"{bare}/", None)  # warm every server and page
        for target, cookie in targets.values():
            wrk(target, cookie)
        bare_rates: list[float] = []
        rates: dict[str, list[float]] = {name: [] for name in targets}
        for n in range(HTTP_ROUNDS):
            bare_rates.append(wrk(f"{bare}/"))
            for name, (target, cookie) in targets.items():
                rates[name].append(wrk(target, cookie))
            print(
                f"  round {n + 1}: bare Flask {bare_rates[-1]:7.0f} req/s, "
                + ", ".join(f"{name} {rates[name][-1]:6.0f} req/s" for name in targets),
                flush=True,
            )
    bare_median = statistics.median(bare_rates)
    ratios = {}
    for name, found in rates.items():
        ratios[name] = statistics.median(found) / bare_median
        verdict = "ok" if ratios[name] >= HTTP_GOALS[name] else "MISSED"
        print(
            f"  {name} at {bench_db.ROWS:,} submissions: {statistics.median(found):.0f} req/s = "
            f"{ratios[name]:.3f} × bare Flask ({bare_median:.0f})   "
            f"goal ≥ {HTTP_GOALS[name]}  {verdict}"
        )
        goals.record(
            f"{name} at {bench_db.ROWS:,} (gunicorn)",
            f"{ratios[name]:.3f} × bare Flask",
            f"≥ {HTTP_GOALS[name]}",
            ratios[name] >= HTTP_GOALS[name],
        )
    return ratios


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    print(f"load average at start: {load()} (2 cores, shared with other work)")
    try:
        url = bench_db.ensure()
    except sa.exc.OperationalError as exc:
        print(f"queue benchmark: PostgreSQL unreachable, skipped ({str(exc).splitlines()[0]})")
        return
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), "")
    if "--http-only" not in argv:
        results = query_figures(url, plans="--plans" in argv, only=only)
        missed = [name for name, ms, _kind in results if ms >= QUERY_GOAL_MS]
        if results:
            print(
                f"  {len(results) - len(missed)} of {len(results)} scenarios under 50 ms"
                + (f"; over: {', '.join(missed)}" if missed else "")
            )
            slowest = max(results, key=lambda row: row[1])
            goals.record(
                f"queue queries at {bench_db.ROWS:,}, p95",
                f"{len(results) - len(missed)} of {len(results)} under 50 ms "
                f"(slowest {slowest[1]:.1f} ms: {slowest[0]})",
                "every one < 50 ms",
                not missed,
            )
    if "--no-http" not in argv:
        http_figure(url)
    print(f"load average at the end: {load()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
