"""Print: every notice on one A4 page, every 公示牌 on one A4 sheet, in headless Chromium's own PDF output.

The sample is built once with a site address (`--site-url`), so the boards carry QR codes; each code is read
back from the page's pixels (tests/qrdecode.py) and must name its village, grid or judges on the town page of
the live site. Pages are counted in the PDF Chromium writes (`page.pdf(format="A4")`): one `/Type /Page`
object per sheet.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.publishing import scan
from generator.publishing.build import Options, build, check
from generator.site import boards, render
from tests.browser import ARTIFACTS, PHONE, Browser, axe, require_chromium, serve
from tests.qrdecode import decode_qr
from tests.sitebuild import SAMPLE, TODAY, page

require_chromium("the print tests")

SITE_URL = "https://gonggao.example.gov.cn/"
#: The printable width of an A4 page inside portal.css's @page margins (210 mm - 2 × 14 mm), in CSS pixels.
A4_PRINT_VIEWPORT = {"width": 688, "height": 1032}
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("print") / "site"
    result = build(Options(notices=SAMPLE, site_dir=site_dir, today=TODAY, site_url=SITE_URL))
    assert not result.failed, "\n".join(p.format() for p in result.problems)
    return site_dir


@pytest.fixture(scope="module")
def browser(site):
    with serve(site) as base_url, Browser(base_url, dict(A4_PRINT_VIEWPORT)) as chromium:
        yield chromium


def town_urls(site: Path) -> list[str]:
    return sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("towns/*/*/index.html"))


def notice_urls(site: Path) -> list[str]:
    return sorted(
        p.parent.relative_to(site).as_posix() + "/"
        for p in site.glob("notices/*/*/*/index.html")
        if p.parent.parent.name.isdigit()
    )


#: Every rendered element whose text or background is not black on white (or transparent): [tag.class, colour, background].
COLOURED = """[...document.querySelectorAll('body *')].filter(e => e.getClientRects().length > 0).map(e => {
  const s = getComputedStyle(e);
  const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  return [e.tagName.toLowerCase() + '.' + [...e.classList].join('.'), text ? s.color : 'rgb(0, 0, 0)', s.backgroundColor];
}).filter(([, color, background]) => color !== 'rgb(0, 0, 0)' || !['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)'].includes(background))"""


def printed(browser: Browser, url: str):
    """A tab showing `url` as it prints, and the number of A4 pages Chromium's PDF of it has."""
    tab = browser.open(url, fresh=False)
    tab.emulate_media(media="print")
    pdf = tab.pdf(format="A4", print_background=True)
    return tab, len(PAGE_OBJECT.findall(pdf))


def test_every_notice_prints_on_one_a4_page(site, browser):
    urls = notice_urls(site)
    kinds = {url.split("/")[1] for url in urls}
    assert len(urls) == len(list((SAMPLE / "lost").rglob("*.yaml"))) + len(
        list((SAMPLE / "deregistration").rglob("*.yaml"))
    )
    assert kinds == {"lost", "deregistration"}
    pages = {}
    for url in urls:
        tab, pages[url] = printed(browser, url)
        browser.close(tab)
    assert {url: n for url, n in pages.items() if n != 1} == {}


def test_printed_pages_are_black_on_white_without_controls_with_phone_numbers_as_text(site, browser):
    notice = next(url for url in notice_urls(site) if url.startswith("notices/deregistration/"))
    for url in (town_urls(site)[0], notice, "", "notices/lost/", "legal/"):
        tab, _ = printed(browser, url)
        for control in (
            "#pt-q-top",
            "#pt-q",
            ".pt-toolbar",
            "#pt-elder-toggle",
            ".md-header",
            ".md-tabs",
            ".pt-jump",
            ".pt-breadcrumb",
            ".pt-staff-link",
        ):
            shown = tab.locator(control).evaluate_all("els => els.filter(e => e.getClientRects().length > 0).length")
            assert shown == 0, f"{control} prints on /{url}"
        phones = tab.locator("a.pt-tel")
        if url in (town_urls(site)[0], notice):
            assert phones.count() > 0
        for i in range(phones.count()):
            phone = phones.nth(i)
            text = phone.inner_text().strip()
            assert re.fullmatch(r"[0-9][0-9 -]+[0-9]", text), f"{text!r} on /{url}"  # the number, no ☎ icon
            style = phone.evaluate(
                "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.borderTopWidth] }"
            )
            assert style == ["rgba(0, 0, 0, 0)", "rgb(0, 0, 0)", "0px"], f"{text} prints as a button on /{url}: {style}"
        coloured = tab.evaluate(COLOURED)
        assert coloured == [], f"/{url} prints colour: {coloured[:5]}"
        browser.close(tab)


def test_elder_mode_does_not_change_the_printed_size(site, browser):
    """A resident who switched 大字模式 on still prints a notice on one page."""
    url = notice_urls(site)[0]
    tab = browser.open(url, fresh=False)
    tab.evaluate("localStorage.setItem('pt-elder', '1')")
    tab.reload()
    assert tab.evaluate("document.documentElement.classList.contains('pt-elder')")
    tab.emulate_media(media="print")
    assert len(PAGE_OBJECT.findall(tab.pdf(format="A4", print_background=True))) == 1
    tab.evaluate("localStorage.removeItem('pt-elder')")
    browser.close(tab)


def expected_address(town_url: str, board_id: str) -> str:
    target = "judges" if board_id == boards.JUDGE_CARD else board_id.removeprefix("board-")
    return f"{SITE_URL}{town_url}#{target}"


def test_every_board_fills_one_a4_sheet_and_its_qr_code_opens_its_grid(site, browser):
    for town_url in town_urls(site):
        url = town_url + boards.PATH
        soup = page(site, url)
        town_page = page(site, town_url)
        ids = [section["id"] for section in soup.select("section.pt-board")]
        grids = [article["id"] for article in town_page.select("article.pt-grid")]
        villages = [section["id"] for section in town_page.select("section.pt-village")]
        assert ids[0] == boards.JUDGE_CARD
        assert sorted(ids[1:]) == sorted(boards.board_anchor(anchor) for anchor in grids + villages)
        tab, sheets = printed(browser, url)
        assert sheets == len(ids), f"/{url}: {len(ids)} boards print on {sheets} A4 pages"
        codes = decode_qr(tab)
        assert codes == [expected_address(town_url, board_id) for board_id in ids]
        for board_id in ids:  # every address lands on an element of the town page
            assert town_page.find(id=expected_address(town_url, board_id).rpartition("#")[2]) is not None
        browser.close(tab)


def test_a_grid_board_shows_its_people_judges_services_and_the_complaints_line(site):
    soup = page(site, "towns/hengdong/ganxi/boards/")
    board = soup.find(id="board-grid-04")
    text = board.get_text(" ", strip=True)
    for expected in (
        "乌塘村第二网格",
        "网格长",
        "曾芳凤",
        "15700005805",
        "尹家霞",
        "18900006692",
        "民生服务代办、政策宣传、矛盾纠纷调解",
        "阳文凤",
        "驻镇法官",
        "陈美",
        "15900003045",
        "罗春龙",
        "衡东县甘溪司法所",
        "0734-5204575",
        "欧阳慧敏",
        "18100007321",  # 乌塘村's own 法律顾问
        "投诉电话",
        "12345",
        "政务服务便民热线",
    ):
        assert expected in text, expected
    assert "谭志远" not in text  # another village's adviser
    assert "衡东县法律援助中心 0734-5233791" in text
    assert not board.select("a.pt-tel")  # numbers to read, not buttons
    card = soup.find(id=boards.JUDGE_CARD).get_text(" ", strip=True)
    for expected in (
        "甘溪镇驻镇法官",
        "陈美",
        "人民法庭庭长",
        "15900003045",
        "罗春龙",
        "19100001814",
        "衡东县人民法院甘溪人民法庭",
        "周一至周五",
        "诉讼服务热线",
        "12368",
    ):
        assert expected in card, expected


def test_every_town_has_a_judge_card_and_a_staff_link_to_its_boards(site):
    for town_url in town_urls(site):
        town_page = page(site, town_url)
        link = town_page.select_one(".pt-staff-link a")
        assert link is not None and link.get_text(strip=True) == "打印公示牌"
        assert link["href"] == boards.PATH
        card = page(site, town_url + boards.PATH).find(id=boards.JUDGE_CARD)
        judges = [judge.get_text(" ", strip=True) for judge in town_page.select("#judges .pt-person")]
        assert judges and card is not None
        for judge in judges:
            name = judge.split()[1]
            assert name in card.get_text(" ", strip=True)


def test_the_boards_are_not_searched(site):
    soup = page(site, "towns/hengdong/ganxi/boards/")
    assert soup.select("[data-pagefind-body]") == []
    town = page(site, "towns/hengdong/ganxi/")
    assert town.select_one(".pt-staff-link")["data-pagefind-ignore"] is not None


def test_without_a_site_address_a_board_prints_the_way_to_its_page_and_no_qr_code(tmp_path):
    checked = check(Options(notices=SAMPLE, site_dir=tmp_path / "site", today=TODAY))
    assert checked.portal.site_url is None
    town = next(town for town in checked.portal.towns if town.name == "甘溪镇")
    body = render.renderer(checked.portal).boards_page(boards.Boards(town)).body
    assert "<svg" not in body
    assert "本次生成没有设置网站地址" in body
    assert "本站“查找网格员” › 衡东县 › 甘溪镇 › 乌塘村" in body
    assert "gonggao" not in body and "https://" not in body


def test_the_output_scan_wants_every_town_its_boards(site, tmp_path):
    staged = tmp_path / "site"
    shutil.copytree(site, staged)
    shutil.rmtree(staged / "towns" / "hengdong" / "ganxi" / "boards")
    checked = check(Options(notices=SAMPLE, site_dir=staged, today=TODAY))
    found = [
        f.format()
        for f in scan.scan(staged, scan.expected_pages(checked.portal, checked.data_files), scan.default_trusted())
    ]
    assert any("公示牌没有生成页面 /towns/hengdong/ganxi/boards/" in line for line in found), found
    assert any("链接指向的文件不存在" in line and "towns/hengdong/ganxi/index.html" in line for line in found), found


def test_the_boards_page_on_a_phone_passes_axe(browser):
    tab = browser.open("towns/hengdong/ganxi/boards/", viewport=dict(PHONE))
    assert axe(tab) == []
    browser.close(tab)
    browser.assert_clean()


def test_a_board_rendered_for_print(site, browser):
    """The README's picture of a board (test-artifacts/board-print.png; copied to docs/images/)."""
    tab, _ = printed(browser, "towns/hengdong/ganxi/boards/")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.locator("#board-grid-04").screenshot(path=str(ARTIFACTS / "board-print.png"))
    assert (ARTIFACTS / "board-print.png").stat().st_size > 10_000
    browser.close(tab)
