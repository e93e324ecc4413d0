"""The patient's check-in pages over real HTTP (issue 16, docs/checkins.md): a link or the
clinic tablet opens the check-in, the questionnaire is sent once, the ASQ comes in when PHQ-9
item 9 is above 0, and a positive safety answer shows crisis support at once.

Expected totals and statuses are worked out here from the issue's definitions against the
intake's baseline (PHQ-9 17, GAD-7 7: answer_documents.py), not read from the code.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from checkin_samples import BORN, link_for, open_course, tablet_code_for
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import CheckIn
from intake.models.types import utcnow
from intake.services import courses
from tests.factories import csrf_token, token_from

NO_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
}
SIDE_EFFECTS = (
    "headache",
    "scalp_discomfort",
    "twitching",
    "light_headedness",
    "hearing_change",
    "seizure",
    "elevated_mood",
    "other",
)
LINK_GONE = "This link has expired or was already used. Please ask the clinic for a new one"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def body(
    phq9: list[int],
    gad7: list[int] | None = None,
    *,
    asq: dict[str, str] | None = None,
    effects: dict[str, str] | None = None,
    token: str,
) -> dict[str, Any]:
    """What the page's form posts: every item by its field name, the side effects at "none"
    unless given (as the page preselects them)."""
    out: dict[str, Any] = {"csrf_token": token}
    out |= {f"phq9_{n}": str(v) for n, v in enumerate(phq9, start=1)}
    out |= {f"gad7_{n}": str(v) for n, v in enumerate(gad7 or [1] * 7, start=1)}
    out |= dict(asq or {})
    out |= {f"effect_{code}": (effects or {}).get(code, "none") for code in SIDE_EFFECTS}
    return out


def open_by_link(client: FlaskClient, raw: str) -> str:
    """Follow the link; returns the questionnaire page (checks the token left the address)."""
    response = client.get(f"/c/{raw}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/checkin"
    page = client.get("/checkin")
    assert page.status_code == 200
    return page.get_data(as_text=True)


# The round trip -----------------------------------------------------------------------------

#: (PHQ-9 items, ASQ answers posted, side effects) -> stored (PHQ-9, GAD-7, status, urgent, acute)
#: for a weekly check-in against the intake's 17 / 7.
ROUND_TRIPS = (
    ([1, 1, 1, 1, 1, 1, 1, 1, 0], None, {}, (8, 7, "response", False, False)),  # down 52.9%
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], None, {}, (4, 7, "remission", False, False)),
    ([3, 3, 3, 3, 3, 3, 2, 2, 0], None, {}, (22, 7, "worsening", False, False)),  # +5
    ([2, 2, 2, 2, 2, 2, 1, 0, 0], None, {}, (13, 7, "no_response", False, False)),  # -23.5%
    (
        [2, 2, 2, 2, 2, 2, 0, 0, 0],
        None,
        {"seizure": "mild"},
        (12, 7, "partial_response", True, False),
    ),
    ([2, 2, 2, 2, 2, 1, 1, 0, 1], NO_ASQ, {}, (13, 7, "no_response", True, False)),  # item 9
    (
        [2, 2, 2, 2, 2, 1, 1, 0, 2],
        {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"},
        {},
        (14, 7, "no_response", True, True),
    ),
    (
        [2, 2, 2, 2, 2, 1, 1, 0, 1],
        {**NO_ASQ, "ever_tried": "declined", "thoughts_right_now": "declined"},
        {},
        (13, 7, "no_response", True, True),
    ),
)


@pytest.mark.parametrize(("phq9", "asq", "effects", "stored"), ROUND_TRIPS)
def test_a_link_opens_the_check_in_and_the_answers_are_stored_once(
    app: Flask,
    client: FlaskClient,
    phq9: list[int],
    asq: dict[str, str] | None,
    effects: dict[str, str],
    stored: tuple[int, int, str, bool, bool],
) -> None:
    _course, checkin = open_course(weeks_ago=1)
    assert checkin.kind == "interval"
    checkin_id = checkin.id
    page = open_by_link(client, link_for(checkin))
    response = client.post(
        "/checkin", data=body(phq9, asq=asq, effects=effects, token=token_from(page))
    )
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/done"
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.completed_at is not None
    assert (saved.phq9_total, saved.gad7_total, saved.status, saved.urgent, saved.acute) == stored
    assert saved.opened_by == "link"
    assert saved.answers is not None and saved.answers["phq9"] == phq9
    assert saved.answers["side_effects"] == {
        code: effects.get(code, "none") for code in SIDE_EFFECTS
    }
    if asq is None:
        assert saved.answers["asq"] is None
    else:
        assert saved.answers["asq"] == {"thoughts_right_now": None, **asq}
    # The link is used up: the same link now opens nothing.
    assert LINK_GONE in _text(client.get(f"/c/{link_for_used(saved)}").get_data(as_text=True))


def link_for_used(checkin: CheckIn) -> str:
    """A token made for a check-in that is already completed: it opens nothing."""
    return courses.new_token(checkin, utcnow())


def test_the_session_holds_the_check_in_id_only_and_forgets_it_once_sent(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course()
    raw = link_for(checkin)
    response = client.get(f"/c/{raw}")
    # The token is never passed on to another site, and the answer is never cached.
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as sess:
        assert sess["checkin_id"] == checkin.id
        assert raw not in str(dict(sess))
    page = client.get("/checkin").get_data(as_text=True)
    assert raw not in page
    client.post("/checkin", data=body([1] * 8 + [0], token=token_from(page)))
    with client.session_transaction() as sess:
        assert "checkin_id" not in sess


# Links that open nothing ---------------------------------------------------------------------


def _expired(client: FlaskClient) -> str:
    _course, checkin = open_course()
    raw = courses.new_token(checkin, utcnow() - courses.TOKEN_LIFETIME)
    db.session.commit()
    return raw


def _used(client: FlaskClient) -> str:
    _course, checkin = open_course()
    raw = link_for(checkin)
    page = open_by_link(client, raw)
    assert client.post("/checkin", data=body([0] * 9, token=token_from(page))).status_code == 302
    return raw


def _unknown(client: FlaskClient) -> str:
    return "x" * 43


def _superseded(client: FlaskClient) -> str:
    """The baseline's link after the weekly check-in fell due: the baseline is no longer open."""
    course, baseline = open_course(weeks_ago=1)
    first = next(c for c in course.checkins if c.kind == "baseline")
    raw = courses.new_token(first, utcnow())
    db.session.commit()
    assert baseline is not first
    return raw


@pytest.mark.parametrize("make", [_expired, _used, _unknown, _superseded])
def test_a_link_that_opens_nothing_gets_one_friendly_page(
    app: Flask, client: FlaskClient, make: Any
) -> None:
    from intake.services import settings

    settings.set_setting(settings.CLINIC_PHONE, "503-555-0142", user_id=None)
    db.session.commit()
    raw = make(client)
    other = app.test_client()
    response = other.get(f"/c/{raw}")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert f"{LINK_GONE}: call 503-555-0142" in text
    with other.session_transaction() as sess:
        assert "checkin_id" not in sess
    # And nothing opens at /checkin either.
    assert LINK_GONE in _text(other.get("/checkin").get_data(as_text=True))


# The ASQ with JavaScript off ----------------------------------------------------------------


def test_with_javascript_off_item_9_brings_the_asq_back_with_the_answers_kept(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course(weeks_ago=1)
    checkin_id = checkin.id
    page = open_by_link(client, link_for(checkin))
    # The ASQ is on the page, hidden until item 9 is chosen above 0 (the script reveals it).
    assert re.search(r'<section[^>]*id="asq-section"[^>]*\bhidden\b', page)
    phq9 = [2, 2, 2, 2, 2, 1, 1, 0, 1]
    first = client.post("/checkin", data=body(phq9, gad7=[2] * 7, token=token_from(page)))
    assert first.status_code == 422
    html = first.get_data(as_text=True)
    assert not re.search(r'<section[^>]*id="asq-section"[^>]*\bhidden\b', html)
    assert "Because of your answer to question 9, please answer these questions too." in _text(html)
    assert 'href="#asq-heading"' in html  # the error summary links to it
    # Every answer given is still chosen.
    assert [_checked(html, f"phq9_{n}") for n in range(1, 10)] == [str(v) for v in phq9]
    assert all(_checked(html, f"gad7_{n}") == "2" for n in range(1, 8))
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin_id).completed_at is None  # type: ignore[union-attr]
    second = client.post(
        "/checkin", data=body(phq9, gad7=[2] * 7, asq=NO_ASQ, token=token_from(html))
    )
    assert second.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.gad7_total == 14 and saved.urgent and not saved.acute
    assert saved.answers is not None and saved.answers["asq"] == {
        **NO_ASQ,
        "thoughts_right_now": None,
    }


def _checked(html: str, name: str) -> str | None:
    """The value of the checked radio button called ``name``."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else None
    return None


def test_a_positive_asq_needs_question_5_and_shows_support_while_fixing(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    asq = {**NO_ASQ, "wished_dead": "yes"}
    response = client.post("/checkin", data=body([1] * 8 + [2], asq=asq, token=token_from(page)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Support is available right now" not in text  # not acute: the calm box
    assert "a clinician will want to talk with you about your safety" in text
    assert 'id="thoughts_right_now-error-1"' in html
    assert _checked(html, "wished_dead") == "yes"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phq9_3": ""}, "phq9_3"),
        ({"gad7_7": "4"}, "gad7_7"),
        ({"effect_seizure": "sometimes"}, "effect_seizure"),
        ({"wished_dead": "perhaps"}, "wished_dead"),
    ],
)
def test_an_invalid_answer_is_shown_at_its_field_and_nothing_is_stored(
    app: Flask, client: FlaskClient, change: dict[str, str], field: str
) -> None:
    _course, checkin = open_course()
    checkin_id = checkin.id
    page = open_by_link(client, link_for(checkin))
    data = body([1] * 9, asq={**NO_ASQ}, token=token_from(page)) | change
    response = client.post("/checkin", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error-1"' in html
    assert f'href="#{field}-0"' in html  # the summary links to the question
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin_id).completed_at is None  # type: ignore[union-attr]


def test_a_page_with_a_question_it_does_not_ask_is_refused(app: Flask, client: FlaskClient) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    data = body([0] * 9, token=token_from(page)) | {"first_name": "Ana"}
    assert client.post("/checkin", data=data).status_code == 422


# Sent once -----------------------------------------------------------------------------------


def test_a_double_submit_or_a_second_tab_is_told_it_was_already_sent(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course()
    checkin_id = checkin.id
    page = open_by_link(client, link_for(checkin))
    # A second tab sent at the same moment carries the same session as the first.
    racing = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    racing.set_cookie("session", cookie.value)
    data = body([1] * 8 + [0], token=token_from(page))
    assert client.post("/checkin", data=data).status_code == 302
    again = client.post("/checkin", data=data)  # the double click: the session was cleared
    raced = racing.post("/checkin", data=body([3] * 8 + [0], token=token_from(page)))
    for response in (again, raced):
        assert response.status_code == 409
        assert "Your check-in was already sent" in _text(response.get_data(as_text=True))
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.phq9_total == 8  # the first answers, not the second
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(CheckIn).where(CheckIn.completed_at.is_not(None))
        )
        == 1
    )


# The crisis path -----------------------------------------------------------------------------


def _send(client: FlaskClient, phq9: list[int], asq: dict[str, str] | None) -> str:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    response = client.post("/checkin", data=body(phq9, asq=asq, token=token_from(page)))
    assert response.status_code == 302
    return _text(client.get(response.headers["Location"]).get_data(as_text=True))


def test_yes_right_now_shows_crisis_support_at_once(app: Flask, client: FlaskClient) -> None:
    text = _send(
        client, [1] * 8 + [3], {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    )
    assert "Please reach out for support now" in text
    assert (
        "You said you are having these thoughts right now. "
        "Please get help now: call or text 988, or call 911." in text
    )
    assert "Call or text 988 : the 988 Suicide & Crisis Lifeline" in text
    assert "If you are in the clinic now, tell the front desk now." in text


def test_declining_question_5_is_treated_as_urgent_in_words(
    app: Flask, client: FlaskClient
) -> None:
    text = _send(
        client, [1] * 8 + [1], {**NO_ASQ, "ever_tried": "yes", "thoughts_right_now": "declined"}
    )
    assert "You chose not to say if you are having thoughts of killing yourself right now" in text
    assert "we treat it as urgent" in text


def test_item_9_with_a_negative_asq_gets_the_calm_safety_words(
    app: Flask, client: FlaskClient
) -> None:
    text = _send(client, [1] * 8 + [1], NO_ASQ)
    assert "Please reach out for support now" not in text
    assert "a clinician will want to talk with you about your safety" in text
    assert "call or text 988 or call 911 now" in text


def test_no_risk_gets_a_plain_thank_you(app: Flask, client: FlaskClient) -> None:
    text = _send(client, [1] * 8 + [0], None)
    assert "Your answers were sent to your care team." in text
    assert "a clinician will want to talk with you about your safety" not in text


# The clinic tablet ---------------------------------------------------------------------------


def _tablet(client: FlaskClient, code: str, born: str) -> Any:
    assert client.get("/checkin/tablet").status_code == 200
    return client.post(
        "/checkin/tablet",
        data={"csrf_token": csrf_token(client), "code": code, "date_of_birth": born},
    )


def test_the_tablet_opens_the_check_in_with_the_code_and_date_of_birth(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course()
    checkin_id = checkin.id
    code = tablet_code_for(checkin)
    typed = f"{code[:4].lower()} {code[4:]}"
    response = _tablet(client, typed, BORN.isoformat())
    assert response.status_code == 302 and response.headers["Location"] == "/checkin"
    page = client.get("/checkin").get_data(as_text=True)
    assert client.post("/checkin", data=body([0] * 9, token=token_from(page))).status_code == 302
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.opened_by == "tablet" and saved.phq9_total == 0
    # The baseline check-in is its own baseline: a PHQ-9 under 5 there is not measured.
    assert saved.status == "not_applicable"


def test_a_wrong_date_of_birth_or_code_gets_one_message(app: Flask, client: FlaskClient) -> None:
    _course, checkin = open_course()
    code = tablet_code_for(checkin)
    wrong_born = _tablet(client, code, "1985-04-13")
    wrong_code = _tablet(app.test_client(), "ZZZZZZZZ", BORN.isoformat())
    for response in (wrong_born, wrong_code):
        assert response.status_code == 422
    message = "The code and date of birth do not match a check-in that is due."
    assert message in _text(wrong_born.get_data(as_text=True))
    assert message in _text(wrong_code.get_data(as_text=True))
    with client.session_transaction() as sess:
        assert "checkin_id" not in sess


def test_tablet_tries_are_limited_per_address_but_successes_do_not_count(
    app: Flask, client: FlaskClient
) -> None:
    _course, checkin = open_course()
    code = tablet_code_for(checkin)
    for _ in range(3):  # a clinic tablet opens one check-in after another
        assert _tablet(app.test_client(), code, BORN.isoformat()).status_code == 302
    responses = [_tablet(client, code, "2000-01-01") for _ in range(11)]
    assert [r.status_code for r in responses] == [422] * 10 + [429]
    assert "Too many tries" in _text(responses[-1].get_data(as_text=True))


def test_links_that_open_nothing_are_limited_per_address(app: Flask, client: FlaskClient) -> None:
    statuses = [client.get(f"/c/unknown-{n}").status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]


def test_a_check_in_leaves_no_patient_data_or_token_in_the_logs(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    _course, checkin = open_course()
    raw = link_for(checkin)
    page = open_by_link(client, raw)
    asq = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "no"}
    response = client.post("/checkin", data=body([1] * 8 + [2], asq=asq, token=token_from(page)))
    client.get(response.headers["Location"])
    submission = checkin.course.submission
    for secret in (raw, submission.last_name, BORN.isoformat(), submission.reference):
        assert secret not in caplog.text


# Answers are never lost to timing (a fresh-eyes review's findings) ----------------------------


def test_answers_sent_after_the_next_check_in_fell_due_are_stored_and_urgent(
    client: FlaskClient,
) -> None:
    """The patient has the page open when the next check-in falls due (the worker's sweep, a
    staff page, the course ending): what they send is still stored, a positive answer urgent."""
    course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    course.start_date = course.start_date.replace(year=course.start_date.year - 1)
    for each in course.checkins:
        each.due_on = each.due_on.replace(year=each.due_on.year - 1)
    assert courses.sync_checkins(course, courses.clinic_today())  # later ones are due now
    db.session.commit()
    acute = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    response = client.post("/checkin", data=body([1] * 8 + [3], asq=acute, token=token_from(page)))
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(CheckIn, checkin.id)
    assert stored is not None and stored.completed and stored.urgent and stored.acute


def test_a_prompted_asq_left_blank_again_is_stored_without_it_and_urgent(
    client: FlaskClient,
) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    first = client.post("/checkin", data=body([1] * 8 + [2], token=token_from(page)))
    assert first.status_code == 422
    prompted = first.get_data(as_text=True)
    assert 'name="asq_prompted" value="1"' in prompted and 'id="crisis-now"' in prompted
    again = body([1] * 8 + [2], token=token_from(prompted)) | {"asq_prompted": "1"}
    assert client.post("/checkin", data=again).status_code == 302
    db.session.expire_all()
    stored = db.session.get(CheckIn, checkin.id)
    assert stored is not None and stored.completed and stored.urgent
    assert stored.answers is not None and stored.answers["asq"] is None
    assert [flag["code"] for flag in stored.flags or []][:1] == ["suicide_risk"]
    done = client.get("/checkin/done").get_data(as_text=True)
    assert 'id="checkin-safety"' in done or 'id="crisis-now"' in done


def test_a_positive_answer_that_cannot_be_stored_still_shows_crisis_support(
    app: Flask, client: FlaskClient
) -> None:
    """The page was left open past the idle limit: the check-in is forgotten, so nothing can
    be stored — but a positive answer on it still gets crisis support first."""
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    with client.session_transaction() as sess:
        for key in list(sess):
            if key.startswith("checkin"):
                sess.pop(key)
    acute = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    response = client.post("/checkin", data=body([1] * 8 + [3], asq=acute, token=token_from(page)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and LINK_GONE in _text(html)
    assert 'id="crisis-now"' in html and 'href="tel:988"' in html
    calm = client.post("/checkin", data=body([0] * 9, asq=None, token=token_from(page)))
    assert 'id="crisis-now"' not in calm.get_data(as_text=True)


def test_a_seizure_with_a_safety_answer_gets_both_instructions(client: FlaskClient) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    sent = body([1] * 8 + [1], asq=NO_ASQ, effects={"seizure": "mild"}, token=token_from(page))
    assert client.post("/checkin", data=sent).status_code == 302
    done = client.get("/checkin/done").get_data(as_text=True)
    assert 'id="checkin-safety"' in done and 'id="checkin-seizure"' in done


def test_a_tablet_check_in_left_idle_for_ten_minutes_is_closed(client: FlaskClient) -> None:
    """The clinic's tablet is shared: ten minutes without a page, the check-in is closed (a
    link opened on the patient's own phone keeps the longer patient idle limit)."""
    import time

    _course, checkin = open_course()
    code = tablet_code_for(checkin)
    page = client.get("/checkin/tablet").get_data(as_text=True)
    opened = client.post(
        "/checkin/tablet",
        data={"csrf_token": token_from(page), "code": code, "date_of_birth": BORN.isoformat()},
    )
    assert opened.status_code == 302
    assert client.get("/checkin").status_code == 200
    with client.session_transaction() as sess:
        sess["checkin_seen_at"] = int(time.time()) - 11 * 60
    assert LINK_GONE in _text(client.get("/checkin").get_data(as_text=True))
    _other, phone = open_course()
    open_by_link(client, link_for(phone))
    with client.session_transaction() as sess:
        sess["checkin_seen_at"] = int(time.time()) - 11 * 60
    assert client.get("/checkin").status_code == 200


def test_a_prompted_asq_answered_is_stored_with_it(client: FlaskClient) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    prompted = client.post("/checkin", data=body([1] * 8 + [1], token=token_from(page)))
    assert prompted.status_code == 422
    answered = body([1] * 8 + [1], asq=NO_ASQ, token=token_from(prompted.get_data(as_text=True)))
    assert client.post("/checkin", data=answered | {"asq_prompted": "1"}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(CheckIn, checkin.id)
    assert stored is not None and stored.answers is not None
    assert stored.answers["asq"]["wished_dead"] == "no" and stored.urgent  # item 9 above 0


def test_answers_sent_while_staff_change_the_check_in_are_stored_once(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff make a tablet code for the check-in at the very moment the patient sends it (the
    row's version moves on under the patient's request): the answers are stored on the second
    try, once, not refused."""
    _course, checkin = open_course(weeks_ago=1)
    checkin_id = checkin.id
    page = open_by_link(client, link_for(checkin))
    real = courses.complete_checkin
    tries: list[int] = []

    def staff_change_first(found: CheckIn, *args: Any, **kwargs: Any) -> Any:
        tries.append(found.id)
        if len(tries) == 1:
            with db.engine.begin() as other:  # another request's commit, on its own connection
                other.execute(
                    sa.update(CheckIn.__table__)
                    .where(CheckIn.__table__.c.id == checkin_id)
                    .values(version=CheckIn.__table__.c.version + 1)
                )
        return real(found, *args, **kwargs)

    monkeypatch.setattr(courses, "complete_checkin", staff_change_first)
    response = client.post("/checkin", data=body([1] * 8 + [0], token=token_from(page)))
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/done"
    assert tries == [checkin_id, checkin_id]
    db.session.expire_all()
    saved = db.session.get_one(CheckIn, checkin_id)
    assert saved.completed_at is not None and saved.answers is not None
    assert saved.answers["phq9"] == [1] * 8 + [0] and saved.language == "en"
