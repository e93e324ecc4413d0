"""Every staff, clinician and admin URL, as an anonymous visitor and as every role.

The expectations are written here, in ``EXPECTED`` (method and URL rule → the roles that may use
it), from docs/staff.md's role table: not read from the views' own ``role_required`` declarations,
so a view that declares the wrong roles fails. The app's URL map is compared with the table both
ways, so a new route fails until it is added here with the roles it should allow, and a table
entry for a route that no longer exists fails too. For each rule: 200 (or a redirect/400/409/422
for a POST without a valid body) for the roles allowed, 403 for the others, and a redirect to the
sign-in page for anonymous visitors (401 for the URLs a page's script asks, ``SCRIPT_URLS``).
"""

from __future__ import annotations

from typing import Any

import pytest
from answer_documents import ASQ_YES
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from intake.models.user import ROLES
from tests.factories import csrf_token, make_submission, make_user

PREFIXES = ("/staff", "/admin", "/clinician")

FRONT_DESK, CLINICIAN, ADMIN = "front_desk", "clinician", "admin"
#: Every role there is, written out here (checked against the app's roles below).
ALL_ROLES = (FRONT_DESK, CLINICIAN, ADMIN)
PATIENT_DATA = frozenset({FRONT_DESK, CLINICIAN})
ANY_SIGNED_IN = frozenset(ALL_ROLES)
ONLY_ADMIN = frozenset({ADMIN})
ONLY_FRONT_DESK = frozenset({FRONT_DESK})
ONLY_CLINICIAN = frozenset({CLINICIAN})
#: Sign-in pages: open to anonymous visitors (marked ``@public``).
PUBLIC = "public"
#: Asked by a page's script, not opened by a person: an anonymous visitor gets 401, not the
#: sign-in page (the script stops polling).
SCRIPT_URLS = frozenset({"GET /staff/queue/changes"})

#: "METHOD rule" → the roles that may use it (or PUBLIC). Written from docs/staff.md, not code.
EXPECTED: dict[str, frozenset[str] | str] = {
    # admin: accounts, audit log, API tokens, settings, alerts (on-call tiers, delivery log)
    "GET /admin/": ONLY_ADMIN,
    "GET /admin/users/<int:user_id>/clinician": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/clinician": ONLY_ADMIN,
    "GET /admin/alerts": ONLY_ADMIN,
    "POST /admin/alerts": ONLY_ADMIN,
    "POST /admin/alerts/tier": ONLY_ADMIN,
    "POST /admin/alerts/tier/remove": ONLY_ADMIN,
    "POST /admin/alerts/recipient": ONLY_ADMIN,
    "POST /admin/alerts/recipient/remove": ONLY_ADMIN,
    "POST /admin/alerts/test": ONLY_ADMIN,
    "GET /admin/audit": ONLY_ADMIN,
    "POST /admin/audit.csv": ONLY_ADMIN,
    "GET /admin/settings": ONLY_ADMIN,
    "POST /admin/settings": ONLY_ADMIN,
    "GET /admin/tokens": ONLY_ADMIN,
    "POST /admin/tokens": ONLY_ADMIN,
    "POST /admin/tokens/revoke": ONLY_ADMIN,
    "GET /admin/users": ONLY_ADMIN,
    "POST /admin/users": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/disable": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/enable": ONLY_ADMIN,
    "GET /admin/users/<int:user_id>/password": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/password": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/reset-2fa": ONLY_ADMIN,
    "GET /admin/users/<int:user_id>/roles": ONLY_ADMIN,
    "POST /admin/users/<int:user_id>/roles": ONLY_ADMIN,
    # clinician: the urgent list (landing page), the summary, its PDF, its FHIR Bundle, the review,
    # the sign-off
    "GET /clinician/": ONLY_CLINICIAN,
    "POST /clinician/submissions/<int:submission_id>/risk-assessment": ONLY_CLINICIAN,
    "GET /clinician/submissions/<int:submission_id>": ONLY_CLINICIAN,
    "GET /clinician/submissions/<int:submission_id>.pdf": ONLY_CLINICIAN,
    "GET /clinician/submissions/<int:submission_id>/fhir": ONLY_CLINICIAN,
    "POST /clinician/submissions/<int:submission_id>/review": ONLY_CLINICIAN,
    # courses of care: a clinician starts and ends one; front desk also opens the course,
    # records sessions, makes tablet codes and prints the report (docs/clinician.md)
    "POST /clinician/submissions/<int:submission_id>/courses": ONLY_CLINICIAN,
    "GET /clinician/courses/<int:course_id>": PATIENT_DATA,
    "POST /clinician/courses/<int:course_id>/sessions": PATIENT_DATA,
    "POST /clinician/courses/<int:course_id>/end": ONLY_CLINICIAN,
    "POST /clinician/courses/<int:course_id>/tablet-code": PATIENT_DATA,
    "POST /clinician/courses/<int:course_id>/send-link-again": PATIENT_DATA,
    "GET /clinician/courses/<int:course_id>/report": PATIENT_DATA,
    "GET /clinician/courses/<int:course_id>/report.pdf": PATIENT_DATA,
    # clinician: the clinic outcomes dashboard and its de-identified CSV (a POST, audited)
    "GET /clinician/outcomes": ONLY_CLINICIAN,
    "POST /clinician/outcomes.csv": ONLY_CLINICIAN,
    # front desk and clinician: the queue, submission pages, workflow, contact attempts, notes
    "GET /staff/": PATIENT_DATA,
    "POST /staff/": PATIENT_DATA,
    "GET /staff/submissions/<int:submission_id>": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/contact-attempts": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/notes": PATIENT_DATA,
    "GET /staff/submissions/<int:submission_id>/notes/<int:note_id>": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/notes/<int:note_id>": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/status": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/assign": PATIENT_DATA,
    "POST /staff/submissions/<int:submission_id>/matches/<int:match_id>/"
    "<any(confirm, reject, undo):action>": ONLY_FRONT_DESK,
    # a course's check-in: its answers and acknowledging it (front desk and clinician), the
    # clinician's sign-off
    "GET /staff/checkins/<int:checkin_id>": PATIENT_DATA,
    "POST /staff/checkins/<int:checkin_id>/acknowledge": PATIENT_DATA,
    "POST /staff/checkins/<int:checkin_id>/sign-off": ONLY_CLINICIAN,
    # the queue's live updates: counts only, for the roles that see the queue
    "GET /staff/queue/changes": PATIENT_DATA,
    # front desk only: the insurance panel, the prior-authorization packet, the CSV export
    "GET /staff/submissions/<int:submission_id>/insurance": ONLY_FRONT_DESK,
    "POST /staff/submissions/<int:submission_id>/insurance": ONLY_FRONT_DESK,
    "GET /staff/submissions/<int:submission_id>/insurance/photo/<any(front, back):side>": (
        ONLY_FRONT_DESK
    ),
    "GET /staff/submissions/<int:submission_id>/prior-auth": ONLY_FRONT_DESK,
    "GET /staff/submissions/<int:submission_id>/prior-auth.pdf": ONLY_FRONT_DESK,
    "POST /staff/export.csv": ONLY_FRONT_DESK,
    "POST /staff/billing.csv": ONLY_FRONT_DESK,
    # front desk and admin: marking the browser as a clinic device lent to patients
    "GET /staff/device": frozenset({FRONT_DESK, ADMIN}),
    "POST /staff/device": frozenset({FRONT_DESK, ADMIN}),
    # any signed-in account: its own password and two-factor set-up
    "GET /staff/account": ANY_SIGNED_IN,
    "GET /staff/account/password": ANY_SIGNED_IN,
    "POST /staff/account/password": ANY_SIGNED_IN,
    "GET /staff/account/two-factor": ANY_SIGNED_IN,
    "POST /staff/account/two-factor": ANY_SIGNED_IN,
    # sign-in and sign-out
    "GET /staff/login": PUBLIC,
    "POST /staff/login": PUBLIC,
    "GET /staff/login/new-password": PUBLIC,
    "POST /staff/login/new-password": PUBLIC,
    "GET /staff/login/setup-2fa": PUBLIC,
    "POST /staff/login/setup-2fa": PUBLIC,
    "GET /staff/login/verify": PUBLIC,
    "POST /staff/login/verify": PUBLIC,
    "POST /staff/logout": PUBLIC,
}


def _routes(app: Flask) -> dict[str, Rule]:
    """The "METHOD rule" → rule of every staff, clinician and admin URL of the app."""
    return {
        f"{method} {rule.rule}": rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIXES)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }


def _card_photo(submission_id: int) -> None:
    """A stored front photo, so the photo route has one to show."""
    import io

    from PIL import Image

    from intake.extensions import db
    from intake.images import clean_photo
    from intake.models import CardPhoto
    from intake.services import card_photos

    raw = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(raw, "JPEG")
    photo = clean_photo(raw.getvalue())
    key = card_photos.put_file(photo)
    db.session.add(
        CardPhoto(submission_id=submission_id, side="front", storage_key=key, width=20, height=10)
    )


def _course(submission: Any) -> Any:
    """A course of care started from the (reviewed) submission, its baseline check-in open."""
    from intake.extensions import db
    from intake.rules import RULESET
    from intake.services import courses, patients
    from intake.services.reviews import record_review

    patients.patient_of(submission)
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    today = courses.clinic_today()
    course = courses.start_course(
        submission,
        kind="standard_tms",
        start_date=today,
        planned_sessions=30,
        taper_sessions=6,
        every_days=7,
        maintenance_months=6,
        by=make_user("clinician"),
        today=today,
    )
    db.session.commit()
    return course


def _url_values(rule: Rule) -> dict[str, Any]:
    """Real ids for the URL's variables, so the view finds what it looks for."""
    from intake.extensions import db
    from intake.models import Note

    submission = make_submission(changes=ASQ_YES)
    author = make_user("front_desk")
    note = Note(submission_id=submission.id, author_id=author.id, body="Called, left message")
    db.session.add(note)
    _card_photo(submission.id)
    db.session.commit()
    known = {
        "submission_id": submission.id,
        "id": submission.id,
        "note_id": note.id,
        "user_id": author.id,
        # A match id that names no suggestion of the submission: the view answers 409.
        "match_id": 999_999,
        "action": "reject",
        "side": "front",
    }
    if "course_id" in rule.arguments:
        known["course_id"] = _course(submission).id
    if "checkin_id" in rule.arguments:
        from checkin_samples import NONE_ASQ, completed

        acute = {**NONE_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
        known["checkin_id"] = completed([1] * 8 + [3], asq=acute).id
    missing = set(rule.arguments) - set(known)
    assert not missing, f"teach test_role_matrix the URL variable(s) {missing} of {rule.rule}"
    return {k: known[k] for k in rule.arguments}


def test_the_roles_written_here_are_the_apps_roles() -> None:
    assert set(ALL_ROLES) == set(ROLES)


def test_the_table_covers_every_url_rule_and_nothing_else(app: Flask) -> None:
    routes = set(_routes(app))
    assert sorted(routes - set(EXPECTED)) == [], "add these to EXPECTED with their roles"
    assert sorted(set(EXPECTED) - routes) == [], "these are in EXPECTED but not in the app"


def test_every_view_is_public_or_declares_roles(app: Flask) -> None:
    for where, rule in _routes(app).items():
        view = app.view_functions[rule.endpoint]
        if EXPECTED.get(where) == PUBLIC:
            assert getattr(view, "public", False), f"{where} should be @public"
        else:
            assert hasattr(view, "allowed_roles"), f"{where} has no @role_required"
            assert not getattr(view, "public", False), f"{where} must not be @public"


ROLE_SETS = [(), *[(r,) for r in ALL_ROLES]]


@pytest.mark.parametrize("roles", ROLE_SETS, ids=["anonymous", *ALL_ROLES])
def test_role_matrix(app: Flask, login_as, roles: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for where, rule in sorted(_routes(app).items()):
        allowed = EXPECTED.get(where)
        assert allowed is not None, f"{where} is not in EXPECTED"
        if allowed == PUBLIC:
            continue
        method = where.split(" ", 1)[0]
        client: FlaskClient = app.test_client()
        if roles:
            login_as(*roles, on=client)
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_url_values(rule))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
        label = f"{where} as {roles or 'anonymous'}"
        if not roles and where in SCRIPT_URLS:
            assert response.status_code == 401, label
        elif not roles:
            assert response.status_code == 302, label
            assert "/staff/login" in response.headers["Location"], label
        elif not set(roles) & set(allowed):
            assert response.status_code == 403, label
        elif method == "GET":
            assert response.status_code == 200, label
        else:
            assert response.status_code in {200, 302, 303, 400, 409, 422}, label
        checked += 1
    assert checked > 0
