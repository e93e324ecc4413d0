"""The intake-answers/1 and /2 documents: their choice lists and the one place they are checked.

Every way an intake arrives (the patient wizard, the JSON API, ``flask --app intake evaluate``)
goes through :func:`parse_answers`, so a document is judged by the same rules everywhere and the
wizard can show the same messages next to its fields. Validation is written by hand rather than
with a schema library because the contract has conditional rules (a field required or forbidden
because of another answer) and every problem must be reported at its own path in plain words.

This module is pure Python: no Flask, no database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import email_validator
from email_validator import EmailNotValidError, validate_email

from intake import vocabulary as vocab
from intake.text import CONTRACT_MESSAGES, text_fault

#: The contract the wizard writes; every contract here is still accepted, each validated by
#: its own field rules (docs/rules.md, "Answers contracts").
CONTRACT = "intake-answers/2"
CONTRACTS = {"intake-answers/1": 1, "intake-answers/2": 2}

# Codes and limits come from the vocabulary, the one home they share with the forms.
YN = vocab.codes(vocab.YN)
YES_NO = vocab.codes(vocab.YES_NO)
ASQ_ANSWERS = vocab.codes(vocab.ASQ_ANSWERS)
GUARDIAN_RELATIONSHIPS = vocab.codes(vocab.GUARDIAN_RELATIONSHIPS)
LANGUAGES = vocab.codes(vocab.LANGUAGES)
CONTACT_METHODS = vocab.codes(vocab.CONTACT_METHODS)
PRIMARY_CONCERNS = vocab.codes(vocab.PRIMARY_CONCERNS)
PHQ9_DIFFICULTY = vocab.codes(vocab.PHQ9_DIFFICULTY)
PHQ9_ITEM_COUNT = 9
GAD7_ITEM_COUNT = 7
ITEM_MAX = 3
#: ASQ questions 1-4, in order; question 5 (``thoughts_right_now``) is asked only after a yes.
ASQ_ITEMS = ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried")
MED_OUTCOMES = vocab.codes(vocab.MED_OUTCOMES)
THERAPY_MODALITIES = vocab.codes(vocab.THERAPY_MODALITIES)
THERAPY_OUTCOMES = vocab.codes(vocab.THERAPY_OUTCOMES)
NEUROMOD_TREATMENTS = ("tms", "ect", "ketamine")
NEUROMOD_OUTCOMES = vocab.codes(vocab.NEUROMOD_OUTCOMES)
PREFERENCE_ITEMS = (
    "open_to_tms",
    "open_to_psychotherapy",
    "open_to_medication_changes",
    "can_attend_daily_sessions",
)
#: The TMS safety questions answered yes / no / unsure, in contract order.
SAFETY_ITEMS = (
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "metal_in_head",
    "cochlear_implant",
    "implanted_neurostimulator",
    "cardiac_device",
    "medication_pump",
    "hearing_problems",
    "frequent_headaches",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
)
PREGNANT_CHOICES = vocab.codes(vocab.PREGNANT)
COVERAGE_TYPES = vocab.codes(vocab.COVERAGE_TYPES)
RELATIONSHIPS = vocab.codes(vocab.RELATIONSHIPS)

NAME_MAX = vocab.NAME_MAX
EMAIL_MAX = vocab.EMAIL_MAX
PHONE_TEXT_MAX = vocab.PHONE_TEXT_MAX
OTHER_DESCRIPTION_MAX = vocab.OTHER_DESCRIPTION_MAX
EPISODE_MONTHS_MAX = vocab.EPISODE_MONTHS_MAX
MAX_MEDICATION_TRIALS = vocab.MAX_MEDICATION_TRIALS
MAX_OTHER_MEDICATIONS = vocab.MAX_OTHER_MEDICATIONS
MAX_PSYCHOTHERAPY_TRIALS = vocab.MAX_PSYCHOTHERAPY_TRIALS
MEDICINE_NAME_MAX = vocab.MEDICINE_NAME_MAX
DOSE_MAX_MG = vocab.DOSE_MAX_MG
WEEKS_MAX = vocab.WEEKS_MAX
SESSIONS_MAX = vocab.SESSIONS_MAX
PAYER_MAX = vocab.PAYER_MAX
MEMBER_ID_MAX = vocab.MEMBER_ID_MAX
GROUP_NUMBER_MAX = vocab.GROUP_NUMBER_MAX
SUBSCRIBER_NAME_MAX = vocab.SUBSCRIBER_NAME_MAX
SIGNATURE_MAX = vocab.SIGNATURE_MAX
MAX_AGE = vocab.MAX_AGE
MIN_AGE = vocab.MIN_AGE
ADULT_AGE = vocab.ADULT_AGE
GUARDIAN_NAME_MAX = vocab.GUARDIAN_NAME_MAX
PHONE_DIGITS = vocab.PHONE_DIGITS

_MISSING = object()
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()\[\]]")
# MBI letters leave out S, L, O, I, B and Z so they cannot be mistaken for digits.
_MBI_LETTER = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[AC-HJKMNP-RT-Y0-9]"
_MBI = re.compile(
    f"[1-9]{_MBI_LETTER}{_MBI_ALNUM}[0-9]{_MBI_LETTER}{_MBI_ALNUM}[0-9]"
    f"{_MBI_LETTER}{_MBI_LETTER}[0-9][0-9]"
)
# The plain shape most addresses have, which email_validator accepts as it is: before the @, an
# ASCII dot-atom (RFC 5322 atext runs joined by single dots); after it, lower-case host labels
# of letters, digits and hyphens that neither start nor end with a hyphen, at least two of them,
# the last ending in a letter, no "--" anywhere (so no Punycode "xn--" and no R-LDH label).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_EMAIL = re.compile(
    rf"(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@(?!.*--)(?P<domain>{_LABEL}(?:\.{_LABEL})+)(?<=[a-z])"
)
#: email_validator's length limits (RFC 5321): the address, and the part before the @ (checked
#: by its strict mode only; the fast check keeps to it so it is never more lenient).
_EMAIL_MAX_OCTETS = 254
_LOCAL_PART_MAX = 64


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (a dotted path) and what, in plain words."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidAnswers(Exception):
    """A rejected document, with every problem in document order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _blank(value: object) -> bool:
    """Absent, null or only spaces: an optional answer that was not given."""
    return value is _MISSING or value is None or (isinstance(value, str) and not value.strip())


def is_valid_mbi(value: str) -> bool:
    """Whether ``value`` is a well-formed Medicare Beneficiary Identifier.

    Dashes and spaces are ignored and case does not matter, as people type them from the card.
    """
    if not isinstance(value, str):
        return False
    compact = value.replace("-", "").replace(" ", "").upper()
    return _MBI.fullmatch(compact) is not None


def is_valid_phone(value: str) -> bool:
    """Whether ``value`` has 7-15 digits once separators and a leading + are dropped."""
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    compact = compact.removeprefix("+")
    return (
        compact.isascii()
        and compact.isdigit()
        and PHONE_DIGITS[0] <= len(compact) <= PHONE_DIGITS[1]
    )


def is_valid_email(value: str) -> bool:
    """Whether ``value`` is a syntactically valid email address (no network look-up).

    email_validator decides. An address of the plain shape (``_PLAIN_EMAIL``, short enough, not
    under a special-use domain such as ``.local``) is one it always accepts, so that shape is
    accepted without it: the full check was close to half of ``parse_answers``' instructions.
    Everything else (upper-case or international domains, quoted parts, brackets, anything odd)
    goes to email_validator, so nothing is refused here that it would accept, nor the reverse
    (tests/test_answers.py compares the two on a table of tricky addresses).
    """
    plain = _PLAIN_EMAIL.fullmatch(value) if len(value) <= _EMAIL_MAX_OCTETS else None
    if plain is not None and len(plain["local"]) <= _LOCAL_PART_MAX:
        domain = plain["domain"]
        if not any(
            domain == special or domain.endswith("." + special)
            for special in email_validator.SPECIAL_USE_DOMAIN_NAMES
        ):
            return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def age_in_years(born: date, on: date) -> int:
    """Whole years between ``born`` and ``on`` (a 29 February birthday counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def parse_answers(document: object, as_of: date) -> dict[str, Any]:
    """Validate an intake-answers/1 or /2 document and return a new, normalised copy.

    Each contract is checked by its own field rules and keeps its name, so a stored v1 document
    stays a v1 document. Strings are trimmed; optional answers that are absent, null or blank
    come back as ``None``; lists and numbers keep their JSON types. ``as_of`` is the evaluation
    date that date of birth is checked against. Raises :class:`InvalidAnswers` listing every
    problem, not just the first.
    """
    problems: list[Problem] = []
    root = _Object(document, "", _TOP_FIELDS, problems.append, as_of)
    result: dict[str, Any] = {}
    if root.ok:
        contract = root.raw("contract")
        if not isinstance(contract, str) or contract not in CONTRACTS:
            accepted = " or ".join(f'"{name}"' for name in CONTRACTS)
            root.problem("contract", f"must be {accepted}")
            contract = CONTRACT
        root.version = CONTRACTS[contract]
        result["contract"] = contract
        for key, read in _SECTIONS:
            result[key] = read(root)
        root.finish()
    if problems:
        raise InvalidAnswers(problems)
    return result


def parse_partial(document: object, as_of: date) -> dict[str, Any]:
    """Validate a partial submission's document (docs/wizard.md, "Sending what you have
    answered") and return a new, normalised copy.

    Only the sections present are read, each by the same reader as in :func:`parse_answers`
    (so a section is accepted here exactly when it would be there); absent sections stay
    absent. When ``patient`` is absent, ``contact`` (first and last name, date of birth and
    phone, all required) says how to reach the patient. Only the current contract is written
    as a partial. Raises :class:`InvalidAnswers` listing every problem.
    """
    problems: list[Problem] = []
    root = _Object(document, "", (*_TOP_FIELDS, "contact"), problems.append, as_of)
    result: dict[str, Any] = {}
    if root.ok:
        if root.raw("contract") != CONTRACT:
            root.problem("contract", f'must be "{CONTRACT}"')
        result["contract"] = CONTRACT
        present = {key for key in _TOP_FIELDS if root.raw(key) is not _MISSING}
        if "patient" in present:
            root.absent("contact", "must be left out when patient is answered")
        else:
            result["contact"] = _contact(root)
        for key, read in _SECTIONS:
            if key in present:
                result[key] = read(root)
        root.finish()
    if problems:
        raise InvalidAnswers(problems)
    return result


#: A partial submission's contact details when "About you" was not finished: the least the
#: clinic needs to reach the patient.
_CONTACT_FIELDS = ("first_name", "last_name", "date_of_birth", "phone")


def _contact(root: _Object) -> dict[str, Any]:
    obj = root.child("contact", _CONTACT_FIELDS)
    out = {
        "first_name": obj.text("first_name", NAME_MAX),
        "last_name": obj.text("last_name", NAME_MAX),
        "date_of_birth": obj.date_value("date_of_birth"),
        "phone": obj.text("phone", PHONE_TEXT_MAX),
    }
    born = out["date_of_birth"]
    if born is not None:
        root.age = age_in_years(date.fromisoformat(born), root.as_of)
        if root.age < MIN_AGE:
            obj.problem("date_of_birth", f"must give an age of {MIN_AGE} or more")
            out["date_of_birth"], root.age = None, None
    if out["phone"] is not None and not is_valid_phone(out["phone"]):
        obj.problem("phone", "must be a phone number with 7 to 15 digits")
        out["phone"] = None
    obj.finish()
    return out


@functools.cache
def _field_order(fields: tuple[str, ...]) -> dict[str, int]:
    """Each field's place in its object, built once per field list (the lists are constants);
    the dict is shared by every object read with that list, which only ever reads it."""
    return {name: i for i, name in enumerate(fields)}


class _Object:
    """Reads one JSON object: each field once, problems at full paths, unknown keys reported.

    Problems are buffered and flushed in the order the fields are declared, so a conditional
    requirement discovered late (``patient.email`` needed because of ``preferred_contact``)
    still appears at its field's place. Keys not among ``fields`` are unknown and reported last.
    """

    def __init__(
        self,
        value: object,
        path: str,
        fields: tuple[str, ...],
        report: Callable[[Problem], None],
        as_of: date,
    ) -> None:
        self.path = path
        self.as_of = as_of
        #: The answers contract's generation (1 or 2); children inherit it from the root.
        self.version = 2
        #: The patient's age on ``as_of`` once known (the consent of a minor needs a guardian).
        self.age: int | None = None
        self._report = report
        self._order = _field_order(fields)
        self._buffer: list[tuple[int, Problem]] = []
        self.ok = isinstance(value, dict)
        self._data: dict[str, Any] = value if isinstance(value, dict) else {}
        if value is _MISSING or value is None:
            report(Problem(path or "document", "is required"))
        elif not self.ok:
            report(Problem(path or "document", "must be a group of answers (a JSON object)"))

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str, suffix: str = "") -> None:
        self._buffer.append(
            (self._order.get(key, len(self._order)), Problem(self.at(key) + suffix, message))
        )

    def raw(self, key: str) -> Any:
        return self._data.get(key, _MISSING)

    def child(
        self, key: str, fields: tuple[str, ...], suffix: str = "", value: Any = _MISSING
    ) -> _Object:
        """A nested object whose problems sort at ``key``'s place in this one."""
        index = self._order.get(key, len(self._order))
        raw = self._data.get(key, _MISSING) if value is _MISSING else value
        child = _Object(
            raw,
            self.at(key) + suffix,
            fields,
            lambda p: self._buffer.append((index, p)),
            self.as_of,
        )
        child.version, child.age = self.version, self.age
        return child

    def finish(self) -> None:
        """Report unknown keys, then flush. A missing section says so once, not once per field."""
        if not self.ok:
            return
        for key in self._data:
            if key not in self._order:
                self.problem(key, "is not a question on this form")
        if self._buffer:
            self._buffer.sort(key=lambda item: item[0])
            for _, problem in self._buffer:
                self._report(problem)

    # Field readers: each returns the normalised value, or None when absent or invalid.

    def text(
        self,
        key: str,
        max_len: int,
        *,
        required: bool = True,
        why: str = "",
        multiline: bool = False,
    ) -> str | None:
        value = self._data.get(key, _MISSING)
        if value is not _MISSING and value is not None and not isinstance(value, str):
            self.problem(key, "must be text")
            return None
        value = value.strip() if isinstance(value, str) else ""
        fault = text_fault(value, multiline=multiline)
        if fault is not None:
            self.problem(key, CONTRACT_MESSAGES[fault])
            return None
        if not value:
            if required:
                self.problem(key, "is required" + why)
            return None
        if len(value) > max_len:
            self.problem(key, f"must be at most {max_len} characters")
            return None
        return value

    def absent(self, key: str, message: str) -> None:
        """Report ``key`` unless it is absent or null: it must not be answered here.

        The contract says "null or absent", so even a blank string is an answer out of place.
        """
        value = self._data.get(key, _MISSING)
        if value is not _MISSING and value is not None:
            self.problem(key, message)

    def choice(
        self, key: str, options: tuple[str, ...], *, required: bool = True, why: str = ""
    ) -> str | None:
        value = self._data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(key, "is required" + why)
            return None
        if not isinstance(value, str) or value not in options:
            self.problem(key, "must be one of: " + ", ".join(options))
            return None
        return value

    def integer(
        self, key: str, low: int, high: int, value: Any = _MISSING, suffix: str = ""
    ) -> int | None:
        value = self._data.get(key, _MISSING) if value is _MISSING else value
        if value is _MISSING or value is None:
            self.problem(key, "is required", suffix)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"must be an integer from {low} to {high}", suffix)
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self._data.get(key, _MISSING)
        if value is _MISSING or value is None:
            self.problem(key, "is required")
            return None
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return None
        return value

    def date_value(self, key: str, *, required: bool = True, why: str = "") -> str | None:
        """A YYYY-MM-DD date, not after the evaluation date, at most 120 years back."""
        value = self._data.get(key, _MISSING)
        if _blank(value):
            if required:
                self.problem(key, "is required" + why)
            return None
        parsed = None
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            self.problem(key, "must be a real date written YYYY-MM-DD")
            return None
        if parsed > self.as_of:
            self.problem(key, "must not be in the future")
            return None
        if age_in_years(parsed, self.as_of) > MAX_AGE:
            self.problem(key, f"must give an age of {MAX_AGE} or less")
            return None
        return parsed.isoformat()

    def list_of(
        self, key: str, max_items: int, read_item: Callable[[_Object, int, Any], Any]
    ) -> list[Any] | None:
        value = self._data.get(key, _MISSING)
        if value is _MISSING or value is None:
            self.problem(key, "is required (use an empty list when there is nothing to add)")
            return None
        if not isinstance(value, list):
            self.problem(key, "must be a list")
            return None
        if len(value) > max_items:
            self.problem(key, f"must have at most {max_items} entries")
        return [read_item(self, i, item) for i, item in enumerate(value)]


_TOP_FIELDS = (
    "contract",
    "patient",
    "concerns",
    "phq9",
    "gad7",
    "asq",
    "medication_trials",
    "other_medications",
    "psychotherapy_trials",
    "neuromodulation",
    "preferences",
    "safety_screen",
    "insurance",
    "consent",
)
_PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "preferred_language",
    "preferred_contact",
)


def _patient(root: _Object) -> dict[str, Any]:
    obj = root.child("patient", _PATIENT_FIELDS)
    out = {
        "first_name": obj.text("first_name", NAME_MAX),
        "last_name": obj.text("last_name", NAME_MAX),
        "date_of_birth": obj.date_value("date_of_birth"),
        "email": obj.text("email", EMAIL_MAX, required=False),
        "phone": obj.text("phone", PHONE_TEXT_MAX, required=False),
        "preferred_language": obj.choice("preferred_language", LANGUAGES),
        "preferred_contact": obj.choice("preferred_contact", CONTACT_METHODS),
    }
    born = out["date_of_birth"]
    if born is not None:
        root.age = age_in_years(date.fromisoformat(born), root.as_of)
        if root.version >= 2 and root.age < MIN_AGE:
            obj.problem(
                "date_of_birth",
                f"must give an age of {MIN_AGE} or more: the online intake is for people aged "
                f"{MIN_AGE} and over; please call the clinic",
            )
            out["date_of_birth"], root.age = None, None
    if out["email"] is not None and not is_valid_email(out["email"]):
        obj.problem("email", "must be a valid email address, like name@example.org")
        out["email"] = None
    if out["phone"] is not None and not is_valid_phone(out["phone"]):
        obj.problem("phone", "must be a phone number with 7 to 15 digits")
        out["phone"] = None
    contact = out["preferred_contact"]
    needed = "email" if contact == "email" else "phone" if contact in ("phone", "text") else None
    if needed and _blank(obj.raw(needed)):
        obj.problem(needed, f"is required because you prefer to be contacted by {contact}")
    obj.finish()
    return out


def _concerns(root: _Object) -> dict[str, Any]:
    obj = root.child(
        "concerns",
        (
            "primary",
            "other_description",
            "episode_months",
            "psychotic_symptoms",
            "mania_history",
            "bipolar_diagnosis",
        ),
    )
    primary = obj.choice("primary", PRIMARY_CONCERNS)
    description = None
    if primary == "other":
        description = obj.text(
            "other_description",
            OTHER_DESCRIPTION_MAX,
            why=" when the main concern is other",
            multiline=True,
        )
    elif primary is not None:
        obj.absent("other_description", "must be null or left out unless the main concern is other")
    out = {
        "primary": primary,
        "other_description": description,
        "episode_months": obj.integer("episode_months", 0, EPISODE_MONTHS_MAX),
        "psychotic_symptoms": obj.choice("psychotic_symptoms", YN),
        "mania_history": obj.choice("mania_history", YN),
        "bipolar_diagnosis": obj.choice("bipolar_diagnosis", YN),
    }
    obj.finish()
    return out


def _items(obj: _Object, count: int) -> list[int] | None:
    """A questionnaire's answers: exactly ``count`` integers from 0 to 3."""
    value = obj.raw("items")
    if value is _MISSING or value is None:
        obj.problem("items", "is required")
        return None
    if not isinstance(value, list):
        obj.problem("items", f"must be a list of {count} answers")
        return None
    if len(value) != count:
        obj.problem("items", f"must have exactly {count} answers, not {len(value)}")
    # A plain 0-3 is taken as it is; anything else gets integer()'s check and message.
    items = [
        item
        if type(item) is int and 0 <= item <= ITEM_MAX
        else obj.integer("items", 0, ITEM_MAX, item, f"[{i}]")
        for i, item in enumerate(value)
    ]
    scores = [item for item in items if item is not None]
    if len(value) != count or len(scores) != count:
        return None
    return scores


def _phq9(root: _Object) -> dict[str, Any]:
    obj = root.child("phq9", ("items", "difficulty"))
    items = _items(obj, PHQ9_ITEM_COUNT)
    raw_items = obj.raw("items")
    any_symptom = isinstance(raw_items, list) and any(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i <= ITEM_MAX for i in raw_items
    )
    difficulty = obj.choice(
        "difficulty",
        PHQ9_DIFFICULTY,
        required=any_symptom,
        why=" when any answer above is more than 'not at all'",
    )
    obj.finish()
    return {"items": items, "difficulty": difficulty}


def _gad7(root: _Object) -> dict[str, Any]:
    obj = root.child("gad7", ("items",))
    items = _items(obj, GAD7_ITEM_COUNT)
    obj.finish()
    return {"items": items}


def _asq(root: _Object) -> dict[str, Any]:
    """ASQ questions 1-4, and question 5 ("right now"), by the document's own contract."""
    return _asq_v2(root) if root.version >= 2 else _asq_v1(root)


def _asq_v2(root: _Object) -> dict[str, Any]:
    """intake-answers/2: each question may be declined, and no answer to question 5 is dropped.

    A declined question 1-4 counts as a positive screen, so question 5 is then required like
    after a yes; it may be answered whatever 1-4 say (with JavaScript off it is always shown).
    """
    obj = root.child("asq", (*ASQ_ITEMS, "thoughts_right_now"))
    out: dict[str, Any] = {key: obj.choice(key, ASQ_ANSWERS) for key in ASQ_ITEMS}
    positive = any(out[key] in ("yes", "declined") for key in ASQ_ITEMS)
    out["thoughts_right_now"] = obj.choice(
        "thoughts_right_now",
        ASQ_ANSWERS,
        required=positive,
        why=" when an answer to questions 1-4 is yes or declined",
    )
    obj.finish()
    return out


def _asq_v1(root: _Object) -> dict[str, Any]:
    """intake-answers/1: ASQ questions 1-4, and question 5 ("right now").

    Question 5 is *asked* only after a yes to 1-4, but a "yes" to it is never dropped: with
    JavaScript off the question is on the page whatever the other answers are, and someone who
    says they are thinking of killing themselves right now must be flagged. So ``"yes"`` is
    valid whatever questions 1-4 say; ``"no"`` is only an answer when the question was asked.
    """
    obj = root.child("asq", (*ASQ_ITEMS, "thoughts_right_now"))
    out: dict[str, Any] = {key: obj.choice(key, YES_NO) for key in ASQ_ITEMS}
    screened = list(out.values())
    out["thoughts_right_now"] = None
    if "yes" in screened:
        out["thoughts_right_now"] = obj.choice("thoughts_right_now", YES_NO)
    elif obj.raw("thoughts_right_now") == "yes":
        out["thoughts_right_now"] = "yes"
    elif None not in screened:
        obj.absent(
            "thoughts_right_now",
            'must be "yes", null or left out unless an answer to questions 1-4 is yes',
        )
    obj.finish()
    return out


_MEDICATION_FIELDS = ("name", "daily_dose_mg", "weeks", "outcome", "current")


def _medication_trial(parent: _Object, index: int, value: Any) -> dict[str, Any]:
    obj = parent.child("medication_trials", _MEDICATION_FIELDS, f"[{index}]", value)
    dose = obj.raw("daily_dose_mg")
    if dose is _MISSING:
        dose = None
    elif dose is not None and (
        isinstance(dose, bool)
        or not isinstance(dose, int | float)
        # A plain comparison: NaN and infinities fail it, and a huge integer is never turned
        # into a float (which would overflow).
        or not 0 < dose <= DOSE_MAX_MG
    ):
        obj.problem("daily_dose_mg", f"must be empty or a number above 0 and at most {DOSE_MAX_MG}")
        dose = None
    out = {
        "name": obj.text("name", MEDICINE_NAME_MAX),
        "daily_dose_mg": dose,
        "weeks": obj.integer("weeks", 0, WEEKS_MAX if obj.version >= 2 else vocab.WEEKS_MAX_V1),
        "outcome": obj.choice("outcome", MED_OUTCOMES),
        "current": obj.boolean("current"),
    }
    obj.finish()
    return out


def _other_medication(parent: _Object, index: int, value: Any) -> str | None:
    suffix = f"[{index}]"
    if not isinstance(value, str):
        parent.problem("other_medications", "must be text", suffix)
        return None
    value = value.strip()
    fault = text_fault(value)
    if fault is not None:
        parent.problem("other_medications", CONTRACT_MESSAGES[fault], suffix)
        return None
    if not value or len(value) > MEDICINE_NAME_MAX:
        parent.problem("other_medications", f"must be 1 to {MEDICINE_NAME_MAX} characters", suffix)
        return None
    return value


def _psychotherapy_trial(parent: _Object, index: int, value: Any) -> dict[str, Any]:
    obj = parent.child(
        "psychotherapy_trials", ("modality", "sessions", "outcome", "current"), f"[{index}]", value
    )
    out = {
        "modality": obj.choice("modality", THERAPY_MODALITIES),
        "sessions": obj.integer("sessions", 0, SESSIONS_MAX),
        "outcome": obj.choice("outcome", THERAPY_OUTCOMES),
        "current": obj.boolean("current"),
    }
    obj.finish()
    return out


def _choices(
    key: str, fields: tuple[str, ...], options: tuple[str, ...]
) -> Callable[[_Object], Any]:
    """A section that is just a set of questions sharing one choice list."""

    def read(root: _Object) -> dict[str, Any]:
        obj = root.child(key, fields)
        out = {name: obj.choice(name, options) for name in fields}
        obj.finish()
        return out

    return read


def _safety_screen(root: _Object) -> dict[str, Any]:
    obj = root.child("safety_screen", (*SAFETY_ITEMS, "pregnant"))
    out = {name: obj.choice(name, YN) for name in SAFETY_ITEMS}
    out["pregnant"] = obj.choice("pregnant", PREGNANT_CHOICES)
    obj.finish()
    return out


_INSURANCE_FIELDS = (
    "coverage_type",
    "payer_name",
    "member_id",
    "group_number",
    "subscriber_relationship",
    "subscriber_name",
    "subscriber_date_of_birth",
)


def _insurance(root: _Object) -> dict[str, Any]:
    obj = root.child("insurance", _INSURANCE_FIELDS)
    coverage = obj.choice("coverage_type", COVERAGE_TYPES)
    insured = coverage not in (None, "self_pay")
    why = " unless you pay for yourself"
    out = {
        "coverage_type": coverage,
        "payer_name": obj.text("payer_name", PAYER_MAX, required=insured, why=why),
        "member_id": obj.text("member_id", MEMBER_ID_MAX, required=insured, why=why),
        "group_number": obj.text("group_number", GROUP_NUMBER_MAX, required=False),
        "subscriber_relationship": obj.choice(
            "subscriber_relationship", RELATIONSHIPS, required=insured, why=why
        ),
    }
    if (
        coverage == "medicare"
        and out["member_id"] is not None
        and not is_valid_mbi(out["member_id"])
    ):
        obj.problem(
            "member_id", "must be the 11-character Medicare number on your card, like 1EG4-TE5-MK73"
        )
        out["member_id"] = None
    other_person = out["subscriber_relationship"] not in (None, "self")
    why_subscriber = " when the insurance is in someone else's name"
    out["subscriber_name"] = obj.text(
        "subscriber_name", SUBSCRIBER_NAME_MAX, required=other_person, why=why_subscriber
    )
    out["subscriber_date_of_birth"] = obj.date_value(
        "subscriber_date_of_birth", required=other_person, why=why_subscriber
    )
    obj.finish()
    return out


_CONSENT_FIELDS = ("understands_educational_only", "agrees_to_contact", "signature")
_GUARDIAN_FIELDS = ("guardian_name", "guardian_relationship")


def _consent(root: _Object) -> dict[str, Any]:
    fields = _CONSENT_FIELDS + (_GUARDIAN_FIELDS if root.version >= 2 else ())
    obj = root.child("consent", fields)
    understands = obj.boolean("understands_educational_only")
    if understands is False:
        obj.problem(
            "understands_educational_only",
            "must be ticked: this tool is for education and is not a diagnosis",
        )
    out = {
        "understands_educational_only": understands,
        "agrees_to_contact": obj.boolean("agrees_to_contact"),
        "signature": obj.text("signature", SIGNATURE_MAX),
    }
    if root.version >= 2:
        out.update(_guardian(obj))
    obj.finish()
    return out


def _guardian(obj: _Object) -> dict[str, Any]:
    """intake-answers/2: under 18, a parent or legal guardian is named in the consent."""
    if obj.age is None:  # no valid date of birth: its own problem says so
        return {"guardian_name": None, "guardian_relationship": None}
    if obj.age >= ADULT_AGE:
        for key in _GUARDIAN_FIELDS:
            obj.absent(key, "must be null or left out unless the patient is under 18")
        return {"guardian_name": None, "guardian_relationship": None}
    why = " when the patient is under 18"
    return {
        "guardian_name": obj.text("guardian_name", GUARDIAN_NAME_MAX, why=why),
        "guardian_relationship": obj.choice(
            "guardian_relationship", GUARDIAN_RELATIONSHIPS, why=why
        ),
    }


def _list_section(
    key: str, max_items: int, read_item: Callable[[_Object, int, Any], Any]
) -> Callable[[_Object], Any]:
    return lambda root: root.list_of(key, max_items, read_item)


_SECTIONS: tuple[tuple[str, Callable[[_Object], Any]], ...] = (
    ("patient", _patient),
    ("concerns", _concerns),
    ("phq9", _phq9),
    ("gad7", _gad7),
    ("asq", _asq),
    (
        "medication_trials",
        _list_section("medication_trials", MAX_MEDICATION_TRIALS, _medication_trial),
    ),
    (
        "other_medications",
        _list_section("other_medications", MAX_OTHER_MEDICATIONS, _other_medication),
    ),
    (
        "psychotherapy_trials",
        _list_section("psychotherapy_trials", MAX_PSYCHOTHERAPY_TRIALS, _psychotherapy_trial),
    ),
    ("neuromodulation", _choices("neuromodulation", NEUROMOD_TREATMENTS, NEUROMOD_OUTCOMES)),
    ("preferences", _choices("preferences", PREFERENCE_ITEMS, YN)),
    ("safety_screen", _safety_screen),
    ("insurance", _insurance),
    ("consent", _consent),
)
