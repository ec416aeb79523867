"""The search page, in a real headless Chromium at a phone's size, finds what residents look for.

One build of the sample site and one browser serve every test here. Each query in
tests/search/sample.yaml is typed as a resident would (search/?q=…), and the page the
resident wants must come first, or as high as the entry allows (never below third).
The ranks are printed at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml

from tests.browser import Browser, chromium_available, serve
from tests.sitebuild import ROOT, SAMPLE, build_site

CASES = yaml.safe_load((ROOT / "tests" / "search" / "sample.yaml").read_text(encoding="utf-8"))
WORST = 3
NOT_FOUND = "没有找到"
UNAVAILABLE = "暂时不可用"

if not chromium_available():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is required for the search tests in CI (see .ci/run)")
    pytest.skip("Chromium is not installed (/usr/bin/chromium or $CHROMIUM)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("search") / "site"
    build_site(SAMPLE, site_dir)
    return site_dir


@pytest.fixture(scope="module")
def browser(site):
    with serve(site) as base_url, Browser(base_url) as browser:
        yield browser


@pytest.fixture(scope="module")
def report(request):
    """Ranks and measurements, printed after the run (also with -q)."""
    lines: dict[str, str] = {}
    yield lines
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and lines:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_sep("-", "search ranks (tests/search/sample.yaml)")
            for line in lines.values():
                reporter.write_line(line)


def site_path(browser: Browser, url: str) -> str:
    """`http://127.0.0.1:port/towns/x/#grid-03` → `towns/x/`."""
    assert url.startswith(browser.base_url), f"result leaves the site: {url}"
    return urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="module")
def tab(browser):
    """One tab in the browser's shared context, for the many queries: Pagefind's files stay cached."""
    page = browser.new_page(fresh=False)
    yield page
    browser.close(page)


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
        timeout=15_000,
    )
    return page


def result_links(page) -> list[str]:
    return page.eval_on_selector_all("#pt-results li a", "links => links.map(a => a.href)")


@pytest.mark.parametrize("case", CASES, ids=[c["query"] for c in CASES])
def test_query_finds_the_page(browser, tab, report, case):
    query, expected, allowed = case["query"], case["page"], case.get("rank", 1)
    assert isinstance(query, str) and allowed <= WORST, case
    page = search(browser, query, tab)
    pages = [site_path(browser, url) for url in result_links(page)]
    rank = pages.index(expected) + 1 if expected in pages else None
    report[query] = f"{'✓' if rank and rank <= allowed else '✗'} {rank or '-':>2}  {query}  →  {expected}"
    assert rank is not None, f"{query!r} does not find {expected}; results: {pages[:5]}"
    assert rank <= allowed, f"{query!r} ranks {expected} at {rank} (allowed {allowed}); results: {pages[:5]}"


def test_first_query_transfers_little(browser, report):
    """A first search in an empty browser loads a few small Pagefind files, not the whole index."""
    mark = browser.mark()
    page = search(browser, "刘玉亮")
    try:
        requests = browser.since(mark)
        pagefind = [r for r in requests if "/pagefind/" in r.url]
        assert pagefind and all(r.status == 200 for r in pagefind), [(r.url, r.status) for r in pagefind]
        total = sum(browser.body_size(r) for r in pagefind)
        everything = sum(browser.body_size(r) for r in requests)
    finally:
        browser.close(page)
    report["~bytes"] = (f"first query 刘玉亮: {len(pagefind)} pagefind/* responses, {total:,} bytes "
                        f"(whole page with theme and scripts: {len(requests)} responses, {everything:,} bytes)")
    assert total < 400_000


def test_query_from_the_url_runs_on_load_and_fills_the_box(browser):
    page = search(browser, "乌塘村3组")
    try:
        assert page.input_value("#pt-q") == "乌塘村3组"
        assert "找到" in page.text_content("#pt-search-status")
        assert page.locator("#pt-results li mark").first.text_content() == "乌塘村3组"
    finally:
        browser.close(page)


def test_results_are_links_that_open_the_page(browser):
    page = search(browser, "19900003848")
    try:
        link = page.locator("#pt-results li a").first
        assert link.get_attribute("href")
        link.click()
        page.wait_for_url(re.compile(r"/notices/deregistration/2022/2022-06-06-hengdong-yangfeng-xiehui/"))
        assert "衡东县养蜂协会" in page.text_content("h1")
    finally:
        browser.close(page)


def test_a_hit_on_a_town_page_opens_at_the_grid(browser):
    """A worker's name takes the resident to their grid on the long town page, not to its top."""
    page = search(browser, "刘玉亮")
    try:
        page.locator("#pt-results li a").first.click()
        page.wait_for_url(re.compile(r"/towns/hengdong/ganxi/#"))
        grid = page.locator(f"[id='{urlsplit(page.url).fragment}']")
        assert "刘玉亮" in grid.text_content()
        assert grid.is_visible()
    finally:
        browser.close(page)


@pytest.mark.parametrize("query", ["龘靐齉", "xqzvw"])
def test_nothing_found_says_so(browser, query):
    page = search(browser, query)
    try:
        assert NOT_FOUND in page.text_content("#pt-search-status")
        assert page.locator("#pt-results li").count() == 0
    finally:
        browser.close(page)


def test_search_only_words_hold_no_id_number(site):
    """The search metadata the templates add names people, places and phones, never a whole ID number."""
    for path in site.rglob("index.html"):
        for value in re.findall(r'data-pagefind-meta="search:([^"]*)"', path.read_text(encoding="utf-8")):
            assert not re.search(r"\d{15}", value.replace(" ", "")), f"{path}: {value[:80]}"


def test_nothing_left_127_0_0_1_and_no_console_errors(browser):
    """Runs last: every page opened above stayed on the local server and logged no error."""
    assert browser.requests, "no page was opened"
    browser.assert_clean()
