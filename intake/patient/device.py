"""Clinic devices: a tablet or computer the clinic lends to patients, marked by staff.

A marked device carries a long-lived, signed cookie (``intake_device``) that names no one. On
it the wizard asks the browser not to remember identity answers (``autocomplete="off"`` on
names, date of birth, e-mail, phone, signature), shows the resume code only on the "saved" page
and takes it off the screen after a minute, so the next patient does not see the last one's.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

COOKIE = "intake_device"
_SALT = "clinic-device"
_VALUE = "clinic"
#: Browsers keep a cookie at most 400 days; staff mark the device again after that.
MAX_AGE_SECONDS = 400 * 24 * 3600
#: The browser's autofill names of answers that identify a patient.
IDENTITY_AUTOCOMPLETE = frozenset({"given-name", "family-name", "name", "bday", "email", "tel"})


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def is_clinic_device() -> bool:
    """Whether this browser was marked as a clinic device by staff (a valid signed cookie)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return False
    try:
        return bool(_serializer().loads(raw) == _VALUE)
    except BadSignature:
        return False


def mark(response: Response) -> None:
    response.set_cookie(
        COOKIE,
        _serializer().dumps(_VALUE),
        max_age=MAX_AGE_SECONDS,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def unmark(response: Response) -> None:
    response.delete_cookie(COOKIE, secure=current_app.config["SESSION_COOKIE_SECURE"])


def without_autofill(form: Any) -> None:
    """Ask the browser not to fill or remember this form's identity answers.

    Each field gets a new ``render_kw`` dict: the one it has is shared by every instance of
    the form class, so changing it in place would reach other patients' pages.
    """
    for field in form:
        kw = getattr(field, "render_kw", None) or {}
        if kw.get("autocomplete") in IDENTITY_AUTOCOMPLETE or field.name in ("code", "signature"):
            field.render_kw = {**kw, "autocomplete": "off"}
