"""Anchors on town pages published before the pinyin was corrected stay where they were: a link, search result or
printed QR code with an old id (#grid-09-ceng-jian-wu) opens the town page at the same person as the new id
(#grid-09-zeng-jian-wu), with no script, and search never sees the old ids.

Real builds of the sample and of small data sets, and a real headless Chromium; dev/addresses.md describes
the rule (generator/site/anchors.py makes the aliases).
Repeat: .venv/bin/python -m pytest -q tests/test_anchors.py
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator.checking.model import Town
from generator.checking.rules import BASE
from generator.site.anchors import town_anchors, village_anchors
from tests.browser import PHONE, browse, require_chromium
from tests.sitebuild import ROOT, page, sample_site

ANCHORS = ROOT / "tests" / "fixtures" / "sample-anchors.tsv"
ROWS = [line.split("\t") for line in ANCHORS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "anchors")


def name_of(element: Tag) -> str:
    """What an anchored element names, as tests/fixtures/sample-anchors.tsv records it: its heading (a village,
    a grid, a section), its summary (a 楼栋长 list), or its person's name (else its first line: a WeChat group)."""
    head = element.find(["h2", "h3"], recursive=False)
    if head is not None:
        head = copy.copy(head)
        for small in head.select("small"):
            small.decompose()
        return head.get_text(" ", strip=True)
    if element.name == "details":
        return element.summary.get_text(" ", strip=True)
    part = element.select_one(".pt-person__name") or element.select_one(".pt-person__line")
    return part.get_text(" ", strip=True)


def landing(soup: BeautifulSoup, anchor: str) -> Tag:
    """The element a browser shows for #anchor: the element with that id, or the one an alias is first inside."""
    found = soup.find_all(id=anchor)
    assert len(found) == 1, f"#{anchor}: {len(found)} elements"
    element = found[0]
    if "pt-alias" in element.get("class", []):
        assert not element.contents and element.has_attr("data-pagefind-ignore"), element
        assert element.parent.find(recursive=False) is element, f"#{anchor} is not first in its element"
        return element.parent
    return element


def test_every_anchor_of_the_sample_stays_on_its_element(site):
    """Each id the sample's town pages had before the pinyin fix is on the same page once, at the same element."""
    assert len(ROWS) > 300
    pages = {url: page(site, url) for url in {row[0] for row in ROWS}}
    aliased = {}
    for url, anchor, tag, name in ROWS:
        element = landing(pages[url], anchor)
        assert (element.name, name_of(element)) == (tag, name), f"{url}#{anchor} lands on another element"
        if element.get("id") != anchor:
            aliased[url, anchor] = element["id"]
    assert len(aliased) == 18, aliased  # on 5 pages: 1 village, 4 people, 2 buildings, 11 legal services
    assert aliased["towns/hengdong/ganxi/", "grid-09-ceng-jian-wu"] == "grid-09-zeng-jian-wu"  # 曾建武: the surname
    assert aliased["towns/changshaxian/huanghua/", "village-song-bo-cun"] == "village-song-bai-cun"  # 松柏村
    assert aliased["towns/furong/donghu/", "grid-06-dian-ji-han-su-she-3dong"] == "grid-06-dian-ji-chang-su-she-3dong"
    # and nothing else: every alias on a town page is an id published before
    on_pages = {(url, a["id"]) for url, soup in pages.items() for a in soup.select(".pt-alias")}
    assert on_pages == set(aliased)


def fragments(site: Path) -> list[dict]:
    """Pagefind's page fragments: gzip, the `pagefind_dcd` header, JSON."""
    out = []
    for path in (site / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data[data.index(b"{") :]))
    return out


def test_old_ids_stay_out_of_the_search_index(site):
    """Pagefind records no anchor for an alias (it is marked data-pagefind-ignore), so docs/assets/search.js
    cuts a town page into exactly the parts it had, and the index does not grow."""
    towns = {row[0] for row in ROWS}
    old = {alias["id"] for url in towns for alias in page(site, url).select(".pt-alias")}
    assert len(old) == 17  # 18 on the pages, one of them (衡东县法律援助中心) on two
    indexed = [f for f in fragments(site) if f["url"].lstrip("/") in towns]
    assert len(indexed) == len(towns)
    for fragment in indexed:
        assert {a["element"] for a in fragment["anchors"]} <= {"section", "article", "div", "details"}, fragment["url"]
        assert not {a["id"] for a in fragment["anchors"]} & old, fragment["url"]
    assert not [anchor for anchor in old if anchor in json.dumps(indexed)]


def town_of(check_files, *renamed: tuple[str, str]) -> Town:
    """The checked town of the small base data set (BASE), with villages renamed in its regions and town file."""
    files = dict(BASE)
    for old, new in renamed:
        files = {name: text.replace(old, new) for name, text in files.items()}
    checked = check_files(files)
    assert not [p for p in checked.problems if p.level == "error"], [p.format() for p in checked.problems]
    return checked.portal.towns[0]


def test_an_old_id_that_another_element_holds_now_is_left_to_it(check_files):
    """曾明 was grid-1-ceng-ming and 层明 grid-1-ceng-ming-2; now 曾明 is grid-1-zeng-ming and 层明 grid-1-ceng-ming.
    The page keeps 层明's own id (what search, the chips and every code printed since name): 曾明 gets no alias
    grid-1-ceng-ming, 层明 keeps its old grid-1-ceng-ming-2 as an alias. Villages the same: 增家村 was
    village-zeng-jia-cun, which is 曾家村's id now."""
    leader = '    leader: {name: 彭某, phone: "13973400001"}\n'
    workers = '    workers:\n      - {name: 曾明, phone: "13973400003"}\n      - {name: 层明, phone: "13973400004"}\n'
    town = town_of(check_files, (leader, leader + workers), ("乌塘村", "曾家村"), ("新塘村", "增家村"))
    at = town_anchors(town)
    grid = town.grids[0]
    assert (at.worker(grid, 0), at.worker(grid, 1)) == ("grid-1-zeng-ming", "grid-1-ceng-ming")
    assert "grid-1-zeng-ming" not in at.aliases
    assert at.aliases["grid-1-ceng-ming"] == "grid-1-ceng-ming-2"
    assert (at.village("曾家村"), at.village("增家村")) == ("village-zeng-jia-cun", "village-zeng-jia-cun-2")
    assert at.aliases["village-zeng-jia-cun"] == "village-ceng-jia-cun"
    assert "village-zeng-jia-cun-2" not in at.aliases  # its old id is 曾家村's now
    every = list(at.aliases.values())
    assert len(every) == len(set(every)) and not set(every) & at.taken


def test_the_boards_villages_are_the_town_pages(check_files):
    """The 公示牌 page makes its villages' ids alone (`village_anchors`, no person spelled): the same ids as the
    town page gives them, homophones' -2 included, with the town's people spelled or not."""
    leader = '    leader: {name: 彭某, phone: "13973400001"}\n'
    workers = '    workers:\n      - {name: 曾明, phone: "13973400003"}\n'
    town = town_of(check_files, (leader, leader + workers), ("乌塘村", "曾家村"), ("新塘村", "增家村"))
    villages = village_anchors(town)
    assert villages.villages == town_anchors(town).villages
    assert villages.village("增家村") == "village-zeng-jia-cun-2" and not villages.people
    with pytest.raises(KeyError):  # a template asking it for a person fails, rather than linking nowhere
        villages.worker(town.grids[0], 0)


def test_a_town_the_old_reading_spelled_right_has_no_aliases(check_files):
    """Names the old reading already spelled as pypinyin does (乌塘村, 彭某, 谭某) give no alias at all."""
    assert town_anchors(town_of(check_files)).aliases == {}


#: (town page, old id, new id): a village heading, a person, a building in the folded 楼栋长 list, a village's
#: legal service, a town's legal service.
OPENED = [
    ("towns/changshaxian/huanghua/", "village-song-bo-cun", "village-song-bai-cun"),
    ("towns/hengdong/ganxi/", "grid-09-ceng-jian-wu", "grid-09-zeng-jian-wu"),
    ("towns/furong/donghu/", "grid-06-dian-ji-han-su-she-3dong", "grid-06-dian-ji-chang-su-she-3dong"),
    (
        "towns/hengdong/ganxi/",
        "service-wu-tang-cun-ren-min-diao-jie-wei-yuan-hui",
        "service-wu-tang-cun-ren-min-tiao-jie-wei-yuan-hui",
    ),
    (
        "towns/hengshan/baiguo/",
        "service-heng-shan-xian-fa-lu-yuan-zhu-zhong-xin",
        "service-heng-shan-xian-fa-lv-yuan-zhu-zhong-xin",
    ),
]


def test_an_old_id_opens_the_page_where_the_new_one_does(site):
    """In Chromium at a phone's size with JavaScript off: town/#old scrolls the element holding #new to the same
    place as town/#new does (a pixel either way), far down the page, in view, highlighted where :has() is known."""
    require_chromium("opening old anchors")
    with browse(site, PHONE) as browser:
        for url, old, new in OPENED:
            where = {}
            for anchor in (new, old):
                tab = browser.open(f"{url}#{anchor}", java_script_enabled=False)
                try:
                    element = tab.locator(f"[id='{new}']")
                    box = element.bounding_box()
                    where[anchor] = (tab.evaluate("() => window.scrollY"), box["y"])
                    assert 0 < box["y"] < PHONE["height"] / 2, (url, anchor, box)
                    shown = element.locator("h2").first if new.startswith("village-") else element
                    assert shown.evaluate("e => getComputedStyle(e).outlineStyle") == "solid", (url, anchor)
                finally:
                    browser.close(tab)
            assert where[new][0] > PHONE["height"], (url, where)  # far from the top: the test means something
            assert abs(where[old][0] - where[new][0]) <= 2 and abs(where[old][1] - where[new][1]) <= 2, (url, where)
        browser.assert_clean()
