"""Driving the site's search page in the browser, and measuring it, for the search tests.

    page = search(browser, "刘玉亮", tab)           # search/?q=…, waits for results or "not found"
    pages = result_pages(browser, page)            # ["towns/hengdong/ganxi/", …]
    cost = measure(browser, page, mark)            # bytes of pagefind/* fetched, ms to first result

Bytes are the response bodies the browser received (as sent: Pagefind's files are gzipped
already; 0 when taken from its cache or revalidated); time is from the start of the page's
navigation to the moment search.js put the results on the page (its `pt-results-shown` mark).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from generator.publishing.segments import SEGMENT_FILES
from tests.browser import Browser, chromium_available, serve
from tests.sitebuild import ROOT

NOT_FOUND = "没有找到"
UNAVAILABLE = "暂时不可用"
WORST = 3  # the expected page is never below third
FIRST_QUERY_BUDGET = 300_000  # bytes of pagefind/* for a first search in an empty browser
LATER_QUERY_BUDGET = 100_000  # bytes of pagefind/* for each later search
ARTIFACTS = ROOT / "test-artifacts"


def require_chromium() -> None:
    """Skip the calling test module when Chromium is missing; in CI that is an error instead."""
    if not chromium_available():
        if os.environ.get("CI"):
            raise RuntimeError("Chromium is required for the search tests in CI (see .ci/run)")
        pytest.skip("Chromium is not installed (/usr/bin/chromium or $CHROMIUM)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser(site: Path):
    """The module's built `site` (its own `site` fixture) served on 127.0.0.1, and one Chromium.
    Import it into a test module: `from tests.searchpage import browser  # noqa: F401 - a fixture`."""
    with serve(site) as base_url, Browser(base_url) as chromium:
        yield chromium


def search(browser: Browser, query: str, tab=None):
    """Open the search page for `query` (in `tab`, or a fresh context) and wait until it has shown
    results or said it found nothing."""
    page = tab or browser.new_page()
    page.goto(browser.base_url + "search/?q=" + quote(query))
    page.wait_for_function(
        """([notFound, unavailable]) => {
            const status = document.getElementById("pt-search-status").textContent;
            return document.querySelectorAll("#pt-results li").length > 0
                || status.includes(notFound) || status.includes(unavailable);
        }""",
        arg=[NOT_FOUND, UNAVAILABLE],
        timeout=30_000,
    )
    return page


def result_links(page) -> list[str]:
    return page.eval_on_selector_all("#pt-results li a.pt-results__link", "links => links.map(a => a.href)")


def site_path(browser: Browser, url: str) -> str:
    """`http://127.0.0.1:port/towns/x/#grid-03` → `towns/x/`."""
    assert url.startswith(browser.base_url), f"result leaves the site: {url}"
    return urlsplit(url).path.lstrip("/")


def result_pages(browser: Browser, page) -> list[str]:
    return [site_path(browser, url) for url in result_links(page)]


@dataclass
class Cost:
    """What one search cost the resident."""

    pagefind_bytes: int  # transferred for pagefind/* (index, fragments, wasm, scripts)
    pagefind_files: int  # pagefind/* responses that came over the network
    other_bytes: int  # everything else the page fetched (theme, search.js, converter)
    first_result_ms: float | None  # navigation start → results shown

    @property
    def shown(self) -> str:
        return f"{self.first_result_ms:,.0f} ms" if self.first_result_ms is not None else "-"


def measure(browser: Browser, page, mark: int) -> Cost:
    """What the search opened in `page` since `browser.mark()` cost. Pagefind fetches from a web
    worker, so bytes come from the browser's own request log (bodies as received, 0 when cached)."""
    sizes = [(record.url, max(browser.body_size(record), 0)) for record in browser.since(mark)]
    pagefind = [size for url, size in sizes if in_search_bundle(url) and size]
    shown = page.evaluate("""() => {
        const mark = performance.getEntriesByName("pt-results-shown")[0];
        return mark ? mark.startTime : null;
    }""")
    return Cost(sum(pagefind), len(pagefind), sum(size for url, size in sizes if not in_search_bundle(url)), shown)


def in_search_bundle(url: str) -> bool:
    """Every search bundle counts: the base (pagefind/), the delta (pagefind-delta/) and their manifest
    (generator/publishing/segments.py)."""
    path = urlsplit(url).path
    return any(path.startswith(f"/{name}") for name in SEGMENT_FILES)


def measured_search(browser: Browser, query: str, tab):
    """Search `query` in `tab`; the result pages in order and what the search cost."""
    mark = browser.mark()
    page = search(browser, query, tab)
    return result_pages(browser, page), measure(browser, page, mark)


class Report:
    """Rows printed after the run (also with -q) and written to test-artifacts/ as Markdown."""

    def __init__(self, title: str, header: list[str], artifact: str):
        self.title, self.header, self.artifact = title, header, artifact
        self.rows: dict[str, list[str]] = {}
        self.notes: list[str] = []

    def add(self, key: str, row: list) -> None:
        self.rows[key] = [str(cell) for cell in row]

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", "| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows.values()]
        return "\n".join(lines + [""] + [f"- {note}" for note in self.notes]) + "\n"

    def finish(self, request) -> None:
        if not self.rows:
            return
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / self.artifact
        path.write_text(self.markdown(), encoding="utf-8")
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter:
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                reporter.write_line("")
                reporter.write_sep("-", f"{self.title} (also in {Path(path).relative_to(ROOT)})")
                widths = [
                    max(len(self.header[i]), *(len(r[i]) for r in self.rows.values())) for i in range(len(self.header))
                ]
                for row in [self.header, *self.rows.values()]:
                    reporter.write_line("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
                for note in self.notes:
                    reporter.write_line(note)


def kb(size: int) -> str:
    return f"{size / 1000:,.1f} KB"
