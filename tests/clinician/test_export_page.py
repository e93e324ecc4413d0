"""``/staff/export.csv``: the queue's filters, the free-text setting, escaping, the audit entry."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from answer_documents import changed, sample_answers
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent
from intake.services.export import COLUMNS, FREE_TEXT_COLUMNS
from intake.services.settings import EXPORT_FREE_TEXT, set_setting
from tests.factories import post


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _header(response) -> list[str]:  # type: ignore[no-untyped-def]
    return next(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _exports() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "exported")))


def test_export_follows_the_queue_filters_and_is_audited(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    user = login_as("front_desk")
    urgent = store(rich_answers())
    plain = store()
    anxious = store(changed(sample_answers(), {"concerns.primary": "anxiety"}))

    rows = _csv(post(client, "/staff/export.csv", {}))
    assert rows[0]["reference"] == urgent.reference  # urgent pinned first
    assert {r["reference"] for r in rows} == {urgent.reference, plain.reference, anxious.reference}
    assert rows[0]["urgent"] == "yes" and "suicide_risk" in rows[0]["flags"]
    assert "safety_check" in rows[0]["pathways"]

    rows = _csv(post(client, "/staff/export.csv", {"concern": "anxiety"}))
    assert [r["reference"] for r in rows] == [anxious.reference]
    rows = _csv(
        post(
            client,
            "/staff/export.csv",
            {"urgent": "no", "concern": "depression", "pathway": "tms_plus_cbt"},
        )
    )
    assert {r["reference"] for r in rows} == {plain.reference}

    events = _exports()
    assert len(events) == 3 and all(e.actor_id == user.id for e in events)
    assert events[0].detail == {
        "format": "csv",
        "filters": {"sort": "newest"},
        "rows": 3,
        "free_text": False,
    }
    assert events[1].detail["filters"] == {"concern": "anxiety", "sort": "newest"}
    assert events[1].detail["rows"] == 1


def test_export_is_post_only_and_search_never_in_the_audit_log(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    target = store(changed(sample_answers(), {"patient.last_name": "Zamora"}))
    store()
    # A GET (a link or an image on another site) exports nothing and records nothing.
    assert client.get("/staff/export.csv?q=Zamora").status_code == 405
    assert _exports() == []
    rows = _csv(post(client, "/staff/export.csv", {"q": "zamora"}))
    assert [r["reference"] for r in rows] == [target.reference]
    detail = _exports()[-1].detail
    assert detail["filters"]["q"] == "(given)" and detail["rows"] == 1
    assert "amora" not in repr([e.detail for e in _exports()])


def test_free_text_columns_only_with_the_setting(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    store()
    response = post(client, "/staff/export.csv", {})
    assert tuple(_header(response)) == COLUMNS
    assert "Ana Reyes" not in response.get_data(as_text=True)

    set_setting(EXPORT_FREE_TEXT, True, user_id=None)
    db.session.commit()
    response = post(client, "/staff/export.csv", {})
    assert tuple(_header(response)) == COLUMNS + FREE_TEXT_COLUMNS
    [row] = _csv(response)
    assert (
        row["signature"] == "Ana Reyes" and row["medications_as_typed"] == "sertraline; venlafaxine"
    )
    assert _exports()[-1].detail["free_text"] is True


def test_formula_injection_is_neutralised(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    set_setting(EXPORT_FREE_TEXT, True, user_id=None)
    db.session.commit()
    store(
        changed(
            sample_answers(),
            {
                "patient.last_name": "=1+1",
                "patient.first_name": "+x",
                "concerns.primary": "other",
                "concerns.other_description": "-x",
                "consent.signature": "@x",
                "other_medications": ['=HYPERLINK("http://evil")'],
            },
        )
    )
    [row] = _csv(post(client, "/staff/export.csv", {}))
    assert row["last_name"] == "'=1+1"
    assert row["first_name"] == "'+x"
    assert row["other_description"] == "'-x"
    assert row["signature"] == "'@x"
    assert row["other_medications"].startswith("'=HYPERLINK")
