"""Search results are the answer, in a real headless Chromium at a phone's size (tests/browser.py: 360×740,
WeChat's user agent): every village, group and block of the sample data lands on the grid that covers it; a
person's result shows their role, grid and a working call button; no excerpt shows the search-only words.
Also the site-wide typography checks: one search box a page, no truncated placeholder, every asset address
relative or root-relative (the 404 page included), admonitions rendered, dates never broken.
Repeat: .venv/bin/python -m pytest -q tests/test_results.py
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.publishing.build import Options, run_check
from tests.browser import save_screenshot
from tests.searchpage import browser, require_chromium, search  # noqa: F401 - browser is a fixture
from tests.sitebuild import SAMPLE, TODAY, html_pages, sample_site
from tests.sitebuild import page as read_page

require_chromium()
PORTAL = run_check(Options(notices=SAMPLE, today=TODAY)).portal


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "results")


def places():
    """(query, town, grids that cover it) for every village, group and block of the sample data."""
    out: dict[str, tuple] = {}
    for town in PORTAL.towns:
        for grid in town.grids:
            names = [grid.village, *grid.covers, *(building.name for building in grid.buildings)]
            for name in names:
                key = (name, town.url)
                covering = out.get(key, (name, town, []))[2]
                out[key] = (name, town, covering + [grid])
    return list(out.values())


PLACES = places()


def first_card(page):
    return page.locator("#pt-results li").first


def landed(site: Path, url: str, _base: str = ""):
    """The page and the element a result's link lands on."""
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    soup = read_page(site, path)
    return path, soup.find(id=unquote(parts.fragment)) if parts.fragment else None


def test_places_are_many():
    assert len(PLACES) > 40
    assert {"village", "group", "block"} <= {
        "village"
        if any(name == g.village for g in grids)
        else "block"
        if any(b.name == name for g in grids for b in g.buildings)
        else "group"
        for name, _, grids in PLACES
    }


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for the many queries: Pagefind's files stay cached between them."""
    page = browser.new_page(fresh=False)
    yield page
    browser.close(page)


def wrong_landing(site: Path, tab, name, town, grids) -> str | None:
    """What is wrong with the first result for a place, or None: it must link into its town page at the
    village (whose grids it lists) or inside the covering grid, and name that grid and its 网格长 with a
    call button."""
    card = first_card(tab)
    href = card.locator("a.pt-results__link").get_attribute("href")
    path, element = landed(site, tab.evaluate("h => new URL(h, location.href).href", href), "")
    if path != town.url or element is None:
        return f"{name}: {href}"
    anchors = {grid.anchor for grid in grids}
    if "pt-village" in (element.get("class") or []):
        if not {a.get("id") for a in element.select("article.pt-grid")} >= anchors:
            return f"{name}: village {href} lacks {anchors}"
    elif not ({element.get("id")} | {parent.get("id") for parent in element.parents}) & anchors:
        return f"{name}: {href} is not in {anchors}"
    text = card.text_content()
    if not any(grid.name in text and grid.leader.name in text for grid in grids):
        return f"{name}: the card names no covering grid and its 网格长: {text}"
    tels = set(card.locator("a.pt-tel").evaluate_all("links => links.map(a => a.getAttribute('href'))"))
    if not tels & {grid.leader.phone.href for grid in grids if grid.leader.phone}:
        return f"{name}: no call button for the 网格长: {tels}"
    return None


def test_every_place_lands_on_the_grid_that_covers_it(browser, tab, site):
    """Walks every village, group and block of the sample data (PLACES)."""
    wrong = []
    for name, town, grids in PLACES:
        search(browser, name, tab)
        wrong.append(wrong_landing(site, tab, name, town, grids))
    wrong = [w for w in wrong if w]
    assert not wrong, f"{len(wrong)} of {len(PLACES)}: {wrong[:10]}"


def people():
    """(query, role, where, phone) of one person of each kind on the sample data, and a legal service."""
    town = next(t for t in PORTAL.towns if any(g.buildings for g in t.grids))
    grid = next(g for g in town.grids if g.buildings and g.workers)
    out = [
        (grid.leader.name, "网格长", grid.name, grid.leader.phone),
        (grid.workers[0].name, "网格员", grid.name, grid.workers[0].phone),
        (grid.buildings[0].leader.name, "楼栋长", grid.name, grid.buildings[0].leader.phone),
        (town.judges[0].name, "驻镇法官", town.name, town.judges[0].phone),
    ]
    service = next(s for t in PORTAL.towns for s in t.legal_services if s.phone and "-" in s.phone.text)
    out.append((service.name, service.kind_label, "", service.phone))  # a landline: 0734-5204575
    deregistration = PORTAL.deregistrations[0]
    out.append((deregistration.contact.name, "清算联系人", deregistration.title, deregistration.contact.phone))
    lost = next(n for n in PORTAL.lost if len(n.holder) <= 4)
    out.append((lost.holder, "声明人", lost.title, None))
    return out


@pytest.mark.parametrize("name,role,where,phone", people(), ids=[p[1] for p in people()])
def test_a_person_query_shows_role_grid_and_call_button(browser, tab, name, role, where, phone):
    page = search(browser, name, tab)
    card = first_card(page)
    text = card.text_content()
    assert name in text and role in text and where in text, (name, role, where, text)
    if phone:
        call = card.locator(f"a.pt-tel[href='{phone.href}']")
        assert call.count() == 1, text
        box = call.first.bounding_box()
        assert box["height"] >= 44, box  # the town page's call button: 48 px high


def test_the_call_button_is_the_town_pages(browser):
    """Same size as on the town page: the search page and the town page use the one .pt-tel style."""
    town = PORTAL.towns[0]
    leader = town.grids[0].leader
    page = search(browser, leader.name)
    try:
        in_result = page.locator("#pt-results a.pt-tel").first.bounding_box()
        page.goto(browser.base_url + town.url)
        on_page = page.locator(f"#{town.grids[0].anchor}-leader a.pt-tel").bounding_box()
        assert abs(in_result["height"] - on_page["height"]) < 1, (in_result, on_page)
    finally:
        browser.close(page)


SPACED = re.compile(r"(?:\w[ ]){3,}\w")  # the search-only words: one character a word, "衡 山 县 白"


@pytest.mark.parametrize("query", ["衡山县白果镇", "刘亮", "乌塘", "网格员", "兴业小区11栋", "湘河"])
def test_no_excerpt_shows_search_only_words_or_another_grid(browser, tab, query):
    page = search(browser, query, tab)
    for item in page.locator("#pt-results li").all():
        text = item.text_content()
        assert not SPACED.search(text), (query, text)
        assert " / " not in text, (query, text)
        for excerpt in item.locator(".pt-results__excerpt").all_text_contents():
            assert excerpt.count("网格编号") <= 1, (query, excerpt)


def test_a_result_opens_at_the_person_highlighted(browser):
    """The link lands on the person (an anchor of generator/site/anchors.py), scrolled into view and highlighted."""
    page = search(browser, "刘玉亮")
    try:
        page.locator("#pt-results a.pt-results__link").first.click()
        page.wait_for_url(re.compile(r"/towns/hengdong/ganxi/#grid-03-liu-yu-liang$"))
        person = page.locator("#grid-03-liu-yu-liang")
        assert "刘玉亮" in person.text_content()
        assert person.is_visible()
        box = person.bounding_box()
        assert 0 <= box["y"] < 740 - box["height"], box
        assert person.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    finally:
        browser.close(page)


def test_a_building_in_the_folded_list_is_shown(browser):
    """A building's anchor is inside the folded 楼栋长 list: opening the page at it unfolds the list and shows it."""
    page = browser.open("towns/furong/donghu/#grid-02-xing-ye-xiao-qu-9dong")
    try:
        building = page.locator("#grid-02-xing-ye-xiao-qu-9dong")
        building.wait_for(state="visible")
        assert page.locator("#grid-02-buildings").evaluate("d => d.open")
        box = building.bounding_box()
        assert 0 <= box["y"] < 740 - box["height"], box
    finally:
        browser.close(page)


def test_village_chips_land_on_the_village(site):
    """乌塘村's chip (and its search result) lands on 乌塘村's own heading, not on the grid before it."""
    soup = read_page(site, "towns/hengdong/ganxi/")
    for chip in soup.select("a.pt-chip"):
        section = soup.find(id=chip["href"][1:])
        assert section is not None and section.name == "section", chip
        assert section.h2.get_text(strip=True) == chip.get_text(strip=True)


def test_anchors_are_unique_and_stable(site):
    """Every village, grid, person, building has an id; no id twice on a page; the documented forms."""
    soup = read_page(site, "towns/furong/donghu/")
    ids = [e["id"] for e in soup.select(".pt-town [id]")]
    assert len(ids) == len(set(ids)), ids
    people = [e for e in soup.select(".pt-town .pt-person") if not e.find_parent(class_="pt-help")]  # not the hotlines
    assert people and all(e.get("id") for e in people), "a person without an anchor"
    assert all(e.get("id", "").startswith("village-") for e in soup.select("section.pt-village"))
    assert any(re.fullmatch(r"grid-[^-]+-leader", i) for i in ids)


# ----------------------------------------------------------------------------- typography and consistency

ASSET_ATTRIBUTES = (("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"), ("form", "action"))


def test_every_asset_address_is_relative_or_root_relative(site):
    """No page loads anything from another host, nor from a protocol-relative //host address (the 404 page's
    `//assets/vendor/…` was one): every script, stylesheet, image and form address, and every address an
    inline script writes, is relative or starts with a single /."""
    pages = html_pages(site)
    assert site / "404.html" in pages
    bad = []
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        addresses = [e[attr] for tag, attr in ASSET_ATTRIBUTES for e in soup.find_all(tag) if e.get(attr)]
        addresses += re.findall(r"""src=["']([^"']+)""", " ".join(s.get_text() for s in soup.find_all("script")))
        bad += [(path.relative_to(site).as_posix(), a) for a in addresses if re.match(r"^(?:[a-z]+:)?//", a, re.I)]
    assert not bad, bad[:10]


def test_one_search_box_a_page(site):
    for url in ("", "notices/", "towns/", "towns/hengdong/ganxi/", "about/", "search/"):
        soup = read_page(site, url)
        assert len(soup.select("input[name=q]")) == 1, url


def test_admonitions_are_rendered(site):
    soup = read_page(site, "about/")
    assert soup.select_one(".admonition.note"), "about page shows a raw !!! note"
    assert "!!!" not in soup.get_text()


def test_dates_one_format_never_broken(site):
    """Dates on pages are 2026年10月20日 (never 2026-10-20 in the text), each in a nowrap span."""
    for url in (
        "notices/lost/2022/2022-06-20-budongchan/",
        "notices/deregistration/2022/2022-06-06-hengdong-yangfeng-xiehui/",
        "notices/lost/",
        "",
        "towns/hengdong/ganxi/",
    ):
        soup = read_page(site, url)
        article = soup.select_one("article.md-content__inner")
        for source in article.select(".pt-source"):  # a file name (2022-06-20-….yaml), not a date
            source.decompose()
        spans = [s.get_text() for s in article.select(".pt-date")]  # a nowrap <span> or <time> (fingerprint.mark)
        for time in article.find_all("time"):
            time.unwrap()
        text = article.get_text(" ")
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), (url, re.findall(r"20\d\d-\d\d-\d\d", text))
        dates = re.findall(r"20\d\d年\d{1,2}月\d{1,2}日", text)
        assert dates and sorted(dates) == sorted(spans), (url, dates, spans)


def test_header_placeholder_is_not_cut_at_360px(browser):
    """The header's search box says what to type in full at 360 px (it was cut to “姓名、村组、”)."""
    page = browser.new_page()
    try:
        page.goto(browser.base_url + "towns/")
        fits = page.evaluate("""() => {
            const input = document.getElementById("pt-q-top");
            const style = getComputedStyle(input);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontSize} ${style.fontFamily}`;
            const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return [context.measureText(input.placeholder).width, room];
        }""")
        assert fits[0] <= fits[1], fits
    finally:
        browser.close(page)


def test_font_stack_is_chinese_first_and_local(site):
    css = (site / "assets" / "portal.css").read_text(encoding="utf-8")
    stack = re.search(r"--md-text-font-family:([^;]+);", css).group(1)
    assert stack.strip().startswith('"PingFang SC"'), stack
    assert "@font-face" not in css and "url(" not in stack


@pytest.mark.parametrize(
    "name,query",
    [
        ("search-person", "刘玉亮"),
        ("search-village", "乌塘村"),
        ("search-block", "兴业小区9栋"),
        ("search-notice", "衡东县养蜂协会"),
    ],
)
def test_result_card_screenshots(browser, name, query):
    """The README's pictures of result cards (test-artifacts/search-*.png; copy good ones to docs/images/)."""
    page = search(browser, query)
    try:
        assert page.locator("#pt-results li.pt-result").count() >= 1
        save_screenshot(page, name)
    finally:
        browser.close(page)
