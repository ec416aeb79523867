"""What residents come for, done as a resident does it, in a real headless Chromium.

Each journey starts on the home page (except the shared link, which is how such a link arrives) and
goes on by tapping links, summaries and buttons by their visible text, at a phone's size (360×740)
and a desktop's. Every page opened asks nothing of any other host and logs no console error.
The phone screenshots of the main pages go to test-artifacts/ (the README's come from there).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.publishing.build import Options, run_check
from generator.site.anchors import town_anchors
from tests.browser import DESKTOP, PHONE, Browser, require_chromium, save_screenshot, serve
from tests.sitebuild import SAMPLE, TODAY, TODAY_CLOCK, sample_site

require_chromium("the residents' journeys")

#: A town page on a phone, everything it loads with an empty cache (HTML, CSS, scripts, fonts, images),
#: as the bytes that come over the wire. Measured 2026-11: see dev/testing.md, "Page weight".
TOWN_PAGE_BUDGET = 350_000
TOWN = "甘溪镇"
VILLAGE = "乌塘村"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The sample site, built once and served on 127.0.0.1 for every journey."""
    with serve(sample_site(tmp_path_factory, "journeys")) as url:
        yield url


@pytest.fixture(scope="module")
def portal():
    return run_check(Options(notices=SAMPLE, today=TODAY)).portal


@pytest.fixture(scope="module")
def chromium(base_url):
    with Browser(base_url) as browser:
        yield browser


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def browser(request, chromium):
    """The module's Chromium at a phone's or a desktop's size, its record starting with the journey."""
    chromium.forget()
    chromium.viewport = dict(request.param)
    yield chromium
    chromium.viewport = dict(PHONE)


def content(page):
    """The page's own content (not the theme's navigation), where a resident looks for the next tap."""
    return page.locator("article.md-content__inner")


def tap_link(page, text: str, exact: bool = True):
    """Tap the content's first link whose visible text is `text` and wait for the next page."""
    with page.expect_navigation():
        content(page).get_by_role("link", name=text, exact=exact).first.click()


def search_from(page, query: str):
    """Type `query` into the page's search box and submit it; wait for the results to show."""
    box = content(page).get_by_role("searchbox").first
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    page.locator("#pt-results li a").first.wait_for()


def test_search_a_holders_name_and_open_the_notice(browser, portal):
    notice = next(n for n in portal.lost if n.holder == "唐红峰")
    page = browser.open("")
    search_from(page, "唐红峰")
    assert page.locator("#pt-search-status").text_content().startswith("找到")
    with page.expect_navigation():
        page.locator("#pt-results").get_by_role("link", name=re.compile("唐红峰")).first.click()
    assert urlsplit(page.url).path == "/" + notice.url
    assert page.locator("h1").text_content() == notice.title
    facts = page.locator("dl.pt-facts").first.inner_text()  # the notice's own facts, before its provenance
    assert "43************0498" in facts and notice.document.number not in page.content()
    assert "已声明作废" in page.locator(".pt-status").inner_text()
    browser.assert_clean()


def test_find_a_grid_worker_from_home_by_city_county_town(browser, portal):
    town = next(t for t in portal.towns if t.name == TOWN)
    grid = next(g for g in town.grids if g.village == VILLAGE)
    worker = grid.workers[0]
    city, county = town.parts[:2]
    page = browser.open("")
    finder = page.locator("#find-grid")
    finder.locator("summary", has_text=city).click()
    finder.locator("summary", has_text=county).click()
    with page.expect_navigation():
        finder.get_by_role("link", name=TOWN, exact=True).click()
    assert page.locator("h1").text_content() == TOWN
    content(page).get_by_role("link", name=VILLAGE, exact=True).click()
    page.wait_for_url(re.compile(f"#{town_anchors(town).village(VILLAGE)}$"))  # the village's own heading
    card = page.locator(f"[id='{grid.anchor}']")
    assert card.is_visible()
    assert card.locator("h3").text_content().startswith(grid.name)
    person = card.locator(".pt-person", has_text=worker.name)
    call = person.get_by_role("link", name=f"拨打 {worker.phone.text}")
    assert call.is_visible() and call.get_attribute("href") == worker.phone.href
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb's tap target
    browser.assert_clean()


@pytest.mark.parametrize(
    "organization,deadline,state",
    [
        ("衡东县甘溪镇石湾村果蔬种植专业合作社", "2026年12月4日", "公告期内"),
        ("衡东县养蜂协会", "2022年7月21日", "公告期满"),
    ],
)
def test_open_a_deregistration_notice_and_read_its_claim_deadline(browser, organization, deadline, state):
    page = browser.open("", clock=TODAY_CLOCK)
    tap_link(page, "全部注销公告")
    assert page.locator("h1").text_content().startswith("注销公告")
    tap_link(page, f"{organization}注销公告")
    box = page.locator(".pt-deadline")
    assert box.is_visible()
    text = box.inner_text()
    assert "债权申报截止日期" in text and deadline in text and state in text, text
    browser.assert_clean()


def test_find_the_judge_for_a_town(browser, portal):
    town = next(t for t in portal.towns if t.name == "杨桥镇")
    judge = town.judges[0]
    page = browser.open("")
    tap_link(page, "找法官", exact=False)
    city, county = town.parts[:2]  # 我住在…: the city, then the county's page
    content(page).locator("summary", has_text=city).click()
    tap_link(page, county, exact=False)
    card = content(page).locator("section.pt-card", has=page.get_by_role("heading", name=re.compile("^杨桥镇")))
    assert judge.name in card.inner_text() and judge.court in card.inner_text()
    assert card.get_by_role("link", name=f"拨打 {judge.phone.text}").get_attribute("href") == judge.phone.href
    with page.expect_navigation():
        card.get_by_role("link", name="杨桥镇", exact=True).click()
    judges = page.locator("#judges")
    assert judge.name in judges.inner_text()
    assert judges.get_by_role("link", name=f"拨打 {judge.phone.text}").is_visible()
    browser.assert_clean()


def test_open_a_shared_search_link(browser, portal):
    """A link someone sent in WeChat: the search runs at once, and the first result opens the grid."""
    grid = next(g for t in portal.towns for g in t.grids if "乌塘村3组" in g.covers)
    page = browser.open("search/?q=乌塘村3组")
    page.locator("#pt-results li a").first.wait_for()
    assert page.locator("#pt-q").input_value() == "乌塘村3组"
    with page.expect_navigation():
        page.locator("#pt-results li a").first.click()
    assert urlsplit(page.url).fragment == grid.anchor
    card = page.locator(f"[id='{grid.anchor}']")
    assert card.is_visible() and "乌塘村3组" in card.inner_text()
    browser.assert_clean()


def test_screenshots_of_what_residents_see(chromium):
    """Phone screenshots (first screen; and whole page for home, town and notice) into test-artifacts/."""
    pages = {
        "home": "",
        "town": "towns/hengdong/ganxi/",
        "notice": "notices/lost/2022/2022-06-20-shenfenzheng/",
        "deregistration": "notices/deregistration/2026/2026-10-20-ganxi-shiwan-guoshu/",
        "search": "search/?q=乌塘村3组",
    }
    browser = chromium
    browser.forget()
    for name, url in pages.items():
        page = browser.open(url)
        if name == "search":
            page.locator("#pt-results li a").first.wait_for()
        page.evaluate("document.fonts.ready")
        assert save_screenshot(page, f"{name}-phone").stat().st_size > 10_000
        if name in ("home", "town", "notice"):
            save_screenshot(page, f"{name}-phone-full", full_page=True)
        browser.close(page)
    browser.assert_clean()


def test_town_page_weight_on_a_phone(chromium, request):
    """Everything a phone downloads for a town page with an empty cache stays within the budget."""
    browser = chromium
    browser.forget()
    page = browser.open("towns/hengdong/ganxi/", wait_until="networkidle")
    records = browser.since(0)
    total = Browser.transferred(records)
    by_kind: dict[str, int] = {}
    for record in records:
        kind = Path(urlsplit(record.url).path).suffix or ".html"
        by_kind[kind] = by_kind.get(kind, 0) + Browser.transferred([record])
    browser.close(page)
    browser.assert_clean()
    summary = ", ".join(f"{kind} {size / 1000:.1f} KB" for kind, size in sorted(by_kind.items()))
    request.node.user_properties.append(("town page bytes", total))
    print(f"\ntown page on a phone, empty cache: {len(records)} requests, {total / 1000:.1f} KB ({summary})")
    assert all(record.status == 200 for record in records), [(r.url, r.status) for r in records]
    assert total <= TOWN_PAGE_BUDGET, f"town page is {total:,} bytes, budget {TOWN_PAGE_BUDGET:,}: {summary}"
