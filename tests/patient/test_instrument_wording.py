"""The English PHQ-9 and GAD-7 as the patient reads them, against the published wording written
out here (issue 17, "Also fix (the English instruments)").

The PHQ-9 rows are the Pfizer form's English (USA) wording. Where LOINC's panel (44249-1; its
answer list LL358-3) writes the same item, it agrees, item 9's comma included ("better off dead,
or of hurting yourself"); where LOINC normalises the form's punctuation (item 6's dash, item 8's
question mark) the form's own is kept. The GAD-7 rows are LOINC's item names (69737-5, as its
PHQ-SADS panel 69729-2 lists them); the publisher's GAD-7 form could not be read here
(docs/wizard.md, "The English instruments"). Each text must reach the wizard's page, the check-in
page and the FHIR Questionnaire from one source.
"""

from __future__ import annotations

import html
import re

import pytest
from checkin_samples import link_for, open_course
from flask import Flask
from flask.testing import FlaskClient

from intake import fhir
from tests.patient.helpers import WizardWalker, get_page, step_url

PHQ9_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family "
    "down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being "
    "so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
PHQ9_DIFFICULTY = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def visible_text(page: str) -> str:
    """The page's text as read: tags dropped, entities decoded, white space collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("step", "texts"),
    [
        ("phq9", (PHQ9_STEM, *PHQ9_ITEMS, PHQ9_DIFFICULTY, *ANSWERS)),
        ("gad7", (GAD7_STEM, *GAD7_ITEMS, *ANSWERS)),
    ],
)
def test_the_wizard_shows_the_published_wording(
    walker: WizardWalker, client: FlaskClient, step: str, texts: tuple[str, ...]
) -> None:
    walker.start()
    walker.walk(until=step)
    page = visible_text(get_page(client, step_url(step)).get_data(as_text=True))
    missing = [text for text in texts if text not in page]
    assert not missing, missing


def test_item_9_is_numbered_and_worded_as_published(
    walker: WizardWalker, client: FlaskClient
) -> None:
    walker.start()
    walker.walk(until="phq9")
    page = visible_text(get_page(client, step_url("phq9")).get_data(as_text=True))
    assert (
        "9. Thoughts that you would be better off dead, or of hurting yourself in some way" in page
    )


def test_a_check_in_shows_the_same_wording(app: Flask, client: FlaskClient) -> None:
    _course, checkin = open_course()
    assert client.get(f"/c/{link_for(checkin)}").status_code == 302
    page = visible_text(get_page(client, "/checkin").get_data(as_text=True))
    texts = (PHQ9_STEM, *PHQ9_ITEMS, GAD7_STEM, *GAD7_ITEMS, *ANSWERS)
    assert [text for text in texts if text not in page] == []


@pytest.mark.parametrize(
    ("name", "stem", "items"), [("phq-9", PHQ9_STEM, PHQ9_ITEMS), ("gad-7", GAD7_STEM, GAD7_ITEMS)]
)
def test_the_fhir_questionnaire_reads_the_same_wording(
    app: Flask, name: str, stem: str, items: tuple[str, ...]
) -> None:
    questionnaire = fhir.questionnaire(name)
    texts = _texts(questionnaire)
    assert [t for t in (stem, *items) if t not in texts] == []
    if name == "phq-9":
        assert PHQ9_DIFFICULTY in texts


def _texts(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.add(value)
            found |= _texts(value)
    elif isinstance(node, list):
        for value in node:
            found |= _texts(value)
    return found


def test_a_changed_questionnaire_has_a_new_version(app: Flask) -> None:
    """PHQ-9's item 9 changed (its comma): its FHIR definition is version 2; the others are 1."""
    versions = {name: fhir.questionnaire(name)["version"] for name in fhir.QUESTIONNAIRE_NAMES}
    assert versions == {"phq-9": "2", "gad-7": "1", "asq": "1", "tms-safety": "1", "intake": "1"}
