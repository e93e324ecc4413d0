"""The front-desk queue: pinned urgent submissions, filters, search, sorting and pages.

Unacknowledged urgent submissions matching the filters are pinned above the list, acute first,
then longest waiting first (the partial index ``ix_submission_pinned`` holds only those rows,
in that order). The list below holds everything else, sorted as asked, one page at a time.

Built for a million submissions (docs/staff.md, "Speed at 1,000,000 submissions"):

- **Counts are exact up to** ``COUNT_CAP`` (a COUNT over a LIMITed subquery) and otherwise
  "more than 10,000", so no page counts a million rows; with two filters or more the list's
  count stops at ``COMBINED_COUNT_CAP`` ("more than 500": ``count_cap``), as no one index
  holds both and each row counted is read from the table. The list's count is every match less
  the pinned ones, so it reads only the filters' own indexes.
- **Pages are keyset pages.** Every sort ends in the id, and each has an index in that order.
  "Next" asks for the rows after the last row shown and "Previous" for the rows before the
  first (a cursor names the row: its sort, its id, and for the status sort the status it had),
  so a deep page costs what the first does, and a submission arriving meanwhile does not shift
  the page. A page asked by number alone (First, Last, an old form) is read with OFFSET.
- **The pinned rows** are read as ids from their partial index (which carries the filtered
  and searched columns), a pathway looked up per row (an EXISTS), then only those rows are
  loaded.
- **The pathway filter** reads the ``submission_pathway`` join table through its
  ``(code, submitted_at, submission_id)`` index: newest or oldest first straight from it, and
  its count there alone. The search reads the reference's unique index and the folded-name
  prefix index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, aliased

from intake.extensions import db
from intake.models import CheckIn, InsuranceVerification, Submission, User
from intake.models.submission import SubmissionPathway, pinned_condition, unsigned_condition
from intake.models.workflow import status_rank
from intake.names import fold_name
from intake.rules import ruleset
from intake.services import settings
from intake.services.courses import urgent_open_condition, urgent_unsigned_condition
from intake.services.insurance import PRIOR_AUTH_WORDS
from intake.services.risk import last_contacts

PAGE_SIZE = 50
PINNED_LIMIT = 100
#: Counts are exact up to this many rows; past it the page says "more than 10,000".
COUNT_CAP = 10_000
#: The list's count with two or more filters (or a filter and a search) is exact up to this
#: many rows, then "more than 500" (docs/staff.md, "Counts"): no single index holds two filters,
#: so their count visits every matching row it counts in the table (10,001 of them took
#: 110-124 ms at 1,000,000 submissions, issue 13), and nobody pages through ten pages of a
#: combination.
COMBINED_COUNT_CAP = 500

SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "last_name": "Last name A-Z",
    "status": "Status (workflow order)",
}

#: PHQ-9 bands (Kroenke et al. 2001, clinical-facts.md) as the worklist filters them: band ->
#: (lowest total, highest total, words).
PHQ9_BANDS: dict[str, tuple[int, int, str]] = {
    "minimal": (0, 4, "Minimal (0-4)"),
    "mild": (5, 9, "Mild (5-9)"),
    "moderate": (10, 14, "Moderate (10-14)"),
    "moderately_severe": (15, 19, "Moderately severe (15-19)"),
    "severe": (20, 27, "Severe (20-27)"),
}

#: The worklist's prior-authorization filter: "pending" is needed or submitted (a payer's
#: answer is awaited or a request must be sent), then each recorded status.
PRIOR_AUTH_FILTERS: dict[str, str] = {
    "pending": "Pending (needed or submitted)",
    **{code: words for code, words in PRIOR_AUTH_WORDS.items() if code != "unknown"},
}
PRIOR_AUTH_PENDING = ("needed", "submitted")

REVIEW_FILTERS: dict[str, str] = {
    "awaiting": "Awaiting clinician review",
    "agree": "Reviewed: agreed",
    "different": "Reviewed: chose different pathways",
}


def phq9_band(total: int | None) -> str:
    """The band of a PHQ-9 total in words ("" when there is none)."""
    if total is None:
        return ""
    return next((words for low, high, words in PHQ9_BANDS.values() if low <= total <= high), "")


def flag_codes() -> dict[str, str]:
    """Flag codes of the loaded ruleset, in its order, with their words (the flag filter)."""
    return {rule.code: rule.code.replace("_", " ") for rule in ruleset.default_ruleset().flags}


def pathway_titles() -> dict[str, str]:
    """Pathway codes and titles of the loaded ruleset, in priority order (the pathway filter).

    Read from the ruleset on each call, not copied here, so a pathway added to ``ruleset.yaml``
    can be filtered on with no other change.
    """
    return {rule.code: rule.title for rule in ruleset.default_ruleset().pathways}


def _parse_date(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class QueueFilters:
    status: str = ""
    urgent: str = ""  # "", "yes", "no"
    concern: str = ""
    coverage: str = ""
    pathway: str = ""
    date_from: str = ""
    date_to: str = ""
    phq9: str = ""
    flag: str = ""
    payer: str = ""
    prior_auth: str = ""
    review: str = ""
    #: "me", "nobody" or an account's id.
    assigned: str = ""
    q: str = ""
    sort: str = "newest"
    page: int = 1
    problems: list[str] = field(default_factory=list)
    #: Who is looking (what "assigned to me" means); not a filter of its own.
    viewer_id: int | None = None
    #: Where the page buttons were pressed: that page's number and the cursors of its first
    #: and last rows (``Page.first_row`` / ``Page.last_row``); not filters.
    from_page: int = 0
    first_row: str = ""
    last_row: str = ""

    #: The day a typed date names (YYYY-MM-DD, MM/DD/YYYY or MM-DD-YYYY), or None.
    parse_date = staticmethod(_parse_date)

    def as_form(self) -> dict[str, str]:
        """The filters as form fields (for hidden inputs carrying them to the next page), in
        the order they are declared. Read field by field: ``dataclasses.asdict`` copied every
        value deeply, and a queue page asks for them about eight times (issue 13)."""
        return {name: str(value) for name in _FORM_FIELDS if (value := getattr(self, name))}

    @property
    def active(self) -> bool:
        return any(v for k, v in self.as_form().items() if k != "sort")


#: The fields of ``QueueFilters`` that are form fields, in their order (``as_form``).
_FORM_FIELDS = tuple(
    f.name
    for f in fields(QueueFilters)
    if f.name not in ("problems", "page", "from_page", "first_row", "last_row", "viewer_id")
)


def _conditions(
    f: QueueFilters, *, pinned: bool = False, pathway: bool = True
) -> list[sa.ColumnElement[bool]]:
    """The filters as conditions (without the pathway's unless ``pathway``).

    For the ``pinned`` rows, which are few (the partial index), every filter is checked row by
    row as that index is read: "urgent only" is left out (they all are; a repeated ``urgent``
    would steer PostgreSQL off the partial index) and the pathway an EXISTS: a lookup per
    pinned row on its primary key (or, for a rare pathway, its few rows hashed), never a join
    that reads every submission of a common pathway first.
    """
    s = Submission
    conds: list[sa.ColumnElement[bool]] = []
    if f.status:
        conds.append(s.status == f.status)
    if f.urgent == "yes" and not pinned:
        conds.append(s.urgent.is_(True))
    elif f.urgent == "no":
        conds.append(s.urgent.is_(False))
    if f.concern:
        conds.append(s.primary_concern == f.concern)
    if f.coverage:
        conds.append(s.coverage_type == f.coverage)
    if f.pathway and pathway and pinned:
        # EXISTS (a semi-join) rather than a scalar subquery in the filter: PostgreSQL costs a
        # filter's subquery per row of the partial index as if it held ~95,000 rows (its
        # predicate's estimate, not the index's 2,500), so with a status filter too it chose a
        # BitmapAnd of the pinned index and the status index (119,000 entries) first: 24-37 ms
        # at 1,000,000 submissions, against 0.2-8 ms as a semi-join (issue 13).
        conds.append(
            sa.exists().where(
                SubmissionPathway.submission_id == s.id, SubmissionPathway.code == f.pathway
            )
        )
    elif f.pathway and pathway:
        conds.append(
            s.id.in_(
                sa.select(SubmissionPathway.submission_id).where(
                    SubmissionPathway.code == f.pathway
                )
            )
        )
    if not pinned:
        # The urgent rows waiting for someone stay pinned whatever the worklist filters say (a
        # partial has no PHQ-9 and is never "awaiting review"; an urgent row is nobody's yet).
        conds.extend(_worklist_conditions(f))
    start = _parse_date(f.date_from) if f.date_from else None
    end = _parse_date(f.date_to) if f.date_to else None
    if start:
        conds.append(s.submitted_at >= settings.day_start(start))  # the clinic's days
    if end and end < date.max:  # up to 9999-12-31 means no upper bound (and has no next day)
        conds.append(s.submitted_at < settings.day_start(end + timedelta(days=1)))
    if f.q:
        dob = _parse_date(f.q)
        if dob is not None:
            conds.append(s.date_of_birth == dob)
        else:
            # Stored names are folded with casefold(); also try without accents, so "alvarez"
            # finds a name stored accent-free and "Álvarez" finds one stored with its accent.
            names = {f.q.strip().casefold(), fold_name(f.q)}
            compact = re.sub(r"[\s-]", "", f.q).upper()
            references = {compact, f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact}
            conds.append(
                sa.or_(
                    s.reference.in_(sorted(references)),
                    *(s.last_name_folded.like(f"{_escape_like(n)}%", escape="\\") for n in names),
                )
            )
    return conds


def _worklist_conditions(f: QueueFilters) -> list[sa.ColumnElement[bool]]:
    """The worklist's filters, each on a column of its own index (migration 0016); prior
    authorization through ``ix_insurance_verification_prior_auth``."""
    s = Submission
    conds: list[sa.ColumnElement[bool]] = []
    if f.phq9 in PHQ9_BANDS:
        low, high, _words = PHQ9_BANDS[f.phq9]
        conds.append(s.phq9_total.between(low, high))
    if f.flag:
        conds.append(s.top_flag == f.flag)
    if f.payer and (payer := fold_name(f.payer)):
        conds.append(s.payer_folded.like(f"{_escape_like(payer)}%", escape="\\"))
    if f.prior_auth:
        wanted = PRIOR_AUTH_PENDING if f.prior_auth == "pending" else (f.prior_auth,)
        conds.append(
            s.id.in_(
                sa.select(InsuranceVerification.submission_id).where(
                    InsuranceVerification.prior_auth.in_(wanted)
                )
            )
        )
    if f.review == "awaiting":
        conds.append(sa.and_(s.review_decision.is_(None), s.partial.is_(False)))
    elif f.review:
        conds.append(s.review_decision == f.review)
    if f.assigned == "me":
        conds.append(s.assigned_to_id == (f.viewer_id if f.viewer_id is not None else -1))
    elif f.assigned == "nobody":
        conds.append(s.assigned_to_id.is_(None))
    elif f.assigned.isdigit():
        conds.append(s.assigned_to_id == int(f.assigned))
    return conds


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pinned_condition() -> sa.ColumnElement[bool]:
    # Written as the partial index ``ix_submission_pinned`` states it, so the index is used.
    return pinned_condition()


#: The columns a line of the queue shows: read as plain rows, not ORM objects (no identity map,
#: no JSON documents; the first name is read with a JSON path).
_ROW_COLUMNS = (
    Submission.id,
    Submission.reference,
    Submission.status,
    Submission.urgent,
    Submission.acute,
    Submission.acknowledged_at,
    Submission.risk_signed_off_at,
    Submission.submitted_at,
    Submission.last_name,
    Submission.date_of_birth,
    Submission.primary_concern,
    Submission.coverage_type,
    Submission.partial,
    Submission.phq9_total,
    Submission.top_flag,
    Submission.review_decision,
)


@dataclass(frozen=True, slots=True)
class Row:
    """What one line of the queue shows (the JSON documents are not loaded for a list)."""

    id: int
    reference: str
    status: str
    urgent: bool
    acute: bool
    acknowledged_at: datetime | None
    risk_signed_off_at: datetime | None
    submitted_at: datetime
    last_name: str
    date_of_birth: date
    #: None on a partial submission sent before these steps were answered.
    primary_concern: str | None
    coverage_type: str | None
    #: Sent from the support page before the form was finished (docs/staff.md).
    partial: bool
    phq9_total: int | None
    top_flag: str | None
    #: The latest clinician review's decision; None until a clinician reviewed it.
    review_decision: str | None
    first_name: str
    #: The worklist's other columns: the payer as typed, the evaluation's first pathway, the
    #: prior-authorization status on the insurance checklist, the assignee's address.
    payer: str | None = None
    first_pathway: str | None = None
    prior_auth: str | None = None
    assigned_to: str | None = None
    #: The outcome of the latest contact attempt of an urgent line that is acknowledged but not
    #: signed off ("contacted (no answer), awaiting clinician"); None otherwise.
    last_contact_outcome: str | None = None
    #: The partial submission a full one completes, and the full one completing a partial.
    completes_reference: str | None = None
    completed_by_reference: str | None = None

    @property
    def risk_state(self) -> str:
        """Where an urgent line stands in the risk workflow (docs/staff.md): ``not_contacted``,
        ``contacted`` (awaiting a clinician), ``acknowledged`` (by the earlier form, awaiting a
        clinician) or ``signed_off``; "" for a line that is not urgent."""
        if not self.urgent:
            return ""
        if self.risk_signed_off_at is not None:
            return "signed_off"
        if self.last_contact_outcome is not None:
            return "contacted"
        return "acknowledged" if self.acknowledged_at is not None else "not_contacted"


def _one(column: Any, where: sa.ColumnElement[bool], label: str) -> sa.Label[Any]:
    """A value from one related row of each line (a unique key), as a labelled column."""
    return sa.select(column).where(where).scalar_subquery().label(label)


@cache
def _line_columns() -> tuple[Any, ...]:
    """The columns of a queue line, built once per process (a SQL expression is immutable):
    building them, with an alias of the submission table, for each list of each page was
    about 70 column objects per page (issue 13's profile)."""
    first_name = sa.func.coalesce(
        Submission.answers["patient"]["first_name"].as_string(),
        Submission.answers["contact"]["first_name"].as_string(),  # a partial's (docs/staff.md)
    ).label("first_name")
    other = aliased(Submission)
    completes = _one(other.reference, other.id == Submission.completes_id, "completes_reference")
    completed_by = _one(
        other.reference, other.completes_id == Submission.id, "completed_by_reference"
    )
    payer = Submission.answers[("insurance", "payer_name")].as_string().label("payer")
    first_pathway = (
        Submission.evaluation[("pathways", 0, "code")].as_string().label("first_pathway")
    )
    prior_auth = _one(
        InsuranceVerification.prior_auth,
        InsuranceVerification.submission_id == Submission.id,
        "prior_auth",
    )
    assigned_to = _one(User.email, User.id == Submission.assigned_to_id, "assigned_to")
    return (
        *_ROW_COLUMNS,
        first_name,
        completes,
        completed_by,
        payer,
        first_pathway,
        prior_auth,
        assigned_to,
    )


def _rows(stmt: sa.Select[Any]) -> list[Row]:
    """The queue lines for the submissions ``stmt`` selects, in its order.

    The latest contact attempt of the urgent lines waiting for a clinician is read for the
    whole page in one more query (none when the page has no such line), never one per line.
    """
    lines = stmt.with_only_columns(*_line_columns())
    found = [values._asdict() for values in db.session.execute(lines)]
    waiting = [
        v["id"]
        for v in found
        if v["urgent"] and v["acknowledged_at"] is not None and v["risk_signed_off_at"] is None
    ]
    contacts = last_contacts(waiting)
    return [
        Row(
            **{**values, "first_name": values["first_name"] or ""},
            last_contact_outcome=(c.outcome if (c := contacts.get(values["id"])) else None),
        )
        for values in found
    ]


def _lines(ids: sa.Select[Any], key: Key) -> list[Row]:
    """The queue lines of the submissions ``ids`` selects (their ids, ordered and limited), in
    ``key``'s order: one statement, the chosen ids read in a subquery (a scan of the sort's
    index) and only those rows loaded, where the ids and then their lines were two round trips
    (issue 13). ``key`` may name the pathway table's copies of ``submitted_at`` and the id
    (the pathway filter's order); the lines are ordered by the submission's own, the same
    values."""
    order = [
        (Submission.id if column.key == "submission_id" else getattr(Submission, column.key))
        for column, _descending in key
    ]
    chosen = ids.subquery()
    return _rows(
        sa.select(Submission)
        .where(Submission.id.in_(sa.select(chosen.c[0])))
        .order_by(
            *(
                column.desc() if descending else column.asc()
                for column, (_key_column, descending) in zip(order, key, strict=True)
            )
        )
    )


@dataclass(frozen=True)
class Count:
    """How many rows matched: exact up to ``COUNT_CAP``, else ``more`` (and ``value`` is the cap).

    Prints as the page shows it: "1,234" or "more than 10,000".
    """

    value: int
    more: bool = False

    def __str__(self) -> str:
        return f"more than {self.value:,}" if self.more else f"{self.value:,}"

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0


@dataclass
class Pinned:
    rows: list[Row]
    total: Count


def select_pinned(f: QueueFilters) -> sa.Select[Any]:
    """Every unacknowledged urgent submission matching the filters: acute suicide risk first,
    then longest waiting first.

    The queue shows the first ``PINNED_LIMIT`` of them; the CSV export streams them all. With
    ``urgent=no`` nothing is pinned, so the statement matches no row.
    """
    stmt = (
        sa.select(Submission)
        .where(_pinned_condition(), *_conditions(f, pinned=True))
        .order_by(Submission.acute.desc(), Submission.submitted_at.asc(), Submission.id.asc())
    )
    return stmt.where(sa.false()) if f.urgent == "no" else stmt


def select_listed(f: QueueFilters) -> sa.Select[Any]:
    """Every other submission matching the filters, sorted as asked (the list under the pins)."""
    return (
        sa.select(Submission)
        .where(sa.not_(_pinned_condition()), *_conditions(f))
        .order_by(*_order(f.sort))
    )


def count_matching(stmt: sa.Select[Any], cap: int | None = None) -> Count:
    """How many submissions ``select_pinned`` or ``select_listed`` matches, exact up to ``cap``.

    One query, ``SELECT count(*) FROM (SELECT 1 ... LIMIT cap + 1)``: it stops reading after
    ``cap + 1`` rows however many match. ``cap`` is ``COUNT_CAP`` unless given.
    """
    cap = COUNT_CAP if cap is None else cap
    found = _count_where(stmt.whereclause, cap + 1)
    return Count(cap, more=True) if found > cap else Count(found)


def _count_where(where: sa.ColumnElement[bool] | None, limit: int) -> int:
    """How many submissions match ``where``, counting at most ``limit``."""
    inner = sa.select(sa.literal(1)).select_from(Submission)
    if where is not None:
        inner = inner.where(where)
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(inner.limit(limit).subquery()))
        or 0
    )


def count_cap(f: QueueFilters) -> int:
    """Up to how many rows the list's count is exact: ``COUNT_CAP`` with one filter (or a
    search) at most, ``COMBINED_COUNT_CAP`` with more (the date range is one filter; the sort
    none)."""
    used = {"date" if k in ("date_from", "date_to") else k for k in f.as_form() if k != "sort"}
    return min(COUNT_CAP, COMBINED_COUNT_CAP) if len(used) > 1 else COUNT_CAP


def count_listed(f: QueueFilters, pinned_total: Count | None = None) -> Count:
    """How many submissions the list holds (those ``select_listed`` matches), exact up to
    ``count_cap(f)``.

    Counted as every match of the filters less the pinned ones (``pinned_total``, counted here
    when not given): every match needs no column but the filters' own, so it is read from their
    indexes alone (the pathway index, the status index, ...) instead of visiting each row to
    see whether it is pinned; the pinned ones are the few rows of the partial index.
    """
    cap = count_cap(f)
    pinned_total = Count(0) if f.urgent == "no" else pinned_total
    if pinned_total is None:
        pinned_total = count_matching(select_pinned(f))
    if pinned_total.more:
        return count_matching(select_listed(f), cap)
    limit = cap + pinned_total.value + 1
    others = _conditions(f, pathway=False)
    if f.pathway and not others:
        # A pathway alone: its rows in the join table are the matches (an index-only count).
        every = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(sa.literal(1))
                .where(SubmissionPathway.code == f.pathway)
                .limit(limit)
                .subquery()
            )
        )
    else:
        conditions = _conditions(f)
        every = _count_where(sa.and_(*conditions) if conditions else None, limit)
    listed = (every or 0) - pinned_total.value
    return Count(cap, more=True) if listed > cap else Count(max(listed, 0))


def matching_ids(*statements: sa.Select[Any]) -> list[int]:
    """The ids ``select_pinned`` / ``select_listed`` statements match, in their order, each
    once: the statements are read one after the other, not in one snapshot, so a submission a
    colleague acknowledges between them is matched by both (pinned, then listed). It keeps its
    first place."""
    return list(
        dict.fromkeys(
            submission_id
            for statement in statements
            for submission_id in db.session.scalars(statement.with_only_columns(Submission.id))
        )
    )


def pinned(f: QueueFilters, total: Count | None = None) -> Pinned:
    """Unacknowledged urgent submissions matching the filters, acute first, then oldest first.

    ``total`` is their count when the caller has it already (the unfiltered queue: the staff
    header's ``UrgentCounts.unacknowledged``); it is counted here otherwise, and only when
    there are more of them than the page shows.
    """
    if f.urgent == "no":
        return Pinned([], Count(0))
    stmt = select_pinned(f)
    # The ids in a subquery: the filters read only columns the partial index carries, so it
    # is a scan of that small index in the list's order; then the lines of those rows.
    rows = _lines(stmt.with_only_columns(Submission.id).limit(PINNED_LIMIT), _PINNED_KEY)
    if len(rows) < PINNED_LIMIT:
        return Pinned(rows, Count(len(rows)))
    if total is None or (not total.more and total.value < len(rows)):
        total = count_matching(stmt)  # (a count read before more rows arrived is read again)
    return Pinned(rows, total)


#: A sort's key: its columns in order, each with whether it is descending.
Key = list[tuple[QueryableAttribute[Any], bool]]
#: The pinned rows' order (``select_pinned``): acute first, then longest waiting, then the id.
_PINNED_KEY: Key = [
    (Submission.acute, True),
    (Submission.submitted_at, False),
    (Submission.id, False),
]


#: Each sort's key, column by column (descending or not); every key ends in the id, so it is a
#: total order, and each has an index in that order (``models.submission``).
def _key(sort: str) -> Key:
    s = Submission
    if sort == "oldest":
        return [(s.submitted_at, False), (s.id, False)]
    if sort == "last_name":
        return [(s.last_name_folded, False), (s.id, False)]
    if sort == "status":
        return [(s.status_rank, False), (s.submitted_at, True), (s.id, True)]
    return [(s.submitted_at, True), (s.id, True)]


def _order(sort: str) -> list[sa.UnaryExpression[Any]]:
    return [column.desc() if descending else column.asc() for column, descending in _key(sort)]


def cursor_for(sort: str, row: Row) -> str:
    """The cursor naming ``row``'s place in ``sort``: ``sort.id``, and for the status sort the
    status it had (a status can change; the row's other key columns never do)."""
    if sort == "status":
        return f"{sort}.{row.id}.{row.status}"
    return f"{sort}.{row.id}"


_CURSOR = re.compile(r"(?P<sort>[a-z_]{1,20})\.(?P<id>\d{1,18})(?:\.(?P<status>[a-z_]{1,32}))?")


def _cursor_key(sort: str, cursor: str) -> list[Any] | None:
    """The sort key values of the row a cursor names, or None if it names no row of ``sort``."""
    match = _CURSOR.fullmatch(cursor)
    if match is None or match["sort"] != sort or (sort == "status") != bool(match["status"]):
        return None
    columns = [column for column, _descending in _key(sort)]
    found = db.session.execute(
        sa.select(*columns).where(Submission.id == int(match["id"]))
    ).one_or_none()
    if found is None:
        return None
    values = list(found)
    if sort == "status":
        values[0] = status_rank(match["status"])
    return values


def _beyond(key: Key, values: list[Any]) -> list[sa.ColumnElement[bool]]:
    """The rows after ``values`` in ``key``'s order, as one condition per run of columns sorted
    the same way: ``(a, b) < (x, y)`` for newest first (one index range), and for the status
    sort "same status, (submitted_at, id) < (t, i)" or "a later status"."""
    runs: list[list[int]] = []
    for i, (_column, descending) in enumerate(key):
        if runs and key[runs[-1][0]][1] == descending:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for n, run in enumerate(runs):
        same = [key[i][0] == _bind(key[i][0], values[i]) for prior in runs[:n] for i in prior]
        columns = [key[i][0] for i in run]
        bound = [_bind(key[i][0], values[i]) for i in run]
        left, right = (
            (columns[0], bound[0]) if len(run) == 1 else (sa.tuple_(*columns), sa.tuple_(*bound))
        )
        parts.append(sa.and_(*same, left < right if key[run[0]][1] else left > right))
    return parts


def _listed_in_order(f: QueueFilters) -> tuple[sa.Select[Any], Key]:
    """``select_listed(f)`` and its sort key, as the page reads them.

    A pathway filter sorted by time is read from the join table's
    ``(code, submitted_at, submission_id)`` index in that order, each row checked against the
    submission (not pinned, the other filters) until the page is full: as fast for a pathway
    of a few rows as for one of half a million, and for one whose newest rows are all pinned.
    """
    if f.pathway and f.sort in ("newest", "oldest"):
        p = SubmissionPathway
        descending = f.sort == "newest"
        stmt = (
            sa.select(p.submission_id)
            .join(Submission, Submission.id == p.submission_id)
            .where(p.code == f.pathway, sa.not_(_pinned_condition()))
            .where(*_conditions(f, pathway=False))
        )
        return stmt, [(p.submitted_at, descending), (p.submission_id, descending)]
    return select_listed(f), _key(f.sort)


def _bind(column: QueryableAttribute[Any], value: Any) -> sa.BindParameter[Any]:
    return sa.bindparam(None, value, type_=column.type)


def _page_ids(
    stmt: sa.Select[Any],
    key: Key,
    values: list[Any] | None,
    limit: int,
    offset: int = 0,
) -> sa.Select[Any]:
    """The ids of up to ``limit`` rows of ``stmt`` in ``key``'s order, after ``values`` (a
    keyset page) or after ``offset`` rows, as a statement (``_lines`` reads it as a subquery).
    Several runs (the status sort) are read as a UNION ALL of one index range each, then
    merged."""
    order = [column.desc() if descending else column.asc() for column, descending in key]
    base = stmt.with_only_columns(key[-1][0]).order_by(None)  # the key ends in the id
    if values is None:
        return base.order_by(*order).limit(limit).offset(offset)
    parts = _beyond(key, values)
    if len(parts) == 1:
        return base.where(parts[0]).order_by(*order).limit(limit)
    columns = [column for column, _descending in key]
    # Each part in a subquery of its own: SQLite takes ORDER BY/LIMIT only on a whole compound.
    subqueries = [
        stmt.with_only_columns(*columns)
        .order_by(None)
        .where(part)
        .order_by(*order)
        .limit(limit)
        .subquery()
        for part in parts
    ]
    pieces = [sa.select(*subquery.c) for subquery in subqueries]
    merged = sa.union_all(*pieces).subquery()
    merged_order = [
        merged.c[str(column.key)].desc() if descending else merged.c[str(column.key)].asc()
        for column, descending in key
    ]
    return sa.select(merged.c.id).order_by(*merged_order).limit(limit)


@dataclass
class Page:
    """One page of the list, with what its page buttons need."""

    items: list[Row]
    total: Count
    page: int
    per_page: int
    has_previous: bool
    has_next: bool
    #: Cursors of the first and last rows shown (the Previous / Next buttons carry them).
    first_row: str = ""
    last_row: str = ""
    #: What this page knows of the list's length when ``total`` is capped (``known_total``).
    known: Count | None = None

    @property
    def pages(self) -> int | None:
        """How many pages there are, when the count is exact; None for "more than" (what
        offers Last page: a page read by OFFSET, so only under an exact count)."""
        if self.total.more:
            return None
        return max(1, -(-self.total.value // self.per_page))

    @property
    def known_total(self) -> Count:
        """The list's length as this page can tell it: ``total``, or past a capped count what
        the page learnt (``listing``): exact on the last page and near the end, else "more
        than" the rows up to here and those counted after them. The heading and the position
        line both show it, so they never disagree."""
        return self.total if self.known is None else self.known

    @property
    def pages_text(self) -> str:
        """ "19", or "more than 12": as many pages as ``known_total`` fills, or more than that
        (and more than this page's number while there is a Next); a last page still capped
        (``_at_least``) is the last of this page's number."""
        known = self.known_total
        if not known.more:
            return f"{max(1, -(-known.value // self.per_page)):,}"
        if not self.has_next:
            return f"{self.page:,}"
        return f"more than {max(known.value // self.per_page, self.page):,}"

    @property
    def first_position(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_position(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def listing(
    f: QueueFilters, per_page: int | None = None, *, pinned_total: Count | None = None
) -> Page:
    """One page of the submissions that are not pinned, sorted as asked.

    "Next" (``page == from_page + 1`` with ``last_row``) reads the rows after that row and
    "Previous" (``page == from_page - 1`` with ``first_row``) the rows before the first one,
    on the sort's index; any other page number is read with OFFSET (First, Last, and a page
    asked without its cursors). The count is exact up to ``COUNT_CAP`` (``count_listed``, which
    takes the ``pinned_total`` the page already has); ``per_page`` is ``PAGE_SIZE`` unless given.
    """
    per_page = PAGE_SIZE if per_page is None else per_page
    stmt, key = _listed_in_order(f)
    total = count_listed(f, pinned_total)
    pages = None if total.more else max(1, -(-total.value // per_page))
    page = f.page if pages is None else min(f.page, pages)
    rows: list[Row] | None = None
    has_next = False
    if page > 1 and page == f.from_page + 1 and f.last_row:
        after = _cursor_key(f.sort, f.last_row)
        if after is not None:
            found = _lines(_page_ids(stmt, key, after, per_page + 1), key)
            if found:
                rows, has_next = found[:per_page], len(found) > per_page
    elif page > 1 and page == f.from_page - 1 and f.first_row:
        before = _cursor_key(f.sort, f.first_row)
        if before is not None:
            backwards = [(column, not descending) for column, descending in key]
            found = _lines(_page_ids(stmt, backwards, before, per_page + 1), backwards)
            if len(found) > per_page:
                rows, has_next = found[:per_page][::-1], True
            else:
                page = 1  # nothing before those rows: Previous reached the top of the list
    if rows is None:
        found = _lines(_page_ids(stmt, key, None, per_page + 1, (page - 1) * per_page), key)
        rows, has_next = found[:per_page], len(found) > per_page
    has_previous = page > 1
    last_row = cursor_for(f.sort, rows[-1]) if rows else ""
    known = None
    if total.more and rows:
        shown = (page - 1) * per_page + len(rows)
        if not has_next:
            known = _at_least(Count(shown), total)  # the last page: the list ends here
        elif page > 1:
            known = _known_past(stmt, key, _cursor_key(f.sort, last_row), shown, total)
    return Page(
        rows,
        total,
        page,
        per_page,
        has_previous=has_previous,
        has_next=has_next,
        first_row=cursor_for(f.sort, rows[0]) if rows else "",
        last_row=last_row,
        known=known,
    )


def _known_past(
    stmt: sa.Select[Any], key: Key, after: list[Any] | None, shown: int, total: Count
) -> Count:
    """A capped list's length as a page past the first can know it: the ``shown`` rows up to
    and including its last one, plus those after it, counted up to ``min(COUNT_CAP,
    COMBINED_COUNT_CAP)`` on the sort's index (a read of at most 501 rows, as the capped count
    of two filters). Near the end that makes it exact ("of 946" on page 12 of 19, and on
    page 18 reached by Previous from the last), without carrying a figure in the pager form: a
    count posted back would go stale as rows arrive or change status. Page 1 keeps the count
    alone ("more than 500"), so the page opened most often reads the rows once. Never says
    less than ``total`` did (page 2 of more than 10,000 is not "more than 600")."""
    if after is None:
        return total
    cap = min(COUNT_CAP, COMBINED_COUNT_CAP)
    rest = db.session.scalar(
        sa.select(sa.func.count()).select_from(_page_ids(stmt, key, after, cap + 1).subquery())
    )
    rest = rest or 0
    if rest > cap:
        return Count(max(total.value, shown + cap), more=True)
    return _at_least(Count(shown + rest), total)


def _at_least(known: Count, total: Count) -> Count:
    """``known``, unless it says no more than the capped ``total`` did: page positions count
    from where paging started, so after many arrivals at the top they can run short of the
    count, and then the count ("more than 500") is the truer figure."""
    return known if known.value > total.value else total


#: New arrivals since a page was drawn are counted up to this many ("more than 100 new").
NEW_CAP = 100


def _capped(where: sa.ColumnElement[bool], cap: int) -> sa.ScalarSelect[int]:
    """``count(*)`` of the submissions matching ``where``, reading at most ``cap + 1`` rows."""
    inner = sa.select(sa.literal(1)).select_from(Submission).where(where).limit(cap + 1)
    return sa.select(sa.func.count()).select_from(inner.subquery()).scalar_subquery()


def _count(found: int | None, cap: int) -> Count:
    found = found or 0
    return Count(cap, more=True) if found > cap else Count(found)


@dataclass(frozen=True)
class QueueCursor:
    """Where the queue stood when a page was drawn: its newest submission's id and the
    header's urgent figure (``cap + 1`` when past the cap). Sent to the browser as an opaque
    token (``str``), read back with ``parse``; it names no patient."""

    newest_id: int
    urgent: int

    _FORMAT = re.compile(r"(?P<newest>\d{1,18})\.(?P<urgent>\d{1,6})")

    def __str__(self) -> str:
        return f"{self.newest_id}.{self.urgent}"

    @classmethod
    def parse(cls, token: str) -> QueueCursor | None:
        """The cursor a token names, or None when it is not one."""
        match = cls._FORMAT.fullmatch(token)
        return None if match is None else cls(int(match["newest"]), int(match["urgent"]))


@dataclass(frozen=True)
class UrgentCounts:
    """The urgent figures of the staff header and where the queue stood (one statement).

    ``needing_attention`` is what the header shows: the unacknowledged urgent submissions
    (``unacknowledged``) and the unacknowledged urgent check-ins of courses of care
    (``checkins``), added up (docs/staff.md, "Urgent check-ins").
    """

    needing_attention: Count
    unacknowledged: Count
    newest_id: int
    #: For a clinician: the urgent submissions and check-ins no clinician has signed off yet
    #: (the clinicians' list, ``ix_submission_unsigned``); None when not asked for.
    unsigned: Count | None = None
    #: The urgent check-ins nobody has acknowledged yet (the queue's pinned check-ins).
    checkins: Count = Count(0)

    @property
    def header_text(self) -> str:
        """The header's words: "3 urgent not acknowledged", "more than 10,000 urgent ..."."""
        return f"{self.needing_attention} urgent not acknowledged"

    @property
    def unsigned_text(self) -> str:
        """The clinician's header link: "Urgent, not signed off (3)" ("" when not asked for)."""
        return "" if self.unsigned is None else f"Urgent, not signed off ({self.unsigned})"

    @property
    def cursor(self) -> QueueCursor:
        figure = self.needing_attention
        return QueueCursor(self.newest_id, figure.value + 1 if figure.more else figure.value)


def _newest_id() -> sa.ScalarSelect[int | None]:
    return sa.select(sa.func.max(Submission.id)).scalar_subquery()


def _capped_checkins(where: sa.ColumnElement[bool], cap: int) -> sa.ScalarSelect[int]:
    """``count(*)`` of the check-ins matching ``where``, reading at most ``cap + 1`` rows."""
    inner = sa.select(sa.literal(1)).select_from(CheckIn).where(where).limit(cap + 1)
    return sa.select(sa.func.count()).select_from(inner.subquery()).scalar_subquery()


def _unsigned_figure(clinician: bool) -> sa.ScalarSelect[int]:
    """The capped count of the clinicians' list (``ix_submission_unsigned``), or NULL when
    the reader is not a clinician (the statement keeps one shape)."""
    if clinician:
        return _capped(unsigned_condition(), COUNT_CAP)
    return sa.select(sa.null()).scalar_subquery()


def _unsigned_checkins_figure(clinician: bool) -> sa.ScalarSelect[int]:
    """The capped count of the unsigned urgent check-ins, or NULL when not a clinician."""
    if clinician:
        return _capped_checkins(urgent_unsigned_condition(), COUNT_CAP)
    return sa.select(sa.null()).scalar_subquery()


def _added(*counts: Count) -> Count:
    """Counts added up; "more than" when any of them was past its cap."""
    return Count(sum(c.value for c in counts), more=any(c.more for c in counts))


def _urgent_counts(
    found: int | None,
    checkins: int | None,
    newest: int | None,
    unsigned: int | None,
    unsigned_checkins: int | None,
    *,
    clinician: bool,
) -> UrgentCounts:
    unacknowledged = _count(found, COUNT_CAP)
    open_checkins = _count(checkins, COUNT_CAP)
    return UrgentCounts(
        _added(unacknowledged, open_checkins),
        unacknowledged,
        int(newest or 0),
        _added(_count(unsigned, COUNT_CAP), _count(unsigned_checkins, COUNT_CAP))
        if clinician
        else None,
        open_checkins,
    )


def _header_figures(clinician: bool) -> tuple[sa.ScalarSelect[Any], ...]:
    return (
        _capped(_pinned_condition(), COUNT_CAP),
        _capped_checkins(urgent_open_condition(), COUNT_CAP),
        _newest_id(),
        _unsigned_figure(clinician),
        _unsigned_checkins_figure(clinician),
    )


def urgent_counts(*, clinician: bool = False) -> UrgentCounts:
    """The header's urgent figures, exact up to ``COUNT_CAP``, and the newest submission's id.

    The one place the staff header and the queue's live updates take "urgent" from: one
    statement, the count read from the partial index ``ix_submission_pinned`` (it holds only
    the unacknowledged urgent rows), the urgent check-ins from ``ix_checkin_urgent_open``, and
    the newest id from the primary key; for a clinician also the count of the clinicians' list,
    from ``ix_submission_unsigned``, and of the unsigned urgent check-ins.
    """
    row = db.session.execute(sa.select(*_header_figures(clinician))).one()
    return _urgent_counts(*row, clinician=clinician)


@dataclass(frozen=True)
class QueueChanges:
    """What changed since a cursor: the header's figures now, and how many submissions (and
    unacknowledged urgent ones) arrived since, each exact up to ``NEW_CAP``."""

    counts: UrgentCounts
    new: Count
    new_urgent: Count
    stale: bool


def queue_changes(since: QueueCursor | None, *, clinician: bool = False) -> QueueChanges:
    """The queue's changes since ``since`` (None: nothing is new), in one statement.

    Arrivals are the submissions with a greater id than the cursor's newest (a range of the
    primary key); the urgent ones among them are read from the partial index, which carries
    the id. The page is stale when something arrived or the header's urgent figure moved (an
    acknowledgement elsewhere, an urgent check-in sent). Counts only: no patient data is read.
    """
    if since is None:
        return QueueChanges(urgent_counts(clinician=clinician), Count(0), Count(0), stale=False)
    *figures, new, new_urgent = db.session.execute(
        sa.select(
            *_header_figures(clinician),
            _capped(Submission.id > since.newest_id, NEW_CAP),
            _capped(sa.and_(_pinned_condition(), Submission.id > since.newest_id), NEW_CAP),
        )
    ).one()
    counts = _urgent_counts(*figures, clinician=clinician)
    arrived, arrived_urgent = _count(new, NEW_CAP), _count(new_urgent, NEW_CAP)
    stale = bool(arrived) or counts.cursor.urgent != since.urgent
    return QueueChanges(counts, arrived, arrived_urgent, stale)


def waited(since: datetime, now: datetime | None = None) -> str:
    """How long ago, in words a person reads at a glance: "3 h 20 min", "2 days 4 h"."""
    delta = (now or datetime.now(UTC)) - since
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"
