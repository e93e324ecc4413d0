"""A course of care in a real browser (issue 16), from the intake to the end-of-course report,
as clinician, front desk and patient: a clinician starts it from the summary, the front desk
finds it from the intake's page, records a session with the keyboard and makes a tablet code;
the patient answers the baseline check-in at the clinic's tablet (code and date of birth) and
the next week's from the link a message would carry, in the check-in pages; the clinician
reads the trend, ends the course (a missing reason is refused at its field) and downloads the
report's PDF. JavaScript off, 390 px wide, every page axe-scanned and checked for horizontal
scrolling.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from clinician_samples import store
from pdf_fonts import is_shipped, pdf_fonts

from intake.extensions import db
from intake.models import Course
from intake.rules import RULESET
from intake.services import courses
from intake.services.reviews import Course as PlannedCourse
from intake.services.reviews import record_review
from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

LETTER = (612, 792)


def _fits_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    """No horizontal page scroll at 390 px (wide tables scroll inside their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _tab_to(page, element_id: str, presses: int = 120) -> None:  # type: ignore[no-untyped-def]
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def _choose(page, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """A radio button chosen with the keyboard: focused, then Space."""
    radio = page.locator(f'input[name="{name}"][value="{value}"]')
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked(), name


def _check_in(page, phq9: list[int], **effects: str) -> None:  # type: ignore[no-untyped-def]
    """The patient answers the check-in page open in ``page`` and sends it."""
    assert page.locator("h1").count() == 1
    for n, value in enumerate(phq9, start=1):
        _choose(page, f"phq9_{n}", str(value))
    for n in range(1, 8):
        _choose(page, f"gad7_{n}", "1")
    for effect, rating in effects.items():
        _choose(page, f"effect_{effect}", rating)
    page.locator("#send-button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/checkin/done")


def test_a_course_from_the_summary_to_the_report(  # type: ignore[no-untyped-def]
    app, live_server, new_page, screenshot, assert_accessible
) -> None:
    submission = store()
    record_review(
        submission,
        clinician_id=None,
        decision="agree",
        codes=[],
        note="",
        ruleset=RULESET,
        course=PlannedCourse(sessions=30, taper_sessions=6, protocol="standard_10hz"),
    )
    db.session.commit()
    reference, sid = submission.reference, submission.id
    make_user("clinician", email="doctor@example.org")
    make_user("front_desk", email="desk@example.org")

    # The clinician starts the course from the summary (the review's 30 + 6 already filled in).
    doctor = new_page(javascript=False)
    sign_in(doctor, live_server, "doctor@example.org")
    doctor.goto(f"{live_server}/clinician/submissions/{sid}")
    assert doctor.locator("#planned_sessions").input_value() == "30"
    assert doctor.locator("#taper_sessions").input_value() == "6"
    doctor.get_by_label("Standard TMS", exact=True).check()
    with doctor.expect_navigation():
        doctor.get_by_role("button", name="Start the course").click()
    assert "/clinician/courses/" in doctor.url
    assert doctor.get_by_text("Course of care started.").is_visible()
    course_url = doctor.url.split("#")[0]
    _fits_a_phone(doctor)
    screenshot(doctor, "course-started")
    assert_accessible(doctor, "course page, just started")

    # The front desk finds it from the intake's page and records a session, keyboard only.
    desk = new_page(javascript=False)
    sign_in(desk, live_server, "desk@example.org")
    desk.goto(f"{live_server}/staff/submissions/{sid}")
    with desk.expect_navigation():
        desk.get_by_role("link", name=re.compile("Standard TMS from")).click()
    assert desk.url.split("#")[0] == course_url
    assert desk.get_by_role("heading", name="End the course").count() == 0
    _tab_to(desk, "note")
    desk.keyboard.type("Motor threshold 52%")
    desk.keyboard.press("Tab")  # to "Record session 1"
    with desk.expect_navigation():
        desk.keyboard.press("Enter")
    assert desk.get_by_text("Session 1 recorded.").is_visible()
    assert "Motor threshold 52%" in desk.content()

    # A tablet code for the baseline check-in: shown on the page, not in its address.
    with desk.expect_navigation():
        desk.get_by_role("button", name="Make a tablet code").click()
    code = desk.locator(".tablet-code .code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{8}", code) and code not in desk.url
    _fits_a_phone(desk)
    screenshot(desk, "course-tablet-code")
    assert_accessible(desk, "course page with a tablet code")

    # The patient answers the baseline at the clinic's tablet: the code, the date of birth.
    tablet = new_page(javascript=False)
    tablet.goto(f"{live_server}/checkin/tablet")
    tablet.fill("#code", f"{code[:4].lower()} {code[4:]}")  # as typed, not as printed
    tablet.fill("#date_of_birth", "1985-04-12")
    with tablet.expect_navigation():
        tablet.locator("#tablet-button").click()
    assert tablet.url == f"{live_server}/checkin"
    _fits_a_phone(tablet)
    assert_accessible(tablet, "baseline check-in at the tablet")
    _check_in(tablet, [3, 3, 3, 3, 3, 3, 2, 2, 0], headache="mild")
    screenshot(tablet, "course-tablet-done")
    assert_accessible(tablet, "check-in sent")

    # A week on, the weekly check-in falls due and the patient opens it from a link.
    course = db.session.get(Course, int(course_url.rsplit("/", 1)[1]))
    assert course is not None
    db.session.refresh(course)
    baseline = course.checkins[0]
    assert (baseline.kind, baseline.phq9_total, baseline.opened_by) == ("baseline", 22, "tablet")
    course.start_date -= timedelta(days=7)
    for checkin in course.checkins:
        checkin.due_on -= timedelta(days=7)
    courses.sync_checkins(course, courses.clinic_today())
    weekly = courses.open_checkin(course)
    assert weekly is not None and weekly.kind == "interval"
    token = courses.new_token(weekly, datetime.now(UTC))
    db.session.commit()
    phone = new_page(javascript=False)
    phone.goto(f"{live_server}/c/{token}")
    assert phone.url == f"{live_server}/checkin"  # the token left the address bar at once
    _check_in(phone, [1, 1, 1, 1, 1, 1, 1, 2, 0], scalp_discomfort="moderate")

    # The clinician reads the trend, in words, as a chart and as tables.
    doctor.goto(course_url)
    text = " ".join(doctor.locator("main").inner_text().split())
    assert "Response at session 1: PHQ-9 22 to 9, down 59%" in text
    chart = doctor.get_by_role("img", name="PHQ-9 total at baseline and each check-in")
    assert chart.is_visible()
    trend_table = doctor.get_by_role("table", name=re.compile("PHQ-9 and GAD-7 over the course"))
    assert trend_table.is_visible()
    _fits_a_phone(doctor)
    screenshot(doctor, "course-trend")
    assert_accessible(doctor, "course page with its trend")

    # Stopped early with no reason: refused at the reason, nothing changed.
    doctor.get_by_label("Stopped early").check()
    with doctor.expect_navigation():
        doctor.get_by_role("button", name="End the course").click()
    assert (
        doctor.locator("#reason-field .field-error")
        .inner_text()
        .endswith("Say why the course stopped early.")
    )
    assert_accessible(doctor, "end the course refused")
    doctor.get_by_label("Reason").fill("Moved out of state")
    with doctor.expect_navigation():
        doctor.get_by_role("button", name="End the course").click()
    assert doctor.get_by_text("Course ended.").is_visible()

    # The report, and its PDF: Letter, the patient on every page, the app's own fonts.
    doctor.get_by_role("link", name="End-of-course report").click()
    doctor.wait_for_load_state()
    assert "End-of-course report: Reyes, Ana" in doctor.locator("h1").inner_text()
    _fits_a_phone(doctor)
    screenshot(doctor, "course-report")
    assert_accessible(doctor, "end-of-course report")
    pdf = doctor.request.get(course_url + "/report.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    for one in reader.pages:
        assert (round(float(one.mediabox.width)), round(float(one.mediabox.height))) == LETTER
        words = " ".join(one.extract_text().split())
        assert "Reyes, Ana" in words and "1985-04-12" in words and reference in words
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Response at session 1: PHQ-9 22 to 9, down 59%" in words
    fonts = pdf_fonts(reader)
    assert fonts and all(font.embedded and is_shipped(font) for font in fonts)


_OUTLINE = """() => { const s = getComputedStyle(document.activeElement);
  return [document.activeElement.id, s.outlineStyle, s.outlineWidth]; }"""


def test_the_start_date_shows_its_focus_ring_when_reached_with_tab(  # type: ignore[no-untyped-def]
    app, live_server, new_page
) -> None:
    """A date field reached with Tab: Chromium moves the focus through parts inside it (month,
    day, year, the calendar button), and at some of them ``:focus-visible`` does not match the
    field, so the 3 px ring every control has was gone. Every Tab stop inside it has the ring,
    and so has the field after it."""
    submission = store()
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    db.session.commit()
    user = make_user("clinician")
    page = new_page(javascript=False)
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/clinician/submissions/{submission.id}")
    _tab_to(page, "start_date", presses=400)
    stops = []
    while (state := page.evaluate(_OUTLINE))[0] == "start_date":
        stops.append(state)
        page.keyboard.press("Tab")
        assert len(stops) < 10, stops
    assert len(stops) >= 3, stops  # month, day, year at least
    assert stops == [["start_date", "solid", "3px"]] * len(stops)
    assert state == ["planned_sessions", "solid", "3px"]  # the next field, as every field
