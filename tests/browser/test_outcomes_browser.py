"""The clinic outcomes dashboard in a real browser at phone width (390 px), JavaScript on and
off: reached from the navigation, keyboard only; three charts drawn as SVG with their tables; a
last day before the first ignored with a message; the de-identified CSV downloaded; no
horizontal scroll, axe-clean."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.browser.staff_pages import sign_in
from tests.factories import make_user
from tests.outcome_samples import make_course

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_clinician_reads_the_clinic_outcomes(
    live_server, new_page, screenshot, assert_accessible, javascript: bool
) -> None:  # type: ignore[no-untyped-def]
    make_course("standard_tms", 20, [9])  # 20 → 9: a response
    make_course("standard_tms", 18, [4], ending="completed")  # remission
    make_course("psychotherapy", None, [13])  # 17 → 13: no response yet
    make_user("clinician", email="doc@example.org")
    page = new_page(javascript=javascript, viewport=PHONE)
    sign_in(page, live_server, "doc@example.org")

    page.get_by_role("link", name="Outcomes").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Clinic outcomes"
    assert page.locator("svg.bar-chart").count() == 3
    rates = page.get_by_role("table", name="Response and remission by kind")
    assert "100%" in rates.inner_text() and "50%" in rates.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"clinic-outcomes-{'js' if javascript else 'no-js'}")
    assert_accessible(page, "clinic outcomes")

    # A last day before the first is ignored with a message at its field; the first applies.
    page.get_by_label("Courses started from").fill("2026-12-01")
    page.get_by_label("Courses started up to").fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "before the first day" in page.inner_text(".error-summary")
    assert "0 courses started" in page.inner_text("main")
    assert_accessible(page, "clinic outcomes (a filter ignored)")
    page.get_by_role("link", name="All courses").click()
    page.wait_for_load_state()
    assert "3 courses started" in page.inner_text("main")

    page.get_by_label("CSV rows by start").select_option("month")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the de-identified CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["course_kind"] for r in rows] == ["standard_tms", "psychotherapy"]
    assert {r["courses"] for r in rows} == {"<11"}
    assert "Reyes" not in text and "Ana" not in text
