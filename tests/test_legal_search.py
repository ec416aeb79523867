"""In a real headless Chromium, what a resident types about a legal question finds the right page first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.searchpage import browser, require_chromium, result_pages, search  # noqa: F401 - browser is a fixture
from tests.sitebuild import sample_site

require_chromium()

CASES = [
    ("离婚", "legal/guides/lihun/"),
    ("法律援助", "legal/guides/falv-yuanzhu/"),
    ("宅基地", "legal/guides/zhaijidi/"),
    ("12348", "legal/"),
    ("欧阳慧敏", "towns/hengdong/ganxi/"),  # a village's legal adviser
    ("赡养费", "legal/guides/shanyang-jicheng/"),
    ("拖欠工资", "legal/guides/laodong-baochou/"),
    ("甘溪 法律援助", "towns/hengdong/ganxi/"),  # a service by place and kind
    ("甘溪人民法庭", "towns/hengdong/ganxi/"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "legal-search")


@pytest.fixture(scope="module")
def tab(browser):
    page = browser.new_page(fresh=False)
    yield page
    browser.close(page)


@pytest.mark.parametrize("query, expected", CASES, ids=[q for q, _ in CASES])
def test_legal_query_finds_the_page_first(browser, tab, query, expected):
    pages = result_pages(browser, search(browser, query, tab))
    assert pages, f"{query!r} finds nothing"
    assert pages[0] == expected, f"{query!r}: first result {pages[0]}, expected {expected}; results: {pages[:5]}"
