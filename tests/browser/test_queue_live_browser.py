"""The queue updates itself, in Chromium: a front-desk page is open, the test stores a new urgent
submission, and within the poll interval (1 s here, ``QUEUE_POLL_SECONDS``) the queue says so
with a button that reloads it with its filters, and the header's urgent figure changes, on the
queue and on any other staff page. With JavaScript off the queue has a Refresh button. Polling
stops once the session has ended.
"""

from __future__ import annotations

import time

import pytest
from answer_documents import ASQ_YES
from flask import Flask
from playwright.sync_api import expect

from tests.browser.staff_pages import sign_in
from tests.factories import make_submission, make_user

pytestmark = pytest.mark.browser

WAIT_MS = 8_000  # several poll intervals of 1 s


def _focus_by_keyboard(page, element_id: str, presses: int = 60) -> None:  # type: ignore[no-untyped-def]
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_a_new_urgent_submission_is_announced(  # type: ignore[no-untyped-def]
    app: Flask, live_server, new_page, screenshot, assert_accessible
) -> None:
    app.config["QUEUE_POLL_SECONDS"] = 1
    make_user("front_desk", email="desk@example.org")
    make_submission(last_name="Okafor", changes=ASQ_YES)
    make_submission(last_name="Lindqvist")
    page = new_page()
    sign_in(page, live_server, "desk@example.org")
    header = page.locator("#urgent-count")
    assert header.inner_text() == "1 urgent not acknowledged"

    # A filter, to see it kept when the announcement's button reloads the queue.
    page.get_by_text("Search and filter").click()
    page.get_by_label("Status").select_option("new")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_load_state()
    assert page.locator("#queue-changes-show").is_hidden()
    time.sleep(1.5)  # a poll or two with nothing new: nothing said
    assert page.locator("#queue-changes").inner_text().strip() == ""

    make_submission(last_name="Brightwater", changes=ASQ_YES)
    alert = page.get_by_role("alert").filter(has_text="1 new submission, 1 urgent.")
    alert.wait_for(timeout=WAIT_MS)
    expect(header).to_have_text("2 urgent not acknowledged", timeout=WAIT_MS)
    assert "Brightwater" not in page.inner_text("main")  # no row moved under the reader
    show = page.get_by_role("button", name="Show them")
    assert show.is_visible()
    screenshot(page, "staff-queue-live-announcement")
    assert_accessible(page, "queue with an announcement")

    # A non-urgent arrival next: said politely, the alert cleared.
    make_submission(last_name="Ashdown")
    polite = page.get_by_role("status").filter(has_text="2 new submissions, 1 urgent.")
    polite.wait_for(timeout=WAIT_MS)
    assert page.locator("#queue-changes-alert").inner_text() == ""

    _focus_by_keyboard(page, "queue-changes-show")
    with page.expect_navigation():  # the button posts the queue's form: wait for the new page
        page.keyboard.press("Enter")
    pinned = page.inner_text("#pinned")
    assert "Brightwater" in pinned and "Okafor" in pinned
    assert page.get_by_label("Status").input_value() == "new"  # the filter was kept
    assert page.locator("#queue-changes-show").is_hidden()
    assert header.inner_text() == "2 urgent not acknowledged"

    # Any other staff page: the header's figure follows too.
    page.get_by_role("link", name="Okafor", exact=False).first.click()
    page.wait_for_load_state()
    make_submission(last_name="Fairweather", changes=ASQ_YES)
    expect(header).to_have_text("3 urgent not acknowledged", timeout=WAIT_MS)
    assert_accessible(page, "submission page, header updated")


def test_polling_stops_when_the_session_ends(  # type: ignore[no-untyped-def]
    app: Flask, live_server, new_page
) -> None:
    app.config["QUEUE_POLL_SECONDS"] = 1
    make_user("clinician", email="doc@example.org")
    page = new_page()
    sign_in(page, live_server, "doc@example.org")
    page.goto(live_server + "/staff/")  # a clinician lands on their urgent list: open the queue
    polls: list[int] = []
    page.on(
        "response",
        lambda response: (
            polls.append(response.status) if "/queue/changes" in response.url else None
        ),
    )
    page.wait_for_timeout(2_500)
    assert polls and set(polls) == {200}
    page.context.clear_cookies()  # the session is gone (signed out, timed out)
    page.get_by_role("status").filter(has_text="Live updates stopped").wait_for(timeout=WAIT_MS)
    assert polls[-1] == 401
    asked = len(polls)
    page.wait_for_timeout(3_000)
    assert len(polls) == asked  # no poll after the 401


def test_without_javascript_the_queue_has_a_refresh_button(  # type: ignore[no-untyped-def]
    live_server, new_page, assert_accessible
) -> None:
    make_user("front_desk", email="desk@example.org")
    make_submission(last_name="Okafor", changes=ASQ_YES)
    page = new_page(javascript=False)
    sign_in(page, live_server, "desk@example.org")
    assert page.locator("#urgent-count").inner_text() == "1 urgent not acknowledged"
    make_submission(last_name="Brightwater", changes=ASQ_YES)
    refresh = page.get_by_role("button", name="Refresh")
    assert refresh.is_visible()
    assert page.locator("#queue-changes-show").is_hidden()
    refresh.click()
    page.wait_for_load_state()
    assert "Brightwater" in page.inner_text("#pinned")
    assert page.locator("#urgent-count").inner_text() == "2 urgent not acknowledged"
    assert_accessible(page, "queue without JavaScript")
