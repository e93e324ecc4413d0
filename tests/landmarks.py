"""The landmarks of a page and their accessible names, read from its HTML (the tests' own
reading, no browser): what axe's ``landmark-unique`` checks, so a page test can say that no two
landmarks of one role share a name (a screen reader's landmark list could not tell them apart)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
#: Elements that are a landmark by their tag (a section or form only once it has a name).
_IMPLICIT = {
    "nav": "navigation",
    "aside": "complementary",
    "main": "main",
    "section": "region",
    "form": "form",
}
_NEEDS_NAME = {"region", "form"}
_ROLES = {
    "region",
    "navigation",
    "complementary",
    "main",
    "form",
    "search",
    "banner",
    "contentinfo",
}


class _Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.text: dict[str, list[str]] = {}
        self.found: list[tuple[str, str | None, str | None]] = []  # role, aria-label, labelledby

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        role = a.get("role") or _IMPLICIT.get(tag)
        if role in _ROLES:
            self.found.append((role, a.get("aria-label"), a.get("aria-labelledby")))
        if tag in _VOID:
            return
        ident = a.get("id")
        if ident:
            self.text.setdefault(ident, [])
        self.stack.append((tag, ident))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, ident in self.stack:
            if ident:
                self.text[ident].append(data)


def landmarks(html: str) -> list[tuple[str, str]]:
    """Every landmark of the page as (role, accessible name); a section or form without a name
    is no landmark."""
    parser = _Landmarks()
    parser.feed(html)
    named = []
    for role, label, labelledby in parser.found:
        if labelledby:
            name = " ".join("".join(parser.text.get(i, [])) for i in labelledby.split())
        else:
            name = label or ""
        name = re.sub(r"\s+", " ", name).strip()
        if role in _NEEDS_NAME and not name:
            continue
        named.append((role, name))
    return named


def repeated_landmarks(html: str) -> list[tuple[str, str]]:
    """The (role, name) pairs more than one landmark of the page has."""
    return [pair for pair, count in Counter(landmarks(html)).items() if count > 1]
