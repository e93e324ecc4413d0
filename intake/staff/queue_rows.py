"""The queue's table lines, drawn in Python: the ``queue_rows`` template global.

A queue page shows up to 150 lines (100 pinned, 50 listed) of 13 cells. Drawn by a Jinja loop,
each cell was several attribute lookups, filter calls and escapes through the template runtime:
at 1,000,000 submissions that loop was the largest single cost of the page (issue 13,
docs/operations.md "Where a queue page's time goes"). Here each line is one f-string over values
escaped once; the words come from the same places the page's other text does (the vocabulary's
staff labels, the ruleset's pathway titles, ``workflow.STATUSES``, the prior-authorization
words) and the clinic's time zone is read once per table, not once per line. A column's cell
for a code (a concern, a status, a PHQ-9 total with its band...) is made once per table, and
values are escaped to plain strings (``_text``), not ``Markup`` objects: escaping was ~2,500
calls of markupsafe's ``escape`` a page, each making an object (issue 13, "The queue page's
statements and lines").

The markup is the template's: the same elements, classes, words and order (tests/staff).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import url_for
from markupsafe import Markup

from intake.clinic import format_time
from intake.pages import labels
from intake.services import queue as qs
from intake.services import settings, workflow
from intake.services.insurance import PRIOR_AUTH_WORDS

_RISK_WORDS = {
    "signed_off": "signed off by clinician",
    "acknowledged": "acknowledged, awaiting clinician",
    "not_contacted": "not contacted",
}


def _text(value: str) -> str:
    """``value`` as HTML text, byte for byte what markupsafe's ``escape`` makes of a string
    (``& < > " '``), as a plain ``str``: a quarter of ``escape``'s time, which also builds a
    ``Markup`` object for every value (tests/staff/test_queue_rows.py compares the two)."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


class _Cells(dict[Any, str]):
    """A column's cell markup by code, each made by ``make`` the first time it is asked for:
    150 lines hold a handful of distinct concerns, statuses or PHQ-9 totals."""

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, code: Any) -> str:
        self[code] = found = self._make(code)
        return found


def _badges(row: qs.Row, outcomes: Mapping[str | None, str]) -> str:
    """The first cell's badges: urgency (and whether acknowledged), risk state, partial."""
    parts = []
    if row.urgent and not row.acknowledged_at:
        words = "ACUTE RISK – crisis support now" if row.acute else "URGENT"
        parts.append(f'<span class="badge urgent">{words} – not acknowledged</span>')
    elif row.urgent:
        words = "Acute risk" if row.acute else "Urgent"
        parts.append(f'<span class="badge urgent-ack">{words} – acknowledged</span>')
    if row.urgent:
        state = row.risk_state
        if state == "contacted":
            words = f"contacted ({_text(outcomes[row.last_contact_outcome])}), awaiting clinician"
        else:
            words = _RISK_WORDS.get(state, "not contacted")
        parts.append(f'<span class="risk-state risk-{_text(state)}">{words}</span>')
    if row.partial:
        parts.append('<span class="badge warn">PARTIAL – form not finished</span>')
    return "\n    ".join(parts)


def _review(row: qs.Row) -> str:
    if row.review_decision == "agree":
        return "Agreed"
    if row.review_decision == "different":
        return "Different pathways"
    return "not yet possible" if row.partial else "<strong>Awaiting</strong>"


def queue_rows(rows: Iterable[qs.Row], pinned: bool = False, now: datetime | None = None) -> Markup:
    """The ``<tr>`` lines of ``rows`` (pinned lines also say how long they have waited)."""
    concerns, coverages = labels("primary_concerns"), labels("coverage_types")
    outcomes = labels("contact_outcomes")
    pathway_names = qs.pathway_titles()
    statuses = workflow.STATUSES
    zone = settings.clinic_profile().zone
    link = _text(url_for("staff.submission", submission_id=0)[:-1])  # "/staff/submissions/"
    phq9_cells = _Cells(
        lambda total: (
            f'{total} <span class="muted">{_text(qs.phq9_band(total))}</span>'
            if total is not None
            else "not answered yet"
        )
    )
    flag_cells = _Cells(lambda code: _text(code.replace("_", " ")) if code else "none")
    pathway_cells = _Cells(lambda code: _text(pathway_names.get(code, code)) if code else "none")
    concern_cells = _Cells(lambda code: _text(concerns[code]) if code else "not answered yet")
    coverage_cells = _Cells(lambda code: _text(coverages[code]) if code else "not answered yet")
    prior_auth_cells = _Cells(
        lambda code: _text(PRIOR_AUTH_WORDS.get(code or "unknown", code or ""))
    )
    assignee_cells = _Cells(lambda email: _text(email or "nobody"))
    status_cells = _Cells(lambda code: _text(statuses.get(code, code)))
    lines = []
    for s in rows:
        if s.urgent:
            row_class = "row-urgent" if not s.acknowledged_at else "row-urgent-ack"
        else:
            row_class = ""
        name = f'<a href="{link}{s.id}">{_text(s.last_name)}, {_text(s.first_name)}</a>'
        if s.completes_reference:
            name += (
                f'<br><span class="muted">Completes partial {_text(s.completes_reference)}</span>'
            )
        if s.completed_by_reference:
            name += f'<br><span class="muted">Completed by {_text(s.completed_by_reference)}</span>'
        coverage = coverage_cells[s.coverage_type]
        if s.payer:
            coverage = f"{coverage}<br>{_text(s.payer)}"
        waited = f"<br><strong>Waiting {qs.waited(s.submitted_at, now)}</strong>" if pinned else ""
        lines.append(
            f'<tr class="{row_class}">\n'
            f"  <td>\n    {_badges(s, outcomes)}\n    {name}\n  </td>\n"
            f"  <td>{_text(s.reference)}</td>\n"
            f"  <td>{s.date_of_birth.isoformat()}</td>\n"
            f"  <td>{phq9_cells[s.phq9_total]}</td>\n"
            f"  <td>{flag_cells[s.top_flag]}</td>\n"
            f"  <td>{pathway_cells[s.first_pathway]}</td>\n"
            f"  <td>{concern_cells[s.primary_concern]}</td>\n"
            f"  <td>{coverage}</td>\n"
            f"  <td>{prior_auth_cells[s.prior_auth]}</td>\n"
            f"  <td>{_review(s)}</td>\n"
            f"  <td>{assignee_cells[s.assigned_to]}</td>\n"
            f"  <td>{status_cells[s.status]}</td>\n"
            f'  <td><time datetime="{s.submitted_at.isoformat()}">'
            f"{_text(format_time(s.submitted_at, zone))}</time>{waited}</td>\n"
            "</tr>\n"
        )
    return Markup("".join(lines))  # noqa: S704 - every value escaped above (or a number/date)
