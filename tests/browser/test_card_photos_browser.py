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


def test_the_front_desk_sees_the_card_photos_in_the_insurance_panel(  # type: ignore[no-untyped-def]
    app, client, live_server, new_page, screenshot, assert_accessible
) -> None:
    """The patient's photos (sent through the wizard) open in the front desk's insurance panel
    in the browser: both images load from the role-checked route (issue 14, "Done when")."""
    from tests.browser.staff_pages import sign_in
    from tests.factories import make_user
    from tests.patient.helpers import WizardWalker
    from tests.patient.test_card_photos import _submit_with_photos

    submission = _submit_with_photos(WizardWalker(client))
    make_user("front_desk", email="desk@example.org")
    page = new_page(javascript=False)
    sign_in(page, live_server, "desk@example.org")
    page.goto(f"{live_server}/staff/submissions/{submission.id}/insurance")
    page.wait_for_load_state("networkidle")
    for side in ("front", "back"):
        image = page.locator(f'img[src$="/insurance/photo/{side}"]')
        assert image.count() == 1
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt")
    screenshot(page, "staff-card-photos")
    assert_accessible(page, "staff-card-photos")
