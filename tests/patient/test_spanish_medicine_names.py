"""A Spanish patient types Spanish generic names; the clinician summary knows the medicines.

Walked like a browser: the language switch, the wizard in Spanish with the medications step
posted through the Flask test client, then the clinician's summary of the stored submission.
The expected class labels are written here (the clinician summary's own words: SSRI, SNRI,
tricyclic, MAOI, other antidepressant, add-on medicine), never read from the catalogue.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Submission
from tests.patient.helpers import VALID, WizardWalker
from tests.patient.test_spanish import IN_SPANISH, switch_to_spanish

#: (typed on the Spanish page, the class the clinician reads, the generic named beside it)
ROWS = [
    ("sertralina", "SSRI", "sertraline"),
    ("Fluoxetina", "SSRI", "fluoxetine"),
    ("venlafaxina", "SNRI", "venlafaxine"),
    # The Spanish name differs only by its accent: no alias, matched by fold_accents.
    ("levomilnaciprán", "SNRI", "levomilnacipran"),
    ("Bupropión", "other antidepressant", "bupropion"),
    ("AMITRIPTILINA", "tricyclic", "amitriptyline"),
    ("fenelzina", "MAOI", "phenelzine"),
    ("litio", "add-on medicine", "lithium"),
]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("typed", "label", "generic"), ROWS)
def test_a_spanish_name_reaches_the_clinician_as_its_medicine(
    client: FlaskClient, login_as, typed: str, label: str, generic: str
) -> None:  # type: ignore[no-untyped-def]
    switch_to_spanish(client)
    walker = WizardWalker(client)
    medications = {
        "medication_trials-0-name": typed,
        "medication_trials-0-daily_dose_mg": "",
        "medication_trials-0-weeks": "10",
        "medication_trials-0-outcome": "no_improvement",
    }
    walker.start()
    walker.walk({**IN_SPANISH, "medications": medications})
    assert walker.submit().status_code == 302
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.answers["medication_trials"][0]["name"] == typed  # stored as typed
    assert submission.evaluation["ruleset"]["version"] == "2.1.0"
    assert submission.evaluation["treatment_history"]["unrecognized_medications"] == []

    login_as("clinician")
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert f"{typed} ({generic}) {label} " in page
    assert "unrecognised" not in page
    assert "unrecognized medication" not in page.lower()
    assert "Medicines not in the catalogue" not in page


def test_an_unknown_name_still_reaches_the_clinician_as_typed(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    switch_to_spanish(client)
    walker = WizardWalker(client)
    medications = {**VALID["medications"], "medication_trials-0-name": "pastilla azul"}
    walker.start()
    walker.walk({**IN_SPANISH, "medications": medications})
    walker.submit()
    submission = db.session.scalars(sa.select(Submission)).one()
    login_as("clinician")
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert "pastilla azul unrecognised" in page
    assert "Medicines not in the catalogue, check by hand: pastilla azul" in page
