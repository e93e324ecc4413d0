"""A page's form as a browser sees it, for test-client tests that must post what a browser posts.

Hand-built form data hides rendering bugs: a checkbox drawn with ``value=""`` posts ``""`` when
ticked, whatever the test thinks it sends. :class:`Screen` reads the form fields from the HTML
(their rendered values, ticks and choices), lets a test act as a person would (type, tick,
choose, also by the words of an option's label, press a button) and builds the body exactly as
a browser does: checked boxes with their ``value`` attribute (``"on"`` when there is none), the
checked radio of each group, the selected option of each select, text boxes and text areas as
shown, the pressed button's name and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Control:
    tag: str
    kind: str
    name: str
    value: str
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)
    id: str = ""


class _FormParser(HTMLParser):
    """Collects the controls of the page's POST form that holds ``csrf_token``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[Control]] = []
        self._current: list[Control] | None = None
        self._select: Control | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: Control | None = None
        #: ``<label for=…>`` text by the id it names (what a person reads beside a control).
        self.labels: dict[str, str] = {}
        self._label: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "label" and a.get("for"):
            self._label = a["for"]
            self.labels[self._label] = ""
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = []
            # The header's language switch is a form of its own, never the page's answers.
            if a.get("action") != "/intake/language":
                self.forms.append(self._current)
        if self._current is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._current.append(
                Control(
                    "input",
                    kind,
                    a["name"],
                    a.get("value", default),
                    "checked" in a,
                    id=a.get("id", ""),
                )
            )
        elif tag == "button" and "name" in a:
            self._current.append(Control("button", "submit", a["name"], a.get("value", "")))
        elif tag == "select" and "name" in a:
            self._select = Control("select", "select", a["name"], "")
            self._current.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and "name" in a:
            self._textarea = Control("textarea", "textarea", a["name"], "")
            self._current.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self.labels[self._label] += data
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label is not None:
            self.labels[self._label] = " ".join(self.labels[self._label].split())
            self._label = None
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            self._select.options.append((self._option_text if value is None else value, selected))
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline right after <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


class Screen:
    """The answer form of one HTML page, filled in like a person would."""

    def __init__(self, html: str) -> None:
        parser = _FormParser()
        parser.feed(html)
        forms = [f for f in parser.forms if any(c.name == "csrf_token" for c in f)]
        assert forms, "no POST form with a csrf_token on the page"
        self.controls = max(forms, key=len)
        self.labels = parser.labels
        for select in self._of("select"):
            chosen = [v for v, sel in select.options if sel] or [v for v, _ in select.options[:1]]
            select.value = chosen[0] if chosen else ""

    def _of(self, tag: str) -> list[Control]:
        return [c for c in self.controls if c.tag == tag]

    def _named(self, name: str) -> list[Control]:
        found = [c for c in self.controls if c.name == name and c.tag != "button"]
        assert found, f"no field {name!r} on the page"
        return found

    def names(self) -> set[str]:
        return {c.name for c in self.controls if c.tag != "button"}

    def type(self, name: str, text: str) -> Screen:
        (control,) = self._named(name)
        assert control.kind not in ("checkbox", "radio", "hidden"), name
        if control.tag == "select":
            assert text in [v for v, _ in control.options], (name, text)
        control.value = text
        return self

    def tick(self, name: str, ticked: bool = True) -> Screen:
        (box,) = self._named(name)
        assert box.kind == "checkbox", name
        box.checked = ticked
        return self

    def choose(self, name: str, value: str) -> Screen:
        radios = self._named(name)
        if radios[0].tag == "select":
            return self.type(name, value)
        assert value in [r.value for r in radios], (name, value, [r.value for r in radios])
        for radio in radios:
            radio.checked = radio.value == value
        return self

    def options(self, name: str) -> dict[str, str]:
        """A radio group's choices as the page words them: ``{value: label text}``."""
        radios = self._named(name)
        assert radios[0].kind == "radio", name
        return {radio.value: self.labels.get(radio.id, "") for radio in radios}

    def choose_label(self, name: str, label: str) -> Screen:
        """Choose the radio whose label reads ``label``, as a person picks by the words."""
        found = [value for value, text in self.options(name).items() if text == label]
        assert found, (name, label, self.options(name))
        return self.choose(name, found[0])

    def fill(self, answers: dict[str, Any]) -> Screen:
        """Answer with ``{name: value}``: text is typed, radios and selects chosen, and a
        checkbox ticked when its value is truthy (``"y"``/``True``), unticked otherwise."""
        for name, value in answers.items():
            first = self._named(name)[0]
            if first.kind == "checkbox":
                self.tick(name, value not in ("", None, False))
            elif first.kind == "radio" or first.tag == "select":
                self.choose(name, value)
            else:
                self.type(name, value)
        return self

    def shown(self, name: str) -> str | bool | None:
        """What the page shows for a field: its text, chosen value, or whether it is ticked."""
        controls = self._named(name)
        if controls[0].kind == "checkbox":
            return controls[0].checked
        if controls[0].kind == "radio":
            chosen = [c.value for c in controls if c.checked]
            return chosen[0] if chosen else None
        return controls[0].value

    def post_body(self, button: str = "next") -> list[tuple[str, str]]:
        """The body a browser sends when ``action=<button>`` is pressed."""
        buttons = [c for c in self.controls if c.tag == "button" and c.name == "action"]
        values = [c.value for c in buttons]
        assert button in values, f"no {button!r} button on the page (has {values})"
        body = []
        for c in self.controls:
            if c.tag == "button":
                continue
            if c.kind in ("checkbox", "radio"):
                if c.checked:
                    body.append((c.name, c.value))
            elif c.kind not in ("submit", "reset", "image", "file"):
                body.append((c.name, c.value))
        body.append(("action", button))
        return body
