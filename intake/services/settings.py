"""Run-time settings an admin can change on ``/admin/settings``.

Every setting is declared here with its type, its default and its validator, so reading one that
was never saved is safe and a typo in a key is an error, not a silent default. A value is stored
as JSON (``setting`` table, key → JSON) and read back through the same validator
(``intake.clinic`` holds the clinic's ones); a stored value that no longer passes (edited by
hand) is logged and read as the default.

The clinic's profile (``clinic_profile``) is read on almost every page (the phone in the footer,
times in the clinic's zone): a process reads it from the database at most once every
``CLINIC_PROFILE_SECONDS`` (the query and its rows were a tenth of a patient page, issue 13) and
a request keeps the one it first read on ``flask.g``. A process serves several requests at once
(gunicorn's ``gthread`` threads), so what it keeps is dropped when a change *commits*, not
before, and a read that began before that commit is never kept after it (``_KeptProfile``): a
saved change shows at once in the process that saved it.
``local_time`` is the one place a stored UTC time is written for people.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from time import monotonic
from typing import Any, Generic, Protocol, TypeVar

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from intake import billing, clinic
from intake.clinic import Availability, ClinicProfile, InvalidSetting
from intake.extensions import db
from intake.models.setting import Setting
from intake.services import audit

log = logging.getLogger(__name__)

T = TypeVar("T")


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class SettingSpec(Generic[T]):
    """A setting: its key, wording, default and the one validator of its values.

    ``clean`` turns a stored JSON value into the typed value (raising ``TypeError`` for a value
    of the wrong shape, ``InvalidSetting`` for one it cannot take); ``dump`` turns a typed value
    back into JSON. ``config_default`` names an app config key whose value, when set, is the
    default instead (the clinic phone's ``INTAKE_CLINIC_PHONE``)."""

    key: str
    label: str
    hint: str
    default: T
    clean: Callable[[Any], T]
    dump: Callable[[T], Any] = _same
    config_default: str | None = None

    def default_value(self) -> T:
        if self.config_default and has_app_context():
            configured = current_app.config.get(self.config_default)
            if configured:
                try:
                    return self.clean(configured)
                except (TypeError, InvalidSetting) as error:
                    log.warning(
                        "%s cannot be used for %s (%s)", self.config_default, self.key, error
                    )
        return self.default


def _text(max_length: int, *, multiline: bool = False) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        return clinic.clean_text(value, max_length=max_length, multiline=multiline)

    return clean


EXPORT_FREE_TEXT = "export.include_free_text"
CLINIC_NAME = "clinic.name"
CLINIC_PHONE = "clinic.phone"
CLINIC_ADDRESS = "clinic.address"
CLINIC_TIME_ZONE = "clinic.time_zone"
CLINIC_HOURS = "clinic.hours"
CLINIC_HOLIDAYS = "clinic.holidays"
CLINIC_LEGAL_NAME = "clinic.legal_name"
CLINIC_TIN = "clinic.tin"
CLINIC_GROUP_NPI = "clinic.group_npi"

PDF_PAPER = "pdf.paper"
COURSE_EVERY_DAYS = "course.checkin_every_days"
COURSE_MAINTENANCE_MONTHS = "course.maintenance_months"

#: The paper sizes a PDF may be laid out for, as CSS ``@page size`` names them, with their
#: words. US clinics print Letter: the default (docs/clinician.md, "The PDF").
PAPER_SIZES: dict[str, str] = {"letter": "US Letter (8.5 × 11 in)", "A4": "A4 (210 × 297 mm)"}


def _whole_number(low: int, high: int) -> Callable[[Any], int]:
    def clean(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError("a whole number")
        try:
            number = int(value)
        except ValueError:
            raise InvalidSetting(f"Enter a whole number from {low} to {high}.") from None
        if not low <= number <= high:
            raise InvalidSetting(f"Enter a whole number from {low} to {high}.")
        return number

    return clean


def _paper(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a paper size is a string")
    if value not in PAPER_SIZES:
        raise InvalidSetting("Choose Letter or A4.")
    return value


_SPECS: tuple[SettingSpec[Any], ...] = (
    SettingSpec(
        key=EXPORT_FREE_TEXT,
        label="Include free-text answers in CSV exports",
        hint=(
            "Adds what patients typed in their own words (other concern, medicine names as typed, "
            "other medicines, payer and subscriber names, signature). Off by default: exported "
            "files leave the app's access control."
        ),
        default=False,
        clean=clinic.clean_bool,
    ),
    SettingSpec(
        key=CLINIC_NAME,
        label="Clinic name",
        hint="As patients know it; shown in page titles and headers.",
        default="",
        clean=_text(clinic.NAME_MAX),
    ),
    SettingSpec(
        key=CLINIC_PHONE,
        label="Clinic phone number",
        hint="As patients should dial it, e.g. 503-555-0100; shown on every patient page.",
        default="",
        clean=clinic.clean_phone,
        config_default="CLINIC_PHONE",
    ),
    SettingSpec(
        key=CLINIC_ADDRESS,
        label="Clinic address",
        hint="One line per line of the address.",
        default="",
        clean=_text(clinic.ADDRESS_MAX, multiline=True),
    ),
    SettingSpec(
        key=CLINIC_TIME_ZONE,
        label="Time zone",
        hint="The IANA name, e.g. America/New_York; every time staff and patients see is in it.",
        default=clinic.DEFAULT_TIME_ZONE,
        clean=clinic.clean_time_zone,
    ),
    SettingSpec(
        key=CLINIC_HOURS,
        label="Opening hours",
        hint="Clinic time. Leave a day blank when the clinic is closed.",
        default=None,
        clean=clinic.clean_hours,
        dump=clinic.hours_json,
    ),
    SettingSpec(
        key=CLINIC_HOLIDAYS,
        label="Holidays",
        hint="Days the clinic is closed, one a line: the date, then a name if you like.",
        default=(),
        clean=clinic.clean_holidays,
        dump=clinic.holidays_json,
    ),
    SettingSpec(
        key=PDF_PAPER,
        label="Paper size for PDFs",
        hint="The summary PDF's paper: US Letter unless the clinic prints on A4.",
        default="letter",
        clean=_paper,
    ),
    SettingSpec(
        key=COURSE_EVERY_DAYS,
        label="Days between check-ins",
        hint="A new course asks the patient for a PHQ-9 and GAD-7 check-in this often (7: "
        "weekly), besides the baseline and the end of the course.",
        default=7,
        clean=_whole_number(1, 90),
    ),
    SettingSpec(
        key=COURSE_MAINTENANCE_MONTHS,
        label="Months of follow-up check-ins after a course",
        hint="After a completed course, one check-in a month for this many months (0: none), "
        "watching for relapse.",
        default=6,
        clean=_whole_number(0, 12),
    ),
    SettingSpec(
        key=CLINIC_LEGAL_NAME,
        label="Legal name",
        hint="The name the clinic bills under, as the payer has it; on the prior-authorization "
        "packet.",
        default="",
        clean=_text(clinic.LEGAL_NAME_MAX),
    ),
    SettingSpec(
        key=CLINIC_TIN,
        label="Tax identification number (TIN)",
        hint="The clinic's federal TIN (EIN), 9 digits, e.g. 12-3456789.",
        default="",
        clean=clinic.clean_tin,
    ),
    SettingSpec(
        key=CLINIC_GROUP_NPI,
        label="Group NPI",
        hint="The clinic's type 2 (organisation) NPI, 10 digits.",
        default="",
        clean=clinic.clean_npi,
    ),
)

#: Every setting by key, in the order the settings page shows them.
SETTINGS: dict[str, SettingSpec[Any]] = {spec.key: spec for spec in _SPECS}
CLINIC_KEYS = (
    CLINIC_NAME,
    CLINIC_PHONE,
    CLINIC_ADDRESS,
    CLINIC_TIME_ZONE,
    CLINIC_HOURS,
    CLINIC_HOLIDAYS,
)
BILLING_KEYS = (CLINIC_LEGAL_NAME, CLINIC_ADDRESS, CLINIC_TIN, CLINIC_GROUP_NPI)
_CACHE = "_clinic_profile"
#: Where an app keeps its ``_KeptProfile`` between requests.
_KEPT = "intake.clinic_profile"
#: Set on ``g`` by a request that changed a setting: its reads are not kept for other requests.
_UNSAVED = "_settings_unsaved"
#: On ``Session.info``: the ``_KeptProfile`` of the app whose setting this session changed.
_CHANGED = "intake.settings_changed"


class _KeptProfile:
    """The profile one app (one worker process) keeps between requests, shared by its threads.

    ``entry`` is ``(monotonic() when read, profile)``, or ``None`` when nothing is kept.
    ``generation`` counts the setting changes committed in this app. A request notes it before
    it queries the rows and keeps what it read only if no change has committed since
    (``keep``): a read that began before a commit (in another thread, seeing the rows as they
    were) would otherwise be kept after the commit had dropped the old profile, and the worker
    that saved the change would show the old one for up to ``CLINIC_PROFILE_SECONDS``.
    ``last`` is the newest profile ever kept, of any age, for the outage page
    (``offline_profile``): a change drops ``entry``, never ``last``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.entry: tuple[float, ClinicProfile] | None = None
        self.last: ClinicProfile | None = None

    def keep(self, generation: int, read_at: float, profile: ClinicProfile) -> None:
        with self._lock:
            if generation == self.generation:
                self.entry = (read_at, profile)
                self.last = profile

    def changed(self) -> None:
        """A setting change has committed: what was read before it is not kept."""
        with self._lock:
            self.generation += 1
            self.entry = None


def _kept(app: Flask) -> _KeptProfile:
    # Kept on the app, not the module: each app (each test's, each database's) has its own.
    kept: _KeptProfile | None = app.extensions.get(_KEPT)
    if kept is None:
        # ``setdefault`` is one step: two threads making one at once both get the first.
        kept = app.extensions.setdefault(_KEPT, _KeptProfile())
    return kept


@event.listens_for(Session, "after_commit")
def _drop_kept_after_commit(session: Session) -> None:
    """Once a session that changed a setting commits, its app drops the profile it kept."""
    kept = session.info.pop(_CHANGED, None)
    if kept is not None:
        kept.changed()


@event.listens_for(Session, "after_rollback")
def _drop_kept_after_rollback(session: Session) -> None:
    """A rollback after a change drops what was kept too, as a commit does. The rollback may be
    a savepoint's only (``begin_nested``), and the outer transaction may still commit the
    change: forgetting the change here would keep the old profile for
    ``CLINIC_PROFILE_SECONDS`` after it. Dropping costs one query; the change stays noted, so
    a later commit drops it again."""
    kept = session.info.get(_CHANGED)
    if kept is not None:
        kept.changed()


@dataclass(frozen=True)
class BillingProfile:
    """What a payer needs to know about the clinic (the prior-authorization packet): its legal
    name and address, TIN (nine digits; ``tin_shown`` is ``XX-XXXXXXX``) and group NPI. An
    empty value was never set."""

    legal_name: str
    address: str
    tin: str
    group_npi: str

    @property
    def tin_shown(self) -> str:
        return billing.format_tin(self.tin)

    @property
    def missing(self) -> list[str]:
        """The settings not filled in yet, in words (the packet says so)."""
        words = {
            "legal_name": "legal name",
            "address": "address",
            "tin": "TIN",
            "group_npi": "group NPI",
        }
        return [word for name, word in words.items() if not getattr(self, name)]


class _Stored(Protocol):
    """A stored setting: its ``Setting`` row, or that row's ``key, value`` columns."""

    @property
    def value(self) -> Any: ...


#: The invalid stored values already logged by this process, as (key, repr of the value): the
#: clinic profile is read again every few seconds, and one warning per value is enough.
_WARNED: set[tuple[str, str]] = set()
#: A bound on that memory, in case a setting is saved invalid many times over (only by hand).
_WARNED_KEPT = 64


def _read(spec: SettingSpec[Any], stored: _Stored | None) -> Any:
    if stored is None:
        return spec.default_value()
    try:
        return spec.clean(stored.value)
    except (TypeError, InvalidSetting) as error:
        seen = (spec.key, repr(stored.value))
        if seen not in _WARNED:
            if len(_WARNED) >= _WARNED_KEPT:
                _WARNED.clear()
            _WARNED.add(seen)
            log.warning("stored setting %s is not valid (%s); using its default", spec.key, error)
        return spec.default_value()


def get_setting(key: str) -> Any:
    """The stored value of a declared setting, or its default."""
    spec = SETTINGS[key]
    return _read(spec, db.session.get(Setting, key))


def all_settings() -> list[tuple[SettingSpec[Any], Any]]:
    """Every declared setting with its current value, in declaration order."""
    return [(spec, get_setting(key)) for key, spec in SETTINGS.items()]


def set_setting(key: str, value: Any, *, user_id: int | None) -> bool:
    """Store ``value`` and audit the change with the old and new (JSON) value (flushed; the
    caller commits); returns whether it changed. Storing the value a setting already has records
    nothing. A value of the wrong type raises ``TypeError``, one the setting cannot take
    ``InvalidSetting`` (the form has said so at its field before)."""
    spec = SETTINGS[key]
    new = spec.dump(spec.clean(spec.dump(value)))
    stored = db.session.get(Setting, key)
    current = spec.dump(_read(spec, stored))
    if current == new:
        return False
    if stored is None:
        db.session.add(Setting(key=key, value=new, updated_by_id=user_id))
    else:
        stored.value = new
        stored.updated_by_id = user_id
    db.session.flush()
    audit.record("setting_changed", detail={"key": key, "from": current, "to": new})
    if has_app_context():
        g.pop(_CACHE, None)
        # Dropped when the change commits (before it, other threads still read the old rows).
        db.session.info[_CHANGED] = _kept(current_app)
        # Until this request commits, what it reads is not yet every request's to keep.
        g.setdefault(_UNSAVED, True)
    return True


def clinic_profile() -> ClinicProfile:
    """The clinic's profile: the one this request first read (on ``flask.g``), else the one
    this app read less than ``CLINIC_PROFILE_SECONDS`` ago, else one query."""
    cached = g.get(_CACHE)
    if isinstance(cached, ClinicProfile):
        return cached
    kept = _kept(current_app)
    entry = kept.entry
    now = monotonic()
    if entry is not None and now - entry[0] < current_app.config["CLINIC_PROFILE_SECONDS"]:
        profile = entry[1]
    else:
        generation = kept.generation  # before the query: a change committed after it wins
        # The columns, not ``Setting`` objects: a row this session loaded before would come back
        # from its identity map as it was then, not as the query found it.
        rows = db.session.execute(
            db.select(Setting.key, Setting.value).where(Setting.key.in_(CLINIC_KEYS))
        )
        stored = {row.key: row for row in rows}
        values = {key: _read(SETTINGS[key], stored.get(key)) for key in CLINIC_KEYS}
        profile = _profile(values)
        if not g.get(_UNSAVED):
            kept.keep(generation, now, profile)
    g.setdefault(_CACHE, profile)
    return profile


def billing_profile() -> BillingProfile:
    """The clinic's legal name, address, TIN and group NPI (one query)."""
    rows = db.session.scalars(db.select(Setting).where(Setting.key.in_(BILLING_KEYS)))
    stored = {row.key: row for row in rows}
    values = {key: _read(SETTINGS[key], stored.get(key)) for key in BILLING_KEYS}
    return BillingProfile(
        legal_name=values[CLINIC_LEGAL_NAME],
        address=values[CLINIC_ADDRESS],
        tin=values[CLINIC_TIN],
        group_npi=values[CLINIC_GROUP_NPI],
    )


def offline_profile() -> None:
    """For this request, the profile without the database (the outage page renders while the
    database is unreachable): the one this app last kept, however old (the clinic's real
    phone number matters most to a patient who cannot go on), else the defaults alone."""
    last = _kept(current_app).last
    if last is None:
        last = _profile({key: SETTINGS[key].default_value() for key in CLINIC_KEYS})
    setattr(g, _CACHE, last)


def _profile(values: dict[str, Any]) -> ClinicProfile:
    return ClinicProfile(
        name=values[CLINIC_NAME],
        phone=values[CLINIC_PHONE],
        address=values[CLINIC_ADDRESS],
        time_zone=values[CLINIC_TIME_ZONE],
        hours=values[CLINIC_HOURS],
        holidays=values[CLINIC_HOLIDAYS],
    )


def utc_now() -> datetime:
    """Now, in UTC (tests replace it to stop the clock)."""
    return datetime.now(UTC)


def clinic_availability(now: datetime | None = None) -> Availability:
    """Whether the clinic is open now, else when it opens next (``clinic.availability``)."""
    profile = clinic_profile()
    return clinic.availability(profile.hours, profile.holidays, profile.zone, now or utc_now())


def local_time(value: datetime, *, seconds: bool = False) -> str:
    """A stored UTC time in the clinic's zone, ``2026-12-02 09:15 EST`` (the ``local_time``
    template filter, the services' messages, the PDFs)."""
    return clinic.format_time(value, clinic_profile().zone, seconds=seconds)


def local_day(value: datetime) -> date:
    """The clinic's calendar date of a stored UTC time."""
    return clinic.local_day(value, clinic_profile().zone)


def day_start(day: date) -> datetime:
    """When the clinic's calendar day ``day`` begins, in UTC (the date filters of the queue,
    the CSV export and the audit log count clinic days)."""
    return clinic.day_start(day, clinic_profile().zone)


def local_date(value: datetime) -> str:
    """The clinic's calendar date of a stored UTC time, ``2026-12-02`` (the ``local_date``
    template filter)."""
    return local_day(value).isoformat()
