"""The medicine field's suggestions (its ``<datalist>``), as each patient's page draws them.

The suggestions come from the catalogue of the ruleset that judges new intakes (rules 2.1),
so a Spanish-speaking patient is offered the Spanish generic names that ruleset knows
("sertralina"). That a Spanish name typed reaches the clinician as its medicine is
``test_spanish_medicine_names.py``'s. The names expected are written here, from the intake
contract's catalogue table and the Spanish names docs/rules.md lists for rules 2.1.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

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
