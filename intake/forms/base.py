"""The forms' bases: ``BaseForm`` for every form, ``WizardForm`` for the wizard's steps.

``BaseForm`` (every form of the app: the wizard's, the staff, admin and sign-in pages') is
CSRF-protected by Flask-WTF and binds every field with :func:`bind_field`: surrounding
whitespace trimmed (passwords excepted) and typed text character-checked (:mod:`intake.text`).
The filter forms above lists (:mod:`intake.forms.filters`) and the wizard's repeating rows
(:class:`RowForm`) are plain WTForms forms without a CSRF token, bound by the same function.

``WizardForm`` adds what a wizard step needs. A step is validated in one of two modes:

- **full** (the Next button, submitting): every required answer must be given;
- **partial** (Back, "Save and finish later", adding or removing a row): answers may be missing,
  but whatever *is* given must still be well formed (length, type, choice).

Only answers that passed validation are ever stored, and only answers to questions that apply:
``snapshot()`` leaves out every field whose :class:`~intake.forms.validators.HiddenUnless`
condition is false.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form, FormField
from wtforms import fields as wtforms_fields
from wtforms.fields import SubmitField

from intake.forms.fields import DateField, WholeNumberField
from intake.forms.validators import HiddenUnless, PlainText, is_blank, partial_mode
from intake.i18n import gettext

#: Fields whose answer is typed text, checked by :class:`PlainText` (numbers and dates are
#: text boxes too, but they parse what was typed and refuse anything else themselves).
TEXT_FIELDS = (wtforms_fields.StringField,)
NOT_TEXT = (DateField, WholeNumberField, wtforms_fields.PasswordField)
#: Fields whose value is never trimmed: a password is checked exactly as typed (" secret" and
#: "secret" are different passwords), and rows and sub-forms trim their own fields.
NOT_STRIPPED = (wtforms_fields.PasswordField, FieldList, FormField)

#: Form keys that are never answers: the CSRF token, the wizard's action button, and the step
#: page's two hidden fields (``from``: the page was opened with "Change" on the review, so Next
#: goes back there; ``drawn_from``: the fingerprint of the step's stored answers the page was
#: drawn from, so a page another tab has overtaken is not stored; docs/wizard.md).
CONTROL_KEYS = frozenset({"csrf_token", "action", "from", "drawn_from"})


def bind_field(form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
    """Bind a field the way every form of the app does (``Meta.bind_field``).

    Whitespace around a value is trimmed, except in a password (and in rows and sub-forms,
    whose own fields are trimmed); typed text gets the shared character check after any
    ``HiddenUnless`` (a question that does not apply is never checked).
    """
    field_class = unbound_field.field_class
    if not issubclass(field_class, NOT_STRIPPED):
        filters = unbound_field.kwargs.get("filters", [])
        if strip_filter not in filters:
            unbound_field.kwargs["filters"] = [strip_filter, *filters]
    if issubclass(field_class, TEXT_FIELDS) and not issubclass(field_class, NOT_TEXT):
        validators = list(unbound_field.kwargs.get("validators") or [])
        if not any(isinstance(v, PlainText) for v in validators):
            at = sum(1 for v in validators if isinstance(v, HiddenUnless))
            multiline = issubclass(field_class, wtforms_fields.TextAreaField)
            validators.insert(at, PlainText(multiline=multiline))
            unbound_field.kwargs["validators"] = validators
    return unbound_field.bind(form=form, **options)


def strip_filter(value: Any) -> Any:
    """Trim surrounding whitespace from strings; leave everything else alone."""
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """The base of every form: CSRF-protected, values trimmed, typed text character-checked.

    Staff text is trimmed like the patient's (an email typed with a trailing space signs in, a
    note keeps no stray blank lines around it), but a password never is: it must stay exactly
    as typed, so a password with a leading or trailing space is hashed and checked with it.
    Text that holds characters that cannot be stored or read is refused at its field.
    """

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            return bind_field(form, unbound_field, options)


class WizardForm(BaseForm):
    """A form of the wizard: validation in full or partial mode, kept answers, snapshots (see
    the module docstring)."""

    #: Shown as the step's heading.
    title: str = ""

    def validate_step(self, *, partial: bool = False, formdata: MultiDict | None = None) -> bool:
        """Validate in full or partial mode; unknown posted keys are a form-level error."""
        self.form_errors: list[str] = []
        known = self.known_keys()
        self.before_validate()
        token = partial_mode.set(partial)
        try:
            ok = self.validate()
        finally:
            partial_mode.reset(token)
        if formdata is not None:
            unknown = sorted(key for key in formdata if not self._is_known(key, known))
            for rows in self:
                if isinstance(rows, FieldList) and rows.max_entries:
                    indices = {
                        key[len(rows.name) + 1 :].split("-", 1)[0]
                        for key in formdata
                        if key.startswith(rows.name + "-")
                    }
                    if len(indices) > rows.max_entries:
                        self.form_errors.append(
                            gettext(
                                "You can list up to %(count)s here. "
                                "Please remove some before adding more.",
                                count=rows.max_entries,
                            )
                        )
            if unknown:
                self.form_errors.append(
                    gettext(
                        "This page was sent with answers to questions it does not ask. "
                        "Please reload the page and try again."
                    )
                )
                ok = False
        return ok and not self.form_errors

    def before_validate(self) -> None:
        """Hook: tidy up (for example drop blank repeating rows) before validating."""

    def _is_known(self, key: str, known: set[str]) -> bool:
        """A posted key is known when it names a field (rows by any index, as WTForms
        renumbers repeating rows from 0)."""
        if key in known:
            return True
        for rows in self:
            if isinstance(rows, FieldList) and key.startswith(rows.name + "-"):
                index, _, sub = key[len(rows.name) + 1 :].partition("-")
                names = {field.short_name for field in rows.unbound_field.args[0]()}
                return index.isdigit() and sub in names
        return False

    def known_keys(self) -> set[str]:
        return {field.name for field in leaf_fields(self)} | CONTROL_KEYS

    def applies(self, field: Field) -> bool:
        """Whether ``field``'s question applies given the other answers on this form."""
        return all(cond.applies(self) for cond in conditions(field))

    def kept(self, field: Field) -> bool:
        """Whether ``field`` holds an answer to keep although its question does not apply.

        Only a question whose condition says ``keep`` (answers with safety meaning: the ASQ's
        "right now"), and only when it was answered: such an answer is shown on the review page
        and stored whatever the condition.
        """
        return any(cond.keep for cond in conditions(field)) and not is_blank(field)

    def answered(self, field: Field) -> bool:
        """Whether the review page and the stored answers include ``field``."""
        return self.applies(field) or self.kept(field)

    def snapshot(self) -> dict[str, list[str]]:
        """The answers to store: ``{field name: [raw values]}`` for applicable fields only.

        Repeating rows are renumbered from 0 so removed rows leave no gaps.
        """
        out: dict[str, list[str]] = {}
        for field in self:
            if field.name in CONTROL_KEYS or isinstance(field, SubmitField):
                continue
            if isinstance(field, FieldList):
                for index, entry in enumerate(field.entries):
                    for sub in _entry_fields(entry):
                        out[f"{field.name}-{index}-{sub.short_name}"] = _raw(sub)
                continue
            if not self.answered(field):
                continue
            out[field.name] = _raw(field)
        return out


def _raw(field: Field) -> list[str]:
    """What to store for ``field``: the text as typed; a tick box as ticked (``y``) or not."""
    if isinstance(field, wtforms_fields.BooleanField):
        return [field._value()] if field.data else [""]
    raw = [str(value) for value in (field.raw_data or [])]
    return raw or [""]


def _entry_fields(entry: Field) -> Iterator[Field]:
    if isinstance(entry, FormField):
        yield from entry.form
    else:
        yield entry


def leaf_fields(form: Any) -> Iterator[Field]:
    """Every answer-carrying field of ``form``, looking inside repeating rows."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _entry_fields(entry)
        elif isinstance(field, FormField):
            yield from field.form
        elif not isinstance(field, SubmitField) and field.name != "csrf_token":
            yield field


def conditions(field: Field) -> list[HiddenUnless]:
    return [v for v in field.validators if isinstance(v, HiddenUnless)]


def formdata_from(snapshot: dict[str, list[str]] | None) -> MultiDict | None:
    """Turn a stored snapshot back into form data for ``Form(formdata=…)``."""
    if snapshot is None:
        return None
    return MultiDict([(key, value) for key, values in snapshot.items() for value in values])


class RowForm(Form):
    """One repeating row (a medication or therapy trial): trimmed strings, no CSRF of its own."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            return bind_field(form, unbound_field, options)

    def is_blank(self) -> bool:
        """Nothing typed or chosen: every field empty or still at its preset (a unit select)."""
        return all(
            not field.raw_data
            or not any(field.raw_data)
            or (field.default is not None and list(field.raw_data) == [field.default])
            for field in self
        )
