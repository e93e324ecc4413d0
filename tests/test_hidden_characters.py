"""Text the database cannot store or staff could misread is refused at its field (issue 8, 5-6).

Expected outcomes come from the issue: a NUL byte, other control characters (line breaks are
fine in free text), a lone surrogate, a bidirectional override and text made only of invisible
characters are each refused with a 422 / a field error at the right path, never a 500, and the
patient's page is not saved with them. Deeply nested JSON is a 400.
"""

from __future__ import annotations

import json

import pytest
from answer_documents import AS_OF_ISO, changed, sample_answers
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from intake.answers import InvalidAnswers, parse_answers
from intake.extensions import db
from intake.models import Draft, Submission
from intake.text import TextFault, text_fault
from tests.factories import make_submission, make_user
from tests.patient.helpers import VALID, WizardWalker, get_page, step_url
from tests.patient.screen import Screen

# (text, multiline, expected fault) — the table the issue asks for.
CASES = [
    ("Ana", False, None),
    ("José Núñez-O’Brien", False, None),
    ("\u200fשרה\u200e", False, None),  # plain direction marks are allowed in real names
    ("line one\nline two\r\n\tthree", True, None),
    ("Ana\x00", False, TextFault.CONTROL),
    ("Ana\x07", False, TextFault.CONTROL),
    ("Ana\x7f", False, TextFault.CONTROL),
    ("Ana\x85", False, TextFault.CONTROL),
    ("line one\nline two", False, TextFault.CONTROL),
    ("x\x00y", True, TextFault.CONTROL),
    ("Ana\ud800", False, TextFault.SURROGATE),
    ("\udfffAna", True, TextFault.SURROGATE),
    ("sertraline\u202e05", False, TextFault.BIDI),
    ("a\u2066b\u2069", False, TextFault.BIDI),
    ("\u200b\u200b", False, TextFault.INVISIBLE),
    ("\u3164", False, TextFault.INVISIBLE),
    ("\u200d \ufeff", True, TextFault.INVISIBLE),
    ("", False, None),
]


@pytest.mark.parametrize(("text", "multiline", "fault"), CASES)
def test_text_fault_table(text: str, multiline: bool, fault: TextFault | None) -> None:
    assert text_fault(text, multiline=multiline) is fault


# The contract (API, evaluate) -----------------------------------------------------------------

TEXT_PATHS = [
    "patient.first_name",
    "patient.last_name",
    "medication_trials[0].name",
    "consent.signature",
    "insurance.payer_name",
    "insurance.member_id",
]


@pytest.mark.parametrize("path", TEXT_PATHS)
@pytest.mark.parametrize("bad", ["Ana\x00", "Ana\ud800", "A\u202eB", "\u200b"])
def test_contract_refuses_hidden_characters_at_the_path(path: str, bad: str) -> None:
    from datetime import date

    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(changed(sample_answers(), {path: bad}), date.fromisoformat(AS_OF_ISO))
    assert [p.path for p in caught.value.problems] == [path]


def test_contract_refuses_a_nul_in_other_medicines() -> None:
    from datetime import date

    document = changed(sample_answers(), {"other_medications": ["lisinopril", "met\x00formin"]})
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(document, date.fromisoformat(AS_OF_ISO))
    assert [p.path for p in caught.value.problems] == ["other_medications[1]"]


@pytest.fixture
def walker(client: FlaskClient) -> WizardWalker:
    return WizardWalker(client)


@pytest.fixture
def token(runner: FlaskCliRunner) -> str:
    result = runner.invoke(args=["api-token", "create", "kiosk"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _raw_json(document: object) -> bytes:
    """JSON with ``\\u`` escapes, so a lone surrogate travels as it would from a client."""
    return json.dumps(document, ensure_ascii=True).encode()


@pytest.mark.parametrize("bad", ["Ana\x00", "Ana\ud800"])
def test_api_evaluation_and_intake_agree_and_refuse(
    client: FlaskClient, token: str, bad: str
) -> None:
    document = changed(sample_answers(), {"patient.first_name": bad})
    headers = {"Content-Type": "application/json"}
    evaluation = client.post(
        f"/api/v1/evaluations?as_of={AS_OF_ISO}", data=_raw_json(document), headers=headers
    )
    intake = client.post(
        "/api/v1/intakes",
        data=_raw_json(document),
        headers={**headers, "Authorization": f"Bearer {token}"},
    )
    assert evaluation.status_code == intake.status_code == 422
    assert [e["path"] for e in intake.get_json()["errors"]] == ["patient.first_name"]
    assert db.session.scalars(select(Submission)).first() is None


@pytest.mark.parametrize("url", ["/api/v1/evaluations", "/api/v1/intakes"])
def test_deeply_nested_json_is_a_400(client: FlaskClient, token: str, url: str) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "the body is not valid JSON"


def test_deeply_nested_json_without_a_token_is_not_a_500(client: FlaskClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/intakes", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 401)


def test_evaluate_command_refuses_deeply_nested_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from intake.rules_cli import evaluate_command

    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(evaluate_command, [str(path)])
    assert result.exit_code != 0
    assert "nested too deeply" in result.output
    assert "Traceback" not in result.output


# The wizard -----------------------------------------------------------------------------------


def _post(client: FlaskClient, step: str, answers: dict[str, str], button: str = "next"):
    page = get_page(client, step_url(step))
    shown = Screen(page.get_data(as_text=True)).fill(answers)
    return client.post(step_url(step), data=MultiDict(shown.post_body(button)))


@pytest.mark.parametrize(
    ("step", "name"),
    [
        ("about", "first_name"),
        ("about", "last_name"),
        ("medications", "medication_trials-0-name"),
        ("treatments", "other_medications"),
        ("insurance", "payer_name"),
    ],
)
@pytest.mark.parametrize("button", ["next", "save"])
@pytest.mark.parametrize("bad", ["Ana\x00", "Ana\x1b[2J", "A\u202eB", "\u200b\u200b"])
def test_wizard_refuses_hidden_characters_at_the_field(
    walker: WizardWalker, step: str, name: str, button: str, bad: str
) -> None:
    walker.start()
    walker.walk(until=step)
    answers = {**VALID[step], name: bad}
    if step == "medications":
        answers = {k: v for k, v in answers.items() if "-1-" not in k}
    response = _post(walker.client, step, answers, button)
    assert response.status_code == 422
    assert f'id="{name}-error-1"' in response.get_data(as_text=True)
    assert step not in (db.session.scalars(select(Draft)).one().data or {})


def test_wizard_refuses_a_nul_in_the_signature(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="review")
    response = _post(walker.client, "review", {**VALID["review"], "signature": "Ana\x00"}, "submit")
    assert response.status_code == 422
    assert 'id="signature-error-1"' in response.get_data(as_text=True)
    assert db.session.scalars(select(Submission)).first() is None


def test_line_breaks_are_fine_in_free_text(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="treatments")
    response = _post(
        walker.client,
        "treatments",
        {**VALID["treatments"], "other_medications": "lisinopril\r\nmetformin\r\n"},
    )
    assert response.status_code == 302


# Staff pages ------------------------------------------------------------------------------


def test_sign_in_with_a_nul_in_the_email_is_a_field_error(client: FlaskClient) -> None:
    make_user("front_desk", email="desk@clinic.example")
    page = get_page(client, "/staff/login")
    shown = Screen(page.get_data(as_text=True))
    body = {
        "csrf_token": shown.shown("csrf_token"),
        "email": "desk\x00@clinic.example",
        "password": "wrong password here",
    }
    response = client.post("/staff/login", data=body)
    assert response.status_code in (200, 422)
    assert "hidden control character" in response.get_data(as_text=True)


def test_queue_search_with_a_nul_is_not_run_and_not_a_500(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import post

    login_as("front_desk")
    make_submission()
    response = post(client, "/staff/", {"q": "Rey\x00es"})
    assert response.status_code == 200
    assert "hidden control character" in response.get_data(as_text=True)


def test_a_lone_surrogate_with_an_idempotency_key_is_a_422(client: FlaskClient, token: str) -> None:
    """The retry digest must not fail on text the contract then refuses (review finding)."""
    document = changed(sample_answers(), {"patient.first_name": "Ana\ud800"})
    response = client.post(
        "/api/v1/intakes",
        data=_raw_json(document),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": "kiosk-1-0001",
        },
    )
    assert response.status_code == 422
    assert [e["path"] for e in response.get_json()["errors"]] == ["patient.first_name"]


@pytest.mark.parametrize("name", ["actor", "submission"])
def test_audit_search_with_a_nul_is_left_out_not_a_500(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    name: str,
) -> None:
    """On PostgreSQL a NUL in a query parameter used to fail in the database (review)."""
    login_as("admin")
    response = client.get(f"/admin/audit?{name}=a%00b")
    assert response.status_code == 200
    assert "hidden control character" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", range(128))
def test_every_ascii_character_in_a_name_and_a_note(code: int) -> None:
    """Written from the rule, not the code: of ASCII, only the control characters (0-31 and
    127) are refused, and a text area allows tab, line feed and carriage return."""
    char = chr(code)
    control = code < 32 or code == 127
    assert (text_fault(f"Ann{char}e") is TextFault.CONTROL) is control
    allowed_in_notes = char in "\t\n\r"
    expected = TextFault.CONTROL if control and not allowed_in_notes else None
    assert text_fault(f"Ann{char}e", multiline=True) is expected
