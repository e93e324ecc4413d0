"""FHIR R4 for EHRs: the questionnaires as ``Questionnaire`` resources and a stored submission as
one ``Bundle`` (docs/fhir.md).

A submission's Bundle (type ``collection``) holds a ``Patient``, a ``QuestionnaireResponse`` per
instrument (PHQ-9, GAD-7, ASQ, the TMS safety screen) and one for the rest of the intake, an
``Observation`` for each PHQ-9 and GAD-7 total the evaluation stored, a ``Coverage`` from the
insurance answers and a ``MedicationStatement`` per medication trial (the medicine's name as
typed: text, no codes). The PHQ-9 and GAD-7 carry the LOINC codes of their published panels
(``LOINC_*`` below, checked against loinc.org: docs/fhir.md says where); every other item is the
app's own, under the canonical base URL the clinic configures (``FHIR_BASE_URL``), with codes from
:mod:`intake.vocabulary` in the app's own code systems: no LOINC code is made up.

The QuestionnaireResponses are the record: :func:`answers_from_bundle` reads the answers document
back from them alone, so the Bundle says everything the rules read (the round trip is tested).
The wording is the vocabulary's, as the wizard shows it.

Pure: no Flask, no database. The builders return plain JSON; :func:`validate` parses a resource
with the fhir.resources models (R4B, the R4 line: docs/fhir.md, "Which FHIR version").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake import vocabulary as vocab
from intake.answers import _TOP_FIELDS

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
COVERAGE_SELFPAY = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
LANGUAGE = "urn:ietf:bcp:47"
MEDIA_TYPE = "application/fhir+json"
#: Used when the clinic sets no ``FHIR_BASE_URL`` (development and tests).
DEFAULT_BASE_URL = "https://intake.example.org/fhir"

# LOINC, checked against loinc.org (docs/fhir.md, "What the codes were checked against") --------

#: The PHQ-9 panel, its nine items in order, the difficulty question and the total score.
LOINC_PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel")
LOINC_PHQ9_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
LOINC_PHQ9_DIFFICULTY = "69722-7"
LOINC_PHQ9_TOTAL = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score")
#: The GAD-7 panel, its seven items and total (the app does not ask the GAD-7's difficulty
#: question, so it has no item here).
LOINC_GAD7_PANEL = ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)")
LOINC_GAD7_ITEMS = (
    "69725-0",
    "68509-9",
    "69733-4",
    "69734-2",
    "69735-9",
    "69689-8",
    "69736-7",
)
LOINC_GAD7_TOTAL = ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score")
#: LOINC answer list LL358-3 (Not at all ... Nearly every day), scored 0-3, by the vocabulary's
#: ``FREQUENCY`` code (the score as text).
LOINC_FREQUENCY = {"0": "LA6568-5", "1": "LA6569-3", "2": "LA6570-1", "3": "LA6571-9"}
#: LOINC answer list LL359-1 (the PHQ-9's difficulty question), by ``PHQ9_DIFFICULTY`` code.
LOINC_DIFFICULTY = {
    "not_difficult": "LA6572-7",
    "somewhat_difficult": "LA6573-5",
    "very_difficult": "LA6575-0",
    "extremely_difficult": "LA6574-3",
}

#: The Questionnaires served, by name: ``GET /api/v1/fhir/Questionnaire/<name>``.
QUESTIONNAIRE_NAMES = ("phq-9", "gad-7", "asq", "tms-safety", "intake")


class NotInBundle(ValueError):
    """A Bundle :func:`answers_from_bundle` cannot read (not one of ours, or missing a part)."""


# The app's own items --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One answer of the intake questionnaire: its key in the answers document, the question's
    text, and how it is answered (``choice`` from a vocabulary list, or a FHIR answer type)."""

    key: str
    text: str
    kind: str  # choice | string | text | integer | decimal | boolean | date
    choices: tuple[vocab.Choice, ...] = ()


@dataclass(frozen=True)
class Section:
    """A group of the intake questionnaire: one section of the answers document. ``repeats``:
    a list of groups (medication trials); ``values``: a list of plain answers."""

    key: str
    text: str
    fields: tuple[Field, ...]
    repeats: bool = False
    values: bool = False


def _choice(key: str, text: str, choices: tuple[vocab.Choice, ...]) -> Field:
    return Field(key, text, "choice", choices)


_NEUROMOD = (("tms", "TMS"), ("ect", "ECT"), ("ketamine", "Ketamine or esketamine"))
_PREFERENCES = (
    ("open_to_tms", "Open to TMS"),
    ("open_to_psychotherapy", "Open to psychotherapy"),
    ("open_to_medication_changes", "Open to medication changes"),
    ("can_attend_daily_sessions", "Can attend daily sessions"),
)

#: The intake questionnaire: every section of the answers document that is not an instrument.
INTAKE_SECTIONS: tuple[Section, ...] = (
    Section(
        "patient",
        "About you",
        (
            Field("first_name", "First name", "string"),
            Field("last_name", "Last name", "string"),
            Field("date_of_birth", "Date of birth", "date"),
            Field("email", "Email", "string"),
            Field("phone", "Phone", "string"),
            _choice("preferred_language", "Preferred language", vocab.LANGUAGES),
            _choice("preferred_contact", "Preferred contact", vocab.CONTACT_METHODS),
        ),
    ),
    Section(
        "concerns",
        "Main concern",
        (
            _choice("primary", "Main concern", vocab.PRIMARY_CONCERNS),
            Field("other_description", "The concern in your words", "text"),
            Field("episode_months", "Months in this episode", "integer"),
            _choice("psychotic_symptoms", "Psychotic symptoms", vocab.YN),
            _choice("mania_history", "History of mania", vocab.YN),
            _choice("bipolar_diagnosis", "Bipolar diagnosis", vocab.YN),
        ),
    ),
    Section(
        "medication_trials",
        "Medication trial",
        (
            Field("name", "Medicine", "string"),
            Field("daily_dose_mg", "Daily dose (mg)", "decimal"),
            Field("weeks", "Weeks taken", "integer"),
            _choice("outcome", "How it went", vocab.MED_OUTCOMES),
            Field("current", "Still taking it", "boolean"),
        ),
        repeats=True,
    ),
    Section(
        "other_medications",
        "Other medicines taken now",
        (Field("other_medications", "Other medicine", "string"),),
        values=True,
    ),
    Section(
        "psychotherapy_trials",
        "Psychotherapy",
        (
            _choice("modality", "Type of therapy", vocab.THERAPY_MODALITIES),
            Field("sessions", "Sessions", "integer"),
            _choice("outcome", "How it went", vocab.THERAPY_OUTCOMES),
            Field("current", "Still having it", "boolean"),
        ),
        repeats=True,
    ),
    Section(
        "neuromodulation",
        "Brain stimulation treatments before",
        tuple(_choice(key, text, vocab.NEUROMOD_OUTCOMES) for key, text in _NEUROMOD),
    ),
    Section(
        "preferences",
        "Preferences",
        tuple(_choice(key, text, vocab.YN) for key, text in _PREFERENCES),
    ),
    Section(
        "insurance",
        "Insurance",
        (
            _choice("coverage_type", "Coverage", vocab.COVERAGE_TYPES),
            Field("payer_name", "Insurance company", "string"),
            Field("member_id", "Member ID", "string"),
            Field("group_number", "Group number", "string"),
            _choice("subscriber_relationship", "Whose insurance", vocab.RELATIONSHIPS),
            Field("subscriber_name", "Subscriber's name", "string"),
            Field("subscriber_date_of_birth", "Subscriber's date of birth", "date"),
        ),
    ),
    Section(
        "consent",
        "Consent",
        (
            Field(
                "understands_educational_only",
                "Understands the tool is educational, not a diagnosis",
                "boolean",
            ),
            Field("agrees_to_contact", "Agrees to be contacted", "boolean"),
            Field("signature", "Signature", "string"),
            Field("guardian_name", "Parent or guardian's name", "string"),
            _choice(
                "guardian_relationship", "Guardian's relationship", vocab.GUARDIAN_RELATIONSHIPS
            ),
        ),
    ),
)
#: The intake questionnaire's first item: which answers contract the document follows.
_CONTRACT_ITEM = "contract"
#: A partial submission's contact details (``answers.parse_partial``) when "About you" was not
#: finished.
_CONTACT = Section(
    "contact",
    "Contact details",
    (
        Field("first_name", "First name", "string"),
        Field("last_name", "Last name", "string"),
        Field("date_of_birth", "Date of birth", "date"),
        Field("phone", "Phone", "string"),
    ),
)

_ASQ_FIELDS = (*vocab.ASQ_QUESTIONS, vocab.ASQ_RIGHT_NOW)


def _list_name(choices: tuple[vocab.Choice, ...]) -> str:
    for name, value in vocab.LISTS.items():
        if value is choices:
            return name.replace("_", "-")
    raise LookupError("not a vocabulary list")  # pragma: no cover - the tables above use LISTS


def code_system(base: str, choices: tuple[vocab.Choice, ...]) -> str:
    """The app's own code system of a vocabulary list: ``<base>/CodeSystem/coverage-types``."""
    return f"{base}/CodeSystem/{_list_name(choices)}"


def canonical(base: str, name: str) -> str:
    """A Questionnaire's canonical URL: ``<base>/Questionnaire/phq-9``."""
    return f"{base}/Questionnaire/{name}"


# Questionnaires -----------------------------------------------------------------------------


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system, "code": code, "display": display}


def _frequency_options() -> list[dict[str, Any]]:
    return [
        {
            "valueCoding": _coding(LOINC, LOINC_FREQUENCY[c.code], c.patient),
            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": int(c.code)}],
        }
        for c in vocab.FREQUENCY
    ]


def _own_options(base: str, choices: tuple[vocab.Choice, ...]) -> list[dict[str, Any]]:
    system = code_system(base, choices)
    return [{"valueCoding": _coding(system, c.code, c.patient)} for c in choices]


#: Each Questionnaire's computable name (FHIR's ``name``).
_NAMES = {
    "phq-9": "PHQ9",
    "gad-7": "GAD7",
    "asq": "ASQ",
    "tms-safety": "TMSSafetyScreen",
    "intake": "Intake",
}


#: Each Questionnaire's business version: raised whenever its text or items change, so an EHR
#: that keeps a definition by version never pairs old wording with new answers. PHQ-9 2: item
#: 9 in the published wording ("better off dead, or of hurting yourself").
QUESTIONNAIRE_VERSIONS = {"phq-9": "2", "gad-7": "1", "asq": "1", "tms-safety": "1", "intake": "1"}


def _questionnaire(
    base: str, name: str, title: str, items: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": name,
        "url": canonical(base, name),
        "version": QUESTIONNAIRE_VERSIONS[name],
        "name": _NAMES[name],
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        **extra,
        "item": items,
    }


def _total_item(code: tuple[str, str], text: str) -> dict[str, Any]:
    return {
        "linkId": code[0],
        "code": [_coding(LOINC, *code)],
        "text": text,
        "type": "integer",
        "readOnly": True,
    }


def _frequency_items(codes: Sequence[str], questions: Sequence[Any]) -> list[dict[str, Any]]:
    """The PHQ-9's or GAD-7's items: each coded with its LOINC item code, answered on the
    LOINC frequency list (0-3)."""
    return [
        {
            "linkId": code,
            "code": [{"system": LOINC, "code": code}],
            "text": question.patient,
            "type": "choice",
            "required": True,
            "answerOption": _frequency_options(),
        }
        for code, question in zip(codes, questions, strict=True)
    ]


def _phq9(base: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"linkId": "stem", "text": vocab.PHQ9_STEM, "type": "display"}]
    items.extend(_frequency_items(LOINC_PHQ9_ITEMS, vocab.PHQ9_QUESTIONS))
    items.append(
        {
            "linkId": LOINC_PHQ9_DIFFICULTY,
            "code": [{"system": LOINC, "code": LOINC_PHQ9_DIFFICULTY}],
            "text": vocab.PHQ9_DIFFICULTY_QUESTION,
            "type": "choice",
            "answerOption": [
                {"valueCoding": _coding(LOINC, LOINC_DIFFICULTY[c.code], c.patient)}
                for c in vocab.PHQ9_DIFFICULTY
            ],
        }
    )
    items.append(_total_item(LOINC_PHQ9_TOTAL, "PHQ-9 total score"))
    return _questionnaire(base, "phq-9", "PHQ-9", items, code=[_coding(LOINC, *LOINC_PHQ9_PANEL)])


def _gad7(base: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"linkId": "stem", "text": vocab.GAD7_STEM, "type": "display"}]
    items.extend(_frequency_items(LOINC_GAD7_ITEMS, vocab.GAD7_QUESTIONS))
    items.append(_total_item(LOINC_GAD7_TOTAL, "GAD-7 total score"))
    return _questionnaire(base, "gad-7", "GAD-7", items, code=[_coding(LOINC, *LOINC_GAD7_PANEL)])


def _asq(base: str) -> dict[str, Any]:
    items = [
        {
            "linkId": q.code,
            "text": q.patient,
            "type": "choice",
            "answerOption": _own_options(base, vocab.ASQ_ANSWERS),
        }
        for q in _ASQ_FIELDS
    ]
    # Question 5 is asked after a yes (or a declined answer) to any of questions 1-4.
    system = code_system(base, vocab.ASQ_ANSWERS)
    items[-1]["enableWhen"] = [
        {"question": q.code, "operator": "=", "answerCoding": {"system": system, "code": answer}}
        for q in vocab.ASQ_QUESTIONS
        for answer in ("yes", "declined")
    ]
    items[-1]["enableBehavior"] = "any"
    return _questionnaire(base, "asq", "ASQ suicide risk screening", items)


def _safety(base: str) -> dict[str, Any]:
    items = [
        {
            "linkId": q.code,
            "text": q.patient,
            "type": "choice",
            "answerOption": _own_options(base, choices),
        }
        for q, choices in _safety_fields()
    ]
    return _questionnaire(base, "tms-safety", "TMS safety screen", items)


def _safety_fields() -> list[tuple[vocab.Question, tuple[vocab.Choice, ...]]]:
    return [(q, vocab.YN) for q in vocab.SAFETY_QUESTIONS] + [
        (vocab.PREGNANT_QUESTION, vocab.PREGNANT)
    ]


def _field_item(base: str, field: Field, link: str, *, repeats: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link, "text": field.text, "type": field.kind}
    if field.kind == "choice":
        item["answerOption"] = _own_options(base, field.choices)
    if repeats:
        item["repeats"] = True
    return item


def _section_item(base: str, section: Section) -> dict[str, Any]:
    if section.values:
        return _field_item(base, section.fields[0], section.key, repeats=True)
    group: dict[str, Any] = {
        "linkId": section.key,
        "text": section.text,
        "type": "group",
        "item": [_field_item(base, f, f"{section.key}.{f.key}") for f in section.fields],
    }
    if section.repeats:
        group["repeats"] = True
    return group


def _intake(base: str) -> dict[str, Any]:
    items = [
        {"linkId": _CONTRACT_ITEM, "text": "Answers contract", "type": "string", "readOnly": True}
    ]
    items += [_section_item(base, s) for s in (*INTAKE_SECTIONS, _CONTACT)]
    return _questionnaire(base, "intake", "Intake", items)


_BUILDERS: Mapping[str, Callable[[str], dict[str, Any]]] = {
    "phq-9": _phq9,
    "gad-7": _gad7,
    "asq": _asq,
    "tms-safety": _safety,
    "intake": _intake,
}


def questionnaire(name: str, base: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The Questionnaire called ``name`` (one of :data:`QUESTIONNAIRE_NAMES`); KeyError if none."""
    return _BUILDERS[name](base.rstrip("/"))


# A submission's Bundle ------------------------------------------------------------------------


def _urn(reference: str, key: str) -> str:
    """A stable ``urn:uuid`` for one resource of one submission's Bundle."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'intake:{reference}:{key}')}"


def _answer(field: Field, base: str, value: Any) -> dict[str, Any]:
    if field.kind == "choice":
        label = next((c.patient for c in field.choices if c.code == value), str(value))
        return {"valueCoding": _coding(code_system(base, field.choices), value, label)}
    kind = {"text": "String", "string": "String"}.get(field.kind, field.kind.capitalize())
    return {f"value{kind}": value}


def _answered(link: str, text: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link, "text": text}
    if answers:
        item["answer"] = answers
    return item


def _group_items(base: str, section: Section, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = []
    for field in section.fields:
        value = values.get(field.key)
        answers = [] if value is None else [_answer(field, base, value)]
        items.append(_answered(f"{section.key}.{field.key}", field.text, answers))
    return items


def _intake_items(base: str, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = [_answered(_CONTRACT_ITEM, "Answers contract", [{"valueString": answers["contract"]}])]
    for section in (*INTAKE_SECTIONS, _CONTACT):
        if section.key not in answers:
            continue
        value = answers[section.key]
        if section.values:
            field = section.fields[0]
            items.append(
                _answered(section.key, section.text, [_answer(field, base, v) for v in value or []])
            )
        elif section.repeats:
            # One group per entry; an empty list is the question answered with nothing to add.
            if not value:
                items.append({"linkId": section.key, "text": section.text})
            for entry in value or []:
                items.append(
                    {
                        "linkId": section.key,
                        "text": section.text,
                        "item": _group_items(base, section, entry),
                    }
                )
        else:
            items.append(
                {
                    "linkId": section.key,
                    "text": section.text,
                    "item": _group_items(base, section, value or {}),
                }
            )
    return items


def _score_items(
    codes: tuple[str, ...], questions: tuple[vocab.Question, ...], scores: list[int] | None
) -> list[dict[str, Any]]:
    items = []
    for i, (code, question) in enumerate(zip(codes, questions, strict=True)):
        answers = []
        if scores is not None and scores[i] is not None:
            choice = vocab.FREQUENCY[scores[i]]
            answers = [
                {"valueCoding": _coding(LOINC, LOINC_FREQUENCY[choice.code], choice.patient)}
            ]
        items.append(_answered(code, question.patient, answers))
    return items


def _total(evaluation: Mapping[str, Any] | None, name: str) -> int | None:
    scores = (evaluation or {}).get("scores") or {}
    total = (scores.get(name) or {}).get("total")
    return total if isinstance(total, int) else None


def _phq9_items(answers: Mapping[str, Any], total: int | None) -> list[dict[str, Any]]:
    phq9 = answers["phq9"]
    items = _score_items(LOINC_PHQ9_ITEMS, vocab.PHQ9_QUESTIONS, phq9.get("items"))
    difficulty = phq9.get("difficulty")
    chosen = []
    if difficulty is not None:
        label = next(c.patient for c in vocab.PHQ9_DIFFICULTY if c.code == difficulty)
        chosen = [{"valueCoding": _coding(LOINC, LOINC_DIFFICULTY[difficulty], label)}]
    items.append(_answered(LOINC_PHQ9_DIFFICULTY, vocab.PHQ9_DIFFICULTY_QUESTION, chosen))
    if total is not None:
        items.append(_answered(LOINC_PHQ9_TOTAL[0], "PHQ-9 total score", [{"valueInteger": total}]))
    return items


def _gad7_items(answers: Mapping[str, Any], total: int | None) -> list[dict[str, Any]]:
    items = _score_items(LOINC_GAD7_ITEMS, vocab.GAD7_QUESTIONS, answers["gad7"].get("items"))
    if total is not None:
        items.append(_answered(LOINC_GAD7_TOTAL[0], "GAD-7 total score", [{"valueInteger": total}]))
    return items


def _choice_items(
    base: str,
    fields: Iterable[tuple[vocab.Question, tuple[vocab.Choice, ...]]],
    values: Mapping[str, Any],
) -> list[dict[str, Any]]:
    items = []
    for question, choices in fields:
        value = values.get(question.code)
        field = _choice(question.code, question.patient, choices)
        answers = [] if value is None else [_answer(field, base, value)]
        items.append(_answered(question.code, question.patient, answers))
    return items


@dataclass(frozen=True)
class Submitted:
    """What the Bundle says about the stored submission beside its answers and evaluation."""

    reference: str
    submitted_at: datetime


def bundle(
    answers: Mapping[str, Any],
    evaluation: Mapping[str, Any] | None,
    submitted: Submitted,
    base: str = DEFAULT_BASE_URL,
) -> dict[str, Any]:
    """The Bundle of one stored submission (full or partial: absent sections are left out)."""
    base = base.rstrip("/")
    ref, when = submitted.reference, submitted.submitted_at.isoformat()
    patient_url = _urn(ref, "Patient")
    subject = {"reference": patient_url}
    entries: list[tuple[str, dict[str, Any]]] = [(patient_url, _patient(answers))]

    def response(name: str, items: list[dict[str, Any]]) -> str:
        url = _urn(ref, f"QuestionnaireResponse/{name}")
        entries.append(
            (
                url,
                {
                    "resourceType": "QuestionnaireResponse",
                    "identifier": {"system": f"{base}/submission", "value": f"{ref}-{name}"},
                    "questionnaire": canonical(base, name),
                    "status": "completed",
                    "subject": subject,
                    "authored": when,
                    "item": items,
                },
            )
        )
        return url

    phq9_total, gad7_total = _total(evaluation, "phq9"), _total(evaluation, "gad7")
    if "phq9" in answers:
        url = response("phq-9", _phq9_items(answers, phq9_total))
        if phq9_total is not None:
            entries.append(_observation(ref, LOINC_PHQ9_TOTAL, phq9_total, subject, url, when))
    if "gad7" in answers:
        url = response("gad-7", _gad7_items(answers, gad7_total))
        if gad7_total is not None:
            entries.append(_observation(ref, LOINC_GAD7_TOTAL, gad7_total, subject, url, when))
    if "asq" in answers:
        asq_fields = [(q, vocab.ASQ_ANSWERS) for q in _ASQ_FIELDS]
        response("asq", _choice_items(base, asq_fields, answers["asq"]))
    if "safety_screen" in answers:
        response("tms-safety", _choice_items(base, _safety_fields(), answers["safety_screen"]))
    response("intake", _intake_items(base, answers))
    if "insurance" in answers:
        entries.append((_urn(ref, "Coverage"), _coverage(base, answers["insurance"], subject)))
    for i, trial in enumerate(answers.get("medication_trials") or []):
        entries.append((_urn(ref, f"MedicationStatement/{i}"), _medication(trial, subject, when)))
    return {
        "resourceType": "Bundle",
        "identifier": {"system": f"{base}/submission", "value": ref},
        "type": "collection",
        "timestamp": when,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


def _patient(answers: Mapping[str, Any]) -> dict[str, Any]:
    person = answers.get("patient") or answers.get("contact") or {}
    resource: dict[str, Any] = {"resourceType": "Patient"}
    name = {
        key: value
        for key, value in (
            ("family", person.get("last_name")),
            ("given", [person["first_name"]] if person.get("first_name") else None),
        )
        if value
    }
    if name:
        resource["name"] = [name]
    telecom = [
        {"system": system, "value": person[key]}
        for key, system in (("phone", "phone"), ("email", "email"))
        if person.get(key)
    ]
    if telecom:
        resource["telecom"] = telecom
    if person.get("date_of_birth"):
        resource["birthDate"] = person["date_of_birth"]
    language = person.get("preferred_language")
    if language:
        display = vocab.staff_label(vocab.LANGUAGES, language)
        resource["communication"] = [
            {
                "language": {"coding": [_coding(LANGUAGE, language, display)]},
                "preferred": True,
            }
        ]
    return resource


def _observation(
    ref: str,
    code: tuple[str, str],
    total: int,
    subject: dict[str, str],
    response_url: str,
    when: str,
) -> tuple[str, dict[str, Any]]:
    return _urn(ref, f"Observation/{code[0]}"), {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "survey", "Survey")]}],
        "code": {"coding": [_coding(LOINC, *code)]},
        "subject": subject,
        "effectiveDateTime": when,
        "valueInteger": total,
        "derivedFrom": [{"reference": response_url}],
    }


def _coverage(base: str, insurance: Mapping[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    kind = insurance.get("coverage_type")
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": subject,
    }
    if kind == "self_pay":
        resource["type"] = {"coding": [_coding(COVERAGE_SELFPAY, "pay", "PAY")]}
        resource["payor"] = [subject]
        return resource
    if kind is not None:
        label = vocab.staff_label(vocab.COVERAGE_TYPES, kind)
        resource["type"] = {
            "coding": [_coding(code_system(base, vocab.COVERAGE_TYPES), kind, label)],
            "text": label,
        }
    resource["payor"] = [{"display": insurance.get("payer_name") or "Unknown payer"}]
    if insurance.get("member_id"):
        resource["subscriberId"] = insurance["member_id"]
    relationship = insurance.get("subscriber_relationship")
    if relationship is not None:
        resource["relationship"] = {
            "coding": [{"system": SUBSCRIBER_RELATIONSHIP, "code": relationship}]
        }
        if relationship == "self":
            resource["subscriber"] = subject
        elif insurance.get("subscriber_name"):
            resource["subscriber"] = {"display": insurance["subscriber_name"]}
    if insurance.get("group_number"):
        resource["class"] = [
            {
                "type": {"coding": [{"system": COVERAGE_CLASS, "code": "group"}]},
                "value": insurance["group_number"],
            }
        ]
    return resource


def _medication(trial: Mapping[str, Any], subject: dict[str, str], when: str) -> dict[str, Any]:
    outcome = trial.get("outcome")
    status = (
        "active"
        if trial.get("current")
        else "stopped"
        if outcome == "stopped_side_effects"
        else "completed"
    )
    notes = []
    if trial.get("weeks") is not None:
        notes.append(f"Taken for {trial['weeks']} weeks")
    if outcome is not None:
        notes.append(f"Outcome: {vocab.staff_label(vocab.MED_OUTCOMES, outcome)}")
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": {"text": trial.get("name") or "Unnamed medicine"},
        "subject": subject,
        "dateAsserted": when,
    }
    if trial.get("daily_dose_mg") is not None:
        resource["dosage"] = [{"text": f"{trial['daily_dose_mg']:g} mg a day"}]
    if notes:
        resource["note"] = [{"text": "; ".join(notes)}]
    return resource


# Reading the answers back --------------------------------------------------------------------


def _responses(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in document.get("entry") or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") == "QuestionnaireResponse":
            name = str(resource.get("questionnaire", "")).rsplit("/", 1)[-1]
            found[name] = resource
    return found


def _value(item: Mapping[str, Any]) -> Any:
    answers = item.get("answer") or []
    return _plain(answers[0]) if answers else None


def _plain(answer: Mapping[str, Any]) -> Any:
    for key, value in answer.items():
        if key.startswith("value"):
            return value["code"] if key == "valueCoding" else value
    return None


def _by_link(items: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {item["linkId"]: item for item in items}


def _scores(
    items: Mapping[str, Mapping[str, Any]], codes: tuple[str, ...]
) -> list[int | None] | None:
    score = {v: int(k) for k, v in LOINC_FREQUENCY.items()}
    values = [_value(items[code]) if code in items else None for code in codes]
    if all(v is None for v in values):
        return None
    return [None if v is None else score.get(str(v)) for v in values]


def _read_group(section: Section, items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    found = _by_link(items)
    return {
        f.key: _value(found[f"{section.key}.{f.key}"])
        if f"{section.key}.{f.key}" in found
        else None
        for f in section.fields
    }


def answers_from_bundle(document: Mapping[str, Any]) -> dict[str, Any]:
    """The answers document a Bundle from :func:`bundle` was built from, read from its
    QuestionnaireResponses alone (sections the Bundle does not hold are left out)."""
    responses = _responses(document)
    if "intake" not in responses:
        raise NotInBundle("the Bundle has no intake QuestionnaireResponse")
    intake_items = responses["intake"].get("item") or []
    top = _by_link(i for i in intake_items if i["linkId"] == _CONTRACT_ITEM)
    if _CONTRACT_ITEM not in top:
        raise NotInBundle("the intake QuestionnaireResponse names no answers contract")
    answers: dict[str, Any] = {"contract": _value(top[_CONTRACT_ITEM])}
    sections: dict[str, Any] = {}
    for section in (*INTAKE_SECTIONS, _CONTACT):
        groups = [i for i in intake_items if i["linkId"] == section.key]
        if not groups:
            continue
        if section.values:
            sections[section.key] = [_plain(a) for a in groups[0].get("answer") or []]
        elif section.repeats:
            sections[section.key] = [_read_group(section, g["item"]) for g in groups if "item" in g]
        else:
            sections[section.key] = _read_group(section, groups[0].get("item") or [])
    if "phq-9" in responses:
        items = _by_link(responses["phq-9"].get("item") or [])
        difficulty = {v: k for k, v in LOINC_DIFFICULTY.items()}
        chosen = _value(items[LOINC_PHQ9_DIFFICULTY]) if LOINC_PHQ9_DIFFICULTY in items else None
        sections["phq9"] = {
            "items": _scores(items, LOINC_PHQ9_ITEMS),
            "difficulty": difficulty.get(chosen) if chosen is not None else None,
        }
    if "gad-7" in responses:
        items = _by_link(responses["gad-7"].get("item") or [])
        sections["gad7"] = {"items": _scores(items, LOINC_GAD7_ITEMS)}
    if "asq" in responses:
        items = _by_link(responses["asq"].get("item") or [])
        sections["asq"] = {
            q.code: _value(items[q.code]) if q.code in items else None for q in _ASQ_FIELDS
        }
    if "tms-safety" in responses:
        items = _by_link(responses["tms-safety"].get("item") or [])
        sections["safety_screen"] = {
            q.code: _value(items[q.code]) if q.code in items else None for q, _ in _safety_fields()
        }
    # The answers document's own order of sections (a partial's ``contact`` first).
    order = ("contact", *(name for name in _TOP_FIELDS if name != "contract"))
    for key in order:
        if key in sections:
            answers[key] = sections[key]
    if answers["contract"] == "intake-answers/1" and "consent" in answers:
        # intake-answers/1 has no guardian in its consent.
        for key in ("guardian_name", "guardian_relationship"):
            answers["consent"].pop(key, None)
    return answers


# Validation with the model library -----------------------------------------------------------


def validate(resource: Mapping[str, Any]) -> Any:
    """Parse ``resource`` with the fhir.resources R4B models; raises ValueError (pydantic's
    ValidationError) when it is not a valid resource. Returns the model."""
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(str(resource["resourceType"])).model_validate(dict(resource))
