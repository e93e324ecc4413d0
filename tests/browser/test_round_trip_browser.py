"""What the patient types is what the clinic reads (issue 8), checked end to end in a browser.

The unit tests post what a page *would* send; this test types and clicks like a person on a
phone, with JavaScript on and off, through every step of the wizard: accented names, a decimal
comma, a duration in years, "still taking" boxes ticked before and after the page redraws,
Back and forward again, a crisis answer, a half-answered step saved and resumed in another
browser. Then it reads the stored answers document and compares it, field by field, with a
table of what was typed, written here by hand (never derived from the app's own code).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.models import Submission

pytestmark = pytest.mark.browser

FIRST, LAST = "José", "Núñez-O’Brien"
BIRTH_DATE = "1990-03-07"
BIRTH_DATE_TYPED = "03071990"  # what a person types into Chromium's mm/dd/yyyy date box
PHQ9 = [2, 3, 2, 2, 1, 2, 1, 1, 0]  # item 9 ("better off dead") is "Not at all"
GAD7 = [1, 2, 1, 1, 0, 1, 2]
FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
SAFETY_KEYS = [
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "metal_in_head",
    "cochlear_implant",
    "implanted_neurostimulator",
    "cardiac_device",
    "medication_pump",
    "hearing_problems",
    "frequent_headaches",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
]


def expected_answers(javascript: bool) -> dict[str, Any]:
    """The stored document we expect, written from what the test types below."""
    return {
        "patient": {
            "first_name": FIRST,
            "last_name": LAST,
            "date_of_birth": BIRTH_DATE,
            "email": "jose.nunez@example.org",
            "phone": "+1 503 555 0142",
            # English: the pages follow the language answer, and this walk reads English
            # labels (the Spanish walk: test_spanish_browser.py).
            "preferred_language": "en",
            "preferred_contact": "text",
        },
        "concerns": {
            "primary": "depression",
            "other_description": None,
            "episode_months": 14,
            "psychotic_symptoms": "no",
            "mania_history": "no",
            "bipolar_diagnosis": "no",
        },
        "phq9": {"items": PHQ9, "difficulty": "very_difficult"},
        "gad7": {"items": GAD7},
        "asq": {
            # With JavaScript on, question 5 only appears after a yes (see answer_asq).
            "wished_dead": "yes" if javascript else "no",
            "family_better_off": "no",
            "thoughts_of_killing_self": "no",
            "ever_tried": "no",
            "thoughts_right_now": "yes",
        },
        "medication_trials": [
            {
                "name": "venlafaxine",
                "daily_dose_mg": 37.5,  # typed "37,5"
                "weeks": 10,
                "outcome": "partial_improvement",
                "current": True,
            },
            {
                "name": "clozapine",
                "daily_dose_mg": 300,  # typed "300 mg"
                "weeks": 104,  # typed "2" years: round(2 * 365.25 / 7)
                "outcome": "no_improvement",
                "current": True,  # ticked only after the redraw
            },
            {
                "name": "tramadol",
                "daily_dose_mg": 100,
                "weeks": 4,
                "outcome": "too_early",
                "current": True,
            },
        ],
        "psychotherapy_trials": [
            {"modality": "cbt", "sessions": 12, "outcome": "partial_improvement", "current": True},
            {"modality": "dbt", "sessions": 20, "outcome": "stopped", "current": False},
        ],
        "neuromodulation": {"tms": "none", "ect": "none", "ketamine": "none"},
        "other_medications": ["lisinopril", "metformin"],
        "safety_screen": {**dict.fromkeys(SAFETY_KEYS, "no"), "pregnant": "not_applicable"},
        "preferences": {
            "open_to_tms": "yes",
            "open_to_psychotherapy": "yes",
            "open_to_medication_changes": "unsure",
            "can_attend_daily_sessions": "yes",
        },
        "insurance": {
            "coverage_type": "commercial",
            "payer_name": "Acme Health",
            "member_id": "XYZ123456",
            "group_number": "G-77",
            "subscriber_relationship": "self",
            "subscriber_name": None,
            "subscriber_date_of_birth": None,
        },
        "consent": {
            "understands_educational_only": True,
            "agrees_to_contact": True,
            "signature": f"{FIRST} {LAST}",
            # An adult names no guardian (intake-answers/2: null unless under 18).
            "guardian_name": None,
            "guardian_relationship": None,
        },
    }


# Small helpers: how a person answers ----------------------------------------------------------


def type_into(field, text: str) -> None:
    """Click a box and type, key by key."""
    field.click()
    field.press_sequentially(text)


def choose(page, question: str | re.Pattern[str], answer: str) -> None:
    """Click the answer in the group of radio buttons whose question (legend) matches."""
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def press(page, button: str, url: str) -> None:
    """Press a button by its visible name and wait for the next page."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(url)


def row(page, legend: str):
    """One repeating row (a fieldset such as "Medicine 2")."""
    return page.get_by_role("group", name=legend, exact=True)


def type_birth_date(field) -> None:
    field.focus()  # the month part of Chromium's date box
    field.page.keyboard.type(BIRTH_DATE_TYPED)
    assert field.input_value() == BIRTH_DATE


# The steps -----------------------------------------------------------------------------------


def answer_about(page) -> None:
    type_into(page.get_by_label("First name"), FIRST)
    type_into(page.get_by_label("Last name"), LAST)
    type_birth_date(page.get_by_label("Date of birth"))
    type_into(page.get_by_label("Email address"), "jose.nunez@example.org")
    type_into(page.get_by_label("Phone number"), "+1 503 555 0142")
    choose(page, "Which language do you prefer?", "English")
    choose(page, "How should the clinic contact you?", "Text message")
    press(page, "Next", "**/intake/step/concerns")


def answer_concerns(page) -> None:
    choose(page, "What would you most like help with?", "Depression (low mood)")
    type_into(page.get_by_label("How many months have you been feeling this way"), "14")
    choose(page, "heard or seen things", "No")
    choose(page, "so high or full of energy", "No")
    choose(page, "told you that you have bipolar disorder", "No")
    press(page, "Next", "**/intake/step/phq9")


def answer_frequencies(page, scores: list[int]) -> None:
    for number, score in enumerate(scores, start=1):
        choose(page, re.compile(rf"^{number}\. "), FREQUENCY[score])


def answer_asq(page, javascript: bool) -> None:
    if javascript:
        # The script hides question 5 until a "yes" (or "I'd rather not answer") to one of
        # questions 1-4, so a person with JavaScript cannot answer it after four noes: this
        # run says yes to question 1 too.
        assert not page.get_by_role("group", name="right now").is_visible()
        choose(page, "have you wished you were dead", "Yes")
    else:
        # Without JavaScript question 5 is on the page: four noes and a yes "right now".
        choose(page, "have you wished you were dead", "No")
    choose(page, "better off if you were dead", "No")
    choose(page, "thoughts about killing yourself", "No")
    choose(page, "ever tried to kill yourself", "No")
    choose(page, "thoughts of killing yourself right now", "Yes")
    press(page, "Next", "**/intake/support**")
    assert "right now" in page.locator(".crisis-now").inner_text()


def fill_medicine(page, legend: str, name: str, dose: str, amount: str, unit: str, outcome: str):
    medicine = row(page, legend)
    type_into(medicine.get_by_label("Medicine name"), name)
    type_into(medicine.get_by_label("Highest dose per day"), dose)
    type_into(medicine.get_by_label("How long did you take it?"), amount)
    medicine.get_by_label("Weeks, months or years").select_option(label=unit)
    medicine.get_by_label("How did it go?").select_option(label=outcome)
    return medicine


def still_taking(page, legend: str):
    return row(page, legend).get_by_label("I still take this medicine")


def answer_medicines(page, screenshot, assert_accessible, mode: str) -> None:
    fill_medicine(page, "Medicine 1", "venlafaxine", "37,5", "10", "weeks", "It helped a little")
    still_taking(page, "Medicine 1").check()  # ticked before the redraw
    press(page, "Add another medicine", "**/intake/step/medications**")
    assert still_taking(page, "Medicine 1").is_checked()
    fill_medicine(page, "Medicine 2", "clozapine", "300 mg", "2", "years", "It did not help")
    press(page, "Add another medicine", "**/intake/step/medications**")
    assert not still_taking(page, "Medicine 2").is_checked()
    still_taking(page, "Medicine 2").check()  # ticked only on the redrawn page
    fill_medicine(page, "Medicine 3", "tramadol", "100", "4", "weeks", "Too early to tell")
    still_taking(page, "Medicine 3").check()
    screenshot(page, f"round-trip-{mode}-medicines")
    assert_accessible(page, "medicines with three rows", strict=True)
    press(page, "Next", "**/intake/step/treatments")
    # Back from the next step, and the three boxes are still ticked.
    press(page, "Back", "**/intake/step/medications")
    for legend in ("Medicine 1", "Medicine 2", "Medicine 3"):
        assert still_taking(page, legend).is_checked(), legend
    assert row(page, "Medicine 1").get_by_label("Highest dose per day").input_value() == "37,5"
    press(page, "Next", "**/intake/step/treatments")


def answer_treatments(page) -> None:
    therapy = row(page, "Therapy 1")
    therapy.get_by_label("Type of therapy").select_option(
        label="CBT (cognitive behavioural therapy)"
    )
    type_into(therapy.get_by_label("About how many sessions?"), "12")
    therapy.get_by_label("How did it go?").select_option(label="It helped a little")
    press(page, "Add another therapy", "**/intake/step/treatments**")
    row(page, "Therapy 1").get_by_label("I am still having this therapy").check()
    therapy = row(page, "Therapy 2")
    therapy.get_by_label("Type of therapy").select_option(
        label="DBT (dialectical behaviour therapy)"
    )
    type_into(therapy.get_by_label("About how many sessions?"), "20")
    therapy.get_by_label("How did it go?").select_option(label="I stopped early")
    for treatment in ("TMS (", "ECT (", "Ketamine or esketamine"):
        choose(page, treatment, "I have not had it")
    type_into(page.get_by_label("Other medicines you take now"), "lisinopril\nmetformin")
    press(page, "Next", "**/intake/step/safety")


SAFETY_FIRST_THREE = ("seizure or convulsion", "close family", "fainted or passed out")


def answer_safety_partly(page) -> None:
    for question in SAFETY_FIRST_THREE:
        choose(page, question, "No")
    press(page, "Save and finish later", "**/intake/saved")


def finish_safety(page) -> None:
    for question in SAFETY_FIRST_THREE:  # kept from before the save
        group = page.get_by_role("group", name=question)
        assert group.get_by_label("No", exact=True).is_checked(), question
    questions = page.locator("#step-form").get_by_role("group")
    assert questions.count() == len(SAFETY_KEYS) + 1
    for index in range(3, len(SAFETY_KEYS)):
        questions.nth(index).get_by_label("No", exact=True).check()
    choose(page, "could you be pregnant", "Does not apply to me")
    press(page, "Next", "**/intake/step/preferences")


def answer_preferences(page) -> None:
    choose(page, "Would you consider TMS treatment?", "Yes")
    choose(page, "talk therapy", "Yes")
    choose(page, "starting or changing a medicine", "Not sure")
    choose(page, "most weekdays", "Yes")
    press(page, "Next", "**/intake/step/insurance")


def answer_insurance(page) -> None:
    choose(page, "How will you pay for care?", "Health insurance from work or that I bought")
    type_into(page.get_by_label("Insurance company name"), "Acme Health")
    type_into(page.get_by_label("Member ID"), "XYZ123456")
    type_into(page.get_by_label("Group number"), "G-77")
    choose(page, "Whose name is the insurance in?", "Mine")
    press(page, "Next: review your answers", "**/intake/step/review")


def send(page) -> None:
    page.get_by_label("I understand that this form gives general").check()
    page.get_by_label("The clinic may contact me").check()
    type_into(page.get_by_label("Type your full name as your signature"), f"{FIRST} {LAST}")
    press(page, "Send my answers", "**/intake/done")


# Reading it back ----------------------------------------------------------------------------


MISSING = "(nothing)"


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every field of a document as {"medication_trials[1].weeks": 104, ...}."""
    if isinstance(value, dict):
        return {k: v for key, sub in value.items() for k, v in leaves(sub, f"{path}.{key}").items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        out = {f"{path}.length": len(value)}
        for index, sub in enumerate(value):
            out.update(leaves(sub, f"{path}[{index}]"))
        return out
    return {path.lstrip("."): value}


def differences(expected: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Each field where the stored document differs from the table, in the sections tabled."""
    want = leaves(expected)
    have = leaves({section: stored.get(section) for section in expected})
    out = []
    for path in sorted(want.keys() | have.keys()):
        typed, kept = want.get(path, MISSING), have.get(path, MISSING)
        # True == 1 in Python: a tick box must come back as a real True or False.
        if typed != kept or isinstance(typed, bool) != isinstance(kept, bool):
            out.append(f"{path}: typed {typed!r}, stored {kept!r}")
    return out


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_what_the_patient_types_is_what_the_clinic_reads(
    live_server, new_page, screenshot, assert_accessible, javascript
) -> None:
    mode = "js" if javascript else "nojs"
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    press(page, "Start the form", "**/intake/step/about")
    answer_about(page)
    screenshot(page, f"round-trip-{mode}-concerns")
    answer_concerns(page)
    answer_frequencies(page, PHQ9)
    choose(page, "how difficult have these problems made it", "Very difficult")
    press(page, "Next", "**/intake/step/gad7")
    answer_frequencies(page, GAD7)
    press(page, "Next", "**/intake/step/asq")
    answer_asq(page, javascript)
    screenshot(page, f"round-trip-{mode}-crisis-support")
    page.get_by_role("link", name="Continue the form").click()
    page.wait_for_url("**/intake/step/medications")
    answer_medicines(page, screenshot, assert_accessible, mode)
    answer_treatments(page)
    answer_safety_partly(page)
    code = page.locator("#resume-code").inner_text()

    # Another phone: no session, only the resume code and the date of birth.
    other = new_page(javascript=javascript)
    other.goto(live_server + "/resume")
    type_into(other.get_by_label("Resume code"), code)
    type_birth_date(other.get_by_label("Your date of birth"))
    press(other, "Open my form", "**/intake/step/**")
    assert other.url.endswith("/intake/step/safety"), other.url  # the half-answered step
    screenshot(other, f"round-trip-{mode}-resumed-safety")
    finish_safety(other)
    answer_preferences(other)
    answer_insurance(other)
    screenshot(other, f"round-trip-{mode}-review")
    assert_accessible(other, "review", strict=True)
    send(other)

    submission = db.session.scalars(select(Submission)).one()
    assert submission.reference in other.content()
    problems = differences(expected_answers(javascript), submission.answers)
    assert not problems, "stored answers differ from what was typed:\n" + "\n".join(problems)
    assert submission.urgent is True
    flags = [flag["code"] for flag in submission.evaluation["flags"]]
    assert flags[0] == "suicide_risk_acute", flags
    assert "seizure_threshold_medication" in flags, flags


def test_review_shows_a_yes_right_now_after_four_noes(live_server, new_page) -> None:
    """With JavaScript off, "yes, right now" after four noes is stored (checked above), so
    the review page, where the patient checks what the clinic will read, should show it."""
    page = new_page(javascript=False)
    page.goto(live_server + "/")
    press(page, "Start the form", "**/intake/step/about")
    answer_about(page)
    answer_concerns(page)
    answer_frequencies(page, PHQ9)
    choose(page, "how difficult have these problems made it", "Very difficult")
    press(page, "Next", "**/intake/step/gad7")
    answer_frequencies(page, GAD7)
    press(page, "Next", "**/intake/step/asq")
    answer_asq(page, javascript=False)
    page.goto(live_server + "/intake/step/review")
    asq = page.locator("#review-asq")
    assert "Are you having thoughts of killing yourself right now?" in asq.inner_text()
