"""A deregistration's claim state is right on any day, in a real Chromium, for a page built before its deadline.

The notice is published 2026-10-17 with 45 claim days: the deadline is 2026-12-01 (China time). The site is
built on 2026-11-23, so every page says 公告期内; the visitor's clock is set with Playwright's clock emulation
(never the wall clock), and claim.js must show 公告期满 from 2026-12-02 00:00 in China (2026-12-01T16:00Z) on.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from tests.browser import browse, require_chromium
from tests.sitebuild import ROOT, body_text, build_site, html_pages, page

require_chromium("the claim state in the browser")

SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"
NOTICE = "notices/deregistration/2026/association/"
BUILT = dt.date(2026, 11, 23)
UTC = dt.UTC
CHINA = dt.timezone(dt.timedelta(hours=8))

#: (the visitor's clock, the state they must see)
DAYS = [
    (dt.datetime(2026, 11, 30, 12, 0, tzinfo=CHINA), "公告期内"),  # the day before
    (dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC), "公告期内"),  # still Nov 30 in UTC, already Dec 1 in China
    (dt.datetime(2026, 12, 1, 23, 59, tzinfo=CHINA), "公告期内"),  # the last minute of the deadline day
    (dt.datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "公告期满"),  # still Dec 1 in UTC, already Dec 2 in China
    (dt.datetime(2026, 12, 2, 10, 0, tzinfo=CHINA), "公告期满"),  # the day after
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    notices = tmp_path_factory.mktemp("claim") / "notices"
    shutil.copytree(SMALL, notices)
    old = notices / "deregistration" / "2022" / "association.yaml"
    text = old.read_text(encoding="utf-8").replace("published: 2022-06-06", "published: 2026-10-17")
    (notices / "deregistration" / "2026").mkdir()
    (notices / "deregistration" / "2026" / "association.yaml").write_text(
        text.replace("decided_on: 2022-06-05", "decided_on: 2026-10-16"), encoding="utf-8"
    )
    old.unlink()
    site_dir = notices.parent / "site"
    build_site(notices, site_dir, today=BUILT)
    return site_dir


@pytest.fixture(scope="module")
def browser(site):
    with browse(site) as browser:
        yield browser


def visit(browser, url: str, when: dt.datetime):
    return browser.open(url, clock=when)


def shown(locator) -> str:
    """What a reader sees of an element (hidden parts left out)."""
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def test_the_page_was_built_before_the_deadline(site):
    soup = page(site, NOTICE)
    assert soup.select_one(".pt-deadline [data-deadline]")["data-deadline"] == "2026-12-01"
    assert soup.select_one(".pt-status [data-deadline]")["data-deadline"] == "2026-12-01"
    assert "公告期内" in body_text(soup)


@pytest.mark.parametrize("when,state", DAYS, ids=[f"{w.isoformat()}-{s}" for w, s in DAYS])
def test_notice_page_shows_the_state_of_the_visitors_day_in_china(browser, when, state):
    tab = visit(browser, NOTICE, when)
    try:
        badge = shown(tab.locator(".pt-status"))
        box = shown(tab.locator(".pt-deadline__state"))
        other = "公告期满" if state == "公告期内" else "公告期内"
        assert state in badge and other not in badge
        assert box.startswith(state) and other not in box
        closed = "pt-deadline--closed" in tab.locator(".pt-deadline").get_attribute("class")
        assert closed == (state == "公告期满")
        assert (
            tab.locator(".pt-status a.pt-badge:visible")
            .get_attribute("href")
            .endswith("guide/reading/#state-" + ("open" if state == "公告期内" else "closed"))
        )
    finally:
        browser.close(tab)
    browser.assert_clean()


@pytest.mark.parametrize("url", ["notices/deregistration/", ""])
def test_list_and_home_pages_close_the_state_after_the_deadline(browser, url):
    before = visit(browser, url, DAYS[2][0])
    after = visit(browser, url, DAYS[3][0])
    try:

        def item(tab):
            return shown(tab.locator(".pt-list__item", has_text="衡东县示例协会"))

        assert "公告期内，申报截至 2026年12月1日" in item(before) and "公告期满" not in item(before)
        assert "公告期满" in item(after) and "公告期内" not in item(after)
    finally:
        browser.close(before)
        browser.close(after)
    browser.assert_clean()


def test_search_result_closes_the_state_after_the_deadline(browser):
    for when, state in (DAYS[2], DAYS[3]):
        tab = visit(browser, "search/?q=衡东县示例协会", when)
        try:
            tab.locator("#pt-results li").first.wait_for()
            card = shown(tab.locator("#pt-results li", has_text="衡东县示例协会").first)
            assert state in card and ("公告期内" if state == "公告期满" else "公告期满") not in card
        finally:
            browser.close(tab)
    browser.assert_clean()


def test_without_javascript_the_dates_are_written_in_words(browser):
    tab = browser.new_page(java_script_enabled=False)
    tab.goto(browser.base_url + NOTICE)
    try:
        text = shown(tab.locator("article"))
        assert "债权申报期：2026年10月17日至2026年12月1日" in text
        assert "债权申报截止日期 2026年12月1日" in text
    finally:
        browser.close(tab)


def test_no_bare_valid_badge_anywhere(site):
    """The old green 有效 badge is gone from every page: every state word is one of the defined ones."""
    from generator.site.render import STATE_WORDS

    badges = []
    for path in html_pages(site):
        text = path.read_text(encoding="utf-8")
        assert "pt-badge--active" not in text, path
        soup = page(site, str(path.parent.relative_to(site))) if path.name == "index.html" else None
        if soup:
            badges += [b.get_text(strip=True) for b in soup.select(".pt-badge")]
            assert not [s for s in soup.find_all(string=re.compile(r"^\s*有效\s*$"))], path
    assert badges and set(badges) <= set(STATE_WORDS.values())
    assert {"公告期内", "公告期满", "已声明作废"} <= set(badges)


def test_every_state_word_is_defined_where_its_badge_links(site):
    from generator.site.render import STATE_WORDS

    guide = page(site, "guide/reading/")
    for key, word in STATE_WORDS.items():
        term = guide.find(id=f"state-{key}")
        assert term is not None and term.get_text(strip=True) == word, key
        assert len(term.parent.get_text(strip=True)) > len(word) + 20, f"{word} is not explained"
