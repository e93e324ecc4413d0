"""The admin menu: every admin page once, in order (tokens and settings used to show twice)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from intake.admin.views import ADMIN_SECTIONS


def test_admin_menu_lists_each_section_once(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    html = client.get("/admin/").get_data(as_text=True)
    start = html.index('class="admin-nav"')
    labels = re.findall(r"<a [^>]*>([^<]+)</a>", html[start : html.index("</nav>", start)])
    assert labels == ["Staff accounts", "Audit log", "API tokens", "Settings", "Alerts"]


def test_every_admin_section_is_a_page_of_the_admin_blueprint(app: Flask) -> None:
    endpoints = [endpoint for endpoint, _label in ADMIN_SECTIONS]
    assert len(set(endpoints)) == len(endpoints)
    assert all(e.startswith("admin.") and e in app.view_functions for e in endpoints)
