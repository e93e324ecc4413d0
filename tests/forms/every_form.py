"""Every form a patient fills, in the states a page draws it: the fast-markup tests compare
each field of these with a slower reference (WTForms' own markup, the old macro)."""

from __future__ import annotations

from collections.abc import Iterator

from werkzeug.datastructures import MultiDict
from wtforms import Form

from intake.forms.checkin import CheckInForm
from intake.forms.patient import STEP_FORMS, consent_form
from tests.patient.helpers import VALID


def every_step_form() -> Iterator[tuple[str, Form]]:
    """Every step's form (and the check-in's, and a minor's consent) empty, answered,
    answered and validated, and with every required field in error. Call it in a request
    context (the forms' labels and choices are translated)."""
    classes = {**STEP_FORMS, "review-minor": consent_form(15), "checkin": CheckInForm}
    for name, form_class in classes.items():
        answers = VALID.get(name.split("-")[0], {})
        yield f"{name} empty", form_class(formdata=None, meta={"csrf": False})
        answered = form_class(formdata=MultiDict(answers), meta={"csrf": False})
        yield f"{name} answered", answered
        answered.validate()
        yield f"{name} answered, validated", answered
        errors = form_class(formdata=MultiDict({"x": ""}), meta={"csrf": False})
        errors.validate_step(partial=False)
        yield f"{name} errors", errors
