"""Run-time settings an admin can change on ``/admin/settings``.

Every setting is declared here with its default, so reading one that was never saved is safe and a
typo in a key is an error, not a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake.extensions import db
from intake.models.setting import Setting
from intake.services import audit


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    hint: str
    default: bool


EXPORT_FREE_TEXT = "export.include_free_text"

SETTINGS: dict[str, SettingSpec] = {
    EXPORT_FREE_TEXT: SettingSpec(
        key=EXPORT_FREE_TEXT,
        label="Include free-text answers in CSV exports",
        hint=(
            "Adds what patients typed in their own words (other concern, medicine names as typed, "
            "other medicines, payer and subscriber names, signature). Off by default: exported "
            "files leave the app's access control."
        ),
        default=False,
    ),
}


def get_setting(key: str) -> Any:
    """The stored value of a declared setting, or its default."""
    spec = SETTINGS[key]
    stored = db.session.get(Setting, key)
    return spec.default if stored is None else stored.value


def all_settings() -> list[tuple[SettingSpec, Any]]:
    """Every declared setting with its current value, in declaration order."""
    return [(spec, get_setting(key)) for key, spec in SETTINGS.items()]


def set_setting(key: str, value: Any, *, user_id: int | None) -> bool:
    """Store ``value`` and audit the change (flushed; the caller commits); returns whether it
    changed. Storing the value a setting already has records nothing."""
    spec = SETTINGS[key]
    if not isinstance(value, type(spec.default)):
        raise TypeError(f"{key} takes a {type(spec.default).__name__}")
    stored = db.session.get(Setting, key)
    current = spec.default if stored is None else stored.value
    if current == value:
        return False
    if stored is None:
        db.session.add(Setting(key=key, value=value, updated_by_id=user_id))
    else:
        stored.value = value
        stored.updated_by_id = user_id
    db.session.flush()
    audit.record("setting_changed", detail={"key": key, "from": current, "to": value})
    return True
