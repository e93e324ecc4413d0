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
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

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


def html_to_pdf(html: str, *, base_url: str, static_folder: str | Path) -> bytes:
    """Render ``html`` (whose links are relative to ``base_url``) to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = StaticOnlyFetcher(base_url, static_folder)
    # One per render: it holds the @font-face fonts of this document (in a temporary folder
    # that goes with it), so renders on different threads never share one.
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(font_config=fonts)
