"""The patient pages in-process, load-independent: ``python -m bench.wizard_pages CMD``.

Issue 13's wizard pages through the Flask test client, in the production configuration (no
debug, CSRF on, the real locale selection and security headers) on a PostgreSQL database of
its own (``BENCH_PAGES_DB`` on ``BENCH_POSTGRES_URL``'s server, created, migrated and dropped
by each run), for patients whose drafts hold every step's answers (``tests.patient.helpers``):

- ``dump FOLDER``: the HTML of 276 pages (every step empty, answered in full, refused with
  errors on Next, Save and with an unknown key; the review incomplete, refused, of a minor;
  the support page, the confirmation and its print view; English and Spanish; on a clinic
  device; with a clinic profile set and changed), CSRF tokens, resume codes and references
  normalised. Run it on two versions and ``diff -r`` the folders: a speed-up must change
  nothing.
- ``calls [TEXT]``: Python function calls per request of each page (cProfile's count, the
  same on a loaded machine and a quiet one).
- ``time [TEXT] [N]``: median and lowest CPU time (``time.process_time``) of N requests.
- ``profile PAGE [N]``: cProfile of N requests of PAGE, by own and by cumulative CPU time.

On the 2-core shared machine CPU times still move by a third with the neighbours' load: run
two versions side by side (one per core) and compare, and trust the call counts first.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DBNAME = os.environ.get("BENCH_PAGES_DB", "intake_bench_wizard_pages")


def make_db() -> str:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DBNAME}"'))
    admin.dispose()
    return sa.make_url(SERVER).set(database=DBNAME).render_as_string(hide_password=False)


def drop_db() -> None:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: str):
    from flask_migrate import upgrade

    from config import ProductionConfig
    from intake import create_app
    from intake.extensions import db

    config = type(
        "ProfConfig",
        (ProductionConfig,),
        {
            "SECRET_KEY": "p" * 64,
            "SQLALCHEMY_DATABASE_URI": url,
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "HUEY_URL": "memory://",
            "problems": classmethod(lambda cls: []),
        },
    )
    app = create_app(config)
    root = Path(sys.modules["intake"].__file__).resolve().parent.parent
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        db.engine.dispose()
    return app


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no csrf token"
    return m.group(1)


class Patient:
    def __init__(self, app, lang: str = "en", device: bool = False):
        self.client = app.test_client()
        self.app = app
        if device:
            from itsdangerous import URLSafeSerializer

            value = URLSafeSerializer(app.config["SECRET_KEY"], salt="clinic-device").dumps(
                "clinic"
            )
            self.client.set_cookie("intake_device", value)
        self.lang = lang

    def get(self, url: str):
        return self.client.get(url)

    def post(self, url: str, data: dict, page: str | None = None):
        html = self.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={**data, "csrf_token": token(html)})

    def start(self):
        if self.lang != "en":
            r = self.post("/intake/language", {"lang": self.lang, "next": "/"}, page="/")
            assert r.status_code == 302, r.status_code
        r = self.post("/intake/start", {}, page="/")
        assert r.status_code == 302, r.status_code

    def answer(self, step: str, data: dict, action: str = "next"):
        return self.post(f"/intake/step/{step}", {**data, "action": action})

    def walk(self, until: str = "review", overrides: dict | None = None):
        from intake.forms.patient import STEP_NAMES
        from tests.patient.helpers import VALID

        for step in STEP_NAMES[: STEP_NAMES.index(until)]:
            data = dict((overrides or {}).get(step, VALID[step]))
            if step == "about" and self.lang != "en":
                data["preferred_language"] = self.lang
            r = self.answer(step, data)
            assert r.status_code == 302, (step, r.status_code)


def normalise(html: str) -> str:
    html = CSRF.sub('name="csrf_token" value="TOKEN"', html)
    html = re.sub(r'value="[A-Za-z0-9._-]{60,}"', 'value="TOKEN"', html)
    html = re.sub(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", "CODE", html)
    html = re.sub(r'id="reference">[^<]*<', 'id="reference">REF<', html)
    return html


BAD: dict[str, dict[str, str]] = {
    "about": {
        "first_name": "",
        "date_of_birth": "31/31/1999",
        "email": "x@",
        "phone": "12",
        "preferred_contact": "email",
        "preferred_language": "fr",
    },
    "concerns": {"primary": "other", "episode_months": "1,000", "mania_history": "maybe"},
    "phq9": {"item_1": "2", "item_9": "1", "item_3": "7"},
    "gad7": {"item_1": "1"},
    "asq": {"wished_dead": "yes", "thoughts_right_now": ""},
    "medications": {
        "medication_trials-0-name": "sertraline",
        "medication_trials-0-daily_dose_mg": "1,000",
        "medication_trials-0-weeks": "x",
    },
    "treatments": {
        "psychotherapy_trials-0-modality": "cbt",
        "tms": "bogus",
        "other_medications": "a\tb",
    },
    "safety": {"pregnant": "yes"},
    "preferences": {"open_to_tms": "perhaps"},
    "insurance": {
        "coverage_type": "medicare",
        "member_id": "123",
        "subscriber_relationship": "spouse",
    },
    "review": {"signature": ""},
}


def dump(app, out: Path) -> None:
    from intake.forms.patient import STEP_NAMES
    from tests.patient.helpers import VALID

    out.mkdir(parents=True, exist_ok=True)

    def save(name: str, response) -> None:
        (out / f"{name}.html").write_text(
            f"{response.status_code}\n{normalise(response.get_data(as_text=True))}"
        )

    for lang in ("en", "es"):
        for device in (False, True):
            tag = f"{lang}{'-device' if device else ''}"
            p = Patient(app, lang, device)
            save(f"{tag}-start-new", p.get("/"))
            p.start()
            save(f"{tag}-start-draft", p.get("/"))
            for step in STEP_NAMES:
                save(f"{tag}-empty-{step}", p.get(f"/intake/step/{step}"))
            for step in STEP_NAMES:
                save(f"{tag}-badnext-{step}", p.answer(step, BAD[step]))
                save(f"{tag}-badsave-{step}", p.answer(step, BAD[step], action="save"))
                save(f"{tag}-unknown-{step}", p.answer(step, {"nonsense": "1"}))
            save(f"{tag}-review-incomplete-submit", p.answer("review", VALID["review"], "submit"))
            p.walk()
            for step in STEP_NAMES:
                save(f"{tag}-full-{step}", p.get(f"/intake/step/{step}"))
            save(f"{tag}-review-bad-submit", p.answer("review", BAD["review"], "submit"))
            save(f"{tag}-review-saved-after-bad", p.get("/intake/step/review"))
            r = p.answer("review", VALID["review"], "submit")
            assert r.status_code == 302, r.status_code
            save(f"{tag}-done", p.get("/intake/done"))
            save(f"{tag}-done-print", p.get("/intake/done/print"))
            if device:
                continue
            # a minor, a positive ASQ, the support page, an acute ASQ with errors
            m = Patient(app, lang)
            m.start()
            m.walk(
                until="asq", overrides={"about": {**VALID["about"], "date_of_birth": "2012-01-05"}}
            )
            save(f"{tag}-minor-review", m.get("/intake/step/review"))
            save(
                f"{tag}-asq-acute-errors",
                m.answer(
                    "asq", {"wished_dead": "yes", "thoughts_right_now": "yes", "ever_tried": "bad"}
                ),
            )
            r = m.answer("asq", {**VALID["asq"], "wished_dead": "yes", "thoughts_right_now": "no"})
            save(f"{tag}-support", m.get(r.location))
            m.walk(
                until="review",
                overrides={
                    "about": {**VALID["about"], "date_of_birth": "2012-01-05"},
                    "asq": {**VALID["asq"], "wished_dead": "yes", "thoughts_right_now": "no"},
                },
            )
            save(f"{tag}-minor-review-full", m.get("/intake/step/review"))
            save(
                f"{tag}-minor-review-bad",
                m.answer("review", {**VALID["review"], "guardian_name": ""}, "submit"),
            )
            save(f"{tag}-resume", m.get("/resume"))


def dump_clinic(app, out: Path) -> None:
    """The same pages with a clinic name, phone and address set, then changed."""
    from intake.extensions import db
    from intake.services import settings

    for n, (name, phone, address) in enumerate(
        [
            ("Rose & Co Clinic", "+1 503-555-0100", "1 Main St\nSuite 2"),
            ("Other", "503 555 0199", ""),
        ]
    ):
        with app.app_context():
            settings.set_setting(settings.CLINIC_NAME, name, user_id=None)
            settings.set_setting(settings.CLINIC_PHONE, phone, user_id=None)
            settings.set_setting(settings.CLINIC_ADDRESS, address, user_id=None)
            db.session.commit()
        for lang in ("en", "es"):
            p = Patient(app, lang)
            out.joinpath(f"clinic{n}-{lang}-start.html").write_text(
                normalise(p.get("/").get_data(as_text=True))
            )
            p.start()
            p.walk()
            for step in ("about", "medications", "review"):
                out.joinpath(f"clinic{n}-{lang}-{step}.html").write_text(
                    normalise(p.get(f"/intake/step/{step}").get_data(as_text=True))
                )


def pages(app):
    """(name, callable doing one request) for each page type measured."""
    from intake.forms.patient import STEP_NAMES
    from tests.patient.helpers import VALID

    p = Patient(app)
    p.start()
    p.walk()
    out = [("start page", lambda: p.get("/"))]
    for step in STEP_NAMES:
        out.append((f"step {step}", lambda s=step: p.get(f"/intake/step/{s}")))
    poster = Patient(app)
    poster.start()
    poster.walk(until="phq9")
    tok = token(poster.get("/intake/step/phq9").get_data(as_text=True))
    body = {**VALID["phq9"], "action": "next", "csrf_token": tok}
    out.append(("phq9 POST", lambda: poster.client.post("/intake/step/phq9", data=body)))
    bad = {**BAD["phq9"], "action": "next", "csrf_token": tok}
    out.append(("phq9 bad POST", lambda: poster.client.post("/intake/step/phq9", data=bad)))
    es = Patient(app, "es")
    es.start()
    es.walk()
    out.append(("es step phq9", lambda: es.get("/intake/step/phq9")))
    out.append(("es review", lambda: es.get("/intake/step/review")))
    done = Patient(app)
    done.start()
    done.walk()
    done.answer("review", VALID["review"], "submit")
    out.append(("confirmation", lambda: done.get("/intake/done")))
    return out


def cpu_ms(fn, n: int) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(n):
        t = time.process_time()
        r = fn()
        times.append(time.process_time() - t)
        assert r.status_code in (200, 302, 422), r.status_code
    return statistics.median(times) * 1000, min(times) * 1000


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd not in ("dump", "calls", "time", "profile"):
        print(__doc__)
        return
    url = make_db()
    try:
        app = make_app(url)
        if cmd == "dump":
            dump(app, Path(sys.argv[2]))
            dump_clinic(app, Path(sys.argv[2]))
        elif cmd == "time":
            only = sys.argv[2] if len(sys.argv) > 2 else ""
            n = int(sys.argv[3]) if len(sys.argv) > 3 else 60
            print(f"load {os.getloadavg()[0]:.2f}")
            for name, fn in pages(app):
                if only in name:
                    med, low = cpu_ms(fn, n)
                    print(f"{name:<20} median {med:6.2f} ms  min {low:6.2f} ms", flush=True)
            print(f"load {os.getloadavg()[0]:.2f}")
        elif cmd == "calls":
            only = sys.argv[2] if len(sys.argv) > 2 else ""
            for name, fn in pages(app):
                if only not in name:
                    continue
                for _ in range(3):
                    fn()
                prof = cProfile.Profile(time.process_time)
                prof.enable()
                for _ in range(10):
                    fn()
                prof.disable()
                st = pstats.Stats(prof)
                print(f"{name:<20} {st.total_calls / 10:8.0f} calls/request", flush=True)
        elif cmd == "profile":
            name = sys.argv[2]
            n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
            fn = dict(pages(app))[name]
            for _ in range(5):
                fn()
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for _ in range(n):
                fn()
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(70)
        from intake.extensions import db

        with app.app_context():
            db.engine.dispose()
    finally:
        drop_db()


if __name__ == "__main__":
    main()
