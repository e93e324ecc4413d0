"""The JSON API: evaluate (stores nothing) and submit (bearer token), with clear errors."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from answer_documents import AS_OF_ISO, changed, sample_answers
from flask.testing import FlaskClient, FlaskCliRunner

from intake.answers import parse_answers
from intake.extensions import db
from intake.models import Submission
from intake.models.submission import SubmissionPathway
from intake.rules import evaluate


@pytest.fixture
def token(runner: FlaskCliRunner) -> str:
    result = runner.invoke(args=["api-token", "create", "kiosk"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_evaluation_matches_the_rules_module_and_stores_nothing(client: FlaskClient) -> None:
    document = sample_answers()
    response = client.post(f"/api/v1/evaluations?as_of={AS_OF_ISO}", json=document)
    assert response.status_code == 200
    as_of = date.fromisoformat(AS_OF_ISO)
    assert response.get_json() == evaluate(parse_answers(document, as_of), as_of)
    assert db.session.query(Submission).count() == 0


def test_evaluation_lists_every_problem_with_its_path(client: FlaskClient) -> None:
    document = changed(sample_answers(), {"phq9.items[3]": 4, "insurance.member_id": ""})
    document["surprise"] = 1
    response = client.post(f"/api/v1/evaluations?as_of={AS_OF_ISO}", json=document)
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert {"phq9.items[3]", "insurance.member_id", "surprise"} <= paths
    assert all(e["message"] for e in response.get_json()["errors"])


@pytest.mark.parametrize("as_of", ["2026-13-01", "yesterday", ""])
def test_evaluation_rejects_a_bad_as_of(client: FlaskClient, as_of: str) -> None:
    response = client.post(f"/api/v1/evaluations?as_of={as_of}", json=sample_answers())
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "as_of"


def test_unreadable_json_is_a_clear_400(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/evaluations", data=b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "the body is not valid JSON"


def test_a_json_array_is_rejected_as_a_document(client: FlaskClient) -> None:
    response = client.post("/api/v1/evaluations", json=[1, 2])
    assert response.status_code == 422


def test_intake_is_stored_with_its_evaluation(client: FlaskClient, token: str) -> None:
    response = client.post("/api/v1/intakes", json=sample_answers(), headers=_bearer(token))
    assert response.status_code == 201
    body = response.get_json()
    submission = db.session.get(Submission, body["id"])
    assert submission.reference == body["reference"]
    assert submission.status == "new"
    assert submission.source == "api"
    assert submission.evaluation["contract"] == "intake-evaluation/2"
    assert submission.ruleset_version == submission.evaluation["ruleset"]["version"]
    assert submission.ruleset_sha256 == submission.evaluation["ruleset"]["sha256"]
    assert submission.last_name == "Reyes"
    assert submission.last_name_folded == "reyes"
    assert submission.primary_concern == "depression"
    assert submission.coverage_type == "commercial"
    assert submission.urgent is False
    # Its pathways are in the join table the queue's filter reads, committed with it.
    with db.engine.connect() as conn:
        stored = conn.execute(
            sa.select(SubmissionPathway.code).where(SubmissionPathway.submission_id == body["id"])
        )
        assert set(stored.scalars()) == {"tms_plus_cbt", "tms_plus_medication_review"}


def test_a_suicide_risk_answer_makes_the_submission_urgent(client: FlaskClient, token: str) -> None:
    document = changed(sample_answers(), {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"})
    response = client.post("/api/v1/intakes", json=document, headers=_bearer(token))
    assert response.status_code == 201
    submission = db.session.get(Submission, response.get_json()["id"])
    assert submission.urgent is True
    # Non-acute risk (rules v2): a same-day safety check-in comes first.
    assert next(p["code"] for p in submission.evaluation["pathways"]) == "safety_check"


def test_invalid_intake_is_422_and_stores_nothing(client: FlaskClient, token: str) -> None:
    document = changed(sample_answers(), {"patient.first_name": "x" * 101})
    response = client.post("/api/v1/intakes", json=document, headers=_bearer(token))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "patient.first_name"
    assert db.session.query(Submission).count() == 0


def test_script_in_a_text_answer_is_stored_as_text_not_markup(
    client: FlaskClient, token: str
) -> None:
    document = changed(sample_answers(), {"patient.last_name": "<script>alert(1)</script>"})
    response = client.post("/api/v1/intakes", json=document, headers=_bearer(token))
    assert response.status_code == 201
    submission = db.session.get(Submission, response.get_json()["id"])
    assert submission.last_name == "<script>alert(1)</script>"


def test_accented_last_name_is_found_by_its_plain_spelling(client: FlaskClient, token: str) -> None:
    document = changed(sample_answers(), {"patient.last_name": "Müller-Núñez"})
    response = client.post("/api/v1/intakes", json=document, headers=_bearer(token))
    submission = db.session.get(Submission, response.get_json()["id"])
    assert submission.last_name == "Müller-Núñez"
    assert submission.last_name_folded == "muller-nunez"


def test_evaluations_are_rate_limited_per_address(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    app.config["EVALUATION_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/api/v1/evaluations", json=sample_answers()).status_code == 200
    response = client.post("/api/v1/evaluations", json=sample_answers())
    assert response.status_code == 429
    assert response.is_json
