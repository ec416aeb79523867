"""Stage 5, the search index: what Pagefind reads (build.py runs Pagefind on it).

Pagefind indexes slim copies of the pages (the page body alone, without the theme's frame) kept in
the build cache beside the site, not the site itself: it reads half as much.

A town page is one Pagefind document. Notices are not: Pagefind's cost is per document (about 1 ms
each) and its pf_meta file, which every search downloads first, grows by about 7 bytes per document.
So the lost-document notices published on one day go into one document, a "day group", and the
rarer deregistration notices of one week likewise (`search_group`): at province scale 2,088
documents instead of 33,000, which Pagefind indexes in about 11 s instead of 31 s, and with the 1,900
town pages a pf_meta of 37 KB instead of 225 KB.
Each notice in a group is a section that starts at its heading, whose id is the notice's URL, and ends
with its search-only words in an element whose id is `~` and the URL. search.js cuts a group back into
notices with those anchors and shows each matching notice as its own result, linking to its own page.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

from ..checking.model import Deregistration, Notice
from .page import Page

SEARCH_DOC = '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head><body>\n{body}\n</body></html>\n'
WORDS_PREFIX = "~"  # id of the element holding a section's search-only words: "~" + the notice's URL
CARD_PREFIX = "card-"  # meta key of a notice's card in its group: "card-" + the notice's URL (search.js)
_CARD_META = re.compile(r' data-pagefind-meta="card:')
_SEARCH_META = re.compile(r' data-pagefind-meta="search:([^"]*)"')
_BODY = re.compile(r" data-pagefind-body(?=[\s>])")
_HEADING = re.compile(r"<h1(?=[\s>])")
# Attributes Pagefind does not read: half of a town page's bytes (98 MB of 197 MB at province scale).
_UNREAD = re.compile(r' (?:class|href|aria-[a-z]+|datetime|rel|role|data-field|data-value)="[^"]*"')


def search_group(notice: Notice) -> str:
    """The search document a notice is indexed in with others: the lost-document notices published on
    one day (about 16 at province scale), or the deregistration notices of one ISO week (a day holds
    about 2, a week about 11: a document for every day would cost every search's pf_meta)."""
    if isinstance(notice, Deregistration):
        year, week, _ = notice.published.isocalendar()
        return f"search-groups/{notice.kind}/{year}-W{week:02d}/"
    return f"search-groups/{notice.kind}/{notice.published.isoformat()}/"


def is_indexed(page: Page) -> bool:
    return "data-pagefind-body" in page.body


def copy_path(search: Path, url: str) -> Path:
    """Where the slim copy of the page at `url` is kept when it is a search document of its own (a town)."""
    return search / url / "index.html"


def drop_copy(search: Path, url: str, doc: str) -> None:
    """The page at `url` is no longer in the search document `doc`: remove its slim copy if it was a
    document of its own (a notice's section simply leaves its group when the group is rewritten)."""
    if doc == url:
        copy_path(search, url).unlink(missing_ok=True)


def search_copy(page: Page, search: Path) -> tuple[str, str | None]:
    """What Pagefind reads of `page`: the URL of the search document it is part of ("" when the page is
    not searched: lists and hub pages), and for a notice its section of that day group (which
    update_groups puts together). A town's slim copy is written to `search` here."""
    if not is_indexed(page):
        return "", None
    if page.search_group:
        return page.search_group, section(page)
    target = copy_path(search, page.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SEARCH_DOC.format(title=page.html_title, body=slim(page.body)), encoding="utf-8")
    return page.url, None


def section(page: Page) -> str:
    """A notice as one section of its day group: the search-only words (a data-pagefind-meta value on
    a page of its own, which would be one value for the whole group) become text at the section's end,
    the heading gets the notice's URL as its id, and the card (kind, holder, date, state: render.notice_card)
    a meta key of its own, "card-" and the URL."""
    url = html.escape(page.url, quote=True)
    words = " / ".join(_SEARCH_META.findall(page.body))
    body = _BODY.sub("", _SEARCH_META.sub("", slim(page.body)), count=1)
    body = _CARD_META.sub(f' data-pagefind-meta="{CARD_PREFIX}{url}:', body, count=1)
    body, headings = _HEADING.subn(f'<h1 id="{url}"', body, count=1)
    start = "" if headings else f'<span id="{url}"></span>'
    return f'<section data-pagefind-body>{start}\n{body}\n<p id="{WORDS_PREFIX}{url}">{words}</p></section>\n'


def slim(body: str) -> str:
    """A page body without the attributes only the browser reads (the templates quote every attribute
    with "; values are escaped, so none holds one)."""
    return _UNREAD.sub("", body)


def update_groups(
    search: Path, docs: dict[str, str], kept: dict[str, str], fresh: dict[str, str], changed: set[str]
) -> dict[str, str]:
    """Rewrite the day groups in `changed` from their notices' sections, and return every notice's section.
    `docs` maps every indexed page's URL to its search document (a group, or the page itself); `kept` are
    the last build's sections (those of notices gone or no longer grouped are dropped), `fresh` this build's.
    A group left empty is removed."""
    sections = {url: text for url, text in kept.items() if (doc := docs.get(url)) and doc != url}
    sections.update(fresh)
    members: dict[str, list[str]] = defaultdict(list)
    for url, doc in docs.items():
        if doc and doc != url:
            members[doc].append(url)
    for group in changed:
        if docs.get(group) == group:  # a whole page (a town), written by search_copy
            continue
        target = search / group / "index.html"
        urls = sorted(members.get(group, ()))
        if not urls:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(sections[url] for url in urls)
        target.write_text(SEARCH_DOC.format(title=html.escape(group), body=body), encoding="utf-8")
    return sections
