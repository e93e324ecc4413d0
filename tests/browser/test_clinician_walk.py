"""A clinician session in a real browser: sign in, read the summary, record a review.

Then the front desk's insurance panel and packet and the admin's token and settings pages.
Each page is checked at phone width (390 px) for horizontal scrolling, screenshotted, and
scanned with axe (no serious or critical violations).
"""

from __future__ import annotations

import pytest
from clinician_samples import rich_answers, store

from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


_TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
  .map(e => e.tagName + '.' + e.className).slice(0, 5)"""


def _fits_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    """No horizontal page scroll at 390 px; wide tables scroll inside their own box."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, page.evaluate(_TOO_WIDE)


def test_clinician_reads_the_summary_and_records_a_review(
    live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    user = make_user("clinician")
    submission = store(rich_answers())
    page = new_page()
    sign_in(page, live_server, user.email)

    page.goto(f"{live_server}/clinician/submissions/{submission.id}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pathway summary")
    assert page.locator(".flag").first.inner_text().upper().startswith("URGENT")
    _fits_a_phone(page)
    screenshot(page, "clinician-summary")
    assert_accessible(page, "clinician summary")

    page.get_by_label("Choose different pathways").check()
    page.get_by_label("Evidence-based psychotherapy (psychotherapy)").check()
    page.get_by_label("Crisis support now (crisis_support)").check()
    page.get_by_label("Note (optional)").fill("Safety plan first; TMS after the physician review.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert page.get_by_text("Review saved.").is_visible()
    decision = page.locator("text=Chose different pathways")
    assert decision.is_visible()
    screenshot(page, "clinician-summary-reviewed")
    assert_accessible(page, "clinician summary after review")

    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Save review").is_visible()
    screenshot(page, "clinician-summary-print")


_IN_VIEW = """(id) => { const r = document.getElementById(id).getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, height: window.innerHeight}; }"""


def test_a_refused_review_opens_on_its_error_summary_without_javascript(
    live_server, new_page
) -> None:  # type: ignore[no-untyped-def]
    """The review form is ~9,000 px down the summary at 390 px: refused (no protocol for the
    planned course), the page the browser lands on shows the error summary, not the top."""
    user = make_user("clinician")
    submission = store(rich_answers())
    page = new_page(javascript=False)
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/clinician/submissions/{submission.id}")
    page.get_by_label("Agree with the suggested pathways").check()
    page.locator("input[name=diagnoses]").first.check()
    page.get_by_label("Treatment sessions").fill("30")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/clinician/submissions/{submission.id}/review#review-errors")
    box = page.evaluate(_IN_VIEW, "review-errors")
    assert 0 <= box["top"] < box["height"], box
    summary = page.locator("#review-errors")
    assert "The review was not saved" in summary.inner_text()
    link = summary.get_by_role("link", name="Protocol: Choose the protocol.")
    assert link.get_attribute("href") == "#course_protocol-0"
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * box["height"]


def test_clinician_lands_on_the_urgent_list_and_signs_off(
    live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    user = make_user("clinician")
    submission = store(rich_answers())  # urgent, not contacted yet
    page = new_page()
    sign_in(page, live_server, user.email)
    assert page.url.endswith("/clinician/")
    assert "Urgent, not signed off (1)" in page.inner_text("header")
    assert "Not contacted" in page.inner_text("main")
    _fits_a_phone(page)
    screenshot(page, "clinician-urgent-list")
    assert_accessible(page, "clinician urgent list")

    page.get_by_role("link", name=submission.reference).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Record the risk assessment").click()
    page.get_by_label("Safety plan made").check()
    page.get_by_label("Assessment note").fill("Safety plan agreed by phone; sister present.")
    page.get_by_role("button", name="Record risk assessment and sign off").click()
    page.wait_for_load_state()
    assert page.get_by_text("Risk assessment recorded: signed off.").is_visible()
    assert "signed off by clinician" in page.inner_text("#risk-heading + p")
    _fits_a_phone(page)
    screenshot(page, "clinician-summary-signed-off")
    assert_accessible(page, "clinician summary after sign-off")

    page.goto(f"{live_server}/clinician/")
    assert "None right now" in page.inner_text("main")
    assert "Urgent, not signed off (0)" in page.inner_text("header")


def test_insurance_and_admin_pages(live_server, new_page, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    user = make_user("front_desk", "admin")
    submission = store(rich_answers())
    page = new_page()
    sign_in(page, live_server, user.email)

    page.goto(f"{live_server}/staff/submissions/{submission.id}/insurance")
    page.get_by_label("Eligibility confirmed with the plan").check()
    page.get_by_label("Prior authorization").select_option("submitted")
    page.get_by_label("Notes").fill("Faxed packet to the plan.")
    page.get_by_role("button", name="Save checklist").click()
    page.wait_for_load_state()
    assert page.get_by_text("Insurance checklist saved.").is_visible()
    _fits_a_phone(page)
    screenshot(page, "insurance-panel")
    assert_accessible(page, "insurance panel")

    page.get_by_role("link", name="Prior-authorization packet").click()
    page.wait_for_load_state()
    assert page.get_by_role(
        "heading", name="Prior-authorization request: transcranial magnetic stimulation"
    ).is_visible()
    _fits_a_phone(page)
    screenshot(page, "prior-auth-packet")
    assert_accessible(page, "prior-authorization packet")

    page.goto(f"{live_server}/admin/tokens")
    page.get_by_label("Token name").fill("kiosk 1")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state()
    assert page.locator("#new-token").is_visible()
    _fits_a_phone(page)
    screenshot(page, "admin-tokens")
    assert_accessible(page, "admin tokens")

    page.goto(f"{live_server}/admin/settings")
    page.get_by_label("Include free-text answers in CSV exports").check()
    page.get_by_label("Clinic phone number").fill("503-555-0100")
    page.get_by_label("Time zone").fill("America/New_York")
    # A browser's time field: what it posts must be what the page accepts.
    page.get_by_label("Monday: opens").fill("09:00")
    page.get_by_label("Monday: closes").fill("08:00")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.locator("#monday_closes-error-1").is_visible()
    _fits_a_phone(page)
    assert_accessible(page, "admin settings with an error")
    page.get_by_label("Monday: closes").fill("17:30")
    page.get_by_label("Holidays").fill("2026-12-25 Christmas Day")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.get_by_text("Settings saved.").is_visible()
    assert page.get_by_label("Monday: closes").input_value() == "17:30"
    assert page.locator("#clinic-contact").get_by_text("503-555-0100").is_visible()
    _fits_a_phone(page)
    screenshot(page, "admin-settings")
    assert_accessible(page, "admin settings")
