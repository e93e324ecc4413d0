"""The queue's pages at scale: keyset Next/Previous, capped counts, the pathway join table.

Expected orders come from the rows written out here (their times, names and statuses), sorted
as docs/staff.md states each sort: newest first is ``submitted_at`` descending then the later
stored first; oldest the reverse; last name A-Z then the earlier stored; status in workflow
order (``WORKFLOW``, docs/staff.md) then newest.
Pages are walked as a browser does: the pager form's hidden fields posted back with the button.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES, OCD_TWO_FAILED_SRIS
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Submission
from intake.models.types import utcnow
from intake.services import queue
from tests.factories import make_submission, post

PER_PAGE = 4

# reference, minutes before now (equal minutes: the same submitted_at), last name, status.
ROWS = (
    ("R01", 10, "ames", "new"),
    ("R02", 10, "ames", "closed"),
    ("R03", 10, "baker", "new"),
    ("R04", 20, "ames", "in_review"),
    ("R05", 30, "cole", "new"),
    ("R06", 30, "cole", "closed"),
    ("R07", 30, "baker", "in_review"),
    ("R08", 40, "diaz", "new"),
    ("R09", 50, "ames", "scheduled"),
    ("R10", 50, "evans", "new"),
    ("R11", 60, "baker", "closed"),
    ("R12", 70, "cole", "in_review"),
    ("R13", 70, "diaz", "scheduled"),
    ("R14", 80, "ames", "new"),
)
#: The workflow's order (docs/staff.md, "Statuses"), written out here: the status sort follows it.
WORKFLOW = ("new", "in_review", "needs_info", "insurance_verified", "scheduled", "closed")
STORED = {ref: i for i, (ref, *_rest) in enumerate(ROWS)}  # later stored, higher id

EXPECTED = {
    "newest": sorted(ROWS, key=lambda r: (r[1], -STORED[r[0]])),
    "oldest": sorted(ROWS, key=lambda r: (-r[1], STORED[r[0]])),
    "last_name": sorted(ROWS, key=lambda r: (r[2], STORED[r[0]])),
    "status": sorted(ROWS, key=lambda r: (WORKFLOW.index(r[3]), r[1], -STORED[r[0]])),
}


@pytest.fixture
def rows(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue, "PAGE_SIZE", PER_PAGE)
    now = utcnow().replace(microsecond=0)
    for reference, minutes, last_name, status in ROWS:
        make_submission(
            reference=reference,
            last_name=last_name.title(),
            status=status,
            submitted_at=now - timedelta(minutes=minutes),
        )


def _listed(html: str) -> list[str]:
    start = html.index('id="list-heading"')
    return re.findall(r"<td>(R\d\d|N\d)</td>", html[start : html.index("</section>", start)])


def _listed_refs(html: str) -> list[str]:
    start = html.index('id="list-heading"')
    return re.findall(r"<td>([A-Z]\d+)</td>", html[start : html.index("</section>", start)])


def _pager(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """The pager form's hidden fields, and its buttons as {label: page}."""
    if '<nav class="pagination"' not in html:
        return {}, {}
    start = html.index('<nav class="pagination"')
    nav = html[start : html.index("</nav>", start)]
    hidden = {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', nav)
    }
    buttons = {
        label: value
        for value, label in re.findall(
            r'<button type="submit" name="page" value="(\d+)"[^>]*>([^<]+)</button>', nav
        )
    }
    return hidden, buttons


def _press(client: FlaskClient, html: str, label: str) -> str:
    hidden, buttons = _pager(html)
    return post(client, "/staff/", {**hidden, "page": buttons[label]}).get_data(as_text=True)


def _walk(client: FlaskClient, sort: str) -> list[list[str]]:
    """Every page from the first, pressing Next until there is none."""
    html = post(client, "/staff/", {"sort": sort}).get_data(as_text=True)
    pages = [_listed(html)]
    while "Next page" in _pager(html)[1]:
        html = _press(client, html, "Next page")
        pages.append(_listed(html))
    return pages


@pytest.mark.parametrize("sort", sorted(EXPECTED))
def test_next_shows_every_row_once_in_order_ties_included(
    client: FlaskClient, login_as, rows: None, sort: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    pages = _walk(client, sort)
    expected = [r[0] for r in EXPECTED[sort]]
    assert [ref for page in pages for ref in page] == expected
    assert [len(page) for page in pages] == [4, 4, 4, 2]


@pytest.mark.parametrize("sort", sorted(EXPECTED))
def test_previous_shows_the_same_pages_backwards(
    client: FlaskClient, login_as, rows: None, sort: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    expected = [r[0] for r in EXPECTED[sort]]
    html = post(client, "/staff/", {"sort": sort}).get_data(as_text=True)
    for _ in range(3):
        html = _press(client, html, "Next page")
    assert "Page 4 of 4" in html
    seen = [_listed(html)]
    for page in (3, 2, 1):
        html = _press(client, html, "Previous page")
        assert f"Page {page} of 4" in html
        seen.append(_listed(html))
    assert seen == [expected[12:], expected[8:12], expected[4:8], expected[:4]]


def test_a_submission_arriving_meanwhile_does_not_shift_the_next_page(
    client: FlaskClient, login_as, rows: None
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    expected = [r[0] for r in EXPECTED["newest"]]
    first = post(client, "/staff/", {}).get_data(as_text=True)
    assert _listed(first) == expected[:4]
    make_submission(reference="N1", submitted_at=utcnow())  # newest of all: top of page 1
    second = _press(client, first, "Next page")
    assert _listed(second) == expected[4:8]
    assert "Page 2 of 4" in second
    third = _press(client, second, "Next page")
    assert _listed(third) == expected[8:12]
    # Back on page 2 it is still the same rows; page 1 is the top of the list as it is now.
    assert _listed(_press(client, third, "Previous page")) == expected[4:8]
    assert _listed(_press(client, second, "Previous page")) == ["N1", *expected[:3]]


def test_a_status_changed_meanwhile_does_not_shift_the_status_sort(
    client: FlaskClient, login_as, rows: None
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    expected = [r[0] for r in EXPECTED["status"]]
    first = post(client, "/staff/", {"sort": "status"}).get_data(as_text=True)
    last_shown = db.session.scalars(
        sa.select(Submission).where(Submission.reference == expected[3])
    ).one()
    last_shown.status = "scheduled"  # the cursor's row moves to another place in this sort
    db.session.commit()
    assert _listed(_press(client, first, "Next page")) == expected[4:8]


def test_first_and_last_buttons_and_the_position_line(
    client: FlaskClient, login_as, rows: None
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    expected = [r[0] for r in EXPECTED["newest"]]
    first = post(client, "/staff/", {}).get_data(as_text=True)
    assert set(_pager(first)[1]) == {"Next page", "Last page"}
    assert "Page 1 of 4: submissions 1–4 of 14" in first
    last = _press(client, first, "Last page")
    assert _listed(last) == expected[12:]
    assert set(_pager(last)[1]) == {"First page", "Previous page"}
    assert "Page 4 of 4: submissions 13–14 of 14" in last
    assert _listed(_press(client, last, "First page")) == expected[:4]


def test_a_cursor_that_names_no_row_falls_back_to_the_page_number(
    client: FlaskClient, login_as, rows: None
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    expected = [r[0] for r in EXPECTED["newest"]]
    for cursor in ("newest.999999", "oldest.1", "nonsense", "newest.1.closed", "x" * 500):
        page = post(client, "/staff/", {"page": "2", "from_page": "1", "last_row": cursor})
        assert page.status_code == 200
        assert _listed(page.get_data(as_text=True)) == expected[4:8]


def test_counts_stop_at_the_cap_and_the_pager_says_more_than(
    client: FlaskClient, login_as, rows: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    monkeypatch.setattr(queue, "COUNT_CAP", 8)
    expected = [r[0] for r in EXPECTED["newest"]]
    first = post(client, "/staff/", {}).get_data(as_text=True)
    assert "Submissions (more than 8)" in first
    assert "Page 1 of more than 2: submissions 1–4 of more than 8" in first
    assert set(_pager(first)[1]) == {"Next page"}  # no Last page: its number is not known
    pages = _walk(client, "newest")
    assert [ref for page in pages for ref in page] == expected
    # Fourteen rows, four a page, counted to 8: each page says what it can know. Past page 1
    # the rows after the page are counted too (up to 8), so page 2 (8 + 6) knows the end.
    html, said = first, []
    while True:
        line = re.search(r'<span aria-current="page">([^<]*)</span>', html)[1]  # type: ignore[index]
        heading = re.search(r'<h2 id="list-heading">Submissions \(([^)]*)\)', html)[1]  # type: ignore[index]
        said.append((heading, line))
        if "Next page" not in _pager(html)[1]:
            break
        html = _press(client, html, "Next page")
    assert said == [
        ("more than 8", "Page 1 of more than 2: submissions 1–4 of more than 8"),
        ("14", "Page 2 of 4: submissions 5–8 of 14"),
        ("14", "Page 3 of 4: submissions 9–12 of 14"),
        ("14", "Page 4 of 4: submissions 13–14 of 14"),
    ]
    # Below the cap the count is exact.
    assert "Submissions (3)" in post(client, "/staff/", {"status": "in_review"}).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("count_cap", "said"),
    [
        # Counted to 12, the rows after a page to 2: page 2 (8 shown, 6 after) says no less
        # than the count did, page 3 (12 shown, 2 after) knows the end.
        (
            12,
            [
                ("more than 12", "Page 1 of more than 3: submissions 1–4 of more than 12"),
                ("more than 12", "Page 2 of more than 3: submissions 5–8 of more than 12"),
                ("14", "Page 3 of 4: submissions 9–12 of 14"),
                ("14", "Page 4 of 4: submissions 13–14 of 14"),
            ],
        ),
        # Counted to 8: page 2 (8 shown, more than 2 after) knows more than the count.
        (
            8,
            [
                ("more than 8", "Page 1 of more than 2: submissions 1–4 of more than 8"),
                ("more than 10", "Page 2 of more than 2: submissions 5–8 of more than 10"),
                ("14", "Page 3 of 4: submissions 9–12 of 14"),
                ("14", "Page 4 of 4: submissions 13–14 of 14"),
            ],
        ),
    ],
)
def test_a_page_never_says_less_than_the_count(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    rows: None,
    monkeypatch: pytest.MonkeyPatch,
    count_cap: int,
    said: list[tuple[str, str]],
) -> None:
    login_as("front_desk")
    monkeypatch.setattr(queue, "COUNT_CAP", count_cap)
    monkeypatch.setattr(queue, "COMBINED_COUNT_CAP", 2)  # the rows after a page: up to 2
    html = post(client, "/staff/", {}).get_data(as_text=True)
    seen = []
    while True:
        line = re.search(r'<span aria-current="page">([^<]*)</span>', html)[1]  # type: ignore[index]
        heading = re.search(r'<h2 id="list-heading">Submissions \(([^)]*)\)', html)[1]  # type: ignore[index]
        seen.append((heading, line))
        if "Next page" not in _pager(html)[1]:
            break
        html = _press(client, html, "Next page")
    assert seen == said


def test_a_last_page_short_of_the_count_keeps_the_count(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Page positions count from where paging started: a submission arriving at the top
    meanwhile is counted but not numbered. The last page then says the count ("more than 5"),
    not a figure below it ("of 5" while 6 match)."""
    login_as("front_desk")
    monkeypatch.setattr(queue, "PAGE_SIZE", 4)
    monkeypatch.setattr(queue, "COMBINED_COUNT_CAP", 5)
    form = {"status": "new", "urgent": "no"}
    now = utcnow()
    for n in range(5):
        make_submission(reference=f"R0{n}", submitted_at=now - timedelta(minutes=10 + n))
    first = post(client, "/staff/", form).get_data(as_text=True)
    assert "Page 1 of 2: submissions 1–4 of 5" in first
    make_submission(reference="N1", submitted_at=now)  # arrives at the top
    second = _press(client, first, "Next page")
    assert _listed(second) == ["R04"]
    assert "Page 2 of 2: submissions 5–5 of more than 5" in second
    assert "Submissions (more than 5)" in second


def test_two_filters_count_up_to_the_combined_cap_and_still_page_through(
    client: FlaskClient, login_as, rows: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """docs/staff.md, "Counts": with two filters or more the list's count stops at
    ``COMBINED_COUNT_CAP`` ("more than ..."); Next and Previous still reach every row, in order,
    and no Last page is offered (its number is not known)."""
    from intake.models import AuditEvent

    login_as("front_desk")
    monkeypatch.setattr(queue, "COMBINED_COUNT_CAP", 5)
    form = {"status": "new", "urgent": "no", "sort": "last_name"}
    # Status new (none is urgent), last name A-Z: six rows of ROWS.
    expected = [r[0] for r in EXPECTED["last_name"] if r[3] == "new"]
    assert len(expected) == 6
    first = post(client, "/staff/", form).get_data(as_text=True)
    assert "Submissions (more than 5)" in first
    assert "Page 1 of more than 1: submissions 1–4 of more than 5" in first
    assert set(_pager(first)[1]) == {"Next page"}
    second = _press(client, first, "Next page")
    assert _listed(first) + _listed(second) == expected
    # The last page: no Next, so the list ends here and its length is known (not "Page 2 of
    # more than 1", nor "of more than 5"), in the heading too.
    assert "Page 2 of 2: submissions 5–6 of 6" in second
    assert "Submissions (6)" in second
    assert set(_pager(second)[1]) == {"Previous page"}
    assert _listed(_press(client, second, "Previous page")) == expected[:4]
    # A page asked by number (an old form) is still that page.
    assert (
        _listed(post(client, "/staff/", {**form, "page": "2"}).get_data(as_text=True))
        == (expected[4:])
    )
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "queue_viewed")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one()
    assert event.detail["matching"] == 5 and event.detail["matching_more_than"] is True
    # One filter counts to COUNT_CAP as before; a date range (from and to) is one filter.
    assert "Submissions (6)" in post(client, "/staff/", {"status": "new"}).get_data(as_text=True)
    dated = {"date_from": "2000-01-01", "date_to": "9999-12-31"}
    assert "Submissions (14)" in post(client, "/staff/", dated).get_data(as_text=True)
    # Below the cap a combination is exact: last name "ames", status new (R01, R14).
    searched = post(client, "/staff/", {"q": "ames", "status": "new"}).get_data(as_text=True)
    assert "Submissions (2)" in searched


def test_count_matching_is_exact_up_to_its_cap(app: Flask, rows: None) -> None:
    listed = queue.select_listed(queue.QueueFilters())
    assert queue.count_matching(listed, cap=20) == queue.Count(14)
    assert queue.count_matching(listed, cap=14) == queue.Count(14)
    assert queue.count_matching(listed, cap=13) == queue.Count(13, more=True)
    assert str(queue.Count(10_000, more=True)) == "more than 10,000"
    assert str(queue.Count(1234)) == "1,234"


def test_the_audit_event_says_when_a_count_was_capped(
    client: FlaskClient, login_as, rows: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from intake.models import AuditEvent

    login_as("front_desk")
    monkeypatch.setattr(queue, "COUNT_CAP", 8)
    post(client, "/staff/", {})
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "queue_viewed")
    ).one()
    assert event.detail["matching"] == 8 and event.detail["matching_more_than"] is True
    assert "first_row" not in event.detail["filters"] and "last_row" not in event.detail["filters"]


def test_the_list_count_is_every_match_less_the_pinned(app: Flask, rows: None) -> None:
    """``count_listed`` counts every match and takes away the pinned ones; the figures here
    are the rows above plus three unacknowledged urgent (pinned) and two acknowledged."""
    for n in range(3):
        make_submission(reference=f"U{n}", changes=ASQ_YES)
    for n in range(2):
        make_submission(reference=f"K{n}", changes=ASQ_YES, acknowledged=True)
    expected = {
        (): 16,  # 14 + the 2 acknowledged urgent
        (("urgent", "yes"),): 2,
        (("urgent", "no"),): 14,
        (("status", "new"),): 8,  # R01 R03 R05 R08 R10 R14 + K0 K1 (U0-U2 are pinned)
        (("pathway", "safety_check"),): 2,
        (("q", "ames"),): 5,
    }
    for filters, count in expected.items():
        f = queue.QueueFilters(**dict(filters))
        assert queue.count_listed(f) == queue.Count(count), filters
        assert queue.count_listed(f) == queue.count_matching(queue.select_listed(f)), filters
    f = queue.QueueFilters()
    pinned = queue.pinned(f).total
    assert pinned == queue.Count(3)
    assert queue.count_listed(f, pinned) == queue.Count(16)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(queue, "COUNT_CAP", 15)
        assert queue.count_listed(f) == queue.Count(15, more=True)
        patch.setattr(queue, "COUNT_CAP", 16)
        assert queue.count_listed(f) == queue.Count(16)
        patch.setattr(queue, "COUNT_CAP", 2)  # more pinned than the cap: counted directly
        assert queue.count_listed(f) == queue.Count(2, more=True)
        assert queue.count_listed(queue.QueueFilters(urgent="yes")) == queue.Count(2)


def test_each_line_links_to_its_submission(client: FlaskClient, login_as, rows: None) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="U1", changes=ASQ_YES)  # a pinned line too
    html = post(client, "/staff/", {}).get_data(as_text=True)
    ids = {
        ref: sid for ref, sid in db.session.execute(sa.select(Submission.reference, Submission.id))
    }
    links = re.findall(r'<a href="([^"]+)">[^<]+</a>\s*</td>\s*<td>(U1|R\d\d)</td>', html)
    assert len(links) == 1 + PER_PAGE
    assert all(href == f"/staff/submissions/{ids[ref]}" for href, ref in links)


def test_labels_word_each_code_as_the_label_filter_does(app: Flask) -> None:
    from intake import vocabulary as vocab
    from intake.pages import label, labels

    for name, choices in (
        ("primary_concerns", vocab.PRIMARY_CONCERNS),
        ("coverage_types", vocab.COVERAGE_TYPES),
    ):
        for code in [*(c.code for c in choices), "not_a_code", None]:
            assert labels(name)[code] == label(code, name)


@pytest.mark.parametrize("sort", ["newest", "oldest", "last_name", "status"])
def test_a_pathway_filter_pages_through_exactly_its_rows(
    client: FlaskClient, login_as, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Newest and oldest with a pathway are read from the join table in time order; the other
    sorts from the submission's indexes. Either way each row of the pathway comes once, in
    the sort's order, and the pinned ones stay above the list."""
    monkeypatch.setattr(queue, "PAGE_SIZE", 3)
    login_as("front_desk")
    now = utcnow().replace(microsecond=0)
    # reference, minutes before now, answers: OCD (tms_plus_erp) or not; P1 also urgent, so
    # pinned (above the list, not in it).
    table = (
        ("P1", 1, {**OCD_TWO_FAILED_SRIS, **ASQ_YES}),
        ("E1", 5, OCD_TWO_FAILED_SRIS),
        ("X1", 5, {}),
        ("E2", 5, OCD_TWO_FAILED_SRIS),
        ("E3", 15, OCD_TWO_FAILED_SRIS),
        ("X2", 20, {}),
        ("E4", 25, OCD_TWO_FAILED_SRIS),
        ("E5", 25, OCD_TWO_FAILED_SRIS),
        ("E6", 40, OCD_TWO_FAILED_SRIS),
        ("E7", 45, OCD_TWO_FAILED_SRIS),
    )
    for reference, minutes, changes in table:
        make_submission(
            reference=reference,
            primary_concern="ocd" if changes else "depression",
            changes=changes,
            last_name="Ames" if reference in ("E2", "E5") else "Baker",
            status="in_review" if reference in ("E3", "E6") else "new",
            submitted_at=now - timedelta(minutes=minutes),
        )
    order = [ref for ref, *_ in table]  # stored in this order: a later one has a higher id
    erp = [row for row in table if row[2] and row[0] != "P1"]
    expected = {
        "newest": sorted(erp, key=lambda r: (r[1], -order.index(r[0]))),
        "oldest": sorted(erp, key=lambda r: (-r[1], order.index(r[0]))),
        "last_name": sorted(erp, key=lambda r: (r[0] not in ("E2", "E5"), order.index(r[0]))),
        "status": sorted(
            erp, key=lambda r: (r[0] in ("E3", "E6"), r[1], -order.index(r[0]))
        ),  # new before in review (the workflow's order)
    }[sort]
    html = post(client, "/staff/", {"pathway": "tms_plus_erp", "sort": sort}).get_data(as_text=True)
    assert re.findall(r"<td>(P1)</td>", html) == ["P1"]  # pinned, above the list
    pages = [_listed_refs(html)]
    while "Next page" in _pager(html)[1]:
        html = _press(client, html, "Next page")
        assert re.findall(r"<td>(P1)</td>", html) == ["P1"]
        pages.append(_listed_refs(html))
    assert [ref for page in pages for ref in page] == [r[0] for r in expected]
    assert [len(page) for page in pages] == [3, 3, 1]
