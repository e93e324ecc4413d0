"""The queue's lines as ``queue_rows`` draws them (issue 13: drawn in Python, not a template
loop): each cell's words, the badges of each risk state, escaping, the clinic's time zone.

The expected words are docs/staff.md's ("The risk workflow", "Partial submissions") and the
staff labels of the vocabulary, written out here; a line is a hand-made ``queue.Row`` so every
state is drawn without the database deciding which lines exist.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from markupsafe import escape

from intake.extensions import db
from intake.services import queue as qs
from intake.services import settings
from intake.staff.queue_rows import _text, queue_rows

SUBMITTED = datetime(2026, 6, 11, 23, 19, 32, tzinfo=UTC)
NOW = datetime(2026, 6, 12, 2, 39, tzinfo=UTC)  # 3 h 19 min later


def row(**changes: object) -> qs.Row:
    values: dict[str, object] = {
        "id": 41,
        "reference": "R2MX-HWEN",
        "status": "needs_info",
        "urgent": False,
        "acute": False,
        "acknowledged_at": None,
        "risk_signed_off_at": None,
        "submitted_at": SUBMITTED,
        "last_name": "Mendoza",
        "date_of_birth": date(1992, 5, 20),
        "primary_concern": "depression",
        "coverage_type": "commercial",
        "partial": False,
        "phq9_total": 23,
        "top_flag": "suicide_risk_acute",
        "review_decision": None,
        "first_name": "Eugenia",
        "payer": "Aetna",
        "first_pathway": "crisis_support",
        "prior_auth": None,
        "assigned_to": None,
    }
    return qs.Row(**(values | changes))  # type: ignore[arg-type]


def cells(html: str) -> list[str]:
    """Each ``<td>`` of the one line, its tags dropped and spaces collapsed."""
    found = re.findall(r"<td>(.*?)</td>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in found]


def draw(app: Flask, *rows: qs.Row, pinned: bool = False) -> str:
    with app.test_request_context("/staff/"):
        return str(queue_rows(rows, pinned=pinned, now=NOW))


def test_every_cell_of_a_plain_line(app: Flask) -> None:
    html = draw(app, row())
    assert html.startswith('<tr class="">') and html.count("<tr") == 1
    assert cells(html) == [
        "Mendoza, Eugenia",
        "R2MX-HWEN",
        "1992-05-20",
        "23 Severe (20-27)",
        "suicide risk acute",
        "Crisis support now",
        "Depression",
        "Commercial Aetna",
        "Not checked yet",
        "Awaiting",
        "nobody",
        "Needs information",
        "2026-06-11 23:19 UTC",
    ]
    assert '<a href="/staff/submissions/41">Mendoza, Eugenia</a>' in html
    assert '<time datetime="2026-06-11T23:19:32+00:00">' in html
    assert "<td><strong>Awaiting</strong></td>" in html
    assert "Waiting" not in html  # only pinned lines say how long


def test_a_line_with_nothing_answered_yet(app: Flask) -> None:
    html = draw(
        app,
        row(
            primary_concern=None,
            coverage_type=None,
            phq9_total=None,
            top_flag=None,
            first_pathway=None,
            payer=None,
            partial=True,
            prior_auth="submitted",
            assigned_to="desk@clinic.example",
            review_decision=None,
            status="closed",
        ),
    )
    assert cells(html)[1:] == [
        "R2MX-HWEN",
        "1992-05-20",
        "not answered yet",
        "none",
        "none",
        "not answered yet",
        "not answered yet",
        "Submitted: decision pending",
        "not yet possible",
        "desk@clinic.example",
        "Closed",
        "2026-06-11 23:19 UTC",
    ]
    assert '<span class="badge warn">PARTIAL – form not finished</span>' in html


@pytest.mark.parametrize(
    ("changes", "line_class", "badge", "state"),
    [
        (
            {"urgent": True, "acute": True},
            "row-urgent",
            "ACUTE RISK – crisis support now – not acknowledged",
            "not contacted",
        ),
        ({"urgent": True}, "row-urgent", "URGENT – not acknowledged", "not contacted"),
        (
            {"urgent": True, "acknowledged_at": SUBMITTED},
            "row-urgent-ack",
            "Urgent – acknowledged",
            "acknowledged, awaiting clinician",
        ),
        (
            {"urgent": True, "acute": True, "acknowledged_at": SUBMITTED,
             "last_contact_outcome": "left_voicemail"},
            "row-urgent-ack",
            "Acute risk – acknowledged",
            "contacted (left a voicemail), awaiting clinician",
        ),
        (
            {"urgent": True, "acknowledged_at": SUBMITTED, "risk_signed_off_at": NOW},
            "row-urgent-ack",
            "Urgent – acknowledged",
            "signed off by clinician",
        ),
    ],
)  # fmt: skip
def test_each_risk_state_has_its_badge_and_words(
    app: Flask, changes: dict[str, object], line_class: str, badge: str, state: str
) -> None:
    html = draw(app, row(**changes))
    assert html.startswith(f'<tr class="{line_class}">')
    assert re.search(r'<span class="badge urgent[^"]*">([^<]+)</span>', html)[1] == badge  # type: ignore[index]
    assert re.search(r'<span class="risk-state[^"]*">([^<]+)</span>', html)[1] == state  # type: ignore[index]


def test_pinned_lines_say_how_long_they_waited(app: Flask) -> None:
    html = draw(app, row(urgent=True), row(id=42, urgent=True), pinned=True)
    assert html.count("<strong>Waiting 3 h 19 min</strong>") == 2


def test_the_lines_linking_partial_and_full(app: Flask) -> None:
    html = draw(app, row(completes_reference="PART-0001", completed_by_reference="FULL-0002"))
    assert '<br><span class="muted">Completes partial PART-0001</span>' in html
    assert '<br><span class="muted">Completed by FULL-0002</span>' in html


def test_what_a_patient_typed_is_escaped(app: Flask) -> None:
    html = draw(
        app,
        row(last_name="<b>O'Brien</b>", first_name='Ann "& co"', payer="<script>x</script>"),
    )
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;O&#39;Brien&lt;/b&gt;, Ann &#34;&amp; co&#34;" in html
    assert "Commercial<br>&lt;script&gt;x&lt;/script&gt;" in html


def test_times_are_in_the_clinics_zone(app: Flask) -> None:
    settings.set_setting(settings.CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    db.session.commit()
    html = draw(app, row())
    assert "2026-06-11 19:19 EDT" in html  # 23:19 UTC is 19:19 in New York in June


def test_unknown_codes_show_as_themselves(app: Flask) -> None:
    html = draw(app, row(status="archived_2019", first_pathway="retired_pathway"))
    assert "<td>archived_2019</td>" in html and "<td>retired_pathway</td>" in html


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Mendoza",
        "O'Brien",
        'Ann "& co"',
        "<script>alert(1)</script>",
        "&amp; already escaped",
        "Núñez-García ĳ 李",
        "".join(chr(c) for c in range(32, 127)),
        "\t\n\r",
    ],
)
def test_the_lines_escape_exactly_as_markupsafe(value: str) -> None:
    """The lines escape with a plain-string function (no ``Markup`` per value, issue 13): it
    must give markupsafe's ``escape`` byte for byte, which the template used to apply."""
    assert _text(value) == str(escape(value))
