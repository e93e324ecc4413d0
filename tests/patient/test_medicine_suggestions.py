"""The medicine field's suggestions (its ``<datalist>``), as each patient's page draws them.

The suggestions come from the catalogue of the ruleset that judges new intakes (rules 2.1),
so a Spanish-speaking patient is offered the Spanish generic names that ruleset knows
("sertralina"), and picking one is counted as the same medicine as its English name. The
names expected are written here, from the rules 2.1 catalogue's table in docs/rules.md.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Submission
from tests.patient.helpers import VALID, WizardWalker, get_page, step_url

#: On every page: generic and brand names (intake contract v1, "Medication catalogue").
EVERY_PAGE = {"sertraline", "Zoloft", "venlafaxine", "Effexor", "bupropion", "Wellbutrin"}
#: Only on a Spanish page: the Spanish generic names rules 2.1 added (docs/rules.md).
SPANISH_ONLY = {"sertralina", "fluoxetina", "venlafaxina", "duloxetina", "amitriptilina"}


def suggestions(client: FlaskClient) -> set[str]:
    html = get_page(client, step_url("medications")).get_data(as_text=True)
    datalist = re.search(r'<datalist id="medicine-names">(.*?)</datalist>', html, re.S)
    assert datalist, "no medicine suggestions on the page"
    return set(re.findall(r'<option value="([^"]*)">', datalist.group(1)))


def test_an_english_page_suggests_generic_and_brand_names_only(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="medications")
    offered = suggestions(walker.client)
    assert offered >= EVERY_PAGE
    assert not SPANISH_ONLY & offered


def test_a_spanish_page_also_suggests_the_spanish_generic_names(walker: WizardWalker) -> None:
    walker.start()
    walker.walk({"about": {**VALID["about"], "preferred_language": "es"}}, until="medications")
    offered = suggestions(walker.client)
    assert offered >= EVERY_PAGE | SPANISH_ONLY
    # The same page in English again: the Spanish names go with the language.
    walker.post("about", {**VALID["about"], "preferred_language": "en"})
    assert not SPANISH_ONLY & suggestions(walker.client)


def test_a_suggested_spanish_name_counts_as_the_same_medicine(
    client: FlaskClient, walker: WizardWalker
) -> None:
    """ "sertralina" picked on a Spanish page is stored as typed and judged as sertraline: the
    same failed trials as the English walk (VALID's sertraline at 150 mg for 10 weeks)."""
    walker.complete()
    english = db.session.scalars(db.select(Submission)).one()
    spanish_walker = WizardWalker(client.application.test_client())
    spanish_walker.complete(
        {
            "about": {**VALID["about"], "preferred_language": "es"},
            "medications": {**VALID["medications"], "medication_trials-0-name": "sertralina"},
        }
    )
    spanish = db.session.scalars(db.select(Submission).where(Submission.id != english.id)).one()
    assert spanish.answers["medication_trials"][0]["name"] == "sertralina"
    assert english.evaluation is not None and spanish.evaluation is not None
    assert spanish.evaluation["treatment_history"] == english.evaluation["treatment_history"]
    assert spanish.evaluation["treatment_history"]["unrecognized_medications"] == []
