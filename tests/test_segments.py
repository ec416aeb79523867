"""The search index as segments (generator/publishing/segments.py): a base bundle, a delta of the documents changed
since the fold, a manifest search.js merges them by; a fold gives a full build's site byte for byte.

On the sample data: a fold, then edits (a notice edited, a notice added on a new day, a notice deleted, a
town's phone changed) rebuilt with a delta; every file outside the search bundles equals a `--no-cache`
build's; in Chromium the edited notice answers its new text and not its old, the new one is found, the
deleted one is not, and the bytes of every search bundle stay within the budgets; then `--fold` gives the
`--no-cache` site byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator.publishing import segments
from tests.browser import serve
from tests.searchpage import FIRST_QUERY_BUDGET, LATER_QUERY_BUDGET, browser, measured_search, require_chromium  # noqa: F401 - browser is a fixture
from tests.sitebuild import ROOT, SAMPLE, TODAY
from tests.test_incremental import NEW_NOTICE, assert_same_site, edit_town, run, tree

require_chromium()

EDITED = "lost/2021/2021-03-18-shenfenzheng.yaml"
EDITED_URL = "notices/lost/2021/2021-03-18-shenfenzheng/"
OLD_HOLDER, NEW_HOLDER = "唐春", "唐春燊"  # 燊: a character no other document holds (the delta-only rule)
DELETED = "lost/2022/2022-01-12-gongzhang.yaml"
DELETED_URL = "notices/lost/2022/2022-01-12-gongzhang/"
NEW_URL = "notices/lost/2024/2024-03-05-biye-new/"


def manifest(site: Path) -> dict:
    return json.loads((site / segments.MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    notices = tmp_path_factory.mktemp("segments") / "notices"
    shutil.copytree(SAMPLE, notices)
    return notices


@pytest.fixture(scope="module")
def site(data) -> Path:
    """The sample built (a fold), then edited and rebuilt with a delta."""
    site = data.parent / "site"
    run(data, site)
    assert manifest(site) == {"bundles": [], "drop": [], "added": [], "only": ""}
    entry = (site / "pagefind" / "pagefind-entry.json").stat().st_ino
    edited = data / EDITED
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(f"holder: {OLD_HOLDER}", f"holder: {NEW_HOLDER}"), encoding="utf-8"
    )
    (data / "lost" / "2024").mkdir(exist_ok=True)
    (data / "lost" / "2024" / "2024-03-05-biye-new.yaml").write_text(NEW_NOTICE, encoding="utf-8")
    (data / DELETED).unlink()
    edit_town(data)
    run(data, site)
    assert (site / "pagefind" / "pagefind-entry.json").stat().st_ino == entry, "the base was rebuilt, not kept"
    return site


def test_a_small_change_is_a_delta_without_scripts(site):
    found = manifest(site)
    assert found["bundles"] == [f"{segments.DELTA}/"]
    assert len(found["drop"]) == 3, found  # the edited notice's and the deleted one's day groups, the town
    assert found["added"] and "燊" in found["only"]
    delta = sorted(p.name for p in (site / segments.DELTA).iterdir())
    assert not [name for name in delta if name.endswith((".js", ".css")) or name.startswith("wasm.")], delta


def test_files_outside_the_search_bundles_equal_a_full_build(data, site):
    full = site.with_name("full")
    run(data, full, cache=False)
    assert_same_site(site, full)


@pytest.mark.parametrize(
    "query,holder",
    [
        (NEW_HOLDER, EDITED_URL),  # the edited notice answers its new text
        ("谭新增", NEW_URL),  # a notice on a new day
        ("燊", EDITED_URL),  # a character only the delta holds
    ],
)
def test_the_merged_index_finds_the_changes(browser, query, holder):
    pages, cost = measured_search(browser, query, browser.new_page())
    assert pages and pages[0] == holder, pages[:5]
    assert cost.pagefind_bytes <= FIRST_QUERY_BUDGET


SAMPLE_QUERIES = [
    case["query"] for case in yaml.safe_load((ROOT / "tests" / "search" / "sample.yaml").read_text("utf-8"))
]
CHANGED_QUERIES = [OLD_HOLDER, NEW_HOLDER, "谭新增", "湘湖社区居民委员会", "13900001111", "网格员", "注销"]


def test_results_match_a_full_build(data, site, browser):
    """Every sample query and the changed texts: the first result is the full build's (the deleted notice is
    found by neither), no result of the full build's is missing, and every later search stays in budget.
    Between folds results may gain junk the delta's own prefix fallback finds (its few documents lack the
    query's words): 湘湖社区居民委员会, the deleted notice's holder, finds the edited town in the delta."""
    full = site.with_name("full")
    if not full.exists():
        run(data, full, cache=False)
    tab, other_tab = browser.new_page(), browser.new_page()
    merged_url = browser.base_url
    with serve(full) as full_url:
        for number, query in enumerate(CHANGED_QUERIES + SAMPLE_QUERIES):
            browser.base_url = merged_url
            merged, cost = measured_search(browser, query, tab)
            browser.base_url = full_url
            alone, _ = measured_search(browser, query, other_tab)
            assert DELETED_URL not in merged, query
            if alone:  # a query the full build answers with nothing may gain the delta's junk (dev/search.md)
                assert merged[:1] == alone[:1], (query, merged[:5], alone[:5])
            assert set(alone) <= set(merged) or len(merged) >= 3, (query, merged, alone)
            assert cost.pagefind_bytes <= (FIRST_QUERY_BUDGET if number == 0 else LATER_QUERY_BUDGET), query
    browser.base_url = merged_url


def test_the_delta_bytes_are_counted_and_within_budget(browser):
    tab = browser.new_page()
    mark = browser.mark()
    measured_search(browser, NEW_HOLDER, tab)
    urls = [record.url for record in browser.since(mark)]
    assert any(f"/{segments.DELTA}/" in url for url in urls), urls
    assert any(url.endswith(segments.MANIFEST) for url in urls), urls


def test_a_fold_gives_the_no_cache_site_byte_for_byte(data, site, browser):
    full = site.with_name("full")
    if not full.exists():
        run(data, full, cache=False)
    from generator.publishing.build import Options, build

    result = build(Options(notices=data, site_dir=site, today=TODAY, fold=True))
    assert not result.failed
    assert manifest(site) == {"bundles": [], "drop": [], "added": [], "only": ""}
    assert_same_site(site, full, whole=True)
    assert tree(site).keys() == tree(full).keys()


def test_a_failed_merge_falls_back_to_the_base(browser):
    """A manifest naming a bundle that cannot be loaded: the base is searched alone (a fresh Pagefind)."""
    tab = browser.new_page()
    tab.route(
        f"**/{segments.MANIFEST}",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"bundles": ["missing/"], "drop": [], "added": [], "only": ""}),
        ),
    )
    pages, _ = measured_search(browser, "王子波", tab)
    assert pages[:1] == ["notices/lost/2021/2021-11-25-budongchan/"], pages
