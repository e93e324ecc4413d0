"""Each wizard step's form: valid input, every invalid case, conditional questions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from intake.answers import parse_answers
from intake.forms.base import formdata_from
from intake.forms.patient import STEP_FORMS, STEP_NAMES
from tests.patient.helpers import VALID


def make(app: Flask, step: str, data: dict[str, Any], *, partial: bool = False):
    """Validate ``data`` with the step's form; returns (ok, form)."""
    formdata = MultiDict(data)
    with app.test_request_context(method="POST", data=data):
        form = STEP_FORMS[step](formdata=formdata, meta={"csrf": False})
        ok = form.validate_step(partial=partial, formdata=formdata)
    return ok, form


def changed(step: str, **values: str | None) -> dict[str, str]:
    data = dict(VALID[step])
    for key, value in values.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def error_of(form, name: str) -> list[str]:
    if "-" in name:
        rows, index, sub = name.split("-")
        return form[rows].entries[int(index)].form[sub].errors
    return form[name].errors


@pytest.mark.parametrize("step", STEP_NAMES)
def test_valid_answers_pass(app: Flask, step: str) -> None:
    ok, form = make(app, step, VALID[step])
    assert ok, form.errors


def test_all_steps_together_make_a_valid_contract_document(app: Flask) -> None:
    document: dict[str, Any] = {"contract": "intake-answers/2"}
    for step in STEP_NAMES:
        ok, form = make(app, step, VALID[step])
        assert ok
        document.update(form.answers())
    parsed = parse_answers(document, date(2026, 11, 1))
    assert parsed["patient"]["first_name"] == "Ana"
    assert parsed["medication_trials"][1] == {
        "name": "Effexor XR",
        "daily_dose_mg": None,
        "weeks": 8,
        "outcome": "partial_improvement",
        "current": True,
    }
    assert parsed["other_medications"] == ["lisinopril", "metformin"]
    assert parsed["phq9"]["items"] == [2, 3, 2, 2, 2, 2, 2, 2, 0]
    assert parsed["asq"]["thoughts_right_now"] is None
    # An adult's consent names no guardian (intake-answers/2: null unless under 18).
    assert parsed["consent"]["guardian_name"] is None
    assert parsed["consent"]["guardian_relationship"] is None


@pytest.mark.parametrize(
    ("step", "name"),
    [(step, name) for step in STEP_NAMES for name in VALID[step] if name.count("-") == 0],
)
def test_every_required_answer_is_required(app: Flask, step: str, name: str) -> None:
    optional = {"email", "phone", "group_number", "other_medications", "agrees_to_contact"}
    ok, form = make(app, step, changed(step, **{name: None}))
    if name in optional:
        assert ok or name == "email", form.errors  # email: the contact method needs it
    else:
        assert not ok
        assert form[name].errors


@pytest.mark.parametrize("step", STEP_NAMES)
def test_partial_mode_accepts_missing_answers(app: Flask, step: str) -> None:
    ok, form = make(app, step, {}, partial=True)
    assert ok, form.errors


def test_partial_mode_still_rejects_malformed_answers(app: Flask) -> None:
    ok, form = make(app, "about", {"date_of_birth": "yesterday"}, partial=True)
    assert not ok
    assert form.date_of_birth.errors == ["Please enter a real date, like 1985-04-12."]


def test_strings_are_trimmed(app: Flask) -> None:
    ok, form = make(app, "about", changed("about", first_name="  Ana  "))
    assert ok and form.answers()["patient"]["first_name"] == "Ana"


# About you ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message_part"),
    [
        ({"first_name": "x" * 101}, "first_name", "100 characters or fewer"),
        ({"last_name": "   "}, "last_name", "Please answer"),
        ({"date_of_birth": "12/31/1899"}, "date_of_birth", "over 120"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "1985-02-30"}, "date_of_birth", "real date"),
        ({"email": "not-an-email"}, "email", "email address like"),
        ({"email": None}, "email", "give your email"),
        ({"phone": "12"}, "phone", "7 to 15 digits"),
        ({"preferred_contact": "text", "phone": ""}, "phone", "give your phone"),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "options shown"),
        ({"preferred_language": "fr"}, "preferred_language", "options shown"),
    ],
)
def test_about_invalid(app: Flask, values: dict, field: str, message_part: str) -> None:
    ok, form = make(app, "about", changed("about", **values))
    assert not ok
    assert any(message_part in e for e in form[field].errors), form[field].errors


def test_about_accepts_us_date_format(app: Flask) -> None:
    ok, form = make(app, "about", changed("about", date_of_birth="04/12/1985"))
    assert ok and form.answers()["patient"]["date_of_birth"] == "1985-04-12"


def test_about_email_optional_for_phone_contact(app: Flask) -> None:
    ok, form = make(app, "about", changed("about", email="", preferred_contact="phone"))
    assert ok and form.answers()["patient"]["email"] is None


# What brings you here -------------------------------------------------------------------


def test_other_description_only_when_other(app: Flask) -> None:
    ok, form = make(app, "concerns", changed("concerns", other_description="secret"))
    assert ok
    assert "other_description" not in form.snapshot()
    assert form.answers()["concerns"]["other_description"] is None


def test_other_description_required_for_other(app: Flask) -> None:
    ok, form = make(app, "concerns", changed("concerns", primary="other"))
    assert not ok and form.other_description.errors
    ok, form = make(app, "concerns", changed("concerns", primary="other", other_description="x"))
    assert ok and form.snapshot()["other_description"] == ["x"]
    ok, form = make(
        app, "concerns", changed("concerns", primary="other", other_description="x" * 501)
    )
    assert not ok


@pytest.mark.parametrize("months", ["-1", "601", "twelve", "1.5"])
def test_episode_months_bounds(app: Flask, months: str) -> None:
    ok, form = make(app, "concerns", changed("concerns", episode_months=months))
    assert not ok and form.episode_months.errors


# PHQ-9, GAD-7 ----------------------------------------------------------------------------


def test_phq9_item_out_of_range(app: Flask) -> None:
    ok, form = make(app, "phq9", changed("phq9", item_4="4"))
    assert not ok and form.item_4.errors == ["Please choose one of the options shown."]


def test_phq9_difficulty_needed_only_with_a_problem(app: Flask) -> None:
    ok, form = make(app, "phq9", changed("phq9", difficulty=None))
    assert not ok and form.difficulty.errors
    zeros = {f"item_{n}": "0" for n in range(1, 10)}
    ok, form = make(app, "phq9", zeros)
    assert ok and form.answers()["phq9"]["difficulty"] is None


def test_phq9_item9_positive(app: Flask) -> None:
    _ok, form = make(app, "phq9", changed("phq9", item_9="1"))
    assert form.item9_positive()


def test_questionnaires_use_published_wording(app: Flask) -> None:
    _ok, phq = make(app, "phq9", VALID["phq9"])
    assert phq.item_1.label.text == "1. Little interest or pleasure in doing things"
    assert "No permission required to reproduce" in phq.attribution
    _ok, asq = make(app, "asq", VALID["asq"])
    assert asq.wished_dead.label.text == "In the past few weeks, have you wished you were dead?"
    assert "National Institute of Mental Health" in asq.attribution


def test_gad7_missing_item(app: Flask) -> None:
    ok, form = make(app, "gad7", changed("gad7", item_7=None))
    assert not ok and form.item_7.errors


# ASQ ---------------------------------------------------------------------------------------


#: What intake-answers/2 says about question 5, one row per case (pathway-rules-v2.md): its
#: answer is "yes", "no", "declined", or none; it is required when any of 1-4 is yes or
#: declined; it may be answered whatever they say, and an answer is never dropped.
#: (questions 1-4, question 5 as posted) → (valid, stored question 5)
ASQ_CASES = [
    (("no", "no", "no", "no"), None, True, None),
    (("no", "no", "no", "no"), "no", True, "no"),
    (("no", "no", "no", "no"), "yes", True, "yes"),
    (("no", "no", "no", "no"), "declined", True, "declined"),
    (("yes", "no", "no", "no"), None, False, None),
    (("yes", "no", "no", "no"), "no", True, "no"),
    (("no", "declined", "no", "no"), None, False, None),
    (("no", "declined", "no", "no"), "no", True, "no"),
    (("no", "no", "declined", "no"), "declined", True, "declined"),
    (("declined", "declined", "declined", "declined"), "declined", True, "declined"),
    (("no", "no", "no", "yes"), "yes", True, "yes"),
]
ASQ_KEYS = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")


@pytest.mark.parametrize(("first_four", "right_now", "valid", "stored"), ASQ_CASES)
def test_asq_question_5_by_the_contract(
    app: Flask, first_four: tuple[str, ...], right_now: str | None, valid: bool, stored: str | None
) -> None:
    data = dict(zip(ASQ_KEYS, first_four, strict=True))
    if right_now is not None:
        data["thoughts_right_now"] = right_now
    ok, form = make(app, "asq", data)
    assert ok is valid, form.errors
    if not valid:
        assert form.thoughts_right_now.errors == ["Please answer this question."]
        return
    assert form.answers()["asq"] == {**data, "thoughts_right_now": stored}
    snapshot = form.snapshot()
    assert snapshot.get("thoughts_right_now") == ([stored] if stored else None)


#: (questions 1-4, question 5) → (the support page follows, acute risk): a yes or a declined
#: answer to 1-4 is a positive screen; a yes or declined to 5 is acute (pathway-rules-v2.md).
SUPPORT_CASES = [
    (("no", "no", "no", "no"), None, False, False),
    (("no", "no", "no", "no"), "no", False, False),
    (("yes", "no", "no", "no"), "no", True, False),
    (("no", "no", "no", "declined"), "no", True, False),
    (("no", "no", "no", "no"), "yes", True, True),
    (("no", "no", "no", "no"), "declined", True, True),
    (("declined", "no", "no", "no"), "declined", True, True),
]


@pytest.mark.parametrize(("first_four", "right_now", "support", "acute"), SUPPORT_CASES)
def test_asq_support_and_acute_risk(
    app: Flask, first_four: tuple[str, ...], right_now: str | None, support: bool, acute: bool
) -> None:
    data = dict(zip(ASQ_KEYS, first_four, strict=True))
    if right_now is not None:
        data["thoughts_right_now"] = right_now
    ok, form = make(app, "asq", data)
    assert ok
    assert form.needs_support() is support
    assert form.acute() is acute


def test_asq_offers_rather_not_answer_on_every_question(app: Flask) -> None:
    _ok, form = make(app, "asq", VALID["asq"])
    for key in (*ASQ_KEYS, "thoughts_right_now"):
        assert [(c.value, c.label) for c in form[key].choices] == [
            ("yes", "Yes"),
            ("no", "No"),
            ("declined", "I'd rather not answer"),
        ]


def test_asq_rejects_unsure(app: Flask) -> None:
    ok, _form = make(app, "asq", changed("asq", wished_dead="unsure"))
    assert not ok


def test_asq_refuses_an_unknown_right_now_answer_even_when_not_asked(app: Flask) -> None:
    ok, form = make(app, "asq", changed("asq", thoughts_right_now="maybe"))
    assert not ok and form.thoughts_right_now.errors


# Medications -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("medication_trials-0-daily_dose_mg", "0"),
        ("medication_trials-0-daily_dose_mg", "3001"),
        ("medication_trials-0-daily_dose_mg", "lots"),
        ("medication_trials-0-daily_dose_mg", "nan"),
        ("medication_trials-0-weeks", "6263"),
        ("medication_trials-0-weeks", "2.5"),
        ("medication_trials-0-name", "x" * 101),
        ("medication_trials-0-outcome", "cured"),
        ("medication_trials-0-weeks", ""),
    ],
)
def test_medication_row_invalid(app: Flask, field: str, value: str) -> None:
    ok, form = make(app, "medications", changed("medications", **{field: value}))
    assert not ok
    assert error_of(form, field)


def test_medication_blank_rows_are_ignored(app: Flask) -> None:
    data = {**VALID["medications"], "medication_trials-5-name": "", "medication_trials-5-weeks": ""}
    ok, form = make(app, "medications", data)
    assert ok and len(form.answers()["medication_trials"]) == 2


def test_no_medications_is_fine(app: Flask) -> None:
    ok, form = make(app, "medications", {})
    assert ok and form.answers() == {"medication_trials": []}


def test_at_most_30_medications(app: Flask) -> None:
    rows = {}
    for i in range(31):
        rows |= {
            f"medication_trials-{i}-name": f"med{i}",
            f"medication_trials-{i}-weeks": "6",
            f"medication_trials-{i}-outcome": "no_improvement",
        }
    ok, form = make(app, "medications", rows)
    assert not ok and form.form_errors
    del rows["medication_trials-30-name"], rows["medication_trials-30-weeks"]
    del rows["medication_trials-30-outcome"]
    ok, form = make(app, "medications", rows)
    assert ok and len(form.answers()["medication_trials"]) == 30


# Treatments ------------------------------------------------------------------------------


def test_other_medications_limits(app: Flask) -> None:
    many = "\n".join(f"m{i}" for i in range(51))
    ok, form = make(app, "treatments", changed("treatments", other_medications=many))
    assert not ok and form.other_medications.errors
    ok, form = make(app, "treatments", changed("treatments", other_medications="x" * 101))
    assert not ok


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("psychotherapy_trials-0-sessions", "1001"),
        ("psychotherapy_trials-0-modality", "hypnosis"),
        ("psychotherapy_trials-0-outcome", ""),
        ("tms", "maybe"),
    ],
)
def test_treatments_invalid(app: Flask, field: str, value: str) -> None:
    ok, form = make(app, "treatments", changed("treatments", **{field: value}))
    assert not ok and error_of(form, field)


def test_at_most_20_therapies(app: Flask) -> None:
    rows = dict(VALID["treatments"])
    for i in range(21):
        rows |= {
            f"psychotherapy_trials-{i}-modality": "cbt",
            f"psychotherapy_trials-{i}-sessions": "8",
            f"psychotherapy_trials-{i}-outcome": "ongoing",
        }
    ok, form = make(app, "treatments", rows)
    assert not ok and form.form_errors


# Safety, preferences --------------------------------------------------------------------------


def test_safety_pregnant_choices(app: Flask) -> None:
    ok, _form = make(app, "safety", changed("safety", pregnant="unsure"))
    assert ok
    ok, form = make(app, "safety", changed("safety", metal_in_head="not_applicable"))
    assert not ok and form.metal_in_head.errors


def test_metal_question_explains_dental_work(app: Flask) -> None:
    _ok, form = make(app, "safety", VALID["safety"])
    assert "Dental fillings, crowns and braces do NOT count" in form.metal_in_head.description


def test_preferences_invalid(app: Flask) -> None:
    ok, form = make(app, "preferences", changed("preferences", open_to_tms="definitely"))
    assert not ok and form.open_to_tms.errors


# Insurance ---------------------------------------------------------------------------------


def test_self_pay_clears_payer_fields(app: Flask) -> None:
    ok, form = make(app, "insurance", changed("insurance", coverage_type="self_pay"))
    assert ok
    assert set(form.snapshot()) == {"coverage_type"}
    assert form.answers()["insurance"] == {
        "coverage_type": "self_pay",
        "payer_name": None,
        "member_id": None,
        "group_number": None,
        "subscriber_relationship": None,
        "subscriber_name": None,
        "subscriber_date_of_birth": None,
    }


def test_insured_needs_payer_fields(app: Flask) -> None:
    ok, form = make(app, "insurance", {"coverage_type": "medicaid"})
    assert not ok
    assert form.payer_name.errors and form.member_id.errors
    assert form.subscriber_relationship.errors
    assert not form.group_number.errors


@pytest.mark.parametrize(
    ("member_id", "valid"),
    [
        ("1EG4-TE5-MK73", True),
        ("1eg4 te5 mk73", True),
        ("1EG4-TE5-MK7", False),
        ("0EG4TE5MK73", False),
        ("1SG4TE5MK73", False),
    ],
)
def test_medicare_member_id_is_an_mbi(app: Flask, member_id: str, valid: bool) -> None:
    data = changed("insurance", coverage_type="medicare", member_id=member_id)
    ok, form = make(app, "insurance", data)
    assert ok is valid
    if not valid:
        assert "Medicare number" in form.member_id.errors[0]


def test_subscriber_fields_only_for_someone_else(app: Flask) -> None:
    data = changed("insurance", subscriber_name="Sam", subscriber_date_of_birth="1980-01-01")
    ok, form = make(app, "insurance", data)
    assert ok and "subscriber_name" not in form.snapshot()
    assert form.answers()["insurance"]["subscriber_name"] is None
    ok, form = make(app, "insurance", changed("insurance", subscriber_relationship="spouse"))
    assert not ok
    assert form.subscriber_name.errors and form.subscriber_date_of_birth.errors
    future = (date.today() + timedelta(days=3)).isoformat()
    ok, form = make(
        app,
        "insurance",
        changed(
            "insurance",
            subscriber_relationship="spouse",
            subscriber_name="Sam Reyes",
            subscriber_date_of_birth=future,
        ),
    )
    assert not ok and form.subscriber_date_of_birth.errors


def test_subscriber_answers_kept_for_spouse(app: Flask) -> None:
    data = changed(
        "insurance",
        subscriber_relationship="spouse",
        subscriber_name="Sam Reyes",
        subscriber_date_of_birth="1980-01-01",
    )
    ok, form = make(app, "insurance", data)
    assert ok
    assert form.answers()["insurance"]["subscriber_date_of_birth"] == "1980-01-01"


# Consent, unknown fields, snapshots -------------------------------------------------------


def test_consent_must_be_ticked(app: Flask) -> None:
    ok, form = make(app, "review", changed("review", understands_educational_only=None))
    assert not ok and form.understands_educational_only.errors
    ok, form = make(app, "review", changed("review", signature="x" * 201))
    assert not ok and form.signature.errors


def test_unknown_fields_are_an_error(app: Flask) -> None:
    ok, form = make(app, "about", {**VALID["about"], "favourite_colour": "blue"})
    assert not ok
    assert form.form_errors


def test_snapshot_round_trip(app: Flask) -> None:
    ok, form = make(app, "medications", VALID["medications"])
    assert ok
    snap = form.snapshot()
    with app.test_request_context():
        again = STEP_FORMS["medications"](formdata=formdata_from(snap), meta={"csrf": False})
        assert again.validate_step()
        assert again.answers() == form.answers()
