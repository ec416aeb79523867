"""Provenance: every notice's reference number (公告编号), publisher, registration authority and objection,
newspapers and corrections, on real built pages and in a real browser's search.

The reference numbers must stay the same whatever happens to other files; the dates a notice page shows
come from its data and never contradict 公告日期.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.checking import reference
from generator.checking.model import Correction, LostDocumentNotice, Source
from generator.publishing.build import Options, run_check
from tests.searchpage import browser, require_chromium, result_pages, search  # noqa: F401 - browser is a fixture
from tests.sitebuild import SAMPLE, TODAY, build_site, page

LOST_2022 = "notices/lost/2022/2022-06-20-budongchan/"
DEREG = "notices/deregistration/2026/2026-10-20-ganxi-shiwan-guoshu/"
DEREG_WRITTEN = "notices/deregistration/2021/2021-04-26-hengshan-xianghe-youcha/"


def references(notices: Path) -> dict[str, str]:
    """Every notice's reference number by its file, as `portal check` sees them."""
    checked = run_check(Options(notices=notices, today=TODAY, cache=False))
    return {n.data_file: n.reference for n in [*checked.portal.lost, *checked.portal.deregistrations]}


# ------------------------------------------------------------------ the number


def test_format_and_kind_letter():
    number = reference.derive("lost-document", 2022, "lost/2022/a.yaml", "430424")
    assert reference.PATTERN.match(number) and number.startswith("430424-2022-Y")
    assert reference.derive("deregistration", 2022, "deregistration/2022/a.yaml", None).startswith("000000-2022-Z")
    assert reference.problem(number, "lost-document") is None
    assert reference.problem(number, "deregistration")  # Y on a deregistration
    assert reference.problem(number.lower(), "lost-document")
    assert reference.problem(reference.EXAMPLE, "lost-document") is None


def test_county_code_is_the_nearest_place_with_a_code():
    codes = {
        "衡阳市": "430400",
        "衡阳市/衡东县": "430424",
        "衡阳市/衡东县/甘溪镇": "430424104000",
        "衡阳市/衡东县/杨桥镇": None,
    }
    assert reference.county_code("衡阳市/衡东县/杨桥镇", codes) == "430424"
    assert reference.county_code("衡阳市/衡东县/甘溪镇", codes) == "430424"
    assert reference.county_code("衡阳市", codes) == "430400"
    assert reference.county_code(None, codes) is None


def test_sample_numbers_unique_and_written_ones_kept():
    numbers = references(SAMPLE)
    assert len(set(numbers.values())) == len(numbers) and all(reference.PATTERN.match(n) for n in numbers.values())
    assert numbers["notices/deregistration/2021/2021-04-26-hengshan-xianghe-youcha.yaml"] == "430423-2021-ZW1TWSY"


def test_numbers_do_not_change_when_other_files_do(tmp_path):
    notices = shutil.copytree(SAMPLE, tmp_path / "notices")
    before = references(notices)
    added = notices / "lost" / "2024" / "2024-07-01-added.yaml"
    added.write_text(
        "kind: lost-document\npublished: 2024-07-01\nholder: 新某某\ndocument: {type: 公章}\nregion: 衡阳市/衡东县\n",
        encoding="utf-8",
    )
    edited = notices / "lost" / "2022" / "2022-06-20-budongchan.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("文玉红", "文玉宏")
        + "corrections:\n  - {date: 2022-06-25, change: 更正声明人姓名}\n",
        encoding="utf-8",
    )
    removed = "notices/lost/2021/2021-03-18-shenfenzheng.yaml"
    (tmp_path / removed).unlink()
    after = references(notices)
    assert "notices/lost/2024/2024-07-01-added.yaml" in after and removed not in after
    assert {k: v for k, v in before.items() if k != removed} == {k: v for k, v in after.items() if k in before}
    assert after["notices/lost/2024/2024-07-01-added.yaml"].startswith("430424-2024-Y")


def test_a_written_number_survives_a_rename(tmp_path):
    notices = shutil.copytree(SAMPLE, tmp_path / "notices")
    old = "notices/deregistration/2021/2021-04-26-hengshan-xianghe-youcha.yaml"
    number = references(notices)[old]
    (tmp_path / old).rename(notices / "deregistration" / "2021" / "renamed.yaml")
    assert references(notices)["notices/deregistration/2021/renamed.yaml"] == number


# ------------------------------------------------------------------ dates never contradict


def _notice(corrections: list[Correction]) -> LostDocumentNotice:
    return LostDocumentNotice(
        published=dt.date(2025, 4, 11), source=Source("x.yaml"), url="x/", corrections=corrections
    )


def test_dates_come_from_the_data():
    notice = _notice([Correction(dt.date(2025, 5, 2), "b"), Correction(dt.date(2025, 4, 20), "a")])
    # git says the file was first committed long after 公告日期 and changed later still: the data wins
    dates = notice.dates(dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert (dates.published, dates.corrected, dates.changed) == (dt.date(2025, 4, 11), dt.date(2025, 5, 2), None)
    assert [c.change for c in notice.corrections_in_order] == ["a", "b"]
    plain = _notice([])
    assert plain.dates(dt.date(2026, 11, 23), dt.date(2026, 11, 23)).changed is None  # committed once: no change
    assert plain.dates(dt.date(2026, 11, 23), dt.date(2026, 11, 25)).changed == dt.date(2026, 11, 25)
    assert plain.dates(dt.date(2025, 1, 2), dt.date(2025, 3, 1)).changed is None  # before 公告日期: never shown


# ------------------------------------------------------------------ built pages and search


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("provenance") / "site"
    build_site(SAMPLE, site_dir)
    return site_dir


def facts(soup) -> dict[str, str]:
    block = soup.select_one(".pt-provenance")
    assert block is not None
    return {
        dt_.get_text(strip=True): " ".join(dt_.find_next_sibling("dd").get_text().split())
        for dt_ in block.select("dt")
        if dt_.get_text(strip=True)
    }  # the text as read: each field is its own element (marked for portal verify)


def test_deregistration_page_shows_number_authority_objection_and_corrections(site):
    numbers = references(SAMPLE)
    soup = page(site, DEREG)
    shown = facts(soup)
    assert shown["公告编号"] == numbers["notices/deregistration/2026/2026-10-20-ganxi-shiwan-guoshu.yaml"]
    assert shown["登记机关"].startswith("衡东县市场监督管理局") and "0734-5262307" in shown["登记机关"]
    assert "2026年10月20日 至 2026年12月4日" in shown["异议"] and "衡东县市场监督管理局登记注册股" in shown["异议"]
    items = [li.get_text(" ", strip=True) for li in soup.select(".pt-corrections li")]
    assert items == ["2026年10月25日 更正联系电话的一位数字", "2026年11月4日 补充原载报刊的版面"]
    footer = soup.select_one(".pt-provenance .pt-history").get_text(" ", strip=True)
    assert footer == "首次发布 2026年10月20日 · 最后更正 2026年11月4日"


def test_pages_show_publisher_and_newspaper(site):
    shown = facts(page(site, DEREG_WRITTEN))
    assert shown["公告编号"] == "430423-2021-ZW1TWSY"
    assert shown["发布单位"].startswith("衡山县市场监督管理局")
    assert shown["原载报刊"] == "《衡阳日报》2021年4月24日 A2版"
    lost = facts(page(site, LOST_2022))
    assert lost["发布单位"].startswith("衡东县融媒体中心")


def test_no_notice_page_shows_a_date_before_its_published_date(site):
    notice_pages = [
        *(site / "notices").glob("lost/20*/*/index.html"),
        *(site / "notices").glob("deregistration/20*/*/index.html"),
    ]
    assert len(notice_pages) == 39
    for path in sorted(notice_pages):
        url = path.parent.relative_to(site).as_posix() + "/"
        soup = page(site, url)
        published = soup.select_one(".pt-provenance .pt-history time")
        assert published is not None, url
        first = dt.date.fromisoformat(published["datetime"])
        for time in soup.select(".pt-provenance .pt-history time"):
            assert dt.date.fromisoformat(time["datetime"]) >= first, url


def test_search_finds_a_notice_by_its_number(site, browser):
    require_chromium()
    number = references(SAMPLE)["notices/lost/2022/2022-06-20-budongchan.yaml"]
    for query in (number, number.replace("-", ""), number.lower()):
        results = result_pages(browser, search(browser, query))
        assert results and results[0] == LOST_2022, (query, results[:5])
