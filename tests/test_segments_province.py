"""Merged search on a small generated province against a full build's (generator/publishing/segments.py, issue 14).

`bench/province.py --scale 0.02` is built (a fold), then edited as staff do: a notice on an existing day
and one on a new day, a renamed 网格长, a deleted notice, a withdrawn deregistration, and a notice edited
in one build and reverted in the next; the rebuilds are deltas. The same data is built with `--no-cache`
beside it. For the province query set derived from this data (tests/search/province_queries.py) and the
edited texts, in Chromium: phrase-search sets equal the full build's, plain-search sets never miss one of
its results, the first result shown is the full build's or a tie (a page that holds the query too), the
edited documents answer their new text and not the old, the deleted notice is not found, and the byte
budgets hold counting every search bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.publishing import segments
from tests.browser import serve
from tests.search import province_queries
from tests.searchpage import FIRST_QUERY_BUDGET, LATER_QUERY_BUDGET, browser, measured_search, require_chromium  # noqa: F401 - browser is a fixture
from tests.sitebuild import ROOT
from tests.test_incremental import run

require_chromium()

SCALE = "0.02"
TODAY = province_queries.TODAY
NEW_DAY = dt.date(2026, 11, 20)  # no notice is published on it (the province's last year is 2025)
RENAMED = "龚燊燚"  # characters only the delta holds
EXISTING_DAY_HOLDER, NEW_DAY_HOLDER, REVERTED_HOLDER = "谭晓燊", "谭新燚", "谭改回"


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("segprov")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "province.py"),
            "--scale",
            SCALE,
            "--seed",
            "1",
            "--today",
            TODAY.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "notices"


def replace_first(path: Path, pattern: str, replacement: str) -> str:
    text = path.read_text(encoding="utf-8")
    found = re.search(pattern, text, flags=re.MULTILINE)
    assert found, (path, pattern)
    path.write_text(text[: found.start()] + found.expand(replacement) + text[found.end() :], encoding="utf-8")
    return found.group(0)


@pytest.fixture(scope="module")
def edits(province) -> dict:
    """Build, edit, rebuild (twice: an edit, then its revert); what was edited."""
    site = province.parent / "site"
    run(province, site, today=TODAY)
    lost = sorted((province / "lost").rglob("*.yaml"))
    dereg = sorted((province / "deregistration").rglob("*.yaml"))
    town = sorted((province / "contacts").rglob("*.yaml"))[0]
    degrees = [path for path in lost if "type: 学位证书" in path.read_text("utf-8")]  # numbers without a check digit

    def copy(source: Path, target: Path, holder: str, number: str, day: dt.date | None = None) -> None:
        text = re.sub(r"^holder: .*$", f"holder: {holder}", source.read_text("utf-8"), flags=re.MULTILINE)
        text = re.sub(r'number: "(\d+)\d{4}"', rf'number: "\g<1>{number}"', text)
        if day:
            text = re.sub(r"^(published|lost_on): .*$", rf"\1: {day.isoformat()}", text, flags=re.MULTILINE)
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")

    copy(degrees[0], degrees[0].with_name(degrees[0].stem + "-x.yaml"), EXISTING_DAY_HOLDER, "9999")
    copy(
        degrees[1],
        province / "lost" / str(NEW_DAY.year) / f"{NEW_DAY.isoformat()}-new.yaml",
        NEW_DAY_HOLDER,
        "8888",
        NEW_DAY,
    )
    old_leader = replace_first(town, r"leader: \{name: (\S+?),", f"leader: {{name: {RENAMED},")
    deleted = lost[30]
    deleted_holder = re.search(r"^holder: (.*)$", deleted.read_text("utf-8"), flags=re.MULTILINE).group(1)
    deleted.unlink()
    withdrawn = dereg[3]
    withdrawn.write_text(withdrawn.read_text("utf-8") + "status: withdrawn\nwithdrawn_reason: 决议撤销\n", "utf-8")
    reverted = lost[40]
    original = reverted.read_text("utf-8")
    reverted_holder = re.search(r"^holder: (.*)$", original, flags=re.MULTILINE).group(1)
    reverted.write_text(original.replace(f"holder: {reverted_holder}", f"holder: {REVERTED_HOLDER}"), "utf-8")
    run(province, site, today=TODAY)
    reverted.write_text(original, "utf-8")
    run(province, site, today=TODAY)
    full = province.parent / "full"
    run(province, full, today=TODAY, cache=False)
    return {
        "site": site,
        "full": full,
        "old_leader": old_leader.split("name: ")[1].rstrip(","),
        "deleted_holder": deleted_holder,
        "deleted": deleted,
        "reverted_holder": reverted_holder,
    }


@pytest.fixture(scope="module")
def site(edits) -> Path:
    return edits["site"]


def test_the_rebuilds_were_deltas(edits):
    found = json.loads((edits["site"] / segments.MANIFEST).read_text(encoding="utf-8"))
    assert found["bundles"] and found["drop"]
    assert "燊" in found["only"]


RAW = """async ([query, manifestUrl]) => {
    const pagefind = await import(new URL("../pagefind/pagefind.js", document.baseURI).href);
    const options = { baseUrl: "/", ranking: { metaWeights: { search: 0 } }, noWorker: true };
    await pagefind.options(options);
    const manifest = await (await fetch(manifestUrl)).json();
    for (const bundle of manifest.bundles) await pagefind.mergeIndex("/" + bundle, { ...options });
    const drop = new Set(manifest.drop);
    const urls = async (q) => {
        const found = await pagefind.search(q);
        const kept = found.results.filter((r) => !drop.has(r.id));
        return Promise.all(kept.map(async (r) => (await r.data()).url));
    };
    const chars = query.replace(/[\\p{P}\\p{S}\\s]/gu, "").match(/[A-Za-z0-9]+|./gu) || [];
    return { plain: await urls(query), phrase: /\\p{Script=Han}/u.test(query) ? await urls(`"${chars.slice(0, 6).join(" ")}"`) : [] };
}"""


def raw(browser, tab, base_url: str, query: str) -> dict:
    tab.goto(base_url + "search/")
    return tab.evaluate(RAW, [query, base_url + segments.MANIFEST])


def test_merged_results_equal_a_full_builds(edits, browser, province):
    cases = province_queries.cases(province_queries.load(province))
    queries = [(c.query, {c.page, *c.also}, c.every) for c in cases]
    queries += [
        (q, set(), "")
        for q in (
            EXISTING_DAY_HOLDER,
            NEW_DAY_HOLDER,
            RENAMED,
            edits["old_leader"],
            edits["deleted_holder"],
            edits["reverted_holder"],
            REVERTED_HOLDER,
        )
    ]
    merged_url = browser.base_url
    tab, raw_tab, full_tab, full_raw = (browser.new_page() for _ in range(4))
    deleted_url = "notices/" + edits["deleted"].relative_to(province).with_suffix("").as_posix() + "/"
    try:
        with serve(edits["full"]) as full_url:
            for number, (query, right, every) in enumerate(queries):
                browser.base_url = merged_url
                merged, cost = measured_search(browser, query, tab)
                merged_raw = raw(browser, raw_tab, merged_url, query)
                browser.base_url = full_url
                alone, _ = measured_search(browser, query, full_tab)
                alone_raw = raw(browser, full_raw, full_url, query)
                assert sorted(merged_raw["phrase"]) == sorted(alone_raw["phrase"]), query
                assert not set(alone_raw["plain"]) - set(merged_raw["plain"]), query
                if alone:
                    tie = merged[:1] and (merged[0] in right or (every and merged[0].startswith(every)))
                    assert merged[:1] == alone[:1] or tie, (query, merged[:5], alone[:5])
                assert deleted_url not in merged, query
                budget = FIRST_QUERY_BUDGET if number == 0 else LATER_QUERY_BUDGET
                assert cost.pagefind_bytes <= budget, (query, cost.pagefind_bytes)
    finally:
        browser.base_url = merged_url
