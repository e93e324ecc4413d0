"""axe's ``landmark-unique`` (a moderate rule, which ``assert_accessible`` lets pass) on the
pages that broke it: the queue, the front desk's submission page, the clinician summary."""

from __future__ import annotations

import pytest
from clinician_samples import rich_answers, store

from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def _landmark_problems(page) -> list[object]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [v["nodes"] for v in violations if v["id"] == "landmark-unique"]


def test_no_two_landmarks_share_a_name(live_server, new_page) -> None:  # type: ignore[no-untyped-def]
    urgent = store(rich_answers())
    store()
    front_desk = new_page()
    sign_in(front_desk, live_server, make_user("front_desk").email)
    for path in ("/staff/", f"/staff/submissions/{urgent.id}"):
        front_desk.goto(live_server + path)
        assert _landmark_problems(front_desk) == [], path
    clinician = new_page()
    sign_in(clinician, live_server, make_user("clinician").email)
    clinician.goto(f"{live_server}/clinician/submissions/{urgent.id}")
    assert _landmark_problems(clinician) == []
