"""The queue's table lines, drawn in Python: the ``queue_rows`` template global.

A queue page shows up to 150 lines (100 pinned, 50 listed) of 13 cells. Drawn by a Jinja loop,
each cell was several attribute lookups, filter calls and escapes through the template runtime:
at 1,000,000 submissions that loop was the largest single cost of the page (issue 13,
docs/operations.md "Where a queue page's time goes"). Here each line is one f-string over values
escaped once; the words come from the same places the page's other text does (the vocabulary's
staff labels, the ruleset's pathway titles, ``workflow.STATUSES``, the prior-authorization
words) and the clinic's time zone is read once per table, not once per line.

The markup is the template's: the same elements, classes, words and order (tests/staff).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask import url_for
from markupsafe import Markup, escape

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
            words = f"contacted ({escape(outcomes[row.last_contact_outcome])}), awaiting clinician"
        else:
            words = _RISK_WORDS.get(state, "not contacted")
        parts.append(f'<span class="risk-state risk-{escape(state)}">{words}</span>')
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
    link = escape(url_for("staff.submission", submission_id=0)[:-1])  # "/staff/submissions/"
    lines = []
    for s in rows:
        if s.urgent:
            row_class = "row-urgent" if not s.acknowledged_at else "row-urgent-ack"
        else:
            row_class = ""
        name = f'<a href="{link}{s.id}">{escape(s.last_name)}, {escape(s.first_name)}</a>'
        if s.completes_reference:
            name += (
                f'<br><span class="muted">Completes partial {escape(s.completes_reference)}</span>'
            )
        if s.completed_by_reference:
            name += (
                f'<br><span class="muted">Completed by {escape(s.completed_by_reference)}</span>'
            )
        if s.phq9_total is not None:
            phq9 = f'{s.phq9_total} <span class="muted">{escape(qs.phq9_band(s.phq9_total))}</span>'
        else:
            phq9 = "not answered yet"
        flag = escape(s.top_flag.replace("_", " ")) if s.top_flag else "none"
        pathway = (
            escape(pathway_names.get(s.first_pathway, s.first_pathway))
            if s.first_pathway
            else "none"
        )
        concern = escape(concerns[s.primary_concern]) if s.primary_concern else "not answered yet"
        coverage = escape(coverages[s.coverage_type]) if s.coverage_type else "not answered yet"
        if s.payer:
            coverage = f"{coverage}<br>{escape(s.payer)}"
        prior_auth = escape(PRIOR_AUTH_WORDS.get(s.prior_auth or "unknown", s.prior_auth or ""))
        waited = f"<br><strong>Waiting {qs.waited(s.submitted_at, now)}</strong>" if pinned else ""
        lines.append(
            f'<tr class="{row_class}">\n'
            f"  <td>\n    {_badges(s, outcomes)}\n    {name}\n  </td>\n"
            f"  <td>{escape(s.reference)}</td>\n"
            f"  <td>{s.date_of_birth.isoformat()}</td>\n"
            f"  <td>{phq9}</td>\n"
            f"  <td>{flag}</td>\n"
            f"  <td>{pathway}</td>\n"
            f"  <td>{concern}</td>\n"
            f"  <td>{coverage}</td>\n"
            f"  <td>{prior_auth}</td>\n"
            f"  <td>{_review(s)}</td>\n"
            f"  <td>{escape(s.assigned_to or 'nobody')}</td>\n"
            f"  <td>{escape(statuses.get(s.status, s.status))}</td>\n"
            f'  <td><time datetime="{s.submitted_at.isoformat()}">'
            f"{escape(format_time(s.submitted_at, zone))}</time>{waited}</td>\n"
            "</tr>\n"
        )
    return Markup("".join(lines))  # noqa: S704 - every value escaped above (or a number/date)
