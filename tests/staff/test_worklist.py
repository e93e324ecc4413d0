"""The front desk's worklist (issue 14, item 1; docs/staff.md "The worklist").

Its columns, filters, assignment and the clinician's decision on the submission page, used as
the front desk uses them: submissions stored from real answers, insurance checklists and
clinician reviews saved through their own pages, the queue read back as HTML. Expected values
are written here: PHQ-9 totals as the sum of the items typed, bands from the PHQ-9's published
cut-offs (5, 10, 15, 20), pathway titles as the clinical lead's catalogue words them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, Submission
from tests.factories import make_submission, make_user, post

#: PHQ-9 items typed -> the total and band the worklist must show (cut-offs 5, 10, 15, 20).
PHQ9_CASES = (
    ([0, 0, 1, 0, 1, 0, 0, 1, 0], 3, "Minimal (0-4)"),
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild (5-9)"),
    ([2, 2, 1, 1, 1, 1, 1, 1, 0], 10, "Moderate (10-14)"),
    ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "Moderately severe (15-19)"),
    ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "Severe (20-27)"),
)


def queue_rows(client: FlaskClient, filters: dict[str, str] | None = None) -> dict[str, str]:
    """The queue's lines (pinned and listed) as {reference: the line's text}."""
    html = post(client, "/staff/", filters or {}).get_data(as_text=True)
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", html, re.S)
    found = {}
    for row in rows:
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        text = [" ".join(c.split()) for c in cells]
        found[text[1]] = " | ".join(text)
    return found


def cells(client: FlaskClient, reference: str) -> list[str]:
    return queue_rows(client)[reference].split(" | ")


#: The worklist's column order, as the page's header names them.
HEADERS = (
    "Patient",
    "Reference",
    "Date of birth",
    "PHQ-9",
    "Top flag",
    "First pathway",
    "Concern",
    "Coverage and payer",
    "Prior auth",
    "Clinician review",
    "Assigned to",
    "Status",
    "Submitted",
)


def column(client: FlaskClient, reference: str, header: str) -> str:
    return cells(client, reference)[HEADERS.index(header)]


def test_the_header_names_every_worklist_column(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="H0000001")
    html = post(client, "/staff/", {}).get_data(as_text=True)
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert tuple(re.findall(r'<th scope="col">([^<]+)</th>', head)) == HEADERS


@pytest.mark.parametrize(("items", "total", "band"), PHQ9_CASES)
def test_the_phq9_column_shows_total_and_band_and_the_band_filter_finds_it(
    client: FlaskClient, login_as, items: list[int], total: int, band: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="P0000001", changes={"phq9.items": items})
    other = [3, 3, 3, 3, 3, 3, 3, 3, 0] if total < 20 else [0] * 9
    make_submission(reference="P0000002", changes={"phq9.items": other})
    assert column(client, "P0000001", "PHQ-9") == f"{total} {band}"
    code = band.split(" (")[0].lower().replace(" ", "_")
    assert set(queue_rows(client, {"phq9": code})) == {"P0000001"}


def test_flag_pathway_and_payer_columns(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="F0000001", changes={"insurance.payer_name": "Blue Crôss"})
    # Acknowledged: in the list, where the worklist filters apply (pinned rows ignore them).
    make_submission(reference="F0000002", changes=ASQ_YES, acknowledged=True)
    assert column(client, "F0000001", "Top flag") == "none"
    assert column(client, "F0000001", "First pathway") == "TMS with cognitive behavioral therapy"
    assert column(client, "F0000001", "Coverage and payer") == "Commercial Blue Crôss"
    # A positive screen's first flag is the suicide risk (flags come urgent first).
    assert column(client, "F0000002", "Top flag") == "suicide risk"
    assert set(queue_rows(client, {"flag": "suicide_risk"})) == {"F0000002"}
    # The payer filter: a prefix, case and accents ignored.
    assert set(queue_rows(client, {"payer": "blue cross"})) == {"F0000001"}
    assert set(queue_rows(client, {"payer": "BLUE"})) == {"F0000001"}
    assert set(queue_rows(client, {"payer": "aetna"})) == {"F0000002"}
    assert set(queue_rows(client, {"payer": "cross"})) == set()


def save_prior_auth(client: FlaskClient, submission: Submission, status: str) -> None:
    response = post(
        client,
        f"/staff/submissions/{submission.id}/insurance",
        {"version": 0, "prior_auth": status, "prior_auth_reference": "", "notes": ""},
    )
    assert response.status_code == 302


def test_prior_auth_column_and_the_pending_filter(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    stored = {
        ref: make_submission(reference=ref)
        for ref in ("A0000001", "A0000002", "A0000003", "A0000004")
    }
    save_prior_auth(client, stored["A0000001"], "needed")
    save_prior_auth(client, stored["A0000002"], "submitted")
    save_prior_auth(client, stored["A0000003"], "approved")
    assert column(client, "A0000001", "Prior auth") == "Needed"
    assert column(client, "A0000002", "Prior auth") == "Submitted: decision pending"
    assert column(client, "A0000003", "Prior auth") == "Approved"
    assert column(client, "A0000004", "Prior auth") == "Not checked yet"
    assert set(queue_rows(client, {"prior_auth": "pending"})) == {"A0000001", "A0000002"}
    assert set(queue_rows(client, {"prior_auth": "approved"})) == {"A0000003"}


def review(client: FlaskClient, submission: Submission, decision: str, **extra: Any) -> None:
    response = post(
        client,
        f"/clinician/submissions/{submission.id}/review",
        {"decision": decision, "note": "Discussed with the patient.", **extra},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_review_state_column_filters_and_the_decision_on_the_front_desk_page(
    client: FlaskClient, app, login_as
) -> None:  # type: ignore[no-untyped-def]
    reviewed = make_submission(reference="V0000001")
    waiting = make_submission(reference="V0000002")
    clinician = login_as("clinician")
    front_desk_view = app.test_client()
    login_as("front_desk", on=front_desk_view)
    # The front desk had the page open (version 1) before the clinician reviewed.
    page = front_desk_view.get(f"/staff/submissions/{reviewed.id}").get_data(as_text=True)
    assert "Awaiting clinician review." in page
    review(client, reviewed, "different", pathways="psychotherapy")
    assert column(client, "V0000001", "Clinician review") == "Different pathways"
    assert column(client, "V0000002", "Clinician review") == "Awaiting"
    assert set(queue_rows(client, {"review": "awaiting"})) == {"V0000002"}
    assert set(queue_rows(client, {"review": "different"})) == {"V0000001"}
    page = front_desk_view.get(f"/staff/submissions/{reviewed.id}").get_data(as_text=True)
    assert "Chose different pathways" in page and clinician.email in page
    assert (
        "Pathways: Evidence-based psychotherapy" in page and "Discussed with the patient." in page
    )
    # A review is not an edit of the submission: the front desk's status change, made on the
    # page loaded before it, goes through.
    moved = post(
        front_desk_view,
        f"/staff/submissions/{reviewed.id}/status",
        {"to_status": "in_review", "version": 1},
    )
    assert moved.status_code == 302
    assert db.session.get(Submission, waiting.id) is not None


def assign(client: FlaskClient, submission: Submission, assignee: str, version: int) -> Any:
    return post(
        client,
        f"/staff/submissions/{submission.id}/assign",
        {"assignee": assignee, "version": version},
    )


def test_assign_to_a_colleague_and_the_assigned_filters(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    colleague = make_user("front_desk", email="sam@clinic.example")
    me = login_as("front_desk")
    mine, theirs, nobodys = (make_submission(reference=f"S000000{i}") for i in (1, 2, 3))
    assert assign(client, mine, str(me.id), 1).status_code == 302
    assert assign(client, theirs, str(colleague.id), 1).status_code == 302
    assert column(client, "S0000001", "Assigned to") == me.email
    assert column(client, "S0000002", "Assigned to") == "sam@clinic.example"
    assert column(client, "S0000003", "Assigned to") == "nobody"
    assert set(queue_rows(client, {"assigned": "me"})) == {"S0000001"}
    assert set(queue_rows(client, {"assigned": str(colleague.id)})) == {"S0000002"}
    assert set(queue_rows(client, {"assigned": "nobody"})) == {"S0000003"}
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "assigned").order_by(AuditEvent.id)
    ).all()
    assert [(e.submission_id, e.detail["to"], e.actor_id) for e in events] == [
        (mine.id, me.id, me.id),
        (theirs.id, colleague.id, me.id),
    ]
    assert nobodys.assigned_to_id is None


def test_an_assignment_made_on_an_old_page_is_refused_and_changes_nothing(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    colleague = make_user("clinician", email="dr.lee@clinic.example")
    me = login_as("front_desk")
    s = make_submission(reference="C0000001")
    assert assign(client, s, str(me.id), 1).status_code == 302
    stale = assign(client, s, str(colleague.id), 1)  # the page loaded before the first
    assert stale.status_code == 409
    assert "changed" in stale.get_data(as_text=True).lower()
    db.session.expire_all()
    assert db.session.get(Submission, s.id).assigned_to_id == me.id


def test_only_colleagues_who_see_patient_data_can_be_assigned(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin", email="admin@clinic.example")
    gone = make_user("front_desk", email="left@clinic.example", disabled=True)
    login_as("front_desk")
    s = make_submission(reference="C0000002")
    page = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    assert "admin@clinic.example" not in page and "left@clinic.example" not in page
    for refused in (admin, gone):
        response = assign(client, s, str(refused.id), 1)
        assert response.status_code == 400
        assert 'id="assignee-error' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, s.id).assigned_to_id is None
    assert db.session.get(Submission, s.id).version == 1


def test_disabling_a_colleague_returns_their_submissions_to_nobody(
    app, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    leaving = make_user("front_desk", email="leaving@clinic.example")
    me = login_as("front_desk")
    held, kept = make_submission(reference="D0000001"), make_submission(reference="D0000002")
    assert assign(client, held, str(leaving.id), 1).status_code == 302
    assert assign(client, kept, str(me.id), 1).status_code == 302
    admin_client = app.test_client()
    admin = login_as("admin", on=admin_client)
    assert post(admin_client, f"/admin/users/{leaving.id}/disable").status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, held.id).assigned_to_id is None
    assert db.session.get(Submission, kept.id).assigned_to_id == me.id
    assert set(queue_rows(client, {"assigned": "nobody"})) == {"D0000001"}
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "assigned").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.submission_id == held.id and event.actor_id == admin.id
    assert event.detail == {"from": leaving.id, "to": None, "because": "account_disabled"}


@pytest.mark.parametrize(
    "filters",
    [{"assigned": "me"}, {"review": "different"}, {"phq9": "minimal"}, {"payer": "zz"}],
)
def test_an_urgent_submission_stays_pinned_whatever_the_worklist_filters(
    client: FlaskClient, login_as, filters: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    """Nobody has taken on an unacknowledged urgent submission yet: no worklist filter hides it
    (docs/staff.md, "The worklist")."""
    login_as("front_desk")
    make_submission(reference="U0000001", changes={**ASQ_YES, "phq9.items": [3] * 9})
    html = post(client, "/staff/", filters).get_data(as_text=True)
    pinned = html[html.index('id="pinned"') : html.index("</section>", html.index('id="pinned"'))]
    assert "U0000001" in pinned
