"""Insurance card photos in a real browser with JavaScript off, at phone width (390 px)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.patient.helpers import VALID

pytestmark = pytest.mark.browser
INSURANCE = VALID["insurance"]


def test_card_photo_upload_without_javascript(  # type: ignore[no-untyped-def]
    live_server, new_page, screenshot, assert_accessible, tmp_path: Path
) -> None:
    photo = tmp_path / "card-front.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 760), (20, 90, 160)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page = new_page(javascript=False)
    page.goto(live_server + "/")
    page.click("#start-button")
    page.wait_for_url("**/intake/step/about")
    page.goto(live_server + "/intake/step/insurance")
    assert page.get_attribute("#card_front", "accept") == "image/*"
    page.check("#coverage_type-0")
    page.fill("#payer_name", INSURANCE["payer_name"])
    page.fill("#member_id", INSURANCE["member_id"])
    page.check("#subscriber_relationship-0")
    page.set_input_files("#card_front", str(photo))
    page.click("#save-button")
    page.wait_for_url("**/intake/saved")
    page.goto(live_server + "/intake/step/insurance")
    assert "Front photo received" in page.locator("#card_front-received").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    screenshot(page, "wizard-nojs-card-photo-received")
    assert_accessible(page, "insurance step with a card photo")
