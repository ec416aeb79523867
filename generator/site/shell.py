"""The theme's page frame, taken from MkDocs once per URL depth and filled with thousands of pages.

MkDocs + Material renders about 180 pages a second and carries every page in
memory; a province has tens of thousands of notice and town pages. Those pages
are not in the navigation, so every one of them at the same URL depth gets the
very same frame (header, styles, scripts, relative asset links): MkDocs renders
one placeholder page per depth, and `fill()` puts each page's title and body in
it. The output is what MkDocs would have written for that page.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

from .page import Page

SHELL_DIR = "_portal_shell"
TITLE_MARK = "PORTALSHELLTITLE"
URL_MARK = (
    "PORTALSHELLURL"  # where the frame names the page's own address (canonical link, og:url): see overrides/main.html
)
BODY_START = "<!--portal-body-->"
BODY_END = "<!--/portal-body-->"


def shell_url(depth: int) -> str:
    return SHELL_DIR + "/" + "s/" * (depth - 1)


def shell_pages(depths: set[int]) -> list[Page]:
    """One placeholder page per URL depth, for MkDocs to render. Its <h1> stops the theme adding its own."""
    body = f"{BODY_START}<h1>{TITLE_MARK}</h1>{BODY_END}"
    return [Page(shell_url(depth), TITLE_MARK, body) for depth in sorted(depths)]


@dataclass(frozen=True)
class Frame:
    head: str
    tail: str

    def fill(self, page: Page) -> str:
        title, url = page.html_title, html.escape(page.url, quote=True)
        return (
            self.head.replace(TITLE_MARK, title).replace(URL_MARK, url)
            + page.body
            + self.tail.replace(TITLE_MARK, title).replace(URL_MARK, url)
        )


def read_frames(site: Path, depths: set[int]) -> dict[int, Frame]:
    """Cut each rendered placeholder into the part before and after the body; then remove them from the site."""
    frames = {}
    for depth in depths:
        text = (site / shell_url(depth) / "index.html").read_text(encoding="utf-8")
        head, rest = text.split(BODY_START, 1)
        tail = rest.split(BODY_END, 1)[1]
        frames[depth] = Frame(head, tail)
    shutil.rmtree(site / SHELL_DIR)
    return frames
