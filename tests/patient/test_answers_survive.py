"""What the patient types is what is stored (issue 8): each defect seen in a real browser.

Every test here posts what the *rendered page* would post (:class:`tests.patient.screen.Screen`
reads the form from the HTML), not hand-built form data, and reads back the stored answers
document. Expected values come from what the patient typed, written in the test.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from intake.extensions import db
from intake.models import Draft, Submission
from intake.services import drafts
from tests.patient.helpers import VALID, WizardWalker, get_page, step_url
from tests.patient.screen import Screen


def screen(client: FlaskClient, step: str) -> Screen:
    page = get_page(client, step_url(step))
    assert page.status_code == 200, (step, page.status_code)
    return Screen(page.get_data(as_text=True))


def press(client: FlaskClient, step: str, shown: Screen, button: str = "next") -> Any:
    return client.post(step_url(step), data=MultiDict(shown.post_body(button)))


def stored() -> dict[str, Any]:
    submission = db.session.scalars(select(Submission)).one()
    return submission.answers


def finish(walker: WizardWalker, after: str) -> dict[str, Any]:
    """Answer the steps after ``after`` with valid answers, send, and return the stored document."""
    from intake.forms.patient import STEP_NAMES

    for step in STEP_NAMES[STEP_NAMES.index(after) + 1 : -1]:
        shown = screen(walker.client, step)
        shown.fill({k: v for k, v in VALID[step].items() if k in shown.names()})
        response = press(walker.client, step, shown)
        assert response.status_code == 302, step
    response = press(
        walker.client, "review", screen(walker.client, "review").fill(VALID["review"]), "submit"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return stored()


def med_row(i: int, name: str, dose: str, weeks: str, outcome: str) -> dict[str, str]:
    prefix = f"medication_trials-{i}-"
    return {
        prefix + "name": name,
        prefix + "daily_dose_mg": dose,
        prefix + "weeks": weeks,
        prefix + "outcome": outcome,
    }


# 1. "I still take this medicine" survives redraws --------------------------------------------


def test_current_boxes_ticked_before_and_after_each_redraw_are_stored(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="medications")
    client = walker.client
    # Row 1 typed and ticked, then "Add another medicine" redraws the page.
    shown = screen(client, "medications").fill(med_row(0, "clozapine", "300", "20", "too_early"))
    shown.tick("medication_trials-0-current")
    assert press(client, "medications", shown, "add_row").status_code == 302
    shown = screen(client, "medications")
    assert shown.shown("medication_trials-0-current") is True
    # Row 2 typed but NOT ticked; the redraw after adding row 3 stores it unticked...
    shown.fill(med_row(1, "Adderall", "20", "30", "partial_improvement"))
    assert press(client, "medications", shown, "add_row").status_code == 302
    shown = screen(client, "medications")
    assert shown.shown("medication_trials-1-current") is False
    # ...and the patient ticks it only now, on the redrawn page (the box drawn from "").
    shown.tick("medication_trials-1-current")
    shown.fill(med_row(2, "tramadol", "100", "4", "too_early"))
    shown.tick("medication_trials-2-current")
    assert press(client, "medications", shown, "next").status_code == 302
    # Back to the page and forward again: nothing changes.
    shown = screen(client, "medications")
    assert [shown.shown(f"medication_trials-{i}-current") for i in range(3)] == [True] * 3
    assert press(client, "medications", shown, "next").status_code == 302
    document = finish(walker, "medications")
    assert [m["current"] for m in document["medication_trials"]] == [True, True, True]
    submission = db.session.scalars(select(Submission)).one()
    flags = [f["code"] for f in submission.evaluation["flags"]]
    assert "seizure_threshold_medication" in flags


def test_current_therapy_box_ticked_after_a_redraw_is_stored(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="treatments")
    client = walker.client
    row = {
        "psychotherapy_trials-0-modality": "cbt",
        "psychotherapy_trials-0-sessions": "12",
        "psychotherapy_trials-0-outcome": "ongoing",
    }
    shown = screen(client, "treatments").fill({**VALID["treatments"], **row})
    assert press(client, "treatments", shown, "add_row").status_code == 302
    shown = screen(client, "treatments")
    shown.tick("psychotherapy_trials-0-current")
    shown.fill(
        {
            "psychotherapy_trials-1-modality": "dbt",
            "psychotherapy_trials-1-sessions": "20",
            "psychotherapy_trials-1-outcome": "stopped",
        }
    )
    assert press(client, "treatments", shown, "next").status_code == 302
    document = finish(walker, "treatments")
    assert [t["current"] for t in document["psychotherapy_trials"]] == [True, False]


def test_a_saved_current_box_survives_resume_in_another_browser(
    walker: WizardWalker, app: Flask
) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "sertraline", "150", "10", "too_early")
    )
    assert press(walker.client, "medications", shown, "save").status_code == 302
    draft = db.session.scalars(select(Draft)).one()
    other = app.test_client()
    page = Screen(get_page(other, "/resume").get_data(as_text=True))
    response = other.post(
        "/resume",
        data={
            "csrf_token": page.shown("csrf_token"),
            "code": drafts.display_code(draft.resume_code),
            "date_of_birth": "1985-04-12",
        },
    )
    assert response.status_code == 302
    shown = screen(other, "medications")
    shown.tick("medication_trials-0-current")
    assert press(other, "medications", shown, "next").status_code == 302
    db.session.expire_all()
    saved = db.session.scalars(select(Draft)).one().data["medications"]
    assert saved["medication_trials-0-current"] == ["y"]


# 2. An answer to "right now" is never thrown away (intake-answers/2) -----------------------


@pytest.mark.parametrize(
    ("right_now", "urgent"),
    [("yes", True), ("declined", True), ("no", False)],
)
def test_right_now_after_four_noes_is_stored_as_given(
    walker: WizardWalker, right_now: str, urgent: bool
) -> None:
    """Question 5 is on the page with JavaScript off; yes or declined to it is acute risk."""
    walker.start()
    walker.walk(until="asq")
    shown = screen(walker.client, "asq")
    assert "thoughts_right_now" in shown.names()
    shown.fill({**VALID["asq"], "thoughts_right_now": right_now})
    response = press(walker.client, "asq", shown)
    assert ("/intake/support" in response.location) is urgent
    document = finish(walker, "asq")
    assert document["asq"]["thoughts_right_now"] == right_now
    submission = db.session.scalars(select(Submission)).one()
    assert submission.urgent is urgent
    codes = [flag["code"] for flag in submission.evaluation["flags"]]
    assert ("suicide_risk_acute" in codes) is urgent
    done = walker.client.get("/intake/done").get_data(as_text=True)
    assert ("2 working days" not in done) is urgent


# 3. A decimal comma never multiplies a dose ---------------------------------------------------

DOSES = [
    # (typed, stored) — from the issue: a decimal comma is a decimal point when unambiguous.
    ("37,5", 37.5),
    ("37.5", 37.5),
    ("0,25", 0.25),
    ("100 mg", 100),
    ("100mg", 100),
    ("225 MG", 225),
    ("375", 375),
]


@pytest.mark.parametrize(("typed", "expected"), DOSES)
def test_doses_are_stored_as_typed(walker: WizardWalker, typed: str, expected: float) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "venlafaxine", typed, "8", "no_improvement")
    )
    assert press(walker.client, "medications", shown).status_code == 302
    document = finish(walker, "medications")
    assert document["medication_trials"][0]["daily_dose_mg"] == expected


@pytest.mark.parametrize("typed", ["1,000", "2.500", "1,5,0", "37,5 g", "1.000,5", "½"])
def test_ambiguous_doses_are_refused_at_the_field(walker: WizardWalker, typed: str) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "venlafaxine", typed, "8", "no_improvement")
    )
    response = press(walker.client, "medications", shown)
    assert response.status_code == 422
    again = Screen(response.get_data(as_text=True))
    assert again.shown("medication_trials-0-daily_dose_mg") == typed  # what was typed stays
    html = response.get_data(as_text=True)
    assert "medication_trials-0-daily_dose_mg-error" in html
    assert "medications" not in (db.session.scalars(select(Draft)).one().data or {})


@pytest.mark.parametrize("typed", ["1,000", "1.000", "12 weeks", "-3"])
def test_whole_numbers_with_separators_are_refused(walker: WizardWalker, typed: str) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "venlafaxine", "150", typed, "no_improvement")
    )
    assert press(walker.client, "medications", shown).status_code == 422


@pytest.mark.parametrize(
    ("amount", "unit", "weeks"), [("10", "weeks", 10), ("3", "months", 13), ("15", "years", 783)]
)
def test_how_long_may_be_weeks_months_or_years(
    walker: WizardWalker, amount: str, unit: str, weeks: int
) -> None:
    """Expected weeks: 3 months = 13.04 weeks, 15 years = 782.6 weeks (365.25-day years)."""
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        {
            **med_row(0, "sertraline", "150", amount, "no_improvement"),
            "medication_trials-0-duration_unit": unit,
        }
    )
    assert press(walker.client, "medications", shown).status_code == 302
    assert finish(walker, "medications")["medication_trials"][0]["weeks"] == weeks


# 4. Resume opens the unfinished step ---------------------------------------------------------


@pytest.mark.parametrize("button", ["save", "back"])
def test_resume_opens_a_partly_answered_step(walker: WizardWalker, app: Flask, button: str) -> None:
    walker.start()
    walker.walk(until="phq9")
    shown = screen(walker.client, "phq9").fill({"item_1": "2", "item_2": "1"})
    assert press(walker.client, "phq9", shown, button).status_code == 302
    # "Keep going now" in the same browser.
    assert walker.client.get("/intake/continue").location.endswith(step_url("phq9"))
    # A resume in another browser.
    draft = db.session.scalars(select(Draft)).one()
    other = app.test_client()
    token = Screen(get_page(other, "/resume").get_data(as_text=True)).shown("csrf_token")
    response = other.post(
        "/resume",
        data={
            "csrf_token": token,
            "code": drafts.display_code(draft.resume_code),
            "date_of_birth": "1985-04-12",
        },
    )
    assert response.location.endswith(step_url("phq9"))


# 7. The wizard and the contract agree on the phone ---------------------------------------------


def test_a_35_character_phone_number_is_accepted_by_the_wizard(walker: WizardWalker) -> None:
    phone = "+1 . 503 . 555 . 0100 . 12 . 3 .  4"  # 15 digits, as people space them
    assert len(phone) == 35
    walker.start()
    shown = screen(walker.client, "about").fill({**VALID["about"], "phone": phone})
    assert press(walker.client, "about", shown).status_code == 302
    document = finish(walker, "about")
    assert document["patient"]["phone"] == phone


def test_a_contract_refusal_of_form_valid_answers_is_shown_at_the_field(
    walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the contract ever refuses what the forms accepted, nothing is stored and the review
    page names the step and field (``wizard.problem_location``)."""
    from intake import answers

    walker.start()
    walker.walk(until="review")
    monkeypatch.setattr(answers, "NAME_MAX", 3)  # the contract only; the forms keep 100
    response = press(
        walker.client, "review", screen(walker.client, "review").fill(VALID["review"]), "submit"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert step_url("about") + "?from=review#last_name" in html
    assert db.session.scalars(select(Submission)).first() is None


# Plausibility without loss: a dose above the usual maximum is confirmed, not refused ----------


def test_a_dose_above_the_usual_maximum_asks_to_confirm_then_keeps_it(
    walker: WizardWalker,
) -> None:
    """1000 mg sertraline (usual highest daily dose 200 mg) is checked with the patient."""
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "Zoloft", "1000", "8", "no_improvement")
    )
    assert "medication_trials-0-dose_confirmed" not in shown.names()
    response = press(walker.client, "medications", shown)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "more than the usual highest daily dose" in html
    again = Screen(html)
    assert again.shown("medication_trials-0-daily_dose_mg") == "1000"
    again.tick("medication_trials-0-dose_confirmed")
    assert press(walker.client, "medications", again).status_code == 302
    assert finish(walker, "medications")["medication_trials"][0]["daily_dose_mg"] == 1000


@pytest.mark.parametrize(("name", "dose"), [("sertraline", "200"), ("unknown pill", "2500")])
def test_a_usual_or_unknown_dose_needs_no_confirmation(
    walker: WizardWalker, name: str, dose: str
) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(med_row(0, name, dose, "8", "too_early"))
    assert press(walker.client, "medications", shown).status_code == 302


def test_every_dose_maximum_names_a_catalogued_medicine() -> None:
    from intake.rules.doses import known_generics, usual_maximum

    for generic in known_generics():
        assert usual_maximum(generic) is not None, generic


def test_a_confirmed_dose_changed_afterwards_is_checked_again(walker: WizardWalker) -> None:
    """The confirmation is for 1000 mg sertraline; 3000 mg, or 1000 mg of another medicine,
    is a new answer and asks again (review finding)."""
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        med_row(0, "sertraline", "1000", "8", "no_improvement")
    )
    again = Screen(press(walker.client, "medications", shown).get_data(as_text=True))
    again.tick("medication_trials-0-dose_confirmed")
    assert press(walker.client, "medications", again).status_code == 302
    for changes in (
        {"medication_trials-0-daily_dose_mg": "3000"},
        {"medication_trials-0-name": "escitalopram"},
    ):
        shown = screen(walker.client, "medications")
        assert shown.shown("medication_trials-0-dose_confirmed") is True
        shown.fill(changes)
        response = press(walker.client, "medications", shown)
        assert response.status_code == 422, changes
        assert "more than the usual highest daily dose" in response.get_data(as_text=True)


def test_remove_removes_the_row_whose_button_was_pressed(walker: WizardWalker) -> None:
    """Rows A, (emptied), C: "Remove medicine 3" removes C, not nothing (review finding)."""
    walker.start()
    walker.walk(until="medications")
    client = walker.client
    shown = screen(client, "medications").fill(med_row(0, "sertraline", "100", "8", "too_early"))
    press(client, "medications", shown, "add_row")
    shown = screen(client, "medications").fill(med_row(1, "bupropion", "300", "8", "too_early"))
    press(client, "medications", shown, "add_row")
    shown = screen(client, "medications")
    shown.fill(med_row(1, "", "", "", ""))  # the patient empties row 2...
    shown.fill(med_row(2, "fluoxetine", "20", "8", "too_early"))  # ...types row 3
    assert press(client, "medications", shown, "remove_row-2").status_code == 302
    shown = screen(client, "medications")
    names = [shown.shown(name) for name in sorted(shown.names()) if name.endswith("-name")]
    assert names == ["sertraline"]


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("medication_trials-0-weeks", "9" * 310),
        ("medication_trials-0-weeks", "9" * 5000),
        ("medication_trials-0-daily_dose_mg", "9" * 400),
        ("medication_trials-0-daily_dose_mg", "1,0000"),
        ("medication_trials-0-daily_dose_mg", "012,500"),
    ],
)
@pytest.mark.parametrize("button", ["next", "save"])
def test_huge_or_unclear_numbers_get_a_message_not_a_500(
    walker: WizardWalker, field: str, typed: str, button: str
) -> None:
    walker.start()
    walker.walk(until="medications")
    shown = screen(walker.client, "medications").fill(
        {**med_row(0, "sertraline", "100", "8", "too_early"), field: typed}
    )
    response = press(walker.client, "medications", shown, button)
    assert response.status_code == 422
    assert f'id="{field}-error-1"' in response.get_data(as_text=True)


def test_a_tab_in_other_medicines_is_refused_at_the_field(walker: WizardWalker) -> None:
    """The contract refuses a tab in a medicine's name; the step must say so, not the send."""
    walker.start()
    walker.walk(until="treatments")
    shown = screen(walker.client, "treatments").fill(
        {k: v for k, v in VALID["treatments"].items() if "-1-" not in k}
    )
    shown.fill({"other_medications": "lisinopril\t10 mg\nmetformin"})
    response = press(walker.client, "treatments", shown)
    assert response.status_code == 422
    assert 'id="other_medications-error-1"' in response.get_data(as_text=True)
