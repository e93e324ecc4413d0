"""The wizard writes intake-answers/2 (issue 11, "Wizard"): "I'd rather not answer" on the
ASQ, acute and non-acute support pages, the age floor of 12, a parent or guardian in the
consent under 18, the 2600-week limit.

Every test posts what the rendered page would post (:class:`tests.patient.screen.Screen`): a
plain form post, as a browser with JavaScript off sends it. Expected values come from
``../shared/docs/pathway-rules-v2.md`` and are written out here, never read from the app.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from intake.extensions import db
from intake.models import Draft, Submission
from tests.patient.helpers import VALID, WizardWalker, errors, get_page, step_url
from tests.patient.screen import Screen

ASQ_FIVE = (
    "wished_dead",
    "family_better_off",
    "thoughts_of_killing_self",
    "ever_tried",
    "thoughts_right_now",
)
NO_TO_ALL_FOUR = {key: "no" for key in ASQ_FIVE[:4]}
#: The spec's wording for a declined answer (intake/vocabulary.py must say the same).
RATHER_NOT = "I'd rather not answer"
CLINIC_PHONE = "503-555-0199"


#: Valid answers as typed into the pages: the medicines page starts with one row.
TYPED = {
    **VALID,
    "medications": {k: v for k, v in VALID["medications"].items() if "-0-" in k},
}


def screen(client: FlaskClient, step: str) -> Screen:
    page = get_page(client, step_url(step))
    assert page.status_code == 200, (step, page.status_code)
    return Screen(page.get_data(as_text=True))


def press(client: FlaskClient, step: str, shown: Screen, button: str = "next") -> TestResponse:
    return client.post(step_url(step), data=MultiDict(shown.post_body(button)))


def answer(client: FlaskClient, step: str, answers: dict[str, str], button: str = "next"):
    shown = screen(client, step)
    shown.fill(answers)
    return press(client, step, shown, button)


def only_draft() -> Draft:
    draft = db.session.scalars(select(Draft)).one()
    db.session.refresh(draft)
    return draft


def only_submission() -> Submission:
    return db.session.scalars(select(Submission)).one()


def flags() -> list[str]:
    return [flag["code"] for flag in only_submission().evaluation["flags"]]


def finish_from(walker: WizardWalker, after: str, review: dict[str, str] | None = None):
    """Answer the steps after ``after`` with valid answers and send; returns the response."""
    from intake.forms.patient import STEP_NAMES

    for step in STEP_NAMES[STEP_NAMES.index(after) + 1 : -1]:
        shown = screen(walker.client, step)
        shown.fill(TYPED[step])
        assert press(walker.client, step, shown).status_code == 302, step
    return answer(walker.client, "review", review or VALID["review"], "submit")


def years_ago(years: int, *, days: int = 0) -> date:
    """The birthday of someone who turns ``years`` today, moved ``days`` later (younger)."""
    today = date.today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday + timedelta(days=days)


def about_for(born: date) -> dict[str, str]:
    return {**VALID["about"], "date_of_birth": born.isoformat()}


# The document -------------------------------------------------------------------------------


def test_the_wizard_writes_intake_answers_2_with_null_guardian_for_an_adult(
    walker: WizardWalker,
) -> None:
    assert walker.complete().location.endswith("/intake/done")
    answers = only_submission().answers
    assert answers["contract"] == "intake-answers/2"
    assert answers["consent"]["guardian_name"] is None
    assert answers["consent"]["guardian_relationship"] is None
    assert only_submission().evaluation["contract"] == "intake-evaluation/2"


# 1. ASQ: "I'd rather not answer" -----------------------------------------------------------


def test_every_asq_question_offers_rather_not_answer_and_says_why(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="asq")
    html = get_page(walker.client, step_url("asq")).get_data(as_text=True)
    shown = Screen(html)
    for key in ASQ_FIVE:
        assert shown.options(key) == {"yes": "Yes", "no": "No", "declined": RATHER_NOT}
    note = "If you do, a clinician may reach out to check on you, just to be safe."
    assert note in html
    # Near the questions: before the first one.
    assert html.index(note) < html.index('id="wished_dead-field"')


#: (answers posted, support page) → what the spec says follows. Acute = question 5 yes or
#: declined; non-acute = any other yes or declined (a positive screen).
SCREENS = [
    ({"thoughts_of_killing_self": "declined", "thoughts_right_now": "no"}, "calm"),
    ({"wished_dead": "declined", "ever_tried": "declined", "thoughts_right_now": "no"}, "calm"),
    ({"thoughts_right_now": "declined"}, "acute"),
    ({"wished_dead": "declined", "thoughts_right_now": "declined"}, "acute"),
    ({"family_better_off": "yes", "thoughts_right_now": "declined"}, "acute"),
    ({"thoughts_right_now": "no"}, None),
]


@pytest.mark.parametrize(("answers", "page"), SCREENS)
def test_declined_answers_lead_to_the_right_support_page_and_are_kept(
    walker: WizardWalker, answers: dict[str, str], page: str | None
) -> None:
    walker.start()
    walker.walk(until="asq")
    shown = screen(walker.client, "asq")
    assert "thoughts_right_now" in shown.names()  # JavaScript off: question 5 is on the page
    shown.fill(NO_TO_ALL_FOUR)
    for key, value in answers.items():  # a person picks "I'd rather not answer" by its words
        if value == "declined":
            shown.choose_label(key, RATHER_NOT)
        else:
            shown.choose(key, value)
    response = press(walker.client, "asq", shown)
    assert response.status_code == 302
    if page is None:
        assert response.location.endswith(step_url("medications"))
    else:
        assert "/intake/support" in response.location
        support = walker.client.get(response.location).get_data(as_text=True)
        assert (page == "acute") is ('id="support-acute"' in support)
        assert (page == "calm") is ('id="support-calm"' in support)
    assert only_draft().asq_positive is (page is not None)
    assert finish_from(walker, "asq").location.endswith("/intake/done")
    stored = only_submission().answers["asq"]
    assert stored == {**NO_TO_ALL_FOUR, **answers}  # question 5 kept whatever 1-4 say
    expected_flag = {"acute": "suicide_risk_acute", "calm": "suicide_risk"}.get(page or "")
    suicide_flags = [code for code in flags() if code.startswith("suicide_risk")]
    assert suicide_flags == ([expected_flag] if expected_flag else [])
    assert only_submission().urgent is (page is not None)


def test_question_5_is_required_after_a_declined_answer(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="asq")
    response = answer(walker.client, "asq", {**NO_TO_ALL_FOUR, "ever_tried": "declined"})
    assert response.status_code == 422
    assert "Please answer this question." in errors(response)
    assert 'id="thoughts_right_now-error-1"' in response.get_data(as_text=True)
    assert "asq" not in only_draft().data


def test_the_review_page_shows_a_declined_answer_in_the_patients_words(
    walker: WizardWalker,
) -> None:
    walker.start()
    walker.walk(until="asq")
    answers = {**NO_TO_ALL_FOUR, "wished_dead": "declined", "thoughts_right_now": "declined"}
    assert answer(walker.client, "asq", answers).status_code == 302
    for step in ("medications", "treatments", "safety", "preferences", "insurance"):
        assert answer(walker.client, step, TYPED[step]).status_code == 302
    html = get_page(walker.client, step_url("review")).get_data(as_text=True)
    section = html[html.index('id="review-asq"') : html.index('id="review-medications"')]
    section = section.replace("&#39;", "'")
    assert section.count(f"<dd>{RATHER_NOT}</dd>") == 2
    assert "Are you having thoughts of killing yourself right now?" in section


# 2. Support pages: acute and non-acute ------------------------------------------------------


def support_page(walker: WizardWalker, step: str, answers: dict[str, str]) -> str:
    response = answer(walker.client, step, answers)
    assert "/intake/support" in response.location, response.status_code
    return walker.client.get(response.location).get_data(as_text=True)


def test_acute_page_has_every_crisis_line(walker: WizardWalker) -> None:
    """pathway-rules-v2.md: the crisis page as today (988 call, text or chat, 911, press 1 for
    veterans, press 2 for Spanish), for question 5 declined as for yes."""
    walker.start()
    walker.walk(until="asq")
    html = support_page(walker, "asq", {**NO_TO_ALL_FOUR, "thoughts_right_now": "declined"})
    for line in (
        'Call or text <a href="tel:988">988</a>',
        'href="https://988lifeline.org/chat/"',
        'href="tel:911"',
        "Veterans can call 988 and press 1",
        "For help in Spanish, call 988 and press 2",
        "tell the front desk now",
        "You chose not to say if you are having thoughts of killing yourself right now.",
    ):
        assert line in html, line
    assert "You said you are having these thoughts right now" not in html
    assert "sees your answers only once you send this form" in html


@pytest.mark.parametrize(
    ("step", "answers"),
    [
        ("asq", {**NO_TO_ALL_FOUR, "wished_dead": "declined", "thoughts_right_now": "no"}),
        ("asq", {**NO_TO_ALL_FOUR, "wished_dead": "yes", "thoughts_right_now": "no"}),
        ("phq9", {**VALID["phq9"], "item_9": "1"}),
    ],
)
def test_non_acute_page_is_calm(walker: WizardWalker, step: str, answers: dict[str, str]) -> None:
    """Non-acute: thanks, a clinician will want to talk about safety, and if the thoughts get
    stronger or they might act on them, call or text 988 or call 911 now."""
    walker.start()
    walker.walk(until=step)
    html = support_page(walker, step, answers)
    for line in (
        "<h1>Thank you for answering</h1>",
        "a clinician will want to talk with you about your safety",
        "If the thoughts get stronger, or you feel you might act on them, call or text "
        '<a href="tel:988">988</a> or call <a href="tel:911">911</a> now.',
        # The support page can send the answers too (docs/wizard.md, "Sending what you have
        # answered").
        "sees your answers only once you send this form, on its last page or with the button",
    ):
        assert line in html, line
    for alarm in ("Please reach out for support now", "notice danger", "you may be having"):
        assert alarm not in html
    assert "will contact you" not in html  # nobody at the clinic sees an unsent form


def test_support_page_follows_the_answers_now_in_the_draft(walker: WizardWalker) -> None:
    """PHQ-9 item 9 after an acute ASQ answer (the patient went Back): still acute."""
    walker.start()
    walker.walk(until="asq")
    support_page(walker, "asq", {**NO_TO_ALL_FOUR, "thoughts_right_now": "yes"})
    html = support_page(walker, "phq9", {**VALID["phq9"], "item_9": "2"})
    assert 'id="support-acute"' in html
    assert "You said you are having these thoughts right now" in html


@pytest.mark.parametrize(
    ("asq", "acute"),
    [
        ({"wished_dead": "declined", "thoughts_right_now": "no"}, False),
        ({"thoughts_right_now": "declined"}, True),
    ],
)
def test_the_confirmation_reads_right_for_acute_and_non_acute(
    walker: WizardWalker, asq: dict[str, str], acute: bool
) -> None:
    walker.start()
    walker.walk(until="asq")
    assert answer(walker.client, "asq", {**NO_TO_ALL_FOUR, **asq}).status_code == 302
    assert finish_from(walker, "asq").location.endswith("/intake/done")
    html = walker.client.get("/intake/done").get_data(as_text=True)
    # No opening hours are set in the tests: no day is promised (tests/test_clinic.py).
    assert "read your answers as soon as they can" in html
    if acute:
        assert 'id="done-acute"' in html
        assert "we treat it as urgent to keep you safe" in html
        assert "Crisis support now" in html
        assert "A safety check-in with a clinician" not in html
    else:
        assert 'id="done-safety"' in html and 'id="done-acute"' not in html
        assert "A clinician will want to talk with you about your safety" in html
        assert "A safety check-in with a clinician" in html
        assert "Crisis support now" not in html
        assert "you may be having thoughts of suicide" not in html


# 3. The age floor: 12 -------------------------------------------------------------------------


# Ages as (years, days younger), turned into dates when the test runs: dates computed when the
# tests are collected go stale when a run crosses midnight.
@pytest.mark.parametrize(
    ("age", "allowed"),
    [
        ((12, 0), True),  # 12 today
        ((12, 1), False),  # 12 tomorrow
        ((11, 0), False),
        ((5, 0), False),
        ((0, 0), False),  # born today
        ((13, 0), True),
    ],
)
def test_under_12_is_refused_at_the_field_with_the_clinic_phone(
    walker: WizardWalker, app: Flask, age: tuple[int, int], allowed: bool
) -> None:
    born = years_ago(age[0], days=age[1])
    app.config["CLINIC_PHONE"] = CLINIC_PHONE
    walker.start()
    response = answer(walker.client, "about", about_for(born))
    if allowed:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    message = (
        "Sorry, this online form is for people aged 12 and over. "
        f"Please call the clinic at {CLINIC_PHONE}, and we can help you another way."
    )
    assert errors(response) == [message]
    html = response.get_data(as_text=True)
    assert 'id="date_of_birth-error-1"' in html and 'href="#date_of_birth"' in html
    assert Screen(html).shown("date_of_birth") == born.isoformat()  # what was typed stays


def test_without_a_clinic_phone_the_message_says_call_the_clinic(walker: WizardWalker) -> None:
    walker.start()
    response = answer(walker.client, "about", about_for(years_ago(10)))
    assert response.status_code == 422
    assert errors(response) == [
        "Sorry, this online form is for people aged 12 and over. "
        "Please call the clinic, and we can help you another way."
    ]


@pytest.mark.parametrize("button", ["next", "save"])  # step 1 has no Back
def test_nothing_about_an_under_12_is_stored(walker: WizardWalker, button: str) -> None:
    walker.start()
    assert answer(walker.client, "about", VALID["about"], "save").status_code == 302
    before = only_draft()
    data, born = dict(before.data), before.date_of_birth
    young = {**VALID["about"], "first_name": "Kid", "date_of_birth": years_ago(9).isoformat()}
    response = answer(walker.client, "about", young, button)
    assert response.status_code == 422
    after = only_draft()
    assert after.data == data and after.date_of_birth == born  # the draft as it was
    assert "Kid" not in str(after.data)


def test_the_clinic_phone_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import config_from_env

    assert config_from_env({}).CLINIC_PHONE == ""
    assert config_from_env({"INTAKE_CLINIC_PHONE": " 503-555-0199 "}).CLINIC_PHONE == (
        "503-555-0199"
    )


# 4. A parent or guardian in the consent under 18 --------------------------------------------

GUARDIAN = {"guardian_name": "Maria Reyes", "guardian_relationship": "legal_guardian"}


def walk_as(walker: WizardWalker, born: date) -> None:
    """Answer every step up to the review as someone born on ``born``."""
    walker.start()
    assert answer(walker.client, "about", about_for(born)).status_code == 302
    finish = ("concerns", "phq9", "gad7", "asq", "medications", "treatments", "safety")
    for step in (*finish, "preferences", "insurance"):
        assert answer(walker.client, step, TYPED[step]).status_code == 302, step


@pytest.mark.parametrize(
    ("age", "asked"),
    [
        ((12, 0), True),
        ((15, 0), True),
        ((18, 1), True),  # 18 tomorrow
        ((18, 0), False),  # 18 today
        ((40, 0), False),
    ],
)
def test_the_review_step_asks_for_a_guardian_exactly_under_18(
    walker: WizardWalker, age: tuple[int, int], asked: bool
) -> None:
    walk_as(walker, years_ago(age[0], days=age[1]))
    html = get_page(walker.client, step_url("review")).get_data(as_text=True)
    names = Screen(html).names()
    assert ({"guardian_name", "guardian_relationship"} <= names) is asked
    assert ("guardian_name" in names or "guardian_relationship" in names) is asked
    assert ("You are under 18, so a parent or legal guardian" in html) is asked


def test_a_15_year_old_sends_with_a_parent_or_guardian(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(15))
    shown = screen(walker.client, "review")
    # Both answers are required: sending without them is refused at each field.
    response = press(walker.client, "review", shown.fill(VALID["review"]), "submit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="guardian_name-error-1"' in html
    assert 'id="guardian_relationship-error-1"' in html
    assert db.session.scalars(select(Submission)).first() is None
    again = Screen(html)
    assert again.shown("signature") == VALID["review"]["signature"]
    again.fill(GUARDIAN)
    assert press(walker.client, "review", again, "submit").location.endswith("/intake/done")
    consent = only_submission().answers["consent"]
    assert consent["guardian_name"] == "Maria Reyes"
    assert consent["guardian_relationship"] == "legal_guardian"
    assert "guardian_consent" in flags()


def test_the_guardian_choices_are_parent_and_legal_guardian(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(14))
    html = get_page(walker.client, step_url("review")).get_data(as_text=True)
    shown = Screen(html)
    assert shown.options("guardian_relationship") == {
        "parent": "Parent",
        "legal_guardian": "Legal guardian",
    }
    assert "Your parent's or legal guardian's full name" in html.replace("&#39;", "'")


@pytest.mark.parametrize(("name", "ok"), [("M", True), ("M" * 200, True), ("M" * 201, False)])
def test_the_guardian_name_is_1_to_200_characters(walker: WizardWalker, name: str, ok: bool):
    walk_as(walker, years_ago(16))
    response = answer(
        walker.client, "review", {**VALID["review"], **GUARDIAN, "guardian_name": name}, "submit"
    )
    assert (response.status_code == 302) is ok
    if not ok:
        assert any("200 characters or fewer" in e for e in errors(response))


def test_an_adult_can_not_send_guardian_answers(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(30))
    page = get_page(walker.client, step_url("review")).get_data(as_text=True)
    body = Screen(page).fill(VALID["review"]).post_body("submit") + list(GUARDIAN.items())
    response = walker.client.post(step_url("review"), data=MultiDict(body))
    assert response.status_code == 422
    assert "questions it does not ask" in response.get_data(as_text=True)
    assert db.session.scalars(select(Submission)).first() is None


def test_turning_18_by_a_new_birth_date_drops_the_guardian_answers(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(17))
    saved = answer(walker.client, "review", {**VALID["review"], **GUARDIAN}, "save")
    assert saved.status_code == 302
    assert only_draft().data["review"]["guardian_name"] == ["Maria Reyes"]
    # The patient had typed the wrong year: they are 27.
    assert answer(walker.client, "about", about_for(years_ago(27))).status_code == 302
    assert "guardian_name" not in only_draft().data["review"]
    assert "guardian_relationship" not in only_draft().data["review"]
    assert only_draft().data["review"]["signature"] == [VALID["review"]["signature"]]
    shown = screen(walker.client, "review")
    assert "guardian_name" not in shown.names()
    assert press(walker.client, "review", shown, "submit").location.endswith("/intake/done")
    consent = only_submission().answers["consent"]
    assert consent["guardian_name"] is None and consent["guardian_relationship"] is None
    assert "guardian_consent" not in flags()


def test_a_new_birth_date_under_18_makes_the_review_step_ask(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(35))
    assert answer(walker.client, "review", VALID["review"], "save").status_code == 302
    assert answer(walker.client, "about", about_for(years_ago(16))).status_code == 302
    shown = screen(walker.client, "review")
    assert {"guardian_name", "guardian_relationship"} <= shown.names()
    assert shown.shown("signature") == VALID["review"]["signature"]
    assert press(walker.client, "review", shown, "submit").status_code == 422
    shown.fill(GUARDIAN)
    assert press(walker.client, "review", shown, "submit").location.endswith("/intake/done")
    assert only_submission().answers["consent"]["guardian_relationship"] == "legal_guardian"


def test_saved_guardian_answers_are_shown_again_on_the_review_page(walker: WizardWalker) -> None:
    walk_as(walker, years_ago(13))
    assert (
        answer(walker.client, "review", {**VALID["review"], **GUARDIAN}, "save").status_code == 302
    )
    shown = screen(walker.client, "review")
    assert shown.shown("guardian_name") == "Maria Reyes"
    assert shown.shown("guardian_relationship") == "legal_guardian"


def test_a_contract_problem_with_the_guardian_is_shown_at_its_field(
    walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake import answers
    from intake.patient.wizard import problem_location

    assert problem_location("consent.guardian_name") == ("review", "guardian_name")
    assert problem_location("consent.guardian_relationship") == ("review", "guardian_relationship")
    walk_as(walker, years_ago(15))
    monkeypatch.setattr(answers, "GUARDIAN_NAME_MAX", 3)  # the contract only; the form keeps 200
    response = answer(walker.client, "review", {**VALID["review"], **GUARDIAN}, "submit")
    assert response.status_code == 422
    assert step_url("review") + "#guardian_name" in response.get_data(as_text=True)
    assert db.session.scalars(select(Submission)).first() is None


# 5. How long a medicine was taken: 0 to 2600 weeks ------------------------------------------

#: (typed, unit) → stored weeks, or None when refused. 2600 weeks is the contract's limit; a
#: month is 365.25 / 7 / 12 = 4.348 weeks (598 months = 2600.2, 599 = 2604.6) and a year
#: 52.18 weeks (49 years = 2556.8, 50 = 2608.9), rounded to whole weeks.
DURATIONS = [
    ("2600", "weeks", 2600),
    ("2601", "weeks", None),
    ("598", "months", 2600),
    ("599", "months", None),
    ("49", "years", 2557),
    ("50", "years", None),
]
LIMIT_MESSAGES = {
    "weeks": "Please enter a number from 0 to 2600 weeks.",
    "months": "Please enter a number from 0 to 598 months.",
    "years": "Please enter a number from 0 to 49 years.",
}


@pytest.mark.parametrize(("typed", "unit", "weeks"), DURATIONS)
def test_how_long_is_at_most_2600_weeks_said_in_the_unit_chosen(
    walker: WizardWalker, typed: str, unit: str, weeks: int | None
) -> None:
    walker.start()
    walker.walk(until="medications")
    row = {
        "medication_trials-0-name": "sertraline",
        "medication_trials-0-daily_dose_mg": "150",
        "medication_trials-0-weeks": typed,
        "medication_trials-0-duration_unit": unit,
        "medication_trials-0-outcome": "no_improvement",
    }
    response = answer(walker.client, "medications", row)
    if weeks is None:
        assert response.status_code == 422
        assert errors(response) == [LIMIT_MESSAGES[unit]]
        return
    assert response.status_code == 302
    assert finish_from(walker, "medications").location.endswith("/intake/done")
    assert only_submission().answers["medication_trials"][0]["weeks"] == weeks


# Plain words: grade 8 or below (the bar the education text meets) ----------------------------


def _text(html: str) -> str:
    """The words of an HTML fragment as a reader meets them (each block ends a sentence)."""
    import html as html_lib
    import re

    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</(p|li|h1|h2|h3|legend|label|dd|dt)>", ". ", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _element(html: str, element_id: str, tag: str) -> str:
    """The HTML from the element with ``element_id`` to the first ``</tag>`` after it."""
    start = html.rindex("<", 0, html.index(f'id="{element_id}"'))
    return html[start : html.index(f"</{tag}>", start) + len(tag) + 3]


def _main(html: str) -> str:
    return _element(html, "main", "main")


def test_the_new_patient_text_reads_at_grade_8_or_below(walker: WizardWalker, app: Flask):
    """Grade 8 or below, as the education text (tests/rules/test_rules_education.py)."""
    from readability import flesch_kincaid_grade

    app.config["CLINIC_PHONE"] = CLINIC_PHONE
    texts = {}
    walker.start()
    texts["under 12"] = " ".join(errors(answer(walker.client, "about", about_for(years_ago(10)))))
    walk_as(walker, years_ago(15))
    asq = get_page(walker.client, step_url("asq")).get_data(as_text=True)
    texts["asq note"] = _text(_element(asq, "asq-declined-note", "p"))
    calm = {**NO_TO_ALL_FOUR, "wished_dead": "declined", "thoughts_right_now": "no"}
    texts["calm support"] = _text(_main(support_page(walker, "asq", calm)))
    acute = {**NO_TO_ALL_FOUR, "thoughts_right_now": "declined"}
    texts["acute support, declined"] = _text(_main(support_page(walker, "asq", acute)))
    response = answer(walker.client, "asq", calm)
    assert "/intake/support" in response.location
    review = get_page(walker.client, step_url("review")).get_data(as_text=True)
    texts["guardian"] = _text(_element(review, "guardian", "section"))
    sent = answer(walker.client, "review", {**VALID["review"], **GUARDIAN}, "submit")
    assert sent.location.endswith("/intake/done")
    done = walker.client.get("/intake/done").get_data(as_text=True)
    texts["confirmation, non-acute"] = _text(_element(done, "done-safety", "div"))
    for name, text in texts.items():
        assert text
        grade = flesch_kincaid_grade(text)
        assert grade <= 8, (name, round(grade, 1), text)
