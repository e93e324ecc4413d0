"""Every staff, clinician and admin URL, as an anonymous visitor and as every role.

The URLs come from ``app.url_map``, so a new route is covered the moment it exists. Each view
must either be marked ``@public`` (the sign-in pages) or carry ``@role_required(...)``; the roles
it declares are what this test expects: 200 (or a redirect/400 for a POST without a valid body)
for those roles, 403 for the others, and a redirect to the sign-in page for anonymous visitors.
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


def _rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES)),
        key=lambda r: r.rule,
    )


def _url_values(app: Flask, rule: Rule) -> dict[str, Any]:
    """Real ids for the URL's variables, so the view finds what it looks for."""
    from intake.extensions import db
    from intake.models import Note

    submission = make_submission(changes=ASQ_YES)
    author = make_user("front_desk")
    note = Note(submission_id=submission.id, author_id=author.id, body="Called, left message")
    db.session.add(note)
    db.session.commit()
    known = {
        "submission_id": submission.id,
        "id": submission.id,
        "note_id": note.id,
        "user_id": author.id,
    }
    missing = set(rule.arguments) - set(known)
    assert not missing, f"teach test_role_matrix the URL variable(s) {missing} of {rule.rule}"
    return {k: known[k] for k in rule.arguments}


def _view(app: Flask, rule: Rule) -> Any:
    return app.view_functions[rule.endpoint]


def test_every_view_declares_its_roles(app: Flask) -> None:
    unprotected = [
        r.rule
        for r in _rules(app)
        if not hasattr(_view(app, r), "allowed_roles")
        and not getattr(_view(app, r), "public", False)
    ]
    assert unprotected == []


ROLE_SETS = [(), *[(r,) for r in ROLES]]


@pytest.mark.parametrize("roles", ROLE_SETS, ids=["anonymous", *ROLES])
def test_role_matrix(app: Flask, login_as, roles: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for rule in _rules(app):
        view = _view(app, rule)
        if getattr(view, "public", False):
            continue
        allowed = view.allowed_roles
        client: FlaskClient = app.test_client()
        if roles:
            login_as(*roles, on=client)
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_url_values(app, rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
            where = f"{method} {rule.rule} as {roles or 'anonymous'}"
            if not roles:
                assert response.status_code == 302, where
                assert "/staff/login" in response.headers["Location"], where
            elif allowed and not set(roles) & allowed:
                assert response.status_code == 403, where
            elif method == "GET":
                assert response.status_code == 200, where
            else:
                assert response.status_code in {200, 302, 303, 400, 409, 422}, where
            checked += 1
    assert checked > 0
