"""HTML to PDF with WeasyPrint, offline.

The PDF renderer may only read this app's own static files: :class:`StaticOnlyFetcher` serves
URLs under ``<base_url>static/`` from the static folder and refuses everything else (other hosts,
``file:`` URLs, paths outside the folder), so a template can never make the server fetch
something from the network or from elsewhere on its disk.

Fonts are the app's own too: the stylesheets' ``@font-face`` rules point at
``static/fonts/`` and load through the same fetcher. That is what keeps the layout (and the
two-page limit of the summary) the same on every machine, whatever fonts its system has; the
tests check that every font in the summary PDF is embedded and is one the app ships.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

# WeasyPrint warns about every screen-only CSS rule it skips (media queries, accent-color...) on
# every PDF; those are expected, and flooding the log would hide real problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class RefusedURL(ValueError):
    """The PDF tried to load something that is not one of the app's static files."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and nothing else."""

    def __init__(
        self, base_url: str, static_folder: str | Path, static_url_path: str = "/static"
    ) -> None:
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        self.root = Path(static_folder).resolve()
        base = urlsplit(base_url)
        self.origin = (base.scheme, base.netloc)
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin or not parts.path.startswith(self.prefix):
            raise RefusedURL(f"refused to fetch {url!r}: only the app's static files are allowed")
        path = (self.root / unquote(parts.path[len(self.prefix) :])).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"refused to fetch {url!r}: no such static file")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def html_to_pdf(
    html: str,
    *,
    base_url: str,
    static_folder: str | Path,
    stylesheets: Sequence[str] = (),
) -> bytes:
    """Render ``html`` (whose links are relative to ``base_url``) to PDF bytes, styled by
    ``stylesheets`` (their URLs, as ``url_for`` gives them) after any the HTML links itself.

    ``stylesheets`` are parsed once per thread (:func:`_styles`), not on every render: parsing
    and validating the app's stylesheets and loading their eight font files was about an
    eighth of a rich summary's render, in instructions (issue 13). They are given to
    WeasyPrint as user stylesheets, which differs from a ``<link>`` only against the
    document's own author rules: a PDF template keeps to ``@page { size }`` in its
    ``<style>``, which wins either way. With
    ``stylesheets``, the HTML should link no stylesheet of its own with ``@font-face`` rules
    (their fonts would be added to the kept font configuration on every render)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = StaticOnlyFetcher(base_url, static_folder)
    if stylesheets:
        fonts, sheets = _styles(base_url, str(static_folder), tuple(stylesheets))
    else:
        # Only what the HTML links: a configuration of its own for this render, as the fonts
        # of those links are added to it (a kept one would gather them render after render).
        fonts, sheets = FontConfiguration(), []
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=sheets, font_config=fonts)


_PARSED = threading.local()
#: Parsed stylesheet sets kept per thread (a few base URLs and lists in practice).
_MAX_STYLES = 8


def _styles(
    base_url: str, static_folder: str, stylesheets: tuple[str, ...]
) -> tuple[FontConfiguration, list[CSS]]:
    """The parsed ``stylesheets`` and the font configuration holding their ``@font-face``
    fonts, made once per thread for each base URL, static folder and list: WeasyPrint's
    ``CSS`` registers a sheet's fonts in the ``FontConfiguration`` it is built with, so the two
    are kept together, and each thread has its own (the worker may render on several threads;
    a configuration keeps its fonts in a temporary folder and is not shared between them).
    The static files do not change while the process runs (``pdf_cache.layout_version``
    reads them once too)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    cache: dict[tuple[str, str, tuple[str, ...]], tuple[FontConfiguration, list[CSS]]]
    cache = _PARSED.__dict__.setdefault("styles", {})
    key = (base_url, static_folder, stylesheets)
    found = cache.get(key)
    if found is None:
        if len(cache) >= _MAX_STYLES:
            # A web process rendering itself (no worker) keys by the request's host, which a
            # client chooses: bounded, so odd Host headers cannot pile up font folders.
            cache.clear()
        fetcher = StaticOnlyFetcher(base_url, static_folder)
        fonts = FontConfiguration()
        sheets = [
            CSS(
                url=urljoin(base_url, href),
                url_fetcher=fetcher,
                font_config=fonts,
                media_type="print",
            )
            for href in stylesheets
        ]
        found = cache[key] = (fonts, sheets)
    return found
