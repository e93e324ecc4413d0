"""The FHIR export (issue 17): every Bundle and Questionnaire parses in the model library, the
PHQ-9 and GAD-7 carry LOINC's published codes (the table below, written from loinc.org: see
docs/fhir.md), and the answers read back from a Bundle give the same scores and evaluation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, sample_answers, sample_answers_v2
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from intake import fhir, rules
from intake.answers import parse_answers

AS_OF = date.fromisoformat(AS_OF_ISO)
WHEN = datetime(2026, 11, 1, 15, 30, tzinfo=UTC)
VIGNETTES = Path(__file__).resolve().parents[3] / "shared" / "vignettes"

# Written from loinc.org (panels 44249-1 and 69737-5 via PHQ-SADS 69729-2, answer lists LL358-3
# and LL359-1), never read from intake.fhir.
PHQ9_ITEMS = [
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    ("44258-2", "Feeling bad about yourself"),
    ("44252-5", "Trouble concentrating on things"),
    ("44253-3", "Moving or speaking so slowly"),
    ("44260-8", "Thoughts that you would be better off dead"),
]
PHQ9_DIFFICULTY = "69722-7"
GAD7_ITEMS = [
    ("69725-0", "Feeling nervous, anxious or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid as if something awful might happen"),
]
FREQUENCY = [
    ("LA6568-5", "Not at all", 0),
    ("LA6569-3", "Several days", 1),
    ("LA6570-1", "More than half the days", 2),
    ("LA6571-9", "Nearly every day", 3),
]
DIFFICULTY = {
    "not_difficult": "LA6572-7",
    "somewhat_difficult": "LA6573-5",
    "very_difficult": "LA6575-0",
    "extremely_difficult": "LA6574-3",
}
LOINC = "http://loinc.org"


def _stored(document: dict[str, Any], as_of: date = AS_OF) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = parse_answers(document, as_of)
    return answers, rules.evaluate(answers, as_of)


def _bundle(answers: dict[str, Any], evaluation: dict[str, Any]) -> dict[str, Any]:
    document = fhir.bundle(answers, evaluation, fhir.Submitted("R0000001", WHEN))
    # What an EHR receives: JSON text, not our Python objects.
    return json.loads(json.dumps(document))


def _resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def _response(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [
        r
        for r in _resources(document, "QuestionnaireResponse")
        if r["questionnaire"].endswith(f"/Questionnaire/{name}")
    ]
    return found


def _check_valid(document: dict[str, Any]) -> None:
    parsed = Bundle.model_validate(document)
    assert parsed.type == "collection"
    kinds = {e.resource.get_resource_type() for e in parsed.entry}
    assert kinds - {"MedicationStatement"} == {
        "Patient",
        "QuestionnaireResponse",
        "Observation",
        "Coverage",
    }
    trials = fhir.answers_from_bundle(document)["medication_trials"]
    assert ("MedicationStatement" in kinds) == bool(trials)


@pytest.mark.parametrize("make", [sample_answers, sample_answers_v2])
def test_the_bundle_parses_in_the_model_library(make: Any) -> None:
    _check_valid(_bundle(*_stored(make())))


@pytest.mark.parametrize("name", ["phq-9", "gad-7", "asq", "tms-safety", "intake"])
def test_every_questionnaire_parses(name: str) -> None:
    parsed = Questionnaire.model_validate(fhir.questionnaire(name))
    assert parsed.url == f"https://intake.example.org/fhir/Questionnaire/{name}"
    assert parsed.status == "active"


def _coded_items(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in definition["item"] if i["type"] == "choice"]


def test_phq9_questionnaire_has_loinc_panel_items_and_answers() -> None:
    definition = fhir.questionnaire("phq-9")
    assert definition["code"][0]["system"] == LOINC and definition["code"][0]["code"] == "44249-1"
    items = _coded_items(definition)
    assert [i["code"][0]["code"] for i in items] == [c for c, _ in PHQ9_ITEMS] + [PHQ9_DIFFICULTY]
    for item, (code, words) in zip(items, PHQ9_ITEMS, strict=False):
        assert item["linkId"] == code and item["code"][0]["system"] == LOINC
        assert item["text"].startswith(words), code
        options = [
            (
                o["valueCoding"]["code"],
                o["valueCoding"]["display"],
                o["extension"][0]["valueDecimal"],
            )
            for o in item["answerOption"]
        ]
        assert options == FREQUENCY
        assert {o["extension"][0]["url"] for o in item["answerOption"]} == {
            "http://hl7.org/fhir/StructureDefinition/ordinalValue"
        }
    difficulty = items[-1]
    assert [o["valueCoding"]["code"] for o in difficulty["answerOption"]] == list(
        DIFFICULTY.values()
    )
    total = definition["item"][-1]
    assert total["code"][0]["code"] == "44261-6" and total["type"] == "integer"


def test_gad7_questionnaire_has_loinc_panel_items_and_answers() -> None:
    definition = fhir.questionnaire("gad-7")
    assert definition["code"][0]["code"] == "69737-5"
    items = _coded_items(definition)
    assert [(i["linkId"], i["code"][0]["code"]) for i in items] == [(c, c) for c, _ in GAD7_ITEMS]
    for item, (_code, words) in zip(items, GAD7_ITEMS, strict=True):
        assert item["text"].startswith(words)
        assert [o["valueCoding"]["code"] for o in item["answerOption"]] == [
            c for c, _, _ in FREQUENCY
        ]
    assert definition["item"][-1]["code"][0]["code"] == "70274-6"


def test_the_apps_own_questionnaires_carry_no_loinc_code() -> None:
    for name in ("asq", "tms-safety", "intake"):
        text = json.dumps(fhir.questionnaire(name))
        assert LOINC not in text, name
        assert "https://intake.example.org/fhir/CodeSystem/" in text


def test_responses_carry_the_answers_as_loinc_codes_and_the_totals_as_observations() -> None:
    answers, evaluation = _stored(sample_answers_v2())
    document = _bundle(answers, evaluation)
    phq9 = {i["linkId"]: i for i in _response(document, "phq-9")["item"]}
    score_of = {code: score for code, _, score in FREQUENCY}
    scores = [score_of[phq9[code]["answer"][0]["valueCoding"]["code"]] for code, _ in PHQ9_ITEMS]
    assert scores == answers["phq9"]["items"]
    assert (
        phq9[PHQ9_DIFFICULTY]["answer"][0]["valueCoding"]["code"]
        == (DIFFICULTY[answers["phq9"]["difficulty"]])
    )
    gad7 = {i["linkId"]: i for i in _response(document, "gad-7")["item"]}
    scores = [score_of[gad7[code]["answer"][0]["valueCoding"]["code"]] for code, _ in GAD7_ITEMS]
    assert scores == answers["gad7"]["items"]
    totals = {
        o["code"]["coding"][0]["code"]: o["valueInteger"]
        for o in _resources(document, "Observation")
    }
    assert totals == {
        "44261-6": sum(answers["phq9"]["items"]),
        "70274-6": sum(answers["gad7"]["items"]),
    }
    for observation in _resources(document, "Observation"):
        assert observation["category"][0]["coding"][0]["code"] == "survey"
        assert observation["code"]["coding"][0]["system"] == LOINC


def test_patient_coverage_and_medications() -> None:
    answers, evaluation = _stored(sample_answers_v2())
    document = _bundle(answers, evaluation)
    (patient,) = _resources(document, "Patient")
    person = answers["patient"]
    assert patient["name"] == [{"family": person["last_name"], "given": [person["first_name"]]}]
    assert patient["birthDate"] == person["date_of_birth"]
    (coverage,) = _resources(document, "Coverage")
    insurance = answers["insurance"]
    assert coverage["payor"] == [{"display": insurance["payer_name"]}]
    assert coverage["subscriberId"] == insurance["member_id"]
    statements = _resources(document, "MedicationStatement")
    assert [s["medicationCodeableConcept"] for s in statements] == [
        {"text": trial["name"]} for trial in answers["medication_trials"]
    ]
    # Text only: no coding for a medicine.
    assert all("coding" not in s["medicationCodeableConcept"] for s in statements)


@pytest.mark.parametrize("make", [sample_answers, sample_answers_v2])
def test_round_trip_gives_the_same_scores_and_evaluation(make: Any) -> None:
    answers, evaluation = _stored(make())
    back = fhir.answers_from_bundle(_bundle(answers, evaluation))
    again = parse_answers(back, AS_OF)
    assert again == answers
    reevaluated = rules.evaluate(again, AS_OF)
    assert reevaluated["scores"]["phq9"] == evaluation["scores"]["phq9"]
    assert reevaluated["scores"]["gad7"] == evaluation["scores"]["gad7"]
    assert reevaluated == evaluation


def _vignettes() -> list[Path]:
    return sorted(VIGNETTES.glob("*.json")) if VIGNETTES.is_dir() else []


@pytest.mark.skipif(not _vignettes(), reason="../shared/vignettes is not beside the project")
@pytest.mark.parametrize("path", _vignettes(), ids=lambda p: p.stem)
def test_every_public_vignette_gives_a_valid_bundle_that_round_trips(path: Path) -> None:
    vignette = json.loads(path.read_text())
    if not vignette["expect"]["valid"]:
        pytest.skip("an invalid document is never stored")
    as_of = date.fromisoformat(vignette["as_of"])
    answers, evaluation = _stored(vignette["answers"], as_of)
    document = _bundle(answers, evaluation)
    _check_valid(document)
    phq9 = {i["linkId"]: i for i in _response(document, "phq-9")["item"]}
    assert [c for c, _ in PHQ9_ITEMS] == [c for c in phq9 if c in dict(PHQ9_ITEMS)]
    back = parse_answers(fhir.answers_from_bundle(document), as_of)
    assert rules.evaluate(back, as_of) == evaluation
