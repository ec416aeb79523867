"""Search quality at scale: ~2,300 notices and 133 towns, each query run in headless Chromium.

The data is generated once for this module (bench/province.py --scale 0.07 --seed 1, a tmp dir)
and built into a site. The queries are tests/search/province.yaml, derived from that data by
tests/search/province_queries.py with a fixed rule; the first test checks the file is still what
the data gives. For each query the expected page must come first and never below third; when
the query is ambiguous at this scale (several pages truly hold it: a shared name, a phone
prefix, a town name used twice), the first of those pages in the results counts, and the table
says how many there were.

Bytes and the time to the first result are measured for every query, printed in a table at
the end and written to test-artifacts/search-province.md. Bytes are asserted (first search in an
empty browser ≤ 300 KB of pagefind/*, every later one ≤ 100 KB); times are only reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.search import province_queries
from tests.searchpage import (  # noqa: F401 - browser is a fixture
    FIRST_QUERY_BUDGET,
    LATER_QUERY_BUDGET,
    WORST,
    Report,
    browser,
    kb,
    measured_search,
    require_chromium,
    search,
)
from tests.sitebuild import build_site

CASES = yaml.safe_load(province_queries.QUERIES.read_text(encoding="utf-8"))

require_chromium()


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    return province_queries.generate(tmp_path_factory.mktemp("province"))


@pytest.fixture(scope="module")
def site(province) -> Path:
    site_dir = province.parent / "site"
    build_site(province, site_dir, today=province_queries.TODAY)
    return site_dir


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for every query, in order, as one resident searching again and again: the first
    query starts from an empty cache, later ones reuse what the browser already holds."""
    page = browser.new_page()
    yield page
    browser.close(page)


@pytest.fixture(scope="module")
def report(request):
    table = Report(
        f"search quality on the generated province ({len(CASES)} queries)",
        ["#", "query", "kind", "rank", "pages holding it", "pagefind bytes", "files", "first result"],
        "search-province.md",
    )
    yield table
    ranks = [int(row[3]) for row in table.rows.values() if row[3].isdigit()]
    if ranks:
        table.notes.append(
            f"ranks: {ranks.count(1)} first, {ranks.count(2)} second, {ranks.count(3)} third, "
            f"{len(table.rows) - len(ranks)} missing or failed, of {len(table.rows)}"
        )
    table.notes.append(
        "bytes: pagefind/* response bodies received (0 when cached); "
        "query 1 starts from an empty cache. Repeat: "
        ".venv/bin/python -m pytest -q tests/test_search_province.py"
    )
    table.finish(request)


def test_query_list_is_what_the_data_gives(province):
    """tests/search/province.yaml is derived from the generated data; regenerate it when this fails:
    .venv/bin/python -m tests.search.province_queries (and review the diff)."""
    derived = province_queries.render(province_queries.cases(province_queries.load(province)))
    assert derived == province_queries.QUERIES.read_text(encoding="utf-8"), (
        "tests/search/province.yaml is out of date: run .venv/bin/python -m tests.search.province_queries"
    )


@pytest.mark.parametrize("number,case", list(enumerate(CASES, 1)), ids=[c["query"] for c in CASES])
def test_query_finds_the_page(browser, tab, report, number, case):
    query, right = case["query"], [case["page"], *case.get("also", [])]
    pages, cost = measured_search(browser, query, tab)
    every = case.get("every")
    rank = next((i for i, p in enumerate(pages, 1) if p in right or every and p.startswith(every)), None)
    report.add(
        query,
        [
            number,
            query,
            case["kind"],
            rank or "-",
            len(right),
            kb(cost.pagefind_bytes),
            cost.pagefind_files,
            cost.shown,
        ],
    )
    ambiguous = f" (any of {len(right)} pages that hold it)" if len(right) > 1 else ""
    assert rank is not None, f"{query!r} does not find {case['page']}{ambiguous}; results: {pages[:5]}"
    assert rank <= WORST, f"{query!r} ranks {case['page']}{ambiguous} at {rank}; results: {pages[:5]}"
    budget = FIRST_QUERY_BUDGET if number == 1 else LATER_QUERY_BUDGET
    assert cost.pagefind_bytes <= budget, (
        f"{query!r} transferred {cost.pagefind_bytes:,} bytes of pagefind/* (budget {budget:,})"
    )


GENERIC = [case for case in CASES if case.get("every")]


@pytest.mark.parametrize("case", GENERIC, ids=[c["query"] for c in GENERIC])
def test_generic_word_finds_every_page_holding_it(browser, tab, case):
    """A generic word (网格, 注销: printed on every page of a kind) finds every Pagefind document holding it,
    however the browser's segmenter cuts the query (searchwords.py, "Generic labels")."""
    search(browser, case["query"], tab)
    urls = tab.evaluate(
        """async (query) => {
        const pagefind = await import(new URL("../pagefind/pagefind.js", document.baseURI).href);
        const found = await pagefind.search(query);
        return Promise.all(found.results.map(async (r) => (await r.data()).url));
    }""",
        case["query"],
    )
    holding = {u for u in urls if f"/{case['indexed']}" in u}
    assert len(holding) == case["documents"], f"{case['query']!r} finds {len(holding)} of {case['documents']} documents"


def test_nothing_left_127_0_0_1_and_no_console_errors(browser):
    assert browser.requests, "no page was opened"
    browser.assert_clean()
