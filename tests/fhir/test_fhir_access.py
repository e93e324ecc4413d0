"""Reading the FHIR export (issue 17): scoped API tokens, the clinician's download, the audit."""

from __future__ import annotations

import json

import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle
from flask.testing import FlaskClient, FlaskCliRunner

from intake.extensions import db
from intake.models import ApiToken, AuditEvent
from tests.factories import make_submission


def _token(runner: FlaskCliRunner, name: str, *scopes: str) -> str:
    args = ["api-token", "create", name]
    for scope in scopes:
        args += ["--scope", scope]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(action: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_without_scope_a_token_can_write_intakes_only(runner: FlaskCliRunner) -> None:
    _token(runner, "kiosk")
    record = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "kiosk"))
    assert record.scopes == "intakes:write"


def test_an_unknown_scope_is_refused(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["api-token", "create", "x", "--scope", "everything"])
    assert result.exit_code != 0 and "scopes" in result.output
    assert db.session.query(ApiToken).count() == 0


def test_a_token_without_fhir_read_gets_403(runner: FlaskCliRunner, client: FlaskClient) -> None:
    token = _token(runner, "kiosk")
    submission = make_submission()
    response = client.get(f"/api/v1/intakes/{submission.id}/fhir", headers=_auth(token))
    assert response.status_code == 403 and response.is_json
    assert client.get("/api/v1/fhir/Questionnaire/phq-9", headers=_auth(token)).status_code == 403
    refused = _events("access_refused")
    assert [e.detail["scope"] for e in refused] == ["fhir:read", "fhir:read"]
    assert _events("fhir_bundle_read") == []


def test_no_token_is_401(client: FlaskClient) -> None:
    submission = make_submission()
    assert client.get(f"/api/v1/intakes/{submission.id}/fhir").status_code == 401


def test_fhir_read_gets_the_bundle_as_fhir_json_and_is_audited(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    token = _token(runner, "ehr", "fhir:read")
    submission = make_submission()
    response = client.get(f"/api/v1/intakes/{submission.id}/fhir", headers=_auth(token))
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = Bundle.model_validate(json.loads(response.data))
    assert bundle.identifier.value == submission.reference
    (event,) = _events("fhir_bundle_read")
    assert event.submission_id == submission.id
    assert event.detail["via"] == "api" and event.detail["token"] == "ehr"
    assert submission.answers["patient"]["last_name"] not in json.dumps(event.detail)


def test_unknown_id_is_404(runner: FlaskCliRunner, client: FlaskClient) -> None:
    token = _token(runner, "ehr", "fhir:read")
    response = client.get("/api/v1/intakes/999999/fhir", headers=_auth(token))
    assert response.status_code == 404 and response.is_json


def test_a_fhir_only_token_cannot_send_intakes(runner: FlaskCliRunner, client: FlaskClient) -> None:
    from answer_documents import sample_answers

    token = _token(runner, "ehr", "fhir:read")
    response = client.post("/api/v1/intakes", json=sample_answers(), headers=_auth(token))
    assert response.status_code == 403


def test_questionnaire_definitions(runner: FlaskCliRunner, client: FlaskClient) -> None:
    token = _token(runner, "ehr", "intakes:write", "fhir:read")
    response = client.get("/api/v1/fhir/Questionnaire/gad-7", headers=_auth(token))
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert json.loads(response.data)["code"][0]["code"] == "69737-5"
    assert client.get("/api/v1/fhir/Questionnaire/nope", headers=_auth(token)).status_code == 404
    assert [e.detail["name"] for e in _events("fhir_questionnaire_read")] == ["gad-7"]


def test_the_clinician_downloads_the_bundle_from_the_summary(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = make_submission()
    page = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    link = f"/clinician/submissions/{submission.id}/fhir"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert "attachment" in response.headers["Content-Disposition"]
    Bundle.model_validate(json.loads(response.data))
    (event,) = _events("fhir_bundle_read")
    assert event.detail["via"] == "clinician" and event.actor_id is not None


#: LOINC's item codes (panels 44249-1 and 69737-5), first and last item, written out here.
PAGE_CODES = {"PHQ-9": ("44250-9", "44260-8"), "GAD-7": ("69725-0", "69736-7")}


def test_the_summary_page_shows_each_items_loinc_code_and_the_pdf_does_not(
    client, login_as
) -> None:  # type: ignore[no-untyped-def]
    import re as _re

    from clinician_samples import store

    login_as("clinician")
    submission = store()
    page = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    for name, (first, last) in PAGE_CODES.items():
        table = page[page.index(f'aria-label="{name} items"') :]
        table = table[: table.index("</table>")]
        cells = _re.findall(r'<td class="screen-only">([\d-]+)</td>', table)
        assert cells[0] == first and cells[-1] == last
    import io as _io

    import pypdf

    pdf = client.get(f"/clinician/submissions/{submission.id}.pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(_io.BytesIO(pdf.data)).pages)
    assert "PHQ-9" in text and "44250-9" not in text  # the printout stays for people


def test_the_admin_page_makes_a_token_with_the_scopes_ticked(client, login_as) -> None:  # type: ignore[no-untyped-def]
    import re as _re

    from clinician_samples import store

    from tests.factories import post

    submission = store()
    login_as("admin")
    nothing = post(client, "/admin/tokens", {"name": "ehr"})  # every box unticked
    assert nothing.status_code == 422
    assert "Tick at least one thing the token may do." in nothing.get_data(as_text=True)
    made = post(client, "/admin/tokens", {"name": "ehr", "scope_fhir_read": "y"})
    assert made.status_code == 200
    token = _re.search(r'id="new-token">([^<]+)<', made.get_data(as_text=True)).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/intakes/{submission.id}/fhir", headers=headers).status_code == 200
    assert client.post("/api/v1/intakes", json={}, headers=headers).status_code == 403
    assert "fhir:read" in client.get("/admin/tokens").get_data(as_text=True)
