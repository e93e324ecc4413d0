"""Staff pages in the browser tests: signing in as a staff account, the one way they all do."""

from __future__ import annotations

from tests.factories import DEFAULT_PASSWORD


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in on the staff sign-in page as ``email`` (the factories' password)."""
    page.goto(base + "/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
