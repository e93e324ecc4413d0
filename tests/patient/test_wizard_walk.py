"""The whole wizard through the test client: steps, back, save and resume, expiry, crisis
page, submitting once."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from intake.extensions import db
from intake.forms.patient import STEP_NAMES
from intake.models import Draft, Submission
from intake.services import drafts
from intake.services.codes import UNAMBIGUOUS_ALPHABET
from tests.patient.helpers import (
    VALID,
    WizardWalker,
    csrf_token,
    errors,
    get_page,
    step_url,
)


def only_draft() -> Draft:
    return db.session.scalars(select(Draft)).one()


def submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_start_creates_a_draft_with_a_resume_code(walker: WizardWalker, client) -> None:
    response = walker.start()
    assert response.location.endswith("/intake/step/about")
    draft = only_draft()
    assert len(draft.resume_code) >= 10
    assert set(draft.resume_code) <= set(UNAMBIGUOUS_ALPHABET)
    html = client.get(step_url("about")).get_data(as_text=True)
    assert drafts.display_code(draft.resume_code) in html
    assert "Save and finish later" in html


def test_session_holds_only_the_draft_id(walker: WizardWalker, client: FlaskClient) -> None:
    walker.start()
    walker.walk(until="phq9")
    with client.session_transaction() as session:
        # Flask-Login adds its own "_fresh" marker; no answers are ever in the cookie, only the
        # draft's id and when this browser last used it (for the idle timeout).
        assert set(session) <= {"draft_id", "draft_seen_at", "csrf_token", "_fresh"}
        assert isinstance(session["draft_id"], int)
        assert isinstance(session["draft_seen_at"], int)


def test_every_step_shows_progress_and_the_resume_code(walker: WizardWalker, client) -> None:
    walker.start()
    code = drafts.display_code(only_draft().resume_code)
    for number, step in enumerate(STEP_NAMES, start=1):
        html = client.get(step_url(step)).get_data(as_text=True)
        assert f"Step {number} of {len(STEP_NAMES)}" in html
        assert code in html


def test_whole_walk_stores_one_submission(walker: WizardWalker, client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    response = walker.complete()
    assert response.location.endswith("/intake/done")
    submission = db.session.scalars(select(Submission)).one()
    assert submission.status == "new"
    assert submission.source == "wizard"
    assert submission.urgent is False
    assert submission.last_name == "Reyes"
    assert submission.answers["medication_trials"][0]["name"] == "sertraline"
    assert submission.answers["insurance"]["payer_name"] == "Acme Health"
    assert submission.answers["consent"]["signature"] == "Ana Reyes"
    draft = only_draft()
    assert draft.submission_id == submission.id
    assert draft.data == {}  # the submission holds the answers now
    done = client.get("/intake/done").get_data(as_text=True)
    assert submission.reference in done
    assert "What happens next" in done
    printable = client.get("/intake/done/print")
    assert printable.status_code == 200 and submission.reference in printable.get_data(True)
    # Never log patient answers.
    for secret in ("Reyes", "sertraline", "Acme Health", "1985-04-12", "ana@example.org"):
        assert secret not in caplog.text


def test_confirmation_shows_the_educational_summary(walker: WizardWalker, client) -> None:
    walker.complete()
    submission = db.session.scalars(select(Submission)).one()
    html = client.get("/intake/done").get_data(as_text=True)
    for pathway in submission.evaluation["pathways"]:
        assert pathway["title"] in html


def test_back_keeps_answers(walker: WizardWalker, client: FlaskClient) -> None:
    walker.start()
    walker.post("about")
    # Half a page, then Back: what was given is kept, missing answers are fine.
    partial = {"primary": "other", "other_description": "Sleep", "episode_months": "3"}
    response = walker.post("concerns", partial, action="back")
    assert response.location.endswith(step_url("about"))
    about = client.get(step_url("about")).get_data(as_text=True)
    assert 'value="Reyes"' in about
    concerns = client.get(step_url("concerns")).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="other"', concerns)
    assert re.search(r">\s*Sleep</textarea>", concerns)
    assert 'value="3"' in concerns


def test_back_with_malformed_answer_shows_the_error(walker: WizardWalker) -> None:
    walker.start()
    response = walker.post("about", {"date_of_birth": "31/31/31"}, action="back")
    assert response.status_code == 422
    assert "Please enter a real date, like 1985-04-12." in errors(response)
    assert only_draft().data == {}


def test_next_with_errors_keeps_what_was_typed(walker: WizardWalker) -> None:
    walker.start()
    response = walker.post("about", {**VALID["about"], "email": "nope", "first_name": "Zoë"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in html
    assert 'href="#email"' in html
    assert 'value="Zoë"' in html and 'value="nope"' in html
    assert "Please enter an email address like name@example.com." in html
    assert 'aria-invalid="true"' in html


def test_repeating_rows_add_and_remove(walker: WizardWalker, client: FlaskClient) -> None:
    walker.start()
    response = walker.post("medications", VALID["medications"], action="add_row")
    assert response.status_code == 302
    html = client.get(step_url("medications")).get_data(as_text=True)
    assert 'id="medication_trials-2-name"' in html
    assert '<datalist id="medicine-names">' in html and '<option value="Zoloft">' in html
    response = walker.post("medications", VALID["medications"], action="remove_row-0")
    assert response.status_code == 302
    stored = drafts.step_snapshot(only_draft(), "medications")
    assert stored["medication_trials-0-name"] == ["Effexor XR"]
    assert "medication_trials-1-name" not in stored


def test_save_and_resume_with_code_and_birth_date(walker: WizardWalker, app: Flask) -> None:
    walker.start()
    walker.post("about")
    response = walker.post("concerns", {"primary": "anxiety"}, action="save")
    assert response.location.endswith("/intake/saved")
    code = drafts.display_code(only_draft().resume_code)
    saved = walker.client.get("/intake/saved").get_data(as_text=True)
    assert code in saved
    # Another device: the code plus date of birth reopens the draft.
    other = app.test_client()
    page = get_page(other, "/resume").get_data(as_text=True)
    response = other.post(
        "/resume",
        data={
            "csrf_token": csrf_token(page),
            "code": code.lower().replace("-", " "),
            "date_of_birth": "1985-04-12",
        },
    )
    assert response.status_code == 302
    # "concerns" was saved half-answered: resuming opens it, not the step after (issue 8).
    assert response.location.endswith(step_url("concerns"))
    html = other.get(step_url("concerns")).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="anxiety"', html)


def _resume(client: FlaskClient, code: str, dob: str):
    page = get_page(client, "/resume").get_data(as_text=True)
    return client.post(
        "/resume", data={"csrf_token": csrf_token(page), "code": code, "date_of_birth": dob}
    )


def _generic_message(response) -> str:
    html = response.get_data(as_text=True)
    return re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)


def test_wrong_pair_gives_one_generic_message(walker: WizardWalker, app: Flask) -> None:
    walker.start()
    walker.post("about")
    code = only_draft().resume_code
    wrong_code = _resume(app.test_client(), "ZZZZZZZZZZZZ", "1985-04-12")
    wrong_dob = _resume(app.test_client(), code, "1985-04-13")
    assert wrong_code.status_code == wrong_dob.status_code == 422
    assert _generic_message(wrong_code) == _generic_message(wrong_dob)
    assert "do not match" in _generic_message(wrong_code)


def test_draft_without_birth_date_cannot_be_resumed(walker: WizardWalker, app) -> None:
    walker.start()
    response = _resume(app.test_client(), only_draft().resume_code, "1985-04-12")
    assert response.status_code == 422


def test_resume_is_rate_limited(app: Flask) -> None:
    client = app.test_client()
    statuses = [_resume(client, "AAAAAAAAAAAA", "1985-04-12").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429


def test_expired_draft_cannot_be_used_or_resumed(walker: WizardWalker, app: Flask) -> None:
    walker.start()
    walker.post("about")
    draft = only_draft()
    draft.expires_at = drafts.now() - timedelta(seconds=1)
    db.session.commit()
    assert walker.client.get(step_url("concerns")).status_code == 410
    assert _resume(app.test_client(), draft.resume_code, "1985-04-12").status_code == 422


def test_drafts_expire_after_14_days(walker: WizardWalker) -> None:
    walker.start()
    draft = only_draft()
    assert draft.expires_at - draft.created_at == timedelta(days=14)


def test_purge_command_deletes_only_expired_unsubmitted_drafts(
    walker: WizardWalker, app: Flask, runner: FlaskCliRunner
) -> None:
    walker.complete()  # submitted: kept
    WizardWalker(app.test_client()).start()  # fresh: kept
    WizardWalker(app.test_client()).start()  # expired: deleted
    newest = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    past = drafts.now() - timedelta(days=1)
    newest.expires_at = past
    submitted = db.session.scalars(select(Draft).where(Draft.submission_id.is_not(None))).one()
    submitted.expires_at = past
    db.session.commit()
    result = runner.invoke(args=["purge-drafts"])
    assert result.exit_code == 0
    assert "Deleted 1 expired draft." in result.output
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 2
    assert "Deleted 0 expired drafts." in runner.invoke(args=["purge-drafts"]).output


def test_double_submit_creates_one_submission(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk()
    page = get_page(client, step_url("review")).get_data(as_text=True)
    body = {**VALID["review"], "action": "submit", "csrf_token": csrf_token(page)}
    first = client.post(step_url("review"), data=body)
    second = client.post(step_url("review"), data=body)  # double click / back button
    assert first.location.endswith("/intake/done")
    assert second.location.endswith("/intake/done")
    assert submissions() == 1
    # Every wizard URL of a submitted draft leads to the confirmation.
    for step in STEP_NAMES:
        assert client.get(step_url(step)).location.endswith("/intake/done")


def test_second_tab_cannot_submit_again(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk()
    page = get_page(client, step_url("review")).get_data(as_text=True)  # tab 2 opened review
    walker.submit()  # tab 1 sends
    body = {**VALID["review"], "action": "submit", "csrf_token": csrf_token(page)}
    assert client.post(step_url("review"), data=body).location.endswith("/intake/done")
    assert submissions() == 1


def test_review_lists_answers_with_change_links(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk()
    html = client.get(step_url("review")).get_data(as_text=True)
    for step in STEP_NAMES[:-1]:
        assert f'href="{step_url(step)}?from=review"' in html
    for shown in ("Reyes", "Effexor XR", "Acme Health", "Nearly every day", "lisinopril"):
        assert shown in html


def test_unfinished_steps_block_sending(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk(until="gad7")
    response = walker.submit()
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "this section is not finished yet" in html
    assert submissions() == 0


#: What each support page must say (pathway-rules-v2.md, "What patients read"). Acute: the
#: crisis page (988 call, text or chat, 911, press 1 for veterans, press 2 for Spanish).
#: Non-acute: thanks, a clinician will want to talk about safety, 988 or 911 if it gets worse.
ACUTE_PAGE = (
    'Call or text <a href="tel:988">988</a>',
    "988lifeline.org",
    "tel:911",
    "front desk",
    "press 1",
    "press 2",
)
CALM_PAGE = (
    "<h1>Thank you for answering</h1>",
    "a clinician will want to talk with you about your safety",
    "If the thoughts get stronger, or you feel you might act on them, call or text",
    "tel:988",
    "tel:911",
)


@pytest.mark.parametrize(
    ("asq", "acute"),
    [
        ({"wished_dead": "yes", "thoughts_right_now": "no"}, False),
        ({"ever_tried": "yes", "thoughts_right_now": "yes"}, True),
    ],
)
def test_positive_asq_shows_the_support_page_next_and_marks_urgent(
    walker: WizardWalker, client, asq: dict, acute: bool
) -> None:
    walker.start()
    walker.walk(until="asq")
    response = walker.post("asq", {**VALID["asq"], **asq})
    assert response.status_code == 302
    assert "/intake/support" in response.location
    support = client.get(response.location).get_data(as_text=True)
    for fact in ACUTE_PAGE if acute else CALM_PAGE:
        assert fact in support
    if not acute:
        assert "Please reach out for support now" not in support
        assert "press 1" not in support
    assert "press 3" not in support.lower()
    # A draft is not seen by anyone at the clinic: the page must not promise a call back.
    assert "will contact you" not in support
    assert "sees your answers only once you send this form" in support
    assert 'href="/intake/step/medications"' in support
    assert only_draft().asq_positive is True
    for step in STEP_NAMES[STEP_NAMES.index("medications") : -1]:
        assert walker.post(step).status_code == 302
    assert walker.submit().location.endswith("/intake/done")
    submission = db.session.scalars(select(Submission)).one()
    assert submission.urgent is True
    done = client.get("/intake/done").get_data(as_text=True)
    assert ("Crisis support now" in done) is acute
    assert ("A safety check-in with a clinician" in done) is not acute
    # With no opening hours set (as here) no day is promised; with hours, "today" while the
    # clinic is open (tests/patient/test_done_wording.py).
    assert "read your answers as soon as they can" in done


def test_phq9_item9_leads_to_crisis_page_and_urgent(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk(until="phq9")
    response = walker.post("phq9", {**VALID["phq9"], "item_9": "2"})
    assert "/intake/support" in response.location
    assert "next=gad7" in response.location
    walker.walk({"phq9": {**VALID["phq9"], "item_9": "2"}})
    walker.submit()
    assert db.session.scalars(select(Submission)).one().urgent is True


def test_negative_screen_goes_straight_on(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="asq")
    assert walker.post("asq").location.endswith(step_url("medications"))
    assert only_draft().asq_positive is False


def test_wizard_needs_a_draft(client: FlaskClient) -> None:
    assert client.get(step_url("about")).location.endswith("/")
    assert client.get("/intake/step/nope").status_code == 404


def test_leave_forgets_the_draft_on_this_device(walker: WizardWalker, client) -> None:
    walker.start()
    page = get_page(client, "/intake/saved").get_data(as_text=True)
    client.post("/intake/leave", data={"csrf_token": csrf_token(page)})
    assert client.get(step_url("about")).location.endswith("/")


def test_review_can_be_saved_for_later(walker: WizardWalker, client) -> None:
    walker.start()
    walker.walk()
    response = walker.post("review", {"signature": "Ana R"}, action="save")
    assert response.location.endswith("/intake/saved")
    assert submissions() == 0
    html = get_page(client, step_url("review")).get_data(as_text=True)
    assert 'value="Ana R"' in html
    assert walker.submit().location.endswith("/intake/done")
    assert submissions() == 1


def test_yes_to_right_now_after_four_noes_still_shows_crisis_page(walker: WizardWalker) -> None:
    # With JavaScript off the "right now" question is always shown. A "yes" there is the most
    # urgent answer in the intake: it is stored (issue 8) and the crisis page comes first.
    walker.start()
    walker.walk(until="asq")
    response = walker.post("asq", {**VALID["asq"], "thoughts_right_now": "yes"})
    assert response.status_code == 302
    assert "/intake/support" in response.location
    assert "next=medications" in response.location
    assert only_draft().data["asq"]["thoughts_right_now"] == ["yes"]


@pytest.mark.parametrize(
    ("step", "answers", "acute"),
    [
        ("asq", {"wished_dead": "yes", "family_better_off": ""}, False),
        ("asq", {"wished_dead": "declined", "family_better_off": ""}, False),
        ("asq", {"thoughts_right_now": "yes", "family_better_off": ""}, True),
        ("asq", {"thoughts_right_now": "declined", "family_better_off": ""}, True),
        ("phq9", {"item_9": "1", "item_1": ""}, False),
    ],
)
def test_positive_answer_on_a_page_with_errors_shows_support_first(
    walker: WizardWalker, step: str, answers: dict, acute: bool
) -> None:
    walker.start()
    walker.walk(until=step)
    response = walker.post(step, {**VALID[step], **answers})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="crisis-now"' in html
    assert html.index('id="crisis-now"') < html.index('id="error-summary"')
    box = html[html.index('id="crisis-now"') : html.index('id="error-summary"')]
    assert "tel:988" in box and "tel:911" in box
    if acute:
        assert "Support is available right now" in box
        assert "988lifeline.org" in box and "front desk" in box
    else:
        assert "a clinician will want to talk with you about your safety" in box
        assert "If the thoughts get stronger" in box


def test_page_with_errors_but_no_positive_answer_has_no_crisis_box(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="asq")
    response = walker.post("asq", {**VALID["asq"], "family_better_off": ""})
    assert response.status_code == 422
    assert 'id="crisis-now"' not in response.get_data(as_text=True)


def test_an_idle_browser_forgets_the_draft_but_the_code_still_works(
    walker: WizardWalker, client
) -> None:
    from intake.patient.views import SEEN_KEY

    walker.start()
    walker.walk(until="concerns")
    with client.session_transaction() as session:
        session[SEEN_KEY] -= 61 * 60  # an hour and a minute ago
    assert client.get(step_url("concerns")).location.endswith("/")
    start = client.get("/").get_data(as_text=True)
    assert 'id="closed-idle"' in start
    assert 'id="continue-link"' not in start  # the next person cannot continue it
    assert 'id="closed-idle"' not in client.get("/").get_data(as_text=True)  # said once
    assert only_draft().data["about"]  # the answers are kept for the resume code


def test_activity_keeps_the_draft_open(walker: WizardWalker, client) -> None:
    from intake.patient.views import SEEN_KEY

    walker.start()
    with client.session_transaction() as session:
        session[SEEN_KEY] -= 59 * 60
    assert client.get(step_url("about")).status_code == 200
