"""Partial submissions (issue 15, item 6): the storing service, the partial contract and the
screening evaluation.

Expectations are the spec's (docs/wizard.md "Sending what you have answered", docs/rules.md
"A partial submission's evaluation"), written here as tables: ASQ question 5 yes or declined is
acute; any other yes or declined on the ASQ, or PHQ-9 item 9 above 0, is the non-acute urgent
flag; nothing positive is not sent at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from answer_documents import sample_answers_v2
from sqlalchemy import select

from intake.answers import InvalidAnswers, parse_partial
from intake.extensions import db
from intake.models import AuditEvent, Draft, Submission
from intake.rules import evaluate_screening
from intake.services import drafts
from intake.services.submissions import AlreadySubmitted, NotUrgent, submit_partial
from tests.committed import committed_count

AS_OF = date(2026, 11, 1)
NEGATIVE_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}
CONTACT = {
    "first_name": "Ana",
    "last_name": "Reyes",
    "date_of_birth": "1985-04-12",
    "phone": "+1 503 555 0100",
}


def first_steps(**asq: Any) -> dict[str, Any]:
    """The document of someone who finished About you, concerns, PHQ-9, GAD-7 and the ASQ."""
    full = sample_answers_v2()
    doc = {key: full[key] for key in ("contract", "patient", "concerns", "phq9", "gad7")}
    doc["asq"] = {**NEGATIVE_ASQ, **asq}
    return doc


#: (ASQ answers, PHQ-9 item 9) → (flag codes, acute). From the spec, not the ruleset's tables.
SCREENS = [
    ({"wished_dead": "yes", "thoughts_right_now": "no"}, 0, ["suicide_risk"], False),
    ({"ever_tried": "declined", "thoughts_right_now": "no"}, 0, ["suicide_risk"], False),
    ({"wished_dead": "yes", "thoughts_right_now": "yes"}, 0, ["suicide_risk_acute"], True),
    ({"wished_dead": "yes", "thoughts_right_now": "declined"}, 0, ["suicide_risk_acute"], True),
    ({}, 2, ["suicide_risk"], False),
    ({}, 0, [], False),
]


@pytest.mark.parametrize(("asq", "item9", "codes", "acute"), SCREENS)
def test_screening_evaluation_gives_the_suicide_risk_flags(
    asq: dict, item9: int, codes: list[str], acute: bool
) -> None:
    doc = first_steps(**asq)
    doc["phq9"] = {**doc["phq9"], "items": [*doc["phq9"]["items"][:8], item9]}
    evaluation = evaluate_screening(parse_partial(doc, AS_OF), AS_OF)
    assert [flag["code"] for flag in evaluation["flags"]] == codes
    assert all(flag["level"] == "urgent" for flag in evaluation["flags"])
    assert evaluation["partial"] is True
    assert evaluation["pathways"] == [] and evaluation["coverage"] is None
    assert evaluation["age"] == 41
    assert set(evaluation["scores"]) == {"phq9", "gad7"}


def test_screening_evaluation_without_the_asq_reads_phq9_item9() -> None:
    doc = first_steps()
    del doc["asq"], doc["gad7"]
    doc["phq9"] = {**doc["phq9"], "items": [1, 1, 1, 1, 1, 1, 1, 1, 3]}
    evaluation = evaluate_screening(parse_partial(doc, AS_OF), AS_OF)
    assert [flag["code"] for flag in evaluation["flags"]] == ["suicide_risk"]
    assert any("scored 3 of 3" in line for line in evaluation["flags"][0]["because"])
    assert set(evaluation["scores"]) == {"phq9"}


def test_parse_partial_keeps_only_the_sections_given_and_checks_each_like_the_contract() -> None:
    doc = first_steps(wished_dead="yes", thoughts_right_now="no")
    answers = parse_partial(doc, AS_OF)
    assert set(answers) == {"contract", "patient", "concerns", "phq9", "gad7", "asq"}
    bad = {**doc, "asq": {**doc["asq"], "thoughts_right_now": None}}
    with pytest.raises(InvalidAnswers) as error:
        parse_partial(bad, AS_OF)
    assert [p.path for p in error.value.problems] == ["asq.thoughts_right_now"]
    with pytest.raises(InvalidAnswers) as error:
        parse_partial({**doc, "favourite_colour": "blue"}, AS_OF)
    assert [p.path for p in error.value.problems] == ["favourite_colour"]


def test_parse_partial_needs_contact_details_without_the_patient_section() -> None:
    doc = first_steps()
    del doc["patient"]
    with pytest.raises(InvalidAnswers) as error:
        parse_partial(doc, AS_OF)
    assert [p.path for p in error.value.problems] == ["contact"]
    answers = parse_partial({**doc, "contact": CONTACT}, AS_OF)
    assert answers["contact"] == CONTACT
    with pytest.raises(InvalidAnswers) as error:
        parse_partial({**doc, "contact": {**CONTACT, "phone": "12", "last_name": ""}}, AS_OF)
    assert [p.path for p in error.value.problems] == ["contact.last_name", "contact.phone"]
    with pytest.raises(InvalidAnswers) as error:
        parse_partial({**first_steps(), "contact": CONTACT}, AS_OF)
    assert [p.path for p in error.value.problems] == ["contact"]


def test_submit_partial_stores_one_urgent_partial_and_audits_it(app) -> None:
    draft = drafts.create_draft()
    doc = first_steps(wished_dead="yes", thoughts_right_now="yes")
    submission = submit_partial(doc, draft=draft)
    reference = submission.reference
    db.session.commit()
    stored = db.session.scalars(select(Submission)).one()
    assert (stored.partial, stored.urgent, stored.acute) == (True, True, True)
    assert set(stored.answers) == {"contract", "patient", "concerns", "phq9", "gad7", "asq"}
    assert stored.coverage_type is None and stored.primary_concern == "depression"
    assert (stored.last_name, stored.date_of_birth) == ("Reyes", date(1985, 4, 12))
    assert db.session.get_one(Draft, draft.id).partial_submission_id == stored.id
    assert stored.reference == reference
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "submission_created"
    assert event.detail == {"source": "wizard", "urgent": True, "partial": True}
    with pytest.raises(AlreadySubmitted) as again:
        submit_partial(doc, draft=draft)
    assert again.value.submission.id == stored.id
    assert committed_count(Submission) == 1


def test_submit_partial_refuses_a_negative_screen_and_stores_nothing(app) -> None:
    draft = drafts.create_draft()
    with pytest.raises(NotUrgent):
        submit_partial(first_steps(), draft=draft)
    db.session.commit()
    assert committed_count(Submission) == 0


def test_a_partial_with_contact_details_has_no_concern_and_no_coverage(app) -> None:
    draft = drafts.create_draft()
    doc = {
        "contract": "intake-answers/2",
        "contact": CONTACT,
        "asq": first_steps(wished_dead="yes", thoughts_right_now="no")["asq"],
    }
    submit_partial(doc, draft=draft)
    db.session.commit()
    stored = db.session.scalars(select(Submission)).one()
    assert (stored.primary_concern, stored.coverage_type, stored.acute) == (None, None, False)
    assert stored.last_name == "Reyes" and stored.urgent is True


def test_rules_diff_leaves_partial_submissions_out(app, runner) -> None:
    from tests.factories import make_submission

    make_submission()
    submit_partial(
        first_steps(wished_dead="yes", thoughts_right_now="no"), draft=drafts.create_draft()
    )
    db.session.commit()
    result = runner.invoke(args=["rules", "diff", "1", "2"])
    assert result.exit_code == 0, result.output
    assert "comparing 1 submissions (1 partial left out)" in result.output
