"""The audit search service and its filter form: what matches, and what a bad value does."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models.types import utcnow
from intake.services import audit
from intake.services.audit_search import AuditQuery, search
from tests.factories import make_submission, make_user


def _actions(query: AuditQuery, **kw: int) -> list[str]:
    return [e.action for e in search(query, **kw).events]


def test_search_by_actor_action_submission_and_days(app: Flask) -> None:
    desk = make_user("front_desk", email="desk@example.org")
    s = make_submission(reference="AB12-CD34")
    audit.record("submission_viewed", submission=s, actor=desk)
    audit.record("logout", actor=desk)
    old = audit.record("note_added", submission=s)
    # The log is append-only (in the database too): the event is written back-dated.
    old.created_at = utcnow() - timedelta(days=3)
    db.session.commit()

    assert _actions(AuditQuery(actor=" DESK@ ")) == ["logout", "submission_viewed"]
    assert _actions(AuditQuery(action="logout")) == ["logout"]
    assert _actions(AuditQuery(submission=" ab12-cd34 ")) == ["submission_viewed", "note_added"]
    assert _actions(AuditQuery(submission=str(s.id))) == ["submission_viewed", "note_added"]
    today = utcnow().date()
    assert _actions(AuditQuery(date_from=today)) == ["logout", "submission_viewed"]
    assert _actions(AuditQuery(date_to=today - timedelta(days=1))) == ["note_added"]
    assert _actions(AuditQuery(date_from=date.min, date_to=date.max)) == [
        "logout",
        "submission_viewed",
        "note_added",
    ]
    found = search(AuditQuery(submission="AB12-CD34"))
    assert found.references == {s.id: "AB12-CD34"}
    assert (found.total, found.page, found.pages) == (2, 1, 1)


def test_pages_are_counted_and_a_page_past_the_end_shows_the_last(app: Flask) -> None:
    for _ in range(5):
        audit.record("logout")
    db.session.commit()
    last = search(AuditQuery(), page=9, per_page=2)
    assert (last.total, last.page, last.pages, len(last.events)) == (5, 3, 3, 1)
    assert search(AuditQuery(), page=0, per_page=2).page == 1


def test_a_bad_filter_is_ignored_with_a_message_at_its_field(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin", "front_desk")
    desk = make_user("front_desk", email="desk@example.org")
    audit.record("logout", actor=desk)
    audit.record("submission_viewed")
    db.session.commit()
    response = client.get(
        "/admin/audit", query_string={"actor": "desk@", "action": "bogus", "date_to": "tomorrow"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Some filters were ignored" in summary
    assert "Action: Unknown action ignored." in summary
    assert "To: Enter dates as YYYY-MM-DD." in summary
    # The field says it too, tied to the input for screen readers.
    assert '<p class="field-error" id="action-error-1">' in html
    assert 'aria-describedby="action-error-1"' in html
    assert 'aria-invalid="true"' in html
    # The usable filter still applies.
    rows = html.split("<tbody>", 1)[1]
    assert "desk@example.org" in rows
    assert "Submission viewed" not in rows


def test_filters_are_labelled_and_page_links_keep_only_usable_ones(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    for _ in range(55):
        audit.record("logout")
    db.session.commit()
    html = client.get(
        "/admin/audit", query_string={"action": "logout", "date_from": "nope"}
    ).get_data(as_text=True)
    for name in ("actor", "action", "submission", "date_from", "date_to"):
        assert f'<label for="{name}">' in html
    assert 'type="date"' in html
    assert 'name="csrf_token"' not in html.split('class="filters"', 1)[1].split("</form>", 1)[0]
    assert "/admin/audit?page=2&amp;action=logout" in html
    assert "date_from=nope" not in html.split('class="pager-links"', 1)[1]
