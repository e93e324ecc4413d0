"""A check-in of a course of care in Chromium at 390 px (issue 16, docs/checkins.md): opened by
its link with JavaScript off (the ASQ comes back from the server after PHQ-9 item 9) and on
(the ASQ is revealed at once), sent with the keyboard, crisis support on the thank-you page,
and the urgent check-in pinned for the front desk, who acknowledges it. Every page axe-scanned
and no wider than the phone.
"""

from __future__ import annotations

import pytest
from checkin_samples import link_for, open_course
from flask import Flask

from intake.extensions import db
from intake.models import CheckIn
from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser
WIDTH = 390
NO = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")


def fits(page, name: str, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTH, f"{name}: {scroll} px wide at {WIDTH} px"
    screenshot(page, name)
    assert_accessible(page, name)


def choose(page, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Choose a radio button with the keyboard: focus it, press Space."""
    radio = page.locator(f'input[name="{name}"][value="{value}"]')
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked(), name


def answer_scales(page, phq9: list[int], gad7: list[int]) -> None:  # type: ignore[no-untyped-def]
    for n, value in enumerate(phq9, start=1):
        choose(page, f"phq9_{n}", str(value))
    for n, value in enumerate(gad7, start=1):
        choose(page, f"gad7_{n}", str(value))


def send(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#send-button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_with_javascript_off_the_asq_comes_back_from_the_server(
    app: Flask, live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    _course, checkin = open_course(weeks_ago=1)
    checkin_id = checkin.id
    page = new_page(javascript=False)
    page.goto(f"{live_server}/c/{link_for(checkin)}")
    assert page.url == f"{live_server}/checkin"  # the token left the address bar
    assert not page.locator("#asq-section").is_visible()
    fits(page, "checkin-nojs-start", screenshot, assert_accessible)
    answer_scales(page, [1, 1, 1, 1, 1, 1, 1, 0, 1], [1] * 7)
    choose(page, "effect_headache", "mild")
    send(page)
    assert page.locator("#asq-section").is_visible()
    assert "Because of your answer to question 9" in page.locator("#asq-prompt").inner_text()
    assert page.locator('input[name="phq9_9"][value="1"]').is_checked()  # answers kept
    assert page.locator('input[name="effect_headache"][value="mild"]').is_checked()
    fits(page, "checkin-nojs-asq", screenshot, assert_accessible)
    for name in NO:
        choose(page, name, "no")
    send(page)
    assert page.url == f"{live_server}/checkin/done"
    assert "a clinician will want to talk with you about your safety" in page.content()
    fits(page, "checkin-nojs-done", screenshot, assert_accessible)
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and (saved.phq9_total, saved.urgent, saved.acute) == (8, True, False)
    assert saved.answers is not None and saved.answers["side_effects"]["headache"] == "mild"


def test_with_javascript_on_the_asq_is_revealed_and_the_front_desk_sees_it(
    app: Flask, live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    _course, checkin = open_course()
    checkin_id = checkin.id
    desk = make_user("front_desk")
    page = new_page(javascript=True)
    page.goto(f"{live_server}/c/{link_for(checkin)}")
    assert page.url == f"{live_server}/checkin"
    answer_scales(page, [2, 2, 2, 2, 2, 2, 1, 1, 0], [2] * 7)
    assert not page.locator("#asq-section").is_visible()
    choose(page, "phq9_9", "2")
    assert page.locator("#asq-section").is_visible()  # at once, no round trip
    assert not page.locator("#thoughts_right_now-field").is_visible()
    choose(page, "wished_dead", "yes")
    for name in NO[1:]:
        choose(page, name, "no")
    assert page.locator("#thoughts_right_now-field").is_visible()
    choose(page, "thoughts_right_now", "yes")
    fits(page, "checkin-js-asq", screenshot, assert_accessible)
    send(page)
    assert page.url == f"{live_server}/checkin/done"
    assert page.locator("h1").inner_text() == "Please reach out for support now"
    assert page.locator("#checkin-acute").is_visible()
    assert page.locator('a[href="tel:988"]').first.is_visible()
    fits(page, "checkin-js-crisis", screenshot, assert_accessible)
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.urgent and saved.acute

    staff = new_page(javascript=True)
    sign_in(staff, live_server, desk.email)
    staff.goto(f"{live_server}/staff/")
    pinned = staff.locator("#checkins-heading-section")
    assert "ACUTE RISK" in pinned.inner_text()
    fits(staff, "checkin-queue-pinned", screenshot, assert_accessible)
    pinned.get_by_role("link").first.click()
    staff.wait_for_url(f"**/staff/checkins/{checkin_id}")
    fits(staff, "checkin-staff-page", screenshot, assert_accessible)
    staff.get_by_label("Note").fill("Called, safety plan in place")
    staff.locator("#acknowledge-button").click()
    staff.wait_for_load_state()
    assert "Check-in acknowledged." in staff.content()
    staff.goto(f"{live_server}/staff/")
    assert "None right now." in staff.locator("#checkins-heading-section").inner_text()


def test_the_tablet_and_the_link_pages_are_accessible(
    app: Flask, live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    page = new_page(javascript=False)
    page.goto(f"{live_server}/c/no-such-token")
    assert "This link has expired or was already used" in page.content()
    fits(page, "checkin-link-gone", screenshot, assert_accessible)
    page.goto(f"{live_server}/checkin/tablet")
    page.fill("#code", "ABCD-2345")
    page.fill("#date_of_birth", "1985-04-12")
    page.locator("#tablet-button").click()
    page.wait_for_load_state()
    assert "do not match a check-in that is due" in page.content()
    fits(page, "checkin-tablet-wrong", screenshot, assert_accessible)
