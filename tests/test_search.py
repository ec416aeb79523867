"""The search page, in a real headless Chromium at a phone's size, finds what residents look for.

One build of the sample site and one browser serve every test here. Each query in
tests/search/sample.yaml is typed as a resident would (search/?q=…), and the page the
resident wants must come first, or as high as the entry allows (never below third).
The site is the sample data plus tests/search/traditional/, notices a clerk typed in
Traditional characters, so both directions of the Traditional/Simplified handling are
searched. Ranks, bytes and times are printed at the end of the run and written to
test-artifacts/search-sample.md (the larger set is tests/test_search_province.py).
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from generator.checking import privacy
from generator.publishing.build import Options, run_check
from generator.site import searchwords
from tests.searchpage import (  # noqa: F401 - browser is a fixture
    FIRST_QUERY_BUDGET,
    LATER_QUERY_BUDGET,
    NOT_FOUND,
    WORST,
    Report,
    browser,
    kb,
    measure,
    measured_search,
    require_chromium,
    result_pages,
    search,
)
from tests.sitebuild import ROOT, SAMPLE, TODAY, build_site

SEARCH = ROOT / "tests" / "search"
CASES = yaml.safe_load((SEARCH / "sample.yaml").read_text(encoding="utf-8"))
VENDORED = ROOT / "docs" / "assets" / "vendor" / "opencc-js-1.4.2-t2cn.js"
PACKAGE = ROOT / "node_modules" / "opencc-js"

require_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample data, plus the notices of tests/search/traditional/ (written in Traditional)."""
    work = tmp_path_factory.mktemp("search")
    notices = shutil.copytree(SAMPLE, work / "notices")
    shutil.copytree(SEARCH / "traditional", notices, dirs_exist_ok=True)
    site_dir = work / "site"
    build_site(notices, site_dir)
    return site_dir


@pytest.fixture(scope="module")
def report(request):
    table = Report(
        f"search ranks on the sample data ({len(CASES)} queries)",
        ["query", "expected", "rank", "allowed", "pagefind bytes", "first result"],
        "search-sample.md",
    )
    yield table
    table.notes.append(
        "bytes: pagefind/* response bodies received, 0 when cached (one tab, queries in order). "
        "Repeat: .venv/bin/python -m pytest -q tests/test_search.py"
    )
    table.finish(request)


@pytest.fixture(scope="module")
def tab(browser):
    """One tab in the browser's shared context, for the many queries: Pagefind's files stay cached."""
    page = browser.new_page(fresh=False)
    yield page
    browser.close(page)


@pytest.mark.parametrize("case", CASES, ids=[c["query"] for c in CASES])
def test_query_finds_the_page(browser, tab, report, case):
    query, expected, allowed = case["query"], case["page"], case.get("rank", 1)
    assert isinstance(query, str) and allowed <= WORST, case
    pages, cost = measured_search(browser, query, tab)
    rank = pages.index(expected) + 1 if expected in pages else None
    report.add(query, [query, expected, rank or "-", allowed, kb(cost.pagefind_bytes), cost.shown])
    assert rank is not None, f"{query!r} does not find {expected}; results: {pages[:5]}"
    assert rank <= allowed, f"{query!r} ranks {expected} at {rank} (allowed {allowed}); results: {pages[:5]}"


def test_first_query_transfers_little(browser, report):
    """A first search in an empty browser loads a few small Pagefind files, not the whole index;
    a second one in the same tab reuses them."""
    page = browser.new_page()
    try:
        costs = []
        for query in ("刘玉亮", "乌塘村3组"):
            mark = browser.mark()
            search(browser, query, page)
            costs.append(measure(browser, page, mark))
    finally:
        browser.close(page)
    report.notes.append(
        f"empty cache: 刘玉亮 {kb(costs[0].pagefind_bytes)} of pagefind/* in "
        f"{costs[0].pagefind_files} files (and {kb(costs[0].other_bytes)} of page, theme and "
        f"scripts); then 乌塘村3组 {kb(costs[1].pagefind_bytes)}"
    )
    assert 0 < costs[0].pagefind_bytes <= FIRST_QUERY_BUDGET, costs[0]
    assert costs[1].pagefind_bytes <= LATER_QUERY_BUDGET, costs[1]


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


def test_more_results_on_request(browser):
    """Three results are fetched at first (each costs its page's text); 显示更多结果 fetches more."""
    page = search(browser, "网格员")
    try:
        assert page.locator("#pt-results li").count() == 3
        assert page.text_content("#pt-search-status") == "找到 3 个结果（“网格员”），可能还有更多"
        page.click("#pt-more")
        page.wait_for_function("document.querySelectorAll('#pt-results li').length > 3")
        pages = result_pages(browser, page)
        assert len(pages) == len(set(pages)) > 3, pages
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


def test_no_whole_id_number_in_search_words_or_index(site):
    """The search-only words and Pagefind's fragments (what the browser downloads) hold no whole ID
    number; other document numbers are public and may be there."""
    portal = run_check(Options(notices=SAMPLE, today=TODAY)).portal
    ids = {n.document.number for n in portal.lost if privacy.is_masked(n.document)}
    assert len(ids) > 3
    texts = [
        value.replace(" ", "")
        for path in site.rglob("index.html")
        for value in re.findall(r'data-pagefind-meta="search:([^"]*)"', path.read_text(encoding="utf-8"))
    ]
    texts += [
        gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        for path in (site / "pagefind" / "fragment").iterdir()
    ]
    leaks = [number for number in ids for text in texts if number in text or number in text.replace("\u200b", "")]
    assert texts and not leaks, leaks


@pytest.mark.parametrize(
    "traditional,simplified", [("網格員", "网格员"), ("註銷", "注销"), ("劉玉亮", "刘玉亮"), ("烏塘村3組", "乌塘村3组")]
)
def test_traditional_query_finds_what_the_simplified_one_finds(browser, tab, traditional, simplified):
    """網格員 finds the pages 网格员 finds, in the same order (the query is converted in the browser)."""
    wanted = result_pages(browser, search(browser, simplified, tab))
    found = result_pages(browser, search(browser, traditional, tab))
    assert wanted and found[:3] == wanted[:3], (traditional, found[:3], wanted[:3])


def test_text_typed_in_traditional_is_found_in_simplified_and_as_typed(browser, tab):
    """A clerk typed 歐陽曉慧 (tests/search/traditional/): 欧阳晓慧, 晓慧 and 歐陽曉慧 all find it,
    and the page shows it as typed."""
    expected = "notices/lost/2024/2024-06-03-biyezhengshu-fanti/"
    for query in ("欧阳晓慧", "晓慧", "歐陽曉慧", "衡东师范专科学校"):
        pages = result_pages(browser, search(browser, query, tab))
        assert pages[:1] == [expected], (query, pages[:3])
    assert tab.locator("#pt-results li mark").first.text_content() == "衡東師範專科學校"
    tab.locator("#pt-results li a").first.click()
    tab.wait_for_url(re.compile(expected))
    assert "歐陽曉慧" in tab.text_content("h1")


def test_converter_loads_only_for_chinese_queries(browser):
    """The converter (109 KB) is fetched by the search page for a query with Chinese in it, never for a number."""
    for query, loaded in (("15000004087", False), ("刘玉亮", True)):
        page = browser.new_page()
        try:
            mark = browser.mark()
            search(browser, query, page)
            fetched = [r.url for r in browser.since(mark) if "opencc" in r.url]
        finally:
            browser.close(page)
        assert bool(fetched) == loaded, (query, fetched)


def test_browser_and_index_convert_alike(browser, tab):
    """The vendored opencc-js in the browser and OpenCC in Python turn every Traditional character
    of the Basic Multilingual Plane that opencc-js knows, and some phrases, into the same Simplified
    text. (opencc-js 1.4.2 leaves characters beyond it, CJK Extension B and later, unconverted;
    a query holding one is still searched as typed.)"""
    dictionary = (PACKAGE / "dist" / "esm-lib" / "dict" / "TSCharacters.js").read_text(encoding="utf-8")
    characters = sorted(
        {
            entry.split(" ")[0]
            for entry in re.findall(r"[^|\"`]+ [^|\"`]+", dictionary)
            if len(entry.split(" ")[0]) == 1 and ord(entry[0]) <= 0xFFFF
        }
    )
    text = "\n".join(characters + ["網格員", "註銷公告", "乾淨的頭髮", "著作權", "後來", "歐陽曉慧", "烏塘村3組"])
    search(browser, "网格", tab)
    in_browser = tab.evaluate(
        """async ([url, text]) => {
        const OpenCC = await import(url);
        return OpenCC.Converter({ from: "tw", to: "cn" })(text);
    }""",
        [browser.base_url + "assets/vendor/" + VENDORED.name, text],
    )
    assert len(characters) > 2000
    differ = [
        (t, b, p)
        for t, b, p in zip(text.split("\n"), in_browser.split("\n"), searchwords.simplified(text).split("\n"))
        if b != p
    ]
    assert not differ, f"{len(differ)} differ (text, browser, python): {differ[:10]}"


def test_vendored_converter_is_the_npm_package_file():
    """docs/assets/vendor/ holds opencc-js's own dist/esm/t2cn.js, byte for byte (package.json pins it)."""
    if not PACKAGE.exists():
        pytest.skip("node_modules/opencc-js is not installed (npm ci)")
    assert VENDORED.read_bytes() == (PACKAGE / "dist" / "esm" / "t2cn.js").read_bytes()
    version = yaml.safe_load((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    assert f"opencc-js-{version}-" in VENDORED.name


def test_nothing_left_127_0_0_1_and_no_console_errors(browser):
    """Runs last: every page opened above stayed on the local server and logged no error."""
    assert browser.requests, "no page was opened"
    browser.assert_clean()


def test_a_notice_indexed_with_others_of_its_day_is_a_result_of_its_own(browser, tab, site):
    """Notices of one kind and day share one Pagefind document (generator/site/searchindex.py): 文玉红's and
    唐红峰's notices of 2022-06-20 here. Each query finds its own notice, linked to its own page, and not
    the other notice of that day; every link is a page of the site, none the shared document."""
    for query, expected, other in (
        ("文玉红", "notices/lost/2022/2022-06-20-budongchan/", "2022-06-20-shenfenzheng"),
        ("唐红峰", "notices/lost/2022/2022-06-20-shenfenzheng/", "2022-06-20-budongchan"),
    ):
        pages = result_pages(browser, search(browser, query, tab))
        assert pages[:1] == [expected], (query, pages)
        assert not any(other in page for page in pages), (query, pages)
        assert all((site / page / "index.html").is_file() for page in pages), pages
        assert query in tab.locator("#pt-results li").first.text_content()


def test_our_scripts_use_no_regex_look_behind():
    """iOS Safari before 16.4 (and WeChat's browser on those iPhones, which is Safari's engine) cannot parse
    a look-behind in a regular expression, and a pattern it cannot parse stops the whole script."""
    scripts = sorted((ROOT / "docs" / "assets").glob("*.js"))
    assert scripts
    offending = [path.name for path in scripts if re.search(r"\(\?<[=!]", path.read_text(encoding="utf-8"))]
    assert offending == []
