"""A PDF the job worker has not made yet, in a real browser with JavaScript off (issue 13).

The clinician presses the summary's PDF link while the worker is not running: the "being
prepared" page (202) says what to do and offers the button again (no script, no spinner, no
reload behind the reader's back), passes axe, and a press once the wait is over gets the PDF,
made by the web process, rather than the same page for ever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clinician_samples import rich_answers, store
from flask import Flask
from pdf_worker_queue import audited, stored_rows, worker_queue

from intake import pdf_jobs
from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_a_pdf_being_prepared_says_what_to_do_and_comes_after_the_wait(  # type: ignore[no-untyped-def]
    app: Flask,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    live_server: str,
    new_page: Any,
    assert_accessible: Any,
) -> None:
    queue = worker_queue(app, tmp_path, monkeypatch)  # a real queue nobody consumes
    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(pdf_jobs, "_now", lambda: clock["now"])
    user = make_user("clinician")
    submission = store(rich_answers())
    page = new_page(javascript=False)
    sign_in(page, live_server, user.email)

    response = page.goto(f"{live_server}/clinician/submissions/{submission.id}.pdf")
    assert response.status == 202
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"The PDF of {submission.reference} is being prepared"
    assert page.get_by_text("Press “Download the PDF” again in a few seconds").is_visible()
    assert page.get_by_text("15 seconds after your first press").is_visible()
    assert page.locator('meta[http-equiv="refresh" i]').count() == 0
    assert_accessible(page, "PDF being prepared")

    # Pressed again within the wait: the same page, and the worker is not asked twice.
    clock["now"] += 5
    with page.expect_navigation():
        page.get_by_role("link", name="Download the PDF").click()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert queue.pending_count() == 1

    # The worker never came: the first press after the wait gets the PDF.
    clock["now"] += 10
    with page.expect_response(lambda r: r.url.endswith(".pdf")) as answered:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = answered.value
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    # (Chromium shows it in its viewer, so its body here is the viewer's page.)
    assert audited("pdf_downloaded") == [
        {"bytes": len(stored_rows()[0].content), "rendered_here": True}
    ]
