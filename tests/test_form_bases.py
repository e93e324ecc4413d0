"""Every form of the app is a ``BaseForm`` (or is bound like one); passwords are never trimmed."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask
from wtforms import Form

import intake
from intake.auth.forms import LoginForm
from intake.forms.base import BaseForm, RowForm
from intake.forms.filters import FilterForm


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_form_of_the_app_has_one_of_the_bases() -> None:
    for module in pkgutil.walk_packages(intake.__path__, "intake."):
        if module.name.startswith("intake.demo"):
            continue  # needs the dev extra; it defines no forms
        importlib.import_module(module.name)
    bases = (BaseForm, FilterForm, RowForm)
    forms = [c for c in _all_subclasses(Form) if c.__module__.startswith("intake.")]
    assert len(forms) > 20
    strays = [f"{c.__module__}.{c.__qualname__}" for c in forms if not issubclass(c, bases)]
    assert strays == []


def test_text_is_trimmed_but_a_password_stays_as_typed(app: Flask) -> None:
    data = {"email": "  ana@example.org ", "password": " two words "}
    with app.test_request_context(method="POST", data=data):
        form = LoginForm(meta={"csrf": False})
        assert form.validate()
    assert form.email.data == "ana@example.org"
    assert form.password.data == " two words "
