"""CSV export of submissions, streamed, with spreadsheet formula injection neutralised.

A cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-`` or ``@``,
or with a tab or carriage return, per OWASP's "CSV injection" guidance) gets a leading ``'`` so
it is shown as text. Every cell goes through :func:`neutralise`, not only the free-text ones:
a last name or a payer can be typed by anyone.

Free-text answers (what the patient typed in their own words) are exported only when the admin
setting ``export.include_free_text`` allows it; the caller decides and passes ``free_text``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, tzinfo
from typing import Any

from intake.clinic import format_time, local_day
from intake.models import InsuranceVerification, Submission

#: Characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "reference",
    "submitted_at",
    "status",
    "urgent",
    "last_name",
    "first_name",
    "date_of_birth",
    "primary_concern",
    "coverage_type",
    "pathways",
    "flags",
    "partial",
)
#: A partial submission's cell for a step the patient had not answered when sending it.
NOT_ANSWERED = "not answered yet"
FREE_TEXT_COLUMNS = (
    "other_description",
    "medications_as_typed",
    "other_medications",
    "payer_name",
    "subscriber_name",
    "signature",
)


#: The billing export (docs/staff.md, "Exports"): what a biller needs to bill or to chase a
#: prior authorization. Payer, member id and subscriber are administrative data a biller must
#: have, so they are in it whatever the free-text setting says (that setting is about the
#: patient's own words in the general export).
BILLING_COLUMNS = (
    "reference",
    "submitted",
    "last_name",
    "first_name",
    "date_of_birth",
    "coverage_type",
    "payer",
    "member_id",
    "group_number",
    "subscriber_relationship",
    "subscriber_name",
    "subscriber_date_of_birth",
    "eligibility_confirmed",
    "prior_auth_status",
    "prior_auth_reference",
    "prior_auth_requested_on",
    "prior_auth_units",
    "prior_auth_start",
    "prior_auth_end",
    "phq9_total",
    "phq9_date",
)
#: Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; without one, accented
#: names (José, Zoë) come out garbled.
BYTE_ORDER_MARK = "\ufeff"


def columns(*, free_text: bool) -> tuple[str, ...]:
    """The header row."""
    return COLUMNS + FREE_TEXT_COLUMNS if free_text else COLUMNS


def neutralise(value: object) -> str:
    """The cell text, with a leading ``'`` when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _codes(evaluation: dict[str, Any] | None, key: str) -> str:
    return " ".join(item["code"] for item in (evaluation or {}).get(key, []))


def _partial_words(submission: Submission) -> str:
    """ "partial" (sent from the support page), "completes <ref>" (its full one), or ""."""
    if submission.partial:
        return "partial"
    if submission.completes_id is not None and submission.completes is not None:
        return f"completes {submission.completes.reference}"
    return ""


def row(submission: Submission, *, free_text: bool) -> list[str]:
    """One submission as a list of neutralised cells, in :func:`columns` order."""
    answers = submission.answers
    # A partial submission (docs/staff.md) has its contact details instead of "About you", and
    # its steps not answered yet say so instead of leaving a blank that reads as "none".
    patient = answers.get("patient") or answers["contact"]
    cells: list[object] = [
        submission.reference,
        submission.submitted_at.isoformat(timespec="seconds"),
        submission.status,
        "yes" if submission.urgent else "no",
        patient["last_name"],
        patient["first_name"],
        patient["date_of_birth"],
        submission.primary_concern or NOT_ANSWERED,
        submission.coverage_type or NOT_ANSWERED,
        _codes(submission.evaluation, "pathways"),
        _codes(submission.evaluation, "flags"),
        _partial_words(submission),
    ]
    if free_text:
        insurance = answers.get("insurance")
        concerns = answers.get("concerns")
        cells += [
            concerns.get("other_description") if concerns else NOT_ANSWERED,
            "; ".join(trial["name"] for trial in answers["medication_trials"])
            if "medication_trials" in answers
            else NOT_ANSWERED,
            "; ".join(answers["other_medications"])
            if "other_medications" in answers
            else NOT_ANSWERED,
            insurance.get("payer_name") if insurance else NOT_ANSWERED,
            insurance.get("subscriber_name") if insurance else NOT_ANSWERED,
            answers["consent"]["signature"] if "consent" in answers else NOT_ANSWERED,
        ]
    return [neutralise(cell) for cell in cells]


def _tracking(verification: InsuranceVerification | None) -> list[object]:
    """The prior authorization's requested day, approved units and approved days ("" unset)."""
    if verification is None:
        return ["", "", "", ""]
    values = (
        verification.prior_auth_requested_on,
        verification.prior_auth_units,
        verification.prior_auth_start,
        verification.prior_auth_end,
    )
    return ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values]


def billing_row(
    submission: Submission, verification: InsuranceVerification | None, zone: tzinfo
) -> list[str]:
    """One submission for the billing export, in :data:`BILLING_COLUMNS` order; times and the
    PHQ-9's date in the clinic's zone (``zone``: the body is written after the request)."""
    answers = submission.answers
    patient = answers.get("patient") or answers["contact"]
    insurance = answers.get("insurance") or {}
    phq9 = ((submission.evaluation or {}).get("scores") or {}).get("phq9")
    cells: list[object] = [
        submission.reference,
        format_time(submission.submitted_at, zone),
        patient["last_name"],
        patient["first_name"],
        patient["date_of_birth"],
        submission.coverage_type or NOT_ANSWERED,
        insurance.get("payer_name"),
        insurance.get("member_id"),
        insurance.get("group_number"),
        insurance.get("subscriber_relationship"),
        insurance.get("subscriber_name"),
        insurance.get("subscriber_date_of_birth"),
        ("yes" if verification.eligibility_confirmed else "no") if verification else "no",
        verification.prior_auth if verification else "unknown",
        verification.prior_auth_reference if verification else "",
        *_tracking(verification),
        phq9["total"] if phq9 else NOT_ANSWERED,
        local_day(submission.submitted_at, zone).isoformat() if phq9 else "",
    ]
    return [neutralise(cell) for cell in cells]


def stream_billing_csv(
    rows: Iterable[tuple[Submission, InsuranceVerification | None]], zone: tzinfo
) -> Iterator[str]:
    """The billing CSV in chunks, starting with a byte-order mark (for Excel)."""
    yield BYTE_ORDER_MARK
    yield from csv_chunks(BILLING_COLUMNS, (billing_row(s, v, zone) for s, v in rows))


def stream_csv(submissions: Iterable[Submission], *, free_text: bool) -> Iterator[str]:
    """The CSV text in chunks: the header, then one line per submission, never all in memory."""
    rows = (row(submission, free_text=free_text) for submission in submissions)
    return csv_chunks(columns(free_text=free_text), rows)


def csv_chunks(header: Iterable[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text (RFC 4180 line ends) in chunks of 200 lines: the header first, then ``rows``.

    Cells must already be neutralised (:func:`neutralise`); every CSV the app sends is written
    here, so they all quote and end lines the same way.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(list(header))
    yield flush()
    pending = 0
    for cells in rows:
        writer.writerow(cells)
        pending += 1
        if pending == 200:
            yield flush()
            pending = 0
    if pending:
        yield flush()
