"""Two front-desk staff save the same insurance checklist: nothing either typed is lost.

A and B open the panel at the same version. A saves; B's save from the old page is refused with a
comparison of A's saved values and B's typed ones. B then either keeps A's version or, by a
separate explicit button, saves over it; A's version stays in the history either way.
"""

from __future__ import annotations

import html as html_lib
import re

import sqlalchemy as sa
from clinician_samples import store
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, InsuranceVerification, InsuranceVerificationHistory
from tests.factories import post

A_VALUES = {
    "eligibility_confirmed": "y",
    "prior_auth": "approved",
    "prior_auth_reference": "PA-2026-0412",
    "notes": "Approved by phone, rep Dana; valid 90 days.",
}
B_VALUES = {"prior_auth": "needed", "prior_auth_reference": "", "notes": "Waiting on the plan."}
#: The prior-authorization tracking fields (requested on, units, from, until, denial reason,
#: appeal date, appeal outcome) as pages show them when nobody filled them in.
TRACKING_UNSET = ["(empty)"] * 6 + ["No appeal"]
TRACKING_NAMES = (
    "prior_auth_requested_on",
    "prior_auth_units",
    "prior_auth_start",
    "prior_auth_end",
    "prior_auth_denial_reason",
    "appeal_on",
    "appeal_outcome",
)


def _text(markup: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _hidden(page: str, name: str) -> str:
    [value] = re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.findall(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page
    )
    return value


def _form_values(page: str) -> dict[str, object]:
    """What the checklist form on ``page`` would send: the values shown in its fields."""
    form = page[page.index('action="/staff/submissions/') :]
    checkbox = re.search(r'<input[^>]*name="eligibility_confirmed"[^>]*>', form).group(0)
    select = re.search(r'<select[^>]*name="prior_auth".*?</select>', form, re.S).group(0)
    reference = re.search(r'<input[^>]*name="prior_auth_reference"[^>]*>', form).group(0)
    notes = re.search(r'<textarea[^>]*name="notes"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    return {
        "eligibility_confirmed": "checked" in checkbox,
        "prior_auth": re.search(r'<option selected value="([^"]+)"', select).group(1),
        "prior_auth_reference": html_lib.unescape(
            (re.search(r'value="([^"]*)"', reference) or re.match("()", "")).group(1)
        ),
        "notes": html_lib.unescape(notes).strip(),
    }


def _comparison(page: str) -> dict[str, tuple[str, str, str]]:
    """The conflict table: field → (their value, your value, same or different)."""
    rows = {}
    for name, row in re.findall(r'<tr class="\w+" id="compare-(\w+)">(.*?)</tr>', page, re.S):
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[name] = tuple(cells)
    return rows


def _stored() -> InsuranceVerification:
    db.session.expire_all()
    return db.session.scalar(sa.select(InsuranceVerification))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _a_saves_then_b_conflicts(app: Flask, client: FlaskClient, login_as):  # type: ignore[no-untyped-def]
    """A and B open the panel; A saves A_VALUES; B, from the same old page, sends B_VALUES."""
    a = login_as("front_desk")
    b_client = app.test_client()
    b = login_as("front_desk", on=b_client)
    submission = store()
    url = f"/staff/submissions/{submission.id}/insurance"
    a_page = client.get(url).get_data(as_text=True)
    b_page = b_client.get(url).get_data(as_text=True)
    assert _hidden(a_page, "version") == _hidden(b_page, "version") == "0"
    response = post(client, url, {"version": "0", **A_VALUES})
    assert response.status_code == 302
    conflict = post(b_client, url, {"version": _hidden(b_page, "version"), **B_VALUES})
    return a, b, b_client, submission, url, conflict


def test_conflict_page_shows_their_values_beside_mine(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    a, _b, _b_client, _s, _url, response = _a_saves_then_b_conflicts(app, client, login_as)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    text = _text(page)
    assert f"Not saved: changed by {a.email} at" in text
    assert f"{a.email} saved version 1 while you were editing" in text
    assert (
        "4 of 11 fields differ: Eligibility confirmed with the plan, Prior authorization, "
        "Prior-authorization reference, Notes." in text
    )
    assert _comparison(page) == {
        "eligibility_confirmed": ("Yes", "No", "Different"),
        "prior_auth": ("Approved", "Needed", "Different"),
        "prior_auth_reference": ("PA-2026-0412", "(empty)", "Different"),
        **{name: (w, w, "Same") for name, w in zip(TRACKING_NAMES, TRACKING_UNSET, strict=True)},
        "notes": (
            "Approved by phone, rep Dana; valid 90 days.",
            "Waiting on the plan.",
            "Different",
        ),
    }
    # What B typed is still in the form, untouched.
    assert _form_values(page) == {
        "eligibility_confirmed": False,
        "prior_auth": "needed",
        "prior_auth_reference": "",
        "notes": "Waiting on the plan.",
    }
    # Differences are said in words next to each field, tied to it for screen readers.
    assert 'id="prior_auth-differs"' in page and 'aria-describedby="prior_auth-differs"' in page
    assert "Differs from their version: Approved." in text
    # The form still says where it came from; only the explicit button carries what B has seen.
    assert _hidden(page, "version") == "0" and _hidden(page, "seen_version") == "1"
    assert re.search(r'<button type="submit" name="save_over" value="y">Save my version', page)
    assert "Keep their version (discard mine)" in text and "Save checklist" not in text
    [event] = _events("insurance_conflict")
    assert event.detail == {"based_on": 0, "current_version": 1}
    stored = _stored()
    assert (stored.prior_auth, stored.prior_auth_reference, stored.version) == (
        "approved",
        "PA-2026-0412",
        1,
    )


def test_the_same_old_save_again_still_conflicts(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    _a, _b, b_client, _s, url, first = _a_saves_then_b_conflicts(app, client, login_as)
    assert first.status_code == 409
    # Pressing Save on the old page again (the browser re-sends the same form) ...
    again = post(b_client, url, {"version": "0", **B_VALUES})
    assert again.status_code == 409
    # ... and so does sending the conflict page's own form without choosing "save over".
    page = first.get_data(as_text=True)
    form = {"version": _hidden(page, "version"), "seen_version": _hidden(page, "seen_version")}
    assert post(b_client, url, {**form, **B_VALUES}).status_code == 409
    stored = _stored()
    assert stored.eligibility_confirmed is True
    assert (stored.prior_auth, stored.prior_auth_reference) == ("approved", "PA-2026-0412")
    assert stored.notes == "Approved by phone, rep Dana; valid 90 days." and stored.version == 1
    assert db.session.scalar(sa.select(sa.func.count(InsuranceVerificationHistory.id))) == 0


def test_keep_their_version_reloads_their_values(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    _a, _b, b_client, _s, url, conflict = _a_saves_then_b_conflicts(app, client, login_as)
    page = conflict.get_data(as_text=True)
    [href] = re.findall(r'<a class="button secondary" href="([^"]+)">Keep their version', page)
    assert href == url
    reloaded = b_client.get(href)
    assert reloaded.status_code == 200
    fresh = reloaded.get_data(as_text=True)
    assert _form_values(fresh) == {
        "eligibility_confirmed": True,
        "prior_auth": "approved",
        "prior_auth_reference": "PA-2026-0412",
        "notes": "Approved by phone, rep Dana; valid 90 days.",
    }
    assert _hidden(fresh, "version") == "1"
    stored = _stored()
    assert (stored.prior_auth, stored.prior_auth_reference, stored.version) == (
        "approved",
        "PA-2026-0412",
        1,
    )
    assert len(_events("insurance_updated")) == 1


def test_save_my_version_overwrites_and_keeps_theirs_in_the_history(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    a, b, b_client, submission, url, conflict = _a_saves_then_b_conflicts(app, client, login_as)
    page = conflict.get_data(as_text=True)
    # (post() signs the CSRF token from B's own session: with two test clients sharing one app
    # context, the token rendered in a page may be the other client's.)
    response = post(
        b_client,
        url,
        {
            "version": _hidden(page, "version"),
            "seen_version": _hidden(page, "seen_version"),
            "save_over": "y",
            **B_VALUES,
        },
    )
    assert response.status_code == 302
    stored = _stored()
    assert stored.eligibility_confirmed is False
    assert (stored.prior_auth, stored.prior_auth_reference) == ("needed", "")
    assert (stored.notes, stored.version, stored.updated_by_id) == ("Waiting on the plan.", 2, b.id)
    [kept] = db.session.scalars(sa.select(InsuranceVerificationHistory)).all()
    assert (kept.submission_id, kept.version, kept.saved_by_id, kept.replaced_by_id) == (
        submission.id,
        1,
        a.id,
        b.id,
    )
    assert kept.eligibility_confirmed is True
    assert (kept.prior_auth, kept.prior_auth_reference) == ("approved", "PA-2026-0412")
    assert kept.notes == "Approved by phone, rep Dana; valid 90 days."
    assert [e.detail for e in _events("insurance_updated")] == [
        {"eligibility_confirmed": True, "prior_auth": "approved", "version": 1},
        {
            "eligibility_confirmed": False,
            "prior_auth": "needed",
            "version": 2,
            "saved_over_version": 1,
        },
    ]
    flashed = _text(b_client.get(url).get_data(as_text=True))
    assert "Your version was saved over version 1" in flashed


def test_save_over_a_version_not_seen_conflicts_again(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    # B's conflict page showed version 1; A saves again (version 2) before B decides.
    _a, _b, b_client, _s, url, conflict = _a_saves_then_b_conflicts(app, client, login_as)
    page = conflict.get_data(as_text=True)
    assert (
        post(client, url, {"version": "1", **A_VALUES, "notes": "Second call."}).status_code == 302
    )
    form = {"version": "0", "seen_version": _hidden(page, "seen_version"), "save_over": "y"}
    response = post(b_client, url, {**form, **B_VALUES})
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert _hidden(again, "seen_version") == "2"
    assert _comparison(again)["notes"] == ("Second call.", "Waiting on the plan.", "Different")
    assert _stored().notes == "Second call."


def test_submission_page_shows_the_history_to_the_front_desk(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    a, b, b_client, submission, url, conflict = _a_saves_then_b_conflicts(app, client, login_as)
    page = conflict.get_data(as_text=True)
    form = {"version": "0", "seen_version": _hidden(page, "seen_version"), "save_over": "y"}
    assert post(b_client, url, {**form, **B_VALUES}).status_code == 302

    response = client.get(f"/staff/submissions/{submission.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    section = html[html.index('id="insurance-history"') : html.index('id="notes"')]
    rows = [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)
    ]
    assert [row[:2] for row in rows] == [["2 (current)", b.email], ["1", a.email]]
    assert rows[0][3:] == [
        "No changed",
        "Needed changed",
        "(empty) changed",
        *TRACKING_UNSET,
        "Waiting on the plan. changed",
    ]
    assert rows[1][3:] == [
        "Yes changed",
        "Approved changed",
        "PA-2026-0412 changed",
        *TRACKING_UNSET,
        "Approved by phone, rep Dana; valid 90 days. changed",
    ]
    [event] = _events("insurance_history_viewed")
    assert (event.submission_id, event.actor_id, event.detail) == (
        submission.id,
        a.id,
        {"versions": 2},
    )


def test_history_marks_only_what_a_save_changed(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store()
    url = f"/staff/submissions/{submission.id}/insurance"
    assert post(client, url, {"version": "0", **A_VALUES}).status_code == 302
    assert (
        post(client, url, {"version": "1", **A_VALUES, "prior_auth": "denied"}).status_code == 302
    )
    html = client.get(f"/staff/submissions/{submission.id}").get_data(as_text=True)
    section = html[html.index('id="insurance-history"') : html.index('id="notes"')]
    newest = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)[0]
    assert [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", newest, re.S)][2:] == [
        "Yes",
        "Denied changed",
        "PA-2026-0412",
        *TRACKING_UNSET,
        "Approved by phone, rep Dana; valid 90 days.",
    ]


def test_clinicians_see_no_insurance_history(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store()
    url = f"/staff/submissions/{submission.id}/insurance"
    assert post(client, url, {"version": "0", **A_VALUES}).status_code == 302
    clinician = app.test_client()
    login_as("clinician", on=clinician)
    html = clinician.get(f"/staff/submissions/{submission.id}").get_data(as_text=True)
    assert "Insurance checklist history" not in html and "PA-2026-0412" not in html
    assert _events("insurance_history_viewed") == []


def test_one_list_of_checklist_fields() -> None:
    # Comparing, history and pages all walk CHECKLIST_FIELDS; the value type must match it.
    from dataclasses import fields

    from intake.models.insurance import CHECKLIST_FIELDS
    from intake.services.insurance import FIELD_LABELS, ChecklistValues

    assert tuple(f.name for f in fields(ChecklistValues)) == CHECKLIST_FIELDS
    assert tuple(FIELD_LABELS) == CHECKLIST_FIELDS
    for name in CHECKLIST_FIELDS:
        assert hasattr(InsuranceVerificationHistory, name)
