"""A front-desk and an admin session in a real browser at phone width (390 px).

Sign in, see the urgent submission pinned, search by last name, open the submission, record a
contact attempt, move it along the workflow, add a note; then the admin's accounts and audit
pages. Every page is screenshotted, checked for horizontal page scroll and scanned with axe.
"""

from __future__ import annotations

import pytest
from answer_documents import ASQ_YES

from tests.browser.staff_pages import sign_in
from tests.factories import make_submission, make_user

pytestmark = pytest.mark.browser


def _fits_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def _check(page, name: str, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    _fits_a_phone(page)
    screenshot(page, name)
    assert_accessible(page, name)


def test_front_desk_session(live_server, new_page, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    make_user("front_desk", email="desk@example.org")
    urgent = make_submission(last_name="Okafor", changes=ASQ_YES)
    for i in range(3):
        make_submission(last_name=f"Person{i}")
    page = new_page()

    page.goto(live_server + "/staff/login")
    _check(page, "staff-login", screenshot, assert_accessible)
    sign_in(page, live_server, "desk@example.org")
    assert "1 urgent not acknowledged" in page.inner_text("header")
    assert "URGENT" in page.inner_text("#pinned")
    _check(page, "staff-queue", screenshot, assert_accessible)

    page.get_by_text("Search and filter").click()
    page.get_by_label("Search by last name, reference number or date of birth").fill("okafor")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_load_state()
    assert "okafor" not in page.url.lower()
    assert "Okafor" in page.inner_text("main")
    _check(page, "staff-queue-search", screenshot, assert_accessible)

    page.get_by_role("link", name="Okafor", exact=False).first.click()
    page.wait_for_load_state()
    assert urgent.reference in page.inner_text("h1")
    _check(page, "staff-submission", screenshot, assert_accessible)

    page.get_by_label("Reached the patient").check()
    page.get_by_label("Call note").fill("Reviewed the safety plan by phone.")
    page.get_by_role("button", name="Record contact attempt").click()
    page.wait_for_load_state()
    assert "Contact attempt recorded" in page.inner_text("main")
    assert "0 urgent not acknowledged" in page.inner_text("header")
    assert "contacted (reached the patient), awaiting clinician" in page.inner_text("#risk")

    page.get_by_label("Move to").select_option("in_review")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()
    assert "Status changed to In review" in page.inner_text("main")
    _check(page, "staff-submission-after", screenshot, assert_accessible)


def test_admin_session(live_server, new_page, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    make_user("admin", email="boss@example.org")
    page = new_page()
    sign_in(page, live_server, "boss@example.org")
    page.goto(live_server + "/admin/users")
    page.get_by_label("Email").fill("new.desk@example.org")
    page.get_by_label("Front desk").check()
    page.get_by_label("Initial password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert "new.desk@example.org" in page.inner_text("main")
    _check(page, "admin-users", screenshot, assert_accessible)
    page.goto(live_server + "/admin/audit?action=user_created")
    assert "Account created" in page.inner_text("tbody")
    _check(page, "admin-audit", screenshot, assert_accessible)
    page.goto(live_server + "/staff/account")
    _check(page, "staff-account", screenshot, assert_accessible)


def test_the_worklist_with_javascript_off(
    live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    """Triage by the worklist's columns, assign to oneself with the keyboard, find it again
    under "Assigned to me" (issue 14, item 1), at 390 px with JavaScript off."""
    make_user("front_desk", email="desk@example.org")
    mine = make_submission(last_name="Adeyemi", changes={"phq9.items": [3, 3, 3, 3, 3, 3, 2, 0, 0]})
    make_submission(last_name="Brandt", changes={"phq9.items": [0, 1, 0, 0, 1, 0, 0, 0, 0]})
    page = new_page(javascript=False)
    sign_in(page, live_server, "desk@example.org")
    row = page.locator("tr", has_text="Adeyemi")
    assert "20 Severe (20-27)" in row.inner_text()
    assert "Awaiting" in row.inner_text() and "nobody" in row.inner_text()
    _check(page, "worklist-queue", screenshot, assert_accessible)

    page.get_by_text("Search and filter").click()
    page.get_by_label("PHQ-9 band").select_option("severe")
    page.get_by_label("Clinician review").select_option("awaiting")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_load_state()
    listed = page.inner_text("main")
    assert "Adeyemi" in listed and "Brandt" not in listed
    _check(page, "worklist-filtered", screenshot, assert_accessible)

    page.get_by_role("link", name="Adeyemi", exact=False).first.click()
    page.wait_for_load_state()
    assert "Awaiting clinician review." in page.inner_text("#review")
    assignee = page.get_by_label("Assigned to")
    assignee.focus()
    assignee.select_option(label="desk@example.org")
    page.get_by_role("button", name="Assign", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Assigned to desk@example.org." in page.inner_text("main")
    _check(page, "worklist-assigned", screenshot, assert_accessible)

    page.goto(live_server + "/staff/?assigned=me")
    listed = page.inner_text("main")
    assert "Adeyemi" in listed and "Brandt" not in listed
    assert mine.reference in listed
