"""The residents' pages are accessible and elder-friendly, proven in a real headless Chromium.

- axe-core (node_modules/axe-core, pinned in package.json), injected into each page, finds no serious
  or critical violation on the home, town, notice (lost, withdrawn, deregistration), list and search
  pages, in the normal and the large-text mode (适老化), at a phone's and a desktop's size;
- with JavaScript off, town and notice pages still show their content, tap-to-call links and
  navigation, and the search page says that search needs JavaScript and offers the lists;
- the large-text mode is one tap away on every page and remembered across pages; at 200% text
  nothing is wider than the phone's screen; body text has a line height of at least 1.3;
- a withdrawn notice and an open or closed claim period are said in words, not by colour alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import AXE, DESKTOP, PHONE, Browser, axe, browse, require_chromium
from tests.sitebuild import TODAY_CLOCK, html_pages, sample_site

require_chromium("the accessibility tests")

PAGES = {
    "home": "",
    "town": "towns/hengdong/ganxi/",
    "lost": "notices/lost/2022/2022-06-20-shenfenzheng/",
    "withdrawn": "notices/lost/2023/2023-10-09-biyezhengshu/",
    "deregistration": "notices/deregistration/2026/2026-10-20-ganxi-shiwan-guoshu/",
    "closed": "notices/deregistration/2022/2022-06-06-hengdong-yangfeng-xiehui/",
    "list": "notices/lost/",
    "search": "search/?q=唐红峰",
    "legal": "legal/",
    "guide": "legal/guides/yishi-shengming/",  # has a table
    "county": "judges/heng-yang-shi/heng-dong-xian/",
}
#: The pages axe-core checks (a closed deregistration notice is built like an open one).
AXE_PAGES = [name for name in PAGES if name != "closed"]
#: The pages checked for overflow at 200% text.
LAYOUT_PAGES = ["home", "town", "lost", "withdrawn", "deregistration", "list", "legal", "guide", "county"]
MODES = ["normal", "elder"]
ELDER_ON = "localStorage.setItem('pt-elder', '1')"
TOGGLE = "#pt-elder-toggle"
#: Body text: what a resident reads, inside the generated content.
BODY_TEXT = "article p, article li, article dd, article dt, article td"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "a11y")


@pytest.fixture(scope="module")
def phone(site):
    """One Chromium for the module (Playwright's sync API runs one at a time); a phone's size unless told."""
    with browse(site) as browser:
        yield browser


def open_page(browser: Browser, name: str, mode: str = "normal", **options):
    """A fresh tab on one of PAGES, in the given mode (elder: as if switched on earlier)."""
    page = browser.new_page(clock=TODAY_CLOCK, **options)
    if mode == "elder":
        page.context.add_init_script(ELDER_ON)
    page.goto(browser.base_url + PAGES[name])
    if name == "search" and options.get("java_script_enabled", True):
        page.locator("#pt-results li a").first.wait_for()
    return page


# ------------------------------------------------------------------------- axe-core


@pytest.mark.skipif(not AXE.exists(), reason="node_modules/axe-core is not installed (npm ci)")
@pytest.mark.parametrize(
    "viewport,mode",
    [(PHONE, "normal"), (PHONE, "elder"), (DESKTOP, "normal")],
    ids=["phone-normal", "phone-elder", "desktop-normal"],
)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_serious_violation(phone, viewport, name, mode):
    browser = phone
    page = open_page(browser, name, mode, viewport=viewport)
    try:
        assert page.evaluate("document.documentElement.classList.contains('pt-elder')") == (mode == "elder")
        violations = axe(page)
    finally:
        browser.close(page)
    assert not violations, "\n".join(violations)
    browser.assert_clean()


# ----------------------------------------------------------------------- no JavaScript


@pytest.mark.parametrize("name", ["town", "lost", "withdrawn", "deregistration"])
def test_town_and_notice_pages_work_without_javascript(phone, name):
    page = open_page(phone, name, java_script_enabled=False)
    try:
        assert page.locator("h1").is_visible()
        if name in ("town", "deregistration"):
            calls = page.locator("article a[href^='tel:']")
            assert calls.count() >= 1 and calls.first.is_visible()
        crumbs = page.locator("nav.pt-breadcrumb")
        assert crumbs.get_by_role("link", name="首页").is_visible()
        # The theme's menu opens without JavaScript (a CSS checkbox) and leads to every section.
        page.locator("label.md-header__button[for='__drawer']").click()
        menu = page.locator("nav.md-nav--primary")
        for section in ("网格员", "公告", "搜索"):
            assert menu.get_by_role("link", name=section, exact=True).first.is_visible()
        if name == "town":
            assert page.locator("#judges .pt-person").first.is_visible()
            assert page.locator("article.pt-grid").count() > 3
        if name == "deregistration":
            assert "公告期内" in page.locator(".pt-deadline").inner_text()
            assert "债权申报期：2026年10月20日至2026年12月4日" in page.locator(".pt-deadline").inner_text()
    finally:
        phone.close(page)
    phone.assert_clean()


def test_search_page_without_javascript_says_so_and_offers_the_lists(phone):
    page = open_page(phone, "search", java_script_enabled=False)
    try:
        notice = page.locator("article .pt-alert", has_text="搜索需要开启 JavaScript")
        assert notice.is_visible()
        for text, href in (("镇（街道）列表", "towns/"), ("公告列表", "notices/")):
            link = notice.get_by_role("link", name=text)
            assert link.is_visible() and link.get_attribute("href").endswith(href)
        assert not page.locator(TOGGLE).is_visible()  # a switch that cannot work is not shown
    finally:
        phone.close(page)
    phone.assert_clean()


# ------------------------------------------------------------------------ large text


def test_every_page_has_the_large_text_switch(site):
    """Every built page carries the switch and its script (the theme's frame puts them on all pages);
    not the staff's editor (admin/) nor Material's own 404 page."""
    pages = [p for p in html_pages(site) if p.relative_to(site).parts[0] not in ("admin", "404.html")]
    missing = [
        str(p.relative_to(site))
        for p in pages
        if 'id="pt-elder-toggle"' not in (text := p.read_text(encoding="utf-8")) or "assets/elder.js" not in text
    ]
    assert len(pages) > 50 and not missing, missing


@pytest.mark.parametrize("name", PAGES)
def test_large_text_is_one_tap_away(phone, name):
    page = open_page(phone, name)
    try:
        before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        toggle = page.get_by_role("button", name="大字模式")
        box = toggle.bounding_box()
        assert box["height"] >= 44 and box["y"] < PHONE["height"], box  # on the first screen, thumb-sized
        toggle.click()
        after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        assert after >= before * 1.3, (before, after)
        assert page.locator(TOGGLE).get_attribute("aria-pressed") == "true"
        assert page.locator(TOGGLE).inner_text() == "标准字号"
    finally:
        phone.close(page)
    phone.assert_clean()


def test_large_text_is_remembered_across_pages(phone):
    page = open_page(phone, "home")
    try:
        page.get_by_role("button", name="大字模式").click()
        with page.expect_navigation():
            page.get_by_role("link", name="找法官").click()
        assert page.evaluate("document.documentElement.classList.contains('pt-elder')")
        page.locator("article summary", has_text="衡阳市").click()
        with page.expect_navigation():
            page.locator("article").get_by_role("link", name="衡东县").click()
        with page.expect_navigation():
            page.locator("article #ganxi").get_by_role("link", name="甘溪镇", exact=True).click()
        assert page.evaluate("document.documentElement.classList.contains('pt-elder')")
        assert page.locator(TOGGLE).get_attribute("aria-pressed") == "true"
        with page.expect_navigation():
            page.locator("nav.pt-breadcrumb").get_by_role("link", name="首页").click()
        assert page.evaluate("document.documentElement.classList.contains('pt-elder')")
        page.get_by_role("button", name="标准字号").click()
        page.reload()
        assert not page.evaluate("document.documentElement.classList.contains('pt-elder')")
    finally:
        phone.close(page)
    phone.assert_clean()


@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_no_horizontal_overflow_at_200_percent_text(phone, name):
    """Large-text mode, and the root font doubled from the normal mode's (as a browser's 200% text
    setting does): the page is never wider than the phone, so nobody scrolls sideways to read."""
    page = open_page(phone, name)
    try:
        normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        page.get_by_role("button", name="大字模式").click()
        page.add_style_tag(content=f"html.pt-elder {{ font-size: {2 * root}px !important; }}")
        text = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        assert text >= 2 * normal, (normal, text)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name}: page is {width[0]}px wide on a {width[1]}px screen at 200% text"
    finally:
        phone.close(page)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_body_text_line_height(phone, name, mode):
    page = open_page(phone, name, mode)
    try:
        tight = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
            .filter((e) => e.offsetParent !== null && e.textContent.trim())
            .map((e) => { const s = getComputedStyle(e);
                          return [e.textContent.trim().slice(0, 20), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; })
            .filter(([, ratio]) => !(ratio >= 1.3))""",
            BODY_TEXT,
        )
    finally:
        phone.close(page)
    assert not tight, f"line height below 1.3 on {name} ({mode}): {tight[:5]}"


# ---------------------------------------------------------------- words, not colour


@pytest.mark.parametrize(
    "name,words",
    [
        ("withdrawn", ["已撤回", "本公告已撤回", "撤回原因"]),
        ("lost", ["已声明作废"]),
        ("deregistration", ["公告期内", "债权申报期", "债权申报截止日期"]),
        ("closed", ["公告期满", "债权申报期", "债权申报截止日期"]),
        ("list", ["已撤回"]),
        ("home", ["公告期内", "公告期满", "已声明作废"]),
    ],
)
def test_status_is_said_in_words(phone, name, words):
    page = open_page(phone, name)
    try:
        text = page.locator("article").inner_text()
    finally:
        phone.close(page)
    missing = [w for w in words if w not in text]
    assert not missing, f"{name} does not say {missing}"
